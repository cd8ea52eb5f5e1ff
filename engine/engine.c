/* engine.c — opening the engine, its projections, reading them.
 *
 * Projections (engine-int.h) are written by hooks the store calls inside the
 * write transaction of each event.  The snapshot projection computes each
 * dossier's snapshot from the previous one and the event (snapshot.c); the
 * projections that need the snapshot after an event (timers, counts,
 * handlers, documents, contacts, feeds) depend on it (store.h, depends_on) and read
 * it there; the others read only their event.
 */
#include "engine/engine-int.h"
#include "engine/timers.h"

#include "base/error.h"
#include "base/hash.h"
#include "base/log.h"
#include "dsl/dsl.h"

#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================ msgpack helpers */

const msgpack_object *eng__get(const msgpack_object *map, const char *key) {
  size_t n = strlen(key);
  if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
    return NULL;
  for (uint32_t i = 0; i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key;
    if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, key, n) == 0)
      return &map->via.map.ptr[i].val;
  }
  return NULL;
}

bool eng__str_is(const msgpack_object *o, const char *s) {
  return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
         memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

int eng__str_copy(const msgpack_object *o, char *out, size_t size) {
  out[0] = '\0';
  if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
    return 0;
  if (o->type != MSGPACK_OBJECT_STR || o->via.str.size >= size)
    return MC_EPARSE;
  memcpy(out, o->via.str.ptr, o->via.str.size);
  out[o->via.str.size] = '\0';
  return 0;
}

static int64_t get_int(const msgpack_object *o) {
  if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
    return (int64_t)o->via.u64;
  if (o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
    return o->via.i64;
  return 0;
}

/* ============================================================ projections */

static bool is_type(const store_event *ev, eng_event_type type) { return eng__event_type(ev) == type; }

static bool is_dossier_event(const store_event *ev) { return eng_event_is_dossier(eng__event_type(ev)); }

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

static const msgpack_object *event_root(const store_event *ev) {
  snap_cache *c = event_cache(ev);
  return c ? &c->u.data : NULL;
}

/* A snapshot projection's value decoded, through the cache. */
static int snap_of_value(const void *bytes, size_t len, eng_snap *s) {
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
static int snap_of_event(store_proj_txn *tx, const store_event *ev, eng_snap *s) {
  const void *v;
  size_t vlen;
  if (ev->stream.len <= 8)
    return MC_EPARSE;
  int rc = store_proj_get_dep(tx, ev->stream.ptr + 8, ev->stream.len - 8, &v, &vlen);
  return rc ? rc : snap_of_value(v, vlen, s);
}

/* The snapshot projection: the previous snapshot and the event give the
 * next one (engine/snapshot.c). */
static int apply_dossier(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!is_dossier_event(ev))
    return 0;
  /* stream "dossier/<code>" */
  if (ev->stream.len <= 8)
    return MC_EPARSE;
  const char *code = ev->stream.ptr + 8;
  size_t code_len = ev->stream.len - 8;
  const msgpack_object *root = event_root(ev);
  if (root == NULL)
    return MC_EPARSE;
  eng_snap prev, next;
  const void *v;
  size_t vlen;
  bool has_prev = false;
  int rc = 0;
  if (ev->version > 1) {
    if ((rc = store_proj_get(tx, code, code_len, &v, &vlen)) != 0)
      return rc == MC_ENOENT ? MC_ECORRUPT : rc;
    if ((rc = snap_of_value(v, vlen, &prev)) != 0)
      return rc;
    has_prev = true;
  }
  if ((rc = eng__snap_apply(ev, root, has_prev ? &prev : NULL, &next)) != 0)
    return rc;
  mc_buf val = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &val);
  eng__snap_encode(&next, &w);
  if ((rc = mc_canon_finish(&w)) == 0)
    rc = store_proj_put(tx, code, code_len, val.data, val.len);
  mc_buf_free(&val);
  return rc;
}

/* Whether the packed key list (1 byte length, key)... holds `key`. */
static bool list_has(const uint8_t *list, size_t len, const uint8_t *key, size_t klen) {
  for (size_t at = 0; at < len; at += 1 + (size_t)list[at])
    if (list[at] == klen && at + 1 + klen <= len && memcmp(list + at + 1, key, klen) == 0)
      return true;
  return false;
}

static int apply_timers(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!is_dossier_event(ev))
    return 0;
  uint8_t dkey[128], key[128];
  size_t code_len = ev->stream.len - 8;
  if (code_len + 2 > sizeof dkey - 16)
    return MC_EPARSE;
  dkey[0] = 'd', dkey[1] = '/';
  memcpy(dkey + 2, ev->stream.ptr + 8, code_len);
  eng_snap s;
  int rc = snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  /* The timers of the new snapshot: its steps' warnings and limits, and
   * the appointment's own while the dossier is undecided and its legal
   * clock runs (a pause moves the appointment). */
  mc_buf list = MC_BUF_INIT, old = MC_BUF_INIT;
  for (int i = 0; i < s.ntokens; i++) {
    const eng_token *t = &s.tokens[i];
    if (t->warn) {
      size_t n = eng__timer_key(key, t->warn, s.code, t->node, 'w');
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
    if (t->due) {
      size_t n = eng__timer_key(key, t->due, s.code, t->node, 'd');
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
  }
  bool counting = s.ntokens > 0 && s.decided_at == 0 && s.paused_since == 0;
  const struct { int64_t due; char kind; } own[] = {{s.deadline_warn, 'n'}, {s.deadline_due, 'a'}};
  for (int i = 0; i < 2 && counting; i++)
    if (own[i].due) {
      size_t n = eng__timer_key(key, own[i].due, s.code, ENG_DEADLINE_NODE, own[i].kind);
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
  /* Only what changed is written: most events leave most timers alone. */
  const void *prev;
  size_t prev_len = 0;
  if (store_proj_get(tx, dkey, code_len + 2, &prev, &prev_len) == 0)
    mc_buf_append(&old, prev, prev_len);
  for (size_t at = 0; rc == 0 && at < old.len; at += 1 + (size_t)old.data[at])
    if (!list_has(list.data, list.len, old.data + at + 1, old.data[at]))
      rc = store_proj_del(tx, old.data + at + 1, old.data[at]);
  for (size_t at = 0; rc == 0 && at < list.len; at += 1 + (size_t)list.data[at])
    if (!list_has(old.data, old.len, list.data + at + 1, list.data[at]))
      rc = store_proj_put(tx, list.data + at + 1, list.data[at], "", 0);
  if (rc == 0 && (list.len != old.len || (list.len && memcmp(list.data, old.data, list.len))))
    rc = list.len ? store_proj_put(tx, dkey, code_len + 2, list.data, list.len)
                  : store_proj_del(tx, dkey, code_len + 2);
  mc_buf_free(&list);
  mc_buf_free(&old);
  return rc;
}

/* Counts for /metrics, kept as the events apply (a scrape must not scan a
 * million dossiers): "s/<state>" -> u64 BE dossiers in that state, "t" -> u64
 * BE timers armed, and per dossier "c/<code>" -> u8 timers, its state. */
static int count_add(store_proj_txn *tx, const void *key, size_t klen, int64_t delta) {
  const void *v;
  size_t vlen;
  uint64_t n = 0;
  if (store_proj_get(tx, key, klen, &v, &vlen) == 0 && vlen == 8)
    for (int i = 0; i < 8; i++)
      n = n << 8 | ((const uint8_t *)v)[i];
  n = (uint64_t)((int64_t)n + delta);
  uint8_t b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(n >> (56 - 8 * i));
  return store_proj_put(tx, key, klen, b, 8);
}

static int apply_counts(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!is_dossier_event(ev))
    return 0;
  eng_snap s;
  int rc = snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  /* As apply_timers arms them. */
  int timers = 0;
  for (int i = 0; i < s.ntokens; i++)
    timers += (s.tokens[i].warn != 0) + (s.tokens[i].due != 0);
  if (s.ntokens > 0 && s.decided_at == 0 && s.paused_since == 0)
    timers += (s.deadline_warn != 0) + (s.deadline_due != 0);
  char key[128], skey[64];
  size_t klen = (size_t)snprintf(key, sizeof key, "c/%.63s", s.code);
  const void *v;
  size_t vlen;
  size_t slen = strlen(s.state) < 32 ? strlen(s.state) : 32;
  int old_timers = 0;
  bool same_state = false;
  if (store_proj_get(tx, key, klen, &v, &vlen) == 0 && vlen >= 1) {
    const uint8_t *p = v;
    same_state = vlen - 1 == slen && !memcmp(p + 1, s.state, slen);
    if (p[0] == timers && same_state)
      return 0;
    old_timers = p[0];
    if (!same_state) {
      size_t n = (size_t)snprintf(skey, sizeof skey, "s/%.*s", (int)(vlen - 1 < 40 ? vlen - 1 : 40), (const char *)p + 1);
      if ((rc = count_add(tx, skey, n, -1)))
        return rc;
    }
  }
  /* Only what changed is written: most events leave the state or the timers as they were. */
  if (!same_state) {
    size_t n = (size_t)snprintf(skey, sizeof skey, "s/%.40s", s.state);
    if ((rc = count_add(tx, skey, n, 1)))
      return rc;
  }
  if (timers != old_timers && (rc = count_add(tx, "t", 1, timers - old_timers)))
    return rc;
  uint8_t rec[1 + 32];
  rec[0] = (uint8_t)timers;
  memcpy(rec + 1, s.state, slen);
  return store_proj_put(tx, key, klen, rec, 1 + slen);
}

/* Each applicant's feed: "<applicant> 0 <u64 BE seq>" -> "" for every event
 * of a dossier filed from the applicant's account, so a citizen's client
 * that reconnects catches up on their own events without the server
 * scanning the whole log (eng_applicant_events). */
static int apply_feeds(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!is_dossier_event(ev))
    return 0;
  eng_snap s;
  int rc = snap_of_event(tx, ev, &s);
  if (rc || s.applicant[0] == '\0')
    return rc;
  uint8_t key[64 + 1 + 8];
  size_t n = strlen(s.applicant);
  memcpy(key, s.applicant, n);
  key[n] = 0;
  for (int i = 0; i < 8; i++)
    key[n + 1 + i] = (uint8_t)(ev->seq >> (56 - 8 * i));
  return store_proj_put(tx, key, n + 9, "", 0);
}

/* The code's agency and day: "<agency>-<yymmdd>-<NNNN>" -> "<agency>-<yymmdd>", NNNN. */
static int split_code(const char *code, size_t len, size_t *prefix_len, uint32_t *number) {
  const char *dash = NULL;
  for (size_t i = len; i > 0; i--)
    if (code[i - 1] == '-') {
      dash = code + i - 1;
      break;
    }
  size_t digits = dash ? (size_t)(code + len - dash - 1) : 0;
  if (digits < 4 || digits > 10)
    return MC_EPARSE;
  *number = 0;
  for (const char *p = dash + 1; p < code + len; p++) {
    if (*p < '0' || *p > '9')
      return MC_EPARSE;
    *number = *number * 10 + (uint32_t)(*p - '0');
  }
  *prefix_len = (size_t)(dash - code);
  return 0;
}

static int apply_codes(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!is_type(ev, ENG_EV_DOSSIER_SUBMITTED))
    return 0;
  size_t prefix;
  uint32_t number, current = 0;
  const char *code = ev->stream.ptr + 8;
  if (split_code(code, ev->stream.len - 8, &prefix, &number))
    return MC_EPARSE;
  const void *v;
  size_t vlen;
  if (store_proj_get(tx, code, prefix, &v, &vlen) == 0 && vlen == 4)
    current = (uint32_t)((const uint8_t *)v)[0] << 24 | (uint32_t)((const uint8_t *)v)[1] << 16 |
              (uint32_t)((const uint8_t *)v)[2] << 8 | ((const uint8_t *)v)[3];
  if (number > current) {
    uint8_t be[4] = {(uint8_t)(number >> 24), (uint8_t)(number >> 16), (uint8_t)(number >> 8), (uint8_t)number};
    return store_proj_put(tx, code, prefix, be, 4);
  }
  return 0;
}

