/* calendar.c — working-time computations over a parsed calendar.
 *
 * Everything here is arithmetic on the tables calendar_parse.c built: a day
 * table (kind, which weekday's sessions apply) for every day of the described
 * years, and the sessions of each weekday.  A computation walks days; limits
 * are a few dozen days, so a walk costs well under a microsecond (see
 * tools/bench/bench_calendar.c).  No clock, no I/O, no TZ: instants are
 * split into local days with the calendar's fixed offset.
 */
#include "calendar/calendar-int.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

/* ============================================================ accessors */

const char *eng_calendar_id(const eng_calendar *cal) { return cal->id; }
const char *eng_calendar_title(const eng_calendar *cal) { return cal->title; }
const char *eng_calendar_zone(const eng_calendar *cal) { return cal->zone; }
int eng_calendar_offset_min(const eng_calendar *cal) { return cal->offset_min; }

int eng_calendar_week_hours(const eng_calendar *cal, int weekday, int64_t *open_ms, int64_t *close_ms, int max) {
  if (weekday < 0 || weekday > 6)
    return 0;
  const cal_hours *h = &cal->weekday[weekday];
  int n = 0;
  for (; n < h->nsessions && n < max; n++) {
    open_ms[n] = h->sessions[n].open_ms;
    close_ms[n] = h->sessions[n].close_ms;
  }
  return n;
}

bool eng_calendar_has_year(const eng_calendar *cal, int year) {
  return cal->years && year >= cal->first_year && year <= cal->last_year &&
         cal->years[year - cal->first_year].file != NULL;
}

bool eng_calendar_years(const eng_calendar *cal, int *first, int *last) {
  if (cal->years == NULL)
    return false;
  *first = cal->first_year;
  *last = cal->last_year;
  return true;
}

const char *eng_day_kind_name(eng_day_kind kind) {
  switch (kind) {
  case ENG_DAY_WORKING: return "working day";
  case ENG_DAY_WEEKEND: return "weekend";
  case ENG_DAY_HOLIDAY: return "holiday";
  case ENG_DAY_SWAP: return "swap day";
  case ENG_DAY_MAKEUP: return "make-up day";
  }
  return "?";
}

int eng_calendar_describe_missing_year(const eng_calendar *cal, int year, mc_buf *out) {
  int rc = mc_buf_printf(out, "the calendar \"%s\" has no data for %d (read from", cal->id, year);
  for (int i = 0; i < cal->nfiles && rc == 0; i++)
    rc = mc_buf_printf(out, "%s %s", i ? "," : "", cal->files[i]);
  if (rc == 0 && cal->years) {
    rc = mc_buf_printf(out, "; it describes");
    for (int y = cal->first_year; y <= cal->last_year && rc == 0; y++)
      if (cal->years[y - cal->first_year].file)
        rc = mc_buf_printf(out, " %d (%s:%d)", y, cal->years[y - cal->first_year].file,
                           cal->years[y - cal->first_year].line);
  } else if (rc == 0) {
    rc = mc_buf_printf(out, "; it describes no year");
  }
  if (rc == 0)
    rc = mc_buf_printf(out,
                       ").\nhint: add a file with `calendar \"%s\"` and a `year %d { ... }` block "
                       "listing that year's holidays, swap days and make-up days as the government "
                       "announced them, and pass it with the others",
                       cal->id, year);
  return rc;
}

/* ============================================================ days */

static int missing(eng_calc *calc, int64_t day) {
  int y, m, d;
  mc_civil_from_days(day, &y, &m, &d);
  if (calc)
    calc->missing_year = y;
  return MC_ECALYEAR;
}

/* The table entry of a local day, or MC_ECALYEAR. */
static int day_get(const eng_calendar *cal, int64_t day, eng_calc *calc, const cal_day **out) {
  int64_t i = day - cal->first_day;
  if (cal->days == NULL || i < 0 || i >= cal->ndays || cal->days[i].kind == CAL_DAY_UNKNOWN)
    return missing(calc, day);
  *out = &cal->days[i];
  return 0;
}

static const cal_hours *hours_of(const eng_calendar *cal, const cal_day *cd) {
  return cd->hours_of >= 0 ? &cal->weekday[cd->hours_of] : NULL;
}

