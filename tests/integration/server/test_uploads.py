#!/usr/bin/python3
"""test_uploads.py — scans uploaded for dossiers (issue 18), against a real motcuad and a real clamd
this test starts (a temporary socket and database with an EICAR body signature):

  test_uploads.py MOTCUAD MOTCUA [SCENARIO...]

Scenarios (all by default): upload_and_file, reuse_and_results, resume, refused, malware, scanner_down,
access, limits, expiry.  Prints what failed and exits 1 if anything did.
"""
import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from motcua_client import (workdirs, EICAR, make_pdf as pdf, make_png, WAIT, Clamd, Client, Failures, Server, applicant, officials,  # noqa: E402
                           run_scenarios, submit, upload, walk_in)

MOTCUAD, MOTCUA = sys.argv[1], sys.argv[2]
F = Failures()
ROOT, workdir = workdirs("motcuad-uploads-")



def png(width=4, height=4):
    return make_png(width, [b"\xff\x80\x00" * width] * height)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def with_clamd(name, config="", **kw):
    d = workdir(name)
    clamd = Clamd(d).start()
    srv = Server(MOTCUAD, d, "clamd_socket = %s\n%s" % (clamd.sock, config), **kw).start()
    return d, clamd, srv


def metric(srv, name):
    _, text, _ = srv.http("GET", "/metrics")
    for line in (text or "").splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def download(srv, url_path):
    status, body, hdrs = srv.http("GET", url_path)
    return status, body, hdrs


