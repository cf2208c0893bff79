#!/usr/bin/env bash
# Stub for poweroff / journalctl / sync: appends its name and arguments to calls.log.
set -euo pipefail
printf '%s %s\n' "$(basename "$0")" "$*" >>"${SKIFF_STUB_STATE:?}/calls.log"
