/* server-int.h — what the server's files share (server.c: the loop, the
 * connections, the writer bridge and the pushes; ws.c: the WebSocket
 * operations; http.c: the HTTP routes and account flows; admin.c: the admin
 * socket).  Everything here runs on the loop thread unless it says so. */
#ifndef MOTCUA_API_SERVER_INT_H
#define MOTCUA_API_SERVER_INT_H

#include <jansson.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "office/accounts.h"
#include "api/catalogue.h"
#include "api/config.h"
#include "api/server.h"
#include "base/arena.h"
#include "base/buf.h"
#include "engine/engine.h"
#include "engine/writer.h"

typedef struct srv srv;
typedef struct conn conn;
typedef struct job job;

/* ------------------------------------------------------------ who acts */

/* An authenticated principal: an account with its roles as the log has them. */
typedef struct principal {
  bool authed;
  bool must_change;            /* a one-time password: only change_password */
  char token[ACC_TOKEN_LEN + 1];
  eng_account_view acct;
} principal;

bool srv_principal_has_role(const principal *p, const char *role);
bool srv_principal_is_applicant(const principal *p);
/* Reads everything (auditor, system_admin). */
bool srv_principal_reads_all(const principal *p);

/* Resolves a bearer token: the session, then the account (not disabled). */
int srv_authenticate(srv *s, const char *token, principal *out);

/* Ends at once the sockets of a session (a token) or of every session of an
 * account, telling them `revoked` (the aux records are the caller's). */
void srv_revoke_token(srv *s, const char *token, const char *why);
void srv_revoke_account(srv *s, const char *account, const char *why);

/* ------------------------------------------------------------ jobs */

/* Work that waits for the writer (a command) or the thread pool (a password
 * hash): `cmds` go to the writer in order, `work` runs in the pool, and
 * `finish` runs on the loop once all is done.  The owner (a connection, an
 * HTTP request, an admin client) may go away meanwhile: it clears its
 * pointer in the job (`owner_gone`), and the job still completes. */
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
  job_fn finish;               /* on the loop */
  uv_work_t uv;
  void *owner;                 /* conn, http request or admin client; NULL once gone */
  int kind;                    /* what the owner is (JOB_*) */
  json_t *data;                /* what the flow carries (request, reply) */
  char op[24];                 /* for metrics */
  uint64_t started_ns;
  int status;                  /* the flow's own outcome */
  char why[512];
};

enum { JOB_WS = 1, JOB_HTTP, JOB_ADMIN };

job *srv_job_new(srv *s, int kind, void *owner, const char *op);
void srv_job_free(job *j);
/* Adds a command to a job (the command's strings must live in j->arena). */
eng_command *srv_job_command(job *j);
/* Starts it: `work` in the pool (if any), then the commands, then `after` in
 * the pool (if any: what must not run on the loop, such as an fsync), then
 * `finish` on the loop. */
void srv_job_start(job *j);
char *srv_job_strdup(job *j, const char *s);
/* A job's `work` that revokes the session j->data.token and flushes it (a
 * logout over HTTP or WebSocket is acknowledged only once on disk). */
void srv_job_revoke_session(job *j);

/* ------------------------------------------------------------ connections */

typedef struct out_msg {
  struct out_msg *next;
  size_t len;
  bool binary;
  unsigned char buf[];         /* LWS_PRE bytes, then the message */
} out_msg;

typedef struct sub {
  char id[16];
  char scope[12];              /* mine, agency, dossier, all */
  char agency[32], step[48], dossier[64];
  bool binary;
  bool live;                   /* caught up: receives live events */
  uint64_t next;               /* catching up: the next seq to read */
} sub;

#define CONN_MAX_SUBS 16

struct conn {
  srv *s;
  struct lws *wsi;             /* NULL once closed (the conn lives on while jobs hold it) */
  conn *next, *prev;
  uint64_t id;
  char addr[64];
  principal who;
  mc_buf rx;
  bool rx_binary, rx_too_big;
  out_msg *qhead, **qtail;
  int qlen;
  sub subs[CONN_MAX_SUBS];
  int nsubs, next_sub;
  int jobs;                    /* jobs in flight that point here */
  bool closing;
  int close_status;
  char close_reason[96];
  uint64_t last_seen_ms;
  int64_t denial_minute;
  int denials;
};

void srv_conn_send(conn *c, const json_t *msg, bool binary);
/* Queues a message already encoded, in up to three parts (NULL, 0: none). */
void srv_conn_send_parts(conn *c, const void *a, size_t alen, const void *b, size_t blen, const void *t, size_t tlen,
                     bool binary);
