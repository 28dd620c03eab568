#!/usr/bin/env bash
# A/B of the warm get of 1 GiB between two builds of the client node (e.g. a default changed):
# one grid of separate processes (an introducer and 10 storage nodes of build A), one client
# node of each build on it, one 1 GiB random file put through A, one warm-up get each, then
# ROUNDS (default 5) rounds of warm `cairn get` alternating A and B: wall seconds, MiB/s and the
# client node's CPU seconds each. Only the comparison within one run carries. Idle machine only.
# Usage: ROUNDS=5 bench/run-get-ab.sh /path/to/clone-a /path/to/clone-b
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 A_CHECKOUT B_CHECKOUT (each a clone with its own build; the grid runs A)" >&2; exit 64; }
A="$(cd "$1" && pwd)/cairn"; B="$(cd "$2" && pwd)/cairn"; rounds=${ROUNDS:-5}; servers=10
$A --version >/dev/null; $B --version >/dev/null  # builds on first use, outside the timings
work=$(mktemp -d /var/tmp/abget.XXXXXX); pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; sleep 3;
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/lib/grid.sh"
bench_storage_grid "$A" "$work" "$servers"
declare -A pid
for v in A B; do bench_client_node "${!v}" "$work/c$v" "c$v"; pid[$v]=$client_pid; done
for v in A B; do bench_await_servers "${!v}" "$work" "$work/c$v" "$servers"; done
head -c $((1024 << 20)) /dev/urandom >"$work/file"
cap=$(CAIRN_NODE="$work/cA" $A put "$work/file")
echo "cap ${cap:0:30}..."
# one warm-up get each
for v in A B; do CAIRN_NODE="$work/c$v" ${!v} get "$cap" "$work/out" >/dev/null; rm -f "$work/out"; done
printf '%-3s %-6s %8s %8s %10s\n' run build wall MiB/s nodeCPU
for r in $(seq 1 "$rounds"); do
  for v in A B; do
    sync; c0=$(bench_cpu "${pid[$v]}"); t0=$(date +%s.%N)
    CAIRN_NODE="$work/c$v" ${!v} get "$cap" "$work/out" >/dev/null
    t1=$(date +%s.%N); c1=$(bench_cpu "${pid[$v]}")
    cmp -s "$work/file" "$work/out" || { echo "bytes differ ($v)"; exit 1; }
    rm -f "$work/out"
    python3 -c "print(f'{$r:<3} {\"$v\":<6} {$t1-$t0:8.2f} {1024/($t1-$t0):8.1f} {$c1-$c0:10.2f}')"
  done
done
