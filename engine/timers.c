/* timers.c — the timers: finding the ones due (the timers projection,
 * ENG_PROJ_TIMERS) and firing them in batches, each re-checked against the
 * dossier as it stands (eng_next_due, eng_fire_due).  The timer's key is
 * engine/timers.h's, which the projection (engine.c) writes with. */
#include "engine/decide.h"
#include "engine/timers.h"

#include "base/error.h"
#include "base/log.h"

#include <stdlib.h>
#include <string.h>

typedef struct due_timer {
  int64_t due;
  char code[64];
  int32_t node;
  char kind;
} due_timer;

typedef struct scan_ctx {
  int64_t until;
  due_timer *timers;
  int n, cap;
} scan_ctx;

static int collect(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  scan_ctx *sc = opaque;
  eng_timer_key tk;
  (void)val, (void)vlen;
  if (!eng__timer_key_parse(key, klen, &tk))
    return 1;
  if (tk.due > sc->until || sc->n == ENG_FIRE_CHUNK)
    return 1;
  if (sc->n == sc->cap) {
    int cap = sc->cap ? sc->cap * 2 : 64;
    due_timer *t = realloc(sc->timers, (size_t)cap * sizeof *t);
    if (t == NULL)
      return MC_ENOMEM;
    sc->timers = t;
    sc->cap = cap;
  }
  due_timer *t = &sc->timers[sc->n++];
  if (tk.code_len >= sizeof t->code)
    return MC_EPARSE;
  t->due = tk.due;
  memcpy(t->code, tk.code, tk.code_len);
  t->code[tk.code_len] = '\0';
  t->node = tk.node;
  t->kind = tk.kind;
  return 0;
}

static int scan_due(eng_engine *e, int64_t until, scan_ctx *sc) {
  store_read *rd;
  int rc = store_read_begin(e->st, &rd);
  if (rc)
    return rc;
  sc->until = until;
  rc = store_read_proj_scan(rd, ENG_PROJ_TIMERS, "t/", 2, collect, sc);
  store_read_end(rd);
  return rc;
}

static int first_key(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  int64_t due;
  (void)val, (void)vlen;
  if (eng__timer_key_due(key, klen, &due))
    *(int64_t *)opaque = due;
  return 1; /* the first key is the earliest */
}

int eng_next_due(eng_engine *e, mc_instant *due, bool *any) {
  store_read *rd;
  int64_t first = INT64_MIN;
  int rc = store_read_begin(e->st, &rd);
  if (rc)
    return rc;
  rc = store_read_proj_scan(rd, ENG_PROJ_TIMERS, "t/", 2, first_key, &first);
  store_read_end(rd);
  *any = rc == 0 && first != INT64_MIN;
  *due = *any ? first : 0;
  return rc;
}

