#!/usr/bin/python3
"""test_server.py — the real motcuad on loopback, driven as its clients drive it.

  test_server.py MOTCUAD MAIL_SINK [SCENARIO...]

Scenarios (all by default): registration, lifecycle, resume, access, bad_input,
throttle, idempotency, status, disable, crash, tls.  Each starts its own server
on a fresh data directory (or shares one where it says so).  Prints what failed
and exits 1 if anything did.
"""
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import msgpack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motcua_client import workdirs, BIRTH_FORM, PASSWORD, WAIT, Client, Failures, MailSink, Server, run_scenarios, applicant, officials, submit, walk_in  # noqa: E402,E501

MOTCUAD, MAIL_SINK = sys.argv[1], sys.argv[2]
F = Failures()
ROOT, workdir = workdirs("motcuad-test-")



# ============================================================ scenarios


def registration():
    """An applicant registers online, receives the code by e-mail, verifies, logs in; a reset works."""
    d = workdir("registration")
    sink = MailSink(MAIL_SINK, d)
    try:
        srv = Server(MOTCUAD, d, sink.config()).start()
        try:
            body = {"kind": "person", "id": "001090001234", "name": "Nguyễn Văn An", "email": "an@example.vn",
                    "password": PASSWORD}
            st, r, _ = srv.http("POST", "/api/register", body)
            F.eq(st, 202, "register answers 202")

            def code_in_mail():
                found = re.search(r"\b(\d{6})\b", sink.take("an@example.vn") or "")
                return found.group(1) if found else None

            code = code_in_mail()
            if not F.check(code is not None, "the verification code arrives by e-mail"):
                return
            st, r, _ = srv.http("POST", "/api/login", {"id": "001090001234", "password": PASSWORD})
            F.eq(st, 401, "no login before the code is verified")
            wrong = "000000" if code != "000000" else "111111"
            st, r, _ = srv.http("POST", "/api/verify", {"id": "001090001234", "code": wrong})
            F.eq(st, 422, "a wrong code is refused")
            st, r, _ = srv.http("POST", "/api/verify", {"id": "001090001234", "code": code})
            F.eq(st, 201, "the right code creates the account")
            st, r, _ = srv.http("POST", "/api/register", body)
            F.eq(st, 202, "registering twice is answered as the first time (test_edges.py register_existing)")
            F.check(sink.take("an@example.vn") is not None, "the account is told of it")
            tok = srv.login("001090001234", PASSWORD)
            F.eq(tok["roles"], ["applicant"], "a registered applicant has the applicant role")
            F.eq(tok["must_change_password"], False, "a self-chosen password need not change")
            # The account is in the legal record.
            st, r, _ = srv.http("POST", "/api/password/reset", {"id": "001090001234"})
            F.eq(st, 202, "a reset sends a code")
            st, r, _ = srv.http("POST", "/api/password/reset", {"id": "009999999999"})
            F.eq(st, 202, "a reset of an unknown account answers the same")
            code = code_in_mail()
            F.check(code is not None, "the reset code arrives by e-mail")
            st, r, _ = srv.http("POST", "/api/password/reset/confirm",
                                {"id": "001090001234", "code": code, "password": "mật khẩu mới cũng dài"})
            F.eq(st, 200, "the reset sets the new password")
            st, r, _ = srv.http("POST", "/api/login", {"id": "001090001234", "password": PASSWORD})
            F.eq(st, 401, "the old password no longer works")
            srv.login("001090001234", "mật khẩu mới cũng dài")

            async def old_session():
                try:
                    await Client.open(srv, tok["token"])
                    return True
                except RuntimeError:
                    return False
            F.check(not asyncio.run(old_session()), "a reset revokes the sessions")
        finally:
            F.eq(srv.stop(), 0, "registration: motcuad stops cleanly on SIGTERM")
    finally:
        sink.stop()


