/* server.c — motcuad's loop: libwebsockets on libuv and its callback (a
 * WebSocket's life to api/conns.c, its messages and HTTP to the front ends
 * through their rows, api/front.h), the completions (pushes first, then the
 * replies, then delivery and the next timer), the sweep of idle connections
 * and expired sessions, signals and a clean stop, and the start.
 *
 * Threads (docs/ARCHITECTURE.md "Processes and threads"): this loop thread
 * runs lws and short read transactions; the engine's writer thread runs
 * every write and only queues what it finished (api/jobs.h); the thread
 * pool hashes passwords and runs the delivery worker.  A reply or a push
 * leaves only after the write that holds it is durable.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "api/server.h"

#include "api/proxy.h"
#include "api/pushes.h"
#include "api/runtime.h"
#include "api/schedule.h"
#include "api/sockets.h"
#include "base/error.h"
#include "base/log.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A rehearsal's clock file: the offset only moves forward (time never goes
 * back in the log). */
static void read_rehearsal_clock(srv *s) {
  if (s->opt.rehearsal_clock == NULL)
    return;
  FILE *f = fopen(s->opt.rehearsal_clock, "r");
  long long ms = 0;
  if (f == NULL)
    return;
  if (fscanf(f, "%lld", &ms) == 1 && ms > __atomic_load_n(&s->clock_ahead_ms, __ATOMIC_RELAXED)) {
    __atomic_store_n(&s->clock_ahead_ms, (int64_t)ms, __ATOMIC_RELAXED);
    mc_log(MC_LOG_WARN, "server", "rehearsal: the clock runs %lld ms ahead", ms);
  }
  fclose(f);
}



/* ============================================================ completions */

/* The writer's clock: the server's (a rehearsal's offset included). */
static mc_instant writer_clock(void *opaque) { return srv_now(opaque); }

/* On the loop, after the writer finished jobs (api/jobs.h). */
static void completions(srv *s, job *list) {
  /* Pushes first: a client sees the events of its command no later than its reply. */
  srv_publish(s);
  bool outbox = false;
  for (job *j = list, *next; j; j = next) {
    next = j->next;
    for (int i = 0; i < j->ncmds; i++)
      outbox |= j->results[i].status == 0 && (j->cmds[i].kind == ENG_CMD_SEND_CODE || j->results[i].count > 0);
    srv_job_finish(j);
  }
  if (outbox)
    srv_deliver_soon(s);
  srv_arm_due(s);
  lws_service_adjust_timeout(s->ctx, 0, 0);
}


/* ============================================================ lws */

/* The front ends (api/front.h): the WebSocket's messages, HTTP, the admin
 * socket. */
static const srv_front *const fronts[] = {&srv_front_ws, &srv_front_http, &srv_front_admin};
#define NFRONTS (sizeof fronts / sizeof fronts[0])

/* A socket's state in lws: a WebSocket connection, or the HTTP front end's
 * request. */
typedef struct pss {
  conn *c;
  void *http;
} pss;

static const srv_front *front_with_message(void) {
  for (size_t i = 0; i < NFRONTS; i++)
    if (fronts[i]->message)
      return fronts[i];
  return NULL;
}

static const srv_front *front_with_http(void) {
  for (size_t i = 0; i < NFRONTS; i++)
    if (fronts[i]->http)
      return fronts[i];
  return NULL;
}

