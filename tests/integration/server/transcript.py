#!/usr/bin/python3
"""transcript.py — a recorded protocol transcript: the safety net that proves
motcuad's replies stay the same while the server and the engine are reshaped.

  transcript.py MOTCUAD MOTCUA MAIL_SINK EXPECTED

One scripted session against a fresh motcuad on a fresh data directory
drives every operation docs/PROTOCOL.md documents: every WebSocket operation
in JSON and again in msgpack (with pushes, catch-up and errors), every HTTP
endpoint, every admin-socket request.  One request at a time, in a fixed
order: after each one every open connection is synced (a ping that is not
recorded) so that the pushes it caused are recorded at a fixed place.  Every
request, reply and push goes to the transcript, one JSON document per line
with sorted keys, msgpack decoded to the same form (bytes as hex), what is
random by design masked (see Recorder), and the transcript is compared line
by line with EXPECTED.  MOTCUA_UPDATE_GOLDEN=1 rewrites EXPECTED instead
(then review the diff before committing it).

Determinism, by design:
- The server runs on a rehearsal clock (MOTCUA_REHEARSAL=1 --rehearsal-clock)
  set to 09:00 (Asia/Ho_Chi_Minh) of the next working day of the bundled
  calendars, so whatever depends on the time of day or on working days
  (appointments, the on-time classification, timers, extension rules) is the
  same on every run; the instants themselves are masked.
- Deliveries that would record an outcome in the log (and move the log's
  sequence at a moment nobody controls) never happen: text messages go to
  mail_sink.py's gateway, the dossiers' phones end in 0 (the gateway answers
  503: retried later, recorded only in aux), the household forms give only an
  e-mail and no mail server is configured (the messages wait), officials'
  alerts go by e-mail only (they wait).  One-time codes go by text message to
  a phone the gateway accepts; codes never touch the log.
- The calendars must describe the session's day and the 15 days after it
  (its supplement window): the session stops with a message saying so when
  they do not, as the server would refuse those deadlines.
- Logins stay under the per-address throttle whether it counts every attempt
  (as now) or failures only (as planned): the one lockout is an account's,
  from wrong passwords.

Run with Debian's /usr/bin/python3 (python3-websockets, python3-msgpack).
"""
import asyncio
import base64
import datetime
import difflib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.parse

import msgpack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motcua_client import BIRTH_FORM, EXAMPLE_PNG, EXAMPLE_PNG_SHA256, WAIT, Clamd, Client, Server  # noqa: E402

MOTCUAD, MOTCUA, MAIL_SINK, EXPECTED = sys.argv[1:5]
WORKFLOWS = os.environ.get("MOTCUA_WORKFLOWS") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))), "workflows")
PASSWORD = "một mật khẩu đủ dài"
NEW_PASSWORD = "mật khẩu mới cũng đủ dài"
LOGIN_FAILURES = 10  # the account lockout below takes 10 wrong passwords; the address allows 40 attempts
TZ = datetime.timezone(datetime.timedelta(hours=7))  # the bundled calendar's Asia/Ho_Chi_Minh (no DST)

# The forms of the session: every address they give is one no delivery records in the log (see above).
BIRTH = dict(BIRTH_FORM, phone="0912345670")
HOUSEHOLD = {"business_name": "Quán Phở Hạnh", "owner_id": "027190001111",
             "address": "Số 1 Lý Thái Tổ, phường Kinh Bắc", "capital": 50000000, "email": "chu.ho@example.vn"}
SHA = EXAMPLE_PNG_SHA256  # the scan each applicant uploads before naming it


# ============================================================ the calendar


def calendar_days():
    """The non-working weekdays and the working Saturdays of the bundled calendars' years:
    ({date: kind}, {years described})."""
    special, years = {}, set()
    for path in sorted(glob.glob(os.path.join(WORKFLOWS, "calendars", "*.cal"))):
        year = None
        for line in open(path, encoding="utf-8"):
            line = line.split("#")[0].strip()
            m = re.match(r"year (\d{4})", line)
            if m:
                year = int(m.group(1))
                years.add(year)
                continue
            m = re.match(r"(\d\d)/(\d\d)(?:\.\.(\d\d)/(\d\d))?\s+(holiday|swap|makeup)", line)
            if m and year:
                first = datetime.date(year, int(m.group(2)), int(m.group(1)))
                last = datetime.date(year, int(m.group(4)), int(m.group(3))) if m.group(3) else first
                while first <= last:
                    special[first] = m.group(5)
                    first += datetime.timedelta(days=1)
    return special, years


SPECIAL, YEARS = calendar_days()


def working(day):
    kind = SPECIAL.get(day)
    if kind in ("holiday", "swap"):
        return False
    return kind == "makeup" or day.weekday() < 5


def next_working_day(after):
    day = after + datetime.timedelta(days=1)
    while not working(day):
        day += datetime.timedelta(days=1)
    return day


def local_day(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, TZ).date()


def local_ms(day, hour, minute=0):
    return int(datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).timestamp() * 1000)


# ============================================================ the recorder


TIME_KEYS = {"time", "submitted_at", "accepted_at", "appointment_at", "decided_at", "finished_at", "expires_at",
             "new_due", "effective_from"}
CLOCK_KEYS = {"used_ms", "left_ms"}
LOOPBACK_PORT = re.compile(r"(http://127\.0\.0\.1:)\d+")
CODE_DATE = re.compile(r"\b(H\d+(?:\.[A-Z0-9]+)*)-(\d{6})-(\d{4})\b")  # a dossier code's YYMMDD (its day)
ISO_TIME = re.compile(r"\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?\b")
LOCAL_TIME = re.compile(r"\b\d\d:\d\d ngày \d\d/\d\d/\d{4}\b")
# Metric lines whose values vary from run to run by nature (what the session did is in the others).
VARYING_METRICS = re.compile(r"^(motcua_connections|motcua_commit_batch_size_\w+|motcua_commit_seconds_\w+|"
                             r"motcua_malware_scanner_up|motcua_upload_disk_bytes|motcua_upload_files)(\{.*\})? ")


