#!/usr/bin/python3
"""test_hostile.py — motcuad under abuse and faults: what an attacker, a
broken client or a bad day on the machine does, and what motcuad must do.

  test_hostile.py MOTCUAD MAIL_SINK [--valgrind] [SCENARIO...]

Scenarios (all by default): assign, logout_short_bearer, submission_flood,
status_throttle, second_server, port_in_use, admin_socket_unbindable,
data_dir_mode, disk_full (needs a tmpfs mount: skipped without), never_reads.  Each starts its own server on a fresh data directory.
With --valgrind, motcuad runs under valgrind (memcheck; the run fails on any
error it reports), for the scenarios named or, by default, the ones marked
for it (VALGRIND): the hostile inputs whose faults ASan cannot see (inside
libsodium, which is not instrumented).  Prints what failed and exits 1 if
anything did.
"""
import asyncio
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motcua_client import workdirs, PASSWORD, Client, Failures, Server, run_scenarios, applicant, officials, submit, walk_in  # noqa: E402

args = sys.argv[1:]
VALGRIND = "--valgrind" in args
args = [a for a in args if a != "--valgrind"]
MOTCUAD, MAIL_SINK = args[0], args[1]
F = Failures()
ROOT, workdir = workdirs("motcuad-hostile-")
WRAPPER = ["valgrind", "--quiet", "--error-exitcode=99", "--errors-for-leak-kinds=none",
           "--trace-children=no"] if VALGRIND else []



def server(name, config=""):
    return Server(MOTCUAD, workdir(name), config_extra=config, wrapper=WRAPPER).start()


def stopped_cleanly(srv, what):
    rc = srv.stop()
    if rc == 99:
        F.check(False, "%s: valgrind reported errors (its report is in %s)" % (what, srv.out))
    else:
        F.eq(rc, 0, "%s: motcuad stops cleanly" % what)


# ============================================================ access and abuse


def assign():
    """A leader assigns only an enabled official of an agency doing the dossier's step, in its role."""
    srv = server("assign")
    try:
        toks = officials(srv)
        x02_otp = srv.add_user("chuyen.vien.x02", "Chuyên viên X02", ["specialist"], "H13.X02")
        srv.add_user("chuyen.vien.cu", "Chuyên viên đã nghỉ", ["specialist"], "H13.X01")
        F.check(srv.admin("user_disable", account="chuyen.vien.cu").get("ok"), "an official leaves")
        srv.add_user("van.thu", "Văn thư", ["reception"], "H13.X01")
        a_tok = applicant(srv, "001090000021")
        x02 = srv.login_changing("chuyen.vien.x02", x02_otp, PASSWORD)

        async def run():
            a = await Client.open(srv, a_tok)
            code = (await submit(a, "as-1"))["dossier"]
            rec = await Client.open(srv, toks["le.tan"])
            r = await rec.request("act", command_id="as-acc", dossier=code, expected_version=1, action="accept")
            F.check(r.get("ok"), "accepted: %r" % r)
            lea = await Client.open(srv, toks["chu.tich"])
            for n, (handler, co, key) in enumerate([
                    ("chuyen.vien.x02", None, "handler_not_of_step"),
                    ("khong.ton.tai", None, "handler_unknown"),
                    ("chuyen.vien.cu", None, "handler_disabled"),
                    ("001090000021", None, "handler_not_official"),
                    ("van.thu", None, "handler_not_of_step"),
                    ("chuyen.vien", ["chuyen.vien.x02"], "handler_not_of_step"),
                    ("chuyen.vien", ["khong.ton.tai"], "handler_unknown")]):
                fields = {"handler": handler}
                if co:
                    fields["co_handlers"] = co
                r = await lea.request("assign", command_id="as-bad-%d" % n, dossier=code, expected_version=2, **fields)
                e = r.get("error", {})
                F.eq(e.get("key"), key, "assigning %s (co-handlers %r) is refused: %r" % (handler, co, r))
                F.check(e.get("message_vi"), "the refusal says why in Vietnamese: %r" % e)
            # the agency's own specialists were never locked out
            spe = await Client.open(srv, toks["chuyen.vien"])
            r = await lea.request("assign", command_id="as-ok", dossier=code, expected_version=2, handler="chuyen.vien")
            F.check(r.get("ok"), "a specialist of the agency doing the step is assigned: %r" % r)
            r = await spe.request("act", command_id="as-app", dossier=code, expected_version=3, action="approve")
            F.check(r.get("ok"), "the assigned specialist acts: %r" % r)
            # the other commune's specialist cannot read it
            o = await Client.open(srv, x02)
            r = await o.request("get", dossier=code)
            F.eq(r.get("error", {}).get("code"), "forbidden", "another commune's specialist reads nothing")
            for c in (a, rec, lea, spe, o):
                await c.close()

        asyncio.run(run())
    finally:
        stopped_cleanly(srv, "assign")


