/* verify.c — the auditor's check of a data directory (motcua audit verify).
 *
 * Three passes, all read-only and in short read transactions so they run
 * beside a writer:
 *   1. the chain: every key 1..head present, each record canonical and of a
 *      known format, its "seq" equal to its key, its "prev" equal to the hash
 *      of the event before, times not going back, data canonical;
 *   2. the anchors (signed checkpoints, --expect-head): the log must reach
 *      each anchor's sequence with the same hash — the only way to notice a
 *      tail that was cut off, or rewritten and re-hashed;
 *   3. the projections: each one this program knows is rebuilt from the log
 *      into a scratch LMDB environment and compared key by key with the
 *      stored one, at one snapshot.
 * The first bad sequence is the earliest event that may have been altered.
 */
#include "store-int.h"

#include "base/canon.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 8192
#define MAX_LISTED 40

typedef struct vctx {
  store *st;
  const store_verify_options *opt;
  store_verify_report *r;
  uint64_t expected;             /* the next sequence */
  uint8_t running[MC_SHA256_BYTES]; /* hash of the last event */
  int64_t last_time;
  bool *anchor_seen;
  bool *anchor_ok;
} vctx;

static void problem(vctx *v, uint64_t seq, const char *fmt, ...) MC__PRINTF(3, 4);

static void problem(vctx *v, uint64_t seq, const char *fmt, ...) {
  store_verify_report *r = v->r;
  va_list ap;
  r->problems++;
  if (seq && (r->first_bad_seq == 0 || seq < r->first_bad_seq))
    r->first_bad_seq = seq;
  if (r->problems > MAX_LISTED) {
    if (r->problems == MAX_LISTED + 1)
      mc_buf_printf(&r->text, "BAD   (further findings not listed)\n");
    return;
  }
  mc_buf_append_str(&r->text, "BAD   ");
  va_start(ap, fmt);
  mc_buf_vprintf(&r->text, fmt, ap);
  va_end(ap);
  mc_buf_append_byte(&r->text, '\n');
}

static void hex32(const uint8_t *h, char out[MC_SHA256_HEX]) { mc_hex(h, MC_SHA256_BYTES, out); }

/* ============================================================ the chain */

static void check_record(vctx *v, uint64_t seq, const uint8_t *rec, size_t len) {
  store_event ev;
  size_t where = 0;
  int rc;

  if (seq != v->expected) {
    if (seq == v->expected + 1)
      problem(v, v->expected, "event %llu is missing", (unsigned long long)v->expected);
    else
      problem(v, v->expected, "events %llu to %llu are missing", (unsigned long long)v->expected,
              (unsigned long long)seq - 1);
  }
  if (mc_canon_verify(rec, len, &where) != 0)
    problem(v, seq, "event %llu: its record is not canonical msgpack (byte %zu)",
            (unsigned long long)seq, where);
  else if ((rc = store__record_decode(rec, len, seq, &ev)) == MC_EFORMAT)
    problem(v, seq, "event %llu: written in a record format newer than %u: audit it with a newer "
                    "motcua", (unsigned long long)seq, STORE_FORMAT_VERSION);
  else if (rc != 0) {
    store_event loose;
    if (store__record_decode(rec, len, 0, &loose) == MC_ECORRUPT && loose.seq && loose.seq != seq)
      problem(v, seq, "event %llu: the record stored there says it is event %llu (events were "
                      "moved)", (unsigned long long)seq, (unsigned long long)loose.seq);
    else
      problem(v, seq, "event %llu: not a valid event record", (unsigned long long)seq);
  } else {
    if (seq == v->expected && memcmp(ev.prev, v->running, MC_SHA256_BYTES) != 0) {
      if (seq > 1)
        problem(v, seq - 1, "the chain breaks between events %llu and %llu: event %llu was "
                            "altered (or the link stored in %llu)", (unsigned long long)seq - 1,
                (unsigned long long)seq, (unsigned long long)seq - 1, (unsigned long long)seq);
      else
        problem(v, 1, "event 1: its previous hash is not zero");
    }
    if (ev.time < v->last_time)
      problem(v, seq, "event %llu: its time goes back before the previous event's",
              (unsigned long long)seq);
    if (mc_canon_verify(ev.data, ev.data_len, &where) != 0)
      problem(v, seq, "event %llu: its data is not canonical msgpack (byte %zu)",
              (unsigned long long)seq, where);
    v->last_time = ev.time;
  }
  mc_sha256_digest(rec, len, v->running);
  for (size_t i = 0; i < v->opt->nanchors; i++)
    if (v->opt->anchors[i].seq == seq) {
      v->anchor_seen[i] = true;
      v->anchor_ok[i] = memcmp(v->opt->anchors[i].hash, v->running, MC_SHA256_BYTES) == 0;
    }
  v->r->events++;
  v->expected = seq + 1;
}

