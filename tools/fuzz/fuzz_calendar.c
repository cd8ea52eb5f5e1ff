/* fuzz_calendar.c — libFuzzer target: any bytes as a calendar file, then a
 * few computations on what parsed. */
#include "calendar/calendar.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  eng_calendar *cal = NULL;
  mc_diag_sink sink = {0};
  mc_source src = {"fuzz.cal", (const char *)data, size};
  if (eng_calendar_parse(&src, 1, &sink, &cal) == 0) {
    mc_instant due, t0 = INT64_C(1767225600000); /* 2026-01-01T00:00Z */
    eng_calc calc = ENG_CALC_INIT;
    int64_t ms;
    for (int i = 0; i < 8; i++) {
      mc_instant t = t0 + (mc_instant)i * 37 * MC_MS_PER_HOUR;
      eng_calendar_add_working_days(cal, t, i, &calc, &due);
      eng_calendar_add_working_time(cal, t, i * MC_MS_PER_HOUR, &calc, &due);
      eng_calendar_add_calendar_days(cal, t, i * 3, &calc, &due);
      eng_calendar_working_time_between(cal, t0, t, &calc, &ms);
    }
    eng_calendar_free(cal);
  }
  return 0;
}
