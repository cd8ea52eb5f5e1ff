/* timers.h — the key of a timer in the timers projection (ENG_PROJ_TIMERS),
 * in one place: written by the projection as the events apply (engine.c,
 * apply_timers) and read by the timers that find and fire them (timers.c).
 * Not for use outside engine/.
 *
 *   "t/", u64 BE due, the dossier's code, 0, u32 BE node, kind
 *
 * kind: 'd' a step's limit, 'w' its warning; on ENG_DEADLINE_NODE, 'n' the
 * appointment near and 'a' the appointment passed.  The keys sort by due.
 * Inline, so that engine.c calls no function of timers.c: timers.c calls
 * down into the files that decide, and they into engine.c's helpers. */
#ifndef ENG_TIMERS_H
#define ENG_TIMERS_H

#include "engine/engine-int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A timer's key written into `k` (room for 2 + 8 + the code + 1 + 4 + 1
 * bytes); returns its length. */
static inline size_t eng__timer_key(uint8_t *k, int64_t due, const char *code, int32_t node, char kind) {
  size_t n = strlen(code), at = 0;
  k[at++] = 't', k[at++] = '/';
  for (int i = 7; i >= 0; i--)
    k[at++] = (uint8_t)((uint64_t)due >> (8 * i));
  memcpy(k + at, code, n);
  at += n;
  k[at++] = 0;
  for (int i = 3; i >= 0; i--)
    k[at++] = (uint8_t)((uint32_t)node >> (8 * i));
  k[at++] = (uint8_t)kind;
  return at;
}

/* A timer key read back: its parts (the code as its bytes in the key, not
 * terminated). */
typedef struct eng_timer_key {
  int64_t due;
  const char *code;
  size_t code_len;
  int32_t node;
  char kind;
} eng_timer_key;

/* The due instant of a key of the projection; false when the key is not a
 * timer's ("t/" and a due, at least). */
static inline bool eng__timer_key_due(const void *key, size_t klen, int64_t *due) {
  const uint8_t *k = key;
  if (klen < 2 + 8 || k[0] != 't' || k[1] != '/')
    return false;
  *due = (int64_t)mc_be64_get(k + 2);
  return true;
}

/* Every part of a timer key; false when the key is not a whole one. */
static inline bool eng__timer_key_parse(const void *key, size_t klen, eng_timer_key *out) {
  const uint8_t *k = key;
  if (klen < 2 + 8 + 1 + 4 + 1 || !eng__timer_key_due(key, klen, &out->due))
    return false;
  out->code_len = klen - 2 - 8 - 1 - 4 - 1;
  out->code = (const char *)k + 10;
  const uint8_t *p = k + 10 + out->code_len + 1;
  out->node = (int32_t)mc_be32_get(p);
  out->kind = (char)p[4];
  return true;
}

#endif
