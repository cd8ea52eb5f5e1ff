#!/usr/bin/python3
"""test_read_side.py — what officials and citizens read (issue 17), against a real motcuad:

  test_read_side.py MOTCUAD MOTCUA [SCENARIO...]

Scenarios (all by default): full_and_history, queue_live, transfer_pushes, search_access, reads_recorded, public_url.  Prints what
failed and exits 1 if anything did.
"""
import asyncio
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motcua_client import workdirs, BIRTH_FORM, Client, Failures, Server, applicant, officials, run_scenarios, submit, walk_in  # noqa: E402,E501

MOTCUAD, MOTCUA = sys.argv[1], sys.argv[2]
F = Failures()
ROOT, workdir = workdirs("motcuad-read-")



def full_and_history():
    """An official opens a desk dossier in full: the applicant block, the e-form with labels, the
    documents, the step and who may do what; the supplement list reaches the history and the push."""
    srv = Server(MOTCUAD, workdir("full_and_history")).start()
    try:
        toks = officials(srv)

        async def run():
            rec = await Client.open(srv, toks["le.tan"])
            spe = await Client.open(srv, toks["chuyen.vien"])
            r = await submit(rec, "fh-1", channel="desk",
                             applicant=walk_in("001190004321", address="Số 5 Lý Thái Tổ", phone="0912345670"))
            code = r["dossier"]
            sub = await spe.request("subscribe", scope="agency")
            g = await rec.request("get", dossier=code)
            d = g.get("dossier", {})
            F.eq((d.get("applicant") or {}).get("name"), "Trần Thị Bình", "the applicant block: %r" % d.get("applicant"))
            F.eq((d.get("applicant") or {}).get("address"), "Số 5 Lý Thái Tổ", "with its address")
            F.eq([f["label"] for f in d.get("form", [])][:1], ["Họ, chữ đệm và tên của trẻ"], "the form's labels")
            F.eq([(x["name"], x["state"]) for x in d.get("documents", [])], [("giay_chung_sinh", "missing")],
                 "the certificate is missing")
            F.eq([s["step"] for s in d.get("open_steps", [])], ["reception"], "at reception")
            F.eq(sorted(c["action"] for c in d.get("can", [])),
                 ["accept", "reject", "request_supplement", "transfer", "withdraw"], "reception's buttons: %r" % d.get("can"))
            g2 = await spe.request("get", dossier=code)
            F.eq(g2.get("dossier", {}).get("can"), [], "a specialist has nothing to do at reception")
            ask = "Bổ sung Giấy chứng sinh (bản chính)"
            r = await rec.request("act", command_id="fh-2", dossier=code, expected_version=1,
                                  action="request_supplement", reason=ask)
            F.check(r.get("ok"), "the supplement is asked: %r" % r)
            pushed = await spe.pushes_until(lambda p: p.get("type") == "dossier.supplement_requested", timeout=10)
            F.eq(pushed[-1].get("reason"), ask, "the push carries the list as written")
            h = await rec.request("history", dossier=code)
            F.eq([(e["action"], e.get("reason")) for e in h.get("history", [])],
                 [("submit", None), ("request_supplement", ask)], "the history: %r" % h)
            F.eq(h["history"][1]["by"]["name"], "Cán bộ le.tan", "who acted, by name")
            # A stale version: the error in Vietnamese, the current version as a number; in English for
            # a client that said so in hello.
            r = await rec.request("act", command_id="fh-3", dossier=code, expected_version=1, action="accept")
            e = r.get("error", {})
            F.eq((e.get("code"), e.get("key"), e.get("version")), ("conflict", "version_stale", 2), "stale: %r" % e)
            F.check("vui lòng tải lại" in e.get("message", "") and "reload" in e.get("message_en", ""),
                    "message in Vietnamese, message_en beside it: %r" % e)
            en = await Client.open(srv)
            h = await en.request("hello", token=toks["le.tan"], lang="en")
            F.check(h.get("ok"), "hello in English: %r" % h)
            r = await en.request("act", command_id="fh-4", dossier=code, expected_version=1, action="accept")
            F.check("reload" in r.get("error", {}).get("message", ""), "in English: %r" % r)
            r = await en.request("get")
            F.eq(r.get("error", {}).get("message_vi"), "Trường «dossier» bị thiếu hoặc không hợp lệ.",
                 "a server's own error has its Vietnamese too: %r" % r)
            await en.close()
            p = await rec.request("process", procedure="1.001193", definition=d.get("definition"))
            F.eq([s["name"] for s in p.get("steps", [])][:1], ["reception"], "the dossier's own process: %r" % p)
            for c in (rec, spe):
                await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "full_and_history: motcuad stops cleanly")