def logout_short_bearer():
    """POST /api/logout with a short bearer while a WebSocket is logged in: refused or ignored, nothing read
    past the token (valgrind sees it; ASan cannot, libsodium is not instrumented)."""
    srv = server("logout_short_bearer")
    try:
        a_tok = applicant(srv, "001090000031")

        async def run():
            a = await Client.open(srv, a_tok)
            for bearer in ("x", "", "xy", "x" * 300):
                st, _, _ = srv.http("POST", "/api/logout", headers={"Authorization": "Bearer " + bearer})
                F.check(st in (204, 401), "a logout with the bearer %r is answered (%d)" % (bearer[:10], st))
            r = await a.request("ping")
            F.check(r.get("ok"), "the logged-in socket is untouched: %r" % r)
            await a.close()

        asyncio.run(run())
    finally:
        stopped_cleanly(srv, "logout_short_bearer")


def submission_flood():
    """An applicant account files at most max_submissions_per_hour; reception at the desk is not limited; a
    per-address limit holds only for an address a trusted proxy named, never for a NAT's one address."""
    srv = server("submission_flood", "max_submissions_per_hour = 5\nmax_submissions_per_hour_per_address = 6\n"
                                     "trusted_proxies = 127.0.0.1\n")
    try:
        toks = officials(srv)
        a_tok = applicant(srv, "001090000041")
        b_tok = applicant(srv, "001090000042")
        c_tok = applicant(srv, "001090000043")
        d_tok = applicant(srv, "001090000044")

        async def run():
            socks = [await Client.open(srv, a_tok) for _ in range(3)]
            results = await asyncio.gather(*[submit(socks[i % 3], "fl-%d" % i) for i in range(8)])
            ok = [r for r in results if r.get("ok")]
            refused = [r for r in results if not r.get("ok")]
            F.eq(len(ok), 5, "one account files 5 in the hour over 3 sockets")
            F.eq(sorted({r["error"]["code"] for r in refused}), ["throttled"], "the rest are throttled: %r" % refused[:1])
            if refused:
                e = refused[0]["error"]
                F.check(e.get("retry_after_ms", 0) > 0, "the refusal says when to try again: %r" % e)
                F.check("giờ" in e.get("message_vi", "") or "phút" in e.get("message_vi", ""),
                        "and says it in Vietnamese: %r" % e)
            r = await submit(socks[0], "fl-0")
            F.check(r.get("ok") and r.get("repeated"), "a retry of a filed command is not counted: %r" % r)
            rec = await Client.open(srv, toks["le.tan"])
            desk = await asyncio.gather(*[submit(rec, "dk-%d" % i, channel="desk",
                                                 applicant=walk_in("00109000%04d" % i))
                                          for i in range(8)])
            F.eq(sum(1 for r in desk if r.get("ok")), 8, "reception files at the desk without a limit: %r" %
                 [r for r in desk if not r.get("ok")][:1])
            # behind the trusted proxy: one citizen's address (named by the proxy) files for two accounts
            fwd = {"X-Forwarded-For": "203.0.113.7"}
            b = await Client.open(srv, b_tok, headers=fwd)
            c = await Client.open(srv, c_tok, headers=fwd)
            rs = [await submit(b, "px-b-%d" % i) for i in range(4)] + [await submit(c, "px-c-%d" % i) for i in range(3)]
            F.eq([bool(r.get("ok")) for r in rs], [True] * 6 + [False], "6 from the address a proxy named, then no")
            F.eq(rs[-1].get("error", {}).get("code"), "throttled", "the 7th from that address is throttled")
            # the commune office behind one NAT: the same direct address, many accounts, no per-address limit
            d = await Client.open(srv, d_tok)
            rs = [await submit(d, "nat-d-%d" % i) for i in range(4)]
            F.check(all(r.get("ok") for r in rs), "a direct address (a NAT) is not limited per address: %r" %
                    [r for r in rs if not r.get("ok")][:1])
            for x in socks + [rec, b, c, d]:
                await x.close()

        asyncio.run(run())
        st, m, _ = srv.http("GET", "/metrics")
        F.check('motcua_commands_total{op="submit",outcome="throttled"}' in m, "throttled submissions are counted")
    finally:
        stopped_cleanly(srv, "submission_flood")


