/* compile.c — the compile session and the compiled format.
 *
 * Compiled definitions are canonical msgpack (base/canon.h): maps with keys
 * in ascending byte order, integers for amounts and times, NFC text, so the
 * same sources give the same bytes, and the SHA-256 of the bytes identifies
 * the version a dossier is pinned to.  Format DSL_FORMAT_VERSION = 1:
 *
 * procedure: {
 *   channels: [str], code: str, documents: [document], fee: expr|nil,
 *   field: str, form: [field], format: 1, kind: "procedure", legal: [str],
 *   level: str, name: str, nodes: [node], online: str|nil, payer: str,
 *   policy: str, refundable: bool, roles: [{name, title}], sector: str,
 *   service_level: int, time: duration }
 * document: {blank: str|nil, count: int, eform: bool, name: str,
 *   original: bool, result: bool, title: str}
 * field: {help: str|nil, label: str, max: int|nil, min: int|nil, name: str,
 *   pattern: str|nil, required: bool, type: str, values: [str]}
 * node (nodes[0] is the start): {agency: str|nil, clock: str, escalate:
 *   str|nil, join: int|nil, kind: "step"|"choice"|"fork"|"join", lead:
 *   str|nil, limit: limit|nil, name: str, ordered: bool, out: [transition],
 *   role: str|nil, state: str|nil, title: str|nil, warn: duration|nil}
 * transition: {action: str|nil, notify: [[who, template]], otherwise: bool,
 *   target: int (a node) | str (a final state), when: expr|nil}
 * duration: {amount: int, unit: "working_days"|"working_hours"|"calendar_days"|"hours"}
 *   ("hours", on the clock, since issue 21: a build before it refuses a
 *   definition that uses it)
 * limit: duration | {policy: key}
 * expr: ["or", e, e] ["and", e, e] ["not", e] ["cmp", op, e, e]
 *   ["ref", scope|nil, name] ["int", n] ["str", s] ["bool", b] ["name", s]
 *   ["add", e, e] ["mul", e, e] ["money", vnd]
 * policy: {format, id, kind: "policy", settings: {key: value}, title}
 *   where a value is a duration, minutes after midnight (cut-off), a bool,
 *   or a str.
 * directory: {agencies: [{code, departments: [{code, name}], name,
 *   settings: {key: value}}], format, kind: "directory", offers: [{agency:
 *   str|nil, every: str|nil, procedure}], merged: [{from, into}] only when an
 *   agency was merged into its successor} — agencies by code, merged by from.
 *
 * Read back by one decoder per kind: procedures by machine.c, policies and
 * templates by defs.c, the directory by directory.c (docs/DSL.md, "The
 * compiled definition").
 */
#include "dsl/dsl-int.h"
#include "dsl/vocab.h"

#include "base/canon.h"
#include "base/error.h"

#include <stdlib.h>
#include <string.h>

/* ============================================================ the session */

int dsl_compile_new(dsl_compile **out) {
  dsl_compile *c = calloc(1, sizeof *c);
  *out = c;
  return c ? 0 : MC_ENOMEM;
}

void dsl_compile_free(dsl_compile *c) {
  if (c == NULL)
    return;
  for (int i = 0; i < c->nartifacts; i++)
    mc_buf_free(&c->artifacts[i].bytes);
  free(c->artifacts);
  mc_arena_free(&c->arena);
  free(c);
}

#define MARK_CONTEXT(type, head, flag)                 \
  for (type *x = (head); x; x = x->next)               \
    if (!x->context)                                   \
      x->context = (flag);

