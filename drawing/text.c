/* text.c — the drawing as Graphviz DOT and as Mermaid (see graph.h). */
#include "drawing/graph-int.h"

#include <string.h>

/* ============================================================ DOT */

static void dot_escape(mc_buf *out, const char *s) {
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\')
      mc_buf_append_byte(out, '\\');
    if (*s == '\n') {
      mc_buf_append_str(out, "\\n");
      continue;
    }
    mc_buf_append_byte(out, (uint8_t)*s);
  }
}

int graph_write_dot(const graph *g, mc_buf *out) {
  mc_buf_printf(out, "digraph \"");
  dot_escape(out, g->m->code);
  mc_buf_printf(out, "\" {\n  rankdir=LR;\n  label=\"");
  dot_escape(out, g->m->name);
  mc_buf_printf(out, " (%s)\";\n  labelloc=t;\n  newrank=true;\n  fontname=\"DejaVu Sans\";\n"
                     "  node [fontname=\"DejaVu Sans\", fontsize=11];\n"
                     "  edge [fontname=\"DejaVu Sans\", fontsize=9];\n",
                g->m->code);
  for (int ln = 0; ln < g->nlanes; ln++) {
    mc_buf_printf(out, "  subgraph cluster_%d {\n    label=\"", ln);
    dot_escape(out, g->lanes[ln].label);
    mc_buf_printf(out, "\";\n    style=\"rounded,filled\";\n    fillcolor=\"#f5f7fa\";\n    color=\"#c0c8d0\";\n");
    for (int i = 0; i < g->nnodes; i++) {
      const gnode *v = &g->nodes[i];
      if (v->lane != ln || v->kind == G_DUMMY)
        continue;
      mc_buf_printf(out, "    \"%s\" [", v->id);
      bool marker = gnode_marker_only(v);
      switch (v->kind) {
      case G_START: mc_buf_append_str(out, "shape=circle, width=0.35, style=filled, fillcolor=\"#d4f4d4\", xlabel=\""); break;
      case G_END:
        mc_buf_append_str(out, v->message ? "shape=circle, width=0.3, style=dashed, label=\"✉\", xlabel=\""
                                          : "shape=doublecircle, width=0.3, style=filled, fillcolor=\"#f4d4d4\", xlabel=\"");
        break;
      case G_XOR:
        mc_buf_append_str(out, marker ? "shape=diamond, width=0.4, height=0.4, label=\"×" : "shape=diamond, width=0.5, height=0.5, xlabel=\"");
        break;
      case G_AND: mc_buf_append_str(out, "shape=diamond, width=0.5, height=0.5, label=\"+\", xlabel=\""); break;
      default:
        mc_buf_printf(out, "shape=box, style=\"rounded%s\", label=\"", v->dashed ? ",dashed" : "");
        break;
      }
      if (!marker)
        dot_escape(out, v->label);
      if (v->detail) {
        mc_buf_append_str(out, "\\n");
        dot_escape(out, v->detail);
      }
      bool outside = v->kind == G_START || (v->kind == G_END && !v->message) || (v->kind == G_XOR && !marker);
      mc_buf_append_str(out, outside ? "\", label=\"\"];\n" : "\"];\n");
    }
    mc_buf_append_str(out, "  }\n");
  }
  for (int i = 0; i < g->nedges; i++) {
    const gedge *e = &g->edges[i];
    mc_buf_printf(out, "  \"%s\" -> \"%s\"", g->nodes[e->from].id, g->nodes[e->to].id);
    if (e->back) /* a loop back must not pull its target rightwards */
      mc_buf_append_str(out, e->label ? " [constraint=false," : " [constraint=false]");
    if (e->label || e->boundary >= 0) {
      mc_buf_append_str(out, e->back ? " label=\"" : " [label=\"");
      if (e->boundary >= 0) { /* words only: the fonts Graphviz finds may lack a clock glyph */
        dot_escape(out, g->bounds[e->boundary].label);
      } else {
        dot_escape(out, e->label);
      }
      mc_buf_printf(out, "\"%s]", e->boundary >= 0 ? ", style=dashed" : "");
    }
    mc_buf_append_str(out, ";\n");
  }
  return mc_buf_append_str(out, "}\n");
}

/* ============================================================ Mermaid */

static void mermaid_text(mc_buf *out, const char *s) {
  for (; s && *s; s++) {
    if (*s == '"')
      mc_buf_append_str(out, "#quot;");
    else if (*s == '\n')
      mc_buf_append_str(out, "<br/>");
    else
      mc_buf_append_byte(out, (uint8_t)*s);
  }
}

int graph_write_mermaid(const graph *g, mc_buf *out) {
  mc_buf_append_str(out, "flowchart LR\n");
  for (int ln = 0; ln < g->nlanes; ln++) {
    mc_buf_printf(out, "  subgraph %s[\"", g->lanes[ln].id);
    mermaid_text(out, g->lanes[ln].label);
    mc_buf_append_str(out, "\"]\n");
    for (int i = 0; i < g->nnodes; i++) {
      const gnode *v = &g->nodes[i];
      if (v->lane != ln || v->kind == G_DUMMY)
        continue;
      const char *open = "[\"", *close = "\"]";
      if (v->kind == G_START || v->kind == G_END)
        open = "((\"", close = "\"))";
      else if (v->kind == G_XOR || v->kind == G_AND)
        open = "{\"", close = "\"}";
      else if (v->dashed)
        open = "[/\"", close = "\"/]";
      mc_buf_printf(out, "    %s%s%s", v->id, open, v->message ? "✉ " : "");
      mermaid_text(out, v->kind == G_AND ? "+" : gnode_marker_only(v) ? "×" : v->label);
      if (v->detail) {
        mc_buf_append_str(out, "<br/><small>");
        mermaid_text(out, v->detail);
        mc_buf_append_str(out, "</small>");
      }
      mc_buf_printf(out, "%s\n", close);
    }
    mc_buf_append_str(out, "  end\n");
  }
  for (int i = 0; i < g->nedges; i++) {
    const gedge *e = &g->edges[i];
    const char *arrow = e->boundary >= 0 ? "-.->" : "-->";
    mc_buf_printf(out, "  %s %s", g->nodes[e->from].id, arrow);
    if (e->label || e->boundary >= 0) {
      mc_buf_append_str(out, "|\"");
      mermaid_text(out, e->boundary >= 0 ? g->bounds[e->boundary].label : e->label);
      mc_buf_append_str(out, "\"|");
    }
    mc_buf_printf(out, " %s\n", g->nodes[e->to].id);
  }
  return 0;
}

