/* calendar.h — the working-time calendar: every legal deadline stands on it.
 *
 * A calendar is data an agency clerk edits in workflows/calendars/ (the
 * format is in docs/CALENDAR.md): the time zone, office hours per weekday in
 * sessions (07:30-11:30, 13:00-17:00), and per year the holidays, the swap
 * days (a working day given off) and the make-up days (a Saturday worked to
 * pay a swap day back).  This module parses that data and answers questions
 * about working time.  It is pure: no clock, no globals, and no I/O but the
 * two loaders below (calendar_load.c); the same inputs give the same answer
 * on any machine and under any TZ.
 *
 * Counting follows DOMAIN.md "Working time" (Civil Code 2015 Art. 145-148):
 *   - An instant outside office hours is taken as the next opening.
 *   - Day-based limits: the day of reception is not counted; the deadline is
 *     the close of office hours of its last day; a calendar-day limit that
 *     ends on a day off moves to the close of the next working day.
 *   - Hour-based limits count working time inside sessions from the instant.
 *   - The cut-off (15:00 in NĐ118 Art. 18) is the caller's: a dossier
 *     received after it (15:00 itself is still the same day) counts as
 *     received at the opening of the next working day, for every unit (days, hours, calendar days); a policy
 *     that wants no cut-off for some limit passes ENG_NO_CUTOFF.
 *     Pass ENG_NO_CUTOFF when the policy has none.
 * A computation that needs a year the calendar does not describe fails with
 * MC_ECALYEAR and says which year, rather than guessing.
 *
 * Instants are mc_instant (ms since the epoch, UTC).  Every function returns
 * 0 or a negative MC_E* code.
 */
#ifndef ENG_CALENDAR_H
#define ENG_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/instant.h"

typedef struct eng_calendar eng_calendar;

/* ---------------------------------------------------------------- loading */

/* Parses one calendar from one or more files (typically the office hours in
 * one file and a file per year) and checks it.  Every problem goes to `sink`
 * with file:line:col and a hint; parsing goes on to report them all.
 * Returns 0 and a new calendar in *out (free with eng_calendar_free), or
 * MC_EPARSE when any error was reported (then *out is NULL), or MC_ENOMEM.
 * `sources` is borrowed for the duration of the call only. */
int eng_calendar_parse(const mc_source *sources, int nsources, mc_diag_sink *sink,
                       eng_calendar **out);

/* Reads the files (in this order) and parses them; a file that cannot be
 * read is reported to `sink` like a parse error.  Returns 0, MC_EPARSE, or the
 * read error (MC_ENOENT, MC_EACCES, MC_ETOOBIG, MC_EIO).  (calendar_load.c:
 * the one place calendars are read from disk.) */
int eng_calendar_load(const char *const *paths, int npaths, mc_diag_sink *sink,
                      eng_calendar **out);

/* Loads every *.cal file of a directory, sorted by name. */
int eng_calendar_load_dir(const char *dir, mc_diag_sink *sink, eng_calendar **out);

/* Reads every *.cal file of a directory (sorted by name) as eng_calendar_load_dir
 * does, checks that they parse, and gives the calendar's id, the files' base
 * names and texts (for publishing them in the log).  Free with
 * eng_calendar_names_free() and free(*id_out). */
int eng_calendar_read_dir(const char *dir, mc_diag_sink *sink, char **id_out, char ***names_out,
                          char ***texts_out, int *count);
void eng_calendar_names_free(char **names, char **texts, int n);

void eng_calendar_free(eng_calendar *cal);

/* The calendar's identifier and title as written in its files (borrowed,
 * valid while the calendar lives). */
const char *eng_calendar_id(const eng_calendar *cal);
const char *eng_calendar_title(const eng_calendar *cal);

/* The time zone name as written ("Asia/Ho_Chi_Minh") and its offset east of
 * UTC in minutes (420). */
const char *eng_calendar_zone(const eng_calendar *cal);
int eng_calendar_offset_min(const eng_calendar *cal);

/* The office hours of a weekday (0 = Monday) as the calendar's
 * `office-hours` block writes them: at most `max` sessions, each opening and
 * closing in ms after local midnight.  Returns how many (0: closed that
 * weekday).  A day's own (a holiday, a make-up Saturday) is eng_calendar_day's. */
int eng_calendar_week_hours(const eng_calendar *cal, int weekday, int64_t *open_ms, int64_t *close_ms, int max);

/* Whether the calendar describes `year`. */
bool eng_calendar_has_year(const eng_calendar *cal, int year);

/* The first and the last year it describes; false when it describes none. */
bool eng_calendar_years(const eng_calendar *cal, int *first, int *last);

/* Writes what to do about a year the calendar lacks: which files it was
 * read from and what block to add. */
int eng_calendar_describe_missing_year(const eng_calendar *cal, int year, mc_buf *out);

/* ------------------------------------------------------------------- days */

typedef enum {
  ENG_DAY_WORKING,  /* an ordinary day with office hours */
  ENG_DAY_WEEKEND,  /* a weekday with no office hours (Saturday, Sunday) */
  ENG_DAY_HOLIDAY,  /* a day off by law (ngày lễ, Tết) */
  ENG_DAY_SWAP,     /* a working day given off, paid back by a make-up day */
  ENG_DAY_MAKEUP,   /* a day without office hours worked to pay a swap back */
} eng_day_kind;

