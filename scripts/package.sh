#!/usr/bin/env bash
# Build the committed action bundle: ncc (npm run package), then make it self-contained for linux-x64.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npm run package:ncc --silent
node scripts/postpackage.js
