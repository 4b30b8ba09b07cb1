#!/usr/bin/env bash
# Every test: native (unit, integration, doc), in headless Chromium (wasm-bindgen-test), and the
# page test (the built playground driven in headless Chromium). Non-zero exit on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh

echo "== lints: rustfmt, clippy, rustdoc"
cargo fmt --check
cargo clippy --quiet --workspace --all-targets --features ctxgroup/anyhow -- -D warnings
cargo clippy --quiet --workspace --lib --target wasm32-unknown-unknown -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --workspace --no-deps

echo "== native: cargo test (with the proof against real Go: tests/go_proof.rs, Go required)"
CTXGROUP_REQUIRE_GO=1 CTXGROUP_REQUIRE_RSVG=1 cargo test --workspace --all-targets --features ctxgroup/anyhow --quiet
cargo test --workspace --doc --features ctxgroup/anyhow --quiet
# What the default features give (the anyhow feature off): the library's own tests.
cargo test -p ctxgroup --lib --tests --quiet

echo "== loom: every interleaving of the cancellation tree and of a group's own task scheduler (tests/loom_*.rs)"
RUSTFLAGS="--cfg ctxgroup_loom" CARGO_TARGET_DIR=target/loom cargo test --release --quiet -p ctxgroup --test loom_tree --test loom_group

echo "== browser: wasm-pack test --headless --chrome"
wasm-pack test --headless --chrome . --test web --test web_worker
wasm-pack test --headless --chrome playground --test web

echo "== page: build www/ and drive it in headless Chromium"
bash scripts/build-web.sh
node --test --test-concurrency=1 tests/page/

echo "== documentation sites: the npm package in VitePress, the preprocessor in mdBook (scripts/docsites.sh)"
bash scripts/docsites.sh
