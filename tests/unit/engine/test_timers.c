/* test_timers.c — the timer key of the timers projection (engine/timers.h):
 * what the projection writes (eng__timer_key) reads back whole
 * (eng__timer_key_parse, eng__timer_key_due), the keys sort by due, and a
 * key that is not a timer's is not read as one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/timers.h"

#include <string.h>

static void a_key_reads_back(void **state) {
  (void)state;
  static const struct { int64_t due; const char *code; int32_t node; char kind; } cases[] = {
      {1735689600000, "HCM-250101-0001", 3, 'd'},
      {1, "X-1", 0, 'w'},
      {INT64_MAX, "A-991231-12345", ENG_DEADLINE_NODE, 'a'},
      {1735689600000, "HCM-250101-0001", ENG_DEADLINE_NODE, 'n'},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t k[128];
    size_t n = eng__timer_key(k, cases[i].due, cases[i].code, cases[i].node, cases[i].kind);
    assert_int_equal(n, 2 + 8 + strlen(cases[i].code) + 1 + 4 + 1);
    eng_timer_key tk;
    assert_true(eng__timer_key_parse(k, n, &tk));
    assert_int_equal(tk.due, cases[i].due);
    assert_int_equal(tk.code_len, strlen(cases[i].code));
    assert_memory_equal(tk.code, cases[i].code, tk.code_len);
    assert_int_equal(tk.node, cases[i].node);
    assert_int_equal(tk.kind, cases[i].kind);
    int64_t due = 0;
    assert_true(eng__timer_key_due(k, n, &due));
    assert_int_equal(due, cases[i].due);
  }
}

static void keys_sort_by_due(void **state) {
  (void)state;
  uint8_t a[128], b[128];
  size_t na = eng__timer_key(a, 255, "Z-9", 9, 'd'), nb = eng__timer_key(b, 256, "A-1", 0, 'd');
  assert_true(memcmp(a, b, na < nb ? na : nb) < 0);
}

static void other_keys_are_not_timers(void **state) {
  (void)state;
  eng_timer_key tk;
  int64_t due = 7;
  uint8_t k[128];
  size_t n = eng__timer_key(k, 1000, "X-1", 1, 'd');
  k[0] = 'd'; /* the dossier's list of its keys */
  assert_false(eng__timer_key_parse(k, n, &tk));
  assert_false(eng__timer_key_due(k, n, &due));
  k[0] = 't';
  assert_false(eng__timer_key_parse(k, 15, &tk)); /* too short for a whole key */
  assert_true(eng__timer_key_due(k, 10, &due));   /* but it has its due */
  assert_int_equal(due, 1000);
  assert_false(eng__timer_key_due(k, 9, &due));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_key_reads_back),
      cmocka_unit_test(keys_sort_by_due),
      cmocka_unit_test(other_keys_are_not_timers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