class Recorder:
    """Writes what crosses the wire, one JSON document per line (keys sorted), masking what is
    random by design:
    - tokens and one-time passwords: replaced wherever they appear (requests, replies, headers) by
      "<token#N>", "<otp#N>"; verification codes where they are a whole text, and in the text
      message that brings them, by "<code#N>"; numbered in order of first appearance, so that which
      secret is used where stays visible (a mistyped code is the fixed "00000o");
    - instants: a non-zero integer under a time key (time, *_at, new_due, effective_from), and any
      integer between 10^12 and 10^13 (milliseconds since 1970) in a reply -> "<time>" (0, "none",
      stays); ISO dates/times and local "HH:MM ngày DD/MM/YYYY" in what the server sends -> "<time>";
    - a dossier code's date part (the day it was filed): "H13.X01-<date>-0001";
    - durations that run with the clock: a throttled error's retry_after_ms and Retry-After, a
      dossier's legal clock (used_ms, left_ms) -> "<duration>";
    - a work queue's cursor (it holds a due instant and a code's day) -> "<cursor>";
    - in /metrics, the values of the open-connection gauge and the commit histograms.
    Status codes, error codes and texts, states, versions, sequence numbers and field names are kept.

    The lines: {"conn": LABEL, "enc": ..., "open"|"send"|"send_raw"|"recv"|"close"|"closed": ...} for
    a WebSocket (LABEL: the account and the encoding), {"HTTP": "METHOD PATH", ...} for a request and
    {"HTTP": STATUS, ...} for its response, {"admin": "send"|"recv", ...} for the admin socket,
    {"sms": ...} for a text message the gateway received, {"metric": LINE} for each line of /metrics,
    {"section": ...} and {"server": ...} for what the session does.  Every HTTP response's headers are
    compared with those of the first (recorded once, "HTTP headers"): only the differences are
    recorded (content-length always)."""

    def __init__(self):
        self.lines = [json.dumps({"about": "motcuad's protocol transcript, recorded by tests/integration/server/"
                                  "transcript.py (what each line is, and what is masked: see there); "
                                  "MOTCUA_UPDATE_GOLDEN=1 rewrites it"}, ensure_ascii=False)]
        self.secrets = {}
        self.whole = {}
        self.counts = {}
        self.common_headers = None

    # ------------------------------------------------------------ masking

    def secret(self, value, kind, whole=False):
        """A secret to mask: anywhere in a text, or (whole) only as a whole text (a 6-digit code
        could be part of an id or a phone number)."""
        table = self.whole if whole else self.secrets
        if value and value not in table:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            table[value] = "<%s#%d>" % (kind, self.counts[kind])
        return table.get(value)

    def mask_str(self, s, received):
        if s in self.whole:
            return self.whole[s]
        for value in sorted(self.secrets, key=len, reverse=True):
            if value in s:
                s = s.replace(value, self.secrets[value])
        s = CODE_DATE.sub(r"\1-<date>-\3", s)
        s = LOOPBACK_PORT.sub(r"\1<port>", s)  # the port a test server got
        if received:
            s = LOCAL_TIME.sub("<time>", ISO_TIME.sub("<time>", s))
        return s

    def mask(self, v, received, key=None):
        if isinstance(v, dict):
            out = {self.mask_str(str(k), False): self.mask(x, received, k) for k, x in v.items()}
            if v.get("code") == "throttled" and isinstance(v.get("retry_after_ms"), int):
                out["retry_after_ms"] = "<duration>"  # counts down with the clock
            return out
        if isinstance(v, (list, tuple)):
            return [self.mask(x, received, key) for x in v]
        if isinstance(v, (bytes, bytearray)):
            return "hex:" + bytes(v).hex()
        if isinstance(v, str) and key in ("scanner", "why") and isinstance(v, str) and "clamd" in (v + key):
            return "<scanner>"  # whether clamd answered yet, at the moment /healthz was asked
        if isinstance(v, str) and key == "scanner":
            return "<scanner>"
        if isinstance(v, str) and key == "version" and "ClamAV" in v:
            return "<clamav version>"
        if isinstance(v, str) and key in ("cursor", "next") and re.fullmatch(r"[0-9a-f]{16,}", v):
            return "<cursor>"  # a queue's position: its due instant and a dossier code with its day
        if isinstance(v, str):
            return self.mask_str(v, received)
        if isinstance(v, bool) or v is None or isinstance(v, float):
            return v
        if isinstance(v, int) and key in CLOCK_KEYS:
            return "<duration>"
        if isinstance(v, int) and v != 0:
            if key in TIME_KEYS or (received and 10 ** 12 <= v < 10 ** 13):
                return "<time>"
        return v

    def emit(self, record, received):
        self.lines.append(json.dumps(self.mask(record, received), sort_keys=True, ensure_ascii=False))

    def learn(self, msg):
        """Secrets the server hands out, registered before they are masked."""
        if isinstance(msg, dict):
            self.secret(msg.get("one_time_password"), "otp")
            if isinstance(msg.get("token"), str) and "expires_at" in msg:
                self.secret(msg["token"], "token")
            if isinstance(msg.get("upload"), str) and "state" in msg:  # an upload's id, drawn at random
                self.secret(msg["upload"], "upload")
            if isinstance(msg.get("path"), str) and msg["path"].startswith("/api/files/"):  # a signed link
                query = msg["path"].split("?", 1)[1]
                self.secret(query, "link")
                for part in query.split("&"):  # its parts too, for a link altered by the session
                    if part.startswith(("mac=", "expires=")):
                        self.secret(part, part.split("=")[0])
            if isinstance(msg.get("secret"), str):  # a receipt's, drawn at random
                self.secret(msg["secret"], "secret")
            if isinstance(msg.get("dossier"), dict) and isinstance(msg["dossier"].get("secret"), str):
                self.secret(msg["dossier"]["secret"], "secret")

    # ------------------------------------------------------------ what the session says

    def section(self, title):
        self.lines.append(json.dumps({"section": title}, ensure_ascii=False))

    def note(self, **what):
        self.emit(what, True)

    # ------------------------------------------------------------ hooks of motcua_client.Server and Client

    def admin_sent(self, msg):
        self.emit({"admin": "send", "msg": msg}, False)

    def admin_sent_raw(self, line):
        self.emit({"admin": "send", "raw": line}, False)

    def admin_received(self, msg):
        self.learn(msg)
        self.emit({"admin": "recv", "msg": msg}, True)

    def http_sent(self, method, path, body, raw, token, headers):
        rec = {"HTTP": "%s %s" % (method, path)}
        if body is not None:
            rec["body"] = body
        if raw is not None:
            rec["raw"] = raw.decode("utf-8", "replace") if len(raw) < 200 else "<%d bytes>" % len(raw)
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = "Bearer " + token
        if hdrs:
            rec["headers"] = hdrs
        self.emit(rec, False)

    def http_received(self, method, path, status, body, headers):
        hdrs = {k.lower(): v for k, v in headers.items()}
        if "retry-after" in hdrs:
            hdrs["retry-after"] = "<duration>"
        if self.common_headers is None:
            self.common_headers = {k: v for k, v in hdrs.items() if k != "content-length"}
            self.emit({"HTTP headers": self.common_headers, "note": "every response's, unless it says otherwise"},
                      True)
        differ = {k: v for k, v in hdrs.items() if self.common_headers.get(k) != v}
        differ.update({k: "<absent>" for k in self.common_headers if k not in hdrs})
        rec = {"HTTP": status, "headers": differ}
        if path == "/metrics" and isinstance(body, str):
            differ["content-length"] = "<length>"
            rec["body"] = "<the metrics, one line each below>"
            self.emit(rec, True)
            for line in body.splitlines():
                m = VARYING_METRICS.match(line)
                self.emit({"metric": m.group(0) + "<varies>" if m else line}, True)
            return
        self.learn(body)
        rec["body"] = body
        self.emit(rec, True)

    def ws_opened(self, client, header_token):
        rec = {"conn": client.label, "open": "/ws", "enc": "msgpack" if client.binary else "json"}
        if header_token:
            rec["headers"] = {"Authorization": "Bearer " + header_token}
        self.emit(rec, False)

    def ws_sent(self, client, msg, binary):
        self.emit({"conn": client.label, "send": msg, "enc": "msgpack" if binary else "json"}, False)

    def ws_sent_raw(self, client, data):
        if isinstance(data, bytes):
            rec = {"conn": client.label, "send_raw": "hex:" + data.hex(), "enc": "msgpack"}
        else:
            rec = {"conn": client.label, "send_raw": data if len(data) < 200 else "<%d characters>" % len(data),
                   "enc": "json"}
        self.emit(rec, False)

    def ws_received(self, client, msg):
        self.learn(msg)
        self.emit({"conn": client.label, "recv": dict(msg), "enc": "msgpack" if msg.binary else "json"}, True)


# ============================================================ the session's machinery


