/* pushes.c — see pushes.h. */
#include "api/pushes.h"
#include "dsl/states.h"

#include "api/runtime.h"
#include "api/wire.h"
#include "base/error.h"
#include "base/log.h"
#include "engine/events.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Does `agencies` (a procedure's step agencies: the police of a judicial
 * record, the post office of a postal return) hold `agency`? */
static bool among(const json_t *agencies, const char *agency) {
  size_t i;
  json_t *a;
  json_array_foreach(agencies, i, a) if (!strcmp(json_string_value(a), agency)) return true;
  return false;
}

/* One event on its way to the subscribers: what is worked out once, not
 * once per subscriber — who may see it, and its bytes in each encoding
 * (without the subscription's id, which is spliced in per subscriber). */
typedef struct event_out {
  const eng_event_view *v;
  const json_t *step_agencies;  /* borrowed from the catalogue */
  mc_buf enc[2];                /* [0] JSON, [1] msgpack */
  bool have[2];
  /* For subscriptions to a queue: the dossier's rows after the event (read once). */
  bool rows_read;
  eng_queue_row rows[8];
  int nrows;
} event_out;

/* A transfer's old agency (dossier.transferred: eng_event_view's
 * from_agency): its officials' subscriptions to their agency learn that the
 * dossier left, its queues lose the row. */
static bool left_agency_of(const sub *sb, const eng_event_view *v) {
  const principal *p = &sb->c->who;
  return v->from_agency[0] && !strcmp(v->from_agency, sb->agency) &&
         (srv_principal_reads_all(p) || !strcmp(p->acct.agency, v->from_agency));
}

static bool sub_matches(const sub *sb, const event_out *e) {
  const conn *c = sb->c;
  const eng_event_view *v = e->v;
  if (!c->who.authed || c->who.must_change)
    return false; /* a one-time password reads nothing until it is changed */
  if ((!strcmp(sb->scope, "queue") && !sb->account[0]) || !strcmp(sb->scope, "agency"))
    if (left_agency_of(sb, v))
      return true;
  if (!strcmp(sb->scope, "queue"))
    return sb->account[0] ? v->applicant[0] && !strcmp(v->applicant, c->who.acct.id)
                          : (!strcmp(v->dossier.agency, sb->agency) || among(e->step_agencies, sb->agency)) &&
                                srv_may_read_among(&c->who, v, e->step_agencies);
  if (!strcmp(sb->scope, "mine"))
    return v->applicant[0] && !strcmp(v->applicant, c->who.acct.id);
  if (!strcmp(sb->scope, "dossier"))
    return !strcmp(sb->dossier, v->dossier.code) && srv_may_read_among(&c->who, v, e->step_agencies);
  if (!strcmp(sb->scope, "agency")) {
    if (strcmp(v->dossier.agency, sb->agency) && !among(e->step_agencies, sb->agency))
      return false;
    if (!srv_may_read_among(&c->who, v, e->step_agencies))
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

/* The push's body, 13 keys and `reason` when the event records one (the
 * supplement list as written, the denial's reasons, the apology: read from
 * the log, which these few events are worth); "subscription" comes last,
 * spliced by push_to (a msgpack fixmap holds 15). */
static json_t *push_body(srv *s, const eng_event_view *v) {
  json_t *steps = json_array();
  for (int i = 0; i < v->dossier.nsteps; i++)
    json_array_append_new(steps, json_string(v->dossier.steps[i]));
  json_t *body = json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:s, s:o, s:s, s:s, s:I, s:s, s:s}", "push", "event", "seq",
                   (json_int_t)v->seq, "dossier", v->dossier.code, "type", v->type, "time", (json_int_t)v->time,
                   "version", (json_int_t)v->dossier.version, "state", v->dossier.state, "steps", steps, "procedure",
                   v->dossier.procedure, "agency", v->dossier.agency, "appointment_at",
                   (json_int_t)v->dossier.appointment_at, "action", v->action, "step", v->step);
  if (v->has_reason) {
    mc_buf reason = MC_BUF_INIT;
    if (eng_event_reason(s->e, v->seq, &reason) == 0 && mc_buf_cstr(&reason))
      json_object_set_new(body, "reason", json_string(mc_buf_cstr(&reason)));
    mc_buf_free(&reason);
  }
  return body;
}

