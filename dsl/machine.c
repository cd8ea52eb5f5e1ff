/* machine.c — decoding compiled procedures (see machine.h and compile.c). */
#include "dsl/machine.h"
#include "dsl/states.h"
#include "dsl/vocab.h"

#include "base/error.h"
#include "dsl/dsl.h"

#include <msgpack.h>
#include <string.h>

typedef struct decoder {
  mc_arena *arena;
  int err;
} decoder;

static void bad(decoder *d) {
  if (d->err == 0)
    d->err = MC_EPARSE;
}

static const msgpack_object *field(decoder *d, const msgpack_object *map, const char *key) {
  if (map->type != MSGPACK_OBJECT_MAP) {
    bad(d);
    return NULL;
  }
  size_t n = strlen(key);
  for (uint32_t i = 0; i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key;
    if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, key, n) == 0)
      return &map->via.map.ptr[i].val;
  }
  bad(d);
  return NULL;
}

/* A text, or NULL for nil. */
static const char *text(decoder *d, const msgpack_object *o) {
  if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
    return NULL;
  if (o->type != MSGPACK_OBJECT_STR) {
    bad(d);
    return NULL;
  }
  char *s = mc_arena_strndup(d->arena, o->via.str.ptr, o->via.str.size);
  if (s == NULL)
    d->err = MC_ENOMEM;
  return s;
}

static const char *req_text(decoder *d, const msgpack_object *map, const char *key) {
  const char *s = text(d, field(d, map, key));
  if (s == NULL)
    bad(d);
  return s;
}