int dsl_compile_add(dsl_compile *c, const mc_source *src, bool context, mc_diag_sink *sink) {
  /* Only declarations added by this file take its context flag: those
   * before it were marked when their own file was added, and a compiled
   * (non-context) declaration is never turned into context. */
  dsl_procedure *p0 = c->prog.procedures;
  dsl_policy *q0 = c->prog.policies;
  dsl_agency *a0 = c->prog.agencies;
  dsl_offer *o0 = c->prog.offers;
  dsl_template *t0 = c->prog.templates;
  dsl_merger *g0 = c->prog.mergers;
  int np = 0, nq = 0, na = 0, no = 0, nt = 0, ng = 0;
  for (dsl_merger *x = g0; x; x = x->next) ng++;
  for (dsl_template *x = t0; x; x = x->next) nt++;
  for (dsl_procedure *x = p0; x; x = x->next) np++;
  for (dsl_policy *x = q0; x; x = x->next) nq++;
  for (dsl_agency *x = a0; x; x = x->next) na++;
  for (dsl_offer *x = o0; x; x = x->next) no++;

  dsl_ctx ctx = {.arena = &c->arena, .sink = sink, .src = src, .prog = &c->prog};
  c->checked = false;
  int rc = dsl__parse(&ctx);
  if (rc != 0)
    c->parse_failed = true;
  if (rc == MC_ENOMEM)
    c->out_of_memory = true;

  if (context) {
    dsl_procedure *p = c->prog.procedures;
    for (int i = 0; i < np && p; i++) p = p->next;
    MARK_CONTEXT(dsl_procedure, p, true);
    dsl_policy *q = c->prog.policies;
    for (int i = 0; i < nq && q; i++) q = q->next;
    MARK_CONTEXT(dsl_policy, q, true);
    dsl_agency *a = c->prog.agencies;
    for (int i = 0; i < na && a; i++) a = a->next;
    MARK_CONTEXT(dsl_agency, a, true);
    dsl_offer *o = c->prog.offers;
    for (int i = 0; i < no && o; i++) o = o->next;
    MARK_CONTEXT(dsl_offer, o, true);
    dsl_template *t = c->prog.templates;
    for (int i = 0; i < nt && t; i++) t = t->next;
    MARK_CONTEXT(dsl_template, t, true);
    dsl_merger *g = c->prog.mergers;
    for (int i = 0; i < ng && g; i++) g = g->next;
    MARK_CONTEXT(dsl_merger, g, true);
  }
  return rc;
}

int dsl_compile_check(dsl_compile *c, mc_diag_sink *sink) {
  /* After syntax errors the checks run on what the parser recovered; after
   * running out of memory the tree may lack names: not checked. */
  int rc = c->out_of_memory ? MC_ENOMEM : dsl__check(c, sink);
  if (c->parse_failed)
    rc = MC_EPARSE; /* the syntax errors were reported by dsl_compile_add */
  c->checked = rc == 0;
  return rc;
}

const char *dsl_artifact_kind_name(dsl_artifact_kind kind) {
  switch (kind) {
  case DSL_ARTIFACT_PROCEDURE: return "procedure";
  case DSL_ARTIFACT_POLICY: return "policy";
  case DSL_ARTIFACT_TEMPLATE: return "template";
  default: return "directory";
  }
}

/* ============================================================ encoding */

static void opt_str(mc_canon *w, const char *key, const char *value) {
  mc_canon_key(w, key);
  if (value)
    mc_canon_cstr(w, value);
  else
    mc_canon_nil(w);
}

static void put_duration(mc_canon *w, const dsl_duration *d) {
  mc_canon_map(w, 2);
  mc_canon_kv_int(w, "amount", d->amount);
  mc_canon_kv_str(w, "unit", dsl_unit_words[d->unit]);
}

