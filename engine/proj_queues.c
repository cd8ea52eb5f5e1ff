/* proj_queues.c — work queues (ENG_PROJ_QUEUES): each agency's open
 * dossiers by the step they are at, ordered by the step's due instant, and
 * each applicant's own dossiers; and their readers (docs/ENGINE.md, "Work
 * queues").
 *
 * Keys:
 *   "q/" agency 0 due(8 BE) code 0 step -> row   an open step, at the agency doing it
 *   "a/" applicant 0 ~submitted(8 BE) code -> row  an applicant's dossier, newest first
 *   "c/" code -> the dossier's keys above (each: u16 BE length, bytes)
 *   "m/" procedure version hash -> [[step, role, agency, title] by node]
 * A step with no limit sorts last (due all ones).  The row is a canonical
 * map: agency, applicant_name, appointment_at, code, co_handlers, due,
 * entered, handler, paused_since, procedure, role, state, step, submitted_at,
 * title, warn.
 *
 * The steps' roles and agencies come from the procedure versions this
 * projection has seen published ("m/"), so that it needs nothing but the
 * log (a rebuild reads the same events in the same order).  The applicant's
 * name is the applicant block's (the filing event), kept with the keys.
 */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"
#include "base/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_DUE UINT64_MAX

/* ------------------------------------------------------------ procedure versions */

static int remember_procedure(store_proj_txn *tx, const msgpack_object *root) {
  const msgpack_object *kind = eng__get(root, "kind"), *hash = eng__get(root, "hash"), *bytes = eng__get(root, "bytes");
  if (!eng__str_is(kind, "procedure") || hash == NULL || hash->type != MSGPACK_OBJECT_BIN ||
      hash->via.bin.size != 32 || bytes == NULL || bytes->type != MSGPACK_OBJECT_BIN)
    return 0;
  mc_arena arena = MC_ARENA_INIT;
  dsl_machine *m = NULL;
  uint8_t *copy = mc_arena_alloc(&arena, bytes->via.bin.size ? bytes->via.bin.size : 1);
  int rc = copy ? 0 : MC_ENOMEM;
  if (rc == 0) {
    memcpy(copy, bytes->via.bin.ptr, bytes->via.bin.size);
    if (dsl_machine_decode(copy, bytes->via.bin.size, &arena, &m) != 0)
      m = NULL; /* not a machine (hand-made bytes): its dossiers queue at their own agency */
  }
  if (rc == 0 && m) {
    mc_buf out = MC_BUF_INIT;
    mc_canon w;
    mc_canon_init(&w, &out);
    mc_canon_array(&w, (uint32_t)m->nnodes);
    for (int i = 0; i < m->nnodes; i++) {
      const dsl_m_node *n = &m->nodes[i];
      mc_canon_array(&w, 4);
      mc_canon_cstr(&w, n->name ? n->name : "");
      mc_canon_cstr(&w, n->role ? n->role : "");
      mc_canon_cstr(&w, n->agency ? n->agency : "");
      mc_canon_cstr(&w, n->title ? n->title : (n->name ? n->name : ""));
    }
    uint8_t key[34] = {'m', '/'};
    memcpy(key + 2, hash->via.bin.ptr, 32);
    if ((rc = mc_canon_finish(&w)) == 0)
      rc = store_proj_put(tx, key, sizeof key, out.data, out.len);
    mc_buf_free(&out);
  }
  mc_arena_free(&arena);
  return rc;
}

/* A node's [step, role, agency, title], as remembered. */
typedef struct node_info {
  char step[48], role[24], agency[32], title[160];
} node_info;

static bool node_of(const msgpack_object *nodes, int node, node_info *out) {
  memset(out, 0, sizeof *out);
  if (nodes == NULL || nodes->type != MSGPACK_OBJECT_ARRAY || node < 0 || (uint32_t)node >= nodes->via.array.size)
    return false;
  const msgpack_object *n = &nodes->via.array.ptr[node];
  if (n->type != MSGPACK_OBJECT_ARRAY || n->via.array.size != 4)
    return false;
  eng__str_copy(&n->via.array.ptr[0], out->step, sizeof out->step);
  eng__str_copy(&n->via.array.ptr[1], out->role, sizeof out->role);
  eng__str_copy(&n->via.array.ptr[2], out->agency, sizeof out->agency);
  eng__str_copy(&n->via.array.ptr[3], out->title, sizeof out->title);
  return true;
}

