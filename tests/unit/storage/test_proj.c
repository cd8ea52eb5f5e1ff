/* test_proj.c — projection hooks (storage/proj.c, rebuild.c, batch.c): written in
 * the same transaction as the events, dropped with an aborted command, able
 * to reject a command, rebuilt from the log when their version changes, and
 * equal to a rebuild in the verifier's eyes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_test.h"

/* Counts events per type: key type, value u64 big-endian.  Version 2 counts
 * per stream instead.  Refuses events of type "forbidden". */
typedef struct counter {
  uint32_t version;
  int calls;
} counter;

static int count_apply(void *opaque, store_proj_txn *tx, const store_event *ev) {
  counter *c = opaque;
  const void *old;
  size_t len;
  uint8_t val[8];
  uint64_t n = 0;
  store_str key = c->version == 1 ? ev->type : ev->stream;
  c->calls++;
  if (ev->type.len == 9 && memcmp(ev->type.ptr, "forbidden", 9) == 0)
    return MC_EINVAL;
  int rc = store_proj_get(tx, key.ptr, key.len, &old, &len);
  if (rc == 0 && len == 8)
    for (int i = 0; i < 8; i++)
      n = n << 8 | ((const uint8_t *)old)[i];
  else if (rc != MC_ENOENT)
    return rc;
  n++;
  for (int i = 7; i >= 0; i--, n >>= 8)
    val[i] = (uint8_t)n;
  return store_proj_put(tx, key.ptr, key.len, val, 8);
}

static uint64_t count_of(store *st, const char *key) {
  store_read *rd;
  const void *val;
  size_t len;
  uint64_t n = 0;
  assert_int_equal(store_read_begin(st, &rd), 0);
  if (store_read_proj(rd, "counts", key, strlen(key), &val, &len) == 0)
    for (size_t i = 0; i < len; i++)
      n = n << 8 | ((const uint8_t *)val)[i];
  store_read_end(rd);
  return n;
}

static store *open_with(const char *dir, counter *c) {
  store_projection p = {"counts", c->version, count_apply, c, NULL};
  store_options opt = {false, 0, &p, 1};
  store *st;
  assert_int_equal(store_open(dir, &opt, &st, NULL), 0);
  return st;
}

static void hooks_follow_the_log_in_its_transaction(void **state) {
  (void)state;
  char *dir = tmpdir_make("proj");
  counter c = {1, 0};
  store *st = open_with(dir, &c);
  assert_int_equal(append_one_event(st, "d/1", 0, "submitted", 1, 1, NULL, NULL), 0);
  assert_int_equal(append_one_event(st, "d/2", 0, "submitted", 2, 1, NULL, NULL), 0);
  assert_int_equal(append_one_event(st, "d/1", 1, "accepted", 3, 1, NULL, NULL), 0);
  assert_int_equal(count_of(st, "submitted"), 2);
  assert_int_equal(count_of(st, "accepted"), 1);

  /* An aborted command takes its projection writes with it. */
  mc_buf data = MC_BUF_INIT;
  store_batch *b;
  store_cmd_result prior, res;
  payload(&data, 1, "x");
  store_event_in in = event_in("d/3", 0, "submitted", 4, &data);
  store_event_in no = event_in("d/3", STORE_ANY_VERSION, "forbidden", 4, &data);
  assert_int_equal(store_batch_begin(st, &b), 0);
  assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
  assert_int_equal(store_append(b, &in, NULL, NULL), 0);
  const void *val;
  size_t len;
  assert_int_equal(store_cmd_proj_get(b, "counts", "submitted", 9, &val, &len), 0);
  assert_int_equal(((const uint8_t *)val)[7], 3); /* seen inside the command */
  store_cmd_abort(b);
  /* A hook's refusal rejects its command only. */
  assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
  assert_int_equal(store_append(b, &no, NULL, NULL), MC_EINVAL);
  store_cmd_abort(b);
  assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
  assert_int_equal(store_append(b, &in, NULL, NULL), 0);
  assert_int_equal(store_cmd_commit(b, &res), 0);
  assert_int_equal(store_batch_commit(b), 0);
  assert_int_equal(count_of(st, "submitted"), 3);
  assert_int_equal(count_of(st, "forbidden"), 0);
  assert_int_equal(head_seq(st), 4);
  assert_int_equal(verify_problems(st, NULL, 0, NULL), 0);
  store_close(st);
  mc_buf_free(&data);
  tree_remove(dir);
  free(dir);
}

