#!/usr/bin/env bash
# The browser benchmark (not part of the tests): builds the page, runs www/bench.html in headless
# Chromium, prints Markdown tables for BENCHMARKS.md. `--live N`: only the live run, N times.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
bash scripts/build-web.sh >/dev/null
node scripts/bench-browser.mjs "$@"
