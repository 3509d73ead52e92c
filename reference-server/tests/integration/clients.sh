#!/usr/bin/env bash
# Drives a real mxtls-serve with real clients on 127.0.0.1 (ephemeral ports): swaks over
# STARTTLS and implicit TLS, openssl s_client -starttls smtp and on the implicit-TLS
# port, Postfix's smtp-source for volume; checks the banner directive (BAN-16), STARTTLS
# rules (TLS-4.2-06, TLS-4.2-08, P26-04, P26-05), delivery with the Received header,
# print-dns (TLSA 3 1 1 equals openssl's SPKI digest), config errors and the SIGTERM drain.
# usage: clients.sh /path/to/mxtls-serve
set -uo pipefail
SERVE=${1:?usage: clients.sh /path/to/mxtls-serve}
for tool in swaks openssl smtp-source timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "clients.sh: $tool is missing (run scripts/install-deps.sh)"; exit 1; }
done
[ -x /usr/sbin/smtp-source ] || true

W=$(mktemp -d /tmp/mxtls-serve-clients-XXXXXX)
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
  rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1

passed=0
failed=0
check() {  # check NAME COMMAND...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}
contains() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }

# --- a test CA and a server certificate for smtps-mx.example.org, made now -------------
HOST=smtps-mx.example.org
DIRECTIVE="strict-tls=*.example.org; max-age=86400"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 \
  -subj "/CN=mxtls clients.sh CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
  -subj "/CN=$HOST" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:mta-sts.example.org\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' "$HOST" > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out server.pem \
  -extfile ext.cnf 2>/dev/null
[ -s server.pem ] || { echo "clients.sh: could not make the test certificate"; exit 1; }

printf 'version: STSv1\nmode: enforce\nmx: %s\nmax_age: 86400\n' "$HOST" > policy.txt
cat > mxtls.conf <<CONF
# mxtls-serve config written by clients.sh
hostname = $HOST
domain = example.org
cert = $W/server.pem
key = $W/server.key
maildir = $W/Maildir
listen = 127.0.0.1:0
listen_implicit = 127.0.0.1:0
strict_tls = "$DIRECTIVE"
log_file = $W/serve.log
timeout_command = 20s
drain_grace = 5s
mta_sts_policy = $W/policy.txt
mta_sts_listen = 127.0.0.1:0
CONF

"$SERVE" --config mxtls.conf &
PID=$!
for _ in $(seq 1 200); do grep -q "event=start" serve.log 2>/dev/null && break; sleep 0.05; done
P25=$(grep -o 'listener=starttls address=[^ ]* port=[0-9]*' serve.log | sed 's/.*port=//')
P26=$(grep -o 'listener=implicit address=[^ ]* port=[0-9]*' serve.log | sed 's/.*port=//')
P443=$(grep -o 'listener=mta-sts address=[^ ]* port=[0-9]*' serve.log | sed 's/.*port=//')
[ -n "$P25" ] && [ -n "$P26" ] || { echo "clients.sh: mxtls-serve did not start"; cat serve.log; exit 1; }
echo "mxtls-serve pid $PID: STARTTLS on $P25, implicit TLS on $P26"
count_new() { find Maildir/new -type f | wc -l; }

# --- swaks: delivery over STARTTLS (certificate verified against the test CA) ----------
out=$(timeout 30 swaks --server 127.0.0.1 --port "$P25" --tls --tls-verify --tls-ca-path ca.pem \
  --ehlo client.example.com --from sender@client.example.com --to user@example.org \
  --header "Subject: over starttls" 2>&1)
check "swaks STARTTLS: 250 after DATA" contains "$out" "<~  250 2.0.0 Ok: queued as"
check "swaks STARTTLS: plaintext greeting carries the directive (BAN-16)" contains "$out" "<-  220 $HOST ESMTP mxtls-serve $DIRECTIVE"
check "swaks STARTTLS: post-TLS EHLO first line carries the directive (BAN-16)" \
  contains "$out" "<~  250-$HOST Hello client.example.com $DIRECTIVE"
