/* bench_store.c — what the event store costs next to raw LMDB, in one run.
 *
 *   bench-store [EVENTS] [DIR]     (default 1,000,000 events, DIR in $TMPDIR)
 *
 * 1. Appends per second through the store's batch API with durable group
 *    commit, at 1, 64 and 1,024 requests in flight.  A writer thread takes
 *    what is queued — in a closed loop with K requests in flight that is a
 *    batch of K commands of one event each — commits it durably, and only
 *    then acknowledges it.  The events' payloads and stream ids are made
 *    before the clock starts (generating them is the benchmark's cost, not
 *    the store's).  Next to it: raw LMDB, MDB_APPEND of the very records the
 *    store wrote (read back from its log), one durable transaction per batch
 *    of the same size; and two more raw runs that say where the difference
 *    goes: the same records plus the three index entries the store writes
 *    per event, and that again with a nested transaction per command.
 * 2. Full replay (read, decode, rebuild every projection — the path a
 *    projection's version change takes at open) in events per second, next
 *    to a raw cursor scan that decodes each record with msgpack-c and pulls
 *    out five fields.
 * 3. Bytes on disk per event, as written and after a compacting backup.
 * 4. File growth under readers: EVENTS/10 appends while `audit export` reads
 *    the whole log in short chunked transactions, and while a compacting
 *    backup (one long read transaction) runs, each next to the same appends
 *    with no reader, from copies of the same log.
 * The ratios are the figures (README "Performance"); absolute numbers vary
 * with the machine and its neighbours.
 */
#include "storage/store-int.h"
#include "base/instant.h"

#include "base/canon.h"

#include <msgpack.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) { return (double)mc_mono_ns() / 1e9; }

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

/* ============================================================ inputs, made before timing */

#define NPAYLOADS 4096
#define NSTREAMS 10000

typedef struct inputs {
  mc_buf payload[NPAYLOADS];
  char stream[NSTREAMS][24];
} inputs;

static void inputs_make(inputs *in) {
  for (uint64_t i = 0; i < NPAYLOADS; i++) {
    mc_canon w;
    in->payload[i] = (mc_buf)MC_BUF_INIT;
    mc_canon_init(&w, &in->payload[i]);
    mc_canon_map(&w, 4);
    mc_canon_kv_int(&w, "fee", 135000);
    mc_canon_kv_int(&w, "n", (int64_t)i);
    mc_canon_kv_str(&w, "note", "Hồ sơ đăng ký hộ kinh doanh, đã nhận đủ giấy tờ");
    mc_canon_kv_str(&w, "officer", "Nguyễn Thị Lan");
    mc_canon_finish(&w);
  }
  for (uint64_t i = 0; i < NSTREAMS; i++)
    snprintf(in->stream[i], sizeof in->stream[i], "dossier/%llu", (unsigned long long)i);
}

static void inputs_free(inputs *in) {
  for (size_t i = 0; i < NPAYLOADS; i++)
    mc_buf_free(&in->payload[i]);
}

/* ============================================================ the writer thread */

typedef struct run {
  store *st;
  const inputs *in;
  uint64_t first;      /* index of the first event (times and payloads go on) */
  uint64_t events, in_flight;
  uint64_t acked;
  int rc;
} run;

static void *writer(void *opaque) {
  run *r = opaque;
  uint64_t i = 0;
  while (i < r->events && r->rc == 0) {
    store_batch *b;
    store_cmd_result prior, res;
    uint64_t n = r->events - i < r->in_flight ? r->events - i : r->in_flight;
    if ((r->rc = store_batch_begin(r->st, &b)))
      break;
    for (uint64_t j = 0; j < n && r->rc == 0; j++, i++) {
      uint64_t e = r->first + i;
      const mc_buf *data = &r->in->payload[e % NPAYLOADS];
      store_event_in in = {r->in->stream[e % NSTREAMS], STORE_ANY_VERSION, "note",
                           (mc_instant)(1770000000000 + e), {"officer-7", "reception", "bench"},
                           NULL, NULL, NULL, data->data, data->len};
      if ((r->rc = store_cmd_begin(b, NULL, &prior)) == 0 &&
          (r->rc = store_append(b, &in, NULL, NULL)) == 0)
        r->rc = store_cmd_commit(b, &res);
    }
    if (r->rc) {
      store_batch_abort(b);
      break;
    }
    if ((r->rc = store_batch_commit(b)) == 0)
      r->acked += n; /* acknowledged only now */
  }
  return NULL;
}

