/* runtime.h — motcuad's runtime: the state its parts share (struct srv).
 *
 * The parts, each a file, lowest first (a file calls only those above it
 * in this list — the structure check holds it):
 *   metrics.c, errors.c  counting and the protocol's error shape
 *   pages.c              the web pages, read into memory at start
 *   subs.c               the index of live subscriptions
 *   access.c             principals, who may read, denials
 *   conns.c              connections and their send queues
 *   jobs.c               jobs for the writer and the pool, completions
 *   catalogue.c          the public catalogue (rebuilt from the runtime)
 *   pushes.c             events to subscribers, catch-up, revocations
 *   schedule.c           the engine's due timers and the delivery worker
 *   reads.c              who read whose personal data, written in batches
 *   uploads.c, upload_stream.c, upload_sweep.c  scans uploaded: recorded, streamed and
 *                        admitted, referenced, linked, swept (scanner, rescans, expiry)
 *   users.c              the administration of accounts, for the admin socket and the WebSocket
 *   ws.c                 the WebSocket front end (api/front.h); ws_read.c its reading ops (get,
 *                        history, process, queue, search, reads), ws_files.c file_link,
 *                        ws_directory.c, ws_admin.c its
 *                        directory and administration ops
 *   http_req.c, http_accounts.c, http_uploads.c, http.c  the HTTP front end
 *   admin.c              the admin socket's front end
 *   server.c             the loop, lws, start and stop
 * Everything runs on the loop thread unless it says so. */
#ifndef MOTCUA_API_RUNTIME_H
#define MOTCUA_API_RUNTIME_H

#include <libwebsockets.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "api/access.h"
#include "api/catalogue.h"
#include "api/config.h"
#include "api/conns.h"
#include "api/errors.h"
#include "api/front.h"
#include "api/jobs.h"
#include "api/throttle.h"
#include "api/metrics.h"
#include "api/pages.h"
#include "api/server.h"
#include "api/reads.h"
#include "api/uploads.h"
#include "api/subs.h"
#include "base/instant.h"
#include "engine/engine.h"
#include "engine/writer.h"

/* The events of committed batches, handed over by the engine's tap on the
 * writer thread (api/pushes.h). */
typedef struct tapped {
  struct tapped *next;
  int n;
  eng_event_view events[];
} tapped;

struct srv {
  srv_config cfg;
  srv_options opt;
  uv_loop_t loop;
  struct lws_context *ctx;
  eng_engine *e;
  eng_writer *w;
  catalogue *cat;
  int catalogue_rebuilds;
  mc_instant last_catalogue_at;

  /* jobs.c: completions from the writer thread and the tap's events. */
  uv_async_t wake;
  pthread_mutex_t done_mu;
  job *done_head, **done_tail;
  tapped *tap_head, **tap_tail;
  srv_jobs_done_fn on_done;
  int jobs_in_flight;

  /* schedule.c */
  uv_timer_t due_timer;        /* the earliest engine timer */
  bool firing;
  mc_instant fire_failed_at;   /* the last firing that failed (0: it did not) */
  uv_timer_t delivery_timer;
  bool delivering, deliver_again;
  uv_work_t delivery_work;

  /* sockets.c: every accepted socket, counted from accept */
  struct srv_sockets *sockets;
  int nsockets;

  /* conns.c, pushes.c */
  conn *conns;
  int nconns;
  int nwaiting_hello;          /* WebSockets not yet authenticated */
  uint64_t next_conn_id;
  sub_index subs;
  uint64_t pushed_seq;         /* events up to here have gone to the subscribers */
  uint64_t pushes_read_back;   /* events pushed from the log, not the tap (a gap) */

  /* server.c */
  uv_timer_t sweep_timer;      /* idle connections, hourly catalogue */
  uv_signal_t sigterm, sigint;
  uv_pipe_t admin;             /* the admin socket (admin.c) */
  bool admin_open;
  bool stopping;
  uv_timer_t stop_timer;
  int stop_ticks;
  bool stopped;

  metrics m;
  srv_reads reads;                 /* who read whose personal data, waiting to be written (reads.c) */
  srv_uploads uploads;             /* scans uploaded, the scanner, the files' folders (uploads.c) */
  srv_pages pages;                 /* the web pages, read at start (pages.c) */
  srv_throttle throttle;           /* submissions and status lookups per account and address (throttle.c) */
  int64_t clock_ahead_ms;      /* a rehearsal's clock offset (srv_options.rehearsal_clock); atomic */
};

/* The clock of the server: the wall clock, ahead by a rehearsal's offset. */
static inline mc_instant srv_now(srv *s) {
  return mc_clock_now() + __atomic_load_n(&s->clock_ahead_ms, __ATOMIC_RELAXED);
}

#endif
