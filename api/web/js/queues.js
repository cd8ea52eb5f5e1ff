// queues.js — the console's home (/console/): the agency's work queues as
// officials know them, each with its count, ordered by the step's due
// instant; due soon and overdue stand out (in words, not only colour); new
// dossiers arrive live with a badge (and a sound if the official wants one);
// search by code, name or id number.  A queue is a page at a time from the
// server (`queue`), the next page loaded as the list is scrolled.
import { Component, html, render, useEffect, useRef, useState } from "/vendor/htm-preact-3.1.1.mjs";
import { connect, errorText, official, Offline, onShortcut, ShortcutsToggle } from "/js/desk.js";
import { dateTime } from "/js/format.js";

// The queues: the filter of `queue` each is, and its count among the reply's `counts`.
const QUEUES = [
  { key: "reception", label: "Chờ tiếp nhận", filter: { state: "submitted" }, count: (c) => c.states.submitted },
  { key: "waiting", label: "Chờ bổ sung", filter: { waiting: true }, count: (c) => c.waiting },
  { key: "processing", label: "Đang xử lý", filter: { state: "processing" }, count: (c) => c.states.processing },
  { key: "signing", label: "Chờ ký duyệt", filter: { role: "leader" }, count: (c) => c.roles.leader },
  { key: "results", label: "Trả kết quả", filter: { state: "decided" }, count: (c) => c.states.decided },
  { key: "due_soon", label: "Sắp đến hạn", filter: { due_soon: true }, count: (c) => c.due_soon },
  { key: "overdue", label: "Quá hạn", filter: { overdue: true }, count: (c) => c.overdue },
  { key: "paused", label: "Tạm dừng", filter: { paused: true }, count: (c) => c.paused },
  { key: "mine", label: "Của tôi", filter: { assigned_to_me: true }, count: (c) => c.assigned_to_me },
  { key: "feedback", label: "Phản ánh, kiến nghị", filter: { procedure: "PAKN" }, count: (c) => c.procedures.PAKN },
  { key: "all", label: "Tất cả", filter: {}, count: (c) => c.open },
];
const PAGE = 200;

const byDue = (a, b) => (a.due_at || Infinity) - (b.due_at || Infinity) || a.code.localeCompare(b.code);
const rowKey = (r) => `${r.code}/${r.step}`;

function beep() {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    o.frequency.value = 880;
    o.connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.15);
  } catch { /* no sound on this machine */ }
}

// A row is drawn again only when its own data changes: a queue of thousands
// stays quick while pages are added and rows arrive.
class Row extends Component {
  shouldComponentUpdate(next) {
    return next.r !== this.props.r;
  }

  render({ r }) {
    const when = r.overdue ? "Quá hạn" : r.due_soon ? "Sắp đến hạn" : "";
    return html`<div role="row" class=${r.overdue ? "overdue" : r.due_soon ? "due-soon" : ""} data-code=${r.code}>
      <span role="cell"><a href=${`/console/dossier.html?code=${encodeURIComponent(r.code)}`}>${r.code}</a>
        ${r.fresh ? html` <span class="badge">Mới</span>` : ""}</span>
      <span role="cell">${r.applicant_name || "—"}</span>
      <span role="cell">${r.procedure_name}</span>
      <span role="cell">${r.title || r.state_label}${r.handler ? html`<br /><span class="meta">${r.handler}</span>` : ""}</span>
      <span role="cell">${r.due_at ? dateTime(r.due_at) : "—"}${when ? html`<br /><strong class="tag">${when}</strong>` : ""}</span>
    </div>`;
  }
}

// A page's worth of rows as one row group, drawn again only when one of its
// rows changes; the browser skips laying out and painting the groups out of
// view (content-visibility: a <table> cannot, its layout takes every row).
class Chunk extends Component {
  shouldComponentUpdate({ rows }) {
    const had = this.props.rows;
    return rows.length !== had.length || rows.some((r, i) => r !== had[i]);
  }

  render({ rows }) {
    return html`<div role="rowgroup" class="chunk">${rows.map((r) => html`<${Row} key=${rowKey(r)} r=${r} />`)}</div>`;
  }
}

function chunks(rows) {
  const out = [];
  for (let i = 0; i < rows.length; i += PAGE) out.push(rows.slice(i, i + PAGE));
  return out;
}