static double store_appends(const char *dir, const inputs *in, uint64_t events,
                            uint64_t in_flight) {
  run r = {NULL, in, 0, events, in_flight, 0, 0};
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
  return (double)r.acked / dt;
}

/* The first NPAYLOADS records the store wrote, for the raw baseline. */
typedef struct records {
  mc_buf rec[NPAYLOADS];
  size_t n;
  uint64_t bytes;
} records;

static int keep_record(void *opaque, const store_event *ev) {
  records *rs = opaque;
  if (rs->n == NPAYLOADS)
    return 1;
  rs->rec[rs->n] = (mc_buf)MC_BUF_INIT;
  mc_buf_append(&rs->rec[rs->n], ev->record, ev->record_len);
  rs->bytes += ev->record_len;
  rs->n++;
  return 0;
}

static int records_read(const char *dir, records *rs) {
  store *st;
  store_read *rd;
  store_options ro = {true, 0, NULL, 0};
  int rc = store_open(dir, &ro, &st, NULL);
  if (rc)
    return rc;
  if ((rc = store_read_begin(st, &rd)) == 0) {
    rc = store_read_log(rd, 1, NPAYLOADS, keep_record, rs, NULL);
    store_read_end(rd);
  }
  store_close(st);
  return rc ? rc : rs->n ? 0 : MC_ENOENT;
}

static void records_free(records *rs) {
  for (size_t i = 0; i < rs->n; i++)
    mc_buf_free(&rs->rec[i]);
  rs->n = 0;
  rs->bytes = 0;
}

/* Raw LMDB, one durable commit per batch of `batch` events: MDB_APPEND of
 * the store's own records under u64 BE keys; with RAW_INDEXES also the
 * three index entries the store writes per event (same key layout, same
 * streams: storage/store-int.h); with RAW_NESTED a nested transaction per
 * event, as a command of one event had before this store stopped opening
 * one per command. */
enum { RAW_INDEXES = 1, RAW_NESTED = 2 };

static double raw_appends(const char *dir, const inputs *in, uint64_t events, uint64_t batch,
                          const records *rs, int mode) {
  MDB_env *env;
  MDB_dbi log, idx[3];
  MDB_txn *txn, *cmd;
  uint8_t key[8], sk[64], tk[16], yk[16], val[8];
  uint64_t version[NSTREAMS] = {0};
  remove_env(dir);
  mkdir(dir, 0700);
  if (mdb_env_create(&env) || mdb_env_set_mapsize(env, (size_t)32 << 30) ||
      mdb_env_set_maxdbs(env, 8) || mdb_env_open(env, dir, MDB_NOTLS, 0600))
    return -1;
  double t0 = now_s();
  for (uint64_t i = 0; i < events;) {
    if (mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, "log", MDB_CREATE, &log) ||
        mdb_dbi_open(txn, "p/stream", MDB_CREATE, &idx[0]) ||
        mdb_dbi_open(txn, "p/type", MDB_CREATE, &idx[1]) ||
        mdb_dbi_open(txn, "p/time", MDB_CREATE, &idx[2]))
      return -1;
    for (uint64_t j = 0; j < batch && i < events; j++, i++) {
      const mc_buf *rec = &rs->rec[i % rs->n];
      MDB_val k = {8, key}, v = {rec->len, rec->data};
      cmd = txn;
      if ((mode & RAW_NESTED) && mdb_txn_begin(env, txn, 0, &cmd))
        return -1;
      mc_be64_put(key, i + 1);
      if (mdb_put(cmd, log, &k, &v, MDB_APPEND))
        return -1;
      if (mode & RAW_INDEXES) {
        const char *s = in->stream[i % NSTREAMS];
        size_t len = strlen(s);
        memcpy(sk, s, len);
        sk[len] = 0;
        mc_be64_put(sk + len + 1, ++version[i % NSTREAMS]);
        memcpy(yk, "note", 5);
        mc_be64_put(yk + 5, i + 1);
        mc_be64_put(tk, (uint64_t)(1770000000000 + i) ^ (UINT64_C(1) << 63));
        mc_be64_put(tk + 8, i + 1);
        mc_be64_put(val, i + 1);
        MDB_val k0 = {len + 9, sk}, v0 = {8, val}, k1 = {13, yk}, k2 = {16, tk}, e = {0, ""};
        if (mdb_put(cmd, idx[0], &k0, &v0, 0) || mdb_put(cmd, idx[1], &k1, &e, 0) ||
            mdb_put(cmd, idx[2], &k2, &e, 0))
          return -1;
      }
      if (cmd != txn && mdb_txn_commit(cmd))
        return -1;
    }
    if (mdb_txn_commit(txn))
      return -1;
  }
  double dt = now_s() - t0;
  mdb_env_close(env);
  remove_env(dir);
  return (double)events / dt;
}

