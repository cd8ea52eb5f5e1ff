#!/usr/bin/env bash
# bench-server.sh — the server benchmark (issue "The server") in one table:
# commands per second and latency through motcuad's WebSocket at 100 and 1,000
# connections, beside the two ceilings measured with the same mix
# (tools/bench/bench_server.c says what the mix is and what is measured):
#   - bench-echo, a bare libwebsockets echo server on libuv: framing alone;
#   - the engine in-process (bench-server --engine): the writer thread with the
#     same number of commands in flight, durable group commit, no network;
# then wrk against GET /api/status/<a dossier the run filed> for 10 s; and
# motcuad at 1,000 connections once more with every applicant subscribed to
# its own dossiers (--applicants-subscribe 1): pushes matched through the
# subscription index instead of every connection's subscriptions.
#
#   tools/bench-server.sh [WINDOW]    measured seconds per run (default 3, at most 10)
#
# Everything on loopback.  motcuad runs on the wall clock, and a dossier code
# has room for 9,999 dossiers per agency per day while a run files tens of
# thousands: each motcuad run gets a fresh data directory, the mix files at
# the three communes that offer 1.001193 (H13.X01, H13.X02, H13.X03, reception
# officials at each), and the windows are short; a run that still exhausts
# the codes is marked (!) in the table.  The same settings for the ceilings.
# motcuad's accounts: 30 applicants and 9 officials shared by the connections
# (each account costs five Argon2id hashes to set up).  Builds into
# build-bench/ (release) unless MOTCUA_BENCH_BUILD names another.  Prints
# figures, never fails on them; every process it starts is stopped on exit.
# MOTCUA_BENCH_MOTCUAD=PATH measures another motcuad (another commit's build)
# with this load generator, for a side-by-side comparison in one sitting:
# the generator logs in from 127.0.0.2 onwards, so a server that limits
# logins per address (as main did before only failures counted) lets it in.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${MOTCUA_BENCH_BUILD:-$here/build-bench}
window=${1:-3}
agencies=H13.X01,H13.X02,H13.X03
case $window in
  [1-9] | 10) ;;
  *) echo "usage: tools/bench-server.sh [WINDOW seconds, 1..10]" >&2; exit 2 ;;
esac

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" tools/bench/bench-server tools/bench/bench-echo api/motcuad >/dev/null
gen=$build/tools/bench/bench-server
echo_server=$build/tools/bench/bench-echo
motcuad=${MOTCUA_BENCH_MOTCUAD:-$build/api/motcuad}

# 1,000 connections are 1,000 descriptors on each side; this sandbox allows 20,000.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 2200 ]; then
  echo "bench-server.sh: ulimit -n is $(ulimit -n); 1,000 connections need more than 2,200" >&2
  exit 1
fi

box=$(mktemp -d /tmp/motcua-bench-server-XXXXXX)
pids=""

# Stops one process we started: SIGTERM, up to 10 s, then SIGKILL.
stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in $pids; do stop "$pid"; done
  pids=""
  rm -rf "$box"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits (at most 20 s) until something accepts connections on the port.
