#!/usr/bin/env bash
# CPU seconds per sequential read of one file through a mount, apart from wall time (which the
# machine's load moves more): a `cairn demo --no-mount` (its servers and client node in one
# process), a file of --mib MiB of random bytes put into it, a `cairn mount` of that directory
# in a process of its own, then --reads sequential reads with dd (the kernel's page cache of
# the file evicted before each: posix_fadvise DONTNEED through dd iflag=nocache, as
# bench/run-mount.sh). Prints per read: wall seconds, the mount process's CPU seconds and the
# demo's (the ten servers). The first reads pay the mount's JIT; compare the last ones.
# To compare two builds, run it on each (a worktree per commit) one after the other.
# Usage: bench/run-read-cpu.sh [--mib 1024] [--reads 6] [--dir /var/tmp]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
mib=1024; reads=6; base="${TMPDIR:-/var/tmp}"
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) mib="$2"; shift 2 ;;
    --reads) reads="$2"; shift 2 ;;
    --dir) base="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 64 ;;
  esac
done
cairn="$here/cairn"
work="$(mktemp -d "$base/cairn-read-cpu.XXXXXX")"
demo=
cleanup() {
  "$cairn" unmount "$work/mnt" >/dev/null 2>&1 || fusermount -u -z "$work/mnt" 2>/dev/null || true
  if [ -n "$demo" ]; then
    kill -INT "$demo" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$demo" 2>/dev/null || break; sleep 1; done
    kill -KILL "$demo" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
. "$here/bench/lib/grid.sh"

"$cairn" --version >/dev/null  # builds on first use, outside the timings
"$cairn" demo --no-mount --dir "$work/grid" --servers 10 --web-port 0 >"$work/demo.out" 2>&1 &
demo=$!
bench_waitfor 300 "$work/demo.out" '^Gateway: '
export CAIRN_NODE="$work/grid/client"
"$cairn" create-alias bench >/dev/null
head -c $((mib << 20)) /dev/urandom >"$work/file"
"$cairn" put "$work/file" bench:file >/dev/null
mkdir -p "$work/mnt"
mount_pid=$("$cairn" mount --root bench "$work/mnt" | grep -o 'process [0-9]*' | cut -d' ' -f2)
[ -n "$mount_pid" ] || { echo "the mount did not say its process" >&2; exit 1; }
echo "reading $mib MiB through a mount (process $mount_pid) of a demo of 10 servers (process $demo), $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
printf '%-6s %9s %9s %11s %10s\n' read "wall s" "MiB/s" "mount CPU" "demo CPU"
for i in $(seq 1 "$reads"); do
  dd if="$work/mnt/file" iflag=nocache count=0 status=none
  m0=$(bench_cpu "$mount_pid"); d0=$(bench_cpu "$demo"); t0=$(date +%s.%N)
  dd if="$work/mnt/file" of=/dev/null bs=1M status=none
  t1=$(date +%s.%N); m1=$(bench_cpu "$mount_pid"); d1=$(bench_cpu "$demo")
  python3 -c "print(f'{$i:<6} {$t1 - $t0:9.2f} {$mib / ($t1 - $t0):9.1f} {$m1 - $m0:11.2f} {$d1 - $d0:10.2f}')"
done
cmp -s "$work/file" "$work/mnt/file" || { echo "the mount's bytes differ from the file" >&2; exit 1; }
