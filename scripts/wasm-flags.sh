# Sourced by the scripts that build wasm for the browser. A panic location names its source
# file, and a dependency's file is named by its path in the crate registry of the machine that
# built it: those paths are rewritten to `crates/…`, so the wasm names no directory of the build
# machine (and is the smaller for it).
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
flags=""
for dir in "$registry"/*/; do
  [ -d "$dir" ] && flags+="${flags:+$'\x1f'}--remap-path-prefix=${dir%/}=crates"
done
export CARGO_ENCODED_RUSTFLAGS="$flags"
unset registry flags dir
