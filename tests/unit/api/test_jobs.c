/* test_jobs.c — jobs and their completions (api/jobs.c) on a real libuv
 * loop and the engine's writer thread, over a data directory with the
 * bundled workflows published, with no socket: a job runs its `work` in the
 * pool, then its commands in the writer, then its `after` in the pool, then
 * its `finish` on the loop, in that order; the events of its commands reach
 * the subscribers (srv_publish, from the tap: nothing read back) before its
 * finish; a job without an owner completes; a job holding a connection lws
 * closed meanwhile frees it at the end (ASan: no leak, no use after free);
 * a job with no commands completes; when the server stops, commands are
 * refused and the job still completes; events the tap did not hand over
 * are read from the log. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/api/fixture.h"

#include "api/pushes.h"
#include "api/runtime.h"
#include "api/wire.h"
#include "base/canon.h"
#include "base/error.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];
static eng_engine *eng;
static mc_buf birth; /* an e-form the commands borrow */

static mc_instant at(const char *iso) { return api_fx_at(iso); }

static uint64_t head(void) { return api_fx_head(eng); }

static int count_dossier_event(void *opaque, const store_event *ev) {
  *(int *)opaque += ev->stream.len > 8 && memcmp(ev->stream.ptr, "dossier/", 8) == 0;
  return 0;
}

/* The dossier events of the log in (after, upto]: what an auditor's "all" gets. */
static int dossier_events(uint64_t after, uint64_t upto) {
  int n = 0;
  if (upto > after)
    assert_int_equal(store_log_each(eng_store(eng), after + 1, upto, 100, count_dossier_event, &n), 0);
  return n;
}

static int setup(void **state) {
  (void)state;
  return api_fx_open("jobs", dir, &eng) == 0 && api_fx_birth_form(&birth) == 0 ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  mc_buf_free(&birth);
  return api_fx_close(dir, eng);
}

/* ============================================================ the server */

/* What each job went through, in order (the pool's threads write too). */
enum { STEP_WORK = 1, STEP_AFTER, STEP_FINISH };
typedef struct trace {
  int steps[8];
  int nsteps;
  int ndone_in_work, ndone_in_after;   /* commands done when work and after ran */
  uint64_t head_in_work, head_in_after; /* the log's head then */
  int queued_at_finish;                /* pushes the subscriber had at the finish */
  int in_flight_at_finish;
  bool finished;
} trace;

static pthread_mutex_t trace_mu = PTHREAD_MUTEX_INITIALIZER;
static int outstanding;   /* jobs not finished yet: the loop ends at 0 */
static conn *watcher;     /* an auditor's connection subscribed to "all" */

static void step(trace *t, int what) {
  pthread_mutex_lock(&trace_mu);
  if (t->nsteps < 8)
    t->steps[t->nsteps++] = what;
  pthread_mutex_unlock(&trace_mu);
}

/* As server.c: the pushes first, then each job's after and finish. */
static void completions(srv *s, job *list) {
  srv_publish(s);
  for (job *j = list, *next; j; j = next) {
    next = j->next;
    srv_job_finish(j);
  }
}

static eng_writer_options wo;
static mc_instant clock_now;
static mc_instant writer_clock(void *opaque) {
  (void)opaque;
  return clock_now;
}

static srv *server_open(void) {
  srv *s = calloc(1, sizeof *s);
  assert_non_null(s);
  s->cfg.max_queued = 1000;
  s->e = eng;
  assert_int_equal(uv_loop_init(&s->loop), 0);
  srv_subs_init(&s->subs);
  assert_int_equal(srv_jobs_open(s, completions), 0);
  clock_now = at("2026-05-04T08:00");
  wo = (eng_writer_options){.clock = writer_clock};
  assert_int_equal(eng_writer_start(eng, &wo, &s->w), 0);
  eng_writer_stats st;
  eng_writer_stats_get(s->w, &st);
  s->pushed_seq = st.durable_seq;
  assert_int_equal(s->pushed_seq, head());

  /* A watcher: an auditor's live "all". */
  watcher = srv_conn_open(s, NULL, "10.0.0.1");
  principal p;
  memset(&p, 0, sizeof p);
  p.authed = true;
  snprintf(p.acct.id, sizeof p.acct.id, "kiemtra");
  snprintf(p.acct.agency, sizeof p.acct.agency, "H13.TTHCC");
  snprintf(p.acct.roles[0], sizeof p.acct.roles[0], "auditor");
  p.acct.nroles = 1;
  srv_conn_set_principal(watcher, &p);
  sub sb;
  memset(&sb, 0, sizeof sb);
  snprintf(sb.id, sizeof sb.id, "s1");
  snprintf(sb.scope, sizeof sb.scope, "all");
  sb.live = true;
  assert_non_null(srv_conn_sub_add(watcher, &sb));
  outstanding = 0;
  return s;
}

