#!/usr/bin/python3
"""test_edges.py — the edges a client written from docs/PROTOCOL.md alone hit (issue 17), each as
it must now be answered.

  test_edges.py MOTCUAD MAIL_SINK [SCENARIO...]

Scenarios (all by default): methods, anonymous_logout, unknown_fields_http, unknown_fields_admin,
disable_count, register_existing, unknown_fields_documents, blank.  Prints what failed and exits 1 if anything did.
"""
import asyncio
import concurrent.futures
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motcua_client import (workdirs, EXAMPLE_PNG, EXAMPLE_PNG_SHA256, PASSWORD, Clamd, Client, Failures, MailSink,  # noqa: E402
                           Server, applicant, run_scenarios, submit, upload)

MOTCUAD, MAIL_SINK = sys.argv[1], sys.argv[2]
F = Failures()
ROOT, workdir = workdirs("motcuad-edges-")



def methods():
    """A known path with another method is 405 with Allow, not 404."""
    srv = Server(MOTCUAD, workdir("methods")).start()
    try:
        st, body, hdrs = srv.http("GET", "/api/login")
        h = {k.lower(): v for k, v in hdrs.items()}
        F.eq((st, h.get("allow")), (405, "POST"), "GET on a POST-only path: %r" % body)
        st, body, hdrs = srv.http("POST", "/api/catalogue", {"q": "x"})
        h = {k.lower(): v for k, v in hdrs.items()}
        F.eq((st, h.get("allow")), (405, "GET"), "POST on a GET-only path: %r" % body)
        st, _, _ = srv.http("GET", "/api/nothing-here")
        F.eq(st, 404, "an unknown path stays 404")
    finally:
        F.eq(srv.stop(), 0, "methods: motcuad stops cleanly")


def anonymous_logout():
    """logout without a session is refused (unauthenticated), as over HTTP."""
    srv = Server(MOTCUAD, workdir("anonymous_logout")).start()
    try:
        async def run():
            c = await Client.open(srv)
            r = await c.request("logout")
            F.eq(r.get("error", {}).get("code"), "unauthenticated", "an anonymous logout: %r" % r)
            await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "anonymous_logout: motcuad stops cleanly")


def unknown_fields_http():
    """A field an HTTP resource does not know is refused, naming it, as the WebSocket refuses one:
    a typo must not pass silently."""
    srv = Server(MOTCUAD, workdir("unknown_fields_http")).start()
    try:
        for path, body, typo in [
                ("/api/login", {"id": "lan.nt", "password": "một mật khẩu dài", "pasword": "x"}, "pasword"),
                ("/api/verify", {"id": "001090000001", "code": "123456", "cdoe": "1"}, "cdoe"),
                ("/api/password/reset", {"id": "lan.nt", "emial": "a@b.vn"}, "emial"),
                ("/api/password/reset/confirm", {"id": "lan.nt", "code": "123456", "password": "một mật khẩu dài",
                                                 "pwd": "x"}, "pwd"),
                ("/api/register", {"kind": "person", "id": "001090000001", "name": "An", "password": "một mật khẩu dài",
                                   "emial": "a@b.vn"}, "emial")]:
            st, r, _ = srv.http("POST", path, body)
            e = (r or {}).get("error", {}) if isinstance(r, dict) else {}
            F.eq((st, e.get("code"), e.get("field")), (400, "bad_request", typo), "%s with %s: %r" % (path, typo, r))
    finally:
        F.eq(srv.stop(), 0, "unknown_fields_http: motcuad stops cleanly")


def unknown_fields_admin():
    """The admin socket refuses a field its operation does not take (user_add with "emial" made an
    official with no e-mail)."""
    srv = Server(MOTCUAD, workdir("unknown_fields_admin")).start()
    try:
        r = srv.admin("user_add", account="lan.nt", name="Nguyễn Thị Lan", roles=["reception"], agency="H13.X01",
                      emial="lan@bacninh.gov.vn")
        F.eq((r.get("ok"), r.get("error", {}).get("code")), (False, "bad_request"), "user_add with emial: %r" % r)
        F.check("emial" in r.get("error", {}).get("message", ""), "the refusal names the field: %r" % r)
        r = srv.admin("user_add", account="lan.nt", name="Nguyễn Thị Lan", roles=["reception"], agency="H13.X01",
                      email="lan@bacninh.gov.vn")
        F.check(r.get("ok"), "nothing was made by the refused one; the right one succeeds: %r" % r)
        r = srv.admin("user_disable", account="lan.nt", reasign_to="x")
        F.eq(r.get("error", {}).get("code"), "bad_request", "user_disable with reasign_to: %r" % r)
    finally:
        F.eq(srv.stop(), 0, "unknown_fields_admin: motcuad stops cleanly")


