/* schedule.c — see schedule.h. */
#include "api/schedule.h"

#include "api/runtime.h"
#include "base/error.h"
#include "base/log.h"
#include "office/delivery.h"

#include <stdlib.h>
#include <string.h>

/* ============================================================ delivery */


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

bool srv_delivery_configured(const srv *s) { return s->cfg.smtp_url[0] || s->cfg.sms_url[0]; }

void srv_deliver_soon(srv *s) {
  if (!srv_delivery_configured(s) || s->stopping)
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


/* On the loop, once the firing is durable: the next due instant is armed
 * after the completions (server.c). */
static void fired(job *j) {
  srv *s = j->s;
  s->firing = false;
  s->fire_failed_at = j->status ? srv_now(s) : 0;
  srv_job_free(j);
}

/* On the writer thread. */
static void fire_done(void *opaque, const eng_command *cmd, const eng_result *r) {
  srv *s = opaque;
  (void)cmd;
  if (r->status)
    mc_log(MC_LOG_ERROR, "timers", "firing the due timers failed: %s", mc_strerror(r->status));
  job *j = srv_job_new(s, NULL, NULL, "timers");
  if (j == NULL)
    mc_oom(sizeof *j);
  j->status = r->status;
  j->ndone = (int)r->count;
  j->finish = fired;
  srv_job_completed(j);
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

void srv_arm_due(srv *s) {
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

/* ============================================================ start, stop */

int srv_schedule_open(srv *s) {
  uv_timer_init(&s->loop, &s->due_timer);
  s->due_timer.data = s;
  uv_timer_init(&s->loop, &s->delivery_timer);
  s->delivery_timer.data = s;
  if (srv_delivery_configured(s))
    uv_timer_start(&s->delivery_timer, delivery_tick, 1000, (uint64_t)s->cfg.delivery_seconds * 1000u);
  else
    mc_log(MC_LOG_WARN, "delivery", "no smtp_url or sms_url: messages and codes wait in the outbox");
  return 0;
}

void srv_schedule_stop(srv *s) { uv_timer_stop(&s->due_timer); }

static void close_handle(uv_handle_t *h) {
  if (h->data && !uv_is_closing(h))
    uv_close(h, NULL);
}

void srv_schedule_close(srv *s) {
  close_handle((uv_handle_t *)&s->due_timer);
  close_handle((uv_handle_t *)&s->delivery_timer);
}
