#!/usr/bin/python3
"""test_admin.py — the directory for clients and the administration of accounts over the
WebSocket (issue 17; docs/PROTOCOL.md "Directory and administration").

  test_admin.py MOTCUAD MOTCUA [SCENARIO...]

Scenarios (all by default): agency_admin, disable_reassign, password, procedure_role, system_admin,
refused, directory, same_millisecond.  Each starts its own server on a fresh data directory.  Prints what failed and
exits 1 if anything did.  MOTCUA_WORKFLOWS names the bundled workflows (the procedure_role scenario
compiles a version of the birth registration with a role of its own).
"""
import asyncio
import base64
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motcua_client import workdirs, PASSWORD, Client, Failures, Server, applicant, officials, run_scenarios, submit  # noqa: E402,E501

MOTCUAD, MOTCUA = sys.argv[1], sys.argv[2]
WORKFLOWS = os.environ.get("MOTCUA_WORKFLOWS") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))), "workflows")
F = Failures()
ROOT, workdir = workdirs("motcuad-admin-")



def agency_admin(srv, account="quan.tri.x01", agency="H13.X01"):
    """An agency_admin of `agency`, made through the admin socket, ready to act."""
    otp = srv.add_user(account, "Quản trị " + agency, ["agency_admin"], agency, email=account + "@bacninh.gov.vn")
    return srv.login_changing(account, otp, PASSWORD)


def system_admin(srv):
    """The first administrator the server made at its first start."""
    return srv.login_changing("admin", srv.admin_password, PASSWORD)


async def in_thread(fn, *args):
    """A helper that runs its own event loop (login_changing), from inside one."""
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def error(r):
    """(code, key) of a refused reply; (None, None) for one that was not."""
    e = r.get("error") or {}
    return e.get("code"), e.get("key")


def denials(srv, op):
    """motcua_access_denied_total{op="OP"} as /metrics has it (0 when absent)."""
    _, text, _ = srv.http("GET", "/metrics")
    for line in text.splitlines():
        if line.startswith('motcua_access_denied_total{op="%s"}' % op):
            return int(line.split()[1])
    return 0


# ============================================================ scenarios


def agency_admin_scenario():
    """An agency_admin adds an official of its own agency, who logs in with the one-time password;
    another agency's officials, the province-wide roles and applicants are not its to manage: each is
    refused as forbidden and counted as an access denial. The one-time password is in the reply only,
    never in the server's log."""
    srv = Server(MOTCUAD, workdir("agency_admin")).start()
    try:
        officials(srv)
        adm = agency_admin(srv)

        async def run():
            c = await Client.open(srv, adm)
            r = await c.request("user_add", account="lan.nt", name="Nguyễn Thị Lan", agency="H13.X01",
                                roles=["reception"], email="lan@x01.bacninh.gov.vn")
            F.check(r.get("ok") and r.get("account") == "lan.nt" and len(r.get("one_time_password", "")) == 16,
                    "the agency_admin adds an official of its agency: %r" % {k: v for k, v in r.items()
                                                                             if k != "one_time_password"})
            otp = r.get("one_time_password", "")
            login = srv.login("lan.nt", otp)
            F.eq((login["roles"], login["agency"], login["must_change_password"]), (["reception"], "H13.X01", True),
                 "the new official logs in with the one-time password, which must be changed")
            tok = await in_thread(srv.login_changing, "lan.nt", otp, PASSWORD)
            F.check(tok, "and changes it")
            r = await c.request("user_add", account="lan.nt", name="Nguyễn Thị Lan", agency="H13.X01",
                                roles=["reception"])
            F.eq(error(r)[0], "conflict", "the same account again: %r" % r)
            before = denials(srv, "user_add")
            for fields, key in [
                    (dict(account="nam.x02", name="Trần Văn Nam", agency="H13.X02", roles=["reception"]),
                     "account_other_agency"),
                    (dict(account="boss.x01", name="Sếp", agency="H13.X01", roles=["system_admin"]),
                     "role_province_wide"),
                    (dict(account="kt.x01", name="Kiểm toán", agency="H13.X01", roles=["auditor"]),
                     "role_province_wide"),
                    (dict(account="001090009999", name="Người dân", roles=["applicant"], phone="0912345678"),
                     "register_by_server")]:
                r = await c.request("user_add", **fields)
                F.eq(error(r), ("forbidden", key), "user_add %s: %r" % (fields["account"], r))
            F.eq(denials(srv, "user_add") - before, 4, "each refusal is counted as an access denial")
            for op, extra, key in [("user_disable", {}, "account_toggle_forbidden"),
                                   ("user_enable", {}, "account_toggle_forbidden"),
                                   ("user_password", {}, "account_toggle_forbidden"),
                                   ("user_roles", {"roles": ["specialist"]}, "account_toggle_forbidden")]:
                r = await c.request(op, account="le.tan.x02", **extra)
                F.eq(error(r), ("forbidden", key), "%s of another agency's official: %r" % (op, r))
                F.check("H13.X02" in r.get("error", {}).get("message", ""), "the refusal names the agency: %r" % r)
            r = await c.request("user_roles", account="kiem.toan", roles=["reception"])
            F.eq(error(r), ("forbidden", "account_province_wide"), "an auditor's roles: %r" % r)
            r = await c.request("user_roles", account="le.tan", roles=["system_admin"])
            F.eq(error(r), ("forbidden", "role_province_wide"), "system_admin given by an agency_admin: %r" % r)
            r = await c.request("user_add", account="x.x01", name="X", agency="H13.X01", roles=["reception"],
                                emial="x@x01.vn")
            F.eq((error(r)[0], r.get("error", {}).get("field")), ("bad_request", "emial"), "a typo'd field: %r" % r)
            r = await c.request("user_roles", account="le.tan", roles="reception")
            F.eq((error(r)[0], r.get("error", {}).get("field")), ("bad_request", "roles"), "roles not a list: %r" % r)
            await c.close()
            log = open(srv.out).read()
            F.check(otp and otp not in log, "the one-time password is not in the server's log")

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "agency_admin: motcuad stops cleanly")


