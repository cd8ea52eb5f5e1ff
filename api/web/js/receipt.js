// receipt.js — the receipt of a filing (receipt.html?dossier=CODE), made
// from the dossier as the server has it (`get`): the code and the secret of
// the public lookup, who filed what, the documents received, when the result
// is promised.  Print-ready on A5 (site.css, @media print).
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { Connection } from "/js/conn.js";
import { date, dateTime } from "/js/format.js";
import * as session from "/js/session.js";

function Receipt({ code, s }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    const c = new Connection(s.token);
    c.request("get", { dossier: code }).then((r) => {
      if (r.ok) setD(r.dossier);
      else setError((r.error && (r.error.message_vi || r.error.message)) || "Không đọc được hồ sơ");
      c.close();
    });
  }, []);
  if (error) return html`<h1>Giấy tiếp nhận hồ sơ</h1><p class="error" role="alert">${error}</p>`;
  if (!d) return html`<p>Đang tải…</p>`;
  const lookup = `${location.origin}/api/status/${d.code}?secret=${d.secret}`;
  return html`<article class="receipt">
    <p class="center">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br />Độc lập - Tự do - Hạnh phúc</p>
    <p class="center">${d.agency_name}</p>
    <h1 class="center">Giấy tiếp nhận hồ sơ và hẹn trả kết quả</h1>
    <p class="center">Mã hồ sơ: <strong id="code">${d.code}</strong></p>
    <dl class="facts">
      <dt>Người nộp</dt><dd>${d.applicant.name} (${d.applicant.id_number})</dd>
      <dt>Thủ tục</dt><dd>${d.procedure_name}</dd>
      <dt>Nộp lúc</dt><dd>${dateTime(d.submitted_at)}</dd>
      <dt>Cách nộp</dt><dd>${d.channel === "online" ? "Trực tuyến" : d.channel === "post" ? "Qua bưu chính" : "Trực tiếp"}</dd>
      <dt>Trạng thái</dt><dd>${d.state === "submitted" ? "Đã nộp, chờ tiếp nhận" : d.state}</dd>
      <dt>Hẹn trả kết quả</dt><dd>${d.appointment_at ? date(d.appointment_at) : "Ngày hẹn được ghi khi hồ sơ được tiếp nhận"}</dd>
      <dt>Mã tra cứu</dt><dd><strong id="secret">${d.secret}</strong></dd>
    </dl>
    <h2>Giấy tờ đã nộp</h2>
    <ul>${d.documents.filter((x) => x.state !== "missing").map((x) => html`<li>${x.title}: ${x.files.length} tệp${
      x.state === "reused" ? " (dùng lại)" : ""}</li>`)}</ul>
    <p class="center"><img class="qr" src=${`/api/status/${encodeURIComponent(d.code)}/qr.svg?secret=${encodeURIComponent(d.secret)}`}
      alt=${`Mã QR tra cứu hồ sơ ${d.code}`} width="160" height="160" /></p>
    <p>Quét mã QR, hoặc tra cứu tình trạng hồ sơ bằng mã hồ sơ và mã tra cứu tại <a href=${lookup}>${lookup}</a>.</p>
    <p class="noprint"><button type="button" onClick=${() => print()}>In giấy tiếp nhận</button>
      <a href="/mine.html">Hồ sơ của tôi</a></p>
  </article>`;
}

const s = session.required();
const code = new URLSearchParams(location.search).get("dossier") || "";
if (s) render(html`<${Receipt} code=${code} s=${s} />`, document.getElementById("app"));