def lifecycle():
    """A birth registration from submission to return, by an applicant (JSON) and officials (msgpack)
    on separate connections, the applicant receiving every change live."""
    srv = Server(MOTCUAD, workdir("lifecycle")).start()
    try:
        toks = officials(srv)
        app_tok = applicant(srv, "001090000001")

        async def run():
            app = await Client.open(srv, app_tok)
            rec = await Client.open(srv, toks["le.tan"], binary=True, header_token=True)
            spe = await Client.open(srv, toks["chuyen.vien"], binary=True)
            lea = await Client.open(srv, toks["chu.tich"])
            r = await app.request("subscribe", scope="mine")
            F.check(r.get("ok"), "the applicant subscribes to their dossiers: %r" % r)
            await app.pushes_until(lambda p: p["push"] == "caught_up")
            r = await rec.request("subscribe", scope="agency", step="reception")
            F.check(r.get("ok"), "reception subscribes to its inbox")
            await rec.pushes_until(lambda p: p["push"] == "caught_up")
            r = await submit(app, "sub-1")
            if not F.check(r.get("ok"), "the applicant submits: %r" % r):
                return
            code = r["dossier"]
            F.eq(r["version"], 1, "a new dossier is at version 1")
            p = await rec.push()
            F.eq((p["dossier"], p["type"], p["state"]), (code, "dossier.submitted", "submitted"),
                 "reception sees the new dossier live (msgpack)")
            p = await app.push()
            F.eq(p["type"], "dossier.submitted", "the applicant sees the submission")
            version = p["version"]
            steps = [(rec, "accept", "reception", "dossier.accepted"),
                     (spe, "approve", "specialist", "dossier.approved"),
                     (lea, "approve", "leader", "dossier.approved"),
                     (rec, "return_result", "reception", "dossier.returned")]
            for i, (c, action, role, etype) in enumerate(steps):
                r = await c.request("act", command_id="act-%d" % i, dossier=code, expected_version=version,
                                    action=action)
                if not F.check(r.get("ok"), "%s %s: %r" % (role, action, r)):
                    return
                F.eq(r["version"], version + 1, "%s moves the dossier one version" % action)
                p = await app.push()
                F.eq((p["seq"], p["type"], p["version"]), (r["seq"], etype, version + 1),
                     "the applicant sees %s live, with the reply's seq" % action)
                version = r["version"]
            F.eq(p["state"], "returned", "the dossier ends returned")
            r = await app.request("get", dossier=code)
            F.eq(r["dossier"]["state"], "returned", "get shows the final state")
            F.check(r["dossier"]["appointment_at"] > 0, "the appointment was set at acceptance")
            r = await app.request("rate", command_id="rate-1", dossier=code, rating=5, comment="Nhanh, chu đáo")
            F.check(r.get("ok"), "the applicant rates the service: %r" % r)
            # One dossier's history from the start, through its stream, then live.
            r = await lea.request("subscribe", scope="dossier", dossier=code, after=0)
            got = await lea.pushes_until(lambda p: p["push"] == "caught_up" and p["subscription"] == r["subscription"])
            mine = [p["type"] for p in got if p["push"] == "event" and p["subscription"] == r["subscription"]]
            F.eq(mine, ["dossier.submitted", "dossier.accepted", "dossier.approved", "dossier.approved",
                        "dossier.returned", "dossier.rated"], "a dossier's subscription replays its events in order")
            for c in (app, rec, spe, lea):
                await c.close()

        asyncio.run(run())
        st, r, _ = srv.http("GET", "/metrics")
        F.check('motcua_commands_total{op="act",outcome="ok"} 4' in r, "metrics count the actions")
        F.check('motcua_dossiers{state="returned"} 1' in r, "metrics count dossiers by state")
        F.check("motcua_commit_seconds_bucket" in r, "metrics have the commit latency histogram")
        F.check("motcua_pushes_read_back_total 0\n" in r and "motcua_pushes_total " in r,
                "every push came from the writer's hand-over of its batches, none read back from the log")
    finally:
        F.eq(srv.stop(), 0, "lifecycle: motcuad stops cleanly")


def resume():
    """A client that reconnects with the last seq it saw gets every event after it, once, in order, then live."""
    srv = Server(MOTCUAD, workdir("resume")).start()
    try:
        toks = officials(srv)
        app_tok = applicant(srv, "001090000002")

        async def run():
            app = await Client.open(srv, app_tok)
            await app.request("subscribe", scope="mine", after=0)
            await app.pushes_until(lambda p: p["push"] == "caught_up")
            codes = []
            for i in range(3):
                r = await submit(app, "r-%d" % i)
                codes.append(r["dossier"])
            seen = [(await app.push())["seq"] for _ in range(3)]
            last = seen[-1]
            await app.close()
            rec = await Client.open(srv, toks["le.tan"])
            acted = []
            for i, code in enumerate(codes):
                r = await rec.request("act", command_id="acc-%d" % i, dossier=code, expected_version=1, action="accept")
                acted.append(r["seq"])
            app = await Client.open(srv, app_tok)
            r = await app.request("subscribe", scope="mine", after=last)
            got = await app.pushes_until(lambda p: p["push"] == "caught_up")
            events = [p["seq"] for p in got if p["push"] == "event"]
            F.eq(events, acted, "the missed events come once, in order, before caught_up")
            F.eq(got[-1]["seq"], r["head"], "caught_up names the head")
            r2 = await rec.request("act", command_id="acc-live", dossier=codes[0], expected_version=2, action="approve",
                                   role="reception")
            F.eq(r2.get("error", {}).get("code"), "forbidden", "reception cannot approve in the specialist's step")
            spe = await Client.open(srv, toks["chuyen.vien"])
            r3 = await spe.request("act", command_id="live-1", dossier=codes[0], expected_version=2, action="approve")
            p = await app.push()
            F.eq((p["seq"], p["dossier"]), (r3["seq"], codes[0]), "then live events follow")
            # From the very start: everything of the applicant's, nothing of anyone else's.
            r = await app.request("subscribe", scope="mine", after=0)
            got = await app.pushes_until(lambda p: p["push"] == "caught_up" and p["subscription"] == r["subscription"])
            mine = [p for p in got if p["push"] == "event" and p["subscription"] == r["subscription"]]
            F.eq(len(mine), 3 + 3 + 1, "subscribing from 0 replays all seven events of the applicant's dossiers")
            F.check(all(p["dossier"] in codes for p in mine), "only the applicant's own dossiers")
            seqs = [p["seq"] for p in mine]
            F.eq(seqs, sorted(set(seqs)), "in order, no duplicate")
            for c in (app, rec, spe):
                await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "resume: motcuad stops cleanly")