static void push_to(const sub *sb, event_out *e) {
  conn *c = sb->c;
  int k = sb->binary ? 1 : 0;
  if (!e->have[k]) {
    json_t *body = push_body(c->s, e->v);
    e->have[k] = srv_wire_encode(body, sb->binary, &e->enc[k]) == 0 && e->enc[k].len > 2;
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
    /* fixmap of 13 (14) -> 14 (15), then "subscription": id */
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

static json_t *text_or_null(const char *s) { return s && s[0] ? json_string(s) : json_null(); }

json_t *srv_queue_row_json(const srv *s, const eng_queue_row *x, mc_instant now) {
  json_t *co = json_array();
  for (int i = 0; i < x->nco_handlers; i++)
    json_array_append_new(co, json_string(x->co_handlers[i]));
  bool overdue = x->due_at && now > x->due_at;
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:b}",
                   "code", x->code, "procedure", x->procedure, "agency", x->agency, "state", x->state, "step", x->step,
                   "title", x->title, "role", x->role, "applicant_name", text_or_null(x->applicant_name), "handler",
                   text_or_null(x->handler), "co_handlers", co, "entered_at", (json_int_t)x->entered_at, "due_at",
                   (json_int_t)x->due_at, "warn_at", (json_int_t)x->warn_at, "submitted_at",
                   (json_int_t)x->submitted_at, "appointment_at", (json_int_t)x->appointment_at, "paused_since",
                   (json_int_t)x->paused_since, "overdue", overdue, "due_soon",
                   !overdue && x->warn_at && now >= x->warn_at, "paused", x->paused_since != 0);
  /* The state as people read it (dsl/states.h), for a page to show. */
  dsl_state st = dsl_state_parse(x->state);
  json_object_set_new(o, "state_label", json_string(st == DSL_STATE_UNKNOWN ? x->state : dsl_state_label(st)));
  /* A retired procedure's name is not in the catalogue: its code then. */
  const char *name = srv_catalogue_name(s->cat, x->procedure);
  json_object_set_new(o, "procedure_name", json_string(name ? name : x->procedure));
  return o;
}

static int row_kept(void *opaque, const eng_queue_row *row) {
  event_out *e = opaque;
  if (e->nrows < (int)(sizeof e->rows / sizeof e->rows[0]))
    e->rows[e->nrows++] = *row;
  return 0;
}

/* A subscription to a queue gets the dossier's rows that are in its queue
 * after the event ({"push": "row"}), or, when none is, that the dossier left
 * it ({"push": "row_gone"}: a client drops the code if it shows it). */
static void queue_push(srv *s, const sub *sb, event_out *e) {
  if (!e->rows_read) {
    e->rows_read = true;
    if (eng_queue_rows_of(s->e, e->v->dossier.code, row_kept, e) != 0)
      e->nrows = 0;
  }
  eng_queue_filter f = {.agency = sb->agency, .step = sb->step, .role = sb->role, .state = sb->state,
                        .procedure = sb->procedure, .handler = sb->handler, .due_soon = sb->due_soon,
                        .overdue = sb->overdue, .waiting = sb->waiting, .paused = sb->paused};
  mc_instant now = srv_now(s);
  int sent = 0;
  for (int i = 0; i < e->nrows; i++) {
    const eng_queue_row *row = &e->rows[i];
    if ((!sb->account[0] && strcmp(row->agency, sb->agency)) || !eng_queue_row_matches(row, &f, now))
      continue;
    json_t *m = json_pack("{s:s, s:s, s:I, s:o}", "push", "row", "subscription", sb->id, "seq", (json_int_t)e->v->seq,
                          "row", srv_queue_row_json(s, row, now));
    srv_conn_send(sb->c, m, sb->binary);
    json_decref(m);
    sent++;
  }
  if (sent == 0) {
    json_t *m = json_pack("{s:s, s:s, s:I, s:s}", "push", "row_gone", "subscription", sb->id, "seq",
                          (json_int_t)e->v->seq, "dossier", e->v->dossier.code);
    srv_conn_send(sb->c, m, sb->binary);
    json_decref(m);
  }
  s->m.pushes_total++;
}

