// format.js — how motcua writes things for people (Vietnamese first): dates
// dd/mm/yyyy, money "1.234.567 ₫", durations in working days, and text
// normalised to NFC before it is sent (what the server compares).

const TZ = "Asia/Ho_Chi_Minh";

// An instant (ms since 1970, UTC) as dd/mm/yyyy in the province's time.
export function date(ms) {
  if (!ms) return "";
  return new Intl.DateTimeFormat("vi-VN", { timeZone: TZ, day: "2-digit", month: "2-digit", year: "numeric" })
    .format(new Date(ms));
}

// An instant as "hh:mm dd/mm/yyyy".
export function dateTime(ms) {
  if (!ms) return "";
  const d = new Date(ms);
  const time = new Intl.DateTimeFormat("vi-VN", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hour12: false })
    .format(d);
  return `${time} ${date(ms)}`;
}

// An instant as printed forms write it: "14 giờ 05 phút, ngày 07 tháng 12 năm 2026".
export function formal(ms) {
  if (!ms) return "";
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit",
    day: "2-digit", month: "2-digit", year: "numeric", hourCycle: "h23" }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.hour} giờ ${parts.minute} phút, ngày ${parts.day} tháng ${parts.month} năm ${parts.year}`;
}

// The day of an instant as a form's date line writes it: "ngày 07 tháng 12 năm 2026".
export function formalDay(ms) {
  return formal(ms).replace(/^.*, /, "");
}

// Đồng, grouped by dots: 1234567 -> "1.234.567 ₫"; 0 -> "Miễn phí".
export function money(dong) {
  if (!dong) return "Miễn phí";
  return `${String(Math.round(dong)).replace(/\B(?=(\d{3})+(?!\d))/g, ".")} ₫`;
}

// A procedure's fee (its `fee_terms`, GET /api/procedures/CODE) worked out
// over the form as typed, in đồng: what the server will ask at filing.
export function feeOf(t, values = {}) {
  if (!t) return 0;
  if (t.op === "money") return t.vnd;
  if (t.op === "ref") return /^\d+$/.test(String(values[t.field] ?? "").trim()) ? Number(values[t.field]) : 0;
  const a = feeOf(t.a, values), b = feeOf(t.b, values);
  return t.op === "add" ? a + b : t.op === "mul" ? a * b : 0;
}

// The fee in words for people: "200.000 ₫ + 5.000 ₫ × Số bản cấp thêm"; "Miễn phí" for none.
export function feeText(t, fields = []) {
  if (!t || (t.op === "money" && !t.vnd)) return "Miễn phí";
  const words = (x) => x.op === "money" ? money(x.vnd)
    : x.op === "ref" ? ((fields.find((f) => f.name === x.field) || {}).label || x.field)
    : `${words(x.a)} ${x.op === "add" ? "+" : "×"} ${words(x.b)}`;
  return words(t);
}

// "0 working days", "3 working days", "8 working hours" as the catalogue
// gives them, in Vietnamese.
export function limit(text) {
  if (!text) return "";
  return text.replace(/(\d+) working days?/, "$1 ngày làm việc").replace(/(\d+) working hours?/, "$1 giờ làm việc")
    .replace(/(\d+) calendar days?/, "$1 ngày").replace(/^0 ngày làm việc$/, "Trong ngày");
}

// What a person typed, as the server compares it.
export function nfc(text) {
  return typeof text === "string" ? text.normalize("NFC") : text;
}

// The words of a text without diacritics, lower case (đ as d): for matching as you type.
export function fold(text) {
  return nfc(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d")
    .toLowerCase();
}
