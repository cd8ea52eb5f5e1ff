/* syntax.c — a syntax error said in words an agency official understands:
 * what was expected ("->" and the step it leads to), what was found (the
 * name "processing"), and a hint for the place in the file.  A reserved word
 * where a name belongs gets its own message.  Called by the parser
 * (parser.y's yyreport_syntax_error); reports through report.c.
 *
 * Every message and hint is one format string literal, so that a table
 * keyed on the English format can translate it.
 */
#include "dsl/dsl-int.h"

#include <stdio.h>
#include <string.h>

/* More than the grammar's tokens. */
#define YYNTOKENS_MAX 128

/* A symbol as bison names it, in words (NULL: not to be listed). */
static const char *expected_words(const char *sym) {
  static const struct {
    const char *sym, *words;
  } table[] = {
      {"name", "a name"},
      {"text", "a text in quotes"},
      {"number", "a number"},
      {"field type", "a field type (text, number, date, ...)"},
      {"yes or no", "yes or no"},
      {"comparison", "a comparison (==, !=, <, <=, >, >=)"},
      {"time of day", "a time of day (HH:MM)"},
      {"end of file", "the end of the file"},
      {"->", "\"->\" and the step it leads to"},
      {"..", "\"..\" (as in 1..100)"},
      {"làm việc", "\"làm việc\""},
      {"'{'", "\"{\""},
      {"'}'", "\"}\""},
      {"'('", "\"(\""},
      {"')'", "\")\""},
      {"','", "\",\""},
      {"'.'", "\".\""},
      {"'+'", "\"+\""},
      {"'*'", "\"*\""},
      {"error", NULL},
      {"invalid token", NULL},
      {"invalid character", NULL},
      {"end of a skipped line", NULL},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(table[i].sym, sym) == 0)
      return table[i].words;
  return NULL; /* a keyword: written as itself, in quotes */
}

