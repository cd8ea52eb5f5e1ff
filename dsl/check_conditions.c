/* check_conditions.c — the conditions of choices and the fee: each name a
 * declared form field or a dossier fact, compared with a value of its type;
 * the conditions of a choice proved exclusive (unless it takes the first
 * that holds) and, without otherwise, covering every case; no choice that
 * comes back to itself without a step. */
#include "dsl/check-int.h"

#include "base/error.h"
#include "dsl/vocab.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================ types of references */

typedef enum { T_NONE, T_NUMBER, T_TEXT, T_ENUM, T_BOOL, T_DATE, T_FILE } ref_type;

typedef struct ref_info {
  ref_type type;
  bool optional;                /* a form field the applicant may leave empty */
  const char *key;              /* "form.copies", "channel": identifies the variable */
  const char *const *values;    /* enum values of a fact */
  const dsl_strlist *form_values; /* enum values of a form field */
} ref_info;

static const char *const channel_values[] = {"desk", "online", "post", NULL};
static const char *const applicant_values[] = {"person", "organisation", NULL};
static const char *const fact_names[] = {"fee_paid", "urgent", "channel", "applicant", NULL};

static const dsl_field *find_field(const dsl_procedure *p, const char *name) {
  for (const dsl_field *f = p->fields; f; f = f->next)
    if (f->name && strcmp(f->name, name) == 0)
      return f;
  return NULL;
}

static ref_type field_ref_type(dsl_field_type t) {
  switch (t) {
  case DSL_FIELD_NUMBER: return T_NUMBER;
  case DSL_FIELD_ENUM: return T_ENUM;
  case DSL_FIELD_BOOL: return T_BOOL;
  case DSL_FIELD_DATE: return T_DATE;
  case DSL_FIELD_FILE: return T_FILE;
  default: return T_TEXT;
  }
}

/* Resolves a reference; reports unknown ones.  Returns false on error. */
static bool resolve_ref(mc_arena *arena, const dsl_procedure *p, const dsl_expr *e, mc_diag_sink *sink,
                        ref_info *out) {
  char hint[600];
  memset(out, 0, sizeof *out);
  if (e->scope) {
    const dsl_field *f = find_field(p, e->name);
    if (f == NULL && dsl__lost(p->lost_names, e->name))
      return false; /* its declaration had a syntax error, said already */
    if (f == NULL) {
      ERR(sink, e->at, dsl__did_you_mean(hint, sizeof hint, dsl__closest_in(p->fields, offsetof(dsl_field, name), e->name), "declare it in the form { } block, or correct the name"),
          "the form field \"%s\" is used but not declared", e->name);
      return false;
    }
    out->type = field_ref_type(f->type);
    out->optional = !f->required;
    out->form_values = f->values;
    size_t n = strlen(e->name) + 6;
    char *key = mc_arena_alloc(arena, n);
    if (key)
      snprintf(key, n, "form.%s", e->name);
    out->key = key ? key : e->name;
    return true;
  }
  out->key = e->name;
  if (strcmp(e->name, "fee_paid") == 0 || strcmp(e->name, "urgent") == 0) {
    out->type = T_BOOL;
  } else if (strcmp(e->name, "channel") == 0) {
    out->type = T_ENUM;
    out->values = channel_values;
  } else if (strcmp(e->name, "applicant") == 0) {
    out->type = T_ENUM;
    out->values = applicant_values;
  } else {
    char all[200];
    dsl_vocab_join(fact_names, all, sizeof all);
    if (find_field(p, e->name))
      snprintf(hint, sizeof hint, "form fields are written form.%s", e->name);
    else if (!dsl__closest(e->name, fact_names, -1))
      snprintf(hint, sizeof hint, "dossier facts are: %s; form fields are written form.NAME", all);
    else
      dsl__did_you_mean(hint, sizeof hint, dsl__closest(e->name, fact_names, -1), NULL);
    ERR(sink, e->at, hint, "unknown dossier fact \"%s\"", e->name);
    return false;
  }
  return true;
}

static int enum_index(const ref_info *r, const char *value) {
  int i = 0;
  if (r->values) {
    for (; r->values[i]; i++)
      if (strcmp(r->values[i], value) == 0)
        return i;
    return -1;
  }
  for (const dsl_strlist *s = r->form_values; s; s = s->next, i++)
    if (strcmp(s->text, value) == 0)
      return i;
  return -1;
}

