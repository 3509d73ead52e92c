#!/usr/bin/env bash
# Runs the SENDER suite against a real Postfix (Debian's package) as the sending MTA. A private
# Postfix instance (main.cf, master.cf, queue, data directory and log in a temporary directory)
# is configured here but started by the suite's trigger on first use, so that it runs inside
# the suite's network and mount namespaces: the world's DNS (127.0.0.1:53, which sets the AD
# bit on secure answers: --resolver-mode ad-bit), its scripted MX peers on 127.64.x.y and the
# CA bundle that holds the world's CA exist only there. The host's Postfix configuration is
# never read or touched; the instance has no smtpd (nothing listens), only pickup, qmgr and
# the smtp client, with smtp_tls_security_level = dane and smtp_dns_support_level = dnssec.
#
# With MXTLS_STS_RESOLVER=1 (tests/interop/postfix-sts-sender.sh sets it) the trigger also starts
# postfix-mta-sts-resolver's mta-sts-daemon inside the namespaces (private config, listening on
# 127.0.0.1:8461 there, in-memory cache, cache_grace 0, log in the temporary directory), and
# Postfix asks it for every next-hop domain: smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:
# postfix. The daemon reads /etc/resolv.conf (pycares) and the CA bundle through Python's ssl
# default paths (/usr/lib/ssl/cert.pem -> /etc/ssl/certs/ca-certificates.crt): the suite's copies.
#
# usage: tests/interop/postfix-sender.sh MXTLS_CONFORM [REPORT_DIR]
#   MXTLS_CONFORM  path of the mxtls-conform binary
#   REPORT_DIR     where report.json/.xml/.html go (default: a temporary directory, removed)
# environment:
#   MXTLS_EXPECT       expectations file (default: conformance/expectations/postfix-3.7-sender.txt)
#   MXTLS_NO_EXPECT=1  run without --expect (to see the raw verdicts when updating the file)
#   MXTLS_CASE=GLOB    run only the matching cases
#   MXTLS_KEEP=1       keep the temporary directory (Postfix log, the suite's work directory)
#   MXTLS_STS_RESOLVER=1  Postfix + postfix-mta-sts-resolver (default expectations file then:
#                      conformance/expectations/postfix-3.7-mta-sts-resolver-sender.txt)
#   MXTLS_STS_CACHE_GRACE  the daemon's cache_grace in seconds (default 0, see below)
# exit status: mxtls-conform's (0 = every result as the expectations file says);
#   77 = skipped (not root, no unshare, no Postfix, or no mta-sts-daemon in STS mode):
#   ctest SKIP_RETURN_CODE.
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
[[ $(id -u) -eq 0 ]] || skip "needs root (the suite's network and mount namespaces, Postfix's setgid tools)"
command -v unshare >/dev/null || skip "unshare(1) not installed"
command -v postfix >/dev/null || skip "postfix not installed (scripts/install-deps.sh installs it)"
command -v flock >/dev/null || skip "flock(1) not installed"
[[ -x "$conform" ]] || { echo "no executable $conform" >&2; exit 2; }
unshare --net --mount true 2>/dev/null || skip "cannot create a network namespace here"
sts="${MXTLS_STS_RESOLVER:-}"
if [[ -n "$sts" ]]; then
  command -v mta-sts-daemon >/dev/null || skip "mta-sts-daemon not installed (package postfix-mta-sts-resolver; scripts/install-deps.sh installs it)"
  command -v setsid >/dev/null || skip "setsid(1) not installed"
  default_expect="$root/conformance/expectations/postfix-3.7-mta-sts-resolver-sender.txt"
else
  default_expect="$root/conformance/expectations/postfix-3.7-sender.txt"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mxtls-pfs.XXXXXX")"
chmod 755 "$work"
pf="$work/postfix"
conform_pid=""

