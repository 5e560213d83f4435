#!/usr/bin/env bash
# Write benchmark of spectra-reactive-r2dbc: the sink's unnest INSERT vs Statement.add() per row vs COPY FROM STDIN,
# on the same 200,000 tracked requests, into the real spectra_requests schema (all indexes).
#
#   scripts/bench-r2dbc-write.sh                         # embedded PostgreSQL 17 (zonky), nothing to install
#   scripts/bench-r2dbc-write.sh rows=50000 batch=2048   # arguments: rows, batch, warmup, methods, indexes,
#                                                        # durable, rounds
#   scripts/bench-r2dbc-write.sh methods=sink,copy rounds=3   # each method 3 times, every other round reversed
#   SPECTRA_BENCH_R2DBC_URL=r2dbc:postgresql://u:p@host/db scripts/bench-r2dbc-write.sh
#
# Not part of the test suite: it measures, it does not assert. Results and their command go to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=spectra-benchmarks/target
./mvnw -B -q -pl spectra-benchmarks -am package -DskipTests
exec java -Xmx2g -XX:+UseParallelGC -cp "$out/benchmarks.jar" dev.spectra.reactive.benchmarks.WriteBenchmark "$@"
