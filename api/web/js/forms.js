// forms.js — what every form of the pages shares: the error summary at the
// top (each error a link to its field), a labelled field with its error and
// hint, and where focus goes when errors appear (GOV.UK's pattern).
import { html } from "/vendor/htm-preact-3.1.1.mjs";

export function Errors({ errors }) {
  const list = Object.entries(errors).filter(([, m]) => m);
  if (!list.length) return "";
  return html`<div class="errors" role="alert" tabindex="-1" id="errors"><h2>Có lỗi cần sửa</h2>
    <ul>${list.map(([f, m]) => html`<li><a href=${`#${f}`}>${m}</a></li>`)}</ul></div>`;
}

export function Field({ id, label, type = "text", value, set, error, autocomplete, hint, inputmode }) {
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return html`<div class=${error ? "field has-error" : "field"}>
    <label for=${id}>${label}</label>
    ${hint ? html`<p class="meta" id=${`${id}-hint`}>${hint}</p>` : ""}
    ${error ? html`<p class="error" id=${`${id}-error`}>${error}</p>` : ""}
    <input id=${id} type=${type} value=${value} autocomplete=${autocomplete} inputmode=${inputmode}
      aria-invalid=${error ? "true" : "false"} aria-describedby=${describedBy}
      onInput=${(e) => set(e.target.value)} />
  </div>`;
}

export function focusErrors() {
  setTimeout(() => document.getElementById("errors")?.focus(), 0);
}

// The server's error of a request as the errors of a form: at its field
// when it names one of the form's, else in `fallback`.
export function serverErrors(error, fields, fallback) {
  const e = error || {};
  const m = e.message_vi || e.message || "Có lỗi: vui lòng thử lại.";
  return { [fields.includes(e.field) ? e.field : fallback]: m };
}