def access():
    """The access rules as a matrix: each role x each action x own / other agency or dossier."""
    srv = Server(MOTCUAD, workdir("access")).start()
    try:
        toks = officials(srv)
        a_tok = applicant(srv, "001090000003", "Trần Thị Bình")
        b_tok = applicant(srv, "001090000004", "Lê Văn Cường")
        otp = srv.add_user("moi.vao", "Cán bộ mới", ["reception"], "H13.X01")
        fresh = srv.login("moi.vao", otp)["token"]

        async def run():
            a = await Client.open(srv, a_tok)
            r = await submit(a, "a-1")
            code = r["dossier"]
            clients = {"applicant_own": a, "applicant_other": await Client.open(srv, b_tok)}
            for acct in ("le.tan", "chuyen.vien", "chu.tich", "le.tan.x02", "kiem.toan", "buu.ta"):
                clients[acct] = await Client.open(srv, toks[acct])
            # reads
            expect_get = {"applicant_own": True, "applicant_other": False, "le.tan": True, "chuyen.vien": True,
                          "chu.tich": True, "le.tan.x02": False, "kiem.toan": True, "buu.ta": True}
            for who, ok in expect_get.items():
                r = await clients[who].request("get", dossier=code)
                F.eq(bool(r.get("ok")), ok, "get by %s" % who)
                if not ok:
                    F.eq(r["error"]["code"], "forbidden", "get by %s is forbidden" % who)
            # actions at the reception step: only H13.X01's reception may accept
            matrix = [("applicant_own", "accept", "forbidden"), ("applicant_other", "accept", "forbidden"),
                      ("chuyen.vien", "accept", "forbidden"), ("chu.tich", "accept", "forbidden"),
                      ("le.tan.x02", "accept", "forbidden"), ("kiem.toan", "accept", "forbidden"),
                      ("buu.ta", "accept", "forbidden"), ("applicant_other", "withdraw", "forbidden"),
                      ("le.tan.x02", "withdraw", "forbidden")]
            for who, action, want in matrix:
                if action == "withdraw":
                    r = await clients[who].request("withdraw", command_id="w-" + who, dossier=code, expected_version=1)
                else:
                    r = await clients[who].request("act", command_id="x-" + who, dossier=code, expected_version=1,
                                                   action=action)
                F.eq(r.get("error", {}).get("code"), want, "%s %s on another's dossier or step" % (who, action))
            # what a page shows: the refusal's key and its Vietnamese text (docs/PROTOCOL.md, "Errors")
            r = await a.request("act", command_id="y-own", dossier=code, expected_version=1, action="accept")
            e = r.get("error", {})
            F.eq((e.get("code"), e.get("key")), ("forbidden", "step_role"), "the applicant's accept is a step_role denial")
            F.check("Bước «reception»" in e.get("message_vi", ""), "its Vietnamese names the step: %r" % e)
            r = await clients["le.tan"].request("act", command_id="y-stale", dossier=code, expected_version=9,
                                                action="accept")
            e = r.get("error", {})
            F.eq((e.get("code"), e.get("key")), ("conflict", "version_stale"), "a stale version is a conflict: %r" % e)
            F.check(code in e.get("message_vi", "") and "vui lòng tải lại" in e.get("message_vi", ""),
                    "its Vietnamese names the dossier and what to do: %r" % e)
            r = await clients["kiem.toan"].request("submit", command_id="k-1", procedure="1.001193", agency="H13.X01",
                                                   form=BIRTH_FORM)
            F.eq(r.get("error", {}).get("code"), "forbidden", "an auditor changes nothing")
            r = await clients["le.tan.x02"].request("submit", command_id="d-1", procedure="1.001193", agency="H13.X01",
                                                    form=BIRTH_FORM, channel="desk")
            F.eq(r.get("error", {}).get("code"), "forbidden", "reception of X02 cannot file at X01's desk")
            r = await clients["le.tan"].request("submit", command_id="d-2", procedure="1.001193", agency="H13.X01",
                                                form=BIRTH_FORM, channel="desk", owner="001090000099",
                                                applicant=walk_in("001090000099"))
            F.check(r.get("ok"), "reception files at its own desk: %r" % r)
            r = await a.request("submit", command_id="a-desk", procedure="1.001193", agency="H13.X01",
                                form=BIRTH_FORM, channel="desk")
            F.eq(r.get("error", {}).get("code"), "forbidden", "an applicant files online only")
            r = await clients["le.tan"].request("act", command_id="acc", dossier=code, expected_version=1,
                                                action="accept", role="leader")
            F.eq(r.get("error", {}).get("code"), "forbidden", "an official cannot act in a role they do not hold")
            # subscriptions
            for who, scope, want in [("applicant_own", "agency", "forbidden"), ("le.tan", "mine", "forbidden"),
                                     ("le.tan", "all", "forbidden"), ("applicant_other", "all", "forbidden")]:
                r = await clients[who].request("subscribe", scope=scope)
                F.eq(r.get("error", {}).get("code"), want, "%s subscribing to %s" % (who, scope))
            r = await clients["le.tan.x02"].request("subscribe", scope="agency", agency="H13.X01")
            F.eq(r.get("error", {}).get("code"), "forbidden", "an official subscribes only to their own agency")
            r = await clients["applicant_other"].request("subscribe", scope="dossier", dossier=code)
            F.eq(r.get("error", {}).get("code"), "forbidden", "nobody subscribes to another's dossier")
            r = await clients["kiem.toan"].request("subscribe", scope="all", after=0)
            F.check(r.get("ok"), "the auditor subscribes to everything")
            got = await clients["kiem.toan"].pushes_until(lambda p: p["push"] == "caught_up")
            F.check(len([p for p in got if p["push"] == "event"]) >= 2, "the auditor sees every dossier")
            # the multi-agency branch: the post office reads the dossiers that reach it (step at H13.BD)
            # without a session
            anon = await Client.open(srv)
            r = await anon.request("submit", command_id="n-1", procedure="1.001193", agency="H13.X01", form=BIRTH_FORM)
            F.eq(r.get("error", {}).get("code"), "unauthenticated", "no session, no command")
            r = await anon.request("hello", token="x" * 43)
            F.eq(r.get("error", {}).get("code"), "unauthenticated", "an unknown token is refused")
            # a one-time password session may only change it
            f = await Client.open(srv, fresh)
            r = await f.request("get", dossier=code)
            F.eq(r.get("error", {}).get("code"), "password_change_required", "a one-time password must change first")
            for c in list(clients.values()) + [anon, f]:
                await c.close()

        asyncio.run(run())
        st, r, _ = srv.http("GET", "/metrics")
        F.check("motcua_access_denied_total{op=\"act\"}" in r, "denials are counted in the metrics")
        log = open(srv.out).read()
        F.check("denied act to" in log, "denials are logged")
        F.check(not any("denied" in line and "is at version 1, not 9" in line for line in log.splitlines()),
                "a conflict is not logged as a denial")
    finally:
        F.eq(srv.stop(), 0, "access: motcuad stops cleanly")


