/* wire.c — see wire.h. */
#include "api/wire.h"

#include "base/error.h"

#include <msgpack.h>
#include <stdio.h>
#include <string.h>

static json_t *from_msgpack(const msgpack_object *o, int depth, char *why, size_t size) {
  if (depth > WIRE_MAX_DEPTH) {
    snprintf(why, size, "nested deeper than %d levels", WIRE_MAX_DEPTH);
    return NULL;
  }
  switch (o->type) {
  case MSGPACK_OBJECT_NIL: return json_null();
  case MSGPACK_OBJECT_BOOLEAN: return json_boolean(o->via.boolean);
  case MSGPACK_OBJECT_POSITIVE_INTEGER:
    if (o->via.u64 > (uint64_t)INT64_MAX) {
      snprintf(why, size, "the integer %llu is too large", (unsigned long long)o->via.u64);
      return NULL;
    }
    return json_integer((json_int_t)o->via.u64);
  case MSGPACK_OBJECT_NEGATIVE_INTEGER: return json_integer((json_int_t)o->via.i64);
  case MSGPACK_OBJECT_FLOAT32:
  case MSGPACK_OBJECT_FLOAT64: {
    json_t *r = json_real(o->via.f64);
    if (r == NULL)
      snprintf(why, size, "a number that is not finite (NaN or infinity)");
    return r;
  }
  case MSGPACK_OBJECT_STR: {
    json_t *s = memchr(o->via.str.ptr, 0, o->via.str.size) ? NULL : json_stringn(o->via.str.ptr, o->via.str.size);
    if (s == NULL)
      snprintf(why, size, "a text that is not UTF-8 or holds a NUL");
    return s;
  }
  case MSGPACK_OBJECT_ARRAY: {
    json_t *a = json_array();
    for (uint32_t i = 0; a && i < o->via.array.size; i++) {
      json_t *v = from_msgpack(&o->via.array.ptr[i], depth + 1, why, size);
      if (v == NULL || json_array_append_new(a, v)) {
        if (v != NULL)
          snprintf(why, size, "out of memory");
        json_decref(a);
        return NULL;
      }
    }
    return a;
  }
  case MSGPACK_OBJECT_MAP: {
    json_t *m = json_object();
    for (uint32_t i = 0; m && i < o->via.map.size; i++) {
      const msgpack_object *k = &o->via.map.ptr[i].key;
      if (k->type != MSGPACK_OBJECT_STR) {
        snprintf(why, size, "a map key that is not text");
        json_decref(m);
        return NULL;
      }
      char key[256];
      if (k->via.str.size >= sizeof key || memchr(k->via.str.ptr, 0, k->via.str.size)) {
        snprintf(why, size, "a map key longer than 255 bytes or holding a NUL");
        json_decref(m);
        return NULL;
      }
      memcpy(key, k->via.str.ptr, k->via.str.size);
      key[k->via.str.size] = '\0';
      json_t *valid = json_stringn(key, k->via.str.size);
      if (valid == NULL) {
        snprintf(why, size, "a map key that is not UTF-8");
        json_decref(m);
        return NULL;
      }
      json_decref(valid);
      if (json_object_get(m, key)) {
        snprintf(why, size, "the key \"%s\" twice", key);
        json_decref(m);
        return NULL;
      }
      json_t *v = from_msgpack(&o->via.map.ptr[i].val, depth + 1, why, size);
      if (v == NULL || json_object_set_new(m, key, v)) {
        if (v != NULL)
          snprintf(why, size, "out of memory");
        json_decref(m);
        return NULL;
      }
    }
    return m;
  }
  default:
    snprintf(why, size, "a msgpack binary or extension value, which the protocol does not use");
    return NULL;
  }
}

/* The same depth limit for JSON as for msgpack (jansson's own is 2048). */
static bool depth_ok(const json_t *v, int depth) {
  if (depth > WIRE_MAX_DEPTH)
    return false;
  size_t i;
  const char *k;
  json_t *e;
  if (json_is_array(v))
    json_array_foreach((json_t *)v, i, e) if (!depth_ok(e, depth + 1)) return false;
  if (json_is_object(v))
    json_object_foreach((json_t *)v, k, e) if (!depth_ok(e, depth + 1)) return false;
  return true;
}

/* ------------------------------------------------------------ declared sizes */

