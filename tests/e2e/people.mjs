// people.mjs — the accounts and requests of a browser test against a real
// motcuad: officials made through the admin socket (`motcua user add`, their
// one-time password changed), logins over HTTP, one request over a page's own
// WebSocket (the second channel that checks what a page shows), and axe's
// verdict on a page (WCAG 2.0/2.1/2.2 A and AA: no serious or critical issue), and
// the end of a test (teardown: the browser, the server and its simulators stopped).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { check, checks } from "./browser.mjs";

export const PASSWORD = "một mật khẩu đủ dài";

export function people(server, motcua) {
  // An account made through the admin socket: its one-time password.
  function userAdd(account, name, roles, agency) {
    const args = ["user", "add", join(server.dir, "data"), account, "--name", name, "--roles", roles];
    if (agency) args.push("--agency", agency);
    else args.push("--phone", "0912345678");
    const out = execFileSync(motcua, args, { encoding: "utf8" });
    return /one-time password (\S+)/.exec(out)[1];
  }

  // One request over a WebSocket opened by `page` (on the server's origin) with `token`.
  function wsRequest(page, token, op, fields = {}) {
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

  async function login(id, password) {
    const r = await fetch(server.url + "/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id, password }) });
    return (await r.json()).token;
  }

  // An official ready to act: made, its one-time password changed, logged in.
  async function official(page, account, roles, agency, name = "Cán bộ " + account) {
    const otp = userAdd(account, name, roles, agency);
    const first = await login(account, otp);
    const r = await wsRequest(page, first, "change_password", { old: otp, new: PASSWORD });
    if (!r.ok) throw new Error("change_password: " + JSON.stringify(r));
    return login(account, PASSWORD);
  }

  return { userAdd, wsRequest, login, official };
}

export async function accessible(page, what) {
  const r = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `${what}: axe finds ${bad.map((v) => `${v.id} (${v.nodes.length})`).join(", ")}`);
}

// An instant as the printed forms and the pages write it (api/web/js/format.js `formal`):
// "14 giờ 05 phút, ngày 07 tháng 12 năm 2026", in the province's time.
export function formal(ms) {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit",
    minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric", hourCycle: "h23" }).formatToParts(new Date(ms))
    .map((x) => [x.type, x.value]));
  return `${p.hour} giờ ${p.minute} phút, ngày ${p.day} tháng ${p.month} năm ${p.year}`;
}

// The end of a browser test, whatever happened: the browser closed, the
// server's last output shown when a check failed, the server and the
// simulators it used (clamd, the mail/SMS sink) stopped.
export async function teardown({ deadline, browser, server, clamd, sink }) {
  clearTimeout(deadline);
  if (browser) await browser.close();
  if (checks.failed) console.log(server.output().slice(-1500));
  await server.stop();
  if (clamd) await clamd.stop();
  if (sink) sink.stop();
}
