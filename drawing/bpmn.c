/* bpmn.c — the drawing as BPMN 2.0 with diagram interchange (see graph.h).
 *
 * Timers: timeDuration is ISO 8601 (P3D, PT4H), and says when the timer
 * fires from the step's start; how motcua counts it is said by extension
 * elements of the namespace MOTCUA_NS (docs/DSL.md, "The BPMN export"):
 *   <motcua:workingTime unit="working_days|working_hours" amount="N"/>
 *       the duration is working time of the agency's calendar;
 *   <motcua:policyTime key="supplement_window" policy="nd118-2025"/>
 *       the step's limit is that number of the procedure's policy (no
 *       timeDuration: the drawing does not know it);
 *   <motcua:beforeDue unit="working_hours" amount="4"/>
 *       a warning: it fires this long before the step's limit (its
 *       timeDuration is the limit less this, when both are known in one unit).
 */
#include "drawing/graph-int.h"

#include <string.h>

#define MOTCUA_NS "urn:motcua:bpmn"

/* ============================================================ BPMN 2.0 */

static void xml_text(mc_buf *out, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '&': mc_buf_append_str(out, "&amp;"); break;
    case '<': mc_buf_append_str(out, "&lt;"); break;
    case '>': mc_buf_append_str(out, "&gt;"); break;
    case '"': mc_buf_append_str(out, "&quot;"); break;
    case '\n': mc_buf_append_str(out, "&#10;"); break;
    default: mc_buf_append_byte(out, (uint8_t)*s);
    }
  }
}

static const char *bpmn_tag(gkind k) {
  switch (k) {
  case G_START: return "bpmn:startEvent";
  case G_END: return "bpmn:endEvent";
  case G_XOR: return "bpmn:exclusiveGateway";
  case G_AND: return "bpmn:parallelGateway";
  default: return "bpmn:userTask";
  }
}

static const char *unit_name(dsl_m_unit u) {
  return u == DSL_M_WORKING_DAYS    ? "working_days"
         : u == DSL_M_WORKING_HOURS ? "working_hours"
         : u == DSL_M_HOURS         ? "hours"
                                    : "calendar_days";
}

/* A boundary timer: its time from the step's start, when the drawing knows
 * it, and how motcua counts it (the extension elements above). */
static void write_timer(const graph *g, int i, mc_buf *out) {
  const gboundary *b = &g->bounds[i];
  bool known = b->due.set && !b->due.policy_key;
  int64_t amount = b->due.amount;
  if (b->lead.set) {
    known = known && b->lead.unit == b->due.unit && b->lead.amount < b->due.amount;
    amount -= b->lead.amount;
  }
  mc_buf_printf(out, "    <bpmn:boundaryEvent id=\"%s\" name=\"", b->id);
  xml_text(out, b->label);
  mc_buf_printf(out, "\" cancelActivity=\"%s\" attachedToRef=\"%s\">\n", b->interrupting ? "true" : "false",
                g->nodes[b->host].id);
  bool working = known && (b->due.unit == DSL_M_WORKING_DAYS || b->due.unit == DSL_M_WORKING_HOURS);
  bool hours = b->due.unit == DSL_M_WORKING_HOURS || b->due.unit == DSL_M_HOURS; /* PT..H, else P..D */
  if (working || b->due.policy_key || b->lead.set) {
    mc_buf_append_str(out, "      <bpmn:extensionElements>\n");
    if (working)
      mc_buf_printf(out, "        <motcua:workingTime unit=\"%s\" amount=\"%lld\" />\n", unit_name(b->due.unit),
                    (long long)amount);
    if (b->due.policy_key) {
      mc_buf_append_str(out, "        <motcua:policyTime key=\"");
      xml_text(out, b->due.policy_key);
      if (g->m->policy) {
        mc_buf_append_str(out, "\" policy=\"");
        xml_text(out, g->m->policy);
      }
      mc_buf_append_str(out, "\" />\n");
    }
    if (b->lead.set) /* a duration: never the policy's */
      mc_buf_printf(out, "        <motcua:beforeDue unit=\"%s\" amount=\"%lld\" />\n", unit_name(b->lead.unit),
                    (long long)b->lead.amount);
    mc_buf_append_str(out, "      </bpmn:extensionElements>\n");
  }
  for (int k = 0; k < g->nedges; k++)
    if (g->edges[k].boundary == i)
      mc_buf_printf(out, "      <bpmn:outgoing>%s</bpmn:outgoing>\n", g->edges[k].id);
  mc_buf_printf(out, "      <bpmn:timerEventDefinition id=\"%s_def\"%s>\n", b->id, known ? "" : " /");
  if (known)
    mc_buf_printf(out,
                  "        <bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">%s%lld%s</bpmn:timeDuration>\n"
                  "      </bpmn:timerEventDefinition>\n",
                  hours ? "PT" : "P", (long long)amount, hours ? "H" : "D");
  mc_buf_append_str(out, "    </bpmn:boundaryEvent>\n");
}

