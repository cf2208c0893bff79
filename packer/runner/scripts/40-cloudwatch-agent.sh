#!/usr/bin/env bash
# Optional: the CloudWatch agent, installed but not configured or enabled (its
# configuration, and whether to ship logs at all, is the operator's choice).
set -euo pipefail

if [[ ${INSTALL_CLOUDWATCH_AGENT:-false} != true ]]; then
  echo "skiff: CloudWatch agent not requested"
  exit 0
fi
dnf install -y amazon-cloudwatch-agent
