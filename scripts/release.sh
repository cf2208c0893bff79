#!/usr/bin/env bash
# Writes the files of one skiff release: `make release VERSION=0.3.0` runs
#   scripts/release.sh 0.3.0 [out-dir]
# which builds the Lambdas (scripts/build.mjs) and writes, into out-dir (default
# dist/release, replaced as a whole):
#   skiff-<function>-0.3.0.zip   one per lambdas/src/<function>/handler.ts
#   SHA256SUMS                   `sha256sum` lines over those zips
# The version must be the one package.json and the README's `?ref=v…` name, so that a
# tag, its zips and the documented module source always agree.
#
# SKIFF_RELEASE_ZIPS=<folder of <function>.zip> packages those instead of building
# (tests use it with small stand-in zips).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
  echo "release: $*" >&2
  exit 1
}

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
  die "usage: make release VERSION=x.y.z (or scripts/release.sh x.y.z [out-dir])"
fi
version=$1
out=${2:-$root/dist/release}
[ -n "$version" ] || die "usage: make release VERSION=x.y.z"

if [[ $version == v* ]]; then
  die "VERSION is written without the v: VERSION=${version#v} (the tag is v${version#v})"
fi
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?$ ]]; then
  die "VERSION must be x.y.z or x.y.z-<pre-release> (e.g. 0.3.0, 1.0.0-rc.1), got \"$version\""
fi

package_version=$(node -p 'require(process.argv[1]).version' "$root/package.json")
if [ "$package_version" != "$version" ]; then
  die "package.json has version $package_version: set it to $version (and date CHANGELOG.md's section) before releasing"
fi
if ! grep -qF "?ref=v$version\"" "$root/README.md"; then
  die "README.md's Deploy section does not pin ?ref=v$version: update its module source and fetch command"
fi

functions=()
for handler in "$root"/lambdas/src/*/handler.ts; do
  name=${handler%/handler.ts}
  functions+=("${name##*/}")
done
[ "${#functions[@]}" -gt 0 ] || die "no lambdas/src/<function>/handler.ts found"

zips=${SKIFF_RELEASE_ZIPS:-}
if [ -z "$zips" ]; then
  node "$root/scripts/build.mjs" >&2
  zips=$root/dist/lambdas
fi

mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/.release.XXXXXX")
trap 'rm -rf "$stage"' EXIT

for name in "${functions[@]}"; do
  [ -f "$zips/$name.zip" ] || die "no $zips/$name.zip"
  cp "$zips/$name.zip" "$stage/skiff-$name-$version.zip"
done
(cd "$stage" && sha256sum -- skiff-*.zip >SHA256SUMS)

rm -rf "$out"
mv "$stage" "$out"
trap - EXIT
chmod 0755 "$out"

echo "release: skiff $version in ${out#"$root"/}" >&2
cat "$out/SHA256SUMS"
