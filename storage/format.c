/* format.c — the event record: canonical encoding and a strict decoder.
 *
 * The layout is documented in store-int.h next to STORE_FORMAT_VERSION.  The
 * encoder goes through base/canon.h so the bytes are canonical by
 * construction; the decoder is a small hand-written msgpack reader for this
 * one layout, returning views into the stored bytes (no allocation), because
 * replaying the log is the path a restart and an audit wait on.
 */
#include "store-int.h"

#include "base/canon.h"
#include "base/text.h"

#include <string.h>

bool store__name_ok(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n > 32)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  }
  return true;
}

void store_event_hash(const store_event *ev, uint8_t out[MC_SHA256_BYTES]) {
  mc_sha256_digest(ev->record, ev->record_len, out);
}

/* ============================================================ encoding */

static void opt_str(mc_canon *w, const char *key, const char *s) {
  mc_canon_key(w, key);
  if (s)
    mc_canon_cstr(w, s);
  else
    mc_canon_nil(w);
}

static int check_id(store *st, const char *what, const char *s, bool required) {
  size_t n = s ? strlen(s) : 0;
  if ((required && n == 0) || n > STORE_MAX_ID) {
    store__set_errmsg(st, "the event's %s must be 1 to %d bytes long", what, STORE_MAX_ID);
    return MC_EINVAL;
  }
  return 0;
}

int store__record_encode(store *st, const store_event_in *in, const char *stream, uint64_t seq,
                         uint64_t version, const char *command_id,
                         const uint8_t prev[MC_SHA256_BYTES], mc_buf *out) {
  int rc;
  size_t where = 0;

  if ((rc = check_id(st, "type", in->type, true)) || (rc = check_id(st, "stream", stream, true)) ||
      (rc = check_id(st, "causation id", in->causation, false)) ||
      (rc = check_id(st, "correlation id", in->correlation, false)) ||
      (rc = check_id(st, "command id", command_id, false)))
    return rc;
  if (in->data == NULL || in->data_len == 0 || in->data_len > STORE_MAX_DATA) {
    store__set_errmsg(st, "the event's data must be one msgpack value of at most %u bytes",
                      STORE_MAX_DATA);
    return MC_EINVAL;
  }
  if (mc_canon_verify(in->data, in->data_len, &where) != 0) {
    store__set_errmsg(st, "the event's data is not canonical msgpack (byte %zu); encode it with "
                          "base/canon.h", where);
    return MC_EPARSE;
  }

  mc_buf_reset(out);
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 13);
  mc_canon_key(&w, "actor");
  mc_canon_map(&w, 3);
  mc_canon_kv_str(&w, "client", in->actor.client ? in->actor.client : "");
  mc_canon_kv_str(&w, "role", in->actor.role ? in->actor.role : "");
  mc_canon_kv_str(&w, "who", in->actor.who ? in->actor.who : "");
  opt_str(&w, "cause", in->causation);
  opt_str(&w, "cmd", command_id);
  opt_str(&w, "corr", in->correlation);
  mc_canon_key(&w, "data");
  mc_canon_bin(&w, in->data, in->data_len);
  mc_canon_key(&w, "defn");
  if (in->definition_hash)
    mc_canon_bin(&w, in->definition_hash, MC_SHA256_BYTES);
  else
    mc_canon_nil(&w);
  mc_canon_key(&w, "fmt");
  mc_canon_uint(&w, STORE_FORMAT_VERSION);
  mc_canon_key(&w, "prev");
  mc_canon_bin(&w, prev, MC_SHA256_BYTES);
  mc_canon_key(&w, "seq");
  mc_canon_uint(&w, seq);
  mc_canon_kv_str(&w, "stream", stream);
  mc_canon_kv_int(&w, "time", in->time);
  mc_canon_kv_str(&w, "type", in->type);
  mc_canon_key(&w, "ver");
  mc_canon_uint(&w, version);
  rc = mc_canon_finish(&w);
  if (rc == MC_EPARSE)
    store__set_errmsg(st, "a text field of the event is not valid UTF-8");
  return rc;
}

/* ============================================================ decoding */

typedef struct reader {
  const uint8_t *p, *end;
} reader;

static int need(reader *r, size_t n) { return (size_t)(r->end - r->p) < n ? MC_ECORRUPT : 0; }

static uint64_t take_be(reader *r, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++)
    v = v << 8 | r->p[i];
  r->p += n;
  return v;
}

