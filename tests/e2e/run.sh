#!/usr/bin/env bash
# run.sh — the meson entry for the browser tests (tests/e2e).  Skips (77)
# when `npm ci` has not been run here or Chromium is not installed
# (tools/test.sh does both); fails on a Node.js older than the pinned
# packages accept.
set -u
here=$(cd "$(dirname "$0")" && pwd)
script=${1:-toolchain.mjs}
if [ ! -d "$here/node_modules/playwright-core" ] || ! command -v node >/dev/null; then
  echo "tests/e2e: run 'npm ci --prefix tests/e2e' first (tools/test.sh does)"
  exit 77
fi
if [ ! -x "${MOTCUA_CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "tests/e2e: Debian's chromium is not installed (tools/test.sh installs it)"
  exit 77
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 18 ]; then
  echo "tests/e2e needs Node.js 18 or later (found $(node --version 2>/dev/null))"
  exit 1
fi
shift
exec node "$here/$script" "$@"
