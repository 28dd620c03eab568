#!/usr/bin/env bash
# stress-ng's filesystem stressors, one after another, in a fresh `cairn demo` mount: one line
# per stressor (stress-ng's exit code, how many lines of its output say fail/error/corrupt,
# whether the demo is still alive), then `cairn sync` and the count of ERROR/WARN lines in the
# demo's log. Not timed: a robustness probe (docs/testing.md, "stress-ng probe"). As root.
# Usage: bench/run-stress-ng.sh [--dir /tmp/cairn-stress] [--secs 15] [STRESSOR...]
# Exit codes of stress-ng: 0 passed, 2 a stressor failed, 3 skipped (not supported here).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir=/tmp/cairn-stress secs=15 stressors=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --secs) secs="$2"; shift 2 ;;
    *) stressors+=("$1"); shift ;;
  esac
done
[ ${#stressors[@]} -gt 0 ] || stressors=(dir dirdeep dirmany rename symlink hdd seek chmod utime
  xattr fstat open readahead sync-file filename dentry io lockf flock fcntl mmap getdent iomix
  copy-file fpunch fsize close dup fallocate msync aiol mknod fifo)
command -v stress-ng >/dev/null || apt-get install -y -q stress-ng >/dev/null
rm -rf "$dir"; mkdir -p "$dir/mnt"
"$here/cairn" demo --dir "$dir/demo" "$dir/mnt" > "$dir/demo.log" 2>&1 &
launcher=$!
for _ in $(seq 1 240); do grep -q "mounted $dir/mnt" "$dir/demo.log" && break; sleep 0.5; done
grep -q "mounted $dir/mnt" "$dir/demo.log" || { cat "$dir/demo.log"; exit 1; }
trap 'kill -INT $launcher 2>/dev/null; for _ in $(seq 1 60); do kill -0 $launcher 2>/dev/null || break; sleep 1; done' EXIT
for s in "${stressors[@]}"; do
  mkdir -p "$dir/mnt/$s"
  timeout 300 stress-ng --"$s" 1 --timeout "${secs}s" --temp-path "$dir/mnt/$s" --verify \
    --metrics-brief > "$dir/$s.out" 2>&1
  rc=$?
  printf '%-10s rc=%-3s fail/error lines: %-3s demo %s\n' "$s" "$rc" \
    "$(grep -ciE 'fail|error|corrupt' "$dir/$s.out")" \
    "$(kill -0 $launcher 2>/dev/null && echo alive || echo DEAD)"
done
timeout 600 "$here/cairn" sync "$dir/mnt"; echo "sync rc=$?"
echo "ERROR/WARN lines in the demo log: $(grep -c ' ERROR \| WARN ' "$dir/demo/logs/cairn.log")"
echo "outputs: $dir/*.out"