static void put_expr(mc_canon *w, const dsl_expr *e) {
  static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
  if (e == NULL) {
    mc_canon_nil(w);
    return;
  }
  switch (e->kind) {
  case DSL_EX_OR:
  case DSL_EX_AND:
  case DSL_EX_ADD:
  case DSL_EX_MUL:
    mc_canon_array(w, 3);
    mc_canon_cstr(w, e->kind == DSL_EX_OR ? "or" : e->kind == DSL_EX_AND ? "and" : e->kind == DSL_EX_ADD ? "add" : "mul");
    put_expr(w, e->left);
    put_expr(w, e->right);
    break;
  case DSL_EX_NOT:
    mc_canon_array(w, 2);
    mc_canon_cstr(w, "not");
    put_expr(w, e->left);
    break;
  case DSL_EX_CMP:
    mc_canon_array(w, 4);
    mc_canon_cstr(w, "cmp");
    mc_canon_cstr(w, ops[e->op]);
    put_expr(w, e->left);
    put_expr(w, e->right);
    break;
  case DSL_EX_REF:
    mc_canon_array(w, 3);
    mc_canon_cstr(w, "ref");
    if (e->scope)
      mc_canon_cstr(w, e->scope);
    else
      mc_canon_nil(w);
    mc_canon_cstr(w, e->name);
    break;
  case DSL_EX_INT:
  case DSL_EX_MONEY:
    mc_canon_array(w, 2);
    mc_canon_cstr(w, e->kind == DSL_EX_INT ? "int" : "money");
    mc_canon_int(w, e->value);
    break;
  case DSL_EX_BOOL:
    mc_canon_array(w, 2);
    mc_canon_cstr(w, "bool");
    mc_canon_bool(w, e->value != 0);
    break;
  case DSL_EX_STR:
  case DSL_EX_NAME:
    mc_canon_array(w, 2);
    mc_canon_cstr(w, e->kind == DSL_EX_STR ? "str" : "name");
    mc_canon_cstr(w, e->name);
    break;
  }
}

static uint32_t count_strs(const dsl_strlist *s) {
  uint32_t n = 0;
  for (; s; s = s->next)
    n++;
  return n;
}

static void put_strs(mc_canon *w, const dsl_strlist *s) {
  mc_canon_array(w, count_strs(s));
  for (; s; s = s->next)
    mc_canon_cstr(w, s->text);
}

const char *dsl__field_type_word(int t) {
  static const char *const words[] = {"text", "number", "date", "enum", "phone", "email", "citizen_id", "tax_code", "file", "yes_no"};
  return words[t];
}

static int node_index_of(const dsl_procedure *p, const char *name) {
  for (const dsl_node *n = p->nodes; n; n = n->next)
    if (strcmp(n->name, name) == 0)
      return n->index;
  return -1;
}

static void put_transition(mc_canon *w, const dsl_procedure *p, const dsl_transition *t) {
  uint32_t nn = 0;
  for (const dsl_notify *n = t->notify; n; n = n->next)
    nn++;
  mc_canon_map(w, 5);
  opt_str(w, "action", t->action);
  mc_canon_key(w, "notify");
  mc_canon_array(w, nn);
  for (const dsl_notify *n = t->notify; n; n = n->next) {
    mc_canon_array(w, 2);
    mc_canon_cstr(w, n->who);
    mc_canon_cstr(w, n->template_name);
  }
  mc_canon_kv_bool(w, "otherwise", t->otherwise);
  mc_canon_key(w, "target");
  int idx = node_index_of(p, t->target);
  if (idx >= 0)
    mc_canon_int(w, idx);
  else
    mc_canon_cstr(w, t->target);
  mc_canon_key(w, "when");
  put_expr(w, t->when);
}

static void put_node(mc_canon *w, const dsl_procedure *p, const dsl_node *n) {
  static const char *const kinds[] = {"step", "choice", "fork", "join"};
  static const char *const clocks[] = {"runs", "pauses", "restarts", "policy"};
  uint32_t nout = 0;
  for (const dsl_transition *t = n->out; t; t = t->next)
    nout++;
  mc_canon_map(w, 14);
  opt_str(w, "agency", n->agency);
  mc_canon_kv_str(w, "clock", clocks[n->clock]);
  opt_str(w, "escalate", n->escalate_to);
  mc_canon_key(w, "join");
  if (n->join)
    mc_canon_int(w, node_index_of(p, n->join));
  else
    mc_canon_nil(w);
  mc_canon_kv_str(w, "kind", kinds[n->kind]);
  opt_str(w, "lead", n->lead);
  mc_canon_key(w, "limit");
  if (!n->limit.set)
    mc_canon_nil(w);
  else if (n->limit.policy_key) {
    mc_canon_map(w, 1);
    mc_canon_kv_str(w, "policy", n->limit.policy_key);
  } else
    put_duration(w, &n->limit.d);
  mc_canon_kv_str(w, "name", n->name);
  mc_canon_kv_bool(w, "ordered", n->ordered);
  mc_canon_key(w, "out");
  mc_canon_array(w, nout);
  for (const dsl_transition *t = n->out; t; t = t->next)
    put_transition(w, p, t);
  opt_str(w, "role", n->role);
  opt_str(w, "state", n->state);
  opt_str(w, "title", n->title);
  mc_canon_key(w, "warn");
  if (n->has_warn)
    put_duration(w, &n->warn);
  else
    mc_canon_nil(w);
}

