/* calendar_parse.c — reads the calendar files agencies edit, and checks them.
 *
 * The format (docs/CALENDAR.md has the full reference) is line-oriented, one
 * statement a line, '#' starts a comment:
 *
 *   calendar "vn" "Lịch làm việc của cơ quan hành chính nhà nước"
 *   timezone "Asia/Ho_Chi_Minh"
 *   office-hours {
 *     mon-fri  07:30-11:30  13:00-17:00
 *   }
 *   year 2026 {
 *     01/01          holiday  "Tết Dương lịch"
 *     02/01          swap     "Nghỉ hoán đổi, làm bù thứ Bảy 10/01"
 *     10/01          makeup for 02/01  "Làm bù cho thứ Sáu 02/01"
 *     16/02..20/02   holiday  "Tết Nguyên đán"
 *   }
 *
 * Parsing is pure (a buffer in, a calendar or diagnostics out) and keeps
 * going after an error so that the clerk sees every mistake in one run.
 */
#include "calendar/calendar-int.h"

#include "base/error.h"
#include "base/text.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================ tokens */

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

static bool is_word_char(unsigned char c) {
  return c > ' ' && c != '"' && c != '{' && c != '}' && c != '#';
}

/* Checks that text[0..n) is valid UTF-8; returns the offset of the first bad
 * byte, or n. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n)
      return i;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return n;
}

static token lex_next(lexer *lx) {
  const char *t = lx->src->text;
  size_t n = lx->src->len;
  token tok = {TOK_EOF, n, 0};

  for (;;) {
    while (lx->pos < n && (t[lx->pos] == ' ' || t[lx->pos] == '\t' || t[lx->pos] == '\r'))
      lx->pos++;
    if (lx->pos < n && t[lx->pos] == '#') {
      while (lx->pos < n && t[lx->pos] != '\n')
        lx->pos++;
    }
    break;
  }
  if (lx->pos >= n)
    return tok;
  tok.offset = lx->pos;
  switch (t[lx->pos]) {
  case '\n':
    tok.kind = TOK_NEWLINE, tok.len = 1, lx->pos++;
    return tok;
  case '{':
    tok.kind = TOK_LBRACE, tok.len = 1, lx->pos++;
    return tok;
  case '}':
    tok.kind = TOK_RBRACE, tok.len = 1, lx->pos++;
    return tok;
  case '"': {
    size_t i = lx->pos + 1;
    while (i < n && t[i] != '"' && t[i] != '\n')
      i += (t[i] == '\\' && i + 1 < n && t[i + 1] != '\n') ? 2 : 1;
    if (i >= n || t[i] != '"') {
      mc_diag_at(lx->sink, MC_DIAG_ERROR, lx->src, lx->pos, i - lx->pos,
                 "close the text with a \" on the same line",
                 "this text has no closing quote");
      tok.kind = TOK_BAD, tok.len = i - lx->pos;
      lx->pos = i;
      return tok;
    }
    tok.kind = TOK_STRING, tok.len = i + 1 - lx->pos;
    lx->pos = i + 1;
    size_t bad = utf8_valid_prefix((const unsigned char *)t + tok.offset, tok.len);
    if (bad != tok.len) {
      mc_diag_at(lx->sink, MC_DIAG_ERROR, lx->src, tok.offset + bad, 1,
                 "save the file with the UTF-8 encoding (most editors offer it under \"Save as\")",
                 "this text is not valid UTF-8");
      tok.kind = TOK_BAD;
    }
    return tok;
  }
  default: {
    size_t i = lx->pos;
    while (i < n && is_word_char((unsigned char)t[i]))
      i++;
    if (i == lx->pos) { /* a control character */
      mc_diag_at(lx->sink, MC_DIAG_ERROR, lx->src, lx->pos, 1, NULL,
                 "unexpected control character (byte 0x%02x)", (unsigned char)t[lx->pos]);
      tok.kind = TOK_BAD, tok.len = 1;
      lx->pos++;
      return tok;
    }
    tok.kind = TOK_WORD, tok.len = i - lx->pos;
    lx->pos = i;
    return tok;
  }
  }
}

/* ============================================================ statements */

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

static token peek(parser *p) {
  if (!p->has_peeked) {
    p->peeked = lex_next(&p->lx);
    p->has_peeked = true;
  }
  return p->peeked;
}

static token next(parser *p) {
  token t = peek(p);
  p->has_peeked = false;
  return t;
}

/* Reads a statement; skips blank lines first.  Returns false at EOF or at a
 * closing brace (not consumed) with no statement. */
static bool read_stmt(parser *p, stmt *s) {
  s->n = 0;
  s->too_long = false;
  s->bad = false;
  for (;;) {
    token t = peek(p);
    if (t.kind == TOK_NEWLINE && s->n == 0) {
      next(p);
      continue;
    }
    if (t.kind == TOK_EOF || t.kind == TOK_NEWLINE || t.kind == TOK_RBRACE ||
        (t.kind == TOK_LBRACE && s->n > 0)) {
      if (t.kind == TOK_NEWLINE)
        next(p);
      if (t.kind == TOK_LBRACE) {
        /* The brace belongs to the statement: `year 2026 {` */
        next(p);
        if (s->n < STMT_MAX_TOKENS)
          s->tok[s->n++] = t;
      }
      s->end = t;
      return s->n > 0;
    }
    next(p);
    s->bad |= t.kind == TOK_BAD;
    if (s->n < STMT_MAX_TOKENS)
      s->tok[s->n++] = t;
    else
      s->too_long = true;
  }
}

