/* test_log.c — storage/batch.c, read.c: the chain, optimistic concurrency, idempotency,
 * a rejected command inside a batch, and reads by stream, type and time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_test.h"

typedef struct fixture {
  char *dir;
  store *st;
} fixture;

static int setup(void **state) {
  fixture *f = test_calloc(1, sizeof *f);
  f->dir = tmpdir_make("log");
  assert_non_null(f->dir);
  assert_int_equal(store_open(f->dir, NULL, &f->st, NULL), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  store_close(f->st);
  tree_remove(f->dir);
  free(f->dir);
  test_free(f);
  return 0;
}

typedef struct collected {
  uint64_t seq[64];
  uint64_t version[64];
  uint8_t hash[64][MC_SHA256_BYTES];
  uint8_t prev[64][MC_SHA256_BYTES];
  size_t n;
} collected;

static int collect(void *opaque, const store_event *ev) {
  collected *c = opaque;
  if (c->n == 64)
    return 1;
  c->seq[c->n] = ev->seq;
  c->version[c->n] = ev->version;
  store_event_hash(ev, c->hash[c->n]);
  memcpy(c->prev[c->n], ev->prev, MC_SHA256_BYTES);
  c->n++;
  return 0;
}

static void each_prev_is_the_hash_before(void **state) {
  fixture *f = *state;
  static const uint8_t zero[MC_SHA256_BYTES];
  for (int i = 0; i < 10; i++)
    assert_int_equal(append_one_event(f->st, i % 2 ? "dossier/1" : "dossier/2", STORE_ANY_VERSION,
                                      "note", 1000 + i, i, NULL, NULL), 0);
  store_read *rd;
  collected c = {0};
  uint64_t head;
  uint8_t head_hash[MC_SHA256_BYTES];
  assert_int_equal(store_read_begin(f->st, &rd), 0);
  assert_int_equal(store_read_log(rd, 1, 0, collect, &c, NULL), 0);
  assert_int_equal(store_read_head(rd, &head, head_hash), 0);
  store_read_end(rd);
  assert_int_equal(c.n, 10);
  assert_memory_equal(c.prev[0], zero, MC_SHA256_BYTES);
  for (size_t i = 0; i < c.n; i++) {
    assert_int_equal(c.seq[i], i + 1);
    if (i > 0)
      assert_memory_equal(c.prev[i], c.hash[i - 1], MC_SHA256_BYTES);
  }
  assert_int_equal(head, 10);
  assert_memory_equal(head_hash, c.hash[9], MC_SHA256_BYTES);
  assert_int_equal(verify_problems(f->st, NULL, 0, NULL), 0);
}

static void a_stale_writer_gets_a_conflict(void **state) {
  fixture *f = *state;
  uint64_t seq, actual = 99;
  assert_int_equal(append_one_event(f->st, "dossier/7", 0, "submitted", 1, 1, NULL, &seq), 0);
  assert_int_equal(append_one_event(f->st, "dossier/7", 1, "accepted", 2, 2, NULL, &seq), 0);
  assert_int_equal(seq, 2);

  /* A writer that decided against version 1 again. */
  mc_buf data = MC_BUF_INIT;
  payload(&data, 3, "late");
  store_event_in in = event_in("dossier/7", 1, "accepted", 3, &data);
  store_batch *b;
  store_cmd_result prior;
  assert_int_equal(store_batch_begin(f->st, &b), 0);
  assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
  assert_int_equal(store_append(b, &in, &seq, &actual), MC_ECONFLICT);
  assert_int_equal(actual, 2);
  assert_non_null(strstr(store_errmsg(f->st), "expected version 1"));
  assert_non_null(strstr(store_errmsg(f->st), "at 2"));
  store_cmd_abort(b);
  assert_int_equal(store_batch_commit(b), 0);
  mc_buf_free(&data);

  assert_int_equal(head_seq(f->st), 2); /* nothing overwritten, nothing added */
  /* A new stream expects version 0. */
  assert_int_equal(append_one_event(f->st, "dossier/8", 1, "submitted", 4, 1, NULL, NULL),
                   MC_ECONFLICT);
  assert_int_equal(append_one_event(f->st, "dossier/8", 0, "submitted", 4, 1, NULL, NULL), 0);
}

