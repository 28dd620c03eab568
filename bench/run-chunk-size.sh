#!/usr/bin/env bash
# The chunk-size table (docs/chunk-size.md): upload/download throughput, peak heap, shares per
# GiB and the cost of rewriting one byte, per chunk size, through in-process storage servers.
# Usage: bench/run-chunk-size.sh [--mib 64] [--sizes 1,2,4,8,16] [--runs 3] [--warmup 1]
#        [--servers 10] [--parallel N] [--dir /tmp]
# Time it only on an otherwise idle machine. Smoke: --mib 2 --sizes 0.25,0.5 --runs 1 --warmup 0
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl bench -am package -DskipTests
java -Xms1g -Xmx2g -cp "bench/target/classes:bench/target/lib/*" \
  org.cairnfs.bench.files.ChunkSizeBenchmark "$@"
