/* calendar-int.h — the calendar's tables, shared by parse.c (which
 * builds them) and calendar.c (which computes with them).  Not for use
 * outside calendar/. */
#ifndef ENG_CALENDAR_INT_H
#define ENG_CALENDAR_INT_H

#include "base/arena.h"
#include "base/diag.h"
#include "calendar/calendar.h"

/* Reports an error of a calendar file (report.c), in the sink's language:
 * the English format is looked up in cal__messages_vi (messages_vi.c). */
void cal__error(mc_diag_sink *sink, const mc_source *src, size_t offset, size_t span_bytes, const char *hint,
                const char *fmt, ...) MC__PRINTF(6, 7);
extern const mc_diag_text cal__messages_vi[];

#define CAL_MAX_SESSIONS 6      /* sessions per weekday */
#define CAL_MIN_YEAR 1970
#define CAL_MAX_YEAR 9999

typedef struct cal_session {
  int32_t open_ms;  /* ms after local midnight */
  int32_t close_ms;
} cal_session;

typedef struct cal_hours {
  int nsessions;
  cal_session sessions[CAL_MAX_SESSIONS];
} cal_hours;

/* One local day of a described year. */
typedef struct cal_day {
  uint8_t kind;        /* eng_day_kind */
  int8_t hours_of;     /* weekday whose sessions apply, -1 when closed */
  uint16_t note;       /* index into notes, 0 = none */
  int32_t paired;      /* day number of the paired swap/make-up day, or INT32_MIN */
} cal_day;

/* Where a year was described, to tell the user which file to edit. */
typedef struct cal_year_src {
  const char *file;
  int line;
} cal_year_src;

struct eng_calendar {
  mc_arena arena;
  const char *id;
  const char *title;
  const char *zone;
  int offset_min;
  cal_hours weekday[7];       /* 0 = Monday */
  int first_year, last_year;  /* range of `years`; a year inside may be absent */
  int64_t first_day;          /* day number of first_year-01-01 */
  int64_t ndays;              /* days from first_year-01-01 to last_year-12-31 */
  cal_day *days;              /* ndays entries; kind 0xFF = year not described */
  cal_year_src *years;        /* last_year - first_year + 1 entries; file NULL = absent */
  const char **notes;         /* notes[0] = NULL */
  int nnotes;
  const char **files;         /* the files it was read from */
  int nfiles;
};

#define CAL_DAY_UNKNOWN 0xFF

#endif
