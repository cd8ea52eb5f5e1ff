// motcuad.mjs — a real motcuad for a browser test: a fresh data directory
// with the bundled workflows, a free port on loopback (its --ready-file says
// which), stopped with SIGTERM (and killed if it does not stop within 10 s).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, chmodSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function startMotcuad(motcuad, extraConfig = "") {
  const dir = mkdtempSync(join(tmpdir(), "motcua-e2e-"));
  chmodSync(dir, 0o755); // the server runs as the unprivileged user "motcua" when the tests run as root
  const conf = join(dir, "motcuad.conf"), ready = join(dir, "ready");
  writeFileSync(conf, `listen = 127.0.0.1:0\ndata = ${join(dir, "data")}\n` +
    (process.getuid && process.getuid() === 0 ? "user = motcua\n" : "") + extraConfig);
  const out = [];
  const proc = spawn(motcuad, ["--config", conf, "--ready-file", ready], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout.on("data", (b) => out.push(b));
  proc.stderr.on("data", (b) => out.push(b));
  const deadline = Date.now() + 30000;
  while (!(existsSync(ready) && readFileSync(ready, "utf8").trim())) {
    if (Date.now() > deadline || proc.exitCode !== null)
      throw new Error("motcuad did not start: " + Buffer.concat(out).toString().slice(-800));
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const port = Number(readFileSync(ready, "utf8").trim());
  const admin = /one-time password (\S+)/.exec(Buffer.concat(out).toString());
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    adminPassword: admin ? admin[1] : null,
    output: () => Buffer.concat(out).toString(),
    async stop() {
      if (proc.exitCode === null) {
        proc.kill("SIGTERM");
        const killAt = Date.now() + 10000;
        while (proc.exitCode === null && Date.now() < killAt) await new Promise((ok) => setTimeout(ok, 50));
        if (proc.exitCode === null) proc.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ClamAV's daemon for a test (never the system's service): a temporary socket
// and database with one body signature for the EICAR test string, its
// heuristics off.  Up once it answers PING; null when Debian's clamd is not
// installed.
export async function startClamd() {
  const { existsSync: has } = await import("node:fs");
  if (!has("/usr/sbin/clamd")) return null;
  const net = await import("node:net");
  const dir = mkdtempSync(join(tmpdir(), "motcua-clamd-"));
  chmodSync(dir, 0o755);
  const sock = join(dir, "clamd.sock");
  const eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  const db = join(dir, "db");
  (await import("node:fs")).mkdirSync(db);
  writeFileSync(join(db, "motcua-test.ndb"), `Motcua.Test.EICAR:0:*:${Buffer.from(eicar).toString("hex")}\n`);
  writeFileSync(join(dir, "clamd.conf"), `LocalSocket ${sock}\nLocalSocketMode 666\nDatabaseDirectory ${db}\n` +
    `Foreground yes\nLogFile ${dir}/clamd.log\nMaxFileSize 40M\nStreamMaxLength 50M\nAlertExceedsMax yes\n` +
    "HeuristicAlerts no\n");
  const proc = spawn("/usr/sbin/clamd", ["-c", join(dir, "clamd.conf")], { stdio: "ignore" });
  const ping = () => new Promise((ok) => {
    const c = net.createConnection(sock, () => c.write("zPING\0"));
    c.on("data", (b) => { ok(b.toString().startsWith("PONG")); c.destroy(); });
    c.on("error", () => ok(false));
  });
  const deadline = Date.now() + 30000;
  while (!(await ping())) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error("clamd did not start");
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return {
    sock,
    async stop() {
      proc.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The test's text-message gateway and SMTP server (tests/integration/mail_sink.py,
// Debian's Python): each message a file in `dir`; `sms_url` for motcuad.
export async function startSink() {
  const net = await import("node:net");
  const { fileURLToPath } = await import("node:url");
  const { dirname } = await import("node:path");
  const free = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => {
    const p = s.address().port; s.close(() => ok(p)); }); });
  const dir = mkdtempSync(join(tmpdir(), "motcua-sink-"));
  chmodSync(dir, 0o777);
  const [smtp, http] = [await free(), await free()];
  const script = join(dirname(fileURLToPath(import.meta.url)), "..", "integration", "mail_sink.py");
  const proc = spawn("/usr/bin/python3", [script, dir, String(smtp), String(http)], { stdio: "ignore" });
  const deadline = Date.now() + 20000;
  while (!existsSync(join(dir, "ready"))) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error("the message sink did not start");
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return {
    dir,
    config: `sms_url = http://127.0.0.1:${http}/sms\n`,
    // The six-digit code of the last text message to `phone` (other than `not`: an
    // earlier code), waiting for it (at most 20 s).
    async code(phone, not = null) {
      const { readdirSync } = await import("node:fs");
      const until = Date.now() + 20000;
      while (Date.now() < until) {
        const number = (n) => Number(/(\d+)/.exec(n)[1]);
        for (const f of readdirSync(dir).filter((n) => n.startsWith("sms-")).sort((a, b) => number(b) - number(a))) {
          try {
            const m = JSON.parse(readFileSync(join(dir, f), "utf8"));
            if (JSON.stringify(m).includes(phone)) {
              const c = /\b(\d{6})\b/.exec(m.text || "");
              if (c && c[1] !== not) return c[1];
              if (c) break; /* the newest is the earlier code: the new one has not come yet */
            }
          } catch { /* still being written */ }
        }
        await new Promise((ok) => setTimeout(ok, 100));
      }
      return null;
    },
    stop() {
      proc.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A TCP relay in front of motcuad that a test can cut: every connection
// through it is dropped at once (`cut`), as a phone's link drops; new ones
// are relayed again.
export async function startRelay(target) {
  const net = await import("node:net");
  const { port: to } = new URL(target);
  const live = new Set();
  const server = net.createServer((client) => {
    const up = net.connect(Number(to), "127.0.0.1");
    const pair = { client, up };
    live.add(pair);
    // Towards the server at relay.pace bytes a second when set (a slow uplink), else as it comes.
    client.on("data", (b) => {
      up.write(b);
      if (relay.pace) {
        client.pause();
        setTimeout(() => client.resume(), (b.length / relay.pace) * 1000);
      }
    });
    up.pipe(client);
    const end = () => { live.delete(pair); client.destroy(); up.destroy(); };
    client.on("error", end);
    up.on("error", end);
    client.on("close", end);
    up.on("close", end);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const relay = {
    pace: 0,
    url: `http://127.0.0.1:${server.address().port}`,
    cut() {
      const n = live.size;
      for (const { client, up } of [...live]) { client.destroy(); up.destroy(); }
      live.clear();
      return n;
    },
    stop() { for (const { client, up } of live) { client.destroy(); up.destroy(); } server.close(); },
  };
  return relay;
}

// A session's token (POST /api/login).
export async function login(url, id, password) {
  const r = await fetch(url + "/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id, password }) });
  return (await r.json()).token;
}

// One request over a WebSocket opened by `page` (on the server's origin) with `token`.
export function wsRequest(page, token, op, fields = {}) {
  return page.evaluate(async ([token, op, fields]) => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    const replies = [];
    await new Promise((ok, ko) => { ws.onopen = ok; ws.onerror = ko; });
    ws.onmessage = (e) => { const m = JSON.parse(e.data); replies.push(...(Array.isArray(m) ? m : [m])); };
    const wait = async (id) => {
      for (let i = 0; i < 300; i++) {
        const r = replies.find((m) => m.id === id);
        if (r) return r;
        await new Promise((ok) => setTimeout(ok, 20));
      }
      return { ok: false, error: { code: "timeout" } };
    };
    ws.send(JSON.stringify({ op: "hello", id: "h", token }));
    const hello = await wait("h");
    if (!hello.ok) return hello;
    ws.send(JSON.stringify({ op, id: "r", ...fields }));
    const r = await wait("r");
    ws.close();
    return r;
  }, [token, op, fields]);
}

// An account made through the admin socket (`motcua user add`): its one-time password.
// An official has an agency; an applicant a phone instead.
export function userAdd(motcua, server, account, name, roles, agency) {
  const args = ["user", "add", join(server.dir, "data"), account, "--name", name, "--roles", roles];
  if (agency) args.push("--agency", agency);
  else args.push("--phone", "0912345678");
  return /one-time password (\S+)/.exec(execFileSync(motcua, args, { encoding: "utf8" }))[1];
}
