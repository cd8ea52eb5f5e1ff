/* server.c — motcuad's loop: libwebsockets on libuv, connections and their
 * send queues, the bridge to the writer thread, live pushes, timers,
 * delivery, signals and a clean stop.
 *
 * Threads (ARCHITECTURE.md): this loop thread runs lws and short read
 * transactions; the engine's writer thread runs every write and calls back
 * on its own thread, which only queues the finished job and wakes the loop
 * (uv_async_send); the thread pool hashes passwords and runs the delivery
 * worker.  A reply or a push leaves only after the write that holds it is
 * durable: replies wait for their job, and pushes go out up to the writer's
 * durable head (eng_writer_stats.durable_seq), never beyond.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "api/server-int.h"
#include "base/instant.h"

#include "office/delivery.h"
#include "api/proxy.h"
#include "engine/events.h"
#include "api/wire.h"
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

mc_instant srv_now(srv *s) {
  return mc_clock_now() + __atomic_load_n(&s->clock_ahead_ms, __ATOMIC_RELAXED);
}

/* The writer's clock: the server's (a rehearsal's offset included). */
static mc_instant writer_clock(void *opaque) { return srv_now(opaque); }

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



/* ============================================================ principals */

bool srv_principal_has_role(const principal *p, const char *role) {
  for (int i = 0; p->authed && i < p->acct.nroles; i++)
    if (!strcmp(p->acct.roles[i], role))
      return true;
  return false;
}

bool srv_principal_is_applicant(const principal *p) { return srv_principal_has_role(p, "applicant"); }

bool srv_principal_reads_all(const principal *p) {
  return srv_principal_has_role(p, "auditor") || srv_principal_has_role(p, "system_admin");
}

int srv_authenticate(srv *s, const char *token, principal *out) {
  acc_session ses;
  memset(out, 0, sizeof *out);
  int rc = acc_session_check(eng_store(s->e), token, srv_now(s), &ses);
  if (rc)
    return rc;
  if ((rc = eng_account_get(s->e, ses.account, &out->acct)) != 0)
    return MC_ENOENT;
  if (out->acct.disabled) {
    acc_session_revoke(eng_store(s->e), token);
    return MC_ENOENT;
  }
  char hash[ACC_HASH_LEN];
  bool must_change = false;
  acc_credentials_get(eng_store(s->e), ses.account, hash, &must_change);
  out->must_change = must_change;
  out->authed = true;
  snprintf(out->token, sizeof out->token, "%s", token);
  return 0;
}

/* ============================================================ errors */

const char *srv_error_code(eng_refusal_kind kind, int *http_status, int *outcome) {
  int hs = 422, oc = OUT_REFUSED;
  const char *code = "refused";
  switch (kind) {
  case ENG_REFUSE_FORBIDDEN: code = "forbidden", hs = 403, oc = OUT_FORBIDDEN; break;
  case ENG_REFUSE_CONFLICT: code = "conflict", hs = 409, oc = OUT_CONFLICT; break;
  case ENG_REFUSE_NOT_FOUND: code = "not_found", hs = 404; break;
  case ENG_REFUSE_UNAVAILABLE: code = "unavailable", hs = 503, oc = OUT_ERROR; break;
  case ENG_REFUSE_INVALID: case ENG_REFUSE_RULE: case ENG_REFUSE_NONE: case ENG_REFUSE_KIND_COUNT: break;
  }
  if (http_status)
    *http_status = hs;
  if (outcome)
    *outcome = oc;
  return code;
}

json_t *srv_error(const char *code, const char *message, const char *field) {
  json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message ? message : "");
  if (field)
    json_object_set_new(e, "field", json_string(field));
  return e;
}

void srv_error_refusal(json_t *error, const eng_result *r) {
  if (r->key == NULL)
    return;
  json_object_set_new(error, "key", json_string(r->key));
  json_object_set_new(error, "message_vi", json_string(r->message_vi));
  if (r->nfields == 0)
    return;
  json_t *list = json_array();
  int kept = r->nfields < ENG_MAX_FIELD_ERRORS ? r->nfields : ENG_MAX_FIELD_ERRORS;
  for (int i = 0; i < kept; i++) {
    const eng_field_error *f = &r->fields[i];
    json_t *one = json_pack("{s:s, s:s, s:s, s:s, s:s}", "field", f->field, "rule", f->rule, "key", f->key ? f->key : "",
                            "message", f->message, "message_en", f->message_en);
    if (!strcmp(f->rule, "length") || !strcmp(f->rule, "range")) {
      json_object_set_new(one, "min", json_integer(f->min));
      json_object_set_new(one, "max", json_integer(f->max));
    }
    if (f->pattern[0])
      json_object_set_new(one, "pattern", json_string(f->pattern));
    if (f->nvalues) {
      json_t *values = json_array();
      for (int k = 0; k < f->nvalues && k < ENG_MAX_FIELD_VALUES; k++)
        json_array_append_new(values, json_string(f->values[k]));
      json_object_set_new(one, "values", values);
    }
    json_array_append_new(list, one);
  }
  json_object_set_new(error, "fields", list);
  if (r->nfields > kept)
    json_object_set_new(error, "more_fields", json_integer(r->nfields - kept));
}

void srv_denied(srv *s, conn *c, const char *op, const char *account, const char *why) {
  metrics_denial(&s->m, op);
  int64_t minute = (int64_t)(mc_mono_ms() / 60000);
  if (c) {
    if (c->denial_minute != minute) {
      c->denial_minute = minute;
      c->denials = 0;
    }
    if (++c->denials > s->cfg.denials_per_minute)
      return;
  }
  mc_log(MC_LOG_WARN, "access", "denied %s to %s from %s: %s", op, account && account[0] ? account : "(anonymous)",
         c ? c->addr : "-", why);
}