/* ------------------------------------------------------------ rows */

static int row_write(mc_buf *out, const eng_snap *s, const char *applicant_name, const node_info *n,
                      const eng_token *t) {
  mc_canon w;
  mc_buf_reset(out);
  mc_canon_init(&w, out);
  mc_canon_map(&w, 16);
  mc_canon_kv_str(&w, "agency", n && n->agency[0] ? n->agency : s->agency);
  mc_canon_kv_str(&w, "applicant_name", applicant_name);
  mc_canon_kv_int(&w, "appointment_at", s->appointment_at);
  mc_canon_key(&w, "co_handlers");
  mc_canon_array(&w, (uint32_t)s->nco_handlers);
  for (int i = 0; i < s->nco_handlers; i++)
    mc_canon_cstr(&w, s->co_handlers[i]);
  mc_canon_kv_str(&w, "code", s->code);
  mc_canon_kv_int(&w, "due", t ? t->due : 0);
  mc_canon_kv_int(&w, "entered", t ? t->entered : 0);
  mc_canon_kv_str(&w, "handler", s->handler);
  mc_canon_kv_int(&w, "paused_since", s->paused_since);
  mc_canon_kv_str(&w, "procedure", s->procedure);
  mc_canon_kv_str(&w, "role", n ? n->role : "");
  mc_canon_kv_str(&w, "state", s->state);
  mc_canon_kv_str(&w, "step", n ? n->step : "");
  mc_canon_kv_int(&w, "submitted_at", s->submitted_at);
  mc_canon_kv_str(&w, "title", n ? n->title : "");
  mc_canon_kv_int(&w, "warn", t ? t->warn : 0);
  return mc_canon_finish(&w);
}

static void key_queue(mc_buf *k, const char *agency, int64_t due, const char *code, const char *step) {
  uint8_t be[8];
  mc_buf_reset(k);
  mc_buf_append_str(k, "q/");
  mc_buf_append_str(k, agency);
  mc_buf_append_byte(k, 0);
  mc_be64_put(be, due ? (uint64_t)due : NO_DUE);
  mc_buf_append(k, be, 8);
  mc_buf_append_str(k, code);
  mc_buf_append_byte(k, 0);
  mc_buf_append_str(k, step);
}

static void key_applicant(mc_buf *k, const char *applicant, int64_t submitted, const char *code) {
  uint8_t be[8];
  mc_buf_reset(k);
  mc_buf_append_str(k, "a/");
  mc_buf_append_str(k, applicant);
  mc_buf_append_byte(k, 0);
  mc_be64_put(be, ~(uint64_t)submitted); /* newest first */
  mc_buf_append(k, be, 8);
  mc_buf_append_str(k, code);
}

/* The applicant's name as the filing event's block gives it. */
static void applicant_name_of(const store_event *ev, char *out, size_t size) {
  out[0] = '\0';
  const msgpack_object *root = eng__event_root(ev);
  const msgpack_object *block = root ? eng__get(root, "applicant") : NULL;
  if (block && block->type == MSGPACK_OBJECT_MAP)
    eng__str_copy(eng__get(block, "name"), out, size);
}

