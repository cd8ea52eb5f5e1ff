#!/usr/bin/env bash
# test_cli_publish.sh — publishing part of the workflows, as an agency
# administrator does when a commune joins: the named agency file is merged
# into the published directory (the other agencies stay), --dry-run says what
# would change and writes nothing, an agency with open dossiers cannot be
# removed, and the directory's hash does not depend on the order of its files.
# Usage: test_cli_publish.sh path/to/motcua
. "$(dirname "$0")/lib.sh"
d=$tmp/data
form='{"child_name":"Nguyễn Minh An","birth_date":"2026-02-01","gender":"Nam","birth_place":"Bắc Ninh","mother_id":"027190001234","phone":"0912345678"}'
cat >"$tmp/x04.mc" <<'MC'
# A commune joins the province's one-stop system.
agency "H13.X04" "Ủy ban nhân dân xã Phật Tích" {
  level commune
  parent "H13"
  calendar "vn"
}
MC
cat >"$tmp/x05.mc" <<'MC'
agency "H13.X05" "Ủy ban nhân dân xã Lạc Vệ" {
  level commune
  parent "H13"
  calendar "vn"
}
offer "1.001193" at "H13.X05"
MC
log_head() { "$motcua" audit verify "$d" 2>/dev/null | grep -o 'head [0-9]*' | head -n1; }

"$motcua" publish "$d" --now 2026-01-05T08:00 --from 2026-01-01T00:00 >"$tmp/out" 2>&1 || fail "publish: $(cat "$tmp/out")"

# Dry run: exactly what changes, nothing written.
before=$(log_head)
"$motcua" publish "$d" --dry-run "$tmp/x04.mc" >"$tmp/out" 2>&1 || fail "dry run: $(cat "$tmp/out")"
grep -q '^changed   directory  directory ' "$tmp/out" || fail "dry run names the directory: $(cat "$tmp/out")"
grep -qx '  + agency H13.X04 Ủy ban nhân dân xã Phật Tích' "$tmp/out" || fail "dry run: the new agency: $(cat "$tmp/out")"
[ "$(grep -c '^  [-+~] ' "$tmp/out")" -eq 1 ] || fail "dry run: one change only: $(cat "$tmp/out")"
grep -q '^dry run: nothing was published' "$tmp/out" || fail "dry run says so: $(cat "$tmp/out")"
[ "$(log_head)" = "$before" ] || fail "dry run wrote: $before -> $(log_head)"

# Publishing the new commune's file alone keeps every other agency.
"$motcua" publish "$d" --now 2026-01-06T08:00 "$tmp/x04.mc" >"$tmp/out" 2>&1 || fail "publish x04: $(cat "$tmp/out")"
for agency in H13.X01 H13.X04; do
  out=$("$motcua" dossier "$d" submit --procedure 1.001193 --agency $agency --as cd-1:applicant \
    --now 2026-02-10T09:00 --form-json "$form" 2>&1) || fail "submit at $agency after publishing x04.mc: $out"
done
# The whole bundle again would remove H13.X04, which has an open dossier: refused, and said in the dry run.
"$motcua" publish "$d" --dry-run >"$tmp/out" 2>&1 && fail "dry run of a removal with open dossiers: exit 0"
grep -qx '  - agency H13.X04 Ủy ban nhân dân xã Phật Tích' "$tmp/out" || fail "dry run: removal: $(cat "$tmp/out")"
grep -qF 'the agency H13.X04 (Ủy ban nhân dân xã Phật Tích) has 1 open dossier (H13.X04-260210-0001)' "$tmp/out" ||
  fail "dry run: the open dossier: $(cat "$tmp/out")"
"$motcua" publish "$d" --now 2026-02-10T10:00 >"$tmp/out" 2>&1 && fail "removal with open dossiers: exit 0"
grep -qF 'the directory would remove the agency H13.X04 (Ủy ban nhân dân xã Phật Tích), which has 1 open dossier (H13.X04-260210-0001)' "$tmp/out" ||
  fail "removal refused: $(cat "$tmp/out")"