static int64_t integer(decoder *d, const msgpack_object *o) {
  if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
    return (int64_t)o->via.u64;
  if (o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
    return o->via.i64;
  bad(d);
  return 0;
}

static bool boolean(decoder *d, const msgpack_object *o) {
  if (o && o->type == MSGPACK_OBJECT_BOOLEAN)
    return o->via.boolean;
  bad(d);
  return false;
}

static bool is(const msgpack_object *o, const char *s) {
  return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
         memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

static dsl_m_duration duration(decoder *d, const msgpack_object *o) {
  dsl_m_duration r = {0};
  if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
    return r;
  r.set = true;
  if (o->type == MSGPACK_OBJECT_MAP && o->via.map.size == 1) {
    r.policy_key = req_text(d, o, "policy");
    return r;
  }
  r.amount = integer(d, field(d, o, "amount"));
  const msgpack_object *u = field(d, o, "unit");
  int unit = u && u->type == MSGPACK_OBJECT_STR ? dsl_unit_of(u->via.str.ptr, u->via.str.size) : -1;
  if (unit < 0)
    bad(d);
  else
    r.unit = (dsl_m_unit)unit;
  return r;
}

static dsl_m_expr *expr(decoder *d, const msgpack_object *o, int depth) {
  if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
    return NULL;
  if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 2 || depth > 64) {
    bad(d);
    return NULL;
  }
  const msgpack_object *v = o->via.array.ptr;
  uint32_t n = o->via.array.size;
  dsl_m_expr *e = mc_arena_calloc(d->arena, 1, sizeof *e);
  if (e == NULL) {
    d->err = MC_ENOMEM;
    return NULL;
  }
  e->op = text(d, &v[0]);
  if (e->op == NULL)
    { bad(d); return NULL; }
  if ((!strcmp(e->op, "or") || !strcmp(e->op, "and") || !strcmp(e->op, "add") || !strcmp(e->op, "mul")) && n == 3) {
    e->a = expr(d, &v[1], depth + 1);
    e->b = expr(d, &v[2], depth + 1);
  } else if (!strcmp(e->op, "not") && n == 2) {
    e->a = expr(d, &v[1], depth + 1);
  } else if (!strcmp(e->op, "cmp") && n == 4) {
    e->cmp = text(d, &v[1]);
    e->a = expr(d, &v[2], depth + 1);
    e->b = expr(d, &v[3], depth + 1);
  } else if (!strcmp(e->op, "ref") && n == 3) {
    e->scope = text(d, &v[1]);
    e->text = text(d, &v[2]);
  } else if ((!strcmp(e->op, "int") || !strcmp(e->op, "money")) && n == 2) {
    e->value = integer(d, &v[1]);
  } else if (!strcmp(e->op, "bool") && n == 2) {
    e->value = boolean(d, &v[1]);
  } else if ((!strcmp(e->op, "str") || !strcmp(e->op, "name")) && n == 2) {
    e->text = text(d, &v[1]);
  } else {
    bad(d);
  }
  return e;
}

static void decode_node(decoder *d, const msgpack_object *o, dsl_m_node *n, int nnodes) {
  static const char *const kinds[] = {"step", "choice", "fork", "join"};
  static const char *const clocks[] = {"runs", "pauses", "restarts", "policy"};
  const msgpack_object *kind = field(d, o, "kind"), *clock = field(d, o, "clock");
  n->kind = (dsl_m_kind)-1;
  for (int i = 0; i < 4; i++)
    if (is(kind, kinds[i]))
      n->kind = (dsl_m_kind)i;
  for (int i = 0; i < 4; i++)
    if (is(clock, clocks[i]))
      n->clock = (dsl_m_clock)i;
  if ((int)n->kind < 0)
    bad(d);
  n->name = req_text(d, o, "name");
  n->title = text(d, field(d, o, "title"));
  n->role = text(d, field(d, o, "role"));
  n->agency = text(d, field(d, o, "agency"));
  n->state = text(d, field(d, o, "state"));
  n->escalate = text(d, field(d, o, "escalate"));
  n->lead = text(d, field(d, o, "lead"));
  n->limit = duration(d, field(d, o, "limit"));
  n->warn = duration(d, field(d, o, "warn"));
  n->ordered = boolean(d, field(d, o, "ordered"));
  const msgpack_object *join = field(d, o, "join");
  n->join = join && join->type != MSGPACK_OBJECT_NIL ? (int)integer(d, join) : -1;
  if (n->join >= nnodes)
    bad(d);
  const msgpack_object *out = field(d, o, "out");
  if (out == NULL || out->type != MSGPACK_OBJECT_ARRAY)
    { bad(d); return; }
  dsl_m_transition *ts = mc_arena_calloc(d->arena, out->via.array.size + 1, sizeof *ts);
  if (ts == NULL) {
    d->err = MC_ENOMEM;
    return;
  }
  for (uint32_t i = 0; i < out->via.array.size; i++) {
    const msgpack_object *t = &out->via.array.ptr[i];
    dsl_m_transition *tr = &ts[i];
    tr->action = text(d, field(d, t, "action"));
    tr->otherwise = boolean(d, field(d, t, "otherwise"));
    tr->when = expr(d, field(d, t, "when"), 0);
    const msgpack_object *target = field(d, t, "target");
    if (target && target->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
      tr->target = (int)integer(d, target);
      if (tr->target >= nnodes)
        bad(d);
    } else {
      tr->target = -1;
      tr->final = text(d, target);
      /* Only the final states of the table (dsl/states.h). */
      if (tr->final == NULL || !dsl_state_is_final(dsl_state_parse(tr->final)))
        bad(d);
    }
    /* An action leads to one place (the checks refuse it twice in a step). */
    for (uint32_t k = 0; tr->action && k < i; k++)
      if (ts[k].action && !strcmp(ts[k].action, tr->action))
        bad(d);
    const msgpack_object *notify = field(d, t, "notify");
    if (notify == NULL || notify->type != MSGPACK_OBJECT_ARRAY)
      { bad(d); return; }
    dsl_m_notify *ns = mc_arena_calloc(d->arena, notify->via.array.size + 1, sizeof *ns);
    if (ns == NULL) {
      d->err = MC_ENOMEM;
      return;
    }
    for (uint32_t k = 0; k < notify->via.array.size; k++) {
      const msgpack_object *pair = &notify->via.array.ptr[k];
      if (pair->type != MSGPACK_OBJECT_ARRAY || pair->via.array.size != 2)
        { bad(d); return; }
      ns[k].who = text(d, &pair->via.array.ptr[0]);
      ns[k].template_name = text(d, &pair->via.array.ptr[1]);
    }
    tr->notify = ns;
    tr->nnotify = (int)notify->via.array.size;
  }
  n->out = ts;
  n->nout = (int)out->via.array.size;
}

/* An array of texts, NULL-terminated, and its length in *n. */
static const char *const *texts(decoder *d, const msgpack_object *o, int *n) {
  *n = 0;
  if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY) {
    bad(d);
    return NULL;
  }
  const char **vs = mc_arena_calloc(d->arena, o->via.array.size + 1, sizeof *vs);
  if (vs == NULL) {
    d->err = MC_ENOMEM;
    return NULL;
  }
  for (uint32_t i = 0; i < o->via.array.size; i++)
    vs[i] = text(d, &o->via.array.ptr[i]);
  *n = (int)o->via.array.size;
  return vs;
}