static int enum_count(const ref_info *r) {
  int n = 0;
  if (r->values)
    while (r->values[n])
      n++;
  else
    for (const dsl_strlist *s = r->form_values; s; s = s->next)
      n++;
  return n;
}

static const char *type_name(ref_type t) {
  static const char *const names[] = {"?", "a number", "a text", "a choice of values", "yes or no", "a date", "a file"};
  return names[t];
}

/* Checks the types of a condition.  Returns false when it is wrong. */
static bool check_cond(mc_arena *arena, const dsl_procedure *p, const dsl_expr *e, mc_diag_sink *sink) {
  if (e == NULL)
    return false;
  switch (e->kind) {
  case DSL_EX_OR:
  case DSL_EX_AND: {
    bool a = check_cond(arena, p, e->left, sink);
    bool b = check_cond(arena, p, e->right, sink);
    return a && b;
  }
  case DSL_EX_NOT:
    return check_cond(arena, p, e->left, sink);
  case DSL_EX_REF: {
    ref_info r;
    if (!resolve_ref(arena, p, e, sink, &r))
      return false;
    if (r.type != T_BOOL) {
      ERR(sink, e->at, "compare it with a value, such as form.copies > 0 or channel == online",
          "\"%s\" is %s, not yes or no", r.key, type_name(r.type));
      return false;
    }
    return true;
  }
  case DSL_EX_CMP: {
    ref_info r;
    const dsl_expr *lit = e->right;
    if (!resolve_ref(arena, p, e->left, sink, &r))
      return false;
    bool ordering = e->op != DSL_OP_EQ && e->op != DSL_OP_NE;
    switch (r.type) {
    case T_NUMBER:
      if (lit->kind != DSL_EX_INT) {
        ERR(sink, lit->at, "write a whole number", "\"%s\" is a number; it cannot be compared with this", r.key);
        return false;
      }
      return true;
    case T_BOOL:
      if (lit->kind != DSL_EX_BOOL || ordering) {
        ERR(sink, lit->at, "write == yes or == no (or the fact alone)", "\"%s\" is yes or no", r.key);
        return false;
      }
      return true;
    case T_TEXT:
      if (lit->kind != DSL_EX_STR || ordering) {
        ERR(sink, lit->at, "compare a text with == or != and a text in quotes",
            "\"%s\" is a text; it cannot be compared with this", r.key);
        return false;
      }
      return true;
    case T_ENUM:
      if ((lit->kind != DSL_EX_STR && lit->kind != DSL_EX_NAME) || ordering) {
        ERR(sink, lit->at, "compare a choice with == or != and one of its values",
            "\"%s\" is a choice of values; it cannot be compared with this", r.key);
        return false;
      }
      if (enum_index(&r, lit->name) < 0) {
        char all[400] = "", hint[500];
        int i = 0;
        if (r.values)
          dsl_vocab_join(r.values, all, sizeof all);
        else
          for (const dsl_strlist *s = r.form_values; s && strlen(all) < 300; s = s->next, i++)
            snprintf(all + strlen(all), sizeof all - strlen(all), "%s\"%s\"", i ? ", " : "", s->text);
        snprintf(hint, sizeof hint, "the values of %s are: %s", r.key, all);
        ERR(sink, lit->at, hint, "\"%s\" is not a value of %s", lit->name, r.key);
        return false;
      }
      return true;
    default:
      ERR(sink, e->left->at, "conditions can use numbers, texts, choices and yes/no fields",
          "\"%s\" is %s and cannot be compared", r.key, type_name(r.type));
      return false;
    }
  }
  default:
    ERR(sink, e->at, NULL, "this is not a condition");
    return false;
  }
}

/* ============================================================ overlaps of conditions */

/* A condition in disjunctive normal form: a list of conjunctions of atoms.
 * An atom constrains one variable: a number interval, a set of enum values
 * (bitmask), a text equal or not equal to a value, or a yes/no value. */
typedef struct atom {
  const char *key;
  ref_type type;
  int64_t lo, hi;        /* numbers: lo <= x <= hi */
  uint64_t mask;         /* enums: allowed values */
  const char *text;      /* texts */
  bool text_eq;          /* text == value (else !=) */
  bool flag;             /* bool */
} atom;

