/* test_verify.c — storage/verify.c and storage/checkpoint.c on damaged
 * copies: a flipped byte in the file, a deleted event, two swapped, the tail
 * cut off, the tail rewritten and re-hashed.  Verify finds each and names the
 * first bad sequence; the last two only through a signed checkpoint or an
 * expected head, which the test shows by verifying without them first.
 * Copies are made with store_backup while nothing else writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_test.h"

#include "storage/store-int.h"

#include "base/file.h"

#include <fcntl.h>
#include <sys/wait.h>

typedef struct fixture {
  char *root;      /* holds everything below */
  char master[4200], keys[4200], secret[4300], public_key[4300], cps[4200];
  store_anchor cp90, cp100;
} fixture;

static int setup(void **state) {
  fixture *f = test_calloc(1, sizeof *f);
  store *st;
  mc_buf why = MC_BUF_INIT, path = MC_BUF_INIT;
  f->root = tmpdir_make("verify");
  snprintf(f->master, sizeof f->master, "%s/master", f->root);
  snprintf(f->keys, sizeof f->keys, "%s/keys", f->root);
  snprintf(f->cps, sizeof f->cps, "%s/checkpoints", f->root);
  snprintf(f->secret, sizeof f->secret, "%s/checkpoint.key", f->keys);
  snprintf(f->public_key, sizeof f->public_key, "%s/checkpoint.pub", f->keys);
  mkdir(f->keys, 0700);
  assert_int_equal(store_checkpoint_keygen(f->secret, f->public_key, &why), 0);
  assert_int_equal(store_open(f->master, NULL, &st, NULL), 0);
  for (int i = 1; i <= 100; i++) {
    char stream[16], note[32];
    mc_buf data = MC_BUF_INIT;
    store_batch *b;
    store_cmd_result prior, res;
    snprintf(stream, sizeof stream, "d/%d", i % 7);
    snprintf(note, sizeof note, "marker-%04d", i);
    payload(&data, i, note);
    store_event_in in = event_in(stream, STORE_ANY_VERSION, "note", i, &data);
    assert_int_equal(store_batch_begin(st, &b), 0);
    assert_int_equal(store_cmd_begin(b, NULL, &prior), 0);
    assert_int_equal(store_append(b, &in, NULL, NULL), 0);
    assert_int_equal(store_cmd_commit(b, &res), 0);
    assert_int_equal(store_batch_commit(b), 0);
    mc_buf_free(&data);
    if (i == 90 || i == 100) {
      mc_buf_reset(&path);
      assert_int_equal(store_checkpoint_write(st, f->secret, f->cps, &path, &why), 0);
      assert_int_equal(store_checkpoint_read(mc_buf_cstr(&path), f->public_key,
                                             i == 90 ? &f->cp90 : &f->cp100, &why), 0);
    }
  }
  store_close(st);
  mc_buf_free(&why);
  mc_buf_free(&path);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  tree_remove(f->root);
  free(f->root);
  test_free(f);
  return 0;
}

/* A copy of the master to damage; opened as its writer. */
static store *copy_of_master(fixture *f, const char *name, char *dir, size_t n) {
  store *st;
  store_options ro = {true, 0, NULL, 0};
  snprintf(dir, n, "%s/%s", f->root, name);
  assert_int_equal(store_open(f->master, &ro, &st, NULL), 0);
  assert_int_equal(store_backup(st, dir, NULL), 0);
  store_close(st);
  assert_int_equal(store_open(dir, NULL, &st, NULL), 0);
  return st;
}

/* Verifies `dir` read-only with the given anchors. */
static int verify_dir(const char *dir, const store_anchor *anchors, size_t n, uint64_t *first_bad) {
  store *st;
  store_options ro = {true, 0, NULL, 0};
  assert_int_equal(store_open(dir, &ro, &st, NULL), 0);
  int problems = verify_problems(st, anchors, n, first_bad);
  store_close(st);
  return problems;
}

