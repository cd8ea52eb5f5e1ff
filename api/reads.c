/* reads.c — the record of who read whose personal data (api/reads.h). */
#include "api/reads.h"

#include "api/access.h"
#include "api/jobs.h"
#include "api/runtime.h"
#include "base/bytes.h"
#include "base/canon.h"
#include "base/error.h"
#include "base/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READS_MAX_PENDING 100000 /* beyond, notes are dropped (counted, logged): the store is failing */

void srv_reads_init(srv_reads *r) {
  memset(r, 0, sizeof *r);
  r->tag = randombytes_random();
}

void srv_reads_free(srv_reads *r) {
  free(r->list);
  memset(r, 0, sizeof *r);
}

void srv_reads_note(srv *s, const principal *p, const char *dossier, const eng_applicant_view *whose,
                    const char *address) {
  srv_reads_note_file(s, p, dossier, whose, NULL, address);
}

void srv_reads_note_file(srv *s, const principal *p, const char *dossier, const eng_applicant_view *whose,
                         const char *file, const char *address) {
  srv_reads *r = &s->reads;
  if (r->n == READS_MAX_PENDING) {
    if (r->dropped++ == 0)
      mc_log(MC_LOG_ERROR, "reads", "%d reads of personal data wait to be written: later ones are not recorded",
             READS_MAX_PENDING);
    return;
  }
  if (r->n == r->cap) {
    int cap = r->cap ? 2 * r->cap : 256;
    read_note *more = realloc(r->list, (size_t)cap * sizeof *more);
    if (more == NULL)
      mc_oom((size_t)cap * sizeof *more);
    r->list = more, r->cap = cap;
  }
  r->noted++;
  read_note *x = &r->list[r->n++];
  memset(x, 0, sizeof *x);
  x->at = srv_now(s);
  snprintf(x->account, sizeof x->account, "%s", p->acct.id);
  snprintf(x->role, sizeof x->role, "%s", p->acct.nroles ? p->acct.roles[0] : "");
  snprintf(x->agency, sizeof x->agency, "%s", p->acct.agency);
  snprintf(x->dossier, sizeof x->dossier, "%s", dossier);
  snprintf(x->whose, sizeof x->whose, "%s", whose->id_number);
  snprintf(x->name, sizeof x->name, "%s", whose->name);
  snprintf(x->address, sizeof x->address, "%s", address ? address : "");
  snprintf(x->file, sizeof x->file, "%s", file ? file : "");
}

/* The batch as aux items: keys and values in one buffer. */
typedef struct batch {
  read_note *list;
  int n;
  uint32_t first, tag;
} batch;

static int write_batch(store *st, const batch *b) {
  mc_buf keys = MC_BUF_INIT, vals = MC_BUF_INIT;
  store_aux_item *items = calloc((size_t)b->n + 1, sizeof *items);
  size_t *ends = calloc((size_t)b->n + 1, sizeof *ends);
  int rc = items && ends ? 0 : MC_ENOMEM;
  for (int i = 0; rc == 0 && i < b->n; i++) {
    const read_note *x = &b->list[i];
    uint8_t k[16];
    mc_be64_put(k, (uint64_t)x->at);
    mc_be32_put(k + 8, b->first + (uint32_t)i);
    mc_be32_put(k + 12, b->tag);
    mc_buf_append(&keys, k, sizeof k);
    mc_canon w;
    mc_canon_init(&w, &vals); /* appends: one map after the other */
    mc_canon_map(&w, 8 + (x->file[0] != 0));
    mc_canon_kv_str(&w, "account", x->account);
    mc_canon_kv_str(&w, "address", x->address);
    mc_canon_kv_str(&w, "agency", x->agency);
    mc_canon_kv_int(&w, "at", x->at);
    mc_canon_kv_str(&w, "dossier", x->dossier);
    if (x->file[0])
      mc_canon_kv_str(&w, "file", x->file);
    mc_canon_kv_str(&w, "name", x->name);
    mc_canon_kv_str(&w, "role", x->role);
    mc_canon_kv_str(&w, "whose", x->whose);
    rc = mc_canon_finish(&w);
    ends[i] = vals.len;
  }
  /* The buffers are complete: now their addresses hold. */
  for (int i = 0; rc == 0 && i < b->n; i++) {
    size_t start = i ? ends[i - 1] : 0;
    items[i] = (store_aux_item){keys.data + 16 * (size_t)i, vals.data + start, 16, ends[i] - start};
  }
  if (rc == 0)
    rc = store_aux_put_many(st, SRV_READS_DB, items, (size_t)b->n);
  free(items);
  free(ends);
  mc_buf_free(&keys);
  mc_buf_free(&vals);
  return rc;
}

static void write_work(job *j) { j->status = write_batch(eng_store(j->s->e), j->ctx); }

static void write_finish(job *j) {
  srv *s = j->s;
  batch *b = j->ctx;
  s->reads.writing = false;
  if (j->status) {
    mc_log(MC_LOG_ERROR, "reads", "%d reads of personal data could not be written (%s): kept to try again", b->n,
           mc_strerror(j->status));
    /* In front of what gathered since, for the next sweep. */
    srv_reads *r = &s->reads;
    read_note *all = malloc(sizeof *all * (size_t)(b->n + r->n + 1));
    if (all == NULL)
      mc_oom(sizeof *all * (size_t)(b->n + r->n + 1));
    memcpy(all, b->list, sizeof *all * (size_t)b->n);
    if (r->n)
      memcpy(all + b->n, r->list, sizeof *all * (size_t)r->n);
    free(r->list);
    r->list = all, r->n += b->n, r->cap = r->n + 1;
  } else {
    s->reads.written += (uint64_t)b->n;
  }
  free(b->list);
  free(b);
  srv_job_free(j);
}

void srv_reads_flush(srv *s, bool now) {
  srv_reads *r = &s->reads;
  if (r->n == 0 || r->writing)
    return;
  batch *b = malloc(sizeof *b);
  if (b == NULL)
    mc_oom(sizeof *b);
  *b = (batch){r->list, r->n, r->counter, r->tag};
  r->counter += (uint32_t)r->n;
  r->list = NULL, r->n = r->cap = 0;
  if (now) {
    int rc = write_batch(eng_store(s->e), b);
    if (rc)
      mc_log(MC_LOG_ERROR, "reads", "%d reads of personal data could not be written at stop: %s", b->n,
             mc_strerror(rc));
    else
      r->written += (uint64_t)b->n;
    free(b->list);
    free(b);
    return;
  }
  job *j = srv_job_new(s, NULL, NULL, "reads");
  j->ctx = b;
  j->work = write_work;
  j->finish = write_finish;
  r->writing = true;
  srv_job_start(j);
}
