#!/usr/bin/env bash
# Leave nothing of the build behind: package caches, temporary files, logs, the build
# user's SSH key and shell history. cloud-init runs again on every new instance anyway.
set -euo pipefail

dnf clean all
rm -rf /var/cache/dnf /tmp/skiff /var/tmp/*
cloud-init clean --logs
rm -f /home/ec2-user/.ssh/authorized_keys /root/.bash_history /home/ec2-user/.bash_history
journalctl --rotate
journalctl --vacuum-time=1s
