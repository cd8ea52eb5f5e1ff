#!/usr/bin/python3
"""bench_uploads.py — uploads through motcuad beside their ceilings, measured in the same run
(issue 18), on loopback against a clamd this benchmark starts (one EICAR body signature: what is
measured is motcuad's path, not the size of ClamAV's database):

  bench_uploads.py MOTCUAD [SIZE_MB]          (tools/bench-uploads.sh builds and runs it)

1. One upload of SIZE_MB (20) MB — a PDF, declared, sent in one request, admitted (scanned,
   typed, inspected by libqpdf, fsynced, renamed) — in MB/s from the first byte to the receipt,
   beside a plain write of the same bytes to a file of the same disk with one fsync (the
   ceiling), and beside clamd alone scanning those bytes (the part of the receipt that is the
   scan).
2. motcuad's own memory while receiving ten of them at once: its resident set sampled every
   10 ms, the peak over its resident set before, beside what holding the ten whole would take.
3. Scans per second of small scans (a 64 KB PNG) through motcuad — declared, sent, admitted, two
   clients at once — beside clamd alone scanning the same bytes over INSTREAM, two at once.
Prints figures, never fails on them.
"""
import concurrent.futures
import hashlib
import http.client
import json
import os
import socket
import struct
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration",
                                "server"))
from motcua_client import Clamd, Server, applicant, make_pdf, make_png  # noqa: E402

MOTCUAD = sys.argv[1]
SIZE_MB = int(sys.argv[2]) if len(sys.argv) > 2 else 20


def big_pdf(mb, salt):
    """A PDF of about `mb` MB: one page whose content stream is incompressible bytes."""
    rnd = hashlib.sha256(salt).digest()
    body = bytearray()
    block = rnd
    while len(body) < mb * 1024 * 1024:
        block = hashlib.sha256(block).digest()
        body += block * 64
    return make_pdf(stream=bytes(body))


def png(nbytes, salt):
    """A PNG of about `nbytes`, stored uncompressed: incompressible rows."""
    rows, seed = [], salt
    while len(rows) * 384 < nbytes:
        seed = hashlib.sha256(seed).digest()
        rows.append((seed * 12)[:384])
    return make_png(128, rows, 0)


def upload(port, token, data, name="scan.pdf"):
    """Declare and send in one request; the receipt's status and body."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    hdr = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    c.request("POST", "/api/uploads", json.dumps({"name": name, "size": len(data)}), hdr)
    r = c.getresponse()
    decl = json.loads(r.read())
    hdr["Content-Type"] = "application/octet-stream"
    c.request("POST", "/api/uploads/%s?offset=0" % decl["upload"], data, hdr)
    r = c.getresponse()
    body = json.loads(r.read())
    c.close()
    return r.status, body


def clamd_scan(sock, data):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock)
        s.sendall(b"zINSTREAM\0")
        for off in range(0, len(data), 65536):
            part = data[off:off + 65536]
            s.sendall(struct.pack(">I", len(part)) + part)
        s.sendall(struct.pack(">I", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            got = s.recv(4096)
            if not got:
                break
            reply += got
    return reply.rstrip(b"\0").decode()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    root = tempfile.mkdtemp(prefix="motcua-bench-uploads-")
    os.chmod(root, 0o755)
    clamd = Clamd(root).start()
    limit = (SIZE_MB + 5) * 1024 * 1024
    srv = Server(MOTCUAD, root, "clamd_socket = %s\nmax_file_bytes = %d\nmax_account_upload_bytes = 2000000000\n"
                 "max_dossier_upload_bytes = 2000000000\n" % (clamd.sock, limit)).start()
    rows = []
    try:
        tokens = [applicant(srv, "00109000%04d" % i) for i in range(10)]
        pdfs = [big_pdf(SIZE_MB, b"%d" % i) for i in range(11)]
        mb = len(pdfs[0]) / 1e6

        # 1. one upload, beside a plain write with fsync and clamd alone.
        plain = os.path.join(root, "plain")
        t = time.perf_counter()
        with open(plain, "wb") as f:
            f.write(pdfs[10])
            f.flush()
            os.fsync(f.fileno())
        t_plain = time.perf_counter() - t
        os.unlink(plain)
        t = time.perf_counter()
        verdict = clamd_scan(clamd.sock, pdfs[10])
        t_clamd = time.perf_counter() - t
        t = time.perf_counter()
        st, body = upload(srv.port, tokens[0], pdfs[0])
        t_up = time.perf_counter() - t
        ok = st == 201 and body.get("state") == "clean"
        rows.append(("%d MB upload, first byte to receipt" % round(mb), "%.0f MB/s%s" % (mb / t_up, "" if ok else
                                                                                         " (NOT ADMITTED: %r)" % body),
                     "plain write + fsync %.0f MB/s; clamd alone %.0f MB/s (%s)" % (mb / t_plain, mb / t_clamd,
                                                                                  verdict)))

        # 2. ten at once: motcuad's resident set.
        pid = srv.proc.pid
        base = rss_kb(pid)
        peak = [base]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kb(pid))
                time.sleep(0.01)
        th = threading.Thread(target=sample)
        th.start()
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(10) as ex:
            results = list(ex.map(lambda i: upload(srv.port, tokens[i], pdfs[i + 1] if i < 9 else pdfs[10]),
                                  range(10)))
        t10 = time.perf_counter() - t
        done.set()
        th.join()
        admitted = sum(1 for s, b in results if s == 201)
        rows.append(("10 x %d MB at once: motcuad's memory" % round(mb),
                     "+%.1f MB over %.1f MB resident (%d/10 admitted, %.0f MB/s together)" %
                     ((peak[0] - base) / 1024, base / 1024, admitted, 10 * mb / t10),
                     "holding them whole: %.0f MB" % (10 * mb)))

        # 3. scans per second of 64 KB scans, two at once.
        small = [png(64 * 1024, b"s%d" % i) for i in range(200)]
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            got = list(ex.map(lambda i: upload(srv.port, tokens[i % 10], small[i], "p.png")[0], range(len(small))))
        t_srv = time.perf_counter() - t
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            list(ex.map(lambda d: clamd_scan(clamd.sock, d), small))
        t_cl = time.perf_counter() - t
        keep = os.path.join(root, "keep")
        os.makedirs(keep)

        def durable(i):
            """What keeping a file costs alone: written, fsynced, renamed, its folder fsynced."""
            part, final = os.path.join(keep, "p%d" % i), os.path.join(keep, "k%d" % i)
            with open(part, "wb") as f:
                f.write(small[i])
                f.flush()
                os.fsync(f.fileno())
            os.rename(part, final)
            fd = os.open(keep, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            list(ex.map(durable, range(len(small))))
        t_keep = time.perf_counter() - t
        rows.append(("64 KB scans admitted per second (2 clients)", "%.0f/s (%d/%d admitted)" %
                     (len(small) / t_srv, sum(1 for g in got if g == 201), len(small)),
                     "clamd alone: %.0f/s; keeping alone (write, fsync, rename, fsync the folder): %.0f/s" %
                     (len(small) / t_cl, len(small) / t_keep)))
    finally:
        srv.stop()
        clamd.stop()
        import shutil
        shutil.rmtree(root, ignore_errors=True)
    print()
    print("| measure | motcuad | ceiling (same run) |")
    print("|---|---|---|")
    for r in rows:
        print("| %s | %s | %s |" % r)


if __name__ == "__main__":
    main()