def queue_live():
    """A queue page, then a subscription to the queue: a new dossier enters, an accepted one leaves
    reception's queue; the next page holds while dossiers arrive."""
    srv = Server(MOTCUAD, workdir("queue_live")).start()
    try:
        toks = officials(srv)
        a_tok = applicant(srv, "001090001234")

        async def run():
            rec = await Client.open(srv, toks["le.tan"])
            a = await Client.open(srv, a_tok)
            codes = [(await submit(a, "ql-%d" % i))["dossier"] for i in range(3)]
            s = await rec.request("subscribe", scope="queue", step="reception")
            F.check(s.get("ok"), "a subscription to reception's queue: %r" % s)
            p1 = await rec.request("queue", step="reception", limit=2)
            F.eq([r["code"] for r in p1.get("rows", [])], codes[:2], "the first page, by due instant: %r" % p1)
            F.eq(p1.get("counts", {}).get("open"), 3, "counted: %r" % p1.get("counts"))
            new = (await submit(a, "ql-9"))["dossier"]
            entered = await rec.pushes_until(lambda p: p.get("push") == "row" and p["row"]["code"] == new, timeout=10)
            F.eq(entered[-1]["row"]["step"], "reception", "the new dossier enters the queue live")
            p2 = await rec.request("queue", step="reception", limit=2, cursor=p1.get("next"))
            F.eq([r["code"] for r in p2.get("rows", [])], [codes[2], new], "the next page: nothing repeated or skipped")
            r = await rec.request("act", command_id="ql-acc", dossier=codes[0], expected_version=1, action="accept")
            F.check(r.get("ok"), "accepted: %r" % r)
            gone = await rec.pushes_until(lambda p: p.get("push") == "row_gone", timeout=10)
            F.eq(gone[-1].get("dossier"), codes[0], "the accepted one leaves reception's queue")
            mine = await a.request("queue")
            F.eq(len(mine.get("rows", [])), 4, "the applicant's own list: %r" % mine)
            F.eq(mine.get("counts"), None, "without an agency's counts")
            for c in (rec, a):
                await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "queue_live: motcuad stops cleanly")