/* ============================================================ jobs */

job *srv_job_new(srv *s, int kind, void *owner, const char *op) {
  job *j = calloc(1, sizeof *j);
  if (j == NULL)
    return NULL;
  j->s = s;
  j->kind = kind;
  j->owner = owner;
  snprintf(j->op, sizeof j->op, "%s", op);
  j->started_ns = mc_mono_ns();
  if (kind == JOB_WS && owner)
    ((conn *)owner)->jobs++;
  return j;
}

void srv_job_free(job *j) {
  if (j == NULL)
    return;
  if (j->kind == JOB_WS && j->owner)
    srv_conn_release(j->owner);
  json_decref(j->data);
  mc_arena_free(&j->arena);
  free(j->cmds);
  free(j->results);
  free(j);
}

eng_command *srv_job_command(job *j) {
  if (j->ncmds == j->cap) {
    int cap = j->cap ? j->cap * 2 : 2;
    eng_command *c = realloc(j->cmds, (size_t)cap * sizeof *c);
    if (c == NULL)
      return NULL;
    j->cmds = c;
    eng_result *r = realloc(j->results, (size_t)cap * sizeof *r);
    if (r == NULL)
      return NULL;
    j->results = r;
    j->cap = cap;
  }
  eng_command *c = &j->cmds[j->ncmds++];
  memset(c, 0, sizeof *c);
  c->expected_version = STORE_ANY_VERSION;
  return c;
}

char *srv_job_strdup(job *j, const char *s) { return s ? mc_arena_strdup(&j->arena, s) : NULL; }

void srv_job_revoke_session(job *j) {
  store *st = eng_store(j->s->e);
  acc_session_revoke(st, json_string_value(json_object_get(j->data, "token")));
  j->status = store_aux_sync(st);
}

static void job_completed(job *j) {
  srv *s = j->s;
  pthread_mutex_lock(&s->done_mu);
  *s->done_tail = j;
  s->done_tail = &j->next;
  pthread_mutex_unlock(&s->done_mu);
  uv_async_send(&s->wake);
}

/* On the writer thread. */
static void cmd_done(void *opaque, const eng_command *cmd, const eng_result *r) {
  job *j = opaque;
  int i = (int)(cmd - j->cmds);
  j->results[i] = *r;
  if (++j->ndone == j->ncmds)
    job_completed(j);
}

static void submit_cmds(job *j) {
  if (j->ncmds == 0) {
    job_completed(j);
    return;
  }
  for (int i = 0; i < j->ncmds; i++) {
    int rc = j->s->stopped ? MC_EINVAL : eng_writer_submit(j->s->w, &j->cmds[i], cmd_done, j);
    if (rc) {
      eng_result r = {.status = MC_EIO};
      ENG_REFUSE(&r, MC_EIO, SERVER_STOPPING);
      cmd_done(j, &j->cmds[i], &r);
    }
  }
}

static void pool_work(uv_work_t *w) {
  job *j = w->data;
  j->work(j);
}

static void pool_after(uv_work_t *w, int status) {
  job *j = w->data;
  (void)status;
  submit_cmds(j);
}

void srv_job_start(job *j) {
  j->s->jobs_in_flight++;
  if (j->work) {
    j->uv.data = j;
    if (uv_queue_work(&j->s->loop, &j->uv, pool_work, pool_after) == 0)
      return;
    j->work(j);
  }
  submit_cmds(j);
}

/* Runs `fn` with a job that has no commands: on the loop, but after the
 * current callback (so the caller's state is settled). */

/* ============================================================ delivery */

static int writer_execute(void *opaque, const eng_command *cmds, int n, eng_result *results);

typedef struct sync_wait {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int left;
  const eng_command *base;
  eng_result *results;
} sync_wait;

