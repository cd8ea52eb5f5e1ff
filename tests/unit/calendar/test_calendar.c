/* test_calendar.c — calendar/calendar.c over the bundled Vietnamese calendar
 * (workflows/calendars/vn.cal, vn-2025.cal, vn-2026.cal, vn-2027.cal): table tests of
 * deadlines in working days, working hours and calendar days across 2026,
 * 2027 and the 2025/2026 and 2026/2027 year boundaries, plus
 * working_time_between, next_opening,
 * is_working_time, day kinds and MC_ECALYEAR for years the data lacks.
 *
 * Every expectation was worked out by hand from DOMAIN.md "Working time",
 * the rules in calendar/calendar.h and the calendar files, NOT by running the
 * code; the reasoning is in the comment above each case.  The rules:
 *   - sessions Mon-Fri 07:30-11:30 and 13:00-17:00 (+07:00); a make-up
 *     Saturday has the weekday sessions; holidays and swap days have none;
 *   - an instant outside office hours is taken as the next opening, and the
 *     day of that opening is the (uncounted) day of reception;
 *   - received at or after the cut-off (here 15:00 = 900 min): received on
 *     the next working day;
 *   - N working days: close (17:00) of the N-th working day after the day of
 *     reception (N = 0: close of the day of reception);
 *   - N calendar days: reception day + N, moved to the next working day when
 *     off, close of that day;
 *   - hours: working time counted inside sessions; ending exactly at a close
 *     gives that close, not the next opening.
 *
 * 2026 days off: Thu 1 Jan (holiday), Fri 2 Jan (swap, made up Sat 10 Jan);
 * Tết Mon 16 - Fri 20 Feb (off Sat 14 - Sun 22); Sun 26 Apr Hùng Kings with
 * Mon 27 Apr substitute; Thu 30 Apr, Fri 1 May; Mon 31 Aug (swap, made up Sat
 * 22 Aug), Tue 1 and Wed 2 Sep.
 *
 * 2027 days off (the statutory days, pending the Government's notice): Fri
 * 1 Jan; Tết Fri 5 - Tue 9 Feb (mùng 1 = Sat 6) with Wed 10 and Thu 11 as
 * substitutes for Sat 6 and Sun 7 (off Fri 5 - Sun 14 but for Fri 12); Fri
 * 16 Apr Hùng Kings; Fri 30 Apr, Sat 1 May with Mon 3 May as its substitute;
 * Thu 2 and Fri 3 Sep.  No swap or make-up days.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/error.h"
#include "base/file.h"
#include "base/instant.h"
#include "calendar/calendar.h"

#define TZ 420        /* Asia/Ho_Chi_Minh, minutes east of UTC */
#define CUT 900       /* the 15:00 cut-off of NĐ118 Art. 18 */
#define NOCUT ENG_NO_CUTOFF
#define MIN(m) ((int64_t)(m) * MC_MS_PER_MINUTE)

/* ------------------------------------------------------------ fixture */

static int load_calendar(void **state) {
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  eng_calendar *cal = NULL;
  if (eng_calendar_load_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &cal) != 0)
    return -1;
  *state = cal;
  return 0;
}

static int free_calendar(void **state) {
  eng_calendar_free(*state);
  *state = NULL;
  return 0;
}

static mc_instant at(const char *iso) {
  mc_instant t = 0;
  int rc = mc_instant_parse(iso, TZ, &t);
  if (rc != 0) fail_msg("bad instant in the table: %s", iso);
  return t;
}

/* ------------------------------------------------------- due-date tables */

typedef struct due_case {
  const char *from;      /* local time, +07:00 */
  const char *duration;  /* for eng_duration_parse */
  int cutoff;            /* minutes after midnight, or NOCUT */
  const char *expect;    /* mc_instant_format(…, 420) */
  const char *reason;
} due_case;

/* Runs a table through eng_calendar_add; reports every mismatch, then fails. */
static void run_due(const eng_calendar *cal, const due_case *cases, size_t n) {
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    const due_case *c = &cases[i];
    eng_duration d;
    int rc = eng_duration_parse(c->duration, &d);
    if (rc != 0) {
      print_error("case %zu (%s + %s): duration does not parse: %s\n", i, c->from, c->duration,
                  mc_err_name(rc));
      bad++;
      continue;
    }
    eng_calc calc = ENG_CALC_INIT;
    calc.cutoff_min = c->cutoff;
    mc_instant due = 0;
    rc = eng_calendar_add(cal, at(c->from), d, &calc, &due);
    char got[MC_INSTANT_STRLEN];
    if (rc != 0) {
      snprintf(got, sizeof got, "%s", mc_err_name(rc));
    } else {
      mc_instant_format(due, TZ, got);
    }
    if (strcmp(got, c->expect) != 0) {
      print_error("case %zu: %s + %s (cut-off %d)\n  expected %s\n  got      %s\n  why: %s\n", i,
                  c->from, c->duration, c->cutoff, c->expect, got, c->reason);
      bad++;
    }
  }
  if (bad) fail_msg("%d of %zu cases disagree", bad, n);
}

#define RUN_DUE(state, table) run_due(*(state), (table), sizeof(table) / sizeof((table)[0]))

/* ====================================================== worked examples */
/* DOMAIN.md "Working time", verbatim: received 09:00, N working days. */

static const due_case worked_examples[] = {
    {"2026-02-10T09:00", "4 working days", CUT, "2026-02-23T17:00:00+07:00",
     "Tue 10 reception; Wed 11, Thu 12, Fri 13 = 3; Sat 14 - Sun 22 off (Tết); Mon 23 = 4"},
    {"2026-01-09T09:00", "1 working day", CUT, "2026-01-10T17:00:00+07:00",
     "Fri 9 reception; Sat 10 Jan is the make-up day for Fri 2 Jan = 1"},
    {"2026-04-29T09:00", "1 working day", CUT, "2026-05-04T17:00:00+07:00",
     "Wed 29 reception; Thu 30 Apr, Fri 1 May holidays, Sat 2, Sun 3 weekend; Mon 4 = 1"},
    {"2026-01-30T09:00", "5 working days", CUT, "2026-02-06T17:00:00+07:00",
     "Fri 30 reception; Sat 31, Sun 1 off; Mon 2 .. Fri 6 Feb = 5"},
    {"2026-02-14T09:00", "1 working day", CUT, "2026-02-24T17:00:00+07:00",
     "Sat 14 (Tết break) -> next opening Mon 23 07:30, reception day Mon 23; Tue 24 = 1"},
};

static void worked_examples_of_domain(void **state) { RUN_DUE(state, worked_examples); }

/* ================================================================ Tết */