function Queues({ s }) {
  const params = new URLSearchParams(location.search);
  const [which, setWhich] = useState(QUEUES.find((q) => q.key === params.get("q")) ? params.get("q") : "reception");
  const [conn, setConn] = useState(null);
  const [status, setStatus] = useState("connecting");
  const [counts, setCounts] = useState(null);
  const [rows, setRows] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState("");
  const [fresh, setFresh] = useState(0);
  const [sound, setSound] = useState(localStorage.getItem("motcua.sound") === "on");
  const [found, setFound] = useState(null);
  const [q, setQ] = useState("");
  const more = useRef(null);
  const loading = useRef(false);
  const queue = QUEUES.find((x) => x.key === which);

  useEffect(() => {
    const c = connect(s, setStatus);
    setConn(c);
    return () => c.close();
  }, []);
  useEffect(() => onShortcut({ "/": () => document.getElementById("search").focus() }), []);

  async function page(cursor) {
    loading.current = true;
    const r = await conn.request("queue", { ...queue.filter, limit: PAGE, ...(cursor ? { cursor } : {}) });
    loading.current = false;
    if (!r.ok) return setError(errorText(r, "Không đọc được hàng đợi"));
    if (r.counts) setCounts(r.counts);
    setNext(r.next);
    setRows((old) => (cursor ? [...(old || []), ...r.rows] : r.rows));
  }
  async function recount() {
    const r = await conn.request("queue", { ...queue.filter, limit: 1 });
    if (r.ok) setCounts(r.counts);
  }

  // The queue shown: its first page, then live — subscribe first, read after (docs/PROTOCOL.md).
  useEffect(() => {
    if (!conn) return;
    history.replaceState(null, "", `?q=${which}`);
    setRows(null);
    setError("");
    let timer = null;
    conn.subscribe("queue", { scope: "queue", ...queue.filter }, (m) => {
      if (m.push === "row") {
        setRows((old) => {
          const list = old || [];
          const known = list.some((r) => rowKey(r) === rowKey(m.row));
          if (!known && m.row.state === "submitted") {
            setFresh((n) => n + 1);
            if (localStorage.getItem("motcua.sound") === "on") beep();
          }
          const row = { ...m.row, fresh: !known || list.find((r) => rowKey(r) === rowKey(m.row)).fresh };
          return [...list.filter((r) => rowKey(r) !== rowKey(m.row)), row].sort(byDue);
        });
      } else if (m.push === "row_gone") {
        setRows((old) => (old || []).filter((r) => r.code !== m.dossier));
      }
      clearTimeout(timer);
      timer = setTimeout(recount, 150);
    }).then(() => page(null));
    return () => {
      clearTimeout(timer);
      conn.unsubscribe("queue");
    };
  }, [conn, which]);

  // The next page when the end of the list comes into view.
  useEffect(() => {
    if (!more.current) return;
    const io = new IntersectionObserver((e) => {
      if (e[0].isIntersecting && next && !loading.current) page(next);
    }, { rootMargin: "1200px 0px" }); // a screen or two ahead: the rows are there when scrolled to
    io.observe(more.current);
    return () => io.disconnect();
  }, [next, rows]);

  useEffect(() => {
    document.title = `${fresh ? `(${fresh}) ` : ""}Hàng đợi — Một cửa`;
  }, [fresh]);

  async function search(e) {
    e.preventDefault();
    const t = q.trim();
    if (!t) return setFound(null);
    const crit = /\d{6}-\d{4}$/.test(t) || t.includes("-") ? { code: t.toUpperCase() } : /^\d{9,13}$/.test(t)
      ? { id_number: t } : { name: t };
    const r = await conn.request("search", { ...crit, limit: 100 });
    setFound(r.ok ? r.dossiers : []);
    if (!r.ok) setError(errorText(r, "Không tìm được"));
  }

  return html`
    <h1>Hàng đợi hồ sơ${s.agency ? html` <span class="meta">${s.agency}</span>` : ""}</h1>
    <${Offline} status=${status} />
    ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
    <form role="search" class="search-line" onSubmit=${search}>
      <label for="search">Tìm hồ sơ (mã hồ sơ, họ tên hoặc số định danh)</label>
      <div class="inline"><input id="search" type="search" value=${q} onInput=${(e) => setQ(e.target.value)} />
        <button type="submit">Tìm</button></div>
    </form>
    ${found ? html`<section aria-labelledby="found-h"><h2 id="found-h">Kết quả tìm kiếm: ${found.length} hồ sơ</h2>
      <ul class="results">${found.map((d) => html`<li><a href=${`/console/dossier.html?code=${encodeURIComponent(d.code)}`}>${d.code}</a>
        <p class="meta">${d.applicant_name} · ${d.state} · nộp ${dateTime(d.submitted_at)}</p></li>`)}</ul>
      <button type="button" class="secondary" onClick=${() => { setFound(null); setQ(""); }}>Đóng kết quả tìm kiếm</button>
    </section>` : ""}
    <nav aria-label="Các hàng đợi" class="queues">
      <ul>${QUEUES.map((x) => {
        const n = counts ? x.count(counts) || 0 : null;
        return html`<li><a href=${`?q=${x.key}`} aria-current=${x.key === which ? "page" : undefined}
          onClick=${(e) => { e.preventDefault(); setWhich(x.key); if (x.key === "reception") setFresh(0); }}>
          ${x.label}${n !== null ? html` <span class="count-badge">${n}</span>` : ""}</a></li>`;
      })}</ul>
    </nav>
    <div class="queue-head">
      <h2 id="queue-h">${queue.label}</h2>
      ${fresh ? html`<p class="badge" role="status">${fresh} hồ sơ mới</p>` : html`<p class="visually-hidden" role="status"></p>`}
      <label class="check"><input type="checkbox" checked=${sound}
        onChange=${(e) => { setSound(e.target.checked); localStorage.setItem("motcua.sound", e.target.checked ? "on" : "off"); }} />
        Báo âm thanh khi có hồ sơ mới</label>
    </div>
    ${rows === null ? html`<p>Đang tải…</p>` : rows.length === 0 ? html`<p>Không có hồ sơ nào.</p>` : html`
      <div class="table-wrap" tabindex="0" role="region" aria-labelledby="queue-h">
      <div class="queue" role="table" aria-labelledby="queue-h" aria-rowcount=${rows.length + 1}>
        <div role="rowgroup" class="head"><div role="row"><span role="columnheader">Mã hồ sơ</span>
          <span role="columnheader">Người nộp</span><span role="columnheader">Thủ tục</span>
          <span role="columnheader">Bước</span><span role="columnheader">Hạn xử lý</span></div></div>
        ${chunks(rows).map((c, i) => html`<${Chunk} key=${i} rows=${c} />`)}
      </div></div>
      <p ref=${more} class="meta" id="more">${next ? "Đang tải thêm…" : `${rows.length} hồ sơ`}</p>`}
    <${ShortcutsToggle}><p><kbd>/</kbd> tìm hồ sơ</p><//>`;
}

const s = official();
if (s) render(html`<${Queues} s=${s} />`, document.getElementById("app"));