def http_denials_name_the_address():
    """An HTTP denial (a wrong password, a wrong code) is logged with the client's address, as the
    WebSocket's are: the operator on call looks for it."""
    srv = server("http_denials", "trusted_proxies = 127.0.0.1\n")
    try:
        srv.http("POST", "/api/login", {"id": "khong.ai", "password": "sai mật khẩu rồi"})
        srv.http("POST", "/api/login", {"id": "khong.ai", "password": "sai mật khẩu rồi"},
                 headers={"X-Forwarded-For": "203.0.113.9"})
        time.sleep(0.3)
        log = open(srv.out).read()
        F.check(re.search(r"denied login to khong\.ai from (::ffff:)?127\.0\.0\.1:", log),
                "a direct client's address is logged")
        F.check("denied login to khong.ai from 203.0.113.9" in log, "the address a trusted proxy named is logged")
        F.check("from -:" not in log, "no denial without an address: %s" % log[-300:])
    finally:
        stopped_cleanly(srv, "http_denials")


def status_throttle():
    """The public status lookup is throttled per address: a day's sequential codes cannot be walked."""
    srv = server("status_throttle", "max_status_lookups_per_minute = 5\ntrusted_proxies = 127.0.0.1\n")
    try:
        codes = [srv.http("GET", "/api/status/H13.X01-261207-%04d" % i)[0] for i in range(1, 9)]
        F.eq(codes[:5], [404] * 5, "five lookups from one address are answered")
        F.eq(codes[5:], [429] * 3, "then 429 until the minute is over")
        st, body, hdrs = srv.http("GET", "/api/status/H13.X01-261207-0001")
        F.eq(st, 429, "still throttled")
        F.check(int({k.lower(): v for k, v in hdrs.items()}.get("retry-after", "0")) > 0, "429 says when: %r" % hdrs)
        F.eq(body.get("error", {}).get("code"), "throttled", "the error's code: %r" % body)
        st, _, _ = srv.http("GET", "/api/status/H13.X01-261207-0001", headers={"X-Forwarded-For": "198.51.100.9"})
        F.eq(st, 404, "another address (named by the trusted proxy) is not throttled by the first")
        st, _, _ = srv.http("GET", "/api/catalogue")
        F.eq(st, 200, "the catalogue is not the status lookup")
    finally:
        stopped_cleanly(srv, "status_throttle")


# ============================================================ kills between two writes


def last_otp(srv):
    """The one-time password the latest start showed."""
    found = re.findall(r"one-time password (\S+)", open(srv.out).read())
    return found[-1] if found else None


def killed_between_writes():
    """A kill between an account's commit and its password's (MOTCUA_CRASH_POINT, test builds) never
    leaves an account nobody can log in to: the first administrator, an official added through the
    admin socket."""
    d = workdir("killed_first_start")
    srv = Server(MOTCUAD, d, env={"MOTCUA_CRASH_POINT": "first_start"}, wrapper=WRAPPER)
    try:
        srv.start()
        F.check(False, "the crash point first_start was not reached (a release build?)")
        srv.stop()
        return
    except RuntimeError:
        pass  # killed during its first start, as intended
    srv.env = None
    srv.proc = None
    srv.start()
    try:
        otp = last_otp(srv)
        st, body, _ = srv.http("POST", "/api/login", {"id": "admin", "password": otp or "-"})
        F.eq(st, 200, "after a kill during the first start, the administrator shown at the next start logs in: %r"
             % body)
    finally:
        stopped_cleanly(srv, "killed_first_start")

    d = workdir("killed_user_add")
    srv = Server(MOTCUAD, d, env={"MOTCUA_CRASH_POINT": "user_add"}, wrapper=WRAPPER).start()
    try:
        srv.admin("user_add", account="lan.nt", name="Nguyễn Thị Lan", roles=["reception"], agency="H13.X01")
    except Exception:
        pass  # the server was killed while it answered
    F.check(srv.proc.wait(10) is not None, "the crash point user_add killed the server")
    srv.proc = None
    srv.env = None
    srv.start()
    try:
        r = srv.admin("user_add", account="lan.nt", name="Nguyễn Thị Lan", roles=["reception"], agency="H13.X01")
        F.check(r.get("ok") and r.get("one_time_password"), "the same user_add again succeeds: %r" % r)
        if r.get("ok"):
            st, body, _ = srv.http("POST", "/api/login", {"id": "lan.nt", "password": r["one_time_password"]})
            F.eq(st, 200, "and its one-time password logs in: %r" % body)
    finally:
        stopped_cleanly(srv, "killed_user_add")