/* Runs the loop until every job finished, then stops it all. */
static void server_run_and_close(srv *s) {
  if (outstanding > 0)
    uv_run(&s->loop, UV_RUN_DEFAULT);
  assert_int_equal(outstanding, 0);
  assert_int_equal(s->jobs_in_flight, 0);
  eng_writer_stop(s->w);
  s->w = NULL;
  srv_jobs_close(s);
  uv_run(&s->loop, UV_RUN_DEFAULT);
  srv_jobs_drop(s);
  while (s->conns)
    srv_conn_gone(s->conns);
  assert_int_equal(s->subs.nlive, 0);
  srv_subs_free(&s->subs);
  srv_catalogue_free(s->cat);
  assert_int_equal(uv_loop_close(&s->loop), 0);
  free(s);
}

static trace *trace_of(job *j) { return (trace *)(intptr_t)json_integer_value(json_object_get(j->data, "trace")); }

static void work_fn(job *j) {
  trace *t = trace_of(j);
  step(t, STEP_WORK);
  t->ndone_in_work = j->ndone;
  t->head_in_work = head();
}

static void after_fn(job *j) {
  trace *t = trace_of(j);
  step(t, STEP_AFTER);
  t->ndone_in_after = j->ndone;
  t->head_in_after = head();
}

static void finish_fn(job *j) {
  trace *t = trace_of(j);
  step(t, STEP_FINISH);
  t->queued_at_finish = watcher ? watcher->qlen : -1;
  t->in_flight_at_finish = j->s->jobs_in_flight;
  t->finished = true;
  /* The job's results, kept for the test (the job goes now). */
  json_t *res = json_array();
  for (int i = 0; i < j->ncmds; i++)
    json_array_append_new(res, json_pack("{s:i, s:I, s:I, s:s}", "status", j->results[i].status, "first_seq",
                                         (json_int_t)j->results[i].first_seq, "count", (json_int_t)j->results[i].count,
                                         "dossier", j->results[i].dossier));
  json_t *keep = (json_t *)(intptr_t)json_integer_value(json_object_get(j->data, "results"));
  if (keep)
    json_array_extend(keep, res);
  json_decref(res);
  srv *s = j->s;
  srv_job_free(j);
  if (--outstanding == 0)
    srv_jobs_close(s); /* the loop ends */
}

/* A job carrying its trace and where its results go. */
static job *new_job(srv *s, const srv_owner *holds, void *owner, trace *t, json_t *results) {
  job *j = srv_job_new(s, holds, owner, "test");
  assert_non_null(j);
  j->data = json_pack("{s:I, s:I}", "trace", (json_int_t)(intptr_t)t, "results", (json_int_t)(intptr_t)results);
  j->finish = finish_fn;
  outstanding++;
  return j;
}

static void add_submit(job *j, const char *applicant) {
  eng_command *c = srv_job_command(j);
  assert_non_null(c);
  c->kind = ENG_CMD_SUBMIT;
  c->actor = (eng_actor){srv_job_strdup(j, applicant), "applicant", NULL, "test"};
  c->submit.procedure = srv_job_strdup(j, "1.001193");
  c->submit.agency = srv_job_strdup(j, "H13.X01");
  c->submit.channel = srv_job_strdup(j, "online");
  c->submit.form = (eng_bytes){birth.data, birth.len};
}

/* ============================================================ tests */

