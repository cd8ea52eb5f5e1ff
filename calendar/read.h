/* read.h — what the files that read calendar files share (calendar/ only):
 * the tokens and statements lex.c reads, what parse.c gathers from them
 * (`reading`), and build.c's checks and tables over it. */
#ifndef CAL_READ_H
#define CAL_READ_H

#include "calendar/calendar-int.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum { TOK_EOF, TOK_NEWLINE, TOK_WORD, TOK_STRING, TOK_LBRACE, TOK_RBRACE, TOK_BAD } tok_kind;

typedef struct token {
  tok_kind kind;
  size_t offset; /* into the source */
  size_t len;    /* of the token as written (with quotes for strings) */
} token;

typedef struct lexer {
  const mc_source *src;
  size_t pos;
  mc_diag_sink *sink;
} lexer;

/* A statement: the tokens of one line, up to a newline or a closing brace
 * (which is left for the caller). */
#define STMT_MAX_TOKENS 32

typedef struct stmt {
  token tok[STMT_MAX_TOKENS];
  int n;
  bool too_long;
  bool bad;  /* holds a token the lexer already reported */
  token end; /* the token that ended the statement */
} stmt;

typedef struct parser {
  lexer lx;
  token peeked;
  bool has_peeked;
  const mc_source *src;
  mc_diag_sink *sink;
} parser;

/* Reports at a token. */
#define ERR_AT(p, t, hint, ...)                                                        \
  cal__error((p)->sink, (p)->src, (t)->offset, (t)->len ? (t)->len : 1, \
             hint, __VA_ARGS__)

/* English weekday names, Monday first, for messages. */
static const char *const weekday_names[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                             "Friday", "Saturday", "Sunday"};

/* lex.c: the next token (peek leaves it), one statement, a word test, the
 * keyword a typo most likely meant, a string's text without its quotes. */
token cal__peek(parser *p);
token cal__next(parser *p);
bool cal__read_stmt(parser *p, stmt *s);
bool cal__tok_is(const parser *p, const token *t, const char *word);
const char *cal__did_you_mean(const parser *p, const token *t, const char *const *keywords);
char *cal__string_value(mc_arena *a, const parser *p, const token *t);

typedef struct loc {
  const mc_source *src;
  size_t offset, len;
} loc;

typedef struct day_entry {
  int64_t day;
  eng_day_kind kind;
  int64_t for_day;  /* make-up: the swap day it pays back; else -1 */
  const char *note;
  loc where;
  loc for_where;
} day_entry;

typedef struct year_block {
  int year;
  loc where;
  int first_entry, nentries; /* into entries */
} year_block;

typedef struct reading {
  mc_arena *arena;
  mc_diag_sink *sink;
  const char *id, *title, *zone;
  loc id_where, zone_where, hours_where;
  bool has_hours;
  int offset_min;
  cal_hours weekday[7];
  loc weekday_where[7];
  bool weekday_set[7];
  day_entry *entries;
  int nentries, cap_entries;
  year_block *years;
  int nyears, cap_years;
  int hours_errors;       /* office-hours lines refused */
  int block_errors;       /* block lines refused by the lexer */
  int unknown_statements; /* top-level lines not understood */
  bool zone_seen;         /* a timezone line, even a wrong one */
  bool oom;
} reading;

#define REPORT(r, l, hint, ...)                                                        \
  cal__error((r)->sink, (l)->src, (l)->offset, (l)->len ? (l)->len : 1, hint, \
             __VA_ARGS__)

static inline loc loc_of(const parser *p, const token *t) { return (loc){p->src, t->offset, t->len}; }

static inline int line_of(const loc *l) {
  int line = 1;
  for (size_t i = 0; i < l->offset && i < l->src->len; i++)
    line += l->src->text[i] == '\n';
  return line;
}

/* build.c: checks what was read across files and builds the calendar's
 * tables; 0 or an error (diagnostics to r->sink). */
int cal__build(reading *r, const mc_source *sources, int nsources, eng_calendar *cal);

#endif