# ============================================================ connections


def raw_ws(port, rcvbuf=None):
    """A WebSocket opened by hand over a plain socket (the handshake, then nothing read)."""
    s = socket.socket()
    if rcvbuf:  # a small window: the server's writes choke soon
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        head += chunk
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise ConnectionError("no upgrade: %r" % head[:80])
    return s


def idle_sockets_from(addr, port, n):
    """n TCP connections from a local address (127.0.0.x) that say nothing."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind((addr, 0))
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            socks.append(s)
        except OSError:
            s.close()
    return socks


def closed_by_server(s, wait):
    """Whether the server closes the socket within `wait` seconds (it sent nothing)."""
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def silent_sockets():
    """Every accepted socket counts against its address and the total from accept, and one that
    sends no headers is closed after a short deadline: idle sockets from one host cannot stop other
    clients."""
    srv = server("silent_sockets", "max_connections = 60\nmax_per_address = 20\nheader_seconds = 3\n")
    try:
        socks = idle_sockets_from("127.0.0.2", srv.port, 40)
        time.sleep(0.5)
        open_ = [s for s in socks if not closed_by_server(s, 0.05)]
        F.check(len(open_) <= 20, "at most max_per_address silent sockets stay open from one address: %d" % len(open_))
        st, _, _ = srv.http("GET", "/healthz")
        F.eq(st, 200, "another address is served while they are open")
        t = time.time()
        F.check(all(closed_by_server(s, 6) for s in open_), "silent sockets are closed after the header deadline")
        F.check(time.time() - t < 6, "within the deadline and a little: %.1f s" % (time.time() - t))
        for s in socks:
            s.close()
        # a header sent a byte at a time (slowloris) meets the same deadline
        s = socket.create_connection(("127.0.0.1", srv.port))
        t, closed = time.time(), False
        for ch in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 20:
            try:
                s.send(bytes([ch]))
            except OSError:
                closed = True
                break
            if closed_by_server(s, 0.5):
                closed = True
                break
        F.check(closed and time.time() - t < 6, "a header trickled in is cut at the deadline (%.1f s)" % (time.time() - t))
        s.close()
        # the closed sockets were uncounted: the address may open as many again
        again = idle_sockets_from("127.0.0.2", srv.port, 20)
        time.sleep(0.3)
        F.eq(sum(1 for x in again if not closed_by_server(x, 0.05)), 20, "the count came down as they closed")
        for x in again:
            x.close()
        st, _, _ = srv.http("GET", "/healthz")
        F.eq(st, 200, "the server serves on")
    finally:
        stopped_cleanly(srv, "silent_sockets")


def hello_deadline():
    """A WebSocket that never says hello is closed after hello_seconds, and such sockets have a small
    share of the connections."""
    srv = server("hello_deadline", "hello_seconds = 3\nmax_connections = 40\n")
    try:
        tok = applicant(srv, "001090000061")

        async def run():
            idle = await Client.open(srv)
            authed = await Client.open(srv, tok)
            t = time.time()
            await asyncio.wait_for(idle.closed.wait(), 8)
            F.check(idle.closed.is_set() and time.time() - t < 6, "the socket without hello is closed (%.1f s)"
                    % (time.time() - t))
            r = await authed.request("ping")
            F.check(r.get("ok"), "the one that said hello stays")
            # a small share: at most a tenth of max_connections wait for their hello
            waiting = []
            for _ in range(10):
                try:
                    waiting.append(await Client.open(srv))
                except Exception:
                    break
            F.check(len(waiting) <= 4, "at most max_connections / 10 sockets wait for hello: %d" % len(waiting))
            for c in waiting + [authed]:
                await c.close()

        asyncio.run(run())
    finally:
        stopped_cleanly(srv, "hello_deadline")


def masked_text(payload):
    """A client's text frame (masked, as RFC 6455 requires)."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    n = len(payload)
    head = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0x80 | 126, n >> 8, n & 0xff])
    return head + mask + body


