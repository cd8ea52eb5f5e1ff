#!/usr/bin/env bash
# bench-delivery.sh — notifications per second to a real local SMTP server
# (Debian's aiosmtpd, started here on loopback), beside a bare client.
# Usage: tools/bench-delivery.sh [N]   (build first: meson compile -C build)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
box=$(mktemp -d)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
http=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 "$here/tests/integration/mail_sink.py" "$box" "$port" "$http" &
sink=$!
trap 'kill $sink 2>/dev/null; wait $sink 2>/dev/null; rm -rf "$box"' EXIT
for _ in $(seq 100); do [ -e "$box/ready" ] && break; sleep 0.1; done
"$here/build/tools/bench/bench-delivery" "$port" "${1:-2000}"
