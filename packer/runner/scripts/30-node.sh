#!/usr/bin/env bash
# Node.js $NODE_MAJOR (versions.json .node.major) from the AL2023 namespaced packages,
# made the default `node`. The build fails if `node` is not that major afterwards.
set -euo pipefail
: "${NODE_MAJOR:?NODE_MAJOR (versions.json .node.major) is required}"

dnf install -y "nodejs$NODE_MAJOR" "nodejs$NODE_MAJOR-npm"
if [[ -x /usr/bin/node-$NODE_MAJOR ]]; then
  alternatives --set node "/usr/bin/node-$NODE_MAJOR"
fi
version=$(node --version)
if [[ $version != "v$NODE_MAJOR."* ]]; then
  echo "skiff: node is $version, expected v$NODE_MAJOR.x" >&2
  exit 1
fi
echo "node $version, npm $(npm --version)"
