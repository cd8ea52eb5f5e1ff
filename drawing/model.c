/* model.c — what the drawing of a procedure shows (see graph.h): its nodes,
 * flows, lanes and timers, built from the compiled machine so that they say
 * what the engine does, in shapes that a BPMN reader (and bpmnlint's
 * recommended rules) read the same way:
 *
 *   - a start event, a task per step, an exclusive gateway per choice, a
 *     parallel gateway per fork and per join, an end event per final state;
 *   - a step's actions that lead to one place are one flow, labelled with
 *     them all; when they lead to several places, an exclusive gateway after
 *     the step says which action was taken (a flow's condition:
 *     `action == approve`), for a task with several flows out would be a
 *     parallel split;
 *   - a timeout leaves from an interrupting boundary timer; a warning and an
 *     escalation from a non-interrupting one, to a message end event (the
 *     notification the engine sends: the step goes on);
 *   - a join takes one flow from each branch of its fork, as the engine
 *     counts one arrival a branch: a branch's several ways in are merged by
 *     an exclusive gateway first; a gateway entered from several places is
 *     entered through an exclusive merge, so that none both joins and splits;
 *   - a final state reached inside a fork ends the dossier whole, with its
 *     other branches (the engine drops every token): a terminate end event.
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

/* A role as people read it: the procedure's own title for a role it names,
 * else the fixed roles' Vietnamese names, else the role's name. */
static const char *role_label(const graph *g, const char *role) {
  static const char *const fixed[][2] = {
      {"applicant", "Người nộp hồ sơ"}, {"reception", "Bộ phận Một cửa"}, {"specialist", "Chuyên viên xử lý"},
      {"leader", "Lãnh đạo"}, {"postal", "Bưu chính công ích"}, {"agency_admin", "Quản trị cơ quan"},
  };
  if (role == NULL)
    return "?";
  for (int i = 0; i < g->m->nroles; i++)
    if (strcmp(g->m->roles[i].name, role) == 0)
      return g->m->roles[i].title;
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (strcmp(fixed[i][0], role) == 0)
      return fixed[i][1];
  return role;
}

