// dossier.js — one of my dossiers (dossier.html?code=CODE), live: where it
// stands and when the result is promised, the history in plain words, and
// what the applicant can do now — only what the server says (`can`): answer
// a supplement request with the documents' scans, withdraw, rate; results to
// download through links that expire.  Changes arrive without reloading
// (a "dossier" subscription).
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";
import { date, dateTime, nfc } from "/js/format.js";
import * as session from "/js/session.js";
import { uploadFile } from "/js/upload.js";

function Supplement({ d, conn, s, onDone }) {
  const asked = [...d.history].reverse().find((h) => h.action === "request_supplement");
  const slots = d.documents.filter((x) => x.state !== "issued");
  const [files, setFiles] = useState({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function add(doc, list) {
    for (const file of list) {
      const key = crypto.randomUUID();
      setFiles((all) => ({ ...all, [doc]: [...(all[doc] || []), { key, name: file.name, state: "uploading" }] }));
      const r = await uploadFile(file, s.token, d.agency);
      setFiles((all) => ({ ...all, [doc]: all[doc].map((f) => f.key !== key ? f : r.ok
        ? { ...f, state: r.receipt.state, sha256: r.receipt.sha256 } : { ...f, state: "failed", message: r.message }) }));
    }
  }
  async function send(e) {
    e.preventDefault();
    const documents = Object.entries(files).map(([name, l]) => ({ name, files: l.filter((f) => f.sha256).map((f) => f.sha256) }))
      .filter((x) => x.files.length);
    if (!documents.length) { setError("Tải lên ít nhất một giấy tờ được yêu cầu bổ sung"); return; }
    setBusy(true);
    const r = await conn.request("act", { command_id: crypto.randomUUID(), dossier: d.code, expected_version: d.version,
      action: "provide_supplement", documents });
    setBusy(false);
    if (!r.ok) setError((r.error && (r.error.message_vi || r.error.message)) || "Không nộp bổ sung được");
    else onDone();
  }
  return html`<section aria-labelledby="supplement-h">
    <h2 id="supplement-h">Cần bổ sung hồ sơ</h2>
    ${asked && asked.reason ? html`<p class="asked">${asked.reason}</p>` : ""}
    ${error ? html`<p class="error" role="alert" id="supplement-error">${error}</p>` : ""}
    <form onSubmit=${send}>
      ${slots.map((x) => html`<fieldset class="slot"><legend>${x.title}</legend>
        <label for=${`s-${x.name}`}>Chọn tệp bản quét</label>
        <input id=${`s-${x.name}`} type="file" multiple accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
          onChange=${(e) => { add(x.name, [...e.target.files]); e.target.value = ""; }} />
        <ul class="files">${(files[x.name] || []).map((f) => html`<li>${f.name}
          <span class="state">${f.state === "uploading" ? "đang tải lên" : f.state === "clean" ? "đã tải lên"
            : f.state === "held" ? "đang chờ kiểm tra mã độc" : f.message || "lỗi"}</span></li>`)}</ul>
      </fieldset>`)}
      <p><button type="submit" disabled=${busy}>Nộp bổ sung</button></p>
    </form></section>`;
}

function Withdraw({ d, conn, onDone }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState("");
  if (!open) return html`<p><button type="button" class="secondary" onClick=${() => setOpen(true)}>Rút hồ sơ</button></p>`;
  async function send(e) {
    e.preventDefault();
    const r = await conn.request("withdraw", { command_id: crypto.randomUUID(), dossier: d.code,
      expected_version: d.version, ...(reason.trim() ? { reason: nfc(reason.trim()) } : {}) });
    if (!r.ok) setError((r.error && (r.error.message_vi || r.error.message)) || "Không rút được hồ sơ");
    else onDone();
  }
  return html`<form onSubmit=${send}><h2>Rút hồ sơ</h2>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
    <label for="w-reason">Lý do (không bắt buộc)</label>
    <input id="w-reason" type="text" value=${reason} onInput=${(e) => setReason(e.target.value)} />
    <p><button type="submit">Xác nhận rút hồ sơ</button></p></form>`;
}

function Rate({ d, conn, onDone }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState("");
  const [error, setError] = useState("");
  async function send(e) {
    e.preventDefault();
    if (!rating) { setError("Chọn mức đánh giá từ 1 đến 5"); return; }
    const r = await conn.request("rate", { command_id: crypto.randomUUID(), dossier: d.code, expected_version: d.version,
      rating, ...(comment.trim() ? { comment: nfc(comment.trim()) } : {}) });
    if (!r.ok) setError((r.error && (r.error.message_vi || r.error.message)) || "Không gửi được đánh giá");
    else onDone();
  }
  return html`<form onSubmit=${send}><fieldset class="slot"><legend>Đánh giá việc giải quyết hồ sơ</legend>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
    <div class="stars">${[1, 2, 3, 4, 5].map((n) => html`<label class="check"><input type="radio" name="rating"
      value=${n} checked=${rating === n} onChange=${() => setRating(n)} /> ${n}</label>`)}</div>
    <label for="r-comment">Góp ý (không bắt buộc)</label>
    <input id="r-comment" type="text" value=${comment} onInput=${(e) => setComment(e.target.value)} />
    <p><button type="submit">Gửi đánh giá</button></p></fieldset></form>`;
}

function Dossier({ code, s }) {
  const [d, setD] = useState(null);
  const [conn, setConn] = useState(null);
  const [online, setOnline] = useState(true);
  const [error, setError] = useState("");
  useEffect(() => {
    const c = new Connection(s.token, { onStatus: (st) => setOnline(st !== "offline"),
      onRevoked: async () => { await session.logout(); location.replace("/login.html"); } });
    setConn(c);
    const load = async () => {
      const [g, h] = await Promise.all([c.request("get", { dossier: code }), c.request("history", { dossier: code })]);
      if (!g.ok) { setError((g.error && (g.error.message_vi || g.error.message)) || "Không đọc được hồ sơ"); return; }
      setD({ ...g.dossier, history: h.ok ? h.history : [] });
    };
    load();
    let timer = null;
    c.subscribe("dossier", { scope: "dossier", dossier: code }, (m) => {
      if (m.push !== "event") return;
      clearTimeout(timer);
      timer = setTimeout(load, 100);
    });
    window.__reload = load;
    return () => c.close();
  }, []);
  if (error) return html`<h1>Hồ sơ ${code}</h1><p class="error" role="alert">${error}</p>`;
  if (!d) return html`<p>Đang tải…</p>`;
  const can = new Set(d.can.map((x) => x.action));
  const reload = () => window.__reload();
  async function download(sha) {
    const r = await conn.request("file_link", { dossier: d.code, sha256: sha });
    if (r.ok) location.assign(r.path);
  }
  const results = d.documents.filter((x) => x.state === "issued");
  return html`
    <p><a href="/mine.html">← Hồ sơ của tôi</a></p>
    <h1>Hồ sơ ${d.code}</h1>
    ${online ? "" : html`<p class="warning" role="status">Mất kết nối với máy chủ: đang kết nối lại…</p>`}
    <dl class="facts">
      <dt>Thủ tục</dt><dd>${d.procedure_name}</dd>
      <dt>Tình trạng</dt><dd id="state">${d.state_label}</dd>
      <dt>Nơi giải quyết</dt><dd>${d.agency_name}</dd>
      <dt>Ngày nộp</dt><dd>${dateTime(d.submitted_at)}</dd>
      <dt>Hẹn trả kết quả</dt><dd>${d.appointment_at ? date(d.appointment_at) : "Chưa có (hồ sơ chưa được tiếp nhận)"}</dd>
      <dt>Mã tra cứu</dt><dd>${d.secret}</dd>
    </dl>
    ${can.has("provide_supplement") ? html`<${Supplement} d=${d} conn=${conn} s=${s} onDone=${reload} />` : ""}
    ${results.length ? html`<section aria-labelledby="results-h"><h2 id="results-h">Kết quả</h2>
      <ul class="results-list">${results.map((x) => html`<li>${x.title}: ${x.files.map((f, i) => html`
        <button type="button" class="link download" onClick=${() => download(f)}>Tải tệp ${i + 1}</button>`)}</li>`)}</ul>
      </section>` : ""}
    ${can.has("rate") ? html`<${Rate} d=${d} conn=${conn} onDone=${reload} />` : ""}
    ${d.rating ? html`<p>Bạn đã đánh giá: ${d.rating}/5.</p>` : ""}
    <h2>Quá trình xử lý</h2>
    <ol class="history">${d.history.map((h) => html`<li><strong>${h.label}</strong> · ${dateTime(h.time)}${
      h.by && h.by.name ? ` · ${h.by.name}` : ""}${h.reason ? html`<br /><span class="meta">${h.reason}</span>` : ""}</li>`)}</ol>
    ${can.has("withdraw") ? html`<${Withdraw} d=${d} conn=${conn} onDone=${reload} />` : ""}`;
}

const s = session.required();
const code = new URLSearchParams(location.search).get("code") || "";
if (s) render(html`<${Dossier} code=${code} s=${s} />`, document.getElementById("app"));
