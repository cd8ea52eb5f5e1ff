/* batch.c — appending to the log in batches: commands, their isolation, the
 * journal and its replay.
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

#include <assert.h>
#include <stdlib.h>
#include <string.h>

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
  out->seq = mc_be64_get(k.mv_data);
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
  assert(st->batch == NULL); /* one batch at a time per store (checked above) */
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
    rc = mdb_get(b->txn, st->proj[STORE_PROJ_COMMAND].dbi, &k, &v);
    if (rc == 0 && v.mv_size == 12) {
      prior->repeated = true;
      prior->first_seq = mc_be64_get(v.mv_data);
      prior->count = mc_be32_get((uint8_t *)v.mv_data + 8);
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
  return store__stream_version(b->st, store__cmd_txn(b), b->st->proj[STORE_PROJ_STREAM].dbi, id,
                               len, version);
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
  if ((rc = store__stream_version(st, txn, st->proj[STORE_PROJ_STREAM].dbi, stream, stream_len,
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
  mc_be64_put(key, seq);
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
