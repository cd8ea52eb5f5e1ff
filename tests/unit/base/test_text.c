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

static void quick_path_agrees_with_the_full_normalisation(void **state) {
  (void)state;
  /* Every code point of the quick ranges, and just outside them. */
  static const uint32_t edges[] = {0x7F, 0x80, 0xC0, 0x1B0, 0x2FF, 0x300, 0x301, 0x1DFF,
                                   0x1E00, 0x1EBF, 0x1EFF, 0x1F00, 0x2001, 0x212B};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    char s[8];
    uint32_t cp = edges[i];
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    if (n == 1)
      s[0] = (char)cp;
    else if (n == 2)
      s[0] = (char)(0xC0 | cp >> 6), s[1] = (char)(0x80 | (cp & 0x3F));
    else
      s[0] = (char)(0xE0 | cp >> 12), s[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), s[2] = (char)(0x80 | (cp & 0x3F));
    mc_buf out = MC_BUF_INIT;
    assert_int_equal(mc_text_nfc(s, n, &out), 0);
    bool unchanged = out.len == n && memcmp(out.data, s, n) == 0;
    assert_int_equal(mc_text_is_nfc(s, n), unchanged);
    mc_buf_free(&out);
  }
  /* "e" + combining circumflex is not NFC even though "e" is quick. */
  assert_false(mc_text_is_nfc("e\xcc\x82", 3));
  assert_true(mc_text_is_nfc("Phường Võ Cường, tỉnh Bắc Ninh", strlen("Phường Võ Cường, tỉnh Bắc Ninh")));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(vietnamese_is_composed),
      cmocka_unit_test(invalid_utf8_is_refused),
      cmocka_unit_test(quick_path_agrees_with_the_full_normalisation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
