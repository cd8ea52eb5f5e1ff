/* test_diag.c — base/diag.c: positions in characters, caret under the spot. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/diag.h"

#include <string.h>

static void render(void *opaque, const mc_diag *d) { mc_diag_format(opaque, d); }

static void caret_under_a_vietnamese_word(void **state) {
  (void)state;
  const char *text = "calendar \"vn\"\n  16/02 holidy \"Tết\"\n";
  mc_source src = {"vn-2026.cal", text, strlen(text)};
  mc_buf out = MC_BUF_INIT;
  mc_diag_sink sink = {render, &out, 0, 0};
  const char *spot = strstr(text, "holidy");

  mc_diag_at(&sink, MC_DIAG_ERROR, &src, (size_t)(spot - text), 6, "did you mean holiday?",
             "unknown kind of day \"%s\"", "holidy");
  assert_int_equal(sink.errors, 1);
  assert_string_equal(mc_buf_cstr(&out),
                      "vn-2026.cal:2:9: error: unknown kind of day \"holidy\"\n"
                      "    2 |   16/02 holidy \"Tết\"\n"
                      "      |         ^~~~~~\n"
                      "hint: did you mean holiday?\n");
  mc_buf_free(&out);
}

static void columns_count_characters(void **state) {
  (void)state;
  const char *text = "x \"Tết Nguyên đán\" oops";
  mc_source src = {"f", text, strlen(text)};
  mc_buf out = MC_BUF_INIT;
  mc_diag_sink sink = {render, &out, 0, 0};
  mc_diag_at(&sink, MC_DIAG_WARNING, &src, (size_t)(strstr(text, "oops") - text), 4, NULL, "w");
  /* "x " + quoted 16 characters + " " = 19 characters before "oops" */
  assert_non_null(strstr(mc_buf_cstr(&out), "f:1:20: warning: w\n"));
  assert_int_equal(sink.warnings, 1);
  mc_buf_free(&out);
}

static void finding_about_no_file(void **state) {
  (void)state;
  mc_buf out = MC_BUF_INIT;
  mc_diag_sink sink = {render, &out, 0, 0};
  mc_diag_at(&sink, MC_DIAG_ERROR, NULL, 0, 0, NULL, "no calendar file was given");
  assert_string_equal(mc_buf_cstr(&out), "error: no calendar file was given\n");
  mc_buf_free(&out);
}

static void counting(void *opaque, const mc_diag *d) {
  (void)d;
  (*(int *)opaque)++;
}

static void too_many_errors_stop_the_report(void **state) {
  (void)state;
  int shown = 0;
  mc_diag_sink sink = {counting, &shown, 0, 0};
  for (int i = 0; i < 5000; i++)
    mc_diag_at(&sink, MC_DIAG_ERROR, NULL, 0, 0, NULL, "error %d", i);
  assert_int_equal(sink.errors, 5000);       /* all counted */
  assert_int_equal(shown, MC_DIAG_MAX_REPORTED + 1); /* 100 shown, then one "too many" */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(caret_under_a_vietnamese_word),
      cmocka_unit_test(columns_count_characters),
      cmocka_unit_test(finding_about_no_file),
      cmocka_unit_test(too_many_errors_stop_the_report),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
