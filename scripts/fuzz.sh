#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [TARGET...] — builds the clang libFuzzer preset (ASan + UBSan)
# and runs each fuzz target for SECONDS (default 60) with its seed corpus and dictionary.
# New inputs go to fuzz/scratch/<target>/ (first corpus folder, see stack.md pitfall 10), so
# the committed seeds stay small; crashes are written to fuzz/scratch/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
./scripts/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in fuzz/*.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi
mkdir -p fuzz/scratch/crashes
status=0
for t in "${targets[@]}"; do
  bin=build/fuzz/fuzz/fuzz_$t
  [ -x "$bin" ] || { echo "fuzz.sh: no such target: $t" >&2; exit 2; }
  mkdir -p "fuzz/scratch/$t"
  dict=(); [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  echo "== $t: ${secs}s"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$bin" -max_total_time="$secs" -max_len=70000 \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
      -artifact_prefix="fuzz/scratch/crashes/$t-" "fuzz/scratch/$t" "fuzz/corpus/$t" \
      > "fuzz/scratch/$t.log" 2>&1; then
    echo "   CRASH or error: see fuzz/scratch/$t.log and fuzz/scratch/crashes/"; status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs" "fuzz/scratch/$t.log" | sed 's/^/   /' || true
done
exit $status