def disable_count():
    """user_disable over the admin socket counts the sessions it revokes, and they are dead. The
    count is taken in the thread pool after the disable is written; a client told `revoked` that
    tries its token again meanwhile (a console reconnecting, another tab) must not make the session
    vanish uncounted: here the pool is kept busy with logins so that the retries land in that gap."""
    srv = Server(MOTCUAD, workdir("disable_count")).start()
    try:
        otp = srv.add_user("lan.nt", "Nguyễn Thị Lan", ["reception"], "H13.X01", email="lan@bacninh.gov.vn")
        toks = [srv.login("lan.nt", otp)["token"] for _ in range(2)]
        # Four logins each of four others: under the limits per account (5) and per address (20).
        others = {a: srv.add_user(a, "Cán bộ " + a, ["reception"], "H13.X01") for a in ("ban.mot", "ban.hai",
                                                                                         "ban.ba", "ban.bon")}

        async def refused(what):
            for i, tok in enumerate(toks):
                c = await Client.open(srv)
                r = await c.request("hello", token=tok)
                F.eq(r.get("error", {}).get("code"), "unauthenticated", "session %d %s: %r" % (i, what, r))
                await c.close()

        async def run():
            loop = asyncio.get_running_loop()
            with concurrent.futures.ThreadPoolExecutor(20) as pool:
                c = await Client.open(srv, toks[0])
                busy = [loop.run_in_executor(pool, srv.login, a, pw) for a, pw in others.items() for _ in range(4)]
                await asyncio.sleep(0.1)  # their password checks queue up in the pool
                disable = loop.run_in_executor(pool, lambda: srv.admin("user_disable", account="lan.nt"))
                p = await c.pushes_until(lambda p: p["push"] == "revoked", timeout=10)
                F.eq(p[-1]["push"], "revoked", "the open socket is told")
                await refused("tried again at once")
                r = await disable
                F.eq((r.get("ok"), r.get("sessions_revoked")), (True, 2), "user_disable of two sessions: %r" % r)
                await asyncio.gather(*busy)
            await refused("after the disable")

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "disable_count: motcuad stops cleanly")


def register_existing():
    """Registering an id that has an account is answered as a new id is (it answered 409, telling
    anyone that the account exists, which login and the password reset do not tell), in about the
    same time; no code is sent, the account's own address gets a notice instead, and /api/verify of
    that id fails with any code as a wrong code does."""
    d = workdir("register_existing")
    sink = MailSink(MAIL_SINK, d)
    try:
        srv = Server(MOTCUAD, d, sink.config()).start()
        try:
            otp = srv.add_user("001090001234", "Nguyễn Văn An", ["applicant"], None, email="an@example.vn")

            def register(account, address):
                body = {"kind": "person", "id": account, "name": "Kẻ Gian", "email": address, "password": PASSWORD}
                t = time.time()
                st, r, _ = srv.http("POST", "/api/register", body)
                return (st, r), time.time() - t

            new, _ = register("001090005678", "moi@example.vn")
            F.eq(new[0], 202, "a new id: %r" % (new,))
            got, _ = register("001090001234", "ke.gian@example.vn")
            F.eq(got, new, "an existing id is answered as a new one")
            F.check(sink.take("moi@example.vn") is not None, "the new id's code is sent")
            notice = sink.take("an@example.vn")
            F.check(notice is not None, "the account's own address gets a notice")
            F.check(notice is None or not re.search(r"\b\d{6}\b", notice), "the notice carries no code: %r" % notice)
            F.eq(sink.take("ke.gian@example.vn", timeout=2), None, "the address given gets nothing")
            # Any code fails as a wrong code of a new id does, down to the attempts left and the lock.
            for code in ("000000", "123456", "999999", "000001", "424242", "111111"):
                new = srv.http("POST", "/api/verify", {"id": "001090005678", "code": code})[:2]
                got = srv.http("POST", "/api/verify", {"id": "001090001234", "code": code})[:2]
                F.eq(got, new, "verify %s of the existing id" % code)
            F.eq(srv.login("001090001234", otp)["account"], "001090001234", "the account's password is unchanged")
            # In about the same time (the password is hashed either way).
            fresh = sorted(register("00109000567%d" % i, "moi@example.vn")[1] for i in range(3))
            existing = sorted(register("001090001234", "ke.gian@example.vn")[1] for _ in range(3))
            F.check(existing[1] > fresh[1] / 2, "an existing id in %.0f ms, a new one in %.0f ms"
                    % (existing[1] * 1000, fresh[1] * 1000))
        finally:
            F.eq(srv.stop(), 0, "register_existing: motcuad stops cleanly")
    finally:
        sink.stop()


