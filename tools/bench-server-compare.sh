#!/usr/bin/env bash
# bench-server-compare.sh — motcuad against another build of it, side by side
# in one sitting: tools/bench-server.sh runs ROUNDS times for each, the two
# alternating (this tree's load generator drives both), and the motcuad rows
# and wrk's figure are printed beside each other with their ratio (mean of the
# rounds).  The baseline is any motcuad binary, e.g. a release build of an
# earlier commit:
#
#   git worktree add /tmp/base <commit> && (cd /tmp/base && meson setup build-bench --buildtype=release &&
#     ninja -C build-bench api/motcuad)
#   tools/bench-server-compare.sh /tmp/base/build-bench/api/motcuad [ROUNDS (2)] [WINDOW (3)]
#
# The row "1000, applicants subscribed" is where the subscription index
# (api/subs.h) shows: every applicant follows its own dossiers, so each
# event used to be matched against every connection's subscriptions.
# Prints figures, never fails on them.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: tools/bench-server-compare.sh BASELINE_MOTCUAD [ROUNDS] [WINDOW]}
rounds=${2:-2}
window=${3:-3}
out=$(mktemp -d /tmp/motcua-bench-compare-XXXXXX)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
  echo "round $r of $rounds: this tree's motcuad" >&2
  "$here/tools/bench-server.sh" "$window" >"$out/main-$r.txt" 2>&1 || true
  echo "round $r of $rounds: the baseline $base" >&2
  MOTCUA_BENCH_MOTCUAD=$base "$here/tools/bench-server.sh" "$window" >"$out/base-$r.txt" 2>&1 || true
done
# The mean of a row's first figure (commands/s) and of its p99 over the rounds.
mean() { # who label column
  local who=$1 label=$2 col=$3
  cat "$out/$who"-*.txt | awk -v l="$label" -v c="$col" 'index($0, l) == 1 {
      n = split(substr($0, length(l) + 1), f, " "); s += f[c]; k++ }
    END { if (k) printf "%.0f", s / k; else print "-" }'
}
wrk_mean() {
  cat "$out/$1"-*.txt | awk '/^wrk, GET/ { for (i = 1; i <= NF; i++) if ($(i+1) == "requests/s,") { s += $i; k++ } }
    END { if (k) printf "%.0f", s / k; else print "-" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
printf '\n%-40s %12s %12s %7s %12s %12s\n' "mean of $rounds rounds, ${window} s windows" "commands/s" "baseline" "ratio" "p99 ms" "baseline"
for label in "motcuad, 100 connections" "motcuad, 1000 connections" "motcuad, 1000, applicants subscribed"; do
  a=$(mean main "$label" 1) b=$(mean base "$label" 1)
  pa=$(mean main "$label" 3) pb=$(mean base "$label" 3)
  printf '%-40s %12s %12s %7s %12s %12s\n' "$label" "$a" "$b" "$(ratio "$a" "$b")" "$pa" "$pb"
done
a=$(wrk_mean main) b=$(wrk_mean base)
printf '%-40s %12s %12s %7s\n' "wrk GET /api/status/CODE, requests/s" "$a" "$b" "$(ratio "$a" "$b")"
