// portal.mjs — the citizen portal in Debian's Chromium against a real motcuad
// (issue 19, begun): the catalogue searched without diacritics and filtered on
// a 360 px phone, by keyboard alone, checked against the catalogue the server
// gives over HTTP; a procedure's page against GET /api/procedures/CODE; axe
// (WCAG 2.0/2.1/2.2 A and AA) finds no serious or critical fault on either;
// nothing wider than the screen.  Screenshots in $MOTCUA_SCREENSHOTS (default
// tests/e2e/screenshots).
//
//   node portal.mjs MOTCUAD
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { launchOptions } from "./browser.mjs";
import { startMotcuad } from "./motcuad.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const shots = process.env.MOTCUA_SCREENSHOTS || join(here, "screenshots");
mkdirSync(shots, { recursive: true });
let failures = 0, checks = 0;
function check(cond, what) {
  checks++;
  if (!cond) {
    failures++;
    console.log("FAIL: " + what);
  }
  return cond;
}
const eq = (got, want, what) => check(JSON.stringify(got) === JSON.stringify(want),
  `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);

async function accessible(page, what) {
  const r = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `${what}: axe finds ${bad.map((v) => `${v.id} (${v.nodes.length})`).join(", ")}`);
}

async function fitsThePhone(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 360, `${what}: nothing wider than 360 px (the page is ${wide} px)`);
}

const deadline = setTimeout(() => {
  console.log("FAIL: the portal test took more than 120 s");
  process.exit(1);
}, 120000);
const server = await startMotcuad(process.argv[2]);
let browser;
try {
  browser = await chromium.launch(launchOptions());
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "vi-VN" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  // The catalogue, by keyboard: skip link, then the search field.
  await page.goto(server.url + "/");
  await page.waitForSelector("#q");
  const all = (await (await fetch(server.url + "/api/catalogue")).json()).procedures;
  await page.waitForFunction((n) => document.querySelectorAll(".results li").length === n, all.length);
  eq(await page.$$eval(".results li a", (as) => as.length), all.length, "every procedure listed at first");
  await page.keyboard.press("Tab");
  eq(await page.evaluate(() => document.activeElement.className), "skip", "the first Tab reaches the skip link");
  await page.keyboard.press("Tab"); // the site's name, then the search field
  await page.keyboard.press("Tab");
  eq(await page.evaluate(() => document.activeElement.id), "q", "two more Tabs reach the search field");
  await page.keyboard.type("khai sinh");
  const api = (await (await fetch(server.url + "/api/catalogue?q=khai+sinh")).json()).procedures.map((p) => p.name);
  await page.waitForFunction((n) => document.querySelectorAll(".results li").length === n, api.length);
  const listed = await page.$$eval(".results li a", (as) => as.map((a) => a.textContent));
  eq(listed.sort(), api.sort(), "without diacritics, the page lists what the server finds");
  check(listed.includes("Đăng ký khai sinh"), "the birth registration is found: " + listed.join("; "));
  check((await page.url()).includes("q=khai+sinh"), "the address keeps the search");
  await page.screenshot({ path: join(shots, "catalogue.png"), fullPage: true });
  await fitsThePhone(page, "the catalogue");
  await accessible(page, "the catalogue");

  // A filter: the commune level only.
  await page.fill("#q", "");
  await page.selectOption("#level", "commune");
  const communes = all.filter((p) => p.level === "commune").length;
  await page.waitForFunction((n) => document.querySelectorAll(".results li").length === n, communes);
  eq(await page.$$eval(".results li", (l) => l.length), communes, "the commune filter");

  // To a procedure's page by keyboard, checked against the server's.
  await page.fill("#q", "khai sinh");
  await page.selectOption("#level", "");
  await page.focus("#q");
  let onLink = false;
  for (let i = 0; i < 10 && !onLink; i++) {
    await page.keyboard.press("Tab");
    onLink = await page.evaluate(() => document.activeElement.textContent === "Đăng ký khai sinh");
  }
  check(onLink, "Tab reaches the birth registration's link");
  await Promise.all([page.waitForURL(/procedure\.html/), page.keyboard.press("Enter")]);
  const p = await (await fetch(server.url + "/api/procedures/1.001193")).json();
  await page.waitForSelector("h1");
  await page.waitForFunction((n) => document.querySelector("h1").textContent === n, p.name);
  eq(await page.textContent("h1"), p.name, "the procedure's name");
  const rows = await page.$$eval("tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
  eq(rows, p.documents.filter((d) => !d.eform).map((d) => d.title), "the documents to bring, as the server has them");
  check((await page.textContent("main")).includes(p.code), "the procedure's code is shown");
  await page.screenshot({ path: join(shots, "procedure.png"), fullPage: true });
  await fitsThePhone(page, "the procedure page");
  await accessible(page, "the procedure page");

  eq(errors, [], "no script error, nothing missing in the pages");

  // An unknown procedure: said in Vietnamese, not a blank page.
  await page.goto(server.url + "/procedure.html?code=9.999999");
  await page.waitForSelector(".error");
  check((await page.textContent(".error")).includes("Không có thủ tục này"), "an unknown procedure is said");
  await context.close();
} catch (e) {
  check(false, "the portal could not be driven: " + (e && e.stack ? e.stack : e));
} finally {
  clearTimeout(deadline);
  if (browser) await browser.close();
  if (failures) console.log(server.output().slice(-1500));
  await server.stop();
}
console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
