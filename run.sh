#!/usr/bin/env bash
# ./run.sh — installs the dependencies, builds mxtls, and runs the main job.
# Until the conformance runner exists, the main job lints the bundled example records
# in examples/ with `mxtls-conform lint` and checks each verdict against the example's
# name: good-* must be valid, bad-* invalid.
set -euo pipefail
cd "$(dirname "$0")"
./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target mxtls-conform
exec ./scripts/lint-examples.sh build/release/conformance/mxtls-conform examples
