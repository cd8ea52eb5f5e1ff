#!/usr/bin/python3
"""test_protocol_examples.py — every WebSocket example of docs/PROTOCOL.md, sent as it is written.

  test_protocol_examples.py MOTCUAD PROTOCOL_MD

A client is written from docs/PROTOCOL.md alone: each request example ("→ {...}") must parse as
JSON and be a request the server takes — never refused as malformed (bad_request), unless the
reply shown beside it is that refusal. Where the document shows the reply ("← {...}") and it parses:
the same error code, or, for an ok reply shown, either ok with at least the keys shown, or a
refusal of the dossier's state (this run's dossiers are not the document's). Dossier codes are
replaced by a dossier of this run, tokens by a real one; the sender is the role the op is for (an
annotation after the example names another: "(an applicant)", "(by the agency_admin of H13.X01)").
Prints what failed and exits 1 if anything did.
"""
import asyncio
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motcua_client import (EXAMPLE_PNG, EXAMPLE_PNG_SHA256, Clamd, Client, Failures, Server, applicant,  # noqa: E402
                           officials, run_scenarios, submit, upload)

MOTCUAD, PROTOCOL = sys.argv[1], sys.argv[2]
F = Failures()
ROOT = tempfile.mkdtemp(prefix="motcuad-examples-")
os.chmod(ROOT, 0o755)
CODE = re.compile(r"H13\.X01-\d{6}-\d{4}")


def balanced(text, start):
    """The JSON value starting at text[start] ('{'), up to its closing brace, and the rest of its line."""
    depth, in_str, esc = 0, False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_str:
            esc = (ch == "\\") and not esc
            if ch == '"' and not esc:
                in_str = False
            elif ch != "\\":
                esc = False
            continue
        if ch == '"':
            in_str = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                end = text.find("\n", i)
                return text[start:i + 1], text[i + 1:end if end >= 0 else len(text)]
    return None, ""


def examples():
    """[(line, request text, annotation, reply text or None)] of every "→ {" with an "op"."""
    text = open(PROTOCOL, encoding="utf-8").read()
    out = []
    for m in re.finditer(r"^→ \{", text, re.M):
        req, note = balanced(text, m.start() + 2)
        if req is None or '"op"' not in req:
            continue
        after = m.start() + 2 + len(req)
        nxt = re.search(r"^(←|→) ", text[after:], re.M)
        reply = None
        if nxt and nxt.group(1) == "←":
            reply, _ = balanced(text, after + nxt.start() + 2)
        out.append((text.count("\n", 0, m.start()) + 1, req, note.strip(), reply))
    return out


SENDER = {"submit": "applicant", "withdraw": "applicant", "rate": "applicant", "subscribe": "applicant",
          "extend": "leader", "assign": "leader", "stop": "leader", "reads": "auditor"}
STATE_REFUSALS = {"refused", "conflict", "forbidden", "not_found"}


def send_all():
    d = os.path.join(ROOT, "server")
    os.makedirs(d)
    os.chmod(d, 0o755)
    clamd = Clamd(d).start()
    srv = Server(MOTCUAD, d, "clamd_socket = %s\n" % clamd.sock).start()
    try:
        toks = officials(srv)
        toks["applicant"] = applicant(srv, "001090001234")
        # The scan the examples name, uploaded as the HTTP examples show.
        F.eq(upload(srv, toks["applicant"], "trang 1.png", EXAMPLE_PNG, agency="H13.X01")[0], 201, "the example scan")
        otp = srv.add_user("quan.tri", "Quản trị H13.X01", ["agency_admin"], "H13.X01")
        toks["agency_admin"] = srv.login_changing("quan.tri", otp, "một mật khẩu đủ dài")

        async def run():
            conns = {}

            async def conn(who):
                if who not in conns:
                    conns[who] = await Client.open(srv, toks[who])
                return conns[who]

            a = await conn("applicant")
            code = (await submit(a, "ex-setup", documents=[{"name": "giay_chung_sinh",
                                                            "files": [EXAMPLE_PNG_SHA256]}]))["dossier"]
            for line, req_text, note, reply_text in examples():
                where = "docs/PROTOCOL.md:%d" % line
                try:
                    req = json.loads(req_text)
                except ValueError as e:
                    F.check(False, "%s: the example cannot be sent as written (%s)" % (where, e))
                    continue
                op = req.get("op")
                who = ("applicant" if "an applicant" in note else "agency_admin" if "agency_admin" in note
                       else SENDER.get(op, "le.tan"))
                if op == "submit" and req.get("channel") in ("desk", "post"):
                    who = "le.tan"
                if op == "reads" or op == "agencies":
                    who = "kiem.toan" if op == "reads" else who
                if who == "auditor":
                    who = "kiem.toan"
                if who == "leader":
                    who = "chu.tich"
                body = json.loads(CODE.sub(code, json.dumps(req, ensure_ascii=False)))
                if op == "hello":
                    body["token"] = toks[who]
                if "command_id" in body:
                    body["command_id"] = "ex-%d" % line
                c = await conn(who)
                r = await c.request(body.pop("op"), **{k: v for k, v in body.items() if k != "id"})
                err = r.get("error") or {}
                try:
                    shown = json.loads(CODE.sub(code, reply_text)) if reply_text else None
                except ValueError:
                    shown = None  # a reply shown cut ("...")
                if shown is not None and not shown.get("ok", True):
                    F.eq(err.get("code"), shown["error"]["code"], "%s: %s answered as shown" % (where, op))
                    continue
                F.check(err.get("code") != "bad_request", "%s: %s is refused as malformed: %r" % (where, op, err))
                if r.get("ok") and shown is not None:
                    missing = sorted(set(shown) - set(r) - {"id"})
                    F.eq(missing, [], "%s: the reply to %s has the keys shown" % (where, op))
                elif not r.get("ok"):
                    F.check(err.get("code") in STATE_REFUSALS | {"password_change_required"},
                            "%s: %s refused only by this run's state: %r" % (where, op, err))
            for c in conns.values():
                await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "motcuad stops cleanly")
        clamd.stop()


run_scenarios({"send_all": send_all}, F, ROOT, sys.argv[3:])
