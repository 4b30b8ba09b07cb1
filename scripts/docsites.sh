#!/usr/bin/env bash
# Proof that documentation authors can install the playground as they install such things:
#   1. mdBook: `mdbook-ctxgroup install` into tests/docsites/mdbook, `mdbook build`, and a book
#      whose expect line fails must fail to build, naming the file and the line;
#   2. VitePress: the packed npm tarball (scripts/pack.sh) installed into tests/docsites/vitepress,
#      `vitepress build` (it renders every page on the server: importing the element there must
#      not fail);
#   3. both sites, and the unpacked tarball with one module script, served and opened in headless
#      Chromium (tests/docsites/docsites.test.mjs).
# Installs what is missing: mdbook (cargo install, slow: skipped when present), VitePress (npm,
# into a temporary directory). Needs the built page (scripts/build-web.sh).
#   DOCSITE_SHOTS=dir   also saves screenshots there;   KEEP=1   keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf 'docsites: %s\n' "$*"; }
mdbook_version=0.5.4
vitepress_version=1.6.4
typescript_version=5.9.3

# mdBook 0.5 (the browser test drives its theme menu, whose ids changed in 0.5).
if ! mdbook --version 2>/dev/null | grep -q '^mdbook v0\.5\.'; then
  say "installing mdbook $mdbook_version (cargo install --locked); takes several minutes"
  cargo install mdbook --version "$mdbook_version" --locked
fi
say "$(mdbook --version)"

work=$(mktemp -d "${TMPDIR:-/tmp}/ctxgroup-docsites.XXXXXX")
[ -n "${KEEP:-}" ] && say "keeping $work" || trap 'rm -rf "$work"' EXIT

# The preprocessor, built after the page so that it carries the element's files.
cargo build --quiet -p mdbook-ctxgroup
export PATH="$PWD/target/debug:$PATH"
tarball="$PWD/$(bash scripts/pack.sh | tail -n 1)"

say "mdBook: install and build"
cp -R tests/docsites/mdbook "$work/book"
mdbook-ctxgroup install "$work/book" >/dev/null
grep -q '^\[preprocessor.ctxgroup\]' "$work/book/book.toml"
mdbook build "$work/book" 2>"$work/mdbook.log" || { cat "$work/mdbook.log"; exit 1; }
grep -q '<svg xmlns="http://www.w3.org/2000/svg" class="cg-gantt"' "$work/book/book/chapter_1.html"
grep -q '<svg xmlns="http://www.w3.org/2000/svg" class="cg-gantt"' "$work/book/book/print.html"

say "mdBook: a failed expect fails the build with file and line"
cp -R tests/docsites/mdbook-broken "$work/broken"
mdbook-ctxgroup install "$work/broken" >/dev/null
if mdbook build "$work/broken" 2>"$work/broken.log"; then
  say "FAIL: the book with a failed expect built"; exit 1
fi
grep -q 'src/broken.md:6: expect failed: expected t2 cancelled at 7s, got ' "$work/broken.log" \
  || { say "FAIL: the error does not name src/broken.md:6"; cat "$work/broken.log"; exit 1; }

say "VitePress $vitepress_version: install the packed package and build"
cp -R tests/docsites/vitepress "$work/vp"
(cd "$work/vp" && npm install --no-audit --no-fund --loglevel=error --prefer-offline \
  "vitepress@$vitepress_version" "typescript@$typescript_version" "$tarball" >/dev/null)
(cd "$work/vp" && npx vitepress build docs >"$work/vitepress.log" 2>&1) || { cat "$work/vitepress.log"; exit 1; }

say "the package's types, as a TypeScript user meets them"
(cd "$work/vp" && ./node_modules/.bin/tsc --noEmit --strict --target es2022 --module esnext \
  --moduleResolution bundler --lib es2022,dom types.ts)

say "VitePress's dev server, as authors run it while writing"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work/vp" && exec ./node_modules/.bin/vitepress dev docs --host 127.0.0.1 --port "$port" --strictPort >"$work/vitepress-dev.log" 2>&1) &
dev_pid=$!
trap 'kill $dev_pid 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.2; done

say "both sites in headless Chromium"
[ -n "${DOCSITE_SHOTS:-}" ] && mkdir -p "$DOCSITE_SHOTS"
mkdir -p "$work/unpacked" && tar xzf "$tarball" -C "$work/unpacked"
DOCSITE_MDBOOK="$work/book/book" DOCSITE_VITEPRESS="$work/vp/docs/.vitepress/dist" \
  DOCSITE_VITEPRESS_DEV="http://127.0.0.1:$port/" DOCSITE_NPM_PACKAGE="$work/unpacked/package" \
  node --test tests/docsites/
