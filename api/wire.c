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

int srv_wire_form(const json_t *form, mc_buf *out, char *why, size_t size) {
  if (!json_is_object(form)) {
    snprintf(why, size, "\"form\" is an object of the procedure's fields");
    return MC_EINVAL;
  }
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)form, k, v) {
    if (!json_is_string(v) && !json_is_integer(v) && !json_is_boolean(v) && !json_is_null(v)) {
      snprintf(why, size, "form.%s: a field is a text, a whole number or true/false", k);
      return MC_EINVAL;
    }
  }
  msgpack_packer pk;
  msgpack_packer_init(&pk, out, buf_write);
  return to_msgpack(&pk, form) ? MC_ENOMEM : 0;
}