static int apply_forms(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!is_type(ev, ENG_EV_DOSSIER_SUBMITTED))
    return 0;
  /* Which event holds the form: the form itself is read there. */
  const msgpack_object *root = event_root(ev), *form = root ? eng__get(root, "form") : NULL;
  if (form == NULL || form->type != MSGPACK_OBJECT_BIN)
    return MC_EPARSE;
  uint8_t seq[8];
  for (int i = 0; i < 8; i++)
    seq[i] = (uint8_t)(ev->seq >> (56 - 8 * i));
  return store_proj_put(tx, ev->stream.ptr + 8, ev->stream.len - 8, seq, 8);
}

/* Definitions: "<kind>/<id>" -> entries of 8 bytes BE effective_from + 32 bytes hash,
 * in publishing order; "b/<hash>" -> the bytes. */
static int apply_defs(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  bool retired = is_type(ev, ENG_EV_DEFINITION_RETIRED);
  if (!retired && !is_type(ev, ENG_EV_DEFINITION_PUBLISHED))
    return 0;
  msgpack_unpacked u;
  size_t off = 0;
  int rc = MC_EPARSE;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *kind = eng__get(&u.data, "kind"), *id = eng__get(&u.data, "id");
    const msgpack_object *hash = eng__get(&u.data, "hash"), *bytes = eng__get(&u.data, "bytes");
    int64_t from = get_int(eng__get(&u.data, "effective_from"));
    static const uint8_t none[32] = {0};
    if (retired && kind && kind->type == MSGPACK_OBJECT_STR && id && id->type == MSGPACK_OBJECT_STR) {
      /* A retirement is an entry with an all-zero hash: nothing in effect from then on. */
      mc_buf key = MC_BUF_INIT, list = MC_BUF_INIT;
      mc_buf_append(&key, kind->via.str.ptr, kind->via.str.size);
      mc_buf_append_byte(&key, '/');
      mc_buf_append(&key, id->via.str.ptr, id->via.str.size);
      const void *old;
      size_t old_len;
      if (store_proj_get(tx, key.data, key.len, &old, &old_len) == 0)
        mc_buf_append(&list, old, old_len);
      uint8_t entry[40];
      for (int i = 0; i < 8; i++)
        entry[i] = (uint8_t)((uint64_t)from >> (56 - 8 * i));
      memcpy(entry + 8, none, 32);
      mc_buf_append(&list, entry, sizeof entry);
      rc = store_proj_put(tx, key.data, key.len, list.data, list.len);
      mc_buf_free(&key);
      mc_buf_free(&list);
    } else if (kind && kind->type == MSGPACK_OBJECT_STR && id && id->type == MSGPACK_OBJECT_STR && hash &&
        hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32 && bytes && bytes->type == MSGPACK_OBJECT_BIN) {
      mc_buf key = MC_BUF_INIT, list = MC_BUF_INIT;
      mc_buf_append(&key, kind->via.str.ptr, kind->via.str.size);
      mc_buf_append_byte(&key, '/');
      mc_buf_append(&key, id->via.str.ptr, id->via.str.size);
      const void *old;
      size_t old_len;
      if (store_proj_get(tx, key.data, key.len, &old, &old_len) == 0)
        mc_buf_append(&list, old, old_len);
      uint8_t entry[40];
      for (int i = 0; i < 8; i++)
        entry[i] = (uint8_t)((uint64_t)from >> (56 - 8 * i));
      memcpy(entry + 8, hash->via.bin.ptr, 32);
      mc_buf_append(&list, entry, sizeof entry);
      rc = store_proj_put(tx, key.data, key.len, list.data, list.len);
      uint8_t bkey[34] = {'b', '/'};
      memcpy(bkey + 2, hash->via.bin.ptr, 32);
      if (rc == 0)
        rc = store_proj_put(tx, bkey, sizeof bkey, bytes->via.bin.ptr, bytes->via.bin.size);
      mc_buf_free(&key);
      mc_buf_free(&list);
    }
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

/* Open dossiers by main handler, so an official's open work can be found
 * (and reassigned when they leave).  Finished dossiers drop out. */
static int apply_handlers(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!is_dossier_event(ev))
    return 0;
  eng_snap s;
  int rc = snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  mc_buf ckey = MC_BUF_INIT, hkey = MC_BUF_INIT;
  mc_buf_append_str(&ckey, "c/");
  mc_buf_append_str(&ckey, s.code);
  const void *old;
  size_t old_len;
  if (store_proj_get(tx, ckey.data, ckey.len, &old, &old_len) == 0) {
    mc_buf_append_str(&hkey, "h/");
    mc_buf_append(&hkey, old, old_len);
    mc_buf_append_byte(&hkey, 0);
    mc_buf_append_str(&hkey, s.code);
    rc = store_proj_del(tx, hkey.data, hkey.len);
    if (rc == 0)
      rc = store_proj_del(tx, ckey.data, ckey.len);
  }
  bool open = s.ntokens > 0;
  if (rc == 0 && open && s.handler[0]) {
    mc_buf_reset(&hkey);
    mc_buf_append_str(&hkey, "h/");
    mc_buf_append_str(&hkey, s.handler);
    mc_buf_append_byte(&hkey, 0);
    mc_buf_append_str(&hkey, s.code);
    rc = store_proj_put(tx, hkey.data, hkey.len, "", 0);
    if (rc == 0)
      rc = store_proj_put(tx, ckey.data, ckey.len, s.handler, strlen(s.handler));
  }
  mc_buf_free(&ckey);
  mc_buf_free(&hkey);
  return rc;
}

