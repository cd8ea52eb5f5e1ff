// http.js — the HTTP side of the protocol (docs/PROTOCOL.md "HTTP"): JSON in
// and out, errors as thrown objects carrying the server's error (its
// message_vi when it has one).
export class ApiError extends Error {
  constructor(status, error) {
    super((error && (error.message_vi || error.message)) || `HTTP ${status}`);
    this.status = status;
    this.error = error || {};
  }
}

export async function getJSON(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, body && body.error);
  return body;
}
