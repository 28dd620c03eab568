#!/usr/bin/env bash
# Grid client throughput: upload and download of one file through in-process storage servers
# (TLS on loopback, shares on disk) beside the single-thread codec ceiling on the same bytes.
# Usage: bench/run-grid.sh [--mib 64] [--runs 5] [--warmup 3] [--servers 10] [--dir /tmp]
# Time it only on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl bench -am package -DskipTests
java -Xms1g -Xmx4g -XX:G1HeapRegionSize=4m -cp "bench/target/classes:bench/target/lib/*" \
  org.cairnfs.bench.grid.GridTransferBenchmark "$@"
