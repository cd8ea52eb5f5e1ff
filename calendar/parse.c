/* parse.c — reads the calendar files agencies edit (statements from lex.c),
 * and hands what it read to build.c.
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
#include "calendar/read.h"

#include "base/error.h"
#include "base/text.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  const char *id = cal__string_value(r->arena, p, &s->tok[1]);
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
      r->title = cal__string_value(r->arena, p, &s->tok[2]);
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
                         ? cal__string_value(r->arena, p, &s->tok[1])
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
  if (s->n == 2 && cal__tok_is(p, &s->tok[1], "closed")) {
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
    token t = cal__next(p);
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
    bool got = cal__read_stmt(p, &s);
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
      cal__next(p);
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
  if (cal__tok_is(p, kw, "holiday"))
    e.kind = ENG_DAY_HOLIDAY;
  else if (cal__tok_is(p, kw, "swap"))
    e.kind = ENG_DAY_SWAP;
  else if (cal__tok_is(p, kw, "makeup") || cal__tok_is(p, kw, "make-up"))
    e.kind = ENG_DAY_MAKEUP;
  else {
    static const char *const kinds[] = {"holiday", "swap", "makeup", NULL};
    const char *guess = cal__did_you_mean(p, kw, kinds);
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
    if (i + 1 >= s->n || !cal__tok_is(p, &s->tok[i], "for") || s->tok[i + 1].kind != TOK_WORD) {
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
  e.note = cal__string_value(r->arena, p, &s->tok[i]);
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
    if (!cal__read_stmt(&p, &s)) {
      if (s.end.kind == TOK_RBRACE) {
        ERR_AT(&p, &s.end, "remove it, or open the block it closes", "this \"}\" closes no block");
        cal__next(&p);
        continue;
      }
      break;
    }
    const token *kw = &s.tok[0];
    if (s.bad)
      r->unknown_statements++; /* already reported by the lexer */
    else if (s.too_long)
      ERR_AT(&p, kw, "split it into several lines", "this line is too long");
    else if (cal__tok_is(&p, kw, "calendar"))
      parse_calendar_stmt(r, &p, &s, &file_id);
    else if (cal__tok_is(&p, kw, "timezone"))
      parse_timezone_stmt(r, &p, &s);
    else if (cal__tok_is(&p, kw, "office-hours")) {
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
    } else if (cal__tok_is(&p, kw, "year"))
      parse_year_stmt(r, &p, &s);
    else {
      static const char *const statements[] = {"calendar", "timezone", "office-hours", "year", NULL};
      const char *guess = cal__did_you_mean(&p, kw, statements);
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
    cal__error(r->sink, src, 0, 0,
               "start the file with: calendar \"vn\" (the identifier of the calendar it belongs to)",
               "this file does not say which calendar it belongs to");
  }
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
    cal__error(sink, NULL, 0, 0, "name at least one calendar file",
               "no calendar file was given");
    free(cal);
    return MC_EPARSE;
  }
  for (int i = 0; i < nsources; i++)
    parse_file(&r, &sources[i]);
  rc = cal__build(&r, sources, nsources, cal);

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

