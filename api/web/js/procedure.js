// procedure.js — a procedure's page (procedure.html?code=CODE): its legal name
// and code, the documents to bring (originals or copies, how many, the blank
// form), the fee, the time limit, the legal basis, the agencies, what can be
// done online and the process drawn — all from GET /api/procedures/CODE and
// its graph.svg, nothing written per procedure here.
import { html, render, useEffect, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { feeText, limit } from "/js/format.js";
import { getJSON } from "/js/http.js";

const ONLINE = { full: "Trực tuyến toàn trình: nộp và nhận kết quả trực tuyến",
  partial: "Trực tuyến một phần: nộp trực tuyến, nhận kết quả tại cơ quan", none: "Nộp tại cơ quan" };

function Procedure({ code }) {
  const [p, setP] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    getJSON(`/api/procedures/${encodeURIComponent(code)}`).then((r) => {
      setP(r);
      document.title = `${r.name} — Dịch vụ công trực tuyến`;
    }).catch((e) => setError(e.status === 404 ? "Không có thủ tục này, hoặc thủ tục chưa được áp dụng." : e.message));
  }, [code]);
  if (error) return html`<h1>Thủ tục</h1><p class="error" role="alert">${error}</p>`;
  if (!p) return html`<p>Đang tải thủ tục…</p>`;
  const docs = (p.documents || []).filter((d) => !d.eform);
  const drawing = `/api/procedures/${encodeURIComponent(p.code)}/graph.svg`;
  return html`
    <h1>${p.name}</h1>
    <dl class="facts">
      <dt>Mã thủ tục</dt><dd>${p.code}</dd>
      <dt>Lĩnh vực</dt><dd>${p.sector}${p.field ? ` · ${p.field}` : ""}</dd>
      <dt>Thời hạn giải quyết</dt><dd>${limit(p.time)}</dd>
      <dt>Lệ phí</dt><dd id="fee">${feeText(p.fee_terms, p.fields)}${p.refundable ? " (hoàn lại nếu cơ quan không giải quyết được)" : ""}</dd>
      <dt>Cách thực hiện</dt><dd>${ONLINE[p.online] || p.online}</dd>
    </dl>
    <h2>Nơi nộp hồ sơ</h2>
    <ul class="agencies">${(p.agency_details || []).map((a) => html`<li><strong>${a.name}</strong>
      ${a.address ? html`<br />${a.address}` : ""}
      ${a.contacts && a.contacts.phone ? html`<br />Điện thoại: ${a.contacts.phone}` : ""}
      ${a.contacts && a.contacts.email ? html`<br />Thư điện tử: ${a.contacts.email}` : ""}</li>`)}</ul>
    ${p.online !== "none" ? html`<p><a class="button" href=${`/file.html?code=${encodeURIComponent(p.code)}`}>Nộp hồ sơ trực tuyến</a></p>` : ""}
    <h2>Giấy tờ cần nộp</h2>
    ${docs.length ? html`
      <table>
        <thead><tr><th scope="col">Giấy tờ</th><th scope="col">Bản</th><th scope="col">Số lượng</th><th scope="col">Mẫu</th></tr></thead>
        <tbody>${docs.map((d) => html`
          <tr><td>${d.title}</td><td>${d.original ? "Bản chính" : "Bản sao"}</td><td>${d.count}</td>
            <td>${d.blank ? html`<a href=${d.blank}>Tải mẫu</a>` : "—"}</td></tr>`)}
        </tbody>
      </table>` : html`<p>Chỉ cần điền tờ khai trực tuyến.</p>`}
    ${(p.results || []).length ? html`
      <h2>Kết quả</h2>
      <ul>${p.results.map((r) => html`<li>${r.title || r.name || r}</li>`)}</ul>` : ""}
    ${(p.legal || []).length ? html`
      <h2>Căn cứ pháp lý</h2>
      <ul class="legal">${p.legal.map((l) => html`<li>${l}</li>`)}</ul>` : ""}
    <h2 id="process">Quy trình giải quyết</h2>
    <p>Các bước hồ sơ đi qua, ai thực hiện và thời hạn của từng bước.${" "}
      <a href=${drawing}>Mở sơ đồ ở cửa sổ riêng</a> để phóng to.</p>
    <div class="drawing" tabindex="0" role="region" aria-labelledby="process">
      <img src=${drawing} alt=${`Sơ đồ quy trình giải quyết thủ tục ${p.name}`} loading="lazy" />
    </div>`;
}

const code = new URLSearchParams(location.search).get("code") || "";
render(html`<${Procedure} code=${code} />`, document.getElementById("app"));
