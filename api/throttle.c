/* throttle.c — see throttle.h: a chained hash table of keys and their window. */
#include "api/throttle.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct throttle_entry {
  throttle_entry *next;
  uint32_t hash;
  mc_instant start, end;      /* the window */
  int count;
  char key[96];
};

static uint32_t hash_of(const char *key) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    h = (h ^ *p) * 16777619u;
  return h;
}

static throttle_entry **slot(const srv_throttle *l, const char *key, uint32_t h) {
  throttle_entry **e = &l->buckets[h & (l->nbuckets - 1)];
  while (*e && ((*e)->hash != h || strcmp((*e)->key, key)))
    e = &(*e)->next;
  return e;
}

static void grow(srv_throttle *l) {
  size_t nb = l->nbuckets ? l->nbuckets * 2 : 256;
  throttle_entry **b = calloc(nb, sizeof *b);
  if (b == NULL)
    mc_oom(nb * sizeof *b);
  for (size_t i = 0; i < l->nbuckets; i++)
    for (throttle_entry *e = l->buckets[i], *n; e; e = n) {
      n = e->next;
      e->next = b[e->hash & (nb - 1)];
      b[e->hash & (nb - 1)] = e;
    }
  free(l->buckets);
  l->buckets = b;
  l->nbuckets = nb;
}

bool srv_throttle_take(srv_throttle *l, const char *key, int max, int64_t window_ms, mc_instant now,
                    int64_t *retry_after_ms) {
  if (l->nbuckets == 0 || l->n >= l->nbuckets)
    grow(l);
  uint32_t h = hash_of(key);
  throttle_entry **at = slot(l, key, h), *e = *at;
  if (e == NULL) {
    if ((e = calloc(1, sizeof *e)) == NULL)
      mc_oom(sizeof *e);
    e->hash = h;
    snprintf(e->key, sizeof e->key, "%s", key);
    *at = e;
    l->n++;
  }
  if (now >= e->end || now < e->start) { /* a new window (or the clock went back) */
    e->start = now;
    e->end = now + window_ms;
    e->count = 0;
  }
  if (e->count >= max) {
    if (retry_after_ms)
      *retry_after_ms = e->end - now;
    return false;
  }
  e->count++;
  return true;
}

void srv_throttle_give_back(srv_throttle *l, const char *key, mc_instant taken_at) {
  if (l->nbuckets == 0)
    return;
  throttle_entry *e = *slot(l, key, hash_of(key));
  if (e && taken_at >= e->start && taken_at < e->end && e->count > 0)
    e->count--;
}

void srv_throttle_sweep(srv_throttle *l, mc_instant now) {
  for (size_t i = 0; i < l->nbuckets; i++)
    for (throttle_entry **e = &l->buckets[i]; *e;) {
      if (now >= (*e)->end) {
        throttle_entry *gone = *e;
        *e = gone->next;
        free(gone);
        l->n--;
      } else {
        e = &(*e)->next;
      }
    }
}

void srv_throttle_free(srv_throttle *l) {
  for (size_t i = 0; i < l->nbuckets; i++)
    for (throttle_entry *e = l->buckets[i], *n; e; e = n) {
      n = e->next;
      free(e);
    }
  free(l->buckets);
  memset(l, 0, sizeof *l);
}
