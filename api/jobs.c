/* jobs.c — see jobs.h: jobs, the writer's completions and the tap's events
 * handed to the loop. */
#include "api/jobs.h"

#include "api/runtime.h"
#include "base/error.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

job *srv_job_new(srv *s, const srv_owner *holds, void *owner, const char *op) {
  job *j = calloc(1, sizeof *j);
  if (j == NULL)
    return NULL;
  j->s = s;
  j->holds = holds;
  j->owner = owner;
  snprintf(j->op, sizeof j->op, "%s", op);
  j->started_ns = mc_mono_ns();
  if (holds && owner)
    holds->hold(owner);
  return j;
}

void srv_job_free(job *j) {
  if (j == NULL)
    return;
  if (j->holds && j->owner)
    j->holds->release(j->owner);
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

/* On any thread. */
void srv_job_completed(job *j) {
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
  /* Atomic: a command the writer refused to queue is done here, on the
   * loop, while the writer may finish the job's earlier ones. */
  if (__atomic_add_fetch(&j->ndone, 1, __ATOMIC_ACQ_REL) == j->ncmds)
    srv_job_completed(j);
}

static void submit_cmds(job *j) {
  if (j->ncmds == 0) {
    srv_job_completed(j);
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

/* A job whose `work` failed (j->status) runs none of its commands: each is
 * answered with that failure. */
static void submit_unless_failed(job *j) {
  if (j->status == 0 || j->ncmds == 0) {
    submit_cmds(j);
    return;
  }
  for (int i = 0; i < j->ncmds; i++) {
    eng_result r = {0};
    ENG_REFUSE(&r, j->status, BATCH_FAILED, mc_strerror(j->status));
    cmd_done(j, &j->cmds[i], &r);
  }
}

static void pool_work(uv_work_t *w) {
  job *j = w->data;
  j->work(j);
}

static void pool_after(uv_work_t *w, int status) {
  job *j = w->data;
  (void)status;
  submit_unless_failed(j);
}

void srv_job_start(job *j) {
  j->s->jobs_in_flight++;
  if (j->work) {
    j->uv.data = j;
    if (uv_queue_work(&j->s->loop, &j->uv, pool_work, pool_after) == 0)
      return;
    j->work(j);
    submit_unless_failed(j);
    return;
  }
  submit_cmds(j);
}

static void after_work(uv_work_t *w) {
  job *j = w->data;
  j->after(j);
}

static void after_done(uv_work_t *w, int status) {
  job *j = w->data;
  (void)status;
  j->after = NULL;
  srv_job_finish(j);
}

void srv_job_finish(job *j) {
  srv *s = j->s;
  if (j->after) {
    j->uv.data = j;
    if (uv_queue_work(&s->loop, &j->uv, after_work, after_done) == 0)
      return;
    j->after(j);
    j->after = NULL;
  }
  s->jobs_in_flight--;
  assert(s->jobs_in_flight >= 0);
  if (j->finish)
    j->finish(j);
  else
    srv_job_free(j);
}

/* The engine's tap, on the writer thread: the batch's events are copied for
 * the loop (api/pushes.h).  It is not woken for them: the completions of
 * the batch's commands, queued right after, wake it once for both (a
 * batch of the delivery worker's outcomes is pushed at the next wake, as
 * it always was). */
static void tap(void *opaque, const eng_event_view *events, int n) {
  srv *s = opaque;
  tapped *t = malloc(sizeof *t + (size_t)n * sizeof t->events[0]);
  if (t == NULL)
    return; /* the pushes read these events from the log instead */
  t->next = NULL;
  t->n = n;
  memcpy(t->events, events, (size_t)n * sizeof t->events[0]);
  pthread_mutex_lock(&s->done_mu);
  *s->tap_tail = t;
  s->tap_tail = &t->next;
  pthread_mutex_unlock(&s->done_mu);
}

static void wake_cb(uv_async_t *a) {
  srv *s = a->data;
  pthread_mutex_lock(&s->done_mu);
  job *list = s->done_head;
  s->done_head = NULL;
  s->done_tail = &s->done_head;
  pthread_mutex_unlock(&s->done_mu);
  s->on_done(s, list);
}

int srv_jobs_open(srv *s, srv_jobs_done_fn done) {
  pthread_mutex_init(&s->done_mu, NULL);
  s->done_tail = &s->done_head;
  s->tap_tail = &s->tap_head;
  s->on_done = done;
  int rc = uv_async_init(&s->loop, &s->wake, wake_cb);
  if (rc)
    return MC_EIO;
  s->wake.data = s;
  eng_set_tap(s->e, tap, s);
  return 0;
}

tapped *srv_jobs_take_tapped(srv *s) {
  pthread_mutex_lock(&s->done_mu);
  tapped *t = s->tap_head;
  s->tap_head = NULL;
  s->tap_tail = &s->tap_head;
  pthread_mutex_unlock(&s->done_mu);
  return t;
}

void srv_jobs_close(srv *s) {
  if (s->wake.data && !uv_is_closing((uv_handle_t *)&s->wake))
    uv_close((uv_handle_t *)&s->wake, NULL);
}

void srv_jobs_drop(srv *s) {
  if (s->done_tail == NULL)
    return; /* never opened */
  if (s->e)
    eng_set_tap(s->e, NULL, NULL);
  for (job *j = s->done_head, *n; j; j = n) {
    n = j->next;
    srv_job_free(j);
  }
  s->done_head = NULL;
  s->done_tail = &s->done_head;
  for (tapped *t = srv_jobs_take_tapped(s), *n; t; t = n) {
    n = t->next;
    free(t);
  }
  pthread_mutex_destroy(&s->done_mu);
  s->done_tail = NULL;
}