static void put_procedure(mc_canon *w, const dsl_procedure *p) {
  uint32_t ndocs = 0, nfields = 0, nnodes = 0;
  for (const dsl_document *d = p->documents; d; d = d->next)
    ndocs++;
  for (const dsl_field *f = p->fields; f; f = f->next)
    nfields++;
  for (const dsl_node *n = p->nodes; n; n = n->next)
    nnodes++;

  mc_canon_map(w, 20);
  mc_canon_key(w, "channels");
  put_strs(w, p->channels);
  mc_canon_kv_str(w, "code", p->code);
  mc_canon_key(w, "documents");
  mc_canon_array(w, ndocs);
  for (const dsl_document *d = p->documents; d; d = d->next) {
    mc_canon_map(w, 7);
    opt_str(w, "blank", d->blank_form);
    mc_canon_kv_int(w, "count", d->count);
    mc_canon_kv_bool(w, "eform", d->eform);
    mc_canon_kv_str(w, "name", d->name);
    mc_canon_kv_bool(w, "original", d->original);
    mc_canon_kv_bool(w, "result", d->result);
    mc_canon_kv_str(w, "title", d->title);
  }
  mc_canon_key(w, "fee");
  put_expr(w, p->fee);
  mc_canon_kv_str(w, "field", p->field);
  mc_canon_key(w, "form");
  mc_canon_array(w, nfields);
  for (const dsl_field *f = p->fields; f; f = f->next) {
    mc_canon_map(w, 9);
    opt_str(w, "help", f->help);
    mc_canon_kv_str(w, "label", f->label);
    mc_canon_key(w, "max");
    if (f->has_length || f->has_range)
      mc_canon_int(w, f->max);
    else
      mc_canon_nil(w);
    mc_canon_key(w, "min");
    if (f->has_length || f->has_range)
      mc_canon_int(w, f->min);
    else
      mc_canon_nil(w);
    mc_canon_kv_str(w, "name", f->name);
    opt_str(w, "pattern", f->pattern);
    mc_canon_kv_bool(w, "required", f->required);
    mc_canon_kv_str(w, "type", dsl__field_type_word((int)f->type));
    mc_canon_key(w, "values");
    put_strs(w, f->values);
  }
  mc_canon_kv_int(w, "format", DSL_FORMAT_VERSION);
  mc_canon_kv_str(w, "kind", "procedure");
  mc_canon_key(w, "legal");
  put_strs(w, p->legal);
  mc_canon_kv_str(w, "level", p->level);
  mc_canon_kv_str(w, "name", p->name);
  mc_canon_key(w, "nodes");
  mc_canon_array(w, nnodes);
  for (const dsl_node *n = p->nodes; n; n = n->next)
    put_node(w, p, n);
  opt_str(w, "online", p->online);
  mc_canon_kv_str(w, "payer", p->payer ? p->payer : "applicant");
  mc_canon_kv_str(w, "policy", p->policy);
  mc_canon_kv_bool(w, "refundable", p->refundable);
  mc_canon_key(w, "roles");
  mc_canon_array(w, count_strs(p->role_names));
  for (const dsl_strlist *r = p->role_names, *t = p->role_titles; r && t; r = r->next, t = t->next) {
    mc_canon_map(w, 2);
    mc_canon_kv_str(w, "name", r->text);
    mc_canon_kv_str(w, "title", t->text);
  }
  mc_canon_kv_str(w, "sector", p->sector);
  mc_canon_kv_int(w, "service_level", p->service_level);
  mc_canon_key(w, "time");
  put_duration(w, &p->time);
}

/* Settings sorted by key, as canonical maps require. */
static int compare_settings(const void *a, const void *b) {
  return strcmp((*(const dsl_setting *const *)a)->key, (*(const dsl_setting *const *)b)->key);
}

