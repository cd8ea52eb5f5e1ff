// browser.mjs — how every browser test launches Chromium on this kind of
// machine: Debian's own /usr/bin/chromium (playwright-core downloads none),
// headless, as root without the sandbox, and with none of Chromium's
// background connections (the machines reach no network but loopback).
// playwright-core gives each launch a fresh profile of its own.
import AxeBuilder from "@axe-core/playwright";

export const CHROMIUM = process.env.MOTCUA_CHROMIUM || "/usr/bin/chromium";

export function launchOptions() {
  return {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  };
}

// The checks of a browser test: each failure printed, the run going on, the
// count at the end (`done` exits 1 when any failed).
export const checks = { n: 0, failed: 0 };
export function check(cond, what) {
  checks.n++;
  if (!cond) {
    checks.failed++;
    console.log("FAIL: " + what);
  }
  return cond;
}
export const eq = (got, want, what) => check(JSON.stringify(got) === JSON.stringify(want),
  `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
export function done() {
  console.log(`${checks.n - checks.failed} passed, ${checks.failed} failed`);
  process.exit(checks.failed ? 1 : 0);
}

// axe on the page as it is (WCAG 2.0, 2.1 and 2.2 A and AA): a check that it finds
// no serious or critical fault.
export async function accessible(page, what) {
  const r = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `${what}: axe finds ${bad.map((v) => `${v.id} (${v.nodes.length})`).join(", ")}`);
}