static void decode_field(decoder *d, const msgpack_object *o, dsl_m_field *f) {
  static const char *const types[] = {"text", "number", "date", "enum", "phone", "email",
                                      "citizen_id", "tax_code", "file", "yes_no"};
  const msgpack_object *type = field(d, o, "type");
  int t = -1;
  for (int i = 0; i < 10; i++)
    if (is(type, types[i]))
      t = i;
  if (t < 0)
    bad(d);
  f->type = (dsl_m_field_type)(t < 0 ? 0 : t);
  f->name = req_text(d, o, "name");
  f->label = text(d, field(d, o, "label"));
  f->help = text(d, field(d, o, "help"));
  f->pattern = text(d, field(d, o, "pattern"));
  f->required = boolean(d, field(d, o, "required"));
  const msgpack_object *min = field(d, o, "min"), *max = field(d, o, "max");
  if (min && max && min->type != MSGPACK_OBJECT_NIL) {
    f->has_bounds = true;
    f->min = integer(d, min);
    f->max = integer(d, max);
  }
  f->values = texts(d, field(d, o, "values"), &f->nvalues);
}

int dsl_machine_node(const dsl_machine *m, const char *name) {
  for (int i = 0; i < m->nnodes; i++)
    if (strcmp(m->nodes[i].name, name) == 0)
      return i;
  return -1;
}

int dsl_machine_decode(const uint8_t *bytes, size_t len, mc_arena *arena, dsl_machine **out) {
  msgpack_unpacked u;
  size_t off = 0;
  decoder d = {arena, 0};
  dsl_machine *m;

  *out = NULL;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)bytes, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len ||
      u.data.type != MSGPACK_OBJECT_MAP) {
    msgpack_unpacked_destroy(&u);
    return MC_EPARSE;
  }
  const msgpack_object *root = &u.data;
  const msgpack_object *format = field(&d, root, "format");
  if (d.err || !is(field(&d, root, "kind"), "procedure")) {
    msgpack_unpacked_destroy(&u);
    return MC_EPARSE;
  }
  if (integer(&d, format) != DSL_FORMAT_VERSION) {
    msgpack_unpacked_destroy(&u);
    return d.err ? MC_EPARSE : MC_ERANGE;
  }
  m = mc_arena_calloc(arena, 1, sizeof *m);
  if (m == NULL) {
    msgpack_unpacked_destroy(&u);
    return MC_ENOMEM;
  }
  m->code = req_text(&d, root, "code");
  m->name = req_text(&d, root, "name");
  m->sector = text(&d, field(&d, root, "sector"));
  m->field = text(&d, field(&d, root, "field"));
  m->level = text(&d, field(&d, root, "level"));
  m->online = text(&d, field(&d, root, "online"));
  m->policy = text(&d, field(&d, root, "policy"));
  m->payer = text(&d, field(&d, root, "payer"));
  m->time = duration(&d, field(&d, root, "time"));
  m->fee = expr(&d, field(&d, root, "fee"), 0);
  m->refundable = boolean(&d, field(&d, root, "refundable"));
  m->legal = texts(&d, field(&d, root, "legal"), &m->nlegal);
  const msgpack_object *roles = field(&d, root, "roles");
  if (d.err == 0 && roles->type != MSGPACK_OBJECT_ARRAY)
    bad(&d);
  if (d.err == 0 && roles->via.array.size) {
    dsl_m_role *rs = mc_arena_calloc(arena, roles->via.array.size, sizeof *rs);
    if (rs == NULL)
      d.err = MC_ENOMEM;
    for (uint32_t i = 0; rs && i < roles->via.array.size; i++) {
      rs[i].name = req_text(&d, &roles->via.array.ptr[i], "name");
      rs[i].title = req_text(&d, &roles->via.array.ptr[i], "title");
    }
    m->roles = rs;
    m->nroles = rs ? (int)roles->via.array.size : 0;
  }
  const msgpack_object *nodes = field(&d, root, "nodes");
  if (d.err == 0 && (nodes->type != MSGPACK_OBJECT_ARRAY || nodes->via.array.size == 0))
    bad(&d);
  if (d.err == 0) {
    int n = (int)nodes->via.array.size;
    dsl_m_node *ns = mc_arena_calloc(arena, (size_t)n, sizeof *ns);
    if (ns == NULL)
      d.err = MC_ENOMEM;
    for (int i = 0; ns && i < n && d.err == 0; i++)
      decode_node(&d, &nodes->via.array.ptr[i], &ns[i], n);
    /* A fork names a join; nothing else does. */
    for (int i = 0; ns && i < n && d.err == 0; i++) {
      if (ns[i].kind == DSL_M_FORK && (ns[i].join < 0 || ns[ns[i].join].kind != DSL_M_JOIN))
        bad(&d);
      if (ns[i].kind != DSL_M_FORK && ns[i].join >= 0)
        bad(&d);
      if (ns[i].kind == DSL_M_JOIN && ns[i].nout != 1)
        bad(&d);
    }
    if (ns && d.err == 0 && ns[0].kind != DSL_M_STEP)
      bad(&d);
    m->nodes = ns;
    m->nnodes = n;
  }
  const msgpack_object *form = field(&d, root, "form");
  if (d.err == 0 && form->type != MSGPACK_OBJECT_ARRAY)
    bad(&d);
  if (d.err == 0) {
    int n = (int)form->via.array.size;
    dsl_m_field *fs = mc_arena_calloc(arena, (size_t)n + 1, sizeof *fs);
    if (fs == NULL)
      d.err = MC_ENOMEM;
    for (int i = 0; fs && i < n && d.err == 0; i++)
      decode_field(&d, &form->via.array.ptr[i], &fs[i]);
    m->fields = fs;
    m->nfields = n;
  }
  const msgpack_object *docs = field(&d, root, "documents");
  if (d.err == 0 && docs->type != MSGPACK_OBJECT_ARRAY)
    bad(&d);
  if (d.err == 0) {
    int n = (int)docs->via.array.size;
    dsl_m_document *ds = mc_arena_calloc(arena, (size_t)n + 1, sizeof *ds);
    if (ds == NULL)
      d.err = MC_ENOMEM;
    for (int i = 0; ds && i < n && d.err == 0; i++) {
      const msgpack_object *o = &docs->via.array.ptr[i];
      ds[i].name = req_text(&d, o, "name");
      ds[i].title = req_text(&d, o, "title");
      ds[i].blank = text(&d, field(&d, o, "blank"));
      ds[i].count = (int)integer(&d, field(&d, o, "count"));
      ds[i].original = boolean(&d, field(&d, o, "original"));
      ds[i].eform = boolean(&d, field(&d, o, "eform"));
      ds[i].result = boolean(&d, field(&d, o, "result"));
    }
    m->documents = ds;
    m->ndocuments = n;
  }
  msgpack_unpacked_destroy(&u);
  if (d.err)
    return d.err;
  *out = m;
  return 0;
}

