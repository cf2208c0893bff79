#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing.
# Idempotent and quiet when everything is already there.
# Debian's packer is 1.6.6: enough for `packer validate` and `packer fmt` offline, but it has
# no `packer init`; building the AMI needs the Packer named in packer/README.md (Which Packer).
set -euo pipefail

missing=()
command -v packer >/dev/null 2>&1 || missing+=(packer)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v jq >/dev/null 2>&1 || missing+=(jq)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "ensure-tools: missing ${missing[*]}; install them with your package manager" >&2
  exit 1
fi
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

echo "ensure-tools: installing ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