static void fill_info(const eng_calendar *cal, int64_t day, const cal_day *cd, eng_day_info *out) {
  const cal_hours *h = hours_of(cal, cd);
  out->day = day;
  out->kind = (eng_day_kind)cd->kind;
  out->weekday = mc_weekday(day);
  out->working = h != NULL;
  out->note = cd->note ? cal->notes[cd->note] : NULL;
  out->paired_day = cd->paired == INT32_MIN ? -1 : cd->paired;
  out->open_ms = h ? h->sessions[0].open_ms : 0;
  out->close_ms = h ? h->sessions[h->nsessions - 1].close_ms : 0;
}

int eng_calendar_day(const eng_calendar *cal, int64_t day, eng_day_info *out) {
  const cal_day *cd;
  int rc = day_get(cal, day, NULL, &cd);
  if (rc == 0)
    fill_info(cal, day, cd, out);
  return rc;
}

/* ============================================================ explanations */

static void explain(eng_calc *calc, const eng_calendar *cal, eng_explain_kind kind, int64_t day,
                    const cal_day *cd, mc_instant at, int64_t count, int64_t total,
                    const char *reason) {
  eng_day_info info;
  eng_explain_step step = {kind, NULL, at, count, total, reason};
  if (calc == NULL || calc->explain == NULL)
    return;
  if (cd) {
    fill_info(cal, day, cd, &info);
    step.day = &info;
  }
  calc->explain(calc->explain_opaque, &step);
}

#define EXPLAINING(calc) ((calc) && (calc)->explain)

/* ============================================================ instants */

/* Longest walk in days before giving up: a described stretch of this many
 * days with no office hours is data gone wrong, not a deadline. */
#define MAX_WALK_DAYS (366 * 30)

/* The first instant at or after `t` that lies inside a session (t itself
 * when it does).  Sets *is_t when that is t. */
static int working_start(const eng_calendar *cal, mc_instant t, eng_calc *calc, mc_instant *out) {
  int64_t day, msd;
  mc_instant_split(t, cal->offset_min, &day, &msd);
  for (int64_t walked = 0; walked < MAX_WALK_DAYS; walked++, day++, msd = 0) {
    const cal_day *cd;
    int rc = day_get(cal, day, calc, &cd);
    if (rc != 0)
      return rc;
    const cal_hours *h = hours_of(cal, cd);
    for (int i = 0; h && i < h->nsessions; i++) {
      if (msd < h->sessions[i].close_ms) {
        int64_t at = msd > h->sessions[i].open_ms ? msd : h->sessions[i].open_ms;
        *out = mc_instant_join(day, at, cal->offset_min);
        return 0;
      }
    }
  }
  return MC_ERANGE;
}

int eng_calendar_next_opening(const eng_calendar *cal, mc_instant t, eng_calc *calc,
                              mc_instant *out) {
  int64_t day, msd;
  mc_instant_split(t, cal->offset_min, &day, &msd);
  for (int64_t walked = 0; walked < MAX_WALK_DAYS; walked++, day++, msd = 0) {
    const cal_day *cd;
    int rc = day_get(cal, day, calc, &cd);
    if (rc != 0)
      return rc;
    const cal_hours *h = hours_of(cal, cd);
    for (int i = 0; h && i < h->nsessions; i++) {
      if (h->sessions[i].open_ms >= msd) {
        *out = mc_instant_join(day, h->sessions[i].open_ms, cal->offset_min);
        return 0;
      }
    }
  }
  return MC_ERANGE;
}

int eng_calendar_is_working_time(const eng_calendar *cal, mc_instant t, eng_calc *calc,
                                 bool *out) {
  int64_t day, msd;
  const cal_day *cd;
  mc_instant_split(t, cal->offset_min, &day, &msd);
  int rc = day_get(cal, day, calc, &cd);
  if (rc != 0)
    return rc;
  const cal_hours *h = hours_of(cal, cd);
  *out = false;
  for (int i = 0; h && i < h->nsessions; i++)
    if (msd >= h->sessions[i].open_ms && msd < h->sessions[i].close_ms)
      *out = true;
  return 0;
}