def transfer_pushes():
    """Reception passes a dossier filed at the wrong commune to the competent one before accepting it
    (issue 21): both agencies' subscribers are pushed — the old queue loses the row, the new one gains
    it, each agency's inbox gets the event — the applicant's message is recorded, and it is refused
    once accepted."""
    srv = Server(MOTCUAD, workdir("transfer_pushes")).start()
    try:
        toks = officials(srv)
        a_tok = applicant(srv, "001090001234")

        async def run():
            a = await Client.open(srv, a_tok)
            rec = await Client.open(srv, toks["le.tan"])
            x02 = await Client.open(srv, toks["le.tan.x02"])
            code = (await submit(a, "tp-1"))["dossier"]
            q1 = await rec.request("subscribe", scope="queue", step="reception")
            q2 = await x02.request("subscribe", scope="queue", step="reception")
            i1 = await rec.request("subscribe", scope="agency")
            i2 = await x02.request("subscribe", scope="agency")
            F.check(all(s.get("ok") for s in (q1, q2, i1, i2)), "four subscriptions: %r" % [q1, q2, i1, i2])
            g = await rec.request("get", dossier=code)
            F.check("transfer" in [c["action"] for c in g.get("dossier", {}).get("can", [])],
                    "reception is offered the transfer: %r" % g.get("dossier", {}).get("can"))
            r = await rec.request("transfer", command_id="tp-2", dossier=code, expected_version=1, to="H13.STP",
                                  reason="Sai nơi nộp")
            F.eq(r.get("error", {}).get("key"), "transfer_not_offered", "to an agency not offering it: %r" % r)
            F.check("H13.X02" in r.get("error", {}).get("message", ""), "naming those that do: %r" % r)
            r = await rec.request("transfer", command_id="tp-3", dossier=code, expected_version=1, to="H13.X02")
            F.eq(r.get("error", {}).get("field"), "reason", "the reason is required: %r" % r)
            reason = "Nơi cư trú của người nộp thuộc phường Võ Cường"
            r = await rec.request("transfer", command_id="tp-4", dossier=code, expected_version=1, to="H13.X02",
                                  reason=reason)
            F.check(r.get("ok") and r.get("dossier") == code and r.get("version") == 2, "transferred: %r" % r)
            gone = await rec.pushes_until(lambda p: p.get("push") == "row_gone" and p.get("subscription") == q1.get(
                "subscription"), timeout=10)
            F.eq(gone[-1].get("dossier"), code, "the old queue loses the row")
            left = await rec.pushes_until(lambda p: p.get("push") == "event" and p.get("subscription") == i1.get(
                "subscription") and p.get("type") == "dossier.transferred", timeout=10)
            F.eq((left[-1].get("agency"), left[-1].get("reason")), ("H13.X02", reason),
                 "the old agency's inbox is told where it went, and why")
            row = await x02.pushes_until(lambda p: p.get("push") == "row" and p.get("subscription") == q2.get(
                "subscription"), timeout=10)
            F.eq((row[-1]["row"]["code"], row[-1]["row"]["agency"]), (code, "H13.X02"), "the new queue gains it")
            came = await x02.pushes_until(lambda p: p.get("push") == "event" and p.get("subscription") == i2.get(
                "subscription") and p.get("type") == "dossier.transferred", timeout=10)
            F.eq(came[-1].get("action"), "transfer", "the new agency's inbox gets the event")
            mine = await a.request("get", dossier=code)
            F.eq((mine.get("dossier", {}).get("code"), mine.get("dossier", {}).get("agency")), (code, "H13.X02"),
                 "the applicant reads it at the new agency, with its code")
            h = await x02.request("history", dossier=code)
            last = (h.get("history") or [{}])[-1]
            F.eq((last.get("label"), last.get("from"), last.get("to"), last.get("reason")),
                 ("Chuyển hồ sơ đến Ủy ban nhân dân phường Võ Cường", "H13.X01", "H13.X02", reason),
                 "the history in Vietnamese: %r" % last)
            r = await rec.request("get", dossier=code)
            F.eq(r.get("error", {}).get("code"), "forbidden", "the old agency no longer reads it: %r" % r)
            r = await x02.request("act", command_id="tp-5", dossier=code, expected_version=2, action="accept")
            F.check(r.get("ok"), "the new agency's reception accepts it: %r" % r)
            r = await x02.request("transfer", command_id="tp-6", dossier=code, expected_version=3, to="H13.X03",
                                  reason="Sai nơi nộp")
            F.eq(r.get("error", {}).get("key"), "transfer_accepted", "no transfer after acceptance: %r" % r)
            for c in (a, rec, x02):
                await c.close()

        asyncio.run(run())
        out = subprocess.run([MOTCUA, "outbox", srv.data], capture_output=True, text=True, timeout=30)
        F.check("transferred" in out.stdout, "the applicant's message waits in the outbox: %r" % out.stdout[-400:])
    finally:
        F.eq(srv.stop(), 0, "transfer_pushes: motcuad stops cleanly")


