// console.mjs — the officials' console in Debian's Chromium against a real
// motcuad (issue 20): an official and a citizen in two browser contexts. The
// citizen files (over the protocol: the portal's own pages are portal.mjs's);
// reception sees it arrive live with its badge, opens it by keyboard, asks for
// a supplement by keyboard (a checklist and guidance, one request); the
// citizen answers; reception accepts by keyboard, the appointment shown before
// confirming checked against `motcua deadline`; the specialist and the leader
// decide in their consoles; reception returns the result.  Every step is
// checked through a second channel (a `get` as another principal).  Then the
// access rules (another agency's official; an action of another role), intake
// at the desk for someone without an account, a dossier filed at the wrong
// commune transferred through the dialog and taken up by the other commune,
// and the agency administrator's page.  axe on every console page the README lists; screenshots saved.
//
//   node console.mjs MOTCUAD MOTCUA
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { check, checks, done, eq, launchOptions } from "./browser.mjs";
import { startClamd, startMotcuad, startSink } from "./motcuad.mjs";
import { PASSWORD, accessible, formal, people, teardown } from "./people.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const shots = process.env.MOTCUA_SCREENSHOTS || join(here, "screenshots");
mkdirSync(shots, { recursive: true });
const deadline = setTimeout(() => {
  console.log("FAIL: the console test took more than 150 s");
  process.exit(1);
}, 150000);

const clamd = await startClamd();
const sink = await startSink();
const server = await startMotcuad(process.argv[2], (clamd ? `clamd_socket = ${clamd.sock}\n` : "") + sink.config);
const motcua = process.argv[3];
const { userAdd, wsRequest, login, official } = people(server, motcua);
const SCAN = Buffer.from("89504e470d0a1a0a0000000d4948445200000004000000040802000000269309290000001049444154789c63f8dfc000470cc471007ea217f15da160050000000049454e44ae426082", "hex");

async function upload(token, name, data) {
  const decl = await (await fetch(server.url + "/api/uploads", { method: "POST", headers: {
    Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name, size: data.length, agency: "H13.X01" }) })).json();
  const r = await fetch(`${server.url}/api/uploads/${decl.upload}?offset=0`, { method: "POST", headers: {
    Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream" }, body: data });
  return (await r.json()).sha256;
}

// Logged in through the login page: an official lands on the console.
async function loginPage(page, account) {
  await page.goto(server.url + "/login.html");
  await page.fill("#id", account);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/console\//), page.click("button[type=submit]")]);
}

async function tabTo(page, what, test, arg) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(test, arg)) return;
  }
  throw new Error(`Tab never reaches ${what}`);
}
const focusedId = (id) => document.activeElement && document.activeElement.id === id;
const focusedText = (t) => document.activeElement && document.activeElement.textContent.trim() === t;