typedef struct eng_day_info {
  int64_t day;            /* day number (base/instant.h) */
  eng_day_kind kind;
  int weekday;            /* 0 = Monday */
  bool working;           /* has office hours */
  const char *note;       /* what the data says of the day ("Tết Nguyên đán"), or NULL */
  int64_t paired_day;     /* the make-up day of a swap day, the swap day of a
                             make-up day; -1 when none */
  int64_t open_ms;        /* ms after local midnight of the first opening */
  int64_t close_ms;       /* ms after local midnight of the last close */
} eng_day_info;

/* Describes a local day.  MC_ECALYEAR when the year is not described. */
int eng_calendar_day(const eng_calendar *cal, int64_t day, eng_day_info *out);

/* "weekend", "holiday", "swap day", "make-up day", "working day". */
const char *eng_day_kind_name(eng_day_kind kind);

/* ------------------------------------------------------------ computation */

#define ENG_NO_CUTOFF (-1)

/* What a computation did, step by step, for --explain and for the auditor.
 * Delivered in time order. */
typedef enum {
  ENG_EXPLAIN_RECEIVED,   /* the instant given, and where it falls */
  ENG_EXPLAIN_MOVED,      /* start moved: outside office hours, or after the cut-off */
  ENG_EXPLAIN_RECEPTION,  /* the day of reception, not counted */
  ENG_EXPLAIN_COUNTED,    /* a day (or the working time of a day) counted */
  ENG_EXPLAIN_SKIPPED,    /* a day without office hours passed over */
  ENG_EXPLAIN_DUE,        /* the due instant */
} eng_explain_kind;

typedef struct eng_explain_step {
  eng_explain_kind kind;
  const eng_day_info *day;  /* the day concerned (NULL for none) */
  mc_instant at;            /* RECEIVED, MOVED, DUE: the instant */
  int64_t count;            /* COUNTED: ordinal of the day (days) or ms counted that day (hours);
                               total counted so far in `total` */
  int64_t total;
  const char *reason;       /* MOVED: why, in English */
} eng_explain_step;

typedef void (*eng_explain_fn)(void *opaque, const eng_explain_step *step);

/* Options of a deadline computation.  Zero-initialise, then set cutoff. */
typedef struct eng_calc {
  int cutoff_min;              /* minutes after local midnight (15:00 = 900), or ENG_NO_CUTOFF */
  eng_explain_fn explain;      /* NULL: no explanation */
  void *explain_opaque;
  int missing_year;            /* out: set when a function returns MC_ECALYEAR */
} eng_calc;

#define ENG_CALC_INIT {ENG_NO_CUTOFF, NULL, NULL, 0}

typedef enum {
  ENG_UNIT_WORKING_DAYS,
  ENG_UNIT_WORKING_HOURS,
  ENG_UNIT_CALENDAR_DAYS,
  ENG_UNIT_HOURS,          /* hours on the clock, office hours or not (ĐN Art. 15.2: 24 giờ) */
} eng_time_unit;

/* A legal time limit with its unit. */
typedef struct eng_duration {
  eng_time_unit unit;
  int64_t amount;  /* days, or hours for ENG_UNIT_WORKING_HOURS and ENG_UNIT_HOURS */
} eng_duration;

/* Largest amount accepted (about 27 years of days): beyond it, MC_ERANGE. */
#define ENG_DURATION_MAX 10000

/* Parses "3 working days", "8 working hours", "15 days", "15 calendar days",
 * "1 working day", "24 hours", and the Vietnamese "3 ngày làm việc",
 * "8 giờ làm việc", "15 ngày", "24 giờ".  Returns 0, or MC_EPARSE / MC_ERANGE. */
int eng_duration_parse(const char *text, eng_duration *out);

/* "3 working days" / "1 working hour" / "15 calendar days" / "24 hours". */
int eng_duration_format(eng_duration d, mc_buf *out);

/* The due instant of a limit counted from `from` (dispatches on the unit;
 * hours on the clock are added to `from` as they are). */
int eng_calendar_add(const eng_calendar *cal, mc_instant from, eng_duration d, eng_calc *calc,
                     mc_instant *due);

/* N working days: the close of office hours of the N-th working day after the
 * day of reception (N = 0: of the day of reception itself). */
int eng_calendar_add_working_days(const eng_calendar *cal, mc_instant from, int64_t n,
                                  eng_calc *calc, mc_instant *due);

/* `ms` of working time counted from the start (the instant, or the next
 * opening); ending exactly at a close gives that close. */
int eng_calendar_add_working_time(const eng_calendar *cal, mc_instant from, int64_t ms,
                                  eng_calc *calc, mc_instant *due);

/* N calendar days after the day of reception, moved to the next working day
 * when that day is off; the close of office hours of that day. */
int eng_calendar_add_calendar_days(const eng_calendar *cal, mc_instant from, int64_t n,
                                   eng_calc *calc, mc_instant *due);

/* Working time in [a, b), in ms; negative when b < a. */
int eng_calendar_working_time_between(const eng_calendar *cal, mc_instant a, mc_instant b,
                                      eng_calc *calc, int64_t *ms);

/* The first opening of a session at or after `t`: at 09:00 inside the
 * morning session this is 13:00, the afternoon's opening.  (Counting uses
 * "t itself if inside a session, else the next opening"; that start is what
 * the explanation reports as MOVED.) */
int eng_calendar_next_opening(const eng_calendar *cal, mc_instant t, eng_calc *calc,
                              mc_instant *out);

/* Whether `t` is inside a session (opening inclusive, close exclusive). */
int eng_calendar_is_working_time(const eng_calendar *cal, mc_instant t, eng_calc *calc,
                                 bool *out);

#endif
