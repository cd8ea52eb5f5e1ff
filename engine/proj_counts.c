/* proj_counts.c — dossiers by state and timers armed (ENG_PROJ_COUNTS), for
 * /metrics, kept as the events apply, and their reader. */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counts for /metrics, kept as the events apply (a scrape must not scan a
 * million dossiers): "s/<state>" -> u64 BE dossiers in that state, "t" -> u64
 * BE timers armed, and per dossier "c/<code>" -> u8 timers, its state. */
static int count_add(store_proj_txn *tx, const void *key, size_t klen, int64_t delta) {
  const void *v;
  size_t vlen;
  uint64_t n = 0;
  if (store_proj_get(tx, key, klen, &v, &vlen) == 0 && vlen == 8)
    n = mc_be64_get(v);
  n = (uint64_t)((int64_t)n + delta);
  uint8_t b[8];
  mc_be64_put(b, n);
  return store_proj_put(tx, key, klen, b, 8);
}

int eng__apply_counts(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_dossier_event(ev))
    return 0;
  eng_snap s;
  int rc = eng__snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  /* As apply_timers arms them. */
  int timers = 0;
  for (int i = 0; i < s.ntokens; i++)
    timers += (s.tokens[i].warn != 0) + (s.tokens[i].due != 0);
  if (s.ntokens > 0 && s.decided_at == 0 && s.paused_since == 0)
    timers += (s.deadline_warn != 0) + (s.deadline_due != 0);
  char key[128], skey[64];
  size_t klen = (size_t)snprintf(key, sizeof key, "c/%.63s", s.code);
  const void *v;
  size_t vlen;
  size_t slen = strlen(s.state) < 32 ? strlen(s.state) : 32;
  int old_timers = 0;
  bool same_state = false;
  if (store_proj_get(tx, key, klen, &v, &vlen) == 0 && vlen >= 1) {
    const uint8_t *p = v;
    same_state = vlen - 1 == slen && !memcmp(p + 1, s.state, slen);
    if (p[0] == timers && same_state)
      return 0;
    old_timers = p[0];
    if (!same_state) {
      size_t n = (size_t)snprintf(skey, sizeof skey, "s/%.*s", (int)(vlen - 1 < 40 ? vlen - 1 : 40), (const char *)p + 1);
      if ((rc = count_add(tx, skey, n, -1)))
        return rc;
    }
  }
  /* Only what changed is written: most events leave the state or the timers as they were. */
  if (!same_state) {
    size_t n = (size_t)snprintf(skey, sizeof skey, "s/%.40s", s.state);
    if ((rc = count_add(tx, skey, n, 1)))
      return rc;
  }
  if (timers != old_timers && (rc = count_add(tx, "t", 1, timers - old_timers)))
    return rc;
  uint8_t rec[1 + 32];
  rec[0] = (uint8_t)timers;
  memcpy(rec + 1, s.state, slen);
  return store_proj_put(tx, key, klen, rec, 1 + slen);
}

typedef struct counts_ctx {
  eng_count_fn fn;
  void *opaque;
} counts_ctx;

static int count_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  counts_ctx *c = opaque;
  const char *k = key;
  if (vlen != 8 || klen == 0)
    return 0;
  uint64_t n = 0;
  n = mc_be64_get(val);
  char name[64];
  if (klen == 1 && k[0] == 't')
    return c->fn(c->opaque, "timers", "", n);
  if (klen > 2 && k[0] == 's' && k[1] == '/') {
    snprintf(name, sizeof name, "%.*s", (int)(klen - 2), k + 2);
    return c->fn(c->opaque, "state", name, n);
  }
  return 0;
}

int eng_counts(eng_engine *e, eng_count_fn fn, void *opaque) {
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  counts_ctx c = {fn, opaque};
  /* "s/..." then "t": start at "d" to skip the per-dossier "c/" entries. */
  rc = store_read_proj_scan(rd, ENG_PROJ_COUNTS, "d", 1, count_one, &c);
  store_read_end(rd);
  return rc < 0 ? rc : 0;
}
