/* scan.c — reading a projection's db in key order.
 *
 * Projections keep their own indexes (the engine's timers are keyed by due
 * instant); a host needs "the first keys from here on" to find what is due.
 * A range read in one snapshot, or inside the open command of a batch (what
 * a command decides on); the views are valid during the callback.
 */
#include "store-int.h"

/* Calls fn on the entries of one db in key order from the first key >= from. */
static int scan_dbi(MDB_txn *txn, MDB_dbi dbi, const void *from, size_t flen, store_kv_fn fn, void *opaque) {
  MDB_cursor *cur;
  MDB_val k = {flen, (void *)from}, v;
  int rc, op = flen == 0 ? MDB_FIRST : MDB_SET_RANGE;

  rc = mdb_cursor_open(txn, dbi, &cur);
  if (rc != 0)
    return store__lmdb_error(NULL, rc, "scanning a projection");
  for (rc = mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    int r = fn(opaque, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
    if (r != 0) {
      mdb_cursor_close(cur);
      return r > 0 ? 0 : r;
    }
  }
  mdb_cursor_close(cur);
  return rc == MDB_NOTFOUND ? 0 : store__lmdb_error(NULL, rc, "scanning a projection");
}

int store_read_proj_scan(store_read *rd, const char *projection, const void *from, size_t flen,
                         store_kv_fn fn, void *opaque) {
  const store__proj *p = store__proj_named(rd->st, projection);
  return p ? scan_dbi(rd->txn, p->dbi, from, flen, fn, opaque) : MC_ENOENT;
}

int store_cmd_proj_scan(store_batch *b, const char *projection, const void *from, size_t flen,
                        store_kv_fn fn, void *opaque) {
  const store__proj *p = store__proj_named(b->st, projection);
  if (b->broken || b->txn == NULL)
    return MC_EINVAL;
  return p ? scan_dbi(store__cmd_txn(b), p->dbi, from, flen, fn, opaque) : MC_ENOENT;
}