class Session:
    """The server, the recorder and the open connections; every step is followed by a settle."""

    def __init__(self, srv, rec, sms_dir):
        self.srv = srv
        self.rec = rec
        self.sms_dir = sms_dir
        self.conns = []
        self.otps = {}  # the one-time passwords handed out, by account

    async def settle(self, closing=()):
        """Records, connection by connection in the order they were opened, what each received
        since the last step (replies and pushes in arrival order), after a sync that proves nothing
        more is on its way; a connection in `closing` is not pinged but awaited until it closes."""
        for c in list(self.conns):
            if c in closing:
                await asyncio.wait_for(c.closed.wait(), WAIT)
                alive = False
            else:
                alive = await c.sync()
            for m in c.take_received():
                self.rec.ws_received(c, m)
            if not alive:
                if c.reader:
                    await asyncio.wait_for(c.reader, WAIT)
                self.rec.note(conn=c.label, closed=True)
                self.conns.remove(c)

    async def open(self, label, token=None, binary=False, header=False):
        c = await Client.open(self.srv, token, binary=binary, header_token=header, label=label)
        self.conns.append(c)
        await self.settle()
        return c

    async def req(self, c, op, closing=(), **fields):
        r = await c.request(op, **fields)
        await self.settle(closing)
        return r

    async def raw(self, c, data, rid=None):
        r = await c.raw_request(data, rid)
        await self.settle()
        return r

    async def close(self, *clients):
        for c in clients:
            self.rec.note(conn=c.label, close="by the client")
            await c.close()
        await self.settle()

    async def http(self, method, path, body=None, token=None, raw=None, headers=None, closing=()):
        r = self.srv.http(method, path, body, token=token, raw=raw, headers=headers)
        await self.settle(closing)
        return r

    async def admin(self, op, closing=(), **fields):
        r = self.srv.admin(op, **fields)
        if r.get("one_time_password"):
            self.otps[fields["account"]] = r["one_time_password"]
        await self.settle(closing)
        return r

    async def admin_raw(self, line):
        r = self.srv.admin_raw(line)
        await self.settle()
        return r

    async def sms(self):
        """The next text message the gateway received (one is expected): recorded, its code learnt."""
        deadline = time.time() + WAIT
        while time.time() < deadline:
            files = sorted(glob.glob(os.path.join(self.sms_dir, "sms-*.json")),
                           key=lambda p: int(re.search(r"(\d+)\.json$", p).group(1)))
            if files:
                try:
                    msg = json.loads(open(files[0], "rb").read())
                except ValueError:  # the sink is still writing it
                    await asyncio.sleep(0.05)
                    continue
                os.unlink(files[0])
                code = re.search(r"\b(\d{6})\b", msg.get("text", ""))
                if code:
                    placeholder = self.rec.secret(code.group(1), "code", whole=True)
                    msg["text"] = msg["text"][:code.start(1)] + placeholder + msg["text"][code.end(1):]
                # its id is TIME.255 for a one-time code (the instant it was queued)
                msg["id"] = re.sub(r"^\d{13}\.", "<time>.", str(msg.get("id")))
                self.rec.note(sms=msg)
                return code.group(1) if code else None
            await asyncio.sleep(0.05)
        raise RuntimeError("no text message arrived in %d s" % WAIT)

    async def no_sms(self):
        """Nothing more was sent to the gateway's accepting numbers (checked after a reset of an unknown id)."""
        await asyncio.sleep(0.3)
        left = glob.glob(os.path.join(self.sms_dir, "sms-*.json"))
        self.rec.note(sms_waiting=len(left))


def expect(cond, what):
    if not cond:
        raise RuntimeError("the session cannot go on: " + what)


def ok(r, what):
    expect(isinstance(r, dict) and r.get("ok"), "%s: %r" % (what, r))
    return r


# ============================================================ the scripted session


OFFICIALS = [  # account, roles, agency, first WebSocket's encoding and authentication
    ("le.tan", ["reception"], "H13.X01", True, False),
    ("chuyen.vien", ["specialist"], "H13.X01", False, True),
    ("chuyen.vien2", ["specialist"], "H13.X01", None, None),  # never logs in: takes over chuyen.vien's work
    ("chu.tich", ["leader"], "H13.X01", True, True),
    ("le.tan.x02", ["reception"], "H13.X02", False, False),
    ("kiem.toan", ["auditor"], None, True, False),
    ("buu.ta", ["postal"], "H13.BD", False, False),
]
APP_A = "001090001234"  # registers online
APP_B = "001090002345"  # registered at the desk (admin socket)
ORG = "0101234567-001"  # an organisation's branch, registers online


async def public_http(s):
    s.rec.section("HTTP, public: health, catalogue, procedure page, status, bad requests")
    await s.http("GET", "/healthz")
    await s.http("GET", "/api/catalogue")
    await s.http("GET", "/api/catalogue?q=khai%20sinh")
    await s.http("GET", "/api/catalogue?q=" + urllib.parse.quote("đăng ký kết hôn"))
    await s.http("GET", "/api/catalogue?q=" + urllib.parse.quote(unicodedata.normalize("NFD", "Hộ Kinh Doanh")))
    await s.http("GET", "/api/catalogue?q=gi%E1%BA%A5y%20ph%C3%A9p")
    await s.http("GET", "/api/catalogue?q=kh%C3%B4ng%20c%C3%B3%20g%C3%AC")
    await s.http("GET", "/api/catalogue?level=province")
    await s.http("GET", "/api/catalogue?agency=H13.CA")
    await s.http("GET", "/api/catalogue?online=full&level=commune")
    await s.http("GET", "/api/catalogue?sector=" + urllib.parse.quote("Tư pháp"))
    await s.http("GET", "/api/catalogue?field=" + urllib.parse.quote("Hộ tịch") + "&q=dang%20ky")
    await s.http("GET", "/api/catalogue?agency=H13.X02&q=xay%20dung")
    await s.http("GET", "/api/procedures/1.001193")
    await s.http("GET", "/api/procedures/2.000488")
    await s.http("GET", "/api/procedures/9.999999")
    await s.http("GET", "/api/status/H13.X01-260101-0001")
    await s.http("GET", "/api/nothing")
    await s.http("PUT", "/healthz", raw=b"{}")
    await s.http("POST", "/api/nothing", {"id": "x"})
    await s.http("POST", "/api/login", raw=b"{bad")
    await s.http("POST", "/api/login", raw=b"[1, 2]")
    await s.http("POST", "/api/login", raw=b"{" + b" " * 5000 + b"}")
    await s.http("POST", "/api/login", {"id": 5, "password": "x"})
    await s.http("POST", "/api/login", {"id": "x"})
    await s.http("POST", "/api/login", raw=b'{"id": "x", "password": "y"}', headers={"Content-Type": "text/plain"})
    await s.http("POST", "/api/login")


async def admin_socket(s):
    s.rec.section("admin socket: status, user_add (officials, an applicant at the desk), errors")
    await s.admin("status")
    for acct, roles, agency, _, _ in OFFICIALS:
        ok(await s.admin("user_add", account=acct, name="Cán bộ " + acct, roles=roles, agency=agency,
                         email=acct + "@bacninh.gov.vn"), "user_add " + acct)
    await s.admin("user_add", account="le.tan", name="Cán bộ le.tan", roles=["reception"], agency="H13.X01")
    await s.admin("user_add", account="ke.toan", name="Cán bộ mới", roles=["treasurer"], agency="H13.X01")
    await s.admin("user_add", account="ke.toan", name="Cán bộ mới", roles=["reception"], agency="H99.X99")
    await s.admin("user_add", account="ke.toan", roles=["reception"], agency="H13.X01")
    await s.admin("user_add", account="ke.toan", name="Cán bộ mới", roles=[], agency="H13.X01")
    await s.admin("user_add", account="Ke Toan", name="Cán bộ mới", roles=["reception"], agency="H13.X01")
    ok(await s.admin("user_add", account=APP_B, name="Lê Văn Cường", roles=["applicant"], kind="person",
                     phone="0912345678"), "user_add " + APP_B)
    await s.admin("user_add", account="001090009999", name="Không Liên Lạc", roles=["applicant"], kind="person")
    await s.admin("user_password", account="khong.co")
    await s.admin("user_enable", account="le.tan")
    await s.admin("user_disable", account="khong.co")
    await s.admin("fly")
    await s.admin_raw('{"id": "a2"}')
    await s.admin_raw("{not json")
    await s.admin_raw("[1, 2]")
    await s.admin("status")


