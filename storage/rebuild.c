/* rebuild.c — rebuilding projections from the log: at open for those whose
 * version changed (open.c), and for tests that damage a copy (raw.c).
 */
#include "store-int.h"

#include <stdio.h>
#include <string.h>

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
    mc_be64_put(key, next);
    k = (MDB_val){8, key};
    if (rc == 0) {
      for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && seen < chunk;
           rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), seen++) {
        uint64_t seq = k.mv_size == 8 ? mc_be64_get(k.mv_data) : 0;
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
      mc_be32_put(ver, sel[j].def.version);
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
