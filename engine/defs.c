/* defs.c — published definitions: which version is in effect, and the
 * decoded procedure, policy, directory, template or calendar behind a hash
 * (decoded by dsl/ once and cached for the engine's lifetime: definitions
 * never change once published). */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdlib.h>
#include <string.h>

const char *eng_def_kind_name(eng_def_kind k) {
  static const char *const words[] = {"procedure", "policy", "directory", "calendar", "template"};
  return (unsigned)k < sizeof words / sizeof words[0] ? words[k] : "definition";
}

/* The version in effect at `at` among an id's entries (8 bytes BE from, 32
 * bytes hash each). */
static int in_effect(eng_def_kind kind, const void *v, size_t vlen, mc_instant at, uint8_t hash_out[32]) {
  const uint8_t *p = v;
  bool found = false;
  int64_t best = INT64_MIN;
  for (size_t off = 0; off + 40 <= vlen; off += 40) {
    int64_t from = (int64_t)mc_be64_get(p + off);
    /* Calendars: the newest published applies (holidays are announced late).
     * Others: the newest one in effect at `at`; a later publication with the
     * same date replaces an earlier one. */
    if (kind == ENG_DEF_CALENDAR || (from <= at && from >= best)) {
      best = from;
      memcpy(hash_out, p + off + 8, 32);
      found = true;
    }
  }
  static const uint8_t none[32] = {0};
  if (found && memcmp(hash_out, none, 32) == 0)
    return MC_ERANGE; /* retired from `best` on */
  return found ? 0 : MC_ENOENT;
}

static int id_key(eng_def_kind kind, const char *id, char key[128], size_t *len) {
  int n = snprintf(key, 128, "%s/%s", eng_def_kind_name(kind), id);
  if (n < 0 || n >= 128)
    return MC_EINVAL;
  *len = (size_t)n;
  return 0;
}

int eng__def_current(eng_engine *e, store_batch *b, eng_def_kind kind, const char *id, mc_instant at,
                     uint8_t hash_out[32]) {
  (void)e;
  char key[128];
  size_t n;
  const void *v;
  size_t vlen;
  int rc = id_key(kind, id, key, &n);
  if (rc == 0)
    rc = store_cmd_proj_get(b, ENG_PROJ_DEFS, key, n, &v, &vlen);
  return rc ? rc : in_effect(kind, v, vlen, at, hash_out);
}

int eng__def_current_read(store_read *rd, eng_def_kind kind, const char *id, mc_instant at, uint8_t hash_out[32]) {
  char key[128];
  size_t n;
  const void *v;
  size_t vlen;
  int rc = id_key(kind, id, key, &n);
  if (rc == 0)
    rc = store_read_proj(rd, ENG_PROJ_DEFS, key, n, &v, &vlen);
  return rc ? rc : in_effect(kind, v, vlen, at, hash_out);
}

typedef struct each_ctx {
  eng_engine *e;
  store_batch *b;
  eng_def_kind kind;
  char prefix[32];
  size_t prefix_len;
  mc_instant at;
  eng__def_fn fn;
  void *opaque;
} each_ctx;

static int each_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  each_ctx *c = opaque;
  if (klen <= c->prefix_len || memcmp(key, c->prefix, c->prefix_len) != 0)
    return 1;
  uint8_t hash[32]; /* a copy: the view lasts until the next write of the batch only */
  if (in_effect(c->kind, val, vlen, c->at, hash) != 0)
    return 0; /* none in effect, or retired */
  eng_def *def;
  int rc = eng__def_load(c->e, c->b, hash, c->kind, &def);
  return rc ? rc : c->fn(c->opaque, def);
}

int eng__defs_in_effect(eng_engine *e, store_batch *b, eng_def_kind kind, mc_instant at, eng__def_fn fn,
                        void *opaque) {
  each_ctx c = {e, b, kind, "", 0, at, fn, opaque};
  c.prefix_len = (size_t)snprintf(c.prefix, sizeof c.prefix, "%s/", eng_def_kind_name(kind));
  int rc = store_cmd_proj_scan(b, ENG_PROJ_DEFS, c.prefix, c.prefix_len, each_one, &c);
  return rc < 0 ? rc : 0;
}

