#!/usr/bin/env bash
# test_cli_audit.sh — motcua store append, audit verify/export/replay/
# checkpoint/keygen and backup as an auditor runs them: outputs, exit
# statuses, error texts.  Usage: test_cli_audit.sh path/to/motcua
. "$(dirname "$0")/lib.sh"
d=$tmp/data

"$motcua" store append "$d" --stream dossier/1 --type submitted --expect 0 --command-id c1 \
  --data-json '{"fee":135000,"applicant":"Nguyễn Văn A"}' --who lan --role reception >"$tmp/out" ||
  fail "first append"
grep -q '^seq 1 stream dossier/1 version 1$' "$tmp/out" || fail "append output: $(cat "$tmp/out")"
"$motcua" store append "$d" --stream dossier/1 --type submitted --command-id c1 >"$tmp/out"
grep -q 'repeated command c1' "$tmp/out" || fail "retry: $(cat "$tmp/out")"
"$motcua" store append "$d" --stream dossier/1 --type accepted --expect 0 2>"$tmp/err"
[ $? -eq 1 ] || fail "a stale --expect must exit 1"
grep -q 'expected version 0, the stream is at 1' "$tmp/err" || fail "conflict text: $(cat "$tmp/err")"
"$motcua" store append "$d" --stream dossier/1 --type accepted --expect 1 >/dev/null || fail "accept"
"$motcua" store append "$d" --stream dossier/1 --type paid --data-json '{"fee":1.5}' 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'no floats' "$tmp/err" || fail "floats must be refused: $(cat "$tmp/err")"
"$motcua" store append "$d" --stream bulk --type note --count 3000 >/dev/null || fail "bulk"

"$motcua" audit verify "$d" >"$tmp/out" || fail "verify of a good log: $(cat "$tmp/out")"
grep -q '^verified: 3002 events, head 3002:' "$tmp/out" || fail "verify summary: $(tail -1 "$tmp/out")"
head=$(sed -n 's/^verified: .* head \([0-9]*:[0-9a-f]*\),.*/\1/p' "$tmp/out")
"$motcua" audit verify "$d" --expect-head "$head" >/dev/null || fail "--expect-head of the real head"
"$motcua" audit verify "$d" --expect-head "3003:${head#*:}" >"$tmp/out"
[ $? -eq 1 ] && grep -q 'FAILED: 1 problem; the first bad sequence is 3003' "$tmp/out" ||
  fail "a head beyond the log: $(cat "$tmp/out")"

lines=$("$motcua" audit export "$d" --format jsonl | wc -l)
[ "$lines" -eq 3002 ] || fail "export: $lines lines"
"$motcua" audit export "$d" --since 3001 --format jsonl >"$tmp/out"
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "export --since"
first=$("$motcua" audit export "$d" --format jsonl | head -1)
case $first in
  '{"seq":1,"stream":"dossier/1","version":1,"type":"submitted",'*'"data":{"applicant":"Nguy\u1EC5n V\u0103n A","fee":135000},"format":1,"prev":"0000'*) ;;
  *) fail "export line: $first" ;;
esac

"$motcua" audit replay "$d" --stream dossier/1 >"$tmp/out" || fail "replay"
grep -q 'submitted' "$tmp/out" && grep -q 'by lan as reception' "$tmp/out" &&
  grep -q '"fee":135000' "$tmp/out" || fail "replay text: $(cat "$tmp/out")"
"$motcua" audit replay "$d" --stream dossier/1 --as-of 2000-01-01 >"$tmp/out"
grep -q '(no events)' "$tmp/out" || fail "replay --as-of before everything"

# Keys and checkpoints.
mkdir -p "$tmp/keys" && chmod 700 "$tmp/keys"
"$motcua" audit keygen "$tmp/keys/cp.key" "$tmp/keys/cp.pub" >/dev/null || fail keygen
cp_file=$("$motcua" audit checkpoint "$d" --key "$tmp/keys/cp.key" --out "$tmp/cps") || fail checkpoint
"$motcua" audit verify "$d" --checkpoint "$cp_file" --public-key "$tmp/keys/cp.pub" >/dev/null ||
  fail "verify with its checkpoint"
