#!/usr/bin/env bash
# Fails when the committed dist/ is stale against src/ (like check-dist in actions/typescript-action):
# bundles the current sources into a scratch folder exactly as scripts/package.sh does, then compares.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
npm run package:ncc --silent -- -o "$OUT" >/dev/null
node scripts/postpackage.js "$OUT" >/dev/null
if [ ! -d dist ] || ! diff -r -q "$OUT" dist; then
  echo "check-dist: dist/ is stale against src/; run scripts/package.sh and commit dist/" >&2
  exit 1
fi
echo "check-dist: dist/ is up to date"
