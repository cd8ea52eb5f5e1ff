/* test_log.c — base/log.c: levels, the sink, the line format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/log.h"

#include <stdlib.h>
#include <string.h>

static char last[4096];
static int lines;

static void capture(void *opaque, mc_log_level level, const char *line) {
  (void)opaque;
  (void)level;
  strncpy(last, line, sizeof last - 1);
  lines++;
}

static void levels_filter_lines(void **state) {
  (void)state;
  mc_log_set_sink(capture, NULL);
  mc_log_set_level(MC_LOG_WARN);
  lines = 0;
  MC_LOG_INFO("store", "not shown");
  MC_LOG_DEBUG("store", "not shown either");
  assert_int_equal(lines, 0);
  MC_LOG_WARN("store", "map grown to %d GiB", 4);
  assert_int_equal(lines, 1);
  /* 2026-11-25T19:20:00.123Z warn  store: map grown to 4 GiB */
  assert_int_equal(strlen(last), strlen("2026-11-25T19:20:00.123Z warn  store: map grown to 4 GiB"));
  assert_int_equal(last[10], 'T');
  assert_int_equal(last[23], 'Z');
  assert_non_null(strstr(last, " warn  store: map grown to 4 GiB"));
  mc_log_set_sink(NULL, NULL);
  mc_log_set_level(MC_LOG_INFO);
}

static void long_lines_are_cut_visibly(void **state) {
  (void)state;
  char big[5000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  mc_log_set_sink(capture, NULL);
  MC_LOG_ERROR("t", "%s", big);
  assert_true(strlen(last) < 2048);
  assert_non_null(strstr(last, "..."));
  mc_log_set_sink(NULL, NULL);
}

static void level_names_and_environment(void **state) {
  (void)state;
  mc_log_level level;
  assert_int_equal(mc_log_level_parse("debug", &level), 0);
  assert_int_equal(level, MC_LOG_DEBUG);
  assert_int_equal(mc_log_level_parse("loud", &level), MC_EINVAL);
  assert_string_equal(mc_log_level_name(MC_LOG_TRACE), "trace");
  setenv("MOTCUA_LOG", "error", 1);
  mc_log_init_from_env();
  assert_int_equal(mc_log_get_level(), MC_LOG_ERROR);
  setenv("MOTCUA_LOG", "nonsense", 1); /* reported, ignored */
  mc_log_set_sink(capture, NULL);
  mc_log_set_level(MC_LOG_WARN);
  mc_log_init_from_env();
  assert_int_equal(mc_log_get_level(), MC_LOG_WARN);
  assert_non_null(strstr(last, "MOTCUA_LOG=nonsense is not a level"));
  mc_log_set_sink(NULL, NULL);
  unsetenv("MOTCUA_LOG");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(levels_filter_lines),
      cmocka_unit_test(long_lines_are_cut_visibly),
      cmocka_unit_test(level_names_and_environment),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
