#!/usr/bin/env bash
# The demo's collector: what a round costs (walk and sweep) and the disk it gives back, through a
# real `cairn demo` mount. FILES small files and one file of BIG MiB are copied in and synced;
# every small file is rewritten and the big one rewritten whole (each a new version, the old one
# linked from nowhere), synced again; then the script waits for a round that deletes. The
# collector runs every 15 s here with no day of grace (hidden demo options), on servers that
# move a lease at every renewal (as the it-tests' do), so the old versions go at once.
# Prints, per round the log shows: objects walked, storage indexes reached, shares examined and
# deleted, walk and sweep time (the last round: nothing left to delete); and the shares' disk use
# before the rewrite, after it, and after the collection.
# Usage: bench/run-demo-collector.sh [--files 2000] [--big-mib 256] [--dir /tmp/cairn-collector]
# Needs /dev/fuse, libfuse2 and fusermount. Time it only on an otherwise idle machine (`uptime`).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
files=2000 big=256 dir=/tmp/cairn-collector
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --big-mib) big="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--files N] [--big-mib N] [--dir DIR]" >&2; exit 64 ;;
  esac
done
for n in "$files" "$big"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "$0: not a positive number: $n" >&2; exit 64; }
done
cairn="$root/cairn"
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/mnt"
state="$dir/state" mnt="$dir/mnt" log="$dir/demo.log"
demo_pid=""
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then
    "$cairn" unmount "$mnt" >/dev/null 2>&1 || fusermount -uz "$mnt" 2>/dev/null || true
  fi
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -INT "$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

shares_mib() { du -sm "$state"/storage-*/storage/shares | awk '{s += $1} END {print s}'; }
rounds() { grep -c "shares no alias reaches" "$state/logs/cairn.log" 2>/dev/null || true; }

echo "preparing $files files of 4 KiB and one of $big MiB in $dir/src" >&2
mkdir -p "$dir/src/small"
head -c $((files * 4096)) /dev/urandom > "$dir/src/blob"
(cd "$dir/src/small" && split -a 6 -d -b 4096 "$dir/src/blob" f)
rm "$dir/src/blob"
head -c $((big << 20)) /dev/urandom > "$dir/src/big"

"$cairn" demo --dir "$state" --exit-when-ready >/dev/null
for s in "$state"/storage-*; do
  echo "lease-renewal-granularity-seconds = 0" >> "$s/cairn.cfg"
done
"$cairn" demo --dir "$state" "$mnt" --collect-after-seconds 15 --collect-every-seconds 15 \
  --keep-unlinked-seconds 0 >"$log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 240); do
  grep -q "mounted $mnt" "$log" 2>/dev/null && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done
grep -q "mounted $mnt" "$log" || { echo "the demo did not mount in 120 s" >&2; exit 1; }

cp -r "$dir/src/small" "$mnt/small"
cp "$dir/src/big" "$mnt/big"
"$cairn" sync "$mnt" >/dev/null
before=$(shares_mib)
# every file a new version: the small ones by one byte each, the big one whole
for f in "$mnt"/small/*; do printf 'x' | dd of="$f" bs=1 seek=100 conv=notrunc status=none; done
head -c $((big << 20)) /dev/urandom > "$mnt/big"
"$cairn" sync "$mnt" >/dev/null
rewritten=$(shares_mib)
seen=$(rounds)
for _ in $(seq 1 600); do
  last=$(grep "shares no alias reaches" "$state/logs/cairn.log" | tail -1 || true)
  if [ "$(rounds)" -gt "$seen" ] && ! echo "$last" | grep -q "collected 0 of"; then
    break
  fi
  sleep 1
done
after=$(shares_mib)
seen=$(rounds) # one round more: the cost when there is nothing to delete
for _ in $(seq 1 120); do [ "$(rounds)" -gt "$seen" ] && break; sleep 1; done
cmp "$dir/src/small/f000000" "$mnt/small/f000000" >/dev/null && {
  echo "a rewritten file reads its old version" >&2; exit 1; }
echo "rounds (from $state/logs/cairn.log):"
grep "DemoCollector" "$state/logs/cairn.log" | sed 's/^.*DemoCollector - /  /'
echo "live data: $files x 4 KiB + $big MiB; shares on disk: ${before} MiB after the copy,"\
  "${rewritten} MiB after the rewrite, ${after} MiB after the collection"
