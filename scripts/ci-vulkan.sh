#!/usr/bin/env bash
# Installs Mesa's lavapipe (a Vulkan driver on the CPU) from bookworm-backports, so the webgpu execution
# provider runs without a GPU (vulkan-tools adds vulkaninfo, which names the adapter in fingerprints) (Mesa 25 is needed: Debian 12's own 22.3 gives Dawn "No supported adapters").
# Idempotent and quick when already installed. Never fails CI: when it cannot install (not root, not Debian,
# no network) it prints one line and exits 0, and the webgpu tests skip with a one-line reason.
set -u
say() { echo "ci-vulkan: $*"; }

lavapipe_ok() {
  local v
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null) || return 1
  for p in libvulkan1 vulkan-tools; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
  # Mesa 25 or later (versions look like 25.0.7-2~bpo12+1).
  [ "${v%%.*}" -ge 25 ] 2>/dev/null
}

if lavapipe_ok; then
  say "lavapipe $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then say "not root: cannot install lavapipe; webgpu tests will skip"; exit 0; fi
if ! command -v apt-get >/dev/null || ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
  say "not Debian 12 (bookworm): install Mesa >= 25 mesa-vulkan-drivers and libvulkan1 yourself; webgpu tests will skip"
  exit 0
fi

# The backports suite on the mirror this machine already uses.
list=/etc/apt/sources.list.d/frontier-gate-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | grep -v security | head -n1 | awk '{print $2}')
  [ -n "$mirror" ] || mirror=$(grep -hs '^deb ' /etc/apt/sources.list | grep -v security | head -n1 | awk '{print $2}')
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" >"$list"
fi
log=$(mktemp)
if apt-get -o DPkg::Lock::Timeout=300 update >"$log" 2>&1 &&
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 vulkan-tools >>"$log" 2>&1 &&
  lavapipe_ok; then
  say "installed lavapipe $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
else
  say "could not install lavapipe from bookworm-backports ($(tail -n1 "$log")); webgpu tests will skip"
fi
rm -f "$log"
exit 0
