// print.js — the officials' printed forms of a dossier
// (console/print.html?form=02|03|04|05|06&dossier=CODE[&seq=N]), forms 02 to
// 06 of Circular 03/2025/TT-VPCP (Appendix I), filled from the log alone
// (`get`, `history`; for 06 also the procedure version the dossier runs
// under, `process` with its `definition`), so that a reprint is the same:
//   02 the supplement request (the latest, or the one of event `seq`),
//   03 the refusal at reception, 04 the apology and extension (the new
//   appointment), 05 the notice of stopping, 06 the process control sheet
//   (every hand-over of the dossier from one step to the next).
// Only the forms' names were found of the circular's Appendix I; their
// content follows the corresponding forms of Circular 01/2018/TT-VPCP
// (02 its form 02, 03 its form 03, 04 its form 04 "Phiếu xin lỗi và hẹn lại
// ngày trả kết quả", 06 its form 05); 05 has no counterpart there and is
// written in the same manner.  A form whose event did not happen says so.
// 02–05 print on one A5 page, 06 on A4 (its table); site.css, "printed forms".
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";
import { dateTime, formal, formalDay, limit } from "/js/format.js";
import { Masthead, PrintButton, QrCode, Refused, isOfficial, lookupOf, readDossier } from "/js/printed.js";
import * as session from "/js/session.js";

