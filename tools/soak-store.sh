#!/usr/bin/env bash
# soak-store.sh — the store's crash test, long: a writer SIGKILLed at random
# moments N times (default 5000; the test command runs 200), each time
# checking that every acknowledged event survived, the chain verifies and
# the projections equal a rebuild.  Usage: tools/soak-store.sh [KILLS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-5000}
build=${2:-build-store}
[ -f "$build/build.ninja" ] || meson setup "$build"
meson compile -C "$build" tests/unit/test_storage_crash
MOTCUA_LOG=warn MOTCUA_CRASH_KILLS=$kills "$build/tests/unit/test_storage_crash"