async def registration(s):
    s.rec.section("HTTP accounts: register, the code by text message, verify")
    good = {"kind": "person", "id": APP_A, "name": "Nguyễn Văn An", "phone": "0912345678", "password": PASSWORD}
    await s.http("POST", "/api/register", dict(good, id="12"))
    await s.http("POST", "/api/register", dict(good, kind="robot"))
    await s.http("POST", "/api/register", {k: v for k, v in good.items() if k != "phone"})
    await s.http("POST", "/api/register", dict(good, email="not an address"))
    await s.http("POST", "/api/register", dict(good, phone="09-12"))
    await s.http("POST", "/api/register", dict(good, password="ngắn"))
    await s.http("POST", "/api/register", dict(good, nickname="An"))
    await s.http("POST", "/api/register", dict(good, id="le.tan"))
    r = await s.http("POST", "/api/register", good)
    expect(r[0] == 202, "register")
    code = await s.sms()
    await s.http("POST", "/api/login", {"id": APP_A, "password": PASSWORD})
    wrong = "00000o"  # a mistyped code (never a real one, so that the transcript is the same every time)
    await s.http("POST", "/api/verify", {"id": APP_A, "code": wrong})
    await s.http("POST", "/api/verify", {"id": APP_A, "code": "1234567"})
    await s.http("POST", "/api/verify", {"id": "001090000000", "code": code})
    r = await s.http("POST", "/api/verify", {"id": APP_A, "code": code})
    expect(r[0] == 201, "verify")
    await s.http("POST", "/api/verify", {"id": APP_A, "code": code})
    # An id that has an account: answered as a new one; its owner gets a notice, no code, and no
    # code verifies it.
    await s.http("POST", "/api/register", good)
    expect(await s.sms() is None, "a notice without a code")
    await s.http("POST", "/api/verify", {"id": APP_A, "code": code})
    await s.http("POST", "/api/register", dict(good, id=APP_B))
    expect(await s.sms() is None, "a notice without a code")
    org = {"kind": "organisation", "id": ORG, "name": "Chi nhánh Công ty TNHH Hạnh Phúc", "phone": "0912345678",
           "email": "ketoan@hanhphuc.example.vn", "password": PASSWORD}
    await s.http("POST", "/api/register", dict(org, id="0101234567-1"))
    await s.http("POST", "/api/register", org)
    code = await s.sms()
    wrong = "00000o"  # a mistyped code (never a real one, so that the transcript is the same every time)
    for _ in range(6):
        await s.http("POST", "/api/verify", {"id": ORG, "code": wrong})
    await s.http("POST", "/api/verify", {"id": ORG, "code": code})
    await s.http("POST", "/api/register", org)
    code = await s.sms()
    await s.http("POST", "/api/verify", {"id": ORG, "code": code})


async def first_logins(s):
    """The first administrator and the officials log in with their one-time passwords and change them."""
    s.rec.section("first logins: one-time passwords, password_change_required, change_password")
    st, r, _ = await s.http("POST", "/api/login", {"id": "admin", "password": s.srv.admin_password})
    expect(st == 200, "the administrator's first login")
    adm = await s.open("admin/json", r["token"])
    await s.req(adm, "get", dossier="H13.X01-260101-0001")
    await s.req(adm, "subscribe", scope="all")
    await s.req(adm, "ping")
    await s.req(adm, "change_password", old=s.srv.admin_password, new="ngắn")
    await s.req(adm, "change_password", old=s.srv.admin_password, new=s.srv.admin_password)
    await s.req(adm, "change_password", old="không phải mật khẩu", new=PASSWORD)
    await s.req(adm, "change_password", old=s.srv.admin_password, new=PASSWORD, extra=1)
    ok(await s.req(adm, "change_password", old=s.srv.admin_password, new=PASSWORD), "admin change_password")
    await s.req(adm, "get", dossier="H13.X01-260101-0001")
    await s.req(adm, "submit", command_id="adm-1", procedure="1.001193", agency="H13.X01", form=BIRTH)
    await s.close(adm)
    tokens = {}
    for acct, roles, agency, binary, header in OFFICIALS:
        if binary is None:
            continue
        otp = s.otps[acct]
        st, r, _ = await s.http("POST", "/api/login", {"id": acct, "password": otp})
        expect(st == 200, "first login of " + acct)
        c = await s.open("%s/%s" % (acct, "msgpack" if binary else "json"), r["token"], binary=binary, header=header)
        if acct == "le.tan":
            await s.req(c, "get", dossier="H13.X01-260101-0001")
        ok(await s.req(c, "change_password", old=otp, new=PASSWORD), "change_password " + acct)
        await s.close(c)
        tokens[acct] = r["token"]
    st, r, _ = await s.http("POST", "/api/login", {"id": APP_A, "password": PASSWORD})
    expect(st == 200, "the applicant's login")
    tokens[APP_A] = r["token"]
    await s.http("POST", "/api/login", {"id": APP_A, "password": "không phải mật khẩu"})
    await s.http("POST", "/api/login", {"id": "001099999999", "password": "không phải mật khẩu"})
    await s.http("POST", "/api/login", {"id": APP_A})
    st, r, _ = await s.http("POST", "/api/login", {"id": APP_B, "password": s.otps[APP_B]})
    expect(st == 200, "the desk applicant's first login")
    b = await s.open("%s/msgpack" % APP_B, r["token"], binary=True)
    await s.req(b, "subscribe", scope="mine")
    ok(await s.req(b, "change_password", old=s.otps[APP_B], new=PASSWORD), "change_password " + APP_B)
    await s.req(b, "subscribe", scope="mine", after=0)
    await s.close(b)
    tokens[APP_B] = r["token"]
    return tokens


async def anonymous(s, binary):
    enc = "msgpack" if binary else "json"
    s.rec.section("WebSocket without a session (%s): ping, hello, bad frames, logout" % enc)
    pack = (lambda o: msgpack.packb(o)) if binary else (lambda o: json.dumps(o))
    c = await s.open("anon/" + enc, binary=binary)
    await s.req(c, "ping")
    await s.req(c, "get", dossier="H13.X01-260101-0001")
    await s.req(c, "submit", command_id="n-1", procedure="1.001193", agency="H13.X01", form=BIRTH)
    await s.req(c, "subscribe", scope="all")
    await s.req(c, "change_password", old="a", new="b")
    await s.req(c, "hello", token="x" * 43)
    await s.req(c, "hello")
    await s.req(c, "hello", token=5)
    await s.req(c, "ping", extra=True)
    await s.req(c, "ping", id=7)
    await s.raw(c, pack({"op": "ping", "id": "i" * 65}))
    await s.req(c, "fly")
    await s.raw(c, pack({"id": "no-op"}), "no-op")
    await s.raw(c, pack({"op": "ping"}))
    await s.raw(c, pack([1, 2]))
    if binary:
        await s.raw(c, b"\xc1\x00")
        await s.raw(c, b"\x81\xa2op")
    else:
        await s.raw(c, "{not json")
        await s.raw(c, '{"op": "ping", "id": "d", "id": "e"}')
    await s.raw(c, pack({"op": "ping", "id": "big", "pad": "x" * 20000}))
    await s.req(c, "logout")  # no session: refused (unauthenticated); the client closes
    await s.close(c)
    bad = await s.open("bad-header/" + enc, "y" * 43, binary=binary, header=True)
    await s.req(bad, "get", dossier="H13.X01-260101-0001")
    await s.close(bad)


