#!/usr/bin/env bash
# Installs what building and testing ctxgroup needs, each piece only when it is missing or at the
# wrong version. Safe to run again and again: on a ready machine it takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen CLI at exactly the version in Cargo.lock (wasm-pack would otherwise try to
#    download its own, which fails without internet access).
want_wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" != "$want_wb" ]; then
  say "installing wasm-bindgen-cli $want_wb (found: ${have_wb:-none}); takes a few minutes"
  # No --locked: the CLI's own lockfile pins crates the registry mirror may lack.
  cargo install wasm-bindgen-cli --version "$want_wb"
fi

# 3. wasm-pack.
if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack; takes a few minutes"
  cargo install wasm-pack
fi

# 4. Chromium and its driver from Debian; librsvg's rsvg-convert, to test that a chart's SVG
#    reads the same outside a browser.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# 5. Node tools (package.json): binaryen's wasm-opt for the build, playwright-core to drive
#    Debian's Chromium in the page test (it downloads no browser).
want_tools=$(node -e 'const p=require("./package.json").devDependencies;console.log(Object.entries(p).map(([k,v])=>k+"@"+v).join(" "))')
have_tools=$(node -e 'const p=require("./package.json").devDependencies;console.log(Object.keys(p).map(k=>{try{return k+"@"+require("./node_modules/"+k+"/package.json").version}catch{return k+"@none"}}).join(" "))')
if [ "$want_tools" != "$have_tools" ]; then
  say "installing node tools: $want_tools"
  npm install --no-audit --no-fund --loglevel=error --no-save
fi

# 6. Go 1.23 and x/sync's errgroup from Debian: the test command proves the simulator against the
#    generated Go program of every example.
bash scripts/setup-go.sh

say "ready: wasm-bindgen $want_wb, $(wasm-pack --version), $(chromium --version 2>/dev/null | head -1), $want_tools, $(/usr/lib/go-1.23/bin/go version)"
