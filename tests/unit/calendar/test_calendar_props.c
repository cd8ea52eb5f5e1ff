/* test_calendar_props.c — properties of working-time arithmetic that must
 * hold for every instant, checked over random instants of 2025-2027.
 *
 *   - adding N working hours, then measuring the working time between the
 *     start and the due instant, gives N;
 *   - a due instant always lies in office hours (inside a session, or at
 *     its close);
 *   - adding more never gives an earlier instant, and a later reception never
 *     gives an earlier deadline (with and without the cut-off);
 *   - working time between is additive and antisymmetric;
 *   - day-based deadlines are always the close of a working day;
 *   - the next opening is in office hours with no working time before it.
 * The generator is seeded, so a failure is reproducible; the failing instant
 * is printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "calendar/calendar.h"

#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 20000

static uint64_t rng_state;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Du;
}

static eng_calendar *cal;
static mc_instant range_start, range_end;

static int setup(void **state) {
  (void)state;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  int rc = eng_calendar_load_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &cal);
  /* Instants whose deadlines (up to ~60 working days) stay inside 2027. */
  mc_instant_parse("2025-01-01T00:00", 420, &range_start);
  mc_instant_parse("2027-09-01T00:00", 420, &range_end);
  rng_state = 0x853c49e6748fea9bu;
  return rc;
}

static int teardown(void **state) {
  (void)state;
  eng_calendar_free(cal);
  return 0;
}

static mc_instant random_instant(void) {
  /* Bias a third of the draws onto whole minutes and session boundaries,
   * where off-by-one mistakes live. */
  mc_instant t = range_start + (mc_instant)(rng() % (uint64_t)(range_end - range_start));
  switch (rng() % 6) {
  case 0: return t - t % MC_MS_PER_MINUTE;
  case 1: {
    static const int boundaries[] = {7 * 60 + 30, 11 * 60 + 30, 13 * 60, 15 * 60, 17 * 60, 0};
    int64_t day, msd;
    mc_instant_split(t, 420, &day, &msd);
    return mc_instant_join(day, boundaries[rng() % 6] * MC_MS_PER_MINUTE, 420);
  }
  default: return t;
  }
}

static void fail_at(const char *what, mc_instant t, int64_t n, mc_instant got) {
  char a[MC_INSTANT_STRLEN], b[MC_INSTANT_STRLEN];
  mc_instant_format(t, 420, a);
  mc_instant_format(got, 420, b);
  fail_msg("%s: from %s, n=%lld, got %s", what, a, (long long)n, b);
}

/* In office hours: inside a session, or exactly at its close. */
static bool in_office_hours(mc_instant t) {
  bool at, before;
  assert_int_equal(eng_calendar_is_working_time(cal, t, NULL, &at), 0);
  assert_int_equal(eng_calendar_is_working_time(cal, t - 1, NULL, &before), 0);
  return at || before;
}

static void hours_round_trip_and_stay_in_office_hours(void **state) {
  (void)state;
  for (int i = 0; i < ROUNDS; i++) {
    mc_instant from = random_instant(), due;
    int64_t ms = (int64_t)(rng() % (40 * 60)) * MC_MS_PER_MINUTE, between;
    if (rng() % 4 == 0)
      ms = (int64_t)(rng() % 41) * MC_MS_PER_HOUR; /* whole hours too */
    eng_calc calc = ENG_CALC_INIT;
    assert_int_equal(eng_calendar_add_working_time(cal, from, ms, &calc, &due), 0);
    assert_int_equal(eng_calendar_working_time_between(cal, from, due, NULL, &between), 0);
    if (between != ms)
      fail_at("working time between start and due differs from the time added", from, ms, due);
    if (!in_office_hours(due))
      fail_at("due instant outside office hours", from, ms, due);
    if (due < from)
      fail_at("due before the start", from, ms, due);
  }
}

static void more_time_never_earlier(void **state) {
  (void)state;
  for (int i = 0; i < ROUNDS / 4; i++) {
    mc_instant from = random_instant();
    eng_calc calc = ENG_CALC_INIT;
    calc.cutoff_min = (rng() & 1) ? 15 * 60 : ENG_NO_CUTOFF;
    for (eng_time_unit unit = ENG_UNIT_WORKING_DAYS; unit <= ENG_UNIT_CALENDAR_DAYS; unit++) {
      mc_instant prev = INT64_MIN;
      for (int64_t n = 0; n <= 30; n++) {
        mc_instant due;
        eng_duration d = {unit, n};
        assert_int_equal(eng_calendar_add(cal, from, d, &calc, &due), 0);
        if (due < prev)
          fail_at("adding more gave an earlier instant", from, n, due);
        if (unit == ENG_UNIT_WORKING_DAYS && n > 0 && due == prev)
          fail_at("one more working day gave the same instant", from, n, due);
        if (!in_office_hours(due))
          fail_at("due instant outside office hours", from, n, due);
        prev = due;
      }
    }
  }
}