def unknown_fields_documents():
    """A field a document of `submit` or `act` does not have is refused, naming it as
    documents[N].field (a typo'd valid_until was dropped, and the document filed as valid for ever),
    in JSON and msgpack; nothing is filed."""
    d = workdir("unknown_fields_documents")
    clamd = Clamd(d).start()
    srv = Server(MOTCUAD, d, "clamd_socket = %s\n" % clamd.sock).start()
    sha = EXAMPLE_PNG_SHA256
    try:
        tok = applicant(srv, "001090000008")
        F.eq(upload(srv, tok, "trang 1.png", EXAMPLE_PNG)[0], 201, "the scan uploaded")

        async def run():
            for binary in (False, True):
                c = await Client.open(srv, tok, binary=binary)
                typo = [{"name": "giay_chung_sinh", "sha256": sha, "valid_untill": "2027-01-01"}]
                r = await submit(c, "doc-%d" % binary, documents=typo)
                e = r.get("error", {})
                F.eq((e.get("code"), e.get("field")), ("bad_request", "documents[0].valid_untill"),
                     "submit with valid_untill (msgpack %s): %r" % (binary, r))
                F.check("documents[0].valid_untill" in e.get("message", ""), "the message names it: %r" % r)
                right = [{"name": "giay_chung_sinh", "sha256": sha, "valid_until": "2027-01-01"}]
                r = await submit(c, "doc-%d" % binary, documents=right)
                F.check(r.get("ok") and not r.get("repeated"), "nothing was filed by the refused one: %r" % r)
                docs = [{"name": "giay_chung_sinh", "sha256": sha, "valid_until": None}, {"name": "x", "sha256": sha,
                                                                                         "sha265": sha}]
                r = await c.request("act", command_id="sup-%d" % binary, dossier=r.get("dossier"), expected_version=1,
                                    action="provide_supplement", documents=docs)
                e = r.get("error", {})
                F.eq((e.get("code"), e.get("field")), ("bad_request", "documents[1].sha265"),
                     "act with sha265 (msgpack %s): %r" % (binary, r))
                await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "unknown_fields_documents: motcuad stops cleanly")
        clamd.stop()


def blank():
    """Every document to bring of a procedure carries `blank`: the blank form to download, or null
    (it was missing when there is none)."""
    srv = Server(MOTCUAD, workdir("blank")).start()
    try:
        blanks = {}
        for code in ("1.001193", "1.009995", "2.000488", "PAKN"):
            st, p, _ = srv.http("GET", "/api/procedures/" + code)
            F.eq(st, 200, "GET /api/procedures/%s" % code)
            for d in (p or {}).get("documents", []):
                F.check("blank" in d, "%s: the document %s has no \"blank\": %r" % (code, d.get("name"), d))
                blanks[d.get("name")] = d.get("blank")
        F.eq(blanks.get("giay_chung_sinh", "?"), None, "a document without a blank form: null")
        F.eq(blanks.get("ban_ve"), "mau-ban-ve.pdf", "a document with one names it")
    finally:
        F.eq(srv.stop(), 0, "blank: motcuad stops cleanly")


SCENARIOS = {"methods": methods, "anonymous_logout": anonymous_logout, "unknown_fields_http": unknown_fields_http,
             "unknown_fields_admin": unknown_fields_admin, "disable_count": disable_count,
             "register_existing": register_existing, "unknown_fields_documents": unknown_fields_documents,
             "blank": blank}

if __name__ == "__main__":
    run_scenarios(SCENARIOS, F, ROOT, sys.argv[3:])