static int check_chain(vctx *v) {
  uint64_t next = 1;
  for (;;) {
    store_read *rd;
    MDB_cursor *cur;
    MDB_val k, v2;
    uint8_t key[8];
    size_t n = 0;
    int rc = store_read_begin(v->st, &rd);
    if (rc)
      return rc;
    if ((rc = mdb_cursor_open(rd->txn, v->st->log, &cur))) {
      store_read_end(rd);
      return store__lmdb_error(v->st, rc, "opening the log");
    }
    mc_be64_put(key, next);
    k = (MDB_val){8, key};
    for (rc = mdb_cursor_get(cur, &k, &v2, MDB_SET_RANGE); rc == 0 && n < CHUNK;
         rc = mdb_cursor_get(cur, &k, &v2, MDB_NEXT), n++) {
      if (k.mv_size != 8) {
        problem(v, v->expected, "the log holds a key of %zu bytes after event %llu", k.mv_size,
                (unsigned long long)v->expected - 1);
        continue;
      }
      uint64_t seq = mc_be64_get(k.mv_data);
      check_record(v, seq, v2.mv_data, v2.mv_size);
      next = seq + 1;
    }
    mdb_cursor_close(cur);
    store_read_end(rd);
    if (rc != 0 && rc != MDB_NOTFOUND)
      return store__lmdb_error(v->st, rc, "reading the log");
    if (n < CHUNK)
      return 0;
  }
}

static void check_anchors(vctx *v) {
  store_verify_report *r = v->r;
  for (size_t i = 0; i < v->opt->nanchors; i++) {
    const store_anchor *a = &v->opt->anchors[i];
    char want[MC_SHA256_HEX];
    hex32(a->hash, want);
    if (!v->anchor_seen[i]) {
      uint64_t first_missing = r->head_seq + 1;
      problem(v, first_missing,
              "%s: says event %llu exists with hash %s, but the log ends at %llu: events %llu to "
              "%llu were cut off", a->source, (unsigned long long)a->seq, want,
              (unsigned long long)r->head_seq, (unsigned long long)first_missing,
              (unsigned long long)a->seq);
    } else if (!v->anchor_ok[i]) {
      uint64_t lower = 0; /* the highest anchor below that agrees */
      for (size_t j = 0; j < v->opt->nanchors; j++)
        if (v->anchor_ok[j] && v->opt->anchors[j].seq < a->seq && v->opt->anchors[j].seq > lower)
          lower = v->opt->anchors[j].seq;
      problem(v, lower + 1,
              "%s: event %llu should have hash %s but has another: one or more of events %llu "
              "to %llu were rewritten (and the chain re-hashed to hide it)", a->source,
              (unsigned long long)a->seq, want, (unsigned long long)lower + 1,
              (unsigned long long)a->seq);
    } else {
      mc_buf_printf(&r->text, "ok    %s: event %llu has hash %s\n", a->source,
                    (unsigned long long)a->seq, want);
    }
  }
}

/* ============================================================ projections */

typedef struct scratch {
  char dir[4096];
  MDB_env *env;
  store__proj proj[STORE_MAX_PROJ]; /* the stored projections we can rebuild */
  MDB_dbi dbi[STORE_MAX_PROJ];
  size_t n;
} scratch;

