/* read.c — reading the log back: by sequence, in order, by stream, by type,
 * by time, a projection's value; in a read transaction, or inside the open
 * command of a batch.
 *
 * Records are decoded in place: the views are valid during the callback (or
 * until the read ends).
 */
#include "store-int.h"

#include "base/text.h"

#include <string.h>

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
  *seq = mc_be64_get(k.mv_data);
  mc_sha256_digest(v.mv_data, v.mv_size, hash);
  return 0;
}

static int event_in(MDB_txn *txn, MDB_dbi log, uint64_t seq, store_event *out) {
  uint8_t key[8];
  MDB_val k = {8, key}, v;
  mc_be64_put(key, seq);
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
  mc_be64_put(key, from_seq);
  k = (MDB_val){8, key};
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && (max == 0 || n < max);
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), n++) {
    uint64_t seq = k.mv_size == 8 ? mc_be64_get(k.mv_data) : 0;
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
    uint64_t seq = which == STORE_PROJ_STREAM
                       ? (v.mv_size == 8 ? mc_be64_get(v.mv_data) : 0)
                       : mc_be64_get((uint8_t *)k.mv_data + k.mv_size - 8);
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
    size_t klen = store__prefixed_key(key, (const char *)nfc.data, nfc.len, from);
    rc = read_index(rd, which, key, klen, nfc.len + 1, NULL, fn, opaque);
  }
  mc_buf_free(&nfc);
  return rc;
}

int store_read_stream(store_read *rd, const char *stream, uint64_t from_version,
                      store_event_fn fn, void *opaque) {
  return prefix_query(rd, STORE_PROJ_STREAM, stream, from_version, fn, opaque);
}

int store_read_type(store_read *rd, const char *type, store_event_fn fn, void *opaque) {
  return prefix_query(rd, STORE_PROJ_TYPE, type, 0, fn, opaque);
}

int store_read_time(store_read *rd, int64_t from, int64_t to, store_event_fn fn, void *opaque) {
  uint8_t start[16] = {0}, end[8];
  mc_be64_put(start, (uint64_t)from ^ STORE_TIME_SIGN_BIT);
  mc_be64_put(end, (uint64_t)to ^ STORE_TIME_SIGN_BIT);
  return read_index(rd, STORE_PROJ_TIME, start, 16, 0, end, fn, opaque);
}

int store_read_proj(store_read *rd, const char *projection, const void *key, size_t klen,
                    const void **val, size_t *vlen) {
  const store__proj *p = store__proj_named(rd->st, projection);
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
