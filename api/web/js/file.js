// file.js — filing a dossier online (file.html?code=CODE): the applicant
// block is the account's; the e-form is generated from the procedure's
// definition (GET /api/procedures/CODE), checked as the server checks it
// where a field says its rule (required, length, range, values), and the
// server's own field errors are shown at the field; each document is
// uploaded in its slot (several files: a page each) with progress, resumed
// after a drop, and what the applicant supplied before is offered for reuse;
// what was typed is kept as a local draft (cleared on logout) and the
// submission is idempotent (its command id is kept with the draft).  The fee
// is worked out as the form is typed, as the server will ask it.
//
// At the desk (/console/intake.html, reception): the same form for someone
// without an account, filed at the official's agency — the applicant block
// typed by the official, the channel (at the desk or by post), the scans
// uploaded at the desk, what the person supplied before offered by their id
// number; without ?code, the procedures the agency takes to choose from.
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";
import { date, feeOf, feeText, money, nfc } from "/js/format.js";
import { getJSON } from "/js/http.js";
import { Errors, Field as Input } from "/js/forms.js";
import * as session from "/js/session.js";
import { uploadFile } from "/js/upload.js";
import { official } from "/js/desk.js";

const INPUT = { date: "date", number: "number", phone: "tel", email: "email", citizen_id: "text", tax_code: "text",
  text: "text" };

function draftKey(code) { return `motcua.draft.${code}`; }
function loadDraft(code) {
  try { return JSON.parse(localStorage.getItem(draftKey(code)) || "null"); } catch { return null; }
}

// The rule a field states, checked before sending (the server checks again).
function fieldError(f, v) {
  const empty = v === undefined || v === null || (typeof v === "string" && v.trim() === "");
  if (empty) return f.required ? `${f.values && f.values.length ? "Chọn" : "Nhập"} ${f.label.toLowerCase()}` : "";
  if (f.type === "number" && Number.isNaN(Number(v))) return `${f.label}: nhập một số`;
  if (f.type === "number" && f.min !== undefined && Number(v) < f.min) return `${f.label}: ít nhất ${f.min}`;
  if (f.type === "number" && f.max !== undefined && Number(v) > f.max) return `${f.label}: nhiều nhất ${f.max}`;
  if (typeof v === "string" && f.type === "text" && f.max !== undefined && [...v].length > f.max)
    return `${f.label}: nhiều nhất ${f.max} ký tự`;
  if (f.type === "citizen_id" && !/^\d{12}$/.test(v)) return `${f.label}: 12 chữ số`;
  if (f.type === "phone" && !/^0\d{9,10}$/.test(v.replace(/\s/g, ""))) return `${f.label}: số điện thoại 10 hoặc 11 chữ số, bắt đầu bằng 0`;
  if (f.type === "email" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) return `${f.label}: địa chỉ thư điện tử chưa đúng`;
  if (f.values && f.values.length && !f.values.includes(v)) return `Chọn ${f.label.toLowerCase()}`;
  return "";
}

function value(f, v) {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return undefined;
  if (f.type === "number") return Number(v);
  if (f.type === "yes_no") return v === true;
  return nfc(typeof v === "string" ? v.trim() : v);
}

