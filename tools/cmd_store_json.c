/* cmd_store_json.c — JSON <-> canonical msgpack (see cmd_store_json.h).
 *
 * The export format is a contract with auditors' scripts: its fields and
 * their order are documented in docs/STORAGE.md and only ever added to.
 */
#include "tools/cmd_store_json.h"

#include "engine/engine.h"

#include "tools/cli.h"

#include "base/canon.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/instant.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================ JSON -> msgpack */

static int cmp_keys(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int put_json(mc_canon *w, json_t *j, mc_buf *why, int depth) {
  if (depth > 30) {
    mc_buf_printf(why, "the JSON is nested too deeply");
    return MC_EPARSE;
  }
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    size_t n = json_object_size(j), i = 0;
    const char **keys = calloc(n + 1, sizeof *keys);
    const char *key;
    json_t *val;
    int rc = 0;
    if (keys == NULL)
      return MC_ENOMEM;
    json_object_foreach(j, key, val) keys[i++] = key;
    qsort(keys, n, sizeof *keys, cmp_keys);
    mc_canon_map(w, (uint32_t)n);
    for (i = 0; i < n && rc == 0; i++) {
      for (const char *p = keys[i]; *p; p++)
        if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20) {
          mc_buf_printf(why, "the key \"%s\" is not plain ASCII: keys of event data are "
                             "identifiers", keys[i]);
          rc = MC_EPARSE;
          break;
        }
      if (rc == 0) {
        mc_canon_key(w, keys[i]);
        rc = put_json(w, json_object_get(j, keys[i]), why, depth + 1);
      }
    }
    free(keys);
    return rc;
  }
  case JSON_ARRAY: {
    size_t i;
    json_t *val;
    mc_canon_array(w, (uint32_t)json_array_size(j));
    json_array_foreach(j, i, val) {
      int rc = put_json(w, val, why, depth + 1);
      if (rc)
        return rc;
    }
    return 0;
  }
  case JSON_STRING:
    mc_canon_str(w, json_string_value(j), json_string_length(j));
    return 0;
  case JSON_INTEGER:
    mc_canon_int(w, json_integer_value(j));
    return 0;
  case JSON_REAL:
    mc_buf_printf(why, "%g is not an integer: event data has no floats (write money in VND and "
                       "times in milliseconds)", json_real_value(j));
    return MC_EPARSE;
  case JSON_TRUE:
  case JSON_FALSE:
    mc_canon_bool(w, json_is_true(j));
    return 0;
  case JSON_NULL:
    mc_canon_nil(w);
    return 0;
  }
  return MC_EPARSE;
}

int cli_json_to_canon(const char *text, mc_buf *out, mc_buf *why) {
  json_error_t err;
  json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
  mc_canon w;
  int rc;
  if (j == NULL) {
    mc_buf_printf(why, "not JSON: %s (at character %d)", err.text, err.position);
    return MC_EPARSE;
  }
  mc_canon_init(&w, out);
  rc = put_json(&w, j, why, 0);
  if (rc == 0 && (rc = mc_canon_finish(&w)) != 0)
    mc_buf_printf(why, "%s", rc == MC_EPARSE ? "a text is not valid UTF-8" : mc_strerror(rc));
  json_decref(j);
  return rc ? MC_EPARSE : 0;
}

/* ============================================================ msgpack -> JSON */

static json_t *hex_string(const void *bytes, size_t len) {
  char *hex = malloc(2 * len + 1);
  if (hex == NULL)
    return NULL;
  mc_hex(bytes, len, hex);
  json_t *j = json_string(hex);
  free(hex);
  return j;
}

