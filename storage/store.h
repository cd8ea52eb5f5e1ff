/* store.h — the event store: motcua's append-only, tamper-evident log.
 *
 * The log is the only source of truth (ARCHITECTURE.md "The log"): every fact
 * is an event with a global, gap-free sequence number, a stream (a dossier, an
 * account, a definition ...) and a version within that stream.  Each event is
 * one canonical msgpack record (base/canon.h) whose hash chains the previous
 * event's hash, so that an auditor can prove nothing was altered; signed
 * checkpoints anchor the head outside the data directory.  The record and key
 * layout is documented byte by byte in storage/store-int.h next to
 * STORE_FORMAT_VERSION, and in docs/STORAGE.md.
 *
 * Writing goes through a batch (ARCHITECTURE.md "The writer"): one durable
 * LMDB write transaction for the commands queued together, in which a
 * rejected command writes nothing and leaves its neighbours alone (a command
 * rejected after it wrote makes the batch replay its committed commands into
 * a fresh transaction and use nested transactions from then on: batch.c).
 * Nothing in a batch is committed before store_batch_commit() returns 0;
 * results must not be acknowledged earlier.
 * One thread drives a batch; only one batch is open at a time per store.
 *
 * Projections (derived state the engine reads) are hooks called inside the
 * same write transaction for each appended event; a projection whose version
 * changed is rebuilt from the log at open.  Storage keeps four projections of
 * its own: events by stream, by type, by time, and the idempotency record of
 * client command ids.
 *
 * Aux databases hold what must stay out of the legal record (sessions,
 * one-time codes, unverified registrations, security telemetry).  They live
 * in a second LMDB environment, <dir>/aux/, opened with MDB_NOSYNC: writing
 * them never forces a disk flush and never touches the chain.  LMDB cannot
 * switch MDB_NOSYNC per transaction safely in one environment (the flag is
 * environment-wide, and a non-durable commit followed by a durable one would
 * make the durable one pay for both), so a separate environment it is.  A
 * crash may lose the last seconds of aux writes (the OS flushes them, and
 * store_close() syncs): acceptable for sessions and codes, never for events.
 *
 * Errors: 0 or a negative MC_E* code (base/error.h).  LMDB's own codes never
 * leave storage/.  MC_ECONFLICT: an append's expected stream version is stale.
 * MC_ELOCKED: another process holds the directory for writing.  MC_ECORRUPT:
 * the files are not what motcua wrote.  MC_EFORMAT: written by a newer
 * motcua.  MC_ENOSPC: the disk is full (nothing committed is harmed).  After
 * a failure, store_errmsg() gives a sentence naming the detail.
 *
 * Threads: a store may be shared by threads.  Read transactions (store_read_*)
 * may run on any thread, many at once; a batch belongs to one thread.  A
 * thread must not hold a read transaction while it drives a batch (the map may
 * have to grow, which waits for readers of this process to finish).
 */
#ifndef MOTCUA_STORE_H
#define MOTCUA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/hash.h"
#include "base/instant.h"

typedef struct store store;             /* one open data directory */
typedef struct store_batch store_batch; /* one durable write transaction */
typedef struct store_read store_read;   /* one read transaction (a snapshot) */
typedef struct store_proj_txn store_proj_txn; /* a projection's db inside a txn */

/* A view of text or bytes inside the store: not NUL-terminated; valid until
 * the transaction it came from ends.  {NULL, 0} means absent. */
typedef struct store_str {
  const char *ptr;
  size_t len;
} store_str;

/* ============================================================ events */

/* Skips the optimistic concurrency check of one append. */
#define STORE_ANY_VERSION UINT64_MAX

/* Who caused an event.  Text; each may be NULL (stored as ""). */
typedef struct store_actor {
  const char *who;    /* account or system component */
  const char *role;   /* the role acted in */
  const char *client; /* which client program or host */
} store_actor;