eng_time_unit eng__unit_of(dsl_m_unit unit) {
  switch (unit) {
  case DSL_M_WORKING_DAYS:
    return ENG_UNIT_WORKING_DAYS;
  case DSL_M_WORKING_HOURS:
    return ENG_UNIT_WORKING_HOURS;
  case DSL_M_HOURS:
    return ENG_UNIT_HOURS;
  case DSL_M_CALENDAR_DAYS:
    break;
  }
  return ENG_UNIT_CALENDAR_DAYS;
}

/* The policy as the engine reads it (dsl_policy_decode), with its settings
 * by name: at most 24 durations are kept for policy.<key> limits. */
static int decode_policy(eng_def *d) {
  eng_policy *p = &d->policy;
  dsl_d_policy *q;
  int rc = dsl_policy_decode(d->bytes, d->len, &d->arena, &q);
  if (rc)
    return rc;
  p->cutoff_min = q->has_cutoff ? q->cutoff_min : ENG_NO_CUTOFF;
  p->has_cutoff = q->has_cutoff;
  p->restart = q->supplement_restarts;
  p->payment_pauses = q->payment_pauses_clock;
  for (int i = 0; i < q->nlimits && p->nlimits < 24; i++) {
    const dsl_d_limit *l = &q->limits[i];
    int u = eng__unit_of(l->unit);
    if (strlen(l->key) >= 64)
      return MC_EPARSE;
    p->limits[p->nlimits].key = l->key;
    p->limits[p->nlimits].amount = l->amount;
    p->limits[p->nlimits].unit = u;
    p->nlimits++;
    if (!strcmp(l->key, "supplement_window"))
      p->has_window = true, p->window.amount = l->amount, p->window.unit = u;
    else if (!strcmp(l->key, "supplement_request_limit"))
      p->has_request_limit = true, p->request_limit.amount = l->amount, p->request_limit.unit = u;
    else if (!strcmp(l->key, "extension_notice"))
      p->has_notice = true, p->notice.amount = l->amount, p->notice.unit = u;
    else if (!strcmp(l->key, "feedback_answer_limit"))
      p->feedback.amount = l->amount, p->feedback.unit = u;
  }
  return 0;
}

int eng_calendar_unpack(const uint8_t *bytes, size_t len, eng_calendar **out) {
  msgpack_unpacked u;
  size_t off = 0;
  mc_arena arena = MC_ARENA_INIT;
  mc_source src[64];
  *out = NULL;
  msgpack_unpacked_init(&u);
  int rc = msgpack_unpack_next(&u, (const char *)bytes, len, &off) == MSGPACK_UNPACK_SUCCESS ? 0 : MC_EPARSE;
  const msgpack_object *files = rc ? NULL : eng__get(&u.data, "files");
  if (files == NULL || files->type != MSGPACK_OBJECT_ARRAY || files->via.array.size == 0 ||
      files->via.array.size > 64)
    rc = MC_EPARSE;
  for (uint32_t i = 0; rc == 0 && i < files->via.array.size; i++) {
    const msgpack_object *name = eng__get(&files->via.array.ptr[i], "name");
    const msgpack_object *text = eng__get(&files->via.array.ptr[i], "text");
    if (name == NULL || name->type != MSGPACK_OBJECT_STR || text == NULL || text->type != MSGPACK_OBJECT_STR) {
      rc = MC_EPARSE;
      break;
    }
    src[i].name = mc_arena_strndup(&arena, name->via.str.ptr, name->via.str.size);
    src[i].text = mc_arena_strndup(&arena, text->via.str.ptr, text->via.str.size);
    src[i].len = text->via.str.size;
    if (src[i].name == NULL || src[i].text == NULL)
      rc = MC_ENOMEM;
  }
  mc_diag_sink quiet = {0};
  if (rc == 0)
    rc = eng_calendar_parse(src, (int)files->via.array.size, &quiet, out);
  msgpack_unpacked_destroy(&u);
  mc_arena_free(&arena);
  return rc;
}

