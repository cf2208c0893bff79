#!/usr/bin/env bash
# Stub runner: records how it was started, then exits with the code in runner-exit-code.
set -euo pipefail
state=${SKIFF_STUB_STATE:?}
printf '%s\n' "$@" >"$state/runner-args"
# The one place the JIT config is written to disk, by the test double, so the test can
# compare it with what SSM held.
printf '%s' "${ACTIONS_RUNNER_INPUT_JITCONFIG-}" >"$state/runner-received-jit"
tr '\0' ' ' </proc/$$/cmdline >"$state/runner-cmdline"
exit "$(cat "$state/runner-exit-code" 2>/dev/null || echo 0)"
