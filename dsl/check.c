/* check.c — what catches a wrong process before any dossier meets it.
 *
 * Run over everything a compile read; each finding points at the spot with a
 * hint.  In order: policies and the agency directory (check_settings.c),
 * message templates (check_templates.c), then each procedure — here its
 * catalogue data, documents and form; its fee and the conditions of its
 * choices (check_conditions.c); each step, fork and join and the shape of
 * the process as a graph (check_steps.c) — and last what needs the whole
 * process at once (check_structure.c).  Definitions read as context are used
 * for lookups only.
 */
#include "dsl/check-int.h"

#include "base/error.h"
#include "dsl/vocab.h"

#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  if (p->sector == NULL && !p->incomplete)
    ERR(sink, p->at, "add: sector \"Tư pháp\"", "the procedure \"%s\" has no sector", p->code);
  if (p->field == NULL && !p->incomplete)
    ERR(sink, p->at, "add: field \"Hộ tịch\"", "the procedure \"%s\" has no field", p->code);
  if (p->level == NULL) {
    if (!p->incomplete)
      ERR(sink, p->at, "add: level commune (or province, district)", "the procedure \"%s\" has no administrative level", p->code);
  } else if (!dsl_vocab_has(dsl_levels, p->level))
    ERR(sink, p->level_at, dsl__vocab_hint(hint, sizeof hint, dsl_levels, p->level, "levels"), "unknown level \"%s\"", p->level);
  if (p->online == NULL && p->service_level == 0 && !p->incomplete)
    ERR(sink, p->at, "add: online full (toàn trình) or online partial (một phần), or service_level 1-4",
        "the procedure \"%s\" does not say how it is offered online", p->code);
  if (p->online && !dsl_vocab_has(dsl_online_kinds, p->online))
    ERR(sink, p->online_at, "write online full (toàn trình) or online partial (một phần)", "unknown online service \"%s\"", p->online);
  if (p->service_level < 0 || p->service_level > 4)
    ERR(sink, p->at, "service levels are 1 to 4", "service level %lld does not exist", (long long)p->service_level);
  if (!p->has_time && !p->incomplete)
    ERR(sink, p->at, "add: time 3 working days (or working hours, or days for calendar days; 0 for the same day)",
        "the procedure \"%s\" has no processing time", p->code);
  if (p->fee == NULL && !p->incomplete)
    ERR(sink, p->at, "add: fee 0 VND if it is free", "the procedure \"%s\" has no fee", p->code);
  if (p->payer && !dsl_vocab_has(dsl_payers, p->payer))
    ERR(sink, p->at, dsl__vocab_hint(hint, sizeof hint, dsl_payers, p->payer, "payers"), "unknown payer \"%s\"", p->payer);
  for (const dsl_strlist *c = p->channels; c; c = c->next)
    if (!dsl_vocab_has(dsl_channels, c->text))
      ERR(sink, c->at, dsl__vocab_hint(hint, sizeof hint, dsl_channels, c->text, "result channels"), "unknown channel \"%s\"", c->text);
  if (p->policy == NULL) {
    if (!p->incomplete)
      ERR(sink, p->at, "add: policy \"nd118-2025\" (see workflows/policies)", "the procedure \"%s\" names no policy", p->code);
  } else if ((policy = dsl__find_policy(prog, p->policy)) == NULL)
    ERR(sink, p->policy_at, dsl__did_you_mean(hint, sizeof hint, dsl__closest_in(prog->policies, offsetof(dsl_policy, id), p->policy), "name a policy of workflows/policies, such as \"nd118-2025\""), "unknown policy \"%s\"", p->policy);
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
  dsl__check_fee(arena, p, sink);
  /* The time. */
  if (p->has_time && p->time.amount < 0)
    ERR(sink, p->time.at, NULL, "the processing time cannot be negative");

  /* The process. */
  graph g = {.lost = p->lost_names};
  for (dsl_node *n = p->nodes; n; n = n->next)
    g.n++;
  if (g.n == 0) {
    if (!p->incomplete)
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
      dsl__check_step(prog, p, policy, &g, n, sink);
      break;
    case DSL_NODE_CHOICE:
      dsl__check_choice(arena, p, &g, n, sink);
      break;
    case DSL_NODE_FORK:
      dsl__check_fork(prog, &g, n, sink);
      break;
    case DSL_NODE_JOIN: {
      int forks = 0;
      for (int k = 0; k < g.n; k++)
        forks += g.nodes[k]->kind == DSL_NODE_FORK && g.nodes[k]->join && strcmp(g.nodes[k]->join, n->name) == 0;
      if (forks != 1 && !(forks == 0 && (dsl__fork_join_misspelt(p->nodes) || graph_lost(&g, n->name)))) /* said at the fork */
        ERR(sink, n->at, "each join closes exactly one fork: fork NAME join THIS { ... }",
            "the join \"%s\" closes %d forks", n->name, forks);
      if (n->out) /* none after a syntax error in its line */
        dsl__check_target(&g, n->out, sink), dsl__check_notify(n->out->notify, sink);
      break;
    }
    }
  }
  dsl__check_graph(&g, sink);
}

int dsl__check(dsl_compile *c, mc_diag_sink *sink) {
  int before = sink->errors;
  dsl__check_policies(&c->prog, sink);
  dsl__check_directory(&c->prog, sink);
  dsl__check_successors(&c->prog, sink);
  dsl__check_templates(&c->prog, sink);
  for (dsl_procedure *p = c->prog.procedures; p; p = p->next)
    if (!p->context)
      check_procedure(&c->arena, &c->prog, p, sink);
  dsl__check_structure(&c->prog, sink);
  return sink->errors > before ? MC_EPARSE : 0;
}

