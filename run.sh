#!/usr/bin/env bash
# ./run.sh — installs the dependencies, builds mxtls, and runs the main job:
#  1. the receiver conformance suite (mxtls-conform receiver) against the bundled reference
#     server mxtls-serve, in a world made for it on 127.0.0.1: a signed DNS zone
#     serve.mxtls.test (MX, A, _mta-sts and _smtp._tls TXT, TLSA), a test CA that issued the
#     server's certificate, and the domain's MTA-STS policy host;
#  2. the sender conformance suite (mxtls-conform sender) against the bundled reference client
#     mxtls-send, through the trigger contract, in the suite's own network and mount namespaces;
#  3. one combined report of both (mxtls-conform combine); prints its path;
#  4. the lint examples: `mxtls-conform lint` on the bundled example records in examples/
#     (good-* must be valid, bad-* invalid).
# Exit status: 0 when every job passes, else the first failing job's status.
set -euo pipefail
cd "$(dirname "$0")"
./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target mxtls-conform mxtls-serve mxtls-send

build=build/release
conform=$build/conformance/mxtls-conform
serve=$build/reference-server/mxtls-serve
send=$PWD/$build/reference-client/mxtls-send
report_dir=$build/conformance-report
rm -rf "$report_dir"
mkdir -p "$report_dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/mxtls-run-XXXXXX")
world_pid=
serve_pid=
cleanup() {
  for pid in $serve_pid $world_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $serve_pid $world_pid; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

status=0
if [ "$("$conform" list --role receiver --json)" = "[]" ]; then
  echo "== receiver suite: the catalogue has no receiver case yet; skipped"
else
domain=serve.mxtls.test
mx=smtps-mx.$domain
directive="strict-tls=*.$domain; max-age=86400"

# The world: DNS for the domain, the server's certificate, the policy host.
cat > "$work/world.json" <<EOF
{
  "domains": [{
    "name": "$domain",
    "dnssec": "secure",
    "records": [
      "@ MX 10 $mx.",
      "$mx. A 127.0.0.1",
      "_mta-sts TXT \"v=STSv1; id=20250101T000000\"",
      "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@$domain\""
    ],
    "tlsa": [{"port": 25, "host": "$mx", "kind": "valid"}, {"port": 26, "host": "$mx", "kind": "valid"}],
    "policy": {"body": "version: STSv1\r\nmode: enforce\r\nmx: $mx\r\nmax_age: 86400\r\n"},
    "certs": [{"host": "$mx", "kind": "valid"}]
  }]
}
EOF
"$conform" world --config "$work/world.json" --dir "$work/world" --ready-file "$work/world.env" \
  > "$work/world.log" 2>&1 &
world_pid=$!
for _ in $(seq 300); do [ -s "$work/world.env" ] && break; sleep 0.1; done
if [ ! -s "$work/world.env" ]; then
  echo "run.sh: the world did not start:" >&2
  cat "$work/world.log" >&2
  exit 3
fi
# shellcheck disable=SC1091
. "$work/world.env"

# mxtls-serve with the world's certificate, on ephemeral ports it logs.
"$serve" --hostname "$mx" --domain "$domain" --cert "$MXTLS_WORLD_CERT_0" --key "$MXTLS_WORLD_KEY_0" \
  --maildir "$work/Maildir" --listen 127.0.0.1:0 --listen-implicit 127.0.0.1:0 \
  --strict-tls "$directive" --log-file "$work/serve.log" &
serve_pid=$!
port25=
port26=
for _ in $(seq 300); do
  if [ -f "$work/serve.log" ]; then
    port25=$(sed -n 's/.*event=listening listener=starttls .* port=\([0-9]*\).*/\1/p' "$work/serve.log")
    port26=$(sed -n 's/.*event=listening listener=implicit .* port=\([0-9]*\).*/\1/p' "$work/serve.log")
  fi
  [ -n "$port25" ] && [ -n "$port26" ] && break
  sleep 0.1
done
if [ -z "$port25" ] || [ -z "$port26" ]; then
  echo "run.sh: mxtls-serve did not start:" >&2
  cat "$work/serve.log" >&2 || true
  exit 3
fi

echo "== receiver suite: mxtls-serve on 127.0.0.1:$port25 (STARTTLS) and :$port26 (implicit TLS)"
start=$(date +%s%N)
"$conform" receiver --target "127.0.0.1:$port25" --port26 "$port26" --mx-name "$mx" --domain "$domain" \
  --ca "$MXTLS_WORLD_CA" --resolver "$MXTLS_WORLD_DNS" --trust-anchor "$MXTLS_WORLD_TRUST_ANCHOR" \
  --https-address "$MXTLS_WORLD_POLICY_0" --report-dir "$report_dir/receiver" || status=$?
end=$(date +%s%N)
echo "receiver suite wall time: $(( (end - start) / 1000000 )) ms"
fi

# The sender suite: mxtls-send is the MTA under test, started once per message by the trigger
# with the world's trust anchor and clock and short timeouts (every peer is local).
echo "== sender suite: mxtls-send through the trigger contract"
inject="$send --from {from} --to {to} --trust-anchor {trust_anchor} --state-dir {state_dir} --now {now}"
inject="$inject --connect-timeout 2 --command-timeout 3 --tls-timeout 3 --https-timeout 3 --dns-timeout 2"
inject="$inject --helo sender.mxtls.test {message_file}"
start=$(date +%s%N)
sender_status=0
"$conform" sender --inject "$inject" --report-dir "$report_dir/sender" || sender_status=$?
end=$(date +%s%N)
echo "sender suite wall time: $(( (end - start) / 1000000 )) ms"
[ "$status" -eq 0 ] && status=$sender_status

echo "== combined report"
inputs=()
for r in receiver sender; do [ -f "$report_dir/$r/report.json" ] && inputs+=("$report_dir/$r/report.json"); done
if [ "${#inputs[@]}" -gt 0 ]; then
  "$conform" combine "${inputs[@]}" --report-dir "$report_dir" || true
  echo "report: $report_dir/report.html (also report.json, report.xml; per suite: receiver/, sender/)"
fi

echo "== lint examples"
lint_status=0
./scripts/lint-examples.sh "$conform" examples || lint_status=$?
[ "$status" -ne 0 ] && exit "$status"
exit "$lint_status"