def disable_reassign():
    """An agency_admin disables a leaving official of its agency over the WebSocket: the sessions are
    revoked at once (an open socket is told), the open dossiers go to another official; enabling
    brings the account back."""
    srv = Server(MOTCUAD, workdir("disable_reassign")).start()
    try:
        toks = officials(srv)
        app_tok = applicant(srv, "001090000008")
        otp = srv.add_user("chuyen.vien2", "Cán bộ thay", ["specialist"], "H13.X01")
        srv.login_changing("chuyen.vien2", otp, PASSWORD)
        adm = agency_admin(srv)

        async def run():
            app = await Client.open(srv, app_tok)
            code = (await submit(app, "d-1"))["dossier"]
            rec = await Client.open(srv, toks["le.tan"])
            await rec.request("act", command_id="acc", dossier=code, expected_version=1, action="accept")
            lea = await Client.open(srv, toks["chu.tich"])
            r = await lea.request("assign", command_id="as", dossier=code, expected_version=2, handler="chuyen.vien")
            F.check(r.get("ok"), "the leader assigns the dossier: %r" % r)
            spe = await Client.open(srv, toks["chuyen.vien"])
            c = await Client.open(srv, adm)
            r = await c.request("user_disable", account="chuyen.vien", reassign_to="chuyen.vien2")
            F.eq((r.get("ok"), r.get("account"), r.get("reassigned"), r.get("not_reassigned")),
                 (True, "chuyen.vien", 1, []), "disabled, the open work reassigned: %r" % r)
            F.check(r.get("sessions_revoked", 0) >= 1, "the sessions are counted: %r" % r)
            p = await spe.pushes_until(lambda p: p["push"] == "revoked", timeout=10)
            F.eq(p[-1]["push"], "revoked", "the open socket of the disabled official is told")
            st, _, _ = srv.http("POST", "/api/login", {"id": "chuyen.vien", "password": PASSWORD})
            F.eq(st, 401, "a disabled official cannot log in")
            r = await app.request("get", dossier=code)
            F.eq(r["dossier"]["handler"], "chuyen.vien2", "the dossier went to the new handler")
            r = await c.request("user_disable", account="chuyen.vien")
            F.eq(error(r), ("conflict", "account_already_disabled"), "disabled twice: %r" % r)
            r = await c.request("user_disable", account="quan.tri.x01")
            F.eq(error(r), ("refused", "account_own"), "not oneself: %r" % r)
            r = await c.request("user_enable", account="chuyen.vien")
            F.eq((r.get("ok"), r.get("account"), r.get("sessions_revoked")), (True, "chuyen.vien", 0),
                 "enabled again: %r" % r)
            F.check(srv.login("chuyen.vien", PASSWORD)["token"], "the official logs in again")
            # Without reassign_to: disabled only.
            r = await c.request("user_disable", account="chu.tich")
            F.eq((r.get("ok"), sorted(r)), (True, ["account", "id", "ok", "sessions_revoked"]),
                 "disabled without reassignment: %r" % r)
            for x in (app, rec, lea, c):
                await x.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "disable_reassign: motcuad stops cleanly")


