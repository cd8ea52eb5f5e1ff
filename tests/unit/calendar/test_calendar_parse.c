/* test_calendar_parse.c — calendar/parse.c: what an agency clerk sees
 * when a calendar file is wrong.
 *
 * Golden tests (tests/unit/golden.h): each calendar-errors/NAME.cal is
 * parsed, every diagnostic is rendered as the command line prints it, and
 * the result must equal calendar-errors/NAME.err.
 *
 * Then direct tests: the bundled calendar parses cleanly, the tables say what
 * each 2026 and 2027 day is, invalid UTF-8 and empty input are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/file.h"
#include "calendar/calendar.h"
#include "golden.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN_DIR MOTCUA_SOURCE_DIR "/tests/unit/calendar/calendar-errors"

static void render(void *opaque, const mc_diag *d) { mc_diag_format(opaque, d); }

static bool parse_case(const mc_source *src, int n, mc_buf *diags, mc_diag_sink *sink) {
  (void)diags;
  eng_calendar *cal = NULL;
  int rc = eng_calendar_parse(src, n, sink, &cal);
  eng_calendar_free(cal);
  return rc == MC_EPARSE && cal == NULL && sink->errors > 0;
}

static void golden_diagnostics(void **state) {
  (void)state;
  int cases = golden_run(GOLDEN_DIR, ".cal", parse_case);
  assert_true(cases >= 15);
}

/* ------------------------------------------------------------ direct tests */

static eng_calendar *parse_text(const char *text, mc_buf *diags) {
  mc_source src = {"t.cal", text, strlen(text)};
  mc_diag_sink sink = {.fn = render, .opaque = diags, .lang = MC_LANG_EN};
  eng_calendar *cal = NULL;
  eng_calendar_parse(&src, 1, &sink, &cal);
  return cal;
}

static eng_calendar *load_bundled(mc_buf *diags) {
  mc_diag_sink sink = {.fn = render, .opaque = diags, .lang = MC_LANG_EN};
  eng_calendar *cal = NULL;
  eng_calendar_load_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &cal);
  return cal;
}

static void bundled_calendar_is_clean(void **state) {
  (void)state;
  mc_buf diags = MC_BUF_INIT;
  eng_calendar *cal = load_bundled(&diags);
  assert_string_equal(mc_buf_cstr(&diags), "");
  assert_non_null(cal);
  assert_string_equal(eng_calendar_id(cal), "vn");
  assert_string_equal(eng_calendar_zone(cal), "Asia/Ho_Chi_Minh");
  assert_int_equal(eng_calendar_offset_min(cal), 420);
  assert_true(eng_calendar_has_year(cal, 2025));
  assert_true(eng_calendar_has_year(cal, 2026));
  assert_true(eng_calendar_has_year(cal, 2027));
  assert_false(eng_calendar_has_year(cal, 2028));
  assert_false(eng_calendar_has_year(cal, 2024));
  eng_calendar_free(cal);
  mc_buf_free(&diags);
}

