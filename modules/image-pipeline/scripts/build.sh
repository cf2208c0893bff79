#!/usr/bin/env bash
# skiff image pipeline, one run (CodeBuild, from the root of a skiff checkout): for each
# architecture, decide whether the AMI that /<prefix>/ami/<arch> names is current; if not,
# `packer build packer/runner/runner.pkr.hcl`, which publishes the new AMI to that
# parameter itself; then deregister this pipeline's older AMIs and delete their snapshots.
#
# An AMI is rebuilt when
#   - the parameter does not exist yet (first run) or names an image that is gone,
#   - its skiff:runner-version tag is not versions.json's .runner.version (a merged bump),
#   - it is SKIFF_REBUILD_AFTER_DAYS days old or older (OS updates), or
#   - SKIFF_FORCE=true.
# Pruning keeps the newest SKIFF_KEEP_IMAGES images tagged skiff:image-prefix=<prefix> and
# skiff:arch=<arch>, never the one the parameter names, and never one that the default or
# latest version of any launch template in the region names (pools that read the
# parameter at plan time keep booting their AMI until the next terraform apply). A failed build publishes
# nothing (the parameter keeps the last good AMI) and fails the run after the other
# architectures have had their turn.
#
# Environment (set by modules/image-pipeline): SKIFF_PREFIX, SKIFF_ARCHES ("x86_64 arm64"),
# SKIFF_PARAMETER_PREFIX (/<prefix>/ami), SKIFF_KEEP_IMAGES, SKIFF_REBUILD_AFTER_DAYS,
# SKIFF_SUBNET_ID, SKIFF_KMS_KEY_ID, SKIFF_PACKER_VERSION, SKIFF_FORCE, AWS_REGION.
# For tests: SKIFF_AWS (aws), SKIFF_PACKER (/usr/bin/packer), SKIFF_INSTALL_PACKER
# (install_packer), SKIFF_NOW (epoch seconds, default now).
set -euo pipefail

: "${SKIFF_PREFIX:?}" "${SKIFF_ARCHES:?}" "${SKIFF_PARAMETER_PREFIX:?}" "${AWS_REGION:?}"
keep=${SKIFF_KEEP_IMAGES:-3}
max_age_days=${SKIFF_REBUILD_AFTER_DAYS:-7}
aws=${SKIFF_AWS:-aws}
# HashiCorp's RPM installs /usr/bin/packer; AL2023's cracklib has a /usr/sbin/packer too.
packer=${SKIFF_PACKER:-/usr/bin/packer}
now=${SKIFF_NOW:-$(date -u +%s)}
export AWS_PAGER=""

# JMESPath queries (their backquotes are JMESPath literals, not shell).
# shellcheck disable=SC2016
image_query='Images[0].[Tags[?Key==`skiff:runner-version`]|[0].Value, CreationDate]'
# shellcheck disable=SC2016
pipeline_images_query='reverse(sort_by(Images, &CreationDate))[].[ImageId, CreationDate, join(`,`, BlockDeviceMappings[].Ebs.SnapshotId)]'

log() { printf 'skiff-image-pipeline: %s\n' "$*" >&2; }

