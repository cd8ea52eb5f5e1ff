/* engine.c — opening and closing the engine, the list of its projections,
 * and the timer index (ENG_PROJ_TIMERS).
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
#include "engine/timers.h"

#include "base/error.h"

#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Whether the packed key list (1 byte length, key)... holds `key`. */
static bool list_has(const uint8_t *list, size_t len, const uint8_t *key, size_t klen) {
  for (size_t at = 0; at < len; at += 1 + (size_t)list[at])
    if (list[at] == klen && at + 1 + klen <= len && memcmp(list + at + 1, key, klen) == 0)
      return true;
  return false;
}

static int apply_timers(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_dossier_event(ev))
    return 0;
  uint8_t dkey[128], key[128];
  size_t code_len = ev->stream.len - 8;
  if (code_len + 2 > sizeof dkey - 16)
    return MC_EPARSE;
  dkey[0] = 'd', dkey[1] = '/';
  memcpy(dkey + 2, ev->stream.ptr + 8, code_len);
  eng_snap s;
  int rc = eng__snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  /* The timers of the new snapshot: its steps' warnings and limits, and
   * the appointment's own while the dossier is undecided and its legal
   * clock runs (a pause moves the appointment). */
  mc_buf list = MC_BUF_INIT, old = MC_BUF_INIT;
  for (int i = 0; i < s.ntokens; i++) {
    const eng_token *t = &s.tokens[i];
    if (t->warn) {
      size_t n = eng__timer_key(key, t->warn, s.code, t->node, 'w');
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
    if (t->due) {
      size_t n = eng__timer_key(key, t->due, s.code, t->node, 'd');
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
  }
  bool counting = s.ntokens > 0 && s.decided_at == 0 && s.paused_since == 0;
  const struct { int64_t due; char kind; } own[] = {{s.deadline_warn, 'n'}, {s.deadline_due, 'a'}};
  for (int i = 0; i < 2 && counting; i++)
    if (own[i].due) {
      size_t n = eng__timer_key(key, own[i].due, s.code, ENG_DEADLINE_NODE, own[i].kind);
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
  /* Only what changed is written: most events leave most timers alone. */
  const void *prev;
  size_t prev_len = 0;
  if (store_proj_get(tx, dkey, code_len + 2, &prev, &prev_len) == 0)
    mc_buf_append(&old, prev, prev_len);
  for (size_t at = 0; rc == 0 && at < old.len; at += 1 + (size_t)old.data[at])
    if (!list_has(list.data, list.len, old.data + at + 1, old.data[at]))
      rc = store_proj_del(tx, old.data + at + 1, old.data[at]);
  for (size_t at = 0; rc == 0 && at < list.len; at += 1 + (size_t)list.data[at])
    if (!list_has(old.data, old.len, list.data + at + 1, list.data[at]))
      rc = store_proj_put(tx, list.data + at + 1, list.data[at], "", 0);
  if (rc == 0 && (list.len != old.len || (list.len && memcmp(list.data, old.data, list.len))))
    rc = list.len ? store_proj_put(tx, dkey, code_len + 2, list.data, list.len)
                  : store_proj_del(tx, dkey, code_len + 2);
  mc_buf_free(&list);
  mc_buf_free(&old);
  return rc;
}

/* Version 2 of the snapshot projection keeps the snapshot alone (not the
 * event's data), version 3 by position; of the outbox, only which messages wait (their texts are in
 * the log); of the forms, which event filed each (the form is there).  The others moved to version 2 with it: they read the snapshot
 * from it. */
static const store_projection projections[] = {
    {ENG_PROJ_DOSSIER, 3, eng__apply_dossier, NULL, NULL},
    {ENG_PROJ_TIMERS, 2, apply_timers, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_CODES, 1, eng__apply_codes, NULL, NULL},
    {ENG_PROJ_FORMS, 2, eng__apply_forms, NULL, NULL},
    {ENG_PROJ_DEFS, 2, eng__apply_defs, NULL, NULL},
    {ENG_PROJ_HANDLERS, 2, eng__apply_handlers, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_DOCUMENTS, 2, eng__apply_documents, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_OUTBOX, 2, eng__apply_outbox, NULL, NULL},
    {ENG_PROJ_CONTACTS, 2, eng__apply_contacts, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_ACCOUNTS, 1, eng__account_apply, NULL, NULL},
    {ENG_PROJ_COUNTS, 2, eng__apply_counts, NULL, ENG_PROJ_DOSSIER},
    {ENG_PROJ_FEEDS, 2, eng__apply_feeds, NULL, ENG_PROJ_DOSSIER},
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
  so.read_only = opt && opt->read_only;
  so.map_size = opt ? opt->map_size : 0;
  so.projections = projections;
  so.nprojections = sizeof projections / sizeof projections[0];
  if ((rc = store_open(dir, &so, &e->st, why)) != 0) {
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
  free(e);
}

store *eng_store(eng_engine *e) { return e->st; }
