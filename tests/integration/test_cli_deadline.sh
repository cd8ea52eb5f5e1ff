#!/usr/bin/env bash
# test_cli_deadline.sh — `motcua deadline` as an agency official runs it:
# the first line, the explanation, the exit statuses, the error texts.
# Usage: test_cli_deadline.sh path/to/motcua  (run by meson test)
. "$(dirname "$0")/lib.sh"
cals=(--calendar "$MOTCUA_WORKFLOWS/calendars/vn.cal" "$MOTCUA_WORKFLOWS/calendars/vn-2025.cal"
      "$MOTCUA_WORKFLOWS/calendars/vn-2026.cal" "$MOTCUA_WORKFLOWS/calendars/vn-2027.cal")

# expect_first FROM ADD [extra args] -- EXPECTED
expect_due() {
  local from=$1 add=$2 expected=$3; shift 3
  local got
  got=$("$motcua" deadline "${cals[@]}" --from "$from" --add "$add" "$@" | head -n 1)
  [ "$got" = "$expected" ] || fail "deadline --from $from --add '$add' $*: expected $expected, got '$got'"
}

# DOMAIN.md's worked examples.
expect_due 2026-02-10T09:00 "4 working days" 2026-02-23T17:00:00+07:00
expect_due 2026-01-09T09:00 "1 working day"  2026-01-10T17:00:00+07:00
expect_due 2026-04-29T09:00 "1 working day"  2026-05-04T17:00:00+07:00
expect_due 2026-01-30T09:00 "5 working days" 2026-02-06T17:00:00+07:00
expect_due 2026-02-14T09:00 "1 working day"  2026-02-24T17:00:00+07:00
# Same-day procedure, before and after the cut-off; Vietnamese units; UTC input.
expect_due 2026-03-03T14:59 "0 working days" 2026-03-03T17:00:00+07:00 --cutoff 15:00
expect_due 2026-03-03T15:00 "0 ngày làm việc" 2026-03-03T17:00:00+07:00 --cutoff 15:00
expect_due 2026-03-03T15:01 "0 ngày làm việc" 2026-03-04T17:00:00+07:00 --cutoff 15:00
expect_due 2026-03-03T09:30Z "8 giờ làm việc" 2026-03-04T16:30:00+07:00
expect_due 2025-12-31T16:00 "15 days"        2026-01-15T17:00:00+07:00
# 2027 (the statutory days): Tết Fri 5 - Thu 11 Feb; Sat 1 May made up on Mon 3 May.
expect_due 2026-12-31T09:00 "1 working day"  2027-01-04T17:00:00+07:00
expect_due 2027-02-04T09:00 "3 working days" 2027-02-16T17:00:00+07:00
expect_due 2027-04-29T09:00 "1 working day"  2027-05-04T17:00:00+07:00
# The default calendar is the bundled one.
got=$("$motcua" deadline --from 2026-02-10T09:00 --add "4 working days" | head -n 1)
[ "$got" = 2026-02-23T17:00:00+07:00 ] || fail "bundled calendar by default: got '$got'"
# The process's TZ changes nothing.
got=$(TZ=America/New_York "$motcua" deadline "${cals[@]}" --from 2026-02-10T09:00 --add "4 working days" | head -n 1)
[ "$got" = 2026-02-23T17:00:00+07:00 ] || fail "TZ=America/New_York changed the result: '$got'"

# --explain says why each day was skipped.
out=$("$motcua" deadline "${cals[@]}" --from 2025-12-31T10:00 --add "2 working days" --explain)
echo "$out" | head -n 1 | grep -qx 2026-01-06T17:00:00+07:00 || fail "explain: wrong first line: $out"
for want in "reception  Wed 2025-12-31" "skipped    Thu 2026-01-01        holiday: Tết Dương lịch" \
            "swap day: Nghỉ hoán đổi" "made up on Sat 2026-01-10" \
            "weekend (no office hours on Sun)" "day 2      Tue 2026-01-06"; do
  echo "$out" | grep -qF "$want" || fail "explain lacks '$want':
$out"
done
# The substitute days of a holiday that falls on a weekend say so.
out=$("$motcua" deadline "${cals[@]}" --from 2027-02-04T09:00 --add "1 working day" --explain)
echo "$out" | head -n 1 | grep -qx 2027-02-12T17:00:00+07:00 || fail "explain: wrong first line: $out"
for want in "skipped    Sat 2027-02-06        holiday: Tết Nguyên đán Đinh Mùi" \
            "skipped    Thu 2027-02-11        holiday: Nghỉ bù Tết Nguyên đán Đinh Mùi" "day 1      Fri 2027-02-12"; do
  echo "$out" | grep -qF "$want" || fail "explain lacks '$want':
