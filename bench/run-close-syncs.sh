#!/usr/bin/env bash
# Counts the disk syncs the storage servers make for one warm `cairn cp -r` of --files files of
# 4 KiB (counts, not wall time, so it is meaningful on a busy machine): strace follows every
# thread of a `cairn demo --no-mount` grid only while the copy runs and sorts each fsync /
# fdatasync by what it synced: an incoming share file, a directory, the lease database, or
# other. Share closes committed in a group share one lease commit and one sync per directory,
# so fewer directory and lease syncs per close means larger groups.
# Usage: bench/run-close-syncs.sh [--files 200] [--servers 10] [--cairn LAUNCHER] [--dir /tmp]
# (--cairn runs another checkout's ./cairn, e.g. a clone of an older commit, for before/after)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
files=200; servers=10; launcher=""; base="${TMPDIR:-/tmp}"
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --servers) servers="$2"; shift 2 ;;
    --cairn) launcher="$2"; shift 2 ;;
    --dir) base="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 64 ;;
  esac
done
command -v strace >/dev/null || { echo "needs strace (apt-get install strace)" >&2; exit 69; }
launcher="${launcher:-$here/cairn}"
cairn() { "$launcher" "$@"; }
cairn --version >/dev/null  # builds on first use
work="$(mktemp -d "$base/cairn-bench-syncs.XXXXXX")"
demo_pid=; strace_pid=
cleanup() {
  [ -n "$strace_pid" ] && kill "$strace_pid" 2>/dev/null || true
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cairn demo --no-mount --dir "$work/grid" --servers "$servers" --web-port 0 >"$work/demo.out" 2>&1 &
demo_pid=$!
for _ in $(seq 1 300); do
  grep -q '^Gateway: ' "$work/demo.out" 2>/dev/null && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.out" >&2; exit 1; }
  sleep 1
done
grep -q '^Gateway: ' "$work/demo.out" || { echo "the demo grid did not start" >&2; exit 1; }
# the JVM of the demo (the launcher may have exec'd or forked it)
jvm=$(pgrep -f -n -P "$demo_pid" java || true); [ -n "$jvm" ] || jvm=$demo_pid
export CAIRN_NODE="$work/grid/client"
cairn create-alias bench >/dev/null
mkdir -p "$work/src/small"
for i in $(seq 1 "$files"); do head -c 4096 /dev/urandom >"$work/src/small/f$i"; done
cairn cp -r "$work/src/small" bench:warmup >/dev/null  # connections open, code warm
# new contents: the same bytes again would only add leases (convergent encryption)
for i in $(seq 1 "$files"); do head -c 4096 /dev/urandom >"$work/src/small/f$i"; done
tasks=()
for t in /proc/"$jvm"/task/*; do tasks+=(-p "${t##*/}"); done
strace -f -qq -y -e trace=fsync,fdatasync -o "$work/trace" "${tasks[@]}" 2>/dev/null &
strace_pid=$!
sleep 2
cairn cp -r "$work/src/small" bench:copy >/dev/null
sleep 1
kill "$strace_pid"; wait "$strace_pid" 2>/dev/null || true; strace_pid=
# each call once (a call split by another thread shows as "unfinished" then "resumed")
grep -E '^[0-9]+ +f(data)?sync\(' "$work/trace" \
  | sed -E 's/^[0-9]+ +(f(data)?sync)\([0-9]+<([^>]*)>.*/\1 \3/' >"$work/calls" || true
# path shapes: the run's work dir and every storage index / share / serial collapsed
sed -E -e "s#$work#WORK#" -e 's#/[a-z2-7]{26}(/|$)#/SI\1#g' -e 's#/[a-z2-7]{2}(/|$)#/PP\1#g' \
  -e 's#[0-9]+#N#g' "$work/calls" | sort | uniq -c | sort -rn >"$work/shapes"
closes=$(grep -c -E '/incoming/.*\.up$' "$work/calls" || true)
commits=$(grep -c -E '/leases\.db$' "$work/calls" || true)
all=$(wc -l <"$work/calls")
printf 'cp -r of %s files x 4 KiB to %s servers: %s syncs while it ran\n' "$files" "$servers" "$all"
printf '%s immutable share closes (file syncs), %s lease database commits: %s closes per commit\n' \
  "$closes" "$commits" "$(awk -v c="$closes" -v m="$commits" 'BEGIN {printf "%.2f", m ? c / m : 0}')"
echo "by what was synced (count, call, path shape):"
head -20 "$work/shapes"
