// case.js — a dossier at the desk (/console/dossier.html?code=CODE): the
// applicant, the e-form, the documents viewed in the page (PDF and images,
// through links that expire and whose use is recorded), the history as a
// timeline, the deadline with how it was counted, and only the actions the
// process gives this official now (`can` of `get`: the server decides).
// Each action asks for what it needs — accept shows the appointment it will
// promise before it is confirmed; a supplement is one request made of a
// checklist of the procedure's documents and guidance; a refusal its
// reasons; an extension its new date and apology; an assignment one of the
// agency's officials; a transfer, before acceptance, the competent agency
// among those offering the procedure, and its reason — and frequent ones
// have a key.  Live: another
// official's action shows without reloading (a "dossier" subscription).
import { html, render, useEffect, useRef, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { connect, errorText, official, Offline, onShortcut, ROLES, ShortcutsToggle } from "/js/desk.js";
import { date, dateTime, formal, limit, money, nfc } from "/js/format.js";
import { getJSON } from "/js/http.js";
import { uploadFile } from "/js/upload.js";

// The keys of the frequent actions (shown on their buttons).
const KEYS = { accept: "n", request_supplement: "b", reject: "t", forward: "c", approve: "d", deny: "k",
  return_result: "r", assign: "p", extend: "g" };
// The commands that are ops of their own; every other action is `act`.
const OPS = new Set(["withdraw", "extend", "assign", "stop", "rate", "transfer"]);
// The printed forms a dossier's history calls for (print.html; the receipt is form 01).
const FORMS = [
  { form: "02", label: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", when: (h) => h.some((x) => x.action === "request_supplement") },
  { form: "03", label: "Phiếu từ chối tiếp nhận giải quyết hồ sơ", when: (h) => h.some((x) => x.action === "reject") },
  { form: "04", label: "Văn bản xin lỗi và đề nghị gia hạn", when: (h) => h.some((x) => x.action === "extend") },
  { form: "05", label: "Thông báo dừng giải quyết hồ sơ", when: (h) => h.some((x) => x.action === "stop") },
  { form: "06", label: "Phiếu kiểm soát quá trình giải quyết hồ sơ", when: () => true },
];
const WHAT = { received: "Nhận hồ sơ", moved: "Dời hạn", reception: "Tiếp nhận", counted: "Tính", skipped: "Không tính",
  due: "Hẹn trả" };

function Document({ doc, d, conn }) {
  const [shown, setShown] = useState(null);
  const [error, setError] = useState("");
  async function view(sha, i) {
    const r = await conn.request("file_link", { dossier: d.code, sha256: sha });
    if (!r.ok) return setError(errorText(r, "Không mở được tệp"));
    setShown({ ...r, i });
  }
  return html`<li class="doc">
    <strong>${doc.title}</strong> <span class="meta">(${doc.original ? "bản chính" : "bản sao"}${
      doc.state === "reused" ? ", dùng lại từ hồ sơ trước" : doc.state === "missing" ? ", chưa có" : doc.state === "issued" ? ", kết quả" : ""})</span>
    ${doc.files.length ? html`<ul class="files">${doc.files.map((sha, i) => html`<li>
      <button type="button" class="link" onClick=${() => view(sha, i)}>Xem trang ${i + 1}${doc.files.length > 1 ? ` / ${doc.files.length}` : ""}</button></li>`)}</ul>` : ""}
    ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
    ${shown ? html`<div class="viewer">
      ${shown.type === "pdf" ? html`<iframe src=${shown.path} title=${`${doc.title}, trang ${shown.i + 1}`}></iframe>`
        : html`<img src=${shown.path} alt=${`${doc.title}, trang ${shown.i + 1} (bản quét)`} />`}
      <p><a href=${shown.path} target="_blank" rel="noopener">Mở ở cửa sổ riêng</a> ·
        <button type="button" class="link" onClick=${() => setShown(null)}>Đóng</button></p></div>` : ""}
  </li>`;
}

// What the action needs, asked in a dialog, then sent; `done` with the reply.
function ActionDialog({ c, d, conn, s, proc, onClose, onDone }) {
  const ref = useRef(null);
  const [reason, setReason] = useState("");
  const [picked, setPicked] = useState([]);
  const [handler, setHandler] = useState("");
  const [officials, setOfficials] = useState([]);
  const [to, setTo] = useState("");
  const [offering, setOffering] = useState([]);
  const [due, setDue] = useState("");
  const [files, setFiles] = useState({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ref.current.showModal();
    if (c.needs === "official")
      conn.request("officials", { agency: d.agency }).then((r) => r.ok && setOfficials(r.officials.filter((o) =>
        !o.disabled && (o.roles.includes("specialist") || o.roles.includes(d.open_steps[0]?.role || "specialist")))));
    // A transfer: the agencies the procedure's page says offer it, but this one.
    if (c.needs === "agency")
      (proc ? Promise.resolve(proc) : getJSON(`/api/procedures/${encodeURIComponent(d.procedure)}`))
        .then((p) => setOffering((p.agency_details || []).filter((x) => x.code !== d.agency))).catch(() => {});
  }, []);
  const slots = (proc && proc.results) || [];
  async function add(name, list) {
    for (const file of list) {
      const key = crypto.randomUUID();
      setFiles((all) => ({ ...all, [name]: [...(all[name] || []), { key, name: file.name, state: "uploading" }] }));
      const r = await uploadFile(file, s.token, undefined);
      setFiles((all) => ({ ...all, [name]: all[name].map((f) => f.key !== key ? f : r.ok
        ? { ...f, state: r.receipt.state, sha256: r.receipt.sha256 } : { ...f, state: "failed", message: r.message }) }));
    }
  }
  async function send(e) {
    e.preventDefault();
    const fields = { command_id: crypto.randomUUID(), dossier: d.code, expected_version: d.version };
    let text = nfc(reason.trim());
    if (c.needs === "list") {
      if (!picked.length && !text) return setError("Chọn giấy tờ cần bổ sung hoặc ghi hướng dẫn");
      const items = picked.map((t, i) => `${i + 1}. ${t}`).join("; ");
      text = [items && `Đề nghị bổ sung: ${items}.`, text && `Hướng dẫn: ${text}`].filter(Boolean).join(" ");
    }
    if ((c.needs === "reason" || c.needs === "date" || c.needs === "agency") && !text) return setError("Ghi lý do");
    if (c.needs === "agency" && !to) return setError("Chọn cơ quan có thẩm quyền");
    if (c.needs === "agency") fields.to = to;
    if (c.needs === "official" && !handler) return setError("Chọn cán bộ xử lý");
    if (c.needs === "date" && !due) return setError("Chọn ngày hẹn trả mới");
    if (text) fields.reason = text;
    if (c.needs === "official") fields.handler = handler;
    if (c.needs === "date") fields.new_due = Date.parse(`${due}T12:00:00+07:00`); // the server gives the day's closing time
    const documents = Object.entries(files).map(([name, l]) => ({ name, files: l.filter((f) => f.sha256).map((f) => f.sha256) }))
      .filter((x) => x.files.length);
    if (documents.length) fields.documents = documents;
    if (!OPS.has(c.action)) {
      fields.action = c.action;
      if (c.step) fields.step = c.step;
    }
    if (c.role && s.roles.length > 1) fields.role = c.role;
    setBusy(true);
    const r = await conn.request(OPS.has(c.action) ? c.action : "act", fields);
    setBusy(false);
    if (!r.ok) return setError(errorText(r));
    ref.current.close();
    onDone(c, r, fields.to && offering.find((x) => x.code === fields.to));
  }
  const needsText = c.needs === "reason" || c.needs === "optional_reason" || c.needs === "list" || c.needs === "date" ||
    c.needs === "agency";
  return html`<dialog ref=${ref} class="action" aria-labelledby="action-h" onClose=${onClose}>
    <form onSubmit=${send}>
      <h2 id="action-h">${c.label}</h2>
      <p class="meta">Hồ sơ ${d.code} · ${d.applicant?.name || ""}</p>
      ${c.action === "accept" && d.deadline?.if_accepted_now ? html`<p class="promise" id="promise">Tiếp nhận bây giờ, hẹn trả kết quả:
        <strong>${formal(d.deadline.due)}</strong> (thời hạn ${limit(d.deadline.time)}).</p>` : ""}
      ${c.needs === "list" ? html`<fieldset><legend>Giấy tờ cần bổ sung, hoàn thiện</legend>
        ${d.documents.filter((x) => x.state !== "issued").map((x, i) => html`<label class="check">
          <input type="checkbox" id=${`need-${i}`} checked=${picked.includes(x.title)}
            onChange=${(e) => setPicked((p) => e.target.checked ? [...p, x.title] : p.filter((t) => t !== x.title))} />
          ${x.title}</label>`)}</fieldset>` : ""}
      ${c.needs === "official" ? html`<label for="handler">Cán bộ xử lý</label>
        <select id="handler" value=${handler} onChange=${(e) => setHandler(e.target.value)}>
          <option value="">— Chọn —</option>
          ${officials.map((o) => html`<option value=${o.account}>${o.name} (${o.account})</option>`)}
        </select>` : ""}
      ${c.needs === "agency" ? html`<label for="transfer-to">Chuyển đến cơ quan</label>
        <p class="meta" id="transfer-hint">Các cơ quan giải quyết thủ tục này. Mã hồ sơ, thời hạn và ngày hẹn không đổi;
          người nộp được thông báo lý do.</p>
        <select id="transfer-to" value=${to} aria-describedby="transfer-hint" onChange=${(e) => setTo(e.target.value)}>
          <option value="">— Chọn —</option>
          ${offering.map((x) => html`<option value=${x.code}>${x.name} (${x.code})</option>`)}
        </select>` : ""}
      ${c.needs === "date" ? html`<label for="due">Ngày hẹn trả mới</label>
        <p class="meta" id="due-hint">Một ngày làm việc; kết quả hẹn trả trước giờ đóng cửa của ngày đó.</p>
        <input id="due" type="date" value=${due} aria-describedby="due-hint" onInput=${(e) => setDue(e.target.value)} />` : ""}
      ${c.needs === "documents" && slots.length ? html`<fieldset><legend>Kết quả giải quyết (bản quét, nếu có)</legend>
        ${slots.map((x) => html`<label for=${`r-${x.name}`}>${x.title}</label>
          <input id=${`r-${x.name}`} type="file" multiple accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
            onChange=${(e) => { add(x.name, [...e.target.files]); e.target.value = ""; }} />
          <ul class="files">${(files[x.name] || []).map((f) => html`<li>${f.name} <span class="state">${f.state === "clean"
            ? "đã tải lên" : f.state === "uploading" ? "đang tải lên" : f.message || f.state}</span></li>`)}</ul>`)}</fieldset>` : ""}
      ${needsText ? html`<label for="reason">${c.needs === "list" ? "Hướng dẫn thêm" : c.needs === "date"
        ? "Lời xin lỗi và lý do gia hạn" : c.needs === "optional_reason" ? "Ghi chú (không bắt buộc)"
        : c.needs === "agency" ? "Lý do chuyển (người nộp được thông báo)" : "Lý do"}</label>
        <textarea id="reason" rows="4" value=${reason} onInput=${(e) => setReason(e.target.value)}></textarea>` : ""}
      ${error ? html`<p class="error" role="alert" id="action-error">${error}</p>` : ""}
      <p class="buttons"><button type="submit" disabled=${busy}>Xác nhận: ${c.label}</button>
        <button type="button" class="secondary" onClick=${() => ref.current.close()}>Hủy</button></p>
    </form></dialog>`;
}

function Case({ s, code }) {
  const [conn, setConn] = useState(null);
  const [status, setStatus] = useState("connecting");
  const [d, setD] = useState(null);
  const [proc, setProc] = useState(null);
  const [error, setError] = useState("");
  const [doing, setDoing] = useState(null);
  const [said, setSaid] = useState("");
  const [gone, setGone] = useState(null); // transferred away: the agency it went to
  const saidRef = useRef(null);

  async function load(c = conn) {
    const [g, h] = await Promise.all([c.request("get", { dossier: code }), c.request("history", { dossier: code })]);
    if (!g.ok) return setError(errorText(g, "Không đọc được hồ sơ"));
    setD({ ...g.dossier, history: h.ok ? h.history : [] });
    document.title = `${g.dossier.code} — Một cửa`;
    if (!proc) getJSON(`/api/procedures/${encodeURIComponent(g.dossier.procedure)}`).then(setProc).catch(() => {});
  }
  useEffect(() => {
    const c = connect(s, setStatus);
    setConn(c);
    load(c);
    let timer = null;
    c.subscribe("dossier", { scope: "dossier", dossier: code }, (m) => {
      if (m.push !== "event") return;
      clearTimeout(timer);
      timer = setTimeout(() => load(c), 100);
    });
    return () => c.close();
  }, []);
  // The keys act on what the page shows now (read at the key press, not when the page was drawn).
  const shown = useRef(null);
  shown.current = d;
  useEffect(() => onShortcut((key) => {
    const c = shown.current && shown.current.can.find((x) => KEYS[x.action] === key);
    return c ? () => setDoing(c) : null;
  }), []);

  function done(c, r, agency) {
    setDoing(null);
    // Transferred: it is the other agency's now, which this official no longer reads.
    if (c.action === "transfer") return setGone(agency || { name: "cơ quan có thẩm quyền" });
    setSaid(`Đã ${c.label.toLowerCase()}${r.appointment_at && c.action === "accept" ? `: hẹn trả ${formal(r.appointment_at)}` : ""}.`);
    setTimeout(() => saidRef.current && saidRef.current.focus(), 0);
    load();
  }

  if (gone) return html`<h1>Hồ sơ ${code}</h1><p class="said" role="status" id="transferred">Đã chuyển hồ sơ ${code} đến
    ${gone.name}${gone.code ? ` (${gone.code})` : ""}. Người nộp đã được thông báo.</p>
    <p><a href="/console/">← Hàng đợi</a></p>`;
  if (error) return html`<h1>Hồ sơ ${code}</h1><p class="error" role="alert" id="refused">${error}</p>
    <p><a href="/console/">← Hàng đợi</a></p>`;
  if (!d) return html`<p>Đang tải hồ sơ…</p>`;
  const a = d.applicant || {};
  const step = d.open_steps[0];
  return html`
    <p class="noprint"><a href="/console/">← Hàng đợi</a></p>
    <h1>${d.procedure_name}</h1>
    <${Offline} status=${status} />
    <p class="said" tabindex="-1" ref=${saidRef} role="status">${said}</p>
    <dl class="facts">
      <dt>Mã hồ sơ</dt><dd id="code">${d.code}</dd>
      <dt>Trạng thái</dt><dd id="state">${d.state_label}${step ? ` · ${step.title}` : ""}${d.handler ? ` · xử lý: ${d.handler}` : ""}</dd>
      <dt>Nộp</dt><dd>${dateTime(d.submitted_at)} · ${d.channel === "online" ? "trực tuyến" : d.channel === "post" ? "qua bưu chính" : "tại quầy"}</dd>
      <dt>Hẹn trả kết quả</dt><dd id="appointment">${d.appointment_at ? formal(d.appointment_at) : d.deadline?.if_accepted_now
        ? `chưa tiếp nhận (nếu tiếp nhận bây giờ: ${formal(d.deadline.due)})` : "—"}</dd>
      ${step && step.due_at ? html`<dt>Hạn của bước</dt><dd class=${step.overdue ? "overdue" : step.due_soon ? "due-soon" : ""}>
        ${dateTime(step.due_at)}${step.overdue ? " — Quá hạn" : step.due_soon ? " — Sắp đến hạn" : ""}</dd>` : ""}
      <dt>Lệ phí</dt><dd>${d.fee.owed ? `${money(d.fee.owed)}${d.fee.paid ? " (đã nộp)" : " (chưa nộp)"}` : "Miễn phí"}</dd>
    </dl>
    <section aria-labelledby="can-h" class="actions noprint">
      <h2 id="can-h">Việc có thể làm</h2>
      ${d.can.length ? html`<p class="buttons">${d.can.map((c) => html`<button type="button" data-action=${c.action}
        onClick=${() => setDoing(c)}>${c.label}${KEYS[c.action] ? html` <kbd>${KEYS[c.action]}</kbd>` : ""}</button>`)}</p>`
        : html`<p>Không có việc nào của bạn ở bước này.</p>`}
      <${ShortcutsToggle}><p>Các phím ghi trên nút: bấm phím khi không gõ trong ô nhập.</p><//>
    </section>
    ${doing ? html`<${ActionDialog} c=${doing} d=${d} conn=${conn} s=${s} proc=${proc} onClose=${() => setDoing(null)} onDone=${done} />` : ""}
    <section aria-labelledby="who-h"><h2 id="who-h">Người nộp</h2>
      <dl class="facts">
        <dt>${a.kind === "organisation" ? "Tổ chức" : "Họ và tên"}</dt><dd id="applicant">${a.name || "—"}</dd>
        <dt>${a.id_type === "tax_code" ? "Mã số thuế" : "Số định danh"}</dt><dd>${a.id_number || "—"}</dd>
        <dt>Địa chỉ</dt><dd>${a.address || "—"}</dd>
        <dt>Điện thoại</dt><dd>${a.phone || "—"}</dd>
        <dt>Thư điện tử</dt><dd>${a.email || "—"}</dd>
      </dl></section>
    <section aria-labelledby="form-h"><h2 id="form-h">Tờ khai</h2>
      <dl class="facts">${d.form.map((f) => html`<dt>${f.label}</dt><dd>${f.value === null || f.value === undefined ? "—"
        : f.type === "yes_no" ? (f.value ? "Có" : "Không") : f.type === "date" ? date(Date.parse(`${f.value}T00:00:00+07:00`))
        : f.type === "number" ? Number(f.value).toLocaleString("vi-VN")
        : String(f.value)}</dd>`)}</dl></section>
    <section aria-labelledby="docs-h"><h2 id="docs-h">Giấy tờ</h2>
      <ul class="docs">${d.documents.map((x) => html`<${Document} doc=${x} d=${d} conn=${conn} />`)}</ul></section>
    <section aria-labelledby="deadline-h"><h2 id="deadline-h">Thời hạn</h2>
      <p>Thời hạn giải quyết: ${limit(d.deadline?.time) || "—"}; đồng hồ pháp lý: ${
        { not_started: "chưa bắt đầu", running: "đang chạy", paused: "tạm dừng", stopped: "đã dừng" }[d.clock.state] || d.clock.state}.</p>
      ${d.deadline?.explain?.length ? html`<details><summary>Cách tính hạn ${d.deadline.if_accepted_now ? "(nếu tiếp nhận bây giờ)" : ""}</summary>
        <ol class="explain">${d.deadline.explain.map((l) => html`<li>${WHAT[l.what] || l.what} · ${l.date ? date(Date.parse(`${l.date}T00:00:00+07:00`)) : ""}
          ${l.day_kind ? ` · ${{ "working day": "ngày làm việc", weekend: "cuối tuần", holiday: "ngày lễ", "swap day": "ngày nghỉ bù",
            "make-up day": "ngày làm bù" }[l.day_kind] || l.day_kind}` : ""}${l.note ? ` (${l.note})` : ""}${l.count ? ` · ngày thứ ${l.count}` : ""}
          ${l.at ? ` · ${dateTime(l.at)}` : ""}${l.reason ? ` · ${l.reason}` : ""}</li>`)}</ol></details>` : ""}
      ${d.appointments.length > 1 ? html`<p>Hẹn trả đã thay đổi: ${d.appointments.map((x) => `${formal(x.to)}${x.reason ? ` (${x.reason})` : ""}`).join("; ")}</p>` : ""}
    </section>
    <section aria-labelledby="history-h"><h2 id="history-h">Quá trình xử lý</h2>
      <ol class="timeline">${d.history.map((h) => html`<li><time>${dateTime(h.time)}</time> <strong>${h.label}</strong>
        ${h.step_title ? ` · ${h.step_title}` : ""} · ${h.by?.name || ""}${h.by?.role && ROLES[h.by.role] ? ` (${ROLES[h.by.role]})` : ""}
        ${h.reason ? html`<br /><span class="reason">${h.reason}</span>` : ""}
        ${h.handler ? html`<br />Cán bộ xử lý: ${h.handler}` : ""}</li>`)}</ol></section>
    <section aria-labelledby="print-h" class="noprint"><h2 id="print-h">In phiếu</h2>
      <ul><li><a href=${`/receipt.html?dossier=${encodeURIComponent(d.code)}`}>Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01)</a></li>
        ${FORMS.filter((f) => f.when(d.history)).map((f) => html`<li><a href=${`/console/print.html?form=${f.form}&dossier=${encodeURIComponent(d.code)}`}>
          ${f.label} (mẫu ${f.form})</a></li>`)}</ul></section>`;
}

const s = official();
const code = new URLSearchParams(location.search).get("code") || "";
if (s) render(html`<${Case} s=${s} code=${code} />`, document.getElementById("app"));
