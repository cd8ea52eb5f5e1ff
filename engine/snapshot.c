/* snapshot.c — a dossier's snapshot: its fields as one table, the three
 * encodings built from it, and the snapshot at any event.
 *
 *   - the snapshot projection (ENG_PROJ_DOSSIER) keeps each dossier's
 *     current snapshot: every field not at its default (the version among
 *     them), by position (eng__snap_encode); auditors read the same as a map
 *     (eng__snap_map);
 *   - an event of record format 2 (docs/ENGINE.md, "What an event carries")
 *     carries `set`: the fields the event changed, and applying it is
 *     patching the previous snapshot with them (the code, version and
 *     definition are the record's: its stream, version and definition hash);
 *   - an event of format 1 carried the whole snapshot (`after`), with the
 *     step names beside it (`steps`): applying it is decoding it.
 *
 * A field's default is 0, "", false, 32 zero bytes or an empty list, and
 * decoding starts from the defaults, so the encodings only ever hold what
 * differs.
 */
#include "engine/engine-int.h"

#include "base/error.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

typedef enum { F_I64, F_INT, F_U64, F_STR, F_BOOL, F_HASH, F_CO, F_JOINS, F_TOKENS, F_STEPS } field_type;

typedef struct snap_field {
  const char *key;
  field_type type;
  size_t off, size;
  bool header; /* never in `set`: the event's record says it (its stream, version, definition) */
} snap_field;

#define ENG__SET false
#define ENG__HEADER true

/* From the one list (engine-int.h, ENG_SNAP_FIELDS), in the ascending byte
 * order of their keys, as canonical maps want them.  "rated" is the rating
 * (its name in the first records). */
