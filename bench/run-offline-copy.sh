#!/usr/bin/env bash
# A mount whose grid goes away (issue 7: "unflushed data is never evicted"): a `cairn demo
# --no-mount` grid, a `cairn mount` of its client, the root listed, the grid stopped; then
# `cp -r` of FILES small files (100 to 3 100 bytes) into the mount. Prints what the copy
# returned, how many descriptors the mount process holds and its limit, the mount's log size;
# then starts the grid again and waits (up to --wait seconds) for `cairn sync`, printing how
# long the backlog took to reach the grid and how many `cairn sync` calls that took (before
# 79898921 the first failed at once: the links still backed off). Before 0038c95 a copy past the descriptor limit
# failed (one spool file open per closed file), and before b79c615 each failed round logged a
# line per file.
# --down keeps the grid away that many seconds more after the copy (the client's reconnect
# backoffs reach their minute).
# Usage: bench/run-offline-copy.sh [--files 25000] [--wait 600] [--down 0] [--dir /var/tmp/cairn-offline]
# Needs /dev/fuse, libfuse2 and fusermount. Not a timing benchmark: counts and sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
files=25000 wait=600 down=0 dir=/var/tmp/cairn-offline
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --wait) wait="$2"; shift 2 ;;
    --down) down="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--files N] [--wait SECONDS] [--down SECONDS] [--dir DIR]" >&2; exit 64 ;;
  esac
done
for n in "$files" "$wait"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "$0: not a positive number: $n" >&2; exit 64; }
done
[[ "$down" =~ ^[0-9]+$ ]] || { echo "$0: not a number of seconds: $down" >&2; exit 64; }
cairn="$root/cairn"
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/mnt"
state="$dir/state" mnt="$dir/mnt"
demo_pid="" mount_pid=""
stop() { # pid
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -INT "$1" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
    kill -KILL "$1" 2>/dev/null || true
  fi
}
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount -uz "$mnt" 2>/dev/null || true; fi
  stop "$mount_pid"
  stop "$demo_pid"
}
trap cleanup EXIT
start_grid() { # log
  "$cairn" demo --no-mount --dir "$state" >"$1" 2>&1 &
  demo_pid=$!
  for _ in $(seq 1 240); do
    grep -q -- "--node" "$1" 2>/dev/null && return 0
    kill -0 "$demo_pid" 2>/dev/null || { cat "$1" >&2; exit 1; }
    sleep 0.5
  done
  echo "the grid did not start in 120 s" >&2; cat "$1" >&2; exit 1
}

echo "preparing $files files in $dir/src" >&2
python3 - "$dir/src" "$files" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, "f%06d" % i), "wb") as f:
        f.write(os.urandom(100 + i % 3001))
PY
start_grid "$dir/grid1.log"
"$cairn" mount --node "$state/client" "$mnt" --foreground >"$dir/mount.log" 2>&1 &
mount_pid=$!
for _ in $(seq 1 240); do mountpoint -q "$mnt" && break; sleep 0.5; done
mountpoint -q "$mnt" || { tail -20 "$dir/mount.log" >&2; echo "no mount" >&2; exit 1; }
ls "$mnt" >/dev/null # the root listed while the grid is there
stop "$demo_pid"; demo_pid=""
echo "grid stopped; the mount holds $(ls /proc/$mount_pid/fd | wc -l) descriptors of $(awk '/Max open files/ {print $4}' /proc/$mount_pid/limits)"
start=$(date +%s%N)
set +e
cp -r "$dir/src" "$mnt/copy" 2>"$dir/cp.err"
rc=$?
set -e
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "cp -r of $files files with the grid away: exit $rc in $ms ms, $(wc -l <"$dir/cp.err") errors; the mount holds $(ls /proc/$mount_pid/fd | wc -l) descriptors; its log $(wc -c <"$dir/mount.log") bytes"
head -3 "$dir/cp.err"
cmp -s "$dir/src/f000077" "$mnt/copy/f000077" && echo "a copied file reads back from the spool"
sleep "$down"
start_grid "$dir/grid2.log"
start=$(date +%s%N)
deadline=$(( $(date +%s) + wait ))
syncs=1
until "$cairn" sync --timeout 60 "$mnt" >"$dir/sync.out" 2>&1; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "not on the grid after $wait s" >&2; exit 1; }
  [ "$syncs" -gt 1 ] || { echo "the first cairn sync failed:"; tail -1 "$dir/sync.out" | cut -c1-300; }
  syncs=$((syncs + 1))
  sleep 5
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "grid back: everything on the grid (cairn sync, $syncs call(s)) after $ms ms; the mount's log $(wc -c <"$dir/mount.log") bytes"