static void work_then_commands_then_after_then_finish(void **state) {
  (void)state;
  srv *s = server_open();
  uint64_t before = s->pushed_seq;
  trace t = {0};
  json_t *results = json_array();
  job *j = new_job(s, NULL, NULL, &t, results);
  j->work = work_fn;
  j->after = after_fn;
  add_submit(j, "027190001111");
  add_submit(j, "027190002222");
  assert_int_equal(j->ncmds, 2);
  srv_job_start(j);
  assert_int_equal(s->jobs_in_flight, 1);
  server_run_and_close(s);

  assert_true(t.finished);
  assert_int_equal(t.nsteps, 3);
  assert_int_equal(t.steps[0], STEP_WORK);
  assert_int_equal(t.steps[1], STEP_AFTER);
  assert_int_equal(t.steps[2], STEP_FINISH);
  /* work before the commands, after once they are durable. */
  assert_int_equal(t.ndone_in_work, 0);
  assert_int_equal(t.head_in_work, before);
  assert_int_equal(t.ndone_in_after, 2);
  assert_int_equal(json_array_size(results), 2);
  uint64_t last = before;
  for (size_t i = 0; i < 2; i++) {
    json_t *r = json_array_get(results, i);
    assert_int_equal(json_integer_value(json_object_get(r, "status")), 0);
    uint64_t first = (uint64_t)json_integer_value(json_object_get(r, "first_seq"));
    uint64_t count = (uint64_t)json_integer_value(json_object_get(r, "count"));
    assert_true(first > before);
    assert_true(count >= 1);
    if (first + count - 1 > last)
      last = first + count - 1;
  }
  assert_int_equal(t.head_in_after, last);
  assert_int_equal(t.in_flight_at_finish, 0);
  /* The events reached the watcher before the job's finish, from the tap. */
  assert_true(dossier_events(before, last) >= 2);
  assert_int_equal(t.queued_at_finish, dossier_events(before, last));
  json_decref(results);
}

static void pushes_come_from_the_tap_not_the_log(void **state) {
  (void)state;
  srv *s = server_open();
  uint64_t before = s->pushed_seq;
  trace t = {0};
  json_t *results = json_array();
  job *j = new_job(s, NULL, NULL, &t, results);
  add_submit(j, "027190003333");
  srv_job_start(j);
  /* Kept to look at once the loop ends: the connection stays registered. */
  conn *w = watcher;
  if (outstanding > 0)
    uv_run(&s->loop, UV_RUN_DEFAULT);
  int queued_before_close = w->qlen;
  assert_int_equal(s->pushes_read_back, 0);
  assert_int_equal(s->pushed_seq, head());
  assert_int_equal(queued_before_close, dossier_events(before, head()));
  /* The push is the submission's. */
  char why[128];
  json_t *m = srv_wire_decode(w->qhead->buf + LWS_PRE, w->qhead->len, false, why, sizeof why);
  assert_non_null(m);
  assert_string_equal(json_string_value(json_object_get(m, "push")), "event");
  assert_string_equal(json_string_value(json_object_get(m, "subscription")), "s1");
  assert_string_equal(json_string_value(json_object_get(m, "type")), "dossier.submitted");
  assert_string_equal(json_string_value(json_object_get(m, "dossier")),
                      json_string_value(json_object_get(json_array_get(results, 0), "dossier")));
  assert_int_equal(json_integer_value(json_object_get(m, "seq")), before + 1);
  json_decref(m);
  json_decref(results);
  server_run_and_close(s);
}

/* Events the tap did not hand over (the pushed head behind the log) are
 * read from the log: counted as read back, and pushed in order. */
static void a_gap_is_read_from_the_log(void **state) {
  (void)state;
  srv *s = server_open();
  uint64_t durable = s->pushed_seq;
  assert_true(durable > 3);
  s->pushed_seq = durable - 3; /* the last three were never pushed */
  trace t = {0};
  json_t *results = json_array();
  job *j = new_job(s, NULL, NULL, &t, results);
  add_submit(j, "027190004444");
  srv_job_start(j);
  conn *w = watcher;
  if (outstanding > 0)
    uv_run(&s->loop, UV_RUN_DEFAULT);
  assert_int_equal(s->pushes_read_back, 3);
  assert_int_equal(s->pushed_seq, head());
  /* The earlier tests' events (dossiers: pushed to "all"), then the new one, in order. */
  uint64_t prev = 0;
  int n = 0;
  for (const out_msg *o = w->qhead; o; o = o->next, n++) {
    char why[128];
    json_t *m = srv_wire_decode(o->buf + LWS_PRE, o->len, false, why, sizeof why);
    assert_non_null(m);
    uint64_t seq = (uint64_t)json_integer_value(json_object_get(m, "seq"));
    assert_true(seq > prev);
    assert_true(seq > durable - 3);
    prev = seq;
    json_decref(m);
  }
  assert_int_equal(prev, head());
  assert_int_equal(n, dossier_events(durable - 3, head()));
  assert_true(n >= 2); /* at least one read back, and the new submission */
  json_decref(results);
  server_run_and_close(s);
}

