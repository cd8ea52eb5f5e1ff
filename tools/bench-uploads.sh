#!/usr/bin/env bash
# bench-uploads.sh — uploads through motcuad beside their ceilings in one run
# (tools/bench/bench_uploads.py says what is measured): a 20 MB upload in MB/s
# beside a plain write with fsync and clamd alone; motcuad's memory while ten
# arrive at once; small scans per second through motcuad beside clamd alone.
#
#   tools/bench-uploads.sh [SIZE_MB]     (default 20)
#
# Builds into build-bench/ (release) unless MOTCUA_BENCH_BUILD names another.
# Starts its own clamd (Debian's clamav-daemon, tools/deps.sh) and motcuad on
# loopback, and stops them.  Prints figures, never fails on them.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${MOTCUA_BENCH_BUILD:-$here/build-bench}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" api/motcuad >/dev/null
exec /usr/bin/python3 "$here/tools/bench/bench_uploads.py" "$build/api/motcuad" "${1:-20}"