static void the_untouched_copy_verifies(void **state) {
  fixture *f = *state;
  char dir[4300];
  store_anchor both[2] = {f->cp90, f->cp100};
  store_close(copy_of_master(f, "copy", dir, sizeof dir));
  assert_int_equal(verify_dir(dir, both, 2, NULL), 0);
  assert_int_equal(verify_dir(f->master, both, 2, NULL), 0);
}

static void a_flipped_byte_in_the_file(void **state) {
  fixture *f = *state;
  char dir[4300], file[4400];
  uint64_t bad = 0;
  store_close(copy_of_master(f, "flip", dir, sizeof dir));
  snprintf(file, sizeof file, "%s/data.mdb", dir);
  mc_buf bytes = MC_BUF_INIT;
  int fd = open(file, O_RDWR);
  assert_true(fd >= 0);
  struct stat sb;
  fstat(fd, &sb);
  assert_int_equal(mc_buf_reserve(&bytes, (size_t)sb.st_size), 0);
  assert_int_equal(pread(fd, bytes.data, (size_t)sb.st_size, 0), sb.st_size);
  uint8_t *at = NULL;
  for (off_t i = 0; at == NULL && i + 11 <= sb.st_size; i++)
    if (memcmp(bytes.data + i, "marker-0042", 11) == 0)
      at = bytes.data + i;
  assert_non_null(at);
  uint8_t flipped = at[10] ^ 0x01; /* "marker-0042" -> "marker-0043" */
  assert_int_equal(pwrite(fd, &flipped, 1, (at - bytes.data) + 10), 1);
  close(fd);
  mc_buf_free(&bytes);
  assert_true(verify_dir(dir, NULL, 0, &bad) > 0);
  assert_int_equal(bad, 42);
}

static void a_deleted_event(void **state) {
  fixture *f = *state;
  char dir[4300];
  uint64_t bad = 0;
  store *st = copy_of_master(f, "delete", dir, sizeof dir);
  assert_int_equal(store__raw_del(st, 42), 0);
  assert_int_equal(store__raw_rebuild_projections(st), MC_ECORRUPT); /* stream versions jump */
  store_close(st);
  assert_true(verify_dir(dir, NULL, 0, &bad) > 0);
  assert_int_equal(bad, 42);
}

static void two_swapped_events(void **state) {
  fixture *f = *state;
  char dir[4300];
  uint64_t bad = 0;
  mc_buf a = MC_BUF_INIT, b = MC_BUF_INIT;
  store *st = copy_of_master(f, "swap", dir, sizeof dir);
  store_read *rd;
  store_event ev;
  assert_int_equal(store_read_begin(st, &rd), 0);
  assert_int_equal(store_read_event(rd, 42, &ev), 0);
  mc_buf_append(&a, ev.record, ev.record_len);
  assert_int_equal(store_read_event(rd, 43, &ev), 0);
  mc_buf_append(&b, ev.record, ev.record_len);
  store_read_end(rd);
  assert_int_equal(store__raw_put(st, 42, b.data, b.len), 0);
  assert_int_equal(store__raw_put(st, 43, a.data, a.len), 0);
  store_close(st);
  assert_true(verify_dir(dir, NULL, 0, &bad) > 0);
  assert_int_equal(bad, 42);
  mc_buf_free(&a);
  mc_buf_free(&b);
}

static void a_tail_cut_off(void **state) {
  fixture *f = *state;
  char dir[4300];
  uint64_t bad = 0;
  store *st = copy_of_master(f, "cut", dir, sizeof dir);
  for (uint64_t seq = 96; seq <= 100; seq++)
    assert_int_equal(store__raw_del(st, seq), 0);
  assert_int_equal(store__raw_rebuild_projections(st), 0);
  store_close(st);
  assert_int_equal(verify_dir(dir, NULL, 0, NULL), 0); /* the chain alone cannot tell */
  assert_int_equal(verify_dir(dir, &f->cp100, 1, &bad), 1);
  assert_int_equal(bad, 96);
  store_anchor noted = f->cp100; /* the same through --expect-head */
  snprintf(noted.source, sizeof noted.source, "--expect-head 100");
  assert_int_equal(verify_dir(dir, &noted, 1, &bad), 1);
  assert_int_equal(bad, 96);
}

