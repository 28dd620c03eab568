#!/usr/bin/env bash
# Mutation testing (PIT) and line/branch coverage (JaCoCo) of caps, protocol and storage-server,
# then one summary line per scope and every undetected mutant (see docs/testing.md).
# Usage: bench/run-mutation.sh [extra mvn args, e.g. -Dmutation.threads=1]
# Slow: over an hour for caps alone on a shared 2-core machine (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -Pmutation -pl caps,protocol,storage-server -am verify "$@"
java bench/MutationSummary.java .