static json_t *object_to_json(const msgpack_object *o) {
  switch (o->type) {
  case MSGPACK_OBJECT_NIL:
    return json_null();
  case MSGPACK_OBJECT_BOOLEAN:
    return json_boolean(o->via.boolean);
  case MSGPACK_OBJECT_POSITIVE_INTEGER:
    if (o->via.u64 > INT64_MAX) {
      char text[32];
      snprintf(text, sizeof text, "%llu", (unsigned long long)o->via.u64);
      return json_string(text);
    }
    return json_integer((json_int_t)o->via.u64);
  case MSGPACK_OBJECT_NEGATIVE_INTEGER:
    return json_integer((json_int_t)o->via.i64);
  case MSGPACK_OBJECT_STR:
    return json_stringn(o->via.str.ptr, o->via.str.size);
  case MSGPACK_OBJECT_BIN:
    return hex_string(o->via.bin.ptr, o->via.bin.size);
  case MSGPACK_OBJECT_ARRAY: {
    json_t *a = json_array();
    for (uint32_t i = 0; a && i < o->via.array.size; i++) {
      json_t *v = object_to_json(&o->via.array.ptr[i]);
      if (v == NULL || json_array_append_new(a, v) != 0) {
        json_decref(a);
        return NULL;
      }
    }
    return a;
  }
  case MSGPACK_OBJECT_MAP: {
    json_t *m = json_object();
    for (uint32_t i = 0; m && i < o->via.map.size; i++) {
      const msgpack_object_kv *kv = &o->via.map.ptr[i];
      json_t *v = kv->key.type == MSGPACK_OBJECT_STR ? object_to_json(&kv->val) : NULL;
      /* The key is not NUL-terminated: set it by its length (json_object_setn_new
       * takes the value's reference even when it fails). */
      if (v == NULL || json_object_setn_new(m, kv->key.via.str.ptr, kv->key.via.str.size, v) != 0) {
        json_decref(m);
        return NULL;
      }
    }
    return m;
  }
  default:
    return NULL; /* floats and ext never pass mc_canon_verify */
  }
}

json_t *cli_msgpack_to_json(const uint8_t *bytes, size_t len) {
  msgpack_unpacked u;
  size_t off = 0;
  json_t *j = NULL;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)bytes, len, &off) == MSGPACK_UNPACK_SUCCESS &&
      off == len)
    j = object_to_json(&u.data);
  msgpack_unpacked_destroy(&u);
  return j;
}

static json_t *str_or_null(store_str s) { return s.ptr ? json_stringn(s.ptr, s.len) : json_null(); }

json_t *cli_event_to_json(const store_event *ev) {
  uint8_t hash[MC_SHA256_BYTES];
  char iso[MC_INSTANT_STRLEN];
  json_t *o = json_object(), *actor = json_object();
  json_t *data = cli_msgpack_to_json(ev->data, ev->data_len);
  if (o == NULL || actor == NULL || data == NULL) {
    json_decref(o);
    json_decref(actor);
    json_decref(data);
    return NULL;
  }
  store_event_hash(ev, hash);
  mc_instant_format(ev->time, 0, iso);
  json_object_set_new(actor, "who", str_or_null(ev->who));
  json_object_set_new(actor, "role", str_or_null(ev->role));
  json_object_set_new(actor, "client", str_or_null(ev->client));
  json_object_set_new(o, "seq", json_integer((json_int_t)ev->seq));
  json_object_set_new(o, "stream", str_or_null(ev->stream));
  json_object_set_new(o, "version", json_integer((json_int_t)ev->version));
  json_object_set_new(o, "type", str_or_null(ev->type));
  json_object_set_new(o, "time", json_integer(ev->time));
  json_object_set_new(o, "time_utc", json_string(iso));
  json_object_set_new(o, "actor", actor);
  json_object_set_new(o, "causation", str_or_null(ev->causation));
  json_object_set_new(o, "correlation", str_or_null(ev->correlation));
  json_object_set_new(o, "command", str_or_null(ev->command));
  json_object_set_new(o, "definition",
                      ev->definition_hash ? hex_string(ev->definition_hash, MC_SHA256_BYTES)
                                          : json_null());
  json_object_set_new(o, "data", data);
  json_object_set_new(o, "format", json_integer((json_int_t)ev->format));
  json_object_set_new(o, "prev", hex_string(ev->prev, MC_SHA256_BYTES));
  json_object_set_new(o, "hash", hex_string(hash, MC_SHA256_BYTES));
  return o;
}

/* ============================================================ command lines */

int cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, const char **value) {
  if (strcmp(argv[*i], name) != 0)
    return 0;
  if (*i + 1 >= argc) {
    cli_error(cmd, "%s needs a value", name);
    return -1;
  }
  *value = argv[++*i];
  return 1;
}

int cli_store_open(const char *cmd, const char *dir, bool read_only, store **out) {
  /* The engine's projections too: a writer must keep them in step with the
   * log, and verify rebuilds and compares them. */
  store_options opt = {read_only, 0, NULL, 0};
  eng_projections(&opt.projections, &opt.nprojections);
  mc_buf why = MC_BUF_INIT;
  int rc = store_open(dir, &opt, out, &why);
  if (rc)
    cli_error(cmd, "%s", why.len ? mc_buf_cstr(&why) : mc_strerror(rc));
  mc_buf_free(&why);
  return rc ? CLI_FAILED : CLI_OK;
}
