/* proj_documents.c — each dossier's documents, each owner's last scans and
 * the dossier that first referenced each file (ENG_PROJ_DOCUMENTS), and
 * their readers. */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eng__more_count(const msgpack_object *more) {
  if (more == NULL)
    return 0;
  if (more->type != MSGPACK_OBJECT_BIN || more->via.bin.size % 32 || more->via.bin.size > 32 * (ENG_MAX_FILES - 1))
    return -1;
  return (int)(more->via.bin.size / 32);
}

int eng__more_view(const msgpack_object *more, eng_document_view *dv) {
  int n = eng__more_count(more);
  if (n < 0)
    return MC_EPARSE;
  for (int k = 0; k < n; k++)
    mc_hex((const uint8_t *)more->via.bin.ptr + 32 * k, 32, dv->more[k]);
  dv->nmore = n;
  return 0;
}

/* "f/" and a file's SHA-256: the key of the dossier that first referenced it. */
static void file_key(uint8_t key[34], const void *hash) {
  key[0] = 'f';
  key[1] = '/';
  memcpy(key + 2, hash, 32);
}

/* A file referenced by the dossier's event: the first dossier is kept (a
 * reuse, a later supplement of the same file, leave it). */
static int put_file(store_proj_txn *tx, const void *hash, const char *code, size_t code_len) {
  uint8_t key[34];
  const void *v;
  size_t vlen;
  file_key(key, hash);
  int rc = store_proj_get(tx, key, sizeof key, &v, &vlen);
  return rc == MC_ENOENT ? store_proj_put(tx, key, sizeof key, code, code_len) : rc;
}

/* An entry of format 2 leaves out what is empty: no hash (missing), no
 * files after the first, not reused (then supplied with the event), no end
 * of validity.  `owner` "": kept for no one's reuse. */
static int put_document(store_proj_txn *tx, const msgpack_object *doc, const store_event *ev, const char *owner) {
  static const msgpack_object nil = {.type = MSGPACK_OBJECT_NIL},
                              empty = {.type = MSGPACK_OBJECT_STR, .via.str = {0, ""}};
  const char *code = ev->stream.ptr + 8;
  size_t code_len = ev->stream.len - 8;
  const msgpack_object *name = eng__get(doc, "name"), *hash = eng__get(doc, "hash"),
                       *reused = eng__get(doc, "reused_from"), *at = eng__get(doc, "supplied_at"),
                       *until = eng__get(doc, "valid_until"), *more = eng__get(doc, "more");
  int nmore = eng__more_count(more);
  msgpack_object now = {.type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = (uint64_t)ev->time};
  hash = hash ? hash : &nil;
  reused = reused ? reused : &empty;
  at = at ? at : &now;
  until = until ? until : &empty;
  if (name == NULL || name->type != MSGPACK_OBJECT_STR || reused->type != MSGPACK_OBJECT_STR ||
      until->type != MSGPACK_OBJECT_STR || nmore < 0)
    return MC_EPARSE;
  mc_buf key = MC_BUF_INIT, val = MC_BUF_INIT;
  mc_canon w;
  int rc = eng__pair_key(&key, 'd', code, code_len, name->via.str.ptr, name->via.str.size);
  mc_canon_init(&w, &val);
  mc_canon_map(&w, 5 + (nmore > 0));
  mc_canon_key(&w, "hash");
  if (hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32)
    mc_canon_bin(&w, hash->via.bin.ptr, 32);
  else
    mc_canon_nil(&w);
  if (nmore > 0) {
    mc_canon_key(&w, "more");
    mc_canon_bin(&w, more->via.bin.ptr, more->via.bin.size);
  }
  mc_canon_key(&w, "name");
  mc_canon_str(&w, name->via.str.ptr, name->via.str.size);
  mc_canon_key(&w, "reused_from");
  mc_canon_str(&w, reused->via.str.ptr, reused->via.str.size);
  mc_canon_kv_int(&w, "supplied_at", eng__int(at));
  mc_canon_key(&w, "valid_until");
  mc_canon_str(&w, until->via.str.ptr, until->via.str.size);
  if (rc == 0 && (rc = mc_canon_finish(&w)) == 0)
    rc = store_proj_put(tx, key.data, key.len, val.data, val.len);
  bool has_hash = hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32;
  for (int k = -1; rc == 0 && has_hash && k < nmore; k++)
    rc = put_file(tx, k < 0 ? hash->via.bin.ptr : more->via.bin.ptr + 32 * k, code, code_len);
  /* The owner's store keeps what was supplied anew, not what was reused. */
  if (rc == 0 && owner[0] && has_hash && reused->via.str.size == 0) {
    mc_buf_reset(&val);
    mc_canon_init(&w, &val);
    mc_canon_map(&w, 4 + (nmore > 0));
    mc_canon_key(&w, "dossier");
    mc_canon_str(&w, code, code_len);
    mc_canon_key(&w, "hash");
    mc_canon_bin(&w, hash->via.bin.ptr, 32);
    if (nmore > 0) {
      mc_canon_key(&w, "more");
      mc_canon_bin(&w, more->via.bin.ptr, more->via.bin.size);
    }
    mc_canon_kv_int(&w, "supplied_at", eng__int(at));
    mc_canon_key(&w, "valid_until");
    mc_canon_str(&w, until->via.str.ptr, until->via.str.size);
    if ((rc = eng__pair_key(&key, 'o', owner, strlen(owner), name->via.str.ptr, name->via.str.size)) == 0 &&
        (rc = mc_canon_finish(&w)) == 0)
      rc = store_proj_put(tx, key.data, key.len, val.data, val.len);
  }
  mc_buf_free(&key);
  mc_buf_free(&val);
  return rc;
}