int eng__apply_queues(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (eng__is_type(ev, ENG_EV_DEFINITION_PUBLISHED)) {
    const msgpack_object *root = eng__event_root(ev);
    return root ? remember_procedure(tx, root) : 0;
  }
  if (!eng__is_dossier_event(ev))
    return 0;
  eng_snap s;
  int rc = eng__snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  mc_buf ckey = MC_BUF_INIT, keys = MC_BUF_INIT, k = MC_BUF_INIT, row = MC_BUF_INIT;
  char name[128] = "";
  mc_buf_append_str(&ckey, "c/");
  mc_buf_append_str(&ckey, s.code);
  /* The dossier's rows before: gone (the name kept). */
  mc_buf header = MC_BUF_INIT;
  rc = eng__keys_drop(tx, &ckey, &header);
  if (header.len)
    snprintf(name, sizeof name, "%.*s", (int)header.len, (const char *)header.data);
  else if (eng__is_type(ev, ENG_EV_DOSSIER_SUBMITTED))
    applicant_name_of(ev, name, sizeof name);
  mc_buf_free(&header);
  /* The rows now. */
  uint8_t mkey[34] = {'m', '/'};
  memcpy(mkey + 2, s.definition, 32);
  const void *mv;
  size_t mlen;
  msgpack_unpacked nodes;
  msgpack_unpacked_init(&nodes);
  size_t off = 0;
  const msgpack_object *table = NULL;
  mc_buf steps = MC_BUF_INIT; /* a copy: the view goes with the next write */
  if (store_proj_get(tx, mkey, sizeof mkey, &mv, &mlen) == 0 && mc_buf_append(&steps, mv, mlen) == 0 &&
      msgpack_unpack_next(&nodes, (const char *)steps.data, steps.len, &off) == MSGPACK_UNPACK_SUCCESS)
    table = &nodes.data;
  eng__keys_start(&keys, name, strlen(name));
  for (int i = 0; rc == 0 && i < s.ntokens; i++) {
    node_info n;
    if (!node_of(table, s.tokens[i].node, &n))
      snprintf(n.step, sizeof n.step, "%s", i < s.nsteps ? s.steps[i] : "");
    key_queue(&k, n.agency[0] ? n.agency : s.agency, s.tokens[i].due, s.code, n.step);
    if ((rc = row_write(&row, &s, name, &n, &s.tokens[i])) == 0)
      rc = store_proj_put(tx, k.data, k.len, row.data, row.len);
    eng__keys_add(&keys, &k);
  }
  if (rc == 0 && s.applicant[0]) {
    node_info n;
    bool first = s.ntokens > 0 && node_of(table, s.tokens[0].node, &n);
    key_applicant(&k, s.applicant, s.submitted_at, s.code);
    if ((rc = row_write(&row, &s, name, first ? &n : NULL, s.ntokens ? &s.tokens[0] : NULL)) == 0)
      rc = store_proj_put(tx, k.data, k.len, row.data, row.len);
    eng__keys_add(&keys, &k);
  }
  if (rc == 0)
    rc = store_proj_put(tx, ckey.data, ckey.len, keys.data, keys.len);
  msgpack_unpacked_destroy(&nodes);
  mc_buf_free(&steps);
  mc_buf_free(&ckey);
  mc_buf_free(&keys);
  mc_buf_free(&k);
  mc_buf_free(&row);
  return rc;
}

/* ------------------------------------------------------------ reading */

static void row_decode(const void *val, size_t vlen, eng_queue_row *r) {
  msgpack_unpacked u;
  size_t off = 0;
  memset(r, 0, sizeof *r);
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, val, vlen, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *m = &u.data;
    eng__str_copy(eng__get(m, "agency"), r->agency, sizeof r->agency);
    eng__str_copy(eng__get(m, "applicant_name"), r->applicant_name, sizeof r->applicant_name);
    eng__str_copy(eng__get(m, "code"), r->code, sizeof r->code);
    eng__str_copy(eng__get(m, "handler"), r->handler, sizeof r->handler);
    eng__str_copy(eng__get(m, "procedure"), r->procedure, sizeof r->procedure);
    eng__str_copy(eng__get(m, "role"), r->role, sizeof r->role);
    eng__str_copy(eng__get(m, "state"), r->state, sizeof r->state);
    eng__str_copy(eng__get(m, "step"), r->step, sizeof r->step);
    eng__str_copy(eng__get(m, "title"), r->title, sizeof r->title);
    r->appointment_at = eng__int(eng__get(m, "appointment_at"));
    r->due_at = eng__int(eng__get(m, "due"));
    r->entered_at = eng__int(eng__get(m, "entered"));
    r->warn_at = eng__int(eng__get(m, "warn"));
    r->paused_since = eng__int(eng__get(m, "paused_since"));
    r->submitted_at = eng__int(eng__get(m, "submitted_at"));
    const msgpack_object *co = eng__get(m, "co_handlers");
    for (uint32_t i = 0; co && co->type == MSGPACK_OBJECT_ARRAY && i < co->via.array.size && i < 4; i++)
      eng__str_copy(&co->via.array.ptr[i], r->co_handlers[r->nco_handlers++], sizeof r->co_handlers[0]);
  }
  msgpack_unpacked_destroy(&u);
}

