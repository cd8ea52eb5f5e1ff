// reset.js — a forgotten password (reset.html): the account's id; a code is
// sent to the account's own address (the answer is the same whether the
// account exists); then the code and the new password twice.  Every session
// of the account ends; the person logs in with the new password.
import { html, render, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { nfc } from "/js/format.js";
import { Errors, Field, focusErrors } from "/js/forms.js";
import * as session from "/js/session.js";

async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) });
  return { status: r.status, body: await r.json().catch(() => null) };
}

function Reset() {
  const [id, setId] = useState("");
  const [sent, setSent] = useState(false);
  const [v, setV] = useState({ code: "", password: "", again: "" });
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const set = (k) => (x) => { setV((all) => ({ ...all, [k]: x })); setErrors((e) => ({ ...e, [k]: "" })); };

  async function ask(e) {
    e.preventDefault();
    if (!id.trim()) { setErrors({ id: "Nhập số định danh cá nhân, mã số thuế hoặc tên tài khoản" }); return focusErrors(); }
    setBusy(true);
    const r = await post("/api/password/reset", { id: id.trim() });
    setBusy(false);
    if (r.status < 300) { setSent(true); setErrors({}); return; }
    setErrors({ id: (r.body && r.body.error && (r.body.error.message_vi || r.body.error.message)) || "Vui lòng thử lại sau" });
    focusErrors();
  }
  async function confirm(e) {
    e.preventDefault();
    const errs = {};
    if (!/^\d{6}$/.test(v.code.trim())) errs.code = "Mã xác nhận gồm 6 chữ số";
    if ([...v.password].length < 10) errs.password = "Mật khẩu mới có ít nhất 10 ký tự";
    else if (v.password !== v.again) errs.again = "Hai lần nhập mật khẩu mới không giống nhau";
    setErrors(errs);
    if (Object.keys(errs).length) return focusErrors();
    setBusy(true);
    const r = await post("/api/password/reset/confirm", { id: id.trim(), code: v.code.trim(), password: nfc(v.password) });
    if (r.status < 300) {
      await session.login(id.trim(), v.password);
      location.assign("/mine.html");
      return;
    }
    setBusy(false);
    setErrors({ code: r.status === 429 ? "Đã nhập sai quá nhiều lần: vui lòng yêu cầu mã mới" : "Mã xác nhận không đúng hoặc đã hết hạn" });
    focusErrors();
  }
  if (!sent)
    return html`<h1>Quên mật khẩu</h1>
      <p>Nhập tài khoản của bạn: mã xác nhận được gửi tới thư điện tử hoặc số điện thoại đã đăng ký.</p>
      <${Errors} errors=${errors} />
      <form onSubmit=${ask} novalidate>
        <${Field} id="id" label="Số định danh cá nhân, mã số thuế hoặc tên tài khoản" value=${id}
          set=${(x) => { setId(x); setErrors({}); }} error=${errors.id} autocomplete="username" />
        <p><button type="submit" disabled=${busy}>Gửi mã xác nhận</button></p>
      </form>`;
  return html`<h1>Đặt lại mật khẩu</h1>
    <p>Nếu tài khoản tồn tại, mã xác nhận đã được gửi tới địa chỉ đã đăng ký (có hiệu lực 15 phút).</p>
    <${Errors} errors=${errors} />
    <form onSubmit=${confirm} novalidate>
      <${Field} id="code" label="Mã xác nhận" value=${v.code} set=${set("code")} error=${errors.code}
        autocomplete="one-time-code" inputmode="numeric" />
      <${Field} id="password" label="Mật khẩu mới (ít nhất 10 ký tự)" type="password" value=${v.password}
        set=${set("password")} error=${errors.password} autocomplete="new-password" />
      <${Field} id="again" label="Nhập lại mật khẩu mới" type="password" value=${v.again} set=${set("again")}
        error=${errors.again} autocomplete="new-password" />
      <p><button type="submit" disabled=${busy}>Đặt lại mật khẩu</button></p>
    </form>`;
}

render(html`<${Reset} />`, document.getElementById("app"));