/* Documents (DOMAIN.md "Intake": reused, not asked for again): each
 * dossier's, and each owner's last supplied scan of every document name.
 * An entry of the event's "documents" array is stored as it was written. */
/* "<kind>/<a>\0<name>": the keys of the documents and handlers projections. */
static int pair_key(mc_buf *k, char kind, const char *a, size_t alen, const char *name, size_t nlen) {
  mc_buf_reset(k);
  int rc = mc_buf_append_byte(k, (uint8_t)kind);
  rc |= mc_buf_append_byte(k, '/');
  rc |= mc_buf_append(k, a, alen);
  rc |= mc_buf_append_byte(k, 0);
  rc |= mc_buf_append(k, name, nlen);
  return rc ? MC_ENOMEM : 0;
}

/* An entry of format 2 leaves out what is empty: no hash (missing), not
 * reused (then supplied with the event), no end of validity. */
static int put_document(store_proj_txn *tx, const msgpack_object *doc, const store_event *ev, const char *owner) {
  static const msgpack_object nil = {.type = MSGPACK_OBJECT_NIL},
                              empty = {.type = MSGPACK_OBJECT_STR, .via.str = {0, ""}};
  const char *code = ev->stream.ptr + 8;
  size_t code_len = ev->stream.len - 8;
  const msgpack_object *name = eng__get(doc, "name"), *hash = eng__get(doc, "hash"),
                       *reused = eng__get(doc, "reused_from"), *at = eng__get(doc, "supplied_at"),
                       *until = eng__get(doc, "valid_until");
  msgpack_object now = {.type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = (uint64_t)ev->time};
  hash = hash ? hash : &nil;
  reused = reused ? reused : &empty;
  at = at ? at : &now;
  until = until ? until : &empty;
  if (name == NULL || name->type != MSGPACK_OBJECT_STR || reused->type != MSGPACK_OBJECT_STR ||
      until->type != MSGPACK_OBJECT_STR)
    return MC_EPARSE;
  mc_buf key = MC_BUF_INIT, val = MC_BUF_INIT;
  mc_canon w;
  int rc = pair_key(&key, 'd', code, code_len, name->via.str.ptr, name->via.str.size);
  mc_canon_init(&w, &val);
  mc_canon_map(&w, 5);
  mc_canon_key(&w, "hash");
  if (hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32)
    mc_canon_bin(&w, hash->via.bin.ptr, 32);
  else
    mc_canon_nil(&w);
  mc_canon_key(&w, "name");
  mc_canon_str(&w, name->via.str.ptr, name->via.str.size);
  mc_canon_key(&w, "reused_from");
  mc_canon_str(&w, reused->via.str.ptr, reused->via.str.size);
  mc_canon_kv_int(&w, "supplied_at", get_int(at));
  mc_canon_key(&w, "valid_until");
  mc_canon_str(&w, until->via.str.ptr, until->via.str.size);
  if (rc == 0 && (rc = mc_canon_finish(&w)) == 0)
    rc = store_proj_put(tx, key.data, key.len, val.data, val.len);
  /* The owner's store keeps what was supplied anew, not what was reused. */
  if (rc == 0 && owner[0] && hash->type == MSGPACK_OBJECT_BIN && reused->via.str.size == 0) {
    mc_buf_reset(&val);
    mc_canon_init(&w, &val);
    mc_canon_map(&w, 4);
    mc_canon_key(&w, "dossier");
    mc_canon_str(&w, code, code_len);
    mc_canon_key(&w, "hash");
    mc_canon_bin(&w, hash->via.bin.ptr, 32);
    mc_canon_kv_int(&w, "supplied_at", get_int(at));
    mc_canon_key(&w, "valid_until");
    mc_canon_str(&w, until->via.str.ptr, until->via.str.size);
    if ((rc = pair_key(&key, 'o', owner, strlen(owner), name->via.str.ptr, name->via.str.size)) == 0 &&
        (rc = mc_canon_finish(&w)) == 0)
      rc = store_proj_put(tx, key.data, key.len, val.data, val.len);
  }
  mc_buf_free(&key);
  mc_buf_free(&val);
  return rc;
}

