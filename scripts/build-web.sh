#!/usr/bin/env bash
# Builds the page: the playground crate for wasm32 with the size-tuned `wasm` profile, twice —
# the page's wasm (feature `page`: runs, charts, traces) as www/pkg/ctxgroup.js + ctxgroup_bg.wasm,
# and the code views' wasm (feature `code`: the Go and Rust programs of a scenario), which the
# element loads only when a code view is first opened, as www/pkg/ctxgroup_code.js +
# ctxgroup_code_bg.wasm — each with its JS glue (wasm-bindgen --target web), optimised for size by
# binaryen's wasm-opt; then the examples menu (www/examples.json) from playground/examples/scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/wasm-flags.sh

build() { # build FEATURE OUT_NAME
  cargo build --quiet "${WASM_CARGO_ARGS[@]}" --profile wasm --target wasm32-unknown-unknown \
    -p ctxgroup-playground --lib --no-default-features --features "$1"
  wasm-bindgen --target web --no-typescript --out-dir www/pkg --out-name "$2" \
    target/wasm32-unknown-unknown/wasm/ctxgroup_playground.wasm
  # The features Rust's wasm32 target enables by default; wasm-opt must keep them.
  node node_modules/binaryen/bin/wasm-opt -Oz \
    --enable-reference-types --enable-bulk-memory --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue \
    "www/pkg/$2_bg.wasm" -o "www/pkg/$2_bg.wasm"
}
build page ctxgroup
build code ctxgroup_code
python3 scripts/examples.py
bash scripts/size.sh --check