def bad_input():
    """Malformed messages get a precise error; the connection stays usable; nothing is written."""
    srv = Server(MOTCUAD, workdir("bad"), "max_frame = 16384\nmax_body = 4096\n").start()
    try:
        app_tok = applicant(srv, "001090000005")

        async def run():
            c = await Client.open(srv, app_tok)
            head = (await c.request("ping"))["seq"]
            cases = [
                ("{not json", None, "bad_request", "malformed JSON"),
                (b"\xc1\x00", None, "bad_request", "malformed msgpack"),
                (msgpack.packb([1, 2]), None, "bad_request", "a message is an object"),
                (json.dumps({"op": "ping"}), None, "bad_request", "an \"id\""),
                (json.dumps({"id": "u", "op": "fly"}), "u", "bad_request", "unknown operation"),
                (json.dumps({"id": "t", "op": "submit", "command_id": 5, "procedure": "1.001193", "agency": "H13.X01",
                             "form": {}}), "t", "bad_request", "command_id"),
                (json.dumps({"id": "m", "op": "submit", "command_id": "m", "agency": "H13.X01", "form": {}}), "m",
                 "bad_request", "procedure"),
                (json.dumps({"id": "f", "op": "submit", "command_id": "f", "procedure": "1.001193",
                             "agency": "H13.X01", "form": {"child_name": [1]}}), "f", "bad_request", "form.child_name"),
                (json.dumps({"id": "k", "op": "get", "dossier": "X", "dosier": "Y"}), "k", "bad_request",
                 "unknown field"),
                (json.dumps({"id": "v", "op": "act", "command_id": "v", "dossier": "X", "action": "accept",
                             "expected_version": -1}), "v", "bad_request", "expected_version"),
                (json.dumps({"id": "big", "op": "ping", "pad": "x" * 20000}), None, "too_large", "max_frame"),
                (json.dumps({"id": "vf", "op": "submit", "command_id": "vf", "procedure": "1.001193",
                             "agency": "H13.X01", "form": {"child_name": "A"}}), "vf", "refused", ""),
                (json.dumps({"id": "np", "op": "submit", "command_id": "np", "procedure": "9.999999",
                             "agency": "H13.X01", "form": {}}), "np", None, ""),
            ]
            for data, rid, code, words in cases:
                r = await c.raw_request(data, rid)
                err = r.get("error", {})
                if code:
                    F.eq(err.get("code"), code, "bad input %r" % (data[:40],))
                else:
                    F.check(err.get("code") in ("refused", "not_found", "forbidden"), "refused: %r" % err)
                F.check(words in err.get("message_en", ""), "the error says what: %r has %r" % (err.get("message_en"), words))
                F.eq(r.get("ok"), False, "ok is false")
            r = await c.request("ping")
            F.eq(r["seq"], head, "nothing was written by bad input, and the connection still works")
            await c.close()

        asyncio.run(run())
        st, r, _ = srv.http("POST", "/api/login", raw=b"{bad")
        F.eq((st, r["error"]["code"]), (400, "bad_request"), "HTTP: malformed JSON body")
        st, r, _ = srv.http("POST", "/api/login", raw=b"{" + b" " * 6000 + b"}")
        F.eq((st, r["error"]["code"]), (413, "too_large"), "HTTP: a body over max_body")
        st, r, _ = srv.http("POST", "/api/login", {"id": 5, "password": "x"})
        F.eq((st, r["error"].get("field")), (400, "id"), "HTTP: a wrong type names the field")
        st, r, _ = srv.http("POST", "/api/login", raw=b'{"id": "x", "password": "y"}', headers={"Content-Type": "text/plain"})
        F.eq(st, 415, "HTTP: a body that is not application/json")
        st, r, _ = srv.http("GET", "/api/nothing")
        F.eq(st, 404, "HTTP: an unknown path")
        st, r, _ = srv.http("POST", "/api/register", {"kind": "person", "id": "12", "name": "A", "email": "a@b.vn",
                                                      "password": PASSWORD})
        F.eq((st, r["error"].get("field")), (400, "id"), "HTTP: a citizen id of 12 digits")
        st, r, _ = srv.http("GET", "/healthz")
        F.eq(st, 200, "healthy after all that")
    finally:
        F.eq(srv.stop(), 0, "bad_input: motcuad stops cleanly")