def password():
    """A new one-time password over the WebSocket: given to the admin who asked, the official's
    sessions revoked, the old password dead, the new one to be changed at the first login."""
    srv = Server(MOTCUAD, workdir("password")).start()
    try:
        toks = officials(srv)
        adm = agency_admin(srv)

        async def run():
            spe = await Client.open(srv, toks["chuyen.vien"])
            c = await Client.open(srv, adm)
            r = await c.request("user_password", account="chuyen.vien")
            F.check(r.get("ok") and r.get("account") == "chuyen.vien" and len(r.get("one_time_password", "")) == 16,
                    "a new one-time password: %r" % sorted(r))
            otp = r.get("one_time_password", "")
            p = await spe.pushes_until(lambda p: p["push"] == "revoked", timeout=10)
            F.eq(p[-1]["push"], "revoked", "the official's open socket is told")
            st, _, _ = srv.http("POST", "/api/login", {"id": "chuyen.vien", "password": PASSWORD})
            F.eq(st, 401, "the old password is dead")
            login = srv.login("chuyen.vien", otp)
            F.eq(login["must_change_password"], True, "the new one must be changed")
            r = await c.request("user_password", account="khong.co")
            F.eq(error(r)[0], "not_found", "no such account: %r" % r)
            await c.close()
            F.check(otp not in open(srv.out).read(), "the one-time password is not in the server's log")

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "password: motcuad stops cleanly")


def compile_birth_with_verifier(d):
    """The birth registration with its processing step done by a role of its own: `verifier`."""
    src = open(os.path.join(WORKFLOWS, "procedures", "birth-registration.mc"), encoding="utf-8").read()
    step = 'step processing "Công chức tư pháp - hộ tịch xử lý" by specialist'
    F.check(step in src, "birth-registration.mc's processing step")
    src = src.replace(step, 'step processing "Công chức tư pháp - hộ tịch xử lý" by verifier')
    src = src.replace('  channels desk, post, online\n', '  channels desk, post, online\n  role verifier "Cán bộ thẩm định"\n')
    path = os.path.join(d, "birth-verifier.mc")
    with open(path, "w", encoding="utf-8") as f:
        f.write(src)
    out = os.path.join(d, "compiled")
    subprocess.run([MOTCUA, "compile", "--workflows", WORKFLOWS, path, "-o", out], check=True, capture_output=True)
    return base64.b64encode(open(os.path.join(out, "procedure-1.001193.mcb"), "rb").read()).decode()


