// officials.js — the agency administrator's page (/console/officials.html):
// the agency's officials with their roles; add one (a one-time password to
// hand over, shown once), change roles — the fixed ones and the roles the
// agency's procedures name for their steps —, disable with the dossiers
// reassigned to a colleague, enable, give a new one-time password.  The
// server decides who may (docs/PROTOCOL.md "Directory and administration").
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { connect, errorText, official, Offline, ROLES } from "/js/desk.js";
import { Errors, Field } from "/js/forms.js";
import { getJSON } from "/js/http.js";
import { nfc } from "/js/format.js";

const FIXED = ["reception", "specialist", "leader", "agency_admin", "postal"];

// The roles an official of the agency may hold: the fixed ones, then those
// the steps of the procedures it takes name ({role: title}).
async function rolesOf(conn, agency) {
  const roles = Object.fromEntries(FIXED.map((r) => [r, ROLES[r]]));
  const cat = await getJSON(`/api/catalogue?agency=${encodeURIComponent(agency)}`).catch(() => ({ procedures: [] }));
  for (const p of cat.procedures) {
    const r = await conn.request("process", { procedure: p.code });
    for (const st of (r.ok && r.steps) || [])
      if (st.role && st.role !== "applicant" && !roles[st.role]) roles[st.role] = `${st.title} (${p.name})`;
  }
  return roles;
}

function RolesBox({ roles, chosen, set, prefix }) {
  return html`<fieldset><legend>Vai trò</legend>${Object.entries(roles).map(([r, label]) => html`
    <label class="check"><input type="checkbox" id=${`${prefix}-${r}`} checked=${chosen.includes(r)}
      onChange=${(e) => set(e.target.checked ? [...chosen, r] : chosen.filter((x) => x !== r))} /> ${label} <span class="meta">(${r})</span></label>`)}
  </fieldset>`;
}

function Official({ o, all, roles, conn, onChange, say }) {
  const [edit, setEdit] = useState(null);
  const [to, setTo] = useState("");
  async function run(op, fields, what) {
    const r = await conn.request(op, { account: o.account, ...fields });
    if (!r.ok) return say({ error: errorText(r) });
    say({ done: what(r), otp: r.one_time_password, account: o.account });
    setEdit(null);
    onChange();
  }
  return html`<li class="official" data-account=${o.account}>
    <strong>${o.name}</strong> <span class="meta">${o.account}${o.disabled ? " · đã khóa" : ""}</span>
    <p class="meta">${o.roles.map((r) => roles[r] || r).join("; ")}</p>
    <p class="buttons">
      <button type="button" class="secondary" onClick=${() => setEdit(edit === "roles" ? null : "roles")}>Đổi vai trò</button>
      ${o.disabled ? html`<button type="button" class="secondary" onClick=${() => run("user_enable", {}, () => `Đã mở lại tài khoản ${o.account}.`)}>Mở lại</button>`
        : html`<button type="button" class="secondary" onClick=${() => setEdit(edit === "disable" ? null : "disable")}>Khóa tài khoản</button>`}
      <button type="button" class="secondary" onClick=${() => run("user_password", {}, () => `Mật khẩu một lần mới của ${o.account}:`)}>Cấp mật khẩu một lần</button>
    </p>
    ${edit === "roles" ? html`<${RolesEdit} o=${o} roles=${roles} run=${run} />` : ""}
    ${edit === "disable" ? html`<form onSubmit=${(e) => { e.preventDefault(); run("user_disable", to ? { reassign_to: to } : {},
      (r) => `Đã khóa ${o.account}: ${r.reassigned} hồ sơ chuyển cho ${to || "—"}, ${r.sessions_revoked} phiên bị đóng.`); }}>
      <label for=${`to-${o.account}`}>Chuyển hồ sơ đang xử lý cho</label>
      <select id=${`to-${o.account}`} value=${to} onChange=${(e) => setTo(e.target.value)}>
        <option value="">— Không chuyển —</option>
        ${all.filter((x) => x.account !== o.account && !x.disabled).map((x) => html`<option value=${x.account}>${x.name} (${x.account})</option>`)}
      </select>
      <p><button type="submit">Khóa tài khoản ${o.account}</button></p></form>` : ""}
  </li>`;
}

