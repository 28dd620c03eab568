#!/usr/bin/env bash
# Directory costs (issue 9): add one entry, look up one name, list all, at 100 / 10 000 /
# 100 000 entries, paged (GridDirectories, default policy) beside flat (whole entry list
# rewritten per change), through in-process storage servers (TLS on loopback, shares on disk).
# Usage: bench/run-directories.sh [--sizes 100,10000,100000] [--ops 5] [--servers 10] [--dir /tmp]
# Smoke run: bench/run-directories.sh --sizes 100,2000 --ops 2 --servers 4
# Time it only on an otherwise idle machine (check `uptime`).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl bench -am package -DskipTests
java -Xmx2g -Dlogback.configurationFile=bench/target/classes/logback.xml \
  -cp "bench/target/classes:bench/target/lib/*" \
  org.cairnfs.bench.grid.DirectoryBenchmark "$@"