/* An event to append.  Everything is borrowed for the duration of the call. */
typedef struct store_event_in {
  const char *stream;        /* required: UTF-8, 1..STORE_MAX_ID bytes */
  uint64_t expected_version; /* the stream's version the command was decided
                                against: 0 for a new stream, or
                                STORE_ANY_VERSION */
  const char *type;          /* required: UTF-8, 1..STORE_MAX_ID bytes */
  mc_instant time;           /* ms UTC; not before the previous event's */
  store_actor actor;
  const char *causation;     /* id of the event or command that caused it, or NULL */
  const char *correlation;   /* id of the conversation it belongs to, or NULL */
  const uint8_t *definition_hash; /* MC_SHA256_BYTES, or NULL */
  const uint8_t *data;       /* one value in canonical msgpack (verified) */
  size_t data_len;           /* at most STORE_MAX_DATA */
} store_event_in;

#define STORE_MAX_ID 255
#define STORE_MAX_DATA (1u << 20)

/* An event as stored: a view into the store, valid until the transaction it
 * was read in ends (or, in a projection hook, until the hook returns). */
typedef struct store_event {
  uint64_t seq;
  uint64_t format;    /* record format version (STORE_FORMAT_VERSION) */
  store_str stream;
  uint64_t version;   /* 1 for a stream's first event */
  store_str type;
  int64_t time;       /* ms UTC */
  store_str who, role, client;
  store_str causation, correlation;
  store_str command;  /* the client command id that appended it, if any */
  const uint8_t *definition_hash; /* MC_SHA256_BYTES, or NULL */
  const uint8_t *data;            /* canonical msgpack */
  size_t data_len;
  const uint8_t *prev;            /* the previous event's hash */
  const uint8_t *record;          /* the exact stored bytes */
  size_t record_len;
} store_event;

/* The event's hash: SHA-256 of its stored bytes (which hold the previous
 * hash, so the hashes chain). */
void store_event_hash(const store_event *ev, uint8_t out[MC_SHA256_BYTES]);

/* ============================================================ projections */

/* Called inside the write transaction for each appended event, in sequence
 * order, and again for every event when the projection is rebuilt.  It may
 * only write through `tx` (its own db) and must be deterministic: it can be
 * called again for the same event when a command is aborted or a batch is
 * retried after the map grew.  Returns 0 or a negative MC_E* code, which
 * rejects the command that appended the event. */
typedef int (*store_apply_fn)(void *opaque, store_proj_txn *tx, const store_event *ev);

typedef struct store_projection {
  const char *name;     /* [a-z0-9_-]{1,32}; "stream", "type", "time" and
                           "command" are storage's own */
  uint32_t version;     /* bump when apply changes: rebuilt at next open */
  store_apply_fn apply;
  void *opaque;
  /* The projection, registered before this one, whose db apply reads with
   * store_proj_get_dep (as it stands after the event: its hook has run), or
   * NULL.  The two are rebuilt together: when either is stale, or changes
   * version, both start again from the first event, so the one that reads
   * always sees the other's state at the event it applies. */
  const char *depends_on;
} store_projection;

/* A projection's db: keys up to 511 bytes, values any size.  Views from _get
 * are valid until the next write in the same transaction. */
int store_proj_put(store_proj_txn *tx, const void *key, size_t klen, const void *val, size_t vlen);
int store_proj_get(store_proj_txn *tx, const void *key, size_t klen, const void **val, size_t *vlen);
int store_proj_del(store_proj_txn *tx, const void *key, size_t klen); /* absent: 0 */
/* A read of the projection this one depends on (depends_on), in the same
 * transaction, after its hook ran for the event.  MC_EINVAL when it has none. */
int store_proj_get_dep(store_proj_txn *tx, const void *key, size_t klen, const void **val, size_t *vlen);

/* ============================================================ open, close */

typedef struct store_options {
  bool read_only;        /* no lock taken, nothing written; allowed while a
                            writer runs, and on a copy */
  uint64_t map_size;     /* initial map size; 0 for STORE_DEFAULT_MAP_SIZE.
                            It grows by itself when full. */
  const store_projection *projections; /* the engine's hooks; borrowed until
                                          store_close() */
  size_t nprojections;
} store_options;