stop_postfix() {
  # The master was started by a trigger inside the suite's namespaces, in a session of its own
  # (setsid): signal it and its children through the process group named by the pid file.
  local pidfile="$pf/spool/pid/master.pid" pid
  [[ -s "$pidfile" ]] || return 0
  pid="$(tr -d ' \n' <"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

stop_sts_daemon() {
  # Started by the trigger with setsid: its pid is its process group.
  local pidfile="$work/sts/daemon.pid" pid
  [[ -s "$pidfile" ]] || return 0
  pid="$(tr -d ' \n' <"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  if [[ -n "$conform_pid" ]]; then kill "$conform_pid" 2>/dev/null || true; wait "$conform_pid" 2>/dev/null || true; fi
  stop_postfix
  stop_sts_daemon
  if [[ $rc -ne 0 && $rc -ne 77 && -f "$pf/maillog" ]]; then
    echo "--- Postfix log (last 60 lines) ---" >&2
    tail -n 60 "$pf/maillog" >&2 || true
  fi
  if [[ $rc -ne 0 && $rc -ne 77 && -f "$work/sts/daemon.log" ]]; then
    echo "--- mta-sts-daemon log (last 40 lines) ---" >&2
    tail -n 40 "$work/sts/daemon.log" >&2 || true
  fi
  if [[ -n "${MXTLS_KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- a private Postfix instance that only sends ------------------------------------------
mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
chown postfix "$pf/data"
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -f "$ca_bundle" ]] || ca_bundle=/etc/pki/tls/certs/ca-bundle.crt

cat >"$pf/etc/main.cf" <<EOF
# Written by tests/interop/postfix-sender.sh: a private, send-only instance that runs inside
# the sender suite's network and mount namespaces.
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = sender.mxtls.test
mydomain = mxtls.test
myorigin = \$myhostname
mydestination =
relayhost =
relay_domains =
# master.cf has no inet service: nothing listens. loopback-only keeps the "own address" set
# (MX loop detection) to 127.0.0.1, which no scripted peer uses.
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
delay_warning_time = 0

# DANE (RFC 7672) with opportunistic TLS elsewhere; DNSSEC status from the resolver's AD bit
# (the world's DNS in --resolver-mode ad-bit; Postfix sets RES_TRUSTAD itself when it asks
# for DNSSEC, so /etc/resolv.conf needs no "options trust-ad").
smtp_tls_security_level = dane
smtp_dns_support_level = dnssec
# The suite bind-mounts a system bundle that also holds its CA (used for "Trusted" logging
# and by no policy here: Postfix has no MTA-STS).
smtp_tls_CAfile = $ca_bundle
smtp_tls_loglevel = 1
# No TLS session cache and no connection reuse: every delivery is a new session, so each step
# of a case is seen by its peers.
smtp_tls_session_cache_database =
smtp_connection_cache_on_demand = no
# The world's DNS does not serve the root zone; the probe would only log a warning.
dnssec_probe =

# One queue run = one attempt, quickly: short protocol timeouts, no transport throttling,
# and a flush (postqueue -f) after every inject also clears "dead destination" state.
smtp_connect_timeout = 2s
smtp_helo_timeout = 5s
smtp_starttls_timeout = 5s
smtp_mail_timeout = 5s
smtp_rcpt_timeout = 5s
smtp_data_init_timeout = 5s
smtp_data_xfer_timeout = 5s
smtp_data_done_timeout = 5s
smtp_quit_timeout = 2s
smtp_rset_timeout = 2s
smtp_xforward_timeout = 5s
smtp_tls_handshake_timeout = 5s
transport_retry_time = 1s
queue_run_delay = 300s
minimal_backoff_time = 300s
maximal_backoff_time = 600s
EOF

cat >"$pf/etc/master.cf" <<'EOF'
# service type  private unpriv  chroot  wakeup  maxproc command + args
# (no smtpd: this instance only sends; chroot = n everywhere, since /etc/resolv.conf and the
# CA bundle are replaced only in the suite's mount namespace, not in a chroot's copy)
# smtp: max_use=1, a fresh process per delivery: the smtp client caches TLSA RRsets per
# process for their TTL, and the suite changes records between the steps of a case, so a
# reused process would make a step's verdict depend on which process got it.
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
  -o max_use=1
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

if [[ -n "$sts" ]]; then
  # RFC 8461 policies from postfix-mta-sts-resolver: "OK secure match=<mx patterns, leading *
  # removed> servername=hostname" for an enforce policy, NOTFOUND otherwise (testing, none, no
  # policy), which leaves the domain at the default level above (dane).
  echo "smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix" >>"$pf/etc/main.cf"
  mkdir -p "$work/sts"
  # cache_grace 0: every lookup checks the _mta-sts TXT record (and fetches the policy when
  # its id changed). With the default 60 s, lookups within a minute of the last one skip DNS
  # entirely, so a multi-step case would see the first step's policy unchanged and the result
  # would depend on whether its steps fall on either side of the minute (with 60 s, three
  # parser deviations go unseen and two re-check cases fail instead; see the expectations
  # file). No proactive fetching (the default); the internal (in-memory) cache lives and dies
  # with the daemon.
  cat >"$work/sts/mta-sts-daemon.yml" <<EOF
# Written by tests/interop/postfix-sender.sh (MXTLS_STS_RESOLVER=1)
host: 127.0.0.1
port: 8461
# (reuse_port: false crashes 1.1.2's responder.start(): 'opts' is only set when true)
reuse_port: true
shutdown_timeout: 2
cache_grace: ${MXTLS_STS_CACHE_GRACE:-0}
proactive_policy_fetching:
  enabled: false
cache:
  type: internal
  options:
    cache_size: 10000
default_zone:
  strict_testing: false
  timeout: 4
  require_sni: true
EOF
  echo "postfix-mta-sts-resolver $(dpkg-query -W -f='${Version}' postfix-mta-sts-resolver 2>/dev/null || echo '?'): mta-sts-daemon config in $work/sts (started by the first trigger)"
fi

# Creates the queue directories with their owners and modes; the instance is not started here.
postfix -c "$pf/etc" check >"$work/postfix-check.log" 2>&1 || { cat "$work/postfix-check.log" >&2; exit 3; }
echo "Postfix $(postconf -d -h mail_version): private send-only instance in $pf (started by the first trigger)"

# --- the sender suite ----------------------------------------------------------------------
# The trigger starts the instance on first use (flock: cases run 8 at a time; -o: the master
# must not inherit the lock), then hands the message to Postfix's sendmail. The flush makes the
# queue manager forget dead destinations and retry deferred mail now: one flush, one attempt.
etc="$pf/etc"
start="postfix -c $etc status >/dev/null 2>&1 || postfix -c $etc start >>$pf/start.log 2>&1"
if [[ -n "$sts" ]]; then
  # The daemon first (Postfix's first lookup must find it listening), in a session of its own
  # so that the trigger's timeout does not kill it; its pid file names that process group.
  cat >"$work/sts/start.sh" <<EOF
#!/usr/bin/env bash
pidfile=$work/sts/daemon.pid
if ! { [[ -s \$pidfile ]] && kill -0 "\$(cat \$pidfile)" 2>/dev/null; }; then
  setsid mta-sts-daemon -c $work/sts/mta-sts-daemon.yml -l $work/sts/daemon.log -v debug \\
    </dev/null >>$work/sts/daemon.out 2>&1 &
  echo \$! >\$pidfile
  for _ in \$(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/8461) 2>/dev/null && break
    kill -0 "\$(cat \$pidfile)" 2>/dev/null || break
    sleep 0.1
  done
fi
$start
EOF
  chmod 755 "$work/sts/start.sh"
  start="$work/sts/start.sh"
fi
inject="flock -o $pf/start.lock sh -c '$start' && sendmail -C $etc -f {from} {to} < {message_file}"
flush="postqueue -c $etc -f"

expect_args=()
if [[ -z "${MXTLS_NO_EXPECT:-}" ]]; then
  expect_args=(--expect "${MXTLS_EXPECT:-$default_expect}")
fi
case_args=()
if [[ -n "${MXTLS_CASE:-}" ]]; then case_args=(--case "$MXTLS_CASE"); fi
out="${report_dir:-$work/report}"
mkdir -p "$out"
set +e
timeout --kill-after=10 "${MXTLS_SUITE_TIMEOUT:-400}" \
  "$conform" sender --inject "$inject" --flush "$flush" --resolver-mode ad-bit \
  --observe "${MXTLS_OBSERVE:-6}" --trigger-timeout 20 --timeout-scale 2 \
  --work-dir "$work/suite" --spec-dir "$root/spec/requirements" --report-dir "$out" \
  "${case_args[@]}" "${expect_args[@]}" &
conform_pid=$!
wait "$conform_pid"
rc=$?
conform_pid=""
set -e
exit $rc
