#!/usr/bin/env bash
# Runs every benchmark once, with settings that fit a 2-core machine, and writes docs/benchmarks.md from that run,
# each performance target marked met or missed:
#   - the operators' overhead against bare Reactor and Micrometer, and stream scanning (JMH);
#   - the WebClient filter on against off (JMH forks pinned to one CPU, and side by side in one pinned JVM), and the
#     bytes it allocates per call;
#   - the R2DBC sink against Statement.add() and copyIn, 200,000 rows, with all, some and no indexes;
#   - the query API on 10,000,000 rows generated on the server.
# Nothing to install (embedded PostgreSQL). About 40 minutes. Keep the machine otherwise idle.
#
#   scripts/bench.sh                      # everything
#   SKIP_SCALE=1 scripts/bench.sh         # everything but the 10M-row scale benchmark (about 30 minutes)
#   SCALE_ROWS=1000000 scripts/bench.sh   # a smaller scale run
#
# Text written by hand between <!-- notes:NAME --> markers in docs/benchmarks.md is kept; the rest is rewritten.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=spectra-benchmarks/target/benchmarks.jar
out=spectra-benchmarks/target/bench-results
./mvnw -B -q -pl spectra-benchmarks -am package -DskipTests
rm -rf "$out" && mkdir -p "$out"
{
  printf '%s cores (%s), %s RAM, %s; load average at start %s\n' \
    "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
    "$(free -h | awk '/^Mem:/ {print $2}')" "$(. /etc/os-release && echo "$PRETTY_NAME")" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

java -jar "$jar" 'TrackingOverheadBenchmark|StreamScanBenchmark' -prof gc -rf json -rff "$out/jmh.json" \
    | tee "$out/jmh.txt"

# The filter's variants, the JVM on one CPU: unpinned, the client, the server and the JIT share two cores with each
# other and the times swing by 3x. Each call's two variants run in four forks each, in the order without, with, with,
# without, twice (ABBA ABBA), each fork its own JMH run, so that a drift of the shared machine over the section
# favours neither; a variant's figure is the median of its forks' 36 iterations (two forks a variant could not tell
# a stream at 0.87x from one at 0.92x). On one CPU the JIT competes with the measurement, so the warm-up is long:
# the filtered calls reach their level after 15 to 20 iterations of 2 s.
pin=()
command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ] && pin=(taskset -c 1)
echo "${pin[*]}" > "$out/filter-pinning.txt"
n=0
abba() { echo "$1" "$2" "$2" "$1" "$1" "$2" "$2" "$1"; }
for variant in $(abba jsonPlain jsonFiltered) $(abba streamPlain streamFiltered); do
  n=$((n + 1))
  "${pin[@]}" java -jar "$jar" "FilterOverheadBenchmark.$variant\$" -f 1 -wi 25 -w 2 -i 9 -r 2 -prof gc \
      -rf json -rff "$out/filter-jmh-$n.json" | tee -a "$out/filter-jmh.txt"
done
# The same two variants side by side in one pinned JVM, alternating blocks of 500 ms: a steadier difference than
# forks minutes apart, reported beside them (about 3 minutes).
"${pin[@]}" java -Xms1g -Xmx1g -XX:+UseParallelGC -cp "$jar" dev.spectra.reactive.benchmarks.FilterPairedTime \
    30 500 40 | tee "$out/filter-paired.txt"
java -Xms1g -Xmx1g -XX:+UseParallelGC -cp "$jar" dev.spectra.reactive.benchmarks.FilterAllocationCount 1000 \
    | tee "$out/filter-alloc.txt"

write_benchmark() {
  java -Xmx2g -XX:+UseParallelGC -cp "$jar" dev.spectra.reactive.benchmarks.WriteBenchmark "$@"
}
# Three rounds of each method, each run after a 60,000-row warm-up (after 20,000 the first round still paid for the
# JIT), the order reversed every other round so that the shared machine's drift favours no method (single passes of
# sink then copy gave 0.8x to 1.1x); add, at 4,000 rows/s, once.
{
  echo "== indexes=all"; write_benchmark methods=sink,copy,sink1,copyIds,copyAll rounds=3; write_benchmark methods=add
  echo "== indexes=nogin"; write_benchmark methods=sink,copy indexes=nogin rounds=3
  echo "== indexes=none"; write_benchmark methods=sink,copy indexes=none rounds=3
} | tee "$out/r2dbc-write.txt"

if [ -z "${SKIP_SCALE:-}" ]; then
  java -Xmx1g -cp "$jar" dev.spectra.reactive.benchmarks.ScaleQueryBenchmark "rows=${SCALE_ROWS:-10000000}" \
      | tee "$out/scale.txt"
fi

java -cp "$jar" dev.spectra.reactive.benchmarks.BenchmarkReport "$out" docs/benchmarks.md