static void what_each_day_is(void **state) {
  (void)state;
  mc_buf diags = MC_BUF_INIT;
  eng_calendar *cal = load_bundled(&diags);
  eng_day_info info;
  assert_non_null(cal);

  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 2, 17), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_HOLIDAY);
  assert_false(info.working);
  assert_string_equal(info.note, "Tết Nguyên đán Bính Ngọ");

  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 1, 2), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_SWAP);
  assert_false(info.working);
  assert_int_equal(info.paired_day, mc_days_from_civil(2026, 1, 10));

  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 1, 10), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_MAKEUP);
  assert_true(info.working);
  assert_int_equal(info.weekday, 5); /* a Saturday ... */
  assert_int_equal(info.open_ms, (7 * 60 + 30) * 60000); /* ... with Friday's sessions */
  assert_int_equal(info.close_ms, 17 * 3600000);
  assert_int_equal(info.paired_day, mc_days_from_civil(2026, 1, 2));

  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 1, 17), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_WEEKEND);
  assert_null(info.note);

  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 3, 3), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_WORKING);

  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2028, 1, 3), &info), MC_ECALYEAR);

  /* Counting 2026: 365 days - 104 weekend days - 11 weekday holidays and swap
   * days (1/1, 2/1, 16-20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9 = 13) + 2 make-up
   * Saturdays = 250 working days. */
  int working = 0;
  for (int64_t d = mc_days_from_civil(2026, 1, 1); d < mc_days_from_civil(2027, 1, 1); d++) {
    assert_int_equal(eng_calendar_day(cal, d, &info), 0);
    working += info.working;
  }
  assert_int_equal(working, 365 - 104 - 13 + 2);

  /* 2027 (vn-2027.cal, the statutory days): mùng 1 Tết on a Saturday is a
   * holiday, and the days that make up for the weekend say so. */
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2027, 2, 6), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_HOLIDAY);
  assert_string_equal(info.note, "Tết Nguyên đán Đinh Mùi");
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2027, 2, 10), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_HOLIDAY);
  assert_false(info.working);
  assert_string_equal(info.note, "Nghỉ bù Tết Nguyên đán Đinh Mùi (06/02, 07/02 là thứ Bảy, Chủ nhật)");
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2027, 5, 3), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_HOLIDAY);
  assert_string_equal(info.note, "Nghỉ bù Ngày Quốc tế Lao động (01/05 là thứ Bảy)");
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2027, 2, 12), &info), 0);
  assert_int_equal(info.kind, ENG_DAY_WORKING);

  /* Counting 2027: 365 days - 104 weekend days - 11 weekday holidays (1/1,
   * 5/2, 8-11/2, 16/4, 30/4, 3/5, 2/9, 3/9; 6/2, 7/2 and 1/5 fall on a
   * weekend) = 250 working days; no swap or make-up days. */
  working = 0;
  for (int64_t d = mc_days_from_civil(2027, 1, 1); d < mc_days_from_civil(2028, 1, 1); d++) {
    assert_int_equal(eng_calendar_day(cal, d, &info), 0);
    assert_true(info.kind != ENG_DAY_SWAP && info.kind != ENG_DAY_MAKEUP);
    working += info.working;
  }
  assert_int_equal(working, 365 - 104 - 11);
  eng_calendar_free(cal);
  mc_buf_free(&diags);
}

static void missing_year_names_the_files(void **state) {
  (void)state;
  mc_buf diags = MC_BUF_INIT, msg = MC_BUF_INIT;
  eng_calendar *cal = load_bundled(&diags);
  assert_int_equal(eng_calendar_describe_missing_year(cal, 2028, &msg), 0);
  assert_non_null(strstr(mc_buf_cstr(&msg), "has no data for 2028"));
  assert_non_null(strstr(mc_buf_cstr(&msg), "vn-2025.cal:12)"));
  assert_non_null(strstr(mc_buf_cstr(&msg), "vn-2026.cal:12)"));
  assert_non_null(strstr(mc_buf_cstr(&msg), "vn-2027.cal, "));
  assert_non_null(strstr(mc_buf_cstr(&msg), "vn-2027.cal:24)"));
  assert_non_null(strstr(mc_buf_cstr(&msg), "year 2028 { ... }"));
  eng_calendar_free(cal);
  mc_buf_free(&diags);
  mc_buf_free(&msg);
}

static void unreadable_files_are_reported(void **state) {
  (void)state;
  mc_buf diags = MC_BUF_INIT;
  mc_diag_sink sink = {.fn = render, .opaque = &diags, .lang = MC_LANG_EN};
  eng_calendar *cal = NULL;
  const char *paths[] = {MOTCUA_WORKFLOWS_DIR "/calendars/vn.cal", "/nonexistent/vn-2030.cal"};
  assert_int_equal(eng_calendar_load(paths, 2, &sink, &cal), MC_ENOENT);
  assert_null(cal);
  assert_non_null(strstr(mc_buf_cstr(&diags),
                         "error: cannot read the calendar file /nonexistent/vn-2030.cal: no such file"));
  mc_buf_reset(&diags);
  assert_int_equal(eng_calendar_load_dir("/nonexistent", &sink, &cal), MC_ENOENT);
  assert_non_null(strstr(mc_buf_cstr(&diags), "cannot open the calendar directory /nonexistent"));
  mc_buf_reset(&diags);
  assert_int_equal(eng_calendar_load_dir(MOTCUA_SOURCE_DIR "/docs", &sink, &cal), MC_ENOENT);
  assert_non_null(strstr(mc_buf_cstr(&diags), "there is no .cal file in"));
  mc_buf_free(&diags);
}