/* The next working day after `day`, explaining the days passed over. */
static int next_working_day(const eng_calendar *cal, int64_t day, eng_calc *calc, int64_t *out,
                            const cal_day **out_cd) {
  for (int64_t walked = 0; walked < MAX_WALK_DAYS; walked++) {
    const cal_day *cd;
    int rc = day_get(cal, ++day, calc, &cd);
    if (rc != 0)
      return rc;
    if (cd->hours_of >= 0) {
      *out = day;
      *out_cd = cd;
      return 0;
    }
    explain(calc, cal, ENG_EXPLAIN_SKIPPED, day, cd, 0, 0, 0, NULL);
  }
  return MC_ERANGE;
}

/* Where counting starts: the instant, or the next opening when it is outside
 * office hours, or the next working day's opening when it is at or past the
 * cut-off.  Gives the start instant and its day. */
static int reception(const eng_calendar *cal, mc_instant from, eng_calc *calc, mc_instant *start,
                     int64_t *start_day) {
  int64_t day, msd;
  const cal_day *cd;
  int rc;

  if (EXPLAINING(calc)) {
    mc_instant_split(from, cal->offset_min, &day, &msd);
    if ((rc = day_get(cal, day, calc, &cd)) != 0)
      return rc;
    explain(calc, cal, ENG_EXPLAIN_RECEIVED, day, cd, from, 0, 0, NULL);
  }
  if ((rc = working_start(cal, from, calc, start)) != 0)
    return rc;
  mc_instant_split(*start, cal->offset_min, &day, &msd);
  if ((rc = day_get(cal, day, calc, &cd)) != 0)
    return rc;
  if (*start != from && EXPLAINING(calc)) {
    /* Say why each day between the reception and the opening was passed over. */
    int64_t from_day, from_msd;
    const cal_day *skipped;
    mc_instant_split(from, cal->offset_min, &from_day, &from_msd);
    for (int64_t d = from_day + 1; d < day; d++)
      if (day_get(cal, d, calc, &skipped) == 0)
        explain(calc, cal, ENG_EXPLAIN_SKIPPED, d, skipped, 0, 0, 0, NULL);
    explain(calc, cal, ENG_EXPLAIN_MOVED, day, cd, *start, 0, 0,
            "outside office hours: counted from the next opening");
  }
  /* "Received after 15:00" (NĐ118 Art. 18): 15:00 itself is the same day. */
  if (calc && calc->cutoff_min >= 0 && msd > (int64_t)calc->cutoff_min * MC_MS_PER_MINUTE) {
    if ((rc = next_working_day(cal, day, calc, &day, &cd)) != 0)
      return rc;
    *start = mc_instant_join(day, hours_of(cal, cd)->sessions[0].open_ms, cal->offset_min);
    explain(calc, cal, ENG_EXPLAIN_MOVED, day, cd, *start, 0, 0,
            "after the cut-off: counted as received on the next working day");
  }
  *start_day = day;
  return 0;
}

static mc_instant close_of(const eng_calendar *cal, int64_t day, const cal_day *cd) {
  const cal_hours *h = hours_of(cal, cd);
  return mc_instant_join(day, h->sessions[h->nsessions - 1].close_ms, cal->offset_min);
}

/* ============================================================ limits */

/* The day of reception of a day-based limit of `n` days, explained. */
static int day_of_reception(const eng_calendar *cal, mc_instant from, int64_t n, eng_calc *calc,
                            int64_t *day, const cal_day **cd) {
  mc_instant start;
  int rc;
  if (n < 0 || n > ENG_DURATION_MAX)
    return MC_ERANGE;
  if ((rc = reception(cal, from, calc, &start, day)) != 0)
    return rc;
  if ((rc = day_get(cal, *day, calc, cd)) != 0)
    return rc;
  explain(calc, cal, ENG_EXPLAIN_RECEPTION, *day, *cd, start, 0, 0, NULL);
  return 0;
}

int eng_calendar_add_working_days(const eng_calendar *cal, mc_instant from, int64_t n,
                                  eng_calc *calc, mc_instant *due) {
  int64_t day;
  const cal_day *cd;
  int rc;

  if ((rc = day_of_reception(cal, from, n, calc, &day, &cd)) != 0)
    return rc;
  for (int64_t counted = 0; counted < n;) {
    if ((rc = next_working_day(cal, day, calc, &day, &cd)) != 0)
      return rc;
    counted++;
    explain(calc, cal, ENG_EXPLAIN_COUNTED, day, cd, 0, counted, counted, NULL);
  }
  *due = close_of(cal, day, cd);
  explain(calc, cal, ENG_EXPLAIN_DUE, day, cd, *due, 0, n, NULL);
  return 0;
}

