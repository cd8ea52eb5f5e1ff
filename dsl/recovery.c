/* recovery.c — what a syntax error leaves behind, shared by the lexer and
 * the parser's reporting (syntax.c): the names it dropped from a procedure,
 * and a text whose opening quote was left out.  Below both: it calls
 * report.c only. */
#include "dsl/dsl-int.h"

/* A word a syntax error dropped from a procedure (the word it failed at,
 * the one before on its line, the rest of its line, a block skipped): a
 * name, or a keyword that names a step (`result`), may be what the lost
 * words declared (`step 3 processing ...`, a form whose `form` is missing),
 * so a use of it is not said to be unknown (check-int.h, dsl__lost).  Not a
 * word (a number, a text, a sign): nothing. */
void dsl__lost_name(dsl_ctx *ctx, dsl_loc at) {
  const char *w = ctx->src->text + at.off;
  size_t n = at.end > at.off ? at.end - at.off : 0;
  if (ctx->proc == NULL || n == 0 || n >= 64 || ctx->nlost >= DSL_MAX_LOST_NAMES ||
      !((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') || *w == '_'))
    return; /* at most so many: a file of garbage is not looked through */
  for (size_t i = 0; i < n; i++)
    if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
      return;
  dsl_strlist *l = mc_arena_calloc(ctx->arena, 1, sizeof *l);
  if (l == NULL || (l->text = mc_arena_strndup(ctx->arena, w, n)) == NULL) {
    ctx->oom = true;
    return;
  }
  ctx->nlost++;
  l->at = (dsl_span){ctx->src, at.off, at.end};
  l->next = ctx->proc->lost_names; /* in no order: only looked up */
  ctx->proc->lost_names = l;
}

/* A text whose opening quote was left out (`label Nơi cấp"`): from `off` to
 * the end of its line the quotes are odd in number, the first closing it.
 * Says so once, from `off` to that quote, and quiets the rest of the line
 * (the lexer's and the parser's complaints about the same words); false
 * when the line is not such a line. */
bool dsl__missing_open_quote(dsl_ctx *ctx, size_t off) {
  const char *t = ctx->src->text;
  size_t end = off, quote = 0;
  int quotes = 0;
  if (off < ctx->lex_quiet_until)
    return false; /* this line has had its message (and is not scanned again) */
  for (; end < ctx->src->len && t[end] != '\n'; end++)
    if (t[end] == '"' && (end == 0 || t[end - 1] != '\\') && quotes++ == 0)
      quote = end;
  if (quotes % 2 == 0)
    return false;
  dsl_loc at = {off, quote + 1};
  dsl__error_at(ctx->sink, (dsl_span){ctx->src, at.off, at.end}, "open the text with \" too, at its start: label \"Nơi cấp\"",
                "this text has no opening quote");
  ctx->lex_quiet_until = end;
  ctx->lex_refused = at;
  return true;
}
