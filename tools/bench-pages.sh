#!/usr/bin/env bash
# bench-pages.sh — what the citizen's pages cost on first load, beside a
# static page of the same size served by the same motcuad, on loopback and on
# an emulated slow mobile link (tests/e2e/bench-pages.mjs says what is
# measured; tools/bench-browser.sh how it runs).
exec "$(dirname "$0")/bench-browser.sh" pages
