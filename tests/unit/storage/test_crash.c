/* test_crash.c — a writer killed at random moments loses nothing it
 * acknowledged.  A child appends under load (batches of commands, a small
 * map that keeps growing, a projection of its own) and writes the last
 * sequence of each committed batch to a pipe; the parent SIGKILLs it after a
 * random delay, reopens the directory, and checks that every acknowledged
 * event is there, the chain verifies, and the projections equal a rebuild.
 * MOTCUA_CRASH_KILLS sets the number of kills (default 200; the soak script
 * tools/soak-store.sh runs thousands). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_test.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

/* Remembers, per stream, the last event's sequence: a projection of ours. */
static int last_seq_apply(void *opaque, store_proj_txn *tx, const store_event *ev) {
  uint8_t val[8];
  (void)opaque;
  for (int i = 0; i < 8; i++)
    val[i] = (uint8_t)(ev->seq >> (56 - 8 * i));
  return store_proj_put(tx, ev->stream.ptr, ev->stream.len, val, 8);
}

static const store_projection last_seq = {"last_seq", 1, last_seq_apply, NULL, NULL};

static store_options writer_options(void) {
  store_options opt = {false, 256 * 1024, &last_seq, 1};
  return opt;
}

static void child_appends(const char *dir, int fd, unsigned seed) {
  store_options opt = writer_options();
  store *st;
  mc_buf data = MC_BUF_INIT;
  srand(seed);
  if (store_open(dir, &opt, &st, NULL) != 0)
    _exit(3);
  for (uint64_t round = 0;; round++) {
    store_batch *b;
    store_cmd_result prior, res;
    uint64_t head = 0;
    int64_t time;
    if (store_batch_begin(st, &b) != 0)
      _exit(4);
    store_batch_head(b, NULL, NULL, &time);
    int ncmds = 1 + rand() % 16;
    for (int c = 0; c < ncmds; c++) {
      char stream[32], id[48];
      snprintf(stream, sizeof stream, "dossier/%d", rand() % 40);
      snprintf(id, sizeof id, "cmd-%u-%llu-%d", seed, (unsigned long long)round, c);
      payload(&data, (int64_t)round, stream);
      store_event_in in = event_in(stream, STORE_ANY_VERSION, "note", time < 0 ? 0 : time, &data);
      if (store_cmd_begin(b, rand() % 2 ? id : NULL, &prior) != 0)
        _exit(5);
      int nev = 1 + rand() % 3, rc = 0;
      for (int e = 0; e < nev && rc == 0; e++)
        rc = store_append(b, &in, &head, NULL);
      if (rc == 0 && rand() % 10 == 0) { /* some commands are rejected */
        store_cmd_abort(b);
        continue;
      }
      if (rc != 0 || store_cmd_commit(b, &res) != 0)
        _exit(6);
    }
    store_batch_head(b, &head, NULL, NULL);
    if (store_batch_commit(b) != 0)
      _exit(7);
    if (write(fd, &head, sizeof head) != (ssize_t)sizeof head) /* acknowledged */
      _exit(8);
  }
}

static void killed_writers_lose_nothing_acknowledged(void **state) {
  (void)state;
  const char *env = getenv("MOTCUA_CRASH_KILLS");
  int kills = env ? atoi(env) : 200, reopen_problems = 0;
  char *dir = tmpdir_make("crash");
  uint64_t acked = 0;
  unsigned seed = (unsigned)time(NULL);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  fprintf(stderr, "crash test: %d kills, seed %u, in %s\n", kills, seed, dir);
  srand(seed);
  for (int k = 0; k < kills; k++) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
      close(fds[0]);
      child_appends(dir, fds[1], seed + (unsigned)k);
    }
    close(fds[1]);
    struct timespec delay = {0, (long)(1 + rand() % 25) * 1000000L};
    nanosleep(&delay, NULL);
    kill(child, SIGKILL);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
      fail_msg("the writer died by itself (status %d) before it was killed", status);
    uint64_t seq;
    while (read(fds[0], &seq, sizeof seq) == (ssize_t)sizeof seq)
      if (seq > acked)
        acked = seq;
    close(fds[0]);

    /* Reopen as the next writer would. */
    store_options opt = writer_options();
    store *st;
    mc_buf why = MC_BUF_INIT;
    if (store_open(dir, &opt, &st, &why) != 0)
      fail_msg("reopen after kill %d: %s", k, mc_buf_cstr(&why));
    mc_buf_free(&why);
    uint64_t head = head_seq(st);
    if (head < acked)
      fail_msg("kill %d: event %llu was acknowledged, the log ends at %llu", k,
               (unsigned long long)acked, (unsigned long long)head);
    if (k % 20 == 19 || k == kills - 1) {
      if (verify_problems(st, NULL, 0, NULL) != 0)
        reopen_problems++;
    } else {
      store_verify_options vo = {NULL, 0, NULL, true};
      store_verify_report rep;
      assert_int_equal(store_verify(st, &vo, &rep), 0);
      if (rep.problems)
        fprintf(stderr, "%s", mc_buf_cstr(&rep.text));
      reopen_problems += rep.problems;
      mc_buf_free(&rep.text);
    }
    store_close(st);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  fprintf(stderr, "crash test: %d kills in %.1f s, %llu events acknowledged\n", kills,
          (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
          (unsigned long long)acked);
  assert_int_equal(reopen_problems, 0);
  assert_true(acked > 0);
  tree_remove(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(killed_writers_lose_nothing_acknowledged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
