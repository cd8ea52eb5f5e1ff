/* canon.c — see canon.h. */
#include "canon.h"

#include "error.h"
#include "text.h"

#include <msgpack.h>
#include <string.h>

static int write_to_buf(void *data, const char *bytes, size_t len) {
  return mc_buf_append(data, bytes, len) == 0 ? 0 : -1;
}

void mc_canon_init(mc_canon *w, mc_buf *out) {
  memset(w, 0, sizeof *w);
  w->out = out;
}

static void set_err(mc_canon *w, int err) {
  if (w->err == 0)
    w->err = err;
}

/* Accounts for one value about to be written at the current level. */
static bool begin_value(mc_canon *w, bool is_key) {
  if (w->err)
    return false;
  if (w->depth == 0) {
    if (w->top_written) {
      set_err(w, MC_EINVAL); /* a second top-level value */
      return false;
    }
    w->top_written = true;
    return true;
  }
  mc_canon_level *l = &w->level[w->depth - 1];
  if (l->remaining == 0) {
    set_err(w, MC_EINVAL); /* more values than announced */
    return false;
  }
  /* In a map, even positions are keys. */
  if (l->is_map && ((l->remaining % 2 == 0) != is_key)) {
    set_err(w, MC_EINVAL);
    return false;
  }
  l->remaining--;
  return true;
}

/* Closes finished containers. */
static void end_value(mc_canon *w) {
  while (w->depth > 0 && w->level[w->depth - 1].remaining == 0)
    w->depth--;
}

static msgpack_packer packer(mc_canon *w) {
  msgpack_packer pk;
  msgpack_packer_init(&pk, w->out, write_to_buf);
  return pk;
}

static void check(mc_canon *w, int rc) {
  if (rc != 0)
    set_err(w, MC_ENOMEM);
}

static void open_container(mc_canon *w, uint32_t n, bool is_map) {
  msgpack_packer pk = packer(w);
  if (!begin_value(w, false))
    return;
  if (w->depth == MC_CANON_MAX_DEPTH) {
    set_err(w, MC_ETOOBIG);
    return;
  }
  check(w, is_map ? msgpack_pack_map(&pk, n) : msgpack_pack_array(&pk, n));
  if (n == 0) {
    end_value(w);
    return;
  }
  w->level[w->depth++] = (mc_canon_level){is_map ? n * 2 : n, is_map, SIZE_MAX, 0};
}

void mc_canon_map(mc_canon *w, uint32_t npairs) {
  if (npairs > UINT32_MAX / 2) {
    set_err(w, MC_ETOOBIG);
    return;
  }
  open_container(w, npairs, true);
}

void mc_canon_array(mc_canon *w, uint32_t n) { open_container(w, n, false); }

void mc_canon_key(mc_canon *w, const char *key) { mc_canon_key_n(w, key, strlen(key)); }

void mc_canon_key_n(mc_canon *w, const char *key, size_t len) {
  msgpack_packer pk = packer(w);
  if (w->err)
    return;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)key[i] >= 0x80 || key[i] < 0x20) {
      set_err(w, MC_EINVAL);
      return;
    }
  if (w->depth == 0 || !w->level[w->depth - 1].is_map) {
    set_err(w, MC_EINVAL);
    return;
  }
  mc_canon_level *l = &w->level[w->depth - 1];
  if (l->last_key_off != SIZE_MAX) {
    size_t n = l->last_key_len < len ? l->last_key_len : len;
    int c = memcmp(w->out->data + l->last_key_off, key, n);
    if (c > 0 || (c == 0 && l->last_key_len >= len)) {
      set_err(w, MC_EINVAL); /* not strictly ascending */
      return;
    }
  }
  if (!begin_value(w, true))
    return;
  check(w, msgpack_pack_str(&pk, len));
  l->last_key_off = w->out->len;
  l->last_key_len = len;
  check(w, msgpack_pack_str_body(&pk, key, len));
}

void mc_canon_int(mc_canon *w, int64_t v) {
  msgpack_packer pk = packer(w);
  if (!begin_value(w, false))
    return;
  check(w, msgpack_pack_int64(&pk, v));
  end_value(w);
}

void mc_canon_uint(mc_canon *w, uint64_t v) {
  msgpack_packer pk = packer(w);
  if (!begin_value(w, false))
    return;
  check(w, msgpack_pack_uint64(&pk, v));
  end_value(w);
}

void mc_canon_bool(mc_canon *w, bool v) {
  msgpack_packer pk = packer(w);
  if (!begin_value(w, false))
    return;
  check(w, v ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk));
  end_value(w);
}

void mc_canon_nil(mc_canon *w) {
  msgpack_packer pk = packer(w);
  if (!begin_value(w, false))
    return;
  check(w, msgpack_pack_nil(&pk));
  end_value(w);
}

