// catalogue.js — the catalogue page (index.html): every procedure that can be
// filed now, searched as you type with or without diacritics, filtered by
// sector, field, level, online service and the agency that takes it; each
// leads to its page.
import { html, render, useEffect, useMemo, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { fold, limit } from "/js/format.js";
import { getJSON } from "/js/http.js";

const LEVELS = { commune: "Cấp xã", province: "Cấp tỉnh", district: "Cấp huyện", central: "Cấp trung ương" };
const ONLINE = { full: "Trực tuyến toàn trình", partial: "Trực tuyến một phần", none: "Không trực tuyến" };

function options(list, key) {
  return [...new Set(list.map((p) => p[key]).filter(Boolean))].sort((a, b) => a.localeCompare(b, "vi"));
}

function Catalogue() {
  const params = new URLSearchParams(location.search);
  const [all, setAll] = useState(null);
  const [error, setError] = useState("");
  const [q, setQ] = useState(params.get("q") || "");
  const [sector, setSector] = useState(params.get("sector") || "");
  const [field, setField] = useState(params.get("field") || "");
  const [level, setLevel] = useState(params.get("level") || "");
  const [online, setOnline] = useState(params.get("online") || "");
  const [agency, setAgency] = useState(params.get("agency") || "");
  const [names, setNames] = useState({});

  useEffect(() => {
    getJSON("/api/catalogue").then((r) => setAll(r.procedures)).catch((e) => setError(e.message));
    // The agencies' names, for the filter (the catalogue names them by code).
    getJSON("/api/agencies").then((r) => setNames(Object.fromEntries(r.agencies.map((a) => [a.code, a.name || a.code]))))
      .catch(() => {});
  }, []);
  // The address keeps the search, to share it or come back to it.
  useEffect(() => {
    const p = new URLSearchParams();
    if (q) p.set("q", q);
    if (sector) p.set("sector", sector);
    if (field) p.set("field", field);
    if (level) p.set("level", level);
    if (online) p.set("online", online);
    if (agency) p.set("agency", agency);
    history.replaceState(null, "", p.toString() ? `?${p}` : location.pathname);
  }, [q, sector, field, level, online, agency]);

  const shown = useMemo(() => {
    if (!all) return [];
    const words = fold(q).split(/\s+/).filter(Boolean);
    return all.filter((p) => {
      const text = fold(`${p.name} ${p.sector} ${p.field} ${p.code}`);
      return words.every((w) => text.includes(w)) && (!sector || p.sector === sector) && (!field || p.field === field) &&
        (!level || p.level === level) && (!online || p.online === online) &&
        (!agency || (p.agencies || []).includes(agency));
    });
  }, [all, q, sector, field, level, online, agency]);

  if (error) return html`<p class="error" role="alert">Không tải được danh sách thủ tục: ${error}</p>`;
  if (!all) return html`<p>Đang tải danh sách thủ tục…</p>`;
  return html`
    <form role="search" onSubmit=${(e) => e.preventDefault()}>
      <label for="q">Tên thủ tục</label>
      <input id="q" type="search" value=${q} autocomplete="off" onInput=${(e) => setQ(e.target.value)} />
      <div class="filters">
        <div><label for="sector">Lĩnh vực</label>
          <select id="sector" value=${sector} onChange=${(e) => setSector(e.target.value)}>
            <option value="">Tất cả</option>
            ${options(all, "sector").map((s) => html`<option value=${s}>${s}</option>`)}
          </select></div>
        <div><label for="field">Lĩnh vực chi tiết</label>
          <select id="field" value=${field} onChange=${(e) => setField(e.target.value)}>
            <option value="">Tất cả</option>
            ${options(all.filter((p) => !sector || p.sector === sector), "field").map((f) => html`<option value=${f}>${f}</option>`)}
          </select></div>
        <div><label for="level">Cấp thực hiện</label>
          <select id="level" value=${level} onChange=${(e) => setLevel(e.target.value)}>
            <option value="">Tất cả</option>
            ${options(all, "level").map((l) => html`<option value=${l}>${LEVELS[l] || l}</option>`)}
          </select></div>
        <div><label for="online">Dịch vụ trực tuyến</label>
          <select id="online" value=${online} onChange=${(e) => setOnline(e.target.value)}>
            <option value="">Tất cả</option>
            ${options(all, "online").map((o) => html`<option value=${o}>${ONLINE[o] || o}</option>`)}
          </select></div>
        <div><label for="agency">Cơ quan tiếp nhận</label>
          <select id="agency" value=${agency} onChange=${(e) => setAgency(e.target.value)}>
            <option value="">Tất cả</option>
            ${[...new Set(all.flatMap((p) => p.agencies || []))]
              .map((c) => [c, names[c] || c]).sort((a, b) => a[1].localeCompare(b[1], "vi"))
              .map(([c, n]) => html`<option value=${c}>${n}</option>`)}
          </select></div>
      </div>
    </form>
    <p class="count" role="status" aria-live="polite">${shown.length} thủ tục</p>
    <ul class="results">
      ${shown.map((p) => html`
        <li>
          <a href=${`/procedure.html?code=${encodeURIComponent(p.code)}`}>${p.name}</a>
          <p class="meta">${p.sector}${p.field ? ` · ${p.field}` : ""} · ${LEVELS[p.level] || p.level} ·
            ${ONLINE[p.online] || p.online} · ${limit(p.time)}</p>
        </li>`)}
    </ul>`;
}

render(html`<${Catalogue} />`, document.getElementById("app"));
