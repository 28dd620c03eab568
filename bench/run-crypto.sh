#!/usr/bin/env bash
# Cold and warm speed of each caps primitive, JDK vs Conscrypt (issue 6, "cold crypto").
# Usage: bench/run-crypto.sh [fresh JVMs per cell, default 5]     (about 4 minutes)
# Cold: one fresh JVM per run; prints provider load time, first call, first-second MiB/s.
# Warm: JMH CryptoProviderBenchmark (8 x 2 s warm-up, 5 x 1 s measured), calls/s -> MiB/s.
# Run it on a quiet machine: check `uptime` first.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
mvn -B -q -ntp -pl bench -am package -DskipTests
cp="bench/target/classes:bench/target/lib/*"
echo "== cold: first second of a fresh JVM ($runs JVMs per cell)"
echo "primitive provider load-ms first-call-us first-second-MiB/s first-second-calls/s"
for primitive in aes-ctr sha256 sha256-node gcm ecdsa-verify; do
  for provider in jdk conscrypt; do
    for _ in $(seq "$runs"); do
      java -Xmx1g -cp "$cp" org.cairnfs.bench.crypto.ColdCrypto "$primitive" "$provider"
    done
  done
done
echo "== warm (JMH, ops/s; bytes per op: aes-ctr 131072, sha256 43691, sha256-node 64, gcm 240, ecdsa-verify 300)"
java -Xmx1g -cp "$cp" org.openjdk.jmh.Main CryptoProviderBenchmark -rf text -rff /dev/null 2>&1 \
  | grep -E '^Benchmark|CryptoProviderBenchmark\.call'
