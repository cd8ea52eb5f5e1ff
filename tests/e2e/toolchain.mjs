// toolchain.mjs — the browser toolchain the page tests stand on, checked end
// to end: playwright-core (pinned for Debian 12's Node 18) launches Debian's
// Chromium, loads a page from a server on loopback, runs its script through a
// click, and axe-core finds the accessibility faults planted in it.  Prints
// the versions that ran.  Exits 0 when all held, 1 otherwise.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { check, done, launchOptions } from "./browser.mjs";

const require = createRequire(import.meta.url);

// One page: a button whose script changes a heading, and two faults axe
// must report (an image without a text alternative, a field without a label).
const page_html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Thử trình duyệt</title>
<script type="module" src="/app.js"></script></head>
<body><main><h1 id="t">Chưa bấm</h1><button id="b" type="button">Nộp hồ sơ</button>
<img src="/x.png"><input type="text" id="nameless"></main></body></html>`;
const app_js = `document.getElementById("b").addEventListener("click", () => {
  document.getElementById("t").textContent = "Đã nộp";
});`;
const server = createServer((req, res) => {
  if (req.url === "/") {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(page_html);
  } else if (req.url === "/app.js") {
    res.writeHead(200, { "Content-Type": "text/javascript" });
    res.end(app_js);
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const url = `http://127.0.0.1:${server.address().port}/`;

let browser;
const deadline = setTimeout(() => {
  console.log("FAIL: the browser check took more than 60 s");
  process.exit(1);
}, 60000);
try {
  browser = await chromium.launch(launchOptions());
  const context = await browser.newContext(); // axe needs a context, not browser.newPage()
  const page = await context.newPage();
  await page.goto(url);
  check((await page.textContent("#t")) === "Chưa bấm", "the page loads with its heading");
  await page.keyboard.press("Tab"); // keyboard first: the button takes the focus ...
  await page.keyboard.press("Enter"); // ... and Enter presses it
  await page.waitForFunction(() => document.getElementById("t").textContent === "Đã nộp", null, { timeout: 5000 });
  check((await page.textContent("#t")) === "Đã nộp", "the script ran on a key press");
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const ids = result.violations.map((v) => v.id).sort();
  check(ids.includes("image-alt"), "axe finds the image without a text alternative: " + ids.join(", "));
  check(ids.includes("label"), "axe finds the field without a label: " + ids.join(", "));
  console.log(`node ${process.versions.node}, chromium ${browser.version()}, ` +
              `playwright-core ${require("playwright-core/package.json").version}, ` +
              `axe-core ${require("axe-core/package.json").version}`);
  await context.close();
} catch (e) {
  check(false, "the browser could not be driven: " + (e && e.message ? e.message : e));
} finally {
  clearTimeout(deadline);
  if (browser) await browser.close();
  server.close();
}
done();