def upload_and_file():
    """A citizen uploads the birth certificate as two pages (a PDF and a photographed PNG), gets a
    receipt with the SHA-256 and type; files with both in the certificate's slot; the official sees
    both files, downloads one through a link (recorded), and a forged or expired link gives nothing."""
    d, clamd, srv = with_clamd("upload_and_file")
    try:
        toks = officials(srv)
        tok = applicant(srv, "001090001234")
        page1, page2 = pdf(), png()
        st, r1 = upload(srv, tok, "trang 1.pdf", page1, agency="H13.X01")
        F.eq(st, 201, "a clean PDF is admitted: %r" % r1)
        F.eq((r1.get("state"), r1.get("type"), r1.get("sha256"), r1.get("size")),
             ("clean", "pdf", sha(page1), len(page1)), "the receipt: state, type, hash, size")
        st, bad = upload(srv, tok, "trang 2.png", page2, agency="H13.X99")
        F.eq((st, (bad.get("error") or {}).get("field")), (400, "agency"), "an agency not in the directory: %r" % bad)
        F.check("danh mục" in bad["error"].get("message_vi", ""), "said in Vietnamese: %r" % bad)
        st, r2 = upload(srv, tok, "trang 2.png", page2)
        F.eq((st, r2.get("type")), (201, "png"), "a PNG too")
        st, again, _ = srv.http("GET", "/api/uploads/%s" % r1["upload"], token=tok)
        F.eq((st, again.get("state"), again.get("offset")), (200, "clean", len(page1)), "the upload read back")

        async def run():
            cit = await Client.open(srv, tok)
            off = await Client.open(srv, toks["le.tan"])
            doc = {"name": "giay_chung_sinh", "files": [sha(page1), sha(page2)], "valid_until": None}
            r = await submit(cit, "uf-1", documents=[doc])
            F.check(r.get("ok"), "filed with both pages: %r" % r)
            code = r.get("dossier")
            g = await off.request("get", dossier=code)
            docs = {x["name"]: x for x in g.get("dossier", {}).get("documents", [])}
            F.eq(docs.get("giay_chung_sinh", {}).get("files"), [sha(page1), sha(page2)], "the official sees both files")
            link = await off.request("file_link", dossier=code, sha256=sha(page2))
            F.check(link.get("ok") and link.get("path", "").startswith("/api/files/"), "a link: %r" % link)
            st, body, hdrs = srv.http("GET", link["path"]) if link.get("ok") else (0, None, {})
            F.eq(st, 200, "the link downloads")
            hdrs = {k.lower(): v for k, v in hdrs.items()}
            F.eq(hdrs.get("content-type"), "image/png", "served as what it is")
            F.check("sandbox" in hdrs.get("content-security-policy", ""), "a file is sandboxed: %r" % hdrs)
            with urllib.request.urlopen(srv.url(link["path"]), timeout=WAIT) as resp:
                raw = resp.read()
            F.eq(sha(raw), sha(page2), "the bytes are the upload's")
            forged = link["path"].replace("le.tan", "kiem.toan")
            st, _, _ = srv.http("GET", forged)
            F.eq(st, 403, "a link made for another account gives nothing")
            tampered = link["path"][:-3] + ("AAA" if not link["path"].endswith("AAA") else "BBB")
            st, _, _ = srv.http("GET", tampered)
            F.eq(st, 403, "a tampered link gives nothing")
            other = await off.request("file_link", dossier=code, sha256="0" * 64)
            F.eq((other.get("error") or {}).get("code"), "not_found", "a file the dossier does not have: no link")
            aud = await Client.open(srv, toks["kiem.toan"])
            reads = await aud.request("reads", dossier=code)
            await asyncio.sleep(0)
            await cit.close(), await off.close(), await aud.close()
            return code, reads

        code, reads = asyncio.run(run())
        time.sleep(6)  # the sweep writes the record of reads
        out = subprocess.run([MOTCUA, "audit", "reads", srv.data], capture_output=True, text=True, timeout=WAIT)
        files = [json.loads(x).get("file") for x in out.stdout.splitlines() if '"file"' in x]
        F.check(sha(page2) in files, "the download is recorded (audit reads): %r" % out.stdout[-400:])
        F.eq(metric(srv, "motcua_file_downloads_total"), 2.0, "downloads counted")
        F.check((metric(srv, 'motcua_upload_disk_bytes{area="kept"}') or 0) >= 0, "disk use in /metrics")
        # Both files on disk under their hash.
        for data in (page1, page2):
            h = sha(data)
            F.check(os.path.exists(os.path.join(srv.data, "files", "sha256", h[:2], h)), "kept under its hash")
        # audit verify checks the files the log references.
        srv.stop()
        out = subprocess.run([MOTCUA, "audit", "verify", srv.data], capture_output=True, text=True, timeout=WAIT)
        F.eq(out.returncode, 0, "audit verify with every file: %s" % (out.stdout + out.stderr)[-300:])
        h = sha(page2)
        with open(os.path.join(srv.data, "files", "sha256", h[:2], h), "r+b") as f:
            f.seek(10)
            f.write(b"X")
        out = subprocess.run([MOTCUA, "audit", "verify", srv.data], capture_output=True, text=True, timeout=WAIT)
        F.check(out.returncode != 0 and h[:16] in out.stdout + out.stderr,
                "audit verify names an altered file: %s" % (out.stdout + out.stderr)[-300:])
    finally:
        srv.stop()
        clamd.stop()


