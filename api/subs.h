/* subs.h — subscriptions (docs/PROTOCOL.md "Operations") and the index of
 * the live ones: by the applicant account of a "mine", the dossier of a
 * "dossier", the agency of an "agency", and the list of "all".  An event
 * reaches only the subscriptions filed under its dossier's applicant, code,
 * agency and step agencies (and "all"): nothing scans every connection.
 * A subscription still catching up is not in the index: it reads the log
 * (api/pushes.h, srv_catch_up) until it is at the pushed head.  Plain data
 * on the loop thread: no sockets here. */
#ifndef MOTCUA_API_SUBS_H
#define MOTCUA_API_SUBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct conn conn;
typedef struct sub_key sub_key;

typedef struct sub {
  char id[16];
  char scope[12];              /* mine, agency, dossier, all, queue */
  char agency[32], step[48], dossier[64];
  /* "queue": the rows of which queue (its filters; engine.h eng_queue_filter) */
  char role[24], state[32], procedure[32], handler[64];
  bool due_soon, overdue, waiting, paused;
  char account[64];            /* "mine": the applicant account it was made for */
  bool binary;
  bool live;                   /* caught up: in the index, receives live events */
  uint64_t next;               /* catching up: the next seq to read */
  conn *c;                     /* whose it is */
  struct sub *prev_in, *next_in; /* the others under the same key */
  sub_key *key;                /* NULL: not in the index */
} sub;

/* What a subscription is filed under. */
typedef enum { SUB_BY_ACCOUNT, SUB_BY_DOSSIER, SUB_BY_AGENCY } sub_by;

typedef struct sub_index {
  sub_key **buckets;
  size_t nbuckets, nkeys;
  sub *all;                    /* scope "all" */
  size_t nlive;
} sub_index;

void srv_subs_init(sub_index *x);
void srv_subs_free(sub_index *x);
/* Files a live subscription under its key (its scope says which). */
void srv_subs_add(sub_index *x, sub *sb);
/* Takes it out (nothing if it is not in). */
void srv_subs_remove(sub_index *x, sub *sb);
/* The first subscription filed under a key, or NULL; the others follow
 * through sub.next_in.  The list may not change while it is walked. */
sub *srv_subs_under(const sub_index *x, sub_by by, const char *key);

#endif
