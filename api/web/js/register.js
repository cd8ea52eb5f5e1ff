// register.js — an applicant registers (register.html): a person with a
// citizen id, an organisation with a tax code; an e-mail or a phone for the
// code; the password twice.  Then the code sent is typed (POST /api/verify),
// the account is made, and the applicant is logged in (docs/PROTOCOL.md
// "Accounts").
import { html, render, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { nfc } from "/js/format.js";
import { Errors, Field, focusErrors, serverErrors } from "/js/forms.js";
import * as session from "/js/session.js";

async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) });
  return { status: r.status, body: await r.json().catch(() => null) };
}

function Register() {
  const [kind, setKind] = useState("person");
  const [v, setV] = useState({ id: "", name: "", email: "", phone: "", password: "", again: "" });
  const [errors, setErrors] = useState({});
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k) => (x) => { setV((all) => ({ ...all, [k]: x })); setErrors((e) => ({ ...e, [k]: "" })); };

  async function register(e) {
    e.preventDefault();
    const errs = {};
    if (kind === "person" && !/^\d{12}$/.test(v.id.trim())) errs.id = "Số định danh cá nhân gồm 12 chữ số";
    if (kind === "organisation" && !/^\d{10}(-\d{3})?$/.test(v.id.trim()))
      errs.id = "Mã số thuế gồm 10 chữ số (chi nhánh: 10 chữ số, dấu gạch và 3 chữ số)";
    if (!v.name.trim()) errs.name = kind === "person" ? "Nhập họ và tên" : "Nhập tên tổ chức";
    if (!v.email.trim() && !v.phone.trim()) errs.email = "Nhập thư điện tử hoặc số điện thoại để nhận mã xác nhận";
    if ([...v.password].length < 10) errs.password = "Mật khẩu có ít nhất 10 ký tự";
    else if (v.password !== v.again) errs.again = "Hai lần nhập mật khẩu không giống nhau";
    setErrors(errs);
    if (Object.keys(errs).length) return focusErrors();
    setBusy(true);
    const r = await post("/api/register", { kind, id: v.id.trim(), name: nfc(v.name.trim()),
      ...(v.email.trim() ? { email: v.email.trim() } : {}), ...(v.phone.trim() ? { phone: v.phone.replace(/\s/g, "") } : {}),
      password: nfc(v.password) });
    setBusy(false);
    if (r.status === 202) { setSent(true); return; }
    setErrors(serverErrors(r.body && r.body.error, ["id", "name", "email", "phone", "password"], "password"));
    focusErrors();
  }

  async function verify(e) {
    e.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) {
      setErrors({ code: "Mã xác nhận gồm 6 chữ số" });
      return focusErrors();
    }
    setBusy(true);
    const r = await post("/api/verify", { id: v.id.trim(), code: code.trim() });
    if (r.status === 201) {
      await session.login(v.id.trim(), v.password);
      location.assign("/mine.html");
      return;
    }
    setBusy(false);
    setErrors({ code: r.status === 429 ? "Đã nhập sai quá nhiều lần: vui lòng đăng ký lại để nhận mã mới"
      : "Mã xác nhận không đúng hoặc đã hết hạn" });
    focusErrors();
  }

  if (sent)
    return html`<h1>Xác nhận đăng ký</h1>
      <p>Mã xác nhận 6 chữ số đã được gửi tới ${v.phone.trim() ? "số điện thoại" : "thư điện tử"} của bạn (có hiệu lực 15 phút).</p>
      <${Errors} errors=${errors} />
      <form onSubmit=${verify} novalidate>
        <${Field} id="code" label="Mã xác nhận" value=${code} set=${(x) => { setCode(x); setErrors({}); }}
          error=${errors.code} autocomplete="one-time-code" inputmode="numeric" />
        <p><button type="submit" disabled=${busy}>Xác nhận</button></p>
      </form>`;
  return html`<h1>Đăng ký tài khoản</h1>
    <${Errors} errors=${errors} />
    <form onSubmit=${register} novalidate>
      <fieldset class="slot"><legend>Bạn đăng ký cho</legend>
        <label class="check"><input type="radio" name="kind" checked=${kind === "person"}
          onChange=${() => setKind("person")} /> Cá nhân</label>
        <label class="check"><input type="radio" name="kind" checked=${kind === "organisation"}
          onChange=${() => setKind("organisation")} /> Tổ chức, doanh nghiệp</label></fieldset>
      <${Field} id="id" label=${kind === "person" ? "Số định danh cá nhân (12 chữ số)" : "Mã số thuế"} value=${v.id}
        set=${set("id")} error=${errors.id} autocomplete="username" inputmode="numeric" />
      <${Field} id="name" label=${kind === "person" ? "Họ và tên" : "Tên tổ chức"} value=${v.name} set=${set("name")}
        error=${errors.name} autocomplete=${kind === "person" ? "name" : "organization"} />
      <${Field} id="email" label="Thư điện tử" type="email" value=${v.email} set=${set("email")} error=${errors.email}
        autocomplete="email" hint="Thư điện tử hoặc số điện thoại: mã xác nhận được gửi tới đó." />
      <${Field} id="phone" label="Số điện thoại" type="tel" value=${v.phone} set=${set("phone")} error=${errors.phone}
        autocomplete="tel" />
      <${Field} id="password" label="Mật khẩu (ít nhất 10 ký tự)" type="password" value=${v.password}
        set=${set("password")} error=${errors.password} autocomplete="new-password" />
      <${Field} id="again" label="Nhập lại mật khẩu" type="password" value=${v.again} set=${set("again")}
        error=${errors.again} autocomplete="new-password" />
      <p><button type="submit" disabled=${busy}>Đăng ký</button></p>
    </form>
    <p>Đã có tài khoản? <a href="/login.html">Đăng nhập</a></p>`;
}

if (session.current()) location.replace("/mine.html");
else render(html`<${Register} />`, document.getElementById("app"));