const FORMS = {
  "02": { title: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", name: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" },
  "03": { title: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", name: "Phiếu từ chối tiếp nhận giải quyết hồ sơ" },
  "04": { title: "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    name: "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết" },
  "05": { title: "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", name: "Thông báo dừng giải quyết hồ sơ" },
  "06": { title: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", name: "Phiếu kiểm soát quá trình giải quyết hồ sơ" },
};

// Why a form cannot be printed: its event did not happen.
const NONE = {
  "02": "chưa có yêu cầu bổ sung, hoàn thiện hồ sơ nào",
  "03": "không bị từ chối tiếp nhận",
  "04": "chưa được gia hạn thời gian giải quyết",
  "05": "không bị dừng giải quyết",
};

const ROLE = { applicant: "Người nộp hồ sơ", reception: "Bộ phận Một cửa", specialist: "Chuyên viên xử lý",
  leader: "Lãnh đạo", postal: "Bưu chính", system: "Hệ thống", agency_admin: "Quản trị cơ quan" };

// The event a form is printed from, or null.
function eventOf(form, history, seq) {
  const latest = (f) => history.filter(f).pop() || null;
  if (form === "02") return latest((x) => x.action === "request_supplement" && (!seq || x.seq === seq));
  if (form === "03") return latest((x) => x.action === "reject");
  if (form === "04") return latest((x) => x.action === "extend");
  if (form === "05") return latest((x) => x.action === "stop") || latest((x) => x.state === "stopped");
  return null;
}

// "Ông/Bà" or "Tổ chức": how the forms address the applicant.
const addressee = (a) => (a.kind === "organisation" ? "Tổ chức" : "Ông/Bà");

function Applicant({ d, lead }) {
  const a = d.applicant;
  return html`<ul class="form-lines">
    <li>${lead || "Hồ sơ của"}: <strong id="applicant">${a.name}</strong></li>
    <li>Địa chỉ: ${a.address || "—"}</li>
    <li>Số điện thoại: ${a.phone || "—"}; thư điện tử: ${a.email || "—"}</li>
    <li>Nội dung yêu cầu giải quyết: <span id="procedure">${d.procedure_name}</span></li>
    <li>Thời gian nhận hồ sơ: <span id="received">${formal(d.submitted_at)}</span></li>
  </ul>`;
}

// Two signatures side by side: the applicant's and the signer's (or the signer's alone).
function Signature({ title, note, name, left }) {
  return html`<div class="signatures">
    ${left ? html`<p class="center"><strong>${left}</strong><br /><em>(Ký và ghi rõ họ tên)</em></p>` : html`<p></p>`}
    <p class="center"><strong id="signer">${title}</strong><br /><em>${note}</em><br /><br /><span id="signer-name">${name}</span></p>
  </div>`;
}

function Reason({ text }) {
  return html`<p class="reason" id="reason">${text}</p>`;
}

function Supplement({ d, ev, phone }) {
  const who = addressee(d.applicant).toLowerCase();
  return html`
    <${Applicant} d=${d} />
    <p>Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau (yêu cầu lúc <span id="asked">${formal(ev.time)}</span>):</p>
    <${Reason} text=${ev.reason || ""} />
    <p>Trong quá trình bổ sung, hoàn thiện hồ sơ nếu có vướng mắc, ${who} liên hệ với ${ev.by.name}, Bộ phận Một cửa
      — ${d.agency_name}${phone ? `, số điện thoại ${phone}` : ""} để được hướng dẫn. Hồ sơ nộp trực tuyến được bổ sung tại
      trang Hồ sơ của tôi./.</p>
    <${Signature} left="NGƯỜI NỘP HỒ SƠ" title="NGƯỜI HƯỚNG DẪN" note="(Ký và ghi rõ họ tên)" name=${ev.by.name} />`;
}

function Refusal({ d, ev }) {
  return html`
    <${Applicant} d=${d} lead=${`Bộ phận Một cửa — ${d.agency_name} tiếp nhận hồ sơ của`} />
    <p>Qua xem xét, Bộ phận Một cửa — ${d.agency_name} thông báo không tiếp nhận, giải quyết hồ sơ này
      (lúc <span id="refused">${formal(ev.time)}</span>) với lý do cụ thể như sau:</p>
    <${Reason} text=${ev.reason || ""} />
    <p>Xin thông báo cho ${addressee(d.applicant)} được biết và thực hiện./.</p>
    <${Signature} left="NGƯỜI NỘP HỒ SƠ" title="NGƯỜI TIẾP NHẬN HỒ SƠ" note="(Ký và ghi rõ họ tên)" name=${ev.by.name} />`;
}

// The opening of a letter to the applicant: when and what the agency received.
function Received({ d, who }) {
  return html`<p>${formalDay(d.accepted_at || d.submitted_at).replace(/^n/, "N")}, ${d.agency_name} tiếp nhận hồ sơ của ${who} đề nghị
    giải quyết thủ tục hành chính: <span id="procedure">${d.procedure_name}</span> (mã hồ sơ ${d.code}).</p>`;
}

function Apology({ d, ev }) {
  const who = addressee(d.applicant);
  return html`
    <p>Kính gửi: ${who} <strong id="applicant">${d.applicant.name}</strong></p>
    <${Received} d=${d} who=${who} />
    <p>Thời hạn trả kết quả giải quyết hồ sơ đã hẹn: <span id="old-due">${formal(ev.old_due)}</span>.</p>
    <p>Tuy nhiên, ${d.agency_name} không thể trả kết quả giải quyết hồ sơ của ${who} đúng thời hạn đã hẹn trên Giấy tiếp
      nhận hồ sơ và hẹn trả kết quả. Lý do:</p>
    <${Reason} text=${ev.reason || ""} />
    <p>Sự chậm trễ này gây phiền hà cho ${who}. ${d.agency_name} xin lỗi ${who} và đề nghị gia hạn thời gian giải quyết,
      hẹn trả kết quả giải quyết hồ sơ cho ${who} vào: <strong id="new-due">${formal(ev.new_due)}</strong>.</p>
    <p>Xin trân trọng cảm ơn sự hợp tác của ${who}./.</p>
    <${Signature} title="THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" note="(Ký, ghi rõ họ tên và đóng dấu)" name=${ev.by.name} />`;
}

function Stop({ d, ev }) {
  const who = addressee(d.applicant);
  const why = ev.reason || (ev.action === "timeout"
    ? `Đã hết thời hạn của bước «${ev.step_title}» mà hồ sơ chưa được bổ sung, hoàn thiện.` : "");
  return html`
    <p>Kính gửi: ${who} <strong id="applicant">${d.applicant.name}</strong></p>
    <${Received} d=${d} who=${who} />
    <p>${d.agency_name} thông báo dừng giải quyết hồ sơ nêu trên kể từ <span id="stopped">${formal(ev.time)}</span>, với lý do
      như sau:</p>
    <${Reason} text=${why} />
    <p>Xin thông báo cho ${who} được biết./.</p>
    <${Signature} title="THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" note="(Ký, ghi rõ họ tên và đóng dấu)"
      name=${ev.by.role === "system" ? "" : ev.by.name} />`;
}

// ---- 06: the control sheet

// What the engine records on its own, and the commands beside the process: not hand-overs.
const NOT_MOVES = new Set(["warn", "overdue", "deadline_near", "deadline_passed", "extend", "assign", "rate", "refund"]);
const FINAL = { returned: "Đã trả kết quả", rejected: "Từ chối tiếp nhận", withdrawn: "Đã rút hồ sơ",
  stopped: "Dừng giải quyết" };
const CLASS = { early: "Trước hạn", on_time: "Đúng hạn", late: "Quá hạn" };
// The province's local day of an instant (Asia/Ho_Chi_Minh, UTC+7, no summer time).
const localDay = (ms) => Math.floor((ms + 7 * 3600000) / 86400000);
const person = (by) => (by ? `${by.name} (${ROLE[by.role] || by.role})` : "");

// The hand-overs: each step's action passing the dossier on, with who gave it,
// who took it (the one who acted next, or the applicant given the result), its
// due and whether it was early, on time or late (the engine's rule for a
// dossier, DOMAIN.md rule 9: before the due's day, by the due, after it).
// A step's due instant is in the log only when a timer of it fired (a warning,
// overdue) or while it is open; else a step done the day it began under a
// limit of days was early, and one without an "overdue" was not late.
function handovers(d, history, steps) {
  const stepOf = (name) => steps.find((x) => x.name === name) || {};
  const moves = history.map((x, i) => ({ ...x, i })).filter((x) => !NOT_MOVES.has(x.action));
  return moves.map((e, k) => {
    const next = moves[k + 1], prev = moves[k - 1];
    const st = stepOf(e.step);
    const timers = history.slice(prev ? prev.i + 1 : 0, e.i).filter((x) => x.step === e.step && x.due_at);
    let due = timers.length ? timers[timers.length - 1].due_at : 0, result = "—";
    const own = e.action !== "submit" && st.role !== "applicant" && e.by.role !== "system" && prev;
    if (own) {
      if (timers.some((x) => x.action === "overdue") || (due && e.time > due)) result = CLASS.late;
      else if (due) result = localDay(e.time) < localDay(due) ? CLASS.early : CLASS.on_time;
      else result = /day/.test(st.limit || "") && localDay(e.time) === localDay(prev.time) ? CLASS.early : CLASS.on_time;
    }
    const open = !next && !FINAL[e.state] ? d.open_steps : [];
    const to = next ? next.step_title : FINAL[e.state] || open.map((x) => x.title).join("; ");
    const taker = next ? person(next.by) : e.state === "returned" ? `${d.applicant.name} (Người nhận kết quả)`
      : open.length ? "Đang xử lý" : "—";
    return {
      from: e.action === "submit" ? "Nộp hồ sơ" : e.step_title || e.label, giver: person(e.by), to, taker, time: e.time,
      due: due ? dateTime(due) : e.action === "submit" || !st.limit ? "—" : `Trong ${limit(st.limit)}`,
      result, note: [e.label, e.reason].filter(Boolean).join(": "),
      pending: open.map((x) => ({ title: x.title, due: x.due_at })),
    };
  });
}

function Control({ d, history, steps }) {
  const rows = handovers(d, history, steps);
  const last = rows[rows.length - 1];
  // The other agencies that took part: those whose officials acted on it.
  const partners = (d.step_agencies || []).filter((x) => history.some((e) => e.by.agency === x.code))
    .map((x) => x.name).join("; ");
  return html`
    <ul class="form-lines">
      <li>Hồ sơ của: <strong id="applicant">${d.applicant.name}</strong></li>
      <li>Nội dung yêu cầu giải quyết: <span id="procedure">${d.procedure_name}</span></li>
      <li>Cơ quan (bộ phận) giải quyết hồ sơ: ${d.agency_name}</li>
      <li>Cơ quan phối hợp giải quyết hồ sơ: ${partners || "Không có"}</li>
      <li>Thời gian nhận hồ sơ: <span id="received">${formal(d.submitted_at)}</span>; hẹn trả kết
        quả: <span id="appointment">${d.appointment_at ? formal(d.appointment_at) : "chưa hẹn"}</span></li>
    </ul>
    <div class="wide"><table class="control">
      <caption>Quá trình giao, nhận hồ sơ</caption>
      <thead><tr><th scope="col">STT</th><th scope="col">Giao (bước, người giao)</th><th scope="col">Nhận (bước, người nhận)</th>
        <th scope="col">Thời gian giao, nhận hồ sơ</th><th scope="col">Hạn xử lý</th>
        <th scope="col">Kết quả (trước hạn/ đúng hạn/ quá hạn)</th><th scope="col">Ghi chú</th></tr></thead>
      <tbody>
        ${rows.map((r, i) => html`<tr>
          <td>${i + 1}</td><td>${r.from}<br />${r.giver}</td><td>${r.to}<br />${r.taker}</td>
          <td>${formal(r.time)}</td><td>${r.due}</td><td>${r.result}</td><td>${r.note}</td></tr>`)}
        ${last ? last.pending.map((p) => html`<tr><td>${rows.length + 1}</td><td>${p.title}</td><td>—</td>
          <td>Đang xử lý</td><td>${p.due ? dateTime(p.due) : "—"}</td><td>—</td><td></td></tr>`) : null}
      </tbody>
    </table></div>
    <p>Kết quả giải quyết hồ sơ so với thời gian hẹn trả: <strong id="classification">${d.classification
      ? `${CLASS[d.classification]} (có kết quả lúc ${formal(d.decided_at)})` : "chưa có kết quả"}</strong>.</p>`;
}

// ---- the page

function Print({ form, code, seq, s }) {
  const [r, setR] = useState(null);
  useEffect(() => {
    readDossier(s.token, code, [["agencies", {}]]).then(async (got) => {
      if (!got.error && form === "06") {
        const c = new Connection(s.token);
        const p = await c.request("process", { procedure: got.dossier.procedure, definition: got.dossier.definition });
        c.close();
        got.steps = p.ok ? p.steps : [];
      }
      setR(got);
    });
  }, []);
  const f = FORMS[form];
  if (!f) return html`<h1>In phiếu</h1><p class="error" role="alert">Không có mẫu phiếu «${form}». Chọn một trong các mẫu:
    ${Object.entries(FORMS).map(([k, v]) => html` <a href=${`?form=${k}&dossier=${encodeURIComponent(code)}`}>${k} ${v.name}</a>;`)}</p>`;
  if (!r) return html`<p>Đang tải…</p>`;
  if (r.error) return html`<h1>${f.name}</h1><p class="error" role="alert">${r.error}</p>`;
  const d = r.dossier;
  const ev = form === "06" ? null : eventOf(form, r.history, seq);
  if (form !== "06" && !ev)
    return html`<h1>${f.name}</h1><p class="warning" role="status" id="none">Hồ sơ ${d.code} ${NONE[form]}${seq ? ` ở sự kiện số ${seq}` : ""}:
      không có ${f.name.toLowerCase()} để in.</p><p><a href="/console/">Về hàng đợi</a></p>`;
  const agency = ((r.replies[0] && r.replies[0].agencies) || []).find((x) => x.code === d.agency);
  const phone = agency && agency.contacts && agency.contacts.phone;
  const body = form === "02" ? html`<${Supplement} d=${d} ev=${ev} phone=${phone} />`
    : form === "03" ? html`<${Refusal} d=${d} ev=${ev} />` : form === "04" ? html`<${Apology} d=${d} ev=${ev} />`
    : form === "05" ? html`<${Stop} d=${d} ev=${ev} />` : html`<${Control} d=${d} history=${r.history} steps=${r.steps} />`;
  const lookup = lookupOf(d).url;
  return html`<article class=${`printed form-${form} ${form === "06" ? "sheet-a4" : "slip-a5"}`}>
    <${Masthead} agency=${d.agency_name} place=${ev ? formalDay(ev.time) : null} />
    <div class="code-block">
      <div>
        <p class="form-no">Mẫu số ${form}</p>
        <h1>${f.title}</h1>
        <p>Mã hồ sơ: <strong id="code">${d.code}</strong>; mã tra cứu: <strong id="secret">${d.secret}</strong></p>
      </div>
      <${QrCode} d=${d} />
    </div>
    ${body}
    <p class="small">Tra cứu tình trạng hồ sơ: quét mã QR, hoặc nhập mã hồ sơ và mã tra cứu tại <a href=${lookup}>${lookup}</a>.</p>
    <p class="noprint"><${PrintButton} /> <a href="/console/">Về hàng đợi</a></p>
  </article>`;
}

const s = session.required();
const params = new URLSearchParams(location.search);
const seq = Number(params.get("seq")) || 0;
if (s && !isOfficial(s)) render(html`<${Refused} title="In phiếu" />`, document.getElementById("app"));
else if (s) render(html`<${Print} form=${params.get("form") || ""} code=${params.get("dossier") || ""} seq=${seq} s=${s} />`,
  document.getElementById("app"));