static const due_case tet_cases[] = {
    /* Fri 13 is the last working day before Tết; Sat 14 .. Sun 22 off; Mon 23 = 1. */
    {"2026-02-13T09:00", "1 working day", CUT, "2026-02-23T17:00:00+07:00",
     "Fri 13 reception; Sat 14 - Sun 22 off (weekend + Tết 16-20); Mon 23 = 1"},
    /* Thu 12: Fri 13 = 1, then the 9-day break, Mon 23 = 2, Tue 24 = 3. */
    {"2026-02-12T09:00", "3 working days", CUT, "2026-02-24T17:00:00+07:00",
     "Thu 12 reception; Fri 13 = 1; Tết break skipped; Mon 23 = 2, Tue 24 = 3"},
    /* At 15:30 on Fri 13, past the cut-off: received on the next working day Mon 23. */
    {"2026-02-13T15:30", "1 working day", CUT, "2026-02-24T17:00:00+07:00",
     "Fri 13 15:30 >= 15:00 -> received Mon 23 (first working day after Tết); Tue 24 = 1"},
    /* On a Tết holiday, same-day procedure: next opening Mon 23, due its close. */
    {"2026-02-16T10:00", "0 working days", CUT, "2026-02-23T17:00:00+07:00",
     "Mon 16 is Tết -> next opening Mon 23 07:30 is reception; N=0 -> Mon 23 close"},
    /* Holiday afternoon past 15:00: still only one move, to Mon 23 (not Tue 24). */
    {"2026-02-16T15:30", "0 working days", CUT, "2026-02-23T17:00:00+07:00",
     "Mon 16 (Tết) 15:30: outside hours and past cut-off both mean reception Mon 23; N=0"},
    /* Weekend inside the break, past the cut-off: not moved twice. */
    {"2026-02-14T16:00", "1 working day", CUT, "2026-02-24T17:00:00+07:00",
     "Sat 14 16:00 -> reception Mon 23 (one move, not two); Tue 24 = 1"},
    /* 10 working days from Tue 10: Wed 11..Fri 13 = 3, Mon 23..Fri 27 = 8, Mon 2, Tue 3 Mar. */
    {"2026-02-10T09:00", "10 working days", CUT, "2026-03-03T17:00:00+07:00",
     "Tue 10 reception; 11,12,13 = 3; Tết; 23-27 Feb = 8; Mon 2 Mar = 9, Tue 3 Mar = 10"},
};

static void tet_2026(void **state) { RUN_DUE(state, tet_cases); }

/* ===================================== swap days and make-up Saturdays */

static const due_case swap_cases[] = {
    /* Fri 2 Jan is a swap day (no hours): next opening Mon 5 is reception. */
    {"2026-01-02T10:00", "1 working day", CUT, "2026-01-06T17:00:00+07:00",
     "Fri 2 Jan swap day -> Sat 3, Sun 4 off -> reception Mon 5; Tue 6 = 1"},
    /* Thu 8: Fri 9 = 1, Sat 10 (make-up) = 2, Sun 11 off, Mon 12 = 3. */
    {"2026-01-08T09:00", "3 working days", CUT, "2026-01-12T17:00:00+07:00",
     "Thu 8 reception; Fri 9 = 1, Sat 10 make-up = 2, Sun 11 off, Mon 12 = 3"},
    /* Friday past the cut-off before a make-up Saturday: the next working day is Sat 10. */
    {"2026-01-09T15:01", "1 working day", CUT, "2026-01-12T17:00:00+07:00",
     "Fri 9 15:01 (after the cut-off) -> received Sat 10 (make-up, a working day); Sun off; Mon 12 = 1"},
    /* Received on the make-up Saturday itself, in the morning session. */
    {"2026-01-10T09:00", "1 working day", CUT, "2026-01-12T17:00:00+07:00",
     "Sat 10 make-up day has hours: reception Sat 10; Sun 11 off; Mon 12 = 1"},
    /* Lunch on the make-up Saturday: next opening 13:00 same day; same-day procedure. */
    {"2026-01-10T12:00", "0 working days", CUT, "2026-01-10T17:00:00+07:00",
     "Sat 10 12:00 (lunch) -> 13:00 Sat 10 is reception; N=0 -> Sat 10 17:00"},
    /* An ordinary Saturday has no hours. */
    {"2026-01-17T09:00", "1 working day", CUT, "2026-01-20T17:00:00+07:00",
     "Sat 17 Jan ordinary weekend -> reception Mon 19; Tue 20 = 1"},
    /* Fri 21 Aug + 1: Sat 22 Aug is the make-up day for Mon 31 Aug. */
    {"2026-08-21T09:00", "1 working day", CUT, "2026-08-22T17:00:00+07:00",
     "Fri 21 Aug reception; Sat 22 Aug make-up (for Mon 31 Aug) = 1"},
    /* Make-up Saturday past the cut-off: next working day is Mon 24. */
    {"2026-08-22T15:30", "1 working day", CUT, "2026-08-25T17:00:00+07:00",
     "Sat 22 Aug 15:30 >= cut-off -> received Mon 24 (Sun 23 off); Tue 25 = 1"},
};

static void swap_and_makeup_days(void **state) { RUN_DUE(state, swap_cases); }

/* ====================================== Hùng Kings, 30 Apr and 1 May */

static const due_case april_may_cases[] = {
    /* Fri 24: Sat 25, Sun 26 (Hùng Kings on a Sunday), Mon 27 (substitute) off. */
    {"2026-04-24T09:00", "1 working day", CUT, "2026-04-28T17:00:00+07:00",
     "Fri 24 reception; Sat 25, Sun 26 (holiday), Mon 27 (substitute) off; Tue 28 = 1"},
    /* Received on the Sunday holiday: next opening Tue 28 (Mon 27 is off). */
    {"2026-04-26T10:00", "1 working day", CUT, "2026-04-29T17:00:00+07:00",
     "Sun 26 Apr -> Mon 27 substitute off -> reception Tue 28; Wed 29 = 1"},
    /* Fri 24 + 3: Tue 28 = 1, Wed 29 = 2, then 30 Apr/1 May and weekend, Mon 4 = 3. */
    {"2026-04-24T09:00", "3 working days", CUT, "2026-05-04T17:00:00+07:00",
     "Fri 24; Tue 28 = 1, Wed 29 = 2; Thu 30, Fri 1 May, Sat 2, Sun 3 off; Mon 4 = 3"},
    /* Same-day procedure on the day before the holiday, past the cut-off. */
    {"2026-04-29T16:00", "0 working days", CUT, "2026-05-04T17:00:00+07:00",
     "Wed 29 16:00 >= cut-off -> received next working day Mon 4 May; N=0 -> its close"},
    /* Received on 30 Apr: next opening Mon 4 May is reception. */
    {"2026-04-30T09:00", "2 working days", CUT, "2026-05-06T17:00:00+07:00",
     "Thu 30 Apr holiday -> reception Mon 4 May; Tue 5 = 1, Wed 6 = 2"},
    /* Same-day, on the substitute day itself. */
    {"2026-04-27T08:00", "0 working days", NOCUT, "2026-04-28T17:00:00+07:00",
     "Mon 27 Apr (substitute holiday) -> next opening Tue 28 is reception; N=0"},
};

static void hung_kings_and_may_day(void **state) { RUN_DUE(state, april_may_cases); }

/* ======================================= 31 Aug swap, National Day */

static const due_case september_cases[] = {
    /* Fri 28 Aug: Sat 29, Sun 30, Mon 31 (swap), Tue 1, Wed 2 Sep (holidays) off. */
    {"2026-08-28T09:00", "1 working day", CUT, "2026-09-03T17:00:00+07:00",
     "Fri 28 Aug; Sat 29, Sun 30, Mon 31 swap, Tue 1 + Wed 2 Sep holidays off; Thu 3 = 1"},
    /* Fri 28 Aug at the cut-off: received Thu 3 Sep; Fri 4 = 1. */
    {"2026-08-28T15:01", "1 working day", CUT, "2026-09-04T17:00:00+07:00",
     "Fri 28 Aug 15:01 (after the cut-off) -> received Thu 3 Sep; Fri 4 Sep = 1"},
    /* On the swap day, same-day procedure: reception Thu 3 Sep. */
    {"2026-08-31T09:00", "0 working days", CUT, "2026-09-03T17:00:00+07:00",
     "Mon 31 Aug swap day -> next opening Thu 3 Sep is reception; N=0"},
    /* Thu 27 Aug + 2: Fri 28 = 1, then off to Wed 2 Sep, Thu 3 = 2. */
    {"2026-08-27T10:00", "2 working days", CUT, "2026-09-03T17:00:00+07:00",
     "Thu 27 Aug; Fri 28 = 1; Sat 29 - Wed 2 Sep off; Thu 3 Sep = 2"},
};

