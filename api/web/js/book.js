// book.js — the dossier register (console/book.html?from=YYYY-MM-DD&to=YYYY-MM-DD),
// form 07 of Circular 03/2025/TT-VPCP, "Sổ theo dõi hồ sơ": the dossiers of
// the official's agency received between two days (local days of
// Asia/Ho_Chi_Minh, today by default), from `search` (received_from,
// received_to) paged with `next` to the end, one row each: its code, who
// filed, the procedure, when received, the appointment, when returned or
// decided, its state and notes.  Only the form's name was found of the
// circular's Appendix I; the columns follow form 06 of Circular 01/2018/TT-VPCP.
// `search` gives each row all it needs (no dossier is opened in full, so the
// register adds nothing to the record of who read whose personal data).
// Printed on A4 landscape (site.css, "printed forms").
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";
import { date, dateTime } from "/js/format.js";
import { Masthead, PrintButton, Refused, isOfficial } from "/js/printed.js";
import * as session from "/js/session.js";

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOUR = 3600000;
// The first instant of a local day "YYYY-MM-DD" (UTC+7, no summer time), or NaN.
function dayStart(text) {
  const m = DAY.exec(text || "");
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - 7 * HOUR : NaN;
}
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit",
  day: "2-digit" }).format(new Date());
const CHANNEL = { online: "Nộp trực tuyến", desk: "Nộp tại Bộ phận Một cửa", post: "Nộp qua bưu chính" };
const CLASS = { early: "giải quyết trước hạn", on_time: "giải quyết đúng hạn", late: "giải quyết quá hạn" };

// Every page of a search.
async function register(token, agency, from, to) {
  const c = new Connection(token);
  try {
    const found = [];
    let cursor = null;
    do {
      const r = await c.request("search", { received_from: from, received_to: to, limit: 100, ...(cursor ? { cursor } : {}) });
      if (!r.ok) throw new Error((r.error && (r.error.message_vi || r.error.message)) || "Không tìm được hồ sơ");
      found.push(...r.dossiers.filter((x) => !agency || x.agency === agency));
      cursor = r.next;
    } while (cursor);
    const rows = found;
    const dir = await c.request("agencies", {});
    const own = dir.ok && dir.agencies.find((a) => a.code === agency);
    return { rows, agencyName: own ? own.name : agency || "" };
  } finally {
    c.close();
  }
}

function notes(x) {
  return [CHANNEL[x.channel], x.supplement_used && "có yêu cầu bổ sung", x.extended && "đã gia hạn",
    CLASS[x.classification]].filter(Boolean).join("; ");
}

function Book({ s }) {
  const params = new URLSearchParams(location.search);
  const [from, setFrom] = useState(params.get("from") || today());
  const [to, setTo] = useState(params.get("to") || params.get("from") || today());
  const [error, setError] = useState("");
  const [book, setBook] = useState(null);
  const shown = { from: params.get("from") || today(), to: params.get("to") || params.get("from") || today() };
  useEffect(() => {
    const a = dayStart(shown.from), b = dayStart(shown.to);
    if (Number.isNaN(a) || Number.isNaN(b) || a > b) {
      setError("Khoảng ngày không hợp lệ: chọn «Từ ngày» không sau «Đến ngày».");
      return;
    }
    register(s.token, s.agency, a, b + 24 * HOUR - 1).then(setBook, (e) => setError(e.message));
  }, []);
  function choose(e) {
    e.preventDefault();
    location.search = `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  }
  const range = `từ ngày ${date(dayStart(shown.from))} đến ngày ${date(dayStart(shown.to))}`;
  return html`<form class="noprint range" onSubmit=${choose}>
      <div><label for="from">Từ ngày</label><input type="date" id="from" value=${from} required
        onInput=${(e) => setFrom(e.target.value)} /></div>
      <div><label for="to">Đến ngày</label><input type="date" id="to" value=${to} required
        onInput=${(e) => setTo(e.target.value)} /></div>
      <div><button type="submit">Xem sổ</button></div>
    </form>
    ${error ? html`<p class="error" role="alert">${error}</p>` : !book ? html`<p>Đang tải…</p>` : html`
    <article class="printed book sheet-a4l">
      <${Masthead} agency=${book.agencyName} />
      <h1>SỔ THEO DÕI HỒ SƠ</h1>
      <p class="center" id="range">Hồ sơ tiếp nhận ${range}: <span id="count">${book.rows.length}</span> hồ sơ</p>
      ${book.rows.length === 0 ? html`<p id="empty">Không có hồ sơ nào được tiếp nhận trong khoảng ngày này.</p>` : html`
      <div class="wide"><table class="register">
        <caption>Danh sách hồ sơ</caption>
        <thead><tr><th scope="col">STT</th><th scope="col">Mã hồ sơ</th><th scope="col">Tên tổ chức, cá nhân</th>
          <th scope="col">Tên thủ tục hành chính</th><th scope="col">Nhận hồ sơ</th><th scope="col">Hẹn trả kết quả</th>
          <th scope="col">Trả kết quả, quyết định</th><th scope="col">Tình trạng</th><th scope="col">Ghi chú</th></tr></thead>
        <tbody>${book.rows.map((x, i) => html`<tr data-code=${x.code}>
          <td>${i + 1}</td><td>${x.code}</td><td>${x.applicant_name || (x.applicant && x.applicant.name) || ""}</td>
          <td>${x.procedure_name}</td><td>${dateTime(x.submitted_at)}</td>
          <td>${x.appointment_at ? dateTime(x.appointment_at) : "—"}</td>
          <td>${x.state === "returned" && x.finished_at ? `Trả: ${dateTime(x.finished_at)}`
            : x.decided_at ? `Quyết định: ${dateTime(x.decided_at)}` : x.finished_at ? `Kết thúc: ${dateTime(x.finished_at)}` : "—"}</td>
          <td>${x.state_label}</td><td>${notes(x)}</td></tr>`)}</tbody>
      </table></div>`}
      <p class="noprint"><${PrintButton} label="In sổ" /> <a href="/console/">Về hàng đợi</a></p>
    </article>`}`;
}

const s = session.required();
if (s && !isOfficial(s)) render(html`<${Refused} title="Sổ theo dõi hồ sơ" />`, document.getElementById("app"));
else if (s) render(html`<${Book} s=${s} />`, document.getElementById("app"));
