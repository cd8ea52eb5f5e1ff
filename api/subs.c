/* subs.c — see subs.h: a chained hash table of keys, each with the list of
 * the live subscriptions filed under it; a key without any is freed. */
#include "api/subs.h"

#include "api/conns.h"
#include "base/error.h"

#include <stdlib.h>
#include <string.h>

struct sub_key {
  sub_key *next;               /* in its bucket */
  sub_by by;
  uint32_t hash;
  sub *head;
  char name[64];
};

static uint32_t hash_of(sub_by by, const char *key) {
  uint32_t h = 2166136261u ^ (uint32_t)by; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    h = (h ^ *p) * 16777619u;
  return h;
}

void srv_subs_init(sub_index *x) { memset(x, 0, sizeof *x); }

void srv_subs_free(sub_index *x) {
  for (size_t i = 0; i < x->nbuckets; i++)
    for (sub_key *k = x->buckets[i], *n; k; k = n) {
      n = k->next;
      free(k);
    }
  free(x->buckets);
  memset(x, 0, sizeof *x);
}

static void grow(sub_index *x) {
  size_t nb = x->nbuckets ? x->nbuckets * 2 : 64;
  sub_key **b = calloc(nb, sizeof *b);
  if (b == NULL)
    mc_oom(nb * sizeof *b);
  for (size_t i = 0; i < x->nbuckets; i++)
    for (sub_key *k = x->buckets[i], *n; k; k = n) {
      n = k->next;
      k->next = b[k->hash & (nb - 1)];
      b[k->hash & (nb - 1)] = k;
    }
  free(x->buckets);
  x->buckets = b;
  x->nbuckets = nb;
}

static sub_key **slot(const sub_index *x, sub_by by, const char *name, uint32_t h) {
  sub_key **k = &x->buckets[h & (x->nbuckets - 1)];
  while (*k && ((*k)->hash != h || (*k)->by != by || strcmp((*k)->name, name)))
    k = &(*k)->next;
  return k;
}

/* What a subscription is filed under; false for "all". */
static bool key_of(const sub *sb, sub_by *by, const char **name) {
  if (!strcmp(sb->scope, "mine"))
    *by = SUB_BY_ACCOUNT, *name = sb->account;
  else if (!strcmp(sb->scope, "dossier"))
    *by = SUB_BY_DOSSIER, *name = sb->dossier;
  else if (!strcmp(sb->scope, "queue") && sb->account[0])
    *by = SUB_BY_ACCOUNT, *name = sb->account; /* an applicant's own list */
  else if (!strcmp(sb->scope, "agency") || !strcmp(sb->scope, "queue"))
    *by = SUB_BY_AGENCY, *name = sb->agency;
  else
    return false;
  return true;
}

void srv_subs_add(sub_index *x, sub *sb) {
  sub_by by;
  const char *name;
  if (sb->key || sb->prev_in || sb->next_in || x->all == sb)
    return; /* filed already */
  sb->live = true;
  x->nlive++;
  if (!key_of(sb, &by, &name)) {
    sb->next_in = x->all;
    if (x->all)
      x->all->prev_in = sb;
    x->all = sb;
    return;
  }
  if (x->nbuckets == 0 || x->nkeys >= x->nbuckets)
    grow(x);
  uint32_t h = hash_of(by, name);
  sub_key **at = slot(x, by, name, h), *k = *at;
  if (k == NULL) {
    k = calloc(1, sizeof *k);
    if (k == NULL)
      mc_oom(sizeof *k);
    k->by = by;
    k->hash = h;
    snprintf(k->name, sizeof k->name, "%s", name);
    *at = k;
    x->nkeys++;
  }
  sb->key = k;
  sb->prev_in = NULL;
  sb->next_in = k->head;
  if (k->head)
    k->head->prev_in = sb;
  k->head = sb;
}

void srv_subs_remove(sub_index *x, sub *sb) {
  sub_key *k = sb->key;
  bool in_all = k == NULL && (x->all == sb || sb->prev_in);
  if (k == NULL && !in_all)
    return;
  if (sb->prev_in)
    sb->prev_in->next_in = sb->next_in;
  else if (k)
    k->head = sb->next_in;
  else
    x->all = sb->next_in;
  if (sb->next_in)
    sb->next_in->prev_in = sb->prev_in;
  sb->prev_in = sb->next_in = NULL;
  sb->key = NULL;
  x->nlive--;
  if (k && k->head == NULL) {
    sub_key **at = slot(x, k->by, k->name, k->hash);
    *at = k->next;
    free(k);
    x->nkeys--;
  }
}

sub *srv_subs_under(const sub_index *x, sub_by by, const char *name) {
  if (x->nbuckets == 0 || name == NULL || name[0] == '\0')
    return NULL;
  sub_key *k = *slot(x, by, name, hash_of(by, name));
  return k ? k->head : NULL;
}