def never_reads():
    """A client that sends and never reads: once its queue is full it is closed, and from then on
    nothing it sends is worked on, even while the close waits for a socket that never drains (big
    replies fill the socket's buffers: an unknown field's name is echoed in the error)."""
    srv = server("never_reads", "max_queued = 64\n")
    try:
        s = raw_ws(srv.port, rcvbuf=4096)
        s.setblocking(False)
        frame = masked_text(b'{"op":"ping","id":"p","' + b'f' * 30000 + b'":1}')
        sent, deadline = 0, time.time() + 4
        while time.time() < deadline and sent < 200000:
            try:
                s.send(frame)
                sent += 1
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break
        time.sleep(0.5)
        st, m, _ = srv.http("GET", "/metrics")
        pings = [l for l in m.splitlines() if l.startswith('motcua_commands_total{op="ping",outcome="bad_request"}')]
        done = int(pings[0].split()[1]) if pings else 0
        F.check(done <= 1000, "the server stopped reading: %d requests worked on of %d sent" % (done, sent))
        print("never_reads: %d requests worked on of %d sent" % (done, sent))
        s.close()
        st, _, _ = srv.http("GET", "/healthz")
        F.eq(st, 200, "the server serves on")
    finally:
        stopped_cleanly(srv, "never_reads")


# ============================================================ protocol hygiene