/* A string (or nil, giving {NULL, 0}). */
static int read_str(reader *r, store_str *out, bool nil_ok) {
  uint64_t len;
  if (need(r, 1))
    return MC_ECORRUPT;
  uint8_t t = *r->p++;
  if (t == 0xc0 && nil_ok) {
    *out = (store_str){NULL, 0};
    return 0;
  }
  if ((t & 0xe0) == 0xa0)
    len = t & 0x1f;
  else if (t == 0xd9 && !need(r, 1))
    len = take_be(r, 1);
  else if (t == 0xda && !need(r, 2))
    len = take_be(r, 2);
  else
    return MC_ECORRUPT;
  if (need(r, len))
    return MC_ECORRUPT;
  out->ptr = (const char *)r->p;
  out->len = len;
  r->p += len;
  return 0;
}

static int read_bin(reader *r, const uint8_t **bytes, size_t *len, bool nil_ok) {
  uint64_t n;
  if (need(r, 1))
    return MC_ECORRUPT;
  uint8_t t = *r->p++;
  if (t == 0xc0 && nil_ok) {
    *bytes = NULL;
    *len = 0;
    return 0;
  }
  if (t == 0xc4 && !need(r, 1))
    n = take_be(r, 1);
  else if (t == 0xc5 && !need(r, 2))
    n = take_be(r, 2);
  else if (t == 0xc6 && !need(r, 4))
    n = take_be(r, 4);
  else
    return MC_ECORRUPT;
  if (need(r, n))
    return MC_ECORRUPT;
  *bytes = r->p;
  *len = n;
  r->p += n;
  return 0;
}

static int read_int(reader *r, int64_t *out) {
  if (need(r, 1))
    return MC_ECORRUPT;
  uint8_t t = *r->p++;
  if (t <= 0x7f) {
    *out = t;
    return 0;
  }
  if (t >= 0xe0) {
    *out = (int8_t)t;
    return 0;
  }
  static const int widths[] = {1, 2, 4, 8}; /* 0xcc..0xcf unsigned, 0xd0..0xd3 signed */
  if (t >= 0xcc && t <= 0xd3) {
    int n = widths[(t - 0xcc) & 3];
    if (need(r, (size_t)n))
      return MC_ECORRUPT;
    uint64_t v = take_be(r, n);
    if (t <= 0xcf) {
      if (v > INT64_MAX)
        return MC_ECORRUPT;
      *out = (int64_t)v;
    } else {
      int shift = 64 - 8 * n; /* sign-extend */
      *out = (int64_t)(v << shift) >> shift;
    }
    return 0;
  }
  return MC_ECORRUPT;
}

static int read_uint(reader *r, uint64_t *out) {
  if (need(r, 1))
    return MC_ECORRUPT;
  uint8_t t = *r->p;
  if (t == 0xcf) { /* beyond int64 */
    r->p++;
    if (need(r, 8))
      return MC_ECORRUPT;
    *out = take_be(r, 8);
    return 0;
  }
  int64_t v;
  int rc = read_int(r, &v);
  if (rc || v < 0)
    return MC_ECORRUPT;
  *out = (uint64_t)v;
  return 0;
}

static int read_map(reader *r, uint32_t *n) {
  if (need(r, 1))
    return MC_ECORRUPT;
  uint8_t t = *r->p++;
  if ((t & 0xf0) == 0x80)
    *n = t & 0x0f;
  else if (t == 0xde && !need(r, 2))
    *n = (uint32_t)take_be(r, 2);
  else
    return MC_ECORRUPT;
  return 0;
}

/* Skips any one value (for keys of a newer format). */
static int skip_value(reader *r, int depth) {
  if (depth > 32 || need(r, 1))
    return MC_ECORRUPT;
  uint8_t t = *r->p;
  uint64_t n = 0, items = 0;
  if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
    r->p++;
    return 0;
  }
  if ((t & 0xe0) == 0xa0 || t == 0xd9 || t == 0xda || t == 0xdb) {
    store_str s;
    if (t == 0xdb) { /* str32 */
      r->p++;
      if (need(r, 4))
        return MC_ECORRUPT;
      n = take_be(r, 4);
      if (need(r, n))
        return MC_ECORRUPT;
      r->p += n;
      return 0;
    }
    return read_str(r, &s, false);
  }
  if (t == 0xc4 || t == 0xc5 || t == 0xc6) {
    const uint8_t *b;
    size_t len;
    return read_bin(r, &b, &len, false);
  }
  if (t >= 0xcc && t <= 0xd3) {
    int64_t v;
    uint64_t u;
    return t == 0xcf ? read_uint(r, &u) : read_int(r, &v);
  }
  r->p++;
  if ((t & 0xf0) == 0x80)
    items = 2 * (uint64_t)(t & 0x0f);
  else if ((t & 0xf0) == 0x90)
    items = t & 0x0f;
  else if ((t == 0xdc || t == 0xde) && !need(r, 2))
    items = take_be(r, 2) * (t == 0xde ? 2 : 1);
  else if ((t == 0xdd || t == 0xdf) && !need(r, 4))
    items = take_be(r, 4) * (t == 0xdf ? 2 : 1);
  else
    return MC_ECORRUPT;
  for (uint64_t i = 0; i < items; i++)
    if (skip_value(r, depth + 1))
      return MC_ECORRUPT;
  return 0;
}