static int apply_documents(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  /* Only these carry documents: the others are not even decoded. */
  if ((!is_type(ev, ENG_EV_DOSSIER_SUBMITTED) && !is_type(ev, ENG_EV_DOSSIER_SUPPLEMENT_PROVIDED)) || ev->stream.len <= 8)
    return 0;
  msgpack_unpacked u;
  size_t off = 0;
  int rc = MC_EPARSE;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *docs = eng__get(&u.data, "documents");
    eng_snap s;
    if (docs == NULL)
      rc = 0;
    else if (docs->type == MSGPACK_OBJECT_ARRAY && snap_of_event(tx, ev, &s) == 0) {
      rc = 0;
      for (uint32_t i = 0; rc == 0 && i < docs->via.array.size; i++)
        rc = put_document(tx, &docs->via.array.ptr[i], ev, s.owner);
    }
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

/* The transactional outbox: every message an event causes is pending from
 * the write that appends the event until a `notification.delivered` event
 * records its outcome (sent, or failed for good). */
static size_t outbox_key(uint8_t k[9], uint64_t seq, unsigned index) {
  for (int i = 0; i < 8; i++)
    k[i] = (uint8_t)(seq >> (56 - 8 * i));
  k[8] = (uint8_t)index;
  return 9;
}

static int apply_outbox(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  bool delivered = is_type(ev, ENG_EV_NOTIFICATION_DELIVERED), announced = is_type(ev, ENG_EV_ANNOUNCEMENT_MADE);
  if (!delivered && !announced && !is_dossier_event(ev))
    return 0;
  uint8_t key[9];
  const msgpack_object *root = event_root(ev);
  if (root == NULL)
    return MC_EPARSE;
  int rc = 0;
  if (delivered) {
    const msgpack_object *seq = eng__get(root, "seq"), *index = eng__get(root, "index");
    rc = seq && index ? store_proj_del(tx, key, outbox_key(key, (uint64_t)get_int(seq), (unsigned)get_int(index)))
                      : MC_EPARSE;
  }
  const msgpack_object *notify = eng__get(root, "notify");
  if (rc == 0 && notify && notify->type != MSGPACK_OBJECT_ARRAY)
    rc = MC_EPARSE;
  /* Which messages wait: their texts, or what renders them, are in the
   * event (eng_outbox_pending reads them there). */
  for (uint32_t i = 0; rc == 0 && notify && i < notify->via.array.size; i++) {
    const msgpack_object *m = &notify->via.array.ptr[i];
    if (m->type != MSGPACK_OBJECT_MAP || (eng__get(m, "template") == NULL && eng__get(m, "hash") == NULL) ||
        eng__get(m, "to") == NULL || i > 255)
      rc = MC_EPARSE;
    else
      rc = store_proj_put(tx, key, outbox_key(key, ev->seq, i), "", 0);
  }
  return rc;
}

/* The addresses of open dossiers' applicants, for announcements: put when
 * a dossier is filed with one, dropped when it ends. */
static int apply_contacts(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!is_dossier_event(ev) || ev->stream.len <= 8)
    return 0;
  const char *code = ev->stream.ptr + 8;
  size_t code_len = ev->stream.len - 8;
  bool submitted = is_type(ev, ENG_EV_DOSSIER_SUBMITTED);
  const void *old;
  size_t old_len;
  if (!submitted && store_proj_get(tx, code, code_len, &old, &old_len) != 0)
    return 0; /* no address kept for it: nothing to drop */
  eng_snap s;
  int rc = MC_EPARSE;
  const msgpack_object *root = event_root(ev);
  if (root && snap_of_event(tx, ev, &s) == 0) {
    const msgpack_object *contact = eng__get(root, "contact");
    if (s.ntokens == 0) {
      rc = submitted ? 0 : store_proj_del(tx, code, code_len);
    } else if (submitted && contact) {
      const msgpack_object *email = eng__get(contact, "email"), *phone = eng__get(contact, "phone");
      mc_buf val = MC_BUF_INIT;
      mc_canon w;
      mc_canon_init(&w, &val);
      mc_canon_map(&w, 3);
      mc_canon_kv_str(&w, "agency", s.agency);
      mc_canon_key(&w, "email");
      mc_canon_str(&w, email && email->type == MSGPACK_OBJECT_STR ? email->via.str.ptr : "",
                   email && email->type == MSGPACK_OBJECT_STR ? email->via.str.size : 0);
      mc_canon_key(&w, "phone");
      mc_canon_str(&w, phone && phone->type == MSGPACK_OBJECT_STR ? phone->via.str.ptr : "",
                   phone && phone->type == MSGPACK_OBJECT_STR ? phone->via.str.size : 0);
      if ((rc = mc_canon_finish(&w)) == 0)
        rc = store_proj_put(tx, code, code_len, val.data, val.len);
      mc_buf_free(&val);
    } else {
      rc = 0;
    }
  }
  return rc;
}

/* Version 2 of the snapshot projection keeps the snapshot alone (not the
 * event's data), version 3 by position; of the outbox, only which messages wait (their texts are in
 * the log); of the forms, which event filed each (the form is there).  The others moved to version 2 with it: they read the snapshot
 * from it. */
static const store_projection projections[] = {
    {ENG_PROJ_DOSSIER, 3, apply_dossier, NULL, NULL},
    {ENG_PROJ_TIMERS, 2, apply_timers, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_CODES, 1, apply_codes, NULL, NULL},
    {ENG_PROJ_FORMS, 2, apply_forms, NULL, NULL},
    {ENG_PROJ_DEFS, 2, apply_defs, NULL, NULL},
    {ENG_PROJ_HANDLERS, 2, apply_handlers, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_DOCUMENTS, 2, apply_documents, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_OUTBOX, 2, apply_outbox, NULL, NULL},
    {ENG_PROJ_CONTACTS, 2, apply_contacts, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_ACCOUNTS, 1, eng__account_apply, NULL, NULL},
    {ENG_PROJ_COUNTS, 2, apply_counts, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_FEEDS, 2, apply_feeds, NULL, ENG_PROJ_DOSSIER},
};

