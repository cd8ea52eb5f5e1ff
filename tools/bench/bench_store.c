/* bench_store.c — what the event store costs next to raw LMDB, in one run.
 *
 *   bench-store [EVENTS] [DIR]     (default 1,000,000 events, DIR in $TMPDIR)
 *
 * 1. Appends per second through the store's batch API with durable group
 *    commit, at 1, 64 and 1,024 requests in flight.  A writer thread takes
 *    what is queued — in a closed loop with K requests in flight that is a
 *    batch of K commands of one event each — commits it durably, and only
 *    then acknowledges it.  Next to it: raw LMDB, MDB_APPEND of records of
 *    the same size, one durable transaction per batch of the same size.
 * 2. Full replay (read, decode, rebuild every projection) in events per
 *    second, next to a raw cursor scan that decodes each record with
 *    msgpack-c and pulls out five fields.
 * 3. Bytes on disk per event, as written and after a compacting backup.
 * The ratios are the figures (README "Performance"); absolute numbers vary
 * with the machine and its neighbours.
 */
#include "storage/store-int.h"

#include "base/canon.h"

#include <msgpack.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void remove_env(const char *dir) {
  char path[4200];
  const char *files[] = {"data.mdb", "lock.mdb", "motcua.lock", "aux/data.mdb", "aux/lock.mdb"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/aux", dir);
  rmdir(path);
  rmdir(dir);
}

static void event_data(mc_buf *out, uint64_t i) {
  mc_canon w;
  mc_buf_reset(out);
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4);
  mc_canon_kv_int(&w, "fee", 135000);
  mc_canon_kv_int(&w, "n", (int64_t)i);
  mc_canon_kv_str(&w, "note", "Hồ sơ đăng ký hộ kinh doanh, đã nhận đủ giấy tờ");
  mc_canon_kv_str(&w, "officer", "Nguyễn Thị Lan");
  mc_canon_finish(&w);
}

/* ============================================================ the writer thread */

typedef struct run {
  store *st;
  uint64_t events, in_flight;
  uint64_t acked;
  size_t record_bytes; /* sum, to size the raw baseline's records */
  int rc;
} run;

static void *writer(void *opaque) {
  run *r = opaque;
  mc_buf data = MC_BUF_INIT;
  char stream[32];
  uint64_t i = 0;
  while (i < r->events && r->rc == 0) {
    store_batch *b;
    store_cmd_result prior, res;
    uint64_t n = r->events - i < r->in_flight ? r->events - i : r->in_flight;
    if ((r->rc = store_batch_begin(r->st, &b)))
      break;
    for (uint64_t j = 0; j < n && r->rc == 0; j++, i++) {
      snprintf(stream, sizeof stream, "dossier/%llu", (unsigned long long)(i % 10000));
      event_data(&data, i);
      store_event_in in = {stream, STORE_ANY_VERSION, "note", (mc_instant)(1770000000000 + i),
                           {"officer-7", "reception", "bench"}, NULL, NULL, NULL,
                           data.data, data.len};
      if ((r->rc = store_cmd_begin(b, NULL, &prior)) == 0 &&
          (r->rc = store_append(b, &in, NULL, NULL)) == 0)
        r->rc = store_cmd_commit(b, &res);
      r->record_bytes += b->record.len;
    }
    if (r->rc) {
      store_batch_abort(b);
      break;
    }
    if ((r->rc = store_batch_commit(b)) == 0)
      r->acked += n; /* acknowledged only now */
  }
  mc_buf_free(&data);
  return NULL;
}

static double store_appends(const char *dir, uint64_t events, uint64_t in_flight, size_t *rec_len) {
  run r = {NULL, events, in_flight, 0, 0, 0};
  pthread_t t;
  remove_env(dir);
  if (store_open(dir, NULL, &r.st, NULL) != 0)
    return -1;
  double t0 = now_s();
  pthread_create(&t, NULL, writer, &r);
  pthread_join(t, NULL);
  double dt = now_s() - t0;
  store_close(r.st);
  if (r.rc) {
    fprintf(stderr, "store append failed: %s\n", mc_strerror(r.rc));
    return -1;
  }
  *rec_len = r.record_bytes / (events ? events : 1);
  return (double)r.acked / dt;
}

/* Raw LMDB: the same number of records of the same size, MDB_APPEND, one
 * durable commit per batch. */
static double raw_appends(const char *dir, uint64_t events, uint64_t batch, size_t rec_len) {
  MDB_env *env;
  MDB_dbi dbi;
  MDB_txn *txn;
  uint8_t *rec = calloc(1, rec_len), key[8];
  remove_env(dir);
  mkdir(dir, 0700);
  if (mdb_env_create(&env) || mdb_env_set_mapsize(env, (size_t)32 << 30) ||
      mdb_env_set_maxdbs(env, 4) || mdb_env_open(env, dir, MDB_NOTLS, 0600))
    return -1;
  double t0 = now_s();
  for (uint64_t i = 0; i < events;) {
    MDB_val k = {8, key}, v = {rec_len, rec};
    mdb_txn_begin(env, NULL, 0, &txn);
    mdb_dbi_open(txn, "log", MDB_CREATE, &dbi);
    for (uint64_t j = 0; j < batch && i < events; j++, i++) {
      store__be64(key, i + 1);
      memcpy(rec, &i, sizeof i);
      if (mdb_put(txn, dbi, &k, &v, MDB_APPEND))
        return -1;
    }
    if (mdb_txn_commit(txn))
      return -1;
  }
  double dt = now_s() - t0;
  mdb_env_close(env);
  free(rec);
  remove_env(dir);
  return (double)events / dt;
}

