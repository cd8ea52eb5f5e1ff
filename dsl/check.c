/* check.c — what catches a wrong process before any dossier meets it.
 *
 * Run over everything a compile read; each finding points at the spot with a
 * hint.  In order: policies, the agency directory and its offers, then each
 * procedure — its catalogue data, its form, each step, choice, fork and join,
 * the conditions (types, overlaps), and the shape of the process as a graph
 * (every step reachable, every step with a way out, a path to a final state
 * from everywhere, every parallel branch reaching its join).
 * Definitions read as context are used for lookups only.
 */
#include "dsl/dsl-int.h"

#include "base/error.h"
#include "dsl/vocab.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR(sink, span, hint, ...) dsl__error_at((sink), (span), (hint), __VA_ARGS__)


/* A hint naming the closest word, or listing them all. */
static const char *vocab_hint(char *buf, unsigned size, const char *const *list, const char *word,
                              const char *what) {
  const char *guess = dsl_vocab_closest(list, word);
  char all[512];
  if (guess) {
    snprintf(buf, size, "did you mean \"%s\"?", guess);
  } else {
    dsl_vocab_join(list, all, sizeof all);
    snprintf(buf, size, "%s are: %s", what, all);
  }
  return buf;
}

static bool has_agencies(const dsl_program *prog) { return prog->agencies != NULL; }

/* "did you mean" the closest agency code, else how agencies are named. */
static const char *agency_hint(const dsl_program *prog, const char *code, char *buf, size_t size) {
  const char *guess = dsl__closest_agency(prog, code);
  if (guess)
    snprintf(buf, size, "did you mean \"%s\"?", guess);
  else
    snprintf(buf, size, "name an agency of the directory by its code");
  return buf;
}

/* ============================================================ policies */

typedef struct setting_rule {
  const char *key;
  dsl_value_kind kind;
  bool required;
  const char *const *words; /* allowed words for DSL_VAL_WORD */
  const char *meaning;
} setting_rule;

static const char *const supplement_clock_words[] = {"pause", "restart", NULL};
static const char *const step_limits_words[] = {"required", "optional", NULL};

static const setting_rule policy_rules[] = {
    {"reception_limit", DSL_VAL_DURATION, true, NULL, "time to check a new online dossier"},
    {"supplement_request_limit", DSL_VAL_DURATION, true, NULL, "time to ask for a supplement after reception"},
    {"supplement_window", DSL_VAL_DURATION, true, NULL, "time the applicant has to supply it"},
    {"supplement_clock", DSL_VAL_WORD, true, supplement_clock_words, "pause or restart the legal clock"},
    {"cutoff", DSL_VAL_CLOCK, false, NULL, "received after it counts from the next working day"},
    {"feedback_answer_limit", DSL_VAL_DURATION, true, NULL, "time to answer feedback"},
    {"extension_notice", DSL_VAL_DURATION, true, NULL, "an extension is asked at least this long before the due date"},
    {"payment_pauses_clock", DSL_VAL_BOOL, true, NULL, "paying a financial obligation pauses the clock"},
    {"step_limits", DSL_VAL_WORD, false, step_limits_words, "whether every step must have a time limit"},
    {"postal_delivery_limit", DSL_VAL_DURATION, false, NULL, "time for the post to deliver a result"},
    {"legal", DSL_VAL_STRING, false, NULL, "legal basis"},
    {NULL, 0, false, NULL, NULL},
};

static const char *const agency_levels[] = {"province", "district", "commune", NULL};

static const setting_rule agency_rules[] = {
    {"level", DSL_VAL_WORD, true, agency_levels, "administrative level"},
    {"parent", DSL_VAL_STRING, false, NULL, "the agency above"},
    {"calendar", DSL_VAL_STRING, true, NULL, "the working calendar of its office hours"},
    {"address", DSL_VAL_STRING, false, NULL, "published address"},
    {"email", DSL_VAL_STRING, false, NULL, "published email"},
    {"phone", DSL_VAL_STRING, false, NULL, "published phone"},
    {"website", DSL_VAL_STRING, false, NULL, "web site"},
    {NULL, 0, false, NULL, NULL},
};

static const char *value_kind_name(dsl_value_kind k) {
  switch (k) {
  case DSL_VAL_DURATION: return "a duration such as 3 working days";
  case DSL_VAL_CLOCK: return "a time of day such as 15:00";
  case DSL_VAL_WORD: return "a word";
  case DSL_VAL_BOOL: return "yes or no";
  case DSL_VAL_STRING: return "a text in quotes";
  default: return "a number";
  }
}

static void check_settings(mc_diag_sink *sink, const dsl_setting *settings, const setting_rule *rules,
                           dsl_span owner, const char *owner_what) {
  char hint[600];
  for (const dsl_setting *s = settings; s; s = s->next) {
    const setting_rule *r = rules;
    while (r->key && strcmp(r->key, s->key) != 0)
      r++;
    if (r->key == NULL) {
      const char *keys[32];
      int n = 0;
      for (const setting_rule *k = rules; k->key && n < 31; k++)
        keys[n++] = k->key;
      keys[n] = NULL;
      ERR(sink, s->at, vocab_hint(hint, sizeof hint, keys, s->key, "the settings"),
          "unknown setting \"%s\" of %s", s->key, owner_what);
      continue;
    }
    for (const dsl_setting *t = settings; t != s; t = t->next)
      if (strcmp(t->key, s->key) == 0) {
        ERR(sink, s->at, "give it once", "\"%s\" is given twice", s->key);
        break;
      }
    if (s->kind != r->kind) {
      snprintf(hint, sizeof hint, "%s (%s) takes %s", r->key, r->meaning, value_kind_name(r->kind));
      ERR(sink, s->value_at, hint, "wrong kind of value for \"%s\"", s->key);
      continue;
    }
    if (r->words && !dsl_vocab_has(r->words, s->text)) {
      char all[256];
      dsl_vocab_join(r->words, all, sizeof all);
      snprintf(hint, sizeof hint, "%s is one of: %s", r->key, all);
      ERR(sink, s->value_at, hint, "\"%s\" is not a value of %s", s->text, r->key);
    }
    if (r->kind == DSL_VAL_DURATION && s->duration.amount <= 0)
      ERR(sink, s->value_at, "a limit that starts a timer must be at least 1", "\"%s\" cannot be zero", s->key);
  }
  for (const setting_rule *r = rules; r->key; r++)
    if (r->required && dsl__setting(settings, r->key) == NULL) {
      snprintf(hint, sizeof hint, "add a line: %s ... (%s)", r->key, r->meaning);
      ERR(sink, owner, hint, "%s lacks \"%s\"", owner_what, r->key);
    }
}