static void sync_done(void *opaque, const eng_command *cmd, const eng_result *r) {
  sync_wait *w = opaque;
  pthread_mutex_lock(&w->mu);
  w->results[cmd - w->base] = *r;
  if (--w->left == 0)
    pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

/* The delivery worker's outcomes go through the writer (one writing thread);
 * this runs in the thread pool and waits. */
static int writer_execute(void *opaque, const eng_command *cmds, int n, eng_result *results) {
  srv *s = opaque;
  sync_wait w = {.left = n, .base = cmds, .results = results};
  pthread_mutex_init(&w.mu, NULL);
  pthread_cond_init(&w.cv, NULL);
  int submitted = 0, rc = 0;
  for (int i = 0; i < n; i++) {
    if ((rc = eng_writer_submit(s->w, &cmds[i], sync_done, &w)) != 0) {
      pthread_mutex_lock(&w.mu);
      w.left -= n - i;
      pthread_mutex_unlock(&w.mu);
      break;
    }
    submitted++;
  }
  pthread_mutex_lock(&w.mu);
  while (w.left > 0)
    pthread_cond_wait(&w.cv, &w.mu);
  pthread_mutex_unlock(&w.mu);
  pthread_mutex_destroy(&w.mu);
  pthread_cond_destroy(&w.cv);
  (void)submitted;
  /* A batch that failed as a whole shows in every result. */
  for (int i = 0; rc == 0 && i < n; i++)
    if (results[i].status == MC_EIO || results[i].status == MC_ENOSPC)
      rc = results[i].status;
  return rc;
}

static void delivery_pass(uv_work_t *w) {
  srv *s = w->data;
  delivery_config dc = {
      .smtp_url = s->cfg.smtp_url[0] ? s->cfg.smtp_url : NULL,
      .smtp_user = s->cfg.smtp_user[0] ? s->cfg.smtp_user : NULL,
      .smtp_password = s->cfg.smtp_password[0] ? s->cfg.smtp_password : NULL,
      .smtp_starttls = s->cfg.smtp_starttls,
      .smtp_ca = s->cfg.smtp_ca[0] ? s->cfg.smtp_ca : NULL,
      .mail_from = s->cfg.mail_from[0] ? s->cfg.mail_from : NULL,
      .sms_url = s->cfg.sms_url[0] ? s->cfg.sms_url : NULL,
      .sms_token = s->cfg.sms_token[0] ? s->cfg.sms_token : NULL,
      .execute = writer_execute,
      .execute_opaque = s,
  };
  delivery_stats st = {0};
  int rc = delivery_run(s->e, &dc, srv_now(s), &st);
  if (rc)
    mc_log(MC_LOG_WARN, "delivery", "a pass failed: %s (the messages wait for the next)", mc_strerror(rc));
  else if (st.sent || st.failed || st.retried)
    mc_log(MC_LOG_INFO, "delivery", "%d sent, %d failed, %d to retry", st.sent, st.failed, st.retried);
}

static void delivery_after(uv_work_t *w, int status) {
  srv *s = w->data;
  (void)status;
  s->delivering = false;
  if (s->deliver_again && !s->stopping) {
    s->deliver_again = false;
    srv_deliver_soon(s);
  }
}

static bool delivery_configured(const srv *s) { return s->cfg.smtp_url[0] || s->cfg.sms_url[0]; }

void srv_deliver_soon(srv *s) {
  if (!delivery_configured(s) || s->stopping)
    return;
  if (s->delivering) {
    s->deliver_again = true;
    return;
  }
  s->delivering = true;
  s->delivery_work.data = s;
  if (uv_queue_work(&s->loop, &s->delivery_work, delivery_pass, delivery_after) != 0)
    s->delivering = false;
}

static void delivery_tick(uv_timer_t *t) { srv_deliver_soon(t->data); }

/* ============================================================ timers */

static void arm_due(srv *s);

static void fire_done(void *opaque, const eng_command *cmd, const eng_result *r) {
  srv *s = opaque;
  (void)cmd;
  if (r->status)
    mc_log(MC_LOG_ERROR, "timers", "firing the due timers failed: %s", mc_strerror(r->status));
  job *j = srv_job_new(s, 0, NULL, "timers");
  if (j == NULL)
    return;
  j->status = r->status;
  j->ndone = (int)r->count;
  job_completed(j);
}

static void due_cb(uv_timer_t *t) {
  srv *s = t->data;
  if (s->firing || s->stopping)
    return;
  s->firing = true;
  s->jobs_in_flight++;
  if (eng_writer_fire_due(s->w, fire_done, s) != 0) {
    s->firing = false;
    s->jobs_in_flight--;
  }
}

static void arm_due(srv *s) {
  mc_instant due;
  bool any = false;
  if (s->firing || s->stopping)
    return;
  if (eng_next_due(s->e, &due, &any) != 0 || !any) {
    uv_timer_stop(&s->due_timer);
    return;
  }
  mc_instant now = srv_now(s);
  uint64_t delay = due > now ? (uint64_t)(due - now) : 0;
  /* After a failed firing, a timer still due waits a little: a timer that
   * keeps failing must not spin the writer (it is logged each time). */
  if (s->fire_failed_at && now - s->fire_failed_at < 5000 && delay < 5000)
    delay = 5000;
  if (delay > 86400000)
    delay = 86400000; /* a day at most: the sweep re-arms anyway */
  /* Re-armed whenever the earliest due instant is sooner than the armed one. */
  if (uv_is_active((uv_handle_t *)&s->due_timer) && uv_timer_get_due_in(&s->due_timer) <= delay)
    return;
  uv_timer_start(&s->due_timer, due_cb, delay, 0);
}

/* ============================================================ completions */

static void after_work(uv_work_t *w) {
  job *j = w->data;
  j->after(j);
}

static void finish_job(srv *s, job *j);

static void after_done(uv_work_t *w, int status) {
  job *j = w->data;
  (void)status;
  j->after = NULL;
  finish_job(j->s, j);
}

static void finish_job(srv *s, job *j) {
  if (j->after) {
    j->uv.data = j;
    if (uv_queue_work(&s->loop, &j->uv, after_work, after_done) == 0)
      return;
    j->after(j);
    j->after = NULL;
  }
  s->jobs_in_flight--;
  assert(s->jobs_in_flight >= 0);
  if (strcmp(j->op, "timers") == 0 && j->kind == 0) {
    s->firing = false;
    s->fire_failed_at = j->status ? srv_now(s) : 0;
    srv_job_free(j);
    return;
  }
  if (j->finish)
    j->finish(j);
  else
    srv_job_free(j);
}

static void wake_cb(uv_async_t *a) {
  srv *s = a->data;
  pthread_mutex_lock(&s->done_mu);
  job *list = s->done_head;
  s->done_head = NULL;
  s->done_tail = &s->done_head;
  pthread_mutex_unlock(&s->done_mu);
  /* Pushes first: a client sees the events of its command no later than its reply. */
  srv_publish(s);
  bool outbox = false;
  for (job *j = list, *next; j; j = next) {
    next = j->next;
    for (int i = 0; i < j->ncmds; i++)
      outbox |= j->results[i].status == 0 && (j->cmds[i].kind == ENG_CMD_SEND_CODE || j->results[i].count > 0);
    finish_job(s, j);
  }
  if (outbox)
    srv_deliver_soon(s);
  arm_due(s);
  lws_service_adjust_timeout(s->ctx, 0, 0);
}

/* ============================================================ pushes */

typedef struct publish_ctx {
  srv *s;
  bool catalogue_changed;
  store_read *rd;   /* where the dossiers after the events are read (NULL: a read each) */
} publish_ctx;

/* Does `agencies` (a procedure's step agencies: the police of a judicial
 * record, the post office of a postal return) hold `agency`? */
static bool among(const json_t *agencies, const char *agency) {
  size_t i;
  json_t *a;
  json_array_foreach(agencies, i, a) if (!strcmp(json_string_value(a), agency)) return true;
  return false;
}

static bool may_read(const principal *p, const eng_event_view *v, const json_t *step_agencies) {
  if (!p->authed || p->must_change)
    return false;
  if (srv_principal_reads_all(p))
    return true;
  if (srv_principal_is_applicant(p))
    return v->applicant[0] && !strcmp(v->applicant, p->acct.id);
  if (!p->acct.agency[0])
    return false;
  if (!strcmp(v->dossier.agency, p->acct.agency) || !strcmp(v->dossier.handler, p->acct.id))
    return true;
  for (int i = 0; i < v->dossier.nco_handlers; i++)
    if (!strcmp(v->dossier.co_handlers[i], p->acct.id))
      return true;
  return among(step_agencies, p->acct.agency);
}

bool srv_may_read(srv *s, const principal *p, const eng_event_view *v) {
  return may_read(p, v, catalogue_step_agencies(s->cat, v->dossier.procedure));
}

/* One event on its way to the subscribers: what is worked out once, not
 * once per subscriber — who may see it, and its bytes in each encoding
 * (without the subscription's id, which is spliced in per subscriber). */
typedef struct event_out {
  const eng_event_view *v;
  const json_t *step_agencies;  /* borrowed from the catalogue */
  mc_buf enc[2];                /* [0] JSON, [1] msgpack */
  bool have[2];
} event_out;

static bool sub_matches(const conn *c, const sub *sb, const event_out *e) {
  const eng_event_view *v = e->v;
  if (!strcmp(sb->scope, "mine"))
    return v->applicant[0] && !strcmp(v->applicant, c->who.acct.id);
  if (!strcmp(sb->scope, "dossier"))
    return !strcmp(sb->dossier, v->dossier.code) && may_read(&c->who, v, e->step_agencies);
  if (!strcmp(sb->scope, "agency")) {
    if (strcmp(v->dossier.agency, sb->agency) && !among(e->step_agencies, sb->agency))
      return false;
    if (!may_read(&c->who, v, e->step_agencies))
      return false;
    if (sb->step[0]) {
      for (int i = 0; i < v->dossier.nsteps; i++)
        if (!strcmp(v->dossier.steps[i], sb->step))
          return true;
      return false;
    }
    return true;
  }
  return !strcmp(sb->scope, "all") && srv_principal_reads_all(&c->who);
}

/* The push's body, 13 keys; "subscription" comes 14th, spliced by push_to. */
static json_t *push_body(const eng_event_view *v) {
  json_t *steps = json_array();
  for (int i = 0; i < v->dossier.nsteps; i++)
    json_array_append_new(steps, json_string(v->dossier.steps[i]));
  return json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:s, s:o, s:s, s:s, s:I, s:s, s:s}", "push", "event", "seq",
                   (json_int_t)v->seq, "dossier", v->dossier.code, "type", v->type, "time", (json_int_t)v->time,
                   "version", (json_int_t)v->dossier.version, "state", v->dossier.state, "steps", steps, "procedure",
                   v->dossier.procedure, "agency", v->dossier.agency, "appointment_at",
                   (json_int_t)v->dossier.appointment_at, "action", v->action, "step", v->step);
}

