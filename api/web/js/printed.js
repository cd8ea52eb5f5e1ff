// printed.js — what the printed forms share (the receipt, the officials'
// forms 02–07 of Circular 03/2025/TT-VPCP): a dossier read from the log once
// (`get` and `history`: a reprint says the same), the masthead (the agency
// and its one-stop desk on the left, the national motto on the right), the
// dossier's public lookup (its address and the QR code of it), who may print
// an officials' form, and the "print" button.
import { html } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";

// The dossier and its history, or an error in Vietnamese; `more` (optional):
// further requests on the same connection, their replies in `replies`.
export async function readDossier(token, code, more = []) {
  const c = new Connection(token);
  const [g, h, ...replies] = await Promise.all([c.request("get", { dossier: code }),
    c.request("history", { dossier: code }), ...more.map(([op, fields]) => c.request(op, fields))]);
  c.close();
  if (!g.ok) return { error: (g.error && (g.error.message_vi || g.error.message)) || "Không đọc được hồ sơ" };
  return { dossier: g.dossier, history: h.ok ? h.history : [], replies };
}

// The public lookup of a dossier: the page (what the QR code says) and the QR image.
export function lookupOf(d) {
  const code = encodeURIComponent(d.code), secret = encodeURIComponent(d.secret);
  return { url: `${location.origin}/lookup.html?code=${code}&secret=${secret}`,
    qr: `/api/status/${code}/qr.svg?secret=${secret}` };
}

export function QrCode({ d }) {
  return html`<img class="qr" src=${lookupOf(d).qr} alt=${`Mã QR tra cứu hồ sơ ${d.code}`} width="160" height="160" />`;
}

// The head of every form; `place` (optional): the form's date line under the motto.
export function Masthead({ agency, place }) {
  return html`<div class="masthead">
    <p class="center">${agency.toUpperCase()}<br />BỘ PHẬN MỘT CỬA</p>
    <p class="center">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br /><u>Độc lập - Tự do - Hạnh phúc</u>
      ${place ? html`<br /><em class="dateline">${place}</em>` : null}</p>
  </div>`;
}

export function PrintButton({ label = "In phiếu" }) {
  return html`<button type="button" class="noprint" onClick=${() => print()}>${label}</button>`;
}

// The officials' forms are for officials: an applicant's session (or one with no
// official role) is refused on the page, whatever the server would let it read.
const OFFICIAL = ["reception", "specialist", "leader", "agency_admin", "system_admin", "auditor", "postal"];
export function isOfficial(s) {
  return !!(s && Array.isArray(s.roles) && s.roles.some((r) => OFFICIAL.includes(r)));
}

export function Refused({ title }) {
  return html`<h1>${title}</h1><p class="error" role="alert">Trang này dành cho cán bộ, công chức của cơ quan giải quyết
    thủ tục hành chính. Tài khoản của bạn không được in các phiếu, sổ của Bộ phận Một cửa. Người nộp hồ sơ xem hồ sơ của
    mình tại <a href="/mine.html">Hồ sơ của tôi</a>.</p>`;
}
