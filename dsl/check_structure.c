/* check_structure.c — what makes a process unworkable beyond its shape
 * (check.c): the step where the result is ready (state decided), the
 * actions that belong before it or at reception only, and the {facts} a
 * message template is sent with where a `notify` names it.  Also the time
 * limits of the procedures checked, for `motcua check` to count on the
 * calendars (dsl_compile_limits).  Run last by check.c; calls only the
 * lookups (lookup.c), the words (vocab.c) and the reporting (report.c).
 */
#include "dsl/check-int.h"

#include "dsl/vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static bool is_decided(const dsl_node *n) { return n->kind == DSL_NODE_STEP && n->state && !strcmp(n->state, "decided"); }

/* ============================================================ steps and actions */

static void check_steps(const dsl_procedure *p, mc_diag_sink *sink) {
  bool decided = false, results = false, returns = false;
  for (const dsl_node *n = p->nodes; n; n = n->next) {
    decided |= is_decided(n);
    for (const dsl_transition *t = n->out; t; t = t->next)
      returns |= !strcmp(t->target, "returned");
  }
  for (const dsl_document *d = p->documents; d; d = d->next)
    results |= d->result;
  /* The dossier is classified early, on time or late (DOMAIN.md rule 9)
   * and the portal told "done" [9] when it enters a step in state decided;
   * a process with no result to hand over (feedback answered) is decided
   * when it returns (engine/process.c), one that never returns never is. */
  if (!decided && (results || !returns))
    ERR(sink, p->at,
        "add the step where the result is ready, such as: step result \"Trả kết quả\" by reception within 1 working "
        "day state decided { on return_result -> returned }; a dossier is classified early, on time or late there",
        "the procedure \"%s\" has no step in state decided: no dossier is ever classified early, on time or late",
        p->code);
  for (const dsl_node *n = p->nodes; n; n = n->next) {
    if (n->kind != DSL_NODE_STEP)
      continue;
    for (const dsl_transition *t = n->out; t; t = t->next) {
      if (is_decided(n) && (!strcmp(t->action, "approve") || !strcmp(t->action, "deny")))
        ERR(sink, t->at,
            "decide in the step before it (signing: on approve -> result); here the result is handed over: "
            "return_result, hand_to_post",
            "\"%s\" cannot be taken in the step \"%s\": in state decided the result is ready", t->action, n->name);
      if (n != p->nodes && !strcmp(t->action, "accept")) {
        char hint[600];
        snprintf(hint, sizeof hint,
                 "a dossier is accepted once, in the first step (\"%s\"), where it is received; to move it on from "
                 "here: complete or forward",
                 p->nodes->name);
        ERR(sink, t->at, hint, "\"accept\" cannot be taken in the step \"%s\", after reception", n->name);
      }
    }
  }
}

/* ============================================================ the facts a message is sent with */

/* The facts a message sent on a transition can never fill in, and why
 * (engine/message.c fills them): what the engine sends by itself has them. */
static const struct {
  const char *fact, *why;
} engine_only[] = {
    {"due_at", "only a message on timeout (or the engine's step_warning, step_overdue) has a deadline that passed"},
    {"old_appointment", "only the engine's extended message has the appointment before an extension"},
    {"code", "a one-time code is sent only with the account messages"},
    {"message", "an announcement fills it only in the engine's incident message"},
};

/* Why `fact` cannot be filled in on the transition `t` of node `n` of `p`
 * (NULL: it can, or may). */
static const char *why_empty(const dsl_procedure *p, const dsl_node *n, const dsl_transition *t, const char *fact,
                             bool accepted_before) {
  if (n->kind == DSL_NODE_STEP && !dsl_vocab_has(dsl_actions, t->action))
    return NULL; /* an unknown action: check.c says so */
  bool timeout = n->kind == DSL_NODE_STEP && t->action && !strcmp(t->action, "timeout");
  if (!strcmp(fact, "due_at") && (timeout || n->kind != DSL_NODE_STEP))
    return NULL; /* a choice or a join may follow a timeout */
  for (size_t i = 0; i < sizeof engine_only / sizeof engine_only[0]; i++)
    if (!strcmp(fact, engine_only[i].fact))
      return engine_only[i].why;
  if (!strcmp(fact, "reason") && timeout)
    return "the engine takes timeout itself: no one gives a reason";
  if (!strcmp(fact, "appointment") && n == p->nodes && strcmp(t->action, "accept") && !accepted_before)
    return "the appointment is fixed when the dossier is accepted: a message from reception before that has none";
  return NULL;
}

/* Whether a dossier can be back at the first step once accepted: a path
 * from where `accept` leads to it. */
