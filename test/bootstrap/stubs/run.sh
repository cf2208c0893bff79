#!/usr/bin/env bash
# Stub runner: records how it was started, then exits with the code in runner-exit-code.
set -euo pipefail
state=${SKIFF_STUB_STATE:?}
printf '%s\n' "$@" >"$state/runner-args"
# The one place the JIT config is written to disk, by the test double, so the test can
# compare it with what SSM held.
printf '%s' "${ACTIONS_RUNNER_INPUT_JITCONFIG-}" >"$state/runner-received-jit"
tr '\0' ' ' </proc/$$/cmdline >"$state/runner-cmdline"
# What the runner prints (runner-output); "@uptime <seconds>" moves the stub /proc/uptime,
# after a pause that lets the bootstrap read the lines before it at the old uptime (a real
# runner prints over seconds, not microseconds).
if [[ -f $state/runner-output ]]; then
  while IFS= read -r line; do
    if [[ $line == "@uptime "* ]]; then
      sleep 0.3
      printf '%s 1.00\n' "${line#@uptime }" >"$state/uptime"
    else
      printf '%s\n' "$line"
    fi
  done <"$state/runner-output"
fi
# The runner's job hooks, as the runner runs them: with bash, around the job, with the
# job's GITHUB_* environment.
if [[ -n ${ACTIONS_RUNNER_HOOK_JOB_STARTED-} ]]; then
  GITHUB_JOB=build GITHUB_REPOSITORY=octo-org/app GITHUB_RUN_ID=42 bash "$ACTIONS_RUNNER_HOOK_JOB_STARTED" || exit 1
fi
if [[ -n ${ACTIONS_RUNNER_HOOK_JOB_COMPLETED-} ]]; then
  GITHUB_JOB=build GITHUB_REPOSITORY=octo-org/app GITHUB_RUN_ID=42 bash "$ACTIONS_RUNNER_HOOK_JOB_COMPLETED" || exit 1
fi
exit "$(cat "$state/runner-exit-code" 2>/dev/null || echo 0)"
