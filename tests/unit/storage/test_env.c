/* test_env.c — storage/env.c, open.c, aux.c: the map grows by itself from a tiny start (in
 * the middle of a batch too); a second writer is refused while readers are
 * let in; aux dbs live outside the chain; bad directories give clear errors
 * and are left as they were; a full disk damages nothing committed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_test.h"

#include "storage/store-int.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>

static void the_map_grows_in_the_middle_of_a_batch(void **state) {
  (void)state;
  char *dir = tmpdir_make("env");
  store_options opt = {false, 64 * 1024, NULL, 0}; /* 16 pages */
  store *st;
  mc_buf data = MC_BUF_INIT, note = MC_BUF_INIT;
  for (int i = 0; i < 600; i++)
    mc_buf_append_byte(&note, 'a' + i % 26);
  payload(&data, 7, mc_buf_cstr(&note));
  assert_int_equal(store_open(dir, &opt, &st, NULL), 0);
  uint64_t expect_seq = 1;
  for (int batch = 0; batch < 10; batch++) {
    store_batch *b;
    store_cmd_result prior, res;
    uint64_t got[40];
    assert_int_equal(store_batch_begin(st, &b), 0);
    for (int c = 0; c < 40; c++) {
      char id[32], stream[32];
      snprintf(id, sizeof id, "cmd-%d-%d", batch, c);
      snprintf(stream, sizeof stream, "d/%d", c);
      store_event_in in = event_in(stream, (uint64_t)batch * 2, "note", batch, &data);
      assert_int_equal(store_cmd_begin(b, id, &prior), 0);
      assert_int_equal(store_append(b, &in, &got[c], NULL), 0);
      in.expected_version++;
      assert_int_equal(store_append(b, &in, NULL, NULL), 0);
      assert_int_equal(store_cmd_commit(b, &res), 0);
      assert_int_equal(res.first_seq, expect_seq);
      assert_int_equal(got[c], expect_seq);
      expect_seq += 2;
    }
    assert_int_equal(store_batch_commit(b), 0);
  }
  assert_int_equal(head_seq(st), 800);
  assert_int_equal(verify_problems(st, NULL, 0, NULL), 0);
  /* The idempotency record survived the replays. */
  uint64_t seq;
  assert_int_equal(append_one_event(st, "d/0", 0, "note", 99, 1, "cmd-9-39", &seq), 0);
  assert_int_equal(seq, 799);
  store_close(st);
  mc_buf_free(&data);
  mc_buf_free(&note);
  tree_remove(dir);
  free(dir);
}

static void one_writer_many_readers(void **state) {
  (void)state;
  char *dir = tmpdir_make("env");
  store *st, *second;
  mc_buf why = MC_BUF_INIT;
  assert_int_equal(store_open(dir, NULL, &st, NULL), 0);
  assert_int_equal(append_one_event(st, "s", 0, "t", 1, 1, NULL, NULL), 0);
  assert_int_equal(store_open(dir, NULL, &second, &why), MC_ELOCKED);
  assert_null(second);
  char pid[32];
  snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
  assert_non_null(strstr(mc_buf_cstr(&why), pid));
  assert_non_null(strstr(mc_buf_cstr(&why), "open for writing by another process"));

  /* Another process may read beside the writer, and is refused writing. */
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    store *ro, *rw;
    store_options opt = {true, 0, NULL, 0};
    int ok = store_open(dir, &opt, &ro, NULL) == 0 && head_seq(ro) == 1 &&
             store_open(dir, NULL, &rw, NULL) == MC_ELOCKED;
    store_batch *b;
    ok = ok && store_batch_begin(ro, &b) == MC_EREADONLY;
    store_close(ro);
    _exit(ok ? 0 : 1);
  }
  int status;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  store_close(st);
  /* Once the writer is gone, the next one gets in. */
  assert_int_equal(store_open(dir, NULL, &second, NULL), 0);
  store_close(second);
  mc_buf_free(&why);
  tree_remove(dir);
  free(dir);
}

