/* test_instant.c — base/instant.c: civil dates, ISO 8601 in and out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/instant.h"

#include <stdlib.h>

static void civil_round_trip_over_centuries(void **state) {
  (void)state;
  for (int64_t d = -800000; d <= 800000; d += 7) {
    int y, m, dd;
    mc_civil_from_days(d, &y, &m, &dd);
    assert_int_equal(mc_days_from_civil(y, m, dd), d);
  }
  assert_int_equal(mc_days_from_civil(1970, 1, 1), 0);
  assert_int_equal(mc_days_from_civil(2026, 2, 17), 20501);
  assert_int_equal(mc_weekday(mc_days_from_civil(2026, 2, 17)), 1); /* Tuesday */
  assert_int_equal(mc_weekday(mc_days_from_civil(1969, 12, 31)), 2); /* Wednesday */
  assert_int_equal(mc_days_in_month(2024, 2), 29);
  assert_int_equal(mc_days_in_month(2100, 2), 28);
  assert_int_equal(mc_days_in_month(2000, 2), 29);
}

static void parse_forms(void **state) {
  (void)state;
  mc_instant t;
  char s[MC_INSTANT_STRLEN];
  assert_int_equal(mc_instant_parse("2026-02-10T09:00", 420, &t), 0);
  mc_instant_format(t, 0, s);
  assert_string_equal(s, "2026-02-10T02:00:00Z");
  mc_instant_format(t, 420, s);
  assert_string_equal(s, "2026-02-10T09:00:00+07:00");

  assert_int_equal(mc_instant_parse("2026-02-10 09:00:30.25+07:00", 0, &t), 0);
  mc_instant_format(t, 420, s);
  assert_string_equal(s, "2026-02-10T09:00:30.250+07:00");
  assert_int_equal(mc_instant_parse("2026-02-10T02:00Z", 420, &t), 0);
  mc_instant_format(t, 420, s);
  assert_string_equal(s, "2026-02-10T09:00:00+07:00");
  assert_int_equal(mc_instant_parse("2026-02-10", 420, &t), 0);
  mc_instant_format(t, 420, s);
  assert_string_equal(s, "2026-02-10T00:00:00+07:00");
  assert_int_equal(mc_instant_parse("2026-02-09T20:00-05:00", 420, &t), 0);
  mc_instant_format(t, 420, s);
  assert_string_equal(s, "2026-02-10T08:00:00+07:00");
}

static void parse_refusals(void **state) {
  (void)state;
  mc_instant t;
  assert_int_equal(mc_instant_parse("", 420, &t), MC_EPARSE);
  assert_int_equal(mc_instant_parse("10/02/2026", 420, &t), MC_EPARSE);
  assert_int_equal(mc_instant_parse("2026-02-10T9:00", 420, &t), MC_EPARSE);
  assert_int_equal(mc_instant_parse("2026-02-10T09:00 tomorrow", 420, &t), MC_EPARSE);
  assert_int_equal(mc_instant_parse("2026-02-30T09:00", 420, &t), MC_ERANGE);
  assert_int_equal(mc_instant_parse("2026-13-01", 420, &t), MC_ERANGE);
  assert_int_equal(mc_instant_parse("2026-02-10T24:00", 420, &t), MC_ERANGE);
  assert_int_equal(mc_instant_parse("2026-02-10T09:00+15:00", 420, &t), MC_ERANGE);
}

static void split_before_epoch(void **state) {
  (void)state;
  int64_t day, ms;
  mc_instant_split(-1, 0, &day, &ms);
  assert_int_equal(day, -1);
  assert_int_equal(ms, MC_MS_PER_DAY - 1);
  assert_int_equal(mc_instant_join(day, ms, 0), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(civil_round_trip_over_centuries),
      cmocka_unit_test(parse_forms),
      cmocka_unit_test(parse_refusals),
      cmocka_unit_test(split_before_epoch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
