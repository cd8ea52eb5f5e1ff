/* check_structure.c — what makes a process unworkable beyond its shape
 * (check.c): the step where the result is ready (state decided), the
 * actions that belong before it or at reception only.  Run last by
 * check.c; calls only the reporting (report.c).
 */
#include "dsl/dsl-int.h"

#include <stdio.h>
#include <string.h>

#define ERR(sink, span, hint, ...) dsl__error_at((sink), (span), (hint), __VA_ARGS__)

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

void dsl__check_structure(const dsl_program *prog, mc_diag_sink *sink) {
  for (const dsl_procedure *p = prog->procedures; p; p = p->next) {
    if (p->context || p->nodes == NULL)
      continue; /* no steps: check.c says so */
    check_steps(p, sink);
  }
}
