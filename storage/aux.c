/* aux.c — the aux environment (aux/, MDB_NOSYNC, outside the chain): opened
 * on first use, its named dbs written, read, scanned and flushed.
 */
#include "store-int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define AUX_MAP_SIZE (UINT64_C(4) << 30)

/* Opens the aux environment on first use.  Caller holds aux_mutex. */
int store__aux_env(store *st, MDB_env **out) {
  char path[4096];
  struct stat sb;
  int rc;
  if (st->aux) {
    *out = st->aux;
    return 0;
  }
  snprintf(path, sizeof path, "%s/aux", st->dir);
  if (st->read_only) {
    char data[4200];
    snprintf(data, sizeof data, "%s/data.mdb", path);
    if (stat(data, &sb) != 0)
      return MC_ENOENT;
  } else if (mkdir(path, 0700) != 0 && errno != EEXIST) {
    store__set_errmsg(st, "cannot create %s: %s", path, strerror(errno));
    return mc_err_from_errno(errno);
  }
  if ((rc = mdb_env_create(&st->aux)) || (rc = mdb_env_set_maxdbs(st->aux, 32)) ||
      (rc = mdb_env_set_mapsize(st->aux, AUX_MAP_SIZE)) ||
      (rc = mdb_env_open(st->aux, path,
                         MDB_NOTLS | (st->read_only ? MDB_RDONLY : MDB_NOSYNC), 0600))) {
    int mc = store__lmdb_error(st, rc, "opening the aux environment");
    if (st->aux)
      mdb_env_close(st->aux);
    st->aux = NULL;
    return mc;
  }
  if (!st->read_only)
    mdb_reader_check(st->aux, &(int){0});
  *out = st->aux;
  return 0;
}

typedef enum { AUX_PUT, AUX_GET, AUX_DEL } aux_op;

/* One transaction: `op` on one key, or (AUX_PUT) on each of `many`. */
static int aux_do_many(store *st, aux_op op, const char *db, const void *key, size_t klen, const void *val,
                       size_t vlen, const store_aux_item *many, size_t n, mc_buf *out) {
  MDB_env *env;
  MDB_txn *txn = NULL;
  MDB_dbi dbi;
  MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
  char name[40];
  int rc;

  if (!store__name_ok(db) || (many == NULL && (klen == 0 || klen > 511)))
    return MC_EINVAL;
  for (size_t i = 0; many && i < n; i++)
    if (many[i].klen == 0 || many[i].klen > 511)
      return MC_EINVAL;
  if (st->read_only && op != AUX_GET)
    return MC_EREADONLY;
  snprintf(name, sizeof name, "aux/%s", db);
  pthread_mutex_lock(&st->aux_mutex);
  for (int attempt = 0;; attempt++) {
    if ((rc = store__aux_env(st, &env)))
      goto done;
    rc = mdb_txn_begin(env, NULL, op == AUX_GET ? MDB_RDONLY : 0, &txn);
    if (rc == 0)
      rc = mdb_dbi_open(txn, name, op == AUX_PUT ? MDB_CREATE : 0, &dbi);
    if (rc == 0) {
      if (op == AUX_PUT && many) {
        for (size_t i = 0; rc == 0 && i < n; i++) {
          MDB_val mk = {many[i].klen, (void *)many[i].key}, mv = {many[i].vlen, (void *)many[i].val};
          rc = mdb_put(txn, dbi, &mk, &mv, 0);
        }
      } else if (op == AUX_PUT)
        rc = mdb_put(txn, dbi, &k, &v, 0);
      else if (op == AUX_DEL)
        rc = mdb_del(txn, dbi, &k, NULL);
      else if ((rc = mdb_get(txn, dbi, &k, &v)) == 0)
        rc = mc_buf_append(out, v.mv_data, v.mv_size) ? ENOMEM : 0;
    }
    if (rc == MDB_NOTFOUND && op == AUX_DEL)
      rc = 0;
    if (rc == 0 && op != AUX_GET) {
      rc = mdb_txn_commit(txn);
      txn = NULL;
    }
    if (txn)
      mdb_txn_abort(txn);
    txn = NULL;
    if (rc == MDB_MAP_FULL && attempt < 20) {
      MDB_envinfo info;
      mdb_env_info(env, &info);
      if ((rc = mdb_env_set_mapsize(env, info.me_mapsize * 2)) == 0)
        continue;
    }
    break;
  }
  rc = rc == MDB_NOTFOUND ? MC_ENOENT : store__lmdb_error(st, rc, "writing an aux db");
done:
  pthread_mutex_unlock(&st->aux_mutex);
  return rc;
}

static int aux_do(store *st, aux_op op, const char *db, const void *key, size_t klen, const void *val, size_t vlen,
                  mc_buf *out) {
  return aux_do_many(st, op, db, key, klen, val, vlen, NULL, 0, out);
}

int store_aux_put_many(store *st, const char *db, const store_aux_item *items, size_t n) {
  return n ? aux_do_many(st, AUX_PUT, db, NULL, 0, NULL, 0, items, n, NULL) : 0;
}

int store_aux_put(store *st, const char *db, const void *key, size_t klen, const void *val,
                  size_t vlen) {
  return aux_do(st, AUX_PUT, db, key, klen, val, vlen, NULL);
}

int store_aux_get(store *st, const char *db, const void *key, size_t klen, mc_buf *out) {
  return aux_do(st, AUX_GET, db, key, klen, NULL, 0, out);
}

int store_aux_del(store *st, const char *db, const void *key, size_t klen) {
  return aux_do(st, AUX_DEL, db, key, klen, NULL, 0, NULL);
}

int store_aux_next(store *st, const char *db, const void *after, size_t alen, mc_buf *key, mc_buf *val) {
  MDB_env *env;
  MDB_txn *txn = NULL;
  MDB_cursor *cur = NULL;
  MDB_dbi dbi;
  MDB_val k = {alen, (void *)after}, v;
  char name[40];
  int rc;
  if (!store__name_ok(db) || alen > 511)
    return MC_EINVAL;
  snprintf(name, sizeof name, "aux/%s", db);
  pthread_mutex_lock(&st->aux_mutex);
  if ((rc = store__aux_env(st, &env)) == 0) {
    rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc == 0)
      rc = mdb_dbi_open(txn, name, 0, &dbi);
    if (rc == 0)
      rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc == 0)
      rc = mdb_cursor_get(cur, &k, &v, alen ? MDB_SET_RANGE : MDB_FIRST);
    /* strictly after `after` */
    if (rc == 0 && alen && k.mv_size == alen && memcmp(k.mv_data, after, alen) == 0)
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    if (rc == 0 && (mc_buf_append(key, k.mv_data, k.mv_size) || mc_buf_append(val, v.mv_data, v.mv_size)))
      rc = ENOMEM;
    if (cur)
      mdb_cursor_close(cur);
    if (txn)
      mdb_txn_abort(txn);
    rc = rc == MDB_NOTFOUND ? MC_ENOENT : store__lmdb_error(st, rc, "reading an aux db");
  }
  pthread_mutex_unlock(&st->aux_mutex);
  return rc;
}

int store_aux_sync(store *st) {
  MDB_env *env;
  int rc;
  if (st->read_only)
    return MC_EREADONLY;
  pthread_mutex_lock(&st->aux_mutex);
  if ((rc = store__aux_env(st, &env)) == 0 && (rc = mdb_env_sync(env, 1)) != 0)
    rc = store__lmdb_error(st, rc, "flushing the aux environment");
  pthread_mutex_unlock(&st->aux_mutex);
  return rc;
}
