#!/usr/bin/env bash
# Stub AWS CLI for the bootstrap tests. State lives in files under $SKIFF_STUB_STATE:
#   parameter-value   the SecureString's value (absent: ParameterNotFound on every call)
#   appear-after      how many get-parameter calls fail with ParameterNotFound first
#   missing-error     the error code for a missing parameter (default ParameterNotFound)
#   put-metric-fails  put-metric-data answers AccessDenied
#   aws-calls.log     every call's arguments, one line each (appended)
#   metric-data.log   the --metric-data JSON of every put-metric-data call, one line each
set -euo pipefail
state=${SKIFF_STUB_STATE:?}
printf '%s\n' "$*" >>"$state/aws-calls.log"
case "$1 $2" in
"ssm get-parameter")
  count=$(($(cat "$state/get-count" 2>/dev/null || echo 0) + 1))
  echo "$count" >"$state/get-count"
  appear_after=$(cat "$state/appear-after" 2>/dev/null || echo 0)
  if [[ -f $state/parameter-value ]] && ((count > appear_after)); then
    cat "$state/parameter-value"
    echo
    exit 0
  fi
  code=$(cat "$state/missing-error" 2>/dev/null || echo ParameterNotFound)
  echo "An error occurred ($code) when calling the GetParameter operation: " >&2
  exit 254
  ;;
"cloudwatch put-metric-data")
  if [[ -f $state/put-metric-fails ]]; then
    echo "An error occurred (AccessDenied) when calling the PutMetricData operation: not authorized to perform: cloudwatch:PutMetricData" >&2
    exit 254
  fi
  while (($#)); do
    if [[ $1 == --metric-data ]]; then printf '%s\n' "$2" >>"$state/metric-data.log"; fi
    shift
  done
  ;;
"ssm delete-parameter")
  rm -f "$state/parameter-value"
  ;;
*)
  echo "aws stub: unexpected call: $*" >&2
  exit 2
  ;;
esac
