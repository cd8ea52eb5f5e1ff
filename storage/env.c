/* env.c — opening a data directory: the writer's lock, the LMDB environment
 * and its growth, read transactions, the aux environment, hot backup.
 *
 * LMDB lets two processes write one environment (it serialises them), but
 * motcua has one writer by design (ARCHITECTURE.md), so a writer first takes
 * an flock on <dir>/motcua.lock; a second writer is refused before LMDB is
 * touched.  Readers take no lock and may run beside the writer.
 *
 * The map is virtual, so it starts large; when it fills anyway
 * (MDB_MAP_FULL), the batch is aborted, the map doubled while no transaction
 * of this process is open (read transactions hold `resize` shared), and the
 * batch replayed (log.c).  This is also the one file that knows how LMDB
 * spells its errors: store__lmdb_error() translates them.
 */
#include "store-int.h"

#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define AUX_MAP_SIZE (UINT64_C(4) << 30)

/* ============================================================ errors */

void store__set_errmsg(store *st, const char *fmt, ...) {
  va_list ap;
  if (st == NULL)
    return;
  va_start(ap, fmt);
  vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
  va_end(ap);
}

int store__lmdb_error(store *st, int rc, const char *what) {
  int mc;
  switch (rc) {
  case 0:
    return 0;
  case MDB_NOTFOUND:
    return MC_ENOENT; /* a normal answer, not a failure worth a message */
  case MDB_MAP_FULL:
    mc = MC_ENOSPC; /* the batch grows the map and retries before anyone sees it */
    break;
  case MDB_INVALID:
  case MDB_VERSION_MISMATCH:
  case MDB_CORRUPTED:
  case MDB_PAGE_NOTFOUND:
    mc = MC_ECORRUPT;
    break;
  case MDB_READERS_FULL:
  case MDB_DBS_FULL:
  case MDB_TXN_FULL:
  case MDB_CURSOR_FULL:
  case MDB_PAGE_FULL:
  case MDB_BAD_VALSIZE:
    mc = MC_ETOOBIG;
    break;
  case MDB_KEYEXIST:
  case MDB_MAP_RESIZED:
  case MDB_BAD_TXN:
  case MDB_BAD_RSLOT:
  case MDB_BAD_DBI:
  case MDB_INCOMPATIBLE:
  case MDB_TLS_FULL:
  case MDB_PANIC:
    mc = MC_EINTERNAL;
    break;
  case ENOSPC:
  case EDQUOT:
    mc = MC_ENOSPC;
    break;
  case EROFS:
    mc = MC_EACCES;
    break;
  default:
    mc = rc > 0 ? mc_err_from_errno(rc) : MC_EIO;
  }
  if (st) {
    if (rc == MDB_MAP_FULL)
      st->map_full = true;
    store__set_errmsg(st, "%s: %s", what, mdb_strerror(rc));
  }
  return mc;
}

const char *store_errmsg(const store *st) { return st && st->errmsg[0] ? st->errmsg : "no error"; }

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

/* ============================================================ the lock */

static int take_writer_lock(store *st, mc_buf *why) {
  char path[4096], pid[32] = "";
  snprintf(path, sizeof path, "%s/motcua.lock", st->dir);
  st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (st->lock_fd < 0) {
    int err = errno;
    if (why)
      mc_buf_printf(why, "cannot open %s: %s", path, strerror(err));
    return mc_err_from_errno(err);
  }
  if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ssize_t n = pread(st->lock_fd, pid, sizeof pid - 1, 0);
    pid[n > 0 ? n : 0] = '\0';
    pid[strcspn(pid, "\n")] = '\0';
    if (err != EWOULDBLOCK) {
      if (why)
        mc_buf_printf(why, "cannot lock %s: %s", path, strerror(err));
      return mc_err_from_errno(err);
    }
    if (why)
      mc_buf_printf(why,
                    "%s is open for writing by another process (pid %s); only one process may "
                    "write a data directory: stop it, or send the command to it; read-only "
                    "commands (audit) may run beside it",
                    st->dir, *pid ? pid : "unknown");
    return MC_ELOCKED;
  }
  snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  if (ftruncate(st->lock_fd, 0) != 0 || pwrite(st->lock_fd, pid, strlen(pid), 0) < 0)
    MC_LOG_WARN("store", "cannot write the pid into %s: %s", path, strerror(errno));
  return 0;
}