def throttle():
    srv = Server(MOTCUAD, workdir("throttle"), "login_failures = 3\nlock_minutes = 1\n").start()
    try:
        applicant(srv, "001090000006")
        for i in range(3):
            st, r, _ = srv.http("POST", "/api/login", {"id": "001090000006", "password": "wrong password %d" % i})
            F.eq(st, 401, "a wrong password")
        st, r, h = srv.http("POST", "/api/login", {"id": "001090000006", "password": PASSWORD})
        F.eq(st, 429, "locked after 3 failures, even with the right password")
        F.check(int(h.get("Retry-After", h.get("retry-after", "0"))) > 0, "Retry-After says when")
        F.check(r["error"].get("retry_after_ms", 0) > 0, "retry_after_ms says when")
        # Guesses sent all at once are counted as they arrive: no more than the limit are checked.
        applicant(srv, "001090000016")
        import concurrent.futures
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(lambda i: srv.http("POST", "/api/login", {"id": "001090000016",
                                                                          "password": "guess number %d" % i})[0],
                                  range(20)))
        F.eq(sorted(codes).count(401), 3, "20 guesses at once: 3 checked (login_failures), %r" % sorted(codes))
        F.eq(codes.count(429), 17, "the rest refused at once")
        # Only failures count against an address: a commune office behind one NAT logs in all day
        # (the address's limit here is 4 x 3 = 12).
        applicant(srv, "001090000026")
        codes = [srv.http("POST", "/api/login", {"id": "001090000026", "password": PASSWORD})[0] for _ in range(30)]
        F.eq(codes, [200] * 30, "30 right logins from one address: none locked out")
        # Without a trusted proxy, X-Forwarded-For is the client's own word: ignored.
        st, _, _ = srv.http("POST", "/api/login", {"id": "001090000026", "password": PASSWORD},
                            headers={"X-Forwarded-For": "198.51.100.9"})
        F.eq(st, 200, "X-Forwarded-For from an untrusted peer changes nothing")
    finally:
        F.eq(srv.stop(), 0, "throttle: motcuad stops cleanly")
    # Behind a trusted reverse proxy, each client's address is its own.
    srv = Server(MOTCUAD, workdir("proxy"), "login_failures = 3\nlock_minutes = 1\ntrusted_proxies = 127.0.0.1, ::1\n").start()
    try:
        ids = ["00109000003%d" % i for i in range(5)]
        for i in ids:
            applicant(srv, i)
        office = {"X-Forwarded-For": "10.9.9.9, 198.51.100.1"}  # the first hop is the client's own word
        for i in ids[:4]:
            for k in range(3):
                srv.http("POST", "/api/login", {"id": i, "password": "wrong %d" % k}, headers=office)
        st, _, _ = srv.http("POST", "/api/login", {"id": ids[4], "password": PASSWORD}, headers=office)
        F.eq(st, 429, "12 failures from one client address behind the proxy lock that address")
        st, _, _ = srv.http("POST", "/api/login", {"id": ids[4], "password": PASSWORD},
                            headers={"X-Forwarded-For": "198.51.100.2"})
        F.eq(st, 200, "another client behind the same proxy is not locked")
        st, _, _ = srv.http("POST", "/api/login", {"id": ids[4], "password": PASSWORD},
                            headers={"Forwarded": "for=\"[2001:db8::7]:443\";proto=https"})
        F.eq(st, 200, "the Forwarded header names a client too")
        st, _, _ = srv.http("POST", "/api/login", {"id": ids[4], "password": PASSWORD},
                            headers={"Forwarded": "for=198.51.100.1"})
        F.eq(st, 429, "the Forwarded header's client is the locked one")
    finally:
        F.eq(srv.stop(), 0, "proxy: motcuad stops cleanly")


