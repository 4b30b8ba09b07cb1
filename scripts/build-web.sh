#!/usr/bin/env bash
# Builds the wasm package for the page (wasm-pack --target web) into www/pkg.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack build --release --target web --out-dir www/pkg --no-typescript --no-pack ${WASM_PACK_FLAGS:-}