static int lane_of(graph *g, const char *role, const char *agency) {
  const char *key = agency ? fmt(g, "%s@%s", role ? role : "?", agency) : (role ? role : "?");
  for (int i = 0; i < g->nlanes; i++)
    if (strcmp(g->lanes[i].key, key) == 0)
      return i;
  glane *l = &g->lanes[g->nlanes];
  l->key = key;
  const char *where = agency;
  for (int i = 0; agency && i < g->nagencies; i++)
    if (g->agencies[i].code && g->agencies[i].name && strcmp(g->agencies[i].code, agency) == 0)
      where = g->agencies[i].name;
  l->label = agency ? fmt(g, "%s (%s)", role_label(g, role), where) : role_label(g, role);
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

/* A limit as people read it: "2 ngày làm việc"; one the policy sets, by what
 * it is ("thời hạn tiếp nhận theo quy chế": the drawing does not read the
 * policy, whose values may change after the procedure is published). */
static const char *duration_text(graph *g, const dsl_m_duration *d) {
  static const char *const keys[][2] = {
      {"reception_limit", "thời hạn tiếp nhận"}, {"supplement_window", "thời hạn bổ sung"},
      {"supplement_request_limit", "thời hạn yêu cầu bổ sung"}, {"feedback_answer_limit", "thời hạn trả lời"},
      {"postal_delivery_limit", "thời hạn chuyển phát"}, {"extension_notice", "thời hạn báo gia hạn"},
  };
  if (!d->set)
    return "";
  if (d->policy_key) {
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
      if (strcmp(keys[i][0], d->policy_key) == 0)
        return fmt(g, "%s theo quy chế", keys[i][1]);
    return fmt(g, "theo quy chế (%s)", d->policy_key);
  }
  const char *unit = d->unit == DSL_M_WORKING_DAYS    ? "ngày làm việc"
                     : d->unit == DSL_M_WORKING_HOURS ? "giờ làm việc"
                     : d->unit == DSL_M_CALENDAR_DAYS ? "ngày"
                                                      : "giờ";
  return fmt(g, "%lld %s", (long long)d->amount, unit);
}

/* ============================================================ building */

typedef struct builder {
  graph *g;
  int *node_of;         /* machine node -> drawing node */
  int ends[8];          /* the end event of each final state met, by name */
  const char *end_names[8];
  int nends;
} builder;

/* The drawing node a transition leads to: its target's, or the end event of
 * its final state (made in `lane` when first met).  < 0: an error. */
static int target_of(builder *b, const dsl_m_transition *t, int lane) {
  graph *g = b->g;
  if (t->target >= 0)
    return b->node_of[t->target];
  for (int j = 0; j < b->nends; j++)
    if (strcmp(b->end_names[j], t->final) == 0)
      return b->ends[j];
  if (b->nends == 8)
    return MC_EPARSE; /* the decoder allows four final states */
  int e = graph__add_node(g, G_END, fmt(g, "End_%s", t->final), final_label(t->final), lane);
  if (e < 0)
    return MC_ENOMEM;
  b->end_names[b->nends] = t->final;
  b->ends[b->nends++] = e;
  return e;
}

static bool is_timeout(const dsl_m_transition *t) { return t->action && strcmp(t->action, "timeout") == 0; }

/* A boundary timer on `host`; with `to` >= 0 its flow leads there, else
 * to a new message end event `notice` (what the engine sends). */
static int add_timer(graph *g, int host, const dsl_m_node *n, const char *label, dsl_m_duration lead, int to,
                     const char *notice) {
  int i = g->nbounds, nth = 1;
  for (int k = 0; k < i; k++)
    nth += g->bounds[k].host == host;
  gboundary *b = &g->bounds[g->nbounds++];
  b->host = host;
  b->id = fmt(g, "Timer_%s_%d", n->name, nth);
  b->label = label;
  b->due = n->limit;
  b->lead = lead;
  b->interrupting = to >= 0;
  if (to < 0) {
    to = graph__add_node(g, G_END, fmt(g, "Notice_%s_%d", n->name, nth), notice, g->nodes[host].lane);
    if (to < 0)
      return MC_ENOMEM;
    g->nodes[to].message = true;
  }
  int e = add_edge(g, host, to, b->interrupting ? action_label("timeout") : NULL);
  if (e < 0)
    return MC_ENOMEM;
  g->edges[e].boundary = i;
  return 0;
}

/* A step's flows out: one a place its actions lead to (through an exclusive
 * gateway when there are several), and its timers. */
static int step_flows(builder *b, int i) {
  graph *g = b->g;
  const dsl_m_node *n = &g->m->nodes[i];
  int from = b->node_of[i], lane = g->nodes[from].lane;
  int *to = mc_arena_calloc(g->arena, (size_t)n->nout + 1, sizeof *to);
  const char **label = mc_arena_calloc(g->arena, (size_t)n->nout + 1, sizeof *label);
  const char **cond = mc_arena_calloc(g->arena, (size_t)n->nout + 1, sizeof *cond);
  int places = 0;
  if (to == NULL || label == NULL || cond == NULL)
    return MC_ENOMEM;
  for (int k = 0; k < n->nout; k++) {
    const dsl_m_transition *t = &n->out[k];
    int target = target_of(b, t, lane);
    if (target < 0)
      return target;
    if (is_timeout(t)) {
      int rc = add_timer(g, from, n, fmt(g, "Hết hạn (%s)", duration_text(g, &n->limit)), (dsl_m_duration){0}, target, NULL);
      if (rc != 0)
        return rc;
      continue;
    }
    int j = 0;
    while (j < places && to[j] != target)
      j++;
    const char *what = action_label(t->action);
    if (j == places) {
      to[places++] = target;
      label[j] = what;
      cond[j] = fmt(g, "action == %s", t->action);
    } else {
      label[j] = fmt(g, "%s / %s", label[j], what);
      cond[j] = fmt(g, "%s or action == %s", cond[j], t->action);
    }
  }
  int src = from;
  if (places > 1) {
    src = graph__add_node(g, G_XOR, fmt(g, "Split_%s", n->name), "Xử lý thế nào?", lane);
    if (src < 0 || add_edge(g, from, src, NULL) < 0)
      return MC_ENOMEM;
    g->nodes[src].split = true;
    g->nodes[src].src = n;
  }
  for (int j = 0; j < places; j++) {
    int e = add_edge(g, src, to[j], label[j]);
    if (e < 0)
      return MC_ENOMEM;
    if (places > 1)
      g->edges[e].condition = cond[j];
  }
  int rc = 0;
  if (n->warn.set)
    rc = add_timer(g, from, n, fmt(g, "Cảnh báo trước %s", duration_text(g, &n->warn)), n->warn, -1,
                   "Cảnh báo sắp đến hạn");
  if (rc == 0 && n->escalate && n->limit.set)
    rc = add_timer(g, from, n, fmt(g, "Quá hạn (%s)", duration_text(g, &n->limit)), (dsl_m_duration){0}, -1,
                   fmt(g, "Báo %s: quá hạn", role_label(g, n->escalate)));
  return rc;
}

/* A choice's, fork's or join's flows out. */
static int gateway_flows(builder *b, int i) {
  graph *g = b->g;
  const dsl_m_node *n = &g->m->nodes[i];
  int from = b->node_of[i];
  for (int k = 0; k < n->nout; k++) {
    const dsl_m_transition *t = &n->out[k];
    int to = target_of(b, t, g->nodes[from].lane);
    if (to < 0)
      return to;
    const char *label = n->kind == DSL_M_FORK && t->action ? t->action : NULL, *condition = NULL;
    if (n->kind == DSL_M_CHOICE && t->otherwise) {
      label = "còn lại";
    } else if (n->kind == DSL_M_CHOICE) {
      mc_buf c = MC_BUF_INIT;
      dsl_m_expr_format(t->when, &c);
      condition = label = mc_arena_strndup(g->arena, c.data ? (const char *)c.data : "", c.len);
      mc_buf_free(&c);
    }
    int e = add_edge(g, from, to, label);
    if (e < 0)
      return MC_ENOMEM;
    g->edges[e].condition = condition;
    if (n->kind == DSL_M_CHOICE && t->otherwise)
      g->nodes[from].default_flow = e;
  }
  return 0;
}

/* The flows that enter `node` and satisfy `which` go into a new exclusive
 * gateway (in `lane`) that leads to it instead; when there are two or more. */
static int merge_into(graph *g, int node, const char *id, int lane, bool (*which)(const graph *, const gedge *, void *),
                      void *arg) {
  int count = 0;
  for (int k = 0; k < g->nedges; k++)
    count += g->edges[k].to == node && which(g, &g->edges[k], arg);
  if (count < 2)
    return 0;
  int merge = graph__add_node(g, G_XOR, id, NULL, lane);
  if (merge < 0)
    return MC_ENOMEM;
  for (int k = 0; k < g->nedges; k++)
    if (g->edges[k].to == node && which(g, &g->edges[k], arg))
      g->edges[k].to = merge;
  return add_edge(g, merge, node, NULL) < 0 ? MC_ENOMEM : 0;
}

typedef struct branch_filter {
  const int *branch_of; /* machine node -> its branch of the fork, or -1 */
  int branch;
} branch_filter;

static bool from_branch(const graph *g, const gedge *e, void *arg) {
  const branch_filter *f = arg;
  const dsl_m_node *src = g->nodes[e->from].src;
  return src && f->branch_of[src - g->m->nodes] == f->branch;
}

static bool any_flow(const graph *g, const gedge *e, void *arg) {
  (void)g, (void)e, (void)arg;
  return true;
}

/* A fork's branches: each node it reaches before the join belongs to the
 * first branch that reaches it.  Its final states are terminate end events;
 * each branch enters the join by one flow. */
static int fork_branches(builder *b, int fork, int *branch_of, int *stack) {
  graph *g = b->g;
  const dsl_machine *m = g->m;
  const dsl_m_node *f = &m->nodes[fork];
  for (int i = 0; i < m->nnodes; i++)
    branch_of[i] = -1;
  for (int k = 0; k < f->nout; k++) {
    int sp = 0, start = f->out[k].target;
    if (start >= 0 && start != f->join && branch_of[start] < 0)
      branch_of[start] = k, stack[sp++] = start;
    while (sp > 0) {
      const dsl_m_node *v = &m->nodes[stack[--sp]];
      for (int j = 0; j < v->nout; j++) {
        int t = v->out[j].target;
        if (t >= 0 && t != f->join && branch_of[t] < 0)
          branch_of[t] = k, stack[sp++] = t;
      }
    }
  }
  for (int i = 0; i < m->nnodes; i++)
    for (int j = 0; branch_of[i] >= 0 && j < m->nodes[i].nout; j++) {
      int end = m->nodes[i].out[j].target < 0 ? target_of(b, &m->nodes[i].out[j], 0) : -1;
      if (end >= 0)
        g->nodes[end].terminate = true;
    }
  if (f->join < 0)
    return 0;
  for (int k = 0; k < f->nout; k++) {
    branch_filter which = {branch_of, k};
    int first = -1;
    for (int e = 0; e < g->nedges && first < 0; e++)
      if (g->edges[e].to == b->node_of[f->join] && from_branch(g, &g->edges[e], &which))
        first = g->edges[e].from;
    if (first < 0)
      continue;
    int rc = merge_into(g, b->node_of[f->join], fmt(g, "Merge_%s_%s", m->nodes[f->join].name, f->out[k].action),
                        g->nodes[first].lane, from_branch, &which);
    if (rc != 0)
      return rc;
  }
  return 0;
}

int graph__model(graph *g) {
  const dsl_machine *m = g->m;
  builder b = {.g = g};
  size_t timers = 0;
  for (int i = 0; i < m->nnodes; i++)
    timers += (size_t)m->nodes[i].nout + 2;
  b.node_of = mc_arena_calloc(g->arena, (size_t)m->nnodes, sizeof *b.node_of);
  g->lanes = mc_arena_calloc(g->arena, (size_t)m->nnodes + 2, sizeof *g->lanes);
  g->bounds = mc_arena_calloc(g->arena, timers + 1, sizeof *g->bounds);
  if (b.node_of == NULL || g->lanes == NULL || g->bounds == NULL)
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
    /* A title, never an internal name: a choice or fork without one is said
     * by what it does, a join is its marker alone. */
    const char *label = n->title                ? n->title
                        : kind == G_TASK        ? n->name
                        : n->kind == DSL_M_CHOICE ? "Rẽ nhánh theo điều kiện"
                        : n->kind == DSL_M_FORK   ? "Chuyển song song"
                                                  : NULL;
    b.node_of[i] = graph__add_node(g, kind, fmt(g, "%s_%s", prefix, n->name), label, lane_for[i]);
    if (b.node_of[i] < 0)
      return MC_ENOMEM;
    gnode *gn = &g->nodes[b.node_of[i]];
    gn->src = n;
    if (kind == G_TASK) {
      const char *clock = n->clock == DSL_M_CLOCK_PAUSES     ? " · đồng hồ tạm dừng"
                          : n->clock == DSL_M_CLOCK_RESTARTS ? " · đồng hồ tính lại"
                          : n->clock == DSL_M_CLOCK_POLICY   ? " · đồng hồ theo chính sách"
                                                             : "";
      gn->detail = fmt(g, "%s%s%s%s", role_label(g, n->role), n->limit.set ? " · " : "",
                       n->limit.set ? duration_text(g, &n->limit) : "", clock);
      gn->dashed = n->clock != DSL_M_CLOCK_RUNS;
      gn->paused = n->clock == DSL_M_CLOCK_PAUSES;
      gn->payment = n->state && (strcmp(n->state, "awaiting_payment") == 0 || strcmp(n->state, "awaiting_obligation") == 0);
    }
  }
  if (start < 0 || add_edge(g, start, b.node_of[0], NULL) < 0)
    return MC_ENOMEM;
  for (int i = 0; i < m->nnodes; i++) {
    int rc = m->nodes[i].kind == DSL_M_STEP ? step_flows(&b, i) : gateway_flows(&b, i);
    if (rc != 0)
      return rc;
  }

  int *branch_of = mc_arena_calloc(g->arena, (size_t)m->nnodes, sizeof *branch_of);
  int *stack = mc_arena_calloc(g->arena, (size_t)m->nnodes + 1, sizeof *stack);
  if (branch_of == NULL || stack == NULL)
    return MC_ENOMEM;
  for (int i = 0; i < m->nnodes; i++) {
    int rc = m->nodes[i].kind == DSL_M_FORK ? fork_branches(&b, i, branch_of, stack) : 0;
    if (rc != 0)
      return rc;
  }
  /* No gateway both joins and splits: what enters a choice or a fork from
   * several places is merged before it. */
  for (int v = 0, nreal = g->nnodes; v < nreal; v++) {
    int out = 0;
    for (int k = 0; k < g->nedges; k++)
      out += g->edges[k].from == v && g->edges[k].boundary < 0;
    if ((g->nodes[v].kind == G_XOR || g->nodes[v].kind == G_AND) && out > 1) {
      int rc = merge_into(g, v, fmt(g, "Merge_%s", g->nodes[v].id), g->nodes[v].lane, any_flow, NULL);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}
