/* open.c — opening a data directory: the writer's lock, the LMDB
 * environment, the format record, the projections' dbs and the rebuild of
 * stale ones; and closing it.
 *
 * LMDB lets two processes write one environment (it serialises them), but
 * motcua has one writer by design (ARCHITECTURE.md), so a writer first takes
 * an flock on <dir>/motcua.lock; a second writer is refused before LMDB is
 * touched.  Readers take no lock and may run beside the writer.
 */
#include "store-int.h"

#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
    mc_be32_put(buf, STORE_FORMAT_VERSION);
    v = (MDB_val){4, buf};
    rc = mdb_put(txn, st->meta, &k, &v, 0);
  } else if (rc == 0 && (v.mv_size != 4 || mc_be32_get(v.mv_data) != STORE_FORMAT_VERSION)) {
    uint32_t found = v.mv_size == 4 ? mc_be32_get(v.mv_data) : 0;
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
    if (rc == 0 && v.mv_size == 4 && mc_be32_get(v.mv_data) == p->def.version)
      continue;
    if (rc && rc != MDB_NOTFOUND)
      return store__lmdb_error(st, rc, "reading a projection's version");
    if (rc == 0)
      MC_LOG_INFO("store", "%s: projection %s is at version %u, the program has %u: rebuilding",
                  st->dir, p->def.name, (unsigned)(v.mv_size == 4 ? mc_be32_get(v.mv_data) : 0),
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