/* ============================================================ formatting */

static int format(const dsl_m_expr *e, mc_buf *out, int parent_prec) {
  int rc = 0;
  if (e == NULL)
    return 0;
  int prec = !strcmp(e->op, "or") ? 1 : !strcmp(e->op, "and") ? 2 : !strcmp(e->op, "not") ? 3
           : !strcmp(e->op, "add") ? 1 : !strcmp(e->op, "mul") ? 2 : 9;
  bool paren = prec < parent_prec;
  if (paren)
    rc = mc_buf_append_byte(out, '(');
  if (!strcmp(e->op, "or") || !strcmp(e->op, "and") || !strcmp(e->op, "add") || !strcmp(e->op, "mul")) {
    const char *sep = !strcmp(e->op, "or") ? " or " : !strcmp(e->op, "and") ? " and " : !strcmp(e->op, "add") ? " + " : " * ";
    rc = rc ? rc : format(e->a, out, prec);
    rc = rc ? rc : mc_buf_append_str(out, sep);
    rc = rc ? rc : format(e->b, out, prec + 1);
  } else if (!strcmp(e->op, "not")) {
    rc = rc ? rc : mc_buf_append_str(out, "not ");
    rc = rc ? rc : format(e->a, out, prec);
  } else if (!strcmp(e->op, "cmp")) {
    rc = rc ? rc : format(e->a, out, 9);
    rc = rc ? rc : mc_buf_printf(out, " %s ", e->cmp ? e->cmp : "?");
    rc = rc ? rc : format(e->b, out, 9);
  } else if (!strcmp(e->op, "ref")) {
    rc = rc ? rc : mc_buf_printf(out, "%s%s%s", e->scope ? e->scope : "", e->scope ? "." : "", e->text ? e->text : "?");
  } else if (!strcmp(e->op, "int")) {
    rc = rc ? rc : mc_buf_printf(out, "%lld", (long long)e->value);
  } else if (!strcmp(e->op, "money")) {
    rc = rc ? rc : mc_buf_printf(out, "%lld VND", (long long)e->value);
  } else if (!strcmp(e->op, "bool")) {
    rc = rc ? rc : mc_buf_append_str(out, e->value ? "yes" : "no");
  } else if (!strcmp(e->op, "str")) {
    rc = rc ? rc : mc_buf_printf(out, "\"%s\"", e->text ? e->text : "");
  } else {
    rc = rc ? rc : mc_buf_append_str(out, e->text ? e->text : "?");
  }
  if (paren && rc == 0)
    rc = mc_buf_append_byte(out, ')');
  return rc;
}

int dsl_m_expr_format(const dsl_m_expr *e, mc_buf *out) { return format(e, out, 0); }

int dsl_m_duration_format(const dsl_m_duration *d, mc_buf *out) {
  static const char *const units[] = {"working day", "working hour", "day", "hour"};
  if (!d->set)
    return 0;
  if (d->policy_key)
    return mc_buf_printf(out, "policy.%s", d->policy_key);
  return mc_buf_printf(out, "%lld %s%s", (long long)d->amount, units[d->unit], d->amount == 1 ? "" : "s");
}
