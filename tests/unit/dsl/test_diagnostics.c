/* test_diagnostics.c — what an agency official sees when a file is wrong.
 *
 * Golden tests (tests/unit/golden.h): each errors/NAME.mc is checked with the
 * bundled policies and agency directory as context, as `motcua check` does,
 * and its rendered diagnostics must equal errors/NAME.err.  One case per
 * check of dsl/check.c, plus syntax errors, the nesting limit, and error
 * recovery (several errors reported in one run).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"
#include "golden.h"

#include <stdio.h>
#include <string.h>

#define ERRORS_DIR MOTCUA_SOURCE_DIR "/tests/unit/dsl/errors"

static const char *const context_files[] = {
    MOTCUA_WORKFLOWS_DIR "/policies/nd118-2025.mc",
    MOTCUA_WORKFLOWS_DIR "/policies/bn-2018.mc",
    MOTCUA_WORKFLOWS_DIR "/agencies/bac-ninh.mc",
    MOTCUA_WORKFLOWS_DIR "/templates/applicant.mc",
    MOTCUA_WORKFLOWS_DIR "/templates/officials.mc",
    MOTCUA_WORKFLOWS_DIR "/procedures/birth-registration.mc",
};
#define NCONTEXT (int)(sizeof context_files / sizeof context_files[0])

static mc_buf context_text[NCONTEXT];
static mc_source context_src[NCONTEXT];

static int setup(void **state) {
  (void)state;
  for (int i = 0; i < NCONTEXT; i++) {
    if (mc_file_read(context_files[i], 1 << 20, &context_text[i]) != 0)
      return -1;
    context_src[i] = (mc_source){context_files[i], mc_buf_cstr(&context_text[i]), context_text[i].len};
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (int i = 0; i < NCONTEXT; i++)
    mc_buf_free(&context_text[i]);
  return 0;
}

static bool check_case(const mc_source *src, int n, mc_buf *diags, mc_diag_sink *sink) {
  (void)diags;
  dsl_compile *c;
  assert_int_equal(dsl_compile_new(&c), 0);
  for (int i = 0; i < n; i++)
    dsl_compile_add(c, &src[i], false, sink);
  for (int i = 0; i < NCONTEXT; i++)
    dsl_compile_add(c, &context_src[i], true, sink);
  int rc = sink->errors ? MC_EPARSE : dsl_compile_check(c, sink);
  const dsl_artifact *arts;
  int count;
  bool emitted = dsl_compile_emit(c, &arts, &count) == 0;
  dsl_compile_free(c);
  return rc == MC_EPARSE && sink->errors > 0 && !emitted;
}

static void golden_diagnostics(void **state) {
  (void)state;
  int cases = golden_run(ERRORS_DIR, ".mc", check_case);
  assert_true(cases >= 20);
}

/* Bad bytes of every kind: refused with a diagnostic, never a crash. */
static void binary_and_huge_inputs(void **state) {
  (void)state;
  mc_buf diags = MC_BUF_INIT, big = MC_BUF_INIT;
  dsl_compile *c;
  mc_diag_sink sink = {.fn = golden_render, .opaque = &diags, .lang = MC_LANG_EN};

  static const char nul[] = "procedure \"1\" \"x\" {\0}";
  mc_source s1 = {"nul.mc", nul, sizeof nul - 1};
  assert_int_equal(dsl_compile_new(&c), 0);
  assert_int_equal(dsl_compile_add(c, &s1, false, &sink), MC_EPARSE);
  assert_non_null(strstr(mc_buf_cstr(&diags), "nul.mc:1:20: error: the file contains a NUL byte"));
  dsl_compile_free(c);

  mc_buf_reset(&diags);
  static const char bad_utf8[] = "policy \"p\" \"T\xC3\x28\" { }";
  mc_source s2 = {"utf8.mc", bad_utf8, sizeof bad_utf8 - 1};
  assert_int_equal(dsl_compile_new(&c), 0);
  assert_int_equal(dsl_compile_add(c, &s2, false, &sink), MC_EPARSE);
  assert_non_null(strstr(mc_buf_cstr(&diags), "this text is not valid UTF-8"));
  dsl_compile_free(c);

  /* 9 MiB: over the limit, refused before lexing. */
  for (int i = 0; i < (9 << 20) / 16; i++)
    mc_buf_append_str(&big, "# comment line\n");
  mc_source s3 = {"big.mc", mc_buf_cstr(&big), big.len};
  assert_int_equal(dsl_compile_new(&c), 0);
  assert_int_equal(dsl_compile_add(c, &s3, false, &sink), MC_ETOOBIG);
  dsl_compile_free(c);
  mc_buf_free(&big);
  mc_buf_free(&diags);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(golden_diagnostics),
      cmocka_unit_test(binary_and_huge_inputs),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