/* ============================================================ replay */

static double store_replay(const char *dir, uint64_t events) {
  store *st;
  if (store_open(dir, NULL, &st, NULL) != 0)
    return -1;
  double t0 = now_s();
  int rc = store__raw_rebuild_projections(st);
  double dt = now_s() - t0;
  store_close(st);
  return rc ? -1 : (double)events / dt;
}

static double raw_scan(const char *dir, uint64_t *count) {
  MDB_env *env;
  MDB_dbi dbi;
  MDB_txn *txn;
  MDB_cursor *cur;
  MDB_val k, v;
  msgpack_unpacked u;
  uint64_t n = 0, sink = 0;
  if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 32) ||
      mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600))
    return -1;
  mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
  if (mdb_dbi_open(txn, "log", 0, &dbi) || mdb_cursor_open(txn, dbi, &cur))
    return -1;
  msgpack_unpacked_init(&u);
  double t0 = now_s();
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    size_t off = 0;
    if (msgpack_unpack_next(&u, v.mv_data, v.mv_size, &off) != MSGPACK_UNPACK_SUCCESS ||
        u.data.type != MSGPACK_OBJECT_MAP)
      return -1;
    /* Five fields: seq, stream, type, time, ver. */
    for (uint32_t i = 0; i < u.data.via.map.size; i++) {
      const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
      const char *key = kv->key.via.str.ptr;
      size_t len = kv->key.via.str.size;
      if ((len == 3 && (memcmp(key, "seq", 3) == 0 || memcmp(key, "ver", 3) == 0)) ||
          (len == 4 && memcmp(key, "time", 4) == 0))
        sink += kv->val.via.u64;
      else if ((len == 6 && memcmp(key, "stream", 6) == 0) || (len == 4 && memcmp(key, "type", 4) == 0))
        sink += kv->val.via.str.size;
    }
    n++;
  }
  double dt = now_s() - t0;
  msgpack_unpacked_destroy(&u);
  mdb_cursor_close(cur);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  *count = n + (sink == 0);
  return (double)n / dt;
}

static long long file_size(const char *dir, const char *name) {
  char path[4200];
  struct stat sb;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

int main(int argc, char **argv) {
  uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
  const char *tmp = getenv("TMPDIR");
  char dir[4096], raw[4200], copy[4200];
  if (argc > 2)
    snprintf(dir, sizeof dir, "%s", argv[2]);
  else
    snprintf(dir, sizeof dir, "%s/motcua-bench-store", tmp && *tmp ? tmp : "/tmp");
  snprintf(raw, sizeof raw, "%s-raw", dir);
  snprintf(copy, sizeof copy, "%s-copy", dir);
  mc_log_set_level(MC_LOG_WARN);

  printf("motcua store benchmark: %llu events, in %s\n\n", (unsigned long long)events, dir);
  printf("durable appends/s   in flight   events      store      raw LMDB   ratio\n");
  const uint64_t flights[] = {1, 64, 1024};
  for (size_t i = 0; i < 3; i++) {
    /* One durable commit per event is slow: fewer events at low batch sizes. */
    uint64_t n = flights[i] == 1 ? (events < 3000 ? events : 3000)
                 : flights[i] == 64 ? (events < 200000 ? events : 200000) : events;
    size_t rec_len = 0;
    double s = store_appends(dir, n, flights[i], &rec_len);
    double r = raw_appends(raw, n, flights[i], rec_len);
    printf("                    %9llu   %-9llu %10.0f %10.0f   %.2f\n",
           (unsigned long long)flights[i], (unsigned long long)n, s, r, s / r);
    if (s < 0 || r < 0)
      return 1;
  }
  /* The log of the last run (all events) stays for the replay. */
  uint64_t count = 0;
  double replay = store_replay(dir, events);
  double scan = raw_scan(dir, &count);
  printf("\nreplay events/s     store (read, decode, rebuild 4 projections) %10.0f\n"
         "                    raw cursor scan + msgpack-c decode           %10.0f   ratio %.2f\n",
         replay, scan, replay / scan);

  store *st;
  store_options ro = {true, 0, NULL, 0};
  remove_env(copy);
  if (store_open(dir, &ro, &st, NULL) == 0) {
    store_backup(st, copy, NULL);
    store_close(st);
  }
  long long size = file_size(dir, "data.mdb"), compact = file_size(copy, "data.mdb");
  printf("\nbytes on disk/event as written %.0f, after a compacting backup %.0f "
         "(log, 4 indexes)\n", (double)size / (double)events, (double)compact / (double)events);
  remove_env(copy);
  remove_env(dir);
  return 0;
}