static int put_settings(mc_canon *w, const dsl_setting *list) {
  const dsl_setting *sorted[64];
  uint32_t n = 0;
  for (const dsl_setting *s = list; s; s = s->next) {
    if (n == 64)
      return MC_ETOOBIG;
    sorted[n++] = s;
  }
  if (n > 0)
    qsort(sorted, n, sizeof sorted[0], compare_settings);
  mc_canon_map(w, n);
  for (uint32_t i = 0; i < n; i++) {
    const dsl_setting *s = sorted[i];
    mc_canon_key(w, s->key);
    switch (s->kind) {
    case DSL_VAL_DURATION: put_duration(w, &s->duration); break;
    case DSL_VAL_CLOCK:
    case DSL_VAL_INT: mc_canon_int(w, s->number); break;
    case DSL_VAL_BOOL: mc_canon_bool(w, s->number != 0); break;
    default: mc_canon_cstr(w, s->text); break;
    }
  }
  return 0;
}

static int compare_agencies(const void *a, const void *b) {
  return strcmp((*(const dsl_agency *const *)a)->code, (*(const dsl_agency *const *)b)->code);
}

static int compare_offers(const void *a, const void *b) {
  const dsl_offer *x = *(const dsl_offer *const *)a, *y = *(const dsl_offer *const *)b;
  return dsl__offer_cmp(x->procedure, x->agency, x->every_level, y->procedure, y->agency, y->every_level);
}

static int compare_mergers(const void *a, const void *b) {
  return strcmp((*(const dsl_merger *const *)a)->from, (*(const dsl_merger *const *)b)->from);
}

static int add_artifact(dsl_compile *c, dsl_artifact_kind kind, const char *id, const char *title,
                        mc_buf *bytes) {
  dsl_artifact *grown = realloc(c->artifacts, (size_t)(c->nartifacts + 1) * sizeof *grown);
  if (grown == NULL)
    return MC_ENOMEM;
  c->artifacts = grown;
  dsl_artifact *a = &c->artifacts[c->nartifacts++];
  a->kind = kind;
  a->id = id;
  a->title = title;
  a->bytes = *bytes;
  mc_sha256_digest(bytes->data, bytes->len, a->hash);
  *bytes = (mc_buf)MC_BUF_INIT;
  return 0;
}