want=$(jq -r '.runner.version' versions.json)
[[ $want =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
  log "versions.json has no runner version"
  exit 1
}

# The AMI id the parameter names; empty when the parameter does not exist. Any other
# error stops the run rather than being taken for "missing" and rebuilt on.
current_ami() {
  local out err
  err=$(mktemp)
  if out=$("$aws" ssm get-parameter --name "$1" --query Parameter.Value --output text 2>"$err"); then
    rm -f "$err"
    printf '%s' "$out"
    return 0
  fi
  if grep -q ParameterNotFound "$err"; then
    rm -f "$err"
    return 0
  fi
  log "get-parameter $1 failed: $(tr '\n' ' ' <"$err")"
  rm -f "$err"
  return 1
}

# Prints why the AMI that parameter $1 names must be rebuilt, or nothing when it is current.
reason_to_build() {
  local parameter=$1 ami version created age_days
  ami=$(current_ami "$parameter") || return 1
  if [[ -z $ami ]]; then
    echo "$parameter does not exist yet"
    return 0
  fi
  read -r version created < <("$aws" ec2 describe-images --image-ids "$ami" \
    --query "$image_query" --output text 2>/dev/null ||
    echo "None None")
  if [[ -z ${created:-} || $created == None ]]; then
    echo "$parameter names $ami, which no longer exists"
    return 0
  fi
  if [[ $version != "$want" ]]; then
    echo "$ami has runner $version, versions.json says $want"
    return 0
  fi
  age_days=$(((now - $(date -u -d "$created" +%s)) / 86400))
  if ((age_days >= max_age_days)); then
    echo "$ami is $age_days days old (rebuild after $max_age_days)"
  elif [[ ${SKIFF_FORCE:-false} == true ]]; then
    echo "SKIFF_FORCE=true"
  fi
}

packer_ready=false
install_packer() {
  if [[ -n ${SKIFF_INSTALL_PACKER:-} ]]; then
    ${SKIFF_INSTALL_PACKER}
  else
    # HashiCorp's signed RPM repository, at a pinned version.
    dnf install -y -q dnf-plugins-core
    dnf config-manager --add-repo https://rpm.releases.hashicorp.com/AmazonLinux/hashicorp.repo
    dnf install -y -q "packer-${SKIFF_PACKER_VERSION:?}"
  fi
  "$packer" init packer/runner/plugins
  packer_ready=true
}

build() {
  local arch=$1
  [[ $packer_ready == true ]] || install_packer
  "$packer" build -color=false \
    -var "region=$AWS_REGION" \
    -var "arch=$arch" \
    -var "ami_name_prefix=$SKIFF_PREFIX" \
    -var "ssm_parameter_name=$SKIFF_PARAMETER_PREFIX/$arch" \
    -var "subnet_id=${SKIFF_SUBNET_ID:-}" \
    -var "kms_key_id=${SKIFF_KMS_KEY_ID:-}" \
    packer/runner/runner.pkr.hcl
}

# Deregisters all but the newest $keep images of this pipeline and architecture (never the
# one the parameter names), then deletes their snapshots.
prune() {
  local arch=$1 current in_use image created snapshots index=0 snapshot
  current=$(current_ami "$SKIFF_PARAMETER_PREFIX/$arch") || return 1
  in_use=$("$aws" ec2 describe-launch-template-versions --versions \$Default \$Latest \
    --query 'LaunchTemplateVersions[].LaunchTemplateData.ImageId' --output text) || return 1
  while read -r image created snapshots; do
    [[ -n $image ]] || continue
    index=$((index + 1))
    if ((index <= keep)) || [[ $image == "$current" ]]; then
      continue
    fi
    if [[ " ${in_use//$'\t'/ } " == *" $image "* ]]; then
      log "$arch: keeping $image (created $created): a launch template still names it"
      continue
    fi
    log "$arch: deregistering $image (created $created), keeping the newest $keep"
    "$aws" ec2 deregister-image --image-id "$image" >/dev/null
    for snapshot in ${snapshots//,/ }; do
      [[ $snapshot == snap-* ]] || continue
      "$aws" ec2 delete-snapshot --snapshot-id "$snapshot" >/dev/null
    done
  done < <("$aws" ec2 describe-images --owners self \
    --filters "Name=tag:skiff:image-prefix,Values=$SKIFF_PREFIX" "Name=tag:skiff:arch,Values=$arch" \
    --query "$pipeline_images_query" \
    --output text)
}

failed=()
for arch in $SKIFF_ARCHES; do
  if ! reason=$(reason_to_build "$SKIFF_PARAMETER_PREFIX/$arch"); then
    failed+=("$arch")
    continue
  fi
  if [[ -z $reason ]]; then
    log "$arch: current (runner $want, younger than $max_age_days days); nothing to build"
  else
    log "$arch: building, because $reason"
    if ! build "$arch"; then
      log "$arch: packer build failed; $SKIFF_PARAMETER_PREFIX/$arch still names the last good AMI"
      failed+=("$arch")
      continue
    fi
  fi
  prune "$arch" || failed+=("$arch")
done

if ((${#failed[@]} > 0)); then
  log "failed for: ${failed[*]}"
  exit 1
fi