$out"
done
# Received on a holiday: the days until the next opening are explained too.
out=$("$motcua" deadline "${cals[@]}" --from 2026-01-01T10:00 --add "2 working days" --explain)
echo "$out" | head -n 1 | grep -qx 2026-01-07T17:00:00+07:00 || fail "explain: wrong first line: $out"
for want in "outside office hours; holiday: Tết Dương lịch" "skipped    Fri 2026-01-02        swap day" \
            "moved      Mon 2026-01-05 07:30" "reception  Mon 2026-01-05"; do
  echo "$out" | grep -qF "$want" || fail "explain lacks '$want':
$out"
done
# A make-up Saturday counts, and says why.
out=$("$motcua" deadline "${cals[@]}" --from 2026-01-08T10:00 --add "2 working days" --explain)
echo "$out" | head -n 1 | grep -qx 2026-01-10T17:00:00+07:00 || fail "explain: wrong first line: $out"
echo "$out" | grep -qF "day 2      Sat 2026-01-10        make-up day: Làm bù cho thứ Sáu 02/01; pays back Fri 2026-01-02" ||
  fail "explain lacks the make-up day: $out"

# Exit status 2 and a clear message for bad input.
expect_usage() {
  local want=$1; shift
  "$motcua" deadline "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ $rc -eq 2 ] || fail "$*: exit status $rc, expected 2"
  grep -qF -- "$want" "$tmp/err" || fail "$*: stderr lacks '$want': $(cat "$tmp/err")"
  [ ! -s "$tmp/out" ] || fail "$*: printed on stdout: $(cat "$tmp/out")"
}
expect_usage 'cannot read the time "10/02/2026"' "${cals[@]}" --from 10/02/2026 --add "1 working day"
expect_usage '(no such date or time)' "${cals[@]}" --from 2026-02-30T09:00 --add "1 working day"
expect_usage 'cannot read the limit "three working days"' "${cals[@]}" --from 2026-02-10T09:00 --add "three working days"
expect_usage 'cannot read the limit "3 weeks"' "${cals[@]}" --add "3 weeks"
expect_usage 'too large' "${cals[@]}" --add "99999 working days"
expect_usage 'cannot read the cut-off "3pm"' "${cals[@]}" --add "1 day" --cutoff 3pm
expect_usage 'say what limit to add' "${cals[@]}" --from 2026-02-10T09:00
expect_usage 'unknown option "--form"' "${cals[@]}" --form 2026-02-10T09:00 --add "1 day"
expect_usage '--calendar needs at least one file' --calendar --add "1 day"
expect_usage "không đọc được tệp lịch" --calendar "$tmp/none.cal" --add "1 day"

# Exit status 1: the calendar lacks the year, or its data is wrong.
"$motcua" deadline "${cals[@]}" --from 2027-12-30T09:00 --add "5 working days" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "missing 2028: exit status is not 1"
grep -qF 'has no data for 2028' "$tmp/err" || fail "missing 2028: $(cat "$tmp/err")"
for want in vn-2025.cal:12 vn-2026.cal:12 vn-2027.cal:24; do
  grep -qF "$want" "$tmp/err" || fail "missing 2028 does not name the files ($want): $(cat "$tmp/err")"
done
[ ! -s "$tmp/out" ] || fail "missing 2028: printed a result: $(cat "$tmp/out")"

printf 'calendar "vn"\nyear 2028 {\n  01/01 holiday "Tết Dương lịch"\n  01/01 holiday "lặp"\n}\n' >"$tmp/vn-2028.cal"
"$motcua" deadline "${cals[@]}" "$tmp/vn-2028.cal" --add "1 day" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "bad calendar data: exit status is not 1"
grep -qF "vn-2028.cal:4:3: error: ngày 01/01/2028 được liệt kê hai lần" "$tmp/err" || fail "bad calendar data: $(cat "$tmp/err")"

# With a valid 2028 file the same computation works: Thu 30 Dec 2027; Fri 31 = 1;
# Sat 1 Jan 2028 (holiday), Sun 2 off; Mon 3 = 2 .. Thu 6 = 5.
printf 'calendar "vn"\nyear 2028 {\n  01/01 holiday "Tết Dương lịch"\n}\n' >"$tmp/vn-2028.cal"
got=$("$motcua" deadline "${cals[@]}" "$tmp/vn-2028.cal" --from 2027-12-30T09:00 --add "5 working days" | head -n 1)
[ "$got" = 2028-01-06T17:00:00+07:00 ] || fail "with 2028 added: got '$got'"

"$motcua" help | grep -q deadline || fail "motcua help does not list deadline"
"$motcua" nonsense >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command: exit status is not 2"

finish "all motcua deadline checks passed"
