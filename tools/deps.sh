#!/usr/bin/env bash
# deps.sh — installs the Debian 12 packages motcua needs, only those missing.
# Sourced by tools/run.sh and tools/test.sh; safe to run any number of times.
# Add a package here when the code starts to use it.

MOTCUA_PACKAGES=(
  gcc libc6-dev pkg-config meson ninja-build  # build
  libcmocka-dev                               # unit tests
  libmsgpack-dev libsodium-dev libutf8proc-dev # base: canonical encoding, SHA-256, NFC
  liblmdb-dev libjansson-dev                  # storage: the log; audit export's JSON
  flex bison                                  # dsl: the procedure language
  graphviz                                    # drawings: motcua graph --format svg, the procedure page (dot)
  libcurl4-openssl-dev                        # notifications: e-mail (SMTP) and text messages (HTTP)
  python3-aiosmtpd                            # tests: a real local SMTP server
  libuv1-dev libwebsockets-dev libwebsockets-evlib-uv libssl-dev  # motcuad: the loop, HTTP, WebSocket, TLS
  python3-websockets python3-msgpack wrk openssl  # tests: clients of motcuad; the HTTP benchmark
  valgrind                                    # tests: hostile inputs ASan cannot see (server/valgrind)
  libmagic-dev libqpdf-dev clamav-daemon      # files: an upload's type from its content; PDFs; malware scanning (clamd)
  libqrencode-dev                             # motcuad: the receipt's QR code of the public lookup
)

# Only the tests need these (tools/test.sh passes them to motcua_install_deps).
MOTCUA_TEST_PACKAGES=(
  chromium                                    # browser tests: playwright-core drives Debian's Chromium (tests/e2e)
  zbar-tools                                  # browser tests: the receipt's QR code decoded (zbarimg)
  poppler-utils                               # browser tests: printed forms saved as PDF, read back (pdftotext)
)

# motcuad drops root for this system account (api/config.h, `user`).
motcua_service_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id motcua >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin motcua
}

motcua_install_deps() {
  local missing=() p
  for p in "${MOTCUA_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # Node.js runs the BPMN/Mermaid parser checks (tests/bpmn) and the browser
  # tests (tests/e2e): Debian 12's own Node 18 if the machine has none.  The
  # npm packages are pinned to releases that run on 18 (README, "The Node.js
  # toolchain"); a newer Node serves too.
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  if [ ${#missing[@]} -eq 0 ]; then
    motcua_check_node
    return
  fi
  echo "motcua: installing ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" &&
    motcua_check_node
}

# The pinned npm packages need Node.js 18 or later (Debian 12 ships 18.20).
motcua_check_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 18 ]; then
    echo "motcua: Node.js $(node --version 2>/dev/null) is too old: the tests need 18 or later (Debian 12's nodejs)" >&2
    return 1
  fi
}