def idempotency_and_status():
    srv = Server(MOTCUAD, workdir("idem")).start()
    try:
        tok = applicant(srv, "001090000007")

        async def run():
            c = await Client.open(srv, tok)
            r1 = await submit(c, "same")
            r2 = await submit(c, "same")
            F.eq((r2["dossier"], r2["version"], r2["repeated"]), (r1["dossier"], 1, True),
                 "a command sent twice is done once")
            await c.close()
            F.eq(r2.get("secret"), r1.get("secret"), "a retry gives the same receipt secret")
            return r1["dossier"], r1.get("secret", "")

        code, secret = asyncio.run(run())
        F.eq(len(secret), 8, "the receipt has a secret: %r" % secret)
        st, r, _ = srv.http("GET", "/api/status/" + code)
        F.eq((st, r.get("error", {}).get("code")), (404, "not_found"), "without the secret, no dossier: %r" % r)
        st, r, _ = srv.http("GET", "/api/status/%s?secret=%s" % (code, secret))
        F.eq((st, r["state"], r["procedure_name"]), (200, "submitted", "Đăng ký khai sinh"), "public status lookup")
        text = json.dumps(r, ensure_ascii=False)
        F.check("Khôi" not in text and "0912345678" not in text and "001090000007" not in text,
                "no personal data in the public status")
        st, r, _ = srv.http("GET", "/api/catalogue?q=khai%20sinh")
        F.eq([p["code"] for p in r["procedures"]], ["1.001193"], "catalogue: words without diacritics")
        st, r, _ = srv.http("GET", "/api/catalogue?q=%C4%91%C4%83ng%20k%C3%BD%20k%E1%BA%BFt%20h%C3%B4n")
        F.eq([p["code"] for p in r["procedures"]], ["1.000894"], "catalogue: words with diacritics")
        st, r, _ = srv.http("GET", "/api/catalogue?level=province")
        F.check(r["count"] >= 1 and all(p["level"] == "province" for p in r["procedures"]), "catalogue: filter by level")
        st, r, _ = srv.http("GET", "/api/catalogue?agency=H13.CA")
        F.eq([p["code"] for p in r["procedures"]], ["1.002835"], "catalogue: filter by agency")
        st, r, _ = srv.http("GET", "/api/procedures/1.001193")
        F.check(st == 200 and any(f["name"] == "mother_id" for f in r["fields"]), "a procedure page has its form")
    finally:
        F.eq(srv.stop(), 0, "idempotency: motcuad stops cleanly")


