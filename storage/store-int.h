/* store-int.h — what the files of storage/ share, and the on-disk format.
 *
 * Only the .c files of storage/ and storage's own tests include this header.  It is also
 * the one place that names LMDB's types; LMDB's error codes are translated
 * into MC_E* by store__lmdb_error() (error.c) and never leave storage/.
 *
 * ======================================================== the layers
 *
 * A file of storage/ calls only files of a layer below its own, never one of
 * its own layer or above: no two files call into each other
 * (tools/check-structure.py checks it from the object files' symbols, in the
 * test command).  The declarations below come in the same order.
 *
 *   0  error.c       LMDB's codes translated into MC_E*; the last error message
 *   1  format.c      the event record; names of dbs (big-endian integers: base/bytes.h)
 *   2  env.c         the open environment: map growth, write and read transactions
 *      aux.c         the aux environment and its dbs
 *      proj.c        projection dbs as hooks see them; storage's own projections
 *      footprint.c   what each db takes on disk
 *   3  rebuild.c     rebuilding projections from the log
 *      batch.c       appending: batches, commands, the journal and its replay
 *      backup.c      hot backup
 *   4  open.c        opening a data directory (lock, format, dbs, stale
 *                    projections) and closing it
 *      read.c        reading the log and storage's own indexes back
 *      scan.c        reading a projection's db in key order
 *      raw.c         unchecked writes, for the tamper tests only
 *   5  verify.c      the auditor's check of a data directory
 *      checkpoint.c  signed checkpoints of the head
 *
 * ======================================================== the on-disk format
 *
 * STORE_FORMAT_VERSION 1.  A data directory holds:
 *
 *   motcua.lock     empty file; a writer holds flock(LOCK_EX) on it and
 *                   writes its pid into it (for the refusal message)
 *   data.mdb        the LMDB environment of the log, its indexes and the
 *   lock.mdb        projections (durable commits)
 *   aux/data.mdb    the aux environment (MDB_NOSYNC), outside the chain
 *   aux/lock.mdb
 *
 * Named databases of data.mdb:
 *
 *   "meta"      "format"      -> u32 big-endian: STORE_FORMAT_VERSION of the
 *                                directory (a newer one is refused)
 *               "proj/<name>" -> u32 big-endian: the version of projection
 *                                <name> that its db holds
 *   "log"       key: u64 big-endian sequence, 1, 2, 3 ... without gaps
 *               (written with MDB_APPEND, so an out-of-order key fails)
 *               value: the event record, below
 *   "p/<name>"  one db per projection.  Storage's own:
 *     "p/stream"  stream id bytes, 0x00, u64 BE version -> u64 BE sequence
 *     "p/type"    type bytes, 0x00, u64 BE sequence     -> empty
 *     "p/time"    u64 BE (time XOR 2^63), u64 BE sequence -> empty
 *     "p/command" command id bytes -> u64 BE first sequence, u32 BE count
 *
 * The event record is one canonical msgpack map (base/canon.h: shortest
 * integers, keys in ascending byte order, text NFC) with exactly these keys,
 * in this order:
 *
 *   "actor"   map {"client": str, "role": str, "who": str}
 *   "cause"   str, or nil         causation id
 *   "cmd"     str, or nil         client command id (idempotency)
 *   "corr"    str, or nil         correlation id
 *   "data"    bin                 one canonical msgpack value (the payload)
 *   "defn"    bin 32, or nil      SHA-256 of the definition it ran under
 *   "fmt"     uint                record format: STORE_FORMAT_VERSION
 *   "prev"    bin 32              hash of event seq-1 (32 zero bytes for 1)
 *   "seq"     uint                equal to the key
 *   "stream"  str                 1..255 bytes
 *   "time"    int                 ms since 1970-01-01T00:00Z, never less
 *                                 than the previous event's
 *   "type"    str                 1..255 bytes
 *   "ver"     uint                1 for the stream's first event
 *
 * The hash of event n is SHA-256 over exactly the value bytes stored under
 * key n.  Because those bytes contain "prev", the hash of event n covers the
 * whole history 1..n: changing, dropping or reordering any event changes
 * every later hash.  The head hash is the hash of the last event (32 zero
 * bytes for an empty log).  A reader meeting a record whose "fmt" is greater
 * than STORE_FORMAT_VERSION stops with MC_EFORMAT; an unknown key in a record
 * of this format is MC_ECORRUPT.  Any change here bumps the version.
 */
#ifndef MOTCUA_STORE_INT_H
#define MOTCUA_STORE_INT_H

#include "store.h"