check "swaks STARTTLS: REQUIRETLS only after TLS (RTLS-2-01)" contains "$out" "<~  250-REQUIRETLS"
check "swaks STARTTLS: no STARTTLS after TLS (TLS-4.2-06)" lacks "$out" "<~  250-STARTTLS"
msg=$(grep -l "Subject: over starttls" Maildir/new/* 2>/dev/null | head -1)
check "STARTTLS message is in Maildir/new" test -n "$msg"
[ -n "$msg" ] && check "STARTTLS message has the Received header with TLS facts" \
  grep -qE "^	by $HOST \(mxtls-serve\) with ESMTPS id" "$msg"
[ -n "$msg" ] && check "STARTTLS message names the TLS version" grep -q "(using TLS" "$msg"

# --- swaks: delivery over implicit TLS (port 26) -----------------------------------------
out=$(timeout 30 swaks --server 127.0.0.1 --port "$P26" --tls-on-connect --tls-verify --tls-ca-path ca.pem \
  --ehlo client.example.com --from sender@client.example.com --to user@example.org \
  --header "Subject: over implicit tls" 2>&1)
check "swaks implicit TLS: 250 after DATA" contains "$out" "<~  250 2.0.0 Ok: queued as"
check "swaks implicit TLS: greeting inside TLS carries the directive (BAN-16, P26-02)" \
  contains "$out" "<~  220 $HOST ESMTP mxtls-serve $DIRECTIVE"
check "swaks implicit TLS: no STARTTLS advertised (P26-04)" lacks "$out" "STARTTLS"
msg=$(grep -l "Subject: over implicit tls" Maildir/new/* 2>/dev/null | head -1)
check "implicit-TLS message is in Maildir/new" test -n "$msg"
[ -n "$msg" ] && check "implicit-TLS message has the Received header" grep -q "^Received: from client.example.com (\[127.0.0.1\])" "$msg"

# --- openssl s_client -starttls smtp: post-TLS EHLO, then a second STARTTLS ---------------
out=$(printf 'EHLO c.example\nSTARTTLS\nNOOP\nQUIT\n' | timeout 30 openssl s_client -starttls smtp \
  -connect 127.0.0.1:"$P25" -servername "$HOST" -CAfile ca.pem -verify_return_error -crlf -quiet 2>&1)
check "openssl -starttls smtp: verified handshake" contains "$out" "verify return:1"
check "openssl -starttls smtp: EHLO inside TLS carries the directive" contains "$out" "250-$HOST Hello c.example $DIRECTIVE"
check "openssl -starttls smtp: second STARTTLS is 503 (TLS-4.2-08)" contains "$out" "503 5.5.1 TLS already active"
check "openssl -starttls smtp: session goes on after the 503" contains "$out" "250 2.0.0 Ok"

# --- openssl s_client on the implicit-TLS port ---------------------------------------------
out=$(printf 'EHLO c.example\nSTARTTLS\nQUIT\n' | timeout 30 openssl s_client -connect 127.0.0.1:"$P26" \
  -servername "$HOST" -CAfile ca.pem -verify_return_error -crlf -quiet 2>&1)
check "openssl port 26: greeting with the directive" contains "$out" "220 $HOST ESMTP mxtls-serve $DIRECTIVE"
check "openssl port 26: EHLO reply without STARTTLS (P26-04)" lacks "$out" "250-STARTTLS"
check "openssl port 26: STARTTLS is 503 5.5.1 (P26-05)" contains "$out" "503 5.5.1 TLS already active"
check "openssl port 26: QUIT is 221" contains "$out" "221 2.0.0 Bye"

# --- the MTA-STS policy host (net/https) ---------------------------------------------------
out=$(printf 'GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.org\r\nConnection: close\r\n\r\n' |
  timeout 30 openssl s_client -connect 127.0.0.1:"$P443" -servername mta-sts.example.org -CAfile ca.pem \
  -verify_return_error -quiet 2>&1)
check "MTA-STS host: 200 over verified HTTPS" contains "$out" "HTTP/1.1 200"
check "MTA-STS host: Content-Type text/plain" grep -qi "^content-type: text/plain" <<<"$out"
check "MTA-STS host: serves the policy file" contains "$out" "mx: $HOST"

# --- plaintext details over /dev/tcp: over-long line, relay denied --------------------------
plain() {  # plain BYTES: sends BYTES on a plaintext connection, prints what came back
  exec 3<>/dev/tcp/127.0.0.1/"$P25"
  printf '%b' "$1" >&3
  timeout 5 cat <&3
  exec 3<&-
}
long=$(head -c 600 /dev/zero | tr '\0' 'A')
out=$(plain "EHLO c.example\r\n${long}\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<u@elsewhere.example>\r\nQUIT\r\n")
check "over-long command line: 500 5.5.2 (SMTP-4.5.3.1.4-01)" contains "$out" "500 5.5.2 Line too long"
check "relaying is denied: 550 5.7.1" contains "$out" "550 5.7.1 Relay access denied"
check "the session ends with 221" contains "$out" "221 2.0.0 Bye"

# --- smtp-source: volume (plaintext port 25 is allowed, TLS-4-07) ----------------------------
before=$(count_new)
start=$(date +%s)
timeout 120 smtp-source -c -m 300 -s 10 -l 2048 -f sender@client.example.com -t user@example.org \
  127.0.0.1:"$P25" > /dev/null 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
after=$(count_new)
echo "smtp-source: $((after - before)) messages in ${elapsed}s"
check "smtp-source: exit 0" test "$rc" -eq 0
check "smtp-source: 300 messages in Maildir/new" test $((after - before)) -eq 300

# --- print-dns ----------------------------------------------------------------------------
dns=$("$SERVE" print-dns --config mxtls.conf 2>&1)
want=$(openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
check "print-dns: MX with the smtps- target" grep -qP "^example\.org\.\t3600\tIN\tMX\t10 $HOST\.$" <<<"$dns"
check "print-dns: TLSA 3 1 1 at _25._tcp equals the SPKI digest" grep -qF "_25._tcp.$HOST.	3600	IN	TLSA	3 1 1 $want" <<<"$dns"
check "print-dns: TLSA 3 1 1 at _26._tcp (P26-10)" grep -qF "_26._tcp.$HOST.	3600	IN	TLSA	3 1 1 $want" <<<"$dns"
check "print-dns: _smtp._tls placeholder is marked EDIT" contains "$dns" "; EDIT:"
dns=$("$SERVE" print-dns --config mxtls.conf --mta-sts-policy policy.txt --tlsrpt-rua mailto:tlsrpt@example.org 2>&1)
check "print-dns: _mta-sts TXT with an ALPHA/DIGIT id (STS-3.1-04)" grep -qP '^_mta-sts\.example\.org\.\t3600\tIN\tTXT\t"v=STSv1; id=[0-9a-f]{16}"$' <<<"$dns"
check "print-dns: rua from the config" contains "$dns" '"v=TLSRPTv1; rua=mailto:tlsrpt@example.org"'
dns=$("$SERVE" print-dns --hostname mx.example.org --domain example.org 2>&1)
check "print-dns: without implicit listener the target gets starttls- and a warning" \
  contains "$dns" "MX	10 starttls-mx.example.org."
printf 'version: STSv1\nmode: enforce\nmax_age: 86400\n' > bad-policy.txt
dns=$("$SERVE" print-dns --config mxtls.conf --mta-sts-policy bad-policy.txt 2>&1)
check "print-dns: an invalid policy file is refused with its rule" contains "$dns" "is not a valid MTA-STS policy (STS-"

# --- config errors name the file and line ---------------------------------------------------
printf 'hostname = a.example.org\n\nlisten = 127.0.0.1\n' > broken.conf
err=$("$SERVE" --config broken.conf 2>&1)
rc=$?
check "config error: exit status 2" test "$rc" -eq 2
check "config error: names file and line" contains "$err" "broken.conf:3: expected ADDRESS:PORT"
err=$("$SERVE" --config mxtls.conf --strict-tls "strict-tls=*.example.org" 2>&1)
check "invalid --strict-tls is refused at startup (BAN-03, BAN-06)" contains "$err" "strict_tls:"
err=$("$SERVE" --config mxtls.conf --mta-sts-policy bad-policy.txt 2>&1)
check "an invalid MTA-STS policy is refused at startup" contains "$err" "is not a valid MTA-STS policy"
err=$("$SERVE" --help 2>&1)
check "--help lists --listen-implicit" contains "$err" "--listen-implicit ADDR:PORT"

# --- SIGTERM drains and exits 0 --------------------------------------------------------------
kill -TERM "$PID"
for _ in $(seq 1 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
wait "$PID"
rc=$?
PID=
check "SIGTERM: exit status 0" test "$rc" -eq 0
check "SIGTERM: the log says drained" grep -q "event=drained" serve.log
check "every log line has a timestamp and an event" bash -c "! grep -v '^ts=[^ ]* .*event=' '$W/serve.log'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