static void aux_dbs_stay_out_of_the_chain(void **state) {
  (void)state;
  char *dir = tmpdir_make("env");
  store *st;
  mc_buf out = MC_BUF_INIT;
  assert_int_equal(store_open(dir, NULL, &st, NULL), 0);
  assert_int_equal(append_one_event(st, "s", 0, "t", 1, 1, NULL, NULL), 0);
  assert_int_equal(store_aux_put(st, "sessions", "tok-1", 5, "lan", 3), 0);
  assert_int_equal(store_aux_put(st, "otp", "0901234567", 10, "482913", 6), 0);
  assert_int_equal(store_aux_get(st, "sessions", "tok-1", 5, &out), 0);
  assert_int_equal(out.len, 3);
  assert_memory_equal(out.data, "lan", 3);
  assert_int_equal(store_aux_get(st, "sessions", "tok-2", 5, &out), MC_ENOENT);
  assert_int_equal(store_aux_del(st, "otp", "0901234567", 10), 0);
  assert_int_equal(store_aux_del(st, "otp", "0901234567", 10), 0); /* absent: fine */
  assert_int_equal(store_aux_get(st, "otp", "0901234567", 10, &out), MC_ENOENT);
  assert_int_equal(store_aux_put(st, "Bad Name", "k", 1, "v", 1), MC_EINVAL);
  assert_int_equal(head_seq(st), 1); /* the log did not move */
  struct stat sb;
  char path[4200];
  snprintf(path, sizeof path, "%s/aux/data.mdb", dir);
  assert_int_equal(stat(path, &sb), 0); /* its own environment */
  store_close(st);

  store_options ro = {true, 0, NULL, 0};
  assert_int_equal(store_open(dir, &ro, &st, NULL), 0);
  mc_buf_reset(&out);
  assert_int_equal(store_aux_get(st, "sessions", "tok-1", 5, &out), 0);
  assert_int_equal(store_aux_put(st, "sessions", "tok-3", 5, "x", 1), MC_EREADONLY);
  assert_int_equal(verify_problems(st, NULL, 0, NULL), 0);
  store_close(st);
  mc_buf_free(&out);
  tree_remove(dir);
  free(dir);
}

static void write_file(const char *path, const void *bytes, size_t n) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, bytes, n), (ssize_t)n);
  close(fd);
}

static void bad_directories_give_clear_errors(void **state) {
  (void)state;
  char *dir = tmpdir_make("env");
  char path[4200];
  store *st;
  mc_buf why = MC_BUF_INIT;
  store_options ro = {true, 0, NULL, 0};

  /* A file where the data directory should be. */
  snprintf(path, sizeof path, "%s/notadir", dir);
  write_file(path, "hello", 5);
  assert_int_equal(store_open(path, NULL, &st, &why), MC_ECORRUPT);
  assert_non_null(strstr(mc_buf_cstr(&why), "is a file, not a data directory"));

  /* A foreign file as data.mdb. */
  snprintf(path, sizeof path, "%s/foreign", dir);
  mkdir(path, 0700);
  char file[4300];
  snprintf(file, sizeof file, "%s/data.mdb", path);
  uint8_t junk[16384];
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = (uint8_t)(i * 7 + 3);
  write_file(file, junk, sizeof junk);
  mc_buf_reset(&why);
  assert_int_equal(store_open(path, NULL, &st, &why), MC_ECORRUPT);
  assert_non_null(strstr(mc_buf_cstr(&why), "backup"));
  assert_int_equal(store_open(path, &ro, &st, NULL), MC_ECORRUPT);
  struct stat sb;
  assert_int_equal(stat(file, &sb), 0);
  assert_int_equal(sb.st_size, (off_t)sizeof junk); /* left as it was */

  /* A real log cut short. */
  snprintf(path, sizeof path, "%s/cut", dir);
  assert_int_equal(store_open(path, NULL, &st, NULL), 0);
  for (int i = 0; i < 300; i++)
    assert_int_equal(append_one_event(st, "s", STORE_ANY_VERSION, "t", i, i, NULL, NULL), 0);
  store_close(st);
  snprintf(file, sizeof file, "%s/data.mdb", path);
  assert_int_equal(stat(file, &sb), 0);
  assert_int_equal(truncate(file, sb.st_size / 2), 0);
  mc_buf_reset(&why);
  assert_int_equal(store_open(path, &ro, &st, &why), MC_ECORRUPT);
  assert_non_null(strstr(mc_buf_cstr(&why), "truncated"));
  assert_int_equal(store_open(path, NULL, &st, NULL), MC_ECORRUPT);

  /* No data directory at all, for a reader. */
  snprintf(path, sizeof path, "%s/none", dir);
  assert_int_equal(store_open(path, &ro, &st, NULL), MC_ENOENT);
  mc_buf_free(&why);
  tree_remove(dir);
  free(dir);
}

