// mine.js — "my dossiers" (mine.html): an applicant's dossiers, newest first
// (the `queue` op), kept live by the "mine" subscription: an official's action
// shows here without reloading.  A lost connection is said, and the page
// catches up when it is back.
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";
import { date } from "/js/format.js";
import * as session from "/js/session.js";

function Mine({ s }) {
  const [rows, setRows] = useState(null);
  const [status, setStatus] = useState("connecting");
  const [error, setError] = useState("");
  useEffect(() => {
    const conn = new Connection(s.token, {
      onStatus: setStatus,
      onRevoked: async () => {
        await session.logout();
        location.replace("/login.html?next=/mine.html");
      },
    });
    const load = async () => {
      const r = await conn.request("queue", { limit: 200 });
      if (r.ok) setRows(r.rows);
      else setError((r.error && (r.error.message_vi || r.error.message)) || "Không đọc được danh sách hồ sơ");
    };
    load();
    let timer = null;
    conn.subscribe("mine", { scope: "mine" }, (m) => {
      if (m.push !== "event") return;
      clearTimeout(timer); // several events of one command: read once
      timer = setTimeout(load, 100);
    });
    return () => conn.close();
  }, []);
  async function out() {
    await session.logout();
    location.assign("/");
  }
  return html`
    <h1>Hồ sơ của tôi</h1>
    <p class="meta">Tài khoản ${s.account} · <button type="button" class="link" onClick=${out}>Đăng xuất</button></p>
    ${status === "offline" ? html`<p class="warning" role="status">Mất kết nối với máy chủ: đang kết nối lại…</p>` : ""}
    ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
    ${rows === null ? html`<p>Đang tải…</p>` : rows.length === 0 ? html`<p>Bạn chưa nộp hồ sơ nào.</p>` : html`
      <ul class="results" aria-live="polite">
        ${rows.map((r) => html`<li data-code=${r.code}>
          <a href=${`/dossier.html?code=${encodeURIComponent(r.code)}`}><strong>${r.procedure_name}</strong></a>
          <p class="meta">Mã hồ sơ ${r.code}</p>
          <p class="meta"><span class="state">${r.state_label}</span>${r.title ? ` · ${r.title}` : ""}</p>
          <p class="meta">Nộp ngày ${date(r.submitted_at)}${r.appointment_at ? ` · hẹn trả ngày ${date(r.appointment_at)}` : ""}</p>
        </li>`)}
      </ul>`}`;
}

const s = session.required();
if (s) render(html`<${Mine} s=${s} />`, document.getElementById("app"));
