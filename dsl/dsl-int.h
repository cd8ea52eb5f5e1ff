/* dsl-int.h — shared by the lexer, the parser, the checks and the compiler.
 * Not for use outside dsl/. */
#ifndef DSL_INT_H
#define DSL_INT_H

#include <stdarg.h>

#include "base/arena.h"
#include "base/diag.h"
#include "dsl/ast.h"

/* Blocks and parentheses nest at most this deep (docs/DSL.md says so); a
 * deeper file is refused with its own diagnostic rather than exhausting the
 * parser's stack. */
#define DSL_MAX_NESTING 32

/* A condition or a fee has at most this many parts (comparisons, amounts):
 * beyond it the file is surely generated wrong, and the checks that prove
 * conditions disjoint would take too long. */
#define DSL_MAX_EXPR_NODES 100

/* A file with more syntax errors than this is not read on (each is
 * reported with its line, found from the start of the file). */
#define DSL_MAX_SYNTAX_ERRORS 50

/* At most this many names dropped by syntax errors are remembered (to not
 * call their uses unknown, recovery.c): a file of garbage is not looked
 * through name by name. */
#define DSL_MAX_LOST_NAMES 256

/* Source files larger than this are refused before lexing. */
#define DSL_MAX_FILE_BYTES (8u << 20)

/* Locations are byte ranges; line and column are computed when reported. */
typedef struct dsl_loc {
  size_t off, end;
} dsl_loc;

typedef struct dsl_ctx {
  mc_arena *arena;
  mc_diag_sink *sink;
  const mc_source *src;
  dsl_program *prog;
  /* the declaration being read */
  dsl_procedure *proc;
  dsl_node *node;
  dsl_policy *policy;
  dsl_agency *agency;
  dsl_template *tmpl;
  /* lexer state */
  size_t pos;   /* byte offset of the next token */
  int depth;
  int nlost;              /* names remembered by dsl__lost_name */
  size_t lex_quiet_until; /* a character refused: the rest of its line is not refused again */
  dsl_loc lex_refused;      /* the last word the lexer refused (a text with no closing quote,
                            * a name in Vietnamese): the parser's complaint at it, or at the
                            * word after it, is the same mistake, not said twice */
  bool too_deep;
  bool oom;
  /* syntax-error recovery (lexer.l): after an error the rest of the broken
   * line is skipped, and a block opened on it up to its matching } */
  size_t skip_to;       /* skip the tokens before this offset (the line's end) */
  int skip_braces;      /* blocks being skipped */
  size_t eaten_brace;   /* 1 + the offset of a text with no closing quote that ate
                         * the { ending its line: its block is skipped on an error */
  int braces;           /* the {s read by the parser and not closed */
  dsl_loc prev_tok, cur_tok; /* the last two tokens read */
  int cur_code;         /* the token read last */
  bool resync;          /* say RESYNC before the next token */
  bool close_first;     /* give a } before the token read last, again */
  bool again;           /* give the token read last again */
  int syntax_errors;    /* reported in this file */
  bool gave_up;         /* too many: the rest of the file is not read */
} dsl_ctx;

dsl_span dsl__span(const dsl_ctx *ctx, dsl_loc loc);
void dsl__error(dsl_ctx *ctx, dsl_loc loc, const char *hint, const char *fmt, ...)
    MC__PRINTF(4, 5);
/* A finding at a span of a file, with its hint (report.c). */
void dsl__error_at(mc_diag_sink *sink, dsl_span at, const char *hint, const char *fmt, ...)
    MC__PRINTF(4, 5);
void dsl__report_v(mc_diag_sink *sink, mc_diag_severity severity, dsl_span at, const char *hint, const char *fmt,
                   va_list ap) MC__PRINTF(5, 0);
/* The Vietnamese of every text the checks, the parser and the lexer write
 * (messages_vi.c; base/diag.h, mc_diag_text). */
extern const mc_diag_text dsl__messages_vi[];

#include "dsl/dsl.h"

struct dsl_compile {
  mc_arena arena;
  dsl_program prog;
  bool checked;          /* dsl_compile_check returned 0 */
  bool parse_failed;     /* a file added had syntax errors */
  bool out_of_memory;    /* a file added could not be read whole: not checked */
  dsl_artifact *artifacts;
  int nartifacts;
};

/* The checks (check.c, which runs check_structure.c's last) and the encoder
 * (compile.c). */
int dsl__check(dsl_compile *c, mc_diag_sink *sink);
void dsl__check_structure(const dsl_program *prog, mc_diag_sink *sink);
/* The successors the directory names (`merged "FROM" into "INTO"`):
 * check_directory_successor.c, run by check.c after the directory. */
