#!/usr/bin/env bash
# test_cli_check.sh — `motcua check` and `motcua compile` as an agency
# official runs them: the bundle checks cleanly, an edited file is checked
# with the bundle as context, errors give exit status 1 and file:line:col,
# compile writes the same bytes twice.
# Usage: test_cli_check.sh path/to/motcua  (run by meson test)
. "$(dirname "$0")/lib.sh"

# The whole bundle: 7 procedures, 3 policies, the directory.
out=$("$motcua" check 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] || fail "bundle: exit status $rc: $(cat "$tmp/err")"
[ "$(echo "$out" | grep -c '^ok  procedure')" -eq 7 ] || fail "bundle: not 7 procedures: $out"
[ "$(echo "$out" | grep -c '^ok  policy')" -eq 3 ] || fail "bundle: not 3 policies: $out"
echo "$out" | grep -q '^ok  directory' || fail "bundle: no directory: $out"

# The calendars' last year: a limit counted from its last days runs past it,
# said once as a warning (exit status 0) naming the year file to add.
mkdir -p "$tmp/wf"
cp -r "$MOTCUA_WORKFLOWS"/. "$tmp/wf"
rm "$tmp/wf/calendars/vn-2027.cal"
"$motcua" check --lang en --workflows "$tmp/wf" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "calendars to 2026: exit status $rc: $(cat "$tmp/err")"
[ "$(grep -c ': warning: ' "$tmp/err")" -eq 1 ] || fail "calendars to 2026: not one warning: $(cat "$tmp/err")"
grep -qE 'procedures/[a-z-]+\.mc:[0-9]+:[0-9]+: warning: the .* \(15 days\), counted from a day after 16/12/2026, runs into 2027, which the calendars do not describe' "$tmp/err" ||
  fail "calendars to 2026: $(cat "$tmp/err")"
grep -qF "add $tmp/wf/calendars/vn-2027.cal before then" "$tmp/err" || fail "calendars to 2026: no year file: $(cat "$tmp/err")"
"$motcua" check --lang en "$MOTCUA_WORKFLOWS/procedures/feedback.mc" >/dev/null 2>"$tmp/err" || fail "feedback: $(cat "$tmp/err")"
grep -qE "feedback.mc:10:12: warning: the procedure's time \(3 working days\), counted from a day after 28/12/2027, runs into 2028" "$tmp/err" ||
  fail "feedback: $(cat "$tmp/err")"

# One edited file, checked against the bundle: a typo in a target.
sed 's/-> processing   notify applicant "accepted"/-> procesing   notify applicant "accepted"/' \
  "$MOTCUA_WORKFLOWS/procedures/birth-registration.mc" >"$tmp/birth.mc"
# In Vietnamese by default, in English with --lang en (anywhere on the line)
# or MOTCUA_LANG=en; the file:line:col: error: form either way.
"$motcua" check "$tmp/birth.mc" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "typo: exit status $rc, expected 1"
grep -qE "birth.mc:[0-9]+:[0-9]+: error: \"procesing\" không phải là bước của thủ tục này" "$tmp/err" ||
  fail "typo (vi): $(cat "$tmp/err")"
grep -qF 'gợi ý: có phải là "processing"?' "$tmp/err" || fail "typo (vi): no hint: $(cat "$tmp/err")"
grep -qF 'motcua check: 1 lỗi' "$tmp/err" || fail "typo (vi): no error count: $(cat "$tmp/err")"
"$motcua" check "$tmp/birth.mc" --lang en >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "typo: exit status $rc, expected 1"
grep -qE "birth.mc:[0-9]+:[0-9]+: error: \"procesing\" is not a step of this procedure" "$tmp/err" ||
  fail "typo: $(cat "$tmp/err")"
grep -qF 'hint: did you mean "processing"?' "$tmp/err" || fail "typo: no hint: $(cat "$tmp/err")"
grep -qF 'motcua check: 1 error' "$tmp/err" || fail "typo: no error count"
MOTCUA_LANG=en "$motcua" check "$tmp/birth.mc" 2>&1 | grep -qF 'hint: did you mean' || fail "MOTCUA_LANG=en: not English"
"$motcua" check --lang fr "$tmp/birth.mc" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--lang fr: exit status $rc, expected 2"

# The same file unchanged passes on its own, and replaces the bundled copy
# (no "defined twice").
cp "$MOTCUA_WORKFLOWS/procedures/birth-registration.mc" "$tmp/birth.mc"
out=$("$motcua" check "$tmp/birth.mc" 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] || fail "copy of a bundled file: exit status $rc: $(cat "$tmp/err")"
[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "copy of a bundled file: emits only it: $out"

# compile: files written, same bytes twice, hash printed is the file's SHA-256.
"$motcua" compile "$MOTCUA_WORKFLOWS"/procedures/*.mc -o "$tmp/out1" >"$tmp/c1" 2>"$tmp/err" ||
  fail "compile: $(cat "$tmp/err")"
"$motcua" compile "$MOTCUA_WORKFLOWS"/procedures/*.mc -o "$tmp/out2" >/dev/null 2>&1
[ "$(ls "$tmp/out1" | wc -l)" -eq 7 ] || fail "compile: not 7 files: $(ls "$tmp/out1")"
diff -r "$tmp/out1" "$tmp/out2" >/dev/null || fail "compile: different bytes the second time"
while read -r hash kind id path; do
  [ "$(sha256sum "$path" | cut -d' ' -f1)" = "$hash" ] || fail "compile: $path does not hash to $hash"
done <"$tmp/c1"

# Usage errors: exit status 2.
"$motcua" compile "$MOTCUA_WORKFLOWS/procedures/feedback.mc" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "compile without -o: exit status $rc"
"$motcua" check --frobnicate >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown option: exit status $rc"
"$motcua" check "$tmp/none.mc" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "missing file: exit status $rc"
grep -qF "cannot read $tmp/none.mc" "$tmp/err" || fail "missing file: $(cat "$tmp/err")"

finish "all motcua check/compile checks passed"