int eng_calendar_add_calendar_days(const eng_calendar *cal, mc_instant from, int64_t n,
                                   eng_calc *calc, mc_instant *due) {
  int64_t day;
  const cal_day *cd;
  int rc;

  if ((rc = day_of_reception(cal, from, n, calc, &day, &cd)) != 0)
    return rc;
  day += n;
  if ((rc = day_get(cal, day, calc, &cd)) != 0)
    return rc;
  if (n > 0)
    explain(calc, cal, ENG_EXPLAIN_COUNTED, day, cd, 0, n, n, NULL);
  if (cd->hours_of < 0) {
    /* The limit ends on a day off: the close of the next working day. */
    explain(calc, cal, ENG_EXPLAIN_SKIPPED, day, cd, 0, 0, 0, NULL);
    if ((rc = next_working_day(cal, day, calc, &day, &cd)) != 0)
      return rc;
  }
  *due = close_of(cal, day, cd);
  explain(calc, cal, ENG_EXPLAIN_DUE, day, cd, *due, 0, n, NULL);
  return 0;
}

int eng_calendar_add_working_time(const eng_calendar *cal, mc_instant from, int64_t ms,
                                  eng_calc *calc, mc_instant *due) {
  mc_instant start;
  int64_t day, msd, counted = 0;
  int rc;

  if (ms < 0 || ms > ENG_DURATION_MAX * MC_MS_PER_HOUR)
    return MC_ERANGE;
  if ((rc = reception(cal, from, calc, &start, &day)) != 0)
    return rc;
  mc_instant_split(start, cal->offset_min, &day, &msd);
  for (int64_t walked = 0; walked < MAX_WALK_DAYS; walked++, day++, msd = 0) {
    const cal_day *cd;
    int64_t today = 0;
    if ((rc = day_get(cal, day, calc, &cd)) != 0)
      return rc;
    const cal_hours *h = hours_of(cal, cd);
    if (h == NULL) {
      explain(calc, cal, ENG_EXPLAIN_SKIPPED, day, cd, 0, 0, 0, NULL);
      continue;
    }
    for (int i = 0; i < h->nsessions; i++) {
      const cal_session *s = &h->sessions[i];
      if (msd >= s->close_ms)
        continue;
      int64_t begin = msd > s->open_ms ? msd : s->open_ms;
      int64_t avail = s->close_ms - begin;
      if (ms - counted <= avail) {
        int64_t end = begin + (ms - counted);
        today += ms - counted;
        counted = ms;
        *due = mc_instant_join(day, end, cal->offset_min);
        if (today > 0)
          explain(calc, cal, ENG_EXPLAIN_COUNTED, day, cd, 0, today, counted, NULL);
        explain(calc, cal, ENG_EXPLAIN_DUE, day, cd, *due, 0, ms, NULL);
        return 0;
      }
      counted += avail;
      today += avail;
    }
    explain(calc, cal, ENG_EXPLAIN_COUNTED, day, cd, 0, today, counted, NULL);
  }
  return MC_ERANGE;
}

int eng_calendar_add(const eng_calendar *cal, mc_instant from, eng_duration d, eng_calc *calc,
                     mc_instant *due) {
  switch (d.unit) {
  case ENG_UNIT_WORKING_DAYS:
    return eng_calendar_add_working_days(cal, from, d.amount, calc, due);
  case ENG_UNIT_CALENDAR_DAYS:
    return eng_calendar_add_calendar_days(cal, from, d.amount, calc, due);
  case ENG_UNIT_WORKING_HOURS:
    if (d.amount < 0 || d.amount > ENG_DURATION_MAX)
      return MC_ERANGE;
    return eng_calendar_add_working_time(cal, from, d.amount * MC_MS_PER_HOUR, calc, due);
  case ENG_UNIT_HOURS:
    if (d.amount < 0 || d.amount > ENG_DURATION_MAX)
      return MC_ERANGE;
    *due = from + d.amount * MC_MS_PER_HOUR;
    explain(calc, cal, ENG_EXPLAIN_DUE, 0, NULL, *due, 0, d.amount, NULL);
    return 0;
  }
  return MC_EINVAL;
}