#include "base/arena.h"
#include "base/bytes.h"
#include "base/error.h"

#include <lmdb.h>
#include <pthread.h>

#define STORE_FORMAT_VERSION 1u

#define STORE_MAX_PROJ 24  /* projections per store, storage's own included */
#define STORE_NBUILTIN 4   /* stream, type, time, command */

/* A registered projection and its db. */
typedef struct store__proj {
  store_projection def;
  MDB_dbi dbi;
  bool present; /* its db exists (always true for a writer) */
  int dep;      /* the index of def.depends_on in the same array, or -1 */
} store__proj;

struct store {
  char *dir;
  bool read_only;
  int lock_fd;                 /* -1 for a read-only store */
  MDB_env *env;
  MDB_dbi meta, log;
  store__proj proj[STORE_MAX_PROJ];
  size_t nproj;
  MDB_env *aux;                /* NULL until first needed / when absent */
  pthread_mutex_t aux_mutex;   /* opening aux dbs */
  pthread_rwlock_t resize;     /* read txns hold it shared; growth exclusive */
  uint64_t map_size;
  bool map_full;               /* the last LMDB error was MDB_MAP_FULL */
  store_batch *batch;          /* the open batch, if any */
  char errmsg[512];
};

/* A rebuild's hint to store_proj_put: try MDB_APPEND until this many keys
 * of a chunk came out of order. */
#define STORE_APPEND_MISSES 16
#define STORE_REBUILD_CHUNK 262144 /* events per write transaction of a rebuild */

typedef struct store__append_hint {
  unsigned misses;
} store__append_hint;

struct store_proj_txn {
  store *st;  /* for error messages; may be NULL */
  MDB_txn *txn;
  MDB_dbi dbi;
  store__append_hint *hint; /* rebuilding: try MDB_APPEND; NULL otherwise */
  bool has_dep;             /* the projection depends on another: */
  MDB_dbi dep_dbi;          /* its db */
};

/* The transaction view for projection i of `proj` (dbis: the dbs to use
 * instead of proj[].dbi, or NULL). */
static inline store_proj_txn store__proj_txn(store *st, MDB_txn *txn, const store__proj *proj,
                                             const MDB_dbi *dbis, size_t i, store__append_hint *hint) {
  store_proj_txn tx = {st, txn, dbis ? dbis[i] : proj[i].dbi, hint, proj[i].dep >= 0, 0};
  if (tx.has_dep)
    tx.dep_dbi = dbis ? dbis[proj[i].dep] : proj[proj[i].dep].dbi;
  return tx;
}

struct store_read {
  store *st;
  MDB_txn *txn;
  MDB_cursor *log_cur;
};

/* The head of the log as a transaction sees it. */
typedef struct store__head {
  uint64_t seq;
  uint8_t hash[MC_SHA256_BYTES];
  int64_t time;
} store__head;

/* One append remembered so the batch can be replayed after the map grew. */
typedef struct store__journal_entry {
  store_event_in in;   /* strings and data copied into the batch's arena */
} store__journal_entry;

typedef struct store__journal_cmd {
  const char *command_id; /* in the arena, or NULL */
  size_t first, count;    /* entries of this command */
} store__journal_cmd;

/* How a command is kept apart from its neighbours (batch.c "the batch").  A
 * command writes straight into the batch's transaction; when a command that
 * already wrote is rejected, the batch's transaction is dropped and the
 * journal of the commands committed before it is replayed into a fresh one,
 * and from then on each command of that batch gets a nested transaction
 * (`nested`), so one batch replays at most once for rejections. */
struct store_batch {
  store *st;
  MDB_txn *txn;        /* the parent: one durable transaction */
  MDB_txn *cmd_txn;    /* the open command's nested transaction (nested mode), or NULL */
  bool nested;         /* commands of this batch get a nested transaction */
  bool cmd_open;       /* a command is open */
  bool cmd_wrote;      /* the open command wrote into txn directly (not nested) */
  bool cmd_failed;
  bool replaying;
  int broken;          /* a replay failed: the batch can only be aborted */
  store__head head;     /* including committed commands */
  store__head cmd_head; /* including the open command's appends */
  const char *cmd_id;   /* the open command's id, in the arena */
  uint64_t cmd_first;
  uint32_t cmd_count;
  mc_arena arena;       /* journal copies */
  store__journal_entry *entries;
  size_t nentries, centries;
  store__journal_cmd *cmds;
  size_t ncmds, ccmds;
  size_t cmd_first_entry; /* the open command's first journal entry */
  mc_buf record;        /* encoding scratch */
  mc_buf scratch;
};