static void push_to(conn *c, const sub *sb, event_out *e) {
  int k = sb->binary ? 1 : 0;
  if (!e->have[k]) {
    json_t *body = push_body(e->v);
    e->have[k] = wire_encode(body, sb->binary, &e->enc[k]) == 0 && e->enc[k].len > 2;
    json_decref(body);
    if (!e->have[k])
      return;
  }
  const mc_buf *b = &e->enc[k];
  size_t idlen = strlen(sb->id);
  uint8_t tail[48];
  size_t tlen;
  if (!sb->binary) {
    /* {...} -> {...,"subscription":"s1"} */
    tlen = (size_t)snprintf((char *)tail, sizeof tail, ",\"subscription\":\"%s\"}", sb->id);
    srv_conn_send_parts(c, b->data, b->len - 1, NULL, 0, tail, tlen, false);
  } else {
    /* fixmap of 13 -> 14, then "subscription": id */
    uint8_t head = (uint8_t)(b->data[0] + 1);
    tail[0] = 0xa0 | 12;
    memcpy(tail + 1, "subscription", 12);
    tail[13] = (uint8_t)(0xa0 | idlen);
    memcpy(tail + 14, sb->id, idlen);
    tlen = 14 + idlen;
    srv_conn_send_parts(c, &head, 1, b->data + 1, b->len - 1, tail, tlen, true);
  }
  c->s->m.pushes_total++;
}

static void event_out_init(srv *s, event_out *e, const eng_event_view *v) {
  memset(e, 0, sizeof *e);
  e->v = v;
  e->step_agencies = catalogue_step_agencies(s->cat, v->dossier.procedure);
}

static void event_out_free(event_out *e) {
  mc_buf_free(&e->enc[0]);
  mc_buf_free(&e->enc[1]);
}

static void revoke_conn(conn *c, const char *why) {
  json_t *m = json_pack("{s:s, s:s}", "push", "revoked", "reason", why);
  srv_conn_send(c, m, false);
  json_decref(m);
  sodium_memzero(&c->who, sizeof c->who);
  srv_conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, why);
}

