// forms.mjs — the officials' printed forms 02–07 of Circular 03/2025/TT-VPCP
// (console/print.html, console/book.html) in Debian's Chromium against a real
// motcuad: dossiers filed and moved over the WebSocket so that each form has
// its event (a supplement asked, a refusal, an extension with its apology, a
// stop, a dossier taken from filing to its result), then each form opened as
// an official, saved as PDF, read back field by field (pdftotext) against
// what was sent and what the server says, its page size and count (pdfinfo),
// its QR code decoded (zbarimg) to the public lookup, which answers; a
// reprint reads the same.  The register lists the agency's dossiers as
// `search` finds them.  An applicant is refused both pages.  axe (WCAG 2.x
// A/AA) finds no serious or critical fault.  Screenshots in
// $MOTCUA_SCREENSHOTS (default tests/e2e/screenshots), forms-02.png etc.
//
//   node forms.mjs MOTCUAD MOTCUA
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { check, checks, done, eq, launchOptions } from "./browser.mjs";
import { startMotcuad } from "./motcuad.mjs";
import { accessible, formal, people, teardown } from "./people.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const shots = process.env.MOTCUA_SCREENSHOTS || join(here, "screenshots");
mkdirSync(shots, { recursive: true });
const started = Date.now();
const deadline = setTimeout(() => {
  console.log("FAIL: the forms test took more than 150 s");
  process.exit(1);
}, 150000);

const server = await startMotcuad(process.argv[2]);
const motcua = process.argv[3];
const { wsRequest, official } = people(server, motcua);
const AGENCY = "H13.X01";

const localDate = (ms) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric",
  month: "2-digit", day: "2-digit" }).format(new Date(ms));
const flat = (t) => t.replace(/\s+/g, " ");

// An account made through the admin socket, its one-time password changed: its session.
async function account(page, id, name, roles, agency) {
  const token = await official(page, id, roles, agency, name);
  return { token, account: id, roles: roles.split(","), agency: agency || null };
}

// A page of a session (sessionStorage as session.js keeps it).
async function pageAs(browser, who) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "vi-VN" });
  await ctx.addInitScript((v) => sessionStorage.setItem("motcua.session", v), JSON.stringify(who));
  const page = await ctx.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return page;
}

// The PDF Chromium saves of the page as it prints (its CSS page size), read back.
async function pdfOf(page, name) {
  const path = join(shots, `${name}.pdf`);
  await page.pdf({ path, preferCSSPageSize: true, printBackground: true });
  const text = flat(execFileSync("pdftotext", ["-layout", path, "-"], { encoding: "utf8" }));
  // In reading order (a column's lines together): what a narrow column wraps.
  const plain = flat(execFileSync("pdftotext", [path, "-"], { encoding: "utf8" }));
  const info = execFileSync("pdfinfo", [path], { encoding: "utf8" });
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info);
  return { text, plain, pages: Number((/Pages:\s+(\d+)/.exec(info) || [])[1]), w: size && Number(size[1]), h: size && Number(size[2]) };
}

