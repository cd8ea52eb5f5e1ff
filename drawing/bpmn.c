/* bpmn.c — the drawing as BPMN 2.0 with diagram interchange (see graph.h). */
#include "drawing/graph-int.h"

#include <string.h>

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

int graph_write_bpmn(const graph *g, mc_buf *out) {
  mc_buf_append_str(out,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
                    "xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" "
                    "xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" "
                    "xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\" "
                    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
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
    mc_buf_printf(out, "    <%s id=\"%s\" name=\"", bpmn_tag(v->kind), v->id);
    xml_text(out, v->label);
    if (v->detail) {
      mc_buf_append_str(out, "\n");
      xml_text(out, v->detail);
    }
    mc_buf_append_byte(out, '"');
    if (v->kind == G_XOR && v->default_flow >= 0)
      mc_buf_printf(out, " default=\"%s\"", g->edges[v->default_flow].id);
    mc_buf_append_str(out, ">\n");
    for (int k = 0; k < g->nedges; k++)
      if (g->edges[k].to == i)
        mc_buf_printf(out, "      <bpmn:incoming>%s</bpmn:incoming>\n", g->edges[k].id);
    for (int k = 0; k < g->nedges; k++)
      if (g->edges[k].from == i && g->edges[k].boundary < 0)
        mc_buf_printf(out, "      <bpmn:outgoing>%s</bpmn:outgoing>\n", g->edges[k].id);
    mc_buf_printf(out, "    </%s>\n", bpmn_tag(v->kind));
  }
  for (int i = 0; i < g->nbounds; i++) {
    const gboundary *b = &g->bounds[i];
    mc_buf_printf(out, "    <bpmn:boundaryEvent id=\"%s\" name=\"", b->id);
    xml_text(out, b->label);
    mc_buf_printf(out, "\" cancelActivity=\"%s\" attachedToRef=\"%s\">\n", b->interrupting ? "true" : "false",
                  g->nodes[b->host].id);
    for (int k = 0; k < g->nedges; k++)
      if (g->edges[k].boundary == i)
        mc_buf_printf(out, "      <bpmn:outgoing>%s</bpmn:outgoing>\n", g->edges[k].id);
    mc_buf_printf(out, "      <bpmn:timerEventDefinition id=\"%s_def\">\n"
                       "        <bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">", b->id);
    xml_text(out, b->duration);
    mc_buf_append_str(out, "</bpmn:timeDuration>\n      </bpmn:timerEventDefinition>\n    </bpmn:boundaryEvent>\n");
  }
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
