#!/usr/bin/env bash
# The mount's tree memory (issue 7): DIRS directories of FILES empty files each are put on a
# `cairn demo` grid with `cairn cp -r`, then `ls -lR` walks them through the demo's mount RUNS
# times; after each walk the demo process is collected (jcmd GC.run) and its retained heap
# printed, beside the walk's time. Past the tree's bound (MountConfig.treeEntries, 107 000
# entries under the default -Xmx512m) idle clean listings are dropped, so the retained heap
# should stay near the bound's worth (about 500 bytes an entry) plus the last 10 s of listings.
# Usage: bench/run-tree-memory.sh [--dirs 40] [--files 10000] [--runs 2] [--dir /tmp/cairn-tree]
# Smoke run: bench/run-tree-memory.sh --dirs 3 --files 1000 --runs 1
# Needs /dev/fuse, libfuse2, fusermount and jcmd. Time it only on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
dirs=40 files=10000 runs=2 dir=/tmp/cairn-tree
while [ $# -gt 0 ]; do
  case "$1" in
    --dirs) dirs="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--dirs N] [--files N] [--runs N] [--dir DIR]" >&2; exit 64 ;;
  esac
done
for n in "$dirs" "$files" "$runs"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "$0: not a positive number: $n" >&2; exit 64; }
done
command -v jcmd >/dev/null || { echo "$0: needs jcmd (a JDK)" >&2; exit 69; }
cairn="$root/cairn"
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/mnt"
state="$dir/state" mnt="$dir/mnt" log="$dir/demo.log"
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -INT "$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
  fi
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -uz "$mnt" 2>/dev/null || true; fi
}
trap cleanup EXIT

echo "preparing $dirs directories of $files empty files in $dir/src" >&2
for d in $(seq 1 "$dirs"); do
  mkdir "$dir/src/d$d"
  (cd "$dir/src/d$d" && seq -f 'a-file-with-a-typical-name-%06g.txt' 1 "$files" | xargs touch)
done

"$cairn" demo --dir "$state" "$mnt" >"$log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 240); do
  grep -q "mounted $mnt" "$log" 2>/dev/null && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done
grep -q "mounted $mnt" "$log" || { echo "the demo did not mount in 120 s" >&2; cat "$log" >&2; exit 1; }
for d in $(seq 1 "$dirs"); do
  "$cairn" cp -r --node "$state/client" "$dir/src/d$d" root: >/dev/null
done
sleep 4 # past the directory TTL: the walk sees the new directories

retained_mib() {
  jcmd "$demo_pid" GC.run >/dev/null
  jcmd "$demo_pid" GC.heap_info | awk '/garbage-first heap/ {sub("K,", "", $6); print int($6 / 1024)}'
}
echo "entries: $((dirs * files + dirs)); demo heap retained before the walks: $(retained_mib) MiB"
for r in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  lines=$(ls -lR "$mnt" | wc -l)
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "walk $r: ls -lR $lines lines in $ms ms; demo heap retained after it: $(retained_mib) MiB"
done
