#!/usr/bin/env bash
# Network benchmarks of Cairn (see docs/benchmarks/network.md):
#   1a. TLS engine, warm: steady-state MB/s of one loopback connection, OPENSSL vs JDK
#   1b. TLS engine, cold: handshake, first chunk, first-second MB/s in fresh JVMs (median of RUNS)
#   2.  one storage server under CONNECTIONS x MIB MiB over TLS vs dd and plain TCP loopback
# Knobs (environment): RUNS=5 WARMUP=16 MEASURE=8 CONNECTIONS=8 MIB=128 BENCH_DIR=/tmp
#   JAVA_OPTS (added to every JVM; default "-XX:G1HeapRegionSize=4m", as the cairn launcher uses)
# Extra arguments go to the storage benchmark (e.g. --window 16).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
WARMUP=${WARMUP:-16}
MEASURE=${MEASURE:-8}
CONNECTIONS=${CONNECTIONS:-8}
MIB=${MIB:-128}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}}
STAMP=bench/target/.network-build-stamp
CP='bench/target/classes:bench/target/lib/*'
PKG=org.cairnfs.bench.net

if [[ ! -f $STAMP ]] || [[ -n $(find pom.xml */pom.xml */src/main -newer "$STAMP" -type f 2>/dev/null | head -1) ]]; then
  echo "building bench (mvn -pl bench -am package -DskipTests) ..."
  mvn -B -q -ntp -pl bench -am package -DskipTests
  touch "$STAMP"
fi

run() { java -Xms512m -Xmx2g ${JAVA_OPTS:--XX:G1HeapRegionSize=4m} -cp "$CP" "$@"; }
started=$(date +%s)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== 1a. TLS engine, warm: one loopback connection, 1 MiB chunks, 8 in flight, sink backend"
echo "   (${WARMUP}s warm-up, then ${MEASURE}s upload and ${MEASURE}s download; one JVM per engine)"
for engine in openssl jdk; do
  run $PKG.TlsEngineWarmBenchmark $engine "$WARMUP" "$MEASURE" | tee -a "$out"
done

echo
echo "== 1b. TLS engine, cold: fresh JVM each run, $RUNS runs per engine, medians"
for ((i = 1; i <= RUNS; i++)); do
  for engine in openssl jdk; do
    run $PKG.TlsEngineColdStart $engine | tee -a "$out"
  done
done

field() { # field <line-prefix> <engine> <name> [direction] -> median of that field
  grep "^$1 engine=$2 " "$out" | { if [[ -n ${4:-} ]]; then grep "direction=$4 "; else cat; fi; } \
    | sed -E "s/.* $3=([^ ]+).*/\1/" | sort -g \
    | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "n/a"}'
}

echo
echo "(MB/s depends on the CPU other processes left free; CPU ms/MiB covers both ends and is comparable)"
echo "| TLS engine, warm | upload MB/s | download MB/s | CPU ms/MiB upload | CPU ms/MiB download |"
echo "|---|---:|---:|---:|---:|"
for e in OPENSSL JDK; do
  echo "| $e | $(field WARM $e mbps write) | $(field WARM $e mbps read) | $(field WARM $e cpu_ms_per_mib write) | $(field WARM $e cpu_ms_per_mib read) |"
done
echo
echo "| TLS engine, cold (median of $RUNS) | setup ms | handshake ms | first 1 MiB ms | JVM uptime at first ack ms | MB/s 1st second | MB/s seconds 2-3 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for e in OPENSSL JDK; do
  echo "| $e | $(field COLD $e setup_ms) | $(field COLD $e handshake_ms) | $(field COLD $e first_chunk_ms) | $(field COLD $e first_ack_uptime_ms) | $(field COLD $e first_s_mbps) | $(field COLD $e next_2s_mbps) |"
done
# MB/s of the warm runs depends on how much CPU this machine's other load left the JVM; CPU per
# MiB does not, so the warm comparison uses it.
awk -v ou="$(field WARM OPENSSL cpu_ms_per_mib write)" -v ju="$(field WARM JDK cpu_ms_per_mib write)" \
    -v od="$(field WARM OPENSSL cpu_ms_per_mib read)" -v jd="$(field WARM JDK cpu_ms_per_mib read)" \
    -v oc="$(field COLD OPENSSL first_s_mbps)" -v jc="$(field COLD JDK first_s_mbps)" 'BEGIN {
  if (ou == "n/a" || ju == "n/a" || od == "n/a" || jd == "n/a" || oc == "n/a" || jc == "n/a" || jc == 0) {
    print "\nengine verdict: incomplete data"; exit
  }
  warm = (ou <= ju && od <= jd) ? "OPENSSL" : (ou > ju && od > jd) ? "JDK" : "mixed"
  cold = oc >= jc ? "OPENSSL" : "JDK"
  printf "\nengine verdict: warm CPU per MiB OPENSSL/JDK = %.2f upload, %.2f download (lower is better);", ou / ju, od / jd
  printf " first second of a fresh JVM OPENSSL/JDK = %.1fx MB/s -> %s\n", oc / jc, \
    (warm == "OPENSSL" && cold == "OPENSSL") ? "keep OPENSSL as the default" \
      : (warm == "JDK" && cold == "JDK") ? "JDK wins both: make JDK the default" \
      : "mixed (warm " warm ", cold " cold "): weigh by workload"
}'

echo
run $PKG.StorageThroughputBenchmark --connections "$CONNECTIONS" --mib "$MIB" --dir "$BENCH_DIR" "$@"

echo
echo "total time: $(( $(date +%s) - started )) s"
