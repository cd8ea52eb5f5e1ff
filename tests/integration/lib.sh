# lib.sh — what the integration scripts share; sourced, not run.
#   motcua=$1, a scratch directory $tmp removed on exit, fail "message"
#   to record a failure and go on, and finish "what passed" to end with the
#   right exit status.
set -u
motcua=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
  fi
  echo "$1"
  exit 0
}