/* ============================================================ open */

static int add_projections(store *st, const store_options *opt, mc_buf *why) {
  for (size_t i = 0; i < STORE_NBUILTIN; i++)
    st->proj[st->nproj++] = (store__proj){.def = store__builtin[i], .dep = -1};
  for (size_t i = 0; opt && i < opt->nprojections; i++) {
    const store_projection *p = &opt->projections[i];
    if (!store__name_ok(p->name) || p->apply == NULL || st->nproj == STORE_MAX_PROJ) {
      if (why)
        mc_buf_printf(why, "projection \"%s\": %s", p->name ? p->name : "(null)",
                      st->nproj == STORE_MAX_PROJ ? "too many projections"
                                                  : "bad name ([a-z0-9_-]{1,32}) or no apply");
      return MC_EINVAL;
    }
    for (size_t j = 0; j < st->nproj; j++)
      if (strcmp(st->proj[j].def.name, p->name) == 0) {
        if (why)
          mc_buf_printf(why, "projection \"%s\" is registered twice (or takes a name of storage's "
                             "own: stream, type, time, command)", p->name);
        return MC_EINVAL;
      }
    int dep = -1;
    for (size_t j = STORE_NBUILTIN; p->depends_on && j < st->nproj; j++)
      if (strcmp(st->proj[j].def.name, p->depends_on) == 0)
        dep = (int)j;
    if (p->depends_on && dep < 0) {
      if (why)
        mc_buf_printf(why, "projection \"%s\" depends on \"%s\", which is not registered before it", p->name,
                      p->depends_on);
      return MC_EINVAL;
    }
    st->proj[st->nproj++] = (store__proj){.def = *p, .dep = dep};
  }
  return 0;
}

/* A data.mdb shorter than the pages its meta page claims would crash the
 * process with SIGBUS on first access: refuse it first. */
static int check_not_truncated(store *st, mc_buf *why) {
  MDB_envinfo info;
  MDB_stat ms;
  struct stat sb;
  char path[4096];
  snprintf(path, sizeof path, "%s/data.mdb", st->dir);
  if (mdb_env_info(st->env, &info) || mdb_env_stat(st->env, &ms) || stat(path, &sb) != 0)
    return 0;
  st->map_size = info.me_mapsize;
  if ((uint64_t)sb.st_size < ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize) {
    if (why)
      mc_buf_printf(why,
                    "%s is truncated: %lld bytes, but its pages reach %llu bytes; restore the "
                    "data directory from a backup (docs/OPERATIONS.md)",
                    path, (long long)sb.st_size,
                    (unsigned long long)((info.me_last_pgno + 1) * (uint64_t)ms.ms_psize));
    return MC_ECORRUPT;
  }
  return 0;
}

