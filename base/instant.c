/* instant.c — see instant.h. */
#include "instant.h"

#include "error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* http://howardhinnant.github.io/date_algorithms.html, days_from_civil. */
int64_t mc_days_from_civil(int y, int m, int d) {
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void mc_civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t dd = doy - (153 * mp + 2) / 5 + 1;
  int64_t mm = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yoe + era * 400 + (mm <= 2));
  *m = (int)mm;
  *d = (int)dd;
}

int mc_weekday(int64_t days) {
  /* 1970-01-01 was a Thursday (3). */
  int64_t w = (days + 3) % 7;
  return (int)(w < 0 ? w + 7 : w);
}

bool mc_is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int mc_days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12)
    return 0;
  return m == 2 && mc_is_leap_year(y) ? 29 : days[m - 1];
}

void mc_instant_split(mc_instant t, int offset_min, int64_t *days, int64_t *ms_of_day) {
  int64_t local = t + (int64_t)offset_min * MC_MS_PER_MINUTE;
  int64_t d = local / MC_MS_PER_DAY;
  int64_t r = local % MC_MS_PER_DAY;
  if (r < 0) {
    r += MC_MS_PER_DAY;
    d--;
  }
  *days = d;
  *ms_of_day = r;
}

mc_instant mc_instant_join(int64_t days, int64_t ms_of_day, int offset_min) {
  return days * MC_MS_PER_DAY + ms_of_day - (int64_t)offset_min * MC_MS_PER_MINUTE;
}

/* Reads exactly `n` digits. */
static int read_digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i]))
      return MC_EPARSE;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 0;
}

int mc_instant_parse(const char *text, int default_offset_min, mc_instant *out) {
  const char *p = text;
  int y, mo, d, h = 0, mi = 0, s = 0, ms = 0, offset = default_offset_min;

  while (*p == ' ')
    p++;
  if (read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) || *p++ != '-' ||
      read_digits(&p, 2, &d))
    return MC_EPARSE;
  if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
    p++;
    if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi))
      return MC_EPARSE;
    if (*p == ':') {
      p++;
      if (read_digits(&p, 2, &s))
        return MC_EPARSE;
      if (*p == '.' || *p == ',') {
        int digits = 0;
        p++;
        if (!isdigit((unsigned char)*p))
          return MC_EPARSE;
        while (isdigit((unsigned char)*p)) {
          if (digits < 3) {
            ms = ms * 10 + (*p - '0');
            digits++;
          }
          p++;
        }
        while (digits++ < 3)
          ms *= 10;
      }
    }
  }
  if (*p == 'Z' || *p == 'z') {
    offset = 0;
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1, oh, om = 0;
    p++;
    if (read_digits(&p, 2, &oh))
      return MC_EPARSE;
    if (*p == ':')
      p++;
    if (isdigit((unsigned char)*p) && read_digits(&p, 2, &om))
      return MC_EPARSE;
    if (oh > 14 || om > 59)
      return MC_ERANGE;
    offset = sign * (oh * 60 + om);
  }
  while (*p == ' ')
    p++;
  if (*p != '\0')
    return MC_EPARSE;
  if (mo < 1 || mo > 12 || d < 1 || d > mc_days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
    return MC_ERANGE;
  *out = mc_instant_join(mc_days_from_civil(y, mo, d),
                         ((int64_t)h * 3600 + mi * 60 + s) * 1000 + ms, offset);
  return 0;
}

void mc_instant_format(mc_instant t, int offset_min, char out[MC_INSTANT_STRLEN]) {
  int64_t days, msd;
  int y, m, d, n;

  mc_instant_split(t, offset_min, &days, &msd);
  mc_civil_from_days(days, &y, &m, &d);
  int h = (int)(msd / MC_MS_PER_HOUR), mi = (int)(msd / MC_MS_PER_MINUTE % 60),
      s = (int)(msd / 1000 % 60), ms = (int)(msd % 1000);
  n = snprintf(out, MC_INSTANT_STRLEN, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, h, mi, s);
  if (ms)
    n += snprintf(out + n, (size_t)(MC_INSTANT_STRLEN - n), ".%03d", ms);
  if (offset_min == 0)
    snprintf(out + n, (size_t)(MC_INSTANT_STRLEN - n), "Z");
  else {
    int a = offset_min < 0 ? -offset_min : offset_min;
    snprintf(out + n, (size_t)(MC_INSTANT_STRLEN - n), "%c%02d:%02d", offset_min < 0 ? '-' : '+',
             a / 60, a % 60);
  }
}

mc_instant mc_clock_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (mc_instant)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *mc_weekday_name_vi(int weekday) {
  static const char *const names[] = {"T2", "T3", "T4", "T5", "T6", "T7", "CN"};
  return weekday >= 0 && weekday < 7 ? names[weekday] : "?";
}

const char *mc_weekday_name_en(int weekday) {
  static const char *const names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  return weekday >= 0 && weekday < 7 ? names[weekday] : "?";
}

uint64_t mc_mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t mc_mono_ms(void) { return mc_mono_ns() / 1000000u; }
