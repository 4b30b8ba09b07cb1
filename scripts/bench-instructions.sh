#!/usr/bin/env bash
# Instructions per operation (callgrind, N = 100,000; the collapsed chain's row: per cancel) for the benchmark rows, ctxgroup and its
# peer side by side: deterministic, so it can be run on a busy machine (criterion cannot).
# Needs valgrind (apt-get install valgrind). Ratio = peer ÷ ctxgroup: above 1, ctxgroup does less.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "bench-instructions: valgrind is needed (apt-get install -y valgrind)" >&2; exit 1; }
cargo build --quiet --release --example bench_ops
bin=target/release/examples/bench_ops
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='bench_ops::measured*' "$bin" "$1" 2>&1 \
    | sed -n 's/.*Collected : //p'
}
printf '| %-28s | %10s | %-16s | %10s | %6s |\n' row ctxgroup peer "peer" ratio
printf '|%s|%s|%s|%s|%s|\n' ------------------------------ ------------ ------------------ ------------ --------
for row in create-drop:create-drop/tokio-util fan-out:fan-out/tokio-util chain:chain/tokio-util \
  chain-middle-dropped:chain-middle-dropped/tokio-util:1 is-cancelled:is-cancelled/tokio-util \
  spawn-wait/self-driven:spawn-wait/FuturesUnordered spawn-wait/tokio-spawner:spawn-wait/JoinSet; do
  IFS=: read -r ours peer per <<<"$row"
  per=${per:-100000} # operations in the measured part (one cancel of the whole chain: 1)
  a=$(count "$ours"); b=$(count "$peer")
  awk -v o="$ours" -v p="${peer#*/}" -v a="$a" -v b="$b" -v n="$per" \
    'BEGIN { printf "| %-28s | %10.1f | %-16s | %10.1f | %5.2f× |\n", o, a / n, p, b / n, b / a }'
done
