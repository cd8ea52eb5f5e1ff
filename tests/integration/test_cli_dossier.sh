#!/usr/bin/env bash
# test_cli_dossier.sh — the engine from the command line, as an agency runs a
# rehearsal: publish the bundle, submit a birth registration online, act on
# it through to the result, see refusals, fire a supplement window, and read
# the auditor's replay of the dossier.
# Usage: test_cli_dossier.sh path/to/motcua
. "$(dirname "$0")/lib.sh"
d=$tmp/data
form='{"child_name":"Nguyễn Minh An","birth_date":"2026-02-01","gender":"Nam","birth_place":"Bắc Ninh","mother_id":"027190001234","phone":"0912345678"}'

# Every definition `check` compiles, and the calendars.
defs=$(( $("$motcua" check | grep -c '^ok ') + 1 ))
"$motcua" publish "$d" --now 2026-01-05T08:00 --from 2026-01-01T00:00 >"$tmp/out" 2>&1 || fail "publish: $(cat "$tmp/out")"
[ "$(grep -c '^publish ' "$tmp/out")" -eq "$defs" ] || fail "publish: $(cat "$tmp/out")"
# Publishing the same bundle again changes nothing.
"$motcua" publish "$d" --now 2026-01-05T09:00 --from 2026-01-01T00:00 >"$tmp/out" 2>&1 || fail "publish again: $(cat "$tmp/out")"
[ "$(grep -c '^unchanged: ' "$tmp/out")" -eq "$defs" ] || fail "publish again: $(cat "$tmp/out")"

