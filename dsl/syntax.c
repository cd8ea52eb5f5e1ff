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

/* What was expected, in words (a keyword as itself, in quotes): at most 4
 * of them, else 0 (too many to say). */
static int expected_list(char words[4][96], const char *const *expected, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    const char *w = expected_words(expected[i]);
    if (!w && !is_keyword(expected[i]))
      continue;
    if (k == 4)
      return 0;
    if (w)
      snprintf(words[k++], 96, "%s", w);
    else
      snprintf(words[k++], 96, "\"%s\"", expected[i]);
  }
  return k;
}

/* "expected A, B or C, found X", or said at the end of the line before
 * (eol: `prev` is the last word of that line); one format per count, each
 * word a fragment of its own (messages_vi.c). */
static void say_expected(dsl_ctx *ctx, dsl_span at, const char *h, char w[4][96], int k, bool eol, const char *what,
                         dsl_loc prev) {
  mc_diag_sink *sink = ctx->sink;
  int pn = (int)(prev.end - prev.off);
  const char *pt = ctx->src->text + prev.off;
  switch (k * 2 + eol) {
  case 2: dsl__error_at(sink, at, h, "expected %s, found %s", w[0], what); break;
  case 3: dsl__error_at(sink, at, h, "expected %s after \"%.*s\", at the end of the line", w[0], pn, pt); break;
  case 4: dsl__error_at(sink, at, h, "expected %s or %s, found %s", w[0], w[1], what); break;
  case 5: dsl__error_at(sink, at, h, "expected %s or %s after \"%.*s\", at the end of the line", w[0], w[1], pn, pt); break;
  case 6: dsl__error_at(sink, at, h, "expected %s, %s or %s, found %s", w[0], w[1], w[2], what); break;
  case 7: dsl__error_at(sink, at, h, "expected %s, %s or %s after \"%.*s\", at the end of the line", w[0], w[1], w[2], pn, pt); break;
  case 8: dsl__error_at(sink, at, h, "expected %s, %s, %s or %s, found %s", w[0], w[1], w[2], w[3], what); break;
  default: dsl__error_at(sink, at, h, "expected %s, %s, %s or %s after \"%.*s\", at the end of the line", w[0], w[1], w[2], w[3], pn, pt); break;
  }
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
      {"", "1"}, /* any other: a name here */
  };
  const char *w = ctx->src->text + at.off;
  int n = (int)(at.end - at.off), k = 0, count = (int)(sizeof kinds / sizeof kinds[0]) - 1;
  while (k < count && !text_is(ctx, ctx->prev_tok, kinds[k].before))
    k++;
  dsl_span where = {ctx->src, at.off, at.end};
  char hint[256];
  const char *suffix = k < count && kinds[k].suffix ? kinds[k].suffix : kinds[count - 1].suffix;
  snprintf(hint, sizeof hint, "choose another name, such as %.*s_%s", n, w, suffix);
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
           "{ ... }, offer \"CODE\" at \"AGENCY\", merged \"CODE\" into \"CODE\", template \"NAME\" { ... }";
  if (has(expected, n, "department"))
    return "the lines of an agency are its settings (name and value, such as level commune) and department \"CODE\" \"NAME\"";
  if (has(expected, n, "into"))
    return "an agency merged into another is written: merged \"H13.X03\" into \"H13.X01\"";
  if (has(expected, n, "join"))
    return "a fork names the join where its branches meet: fork consult \"Lấy ý kiến\" join gather_answers { ... }";
  if (has(expected, n, "name"))
    return "a name is written in ASCII letters, digits and _, such as tiep_nhan";
  return NULL;
}

static void say_syntax_error(dsl_ctx *ctx, dsl_loc at, const char *found, const char *const *expected, int nexpected);