def reuse_and_results():
    """What an applicant supplied before is offered for reuse (and reused with all its files); the
    leader signs with the result scanned, which the applicant then downloads."""
    d, clamd, srv = with_clamd("reuse_and_results")
    try:
        toks = officials(srv)
        an = applicant(srv, "001090001234")
        binh = applicant(srv, "001090009999", "Lê Thị Bình")
        p1, p2, result = png(), pdf(), pdf(stream=b"BT (GIAY KHAI SINH) Tj ET")
        for data, name in ((p1, "trang 1.png"), (p2, "trang 2.pdf")):
            F.eq(upload(srv, an, name, data)[0], 201, "%s uploaded" % name)
        F.eq(upload(srv, toks["chu.tich"], "giay khai sinh.pdf", result)[0], 201, "the result scanned by the leader")

        async def run():
            a = await Client.open(srv, an)
            r = await submit(a, "rr-1", documents=[{"name": "giay_chung_sinh", "files": [sha(p1), sha(p2)]}])
            F.check(r.get("ok"), "filed: %r" % r)
            code = r.get("dossier")
            on = await a.request("documents_on_file", procedure="1.001193")
            docs = {x["name"]: x for x in on.get("documents", [])}
            got = docs.get("giay_chung_sinh", {})
            F.eq((got.get("files"), got.get("dossier"), got.get("valid"), got.get("title")),
                 ([sha(p1), sha(p2)], code, True, "Giấy chứng sinh"), "offered for reuse: %r" % on)
            b = await Client.open(srv, binh)
            r = await b.request("documents_on_file", owner="001090001234")
            F.eq((r.get("error") or {}).get("code"), "forbidden", "another applicant's documents: not for Bình")
            rec = await Client.open(srv, toks["le.tan"])
            r = await rec.request("documents_on_file")
            F.eq((r.get("error") or {}).get("code"), "bad_request", "reception names the applicant")
            r = await rec.request("documents_on_file", owner="001090001234", procedure="1.001193")
            F.eq([x["name"] for x in r.get("documents", [])], ["giay_chung_sinh"], "reception sees them too")
            r2 = await submit(a, "rr-2")
            g = await a.request("get", dossier=r2.get("dossier"))
            gd = {x["name"]: x for x in g.get("dossier", {}).get("documents", [])}
            F.eq((gd.get("giay_chung_sinh", {}).get("state"), gd.get("giay_chung_sinh", {}).get("files")),
                 ("reused", [sha(p1), sha(p2)]), "a second dossier reuses both files")
            # The result: accepted, approved, signed with the result's scan, then downloaded.
            spe = await Client.open(srv, toks["chuyen.vien"])
            lea = await Client.open(srv, toks["chu.tich"])
            F.check((await rec.request("act", command_id="rr-a", dossier=code, expected_version=1,
                                       action="accept")).get("ok"), "accepted")
            F.check((await spe.request("act", command_id="rr-b", dossier=code, expected_version=2,
                                       action="approve")).get("ok"), "approved")
            r = await lea.request("act", command_id="rr-c", dossier=code, expected_version=3, action="approve",
                                  documents=[{"name": "giay_khai_sinh", "files": [sha(result)]}])
            F.check(r.get("ok"), "signed with the result's scan: %r" % r)
            g = await a.request("get", dossier=code)
            gd = {x["name"]: x for x in g.get("dossier", {}).get("documents", [])}
            F.eq((gd.get("giay_khai_sinh", {}).get("state"), gd.get("giay_khai_sinh", {}).get("files")),
                 ("issued", [sha(result)]), "the applicant sees the result issued: %r" % gd.keys())
            link = await a.request("file_link", dossier=code, sha256=sha(result))
            F.check(link.get("ok"), "a link to the result: %r" % link)
            if link.get("ok"):
                with urllib.request.urlopen(srv.url(link["path"]), timeout=WAIT) as resp:
                    F.eq(sha(resp.read()), sha(result), "the applicant downloads the result")
            for c in (a, b, rec, spe, lea):
                await c.close()
        asyncio.run(run())
    finally:
        srv.stop()
        clamd.stop()


