/* proj.c — the projections' dbs as a hook sees them (store_proj_put, _get,
 * _del), storage's own projections (by stream, type, time, command) and
 * applying every hook to one event.
 *
 * The keys of storage's own indexes are laid out in store-int.h ("p/stream",
 * "p/type", "p/time", "p/command"); reading them back is read.c's.
 */
#include "store-int.h"

#include <string.h>

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

const store__proj *store__proj_named(const store *st, const char *name) {
  for (size_t i = 0; i < st->nproj; i++)
    if (strcmp(st->proj[i].def.name, name) == 0)
      return st->proj[i].present ? &st->proj[i] : NULL;
  return NULL;
}

/* ============================================================ storage's own */

/* `text`, 0x00, then a big-endian u64: the keys of the stream and type indexes. */
size_t store__prefixed_key(uint8_t *out, const char *text, size_t len, uint64_t n) {
  memcpy(out, text, len);
  out[len] = 0;
  mc_be64_put(out + len + 1, n);
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
    *version = mc_be64_get((uint8_t *)k.mv_data + len + 1);
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
  mc_be64_put(val, ev->seq);
  return store_proj_put(tx, key,
                        store__prefixed_key(key, ev->stream.ptr, ev->stream.len, ev->version), val,
                        8);
}

static int apply_type(void *opaque, store_proj_txn *tx, const store_event *ev) {
  uint8_t key[STORE_MAX_ID + 9];
  (void)opaque;
  if (ev->type.len > STORE_MAX_ID)
    return MC_ECORRUPT;
  return store_proj_put(tx, key, store__prefixed_key(key, ev->type.ptr, ev->type.len, ev->seq), "",
                        0);
}

static int apply_time(void *opaque, store_proj_txn *tx, const store_event *ev) {
  uint8_t key[16];
  (void)opaque;
  mc_be64_put(key, (uint64_t)ev->time ^ STORE_TIME_SIGN_BIT); /* signed order as byte order */
  mc_be64_put(key + 8, ev->seq);
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
    uint64_t first = len == 12 ? mc_be64_get(old) : 0;
    uint32_t count = len == 12 ? mc_be32_get((const uint8_t *)old + 8) : 0;
    if (first + count != ev->seq) {
      store__set_errmsg(tx->st, "event %llu: command %.*s appended events that are not "
                                "consecutive", (unsigned long long)ev->seq,
                        (int)ev->command.len, ev->command.ptr);
      return MC_ECORRUPT;
    }
    mc_be64_put(val, first);
    mc_be32_put(val + 8, count + 1);
  } else if (rc == MC_ENOENT) {
    mc_be64_put(val, ev->seq);
    mc_be32_put(val + 8, 1);
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
