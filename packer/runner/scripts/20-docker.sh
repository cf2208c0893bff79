#!/usr/bin/env bash
# Docker Engine and containerd from the AL2023 repositories, started at boot. The buildx
# and compose CLI plugins are installed when the repositories carry them; nothing is
# fetched from outside a signed repository here.
set -euo pipefail

dnf install -y docker containerd
for plugin in docker-buildx docker-compose-plugin; do
  if dnf -q list --available "$plugin" >/dev/null 2>&1; then
    dnf install -y "$plugin"
  else
    echo "skiff: $plugin is not in the enabled repositories; skipped"
  fi
done
systemctl enable containerd.service docker.service
docker --version
