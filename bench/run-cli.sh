#!/usr/bin/env bash
# The file verbs as whole commands (JVM start included), both paths: "cold" works in-process
# (CAIRN_IN_PROCESS=1: the command joins the grid itself) and "warm" hands its work to the
# running node of the node directory (docs/startup.md). The grid is `cairn demo --no-mount`
# (an introducer, N storage servers and the client node with its gateway, in one process), or
# with --processes one process each: an introducer, N `cairn run` storage nodes and a `cairn run`
# client node (--no-storage), as issue 6 asks.
# Reports the median of --runs for: put (new random bytes each run) and get of each --sizes MiB
# file, cp -r of --files files of 4 KiB, mkdir in and ls of a directory of --entries entries.
# Then, for the largest size, one more warm put and get with the CPU seconds of each part: the
# command, the client node, the storage servers (with --processes; the demo is one process).
# --ceiling: then, with the grid stopped, the caps benchmark's single-thread encode and decode
# ceilings at 128 KiB segments (bench/run-codec.sh's CodecCeilingReport, about 3 minutes), and
# each put and get rate as a share of that ceiling times the cores.
# Usage: bench/run-cli.sh [--sizes "100 1024"] [--files 200] [--entries 100] [--runs 3]
#                         [--servers 10] [--dir /tmp] [--fresh] [--processes] [--ceiling]
#                         [--warmup 0] [--warm-grid 0] [--warm-copies 0]
# --fresh: new random small files before each cp -r (outside the timing), so every copy
# uploads (allocate, write, close) instead of finding its shares held (convergent encryption).
# --warmup N: before each row, N untimed runs of its warm command, so the timed ones meet
# servers (and a client node) whose JIT has compiled that path: fresh server processes keep
# getting faster for a dozen copies (docs/startup.md).
# --warm-grid MIB: before any row, untimed warm puts and gets of new random files of 1 GiB (or
# MIB, if smaller) until MIB have gone each way: fresh storage servers spend several times the
# CPU on their first few GiB (the JIT compiling their paths), so without this the first rows time
# servers that are still compiling, which no grid that has run for a while does.
# --warm-copies N: then N untimed warm cp -r of --files new small files: a server runs its
# per-share paths (allocate, close, commit, lease records) once per file, so they reach the JIT's
# last tier only after thousands of files, long after the big puts have warmed everything else.
# Smoke run: bench/run-cli.sh --sizes 1 --files 10 --entries 10 --runs 1
# Time it only on an otherwise idle machine.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
sizes="100 1024"; files=200; entries=100; runs=3; servers=10; base="${TMPDIR:-/tmp}"; fresh=
processes= ceiling= warmup=0 warm_grid=0 warm_copies=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --entries) entries="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --servers) servers="$2"; shift 2 ;;
    --dir) base="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --processes) processes=1; shift ;;
    --ceiling) ceiling=1; shift ;;
    --warmup) warmup="$2"; shift 2 ;;
    --warm-grid) warm_grid="$2"; shift 2 ;;
    --warm-copies) warm_copies="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 64 ;;
  esac
done
cairn="$here/cairn"
work="$(mktemp -d "$base/cairn-bench-cli.XXXXXX")"
pids=()
stop_grid() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  pids=()
}
cleanup() {
  stop_grid
  rm -rf "$work"
}
trap cleanup EXIT
. "$here/bench/lib/grid.sh"

"$cairn" --version >/dev/null  # builds on first use, outside the timings
if [ -z "$processes" ]; then
  "$cairn" demo --no-mount --dir "$work/grid" --servers "$servers" --web-port 0 \
    >"$work/demo.out" 2>&1 &
  pids+=($!)
  bench_waitfor 300 "$work/demo.out" '^Gateway: '
  client_node="$work/grid/client"
  client_pids=("${pids[0]}") server_pids=()
  grid_desc="cairn demo, $servers servers in one process"
else
  bench_storage_grid "$cairn" "$work" "$servers"
  client_node="$work/client"
  bench_client_node "$cairn" "$client_node" client
  client_pids=("$client_pid")
  bench_await_servers "$cairn" "$work" "$client_node" "$servers"
  grid_desc="$servers storage server processes, an introducer and a client node process"
fi
export CAIRN_NODE="$client_node"
"$cairn" create-alias bench >/dev/null