static int open_dbs(store *st, MDB_txn *txn, mc_buf *why) {
  unsigned create = st->read_only ? 0 : MDB_CREATE;
  uint8_t buf[4];
  MDB_val k = {6, "format"}, v;
  int rc;

  rc = mdb_dbi_open(txn, "meta", create, &st->meta);
  if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
    if (why)
      mc_buf_printf(why, "%s holds an LMDB environment, but not a motcua log", st->dir);
    return MC_ECORRUPT;
  }
  if (rc)
    return store__lmdb_error(st, rc, "opening the meta db");
  rc = mdb_get(txn, st->meta, &k, &v);
  if (rc == MDB_NOTFOUND && !st->read_only) {
    store__be32(buf, STORE_FORMAT_VERSION);
    v = (MDB_val){4, buf};
    rc = mdb_put(txn, st->meta, &k, &v, 0);
  } else if (rc == 0 && (v.mv_size != 4 || store__get_be32(v.mv_data) != STORE_FORMAT_VERSION)) {
    uint32_t found = v.mv_size == 4 ? store__get_be32(v.mv_data) : 0;
    if (why)
      mc_buf_printf(why, "%s is in storage format %u; this motcua reads format %u%s", st->dir,
                    (unsigned)found, STORE_FORMAT_VERSION,
                    found > STORE_FORMAT_VERSION ? ": upgrade motcua" : "");
    return found > STORE_FORMAT_VERSION ? MC_EFORMAT : MC_ECORRUPT;
  } else if (rc == MDB_NOTFOUND) {
    if (why)
      mc_buf_printf(why, "%s holds no motcua log (no format record)", st->dir);
    return MC_ECORRUPT;
  }
  if (rc)
    return store__lmdb_error(st, rc, "reading the format");
  rc = mdb_dbi_open(txn, "log", create, &st->log);
  if (rc)
    return store__lmdb_error(st, rc, "opening the log");
  for (size_t i = 0; i < st->nproj; i++) {
    char name[40];
    snprintf(name, sizeof name, "p/%s", st->proj[i].def.name);
    rc = mdb_dbi_open(txn, name, create, &st->proj[i].dbi);
    if (rc == MDB_NOTFOUND)
      continue; /* read-only, and this projection was never built here */
    if (rc)
      return store__lmdb_error(st, rc, "opening a projection");
    st->proj[i].present = true;
  }
  return 0;
}

/* Marks in stale[] each projection whose stored version differs from the
 * registered one (or that has none). */
static int find_stale(store *st, MDB_txn *txn, bool *stale) {
  for (size_t i = 0; i < st->nproj; i++) {
    store__proj *p = &st->proj[i];
    char key[40];
    MDB_val k, v;
    snprintf(key, sizeof key, "proj/%s", p->def.name);
    k = (MDB_val){strlen(key), key};
    int rc = mdb_get(txn, st->meta, &k, &v);
    stale[i] = false;
    if (rc == 0 && v.mv_size == 4 && store__get_be32(v.mv_data) == p->def.version)
      continue;
    if (rc && rc != MDB_NOTFOUND)
      return store__lmdb_error(st, rc, "reading a projection's version");
    if (rc == 0)
      MC_LOG_INFO("store", "%s: projection %s is at version %u, the program has %u: rebuilding",
                  st->dir, p->def.name, (unsigned)(v.mv_size == 4 ? store__get_be32(v.mv_data) : 0),
                  (unsigned)p->def.version);
    stale[i] = true;
  }
  /* A projection and the one it depends on are rebuilt together (store.h). */
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < st->nproj; i++) {
      int d = st->proj[i].dep;
      if (d >= 0 && stale[i] != stale[d]) {
        stale[i] = stale[d] = true;
        grew = true;
      }
    }
  }
  return 0;
}

static int open_env(store *st, mc_buf *why) {
  char path[4096];
  struct stat sb;
  unsigned flags = MDB_NOTLS | (st->read_only ? MDB_RDONLY : 0);
  int rc, dead = 0;

  snprintf(path, sizeof path, "%s/data.mdb", st->dir);
  if (st->read_only && stat(path, &sb) != 0) {
    if (why)
      mc_buf_printf(why, "%s is not a motcua data directory (it has no data.mdb)", st->dir);
    return MC_ENOENT;
  }
  if ((rc = mdb_env_create(&st->env)) || (rc = mdb_env_set_maxdbs(st->env, STORE_MAX_PROJ + 4)) ||
      (rc = mdb_env_set_mapsize(st->env, (size_t)st->map_size)))
    return store__lmdb_error(st, rc, "creating the environment");
  rc = mdb_env_open(st->env, st->dir, flags, 0600);
  if (rc) {
    int mc = store__lmdb_error(st, rc, "opening the environment");
    if (why)
      mc_buf_printf(why, "%s: %s%s", path, mdb_strerror(rc),
                    mc == MC_ECORRUPT ? " (not an LMDB file, or a damaged one: restore the data "
                                        "directory from a backup, docs/OPERATIONS.md)"
                                      : "");
    return mc;
  }
  if ((rc = check_not_truncated(st, why)))
    return rc;
  /* Reader slots of processes that were killed would pin old pages forever. */
  if (mdb_reader_check(st->env, &dead) == 0 && dead > 0)
    MC_LOG_INFO("store", "%s: cleared %d reader slot%s of dead processes", st->dir, dead,
                dead == 1 ? "" : "s");
  return 0;
}

