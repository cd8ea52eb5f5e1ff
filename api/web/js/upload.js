// upload.js — one scan sent to the server (docs/PROTOCOL.md "Uploads"):
// declared, then its bytes with progress; a dropped connection is resumed at
// the offset the server has (a few times, waiting longer each time); the
// result is the server's receipt (clean, held, refused or infected).
const ATTEMPTS = 6;

function sendBytes(url, token, blob, onProgress, base, total) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.open("POST", url);
    x.setRequestHeader("Authorization", `Bearer ${token}`);
    x.setRequestHeader("Content-Type", "application/octet-stream");
    x.upload.onprogress = (e) => onProgress((base + e.loaded) / total);
    x.onload = () => {
      let body = null;
      try { body = JSON.parse(x.responseText); } catch { /* not JSON */ }
      resolve({ status: x.status, body });
    };
    x.onerror = () => resolve({ status: 0, body: null });
    x.send(blob);
  });
}

async function json(method, path, token, body) {
  const r = await fetch(path, { method, headers: { Authorization: `Bearer ${token}`,
    ...(body ? { "Content-Type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json().catch(() => null) };
}

// Returns {ok, receipt} or {ok: false, message} (in Vietnamese).
export async function uploadFile(file, token, agency, onProgress = () => {}) {
  const decl = await json("POST", "/api/uploads", token, { name: file.name.normalize("NFC"), size: file.size,
    ...(agency ? { agency } : {}) });
  if (decl.status !== 201) return { ok: false, message: errorText(decl.body) };
  const id = decl.body.upload;
  let offset = 0;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const r = await sendBytes(`/api/uploads/${id}?offset=${offset}`, token, file.slice(offset), onProgress, offset,
      file.size);
    if (r.status === 201 || r.status === 202) return { ok: true, receipt: r.body };
    if (r.status === 422) return { ok: false, message: r.body.why_vi || errorText(r.body), receipt: r.body };
    if (r.status === 200 && r.body) { offset = r.body.offset; continue; }
    // Lost, or refused for its offset: ask where to go on from.
    await new Promise((ok) => setTimeout(ok, 500 * 2 ** attempt));
    const at = await json("GET", `/api/uploads/${id}`, token);
    if (at.status !== 200) return { ok: false, message: errorText(at.body) };
    if (at.body.state !== "receiving") return { ok: at.body.state === "clean" || at.body.state === "held",
      receipt: at.body, message: at.body.why_vi };
    offset = at.body.offset;
  }
  return { ok: false, message: "Không tải được tệp lên sau nhiều lần thử: vui lòng kiểm tra kết nối mạng và thử lại." };
}

function errorText(body) {
  const e = body && body.error;
  return (e && (e.message_vi || e.message)) || "Không tải được tệp lên: vui lòng thử lại.";
}