static bool tok_is(const parser *p, const token *t, const char *word) {
  return t->kind == TOK_WORD && t->len == strlen(word) &&
         strncasecmp(p->src->text + t->offset, word, t->len) == 0;
}

/* The keyword closest to a token, if it is a likely typo; else NULL. */
static const char *did_you_mean(const parser *p, const token *t, const char *const *keywords) {
  return mc_text_closest(keywords, p->src->text + t->offset, t->len, 3);
}

/* Reports at a token. */
#define ERR_AT(p, t, hint, ...)                                                        \
  mc_diag_at((p)->sink, MC_DIAG_ERROR, (p)->src, (t)->offset, (t)->len ? (t)->len : 1, \
             hint, __VA_ARGS__)

/* Copies a string token's text without quotes, resolving \" and \\. */
static char *string_value(mc_arena *a, const parser *p, const token *t) {
  const char *s = p->src->text + t->offset + 1;
  size_t n = t->len - 2;
  char *out = mc_arena_alloc(a, n + 1), *o = out;
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n)
      i++;
    *o++ = s[i];
  }
  *o = '\0';
  return out;
}

/* ============================================================ values */

static int parse_uint(const char *s, size_t n, int max_digits, int *out) {
  int v = 0;
  if (n == 0 || (int)n > max_digits)
    return MC_EPARSE;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i]))
      return MC_EPARSE;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

/* "07:30" -> ms after midnight; "24:00" is allowed as an end of day. */
static int parse_clock(const char *s, size_t n, int32_t *ms) {
  const char *colon = memchr(s, ':', n);
  int h, m;
  if (colon == NULL || parse_uint(s, (size_t)(colon - s), 2, &h) ||
      parse_uint(colon + 1, n - (size_t)(colon - s) - 1, 2, &m) || colon + 3 != s + n)
    return MC_EPARSE;
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    return MC_ERANGE;
  *ms = (int32_t)((h * 60 + m) * 60000);
  return 0;
}

static const char *const weekday_words[7][3] = {
    {"mon", "t2", "monday"},   {"tue", "t3", "tuesday"}, {"wed", "t4", "wednesday"},
    {"thu", "t5", "thursday"}, {"fri", "t6", "friday"},  {"sat", "t7", "saturday"},
    {"sun", "cn", "sunday"},
};

static const char *const weekday_names[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                             "Friday", "Saturday", "Sunday"};

static int weekday_of(const char *s, size_t n) {
  for (int d = 0; d < 7; d++)
    for (int k = 0; k < 3; k++)
      if (strlen(weekday_words[d][k]) == n && strncasecmp(s, weekday_words[d][k], n) == 0)
        return d;
  return -1;
}

/* A date: "16/02" (in `year`), "16/02/2026", "2026-02-16".  Returns 0 and the
 * day number, MC_EPARSE when it is not a date, MC_ERANGE when it does not
 * exist (31/02). */
static int parse_date(const char *s, size_t n, int year, int64_t *day) {
  int y = year, m, d;
  const char *a = memchr(s, '/', n);
  if (a) {
    const char *b = memchr(a + 1, '/', n - (size_t)(a + 1 - s));
    const char *end_m = b ? b : s + n;
    if (parse_uint(s, (size_t)(a - s), 2, &d) ||
        parse_uint(a + 1, (size_t)(end_m - a - 1), 2, &m))
      return MC_EPARSE;
    if (b && parse_uint(b + 1, n - (size_t)(b + 1 - s), 4, &y))
      return MC_EPARSE;
    if (b && n - (size_t)(b + 1 - s) != 4)
      return MC_EPARSE;
  } else {
    if (n != 10 || s[4] != '-' || s[7] != '-' || parse_uint(s, 4, 4, &y) ||
        parse_uint(s + 5, 2, 2, &m) || parse_uint(s + 8, 2, 2, &d))
      return MC_EPARSE;
  }
  if (y < CAL_MIN_YEAR || y > CAL_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
      d > mc_days_in_month(y, m))
    return MC_ERANGE;
  *day = mc_days_from_civil(y, m, d);
  return 0;
}

/* ============================================================ what was read */

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
  mc_diag_at((r)->sink, MC_DIAG_ERROR, (l)->src, (l)->offset, (l)->len ? (l)->len : 1, hint, \
             __VA_ARGS__)

static loc loc_of(const parser *p, const token *t) { return (loc){p->src, t->offset, t->len}; }

static int line_of(const loc *l) {
  int line = 1;
  for (size_t i = 0; i < l->offset && i < l->src->len; i++)
    line += l->src->text[i] == '\n';
  return line;
}

static bool grow(reading *r, void **items, int *cap, int n, size_t size) {
  if (n < *cap)
    return true;
  int ncap = *cap ? *cap * 2 : 64;
  void *p = realloc(*items, (size_t)ncap * size);
  if (p == NULL) {
    r->oom = true;
    return false;
  }
  *items = p;
  *cap = ncap;
  return true;
}

/* Known zones with a fixed offset.  Vietnam has kept UTC+7 without daylight
 * saving since 1975; motcua does not need historical zone data. */
static const struct {
  const char *name;
  int offset_min;
} known_zones[] = {
    {"Asia/Ho_Chi_Minh", 420}, {"Asia/Saigon", 420}, {"Asia/Bangkok", 420},
    {"Asia/Jakarta", 420},     {"Etc/GMT-7", 420},   {"UTC", 0},
    {"Etc/UTC", 0},
};

