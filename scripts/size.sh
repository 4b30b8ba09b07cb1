#!/usr/bin/env bash
# Sizes of what the browser downloads: the playground build (www/pkg: the page's wasm, and the
# code views' wasm that is loaded when a code view is first opened) and a core-only build
# (examples/core_size.rs: contexts, groups, the browser clock, AbortSignal). Raw and gzipped
# bytes of the wasm and of the JS glue. With --check, fails when either playground build passes
# its budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# Gzipped wasm + glue of the playground, in bytes: the latest measurement with 2% headroom.
# History: 122,213 B first; 107,255 B; 119,882 B once the chart drew why tasks stopped and runs
# got a work budget; 121,665 B once the code generators moved to their own wasm; 143,387 B once
# the language gained go blocks, after-cancel, try, collect, causes and shutdown, and the
# library typed outputs and aborts; 146,557 B once the page got a trace index (rows, lines and
# events without parsing the whole trace) and live runs a clock that holds still during a turn;
# 149,421 B with the browser clock's message hop and the self-driven group's task cells;
# 152,492 B with the simulator's shared trace rows and the browser clock's polling of the last
# two milliseconds before a deadline; 155,574 B once durations were read and written in Go's
# units (1h30m, 1m30.5s); 155,994 B once the chart flagged ties (a race in Go) and put its ticks
# on steps a clock reads; 156,736 B once pasted text got its own errors and narrow rows a short
# form of their note; 157,114 B once the summary and group rows named the tie that decided an
# outcome; 157,351 B once a task dropped by its executor ended with an error, odd limits and
# quoted durations got their own errors, and callbacks on contexts nothing can cancel were not
# kept; 159,146 B once charts carried their palette's colours for renderers without CSS
# variables, durations took Go's us and ns, a task's own deadline context ended with it, errors
# read like anyhow's, goroutines logged what they saw, exports said why they refused and ties
# went the way Go usually settles them; 159,740 B once ties counted the timers before a task's
# work (its hops), as Go's lateness settles them after a chain of queued tasks; 160,152 B once
# a cancel at a deadline's instant won as in Go (marked, and said to be a race), an output whose
# Drop panics became its task's panic, and a chosen row was outlined. Less headroom since;
# 160,430 B once a task that returned at a shutdown's grace's instant was in time; 160,613 B
# once durations took Go's any number of digits (the budget went up 400 B for these); 160,945 B
# once a task started as a late shutdown came was said to be a race (187 B of it); 161,700 B
# once every conversion of a task's error could panic without stranding it, a shutdown drove
# a self-driven group's tasks at the grace's instant, and durations took Go's .5s, +1s and 0.
# 163,256 B once a hook heard each task's events in order across threads and spawns left the
# slot queue in O(log n); 166,215 B once the chart said the races in Go it draws one side of
# (a TryGo at a slot's release, two errors at one instant; three more runs of a small
# scenario, with the scenario's copy and the moves of its sources); 167,424 B once the summary
# named leaked goroutines and counted what it does not list, and a learner's slips got errors
# that say what to write (the hint of an option's stray word kept out of the generic `options`,
# where it was written once per caller: 1.1 KB of it); 168,304 B once a task spawned late said
# what held its caller up and a failure the group does not return said so; 169,259 B once a
# task's hook events were queued and told with no lock held (hooks that cancel each other's
# tasks had deadlocked), a wait kept one waker, every task's story said what its ctx.Value finds
# and long names ended with an ellipsis (the core alone: 51,124 → 51,736 B); 169,399 B once
# expect could say a task leaked; 169,894 B once a burst of deadlines gave its memory back (the
# timer queue's shrinking and the children's slab let go: 550 B of the core); 170,307 B once a
# second learner's findings were mended (the result of a race said with a tie, on the return's
# own label for exported pictures; a stable sort to put the worst leak first cost 1.5 KB and
# went: a find does it); 170,503 B once `timeout=2s` on a line of its own and `check=every 1s`
# got hints of their own.
# Lower it whenever the build gets smaller; the aim is 80 KB.
BUDGET_GZ=${CTXGROUP_SIZE_BUDGET:-170600}
# The same for the code views' wasm (the Go and Rust generators and the scenario parser), loaded
# on first use: 58,586 B first, 71,517 B with the language's new constructs, 72,511 B with
# plain groups on the caller's context; 74,131 B once durations took Go's us and ns and a task
# that runs forever could not fail; 2% headroom, then less; 74,498 B once the Rust program
# armed a cancel tied with the deadline first and the Go program returned Wait's result when
# a shutdown's grace found nobody running; 74,907 B once a learner's slips got errors that say
# what to write; 75,040 B once `timeout=2s` and `check=every 1s` got hints of their own.
CODE_BUDGET_GZ=${CTXGROUP_CODE_SIZE_BUDGET:-75100}