/* ============================================================ replay */

/* The rebuild at open after a projection's version changed: every
 * projection, one pass over the log (store__proj_rebuild). */
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

/* ============================================================ growth under readers */

static int copy_file(const char *from, const char *to) {
  FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
  static char buf[1 << 20];
  size_t n;
  int rc = a && b ? 0 : -1;
  while (rc == 0 && (n = fread(buf, 1, sizeof buf, a)) > 0)
    if (fwrite(buf, 1, n, b) != n)
      rc = -1;
  if (a)
    fclose(a);
  if (b && fclose(b) != 0)
    rc = -1;
  return rc;
}

/* A fresh copy of the log in `src` (closed) at `dst`. */
static int clone_env(const char *src, const char *dst) {
  char a[4200], b[4200];
  remove_env(dst);
  mkdir(dst, 0700);
  snprintf(a, sizeof a, "%s/data.mdb", src);
  snprintf(b, sizeof b, "%s/data.mdb", dst);
  return copy_file(a, b);
}

typedef enum { READER_NONE, READER_EXPORT, READER_BACKUP } reader_kind;

typedef struct reader_ctx {
  store *st;
  reader_kind kind;
  const char *backup_dir;
  volatile int writer_done;
  uint64_t exported, passes;
  const run *w;         /* the writer, to note how far it got */
  uint64_t acked_at_end; /* events the writer had committed when the reader ended */
  double seconds;
  int rc;
} reader_ctx;

static int count_event(void *opaque, const store_event *ev) {
  reader_ctx *c = opaque;
  c->exported += ev->data_len > 0;
  return 0;
}

/* Exports the whole log (chunks of 1,000 events, as `motcua audit export`)
 * again and again while the writer runs; or takes one compacting backup. */
static void *reader(void *opaque) {
  reader_ctx *c = opaque;
  double t0 = now_s();
  if (c->kind == READER_BACKUP) {
    c->rc = store_backup(c->st, c->backup_dir, NULL);
    c->passes = 1;
  } else {
    do {
      c->rc = store_log_each(c->st, 1, 0, 1000, count_event, c);
      c->passes++;
    } while (c->rc == 0 && !c->writer_done);
  }
  c->seconds = now_s() - t0;
  c->acked_at_end = c->w->acked;
  return NULL;
}

/* Appends `events` (batches of 1,024) to a copy of `base` with a reader
 * beside it; gives data.mdb's size after. */
static long long grow_run(const char *base, const char *dir, const inputs *in, uint64_t first,
                          uint64_t events, reader_kind kind, const char *backup_dir,
                          reader_ctx *rc_out) {
  run r = {NULL, in, first, events, 1024, 0, 0};
  reader_ctx c = {NULL, kind, backup_dir, 0, 0, 0, &r, 0, 0, 0};
  pthread_t tw, tr;
  if (clone_env(base, dir) || store_open(dir, NULL, &r.st, NULL))
    return -1;
  c.st = r.st;
  if (kind != READER_NONE)
    pthread_create(&tr, NULL, reader, &c);
  pthread_create(&tw, NULL, writer, &r);
  pthread_join(tw, NULL);
  c.writer_done = 1;
  if (kind != READER_NONE)
    pthread_join(tr, NULL);
  store_close(r.st);
  if (r.rc || c.rc)
    return -1;
  *rc_out = c;
  return file_size(dir, "data.mdb");
}