static int scratch_open(vctx *v, scratch *s) {
  const char *base = v->opt->scratch_dir ? v->opt->scratch_dir : getenv("TMPDIR");
  MDB_txn *txn;
  int rc;
  snprintf(s->dir, sizeof s->dir, "%s/motcua-verify-XXXXXX", base && *base ? base : "/tmp");
  if (mkdtemp(s->dir) == NULL) {
    store__set_errmsg(v->st, "cannot create a scratch directory in %s: %s", base ? base : "/tmp",
                      strerror(errno));
    s->dir[0] = '\0';
    return mc_err_from_errno(errno);
  }
  /* The rebuilt projections fit in what the store uses now (they are part
   * of it): twice that, at least 1 GiB, at most 64 GiB — virtual, but a
   * fixed 64 GiB cannot be mapped under valgrind or a tight ulimit -v. */
  MDB_envinfo info;
  MDB_stat ms;
  uint64_t used = 0, map = UINT64_C(1) << 30;
  if (mdb_env_info(v->st->env, &info) == 0 && mdb_env_stat(v->st->env, &ms) == 0)
    used = (uint64_t)(info.me_last_pgno + 1) * ms.ms_psize;
  if (2 * used > map)
    map = 2 * used;
  if (map > (UINT64_C(64) << 30))
    map = UINT64_C(64) << 30;
  if ((rc = mdb_env_create(&s->env)) || (rc = mdb_env_set_maxdbs(s->env, STORE_MAX_PROJ + 2)) ||
      (rc = mdb_env_set_mapsize(s->env, (size_t)map)) ||
      (rc = mdb_env_open(s->env, s->dir, MDB_NOSYNC | MDB_NOTLS, 0600)) ||
      (rc = mdb_txn_begin(s->env, NULL, 0, &txn)))
    return store__lmdb_error(v->st, rc, "opening the scratch environment");
  for (size_t i = 0; i < v->st->nproj; i++) {
    char name[40];
    if (!v->st->proj[i].present)
      continue;
    snprintf(name, sizeof name, "p/%s", v->st->proj[i].def.name);
    if ((rc = mdb_dbi_open(txn, name, MDB_CREATE, &s->dbi[s->n]))) {
      mdb_txn_abort(txn);
      return store__lmdb_error(v->st, rc, "creating a scratch projection");
    }
    s->proj[s->n] = v->st->proj[i];
    s->proj[s->n].dep = -1;
    for (size_t j = 0; v->st->proj[i].def.depends_on && j < s->n; j++)
      if (strcmp(s->proj[j].def.name, v->st->proj[i].def.depends_on) == 0)
        s->proj[s->n].dep = (int)j;
    s->n++;
  }
  return store__lmdb_error(v->st, mdb_txn_commit(txn), "creating the scratch projections");
}