#define STORE_DEFAULT_MAP_SIZE (UINT64_C(32) << 30) /* virtual: costs no disk */

/* Opens (a writer: creates) the data directory `dir`.  A writer takes an
 * exclusive flock on <dir>/motcua.lock (MC_ELOCKED if another process holds
 * it), clears reader slots of dead processes, and rebuilds projections whose
 * stored version differs from the registered one.  On failure, a sentence on
 * what is wrong and what to do is appended to `why` (may be NULL).  The
 * caller frees *out with store_close(). */
int store_open(const char *dir, const store_options *opt, store **out, mc_buf *why);

/* Syncs the aux environment and closes everything.  No batch or read may be
 * open.  NULL is a no-op. */
void store_close(store *st);

/* A sentence about the last failure of this store's writer (e.g. "stream
 * dossier/7: expected version 3, the stream is at 5").  Static storage of the
 * store; valid until its next call. */
const char *store_errmsg(const store *st);

/* The data directory, as given to store_open (owned by the store). */
const char *store_dir(const store *st);

/* ============================================================ writing */

/* What one command appended: the sequences first_seq .. first_seq+count-1. */
typedef struct store_cmd_result {
  bool repeated;       /* the command id was seen before: this is the
                          original result and nothing was appended now */
  uint64_t first_seq;
  uint32_t count;
} store_cmd_result;

/* Begins the batch's write transaction.  MC_EREADONLY on a read-only store,
 * MC_EFORMAT when the log ends with a record of a newer format.  The batch
 * is freed by store_batch_commit() or store_batch_abort(). */
int store_batch_begin(store *st, store_batch **out);

/* The head of the log as this batch sees it (commands committed into it
 * included): its sequence (0 for an empty log), hash and time. */
void store_batch_head(const store_batch *b, uint64_t *seq, uint8_t hash[MC_SHA256_BYTES],
                      int64_t *time);

/* Begins a command inside the batch.  `command_id` (text, may be NULL) is the
 * client's id for idempotency: when a command with that id appended events
 * before, *prior gets the original result with repeated = true, no command
 * is opened, and the caller reports that result.  Otherwise repeated = false
 * and the command is open until store_cmd_commit() or store_cmd_abort(). */
int store_cmd_begin(store_batch *b, const char *command_id, store_cmd_result *prior);

/* The current version of `stream` (0 if it has no events), as the open
 * command sees it.  For deciding a command. */
int store_cmd_stream_version(store_batch *b, const char *stream, uint64_t *version);

/* A read of a projection's db as the open command sees it.  The view is
 * valid until the next write of this batch. */
int store_cmd_proj_get(store_batch *b, const char *projection, const void *key, size_t klen,
                       const void **val, size_t *vlen);

/* One event, as the open command sees the log (its own appends included).
 * The view is valid until the next write of this batch. */
int store_cmd_event(store_batch *b, uint64_t seq, store_event *out);

/* A projection's entries in key order from the first key >= `from`, as the
 * open command sees them (store_read_proj_scan's contract otherwise).  For
 * deciding a command that must look at many entries (publishing a directory
 * looks for open dossiers of the agencies it removes). */
typedef int (*store_kv_fn)(void *opaque, const void *key, size_t klen, const void *val, size_t vlen);
int store_cmd_proj_scan(store_batch *b, const char *projection, const void *from, size_t flen,
                        store_kv_fn fn, void *opaque);

/* Appends one event in the open command, runs every projection hook on it,
 * and gives its sequence in *seq (may be NULL).  MC_ECONFLICT when the
 * stream's version is not in->expected_version (*actual_version, may be
 * NULL, gets the stream's version); MC_EINVAL / MC_EPARSE for bad input;
 * a hook's error.  After any error the command must be aborted. */
int store_append(store_batch *b, const store_event_in *in, uint64_t *seq,
                 uint64_t *actual_version);

