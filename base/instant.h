/* instant.h — instants and civil dates.
 *
 * An instant is an int64 count of milliseconds since 1970-01-01T00:00:00Z
 * (ARCHITECTURE.md: stored in UTC, shown in Asia/Ho_Chi_Minh).  A day number
 * is a count of days since 1970-01-01 in the proleptic Gregorian calendar;
 * the conversions are Howard Hinnant's exact integer algorithms, so there is
 * no dependency on the process's TZ or on libc's mktime.
 *
 * Weekdays are ISO: 0 = Monday ... 6 = Sunday.
 */
#ifndef MC_INSTANT_H
#define MC_INSTANT_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t mc_instant; /* milliseconds since the epoch, UTC */

#define MC_MS_PER_MINUTE INT64_C(60000)
#define MC_MS_PER_HOUR   INT64_C(3600000)
#define MC_MS_PER_DAY    INT64_C(86400000)

/* Day number of a civil date.  m is 1..12, d is 1..31 (not checked here). */
int64_t mc_days_from_civil(int y, int m, int d);
void mc_civil_from_days(int64_t days, int *y, int *m, int *d);

/* 0 = Monday ... 6 = Sunday. */
int mc_weekday(int64_t days);

bool mc_is_leap_year(int y);
int mc_days_in_month(int y, int m);

/* Floor division of an instant into (day number, millisecond of the day),
 * both in a zone `offset_min` minutes east of UTC. */
void mc_instant_split(mc_instant t, int offset_min, int64_t *days, int64_t *ms_of_day);
mc_instant mc_instant_join(int64_t days, int64_t ms_of_day, int offset_min);

/* Parses an ISO 8601 instant: "2026-02-10T09:00", "2026-02-10 09:00:30",
 * "2026-02-10T09:00:00.250+07:00", "...Z", or a bare date "2026-02-10"
 * (midnight).  Without an offset the time is taken as local time in a zone
 * `default_offset_min` east of UTC.  Returns 0 or MC_EPARSE / MC_ERANGE. */
int mc_instant_parse(const char *text, int default_offset_min, mc_instant *out);

/* Formats as "2026-02-23T17:00:00+07:00" ("Z" for offset 0; milliseconds only
 * when not zero).  `out` must hold MC_INSTANT_STRLEN bytes. */
#define MC_INSTANT_STRLEN 40
void mc_instant_format(mc_instant t, int offset_min, char out[MC_INSTANT_STRLEN]);

/* The wall clock, in milliseconds since the epoch.  Only the engine's writer
 * and the tools read it; nothing that applies events may. */
mc_instant mc_clock_now(void);

/* The monotonic clock (CLOCK_MONOTONIC), for durations and timeouts: it
 * never jumps with the wall clock. */
uint64_t mc_mono_ns(void);
uint64_t mc_mono_ms(void);

/* Vietnam's offset from UTC in minutes (Asia/Ho_Chi_Minh, UTC+7, no daylight
 * saving): what people read, when no calendar says otherwise. */
#define MC_VN_OFFSET_MIN 420

/* Short Vietnamese and English weekday names ("T2".."CN", "Mon".."Sun"). */
const char *mc_weekday_name_vi(int weekday);
const char *mc_weekday_name_en(int weekday);

#endif