static bool is_keyword(const char *sym) {
  for (const char *c = sym; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
      return false;
  return strcmp(sym, "name") && strcmp(sym, "text") && strcmp(sym, "number") && strcmp(sym, "error");
}

static bool has(const char *const *expected, int n, const char *sym) {
  for (int i = 0; i < n; i++)
    if (strcmp(expected[i], sym) == 0)
      return true;
  return false;
}

/* Appends one expected symbol in words to `out`. */
static void add_expected(char *out, size_t size, const char *sym, const char *sep) {
  const char *words = expected_words(sym);
  size_t len = strlen(out);
  if (words)
    snprintf(out + len, size - len, "%s%s", sep, words);
  else if (is_keyword(sym))
    snprintf(out + len, size - len, "%s\"%s\"", sep, sym);
}

/* The list "A, B or C" of what was expected; false when too long to say. */
static bool expected_list(char *out, size_t size, const char *const *expected, int n) {
  const char *shown[4];
  int k = 0;
  out[0] = '\0';
  for (int i = 0; i < n; i++) {
    if (!expected_words(expected[i]) && !is_keyword(expected[i]))
      continue;
    if (k == 4)
      return false;
    shown[k++] = expected[i];
  }
  if (k == 0)
    return false;
  for (int i = 0; i < k; i++)
    add_expected(out, size, shown[i], i == 0 ? "" : i == k - 1 ? " or " : ", ");
  return true;
}

/* The found token in words, from its text in the file. */
static void found_words(const dsl_ctx *ctx, dsl_loc at, const char *sym, char *out, size_t size) {
  const char *t = ctx->src->text + at.off;
  int n = at.end > at.off ? (int)(at.end - at.off) : 0;
  if (n > 40) {
    n = 40;
    while (n > 0 && (t[n] & 0xC0) == 0x80) /* not in the middle of a letter */
      n--;
  }
  if (strcmp(sym, "end of file") == 0)
    snprintf(out, size, "the end of the file");
  else if (strcmp(sym, "name") == 0)
    snprintf(out, size, "the name \"%.*s\"", n, t);
  else if (strcmp(sym, "text") == 0)
    snprintf(out, size, "the text %.*s", n, t);
  else if (strcmp(sym, "number") == 0)
    snprintf(out, size, "the number %.*s", n, t);
  else if (is_keyword(sym))
    snprintf(out, size, "the word \"%.*s\"", n, t);
  else
    snprintf(out, size, "\"%.*s\"", n, t);
}

static bool text_is(const dsl_ctx *ctx, dsl_loc at, const char *word) {
  size_t n = strlen(word);
  return at.end - at.off == n && at.end <= ctx->src->len && memcmp(ctx->src->text + at.off, word, n) == 0;
}

static int line_of(const dsl_ctx *ctx, size_t off) {
  int line = 1;
  for (size_t i = 0; i < off && i < ctx->src->len; i++)
    line += ctx->src->text[i] == '\n';
  return line;
}

/* A reserved word where a name belongs: what kind of name, from the word
 * before it, and another name to use (the word and a suffix). */
static void reserved_word(dsl_ctx *ctx, dsl_loc at) {
  static const struct {
    const char *before, *suffix;
  } kinds[] = {
      {"step", "step"},   {"->", "step"},       {"choice", "choice"}, {"fork", "fork"},   {"join", "answers"},
      {"by", "officer"},  {"to", "officer"},    {"role", "officer"},  {"on", NULL},       {"branch", "branch"},
  };
  const char *w = ctx->src->text + at.off;
  int n = (int)(at.end - at.off), k = 0, count = (int)(sizeof kinds / sizeof kinds[0]);
  while (k < count && !text_is(ctx, ctx->prev_tok, kinds[k].before))
    k++;
  dsl_span where = {ctx->src, at.off, at.end};
  char hint[256];
  snprintf(hint, sizeof hint, "choose another name, such as %.*s_%s", n, w, k < count && kinds[k].suffix ? kinds[k].suffix : "1");
  mc_diag_sink *sink = ctx->sink;
  switch (k) {
  case 0: dsl__error_at(sink, where, hint, "\"%.*s\" is a reserved word of the language and cannot be a step name", n, w); break;
  case 1: dsl__error_at(sink, where, hint, "\"%.*s\" is a reserved word of the language and cannot be the name of a step", n, w); break;
  case 2: dsl__error_at(sink, where, hint, "\"%.*s\" is a reserved word of the language and cannot be a choice name", n, w); break;
  case 3: dsl__error_at(sink, where, hint, "\"%.*s\" is a reserved word of the language and cannot be a fork name", n, w); break;
  case 4: dsl__error_at(sink, where, hint, "\"%.*s\" is a reserved word of the language and cannot be a join name", n, w); break;
  case 5: case 6: case 7: dsl__error_at(sink, where, hint, "\"%.*s\" is a reserved word of the language and cannot be a role name", n, w); break;
  case 8: dsl__error_at(sink, where, "write the action, such as: on accept -> NEXT_STEP", "\"%.*s\" is a reserved word of the language and cannot be an action", n, w); break;
  case 9: dsl__error_at(sink, where, hint, "\"%.*s\" is a reserved word of the language and cannot be a branch name", n, w); break;
  default: dsl__error_at(sink, where, hint, "\"%.*s\" is a reserved word of the language and cannot be a name here", n, w); break;
  }
}

/* A hint for the place of the error, from what was expected there. */
static const char *hint_for(const dsl_ctx *ctx, dsl_loc at, const char *found, const char *const *expected, int n,
                            char *buf, size_t size) {
  dsl_loc prev = ctx->prev_tok;
  bool new_line = prev.end > 0 && line_of(ctx, prev.off) < line_of(ctx, at.off);
  if (strcmp(found, "name") == 0) { /* a misspelt word of the language */
    const char *words[YYNTOKENS_MAX];
    int k = 0;
    char word[64];
    for (int i = 0; i < n && k < YYNTOKENS_MAX; i++)
      if (is_keyword(expected[i]))
        words[k++] = expected[i];
    snprintf(word, sizeof word, "%.*s", (int)(at.end - at.off), ctx->src->text + at.off);
    const char *guess = dsl__closest(word, words, k);
    if (guess)
      return dsl__did_you_mean(buf, size, guess, NULL);
  }
  if (has(expected, n, "->")) {
    if ((strcmp(found, "name") == 0 || is_keyword(found)) && prev.end > prev.off && !new_line) {
      snprintf(buf, size, "write an arrow before the step it leads to: %.*s -> %.*s", (int)(prev.end - prev.off),
               ctx->src->text + prev.off, (int)(at.end - at.off), ctx->src->text + at.off);
      return buf;
    }
    return "an arrow leads to the next step: on accept -> processing";
  }
  if (has(expected, n, "working") || has(expected, n, "day"))
    return "write the unit after the number: working days, working hours, days or hours (ngày làm việc, giờ làm việc, ngày, giờ)";
  if (has(expected, n, "field type"))
    return "a form field is its name, its type and its label: full_name text required label \"Họ và tên\" "
           "(types: text, number, date, phone, email, citizen_id, tax_code, file, yes_no, enum(\"...\", \"...\"))";
  if (has(expected, n, "text") && n <= 2)
    return "write the text in double quotes, such as \"Tiếp nhận\"";
  if (has(expected, n, "on"))
    return "the lines of a step are: on ACTION -> NEXT_STEP, warn 1 working day before, escalate to ROLE; a } closes it";
  if (has(expected, n, "when"))
    return "the lines of a choice are: when CONDITION -> NEXT_STEP and otherwise -> NEXT_STEP; a } closes it";
  if (has(expected, n, "branch"))
    return "the lines of a fork are: branch NAME -> FIRST_STEP_OF_THE_BRANCH; a } closes it";
  if (has(expected, n, "subject"))
    return "the lines of a template are: subject \"...\", body \"...\", sms \"...\"; a } closes it";
  if (has(expected, n, "sector"))
    return "the lines of a procedure are: sector, field, level, online, time, policy, fee, payer, legal, document, "
           "result, channels, role, form { }, step, choice, fork and join (docs/DSL.md)";
  if (has(expected, n, "procedure"))
    return "a file holds declarations: procedure \"CODE\" \"NAME\" { ... }, policy \"ID\" { ... }, agency \"CODE\" \"NAME\" "
           "{ ... }, offer \"CODE\" at \"AGENCY\", template \"NAME\" { ... }";
  if (has(expected, n, "department"))
    return "the lines of an agency are its settings (name and value, such as level commune) and department \"CODE\" \"NAME\"";
  if (has(expected, n, "join"))
    return "a fork names the join where its branches meet: fork consult \"Lấy ý kiến\" join gather_answers { ... }";
  if (has(expected, n, "name"))
    return "a name is written in ASCII letters, digits and _, such as tiep_nhan";
  return NULL;
}

void dsl__syntax_error(dsl_ctx *ctx, dsl_loc at, const char *found, const char *const *expected, int nexpected) {
  char exp[512], what[128], hint[512];
  dsl_span where = {ctx->src, at.off, at.end};
  if (strcmp(found, "invalid character") == 0 || ctx->gave_up)
    return; /* the lexer said it; or the file is not read on */
  if (++ctx->syntax_errors > DSL_MAX_SYNTAX_ERRORS) {
    /* Surely not a procedure, or every line after one mistake: stop. */
    ctx->gave_up = true;
    dsl__error_at(ctx->sink, where, "correct the mistakes above and check again",
                  "more than %d syntax errors: the rest of the file was not read", DSL_MAX_SYNTAX_ERRORS);
    return;
  }
  if (is_keyword(found) && has(expected, nexpected, "name")) {
    reserved_word(ctx, at);
    return;
  }
  if (strcmp(found, "end of file") == 0 && has(expected, nexpected, "'}'")) {
    dsl__error_at(ctx->sink, where, "a block is not closed: add the missing \"}\"",
                  "the file ends before the block is closed");
    return;
  }
  found_words(ctx, at, found, what, sizeof what);
  if (ctx->node && has(expected, nexpected, "'}'") &&
      (!strcmp(found, "step") || !strcmp(found, "choice") || !strcmp(found, "fork") || !strcmp(found, "join"))) {
    /* The block before was not closed: close it here (the lexer gives a }
     * and the word again), and read on. */
    ctx->close_first = true;
    dsl__error_at(ctx->sink, where, "close each step, choice and fork with } before the next one begins",
                  "expected \"}\" to close \"%s\" before %s", ctx->node->name, what);
    return;
  }
  dsl_loc prev = ctx->prev_tok;
  if (has(expected, nexpected, "'{'") && strcmp(found, "'}'") != 0 && prev.end > 0 &&
      line_of(ctx, prev.off) < line_of(ctx, at.off)) {
    /* The block was not opened: what follows up to its } is its body, not
     * lines of the block around it (the lexer skips it). */
    ctx->skip_braces++;
    dsl__error_at(ctx->sink, where,
                  "a block opens with { at the end of its first line, such as: step reception \"Tiếp nhận\" by reception ... {",
                  "expected \"{\" at the end of line %d, found %s", line_of(ctx, prev.off), what);
    return;
  }
  const char *h = hint_for(ctx, at, found, expected, nexpected, hint, sizeof hint);
  bool listed = expected_list(exp, sizeof exp, expected, nexpected);
  bool between_items = has(expected, nexpected, "'}'") || has(expected, nexpected, "procedure");
  if (listed && !between_items && strcmp(found, "end of file") && prev.end > prev.off &&
      line_of(ctx, prev.off) < line_of(ctx, at.off)) {
    /* The line ended in the middle of an item: said at its end, not at
     * the next line. */
    dsl_span end = {ctx->src, prev.end, prev.end};
    dsl__error_at(ctx->sink, end, h, "expected %s after \"%.*s\", at the end of the line", exp,
                  (int)(prev.end - prev.off), ctx->src->text + prev.off);
  } else if (listed)
    dsl__error_at(ctx->sink, where, h, "expected %s, found %s", exp, what);
  else
    dsl__error_at(ctx->sink, where, h, "%s cannot come here", what);
}