static void event_out_init(srv *s, event_out *e, const eng_event_view *v) {
  memset(e, 0, sizeof *e);
  e->v = v;
  e->step_agencies = srv_catalogue_step_agencies(s->cat, v->dossier.procedure);
}

static void event_out_free(event_out *e) {
  mc_buf_free(&e->enc[0]);
  mc_buf_free(&e->enc[1]);
}

void srv_revoke_conn(conn *c, const char *why) {
  json_t *m = json_pack("{s:s, s:s}", "push", "revoked", "reason", why);
  /* A full queue would close it as too slow, hiding why: then only the
   * close frame's reason tells. */
  if (c->qlen < c->s->cfg.max_queued)
    srv_conn_send(c, m, false);
  json_decref(m);
  sodium_memzero(&c->who, sizeof c->who);
  srv_conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, why);
}

void srv_revoke_account(srv *s, const char *account, const char *why) {
  for (conn *c = s->conns; c; c = c->next)
    if (c->who.authed && !strcmp(c->who.acct.id, account))
      srv_revoke_conn(c, why);
}

void srv_refresh_account(srv *s, const char *account) {
  eng_account_view a;
  if (eng_account_get(s->e, account, &a) != 0)
    return;
  for (conn *c = s->conns; c; c = c->next)
    if (c->who.authed && !strcmp(c->who.acct.id, account))
      c->who.acct = a;
}

void srv_revoke_token(srv *s, const char *token, const char *why) {
  for (conn *c = s->conns; c; c = c->next)
    if (srv_principal_holds(&c->who, token))
      srv_revoke_conn(c, why);
}


/* The subscriptions an event may reach, from the index: those filed under
 * its applicant, its dossier, its agency and each step agency, and "all";
 * then in the order they were made on each connection (the order of the
 * connection's pushes of one event, as before the index). */
typedef struct reach {
  sub **list;
  int n, cap;
} reach;

static void reach_add(reach *r, sub *first) {
  for (sub *sb = first; sb; sb = sb->next_in) {
    if (r->n == r->cap) {
      r->cap = r->cap ? r->cap * 2 : 32;
      r->list = realloc(r->list, (size_t)r->cap * sizeof *r->list);
      if (r->list == NULL)
        mc_oom((size_t)r->cap * sizeof *r->list);
    }
    r->list[r->n++] = sb;
  }
}

static int by_connection(const void *a, const void *b) {
  const sub *x = *(sub *const *)a, *y = *(sub *const *)b;
  if (x->c != y->c)
    return x->c->id < y->c->id ? 1 : -1; /* the newest connection first */
  for (int i = 0; i < x->c->nsubs; i++)
    if (x->c->subs[i] == x || x->c->subs[i] == y)
      return x->c->subs[i] == x ? -1 : 1;
  return 0;
}

