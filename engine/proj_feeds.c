/* proj_feeds.c — each applicant's events (ENG_PROJ_FEEDS), and their reader. */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each applicant's feed: "<applicant> 0 <u64 BE seq>" -> "" for every event
 * of a dossier filed from the applicant's account, so a citizen's client
 * that reconnects catches up on their own events without the server
 * scanning the whole log (eng_applicant_events). */
int eng__apply_feeds(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_dossier_event(ev))
    return 0;
  eng_snap s;
  int rc = eng__snap_of_event(tx, ev, &s);
  if (rc || s.applicant[0] == '\0')
    return rc;
  uint8_t key[64 + 1 + 8];
  size_t n = strlen(s.applicant);
  memcpy(key, s.applicant, n);
  key[n] = 0;
  mc_be64_put(key + n + 1, ev->seq);
  return store_proj_put(tx, key, n + 9, "", 0);
}

typedef struct feed_ctx {
  store_read *rd;
  const uint8_t *prefix;
  size_t plen;
  uint64_t upto;
  int left;
  store_event_fn fn;
  void *opaque;
  int rc;
} feed_ctx;

static int feed_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  feed_ctx *c = opaque;
  (void)val, (void)vlen;
  if (klen != c->plen + 8 || memcmp(key, c->prefix, c->plen) != 0)
    return 1;
  uint64_t seq = 0;
  seq = mc_be64_get((const uint8_t *)key + c->plen);
  if (seq > c->upto || c->left-- <= 0)
    return 1;
  store_event ev;
  if ((c->rc = store_read_event(c->rd, seq, &ev)) != 0)
    return c->rc;
  if ((c->rc = c->fn(c->opaque, &ev)) != 0)
    return 1;
  return 0;
}

int eng_applicant_events(eng_engine *e, const char *applicant, uint64_t from_seq, uint64_t upto, int max,
                         store_event_fn fn, void *opaque) {
  size_t n = strlen(applicant);
  if (n == 0 || n > 63)
    return MC_EINVAL;
  uint8_t from[64 + 9];
  memcpy(from, applicant, n);
  from[n] = 0;
  mc_be64_put(from + n + 1, from_seq);
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  feed_ctx c = {rd, from, n + 1, upto, max, fn, opaque, 0};
  rc = store_read_proj_scan(rd, ENG_PROJ_FEEDS, from, n + 9, feed_one, &c);
  store_read_end(rd);
  if (rc < 0)
    return rc;
  if (c.rc < 0)
    return c.rc;
  return c.rc == 1 ? 1 : 0;
}
