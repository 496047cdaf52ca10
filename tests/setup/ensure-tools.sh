#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, only when it is missing:
# - Debian's Chromium (browser tests drive /usr/bin/chromium with playwright-core; no browser download)
# - Debian's Rust toolchain with the wasm32 std (the suite rebuilds the WASM hasher and checks the
#   committed binary is not stale)
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/wasm32-unknown-unknown ] || [ ! -x /usr/bin/cargo ]; then
  need+=(rustc libstd-rust-dev-wasm32 lld cargo)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "ensure-tools: installing ${need[*]} from Debian" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "ensure-tools: done" >&2