void mc_canon_str(mc_canon *w, const char *s, size_t len) {
  msgpack_packer pk = packer(w);
  mc_buf nfc = MC_BUF_INIT;
  int rc;
  if (!begin_value(w, false))
    return;
  rc = mc_text_nfc(s, len, &nfc);
  if (rc == 0) {
    check(w, msgpack_pack_str(&pk, nfc.len));
    check(w, msgpack_pack_str_body(&pk, nfc.data ? (const char *)nfc.data : "", nfc.len));
  } else {
    set_err(w, rc);
  }
  mc_buf_free(&nfc);
  end_value(w);
}

void mc_canon_cstr(mc_canon *w, const char *s) { mc_canon_str(w, s, strlen(s)); }

void mc_canon_bin(mc_canon *w, const void *bytes, size_t len) {
  msgpack_packer pk = packer(w);
  if (!begin_value(w, false))
    return;
  check(w, msgpack_pack_bin(&pk, len));
  check(w, msgpack_pack_bin_body(&pk, bytes, len));
  end_value(w);
}

void mc_canon_kv_int(mc_canon *w, const char *key, int64_t v) {
  mc_canon_key(w, key);
  mc_canon_int(w, v);
}

void mc_canon_kv_str(mc_canon *w, const char *key, const char *s) {
  mc_canon_key(w, key);
  mc_canon_cstr(w, s);
}

void mc_canon_kv_bool(mc_canon *w, const char *key, bool v) {
  mc_canon_key(w, key);
  mc_canon_bool(w, v);
}

int mc_canon_finish(mc_canon *w) {
  if (w->err)
    return w->err;
  if (!w->top_written || w->depth != 0)
    return MC_EINVAL;
  return 0;
}

/* ============================================================ verification */

typedef struct vstate {
  const uint8_t *p, *start, *end;
  size_t bad; /* offset of the first offending byte */
} vstate;

static int bad_at(vstate *v, const uint8_t *at) {
  v->bad = (size_t)(at - v->start);
  return MC_EPARSE;
}

static int need(vstate *v, size_t n) { return (size_t)(v->end - v->p) < n ? bad_at(v, v->p) : 0; }

static uint64_t be(const uint8_t *p, int n) {
  uint64_t x = 0;
  for (int i = 0; i < n; i++)
    x = x << 8 | p[i];
  return x;
}

/* Reads a length-prefixed header of `n` bytes; checks it is the shortest. */
static int read_len(vstate *v, int n, uint64_t min, uint64_t *len) {
  const uint8_t *at = v->p;
  if (need(v, 1 + (size_t)n))
    return MC_EPARSE;
  *len = be(v->p + 1, n);
  v->p += 1 + n;
  return *len < min ? bad_at(v, at) : 0;
}

static int verify_value(vstate *v, int depth, const uint8_t **str, size_t *str_len);

static int verify_str_body(vstate *v, const uint8_t *at, uint64_t len, const uint8_t **str,
                           size_t *str_len) {
  if ((uint64_t)(v->end - v->p) < len)
    return bad_at(v, at);
  if (!mc_text_is_nfc((const char *)v->p, (size_t)len))
    return bad_at(v, at);
  if (str) {
    *str = v->p;
    *str_len = (size_t)len;
  }
  v->p += len;
  return 0;
}

static int verify_container(vstate *v, int depth, uint64_t n, bool is_map) {
  const uint8_t *prev = NULL;
  size_t prev_len = 0;
  if (depth >= MC_CANON_MAX_DEPTH)
    return bad_at(v, v->p);
  for (uint64_t i = 0; i < n; i++) {
    if (is_map) {
      const uint8_t *key = NULL, *at = v->p;
      size_t key_len = 0;
      if (verify_value(v, depth + 1, &key, &key_len)) /* checks it is a string */
        return MC_EPARSE;
      if (prev) {
        size_t m = prev_len < key_len ? prev_len : key_len;
        int c = memcmp(prev, key, m);
        if (c > 0 || (c == 0 && prev_len >= key_len))
          return bad_at(v, at);
      }
      prev = key, prev_len = key_len;
    }
    if (verify_value(v, depth + 1, NULL, NULL))
      return MC_EPARSE;
  }
  return 0;
}

