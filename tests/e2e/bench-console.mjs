// bench-console.mjs — what the officials' console costs at a busy desk
// (issue 20): a reception queue of 10,000 dossiers opened (until its first
// rows and counts show) and scrolled to its end (every page loaded as the list
// scrolls), and the time from a citizen's submit to the new dossier showing
// in the reception queue — each beside the same page over an empty queue (an
// agency with no dossier) in the same run.  Three runs each, the median
// printed.  Prints figures, never fails on them.
//
//   node bench-console.mjs MOTCUAD MOTCUA      (tools/bench-console.sh)
import { chromium } from "playwright-core";
import { launchOptions } from "./browser.mjs";
import { startMotcuad } from "./motcuad.mjs";
import { PASSWORD, people } from "./people.mjs";

const [motcuad, motcua] = process.argv.slice(2);
const DOSSIERS = Number(process.env.MOTCUA_BENCH_DOSSIERS || 10000);
const RUNS = 3;
const median = (l) => [...l].sort((a, b) => a - b)[Math.floor(l.length / 2)];

const server = await startMotcuad(motcuad, "max_submissions_per_hour = 100000\n");
const { userAdd, wsRequest, login, official } = people(server, motcua);
const browser = await chromium.launch(launchOptions());
try {
  const boot = await (await browser.newContext()).newPage();
  await boot.goto(server.url + "/");
  const reception = await official(boot, "le.tan", "reception", "H13.X01");
  await official(boot, "le.tan.x02", "reception", "H13.X02");
  const otp = userAdd("001090001234", "Nguyễn Văn An", "applicant");
  await wsRequest(boot, await login("001090001234", otp), "change_password", { old: otp, new: PASSWORD });
  const citizen = await login("001090001234", PASSWORD);

  // The busy queue: dossiers filed at the desk, pipelined over one connection.
  const t0 = Date.now();
  const filed = await boot.evaluate(async ([token, n]) => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    await new Promise((ok) => { ws.onopen = ok; });
    let ok = 0, done = 0;
    const all = new Promise((resolve) => {
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        for (const r of Array.isArray(m) ? m : [m]) {
          if (r.id === "h") continue;
          ok += r.ok ? 1 : 0;
          if (++done === n) resolve();
        }
      };
    });
    ws.send(JSON.stringify({ op: "hello", id: "h", token }));
    for (let i = 0; i < n; i++) {
      const id = String(100000000000 + i).slice(1);
      ws.send(JSON.stringify({ op: "submit", id: `s${i}`, command_id: `bench-${i}`, procedure: "1.001193", agency: "H13.X01",
        channel: "desk", applicant: { kind: "person", name: `Người nộp ${i}`, id_number: `001${id.slice(-9)}` },
        form: { child_name: `Trẻ ${i}`, birth_date: "2026-11-20", gender: "Nam", birth_place: "Bắc Ninh",
          mother_id: `001${id.slice(-9)}`, phone: "0912345670" } }));
      if (i % 500 === 499) await new Promise((r) => setTimeout(r, 0));
    }
    await all;
    ws.close();
    return ok;
  }, [reception, DOSSIERS]);
  console.log(`${filed} of ${DOSSIERS} dossiers filed at H13.X01 in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  async function desk(account) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "vi-VN" });
    const page = await ctx.newPage();
    await page.goto(server.url + "/login.html");
    await page.fill("#id", account);
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(/\/console\//), page.click("button[type=submit]")]);
    return { ctx, page };
  }
  // Opened: until the queue's rows (or its "none") and its counts show.
  async function open(page) {
    const t = Date.now();
    await page.goto(server.url + "/console/?q=reception");
    await page.waitForFunction(() => document.querySelector(".count-badge") &&
      (document.querySelector(".queue .chunk [role=row]") || document.body.textContent.includes("Không có hồ sơ nào")));
    return Date.now() - t;
  }
  // Scrolled to the end: every page loaded, the last row in view.
  async function scroll(page, want) {
    const t = Date.now();
    for (let i = 0; i < 1000; i++) {
      const n = await page.$$eval(".queue .chunk [role=row]", (r) => r.length).catch(() => 0);
      if (n >= want) break;
      await page.evaluate(() => document.getElementById("more")?.scrollIntoView());
      await page.waitForTimeout(20);
    }
    await page.evaluate(() => document.querySelector(".queue .chunk:last-child [role=row]:last-child")?.scrollIntoView());
    return Date.now() - t;
  }
  // From the citizen's submit to the row in the queue.
  let seq = 0;
  async function arrival(page, agency) {
    const t = Date.now();
    const r = await wsRequest(page, citizen, "submit", { command_id: `arrive-${seq++}`, procedure: "1.001193", agency,
      form: { child_name: "Nguyễn Minh Khôi", birth_date: "2026-11-20", gender: "Nam", birth_place: "Bắc Ninh",
        mother_id: "001190004321", phone: "0912345678" } });
    await page.waitForSelector(`[role=row][data-code="${r.dossier}"]`, { timeout: 20000 });
    return Date.now() - t;
  }

  const busy = await desk("le.tan"), empty = await desk("le.tan.x02");
  const figures = { open: [[], []], scroll: [[], []], arrive: [[], []] };
  for (let i = 0; i < RUNS; i++) {
    figures.open[0].push(await open(busy.page));
    figures.open[1].push(await open(empty.page));
    if (i === 0) {
      figures.scroll[0].push(await scroll(busy.page, DOSSIERS));
      figures.scroll[1].push(await scroll(empty.page, 0));
      console.log(`rows shown after scrolling: ${await busy.page.$$eval(".queue .chunk [role=row]", (r) => r.length)}`);
    }
    await open(busy.page);
    figures.arrive[0].push(await arrival(busy.page, "H13.X01"));
    await open(empty.page);
    figures.arrive[1].push(await arrival(empty.page, "H13.X02"));
  }
  console.log(`FIGURE the reception queue of ${DOSSIERS} dossiers opened in ${median(figures.open[0])} ms ` +
    `(the same page over an empty queue: ${median(figures.open[1])} ms)`);
  console.log(`FIGURE ${DOSSIERS} dossiers scrolled to the end in ${figures.scroll[0][0]} ms ` +
    `(empty queue: ${figures.scroll[1][0]} ms)`);
  console.log(`FIGURE a citizen's submit shown in a queue of ${DOSSIERS} after ${median(figures.arrive[0])} ms ` +
    `(in an empty queue: ${median(figures.arrive[1])} ms)`);
} finally {
  await browser.close();
  await server.stop();
}
