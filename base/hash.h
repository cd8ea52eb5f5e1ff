/* hash.h — SHA-256, the one hash of motcua (ARCHITECTURE.md): the event
 * chain, content hashes of definitions and attachments.  libsodium's
 * crypto_hash_sha256 underneath, so auditors' own tools agree with ours.
 */
#ifndef MC_HASH_H
#define MC_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <sodium/crypto_hash_sha256.h>

#define MC_SHA256_BYTES 32
#define MC_SHA256_HEX (2 * MC_SHA256_BYTES + 1)

typedef struct mc_sha256 {
  crypto_hash_sha256_state state;
} mc_sha256;

/* Initialises libsodium once per process; thread-safe, idempotent.  Returns
 * 0 or MC_EINTERNAL.  Every function below calls it. */
int mc_crypto_init(void);

void mc_sha256_init(mc_sha256 *h);
void mc_sha256_update(mc_sha256 *h, const void *bytes, size_t len);
void mc_sha256_final(mc_sha256 *h, uint8_t out[MC_SHA256_BYTES]);

/* One-shot. */
void mc_sha256_digest(const void *bytes, size_t len, uint8_t out[MC_SHA256_BYTES]);

/* Lower-case hex, NUL-terminated. */
void mc_hex(const uint8_t *bytes, size_t len, char *out);

/* Parses exactly 2*len hex digits.  Returns 0 or MC_EPARSE. */
int mc_unhex(const char *hex, uint8_t *out, size_t len);

#endif
