/* log.c — appending to the log in batches, reading it back, and the
 * projections that follow it (storage's own indexes and the engine's hooks).
 *
 * A batch is one durable LMDB write transaction.  Aborting a command drops
 * exactly its writes: how, without paying for a nested transaction per
 * command, is explained at "the batch" below.  Every append is also copied
 * into the batch's journal: when the map fills up in the middle of a batch,
 * or a command that already wrote is rejected, the transaction is aborted
 * (the map grown) and the journal replayed into a fresh transaction.  Replaying gives the same
 * sequences, versions and hashes because nothing else writes meanwhile (the
 * writer lock) and projection hooks are deterministic; the caller never sees
 * MDB_MAP_FULL.
 */
#include "store-int.h"

#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGN_BIT (UINT64_C(1) << 63)

/* ============================================================ projection dbs */

int store_proj_put(store_proj_txn *tx, const void *key, size_t klen, const void *val, size_t vlen) {
  MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
  int rc = MDB_KEYEXIST;
  if (klen == 0 || klen > 511)
    return MC_EINVAL;
  /* While rebuilding, keys that come in order (time, and type when one type
   * runs) go to the end of the db with MDB_APPEND; a key that is not after
   * the last one gives MDB_KEYEXIST and an ordinary put, and after a few of
   * those this db stops trying (the stream index rarely comes in order). */
  if (tx->hint && tx->hint->misses < STORE_APPEND_MISSES) {
    v = (MDB_val){vlen, (void *)val};
    if ((rc = mdb_put(tx->txn, tx->dbi, &k, &v, MDB_APPEND)) == MDB_KEYEXIST)
      tx->hint->misses++;
  }
  if (rc == MDB_KEYEXIST) {
    v = (MDB_val){vlen, (void *)val};
    rc = mdb_put(tx->txn, tx->dbi, &k, &v, 0);
  }
  return store__lmdb_error(tx->st, rc, "writing a projection");
}

int store_proj_get(store_proj_txn *tx, const void *key, size_t klen, const void **val, size_t *vlen) {
  MDB_val k = {klen, (void *)key}, v;
  if (klen == 0 || klen > 511)
    return MC_EINVAL;
  int rc = mdb_get(tx->txn, tx->dbi, &k, &v);
  if (rc)
    return store__lmdb_error(tx->st, rc, "reading a projection");
  *val = v.mv_data;
  *vlen = v.mv_size;
  return 0;
}

int store_proj_get_dep(store_proj_txn *tx, const void *key, size_t klen, const void **val, size_t *vlen) {
  if (!tx->has_dep)
    return MC_EINVAL;
  store_proj_txn dep = {tx->st, tx->txn, tx->dep_dbi, NULL, false, 0};
  return store_proj_get(&dep, key, klen, val, vlen);
}

int store_proj_del(store_proj_txn *tx, const void *key, size_t klen) {
  MDB_val k = {klen, (void *)key};
  if (klen == 0 || klen > 511)
    return MC_EINVAL;
  int rc = mdb_del(tx->txn, tx->dbi, &k, NULL);
  return rc == MDB_NOTFOUND ? 0 : store__lmdb_error(tx->st, rc, "deleting from a projection");
}

/* ============================================================ storage's own */

/* `text`, 0x00, then a big-endian u64: the keys of the stream and type indexes. */
static size_t prefixed_key(uint8_t *out, const char *text, size_t len, uint64_t n) {
  memcpy(out, text, len);
  out[len] = 0;
  store__be64(out + len + 1, n);
  return len + 9;
}

int store__stream_version(store *st, MDB_txn *txn, MDB_dbi dbi, const char *stream, size_t len,
                          uint64_t *version) {
  uint8_t key[STORE_MAX_ID + 9];
  MDB_cursor *cur = NULL;
  MDB_val k, v;
  int rc;

  *version = 0;
  if (len == 0 || len > STORE_MAX_ID)
    return MC_EINVAL;
  /* Position after every key of the stream (stream, 0x01 sorts after all of
   * stream, 0x00, ...), then step back. */
  memcpy(key, stream, len);
  key[len] = 1;
  k = (MDB_val){len + 1, key};
  if ((rc = mdb_cursor_open(txn, dbi, &cur)))
    return store__lmdb_error(st, rc, "opening a cursor");
  rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV)
               : rc == MDB_NOTFOUND ? mdb_cursor_get(cur, &k, &v, MDB_LAST) : rc;
  if (rc == 0 && k.mv_size == len + 9 && memcmp(k.mv_data, stream, len) == 0 &&
      ((uint8_t *)k.mv_data)[len] == 0)
    *version = store__get_be64((uint8_t *)k.mv_data + len + 1);
  mdb_cursor_close(cur);
  return rc == 0 || rc == MDB_NOTFOUND ? 0 : store__lmdb_error(st, rc, "reading the stream index");
}

