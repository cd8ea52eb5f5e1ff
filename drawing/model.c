/* model.c — what the drawing of a procedure shows (see graph.h): its nodes,
 * flows, lanes and timers, built from the compiled machine; the layout
 * (graph.c) places them.
 */
#include "dsl/states.h"
#include "drawing/graph-int.h"

#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char *fmt(graph *g, const char *f, ...) __attribute__((format(printf, 2, 3)));
static char *fmt(graph *g, const char *f, ...) {
  va_list ap;
  mc_buf b = MC_BUF_INIT;
  va_start(ap, f);
  mc_buf_vprintf(&b, f, ap);
  va_end(ap);
  char *s = mc_arena_strndup(g->arena, b.data ? (const char *)b.data : "", b.len);
  mc_buf_free(&b);
  return s;
}

/* `items` (n of `size` bytes, room for *cap) with room for one more: the
 * same array, or a copy twice as large (`first` items at first); NULL when
 * out of memory. */
static void *grow(graph *g, void *items, int n, int *cap, size_t size, int first) {
  if (n < *cap)
    return items;
  int more = *cap ? *cap * 2 : first;
  void *copy = mc_arena_calloc(g->arena, (size_t)more, size);
  if (copy == NULL)
    return NULL;
  if (n)
    memcpy(copy, items, (size_t)n * size);
  *cap = more;
  return copy;
}

int graph__add_node(graph *g, gkind kind, const char *id, const char *label, int lane) {
  gnode *nodes = grow(g, g->nodes, g->nnodes, &g->capnodes, sizeof *g->nodes, 32);
  if (nodes == NULL)
    return -1;
  g->nodes = nodes;
  gnode *n = &g->nodes[g->nnodes];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->id = id;
  n->label = label;
  n->lane = lane;
  n->default_flow = -1;
  return g->nnodes++;
}

static int add_edge(graph *g, int from, int to, const char *label) {
  gedge *edges = grow(g, g->edges, g->nedges, &g->capedges, sizeof *g->edges, 64);
  if (edges == NULL)
    return -1;
  g->edges = edges;
  gedge *e = &g->edges[g->nedges];
  memset(e, 0, sizeof *e);
  e->from = from;
  e->to = to;
  e->label = label;
  e->boundary = -1;
  e->id = fmt(g, "Flow_%d", g->nedges + 1);
  return g->nedges++;
}

static int lane_of(graph *g, const char *role, const char *agency) {
  const char *key = agency ? fmt(g, "%s@%s", role ? role : "?", agency) : (role ? role : "?");
  for (int i = 0; i < g->nlanes; i++)
    if (strcmp(g->lanes[i].key, key) == 0)
      return i;
  glane *l = &g->lanes[g->nlanes];
  l->key = key;
  l->label = agency ? fmt(g, "%s (%s)", role ? role : "?", agency) : key;
  l->id = fmt(g, "Lane_%d", g->nlanes + 1);
  return g->nlanes++;
}

/* Vietnamese labels of the actions, for the people who read the drawing. */
static const char *action_label(const char *action) {
  static const char *const labels[][2] = {
      {"accept", "Tiếp nhận"}, {"reject", "Từ chối"}, {"request_supplement", "Yêu cầu bổ sung"},
      {"provide_supplement", "Bổ sung hồ sơ"}, {"forward", "Chuyển"}, {"complete", "Hoàn thành"},
      {"approve", "Phê duyệt"}, {"deny", "Không phê duyệt"}, {"request_payment", "Yêu cầu nộp tiền"},
      {"record_payment", "Đã nộp tiền"}, {"return_result", "Trả kết quả"},
      {"hand_to_post", "Chuyển bưu chính"}, {"deliver", "Đã phát"}, {"answer", "Trả lời"},
      {"timeout", "Hết hạn"},
  };
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
    if (strcmp(labels[i][0], action) == 0)
      return labels[i][1];
  return action;
}

static const char *final_label(const char *state) {
  const char *label = dsl_state_label(dsl_state_parse(state));
  return label ? label : state;
}

static const char *duration_text(graph *g, const dsl_m_duration *d) {
  mc_buf b = MC_BUF_INIT;
  dsl_m_duration_format(d, &b);
  char *s = mc_arena_strndup(g->arena, b.data ? (const char *)b.data : "", b.len);
  mc_buf_free(&b);
  return s;
}

/* ============================================================ building */