static void push_dossier_event(srv *s, const eng_event_view *v) {
  event_out e;
  event_out_init(s, &e, v);
  reach r = {0};
  reach_add(&r, srv_subs_under(&s->subs, SUB_BY_ACCOUNT, v->applicant));
  reach_add(&r, srv_subs_under(&s->subs, SUB_BY_DOSSIER, v->dossier.code));
  reach_add(&r, srv_subs_under(&s->subs, SUB_BY_AGENCY, v->dossier.agency));
  if (v->from_agency[0] && strcmp(v->from_agency, v->dossier.agency))
    reach_add(&r, srv_subs_under(&s->subs, SUB_BY_AGENCY, v->from_agency));
  size_t i;
  json_t *a;
  json_array_foreach(e.step_agencies, i, a) {
    const char *agency = json_string_value(a);
    bool seen = agency == NULL || !strcmp(agency, v->dossier.agency) || !strcmp(agency, v->from_agency);
    for (size_t k = 0; k < i && !seen; k++)
      seen = !strcmp(json_string_value(json_array_get(e.step_agencies, k)), agency);
    if (!seen)
      reach_add(&r, srv_subs_under(&s->subs, SUB_BY_AGENCY, agency));
  }
  reach_add(&r, s->subs.all);
  if (r.n > 1)
    qsort(r.list, (size_t)r.n, sizeof *r.list, by_connection);
  for (int k = 0; k < r.n; k++) {
    sub *sb = r.list[k];
    if (!srv_conn_alive(sb->c) || !sb->c->who.authed || !sub_matches(sb, &e))
      continue;
    if (!strcmp(sb->scope, "queue"))
      queue_push(s, sb, &e);
    else
      push_to(sb, &e);
  }
  free(r.list);
  event_out_free(&e);
}

void srv_push_event(srv *s, const eng_event_view *v, bool *refresh) {
  eng_event_type type = eng_event_parse(v->type, strlen(v->type));
  if (eng_event_is_definition(type)) {
    *refresh = true;
    return;
  }
  if (type == ENG_EV_ACCOUNT_ROLES_SET) {
    /* Its open sockets act in the roles it has now (a role taken off no
     * longer serves a console that said hello before). */
    srv_refresh_account(s, v->subject);
    return;
  }
  if (type == ENG_EV_ACCOUNT_DISABLED) {
    /* Its open sockets close now.  Its stored sessions are deleted (and
     * counted, and flushed) by the disabling job in the pool, off this
     * thread; until then srv_authenticate refuses any of them. */
    srv_revoke_account(s, v->subject, "the account was disabled");
    return;
  }
  if (v->dossier.code[0])
    push_dossier_event(s, v);
}

/* Events the tap did not hand over, read from the log. */
typedef struct read_back {
  srv *s;
  bool *refresh;
  store_read *rd;   /* where the dossiers after the events are read (NULL: a read each) */
} read_back;

static int read_back_one(void *opaque, const store_event *ev) {
  read_back *p = opaque;
  eng_event_view v;
  if (eng_event_view_in(p->s->e, p->rd, ev, &v) != 0) {
    const char *slash = memchr(ev->stream.ptr, '/', ev->stream.len);
    size_t at = slash ? (size_t)(slash - ev->stream.ptr) + 1 : 0;
    memset(&v, 0, sizeof v);
    snprintf(v.type, sizeof v.type, "%.*s", (int)ev->type.len, ev->type.ptr);
    snprintf(v.subject, sizeof v.subject, "%.*s", (int)(ev->stream.len - at), ev->stream.ptr + at);
    v.seq = ev->seq;
    v.time = ev->time;
  }
  srv_push_event(p->s, &v, p->refresh);
  p->s->pushes_read_back++;
  return 0;
}

/* Pushes what lies in the log after the pushed head, up to `upto`. */
static int push_from_log(srv *s, uint64_t upto, bool *refresh) {
  read_back p = {s, refresh, NULL};
  /* One read for the dossiers after the events (all durable, so in it). */
  if (store_read_begin(eng_store(s->e), &p.rd) != 0)
    p.rd = NULL;
  int rc = store_log_each(eng_store(s->e), s->pushed_seq + 1, upto, 1000, read_back_one, &p);
  store_read_end(p.rd);
  if (rc) {
    mc_log(MC_LOG_ERROR, "push", "reading the log after %llu failed: %s", (unsigned long long)s->pushed_seq,
           mc_strerror(rc));
    return rc;
  }
  s->pushed_seq = upto;
  return 0;
}

