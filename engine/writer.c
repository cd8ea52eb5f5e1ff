/* writer.c — see writer.h: a mutex-protected queue and one thread doing
 * group commit over eng_execute(). */
#include "engine/writer.h"
#include "base/instant.h"

#include "base/error.h"
#include "base/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct item {
  struct item *next;
  const eng_command *cmd; /* NULL: fire due timers */
  eng_done_fn done;
  void *opaque;
} item;

struct eng_writer {
  eng_engine *e;
  eng_writer_options opt;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  item *head, **tail;
  bool stopping;
  eng_writer_stats stats;
};


static mc_instant now_of(eng_writer *w) {
  return w->opt.clock ? w->opt.clock(w->opt.clock_opaque) : mc_clock_now();
}

const double eng_writer_size_bounds[ENG_WRITER_BUCKETS - 1] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
const double eng_writer_seconds_bounds[ENG_WRITER_BUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                  0.05,   0.1,   0.25,   0.5,   1};

static int bucket(const double *bounds, double v) {
  int i = 0;
  while (i < ENG_WRITER_BUCKETS - 1 && v > bounds[i])
    i++;
  return i;
}

/* The head after a commit: this thread is the only writer, so it is what
 * the commit made durable. */
static void note_durable(eng_writer *w) {
  store_read *rd;
  uint64_t seq = 0;
  uint8_t hash[MC_SHA256_BYTES];
  if (store_read_begin(eng_store(w->e), &rd) == 0) {
    store_read_head(rd, &seq, hash);
    store_read_end(rd);
  }
  pthread_mutex_lock(&w->mu);
  if (seq > w->stats.durable_seq)
    w->stats.durable_seq = seq;
  pthread_mutex_unlock(&w->mu);
}

static void run_batch(eng_writer *w, item *list) {
  int n = 0;
  for (item *it = list; it; it = it->next)
    n += it->cmd != NULL;
  eng_command *cmds = n ? calloc((size_t)n, sizeof *cmds) : NULL;
  eng_result *results = n ? calloc((size_t)n, sizeof *results) : NULL;
  int rc = 0;
  if (n && (cmds == NULL || results == NULL))
    rc = MC_ENOMEM;
  if (rc == 0 && n) {
    int i = 0;
    for (item *it = list; it; it = it->next)
      if (it->cmd)
        cmds[i++] = *it->cmd;
    uint64_t t0 = mc_mono_ns();
    rc = eng_execute(w->e, cmds, n, now_of(w), results);
    uint64_t dt = mc_mono_ns() - t0;
    pthread_mutex_lock(&w->mu);
    w->stats.batches++;
    w->stats.commands += (uint64_t)n;
    w->stats.commit_ns_total += dt;
    if ((uint64_t)n > w->stats.largest_batch)
      w->stats.largest_batch = (uint64_t)n;
    for (int k = 0; k < n; k++)
      w->stats.refused += rc == 0 && results[k].status != 0;
    w->stats.size_buckets[bucket(eng_writer_size_bounds, n)]++;
    w->stats.seconds_buckets[bucket(eng_writer_seconds_bounds, (double)dt / 1e9)]++;
    w->stats.failed_batches += rc != 0;
    w->stats.failing = rc;
    pthread_mutex_unlock(&w->mu);
    if (rc)
      mc_log(MC_LOG_ERROR, "writer", "a batch of %d commands failed to commit: %s", n, mc_strerror(rc));
    else
      note_durable(w);
  }
  /* Completions only now: the batch is on disk (or failed as a whole). */
  int i = 0;
  for (item *it = list, *next; it; it = next) {
    next = it->next;
    if (it->cmd) {
      eng_result failed = {0};
      failed.status = ENG_REFUSE(&failed, rc ? rc : MC_ENOMEM, BATCH_FAILED, mc_strerror(rc ? rc : MC_ENOMEM));
      const eng_result *r = rc == 0 && results ? &results[i] : &failed;
      i++;
      if (it->done)
        it->done(it->opaque, it->cmd, r);
    } else {
      int fired = 0;
      eng_result r = {0};
      r.status = eng_fire_due(w->e, now_of(w), &fired);
      r.count = (uint32_t)fired;
      if (r.status == MC_EIO || r.status == MC_ENOSPC) {
        pthread_mutex_lock(&w->mu);
        w->stats.failing = r.status;
        pthread_mutex_unlock(&w->mu);
      }
      if (r.status == 0)
        note_durable(w);
      pthread_mutex_lock(&w->mu);
      w->stats.timers_fired += (uint64_t)fired;
      pthread_mutex_unlock(&w->mu);
      if (it->done)
        it->done(it->opaque, NULL, &r);
    }
    free(it);
  }
  free(cmds);
  free(results);
}