function Field({ f, v, set, error }) {
  const id = `f-${f.name}`;
  const hint = f.help ? html`<p class="meta" id=${`${id}-hint`}>${f.help}</p>` : "";
  const describedBy = [f.help ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const err = error ? html`<p class="error" id=${`${id}-error`}>${error}</p>` : "";
  const label = html`${f.label}${f.required ? "" : " (không bắt buộc)"}`;
  if (f.type === "yes_no")
    return html`<div class=${error ? "field has-error" : "field"}>${err}
      <label class="check"><input id=${id} type="checkbox" checked=${v === true}
        onChange=${(e) => set(e.target.checked)} /> ${label}</label></div>`;
  if (f.values && f.values.length)
    return html`<div class=${error ? "field has-error" : "field"}><label for=${id}>${label}</label>${hint}${err}
      <select id=${id} value=${v || ""} aria-describedby=${describedBy} aria-invalid=${error ? "true" : "false"}
        onChange=${(e) => set(e.target.value)}>
        <option value="">— Chọn —</option>${f.values.map((x) => html`<option value=${x}>${x}</option>`)}
      </select></div>`;
  return html`<div class=${error ? "field has-error" : "field"}><label for=${id}>${label}</label>${hint}${err}
    <input id=${id} type=${INPUT[f.type] || "text"} value=${v ?? ""} inputmode=${f.type === "citizen_id" ? "numeric" : undefined}
      aria-describedby=${describedBy} aria-invalid=${error ? "true" : "false"} onInput=${(e) => set(e.target.value)} /></div>`;
}

function Slot({ d, files, onFiles, onRemove, onFile, error }) {
  const id = `d-${d.name}`;
  return html`<fieldset class=${error ? "slot has-error" : "slot"}>
    <legend>${d.title} (${d.original ? "bản chính" : "bản sao"}${d.count > 1 ? `, ${d.count} bản` : ""})</legend>
    ${onFile ? html`<p class="meta">Bạn đã nộp giấy tờ này với hồ sơ ${onFile.dossier} ngày ${date(onFile.supplied_at)}${
      onFile.valid_until ? `, còn giá trị đến ${onFile.valid_until.split("-").reverse().join("/")}` : ""}: nếu không
      tải lên bản mới, giấy tờ đó được dùng lại.</p>` : ""}
    ${error ? html`<p class="error" id=${`${id}-error`}>${error}</p>` : ""}
    <label for=${id}>Chọn tệp bản quét (PDF, JPG hoặc PNG; có thể chọn nhiều trang)</label>
    <input id=${id} type="file" multiple accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
      onChange=${(e) => { onFiles([...e.target.files]); e.target.value = ""; }} />
    ${files.length ? html`<ul class="files">${files.map((f, i) => html`<li>
      <span>${f.name}</span> <span class="state">${f.state === "uploading" ? `đang tải lên ${Math.round(f.progress * 100)}%`
        : f.state === "clean" ? "đã tải lên" : f.state === "held" ? "đang chờ kiểm tra mã độc" : f.message || "lỗi"}</span>
      <button type="button" class="link" onClick=${() => onRemove(i)}>Bỏ tệp ${f.name}</button></li>`)}</ul>` : ""}
  </fieldset>`;
}

// At the desk: who files, typed by reception (docs/PROTOCOL.md "submit", applicant).
function Applicant({ a, set, errors, channel, setChannel }) {
  const org = a.kind === "organisation";
  return html`<fieldset class="slot"><legend>Người nộp (không có tài khoản)</legend>
    <label class="check"><input type="radio" name="kind" checked=${!org} onChange=${() => set("kind", "person")} /> Cá nhân</label>
    <label class="check"><input type="radio" name="kind" checked=${org} onChange=${() => set("kind", "organisation")} /> Tổ chức</label>
    <${Input} id="a-name" label=${org ? "Tên tổ chức" : "Họ và tên"} value=${a.name || ""} set=${(v) => set("name", v)} error=${errors["a-name"]} />
    <${Input} id="a-id_number" label=${org ? "Mã số thuế" : "Số định danh cá nhân"} inputmode="numeric" value=${a.id_number || ""}
      set=${(v) => set("id_number", v)} error=${errors["a-id_number"]} />
    <${Input} id="a-address" label="Địa chỉ (không bắt buộc)" value=${a.address || ""} set=${(v) => set("address", v)} error=${errors["a-address"]} />
    <${Input} id="a-phone" label="Số điện thoại (không bắt buộc)" type="tel" value=${a.phone || ""} set=${(v) => set("phone", v)} error=${errors["a-phone"]} />
    <${Input} id="a-email" label="Thư điện tử (không bắt buộc)" type="email" value=${a.email || ""} set=${(v) => set("email", v)} error=${errors["a-email"]} />
    <label for="channel">Hình thức nộp</label>
    <select id="channel" value=${channel} onChange=${(e) => setChannel(e.target.value)}>
      <option value="desk">Trực tiếp tại Bộ phận Một cửa</option><option value="post">Qua dịch vụ bưu chính</option>
    </select></fieldset>`;
}

// At the desk without ?code: the procedures the official's agency takes.
function Picker({ s }) {
  const [list, setList] = useState(null);
  useEffect(() => {
    getJSON(`/api/catalogue?agency=${encodeURIComponent(s.agency || "")}`).then((r) => setList(r.procedures)).catch(() => setList([]));
  }, []);
  return html`<h1>Tiếp nhận hồ sơ tại quầy</h1><p>Chọn thủ tục người dân yêu cầu:</p>
    ${list === null ? html`<p>Đang tải…</p>` : html`<ul class="results">${list.map((p) => html`<li>
      <a href=${`/console/intake.html?code=${encodeURIComponent(p.code)}`}>${p.name}</a><p class="meta">${p.code}</p></li>`)}</ul>`}`;
}

function File({ code, s }) {
  const [p, setP] = useState(null);
  const [who, setWho] = useState(null);
  const [agencies, setAgencies] = useState({});
  const [onFile, setOnFile] = useState({});
  const [conn, setConn] = useState(null);
  const [online, setOnline] = useState(true);
  const draft0 = loadDraft(code) || {};
  const [values, setValues] = useState(draft0.values || {});
  const [agency, setAgency] = useState(draft0.agency || "");
  const [files, setFiles] = useState(draft0.files || {}); // doc name -> [{name, state, sha256, progress, message}]
  const [commandId] = useState(draft0.commandId || crypto.randomUUID());
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [fatal, setFatal] = useState("");
  const [applicant, setApplicant] = useState(draft0.applicant || { kind: "person" });
  const [channel, setChannel] = useState(draft0.channel || "desk");

  useEffect(() => {
    getJSON(`/api/procedures/${encodeURIComponent(code)}`).then((r) => {
      setP(r);
      document.title = `Nộp hồ sơ ${r.name} — Dịch vụ công trực tuyến`;
      if (desk) setAgency(s.agency);
      else if (!agency && r.agencies.length === 1) setAgency(r.agencies[0]);
    }).catch((e) => setFatal(e.status === 404 ? "Không có thủ tục này, hoặc thủ tục chưa nhận hồ sơ." : e.message));
    const c = new Connection(s.token, { onStatus: (st) => setOnline(st !== "offline"),
      onRevoked: async () => { await session.logout(); location.replace(`/login.html?next=${encodeURIComponent(location.pathname + location.search)}`); } });
    setConn(c);
    c.request("agencies").then((r) => r.ok && setAgencies(Object.fromEntries(r.agencies.map((a) => [a.code, a.name]))));
    if (!desk) c.request("documents_on_file", { procedure: code }).then((r) => r.ok &&
      setOnFile(Object.fromEntries(r.documents.filter((d) => d.valid).map((d) => [d.name, d]))));
    c.request("ping").then(() => setWho({ account: s.account }));
    return () => c.close();
  }, []);
  // The draft: what was typed and uploaded, on this browser only.
  useEffect(() => {
    localStorage.setItem(draftKey(code), JSON.stringify({ values, agency, commandId, ...(desk ? { applicant, channel } : {}),
      files: Object.fromEntries(Object.entries(files).map(([k, l]) => [k, l.filter((f) => f.sha256)])) }));
  }, [values, agency, files, applicant, channel]);
  // At the desk: what the person supplied before, once their number is typed (a recorded read).
  const owner = (applicant.id_number || "").trim();
  useEffect(() => {
    if (!desk || !conn || !/^(\d{12}|\d{10}(-\d{3})?)$/.test(owner)) return;
    conn.request("documents_on_file", { procedure: code, owner }).then((r) => r.ok &&
      setOnFile(Object.fromEntries(r.documents.filter((d) => d.valid).map((d) => [d.name, d]))));
  }, [conn, owner]);

  if (fatal) return html`<h1>Nộp hồ sơ</h1><p class="error" role="alert">${fatal}</p>`;
  if (!p) return html`<p>Đang tải thủ tục…</p>`;
  const slots = p.documents.filter((d) => !d.eform);

  function setFileAt(doc, key, patch) {
    setFiles((all) => ({ ...all, [doc]: (all[doc] || []).map((f) => (f.key === key ? { ...f, ...patch } : f)) }));
  }
  async function add(doc, list) {
    for (const file of list) {
      const key = crypto.randomUUID();
      setFiles((all) => ({ ...all, [doc]: [...(all[doc] || []), { key, name: file.name, state: "uploading", progress: 0 }] }));
      const r = await uploadFile(file, s.token, agency || undefined, (x) => setFileAt(doc, key, { progress: x }));
      if (r.ok) setFileAt(doc, key, { state: r.receipt.state, sha256: r.receipt.sha256 });
      else setFileAt(doc, key, { state: "failed", message: r.message });
    }
  }
  function remove(doc, i) {
    setFiles((all) => ({ ...all, [doc]: (all[doc] || []).filter((_, k) => k !== i) }));
  }

  async function submit(e) {
    e.preventDefault();
    const errs = {};
    if (!agency) errs.agency = "Chọn nơi nộp hồ sơ";
    if (desk) {
      if (!(applicant.name || "").trim()) errs["a-name"] = applicant.kind === "organisation" ? "Nhập tên tổ chức" : "Nhập họ và tên người nộp";
      if (!owner) errs["a-id_number"] = applicant.kind === "organisation" ? "Nhập mã số thuế" : "Nhập số định danh cá nhân";
      else if (applicant.kind === "person" && !/^\d{12}$/.test(owner)) errs["a-id_number"] = "Số định danh cá nhân: 12 chữ số";
    }
    for (const f of p.fields) {
      const m = fieldError(f, values[f.name]);
      if (m) errs[`f-${f.name}`] = m;
    }
    for (const d of slots)
      if ((files[d.name] || []).some((f) => f.state === "uploading")) errs[`d-${d.name}`] = "Chờ tải lên xong";
    setErrors(errs);
    if (Object.keys(errs).length) return setTimeout(() => document.getElementById("errors")?.focus(), 0);
    const form = {};
    for (const f of p.fields) {
      const v = value(f, values[f.name]);
      if (v !== undefined) form[f.name] = v;
    }
    const documents = slots.map((d) => ({ name: d.name, files: (files[d.name] || []).filter((f) => f.sha256 &&
      (f.state === "clean" || f.state === "held")).map((f) => f.sha256) })).filter((d) => d.files.length);
    setBusy(true);
    const filer = desk ? { channel, applicant: Object.fromEntries(Object.entries(applicant)
      .map(([k, v]) => [k, nfc(typeof v === "string" ? v.trim() : v)]).filter(([, v]) => v)) } : {};
    const r = await conn.request("submit", { command_id: commandId, procedure: code, agency, form, ...filer,
      ...(documents.length ? { documents } : {}) }).catch(() => ({ ok: false, error: { message_vi:
      "Mất kết nối khi nộp: vui lòng bấm Nộp hồ sơ lần nữa (hồ sơ không bị nộp hai lần)." } }));
    setBusy(false);
    if (r.ok) {
      localStorage.removeItem(draftKey(code));
      if (desk) {
        location.assign(`/receipt.html?dossier=${encodeURIComponent(r.dossier)}`);
        return;
      }
      location.assign(`/receipt.html?dossier=${encodeURIComponent(r.dossier)}`);
      return;
    }
    const server = {};
    for (const fe of (r.error && r.error.fields) || []) {
      const m = /^form\.(\w+)/.exec(fe.field) || [];
      const am = /^applicant\.(\w+)/.exec(fe.field) || [];
      const dm = /^documents\[(\d+)\]/.exec(fe.field) || [];
      const key = m[1] ? `f-${m[1]}` : am[1] ? `a-${am[1]}` : dm[1] ? `d-${documents[Number(dm[1])]?.name}` : "submit";
      server[key] = fe.message;
    }
    if (!Object.keys(server).length) {
      const e2 = r.error || {};
      const dm = /^documents\[(\d+)\]/.exec(e2.field || "");
      server[dm ? `d-${documents[Number(dm[1])]?.name}` : "submit"] = e2.message_vi || e2.message || "Không nộp được hồ sơ";
    }
    setErrors(server);
    setTimeout(() => document.getElementById("errors")?.focus(), 0);
  }

  return html`
    <h1>${desk ? "Tiếp nhận tại quầy" : "Nộp hồ sơ"}: ${p.name}</h1>
    ${online ? "" : html`<p class="warning" role="status">Mất kết nối với máy chủ: đang kết nối lại… Những gì bạn đã nhập vẫn được giữ.</p>`}
    <${Errors} errors=${errors} />
    <form onSubmit=${submit} novalidate>
      <h2>Người nộp hồ sơ</h2>
      ${desk ? html`<${Applicant} a=${applicant} errors=${errors} channel=${channel} setChannel=${setChannel}
        set=${(k, v) => { setApplicant((x) => ({ ...x, [k]: v })); setErrors((e) => ({ ...e, [`a-${k}`]: "" })); }} />
        <p>Nơi nộp: ${agencies[agency] || agency}</p>`
      : html`<p>Tài khoản ${who ? who.account : s.account}: thông tin người nộp lấy từ tài khoản của bạn.</p>`}
      ${desk ? "" : html`<div class=${errors.agency ? "field has-error" : "field"}>
        <label for="agency">Nơi nộp hồ sơ</label>
        ${errors.agency ? html`<p class="error" id="agency-error">${errors.agency}</p>` : ""}
        <select id="agency" value=${agency} onChange=${(e) => { setAgency(e.target.value); setErrors((x) => ({ ...x, agency: "" })); }}>
          <option value="">— Chọn —</option>
          ${p.agencies.map((a) => html`<option value=${a}>${agencies[a] || a}</option>`)}
        </select></div>`}
      <h2>Tờ khai</h2>
      ${p.fields.map((f) => html`<${Field} f=${f} v=${values[f.name]} error=${errors[`f-${f.name}`]}
        set=${(v) => { setValues((all) => ({ ...all, [f.name]: v })); setErrors((e) => ({ ...e, [`f-${f.name}`]: "" })); }} />`)}
      ${slots.length ? html`<h2>Giấy tờ</h2>` : ""}
      ${slots.map((d) => html`<${Slot} d=${d} files=${files[d.name] || []} onFile=${onFile[d.name]}
        error=${errors[`d-${d.name}`]} onFiles=${(l) => add(d.name, l)} onRemove=${(i) => remove(d.name, i)} />`)}
      <h2>Lệ phí</h2>
      <p id="fee" aria-live="polite">${feeOf(p.fee_terms, values) ? html`<strong>${money(feeOf(p.fee_terms, values))}</strong>
        ${p.fee_terms.op !== "money" ? ` (${feeText(p.fee_terms, p.fields)})` : ""}` : "Miễn phí"}</p>
      ${errors.submit ? html`<p class="error" id="submit">${errors.submit}</p>` : ""}
      <p><button type="submit" disabled=${busy}>Nộp hồ sơ</button></p>
    </form>`;
}

const desk = location.pathname.startsWith("/console/");
const s = desk ? official() : session.required();
const code = new URLSearchParams(location.search).get("code") || "";
if (s) render(desk && !code ? html`<${Picker} s=${s} />` : html`<${File} code=${code} s=${s} />`, document.getElementById("app"));
