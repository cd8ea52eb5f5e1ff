#!/usr/bin/env bash
# record.sh — how the golden log tests/golden/log-v2 was recorded: the real
# motcua and motcuad, the bundled workflows, a fixed clock (--now) for every
# command line, a local SMTP server for the delivery worker.  Kept so that it
# can be read and re-run, NOT to regenerate the golden log: a later version
# must read what an earlier one wrote (README.md).
#
#   tests/golden/log-v2/record.sh path/to/motcua path/to/motcuad OUT_DIR
#
# Writes OUT_DIR/data.mdb (a compact copy made by `motcua backup`; the aux
# environment is not part of the legal record and is left out) and
# OUT_DIR/record.out (every command and what it printed).  Needs
# /usr/bin/python3 with aiosmtpd (tools/deps.sh).
#
# The times: every command line runs at a fixed --now, in order (the log's
# times only grow), from June to July 2026.  Accounts are written by the
# server (motcuad, through its admin socket), whose clock is the machine's:
# they come last, when no timer is armed (else the server would fire them on
# its own clock), and their events carry the time they were recorded.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 MOTCUA MOTCUAD OUT_DIR" >&2; exit 2; }
motcua=$(realpath "$1")
motcuad=$(realpath "$2")
out=$3
here=$(cd "$(dirname "$0")" && pwd)
sink_py=$here/../../integration/mail_sink.py
py=/usr/bin/python3

