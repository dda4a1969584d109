#!/usr/bin/env bash
# CI: make a headless Chromium available for the browser tests (__tests__/report.browser.test.ts).
# Idempotent: does nothing when one is installed. When it cannot install one (no apt, no root/sudo, no
# network) it says so in one line and exits 0: the browser tests then skip with one line.
set -uo pipefail
for exe in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -n "$exe" ] && [ -x "$exe" ]; then
    echo "ci-chromium: using $exe"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci-chromium: no Chromium and no apt-get; the browser tests will skip"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "ci-chromium: no Chromium, and not root (no passwordless sudo); the browser tests will skip"
    exit 0
  fi
fi
# Debian's package is `chromium`; Ubuntu's `chromium-browser` is a snap shim that does not run in CI.
log="$(mktemp)"
if $SUDO apt-get update -qq >"$log" 2>&1 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >>"$log" 2>&1 && [ -x /usr/bin/chromium ]; then
  echo "ci-chromium: installed $(/usr/bin/chromium --version 2>/dev/null | head -1)"
else
  echo "ci-chromium: could not install chromium ($(tail -1 "$log")); the browser tests will skip"
fi
rm -f "$log"
exit 0