chmod 644 "$tmp/keys/cp.key"
"$motcua" audit checkpoint "$d" --key "$tmp/keys/cp.key" --out "$tmp/cps" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'chmod 600' "$tmp/err" || fail "a readable key: $(cat "$tmp/err")"

# Backup while a writer holds the directory, then the copy verifies.
"$motcua" backup "$d" "$tmp/copy" >/dev/null || fail backup
"$motcua" audit verify "$tmp/copy" --checkpoint "$cp_file" --public-key "$tmp/keys/cp.pub" >/dev/null ||
  fail "the backup verifies"

# A checkpoint is checked against the key the operator keeps, never the one
# written inside it: whoever rewrote the log could sign a checkpoint of
# their own.  Two checkpoints localise a rewrite between them.
chmod 600 "$tmp/keys/cp.key"
r=$tmp/rewrite
"$motcua" store append "$r" --stream bulk --type note --count 10 >/dev/null || fail "rewrite: first events"
cp1=$("$motcua" audit checkpoint "$r" --key "$tmp/keys/cp.key" --out "$tmp/cps-r") || fail "checkpoint 1"
cp -a "$r" "$tmp/forged"
"$motcua" store append "$r" --stream bulk --type note --count 10 >/dev/null || fail "rewrite: more events"
cp2=$("$motcua" audit checkpoint "$r" --key "$tmp/keys/cp.key" --out "$tmp/cps-r") || fail "checkpoint 2"
# The forger writes other events 11 to 20 (a chain that holds), and signs its own checkpoint.
"$motcua" store append "$tmp/forged" --stream bulk --type forged --count 10 >/dev/null || fail "forging"
"$motcua" audit verify "$tmp/forged" >/dev/null || fail "a forged log verifies alone (its chain holds)"
"$motcua" audit keygen "$tmp/keys/evil.key" "$tmp/keys/evil.pub" >/dev/null || fail "keygen 2"
evil=$("$motcua" audit checkpoint "$tmp/forged" --key "$tmp/keys/evil.key" --out "$tmp/cps-evil") || fail "forged checkpoint"
"$motcua" audit verify "$tmp/forged" --checkpoint "$evil" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q -- "--public-key" "$tmp/err" ||
  fail "a checkpoint without the operator's public key must be refused: $(cat "$tmp/out" "$tmp/err")"
"$motcua" audit verify "$tmp/forged" --checkpoint "$evil" --public-key "$tmp/keys/cp.pub" >"$tmp/out"
[ $? -eq 1 ] && grep -q "signed with another key" "$tmp/out" || fail "the forger's checkpoint: $(cat "$tmp/out")"
MOTCUA_CHECKPOINT_PUBLIC_KEY=$tmp/keys/cp.pub "$motcua" audit verify "$tmp/forged" --checkpoint "$evil" >"$tmp/out"
[ $? -eq 1 ] && grep -q "signed with another key" "$tmp/out" || fail "the configured key: $(cat "$tmp/out")"
"$motcua" audit verify "$r" --checkpoint "$cp1" --checkpoint "$cp2" --public-key "$tmp/keys/cp.pub" >/dev/null ||
  fail "the true log verifies against both checkpoints"
"$motcua" audit verify "$tmp/forged" --checkpoint "$cp1" --checkpoint "$cp2" --public-key "$tmp/keys/cp.pub" >"$tmp/out"
[ $? -eq 1 ] || fail "the forged log against the true checkpoints: $(cat "$tmp/out")"
grep -q "^ok    checkpoint .*event 10 has hash" "$tmp/out" || fail "the first checkpoint still holds: $(cat "$tmp/out")"
grep -q "events 11 to 20 were rewritten" "$tmp/out" || fail "the rewrite localised: $(cat "$tmp/out")"
"$motcua" backup "$d" "$tmp/copy" 2>/dev/null && fail "backup over an existing copy"

# Not a data directory.
echo hello >"$tmp/file"
"$motcua" audit verify "$tmp/file" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'is a file, not a data directory' "$tmp/err" || fail "file: $(cat "$tmp/err")"
"$motcua" audit verify "$tmp/none" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'no such data directory' "$tmp/err" || fail "missing: $(cat "$tmp/err")"
"$motcua" audit verify 2>/dev/null
[ $? -eq 2 ] || fail "no directory: exit 2"

finish "all audit command checks passed"
