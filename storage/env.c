/* env.c — the LMDB environment while it is open: its growth, write
 * transactions that adopt a map grown by another process, read transactions.
 *
 * The map is virtual, so it starts large; when it fills anyway
 * (MDB_MAP_FULL), the batch is aborted, the map doubled while no transaction
 * of this process is open (read transactions hold `resize` shared), and the
 * batch replayed (batch.c).  Opening and closing the environment is open.c's.
 */
#include "store-int.h"

#include "base/log.h"

#include <stdlib.h>

const char *store_dir(const store *st) { return st->dir; }

/* ============================================================ growth */

int store__map_grow(store *st) {
  uint64_t next = st->map_size * 2;
  pthread_rwlock_wrlock(&st->resize);
  int rc = mdb_env_set_mapsize(st->env, (size_t)next);
  pthread_rwlock_unlock(&st->resize);
  if (rc != 0)
    return store__lmdb_error(st, rc, "growing the map");
  MC_LOG_INFO("store", "%s: map grown from %llu to %llu KiB", st->dir,
              (unsigned long long)(st->map_size >> 10), (unsigned long long)(next >> 10));
  st->map_size = next;
  return 0;
}

/* Adopts a map size another process set (MDB_MAP_RESIZED). */
static int adopt_map_size(store *st) {
  MDB_envinfo info;
  pthread_rwlock_wrlock(&st->resize);
  int rc = mdb_env_set_mapsize(st->env, 0);
  pthread_rwlock_unlock(&st->resize);
  if (rc)
    return store__lmdb_error(st, rc, "adopting the map size");
  mdb_env_info(st->env, &info);
  st->map_size = info.me_mapsize;
  return 0;
}

int store__txn_begin_write(store *st, MDB_txn **out) {
  for (int attempt = 0;; attempt++) {
    int rc = mdb_txn_begin(st->env, NULL, 0, out);
    if (rc == MDB_MAP_RESIZED && attempt < 3) {
      if ((rc = adopt_map_size(st)))
        return rc;
      continue;
    }
    return store__lmdb_error(st, rc, "beginning a write transaction");
  }
}

/* ============================================================ reads */

int store_read_begin(store *st, store_read **out) {
  store_read *rd = calloc(1, sizeof *rd);
  int rc;
  if (rd == NULL)
    return MC_ENOMEM;
  rd->st = st;
  for (int attempt = 0;; attempt++) {
    pthread_rwlock_rdlock(&st->resize);
    rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &rd->txn);
    if (rc == 0)
      break;
    pthread_rwlock_unlock(&st->resize);
    if (rc == MDB_MAP_RESIZED && attempt < 3 && adopt_map_size(st) == 0)
      continue;
    free(rd);
    return store__lmdb_error(NULL, rc, "beginning a read");
  }
  *out = rd;
  return 0;
}

void store_read_end(store_read *rd) {
  if (rd == NULL)
    return;
  if (rd->log_cur)
    mdb_cursor_close(rd->log_cur);
  mdb_txn_abort(rd->txn);
  pthread_rwlock_unlock(&rd->st->resize);
  free(rd);
}