static void a_job_without_an_owner_or_commands_completes(void **state) {
  (void)state;
  srv *s = server_open();
  trace t1 = {0}, t2 = {0}, t3 = {0};
  json_t *r1 = json_array(), *r2 = json_array(), *r3 = json_array();
  /* An owner that is not held (an HTTP request) goes while the job is in
   * flight: it clears `owner`. */
  int request = 0;
  job *gone = new_job(s, NULL, &request, &t1, r1);
  add_submit(gone, "027190005555");
  srv_job_start(gone);
  gone->owner = NULL;
  /* No commands: work, then the finish. */
  job *bare = new_job(s, NULL, NULL, &t2, r2);
  bare->work = work_fn;
  bare->after = after_fn;
  srv_job_start(bare);
  /* Two commands and nothing else. */
  job *two = new_job(s, NULL, NULL, &t3, r3);
  add_submit(two, "027190006666");
  add_submit(two, "027190007777");
  srv_job_start(two);
  assert_int_equal(s->jobs_in_flight, 3);
  server_run_and_close(s);
  assert_true(t1.finished);
  assert_int_equal(json_array_size(r1), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(r1, 0), "status")), 0);
  assert_true(t2.finished);
  assert_int_equal(t2.nsteps, 3);
  assert_int_equal(t2.steps[0], STEP_WORK);
  assert_int_equal(t2.steps[1], STEP_AFTER);
  assert_int_equal(t2.steps[2], STEP_FINISH);
  assert_int_equal(json_array_size(r2), 0);
  assert_true(t3.finished);
  assert_int_equal(json_array_size(r3), 2);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(r3, 1), "status")), 0);
  json_decref(r1);
  json_decref(r2);
  json_decref(r3);
}

/* A job holds its connection; lws closes it meanwhile: the job completes
 * and frees it (ASan: not sooner, not never). */
static void a_held_connection_gone_meanwhile_is_freed_by_its_job(void **state) {
  (void)state;
  srv *s = server_open();
  conn *c = srv_conn_open(s, NULL, "10.0.0.3");
  trace t = {0};
  json_t *r = json_array();
  job *j = new_job(s, &srv_conn_owner, c, &t, r);
  j->after = after_fn;
  add_submit(j, "027190008888");
  assert_int_equal(c->jobs, 1);
  srv_job_start(j);
  srv_conn_gone(c);
  assert_true(c->gone);
  assert_int_equal(c->jobs, 1); /* still held: not freed */
  assert_int_equal(s->nconns, 1); /* the watcher only */
  server_run_and_close(s);
  assert_true(t.finished);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "status")), 0);
  json_decref(r);
}

/* Stopping: commands are refused (retry with the same id), the job completes. */
static void commands_of_a_stopping_server_are_refused(void **state) {
  (void)state;
  srv *s = server_open();
  uint64_t before = head();
  trace t = {0};
  json_t *r = json_array();
  job *j = new_job(s, NULL, NULL, &t, r);
  j->work = work_fn;
  add_submit(j, "027190009999");
  add_submit(j, "027190009998");
  s->stopped = true;
  srv_job_start(j);
  server_run_and_close(s);
  assert_true(t.finished);
  assert_int_equal(json_array_size(r), 2);
  for (size_t i = 0; i < 2; i++)
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r, i), "status")), MC_EIO);
  assert_int_equal(head(), before);
  json_decref(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(work_then_commands_then_after_then_finish),
      cmocka_unit_test(pushes_come_from_the_tap_not_the_log),
      cmocka_unit_test(a_gap_is_read_from_the_log),
      cmocka_unit_test(a_job_without_an_owner_or_commands_completes),
      cmocka_unit_test(a_held_connection_gone_meanwhile_is_freed_by_its_job),
      cmocka_unit_test(commands_of_a_stopping_server_are_refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