function RolesEdit({ o, roles, run }) {
  const [chosen, setChosen] = useState(o.roles);
  return html`<${RolesBox} roles=${roles} chosen=${chosen} set=${setChosen} prefix=${`r-${o.account}`} />
    <p><button type="button" onClick=${() => run("user_roles", { roles: chosen }, () => `Đã đổi vai trò của ${o.account}.`)}>Lưu vai trò</button></p>`;
}

function Officials({ s }) {
  const [conn, setConn] = useState(null);
  const [status, setStatus] = useState("connecting");
  const [list, setList] = useState(null);
  const [roles, setRoles] = useState(Object.fromEntries(FIXED.map((r) => [r, ROLES[r]])));
  const [error, setError] = useState("");
  const [said, setSaid] = useState(null);
  const [add, setAdd] = useState({ account: "", name: "", email: "", phone: "", roles: ["reception"] });
  const [errors, setErrors] = useState({});
  async function load(c = conn) {
    const r = await c.request("officials", { agency: s.agency });
    if (r.ok) setList(r.officials);
    else setError(errorText(r, "Không đọc được danh sách cán bộ"));
  }
  useEffect(() => {
    const c = connect(s, setStatus);
    setConn(c);
    load(c);
    rolesOf(c, s.agency).then(setRoles);
    return () => c.close();
  }, []);
  async function create(e) {
    e.preventDefault();
    const errs = {};
    if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(add.account)) errs["n-account"] = "Tên tài khoản: 3–64 ký tự a-z, 0-9, dấu chấm, gạch";
    if (!add.name.trim()) errs["n-name"] = "Nhập họ và tên";
    if (!add.roles.length) errs["n-roles"] = "Chọn ít nhất một vai trò";
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const r = await conn.request("user_add", { account: add.account, name: nfc(add.name.trim()), agency: s.agency, roles: add.roles,
      ...(add.email ? { email: add.email.trim() } : {}), ...(add.phone ? { phone: add.phone.trim() } : {}) });
    if (!r.ok) return setErrors({ [r.error && r.error.field ? `n-${r.error.field}` : "n-account"]: errorText(r) });
    setSaid({ done: `Đã tạo tài khoản ${r.account}. Mật khẩu một lần (chỉ hiện lần này, đưa cho cán bộ):`, otp: r.one_time_password });
    setAdd({ account: "", name: "", email: "", phone: "", roles: ["reception"] });
    load();
  }
  if (error) return html`<h1>Cán bộ</h1><p class="error" role="alert" id="refused">${error}</p>`;
  return html`
    <h1>Cán bộ của cơ quan ${s.agency}</h1>
    <${Offline} status=${status} />
    ${said ? html`<div class="said" role="status" id="said">${said.error ? html`<span class="error">${said.error}</span>` : said.done}
      ${said.otp ? html` <strong class="otp" id="otp">${said.otp}</strong>` : ""}</div>` : ""}
    ${list === null ? html`<p>Đang tải…</p>` : html`<ul class="results officials">${list.map((o) => html`<${Official} o=${o} all=${list}
      roles=${roles} conn=${conn} onChange=${() => load()} say=${setSaid} />`)}</ul>`}
    <h2 id="add-h">Thêm cán bộ</h2>
    <${Errors} errors=${errors} />
    <form onSubmit=${create} aria-labelledby="add-h" novalidate>
      <${Field} id="n-account" label="Tên tài khoản" value=${add.account} set=${(v) => setAdd({ ...add, account: v.trim() })} error=${errors["n-account"]} />
      <${Field} id="n-name" label="Họ và tên" value=${add.name} set=${(v) => setAdd({ ...add, name: v })} error=${errors["n-name"]} />
      <${Field} id="n-email" label="Thư điện tử (không bắt buộc)" type="email" value=${add.email} set=${(v) => setAdd({ ...add, email: v })} error=${errors["n-email"]} />
      <${Field} id="n-phone" label="Số điện thoại (không bắt buộc)" type="tel" value=${add.phone} set=${(v) => setAdd({ ...add, phone: v })} error=${errors["n-phone"]} />
      <div id="n-roles">${errors["n-roles"] ? html`<p class="error">${errors["n-roles"]}</p>` : ""}
        <${RolesBox} roles=${roles} chosen=${add.roles} set=${(r) => setAdd({ ...add, roles: r })} prefix="n" /></div>
      <p><button type="submit">Tạo tài khoản</button></p>
    </form>`;
}

const s = official();
if (s) render(html`<${Officials} s=${s} />`, document.getElementById("app"));
