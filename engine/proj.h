/* proj.h — what the engine's projection files share (engine/ only).
 *
 * Each projection lives in one file with its update and its readers:
 * proj_dossier.c (the snapshot), proj_counts.c, proj_feeds.c, proj_codes.c
 * (codes and forms), proj_handlers.c, proj_documents.c, proj_outbox.c,
 * proj_contacts.c, proj_timers.c, proj_queues.c, defs.c (definitions), account.c (accounts);
 * engine.c lists them all.  proj.c holds what they share and calls
 * none of them.
 */
#ifndef ENG_PROJ_H
#define ENG_PROJ_H

#include "engine/engine-int.h"

static inline bool eng__is_type(const store_event *ev, eng_event_type type) { return eng__event_type(ev) == type; }

static inline bool eng__is_dossier_event(const store_event *ev) {
  return eng_event_is_dossier(eng__event_type(ev));
}

/* The decoded data of the event being applied (cached per thread: each
 * event is decoded once, not once per projection); NULL when it is not
 * msgpack.  Valid until the thread decodes another event. */
const msgpack_object *eng__event_root(const store_event *ev);

/* A snapshot projection's value decoded, through the same cache. */
int eng__snap_of_value(const void *bytes, size_t len, eng_snap *s);

/* The dossier's snapshot after the event, for a projection that depends on
 * the snapshot projection (store.h, depends_on). */
int eng__snap_of_event(store_proj_txn *tx, const store_event *ev, eng_snap *s);

/* Every entry of a projection whose key starts with `prefix`, in one read:
 * fn(opaque, the key after the prefix, its length, the value). */
typedef int (*eng__prefix_fn)(void *opaque, const char *rest, size_t rest_len, const void *val, size_t vlen);
int eng__scan_prefix(eng_engine *e, const char *projection, const mc_buf *prefix, eng__prefix_fn each, void *opaque);

/* "<kind>/<a>\0<name>": the keys of the documents and handlers projections. */
int eng__pair_key(mc_buf *k, char kind, const char *a, size_t alen, const char *name, size_t nlen);

/* The projections' updates (store_apply_fn). */
int eng__apply_dossier(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_timers(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_counts(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_feeds(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_codes(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_forms(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_defs(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_handlers(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_documents(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_outbox(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_contacts(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__apply_queues(void *opaque, store_proj_txn *tx, const store_event *ev);

#endif
