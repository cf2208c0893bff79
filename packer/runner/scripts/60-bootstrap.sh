#!/usr/bin/env bash
# The bootstrap and its unit (uploaded to /tmp/skiff by the file provisioner), plus the
# image marker that user data uses to tell a baked AMI from a stock one.
set -euo pipefail
: "${RUNNER_VERSION:?}" "${NODE_MAJOR:?}"

install -D -m 0755 /tmp/skiff/skiff-bootstrap.sh /usr/local/libexec/skiff/bootstrap
install -D -m 0644 /tmp/skiff/skiff-runner.service /etc/systemd/system/skiff-runner.service
systemctl daemon-reload

install -d -m 0755 /etc/skiff
cat >/etc/skiff/image.env <<MARKER
RUNNER_VERSION=$RUNNER_VERSION
RUNNER_PUBLISHED=${RUNNER_PUBLISHED:-}
NODE_MAJOR=$NODE_MAJOR
BUILT_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
MARKER
chmod 0644 /etc/skiff/image.env