static void refuses_invalid_utf8_and_empty_input(void **state) {
  (void)state;
  mc_buf diags = MC_BUF_INIT;
  const char bad[] = "calendar \"t\"\ntimezone \"UTC\"\noffice-hours {\n mon 08:00-12:00\n}\n"
                     "year 2026 {\n 01/01 holiday \"T\xe1\xbb\"\n}\n";
  assert_null(parse_text(bad, &diags));
  assert_non_null(strstr(mc_buf_cstr(&diags), "t.cal:7:18: error: this text is not valid UTF-8"));

  mc_buf_reset(&diags);
  assert_null(parse_text("", &diags));
  assert_non_null(strstr(mc_buf_cstr(&diags), "the calendar has no time zone"));
  assert_non_null(strstr(mc_buf_cstr(&diags), "the calendar has no office hours"));

  mc_buf_reset(&diags);
  mc_diag_sink sink = {.fn = render, .opaque = &diags, .lang = MC_LANG_EN};
  eng_calendar *cal = (eng_calendar *)&sink; /* must be reset to NULL */
  assert_int_equal(eng_calendar_parse(NULL, 0, &sink, &cal), MC_EPARSE);
  assert_null(cal);
  assert_string_equal(mc_buf_cstr(&diags), "error: no calendar file was given\nhint: name at least one calendar file\n");
  mc_buf_free(&diags);
}

static void accepts_flexible_spellings(void **state) {
  (void)state;
  mc_buf diags = MC_BUF_INIT;
  /* Vietnamese weekday names, a list, CRLF line ends, comments after
   * statements, full dates in either order. */
  const char text[] = "calendar \"t\" # thử\r\ntimezone UTC+7\r\noffice-hours {\r\n"
                      "  T2,T3,T4,T5,T6 07:30-11:30 13:00-17:00\r\n  T7 07:30-11:30\r\n}\r\n"
                      "year 2026 {\r\n  2026-01-01 holiday \"a \\\"b\\\"\"\r\n  02/09/2026 holiday \"Quốc khánh\"\r\n}\r\n";
  eng_calendar *cal = parse_text(text, &diags);
  assert_string_equal(mc_buf_cstr(&diags), "");
  assert_non_null(cal);
  assert_int_equal(eng_calendar_offset_min(cal), 420);
  eng_day_info info;
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 1, 1), &info), 0);
  assert_string_equal(info.note, "a \"b\"");
  assert_int_equal(eng_calendar_day(cal, mc_days_from_civil(2026, 1, 3), &info), 0);
  assert_true(info.working); /* Saturday mornings open in this calendar */
  assert_int_equal(info.close_ms, (11 * 60 + 30) * 60000);
  eng_calendar_free(cal);
  mc_buf_free(&diags);
}

static void garbage_never_crashes(void **state) {
  (void)state;
  /* Deterministic junk: every byte value, deep braces, long lines. */
  uint64_t x = 88172645463325252u;
  mc_buf text = MC_BUF_INIT, diags = MC_BUF_INIT;
  for (int round = 0; round < 300; round++) {
    mc_buf_reset(&text);
    int len = (int)(x % 2000);
    for (int i = 0; i < len; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      static const char alphabet[] = "{}\"\n #/.-:0123456789 year holiday swap makeup for calendar timezone office-hours mon-fri";
      uint8_t c = (x & 3) ? (uint8_t)alphabet[(x >> 8) % (sizeof alphabet - 1)] : (uint8_t)(x >> 16);
      mc_buf_append_byte(&text, c);
    }
    mc_source src = {"junk", mc_buf_cstr(&text), text.len};
    mc_diag_sink sink = {.fn = render, .opaque = &diags, .lang = MC_LANG_EN};
    eng_calendar *cal = NULL;
    mc_buf_reset(&diags);
    int rc = eng_calendar_parse(&src, 1, &sink, &cal);
    assert_true(rc == 0 || rc == MC_EPARSE);
    assert_true((rc == 0) == (cal != NULL));
    eng_calendar_free(cal);
  }
  mc_buf_free(&text);
  mc_buf_free(&diags);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(golden_diagnostics),
      cmocka_unit_test(bundled_calendar_is_clean),
      cmocka_unit_test(what_each_day_is),
      cmocka_unit_test(missing_year_names_the_files),
      cmocka_unit_test(unreadable_files_are_reported),
      cmocka_unit_test(refuses_invalid_utf8_and_empty_input),
      cmocka_unit_test(accepts_flexible_spellings),
      cmocka_unit_test(garbage_never_crashes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