static const snap_field fields[] = {
#define ENG__SNAP_FIELD(kind, member, key, where, decl) \
  {key, F_##kind, offsetof(eng_snap, member), sizeof(((eng_snap *)0)->member), ENG__##where},
    ENG_SNAP_FIELDS(ENG__SNAP_FIELD)
#undef ENG__SNAP_FIELD
};

#define NFIELDS (sizeof fields / sizeof fields[0])

static const void *at(const eng_snap *s, const snap_field *f) { return (const char *)s + f->off; }

/* How many entries a list field holds. */
static int count_of(const eng_snap *s, const snap_field *f) {
  switch (f->type) {
  case F_CO: return s->nco_handlers;
  case F_JOINS: return s->njoins;
  case F_TOKENS: return s->ntokens;
  case F_STEPS: return s->nsteps;
  default: return 0;
  }
}

static bool is_default(const eng_snap *s, const snap_field *f) {
  static const uint8_t zero[32] = {0};
  const void *p = at(s, f);
  switch (f->type) {
  case F_I64: return *(const int64_t *)p == 0;
  case F_INT: return *(const int *)p == 0;
  case F_U64: return *(const uint64_t *)p == 0;
  case F_STR: return *(const char *)p == '\0';
  case F_BOOL: return !*(const bool *)p;
  case F_HASH: return memcmp(p, zero, 32) == 0;
  default: return count_of(s, f) == 0;
  }
}

static bool same(const eng_snap *a, const eng_snap *b, const snap_field *f) {
  const void *pa = at(a, f), *pb = at(b, f);
  int n = count_of(a, f);
  switch (f->type) {
  case F_STR: return strcmp(pa, pb) == 0;
  case F_BOOL: return *(const bool *)pa == *(const bool *)pb;
  case F_INT: return *(const int *)pa == *(const int *)pb;
  case F_CO:
    for (int i = 0; i < n && n == count_of(b, f); i++)
      if (strcmp(a->co_handlers[i], b->co_handlers[i]))
        return false;
    return n == count_of(b, f);
  case F_STEPS:
    for (int i = 0; i < n && n == count_of(b, f); i++)
      if (strcmp(a->steps[i], b->steps[i]))
        return false;
    return n == count_of(b, f);
  case F_JOINS: return n == count_of(b, f) && memcmp(pa, pb, (size_t)n * sizeof a->joins[0]) == 0;
  case F_TOKENS: return n == count_of(b, f) && memcmp(pa, pb, (size_t)n * sizeof a->tokens[0]) == 0;
  default: return memcmp(pa, pb, f->size) == 0; /* integers, hashes */
  }
}

static void write_value(const eng_snap *s, const snap_field *f, mc_canon *w) {
  const void *p = at(s, f);
  int n = count_of(s, f);
  switch (f->type) {
  case F_I64: mc_canon_int(w, *(const int64_t *)p); break;
  case F_INT: mc_canon_int(w, *(const int *)p); break;
  case F_U64: mc_canon_uint(w, *(const uint64_t *)p); break;
  case F_STR: mc_canon_cstr(w, p); break;
  case F_BOOL: mc_canon_bool(w, *(const bool *)p); break;
  case F_HASH: mc_canon_bin(w, p, 32); break;
  case F_CO:
    mc_canon_array(w, (uint32_t)n);
    for (int i = 0; i < n; i++)
      mc_canon_cstr(w, s->co_handlers[i]);
    break;
  case F_STEPS:
    mc_canon_array(w, (uint32_t)n);
    for (int i = 0; i < n; i++)
      mc_canon_cstr(w, s->steps[i]);
    break;
  case F_JOINS:
    mc_canon_array(w, (uint32_t)n);
    for (int i = 0; i < n; i++) {
      mc_canon_map(w, 2);
      mc_canon_kv_int(w, "arrived", s->joins[i].arrived);
      mc_canon_kv_int(w, "node", s->joins[i].node);
    }
    break;
  case F_TOKENS:
    mc_canon_array(w, (uint32_t)n);
    for (int i = 0; i < n; i++) {
      mc_canon_map(w, 4);
      mc_canon_kv_int(w, "due", s->tokens[i].due);
      mc_canon_kv_int(w, "entered", s->tokens[i].entered);
      mc_canon_kv_int(w, "node", s->tokens[i].node);
      mc_canon_kv_int(w, "warn", s->tokens[i].warn);
    }
    break;
  }
}

static int64_t int_of(const msgpack_object *o, bool *ok) {
  if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
    return (int64_t)o->via.u64;
  if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
    return o->via.i64;
  *ok = false;
  return 0;
}

static int read_value(const msgpack_object *o, const snap_field *f, eng_snap *s) {
  void *p = (char *)s + f->off;
  bool ok = true;
  uint32_t n = o->type == MSGPACK_OBJECT_ARRAY ? o->via.array.size : 0;
  switch (f->type) {
  case F_I64: *(int64_t *)p = int_of(o, &ok); break;
  case F_INT: *(int *)p = (int)int_of(o, &ok); break;
  case F_U64: *(uint64_t *)p = (uint64_t)int_of(o, &ok); break;
  case F_STR: return eng__str_copy(o, p, f->size);
  case F_BOOL:
    ok = o->type == MSGPACK_OBJECT_BOOLEAN;
    *(bool *)p = ok && o->via.boolean;
    break;
  case F_HASH:
    ok = o->type == MSGPACK_OBJECT_BIN && o->via.bin.size == 32;
    if (ok)
      memcpy(p, o->via.bin.ptr, 32);
    break;
  case F_CO:
  case F_STEPS: {
    bool co = f->type == F_CO;
    int max = co ? 4 : ENG_MAX_TOKENS;
    if (o->type != MSGPACK_OBJECT_ARRAY || n > (uint32_t)max)
      return MC_EPARSE;
    for (uint32_t i = 0; i < n; i++)
      if (eng__str_copy(&o->via.array.ptr[i], co ? s->co_handlers[i] : s->steps[i],
                        co ? sizeof s->co_handlers[0] : sizeof s->steps[0]))
        return MC_EPARSE;
    *(co ? &s->nco_handlers : &s->nsteps) = (int)n;
    break;
  }
  case F_JOINS:
    if (o->type != MSGPACK_OBJECT_ARRAY || n > ENG_MAX_TOKENS)
      return MC_EPARSE;
    for (uint32_t i = 0; i < n && ok; i++) {
      const msgpack_object *j = &o->via.array.ptr[i], *node = eng__get(j, "node"), *arrived = eng__get(j, "arrived");
      ok = node && arrived;
      if (ok)
        s->joins[i] = (eng_join){(int32_t)int_of(node, &ok), (int32_t)int_of(arrived, &ok)};
    }
    s->njoins = ok ? (int)n : 0;
    break;
  case F_TOKENS:
    if (o->type != MSGPACK_OBJECT_ARRAY || n > ENG_MAX_TOKENS)
      return MC_EPARSE;
    for (uint32_t i = 0; i < n && ok; i++) {
      const msgpack_object *t = &o->via.array.ptr[i], *node = eng__get(t, "node"), *entered = eng__get(t, "entered"),
                           *due = eng__get(t, "due"), *warn = eng__get(t, "warn");
      ok = node && entered && due && warn;
      if (ok)
        s->tokens[i] = (eng_token){(int32_t)int_of(node, &ok), int_of(entered, &ok), int_of(due, &ok),
                                   int_of(warn, &ok)};
    }
    s->ntokens = ok ? (int)n : 0;
    break;
  }
  return ok ? 0 : MC_EPARSE;
}

static const snap_field *field_named(const char *key, size_t len) {
  size_t lo = 0, hi = NFIELDS;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    size_t klen = strlen(fields[mid].key);
    int c = memcmp(fields[mid].key, key, klen < len ? klen : len);
    if (c == 0)
      c = klen < len ? -1 : klen > len ? 1 : 0;
    if (c == 0)
      return &fields[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* Writes the fields of `s` that differ from `base` (NULL: from the
 * defaults); those the event's record gives only when with_header. */
static void write_fields(const eng_snap *s, const eng_snap *base, bool with_header, mc_canon *w) {
  uint32_t n = 0;
  for (size_t i = 0; i < NFIELDS; i++)
    if ((with_header || !fields[i].header) && (base ? !same(s, base, &fields[i]) : !is_default(s, &fields[i])))
      n++;
  mc_canon_map(w, n);
  for (size_t i = 0; i < NFIELDS; i++)
    if ((with_header || !fields[i].header) && (base ? !same(s, base, &fields[i]) : !is_default(s, &fields[i]))) {
      mc_canon_key(w, fields[i].key);
      write_value(s, &fields[i], w);
    }
}

void eng__snap_map(const eng_snap *s, mc_canon *w) { write_fields(s, NULL, true, w); }

/* The projection's form: [mask, values...], the mask's bit i set for each
 * field i of the table (in its order) not at its default, whose value
 * follows in the same order — the names are the table's, not repeated in
 * every dossier's entry. */
void eng__snap_encode(const eng_snap *s, mc_canon *w) {
  uint64_t mask = 0;
  uint32_t n = 0;
  for (size_t i = 0; i < NFIELDS; i++)
    if (!is_default(s, &fields[i]))
      mask |= UINT64_C(1) << i, n++;
  mc_canon_array(w, 1 + n);
  mc_canon_uint(w, mask);
  for (size_t i = 0; i < NFIELDS; i++)
    if (mask >> i & 1)
      write_value(s, &fields[i], w);
}

_Static_assert(sizeof fields / sizeof fields[0] <= 64, "the projection's mask has 64 bits");

static int unpack(const msgpack_object *o, eng_snap *s) {
  memset(s, 0, sizeof *s);
  if (o->type == MSGPACK_OBJECT_MAP)
    return eng__snap_patch(o, s);
  if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0 ||
      o->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
    return MC_EPARSE;
  uint64_t mask = o->via.array.ptr[0].via.u64;
  uint32_t at = 1;
  for (size_t i = 0; i < NFIELDS; i++) {
    if (!(mask >> i & 1))
      continue;
    if (at >= o->via.array.size)
      return MC_EPARSE;
    int rc = read_value(&o->via.array.ptr[at++], &fields[i], s);
    if (rc)
      return rc;
  }
  return at == o->via.array.size && mask >> NFIELDS == 0 ? 0 : MC_EPARSE;
}

void eng__snap_delta(const eng_snap *prev, const eng_snap *next, mc_canon *w) {
  static const eng_snap empty;
  write_fields(next, prev ? prev : &empty, false, w);
}

#ifndef NDEBUG
/* The list is in key order (field_named searches it by halves). */
static bool in_key_order(void) {
  for (size_t i = 1; i < NFIELDS; i++)
    if (strcmp(fields[i - 1].key, fields[i].key) >= 0)
      return false;
  return true;
}
#endif

int eng__snap_patch(const msgpack_object *map, eng_snap *s) {
  assert(in_key_order());
  if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
    return MC_EPARSE;
  for (uint32_t i = 0; i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key;
    if (k->type != MSGPACK_OBJECT_STR)
      return MC_EPARSE;
    const snap_field *f = field_named(k->via.str.ptr, k->via.str.size);
    if (f == NULL)
      return MC_EPARSE; /* a field this version does not know: written by a newer one */
    int rc = read_value(&map->via.map.ptr[i].val, f, s);
    if (rc)
      return rc;
  }
  return 0;
}

int eng__snap_decode(const msgpack_object *o, eng_snap *s) {
  memset(s, 0, sizeof *s);
  return eng__snap_patch(o, s);
}

int eng__snap_of_bytes(const void *bytes, size_t len, eng_snap *s) {
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  int rc = msgpack_unpack_next(&u, bytes, len, &off) == MSGPACK_UNPACK_SUCCESS ? unpack(&u.data, s) : MC_EPARSE;
  msgpack_unpacked_destroy(&u);
  return rc;
}

int eng__snap_apply(const store_event *ev, const msgpack_object *root, const eng_snap *prev, eng_snap *s) {
  const msgpack_object *after = eng__get(root, "after");
  int rc;
  if (ev->stream.len <= 8 || ev->stream.len - 8 >= sizeof s->code)
    return MC_EPARSE;
  if (after) {
    /* Format 1: the whole snapshot, the step names beside it. */
    rc = eng__snap_decode(after, s);
    const msgpack_object *steps = eng__get(root, "steps");
    if (rc == 0 && steps)
      rc = read_value(steps, field_named("steps", 5), s);
  } else {
    if (prev)
      *s = *prev;
    else
      memset(s, 0, sizeof *s);
    rc = eng__snap_patch(eng__get(root, "set"), s);
    /* What the record's header says: the stream is the dossier's, the
     * definition the one it runs under. */
    memcpy(s->code, ev->stream.ptr + 8, ev->stream.len - 8);
    s->code[ev->stream.len - 8] = '\0';
    if (ev->definition_hash)
      memcpy(s->definition, ev->definition_hash, 32);
  }
  s->version = ev->version;
  return rc;
}

/* ============================================================ at an event */

typedef struct replay {
  uint64_t upto;   /* the version wanted */
  eng_snap s;
  bool have;
  int rc;
} replay;

static int replay_one(void *opaque, const store_event *ev) {
  replay *r = opaque;
  if (ev->version > r->upto)
    return 1;
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  eng_snap next;
  r->rc = msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) == MSGPACK_UNPACK_SUCCESS
              ? eng__snap_apply(ev, &u.data, r->have ? &r->s : NULL, &next)
              : MC_EPARSE;
  msgpack_unpacked_destroy(&u);
  if (r->rc)
    return r->rc;
  r->s = next;
  r->have = true;
  return ev->version == r->upto ? 1 : 0;
}

int eng__snap_at(store_read *rd, const char *code, size_t code_len, uint64_t version, eng_snap *out) {
  const void *v;
  size_t vlen;
  /* Most often the event asked for is the dossier's last. */
  if (store_read_proj(rd, ENG_PROJ_DOSSIER, code, code_len, &v, &vlen) == 0 &&
      eng__snap_of_bytes(v, vlen, out) == 0 && out->version == version)
    return 0;
  char stream[128];
  if (code_len > 63)
    return MC_EINVAL;
  snprintf(stream, sizeof stream, "dossier/%.*s", (int)code_len, code);
  replay r = {.upto = version};
  int rc = store_read_stream(rd, stream, 1, replay_one, &r);
  if (rc < 0)
    return rc;
  if (r.rc)
    return r.rc;
  if (!r.have || r.s.version != version)
    return MC_ENOENT;
  *out = r.s;
  return 0;
}
