#!/usr/bin/env bash
# ./test.sh — installs the dependencies (Debian 12 packages), builds mxtls, runs every test.
set -euo pipefail
cd "$(dirname "$0")"
./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
ctest --preset release "$@"