static void later_reception_never_earlier(void **state) {
  (void)state;
  for (int i = 0; i < ROUNDS; i++) {
    mc_instant a = random_instant();
    mc_instant b = a + (mc_instant)(rng() % (3 * MC_MS_PER_DAY));
    eng_calc calc = ENG_CALC_INIT;
    calc.cutoff_min = (rng() & 1) ? 15 * 60 : ENG_NO_CUTOFF;
    eng_duration d = {(eng_time_unit)(rng() % 3), (int64_t)(rng() % 20)};
    mc_instant due_a, due_b;
    assert_int_equal(eng_calendar_add(cal, a, d, &calc, &due_a), 0);
    assert_int_equal(eng_calendar_add(cal, b, d, &calc, &due_b), 0);
    if (due_b < due_a)
      fail_at("a later reception gave an earlier deadline", b, d.amount, due_b);
  }
}

static void day_deadlines_are_closes_of_working_days(void **state) {
  (void)state;
  for (int i = 0; i < ROUNDS; i++) {
    mc_instant from = random_instant(), due;
    eng_calc calc = ENG_CALC_INIT;
    calc.cutoff_min = (rng() & 1) ? 15 * 60 : ENG_NO_CUTOFF;
    eng_duration d = {(rng() & 1) ? ENG_UNIT_WORKING_DAYS : ENG_UNIT_CALENDAR_DAYS,
                      (int64_t)(rng() % 40)};
    int64_t day, msd;
    eng_day_info info;
    assert_int_equal(eng_calendar_add(cal, from, d, &calc, &due), 0);
    mc_instant_split(due, 420, &day, &msd);
    assert_int_equal(eng_calendar_day(cal, day, &info), 0);
    if (!info.working || msd != info.close_ms)
      fail_at("a day-based deadline is not the close of a working day", from, d.amount, due);
    if (due <= from)
      fail_at("a day-based deadline is not after the reception", from, d.amount, due);
  }
}

static void between_is_additive_and_antisymmetric(void **state) {
  (void)state;
  for (int i = 0; i < ROUNDS; i++) {
    mc_instant a = random_instant();
    mc_instant b = a + (mc_instant)(rng() % (20 * MC_MS_PER_DAY));
    mc_instant c = b + (mc_instant)(rng() % (20 * MC_MS_PER_DAY));
    int64_t ab, bc, ac, ba;
    assert_int_equal(eng_calendar_working_time_between(cal, a, b, NULL, &ab), 0);
    assert_int_equal(eng_calendar_working_time_between(cal, b, c, NULL, &bc), 0);
    assert_int_equal(eng_calendar_working_time_between(cal, a, c, NULL, &ac), 0);
    assert_int_equal(eng_calendar_working_time_between(cal, b, a, NULL, &ba), 0);
    assert_int_equal(ab + bc, ac);
    assert_int_equal(ba, -ab);
    assert_true(ab >= 0 && ab <= b - a);
  }
}

static void next_opening_is_the_first_working_instant(void **state) {
  (void)state;
  for (int i = 0; i < ROUNDS; i++) {
    mc_instant t = random_instant(), open;
    bool working;
    int64_t between;
    assert_int_equal(eng_calendar_next_opening(cal, t, NULL, &open), 0);
    assert_true(open >= t);
    assert_int_equal(eng_calendar_is_working_time(cal, open, NULL, &working), 0);
    if (!working)
      fail_at("the next opening is not working time", t, 0, open);
    assert_int_equal(eng_calendar_is_working_time(cal, open - 1, NULL, &working), 0);
    if (working)
      fail_at("the next opening is not the start of a session", t, 0, open);
    assert_int_equal(eng_calendar_is_working_time(cal, t, NULL, &working), 0);
    if (!working) {
      assert_int_equal(eng_calendar_working_time_between(cal, t, open, NULL, &between), 0);
      assert_int_equal(between, 0);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hours_round_trip_and_stay_in_office_hours),
      cmocka_unit_test(more_time_never_earlier),
      cmocka_unit_test(later_reception_never_earlier),
      cmocka_unit_test(day_deadlines_are_closes_of_working_days),
      cmocka_unit_test(between_is_additive_and_antisymmetric),
      cmocka_unit_test(next_opening_is_the_first_working_instant),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
