/* footprint.c — what the log takes on disk, database by database.
 *
 * The figure "bytes per event, everything included" (docs/STORAGE.md) is
 * the LMDB pages the legal record's environment uses — the log, storage's
 * own indexes, the engine's projections and the meta db; aux is not part of
 * it — divided by the events.  Pages in use are each db's branch, leaf and
 * overflow pages (mdb_stat), not the file's size, which also holds free
 * pages LMDB reuses.
 */
#include "store-int.h"

int store_read_footprint(store_read *rd, store_db_fn fn, void *opaque, uint64_t *page_size) {
  MDB_stat ms;
  MDB_dbi main_db;
  int rc = mdb_dbi_open(rd->txn, NULL, 0, &main_db); /* the db that names the others */
  if (rc != 0)
    return store__lmdb_error(NULL, rc, "opening the main db");
  struct {
    const char *name;
    MDB_dbi dbi;
  } fixed[] = {{"(main)", main_db}, {"meta", rd->st->meta}, {"log", rd->st->log}};
  *page_size = 0;
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    if ((rc = mdb_stat(rd->txn, fixed[i].dbi, &ms)) != 0)
      return store__lmdb_error(NULL, rc, "reading a db's size");
    *page_size = ms.ms_psize;
    if ((rc = fn(opaque, fixed[i].name, ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages,
                 ms.ms_entries)) != 0)
      return rc < 0 ? rc : 0;
  }
  for (size_t i = 0; i < rd->st->nproj; i++) {
    const store__proj *p = &rd->st->proj[i];
    if (!p->present)
      continue;
    if ((rc = mdb_stat(rd->txn, p->dbi, &ms)) != 0)
      return store__lmdb_error(NULL, rc, "reading a projection's size");
    if ((rc = fn(opaque, p->def.name, ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages,
                 ms.ms_entries)) != 0)
      return rc < 0 ? rc : 0;
  }
  return 0;
}
