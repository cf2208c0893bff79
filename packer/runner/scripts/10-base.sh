#!/usr/bin/env bash
# Base packages: security updates first, then the tools jobs expect on the PATH.
# AL2023 ships the AWS CLI v2 (awscli-2) and curl-minimal; both are kept.
set -euo pipefail

dnf upgrade -y --refresh
dnf install -y --setopt=install_weak_deps=False \
  git jq tar gzip unzip zip which findutils procps-ng shadow-utils util-linux \
  awscli-2 ca-certificates
git --version
jq --version
aws --version