static void check_policies(const dsl_program *prog, mc_diag_sink *sink) {
  for (const dsl_policy *p = prog->policies; p; p = p->next) {
    if (p->context)
      continue;
    for (const dsl_policy *q = prog->policies; q != p; q = q->next)
      if (!q->context && strcmp(q->id, p->id) == 0) {
        ERR(sink, p->at, "give each policy its own identifier", "the policy \"%s\" is defined twice", p->id);
        break;
      }
    char what[300];
    snprintf(what, sizeof what, "the policy \"%s\"", p->id);
    check_settings(sink, p->settings, policy_rules, p->at, what);
  }
}

/* ============================================================ directory */

/* The province's identifier: every dossier code begins with its agency's
 * code (docs/DOMAIN.md, "The dossier code"), and the national portal takes
 * only codes that begin with the province's identifier, so every agency code
 * of a directory begins with the same one — the part before the first dot
 * (H13 in H13, H13.STP, H13.X01).  Which one is the province's: the one most
 * agencies of the directory have. */
static size_t first_segment(const char *code) {
  const char *dot = strchr(code, '.');
  return dot ? (size_t)(dot - code) : strlen(code);
}

static void check_province_prefix(const dsl_program *prog, mc_diag_sink *sink) {
  const char *province = NULL;
  size_t plen = 0;
  int best = 0;
  for (const dsl_agency *a = prog->agencies; a; a = a->next) {
    size_t n = first_segment(a->code);
    int count = 0;
    for (const dsl_agency *b = prog->agencies; b; b = b->next)
      count += first_segment(b->code) == n && strncmp(a->code, b->code, n) == 0;
    if (count > best)
      best = count, province = a->code, plen = n;
  }
  for (const dsl_agency *a = prog->agencies; a && province; a = a->next)
    if (!a->context && (first_segment(a->code) != plen || strncmp(a->code, province, plen) != 0)) {
      char hint[200];
      snprintf(hint, sizeof hint, "write it as %.*s.%s: a dossier code begins with its agency's code, and the "
               "national portal takes only those that begin with the province's", (int)plen, province, a->code);
      ERR(sink, a->at, hint, "the agency code \"%s\" does not begin with the province's identifier \"%.*s\"",
          a->code, (int)plen, province);
    }
}