static void national_day(void **state) { RUN_DUE(state, september_cases); }

/* ======================================= the 2025 -> 2026 year boundary */

static const due_case boundary_cases[] = {
    /* Wed 31 Dec 2025: Thu 1 Jan holiday, Fri 2 swap, Sat 3, Sun 4 weekend. */
    {"2025-12-31T09:00", "1 working day", CUT, "2026-01-05T17:00:00+07:00",
     "Wed 31 Dec 2025; Thu 1 Jan hol, Fri 2 swap, Sat 3, Sun 4 off; Mon 5 Jan = 1"},
    {"2025-12-30T09:00", "2 working days", CUT, "2026-01-05T17:00:00+07:00",
     "Tue 30 Dec 2025; Wed 31 = 1; 1-4 Jan off; Mon 5 Jan = 2"},
    {"2025-12-26T09:00", "5 working days", CUT, "2026-01-06T17:00:00+07:00",
     "Fri 26 Dec; Mon 29 = 1, Tue 30 = 2, Wed 31 = 3; 1-4 Jan off; Mon 5 = 4, Tue 6 = 5"},
    {"2025-12-27T09:00", "3 working days", CUT, "2026-01-05T17:00:00+07:00",
     "Sat 27 Dec 2025 -> reception Mon 29; Tue 30 = 1, Wed 31 = 2, Mon 5 Jan = 3"},
    /* Same-day procedure on the last working day of 2025, around the cut-off. */
    {"2025-12-31T14:59", "0 working days", CUT, "2025-12-31T17:00:00+07:00",
     "Wed 31 Dec 14:59 < cut-off: reception Wed 31; N=0 -> its close"},
    {"2025-12-31T15:00", "0 working days", CUT, "2025-12-31T17:00:00+07:00",
     "Wed 31 Dec 15:00 exactly is not after the cut-off: reception Wed 31; N=0 -> its close"},
    {"2025-12-31T15:00:01", "0 working days", CUT, "2026-01-05T17:00:00+07:00",
     "Wed 31 Dec 15:00:01 is after the cut-off -> received next working day Mon 5 Jan 2026; N=0"},
    {"2025-12-31T16:00", "1 working day", CUT, "2026-01-06T17:00:00+07:00",
     "Wed 31 Dec 16:00 past cut-off -> received Mon 5 Jan; Tue 6 = 1"},
    /* 31 Dec 2027 + 0: the last working day of the data, needs nothing of 2028. */
    {"2027-12-31T09:00", "0 working days", CUT, "2027-12-31T17:00:00+07:00",
     "Fri 31 Dec 2027 09:00: reception Fri 31; N=0 -> its close, no 2028 needed"},
};

static void year_boundary(void **state) { RUN_DUE(state, boundary_cases); }

/* ============================ 2027: the statutory days (vn-2027.cal) */

static const due_case tet_2027_cases[] = {
    /* Thu 4 Feb is the last working day before Tết; Fri 5 - Thu 11 off; Fri 12 = 1. */
    {"2027-02-04T09:00", "1 working day", CUT, "2027-02-12T17:00:00+07:00",
     "Thu 4 reception; Fri 5 - Tue 9 Tết, Wed 10, Thu 11 substitutes off; Fri 12 = 1"},
    {"2027-02-04T09:00", "3 working days", CUT, "2027-02-16T17:00:00+07:00",
     "Thu 4 reception; Fri 5 - Thu 11 off; Fri 12 = 1; Sat 13, Sun 14 off; Mon 15 = 2, Tue 16 = 3"},
    /* Past the cut-off on the eve of Tết: received on the first working day after it. */
    {"2027-02-04T15:30", "0 working days", CUT, "2027-02-12T17:00:00+07:00",
     "Thu 4 15:30 >= 15:00 -> received Fri 12 (first working day after Tết); N=0 -> its close"},
    /* On a substitute day: the next opening is Fri 12. */
    {"2027-02-10T09:00", "1 working day", CUT, "2027-02-15T17:00:00+07:00",
     "Wed 10 (substitute for Sat 6) -> reception Fri 12; Sat 13, Sun 14 off; Mon 15 = 1"},
    /* Mùng 1 Tết on a Saturday. */
    {"2027-02-06T10:00", "0 working days", CUT, "2027-02-12T17:00:00+07:00",
     "Sat 6 (mùng 1 Tết) -> next opening Fri 12 07:30 is reception; N=0"},
    /* A 15-working-day procedure received just before Tết. */
    {"2027-02-01T09:00", "15 working days", CUT, "2027-03-01T17:00:00+07:00",
     "Mon 1 reception; Tue 2 - Thu 4 = 3; Fri 5 - Thu 11 off; Fri 12 = 4; 15-19 = 9; 22-26 = 14; Mon 1 Mar = 15"},
    {"2027-01-22T09:00", "15 calendar days", CUT, "2027-02-12T17:00:00+07:00",
     "Fri 22 Jan + 15 = Sat 6 Feb (Tết) -> Sun 7, Tết 8-9, substitutes 10-11 -> Fri 12"},
    {"2027-02-04T15:00", "4 working hours", NOCUT, "2027-02-12T09:30:00+07:00",
     "Thu 4 15:00-17:00 (2h); Fri 5 - Thu 11 off; Fri 12 07:30-09:30 (2h)"},
};

static void tet_2027(void **state) { RUN_DUE(state, tet_2027_cases); }

static const due_case april_may_2027_cases[] = {
    {"2027-04-15T09:00", "1 working day", CUT, "2027-04-19T17:00:00+07:00",
     "Thu 15 Apr; Fri 16 (Hùng Kings), Sat 17, Sun 18 off; Mon 19 = 1"},
    /* Sat 1 May is made up on Mon 3 May. */
    {"2027-04-29T09:00", "1 working day", CUT, "2027-05-04T17:00:00+07:00",
     "Thu 29 Apr; Fri 30 Apr, Sat 1 May holidays, Sun 2 off, Mon 3 substitute for 1 May; Tue 4 = 1"},
    {"2027-04-28T09:00", "3 working days", CUT, "2027-05-05T17:00:00+07:00",
     "Wed 28 Apr; Thu 29 = 1; Fri 30 Apr - Mon 3 May off; Tue 4 = 2, Wed 5 = 3"},
    {"2027-04-29T15:30", "0 working days", CUT, "2027-05-04T17:00:00+07:00",
     "Thu 29 Apr 15:30 >= cut-off -> received Tue 4 May (30 Apr - 3 May off); N=0"},
    {"2027-05-03T10:00", "0 working days", CUT, "2027-05-04T17:00:00+07:00",
     "Mon 3 May (substitute holiday) -> next opening Tue 4 is reception; N=0"},
    {"2027-04-20T09:00", "10 calendar days", CUT, "2027-05-04T17:00:00+07:00",
     "Tue 20 Apr + 10 = Fri 30 Apr (holiday) -> Sat 1 May (holiday), Sun 2, Mon 3 (substitute) -> Tue 4"},
    {"2027-04-29T16:00", "2 working hours", NOCUT, "2027-05-04T08:30:00+07:00",
     "Thu 29 Apr 16:00-17:00 (1h); Fri 30 Apr - Mon 3 May off; Tue 4 May 07:30-08:30 (1h)"},
};

