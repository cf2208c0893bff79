#!/usr/bin/env bash
# Stub runner for the Fargate entrypoint tests: records how it was started, then exits with
# the code in runner-exit-code, or with runner-waits-for-term present, waits for SIGTERM.
set -euo pipefail
state=${SKIFF_STUB_STATE:?}
printf '%s\n' "$@" >"$state/runner-args"
# The one place the JIT config is written to disk, by the test double, so the test can
# compare it with what SSM held.
printf '%s' "${ACTIONS_RUNNER_INPUT_JITCONFIG-}" >"$state/runner-received-jit"
tr '\0' ' ' </proc/$$/cmdline >"$state/runner-cmdline"
env | grep -E '^AWS_CONTAINER_' | cut -d= -f1 >"$state/runner-aws-container-env" || true
echo "Listening for Jobs"
if [[ -f $state/runner-waits-for-term ]]; then
  trap 'echo terminated >"$state/runner-got-term"; exit 0' TERM
  : >"$state/runner-started"
  while :; do sleep 0.05; done
fi
exit "$(cat "$state/runner-exit-code" 2>/dev/null || echo 0)"