int eng__apply_documents(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  /* Only these carry documents: the others are not even decoded.  A result
   * (approved, returned) is the agency's, kept with the dossier for the
   * applicant to fetch, never for their reuse. */
  eng_event_type type = eng__event_type(ev);
  bool result = type == ENG_EV_DOSSIER_APPROVED || type == ENG_EV_DOSSIER_RETURNED;
  if ((type != ENG_EV_DOSSIER_SUBMITTED && type != ENG_EV_DOSSIER_SUPPLEMENT_PROVIDED && !result) ||
      ev->stream.len <= 8)
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
    else if (docs->type == MSGPACK_OBJECT_ARRAY && eng__snap_of_event(tx, ev, &s) == 0) {
      rc = 0;
      for (uint32_t i = 0; rc == 0 && i < docs->via.array.size; i++)
        rc = put_document(tx, &docs->via.array.ptr[i], ev, result ? "" : s.owner);
    }
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

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
      d.supplied_at = eng__int(eng__get(&u.data, "supplied_at"));
      rc |= eng__more_view(eng__get(&u.data, "more"), &d);
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
  int rc = c ? eng__pair_key(&prefix, 'd', code, strlen(code), "", 0) : MC_ENOMEM;
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

int eng_file_referenced(eng_engine *e, const uint8_t hash[32], char *dossier, size_t size) {
  uint8_t key[34];
  store_read *rd;
  const void *v;
  size_t vlen;
  if (size)
    dossier[0] = '\0';
  file_key(key, hash);
  int rc = store_read_begin(e->st, &rd);
  if (rc)
    return rc;
  if ((rc = store_read_proj(rd, ENG_PROJ_DOCUMENTS, key, sizeof key, &v, &vlen)) == 0) {
    if (vlen < size) {
      memcpy(dossier, v, vlen);
      dossier[vlen] = '\0';
    } else {
      rc = MC_ERANGE;
    }
  }
  store_read_end(rd);
  return rc;
}

/* ------------------------------------------------------------ an owner's documents on file */

typedef struct owner_ctx {
  const uint8_t *prefix;
  size_t prefix_len;
  eng_document_view views[ENG_MAX_DOCUMENT_VIEWS];
  int n;
} owner_ctx;

/* "o/" owner 0 name -> {dossier, hash, more, supplied_at, valid_until}. */
static int owner_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  owner_ctx *c = opaque;
  msgpack_unpacked u;
  size_t off = 0;
  int rc = MC_ECORRUPT;
  if (klen < c->prefix_len || memcmp(key, c->prefix, c->prefix_len) != 0 || c->n == ENG_MAX_DOCUMENT_VIEWS)
    return 1;
  eng_document_view d;
  memset(&d, 0, sizeof d);
  size_t nlen = klen - c->prefix_len;
  if (nlen == 0 || nlen >= sizeof d.name)
    return MC_ECORRUPT;
  memcpy(d.name, (const char *)key + c->prefix_len, nlen);
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, val, vlen, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *hash = eng__get(&u.data, "hash");
    rc = eng__str_copy(eng__get(&u.data, "dossier"), d.reused_from, sizeof d.reused_from) |
         eng__str_copy(eng__get(&u.data, "valid_until"), d.valid_until, sizeof d.valid_until);
    if (hash && hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32) {
      mc_hex((const uint8_t *)hash->via.bin.ptr, 32, d.sha256);
      d.supplied_at = eng__int(eng__get(&u.data, "supplied_at"));
      rc |= eng__more_view(eng__get(&u.data, "more"), &d);
    } else {
      rc = MC_ECORRUPT;
    }
  }
  msgpack_unpacked_destroy(&u);
  if (rc)
    return MC_ECORRUPT;
  c->views[c->n++] = d;
  return 0;
}

int eng_owner_documents(eng_engine *e, const char *owner, eng_document_fn fn, void *opaque) {
  mc_buf prefix = MC_BUF_INIT;
  owner_ctx *c = calloc(1, sizeof *c);
  store_read *rd = NULL;
  int rc = c ? eng__pair_key(&prefix, 'o', owner, strlen(owner), "", 0) : MC_ENOMEM;
  if (rc == 0)
    rc = store_read_begin(e->st, &rd);
  if (rc == 0) {
    c->prefix = prefix.data;
    c->prefix_len = prefix.len;
    rc = store_read_proj_scan(rd, ENG_PROJ_DOCUMENTS, prefix.data, prefix.len, owner_one, c);
    store_read_end(rd);
  }
  for (int i = 0; rc >= 0 && i < c->n; i++)
    if ((rc = fn(opaque, &c->views[i])) != 0)
      break;
  mc_buf_free(&prefix);
  free(c);
  return rc < 0 ? rc : 0;
}