void srv_revoke_account(srv *s, const char *account, const char *why) {
  for (conn *c = s->conns; c; c = c->next)
    if (c->who.authed && !strcmp(c->who.acct.id, account))
      revoke_conn(c, why);
}

void srv_revoke_token(srv *s, const char *token, const char *why) {
  for (conn *c = s->conns; c; c = c->next)
    if (c->who.authed && sodium_memcmp(c->who.token, token, sizeof c->who.token) == 0)
      revoke_conn(c, why);
}

static int publish_one(void *opaque, const store_event *ev) {
  publish_ctx *p = opaque;
  srv *s = p->s;
  eng_event_type type = eng_event_parse(ev->type.ptr, ev->type.len);
  if (eng_event_is_definition(type)) {
    p->catalogue_changed = true;
    return 0;
  }
  if (type == ENG_EV_ACCOUNT_DISABLED && ev->stream.len > 8) {
    char account[64];
    snprintf(account, sizeof account, "%.*s", (int)(ev->stream.len - 8), ev->stream.ptr + 8);
    /* Its open sockets close now.  Its stored sessions are deleted (and
     * counted, and flushed) by the disabling job in the pool, off this
     * thread; until then srv_authenticate refuses any of them. */
    srv_revoke_account(s, account, "the account was disabled");
    return 0;
  }
  eng_event_view v;
  if (eng_event_view_in(s->e, p->rd, ev, &v) != 0)
    return 0;
  event_out e;
  event_out_init(s, &e, &v);
  for (conn *c = s->conns; c; c = c->next) {
    if (!c->wsi || c->closing || !c->who.authed)
      continue;
    for (int i = 0; i < c->nsubs; i++)
      if (c->subs[i].live && sub_matches(c, &c->subs[i], &e))
        push_to(c, &c->subs[i], &e);
  }
  event_out_free(&e);
  return 0;
}

static void rebuild_catalogue(srv *s) {
  catalogue *c;
  int rc = catalogue_build(s->e, srv_now(s), &c);
  if (rc) {
    mc_log(MC_LOG_ERROR, "catalogue", "cannot be rebuilt: %s (the old one is kept)", mc_strerror(rc));
    return;
  }
  catalogue_free(s->cat);
  s->cat = c;
  s->catalogue_rebuilds++;
  s->last_catalogue_at = srv_now(s);
}

void srv_publish(srv *s) {
  eng_writer_stats st;
  eng_writer_stats_get(s->w, &st);
  if (st.durable_seq <= s->pushed_seq)
    return;
  /* One read for the dossiers after the events pushed now (all durable, so in it). */
  publish_ctx p = {s, false, NULL};
  if (store_read_begin(eng_store(s->e), &p.rd) != 0)
    p.rd = NULL;
  int rc = store_log_each(eng_store(s->e), s->pushed_seq + 1, st.durable_seq, 1000, publish_one, &p);
  store_read_end(p.rd);
  if (rc) {
    mc_log(MC_LOG_ERROR, "push", "reading the log after %llu failed: %s", (unsigned long long)s->pushed_seq,
           mc_strerror(rc));
    return;
  }
  s->pushed_seq = st.durable_seq;
  if (p.catalogue_changed)
    rebuild_catalogue(s);
}

typedef struct catch_ctx {
  srv *s;
  conn *c;
  sub *sb;
  uint64_t last;   /* the last seq read */
  int count;       /* events read */
  uint64_t from, upto; /* a stream's events outside [from, upto] are skipped (0, 0: none) */
} catch_ctx;

static int catch_one(void *opaque, const store_event *ev) {
  catch_ctx *k = opaque;
  if (k->upto && (ev->seq < k->from || ev->seq > k->upto))
    return 0;
  eng_event_view v;
  if (eng_event_view_of(k->s->e, ev, &v) != 0)
    return 0;
  event_out e;
  event_out_init(k->s, &e, &v);
  if (sub_matches(k->c, k->sb, &e))
    push_to(k->c, k->sb, &e);
  event_out_free(&e);
  k->last = ev->seq;
  k->count++;
  /* The client's queue is the pace: stop here, go on when it has read. */
  return k->c->qlen >= k->s->cfg.max_queued / 2 ? 1 : 0;
}

#define CATCH_CHUNK 2000 /* log events read per step */
#define CATCH_STEPS 4    /* steps per call: the loop stays responsive */

