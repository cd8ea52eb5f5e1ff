// desk.js — what every screen of the officials' console (/console/) shares:
// an official's session (an applicant is sent to "my dossiers"), the one
// connection of the tab with the lost-connection notice, the words of the
// roles, an error as an official reads it, and the console's keyboard
// shortcuts (single keys, which an official can turn off: WCAG 2.1.4).
import { html } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";
import * as session from "/js/session.js";

// The roles of officials as the desk names them (a procedure's own roles
// come with their title from the `process` op).
export const ROLES = {
  reception: "Tiếp nhận và trả kết quả",
  specialist: "Chuyên viên xử lý",
  leader: "Lãnh đạo ký duyệt",
  agency_admin: "Quản trị cơ quan",
  postal: "Bưu chính",
  auditor: "Kiểm tra, giám sát",
  system_admin: "Quản trị hệ thống",
};

// The session of an official, or null (and the page says why, or goes to log in).
export function official() {
  const s = session.required();
  if (!s) return null;
  if (!s.roles || s.roles.includes("applicant")) {
    location.replace("/mine.html");
    return null;
  }
  return s;
}

export function connect(s, onStatus) {
  return new Connection(s.token, {
    onStatus,
    onRevoked: async () => {
      await session.logout();
      location.replace(`/login.html?next=${encodeURIComponent(location.pathname + location.search)}`);
    },
  });
}

export function Offline({ status }) {
  return status === "offline"
    ? html`<p class="warning" role="status">Mất kết nối với máy chủ: đang kết nối lại… Những gì đã nhập vẫn được giữ.</p>` : "";
}

// A refused request as an official reads it.
export function errorText(r, fallback = "Không thực hiện được") {
  const e = (r && r.error) || {};
  return e.message_vi || e.message || fallback;
}

// Single-key shortcuts, on unless the official turned them off (kept on this browser).
const SHORTCUTS = "motcua.shortcuts";
export const shortcutsOn = () => localStorage.getItem(SHORTCUTS) !== "off";
export function setShortcuts(on) {
  localStorage.setItem(SHORTCUTS, on ? "on" : "off");
}

// Calls keys[key]() for a key pressed outside a field, without a modifier;
// `keys` may be a function of the key (what the page offers as it stands).
export function onShortcut(keys) {
  const handler = (e) => {
    const t = e.target;
    if (!shortcutsOn() || e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (document.querySelector("dialog[open]")) return;
    const f = typeof keys === "function" ? keys(e.key) : keys[e.key];
    if (f) {
      e.preventDefault();
      f();
    }
  };
  document.addEventListener("keydown", handler);
  return () => document.removeEventListener("keydown", handler);
}

export function ShortcutsToggle({ children }) {
  return html`<details class="shortcuts noprint"><summary>Phím tắt</summary>
    <label class="check"><input type="checkbox" checked=${shortcutsOn()} onChange=${(e) => setShortcuts(e.target.checked)} />
      Dùng phím tắt một phím</label>
    ${children}</details>`;
}