/* msgpack-c allocates for a container as soon as it reads its count: a
 * 5-byte frame declaring 2^32-1 items asked for 128 GB.  So every count a
 * frame declares (items, entries) is checked against what the frame still
 * holds — each takes a byte at least — before msgpack-c reads it.  Anything else odd (a value cut short, a byte no format uses) stops
 * the walk: msgpack-c then says what is wrong, as before. */
typedef struct walk {
  const uint8_t *start, *p, *end;
  char *why;
  size_t size;
  bool too_big;
} walk;

static uint64_t be_n(const uint8_t *p, int n) {
  uint64_t x = 0;
  for (int i = 0; i < n; i++)
    x = x << 8 | p[i];
  return x;
}

/* Whether `n` declared things of at least `per` bytes each fit in the rest. */
static bool fits(walk *w, const uint8_t *at, uint64_t n, size_t per, const char *what) {
  if (n <= (uint64_t)(w->end - w->p) / per)
    return true;
  snprintf(w->why, w->size, "the message declares %llu %s at byte %zu, but the frame holds only %zu more bytes",
           (unsigned long long)n, what, (size_t)(at - w->start), (size_t)(w->end - w->p));
  w->too_big = true;
  return false;
}

/* Reads an n-byte size after the type byte; false when cut short. */
static bool size_of(walk *w, int n, uint64_t *out) {
  if (w->end - w->p < 1 + n)
    return false;
  *out = be_n(w->p + 1, n);
  w->p += 1 + n;
  return true;
}

static bool walk_value(walk *w, int depth);

static bool walk_items(walk *w, const uint8_t *at, uint64_t n, bool map, int depth) {
  if (!fits(w, at, n, 1, map ? "entries" : "items")) /* at least a byte each: msgpack-c's allocation stays
                                                        within the frame's length times a constant */
    return false;
  for (uint64_t i = 0; i < (map ? 2 * n : n); i++)
    if (!walk_value(w, depth + 1))
      return false;
  return true;
}

/* Texts and bytes are read where they lie (msgpack-c allocates nothing for
 * them): one cut short is msgpack-c's to name. */
static bool skip_bytes(walk *w, uint64_t n) {
  if (n > (uint64_t)(w->end - w->p))
    return false;
  w->p += n;
  return true;
}

/* False: stop (a size too big, or something msgpack-c will name). */
static bool walk_value(walk *w, int depth) {
  const uint8_t *at = w->p;
  uint64_t n;
  if (w->p >= w->end || depth > 2 * WIRE_MAX_DEPTH)
    return false;
  uint8_t t = *w->p;
  if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
    w->p++;
    return true;
  }
  if (t <= 0x8f || (t >= 0x90 && t <= 0x9f)) {
    w->p++;
    return walk_items(w, at, t & 0x0f, t <= 0x8f, depth);
  }
  if (t <= 0xbf) {
    w->p++;
    return skip_bytes(w, t & 0x1f);
  }
  switch (t) {
  case 0xc4: case 0xc5: case 0xc6: /* bin */
    return size_of(w, 1 << (t - 0xc4), &n) && skip_bytes(w, n);
  case 0xd9: case 0xda: case 0xdb: /* str */
    return size_of(w, 1 << (t - 0xd9), &n) && skip_bytes(w, n);
  case 0xc7: case 0xc8: case 0xc9: /* ext: a type byte, then the data */
    return size_of(w, 1 << (t - 0xc7), &n) && skip_bytes(w, n + 1);
  case 0xdc: case 0xdd: /* array 16, 32 */
    return size_of(w, t == 0xdc ? 2 : 4, &n) && walk_items(w, at, n, false, depth);
  case 0xde: case 0xdf: /* map 16, 32 */
    return size_of(w, t == 0xde ? 2 : 4, &n) && walk_items(w, at, n, true, depth);
  case 0xca: return skip_bytes(w, 5);
  case 0xcb: return skip_bytes(w, 9);
  case 0xcc: case 0xcd: case 0xce: case 0xcf: return skip_bytes(w, 1 + (1u << (t - 0xcc)));
  case 0xd0: case 0xd1: case 0xd2: case 0xd3: return skip_bytes(w, 1 + (1u << (t - 0xd0)));
  case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return skip_bytes(w, 2 + (1u << (t - 0xd4)));
  default: return false; /* 0xc1: no format */
  }
}