static void check_directory(const dsl_program *prog, mc_diag_sink *sink) {
  char hint[600];
  check_province_prefix(prog, sink);
  for (const dsl_agency *a = prog->agencies; a; a = a->next) {
    if (a->context)
      continue;
    for (const dsl_agency *b = prog->agencies; b != a; b = b->next)
      if (!b->context && strcmp(a->code, b->code) == 0) {
        ERR(sink, a->at, "agency codes are part of dossier codes and must be unique",
            "the agency \"%s\" is defined twice", a->code);
        break;
      }
    if (a->code[0] == '\0' || strchr(a->code, ' ') || strchr(a->code, '/'))
      ERR(sink, a->at, "use letters, digits, dots and dashes, such as H13.STP",
          "\"%s\" cannot be an agency code", a->code);
    char what[300];
    snprintf(what, sizeof what, "the agency \"%s\"", a->code);
    check_settings(sink, a->settings, agency_rules, a->at, what);
    const dsl_setting *parent = dsl__setting(a->settings, "parent");
    if (parent && parent->kind == DSL_VAL_STRING) {
      const dsl_agency *up = dsl__find_agency(prog, parent->text);
      if (up == NULL)
        ERR(sink, parent->value_at, "name an agency of the directory by its code",
            "unknown parent agency \"%s\"", parent->text);
      else if (up == a)
        ERR(sink, parent->value_at, NULL, "an agency cannot be its own parent");
    }
    for (const dsl_department *d = a->departments; d; d = d->next)
      for (const dsl_department *e = a->departments; e != d; e = e->next)
        if (strcmp(d->code, e->code) == 0)
          ERR(sink, d->at, "give each department its own code", "the department \"%s\" is listed twice", d->code);
  }
  for (const dsl_offer *o = prog->offers; o; o = o->next) {
    if (o->context)
      continue;
    bool known = false;
    for (const dsl_procedure *p = prog->procedures; p && !known; p = p->next)
      known = strcmp(p->code, o->procedure) == 0;
    if (!known)
      ERR(sink, o->at, "offer a procedure defined in workflows/procedures by its national code",
          "unknown procedure \"%s\"", o->procedure);
    if (o->agency && dsl__find_agency(prog, o->agency) == NULL)
      ERR(sink, o->at, agency_hint(prog, o->agency, hint, sizeof hint), "unknown agency \"%s\"", o->agency);
    if (o->every_level && !dsl_vocab_has(agency_levels, o->every_level))
      ERR(sink, o->at, vocab_hint(hint, sizeof hint, agency_levels, o->every_level, "levels"),
          "unknown level \"%s\"", o->every_level);
  }
}

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
    if (f == NULL) {
      ERR(sink, e->at, "declare it in the form { } block, or correct the name",
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
    else
      snprintf(hint, sizeof hint, "dossier facts are: %s; form fields are written form.NAME", all);
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

/* ============================================================ procedures */

typedef struct graph {
  dsl_node **nodes;
  int n;
} graph;

static int node_index(const graph *g, const char *name) {
  for (int i = 0; i < g->n; i++)
    if (strcmp(g->nodes[i]->name, name) == 0)
      return i;
  return -1;
}

/* Marks what can be reached from `from` (index); finals are not nodes. */
static void reach(const graph *g, int from, bool *seen) {
  /* Iterative: a long generated procedure must not exhaust the stack. */
  int *stack = malloc(((size_t)g->n + 1) * sizeof *stack), sp = 0;
  if (stack == NULL || from < 0 || seen[from]) {
    free(stack);
    return;
  }
  seen[from] = true;
  stack[sp++] = from;
  while (sp > 0) {
    int v = stack[--sp];
    for (const dsl_transition *t = g->nodes[v]->out; t; t = t->next)
      if (t->target_index >= 0 && !seen[t->target_index]) {
        seen[t->target_index] = true;
        stack[sp++] = t->target_index;
      }
  }
  free(stack);
}

static bool role_known(const dsl_procedure *p, const char *role) {
  if (dsl_vocab_has(dsl_standard_roles, role))
    return true;
  for (const dsl_strlist *r = p->role_names; r; r = r->next)
    if (strcmp(r->text, role) == 0)
      return true;
  return false;
}

static void check_role(const dsl_procedure *p, const char *role, dsl_span at, mc_diag_sink *sink) {
  char hint[600], all[300];
  if (role_known(p, role))
    return;
  const char *guess = dsl_vocab_closest(dsl_standard_roles, role);
  dsl_vocab_join(dsl_standard_roles, all, sizeof all);
  if (guess)
    snprintf(hint, sizeof hint, "did you mean \"%s\"? An agency's own role is declared with: role %s \"...\"", guess, role);
  else
    snprintf(hint, sizeof hint, "standard roles are %s; declare another with: role %s \"...\"", all, role);
  ERR(sink, at, hint, "unknown role \"%s\"", role);
}

static void check_agency_ref(const dsl_program *prog, const char *code, dsl_span at, mc_diag_sink *sink) {
  if (!has_agencies(prog)) {
    ERR(sink, at, "check it together with the agency directory (workflows/agencies)",
        "the agency \"%s\" cannot be checked: no agency directory was read", code);
    return;
  }
  char hint[200];
  if (dsl__find_agency(prog, code) == NULL)
    ERR(sink, at, agency_hint(prog, code, hint, sizeof hint), "unknown agency \"%s\"", code);
}

static void check_limit(const dsl_program *prog, const dsl_procedure *p, const dsl_policy *policy,
                        const dsl_limit *l, const char *what, mc_diag_sink *sink) {
  char hint[600];
  dsl_unit unit;
  (void)prog;
  if (l->policy_key) {
    if (policy == NULL)
      return; /* the unknown policy is reported once, elsewhere */
    const dsl_setting *s = dsl__setting(policy->settings, l->policy_key);
    if (s == NULL || s->kind != DSL_VAL_DURATION) {
      snprintf(hint, sizeof hint, "the policy \"%s\" has no duration called %s; see workflows/policies", policy->id,
               l->policy_key);
      ERR(sink, l->at, hint, "unknown policy limit \"policy.%s\"", l->policy_key);
      return;
    }
    /* A province's own limit (reception within 1 working hour) applies to
     * every procedure, whatever unit the procedure counts in. */
    return;
  } else {
    if (l->d.amount <= 0) {
      ERR(sink, l->at, "a timer needs a time; a zero limit belongs to the procedure's time, not to a step",
          "%s cannot be zero", what);
      return;
    }
    if (l->d.amount > DSL_MAX_DURATION) {
      ERR(sink, l->at, "a limit counts at most 10000 days or hours; check the number",
          "%s (%lld) is too long to count", what, (long long)l->d.amount);
      return;
    }
    unit = l->d.unit;
  }
  if (p->has_time && p->time.unit == DSL_UNIT_CALENDAR_DAYS && unit == DSL_UNIT_WORKING_HOURS) {
    snprintf(hint, sizeof hint, "the procedure counts calendar days (time %lld days); give the step a limit in days",
             (long long)p->time.amount);
    ERR(sink, l->at, hint, "%s is in working hours, which makes no sense on a calendar-day procedure", what);
  }
}

static void check_notify(const dsl_notify *n, mc_diag_sink *sink) {
  char hint[600];
  for (; n; n = n->next) {
    if (!dsl_vocab_has(dsl_recipients, n->who))
      ERR(sink, n->at, vocab_hint(hint, sizeof hint, dsl_recipients, n->who, "recipients"),
          "unknown recipient \"%s\"", n->who);
    if (n->template_name[0] == '\0')
      ERR(sink, n->at, "name the message template, such as \"accepted\"", "the template name is empty");
  }
}

static void check_target(const graph *g, const dsl_transition *t, mc_diag_sink *sink) {
  char hint[600], all[200];
  if (node_index(g, t->target) >= 0 || dsl_vocab_has(dsl_final_states, t->target))
    return;
  dsl_vocab_join(dsl_final_states, all, sizeof all);
  const char *names[128];
  int n = 0;
  for (int i = 0; i < g->n && n < 120; i++)
    names[n++] = g->nodes[i]->name;
  for (int i = 0; dsl_final_states[i]; i++)
    names[n++] = dsl_final_states[i];
  names[n] = NULL;
  const char *guess = dsl_vocab_closest(names, t->target);
  if (guess)
    snprintf(hint, sizeof hint, "did you mean \"%s\"?", guess);
  else
    snprintf(hint, sizeof hint, "lead to a step, choice, fork or join of this procedure, or to a final state: %s", all);
  ERR(sink, t->target_at, hint, "\"%s\" is not a step of this procedure", t->target);
}

static void check_step(const dsl_program *prog, const dsl_procedure *p, const dsl_policy *policy,
                       const graph *g, const dsl_node *n, mc_diag_sink *sink) {
  char hint[600];
  if (n->role == NULL)
    ERR(sink, n->at, "say who acts in it: by reception, by specialist, by leader, ...", "the step \"%s\" has no role", n->name);
  else
    check_role(p, n->role, n->role_at, sink);
  if (n->state == NULL) {
    char all[300];
    dsl_vocab_join(dsl_step_states, all, sizeof all);
    snprintf(hint, sizeof hint, "add: state ... — one of %s", all);
    ERR(sink, n->at, hint, "the step \"%s\" maps to no dossier state", n->name);
  } else if (!dsl_vocab_has(dsl_step_states, n->state)) {
    if (dsl_vocab_has(dsl_final_states, n->state))
      snprintf(hint, sizeof hint, "%s is a final state: lead to it with an arrow (on ... -> %s) instead", n->state, n->state);
    else
      vocab_hint(hint, sizeof hint, dsl_step_states, n->state, "step states");
    ERR(sink, n->state_at, hint, "unknown dossier state \"%s\"", n->state);
  }
  if (n->agency)
    check_agency_ref(prog, n->agency, n->agency_at, sink);
  if (n->limit.set)
    check_limit(prog, p, policy, &n->limit, "the time limit of a step", sink);
  else if (policy) {
    const dsl_setting *s = dsl__setting(policy->settings, "step_limits");
    if (s && s->kind == DSL_VAL_WORD && strcmp(s->text, "required") == 0) {
      snprintf(hint, sizeof hint, "the policy \"%s\" requires a limit on every step: add within ...", policy->id);
      ERR(sink, n->at, hint, "the step \"%s\" has no time limit", n->name);
    }
  }
  if (n->has_warn) {
    if (n->warn.amount <= 0)
      ERR(sink, n->warn.at, "warn at least 1 working hour before", "a warning cannot be zero");
    else if (!n->limit.set)
      ERR(sink, n->warn.at, "give the step a limit (within ...) to warn before", "a warning needs a time limit");
    else if (!n->limit.policy_key && n->limit.d.unit == n->warn.unit && n->warn.amount >= n->limit.d.amount)
      ERR(sink, n->warn.at, "warn before the limit, with less time than the limit itself",
          "the warning comes before the step even starts");
    if (p->has_time && p->time.unit == DSL_UNIT_CALENDAR_DAYS && n->warn.unit == DSL_UNIT_WORKING_HOURS)
      ERR(sink, n->warn.at, "give the warning in days", "a warning in working hours makes no sense on a calendar-day procedure");
  }
  if (n->escalate_to) {
    check_role(p, n->escalate_to, n->escalate_at, sink);
    if (!n->limit.set)
      ERR(sink, n->escalate_at, "give the step a limit (within ...) to escalate at", "escalation needs a time limit");
  }
  if (n->clock == DSL_CLOCK_POLICY && policy && !dsl__setting(policy->settings, "supplement_clock"))
    ERR(sink, n->at, "the policy must say supplement_clock pause or restart", "clock policy needs the policy's supplement_clock");
  for (const dsl_transition *t = n->out; t; t = t->next) {
    if (!dsl_vocab_has(dsl_actions, t->action))
      ERR(sink, t->at, vocab_hint(hint, sizeof hint, dsl_actions, t->action, "actions"), "unknown action \"%s\"", t->action);
    for (const dsl_transition *u = n->out; u != t; u = u->next)
      if (strcmp(u->action, t->action) == 0) {
        ERR(sink, t->at, "an action leads to one place; use a choice after it to branch",
            "the action \"%s\" is given twice in this step", t->action);
        break;
      }
    if (!strcmp(t->target, "rejected") && n->state && strcmp(n->state, "submitted"))
      ERR(sink, t->target_at,
          "after reception a refusal is a decision with its reasons: lead to a step in state decided with deny",
          "\"rejected\" (refused at reception) cannot follow a step in state %s", n->state);
    if (strcmp(t->action, "timeout") == 0 && !n->limit.set)
      ERR(sink, t->at, "give the step a limit (within ...) for its timeout", "timeout needs a time limit");
    check_target(g, t, sink);
    check_notify(t->notify, sink);
  }
}

/* A choice that can come back to itself through choices only loops for ever
 * without an official's action. */
static void check_choice_loop(const graph *g, const dsl_node *n, mc_diag_sink *sink) {
  int self = node_index(g, n->name), *stack = calloc((size_t)g->n + 1, sizeof *stack), sp = 0;
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

static void check_choice(mc_arena *arena, const dsl_procedure *p, const graph *g, const dsl_node *n,
                         mc_diag_sink *sink) {
  check_choice_loop(g, n, sink);
  int count = 0, otherwise = 0, bad = 0;
  for (const dsl_transition *t = n->out; t; t = t->next) {
    check_target(g, t, sink);
    check_notify(t->notify, sink);
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
    if (!covered)
      ERR(sink, n->at, "add a last branch: otherwise -> STEP, for the cases no condition covers",
          "the choice \"%s\" may find no condition true", n->name);
  }
}

static void check_fork(const dsl_program *prog, const graph *g, const dsl_node *n, mc_diag_sink *sink) {
  int branches = 0;
  int join = node_index(g, n->join);
  if (join < 0 || g->nodes[join]->kind != DSL_NODE_JOIN)
    ERR(sink, n->join_at, "declare it in this procedure: join NAME -> NEXT_STEP", "\"%s\" is not a join of this procedure", n->join);
  if (n->lead)
    check_agency_ref(prog, n->lead, n->lead_at, sink);
  for (const dsl_transition *t = n->out; t; t = t->next) {
    branches++;
    for (const dsl_transition *u = n->out; u != t; u = u->next)
      if (strcmp(u->action, t->action) == 0)
        ERR(sink, t->at, "give each branch its own name", "the branch \"%s\" is given twice", t->action);
    check_target(g, t, sink);
    int start = t->target_index;
    if (start < 0 || join < 0)
      continue;
    bool *seen = calloc((size_t)g->n, sizeof *seen);
    if (seen == NULL)
      return;
    reach(g, start, seen);
    if (!seen[join])
      ERR(sink, t->at, "every branch must end in the fork's join, where the lead agency gathers the answers",
          "the branch \"%s\" never reaches the join \"%s\"", t->action, n->join);
    free(seen);
  }
  if (branches < 2)
    ERR(sink, n->at, "a fork sends the dossier to two or more agencies at once; with one branch, use a step",
        "the fork \"%s\" has %d branch%s", n->name, branches, branches == 1 ? "" : "es");
  /* The engine follows a dossier at most DSL_MAX_PARALLEL steps at once. */
  if (branches > DSL_MAX_PARALLEL)
    ERR(sink, n->at, "consult at most 8 agencies at once; group the others in a second fork after the join",
        "the fork \"%s\" has %d branches", n->name, branches);
  if (join < 0 || g->nodes[join]->kind != DSL_NODE_JOIN)
    return;
  /* The fork's region: what its branches reach before the join.  Nothing in
   * it may lead back before the fork (the join would wait for ever), and
   * nothing outside it may enter the join. */
  int self = node_index(g, n->name);
  bool *region = calloc((size_t)g->n, sizeof *region), *seen = calloc((size_t)g->n, sizeof *seen);
  int *stack = calloc((size_t)g->n + 1, sizeof *stack);
  if (region && seen && stack) {
    int sp = 0;
    for (const dsl_transition *t = n->out; t; t = t->next) {
      int k = t->target_index;
      if (k >= 0 && k != join && !region[k])
        region[k] = true, stack[sp++] = k;
    }
    while (sp > 0) {
      int v = stack[--sp];
      for (const dsl_transition *t = g->nodes[v]->out; t; t = t->next) {
        int k = t->target_index;
        if (k >= 0 && k != join && !region[k])
          region[k] = true, stack[sp++] = k;
      }
    }
    bool reported = false;
    for (int v = 0; v < g->n && !reported; v++) {
      if (!region[v])
        continue;
      memset(seen, 0, (size_t)g->n * sizeof *seen);
      reach(g, v, seen);
      if (v == self || seen[self]) {
        char hint[300];
        snprintf(hint, sizeof hint, "a branch ends in the join \"%s\" (or a final state); going back before the fork would leave the join waiting", n->join);
        ERR(sink, g->nodes[v]->at, hint, "\"%s\" leads out of the fork \"%s\" back to where it started", g->nodes[v]->name, n->name);
        reported = true;
      }
    }
    for (int v = 0; v < g->n; v++) {
      if (region[v] || v == self)
        continue;
      for (const dsl_transition *t = g->nodes[v]->out; t; t = t->next)
        if (t->target_index == join) {
          char hint[300];
          snprintf(hint, sizeof hint, "only the branches of the fork \"%s\" lead into its join; lead elsewhere", n->name);
          ERR(sink, t->target_at, hint, "\"%s\" enters the join \"%s\" from outside its fork", g->nodes[v]->name, n->join);
        }
    }
  }
  free(region);
  free(seen);
  free(stack);
}

static void check_graph(const graph *g, mc_diag_sink *sink) {
  bool *from_start, *to_final;
  if (g->n == 0)
    return;
  from_start = calloc((size_t)g->n, sizeof *from_start);
  to_final = calloc((size_t)g->n, sizeof *to_final);
  if (from_start == NULL || to_final == NULL)
    goto done;
  reach(g, 0, from_start);
  /* A join is entered from the branches of its fork. */
  for (int i = 0; i < g->n; i++)
    if (g->nodes[i]->kind == DSL_NODE_FORK && from_start[i]) {
      int j = node_index(g, g->nodes[i]->join);
      if (j >= 0)
        reach(g, j, from_start);
    }
  /* What can reach a final state: walk the arrows backwards from the nodes
   * that lead to one (a worklist, linear in the arrows). */
  {
    int *pred_count = calloc((size_t)g->n + 1, sizeof *pred_count), *pred_at = NULL, *preds = NULL;
    int *queue = calloc((size_t)g->n + 1, sizeof *queue), head = 0, tail = 0, npreds = 0;
    if (pred_count == NULL || queue == NULL)
      goto walked;
    for (int i = 0; i < g->n; i++)
      for (const dsl_transition *t = g->nodes[i]->out; t; t = t->next)
        if (t->target_index >= 0)
          pred_count[t->target_index]++, npreds++;
    pred_at = calloc((size_t)g->n + 1, sizeof *pred_at);
    preds = calloc((size_t)npreds + 1, sizeof *preds);
    if (pred_at == NULL || preds == NULL)
      goto walked;
    for (int i = 0, at = 0; i < g->n; i++)
      pred_at[i] = at, at += pred_count[i];
    memset(pred_count, 0, (size_t)g->n * sizeof *pred_count);
    for (int i = 0; i < g->n; i++)
      for (const dsl_transition *t = g->nodes[i]->out; t; t = t->next) {
        if (t->target_index >= 0)
          preds[pred_at[t->target_index] + pred_count[t->target_index]++] = i;
        else if (dsl_vocab_has(dsl_final_states, t->target) && !to_final[i])
          to_final[i] = true, queue[tail++] = i;
      }
    while (head < tail) {
      int v = queue[head++];
      for (int k = 0; k < pred_count[v]; k++) {
        int u = preds[pred_at[v] + k];
        if (!to_final[u])
          to_final[u] = true, queue[tail++] = u;
      }
    }
  walked:
    free(pred_count);
    free(pred_at);
    free(preds);
    free(queue);
  }
  /* An arrow to a name that is not a step (a misspelling, reported at the
   * arrow) could be meant for any of them: what cannot be reached, or cannot
   * end, follows from it, so it is not said again for each step after. */
  bool misspelt = false;
  for (int i = 0; i < g->n && !misspelt; i++)
    for (const dsl_transition *t = g->nodes[i]->out; t && !misspelt; t = t->next)
      misspelt = t->target_index < 0 && !dsl_vocab_has(dsl_final_states, t->target);
  for (int i = 0; i < g->n; i++) {
    const dsl_node *n = g->nodes[i];
    if (!from_start[i]) {
      if (!misspelt)
        ERR(sink, n->at, "lead to it from another step, or remove it (the process starts at the first step)",
            "\"%s\" can never be reached", n->name);
      continue;
    }
    if (n->out == NULL)
      ERR(sink, n->at, "give it an action that leads on, such as: on complete -> NEXT_STEP",
          "\"%s\" has no way out", n->name);
    else if (!to_final[i] && !misspelt)
      ERR(sink, n->at, "some path from here must end in returned, rejected, withdrawn or stopped",
          "from \"%s\" no path leads to a final state", n->name);
  }
done:
  free(from_start);
  free(to_final);
}

static int compare_node_names(const void *a, const void *b) {
  return strcmp((*(dsl_node *const *)a)->name, (*(dsl_node *const *)b)->name);
}

static void check_procedure(mc_arena *arena, const dsl_program *prog, dsl_procedure *p, mc_diag_sink *sink) {
  char hint[600];
  const dsl_policy *policy = NULL;

  for (const dsl_procedure *q = prog->procedures; q != p; q = q->next)
    if (!q->context && strcmp(q->code, p->code) == 0) {
      ERR(sink, p->code_at, "each procedure has its own national code", "the procedure \"%s\" is defined twice", p->code);
      break;
    }
  /* The code names files and dossier streams: letters, digits, dots, dashes. */
  bool code_ok = p->code[0] != '\0' && strlen(p->code) <= 32;
  for (const char *c = p->code; *c && code_ok; c++)
    code_ok = (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c == '.' ||
              *c == '-' || *c == '_';
  if (!code_ok)
    ERR(sink, p->code_at, "write the national code, such as 1.001193 (letters, digits, dots and dashes, at most 32)",
        "\"%s\" cannot be a procedure code", p->code);
  /* Catalogue data. */
  if (p->sector == NULL)
    ERR(sink, p->at, "add: sector \"Tư pháp\"", "the procedure \"%s\" has no sector", p->code);
  if (p->field == NULL)
    ERR(sink, p->at, "add: field \"Hộ tịch\"", "the procedure \"%s\" has no field", p->code);
  if (p->level == NULL)
    ERR(sink, p->at, "add: level commune (or province, district)", "the procedure \"%s\" has no administrative level", p->code);
  else if (!dsl_vocab_has(dsl_levels, p->level))
    ERR(sink, p->level_at, vocab_hint(hint, sizeof hint, dsl_levels, p->level, "levels"), "unknown level \"%s\"", p->level);
  if (p->online == NULL && p->service_level == 0)
    ERR(sink, p->at, "add: online full (toàn trình) or online partial (một phần), or service_level 1-4",
        "the procedure \"%s\" does not say how it is offered online", p->code);
  if (p->online && !dsl_vocab_has(dsl_online_kinds, p->online))
    ERR(sink, p->online_at, "write online full (toàn trình) or online partial (một phần)", "unknown online service \"%s\"", p->online);
  if (p->service_level < 0 || p->service_level > 4)
    ERR(sink, p->at, "service levels are 1 to 4", "service level %lld does not exist", (long long)p->service_level);
  if (!p->has_time)
    ERR(sink, p->at, "add: time 3 working days (or working hours, or days for calendar days; 0 for the same day)",
        "the procedure \"%s\" has no processing time", p->code);
  if (p->fee == NULL)
    ERR(sink, p->at, "add: fee 0 VND if it is free", "the procedure \"%s\" has no fee", p->code);
  if (p->payer && !dsl_vocab_has(dsl_payers, p->payer))
    ERR(sink, p->at, vocab_hint(hint, sizeof hint, dsl_payers, p->payer, "payers"), "unknown payer \"%s\"", p->payer);
  for (const dsl_strlist *c = p->channels; c; c = c->next)
    if (!dsl_vocab_has(dsl_channels, c->text))
      ERR(sink, c->at, vocab_hint(hint, sizeof hint, dsl_channels, c->text, "result channels"), "unknown channel \"%s\"", c->text);
  if (p->policy == NULL)
    ERR(sink, p->at, "add: policy \"nd118-2025\" (see workflows/policies)", "the procedure \"%s\" names no policy", p->code);
  else if ((policy = dsl__find_policy(prog, p->policy)) == NULL)
    ERR(sink, p->policy_at, "name a policy of workflows/policies, such as \"nd118-2025\"", "unknown policy \"%s\"", p->policy);
  for (const dsl_strlist *r = p->role_names; r; r = r->next)
    if (dsl_vocab_has(dsl_standard_roles, r->text))
      ERR(sink, r->at, "standard roles need no declaration", "\"%s\" is a standard role", r->text);

  /* Documents. */
  for (const dsl_document *d = p->documents; d; d = d->next) {
    for (const dsl_document *e = p->documents; e != d; e = e->next)
      if (strcmp(e->name, d->name) == 0) {
        ERR(sink, d->at, "give each document its own name", "the document \"%s\" is listed twice", d->name);
        break;
      }
    if (d->original && d->copy)
      ERR(sink, d->at, "say original or copy, not both", "the document \"%s\" is both an original and a copy", d->name);
    if (d->count < 1)
      ERR(sink, d->at, "a required document comes at least once", "the document \"%s\" has count %lld", d->name, (long long)d->count);
  }

  /* The form. */
  for (const dsl_field *f = p->fields; f; f = f->next) {
    if (f->name == NULL)
      continue;
    for (const dsl_field *g = p->fields; g != f; g = g->next)
      if (g->name && strcmp(g->name, f->name) == 0) {
        ERR(sink, f->at, "give each field its own name", "the form field \"%s\" is declared twice", f->name);
        break;
      }
    if (f->label == NULL)
      ERR(sink, f->at, "add: label \"...\" (what the applicant sees)", "the form field \"%s\" has no label", f->name);
    bool textual = f->type == DSL_FIELD_TEXT || f->type == DSL_FIELD_PHONE || f->type == DSL_FIELD_EMAIL;
    if (f->has_length && !textual)
      ERR(sink, f->at, "length applies to text fields; numbers take range", "the field \"%s\" cannot have a length", f->name);
    if (f->has_range && f->type != DSL_FIELD_NUMBER)
      ERR(sink, f->at, "range applies to number fields; texts take length", "the field \"%s\" cannot have a range", f->name);
    if (f->pattern) {
      regex_t re;
      int rc = regcomp(&re, f->pattern, REG_EXTENDED | REG_NOSUB);
      if (rc != 0) {
        char msg[200];
        regerror(rc, &re, msg, sizeof msg);
        ERR(sink, f->at, "write a POSIX extended regular expression, such as ^[0-9A-Z]+$",
            "the pattern of \"%s\" is not a regular expression: %s", f->name, msg);
      } else {
        regfree(&re);
      }
    }
    if (f->pattern && f->type != DSL_FIELD_TEXT)
      ERR(sink, f->at, "pattern applies to text fields (citizen ids, tax codes, phones and emails are checked already)",
          "the field \"%s\" cannot have a pattern", f->name);
    for (const dsl_strlist *v = f->values; v; v = v->next)
      for (const dsl_strlist *w = f->values; w != v; w = w->next)
        if (strcmp(v->text, w->text) == 0)
          ERR(sink, v->at, "list each value once", "the value \"%s\" is listed twice", v->text);
  }
  /* The fee. */
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
  /* The time. */
  if (p->has_time && p->time.amount < 0)
    ERR(sink, p->time.at, NULL, "the processing time cannot be negative");

  /* The process. */
  graph g = {0};
  for (dsl_node *n = p->nodes; n; n = n->next)
    g.n++;
  if (g.n == 0) {
    ERR(sink, p->at, "add the steps of the process: step reception \"Tiếp nhận\" by reception ... { on accept -> ... }",
        "the procedure \"%s\" has no steps", p->code);
    return;
  }
  g.nodes = mc_arena_calloc(arena, (size_t)g.n, sizeof *g.nodes);
  if (g.nodes == NULL)
    return;
  int i = 0;
  for (dsl_node *n = p->nodes; n; n = n->next) {
    n->index = i;
    g.nodes[i++] = n;
  }
  /* Every arrow's target, looked up once (a procedure of thousands of steps
   * must not cost a scan per arrow in every graph walk). */
  {
    dsl_node **by_name = mc_arena_calloc(arena, (size_t)g.n, sizeof *by_name);
    if (by_name == NULL)
      return;
    memcpy(by_name, g.nodes, (size_t)g.n * sizeof *by_name);
    qsort(by_name, (size_t)g.n, sizeof *by_name, compare_node_names);
    for (i = 0; i < g.n; i++)
      for (dsl_transition *t = g.nodes[i]->out; t; t = t->next) {
        dsl_node key = {.name = t->target}, *kp = &key;
        dsl_node **hit = bsearch(&kp, by_name, (size_t)g.n, sizeof *by_name, compare_node_names);
        t->target_index = hit ? (*hit)->index : -1;
      }
  }
  if (g.nodes[0]->kind != DSL_NODE_STEP)
    ERR(sink, g.nodes[0]->at, "put the first step of the process (usually reception) first",
        "the process must start with a step");
  for (i = 0; i < g.n; i++) {
    const dsl_node *n = g.nodes[i];
    for (int k = 0; k < i; k++)
      if (strcmp(g.nodes[k]->name, n->name) == 0) {
        ERR(sink, n->at, "give each step, choice, fork and join its own name", "\"%s\" is defined twice", n->name);
        break;
      }
    if (dsl_vocab_has(dsl_final_states, n->name))
      ERR(sink, n->at, "final states are built in; name the step otherwise", "\"%s\" is a final state", n->name);
    switch (n->kind) {
    case DSL_NODE_STEP:
      check_step(prog, p, policy, &g, n, sink);
      break;
    case DSL_NODE_CHOICE:
      check_choice(arena, p, &g, n, sink);
      break;
    case DSL_NODE_FORK:
      check_fork(prog, &g, n, sink);
      break;
    case DSL_NODE_JOIN: {
      int forks = 0;
      for (int k = 0; k < g.n; k++)
        forks += g.nodes[k]->kind == DSL_NODE_FORK && g.nodes[k]->join && strcmp(g.nodes[k]->join, n->name) == 0;
      if (forks != 1)
        ERR(sink, n->at, "each join closes exactly one fork: fork NAME join THIS { ... }",
            "the join \"%s\" closes %d forks", n->name, forks);
      check_target(&g, n->out, sink);
      check_notify(n->out->notify, sink);
      break;
    }
    }
  }
  check_graph(&g, sink);
}

/* ============================================================ message templates */

/* The facts a template may name, filled in when the message is sent
 * (docs/DSL.md, "Message templates"). */
static const char *const template_facts[] = {
    "dossier.code", "dossier.state", "procedure.code", "procedure.name", "agency.name", "applicant.name",
    "submitted_at", "appointment", "old_appointment", "reason", "amount", "code", "step", "due_at",
    "message", NULL};

/* Every {fact} of a text is one the engine knows; {{ and }} are braces. */
static void check_template_text(const dsl_template *t, const char *text, dsl_span at, const char *what,
                                mc_diag_sink *sink) {
  char hint[600], fact[64];
  bool too_long;
  int found;
  while ((found = dsl__next_fact(&text, fact, &too_long)) == 1)
    if (too_long || !dsl_vocab_has(template_facts, fact))
      ERR(sink, at, vocab_hint(hint, sizeof hint, template_facts, fact, "facts"),
          "the %s of \"%s\" names {%s}, which no message can fill in", what, t->name, fact);
  if (found == -1)
    ERR(sink, at, "write }} for a brace in the text, or open the fact with {", "a lone } in the %s of \"%s\"",
        what, t->name);
  else if (found == -2)
    ERR(sink, at, "close the fact with }, or write {{ for a brace", "an unclosed { in the %s of \"%s\"", what,
        t->name);
}

static void check_templates(const dsl_program *prog, mc_diag_sink *sink) {
  for (const dsl_template *t = prog->templates; t; t = t->next) {
    if (t->context)
      continue;
    if (dsl__find_template(prog, t->name) != t)
      ERR(sink, t->at, "give each template its own name", "the template \"%s\" is defined twice", t->name);
    if (strlen(t->name) > 40)
      ERR(sink, t->at, "a template's name has at most 40 characters", "the template name \"%.40s...\" is too long",
          t->name);
    if (t->subject == NULL)
      ERR(sink, t->at, "add: subject \"...\" (the e-mail's subject line)", "the template \"%s\" has no subject",
          t->name);
    if (t->body == NULL)
      ERR(sink, t->at, "add: body \"...\" (the e-mail's text; several texts in a row are joined)",
          "the template \"%s\" has no body", t->name);
    check_template_text(t, t->subject, t->subject_at, "subject", sink);
    check_template_text(t, t->body, t->body_at, "body", sink);
    check_template_text(t, t->sms, t->sms_at, "text message", sink);
  }
  if (prog->templates == NULL)
    return; /* checked together with workflows/templates only */
  /* The engine's own messages (docs/ENGINE.md, "The outbox"). */
  static const char *const engine_sends[] = {"received", "new_dossier", "extended", "payment_due", "step_warning", "step_overdue",
                                             "deadline_near", "deadline_passed", "delivery_failed", "incident", "transferred", NULL};
  const dsl_template *last = prog->templates;
  while (last->next)
    last = last->next;
  for (int i = 0; engine_sends[i]; i++)
    if (dsl__find_template(prog, engine_sends[i]) == NULL) {
      char hint[300];
      snprintf(hint, sizeof hint, "the engine sends it by itself; define it: template \"%s\" { subject \"...\" body \"...\" }",
               engine_sends[i]);
      ERR(sink, last->at, hint, "the message template \"%s\" is missing", engine_sends[i]);
    }
  for (const dsl_procedure *p = prog->procedures; p; p = p->next) {
    if (p->context)
      continue;
    for (const dsl_node *n = p->nodes; n; n = n->next)
      for (const dsl_transition *tr = n->out; tr; tr = tr->next)
        for (const dsl_notify *m = tr->notify; m; m = m->next)
          if (m->template_name[0] && dsl__find_template(prog, m->template_name) == NULL) {
            char hint[300];
            const char *guess = dsl__closest_template(prog, m->template_name);
            if (guess)
              snprintf(hint, sizeof hint, "did you mean \"%s\"?", guess);
            else
              snprintf(hint, sizeof hint, "define it in workflows/templates: template \"%s\" { subject \"...\" body \"...\" }",
                       m->template_name);
            ERR(sink, m->at, hint, "unknown message template \"%s\"", m->template_name);
          }
  }
}

int dsl__check(dsl_compile *c, mc_diag_sink *sink) {
  int before = sink->errors;
  check_policies(&c->prog, sink);
  check_directory(&c->prog, sink);
  dsl__check_successors(&c->prog, sink);
  check_templates(&c->prog, sink);
  for (dsl_procedure *p = c->prog.procedures; p; p = p->next)
    if (!p->context)
      check_procedure(&c->arena, &c->prog, p, sink);
  dsl__check_structure(&c->prog, sink);
  return sink->errors > before ? MC_EPARSE : 0;
}