static int apply_stream(void *opaque, store_proj_txn *tx, const store_event *ev) {
  uint8_t key[STORE_MAX_ID + 9], val[8];
  uint64_t current;
  int rc;
  (void)opaque;
  if (ev->stream.len > STORE_MAX_ID)
    return MC_ECORRUPT;
  if ((rc = store__stream_version(tx->st, tx->txn, tx->dbi, ev->stream.ptr, ev->stream.len,
                                  &current)))
    return rc;
  if (ev->version != current + 1) {
    store__set_errmsg(tx->st, "event %llu: stream %.*s goes from version %llu to %llu",
                      (unsigned long long)ev->seq, (int)ev->stream.len, ev->stream.ptr,
                      (unsigned long long)current, (unsigned long long)ev->version);
    return MC_ECORRUPT;
  }
  store__be64(val, ev->seq);
  return store_proj_put(tx, key, prefixed_key(key, ev->stream.ptr, ev->stream.len, ev->version),
                        val, 8);
}

static int apply_type(void *opaque, store_proj_txn *tx, const store_event *ev) {
  uint8_t key[STORE_MAX_ID + 9];
  (void)opaque;
  if (ev->type.len > STORE_MAX_ID)
    return MC_ECORRUPT;
  return store_proj_put(tx, key, prefixed_key(key, ev->type.ptr, ev->type.len, ev->seq), "", 0);
}

static int apply_time(void *opaque, store_proj_txn *tx, const store_event *ev) {
  uint8_t key[16];
  (void)opaque;
  store__be64(key, (uint64_t)ev->time ^ SIGN_BIT); /* signed order as byte order */
  store__be64(key + 8, ev->seq);
  return store_proj_put(tx, key, 16, "", 0);
}

/* command id -> first sequence, count: the result a retry gets back. */
static int apply_command(void *opaque, store_proj_txn *tx, const store_event *ev) {
  uint8_t val[12];
  const void *old;
  size_t len;
  (void)opaque;
  if (ev->command.len == 0)
    return 0;
  int rc = store_proj_get(tx, ev->command.ptr, ev->command.len, &old, &len);
  if (rc == 0) {
    uint64_t first = len == 12 ? store__get_be64(old) : 0;
    uint32_t count = len == 12 ? store__get_be32((const uint8_t *)old + 8) : 0;
    if (first + count != ev->seq) {
      store__set_errmsg(tx->st, "event %llu: command %.*s appended events that are not "
                                "consecutive", (unsigned long long)ev->seq,
                        (int)ev->command.len, ev->command.ptr);
      return MC_ECORRUPT;
    }
    store__be64(val, first);
    store__be32(val + 8, count + 1);
  } else if (rc == MC_ENOENT) {
    store__be64(val, ev->seq);
    store__be32(val + 8, 1);
  } else {
    return rc;
  }
  return store_proj_put(tx, ev->command.ptr, ev->command.len, val, 12);
}

const store_projection store__builtin[STORE_NBUILTIN] = {
    {"stream", 1, apply_stream, NULL, NULL},
    {"type", 1, apply_type, NULL, NULL},
    {"time", 1, apply_time, NULL, NULL},
    {"command", 1, apply_command, NULL, NULL},
};

enum { PROJ_STREAM = 0, PROJ_TYPE = 1, PROJ_TIME = 2, PROJ_COMMAND = 3 };

int store__apply_all(store *st, MDB_txn *txn, const store__proj *proj, const MDB_dbi *dbis,
                     size_t nproj, const store_event *ev) {
  for (size_t i = 0; i < nproj; i++) {
    store_proj_txn tx = store__proj_txn(st, txn, proj, dbis, i, NULL);
    int rc = proj[i].def.apply(proj[i].def.opaque, &tx, ev);
    if (rc)
      return rc;
  }
  return 0;
}

/* ============================================================ the head */

int store__head_read(store *st, MDB_txn *txn, store__head *out) {
  MDB_cursor *cur = NULL;
  MDB_val k, v;
  store_event ev;
  int rc;

  memset(out, 0, sizeof *out);
  out->time = INT64_MIN;
  if ((rc = mdb_cursor_open(txn, st->log, &cur)))
    return store__lmdb_error(st, rc, "opening the log");
  rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
  mdb_cursor_close(cur);
  if (rc == MDB_NOTFOUND)
    return 0;
  if (rc)
    return store__lmdb_error(st, rc, "reading the head");
  if (k.mv_size != 8) {
    store__set_errmsg(st, "the log holds a key of %zu bytes", k.mv_size);
    return MC_ECORRUPT;
  }
  out->seq = store__get_be64(k.mv_data);
  rc = store__record_decode(v.mv_data, v.mv_size, out->seq, &ev);
  if (rc) {
    store__set_errmsg(st, rc == MC_EFORMAT
                              ? "the last event (%llu) was written by a newer motcua: upgrade"
                              : "the last event (%llu) is not a readable record: run motcua "
                                "audit verify",
                      (unsigned long long)out->seq);
    return rc;
  }
  out->time = ev.time;
  store_event_hash(&ev, out->hash);
  return 0;
}