void dsl__check_successors(const dsl_program *prog, mc_diag_sink *sink);
/* What the checks look up (lookup.c); a compiled definition shadows a
 * context one with the same identifier. */
const dsl_policy *dsl__find_policy(const dsl_program *prog, const char *id);
const dsl_agency *dsl__find_agency(const dsl_program *prog, const char *code);
const dsl_template *dsl__find_template(const dsl_program *prog, const char *name);
/* The agency code or template name closest to a misspelt one ("did you
 * mean"), or NULL when none is close. */
const char *dsl__closest_agency(const dsl_program *prog, const char *code);
const char *dsl__closest_template(const dsl_program *prog, const char *name);
/* "Did you mean" for every kind of name (lookup.c): the closest of
 * names[0..n) (n < 0: up to a NULL), of the names at `offset` in the items
 * of an AST list (offsetof(dsl_policy, id), ...), of the joins of a
 * procedure's nodes; NULL when none is close.  dsl__did_you_mean writes
 * "did you mean "X"?" to hint and returns it, or returns `otherwise` when
 * guess is NULL. */
const char *dsl__closest(const char *word, const char *const *names, int n);
const char *dsl__closest_in(const void *list, size_t offset, const char *word);
const char *dsl__closest_join(const dsl_node *nodes, const char *name);
const char *dsl__did_you_mean(char *hint, size_t size, const char *guess, const char *otherwise);
/* Whether a fork of these nodes names a join that is not among them (a
 * misspelling, reported at the fork: the join is not said to close none),
 * or none (a syntax error in its header). */
bool dsl__fork_join_misspelt(const dsl_node *nodes);
/* A hint into `buf`: "did you mean" the closest word of `list`, else the
 * words (`what` names them: "levels"); for an agency code, the closest code
 * of the directory, else how agencies are named. */
const char *dsl__vocab_hint(char *buf, unsigned size, const char *const *list, const char *word, const char *what);
const char *dsl__agency_hint(const dsl_program *prog, const char *code, char *buf, size_t size);
const dsl_setting *dsl__setting(const dsl_setting *list, const char *key);
/* The next {fact} of a template's text from *cursor on ({{ and }} are
 * braces): 1 and the fact (truncated to 63 bytes, *too_long set when it
 * was longer), 0 at the end, -1 at a lone }, -2 at an unclosed {. */
int dsl__next_fact(const char **cursor, char fact[64], bool *too_long);
/* The same, with *at the place of the fact's { (or of the lone } or the
 * unclosed {); and where bytes [from, to) of a text read from the literals
 * at `lits` are in the file (lookup.c). */
int dsl__next_fact_at(const char **cursor, char fact[64], bool *too_long, const char **at);
dsl_span dsl__text_span(dsl_span lits, const char *text, const char *from, const char *to);
/* "text", "number", ... for a dsl_field_type. */
const char *dsl__field_type_word(int type);

/* A syntax error, said in words (syntax.c): `found` and `expected[]` are
 * bison's names of the symbols ("name", "->", "'{'", "step", "end of file"). */
void dsl__syntax_error(dsl_ctx *ctx, dsl_loc at, const char *found, const char *const *expected, int nexpected);

/* Error recovery (lexer.l): the parser holds `held` open {s (those it read
 * beyond are skipped to their }), and dropped the token at *dropped (the
 * rest of its line is skipped), if not NULL. */
void dsl__recover(dsl_ctx *ctx, int held, const dsl_loc *dropped);

/* A text with its opening quote left out, from `off` on its line: said
 * once, the rest of the line quiet (recovery.c). */
bool dsl__missing_open_quote(dsl_ctx *ctx, size_t off);
/* A word a syntax error dropped from ctx->proc, remembered when it may be a
 * name (recovery.c). */
void dsl__lost_name(dsl_ctx *ctx, dsl_loc at);

/* Parses one file into ctx->prog (appending).  Returns 0, MC_EPARSE, ... */
int dsl__parse(dsl_ctx *ctx);

/* A map's value by key, or NULL (also when `map` is not a map);
 * directory.c, for the decoders of defs.c. */
struct msgpack_object;
const struct msgpack_object *dsl__field(const struct msgpack_object *map, const char *key);

/* The directory's one order of offers: by procedure, then agency, then the
 * level of "every" (NULL sorts as ""): directory.c. */
int dsl__offer_cmp(const char *proc_a, const char *agency_a, const char *every_a, const char *proc_b,
                   const char *agency_b, const char *every_b);

/* Appends `item` (whose first member is `next`) to the list at `*head`. */
void dsl__append(void *head, void *item);

#endif
