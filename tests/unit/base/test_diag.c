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
  mc_diag_sink sink = {.fn = render, .opaque = &out, .lang = MC_LANG_EN};
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
  mc_diag_sink sink = {.fn = render, .opaque = &out, .lang = MC_LANG_EN};
  mc_diag_at(&sink, MC_DIAG_WARNING, &src, (size_t)(strstr(text, "oops") - text), 4, NULL, "w");
  /* "x " + quoted 16 characters + " " = 19 characters before "oops" */
  assert_non_null(strstr(mc_buf_cstr(&out), "f:1:20: warning: w\n"));
  assert_int_equal(sink.warnings, 1);
  mc_buf_free(&out);
}

static void finding_about_no_file(void **state) {
  (void)state;
  mc_buf out = MC_BUF_INIT;
  mc_diag_sink sink = {.fn = render, .opaque = &out, .lang = MC_LANG_EN};
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
  mc_diag_sink sink = {.fn = counting, .opaque = &shown, .lang = MC_LANG_EN};
  for (int i = 0; i < 5000; i++)
    mc_diag_at(&sink, MC_DIAG_ERROR, NULL, 0, 0, NULL, "error %d", i);
  assert_int_equal(sink.errors, 5000);       /* all counted */
  assert_int_equal(shown, MC_DIAG_MAX_REPORTED + 1); /* 100 shown, then one "too many" */
}

/* The tables of the checkers (diag.h, mc_diag_text): a finding formatted in
 * English is found again in Vietnamese, its pieces carried over. */
static const mc_diag_text table[] = {
    {"levels", "các cấp"},
    {"the policy \"%s\"", "chính sách \"%s\""},
    {"%s are: %s", "%s gồm: %s"},
    {"unknown setting \"%s\" of %s", "không có thiết lập \"%s\" trong %s"},
    {"the fork \"%s\" has %d branch%s", "điểm tách nhánh \"%s\" có %d nhánh%.0s"},
    {"unexpected %s, expecting %s", "ở đây cần %2$s, nhưng lại gặp %1$s"},
    {"the year %d is described twice", "năm %d được mô tả hai lần"},
    {"the year %s is odd", "năm %s lạ"},
    {"form fields are written form.%s", "trường của biểu mẫu viết là form.%s"},
    {NULL, NULL},
};

static void tr(const char *english, const char *want) {
  char out[256];
  bool found = mc_diag_translate(table, english, out, sizeof out);
  if (want == NULL) {
    assert_false(found);
    return;
  }
  assert_true(found);
  assert_string_equal(out, want);
}

static void findings_in_vietnamese(void **state) {
  (void)state;
  tr("levels are: province, commune", "các cấp gồm: province, commune");      /* a fragment */
  tr("unknown setting \"x\" of the policy \"nd118\"",                       /* a piece with its own row */
     "không có thiết lập \"x\" trong chính sách \"nd118\"");
  tr("unknown setting \"levels\" of the policy \"p\"",                      /* a name in quotes stays */
     "không có thiết lập \"levels\" trong chính sách \"p\"");
  tr("form fields are written form.levels", "trường của biểu mẫu viết là form.levels"); /* glued: a name */
  tr("the fork \"f\" has 1 branch", "điểm tách nhánh \"f\" có 1 nhánh");           /* %.0s */
  tr("the fork \"f\" has 9 branches", "điểm tách nhánh \"f\" có 9 nhánh");
  tr("unexpected name, expecting ->", "ở đây cần ->, nhưng lại gặp name");          /* %N$ */
  tr("the year 2026 is described twice", "năm 2026 được mô tả hai lần");
  tr("the year MMXXVI is described twice", NULL); /* %d matches digits only */
  tr("something else entirely", NULL);
}

static void a_sink_in_english_or_vietnamese(void **state) {
  (void)state;
  mc_buf out = MC_BUF_INIT;
  mc_diag_sink vi = {.fn = render, .opaque = &out}, en = {.fn = render, .opaque = &out, .lang = MC_LANG_EN};
  mc_diag_at(&en, MC_DIAG_ERROR, NULL, 0, 0, "levels are: a", "the year %d is described twice", 2026);
  assert_string_equal(mc_buf_cstr(&out), "error: the year 2026 is described twice\nhint: levels are: a\n");
  mc_buf_reset(&out);
  /* mc_diag_at has no table: the text stays as written, not counted */
  mc_diag_at(&vi, MC_DIAG_ERROR, NULL, 0, 0, NULL, "the year %d is described twice", 2026);
  assert_int_equal(vi.untranslated, 0);
  mc_buf_free(&out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(caret_under_a_vietnamese_word),
      cmocka_unit_test(columns_count_characters),
      cmocka_unit_test(finding_about_no_file),
      cmocka_unit_test(too_many_errors_stop_the_report),
      cmocka_unit_test(findings_in_vietnamese),
      cmocka_unit_test(a_sink_in_english_or_vietnamese),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