/* ============================================================ rebuild */

/* Rebuilds the projections st->proj[i] with which[i] set, in one pass over
 * the log, `chunk` events per durable write transaction (so a long log does
 * not hold all its dirty pages in memory at once).  The first transaction
 * empties them and deletes their version records, and the version records
 * are written by the last one: a crash half-way leaves them marked stale, and
 * the next open rebuilds them again.  Keys that come in order are written
 * with MDB_APPEND (store_proj_put).  MDB_MAP_FULL grows the map and redoes
 * the chunk.  No allocation per event: records are decoded in place. */
int store__proj_rebuild(store *st, const bool *which, uint64_t chunk) {
  store__proj sel[STORE_MAX_PROJ];
  size_t at[STORE_MAX_PROJ]; /* sel[j] is st->proj[at[j]] */
  store__append_hint hint[STORE_MAX_PROJ];
  size_t n = 0;
  uint64_t next = 1;
  bool first = true, done = false;
  int rc = 0;

  for (size_t i = 0; i < st->nproj; i++)
    if (which[i])
      at[n] = i, sel[n++] = st->proj[i];
  if (n == 0)
    return 0;
  if (chunk == 0)
    chunk = STORE_REBUILD_CHUNK;
  for (int grown = 0; !done && grown < 40;) {
    MDB_txn *txn = NULL;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    uint8_t key[8];
    uint64_t seen = 0, resume = next;
    store_event ev;

    st->map_full = false;
    if ((rc = store__txn_begin_write(st, &txn)))
      return rc;
    for (size_t j = 0; first && j < n && rc == 0; j++) {
      char name[40];
      snprintf(name, sizeof name, "proj/%s", sel[j].def.name);
      MDB_val mk = {strlen(name), name};
      rc = mdb_drop(txn, sel[j].dbi, 0);
      if (rc == 0 && (rc = mdb_del(txn, st->meta, &mk, NULL)) == MDB_NOTFOUND)
        rc = 0;
      rc = store__lmdb_error(st, rc, "emptying a projection");
    }
    for (size_t j = 0; j < n; j++)
      hint[j].misses = 0;
    if (rc == 0 && (rc = mdb_cursor_open(txn, st->log, &cur)))
      rc = store__lmdb_error(st, rc, "opening the log");
    store__be64(key, next);
    k = (MDB_val){8, key};
    if (rc == 0) {
      for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && seen < chunk;
           rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), seen++) {
        uint64_t seq = k.mv_size == 8 ? store__get_be64(k.mv_data) : 0;
        if ((rc = store__record_decode(v.mv_data, v.mv_size, seq, &ev))) {
          store__set_errmsg(st, "rebuilding projections: event %llu cannot be read",
                            (unsigned long long)seq);
          break;
        }
        for (size_t j = 0; j < n && rc == 0; j++) {
          store_proj_txn tx = store__proj_txn(st, txn, st->proj, NULL, at[j], &hint[j]);
          rc = sel[j].def.apply(sel[j].def.opaque, &tx, &ev);
        }
        if (rc)
          break;
        next = seq + 1;
      }
      if (rc == MDB_NOTFOUND)
        done = true, rc = 0;
      else if (rc > 0 || rc < -30000)
        rc = store__lmdb_error(st, rc, "rebuilding projections");
    }
    if (cur)
      mdb_cursor_close(cur);
    for (size_t j = 0; done && rc == 0 && j < n; j++) {
      char name[40];
      uint8_t ver[4];
      snprintf(name, sizeof name, "proj/%s", sel[j].def.name);
      MDB_val mk = {strlen(name), name}, mv = {4, ver};
      store__be32(ver, sel[j].def.version);
      rc = store__lmdb_error(st, mdb_put(txn, st->meta, &mk, &mv, 0),
                             "writing a projection's version");
    }
    if (rc == 0) {
      rc = store__lmdb_error(st, mdb_txn_commit(txn), "committing a rebuild");
      txn = NULL;
    }
    if (txn)
      mdb_txn_abort(txn);
    if (rc == 0) {
      first = false;
      continue;
    }
    if (!st->map_full)
      return rc;
    /* The chunk filled the map: grow it and do the chunk again. */
    done = false;
    next = resume;
    grown++;
    if ((rc = store__map_grow(st)))
      return rc;
  }
  return rc;
}