int main(int argc, char **argv) {
  uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
  const char *tmp = getenv("TMPDIR");
  char dir[4096], raw[4200], copy[4200], grow[4200];
  static inputs in;
  if (argc > 2)
    snprintf(dir, sizeof dir, "%s", argv[2]);
  else
    snprintf(dir, sizeof dir, "%s/motcua-bench-store", tmp && *tmp ? tmp : "/tmp");
  snprintf(raw, sizeof raw, "%s-raw", dir);
  snprintf(copy, sizeof copy, "%s-copy", dir);
  snprintf(grow, sizeof grow, "%s-grow", dir);
  mc_log_set_level(MC_LOG_WARN);
  inputs_make(&in);

  printf("motcua store benchmark: %llu events, in %s\n\n", (unsigned long long)events, dir);
  printf("durable appends/s  in flight  events      store   raw LMDB  ratio | raw+3 indexes"
         "  +nested txn/cmd\n");
  const uint64_t flights[] = {1, 64, 1024};
  double nested_us[3] = {0}, index_us[3] = {0}, ratio[3] = {0}, ceiling[3] = {0};
  for (size_t i = 0; i < 3; i++) {
    /* One durable commit per event is slow: fewer events at low batch sizes. */
    uint64_t n = flights[i] == 1 ? (events < 3000 ? events : 3000)
                 : flights[i] == 64 ? (events < 200000 ? events : 200000) : events;
    records rs = {.n = 0};
    double s = store_appends(dir, &in, n, flights[i]);
    if (s < 0 || records_read(dir, &rs))
      return 1;
    double r = raw_appends(raw, &in, n, flights[i], &rs, 0);
    double ri = raw_appends(raw, &in, n, flights[i], &rs, RAW_INDEXES);
    double rn = raw_appends(raw, &in, n, flights[i], &rs, RAW_INDEXES | RAW_NESTED);
    printf("                   %9llu  %-9llu %9.0f  %9.0f   %.2f | %9.0f  %9.0f\n",
           (unsigned long long)flights[i], (unsigned long long)n, s, r, s / r, ri, rn);
    if (r < 0 || ri < 0 || rn < 0)
      return 1;
    index_us[i] = 1e6 / ri - 1e6 / r;
    nested_us[i] = 1e6 / rn - 1e6 / ri;
    ratio[i] = s / r;
    ceiling[i] = ri / r;
    if (i == 0)
      printf("                   (records: %llu bytes on average, the store's own)\n",
             (unsigned long long)(rs.bytes / rs.n));
    records_free(&rs);
  }
  printf("\nwhere the time goes, raw LMDB, per event at 1 / 64 / 1,024 in flight:\n"
         "  three index entries                    %6.2f / %6.2f / %6.2f us\n"
         "  a nested transaction per command       %6.2f / %6.2f / %6.2f us\n"
         "  (the store opens a nested transaction only after a command that wrote was\n"
         "  rejected in the batch: storage/batch.c \"the batch\")\n",
         index_us[0], index_us[1], index_us[2], nested_us[0], nested_us[1], nested_us[2]);
  printf("  the ceiling of any store that writes those three index entries, raw+3 indexes /\n"
         "  raw LMDB: %.2f / %.2f / %.2f; the store reaches %.2f / %.2f / %.2f of raw+3 indexes\n",
         ceiling[0], ceiling[1], ceiling[2], ratio[0] / ceiling[0], ratio[1] / ceiling[1],
         ratio[2] / ceiling[2]);

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

  /* File growth: EVENTS/10 appends to copies of the log, with and without a
   * reader. */
  uint64_t more = events / 10;
  reader_ctx none, exp, bak;
  long long s0 = file_size(dir, "data.mdb");
  long long sn = grow_run(dir, grow, &in, events, more, READER_NONE, NULL, &none);
  long long se = grow_run(dir, grow, &in, events, more, READER_EXPORT, NULL, &exp);
  remove_env(copy);
  long long sb = grow_run(dir, grow, &in, events, more, READER_BACKUP, copy, &bak);
  remove_env(copy);
  remove_env(grow);
  if (sn < 0 || se < 0 || sb < 0)
    return 1;
  printf("\nfile growth, %llu appends (1,024 a batch) to a log of %llu events (%lld bytes):\n"
         "  no reader                                     data.mdb %lld bytes\n"
         "  audit export (chunks of 1,000) x%llu, %.1f s    data.mdb %lld bytes   ratio %.3f\n"
         "  compacting backup (one read txn), %.1f s      data.mdb %lld bytes   ratio %.3f\n"
         "  (the backup's read transaction ended after %llu of the appends)\n",
         (unsigned long long)more, (unsigned long long)events, s0, sn,
         (unsigned long long)exp.passes, exp.seconds, se, (double)se / (double)sn,
         bak.seconds, sb, (double)sb / (double)sn, (unsigned long long)bak.acked_at_end);
  /* Last, because the rebuild frees pages the growth runs would reuse. */
  uint64_t count = 0;
  double replay = store_replay(dir, events);
  double scan = raw_scan(dir, &count);
  printf("\nreplay events/s     store (read, decode, rebuild 4 projections) %10.0f\n"
         "                    raw cursor scan + msgpack-c decode           %10.0f   ratio %.2f\n",
         replay, scan, replay / scan);

  remove_env(dir);
  inputs_free(&in);
  return 0;
}
