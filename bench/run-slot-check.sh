#!/usr/bin/env bash
# What the keyless slot write check costs per MiB of slot write (issue 10, finding 1).
# Usage: bench/run-slot-check.sh [extra JMH options]   (about 3 minutes with the defaults)
# Smoke run: bench/run-slot-check.sh -f 1 -wi 1 -i 1 -w 200ms -r 200ms -p shareKib=64
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl bench -am package -DskipTests
java -Xmx2g -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main \
  'org.cairnfs.bench.storage.SlotWriteCheckBenchmark' "$@"