void eng_projections(const store_projection **list, size_t *count) {
  *list = projections;
  *count = sizeof projections / sizeof projections[0];
}

/* ============================================================ open, close */

int eng_open(const char *dir, const eng_options *opt, eng_engine **out, mc_buf *why) {
  eng_engine *e = calloc(1, sizeof *e);
  store_options so = {0};
  int rc;
  *out = NULL;
  if (e == NULL)
    return MC_ENOMEM;
  so.read_only = opt && opt->read_only;
  so.map_size = opt ? opt->map_size : 0;
  so.projections = projections;
  so.nprojections = sizeof projections / sizeof projections[0];
  if ((rc = store_open(dir, &so, &e->st, why)) != 0) {
    free(e);
    return rc;
  }
  *out = e;
  return 0;
}

void eng_close(eng_engine *e) {
  if (e == NULL)
    return;
  for (eng_def *d = e->defs, *next; d; d = next) {
    next = d->next;
    eng_calendar_free(d->calendar);
    mc_arena_free(&d->arena);
    free(d);
  }
  store_close(e->st);
  mc_buf_free(&e->form_copy);
  free(e);
}

store *eng_store(eng_engine *e) { return e->st; }

/* A snapshot as a view; `applicant` (may be NULL) gets the applicant's account. */
static void view_of_snap(const eng_snap *s, eng_dossier_view *out, char *applicant, size_t asize) {
  memset(out, 0, sizeof *out);
  snprintf(out->code, sizeof out->code, "%s", s->code);
  snprintf(out->procedure, sizeof out->procedure, "%s", s->procedure);
  snprintf(out->agency, sizeof out->agency, "%s", s->agency);
  snprintf(out->state, sizeof out->state, "%s", s->state);
  snprintf(out->outcome, sizeof out->outcome, "%s", s->outcome);
  snprintf(out->classification, sizeof out->classification, "%s", s->classification);
  out->version = s->version;
  out->submitted_at = s->submitted_at;
  out->accepted_at = s->accepted_at;
  out->appointment_at = s->appointment_at;
  out->decided_at = s->decided_at;
  out->finished_at = s->finished_at;
  out->paused_since = s->paused_since;
  out->supplement_used = s->supplement_used;
  out->supplement_late = s->supplement_late;
  out->extended = s->extended;
  snprintf(out->handler, sizeof out->handler, "%s", s->handler);
  out->nco_handlers = s->nco_handlers;
  for (int i = 0; i < s->nco_handlers; i++)
    snprintf(out->co_handlers[i], sizeof out->co_handlers[i], "%s", s->co_handlers[i]);
  out->rating = s->rating;
  out->fee_paid = s->fee_paid;
  out->refunded = s->refunded;
  for (int i = 0; i < s->nsteps && i < 8; i++)
    snprintf(out->steps[out->nsteps++], sizeof out->steps[0], "%s", s->steps[i]);
  if (applicant)
    snprintf(applicant, asize, "%s", s->applicant);
}

static int dossier_read(eng_engine *e, const char *code, eng_dossier_view *out, char *applicant, size_t asize) {
  store_read *rd;
  const void *v;
  size_t vlen;
  int rc;
  eng_dossier_view scratch;
  eng_snap s;
  if (out == NULL)
    out = &scratch;
  memset(out, 0, sizeof *out);
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  rc = store_read_proj(rd, ENG_PROJ_DOSSIER, code, strlen(code), &v, &vlen);
  if (rc == 0 && (rc = eng__snap_of_bytes(v, vlen, &s)) == 0)
    view_of_snap(&s, out, applicant, asize);
  store_read_end(rd);
  return rc;
}

int eng_dossier_get(eng_engine *e, const char *code, eng_dossier_view *out) {
  return dossier_read(e, code, out, NULL, 0);
}

int eng_dossier_applicant(eng_engine *e, const char *code, char *out, size_t size) {
  return dossier_read(e, code, NULL, out, size);
}

int eng_event_view_of(eng_engine *e, const store_event *ev, eng_event_view *out) {
  return eng_event_view_in(e, NULL, ev, out);
}

int eng_event_view_in(eng_engine *e, store_read *in, const store_event *ev, eng_event_view *out) {
  memset(out, 0, sizeof *out);
  if (!is_dossier_event(ev) || ev->stream.len <= 8)
    return MC_ENOENT;
  msgpack_unpacked u;
  size_t off = 0;
  eng_snap s;
  store_read *rd = in;
  msgpack_unpacked_init(&u);
  int rc = msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) == MSGPACK_UNPACK_SUCCESS ? 0
                                                                                                        : MC_EPARSE;
  /* Format 1 carries the snapshot; format 2 reads it where it stands. */
  if (rc == 0 && eng__get(&u.data, "after"))
    rc = eng__snap_apply(ev, &u.data, NULL, &s);
  else if (rc == 0 && (rd || (rc = store_read_begin(e->st, &rd)) == 0))
    rc = eng__snap_at(rd, ev->stream.ptr + 8, ev->stream.len - 8, ev->version, &s);
  if (rd != in)
    store_read_end(rd);
  if (rc == 0) {
    view_of_snap(&s, &out->dossier, out->applicant, sizeof out->applicant);
    const msgpack_object *what = eng__get(&u.data, "what");
    eng__str_copy(eng__get(what, "action"), out->action, sizeof out->action);
    eng__str_copy(eng__get(what, "step"), out->step, sizeof out->step);
    snprintf(out->type, sizeof out->type, "%.*s", (int)ev->type.len, ev->type.ptr);
    out->seq = ev->seq;
    out->time = ev->time;
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

int eng_calendar_pack(const char *id, const char *const *names, const char *const *texts, int n,
                      mc_buf *out) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 2);
  mc_canon_key(&w, "files");
  mc_canon_array(&w, (uint32_t)n);
  for (int i = 0; i < n; i++) {
    mc_canon_map(&w, 2);
    mc_canon_kv_str(&w, "name", names[i]);
    mc_canon_kv_str(&w, "text", texts[i]);
  }
  mc_canon_kv_str(&w, "id", id);
  return mc_canon_finish(&w);
}

int eng_calendar_pack_dir(const char *dir, mc_diag_sink *sink, mc_buf *out) {
  char *id, **names, **texts;
  int n, rc = eng_calendar_read_dir(dir, sink, &id, &names, &texts, &n);
  if (rc)
    return rc;
  rc = eng_calendar_pack(id, (const char *const *)names, (const char *const *)texts, n, out);
  eng_calendar_names_free(names, texts, n);
  free(id);
  return rc;
}

eng_def_kind eng_def_kind_of(int artifact_kind) {
  return artifact_kind == DSL_ARTIFACT_PROCEDURE ? ENG_DEF_PROCEDURE
         : artifact_kind == DSL_ARTIFACT_POLICY  ? ENG_DEF_POLICY
         : artifact_kind == DSL_ARTIFACT_TEMPLATE ? ENG_DEF_TEMPLATE
                                                     : ENG_DEF_DIRECTORY;
}