/* ============================================================ the batch
 *
 * Isolation of commands.  ARCHITECTURE.md asks that a rejected command write
 * nothing and leave its neighbours alone.  A nested LMDB transaction per
 * command gives that, but LMDB makes a child transaction copy every page it
 * touches that its parent already dirtied (mdb_page_touch: mdb_page_malloc,
 * which zeroes the page, then a copy), and a one-event command touches the
 * log's and three indexes' leaf and branch pages: about nine 4 KiB page
 * copies per command, more than half of the store's CPU time per append at
 * 1,024 commands a batch (bench-store prints the figure measured with raw
 * LMDB).  So a command writes straight into the batch's transaction, and
 * isolation comes from the journal that map growth needs anyway:
 *   - a command rejected before it wrote anything (a conflict on its first
 *     event, bad input, an idempotent repeat) costs nothing to drop;
 *   - a command rejected after it wrote (a hook's error, a conflict on its
 *     second event) makes the batch drop its transaction and replay the
 *     journal of the commands committed before it into a fresh one.  Replay
 *     gives the same sequences, versions and hashes (one writer; hooks are
 *     deterministic), so the neighbours keep their results;
 *   - after such a replay the batch gives each later command a nested
 *     transaction (b->nested), so a batch replays at most once for
 *     rejections whatever its size.
 * Nothing is durable or acknowledged before store_batch_commit() returns 0
 * either way. */

MDB_txn *store__cmd_txn(const store_batch *b) { return b->cmd_txn ? b->cmd_txn : b->txn; }

static void batch_drop_txns(store_batch *b) {
  if (b->cmd_txn)
    mdb_txn_abort(b->cmd_txn);
  if (b->txn)
    mdb_txn_abort(b->txn);
  b->cmd_txn = b->txn = NULL;
}

static int batch_start(store_batch *b) {
  int rc = store__txn_begin_write(b->st, &b->txn);
  if (rc)
    return rc;
  if ((rc = store__head_read(b->st, b->txn, &b->head))) {
    mdb_txn_abort(b->txn);
    b->txn = NULL;
  }
  return rc;
}

int store_batch_begin(store *st, store_batch **out) {
  store_batch *b;
  int rc;
  *out = NULL;
  if (st->read_only)
    return MC_EREADONLY;
  if (st->batch) {
    store__set_errmsg(st, "a batch is already open");
    return MC_EINVAL;
  }
  if ((b = calloc(1, sizeof *b)) == NULL)
    return MC_ENOMEM;
  b->st = st;
  if ((rc = batch_start(b))) {
    free(b);
    return rc;
  }
  st->batch = b;
  *out = b;
  return 0;
}

void store_batch_head(const store_batch *b, uint64_t *seq, uint8_t hash[MC_SHA256_BYTES],
                      int64_t *time) {
  const store__head *h = b->cmd_open ? &b->cmd_head : &b->head;
  if (seq)
    *seq = h->seq;
  if (hash)
    memcpy(hash, h->hash, MC_SHA256_BYTES);
  if (time)
    *time = h->time;
}

static void batch_free(store_batch *b) {
  batch_drop_txns(b);
  b->st->batch = NULL;
  mc_arena_free(&b->arena);
  mc_buf_free(&b->record);
  mc_buf_free(&b->scratch);
  free(b->entries);
  free(b->cmds);
  free(b);
}

void store_batch_abort(store_batch *b) {
  if (b)
    batch_free(b);
}

static const char *arena_str(store_batch *b, const char *s) {
  return s ? mc_arena_strdup(&b->arena, s) : NULL;
}

/* Opens a command: a nested transaction in nested mode, else only state. */
static int cmd_open(store_batch *b, const char *command_id) {
  if (b->nested) {
    int rc = mdb_txn_begin(b->st->env, b->txn, 0, &b->cmd_txn);
    if (rc)
      return store__lmdb_error(b->st, rc, "beginning a command");
  }
  b->cmd_open = true;
  b->cmd_wrote = false;
  b->cmd_head = b->head;
  b->cmd_id = command_id;
  b->cmd_first = 0;
  b->cmd_count = 0;
  b->cmd_failed = false;
  return 0;
}

int store_cmd_begin(store_batch *b, const char *command_id, store_cmd_result *prior) {
  store *st = b->st;
  int rc;
  memset(prior, 0, sizeof *prior);
  if (b->broken) {
    store__set_errmsg(st, "the batch failed before (%s): abort it", mc_strerror(b->broken));
    return b->broken;
  }
  if (b->cmd_open || b->txn == NULL) {
    store__set_errmsg(st, "a command is already open in this batch");
    return MC_EINVAL;
  }
  if (command_id) {
    size_t len = strlen(command_id);
    MDB_val k = {len, (void *)command_id}, v;
    if (len == 0 || len > STORE_MAX_ID) {
      store__set_errmsg(st, "a command id must be 1 to %d bytes long", STORE_MAX_ID);
      return MC_EINVAL;
    }
    rc = mdb_get(b->txn, st->proj[PROJ_COMMAND].dbi, &k, &v);
    if (rc == 0 && v.mv_size == 12) {
      prior->repeated = true;
      prior->first_seq = store__get_be64(v.mv_data);
      prior->count = store__get_be32((uint8_t *)v.mv_data + 8);
      return 0;
    }
    if (rc && rc != MDB_NOTFOUND)
      return store__lmdb_error(st, rc, "reading the command index");
    if ((command_id = arena_str(b, command_id)) == NULL)
      return MC_ENOMEM;
  }
  if ((rc = cmd_open(b, command_id)))
    return rc;
  b->cmd_first_entry = b->nentries;
  return 0;
}

