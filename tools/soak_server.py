#!/usr/bin/python3
"""soak_server.py — motcuad holding many connections for a long time (issue 16):
CONNECTIONS WebSockets (default 5,000) stay open for DURATION seconds (default
1,800), each logged in and subscribed as a citizen's page is ("mine"); every
connection pings every 20 s, and a few file a dossier now and then, so that
pushes flow.  motcuad's resident memory is sampled every 30 s.  It prints a
table and one verdict line: memory flat (the last sample within 10 % of the
one taken once every connection was up; RssAnon, motcuad's own memory — VmRSS,
printed beside it, also counts the log's mapped pages, which grow with the
log) and no connection lost.  Prints
figures; never fails on them (exit 0), unless the run itself could not start.

  soak_server.py MOTCUAD [CONNECTIONS] [DURATION]

Run through tools/soak-server.sh (it builds motcuad and raises the file limit).
Loopback only; the connections come from 127.0.0.2 .. 127.0.0.9 (so that
max_per_address, set high here anyway, is exercised as a NAT would be).
"""
import asyncio
import json
import os
import random
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration", "server"))
from motcua_client import BIRTH_FORM, Server, applicant  # noqa: E402

import websockets  # noqa: E402

MOTCUAD = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
DURATION = int(sys.argv[3]) if len(sys.argv) > 3 else 1800
ACCOUNTS = 50
SOURCES = ["127.0.0.%d" % i for i in range(2, 10)]


def rss_kib(pid, key="RssAnon:"):
    """motcuad's memory of its own (RssAnon: heap and stacks), in KiB.  VmRSS also counts the pages
    of the log's memory map it has touched, which grow with the log, not with a leak."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


async def connection(srv, i, token, stats, stop):
    src = SOURCES[i % len(SOURCES)]
    sock = socket.socket()
    sock.bind((src, 0))
    sock.setblocking(False)
    await asyncio.get_event_loop().sock_connect(sock, ("127.0.0.1", srv.port))
    try:
        # The token on the upgrade, as a page that has one does: no hello to wait for (at most a
        # tenth of max_connections may wait for theirs).
        ws = await websockets.connect(srv.url("/ws", ws=True), sock=sock, ping_interval=None, max_size=2 ** 22,
                                      extra_headers={"Authorization": "Bearer " + token})
    except Exception:
        stats["failed_open"] += 1
        return
    stats["open"] += 1
    n = 0

    async def request(op, **f):
        nonlocal n
        n += 1
        f.update(op=op, id="r%d" % n)
        await ws.send(json.dumps(f))

    try:
        await request("subscribe", scope="mine")
        reader = asyncio.ensure_future(drain(ws, stats))
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 20 + random.random() * 5)
            except asyncio.TimeoutError:
                pass
            if stop.is_set():
                break
            await request("ping")
            if i % 100 == 0:  # a few file now and then: pushes flow
                await request("submit", command_id="soak-%d-%d" % (i, n), procedure="1.001193", agency="H13.X01",
                              form=BIRTH_FORM)
        reader.cancel()
        await ws.close()
    except websockets.ConnectionClosed:
        stats["lost"] += 1
    finally:
        stats["open"] -= 1


async def drain(ws, stats):
    try:
        async for _ in ws:
            stats["received"] += 1
    except websockets.ConnectionClosed:
        pass


async def soak(srv, tokens):
    stats = {"open": 0, "failed_open": 0, "lost": 0, "received": 0}
    stop = asyncio.Event()
    tasks = []
    t0 = time.time()
    for i in range(N):
        tasks.append(asyncio.ensure_future(connection(srv, i, tokens[i % len(tokens)], stats, stop)))
        if i % 200 == 199:
            await asyncio.sleep(0.2)
    while stats["open"] + stats["failed_open"] < N and time.time() - t0 < 120:
        await asyncio.sleep(0.5)
    print("%d connections open after %.0f s (%d could not open)" % (stats["open"], time.time() - t0,
                                                                    stats["failed_open"]), flush=True)
    samples = []
    start = time.time()
    print("%8s %14s %12s %12s %14s" % ("seconds", "RssAnon MiB", "VmRSS MiB", "open", "messages in"), flush=True)
    while time.time() - start < DURATION:
        samples.append((time.time() - start, rss_kib(srv.proc.pid)))
        print("%8.0f %14.1f %12.1f %12d %14d" % (samples[-1][0], samples[-1][1] / 1024,
                                                 rss_kib(srv.proc.pid, "VmRSS:") / 1024, stats["open"],
                                                 stats["received"]), flush=True)
        await asyncio.sleep(min(30, max(1, DURATION - (time.time() - start))))
    samples.append((time.time() - start, rss_kib(srv.proc.pid)))
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    first, last = samples[0][1], samples[-1][1]
    growth = (last - first) / first if first else 0
    print("RssAnon %.1f MiB once all were open, %.1f MiB at the end (%+.1f %%); peak %.1f MiB; %d connections lost; "
          "%d messages received" % (first / 1024, last / 1024, 100 * growth, max(s[1] for s in samples) / 1024,
                                    stats["lost"], stats["received"]))
    print("verdict: memory %s, %s" % ("flat" if growth <= 0.10 else "GREW", "no connection lost" if stats["lost"] == 0
                                      else "%d connections LOST" % stats["lost"]))


def main():
    work = tempfile.mkdtemp(prefix="motcua-soak-")
    os.chmod(work, 0o755)
    srv = Server(MOTCUAD, work, config_extra="max_connections = %d\nmax_per_address = %d\nidle_seconds = 120\n"
                 "max_submissions_per_hour = 100000\n" % (N + 100, N + 100))
    srv.start()
    try:
        tokens = [applicant(srv, "0010900%05d" % k) for k in range(ACCOUNTS)]
        asyncio.run(soak(srv, tokens))
    finally:
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