def disable():
    """A leaving official is disabled: sessions revoked at once (an open socket is told), work reassigned."""
    srv = Server(MOTCUAD, workdir("disable")).start()
    try:
        toks = officials(srv)
        tok = applicant(srv, "001090000008")
        otp = srv.add_user("chuyen.vien2", "Cán bộ thay", ["specialist"], "H13.X01")
        srv.login_changing("chuyen.vien2", otp, PASSWORD)

        async def run():
            app = await Client.open(srv, tok)
            code = (await submit(app, "d-1"))["dossier"]
            rec = await Client.open(srv, toks["le.tan"])
            await rec.request("act", command_id="acc", dossier=code, expected_version=1, action="accept")
            lea = await Client.open(srv, toks["chu.tich"])
            r = await lea.request("assign", command_id="as", dossier=code, expected_version=2, handler="chuyen.vien")
            F.check(r.get("ok"), "the leader assigns the dossier: %r" % r)
            spe = await Client.open(srv, toks["chuyen.vien"])
            r = srv.admin("user_disable", account="chuyen.vien", reassign_to="chuyen.vien2")
            F.check(r.get("ok") and r.get("reassigned") == 1, "disable reassigns the open work: %r" % r)
            p = await spe.pushes_until(lambda p: p["push"] == "revoked", timeout=10)
            F.eq(p[-1]["push"], "revoked", "the open socket of the disabled official is told")
            await asyncio.wait_for(spe.closed.wait(), WAIT)
            st, body, _ = srv.http("POST", "/api/login", {"id": "chuyen.vien", "password": PASSWORD})
            F.eq(st, 401, "a disabled official cannot log in")
            r = await app.request("get", dossier=code)
            F.eq(r["dossier"]["handler"], "chuyen.vien2", "the dossier went to the new handler")
            # A logout ends the session on every socket that uses it.
            other = await Client.open(srv, tok)
            r = await app.request("logout")
            F.check(r.get("ok"), "logout")
            p = await other.pushes_until(lambda p: p["push"] == "revoked", timeout=15)
            F.eq(p[-1]["push"], "revoked", "the session's other socket is told when it logs out elsewhere")
            st, body, _ = srv.http("POST", "/api/logout", token=tok)
            F.eq(st, 204, "HTTP logout answers 204")
            # An HTTP logout ends the session's open sockets at once.
            tok2 = srv.login("001090000008", PASSWORD)["token"]
            s2 = await Client.open(srv, tok2)
            t0 = time.time()
            st, body, _ = srv.http("POST", "/api/logout", token=tok2)
            p = await s2.pushes_until(lambda p: p["push"] == "revoked", timeout=WAIT)
            F.check(time.time() - t0 < 2, "the socket is told at once, not at the next sweep")
            await asyncio.wait_for(s2.closed.wait(), WAIT)
            # (The close frame's status does not reach the client with lws 4.1 on libuv: it sees
            # 1006. The `revoked` push before it carries the reason.)
            for c in (rec, lea):
                await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "disable: motcuad stops cleanly")