int graph__model(graph *g) {
  const dsl_machine *m = g->m;
  int *node_of = mc_arena_calloc(g->arena, (size_t)m->nnodes, sizeof *node_of);
  int ends[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  const char *end_names[8];
  int nends = 0;
  g->lanes = mc_arena_calloc(g->arena, (size_t)m->nnodes + 2, sizeof *g->lanes);
  g->bounds = mc_arena_calloc(g->arena, (size_t)m->nnodes * 3 + 1, sizeof *g->bounds);
  if (node_of == NULL || g->lanes == NULL || g->bounds == NULL)
    return MC_ENOMEM;

  /* Lanes: a step's role (and agency); a gateway takes the lane of the
   * first node that leads to it. */
  int *lane_for = mc_arena_calloc(g->arena, (size_t)m->nnodes, sizeof *lane_for);
  if (lane_for == NULL)
    return MC_ENOMEM;
  for (int i = 0; i < m->nnodes; i++)
    lane_for[i] = m->nodes[i].kind == DSL_M_STEP ? lane_of(g, m->nodes[i].role, m->nodes[i].agency) : -1;
  for (int pass = 0; pass < m->nnodes; pass++)
    for (int i = 0; i < m->nnodes; i++)
      for (int k = 0; k < m->nodes[i].nout; k++) {
        int t = m->nodes[i].out[k].target;
        if (t >= 0 && lane_for[t] < 0 && lane_for[i] >= 0)
          lane_for[t] = lane_for[i];
      }
  for (int i = 0; i < m->nnodes; i++)
    if (lane_for[i] < 0)
      lane_for[i] = lane_for[0] >= 0 ? lane_for[0] : lane_of(g, "reception", NULL);

  int start = graph__add_node(g, G_START, "Start", "Nộp hồ sơ", lane_for[0]);
  for (int i = 0; i < m->nnodes; i++) {
    const dsl_m_node *n = &m->nodes[i];
    gkind kind = n->kind == DSL_M_STEP ? G_TASK : n->kind == DSL_M_CHOICE ? G_XOR : G_AND;
    const char *prefix = kind == G_TASK ? "Task" : "Gateway";
    node_of[i] = graph__add_node(g, kind, fmt(g, "%s_%s", prefix, n->name), n->title ? n->title : n->name, lane_for[i]);
    gnode *gn = &g->nodes[node_of[i]];
    gn->src = n;
    if (kind == G_TASK) {
      const char *clock = n->clock == DSL_M_CLOCK_PAUSES     ? " · đồng hồ tạm dừng"
                          : n->clock == DSL_M_CLOCK_RESTARTS ? " · đồng hồ tính lại"
                          : n->clock == DSL_M_CLOCK_POLICY   ? " · đồng hồ theo chính sách"
                                                             : "";
      gn->detail = fmt(g, "%s%s%s%s", n->role ? n->role : "", n->limit.set ? " · " : "",
                       n->limit.set ? duration_text(g, &n->limit) : "", clock);
      gn->dashed = n->clock != DSL_M_CLOCK_RUNS;
    }
  }
  if (add_edge(g, start, node_of[0], NULL) < 0)
    return MC_ENOMEM;

  for (int i = 0; i < m->nnodes; i++) {
    const dsl_m_node *n = &m->nodes[i];
    int from = node_of[i];
    int timer_host_bounds = 0;
    for (int k = 0; k < n->nout; k++) {
      const dsl_m_transition *t = &n->out[k];
      int to;
      if (t->target >= 0) {
        to = node_of[t->target];
      } else {
        int e = -1;
        for (int j = 0; j < nends; j++)
          if (strcmp(end_names[j], t->final) == 0)
            e = j;
        if (e < 0 && nends == 8)
          return MC_EPARSE; /* the decoder allows four final states */
        if (e < 0) {
          end_names[nends] = t->final;
          ends[nends] = graph__add_node(g, G_END, fmt(g, "End_%s", t->final), final_label(t->final), g->nodes[from].lane);
          e = nends++;
        }
        to = ends[e];
      }
      const char *label = NULL, *condition = NULL;
      if (n->kind == DSL_M_STEP || n->kind == DSL_M_FORK)
        label = t->action ? action_label(t->action) : NULL;
      if (n->kind == DSL_M_CHOICE) {
        if (t->otherwise) {
          label = "còn lại";
        } else {
          mc_buf b = MC_BUF_INIT;
          dsl_m_expr_format(t->when, &b);
          condition = label = mc_arena_strndup(g->arena, b.data ? (const char *)b.data : "", b.len);
          mc_buf_free(&b);
        }
      }
      int e = add_edge(g, from, to, label);
      if (e < 0)
        return MC_ENOMEM;
      g->edges[e].condition = condition;
      if (n->kind == DSL_M_CHOICE && t->otherwise)
        g->nodes[from].default_flow = e;
      if (t->action && strcmp(t->action, "timeout") == 0 && n->kind == DSL_M_STEP) {
        gboundary *b = &g->bounds[g->nbounds];
        b->host = from;
        b->id = fmt(g, "Timer_%s_%d", n->name, ++timer_host_bounds);
        b->label = fmt(g, "Hết hạn %s", duration_text(g, &n->limit));
        b->duration = duration_text(g, &n->limit);
        b->interrupting = true;
        g->edges[e].boundary = g->nbounds++;
      }
    }
    if (n->kind == DSL_M_STEP && n->warn.set) {
      gboundary *b = &g->bounds[g->nbounds++];
      b->host = from;
      b->id = fmt(g, "Timer_%s_%d", n->name, ++timer_host_bounds);
      b->label = fmt(g, "Cảnh báo trước %s", duration_text(g, &n->warn));
      b->duration = duration_text(g, &n->warn);
    }
    if (n->kind == DSL_M_STEP && n->escalate && n->limit.set) {
      gboundary *b = &g->bounds[g->nbounds++];
      b->host = from;
      b->id = fmt(g, "Timer_%s_%d", n->name, ++timer_host_bounds);
      b->label = fmt(g, "Quá hạn: chuyển %s", n->escalate);
      b->duration = duration_text(g, &n->limit);
    }
  }
  return 0;
}