def procedure_role():
    """A role a procedure declares (`role verifier`, a step `by verifier`) cannot be given before the
    procedure is in effect, can be after; the official then acts in that step, on a socket opened
    before the roles were set (its roles follow at once)."""
    d = workdir("procedure_role")
    srv = Server(MOTCUAD, d).start()
    try:
        toks = officials(srv)
        app_tok = applicant(srv, "001090000009")
        adm = agency_admin(srv)
        b64 = compile_birth_with_verifier(d)

        async def run():
            c = await Client.open(srv, adm)
            r = await c.request("user_add", account="tham.dinh", name="Cán bộ thẩm định", agency="H13.X01",
                                roles=["verifier"])
            F.eq(error(r), ("refused", "role_unknown"), "verifier before the procedure is published: %r" % r)
            F.check("reception, specialist" in r.get("error", {}).get("message", ""),
                    "the refusal lists the roles that exist: %r" % r)
            r = await c.request("user_add", account="tham.dinh", name="Cán bộ thẩm định", agency="H13.X01",
                                roles=["specialist"])
            F.check(r.get("ok"), "added as a specialist: %r" % sorted(r))
            tok = await in_thread(srv.login_changing, "tham.dinh", r.get("one_time_password", ""), PASSWORD)
            td = await Client.open(srv, tok)
            r = srv.admin("publish", items=[{"kind": "procedure", "bytes_b64": b64,
                                             "effective_from": int(time.time() * 1000) - 1000}])
            F.check(r.get("ok"), "the new version is published: %r" % r)
            r = await c.request("user_roles", account="tham.dinh", roles=["verifier"])
            F.eq((r.get("ok"), r.get("account"), r.get("roles")), (True, "tham.dinh", ["verifier"]),
                 "the role the procedure declares is given: %r" % r)
            r = await c.request("user_roles", account="tham.dinh", roles=["verifier"])
            F.eq(error(r), ("conflict", "roles_same"), "the same roles again: %r" % r)
            app = await Client.open(srv, app_tok)
            r = await submit(app, "v-1")
            if not F.check(r.get("ok"), "a dossier under the new version: %r" % r):
                return
            code = r["dossier"]
            rec = await Client.open(srv, toks["le.tan"])
            r = await rec.request("act", command_id="acc", dossier=code, expected_version=1, action="accept")
            F.check(r.get("ok"), "accepted: %r" % r)
            spe = await Client.open(srv, toks["chuyen.vien"])
            r = await spe.request("act", command_id="ap", dossier=code, expected_version=2, action="approve")
            F.eq(error(r), ("forbidden", "step_role"), "a specialist no longer does that step: %r" % r)
            r = await td.request("act", command_id="ap", dossier=code, expected_version=2, action="approve")
            F.check(r.get("ok"), "the verifier acts in the step, on the socket it had: %r" % r)
            # Taken off: the open socket no longer acts in it.
            r = await c.request("user_roles", account="tham.dinh", roles=["specialist"])
            F.check(r.get("ok"), "back to specialist: %r" % r)
            r = await td.request("act", command_id="x", dossier=code, expected_version=3, action="approve",
                                 role="verifier")
            F.eq(error(r)[0], "forbidden", "a role taken off serves no more: %r" % r)
            for x in (c, td, app, rec, spe):
                await x.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "procedure_role: motcuad stops cleanly")


def system_admin_scenario():
    """The system administrator manages officials of every agency, the province-wide roles included."""
    srv = Server(MOTCUAD, workdir("system_admin")).start()
    try:
        toks = officials(srv)
        adm = system_admin(srv)

        async def run():
            c = await Client.open(srv, adm)
            r = await c.request("user_add", account="nam.x02", name="Trần Văn Nam", agency="H13.X02",
                                roles=["reception", "specialist"])
            F.check(r.get("ok") and r.get("one_time_password"), "an official of H13.X02: %r" % sorted(r))
            r = await c.request("user_add", account="kiem.toan2", name="Kiểm toán", roles=["auditor"])
            F.check(r.get("ok"), "an auditor, of no agency: %r" % sorted(r))
            r = await c.request("user_add", account="001090007777", name="Người dân", roles=["applicant"],
                                phone="0912345678")
            F.check(r.get("ok"), "an applicant registered at the desk: %r" % sorted(r))
            x02 = await Client.open(srv, toks["le.tan.x02"])
            r = await c.request("user_roles", account="le.tan.x02", roles=["reception", "leader"])
            F.eq((r.get("ok"), r.get("roles")), (True, ["reception", "leader"]), "roles of another agency: %r" % r)
            r = await c.request("user_disable", account="le.tan.x02")
            F.eq((r.get("ok"), r.get("sessions_revoked")), (True, 2), "disabled, its two sessions revoked (the "
                 "one-time password's and the changed one's): %r" % r)
            p = await x02.pushes_until(lambda p: p["push"] == "revoked", timeout=10)
            F.eq(p[-1]["push"], "revoked", "its socket is told")
            r = await c.request("user_enable", account="le.tan.x02")
            F.check(r.get("ok"), "enabled: %r" % r)
            r = await c.request("user_roles", account="kiem.toan", roles=["auditor", "system_admin"])
            F.check(r.get("ok"), "a province-wide account's roles: %r" % r)
            r = await c.request("user_password", account="buu.ta")
            F.check(r.get("ok") and r.get("one_time_password"), "a new one-time password: %r" % sorted(r))
            await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "system_admin: motcuad stops cleanly")