static bool key_is(store_str k, const char *name) {
  size_t n = strlen(name);
  return k.len == n && memcmp(k.ptr, name, n) == 0;
}

static int read_actor(reader *r, store_event *ev) {
  uint32_t n;
  store_str k;
  if (read_map(r, &n) || n != 3)
    return MC_ECORRUPT;
  if (read_str(r, &k, false) || !key_is(k, "client") || read_str(r, &ev->client, false) ||
      read_str(r, &k, false) || !key_is(k, "role") || read_str(r, &ev->role, false) ||
      read_str(r, &k, false) || !key_is(k, "who") || read_str(r, &ev->who, false))
    return MC_ECORRUPT;
  return 0;
}

int store__record_decode(const uint8_t *rec, size_t len, uint64_t seq, store_event *ev) {
  reader r = {rec, rec + len};
  uint32_t n;
  bool unknown = false;
  unsigned seen = 0;
  size_t plen = 0, hlen = 0;

  memset(ev, 0, sizeof *ev);
  ev->record = rec;
  ev->record_len = len;
  if (read_map(&r, &n))
    return MC_ECORRUPT;
  if (n != 13)
    unknown = true; /* a key twice, or one missing: not this format */
  for (uint32_t i = 0; i < n; i++) {
    store_str k;
    int rc;
    if (read_str(&r, &k, false))
      return MC_ECORRUPT;
    /* Keys in the documented order; each sets one bit. */
    if (key_is(k, "actor")) rc = read_actor(&r, ev), seen |= 1u << 0;
    else if (key_is(k, "cause")) rc = read_str(&r, &ev->causation, true), seen |= 1u << 1;
    else if (key_is(k, "cmd")) rc = read_str(&r, &ev->command, true), seen |= 1u << 2;
    else if (key_is(k, "corr")) rc = read_str(&r, &ev->correlation, true), seen |= 1u << 3;
    else if (key_is(k, "data")) rc = read_bin(&r, &ev->data, &ev->data_len, false), seen |= 1u << 4;
    else if (key_is(k, "defn")) rc = read_bin(&r, &ev->definition_hash, &hlen, true), seen |= 1u << 5;
    else if (key_is(k, "fmt")) rc = read_uint(&r, &ev->format), seen |= 1u << 6;
    else if (key_is(k, "prev")) rc = read_bin(&r, &ev->prev, &plen, false), seen |= 1u << 7;
    else if (key_is(k, "seq")) rc = read_uint(&r, &ev->seq), seen |= 1u << 8;
    else if (key_is(k, "stream")) rc = read_str(&r, &ev->stream, false), seen |= 1u << 9;
    else if (key_is(k, "time")) rc = read_int(&r, &ev->time), seen |= 1u << 10;
    else if (key_is(k, "type")) rc = read_str(&r, &ev->type, false), seen |= 1u << 11;
    else if (key_is(k, "ver")) rc = read_uint(&r, &ev->version), seen |= 1u << 12;
    else rc = skip_value(&r, 0), unknown = true;
    if (rc)
      return MC_ECORRUPT;
  }
  if ((seen & (1u << 6)) && ev->format > STORE_FORMAT_VERSION)
    return MC_EFORMAT;
  if (unknown || seen != 0x1fff || r.p != r.end || ev->format != STORE_FORMAT_VERSION ||
      plen != MC_SHA256_BYTES || (ev->definition_hash && hlen != MC_SHA256_BYTES) ||
      ev->seq != seq || ev->version == 0 || ev->stream.len == 0 || ev->type.len == 0)
    return MC_ECORRUPT;
  return 0;
}
