#!/usr/bin/env bash
# Stub Packer: records its calls; `build` registers a new image for -var arch=<arch> with
# the runner version of ./versions.json and publishes it to -var ssm_parameter_name, as
# the template's post-processor does, unless $SKIFF_STUB_STATE/packer-fails exists.
set -euo pipefail
state=${SKIFF_STUB_STATE:?}
printf '%s\n' "$*" >>"$state/packer.log"
[[ $1 == build ]] || exit 0
[[ ! -f $state/packer-fails ]] || exit 1
arch="" parameter=""
for a in "$@"; do
  case $a in
  arch=*) arch=${a#arch=} ;;
  ssm_parameter_name=*) parameter=${a#ssm_parameter_name=} ;;
  esac
done
count=$(($(wc -l <"$state/images") + 1))
id=$(printf 'ami-%017d' "$count")
printf '%s %s %s %s snap-%017d\n' "$id" "$(date -u -d "@${SKIFF_NOW:?}" +%Y-%m-%dT%H:%M:%S.000Z)" \
  "$(jq -r .runner.version versions.json)" "$arch" "$count" >>"$state/images"
mkdir -p "$state/parameters"
printf '%s' "$id" >"$state/parameters/$(tr / _ <<<"$parameter")"