def refused():
    """An applicant, an auditor and an official who is no administrator are refused every
    administration op, each counted as an access denial; without a session, unauthenticated."""
    srv = Server(MOTCUAD, workdir("refused")).start()
    try:
        toks = officials(srv)
        app_tok = applicant(srv, "001090000010")

        async def run():
            before = denials(srv, "user_add") + denials(srv, "user_disable") + denials(srv, "user_roles")
            n = 0
            for who, tok in [("applicant", app_tok), ("auditor", toks["kiem.toan"]), ("leader", toks["chu.tich"])]:
                c = await Client.open(srv, tok)
                for op, fields in [("user_add", dict(account="z.x01", name="Z", agency="H13.X01", roles=["reception"])),
                                   ("user_disable", dict(account="le.tan")),
                                   ("user_roles", dict(account="le.tan", roles=["leader"]))]:
                    r = await c.request(op, **fields)
                    F.eq(error(r)[0], "forbidden", "%s by the %s: %r" % (op, who, r))
                    n += 1
                await c.close()
            after = denials(srv, "user_add") + denials(srv, "user_disable") + denials(srv, "user_roles")
            F.eq(after - before, n, "each is counted as an access denial")
            c = await Client.open(srv)
            r = await c.request("user_add", account="z.x01", name="Z", agency="H13.X01", roles=["reception"])
            F.eq(error(r)[0], "unauthenticated", "without a session: %r" % r)
            r = await c.request("agencies")
            F.eq(error(r)[0], "unauthenticated", "the directory needs a session: %r" % r)
            await c.close()
            st, _, _ = srv.http("POST", "/api/login", {"id": "z.x01", "password": PASSWORD})
            F.eq(st, 401, "nothing was made")

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "refused: motcuad stops cleanly")


def directory():
    """`agencies` answers every agency of the directory in effect with what the directory holds;
    `officials` the officials of an agency with their roles, to its officials, auditors and system
    administrators only."""
    srv = Server(MOTCUAD, workdir("directory")).start()
    try:
        toks = officials(srv)
        app_tok = applicant(srv, "001090000011")
        adm = system_admin(srv)
        srv.admin("user_disable", account="chuyen.vien")

        async def run():
            app = await Client.open(srv, app_tok)
            r = await app.request("agencies")
            F.check(r.get("ok") and r.get("count") == len(r.get("agencies", [])) == 10,
                    "every agency of the bundled directory: %r" % r.get("count"))
            by = {a["code"]: a for a in r.get("agencies", [])}
            F.eq(sorted(by), sorted(["H13", "H13.TTHCC", "H13.STP", "H13.SXD", "H13.CA", "H13.TAND", "H13.BD",
                                     "H13.X01", "H13.X02", "H13.X03"]), "their codes, in order")
            top, tthcc, x01 = by.get("H13", {}), by.get("H13.TTHCC", {}), by.get("H13.X01", {})
            F.eq(sorted(top), ["address", "code", "contacts", "departments", "level", "name", "office_hours",
                               "parent"], "an agency's fields")
            F.eq((top.get("level"), top.get("parent"), top.get("address")),
                 ("province", None, "Số 10 đường Phù Đổng Thiên Vương, phường Suối Hoa, tỉnh Bắc Ninh"), "H13")
            F.eq(tthcc.get("contacts"), {"email": "tthcc@bacninh.gov.vn", "phone": "0222 3999 888", "website": None},
                 "contacts")
            F.eq(tthcc.get("departments"), [{"code": "TN", "name": "Bộ phận tiếp nhận và trả kết quả"}], "departments")
            F.eq((x01.get("name"), x01.get("level"), x01.get("parent")),
                 ("Ủy ban nhân dân phường Kinh Bắc", "commune", "H13"), "H13.X01")
            hours = x01.get("office_hours") or {}
            F.eq((hours.get("calendar"), hours.get("timezone"), hours.get("mon"), hours.get("sat"), hours.get("sun")),
                 ("vn", "Asia/Ho_Chi_Minh", ["07:30-11:30", "13:00-17:00"], [], []), "office hours: %r" % hours)
            # The officials of an agency.
            rec = await Client.open(srv, toks["le.tan"])
            r = await rec.request("officials", agency="H13.X01")
            F.check(r.get("ok") and r.get("agency") == "H13.X01", "reception of H13.X01 lists its officials: %r" % r)
            got = {o["account"]: o for o in r.get("officials", [])}
            F.eq(sorted(got), ["chu.tich", "chuyen.vien", "le.tan"], "H13.X01's officials, no one else's")
            F.eq(got.get("chuyen.vien"), {"account": "chuyen.vien", "name": "Cán bộ chuyen.vien",
                                          "roles": ["specialist"], "disabled": True}, "an official's row")
            F.eq(r.get("count"), 3, "counted")
            r = await app.request("officials", agency="H13.X01")
            F.eq(error(r)[0], "forbidden", "an applicant: %r" % r)
            x02 = await Client.open(srv, toks["le.tan.x02"])
            r = await x02.request("officials", agency="H13.X01")
            F.eq(error(r)[0], "forbidden", "another agency's official: %r" % r)
            r = await x02.request("officials", agency="H13.X02")
            F.eq([o["account"] for o in r.get("officials", [])], ["le.tan.x02"], "its own agency: %r" % r)
            aud = await Client.open(srv, toks["kiem.toan"])
            r = await aud.request("officials", agency="H13.BD")
            F.eq([o["account"] for o in r.get("officials", [])], ["buu.ta"], "an auditor, any agency: %r" % r)
            r = await aud.request("officials", agency="H99")
            F.eq(error(r)[0], "not_found", "an agency not in the directory: %r" % r)
            sa = await Client.open(srv, adm)
            r = await sa.request("officials", agency="H13.X01")
            F.eq(r.get("count"), 3, "a system administrator: %r" % r.get("count"))
            r = await sa.request("officials")
            F.eq((error(r)[0], r.get("error", {}).get("field")), ("bad_request", "agency"), "no agency: %r" % r)
            r = await sa.request("agencies", level="commune")
            F.eq((error(r)[0], r.get("error", {}).get("field")), ("bad_request", "level"), "an unknown field: %r" % r)
            for c in (app, rec, x02, aud, sa):
                await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "directory: motcuad stops cleanly")