now() { date +%s.%N; }
# Runs a command $runs times (before each: "$setup"), prints the median wall seconds.
median() {
  local setup="$1"; shift
  local times=()
  for _ in $(seq 1 "$runs"); do
    eval "$setup"
    local t0; t0=$(now)
    "$@" >/dev/null
    times+=("$(echo "$(now) - $t0" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}

mkdir -p "$work/src"
# every put stores new bytes (made outside the timing): the same bytes again would find their
# chunks already held (convergent encryption) and time only the hashing
fresh_file() { head -c "$(($1 * 1024 * 1024))" /dev/urandom >"$work/src/file-$1"; sync; }
mkdir -p "$work/src/small"
small_files() { for i in $(seq 1 "$files"); do head -c 4096 /dev/urandom >"$work/src/small/f$i"; done; }
small_files
mkdir -p "$work/src/wide"
for i in $(seq 1 "$entries"); do echo "$i" >"$work/src/wide/e$i"; done
"$cairn" cp -r "$work/src/wide" bench:wide >/dev/null  # one publish for all entries

if [ "$warm_grid" -gt 0 ]; then
  done_mib=0
  while [ "$done_mib" -lt "$warm_grid" ]; do
    s=$((warm_grid - done_mib)); [ "$s" -gt 1024 ] && s=1024
    head -c "$((s * 1024 * 1024))" /dev/urandom >"$work/src/warm"
    "$cairn" put "$work/src/warm" bench:warm >/dev/null
    "$cairn" get bench:warm "$work/got" && rm -f "$work/got"
    done_mib=$((done_mib + s))
  done
  rm -f "$work/src/warm"
fi
for i in $(seq 1 "$warm_copies"); do
  small_files
  "$cairn" cp -r "$work/src/small" "bench:warm-copy-$i" >/dev/null
done

rows=()
row() {
  local label="$1" setup="$2"; shift 2
  local cold warm
  for _ in $(seq 1 "$warmup"); do (unset CAIRN_IN_PROCESS; eval "$setup"; "$@" >/dev/null); done
  cold=$(export CAIRN_IN_PROCESS=1; median "$setup" "$@")
  warm=$(unset CAIRN_IN_PROCESS; median "$setup" "$@")
  rows+=("$label|$cold|$warm")
}
largest=0
for s in $sizes; do
  row "put $s MiB" "fresh_file $s" "$cairn" put "$work/src/file-$s" "bench:file-$s"
  row "get $s MiB" "rm -f '$work/got'" "$cairn" get "bench:file-$s" "$work/got"
  cmp -s "$work/src/file-$s" "$work/got" || { echo "get $s MiB: bytes differ" >&2; exit 1; }
  [ "$s" -gt "$largest" ] && largest=$s
done
row "cp -r $files x 4 KiB${fresh:+ (fresh)}" "${fresh:+small_files}" bash -c "\"$cairn\" cp -r \"$work/src/small\" \"bench:copy-\$RANDOM\$RANDOM\""
row "mkdir in a $entries-entry directory" "" bash -c "\"$cairn\" mkdir \"bench:wide/d-\$RANDOM\$RANDOM\""
row "ls of a $entries-entry directory" "" "$cairn" ls bench:wide

# where the CPU goes: one more warm put and get of the largest size
split=()
cpu_split() { # label, command...
  local label="$1"; shift
  local c0 s0 t0 t1 c1 s1
  c0=$(bench_cpu "${client_pids[@]}"); s0=$(bench_cpu "${server_pids[@]}"); t0=$(now)
  /usr/bin/time -o "$work/time" -f '%U %S' "$@" >/dev/null
  t1=$(now); c1=$(bench_cpu "${client_pids[@]}"); s1=$(bench_cpu "${server_pids[@]}")
  split+=("$(printf '%-34s %s' "$label" "$(python3 -c "
u, s = open('$work/time').read().split()[-2:]
print(f'{$t1 - $t0:8.2f} {float(u) + float(s):8.2f} {$c1 - $c0:8.2f} {$s1 - $s0:8.2f}')")")")
}
unset CAIRN_IN_PROCESS
fresh_file "$largest"
cpu_split "put $largest MiB (warm)" "$cairn" put "$work/src/file-$largest" "bench:split"
rm -f "$work/got"
cpu_split "get $largest MiB (warm)" "$cairn" get bench:split "$work/got"
cmp -s "$work/src/file-$largest" "$work/got" || { echo "get $largest MiB: bytes differ" >&2; exit 1; }
stop_grid

# The local disk under the same directory: the servers store n/k = 10/3 of each put and sync
# every share before the put returns, so writing that much and fsyncing it (one stream of
# zeros) bounds a put's rate on this machine, whatever the code does.
store_mib=$((largest * 10 / 3))
t0=$(now); dd if=/dev/zero of="$work/disk" bs=1M count="$store_mib" conv=fsync status=none; t1=$(now)
rm -f "$work/disk"
disk_rate=$(python3 -c "print(f'{$store_mib / ($t1 - $t0):.1f}')")
put_bound=$(python3 -c "print(f'{$disk_rate * 3 / 10:.1f}')")

enc_ceiling= dec_ceiling=
if [ -n "$ceiling" ]; then
  (cd "$here" && mvn -B -q -ntp -o -pl bench -am package -DskipTests >/dev/null 2>&1) \
    || (cd "$here" && mvn -B -q -ntp -pl bench -am package -DskipTests >/dev/null)
  java -Xmx4g -cp "$here/bench/target/classes:$here/bench/target/lib/*" \
    org.cairnfs.bench.codec.CodecCeilingReport 131072 > "$work/ceiling.out" 2>&1
  # the 128 KiB row: segment AES SHA256 RS | encConv ceiling ratio | ... | decode ceiling ratio
  read -r enc_ceiling dec_ceiling < <(awk -F'|' '$1 ~ /^128K/ {split($2, e, " "); split($4, d, " "); print e[2], d[2]}' "$work/ceiling.out")
  [ -n "$enc_ceiling" ] || { echo "no 128K row in the ceiling report:" >&2; cat "$work/ceiling.out" >&2; }
fi

cores=$(nproc)
printf '%-34s %9s %9s %10s %8s %12s\n' "whole command (median of $runs)" "cold s" "warm s" \
  "warm MiB/s" "of disk" "${enc_ceiling:+of ceiling}"
for r in "${rows[@]}"; do
  IFS='|' read -r label cold warm <<<"$r"
  rate= share= disk=
  case "$label" in
    put\ *|get\ *)
      mib=${label#* }; mib=${mib%% *}
      rate=$(python3 -c "print(f'{$mib / $warm:.1f}')")
      c=$enc_ceiling; [ "${label%% *}" = get ] && c=$dec_ceiling
      [ -n "$c" ] && share=$(python3 -c "print(f'{100 * $mib / $warm / ($c * $cores):.0f} %')")
      [ "${label%% *}" = put ] && disk=$(python3 -c "print(f'{100 * $mib / $warm / $put_bound:.0f} %')")
      ;;
  esac
  printf '%-34s %9s %9s %10s %8s %12s\n' "$label" "$cold" "$warm" "$rate" "$disk" "$share"
done
echo "(cold: CAIRN_IN_PROCESS=1, the command joins the grid itself; warm: through the running"
echo " node's local channel. Grid: $grid_desc, on $cores cores.)"
[ "$warm_grid" -gt 0 ] && echo "(before the rows: untimed puts and gets of $warm_grid MiB each way through the client node)"
[ "$warm_copies" -gt 0 ] && echo "(and $warm_copies untimed warm cp -r of $files new small files)"
[ "$warmup" -gt 0 ] && echo "(each row after $warmup untimed warm runs of its command)"
echo "Local disk, same directory: $store_mib MiB (10/3 of $largest MiB, what the servers store) written"
echo "and fsynced at $disk_rate MiB/s, so no put can pass $put_bound MiB/s here ('of disk')."
echo
printf '%-34s %8s %8s %8s %8s\n' "CPU seconds of one more run" "wall s" "command" "client" "servers"
printf '%s\n' "${split[@]}"
[ -z "$processes" ] && echo "(the demo is one process: its servers' CPU is in the client column)"
if [ -n "$enc_ceiling" ]; then
  echo
  echo "Same-run ceiling (caps benchmark, one thread, 128 KiB segments, grid stopped): encode"
  echo "(convergent) $enc_ceiling MB/s, decode $dec_ceiling MB/s; 'of ceiling' = the warm rate over"
  echo "that ceiling times $cores cores: what encoding or decoding alone would allow, before TLS,"
  echo "the servers' work and the disk."
fi
