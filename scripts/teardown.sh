#!/usr/bin/env bash
# Removes what `terraform destroy` does not know about, for one skiff deployment:
#   - runner instances EC2 launched for skiff (tag skiff:prefix=<prefix>), still running
#   - JIT config parameters left under /<prefix>/jit/ (normally each runner deletes its own)
#   - with --amis: the runner AMIs packer/runner built (tag skiff:runner-version, owner self)
#     and their EBS snapshots
# It prints what it finds and asks before deleting, unless --yes.
#   bash scripts/teardown.sh ci            # instances and JIT parameters of prefix "ci"
#   bash scripts/teardown.sh ci --amis     # and the runner AMIs of this account and region
# Run it before `terraform destroy` (live instances hold the security group and launch template)
# and again after, with the same AWS credentials and region as Terraform.
set -euo pipefail

usage() { echo "usage: $0 <prefix> [--amis] [--yes]" >&2; exit 2; }
[ $# -ge 1 ] || usage
prefix=$1
shift
amis=false
yes=false
for arg in "$@"; do
  case $arg in
    --amis) amis=true ;;
    --yes) yes=true ;;
    *) usage ;;
  esac
done
[[ $prefix =~ ^[a-z][a-z0-9-]{0,19}$ ]] || { echo "teardown: prefix must match ^[a-z][a-z0-9-]{0,19}$" >&2; exit 2; }

confirm() {
  $yes && return 0
  read -r -p "$1 [y/N] " answer
  [[ $answer == y || $answer == Y ]]
}

instances=$(aws ec2 describe-instances \
  --filters "Name=tag:skiff:prefix,Values=$prefix" "Name=instance-state-name,Values=pending,running,stopping,stopped" \
  --query 'Reservations[].Instances[].InstanceId' --output text)
if [ -n "$instances" ]; then
  echo "runner instances of $prefix: $instances"
  if confirm "terminate them?"; then
    # shellcheck disable=SC2086 # one argument per id
    aws ec2 terminate-instances --instance-ids $instances --output text >/dev/null
    # shellcheck disable=SC2086
    aws ec2 wait instance-terminated --instance-ids $instances
    echo "terminated"
  fi
else
  echo "no runner instances of $prefix"
fi

parameters=$(aws ssm get-parameters-by-path --path "/$prefix/jit/" --query 'Parameters[].Name' --output text)
if [ -n "$parameters" ]; then
  echo "JIT config parameters: $parameters"
  if confirm "delete them?"; then
    # DeleteParameters takes at most 10 names per call.
    # shellcheck disable=SC2086
    printf '%s\n' $parameters | xargs -n 10 aws ssm delete-parameters --output text --names >/dev/null
    echo "deleted"
  fi
else
  echo "no JIT config parameters under /$prefix/jit/"
fi

$amis || exit 0
images=$(aws ec2 describe-images --owners self --filters "Name=tag-key,Values=skiff:runner-version" \
  --query 'Images[].[ImageId,Name]' --output text)
if [ -z "$images" ]; then
  echo "no skiff runner AMIs"
  exit 0
fi
echo "skiff runner AMIs:"
echo "$images"
confirm "deregister them and delete their snapshots?" || exit 0
while read -r image _; do
  snapshots=$(aws ec2 describe-images --image-ids "$image" \
    --query 'Images[].BlockDeviceMappings[].Ebs.SnapshotId' --output text)
  aws ec2 deregister-image --image-id "$image"
  for snapshot in $snapshots; do
    aws ec2 delete-snapshot --snapshot-id "$snapshot"
  done
  echo "deregistered $image${snapshots:+ (snapshots $snapshots)}"
done <<<"$images"
