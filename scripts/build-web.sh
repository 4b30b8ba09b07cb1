#!/usr/bin/env bash
# Builds the page: the playground crate for wasm32 with the size-tuned `wasm` profile, its JS glue
# (wasm-bindgen --target web) into www/pkg, optimised for size by binaryen's wasm-opt, and the
# examples menu (www/examples.json) from playground/examples/scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --quiet --profile wasm --target wasm32-unknown-unknown -p ctxgroup-playground --lib
wasm-bindgen --target web --no-typescript --out-dir www/pkg --out-name ctxgroup \
  target/wasm32-unknown-unknown/wasm/ctxgroup_playground.wasm
# The features Rust's wasm32 target enables by default; wasm-opt must keep them.
node node_modules/binaryen/bin/wasm-opt -Oz \
  --enable-reference-types --enable-bulk-memory --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue \
  www/pkg/ctxgroup_bg.wasm -o www/pkg/ctxgroup_bg.wasm
python3 scripts/examples.py
bash scripts/size.sh --check
