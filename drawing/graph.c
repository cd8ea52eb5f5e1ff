/* graph.c — the layout of a procedure's drawing (see graph.h).
 *
 * Layout is the classic layered (Sugiyama) method, left to right:
 *   1. the process becomes a graph (model.c): a start event, one node per
 *      step, choice, fork and join, one end event per final state reached,
 *      the gateways BPMN needs; timers leave from a boundary event on their
 *      step;
 *   2. cycles (the supplement loop back to reception) are broken by marking
 *      the edges that close them, found by a depth-first search from the
 *      start, as back edges;
 *   3. each node's layer is its longest forward path from the start;
 *   4. a forward edge that spans several layers gets a dummy node in each
 *      layer it crosses, so it is routed around the shapes;
 *   5. the order within each layer is improved by sweeps of the barycenter
 *      heuristic (down, then up) to reduce crossings;
 *   6. every (layer, lane) gets as many rows as it needs: a shape sits at the
 *      centre of its own slot, so no two shapes overlap; each layer's column
 *      is as wide as its widest shape;
 *   7. edges are routed orthogonally through their dummies; back edges run
 *      along a channel at the bottom of the lanes.
 */
#include "drawing/graph-int.h"

#include "base/error.h"

#include <stdlib.h>
#include <string.h>

/* ============================================================ layout */

