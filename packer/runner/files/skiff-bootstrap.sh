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
# Boot signals: the runner's output passes through here; until its job starts, whether it
# updated itself and when it came online are read from it and published to CloudWatch
# (namespace skiff/runner; needs cloudwatch:PutMetricData). See packer/README.md.
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
#   SKIFF_UPTIME_FILE     /proc/uptime
#   SKIFF_IMAGE_ENV_FILE  /etc/skiff/image.env     (written into a baked AMI by packer/)
#   SKIFF_HOOKS_DIR       /etc/skiff/hooks         (job-started.sh, job-completed.sh)
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
uptime_file=${SKIFF_UPTIME_FILE:-/proc/uptime}
image_env_file=${SKIFF_IMAGE_ENV_FILE:-/etc/skiff/image.env}
hooks_dir=${SKIFF_HOOKS_DIR:-/etc/skiff/hooks}
metric_namespace=skiff/runner

# The AWS CLI must never page or prompt; its own retries cover throttling.
export AWS_PAGER="" AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=3

now_ms() {
  local t=${EPOCHREALTIME//[!0-9]/}
  printf '%s' "$((10#$t / 1000))"
}
started_ms=$(now_ms)
elapsed() { printf '%s.%03ds' "$((($(now_ms) - started_ms) / 1000))" "$((($(now_ms) - started_ms) % 1000))"; }

delete_pid="" run_dir=""
# shellcheck disable=SC2317 # runs from the EXIT trap
finish() {
  local code=$?
  trap - EXIT
  if [[ -n $delete_pid ]]; then wait "$delete_pid" || true; fi
  if [[ -n $run_dir ]]; then rm -rf "$run_dir"; fi
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
uptime_seconds() {
  local up _
  read -r up _ <"$uptime_file" 2>/dev/null || up=""
  printf '%s' "$up"
}

# The pool, from the instance profile <prefix>-<pool>-runner.
pool_name() {
  local token info="" name
  if token=$("$curl" -fsS --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
    "$imds/latest/api/token" 2>/dev/null); then
    info=$("$curl" -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $token" \
      "$imds/latest/meta-data/iam/info" 2>/dev/null) || info=""
  fi
  if [[ ! $info =~ instance-profile/([A-Za-z0-9_+=,.@/-]+)\" ]]; then
    printf unknown
    return
  fi
  name=${BASH_REMATCH[1]##*/}
  name=${name#"$PREFIX"-}
  name=${name%-runner}
  [[ $name =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || name=unknown
  printf '%s' "$name"
}

# Days since the image's runner release was published (empty: unknown).
release_age_days() {
  local key value published=""
  if [[ -r $image_env_file ]]; then
    while IFS='=' read -r key value; do
      [[ $key == RUNNER_PUBLISHED ]] && published=$value
    done <"$image_env_file"
  fi
  [[ -n $published ]] || return 0
  published=$(date -u -d "$published" +%s 2>/dev/null) || return 0
  printf '%s' "$((($(date -u +%s) - published) / 86400))"
}

# datum <metric> <value> <unit> <Name=Value>...
datum() {
  local name=$1 value=$2 unit=$3 dims="" d
  shift 3
  for d in "$@"; do dims+="${dims:+,}{\"Name\":\"${d%%=*}\",\"Value\":\"${d#*=}\"}"; done
  printf '{"MetricName":"%s","Dimensions":[%s],"Value":%s,"Unit":"%s"}' "$name" "$dims" "$value" "$unit"
}

# report <self-updated 0|1> <online s or ""> <job s or "">
report() {
  local updated=$1 online=$2 job=$3 pool service=$PREFIX-runner age data out
  pool=$(pool_name)
  age=$(release_age_days)
  data="[$(datum Boots 1 Count "service=$service"),$(datum Boots 1 Count "service=$service" "Pool=$pool")"
  data+=",$(datum SelfUpdated "$updated" Count "service=$service"),$(datum SelfUpdated "$updated" Count "service=$service" "Pool=$pool")"
  if [[ -n $online ]]; then
    data+=",$(datum BootToOnlineSeconds "$online" Seconds "service=$service" "Pool=$pool")"
    data+=",$(datum BootToOnlineSeconds "$online" Seconds "service=$service" "SelfUpdated=$([[ $updated == 1 ]] && echo yes || echo no)")"
  fi
  if [[ -n $job ]]; then data+=",$(datum BootToJobSeconds "$job" Seconds "service=$service" "Pool=$pool")"; fi
  if [[ -n $age ]]; then
    data+=",$(datum RunnerReleaseAgeDays "$age" None "service=$service"),$(datum RunnerReleaseAgeDays "$age" None "service=$service" "Pool=$pool")"
  fi
  data+="]"
  log "boot signals: pool $pool, self-updated $([[ $updated == 1 ]] && echo yes || echo no), online ${online:-never} s and job ${job:-none} s after boot, runner release ${age:-?} days old"
  if ! out=$("$aws" cloudwatch put-metric-data --region "$region" --namespace "$metric_namespace" \
    --metric-data "$data" --cli-connect-timeout 3 --cli-read-timeout 5 2>&1); then
    log "could not publish boot signals (the role needs cloudwatch:PutMetricData on namespace $metric_namespace): $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
  fi
}

# Passes the runner's output on; reads signals only until the job starts (a job cannot fake them).
watch_runner() {
  unset jit
  local line updated=0 online="" job=""
  while IFS= read -r line || [[ -n $line ]]; do
    printf '%s\n' "$line"
    [[ -z $job ]] || continue
    case $line in
    *"Runner update in progress"* | *"exit because of updating"*) updated=1 ;;
    *"Listening for Jobs"*) online=$(uptime_seconds) ;;
    *"Running job:"*)
      job=$(uptime_seconds)
      report "$updated" "$online" "$job" &
      ;;
    esac
  done
  if [[ -z $job ]]; then report "$updated" "$online" ""; fi
  wait
}

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/skiff-run.XXXXXX")
mkfifo "$run_dir/output"
watch_runner <"$run_dir/output" &
watch_pid=$!

# The pool's job hooks, which the runner runs around the job.
hooks=()
for h in started completed; do
  if [[ -f $hooks_dir/job-$h.sh ]]; then hooks+=("ACTIONS_RUNNER_HOOK_JOB_${h^^}=$hooks_dir/job-$h.sh"); fi
done
if ((${#hooks[@]})); then log "job hooks: ${hooks[*]}"; fi

log "starting runner ($(elapsed))"
ACTIONS_RUNNER_INPUT_JITCONFIG=$jit env "${hooks[@]}" "${run_as[@]}" "$runner_dir/run.sh" >"$run_dir/output" 2>&1 &
runner_pid=$!
unset jit
wait "$runner_pid"
runner_status=$?
log "runner exited with status $runner_status"

# Something the job left running could hold the output open: 20 s for the watcher, no more.
for _ in $(seq 1 200); do
  kill -0 "$watch_pid" 2>/dev/null || break
  sleep 0.1
done
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true

# --- 5. power off (the EXIT trap) ----------------------------------------------------
exit "$runner_status"