/* ------------------------------------------------------------ 0 error.c */

/* Translates an LMDB (or errno) code into MC_E*, and notes `what` failed in
 * st->errmsg when st is not NULL. */
int store__lmdb_error(store *st, int rc, const char *what);

/* Sets st->errmsg (printf-style). */
void store__set_errmsg(store *st, const char *fmt, ...) MC__PRINTF(2, 3);

/* ------------------------------------------------------------ 1 format.c */

/* Encodes the record of event `seq` (version `version`, after `prev`) into
 * `out` (reset first).  `stream` is already NFC.  Returns 0, MC_EINVAL /
 * MC_EPARSE for bad input (st->errmsg says which field), MC_ENOMEM. */
int store__record_encode(store *st, const store_event_in *in, const char *stream, uint64_t seq,
                         uint64_t version, const char *command_id,
                         const uint8_t prev[MC_SHA256_BYTES], mc_buf *out);

/* Decodes a stored record into a view.  MC_ECORRUPT when it is not a record
 * of this format (or its seq is not `seq`), MC_EFORMAT for a newer format. */
int store__record_decode(const uint8_t *rec, size_t len, uint64_t seq, store_event *ev);

/* Checks a name of a projection or aux db: [a-z0-9_-]{1,32}. */
bool store__name_ok(const char *name);

/* ------------------------------------------------------------ 2 env.c */

/* Begins a write transaction, adopting a map grown by another process. */
int store__txn_begin_write(store *st, MDB_txn **out);

/* Grows the map (no transaction of this process may be open). */
int store__map_grow(store *st);

/* ------------------------------------------------------------ 2 aux.c */

/* Opens the aux environment on first use (MC_ENOENT: a read-only store
 * without one).  The caller holds st->aux_mutex. */
int store__aux_env(store *st, MDB_env **out);

/* ------------------------------------------------------------ 2 proj.c */

/* The registered projection named `name` when its db exists, else NULL. */
const store__proj *store__proj_named(const store *st, const char *name);

/* Storage's own projections (by stream, type, time, command), in this order
 * at the start of st->proj. */
extern const store_projection store__builtin[STORE_NBUILTIN];
enum { STORE_PROJ_STREAM = 0, STORE_PROJ_TYPE = 1, STORE_PROJ_TIME = 2, STORE_PROJ_COMMAND = 3 };

/* "p/time" keys hold the time XOR this bit: signed order as byte order. */
#define STORE_TIME_SIGN_BIT (UINT64_C(1) << 63)

/* `text`, 0x00, then a big-endian u64: the keys of the stream and type
 * indexes.  `out` holds len + 9 bytes; returns that length. */
size_t store__prefixed_key(uint8_t *out, const char *text, size_t len, uint64_t n);

/* Looks up the current version of a stream in the stream index. */
int store__stream_version(store *st, MDB_txn *txn, MDB_dbi stream_dbi, const char *stream,
                          size_t len, uint64_t *version);

/* Runs every projection hook of `proj[0..nproj)` on `ev`, writing with
 * `txn` into the dbs `dbis` (which may belong to another environment: the
 * verifier's scratch copy). */
int store__apply_all(store *st, MDB_txn *txn, const store__proj *proj, const MDB_dbi *dbis,
                     size_t nproj, const store_event *ev);

/* ------------------------------------------------------------ 3 rebuild.c */

/* Rebuilds the projections st->proj[i] with which[i] set from the log, in
 * one pass, `chunk` events (0: STORE_REBUILD_CHUNK) per durable write
 * transaction; their version records are written last.  No transaction of
 * this process may be open (the map may grow). */
int store__proj_rebuild(store *st, const bool *which, uint64_t chunk);

/* ------------------------------------------------------------ 3 batch.c */

/* Reads the head of the log in `txn` (decoding the last record). */
int store__head_read(store *st, MDB_txn *txn, store__head *out);

/* The transaction the open command of a batch writes in (its nested one, or
 * the batch's). */
MDB_txn *store__cmd_txn(const store_batch *b);

/* ------------------------------------------------------------ 4 raw.c
 * For tests that damage a copy on purpose (tests/unit/storage/test_env.c,
 * test_verify.c)
 * and nothing else: these write without any check, in their own durable
 * transaction. */
int store__raw_put(store *st, uint64_t seq, const void *rec, size_t len);
int store__raw_del(store *st, uint64_t seq);
/* Rebuilds every projection from the log as it now is (as an attacker who
 * knows the format would, to hide a change from the comparison). */
int store__raw_rebuild_projections(store *st);

#endif
