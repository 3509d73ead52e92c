#!/usr/bin/env bash
# Lints every bundled example with mxtls-conform and checks the verdict against its name.
# examples/<kind>/good-*.txt must be valid (exit 0), bad-*.txt invalid (exit 1).
# <kind> is the lint subcommand: sts-policy, sts-txt, tlsrpt-txt, banner; examples/mx-prefix.txt
# lists one host per line: "good HOST" or "bad HOST".
set -uo pipefail
conform=${1:?usage: lint-examples.sh MXTLS_CONFORM EXAMPLES_DIR}
dir=${2:?usage: lint-examples.sh MXTLS_CONFORM EXAMPLES_DIR}
pass=0; fail=0
check() {  # expected(good|bad) label command...
  local expect=$1 label=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  local want=0; [ "$expect" = bad ] && want=1
  if [ "$rc" -eq "$want" ]; then
    pass=$((pass + 1)); printf 'ok    %-48s %s\n' "$label" "$(printf '%s' "$out" | head -n 1)"
  else
    fail=$((fail + 1)); printf 'FAIL  %-48s exit %d, expected %d\n%s\n' "$label" "$rc" "$want" "$out"
  fi
}
for kind in sts-policy sts-txt tlsrpt-txt banner; do
  [ -d "$dir/$kind" ] || continue
  for f in "$dir/$kind"/good-* "$dir/$kind"/bad-*; do
    [ -e "$f" ] || continue
    base=$(basename "$f"); expect=${base%%-*}
    check "$expect" "$kind/$base" "$conform" lint "$kind" "$f"
  done
done
if [ -f "$dir/mx-prefix.txt" ]; then
  while read -r expect host; do
    [ -n "${expect:-}" ] && [ "${expect:0:1}" != "#" ] || continue
    check "$expect" "mx-prefix $host" "$conform" lint mx-prefix "$host"
  done < "$dir/mx-prefix.txt"
fi
echo
echo "examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