/* The setup transaction: dbs, format, and which projections are stale
 * (retried after growing the map); then the rebuild of the stale ones. */
static int setup(store *st, mc_buf *why) {
  bool stale[STORE_MAX_PROJ] = {false};
  for (int attempt = 0;; attempt++) {
    MDB_txn *txn = NULL;
    int rc = st->read_only ? mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn)
                           : mdb_txn_begin(st->env, NULL, 0, &txn);
    if (rc)
      return store__lmdb_error(st, rc, "beginning the setup transaction");
    st->map_full = false;
    rc = open_dbs(st, txn, why);
    if (rc == 0 && !st->read_only)
      rc = find_stale(st, txn, stale);
    if (rc == 0) {
      rc = mdb_txn_commit(txn);
      txn = NULL;
      if (rc == MDB_MAP_FULL)
        st->map_full = true;
      rc = store__lmdb_error(st, rc, "committing the setup transaction");
    }
    if (txn)
      mdb_txn_abort(txn);
    if (rc && st->map_full && attempt < 40) {
      if ((rc = store__map_grow(st)))
        return rc;
      for (size_t i = 0; i < st->nproj; i++)
        st->proj[i].present = false;
      continue;
    }
    /* Stale projections are rebuilt after the setup commits, in chunked
     * transactions of their own (store__proj_rebuild). */
    if (rc == 0 && !st->read_only)
      rc = store__proj_rebuild(st, stale, 0);
    if (rc && why && why->len == 0)
      mc_buf_printf(why, "%s: %s", st->dir, store_errmsg(st));
    return rc;
  }
}

int store_open(const char *dir, const store_options *opt, store **out, mc_buf *why) {
  store *st = calloc(1, sizeof *st);
  struct stat sb;
  int rc;

  *out = NULL;
  if (st == NULL)
    return MC_ENOMEM;
  st->lock_fd = -1;
  st->read_only = opt && opt->read_only;
  st->map_size = opt && opt->map_size ? opt->map_size : STORE_DEFAULT_MAP_SIZE;
  pthread_rwlock_init(&st->resize, NULL);
  pthread_mutex_init(&st->aux_mutex, NULL);
  if ((st->dir = strdup(dir)) == NULL) {
    rc = MC_ENOMEM;
    goto fail;
  }
  if ((rc = mc_crypto_init()) || (rc = add_projections(st, opt, why)))
    goto fail;
  if (stat(dir, &sb) != 0) {
    if (st->read_only || errno != ENOENT || mkdir(dir, 0700) != 0) {
      int err = errno;
      if (why)
        mc_buf_printf(why, "%s: %s", dir,
                      st->read_only && err == ENOENT ? "no such data directory" : strerror(err));
      rc = mc_err_from_errno(err);
      goto fail;
    }
  } else if (!S_ISDIR(sb.st_mode)) {
    if (why)
      mc_buf_printf(why, "%s is a file, not a data directory: give the directory that holds "
                         "data.mdb", dir);
    rc = MC_ECORRUPT;
    goto fail;
  }
  if (!st->read_only && (rc = take_writer_lock(st, why)))
    goto fail;
  if ((rc = open_env(st, why)) || (rc = setup(st, why)))
    goto fail;
  *out = st;
  return 0;
fail:
  store_close(st);
  return rc;
}

void store_close(store *st) {
  if (st == NULL)
    return;
  if (st->aux) {
    if (!st->read_only)
      mdb_env_sync(st->aux, 1);
    mdb_env_close(st->aux);
  }
  if (st->env)
    mdb_env_close(st->env);
  if (st->lock_fd >= 0)
    close(st->lock_fd); /* releases the flock */
  pthread_rwlock_destroy(&st->resize);
  pthread_mutex_destroy(&st->aux_mutex);
  free(st->dir);
  free(st);
}

