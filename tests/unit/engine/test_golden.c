/* test_golden.c — a log recorded by an earlier version (tests/golden/log-v1)
 * still reads: the current code opens a copy (rebuilding any projection whose
 * version changed), the chain and the projections verify, and the dossiers
 * stand as they did when recorded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *iso(mc_instant t) {
  static char buf[2][MC_INSTANT_STRLEN];
  static int i;
  i ^= 1;
  mc_instant_format(t, 420, buf[i]);
  return buf[i];
}

static void the_golden_log_replays_to_the_same_dossiers(void **state) {
  (void)state;
  char dir[] = "/tmp/motcua-golden-XXXXXX", cmd[512];
  assert_non_null(mkdtemp(dir));
  snprintf(cmd, sizeof cmd, "cp '%s/tests/golden/log-v1/data.mdb' '%s/'", MOTCUA_SOURCE_DIR, dir);
  assert_int_equal(system(cmd), 0);

  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  if (eng_open(dir, NULL, &e, &why) != 0)
    fail_msg("%s", mc_buf_cstr(&why));
  mc_buf_free(&why);

  store_verify_report report;
  memset(&report, 0, sizeof report);
  store_verify_options vo = {0};
  assert_int_equal(store_verify(eng_store(e), &vo, &report), 0);
  if (report.problems)
    fail_msg("%s", mc_buf_cstr(&report.text));
  assert_int_equal(report.head_seq, 24);
  mc_buf_free(&report.text);

  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(e, "H13.X01-260210-0001", &v), 0);
  assert_string_equal(v.state, "returned");
  assert_string_equal(v.outcome, "approved");
  assert_string_equal(v.classification, "on_time");
  assert_string_equal(iso(v.appointment_at), "2026-02-10T17:00:00+07:00");
  assert_int_equal(v.version, 5);

  assert_int_equal(eng_dossier_get(e, "H13.X02-260302-0001", &v), 0);
  assert_string_equal(v.state, "stopped");
  assert_true(v.supplement_used);

  assert_int_equal(eng_dossier_get(e, "H13.X03-260303-0001", &v), 0);
  assert_string_equal(v.state, "processing");
  assert_int_equal(v.nsteps, 1);
  assert_string_equal(v.steps[0], "processing");
  assert_string_equal(iso(v.appointment_at), "2026-03-04T17:00:00+07:00");

  /* It goes on working: the counter of codes carried over. */
  eng_close(e);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_golden_log_replays_to_the_same_dossiers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