#define MAX_ATOMS 16
#define MAX_CONJ 64

typedef struct conj {
  atom atoms[MAX_ATOMS];
  int n;
} conj;

typedef struct dnf {
  conj *c;
  int n;
  bool too_big;
} dnf;

static void dnf_add(dnf *d, const conj *c) {
  if (d->n >= MAX_CONJ) {
    d->too_big = true;
    return;
  }
  d->c[d->n++] = *c;
}

/* The atom of a comparison, negated if asked.  May give two atoms (x != 5
 * on numbers is x < 5 or x > 5): returns how many. */
static int cmp_atoms(mc_arena *arena, const dsl_procedure *p, const dsl_expr *e, bool negate, atom out[2]) {
  ref_info r;
  mc_diag_sink quiet = {0};
  const dsl_expr *ref = e->kind == DSL_EX_REF ? e : e->left;
  resolve_ref(arena, p, ref, &quiet, &r);
  atom a = {.key = r.key, .type = r.type};
  dsl_cmp_op op = e->kind == DSL_EX_REF ? DSL_OP_EQ : e->op;
  if (negate) {
    static const dsl_cmp_op inverse[] = {DSL_OP_NE, DSL_OP_EQ, DSL_OP_GE, DSL_OP_GT, DSL_OP_LE, DSL_OP_LT};
    op = inverse[op];
  }
  switch (r.type) {
  case T_BOOL: {
    bool v = e->kind == DSL_EX_REF ? true : e->right->value != 0;
    a.flag = op == DSL_OP_EQ ? v : !v;
    out[0] = a;
    return 1;
  }
  case T_ENUM: {
    int i = enum_index(&r, e->right->name), n = enum_count(&r);
    uint64_t all = n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
    a.mask = op == DSL_OP_EQ ? UINT64_C(1) << i : all & ~(UINT64_C(1) << i);
    out[0] = a;
    return 1;
  }
  case T_TEXT:
    a.text = e->right->name;
    a.text_eq = op == DSL_OP_EQ;
    out[0] = a;
    return 1;
  case T_NUMBER: {
    int64_t v = e->right->value;
    a.lo = INT64_MIN, a.hi = INT64_MAX;
    switch (op) {
    case DSL_OP_EQ: a.lo = a.hi = v; break;
    case DSL_OP_LT: a.hi = v - 1; break;
    case DSL_OP_LE: a.hi = v; break;
    case DSL_OP_GT: a.lo = v + 1; break;
    case DSL_OP_GE: a.lo = v; break;
    case DSL_OP_NE:
      out[0] = a, out[0].hi = v - 1;
      out[1] = a, out[1].lo = v + 1;
      return 2;
    }
    out[0] = a;
    return 1;
  }
  default:
    return 0;
  }
}

static void to_dnf(mc_arena *arena, const dsl_procedure *p, const dsl_expr *e, bool negate, dnf *out);

/* Conjunction of two DNFs. */
static void dnf_and(const dnf *a, const dnf *b, dnf *out) {
  for (int i = 0; i < a->n; i++)
    for (int j = 0; j < b->n; j++) {
      conj c = a->c[i];
      if (c.n + b->c[j].n > MAX_ATOMS) {
        out->too_big = true;
        return;
      }
      memcpy(c.atoms + c.n, b->c[j].atoms, (size_t)b->c[j].n * sizeof(atom));
      c.n += b->c[j].n;
      dnf_add(out, &c);
    }
  out->too_big |= a->too_big || b->too_big;
}