/* Makes the open command part of the batch (still not durable) and gives
 * what it appended.  A command that appended nothing is not remembered. */
int store_cmd_commit(store_batch *b, store_cmd_result *result);

/* Drops everything the open command wrote; the batch goes on. */
void store_cmd_abort(store_batch *b);

/* Commits the batch durably (fsync) and frees it.  Returns 0 only when the
 * transaction is on disk: then, and only then, may the commands' results be
 * acknowledged.  On failure nothing of the batch is stored. */
int store_batch_commit(store_batch *b);

/* Drops the batch and frees it.  NULL is a no-op. */
void store_batch_abort(store_batch *b);

/* ============================================================ reading */

/* Begins a snapshot read; keep it short (a long read makes the file grow
 * while writes go on).  Any thread.  Free with store_read_end(). */
int store_read_begin(store *st, store_read **out);
void store_read_end(store_read *rd); /* NULL is a no-op */

/* The head of the log in this snapshot (seq 0 and a zero hash when empty). */
int store_read_head(store_read *rd, uint64_t *seq, uint8_t hash[MC_SHA256_BYTES]);

/* One event.  MC_ENOENT if there is none with that sequence, MC_ECORRUPT /
 * MC_EFORMAT when its record cannot be read. */
int store_read_event(store_read *rd, uint64_t seq, store_event *out);

/* Calls fn for each event from `from_seq` on, at most `max` of them (0: no
 * limit).  fn returns 0 to go on, 1 to stop, or a negative error that is
 * returned.  *next (may be NULL) gets the sequence after the last visited. */
typedef int (*store_event_fn)(void *opaque, const store_event *ev);
int store_read_log(store_read *rd, uint64_t from_seq, uint64_t max, store_event_fn fn,
                   void *opaque, uint64_t *next);

/* One stream's events from version `from_version` on, in order: one range
 * read of the stream index. */
int store_read_stream(store_read *rd, const char *stream, uint64_t from_version,
                      store_event_fn fn, void *opaque);

/* Events of one type, in sequence order. */
int store_read_type(store_read *rd, const char *type, store_event_fn fn, void *opaque);

/* Events with from <= time < to, in time order. */
int store_read_time(store_read *rd, int64_t from, int64_t to, store_event_fn fn, void *opaque);

/* A projection's value for `key`; MC_ENOENT when absent. */
int store_read_proj(store_read *rd, const char *projection, const void *key, size_t klen,
                    const void **val, size_t *vlen);

/* A projection's entries in key order from the first key >= `from` (flen 0:
 * from the start).  fn returns 0 to go on, 1 to stop, or a negative error
 * that is returned.  Views are valid during the call (storage/scan.c). */
int store_read_proj_scan(store_read *rd, const char *projection, const void *from, size_t flen,
                         store_kv_fn fn, void *opaque);

/* What the legal record takes on disk: fn is called for each db of the
 * environment — "(main)", "meta", "log", then each projection by name
 * (storage's indexes "stream", "type", "time", "command" among them) — with
 * the pages it uses (branch, leaf and overflow) and its entries; fn returns
 * 0 to go on.  *page_size gets the page size.  The aux environment is not
 * part of it.  A benchmark's figure (docs/STORAGE.md). */
typedef int (*store_db_fn)(void *opaque, const char *name, uint64_t pages, uint64_t entries);
int store_read_footprint(store_read *rd, store_db_fn fn, void *opaque, uint64_t *page_size);

/* The whole log from `from_seq` to `upto` (0: the head when called), read in
 * chunks of `chunk` events, each in its own short read transaction, so a long
 * export does not hold old pages.  Consistent because the log is append-only.
 * Views passed to fn are valid during the call only.  fn returns 0 to go on,
 * 1 to stop (then 1 is returned), or an error that is returned. */
int store_log_each(store *st, uint64_t from_seq, uint64_t upto, uint64_t chunk,
                   store_event_fn fn, void *opaque);

/* ============================================================ aux dbs */

