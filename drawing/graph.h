/* graph.h — drawing a compiled procedure: a layered layout and three
 * renderings (Graphviz DOT, Mermaid, BPMN 2.0 with diagram interchange), and
 * SVG through Graphviz.  Shared by `motcua graph` and motcuad's procedure page.
 *
 * The drawing is built from the compiled machine (dsl/machine.h), so it shows
 * exactly what the engine runs: steps with their role and time limit,
 * actions as labelled arrows (through an exclusive gateway when a step's
 * actions lead to several places), choices as exclusive gateways with their
 * conditions, forks and joins as parallel gateways, timers as boundary
 * events (a warning's and an escalation's leading to the notice sent), final
 * states as end events, and where the legal clock pauses or restarts.  Lanes
 * are per role (and agency, for a step done elsewhere).  The BPMN mapping
 * and its extension elements: docs/DSL.md, "The BPMN export".
 */
#ifndef MOTCUA_DRAWING_GRAPH_H
#define MOTCUA_DRAWING_GRAPH_H

#include "base/arena.h"
#include "base/buf.h"
#include "dsl/machine.h"

typedef struct graph graph;

/* An agency of the directory by its name: the lane of a step done at
 * another agency (`at "H13.CA"`) is named by it, not by its code. */
typedef struct graph_agency {
  const char *code, *name;
} graph_agency;

/* Builds and lays out the drawing of `m` in `arena` (which must outlive it);
 * `agencies` (`n` of them, may be NULL) name the agencies of its lanes, an
 * agency it lacks is named by its code. */
int graph_build(const dsl_machine *m, const graph_agency *agencies, int n, mc_arena *arena, graph **out);

int graph_write_dot(const graph *g, mc_buf *out);
int graph_write_mermaid(const graph *g, mc_buf *out);
int graph_write_bpmn(const graph *g, mc_buf *out);
/* SVG, by Graphviz's `dot` (run as a child process, killed after 20 s),
 * appended to `out`.  On failure `why` says what went wrong in words
 * (MC_ENOENT: dot is not installed) and `out` is as it was. */
int graph_write_svg(const graph *g, mc_buf *out, char *why, size_t whylen);

#endif
