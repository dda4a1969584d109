#!/usr/bin/env bash
# One-command GPU check: prints the GPU and driver, measures the zoo on every execution provider that loads
# (side by side with the CPU), an A/A self-comparison and a GENet-space profile at batch 64, and writes
# gpu-check.json and gpu-check.md into OUT_DIR. Needs no network. Under 8 minutes on a GPU machine.
#   scripts/gpu-check.sh OUT_DIR [--small] [more flags of scripts/gpu-check.js]
# --small (or GPU_CHECK_SMALL=1): CPU-only machine settings (webgpu over lavapipe; see scripts/ci-vulkan.sh).
# Inside a GPU bundle (scripts/gpu-bundle.sh) it uses the bundled node and, when the machine has none, the
# bundled Vulkan loader; an NVIDIA Vulkan driver manifest is picked up from the usual container paths.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: scripts/gpu-check.sh OUT_DIR [--small] [flags]" >&2; exit 2; }
out="$1"; shift
node="${NODE:-}"
[ -n "$node" ] || { [ -x "$here/node/bin/node" ] && node="$here/node/bin/node"; } || true
[ -n "$node" ] || node="$(command -v node || true)"
[ -n "$node" ] || { echo "gpu-check: no node found (set NODE=/path/to/node, or use the GPU bundle)" >&2; exit 3; }
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
# The Vulkan loader: the system's, else the bundle's copy (unpacked from Debian's libvulkan1).
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
if ! "$ldconfig" -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' && [ -e "$here/vulkan/libvulkan.so.1" ]; then
  export LD_LIBRARY_PATH="$here/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# The NVIDIA Vulkan driver manifest where containers put it, unless the caller chose drivers.
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -e "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
fi
echo "gpu-check: node $("$node" --version), output in $out"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,clocks.gr,clocks.max.gr,temperature.gpu --format=csv,noheader 2>/dev/null | sed 's/^/gpu-check: nvidia-smi: /' || true
exec "$node" "$here/scripts/gpu-check.js" --out "$out" "$@"