void dsl__syntax_error(dsl_ctx *ctx, dsl_loc at, const char *found, const char *const *expected, int nexpected) {
  /* At a word the lexer refused, or right after it (a text with no closing
   * quote ate the rest of its line, a { perhaps), the parser's complaint is
   * the same mistake again: recover as usual, but say nothing more. */
  /* A name where a text was expected, on a line with one quote left: the
   * text's opening quote was left out (said once for the line). */
  if (strcmp(found, "name") == 0 && has(expected, nexpected, "text"))
    dsl__missing_open_quote(ctx, at.off);
  /* the word it fails at, or the one before on its line, may be a name declared */
  dsl__lost_name(ctx, at);
  if (ctx->prev_tok.end > ctx->prev_tok.off && line_of(ctx, ctx->prev_tok.off) == line_of(ctx, at.off))
    dsl__lost_name(ctx, ctx->prev_tok);
  dsl_loc refused = ctx->lex_refused;
  int skipping = ctx->skip_braces;
  bool same_line = at.off >= refused.off && at.off < ctx->lex_quiet_until;
  if (refused.end > 0 && (at.off == refused.off || ctx->prev_tok.end == refused.end || same_line)) {
    mc_diag_sink quiet = {.lang = ctx->sink->lang}, *sink = ctx->sink;
    ctx->sink = &quiet;
    say_syntax_error(ctx, at, found, expected, nexpected);
    ctx->sink = sink;
  } else {
    say_syntax_error(ctx, at, found, expected, nexpected);
  }
  /* One message a line: the lexer refuses no more characters on it. */
  size_t eol = at.off;
  while (eol < ctx->src->len && ctx->src->text[eol] != '\n')
    eol++;
  if (eol > ctx->lex_quiet_until)
    ctx->lex_quiet_until = eol;
  /* The { that a text with no closing quote ate opened a block: skip it
   * whole, as the { itself would have been. */
  if (ctx->eaten_brace && at.off + 1 >= ctx->eaten_brace) {
    if (ctx->skip_braces == skipping)
      ctx->skip_braces++;
    ctx->eaten_brace = 0;
  }
}

static void say_syntax_error(dsl_ctx *ctx, dsl_loc at, const char *found, const char *const *expected, int nexpected) {
  char what[128], hint[512];
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
  if (ctx->proc && has(expected, nexpected, "'}'") &&
      (!strcmp(found, "step") || !strcmp(found, "choice") || !strcmp(found, "fork") || !strcmp(found, "join"))) {
    /* The block before was not closed — a step's, or the form's (a step
     * cannot begin inside any other block of a procedure): close it here
     * (the lexer gives a } and the word again), and read on. */
    found_words(ctx, at, found, what, sizeof what);
    ctx->close_first = true;
    if (ctx->node)
      dsl__error_at(ctx->sink, where, "close each step, choice and fork with } before the next one begins",
                    "expected \"}\" to close \"%s\" before %s", ctx->node->name, what);
    else
      dsl__error_at(ctx->sink, where, "close the form with } after its last field",
                    "expected \"}\" to close the form before %s", what);
    return;
  }
  dsl_loc before = ctx->prev_tok;
  bool next_line = before.end > 0 && line_of(ctx, before.off) < line_of(ctx, at.off);
  if (is_keyword(found) && has(expected, nexpected, "name") && !next_line) {
    /* A word of the language where a name goes, on the same line; on the
     * next line it begins the next item, and this line ended too early. */
    reserved_word(ctx, at);
    return;
  }
  if (strcmp(found, "end of file") == 0 && has(expected, nexpected, "'}'")) {
    dsl__error_at(ctx->sink, where, "a block is not closed: add the missing \"}\"",
                  "the file ends before the block is closed");
    return;
  }
  found_words(ctx, at, found, what, sizeof what);
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
  char words[4][96];
  int listed = expected_list(words, expected, nexpected);
  bool between_items = has(expected, nexpected, "'}'") || has(expected, nexpected, "procedure");
  if (listed && !between_items && strcmp(found, "end of file") && prev.end > prev.off &&
      line_of(ctx, prev.off) < line_of(ctx, at.off))
    /* The line ended in the middle of an item: said at its end, not at
     * the next line. */
    say_expected(ctx, (dsl_span){ctx->src, prev.end, prev.end}, h, words, listed, true, what, prev);
  else if (listed)
    say_expected(ctx, where, h, words, listed, false, what, prev);
  else if (!between_items && strcmp(found, "end of file") && prev.end > prev.off &&
           line_of(ctx, prev.off) < line_of(ctx, at.off))
    dsl__error_at(ctx->sink, (dsl_span){ctx->src, prev.end, prev.end},
                  "write what it takes on the same line, such as: level commune, time 3 working days, fee 0 VND",
                  "the line ends too early, after \"%.*s\"", (int)(prev.end - prev.off), ctx->src->text + prev.off);
  else
    dsl__error_at(ctx->sink, where, h, "%s cannot come here", what);
}