async def round_(s, binary, tokens, app, other):
    """Every operation of a dossier's life, the subscriptions and the refusals, all in one encoding."""
    enc = "msgpack" if binary else "json"
    s.rec.section("WebSocket in %s: subscriptions and catch-up" % enc)
    L = lambda who: "%s/%s" % (who, enc)  # noqa: E731
    P = enc[0] + "-"  # command ids are each account's: one set per round
    aud = await s.open(L("kiem.toan"), tokens["kiem.toan"], binary=binary)
    a = await s.open(L(app), tokens[app], binary=binary)
    rec = await s.open(L("le.tan"), tokens["le.tan"], binary=binary, header=True)
    spe = await s.open(L("chuyen.vien"), tokens["chuyen.vien"], binary=binary)
    lea = await s.open(L("chu.tich"), tokens["chu.tich"], binary=binary)
    x02 = await s.open(L("le.tan.x02"), tokens["le.tan.x02"], binary=binary)
    post = await s.open(L("buu.ta"), tokens["buu.ta"], binary=binary)
    b = await s.open(L(other), tokens[other], binary=binary)
    await s.req(aud, "subscribe", scope="all", after=0)
    await s.req(a, "subscribe", scope="mine", after=0)
    await s.req(rec, "subscribe", scope="agency", step="reception")
    await s.req(lea, "subscribe", scope="agency")
    await s.req(post, "subscribe", scope="agency", after=0)
    await s.req(b, "subscribe", scope="mine")

    s.rec.section("%s: a birth registration from submission to rating" % enc)
    # The scan: declared, sent in two parts, its receipt; then named by its SHA-256.
    up = (await s.http("POST", "/api/uploads", {"name": "giấy chứng sinh.png", "size": len(EXAMPLE_PNG),
                                                "agency": "H13.X01"}, token=tokens[app]))[1]
    octets = {"Content-Type": "application/octet-stream"}
    await s.http("POST", "/api/uploads/%s?offset=0" % up["upload"], raw=EXAMPLE_PNG[:40], token=tokens[app],
                 headers=octets)
    await s.http("POST", "/api/uploads/%s?offset=0" % up["upload"], raw=EXAMPLE_PNG[40:], token=tokens[app],
                 headers=octets)
    await s.http("POST", "/api/uploads/%s?offset=40" % up["upload"], raw=EXAMPLE_PNG[40:], token=tokens[app],
                 headers=octets)
    await s.http("GET", "/api/uploads/%s" % up["upload"], token=tokens[app])
    await s.http("GET", "/api/uploads/%s" % up["upload"], token=tokens[other])
    await s.http("POST", "/api/uploads", {"name": "to.pdf", "size": 10 ** 9}, token=tokens[app])
    bad = (await s.http("POST", "/api/uploads", {"name": "ghi chú.txt", "size": 12}, token=tokens[app]))[1]
    await s.http("POST", "/api/uploads/%s?offset=0" % bad["upload"], raw=b"ghi chu thoi", token=tokens[app],
                 headers=octets)
    r = ok(await s.req(a, "submit", command_id=P + "birth-1", procedure="1.001193", agency="H13.X01", form=BIRTH,
                       documents=[{"name": "giay_chung_sinh", "sha256": SHA, "valid_until": None}]), "submit")
    d1, d1_secret = r["dossier"], r["secret"]
    await s.req(a, "submit", command_id=P + "birth-1", procedure="1.001193", agency="H13.X01", form=BIRTH)
    await s.req(rec, "act", command_id=P + "acc-1", dossier=d1, expected_version=5, action="accept")
    ok(await s.req(rec, "act", command_id=P + "acc-1", dossier=d1, expected_version=1, action="accept",
                   role="reception"), "accept")
    await s.req(rec, "act", command_id=P + "acc-1", dossier=d1, expected_version=1, action="accept")
    await s.req(rec, "act", command_id=P + "acc-2", dossier=d1, expected_version=1, action="accept")
    ok(await s.req(spe, "act", command_id=P + "app-1", dossier=d1, expected_version=2, action="approve"), "approve")
    await s.req(spe, "act", command_id=P + "app-2", dossier=d1, expected_version=3, action="approve")
    ok(await s.req(lea, "act", command_id=P + "sign-1", dossier=d1, expected_version=3, action="approve"), "sign")
    await s.req(a, "rate", command_id=P + "rate-0", dossier=d1, expected_version=4, rating=5)
    ok(await s.req(rec, "act", command_id=P + "ret-1", dossier=d1, expected_version=4, action="return_result"), "return")
    await s.req(a, "get", dossier=d1)
    await s.req(a, "documents_on_file", procedure="1.001193")
    await s.req(rec, "documents_on_file", owner="001090009999")
    link = await s.req(rec, "file_link", dossier=d1, sha256=SHA)
    await s.http("GET", link["path"])
    await s.http("GET", link["path"].replace("le.tan", "kiem.toan"))
    await s.req(b, "file_link", dossier=d1, sha256=SHA)
    ok(await s.req(a, "rate", command_id=P + "rate-1", dossier=d1, expected_version=5, rating=5,
                   comment="Nhanh, chu đáo"), "rate")
    await s.req(a, "rate", command_id=P + "rate-2", dossier=d1, rating=4)
    await s.req(rec, "act", command_id=P + "ret-2", dossier=d1, action="return_result")
    await s.req(lea, "subscribe", scope="dossier", dossier=d1, after=0)
    await s.req(a, "subscribe", scope="dossier", dossier=d1)
    # The public lookup: the code and the receipt's secret; a wrong secret is no dossier.
    await s.http("GET", "/api/status/%s?secret=%s" % (d1, d1_secret))
    await s.http("GET", "/api/status/%s?secret=AAAAAAAA" % d1)
    await s.http("GET", "/api/status/" + d1)

    s.rec.section("%s: a household business: supplement, assignment, extension" % enc)
    # The specialists' queue at processing, live: rows enter when accepted, change, leave.
    await s.req(spe, "subscribe", scope="queue", step="processing")
    r = ok(await s.req(a, "submit", command_id=P + "hh-1", procedure="2.000575", agency="H13.X01", form=HOUSEHOLD),
           "submit household")
    d2 = r["dossier"]
    await s.req(rec, "act", command_id=P + "sup-0", dossier=d2, expected_version=1, action="request_supplement")
    ok(await s.req(rec, "act", command_id=P + "sup-1", dossier=d2, expected_version=1, action="request_supplement",
                   reason="Bổ sung biên bản họp thành viên hộ gia đình"), "request_supplement")
    await s.req(rec, "act", command_id=P + "sup-2", dossier=d2, expected_version=2, action="provide_supplement")
    ok(await s.req(a, "act", command_id=P + "sup-3", dossier=d2, expected_version=2, action="provide_supplement",
                   documents=[{"name": "bien_ban", "sha256": SHA, "valid_until": None}]), "provide_supplement")
    r = ok(await s.req(rec, "act", command_id=P + "acc-3", dossier=d2, expected_version=3, action="accept"), "accept")
    appointment = r["appointment_at"]
    await s.req(rec, "act", command_id=P + "sup-4", dossier=d2, expected_version=4, action="request_supplement",
                reason="Bổ sung lần hai")
    await s.req(spe, "assign", command_id=P + "as-0", dossier=d2, expected_version=4, handler="chuyen.vien")
    ok(await s.req(lea, "assign", command_id=P + "as-1", dossier=d2, expected_version=4, handler="chuyen.vien",
                   co_handlers=["chuyen.vien2"]), "assign")
    await s.req(a, "get", dossier=d2)
    # Work queues: the agency's, a page at a time; assigned to me; an applicant's own list.
    r = await s.req(rec, "queue", limit=1)
    if r.get("next"):
        await s.req(rec, "queue", limit=1, cursor=r["next"])
    await s.req(rec, "queue", cursor="zz")
    await s.req(spe, "queue", assigned_to_me=True)
    await s.req(spe, "queue", agency="H13.X02")
    await s.req(a, "queue")
    # Search, for officials and auditors: a name without diacritics, an id; an applicant may not.
    await s.req(rec, "search", name="nguyen van an", procedure="2.000575")
    await s.req(aud, "search", id_number="001090001234", limit=1)
    await s.req(a, "search", name="an")
    day = local_day(appointment) + datetime.timedelta(days=1)
    while day.weekday() != 6 or day in SPECIAL:
        day += datetime.timedelta(days=1)
    await s.req(lea, "extend", command_id=P + "ext-0", dossier=d2, expected_version=5, new_due=local_ms(day, 12),
                reason="Xin lỗi ông/bà: cần kiểm tra thực địa")
    await s.req(lea, "extend", command_id=P + "ext-1", dossier=d2, expected_version=5, new_due=appointment,
                reason="Xin lỗi")
    await s.req(lea, "extend", command_id=P + "ext-2", dossier=d2, expected_version=5,
                new_due=local_ms(next_working_day(local_day(appointment)), 12))
    await s.req(spe, "extend", command_id=P + "ext-3", dossier=d2, expected_version=5,
                new_due=local_ms(next_working_day(local_day(appointment)), 12), reason="Xin lỗi")
    ok(await s.req(lea, "extend", command_id=P + "ext-4", dossier=d2, expected_version=5,
                   new_due=local_ms(next_working_day(local_day(appointment)), 12),
                   reason="Xin lỗi ông/bà: cần kiểm tra thực địa"), "extend")
    await s.req(lea, "extend", command_id=P + "ext-5", dossier=d2, expected_version=6,
                new_due=local_ms(next_working_day(next_working_day(local_day(appointment))), 12), reason="Lần nữa")
    await s.req(lea, "extend", command_id=P + "ext-6", dossier=d1, new_due=appointment, reason="Xin lỗi")
    await s.req(lea, "get", dossier=d2)
    # The history as a timeline: the supplement list and the apology as written, who acted by name.
    await s.req(a, "history", dossier=d2)
    await s.req(a, "history", dossier=d2, after=3)
    await s.req(b, "history", dossier=d2)
    # Who read whose personal data: the officials' openings in full, for the auditor.
    await s.req(aud, "reads", dossier=d2)
    await s.req(rec, "reads")
    # The process a console draws its buttons from: the version in effect, or the dossier's.
    await s.req(lea, "process", procedure="2.000575")
    await s.req(lea, "process", procedure="9.999999")

    s.rec.section("%s: withdrawn, rejected at the desk, stopped" % enc)
    d3 = ok(await s.req(a, "submit", command_id=P + "wd-1", procedure="1.001193", agency="H13.X01", form=BIRTH),
            "submit")["dossier"]
    await s.req(b, "withdraw", command_id=P + "wd-2", dossier=d3, expected_version=1)
    ok(await s.req(a, "withdraw", command_id=P + "wd-3", dossier=d3, expected_version=1, reason="Nộp nhầm"), "withdraw")
    await s.req(a, "withdraw", command_id=P + "wd-4", dossier=d3)
    # At the desk reception enters who files: without the applicant block, refused; with it, filed.
    await s.req(rec, "submit", command_id=P + "desk-0", procedure="1.001193", agency="H13.X01", form=BIRTH,
                channel="desk")
    d4 = ok(await s.req(rec, "submit", command_id=P + "desk-1", procedure="1.001193", agency="H13.X01", form=BIRTH,
                        channel="desk", applicant={"kind": "person", "name": "Trần Thị Bình",
                                                   "id_number": "001190004321",
                                                   "address": "Số 5 Lý Thái Tổ, Bắc Ninh", "phone": "0912345670"}),
            "desk submit")["dossier"]
    # Online the block is the account's: an address may be added, another name is refused with the
    # form's own faults, all at once.
    await s.req(a, "submit", command_id=P + "who-1", procedure="1.001193", agency="H13.X01",
                form=dict(BIRTH, gender="nam"), applicant={"name": "Người Khác", "address": "Bắc Ninh"})
    await s.req(rec, "act", command_id=P + "rej-0", dossier=d4, expected_version=1, action="reject")
    ok(await s.req(rec, "act", command_id=P + "rej-1", dossier=d4, expected_version=1, action="reject",
                   reason="Giấy chứng sinh không hợp lệ"), "reject")
    await s.req(rec, "rate", command_id=P + "rate-3", dossier=d4, rating=3)
    d5 = ok(await s.req(rec, "submit", command_id=P + "post-1", procedure="2.000575", agency="H13.X01",
                        form=HOUSEHOLD, channel="post",
                        applicant={"kind": "organisation", "name": "Hộ kinh doanh Hạnh", "id_number": "2300123456"}),
            "post submit")["dossier"]
    await s.req(lea, "stop", command_id=P + "stop-0", dossier=d5, expected_version=1, reason="Không đủ điều kiện")
    ok(await s.req(rec, "act", command_id=P + "acc-5", dossier=d5, expected_version=1, action="accept"), "accept")
    await s.req(rec, "stop", command_id=P + "stop-1", dossier=d5, expected_version=2, reason="Không đủ điều kiện")
    await s.req(lea, "stop", command_id=P + "stop-2", dossier=d5, expected_version=2)
    ok(await s.req(lea, "stop", command_id=P + "stop-3", dossier=d5, expected_version=2,
                   reason="Địa điểm kinh doanh nằm trong khu vực cấm"), "stop")
    await s.req(lea, "stop", command_id=P + "stop-4", dossier=d3, reason="Không đủ điều kiện")

    s.rec.section("%s: who may do what (forbidden), what does not exist (not_found)" % enc)
    d6 = ok(await s.req(a, "submit", command_id=P + "open-1", procedure="1.001193", agency="H13.X01", form=BIRTH),
            "submit")["dossier"]
    for who, c in (("applicant", a), ("other applicant", b), ("specialist", spe), ("leader", lea),
                   ("reception X02", x02), ("auditor", aud), ("postal", post)):
        await s.req(c, "act", command_id=P + "x-" + who, dossier=d6, expected_version=1, action="accept")
    await s.req(rec, "act", command_id=P + "x-role", dossier=d6, expected_version=1, action="accept", role="leader")
    await s.req(rec, "act", command_id=P + "x-approve", dossier=d6, expected_version=1, action="approve")
    await s.req(rec, "act", command_id=P + "x-timeout", dossier=d6, expected_version=1, action="timeout")
    await s.req(rec, "act", command_id=P + "x-step", dossier=d6, expected_version=1, action="accept", step="signing")
    for who, c in (("applicant", a), ("other applicant", b), ("reception", rec), ("reception X02", x02),
                   ("auditor", aud), ("postal", post)):
        await s.req(c, "get", dossier=d6)
    await s.req(b, "withdraw", command_id=P + "x-wd", dossier=d6, expected_version=1)
    await s.req(x02, "withdraw", command_id=P + "x-wd", dossier=d6, expected_version=1)
    await s.req(aud, "submit", command_id=P + "x-aud", procedure="1.001193", agency="H13.X01", form=BIRTH)
    await s.req(aud, "submit", command_id=P + "x-aud", procedure="1.001193", agency="H13.X01", form=BIRTH,
                role="auditor")
    await s.req(a, "submit", command_id=P + "x-desk", procedure="1.001193", agency="H13.X01", form=BIRTH, channel="desk")
    await s.req(x02, "submit", command_id=P + "x-x02", procedure="1.001193", agency="H13.X01", form=BIRTH,
                channel="desk")
    await s.req(a, "assign", command_id=P + "x-as", dossier=d6, handler="chuyen.vien")
    await s.req(a, "rate", command_id=P + "x-rate", dossier=d6, rating=5)
    await s.req(a, "subscribe", scope="agency")
    await s.req(rec, "subscribe", scope="mine")
    await s.req(rec, "subscribe", scope="all")
    await s.req(x02, "subscribe", scope="agency", agency="H13.X01")
    await s.req(b, "subscribe", scope="dossier", dossier=d6)
    await s.req(a, "get", dossier="H13.X01-260101-9999")
    await s.req(rec, "act", command_id=P + "x-none", dossier="H13.X01-260101-9999", action="accept")
    await s.req(a, "subscribe", scope="dossier", dossier="H13.X01-260101-9999")
    await s.req(a, "submit", command_id=P + "x-proc", procedure="9.999999", agency="H13.X01", form={})
    await s.req(a, "submit", command_id=P + "x-agency", procedure="1.001193", agency="H13.CA", form=BIRTH)
    await s.req(rec, "unsubscribe", subscription="s99")

    s.rec.section("%s: bad input: the error names the field" % enc)
    await s.req(rec, "act", dossier=d6, expected_version=1, action="accept")
    await s.req(rec, "act", command_id="", dossier=d6, action="accept")
    await s.req(rec, "act", command_id="c" * 65, dossier=d6, action="accept")
    await s.req(rec, "act", command_id=P + "b-1", dossier=d6, expected_version=-1, action="accept")
    await s.req(rec, "act", command_id=P + "b-1", dossier=d6, expected_version="1", action="accept")
    await s.req(rec, "act", command_id=P + "b-1", dossier=d6, action="accept", dosier=d6)
    await s.req(rec, "act", command_id=P + "b-1", action="accept")
    await s.req(rec, "act", command_id=P + "b-1", dossier=d6)
    await s.req(rec, "act", command_id=P + "b-1", dossier=d6, action="accept", documents="giay_chung_sinh")
    await s.req(rec, "act", command_id=P + "b-1", dossier=d6, action="accept", documents=[{"name": "x"}])
    await s.req(rec, "act", command_id=P + "b-1", dossier=d6, action="accept",
                documents=[{"name": "giay_chung_sinh", "sha256": SHA, "valid_until": None}])
    await s.req(a, "submit", command_id=P + "b-2", procedure="1.001193", agency="H13.X01", form=dict(BIRTH, child_name=[1]))
    await s.req(a, "submit", command_id=P + "b-3", procedure="1.001193", agency="H13.X01",
                form=dict(BIRTH, gender="Không rõ"))
    await s.req(a, "submit", command_id=P + "b-4", procedure="1.001193", agency="H13.X01",
                form={k: v for k, v in BIRTH.items() if k != "mother_id"})
    await s.req(a, "submit", command_id=P + "b-5", procedure="1.001193", agency="H13.X01")
    await s.req(a, "submit", command_id=P + "b-6", procedure="1.001193", agency="H13.X01", form=BIRTH,
                documents=[{"name": "giay_chung_sinh", "sha256": "abc", "valid_until": None}])
    await s.req(a, "rate", command_id=P + "b-7", dossier=d1, rating=6)
    await s.req(lea, "assign", command_id=P + "b-8", dossier=d6, handler="chuyen.vien", co_handlers=["a", "b", "c", "d", "e"])
    await s.req(lea, "assign", command_id=P + "b-9", dossier=d6, handler="chuyen.vien", co_handlers=[1])
    await s.req(lea, "extend", command_id=P + "b-10", dossier=d2, new_due="tomorrow", reason="x")
    await s.req(a, "subscribe", scope="everything")
    await s.req(a, "subscribe", scope="dossier")
    await s.req(a, "subscribe", scope="mine", after=-1)
    await s.req(a, "unsubscribe")

    s.rec.section("%s: unsubscribe; what is left live" % enc)
    await s.req(rec, "unsubscribe", subscription="s1")
    await s.req(rec, "unsubscribe", subscription="s1")
    ok(await s.req(rec, "act", command_id=P + "acc-6", dossier=d6, expected_version=1, action="accept"), "accept")
    await s.req(rec, "ping")

    s.rec.section("%s: denied, the result by post (a step at another agency)" % enc)
    await s.req(spe, "act", command_id=P + "deny-0", dossier=d6, expected_version=2, action="deny")
    ok(await s.req(spe, "act", command_id=P + "deny-1", dossier=d6, expected_version=2, action="deny",
                   reason="Giấy chứng sinh không khớp với tờ khai"), "deny")
    ok(await s.req(lea, "act", command_id=P + "deny-2", dossier=d6, expected_version=3, action="deny",
                   reason="Giấy chứng sinh không khớp với tờ khai"), "deny")
    await s.req(post, "act", command_id=P + "mail-0", dossier=d6, expected_version=4, action="hand_to_post")
    ok(await s.req(rec, "act", command_id=P + "mail-1", dossier=d6, expected_version=4, action="hand_to_post"),
       "hand_to_post")
    await s.req(x02, "act", command_id=P + "mail-2", dossier=d6, expected_version=5, action="deliver")
    ok(await s.req(post, "act", command_id=P + "mail-3", dossier=d6, expected_version=5, action="deliver"), "deliver")
    await s.req(a, "get", dossier=d6)
    await s.close(aud, rec, lea, x02, post, b)
    return a, spe, d2


