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
  mc_be64_put(key, seq);
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
  bool all[STORE_MAX_PROJ];
  for (size_t i = 0; i < STORE_MAX_PROJ; i++)
    all[i] = i < st->nproj;
  return store__proj_rebuild(st, all, 0);
}
