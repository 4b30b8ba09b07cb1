# Sourced by the scripts that build wasm for the browser; sets WASM_CARGO_ARGS, to pass to
# `cargo build`.
#
# A panic location names its source file, and a dependency's file is named by its path in the
# crate registry of the machine that built it. Those paths are rewritten to `crates/…`, so the
# wasm names no directory of the build machine (and is the smaller for it): the registry as a
# whole (`crates/<index>/<crate>/…`, whatever index a later cargo makes), then each index there
# now (`crates/<crate>/…`; rustc applies the last prefix that matches).
#
# The flags are added to the user's own: to RUSTFLAGS (or CARGO_ENCODED_RUSTFLAGS) when set,
# which replace cargo's configured flags; else as configuration, which cargo adds to those.
wasm_home="${CARGO_HOME:-$HOME/.cargo}"
wasm_remaps=("--remap-path-prefix=$wasm_home/registry/src=crates" "--remap-path-prefix=$wasm_home/git/checkouts=crates")
for wasm_dir in "$wasm_home"/registry/src/*/; do
  [ -d "$wasm_dir" ] && wasm_remaps+=("--remap-path-prefix=${wasm_dir%/}=crates")
done
WASM_CARGO_ARGS=()
if [ -n "${CARGO_ENCODED_RUSTFLAGS+set}" ] || [ -n "${RUSTFLAGS+set}" ]; then
  wasm_user=()
  if [ -n "${CARGO_ENCODED_RUSTFLAGS+set}" ]; then
    [ -z "$CARGO_ENCODED_RUSTFLAGS" ] || IFS=$'\x1f' read -r -a wasm_user <<< "$CARGO_ENCODED_RUSTFLAGS"
  else
    read -r -a wasm_user <<< "$RUSTFLAGS"
  fi
  wasm_user+=("${wasm_remaps[@]}")
  CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; printf '%s' "${wasm_user[*]}")"
  export CARGO_ENCODED_RUSTFLAGS
else
  wasm_list=""
  for wasm_flag in "${wasm_remaps[@]}"; do wasm_list+="${wasm_list:+, }'$wasm_flag'"; done
  WASM_CARGO_ARGS=(--config "target.wasm32-unknown-unknown.rustflags = [$wasm_list]")
fi
unset wasm_home wasm_remaps wasm_dir wasm_user wasm_list wasm_flag
