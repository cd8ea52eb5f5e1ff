/* engine.c — opening and closing the engine, and the list of its
 * projections.
 *
 * Projections (engine-int.h) are written by hooks the store calls inside the
 * write transaction of each event, one file each (proj_*.c, with their
 * readers; proj.c what they share; accounts in account.c, definitions in
 * defs.c).  The snapshot projection computes each
 * dossier's snapshot from the previous one and the event (snapshot.c); the
 * projections that need the snapshot after an event (timers, counts,
 * handlers, documents, contacts, feeds) depend on it (store.h, depends_on) and read
 * it there; the others read only their event.
 */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Version 2 of the snapshot projection keeps the snapshot alone (not the
 * event's data), version 3 by position; of the outbox, only which messages wait (their texts are in
 * the log); of the forms, which event filed each (the form is there).  The others moved to version 2 with it: they read the snapshot
 * from it.  Version 3 of the documents keeps a document's further files,
 * the results issued and which dossier first referenced each file. */
static const store_projection projections[] = {
    {ENG_PROJ_DOSSIER, 3, eng__apply_dossier, NULL, NULL},
    {ENG_PROJ_TIMERS, 2, eng__apply_timers, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_CODES, 1, eng__apply_codes, NULL, NULL},
    {ENG_PROJ_FORMS, 2, eng__apply_forms, NULL, NULL},
    {ENG_PROJ_DEFS, 2, eng__apply_defs, NULL, NULL},
    {ENG_PROJ_HANDLERS, 2, eng__apply_handlers, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_DOCUMENTS, 3, eng__apply_documents, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_OUTBOX, 2, eng__apply_outbox, NULL, NULL},
    {ENG_PROJ_CONTACTS, 3, eng__apply_contacts, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_ACCOUNTS, 1, eng__account_apply, NULL, NULL},
    {ENG_PROJ_COUNTS, 2, eng__apply_counts, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_FEEDS, 2, eng__apply_feeds, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_QUEUES, 1, eng__apply_queues, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_SEARCH, 3, eng__apply_search, NULL, ENG_PROJ_DOSSIER}, /* 3: what a register lists */
};

void eng_projections(const store_projection **list, size_t *count) {
  *list = projections;
  *count = sizeof projections / sizeof projections[0];
}

/* ============================================================ open, close */

int eng_open(const char *dir, const eng_options *opt, eng_engine **out, mc_buf *why) {
  eng_engine *e = calloc(1, sizeof *e);
  store_options so = {0};
  int rc;
  *out = NULL;
  if (e == NULL)
    return MC_ENOMEM;
  msgpack_unpacked_init(&e->applicant_u);
  pthread_mutex_init(&e->defs_lock, NULL);
  so.read_only = opt && opt->read_only;
  so.map_size = opt ? opt->map_size : 0;
  so.projections = projections;
  so.nprojections = sizeof projections / sizeof projections[0];
  if ((rc = store_open(dir, &so, &e->st, why)) != 0) {
    msgpack_unpacked_destroy(&e->applicant_u);
    pthread_mutex_destroy(&e->defs_lock);
    free(e);
    return rc;
  }
  *out = e;
  return 0;
}

void eng_close(eng_engine *e) {
  if (e == NULL)
    return;
  for (eng_def *d = e->defs, *next; d; d = next) {
    next = d->next;
    eng_calendar_free(d->calendar);
    dsl_directory_free(d->directory);
    mc_arena_free(&d->arena);
    free(d);
  }
  store_close(e->st);
  mc_buf_free(&e->form_copy);
  mc_buf_free(&e->applicant_copy);
  msgpack_unpacked_destroy(&e->applicant_u);
  pthread_mutex_destroy(&e->defs_lock);
  free(e->tap.events);
  free(e);
}

store *eng_store(eng_engine *e) { return e->st; }

bool eng_command_seen(eng_engine *e, const char *command_id) {
  store_read *rd;
  const void *v;
  size_t n;
  bool seen = false;
  if (command_id && store_read_begin(e->st, &rd) == 0) {
    seen = store_read_proj(rd, "command", command_id, strlen(command_id), &v, &n) == 0;
    store_read_end(rd);
  }
  return seen;
}