static int verify_value(vstate *v, int depth, const uint8_t **str, size_t *str_len) {
  const uint8_t *at = v->p;
  uint64_t len, x;
  if (need(v, 1))
    return MC_EPARSE;
  uint8_t t = *v->p;
  if (str && !((t & 0xE0) == 0xA0 || t == 0xD9 || t == 0xDA || t == 0xDB))
    return bad_at(v, at); /* a map key must be a string */
  if (t <= 0x7F || t >= 0xE0) { /* fixint */
    v->p++;
    return 0;
  }
  if ((t & 0xF0) == 0x80) { /* fixmap */
    v->p++;
    return verify_container(v, depth, t & 0x0F, true);
  }
  if ((t & 0xF0) == 0x90) { /* fixarray */
    v->p++;
    return verify_container(v, depth, t & 0x0F, false);
  }
  if ((t & 0xE0) == 0xA0) { /* fixstr */
    v->p++;
    return verify_str_body(v, at, t & 0x1F, str, str_len);
  }
  switch (t) {
  case 0xC0: case 0xC2: case 0xC3: /* nil, false, true */
    v->p++;
    return 0;
  case 0xC4: case 0xC5: case 0xC6: { /* bin 8/16/32 */
    static const uint64_t mins[] = {0, 0x100, 0x10000};
    int n = t == 0xC4 ? 1 : t == 0xC5 ? 2 : 4;
    if (read_len(v, n, mins[t - 0xC4], &len))
      return MC_EPARSE;
    if ((uint64_t)(v->end - v->p) < len)
      return bad_at(v, at);
    v->p += len;
    return 0;
  }
  case 0xD9: case 0xDA: case 0xDB: { /* str 8/16/32 */
    static const uint64_t mins[] = {32, 0x100, 0x10000};
    int n = t == 0xD9 ? 1 : t == 0xDA ? 2 : 4;
    if (read_len(v, n, mins[t - 0xD9], &len))
      return MC_EPARSE;
    return verify_str_body(v, at, len, str, str_len);
  }
  case 0xDC: case 0xDD: /* array 16/32 */
    if (read_len(v, t == 0xDC ? 2 : 4, t == 0xDC ? 16 : 0x10000, &len))
      return MC_EPARSE;
    return verify_container(v, depth, len, false);
  case 0xDE: case 0xDF: /* map 16/32 */
    if (read_len(v, t == 0xDE ? 2 : 4, t == 0xDE ? 16 : 0x10000, &len))
      return MC_EPARSE;
    return verify_container(v, depth, len, true);
  case 0xCC: case 0xCD: case 0xCE: case 0xCF: { /* uint 8..64: above the smaller forms */
    static const uint64_t mins[] = {0x80, 0x100, 0x10000, 0x100000000u};
    int n = 1 << (t - 0xCC);
    if (need(v, 1 + (size_t)n))
      return MC_EPARSE;
    x = be(v->p + 1, n);
    v->p += 1 + n;
    return x < mins[t - 0xCC] ? bad_at(v, at) : 0;
  }
  case 0xD0: case 0xD1: case 0xD2: case 0xD3: { /* int 8..64: negative, below the smaller forms */
    static const int64_t maxs[] = {-33, -129, -32769, -2147483649LL};
    int n = 1 << (t - 0xD0);
    if (need(v, 1 + (size_t)n))
      return MC_EPARSE;
    x = be(v->p + 1, n);
    int64_t s = n == 8 ? (int64_t)x : (int64_t)(x << (64 - 8 * n)) >> (64 - 8 * n);
    v->p += 1 + n;
    return s > maxs[t - 0xD0] ? bad_at(v, at) : 0;
  }
  default: /* floats, ext, never-used */
    return bad_at(v, at);
  }
}

int mc_canon_verify(const uint8_t *bytes, size_t len, size_t *where) {
  vstate v = {bytes, bytes, bytes + len, 0};
  int rc = verify_value(&v, 0, NULL, NULL);
  if (rc == 0 && v.p != v.end)
    rc = bad_at(&v, v.p); /* trailing bytes */
  if (rc != 0 && where)
    *where = v.bad;
  return rc;
}

void mc_canon_object(mc_canon *w, const msgpack_object *o) {
  switch (o->type) {
  case MSGPACK_OBJECT_NIL: mc_canon_nil(w); break;
  case MSGPACK_OBJECT_BOOLEAN: mc_canon_bool(w, o->via.boolean); break;
  case MSGPACK_OBJECT_POSITIVE_INTEGER: mc_canon_uint(w, o->via.u64); break;
  case MSGPACK_OBJECT_NEGATIVE_INTEGER: mc_canon_int(w, o->via.i64); break;
  case MSGPACK_OBJECT_STR: mc_canon_str(w, o->via.str.ptr, o->via.str.size); break;
  case MSGPACK_OBJECT_BIN: mc_canon_bin(w, o->via.bin.ptr, o->via.bin.size); break;
  case MSGPACK_OBJECT_ARRAY:
    mc_canon_array(w, o->via.array.size);
    for (uint32_t i = 0; i < o->via.array.size; i++)
      mc_canon_object(w, &o->via.array.ptr[i]);
    break;
  case MSGPACK_OBJECT_MAP:
    mc_canon_map(w, o->via.map.size);
    for (uint32_t i = 0; i < o->via.map.size; i++) {
      const msgpack_object *k = &o->via.map.ptr[i].key;
      if (k->type != MSGPACK_OBJECT_STR) {
        set_err(w, MC_EINVAL);
        return;
      }
      mc_canon_key_n(w, k->via.str.ptr, k->via.str.size);
      mc_canon_object(w, &o->via.map.ptr[i].val);
    }
    break;
  default: set_err(w, MC_EINVAL); /* floats and ext types are never canonical */
  }
}
