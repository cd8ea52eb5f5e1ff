#!/usr/bin/env bash
# run.sh — the meson entry for the BPMN/Mermaid parser checks.  Skips (77)
# when `npm ci` has not been run in tests/bpmn (tools/test.sh runs it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/bpmn-moddle" ] || ! command -v node >/dev/null; then
  echo "tests/bpmn: run 'npm ci --prefix tests/bpmn' first (tools/test.sh does)"
  exit 77
fi
exec node "$here/check-bpmn.mjs" "$@"
