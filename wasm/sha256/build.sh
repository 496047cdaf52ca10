#!/usr/bin/env bash
# Builds the Rust SHA-256 crate to wasm32 and assembles the local npm package in pkg/:
#   sha256.wasm                       the module (committed, so `npm ci` needs no Rust)
#   index.js, index.d.ts, package.json copied from js/ (hand-written: wasm-bindgen is not installable)
#
# Usage: bash wasm/sha256/build.sh               (or: npm run wasm:build)
#        bash wasm/sha256/build.sh --wasm-to F   only build and copy the .wasm to F (the staleness test uses
#                                                this with CARGO_TARGET_DIR=$(mktemp -d), so there is one
#                                                build recipe for the committed binary and its check)
#
# The compiler flags live in Cargo.toml ([profile.release]) and .cargo/config.toml (target, +simd128) only.
set -euo pipefail
crate="$(cd "$(dirname "$0")" && pwd)"

wasm_to=""
if [ "${1:-}" = "--wasm-to" ]; then
  wasm_to="${2:?--wasm-to needs a file path}"
fi

# Debian's rustc 1.63 ships the wasm32 std; the rustup shim that is first on PATH does not.
rustc=/usr/bin/rustc
cargo=/usr/bin/cargo
if [ ! -x "$rustc" ] || [ ! -x "$cargo" ] || [ ! -d /usr/lib/rustlib/wasm32-unknown-unknown ]; then
  echo "build.sh: needs Debian's Rust with the wasm32 std (/usr/bin/rustc, /usr/bin/cargo," >&2
  echo "          /usr/lib/rustlib/wasm32-unknown-unknown). Run: bash tests/setup/ensure-tools.sh" >&2
  exit 2
fi

# Flags from the environment would silently change the binary (and override .cargo/config.toml).
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_BUILD_TARGET CARGO_PROFILE_RELEASE_OPT_LEVEL

target_dir="${CARGO_TARGET_DIR:-$crate/target}"
(cd "$crate" && RUSTC="$rustc" CARGO_TARGET_DIR="$target_dir" "$cargo" build --quiet --release --offline --locked \
  --target wasm32-unknown-unknown)
built="$target_dir/wasm32-unknown-unknown/release/sha256.wasm"

if [ -n "$wasm_to" ]; then
  install -m 0644 "$built" "$wasm_to"
  exit 0
fi

mkdir -p "$crate/pkg"
install -m 0644 "$built" "$crate/pkg/sha256.wasm"
cp "$crate/js/index.js" "$crate/js/index.d.ts" "$crate/js/package.json" "$crate/pkg/"
echo "build.sh: wrote $crate/pkg ($(wc -c <"$crate/pkg/sha256.wasm") bytes of wasm)"