static int zone_offset(const char *name, int *offset_min) {
  for (size_t i = 0; i < sizeof known_zones / sizeof known_zones[0]; i++)
    if (strcmp(name, known_zones[i].name) == 0) {
      *offset_min = known_zones[i].offset_min;
      return 0;
    }
  /* "+07:00" / "UTC+7" style fixed offsets */
  const char *s = strncmp(name, "UTC", 3) == 0 ? name + 3 : name;
  if ((*s == '+' || *s == '-') && s[1]) {
    int sign = *s == '-' ? -1 : 1, h = 0, m = 0;
    const char *c = strchr(s, ':');
    size_t hl = c ? (size_t)(c - s - 1) : strlen(s + 1);
    if (parse_uint(s + 1, hl, 2, &h) || (c && parse_uint(c + 1, strlen(c + 1), 2, &m)) ||
        (c && strlen(c + 1) != 2) || h > 14 || m > 59)
      return MC_EPARSE;
    *offset_min = sign * (h * 60 + m);
    return 0;
  }
  return MC_EPARSE;
}

/* ============================================================ statements */

static void parse_calendar_stmt(reading *r, parser *p, const stmt *s, const char **file_id) {
  if (s->n < 2 || s->n > 3 || s->tok[1].kind != TOK_STRING ||
      (s->n == 3 && s->tok[2].kind != TOK_STRING)) {
    ERR_AT(p, &s->tok[0], "write: calendar \"vn\" \"Lịch làm việc ...\" (an identifier, then an optional title)",
           "a calendar line takes an identifier in quotes and an optional title");
    return;
  }
  const char *id = string_value(r->arena, p, &s->tok[1]);
  if (id == NULL) {
    r->oom = true;
    return;
  }
  if (*id == '\0') {
    ERR_AT(p, &s->tok[1], "give the calendar a short name, such as \"vn\"",
           "the calendar identifier is empty");
    return;
  }
  if (*file_id) {
    ERR_AT(p, &s->tok[0], "keep one calendar line per file", "this file already named its calendar");
    return;
  }
  *file_id = id;
  if (r->id == NULL) {
    r->id = id;
    r->id_where = loc_of(p, &s->tok[1]);
  } else if (strcmp(r->id, id) != 0) {
    loc l = loc_of(p, &s->tok[1]);
    char hint[512];
    snprintf(hint, sizeof hint, "%s:%d names the calendar \"%s\"; files of one calendar must agree",
             r->id_where.src->name, line_of(&r->id_where), r->id);
    REPORT(r, &l, hint, "this file belongs to calendar \"%s\", not to the one being read", id);
  }
  if (s->n == 3) {
    if (r->title) {
      ERR_AT(p, &s->tok[2], "give the title in one file only (the one with the office hours)",
             "the calendar's title is given twice");
    } else {
      r->title = string_value(r->arena, p, &s->tok[2]);
    }
  }
}

static void parse_timezone_stmt(reading *r, parser *p, const stmt *s) {
  r->zone_seen = true;
  if (s->n != 2 || (s->tok[1].kind != TOK_STRING && s->tok[1].kind != TOK_WORD)) {
    ERR_AT(p, &s->tok[0], "write: timezone \"Asia/Ho_Chi_Minh\"", "a timezone line takes one zone name");
    return;
  }
  if (r->zone) {
    loc l = r->zone_where;
    char hint[512];
    snprintf(hint, sizeof hint, "the first is at %s:%d; keep one", l.src->name, line_of(&l));
    ERR_AT(p, &s->tok[0], hint, "the time zone is given twice");
    return;
  }
  const char *zone = s->tok[1].kind == TOK_STRING
                         ? string_value(r->arena, p, &s->tok[1])
                         : mc_arena_strndup(r->arena, p->src->text + s->tok[1].offset, s->tok[1].len);
  if (zone == NULL) {
    r->oom = true;
    return;
  }
  if (zone_offset(zone, &r->offset_min) != 0) {
    ERR_AT(p, &s->tok[1],
           "Vietnam is \"Asia/Ho_Chi_Minh\"; other fixed zones: \"Asia/Bangkok\", \"UTC\", or an "
           "offset such as \"+07:00\"",
           "unknown time zone \"%s\"", zone);
    return;
  }
  r->zone = zone;
  r->zone_where = loc_of(p, &s->tok[1]);
}

/* "mon-fri", "mon,wed,fri", "sat" -> a set of weekdays. */
static bool parse_weekdays(reading *r, parser *p, const token *t, bool set[7]) {
  const char *s = p->src->text + t->offset, *end = s + t->len;
  memset(set, 0, 7 * sizeof set[0]);
  while (s < end) {
    const char *comma = memchr(s, ',', (size_t)(end - s));
    const char *item_end = comma ? comma : end;
    const char *dash = memchr(s, '-', (size_t)(item_end - s));
    int a = weekday_of(s, (size_t)((dash ? dash : item_end) - s));
    int b = dash ? weekday_of(dash + 1, (size_t)(item_end - dash - 1)) : a;
    if (a < 0 || b < 0) {
      loc l = {p->src, t->offset, t->len};
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)(item_end - s), s);
      REPORT(r, &l,
             "weekdays are mon tue wed thu fri sat sun (or T2 T3 T4 T5 T6 T7 CN); a range is "
             "written mon-fri",
             "unknown weekday \"%s\"", name);
      return false;
    }
    if (b < a) {
      loc l = {p->src, t->offset, t->len};
      REPORT(r, &l, "write the range from Monday's side, such as mon-fri",
             "the weekday range %.*s runs backwards", (int)t->len, p->src->text + t->offset);
      return false;
    }
    for (int d = a; d <= b; d++)
      set[d] = true;
    s = comma ? comma + 1 : end;
  }
  return true;
}

