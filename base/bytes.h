/* bytes.h — big-endian integers in keys and records.
 *
 * LMDB compares keys as bytes, so every number in a key (a sequence, a due
 * instant, a counter) is written big-endian: byte order is then number
 * order.  One spelling of it for every module.
 */
#ifndef MC_BYTES_H
#define MC_BYTES_H

#include <stdint.h>

static inline void mc_be64_put(uint8_t out[8], uint64_t v) {
  for (int i = 0; i < 8; i++)
    out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint64_t mc_be64_get(const void *p) {
  const uint8_t *b = p;
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | b[i];
  return v;
}

static inline void mc_be32_put(uint8_t out[4], uint32_t v) {
  for (int i = 0; i < 4; i++)
    out[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline uint32_t mc_be32_get(const void *p) {
  const uint8_t *b = p;
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

#endif
