/* check_steps.c — the checks of a procedure's process: each step (its role,
 * agency, state, limits, warning, actions and their arrows), each fork and
 * join, and the process as a graph (every step reachable, every step with
 * a way out, a path to a final state from everywhere, every branch of a fork
 * reaching its join and only its join). */
#include "dsl/check-int.h"

#include "base/error.h"
#include "dsl/vocab.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



int dsl__node_index(const graph *g, const char *name) {
  if (name == NULL) /* a fork whose header had a syntax error */
    return -1;
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
  const char *own = dsl__closest_in(p->role_names, offsetof(dsl_strlist, text), role); /* one it declares */
  dsl_vocab_join(dsl_standard_roles, all, sizeof all);
  if (own)
    dsl__did_you_mean(hint, sizeof hint, own, NULL);
  else if (guess)
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
    ERR(sink, at, dsl__agency_hint(prog, code, hint, sizeof hint), "unknown agency \"%s\"", code);
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
      if (!dsl__did_you_mean(hint, sizeof hint, dsl__closest_in(policy->settings, offsetof(dsl_setting, key), l->policy_key), NULL))
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

void dsl__check_notify(const dsl_notify *n, mc_diag_sink *sink) {
  char hint[600];
  for (; n; n = n->next) {
    if (!dsl_vocab_has(dsl_recipients, n->who))
      ERR(sink, n->at, dsl__vocab_hint(hint, sizeof hint, dsl_recipients, n->who, "recipients"),
          "unknown recipient \"%s\"", n->who);
    if (n->template_name[0] == '\0')
      ERR(sink, n->at, "name the message template, such as \"accepted\"", "the template name is empty");
  }
}

void dsl__check_target(const graph *g, const dsl_transition *t, mc_diag_sink *sink) {
  char hint[600], all[200];
  if (dsl__node_index(g, t->target) >= 0 || dsl_vocab_has(dsl_final_states, t->target) || graph_lost(g, t->target))
    return; /* a lost name: the line declaring it had a syntax error, said already */
  for (int i = 0; i < g->n; i++)
    if (g->nodes[i]->kind == DSL_NODE_FORK && g->nodes[i]->join && strcmp(g->nodes[i]->join, t->target) == 0)
      return; /* a fork's join not declared: said once, at the fork */
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

void dsl__check_step(const dsl_program *prog, const dsl_procedure *p, const dsl_policy *policy,
                       const graph *g, const dsl_node *n, mc_diag_sink *sink) {
  char hint[600];
  if (n->role == NULL && !n->incomplete)
    ERR(sink, n->at, "say who acts in it: by reception, by specialist, by leader, ...", "the step \"%s\" has no role", n->name);
  else if (n->role)
    check_role(p, n->role, n->role_at, sink);
  if (n->state == NULL) {
    char all[300];
    dsl_vocab_join(dsl_step_states, all, sizeof all);
    snprintf(hint, sizeof hint, "add: state ... — one of %s", all);
    if (!n->incomplete)
      ERR(sink, n->at, hint, "the step \"%s\" maps to no dossier state", n->name);
  } else if (!dsl_vocab_has(dsl_step_states, n->state)) {
    if (dsl_vocab_has(dsl_final_states, n->state))
      snprintf(hint, sizeof hint, "%s is a final state: lead to it with an arrow (on ... -> %s) instead", n->state, n->state);
    else
      dsl__vocab_hint(hint, sizeof hint, dsl_step_states, n->state, "step states");
    ERR(sink, n->state_at, hint, "unknown dossier state \"%s\"", n->state);
  }
  if (n->agency)
    check_agency_ref(prog, n->agency, n->agency_at, sink);
  if (n->limit.set)
    check_limit(prog, p, policy, &n->limit, "the time limit of a step", sink);
  else if (policy) {
    const dsl_setting *s = dsl__setting(policy->settings, "step_limits");
    if (s && s->kind == DSL_VAL_WORD && strcmp(s->text, "required") == 0 && !n->incomplete) {
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
      ERR(sink, t->at, dsl__vocab_hint(hint, sizeof hint, dsl_actions, t->action, "actions"), "unknown action \"%s\"", t->action);
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
    dsl__check_target(g, t, sink);
    dsl__check_notify(t->notify, sink);
  }
}

/* A choice that can come back to itself through choices only loops for ever
 * without an official's action. */
void dsl__check_fork(const dsl_program *prog, const graph *g, const dsl_node *n, mc_diag_sink *sink) {
  char mean[300];
  int branches = 0;
  if (n->join == NULL)
    return; /* a syntax error in its header, said already */
  int join = dsl__node_index(g, n->join);
  if (join < 0 || g->nodes[join]->kind != DSL_NODE_JOIN)
    ERR(sink, n->join_at, dsl__did_you_mean(mean, sizeof mean, dsl__closest_join(g->n ? g->nodes[0] : NULL, n->join), "declare it in this procedure: join NAME -> NEXT_STEP"), "\"%s\" is not a join of this procedure", n->join);
  if (n->lead)
    check_agency_ref(prog, n->lead, n->lead_at, sink);
  for (const dsl_transition *t = n->out; t; t = t->next) {
    branches++;
    for (const dsl_transition *u = n->out; u != t; u = u->next)
      if (strcmp(u->action, t->action) == 0)
        ERR(sink, t->at, "give each branch its own name", "the branch \"%s\" is given twice", t->action);
    dsl__check_target(g, t, sink);
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
  if (branches < 2 && !n->incomplete)
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
  int self = dsl__node_index(g, n->name);
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
    /* A fork with a syntax error may have lost a branch: what that branch
     * led to is not "outside" it. */
    for (int v = 0; v < g->n && !n->incomplete; v++) {
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

void dsl__check_graph(const graph *g, mc_diag_sink *sink) {
  bool *from_start, *to_final;
  if (g->n <= 0)
    return;
  from_start = calloc((size_t)g->n, sizeof *from_start);
  to_final = calloc((size_t)g->n, sizeof *to_final);
  if (from_start == NULL || to_final == NULL)
    goto done;
  reach(g, 0, from_start);
  /* A join is entered from the branches of its fork. */
  for (int i = 0; i < g->n; i++)
    if (g->nodes[i]->kind == DSL_NODE_FORK && from_start[i]) {
      int j = dsl__node_index(g, g->nodes[i]->join);
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
  for (int i = 0; i < g->n; i++)
    misspelt |= g->nodes[i]->incomplete; /* a step with a syntax error: its arrows may be missing */
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
    if (n->out == NULL && !n->incomplete)
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