async def admin_users(s, spe, d2):
    s.rec.section("admin socket: a specialist leaves (disabled, work reassigned), returns, gets a new one-time password")
    ok(await s.admin("user_disable", account="chuyen.vien", reassign_to="chuyen.vien2", closing=(spe,)), "disable")
    await s.admin("user_disable", account="chuyen.vien")
    await s.http("POST", "/api/login", {"id": "chuyen.vien", "password": PASSWORD})
    ok(await s.admin("user_enable", account="chuyen.vien"), "enable")
    st, r, _ = await s.http("POST", "/api/login", {"id": "chuyen.vien", "password": PASSWORD})
    expect(st == 200, "login after enable")
    back = await s.open("chuyen.vien/json#2", r["token"])
    await s.req(back, "get", dossier=d2)
    otp = ok(await s.admin("user_password", account="chuyen.vien", closing=(back,)), "user_password")["one_time_password"]
    st, r, _ = await s.http("POST", "/api/login", {"id": "chuyen.vien", "password": otp})
    expect(st == 200, "login with the new one-time password")
    c = await s.open("chuyen.vien/msgpack", r["token"], binary=True)
    await s.req(c, "get", dossier=d2)
    await s.req(c, "change_password", old=PASSWORD, new=NEW_PASSWORD)
    ok(await s.req(c, "change_password", old=otp, new=NEW_PASSWORD), "change_password")
    await s.req(c, "get", dossier=d2)
    await s.close(c)
    return r["token"]