out=$("$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X01 --as cd-1:applicant \
  --now 2026-02-10T09:00 --form-json "$form" 2>&1) || fail "submit: $out"
[ "$(echo "$out" | cut -d' ' -f1)" = H13.X01-260210-0001 ] || fail "submit: $out"
code=H13.X01-260210-0001

# Accepted after the 15:00 cut-off: the same-day procedure is due the next working day.
out=$("$motcua" dossier "$d" act $code accept --as lan:reception:H13.X01 --now 2026-02-10T16:00 2>&1) ||
  fail "accept: $out"
echo "$out" | grep -q "appointment 2026-02-11T17:00:00+07:00" || fail "accept: $out"

# Refused, with the rule and the step; nothing appended.
"$motcua" dossier "$d" act $code approve --as lan:reception:H13.X01 --now 2026-02-10T16:10 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "wrong role: exit status"
grep -qF 'the step "processing" (Công chức tư pháp - hộ tịch xử lý) is done by specialist, not by reception' "$tmp/err" ||
  fail "wrong role: $(cat "$tmp/err")"
"$motcua" dossier "$d" act $code approve --as an:specialist:H13.X01 --expect 1 --now 2026-02-10T16:10 >"$tmp/out" 2>"$tmp/err"
grep -qF "is at version 2, not 1" "$tmp/err" || fail "stale version: $(cat "$tmp/err")"

"$motcua" dossier "$d" act $code approve --as an:specialist:H13.X01 --now 2026-02-11T08:00 >/dev/null || fail "approve"
"$motcua" dossier "$d" act $code approve --as binh:leader:H13.X01 --now 2026-02-11T09:00 >/dev/null || fail "sign"
out=$("$motcua" dossier "$d" show $code)
echo "$out" | grep -q "decided: approved, on_time" || fail "show: $out"
"$motcua" dossier "$d" act $code return_result --as lan:reception:H13.X01 --now 2026-02-11T10:00 >/dev/null || fail "return"
"$motcua" dossier "$d" show $code | grep -q "$code  returned" || fail "returned"
"$motcua" dossier "$d" rate $code --rating 4 --reason "Đúng hẹn" --as cd-1:applicant --now 2026-02-11T11:00 >/dev/null ||
  fail "rate"
"$motcua" dossier "$d" show $code | grep -q "rated 4/5" || fail "rating not shown"

# A second dossier waits for a supplement that never comes: stopped by its timer.
out=$("$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X01 --as cd-2:applicant \
  --now 2026-03-02T09:00 --form-json "$form" 2>&1) || fail "submit 2: $out"
code2=H13.X01-260302-0001
"$motcua" dossier "$d" act $code2 request_supplement --as lan:reception:H13.X01 \
  --reason "Thiếu Giấy chứng sinh bản chính" --now 2026-03-02T10:00 >/dev/null || fail "supplement"
"$motcua" timers "$d" --fire --now 2026-03-10T08:00 | grep -q "fired 0" || fail "fired too early"
"$motcua" timers "$d" --fire --now 2026-03-20T08:00 >"$tmp/out" || fail "fire"
grep -q "fired 1 timer event" "$tmp/out" || fail "fire: $(cat "$tmp/out")"
"$motcua" dossier "$d" show $code2 | grep -q "$code2  stopped" || fail "not stopped"
"$motcua" dossier "$d" show $code2 | grep -qx "  supplement requested" || fail "supplement not shown"

# The auditor's replay, as it stood before the window passed.
out=$("$motcua" audit replay "$d" --dossier $code2 --as-of 2026-03-05T00:00)
echo "$out" | grep -q 'request_supplement at step "reception" -> supplement_requested' || fail "replay: $out"
echo "$out" | grep -q "as it stands: supplement_requested" || fail "replay as of: $out"
echo "$out" | grep -q "timed_out" && fail "replay shows the future: $out"
out=$("$motcua" audit replay "$d" --dossier $code2)
echo "$out" | grep -q "a timer due 2026-03-17T17:00:00+07:00" || fail "replay due instant: $out"
echo "$out" | grep -qE "calendar version  [0-9a-f]{64}" || fail "replay names no calendar version: $out"
# Replay under another TZ gives the same account.
[ "$(TZ=America/New_York "$motcua" audit replay "$d" --dossier $code2)" = "$out" ] || fail "replay depends on TZ"
# Assigned, then stopped by a leader; the procedure retired.
out=$("$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X01 --as cd-3:applicant \
  --now 2026-03-21T09:00 --form-json "$form" 2>&1) || fail "submit 3: $out"
code3=$(echo "$out" | cut -d' ' -f1)
"$motcua" dossier "$d" act $code3 accept --as lan:reception:H13.X01 --now 2026-03-21T09:30 >/dev/null || fail "accept 3"
# An assignment names enabled officials of the agency doing the step: made
# here, with no server running (motcua user add opens the data directory).
for who in hoa an.tv minh; do
  out=$("$motcua" user add "$d" $who --name "Cán bộ $who" --roles specialist --agency H13.X01 \
    --now 2026-03-21T09:40 2>&1) || fail "user add $who: $out"
  echo "$out" | grep -q "^$who: one-time password [a-z0-9]\{16\}" || fail "user add $who said: $out"
done
out=$("$motcua" dossier "$d" assign $code3 --handler nobody.here --as binh:leader:H13.X01 --now 2026-03-21T09:50 2>&1) &&
  fail "assigned to an account that does not exist: $out"
echo "$out" | grep -q 'there is no official "nobody.here"' || fail "assign to nobody: $out"
"$motcua" dossier "$d" assign $code3 --handler hoa --co an.tv --as binh:leader:H13.X01 --now 2026-03-21T10:00 >/dev/null ||
  fail "assign"
"$motcua" dossier "$d" show $code3 | grep -q "handled by hoa with an.tv" || fail "assign not shown"
# Hoa leaves: her open dossiers go to Minh in one command; co-handlers stay.
out=$("$motcua" dossier "$d" reassign-all --from hoa --handler minh --as binh:leader:H13.X01 --now 2026-03-21T10:30 2>&1) ||
  fail "reassign-all: $out"
echo "$out" | grep -q "reassigned 1 open dossier from hoa to minh" || fail "reassign-all: $out"
"$motcua" dossier "$d" show $code3 | grep -q "handled by minh with an.tv" || fail "reassigned: $("$motcua" dossier "$d" show $code3)"
out=$("$motcua" dossier "$d" reassign-all --from hoa --handler minh --as binh:leader:H13.X01 --now 2026-03-21T10:40 2>&1)
echo "$out" | grep -q "hoa has no open dossier" || fail "reassign-all again: $out"
"$motcua" dossier "$d" stop $code3 --reason "Trùng hồ sơ" --as binh:leader:H13.X01 --now 2026-03-21T11:00 >/dev/null ||
  fail "stop"
# A stopped dossier is nobody's open work.
out=$("$motcua" dossier "$d" reassign-all --from minh --handler hoa --as binh:leader:H13.X01 --now 2026-03-21T11:10 2>&1)
echo "$out" | grep -q "minh has no open dossier" || fail "finished dossier still listed: $out"
"$motcua" retire "$d" procedure 1.001193 --from 2026-04-01T00:00 --now 2026-03-22T08:00 >/dev/null || fail "retire"
"$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X01 --as cd-4:applicant \
  --now 2026-04-02T09:00 --form-json "$form" >/dev/null 2>"$tmp/err"
grep -qF "is retired and takes no new dossiers" "$tmp/err" || fail "retired: $(cat "$tmp/err")"

# Documents: a card scanned at the desk for a judicial record is reused by the
# same citizen's driving licence exchange; the health certificate is missing.
jr='{"citizen":"027190007777","full_name":"Phan Văn Tài","kind":"Phiếu số 1","purpose":"Xin việc"}'
dl='{"citizen":"027190007777","full_name":"Phan Văn Tài","licence_no":"AB777777","origin":"Việt Nam"}'
card=$(printf 'cccd' | sha256sum | cut -d' ' -f1)
# Reception enters who files at the desk: the applicant block.
tai='{"kind":"person","name":"Phan Văn Tài","id_number":"027190007777","address":"Số 3 Nguyễn Đăng Đạo, Bắc Ninh"}'
out=$("$motcua" dossier "$d" submit --procedure 2.000488 --agency H13.STP --channel desk --as rc:reception:H13.STP \
  --applicant-json "$tai" --document "cccd=$card@2035-01-01" --now 2026-04-06T09:00 --form-json "$jr" 2>&1) ||
  fail "submit with a document: $out"
first=$(echo "$out" | cut -d' ' -f1)
"$motcua" dossier "$d" submit --procedure 1.002835 --agency H13.CA --channel desk --as pv:reception:H13.CA \
  --applicant-json "$tai" --document "gplx=nothex" --now 2026-04-06T10:00 --form-json "$dl" >/dev/null 2>"$tmp/err"
grep -qF 'the scan of "gplx" is referenced by its SHA-256' "$tmp/err" || fail "bad scan: $(cat "$tmp/err")"
out=$("$motcua" dossier "$d" submit --procedure 1.002835 --agency H13.CA --channel desk --as pv:reception:H13.CA \
  --applicant-json "$tai" --document "gplx=$card" --now 2026-04-06T10:00 --form-json "$dl" 2>&1) || fail "reuse: $out"
second=$(echo "$out" | cut -d' ' -f1)
out=$("$motcua" dossier "$d" show "$second")
echo "$out" | grep -qF "document cccd: sha256:${card:0:16} valid until 2035-01-01, reused from $first" ||
  fail "not reused: $out"
echo "$out" | grep -qF "document kham_sk: missing" || fail "missing not shown: $out"

# Every message the dossiers caused waits in the outbox until it is delivered.
out=$("$motcua" outbox "$d") || fail "outbox: $out"
echo "$out" | grep -qE "^[0-9]+/0  accepted +to applicant +H13.X01-260210-0001$" || fail "outbox: $out"
echo "$out" | grep -qE "^[0-9]+/1  new_dossier +to official +H13.X01-260210-0001$" || fail "outbox: $out"
echo "$out" | grep -qE "^[0-9]+/0  received +to applicant +H13.X01-260210-0001$" || fail "outbox: $out"

# A clock in the future would carry into every later event: refused outside a rehearsal.
"$motcua" timers "$d" --fire --now 2099-01-01T08:00 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "is in the future" "$tmp/err" || fail "future --now: $(cat "$tmp/err")"

# A --now earlier than the log's last event is said: what is recorded is stamped after it.
"$motcua" timers "$d" --fire --now 2026-01-20T09:00 >"$tmp/out" 2>"$tmp/err" || fail "timers in the past: $(cat "$tmp/err")"
grep -qF "note: --now 2026-01-20T09:00 is before the log's last event" "$tmp/err" || fail "earlier --now: $(cat "$tmp/err")"
# A yes/no field of --form-json is true or false, and the refusal says so.
marriage='{"husband_name":"A","husband_id":"027190001234","wife_name":"B","wife_id":"027190004321","needs_check":"yes"}'
"$motcua" dossier "$d" submit --procedure 1.000894 --agency H13.X01 --as cd-3:applicant --now 2026-02-12T09:00 \
  --form-json "$marriage" >"$tmp/out" 2>"$tmp/err"
grep -qF "must be true or false" "$tmp/err" || fail "yes/no: $(cat "$tmp/err")"

# Filed at the wrong commune: reception transfers it before accepting it (issue 21), with a reason.
married='{"husband_name":"A","husband_id":"027190001234","wife_name":"B","wife_id":"027190004321","needs_check":false}'
out=$("$motcua" dossier "$d" submit --procedure 1.000894 --agency H13.X01 --as cd-4:applicant \
  --now 2026-04-07T09:00 --form-json "$married" 2>&1) || fail "submit to transfer: $out"
wrong=$(echo "$out" | cut -d' ' -f1)
"$motcua" dossier "$d" transfer "$wrong" --to H13.STP --reason "Sai nơi nộp" --as rc-1:reception:H13.X01 \
  --now 2026-04-07T09:05 >"$tmp/out" 2>"$tmp/err" && fail "transfer to an agency not offering it: $(cat "$tmp/out")"
grep -qF "does not offer the procedure 1.000894; the agencies that do: H13.X02" "$tmp/err" || fail "transfer not offered: $(cat "$tmp/err")"
"$motcua" dossier "$d" transfer "$wrong" --to H13.X02 --reason "Nơi cư trú thuộc phường Võ Cường" \
  --as rc-1:reception:H13.X01 --now 2026-04-07T09:10 >"$tmp/out" 2>"$tmp/err" || fail "transfer: $(cat "$tmp/err")"
out=$("$motcua" dossier "$d" show "$wrong") || fail "show after transfer: $out"
echo "$out" | grep -qF '"agency": "H13.X02"' || echo "$out" | grep -qF 'H13.X02' || fail "show after transfer: $out"

# Every command answers --help on stdout with exit status 0.
for c in check compile graph publish user dossier retire timers outbox deliver announce deadline audit backup store; do
  "$motcua" $c --help >"$tmp/out" 2>"$tmp/err" || fail "$c --help: exit status $?: $(cat "$tmp/err")"
  grep -q "usage" "$tmp/out" || fail "$c --help says no usage: $(cat "$tmp/out")"
done
# ... also after a verb, where a user types it.
"$motcua" dossier "$d" transfer --help >"$tmp/out" 2>"$tmp/err" || fail "dossier DIR transfer --help: exit status $?"
grep -qF "transfer" "$tmp/out" || fail "dossier DIR transfer --help does not describe transfer: $(cat "$tmp/out")"
"$motcua" help | grep -qF "MOTCUA_WORKFLOWS" || fail "help does not say MOTCUA_WORKFLOWS"

# The log still verifies, projections included.
"$motcua" audit verify "$d" >"$tmp/out" 2>&1 || fail "verify: $(cat "$tmp/out")"

finish "all motcua publish/dossier/timers checks passed"
