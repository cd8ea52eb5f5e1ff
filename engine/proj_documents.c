/* proj_documents.c — each dossier's documents and each owner's last scans
 * (ENG_PROJ_DOCUMENTS), and the reader of a dossier's documents. */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  int rc = eng__pair_key(&key, 'd', code, code_len, name->via.str.ptr, name->via.str.size);
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
  mc_canon_kv_int(&w, "supplied_at", eng__int(at));
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
  /* Only these carry documents: the others are not even decoded. */
  if ((!eng__is_type(ev, ENG_EV_DOSSIER_SUBMITTED) && !eng__is_type(ev, ENG_EV_DOSSIER_SUPPLEMENT_PROVIDED)) || ev->stream.len <= 8)
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
        rc = put_document(tx, &docs->via.array.ptr[i], ev, s.owner);
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