/* Commands write straight into the batch's transaction; one rejected after it
 * wrote makes the batch replay its committed commands into a fresh
 * transaction, then isolate later commands with nested transactions
 * (storage/batch.c "the batch").  Either way: the rejected command leaves
 * nothing, its neighbours keep their sequences and hashes. */
static void late_rejections_leave_the_neighbours(void **state) {
  (void)state;
  char *dir = tmpdir_make("proj");
  counter c = {1, 0};
  store *st = open_with(dir, &c);
  mc_buf data = MC_BUF_INIT;
  store_batch *b;
  store_cmd_result prior, res;
  uint8_t before[MC_SHA256_BYTES], after[MC_SHA256_BYTES];
  uint64_t seq, expect = 1, head;
  char stream[32], id[32];
  payload(&data, 7, "Hồ sơ");
  assert_int_equal(store_batch_begin(st, &b), 0);
  for (int i = 0; i < 60; i++) {
    snprintf(stream, sizeof stream, "d/%d", i % 7);
    snprintf(id, sizeof id, "cmd-%d", i);
    store_event_in ok = event_in(stream, STORE_ANY_VERSION, "submitted", 100 + i, &data);
    store_event_in no = event_in(stream, STORE_ANY_VERSION, "forbidden", 100 + i, &data);
    store_batch_head(b, &head, before, NULL);
    assert_int_equal(head, expect - 1);
    assert_int_equal(store_cmd_begin(b, id, &prior), 0);
    assert_false(prior.repeated);
    assert_int_equal(store_append(b, &ok, &seq, NULL), 0);
    assert_int_equal(seq, expect);
    if (i == 10 || i == 30 || i == 45) {
      /* Rejected by a hook on its second event, after the first was written. */
      assert_int_equal(store_append(b, &no, NULL, NULL), MC_EINVAL);
      store_cmd_abort(b);
    } else if (i == 20) {
      store_cmd_abort(b); /* dropped by its caller after a good append */
    } else {
      assert_int_equal(store_cmd_commit(b, &res), 0);
      assert_int_equal(res.first_seq, expect);
      assert_int_equal(res.count, 1);
      expect++;
      continue;
    }
    /* The batch is back where it was before the command. */
    store_batch_head(b, &head, after, NULL);
    assert_int_equal(head, expect - 1);
    assert_memory_equal(before, after, MC_SHA256_BYTES);
    assert_int_equal(store_cmd_begin(b, "cmd-0", &prior), 0);
    assert_true(prior.repeated); /* committed commands survived the replay */
    assert_int_equal(prior.first_seq, 1);
  }
  assert_int_equal(store_batch_commit(b), 0);
  assert_int_equal(head_seq(st), 56);
  assert_int_equal(count_of(st, "submitted"), 56);
  assert_int_equal(count_of(st, "forbidden"), 0);
  store_read *rd;
  const void *val;
  size_t len;
  assert_int_equal(store_read_begin(st, &rd), 0);
  assert_int_equal(store_read_proj(rd, "command", "cmd-10", 6, &val, &len), MC_ENOENT);
  assert_int_equal(store_read_proj(rd, "command", "cmd-20", 6, &val, &len), MC_ENOENT);
  assert_int_equal(store_read_proj(rd, "command", "cmd-59", 6, &val, &len), 0);
  store_read_end(rd);
  assert_int_equal(verify_problems(st, NULL, 0, NULL), 0);
  store_close(st);
  mc_buf_free(&data);
  tree_remove(dir);
  free(dir);
}

