/* throttle.h — how much one key (an applicant account, a client address) may
 * do in a window of time: submissions per account and hour, per address a
 * trusted proxy named, public status lookups per address and minute.  A
 * fixed window per key, opened by its first use; counts live in memory on
 * the loop thread (a restart forgives: the limits are against floods, the
 * log is not at stake).  Expired keys are swept. */
#ifndef MOTCUA_API_THROTTLE_H
#define MOTCUA_API_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/instant.h"

typedef struct throttle_entry throttle_entry;

typedef struct srv_throttle {
  throttle_entry **buckets;
  size_t nbuckets, n;
} srv_throttle;

/* Takes one use of `key` (at most `max` in `window_ms` from its first):
 * true and counted, or false with the milliseconds until the window ends. */
bool srv_throttle_take(srv_throttle *l, const char *key, int max, int64_t window_ms, mc_instant now,
                    int64_t *retry_after_ms);
/* Gives a use back (what was taken came to nothing: a refusal, a retry),
 * if the window it was taken in is still open. */
void srv_throttle_give_back(srv_throttle *l, const char *key, mc_instant taken_at);
/* Drops the keys whose window ended. */
void srv_throttle_sweep(srv_throttle *l, mc_instant now);
void srv_throttle_free(srv_throttle *l);

#endif
