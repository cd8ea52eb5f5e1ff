#!/usr/bin/env bash
# run.sh — the README's first command: installs what is missing, builds, and
# runs motcua's main job on the bundled defaults.
#
# Until the server (motcuad) exists, the main job is the command line: it
# shows what the tools can do, checks the bundled workflows, computes a
# deadline on the bundled calendar, and rehearses a dossier on data/.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
motcua_install_deps

[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized
meson compile -C build

motcua=build/tools/motcua
"$motcua" help
echo
echo "The bundled procedures, policies and agency directory:"
"$motcua" check
echo
echo "Example: a dossier received at 16:00 on Tuesday 10 February 2026 (just before Tết),"
echo "due in 3 working days with the 15:00 cut-off:"
"$motcua" deadline --from 2026-02-10T16:00 --add "3 working days" --cutoff 15:00 --explain
echo
echo "A rehearsal on a local data directory (data/): the bundle published, one birth"
echo "registration filed online and accepted."
"$motcua" publish data --now 2026-02-09T08:00 --from 2026-01-01T00:00
if ! "$motcua" dossier data show H13.X01-260210-0001 >/dev/null 2>&1; then
  "$motcua" dossier data submit --procedure 1.001193 --agency H13.X01 --as cd-001:applicant \
    --now 2026-02-10T09:00 --form-json '{"child_name":"Nguyễn Minh An","birth_date":"2026-02-01","gender":"Nam","birth_place":"Bắc Ninh","mother_id":"027190001234","phone":"0912345678"}'
  "$motcua" dossier data act H13.X01-260210-0001 accept --as lan:reception:H13.X01 --now 2026-02-10T10:00
fi
"$motcua" audit replay data --dossier H13.X01-260210-0001
echo
echo "What the applicant and reception are told, waiting for delivery (motcua deliver --smtp ...):"
"$motcua" outbox data