/* The NFC form of a stream id, in b->scratch. */
static int normalise_id(store_batch *b, const char *text, const char **out, size_t *len) {
  size_t n = strlen(text);
  mc_buf_reset(&b->scratch);
  int rc = mc_text_nfc(text, n, &b->scratch);
  if (rc == 0 && mc_buf_cstr(&b->scratch) == NULL)
    rc = MC_ENOMEM;
  if (rc) {
    store__set_errmsg(b->st, "the stream id is not valid UTF-8");
    return rc;
  }
  *out = (const char *)b->scratch.data;
  *len = b->scratch.len;
  return 0;
}

int store_cmd_stream_version(store_batch *b, const char *stream, uint64_t *version) {
  const char *id;
  size_t len;
  int rc;
  if (!b->cmd_open || b->broken)
    return MC_EINVAL;
  if ((rc = normalise_id(b, stream, &id, &len)))
    return rc;
  return store__stream_version(b->st, store__cmd_txn(b), b->st->proj[PROJ_STREAM].dbi, id, len,
                               version);
}

int store_cmd_proj_get(store_batch *b, const char *projection, const void *key, size_t klen,
                       const void **val, size_t *vlen) {
  store *st = b->st;
  if (b->broken || b->txn == NULL)
    return MC_EINVAL;
  for (size_t i = 0; i < st->nproj; i++)
    if (strcmp(st->proj[i].def.name, projection) == 0) {
      store_proj_txn tx = store__proj_txn(st, store__cmd_txn(b), st->proj, NULL, i, NULL);
      return store_proj_get(&tx, key, klen, val, vlen);
    }
  return MC_ENOENT;
}

/* One append into the open command: checks, encodes, writes, applies.
 * Everything that can refuse the event is checked before the first write,
 * so a command refused on its first event has written nothing. */
static int append_one(store_batch *b, const store_event_in *in, uint64_t *seq_out,
                      uint64_t *actual) {
  store *st = b->st;
  MDB_txn *txn = store__cmd_txn(b);
  const char *stream;
  size_t stream_len;
  uint64_t current, seq;
  uint8_t key[8];
  MDB_val k = {8, key}, v;
  store_event ev;
  int rc;

  if (in->stream == NULL || in->type == NULL) {
    store__set_errmsg(st, "an event needs a stream and a type");
    return MC_EINVAL;
  }
  if ((rc = normalise_id(b, in->stream, &stream, &stream_len)))
    return rc;
  if ((rc = store__stream_version(st, txn, st->proj[PROJ_STREAM].dbi, stream, stream_len,
                                  &current)))
    return rc;
  if (actual)
    *actual = current;
  if (in->expected_version != STORE_ANY_VERSION && in->expected_version != current) {
    store__set_errmsg(st, "stream %s: the command expected version %llu, the stream is at %llu",
                      stream, (unsigned long long)in->expected_version,
                      (unsigned long long)current);
    return MC_ECONFLICT;
  }
  if (in->time < b->cmd_head.time) {
    store__set_errmsg(st, "the event's time %lld is before the previous event's %lld",
                      (long long)in->time, (long long)b->cmd_head.time);
    return MC_ERANGE;
  }
  seq = b->cmd_head.seq + 1;
  if ((rc = store__record_encode(st, in, stream, seq, current + 1, b->cmd_id, b->cmd_head.hash,
                                 &b->record)))
    return rc;
  if ((rc = store__record_decode(b->record.data, b->record.len, seq, &ev)))
    return MC_EINTERNAL;
  store__be64(key, seq);
  v = (MDB_val){b->record.len, b->record.data};
  b->cmd_wrote = true; /* from here on, dropping the command needs a replay */
  if ((rc = mdb_put(txn, st->log, &k, &v, MDB_APPEND)))
    return store__lmdb_error(st, rc, "appending to the log");
  if ((rc = store__apply_all(st, txn, st->proj, NULL, st->nproj, &ev)))
    return rc;
  b->cmd_head.seq = seq;
  b->cmd_head.time = in->time;
  store_event_hash(&ev, b->cmd_head.hash);
  if (b->cmd_count++ == 0)
    b->cmd_first = seq;
  if (seq_out)
    *seq_out = seq;
  return 0;
}