static void scratch_close(scratch *s) {
  char path[4200];
  if (s->env)
    mdb_env_close(s->env);
  if (!s->dir[0])
    return;
  snprintf(path, sizeof path, "%s/data.mdb", s->dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/lock.mdb", s->dir);
  unlink(path);
  rmdir(s->dir);
}

typedef struct rebuild_ctx {
  vctx *v;
  scratch *s;
  MDB_txn *txn;
  int failed;
} rebuild_ctx;

static int rebuild_one(void *opaque, const store_event *ev) {
  rebuild_ctx *c = opaque;
  for (size_t i = 0; i < c->s->n; i++) {
    store_proj_txn tx = store__proj_txn(c->v->st, c->txn, c->s->proj, c->s->dbi, i, NULL);
    int rc = c->s->proj[i].def.apply(c->s->proj[i].def.opaque, &tx, ev);
    if (rc) {
      problem(c->v, ev->seq, "projection %s cannot follow event %llu: %s", c->s->proj[i].def.name,
              (unsigned long long)ev->seq,
              rc == MC_ECORRUPT ? store_errmsg(c->v->st) : mc_strerror(rc));
      c->failed = rc;
      return 1;
    }
  }
  return 0;
}

/* Applies events [from, upto] read in `rd` to the scratch copy. */
static int rebuild_range(vctx *v, scratch *s, store_read *rd, uint64_t from, uint64_t upto,
                         uint64_t *next) {
  rebuild_ctx c = {v, s, NULL, 0};
  int rc = mdb_txn_begin(s->env, NULL, 0, &c.txn);
  if (rc)
    return store__lmdb_error(v->st, rc, "writing the scratch copy");
  rc = store_read_log(rd, from, upto - from + 1, rebuild_one, &c, next);
  if (rc == 0 && c.failed == 0)
    rc = store__lmdb_error(v->st, mdb_txn_commit(c.txn), "writing the scratch copy");
  else
    mdb_txn_abort(c.txn);
  return rc ? rc : c.failed ? 1 : 0;
}

/* The sequence a key/value of storage's own indexes refers to (0: unknown). */
static uint64_t seq_of(const char *proj, MDB_val k, MDB_val val) {
  if (strcmp(proj, "stream") == 0 || strcmp(proj, "command") == 0)
    return val.mv_size >= 8 ? mc_be64_get(val.mv_data) : 0;
  if (strcmp(proj, "type") == 0 || strcmp(proj, "time") == 0)
    return k.mv_size >= 8 ? mc_be64_get((uint8_t *)k.mv_data + k.mv_size - 8) : 0;
  return 0;
}

static void describe_key(MDB_val k, char *out, size_t n) {
  size_t len = k.mv_size < 24 ? k.mv_size : 24;
  mc_hex(k.mv_data, len, out);
  if (k.mv_size > len && n > 2 * len + 3)
    strcpy(out + 2 * len, "...");
}

/* Walks the stored and the rebuilt db side by side; reports the first
 * difference. */
static int compare_one(vctx *v, const char *name, MDB_txn *stored_txn, MDB_dbi stored,
                       MDB_txn *rebuilt_txn, MDB_dbi rebuilt) {
  MDB_cursor *a, *b;
  MDB_val ka, va, kb, vb;
  int ra, rb, rc = 0;
  if ((rc = mdb_cursor_open(stored_txn, stored, &a)))
    return store__lmdb_error(v->st, rc, "comparing");
  if ((rc = mdb_cursor_open(rebuilt_txn, rebuilt, &b))) {
    mdb_cursor_close(a);
    return store__lmdb_error(v->st, rc, "comparing");
  }
  ra = mdb_cursor_get(a, &ka, &va, MDB_FIRST);
  rb = mdb_cursor_get(b, &kb, &vb, MDB_FIRST);
  for (uint64_t n = 0;; n++) {
    char key[64];
    if (ra == MDB_NOTFOUND && rb == MDB_NOTFOUND) {
      mc_buf_printf(&v->r->text, "ok    projection %s: %llu entries, equal to a rebuild\n", name,
                    (unsigned long long)n);
      break;
    }
    if ((ra && ra != MDB_NOTFOUND) || (rb && rb != MDB_NOTFOUND)) {
      rc = store__lmdb_error(v->st, ra ? ra : rb, "comparing");
      break;
    }
    int cmp = ra ? 1 : rb ? -1 : mdb_cmp(stored_txn, stored, &ka, &kb);
    if (cmp < 0) {
      describe_key(ka, key, sizeof key);
      problem(v, seq_of(name, ka, va), "projection %s holds key %s that a rebuild from the log "
                                       "does not", name, key);
      break;
    }
    if (cmp > 0) {
      describe_key(kb, key, sizeof key);
      problem(v, seq_of(name, kb, vb), "projection %s lacks key %s that a rebuild from the log "
                                       "has", name, key);
      break;
    }
    if (va.mv_size != vb.mv_size || memcmp(va.mv_data, vb.mv_data, va.mv_size) != 0) {
      describe_key(ka, key, sizeof key);
      problem(v, seq_of(name, kb, vb), "projection %s: the value of key %s differs from a "
                                       "rebuild from the log", name, key);
      break;
    }
    ra = mdb_cursor_get(a, &ka, &va, MDB_NEXT);
    rb = mdb_cursor_get(b, &kb, &vb, MDB_NEXT);
  }
  mdb_cursor_close(a);
  mdb_cursor_close(b);
  return rc;
}

static int check_projections(vctx *v) {
  scratch s;
  store_read *rd = NULL;
  MDB_txn *stx = NULL;
  uint64_t next = 1, head = v->r->head_seq, head2;
  uint8_t hash[MC_SHA256_BYTES];
  int rc;

  memset(&s, 0, sizeof s);
  if ((rc = scratch_open(v, &s)))
    goto done;
  /* Rebuild up to the head the chain pass saw, in chunks. */
  while (next <= head) {
    uint64_t upto = next + CHUNK - 1 < head ? next + CHUNK - 1 : head;
    if ((rc = store_read_begin(v->st, &rd)))
      goto done;
    rc = rebuild_range(v, &s, rd, next, upto, &next);
    store_read_end(rd);
    rd = NULL;
    if (rc)
      goto done;
  }
  /* One snapshot for the comparison: catch up with what a writer appended
   * meanwhile, then compare every projection. */
  if ((rc = store_read_begin(v->st, &rd)) || (rc = store_read_head(rd, &head2, hash)))
    goto done;
  if (head2 > head && (rc = rebuild_range(v, &s, rd, head + 1, head2, &next)))
    goto done;
  if ((rc = mdb_txn_begin(s.env, NULL, MDB_RDONLY, &stx))) {
    rc = store__lmdb_error(v->st, rc, "reading the scratch copy");
    goto done;
  }
  for (size_t i = 0; i < s.n && rc == 0; i++)
    rc = compare_one(v, s.proj[i].def.name, rd->txn, s.proj[i].dbi, stx, s.dbi[i]);
  /* What is stored but cannot be checked here. */
  for (size_t i = 0; i < v->st->nproj; i++)
    if (!v->st->proj[i].present)
      mc_buf_printf(&v->r->text, "note  projection %s is not in this data directory\n",
                    v->st->proj[i].def.name);
done:
  if (stx)
    mdb_txn_abort(stx);
  store_read_end(rd);
  scratch_close(&s);
  return rc == 1 ? 0 : rc;
}

/* Lists the projections stored but unknown to this program, and stale ones. */
static int note_stored_projections(vctx *v) {
  store_read *rd;
  MDB_cursor *cur;
  MDB_val k = {5, "proj/"}, val;
  int rc = store_read_begin(v->st, &rd);
  if (rc)
    return rc;
  if ((rc = mdb_cursor_open(rd->txn, v->st->meta, &cur)) == 0) {
    for (rc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
         rc == 0 && k.mv_size > 5 && memcmp(k.mv_data, "proj/", 5) == 0;
         rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
      const char *name = (const char *)k.mv_data + 5;
      size_t len = k.mv_size - 5;
      uint32_t stored = val.mv_size == 4 ? mc_be32_get(val.mv_data) : 0;
      const store__proj *known = NULL;
      for (size_t i = 0; i < v->st->nproj; i++)
        if (strlen(v->st->proj[i].def.name) == len && memcmp(v->st->proj[i].def.name, name, len) == 0)
          known = &v->st->proj[i];
      if (known == NULL)
        mc_buf_printf(&v->r->text, "note  projection %.*s (version %u) is not checked: this "
                                   "program does not know how to rebuild it\n",
                      (int)len, name, (unsigned)stored);
      else if (known->def.version != stored)
        mc_buf_printf(&v->r->text, "note  projection %.*s is stored at version %u, this program "
                                   "has version %u: the writer rebuilds it at its next start\n",
                      (int)len, name, (unsigned)stored, (unsigned)known->def.version);
    }
    mdb_cursor_close(cur);
  }
  store_read_end(rd);
  return 0;
}

int store_verify(store *st, const store_verify_options *opt, store_verify_report *report) {
  static const store_verify_options none;
  vctx v = {st, opt ? opt : &none, report, 1, {0}, INT64_MIN, NULL, NULL};
  char head[MC_SHA256_HEX];
  int rc;

  memset(report, 0, sizeof *report);
  v.anchor_seen = calloc(v.opt->nanchors + 1, sizeof *v.anchor_seen);
  v.anchor_ok = calloc(v.opt->nanchors + 1, sizeof *v.anchor_ok);
  if (v.anchor_seen == NULL || v.anchor_ok == NULL) {
    rc = MC_ENOMEM;
    goto done;
  }
  if ((rc = check_chain(&v)))
    goto done;
  report->head_seq = v.expected - 1;
  memcpy(report->head_hash, v.running, MC_SHA256_BYTES);
  hex32(v.running, head);
  mc_buf_printf(&report->text, "%s  chain: %llu events, head %llu %s\n",
                report->problems ? "BAD " : "ok  ", (unsigned long long)report->events,
                (unsigned long long)report->head_seq, head);
  check_anchors(&v);
  if (opt && opt->skip_projections)
    goto done;
  if (report->problems) {
    mc_buf_printf(&report->text, "note  projections not compared: the log itself is damaged\n");
    goto done;
  }
  if ((rc = check_projections(&v)) == 0)
    rc = note_stored_projections(&v);
done:
  free(v.anchor_seen);
  free(v.anchor_ok);
  return rc;
}