def search_access():
    """Search by name with or without diacritics and by id; an official of another agency finds
    nothing of this one's; an applicant may not search."""
    srv = Server(MOTCUAD, workdir("search_access")).start()
    try:
        toks = officials(srv)
        a_tok = applicant(srv, "001090001234", name="Nguyễn Thị Hương")

        async def run():
            a = await Client.open(srv, a_tok)
            code = (await submit(a, "sa-1"))["dossier"]
            rec = await Client.open(srv, toks["le.tan"])
            other = await Client.open(srv, toks["le.tan.x02"])
            for q in ({"name": "nguyen huong"}, {"name": "Nguyễn Thị HƯƠNG"}, {"id_number": "001090001234"},
                      {"code": code}):
                r = await rec.request("search", **q)
                F.eq([d["code"] for d in r.get("dossiers", [])], [code], "found by %r: %r" % (q, r))
            r = await other.request("search", name="huong")
            F.eq(r.get("dossiers"), [], "another agency's official finds none of X01's: %r" % r)
            r = await a.request("search", name="huong")
            F.eq(r.get("error", {}).get("code"), "forbidden", "an applicant may not search: %r" % r)
            for c in (a, rec, other):
                await c.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "search_access: motcuad stops cleanly")


def reads_recorded():
    """Opening a dossier in full records who read whose data (the applicant's own reading is not
    recorded); the auditor lists it, and `motcua audit reads` exports it after a stop."""
    d = workdir("reads_recorded")
    srv = Server(MOTCUAD, d).start()
    try:
        toks = officials(srv)
        a_tok = applicant(srv, "001090001234")

        async def run():
            a = await Client.open(srv, a_tok)
            code = (await submit(a, "rr-1"))["dossier"]
            await a.request("get", dossier=code)
            rec = await Client.open(srv, toks["le.tan"])
            for _ in range(3):
                await rec.request("get", dossier=code)
            await rec.request("queue")  # rows do not count
            aud = await Client.open(srv, toks["kiem.toan"])
            r = await aud.request("reads", dossier=code)
            F.eq([(x["account"], x["whose"], x["name"]) for x in r.get("reads", [])],
                 [("le.tan", "001090001234", "Nguyễn Văn An")] * 3, "three openings by reception: %r" % r)
            r = await rec.request("reads")
            F.eq(r.get("error", {}).get("code"), "forbidden", "reception may not read the record")
            await rec.request("get", dossier=code)  # written at the stop
            for c in (a, rec, aud):
                await c.close()
            return code

        code = asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "reads_recorded: motcuad stops cleanly")
    out = subprocess.run([MOTCUA, "audit", "reads", srv.data], capture_output=True, text=True)
    F.eq(out.returncode, 0, "audit reads: %s" % out.stderr)
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    F.eq(sum(1 for x in lines if x["dossier"] == code and x["account"] == "le.tan"), 4,
         "the export holds the four openings, the last written at the stop: %r" % lines)


def public_url():
    """The receipt's lookup link is built on the configured public address; a malformed one stops
    the start saying what is wrong."""
    d = workdir("public_url")
    srv = Server(MOTCUAD, d, "public_url = https://dichvucong.bacninh.gov.vn\n").start()
    try:
        a_tok = applicant(srv, "001090001234")

        async def run():
            a = await Client.open(srv, a_tok)
            r = await submit(a, "pu-1")
            F.eq(r.get("status_url"), "https://dichvucong.bacninh.gov.vn/api/status/%s?secret=%s" %
                 (r.get("dossier"), r.get("secret")), "the link on the receipt: %r" % r)
            await a.close()

        asyncio.run(run())
    finally:
        F.eq(srv.stop(), 0, "public_url: motcuad stops cleanly")
    bad = Server(MOTCUAD, workdir("public_url_bad"), "public_url = dichvucong.bacninh.gov.vn/\n")
    bad.write_config()
    out = subprocess.run([MOTCUAD, "--config", bad.config], capture_output=True, text=True, timeout=30)
    F.check(out.returncode != 0 and "public_url" in out.stderr and "https://" in out.stderr,
            "a malformed public_url stops the start: %r" % out.stderr[-300:])


SCENARIOS = {f.__name__: f for f in (full_and_history, queue_live, transfer_pushes, search_access, reads_recorded,
                                      public_url)}
run_scenarios(SCENARIOS, F, ROOT, sys.argv[3:])
