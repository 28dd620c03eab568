#!/usr/bin/env bash
# Round trip of a 4 GiB file (generated, SHA-256 compared) through the chunked-file layer and
# in-process storage servers in a 256 MiB heap: memory must not grow with the file size.
# Needs about 13.4 GiB free under --dir for the shares (3-of-10); they are deleted at the end.
# Usage: bench/run-big-file.sh [--mib 4096] [--chunk-mib 4] [--servers 10] [--dir /tmp]
# Smoke: bench/run-big-file.sh --mib 64
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl bench -am package -DskipTests
java -Xmx256m -XX:+ExitOnOutOfMemoryError -cp "bench/target/classes:bench/target/lib/*" \
  org.cairnfs.bench.files.BigFileRoundTrip "$@"