def send_partial(srv, token, uid, offset, data, total_len):
    """Headers saying total_len bytes, only `data` sent, then the connection dropped."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
    s.sendall(("POST /api/uploads/%s?offset=%d HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" %
               (uid, offset, token, total_len)).encode() + data)
    time.sleep(0.5)
    s.close()


def resume():
    """A dropped connection mid-upload: the server keeps what arrived, says where to go on from, and
    the rest completes the upload with the right hash; a wrong offset is refused with the right one."""
    d, clamd, srv = with_clamd("resume")
    try:
        tok = applicant(srv, "001090001234")
        data = pdf(stream=b"0 0 m 100 100 l S\n" * 40000)  # ~760 KB
        st, decl, _ = srv.http("POST", "/api/uploads", {"name": "ho so.pdf", "size": len(data)}, token=tok)
        F.eq(st, 201, "declared: %r" % decl)
        uid = decl["upload"]
        send_partial(srv, tok, uid, 0, data[:300000], len(data))
        deadline = time.time() + WAIT
        offset = 0
        while time.time() < deadline:
            st, body, _ = srv.http("GET", "/api/uploads/%s" % uid, token=tok)
            offset = body.get("offset", 0)
            if offset == 300000:
                break
            time.sleep(0.1)
        F.eq(offset, 300000, "what arrived before the drop is kept")
        st, body, _ = srv.http("POST", "/api/uploads/%s?offset=0" % uid, raw=data, token=tok,
                               headers={"Content-Type": "application/octet-stream"})
        F.eq((st, body.get("error", {}).get("offset")), (409, 300000), "a wrong offset: refused with the right one")
        st, body, _ = srv.http("POST", "/api/uploads/%s?offset=%d" % (uid, offset), raw=data[offset:], token=tok,
                               headers={"Content-Type": "application/octet-stream"})
        F.eq((st, body.get("state"), body.get("sha256")), (201, "clean", sha(data)), "resumed to a whole, clean file")
        st, body, _ = srv.http("POST", "/api/uploads/%s?offset=%d" % (uid, len(data)), raw=b"x", token=tok,
                               headers={"Content-Type": "application/octet-stream"})
        F.eq(st, 409, "a whole upload takes no more bytes")
        other = applicant(srv, "001090009999", "Lê Văn Cường")
        st, _, _ = srv.http("GET", "/api/uploads/%s" % uid, token=other)
        F.eq(st, 404, "another account does not see it")
    finally:
        srv.stop()
        clamd.stop()


def refused():
    """What a scan may not be is refused with the reason, in Vietnamese too: a program, a PDF with
    JavaScript behind an obfuscated name, a file with text before its PDF header."""
    d, clamd, srv = with_clamd("refused")
    try:
        tok = applicant(srv, "001090001234")
        cases = [
            ("chuong trinh.exe", b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + os.urandom(2000)),
            ("co script.pdf", pdf(extra_catalog=b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> ")),
            ("van ban.pdf", b"hello\n" + pdf()),
            ("ghi chu.txt", "Giấy khai sinh bản sao".encode()),
        ]
        for name, data in cases:
            st, body = upload(srv, tok, name, data)
            e = body.get("error", {}) if isinstance(body, dict) else {}
            F.eq((st, body.get("state"), e.get("code")), (422, "refused", "file_refused"), "%s refused: %r" % (name, body))
            F.check(bool(e.get("message_vi")) and bool(body.get("why")), "%s: why, in Vietnamese too" % name)
            F.check(not os.path.exists(os.path.join(srv.data, "files", "sha256", sha(data)[:2], sha(data))),
                    "%s is not kept" % name)

        async def run():
            c = await Client.open(srv, tok)
            r = await submit(c, "rf-1", documents=[{"name": "giay_chung_sinh", "files": [sha(cases[1][1])]}])
            await c.close()
            return r
        r = asyncio.run(run())
        F.eq((r.get("error") or {}).get("code"), "upload_unknown", "a refused file cannot be referenced")
    finally:
        srv.stop()
        clamd.stop()


def malware():
    """EICAR alone and inside a PDF: refused as infected, the applicant told why, the file
    quarantined, the incident recorded outside the chain and pushed to the agency's officials."""
    d, clamd, srv = with_clamd("malware")
    try:
        toks = officials(srv)
        tok = applicant(srv, "001090001234")

        async def run():
            off = await Client.open(srv, toks["le.tan"])
            await off.request("subscribe", scope="agency")
            results = []
            for name, data in (("eicar.pdf", EICAR), ("nhiem.pdf", pdf(stream=EICAR))):
                results.append((name, data) + upload(srv, tok, name, data, agency="H13.X01"))
            alerts = []
            deadline = time.time() + 10
            while time.time() < deadline and len(alerts) < 2:
                try:
                    m = await off.push(timeout=max(0.1, deadline - time.time()))
                except Exception:
                    break
                if m.get("push") == "alert":
                    alerts.append(m)
            await off.close()
            return results, alerts

        results, alerts = asyncio.run(run())
        for name, data, st, body in results:
            e = body.get("error", {}) if isinstance(body, dict) else {}
            F.eq((st, body.get("state"), e.get("code")), (422, "infected", "infected"), "%s infected: %r" % (name, body))
            F.check("mã độc" in e.get("message_vi", ""), "%s: the applicant told why" % name)
            F.check(os.path.exists(os.path.join(srv.data, "files", "quarantine", sha(data))), "%s quarantined" % name)
            F.check(not os.path.exists(os.path.join(srv.data, "files", "sha256", sha(data)[:2], sha(data))),
                    "%s not kept" % name)
        F.eq(len(alerts), 2, "the agency's officials alerted live: %r" % alerts)
        F.check(all(a.get("kind") == "malware" and a.get("account") == "001090001234" for a in alerts),
                "alerts say what and who")
        F.eq(metric(srv, 'motcua_uploads_total{outcome="infected"}'), 2.0, "counted in /metrics")
        log = open(srv.out).read()
        F.check("MALWARE" in log, "the operator's log says it loudly")
    finally:
        srv.stop()
        clamd.stop()