/* Named aux databases outside the chain (name: [a-z0-9_-]{1,32}), each put or
 * del its own transaction in <dir>/aux/, not flushed to disk on commit.
 * store_aux_get copies the value into `out` (appended); MC_ENOENT when absent.
 * On a read-only store, put and del give MC_EREADONLY. */
int store_aux_put(store *st, const char *db, const void *key, size_t klen, const void *val,
                  size_t vlen);
/* Many puts in one transaction (a batch of records written together). */
typedef struct store_aux_item {
  const void *key, *val;
  size_t klen, vlen;
} store_aux_item;
int store_aux_put_many(store *st, const char *db, const store_aux_item *items, size_t n);
int store_aux_get(store *st, const char *db, const void *key, size_t klen, mc_buf *out);
int store_aux_del(store *st, const char *db, const void *key, size_t klen);
/* The first entry whose key is strictly after `after` (alen 0: the first of
 * all), appended to key and val; MC_ENOENT when there is none. */
int store_aux_next(store *st, const char *db, const void *after, size_t alen, mc_buf *key, mc_buf *val);
/* Flushes the aux databases to disk: for what must survive a crash even
 * outside the record (a password just set). */
int store_aux_sync(store *st);

/* ============================================================ audit */

/* A head known from outside the data directory: a checkpoint or --expect-head. */
typedef struct store_anchor {
  uint64_t seq;
  uint8_t hash[MC_SHA256_BYTES];
  char source[128]; /* where it came from, for the report */
} store_anchor;

typedef struct store_verify_options {
  const store_anchor *anchors; /* borrowed; may be NULL */
  size_t nanchors;
  const char *scratch_dir;     /* where to rebuild projections; NULL: $TMPDIR */
  bool skip_projections;
} store_verify_options;

typedef struct store_verify_report {
  uint64_t events;        /* records checked */
  uint64_t head_seq;
  uint8_t head_hash[MC_SHA256_BYTES];
  uint64_t first_bad_seq; /* 0 when nothing is wrong */
  int problems;           /* findings */
  mc_buf text;            /* the report, one finding a line; caller frees */
} store_verify_report;

/* Checks the whole log: sequence without gaps, each record canonical and
 * readable, each prev equal to the previous hash, times not going back, each
 * anchor matching; then rebuilds every projection this program knows into a
 * scratch environment and compares it with the stored one.  Read-only; runs
 * beside a writer.  Returns 0 when the checks ran (look at report->problems),
 * or an error when they could not. */
int store_verify(store *st, const store_verify_options *opt, store_verify_report *report);

/* Creates an Ed25519 key pair: the secret seed to `secret_path` (mode 0600,
 * refused if it exists) and the public key to `public_path`, both as hex. */
int store_checkpoint_keygen(const char *secret_path, const char *public_path, mc_buf *why);

/* Signs the current head with the key in `secret_path` (refused with
 * MC_EACCES when group- or world-readable, or inside the data directory) and
 * writes checkpoint-<seq>.txt into `out_dir` (created; must be outside the
 * data directory).  The file's path is appended to `path_out` (may be NULL).
 * The format is in storage/checkpoint.c and docs/STORAGE.md. */
int store_checkpoint_write(store *st, const char *secret_path, const char *out_dir,
                           mc_buf *path_out, mc_buf *why);

/* Reads a checkpoint file and checks its signature against the public key
 * in `pinned_public_path` (required: MC_EINVAL without it — the key written
 * in the file is its signer's word; only the key its owner keeps proves
 * anything).  MC_EPARSE for a malformed file, MC_ECORRUPT for a bad
 * signature or another key. */
int store_checkpoint_read(const char *path, const char *pinned_public_path, store_anchor *out,
                          mc_buf *why);

/* A consistent hot copy of the data directory into `dest` (must not exist or
 * be empty): LMDB's compacting copy of the log, and of the aux environment.
 * Runs beside a writer. */
int store_backup(store *st, const char *dest, mc_buf *why);

#endif