static void parse_hours_line(reading *r, parser *p, const stmt *s) {
  bool set[7];
  cal_hours hours = {0};
  const token *days = &s->tok[0];

  if (days->kind != TOK_WORD) {
    ERR_AT(p, days, "write: mon-fri 07:30-11:30 13:00-17:00", "expected weekdays here");
    return;
  }
  if (!parse_weekdays(r, p, days, set))
    return;
  if (s->n < 2) {
    ERR_AT(p, days, "list the sessions (07:30-11:30 13:00-17:00), or write \"closed\"",
           "these weekdays have no sessions");
    return;
  }
  int errors_before = p->sink->errors;
  if (s->n == 2 && tok_is(p, &s->tok[1], "closed")) {
    /* explicitly closed: no sessions */
  } else {
    for (int i = 1; i < s->n; i++) {
      const token *t = &s->tok[i];
      const char *text = p->src->text + t->offset;
      const char *dash = t->kind == TOK_WORD ? memchr(text, '-', t->len) : NULL;
      cal_session ses;
      int rc = dash ? parse_clock(text, (size_t)(dash - text), &ses.open_ms) : MC_EPARSE;
      if (rc == 0)
        rc = parse_clock(dash + 1, t->len - (size_t)(dash + 1 - text), &ses.close_ms);
      if (rc != 0) {
        ERR_AT(p, t, "a session is written HH:MM-HH:MM with hours 00-24 and minutes 00-59, such as 07:30-11:30",
               "\"%.*s\" is not a session", (int)t->len, text);
        continue;
      }
      if (ses.close_ms <= ses.open_ms) {
        ERR_AT(p, t, "the closing time comes after the opening time, such as 13:00-17:00",
               "the session %.*s ends before it starts", (int)t->len, text);
        continue;
      }
      if (hours.nsessions == CAL_MAX_SESSIONS) {
        ERR_AT(p, t, NULL, "at most %d sessions a day", CAL_MAX_SESSIONS);
        return;
      }
      /* Keep sessions sorted; refuse overlaps. */
      int k = hours.nsessions;
      while (k > 0 && hours.sessions[k - 1].open_ms > ses.open_ms) {
        hours.sessions[k] = hours.sessions[k - 1];
        k--;
      }
      hours.sessions[k] = ses;
      hours.nsessions++;
      const cal_session *prev = k > 0 ? &hours.sessions[k - 1] : NULL;
      const cal_session *after = k + 1 < hours.nsessions ? &hours.sessions[k + 1] : NULL;
      if ((prev && prev->close_ms > ses.open_ms) || (after && ses.close_ms > after->open_ms)) {
        ERR_AT(p, t, "sessions of one day must not overlap; the afternoon starts after the morning ends",
               "the session %.*s overlaps another session of the same day", (int)t->len, text);
        return;
      }
    }
  }
  if (p->sink->errors != errors_before)
    return; /* a wrong line gives no office hours rather than half of them */
  for (int d = 0; d < 7; d++) {
    if (!set[d])
      continue;
    if (r->weekday_set[d]) {
      char hint[512];
      snprintf(hint, sizeof hint, "%s already has office hours at %s:%d; give each weekday once",
               weekday_names[d], r->weekday_where[d].src->name, line_of(&r->weekday_where[d]));
      ERR_AT(p, days, hint, "%s is given office hours twice", weekday_names[d]);
      continue;
    }
    r->weekday_set[d] = true;
    r->weekday[d] = hours;
    r->weekday_where[d] = loc_of(p, days);
  }
}

/* Skips the rest of a block whose '{' was read, quietly: used after an error
 * in its opening line, so that its contents are not misread as statements. */
static void skip_block(parser *p) {
  int depth = 1;
  while (depth > 0) {
    token t = next(p);
    if (t.kind == TOK_EOF)
      return;
    depth += t.kind == TOK_LBRACE ? 1 : t.kind == TOK_RBRACE ? -1 : 0;
  }
}

static bool expect_block_open(parser *p, const stmt *s, const char *example) {
  if (s->tok[s->n - 1].kind != TOK_LBRACE) {
    ERR_AT(p, &s->tok[s->n - 1], example, "expected \"{\" at the end of this line");
    return false;
  }
  return true;
}

/* Reads block lines until the matching '}'.  `line_fn` handles each line. */
static void parse_block(reading *r, parser *p, const token *open,
                        void (*line_fn)(reading *, parser *, const stmt *, void *), void *arg) {
  stmt s;
  for (;;) {
    bool got = read_stmt(p, &s);
    if (got) {
      if (s.bad) {
        r->block_errors++; /* already reported by the lexer */
      } else if (s.too_long) {
        ERR_AT(p, &s.tok[0], "split it into several lines", "this line is too long");
        r->block_errors++;
      } else if (s.tok[s.n - 1].kind == TOK_LBRACE) {
        ERR_AT(p, &s.tok[s.n - 1], "close the block above with \"}\" before starting another",
               "a block cannot start inside another block");
      } else {
        line_fn(r, p, &s, arg);
      }
      continue;
    }
    if (s.end.kind == TOK_RBRACE) {
      next(p);
      return;
    }
    /* EOF */
    ERR_AT(p, open, "add a line with \"}\" where the block ends", "this block is never closed");
    return;
  }
}