def scanner_down():
    """With clamd down, an upload is held, never accepted unscanned: /healthz and /metrics say so,
    a reference is told to wait; when clamd is back the held upload is scanned and can be used."""
    d = workdir("scanner_down")
    sock = os.path.join(d, "later.sock")
    srv = Server(MOTCUAD, d, "clamd_socket = %s\n" % sock).start()
    clamd = None
    try:
        tok = applicant(srv, "001090001234")
        data = pdf()
        st, body = upload(srv, tok, "trang 1.pdf", data)
        F.eq((st, body.get("state")), (202, "held"), "held while the scanner is down: %r" % body)
        deadline = time.time() + 15
        health = {}
        while time.time() < deadline:
            _, health, _ = srv.http("GET", "/healthz")
            if (health.get("uploads") or {}).get("scanner") == "unavailable":
                break
            time.sleep(0.5)
        F.eq((health.get("uploads") or {}).get("scanner"), "unavailable", "/healthz says the scanner is down: %r" % health)
        F.eq((health.get("uploads") or {}).get("held"), 1, "and how many uploads wait")
        F.eq(metric(srv, "motcua_malware_scanner_up"), 0.0, "/metrics too")
        F.eq(metric(srv, "motcua_uploads_held"), 1.0, "held in /metrics")
        F.check("MALWARE SCANNER DOES NOT ANSWER" in open(srv.out).read(), "the log says it loudly")

        async def try_submit(cid):
            c = await Client.open(srv, tok)
            r = await submit(c, cid, documents=[{"name": "giay_chung_sinh", "files": [sha(data)]}])
            await c.close()
            return r
        r = asyncio.run(try_submit("sd-1"))
        F.eq((r.get("error") or {}).get("code"), "upload_held", "a held upload cannot be used yet: %r" % r)
        clamd = Clamd(d, sock=sock).start()
        deadline = time.time() + WAIT
        while time.time() < deadline:
            _, body, _ = srv.http("GET", "/api/uploads/%s" % body.get("upload", ""), token=tok) if "upload" in body \
                else (0, body, {})
            if body.get("state") != "held":
                break
            time.sleep(0.5)
        F.eq(body.get("state"), "clean", "scanned once the scanner is back")
        r = asyncio.run(try_submit("sd-2"))
        F.check(r.get("ok"), "then it can be used: %r" % r)
    finally:
        srv.stop()
        if clamd:
            clamd.stop()