static void a_new_version_is_rebuilt_at_open(void **state) {
  (void)state;
  char *dir = tmpdir_make("proj");
  counter v1 = {1, 0}, v2 = {2, 0};
  store *st = open_with(dir, &v1);
  for (int i = 0; i < 5; i++)
    assert_int_equal(append_one_event(st, i < 3 ? "d/1" : "d/2", STORE_ANY_VERSION, "note", i, i,
                                      NULL, NULL), 0);
  assert_int_equal(count_of(st, "note"), 5);
  store_close(st);

  st = open_with(dir, &v1); /* same version: nothing replayed */
  assert_int_equal(v1.calls, 5);
  store_close(st);

  st = open_with(dir, &v2); /* version 2: dropped and rebuilt from the log */
  assert_int_equal(v2.calls, 5);
  assert_int_equal(count_of(st, "note"), 0);
  assert_int_equal(count_of(st, "d/1"), 3);
  assert_int_equal(count_of(st, "d/2"), 2);
  assert_int_equal(verify_problems(st, NULL, 0, NULL), 0);
  store_close(st);

  /* Verify with the old code sees the version difference and says so. */
  store_projection p = {"counts", 1, count_apply, &v1, NULL};
  store_options ro = {true, 0, &p, 1};
  store_verify_report rep;
  assert_int_equal(store_open(dir, &ro, &st, NULL), 0);
  assert_int_equal(store_verify(st, NULL, &rep), 0);
  assert_non_null(strstr(mc_buf_cstr(&rep.text), "stored at version 2"));
  assert_int_equal(rep.problems, 1); /* rebuilt with v1 code, the stored v2 differs */
  mc_buf_free(&rep.text);
  store_close(st);
  tree_remove(dir);
  free(dir);
}

static void bad_registrations_are_refused(void **state) {
  (void)state;
  char *dir = tmpdir_make("proj");
  counter c = {1, 0};
  store_projection twice[] = {{"counts", 1, count_apply, &c, NULL}, {"counts", 1, count_apply, &c, NULL}};
  store_projection own[] = {{"stream", 1, count_apply, &c, NULL}};
  store_projection bad[] = {{"Counts!", 1, count_apply, &c, NULL}};
  store_options o1 = {false, 0, twice, 2}, o2 = {false, 0, own, 1}, o3 = {false, 0, bad, 1};
  store *st;
  mc_buf why = MC_BUF_INIT;
  assert_int_equal(store_open(dir, &o1, &st, &why), MC_EINVAL);
  assert_non_null(strstr(mc_buf_cstr(&why), "twice"));
  assert_int_equal(store_open(dir, &o2, &st, NULL), MC_EINVAL);
  assert_int_equal(store_open(dir, &o3, &st, NULL), MC_EINVAL);
  mc_buf_free(&why);
  tree_remove(dir);
  free(dir);
}

/* What the log takes on disk (storage/footprint.c): every db of the
 * environment with its pages and entries, the projections included. */
typedef struct sizes {
  uint64_t pages, log_entries, counts_entries, stream_pages;
  int dbs;
} sizes;

static int add_db(void *opaque, const char *name, uint64_t pages, uint64_t entries) {
  sizes *z = opaque;
  z->pages += pages;
  z->dbs++;
  if (!strcmp(name, "log"))
    z->log_entries = entries;
  if (!strcmp(name, "counts"))
    z->counts_entries = entries;
  if (!strcmp(name, "stream"))
    z->stream_pages = pages;
  return 0;
}

static void the_footprint_counts_every_db(void **state) {
  (void)state;
  char *dir = tmpdir_make("proj");
  counter c = {1, 0};
  store *st = open_with(dir, &c);
  for (int i = 0; i < 50; i++) {
    char stream[16];
    snprintf(stream, sizeof stream, "d/%d", i);
    assert_int_equal(append_one_event(st, stream, 0, i % 2 ? "submitted" : "accepted", i + 1, 1, NULL, NULL), 0);
  }
  store_read *rd;
  sizes z = {0};
  uint64_t page_size;
  assert_int_equal(store_read_begin(st, &rd), 0);
  assert_int_equal(store_read_footprint(rd, add_db, &z, &page_size), 0);
  store_read_end(rd);
  assert_int_equal(page_size, 4096);
  assert_int_equal(z.log_entries, 50);
  assert_int_equal(z.counts_entries, 2);      /* the engine's kind of projection */
  assert_int_equal(z.dbs, 3 + 4 + 1);         /* main, meta, log; storage's four; counts */
  assert_true(z.stream_pages >= 1);
  assert_true(z.pages >= 3); /* the log, its stream index, the counts at least */
  store_close(st);
  tree_remove(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hooks_follow_the_log_in_its_transaction),
      cmocka_unit_test(late_rejections_leave_the_neighbours),
      cmocka_unit_test(a_new_version_is_rebuilt_at_open),
      cmocka_unit_test(bad_registrations_are_refused),
      cmocka_unit_test(the_footprint_counts_every_db),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
