#!/usr/bin/env bash
# soak-server.sh — motcuad holding CONNECTIONS WebSockets (5,000) for DURATION
# seconds (1,800), logged in, subscribed, pinging, a few filing; its memory
# sampled every 30 s, and a verdict: flat, no connection lost
# (tools/soak_server.py says how).  Not part of the test command: it takes
# half an hour.  Release build in build-bench/ (MOTCUA_BENCH_BUILD for another).
#
#   tools/soak-server.sh [CONNECTIONS] [DURATION]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${MOTCUA_BENCH_BUILD:-$here/build-bench}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" api/motcuad >/dev/null
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec /usr/bin/python3 "$here/tools/soak_server.py" "$build/api/motcuad" "${1:-5000}" "${2:-1800}"