static void hung_kings_and_may_day_2027(void **state) { RUN_DUE(state, april_may_2027_cases); }

static const due_case september_2027_cases[] = {
    {"2027-09-01T09:00", "1 working day", CUT, "2027-09-06T17:00:00+07:00",
     "Wed 1 Sep; Thu 2, Fri 3 (National Day), Sat 4, Sun 5 off; Mon 6 = 1"},
    {"2027-08-31T09:00", "2 working days", CUT, "2027-09-06T17:00:00+07:00",
     "Tue 31 Aug; Wed 1 Sep = 1; Thu 2 - Sun 5 off; Mon 6 = 2"},
    {"2027-09-01T15:01", "1 working day", CUT, "2027-09-07T17:00:00+07:00",
     "Wed 1 Sep 15:01 (after the cut-off) -> received Mon 6; Tue 7 = 1"},
    {"2027-09-02T10:00", "0 working days", CUT, "2027-09-06T17:00:00+07:00",
     "Thu 2 Sep (holiday) -> next opening Mon 6 is reception; N=0"},
    {"2027-08-19T09:00", "15 calendar days", CUT, "2027-09-06T17:00:00+07:00",
     "Thu 19 Aug + 15 = Fri 3 Sep (holiday) -> Sat 4, Sun 5 -> Mon 6"},
};

static void national_day_2027(void **state) { RUN_DUE(state, september_2027_cases); }

/* What vn-2027.cal was added for: limits received in December 2026 that
 * run into 2027 (until then refused as a year the data lacked). */
static const due_case boundary_2027_cases[] = {
    {"2026-12-31T09:00", "1 working day", CUT, "2027-01-04T17:00:00+07:00",
     "Thu 31 Dec 2026; Fri 1 Jan 2027 holiday, Sat 2, Sun 3 off; Mon 4 Jan = 1"},
    {"2026-12-31T15:30", "0 working days", CUT, "2027-01-04T17:00:00+07:00",
     "Thu 31 Dec 2026 past cut-off -> received Mon 4 Jan 2027; N=0"},
    {"2026-12-31T18:00", "0 working days", NOCUT, "2027-01-04T17:00:00+07:00",
     "Thu 31 Dec 2026 18:00 -> next opening Mon 4 Jan 2027 is reception; N=0"},
    {"2026-12-31T16:00", "2 working hours", NOCUT, "2027-01-04T08:30:00+07:00",
     "Thu 31 Dec 2026 16:00-17:00 (1h); 1-3 Jan off; Mon 4 Jan 07:30-08:30 (1h)"},
    {"2026-12-21T09:00", "15 calendar days", CUT, "2027-01-05T17:00:00+07:00",
     "Mon 21 Dec 2026 + 15 = Tue 5 Jan 2027, a working day"},
    {"2026-12-30T09:00", "5 working days", CUT, "2027-01-07T17:00:00+07:00",
     "Wed 30 Dec 2026; Thu 31 = 1; Fri 1 Jan hol, Sat 2, Sun 3 off; Mon 4 = 2 .. Thu 7 = 5"},
    /* A 15-working-day procedure received on Fri 11 Dec 2026. */
    {"2026-12-11T09:00", "15 working days", CUT, "2027-01-04T17:00:00+07:00",
     "Fri 11 Dec; 14-18 = 5, 21-25 = 10, Mon 28 - Thu 31 = 14; Fri 1 Jan hol, weekend; Mon 4 Jan = 15"},
    /* A 15-day supplement window opened on Thu 17 Dec 2026. */
    {"2026-12-17T09:00", "15 calendar days", CUT, "2027-01-04T17:00:00+07:00",
     "Thu 17 Dec 2026 + 15 = Fri 1 Jan 2027 (holiday) -> Sat 2, Sun 3 -> Mon 4 Jan"},
};

static void year_boundary_2027(void **state) { RUN_DUE(state, boundary_2027_cases); }

/* ==================================================== the 15:00 cut-off */

static const due_case cutoff_cases[] = {
    {"2026-02-10T14:59", "1 working day", CUT, "2026-02-11T17:00:00+07:00",
     "Tue 10 14:59 < cut-off: reception Tue 10; Wed 11 = 1"},
    {"2026-02-10T15:00", "1 working day", CUT, "2026-02-11T17:00:00+07:00",
     "Tue 10 15:00 exactly: not after the cut-off (NĐ118 Art. 18 'sau 15 giờ'); reception Tue 10; Wed 11 = 1"},
    {"2026-02-10T15:01", "1 working day", CUT, "2026-02-12T17:00:00+07:00",
     "Tue 10 15:01 after the cut-off: received Wed 11; Thu 12 = 1"},
    {"2026-02-10T15:00", "1 working day", NOCUT, "2026-02-11T17:00:00+07:00",
     "no cut-off: Tue 10 15:00 is in the afternoon session; reception Tue 10; Wed 11 = 1"},
    {"2026-02-10T16:00", "0 working days", CUT, "2026-02-11T17:00:00+07:00",
     "same-day procedure received 16:00 -> due the next working day Wed 11"},
    {"2026-02-10T14:00", "0 working days", CUT, "2026-02-10T17:00:00+07:00",
     "same-day procedure received 14:00 < cut-off -> due Tue 10 17:00"},
    {"2026-03-06T15:01", "1 working day", CUT, "2026-03-10T17:00:00+07:00",
     "Fri 6 Mar 15:01 past cut-off -> received Mon 9 Mar; Tue 10 = 1"},
    {"2026-03-06T15:01", "0 working days", CUT, "2026-03-09T17:00:00+07:00",
     "same-day procedure, Friday 15:01 -> due the next working day Mon 9 Mar"},
    {"2026-02-13T15:30", "0 working days", CUT, "2026-02-23T17:00:00+07:00",
     "same-day procedure, Fri 13 (eve of Tết) 15:30 -> due Mon 23 Feb (first working day)"},
};

static void cutoff_15h(void **state) { RUN_DUE(state, cutoff_cases); }

/* ======================== night, early morning, lunch, weekend reception */