/* ============================================================ aux dbs */

/* Opens the aux environment on first use.  Caller holds aux_mutex. */
static int aux_env(store *st, MDB_env **out) {
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

static int aux_do(store *st, aux_op op, const char *db, const void *key, size_t klen,
                  const void *val, size_t vlen, mc_buf *out) {
  MDB_env *env;
  MDB_txn *txn = NULL;
  MDB_dbi dbi;
  MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
  char name[40];
  int rc;

  if (!store__name_ok(db) || klen == 0 || klen > 511)
    return MC_EINVAL;
  if (st->read_only && op != AUX_GET)
    return MC_EREADONLY;
  snprintf(name, sizeof name, "aux/%s", db);
  pthread_mutex_lock(&st->aux_mutex);
  for (int attempt = 0;; attempt++) {
    if ((rc = aux_env(st, &env)))
      goto done;
    rc = mdb_txn_begin(env, NULL, op == AUX_GET ? MDB_RDONLY : 0, &txn);
    if (rc == 0)
      rc = mdb_dbi_open(txn, name, op == AUX_PUT ? MDB_CREATE : 0, &dbi);
    if (rc == 0) {
      if (op == AUX_PUT)
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
  if ((rc = aux_env(st, &env)) == 0) {
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

/* ============================================================ backup */

static int fsync_path(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mc_err_from_errno(errno);
  int rc = fsync(fd) == 0 ? 0 : mc_err_from_errno(errno);
  close(fd);
  return rc;
}

/* Copies one environment into `dest` (created) and flushes it. */
static int copy_env(store *st, MDB_env *env, const char *dest, mc_buf *why) {
  char file[4200];
  int rc;
  if (mkdir(dest, 0700) != 0 && errno != EEXIST) {
    if (why)
      mc_buf_printf(why, "cannot create %s: %s", dest, strerror(errno));
    return mc_err_from_errno(errno);
  }
  pthread_rwlock_rdlock(&st->resize);
  rc = mdb_env_copy2(env, dest, MDB_CP_COMPACT);
  pthread_rwlock_unlock(&st->resize);
  if (rc) {
    int mc = store__lmdb_error(st, rc, "copying");
    if (why)
      mc_buf_printf(why, "copying into %s: %s", dest, mdb_strerror(rc));
    return mc;
  }
  snprintf(file, sizeof file, "%s/data.mdb", dest);
  if ((rc = fsync_path(file)) || (rc = fsync_path(dest))) {
    if (why)
      mc_buf_printf(why, "flushing %s: %s", file, mc_strerror(rc));
    return rc;
  }
  return 0;
}

int store_backup(store *st, const char *dest, mc_buf *why) {
  char aux_dest[4200];
  struct stat sb;
  MDB_env *aux = NULL;
  int rc;

  if (stat(dest, &sb) == 0) {
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/data.mdb", dest);
    if (!S_ISDIR(sb.st_mode) || stat(probe, &sb) == 0) {
      if (why)
        mc_buf_printf(why, "%s already holds something: back up into a new directory", dest);
      return MC_EINVAL;
    }
  }
  if ((rc = copy_env(st, st->env, dest, why)))
    return rc;
  pthread_mutex_lock(&st->aux_mutex);
  rc = aux_env(st, &aux);
  if (rc == 0) {
    snprintf(aux_dest, sizeof aux_dest, "%s/aux", dest);
    rc = copy_env(st, aux, aux_dest, why);
  } else if (rc == MC_ENOENT) {
    rc = 0; /* a read-only store with no aux environment: nothing to copy */
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
  if ((rc = aux_env(st, &env)) == 0 && (rc = mdb_env_sync(env, 1)) != 0)
    rc = store__lmdb_error(st, rc, "flushing the aux environment");
  pthread_mutex_unlock(&st->aux_mutex);
  return rc;
}