void srv_publish(srv *s) {
  /* The durable head first: every batch up to it was handed to the tap
   * before the writer said it was durable, so it is in the list taken next. */
  eng_writer_stats st;
  eng_writer_stats_get(s->w, &st);
  bool refresh = false, failed = false;
  for (tapped *t = srv_jobs_take_tapped(s), *next; t; t = next) {
    next = t->next;
    for (int i = 0; i < t->n && !failed; i++) {
      const eng_event_view *v = &t->events[i];
      if (v->seq <= s->pushed_seq)
        continue; /* pushed from the log already */
      if (v->seq > s->pushed_seq + 1 && push_from_log(s, v->seq - 1, &refresh) != 0) {
        failed = true;
        break;
      }
      srv_push_event(s, v, &refresh);
      s->pushed_seq = v->seq;
    }
    free(t);
  }
  if (!failed && st.durable_seq > s->pushed_seq)
    push_from_log(s, st.durable_seq, &refresh);
  if (refresh)
    srv_catalogue_refresh(s);
}

typedef struct catch_ctx {
  srv *s;
  conn *c;
  sub *sb;
  uint64_t last;   /* the last seq read */
  int count;       /* events read */
  uint64_t from, upto; /* a stream's events outside [from, upto] are skipped (0, 0: none) */
  bool paused;     /* stopped for the client's queue (whatever the reader returned) */
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
  if (sub_matches(k->sb, &e))
    push_to(k->sb, &e);
  event_out_free(&e);
  k->last = ev->seq;
  k->count++;
  /* The client's queue is the pace: stop here, go on when it has read. */
  k->paused = k->c->qlen >= k->s->cfg.max_queued / 2;
  return k->paused ? 1 : 0;
}

#define CATCH_CHUNK 2000 /* log events read per step */
#define CATCH_STEPS 4    /* steps per call: the loop stays responsive */

void srv_catch_up(conn *c) {
  srv *s = c->s;
  for (int i = 0; i < c->nsubs; i++) {
    sub *sb = c->subs[i];
    for (int step = 0; !sb->live && step < CATCH_STEPS; step++) {
      if (!srv_conn_alive(c) || c->qlen >= s->cfg.max_queued / 2)
        return; /* ws_writeable calls again once the client has read */
      uint64_t head = s->pushed_seq;
      if (sb->next > head) {
        json_t *done = json_pack("{s:s, s:s, s:I}", "push", "caught_up", "subscription", sb->id, "seq", (json_int_t)head);
        srv_conn_send(c, done, sb->binary);
        json_decref(done);
        srv_subs_add(&s->subs, sb); /* live */
        break;
      }
      uint64_t end = head - sb->next + 1 > CATCH_CHUNK ? sb->next + CATCH_CHUNK - 1 : head;
      catch_ctx k = {s, c, sb, sb->next - 1, 0, 0, 0, false};
      int rc;
      if (!strcmp(sb->scope, "mine")) {
        /* An applicant's own events, through their feed: no scan of the log. */
        rc = eng_applicant_events(s->e, c->who.acct.id, sb->next, head, CATCH_CHUNK, catch_one, &k);
        end = k.paused || k.count == CATCH_CHUNK ? k.last : head;
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
        /* Stopped for the queue: on from there next time (the stream's
         * reader says 0 however it stopped: the context knows). */
        end = k.paused ? k.last : head;
        rc = rc == 1 ? 0 : rc;
      } else {
        rc = store_log_each(eng_store(s->e), sb->next, end, 1000, catch_one, &k);
      }
      if (rc < 0) {
        json_t *e = json_pack("{s:s, s:s, s:o}", "push", "error", "subscription", sb->id, "error",
                              srv_error("unavailable", "the log could not be read: subscribe again with the last seq", NULL));
        srv_conn_send(c, e, sb->binary);
        json_decref(e);
        srv_conn_sub_remove(c, i--);
        sb = NULL; /* freed */
        break;
      }
      sb->next = k.paused ? k.last + 1 : end + 1;
    }
    if (sb && !sb->live && srv_conn_alive(c) && c->wsi)
      lws_callback_on_writable(c->wsi); /* more to read: come back */
  }
}

