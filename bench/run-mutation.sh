#!/usr/bin/env bash
# Mutation testing (PIT) and line/branch coverage (JaCoCo) of caps, protocol and storage-server,
# then one summary line per scope and every undetected mutant (see docs/testing.md).
# Usage: bench/run-mutation.sh [extra mvn args, e.g. -Dmutation.threads=1]
# About 40 minutes on an idle 2-core machine; far longer when it is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -Pmutation -pl caps,protocol,storage-server -am verify "$@"
java bench/MutationSummary.java .
