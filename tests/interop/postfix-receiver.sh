#!/usr/bin/env bash
# Runs the receiver suite against a real Postfix (Debian's package) inside a network namespace
# this script creates (issue 5, "Proof that the suite works"): STARTTLS on 25 with a test-CA
# certificate, implicit TLS on 26 (smtpd_tls_wrappermode=yes), an smtpd_banner carrying the
# strict-tls= directive, and an MTA-STS policy, TLSRPT record, TLSA record and signed zone
# served by the suite's world (`mxtls-conform world`). The host's Postfix configuration is
# never read or touched: main.cf, master.cf, the queue and data directories and the log live
# in a temporary directory removed on exit.
#
# usage: tests/interop/postfix-receiver.sh MXTLS_CONFORM [REPORT_DIR]
#   MXTLS_CONFORM  path of the mxtls-conform binary
#   REPORT_DIR     where report.json/.xml/.html go (default: a temporary directory, removed)
# environment:
#   MXTLS_EXPECT   expectations file (default: conformance/expectations/postfix-3.7.txt)
#   MXTLS_NO_EXPECT=1  run without --expect (to see the raw verdicts when updating the file)
# exit status: mxtls-conform's (0 = every result as the expectations file says);
#   77 = skipped (not root, no unshare, or no Postfix): ctest SKIP_RETURN_CODE.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ $# -lt 1 ]]; then
  echo "usage: $0 MXTLS_CONFORM [REPORT_DIR]" >&2
  exit 2
fi
conform="$(realpath "$1")"
report_dir="${2:-}"

skip() {
  echo "SKIP: $*" >&2
  exit 77
}

# --- enter a private network (and mount) namespace, once --------------------------------
if [[ -z "${MXTLS_PFX_IN_NETNS:-}" ]]; then
  [[ $(id -u) -eq 0 ]] || skip "needs root (network namespace, Postfix on ports 25/26)"
  command -v unshare >/dev/null || skip "unshare(1) not installed"
  command -v postfix >/dev/null || skip "postfix not installed (scripts/install-deps.sh installs it)"
  [[ -x "$conform" ]] || { echo "no executable $conform" >&2; exit 2; }
  unshare --net --mount true 2>/dev/null || skip "cannot create a network namespace here"
  exec unshare --net --mount -- env MXTLS_PFX_IN_NETNS=1 "$0" "$@"
fi

# Inside the namespace: only loopback exists, and nothing else listens on it.
ip link set lo up

work="$(mktemp -d "${TMPDIR:-/tmp}/mxtls-pfx.XXXXXX")"
chmod 755 "$work"
world_pid=""
pf="$work/postfix"
cleanup() {
  local rc=$?
  if [[ -f "$pf/etc/main.cf" ]]; then postfix -c "$pf/etc" stop >/dev/null 2>&1 || true; fi
  if [[ -n "$world_pid" ]]; then kill "$world_pid" 2>/dev/null || true; wait "$world_pid" 2>/dev/null || true; fi
  if [[ $rc -ne 0 && $rc -ne 77 && -f "$pf/maillog" ]]; then
    echo "--- Postfix log (last 60 lines) ---" >&2
    tail -n 60 "$pf/maillog" >&2 || true
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

domain="pfx.mxtls.test"
mx="smtps-mx.$domain"

# --- the world: signed zone, MTA-STS policy host, TLSRPT, TLSA, Postfix's certificate ------
cat >"$work/world.json" <<EOF
{
  "tld": "mxtls.test",
  "domains": [
    {
      "name": "$domain",
      "dnssec": "secure",
      "records": [
        "@ MX 10 $mx.",
        "smtps-mx A 127.0.0.1",
        "_mta-sts TXT \"v=STSv1; id=20240601\"",
        "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@$domain\""
      ],
      "policy": { "body": "version: STSv1\nmode: enforce\nmx: $mx\nmax_age: 86400\n" },
      "certs": [ { "host": "$mx", "kind": "valid" } ],
      "tlsa": [ { "port": 25, "host": "$mx", "kind": "valid" } ]
    }
  ]
}
EOF
"$conform" world --config "$work/world.json" --dir "$work/world" --ready-file "$work/world.env" \
  >"$work/world.log" 2>&1 &
world_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/world.env" ]] && break
  kill -0 "$world_pid" 2>/dev/null || { cat "$work/world.log" >&2; echo "the world did not start" >&2; exit 3; }
  sleep 0.1
done
[[ -s "$work/world.env" ]] || { cat "$work/world.log" >&2; echo "the world did not get ready" >&2; exit 3; }
# shellcheck disable=SC1091
source "$work/world.env"

# --- a private Postfix instance ------------------------------------------------------------
mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
chown postfix "$pf/data"  # master.lock and the TLS session cache live here
cp "$MXTLS_WORLD_CERT_0" "$pf/etc/mx.chain.pem"
cp "$MXTLS_WORLD_KEY_0" "$pf/etc/mx.key"
chmod 600 "$pf/etc/mx.key"
directive="strict-tls=$mx; max-age=86400"

cat >"$pf/etc/main.cf" <<EOF
# Written by tests/interop/postfix-receiver.sh; a private instance in a network namespace.
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $mx
mydomain = $domain
myorigin = \$mydomain
mydestination = \$mydomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
smtpd_peername_lookup = no
# MAIL before EHLO gets 503, so starttls.state-reset can see whether STARTTLS reset the session.
smtpd_helo_required = yes
# The proposal's directive in the greeting (Postfix can put it nowhere else).
smtpd_banner = \$myhostname ESMTP $directive
smtpd_tls_security_level = may
smtpd_tls_chain_files = $pf/etc/mx.key, $pf/etc/mx.chain.pem
smtpd_tls_loglevel = 1
EOF

cat >"$pf/etc/master.cf" <<'EOF'
# service type  private unpriv  chroot  wakeup  maxproc command + args
25        inet  n       -       n       -       -       smtpd
26        inet  n       -       n       -       -       smtpd
  -o smtpd_tls_wrappermode=yes
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

postfix -c "$pf/etc" check >"$work/postfix-check.log" 2>&1 || { cat "$work/postfix-check.log" >&2; exit 3; }
postfix -c "$pf/etc" start >"$work/postfix-start.log" 2>&1 || { cat "$work/postfix-start.log" >&2; exit 3; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 100); do
  listening 25 && listening 26 && break
  sleep 0.1
done
listening 25 && listening 26 || { echo "Postfix does not listen on 25 and 26" >&2; exit 3; }
echo "Postfix $(postconf -d -h mail_version) listens on 127.0.0.1:25 (STARTTLS) and :26 (implicit TLS) as $mx"

# --- the receiver suite -------------------------------------------------------------------
expect_args=()
if [[ -z "${MXTLS_NO_EXPECT:-}" ]]; then
  expect_args=(--expect "${MXTLS_EXPECT:-$root/conformance/expectations/postfix-3.7.txt}")
fi
out="${report_dir:-$work/report}"
mkdir -p "$out"
set +e
"$conform" receiver --target 127.0.0.1:25 --port26 26 --mx-name "$mx" --domain "$domain" \
  --ca "$MXTLS_WORLD_CA" --resolver "$MXTLS_WORLD_DNS" --trust-anchor "$MXTLS_WORLD_TRUST_ANCHOR" \
  --https-address "$MXTLS_WORLD_POLICY_0" --spec-dir "$root/spec/requirements" \
  --report-dir "$out" "${expect_args[@]}"
rc=$?
set -e
exit $rc