gz() { gzip -9c "$1" | wc -c; }
row() { printf '| %-26s | %9s | %9s |\n' "$1" "$(wc -c < "$2")" "$(gz "$2")"; }
opt() {
  node node_modules/binaryen/bin/wasm-opt -Oz --enable-reference-types --enable-bulk-memory \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue "$1" -o "$1"
}

if [ "${1:-}" = "--check" ]; then
  total=$(( $(gz www/pkg/ctxgroup_bg.wasm) + $(gz www/pkg/ctxgroup.js) ))
  code=$(( $(gz www/pkg/ctxgroup_code_bg.wasm) + $(gz www/pkg/ctxgroup_code.js) ))
  over=0
  if [ "$total" -gt "$BUDGET_GZ" ]; then
    echo "size: the playground is $total B gzipped (wasm + glue), over its budget of $BUDGET_GZ B" >&2
    over=1
  fi
  if [ "$code" -gt "$CODE_BUDGET_GZ" ]; then
    echo "size: the code views are $code B gzipped (wasm + glue), over their budget of $CODE_BUDGET_GZ B" >&2
    over=1
  fi
  # The build names no directory of the machine that built it (see scripts/wasm-flags.sh): not
  # cargo's home (the registry, git checkouts), not the sources' own.
  for f in www/pkg/*.wasm www/pkg/*.js; do
    for dir in "${CARGO_HOME:-$HOME/.cargo}/" "$PWD/src/" "$PWD/playground/"; do
      if grep -a -q -F "$dir" "$f"; then
        echo "size: $f names a directory of the machine that built it: $dir" >&2
        over=1
      fi
    done
  done
  [ "$over" = 0 ] || exit 1
  echo "size: playground $total B gzipped (wasm + glue), budget $BUDGET_GZ B; code views $code B, budget $CODE_BUDGET_GZ B"
  exit 0
fi

[ -f www/pkg/ctxgroup_bg.wasm ] && [ -f www/pkg/ctxgroup_code_bg.wasm ] || bash scripts/build-web.sh >/dev/null
source scripts/wasm-flags.sh
cargo build --quiet "${WASM_CARGO_ARGS[@]}" --profile wasm --target wasm32-unknown-unknown -p ctxgroup --example core_size
out=target/size-core
rm -rf "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" target/wasm32-unknown-unknown/wasm/examples/core_size.wasm
opt "$out/core_size_bg.wasm"

echo "| build                      |  raw (B)  |  gzip (B) |"
echo "|----------------------------|-----------|-----------|"
row "playground wasm" www/pkg/ctxgroup_bg.wasm
row "playground JS glue" www/pkg/ctxgroup.js
row "code views wasm" www/pkg/ctxgroup_code_bg.wasm
row "code views JS glue" www/pkg/ctxgroup_code.js
row "core-only wasm" "$out/core_size_bg.wasm"
row "core-only JS glue" "$out/core_size.js"
p=$(( $(gz www/pkg/ctxgroup_bg.wasm) + $(gz www/pkg/ctxgroup.js) ))
k=$(( $(gz www/pkg/ctxgroup_code_bg.wasm) + $(gz www/pkg/ctxgroup_code.js) ))
c=$(( $(gz "$out/core_size_bg.wasm") + $(gz "$out/core_size.js") ))
echo
echo "playground total: $p B gzipped (budget $BUDGET_GZ B); code views (on first use): $k B (budget $CODE_BUDGET_GZ B); core-only total: $c B gzipped"
