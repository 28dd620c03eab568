#!/usr/bin/env bash
# Immutable codec vs. its bare primitives (issue: caps performance), plus first-second figures.
# Usage: bench/run-codec.sh [segment sizes, comma-separated]   (about 8 minutes for 4 sizes)
# CODEC_OPTS="-Dwarmups=6 -Diterations=4" sets the JMH run. A row whose ceiling cannot be
# trusted (AES not warm after two longer re-runs, a primitive unstable, a ratio above 100 %)
# has its ratios marked '?' with the reason printed below the table.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl bench -am package -DskipTests
cp="bench/target/classes:bench/target/lib/*"
echo "== first second of a fresh JVM (5 runs each, one JVM per run)"
for what in aes encode decode; do
  for i in 1 2 3 4 5; do java -Xmx4g -cp "$cp" org.cairnfs.bench.codec.ColdStartThroughput "$what"; done
done
echo "== warm (JMH)"
# shellcheck disable=SC2086
java -Xmx4g ${CODEC_OPTS:-} -cp "$cp" org.cairnfs.bench.codec.CodecCeilingReport "${1:-65536,131072,524288,2097152}" 2>&1 \
  | grep -v '^# \|^Iteration\|^$\|^Result\|^  \(min\|(\)' 