out=$("$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X04 --as cd-2:applicant \
  --now 2026-02-10T10:10 --form-json "$form" 2>&1) || fail "H13.X04 still in the directory: $out"
# Once its dossiers are closed, the bundle removes it.
for code in H13.X04-260210-0001 H13.X04-260210-0002; do
  who=cd-1; [ $code = H13.X04-260210-0002 ] && who=cd-2
  "$motcua" dossier "$d" withdraw $code --as $who:applicant --now 2026-02-10T11:00 >/dev/null 2>&1 || fail "withdraw $code"
done
"$motcua" publish "$d" --now 2026-02-10T11:10 >"$tmp/out" 2>&1 || fail "removal once closed: $(cat "$tmp/out")"
out=$("$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X04 --as cd-1:applicant \
  --now 2026-02-10T11:20 --form-json "$form" 2>&1) && fail "H13.X04 removed, yet a submission went through: $out"
echo "$out" | grep -q 'H13.X04' || fail "removed agency: $out"

# Offers merged: an agency's own offer is published with it; H13.X01 still takes 1.001193 (every commune).
"$motcua" publish "$d" --now 2026-02-10T11:30 "$tmp/x05.mc" >"$tmp/out" 2>&1 || fail "publish x05: $(cat "$tmp/out")"
for agency in H13.X01 H13.X05; do
  "$motcua" dossier "$d" submit --procedure 1.001193 --agency $agency --as cd-3:applicant \
    --now 2026-02-10T11:40 --form-json "$form" >/dev/null 2>&1 || fail "submit at $agency after x05.mc"
done

# H13.X05 merged into H13.X01 (issue 21): a file naming the successor removes it from the directory
# in the log, and its open dossier is transferred, its code kept.
open05=$("$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X05 --as cd-4:applicant \
  --now 2026-02-10T11:45 --form-json "$form" 2>&1 | cut -d' ' -f1)
echo 'merged "H13.X05" into "H13.X01"' >"$tmp/x05-merged.mc"
"$motcua" publish "$d" --dry-run "$tmp/x05-merged.mc" >"$tmp/out" 2>&1 || fail "dry run of a merge: $(cat "$tmp/out")"
grep -qx '  - agency H13.X05 Ủy ban nhân dân xã Lạc Vệ (merged into H13.X01)' "$tmp/out" || fail "dry run: the merge: $(cat "$tmp/out")"
grep -qF '2 open dossiers of H13.X05 would be transferred to H13.X01' "$tmp/out" || fail "dry run: the transfers: $(cat "$tmp/out")"
echo 'merged "H13.X05" into "H13.X5"' >"$tmp/x05-typo.mc"
"$motcua" publish "$d" --now 2026-02-10T11:50 "$tmp/x05-typo.mc" >"$tmp/out" 2>&1 && fail "an unknown successor published"
grep -qF 'không có cơ quan kế thừa "H13.X5"' "$tmp/out" || fail "unknown successor: $(cat "$tmp/out")"
"$motcua" publish "$d" --now 2026-02-10T11:50 "$tmp/x05-merged.mc" >"$tmp/out" 2>&1 || fail "merge: $(cat "$tmp/out")"
grep -qx 'directory: 2 dossiers transferred, 0 officials moved' "$tmp/out" || fail "merge: what it moved: $(cat "$tmp/out")"
out=$("$motcua" dossier "$d" show "$open05" 2>&1) || fail "show $open05: $out"
echo "$out" | grep -q 'H13.X01' || fail "the merged commune's dossier is H13.X01's: $out"
"$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X05 --as cd-4:applicant \
  --now 2026-02-10T11:55 --form-json "$form" >/dev/null 2>&1 && fail "a submission to the merged commune went through"

# The order of the files does not change the directory's hash; check prints the whole hash.
a=$("$motcua" check "$tmp/x04.mc" "$tmp/x05.mc" | grep '^ok  directory') || fail "check x04 x05"
b=$("$motcua" check "$tmp/x05.mc" "$tmp/x04.mc" | grep '^ok  directory') || fail "check x05 x04"
[ -n "$a" ] && [ "$a" = "$b" ] || fail "directory hash depends on the order of files: '$a' vs '$b'"
echo "$a" | grep -Eq 'sha256:[0-9a-f]{64}$' || fail "check prints the whole hash: $a"

# --workflows DIR publishes another copy of the workflows than $MOTCUA_WORKFLOWS: a procedure
# renamed in the copy is what the log gets.
cp -r "$MOTCUA_WORKFLOWS" "$tmp/wf"
sed -i 's/"Đăng ký khai sinh"/"Đăng ký khai sinh (bản thử)"/' "$tmp/wf/procedures/birth-registration.mc"
"$motcua" publish "$tmp/wf-data" --workflows "$tmp/wf" >"$tmp/out" 2>&1 || fail "publish --workflows: $(cat "$tmp/out")"
"$motcua" publish "$tmp/wf-data" --workflows "$tmp/wf" --dry-run >"$tmp/out" 2>&1
grep -q "^unchanged" "$tmp/out" && ! grep -q "^publish" "$tmp/out" || fail "publish --workflows again changes: $(cat "$tmp/out")"
"$motcua" publish "$tmp/wf-data" --dry-run >"$tmp/out" 2>&1
grep -q "1.001193" "$tmp/out" || fail "the bundled workflows differ from the copy in 1.001193 only: $(cat "$tmp/out")"

finish "publish: merged, dry run, removal refused with open dossiers, order-independent hash, --workflows"