static void a_record_of_a_newer_format_stops_the_writer(void **state) {
  (void)state;
  char *dir = tmpdir_make("env");
  store *st;
  mc_buf rec = MC_BUF_INIT;
  assert_int_equal(store_open(dir, NULL, &st, NULL), 0);
  assert_int_equal(append_one_event(st, "s", 0, "t", 1, 1, NULL, NULL), 0);
  /* Event 2 as a future motcua would write it. */
  mc_canon w;
  mc_canon_init(&w, &rec);
  mc_canon_map(&w, 2);
  mc_canon_kv_int(&w, "fmt", 2);
  mc_canon_kv_int(&w, "seq", 2);
  assert_int_equal(mc_canon_finish(&w), 0);
  assert_int_equal(store__raw_put(st, 2, rec.data, rec.len), 0);
  store_read *rd;
  store_event ev;
  assert_int_equal(store_read_begin(st, &rd), 0);
  assert_int_equal(store_read_event(rd, 2, &ev), MC_EFORMAT);
  store_read_end(rd);
  store_batch *b;
  assert_int_equal(store_batch_begin(st, &b), MC_EFORMAT);
  assert_non_null(strstr(store_errmsg(st), "newer motcua"));
  uint64_t bad = 0;
  assert_int_equal(verify_problems(st, NULL, 0, &bad), 1);
  assert_int_equal(bad, 2);
  assert_int_equal(head_seq(st), 2); /* nothing was written over it */
  store_close(st);
  mc_buf_free(&rec);
  tree_remove(dir);
  free(dir);
}

static void a_full_disk_damages_nothing(void **state) {
  (void)state;
  char *dir = tmpdir_make("tmpfs");
  if (mount("motcua-test", dir, "tmpfs", 0, "size=1m") != 0) {
    fprintf(stderr, "could not mount a 1 MiB tmpfs on %s (%s): the full-disk test did not run\n",
            dir, strerror(errno));
    rmdir(dir);
    free(dir);
    skip();
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/data", dir);
  store *st;
  mc_buf data = MC_BUF_INIT, note = MC_BUF_INIT;
  for (int i = 0; i < 2000; i++)
    mc_buf_append_byte(&note, 'a' + i % 26);
  payload(&data, 1, mc_buf_cstr(&note));
  assert_int_equal(store_open(path, NULL, &st, NULL), 0);
  int rc = 0;
  uint64_t committed = 0;
  for (int i = 0; i < 2000 && rc == 0; i++) {
    store_batch *b;
    store_cmd_result prior, res;
    store_event_in in = event_in("s", STORE_ANY_VERSION, "t", i, &data);
    assert_int_equal(store_batch_begin(st, &b), 0);
    assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
    rc = store_append(b, &in, NULL, NULL);
    if (rc == 0)
      rc = store_cmd_commit(b, &res);
    else
      store_cmd_abort(b);
    if (rc == 0)
      rc = store_batch_commit(b);
    else
      store_batch_abort(b);
    if (rc == 0)
      committed++;
  }
  assert_int_equal(rc, MC_ENOSPC);
  assert_true(committed > 10);
  store_close(st);
  store_options ro = {true, 0, NULL, 0};
  assert_int_equal(store_open(path, &ro, &st, NULL), 0);
  assert_int_equal(head_seq(st), committed);
  assert_int_equal(verify_problems(st, NULL, 0, NULL), 0);
  store_close(st);
  umount(dir);
  rmdir(dir);
  free(dir);
  mc_buf_free(&data);
  mc_buf_free(&note);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_map_grows_in_the_middle_of_a_batch),
      cmocka_unit_test(one_writer_many_readers),
      cmocka_unit_test(aux_dbs_stay_out_of_the_chain),
      cmocka_unit_test(bad_directories_give_clear_errors),
      cmocka_unit_test(a_record_of_a_newer_format_stops_the_writer),
      cmocka_unit_test(a_full_disk_damages_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