/* Rewrites events from..100 with other data, re-hashing the chain. */
static void rewrite_tail(store *st, uint64_t from) {
  store_read *rd;
  uint8_t prev[MC_SHA256_BYTES];
  mc_buf rec = MC_BUF_INIT, data = MC_BUF_INIT;
  for (uint64_t seq = from; seq <= 100; seq++) {
    store_event ev;
    char stream[64], type[64], who[64], role[64], client[64];
    assert_int_equal(store_read_begin(st, &rd), 0);
    if (seq == from) {
      assert_int_equal(store_read_event(rd, seq - 1, &ev), 0);
      store_event_hash(&ev, prev);
    }
    assert_int_equal(store_read_event(rd, seq, &ev), 0);
    snprintf(stream, sizeof stream, "%.*s", (int)ev.stream.len, ev.stream.ptr);
    snprintf(type, sizeof type, "%.*s", (int)ev.type.len, ev.type.ptr);
    snprintf(who, sizeof who, "%.*s", (int)ev.who.len, ev.who.ptr);
    snprintf(role, sizeof role, "%.*s", (int)ev.role.len, ev.role.ptr);
    snprintf(client, sizeof client, "%.*s", (int)ev.client.len, ev.client.ptr);
    payload(&data, 0, "paid in full"); /* the lie */
    store_event_in in = event_in(stream, 0, type, ev.time, &data);
    in.actor = (store_actor){who, role, client};
    assert_int_equal(store__record_encode(NULL, &in, stream, seq, ev.version, NULL, prev, &rec), 0);
    store_read_end(rd);
    mc_sha256_digest(rec.data, rec.len, prev);
    assert_int_equal(store__raw_put(st, seq, rec.data, rec.len), 0);
  }
  assert_int_equal(store__raw_rebuild_projections(st), 0);
  mc_buf_free(&rec);
  mc_buf_free(&data);
}

static void a_tail_rewritten_and_rehashed(void **state) {
  fixture *f = *state;
  char dir[4300];
  uint64_t bad = 0;
  store *st = copy_of_master(f, "rewrite", dir, sizeof dir);
  rewrite_tail(st, 95);
  store_close(st);
  assert_int_equal(verify_dir(dir, NULL, 0, NULL), 0); /* consistent in itself */
  assert_int_equal(verify_dir(dir, &f->cp100, 1, &bad), 1);
  assert_int_equal(bad, 1); /* one anchor: somewhere in 1..100 */
  store_anchor both[2] = {f->cp90, f->cp100};
  assert_int_equal(verify_dir(dir, both, 2, &bad), 1);
  assert_int_equal(bad, 91); /* the checkpoint at 90 still agrees */
}