static void to_dnf(mc_arena *arena, const dsl_procedure *p, const dsl_expr *e, bool negate, dnf *out) {
  bool is_and = e->kind == DSL_EX_AND, is_or = e->kind == DSL_EX_OR;
  if (e->kind == DSL_EX_NOT) {
    to_dnf(arena, p, e->left, !negate, out);
    return;
  }
  if ((is_or && !negate) || (is_and && negate)) { /* union */
    to_dnf(arena, p, e->left, negate, out);
    to_dnf(arena, p, e->right, negate, out);
    return;
  }
  if (is_and || is_or) { /* intersection */
    dnf a = {mc_arena_calloc(arena, MAX_CONJ, sizeof(conj)), 0, false};
    dnf b = {mc_arena_calloc(arena, MAX_CONJ, sizeof(conj)), 0, false};
    if (a.c == NULL || b.c == NULL) {
      out->too_big = true;
      return;
    }
    to_dnf(arena, p, e->left, negate, &a);
    to_dnf(arena, p, e->right, negate, &b);
    dnf_and(&a, &b, out);
    return;
  }
  atom atoms[2];
  int n = cmp_atoms(arena, p, e, negate, atoms);
  for (int i = 0; i < n; i++) {
    conj c = {.n = 1};
    c.atoms[0] = atoms[i];
    dnf_add(out, &c);
  }
}

/* Whether two conjunctions can both hold: no variable constrained to nothing. */
static bool conj_overlap(const conj *a, const conj *b) {
  atom all[2 * MAX_ATOMS];
  int n = 0;
  for (int i = 0; i < a->n; i++)
    all[n++] = a->atoms[i];
  for (int i = 0; i < b->n; i++)
    all[n++] = b->atoms[i];
  for (int i = 0; i < n; i++) {
    /* Merge every atom on the same variable into all[i]. */
    atom m = all[i];
    bool text_fixed = m.type == T_TEXT && m.text_eq;
    for (int j = 0; j < n; j++) {
      if (j == i || strcmp(all[j].key, m.key) != 0)
        continue;
      const atom *o = &all[j];
      switch (m.type) {
      case T_NUMBER:
        if (o->lo > m.lo) m.lo = o->lo;
        if (o->hi < m.hi) m.hi = o->hi;
        if (m.lo > m.hi) return false;
        break;
      case T_ENUM:
        m.mask &= o->mask;
        if (m.mask == 0) return false;
        break;
      case T_BOOL:
        if (o->flag != m.flag) return false;
        break;
      case T_TEXT:
        if (text_fixed && o->text_eq && strcmp(o->text, m.text) != 0) return false;
        if (text_fixed && !o->text_eq && strcmp(o->text, m.text) == 0) return false;
        break;
      default:
        break;
      }
    }
  }
  return true;
}

static bool may_overlap(const dnf *a, const dnf *b) {
  if (a->too_big || b->too_big)
    return true;
  for (int i = 0; i < a->n; i++)
    for (int j = 0; j < b->n; j++)
      if (conj_overlap(&a->c[i], &b->c[j]))
        return true;
  return false;
}


/* The fee: every form field it multiplies is a number. */
void dsl__check_fee(mc_arena *arena, const dsl_procedure *p, mc_diag_sink *sink) {
  for (const dsl_expr *e = p->fee; e; e = NULL) {
    const dsl_expr *stack[64];
    int sp = 0;
    stack[sp++] = e;
    while (sp > 0) {
      const dsl_expr *x = stack[--sp];
      if (x->kind == DSL_EX_REF) {
        ref_info r;
        if (resolve_ref(arena, p, x, sink, &r) && r.type != T_NUMBER)
          ERR(sink, x->at, "a fee multiplies a number field, such as form.copies", "\"%s\" is %s, not a number", r.key, type_name(r.type));
      }
      if (x->left && sp < 63)
        stack[sp++] = x->left;
      if (x->right && sp < 63)
        stack[sp++] = x->right;
    }
  }
}

/* ============================================================ choices */

static void check_choice_loop(const graph *g, const dsl_node *n, mc_diag_sink *sink) {
  int self = dsl__node_index(g, n->name), *stack = calloc((size_t)g->n + 1, sizeof *stack), sp = 0;
  bool *seen = calloc((size_t)g->n, sizeof *seen);
  if (stack && seen) {
    stack[sp++] = self;
    while (sp > 0) {
      int v = stack[--sp];
      for (const dsl_transition *t = g->nodes[v]->out; t; t = t->next) {
        int k = t->target_index;
        if (k == self) {
          ERR(sink, n->at, "put a step between the choices, where someone acts",
              "the choice \"%s\" leads back to itself through choices alone", n->name);
          sp = 0;
          break;
        }
        if (k >= 0 && !seen[k] && g->nodes[k]->kind == DSL_NODE_CHOICE)
          seen[k] = true, stack[sp++] = k;
      }
    }
  }
  free(stack);
  free(seen);
}

