/* test_canon.c — base/canon.c: the same value gives the same bytes, text is
 * NFC, keys must ascend, and the verifier accepts exactly canonical bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/canon.h"
#include "base/error.h"

#include <string.h>

static void encode_record(mc_buf *out, const char *name) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4);
  mc_canon_kv_int(&w, "fee", 135000);
  mc_canon_kv_str(&w, "name", name);
  mc_canon_key(&w, "tags");
  mc_canon_array(&w, 2);
  mc_canon_int(&w, -1);
  mc_canon_bool(&w, true);
  mc_canon_kv_int(&w, "time", INT64_C(1770688800000));
  assert_int_equal(mc_canon_finish(&w), 0);
}

static void exact_bytes(void **state) {
  (void)state;
  mc_buf b = MC_BUF_INIT;
  encode_record(&b, "Lê");
  static const uint8_t want[] = {
      0x84,                                     /* map of 4 */
      0xA3, 'f', 'e', 'e', 0xCE, 0x00, 0x02, 0x0F, 0x58, /* 135000 as uint32 */
      0xA4, 'n', 'a', 'm', 'e', 0xA3, 'L', 0xC3, 0xAA,   /* "Lê" NFC: 3 bytes */
      0xA4, 't', 'a', 'g', 's', 0x92, 0xFF, 0xC3,
      0xA4, 't', 'i', 'm', 'e', 0xCF, 0x00, 0x00, 0x01, 0x9C, 0x45, 0x46, 0xE5, 0x00,
  };
  assert_int_equal(b.len, sizeof want);
  assert_memory_equal(b.data, want, sizeof want);
  assert_int_equal(mc_canon_verify(b.data, b.len, NULL), 0);
  mc_buf_free(&b);
}

static void decomposed_text_gives_the_same_bytes(void **state) {
  (void)state;
  mc_buf a = MC_BUF_INIT, b = MC_BUF_INIT;
  encode_record(&a, "Nguy\xe1\xbb\x85n"); /* "Nguyễn", precomposed ễ */
  encode_record(&b, "Nguye\xcc\x82\xcc\x83n"); /* e + U+0302 + U+0303, as IMEs send */
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  mc_buf_free(&a);
  mc_buf_free(&b);
}

static void misuse_is_refused(void **state) {
  (void)state;
  mc_buf b = MC_BUF_INIT;
  mc_canon w;

  mc_canon_init(&w, &b); /* keys out of order */
  mc_canon_map(&w, 2);
  mc_canon_kv_int(&w, "time", 1);
  mc_canon_kv_int(&w, "fee", 1);
  assert_int_equal(mc_canon_finish(&w), MC_EINVAL);

  mc_buf_reset(&b); /* the same key twice */
  mc_canon_init(&w, &b);
  mc_canon_map(&w, 2);
  mc_canon_kv_int(&w, "a", 1);
  mc_canon_kv_int(&w, "a", 2);
  assert_int_equal(mc_canon_finish(&w), MC_EINVAL);

  mc_buf_reset(&b); /* a container left incomplete */
  mc_canon_init(&w, &b);
  mc_canon_array(&w, 3);
  mc_canon_int(&w, 1);
  assert_int_equal(mc_canon_finish(&w), MC_EINVAL);

  mc_buf_reset(&b); /* a value where a key belongs */
  mc_canon_init(&w, &b);
  mc_canon_map(&w, 1);
  mc_canon_int(&w, 1);
  assert_int_equal(mc_canon_finish(&w), MC_EINVAL);

  mc_buf_reset(&b); /* invalid UTF-8 */
  mc_canon_init(&w, &b);
  mc_canon_str(&w, "\xC3\x28", 2);
  assert_int_equal(mc_canon_finish(&w), MC_EPARSE);

  mc_buf_reset(&b); /* two top-level values */
  mc_canon_init(&w, &b);
  mc_canon_nil(&w);
  mc_canon_nil(&w);
  assert_int_equal(mc_canon_finish(&w), MC_EINVAL);

  mc_buf_reset(&b); /* empty containers are complete values */
  mc_canon_init(&w, &b);
  mc_canon_array(&w, 2);
  mc_canon_map(&w, 0);
  mc_canon_array(&w, 0);
  assert_int_equal(mc_canon_finish(&w), 0);
  assert_int_equal(mc_canon_verify(b.data, b.len, NULL), 0);
  mc_buf_free(&b);
}

