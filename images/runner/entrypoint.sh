#!/usr/bin/env bash
# skiff Fargate entrypoint: take this task's JIT config from SSM, run exactly one job, exit.
#
#   1. task metadata endpoint v4 ($ECS_CONTAINER_METADATA_URI_V4/task) -> TaskARN -> task
#      id and region
#   2. SSM get-parameter /<prefix>/jit/<task-id> --with-decryption, retried while it is
#      missing or not yet readable (scale-up writes it right after RunTask) until
#      SKIFF_BOOT_TIMEOUT seconds pass
#   3. delete the parameter (in the background, awaited before exit)
#   4. run the runner with the JIT config in its environment (never argv, never a file,
#      never printed), without the task role's credentials URI
#   5. exit with the runner's status; the task stops because its only container did
#
# Configuration (the task definition's environment; modules/fargate-pool):
#   SKIFF_PREFIX          the deployment's prefix
#   SKIFF_BOOT_TIMEOUT    seconds to wait for the JIT config
# Set by Fargate: ECS_CONTAINER_METADATA_URI_V4.
# Replaceable for tests; the defaults are the production ones:
#   SKIFF_AWS             aws
#   SKIFF_CURL            curl
#   SKIFF_RUNNER_DIR      /opt/actions-runner
#   SKIFF_RETRY_SECONDS   1        (pause between attempts)
set -uo pipefail
umask 077

log() { printf 'skiff-entrypoint: %s\n' "$*" >&2; }

aws=${SKIFF_AWS:-aws}
curl=${SKIFF_CURL:-curl}
runner_dir=${SKIFF_RUNNER_DIR:-/opt/actions-runner}
retry_seconds=${SKIFF_RETRY_SECONDS:-1}
metadata=${ECS_CONTAINER_METADATA_URI_V4:-}
prefix=${SKIFF_PREFIX:-}
boot_timeout=${SKIFF_BOOT_TIMEOUT:-}

# The AWS CLI must never page or prompt; its own retries cover throttling.
export AWS_PAGER="" AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=3

if [[ ! $prefix =~ ^[a-z][a-z0-9-]{0,19}$ ]]; then
  log "SKIFF_PREFIX missing or invalid"
  exit 2
fi
if [[ ! $boot_timeout =~ ^[0-9]+$ ]] || ((boot_timeout == 0)); then
  log "SKIFF_BOOT_TIMEOUT missing or invalid"
  exit 2
fi
if [[ ! $metadata =~ ^https?:// ]]; then
  log "ECS_CONTAINER_METADATA_URI_V4 is not set: not running as an ECS task on Fargate platform 1.4.0 or later"
  exit 2
fi

now_ms() {
  local t=${EPOCHREALTIME//[!0-9]/}
  printf '%s' "$((10#$t / 1000))"
}
started_ms=$(now_ms)
deadline_ms=$((started_ms + boot_timeout * 1000))
before_deadline() { (($(now_ms) < deadline_ms)); }
elapsed() { printf '%s.%03ds' "$((($(now_ms) - started_ms) / 1000))" "$((($(now_ms) - started_ms) % 1000))"; }

delete_pid="" runner_pid="" errors=""
# shellcheck disable=SC2317 # runs from the EXIT trap
finish() {
  local code=$?
  trap - EXIT
  if [[ -n $delete_pid ]]; then wait "$delete_pid" || true; fi
  if [[ -n $errors ]]; then rm -f "$errors"; fi
  log "done after $(elapsed) (status $code)"
  exit "$code"
}
trap finish EXIT
# Fargate Spot's interruption and StopTask send SIGTERM (through the init process): pass it
# to the runner, which cancels its job, and wait for it within the task's stop timeout.
# shellcheck disable=SC2317 # runs from the TERM trap
on_term() {
  if [[ -n $runner_pid ]]; then
    log "SIGTERM: stopping the runner"
    kill -TERM "$runner_pid" 2>/dev/null || true
    wait "$runner_pid"
    exit 143
  fi
  exit 143
}
trap on_term TERM
trap 'exit 130' INT

# --- 1. identity from the task metadata endpoint ------------------------------------
task_arn=""
until task=$("$curl" -fsS --max-time 2 "$metadata/task") &&
  [[ $task =~ \"TaskARN\"[[:space:]]*:[[:space:]]*\"(arn:[a-z-]+:ecs:[a-z0-9-]+:[0-9]{12}:task/([A-Za-z0-9_-]+/)?[0-9a-f-]{32,36})\" ]]; do
  before_deadline || {
    log "no task ARN from the task metadata endpoint within ${boot_timeout}s"
    exit 3
  }
  sleep "$retry_seconds"
done
task_arn=${BASH_REMATCH[1]}
task_id=${task_arn##*/}
IFS=: read -r _ _ _ region _ <<<"$task_arn"
parameter="/$prefix/jit/$task_id"
log "task $task_id in $region, runner $prefix-$task_id, parameter $parameter ($(elapsed))"

# --- 2. the JIT config ---------------------------------------------------------------
errors=$(mktemp "${TMPDIR:-/tmp}/skiff-ssm.XXXXXX")
attempts=0 jit=""
while :; do
  attempts=$((attempts + 1))
  if jit=$("$aws" ssm get-parameter --region "$region" --name "$parameter" --with-decryption \
    --query Parameter.Value --output text 2>"$errors") && [[ -n $jit ]]; then
    break
  fi
  jit=""
  # Until scale-up writes it the parameter is missing, and the task role's tag condition
  # answers AccessDenied rather than ParameterNotFound (there is no tag to match yet).
  if ! grep -qE 'ParameterNotFound|AccessDeniedException' "$errors"; then
    # Not a secret: the CLI's error names the operation and the parameter, never a value.
    log "get-parameter failed (attempt $attempts): $(tr '\n' ' ' <"$errors" | cut -c1-300)"
  fi
  if ! before_deadline; then
    log "no JIT config at $parameter after ${boot_timeout}s ($attempts attempts); giving up"
    exit 4
  fi
  sleep "$retry_seconds"
done
log "JIT config fetched after $attempts attempt(s) ($(elapsed))"

# --- 3. delete it (single use) -------------------------------------------------------
delete_parameter() {
  local try
  for try in 1 2 3; do
    if "$aws" ssm delete-parameter --region "$region" --name "$parameter" >/dev/null 2>&1; then
      log "parameter deleted"
      return 0
    fi
    sleep "$try"
  done
  log "could not delete $parameter; the reconcile removes it"
  return 1
}
delete_parameter &
delete_pid=$!

# --- 4. one job ----------------------------------------------------------------------
# The runner reads ACTIONS_RUNNER_INPUT_JITCONFIG as its --jitconfig option, so the config
# is in no process's argv. The task role's credentials URI is left out of the runner's
# environment: job steps should take AWS credentials from OIDC, not from the runner.
log "starting runner ($(elapsed))"
ACTIONS_RUNNER_INPUT_JITCONFIG=$jit env -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
  -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_AUTHORIZATION_TOKEN \
  "$runner_dir/run.sh" &
runner_pid=$!
unset jit
wait "$runner_pid"
runner_status=$?
runner_pid=""
log "runner exited with status $runner_status"

# --- 5. exit (the EXIT trap waits for the delete) ------------------------------------
exit "$runner_status"