static bool back_at_reception(const dsl_procedure *p) {
  int n = 0, sp = 0, i = 0;
  for (const dsl_node *x = p->nodes; x; x = x->next)
    n++;
  bool *seen = calloc((size_t)n + 1, sizeof *seen), back = false;
  const dsl_node **nodes = calloc((size_t)n + 1, sizeof *nodes), **stack = calloc((size_t)n + 1, sizeof *stack);
  if (seen == NULL || nodes == NULL || stack == NULL)
    n = 0; /* out of memory: say nothing of the appointment */
  for (const dsl_node *x = p->nodes; x && i < n; x = x->next)
    nodes[i++] = x;
  for (const dsl_transition *t = n ? p->nodes->out : NULL; t; t = t->next)
    if (t->action && !strcmp(t->action, "accept") && t->target_index >= 0 && t->target_index < n &&
        !seen[t->target_index])
      seen[t->target_index] = true, stack[sp++] = nodes[t->target_index];
  while (sp > 0 && !back) {
    const dsl_node *x = stack[--sp];
    back = x == p->nodes;
    for (const dsl_transition *t = x->out; t; t = t->next)
      if (t->target_index >= 0 && t->target_index < n && !seen[t->target_index])
        seen[t->target_index] = true, stack[sp++] = nodes[t->target_index];
  }
  free(seen);
  free(nodes);
  free(stack);
  return back || n == 0;
}

/* Each {fact} of the template a `notify` names is one the message can be
 * filled in with there: a warning template used on a plain transition
 * would mail "đến hạn lúc ." (issue 21). */
static void check_notify_facts(const dsl_program *prog, const dsl_procedure *p, mc_diag_sink *sink) {
  bool accepted_before = back_at_reception(p);
  for (const dsl_node *n = p->nodes; n; n = n->next)
    for (const dsl_transition *t = n->out; t; t = t->next)
      for (const dsl_notify *m = t->notify; m; m = m->next) {
        const dsl_template *tmpl = dsl__find_template(prog, m->template_name);
        const char *texts[3] = {tmpl ? tmpl->subject : NULL, tmpl ? tmpl->body : NULL, tmpl ? tmpl->sms : NULL};
        char fact[64], said[4][64];
        int nsaid = 0;
        bool too_long;
        for (int k = 0; k < 3; k++)
          for (const char *c = texts[k]; dsl__next_fact(&c, fact, &too_long) == 1;) {
            const char *why = why_empty(p, n, t, fact, accepted_before);
            bool again = false;
            for (int s = 0; s < nsaid; s++)
              again |= !strcmp(said[s], fact);
            if (why == NULL || again || nsaid == 4)
              continue;
            snprintf(said[nsaid++], sizeof said[0], "%s", fact);
            char hint[600], where[160];
            snprintf(hint, sizeof hint, "%s; write the message without {%s}, or name another template", why, fact);
            if (n->kind == DSL_NODE_STEP)
              snprintf(where, sizeof where, "on %s in the step \"%s\"", t->action, n->name);
            else
              snprintf(where, sizeof where, "from \"%s\"", n->name);
            ERR(sink, m->at, hint, "the template \"%s\" names {%s}, which a message sent %s cannot fill in",
                m->template_name, fact, where);
          }
      }
}

void dsl__check_structure(const dsl_program *prog, mc_diag_sink *sink) {
  for (const dsl_procedure *p = prog->procedures; p; p = p->next) {
    if (p->context || p->nodes == NULL)
      continue; /* no steps: check.c says so */
    check_steps(p, sink);
    if (prog->templates)
      check_notify_facts(prog, p, sink);
  }
}

/* ============================================================ time limits, for the calendars */

/* One limit as written, the policy's number resolved; false when there is none. */
static bool site_of(const dsl_program *prog, const dsl_procedure *p, const dsl_limit *l, dsl_limit_site *out) {
  const dsl_duration *d = &l->d;
  if (!l->set)
    return false;
  if (l->policy_key) {
    const dsl_policy *policy = p->policy ? dsl__find_policy(prog, p->policy) : NULL;
    const dsl_setting *s = policy ? dsl__setting(policy->settings, l->policy_key) : NULL;
    if (s == NULL || s->kind != DSL_VAL_DURATION)
      return false;
    d = &s->duration;
  }
  out->amount = d->amount;
  out->unit = (int)d->unit;
  out->src = l->at.src;
  out->off = l->at.off;
  out->len = l->at.end > l->at.off ? l->at.end - l->at.off : 1;
  return true;
}

int dsl_compile_limits(const dsl_compile *c, dsl_limit_fn fn, void *opaque) {
  int rc = 0;
  for (const dsl_procedure *p = c->prog.procedures; p && rc == 0; p = p->next) {
    if (p->context)
      continue;
    dsl_limit_site site = {.procedure = p->code};
    dsl_limit time = {p->has_time, NULL, p->time, p->time.at};
    if (site_of(&c->prog, p, &time, &site))
      rc = fn(opaque, &site);
    for (const dsl_node *n = p->nodes; n && rc == 0; n = n->next) {
      site.step = n->name;
      if (n->kind == DSL_NODE_STEP && site_of(&c->prog, p, &n->limit, &site))
        rc = fn(opaque, &site);
    }
  }
  return rc;
}
