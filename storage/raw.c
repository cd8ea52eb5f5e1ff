/* raw.c — unchecked writes to the log, for the tamper tests only.
 *
 * The tests damage a copy of a data directory the way an attacker with write
 * access to the files would (change, drop, move or re-hash events) and check
 * that `motcua audit verify` notices.  Nothing else may call these.
 */
#include "store-int.h"

static int raw_write(store *st, uint64_t seq, const void *rec, size_t len) {
  MDB_txn *txn;
  uint8_t key[8];
  MDB_val k = {8, key}, v = {len, (void *)rec};
  int rc = store__txn_begin_write(st, &txn);
  if (rc)
    return rc;
  store__be64(key, seq);
  rc = rec ? mdb_put(txn, st->log, &k, &v, 0) : mdb_del(txn, st->log, &k, NULL);
  if (rc) {
    mdb_txn_abort(txn);
    return store__lmdb_error(st, rc, "raw write");
  }
  return store__lmdb_error(st, mdb_txn_commit(txn), "raw commit");
}

int store__raw_put(store *st, uint64_t seq, const void *rec, size_t len) {
  return rec ? raw_write(st, seq, rec, len) : MC_EINVAL;
}

int store__raw_del(store *st, uint64_t seq) { return raw_write(st, seq, NULL, 0); }

int store__raw_rebuild_projections(store *st) {
  MDB_txn *txn;
  MDB_cursor *cur = NULL;
  MDB_val k, v;
  store_event ev;
  int rc = store__txn_begin_write(st, &txn);
  if (rc)
    return rc;
  /* Every projection emptied, then one pass over the log applying all. */
  for (size_t i = 0; i < st->nproj && rc == 0; i++)
    rc = store__lmdb_error(st, mdb_drop(txn, st->proj[i].dbi, 0), "emptying a projection");
  if (rc == 0 && (rc = mdb_cursor_open(txn, st->log, &cur)) == 0) {
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      uint64_t seq = k.mv_size == 8 ? store__get_be64(k.mv_data) : 0;
      if ((rc = store__record_decode(v.mv_data, v.mv_size, seq, &ev)) ||
          (rc = store__apply_all(st, txn, st->proj, NULL, st->nproj, &ev)))
        break;
    }
    mdb_cursor_close(cur);
    rc = rc == MDB_NOTFOUND ? 0 : rc < -30000 ? store__lmdb_error(st, rc, "rebuilding") : rc;
  }
  if (rc) {
    mdb_txn_abort(txn);
    return rc;
  }
  return store__lmdb_error(st, mdb_txn_commit(txn), "raw commit");
}