bool eng_queue_row_matches(const eng_queue_row *r, const eng_queue_filter *f, mc_instant now) {
  bool overdue = r->due_at && now > r->due_at;
  bool due_soon = !overdue && r->warn_at && now >= r->warn_at;
  if (f->paused != (r->paused_since != 0))
    return false;
  if (f->step && f->step[0] && strcmp(f->step, r->step))
    return false;
  if (f->role && f->role[0] && strcmp(f->role, r->role))
    return false;
  if (f->state && f->state[0] && strcmp(f->state, r->state))
    return false;
  if (f->procedure && f->procedure[0] && strcmp(f->procedure, r->procedure))
    return false;
  if (f->handler && f->handler[0]) {
    bool mine = !strcmp(f->handler, r->handler);
    for (int i = 0; i < r->nco_handlers && !mine; i++)
      mine = !strcmp(f->handler, r->co_handlers[i]);
    if (!mine)
      return false;
  }
  if (f->due_soon && !due_soon)
    return false;
  if (f->overdue && !overdue)
    return false;
  if (f->waiting && strcmp(r->role, "applicant"))
    return false;
  return true;
}

typedef struct page_ctx {
  const char *prefix;
  size_t prefix_len;
  const mc_buf *cursor;          /* the last key the client saw (exclusive) */
  const eng_queue_filter *f;
  mc_instant now;
  int max, n;
  eng_queue_fn fn;
  void *opaque;
  eng_queue_counts *counts;      /* counting instead */
  const char *me;
  int rc;
} page_ctx;

/* A row's cursor: its key after the queue's prefix, in hex. */
static void encode_cursor(const void *key, size_t klen, size_t prefix_len, char *out, size_t size) {
  size_t n = klen - prefix_len;
  if (2 * n + 1 > size)
    n = (size - 1) / 2; /* never: keys are short */
  mc_hex((const uint8_t *)key + prefix_len, n, out);
}

/* A cursor's bytes appended to `out`; MC_EINVAL when it is not hex. */
static int decode_cursor(const char *cursor, mc_buf *out) {
  size_t n = strlen(cursor);
  uint8_t bytes[256];
  if (n % 2 || n / 2 > sizeof bytes || mc_unhex(cursor, bytes, n / 2) != 0)
    return MC_EINVAL;
  return mc_buf_append(out, bytes, n / 2);
}

/* One more row under `name` (the first ENG_QUEUE_MAX_STEPS names only). */
static void tally(eng_queue_tally *t, const char *name) {
  int i = 0;
  while (i < t->n && strcmp(t->of[i].name, name))
    i++;
  if (i == t->n && t->n < ENG_QUEUE_MAX_STEPS) {
    snprintf(t->of[i].name, sizeof t->of[i].name, "%s", name);
    t->of[i].n = 0;
    t->n++;
  }
  if (i < t->n)
    t->of[i].n++;
}

static int page_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  page_ctx *c = opaque;
  if (klen < c->prefix_len || memcmp(key, c->prefix, c->prefix_len) != 0)
    return 1;
  if (c->cursor && c->cursor->len && klen == c->cursor->len && memcmp(key, c->cursor->data, klen) == 0)
    return 0; /* the cursor's own row: the client has it */
  eng_queue_row r;
  row_decode(val, vlen, &r);
  if (c->counts) {
    eng_queue_counts *k = c->counts;
    bool overdue = r.due_at && c->now > r.due_at;
    if (r.paused_since) {
      k->paused++;
      return 0;
    }
    k->open++;
    k->overdue += overdue;
    k->due_soon += !overdue && r.warn_at && c->now >= r.warn_at;
    k->waiting += !strcmp(r.role, "applicant");
    if (c->me && c->me[0]) {
      bool mine = !strcmp(c->me, r.handler);
      for (int i = 0; i < r.nco_handlers && !mine; i++)
        mine = !strcmp(c->me, r.co_handlers[i]);
      k->mine += mine;
    }
    tally(&k->steps, r.step);
    tally(&k->states, r.state);
    tally(&k->roles, r.role);
    tally(&k->procedures, r.procedure);
    return 0;
  }
  if (!eng_queue_row_matches(&r, c->f, c->now))
    return 0;
  if (c->n == c->max)
    return 1;
  encode_cursor(key, klen, c->prefix_len, r.cursor, sizeof r.cursor);
  c->n++;
  c->rc = c->fn(c->opaque, &r);
  return c->rc ? 1 : 0;
}

