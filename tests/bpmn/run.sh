#!/usr/bin/env bash
# run.sh — the meson entry for the BPMN/Mermaid checks: the parsers
# (check-bpmn.mjs), then bpmnlint's recommended rules (lint-bpmn.mjs).  Skips
# (77) when `npm ci` has not been run in tests/bpmn (tools/test.sh runs it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/bpmn-moddle" ] || [ ! -d "$here/node_modules/bpmnlint" ] || ! command -v node >/dev/null; then
  echo "tests/bpmn: run 'npm ci --prefix tests/bpmn' first (tools/test.sh does)"
  exit 77
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 18 ]; then
  echo "tests/bpmn needs Node.js 18 or later (found $(node --version 2>/dev/null)); the packages are pinned to versions that run on Debian 12's Node 18"
  exit 1
fi
status=0
node "$here/check-bpmn.mjs" "$@" || status=1
node "$here/lint-bpmn.mjs" "$@" || status=1
exit $status
