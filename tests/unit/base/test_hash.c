/* test_hash.c — base/hash.c: SHA-256 test vectors, incremental = one-shot, hex. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/hash.h"

#include <string.h>

static void known_vectors(void **state) {
  (void)state;
  uint8_t d[MC_SHA256_BYTES];
  char hex[MC_SHA256_HEX];
  mc_sha256_digest("", 0, d);
  mc_hex(d, sizeof d, hex);
  assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  mc_sha256_digest("abc", 3, d);
  mc_hex(d, sizeof d, hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void incremental_equals_one_shot(void **state) {
  (void)state;
  uint8_t a[MC_SHA256_BYTES], b[MC_SHA256_BYTES];
  const char *text = "hồ sơ 000.00.21.H13-260210-0007";
  mc_sha256 h;
  mc_sha256_init(&h);
  mc_sha256_update(&h, text, 5);
  mc_sha256_update(&h, text + 5, strlen(text) - 5);
  mc_sha256_final(&h, a);
  mc_sha256_digest(text, strlen(text), b);
  assert_memory_equal(a, b, sizeof a);
}

static void hex_round_trip(void **state) {
  (void)state;
  uint8_t bytes[4] = {0x00, 0xAB, 0x7F, 0xFF}, back[4];
  char hex[9];
  mc_hex(bytes, 4, hex);
  assert_string_equal(hex, "00ab7fff");
  assert_int_equal(mc_unhex("00AB7fff", back, 4), 0);
  assert_memory_equal(bytes, back, 4);
  assert_int_equal(mc_unhex("00ab7ff", back, 4), MC_EPARSE);
  assert_int_equal(mc_unhex("00ab7fffee", back, 4), MC_EPARSE);
  assert_int_equal(mc_unhex("zzab7fff", back, 4), MC_EPARSE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(known_vectors),
      cmocka_unit_test(incremental_equals_one_shot),
      cmocka_unit_test(hex_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
