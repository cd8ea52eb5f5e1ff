/* error.c — the one file that knows how LMDB spells its errors, and the
 * store's last error message.
 *
 * store__lmdb_error() translates an LMDB (or errno) code into MC_E* and notes
 * what failed in st->errmsg; LMDB's codes never leave storage/.  The bottom
 * of storage's layers (store-int.h): it calls no other file of storage/.
 */
#include "store-int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

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
