// bench-pages.mjs — what the pages cost a citizen (issue 19): the first load
// of the catalogue and of "my dossiers" — bytes over the wire and the time
// until the screen shows its content — beside a static page of the same size
// served by the same motcuad in the same run, on an unthrottled loopback and
// on a slow mobile link emulated by Chromium (1.6 Mbit/s down, 750 kbit/s up,
// 150 ms round trip); and the time from an official's action to the citizen's
// page showing it.  Five runs each, the median printed.  Prints figures,
// never fails on them.
//
//   node bench-pages.mjs MOTCUAD MOTCUA      (tools/bench-pages.sh)
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { launchOptions } from "./browser.mjs";
import { startMotcuad } from "./motcuad.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const [motcuad, motcua] = process.argv.slice(2);
const RUNS = 5;
const PASSWORD = "một mật khẩu đủ dài";
const SLOW = { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8) };

// The pages plus static pages whose size on the wire is given, in a copy of api/web.
const web = mkdtempSync(join(tmpdir(), "motcua-web-"));
chmodSync(web, 0o755);
cpSync(join(here, "..", "..", "api", "web"), web, { recursive: true });
function staticPage(name, bytes) {
  // Random text: gzip saves little on it, so its size on the wire is about its size.
  const body = randomBytes(Math.max(0, Math.floor(bytes * 0.98) - 300)).toString("base64");
  writeFileSync(join(web, name), `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tĩnh</title></head>` +
    `<body><main><h1 id="done">Trang tĩnh</h1><p>${body}</p></main></body></html>`);
}
staticPage("static-a.html", 1000);
staticPage("static-b.html", 1000);

const median = (l) => [...l].sort((a, b) => a - b)[Math.floor(l.length / 2)];

async function measure(browser, url, ready, slow, setup) {
  const times = [], sizes = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 } });
    if (setup) await setup(ctx);
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    if (slow) await cdp.send("Network.emulateNetworkConditions", slow);
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
    cdp.on("Network.webSocketFrameReceived", (e) => { bytes += (e.response.payloadData || "").length; });
    const t0 = Date.now();
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction(ready, null, { timeout: 60000 });
    times.push(Date.now() - t0);
    await new Promise((ok) => setTimeout(ok, 300)); // what is still arriving counts too
    sizes.push(bytes);
    await ctx.close();
  }
  return { ms: median(times), bytes: median(sizes) };
}

const server = await startMotcuad(motcuad, `web_dir = ${web}\n`);
const browser = await chromium.launch(launchOptions());
const rows = [];
try {
  // An applicant with a few dossiers, logged in for "my dossiers".
  const data = join(server.dir, "data");
  const otp = /one-time password (\S+)/.exec(execFileSync(motcua, ["user", "add", data, "001090001234", "--name",
    "Nguyễn Văn An", "--roles", "applicant", "--phone", "0912345678"], { encoding: "utf8" }))[1];
  const login = async (pw) => (await (await fetch(server.url + "/api/login", { method: "POST",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: "001090001234", password: pw }) })).json());
  const first = await login(otp);
  const page0 = await (await browser.newContext()).newPage();
  await page0.goto(server.url + "/");
  const ws = (token, op, fields) => page0.evaluate(async ([token, op, fields]) => {
    const w = new WebSocket(`ws://${location.host}/ws`);
    const got = [];
    await new Promise((ok) => { w.onopen = ok; });
    w.onmessage = (e) => { const m = JSON.parse(e.data); got.push(...(Array.isArray(m) ? m : [m])); };
    const wait = async (id) => { for (let i = 0; i < 500; i++) { const r = got.find((m) => m.id === id); if (r) return r;
      await new Promise((ok) => setTimeout(ok, 10)); } return null; };
    w.send(JSON.stringify({ op: "hello", id: "h", token }));
    await wait("h");
    w.send(JSON.stringify({ op, id: "r", ...fields }));
    const r = await wait("r");
    w.close();
    return r;
  }, [token, op, fields]);
  await ws(first.token, "change_password", { old: otp, new: PASSWORD });
  const s = await login(PASSWORD);
  const form = { child_name: "Nguyễn Minh Khôi", birth_date: "2026-11-20", gender: "Nam",
    birth_place: "Bệnh viện Đa khoa tỉnh Bắc Ninh", mother_id: "001190004321", phone: "0912345678" };
  for (let i = 0; i < 5; i++)
    await ws(s.token, "submit", { command_id: `b-${i}`, procedure: "1.001193", agency: "H13.X01", form });
  const session = async (ctx) => ctx.addInitScript((v) => sessionStorage.setItem("motcua.session", v),
    JSON.stringify({ token: s.token, account: "001090001234", roles: ["applicant"] }));

  for (const [name, slow] of [["loopback", null], ["slow mobile link", SLOW]]) {
    const cat = await measure(browser, server.url + "/", () => document.querySelectorAll(".results li").length > 0, slow);
    const mine = await measure(browser, server.url + "/mine.html",
      () => document.querySelectorAll(".results li").length === 5, slow, session);
    staticPage("static-a.html", cat.bytes);
    staticPage("static-b.html", mine.bytes);
    // The server reads its pages at start: a second one serves the static pages of these sizes.
    const twin = await startMotcuad(motcuad, `web_dir = ${web}\n`);
    const sa = await measure(browser, twin.url + "/static-a.html", () => !!document.getElementById("done"), slow);
    const sb = await measure(browser, twin.url + "/static-b.html", () => !!document.getElementById("done"), slow);
    await twin.stop();
    rows.push([`the catalogue, first load (${name})`, `${(cat.bytes / 1024).toFixed(1)} KiB, ${cat.ms} ms`,
      `a static page of ${(sa.bytes / 1024).toFixed(1)} KiB: ${sa.ms} ms`]);
    rows.push([`my dossiers, first load, 5 dossiers (${name})`, `${(mine.bytes / 1024).toFixed(1)} KiB, ${mine.ms} ms`,
      `a static page of ${(sb.bytes / 1024).toFixed(1)} KiB: ${sb.ms} ms`]);
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(web, { recursive: true, force: true });
}
console.log("\n| measure | the page | beside it, same run |\n|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
