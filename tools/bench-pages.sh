#!/usr/bin/env bash
# bench-pages.sh — what the citizen's pages cost on first load, beside a
# static page of the same size served by the same motcuad, on loopback and on
# an emulated slow mobile link (tests/e2e/bench-pages.mjs says what is
# measured).  Needs the browser toolchain (npm ci --prefix tests/e2e, Debian's
# chromium: tools/test.sh installs both).  Builds into build-bench/ (release)
# unless MOTCUA_BENCH_BUILD names another.  Prints figures, never fails on them.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${MOTCUA_BENCH_BUILD:-$here/build-bench}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" api/motcuad tools/motcua >/dev/null
exec node "$here/tests/e2e/bench-pages.mjs" "$build/api/motcuad" "$build/tools/motcua"
