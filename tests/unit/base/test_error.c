/* test_error.c — base/error.c: every code has a distinct name and message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"

#include <errno.h>
#include <string.h>

static void names_and_messages(void **state) {
  (void)state;
  assert_string_equal(mc_err_name(0), "MC_OK");
  assert_string_equal(mc_err_name(MC_ENOMEM), "MC_ENOMEM");
  assert_string_equal(mc_strerror(MC_ENOMEM), "out of memory");
  assert_string_equal(mc_err_name(MC_ECALYEAR), "MC_ECALYEAR");
  assert_string_equal(mc_strerror(12345), "unknown error");
  /* every code is negative, named and described */
  for (int e = MC__ERR_FIRST + 1; e < MC__ERR_END; e++) {
    assert_true(e < 0);
    assert_string_not_equal(mc_err_name(e), "MC_E?");
    assert_string_not_equal(mc_strerror(e), "unknown error");
    for (int f = MC__ERR_FIRST + 1; f < e; f++)
      assert_string_not_equal(mc_err_name(e), mc_err_name(f));
  }
}

static void errno_translation(void **state) {
  (void)state;
  assert_int_equal(mc_err_from_errno(ENOENT), MC_ENOENT);
  assert_int_equal(mc_err_from_errno(EACCES), MC_EACCES);
  assert_int_equal(mc_err_from_errno(ENOMEM), MC_ENOMEM);
  assert_int_equal(mc_err_from_errno(EIO), MC_EIO);
  assert_int_equal(mc_err_from_errno(0), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_and_messages),
      cmocka_unit_test(errno_translation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
