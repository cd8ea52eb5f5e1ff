#!/usr/bin/env bash
# fuzz.sh — runs the libFuzzer targets for a fixed time each (the test
# command's budget), or longer when asked:
#   tools/fuzz.sh [SECONDS_FOR_DSL [SECONDS_FOR_CALENDAR]]
# Builds build-fuzz/ with clang, AddressSanitizer and libFuzzer; the corpus
# starts from the bundled workflows and the golden error cases and grows in
# build-fuzz/corpus-*/.  A crash leaves its input in build-fuzz/ and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
motcua_install_deps clang libclang-rt-14-dev

dsl_seconds=${1:-60}
calendar_seconds=${2:-20}

if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link --buildtype=debugoptimized
fi
meson compile -C build-fuzz fuzz-dsl fuzz-calendar

mkdir -p build-fuzz/corpus-dsl build-fuzz/corpus-calendar
cp -n workflows/*/*.mc tests/unit/dsl/errors/*.mc build-fuzz/corpus-dsl/ 2>/dev/null || true
cp -n workflows/calendars/*.cal tests/unit/calendar/calendar-errors/*.cal build-fuzz/corpus-calendar/ 2>/dev/null || true

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
cd build-fuzz
echo "== fuzzing the DSL for ${dsl_seconds}s"
./tools/fuzz/fuzz-dsl -max_total_time="$dsl_seconds" -max_len=65536 -timeout=10 -print_final_stats=1 corpus-dsl 2>&1 | tail -n 12
echo "== fuzzing calendars for ${calendar_seconds}s"
./tools/fuzz/fuzz-calendar -max_total_time="$calendar_seconds" -max_len=16384 -timeout=10 -print_final_stats=1 corpus-calendar 2>&1 | tail -n 12
