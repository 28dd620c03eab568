#!/usr/bin/env bash
# A differential POSIX check of the mount: runs bench/posix/probe.py (about 300 pjdfstest-style
# checks: errnos, modes, owners, times, renames, set-id bits, sticky dirs, xattrs, holes, ...)
# in a fresh local directory and inside a fresh `cairn demo` mount, as root, and prints the
# lines that differ. Known, documented differences: docs/architecture.md, "POSIX details".
# Usage: bench/run-posix-probe.sh [--keep] [section ...]
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
[ "$(id -u)" = 0 ] || { echo "run as root (the probe switches to other uids)" >&2; exit 2; }
work=$(mktemp -d /tmp/cairn-posix.XXXXXX)
mkdir -p "$work/mnt"
./cairn demo --dir "$work/demo" "$work/mnt" > "$work/demo.log" 2>&1 &
demo=$!
stop() {
  kill -INT "$demo" 2>/dev/null || true
  for _ in $(seq 60); do mountpoint -q "$work/mnt" || break; sleep 1; done
  wait "$demo" 2>/dev/null || true
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap stop EXIT
for _ in $(seq 120); do mountpoint -q "$work/mnt" && break; sleep 1; done
mountpoint -q "$work/mnt" || { tail -5 "$work/demo.log"; echo "the demo did not mount" >&2; exit 1; }
python3 bench/posix/probe.py "$work/local" "$@" > "$work/local.out" 2> "$work/local.err"
python3 bench/posix/probe.py "$work/mnt/probe" "$@" > "$work/mnt.out" 2> "$work/mnt.err"
for seed in 1 2 3; do # fsx-style data path: writes, reads, mmap, truncates, reopens
  python3 bench/posix/fsx.py "$work/mnt/fsx$seed" "$seed" 1500 > "$work/fsx$seed.out" 2>&1 \
    && echo "fsx seed $seed: $(tail -1 "$work/fsx$seed.out")" \
    || { echo "fsx seed $seed: FAILED"; tail -8 "$work/fsx$seed.out"; }
done
echo "checks: $(wc -l < "$work/local.out") local, $(wc -l < "$work/mnt.out") in the mount; differences (< local, > mount):"
diff "$work/local.out" "$work/mnt.out" || true
[ "$keep" = 1 ] && echo "kept: $work"
exit 0