/* The cache: definitions decoded once, found by hash.  Shared by the
 * writer and the readers (read.c, on the server's loop), so looked up and
 * grown under a lock; an entry never changes or goes before eng_close. */
static eng_def *cached(eng_engine *e, const uint8_t hash[32], eng_def_kind kind) {
  eng_def *found = NULL;
  pthread_mutex_lock(&e->defs_lock);
  for (eng_def *d = e->defs; d && !found; d = d->next)
    if (d->kind == kind && memcmp(d->hash, hash, 32) == 0)
      found = d;
  pthread_mutex_unlock(&e->defs_lock);
  return found;
}

/* Decodes a definition's bytes (copied) and adds it to the cache (unless
 * another thread did meanwhile: then that one). */
static int decode(eng_engine *e, const uint8_t hash[32], eng_def_kind kind, const void *v, size_t vlen,
                  eng_def **out) {
  int rc;
  eng_def *d = calloc(1, sizeof *d);
  if (d == NULL)
    return MC_ENOMEM;
  d->kind = kind;
  memcpy(d->hash, hash, 32);
  uint8_t *copy = mc_arena_alloc(&d->arena, vlen ? vlen : 1);
  if (copy == NULL) {
    free(d);
    return MC_ENOMEM;
  }
  memcpy(copy, v, vlen);
  d->bytes = copy;
  d->len = vlen;
  if (kind == ENG_DEF_PROCEDURE) {
    rc = dsl_machine_decode(copy, vlen, &d->arena, &d->machine);
  } else if (kind == ENG_DEF_POLICY) {
    rc = decode_policy(d);
  } else if (kind == ENG_DEF_DIRECTORY || kind == ENG_DEF_TEMPLATE) {
    /* Decoded once per published version; bytes that are not one (only
     * hand-made) read as no agency, or as a template with no text. */
    if (kind == ENG_DEF_DIRECTORY)
      rc = dsl_directory_decode(copy, vlen, &d->directory);
    else
      rc = dsl_template_decode(copy, vlen, &d->arena, &d->tmpl);
    rc = rc == MC_ENOMEM ? rc : 0;
  } else if (kind == ENG_DEF_CALENDAR) {
    rc = eng_calendar_unpack(copy, vlen, &d->calendar);
  } else {
    rc = MC_EPARSE;
  }
  if (rc == 0) {
    pthread_mutex_lock(&e->defs_lock);
    eng_def *other = NULL;
    for (eng_def *x = e->defs; x && !other; x = x->next)
      if (x->kind == kind && memcmp(x->hash, hash, 32) == 0)
        other = x;
    if (other == NULL) {
      d->next = e->defs;
      e->defs = d;
    }
    pthread_mutex_unlock(&e->defs_lock);
    if (other == NULL) {
      *out = d;
      return 0;
    }
    *out = other;
  }
  eng_calendar_free(d->calendar);
  dsl_directory_free(d->directory);
  mc_arena_free(&d->arena);
  free(d);
  return rc;
}

int eng__def_load(eng_engine *e, store_batch *b, const uint8_t hash[32], eng_def_kind kind, eng_def **out) {
  if ((*out = cached(e, hash, kind)) != NULL)
    return 0;
  uint8_t key[34] = {'b', '/'};
  const void *v;
  size_t vlen;
  memcpy(key + 2, hash, 32);
  int rc = store_cmd_proj_get(b, ENG_PROJ_DEFS, key, sizeof key, &v, &vlen);
  return rc ? rc : decode(e, hash, kind, v, vlen, out);
}