void srv_conn_close(conn *c, int status, const char *reason);
/* Drops the job's hold on the connection; frees a closed connection. */
void srv_conn_release(conn *c);

/* ------------------------------------------------------------ metrics */

enum { OUT_OK, OUT_REFUSED, OUT_FORBIDDEN, OUT_CONFLICT, OUT_BAD, OUT_ERROR, OUT_N };

typedef struct metric_op {
  char op[24];
  uint64_t by_outcome[OUT_N];
} metric_op;

#define METRIC_MAX_OPS 48

typedef struct metrics {
  metric_op ops[METRIC_MAX_OPS];
  int nops;
  metric_op denials[METRIC_MAX_OPS];
  int ndenials;
  uint64_t http_by_class[6];   /* 1xx..5xx by hundreds, [0] other */
  uint64_t connections_total, pushes_total, frames_in_total, bad_frames_total;
} metrics;

void metrics_count(metrics *m, const char *op, int outcome);
void metrics_denial(metrics *m, const char *op);
/* The Prometheus text of /metrics. */
void metrics_render(srv *s, mc_buf *out);

/* ------------------------------------------------------------ the server */

struct srv {
  srv_config cfg;
  srv_options opt;
  uv_loop_t loop;
  struct lws_context *ctx;
  eng_engine *e;
  eng_writer *w;
  catalogue *cat;
  int catalogue_rebuilds;

  uv_async_t wake;             /* the writer's completions */
  pthread_mutex_t done_mu;
  job *done_head, **done_tail;

  uv_timer_t due_timer;        /* the earliest engine timer */
  bool firing;
  mc_instant fire_failed_at;   /* the last firing that failed (0: it did not) */
  uv_timer_t sweep_timer;      /* idle connections, hourly catalogue */
  uv_timer_t delivery_timer;
  bool delivering, deliver_again;
  uv_work_t delivery_work;
  uv_signal_t sigterm, sigint;
  uv_pipe_t admin;             /* the admin socket */
  bool admin_open;

  conn *conns;
  int nconns;
  uint64_t next_conn_id;
  uint64_t pushed_seq;         /* events up to here have gone to the subscribers */
  int jobs_in_flight;
  bool stopping;
  uv_timer_t stop_timer;
  int stop_ticks;
  bool stopped;

  metrics m;
  mc_instant last_catalogue_at;
  int64_t clock_ahead_ms;      /* a rehearsal's clock offset (srv_options.rehearsal_clock); atomic */
};

/* The clock of the server (tests may set MOTCUA_REHEARSAL_NOW? no: wall clock). */
mc_instant srv_now(srv *s);
/* The client's address: the peer, or behind a trusted proxy what its headers
 * say (api/proxy.h). */
void srv_client_addr(srv *s, struct lws *wsi, char *out, size_t size);

/* After a completion: push new durable events to subscribers. */
void srv_publish(srv *s);
/* Moves the connection's catching-up subscriptions on: reads the log in
 * chunks while the client's queue has room (called again as it drains),
 * and sends `caught_up` and goes live once at the pushed head. */
void srv_catch_up(srv *s, conn *c);
/* May `p` read this dossier? */
bool srv_may_read(srv *s, const principal *p, const eng_event_view *v);
/* A refusal of the access rules: counted, logged at most denials_per_minute
 * times a minute per connection (NULL: no connection). */
void srv_denied(srv *s, conn *c, const char *op, const char *account, const char *why);

/* Wakes the delivery worker (a message or a code is waiting). */
void srv_deliver_soon(srv *s);

/* ws.c */
void ws_message(conn *c, const void *data, size_t len, bool binary);
/* http.c */
typedef struct http_req http_req;
int http_callback(srv *s, struct lws *wsi, enum lws_callback_reasons reason, void **pss, void *in, size_t len);
void http_job_done(job *j, int status, json_t *body);
/* admin.c */
int admin_open(srv *s);
void admin_close(srv *s);

/* Error replies: the protocol's error code for a kind of refusal
 * (engine/refusals.h; eng_result_kind() for a result), with its HTTP status
 * and the outcome it is counted as (only FORBIDDEN counts as a denial). */
const char *srv_error_code(eng_refusal_kind kind, int *http_status, int *outcome);
json_t *srv_error(const char *code, const char *message, const char *field);
/* Adds what the engine says of a refusal to an error: its `key`, its
 * `message_vi`, and `fields`, each field of the command in error with its
 * rule, parameters, key and what to do in Vietnamese and in English
 * (eng_result.fields).  Nothing for a result without a key. */
void srv_error_refusal(json_t *error, const eng_result *r);


#endif
