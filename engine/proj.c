/* proj.c — what the engine's projections share: the decoded event being
 * applied and the dossier's snapshot after it (cached per thread), scanning a
 * projection by key prefix, the "<kind>/<a>\0<name>" keys. */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The decoded data of the event being applied, and the dossier's snapshot
 * after it.  Projections apply one event after another, most of them
 * reading both: the last ones decoded are kept (per thread, recognised by
 * their exact bytes), so each is decoded once, not once per projection. */
typedef struct snap_cache {
  uint64_t seq;
  uint8_t *data;               /* a copy of the event's data: what the objects point into */
  size_t len, cap;
  msgpack_unpacked u;
  bool decoded;
  uint8_t *snap_bytes;         /* a snapshot projection's value, decoded into `snap` */
  size_t snap_len, snap_cap;
  bool has_snap;
  eng_snap snap;
} snap_cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p) {
  snap_cache *c = p;
  if (c) {
    msgpack_unpacked_destroy(&c->u);
    free(c->data);
    free(c->snap_bytes);
  }
  free(c);
}

static void cache_init(void) { pthread_key_create(&cache_key, cache_free); }

static snap_cache *thread_cache(void) {
  pthread_once(&cache_once, cache_init);
  snap_cache *c = pthread_getspecific(cache_key);
  if (c == NULL && (c = calloc(1, sizeof *c)) != NULL) {
    msgpack_unpacked_init(&c->u);
    if (pthread_setspecific(cache_key, c) != 0) {
      cache_free(c);
      c = NULL;
    }
  }
  return c;
}

/* Copies `len` bytes into a buffer grown as needed. */
static bool keep_copy(uint8_t **buf, size_t *cap, const void *bytes, size_t len) {
  if (*cap < len) {
    uint8_t *grown = realloc(*buf, len);
    if (grown == NULL)
      return false;
    *buf = grown;
    *cap = len;
  }
  if (len)
    memcpy(*buf, bytes, len);
  return true;
}

/* The decoded data of the event being applied.  Valid until the thread
 * decodes another event.  NULL when the data is not msgpack (or out of
 * memory). */
static snap_cache *event_cache(const store_event *ev) {
  snap_cache *c = thread_cache();
  if (c == NULL)
    return NULL;
  if (c->decoded && c->seq == ev->seq && c->len == ev->data_len && memcmp(c->data, ev->data, ev->data_len) == 0)
    return c;
  c->decoded = false;
  if (!keep_copy(&c->data, &c->cap, ev->data, ev->data_len))
    return NULL;
  c->len = ev->data_len;
  c->seq = ev->seq;
  size_t off = 0;
  if (msgpack_unpack_next(&c->u, (const char *)c->data, c->len, &off) != MSGPACK_UNPACK_SUCCESS)
    return NULL;
  c->decoded = true;
  return c;
}

const msgpack_object *eng__event_root(const store_event *ev) {
  snap_cache *c = event_cache(ev);
  return c ? &c->u.data : NULL;
}

/* A snapshot projection's value decoded, through the cache. */
int eng__snap_of_value(const void *bytes, size_t len, eng_snap *s) {
  snap_cache *c = thread_cache();
  if (c && c->has_snap && c->snap_len == len && memcmp(c->snap_bytes, bytes, len) == 0) {
    *s = c->snap;
    return 0;
  }
  int rc = eng__snap_of_bytes(bytes, len, s);
  if (c && rc == 0 && keep_copy(&c->snap_bytes, &c->snap_cap, bytes, len)) {
    c->snap_len = len;
    c->snap = *s;
    c->has_snap = true;
  }
  return rc;
}

/* The dossier's snapshot after the event, for the projections that depend
 * on the snapshot projection (whose hook has applied the event already). */
int eng__snap_of_event(store_proj_txn *tx, const store_event *ev, eng_snap *s) {
  const void *v;
  size_t vlen;
  if (ev->stream.len <= 8)
    return MC_EPARSE;
  int rc = store_proj_get_dep(tx, ev->stream.ptr + 8, ev->stream.len - 8, &v, &vlen);
  return rc ? rc : eng__snap_of_value(v, vlen, s);
}

