#!/usr/bin/env bash
# Runs every benchmark with settings that fit a 2-core machine and writes docs/benchmarks.md:
#   the operators' overhead vs bare Reactor and Micrometer, the WebClient filter on vs off,
#   stream scanning, and the R2DBC sink vs Statement.add() vs copyIn (200,000 rows).
# Nothing to install (embedded PostgreSQL). About 12 minutes. Keep the machine otherwise idle.
#
#   scripts/bench.sh                 # everything
#   SKIP_R2DBC=1 scripts/bench.sh    # JMH only (the PostgreSQL section then says so)
set -euo pipefail
cd "$(dirname "$0")/.."
out=spectra-benchmarks/target
./mvnw -B -q -pl spectra-benchmarks -am package -DskipTests
mkdir -p "$out"
{
  printf '%s cores (%s), %s RAM, %s; load average at start %s' \
    "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
    "$(free -h | awk '/^Mem:/ {print $2}')" "$(. /etc/os-release && echo "$PRETTY_NAME")" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"
java -jar "$out/benchmarks.jar" 'TrackingOverheadBenchmark|StreamScanBenchmark|FilterOverheadBenchmark' \
    -prof gc -rf json -rff "$out/jmh.json" | tee "$out/jmh.txt"
if [ -z "${SKIP_R2DBC:-}" ]; then
  # the real table (all 8 indexes), then without the GIN indexes and without any, to show where the time goes
  {
    echo "== indexes=all"; scripts/bench-r2dbc-write.sh
    echo "== indexes=nogin"; scripts/bench-r2dbc-write.sh methods=sink,copy indexes=nogin
    echo "== indexes=none"; scripts/bench-r2dbc-write.sh methods=sink,copy indexes=none
  } | tee "$out/r2dbc-write.txt"
else
  echo "(PostgreSQL writes skipped: SKIP_R2DBC was set)" > "$out/r2dbc-write.txt"
fi
java -cp "$out/benchmarks.jar" dev.spectra.reactive.benchmarks.BenchmarkReport \
    "$out/jmh.json" "$out/r2dbc-write.txt" "$out/machine.txt" docs/benchmarks.md
