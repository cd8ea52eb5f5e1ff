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

# The malware scanner every upload passes through (docs/OPERATIONS.md, "Uploaded
# files"): Debian's clamd, which needs ClamAV's databases in /var/lib/clamav.
# Without them uploads are held, never accepted unscanned.
if [ ! -S /run/clamav/clamd.ctl ]; then
  if ls /var/lib/clamav/*.c[lv]d >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    echo "motcua: starting clamd (Debian's clamav-daemon) to scan uploads"
    install -d -o clamav -g clamav /run/clamav 2>/dev/null || true
    clamd || echo "motcua: clamd did not start: uploads are held until it runs (docs/OPERATIONS.md)"
  else
    echo "motcua: no clamd answers and no ClamAV database is in /var/lib/clamav: uploads will be held,"
    echo "motcua: never accepted unscanned, until clamd runs with one (docs/OPERATIONS.md, \"Uploaded files\")"
  fi
fi

echo "motcua: the server on ./data with api/motcuad.conf (docs/OPERATIONS.md; docs/PROTOCOL.md for clients)"
echo "motcua: open  http://127.0.0.1:8080/  (the procedures citizens can file; curl http://127.0.0.1:8080/healthz)"
exec build/api/motcuad --config api/motcuad.conf --data data