void dsl__check_choice(mc_arena *arena, const dsl_procedure *p, const graph *g, const dsl_node *n,
                         mc_diag_sink *sink) {
  check_choice_loop(g, n, sink);
  int count = 0, otherwise = 0, bad = 0;
  for (const dsl_transition *t = n->out; t; t = t->next) {
    dsl__check_target(g, t, sink);
    dsl__check_notify(t->notify, sink);
    if (t->otherwise) {
      if (++otherwise > 1)
        ERR(sink, t->at, "keep one otherwise", "the choice has two otherwise branches");
      else if (t->next)
        ERR(sink, t->at, "put otherwise last: it is taken when no condition holds", "otherwise must be the last branch");
      continue;
    }
    count++;
    if (!check_cond(arena, p, t->when, sink))
      bad++;
  }
  if (count == 0) {
    if (!n->incomplete)
      ERR(sink, n->at, "give the choice its conditions: when form.x == ... -> step", "the choice \"%s\" has no condition", n->name);
    return;
  }
  if (bad)
    return;
  dnf *conds = mc_arena_calloc(arena, (size_t)count, sizeof *conds);
  const dsl_transition **ts = mc_arena_calloc(arena, (size_t)count, sizeof *ts);
  if (conds == NULL || ts == NULL)
    return;
  int i = 0;
  for (const dsl_transition *t = n->out; t; t = t->next) {
    if (t->otherwise)
      continue;
    conds[i].c = mc_arena_calloc(arena, MAX_CONJ, sizeof(conj));
    if (conds[i].c == NULL)
      return;
    to_dnf(arena, p, t->when, false, &conds[i]);
    ts[i++] = t;
  }
  if (!n->ordered) {
    for (int a = 0; a < count; a++)
      for (int b = 0; b < a; b++)
        if (may_overlap(&conds[a], &conds[b])) {
          char hint[600];
          int line = 1;
          for (size_t k = 0; k < ts[b]->at.off && k < ts[b]->at.src->len; k++)
            line += ts[b]->at.src->text[k] == '\n';
          snprintf(hint, sizeof hint,
                   "this condition and the one at line %d can both hold; make them exclusive, or write "
                   "\"choice %s first\" to take the first that holds", line, n->name);
          ERR(sink, ts[a]->when->at, hint, "the conditions of the choice \"%s\" overlap", n->name);
        }
  }
  if (otherwise == 0) {
    bool covered = false;
    /* Without otherwise, the conditions must cover every case: proved when
     * they are single atoms on one enum or yes/no variable whose union is
     * every value. */
    const char *key = NULL;
    uint64_t mask = 0;
    int domain = -1;
    bool t_seen = false, f_seen = false, simple = true;
    for (int a = 0; a < count && simple; a++) {
      if (conds[a].too_big)
        simple = false;
      for (int k = 0; k < conds[a].n && simple; k++) {
        const atom *at = &conds[a].c[k].atoms[0];
        if (conds[a].c[k].n != 1 || (key && strcmp(key, at->key) != 0)) {
          simple = false;
          break;
        }
        key = at->key;
        ref_info r;
        mc_diag_sink quiet = {0};
        const dsl_expr *e = ts[a]->when;
        while (e->kind == DSL_EX_NOT || e->kind == DSL_EX_OR || e->kind == DSL_EX_AND)
          e = e->left;
        resolve_ref(arena, p, e->kind == DSL_EX_REF ? e : e->left, &quiet, &r);
        if (r.optional) {
          simple = false; /* an empty optional field matches no value */
          break;
        }
        if (at->type == T_ENUM) {
          domain = enum_count(&r);
          mask |= at->mask;
        } else if (at->type == T_BOOL) {
          if (at->flag)
            t_seen = true;
          else
            f_seen = true;
        } else {
          simple = false;
        }
      }
    }
    if (simple && domain > 0 && domain < 64)
      covered = mask == (UINT64_C(1) << domain) - 1;
    else if (simple && domain < 0)
      covered = t_seen && f_seen;
    if (!covered && !n->incomplete)
      ERR(sink, n->at, "add a last branch: otherwise -> STEP, for the cases no condition covers",
          "the choice \"%s\" may find no condition true", n->name);
  }
}