static void a_retried_command_appends_nothing(void **state) {
  fixture *f = *state;
  uint64_t seq1 = 0, seq2 = 0;
  assert_int_equal(append_one_event(f->st, "dossier/1", 0, "submitted", 1, 1, "cmd-abc", &seq1), 0);
  assert_int_equal(append_one_event(f->st, "dossier/1", 0, "submitted", 2, 1, "cmd-abc", &seq2), 0);
  assert_int_equal(seq1, 1);
  assert_int_equal(seq2, 1);
  assert_int_equal(head_seq(f->st), 1);

  /* Two events in one command: the retry gets both back, also after a reopen. */
  mc_buf data = MC_BUF_INIT;
  payload(&data, 2, "two");
  store_event_in in = event_in("dossier/2", STORE_ANY_VERSION, "note", 3, &data);
  store_batch *b;
  store_cmd_result prior, res;
  for (int round = 0; round < 2; round++) {
    assert_int_equal(store_batch_begin(f->st, &b), 0);
    assert_int_equal(store_cmd_begin(b, "cmd-two", &prior), 0);
    if (round == 0) {
      assert_false(prior.repeated);
      assert_int_equal(store_append(b, &in, NULL, NULL), 0);
      assert_int_equal(store_append(b, &in, NULL, NULL), 0);
      assert_int_equal(store_cmd_commit(b, &res), 0);
      assert_int_equal(res.first_seq, 2);
      assert_int_equal(res.count, 2);
      /* The same id again inside the same batch is a repeat too. */
      assert_int_equal(store_cmd_begin(b, "cmd-two", &prior), 0);
      assert_true(prior.repeated);
    } else {
      assert_true(prior.repeated);
      assert_int_equal(prior.first_seq, 2);
      assert_int_equal(prior.count, 2);
    }
    assert_int_equal(store_batch_commit(b), 0);
    store_close(f->st);
    assert_int_equal(store_open(f->dir, NULL, &f->st, NULL), 0);
  }
  assert_int_equal(head_seq(f->st), 3);
  mc_buf_free(&data);
}

static void a_rejected_command_leaves_its_neighbours(void **state) {
  fixture *f = *state;
  mc_buf data = MC_BUF_INIT;
  store_batch *b;
  store_cmd_result prior, r1, r3;
  uint64_t seq;
  payload(&data, 1, "batch");
  store_event_in a = event_in("dossier/a", 0, "submitted", 10, &data);
  store_event_in bad = event_in("dossier/b", 0, "submitted", 10, &data);
  store_event_in c = event_in("dossier/c", 0, "submitted", 10, &data);

  assert_int_equal(store_batch_begin(f->st, &b), 0);
  assert_int_equal(store_cmd_begin(b, "c1", &prior), 0);
  assert_int_equal(store_append(b, &a, &seq, NULL), 0);
  assert_int_equal(store_cmd_commit(b, &r1), 0);
  /* The second command writes one event, then its second one conflicts. */
  assert_int_equal(store_cmd_begin(b, "c2", &prior), 0);
  assert_int_equal(store_append(b, &bad, &seq, NULL), 0);
  assert_int_equal(seq, 2);
  assert_int_equal(store_append(b, &bad, &seq, NULL), MC_ECONFLICT);
  assert_int_equal(store_append(b, &c, &seq, NULL), MC_EINVAL); /* must abort first */
  store_cmd_abort(b);
  assert_int_equal(store_cmd_begin(b, "c3", &prior), 0);
  assert_int_equal(store_append(b, &c, &seq, NULL), 0);
  assert_int_equal(seq, 2); /* the aborted command's sequence is reused: no gap */
  assert_int_equal(store_cmd_commit(b, &r3), 0);
  assert_int_equal(store_batch_commit(b), 0);

  store_read *rd;
  collected col = {0};
  assert_int_equal(store_read_begin(f->st, &rd), 0);
  assert_int_equal(store_read_stream(rd, "dossier/b", 1, collect, &col), 0);
  assert_int_equal(col.n, 0);
  assert_int_equal(store_read_stream(rd, "dossier/c", 1, collect, &col), 0);
  assert_int_equal(col.n, 1);
  assert_int_equal(store_read_proj(rd, "command", "c2", 2, &(const void *){0}, &(size_t){0}),
                   MC_ENOENT);
  store_read_end(rd);
  assert_int_equal(head_seq(f->st), 2);
  assert_int_equal(verify_problems(f->st, NULL, 0, NULL), 0);

  /* A batch dropped before commit leaves nothing. */
  store_event_in d = event_in("dossier/d", 0, "submitted", 11, &data);
  assert_int_equal(store_batch_begin(f->st, &b), 0);
  assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
  assert_int_equal(store_append(b, &d, &seq, NULL), 0);
  assert_int_equal(store_cmd_commit(b, &r1), 0);
  store_batch_abort(b);
  assert_int_equal(head_seq(f->st), 2);
  mc_buf_free(&data);
}

