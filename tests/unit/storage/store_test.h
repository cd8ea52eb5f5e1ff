/* store_test.h — what the storage tests share: scratch directories, small
 * canonical payloads, one-command batches.  Header-only (static functions),
 * included by each tests/unit/storage/test_*.c. */
#ifndef MOTCUA_STORE_TEST_H
#define MOTCUA_STORE_TEST_H

#include "storage/store.h"

#include "base/canon.h"
#include "base/error.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR or /tmp; caller frees with free() after
 * tree_remove(). */
static inline char *tmpdir_make(const char *tag) {
  const char *base = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/motcua-%s-XXXXXX", base && *base ? base : "/tmp", tag);
  if (mkdtemp(path) == NULL)
    return NULL;
  return strdup(path);
}

/* Removes a directory tree (data directories are two levels deep). */
static inline void tree_remove(const char *path) {
  DIR *d;
  struct dirent *e;
  if (path == NULL)
    return;
  if ((d = opendir(path)) == NULL) {
    remove(path);
    return;
  }
  while ((e = readdir(d)) != NULL) {
    char child[4096];
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) < (int)sizeof child)
      tree_remove(child);
  }
  closedir(d);
  rmdir(path);
}

/* {"n": n, "note": note} in canonical msgpack. */
static inline void payload(mc_buf *out, int64_t n, const char *note) {
  mc_canon w;
  mc_buf_reset(out);
  mc_canon_init(&w, out);
  mc_canon_map(&w, 2);
  mc_canon_kv_int(&w, "n", n);
  mc_canon_kv_str(&w, "note", note ? note : "");
  mc_canon_finish(&w);
}

static inline store_event_in event_in(const char *stream, uint64_t expected, const char *type,
                                      int64_t time, const mc_buf *data) {
  store_event_in in;
  memset(&in, 0, sizeof in);
  in.stream = stream;
  in.expected_version = expected;
  in.type = type;
  in.time = time;
  in.actor = (store_actor){"officer-7", "reception", "test"};
  in.data = data->data;
  in.data_len = data->len;
  return in;
}

/* One batch with one command appending one event.  Returns the store's code
 * of the first failing step. */
static inline int append_one_event(store *st, const char *stream, uint64_t expected,
                                   const char *type, int64_t time, int64_t n,
                                   const char *command_id, uint64_t *seq) {
  mc_buf data = MC_BUF_INIT;
  store_batch *b;
  store_cmd_result prior, res;
  int rc;
  payload(&data, n, "x");
  store_event_in in = event_in(stream, expected, type, time, &data);
  if ((rc = store_batch_begin(st, &b)))
    goto done;
  if ((rc = store_cmd_begin(b, command_id, &prior))) {
    store_batch_abort(b);
    goto done;
  }
  if (prior.repeated) {
    if (seq)
      *seq = prior.first_seq;
    rc = store_batch_commit(b);
    goto done;
  }
  if ((rc = store_append(b, &in, seq, NULL))) {
    store_cmd_abort(b);
    store_batch_abort(b);
    goto done;
  }
  if ((rc = store_cmd_commit(b, &res))) {
    store_batch_abort(b);
    goto done;
  }
  rc = store_batch_commit(b);
done:
  mc_buf_free(&data);
  return rc;
}

static inline uint64_t head_seq(store *st) {
  store_read *rd;
  uint64_t seq = UINT64_MAX;
  uint8_t hash[MC_SHA256_BYTES];
  if (store_read_begin(st, &rd) == 0) {
    if (store_read_head(rd, &seq, hash) != 0)
      seq = UINT64_MAX;
    store_read_end(rd);
  }
  return seq;
}

/* Runs store_verify (with projections) and returns the number of problems,
 * printing the report when there are any. */
static inline int verify_problems(store *st, const store_anchor *anchors, size_t n,
                                  uint64_t *first_bad) {
  store_verify_options opt = {anchors, n, NULL, false};
  store_verify_report rep;
  int rc = store_verify(st, &opt, &rep);
  int problems = rc ? -1 : rep.problems;
  if (problems && rep.text.len)
    fprintf(stderr, "%.*s", (int)rep.text.len, (const char *)rep.text.data);
  if (first_bad)
    *first_bad = rep.first_bad_seq;
  mc_buf_free(&rep.text);
  return problems;
}

#endif
