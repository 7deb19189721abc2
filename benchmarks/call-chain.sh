#!/usr/bin/env bash
# The call path as users run it (Actuator on), against bare grpc-java, in interleaved rounds at 1
# and 16 callers, with -prof gc; prints the median ratios. Build first:
#   mvn -B -q -DskipTests -pl benchmarks -am package
# Usage: benchmarks/call-chain.sh [rounds] [extra JMH options, e.g. -p chain=default]
set -euo pipefail
cd "$(dirname "$0")"
rounds="${1:-3}"; shift || true
out="target/call-chain-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for threads in 1 16; do
    java -jar target/benchmarks.jar CallChainBenchmark -t "$threads" -f 1 -wi 3 -w 1s -i 4 -r 2s \
      -prof gc -rf json -rff "$out/round$round-t$threads.json" "$@" > "$out/round$round-t$threads.log" 2>&1
  done
done
java -cp target/benchmarks.jar io.github.rpcclient.benchmarks.RatioReport "$out"/round*.json | tee "$out/report.txt"
