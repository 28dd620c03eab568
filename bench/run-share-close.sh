#!/usr/bin/env bash
# Storage-server closes per second of 4 KiB immutable shares on a real disk (issue 6, "group
# commit"): 1 and 32 concurrent closers, each allocate + write + close in a loop.
# Usage: bench/run-share-close.sh [seconds per run, default 10] [dir, default a temp dir on /var/tmp]
# Run it on a quiet machine (check `uptime`): fsync timings are what it measures.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
base="${2:-$(mktemp -d /var/tmp/cairn-close.XXXXXX)}"
mvn -B -q -ntp -pl bench -am package -DskipTests
cp="bench/target/classes:bench/target/lib/*"
df -h "$base" | tail -1
for closers in 1 32; do
  rm -rf "$base/run"
  java -Xmx1g -Dlogback.configurationFile=bench/target/classes/logback.xml -cp "$cp" org.cairnfs.bench.storage.ShareCloseThroughput "$base/run" "$closers" "$seconds"
done
rm -rf "$base"
