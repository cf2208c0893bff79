#!/usr/bin/env bash
# Puts the Lambda zips of a published skiff release where modules/runners finds them:
#   fetch-lambdas.sh <tag> [dest]        e.g. fetch-lambdas.sh v0.3.0 lambdas
# downloads the release's SHA256SUMS and every zip it lists, checks them with
# `sha256sum -c`, and only then installs them as <dest>/<function>.zip (dest defaults to
# ./lambdas; give modules/runners `lambdas = { dir = "${path.root}/lambdas" }`). A failed
# download or a checksum mismatch leaves <dest> as it was.
#
# With skiff as a git module source, run the copy Terraform downloaded, after
# `terraform init`: bash .terraform/modules/<module name>/scripts/fetch-lambdas.sh <tag>.
#
# SKIFF_RELEASE_URL  where releases live: <url>/<tag>/<file>. Default: the GitHub release
#                    downloads of the repository this script was cloned from (its git
#                    remote "origin"), https://<host>/<owner>/<repo>/releases/download.
#                    https:// and file:// URLs are accepted.
set -euo pipefail

die() {
  echo "fetch-lambdas: $*" >&2
  exit 1
}

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
  die "usage: fetch-lambdas.sh <tag, e.g. v0.3.0> [dest folder, default lambdas]"
fi
if ! [[ $1 =~ ^v?([0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?)$ ]]; then
  die "the tag must look like v0.3.0, got \"$1\""
fi
version=${BASH_REMATCH[1]}
tag=v$version
dest=${2:-lambdas}
dest=${dest%/}
[ -n "$dest" ] || die "the destination folder must not be /"
for tool in curl sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

# https://host/owner/repo(.git), git@host:owner/repo(.git), ssh://git@host/owner/repo(.git)
# -> https://host/owner/repo/releases/download
release_url_of() {
  local remote=$1 host path
  case $remote in
    https://*) remote=${remote#https://} ;;
    ssh://*) remote=${remote#ssh://} ;;
    *@*:*) remote=${remote/://} ;;
    *) return 1 ;;
  esac
  remote=${remote#*@}
  host=${remote%%/*}
  path=${remote#*/}
  path=${path%/}
  path=${path%.git}
  [[ -n $host && $path =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || return 1
  echo "https://${host%%:*}/$path/releases/download"
}

base=${SKIFF_RELEASE_URL:-}
if [ -z "$base" ]; then
  here=$(dirname "${BASH_SOURCE[0]}")
  origin=$(git -C "$here" remote get-url origin 2>/dev/null || true)
  base=$(release_url_of "$origin") ||
    die "cannot tell which repository's releases to use (git remote origin: \"${origin:-none}\"); set SKIFF_RELEASE_URL, e.g. SKIFF_RELEASE_URL=https://github.com/<owner>/skiff/releases/download"
fi
base=${base%/}
case $base in
  https://* | file://*) ;;
  *) die "SKIFF_RELEASE_URL must be an https:// or file:// URL, got \"$base\"" ;;
esac

# Stage beside dest, so that installing is a rename on the same file system.
parent=$(dirname "$dest")
[ -d "$parent" ] || die "no folder $parent (for $dest)"
stage=$(mktemp -d "$parent/.skiff-fetch.XXXXXX")
trap 'rm -rf "$stage"' EXIT

download() {
  curl --fail --silent --show-error --location --retry 3 \
    --proto '=https,file' --proto-redir '=https' \
    --output "$stage/$1" "$base/$tag/$1" ||
    die "could not download $base/$tag/$1; nothing was installed"
}

download SHA256SUMS
functions=()
while read -r sum file || [ -n "$sum" ]; do
  file=${file#\*}
  if ! [[ $sum =~ ^[0-9a-f]{64}$ && $file =~ ^skiff-([a-z0-9-]+)-${version//./\\.}\.zip$ ]]; then
    die "SHA256SUMS of $tag has a line that is not \"<sha256>  skiff-<function>-$version.zip\": nothing was installed"
  fi
  functions+=("${BASH_REMATCH[1]}")
done <"$stage/SHA256SUMS"
[ "${#functions[@]}" -gt 0 ] || die "SHA256SUMS of $tag lists no zips; nothing was installed"

for name in "${functions[@]}"; do
  download "skiff-$name-$version.zip"
done
if ! (cd "$stage" && sha256sum --check --strict --quiet SHA256SUMS >&2); then
  die "the files of $tag do not match its SHA256SUMS (corrupt or tampered); nothing was installed in $dest"
fi

mkdir "$stage/install"
for name in "${functions[@]}"; do
  mv "$stage/skiff-$name-$version.zip" "$stage/install/$name.zip"
done
if [ -e "$dest" ]; then
  [ -d "$dest" ] || die "$dest exists and is not a folder; nothing was installed"
  for name in "${functions[@]}"; do
    mv -f "$stage/install/$name.zip" "$dest/$name.zip"
  done
else
  chmod 0755 "$stage/install"
  mv "$stage/install" "$dest"
fi

echo "fetch-lambdas: skiff $tag checked against SHA256SUMS and installed in $dest: ${functions[*]/%/.zip}" >&2