/* Every entry of a projection whose key starts with `prefix`, in key order:
 * each(opaque, rest of the key, value) returns 0 to go on, 1 to stop, or a
 * negative error that is returned. */
typedef int (*eng__prefix_fn)(void *opaque, const char *rest, size_t rest_len, const void *val, size_t vlen);

typedef struct prefix_ctx {
  const uint8_t *prefix;
  size_t prefix_len;
  eng__prefix_fn each;
  void *opaque;
} prefix_ctx;

static int prefix_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  prefix_ctx *c = opaque;
  /* Keys come in order from the prefix on: the first without it ends the scan. */
  if (klen <= c->prefix_len || memcmp(key, c->prefix, c->prefix_len) != 0)
    return 1;
  return c->each(c->opaque, (const char *)key + c->prefix_len, klen - c->prefix_len, val, vlen);
}

int eng__scan_prefix(eng_engine *e, const char *projection, const mc_buf *prefix, eng__prefix_fn each, void *opaque) {
  prefix_ctx c = {prefix->data, prefix->len, each, opaque};
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) == 0) {
    rc = store_read_proj_scan(rd, projection, prefix->data, prefix->len, prefix_one, &c);
    store_read_end(rd);
  }
  return rc;
}

/* Documents (DOMAIN.md "Intake": reused, not asked for again): each
 * dossier's, and each owner's last supplied scan of every document name.
 * An entry of the event's "documents" array is stored as it was written. */
/* "<kind>/<a>\0<name>": the keys of the documents and handlers projections. */
int eng__pair_key(mc_buf *k, char kind, const char *a, size_t alen, const char *name, size_t nlen) {
  mc_buf_reset(k);
  int rc = mc_buf_append_byte(k, (uint8_t)kind);
  rc |= mc_buf_append_byte(k, '/');
  rc |= mc_buf_append(k, a, alen);
  rc |= mc_buf_append_byte(k, 0);
  rc |= mc_buf_append(k, name, nlen);
  return rc ? MC_ENOMEM : 0;
}

/* ============================================================ a dossier's keys */

int eng__keys_each(const void *list, size_t len, eng__key_fn fn, void *opaque) {
  const uint8_t *p = list;
  size_t at = len ? 1 + (size_t)p[0] : 0;
  int rc = 0;
  while (rc == 0 && at + 2 <= len) {
    size_t n = (size_t)p[at] << 8 | p[at + 1];
    if (at + 2 + n > len)
      return MC_ECORRUPT;
    rc = fn(opaque, p + at + 2, n);
    at += 2 + n;
  }
  return rc;
}

static int drop_one(void *opaque, const uint8_t *key, size_t len) { return store_proj_del(opaque, key, len); }

int eng__keys_drop(store_proj_txn *tx, const mc_buf *ckey, mc_buf *header) {
  const void *old;
  size_t len;
  mc_buf_reset(header);
  int rc = store_proj_get(tx, ckey->data, ckey->len, &old, &len);
  if (rc == MC_ENOENT)
    return 0;
  if (rc)
    return rc;
  mc_buf copy = MC_BUF_INIT; /* the view goes with the first delete */
  if ((rc = mc_buf_append(&copy, old, len)) == 0 && len)
    rc = mc_buf_append(header, copy.data + 1, (size_t)copy.data[0] < len ? copy.data[0] : len - 1);
  if (rc == 0)
    rc = eng__keys_each(copy.data, copy.len, drop_one, tx);
  mc_buf_free(&copy);
  return rc;
}

void eng__keys_start(mc_buf *list, const void *header, size_t len) {
  mc_buf_reset(list);
  if (len > 255)
    len = 255;
  mc_buf_append_byte(list, (uint8_t)len);
  mc_buf_append(list, header, len);
}

void eng__keys_add(mc_buf *list, const mc_buf *key) {
  uint8_t n[2] = {(uint8_t)(key->len >> 8), (uint8_t)key->len};
  mc_buf_append(list, n, 2);
  mc_buf_append(list, key->data, key->len);
}