def access():
    """Knowing a hash gives nothing: another citizen cannot reference a citizen's upload, nor get a
    link to a dossier they may not read; reception may file a walk-in's scans uploaded at its desk,
    but not a citizen's."""
    d, clamd, srv = with_clamd("access")
    try:
        toks = officials(srv)
        an = applicant(srv, "001090001234")
        binh = applicant(srv, "001090009999", "Lê Thị Bình")
        data = pdf()
        st, _ = upload(srv, an, "a.pdf", data)
        F.eq(st, 201, "An's upload")
        desk = pdf(stream=b"BT (desk scan) Tj ET")
        st, _ = upload(srv, toks["le.tan"], "quet tai quay.pdf", desk)
        F.eq(st, 201, "a scan at the desk")

        async def run():
            b = await Client.open(srv, binh)
            r = await submit(b, "ac-1", documents=[{"name": "giay_chung_sinh", "files": [sha(data)]}])
            F.eq((r.get("error") or {}).get("code"), "upload_unknown", "Bình cannot use An's upload: %r" % r)
            F.eq((r.get("error") or {}).get("field"), "documents[0].files[0]", "the field is named")
            a = await Client.open(srv, an)
            r = await submit(a, "ac-2", documents=[{"name": "giay_chung_sinh", "sha256": sha(data)}])
            F.check(r.get("ok"), "An can (one file as sha256): %r" % r)
            code = r.get("dossier")
            link = await b.request("file_link", dossier=code, sha256=sha(data))
            F.check(not link.get("ok"), "Bình gets no link to An's dossier: %r" % link)
            rec = await Client.open(srv, toks["le.tan"])
            r = await submit(rec, "ac-3", channel="desk", applicant=walk_in("001190004321"),
                             documents=[{"name": "giay_chung_sinh", "files": [sha(desk)]}])
            F.check(r.get("ok"), "reception files a walk-in's desk scan: %r" % r)
            r = await submit(rec, "ac-4", channel="desk", applicant=walk_in("001190004322"),
                             documents=[{"name": "giay_chung_sinh", "files": [sha(data)]}])
            F.eq((r.get("error") or {}).get("code"), "upload_unknown", "but not a citizen's upload")
            x02 = await Client.open(srv, toks["le.tan.x02"])
            r = await submit(x02, "ac-5", agency="H13.X02", channel="desk", applicant=walk_in("001190004323"),
                             documents=[{"name": "giay_chung_sinh", "files": [sha(desk)]}])
            F.eq((r.get("error") or {}).get("code"), "upload_unknown", "nor another agency's desk scan")
            for c in (a, b, rec, x02):
                await c.close()
        asyncio.run(run())
        st, _, _ = srv.http("GET", "/api/files/%s" % sha(data))
        F.eq(st, 403, "a file's address without a link gives nothing")
    finally:
        srv.stop()
        clamd.stop()


def limits():
    """Limits per file, per document, per command and per account, each with a clear error."""
    d, clamd, srv = with_clamd("limits", "max_file_bytes = 200000\nmax_files_per_document = 2\n"
                                         "max_dossier_upload_bytes = 250000\nmax_account_upload_bytes = 600000\n")
    try:
        toks = officials(srv)
        tok = applicant(srv, "001090001234")
        st, body, _ = srv.http("POST", "/api/uploads", {"name": "to.pdf", "size": 300000}, token=tok)
        F.eq((st, body.get("error", {}).get("code"), body.get("error", {}).get("field")), (413, "too_large", "size"),
             "a file over max_file_bytes: %r" % body)
        F.check("MB" in body.get("error", {}).get("message", ""), "the limit is said")
        st, body, _ = srv.http("POST", "/api/uploads", {"name": "rong.pdf", "size": 0}, token=tok)
        F.eq(st, 413, "an empty file")
        pages = [pdf(stream=(b"BT (trang %d) Tj ET " % i) * (6900 if i < 2 else 1)) for i in range(3)]
        hashes = []
        for i, p in enumerate(pages):
            st, body = upload(srv, tok, "trang %d.pdf" % i, p)
            F.eq(st, 201, "page %d uploaded" % i)
            hashes.append(sha(p))

        async def run():
            c = await Client.open(srv, tok)
            r = await submit(c, "li-1", documents=[{"name": "giay_chung_sinh", "files": hashes}])
            F.eq(((r.get("error") or {}).get("code"), (r.get("error") or {}).get("field")),
                 ("too_large", "documents[0].files"), "three files in a two-file slot: %r" % r)
            r = await submit(c, "li-2", documents=[{"name": "giay_chung_sinh", "files": hashes[:2]}])
            F.eq(((r.get("error") or {}).get("code"), (r.get("error") or {}).get("field")),
                 ("too_large", "documents"), "over max_dossier_upload_bytes together: %r" % r)
            # A supplement counts with what the dossier holds already.
            r = await submit(c, "li-3", documents=[{"name": "giay_chung_sinh", "files": hashes[:1]}])
            F.check(r.get("ok"), "one page fits: %r" % r)
            rec = await Client.open(srv, toks["le.tan"])
            F.check((await rec.request("act", command_id="li-4", dossier=r["dossier"], expected_version=1,
                                       action="request_supplement", reason="Bổ sung trang 2")).get("ok"),
                    "a supplement asked")
            r2 = await c.request("act", command_id="li-5", dossier=r["dossier"], expected_version=2,
                                 action="provide_supplement",
                                 documents=[{"name": "giay_chung_sinh", "files": hashes[1:2]}])
            F.eq(((r2.get("error") or {}).get("code"), (r2.get("error") or {}).get("field")),
                 ("too_large", "documents"), "the supplement would take the dossier over: %r" % r2)
            await c.close()
            await rec.close()
        asyncio.run(run())
        big = pdf(stream=b"0 0 m 1 1 l S\n" * 13000)
        n, st = 0, 201
        while st == 201 and n < 10:
            st, body, _ = srv.http("POST", "/api/uploads", {"name": "x.pdf", "size": len(big)}, token=tok)
            n += 1
        F.eq((st, body.get("error", {}).get("code")), (413, "too_large"), "the account's 24 hours are full: %r" % body)
        F.check("24" in body.get("error", {}).get("message", ""), "said as such")
    finally:
        srv.stop()
        clamd.stop()


