/* writer.h — the writer thread of ARCHITECTURE.md: one thread owns the
 * engine's write transactions.  Hosts (the server's loop thread, a load
 * generator) queue commands from any thread; the writer takes everything
 * queued since its last commit, runs it as one durable batch (group commit),
 * and only then calls each command's completion, on the writer thread.  A
 * completion must be short: the server's posts the result to its loop with
 * uv_async_send.  No libuv here.
 */
#ifndef ENG_WRITER_H
#define ENG_WRITER_H

#include "engine/engine.h"

typedef struct eng_writer eng_writer;

/* Called on the writer thread once the command's batch is durable (or
 * failed: then result->status is the batch's error).  `cmd` is the pointer
 * queued; the caller may free what it borrows from now on. */
typedef void (*eng_done_fn)(void *opaque, const eng_command *cmd, const eng_result *result);

/* The writer's clock (ms UTC); NULL for the wall clock.  Tests pass theirs. */
typedef mc_instant (*eng_clock_fn)(void *opaque);

typedef struct eng_writer_options {
  int max_batch;          /* commands per batch at most; 0: 1024 */
  eng_clock_fn clock;
  void *clock_opaque;
} eng_writer_options;

/* Starts the writer thread on an open engine (borrowed until eng_writer_stop). */
int eng_writer_start(eng_engine *e, const eng_writer_options *opt, eng_writer **out);

/* Queues a command: `cmd` and everything it points to are borrowed until
 * `done` is called.  Returns MC_EINVAL after eng_writer_stop began. */
int eng_writer_submit(eng_writer *w, const eng_command *cmd, eng_done_fn done, void *opaque);

/* Asks the writer to fire the timers due by now, after the commands queued
 * before it.  `done` (may be NULL) gets the number fired in result->count. */
int eng_writer_fire_due(eng_writer *w, eng_done_fn done, void *opaque);

/* Statistics, for /metrics.  Histograms count batches whose size (or time
 * in eng_execute) is at most the bound of their bucket; the last bucket is
 * everything above. */
#define ENG_WRITER_BUCKETS 12
extern const double eng_writer_size_bounds[ENG_WRITER_BUCKETS - 1];    /* commands */
extern const double eng_writer_seconds_bounds[ENG_WRITER_BUCKETS - 1]; /* seconds */
typedef struct eng_writer_stats {
  uint64_t batches, commands, refused, timers_fired;
  uint64_t largest_batch;
  uint64_t commit_ns_total;   /* time spent in eng_execute, summed */
  uint64_t size_buckets[ENG_WRITER_BUCKETS], seconds_buckets[ENG_WRITER_BUCKETS];
  uint64_t durable_seq;       /* the log's head after the last commit: events up to it are on disk */
  uint64_t failed_batches;    /* batches that could not commit */
  int failing;                /* the last commit failed (its status, MC_E*); 0 once one succeeds */
} eng_writer_stats;
void eng_writer_stats_get(eng_writer *w, eng_writer_stats *out);

/* Finishes what is queued, stops the thread, frees the writer.  Not from
 * a `done` callback: those run on the writer thread, which this joins. */
void eng_writer_stop(eng_writer *w);

#endif