static int scan(eng_engine *e, const mc_buf *prefix, const char *cursor, page_ctx *c) {
  mc_buf from = MC_BUF_INIT;
  int rc = mc_buf_append(&from, prefix->data, prefix->len);
  if (rc == 0 && cursor && cursor[0])
    rc = decode_cursor(cursor, &from);
  store_read *rd;
  c->prefix = (const char *)prefix->data;
  c->prefix_len = prefix->len;
  c->cursor = cursor && cursor[0] ? &from : NULL;
  if (rc == 0 && (rc = store_read_begin(e->st, &rd)) == 0) {
    rc = store_read_proj_scan(rd, ENG_PROJ_QUEUES, from.data, from.len, page_one, c);
    store_read_end(rd);
  }
  mc_buf_free(&from);
  if (rc < 0)
    return rc;
  return c->rc < 0 ? c->rc : 0;
}

static void queue_prefix(mc_buf *p, const eng_queue_filter *f) {
  mc_buf_reset(p);
  if (f->applicant && f->applicant[0]) {
    mc_buf_append_str(p, "a/");
    mc_buf_append_str(p, f->applicant);
  } else {
    mc_buf_append_str(p, "q/");
    mc_buf_append_str(p, f->agency ? f->agency : "");
  }
  mc_buf_append_byte(p, 0);
}

int eng_queue_page(eng_engine *e, const eng_queue_filter *f, mc_instant now, const char *cursor, int max,
                   eng_queue_fn fn, void *opaque) {
  mc_buf prefix = MC_BUF_INIT;
  queue_prefix(&prefix, f);
  eng_queue_filter all = *f;
  if (f->applicant && f->applicant[0])
    all.paused = false; /* an applicant's list holds everything; its own filters only */
  page_ctx c = {.f = &all, .now = now, .max = max > 0 ? max : 50, .fn = fn, .opaque = opaque};
  int rc = scan(e, &prefix, cursor, &c);
  mc_buf_free(&prefix);
  return rc;
}

int eng_queue_counts_read(eng_engine *e, const char *agency, const char *me, mc_instant now, eng_queue_counts *out) {
  memset(out, 0, sizeof *out);
  mc_buf prefix = MC_BUF_INIT;
  eng_queue_filter f = {.agency = agency};
  queue_prefix(&prefix, &f);
  page_ctx c = {.now = now, .counts = out, .me = me};
  int rc = scan(e, &prefix, NULL, &c);
  mc_buf_free(&prefix);
  return rc;
}

typedef struct rows_ctx {
  store_read *rd;
  eng_queue_fn fn;
  void *opaque;
} rows_ctx;

static int row_of_key(void *opaque, const uint8_t *key, size_t len) {
  rows_ctx *c = opaque;
  const void *v;
  size_t vlen;
  if (len < 2 || key[0] != 'q' || store_read_proj(c->rd, ENG_PROJ_QUEUES, key, len, &v, &vlen) != 0)
    return 0;
  eng_queue_row r;
  row_decode(v, vlen, &r);
  return c->fn(c->opaque, &r);
}

int eng_queue_rows_of(eng_engine *e, const char *code, eng_queue_fn fn, void *opaque) {
  store_read *rd;
  const void *v;
  size_t vlen;
  mc_buf key = MC_BUF_INIT, keys = MC_BUF_INIT;
  mc_buf_append_str(&key, "c/");
  mc_buf_append_str(&key, code);
  int rc = store_read_begin(e->st, &rd);
  if (rc) {
    mc_buf_free(&key);
    return rc;
  }
  if ((rc = store_read_proj(rd, ENG_PROJ_QUEUES, key.data, key.len, &v, &vlen)) == 0)
    rc = mc_buf_append(&keys, v, vlen);
  rows_ctx rc_ctx = {rd, fn, opaque};
  if (rc == 0)
    rc = eng__keys_each(keys.data, keys.len, row_of_key, &rc_ctx);
  store_read_end(rd);
  mc_buf_free(&key);
  mc_buf_free(&keys);
  return rc == MC_ENOENT ? 0 : rc;
}
