// session.js — who is logged in on this tab: the session's token and account
// in sessionStorage (gone with the tab; desk PCs are shared), login and
// logout over HTTP (docs/PROTOCOL.md "Accounts").  Logging out also clears
// the e-form drafts kept on this browser.
import { ApiError } from "/js/http.js";
import { nfc } from "/js/format.js";

const KEY = "motcua.session";

export function current() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

export async function login(id, password) {
  const r = await fetch("/api/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: nfc(id.trim()), password: nfc(password) }),
  });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, body && body.error);
  const s = { token: body.token, account: body.account, roles: body.roles, agency: body.agency,
    mustChange: body.must_change_password, expiresAt: body.expires_at };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export function update(fields) {
  const s = { ...current(), ...fields };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export async function logout() {
  const s = current();
  sessionStorage.removeItem(KEY);
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const k = localStorage.key(i);
    if (k && k.startsWith("motcua.draft.")) localStorage.removeItem(k);
  }
  if (s) await fetch("/api/logout", { method: "POST", headers: { Authorization: `Bearer ${s.token}` } }).catch(() => {});
}

// The page needs someone logged in: else to the login page, coming back here after.
export function required() {
  const s = current();
  if (!s) location.replace(`/login.html?next=${encodeURIComponent(location.pathname + location.search)}`);
  return s;
}