/* Every entry of a projection whose key starts with `prefix`, in key order:
 * each(opaque, rest of the key, value) returns 0 to go on, 1 to stop, or a
 * negative error that is returned. */
typedef int (*prefix_fn)(void *opaque, const char *rest, size_t rest_len, const void *val, size_t vlen);

typedef struct prefix_ctx {
  const uint8_t *prefix;
  size_t prefix_len;
  prefix_fn each;
  void *opaque;
} prefix_ctx;

static int prefix_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  prefix_ctx *c = opaque;
  /* Keys come in order from the prefix on: the first without it ends the scan. */
  if (klen <= c->prefix_len || memcmp(key, c->prefix, c->prefix_len) != 0)
    return 1;
  return c->each(c->opaque, (const char *)key + c->prefix_len, klen - c->prefix_len, val, vlen);
}

static int scan_prefix(eng_engine *e, const char *projection, const mc_buf *prefix, prefix_fn each, void *opaque) {
  prefix_ctx c = {prefix->data, prefix->len, each, opaque};
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) == 0) {
    rc = store_read_proj_scan(rd, projection, prefix->data, prefix->len, prefix_one, &c);
    store_read_end(rd);
  }
  return rc;
}

typedef struct handled_ctx {
  eng_code_fn fn;
  void *opaque;
} handled_ctx;

static int handled_one(void *opaque, const char *rest, size_t rest_len, const void *val, size_t vlen) {
  handled_ctx *c = opaque;
  char code[64];
  (void)val, (void)vlen;
  if (rest_len >= sizeof code)
    return 1;
  memcpy(code, rest, rest_len);
  code[rest_len] = '\0';
  return c->fn(c->opaque, code);
}

int eng_dossiers_handled_by(eng_engine *e, const char *handler, eng_code_fn fn, void *opaque) {
  mc_buf prefix = MC_BUF_INIT;
  handled_ctx c = {fn, opaque};
  int rc = pair_key(&prefix, 'h', handler, strlen(handler), "", 0);
  if (rc == 0)
    rc = scan_prefix(e, ENG_PROJ_HANDLERS, &prefix, handled_one, &c);
  mc_buf_free(&prefix);
  return rc;
}

/* ============================================================ documents */

#define ENG_MAX_DOCUMENT_VIEWS 64

typedef struct documents_ctx {
  const uint8_t *prefix;
  size_t prefix_len;
  eng_document_view views[ENG_MAX_DOCUMENT_VIEWS];
  int n;
} documents_ctx;

static int document_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  documents_ctx *c = opaque;
  msgpack_unpacked u;
  size_t off = 0;
  int rc = MC_ECORRUPT;
  if (klen < c->prefix_len || memcmp(key, c->prefix, c->prefix_len) != 0 || c->n == ENG_MAX_DOCUMENT_VIEWS)
    return 1;
  eng_document_view *dv = &c->views[c->n], d;
  memset(&d, 0, sizeof d);
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, val, vlen, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *hash = eng__get(&u.data, "hash");
    rc = eng__str_copy(eng__get(&u.data, "name"), d.name, sizeof d.name) |
         eng__str_copy(eng__get(&u.data, "valid_until"), d.valid_until, sizeof d.valid_until) |
         eng__str_copy(eng__get(&u.data, "reused_from"), d.reused_from, sizeof d.reused_from);
    if (hash && hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32) {
      mc_hex((const uint8_t *)hash->via.bin.ptr, 32, d.sha256);
      d.supplied_at = get_int(eng__get(&u.data, "supplied_at"));
    }
  }
  msgpack_unpacked_destroy(&u);
  if (rc)
    return MC_ECORRUPT;
  *dv = d;
  c->n++;
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const eng_document_view *)a)->name, ((const eng_document_view *)b)->name);
}

/* What the projection holds (supplied, reused; a format-1 event recorded the
 * missing ones too), and every other document the procedure asks for, as
 * missing: in the order of their names. */
int eng_dossier_documents(eng_engine *e, const char *code, eng_document_fn fn, void *opaque) {
  mc_buf prefix = MC_BUF_INIT;
  documents_ctx *c = calloc(1, sizeof *c);
  store_read *rd = NULL;
  const void *v;
  size_t vlen;
  eng_snap s;
  mc_arena arena = MC_ARENA_INIT;
  dsl_machine *m = NULL;
  int rc = c ? pair_key(&prefix, 'd', code, strlen(code), "", 0) : MC_ENOMEM;
  if (rc == 0)
    rc = store_read_begin(e->st, &rd);
  if (rc == 0) {
    c->prefix = prefix.data;
    c->prefix_len = prefix.len;
    rc = store_read_proj_scan(rd, ENG_PROJ_DOCUMENTS, prefix.data, prefix.len, document_one, c);
  }
  if (rc >= 0 && (rc = store_read_proj(rd, ENG_PROJ_DOSSIER, code, strlen(code), &v, &vlen)) == 0 &&
      (rc = eng__snap_of_bytes(v, vlen, &s)) == 0) {
    uint8_t key[34] = {'b', '/'};
    memcpy(key + 2, s.definition, 32);
    if ((rc = store_read_proj(rd, ENG_PROJ_DEFS, key, sizeof key, &v, &vlen)) == 0) {
      uint8_t *copy = mc_arena_alloc(&arena, vlen);
      rc = copy ? (memcpy(copy, v, vlen), dsl_machine_decode(copy, vlen, &arena, &m)) : MC_ENOMEM;
    }
  }
  for (int i = 0; rc == 0 && m && i < m->ndocuments; i++) {
    const dsl_m_document *asked = &m->documents[i];
    bool have = asked->eform || asked->result;
    for (int k = 0; k < c->n && !have; k++)
      have = !strcmp(c->views[k].name, asked->name);
    if (!have && c->n < ENG_MAX_DOCUMENT_VIEWS) {
      memset(&c->views[c->n], 0, sizeof c->views[0]);
      snprintf(c->views[c->n++].name, sizeof c->views[0].name, "%s", asked->name);
    }
  }
  store_read_end(rd);
  if (rc == 0) {
    qsort(c->views, (size_t)c->n, sizeof c->views[0], by_name);
    for (int i = 0; rc == 0 && i < c->n; i++)
      rc = fn(opaque, &c->views[i]);
  }
  mc_arena_free(&arena);
  mc_buf_free(&prefix);
  free(c);
  return rc < 0 ? rc : 0;
}

/* ============================================================ the outbox */

typedef struct outbox_ctx {
  eng_message_fn fn;
  void *opaque;
  int left;                   /* -1: no limit */
  store_read *rd;
} outbox_ctx;

/* One waiting message, read from the event that caused it: the texts it
 * recorded (format 1, announcements, alerts), or rendered from its
 * template's hash and the event's facts (a dossier event of format 2). */
