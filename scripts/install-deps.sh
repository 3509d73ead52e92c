#!/bin/sh
# Installs every build and test dependency of mxtls from Debian 12 packages.
# Idempotent: does nothing when all packages are present; runs `apt-get update` at most once.
set -eu

PKGS="build-essential cmake pkg-config ccache git ca-certificates
libboost1.81-dev libboost-json1.81-dev
libbotan-2-dev botan
libldns-dev ldnsutils
librapidcheck-dev libgtest-dev libgmock-dev libbenchmark-dev
clang-14 libclang-rt-14-dev
swaks libnet-ssleay-perl libio-socket-ssl-perl libnet-dns-perl openssl postfix
postfix-mta-sts-resolver
util-linux iproute2
dns-root-data
chromium"

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

missing=""
for p in $PKGS; do
  # dpkg-query exits non-zero or prints a non-"install ok installed" status for absent packages.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Postfix (smtp-source and the benchmark's smtpd) must install without its debconf dialogue
# and without configuring a system mailer; preseeding is idempotent.
case "$missing" in
  *postfix*) echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections ;;
esac
$SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
# postfix-mta-sts-resolver (tests/interop/postfix-sts-sender.sh runs a private mta-sts-daemon
# inside the sender suite's namespaces) enables and starts a system mta-sts-daemon on
# 127.0.0.1:8461 on install; the tests need no system instance: stop and disable it.
case "$missing" in
  *postfix-mta-sts-resolver*)
    if [ -d /run/systemd/system ]; then
      $SUDO systemctl disable --now postfix-mta-sts-resolver.service || true
    else
      $SUDO service postfix-mta-sts-resolver stop >/dev/null 2>&1 || true
      $SUDO update-rc.d postfix-mta-sts-resolver disable >/dev/null 2>&1 || true
    fi
    ;;
esac