def expiry():
    """An upload no dossier references is removed after upload_expiry_hours; one a dossier
    references stays (the log decides, even if the server's note of it were lost)."""
    d = workdir("expiry")
    clamd = Clamd(d).start()
    clock = os.path.join(d, "clock")
    with open(clock, "w") as f:
        f.write("0\n")
    srv = Server(MOTCUAD, d, "clamd_socket = %s\nupload_expiry_hours = 1\nsession_hours = 720\n" % clamd.sock,
                 args=["--rehearsal-clock", clock], env=dict(os.environ, MOTCUA_REHEARSAL="1")).start()
    try:
        tok = applicant(srv, "001090001234")
        kept, loose = pdf(), pdf(stream=b"BT (loose) Tj ET")
        upload(srv, tok, "kept.pdf", kept)
        upload(srv, tok, "loose.pdf", loose)

        async def run():
            c = await Client.open(srv, tok)
            r = await submit(c, "ex-1", documents=[{"name": "giay_chung_sinh", "files": [sha(kept)]}])
            await c.close()
            return r
        F.check(asyncio.run(run()).get("ok"), "filed with one of them")
        with open(clock, "w") as f:
            f.write("%d\n" % (3 * 3600 * 1000))
        path = lambda h: os.path.join(srv.data, "files", "sha256", h[:2], h)  # noqa: E731
        deadline = time.time() + WAIT
        while time.time() < deadline and os.path.exists(path(sha(loose))):
            time.sleep(0.5)
        F.check(not os.path.exists(path(sha(loose))), "the loose upload expired")
        F.check(os.path.exists(path(sha(kept))), "the referenced one stays")
        F.check((metric(srv, "motcua_uploads_expired_total") or 0) >= 1, "expiry counted")
    finally:
        srv.stop()
        clamd.stop()


if __name__ == "__main__":
    if not Clamd.available():
        print("test_uploads: no /usr/sbin/clamd (Debian's clamav-daemon): tools/deps.sh installs it")
        sys.exit(1)
    run_scenarios({"upload_and_file": upload_and_file, "reuse_and_results": reuse_and_results, "resume": resume, "refused": refused, "malware": malware,
                   "scanner_down": scanner_down, "access": access, "limits": limits, "expiry": expiry},
                  F, ROOT, sys.argv[3:])