def admin_lines(srv, *requests):
    """Sends requests to the admin socket in one write (the server reads them in one go) and returns
    their replies, in order."""
    import json
    import socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(os.path.join(srv.data, "motcuad.sock"))
        sock.sendall("".join(json.dumps(dict(r, id="a%d" % i)) + "\n" for i, r in enumerate(requests)).encode())
        buf = b""
        while buf.count(b"\n") < len(requests):
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
    return sorted((json.loads(line) for line in buf.splitlines()), key=lambda r: r["id"])


def same_millisecond():
    """Two requests that change an account, in the same millisecond, are two requests: the second is
    decided on its own (the account is disabled already, has these roles already), not answered as a
    retry of the first (their command ids were the op, the account and the instant)."""
    srv = Server(MOTCUAD, workdir("same_millisecond")).start()
    try:
        officials(srv)
        adm = agency_admin(srv)
        r = admin_lines(srv, {"op": "user_disable", "account": "le.tan"}, {"op": "user_disable", "account": "le.tan"})
        F.eq([x.get("ok") for x in r], [True, False], "disabled once, then refused: %r" % r)
        F.eq(error(r[-1]), ("conflict", "account_already_disabled"), "the second is decided: %r" % r[-1])
        r = admin_lines(srv, {"op": "user_roles", "account": "chu.tich", "roles": ["leader", "specialist"]},
                        {"op": "user_roles", "account": "chu.tich", "roles": ["leader", "specialist"]})
        F.eq(error(r[-1]), ("conflict", "roles_same"), "the same roles twice: %r" % r)

        async def run():
            c = await Client.open(srv, adm)
            got = await asyncio.gather(*[c.request("user_roles", account="chuyen.vien", roles=["specialist", "leader"])
                                         for _ in range(2)])
            F.eq(sorted(str(error(x)) for x in got), sorted([str((None, None)), str(("conflict", "roles_same"))]),
                 "over the WebSocket, sent at once: %r" % got)
            await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "same_millisecond: motcuad stops cleanly")


SCENARIOS = {"agency_admin": agency_admin_scenario, "disable_reassign": disable_reassign, "password": password,
             "procedure_role": procedure_role, "system_admin": system_admin_scenario, "refused": refused,
             "directory": directory, "same_millisecond": same_millisecond}

if __name__ == "__main__":
    run_scenarios(SCENARIOS, F, ROOT, sys.argv[3:])