// The QR code of the page decoded: the lookup of the dossier, which answers.
async function qrLeadsToLookup(page, d, what) {
  await page.waitForFunction(() => { const i = document.querySelector("img.qr"); return i && i.complete && i.naturalWidth; });
  const png = join(shots, `${what}-qr.png`);
  await page.locator("img.qr").screenshot({ path: png });
  let decoded = "";
  try {
    decoded = execFileSync("zbarimg", ["--quiet", "--raw", png], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch (e) {
    check(false, `${what}: zbarimg reads the QR code: ${e.message}`);
  }
  check(decoded.endsWith(`/lookup.html?code=${d.code}&secret=${d.secret}`), `${what}: the QR code is the lookup: ${decoded}`);
  const m = /code=([^&]+)&secret=(.+)$/.exec(decoded) || [];
  const r = await fetch(`${server.url}/api/status/${m[1]}?secret=${m[2]}`);
  eq(r.status, 200, `${what}: the lookup the QR code leads to answers`);
}

const A5 = [419.53, 595.28], A4 = [595.28, 841.89];
const near = (got, want) => Math.abs(got.w - want[0]) < 2 && Math.abs(got.h - want[1]) < 2;

// Opens a form as the official, saves it twice as PDF: the first reading, checked
// to be one page of `size`, the same as the reprint, its QR code the lookup's.
async function printed(page, url, name, d, size) {
  await page.goto(server.url + url);
  await page.waitForSelector("#code, #none, .error");
  const first = await pdfOf(page, name);
  check(near(first, size), `${name}: printed on ${size === A5 ? "A5" : "A4"} (${first.w} x ${first.h} pts)`);
  if (size === A5) eq(first.pages, 1, `${name}: one page`);
  check(first.text.includes(d.code), `${name}: the dossier's code`);
  check(!first.text.includes("In phiếu") && !first.text.includes("Về hàng đợi"), `${name}: without the page's buttons`);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await qrLeadsToLookup(page, d, name);
  await page.reload();
  await page.waitForSelector("#code");
  const again = await pdfOf(page, name + "-reprint");
  eq(again.text, first.text, `${name}: a reprint reads the same`);
  check(first.plain.includes(`${d.agency_name.toUpperCase()} BỘ PHẬN MỘT CỬA`), `${name}: the agency's masthead`);
  return first.text;
}

const errors = [];
let browser;
try {
  browser = await chromium.launch(launchOptions());
  const boot = await (await browser.newContext()).newPage();
  await boot.goto(server.url + "/");
  const reception = await account(boot, "le.tan", "Trần Thị Lễ", "reception", AGENCY);
  const specialist = await account(boot, "chuyen.vien", "Lê Văn Chuyên", "specialist", AGENCY);
  const leader = await account(boot, "chu.tich", "Phạm Văn Chủ", "leader", AGENCY);
  const citizen = await account(boot, "001090001234", "Nguyễn Văn An", "applicant");
  const as = (who, op, fields) => wsRequest(boot, who.token, op, fields);
  let n = 0;
  // A household business filed at the desk for `name`.
  async function deskFiling(name, business) {
    const r = await as(reception, "submit", { command_id: `f-${++n}`, procedure: "2.000575", agency: AGENCY, channel: "desk",
      applicant: { kind: "person", name, id_number: `00109000${String(5000 + n)}`, address: "Số 5 Lý Thái Tổ, Bắc Ninh",
        phone: "0912345670" },
      form: { business_name: business, owner_id: `00109000${String(5000 + n)}`, address: "Số 5 Lý Thái Tổ, Bắc Ninh",
        capital: 50000000 } });
    check(r.ok, `filed at the desk for ${name}: ${JSON.stringify(r)}`);
    return r;
  }
  const act = async (who, code, action, fields = {}) => {
    const r = await as(who, "act", { command_id: `a-${++n}`, dossier: code, action, ...fields });
    check(r.ok, `${action} of ${code}: ${JSON.stringify(r)}`);
    return r;
  };
  const get = async (code) => (await as(reception, "get", { dossier: code })).dossier;
  const history = async (code) => (await as(reception, "history", { dossier: code })).history;

  // 02: a supplement asked at reception, a list of two lines.
  const f02 = await deskFiling("Hoàng Thị Bổ", "Quán Bún Chả Bổ");
  const list = "1. Biên bản họp thành viên hộ gia đình (bản sao)\n2. Giấy tờ chứng minh quyền sử dụng địa điểm kinh doanh";
  await act(reception, f02.dossier, "request_supplement", { reason: list });
  // 03: refused at reception.
  const f03 = await deskFiling("Vũ Văn Từ", "Cửa hàng Từ Sơn");
  const refusal = "Địa điểm kinh doanh thuộc địa bàn phường khác: nộp hồ sơ tại Ủy ban nhân dân phường nơi đặt địa điểm.";
  await act(reception, f03.dossier, "reject", { reason: refusal });
  // 04: accepted, then extended by the leader with an apology (the first working day the engine takes).
  const f04 = await deskFiling("Đặng Thị Hạn", "Tiệm May Hạn");
  const acc04 = await act(reception, f04.dossier, "accept");
  const apology = "Hồ sơ cần xác minh thêm địa điểm kinh doanh với cơ quan thuế; chúng tôi thành thật xin lỗi ông/bà.";
  let ext = null;
  for (let k = 2; k < 20 && !(ext && ext.ok); k++)
    ext = await as(leader, "extend", { command_id: `e-${k}`, dossier: f04.dossier,
      new_due: acc04.appointment_at + k * 86400000, reason: apology });
  check(ext && ext.ok, "extended: " + JSON.stringify(ext));
  // 05: accepted, then stopped by the leader.
  const f05 = await deskFiling("Bùi Văn Dừng", "Xưởng Mộc Dừng");
  await act(reception, f05.dossier, "accept");
  const stopReason = "Người nộp hồ sơ đề nghị dừng giải quyết để điều chỉnh ngành nghề kinh doanh.";
  const stopped = await as(leader, "stop", { command_id: `s-${++n}`, dossier: f05.dossier, reason: stopReason });
  check(stopped.ok, "stopped: " + JSON.stringify(stopped));
  // 06: filed online by the citizen, accepted, approved twice, its result returned.
  const f06 = await as(citizen, "submit", { command_id: "o-1", procedure: "2.000575", agency: AGENCY,
    applicant: { address: "Số 1 Nguyễn Đăng Đạo, Bắc Ninh" },
    form: { business_name: "Quán Phở An", owner_id: "001090001234", address: "Số 1 Nguyễn Đăng Đạo, Bắc Ninh", capital: 80000000 } });
  check(f06.ok, "filed online: " + JSON.stringify(f06));
  await act(reception, f06.dossier, "accept");
  await act(specialist, f06.dossier, "approve");
  await act(leader, f06.dossier, "approve");
  await act(reception, f06.dossier, "return_result");

  const official = await pageAs(browser, reception);

  // 02
  {
    const d = await get(f02.dossier), ev = (await history(f02.dossier)).find((x) => x.action === "request_supplement");
    const t = await printed(official, `/console/print.html?form=02&dossier=${d.code}`, "forms-02", d, A5);
    for (const [what, want] of [["the title", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"], ["the applicant", "Hoàng Thị Bổ"],
      ["the procedure", "Đăng ký thành lập hộ kinh doanh"], ["the list as sent", flat(list)], ["when filed", formal(d.submitted_at)],
      ["when asked", formal(ev.time)], ["the signer's title", "NGƯỜI HƯỚNG DẪN"], ["the signer", "Trần Thị Lễ"],
      ["the motto", "Độc lập - Tự do - Hạnh phúc"], ["whom to ask", `Trần Thị Lễ, Bộ phận Một cửa — ${d.agency_name}, số điện thoại`]])
      check(t.includes(want), `form 02 has ${what} (${want})`);
    await accessible(official, "form 02");
    await official.goto(`${server.url}/console/print.html?form=02&dossier=${d.code}&seq=${ev.seq}`);
    await official.waitForSelector("#code");
    eq(flat(await official.textContent("#reason")), flat(list), "form 02 of the event ?seq= names");
    await official.goto(`${server.url}/console/print.html?form=02&dossier=${d.code}&seq=${ev.seq + 999}`);
    await official.waitForSelector("#none");
    check((await official.textContent("#none")).includes("chưa có yêu cầu bổ sung"), "another ?seq=: said, not printed");
  }
  // 03
  {
    const d = await get(f03.dossier), ev = (await history(f03.dossier)).find((x) => x.action === "reject");
    const t = await printed(official, `/console/print.html?form=03&dossier=${d.code}`, "forms-03", d, A5);
    for (const [what, want] of [["the title", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"], ["the applicant", "Vũ Văn Từ"],
      ["the procedure", "Đăng ký thành lập hộ kinh doanh"], ["the reasons as sent", refusal], ["when refused", formal(ev.time)],
      ["when filed", formal(d.submitted_at)], ["the signer's title", "NGƯỜI TIẾP NHẬN HỒ SƠ"], ["the signer", "Trần Thị Lễ"]])
      check(t.includes(want), `form 03 has ${what} (${want})`);
  }
  // 04
  {
    const d = await get(f04.dossier), ev = (await history(f04.dossier)).find((x) => x.action === "extend");
    eq(d.appointment_at, ev.new_due, "the server's appointment is the extension's");
    const t = await printed(official, `/console/print.html?form=04&dossier=${d.code}`, "forms-04", d, A5);
    for (const [what, want] of [["the title", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"],
      ["the applicant", "Đặng Thị Hạn"], ["the procedure", "Đăng ký thành lập hộ kinh doanh"], ["the apology as sent", apology],
      ["the appointment it replaces", formal(ev.old_due)], ["the new appointment", formal(ev.new_due)],
      ["the signer's title", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"], ["the signer", "Phạm Văn Chủ"],
      ["what was received", `${d.agency_name} tiếp nhận hồ sơ của Ông/Bà đề nghị giải quyết thủ tục hành chính: ${d.procedure_name} (mã hồ sơ ${d.code})`]])
      check(t.includes(want), `form 04 has ${what} (${want})`);
  }
  // 05
  {
    const d = await get(f05.dossier), ev = (await history(f05.dossier)).find((x) => x.action === "stop");
    const t = await printed(official, `/console/print.html?form=05&dossier=${d.code}`, "forms-05", d, A5);
    for (const [what, want] of [["the title", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"], ["the applicant", "Bùi Văn Dừng"],
      ["the procedure", "Đăng ký thành lập hộ kinh doanh"], ["the reason as sent", stopReason], ["when stopped", formal(ev.time)],
      ["the signer's title", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"], ["the signer", "Phạm Văn Chủ"]])
      check(t.includes(want), `form 05 has ${what} (${want})`);
  }
  // 06: every hand-over, in order, with who gave and who took it.
  {
    const d = await get(f06.dossier), h = await history(f06.dossier);
    const t = await printed(official, `/console/print.html?form=06&dossier=${d.code}`, "forms-06", d, A4);
    for (const [what, want] of [["the title", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"], ["the applicant", "Nguyễn Văn An"],
      ["the procedure", "Đăng ký thành lập hộ kinh doanh"], ["when filed", formal(d.submitted_at)],
      ["the appointment", `hẹn trả kết quả: ${formal(d.appointment_at)}`], ["the result's classification", "Trước hạn"]])
      check(t.includes(want), `form 06 has ${what} (${want})`);
    const rows = await official.$$eval("table.control tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    eq(rows.length, h.length, "form 06: a row per hand-over (filed, accepted, approved twice, returned)");
    eq(rows.map((r) => r[3]), h.map((x) => formal(x.time)), "form 06: each hand-over's time, as the log has it");
    eq(rows.map((r, i) => r[1].includes(h[i].by.name)), rows.map(() => true), "form 06: who handed each over");
    check(rows[0][2].includes("Trần Thị Lễ") && rows[1][2].includes("Lê Văn Chuyên") && rows[2][2].includes("Phạm Văn Chủ") &&
      rows[3][2].includes("Trần Thị Lễ") && rows[4][2].includes("Nguyễn Văn An"), "form 06: who took each: " +
      JSON.stringify(rows.map((r) => r[2])));
    eq(rows.slice(1, 4).map((r) => r[5]).every((v) => ["Trước hạn", "Đúng hạn"].includes(v)), true,
      "form 06: each official's step early or on time: " + rows.map((r) => r[5]).join(", "));
    eq(d.classification, "early", "the server has the dossier early");
    await accessible(official, "form 06");
  }
  // A form whose event did not happen says so.
  for (const [form, words] of [["02", "chưa có yêu cầu bổ sung"], ["03", "không bị từ chối"], ["04", "chưa được gia hạn"],
    ["05", "không bị dừng"]]) {
    await official.goto(`${server.url}/console/print.html?form=${form}&dossier=${f06.dossier}`);
    await official.waitForSelector("#none");
    check((await official.textContent("#none")).includes(words), `form ${form} of a dossier without its event: said`);
    eq(await official.$$("#code"), [], `form ${form} of a dossier without its event: nothing printed`);
  }

  // 07: the register of today's dossiers at the agency, as `search` finds them.
  {
    // The days the dossiers were filed on (one, unless the test ran over midnight).
    const first = localDate((await get(f02.dossier)).submitted_at), last = localDate((await get(f06.dossier)).submitted_at);
    const from = Date.parse(`${first}T00:00:00+07:00`), to = Date.parse(`${last}T00:00:00+07:00`) + 86400000 - 1;
    const found = [];
    let cursor = null;
    do {
      const r = await as(reception, "search", { received_from: from, received_to: to, limit: 100,
        ...(cursor ? { cursor } : {}) });
      found.push(...r.dossiers.filter((x) => x.agency === AGENCY));
      cursor = r.next;
    } while (cursor);
    const filed = [f02, f03, f04, f05, f06].map((x) => x.dossier);
    await official.goto(`${server.url}/console/book.html?from=${first}&to=${last}`);
    await official.waitForSelector("#count");
    const listed = await official.$$eval("table.register tbody tr", (trs) => trs.map((tr) => tr.dataset.code));
    eq(listed, found.map((x) => x.code), "the register lists what search finds, in its order");
    check(filed.every((c) => listed.includes(c)), "the register lists every dossier filed");
    const book = await pdfOf(official, "forms-07");
    check(near(book, [A4[1], A4[0]]), `the register prints on A4 landscape (${book.w} x ${book.h} pts)`);
    for (const x of found) check(book.text.includes(x.code) && book.text.includes(x.applicant_name),
      `the printed register has ${x.code} of ${x.applicant_name}`);
    const d06 = await get(f06.dossier);
    check(book.text.includes("SỔ THEO DÕI HỒ SƠ") && book.text.includes("Đã trả kết quả"), "the register's title and states");
    check(book.plain.includes(`${d06.agency_name.toUpperCase()} BỘ PHẬN MỘT CỬA`), "the register's masthead");
    await official.screenshot({ path: join(shots, "forms-07.png"), fullPage: true });
    await accessible(official, "the register");
    // The range chosen with the date fields.
    await official.fill("#from", "2020-01-01");
    await official.fill("#to", "2020-01-02");
    await Promise.all([official.waitForURL(/from=2020-01-01&to=2020-01-02/), official.click("button[type=submit]")]);
    await official.waitForSelector("#empty");
    check(true, "another range chosen: none received then");
  }

  // An applicant is refused both pages (the server would give them their own dossier).
  const applicant = await pageAs(browser, citizen);
  for (const url of [`/console/print.html?form=06&dossier=${f06.dossier}`, "/console/book.html"]) {
    await applicant.goto(server.url + url);
    await applicant.waitForSelector(".error");
    check((await applicant.textContent(".error")).includes("dành cho cán bộ"), `an applicant is refused ${url}`);
    check(!(await applicant.textContent("main")).includes(f06.dossier), `and nothing of the dossier is shown (${url})`);
  }
  await accessible(applicant, "the refusal");
  eq(errors, [], "no script error in the pages");
} catch (e) {
  check(false, "the forms could not be driven: " + (e && e.stack ? e.stack : e));
} finally {
  await teardown({ deadline, browser, server });
}
console.log(`FIGURE the forms test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
done();