int graph_write_bpmn(const graph *g, mc_buf *out) {
  mc_buf_append_str(out,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
                    "xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" "
                    "xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" "
                    "xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\" "
                    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                    "xmlns:motcua=\"" MOTCUA_NS "\" "
                    "id=\"Definitions_1\" targetNamespace=\"urn:motcua:procedure\" "
                    "exporter=\"motcua\" exporterVersion=\"0.1\">\n"
                    "  <bpmn:collaboration id=\"Collaboration_1\">\n"
                    "    <bpmn:participant id=\"Participant_1\" name=\"");
  xml_text(out, g->m->name);
  mc_buf_append_str(out, "\" processRef=\"Process_1\" />\n  </bpmn:collaboration>\n"
                         "  <bpmn:process id=\"Process_1\" name=\"");
  xml_text(out, g->m->code);
  mc_buf_append_str(out, "\" isExecutable=\"false\">\n    <bpmn:laneSet id=\"LaneSet_1\">\n");
  for (int ln = 0; ln < g->nlanes; ln++) {
    mc_buf_printf(out, "      <bpmn:lane id=\"%s\" name=\"", g->lanes[ln].id);
    xml_text(out, g->lanes[ln].label);
    mc_buf_append_str(out, "\">\n");
    for (int i = 0; i < g->nnodes; i++)
      if (g->nodes[i].lane == ln && g->nodes[i].kind != G_DUMMY)
        mc_buf_printf(out, "        <bpmn:flowNodeRef>%s</bpmn:flowNodeRef>\n", g->nodes[i].id);
    for (int i = 0; i < g->nbounds; i++)
      if (g->nodes[g->bounds[i].host].lane == ln)
        mc_buf_printf(out, "        <bpmn:flowNodeRef>%s</bpmn:flowNodeRef>\n", g->bounds[i].id);
    mc_buf_append_str(out, "      </bpmn:lane>\n");
  }
  mc_buf_append_str(out, "    </bpmn:laneSet>\n");
  for (int i = 0; i < g->nnodes; i++) {
    const gnode *v = &g->nodes[i];
    if (v->kind == G_DUMMY)
      continue;
    mc_buf_printf(out, "    <%s id=\"%s\"", bpmn_tag(v->kind), v->id);
    if (v->label) {
      mc_buf_append_str(out, " name=\"");
      xml_text(out, v->label);
      if (v->detail) {
        mc_buf_append_str(out, "\n");
        xml_text(out, v->detail);
      }
      mc_buf_append_byte(out, '"');
    }
    if (v->kind == G_XOR && v->default_flow >= 0)
      mc_buf_printf(out, " default=\"%s\"", g->edges[v->default_flow].id);
    mc_buf_append_str(out, ">\n");
    for (int k = 0; k < g->nedges; k++)
      if (g->edges[k].to == i)
        mc_buf_printf(out, "      <bpmn:incoming>%s</bpmn:incoming>\n", g->edges[k].id);
    for (int k = 0; k < g->nedges; k++)
      if (g->edges[k].from == i && g->edges[k].boundary < 0)
        mc_buf_printf(out, "      <bpmn:outgoing>%s</bpmn:outgoing>\n", g->edges[k].id);
    if (v->kind == G_END && (v->message || v->terminate))
      mc_buf_printf(out, "      <bpmn:%sEventDefinition id=\"%s_def\" />\n", v->message ? "message" : "terminate", v->id);
    mc_buf_printf(out, "    </%s>\n", bpmn_tag(v->kind));
  }
  for (int i = 0; i < g->nbounds; i++)
    write_timer(g, i, out);
  for (int i = 0; i < g->nedges; i++) {
    const gedge *e = &g->edges[i];
    const char *source = e->boundary >= 0 ? g->bounds[e->boundary].id : g->nodes[e->from].id;
    mc_buf_printf(out, "    <bpmn:sequenceFlow id=\"%s\"", e->id);
    if (e->label) {
      mc_buf_append_str(out, " name=\"");
      xml_text(out, e->label);
      mc_buf_append_byte(out, '"');
    }
    mc_buf_printf(out, " sourceRef=\"%s\" targetRef=\"%s\"", source, g->nodes[e->to].id);
    if (e->condition) {
      mc_buf_append_str(out, ">\n      <bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">");
      xml_text(out, e->condition);
      mc_buf_append_str(out, "</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n");
    } else {
      mc_buf_append_str(out, " />\n");
    }
  }
  mc_buf_append_str(out, "  </bpmn:process>\n"
                         "  <bpmndi:BPMNDiagram id=\"BPMNDiagram_1\">\n"
                         "    <bpmndi:BPMNPlane id=\"BPMNPlane_1\" bpmnElement=\"Collaboration_1\">\n");
  double pool_x = MARGIN, pool_w = g->width - MARGIN;
  double pool_y = g->lanes[0].y, pool_h = g->lanes[g->nlanes - 1].y + g->lanes[g->nlanes - 1].h - pool_y;
  mc_buf_printf(out,
                "      <bpmndi:BPMNShape id=\"Participant_1_di\" bpmnElement=\"Participant_1\" isHorizontal=\"true\">\n"
                "        <dc:Bounds x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" />\n"
                "      </bpmndi:BPMNShape>\n",
                pool_x, pool_y, pool_w, pool_h);
  for (int ln = 0; ln < g->nlanes; ln++)
    mc_buf_printf(out,
                  "      <bpmndi:BPMNShape id=\"%s_di\" bpmnElement=\"%s\" isHorizontal=\"true\">\n"
                  "        <dc:Bounds x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" />\n"
                  "      </bpmndi:BPMNShape>\n",
                  g->lanes[ln].id, g->lanes[ln].id, pool_x + POOL_LABEL, g->lanes[ln].y, pool_w - POOL_LABEL,
                  g->lanes[ln].h);
  for (int i = 0; i < g->nnodes; i++) {
    const gnode *v = &g->nodes[i];
    if (v->kind == G_DUMMY)
      continue;
    mc_buf_printf(out,
                  "      <bpmndi:BPMNShape id=\"%s_di\" bpmnElement=\"%s\"%s>\n"
                  "        <dc:Bounds x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" />\n"
                  "      </bpmndi:BPMNShape>\n",
                  v->id, v->id, v->kind == G_XOR ? " isMarkerVisible=\"true\"" : "", v->x, v->y, v->w, v->h);
  }
  for (int i = 0; i < g->nbounds; i++)
    mc_buf_printf(out,
                  "      <bpmndi:BPMNShape id=\"%s_di\" bpmnElement=\"%s\">\n"
                  "        <dc:Bounds x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" />\n"
                  "      </bpmndi:BPMNShape>\n",
                  g->bounds[i].id, g->bounds[i].id, g->bounds[i].x, g->bounds[i].y, EVENT, EVENT);
  for (int i = 0; i < g->nedges; i++) {
    const gedge *e = &g->edges[i];
    mc_buf_printf(out, "      <bpmndi:BPMNEdge id=\"%s_di\" bpmnElement=\"%s\">\n", e->id, e->id);
    for (int k = 0; k < e->npts; k++)
      mc_buf_printf(out, "        <di:waypoint x=\"%.0f\" y=\"%.0f\" />\n", e->pts[2 * k], e->pts[2 * k + 1]);
    mc_buf_append_str(out, "      </bpmndi:BPMNEdge>\n");
  }
  return mc_buf_append_str(out, "    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n");
}