static void hours_line(reading *r, parser *p, const stmt *s, void *arg) {
  int before = p->sink->errors;
  (void)arg;
  parse_hours_line(r, p, s);
  r->hours_errors += p->sink->errors != before;
}

typedef struct year_ctx {
  int year;
} year_ctx;

static bool add_entry(reading *r, const day_entry *e) {
  if (!grow(r, (void **)&r->entries, &r->cap_entries, r->nentries, sizeof *e))
    return false;
  r->entries[r->nentries++] = *e;
  return true;
}

static const char DATE_HINT[] =
    "write a date as DD/MM (in the block's year), DD/MM/YYYY or YYYY-MM-DD; a range as 16/02..20/02";

static void day_line(reading *r, parser *p, const stmt *s, void *arg) {
  const year_ctx *yc = arg;
  const token *dt = &s->tok[0];
  const char *text = p->src->text + dt->offset;
  int64_t first, last;
  int i = 1, rc;

  if (dt->kind != TOK_WORD) {
    ERR_AT(p, dt, DATE_HINT, "expected a date at the start of the line");
    return;
  }
  const char *dots = NULL;
  for (size_t k = 0; k + 1 < dt->len; k++)
    if (text[k] == '.' && text[k + 1] == '.') {
      dots = text + k;
      break;
    }
  rc = parse_date(text, dots ? (size_t)(dots - text) : dt->len, yc->year, &first);
  if (rc == 0 && dots)
    rc = parse_date(dots + 2, dt->len - (size_t)(dots + 2 - text), yc->year, &last);
  else
    last = first;
  if (rc == MC_ERANGE) {
    ERR_AT(p, dt, "check the day and the month (DD/MM)", "%.*s is not a date of the calendar",
           (int)dt->len, text);
    return;
  }
  if (rc != 0) {
    ERR_AT(p, dt, DATE_HINT, "\"%.*s\" is not a date", (int)dt->len, text);
    return;
  }
  if (last < first) {
    ERR_AT(p, dt, "write the earlier date first, such as 16/02..20/02", "the range %.*s runs backwards",
           (int)dt->len, text);
    return;
  }
  int y_first, y_last, m_, d_;
  mc_civil_from_days(first, &y_first, &m_, &d_);
  mc_civil_from_days(last, &y_last, &m_, &d_);
  if (y_first != yc->year || y_last != yc->year) {
    ERR_AT(p, dt, "move the line into the block of its own year", "%.*s is not in %d",
           (int)dt->len, text, yc->year);
    return;
  }
  if (last - first > 31) {
    ERR_AT(p, dt, "list long periods in several lines", "a range of more than a month is surely a mistake");
    return;
  }

  day_entry e = {.for_day = -1, .where = loc_of(p, dt)};
  if (i >= s->n || s->tok[i].kind != TOK_WORD) {
    ERR_AT(p, dt, "after the date write holiday, swap or makeup, then a description in quotes",
           "what is this day?");
    return;
  }
  const token *kw = &s->tok[i++];
  if (tok_is(p, kw, "holiday"))
    e.kind = ENG_DAY_HOLIDAY;
  else if (tok_is(p, kw, "swap"))
    e.kind = ENG_DAY_SWAP;
  else if (tok_is(p, kw, "makeup") || tok_is(p, kw, "make-up"))
    e.kind = ENG_DAY_MAKEUP;
  else {
    static const char *const kinds[] = {"holiday", "swap", "makeup", NULL};
    const char *guess = did_you_mean(p, kw, kinds);
    char hint[256];
    if (guess)
      snprintf(hint, sizeof hint, "did you mean \"%s\"?", guess);
    else
      snprintf(hint, sizeof hint,
               "holiday = a day off by law (ngày lễ, Tết, nghỉ bù); swap = a working day given off "
               "(nghỉ hoán đổi); makeup = a day worked to pay a swap back (làm bù)");
    ERR_AT(p, kw, hint, "unknown kind of day \"%.*s\"", (int)kw->len, p->src->text + kw->offset);
    return;
  }
  if (e.kind == ENG_DAY_MAKEUP) {
    if (dots) {
      ERR_AT(p, dt, "give each make-up day its own line", "a make-up day cannot be a range");
      return;
    }
    if (i + 1 >= s->n || !tok_is(p, &s->tok[i], "for") || s->tok[i + 1].kind != TOK_WORD) {
      ERR_AT(p, kw, "write: 10/01 makeup for 02/01 \"Làm bù cho ngày 02/01\"",
             "a make-up day must say which swap day it pays back (\"for DD/MM\")");
      return;
    }
    const token *ft = &s->tok[i + 1];
    rc = parse_date(p->src->text + ft->offset, ft->len, yc->year, &e.for_day);
    if (rc != 0) {
      ERR_AT(p, ft, DATE_HINT, "\"%.*s\" is not a date", (int)ft->len, p->src->text + ft->offset);
      return;
    }
    e.for_where = loc_of(p, ft);
    i += 2;
  }
  if (i >= s->n || s->tok[i].kind != TOK_STRING) {
    ERR_AT(p, kw, "add what the day is, in quotes, such as \"Tết Nguyên đán\"",
           "the day needs a description");
    return;
  }
  if (i + 1 < s->n) {
    ERR_AT(p, &s->tok[i + 1], "one line per day: date, kind, description", "unexpected text after the description");
    return;
  }
  e.note = string_value(r->arena, p, &s->tok[i]);
  if (e.note == NULL) {
    r->oom = true;
    return;
  }
  for (int64_t d = first; d <= last; d++) {
    e.day = d;
    if (!add_entry(r, &e))
      return;
  }
}

