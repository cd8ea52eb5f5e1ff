/* jobs.h — work that waits for the writer (commands) or the thread pool (a
 * password hash, an fsync), and its completion on the loop.
 *
 * A job's `cmds` go to the writer in order; `work` runs in the pool before
 * them (when it fails — j->status set — the commands are not run, each
 * answered with that failure) and `after` after them; `finish` runs on the
 * loop once all is done.
 * The writer calls back on its own thread, which only queues the finished
 * job and wakes the loop (uv_async_send).  The owner (a connection, an HTTP
 * request, an admin client) may go away meanwhile: it clears the job's
 * `owner`, and the job still completes.  An owner that must outlive the
 * job's holding it (a connection) gives its srv_owner: how a job holds it
 * and lets go of it. */
#ifndef MOTCUA_API_JOBS_H
#define MOTCUA_API_JOBS_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "base/arena.h"
#include "engine/engine.h"

typedef struct srv srv;
typedef struct job job;
/* How a job holds its owner while in flight, and lets go of it. */
typedef struct srv_owner {
  void (*hold)(void *owner);
  void (*release)(void *owner);
} srv_owner;

typedef void (*job_fn)(job *j);

struct job {
  srv *s;
  job *next;                   /* the completion list */
  mc_arena arena;              /* the strings the commands borrow */
  eng_command *cmds;           /* grown by srv_job_command before srv_job_start */
  eng_result *results;
  int ncmds, cap, ndone;
  job_fn work;                 /* in the thread pool, before the commands, or NULL */
  job_fn after;                /* in the thread pool, after the commands (a flush, say), or NULL */
  job_fn finish;               /* on the loop; NULL: the job is freed */
  uv_work_t uv;
  const srv_owner *holds;      /* how it holds its owner (NULL: it does not: the server's own job, or an
                                  owner that clears `owner` itself when it goes) */
  void *owner;                 /* conn, http request or admin client; NULL once gone */
  json_t *data;                /* what the flow carries (request, reply) */
  void *ctx;                   /* or what a flow of the server's own carries (api/reads.c's batch) */
  char op[24];                 /* for metrics */
  uint64_t started_ns;
  int status;                  /* the flow's own outcome */
  char why[512];
};

job *srv_job_new(srv *s, const srv_owner *holds, void *owner, const char *op);
void srv_job_free(job *j);
/* Adds a command to a job (the command's strings must live in j->arena). */
eng_command *srv_job_command(job *j);
char *srv_job_strdup(job *j, const char *s);
/* Starts it: `work` in the pool (if any), then the commands, then `after` in
 * the pool (if any: what must not run on the loop, such as an fsync), then
 * `finish` on the loop. */
void srv_job_start(job *j);
/* A job done elsewhere (the timers' firing) joins the completions. */
void srv_job_completed(job *j);

/* The completions: `done` gets, on the loop, the jobs finished since it was
 * last called, in order; it calls srv_job_finish on each. */
typedef void (*srv_jobs_done_fn)(srv *s, job *list);
int srv_jobs_open(srv *s, srv_jobs_done_fn done);
void srv_jobs_close(srv *s);
/* The events the engine's tap handed over since the last call, in order
 * (the list is the caller's to free). */
struct tapped *srv_jobs_take_tapped(srv *s);
/* Runs a finished job's `after` (in the pool), then its `finish`. */
void srv_job_finish(job *j);
/* Frees the completions the writer made after the loop stopped. */
void srv_jobs_drop(srv *s);

#endif