int eng__def_read(eng_engine *e, store_read *rd, const uint8_t hash[32], eng_def_kind kind, eng_def **out) {
  if ((*out = cached(e, hash, kind)) != NULL)
    return 0;
  uint8_t key[34] = {'b', '/'};
  const void *v;
  size_t vlen;
  memcpy(key + 2, hash, 32);
  int rc = store_read_proj(rd, ENG_PROJ_DEFS, key, sizeof key, &v, &vlen);
  return rc ? rc : decode(e, hash, kind, v, vlen, out);
}

/* ============================================================ the projection */

/* Definitions: "<kind>/<id>" -> entries of 8 bytes BE effective_from + 32 bytes hash,
 * in publishing order; "b/<hash>" -> the bytes. */
int eng__apply_defs(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  bool retired = eng__is_type(ev, ENG_EV_DEFINITION_RETIRED);
  if (!retired && !eng__is_type(ev, ENG_EV_DEFINITION_PUBLISHED))
    return 0;
  msgpack_unpacked u;
  size_t off = 0;
  int rc = MC_EPARSE;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *kind = eng__get(&u.data, "kind"), *id = eng__get(&u.data, "id");
    const msgpack_object *hash = eng__get(&u.data, "hash"), *bytes = eng__get(&u.data, "bytes");
    int64_t from = eng__int(eng__get(&u.data, "effective_from"));
    static const uint8_t none[32] = {0};
    bool named = kind && kind->type == MSGPACK_OBJECT_STR && id && id->type == MSGPACK_OBJECT_STR;
    bool published = !retired && hash && hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32 && bytes &&
                     bytes->type == MSGPACK_OBJECT_BIN;
    if (named && (retired || published)) {
      /* One more entry in the id's list; a retirement is an all-zero hash:
       * nothing in effect from then on. */
      mc_buf key = MC_BUF_INIT, list = MC_BUF_INIT;
      mc_buf_append(&key, kind->via.str.ptr, kind->via.str.size);
      mc_buf_append_byte(&key, '/');
      mc_buf_append(&key, id->via.str.ptr, id->via.str.size);
      const void *old;
      size_t old_len;
      if (store_proj_get(tx, key.data, key.len, &old, &old_len) == 0)
        mc_buf_append(&list, old, old_len);
      uint8_t entry[40];
      mc_be64_put(entry, (uint64_t)from);
      memcpy(entry + 8, retired ? none : (const uint8_t *)hash->via.bin.ptr, 32);
      mc_buf_append(&list, entry, sizeof entry);
      rc = store_proj_put(tx, key.data, key.len, list.data, list.len);
      if (rc == 0 && published) {
        uint8_t bkey[34] = {'b', '/'};
        memcpy(bkey + 2, hash->via.bin.ptr, 32);
        rc = store_proj_put(tx, bkey, sizeof bkey, bytes->via.bin.ptr, bytes->via.bin.size);
      }
      mc_buf_free(&key);
      mc_buf_free(&list);
    }
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

/* ============================================================ the catalogue */

typedef struct defs_ctx {
  store_read *rd;
  eng_def_kind kind;
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
  const uint8_t *p = val;
  int rc = 0;
  if (c->at == ENG_EVERY_VERSION) {
    for (size_t off = 0; rc == 0 && off + 40 <= vlen; off += 40)
      if (memcmp(p + off + 8, none, 32) != 0)
        rc = def_bytes(c, key, klen, p + off + 8);
    return rc;
  }
  uint8_t hash[32];
  return in_effect(c->kind, p, vlen, c->at, hash) == 0 ? def_bytes(c, key, klen, hash) : 0;
}

int eng_definitions(eng_engine *e, eng_def_kind kind, mc_instant at, eng_def_fn fn, void *opaque) {
  char prefix[32];
  int n = snprintf(prefix, sizeof prefix, "%s/", eng_def_kind_name(kind));
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  defs_ctx c = {rd, kind, prefix, (size_t)n, at, fn, opaque};
  rc = store_read_proj_scan(rd, ENG_PROJ_DEFS, prefix, (size_t)n, def_one, &c);
  store_read_end(rd);
  return rc < 0 ? rc : 0;
}
