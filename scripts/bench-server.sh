#!/usr/bin/env bash
# scripts/bench-server.sh — mxtls-serve vs Postfix smtpd, same machine, same certificate,
# same load (not a timed test). Both listen on loopback (mxtls-serve on 127.0.0.1, Postfix
# on 127.0.0.2:2525), both acknowledge a message only after it is on disk with fsync
# (mxtls-serve: Maildir; Postfix: its queue file, then the discard transport), and
# mxtls-loadgen drives each with N sessions doing EHLO, STARTTLS, EHLO and M messages.
# Then 1,000 idle connections measure mxtls-serve's memory per idle connection.
# Environment: SESSIONS (default 50), MESSAGES (20), SIZE (2048), IDLE (1000), BUILD_DIR.
# Results are recorded in BENCHMARKS.md ("## mxtls-serve vs Postfix smtpd").
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${SESSIONS:-50}
MESSAGES=${MESSAGES:-20}
SIZE=${SIZE:-2048}
IDLE=${IDLE:-1000}
BUILD_DIR=${BUILD_DIR:-build/release}

./scripts/install-deps.sh
if [ "$BUILD_DIR" = build/release ]; then cmake --preset release >/dev/null; else cmake -B "$BUILD_DIR" >/dev/null; fi
cmake --build "$BUILD_DIR" -j2 --target mxtls-serve mxtls-loadgen
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$PWD/$BUILD_DIR ;; esac
SERVE=$BUILD_DIR/reference-server/mxtls-serve
LOADGEN=$BUILD_DIR/reference-server/mxtls-loadgen
[ "$(id -u)" -eq 0 ] || { echo "bench-server: Postfix's master must run as root"; exit 1; }
ulimit -n "$(ulimit -Hn)"

W=$(mktemp -d /tmp/mxtls-bench-server-XXXXXX)
chmod 755 "$W"
SERVE_PID=
PF_CONF=$W/postfix/etc
cleanup() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true; fi
  if [ -f "$PF_CONF/main.cf" ]; then postfix -c "$PF_CONF" stop >/dev/null 2>&1 || true; fi
  sleep 0.5
  rm -rf "$W"
}
trap cleanup EXIT

# --- one certificate for both servers ------------------------------------------------------
HOST=smtps-mx.example.org
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/ca.key" -out "$W/ca.pem" \
  -days 2 -subj "/CN=bench CA" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/server.key" -out "$W/server.csr" \
  -subj "/CN=$HOST" 2>/dev/null
printf 'subjectAltName=DNS:%s\n' "$HOST" > "$W/ext.cnf"
openssl x509 -req -in "$W/server.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 2 \
  -extfile "$W/ext.cnf" -out "$W/server.pem" 2>/dev/null
chmod 644 "$W/server.key"

# --- mxtls-serve -----------------------------------------------------------------------------
"$SERVE" --hostname "$HOST" --domain example.org --cert "$W/server.pem" --key "$W/server.key" \
  --maildir "$W/Maildir" --listen 127.0.0.1:0 --max-connections 5000 --max-connections-per-ip 5000 \
  --log-file "$W/serve.log" &
SERVE_PID=$!
for _ in $(seq 1 200); do grep -q "event=start" "$W/serve.log" 2>/dev/null && break; sleep 0.05; done
SERVE_PORT=$(grep -o 'listener=starttls address=[^ ]* port=[0-9]*' "$W/serve.log" | sed 's/.*port=//')

# --- Postfix smtpd in a private instance --------------------------------------------------------
mkdir -p "$PF_CONF" "$W/postfix/queue" "$W/postfix/data"
cat > "$PF_CONF/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $W/postfix/queue
data_directory = $W/postfix/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = $HOST
mydestination =
relay_domains = example.org
transport_maps = inline:{ example.org=discard: }
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
local_recipient_maps =
smtpd_tls_cert_file = $W/server.pem
smtpd_tls_key_file = $W/server.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 0
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
default_process_limit = 200
maillog_file = $W/postfix/maillog
maillog_file_prefixes = $W
CF
# The packaged master.cf, with its smtp listener moved to 127.0.0.2:2525 and no chroot.
awk '
  /^smtp[ \t]+inet/ { print "127.0.0.2:2525 inet n - n - - smtpd"; next }
  /^#/ || /^[ \t]/ || NF == 0 { print; next }
  { $5 = "n"; print }
' /etc/postfix/master.cf > "$PF_CONF/master.cf"
grep -q '^postlog' "$PF_CONF/master.cf" || echo "postlog unix-dgram n - n - 1 postlogd" >> "$PF_CONF/master.cf"
postfix -c "$PF_CONF" set-permissions >/dev/null 2>&1 || true
# Postfix reports its fatal errors to syslog only, unless stderr is a terminal: script(1).
script -qec "postfix -c $PF_CONF check && postfix -c $PF_CONF start" /dev/null
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.2/2525) 2>/dev/null && break; sleep 0.1; done
PF_MASTER=$(head -1 "$W/postfix/queue/pid/master.pid" | tr -d ' ')

run() {  # run NAME HOST PORT PID
  "$LOADGEN" --host "$2" --port "$3" --sessions "$SESSIONS" --messages "$MESSAGES" --size "$SIZE" \
    --ca "$W/ca.pem" --sni "$HOST" --pid "$4"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "bench-server: $SESSIONS sessions x $MESSAGES messages of $SIZE octets, STARTTLS, fsync before 250"
run warmup 127.0.0.1 "$SERVE_PORT" "$SERVE_PID" >/dev/null || true
MX=$(run mxtls-serve 127.0.0.1 "$SERVE_PORT" "$SERVE_PID")
run warmup 127.0.0.2 2525 "$PF_MASTER" >/dev/null || true
PF=$(run postfix 127.0.0.2 2525 "$PF_MASTER")
IDLE_OUT=$("$LOADGEN" --host 127.0.0.1 --port "$SERVE_PORT" --idle "$IDLE" --pid "$SERVE_PID")

printf '\n%-22s %14s %14s\n' "" "mxtls-serve" "Postfix smtpd"
for f in msgs_per_s p50_ms p99_ms server_peak_rss_kib delivered failed_sessions; do
  printf '%-22s %14s %14s\n' "$f" "$(field "$f" "$MX")" "$(field "$f" "$PF")"
done
ratio=$(awk -v a="$(field msgs_per_s "$MX")" -v b="$(field msgs_per_s "$PF")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
echo "ratio msgs/s (mxtls-serve / Postfix): $ratio (target >= 2)"
echo "$IDLE_OUT (target <= 64 KiB)"
echo "Postfix: $(postconf -d mail_version | cut -d' ' -f3), mxtls-serve $(nproc) cores, $(date -u +%Y-%m-%d)"