/* Copies an append into the journal. */
static int journal_add(store_batch *b, const store_event_in *in) {
  if (b->nentries == b->centries) {
    size_t n = b->centries ? 2 * b->centries : 64;
    store__journal_entry *e = realloc(b->entries, n * sizeof *e);
    if (e == NULL)
      return MC_ENOMEM;
    b->entries = e;
    b->centries = n;
  }
  store_event_in c = *in;
  uint8_t *data = in->data ? mc_arena_alloc(&b->arena, in->data_len ? in->data_len : 1) : NULL;
  uint8_t *defn = in->definition_hash ? mc_arena_alloc(&b->arena, MC_SHA256_BYTES) : NULL;
  if ((in->data && !data) || (in->definition_hash && !defn))
    return MC_ENOMEM;
  if (data)
    memcpy(data, in->data, in->data_len);
  if (defn)
    memcpy(defn, in->definition_hash, MC_SHA256_BYTES);
  c.data = data;
  c.definition_hash = defn;
  c.stream = arena_str(b, in->stream);
  c.type = arena_str(b, in->type);
  c.actor.who = arena_str(b, in->actor.who);
  c.actor.role = arena_str(b, in->actor.role);
  c.actor.client = arena_str(b, in->actor.client);
  c.causation = arena_str(b, in->causation);
  c.correlation = arena_str(b, in->correlation);
  if ((in->stream && !c.stream) || (in->type && !c.type))
    return MC_ENOMEM;
  b->entries[b->nentries++].in = c;
  return 0;
}

/* Drops the batch's transaction and writes again, into a fresh one, the
 * commands committed so far, then (when `with_open`) the open command's
 * appends.  `grow`: grow the map first (after MDB_MAP_FULL).  A replay that
 * fills the map grows it and starts over.  On failure the batch is broken. */
static int batch_replay(store_batch *b, bool grow, bool with_open) {
  store *st = b->st;
  const char *open_id = b->cmd_id;
  int rc = 0;

  for (int attempt = 0; attempt < 40; attempt++) {
    batch_drop_txns(b);
    b->cmd_open = false;
    st->map_full = false;
    if ((grow && (rc = store__map_grow(st))) || (rc = batch_start(b)))
      break;
    b->replaying = true;
    /* Commands that were committed succeeded before: no nested transaction. */
    bool nested = b->nested;
    b->nested = false;
    for (size_t c = 0; c < b->ncmds && rc == 0; c++) {
      const store__journal_cmd *jc = &b->cmds[c];
      if ((rc = cmd_open(b, jc->command_id)))
        break;
      for (size_t i = jc->first; i < jc->first + jc->count && rc == 0; i++)
        rc = append_one(b, &b->entries[i].in, NULL, NULL);
      b->head = b->cmd_head;
      b->cmd_open = false;
    }
    b->nested = nested;
    if (rc == 0 && with_open && (rc = cmd_open(b, open_id)) == 0)
      for (size_t i = b->cmd_first_entry; i < b->nentries && rc == 0; i++)
        rc = append_one(b, &b->entries[i].in, NULL, NULL);
    b->replaying = false;
    if (rc == 0)
      return 0;
    if (!st->map_full)
      break;
    grow = true;
  }
  batch_drop_txns(b);
  b->cmd_open = false;
  store__set_errmsg(st, "replaying the batch failed: %s", mc_strerror(rc));
  b->broken = rc == MC_ENOSPC ? rc : MC_EINTERNAL;
  return b->broken;
}

int store_append(store_batch *b, const store_event_in *in, uint64_t *seq, uint64_t *actual_version) {
  int rc;
  if (!b->cmd_open || b->cmd_failed || b->broken) {
    store__set_errmsg(b->st, b->cmd_failed || b->broken ? "the command failed before: abort it"
                                                        : "no command is open");
    return MC_EINVAL;
  }
  b->st->map_full = false;
  if ((rc = journal_add(b, in)) == 0)
    rc = append_one(b, in, seq, actual_version);
  if (rc && b->st->map_full) {
    /* The journal holds this append too: replaying writes it. */
    if ((rc = batch_replay(b, true, true)) == 0 && seq)
      *seq = b->cmd_head.seq;
  }
  if (rc)
    b->cmd_failed = true;
  return rc;
}

int store_cmd_commit(store_batch *b, store_cmd_result *result) {
  store *st = b->st;
  int rc = 0;
  memset(result, 0, sizeof *result);
  if (!b->cmd_open || b->cmd_failed || b->broken) {
    store_cmd_abort(b);
    store__set_errmsg(st, "the command cannot be committed: it failed, or none is open");
    return b->broken ? b->broken : MC_EINVAL;
  }
  if (b->ncmds == b->ccmds) {
    size_t n = b->ccmds ? 2 * b->ccmds : 32;
    store__journal_cmd *c = realloc(b->cmds, n * sizeof *c);
    if (c == NULL) {
      store_cmd_abort(b);
      return MC_ENOMEM;
    }
    b->cmds = c;
    b->ccmds = n;
  }
  uint64_t first = b->cmd_first;
  uint32_t count = b->cmd_count;
  if (b->cmd_txn) {
    rc = mdb_txn_commit(b->cmd_txn);
    b->cmd_txn = NULL;
    if (rc != 0 && rc != MDB_MAP_FULL) {
      b->cmd_open = false;
      b->nentries = b->cmd_first_entry;
      return store__lmdb_error(st, rc, "committing a command");
    }
  }
  b->cmd_open = false;
  b->cmds[b->ncmds++] = (store__journal_cmd){b->cmd_id, b->cmd_first_entry,
                                             b->nentries - b->cmd_first_entry};
  b->cmd_first_entry = b->nentries;
  if (rc == MDB_MAP_FULL) {
    /* The command is journalled as committed: the replay writes it again. */
    if ((rc = batch_replay(b, true, false)))
      return rc;
  } else {
    b->head = b->cmd_head;
  }
  *result = (store_cmd_result){false, count ? first : 0, count};
  return 0;
}