static int message_of_event(store_read *rd, uint64_t seq, int index, eng_message *m, mc_buf texts[6]) {
  store_event ev;
  int rc = store_read_event(rd, seq, &ev);
  if (rc)
    return rc;
  bool dossier = eng_event_is_dossier(eng__event_type(&ev));
  if (dossier && ev.stream.len - 8 < sizeof m->dossier) {
    memcpy(m->dossier, ev.stream.ptr + 8, ev.stream.len - 8);
    m->dossier[ev.stream.len - 8] = '\0';
  }
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  rc = msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS ? 0 : MC_ECORRUPT;
  const msgpack_object *notify = rc == 0 ? eng__get(&u.data, "notify") : NULL;
  const msgpack_object *note = notify && notify->type == MSGPACK_OBJECT_ARRAY && (uint32_t)index < notify->via.array.size
                                   ? &notify->via.array.ptr[index] : NULL;
  if (note == NULL)
    rc = MC_ECORRUPT;
  if (rc == 0 && !dossier)
    rc = eng__str_copy(eng__get(&u.data, "dossier"), m->dossier, sizeof m->dossier);
  if (rc == 0)
    rc = eng__str_copy(eng__get(note, "to"), m->to, sizeof m->to);
  /* subject, body, sms, email, phone, error */
  static const char *const keys[] = {"subject", "body", "sms", "email", "phone", "error"};
  if (rc == 0 && eng__get(note, "body") == NULL) {
    char error[256];
    rc = eng__message_render(rd, &ev, &u.data, note, texts, m->template_name, sizeof m->template_name, error,
                             sizeof error);
    mc_buf_append_str(&texts[5], error);
  } else if (rc == 0) {
    rc = eng__str_copy(eng__get(note, "template"), m->template_name, sizeof m->template_name);
    for (int i = 0; i < 6 && rc == 0; i++) {
      const msgpack_object *t = eng__get(note, keys[i]);
      if (t && t->type == MSGPACK_OBJECT_STR)
        mc_buf_append(&texts[i], t->via.str.ptr, t->via.str.size);
    }
  }
  msgpack_unpacked_destroy(&u);
  const char **slots[] = {&m->subject, &m->body, &m->sms, &m->email, &m->phone, &m->error};
  for (int i = 0; i < 6; i++)
    *slots[i] = mc_buf_cstr(&texts[i]) ? mc_buf_cstr(&texts[i]) : "";
  return rc;
}

static int outbox_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  outbox_ctx *c = opaque;
  (void)val, (void)vlen;
  if (klen != 9 || c->left == 0)
    return 1;
  const uint8_t *k = key;
  eng_message m;
  memset(&m, 0, sizeof m);
  for (int i = 0; i < 8; i++)
    m.seq = m.seq << 8 | k[i];
  m.index = k[8];
  mc_buf texts[6];
  for (int i = 0; i < 6; i++)
    texts[i] = (mc_buf)MC_BUF_INIT;
  int rc = message_of_event(c->rd, m.seq, m.index, &m, texts);
  if (rc == 0) {
    if (c->left > 0)
      c->left--;
    rc = c->fn(c->opaque, &m);
  } else {
    /* One entry that cannot be read must not hold up every other message. */
    mc_log(MC_LOG_ERROR, "engine", "outbox message %llu/%d cannot be read (%s): skipped", (unsigned long long)m.seq,
           m.index, mc_strerror(rc));
    rc = 0;
  }
  for (int i = 0; i < 6; i++)
    mc_buf_free(&texts[i]);
  return rc;
}

int eng_outbox_pending(eng_engine *e, uint64_t from_seq, int max, eng_message_fn fn, void *opaque) {
  uint8_t from[9];
  outbox_ctx c = {fn, opaque, max > 0 ? max : -1, NULL};
  store_read *rd;
  int rc = store_read_begin(e->st, &rd);
  if (rc == 0) {
    c.rd = rd;
    rc = store_read_proj_scan(rd, ENG_PROJ_OUTBOX, from, outbox_key(from, from_seq, 0), outbox_one, &c);
    store_read_end(rd);
  }
  return rc;
}

int eng_audit_event(eng_engine *e, uint64_t seq, mc_buf *snapshot, eng_message_fn fn, void *opaque) {
  store_read *rd;
  store_event ev;
  int rc = store_read_begin(e->st, &rd);
  if (rc)
    return rc;
  mc_buf_reset(snapshot);
  int nnotes = 0;
  if ((rc = store_read_event(rd, seq, &ev)) == 0) {
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
      const msgpack_object *notify = eng__get(&u.data, "notify");
      nnotes = notify && notify->type == MSGPACK_OBJECT_ARRAY ? (int)notify->via.array.size : 0;
    }
    msgpack_unpacked_destroy(&u);
    if (is_dossier_event(&ev)) {
      eng_snap s;
      mc_canon w;
      if ((rc = eng__snap_at(rd, ev.stream.ptr + 8, ev.stream.len - 8, ev.version, &s)) == 0) {
        mc_canon_init(&w, snapshot);
        eng__snap_map(&s, &w);
        rc = mc_canon_finish(&w);
      }
    }
  }
  for (int i = 0; rc == 0 && fn && i < nnotes; i++) {
    eng_message m;
    mc_buf texts[6];
    memset(&m, 0, sizeof m);
    m.seq = seq;
    m.index = i;
    for (int k = 0; k < 6; k++)
      texts[k] = (mc_buf)MC_BUF_INIT;
    rc = message_of_event(rd, seq, i, &m, texts);
    if (rc == 0)
      rc = fn(opaque, &m);
    for (int k = 0; k < 6; k++)
      mc_buf_free(&texts[k]);
  }
  store_read_end(rd);
  return rc < 0 ? rc : 0;
}

/* ============================================================ contacts */

typedef struct contacts_ctx {
  const char *agency;
  eng_contact_fn fn;
  void *opaque;
} contacts_ctx;

static int contact_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  contacts_ctx *c = opaque;
  char code[64], agency[32], email[256], phone[32];
  msgpack_unpacked u;
  size_t off = 0;
  if (klen >= sizeof code)
    return MC_ECORRUPT;
  memcpy(code, key, klen);
  code[klen] = '\0';
  msgpack_unpacked_init(&u);
  int rc = msgpack_unpack_next(&u, val, vlen, &off) == MSGPACK_UNPACK_SUCCESS ? 0 : MC_ECORRUPT;
  if (rc == 0)
    rc = eng__str_copy(eng__get(&u.data, "agency"), agency, sizeof agency) |
         eng__str_copy(eng__get(&u.data, "email"), email, sizeof email) |
         eng__str_copy(eng__get(&u.data, "phone"), phone, sizeof phone);
  msgpack_unpacked_destroy(&u);
  if (rc)
    return MC_ECORRUPT;
  if (c->agency && strcmp(c->agency, agency))
    return 0;
  return c->fn(c->opaque, code, email, phone);
}

int eng_open_contacts(eng_engine *e, const char *agency, eng_contact_fn fn, void *opaque) {
  contacts_ctx c = {agency, fn, opaque};
  store_read *rd;
  int rc = store_read_begin(e->st, &rd);
  if (rc == 0) {
    rc = store_read_proj_scan(rd, ENG_PROJ_CONTACTS, "", 0, contact_one, &c);
    store_read_end(rd);
  }
  return rc;
}

