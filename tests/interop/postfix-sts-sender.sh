#!/usr/bin/env bash
# Runs the SENDER suite against Postfix + postfix-mta-sts-resolver (Debian's packages: Postfix
# 3.7 with the Snawoot MTA-STS daemon as its smtp_tls_policy_maps socketmap): the private
# send-only Postfix instance of tests/interop/postfix-sender.sh, plus a private mta-sts-daemon
# that the same trigger starts inside the suite's namespaces. Verdicts must match
# conformance/expectations/postfix-3.7-mta-sts-resolver-sender.txt.
#
# usage: tests/interop/postfix-sts-sender.sh MXTLS_CONFORM [REPORT_DIR]
# environment and exit status: as tests/interop/postfix-sender.sh (77 also when mta-sts-daemon
# is not installed); MXTLS_STS_CACHE_GRACE overrides the daemon's cache_grace (default 0).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MXTLS_STS_RESOLVER=1 exec "$here/postfix-sender.sh" "$@"