void store_cmd_abort(store_batch *b) {
  bool rewind = b->cmd_open && b->cmd_txn == NULL && b->cmd_wrote && !b->broken;
  if (b->cmd_txn)
    mdb_txn_abort(b->cmd_txn);
  b->cmd_txn = NULL;
  b->cmd_open = false;
  b->cmd_wrote = false;
  b->nentries = b->cmd_first_entry;
  b->cmd_failed = false;
  if (rewind) {
    /* The command wrote into the batch's transaction: rebuild the batch
     * without it, and isolate later commands with nested transactions.  A
     * failed replay leaves the batch broken (its commit fails: nothing is
     * acknowledged). */
    b->nested = true;
    batch_replay(b, false, false);
  }
}

int store_batch_commit(store_batch *b) {
  store *st = b->st;
  int rc;
  if (b->cmd_open) {
    store__set_errmsg(st, "a command is still open: commit or abort it first");
    batch_free(b);
    return MC_EINVAL;
  }
  if (b->broken) {
    rc = b->broken;
    batch_free(b);
    return rc;
  }
  for (int attempt = 0;; attempt++) {
    rc = mdb_txn_commit(b->txn);
    b->txn = NULL;
    if (rc != MDB_MAP_FULL || attempt == 40)
      break;
    if ((rc = batch_replay(b, true, false)))
      break;
  }
  if (rc > 0 || rc < -30000)
    rc = store__lmdb_error(st, rc, "committing the batch");
  batch_free(b);
  return rc;
}

/* ============================================================ reading */

static int read_cursor(store_read *rd, MDB_cursor **out) {
  if (rd->log_cur == NULL) {
    int rc = mdb_cursor_open(rd->txn, rd->st->log, &rd->log_cur);
    if (rc)
      return store__lmdb_error(NULL, rc, "opening the log");
  }
  *out = rd->log_cur;
  return 0;
}

int store_read_head(store_read *rd, uint64_t *seq, uint8_t hash[MC_SHA256_BYTES]) {
  MDB_cursor *cur = NULL;
  MDB_val k, v;
  int rc = read_cursor(rd, &cur);
  if (rc)
    return rc;
  rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
  if (rc == MDB_NOTFOUND) {
    *seq = 0;
    memset(hash, 0, MC_SHA256_BYTES);
    return 0;
  }
  if (rc)
    return store__lmdb_error(NULL, rc, "reading the head");
  if (k.mv_size != 8)
    return MC_ECORRUPT;
  *seq = store__get_be64(k.mv_data);
  mc_sha256_digest(v.mv_data, v.mv_size, hash);
  return 0;
}

static int event_in(MDB_txn *txn, MDB_dbi log, uint64_t seq, store_event *out) {
  uint8_t key[8];
  MDB_val k = {8, key}, v;
  store__be64(key, seq);
  int rc = mdb_get(txn, log, &k, &v);
  if (rc)
    return store__lmdb_error(NULL, rc, "reading an event");
  return store__record_decode(v.mv_data, v.mv_size, seq, out);
}

int store_read_event(store_read *rd, uint64_t seq, store_event *out) {
  return event_in(rd->txn, rd->st->log, seq, out);
}

int store_cmd_event(store_batch *b, uint64_t seq, store_event *out) {
  if (b->broken || b->txn == NULL)
    return MC_EINVAL;
  return event_in(store__cmd_txn(b), b->st->log, seq, out);
}

int store_read_log(store_read *rd, uint64_t from_seq, uint64_t max, store_event_fn fn,
                   void *opaque, uint64_t *next) {
  MDB_cursor *cur = NULL;
  MDB_val k, v;
  uint8_t key[8];
  uint64_t n = 0, last = from_seq;
  store_event ev;
  int rc = read_cursor(rd, &cur);
  if (rc)
    return rc;
  store__be64(key, from_seq);
  k = (MDB_val){8, key};
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && (max == 0 || n < max);
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), n++) {
    uint64_t seq = k.mv_size == 8 ? store__get_be64(k.mv_data) : 0;
    if ((rc = store__record_decode(v.mv_data, v.mv_size, seq, &ev)))
      break;
    last = seq + 1;
    if ((rc = fn(opaque, &ev)))
      break;
  }
  if (next)
    *next = last;
  if (rc == MDB_NOTFOUND || rc == 1)
    return 0;
  return rc > 0 || rc < -30000 ? store__lmdb_error(NULL, rc, "reading the log") : rc;
}

static const store__proj *proj_named(const store *st, const char *name) {
  for (size_t i = 0; i < st->nproj; i++)
    if (strcmp(st->proj[i].def.name, name) == 0)
      return st->proj[i].present ? &st->proj[i] : NULL;
  return NULL;
}