async def sessions(s, a):
    s.rec.section("sessions: logout over WebSocket (every socket of the session told), over HTTP; a reset")
    st, r, _ = await s.http("POST", "/api/login", {"id": APP_A, "password": PASSWORD})
    t1 = r["token"]
    a2 = await s.open(APP_A + "/json#2", t1)
    a3 = await s.open(APP_A + "/msgpack#3", t1, binary=True)
    await s.req(a2, "subscribe", scope="mine")
    await s.req(a2, "logout", closing=(a2, a3))
    await s.close(a)
    await s.http("POST", "/api/logout")
    await s.http("POST", "/api/logout", token=t1)
    st, r, _ = await s.http("POST", "/api/login", {"id": APP_A, "password": PASSWORD})
    t2 = r["token"]
    a4 = await s.open(APP_A + "/json#4", t2)
    await s.http("POST", "/api/logout", token=t2, closing=(a4,))
    gone = await s.open(APP_A + "/json#5")
    await s.req(gone, "hello", token=t2)
    await s.close(gone)
    st, r, _ = await s.http("POST", "/api/login", {"id": APP_A, "password": PASSWORD})
    a6 = await s.open(APP_A + "/json#6", r["token"])
    await s.http("POST", "/api/password/reset", {"id": APP_A})
    code = await s.sms()
    await s.http("POST", "/api/password/reset", {"id": "001099999999"})
    await s.http("POST", "/api/password/reset", {"id": "le.tan.x02"})
    await s.no_sms()
    await s.http("POST", "/api/password/reset/confirm", {"id": APP_A, "code": code, "password": "ngắn"})
    wrong = "00000o"  # a mistyped code (never a real one, so that the transcript is the same every time)
    await s.http("POST", "/api/password/reset/confirm", {"id": APP_A, "code": wrong, "password": NEW_PASSWORD})
    await s.http("POST", "/api/password/reset/confirm", {"id": APP_A, "code": code, "password": NEW_PASSWORD},
                 closing=(a6,))
    await s.http("POST", "/api/password/reset/confirm", {"id": APP_A, "code": code, "password": NEW_PASSWORD})
    await s.http("POST", "/api/login", {"id": APP_A, "password": PASSWORD})
    st, r, _ = await s.http("POST", "/api/login", {"id": APP_A, "password": NEW_PASSWORD})
    expect(st == 200, "login with the new password")

    s.rec.section("the account lockout: %d wrong passwords" % LOGIN_FAILURES)
    for i in range(LOGIN_FAILURES):
        await s.http("POST", "/api/login", {"id": APP_B, "password": "đoán mò lần %d" % (i + 1)})
    await s.http("POST", "/api/login", {"id": APP_B, "password": PASSWORD})
    await s.http("POST", "/api/login", {"id": APP_A, "password": NEW_PASSWORD})


async def publish(s, workdir, target_ms):
    s.rec.section("admin socket: publish (retire, a new version, refusals); the catalogue follows")
    src = open(os.path.join(WORKFLOWS, "procedures", "feedback.mc"), encoding="utf-8").read()
    renamed = src.replace('"Tiếp nhận và trả lời phản ánh, kiến nghị về thủ tục hành chính"',
                          '"Phản ánh, kiến nghị về thủ tục hành chính (bản mới)"')
    expect(renamed != src, "feedback.mc's name")
    path = os.path.join(workdir, "feedback-renamed.mc")
    with open(path, "w", encoding="utf-8") as f:
        f.write(renamed)
    out = os.path.join(workdir, "compiled")
    subprocess.run([MOTCUA, "compile", "--workflows", WORKFLOWS, path, "-o", out], check=True, capture_output=True)
    mcb = open(os.path.join(out, "procedure-PAKN.mcb"), "rb").read()
    b64 = base64.b64encode(mcb).decode()
    s.rec.secret(b64, "motcua compile: feedback.mc renamed, in base64")
    await s.admin("publish", items=[])
    await s.admin("publish", items=[{"kind": "procedure", "retire": "PAKN"}])
    await s.admin("publish", items=[{"kind": "treaty", "retire": "PAKN", "effective_from": target_ms}])
    await s.admin("publish", items=[{"kind": "procedure", "bytes_b64": "!!!", "effective_from": target_ms}])
    await s.admin("publish", items=[{"kind": "procedure", "bytes_b64": "aGVsbG8=", "effective_from": target_ms},
                                    {"kind": "procedure", "retire": "9.999999", "effective_from": target_ms},
                                    {"kind": "calendar", "retire": "vn", "effective_from": target_ms}])
    ok(await s.admin("publish", items=[{"kind": "procedure", "retire": "PAKN", "effective_from": target_ms}]), "retire")
    await s.admin("publish", items=[{"kind": "procedure", "retire": "PAKN", "effective_from": target_ms}])
    await s.http("GET", "/api/catalogue?agency=H13.TTHCC")
    await s.http("GET", "/api/procedures/PAKN")
    ok(await s.admin("publish", items=[{"kind": "procedure", "bytes_b64": b64, "effective_from": target_ms,
                                        "command_id": "pakn-v2"}]), "publish")
    await s.admin("publish", items=[{"kind": "procedure", "bytes_b64": b64, "effective_from": target_ms,
                                     "command_id": "pakn-v2"}])
    await s.admin("publish", items=[{"kind": "procedure", "bytes_b64": b64, "effective_from": target_ms}])
    await s.http("GET", "/api/catalogue?q=ph%E1%BA%A3n%20%C3%A1nh")
    await s.http("GET", "/api/procedures/PAKN")


