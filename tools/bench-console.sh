#!/usr/bin/env bash
# bench-console.sh — what the officials' console costs at a busy desk: a
# reception queue of 10,000 dossiers opened and scrolled to its end, and a
# citizen's submit until it shows in the queue, each beside the same page over
# an empty queue in the same run (tests/e2e/bench-console.mjs says what is
# measured, MOTCUA_BENCH_DOSSIERS changes the 10,000; tools/bench-browser.sh
# how it runs).
exec "$(dirname "$0")/bench-browser.sh" console