int eng_calendar_working_time_between(const eng_calendar *cal, mc_instant a, mc_instant b,
                                      eng_calc *calc, int64_t *ms) {
  int64_t day_a, msd_a, day_b, msd_b, total = 0;
  int sign = 1;

  if (b < a) {
    mc_instant t = a;
    a = b, b = t, sign = -1;
  }
  mc_instant_split(a, cal->offset_min, &day_a, &msd_a);
  mc_instant_split(b, cal->offset_min, &day_b, &msd_b);
  for (int64_t day = day_a; day <= day_b; day++) {
    const cal_day *cd;
    int rc = day_get(cal, day, calc, &cd);
    if (rc != 0)
      return rc;
    const cal_hours *h = hours_of(cal, cd);
    int64_t lo = day == day_a ? msd_a : 0, hi = day == day_b ? msd_b : MC_MS_PER_DAY;
    for (int i = 0; h && i < h->nsessions; i++) {
      int64_t s = h->sessions[i].open_ms > lo ? h->sessions[i].open_ms : lo;
      int64_t e = h->sessions[i].close_ms < hi ? h->sessions[i].close_ms : hi;
      if (e > s)
        total += e - s;
    }
  }
  *ms = sign * total;
  return 0;
}

/* ============================================================ durations */

/* Unit words, English and Vietnamese (with and without diacritics). */
static const struct {
  const char *words;
  eng_time_unit unit;
} unit_words[] = {
    {"working day", ENG_UNIT_WORKING_DAYS},    {"working days", ENG_UNIT_WORKING_DAYS},
    {"ngày làm việc", ENG_UNIT_WORKING_DAYS},  {"ngay lam viec", ENG_UNIT_WORKING_DAYS},
    {"working hour", ENG_UNIT_WORKING_HOURS},  {"working hours", ENG_UNIT_WORKING_HOURS},
    {"giờ làm việc", ENG_UNIT_WORKING_HOURS},  {"gio lam viec", ENG_UNIT_WORKING_HOURS},
    {"day", ENG_UNIT_CALENDAR_DAYS},           {"days", ENG_UNIT_CALENDAR_DAYS},
    {"calendar day", ENG_UNIT_CALENDAR_DAYS},  {"calendar days", ENG_UNIT_CALENDAR_DAYS},
    {"ngày", ENG_UNIT_CALENDAR_DAYS},          {"ngay", ENG_UNIT_CALENDAR_DAYS},
    {"ngày lịch", ENG_UNIT_CALENDAR_DAYS},     {"ngay lich", ENG_UNIT_CALENDAR_DAYS},
    {"hour", ENG_UNIT_HOURS},                  {"hours", ENG_UNIT_HOURS},
    {"giờ", ENG_UNIT_HOURS},                   {"gio", ENG_UNIT_HOURS},
};

int eng_duration_parse(const char *text, eng_duration *out) {
  const char *p = text;
  int64_t n = 0;
  char unit[64];
  size_t len = 0;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p < '0' || *p > '9')
    return MC_EPARSE;
  while (*p >= '0' && *p <= '9') {
    n = n * 10 + (*p++ - '0');
    if (n > ENG_DURATION_MAX)
      return MC_ERANGE;
  }
  /* Collapse runs of spaces and lower-case ASCII so "3  Working Days" reads. */
  while (*p) {
    if (*p == ' ' || *p == '\t') {
      if (len > 0 && unit[len - 1] != ' ' && len < sizeof unit - 1)
        unit[len++] = ' ';
      p++;
      continue;
    }
    if (len >= sizeof unit - 1)
      return MC_EPARSE;
    unit[len++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
    p++;
  }
  while (len > 0 && unit[len - 1] == ' ')
    len--;
  unit[len] = '\0';
  for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++) {
    if (strcmp(unit, unit_words[i].words) == 0) {
      out->unit = unit_words[i].unit;
      out->amount = n;
      return 0;
    }
  }
  return MC_EPARSE;
}

int eng_duration_format(eng_duration d, mc_buf *out) {
  const char *unit = d.unit == ENG_UNIT_WORKING_DAYS    ? "working day"
                     : d.unit == ENG_UNIT_WORKING_HOURS ? "working hour"
                     : d.unit == ENG_UNIT_HOURS         ? "hour"
                                                        : "calendar day";
  return mc_buf_printf(out, "%lld %s%s", (long long)d.amount, unit, d.amount == 1 ? "" : "s");
}
