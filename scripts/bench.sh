#!/usr/bin/env bash
# scripts/bench.sh — builds the release preset and runs the benchmarks (not a timed test).
# Figures are recorded in BENCHMARKS.md; this prints them side by side for this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target mxtls_bench
mkdir -p build/bench
./build/release/tests/mxtls_bench --benchmark_min_time=0.5 \
  --benchmark_out=build/bench/parsers.json --benchmark_out_format=json "$@"
echo "bench: JSON written to build/bench/parsers.json"
# The reference server side by side with Postfix smtpd (same machine, certificate and load).
if [ "${MXTLS_BENCH_SERVER:-1}" = 1 ]; then
  ./scripts/bench-server.sh
fi