def crash():
    """SIGKILL under load: every acknowledged command is there after a restart; then SIGTERM tells clients."""
    d = workdir("crash")
    # A small queue: the catch-up of thousands of events after the restart is paced by the client.
    # One account is the load here (not a citizen): no limit on its filings.
    srv = Server(MOTCUAD, d, "max_queued = 64\nmax_submissions_per_hour = 100000\n").start()
    tok = applicant(srv, "001090000009")
    acked = []

    async def load():
        clients = [await Client.open(srv, tok) for _ in range(8)]

        async def one(i, c):
            n = 0
            while True:
                try:
                    r = await submit(c, "k-%d-%d" % (i, n))
                except Exception:
                    return
                if r.get("ok"):
                    acked.append(r["dossier"])
                n += 1

        tasks = [asyncio.ensure_future(one(i, c)) for i, c in enumerate(clients)]
        await asyncio.sleep(1.5)
        srv.kill()
        await asyncio.wait(tasks, timeout=WAIT)

    asyncio.run(load())
    F.check(len(acked) > 10, "commands were acknowledged before the kill (%d)" % len(acked))
    srv.start()
    try:
        async def check():
            c = await Client.open(srv, tok)
            r = await c.request("subscribe", scope="mine", after=0)
            got = await c.pushes_until(lambda p: p["push"] == "caught_up")
            seen = {p["dossier"] for p in got if p["push"] == "event"}
            missing = [x for x in acked if x not in seen]
            F.eq(missing, [], "no acknowledged submission lost to SIGKILL")
            F.check(len(seen) > 64, "a catch-up longer than max_queued arrives whole (%d dossiers)" % len(seen))
            r = await submit(c, "after-restart")
            F.check(r.get("ok"), "the server works after the restart")
            st, body, _ = srv.http("GET", "/healthz")
            F.eq(st, 200, "healthy after the restart")
            # SIGTERM: clients are told before the connection closes
            srv.proc.send_signal(signal.SIGTERM)
            p = await c.pushes_until(lambda p: p["push"] == "closing", timeout=WAIT)
            F.eq(p[-1]["push"], "closing", "SIGTERM: clients get a closing notice")
            await asyncio.wait_for(c.closed.wait(), WAIT)

        asyncio.run(check())
        F.eq(srv.proc.wait(WAIT), 0, "SIGTERM: motcuad exits 0")
        srv.proc = None
        verify = subprocess.run([os.path.join(os.path.dirname(os.path.dirname(MOTCUAD)), "tools", "motcua"),
                                 "audit", "verify", srv.data], capture_output=True, text=True)
        F.eq(verify.returncode, 0, "the log verifies after the kill: %s" % verify.stdout[-300:])
    finally:
        srv.stop()


def timers():
    """The server fires deadline timers when they fall due: a rehearsal clock jumps 5 days ahead and
    the reception step's limit (8 working hours) passes; the applicant sees the overdue event live.
    (Sessions are made to last 30 days: a jump past their expiry ends them, as it should.)"""
    d = workdir("timers")
    clock = os.path.join(d, "clock")
    with open(clock, "w") as f:
        f.write("0\n")
    os.chmod(clock, 0o644)
    refused = subprocess.run([MOTCUAD, "--rehearsal-clock", clock], capture_output=True, text=True, timeout=WAIT,
                             env={k: v for k, v in os.environ.items() if k != "MOTCUA_REHEARSAL"})
    F.eq(refused.returncode, 2, "a rehearsal clock without MOTCUA_REHEARSAL=1 is refused")
    srv = Server(MOTCUAD, d, "session_hours = 720\n", args=["--rehearsal-clock", clock],
                 env={"MOTCUA_REHEARSAL": "1"}).start()
    try:
        tok = applicant(srv, "001090000011")

        async def run():
            c = await Client.open(srv, tok)
            await c.request("subscribe", scope="mine")
            await c.pushes_until(lambda p: p["push"] == "caught_up")
            r = await submit(c, "t-1")
            p = await c.push()
            F.eq(p["type"], "dossier.submitted", "submitted")
            with open(clock, "w") as f:
                f.write("%d\n" % (5 * 86400 * 1000))
            got = await c.pushes_until(lambda p: p.get("type") == "dossier.overdue", timeout=25)
            F.eq(got[-1]["dossier"], r["dossier"], "the reception step's limit passed: overdue, pushed live")
            F.check(got[-1]["time"] > p["time"] + 86400 * 1000, "the timer's event carries its due instant")
            await c.close()

        asyncio.run(run())
        st, m, _ = srv.http("GET", "/metrics")
        fired = [l for l in m.splitlines() if l.startswith("motcua_timers_fired_total ")]
        F.check(fired and int(fired[0].split()[1]) >= 1, "metrics count the timers fired: %r" % fired)
        F.check("motcua_pushes_read_back_total 0\n" in m, "the timers' events were pushed as the writer handed them over")
    finally:
        F.eq(srv.stop(), 0, "timers: motcuad stops cleanly")


def tls():
    d = workdir("tls")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    os.chmod(key, 0o644)  # read before the server drops its privileges; a real key stays 0600 root's
    srv = Server(MOTCUAD, d, "tls_cert = %s\ntls_key = %s\n" % (cert, key)).start()
    try:
        st, r, _ = srv.http("GET", "/healthz")
        F.eq(st, 200, "TLS: https works")
        tok = applicant(srv, "001090000010")

        async def run():
            c = await Client.open(srv, tok)
            r = await c.request("ping")
            F.check(r.get("ok"), "TLS: wss works")
            await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "tls: motcuad stops cleanly")


SCENARIOS = {"registration": registration, "lifecycle": lifecycle, "resume": resume, "access": access,
             "bad_input": bad_input, "throttle": throttle, "idempotency": idempotency_and_status, "disable": disable,
             "crash": crash, "timers": timers, "tls": tls}

if __name__ == "__main__":
    run_scenarios(SCENARIOS, F, ROOT, sys.argv[3:])
