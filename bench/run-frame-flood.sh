#!/usr/bin/env bash
# Memory footprint of a node under a flood of half-sent frames (issue 10, finding 7).
#
# Starts `./cairn run` on a fresh node (so with the JVM options of cli/jvm.options), then opens
# CONNECTIONS TLS connections from ADDRESSES loopback addresses; each sends the hello and a
# maximum-size frame short by 100 bytes, and all are held for HOLD seconds, then closed. Reports
# the node's resident memory (VmRSS) before the flood, its peak (VmHWM) and after the flood
# closed, a full GC (jcmd GC.run) and SETTLE seconds; and how long a good client (its own
# address, 127.0.0.1) took to connect and be answered during the flood.
#
# Knobs (environment): CONNECTIONS=1000 ADDRESSES=40 HOLD=20 SETTLE=5 BENCH_DIR=/tmp
#   CAIRN_JAVA_OPTS is passed to the node as ./cairn passes it (after cli/jvm.options).
#   DIAG=1 also runs the node with native memory tracking and prints its summary (heap, direct
#   buffers in "Other", threads, ...) once the flood has sent its frames.
# Smoke: CONNECTIONS=60 ADDRESSES=4 HOLD=3 bench/run-frame-flood.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-1000}
ADDRESSES=${ADDRESSES:-40}
HOLD=${HOLD:-20}
SETTLE=${SETTLE:-5}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}}
STAMP=bench/target/.network-build-stamp
CP='bench/target/classes:bench/target/lib/*'

if [[ ! -f $STAMP ]] || [[ -n $(find pom.xml */pom.xml */src/main -newer "$STAMP" -type f 2>/dev/null | head -1) ]]; then
  echo "building bench (mvn -pl bench -am package -DskipTests) ..."
  mvn -B -q -ntp -pl bench -am package -DskipTests
  touch "$STAMP"
fi
./cairn --version >/dev/null 2>&1 || ./cairn --help >/dev/null # builds the launcher's jar if stale

work=$(mktemp -d "$BENCH_DIR/cairn-flood.XXXXXX")
node_pid=
cleanup() {
  if [[ -n $node_pid ]] && kill -0 "$node_pid" 2>/dev/null; then
    kill "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
mib() { echo "$(( $1 / 1024 )) MiB"; }

# A node whose introducer never runs: it keeps retrying, which must not disturb serving.
fake_id=$(printf 'a%.0s' $(seq 52))
./cairn create-node "$work/node" --introducer "cairn://$fake_id@127.0.0.1:9" \
    --hostname 127.0.0.1 --port 0 >/dev/null
if [[ ${DIAG:-0} == 1 ]]; then
  export CAIRN_JAVA_OPTS="${CAIRN_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"
fi
./cairn run "$work/node" >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 600); do
  port=$(sed -n 's/.*storage on port \([0-9]*\).*/\1/p' "$work/node.log" | head -1)
  [[ -n $port ]] && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$work/node.log"; echo "node died" >&2; exit 1; }
  sleep 0.1
done
[[ -n ${port:-} ]] || { cat "$work/node.log"; echo "node did not start" >&2; exit 1; }
sleep 2
jcmd "$node_pid" GC.run >/dev/null 2>&1 || true
sleep 1
before=$(kib "$node_pid" VmRSS)
echo "node pid $node_pid on port $port; RSS before the flood: $(mib "$before")"

java -Xmx256m -cp "$CP" org.cairnfs.bench.net.PartialFrameFlood "$work/node" "$port" \
    "$CONNECTIONS" "$ADDRESSES" "$HOLD" >"$work/flood.log" 2>&1 &
flood_pid=$!
peak_sampled=$before
diag_done=0
while kill -0 "$flood_pid" 2>/dev/null; do
  rss=$(kib "$node_pid" VmRSS || echo 0)
  (( rss > peak_sampled )) && peak_sampled=$rss
  if [[ ${DIAG:-0} == 1 && $diag_done == 0 ]] && grep -q FLOOD-SENT "$work/flood.log"; then
    diag_done=1
    echo "RSS when the flood has sent its frames: $(mib "$(kib "$node_pid" VmRSS)")"
    jcmd "$node_pid" VM.native_memory summary scale=MB 2>/dev/null \
      | grep -E '^(Total|-  *(Java Heap|Other|Thread|Class|Code|GC|Internal|Symbol))' || true
  fi
  sleep 0.2
done
wait "$flood_pid" || { cat "$work/flood.log"; echo "flood failed" >&2; exit 1; }
grep '^flood:' "$work/flood.log"
peak=$(kib "$node_pid" VmHWM)
sleep "$SETTLE"
jcmd "$node_pid" GC.run >/dev/null 2>&1 || true
sleep "$SETTLE"
after=$(kib "$node_pid" VmRSS)
kill -0 "$node_pid" 2>/dev/null || { echo "the node died" >&2; exit 1; }

echo
echo "connections $CONNECTIONS from $ADDRESSES addresses, held ${HOLD}s"
echo "RSS before: $(mib "$before")   peak: $(mib "$peak") (sampled $(mib "$peak_sampled"))   after: $(mib "$after")"
grep -h 'refusing connections' "$work/node/logs/cairn.log" "$work/node.log" 2>/dev/null | tail -1 || true
