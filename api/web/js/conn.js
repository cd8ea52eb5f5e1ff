// conn.js — the one WebSocket of a tab (docs/PROTOCOL.md "WebSocket /ws"):
// says hello with the session's token, matches replies to requests by id,
// takes frames that are one message or a batch (an array), hands pushes to
// their subscription's handler, and when the connection is lost shows it,
// reconnects with a growing pause and resubscribes from the last `seq` each
// subscription saw — nothing typed on the page is lost meanwhile.
export class Connection {
  constructor(token, { onStatus = () => {}, onRevoked = () => {} } = {}) {
    this.token = token;
    this.onStatus = onStatus;
    this.onRevoked = onRevoked;
    this.pending = new Map();   // id -> {resolve, reject}
    this.subs = new Map();      // our key -> {fields, handler, seq, id (the server's)}
    this.nextId = 1;
    this.queue = [];            // requests waiting for the connection
    this.retry = 500;
    this.closed = false;
    this.open();
  }

  open() {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.ready = false;
    ws.onopen = async () => {
      const hello = await this.send({ op: "hello", token: this.token, lang: "vi" }, true);
      if (!hello.ok) {
        this.onRevoked(hello.error);
        return;
      }
      this.ready = true;
      this.retry = 500;
      this.onStatus("online");
      for (const [key, s] of this.subs) this.resubscribe(key, s);
      const waiting = this.queue;
      this.queue = [];
      for (const w of waiting) this.transmit(w);
    };
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      for (const m of Array.isArray(msg) ? msg : [msg]) this.dispatch(m);
    };
    ws.onclose = () => {
      this.ready = false;
      for (const [, p] of this.pending) p.reject(new Error("lost"));
      this.pending.clear();
      if (this.closed) return;
      this.onStatus("offline");
      setTimeout(() => this.open(), this.retry);
      this.retry = Math.min(this.retry * 2, 15000);
    };
  }

  dispatch(m) {
    if (m.push) {
      if (m.push === "revoked") {
        this.closed = true;
        this.onRevoked(m);
        return;
      }
      for (const [, s] of this.subs) {
        if (s.id !== m.subscription) continue;
        if (m.seq) s.seq = Math.max(s.seq, m.seq);
        s.handler(m);
      }
      return;
    }
    const p = this.pending.get(String(m.id));
    if (p) {
      this.pending.delete(String(m.id));
      p.resolve(m);
    }
  }

  transmit({ msg, resolve, reject }) {
    this.pending.set(msg.id, { resolve, reject });
    this.ws.send(JSON.stringify(msg));
  }

  // A request's reply (ok or not); before the hello, it waits for the connection.
  send(fields, now = false) {
    return new Promise((resolve, reject) => {
      const msg = { ...fields, id: `c${this.nextId++}` };
      const w = { msg, resolve, reject };
      if (now || this.ready) this.transmit(w);
      else this.queue.push(w);
    });
  }

  async request(op, fields = {}) {
    return this.send({ op, ...fields });
  }

  // A subscription that survives reconnections, resumed after the last seq seen.
  async subscribe(key, fields, handler) {
    const s = { fields, handler, seq: 0, id: null };
    this.subs.set(key, s);
    if (this.ready) await this.resubscribe(key, s);
    return s;
  }

  async resubscribe(key, s) {
    const r = await this.send({ op: "subscribe", ...s.fields, ...(s.seq ? { after: s.seq } : {}) }, true);
    if (r.ok) {
      s.id = r.subscription;
      if (!s.seq) s.seq = r.head || 0;
    }
    return r;
  }

  // Ends a subscription (its pushes stop); nothing if there is none.
  async unsubscribe(key) {
    const s = this.subs.get(key);
    this.subs.delete(key);
    if (s && s.id && this.ready) await this.send({ op: "unsubscribe", subscription: s.id });
  }

  close() {
    this.closed = true;
    this.ws.close();
  }
}