static void *writer_main(void *arg) {
  eng_writer *w = arg;
  int max = w->opt.max_batch > 0 ? w->opt.max_batch : 1024;
  for (;;) {
    pthread_mutex_lock(&w->mu);
    while (w->head == NULL && !w->stopping)
      pthread_cond_wait(&w->cv, &w->mu);
    if (w->head == NULL && w->stopping) {
      pthread_mutex_unlock(&w->mu);
      return NULL;
    }
    /* Take up to `max` commands; a timer request ends a batch so that it
     * runs after the commands queued before it. */
    item *list = w->head, *last = w->head;
    int n = 1;
    while (last->next && n < max && last->cmd && last->next->cmd) {
      last = last->next;
      n++;
    }
    w->head = last->next;
    if (w->head == NULL)
      w->tail = &w->head;
    last->next = NULL;
    pthread_mutex_unlock(&w->mu);
    run_batch(w, list);
  }
}

int eng_writer_start(eng_engine *e, const eng_writer_options *opt, eng_writer **out) {
  eng_writer *w = calloc(1, sizeof *w);
  *out = NULL;
  if (w == NULL)
    return MC_ENOMEM;
  w->e = e;
  if (opt)
    w->opt = *opt;
  w->tail = &w->head;
  pthread_mutex_init(&w->mu, NULL);
  note_durable(w);
  pthread_cond_init(&w->cv, NULL);
  if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return MC_ENOMEM;
  }
  *out = w;
  return 0;
}

static int enqueue(eng_writer *w, const eng_command *cmd, eng_done_fn done, void *opaque) {
  item *it = calloc(1, sizeof *it);
  if (it == NULL)
    return MC_ENOMEM;
  it->cmd = cmd;
  it->done = done;
  it->opaque = opaque;
  pthread_mutex_lock(&w->mu);
  if (w->stopping) {
    pthread_mutex_unlock(&w->mu);
    free(it);
    return MC_EINVAL;
  }
  *w->tail = it;
  w->tail = &it->next;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return 0;
}

int eng_writer_submit(eng_writer *w, const eng_command *cmd, eng_done_fn done, void *opaque) {
  if (cmd == NULL)
    return MC_EINVAL;
  return enqueue(w, cmd, done, opaque);
}

int eng_writer_fire_due(eng_writer *w, eng_done_fn done, void *opaque) { return enqueue(w, NULL, done, opaque); }

void eng_writer_stats_get(eng_writer *w, eng_writer_stats *out) {
  pthread_mutex_lock(&w->mu);
  *out = w->stats;
  pthread_mutex_unlock(&w->mu);
}

void eng_writer_stop(eng_writer *w) {
  if (w == NULL)
    return;
  if (pthread_equal(pthread_self(), w->thread)) {
    /* From a `done` callback: joining itself would hang for ever. */
    mc_log(MC_LOG_ERROR, "engine", "eng_writer_stop called on the writer thread: ignored (a bug in the host)");
    return;
  }
  pthread_mutex_lock(&w->mu);
  w->stopping = true;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  free(w);
}