/* A whole message in c->rx: too long, or to the front end. */
static void received(srv *s, conn *c) {
  s->m.frames_in_total++;
  if (c->rx_too_big) {
    s->m.bad_frames_total++;
    char msg[160];
    snprintf(msg, sizeof msg, "the message is longer than %d bytes (max_frame): nothing was done", s->cfg.max_frame);
    json_t *err = srv_error("too_large", msg, NULL);
    srv_error_localize(err, c->english);
    json_t *e = json_pack("{s:n, s:b, s:o}", "id", "ok", 0, "error", err);
    srv_conn_send(c, e, c->rx_binary);
    json_decref(e);
    srv_metrics_count(&s->m, "frame", OUT_BAD);
  } else {
    front_with_message()->message(c, c->rx.data, c->rx.len, c->rx_binary);
  }
  c->rx.len = 0;
  if (c->rx.cap > 65536) { /* a large message's buffer is not kept */
    mc_buf_free(&c->rx);
    c->rx = (mc_buf)MC_BUF_INIT;
  }
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct lws_context *ctx = lws_get_context(wsi);
  srv *s = ctx ? lws_context_user(ctx) : NULL;
  pss *p = user;
  switch (reason) {
  case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: {
    /* Every socket counts from accept (api/sockets.h). */
    const struct lws_filter_network_conn_args *a = user;
    char addr[API_ADDR_MAX];
    srv_sockets_addr(&a->cli_addr, addr, sizeof addr);
    if (srv_sockets_admit(s, addr))
      return 0;
    srv_denied(s, NULL, addr, "accept", NULL, "too many sockets from this address, or in all");
    return -1;
  }
  case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
    srv_sockets_opened(s, wsi);
    return 0;
  case LWS_CALLBACK_WSI_DESTROY:
    if (s)
      srv_sockets_closed(s, wsi);
    return 0;
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
    char uri[64] = "";
    lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
    if (strcmp(uri, "/ws") != 0)
      return -1;
    if (s->stopping || s->nconns >= s->cfg.max_connections)
      return -1;
    char addr[API_ADDR_MAX] = "";
    srv_client_addr(s, wsi, addr, sizeof addr);
    if (srv_conn_count_from(s, addr) >= s->cfg.max_per_address) {
      srv_denied(s, NULL, addr, "connect", NULL, "too many connections from this address");
      return -1;
    }
    /* Those still to say hello have a small share of the connections. */
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION) <= 0 &&
        s->nwaiting_hello >= (s->cfg.max_connections / 10 > 0 ? s->cfg.max_connections / 10 : 1)) {
      srv_denied(s, NULL, addr, "connect", NULL, "too many connections waiting for their hello");
      return -1;
    }
    return 0;
  }
  case LWS_CALLBACK_ESTABLISHED: {
    char addr[API_ADDR_MAX] = "";
    bool forwarded = srv_client_addr(s, wsi, addr, sizeof addr);
    conn *c = srv_conn_open(s, wsi, addr);
    if (c == NULL)
      return -1;
    c->addr_forwarded = forwarded;
    p->c = c;
    /* A bearer token on the upgrade authenticates the connection. */
    char auth[128] = "";
    principal who;
    if (lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) > 7 && !strncmp(auth, "Bearer ", 7) &&
        srv_authenticate(s, auth + 7, &who) == 0) {
      srv_conn_set_principal(c, &who);
      lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
    } else {
      /* hello within hello_seconds, or closed (srv_conn_set_principal lifts it). */
      c->waiting_hello = true;
      s->nwaiting_hello++;
      lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, s->cfg.hello_seconds);
    }
    return 0;
  }
  case LWS_CALLBACK_RECEIVE: {
    conn *c = p->c;
    if (c == NULL)
      return -1;
    if (c->closing)
      return 0; /* what a closing client still sends is not worked on */
    c->last_seen_ms = mc_mono_ms();
    if (lws_is_first_fragment(wsi)) {
      c->rx.len = 0;
      c->rx_too_big = false;
      c->rx_binary = lws_frame_is_binary(wsi);
    }
    if (!c->rx_too_big) {
      if (c->rx.len + len > (size_t)s->cfg.max_frame) {
        c->rx_too_big = true;
        c->rx.len = 0;
      } else {
        mc_buf_append(&c->rx, in, len);
      }
    }
    if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0)
      received(s, c);
    return 0;
  }
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return p->c ? srv_conn_writeable(p->c, srv_catch_up) : 0;
  case LWS_CALLBACK_CLOSED: {
    conn *c = p->c;
    if (c == NULL)
      return 0;
    p->c = NULL;
    srv_conn_gone(c);
    return 0;
  }
  default:
    break;
  }
  if (s == NULL || p == NULL)
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  return front_with_http()->http(s, wsi, reason, &p->http, in, len);
}

