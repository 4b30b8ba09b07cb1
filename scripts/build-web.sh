#!/usr/bin/env bash
# Builds the page: the wasm package (wasm-pack --target web) into www/pkg, optimised for size by
# binaryen's wasm-opt, and the examples menu (www/examples.json) from examples/scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack build --release --target web --out-dir www/pkg --no-typescript --no-pack ${WASM_PACK_FLAGS:-}
# The features Rust's wasm32 target enables by default; wasm-opt must keep them.
node node_modules/binaryen/bin/wasm-opt -Oz \
  --enable-reference-types --enable-bulk-memory --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue \
  www/pkg/ctxgroup_bg.wasm -o www/pkg/ctxgroup_bg.wasm
python3 scripts/examples.py
bash scripts/size.sh --check