static void integers_round_the_boundaries(void **state) {
  (void)state;
  static const int64_t values[] = {0, 127, 128, 255, 256, 65535, 65536, 4294967295LL,
                                   4294967296LL, INT64_MAX, -1, -32, -33, -128, -129,
                                   -32768, -32769, -2147483648LL, -2147483649LL, INT64_MIN};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    mc_buf b = MC_BUF_INIT;
    mc_canon w;
    mc_canon_init(&w, &b);
    mc_canon_int(&w, values[i]);
    assert_int_equal(mc_canon_finish(&w), 0);
    assert_int_equal(mc_canon_verify(b.data, b.len, NULL), 0);
    mc_buf_free(&b);
  }
}

static void verifier_refuses_non_canonical_bytes(void **state) {
  (void)state;
  size_t where = 99;
  static const uint8_t long_int[] = {0xCD, 0x00, 0x05};          /* 5 as uint16 */
  static const uint8_t neg_long[] = {0xD0, 0xFF};                /* -1 as int8 */
  static const uint8_t float64[] = {0xCB, 0, 0, 0, 0, 0, 0, 0, 0};
  static const uint8_t unsorted[] = {0x82, 0xA1, 'b', 0x01, 0xA1, 'a', 0x02};
  static const uint8_t dup[] = {0x82, 0xA1, 'a', 0x01, 0xA1, 'a', 0x02};
  static const uint8_t int_key[] = {0x81, 0x01, 0x02};
  static const uint8_t nfd[] = {0xA3, 'e', 0xCC, 0x82};            /* e + U+0302 */
  static const uint8_t long_str[] = {0xD9, 0x01, 'x'};             /* str8 for 1 byte */
  static const uint8_t trailing[] = {0xC0, 0xC0};
  static const uint8_t truncated[] = {0x92, 0x01};
  static const uint8_t ext[] = {0xD4, 0x01, 0x00};
  assert_int_equal(mc_canon_verify(long_int, sizeof long_int, &where), MC_EPARSE);
  assert_int_equal(where, 0);
  assert_int_equal(mc_canon_verify(neg_long, sizeof neg_long, NULL), MC_EPARSE);
  assert_int_equal(mc_canon_verify(float64, sizeof float64, NULL), MC_EPARSE);
  assert_int_equal(mc_canon_verify(unsorted, sizeof unsorted, &where), MC_EPARSE);
  assert_int_equal(where, 4);
  assert_int_equal(mc_canon_verify(dup, sizeof dup, NULL), MC_EPARSE);
  assert_int_equal(mc_canon_verify(int_key, sizeof int_key, NULL), MC_EPARSE);
  assert_int_equal(mc_canon_verify(nfd, sizeof nfd, NULL), MC_EPARSE);
  assert_int_equal(mc_canon_verify(long_str, sizeof long_str, NULL), MC_EPARSE);
  assert_int_equal(mc_canon_verify(trailing, sizeof trailing, &where), MC_EPARSE);
  assert_int_equal(where, 1);
  assert_int_equal(mc_canon_verify(truncated, sizeof truncated, NULL), MC_EPARSE);
  assert_int_equal(mc_canon_verify(ext, sizeof ext, NULL), MC_EPARSE);
  assert_int_equal(mc_canon_verify(NULL, 0, NULL), MC_EPARSE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(exact_bytes),
      cmocka_unit_test(decomposed_text_gives_the_same_bytes),
      cmocka_unit_test(misuse_is_refused),
      cmocka_unit_test(integers_round_the_boundaries),
      cmocka_unit_test(verifier_refuses_non_canonical_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