static int find_back_edges(graph *g) {
  /* Iterative DFS from the start (node 0) with an on-stack mark. */
  int n = g->nnodes;
  char *state = calloc((size_t)n, 1); /* 0 new, 1 on stack, 2 done */
  int *stack = calloc((size_t)n + 1, sizeof *stack), *next = calloc((size_t)n, sizeof *next);
  int sp = 0, rc = 0;
  if (!state || !stack || !next) {
    rc = MC_ENOMEM;
    goto done;
  }
  stack[sp++] = 0;
  state[0] = 1;
  while (sp > 0) {
    int v = stack[sp - 1];
    bool pushed = false;
    while (next[v] < g->nedges) {
      gedge *e = &g->edges[next[v]++];
      if (e->from != v)
        continue;
      if (state[e->to] == 1) {
        e->back = true;
      } else if (state[e->to] == 0) {
        state[e->to] = 1;
        stack[sp++] = e->to;
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      state[v] = 2;
      sp--;
    }
  }
done:
  free(state);
  free(stack);
  free(next);
  return rc;
}

static void assign_layers(graph *g) {
  /* Longest path over forward edges, by relaxation (the graph is small). */
  for (int i = 0; i < g->nnodes; i++)
    g->nodes[i].layer = 0;
  /* At most nnodes rounds: the forward edges form no cycle. */
  for (int round = 0, changed = 1; changed && round <= g->nnodes; round++) {
    changed = 0;
    for (int i = 0; i < g->nedges; i++) {
      const gedge *e = &g->edges[i];
      if (e->back)
        continue;
      if (g->nodes[e->to].layer < g->nodes[e->from].layer + 1) {
        g->nodes[e->to].layer = g->nodes[e->from].layer + 1;
        changed = 1;
      }
    }
  }
  g->nlayers = 0;
  for (int i = 0; i < g->nnodes; i++)
    if (g->nodes[i].layer + 1 > g->nlayers)
      g->nlayers = g->nodes[i].layer + 1;
}

static int add_dummies(graph *g) {
  int nreal_edges = g->nedges;
  for (int i = 0; i < nreal_edges; i++) {
    gedge *e = &g->edges[i];
    int from_layer = g->nodes[e->from].layer, to_layer = g->nodes[e->to].layer;
    if (e->back || to_layer - from_layer <= 1)
      continue;
    e->nchain = to_layer - from_layer - 1;
    e->chain = mc_arena_calloc(g->arena, (size_t)e->nchain, sizeof *e->chain);
    if (e->chain == NULL)
      return MC_ENOMEM;
    for (int k = 0; k < e->nchain; k++) {
      int lane = k < e->nchain / 2 ? g->nodes[e->from].lane : g->nodes[e->to].lane;
      int d = graph__add_node(g, G_DUMMY, NULL, NULL, lane);
      if (d < 0)
        return MC_ENOMEM;
      e = &g->edges[i]; /* add_node may move nodes, not edges; keep the pointer fresh anyway */
      g->nodes[d].layer = from_layer + 1 + k;
      e->chain[k] = d;
    }
  }
  return 0;
}

static double barycenter(const graph *g, int v, bool use_up, const int *pos) {
  double sum = 0;
  int count = 0;
  for (int i = 0; i < g->nedges; i++) {
    const gedge *e = &g->edges[i];
    if (e->back)
      continue;
    int path[64], len = 0;
    path[len++] = e->from;
    for (int k = 0; k < e->nchain && len < 63; k++)
      path[len++] = e->chain[k];
    path[len++] = e->to;
    for (int k = 0; k + 1 < len; k++) {
      if (use_up && path[k + 1] == v) {
        sum += pos[path[k]];
        count++;
      } else if (!use_up && path[k] == v) {
        sum += pos[path[k + 1]];
        count++;
      }
    }
  }
  return count ? sum / count : -1;
}

static const graph *sort_graph;
static const double *sort_key;

static int by_lane_then_key(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  const gnode *nx = &sort_graph->nodes[x], *ny = &sort_graph->nodes[y];
  if (nx->lane != ny->lane)
    return nx->lane - ny->lane;
  if (sort_key[x] != sort_key[y])
    return sort_key[x] < sort_key[y] ? -1 : 1;
  return nx->order - ny->order;
}

static int order_layers(graph *g) {
  int n = g->nnodes;
  int *pos = calloc((size_t)n, sizeof *pos), *layer_nodes = calloc((size_t)n, sizeof *layer_nodes);
  double *key = calloc((size_t)n, sizeof *key);
  if (!pos || !layer_nodes || !key) {
    free(pos), free(layer_nodes), free(key);
    return MC_ENOMEM;
  }
  /* Initial order: creation order within each layer. */
  for (int l = 0; l < g->nlayers; l++) {
    int k = 0;
    for (int i = 0; i < n; i++)
      if (g->nodes[i].layer == l)
        g->nodes[i].order = k, pos[i] = k++;
  }
  sort_graph = g;
  sort_key = key;
  for (int sweep = 0; sweep < 8; sweep++) {
    bool down = sweep % 2 == 0;
    for (int step = 0; step < g->nlayers; step++) {
      int l = down ? step : g->nlayers - 1 - step;
      int cnt = 0;
      for (int i = 0; i < n; i++)
        if (g->nodes[i].layer == l)
          layer_nodes[cnt++] = i;
      for (int k = 0; k < cnt; k++) {
        int v = layer_nodes[k];
        double b = barycenter(g, v, down, pos);
        key[v] = b < 0 ? g->nodes[v].order : b;
      }
      qsort(layer_nodes, (size_t)cnt, sizeof *layer_nodes, by_lane_then_key);
      for (int k = 0; k < cnt; k++)
        g->nodes[layer_nodes[k]].order = k, pos[layer_nodes[k]] = k;
    }
  }
  free(pos);
  free(layer_nodes);
  free(key);
  return 0;
}

static double width_of(gkind k) { return k == G_TASK ? TASK_W : k == G_XOR || k == G_AND ? GATE : k == G_DUMMY ? 0 : EVENT; }

static int place(graph *g) {
  /* Rows: within a (layer, lane), nodes take rows in their order. */
  int rc = 0;
  int *rows_used = calloc((size_t)g->nlayers * (size_t)g->nlanes, sizeof *rows_used);
  int *by_order = calloc((size_t)g->nnodes, sizeof *by_order);
  if (!rows_used || !by_order) {
    rc = MC_ENOMEM;
    goto done;
  }
  for (int l = 0; l < g->nlayers; l++) {
    int cnt = 0;
    for (int i = 0; i < g->nnodes; i++)
      if (g->nodes[i].layer == l)
        by_order[cnt++] = i;
    /* sort by order */
    for (int a = 1; a < cnt; a++)
      for (int b = a; b > 0 && g->nodes[by_order[b]].order < g->nodes[by_order[b - 1]].order; b--) {
        int t = by_order[b];
        by_order[b] = by_order[b - 1];
        by_order[b - 1] = t;
      }
    for (int k = 0; k < cnt; k++) {
      gnode *v = &g->nodes[by_order[k]];
      v->row = rows_used[l * g->nlanes + v->lane]++;
    }
  }
  double y = MARGIN;
  for (int ln = 0; ln < g->nlanes; ln++) {
    int rows = 1;
    for (int l = 0; l < g->nlayers; l++)
      if (rows_used[l * g->nlanes + ln] > rows)
        rows = rows_used[l * g->nlanes + ln];
    g->lanes[ln].rows = rows;
    g->lanes[ln].y = y;
    g->lanes[ln].h = rows * ROW_H;
    y += g->lanes[ln].h;
  }
  /* Columns: each layer as wide as its widest shape (a column of gateways
   * or events is narrow), COL_GAP between them. */
  g->colx = mc_arena_calloc(g->arena, (size_t)g->nlayers + 1, sizeof *g->colx);
  g->colw = mc_arena_calloc(g->arena, (size_t)g->nlayers + 1, sizeof *g->colw);
  if (!g->colx || !g->colw) {
    rc = MC_ENOMEM;
    goto done;
  }
  for (int l = 0; l < g->nlayers; l++)
    g->colw[l] = MIN_COL;
  for (int i = 0; i < g->nnodes; i++)
    if (width_of(g->nodes[i].kind) > g->colw[g->nodes[i].layer])
      g->colw[g->nodes[i].layer] = width_of(g->nodes[i].kind);
  g->colx[0] = MARGIN + POOL_LABEL + LANE_LABEL + 20;
  for (int l = 0; l < g->nlayers; l++)
    g->colx[l + 1] = g->colx[l] + g->colw[l] + COL_GAP;
  for (int i = 0; i < g->nnodes; i++) {
    gnode *v = &g->nodes[i];
    double w = width_of(v->kind), h = v->kind == G_TASK ? TASK_H : w;
    double cx = g->colx[v->layer] + g->colw[v->layer] / 2;
    double cy = g->lanes[v->lane].y + v->row * ROW_H + ROW_H / 2;
    v->w = w;
    v->h = h;
    v->x = cx - w / 2;
    v->y = cy - h / 2;
  }
  g->width = g->colx[g->nlayers] - COL_GAP + 40;
  g->height = y + MARGIN;
  /* Boundary timers sit on the bottom edge of their task, from the right;
   * two of them far enough apart that their names (which bpmn.io writes
   * below them, 90 px wide) do not overlap. */
  int *count = calloc((size_t)g->nnodes * 2, sizeof *count), *placed = count ? count + g->nnodes : NULL;
  if (count == NULL)
    rc = MC_ENOMEM;
  for (int i = 0; count && i < g->nbounds; i++)
    count[g->bounds[i].host]++;
  for (int i = 0; count && i < g->nbounds; i++) {
    gboundary *b = &g->bounds[i];
    const gnode *h = &g->nodes[b->host];
    double apart = count[b->host] <= 2 ? TASK_W / 2 + 11 : EVENT + 6;
    b->x = h->x + h->w - 24 - EVENT / 2 - placed[b->host]++ * apart;
    b->y = h->y + h->h - EVENT / 2;
  }
  free(count);
done:
  free(rows_used);
  free(by_order);
  return rc;
}

static int add_point(gedge *e, double x, double y, int cap) {
  if (e->npts >= cap)
    return MC_ETOOBIG;
  /* Skip a point that repeats the last one. */
  if (e->npts > 0 && e->pts[2 * e->npts - 2] == x && e->pts[2 * e->npts - 1] == y)
    return 0;
  e->pts[2 * e->npts] = x;
  e->pts[2 * e->npts + 1] = y;
  e->npts++;
  return 0;
}

static int route(graph *g) {
  for (int i = 0; i < g->nedges; i++) {
    gedge *e = &g->edges[i];
    const gnode *a = &g->nodes[e->from], *b = &g->nodes[e->to];
    int cap = 8 + 4 * e->nchain;
    e->pts = mc_arena_calloc(g->arena, (size_t)cap * 2, sizeof *e->pts);
    if (e->pts == NULL)
      return MC_ENOMEM;
    if (e->boundary >= 0) {
      const gboundary *t = &g->bounds[e->boundary];
      double bx = t->x + EVENT / 2, by = t->y + EVENT;
      if (b->layer > a->layer) {
        /* To a later column: down from the timer to the foot of the host's
         * row, along it (between rows of shapes), then up into the target
         * from below when it is in the host's row; else down or up the gap
         * before the target's column and into its left side.  A host's
         * timers run a little apart, and apart from the flows that bend in
         * the middle of the gap. */
        int nth = 0;
        for (int k = 0; k < e->boundary; k++)
          nth += g->bounds[k].host == e->from;
        double foot = g->lanes[a->lane].y + (a->row + 1) * ROW_H - 4 - 4 * nth;
        if (foot < by + 2)
          foot = by + 2;
        add_point(e, bx, by, cap);
        add_point(e, bx, foot, cap);
        if (b->lane == a->lane && b->row == a->row) {
          add_point(e, b->x + b->w / 2 + 6 * nth, foot, cap);
          add_point(e, b->x + b->w / 2 + 6 * nth, b->y + b->h, cap);
        } else {
          double gap_x = g->colx[b->layer] - COL_GAP / 2 + 12 + 6 * nth, ty = b->y + b->h / 2;
          add_point(e, gap_x, foot, cap);
          add_point(e, gap_x, ty, cap);
          add_point(e, b->x, ty, cap);
        }
        continue;
      }
      /* Back: from the bottom of the timer, down below the host, then across. */
      double chan = g->lanes[a->lane].y + g->lanes[a->lane].h - 12;
      if (chan < by + 8)
        chan = by + 8;
      add_point(e, bx, by, cap);
      add_point(e, bx, chan, cap);
      add_point(e, b->x + b->w / 2, chan, cap);
      add_point(e, b->x + b->w / 2, chan < b->y ? b->y : b->y + b->h, cap);
      continue;
    }
    if (e->back) {
      /* Along a channel at the bottom of the lower of the two lanes. */
      const glane *la = &g->lanes[a->lane], *lb = &g->lanes[b->lane];
      double chan = (la->y + la->h > lb->y + lb->h ? la->y + la->h : lb->y + lb->h) - 8;
      add_point(e, a->x + a->w / 2 - 10, a->y + a->h, cap);
      add_point(e, a->x + a->w / 2 - 10, chan, cap);
      add_point(e, b->x + b->w / 2 + 10, chan, cap);
      add_point(e, b->x + b->w / 2 + 10, b->y + b->h, cap);
      continue;
    }
    /* Forward: right side of each hop to the left side of the next, with an
     * orthogonal bend in the gap between columns. */
    double x = a->x + a->w, y = a->y + a->h / 2;
    add_point(e, x, y, cap);
    for (int k = 0; k <= e->nchain; k++) {
      const gnode *next = k < e->nchain ? &g->nodes[e->chain[k]] : b;
      double ny = next->y + next->h / 2;
      double gap_x = g->colx[next->layer] - COL_GAP / 2;
      if (ny != y) {
        add_point(e, gap_x, y, cap);
        add_point(e, gap_x, ny, cap);
        y = ny;
      }
      if (k < e->nchain) {
        /* pass straight through the dummy's column */
        add_point(e, g->colx[next->layer], y, cap);
        add_point(e, g->colx[next->layer] + g->colw[next->layer], y, cap);
      }
    }
    add_point(e, b->x, y, cap);
  }
  return 0;
}

int graph_build(const dsl_machine *m, const graph_agency *agencies, int n, mc_arena *arena, graph **out) {
  graph *g = mc_arena_calloc(arena, 1, sizeof *g);
  int rc;
  *out = NULL;
  if (g == NULL)
    return MC_ENOMEM;
  g->arena = arena;
  g->m = m;
  g->agencies = agencies;
  g->nagencies = agencies ? n : 0;
  if ((rc = graph__model(g)) != 0)
    return rc;
  if ((rc = find_back_edges(g)) != 0)
    return rc;
  assign_layers(g);
  if ((rc = add_dummies(g)) != 0 || (rc = order_layers(g)) != 0 || (rc = place(g)) != 0 ||
      (rc = route(g)) != 0)
    return rc;
  *out = g;
  return 0;
}