async def finish(s, tokens):
    s.rec.section("health, metrics, status; SIGTERM tells the clients")
    await s.http("GET", "/healthz")
    await s.http("GET", "/metrics")
    await s.admin("status")
    last = await s.open("kiem.toan/json#last", tokens["kiem.toan"])
    await s.req(last, "subscribe", scope="all")
    s.rec.note(server="SIGTERM")
    s.srv.proc.send_signal(signal.SIGTERM)
    await s.settle(closing=(last,))
    rc = s.srv.proc.wait(WAIT)
    s.srv.proc = None
    s.rec.note(server="exited", rc=rc)


HORIZON = 15  # days after the session's day that its deadlines reach: the supplement window (15 days)


def ordinary_week(monday):
    """Whether `monday` and the HORIZON days after it are all as a plain week has them: working
    Monday to Friday, no holiday, swap or make-up day (a deadline's explanation then reads the same)."""
    return all(not SPECIAL.get(monday + datetime.timedelta(days=i)) for i in range(HORIZON + 1))


def target_instant():
    """09:00 in Hanoi on the next Monday that starts an ordinary run of days: the session's clock (a
    rehearsal clock runs only ahead).  Always a Monday, so the explanations of deadlines (which
    days are counted, which weekend is skipped) are the same whichever day the test runs.
    MOTCUA_TRANSCRIPT_DAY=YYYY-MM-DD (a later working day) checks that another day records the same."""
    today = datetime.datetime.now(TZ).date()
    day = today + datetime.timedelta(days=7 - today.weekday())
    for _ in range(60):
        if ordinary_week(day):
            break
        day += datetime.timedelta(days=7)
    if os.environ.get("MOTCUA_TRANSCRIPT_DAY"):
        day = datetime.date.fromisoformat(os.environ["MOTCUA_TRANSCRIPT_DAY"])
        expect(day > today and working(day), "MOTCUA_TRANSCRIPT_DAY is a working day after today")
    last = day + datetime.timedelta(days=HORIZON)
    if day.year not in YEARS or last.year not in YEARS:
        raise RuntimeError("the bundled calendars (%s) do not describe %s to %s, which the session's deadlines reach: "
                           "the server would refuse them; add the year's file to workflows/calendars "
                           "(docs/CALENDAR.md, \"Adding a year\")" % (os.path.join(WORKFLOWS, "calendars"), day, last))
    return local_ms(day, 9)


async def session(s, workdir, target_ms):
    await public_http(s)
    await admin_socket(s)
    await registration(s)
    tokens = await first_logins(s)
    await anonymous(s, False)
    await anonymous(s, True)
    a, spe, d2 = await round_(s, False, tokens, APP_A, APP_B)
    tokens["chuyen.vien"] = await admin_users(s, spe, d2)
    a2, spe2, _ = await round_(s, True, tokens, APP_B, APP_A)
    await s.close(a2, spe2)
    await sessions(s, a)
    await publish(s, workdir, target_ms)
    await finish(s, tokens)


def run():
    root = tempfile.mkdtemp(prefix="motcuad-transcript-")
    os.chmod(root, 0o755)  # the server runs as the unprivileged user "motcua" when the tests run as root
    sink = None
    srv = None
    clamd = None
    try:
        sms_dir = os.path.join(root, "sms")
        os.makedirs(sms_dir)
        os.chmod(sms_dir, 0o777)
        ports = []
        for _ in range(2):
            with socket.socket() as sk:
                sk.bind(("127.0.0.1", 0))
                ports.append(sk.getsockname()[1])
        sink = subprocess.Popen(["/usr/bin/python3", MAIL_SINK, sms_dir, str(ports[0]), str(ports[1])])
        deadline = time.time() + WAIT
        while not os.path.exists(os.path.join(sms_dir, "ready")):
            if time.time() > deadline or sink.poll() is not None:
                raise RuntimeError("the mail sink did not start")
            time.sleep(0.05)
        target = target_instant()
        clock = os.path.join(root, "clock")
        with open(clock, "w") as f:
            # the offset is read when the server starts; it lands a moment after 09:00:00
            f.write("%d\n" % (target - int(time.time() * 1000)))
        os.chmod(clock, 0o644)
        clamd = Clamd(root).start()
        srv = Server(MOTCUAD, root, "sms_url = http://127.0.0.1:%d/sms\nlogin_failures = %d\nmax_frame = 16384\n"
                     "max_body = 4096\nclamd_socket = %s\n" % (ports[1], LOGIN_FAILURES, clamd.sock),
                     args=["--workflows", WORKFLOWS, "--rehearsal-clock", clock], env={"MOTCUA_REHEARSAL": "1"})
        rec = Recorder()
        srv.recorder = rec
        srv.start()
        expect(srv.admin_password, "the first administrator's one-time password on stdout")
        rec.secret(srv.admin_password, "otp")
        rec.note(server="started", first_administrator="admin", one_time_password=srv.admin_password)
        s = Session(srv, rec, sms_dir)
        asyncio.run(session(s, root, target))
        return rec.lines, open(srv.out, errors="replace").readlines()[-30:]
    except BaseException:
        if srv and srv.recorder and srv.recorder.lines:
            with open("transcript.actual", "w", encoding="utf-8") as f:
                f.write("\n".join(srv.recorder.lines) + "\n")
            print("the transcript so far: %s" % os.path.abspath("transcript.actual"))
        if srv and os.path.exists(srv.out):
            print("---- motcuad's output (last lines)")
            print("".join(open(srv.out).readlines()[-30:]))
        raise
    finally:
        if srv:
            srv.kill()
        if clamd:
            clamd.stop()
        if sink:
            sink.terminate()
            sink.wait(WAIT)
        shutil.rmtree(root, ignore_errors=True)


def main():
    started = time.time()
    lines, server_tail = run()
    got = "\n".join(lines) + "\n"
    print("%d lines in %.1f s" % (len(lines), time.time() - started))
    if os.environ.get("MOTCUA_UPDATE_GOLDEN"):
        with open(EXPECTED, "w", encoding="utf-8") as f:
            f.write(got)
        print("rewrote %s: review the diff before committing it" % EXPECTED)
        return 0
    want = open(EXPECTED, encoding="utf-8").read() if os.path.exists(EXPECTED) else ""
    if got == want:
        print("the transcript matches %s" % EXPECTED)
        return 0
    diff = list(difflib.unified_diff(want.splitlines(), got.splitlines(), "expected", "got", n=2, lineterm=""))
    print("FAIL: the transcript differs from %s; the first differences:" % EXPECTED)
    print("\n".join(diff[:40]))
    if len(diff) > 40:
        print("... (%d more diff lines)" % (len(diff) - 40))
    actual = os.path.abspath("transcript.actual")
    with open(actual, "w", encoding="utf-8") as f:
        f.write(got)
    print("the whole transcript: %s (MOTCUA_UPDATE_GOLDEN=1 rewrites the expected one, if the change is meant)"
          % actual)
    print("---- motcuad's output (last lines)")
    print("".join(server_tail))
    return 1


if __name__ == "__main__":
    sys.exit(main())
