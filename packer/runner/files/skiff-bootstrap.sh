#!/usr/bin/env bash
# skiff bootstrap: take this instance's JIT config from SSM, run exactly one job, power off.
#
#   1. IMDSv2 token -> instance id and region
#   2. SSM get-parameter /<prefix>/jit/<instance-id> --with-decryption, retried while it is
#      missing (the scale-up Lambda writes it after launch) until BOOT_TIMEOUT seconds pass
#   3. delete the parameter (in the background, so it is off the boot-to-job path; awaited
#      before power-off)
#   4. run the runner as the `runner` user with the JIT config
#   5. whatever happens (runner exit with any code, timeout, error): flush logs, power off;
#      the launch template's shutdown behaviour terminates the instance
#
# Secret handling: the JIT config lives only in this shell's memory and reaches the runner
# as ACTIONS_RUNNER_INPUT_JITCONFIG, the runner's documented environment form of
# `--jitconfig` (its argument parser reads ACTIONS_RUNNER_INPUT_<arg> and then removes the
# variable from its own environment, so job steps do not inherit it). argv would be
# world-readable through `ps` and /proc/<pid>/cmdline; an environment is readable only by
# the same user and root. It is never echoed, never written to a file by this script and
# never passed on a command line. (The runner itself then writes its credentials into
# its root directory, mode 0600 under the unit's UMask, as every runner does.)
#
# Configuration: /etc/skiff/skiff.env (written by user data) sets PREFIX and BOOT_TIMEOUT.
# Every external command can be replaced for tests; the defaults are the production ones.
#   SKIFF_ENV_FILE        /etc/skiff/skiff.env
#   SKIFF_IMDS_URL        http://169.254.169.254
#   SKIFF_AWS             aws
#   SKIFF_CURL            curl
#   SKIFF_RUNNER_DIR      /opt/actions-runner
#   SKIFF_RUN_AS          "runuser -u runner --"   (word-split; empty runs as the caller)
#   SKIFF_POWEROFF        "systemctl poweroff"     (word-split)
#   SKIFF_JOURNAL_SYNC    "journalctl --sync"      (word-split)
#   SKIFF_SYNC            sync
#   SKIFF_RETRY_SECONDS   1                        (pause between SSM attempts)
set -uo pipefail
umask 077

log() { printf 'skiff-bootstrap: %s\n' "$*" >&2; }

env_file=${SKIFF_ENV_FILE:-/etc/skiff/skiff.env}
imds=${SKIFF_IMDS_URL:-http://169.254.169.254}
aws=${SKIFF_AWS:-aws}
curl=${SKIFF_CURL:-curl}
runner_dir=${SKIFF_RUNNER_DIR:-/opt/actions-runner}
retry_seconds=${SKIFF_RETRY_SECONDS:-1}
read -r -a run_as <<<"${SKIFF_RUN_AS-runuser -u runner --}"
read -r -a poweroff <<<"${SKIFF_POWEROFF:-systemctl poweroff}"
read -r -a journal_sync <<<"${SKIFF_JOURNAL_SYNC:-journalctl --sync}"
sync_cmd=${SKIFF_SYNC:-sync}

# The AWS CLI must never page or prompt; its own retries cover throttling.
export AWS_PAGER="" AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=3

now_ms() {
  local t=${EPOCHREALTIME//[!0-9]/}
  printf '%s' "$((10#$t / 1000))"
}
started_ms=$(now_ms)
elapsed() { printf '%s.%03ds' "$((($(now_ms) - started_ms) / 1000))" "$((($(now_ms) - started_ms) % 1000))"; }

delete_pid=""
# shellcheck disable=SC2317 # runs from the EXIT trap
finish() {
  local code=$?
  trap - EXIT
  if [[ -n $delete_pid ]]; then wait "$delete_pid" || true; fi
  log "done after $(elapsed) (status $code); flushing logs and powering off"
  "${journal_sync[@]}" >/dev/null 2>&1 || true
  "$sync_cmd" >/dev/null 2>&1 || true
  "${poweroff[@]}" || log "power-off command failed; scale-down will terminate this instance"
  exit "$code"
}
trap finish EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- configuration -------------------------------------------------------------------
PREFIX="" BOOT_TIMEOUT=""
if [[ -r $env_file ]]; then
  while IFS='=' read -r key value; do
    case $key in
    PREFIX) PREFIX=$value ;;
    BOOT_TIMEOUT) BOOT_TIMEOUT=$value ;;
    esac
  done <"$env_file"
fi
if [[ ! $PREFIX =~ ^[A-Za-z0-9_.-]+$ ]]; then
  log "PREFIX missing or invalid in $env_file"
  exit 2
fi
if [[ ! $BOOT_TIMEOUT =~ ^[0-9]+$ ]] || ((BOOT_TIMEOUT == 0)); then
  log "BOOT_TIMEOUT missing or invalid in $env_file"
  exit 2
fi
deadline_ms=$((started_ms + BOOT_TIMEOUT * 1000))
before_deadline() { (($(now_ms) < deadline_ms)); }

# --- 1. identity from IMDSv2 ---------------------------------------------------------
imds_get() {
  "$curl" -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/$1"
}
token="" instance_id="" region=""
until token=$("$curl" -fsS --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \
  "$imds/latest/api/token") &&
  instance_id=$(imds_get instance-id) && region=$(imds_get placement/region); do
  before_deadline || {
    log "no answer from IMDS within ${BOOT_TIMEOUT}s"
    exit 3
  }
  sleep "$retry_seconds"
done
parameter="/$PREFIX/jit/$instance_id"
log "instance $instance_id in $region, runner $PREFIX-$instance_id, parameter $parameter ($(elapsed))"

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
  # Until scale-up writes it, the parameter is missing; the runner role's tag condition
  # then answers AccessDenied rather than ParameterNotFound (there is no tag to match yet).
  if ! grep -qE 'ParameterNotFound|AccessDeniedException' "$errors"; then
    # Not a secret: the CLI's error names the operation and the parameter, never a value.
    log "get-parameter failed (attempt $attempts): $(tr '\n' ' ' <"$errors" | cut -c1-300)"
  fi
  if ! before_deadline; then
    rm -f "$errors"
    log "no JIT config at $parameter after ${BOOT_TIMEOUT}s ($attempts attempts); giving up"
    exit 4
  fi
  sleep "$retry_seconds"
done
rm -f "$errors"
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
  log "could not delete $parameter; scale-down removes it with the instance"
  return 1
}
delete_parameter &
delete_pid=$!

# --- 4. one job ----------------------------------------------------------------------
log "starting runner ($(elapsed))"
ACTIONS_RUNNER_INPUT_JITCONFIG=$jit "${run_as[@]}" "$runner_dir/run.sh" &
runner_pid=$!
unset jit
wait "$runner_pid"
runner_status=$?
log "runner exited with status $runner_status"

# --- 5. power off (the EXIT trap) ----------------------------------------------------
exit "$runner_status"
