#!/usr/bin/env bash
# A/B of the warm get of 1 GiB between two builds of the whole grid (e.g. a storage server
# change): each build runs its own grid of separate processes (an introducer, 10 storage nodes
# and a client node), the same 1 GiB random file is put into each, WARMUP (default 2) untimed
# gets each, then ROUNDS (default 12) rounds of warm `cairn get` alternating A and B: wall
# seconds, MiB/s, the client node's and the storage servers' CPU seconds. New server processes
# still compile for the first rounds: compare the later ones. Only the comparison within one
# run carries. Idle machine only. (bench/run-get-ab.sh compares client nodes on one grid.)
# OP=put: rounds of warm `cairn put` of new random bytes instead (made before each, untimed),
# the same bytes for A and B in a round. Each put round stores 2 x 10/3 GiB that stays: the
# disk under /var/tmp needs (ROUNDS + WARMUP + 1) x 6.7 GiB free beyond each server's 1 GiB
# reserve.
# Usage: [OP=get|put] ROUNDS=12 bench/run-server-ab.sh /path/to/clone-a /path/to/clone-b
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 A_CHECKOUT B_CHECKOUT (each a clone with its own build)" >&2; exit 64; }
declare -A cairn
cairn[A]="$(cd "$1" && pwd)/cairn"; cairn[B]="$(cd "$2" && pwd)/cairn"
rounds=${ROUNDS:-12}; warmup=${WARMUP:-2}; servers=10; op=${OP:-get}
"${cairn[A]}" --version >/dev/null; "${cairn[B]}" --version >/dev/null  # builds, untimed
work=$(mktemp -d /var/tmp/abserver.XXXXXX); pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; sleep 3;
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/lib/grid.sh"
head -c $((1024 << 20)) /dev/urandom >"$work/file"
declare -A spids cpid
for v in A B; do
  mkdir -p "$work/$v"
  bench_storage_grid "${cairn[$v]}" "$work/$v" "$servers"
  spids[$v]="${server_pids[*]}"
  bench_client_node "${cairn[$v]}" "$work/$v/client" "client$v"
  cpid[$v]=$client_pid
  bench_await_servers "${cairn[$v]}" "$work/$v" "$work/$v/client" "$servers"
  CAIRN_NODE="$work/$v/client" "${cairn[$v]}" create-alias bench >/dev/null
  CAIRN_NODE="$work/$v/client" "${cairn[$v]}" put "$work/file" bench:file >/dev/null
done
one() { # build
  local v=$1 c0 s0 t0 t1 c1 s1
  rm -f "$work/out"; sync
  # shellcheck disable=SC2086
  c0=$(bench_cpu "${cpid[$v]}"); s0=$(bench_cpu ${spids[$v]}); t0=$(date +%s.%N)
  if [ "$op" = put ]; then
    CAIRN_NODE="$work/$v/client" "${cairn[$v]}" put "$work/new" "bench:new-$RANDOM$RANDOM" >/dev/null
  else
    CAIRN_NODE="$work/$v/client" "${cairn[$v]}" get bench:file "$work/out" >/dev/null
  fi
  # shellcheck disable=SC2086
  t1=$(date +%s.%N); c1=$(bench_cpu "${cpid[$v]}"); s1=$(bench_cpu ${spids[$v]})
  [ "$op" = put ] || cmp -s "$work/file" "$work/out" || { echo "build $v: bytes differ" >&2; exit 1; }
  python3 -c "print(f'$v $op wall {$t1 - $t0:6.2f} s  {1024 / ($t1 - $t0):6.1f} MiB/s  client node {$c1 - $c0:5.2f}  servers {$s1 - $s0:5.2f} CPU-s')"
}
fresh() { if [ "$op" = put ]; then head -c $((1024 << 20)) /dev/urandom >"$work/new"; sync; fi; }
for _ in $(seq 1 "$warmup"); do fresh; one A >/dev/null; one B >/dev/null; done
for r in $(seq 1 "$rounds"); do fresh; echo "round $r"; one A; one B; done
