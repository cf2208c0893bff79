#!/usr/bin/env bash
# The GitHub Actions runner at the version pinned in versions.json, verified against its
# SHA-256 before extraction, in /opt/actions-runner, owned by the non-root `runner` user
# (member of `docker`), with the .NET runtime's native dependencies.
#
# Auto-update: `--disableupdate` is a registration-time option of config.sh, and a JIT
# runner is registered by GitHub's generate-jitconfig, so there is no switch on the
# instance. The version is kept current by rebuilding this image weekly instead.
set -euo pipefail
: "${RUNNER_VERSION:?}" "${RUNNER_ARCH:?}" "${RUNNER_SHA256:?}"

# .NET 8 needs these; the runner's installdependencies.sh also asks for lttng-ust, which
# AL2023 does not carry, so the list is installed directly.
dnf install -y --setopt=install_weak_deps=False libicu krb5-libs openssl-libs zlib

id runner >/dev/null 2>&1 || useradd --system --create-home --home-dir /home/runner --shell /bin/bash runner
usermod -aG docker runner

tarball=/var/tmp/actions-runner-linux-$RUNNER_ARCH-$RUNNER_VERSION.tar.gz
curl -fsSL --retry 5 -o "$tarball" \
  "https://github.com/actions/runner/releases/download/v$RUNNER_VERSION/actions-runner-linux-$RUNNER_ARCH-$RUNNER_VERSION.tar.gz"
echo "$RUNNER_SHA256  $tarball" | sha256sum -c -

install -d -o runner -g runner -m 0750 /opt/actions-runner
tar -xzf "$tarball" -C /opt/actions-runner --no-same-owner
chown -R runner:runner /opt/actions-runner
rm -f "$tarball"

# Fails the build if the runtime cannot start (a missing native library shows up here,
# not on the first job).
reported=$(runuser -u runner -- /opt/actions-runner/bin/Runner.Listener --version)
if [[ $reported != "$RUNNER_VERSION" ]]; then
  echo "skiff: Runner.Listener reports '$reported', expected $RUNNER_VERSION" >&2
  exit 1
fi
echo "runner $reported installed for $RUNNER_ARCH"