static const due_case outside_cases[] = {
    {"2026-02-10T20:00", "1 working day", NOCUT, "2026-02-12T17:00:00+07:00",
     "Tue 10 20:00 -> next opening Wed 11 07:30 is reception; Thu 12 = 1"},
    {"2026-02-10T20:00", "1 working day", CUT, "2026-02-12T17:00:00+07:00",
     "with the cut-off too: 20:00 -> Wed 11 either way, moved once; Thu 12 = 1"},
    {"2026-02-10T23:59", "0 working days", CUT, "2026-02-11T17:00:00+07:00",
     "Tue 10 23:59 -> reception Wed 11; N=0 -> Wed 11 17:00"},
    {"2026-02-11T00:00", "1 working day", CUT, "2026-02-12T17:00:00+07:00",
     "Wed 11 00:00 -> next opening Wed 11 07:30; reception Wed 11; Thu 12 = 1"},
    {"2026-02-11T07:00", "1 working day", CUT, "2026-02-12T17:00:00+07:00",
     "Wed 11 07:00 (before 07:30) -> opening Wed 11 07:30; reception Wed 11; Thu 12 = 1"},
    {"2026-02-11T07:29", "0 working days", CUT, "2026-02-11T17:00:00+07:00",
     "Wed 11 07:29 -> opening Wed 11 07:30; N=0 -> Wed 11 17:00"},
    {"2026-02-11T12:00", "1 working day", CUT, "2026-02-12T17:00:00+07:00",
     "Wed 11 12:00 (lunch) -> 13:00 Wed 11; reception Wed 11; Thu 12 = 1"},
    {"2026-02-11T11:30", "0 working days", CUT, "2026-02-11T17:00:00+07:00",
     "Wed 11 11:30 (close exclusive, lunch) -> 13:00 Wed 11; N=0 -> Wed 11 17:00"},
    {"2026-02-10T17:00", "1 working day", NOCUT, "2026-02-12T17:00:00+07:00",
     "Tue 10 17:00 is outside (close exclusive) -> reception Wed 11; Thu 12 = 1"},
    {"2026-02-10T16:59", "1 working day", NOCUT, "2026-02-11T17:00:00+07:00",
     "Tue 10 16:59 inside the session -> reception Tue 10; Wed 11 = 1"},
    {"2026-03-08T09:00", "2 working days", CUT, "2026-03-11T17:00:00+07:00",
     "Sun 8 Mar -> reception Mon 9; Tue 10 = 1, Wed 11 = 2"},
};

static void reception_outside_office_hours(void **state) { RUN_DUE(state, outside_cases); }

/* ====================================================== working hours */

static const due_case hours_cases[] = {
    {"2026-02-10T16:30", "1 working hour", NOCUT, "2026-02-11T08:00:00+07:00",
     "Tue 10 16:30-17:00 = 30 min; Wed 11 07:30-08:00 = 30 min"},
    {"2026-02-10T07:30", "8 working hours", NOCUT, "2026-02-10T17:00:00+07:00",
     "Tue 10 07:30-11:30 (4h) + 13:00-17:00 (4h): ends exactly at the close, 17:00"},
    {"2026-02-10T07:30", "4 working hours", NOCUT, "2026-02-10T11:30:00+07:00",
     "Tue 10 07:30-11:30 = 4h: ends exactly at the morning close, 11:30 (not 13:00)"},
    {"2026-02-10T09:30", "2 working hours", NOCUT, "2026-02-10T11:30:00+07:00",
     "Tue 10 09:30-11:30 = 2h: ends exactly at 11:30"},
    {"2026-02-10T13:00", "4 working hours", NOCUT, "2026-02-10T17:00:00+07:00",
     "Tue 10 13:00-17:00 = 4h: ends exactly at 17:00 (not Wed 07:30)"},
    {"2026-02-10T09:00", "8 working hours", NOCUT, "2026-02-11T09:00:00+07:00",
     "Tue 10 09:00-11:30 (2.5h) + 13:00-17:00 (4h) = 6.5h; Wed 11 07:30-09:00 (1.5h)"},
    {"2026-02-10T10:00", "2 working hours", NOCUT, "2026-02-10T13:30:00+07:00",
     "Tue 10 10:00-11:30 (1.5h), lunch skipped, 13:00-13:30 (0.5h)"},
    {"2026-02-10T12:00", "1 working hour", NOCUT, "2026-02-10T14:00:00+07:00",
     "Tue 10 12:00 (lunch) -> start 13:00; 13:00-14:00"},
    {"2026-02-10T06:00", "2 working hours", NOCUT, "2026-02-10T09:30:00+07:00",
     "Tue 10 06:00 -> start 07:30; 07:30-09:30"},
    {"2026-02-10T20:00", "0 working hours", NOCUT, "2026-02-11T07:30:00+07:00",
     "0 hours from the start; 20:00 is outside so the start is Wed 11 07:30"},
    {"2026-02-12T13:00", "8 working hours", NOCUT, "2026-02-13T11:30:00+07:00",
     "Thu 12 13:00-17:00 (4h) + Fri 13 07:30-11:30 (4h): ends at the 11:30 close"},
    {"2026-02-13T15:00", "4 working hours", NOCUT, "2026-02-23T09:30:00+07:00",
     "Fri 13 15:00-17:00 (2h); Tết break Sat 14 - Sun 22; Mon 23 07:30-09:30 (2h)"},
    {"2026-02-13T13:00", "4 working hours", NOCUT, "2026-02-13T17:00:00+07:00",
     "Fri 13 13:00-17:00 = 4h: the close of Fri 13, not Mon 23 07:30 after Tết"},
    {"2026-02-12T09:00", "16 working hours", NOCUT, "2026-02-23T09:00:00+07:00",
     "Thu 12 from 09:00 6.5h, Fri 13 8h (14.5h); Tết; Mon 23 07:30-09:00 1.5h"},
    {"2026-02-14T10:00", "1 working hour", NOCUT, "2026-02-23T08:30:00+07:00",
     "Sat 14 (Tết break) -> start Mon 23 07:30; 07:30-08:30"},
    {"2026-01-09T16:00", "2 working hours", NOCUT, "2026-01-10T08:30:00+07:00",
     "Fri 9 16:00-17:00 (1h); Sat 10 make-up day 07:30-08:30 (1h)"},
    {"2025-12-31T16:00", "2 working hours", NOCUT, "2026-01-05T08:30:00+07:00",
     "Wed 31 Dec 2025 16:00-17:00 (1h); 1-4 Jan off; Mon 5 Jan 07:30-08:30 (1h)"},
    {"2026-08-28T13:00", "8 working hours", NOCUT, "2026-09-03T11:30:00+07:00",
     "Fri 28 Aug 13:00-17:00 (4h); Sat 29 - Wed 2 Sep off; Thu 3 Sep 07:30-11:30 (4h)"},
    /* The cut-off applies to any dossier received at or after it (calendar.h). */
    {"2026-02-10T15:30", "1 working hour", CUT, "2026-02-11T08:30:00+07:00",
     "Tue 10 15:30 past cut-off -> received Wed 11, counted from its opening 07:30"},
};

static void working_hours(void **state) { RUN_DUE(state, hours_cases); }

/* ====================================================== calendar days */

