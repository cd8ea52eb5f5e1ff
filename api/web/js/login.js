// login.js — the login page (login.html): the citizen id or tax code (an
// official's account name) and the password; a one-time password is changed
// at once (change_password over the WebSocket); then on to where the person
// was going (?next=), "my dossiers" by default (an official: the console).  Errors are shown in a summary
// at the top that links to each field, and at the field.
import { html, render, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";
import { Errors, Field, focusErrors } from "/js/forms.js";
import * as session from "/js/session.js";

function next() {
  const s = session.current();
  const home = s && s.roles && !s.roles.includes("applicant") ? "/console/" : "/mine.html";
  const n = new URLSearchParams(location.search).get("next") || home;
  return n.startsWith("/") && !n.startsWith("//") ? n : home;
}

function Login() {
  const [id, setId] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [change, setChange] = useState(null); // the session whose one-time password must be changed

  async function submit(e) {
    e.preventDefault();
    const errs = {};
    if (!id.trim()) errs.id = "Nhập số định danh cá nhân, mã số thuế hoặc tên tài khoản";
    if (!password) errs.password = "Nhập mật khẩu";
    setErrors(errs);
    if (Object.keys(errs).length) return focusErrors();
    setBusy(true);
    try {
      const s = await session.login(id, password);
      if (s.mustChange) setChange(s);
      else location.assign(next());
    } catch (err) {
      setErrors({ password: err.status === 429 ? err.message : "Số định danh hoặc mật khẩu không đúng" });
      focusErrors();
    } finally {
      setBusy(false);
    }
  }

  if (change) return html`<${ChangePassword} old=${password} />`;
  return html`
    <h1>Đăng nhập</h1>
    <${Errors} errors=${errors} />
    <form onSubmit=${submit} novalidate>
      <${Field} id="id" label="Số định danh cá nhân, mã số thuế hoặc tên tài khoản" value=${id} set=${setId}
        error=${errors.id} autocomplete="username" />
      <${Field} id="password" label="Mật khẩu" type="password" value=${password} set=${setPassword}
        error=${errors.password} autocomplete="current-password" />
      <p><button type="submit" disabled=${busy}>Đăng nhập</button></p>
    </form>
    <p><a href="/reset.html">Quên mật khẩu?</a> · Chưa có tài khoản? <a href="/register.html">Đăng ký</a> ·
      <a href="/">Xem danh sách thủ tục</a></p>`;
}

function ChangePassword({ old }) {
  const [pw, setPw] = useState("");
  const [again, setAgain] = useState("");
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    const errs = {};
    if ([...pw].length < 10) errs.pw = "Mật khẩu mới có ít nhất 10 ký tự";
    else if (pw !== again) errs.again = "Hai lần nhập mật khẩu mới không giống nhau";
    setErrors(errs);
    if (Object.keys(errs).length) return focusErrors();
    setBusy(true);
    const conn = new Connection(session.current().token);
    const r = await conn.request("change_password", { old, new: pw.normalize("NFC") });
    conn.close();
    setBusy(false);
    if (!r.ok) {
      setErrors({ pw: (r.error && (r.error.message_vi || r.error.message)) || "Không đổi được mật khẩu" });
      return focusErrors();
    }
    // The session of a one-time password ends with it: log in again with the new one.
    await session.login(session.current().account, pw);
    location.assign(next());
  }
  return html`
    <h1>Đổi mật khẩu</h1>
    <p>Mật khẩu bạn vừa dùng là mật khẩu một lần. Hãy đặt mật khẩu mới trước khi tiếp tục.</p>
    <${Errors} errors=${errors} />
    <form onSubmit=${submit} novalidate>
      <${Field} id="pw" label="Mật khẩu mới (ít nhất 10 ký tự)" type="password" value=${pw} set=${setPw}
        error=${errors.pw} autocomplete="new-password" />
      <${Field} id="again" label="Nhập lại mật khẩu mới" type="password" value=${again} set=${setAgain}
        error=${errors.again} autocomplete="new-password" />
      <p><button type="submit" disabled=${busy}>Đổi mật khẩu</button></p>
    </form>`;
}

render(html`<${Login} />`, document.getElementById("app"));
