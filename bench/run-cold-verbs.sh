#!/usr/bin/env bash
# One-shot commands with no running node of their node directory (in-process: the command joins
# the grid itself, docs/startup.md section 4), two builds interleaved: `ls` of a 3-entry and of
# a 10 000-entry directory, `mkdir`, `put` of 1 MiB. A 10-process grid and a running client node
# (which builds the directories) come from build B; the timed commands use a second node
# directory that never runs.
# Usage: bench/run-cold-verbs.sh [--a CAIRN] [--b CAIRN] [--rounds 5] [--dir /var/tmp]
#   --a defaults to B (then it times one build against itself); each CAIRN is a launcher (./cairn
#   of a built worktree). Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
b=$PWD/cairn a= rounds=5 root=/var/tmp
while [ $# -gt 0 ]; do
  case "$1" in
    --a) a=$2 ;; --b) b=$2 ;; --rounds) rounds=$2 ;; --dir) root=$2 ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 64 ;;
  esac
  shift 2
done
a=${a:-$b}
. bench/lib/grid.sh
work=$(mktemp -d "$root/cairn-cold-verbs.XXXXXX")
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; sleep 2; kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
bench_storage_grid "$b" "$work" 10
bench_client_node "$b" "$work/client" client
bench_await_servers "$b" "$work" "$work/client" 10
export CAIRN_NODE=$work/client
"$b" create-alias bench >/dev/null
mkdir -p "$work/src/big"
for i in $(seq 1 3); do echo "$i" > "$work/src/f$i"; "$b" put "$work/src/f$i" "bench:f$i" >/dev/null; done
for i in $(seq 1 10000); do : > "$work/src/big/e$i"; done
"$b" cp -r "$work/src/big" bench:big >/dev/null
small=$("$b" share bench: | head -1)
big=$("$b" share bench:big | head -1)
dir=$(grep '^bench:' "$work/client/private/aliases" | cut -d' ' -f2-)
head -c $((1 << 20)) /dev/urandom > "$work/src/one"
"$b" create-node "$work/cold" --introducer "$url" --nickname cold --hostname 127.0.0.1 \
  --port 0 --no-storage >/dev/null
export CAIRN_NODE=$work/cold
"$a" ls "$small" >/dev/null; "$b" ls "$small" >/dev/null # announcements cached, archives made
t() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
out=$work/times
for r in $(seq 1 "$rounds"); do
  for side in A B; do
    c=$a; [ $side = B ] && c=$b
    echo "$side ls-3 $(t "$c" ls "$small")" >> "$out"
    echo "$side ls-10000 $(t "$c" ls "$big")" >> "$out"
    echo "$side mkdir $(t "$c" mkdir "$dir/d-$side-$r")" >> "$out"
    echo "$side put-1MiB $(t "$c" put "$work/src/one")" >> "$out"
  done
done
python3 - "$out" <<'PY'
import collections, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    side, what, s = line.split(); d[(what, side)].append(float(s))
print("command      A: min-max (median) s      B: min-max (median) s      B/A (medians)")
for what in ["ls-3", "ls-10000", "mkdir", "put-1MiB"]:
    a, b = sorted(d[(what, "A")]), sorted(d[(what, "B")])
    ma, mb = a[len(a) // 2], b[len(b) // 2]
    print(f"{what:10s} {a[0]:.2f}-{a[-1]:.2f} ({ma:.2f})          {b[0]:.2f}-{b[-1]:.2f} ({mb:.2f})          {mb / ma:.2f}")
PY