static void reads_by_stream_type_and_time(void **state) {
  fixture *f = *state;
  /* Streams whose ids are prefixes of one another must not mix. */
  const char *streams[] = {"d/1", "d/10", "d/1", "d/1x", "d/1", "d/10"};
  for (int i = 0; i < 6; i++)
    assert_int_equal(append_one_event(f->st, streams[i], STORE_ANY_VERSION,
                                      i % 2 ? "accepted" : "submitted", 100 * i, i, NULL, NULL),
                     0);
  store_read *rd;
  collected c = {0};
  assert_int_equal(store_read_begin(f->st, &rd), 0);
  assert_int_equal(store_read_stream(rd, "d/1", 1, collect, &c), 0);
  assert_int_equal(c.n, 3);
  assert_int_equal(c.seq[0], 1);
  assert_int_equal(c.seq[1], 3);
  assert_int_equal(c.seq[2], 5);
  assert_int_equal(c.version[2], 3);
  memset(&c, 0, sizeof c);
  assert_int_equal(store_read_stream(rd, "d/1", 2, collect, &c), 0); /* from version 2 */
  assert_int_equal(c.n, 2);
  memset(&c, 0, sizeof c);
  assert_int_equal(store_read_type(rd, "accepted", collect, &c), 0);
  assert_int_equal(c.n, 3);
  assert_int_equal(c.seq[0], 2);
  memset(&c, 0, sizeof c);
  assert_int_equal(store_read_time(rd, 100, 400, collect, &c), 0); /* 100, 200, 300 */
  assert_int_equal(c.n, 3);
  assert_int_equal(c.seq[0], 2);
  assert_int_equal(c.seq[2], 4);
  store_event ev;
  assert_int_equal(store_read_event(rd, 4, &ev), 0);
  assert_int_equal(ev.stream.len, 4);
  assert_memory_equal(ev.stream.ptr, "d/1x", 4);
  assert_int_equal(store_read_event(rd, 7, &ev), MC_ENOENT);
  store_read_end(rd);
}

static void time_never_goes_back(void **state) {
  fixture *f = *state;
  assert_int_equal(append_one_event(f->st, "s", 0, "t", 5000, 1, NULL, NULL), 0);
  assert_int_equal(append_one_event(f->st, "s", 1, "t", 4999, 1, NULL, NULL), MC_ERANGE);
  assert_int_equal(append_one_event(f->st, "s", 1, "t", 5000, 1, NULL, NULL), 0);
}

static void bad_events_are_refused(void **state) {
  fixture *f = *state;
  mc_buf data = MC_BUF_INIT;
  store_batch *b;
  store_cmd_result prior;
  static const uint8_t not_canonical[] = {0xd0, 0x05}; /* 5 as int8: not the shortest form */
  payload(&data, 1, "x");
  store_event_in in = event_in("s", 0, "t", 1, &data);
  assert_int_equal(store_batch_begin(f->st, &b), 0);
  in.data = not_canonical;
  in.data_len = sizeof not_canonical;
  assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
  assert_int_equal(store_append(b, &in, NULL, NULL), MC_EPARSE);
  assert_non_null(strstr(store_errmsg(f->st), "not canonical"));
  store_cmd_abort(b);
  in = event_in("s", 0, "", 1, &data);
  assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
  assert_int_equal(store_append(b, &in, NULL, NULL), MC_EINVAL);
  store_cmd_abort(b);
  in = event_in("s\xff", 0, "t", 1, &data);
  assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
  assert_int_equal(store_append(b, &in, NULL, NULL), MC_EPARSE);
  store_cmd_abort(b);
  assert_int_equal(store_batch_commit(b), 0);
  assert_int_equal(head_seq(f->st), 0);
  mc_buf_free(&data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(each_prev_is_the_hash_before, setup, teardown),
      cmocka_unit_test_setup_teardown(a_stale_writer_gets_a_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(a_retried_command_appends_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(a_rejected_command_leaves_its_neighbours, setup, teardown),
      cmocka_unit_test_setup_teardown(reads_by_stream_type_and_time, setup, teardown),
      cmocka_unit_test_setup_teardown(time_never_goes_back, setup, teardown),
      cmocka_unit_test_setup_teardown(bad_events_are_refused, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
