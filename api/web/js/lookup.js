// lookup.js — the public lookup (lookup.html?code=&secret=), without logging
// in: the dossier's code and the secret printed on the receipt (its QR code
// opens this page with both), answered by GET /api/status — no personal data.
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { date } from "/js/format.js";
import { Errors, Field, focusErrors } from "/js/forms.js";

function Lookup() {
  const params = new URLSearchParams(location.search);
  const [code, setCode] = useState(params.get("code") || "");
  const [secret, setSecret] = useState(params.get("secret") || "");
  const [errors, setErrors] = useState({});
  const [found, setFound] = useState(null);

  async function look(e) {
    if (e) e.preventDefault();
    const errs = {};
    if (!code.trim()) errs.code = "Nhập mã hồ sơ in trên giấy tiếp nhận";
    if (!secret.trim()) errs.secret = "Nhập mã tra cứu in trên giấy tiếp nhận";
    setErrors(errs);
    if (Object.keys(errs).length) return focusErrors();
    const r = await fetch(`/api/status/${encodeURIComponent(code.trim())}?secret=${encodeURIComponent(secret.trim().toUpperCase())}`);
    const body = await r.json().catch(() => null);
    if (r.ok) { setFound(body); return; }
    setFound(null);
    setErrors({ code: r.status === 429 ? (body && body.error && body.error.message_vi) || "Tra cứu quá nhiều lần: vui lòng thử lại sau"
      : "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này: kiểm tra lại giấy tiếp nhận" });
    focusErrors();
  }
  useEffect(() => { if (code && secret) look(); }, []);
  return html`<h1>Tra cứu hồ sơ</h1>
    <p class="lead">Không cần đăng nhập: nhập mã hồ sơ và mã tra cứu in trên giấy tiếp nhận.</p>
    <${Errors} errors=${errors} />
    <form onSubmit=${look} novalidate>
      <${Field} id="code" label="Mã hồ sơ" value=${code} set=${setCode} error=${errors.code} />
      <${Field} id="secret" label="Mã tra cứu" value=${secret} set=${setSecret} error=${errors.secret} />
      <p><button type="submit">Tra cứu</button></p>
    </form>
    ${found ? html`<section aria-live="polite"><h2>Hồ sơ ${found.code}</h2>
      <dl class="facts">
        <dt>Thủ tục</dt><dd>${found.procedure_name}</dd>
        <dt>Tình trạng</dt><dd id="state">${found.state_label || found.state}</dd>
        <dt>Hẹn trả kết quả</dt><dd>${found.appointment_at ? date(found.appointment_at) : "Chưa có"}</dd>
      </dl></section>` : ""}`;
}

render(html`<${Lookup} />`, document.getElementById("app"));
