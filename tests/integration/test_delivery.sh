#!/usr/bin/env bash
# test_delivery.sh — the outbox delivered for real: a local SMTP server
# (Debian's aiosmtpd) and a local text-message gateway on loopback receive
# what `motcua deliver` sends; refusals are recorded and alert the agency,
# temporary failures are retried with backoff, nothing is sent twice.
# Usage: test_delivery.sh path/to/motcua path/to/send-code
send_code=$2
. "$(dirname "$0")/lib.sh"
d=$tmp/data
box=$tmp/box
mkdir -p "$box"
py=/usr/bin/python3
read -r smtp http tls < <($py -c 'import socket
s = [socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
# A certificate for the STARTTLS server, valid for 127.0.0.1 only.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -days 1 2>/dev/null || { echo "FAIL: openssl"; exit 1; }
$py "$(dirname "$0")/mail_sink.py" "$box" "$smtp" "$http" "$tls" "$tmp/cert.pem" "$tmp/key.pem" &
sink=$!
trap 'kill $sink 2>/dev/null; wait $sink 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -e "$box/ready" ] && break; sleep 0.1; done
[ -e "$box/ready" ] || { echo "FAIL: the mail sink did not start"; exit 1; }

"$motcua" publish "$d" --now 2026-03-02T07:00 --from 2026-01-01T00:00 >/dev/null || fail "publish"
household() { # EMAIL -> dossier code, accepted
  local code
  code=$("$motcua" dossier "$d" submit --procedure 2.000575 --agency H13.X01 --as "$2:applicant" --now "$3" \
    --form-json "{\"address\":\"Số 1 Lý Thái Tổ\",\"business_name\":\"Quán Hạnh\",\"capital\":10000000,\"email\":\"$1\",\"owner_id\":\"027190001111\"}" |
    cut -d' ' -f1)
  "$motcua" dossier "$d" act "$code" accept --as lan:reception:H13.X01 --now "$3" >/dev/null || fail "accept $code"
  echo "$code"
}
birth() { # PHONE -> dossier code, accepted
  local code
  code=$("$motcua" dossier "$d" submit --procedure 1.001193 --agency H13.X01 --as "$2:applicant" --now "$3" \
    --form-json "{\"child_name\":\"Nguyễn An\",\"birth_date\":\"2026-02-01\",\"gender\":\"Nam\",\"birth_place\":\"Bắc Ninh\",\"mother_id\":\"027190001234\",\"phone\":\"$1\"}" |
    cut -d' ' -f1)
  "$motcua" dossier "$d" act "$code" accept --as lan:reception:H13.X01 --now "$3" >/dev/null || fail "accept $code"
  echo "$code"
}
mailed=$(household chu.ho@example.vn cd-1 2026-03-02T08:00)
refused=$(household nobody@example.vn cd-2 2026-03-02T08:10)
texted=$(birth 0912345678 cd-3 2026-03-02T08:20)
busy=$(birth 0912345670 cd-4 2026-03-02T08:30)

deliver() {
  "$motcua" deliver "$d" --smtp "smtp://127.0.0.1:$smtp" --from motcua@bacninh.gov.vn \
    --sms-url "http://127.0.0.1:$http/sms" --now "$1"
}
out=$(deliver 2026-03-02T09:00 2>&1) || fail "deliver: $out"
# received and accepted, by e-mail and by text, and reception alerted of the four new
# dossiers at the agency's address (a commune without one: its province's); refused
# by the server (twice); the busy gateway is retried (twice).
echo "$out" | grep -q "^sent 8, failed 2, to retry 2, waiting 0$" || fail "first pass: $out"
[ "$(grep -l "^To: ubnd@bacninh.gov.vn" "$box"/mail-*.eml | wc -l)" -eq 4 ] || fail "reception not alerted"

# The e-mail as it arrived: UTF-8 subject, body, a Message-ID per notification.
check=$($py - "$box" "$mailed" 2>"$tmp/pyerr" <<'PY'
import email, email.policy, glob, sys
box, code = sys.argv[1], sys.argv[2]
mails = [email.message_from_binary_file(open(p, "rb"), policy=email.policy.default) for p in sorted(glob.glob(box + "/mail-*.eml"))]
mails = [m for m in mails if m["To"] == "chu.ho@example.vn"]
assert len(mails) == 2, "%d mails" % len(mails)
assert mails[0]["Subject"] == "Đã nhận hồ sơ %s" % code, mails[0]["Subject"]
assert mails[0]["Message-ID"] != mails[1]["Message-ID"]
m = mails[1]
assert m["Subject"] == "Hồ sơ %s đã được tiếp nhận" % code, m["Subject"]
assert m["To"] == "chu.ho@example.vn" and m["From"] == "motcua@bacninh.gov.vn", (m["To"], m["From"])
body = m.get_content()
assert "Kính gửi ông/bà," in body and "Đăng ký thành lập hộ kinh doanh" in body, body
assert m["Message-ID"].endswith(".0.motcua@bacninh.gov.vn>"), m["Message-ID"]
for path in glob.glob(box + "/mail-*.eml"):
    raw = open(path, "rb").read().decode("ascii")  # all 7-bit: encoded words and base64
    assert all(len(line) <= 78 for line in raw.split("\r\n")), "a line over 78 characters in " + path
print("ok")
PY
)
[ "$check" = ok ] || fail "the e-mail: $check $(cat "$tmp/pyerr" 2>/dev/null)"
grep -qF "\"to\": \"0912345678\"" "$box"/sms-*.json 2>/dev/null || grep -qF '"to":"0912345678"' "$box"/sms-*.json ||
  fail "no text message: $(cat "$box"/sms-*.json 2>&1)"
grep -qF "$texted" "$box"/sms-*.json || fail "text message without the code: $(cat "$box"/sms-*.json)"

# The refusal is recorded and alerts the agency.
out=$("$motcua" outbox "$d")
echo "$out" | grep -qE "delivery_failed +to official +$refused$" || fail "no alert for the refusal: $out"
echo "$out" | grep -qE "accepted +to applicant +$mailed$" && fail "delivered but still waiting: $out"
"$motcua" audit replay "$d" --dossier "$refused" >/dev/null || fail "replay"

# Again at once: nothing is sent twice but the agency's alert about the refusal;
# the busy one is not due yet (30 s backoff).
out=$(deliver 2026-03-02T09:00:10 2>&1) || fail "deliver again: $out"
echo "$out" | grep -q "^sent 2, failed 0, to retry 0, waiting 2$" || fail "second pass: $out"
# The gateway stays busy: retried with growing waits (30 s doubling), then, at the
# tenth attempt, failed for good.
for t in 09:01 09:03 09:10 09:30 10:30 11:00 12:00 14:00 17:00; do
  out=$(deliver "2026-03-02T$t" 2>&1) || fail "deliver at $t: $out"
done
echo "$out" | grep -q "^sent 0, failed 2, to retry 0" || fail "after the attempts: $out"
"$motcua" outbox "$d" | grep -qE "delivery_failed +to official +$busy$" || fail "busy: no alert"
[ "$(grep -l "^To: chu.ho@example.vn" "$box"/mail-*.eml | wc -l)" -eq 2 ] || fail "sent twice: $(ls "$box")"

# A clock in the future would date every later event: refused unless rehearsing.
"$motcua" deliver "$d" --smtp "smtp://127.0.0.1:$smtp" --from motcua@bacninh.gov.vn --now 2099-01-01T09:00 \
  >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "deliver --now in the future: not refused ($(cat "$tmp/out"))"
grep -q "is in the future" "$tmp/out" || fail "deliver --now in the future: $(cat "$tmp/out")"

# Killed between sending and recording: sent once more on the next pass, with
# the same Message-ID (a mail client drops it), and never a third time.
slow=$(household slow@example.vn cd-5 2026-03-03T08:00)
"$motcua" deliver "$d" --smtp "smtp://127.0.0.1:$smtp" --from motcua@bacninh.gov.vn --now 2026-03-03T09:00 \
  >/dev/null 2>&1 &
worker=$!
for _ in $(seq 200); do grep -lq "^To: slow@example.vn" "$box"/mail-*.eml 2>/dev/null && break; sleep 0.05; done
kill -9 $worker 2>/dev/null
wait $worker 2>/dev/null
"$motcua" outbox "$d" | grep -qE "accepted +to applicant +$slow$" || fail "killed worker: the outcome was recorded?"
out=$(deliver 2026-03-03T09:01 2>&1) || fail "deliver after the kill: $out"
"$motcua" outbox "$d" | grep -qE "accepted +to applicant +$slow$" && fail "after the kill: $out"
out=$(deliver 2026-03-03T09:02 2>&1)
echo "$out" | grep -q "^sent 0," || fail "a third time: $out"
first=$(grep -h "^Message-ID:" $(grep -l "^To: slow@example.vn" "$box"/mail-*.eml | head -1))
ids=$(grep -h "^Message-ID:" $(grep -l "^To: slow@example.vn" "$box"/mail-*.eml) | grep -cF "$first")
[ "$ids" = 2 ] || fail "the duplicate does not share its Message-ID: $ids"

# A gateway that does not answer in time: tried again later, not failed.
slowsms=$(birth 0912345607 cd-8 2026-03-04T10:10)
out=$("$motcua" deliver "$d" --sms-url "http://127.0.0.1:$http/sms" --timeout-ms 500 --now 2026-03-04T11:00 2>&1)
echo "$out" | grep -q "to retry 2" || fail "a gateway timeout: $out"
"$motcua" outbox "$d" | grep -qE "accepted +to applicant +$slowsms$" || fail "timed out, yet not waiting"

# The province's mail server: STARTTLS with its certificate, and AUTH; the
# password from a file only its owner reads.
secure=$(household can.bo@example.vn cd-9 2026-03-05T08:00)
printf 's3cret-ổn\n' >"$tmp/pw"
chmod 644 "$tmp/pw"
out=$("$motcua" deliver "$d" --smtp "smtp://127.0.0.1:$tls" --from motcua@bacninh.gov.vn --starttls \
  --smtp-ca "$tmp/cert.pem" --smtp-user motcua --smtp-password-file "$tmp/pw" --now 2026-03-05T09:00 2>&1)
echo "$out" | grep -q "readable by others; chmod 600 it" || fail "a password file others read: $out"
chmod 600 "$tmp/pw"
out=$("$motcua" deliver "$d" --smtp "smtp://127.0.0.1:$tls" --from motcua@bacninh.gov.vn --starttls \
  --smtp-ca "$tmp/cert.pem" --smtp-user motcua --smtp-password-file "$tmp/pw" --now 2026-03-05T09:00 2>&1) ||
  fail "deliver over STARTTLS: $out"
grep -l "^To: can.bo@example.vn" "$box"/mail-*.eml >/dev/null 2>&1 || fail "nothing over STARTTLS: $out"

# An incident told to everyone with an open dossier at H13.X01 (BN Art. 14):
# each address once; a returned dossier's applicant is not bothered.
"$motcua" dossier "$d" withdraw "$mailed" --as cd-1:applicant --now 2026-03-06T08:00 >/dev/null || fail "withdraw"
other=$(household khac@example.vn cd-10 2026-03-06T08:10)
"$motcua" announce "$d" --message "Hệ thống tạm dừng từ 18:00 đến 20:00 ngày 06/03/2026 để bảo trì." \
  --as ha:agency_admin:H13.X02 --agency H13.X01 --now 2026-03-06T09:00 >"$tmp/out" 2>&1
grep -q "announced by the system administrator, or by an agency's administrator to its own" "$tmp/out" ||
  fail "another agency's announcement: $(cat "$tmp/out")"
"$motcua" announce "$d" --message "Hệ thống tạm dừng từ 18:00 đến 20:00 ngày 06/03/2026 để bảo trì." \
  --as ha:agency_admin:H13.X01 --agency H13.X01 --now 2026-03-06T09:00 >/dev/null || fail "announce"
"$motcua" outbox "$d" | grep -qE "incident +to affected:H13.X01 +-$" || fail "announcement not waiting: $("$motcua" outbox "$d")"
before=$(ls "$box"/mail-*.eml | wc -l)
out=$(deliver 2026-03-06T09:05 2>&1) || fail "deliver the announcement: $out"
told=$(grep -l "^Subject: =?UTF-8?B?VGjDtG5n" "$box"/mail-*.eml | xargs grep -h "^To:" | tr -d "\r" | sort)
echo "$told" | grep -qx "To: khac@example.vn" || fail "announcement: $told"
echo "$told" | grep -qx "To: chu.ho@example.vn" && fail "a withdrawn dossier's applicant told: $told"
[ "$(echo "$told" | grep -c "khac@example.vn")" -eq 1 ] || fail "told twice: $told"
"$motcua" outbox "$d" | grep -q "incident" && fail "the announcement still waits"

# A one-time code (an account's verification): sent, never in the legal record.
out=$("$send_code" "$d" "$smtp" moi@example.vn 482913 2026-03-07T08:00 2>&1) || fail "send-code: $out"
echo "$out" | grep -q "^sent 1," || fail "the code: $out"
grep -l "^To: moi@example.vn" "$box"/mail-*.eml >/dev/null || fail "no mail with the code"
"$motcua" audit export "$d" --format jsonl >"$tmp/export" 2>&1 || fail "export"
grep -q 482913 "$tmp/export" && fail "the code is in the legal record"
$py - "$box" <<'PY' || fail "the code's mail"
import email, email.policy, glob, sys
for p in glob.glob(sys.argv[1] + "/mail-*.eml"):
    m = email.message_from_binary_file(open(p, "rb"), policy=email.policy.default)
    if m["To"] == "moi@example.vn":
        assert m["Subject"] == "Mã xác thực tài khoản dịch vụ công", m["Subject"]
        assert "Mã xác thực của ông/bà là 482913." in m.get_content()
        sys.exit(0)
sys.exit(1)
PY
# An address that would break the mail (CR/LF: a command injected into SMTP) is
# refused by the form; an announcement names an agency of the directory; a
# password is never sent in the clear.
"$motcua" dossier "$d" submit --procedure 2.000575 --agency H13.X01 --as cd-x:applicant --now 2026-03-07T08:30 \
  --form-json '{"address":"x","business_name":"x","capital":1,"email":"a@b.vn\r\nRCPT TO:<x@y.vn>","owner_id":"027190001111"}' \
  >"$tmp/out" 2>&1 && fail "an e-mail with CR/LF accepted"
grep -q "must be an email address\|must be an e-mail" "$tmp/out" || fail "CR/LF e-mail: $(cat "$tmp/out")"
"$motcua" announce "$d" --message "x" --agency H13.KHONG-CO --as a:system_admin --now 2026-03-07T08:30 >"$tmp/out" 2>&1 &&
  fail "an announcement to no agency accepted"
grep -q "is not in the directory" "$tmp/out" || fail "unknown agency: $(cat "$tmp/out")"
"$motcua" deliver "$d" --smtp "smtp://127.0.0.1:$tls" --from motcua@bacninh.gov.vn --smtp-user motcua \
  --smtp-password-file "$tmp/pw" >"$tmp/out" 2>&1 && fail "AUTH in the clear accepted"
grep -q "in the clear" "$tmp/out" || fail "AUTH in the clear: $(cat "$tmp/out")"

# Not sent within its lifetime (the server down): dropped, not sent late.
out=$("$send_code" "$d" 1 tre@example.vn 111111 2026-03-07T09:00 2>&1)
echo "$out" | grep -q "to retry 1" || fail "an unreachable server: $out"
out=$(deliver 2026-03-07T09:20 2>&1)
echo "$out" | grep -qE "failed [1-9]" || fail "an expired code: $out"
grep -l "^To: tre@example.vn" "$box"/mail-*.eml >/dev/null 2>&1 && fail "an expired code was sent"

"$motcua" audit verify "$d" >"$tmp/out" 2>&1 || fail "verify: $(cat "$tmp/out")"
finish "all delivery checks passed"
