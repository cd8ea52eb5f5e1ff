"""motcua_client.py — what the server tests share: start and stop the real
motcuad on loopback, its admin socket, HTTP, and a WebSocket client that
speaks JSON (text frames) or msgpack (binary frames) as docs/PROTOCOL.md
says.  Every wait is bounded; nothing here retries for ever.

A recorder (transcript.py) may be attached to a Server: it is then told of
every HTTP exchange and admin request, and each Client keeps what it
receives, in arrival order, for it to read (Client.take_received).

Run with Debian's /usr/bin/python3 (python3-websockets, python3-msgpack).
"""
import asyncio
import email
import glob
import itertools
import json
import os
import signal
import socket
import ssl
import subprocess
import struct
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

import msgpack
import websockets

WAIT = 30  # seconds: the longest any single wait may take


def workdirs(prefix):
    """A test's root folder and its maker of one working folder per scenario (readable by the
    unprivileged user motcuad runs as when the tests run as root)."""
    root = tempfile.mkdtemp(prefix=prefix)
    os.chmod(root, 0o755)

    def workdir(name):
        d = os.path.join(root, name)
        os.makedirs(d)
        os.chmod(d, 0o755)
        return d
    return root, workdir


class Failures:
    """Counts failed checks and goes on, so one run shows them all."""

    def __init__(self):
        self.n = 0
        self.checks = 0

    def check(self, cond, what):
        self.checks += 1
        if not cond:
            self.n += 1
            print("FAIL:", what, flush=True)
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, "%s: got %r, want %r" % (what, got, want))