/* Fires one timer, re-checked against the dossier as the batch sees it. */
static int fire(decide *d, const due_timer *t, bool *fired) {
  eng_snap s;
  uint64_t version;
  msgpack_unpacked u;
  int rc;
  *fired = false;
  if ((rc = dec_load_snap(d, t->code, &s, &version)))
    return rc;
  if (dec_final_state(s.state))
    return 0;
  if ((rc = dec_load_defs(d, &s)))
    return rc;
  if (t->node == ENG_DEADLINE_NODE) {
    /* The appointment's own timers: moot once decided or moved. */
    bool near = t->kind == 'n' && s.deadline_warn == t->due, passed = t->kind == 'a' && s.deadline_due == t->due;
    if (s.decided_at || s.paused_since || (!near && !passed))
      return 0;
    *fired = true;
    if (near)
      s.deadline_warn = 0;
    else
      s.deadline_due = 0;
    dec_note(d, "official", near ? "deadline_near" : "deadline_passed");
    what w = {.action = near ? "deadline_near" : "deadline_passed", .due_at = t->due};
    return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
  }
  int ti = -1;
  for (int i = 0; i < s.ntokens; i++)
    if (s.tokens[i].node == t->node && ((t->kind == 'd' && s.tokens[i].due == t->due) ||
                                        (t->kind == 'w' && s.tokens[i].warn == t->due)))
      ti = i;
  if (ti < 0)
    return 0; /* moot: the dossier moved on, or it already fired */
  const dsl_m_node *n = &d->m->nodes[t->node];
  *fired = true;
  if (t->kind == 'w') {
    s.tokens[ti].warn = 0;
    dec_note_at(d, "official", "step_warning", n->agency); /* the step's agency, if done elsewhere */
    what w = {.action = "warn", .step = n->name, .due_at = t->due};
    return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
  }
  bool has_timeout = false;
  for (int i = 0; i < n->nout; i++)
    has_timeout |= n->out[i].action && !strcmp(n->out[i].action, "timeout");
  if (has_timeout) {
    /* The step ends when its limit passed, not when the engine noticed:
     * what follows (the end of the dossier, the next step's limit) counts
     * from the due instant; the event keeps the writer's time. */
    mc_instant now = d->now;
    d->event_time = now;
    if (t->due > s.tokens[ti].entered)
      d->now = t->due;
    msgpack_unpacked_init(&u);
    if ((rc = dec_load_form(d, s.code, &u)) == 0)
      rc = dec_take(d, &s, version, ti, "timeout", t->due);
    msgpack_unpacked_destroy(&u);
    d->now = now;
    d->event_time = 0;
    return rc;
  }
  s.tokens[ti].due = 0; /* overdue is recorded once; the step goes on */
  s.tokens[ti].warn = 0;
  dec_note_at(d, n->escalate ? n->escalate : "official", "step_overdue", n->agency);
  what w = {.action = "overdue", .step = n->name, .due_at = t->due, .reason = n->escalate};
  return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

/* Fires the first ENG_FIRE_CHUNK timers due by `now` in one batch. */
static int fire_chunk(eng_engine *e, mc_instant now, int *fired_out, bool *full) {
  scan_ctx sc = {0};
  store_batch *b;
  int rc = scan_due(e, now, &sc), fired = 0;
  *fired_out = 0;
  *full = sc.n == ENG_FIRE_CHUNK;
  if (rc || sc.n == 0) {
    free(sc.timers);
    return rc;
  }
  if ((rc = store_batch_begin(e->st, &b)) != 0) {
    free(sc.timers);
    return rc;
  }
  uint64_t head_seq;
  uint8_t head_hash[32];
  int64_t head_time;
  store_batch_head(b, &head_seq, head_hash, &head_time);
  if (now < head_time)
    now = head_time;
  eng__tap_rewind(e, 0);
  for (int i = 0; i < sc.n; i++) {
    eng_result r;
    memset(&r, 0, sizeof r);
    decide d = {.e = e, .b = b, .now = now, .cmd = NULL, .res = &r};
    store_cmd_result prior;
    bool fired_one;
    int mark = eng__tap_mark(e);
    if ((rc = store_cmd_begin(b, NULL, &prior)) != 0)
      break;
    rc = fire(&d, &sc.timers[i], &fired_one);
    if (rc || !fired_one) {
      store_cmd_abort(b);
      eng__tap_rewind(e, mark);
      if (rc)
        mc_log(MC_LOG_WARN, "engine", "timer of %s not fired: %s", sc.timers[i].code, r.message);
      rc = 0;
      continue;
    }
    store_cmd_result done;
    if ((rc = store_cmd_commit(b, &done)) != 0)
      break;
    fired += (int)done.count;
  }
  free(sc.timers);
  if (rc) {
    store_batch_abort(b);
    eng__tap_rewind(e, 0);
    return rc;
  }
  rc = store_batch_commit(b);
  if (rc)
    eng__tap_rewind(e, 0);
  else
    eng__tap_flush(e);
  *fired_out = rc ? 0 : fired;
  return rc;
}

/* After a long outage many timers are due at once: they fire in batches of
 * ENG_FIRE_CHUNK, each durable, so one transaction stays small. */
int eng_fire_due(eng_engine *e, mc_instant now, int *fired_out) {
  int total = 0, fired, rc;
  bool full;
  do {
    rc = fire_chunk(e, now, &fired, &full);
    total += fired;
  } while (rc == 0 && full && fired > 0);
  if (fired_out)
    *fired_out = total;
  return rc;
}