def raw_http(port, data, wait=5.0):
    """Sends raw bytes; returns (status or None, everything read until the server closed or `wait` passed,
    whether it closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        s.sendall(data)
    except OSError:
        pass
    got, closed, deadline = b"", False, time.time() + wait
    while time.time() < deadline:
        try:
            s.settimeout(max(0.05, deadline - time.time()))
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        got += chunk
    s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", got)
    return (int(m.group(1)) if m else None), got, closed


def http_smuggling_and_odd_requests():
    """Requests a proxy and motcuad could read differently are refused with 400 and the connection
    closed: two Content-Length headers, Content-Length with Transfer-Encoding, a chunked body, a
    negative length, no Host.  HEAD answers without a body."""
    srv = server("http_hygiene")
    port = srv.port
    body = b'{"id":"a","password":"b"}'
    try:
        cases = [
            ("two Content-Length", b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 25\r\nContent-Length: 5\r\n\r\n" + body),
            ("Content-Length with Transfer-Encoding", b"POST /api/login HTTP/1.1\r\nHost: x\r\n"
             b"Content-Type: application/json\r\nContent-Length: 25\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"19\r\n" + body + b"\r\n0\r\n\r\n"),
            ("a chunked body", b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n19\r\n" + body + b"\r\n0\r\n\r\n"),
            ("a negative length", b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: -1\r\n\r\n" + body),
            ("no Host", b"GET /healthz HTTP/1.1\r\n\r\n"),
        ]
        for what, data in cases:
            st, got, closed = raw_http(port, data)
            F.eq(st, 400, "%s: 400 (%r)" % (what, got[:120]))
            F.check(closed, "%s: the connection is closed after the answer" % what)
        st, got, closed = raw_http(port, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", wait=2)
        head, _, rest = got.partition(b"\r\n\r\n")
        F.check(st is not None and not rest, "HEAD answers with no body: %r" % got[:200])
        st, _, _ = srv.http("GET", "/healthz")
        F.eq(st, 200, "the server serves on")
    finally:
        stopped_cleanly(srv, "http_hygiene")


def http_oversized():
    """What libwebsockets 4.1.6 does before any callback, where motcuad cannot answer (documented in
    docs/OPERATIONS.md, "Limits"; the reverse proxy stops them first): an oversized header, URL or
    header count, and a NUL in the path, close the connection without an answer; CONNECT is held
    until lws's timeout.  None of them stops the server serving others."""
    srv = server("http_oversized")
    port = srv.port
    try:
        cases = [
            ("a 1 MB header", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n"),
            ("10,000 headers", b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 10000 + b"\r\n"),
            ("a 1 MB URL", b"GET /api/status/" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
            ("a NUL in the path", b"GET /api/status/H13%00.X01 HTTP/1.1\r\nHost: x\r\n\r\n"),
        ]
        for what, data in cases:
            t = time.time()
            st, got, closed = raw_http(port, data, wait=5)
            F.check(closed or (st is not None and st >= 400), "%s: refused or closed, not held: %r" % (what, got[:120]))
            print("http_oversized: %s -> %s, %s after %.1f s" % (what, st, "closed" if closed else "open",
                                                                  time.time() - t))
        # CONNECT reaches no callback: lws holds the socket until its own timeout (timeout_secs, 20 s).
        # Others are served meanwhile; the reverse proxy refuses CONNECT (docs/OPERATIONS.md).
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        for h in held:
            h.sendall(b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n")
        st, _, _ = srv.http("GET", "/healthz")
        F.eq(st, 200, "the server serves on, 20 CONNECTs held meanwhile")
        for h in held:
            h.close()
    finally:
        stopped_cleanly(srv, "http_oversized")


def ws_unmasked_frames():
    """RFC 6455 5.1 requires a server to close a connection whose client frames are not masked;
    libwebsockets 4.1.6 exposes no mask bit and answers them.  This documents it (docs/OPERATIONS.md,
    "Limits"): when lws starts refusing them, this fails and the docs change."""
    srv = server("ws_unmasked")
    try:
        s = raw_ws(srv.port)
        p = b'{"op":"ping","id":"u"}'
        s.sendall(bytes([0x81, len(p)]) + p)
        s.settimeout(3)
        try:
            got = s.recv(4096)
        except OSError:
            got = b""
        s.close()
        F.check(b'"id":"u"' in got, "lws 4.1.6 answers an unmasked client frame (documented): %r" % got)
    finally:
        stopped_cleanly(srv, "ws_unmasked")


# ============================================================ start-up, shutdown and health


def start_fails(srv, what, want_in_output):
    """Starts a server that must not start: it exits non-zero (not a crash) with a clear message, and
    writes no ready file."""
    srv.write_config()
    out = open(srv.out, "a")
    p = subprocess.Popen(srv.wrapper + [srv.motcuad, "--config", srv.config, "--ready-file", srv.ready] + srv.args,
                         stdout=out, stderr=subprocess.STDOUT)
    try:
        rc = p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        F.check(False, "%s: motcuad kept running instead of exiting" % what)
        return
    text = open(srv.out).read()
    F.check(rc not in (0, -11, 139) and rc > 0, "%s: exits with a documented non-zero status, got %d" % (what, rc))
    F.check(not (os.path.exists(srv.ready) and open(srv.ready).read().strip()),
            "%s: no ready file (nothing listens)" % what)
    F.check(want_in_output in text, "%s: says %r: %s" % (what, want_in_output, text[-400:]))
    F.check("listening on" not in text, "%s: does not say it listens" % what)


def second_server():
    """A second motcuad on a data directory in use exits cleanly, saying so."""
    first = server("second_server")
    try:
        other = Server(MOTCUAD, workdir("second_server_b"), wrapper=WRAPPER)
        other.data = first.data
        start_fails(other, "a second server on the same data", "open for writing by another process")
        st, body, _ = first.http("GET", "/healthz")
        F.eq(st, 200, "the first server serves on: %r" % body)
    finally:
        stopped_cleanly(first, "second_server")


def port_in_use():
    """A port another program holds: motcuad says so and exits, holding nothing."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        srv = Server(MOTCUAD, workdir("port_in_use"), wrapper=WRAPPER)
        srv.config_extra = "listen = 127.0.0.1:%d\n" % port
        start_fails(srv, "a port in use", "cannot listen on 127.0.0.1:%d" % port)
        again = server("port_in_use_after")
        again.stop()
    finally:
        holder.close()


def admin_socket_unbindable():
    """An admin socket that cannot be bound: a clear message, a clean exit."""
    srv = Server(MOTCUAD, workdir("admin_socket_unbindable"), wrapper=WRAPPER)
    srv.config_extra = "admin_socket = /nonexistent/motcuad.sock\n"
    start_fails(srv, "an admin socket in a missing folder", "/nonexistent/motcuad.sock")


def tmpfs(d, size, scenario):
    """A tmpfs of `size` mounted in d/mnt, or None (said) where none can be mounted."""
    mnt = os.path.join(d, "mnt")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=755" % size, "tmpfs", mnt],
                      capture_output=True).returncode != 0:
        print("%s: skipped (cannot mount a tmpfs here)" % scenario)
        return None
    return mnt


def read_only_data():
    """A data directory on a read-only file system: a clear message and a clean exit (tmpfs, skipped
    where none can be mounted)."""
    d = workdir("read_only_data")
    mnt = tmpfs(d, "64m", "read_only_data")
    if mnt is None:
        return
    try:
        srv = Server(MOTCUAD, d, wrapper=WRAPPER)
        srv.data = os.path.join(mnt, "data")
        srv.start()
        srv.stop()
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        again = Server(MOTCUAD, workdir("read_only_data_again"), wrapper=WRAPPER)
        again.data = srv.data
        start_fails(again, "a read-only data directory", "Read-only file system")
    finally:
        subprocess.run(["umount", "-l", mnt])


def data_dir_mode():
    """An existing data directory is made private (700): it holds the sessions and the log."""
    d = workdir("data_dir_mode")
    data = os.path.join(d, "data")
    os.makedirs(data)
    os.chmod(data, 0o755)
    srv = Server(MOTCUAD, d, wrapper=WRAPPER).start()
    try:
        F.eq(oct(os.stat(data).st_mode & 0o777), oct(0o700), "the data directory's mode")
    finally:
        stopped_cleanly(srv, "data_dir_mode")


def disk_full():
    """A full disk is reported as such (no space left), to the client and in the log; /healthz says
    failing while commits fail and ok once they succeed again."""
    d = workdir("disk_full")
    mnt = tmpfs(d, "24m", "disk_full")
    if mnt is None:
        return
    try:
        srv = Server(MOTCUAD, d, wrapper=WRAPPER)
        srv.data = os.path.join(mnt, "data")
        srv.start()
        try:
            tok = applicant(srv, "001090000051")
            filler = os.path.join(mnt, "filler")
            with open(filler, "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * (1 << 20))
                        f.flush()
                        os.fsync(f.fileno())
                except OSError:
                    pass

            async def run():
                c = await Client.open(srv, tok)
                errors = []
                for i in range(40):
                    r = await submit(c, "full-%d" % i)
                    if not r.get("ok"):
                        errors.append(r["error"])
                        break
                F.check(errors, "a full disk refuses a submission")
                if errors:
                    F.check("no space" in errors[0].get("message_en", ""), "the client is told: no space: %r" % errors[0])
                    F.eq(errors[0].get("code"), "unavailable", "the code of a full disk")
                st, body, _ = srv.http("GET", "/healthz")
                F.eq((st, body.get("status") if isinstance(body, dict) else body), (503, "failing"),
                     "/healthz while commits fail")
                os.unlink(filler)
                r = await submit(c, "after-space")
                F.check(r.get("ok"), "with space again, commits succeed: %r" % r)
                st, body, _ = srv.http("GET", "/healthz")
                F.eq(st, 200, "/healthz is ok again once a commit succeeds: %r" % body)
                await c.close()

            asyncio.run(run())
            log = open(srv.out).read()
            F.check("no space left" in log.lower(), "the log says no space left")
        finally:
            stopped_cleanly(srv, "disk_full")
    finally:
        subprocess.run(["umount", "-l", mnt])


SCENARIOS = {"assign": assign, "logout_short_bearer": logout_short_bearer, "submission_flood": submission_flood,
             "status_throttle": status_throttle, "second_server": second_server, "port_in_use": port_in_use,
             "admin_socket_unbindable": admin_socket_unbindable, "data_dir_mode": data_dir_mode,
             "disk_full": disk_full, "never_reads": never_reads,
             "http_denials_name_the_address": http_denials_name_the_address,
             "killed_between_writes": killed_between_writes,
             "http_smuggling_and_odd_requests": http_smuggling_and_odd_requests, "http_oversized": http_oversized,
             "ws_unmasked_frames": ws_unmasked_frames, "silent_sockets": silent_sockets,
             "hello_deadline": hello_deadline, "read_only_data": read_only_data}
# Under valgrind: the inputs whose faults ASan cannot see (a fixed budget: each a few seconds natively).
FOR_VALGRIND = ["logout_short_bearer"]

if __name__ == "__main__":
    run_scenarios(SCENARIOS, F, ROOT, args[2:] or (FOR_VALGRIND if VALGRIND else list(SCENARIOS)), lines=25)
