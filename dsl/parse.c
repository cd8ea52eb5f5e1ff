/* parse.c — drives the flex/bison parser over one file, and holds what the
 * parser and the compiler share: spans, the parser's errors, lists (the
 * checks report through report.c).
 */
#include "dsl/dsl-int.h"

#include "base/error.h"
#include "dsl/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* flex's reentrant interface, declared here rather than including the
 * generated lexer header in every file. */
typedef void *yyscan_t;
int dsl_yylex_init_extra(dsl_ctx *extra, yyscan_t *scanner);
int dsl_yylex_destroy(yyscan_t scanner);
void *dsl_yy_scan_bytes(const char *bytes, int len, yyscan_t scanner);
int dsl_yyparse(void *scanner, dsl_ctx *ctx);

dsl_span dsl__span(const dsl_ctx *ctx, dsl_loc loc) { return (dsl_span){ctx->src, loc.off, loc.end}; }

void dsl__append(void *head, void *item) {
  /* Every list item starts with its `next` pointer. */
  void **p = head;
  if (item == NULL)
    return;
  while (*p)
    p = (void **)*p;
  *p = item;
}

void dsl__error(dsl_ctx *ctx, dsl_loc loc, const char *hint, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  dsl__report_v(ctx->sink, MC_DIAG_ERROR, dsl__span(ctx, loc), hint, fmt, ap);
  va_end(ap);
}

/* Bison's own messages: syntax errors are said in words by syntax.c
 * (parser.y's yyreport_syntax_error); what is left is "memory exhausted". */
void dsl_yyerror(dsl_loc *loc, void *scanner, dsl_ctx *ctx, const char *msg) {
  (void)scanner;
  dsl__error(ctx, *loc, NULL, "%s", msg);
}

int dsl__parse(dsl_ctx *ctx) {
  yyscan_t scanner;
  int before = ctx->sink->errors;

  if (ctx->src->len > DSL_MAX_FILE_BYTES)
    return MC_ETOOBIG;
  if (memchr(ctx->src->text, '\0', ctx->src->len)) {
    const char *nul = memchr(ctx->src->text, '\0', ctx->src->len);
    dsl__error(ctx, (dsl_loc){(size_t)(nul - ctx->src->text), (size_t)(nul - ctx->src->text) + 1},
               "this looks like a binary file, not a procedure", "the file contains a NUL byte");
    return MC_EPARSE;
  }
  if (dsl_yylex_init_extra(ctx, &scanner) != 0)
    return MC_ENOMEM;
  /* Editors on Windows start UTF-8 files with a byte-order mark: skip it. */
  size_t skip = ctx->src->len >= 3 && !memcmp(ctx->src->text, "\xEF\xBB\xBF", 3) ? 3 : 0;
  ctx->pos = skip;
  dsl_yy_scan_bytes(ctx->src->text + skip, (int)(ctx->src->len - skip), scanner);
  int rc = dsl_yyparse(scanner, ctx);
  dsl_yylex_destroy(scanner);
  if (ctx->oom || rc == 2)
    return MC_ENOMEM;
  return ctx->sink->errors > before || rc != 0 ? MC_EPARSE : 0;
}
