#!/usr/bin/env bash
# test.sh — the README's second command: installs what is missing, builds,
# and runs every test twice: in a normal build with warnings as errors, and
# under AddressSanitizer + UndefinedBehaviorSanitizer; then the fuzzers for a
# fixed budget.  Exits non-zero on any failure.  Safe to run any number of
# times.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh

# Each phase prints what it took; README.md ("The test budget") says what
# each may take.  The budgets are kept by the suites' fixed budgets and
# meson's timeouts, never checked here: the machines are shared.
phase_start=$SECONDS
took() { echo "== $1 took $((SECONDS - phase_start)) s"; phase_start=$SECONDS; }

motcua_install_deps "${MOTCUA_TEST_PACKAGES[@]}"
motcua_service_user

jobs=$(nproc 2>/dev/null || echo 2)

# bpmn.io's and Mermaid's own parsers check the drawings (tests/bpmn);
# playwright-core and axe-core drive Debian's Chromium (tests/e2e).
npm ci --prefix tests/bpmn --no-audit --no-fund --loglevel=error
npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
took "installing what was missing"

build_and_test() { # dir, "meson test options", meson options...
  local dir=$1 test_opts=$2
  shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  else
    meson configure "$dir" "$@" >/dev/null
  fi
  meson compile -C "$dir"
  took "building $dir"
  # shellcheck disable=SC2086
  meson test -C "$dir" --print-errorlogs --num-processes "$jobs" $test_opts
  took "testing in $dir"
}

echo "== build with warnings as errors, and test"
build_and_test build-test "" -Dwerror=true --buildtype=debugoptimized

# The browser suites drive the pages once, in the build above: the server
# under the sanitizers is tested by every other suite.
echo "== build with AddressSanitizer + UndefinedBehaviorSanitizer, and test"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build_and_test build-san "--no-suite browser" -Dwerror=true --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

echo "== fuzzing (fixed budget: 60 s for the DSL, 20 s for calendars)"
tools/fuzz.sh 60 20
took "fuzzing"

echo "== all tests passed in $SECONDS s"
