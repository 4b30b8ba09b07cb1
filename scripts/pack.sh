#!/usr/bin/env bash
# Assembles the npm package `ctxgroup-playground` from npm/ (package.json, types, README) and the
# built page (www/: the element, its worker, the fallback styles, the iframe embed, and everything
# in www/pkg), then packs it with `npm pack`. Nothing is published.
# Run scripts/build-web.sh first. Prints the tarball's path on its last line.
#   OUT=dir bash scripts/pack.sh     (default: target/npm)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-target/npm}
[ -f www/pkg/ctxgroup_bg.wasm ] || { echo "pack: www/pkg is not built: run scripts/build-web.sh" >&2; exit 1; }
bash scripts/size.sh --check >/dev/null # within budget, and naming no directory of the build machine
version=$(awk '/^\[workspace.package\]/ { p = 1 } p && /^version *=/ { gsub(/version *= *|"/, ""); print; exit }' Cargo.toml)
stage="$out/ctxgroup-playground"
rm -rf "$stage"
mkdir -p "$stage/pkg"
cp npm/README.md npm/index.d.ts "$stage/"
node -e 'const fs=require("fs");const p=JSON.parse(fs.readFileSync("npm/package.json"));p.version=process.argv[1];fs.writeFileSync(process.argv[2],JSON.stringify(p,null,2)+"\n")' "$version" "$stage/package.json"
cp www/ctxgroup-playground.js www/ctxgroup-editor.js www/ctxgroup-worker.js www/ctxgroup-fallback.css www/embed.html "$stage/"
# Everything the build put in www/pkg (the playground's wasm and glue, and any lazily loaded one).
cp -R www/pkg/. "$stage/pkg/"
rm -f "$stage/pkg/.gitignore" "$stage/pkg/package.json"
tarball=$(cd "$out" && npm pack --silent --pack-destination . ./ctxgroup-playground | tail -n 1)
echo "$out/$tarball"
