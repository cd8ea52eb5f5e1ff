/* graph-int.h — the drawing's model, shared by its building (model.c), the
 * layout (graph.c) and its writers (text.c: DOT and Mermaid; bpmn.c: BPMN
 * 2.0).  Not for use outside drawing/. */
#ifndef MOTCUA_DRAWING_GRAPH_INT_H
#define MOTCUA_DRAWING_GRAPH_INT_H

#include "drawing/graph.h"

#include <stdbool.h>

/* ============================================================ model */

typedef enum { G_START, G_TASK, G_XOR, G_AND, G_END, G_DUMMY } gkind;

typedef struct gnode {
  gkind kind;
  const char *id;        /* XML id / DOT id */
  const char *label;     /* may hold \n; NULL for a gateway that only merges */
  const char *detail;    /* second part of a task's label, may be NULL */
  int lane;
  int layer, order, row;
  double x, y, w, h;     /* top-left and size */
  bool dashed;           /* the legal clock pauses or restarts here */
  bool paused;           /* ... and it pauses (clock pauses): drawn with ‖ */
  bool payment;          /* a step waiting for a fee or an obligation to be paid */
  bool split;            /* XOR: which of its step's actions was taken */
  bool message;          /* END: a notification, where a warning's or escalation's path ends */
  bool terminate;        /* END: a final state reached inside a fork: it ends every branch */
  const dsl_m_node *src; /* the step, choice, fork or join drawn (a split: its step); else NULL */
  int default_flow;      /* XOR: the otherwise edge, or -1 */
} gnode;

/* A gateway with no name (a merge), or none worth showing (which action was
 * taken: its flows say it), is drawn with BPMN's marker alone (DOT, Mermaid). */
static inline bool gnode_marker_only(const gnode *v) { return v->kind == G_XOR && (v->split || v->label == NULL); }

typedef struct gedge {
  int from, to;          /* node indices (from: the host for a timer edge) */
  const char *id;
  const char *label;
  const char *condition; /* XOR outgoing: the condition text */
  int boundary;          /* index into boundaries when it leaves a timer, else -1 */
  bool back;
  int *chain;            /* dummies from..to, in order */
  int nchain;
  double *pts;           /* waypoints x,y pairs */
  int npts;
} gedge;

typedef struct gboundary {
  int host;
  const char *id;
  const char *label;
  dsl_m_duration due;    /* the step's limit, from the step's start */
  dsl_m_duration lead;   /* a warning: it fires this long before `due` (set), else unset */
  bool interrupting;
  double x, y;           /* top-left, 36x36 */
} gboundary;

typedef struct glane {
  const char *key, *label, *id;
  int rows;
  double y, h;
} glane;

struct graph {
  mc_arena *arena;
  const dsl_machine *m;
  const graph_agency *agencies; /* names of the lanes' agencies (borrowed) */
  int nagencies;
  gnode *nodes;
  int nnodes, capnodes;
  gedge *edges;
  int nedges, capedges;
  gboundary *bounds;
  int nbounds;
  glane *lanes;
  int nlanes;
  int nlayers;
  double *colx, *colw;   /* each layer's column: left edge and width */
  double width, height;
};

#define TASK_W 170.0
#define TASK_H 80.0
#define GATE 50.0
#define EVENT 36.0
#define COL_GAP 80.0
#define MIN_COL 40.0   /* a column that edges only cross */
#define ROW_H 130.0
#define LANE_LABEL 30.0 /* the lane's name band on the left */
#define POOL_LABEL 30.0 /* the pool's name band */
#define MARGIN 20.0

/* model.c: builds the nodes, edges, lanes and timers of g->m (the layout
 * of graph.c follows); adds a node (a dummy of the layout, too). */
int graph__model(graph *g);
int graph__add_node(graph *g, gkind kind, const char *id, const char *label, int lane);

#endif
