#!/usr/bin/env bash
# test_cli_definition_hashes.sh — what `motcua publish` appends for the bundled
# workflows: one definition.published per procedure, policy, template, the
# directory and the calendar, with exactly the hashes
# tests/golden/definition-hashes.txt records (a changed hash re-versions
# every dossier filed after it; test_definition_hashes.c rewrites the file
# with MOTCUA_UPDATE_GOLDEN=1).  Publishing again appends nothing.
# Usage: test_cli_definition_hashes.sh path/to/motcua path/to/definition-hashes.txt
recorded=$2
. "$(dirname "$0")/lib.sh"
d=$tmp/data

"$motcua" publish "$d" --now 2026-01-05T08:00 --from 2026-01-01T00:00 >"$tmp/out" || fail "publish: $(cat "$tmp/out")"
"$motcua" audit export "$d" --format jsonl >"$tmp/log" || fail "export"
/usr/bin/python3 - "$tmp/log" >"$tmp/published" <<'PY' || fail "reading the export"
import json, sys
lines = []
for raw in open(sys.argv[1]):
    ev = json.loads(raw)
    if ev["type"] == "definition.published":
        lines.append("%s %s %s" % (ev["data"]["kind"], ev["data"]["id"], ev["data"]["hash"]))
print("\n".join(sorted(lines)))
PY
grep -v '^#' "$recorded" >"$tmp/recorded"
if ! diff -u "$tmp/recorded" "$tmp/published" >"$tmp/diff"; then
  fail "motcua publish appends other definitions than $recorded records (- recorded, + published):
$(grep '^[-+][a-z]' "$tmp/diff")"
fi

events=$(wc -l <"$tmp/log")
"$motcua" publish "$d" --now 2026-01-05T09:00 --from 2026-01-01T00:00 >"$tmp/out" || fail "publish again: $(cat "$tmp/out")"
[ "$("$motcua" audit export "$d" --format jsonl | wc -l)" -eq "$events" ] || fail "publishing again appended events"

finish "motcua publish: $(wc -l <"$tmp/published") definitions, the recorded hashes"
