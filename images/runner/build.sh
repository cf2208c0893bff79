#!/usr/bin/env bash
# Build the Fargate runner image with the runner version and checksum pinned in
# versions.json, tag it <repository>:<version>-<arch>, and push it with --push.
#
#   images/runner/build.sh REPOSITORY_URI [x86_64|arm64] [--push]
#
#   REPOSITORY_URI  <account>.dkr.ecr.<region>.amazonaws.com/<name> (log in first:
#                   aws ecr get-login-password | docker login --username AWS --password-stdin <registry>)
# Needs jq. SKIFF_DOCKER replaces the docker command (tests).
set -euo pipefail

usage() {
  echo "usage: $0 REPOSITORY_URI [x86_64|arm64] [--push]" >&2
  exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
versions=$here/../../versions.json
docker=${SKIFF_DOCKER:-docker}

repository=${1:-}
[[ -n $repository ]] || usage
shift
arch=x86_64 push=false
for arg in "$@"; do
  case $arg in
  x86_64 | arm64) arch=$arg ;;
  --push) push=true ;;
  *) usage ;;
  esac
done
if [[ ! $repository =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[a-z0-9]+([._/-][a-z0-9]+)*$ ]]; then
  echo "$0: REPOSITORY_URI must be a private ECR repository, <account>.dkr.ecr.<region>.amazonaws.com/<name> (no tag)" >&2
  exit 2
fi

# versions.json is the one source of truth for the pin.
pin() { jq -er "$1" "$versions"; }
version=$(pin .runner.version)
case $arch in
x86_64) platform=linux/amd64 sha256=$(pin .runner.sha256.x64) ;;
arm64) platform=linux/arm64 sha256=$(pin .runner.sha256.arm64) ;;
esac
tag=$repository:$version-$arch

"$docker" build --platform "$platform" \
  --build-arg "RUNNER_VERSION=$version" --build-arg "RUNNER_SHA256=$sha256" \
  --tag "$tag" "$here"
if $push; then "$docker" push "$tag"; fi
echo "$tag"