/* Walks an index from `start` while keys begin with `prefix` (or, when
 * `end` is set, are below `end`); the sequence of each entry is the u64 at
 * `seq_at` of the value (stream index) or at the end of the key. */
static int read_index(store_read *rd, int which, const uint8_t *start, size_t start_len,
                      size_t prefix_len, const uint8_t *end, store_event_fn fn, void *opaque) {
  const store__proj *p = &rd->st->proj[which];
  MDB_cursor *cur = NULL;
  MDB_val k = {start_len, (void *)start}, v;
  store_event ev;
  int rc;
  if (!p->present)
    return MC_ENOENT;
  if ((rc = mdb_cursor_open(rd->txn, p->dbi, &cur)))
    return store__lmdb_error(NULL, rc, "opening an index");
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if (k.mv_size < 8 || k.mv_size < prefix_len || memcmp(k.mv_data, start, prefix_len) != 0)
      break;
    if (end && memcmp(k.mv_data, end, 8) >= 0)
      break;
    uint64_t seq = which == PROJ_STREAM ? (v.mv_size == 8 ? store__get_be64(v.mv_data) : 0)
                                        : store__get_be64((uint8_t *)k.mv_data + k.mv_size - 8);
    if ((rc = store_read_event(rd, seq, &ev)) || (rc = fn(opaque, &ev)))
      break;
  }
  mdb_cursor_close(cur);
  if (rc == MDB_NOTFOUND || rc == 1)
    return 0;
  return rc > 0 || rc < -30000 ? store__lmdb_error(NULL, rc, "reading an index") : rc;
}

static int prefix_query(store_read *rd, int which, const char *text, uint64_t from,
                        store_event_fn fn, void *opaque) {
  uint8_t key[STORE_MAX_ID + 9];
  mc_buf nfc = MC_BUF_INIT;
  size_t len = strlen(text);
  int rc = mc_text_nfc(text, len, &nfc);
  if (rc == 0 && (nfc.len == 0 || nfc.len > STORE_MAX_ID))
    rc = MC_EINVAL;
  if (rc == 0) {
    size_t klen = prefixed_key(key, (const char *)nfc.data, nfc.len, from);
    rc = read_index(rd, which, key, klen, nfc.len + 1, NULL, fn, opaque);
  }
  mc_buf_free(&nfc);
  return rc;
}

int store_read_stream(store_read *rd, const char *stream, uint64_t from_version,
                      store_event_fn fn, void *opaque) {
  return prefix_query(rd, PROJ_STREAM, stream, from_version, fn, opaque);
}

int store_read_type(store_read *rd, const char *type, store_event_fn fn, void *opaque) {
  return prefix_query(rd, PROJ_TYPE, type, 0, fn, opaque);
}

int store_read_time(store_read *rd, int64_t from, int64_t to, store_event_fn fn, void *opaque) {
  uint8_t start[16] = {0}, end[8];
  store__be64(start, (uint64_t)from ^ SIGN_BIT);
  store__be64(end, (uint64_t)to ^ SIGN_BIT);
  return read_index(rd, PROJ_TIME, start, 16, 0, end, fn, opaque);
}

int store_read_proj(store_read *rd, const char *projection, const void *key, size_t klen,
                    const void **val, size_t *vlen) {
  const store__proj *p = proj_named(rd->st, projection);
  if (p == NULL)
    return MC_ENOENT;
  store_proj_txn tx = {NULL, rd->txn, p->dbi, NULL, false, 0};
  return store_proj_get(&tx, key, klen, val, vlen);
}

/* store_read_log ends quietly when fn returns 1; this remembers it, so the
 * next chunk is not read. */
typedef struct each_ctx {
  store_event_fn fn;
  void *opaque;
  bool stopped;
} each_ctx;

static int each_one(void *opaque, const store_event *ev) {
  each_ctx *c = opaque;
  int rc = c->fn(c->opaque, ev);
  c->stopped = rc == 1;
  return rc;
}

int store_log_each(store *st, uint64_t from_seq, uint64_t upto, uint64_t chunk,
                   store_event_fn fn, void *opaque) {
  each_ctx ctx = {fn, opaque, false};
  uint64_t next = from_seq ? from_seq : 1;
  uint8_t hash[MC_SHA256_BYTES];
  int rc = 0;
  if (chunk == 0)
    chunk = 4096;
  for (bool first = true;; first = false) {
    store_read *rd;
    if ((rc = store_read_begin(st, &rd)))
      return rc;
    if (first && upto == 0)
      rc = store_read_head(rd, &upto, hash);
    uint64_t want = upto >= next ? upto - next + 1 : 0, start = next;
    if (rc == 0 && want > 0)
      rc = store_read_log(rd, next, want < chunk ? want : chunk, each_one, &ctx, &next);
    store_read_end(rd);
    if (rc == 0 && ctx.stopped)
      return 1;
    if (rc || want == 0 || next > upto || next == start)
      return rc;
  }
}