int dsl_compile_emit(dsl_compile *c, const dsl_artifact **artifacts, int *count) {
  mc_buf b = MC_BUF_INIT;
  mc_canon w;
  int rc = 0;

  if (!c->checked)
    return MC_EINVAL;
  if (c->nartifacts == 0) {
    for (const dsl_procedure *p = c->prog.procedures; p && rc == 0; p = p->next) {
      if (p->context)
        continue;
      mc_canon_init(&w, &b);
      put_procedure(&w, p);
      if ((rc = mc_canon_finish(&w)) == 0)
        rc = add_artifact(c, DSL_ARTIFACT_PROCEDURE, p->code, p->name, &b);
    }
    for (const dsl_policy *q = c->prog.policies; q && rc == 0; q = q->next) {
      if (q->context)
        continue;
      mc_canon_init(&w, &b);
      mc_canon_map(&w, 5);
      mc_canon_kv_int(&w, "format", DSL_FORMAT_VERSION);
      mc_canon_kv_str(&w, "id", q->id);
      mc_canon_kv_str(&w, "kind", "policy");
      mc_canon_key(&w, "settings");
      rc = put_settings(&w, q->settings);
      opt_str(&w, "title", q->title);
      if (rc == 0 && (rc = mc_canon_finish(&w)) == 0)
        rc = add_artifact(c, DSL_ARTIFACT_POLICY, q->id, q->title, &b);
    }
    /* Message templates: one artifact each, published by name. */
    for (const dsl_template *t = c->prog.templates; t && rc == 0; t = t->next) {
      if (t->context)
        continue;
      mc_canon_init(&w, &b);
      mc_canon_map(&w, 6);
      mc_canon_kv_str(&w, "body", t->body);
      mc_canon_kv_int(&w, "format", DSL_FORMAT_VERSION);
      mc_canon_kv_str(&w, "kind", "template");
      mc_canon_kv_str(&w, "name", t->name);
      opt_str(&w, "sms", t->sms);
      mc_canon_kv_str(&w, "subject", t->subject);
      if ((rc = mc_canon_finish(&w)) == 0)
        rc = add_artifact(c, DSL_ARTIFACT_TEMPLATE, t->name, t->subject, &b);
    }
    /* The directory: the compiled files' agencies and offers, as one;
     * agencies by code and offers in one order (directory.c), so that the
     * order of the files does not change its hash. */
    const dsl_agency *agencies[4096];
    const dsl_offer **offers = NULL;
    uint32_t na = 0, no = 0;
    for (const dsl_agency *a = c->prog.agencies; a && rc == 0; a = a->next)
      if (!a->context) {
        if (na == 4096)
          rc = MC_ETOOBIG;
        else
          agencies[na++] = a;
      }
    for (const dsl_offer *o = c->prog.offers; o; o = o->next)
      no += !o->context;
    if (rc == 0 && no > 0 && (offers = calloc(no, sizeof *offers)) == NULL)
      rc = MC_ENOMEM;
    no = 0;
    for (const dsl_offer *o = c->prog.offers; o && rc == 0; o = o->next)
      if (!o->context)
        offers[no++] = o;
    /* The agencies merged into a successor: the key only when there are. */
    const dsl_merger *mergers[256];
    uint32_t ng = 0;
    for (const dsl_merger *g = c->prog.mergers; g && rc == 0; g = g->next)
      if (!g->context) {
        if (ng == 256)
          rc = MC_ETOOBIG;
        else
          mergers[ng++] = g;
      }
    if (rc == 0 && (na > 0 || no > 0 || ng > 0)) {
      if (na > 0)
        qsort(agencies, na, sizeof agencies[0], compare_agencies);
      if (no > 0)
        qsort(offers, no, sizeof offers[0], compare_offers);
      if (ng > 0)
        qsort(mergers, ng, sizeof mergers[0], compare_mergers);
      mc_canon_init(&w, &b);
      mc_canon_map(&w, 4 + (ng > 0));
      mc_canon_key(&w, "agencies");
      mc_canon_array(&w, na);
      for (uint32_t i = 0; i < na && rc == 0; i++) {
        uint32_t nd = 0;
        for (const dsl_department *d = agencies[i]->departments; d; d = d->next)
          nd++;
        mc_canon_map(&w, 4);
        mc_canon_kv_str(&w, "code", agencies[i]->code);
        mc_canon_key(&w, "departments");
        mc_canon_array(&w, nd);
        for (const dsl_department *d = agencies[i]->departments; d; d = d->next) {
          mc_canon_map(&w, 2);
          mc_canon_kv_str(&w, "code", d->code);
          mc_canon_kv_str(&w, "name", d->name);
        }
        mc_canon_kv_str(&w, "name", agencies[i]->name);
        mc_canon_key(&w, "settings");
        rc = put_settings(&w, agencies[i]->settings);
      }
      mc_canon_kv_int(&w, "format", DSL_FORMAT_VERSION);
      mc_canon_kv_str(&w, "kind", "directory");
      if (ng > 0) {
        mc_canon_key(&w, "merged");
        mc_canon_array(&w, ng);
        for (uint32_t i = 0; i < ng; i++) {
          mc_canon_map(&w, 2);
          mc_canon_kv_str(&w, "from", mergers[i]->from);
          mc_canon_kv_str(&w, "into", mergers[i]->into);
        }
      }
      mc_canon_key(&w, "offers");
      mc_canon_array(&w, no);
      for (uint32_t i = 0; i < no; i++) {
        mc_canon_map(&w, 3);
        opt_str(&w, "agency", offers[i]->agency);
        opt_str(&w, "every", offers[i]->every_level);
        mc_canon_kv_str(&w, "procedure", offers[i]->procedure);
      }
      if (rc == 0 && (rc = mc_canon_finish(&w)) == 0)
        rc = add_artifact(c, DSL_ARTIFACT_DIRECTORY, "directory", "Danh bạ cơ quan", &b);
    }
    free(offers);
  }
  mc_buf_free(&b);
  if (rc != 0)
    return rc;
  *artifacts = c->artifacts;
  *count = c->nartifacts;
  return 0;
}