static void parse_year_stmt(reading *r, parser *p, const stmt *s) {
  int year;
  if (s->n != 3 || s->tok[1].kind != TOK_WORD ||
      parse_uint(p->src->text + s->tok[1].offset, s->tok[1].len, 4, &year) != 0) {
    ERR_AT(p, &s->tok[0], "write: year 2026 {", "a year block starts with the year in four digits");
    if (s->tok[s->n - 1].kind == TOK_LBRACE)
      skip_block(p);
    return;
  }
  if (!expect_block_open(p, s, "write: year 2026 {"))
    return;
  if (year < CAL_MIN_YEAR || year > CAL_MAX_YEAR) {
    ERR_AT(p, &s->tok[1], NULL, "the year %d is out of range (%d to %d)", year, CAL_MIN_YEAR,
           CAL_MAX_YEAR);
    year = CAL_MIN_YEAR; /* parse the block anyway; it is dropped below */
  }
  year_block yb = {.year = year, .where = loc_of(p, &s->tok[1]), .first_entry = r->nentries};
  year_ctx yc = {year};
  parse_block(r, p, &s->tok[s->n - 1], day_line, &yc);
  yb.nentries = r->nentries - yb.first_entry;
  if (!grow(r, (void **)&r->years, &r->cap_years, r->nyears, sizeof yb))
    return;
  r->years[r->nyears++] = yb;
}

static void parse_file(reading *r, const mc_source *src) {
  parser p = {.lx = {.src = src, .sink = r->sink}, .src = src, .sink = r->sink};
  /* Editors on Windows start UTF-8 files with a byte-order mark: skip it. */
  if (src->len >= 3 && !memcmp(src->text, "\xEF\xBB\xBF", 3))
    p.lx.pos = 3;
  const char *file_id = NULL;
  stmt s;

  for (;;) {
    if (!read_stmt(&p, &s)) {
      if (s.end.kind == TOK_RBRACE) {
        ERR_AT(&p, &s.end, "remove it, or open the block it closes", "this \"}\" closes no block");
        next(&p);
        continue;
      }
      break;
    }
    const token *kw = &s.tok[0];
    if (s.bad)
      r->unknown_statements++; /* already reported by the lexer */
    else if (s.too_long)
      ERR_AT(&p, kw, "split it into several lines", "this line is too long");
    else if (tok_is(&p, kw, "calendar"))
      parse_calendar_stmt(r, &p, &s, &file_id);
    else if (tok_is(&p, kw, "timezone"))
      parse_timezone_stmt(r, &p, &s);
    else if (tok_is(&p, kw, "office-hours")) {
      if (s.n != 2 || !expect_block_open(&p, &s, "write: office-hours {")) {
        if (s.n != 2)
          ERR_AT(&p, kw, "write: office-hours {  then one line per weekday, then }",
                 "office-hours takes nothing but its block");
        if (s.tok[s.n - 1].kind == TOK_LBRACE)
          skip_block(&p);
        continue;
      }
      if (r->has_hours) {
        char hint[512];
        snprintf(hint, sizeof hint, "the first is at %s:%d; keep one office-hours block per calendar",
                 r->hours_where.src->name, line_of(&r->hours_where));
        ERR_AT(&p, kw, hint, "office hours are given twice");
      }
      r->has_hours = true;
      r->hours_where = loc_of(&p, kw);
      parse_block(r, &p, &s.tok[1], hours_line, NULL);
    } else if (tok_is(&p, kw, "year"))
      parse_year_stmt(r, &p, &s);
    else {
      static const char *const statements[] = {"calendar", "timezone", "office-hours", "year", NULL};
      const char *guess = did_you_mean(&p, kw, statements);
      char hint[128];
      if (guess)
        snprintf(hint, sizeof hint, "did you mean \"%s\"?", guess);
      else
        snprintf(hint, sizeof hint, "a calendar file has the lines: calendar, timezone, office-hours { }, year YYYY { }");
      ERR_AT(&p, kw, hint, "unknown statement \"%.*s\"", (int)kw->len, src->text + kw->offset);
      r->unknown_statements++;
      if (s.tok[s.n - 1].kind == TOK_LBRACE)
        skip_block(&p);
    }
  }
  if (file_id == NULL && src->len > 0) {
    mc_diag_at(r->sink, MC_DIAG_ERROR, src, 0, 0,
               "start the file with: calendar \"vn\" (the identifier of the calendar it belongs to)",
               "this file does not say which calendar it belongs to");
  }
}

/* ============================================================ checks and tables */

static int compare_entries(const void *a, const void *b) {
  const day_entry *x = a, *y = b;
  if (x->day != y->day)
    return x->day < y->day ? -1 : 1;
  /* stable on position so "listed twice" points at the later line */
  if (x->where.src != y->where.src)
    return x->where.src < y->where.src ? -1 : 1;
  return x->where.offset < y->where.offset ? -1 : x->where.offset > y->where.offset;
}