mkdir -p "$out"
out=$(cd "$out" && pwd)
[ ! -e "$out/data.mdb" ] || { echo "$out/data.mdb exists: give an empty directory" >&2; exit 2; }
work=$(mktemp -d /tmp/motcua-golden-v2-XXXXXX)
d=$work/data
box=$work/box
mkdir -p "$box"
sink=
server=
cleanup() {
  [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
  [ -z "$sink" ] || { kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
log=$out/record.out
: >"$log"

# Runs a command, keeping it and its output in the transcript; stops on failure.
m() {
  printf '$ motcua %s\n' "$*" >>"$log"
  local o
  if ! o=$("$motcua" "$@" 2>&1); then
    printf '%s\n' "$o" >>"$log"
    echo "FAILED: motcua $*" >&2
    printf '%s\n' "$o" >&2
    exit 1
  fi
  printf '%s\n' "$o" >>"$log"
  printf '%s\n' "$o"
}
# The dossier code a submission printed.
code_of() { cut -d' ' -f1; }
# A document's scan, referenced by its SHA-256 and kept where motcuad keeps
# uploads (DATA/files/sha256/ab/HASH: audit verify checks every file the log
# references); its bytes are a text, put there by hand as the command line
# files without uploading.
scan() {
  local h
  h=$(printf 'scan of %s' "$1" | sha256sum | cut -d' ' -f1)
  mkdir -p "$d/files/sha256/${h:0:2}"
  printf 'scan of %s' "$1" >"$d/files/sha256/${h:0:2}/$h"
  echo "$h"
}
act() { # CODE ACTION WHO:ROLE:AGENCY TIME [more options]
  local code=$1 action=$2 as=$3 now=$4
  shift 4
  m dossier "$d" act "$code" "$action" --as "$as" --now "$now" "$@" >/dev/null
}
fire() { m timers "$d" --fire --now "$1" >/dev/null; }

# The applicant block reception enters for a walk-in (since issue 17).
walk_in() { # ID NAME
  printf '{"kind":"person","name":"%s","id_number":"%s"}' "$2" "$1"
}
birth_form() { # PHONE
  printf '{"child_name":"Nguyễn Minh An","birth_date":"2026-05-20","gender":"Nam","birth_place":"Bệnh viện Sản Nhi Bắc Ninh","mother_id":"027190001234","phone":"%s"}' "$1"
}
household_form() { # EMAIL
  printf '{"business_name":"Quán cà phê Hạnh","owner_id":"027190002222","address":"Số 1 Lý Thái Tổ, phường Kinh Bắc","capital":50000000,"members":2,"email":"%s"}' "$1"
}
judicial_form='{"full_name":"Trần Văn Bình","citizen":"027090003333","kind":"Phiếu số 1","purpose":"Bổ sung hồ sơ xin việc","extra_copies":1}'
licence_form='{"full_name":"Trần Văn Bình","citizen":"027090003333","licence_no":"AB1234567","origin":"nước ngoài"}'
house_form='{"owner_name":"Lê Thị Hoa","owner_id":"027180004444","parcel":"Thửa 125, tờ bản đồ 7","floor_area":180,"floors":3}'
feedback_form='{"subject":"Thời gian trả kết quả","content":"Hồ sơ của tôi quá hạn mà chưa được thông báo.","received":"Cổng dịch vụ công"}'
marriage_form='{"husband_name":"Phạm Văn Cường","husband_id":"027090005555","wife_name":"Đỗ Thị Dung","wife_id":"027190006666","needs_check":true}'

# The delivery worker against a local SMTP server (aiosmtpd): a recipient
# "nobody@..." is refused for good (550); no text-message gateway, so a
# message with only a phone waits in the outbox.
read -r smtp http < <($py -c 'import socket
s = [socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
$py "$sink_py" "$box" "$smtp" "$http" &
sink=$!
for _ in $(seq 100); do [ -e "$box/ready" ] && break; sleep 0.1; done
[ -e "$box/ready" ] || { echo "the mail sink did not start" >&2; exit 1; }
deliver() { m deliver "$d" --smtp "smtp://127.0.0.1:$smtp" --from motcua@bacninh.gov.vn --now "$1" >/dev/null; }

# ---------------------------------------------------------------- definitions
# The bundle (procedures, policies, the directory, templates, the calendar),
# then a second version of 2.000575 under bn-2018, in effect from 1 July.
m publish "$d" --now 2026-06-01T07:00 --from 2026-06-01T00:00 >/dev/null
m publish "$d" "$here/household-business-v2.mc" --now 2026-06-01T07:05 --from 2026-07-01T00:00 >/dev/null
# The officials dossiers are assigned to (an assignment names an enabled
# official of the agency doing the step), before the server runs.
m user add "$d" an.x03 --name "Nguyễn Văn An" --roles specialist --agency H13.X03 --email an.x03@bacninh.gov.vn \
  --now 2026-06-01T07:10 >/dev/null
m user add "$d" chi.x03 --name "Trần Thị Chi" --roles specialist --agency H13.X03 --now 2026-06-01T07:10 >/dev/null
m user add "$d" dung.x03 --name "Lê Văn Dũng" --roles specialist --agency H13.X03 --now 2026-06-01T07:10 >/dev/null
m user add "$d" ca.an --name "Phạm Văn An" --roles specialist --agency H13.CA --now 2026-06-01T07:10 >/dev/null
m user add "$d" ca.binh --name "Vũ Thị Bình" --roles specialist --agency H13.CA --now 2026-06-01T07:10 >/dev/null

# ---------------------------------------------------------------- Monday 1 June
# D1 birth, online: accepted, warned and overdue at processing, approved twice, returned, rated.
d1=$(m dossier "$d" submit --procedure 1.001193 --agency H13.X01 --as 027190000001:applicant --now 2026-06-01T08:00 \
  --form-json "$(birth_form 0912345671)" --document giay_chung_sinh="$(scan d1-chung-sinh)" | code_of)
act "$d1" accept lan:reception:H13.X01 2026-06-01T08:30
# D2 birth, at the desk (no account): the certificate missing, supplement asked before acceptance.
d2=$(m dossier "$d" submit --procedure 1.001193 --agency H13.X02 --channel desk --owner 027190000002 \
  --applicant-json "$(walk_in 027190000002 'Ngô Thị Duyên')" --as hoa:reception:H13.X02 --now 2026-06-01T09:00 --form-json "$(birth_form 0912345672)" | code_of)
act "$d2" request_supplement hoa:reception:H13.X02 2026-06-01T09:10 --reason "Thiếu Giấy chứng sinh (bản chính)"
# D3 household business (version 1), online, to an address the mail server
# refuses for good: rejected at reception.
d3=$(m dossier "$d" submit --procedure 2.000575 --agency H13.X03 --as 027190000003:applicant --now 2026-06-01T10:00 \
  --form-json "$(household_form nobody@example.vn)" | code_of)
act "$d3" reject mai:reception:H13.X03 2026-06-01T10:30 --reason "Địa điểm kinh doanh không thuộc địa bàn xã Tiên Du"
# D4 birth, online: withdrawn by the applicant.
d4=$(m dossier "$d" submit --procedure 1.001193 --agency H13.X01 --as 027190000004:applicant --now 2026-06-01T10:40 \
  --form-json "$(birth_form 0912345674)" --document giay_chung_sinh="$(scan d4-chung-sinh)" | code_of)
m dossier "$d" withdraw "$d4" --as 027190000004:applicant --reason "Nộp nhầm, sẽ nộp lại" --now 2026-06-01T11:00 >/dev/null
# D5 birth, online: a supplement never supplied (its window times out below).
d5=$(m dossier "$d" submit --procedure 1.001193 --agency H13.X02 --as 027190000005:applicant --now 2026-06-01T11:10 \
  --form-json "$(birth_form 0912345675)" | code_of)
fire 2026-06-01T11:45 # D1: the warning at processing
act "$d5" request_supplement hoa:reception:H13.X02 2026-06-01T13:30 --reason "Bổ sung bản chụp Giấy chứng sinh"
# D6 household business (version 1), online: assigned, reassigned, and left
# open: warned, overdue, past its appointment.
d6=$(m dossier "$d" submit --procedure 2.000575 --agency H13.X03 --as 027190000006:applicant --now 2026-06-01T14:00 \
  --form-json "$(household_form chu.ho6@example.vn)" | code_of)
fire 2026-06-01T14:30 # D1: overdue at processing
act "$d6" accept mai:reception:H13.X03 2026-06-01T14:30
m dossier "$d" assign "$d6" --handler an.x03 --co chi.x03 --as binh:leader:H13.X03 --now 2026-06-01T14:45 >/dev/null
act "$d1" approve an:specialist:H13.X01 2026-06-01T15:00
act "$d1" approve binh:leader:H13.X01 2026-06-01T15:30
act "$d1" return_result lan:reception:H13.X01 2026-06-01T16:00
m dossier "$d" rate "$d1" --rating 5 --reason "Nhanh, chu đáo" --as 027190000001:applicant --now 2026-06-01T16:30 >/dev/null
deliver 2026-06-01T17:30

# ---------------------------------------------------------------- Tuesday 2 June
# D2 supplied at the desk, accepted, decided, sent by post.
act "$d2" provide_supplement hoa:reception:H13.X02 2026-06-02T08:00 --document giay_chung_sinh="$(scan d2-chung-sinh)"
act "$d2" accept hoa:reception:H13.X02 2026-06-02T08:10
# D7 judicial record, online: the police and the court answer in parallel; denied at signing.
d7=$(m dossier "$d" submit --procedure 2.000488 --agency H13.STP --as 027090003333:applicant --now 2026-06-02T08:20 \
  --form-json "$judicial_form" --document cccd="$(scan d7-cccd)@2035-06-30" | code_of)
act "$d7" accept thu:reception:H13.STP 2026-06-02T08:30
act "$d2" approve cuong:specialist:H13.X02 2026-06-02T09:00
# D8 judicial record, online: extended, past its appointment, stopped.
d8=$(m dossier "$d" submit --procedure 2.000488 --agency H13.STP --as 027090007777:applicant --now 2026-06-02T09:10 \
  --form-json "$judicial_form" --document cccd="$(scan d8-cccd)" | code_of)
act "$d8" accept thu:reception:H13.STP 2026-06-02T09:20
act "$d2" approve dung:leader:H13.X02 2026-06-02T09:30
act "$d7" complete khoa:specialist:H13.STP 2026-06-02T10:00
act "$d2" hand_to_post hoa:reception:H13.X02 2026-06-02T10:00
m dossier "$d" reassign-all --from an.x03 --handler dung.x03 --as binh:leader:H13.X03 --now 2026-06-02T10:30 >/dev/null
m announce "$d" --message "Cổng dịch vụ công tạm dừng từ 12:00 đến 13:00 ngày 02/06/2026 để bảo trì." \
  --as quantri:system_admin --now 2026-06-02T11:00 >/dev/null

# ---------------------------------------------------------------- Wednesday 3 June
act "$d2" deliver buudien:postal:H13.BD 2026-06-03T09:00
m dossier "$d" rate "$d2" --rating 4 --as hoa:reception:H13.X02 --now 2026-06-03T09:30 >/dev/null
act "$d7" answer ca1:specialist:H13.CA 2026-06-03T09:40 --step police_check
act "$d7" answer toa1:specialist:H13.TAND 2026-06-03T10:00 --step court_check
# D9 driving licence, online, by D7's applicant: the citizen card is reused;
# a foreign licence is checked first; assigned to a handler and a co-handler.
d9=$(m dossier "$d" submit --procedure 1.002835 --agency H13.CA --as 027090003333:applicant --now 2026-06-03T13:00 \
  --form-json "$licence_form" --document gplx="$(scan d9-gplx)" --document kham_sk="$(scan d9-kham)@2026-12-01" | code_of)
act "$d9" accept ca.tn:reception:H13.CA 2026-06-03T13:30
m dossier "$d" assign "$d9" --handler ca.an --co ca.binh --as ca.ld:leader:H13.CA --now 2026-06-03T14:00 >/dev/null
m announce "$d" --message "Bộ phận một cửa phường Kinh Bắc nghỉ chiều 03/06/2026 để tập huấn." \
  --agency H13.X01 --as qt.x01:agency_admin:H13.X01 --now 2026-06-03T14:30 >/dev/null
fire 2026-06-03T17:30 # D6: warned, overdue, the last day to extend
deliver 2026-06-03T17:40

# ---------------------------------------------------------------- Thursday 4 June
act "$d9" complete ca.an:specialist:H13.CA 2026-06-04T09:00
act "$d7" approve khoa:specialist:H13.STP 2026-06-04T09:30
act "$d7" deny lanhdao:leader:H13.STP 2026-06-04T10:00 --reason "Người yêu cầu đang bị truy cứu trách nhiệm hình sự: chưa cấp được Phiếu số 1"
act "$d7" return_result thu:reception:H13.STP 2026-06-04T11:00
act "$d9" approve ca.binh:specialist:H13.CA 2026-06-04T14:00
fire 2026-06-04T17:30 # D6: its appointment passed; D8: overdue at lookup

# ---------------------------------------------------------------- Friday 5 June
act "$d9" return_result ca.tn:reception:H13.CA 2026-06-05T08:00
m dossier "$d" rate "$d9" --rating 5 --as 027090003333:applicant --now 2026-06-05T08:10 >/dev/null
m dossier "$d" extend "$d8" --until 2026-06-19T17:00 --reason "Chờ kết quả xác minh của Công an tỉnh" \
  --as lanhdao:leader:H13.STP --now 2026-06-05T09:00 >/dev/null
deliver 2026-06-05T17:30

# ---------------------------------------------------------------- the week of 8 June
# D10 house construction permit, at the desk: a supplement asked after
# acceptance, and later than the policy allows (a breach); nd118-2025: the
# legal clock restarts when it is supplied.
d10=$(m dossier "$d" submit --procedure 1.009995 --agency H13.X01 --channel desk --owner 027180004444 \
  --applicant-json "$(walk_in 027180004444 'Lê Thị Hoa')" --as lan:reception:H13.X01 --now 2026-06-08T08:00 --form-json "$house_form" \
  --document giay_to_dat="$(scan d10-dat)" --document ban_ve="$(scan d10-ban-ve)" | code_of)
act "$d10" accept lan:reception:H13.X01 2026-06-08T08:30
# D11 feedback (PAKN), online: warned, escalated overdue, answered late.
d11=$(m dossier "$d" submit --procedure PAKN --agency H13.TTHCC --as 027190000011:applicant --now 2026-06-08T09:00 \
  --form-json "$feedback_form" | code_of)
act "$d11" accept tthcc.tn:reception:H13.TTHCC 2026-06-08T09:30
fire 2026-06-11T17:30 # D11: the last day to extend, warned, overdue, its appointment passed
act "$d10" request_supplement an:specialist:H13.X01 2026-06-12T08:00 --reason "Bổ sung bản vẽ mặt cắt công trình"
act "$d11" answer tthcc.cv:specialist:H13.TTHCC 2026-06-12T10:00

# ---------------------------------------------------------------- the week of 15 June
# D12 marriage, at the desk: checked, denied.
d12=$(m dossier "$d" submit --procedure 1.000894 --agency H13.X03 --channel desk --owner 027090005555 \
  --applicant-json "$(walk_in 027090005555 'Lý Văn Quang')" --as mai:reception:H13.X03 --now 2026-06-15T08:00 --form-json "$marriage_form" | code_of)
act "$d12" accept mai:reception:H13.X03 2026-06-15T08:15
act "$d10" provide_supplement lan:reception:H13.X01 2026-06-15T08:20 --document ban_ve="$(scan d10-ban-ve-2)"
act "$d10" accept lan:reception:H13.X01 2026-06-15T08:30
act "$d10" approve an:specialist:H13.X01 2026-06-16T09:00
act "$d12" deny tuan:specialist:H13.X03 2026-06-16T09:10 --reason "Bên nữ chưa đủ tuổi kết hôn theo giấy tờ xác minh"
act "$d10" approve binh:leader:H13.X01 2026-06-16T10:00
act "$d12" return_result mai:reception:H13.X03 2026-06-16T10:10
act "$d10" return_result lan:reception:H13.X01 2026-06-16T11:00
fire 2026-06-17T08:00 # D5: the supplement window closed: timed out, stopped
m retire "$d" procedure 1.000894 --from 2026-07-01T00:00 --now 2026-06-17T09:00 >/dev/null
deliver 2026-06-17T17:30
fire 2026-06-19T17:30 # D8: the last day to extend, then its (extended) appointment
m dossier "$d" stop "$d8" --reason "Không xác minh được thông tin của người yêu cầu" \
  --as lanhdao:leader:H13.STP --now 2026-06-22T09:00 >/dev/null

# ---------------------------------------------------------------- July: version 2 of 2.000575
# D13: a supplement pauses the clock (bn-2018), a payment is asked and paid,
# forwarded to the leader, denied, sent by post, the fee refunded.
d13=$(m dossier "$d" submit --procedure 2.000575 --agency H13.X01 --as 027190000013:applicant --now 2026-07-01T08:00 \
  --form-json "$(household_form chu.ho@example.vn)" | code_of)
act "$d13" accept lan:reception:H13.X01 2026-07-01T08:30
act "$d13" request_supplement an:specialist:H13.X01 2026-07-01T10:00 --reason "Bổ sung biên bản họp thành viên hộ gia đình"
act "$d13" provide_supplement 027190000013:applicant 2026-07-03T08:00 --document bien_ban="$(scan d13-bien-ban)"
act "$d13" request_payment an:specialist:H13.X01 2026-07-03T09:00
act "$d13" record_payment lan:reception:H13.X01 2026-07-06T09:00
act "$d13" forward an:specialist:H13.X01 2026-07-06T10:00
act "$d13" deny binh:leader:H13.X01 2026-07-06T14:00 --reason "Tên hộ kinh doanh trùng với hộ kinh doanh đã đăng ký"
act "$d13" hand_to_post lan:reception:H13.X01 2026-07-07T09:00
act "$d13" deliver buudien:postal:H13.BD 2026-07-08T09:00
m dossier "$d" refund "$d13" --reason "Hoàn lệ phí: không cấp Giấy chứng nhận" --as binh:leader:H13.X01 \
  --now 2026-07-08T10:00 >/dev/null
deliver 2026-07-08T17:30
fire 2026-07-10T17:30
m timers "$d" --now 2026-07-10T17:30 | grep -q "^no timer armed$" ||
  { echo "a timer is still armed: motcuad would fire it on its own clock" >&2; exit 1; }
kill "$sink"
wait "$sink" 2>/dev/null || true
sink=

# ---------------------------------------------------------------- accounts, through motcuad
# The server creates its first administrator; then an applicant is
# registered at the desk, D6's handler leaves (disabled: its open dossier
# reassigned) and comes back.
conf=$work/motcuad.conf
{
  printf 'listen = 127.0.0.1:0\ndata = %s\n' "$d"
  [ "$(id -u)" -ne 0 ] || printf 'user = root\n'
} >"$conf"
"$motcuad" --config "$conf" --ready-file "$work/ready" >"$work/motcuad.out" 2>&1 &
server=$!
for _ in $(seq 300); do [ -s "$work/ready" ] && break; sleep 0.1; done
[ -s "$work/ready" ] || { echo "motcuad did not start:" >&2; cat "$work/motcuad.out" >&2; exit 1; }
m user add "$d" 027190000099 --name "Hoàng Thị Thu" --roles applicant --phone 0912345699 >/dev/null
m user disable "$d" dung.x03 --reassign-to an.x03 >/dev/null
m user enable "$d" dung.x03 >/dev/null
kill "$server"
wait "$server" || { echo "motcuad did not stop cleanly" >&2; exit 1; }
server=

# ---------------------------------------------------------------- the copy
m audit verify "$d" >/dev/null
m backup "$d" "$work/copy" >/dev/null
cp "$work/copy/data.mdb" "$out/data.mdb"
echo "recorded $out/data.mdb ($(stat -c %s "$out/data.mdb") bytes)"
