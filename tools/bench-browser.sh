#!/usr/bin/env bash
# bench-browser.sh NAME — runs the browser benchmark named NAME (tests/e2e/bench-pages.mjs,
# tests/e2e/bench-console.mjs) against a release motcuad (tools/bench-pages.sh, tools/bench-console.sh say
# what each measures).  Needs the browser toolchain (npm ci --prefix
# tests/e2e, Debian's chromium: tools/test.sh installs both).  Builds into
# build-bench/ (release) unless MOTCUA_BENCH_BUILD names another.  Prints
# figures, never fails on them.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${MOTCUA_BENCH_BUILD:-$here/build-bench}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" api/motcuad tools/motcua >/dev/null
exec node "$here/tests/e2e/bench-$1.mjs" "$build/api/motcuad" "$build/tools/motcua"