static const due_case calendar_day_cases[] = {
    {"2026-02-10T09:00", "15 days", CUT, "2026-02-25T17:00:00+07:00",
     "Tue 10 + 15 = Wed 25 Feb, a working day: its close"},
    {"2026-02-10T09:00", "15 calendar days", CUT, "2026-02-25T17:00:00+07:00",
     "same as '15 days': Tue 10 + 15 = Wed 25 Feb"},
    {"2026-01-30T09:00", "15 calendar days", CUT, "2026-02-23T17:00:00+07:00",
     "Fri 30 Jan + 15 = Sat 14 Feb (off) -> Sun 15, Tết 16-20, 21, 22 off -> Mon 23"},
    {"2026-02-02T09:00", "15 calendar days", CUT, "2026-02-23T17:00:00+07:00",
     "Mon 2 Feb + 15 = Tue 17 Feb (Tết) -> next working day Mon 23"},
    {"2026-02-10T09:00", "0 calendar days", CUT, "2026-02-10T17:00:00+07:00",
     "0 days: the day of reception, Tue 10, its close"},
    {"2026-02-14T09:00", "0 calendar days", CUT, "2026-02-23T17:00:00+07:00",
     "Sat 14 -> reception Mon 23; + 0 = Mon 23"},
    {"2026-04-16T09:00", "10 calendar days", CUT, "2026-04-28T17:00:00+07:00",
     "Thu 16 Apr + 10 = Sun 26 (Hùng Kings) -> Mon 27 substitute off -> Tue 28"},
    {"2026-04-28T09:00", "2 calendar days", CUT, "2026-05-04T17:00:00+07:00",
     "Tue 28 Apr + 2 = Thu 30 Apr (holiday) -> Fri 1 May, Sat 2, Sun 3 off -> Mon 4"},
    {"2026-08-07T09:00", "15 calendar days", CUT, "2026-08-22T17:00:00+07:00",
     "Fri 7 Aug + 15 = Sat 22 Aug, a make-up working day: its close, not moved"},
    {"2026-08-17T09:00", "14 calendar days", CUT, "2026-09-03T17:00:00+07:00",
     "Mon 17 Aug + 14 = Mon 31 Aug (swap) -> 1, 2 Sep holidays -> Thu 3 Sep"},
    {"2025-12-17T09:00", "15 calendar days", CUT, "2026-01-05T17:00:00+07:00",
     "Wed 17 Dec 2025 + 15 = Thu 1 Jan 2026 (holiday) -> Fri 2 swap, Sat, Sun -> Mon 5"},
    {"2026-02-10T15:30", "15 calendar days", CUT, "2026-02-26T17:00:00+07:00",
     "Tue 10 15:30 past cut-off -> received Wed 11; + 15 = Thu 26 Feb"},
    {"2026-01-16T09:00", "15 calendar days", CUT, "2026-02-02T17:00:00+07:00",
     "Fri 16 Jan + 15 = Sat 31 Jan (weekend) -> Sun 1 Feb -> Mon 2 Feb"},
};

static void calendar_days(void **state) { RUN_DUE(state, calendar_day_cases); }

/* Hours on the clock (ĐN Art. 15.2: the post delivers within 24 hours):
 * office hours, days off and the cut-off play no part. */
static const due_case clock_hour_cases[] = {
    {"2026-02-13T16:00", "24 hours", CUT, "2026-02-14T16:00:00+07:00",
     "Fri 13 Feb 16:00 + 24 h = Sat 14 16:00, a day off: not moved"},
    {"2026-02-13T16:00", "24 giờ", CUT, "2026-02-14T16:00:00+07:00", "the same, in Vietnamese"},
    {"2026-02-16T20:00", "1 hour", CUT, "2026-02-16T21:00:00+07:00", "Tết, in the evening: one hour later"},
};

static void clock_hours(void **state) { RUN_DUE(state, clock_hour_cases); }

/* ============================================= years the data lacks */

typedef enum { OP_ADD, OP_BETWEEN, OP_OPENING, OP_IS_WORKING } year_op;

typedef struct year_case {
  year_op op;
  const char *from;
  const char *duration;  /* OP_ADD: the limit; OP_BETWEEN: the second instant */
  int cutoff;
  int missing;           /* expected calc.missing_year */
  const char *reason;
} year_case;

static const year_case year_cases[] = {
    {OP_ADD, "2027-12-31T09:00", "1 working day", CUT, 2028,
     "Fri 31 Dec 2027 + 1 needs Sat 1 Jan 2028 on, which the data lacks"},
    {OP_ADD, "2027-12-31T15:30", "0 working days", CUT, 2028,
     "Fri 31 Dec 2027 past cut-off: the next working day is in 2028"},
    {OP_ADD, "2027-12-31T16:00", "2 working hours", NOCUT, 2028,
     "Fri 31 Dec 2027 16:00-17:00 = 1h; the second hour is in 2028"},
    {OP_ADD, "2027-12-20T09:00", "15 calendar days", CUT, 2028,
     "Mon 20 Dec 2027 + 15 = Tue 4 Jan 2028"},
    {OP_ADD, "2027-12-31T18:00", "0 working days", NOCUT, 2028,
     "Fri 31 Dec 2027 18:00 -> the next opening is in 2028"},
    {OP_ADD, "2024-12-31T09:00", "1 working day", CUT, 2024,
     "an instant in 2024: the data starts with 2025"},
    {OP_ADD, "2024-06-03T09:00", "2 working hours", NOCUT, 2024, "hours from a 2024 instant"},
    {OP_BETWEEN, "2027-12-31T09:00", "2028-01-03T09:00", NOCUT, 2028,
     "working time up to Mon 3 Jan 2028 needs 2028"},
    {OP_BETWEEN, "2024-12-30T09:00", "2025-01-02T09:00", NOCUT, 2024,
     "working time from Mon 30 Dec 2024 needs 2024"},
    {OP_OPENING, "2027-12-31T17:00", NULL, NOCUT, 2028,
     "the opening after Fri 31 Dec 2027 17:00 is in 2028"},
    {OP_IS_WORKING, "2028-01-03T09:00", NULL, NOCUT, 2028, "Mon 3 Jan 2028"},
    {OP_IS_WORKING, "2024-06-03T09:00", NULL, NOCUT, 2024, "Mon 3 Jun 2024"},
};

static void missing_years(void **state) {
  const eng_calendar *cal = *state;
  int bad = 0;
  size_t n = sizeof year_cases / sizeof year_cases[0];
  for (size_t i = 0; i < n; i++) {
    const year_case *c = &year_cases[i];
    eng_calc calc = ENG_CALC_INIT;
    calc.cutoff_min = c->cutoff;
    int rc = MC_EINTERNAL;
    if (c->op == OP_ADD) {
      eng_duration d;
      assert_int_equal(eng_duration_parse(c->duration, &d), 0);
      mc_instant due;
      rc = eng_calendar_add(cal, at(c->from), d, &calc, &due);
    } else if (c->op == OP_BETWEEN) {
      int64_t ms;
      rc = eng_calendar_working_time_between(cal, at(c->from), at(c->duration), &calc, &ms);
    } else if (c->op == OP_OPENING) {
      mc_instant t;
      rc = eng_calendar_next_opening(cal, at(c->from), &calc, &t);
    } else {
      bool w;
      rc = eng_calendar_is_working_time(cal, at(c->from), &calc, &w);
    }
    if (rc != MC_ECALYEAR || calc.missing_year != c->missing) {
      print_error("year case %zu (%s): expected MC_ECALYEAR, missing %d\n"
                  "  got %s, missing %d\n  why: %s\n",
                  i, c->from, c->missing, mc_err_name(rc), calc.missing_year, c->reason);
      bad++;
    }
  }
  assert_false(eng_calendar_has_year(cal, 2024));
  assert_true(eng_calendar_has_year(cal, 2025));
  assert_true(eng_calendar_has_year(cal, 2026));
  assert_true(eng_calendar_has_year(cal, 2027));
  assert_false(eng_calendar_has_year(cal, 2028));
  if (bad) fail_msg("%d of %zu cases disagree", bad, n);
}

/* =============================================== working_time_between */

typedef struct between_case {
  const char *a, *b;
  int64_t minutes;  /* expected working time in [a, b), in minutes */
  const char *reason;
} between_case;

