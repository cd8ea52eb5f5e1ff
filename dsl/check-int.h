/* check-int.h — what the checks share (check.c runs them: check_settings.c,
 * check_templates.c, then for each procedure check_steps.c and
 * check_conditions.c, and check_structure.c last).  Not for use outside dsl/.
 * Each check reports through ERR (report.c) an English text that has its
 * row in messages_vi.c. */
#ifndef DSL_CHECK_INT_H
#define DSL_CHECK_INT_H

#include "dsl/dsl-int.h"

#include <string.h>

#define ERR(sink, span, hint, ...) dsl__error_at((sink), (span), (hint), __VA_ARGS__)

/* The nodes of a procedure's process in order, each with its index
 * (dsl_node.index), each arrow's target_index resolved (-1: unknown). */
typedef struct graph {
  dsl_node **nodes;
  int n;
  const dsl_strlist *lost; /* names on lines a syntax error dropped (dsl_procedure) */
} graph;

/* Is `name` among the names a syntax error dropped (dsl_procedure's
 * lost_names)?  Then a use of it is not said to be unknown. */
static inline bool dsl__lost(const dsl_strlist *lost, const char *name) {
  for (const dsl_strlist *l = lost; l; l = l->next)
    if (strcmp(l->text, name) == 0)
      return true;
  return false;
}
static inline bool graph_lost(const graph *g, const char *name) { return dsl__lost(g->lost, name); }

static inline bool has_agencies(const dsl_program *prog) { return prog->agencies != NULL; }

/* check_settings.c */
void dsl__check_policies(const dsl_program *prog, mc_diag_sink *sink);
void dsl__check_directory(const dsl_program *prog, mc_diag_sink *sink);
/* check_templates.c */
void dsl__check_templates(const dsl_program *prog, mc_diag_sink *sink);
/* check_steps.c */
int dsl__node_index(const graph *g, const char *name);
void dsl__check_target(const graph *g, const dsl_transition *t, mc_diag_sink *sink);
void dsl__check_notify(const dsl_notify *n, mc_diag_sink *sink);
void dsl__check_step(const dsl_program *prog, const dsl_procedure *p, const dsl_policy *policy, const graph *g,
                     const dsl_node *n, mc_diag_sink *sink);
void dsl__check_fork(const dsl_program *prog, const graph *g, const dsl_node *n, mc_diag_sink *sink);
void dsl__check_graph(const graph *g, mc_diag_sink *sink);
/* check_conditions.c */
void dsl__check_choice(mc_arena *arena, const dsl_procedure *p, const graph *g, const dsl_node *n,
                       mc_diag_sink *sink);
void dsl__check_fee(mc_arena *arena, const dsl_procedure *p, mc_diag_sink *sink);

#endif
