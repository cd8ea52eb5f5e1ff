/* test_buf.c — base/buf.c: append, printf, cstr, steal, growth. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/error.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void append_and_printf(void **state) {
  (void)state;
  mc_buf b = MC_BUF_INIT;
  assert_int_equal(mc_buf_append_str(&b, "hồ sơ "), 0);
  assert_int_equal(mc_buf_printf(&b, "%s-%06d-%04d", "000.00.21.H13", 260210, 7), 0);
  assert_int_equal(mc_buf_append_byte(&b, '!'), 0);
  assert_string_equal(mc_buf_cstr(&b), "hồ sơ 000.00.21.H13-260210-0007!");
  assert_int_equal(b.len, strlen("hồ sơ 000.00.21.H13-260210-0007!"));
  mc_buf_reset(&b);
  assert_int_equal(b.len, 0);
  assert_string_equal(mc_buf_cstr(&b), "");
  mc_buf_free(&b);
  mc_buf_free(&b); /* no-op */
}

static void grows_over_many_appends(void **state) {
  (void)state;
  mc_buf b = MC_BUF_INIT;
  for (int i = 0; i < 100000; i++)
    assert_int_equal(mc_buf_append(&b, "0123456789", 10), 0);
  assert_int_equal(b.len, 1000000);
  assert_memory_equal(b.data + 999990, "0123456789", 10);
  mc_buf_free(&b);
}

static void steal_hands_over_storage(void **state) {
  (void)state;
  mc_buf b = MC_BUF_INIT;
  size_t len;
  mc_buf_append_str(&b, "abc");
  char *s = mc_buf_steal(&b, &len);
  assert_string_equal(s, "abc");
  assert_int_equal(len, 3);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  free(s);
}

static void refuses_absurd_sizes(void **state) {
  (void)state;
  mc_buf b = MC_BUF_INIT;
  mc_buf_append_str(&b, "x");
  assert_int_equal(mc_buf_reserve(&b, SIZE_MAX - 2), MC_ETOOBIG);
  assert_string_equal(mc_buf_cstr(&b), "x"); /* unchanged after a failure */
  mc_buf_free(&b);
}

/* Out of memory stops the process (base/error.h): a buffer asked for more
 * than the machine has does not come back with an error.  In a child, so the
 * test goes on; under a sanitizer the allocator stops it first, as it
 * should. */
static void out_of_memory_stops_the_process(void **state) {
  (void)state;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    mc_buf b = MC_BUF_INIT;
    int rc = mc_buf_reserve(&b, SIZE_MAX / 4); /* 4 EiB: no realloc gives that */
    _exit(rc == 0 ? 0 : 3);                    /* neither is allowed */
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_false(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(append_and_printf),
      cmocka_unit_test(grows_over_many_appends),
      cmocka_unit_test(steal_hands_over_storage),
      cmocka_unit_test(refuses_absurd_sizes),
      cmocka_unit_test(out_of_memory_stops_the_process),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
