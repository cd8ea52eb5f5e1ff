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

/* Characters (not bytes) of the UTF-8 word at `s`, up to a space or a
 * line's end. */
static int word_chars(const char *s, size_t *bytes) {
  int n = 0;
  size_t i = 0;
  for (; s[i] && s[i] != ' ' && s[i] != '\n'; i++)
    n += ((unsigned char)s[i] & 0xC0) != 0x80;
  *bytes = i;
  return n;
}

/* `s` escaped for DOT, its lines wrapped at spaces to about `width`
 * characters: a box stays narrow enough for the drawing to fit a page. */
static void dot_wrapped(mc_buf *out, const char *s, int width) {
  int col = 0;
  while (s && *s) {
    if (*s == '\n') {
      mc_buf_append_str(out, "\\n");
      col = 0;
      s++;
      continue;
    }
    if (*s == ' ') {
      size_t bytes;
      int next = word_chars(s + 1, &bytes);
      if (col > 0 && col + 1 + next > width) {
        mc_buf_append_str(out, "\\n");
        col = 0;
      } else {
        mc_buf_append_byte(out, ' ');
        col++;
      }
      s++;
      continue;
    }
    size_t bytes;
    col += word_chars(s, &bytes);
    char word[256];
    size_t take = bytes < sizeof word - 1 ? bytes : sizeof word - 1;
    memcpy(word, s, take);
    word[take] = '\0';
    dot_escape(out, word);
    s += bytes;
  }
}

#define TITLE_CHARS 20  /* a task's title, per line */
#define DETAIL_CHARS 22 /* its role, limit and clock */
#define FLOW_CHARS 18   /* a flow's label */

/* The look of a task: a step where the clock pauses is dashed with ‖ before
 * its title, a payment step is shaded with ₫ (the legend says so). */
static void dot_task(mc_buf *out, const gnode *v) {
  mc_buf_printf(out, "shape=box, style=\"rounded%s%s\"%s, label=\"%s", v->dashed ? ",dashed" : "",
                v->payment || v->paused ? ",filled" : "",
                v->payment  ? ", fillcolor=\"#fff1cc\""
                : v->paused ? ", fillcolor=\"#eef0f3\""
                            : "",
                v->payment ? "₫ " : v->paused ? "‖ " : "");
}

int graph_write_dot(const graph *g, mc_buf *out) {
  bool payment = false, paused = false, dashed = false;
  for (int i = 0; i < g->nnodes; i++)
    payment |= g->nodes[i].payment, paused |= g->nodes[i].paused, dashed |= g->nodes[i].dashed;
  mc_buf_printf(out, "digraph \"");
  dot_escape(out, g->m->code);
  mc_buf_printf(out, "\" {\n  rankdir=TB;\n  label=\"");
  dot_wrapped(out, g->m->name, 60);
  mc_buf_printf(out, " (%s)", g->m->code);
  /* The legend: what the picture's marks mean, only those it has. */
  const char *marks[3] = {NULL, NULL, NULL};
  int nmarks = 0;
  if (dashed)
    marks[nmarks++] = "Nét đứt: thời hạn tạm dừng hoặc tính theo chính sách";
  if (paused)
    marks[nmarks++] = "‖ nền xám: thời hạn tạm dừng";
  if (payment)
    marks[nmarks++] = "₫ nền vàng: chờ nộp phí, lệ phí";
  for (int k = 0; k < nmarks; k++)
    mc_buf_printf(out, "%s%s", k == 0 ? "\\n" : " · ", marks[k]);
  /* Top to bottom, each role a column in the order the process reaches it,
   * labels wrapped: an A4 page or a phone's screen takes it at a readable size. */
  mc_buf_printf(out, "\";\n  labelloc=t;\n  newrank=true;\n  nodesep=0.25;\n  ranksep=0.25;\n"
                     "  fontname=\"DejaVu Sans\";\n"
                     "  node [fontname=\"DejaVu Sans\", fontsize=11, margin=\"0.08,0.04\"];\n"
                     "  edge [fontname=\"DejaVu Sans\", fontsize=9];\n");
  for (int ln = 0; ln < g->nlanes; ln++) {
    mc_buf_printf(out, "  subgraph cluster_%d {\n    label=\"", ln);
    dot_wrapped(out, g->lanes[ln].label, FLOW_CHARS);
    mc_buf_printf(out, "\";\n    style=\"rounded,filled\";\n    fillcolor=\"#f5f7fa\";\n    color=\"#c0c8d0\";\n"
                       "    \"Lane_%d\" [style=invis, shape=point, width=0, label=\"\"];\n", ln);
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
      default: dot_task(out, v); break;
      }
      if (!marker)
        dot_wrapped(out, v->label, v->kind == G_TASK ? TITLE_CHARS : FLOW_CHARS);
      if (v->detail) {
        mc_buf_append_str(out, "\\n");
        dot_wrapped(out, v->detail, DETAIL_CHARS);
      }
      bool outside = v->kind == G_START || (v->kind == G_END && !v->message) || (v->kind == G_XOR && !marker);
      mc_buf_append_str(out, outside ? "\", label=\"\"];\n" : "\"];\n");
    }
    mc_buf_append_str(out, "  }\n");
  }
  /* The lanes side by side in order: their invisible heads on the first
   * rank, each to the right of the one before. */
  mc_buf_append_str(out, "  { rank=min;");
  for (int ln = 0; ln < g->nlanes; ln++)
    mc_buf_printf(out, " \"Lane_%d\";", ln);
  mc_buf_append_str(out, " }\n");
  for (int ln = 1; ln < g->nlanes; ln++)
    mc_buf_printf(out, "  \"Lane_%d\" -> \"Lane_%d\" [style=invis];\n", ln - 1, ln);
  for (int i = 0; i < g->nedges; i++) {
    const gedge *e = &g->edges[i];
    mc_buf_printf(out, "  \"%s\" -> \"%s\"", g->nodes[e->from].id, g->nodes[e->to].id);
    if (e->back) /* a loop back must not pull its target downwards */
      mc_buf_append_str(out, e->label ? " [constraint=false," : " [constraint=false]");
    if (e->label || e->boundary >= 0) {
      mc_buf_append_str(out, e->back ? " label=\"" : " [label=\"");
      /* words only: the fonts Graphviz finds may lack a clock glyph */
      dot_wrapped(out, e->boundary >= 0 ? g->bounds[e->boundary].label : e->label, FLOW_CHARS);
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
      mc_buf_printf(out, "    %s%s%s", v->id, open,
                    v->message ? "✉ " : v->payment ? "₫ " : v->paused ? "‖ " : "");
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