static const struct lws_protocols protocols[] = {
    {"motcua", callback, sizeof(pss), 16384, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ============================================================ sweeps, signals, stop */

static void sweep_cb(uv_timer_t *t) {
  srv *s = t->data;
  int64_t ahead = s->clock_ahead_ms;
  read_rehearsal_clock(s);
  if (s->clock_ahead_ms != ahead)
    uv_timer_stop(&s->due_timer); /* re-armed below on the new clock */
  uint64_t now = mc_mono_ms(), idle = (uint64_t)s->cfg.idle_seconds * 1000u;
  mc_instant wall = srv_now(s);
  srv_throttle_sweep(&s->throttle, wall);
  for (conn *c = s->conns; c; c = c->next) {
    if (srv_conn_alive(c) && now - c->last_seen_ms > idle && c->jobs == 0)
      srv_conn_close(c, LWS_CLOSE_STATUS_GOINGAWAY, "idle for too long: reconnect when needed");
    /* A session that expired, or was revoked elsewhere (a logout, a password
     * reset), ends on every socket that uses it. */
    acc_session ses;
    if (srv_conn_alive(c) && c->who.authed && acc_session_check(eng_store(s->e), c->who.token, wall, &ses) != 0)
      srv_revoke_conn(c, "the session expired or was revoked: log in again");
  }
  if (srv_now(s) - s->last_catalogue_at > 3600 * 1000)
    srv_catalogue_refresh(s);
  srv_reads_flush(s, false);
  srv_uploads_sweep(s);
  srv_arm_due(s);
}

static void close_handle(uv_handle_t *h) {
  if (h->data && !uv_is_closing(h))
    uv_close(h, NULL);
}

/* Every handle of ours on the loop, and the front ends' (each closed once,
 * whatever was opened). */
static void close_handles(srv *s) {
  for (size_t i = 0; i < NFRONTS; i++)
    if (fronts[i]->close)
      fronts[i]->close(s);
  srv_schedule_close(s);
  close_handle((uv_handle_t *)&s->sweep_timer);
  close_handle((uv_handle_t *)&s->sigterm);
  close_handle((uv_handle_t *)&s->sigint);
  close_handle((uv_handle_t *)&s->stop_timer);
  srv_jobs_close(s);
}

static void finish_stop(srv *s) {
  uv_timer_stop(&s->stop_timer);
  close_handles(s);
  lws_context_destroy(s->ctx);
}

/* Stopping: no new work; what is in flight finishes and is answered; the
 * clients are told; then lws and the loop wind down. */
static void stop_tick(uv_timer_t *t) {
  srv *s = t->data;
  s->stop_ticks++;
  bool drained = s->jobs_in_flight == 0 && !s->delivering;
  if (!drained && s->stop_ticks < 300) /* 30 s at most */
    return;
  if (!s->stopped) {
    s->stopped = true;
    mc_log(MC_LOG_INFO, "server", "stopping: %d jobs were in flight", s->jobs_in_flight);
    json_t *m = json_pack("{s:s, s:s, s:i}", "push", "closing", "reason", "the server is stopping", "retry_after_ms", 2000);
    for (conn *c = s->conns; c; c = c->next) {
      srv_conn_send(c, m, false);
      srv_conn_close(c, LWS_CLOSE_STATUS_GOINGAWAY, "the server is stopping");
    }
    json_decref(m);
    return; /* one more tick for the goodbyes to be written */
  }
  bool flushed = true;
  for (conn *c = s->conns; c; c = c->next)
    flushed &= c->qhead == NULL;
  if (!flushed && s->stop_ticks < 320)
    return;
  finish_stop(s);
}

static void begin_stop(srv *s, const char *why) {
  if (s->stopping)
    return;
  s->stopping = true;
  mc_log(MC_LOG_INFO, "server", "%s: finishing the commands in flight", why);
  srv_schedule_stop(s);
  uv_timer_start(&s->stop_timer, stop_tick, 0, 100);
}

static void signal_cb(uv_signal_t *h, int signum) {
  begin_stop(h->data, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* ============================================================ start */

static uid_t chown_uid;
static gid_t chown_gid;

static int chown_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)flag, (void)ftw;
  if ((sb->st_uid != chown_uid || sb->st_gid != chown_gid) && lchown(path, chown_uid, chown_gid) != 0)
    return -1;
  return 0;
}

/* Started as root: run as the configured user, which owns the data directory. */
static int drop_privileges(srv *s) {
  if (geteuid() != 0)
    return 0;
  if (!strcmp(s->cfg.user, "root")) {
    mc_log(MC_LOG_WARN, "server", "running as root (user = root): a flaw in the server would hold the whole machine");
    return 0;
  }
  struct passwd *pw = getpwnam(s->cfg.user);
  if (pw == NULL) {
    mc_log(MC_LOG_ERROR, "server",
           "started as root, but the user \"%s\" does not exist: create it (useradd --system %s) or set `user` in the configuration",
           s->cfg.user, s->cfg.user);
    return MC_EACCES;
  }
  if (chown(s->cfg.data_dir, pw->pw_uid, pw->pw_gid) != 0) {
    mc_log(MC_LOG_ERROR, "server", "cannot give %s to %s: %s", s->cfg.data_dir, s->cfg.user, strerror(errno));
    return MC_EACCES;
  }
  /* The files inside, if an earlier run as root made them. */
  chown_uid = pw->pw_uid;
  chown_gid = pw->pw_gid;
  if (nftw(s->cfg.data_dir, chown_one, 16, FTW_PHYS) != 0)
    mc_log(MC_LOG_WARN, "server", "cannot give everything in %s to %s: %s", s->cfg.data_dir, s->cfg.user,
           strerror(errno));
  if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
    mc_log(MC_LOG_ERROR, "server", "cannot become %s: %s", s->cfg.user, strerror(errno));
    return MC_EACCES;
  }
  mc_log(MC_LOG_INFO, "server", "running as %s", s->cfg.user);
  return 0;
}

static int has_definitions_cb(void *opaque, const char *id, const uint8_t *b, size_t n) {
  (void)id, (void)b, (void)n;
  *(bool *)opaque = true;
  return 1;
}

/* A data directory with no procedure gets the bundled workflows; a first
 * administrator when there is none. */
static int first_start(srv *s) {
  bool any = false;
  int rc = eng_definitions(s->e, ENG_DEF_PROCEDURE, INT64_MAX, has_definitions_cb, &any);
  if (rc == 0 && !any && s->opt.workflows_dir) {
    mc_buf why = MC_BUF_INIT;
    mc_diag_sink sink = {0};
    mc_instant now = srv_now(s);
    rc = eng_publish_workflows(s->e, s->opt.workflows_dir, now, now, &sink, &why);
    if (rc)
      mc_log(MC_LOG_ERROR, "server", "publishing %s failed: %s", s->opt.workflows_dir, mc_buf_cstr(&why));
    else
      mc_log(MC_LOG_INFO, "server", "published the workflows of %s", s->opt.workflows_dir);
    mc_buf_free(&why);
    if (rc)
      return rc;
  }
  /* The first administrator: its one-time password is stored and shown
   * before the account is committed, so that a kill in between leaves no
   * account nobody can log in to (the next start makes it again, with a new
   * password, shown again). */
  eng_account_view a;
  if (eng_account_get(s->e, "admin", &a) == MC_ENOENT) {
    char otp[17], hash[ACC_HASH_LEN];
    store *st = eng_store(s->e);
    acc_one_time_password(otp);
    if ((rc = acc_password_hash(otp, hash)) || (rc = acc_credentials_put(st, "admin", hash, true)) ||
        (rc = store_aux_sync(st))) {
      mc_log(MC_LOG_ERROR, "server", "the first administrator's password could not be stored: %s", mc_strerror(rc));
      return rc;
    }
    if (s->opt.announce) {
      fprintf(s->opt.announce,
              "motcuad: the first administrator is \"admin\" with the one-time password %s\n"
              "motcuad: it must be changed at the first login; this is the only time it is shown\n",
              otp);
      fflush(s->opt.announce);
    }
    sodium_memzero(otp, sizeof otp);
    mc_crash_point("first_start");
    const char *roles[] = {"system_admin"};
    eng_command c = {.kind = ENG_CMD_ACCOUNT, .command_id = "sys/first-admin",
                     .actor = {"motcuad", "system", NULL, "motcuad"}, .expected_version = STORE_ANY_VERSION,
                     .account = {.op = "create", .id = "admin", .name = "Quản trị hệ thống", .roles = {roles, 1}}};
    eng_result r;
    rc = eng_execute(s->e, &c, 1, srv_now(s), &r);
    if (rc == 0 && r.status)
      rc = r.status;
    if (rc) {
      mc_log(MC_LOG_ERROR, "server", "the first administrator could not be created: %s (start again: a new one-time "
                                     "password is shown)", r.message[0] ? r.message : mc_strerror(rc));
      return rc;
    }
  }
  return 0;
}

/* The ready file is opened before privileges are dropped (its folder may
 * be root's) and written once everything listens. */
static FILE *ready_f;

static void open_ready(srv *s) {
  if (s->opt.ready_file && (ready_f = fopen(s->opt.ready_file, "w")) == NULL)
    mc_log(MC_LOG_WARN, "server", "cannot write %s: %s", s->opt.ready_file, strerror(errno));
}

/* A start that failed leaves no ready file: nothing listens. */
static void drop_ready(srv *s) {
  if (ready_f == NULL)
    return;
  fclose(ready_f);
  ready_f = NULL;
  unlink(s->opt.ready_file);
}

static void write_ready(int port) {
  if (ready_f == NULL)
    return;
  fprintf(ready_f, "%d\n", port);
  fclose(ready_f);
  ready_f = NULL;
}

int srv_run(const srv_config *cfg, const srv_options *opt) {
  srv *s = calloc(1, sizeof *s);
  int rc = 0;
  if (s == NULL)
    return MC_ENOMEM;
  s->cfg = *cfg;
  s->opt = *opt;
  if (!s->cfg.admin_socket[0])
    snprintf(s->cfg.admin_socket, sizeof s->cfg.admin_socket, "%s/motcuad.sock", s->cfg.data_dir);
  signal(SIGPIPE, SIG_IGN);
  if (sodium_init() < 0)
    return MC_EINTERNAL;
  if (mkdir(s->cfg.data_dir, 0700) != 0 && errno != EEXIST) {
    mc_log(MC_LOG_ERROR, "server", "cannot create the data directory %s: %s", s->cfg.data_dir, strerror(errno));
    free(s);
    return mc_err_from_errno(errno);
  }
  /* It holds the sessions and the log: nobody else reads it. */
  struct stat ds;
  if (stat(s->cfg.data_dir, &ds) == 0 && (ds.st_mode & 077)) {
    if (chmod(s->cfg.data_dir, 0700) == 0)
      mc_log(MC_LOG_WARN, "server", "the data directory %s was mode %o: made 700", s->cfg.data_dir, ds.st_mode & 0777);
    else
      mc_log(MC_LOG_WARN, "server", "the data directory %s is mode %o and cannot be made 700: %s", s->cfg.data_dir,
             ds.st_mode & 0777, strerror(errno));
  }
  uv_loop_init(&s->loop);

  /* lws on our loop; the port is bound before privileges are dropped. */
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  void *foreign[] = {&s->loop};
  info.port = s->cfg.port;
  info.iface = s->cfg.listen_host;
  info.protocols = protocols;
  info.options = LWS_SERVER_OPTION_LIBUV;
  info.foreign_loops = foreign;
  info.pcontext = &s->ctx;
  info.user = s;
  info.timeout_secs = 20;
  info.timeout_secs_ah_idle = (unsigned)s->cfg.header_seconds; /* a request's headers, and between them */
  info.max_http_header_data = 4096;
  info.pt_serv_buf_size = 32768;
  info.fd_limit_per_thread = (unsigned)s->cfg.max_connections + 64;
  if (s->cfg.tls_cert[0]) {
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.ssl_cert_filepath = s->cfg.tls_cert;
    info.ssl_private_key_filepath = s->cfg.tls_key;
  }
  lws_set_log_level(LLL_ERR, NULL);
  s->ctx = lws_create_context(&info);
  if (s->ctx == NULL) {
    mc_log(MC_LOG_ERROR, "server", "cannot listen on %s:%d (in use? a bad certificate?)", s->cfg.listen_host,
           s->cfg.port);
    rc = MC_EIO;
    goto out_loop;
  }
  {
    /* lws logs a failed bind and goes on without a listener: not us. */
    struct lws_vhost *vh = lws_get_vhost_by_name(s->ctx, "default");
    int port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (port <= 0 || (s->cfg.port && port != s->cfg.port)) {
      mc_log(MC_LOG_ERROR, "server",
             "cannot listen on %s:%d: the port is in use by another program, or not this machine's address "
             "(set `listen` in the configuration)", s->cfg.listen_host, s->cfg.port);
      rc = MC_EIO;
      /* lws has begun destroying such a context itself: its loop runs it
       * on, then the destroy is finished (the order lws 4.1 asks of a
       * foreign loop). */
      drop_ready(s);
      uv_run(&s->loop, UV_RUN_DEFAULT);
      lws_context_destroy(s->ctx);
      uv_run(&s->loop, UV_RUN_DEFAULT);
      s->ctx = NULL;
      goto out_loop;
    }
    s->cfg.port = port; /* "any free port" (0) is this one now: links are built on it */
  }
  open_ready(s);
  if ((rc = drop_privileges(s)) != 0)
    goto out_ctx;

  mc_buf why = MC_BUF_INIT;
  if ((rc = eng_open(s->cfg.data_dir, NULL, &s->e, &why)) != 0) {
    mc_log(MC_LOG_ERROR, "server", "cannot open %s: %s", s->cfg.data_dir, mc_buf_cstr(&why));
    mc_buf_free(&why);
    goto out_ctx;
  }
  mc_buf_free(&why);
  if ((rc = first_start(s)) != 0)
    goto out_engine;
  srv_catalogue_refresh(s);
  read_rehearsal_clock(s);
  srv_subs_init(&s->subs);
  srv_reads_init(&s->reads);
  srv_uploads_open(s); /* failing, uploads are refused (the log says why); the rest serves */
  if ((rc = srv_pages_load(&s->pages, s->cfg.web_dir)) != 0)
    goto out_engine;
  /* Completions and the tap are ready before the writer starts. */
  if ((rc = srv_jobs_open(s, completions)) != 0)
    goto out_engine;
  eng_writer_options wo = {.max_batch = s->cfg.max_batch, .clock = writer_clock, .clock_opaque = s};
  if ((rc = eng_writer_start(s->e, &wo, &s->w)) != 0)
    goto out_engine;
  {
    eng_writer_stats st;
    eng_writer_stats_get(s->w, &st);
    s->pushed_seq = st.durable_seq;
  }

  if ((rc = srv_schedule_open(s)) != 0)
    goto out_writer;
  uv_timer_init(&s->loop, &s->sweep_timer);
  s->sweep_timer.data = s;
  uv_timer_start(&s->sweep_timer, sweep_cb, 5000, 5000);
  uv_timer_init(&s->loop, &s->stop_timer);
  s->stop_timer.data = s;
  uv_signal_init(&s->loop, &s->sigterm);
  s->sigterm.data = s;
  uv_signal_start(&s->sigterm, signal_cb, SIGTERM);
  uv_signal_init(&s->loop, &s->sigint);
  s->sigint.data = s;
  uv_signal_start(&s->sigint, signal_cb, SIGINT);
  for (size_t i = 0; i < NFRONTS && rc == 0; i++)
    if (fronts[i]->open)
      rc = fronts[i]->open(s);
  if (rc)
    goto out_writer;
  srv_arm_due(s);
  srv_uploads_sweep(s); /* the scanner asked at once: /healthz says at start whether it answers */

  {
    struct lws_vhost *vh = lws_get_vhost_by_name(s->ctx, "default");
    int port = vh ? lws_get_vhost_listen_port(vh) : s->cfg.port;
    write_ready(port);
    if (s->opt.announce) {
      fprintf(s->opt.announce, "motcuad: listening on %s://%s:%d/ (WebSocket %s://%s:%d/ws), data in %s\n",
              s->cfg.tls_cert[0] ? "https" : "http", s->cfg.listen_host, port, s->cfg.tls_cert[0] ? "wss" : "ws",
              s->cfg.listen_host, port, s->cfg.data_dir);
      fflush(s->opt.announce);
    }
  }
  uv_run(&s->loop, UV_RUN_DEFAULT);
  if (s->ctx)
    lws_context_destroy(s->ctx); /* with a foreign loop, the second call finalises */
  s->ctx = NULL;
  uv_run(&s->loop, UV_RUN_DEFAULT);

out_writer:
  eng_writer_stop(s->w);
  s->w = NULL;
out_engine:
  /* Completions the writer made while stopping. */
  srv_jobs_drop(s);
  srv_catalogue_free(s->cat);
  srv_subs_free(&s->subs);
  srv_reads_flush(s, true); /* what gathered since the last sweep */
  srv_reads_free(&s->reads);
  srv_uploads_close(s);
  srv_pages_free(&s->pages);
  srv_sockets_free(s);
  srv_throttle_free(&s->throttle);
  eng_close(s->e);
out_ctx:
  drop_ready(s);
  if (s->ctx) {
    /* A start that failed: our handles close, lws closes its own on the
     * loop, then finalises (as after a stop). */
    close_handles(s);
    lws_context_destroy(s->ctx);
    uv_run(&s->loop, UV_RUN_DEFAULT);
    lws_context_destroy(s->ctx);
    s->ctx = NULL;
  }
out_loop:
  srv_jobs_close(s);
  uv_run(&s->loop, UV_RUN_NOWAIT);
  if (uv_loop_close(&s->loop) != 0)
    mc_log(MC_LOG_WARN, "server", "the loop still had handles at the end");
  free(s);
  if (rc == 0)
    mc_log(MC_LOG_INFO, "server", "stopped cleanly");
  return rc;
}