static void date_text(int64_t day, char out[16]) {
  int y, m, d;
  mc_civil_from_days(day, &y, &m, &d);
  snprintf(out, 16, "%02d/%02d/%04d", d, m, y);
}

static const day_entry *find_entry(const reading *r, int64_t day) {
  size_t lo = 0, hi = (size_t)r->nentries;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (r->entries[mid].day < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < (size_t)r->nentries && r->entries[lo].day == day ? &r->entries[lo] : NULL;
}

static uint16_t add_note(eng_calendar *cal, const char *note) {
  for (int i = 1; i < cal->nnotes; i++)
    if (strcmp(cal->notes[i], note) == 0)
      return (uint16_t)i;
  return (uint16_t)cal->nnotes++; /* storage reserved by the caller */
}

static int build(reading *r, const mc_source *sources, int nsources, eng_calendar *cal) {
  char a[16], b[16], hint[512];
  const mc_source *first_src = nsources > 0 ? &sources[0] : NULL;

  if (r->zone == NULL && !r->zone_seen)
    mc_diag_at(r->sink, MC_DIAG_ERROR, first_src, 0, 0,
               "add a line: timezone \"Asia/Ho_Chi_Minh\"", "the calendar has no time zone");
  if (!r->has_hours) {
    if (r->unknown_statements == 0)
      mc_diag_at(r->sink, MC_DIAG_ERROR, first_src, 0, 0,
                 "add an office-hours { } block, such as: mon-fri 07:30-11:30 13:00-17:00",
                 "the calendar has no office hours");
  } else if (r->hours_errors == 0 && r->block_errors == 0) {
    bool any = false;
    for (int d = 0; d < 7; d++)
      any |= r->weekday[d].nsessions > 0;
    if (!any) {
      loc l = r->hours_where;
      REPORT(r, &l, "give at least one weekday its sessions, such as: mon-fri 07:30-11:30 13:00-17:00",
             "the office hours have no sessions on any day");
    }
  }

  /* Years: each once. */
  for (int i = 0; i < r->nyears; i++)
    for (int j = 0; j < i; j++)
      if (r->years[i].year == r->years[j].year) {
        snprintf(hint, sizeof hint, "%d is already described at %s:%d; merge the two blocks",
                 r->years[j].year, r->years[j].where.src->name, line_of(&r->years[j].where));
        REPORT(r, &r->years[i].where, hint, "the year %d is described twice", r->years[i].year);
        break;
      }

  if (r->nentries > 0) /* qsort(NULL, 0, ...) is undefined */
    qsort(r->entries, (size_t)r->nentries, sizeof r->entries[0], compare_entries);
  for (int i = 1; i < r->nentries; i++) {
    if (r->entries[i].day == r->entries[i - 1].day) {
      date_text(r->entries[i].day, a);
      snprintf(hint, sizeof hint, "it is first listed at %s:%d; keep one of the two lines",
               r->entries[i - 1].where.src->name, line_of(&r->entries[i - 1].where));
      REPORT(r, &r->entries[i].where, hint, "%s is listed twice", a);
    }
  }

  /* Day kinds against the weekly office hours, and the swap/make-up pairs. */
  for (int i = 0; i < r->nentries; i++) {
    const day_entry *e = &r->entries[i];
    int wd = mc_weekday(e->day);
    bool has_hours = r->weekday[wd].nsessions > 0;
    date_text(e->day, a);
    if (e->kind == ENG_DAY_SWAP && !has_hours && r->has_hours) {
      snprintf(hint, sizeof hint,
               "a swap day is a working day given off; %s is a %s, which has no office hours anyway",
               a, weekday_names[wd]);
      REPORT(r, &e->where, hint, "%s cannot be a swap day", a);
    }
    if (e->kind == ENG_DAY_MAKEUP) {
      if (has_hours) {
        snprintf(hint, sizeof hint, "%s is a %s, already a working day; a make-up day is a day without office hours",
                 a, weekday_names[wd]);
        REPORT(r, &e->where, hint, "%s cannot be a make-up day", a);
      }
      const day_entry *sw = find_entry(r, e->for_day);
      date_text(e->for_day, b);
      int fy, fm, fd;
      mc_civil_from_days(e->for_day, &fy, &fm, &fd);
      bool year_read = false;
      for (int k = 0; k < r->nyears; k++)
        year_read |= r->years[k].year == fy;
      if (year_read && (sw == NULL || sw->kind != ENG_DAY_SWAP)) {
        snprintf(hint, sizeof hint, "add the line: %02d/%02d swap \"...\" in the year %d, or correct the date",
                 fd, fm, fy);
        REPORT(r, &e->for_where, hint, "%s is not listed as a swap day", b);
      }
    }
    if (e->kind == ENG_DAY_SWAP) {
      int makeups = 0;
      const day_entry *second = NULL;
      for (int k = 0; k < r->nentries; k++)
        if (r->entries[k].kind == ENG_DAY_MAKEUP && r->entries[k].for_day == e->day) {
          if (++makeups == 2)
            second = &r->entries[k];
        }
      if (makeups == 0) {
        snprintf(hint, sizeof hint,
                 "add the day worked in exchange: DD/MM makeup for %.5s \"Làm bù cho ngày %.5s\"; "
                 "if %s is a day off in place of a holiday that fell on a weekend, write it as a holiday",
                 a, a, a);
        REPORT(r, &e->where, hint, "the swap day %s is never made up", a);
      } else if (second) {
        REPORT(r, &second->where, "a swap day is paid back once; remove one of the make-up days",
               "%s already has a make-up day", a);
      }
    }
  }
  if (r->sink->errors > 0 || r->oom)
    return r->oom ? MC_ENOMEM : MC_EPARSE;

  /* ----- tables */
  cal->id = r->id;
  cal->title = r->title ? r->title : r->id;
  cal->zone = r->zone;
  cal->offset_min = r->offset_min;
  memcpy(cal->weekday, r->weekday, sizeof cal->weekday);
  cal->nfiles = nsources;
  cal->files = mc_arena_calloc(&cal->arena, (size_t)nsources, sizeof *cal->files);
  if (cal->files == NULL)
    return MC_ENOMEM;
  for (int i = 0; i < nsources; i++)
    if ((cal->files[i] = mc_arena_strdup(&cal->arena, sources[i].name)) == NULL)
      return MC_ENOMEM;
  if (r->nyears == 0)
    return 0; /* no year described: every computation says which year to add */

  cal->first_year = INT_MAX, cal->last_year = INT_MIN;
  for (int i = 0; i < r->nyears; i++) {
    if (r->years[i].year < cal->first_year)
      cal->first_year = r->years[i].year;
    if (r->years[i].year > cal->last_year)
      cal->last_year = r->years[i].year;
  }
  int nyears = cal->last_year - cal->first_year + 1;
  cal->years = mc_arena_calloc(&cal->arena, (size_t)nyears, sizeof *cal->years);
  cal->first_day = mc_days_from_civil(cal->first_year, 1, 1);
  cal->ndays = mc_days_from_civil(cal->last_year + 1, 1, 1) - cal->first_day;
  cal->days = mc_arena_calloc(&cal->arena, (size_t)cal->ndays, sizeof *cal->days);
  cal->notes = mc_arena_calloc(&cal->arena, (size_t)r->nentries + 1, sizeof *cal->notes);
  if (cal->years == NULL || cal->days == NULL || cal->notes == NULL)
    return MC_ENOMEM;
  cal->nnotes = 1;

  for (int64_t i = 0; i < cal->ndays; i++) {
    cal->days[i].kind = CAL_DAY_UNKNOWN;
    cal->days[i].hours_of = -1;
    cal->days[i].paired = INT32_MIN;
  }
  for (int i = 0; i < r->nyears; i++) {
    const year_block *yb = &r->years[i];
    cal_year_src *ys = &cal->years[yb->year - cal->first_year];
    ys->file = mc_arena_strdup(&cal->arena, yb->where.src->name);
    ys->line = line_of(&yb->where);
    int64_t d0 = mc_days_from_civil(yb->year, 1, 1), d1 = mc_days_from_civil(yb->year + 1, 1, 1);
    for (int64_t d = d0; d < d1; d++) {
      cal_day *cd = &cal->days[d - cal->first_day];
      int wd = mc_weekday(d);
      bool open = cal->weekday[wd].nsessions > 0;
      cd->kind = open ? ENG_DAY_WORKING : ENG_DAY_WEEKEND;
      cd->hours_of = (int8_t)(open ? wd : -1);
    }
  }
  for (int i = 0; i < r->nentries; i++) {
    const day_entry *e = &r->entries[i];
    cal_day *cd = &cal->days[e->day - cal->first_day];
    cd->kind = (uint8_t)e->kind;
    cd->note = add_note(cal, e->note);
    if (cal->notes[cd->note] == NULL)
      cal->notes[cd->note] = e->note;
    if (e->kind == ENG_DAY_MAKEUP) {
      /* A make-up day works the hours of the weekday it pays back. */
      cd->hours_of = (int8_t)mc_weekday(e->for_day);
      cd->paired = (int32_t)e->for_day;
      int64_t sw = e->for_day - cal->first_day;
      if (sw >= 0 && sw < cal->ndays)
        cal->days[sw].paired = (int32_t)e->day;
    } else {
      cd->hours_of = -1;
    }
  }
  return 0;
}

int eng_calendar_parse(const mc_source *sources, int nsources, mc_diag_sink *sink,
                       eng_calendar **out) {
  eng_calendar *cal;
  reading r = {0};
  int errors_before = sink->errors, rc;

  *out = NULL;
  cal = calloc(1, sizeof *cal);
  if (cal == NULL)
    return MC_ENOMEM;
  r.arena = &cal->arena;
  r.sink = sink;
  /* Count only this parse's errors. */
  mc_diag_sink counting = *sink;
  counting.errors = 0;
  counting.warnings = 0;
  r.sink = &counting;

  if (nsources <= 0) {
    mc_diag_at(sink, MC_DIAG_ERROR, NULL, 0, 0, "name at least one calendar file",
               "no calendar file was given");
    free(cal);
    return MC_EPARSE;
  }
  for (int i = 0; i < nsources; i++)
    parse_file(&r, &sources[i]);
  rc = build(&r, sources, nsources, cal);

  sink->errors = errors_before + counting.errors;
  sink->warnings += counting.warnings;
  free(r.entries);
  free(r.years);
  if (rc != 0) {
    eng_calendar_free(cal);
    return rc;
  }
  *out = cal;
  return 0;
}

void eng_calendar_free(eng_calendar *cal) {
  if (cal == NULL)
    return;
  mc_arena_free(&cal->arena);
  free(cal);
}
