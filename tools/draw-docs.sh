#!/usr/bin/env bash
# draw-docs.sh — draws every bundled procedure for docs/DSL.md:
# docs/pictures/<procedure>.svg (Graphviz) and .mmd (Mermaid, which the docs
# also embed).  With --check, only verifies that the committed .mmd files
# match what the bundled workflows draw today (the test command runs this).
# Usage: tools/draw-docs.sh [--check] [path/to/motcua]
set -euo pipefail
check=false
if [ "${1:-}" = "--check" ]; then check=true; shift; fi
motcua=${1:-}
[ -z "$motcua" ] || motcua=$(realpath "$motcua")
cd "$(dirname "$0")/.."
motcua=${motcua:-build/tools/motcua}
status=0
mkdir -p docs/pictures
for f in workflows/procedures/*.mc; do
  name=$(basename "$f" .mc)
  if $check; then
    if ! "$motcua" graph "$f" --format mermaid | cmp -s - "docs/pictures/$name.mmd"; then
      echo "docs/pictures/$name.mmd is out of date: run tools/draw-docs.sh" >&2
      status=1
    fi
  else
    "$motcua" graph "$f" --format mermaid -o "docs/pictures/$name.mmd"
    "$motcua" graph "$f" --format svg -o "docs/pictures/$name.svg"
    echo "drew $name"
  fi
done
exit $status