class Server:
    def __init__(self, motcuad, workdir, config_extra="", args=(), env=None, wrapper=()):
        self.motcuad = motcuad
        self.wrapper = list(wrapper)  # a command motcuad runs under (valgrind ...), or none
        self.dir = workdir
        self.data = os.path.join(workdir, "data")
        self.config = os.path.join(workdir, "motcuad.conf")
        self.ready = os.path.join(workdir, "ready")
        self.out = os.path.join(workdir, "motcuad.out")
        self.config_extra = config_extra
        self.args = list(args)
        self.env = env
        self.proc = None
        self.port = None
        self.admin_password = None
        self.tls = "tls_cert" in config_extra
        self.recorder = None  # told of every exchange when set (transcript.py)

    def write_config(self):
        with open(self.config, "w") as f:
            f.write("# written by the tests\nlisten = 127.0.0.1:0\ndata = %s\n" % self.data)
            if os.geteuid() == 0:
                f.write("user = motcua\n")
            f.write(self.config_extra)

    def start(self):
        self.write_config()
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        log = open(self.out, "a")
        env = dict(os.environ, **self.env) if self.env else None
        self.proc = subprocess.Popen(self.wrapper + [self.motcuad, "--config", self.config, "--ready-file", self.ready] + self.args,
                                     stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + WAIT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("motcuad exited with %d:\n%s" % (self.proc.returncode, open(self.out).read()))
            if os.path.exists(self.ready) and open(self.ready).read().strip():
                self.port = int(open(self.ready).read())
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("motcuad did not become ready in %d s" % WAIT)
        for line in open(self.out):
            if "one-time password" in line and self.admin_password is None:
                self.admin_password = line.split("one-time password ")[1].split()[0]
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(WAIT)
        self.proc = None
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    # -------------------------------------------------------------- admin socket

    def admin(self, op, **fields):
        fields.update(op=op, id="a1")
        if self.recorder:
            self.recorder.admin_sent(fields)
        return self._admin_exchange(json.dumps(fields))

    def admin_raw(self, line):
        """Sends one line as it is (malformed ones too); returns the reply line, parsed."""
        if self.recorder:
            self.recorder.admin_sent_raw(line)
        return self._admin_exchange(line)

    def _admin_exchange(self, line):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(WAIT)
            s.connect(os.path.join(self.data, "motcuad.sock"))
            s.sendall((line + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        reply = json.loads(buf)
        if self.recorder:
            self.recorder.admin_received(reply)
        return reply

    def add_user(self, account, name, roles, agency=None, **kw):
        """Creates an account through the admin socket; returns its one-time password."""
        r = self.admin("user_add", account=account, name=name, roles=roles, agency=agency, **kw)
        if not r.get("ok"):
            raise RuntimeError("user_add %s: %r" % (account, r))
        return r["one_time_password"]

    # -------------------------------------------------------------- HTTP

    def url(self, path, ws=False):
        scheme = ("wss" if self.tls else "ws") if ws else ("https" if self.tls else "http")
        return "%s://127.0.0.1:%d%s" % (scheme, self.port, path)

    def ssl_context(self):
        if not self.tls:
            return None
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def http(self, method, path, body=None, token=None, raw=None, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url(path), data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        if self.recorder:
            self.recorder.http_sent(method, path, body, raw, token, headers)
        try:
            with urllib.request.urlopen(req, timeout=WAIT, context=self.ssl_context()) as r:
                text = r.read()
                status = r.status
                hdrs = dict(r.headers)
        except urllib.error.HTTPError as e:
            text = e.read()
            status = e.code
            hdrs = dict(e.headers)
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text.decode("utf-8", "replace")
        if self.recorder:
            self.recorder.http_received(method, path, status, parsed, hdrs)
        return status, parsed, hdrs

    def login(self, account, password):
        status, body, _ = self.http("POST", "/api/login", {"id": account, "password": password})
        if status != 200:
            raise RuntimeError("login %s: %d %r" % (account, status, body))
        return body

    def login_changing(self, account, one_time, new_password):
        """First login of an official: the one-time password is changed, then a fresh session."""
        tok = self.login(account, one_time)["token"]

        async def change():
            c = await Client.open(self, tok)
            r = await c.request("change_password", old=one_time, new=new_password)
            await c.close()
            return r

        r = asyncio.run(change())
        if not r.get("ok"):
            raise RuntimeError("change_password %s: %r" % (account, r))
        return self.login(account, new_password)["token"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    """tests/integration/mail_sink.py on free loopback ports, for a server to send its e-mail to
    (config()); take() reads what arrived."""

    def __init__(self, script, workdir):
        self.dir = os.path.join(workdir, "mail")
        os.makedirs(self.dir)
        self.smtp, self.gateway = free_port(), free_port()
        self.proc = subprocess.Popen(["/usr/bin/python3", script, self.dir, str(self.smtp), str(self.gateway)])
        deadline = time.time() + WAIT
        while not os.path.exists(os.path.join(self.dir, "ready")):
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("the mail sink did not start")
            time.sleep(0.05)

    def config(self):
        return ("smtp_url = smtp://127.0.0.1:%d\nsmtp_starttls = no\nmail_from = motcua@bacninh.gov.vn\n"
                "delivery_seconds = 1\n" % self.smtp)

    def take(self, to, timeout=WAIT):
        """The text of the first e-mail to `to` (removed once read), waiting for it at most
        `timeout` seconds; None if none came."""
        deadline = time.time() + timeout
        while True:
            for path in sorted(glob.glob(os.path.join(self.dir, "mail-*.eml"))):
                m = email.message_from_bytes(open(path, "rb").read())
                if to in (m["To"] or ""):
                    os.unlink(path)
                    return m.get_payload(decode=True).decode("utf-8", "replace")
            if time.time() > deadline:
                return None
            time.sleep(0.2)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(WAIT)


EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")


class Clamd:
    """ClamAV's daemon started for a test (never the system's service): a temporary socket and
    database directory with one body signature (.ndb) for the EICAR test string, so that EICAR is
    caught alone, in a PDF or in an archive; its heuristics off, so that motcua's own checks of a PDF are
    what a test of them meets.  Up once it answers PING."""

    def __init__(self, workdir, sock=None):
        self.dir = os.path.join(workdir, "clamd")
        os.makedirs(os.path.join(self.dir, "db"), exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.sock = sock or os.path.join(self.dir, "clamd.sock")
        with open(os.path.join(self.dir, "db", "motcua-test.ndb"), "w") as f:
            f.write("Motcua.Test.EICAR:0:*:%s\n" % EICAR.hex())
        self.conf = os.path.join(self.dir, "clamd.conf")
        with open(self.conf, "w") as f:
            f.write("LocalSocket %s\nLocalSocketMode 666\nDatabaseDirectory %s/db\nForeground yes\n"
                    "LogFile %s/clamd.log\nPidFile %s/clamd.pid\nMaxFileSize 40M\nStreamMaxLength 50M\n"
                    "AlertExceedsMax yes\nHeuristicAlerts no\n" % (self.sock, self.dir, self.dir, self.dir))
        self.proc = None

    @staticmethod
    def available():
        return os.access("/usr/sbin/clamd", os.X_OK)

    def start(self):
        out = open(os.path.join(self.dir, "out"), "a")
        self.proc = subprocess.Popen(["/usr/sbin/clamd", "-c", self.conf], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + WAIT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("clamd ended at start: see %s/out" % self.dir)
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(1)
                    s.connect(self.sock)
                    s.sendall(b"zPING\0")
                    if s.recv(16).startswith(b"PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("clamd did not answer within %d s: see %s/out" % (WAIT, self.dir))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


# A 4x4 PNG: the scan the examples of docs/PROTOCOL.md name (its SHA-256 is EXAMPLE_PNG_SHA256).
EXAMPLE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000004000000040802000000269309290000001049444154789c63f8dfc000470cc4"
    "71007ea217f15da160050000000049454e44ae426082")
EXAMPLE_PNG_SHA256 = "f1062b81e1771fa1b881c035d40485418ecb4c74fa1b427c1155506a26382c46"


def make_pdf(extra_catalog=b"", stream=b"BT /F1 12 Tf 72 720 Td (Giay chung sinh) Tj ET"):
    """A one-page PDF with a correct cross-reference table: `stream` its content, `extra_catalog`
    more of its catalogue (an /OpenAction, say)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def make_png(width, rows, level=9):
    """An RGB PNG `width` pixels wide, one row of 3 * width bytes each in `rows`."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b""))


def upload(srv, token, name, data, agency=None, chunk=None):
    """Uploads `data` as the file `name`: declared, then sent (in chunks of `chunk` bytes, one
    request each, when given).  Returns (status, body) of the last request: the receipt once whole."""
    decl = {"name": name, "size": len(data)}
    if agency:
        decl["agency"] = agency
    status, body, _ = srv.http("POST", "/api/uploads", decl, token=token)
    if status != 201:
        return status, body
    uid = body["upload"]
    step = chunk or len(data)
    for off in range(0, len(data), step):
        status, body, _ = srv.http("POST", "/api/uploads/%s?offset=%d" % (uid, off), raw=data[off:off + step],
                                   token=token, headers={"Content-Type": "application/octet-stream"})
        if status >= 300:
            break
    return status, body


class Received(dict):
    """A message as received; `binary` says whether it came in a binary (msgpack) frame."""
    binary = False


class Client:
    """One WebSocket connection.  Replies are matched by id; pushes queue up.
    With a recorder on the server, every message received (replies and
    pushes alike, but not sync's pings) is also kept in arrival order."""

    def __init__(self, server, binary, label=None):
        self.server = server
        self.binary = binary
        self.label = label
        self.recording = server.recorder is not None
        self.received = []
        self.sync_ids = itertools.count(1)
        self.ws = None
        self.pending = {}
        self.pushes = asyncio.Queue()
        self.ids = itertools.count(1)
        self.reader = None
        self.closed = asyncio.Event()
        self.close_code = None

    @classmethod
    async def open(cls, server, token=None, binary=False, header_token=False, label=None, headers=None):
        c = cls(server, binary, label)
        headers = dict(headers or {})
        if token and header_token:
            headers["Authorization"] = "Bearer " + token
        headers = headers or None
        if c.recording:
            server.recorder.ws_opened(c, token if header_token else None)
        c.ws = await asyncio.wait_for(websockets.connect(server.url("/ws", ws=True), extra_headers=headers,
                                                         ssl=server.ssl_context(), max_size=2 ** 24,
                                                         ping_interval=None), WAIT)
        c.reader = asyncio.ensure_future(c._read())
        if token and not header_token:
            r = await c.request("hello", token=token)
            if not r.get("ok"):
                raise RuntimeError("hello: %r" % r)
        return c

    async def _read(self):
        try:
            async for frame in self.ws:
                binary = isinstance(frame, bytes)
                msg = msgpack.unpackb(frame, raw=False) if binary else json.loads(frame)
                for m in (msg if isinstance(msg, list) else [msg]):
                    m = Received(m)
                    m.binary = binary
                    if self.recording and not str(m.get("id")).startswith("sync-"):
                        self.received.append(m)
                    if "push" in m:
                        await self.pushes.put(m)
                    else:
                        fut = self.pending.pop(m.get("id"), None)
                        if fut and not fut.done():
                            fut.set_result(m)
                        elif fut is None:
                            await self.pushes.put({"push": "stray_reply", "reply": m})
        except websockets.ConnectionClosed as e:
            self.close_code = e.code
        finally:
            self.close_code = self.close_code or (self.ws.close_code if self.ws else None)
            self.closed.set()
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("closed"))

    async def send_raw(self, data):
        await self.ws.send(data)

    async def request(self, op, **fields):
        rid = fields.pop("id", None) or "r%d" % next(self.ids)
        fields.update(op=op, id=rid)
        fut = asyncio.get_event_loop().create_future()
        self.pending[rid] = fut
        if self.recording:
            self.server.recorder.ws_sent(self, fields, self.binary)
        await self.ws.send(msgpack.packb(fields) if self.binary else json.dumps(fields))
        return await asyncio.wait_for(fut, WAIT)

    async def raw_request(self, data, rid=None):
        """Sends bytes or text as they are; waits for the reply with `rid` (None: the first reply)."""
        fut = asyncio.get_event_loop().create_future()
        self.pending[rid] = fut
        if self.recording:
            self.server.recorder.ws_sent_raw(self, data)
        await self.ws.send(data)
        return await asyncio.wait_for(fut, WAIT)

    async def sync(self):
        """Waits until everything the server queued for this connection before now has arrived:
        a ping (id "sync-N", not kept in `received`) and its reply, or the connection's end.
        Returns False if the connection is (or got) closed."""
        if self.closed.is_set():
            return False
        rid = "sync-%d" % next(self.sync_ids)
        fut = asyncio.get_event_loop().create_future()
        self.pending[rid] = fut
        try:
            await self.ws.send(msgpack.packb({"op": "ping", "id": rid}) if self.binary
                               else json.dumps({"op": "ping", "id": rid}))
        except websockets.ConnectionClosed:
            pass
        closed = asyncio.ensure_future(self.closed.wait())
        done, _ = await asyncio.wait([fut, closed], timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
        closed.cancel()
        if not done:
            raise TimeoutError("%s: no reply to a ping in %d s" % (self.label, WAIT))
        if fut in done and fut.exception() is None:
            return True
        self.pending.pop(rid, None)
        return False

    def take_received(self):
        """What arrived since the last call, in arrival order."""
        got, self.received = self.received, []
        return got

    async def push(self, timeout=WAIT):
        return await asyncio.wait_for(self.pushes.get(), timeout)

    async def pushes_until(self, pred, timeout=WAIT):
        """Pushes received until one satisfies pred (included)."""
        got = []
        deadline = time.time() + timeout
        while True:
            p = await self.push(max(0.01, deadline - time.time()))
            got.append(p)
            if pred(p):
                return got

    async def close(self):
        await self.ws.close()
        if self.reader:
            await asyncio.wait_for(self.reader, WAIT)


BIRTH_FORM = {
    "child_name": "Nguyễn Minh Khôi",
    "birth_date": "2026-11-20",
    "gender": "Nam",
    "birth_place": "Bệnh viện Đa khoa tỉnh Bắc Ninh",
    "mother_id": "001190004321",
    "phone": "0912345678",
}

PASSWORD = "một mật khẩu đủ dài"


def officials(srv):
    """The officials of a birth registration at H13.X01 (and one of X02, an auditor), ready to act."""
    toks = {}
    for acct, roles, agency in [("le.tan", ["reception"], "H13.X01"), ("chuyen.vien", ["specialist"], "H13.X01"),
                                ("chu.tich", ["leader"], "H13.X01"), ("le.tan.x02", ["reception"], "H13.X02"),
                                ("kiem.toan", ["auditor"], None), ("buu.ta", ["postal"], "H13.BD")]:
        otp = srv.add_user(acct, "Cán bộ " + acct, roles, agency, email=acct + "@bacninh.gov.vn")
        toks[acct] = srv.login_changing(acct, otp, PASSWORD)
    return toks


def applicant(srv, citizen_id, name="Nguyễn Văn An"):
    """An applicant registered at the desk through the admin socket (the registration scenario does it online)."""
    otp = srv.add_user(citizen_id, name, ["applicant"], None, phone="0912345678")
    return srv.login_changing(citizen_id, otp, PASSWORD)


def walk_in(id_number, name="Trần Thị Bình", **more):
    """The applicant block reception enters for someone filing at the desk or by post."""
    return dict(kind="person", name=name, id_number=id_number, **more)


async def submit(c, cid, form=None, agency="H13.X01", **extra):
    return await c.request("submit", command_id=cid, procedure="1.001193", agency=agency, form=form or BIRTH_FORM,
                           **extra)


def run_scenarios(scenarios, failures, root, chosen, lines=15):
    """Runs the chosen scenarios (all when none is named), each on its own, a failure in one not
    stopping the others; shows the servers' last lines if anything failed, removes `root`, and exits
    1 if anything did."""
    import glob
    import shutil
    import traceback
    try:
        for name in chosen or list(scenarios):
            t = time.time()
            before = failures.n
            try:
                scenarios[name]()
            except Exception as e:  # a scenario that blows up is a failure, and the others still run
                traceback.print_exc()
                failures.check(False, "%s raised %r" % (name, e))
            print("%-20s %s (%.1f s)" % (name, "ok" if failures.n == before else "FAILED", time.time() - t), flush=True)
    finally:
        for out in glob.glob(os.path.join(root, "*", "motcuad.out")):
            if failures.n:
                print("---- %s (last lines)" % out)
                print("".join(open(out).readlines()[-lines:]))
        shutil.rmtree(root, ignore_errors=True)
    print("%d checks, %d failed" % (failures.checks, failures.n))
    sys.exit(1 if failures.n else 0)
