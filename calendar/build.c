/* build.c — checks what the calendar files said, across files (years once,
 * days once, make-up days paying back swaps), and builds the calendar's
 * tables. */
#include "calendar/read.h"

#include "base/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cal__build(reading *r, const mc_source *sources, int nsources, eng_calendar *cal) {
  char a[16], b[16], hint[512];
  const mc_source *first_src = nsources > 0 ? &sources[0] : NULL;

  if (r->zone == NULL && !r->zone_seen)
    cal__error(r->sink, first_src, 0, 0,
               "add a line: timezone \"Asia/Ho_Chi_Minh\"", "the calendar has no time zone");
  if (!r->has_hours) {
    if (r->unknown_statements == 0)
      cal__error(r->sink, first_src, 0, 0,
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


void eng_calendar_free(eng_calendar *cal) {
  if (cal == NULL)
    return;
  mc_arena_free(&cal->arena);
  free(cal);
}
