#!/usr/bin/env bash
# The file verbs as whole commands (JVM start included), both paths: "cold" works in-process
# (CAIRN_IN_PROCESS=1: the command joins the grid itself) and "warm" hands its work to the
# running node of the node directory (docs/startup.md). The grid is `cairn demo --no-mount`
# (an introducer, N storage servers and the client node with its gateway, in one process).
# Reports the median of --runs for: put (new random bytes each run) and get of each --sizes MiB
# file, cp -r of --files files of 4 KiB, mkdir in and ls of a directory of --entries entries.
# Usage: bench/run-cli.sh [--sizes "100 1024"] [--files 200] [--entries 100] [--runs 3]
#                         [--servers 10] [--dir /tmp] [--fresh]
# --fresh: new random small files before each cp -r (outside the timing), so every copy
# uploads (allocate, write, close) instead of finding its shares held (convergent encryption).
# Smoke run: bench/run-cli.sh --sizes 1 --files 10 --entries 10 --runs 1
# Time it only on an otherwise idle machine.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
sizes="100 1024"; files=200; entries=100; runs=3; servers=10; base="${TMPDIR:-/tmp}"; fresh=
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --entries) entries="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --servers) servers="$2"; shift 2 ;;
    --dir) base="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 64 ;;
  esac
done
cairn="$here/cairn"
work="$(mktemp -d "$base/cairn-bench-cli.XXXXXX")"
demo_pid=
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -INT "$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$cairn" --version >/dev/null  # builds on first use, outside the timings
"$cairn" demo --no-mount --dir "$work/grid" --servers "$servers" --web-port 0 \
  >"$work/demo.out" 2>&1 &
demo_pid=$!
for _ in $(seq 1 300); do
  grep -q '^Gateway: ' "$work/demo.out" 2>/dev/null && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.out" >&2; exit 1; }
  sleep 1
done
grep -q '^Gateway: ' "$work/demo.out" || { echo "the demo grid did not start" >&2; exit 1; }
export CAIRN_NODE="$work/grid/client"
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

printf '%-34s %10s %10s\n' "whole command (median of $runs)" "cold s" "warm s"
row() {
  local label="$1" setup="$2"; shift 2
  local cold warm
  cold=$(export CAIRN_IN_PROCESS=1; median "$setup" "$@")
  warm=$(unset CAIRN_IN_PROCESS; median "$setup" "$@")
  printf '%-34s %10s %10s\n' "$label" "$cold" "$warm"
}
for s in $sizes; do
  row "put $s MiB" "fresh_file $s" "$cairn" put "$work/src/file-$s" "bench:file-$s"
  row "get $s MiB" "rm -f '$work/got'" "$cairn" get "bench:file-$s" "$work/got"
  cmp -s "$work/src/file-$s" "$work/got" || { echo "get $s MiB: bytes differ" >&2; exit 1; }
done
row "cp -r $files x 4 KiB${fresh:+ (fresh)}" "${fresh:+small_files}" bash -c "\"$cairn\" cp -r \"$work/src/small\" \"bench:copy-\$RANDOM\$RANDOM\""
row "mkdir in a $entries-entry directory" "" bash -c "\"$cairn\" mkdir \"bench:wide/d-\$RANDOM\$RANDOM\""
row "ls of a $entries-entry directory" "" "$cairn" ls bench:wide
echo "(cold: CAIRN_IN_PROCESS=1, the command joins the grid itself; warm: through the running"
echo " node's local channel. Grid: cairn demo, $servers servers in one process, on $(nproc) cores.)"