void srv_catch_up(srv *s, conn *c) {
  for (int i = 0; i < c->nsubs; i++) {
    sub *sb = &c->subs[i];
    for (int step = 0; !sb->live && step < CATCH_STEPS; step++) {
      if (c->wsi == NULL || c->closing || c->qlen >= s->cfg.max_queued / 2)
        return; /* ws_writeable calls again once the client has read */
      uint64_t head = s->pushed_seq;
      if (sb->next > head) {
        json_t *done = json_pack("{s:s, s:s, s:I}", "push", "caught_up", "subscription", sb->id, "seq", (json_int_t)head);
        srv_conn_send(c, done, sb->binary);
        json_decref(done);
        sb->live = true;
        break;
      }
      uint64_t end = head - sb->next + 1 > CATCH_CHUNK ? sb->next + CATCH_CHUNK - 1 : head;
      catch_ctx k = {s, c, sb, sb->next - 1, 0, 0, 0};
      int rc;
      if (!strcmp(sb->scope, "mine")) {
        /* An applicant's own events, through their feed: no scan of the log. */
        rc = eng_applicant_events(s->e, c->who.acct.id, sb->next, head, CATCH_CHUNK, catch_one, &k);
        end = rc == 1 || k.count == CATCH_CHUNK ? k.last : head;
        rc = rc == 1 ? 0 : rc;
      } else if (!strcmp(sb->scope, "dossier")) {
        /* One dossier's events, through its stream (a few dozen): in one go. */
        char stream[96];
        store_read *rd;
        snprintf(stream, sizeof stream, "dossier/%s", sb->dossier);
        k.from = sb->next;
        k.upto = head;
        if ((rc = store_read_begin(eng_store(s->e), &rd)) == 0) {
          rc = store_read_stream(rd, stream, 1, catch_one, &k);
          store_read_end(rd);
        }
        end = rc == 1 ? k.last : head; /* stopped for the queue: on from there next time */
        rc = rc == 1 ? 0 : rc;
      } else {
        rc = store_log_each(eng_store(s->e), sb->next, end, 1000, catch_one, &k);
      }
      if (rc < 0) {
        json_t *e = json_pack("{s:s, s:s, s:o}", "push", "error", "subscription", sb->id, "error",
                              srv_error("unavailable", "the log could not be read: subscribe again with the last seq", NULL));
        srv_conn_send(c, e, sb->binary);
        json_decref(e);
        c->subs[i--] = c->subs[--c->nsubs];
        break;
      }
      sb->next = rc == 1 ? k.last + 1 : end + 1;
    }
    if (!sb->live && c->wsi && !c->closing)
      lws_callback_on_writable(c->wsi); /* more to read: come back */
  }
}

/* ============================================================ connections */

void srv_conn_send_parts(conn *c, const void *a, size_t alen, const void *b, size_t blen, const void *t, size_t tlen,
                     bool binary) {
  if (c->wsi == NULL || c->closing)
    return;
  if (c->qlen >= c->s->cfg.max_queued) {
    srv_conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "the client reads too slowly: reconnect and resume from the last seq");
    return;
  }
  size_t len = alen + blen + tlen;
  out_msg *o = malloc(sizeof *o + LWS_PRE + len);
  if (o == NULL)
    return;
  o->next = NULL;
  o->len = len;
  o->binary = binary;
  unsigned char *p = o->buf + LWS_PRE;
  if (alen)
    memcpy(p, a, alen);
  if (blen)
    memcpy(p + alen, b, blen);
  if (tlen)
    memcpy(p + alen + blen, t, tlen);
  *c->qtail = o;
  c->qtail = &o->next;
  if (c->qlen++ == 0)
    lws_callback_on_writable(c->wsi);
}

void srv_conn_send(conn *c, const json_t *msg, bool binary) {
  mc_buf b = MC_BUF_INIT;
  if (wire_encode(msg, binary, &b) == 0)
    srv_conn_send_parts(c, b.data, b.len, NULL, 0, NULL, 0, binary);
  mc_buf_free(&b);
}

void srv_conn_close(conn *c, int status, const char *reason) {
  if (c->wsi == NULL || c->closing)
    return;
  mc_log(MC_LOG_DEBUG, "ws", "connection %llu from %s closed: %s", (unsigned long long)c->id, c->addr, reason);
  c->closing = true;
  c->close_status = status;
  snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
  lws_callback_on_writable(c->wsi);
}

static void conn_free(conn *c) {
  for (out_msg *o = c->qhead, *n; o; o = n) {
    n = o->next;
    free(o);
  }
  mc_buf_free(&c->rx);
  sodium_memzero(&c->who, sizeof c->who);
  free(c);
}

void srv_conn_release(conn *c) {
  if (--c->jobs == 0 && c->wsi == NULL)
    conn_free(c);
}

void srv_client_addr(srv *s, struct lws *wsi, char *out, size_t size) {
  char peer[API_ADDR_MAX] = "", forwarded[512] = "", xff[512] = "";
  lws_get_peer_simple(wsi, peer, sizeof peer);
  if (s->cfg.trusted_proxies[0] && api_proxy_trusted(s->cfg.trusted_proxies, peer)) {
    if (lws_hdr_custom_copy(wsi, forwarded, sizeof forwarded, "forwarded:", 10) < 0)
      forwarded[0] = '\0';
    if (lws_hdr_copy(wsi, xff, sizeof xff, WSI_TOKEN_X_FORWARDED_FOR) < 0)
      xff[0] = '\0';
  }
  api_client_addr(s->cfg.trusted_proxies, peer, forwarded, xff, out, size);
}

static int count_from(srv *s, const char *addr) {
  int n = 0;
  for (conn *c = s->conns; c; c = c->next)
    n += !strcmp(c->addr, addr);
  return n;
}

/* Messages waiting for one client go out together: consecutive ones of the
 * same encoding in one frame, as an array (docs/PROTOCOL.md allows it;
 * PERFORMANCE-NOTES: a write per message costs ~4 epoll_ctl calls). */
#define FRAME_BATCH_BYTES 65536

