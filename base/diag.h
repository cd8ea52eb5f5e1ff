/* diag.h — diagnostics about a source file an agency wrote.
 *
 * Parsers (the DSL, calendars, policies) never print: they hand each finding
 * to a sink, and keep going so that one run reports every error.  The
 * standard rendering is that of compilers (jq's locfile.c, gcc):
 *
 *   workflows/calendars/vn.cal:12:3: error: 2026-02-16 is listed twice
 *      12 |   2026-02-16 holiday "Tết Nguyên đán"
 *         |   ^~~~~~~~~~
 *   hint: the first time was at line 9; keep one of the two lines
 *
 * Columns count characters, not bytes, so the caret lands under the right
 * letter of a Vietnamese line.
 */
#ifndef MC_DIAG_H
#define MC_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef enum {
  MC_DIAG_ERROR,
  MC_DIAG_WARNING,
  MC_DIAG_NOTE,
} mc_diag_severity;

/* The language findings are written in.  Agencies' officials write the
 * procedures and calendars, so Vietnamese is the default (a zeroed sink);
 * English is asked for (`motcua --lang en`). */
typedef enum {
  MC_LANG_VI = 0,
  MC_LANG_EN,
} mc_lang;

/* A source text under diagnosis.  All borrowed; must outlive the reports. */
typedef struct mc_source {
  const char *name; /* file name as the user gave it */
  const char *text;
  size_t len;
} mc_source;

/* One finding.  All pointers are borrowed for the duration of the sink call. */
typedef struct mc_diag {
  mc_diag_severity severity;
  const mc_source *source; /* may be NULL: a finding about no file */
  int line;                /* 1-based; 0 when there is no position */
  int col;                 /* 1-based, in characters */
  int span;                /* characters to underline, >= 1 */
  const char *message;
  const char *hint;        /* how to fix it, or NULL */
  mc_lang lang;            /* of the texts: the hint's label follows it */
} mc_diag;

typedef void (*mc_diag_fn)(void *opaque, const mc_diag *d);

typedef struct mc_diag_sink {
  mc_diag_fn fn;   /* NULL: findings are only counted */
  void *opaque;
  int errors;
  int warnings;
  mc_lang lang;
  int untranslated; /* findings reported in English for want of a translation */
} mc_diag_sink;

/* One text of a checker in both languages.  The code writes the English, a
 * printf format, and reports through mc_diag_vat with its module's table;
 * the finding is formatted in English, then matched against the table:
 * each conversion of `en` matches the text it printed (a number only
 * digits), the row whose fixed text is longest wins, and `vi` is filled in
 * with what the conversions matched.  `vi` names them by order, or as %N$
 * for the Nth conversion of `en` when Vietnamese puts them in another
 * order.  A matched piece that is itself a row of the table without
 * conversions (a fragment such as "levels"), and not in quotes, is
 * translated too.  Hints are found the same way.  A table ends with
 * {NULL, NULL}.  tools/check-messages.py proves every text the checkers can
 * write has its row, with the same conversions. */
typedef struct mc_diag_text {
  const char *en, *vi;
} mc_diag_text;

/* After this many errors a sink stops receiving them (they are still
 * counted): one mistake repeated a thousand times is not a thousand
 * findings, and each report rescans its file for the line. */
#define MC_DIAG_MAX_REPORTED 100

/* Reports a finding at byte offset `offset` of `src` (line and column are
 * computed), underlining `span_bytes` bytes.  `hint` may be NULL.  `src` may
 * be NULL for a finding about no file. */
void mc_diag_at(mc_diag_sink *sink, mc_diag_severity severity, const mc_source *src,
                size_t offset, size_t span_bytes, const char *hint, const char *fmt, ...)
    MC__PRINTF(7, 8);

/* The same with a va_list, in the language of the sink: `texts` is the
 * reporting module's table (NULL: English only). */
void mc_diag_vat(mc_diag_sink *sink, const mc_diag_text *texts, mc_diag_severity severity,
                 const mc_source *src, size_t offset, size_t span_bytes, const char *hint,
                 const char *fmt, va_list ap) MC__PRINTF(8, 0);

/* `english`, a text as formatted from one of `texts`' English formats, in
 * Vietnamese into `out`; false (and `out` untouched) when no row matches. */
bool mc_diag_translate(const mc_diag_text *texts, const char *english, char *out, size_t size);

/* Renders a finding in the standard form above, ending with a newline. */
int mc_diag_format(mc_buf *out, const mc_diag *d);

/* A sink function that renders each finding to the FILE* in `opaque`. */
void mc_diag_print_to_file(void *opaque, const mc_diag *d);

#endif