wait_port() {
  local i
  for i in $(seq 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# run NAME ARGS...: one generator run, its output kept as $box/NAME.out; the
# RESULT line's fields become NAME_cps, NAME_p50_ms, ... (empty when it failed).
run() {
  local name=$1
  shift
  echo
  timeout 180 "$gen" "$@" 2>&1 | tee "$box/$name.out" || true
  local line
  line=$(grep '^RESULT ' "$box/$name.out" | tail -1 || true)
  for key in cps p50_ms p99_ms p999_ms errors submit accept dossier commands accept_p99_ms valid bytes_per_event status; do
    local value
    value=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$key=//p")
    printf -v "${name}_$key" '%s' "$value"
  done
}

# Warm-up: a few round trips at each concurrency (at 100 connections a round
# trip is ~10 ms, at 1,000 ~250 ms), short so that motcuad's 100-connection run
# files fewer than the 3 x 9,999 dossiers a day the three communes have codes for.
common=(--seconds "$window" --agencies "$agencies")
w100=(--warmup 0.5)
w1000=(--warmup 1)
# Accounts shared by the connections: each costs five Argon2id hashes (made,
# logged in, password changed, logged in again), ~40 ms of CPU each here.
accounts=(--applicant-accounts 30 --official-accounts 9)

# --- the echo ceiling ---------------------------------------------------------
port=$(free_port)
"$echo_server" --port "$port" >"$box/echo.log" 2>&1 &
echo_pid=$!
pids="$pids $echo_pid"
wait_port "$port" || { echo "bench-server.sh: bench-echo did not start" >&2; cat "$box/echo.log" >&2; exit 1; }
run echo100 --echo --port "$port" --connections 100 "${common[@]}" "${w100[@]}"
run echo1000 --echo --port "$port" --connections 1000 "${common[@]}" "${w1000[@]}"
stop "$echo_pid"
pids=${pids/ $echo_pid/}

# --- motcuad --------------------------------------------------------------------
# start_motcuad DIR: a fresh data directory (motcuad publishes the bundled
# workflows into it), on a free port (--listen 127.0.0.1:0, the port read back
# from --ready-file); sets $port and $motcuad_pid.
start_motcuad() {
  local dir=$1 i
  # Started as root, motcuad runs as `user` (motcua), which must reach the
  # data directory; without that account, as root.
  {
    echo "max_connections = 19000"
    echo "max_per_address = 19000"
    # The load's few applicant accounts file thousands a second: no flood
    # limits (a motcuad from before them does not know the keys).
    if grep -qa max_submissions_per_hour "$motcuad"; then
      echo "max_submissions_per_hour = 100000"
      echo "max_submissions_per_hour_per_address = 1000000"
      echo "max_status_lookups_per_minute = 100000000" # wrk is one address, ~35,000 a second
    fi
    if [ "$(id -u)" = 0 ] && ! getent passwd motcua >/dev/null; then echo "user = root"; fi
  } >"$dir.conf"
  chmod 755 "$box"
  "$motcuad" --config "$dir.conf" --data "$dir" --listen 127.0.0.1:0 --ready-file "$dir.port" \
    --workflows "$here/workflows" >"$dir.log" 2>&1 &
  motcuad_pid=$!
  pids="$pids $motcuad_pid"
  for i in $(seq 300); do
    if [ -s "$dir.port" ] && [ -S "$dir/motcuad.sock" ]; then
      port=$(cat "$dir.port")
      curl -sf --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    fi
    kill -0 "$motcuad_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench-server.sh: motcuad did not start:" >&2
  tail -20 "$dir.log" >&2
  exit 1
}
stop_motcuad() {
  stop "$motcuad_pid"
  pids=${pids/ $motcuad_pid/}
}

start_motcuad "$box/data-100"
run motcuad100 --port "$port" --admin "$box/data-100/motcuad.sock" --connections 100 "${common[@]}" "${w100[@]}" "${accounts[@]}"
stop_motcuad
# The server of the 1,000-connection run stays up (idle) for wrk at the end.
start_motcuad "$box/data-1000"
run motcuad1000 --port "$port" --admin "$box/data-1000/motcuad.sock" --connections 1000 "${common[@]}" "${w1000[@]}" "${accounts[@]}"

# --- the engine in-process ----------------------------------------------------------
run engine100 --engine --connections 100 "${common[@]}" "${w100[@]}"
run engine1000 --engine --connections 1000 "${common[@]}" "${w1000[@]}"

# --- wrk: the public status lookup of a dossier the last run filed (code and receipt secret)
wrk_rps="" wrk_latency="" wrk_non2xx=""
wrk_code=${motcuad1000_status:-}  # /api/status/CODE?secret=SECRET
if [ -n "$wrk_code" ] && [ "$wrk_code" != - ]; then
  echo
  echo "wrk: GET $wrk_code, 2 threads, 100 connections, 10 s; the page:"
  curl -s --max-time 5 "http://127.0.0.1:$port$wrk_code" | head -c 400 || true
  echo
  timeout 30 wrk -t2 -c100 -d10s --latency "http://127.0.0.1:$port$wrk_code" | tee "$box/wrk.out" || true
  wrk_rps=$(sed -n 's/^Requests\/sec: *//p' "$box/wrk.out")
  wrk_latency=$(awk '$1 == "50%" { print $2 }' "$box/wrk.out")
  wrk_non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$box/wrk.out")
fi
stop_motcuad

# --- every applicant subscribed too: what the subscription index saves ------------------
# Each applicant's page follows its own dossiers (scope "mine"): 1,000
# subscriptions, of which an event concerns two or three.
start_motcuad "$box/data-1000s"
run motcuad1000s --port "$port" --admin "$box/data-1000s/motcuad.sock" --connections 1000 --applicants-subscribe 1 \
  "${common[@]}" "${w1000[@]}" "${accounts[@]}"
stop_motcuad

# --- the table ----------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
row() { # label name
  local cps=${2}_cps p50=${2}_p50_ms p99=${2}_p99_ms p999=${2}_p999_ms err=${2}_errors sub=${2}_submit acc=${2}_accept
  local acc99=${2}_accept_p99_ms valid=${2}_valid mark=""
  [ "${!valid:-1}" = 1 ] || mark=" (!)"
  printf '%-40s %10s %9s %9s %9s %12s %7s %14s\n' "$1$mark" "${!cps:--}" "${!p50:--}" "${!p99:--}" "${!p999:--}" \
    "${!acc99:--}" "${!err:--}" "${!sub:--}/${!acc:--}"
}
echo
echo "motcua server benchmark: ${window} s measured per run after 0.5 s (100) or 1 s (1000) of warm-up; one command in flight per"
echo "connection; 10 officials per 100 connections (subscribed to their agency's inbox), the rest applicants;"
echo "agencies $agencies; $(nproc) cores shared by the server and the load generator"
echo
printf '%-40s %10s %9s %9s %9s %12s %7s %14s\n' "" "commands/s" "p50 ms" "p99 ms" "p99.9 ms" "accept p99" "errors" \
  "submit/accept"
row "motcuad, 100 connections" motcuad100
row "motcuad, 1000 connections" motcuad1000
row "motcuad, 1000, applicants subscribed" motcuad1000s
row "echo (framing alone), 100 connections" echo100
row "echo (framing alone), 1000 connections" echo1000
row "engine in-process, 100 in flight" engine100
row "engine in-process, 1000 in flight" engine1000
echo
printf '%-40s %10s %9s\n' "ratio of commands/s" "100" "1000"
printf '%-40s %10s %9s\n' "motcuad / echo" "$(ratio "${motcuad100_cps:-}" "${echo100_cps:-}")" \
  "$(ratio "${motcuad1000_cps:-}" "${echo1000_cps:-}")"
printf '%-40s %10s %9s\n' "motcuad / engine" "$(ratio "${motcuad100_cps:-}" "${engine100_cps:-}")" \
  "$(ratio "${motcuad1000_cps:-}" "${engine1000_cps:-}")"
echo
printf '%-40s %10s %9s\n' "on disk, B per event (aim <= 1024)" "${engine100_bytes_per_event:--}" \
  "${engine1000_bytes_per_event:--}"
echo "  (LMDB pages in use x page size / events after the engine runs: log, indexes, projections; aux excluded)"
echo
if grep -q 'valid=0' "$box"/*.out 2>/dev/null; then
  echo "(!) not valid: an agency's 9,999 dossier codes of the day ran out during the run (a shorter WINDOW helps)"
fi
if [ -n "$wrk_rps" ]; then
  echo "wrk, GET $wrk_code (2 threads, 100 connections, 10 s): $wrk_rps requests/s, p50 $wrk_latency${wrk_non2xx:+, $wrk_non2xx non-2xx}"
else
  echo "wrk, GET /api/status/CODE: not run (no dossier was accepted in the motcuad run)"
fi
