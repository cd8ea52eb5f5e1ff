/* backup.c — hot backup: a compacted copy of the log's environment and of
 * the aux environment into a new directory, flushed before it returns.
 */
#include "store-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  rc = store__aux_env(st, &aux);
  if (rc == 0) {
    snprintf(aux_dest, sizeof aux_dest, "%s/aux", dest);
    rc = copy_env(st, aux, aux_dest, why);
  } else if (rc == MC_ENOENT) {
    rc = 0; /* a read-only store with no aux environment: nothing to copy */
  }
  pthread_mutex_unlock(&st->aux_mutex);
  return rc;
}
