#!/usr/bin/env bash
# CI: real PyTorch exports for the ONNX-input tests (__tests__/onnx.torchvision.test.ts). Installs Debian's
# python3-torch, python3-torchvision and python3-onnx when missing (root and apt needed), then exports a few
# torchvision models with random weights (nothing is downloaded) into .cache/torchvision-onnx with the
# framework's own counts (scripts/export-torchvision.py). Idempotent and quick when the exports exist.
# Never fails CI: when it cannot, it prints one line and exits 0, and those tests skip with one line.
set -u
say() { echo "ci-torch: $*"; }
out="${FRONTIER_GATE_TORCH_EXPORTS:-.cache/torchvision-onnx}"
cd "$(dirname "$0")/.."
py=/usr/bin/python3
have() { [ -x "$py" ] && "$py" -c 'import torch, torchvision, onnx' >/dev/null 2>&1; }
if [ -f "$out/manifest.json" ] && [ "$out/manifest.json" -nt scripts/export-torchvision.py ]; then
  say "exports already in $out"
  exit 0
fi
if ! have; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "no torch/torchvision/onnx for $py and cannot apt-get install them (not root or no apt); the torchvision tests will skip"
    exit 0
  fi
  log=$(mktemp)
  if ! { apt-get -o DPkg::Lock::Timeout=300 update >"$log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends python3-torch python3-torchvision python3-onnx >>"$log" 2>&1 && have; }; then
    say "could not install python3-torch python3-torchvision python3-onnx ($(tail -n1 "$log")); the torchvision tests will skip"
    rm -f "$log"
    exit 0
  fi
  rm -f "$log"
fi
if line=$("$py" scripts/export-torchvision.py "$out" 2>&1 | tail -n1) && [ -f "$out/manifest.json" ]; then
  say "$line"
else
  say "the export failed ($line); the torchvision tests will skip"
fi
exit 0