static void checkpoints_and_their_keys(void **state) {
  fixture *f = *state;
  char path[4400], other_secret[4400], other_public[4400];
  mc_buf why = MC_BUF_INIT, text = MC_BUF_INIT;
  store_anchor a;
  store *st;

  /* A key others may read is refused; so is overwriting a key. */
  chmod(f->secret, 0640);
  assert_int_equal(store_open(f->master, NULL, &st, NULL), 0);
  assert_int_equal(store_checkpoint_write(st, f->secret, f->cps, NULL, &why), MC_EACCES);
  assert_non_null(strstr(mc_buf_cstr(&why), "chmod 600"));
  chmod(f->secret, 0600);
  assert_true(store_checkpoint_keygen(f->secret, f->public_key, NULL) != 0);
  /* Checkpoints inside the data directory are refused. */
  snprintf(path, sizeof path, "%s/checkpoints", f->master);
  assert_int_equal(store_checkpoint_write(st, f->secret, path, NULL, NULL), MC_EINVAL);
  store_close(st);

  /* A checkpoint whose sequence was edited no longer matches its signature. */
  snprintf(path, sizeof path, "%s/checkpoint-%020d.txt", f->cps, 100);
  assert_int_equal(store_checkpoint_read(path, f->public_key, &a, NULL), 0);
  assert_int_equal(a.seq, 100);
  assert_int_equal(mc_file_read(path, 4096, &text), 0);
  char *s = (char *)mc_buf_cstr(&text), *seq = strstr(s, "seq 100");
  assert_non_null(seq);
  memcpy(seq, "seq 101", 7);
  snprintf(path, sizeof path, "%s/forged.txt", f->root);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  assert_int_equal(write(fd, text.data, text.len), (ssize_t)text.len);
  close(fd);
  mc_buf_reset(&why);
  assert_int_equal(store_checkpoint_read(path, f->public_key, &a, &why), MC_ECORRUPT);
  assert_non_null(strstr(mc_buf_cstr(&why), "signature"));
  /* Without the owner's public key, nothing is believed. */
  mc_buf_reset(&why);
  assert_int_equal(store_checkpoint_read(path, NULL, &a, &why), MC_EINVAL);
  assert_non_null(strstr(mc_buf_cstr(&why), "public key"));

  /* Signed with another key: refused when the public key is pinned. */
  snprintf(other_secret, sizeof other_secret, "%s/other.key", f->keys);
  snprintf(other_public, sizeof other_public, "%s/other.pub", f->keys);
  assert_int_equal(store_checkpoint_keygen(other_secret, other_public, NULL), 0);
  snprintf(path, sizeof path, "%s/checkpoint-%020d.txt", f->cps, 100);
  assert_int_equal(store_checkpoint_read(path, other_public, &a, NULL), MC_ECORRUPT);
  mc_buf_free(&why);
  mc_buf_free(&text);
}

static void a_backup_while_writing_is_consistent(void **state) {
  fixture *f = *state;
  char dest[4300];
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) { /* the writer goes on */
    store *st;
    if (store_open(f->master, NULL, &st, NULL) != 0)
      _exit(1);
    for (int i = 0; i < 400; i++)
      if (append_one_event(st, "d/busy", STORE_ANY_VERSION, "note", 1000 + i, i, NULL, NULL))
        _exit(2);
    store_close(st);
    _exit(0);
  }
  store *ro;
  store_options opt = {true, 0, NULL, 0};
  assert_int_equal(store_open(f->master, &opt, &ro, NULL), 0);
  for (int i = 0; i < 5; i++) {
    snprintf(dest, sizeof dest, "%s/hot-%d", f->root, i);
    assert_int_equal(store_backup(ro, dest, NULL), 0);
    store_anchor cp90 = f->cp90;
    assert_int_equal(verify_dir(dest, &cp90, 1, NULL), 0);
  }
  store_close(ro);
  int status;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  /* A backup into a directory that holds a log is refused. */
  assert_int_equal(store_open(f->master, &opt, &ro, NULL), 0);
  assert_int_equal(store_backup(ro, dest, NULL), MC_EINVAL);
  store_close(ro);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(the_untouched_copy_verifies, setup, teardown),
      cmocka_unit_test_setup_teardown(a_flipped_byte_in_the_file, setup, teardown),
      cmocka_unit_test_setup_teardown(a_deleted_event, setup, teardown),
      cmocka_unit_test_setup_teardown(two_swapped_events, setup, teardown),
      cmocka_unit_test_setup_teardown(a_tail_cut_off, setup, teardown),
      cmocka_unit_test_setup_teardown(a_tail_rewritten_and_rehashed, setup, teardown),
      cmocka_unit_test_setup_teardown(checkpoints_and_their_keys, setup, teardown),
      cmocka_unit_test_setup_teardown(a_backup_while_writing_is_consistent, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
