#!/usr/bin/env bash
# Stub AWS CLI for modules/image-pipeline/scripts/build.sh. State under $SKIFF_STUB_STATE:
#   parameters/<name with / as _>   an SSM parameter's value (absent: ParameterNotFound)
#   images                          one line per AMI: <id> <creation date> <runner version> <arch> <snap,snap>
#   launch-template-images          image ids the launch templates' default/latest versions name
#   calls.log                       every call's arguments (appended)
# It answers the queries build.sh makes by the shape of the call, not by evaluating JMESPath.
set -euo pipefail
state=${SKIFF_STUB_STATE:?}
printf '%s\n' "$*" >>"$state/calls.log"
arg() { # value after option $1
  local want=$1
  shift
  while (($#)); do
    if [[ $1 == "$want" ]]; then
      printf '%s' "$2"
      return
    fi
    shift
  done
}
touch "$state/images"
case "$1 $2" in
"ssm get-parameter")
  file=$state/parameters/$(arg --name "$@" | tr / _)
  if [[ -f $file ]]; then
    cat "$file"
    echo
  else
    echo "An error occurred (ParameterNotFound) when calling the GetParameter operation: " >&2
    exit 254
  fi
  ;;
"ec2 describe-images")
  if [[ -n $(arg --image-ids "$@") ]]; then
    line=$(awk -v id="$(arg --image-ids "$@")" '$1 == id' "$state/images")
    if [[ -z $line ]]; then
      echo "An error occurred (InvalidAMIID.NotFound) when calling the DescribeImages operation" >&2
      exit 254
    fi
    awk '{ print $3 "\t" $2 }' <<<"$line"
  else
    arch=$(printf '%s\n' "$@" | sed -n 's/^Name=tag:skiff:arch,Values=//p')
    awk -v arch="$arch" '$4 == arch { print $2 "\t" $1 "\t" $5 }' "$state/images" | sort -r |
      awk -F'\t' '{ print $2 "\t" $1 "\t" $3 }'
  fi
  ;;
"ec2 describe-launch-template-versions")
  tr '\n' '\t' <"$state/launch-template-images" 2>/dev/null || true
  echo
  ;;
"ec2 deregister-image")
  id=$(arg --image-id "$@")
  awk -v id="$id" '$1 != id' "$state/images" >"$state/images.new"
  mv "$state/images.new" "$state/images"
  ;;
"ec2 delete-snapshot") ;;
*)
  echo "aws stub: unexpected call: $*" >&2
  exit 2
  ;;
esac