static int write_one(conn *c, unsigned char *p, size_t len, bool binary) {
  int n = lws_write(c->wsi, p, len, binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
  if (n < (int)len) {
    mc_log(MC_LOG_INFO, "ws", "connection %llu from %s: a write failed (%d of %zu bytes): closed",
           (unsigned long long)c->id, c->addr, n, len);
    return -1;
  }
  return 0;
}

static void pop(conn *c, int n) {
  for (int i = 0; i < n; i++) {
    out_msg *o = c->qhead;
    c->qhead = o->next;
    c->qlen--;
    free(o);
  }
  if (c->qhead == NULL)
    c->qtail = &c->qhead;
}

static int ws_writeable(conn *c) {
  bool wrote = c->qhead != NULL;
  for (int round = 0; round < 4 && c->qhead && !lws_send_pipe_choked(c->wsi); round++) {
    out_msg *first = c->qhead;
    int n = 0;
    size_t total = 0;
    for (out_msg *o = first; o && o->binary == first->binary && (n == 0 || total + o->len < FRAME_BATCH_BYTES);
         o = o->next) {
      total += o->len + 1;
      n++;
    }
    if (n == 1) {
      if (write_one(c, first->buf + LWS_PRE, first->len, first->binary))
        return -1;
      pop(c, 1);
      continue;
    }
    unsigned char *frame = malloc(LWS_PRE + total + 8);
    if (frame == NULL)
      return -1;
    unsigned char *p = frame + LWS_PRE;
    size_t at = 0;
    if (first->binary) {
      if (n < 16) {
        p[at++] = (unsigned char)(0x90 | n);
      } else {
        p[at++] = 0xdc;
        p[at++] = (unsigned char)(n >> 8);
        p[at++] = (unsigned char)n;
      }
    } else {
      p[at++] = '[';
    }
    out_msg *o = first;
    for (int i = 0; i < n; i++, o = o->next) {
      if (!first->binary && i)
        p[at++] = ',';
      memcpy(p + at, o->buf + LWS_PRE, o->len);
      at += o->len;
    }
    if (!first->binary)
      p[at++] = ']';
    int rc = write_one(c, p, at, first->binary);
    free(frame);
    if (rc)
      return -1;
    pop(c, n);
  }
  if (c->qlen < c->s->cfg.max_queued / 2)
    srv_catch_up(c->s, c);
  if (c->qhead) {
    lws_callback_on_writable(c->wsi);
    return 0;
  }
  if (c->closing) {
    if (wrote) { /* the close frame goes in a callback of its own, after the last message */
      lws_callback_on_writable(c->wsi);
      return 0;
    }
    lws_close_reason(c->wsi, (enum lws_close_status)c->close_status, (unsigned char *)c->close_reason,
                     strlen(c->close_reason));
    return -1;
  }
  return 0;
}

typedef struct pss {
  conn *c;
  http_req *h;
} pss;

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  struct lws_context *ctx = lws_get_context(wsi);
  srv *s = ctx ? lws_context_user(ctx) : NULL;
  pss *p = user;
  switch (reason) {
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
    char uri[64] = "";
    lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
    if (strcmp(uri, "/ws") != 0)
      return -1;
    if (s->stopping || s->nconns >= s->cfg.max_connections)
      return -1;
    char addr[API_ADDR_MAX] = "";
    srv_client_addr(s, wsi, addr, sizeof addr);
    if (count_from(s, addr) >= s->cfg.max_per_address) {
      srv_denied(s, NULL, "connect", NULL, "too many connections from this address");
      return -1;
    }
    return 0;
  }
  case LWS_CALLBACK_ESTABLISHED: {
    conn *c = calloc(1, sizeof *c);
    if (c == NULL)
      return -1;
    c->s = s;
    c->wsi = wsi;
    c->id = ++s->next_conn_id;
    c->qtail = &c->qhead;
    c->last_seen_ms = mc_mono_ms();
    srv_client_addr(s, wsi, c->addr, sizeof c->addr);
    c->next = s->conns;
    if (s->conns)
      s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    s->m.connections_total++;
    p->c = c;
    /* A bearer token on the upgrade authenticates the connection. */
    char auth[128] = "";
    if (lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) > 7 && !strncmp(auth, "Bearer ", 7))
      srv_authenticate(s, auth + 7, &c->who);
    return 0;
  }
  case LWS_CALLBACK_RECEIVE: {
    conn *c = p->c;
    if (c == NULL)
      return -1;
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
    if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
      s->m.frames_in_total++;
      if (c->rx_too_big) {
        s->m.bad_frames_total++;
        char msg[160];
        snprintf(msg, sizeof msg, "the message is longer than %d bytes (max_frame): nothing was done",
                 s->cfg.max_frame);
        json_t *e = json_pack("{s:n, s:b, s:o}", "id", "ok", 0, "error", srv_error("too_large", msg, NULL));
        srv_conn_send(c, e, c->rx_binary);
        json_decref(e);
        metrics_count(&s->m, "frame", OUT_BAD);
      } else {
        ws_message(c, c->rx.data, c->rx.len, c->rx_binary);
      }
      c->rx.len = 0;
      if (c->rx.cap > 65536) { /* a large message's buffer is not kept */
        mc_buf_free(&c->rx);
        c->rx = (mc_buf)MC_BUF_INIT;
      }
    }
    return 0;
  }
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return p->c ? ws_writeable(p->c) : 0;
  case LWS_CALLBACK_CLOSED: {
    conn *c = p->c;
    if (c == NULL)
      return 0;
    p->c = NULL;
    if (c->prev)
      c->prev->next = c->next;
    else
      s->conns = c->next;
    if (c->next)
      c->next->prev = c->prev;
    s->nconns--;
    c->wsi = NULL;
    if (c->jobs == 0)
      conn_free(c);
    return 0;
  }
  default:
    break;
  }
  if (s == NULL || p == NULL)
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  return http_callback(s, wsi, reason, (void **)&p->h, in, len);
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
  for (conn *c = s->conns; c; c = c->next) {
    if (c->wsi && !c->closing && now - c->last_seen_ms > idle && c->jobs == 0)
      srv_conn_close(c, LWS_CLOSE_STATUS_GOINGAWAY, "idle for too long: reconnect when needed");
    /* A session that expired, or was revoked elsewhere (a logout, a password
     * reset), ends on every socket that uses it. */
    acc_session ses;
    if (c->wsi && !c->closing && c->who.authed && acc_session_check(eng_store(s->e), c->who.token, wall, &ses) != 0)
      revoke_conn(c, "the session expired or was revoked: log in again");
  }
  if (srv_now(s) - s->last_catalogue_at > 3600 * 1000)
    rebuild_catalogue(s);
  arm_due(s);
}

