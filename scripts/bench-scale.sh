#!/usr/bin/env bash
# Scale benchmark of the query API: loads 10M realistic rows into spectra_requests (generated on the server) and
# prints p50/p95 of a tenant's monthly cost, the top models of a day, list pages 1 and 100, and findById, with the
# plan of each query. Embedded PostgreSQL 17 unless SPECTRA_BENCH_R2DBC_URL is set. About 15 minutes on 2 cores.
#
#   scripts/bench-scale.sh                      # 10,000,000 rows, 200 timed runs of each query
#   scripts/bench-scale.sh rows=1000000 iterations=100
#
# It measures, it does not assert. Results and their command go to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=spectra-benchmarks/target
./mvnw -B -q -pl spectra-benchmarks -am package -DskipTests
exec java -Xmx1g -cp "$out/benchmarks.jar" dev.spectra.reactive.benchmarks.ScaleQueryBenchmark "$@"
