/* test_states.c — the table of dossier states (dsl/states.c): the national
 * portal's status codes (TrangThaiHoSo 1-10), the language's lists drawn
 * from it, and docs/DSL.md naming every state with its code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/file.h"
#include "dsl/states.h"
#include "dsl/vocab.h"

#include <stdio.h>
#include <string.h>

static void the_portal_codes(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int code;
  } expected[] = {
      {"submitted", 1}, {"accepted", 2}, {"rejected", 3}, {"processing", 4}, {"awaiting_payment", 4},
      {"supplement_requested", 5}, {"awaiting_obligation", 6}, {"withdrawn", 7}, {"stopped", 8},
      {"decided", 9}, {"returned", 10},
  };
  assert_int_equal(sizeof expected / sizeof expected[0], DSL_STATE_COUNT);
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
    dsl_state s = dsl_state_parse(expected[i].name);
    assert_true(s != DSL_STATE_UNKNOWN);
    assert_string_equal(dsl_state_name(s), expected[i].name);
    assert_int_equal(dsl_state_portal_code(s), expected[i].code);
    assert_non_null(dsl_state_label(s));
  }
  /* A fee is not a financial obligation. */
  assert_int_not_equal(dsl_state_portal_code(DSL_STATE_AWAITING_PAYMENT),
                       dsl_state_portal_code(DSL_STATE_AWAITING_OBLIGATION));
  assert_int_equal(dsl_state_parse("paid"), DSL_STATE_UNKNOWN);
  assert_int_equal(dsl_state_parse(NULL), DSL_STATE_UNKNOWN);
  assert_int_equal(dsl_state_portal_code(DSL_STATE_UNKNOWN), 0);
}

static void the_language_lists_come_from_the_table(void **state) {
  (void)state;
  int steps = 0, finals = 0;
  for (int i = 0; dsl_step_states[i]; i++, steps++)
    assert_false(dsl_state_is_final(dsl_state_parse(dsl_step_states[i])));
  for (int i = 0; dsl_final_states[i]; i++, finals++)
    assert_true(dsl_state_is_final(dsl_state_parse(dsl_final_states[i])));
  assert_int_equal(steps + finals, DSL_STATE_COUNT);
  assert_int_equal(finals, 4);
  assert_true(dsl_vocab_has(dsl_step_states, "awaiting_obligation"));
}

/* docs/DSL.md names each state with its code: "`name` [code]". */
static void the_language_reference_lists_every_state_with_its_code(void **state) {
  (void)state;
  mc_buf doc = MC_BUF_INIT;
  assert_int_equal(mc_file_read(MOTCUA_SOURCE_DIR "/docs/DSL.md", 1u << 20, &doc), 0);
  for (int i = 0; i < DSL_STATE_COUNT; i++) {
    char want[80];
    snprintf(want, sizeof want, "`%s` [%d]", dsl_state_name((dsl_state)i), dsl_state_portal_code((dsl_state)i));
    if (strstr(mc_buf_cstr(&doc), want) == NULL)
      fail_msg("docs/DSL.md does not say %s", want);
  }
  mc_buf_free(&doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_portal_codes),
      cmocka_unit_test(the_language_lists_come_from_the_table),
      cmocka_unit_test(the_language_reference_lists_every_state_with_its_code),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
