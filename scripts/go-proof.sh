#!/usr/bin/env bash
# The proof against real Go alone: builds every example scenario's generated Go program (GOPATH
# mode over Debian's x/sync, offline), runs it in trace mode and compares its trace with the
# simulator's. The test command runs the same test within `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup-go.sh
CTXGROUP_REQUIRE_GO=1 cargo test --quiet -p ctxgroup-playground --test go_proof -- --nocapture
