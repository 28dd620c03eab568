#!/usr/bin/env bash
# What a durable small write costs: the latency of fsync, fdatasync and msync(MS_SYNC) after a
# small write (bench/posix/fsync_latency.py: a new small file, 4 KiB rewritten into a 1 MiB file)
# on a plain local directory, through bindfs (the FUSE passthrough) and through a `cairn demo`
# mount, in one run. Through the mount each one waits for an upload round: the touched chunk
# re-encoded and stored on the servers, its manifest, one directory publish (docs/architecture.md).
# Needs root (bindfs) and bindfs.
# Usage: bench/run-fsync.sh [--dir /var/tmp] [--runs 30] [--file-kib 1024]
# CAIRN names the command to run instead of ./cairn (it must exec a single JVM).
set -euo pipefail
cd "$(dirname "$0")/.."
cairn=${CAIRN:-./cairn}
root_dir=/var/tmp runs=30 file_kib=1024
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) root_dir=$2 ;; --runs) runs=$2 ;; --file-kib) file_kib=$2 ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 64 ;;
  esac
  shift 2
done
command -v bindfs >/dev/null || { echo "run-fsync: bindfs is missing (apt-get install bindfs)" >&2; exit 69; }
[ "$(id -u)" = 0 ] || { echo "run-fsync: run as root (bindfs)" >&2; exit 77; }
work=$(mktemp -d "$root_dir/cairn-bench-fsync.XXXXXX")
demo_pid=''
cleanup() {
  fusermount -u "$work/bindfs" 2>/dev/null || true
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -INT "$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/local" "$work/bindfs-src" "$work/bindfs" "$work/cairn"
bindfs "$work/bindfs-src" "$work/bindfs"
$cairn demo --dir "$work/demo" "$work/cairn" --web-port 0 > "$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 240); do
  grep -q "mounted $work/cairn" "$work/demo.log" && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log"; exit 1; }
  sleep 0.5
done
grep -q "mounted $work/cairn" "$work/demo.log" || { cat "$work/demo.log"; exit 1; }
probe() { python3 bench/posix/fsync_latency.py "$1" --runs "$runs" --file-kib "$file_kib"; }
# the demo's first uploads pay its JIT: one unreported pass first
probe "$work/cairn/warm" >/dev/null
declare -A med
for t in local bindfs cairn; do
  while read -r name m lo hi; do
    med[$t.$name]=$m
    printf '%-7s %-9s median %9.2f ms  (min %.2f, max %.2f)\n' "$t" "$name" "$m" "$lo" "$hi"
  done < <(probe "$work/$t")
done
echo
printf '%-9s %10s %10s %10s %14s\n' case local bindfs cairn cairn/bindfs
for c in new rewrite datasync msync; do
  printf '%-9s %10s %10s %10s %14s\n' "$c" "${med[local.$c]}" "${med[bindfs.$c]}" \
    "${med[cairn.$c]}" "$(python3 -c "print(f'{${med[cairn.$c]} / ${med[bindfs.$c]}:.0f}')")"
done