static const between_case between_cases[] = {
    {"2026-02-10T11:00", "2026-02-10T13:30", 60,
     "Tue 10 11:00-11:30 (30) + 13:00-13:30 (30); lunch not counted"},
    {"2026-02-10T07:30", "2026-02-10T17:00", 480, "one full working day: 4h + 4h"},
    {"2026-02-10T00:00", "2026-02-11T00:00", 480, "midnight to midnight of a working day"},
    {"2026-02-10T12:00", "2026-02-10T12:45", 0, "inside the lunch break"},
    {"2026-02-10T09:00", "2026-02-10T09:00", 0, "empty interval"},
    {"2026-03-06T16:00", "2026-03-09T08:30", 120,
     "Fri 6 Mar 16:00-17:00 (60); weekend; Mon 9 07:30-08:30 (60)"},
    {"2026-02-13T16:00", "2026-02-23T08:30", 120,
     "Fri 13 Feb 16:00-17:00 (60); Tết break; Mon 23 07:30-08:30 (60)"},
    {"2026-02-23T08:30", "2026-02-13T16:00", -120, "reversed arguments: negative"},
    {"2026-02-10T13:30", "2026-02-10T11:00", -60, "reversed, across lunch: -60"},
    {"2026-02-14T10:00", "2026-02-15T12:00", 0, "Sat 14 - Sun 15: no office hours"},
    {"2026-02-16T00:00", "2026-02-21T00:00", 0, "Tết Mon 16 - Fri 20: all holidays"},
    {"2026-01-09T07:30", "2026-01-12T07:30", 960,
     "Fri 9 (480) + Sat 10 make-up day (480); Sun 11 off"},
    {"2025-12-31T07:30", "2026-01-05T17:00", 960,
     "Wed 31 Dec 2025 (480) + Mon 5 Jan (480); 1 Jan hol, 2 Jan swap, weekend"},
    {"2026-03-02T00:00", "2026-03-09T00:00", 2400, "an ordinary week Mon 2 - Sun 8 Mar: 5 x 480"},
    {"2026-02-01T00:00", "2026-03-01T00:00", 15 * 480,
     "February 2026: 2-6, 9-13, 23-27 = 15 working days (Tết 16-20)"},
    {"2026-01-01T00:00", "2026-02-01T00:00", 21 * 480,
     "January 2026: 5-9, Sat 10, 12-16, 19-23, 26-30 = 21 days (1 hol, 2 swap)"},
    {"2026-08-22T00:00", "2026-09-04T00:00", 7 * 480,
     "Sat 22 Aug make-up (1), Mon 24 - Fri 28 (5), 31 Aug swap, 1-2 Sep off, Thu 3 Sep (1)"},
    {"2026-12-31T07:30", "2027-01-05T00:00", 960,
     "Thu 31 Dec 2026 (480) + Mon 4 Jan 2027 (480); Fri 1 Jan hol, weekend"},
    {"2027-02-01T00:00", "2027-03-01T00:00", 15 * 480,
     "February 2027: 1-4, Fri 12, 15-19, 22-26 = 15 working days (Tết 5-9, substitutes 10-11)"},
    {"2027-04-26T00:00", "2027-05-10T00:00", 8 * 480,
     "Mon 26 - Thu 29 Apr (4); 30 Apr, 1 May, weekend, Mon 3 May off; Tue 4 - Fri 7 May (4)"},
};

static void working_time_between(void **state) {
  const eng_calendar *cal = *state;
  int bad = 0;
  size_t n = sizeof between_cases / sizeof between_cases[0];
  for (size_t i = 0; i < n; i++) {
    const between_case *c = &between_cases[i];
    eng_calc calc = ENG_CALC_INIT;
    int64_t ms = -1;
    int rc = eng_calendar_working_time_between(cal, at(c->a), at(c->b), &calc, &ms);
    if (rc != 0 || ms != MIN(c->minutes)) {
      print_error("between case %zu: [%s, %s)\n  expected %lld min\n  got      %s %lld ms"
                  " (%lld min)\n  why: %s\n",
                  i, c->a, c->b, (long long)c->minutes, mc_err_name(rc), (long long)ms,
                  (long long)(ms / MC_MS_PER_MINUTE), c->reason);
      bad++;
    }
  }
  if (bad) fail_msg("%d of %zu cases disagree", bad, n);
}

/* ========================== next_opening and is_working_time at edges */

typedef struct opening_case {
  const char *t;
  const char *expect;
  const char *reason;
} opening_case;

static const opening_case opening_cases[] = {
    {"2026-02-10T07:30", "2026-02-10T07:30:00+07:00", "at the opening: itself (inclusive)"},
    {"2026-02-10T07:29", "2026-02-10T07:30:00+07:00", "a minute before the opening"},
    {"2026-02-10T00:00", "2026-02-10T07:30:00+07:00", "midnight of a working day"},
    {"2026-02-10T11:30", "2026-02-10T13:00:00+07:00", "at the morning close -> afternoon"},
    {"2026-02-10T12:59", "2026-02-10T13:00:00+07:00", "end of lunch"},
    {"2026-02-10T13:00", "2026-02-10T13:00:00+07:00", "at the afternoon opening: itself"},
    {"2026-02-10T17:00", "2026-02-11T07:30:00+07:00", "at the close -> next morning"},
    {"2026-02-13T17:00", "2026-02-23T07:30:00+07:00", "Fri 13 close -> after Tết, Mon 23"},
    {"2026-01-09T17:00", "2026-01-10T07:30:00+07:00", "Fri 9 Jan close -> make-up Sat 10"},
    {"2026-01-10T17:00", "2026-01-12T07:30:00+07:00", "make-up Sat 10 close -> Mon 12"},
    {"2025-12-31T17:00", "2026-01-05T07:30:00+07:00", "31 Dec 2025 -> Mon 5 Jan 2026"},
    {"2026-08-28T12:00", "2026-08-28T13:00:00+07:00", "Fri 28 Aug lunch -> 13:00"},
    {"2026-08-28T17:00", "2026-09-03T07:30:00+07:00", "Fri 28 Aug -> Thu 3 Sep (31 Aug-2 Sep)"},
    {"2026-04-25T10:00", "2026-04-28T07:30:00+07:00", "Sat 25 Apr -> Tue 28 (26, 27 off)"},
    {"2026-12-31T17:00", "2027-01-04T07:30:00+07:00", "31 Dec 2026 -> Mon 4 Jan 2027 (1 Jan, weekend)"},
    {"2027-02-04T17:00", "2027-02-12T07:30:00+07:00", "Thu 4 Feb 2027 -> Fri 12 (Tết 5-11)"},
    {"2027-04-30T08:00", "2027-05-04T07:30:00+07:00", "Fri 30 Apr 2027 -> Tue 4 May (1 May, 3 May off)"},
    {"2027-09-01T17:00", "2027-09-06T07:30:00+07:00", "Wed 1 Sep 2027 -> Mon 6 (2, 3 Sep off)"},
};

static void next_opening(void **state) {
  const eng_calendar *cal = *state;
  int bad = 0;
  size_t n = sizeof opening_cases / sizeof opening_cases[0];
  for (size_t i = 0; i < n; i++) {
    const opening_case *c = &opening_cases[i];
    eng_calc calc = ENG_CALC_INIT;
    mc_instant t = 0;
    int rc = eng_calendar_next_opening(cal, at(c->t), &calc, &t);
    char got[MC_INSTANT_STRLEN];
    if (rc != 0) {
      snprintf(got, sizeof got, "%s", mc_err_name(rc));
    } else {
      mc_instant_format(t, TZ, got);
    }
    if (strcmp(got, c->expect) != 0) {
      print_error("opening case %zu: %s\n  expected %s\n  got      %s\n  why: %s\n", i, c->t,
                  c->expect, got, c->reason);
      bad++;
    }
  }
  if (bad) fail_msg("%d of %zu cases disagree", bad, n);
}

typedef struct working_case {
  const char *t;
  bool expect;
  const char *reason;
} working_case;

