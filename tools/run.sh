#!/usr/bin/env bash
# run.sh — the README's first command: installs what is missing, builds, and
# runs motcua's main job: the server motcuad on a local data directory
# (data/), with the bundled workflows published on its first start and a
# first administrator whose one-time password is printed once.  Stop it with
# Ctrl-C (SIGINT): it finishes what is in flight and closes cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
motcua_install_deps
motcua_service_user

[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized
meson compile -C build

echo "motcua: the server on ./data with api/motcuad.conf (docs/OPERATIONS.md; docs/PROTOCOL.md for clients)"
echo "motcua: try  curl 'http://127.0.0.1:8080/api/catalogue?q=khai+sinh'  and  curl http://127.0.0.1:8080/healthz"
exec build/api/motcuad --config api/motcuad.conf --data data
