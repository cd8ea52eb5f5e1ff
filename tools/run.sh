#!/usr/bin/env bash
# run.sh — the README's first command: installs what is missing, builds, and
# runs motcua's main job on the bundled defaults.
#
# Until the server (motcuad) exists, the main job is the command line: it
# shows what the tools can do and computes a deadline on the bundled calendar.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
motcua_install_deps

[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized
meson compile -C build

motcua=build/tools/motcua
"$motcua" help
echo
echo "Example: a dossier received now, due in 3 working days (cut-off 15:00):"
"$motcua" deadline --add "3 working days" --cutoff 15:00 --explain