json_t *srv_wire_decode(const void *data, size_t len, bool binary, char *why, size_t size) {
  json_t *v = NULL;
  snprintf(why, size, "the message cannot be read");
  if (!binary) {
    json_error_t err;
    v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (v == NULL) {
      snprintf(why, size, "malformed JSON at line %d, column %d: %s", err.line, err.column, err.text);
      return NULL;
    }
    if (!depth_ok(v, 0)) {
      snprintf(why, size, "nested deeper than %d levels", WIRE_MAX_DEPTH);
      json_decref(v);
      return NULL;
    }
  } else {
    walk w = {data, data, (const uint8_t *)data + len, why, size, false};
    walk_value(&w, 0);
    if (w.too_big)
      return NULL;
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    msgpack_unpack_return r = msgpack_unpack_next(&u, data, len, &off);
    if (r != MSGPACK_UNPACK_SUCCESS)
      snprintf(why, size, "malformed msgpack (%s at byte %zu)", r == MSGPACK_UNPACK_CONTINUE ? "cut short" : "invalid", off);
    else if (off != len)
      snprintf(why, size, "%zu bytes after the message's msgpack value: one message per frame", len - off);
    else
      v = from_msgpack(&u.data, 0, why, size);
    msgpack_unpacked_destroy(&u);
    if (v == NULL)
      return NULL;
  }
  if (!json_is_object(v)) {
    snprintf(why, size, "a message is an object (a map with text keys)");
    json_decref(v);
    return NULL;
  }
  return v;
}

static int buf_write(void *data, const char *bytes, size_t len) {
  return mc_buf_append((mc_buf *)data, bytes, len) ? -1 : 0;
}

static int to_msgpack(msgpack_packer *pk, const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_NULL: return msgpack_pack_nil(pk);
  case JSON_TRUE: return msgpack_pack_true(pk);
  case JSON_FALSE: return msgpack_pack_false(pk);
  case JSON_INTEGER: return msgpack_pack_int64(pk, json_integer_value(v));
  case JSON_REAL: return msgpack_pack_double(pk, json_real_value(v));
  case JSON_STRING: {
    size_t n = json_string_length(v);
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, json_string_value(v), n);
  }
  case JSON_ARRAY: {
    size_t i;
    json_t *e;
    if (msgpack_pack_array(pk, json_array_size(v)))
      return -1;
    json_array_foreach(v, i, e) if (to_msgpack(pk, e)) return -1;
    return 0;
  }
  case JSON_OBJECT: {
    const char *k;
    json_t *e;
    if (msgpack_pack_map(pk, json_object_size(v)))
      return -1;
    json_object_foreach((json_t *)v, k, e) {
      size_t n = strlen(k);
      if (msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, k, n) || to_msgpack(pk, e))
        return -1;
    }
    return 0;
  }
  }
  return -1;
}

static int dump_cb(const char *buffer, size_t size, void *data) {
  return mc_buf_append((mc_buf *)data, buffer, size) ? -1 : 0;
}

int srv_wire_encode(const json_t *msg, bool binary, mc_buf *out) {
  if (!binary)
    return json_dump_callback(msg, dump_cb, out, JSON_COMPACT | JSON_PRESERVE_ORDER) ? MC_ENOMEM : 0;
  msgpack_packer pk;
  msgpack_packer_init(&pk, out, buf_write);
  return to_msgpack(&pk, msg) ? MC_ENOMEM : 0;
}

int srv_wire_map(const json_t *map, const char *field, mc_buf *out, char *why, size_t size) {
  if (!json_is_object(map)) {
    snprintf(why, size, "\"%s\" is an object of %s", field,
             !strcmp(field, "form") ? "the procedure's fields" : "field name to value");
    return MC_EINVAL;
  }
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)map, k, v) {
    if (!json_is_string(v) && !json_is_integer(v) && !json_is_boolean(v) && !json_is_null(v)) {
      snprintf(why, size, "%s.%s: a field is a text, a whole number or true/false", field, k);
      return MC_EINVAL;
    }
  }
  msgpack_packer pk;
  msgpack_packer_init(&pk, out, buf_write);
  return to_msgpack(&pk, map) ? MC_ENOMEM : 0;
}

int srv_wire_form(const json_t *form, mc_buf *out, char *why, size_t size) {
  return srv_wire_map(form, "form", out, why, size);
}

bool srv_wire_field_in(const char *list, const char *key) {
  size_t n = strlen(key);
  for (const char *f = list; f && *f;) {
    const char *comma = strchr(f, ',');
    size_t len = comma ? (size_t)(comma - f) : strlen(f);
    if (len == n && !strncmp(f, key, n))
      return true;
    f = comma ? comma + 1 : f + len;
  }
  return false;
}
