/* test_text.c — base/text.c: NFC normalisation of Vietnamese, UTF-8 checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/text.h"

#include <string.h>

static void vietnamese_is_composed(void **state) {
  (void)state;
  mc_buf out = MC_BUF_INIT;
  /* "Tết" typed as T + e + U+0302 (circumflex) + U+0301 (acute) + t */
  const char nfd[] = "Te\xcc\x82\xcc\x81t";
  assert_int_equal(mc_text_nfc(nfd, strlen(nfd), &out), 0);
  assert_string_equal(mc_buf_cstr(&out), "T\xe1\xba\xbft"); /* U+1EBF */
  assert_false(mc_text_is_nfc(nfd, strlen(nfd)));
  assert_true(mc_text_is_nfc("Tết Nguyên đán", strlen("Tết Nguyên đán")));
  assert_true(mc_text_is_nfc("ascii", 5));
  mc_buf_free(&out);
}

static void invalid_utf8_is_refused(void **state) {
  (void)state;
  mc_buf out = MC_BUF_INIT;
  static const char *const bad[] = {"\xC3\x28", "\xE1\xBB", "\xED\xA0\x80" /* surrogate */,
                                    "\xC0\xAF" /* overlong */, "\xF5\x80\x80\x80"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(mc_text_nfc(bad[i], strlen(bad[i]), &out), MC_EPARSE);
    assert_int_equal(out.len, 0);
    assert_false(mc_text_is_nfc(bad[i], strlen(bad[i])));
  }
  assert_int_equal(mc_text_utf8_valid_prefix("ab\xC3\x28", 4), 2);
  mc_buf_free(&out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(vietnamese_is_composed),
      cmocka_unit_test(invalid_utf8_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
