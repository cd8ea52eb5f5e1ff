/* hash.c — see hash.h. */
#include "hash.h"

#include "error.h"

#include <sodium/core.h>

int mc_crypto_init(void) {
  /* sodium_init is thread-safe and returns 1 when already initialised. */
  return sodium_init() < 0 ? MC_EINTERNAL : 0;
}

void mc_sha256_init(mc_sha256 *h) {
  mc_crypto_init();
  crypto_hash_sha256_init(&h->state);
}

void mc_sha256_update(mc_sha256 *h, const void *bytes, size_t len) {
  crypto_hash_sha256_update(&h->state, bytes, len);
}

void mc_sha256_final(mc_sha256 *h, uint8_t out[MC_SHA256_BYTES]) {
  crypto_hash_sha256_final(&h->state, out);
}

void mc_sha256_digest(const void *bytes, size_t len, uint8_t out[MC_SHA256_BYTES]) {
  mc_crypto_init();
  crypto_hash_sha256(out, bytes, len);
}

void mc_hex(const uint8_t *bytes, size_t len, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  out[2 * len] = '\0';
}

static int nibble(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int mc_unhex(const char *hex, uint8_t *out, size_t len) {
  for (size_t i = 0; i < len; i++) {
    int hi = nibble(hex[2 * i]), lo = hi < 0 ? -1 : nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return MC_EPARSE;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return hex[2 * len] == '\0' ? 0 : MC_EPARSE;
}
