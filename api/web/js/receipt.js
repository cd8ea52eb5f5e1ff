// receipt.js — the receipt of a filing (receipt.html?dossier=CODE): form 01
// of Circular 03/2025/TT-VPCP, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
// made from the dossier as the log has it (`get`, `history`) and the
// procedure's page: the agency, the dossier's code and its lookup (code,
// secret, QR code), who filed (name, id, address, phone, e-mail), what is
// asked, the documents received (original or copy, how many, files), the
// time limit, when it was received and when the result is promised, where the
// result is collected, who received it.  A reprint says the same.
// Laid out as the form is (the items numbered 1 to 6, the two signatures);
// print-ready on one A5 page (site.css, @media print).
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { formal, limit } from "/js/format.js";
import { getJSON } from "/js/http.js";
import { Masthead, QrCode, lookupOf, readDossier } from "/js/printed.js";
import * as session from "/js/session.js";

const CHANNEL = { online: "Trực tuyến", desk: "Trực tiếp tại Bộ phận Một cửa", post: "Qua dịch vụ bưu chính" };

function Receipt({ code, s }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    readDossier(s.token, code).then(async (r) => {
      if (r.error) { setError(r.error); return; }
      const p = await getJSON(`/api/procedures/${encodeURIComponent(r.dossier.procedure)}`).catch(() => null);
      setD({ ...r.dossier, history: r.history, time: p ? p.time : "" });
    });
  }, []);
  if (error) return html`<h1>Giấy tiếp nhận hồ sơ</h1><p class="error" role="alert">${error}</p>`;
  if (!d) return html`<p>Đang tải…</p>`;
  const a = d.applicant;
  const filed = d.history.find((x) => x.action === "submit");
  const received = d.channel === "online" ? "Tiếp nhận trực tuyến" : (filed && filed.by && filed.by.name) || "";
  const docs = d.documents.filter((x) => x.state !== "missing" && x.state !== "issued");
  const lookup = lookupOf(d).url;
  const where = d.channel === "online" ? `Trực tuyến, tại trang Hồ sơ của tôi; hoặc tại Bộ phận Một cửa của ${d.agency_name}`
    : `Bộ phận Một cửa của ${d.agency_name}`;
  return html`<article class="receipt">
    <${Masthead} agency=${d.agency_name} />
    <div class="code-block">
      <div>
        <h1>GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>
        <p>Mã hồ sơ: <strong id="code">${d.code}</strong><br />Mã tra cứu: <strong id="secret">${d.secret}</strong></p>
      </div>
      <${QrCode} d=${d} />
    </div>
    <p>Bộ phận Một cửa — ${d.agency_name} tiếp nhận hồ sơ của:</p>
    <ul class="form-lines">
      <li>${a.kind === "organisation" ? "Tổ chức" : "Ông/Bà"}: <strong id="applicant">${a.name}</strong></li>
      <li>${a.id_type === "tax_code" ? "Mã số thuế" : "Số định danh cá nhân"}: ${a.id_number}</li>
      <li>Địa chỉ: ${a.address || "—"}</li>
      <li>Số điện thoại: ${a.phone || "—"}; thư điện tử: ${a.email || "—"}</li>
      <li>Nội dung yêu cầu giải quyết: <span id="procedure">${d.procedure_name}</span></li>
    </ul>
    <ol class="form-items">
      <li>Thành phần hồ sơ nộp gồm:
        <table>
          <thead><tr><th scope="col">STT</th><th scope="col">Tên giấy tờ</th><th scope="col">Bản</th><th scope="col">Số lượng</th></tr></thead>
          <tbody>
            <tr><td>1</td><td>Tờ khai điện tử</td><td>Bản điện tử</td><td>1</td></tr>
            ${docs.map((x, i) => html`<tr><td>${i + 2}</td><td>${x.title}${x.state === "reused" ? " (dùng lại giấy tờ đã nộp)" : ""}</td>
              <td>${x.original ? "Bản chính" : "Bản sao"} (${x.files.length} tệp)</td><td>${x.count}</td></tr>`)}
          </tbody>
        </table></li>
      <li>Số lượng hồ sơ: 01 bộ; cách nộp: ${CHANNEL[d.channel] || d.channel}.</li>
      <li>Thời gian giải quyết hồ sơ theo quy định: ${limit(d.time) || "—"}.</li>
      <li>Thời gian nhận hồ sơ: <span id="received">${formal(d.submitted_at)}</span>.</li>
      <li>Thời gian trả kết quả giải quyết hồ sơ: <span id="appointment">${d.appointment_at ? formal(d.appointment_at)
        : "được ghi khi hồ sơ được tiếp nhận (báo qua điện thoại, thư điện tử và tại trang Hồ sơ của tôi)"}</span>.</li>
      <li>Đăng ký nhận kết quả tại: ${where}.</li>
    </ol>
    <p class="small">Tra cứu tình trạng hồ sơ: quét mã QR, hoặc nhập mã hồ sơ và mã tra cứu tại <a href=${lookup}>${lookup}</a>.</p>
    <div class="signatures">
      <p class="center"><strong>NGƯỜI NỘP HỒ SƠ</strong><br /><em>(Ký và ghi rõ họ tên)</em><br /><br />${a.name}</p>
      <p class="center"><strong>NGƯỜI TIẾP NHẬN HỒ SƠ</strong><br /><em>(Ký và ghi rõ họ tên)</em><br /><br />${received}</p>
    </div>
    <p class="noprint"><button type="button" onClick=${() => print()}>In giấy tiếp nhận</button>
      <a href="/mine.html">Hồ sơ của tôi</a></p>
  </article>`;
}

const s = session.required();
const code = new URLSearchParams(location.search).get("dossier") || "";
if (s) render(html`<${Receipt} code=${code} s=${s} />`, document.getElementById("app"));