static const working_case working_cases[] = {
    {"2026-02-10T07:29:59", false, "before the opening"},
    {"2026-02-10T07:30", true, "opening inclusive"},
    {"2026-02-10T11:29:59", true, "last second of the morning"},
    {"2026-02-10T11:30", false, "morning close exclusive"},
    {"2026-02-10T12:59:59", false, "lunch"},
    {"2026-02-10T13:00", true, "afternoon opening inclusive"},
    {"2026-02-10T16:59:59", true, "last second of the afternoon"},
    {"2026-02-10T17:00", false, "afternoon close exclusive"},
    {"2026-01-10T09:00", true, "Sat 10 Jan make-up day has hours"},
    {"2026-08-22T07:30", true, "Sat 22 Aug make-up day opens 07:30"},
    {"2026-08-22T17:00", false, "Sat 22 Aug make-up day closes 17:00"},
    {"2026-01-17T09:00", false, "an ordinary Saturday"},
    {"2026-01-01T09:00", false, "1 Jan holiday"},
    {"2026-01-02T09:00", false, "Fri 2 Jan swap day"},
    {"2026-02-16T09:00", false, "Tết"},
    {"2026-02-23T07:30", true, "first working instant after Tết"},
    {"2026-04-26T09:00", false, "Sun 26 Apr, Hùng Kings"},
    {"2026-04-27T09:00", false, "Mon 27 Apr, substitute holiday"},
    {"2026-04-30T09:00", false, "30 Apr"},
    {"2026-05-01T09:00", false, "1 May"},
    {"2026-08-31T09:00", false, "Mon 31 Aug swap day"},
    {"2026-09-02T09:00", false, "2 Sep"},
    {"2026-09-03T09:00", true, "Thu 3 Sep, back to work"},
    {"2027-01-01T09:00", false, "Fri 1 Jan 2027"},
    {"2027-01-04T09:00", true, "Mon 4 Jan 2027"},
    {"2027-02-05T09:00", false, "Fri 5 Feb 2027, the last day of the lunar year (Tết)"},
    {"2027-02-06T09:00", false, "Sat 6 Feb 2027, mùng 1 Tết on a weekend"},
    {"2027-02-11T09:00", false, "Thu 11 Feb 2027, substitute for Sun 7"},
    {"2027-02-12T07:30", true, "Fri 12 Feb 2027, the first working instant after Tết"},
    {"2027-04-16T09:00", false, "Fri 16 Apr 2027, Hùng Kings"},
    {"2027-05-03T09:00", false, "Mon 3 May 2027, substitute for Sat 1 May"},
    {"2027-09-03T09:00", false, "Fri 3 Sep 2027, the day next to National Day"},
    {"2027-09-06T07:30", true, "Mon 6 Sep 2027, back to work"},
};

static void is_working_time(void **state) {
  const eng_calendar *cal = *state;
  int bad = 0;
  size_t n = sizeof working_cases / sizeof working_cases[0];
  for (size_t i = 0; i < n; i++) {
    const working_case *c = &working_cases[i];
    eng_calc calc = ENG_CALC_INIT;
    bool w = !c->expect;
    int rc = eng_calendar_is_working_time(cal, at(c->t), &calc, &w);
    if (rc != 0 || w != c->expect) {
      print_error("working case %zu: %s\n  expected %s\n  got      %s %s\n  why: %s\n", i, c->t,
                  c->expect ? "true" : "false", mc_err_name(rc), w ? "true" : "false", c->reason);
      bad++;
    }
  }
  if (bad) fail_msg("%d of %zu cases disagree", bad, n);
}

/* ============================================================ day kinds */

static void day_kinds(void **state) {
  const eng_calendar *cal = *state;
  eng_day_info info;
  int64_t jan2 = mc_days_from_civil(2026, 1, 2), jan10 = mc_days_from_civil(2026, 1, 10);

  assert_int_equal(eng_calendar_offset_min(cal), TZ);
  assert_string_equal(eng_calendar_zone(cal), "Asia/Ho_Chi_Minh");
  assert_string_equal(eng_calendar_id(cal), "vn");

  /* Fri 2 Jan: swap day paid back on Sat 10 Jan, and the other way round. */
  assert_int_equal(eng_calendar_day(cal, jan2, &info), 0);
  assert_int_equal(info.kind, ENG_DAY_SWAP);
  assert_false(info.working);
  assert_int_equal(info.paired_day, jan10);
  assert_int_equal(eng_calendar_day(cal, jan10, &info), 0);
  assert_int_equal(info.kind, ENG_DAY_MAKEUP);
  assert_true(info.working);
  assert_int_equal(info.weekday, 5);
  assert_int_equal(info.paired_day, jan2);
  assert_int_equal(info.open_ms, MIN(7 * 60 + 30)); /* weekday sessions */
  assert_int_equal(info.close_ms, MIN(17 * 60));

  /* Tết, an ordinary weekday, an ordinary Saturday. */
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 2, 17), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_HOLIDAY);
  assert_false(info.working);
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 2, 23), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_WORKING);
  assert_true(info.working);
  assert_int_equal(info.paired_day, -1);
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 1, 17), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_WEEKEND);
  assert_false(info.working);

  /* Mon 31 Aug swap <-> Sat 22 Aug make-up. */
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 8, 31), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_SWAP);
  assert_int_equal(info.paired_day, mc_days_from_civil(2026, 8, 22));

  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2028, 1, 1), &info), MC_ECALYEAR);
}

/* vn.cal's office-hours block: mon-fri 07:30-11:30 13:00-17:00, sat and sun closed. */
static void week_hours(void **state) {
  const eng_calendar *cal = *state;
  int64_t open[6], close[6];
  for (int d = 0; d < 5; d++) {
    assert_int_equal(eng_calendar_week_hours(cal, d, open, close, 6), 2);
    assert_int_equal(open[0], MIN(7 * 60 + 30));
    assert_int_equal(close[0], MIN(11 * 60 + 30));
    assert_int_equal(open[1], MIN(13 * 60));
    assert_int_equal(close[1], MIN(17 * 60));
  }
  assert_int_equal(eng_calendar_week_hours(cal, 5, open, close, 6), 0);
  assert_int_equal(eng_calendar_week_hours(cal, 6, open, close, 6), 0);
  assert_int_equal(eng_calendar_week_hours(cal, 7, open, close, 6), 0);
  /* At most `max`. */
  assert_int_equal(eng_calendar_week_hours(cal, 0, open, close, 1), 1);
  assert_int_equal(close[0], MIN(11 * 60 + 30));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(worked_examples_of_domain),
      cmocka_unit_test(clock_hours),
      cmocka_unit_test(week_hours),
      cmocka_unit_test(tet_2026),
      cmocka_unit_test(swap_and_makeup_days),
      cmocka_unit_test(hung_kings_and_may_day),
      cmocka_unit_test(national_day),
      cmocka_unit_test(year_boundary),
      cmocka_unit_test(tet_2027),
      cmocka_unit_test(hung_kings_and_may_day_2027),
      cmocka_unit_test(national_day_2027),
      cmocka_unit_test(year_boundary_2027),
      cmocka_unit_test(cutoff_15h),
      cmocka_unit_test(reception_outside_office_hours),
      cmocka_unit_test(working_hours),
      cmocka_unit_test(calendar_days),
      cmocka_unit_test(missing_years),
      cmocka_unit_test(working_time_between),
      cmocka_unit_test(next_opening),
      cmocka_unit_test(is_working_time),
      cmocka_unit_test(day_kinds),
  };
  return cmocka_run_group_tests(tests, load_calendar, free_calendar);
}