static void close_handle(uv_handle_t *h) {
  if (h->data && !uv_is_closing(h))
    uv_close(h, NULL);
}

static void finish_stop(srv *s) {
  uv_timer_stop(&s->stop_timer);
  admin_close(s);
  close_handle((uv_handle_t *)&s->due_timer);
  close_handle((uv_handle_t *)&s->sweep_timer);
  close_handle((uv_handle_t *)&s->delivery_timer);
  close_handle((uv_handle_t *)&s->sigterm);
  close_handle((uv_handle_t *)&s->sigint);
  close_handle((uv_handle_t *)&s->stop_timer);
  close_handle((uv_handle_t *)&s->wake);
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
  uv_timer_stop(&s->due_timer);
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
  eng_account_view a;
  if (eng_account_get(s->e, "admin", &a) == MC_ENOENT) {
    const char *roles[] = {"system_admin"};
    eng_command c = {.kind = ENG_CMD_ACCOUNT, .command_id = "sys/first-admin",
                     .actor = {"motcuad", "system", NULL, "motcuad"}, .expected_version = STORE_ANY_VERSION,
                     .account = {.op = "create", .id = "admin", .name = "Quản trị hệ thống", .roles = {roles, 1}}};
    eng_result r;
    rc = eng_execute(s->e, &c, 1, srv_now(s), &r);
    if (rc == 0 && r.status)
      rc = r.status;
    if (rc) {
      mc_log(MC_LOG_ERROR, "server", "the first administrator could not be created: %s",
             r.message[0] ? r.message : mc_strerror(rc));
      return rc;
    }
    char otp[17], hash[ACC_HASH_LEN];
    acc_one_time_password(otp);
    if ((rc = acc_password_hash(otp, hash)) || (rc = acc_credentials_put(eng_store(s->e), "admin", hash, true)))
      return rc;
    if (s->opt.announce)
      fprintf(s->opt.announce,
              "motcuad: the first administrator is \"admin\" with the one-time password %s\n"
              "motcuad: it must be changed at the first login; this is the only time it is shown\n",
              otp);
    sodium_memzero(otp, sizeof otp);
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
  uv_loop_init(&s->loop);
  pthread_mutex_init(&s->done_mu, NULL);
  s->done_tail = &s->done_head;

  /* lws on our loop; the port is bound before privileges are dropped. */
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  void *foreign[] = {&s->loop};
  info.port = s->cfg.port;
  info.iface = s->cfg.listen_host;
  info.protocols = protocols;
  info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE;
  info.foreign_loops = foreign;
  info.pcontext = &s->ctx;
  info.user = s;
  info.timeout_secs = 20;
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
  rebuild_catalogue(s);
  read_rehearsal_clock(s);
  eng_writer_options wo = {.max_batch = s->cfg.max_batch, .clock = writer_clock, .clock_opaque = s};
  if ((rc = eng_writer_start(s->e, &wo, &s->w)) != 0)
    goto out_engine;
  {
    eng_writer_stats st;
    eng_writer_stats_get(s->w, &st);
    s->pushed_seq = st.durable_seq;
  }

  uv_async_init(&s->loop, &s->wake, wake_cb);
  s->wake.data = s;
  uv_timer_init(&s->loop, &s->due_timer);
  s->due_timer.data = s;
  uv_timer_init(&s->loop, &s->sweep_timer);
  s->sweep_timer.data = s;
  uv_timer_start(&s->sweep_timer, sweep_cb, 5000, 5000);
  uv_timer_init(&s->loop, &s->delivery_timer);
  s->delivery_timer.data = s;
  if (delivery_configured(s))
    uv_timer_start(&s->delivery_timer, delivery_tick, 1000, (uint64_t)s->cfg.delivery_seconds * 1000u);
  else
    mc_log(MC_LOG_WARN, "delivery", "no smtp_url or sms_url: messages and codes wait in the outbox");
  uv_timer_init(&s->loop, &s->stop_timer);
  s->stop_timer.data = s;
  uv_signal_init(&s->loop, &s->sigterm);
  s->sigterm.data = s;
  uv_signal_start(&s->sigterm, signal_cb, SIGTERM);
  uv_signal_init(&s->loop, &s->sigint);
  s->sigint.data = s;
  uv_signal_start(&s->sigint, signal_cb, SIGINT);
  if ((rc = admin_open(s)) != 0)
    goto out_writer;
  arm_due(s);

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
    lws_context_destroy(s->ctx); /* the second call finalises (PERFORMANCE-NOTES) */
  s->ctx = NULL;
  uv_run(&s->loop, UV_RUN_DEFAULT);

out_writer:
  eng_writer_stop(s->w);
  s->w = NULL;
  /* Completions the writer made while stopping. */
  for (job *j = s->done_head, *n; j; j = n) {
    n = j->next;
    srv_job_free(j);
  }
out_engine:
  catalogue_free(s->cat);
  eng_close(s->e);
out_ctx:
  if (s->ctx)
    lws_context_destroy(s->ctx);
  if (s->ctx)
    lws_context_destroy(s->ctx);
out_loop:
  close_handle((uv_handle_t *)&s->wake);
  uv_run(&s->loop, UV_RUN_NOWAIT);
  if (uv_loop_close(&s->loop) != 0)
    mc_log(MC_LOG_WARN, "server", "the loop still had handles at the end");
  pthread_mutex_destroy(&s->done_mu);
  free(s);
  if (rc == 0)
    mc_log(MC_LOG_INFO, "server", "stopped cleanly");
  return rc;
}
