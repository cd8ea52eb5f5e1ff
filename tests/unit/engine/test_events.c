/* test_events.c — the table of event types (engine/events.c): every type
 * reads back to itself, every action of the language causes one dossier
 * event, and a type this version does not know stays unknown. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "dsl/vocab.h"
#include "engine/events.h"

#include <string.h>

static void every_type_reads_back(void **state) {
  (void)state;
  for (int i = 0; i < ENG_EV_COUNT; i++) {
    const char *name = eng_event_name((eng_event_type)i);
    assert_non_null(name);
    assert_int_equal(eng_event_parse(name, strlen(name)), i);
    assert_non_null(eng_event_cause((eng_event_type)i));
    for (int k = 0; k < i; k++)
      assert_string_not_equal(name, eng_event_name((eng_event_type)k));
  }
  assert_null(eng_event_name(ENG_EV_UNKNOWN));
  assert_int_equal(eng_event_parse("dossier.acted", 13), ENG_EV_UNKNOWN);
  assert_int_equal(eng_event_parse("dossier.submitted", 16), ENG_EV_UNKNOWN); /* a prefix is not the type */
}

static void every_action_of_the_language_causes_a_dossier_event(void **state) {
  (void)state;
  for (int i = 0; dsl_actions[i]; i++) {
    eng_event_type t = eng_event_of_cause(dsl_actions[i]);
    assert_true(t != ENG_EV_UNKNOWN);
    assert_true(eng_event_is_dossier(t));
  }
  assert_int_equal(eng_event_of_cause("accept"), ENG_EV_DOSSIER_ACCEPTED);
  assert_int_equal(eng_event_of_cause("deadline_passed"), ENG_EV_DOSSIER_DEADLINE_PASSED);
  /* Causes of other families are not dossier events. */
  assert_int_equal(eng_event_of_cause("publish"), ENG_EV_UNKNOWN);
  assert_int_equal(eng_event_of_cause(NULL), ENG_EV_UNKNOWN);
}

static void the_families(void **state) {
  (void)state;
  int dossier = 0, account = 0, definition = 0;
  for (int i = 0; i < ENG_EV_COUNT; i++) {
    const char *name = eng_event_name((eng_event_type)i);
    dossier += eng_event_is_dossier((eng_event_type)i);
    account += eng_event_is_account((eng_event_type)i);
    definition += eng_event_is_definition((eng_event_type)i);
    assert_int_equal(eng_event_is_dossier((eng_event_type)i), strncmp(name, "dossier.", 8) == 0);
    assert_int_equal(eng_event_is_account((eng_event_type)i), strncmp(name, "account.", 8) == 0);
    assert_int_equal(eng_event_is_definition((eng_event_type)i), strncmp(name, "definition.", 11) == 0);
  }
  assert_int_equal(dossier, 27);
  assert_int_equal(account, 6);
  assert_int_equal(definition, 2);
  assert_false(eng_event_is_dossier(ENG_EV_UNKNOWN));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_type_reads_back),
      cmocka_unit_test(every_action_of_the_language_causes_a_dossier_event),
      cmocka_unit_test(the_families),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