/* ============================================================ catalogue */

typedef struct defs_ctx {
  store_read *rd;
  const char *prefix;
  size_t prefix_len;
  mc_instant at;
  eng_def_fn fn;
  void *opaque;
} defs_ctx;

static int def_bytes(defs_ctx *c, const void *key, size_t klen, const uint8_t *hash) {
  uint8_t bkey[34] = {'b', '/'};
  memcpy(bkey + 2, hash, 32);
  const void *bytes;
  size_t blen;
  int rc = store_read_proj(c->rd, ENG_PROJ_DEFS, bkey, sizeof bkey, &bytes, &blen);
  if (rc)
    return rc == MC_ENOENT ? MC_ECORRUPT : rc;
  char id[128];
  snprintf(id, sizeof id, "%.*s", (int)(klen - c->prefix_len), (const char *)key + c->prefix_len);
  return c->fn(c->opaque, id, bytes, blen);
}

static int def_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  defs_ctx *c = opaque;
  if (klen <= c->prefix_len || memcmp(key, c->prefix, c->prefix_len) != 0)
    return 1;
  static const uint8_t none[32] = {0};
  const uint8_t *p = val, *hash = NULL;
  int rc = 0;
  if (c->at == ENG_EVERY_VERSION) {
    for (size_t off = 0; rc == 0 && off + 40 <= vlen; off += 40)
      if (memcmp(p + off + 8, none, 32) != 0)
        rc = def_bytes(c, key, klen, p + off + 8);
    return rc;
  }
  /* The newest version in effect at `at` (as eng__def_current); an all-zero
   * hash marks a retirement. */
  int64_t best = INT64_MIN;
  for (size_t off = 0; off + 40 <= vlen; off += 40) {
    int64_t from = 0;
    for (int i = 0; i < 8; i++)
      from = (int64_t)((uint64_t)from << 8 | p[off + i]);
    if (from <= c->at && from >= best) {
      best = from;
      hash = p + off + 8;
    }
  }
  if (hash == NULL || memcmp(hash, none, 32) == 0)
    return 0;
  return def_bytes(c, key, klen, hash);
}

int eng_definitions(eng_engine *e, eng_def_kind kind, mc_instant at, eng_def_fn fn, void *opaque) {
  char prefix[32];
  int n = snprintf(prefix, sizeof prefix, "%s/", eng_def_kind_name(kind));
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  defs_ctx c = {rd, prefix, (size_t)n, at, fn, opaque};
  rc = store_read_proj_scan(rd, ENG_PROJ_DEFS, prefix, (size_t)n, def_one, &c);
  store_read_end(rd);
  return rc < 0 ? rc : 0;
}

/* ============================================================ open dossiers of an agency */

int eng__count_open(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  eng__open_count *oc = opaque;
  if (klen < oc->prefix_len || memcmp(key, oc->prefix, oc->prefix_len) != 0)
    return 1;
  eng_snap s;
  if (eng__snap_of_bytes(val, vlen, &s) == 0 && s.ntokens > 0 && oc->open++ == 0)
    snprintf(oc->first, sizeof oc->first, "%.*s", (int)(klen < 63 ? klen : 63), (const char *)key);
  return 0;
}

int eng_agency_open_dossiers(eng_engine *e, const char *agency, int *count, char *first, size_t size) {
  char prefix[80];
  store_read *rd;
  int n = snprintf(prefix, sizeof prefix, "%s-", agency), rc;
  *count = 0;
  if (n < 0 || (size_t)n >= sizeof prefix)
    return MC_EINVAL;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  eng__open_count oc = {prefix, (size_t)n, 0, ""};
  rc = store_read_proj_scan(rd, ENG_PROJ_DOSSIER, prefix, (size_t)n, eng__count_open, &oc);
  store_read_end(rd);
  *count = oc.open;
  if (first)
    snprintf(first, size, "%s", oc.first);
  return rc;
}

/* ============================================================ counts */

typedef struct counts_ctx {
  eng_count_fn fn;
  void *opaque;
} counts_ctx;

static int count_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  counts_ctx *c = opaque;
  const char *k = key;
  if (vlen != 8 || klen == 0)
    return 0;
  uint64_t n = 0;
  for (int i = 0; i < 8; i++)
    n = n << 8 | ((const uint8_t *)val)[i];
  char name[64];
  if (klen == 1 && k[0] == 't')
    return c->fn(c->opaque, "timers", "", n);
  if (klen > 2 && k[0] == 's' && k[1] == '/') {
    snprintf(name, sizeof name, "%.*s", (int)(klen - 2), k + 2);
    return c->fn(c->opaque, "state", name, n);
  }
  return 0;
}

int eng_counts(eng_engine *e, eng_count_fn fn, void *opaque) {
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  counts_ctx c = {fn, opaque};
  /* "s/..." then "t": start at "d" to skip the per-dossier "c/" entries. */
  rc = store_read_proj_scan(rd, ENG_PROJ_COUNTS, "d", 1, count_one, &c);
  store_read_end(rd);
  return rc < 0 ? rc : 0;
}

/* ============================================================ feeds */

typedef struct feed_ctx {
  store_read *rd;
  const uint8_t *prefix;
  size_t plen;
  uint64_t upto;
  int left;
  store_event_fn fn;
  void *opaque;
  int rc;
} feed_ctx;

static int feed_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  feed_ctx *c = opaque;
  (void)val, (void)vlen;
  if (klen != c->plen + 8 || memcmp(key, c->prefix, c->plen) != 0)
    return 1;
  uint64_t seq = 0;
  for (int i = 0; i < 8; i++)
    seq = seq << 8 | ((const uint8_t *)key)[c->plen + i];
  if (seq > c->upto || c->left-- <= 0)
    return 1;
  store_event ev;
  if ((c->rc = store_read_event(c->rd, seq, &ev)) != 0)
    return c->rc;
  if ((c->rc = c->fn(c->opaque, &ev)) != 0)
    return 1;
  return 0;
}

int eng_applicant_events(eng_engine *e, const char *applicant, uint64_t from_seq, uint64_t upto, int max,
                         store_event_fn fn, void *opaque) {
  size_t n = strlen(applicant);
  if (n == 0 || n > 63)
    return MC_EINVAL;
  uint8_t from[64 + 9];
  memcpy(from, applicant, n);
  from[n] = 0;
  for (int i = 0; i < 8; i++)
    from[n + 1 + i] = (uint8_t)(from_seq >> (56 - 8 * i));
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  feed_ctx c = {rd, from, n + 1, upto, max, fn, opaque, 0};
  rc = store_read_proj_scan(rd, ENG_PROJ_FEEDS, from, n + 9, feed_one, &c);
  store_read_end(rd);
  if (rc < 0)
    return rc;
  if (c.rc < 0)
    return c.rc;
  return c.rc == 1 ? 1 : 0;
}