let browser;
try {
  browser = await chromium.launch(launchOptions());
  const errors = [];
  const desktop = { viewport: { width: 1280, height: 860 }, locale: "vi-VN" };
  const offCtx = await browser.newContext(desktop);
  const desk = await offCtx.newPage();
  desk.on("pageerror", (e) => errors.push(e.message));
  await desk.goto(server.url + "/");
  const reception = await official(desk, "le.tan", "reception", "H13.X01", "Nguyễn Thị Lan");
  const specialist = await official(desk, "chuyen.vien", "specialist", "H13.X01", "Trần Văn Hùng");
  const leader = await official(desk, "chu.tich", "leader", "H13.X01", "Lê Văn Chủ");
  await official(desk, "quan.tri", "agency_admin", "H13.X01", "Phạm Quản Trị");
  const x02 = await official(desk, "le.tan.x02", "reception", "H13.X02");
  const citizenOtp = userAdd("001090001234", "Nguyễn Văn An", "applicant");
  const first = await login("001090001234", citizenOtp);
  await wsRequest(desk, first, "change_password", { old: citizenOtp, new: PASSWORD });
  const citizen = await login("001090001234", PASSWORD);

  // Reception's console, the reception queue empty; then the citizen files.
  await loginPage(desk, "le.tan");
  await desk.waitForSelector("nav.queues");
  await desk.waitForFunction(() => document.body.textContent.includes("Không có hồ sơ nào"));
  check(true, "reception's console opens on the reception queue, empty");
  await accessible(desk, "the console's queues");
  const citCtx = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "vi-VN" });
  const cp = await citCtx.newPage();
  await cp.goto(server.url + "/");
  const form = { business_name: "Quán Phở Hạnh", owner_id: "001090001234", address: "Số 1 Lý Thái Tổ, phường Kinh Bắc",
    capital: 50000000, email: "chu.ho@example.vn" };
  const t0 = Date.now();
  const filed = await wsRequest(cp, citizen, "submit", { command_id: "c-1", procedure: "2.000575", agency: "H13.X01", form });
  check(filed.ok, "the citizen files: " + JSON.stringify(filed));
  const code = filed.dossier;
  await desk.waitForSelector(`[role=row][data-code="${code}"]`, { timeout: 10000 });
  console.log(`FIGURE a citizen's submit shown in the reception queue after ${Date.now() - t0} ms`);
  check((await desk.textContent(`[role=row][data-code="${code}"]`)).includes("Mới"), "the new dossier has its badge");
  check((await desk.textContent(".queue-head")).includes("1 hồ sơ mới"), "and the queue says one is new");
  check((await desk.title()).startsWith("(1)"), "the tab's title counts it: " + await desk.title());
  const asServer = await wsRequest(desk, reception, "queue", { state: "submitted", limit: 1 });
  await desk.waitForFunction((n) => document.querySelector("nav.queues a[aria-current=page] .count-badge").textContent === n,
    String(asServer.counts.states.submitted), { timeout: 5000 }).catch(() => {});
  eq(Number(await desk.textContent("nav.queues a[aria-current=page] .count-badge")), asServer.counts.states.submitted,
    "the reception queue's count is the server's");
  await desk.screenshot({ path: join(shots, "console-queue.png"), fullPage: true });
  await accessible(desk, "the console's queue with a new dossier");

  // Opened by keyboard: Tab to the dossier's code, Enter.
  await desk.focus("#search");
  await tabTo(desk, "the new dossier's link", focusedText, code);
  await Promise.all([desk.waitForURL(/dossier\.html/), desk.keyboard.press("Enter")]);
  await desk.waitForSelector("#applicant");
  eq(await desk.textContent("#applicant"), "Nguyễn Văn An", "the applicant, as filed");
  check((await desk.textContent("main")).includes("Quán Phở Hạnh"), "the e-form, as filed");
  const offered = (await wsRequest(desk, reception, "get", { dossier: code })).dossier.can.map((c) => c.action);
  eq((await desk.$$eval("[data-action]", (b) => b.map((x) => x.dataset.action))).sort(), offered.sort(),
    "the buttons are the actions the server gives reception now");
  check(offered.includes("accept") && !offered.includes("approve"), "reception's, not the leader's: " + offered.join(" "));
  await accessible(desk, "a dossier at the desk");
  await desk.screenshot({ path: join(shots, "console-dossier.png"), fullPage: true });

  // A supplement by keyboard: "b", the checklist, guidance, Enter.
  await desk.keyboard.press("b");
  await desk.waitForSelector("dialog[open]");
  await accessible(desk, "the supplement request's dialog");
  await tabTo(desk, "the checklist's item", focusedId, "need-0");
  const item = await desk.evaluate(() => document.activeElement.parentElement.textContent.trim());
  await desk.keyboard.press("Space");
  await tabTo(desk, "the guidance", focusedId, "reason");
  await desk.keyboard.type("Bản chụp rõ nét, có chữ ký của các thành viên");
  await tabTo(desk, "the confirm button", focusedText, "Xác nhận: Yêu cầu bổ sung hồ sơ");
  await desk.keyboard.press("Enter");
  await desk.waitForFunction(() => document.querySelector(".said").textContent.startsWith("Đã"));
  const asked = await wsRequest(desk, citizen, "get", { dossier: code });
  eq(asked.dossier.state, "supplement_requested", "the server has the supplement request (read as the citizen)");
  const hist = await wsRequest(desk, citizen, "history", { dossier: code });
  const req = hist.history.find((h) => h.action === "request_supplement");
  eq(req && req.reason, `Đề nghị bổ sung: 1. ${item}. Hướng dẫn: Bản chụp rõ nét, có chữ ký của các thành viên`,
    "one request: the checklist and the guidance, as the citizen reads it");

  // The citizen answers; reception's page shows it live.
  const sha = clamd ? await upload(citizen, "bien ban.png", SCAN) : null;
  const answered = await wsRequest(cp, citizen, "act", { command_id: "c-2", dossier: code, expected_version: 2,
    action: "provide_supplement", documents: clamd ? [{ name: "bien_ban", files: [sha] }] : [] });
  check(answered.ok, "the citizen answers: " + JSON.stringify(answered));
  await desk.waitForFunction(() => document.querySelector("#state").textContent.startsWith("Chờ tiếp nhận"), null,
    { timeout: 10000 });
  check(true, "the answer shows on reception's page without a reload");
  if (clamd) {
    await desk.click("text=Xem trang 1");
    await desk.waitForFunction(() => { const i = document.querySelector(".viewer img"); return i && i.complete && i.naturalWidth > 0; });
    check(true, "the supplied scan is viewed in the page");
  }

  // Accepted by keyboard: "n" shows the appointment first; Enter confirms.
  await desk.keyboard.press("n");
  await desk.waitForSelector("#promise");
  const promise = (await desk.textContent("#promise strong")).trim();
  await desk.keyboard.press("Tab"); // into the dialog, onto its confirm button
  await tabTo(desk, "the confirm button", focusedText, "Xác nhận: Tiếp nhận");
  await desk.keyboard.press("Enter");
  await desk.waitForFunction(() => document.querySelector(".said").textContent.includes("hẹn trả"));
  const accepted = (await wsRequest(desk, citizen, "get", { dossier: code })).dossier;
  eq(accepted.state, "processing", "the server has it accepted");
  eq(promise, formal(accepted.appointment_at), "the appointment shown before accepting is the one promised");
  const cli = execFileSync(motcua, ["deadline", "--from", new Date(accepted.accepted_at).toISOString(),
    "--add", "3 working days", "--cutoff", "15:00"], { encoding: "utf8" }).trim();
  eq(Date.parse(cli), accepted.appointment_at, `motcua deadline agrees (${cli})`);
  // Reception cannot take the specialist's action: not offered, and refused by the server.
  await desk.waitForFunction(() => !document.querySelector("[data-action=accept]"));
  const now = (await wsRequest(desk, reception, "get", { dossier: code })).dossier.can.map((c) => c.action);
  eq((await desk.$$eval("[data-action]", (b) => b.map((x) => x.dataset.action))).sort(), now.sort(),
    "while the specialist works, reception's buttons are what the server gives it");
  check(!now.includes("approve"), "and approving is not among them: " + now.join(" "));
  const wrongRole = await wsRequest(desk, reception, "act", { command_id: "w-1", dossier: code, expected_version: 4,
    action: "approve" });
  eq(wrongRole.ok, false, "the server refuses reception an approval");

  // The leader assigns the specialist from the agency's officials, and extends with an apology.
  {
    const ctx = await browser.newContext(desktop);
    const p = await ctx.newPage();
    p.on("pageerror", (e) => errors.push(e.message));
    await loginPage(p, "chu.tich");
    await p.goto(`${server.url}/console/dossier.html?code=${code}`);
    await p.waitForSelector("[data-action=assign]");
    await p.click("[data-action=assign]");
    await p.waitForSelector("#handler option[value='chuyen.vien']", { state: "attached" });
    await p.selectOption("#handler", "chuyen.vien");
    await p.click("dialog button[type=submit]");
    await p.waitForFunction(() => document.querySelector(".said").textContent.startsWith("Đã"));
    eq((await wsRequest(p, citizen, "get", { dossier: code })).dossier.handler, "chuyen.vien", "assigned, as the server has it");
    const before = (await wsRequest(p, citizen, "get", { dossier: code })).dossier.appointment_at;
    // Two working days later (the server refuses a day off, and the dialog says so).
    const local = execFileSync(motcua, ["deadline", "--from", new Date(before).toISOString(), "--add", "2 working days"],
      { encoding: "utf8" }).trim().slice(0, 10);
    await p.waitForSelector("[data-action=extend]");
    await p.click("[data-action=extend]");
    await p.fill("#due", local);
    await p.fill("#reason", "Xin lỗi ông/bà: hồ sơ cần xác minh thêm tại địa điểm kinh doanh");
    await p.click("dialog button[type=submit]");
    await p.waitForFunction(() => !document.querySelector("dialog[open]") || document.querySelector("#action-error"));
    check(!(await p.$("#action-error")), "extended: " + (await p.$("#action-error") ? await p.textContent("#action-error") : ""));
    const ext = (await wsRequest(p, citizen, "get", { dossier: code })).dossier;
    eq(formal(ext.appointment_at), formal(Date.parse(`${local}T17:00:00+07:00`)),
      "the new appointment: that day at closing time, as the citizen reads it");
    eq(ext.appointments.at(-1).reason, "Xin lỗi ông/bà: hồ sơ cần xác minh thêm tại địa điểm kinh doanh", "with the apology");
    await p.waitForSelector("a[href*='form=04']");
    check(true, "the apology's printed form (04) is offered");
    await ctx.close();
  }

  // The specialist and the leader, each in their console; reception returns the result.
  for (const [account, action] of [["chuyen.vien", "approve"], ["chu.tich", "approve"]]) {
    const ctx = await browser.newContext(desktop);
    const p = await ctx.newPage();
    p.on("pageerror", (e) => errors.push(e.message));
    await loginPage(p, account);
    await p.goto(`${server.url}/console/dossier.html?code=${code}`);
    await p.waitForSelector(`[data-action=${action}]`);
    const before = (await wsRequest(p, citizen, "get", { dossier: code })).dossier.version;
    await p.click(`[data-action=${action}]`);
    await p.waitForSelector("dialog[open]");
    await p.click("dialog button[type=submit]");
    await p.waitForFunction(() => document.querySelector(".said").textContent.startsWith("Đã"));
    const after = (await wsRequest(p, citizen, "get", { dossier: code })).dossier;
    eq(after.version, before + 1, `${account}'s ${action} recorded`);
    if (account === "chu.tich") {
      eq(after.state, "decided", "decided after the leader's signature");
      await p.screenshot({ path: join(shots, "console-leader.png"), fullPage: true });
    }
    await ctx.close();
  }
  await desk.waitForSelector("[data-action=return_result]", { timeout: 10000 });
  await desk.click("[data-action=return_result]");
  await desk.click("dialog button[type=submit]");
  await desk.waitForFunction(() => document.querySelector("#state").textContent.startsWith("Đã trả kết quả"));
  eq((await wsRequest(desk, citizen, "get", { dossier: code })).dossier.state, "returned", "returned, as the citizen reads it");
  const timeline = await desk.$$eval("ol.timeline li strong", (l) => l.map((x) => x.textContent));
  eq(timeline.length, (await wsRequest(desk, reception, "history", { dossier: code })).history.length,
    "the timeline has every event of the history");

  // Another agency's official: the dossier is refused, said on the page.
  const otherCtx = await browser.newContext(desktop);
  const other = await otherCtx.newPage();
  await loginPage(other, "le.tan.x02");
  await other.goto(`${server.url}/console/dossier.html?code=${code}`);
  await other.waitForSelector("#refused");
  check((await other.textContent("#refused")).length > 10, "another agency's official is refused: " + await other.textContent("#refused"));
  eq((await wsRequest(other, x02, "get", { dossier: code })).ok, false, "and the server refuses the read");
  await otherCtx.close();

  // Filed at the wrong commune: reception passes it to the competent one through the dialog (the
  // agencies offering the procedure, a reason) before accepting it; the other agency's official sees it.
  {
    const wrong = await wsRequest(cp, citizen, "submit", { command_id: "c-3", procedure: "2.000575", agency: "H13.X01",
      form: { ...form, address: "Số 9 đường Nguyễn Trãi, phường Võ Cường" } });
    check(wrong.ok, "filed at the wrong commune: " + JSON.stringify(wrong));
    await desk.goto(`${server.url}/console/dossier.html?code=${wrong.dossier}`);
    await desk.waitForSelector("[data-action=transfer]");
    await desk.click("[data-action=transfer]");
    await desk.waitForSelector("#transfer-to option[value='H13.X02']", { state: "attached" });
    const choices = await desk.$$eval("#transfer-to option", (o) => o.map((x) => x.value).filter(Boolean));
    eq(choices, ["H13.X02", "H13.X03"], "the dialog lists the agencies offering the procedure, not its own");
    await accessible(desk, "the transfer's dialog");
    await desk.selectOption("#transfer-to", "H13.X02");
    await desk.fill("#reason", "Địa điểm kinh doanh thuộc phường Võ Cường");
    await desk.click("dialog button[type=submit]");
    await desk.waitForSelector("#transferred");
    check((await desk.textContent("#transferred")).includes("Ủy ban nhân dân phường Võ Cường"),
      "the page says where it went: " + await desk.textContent("#transferred"));
    const moved = (await wsRequest(desk, citizen, "get", { dossier: wrong.dossier })).dossier;
    eq([moved.code, moved.agency, moved.state], [wrong.dossier, "H13.X02", "submitted"],
      "the server has it at H13.X02, its code unchanged (read as the citizen)");
    const xCtx = await browser.newContext(desktop);
    const xp = await xCtx.newPage();
    xp.on("pageerror", (e) => errors.push(e.message));
    await loginPage(xp, "le.tan.x02");
    await xp.waitForSelector(`[role=row][data-code="${wrong.dossier}"]`, { timeout: 10000 });
    check(true, "the other agency's reception sees it in its queue");
    await xp.goto(`${server.url}/console/dossier.html?code=${wrong.dossier}`);
    await xp.waitForSelector("[data-action=accept]");
    const labels = await xp.$$eval("ol.timeline li strong", (l) => l.map((x) => x.textContent));
    eq(labels.at(-1), "Chuyển hồ sơ đến Ủy ban nhân dân phường Võ Cường", "its timeline says it, in Vietnamese");
    await xp.click("[data-action=accept]");
    await xp.click("dialog button[type=submit]");
    await xp.waitForFunction(() => document.querySelector(".said").textContent.includes("hẹn trả"));
    eq((await wsRequest(xp, x02, "get", { dossier: wrong.dossier })).dossier.state, "processing", "and accepts it");
    // The process control sheet (form 06) has the transfer as a hand-over, with its reason.
    await xp.goto(`${server.url}/console/print.html?form=06&dossier=${wrong.dossier}`);
    await xp.waitForSelector("table.control tbody tr");
    const sheet = await xp.$$eval("table.control tbody tr", (trs) => trs.map((tr) => tr.textContent));
    check(sheet.some((r) => r.includes("Chuyển hồ sơ đến Ủy ban nhân dân phường Võ Cường") &&
      r.includes("Địa điểm kinh doanh thuộc phường Võ Cường")), "form 06 lists the transfer: " + JSON.stringify(sheet));
    await xCtx.close();
  }

  // Intake at the desk for someone without an account: the receipt, the server's dossier.
  await desk.goto(server.url + "/console/intake.html");
  await desk.waitForSelector("ul.results a");
  await accessible(desk, "intake: choosing the procedure");
  await Promise.all([desk.waitForURL(/code=1\.001193/), desk.click("text=Đăng ký khai sinh")]);
  await desk.waitForSelector("#a-name");
  await desk.click("button[type=submit]");
  await desk.waitForSelector("#errors");
  check((await desk.$$eval("#errors a", (a) => a.map((x) => x.getAttribute("href")))).includes("#a-name"),
    "intake: the walk-in's name is asked for");
  await accessible(desk, "intake at the desk with its errors");
  await desk.fill("#a-name", "Trần Thị Bình");
  await desk.fill("#a-id_number", "001190004321");
  await desk.fill("#a-phone", "0912345670");
  await desk.fill("#f-child_name", "Nguyễn Minh Khôi");
  await desk.fill("#f-birth_date", "2026-11-20");
  await desk.selectOption("#f-gender", "Nam");
  await desk.fill("#f-birth_place", "Bệnh viện Đa khoa tỉnh Bắc Ninh");
  await desk.fill("#f-mother_id", "001190004321");
  await desk.fill("#f-phone", "0912345670");
  await desk.screenshot({ path: join(shots, "console-intake.png"), fullPage: true });
  await Promise.all([desk.waitForURL(/receipt\.html/), desk.click("button[type=submit]")]);
  await desk.waitForSelector("#code");
  const walkIn = (await wsRequest(desk, reception, "get", { dossier: await desk.textContent("#code") })).dossier;
  eq([walkIn.channel, walkIn.applicant.name, walkIn.applicant.id_number, walkIn.applicant_account],
    ["desk", "Trần Thị Bình", "001190004321", null], "filed at the desk for the walk-in");

  // The agency administrator: a new official, shown a one-time password that works.
  const adminCtx = await browser.newContext(desktop);
  const admin = await adminCtx.newPage();
  admin.on("pageerror", (e) => errors.push(e.message));
  await loginPage(admin, "quan.tri");
  await admin.goto(server.url + "/console/officials.html");
  await admin.waitForSelector('li[data-account="le.tan"]');
  await accessible(admin, "the officials' page");
  await admin.fill("#n-account", "moi.nv");
  await admin.fill("#n-name", "Đỗ Thị Mới");
  await admin.check("#n-specialist");
  await admin.click("text=Tạo tài khoản");
  await admin.waitForSelector("#otp");
  const otp = await admin.textContent("#otp");
  const r = await fetch(server.url + "/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: "moi.nv", password: otp }) });
  eq([r.status, (await r.json()).must_change_password], [200, true], "the one-time password shown logs in, to be changed");
  const listed = (await wsRequest(admin, reception, "officials", { agency: "H13.X01" })).officials.find((o) => o.account === "moi.nv");
  eq(listed && listed.roles.sort(), ["reception", "specialist"], "the new official's roles, as the server has them");
  await admin.screenshot({ path: join(shots, "console-officials.png"), fullPage: true });
  await adminCtx.close();

  // The feedback queue (PAKN, at the one-stop centre): its answer due 3 working days after intake.
  await official(desk, "tthcc", "reception,specialist", "H13.TTHCC", "Vũ Thị Phản");
  const fb = await wsRequest(cp, citizen, "submit", { command_id: "c-fb", procedure: "PAKN", agency: "H13.TTHCC",
    form: { subject: "Hẹn trả chậm", content: "Hồ sơ hẹn trả đã quá ngày nhưng chưa có kết quả.", received: "Cổng dịch vụ công" } });
  check(fb.ok, "feedback filed: " + JSON.stringify(fb));
  const fbCtx = await browser.newContext(desktop);
  const fbp = await fbCtx.newPage();
  await loginPage(fbp, "tthcc");
  const tthcc = await login("tthcc", PASSWORD);
  const taken = await wsRequest(fbp, tthcc, "act", { command_id: "fb-1", dossier: fb.dossier, expected_version: 1,
    action: "accept", role: "reception" });
  check(taken.ok, "feedback taken in: " + JSON.stringify(taken));
  await fbp.goto(server.url + "/console/?q=feedback");
  await fbp.waitForSelector(`[role=row][data-code="${fb.dossier}"]`);
  const fbRow = (await wsRequest(fbp, tthcc, "queue", { procedure: "PAKN" })).rows.find((r) => r.code === fb.dossier);
  const due = new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit",
    hour12: false }).format(new Date(fbRow.due_at));
  check((await fbp.textContent(`[role=row][data-code="${fb.dossier}"]`)).includes(due),
    `the feedback's answer is due as the server counts it (${due}, ${fbRow.title})`);
  eq(await fbp.textContent("nav.queues a[aria-current=page] .count-badge"), "1", "the feedback queue counts it");
  await fbCtx.close();

  eq(errors, [], "no script error in the console");
  await citCtx.close();
  await offCtx.close();
} catch (e) {
  check(false, "the console could not be driven: " + (e && e.stack ? e.stack : e));
} finally {
  await teardown({ deadline, browser, server, clamd, sink });
}
done();
