/* dossier.c — commands become events: publishing, submitting, acting on a
 * step, withdrawing, extending, and timers firing.
 *
 * Each command is decided inside the batch's write transaction against the
 * dossier's snapshot and the procedure version it was filed with; a refusal
 * says which rule and which step and appends nothing.  A dossier's place in
 * its process is a set of tokens, one per step it is at (several on the
 * parallel branches of a fork); choices are resolved when entered, a join
 * waits for every branch of its fork, a final state ends the dossier.
 * Deadlines (DOMAIN.md "Working time") come from the newest published
 * calendar of the dossier's agency; the appointment is fixed at acceptance.
 */
#include "engine/engine-int.h"

#include "dsl/states.h"

#include "base/error.h"
#include "base/hash.h"

#include <sodium.h>
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct decide {
  eng_engine *e;
  store_batch *b;
  mc_instant now;
  const eng_command *cmd;
  eng_result *res;
  const dsl_machine *m;
  const eng_policy *policy;
  const eng_calendar *cal;
  const msgpack_object *form;  /* the dossier's e-form, for choices */
  const char *last_action;
  int depth;
  uint8_t cal_hash[32];        /* the calendar version deadlines are counted on */
  mc_instant event_time;       /* when set: the events' time, while `now` is the instant a
                                  caught-up timer was due (ARCHITECTURE.md "Time") */
  struct {                     /* messages the event causes: recorded with it (the outbox) */
    const char *to, *template_name;
  } notes[ENG_MAX_NOTES];
  int nnotes;
} decide;

/* A message the event being decided causes (`notify` of the transitions
 * followed, or the engine's own: an apology for an extension, alerts). */
static void note(decide *d, const char *to, const char *template_name) {
  for (int i = 0; i < d->nnotes; i++)
    if (!strcmp(d->notes[i].to, to) && !strcmp(d->notes[i].template_name, template_name))
      return; /* once per event */
  if (d->nnotes < ENG_MAX_NOTES)
    d->notes[d->nnotes].to = to, d->notes[d->nnotes++].template_name = template_name;
  else
    mc_log(MC_LOG_WARN, "engine", "more than %d messages for one event: %s dropped", ENG_MAX_NOTES, template_name);
}

/* A refusal from the table (engine/refusals.h): refuse(d, MC_E..., NAME,
 * args...), its arguments checked against both its texts. */
#define refuse(d, code, ...) ENG_REFUSE((d)->res, (code), __VA_ARGS__)

/* A refusal of one field of the command: its path, the rule it breaks, and
 * both texts in the result's fields (engine.h), for a page to show beside
 * the field. */
#define refuse_field(d, code, field, rule, ...) ENG_REFUSE_FIELD((d)->res, (code), (field), (rule), __VA_ARGS__)

/* A kind of day in Vietnamese, for the text of a refusal. */
static const char *day_kind_vi(eng_day_kind kind) {
  switch (kind) {
  case ENG_DAY_WEEKEND: return "ngày nghỉ cuối tuần";
  case ENG_DAY_HOLIDAY: return "ngày nghỉ lễ, Tết";
  case ENG_DAY_SWAP: return "ngày nghỉ hoán đổi";
  case ENG_DAY_MAKEUP: return "ngày làm bù không có giờ tiếp dân";
  default: return "ngày không làm việc";
  }
}

/* A role in Vietnamese, for the text of a refusal. */
static const char *role_vi(const char *role) {
  static const char *const names[][2] = {
      {"applicant", "người nộp hồ sơ"},      {"reception", "cán bộ tiếp nhận"},
      {"specialist", "chuyên viên xử lý"},   {"leader", "lãnh đạo"},
      {"postal", "nhân viên bưu chính"},     {"agency_admin", "quản trị cơ quan"},
      {"system_admin", "quản trị hệ thống"}, {"auditor", "thanh tra"},
      {"no role", "người không có vai trò"},
  };
  for (size_t i = 0; role && i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(names[i][0], role))
      return names[i][1];
  return role ? role : "";
}

/* A dossier's state as a citizen reads it ("Đã trả kết quả"), for the
 * Vietnamese text of a refusal. */
static const char *state_vi(const char *state) {
  const char *label = dsl_state_label(dsl_state_parse(state));
  return label ? label : state;
}

/* ============================================================ payments */

/* A step that waits for money from the applicant: the procedure's fee, or a
 * financial obligation (dsl/states.h). */
static bool awaits_payment(const dsl_m_node *n) {
  dsl_state st = dsl_state_parse(n->state);
  return st == DSL_STATE_AWAITING_PAYMENT || st == DSL_STATE_AWAITING_OBLIGATION;
}

/* Whether the legal clock stops in this step for a financial obligation:
 * the time the applicant spends paying a tax or charge due before the result
 * does not count where the policy says so (docs/DOMAIN.md, "Dossier states
 * and the national portal"); paying the procedure's own fee does not stop it. */
static bool pauses_for_obligation(const decide *d, const dsl_m_node *n) {
  return dsl_state_parse(n->state) == DSL_STATE_AWAITING_OBLIGATION && d->policy->payment_pauses;
}

static void fmt_local(const decide *d, mc_instant t, char out[MC_INSTANT_STRLEN]) {
  mc_instant_format(t, d->cal ? eng_calendar_offset_min(d->cal) : 420, out);
}

/* ============================================================ deadlines */

static eng_duration to_duration(const dsl_m_duration *dur, const eng_policy *p, bool *ok) {
  eng_duration out = {ENG_UNIT_WORKING_DAYS, 0};
  *ok = false;
  if (!dur->set)
    return out;
  if (dur->policy_key) {
    for (int i = 0; p && i < p->nlimits; i++)
      if (!strcmp(p->limits[i].key, dur->policy_key)) {
        out.unit = (eng_time_unit)p->limits[i].unit;
        out.amount = p->limits[i].amount;
        *ok = true;
      }
    return out;
  }
  out.unit = dur->unit == DSL_M_WORKING_DAYS ? ENG_UNIT_WORKING_DAYS
             : dur->unit == DSL_M_WORKING_HOURS ? ENG_UNIT_WORKING_HOURS
                                                : ENG_UNIT_CALENDAR_DAYS;
  out.amount = dur->amount;
  *ok = true;
  return out;
}

static int deadline(decide *d, mc_instant from, eng_duration dur, int cutoff, mc_instant *due) {
  eng_calc calc = ENG_CALC_INIT;
  calc.cutoff_min = cutoff;
  int rc = eng_calendar_add(d->cal, from, dur, &calc, due);
  if (rc == MC_ECALYEAR) {
    mc_buf msg = MC_BUF_INIT;
    eng_calendar_describe_missing_year(d->cal, calc.missing_year, &msg);
    refuse(d, rc, CALENDAR_YEAR_MISSING, calc.missing_year, mc_buf_cstr(&msg) ? mc_buf_cstr(&msg) : "");
    mc_buf_free(&msg);
  } else if (rc) {
    refuse(d, rc, DEADLINE_UNCOMPUTABLE, mc_strerror(rc));
  }
  return rc;
}

/* The appointment: the procedure's time from `from`, with the policy's cut-off. */
static int appointment(decide *d, mc_instant from, mc_instant *out) {
  bool ok;
  eng_duration t = to_duration(&d->m->time, d->policy, &ok);
  return deadline(d, from, t, d->policy->has_cutoff ? d->policy->cutoff_min : ENG_NO_CUTOFF, out);
}

/* Arms the dossier's own timers on its appointment: `deadline_near` at the
 * opening of the last day an extension may still be given (the policy's
 * notice, in working days, before the due day — NĐ118 Art. 19.6), and
 * `deadline_passed` at the appointment.  Called whenever the appointment
 * changes. */
static void arm_deadline(decide *d, eng_snap *s) {
  s->deadline_due = s->appointment_at;
  s->deadline_warn = 0;
  if (s->appointment_at == 0 || !d->policy->has_notice || d->policy->notice.unit != ENG_UNIT_WORKING_DAYS)
    return;
  int off = eng_calendar_offset_min(d->cal);
  int64_t day, msd, left = d->policy->notice.amount;
  eng_day_info info;
  mc_instant_split(s->appointment_at, off, &day, &msd);
  for (int guard = 0; guard < 366 && left > 0; guard++) {
    if (eng_calendar_day(d->cal, --day, &info) != 0)
      return;
    if (info.working && --left == 0) {
      mc_instant warn = mc_instant_join(day, info.open_ms, off);
      s->deadline_warn = warn > d->now ? warn : 0;
    }
  }
}

/* ============================================================ moving through the process */

static int enter(decide *d, eng_snap *s, int node);

static void remove_token(eng_snap *s, int i) {
  memmove(&s->tokens[i], &s->tokens[i + 1], (size_t)(s->ntokens - i - 1) * sizeof s->tokens[0]);
  s->ntokens--;
}

static void classify(decide *d, eng_snap *s);

static int finish(decide *d, eng_snap *s, const char *final) {
  s->ntokens = 0;
  s->njoins = 0;
  snprintf(s->state, sizeof s->state, "%s", final);
  s->finished_at = d->now;
  s->paused_since = 0;
  /* A process that returns without a `decided` step (feedback answered)
   * is decided when it returns, and classified then. */
  if (!strcmp(final, "returned") && s->decided_at == 0) {
    s->decided_at = d->now;
    classify(d, s);
  }
  return 0;
}

static int follow(decide *d, eng_snap *s, const dsl_m_transition *t) {
  for (int i = 0; i < t->nnotify; i++)
    note(d, t->notify[i].who, t->notify[i].template_name);
  if (t->target < 0)
    return finish(d, s, t->final);
  return enter(d, s, t->target);
}

/* The classification of DOMAIN.md rule 9, when the result is ready. */
static void classify(decide *d, eng_snap *s) {
  int64_t day, msd;
  if (s->appointment_at == 0) {
    s->classification[0] = '\0';
    return;
  }
  mc_instant_split(s->appointment_at, eng_calendar_offset_min(d->cal), &day, &msd);
  mc_instant day_start = mc_instant_join(day, 0, eng_calendar_offset_min(d->cal));
  snprintf(s->classification, sizeof s->classification, "%s",
           s->decided_at < day_start ? "early" : s->decided_at <= s->appointment_at ? "on_time" : "late");
}

static int enter(decide *d, eng_snap *s, int node) {
  const dsl_m_node *n = &d->m->nodes[node];
  int rc;
  if (++d->depth > 64)
    return refuse(d, MC_EINVAL, CHOICE_LOOP, n->name);
  switch (n->kind) {
  case DSL_M_STEP: {
    if (s->ntokens == ENG_MAX_TOKENS)
      return refuse(d, MC_ETOOBIG, TOO_MANY_STEPS, ENG_MAX_TOKENS);
    eng_token t = {node, d->now, 0, 0};
    bool ok;
    eng_duration limit = to_duration(&n->limit, d->policy, &ok);
    if (ok && (rc = deadline(d, d->now, limit, ENG_NO_CUTOFF, &t.due)))
      return rc;
    if (ok && n->warn.set) {
      eng_duration warn = to_duration(&n->warn, d->policy, &ok);
      if (ok && warn.unit == limit.unit && warn.amount < limit.amount) {
        eng_duration earlier = {limit.unit, limit.amount - warn.amount};
        if ((rc = deadline(d, d->now, earlier, ENG_NO_CUTOFF, &t.warn)))
          return rc;
        if (t.warn >= t.due)
          t.warn = 0;
      } else if (ok && warn.unit == ENG_UNIT_WORKING_HOURS) {
        int64_t total;
        if (eng_calendar_working_time_between(d->cal, d->now, t.due, NULL, &total) == 0 &&
            total > warn.amount * MC_MS_PER_HOUR &&
            eng_calendar_add_working_time(d->cal, d->now, total - warn.amount * MC_MS_PER_HOUR, NULL, &t.warn) != 0)
          t.warn = 0;
      }
    }
    s->tokens[s->ntokens++] = t;
    if (n->state)
      snprintf(s->state, sizeof s->state, "%s", n->state);
    /* The legal clock stops in a step that pauses or restarts it, and while
     * a financial obligation is paid when the policy says so (DOMAIN.md rule 9). */
    /* Payment due (a fee, or a financial obligation): the applicant is told,
     * whether or not the process says so. */
    if (awaits_payment(n))
      note(d, "applicant", "payment_due");
    bool paying = pauses_for_obligation(d, n);
    if ((n->clock != DSL_M_CLOCK_RUNS || paying) && s->accepted_at && s->paused_since == 0)
      s->paused_since = d->now;
    if (n->state && !strcmp(n->state, "decided") && s->decided_at == 0) {
      s->decided_at = d->now;
      classify(d, s);
    }
    return 0;
  }
  case DSL_M_CHOICE:
    for (int i = 0; i < n->nout; i++) {
      bool holds = n->out[i].otherwise;
      if (!holds && (rc = eng__cond_eval(n->out[i].when, d->form, s, &holds)))
        return refuse(d, rc, CHOICE_UNEVALUABLE, n->name);
      if (holds)
        return follow(d, s, &n->out[i]);
    }
    return refuse(d, MC_EINVAL, CHOICE_NONE_HOLDS, n->name);
  case DSL_M_FORK:
    if (n->join >= 0 && s->njoins < ENG_MAX_TOKENS)
      s->joins[s->njoins++] = (eng_join){n->join, 0};
    for (int i = 0; i < n->nout; i++)
      if ((rc = follow(d, s, &n->out[i])))
        return rc;
    return 0;
  case DSL_M_JOIN: {
    int branches = 0;
    for (int i = 0; i < d->m->nnodes; i++)
      if (d->m->nodes[i].kind == DSL_M_FORK && d->m->nodes[i].join == node)
        branches = d->m->nodes[i].nout;
    for (int j = 0; j < s->njoins; j++)
      if (s->joins[j].node == node) {
        if (++s->joins[j].arrived < branches)
          return 0; /* wait for the other branches */
        memmove(&s->joins[j], &s->joins[j + 1], (size_t)(s->njoins - j - 1) * sizeof s->joins[0]);
        s->njoins--;
        return n->nout > 0 ? follow(d, s, &n->out[0]) : 0;
      }
    return refuse(d, MC_EINVAL, JOIN_WITHOUT_FORK, n->name);
  }
  }
  return MC_EINVAL;
}

/* ============================================================ events */

/* The dossier event an action (or command) causes: engine/events.h. */
static const char *event_type(const char *action) { return eng_event_name(eng_event_of_cause(action)); }

/* A document of the dossier, as the event records it. */
typedef struct doc_entry {
  const char *name;
  bool has_hash;              /* false: missing */
  uint8_t hash[32];
  char reused_from[64];       /* the dossier it was first supplied with, or "" */
  int64_t supplied_at;
  char valid_until[11];       /* "YYYY-MM-DD" or "" */
} doc_entry;

/* What happened, beside the snapshot. */
typedef struct what {
  const char *action, *step, *reason, *handler;
  mc_instant due_at, new_due, old_due;
  bool breach;
  int rating;
  const doc_entry *docs;      /* submission and supplement: the documents brought or reused */
  int ndocs;
  const char *email, *phone;  /* submission: the applicant's addresses the form gives */
} what;

/* The dossier's snapshot before the event being appended (version - 1), as
 * the open command sees it; false for a new dossier. */
static int snap_before(decide *d, const char *code, uint64_t version, eng_snap *prev, bool *has) {
  const void *v;
  size_t vlen;
  *has = false;
  if (version <= 1)
    return 0;
  int rc = store_cmd_proj_get(d->b, ENG_PROJ_DOSSIER, code, strlen(code), &v, &vlen);
  if (rc == 0)
    rc = eng__snap_of_bytes(v, vlen, prev);
  *has = rc == 0;
  return rc;
}

/* A dossier event, record format 2 (docs/ENGINE.md, "What an event
 * carries"): what happened, the snapshot's fields it changed, and only the
 * values that are not already elsewhere — the form when filed, the scans
 * brought, the addresses given, each message as its template's hash and the
 * facts to render it. */
static int append_dossier_event(decide *d, const eng_snap *snap, uint64_t version, const what *w,
                                const uint8_t *form, size_t form_len) {
  mc_buf data = MC_BUF_INIT, notes = MC_BUF_INIT;
  /* Each event records which calendar version it used (ARCHITECTURE.md "Time"). */
  eng_snap with_calendar = *snap, prev;
  memcpy(with_calendar.calendar_version, d->cal_hash, 32);
  eng_snap *s = &with_calendar;
  s->nsteps = s->ntokens;
  for (int i = 0; i < s->ntokens; i++)
    snprintf(s->steps[i], sizeof s->steps[i], "%s", d->m->nodes[s->tokens[i].node].name);
  bool has_prev;
  int rc = snap_before(d, s->code, version, &prev, &has_prev);
  if (rc)
    return refuse(d, MC_ECORRUPT, DOSSIER_DAMAGED, s->code, mc_strerror(rc));
  mc_canon c, n;
  /* The messages first: they say which directory they read. */
  uint8_t dir_hash[32];
  bool has_dir = false;
  if (d->nnotes) {
    eng_facts facts = {.s = s, .m = d->m, .form = d->form, .reason = w->reason, .step = w->step,
                       .due_at = w->due_at, .old_due = w->old_due,
                       .offset_min = d->cal ? eng_calendar_offset_min(d->cal) : 420};
    mc_canon_init(&n, &notes);
    mc_canon_array(&n, (uint32_t)d->nnotes);
    for (int i = 0; i < d->nnotes && rc == 0; i++)
      rc = eng__message_ref(d->e, d->b, d->now, &facts, d->notes[i].to, d->notes[i].template_name, &n, dir_hash,
                            &has_dir);
    if (rc == 0)
      rc = mc_canon_finish(&n);
    if (rc) {
      mc_buf_free(&notes);
      return refuse(d, rc, NOTES_UNWRITABLE, mc_strerror(rc));
    }
  }
  mc_canon_init(&c, &data);
  bool has_email = w->email && w->email[0], has_phone = w->phone && w->phone[0];
  /* The documents supplied or reused (the missing ones are the procedure's
   * others: eng_dossier_documents lists them). */
  uint32_t ndocs = 0;
  for (int i = 0; i < w->ndocs; i++)
    ndocs += w->docs[i].has_hash;
  mc_canon_map(&c, 2 + (has_email || has_phone) + (ndocs ? 1 : 0) + (d->nnotes ? 2 : 0) + (form ? 1 : 0));
  if (has_email || has_phone) {
    mc_canon_key(&c, "contact");
    mc_canon_map(&c, (uint32_t)has_email + has_phone);
    if (has_email)
      mc_canon_kv_str(&c, "email", w->email);
    if (has_phone)
      mc_canon_kv_str(&c, "phone", w->phone);
  }
  if (ndocs) {
    mc_canon_key(&c, "documents");
    mc_canon_array(&c, ndocs);
    for (int i = 0; i < w->ndocs; i++) {
      const doc_entry *e = &w->docs[i];
      bool reused = e->reused_from[0] != 0;
      if (!e->has_hash)
        continue;
      mc_canon_map(&c, 2 + 2 * reused + (e->valid_until[0] != 0));
      mc_canon_key(&c, "hash");
      mc_canon_bin(&c, e->hash, 32);
      mc_canon_kv_str(&c, "name", e->name);
      if (reused) {
        mc_canon_kv_str(&c, "reused_from", e->reused_from);
        mc_canon_kv_int(&c, "supplied_at", e->supplied_at);
      }
      if (e->valid_until[0])
        mc_canon_kv_str(&c, "valid_until", e->valid_until);
    }
  }
  if (d->nnotes) {
    mc_canon_key(&c, "facts");
    mc_canon_map(&c, 1 + has_dir);
    if (has_dir) {
      mc_canon_key(&c, "directory");
      mc_canon_bin(&c, dir_hash, 32);
    }
    mc_canon_kv_int(&c, "utc_offset", d->cal ? eng_calendar_offset_min(d->cal) : 420);
  }
  if (form) {
    mc_canon_key(&c, "form");
    mc_canon_bin(&c, form, form_len);
  }
  if (d->nnotes) {
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    mc_canon_key(&c, "notify");
    if (msgpack_unpack_next(&u, (const char *)notes.data, notes.len, &off) == MSGPACK_UNPACK_SUCCESS)
      mc_canon_object(&c, &u.data);
    else
      rc = MC_EPARSE;
    msgpack_unpacked_destroy(&u);
  }
  mc_buf_free(&notes);
  mc_canon_key(&c, "set");
  eng__snap_delta(has_prev ? &prev : NULL, s, &c);
  mc_canon_key(&c, "what");
  int nwhat = 1 + w->breach + (w->due_at != 0) + (w->handler && w->handler[0]) + (w->new_due != 0) +
              (w->old_due != 0) + (w->rating != 0) + (w->reason && w->reason[0]) + (w->step && w->step[0]);
  mc_canon_map(&c, (uint32_t)nwhat);
  mc_canon_kv_str(&c, "action", w->action);
  if (w->breach)
    mc_canon_kv_bool(&c, "breach", true);
  if (w->due_at)
    mc_canon_kv_int(&c, "due_at", w->due_at);
  if (w->handler && w->handler[0])
    mc_canon_kv_str(&c, "handler", w->handler);
  if (w->new_due)
    mc_canon_kv_int(&c, "new_due", w->new_due);
  if (w->old_due)
    mc_canon_kv_int(&c, "old_due", w->old_due);
  if (w->rating)
    mc_canon_kv_int(&c, "rating", w->rating);
  if (w->reason && w->reason[0])
    mc_canon_kv_str(&c, "reason", w->reason);
  if (w->step && w->step[0])
    mc_canon_kv_str(&c, "step", w->step);
  if (rc || (rc = mc_canon_finish(&c)) != 0) {
    mc_buf_free(&data);
    return refuse(d, rc, EVENT_UNENCODABLE, mc_strerror(rc));
  }
  char stream[128];
  snprintf(stream, sizeof stream, "dossier/%.63s", s->code);
  store_event_in in = {
      .stream = stream,
      .expected_version = version - 1,
      .type = event_type(w->action),
      .time = d->event_time ? d->event_time : d->now,
      .actor = {d->cmd ? d->cmd->actor.who : "motcua", d->cmd ? d->cmd->actor.role : "system",
                d->cmd ? d->cmd->actor.client : "engine"},
      .definition_hash = s->definition,
      .data = data.data,
      .data_len = data.len,
  };
  uint64_t actual = 0;
  rc = store_append(d->b, &in, NULL, &actual);
  mc_buf_free(&data);
  if (rc == MC_ECONFLICT)
    return refuse(d, rc, DOSSIER_MOVED_ON,
                  s->code, (unsigned long long)actual, (unsigned long long)(version - 1));
  if (rc)
    return eng__refuse_store(d->res, rc, store_errmsg(d->e->st));
  d->res->version = version;
  d->res->appointment_at = s->appointment_at;
  snprintf(d->res->dossier, sizeof d->res->dossier, "%.63s", s->code);
  return 0;
}

/* Loads a dossier's snapshot (and version) inside the batch. */
static int load_snap(decide *d, const char *code, eng_snap *s, uint64_t *version) {
  const void *v;
  size_t vlen;
  size_t code_len = code ? strlen(code) : 0;
  if (code_len == 0 || code_len >= sizeof s->code)
    return refuse(d, MC_ENOENT, DOSSIER_CODE_MALFORMED, code ? code : "");
  int rc = store_cmd_proj_get(d->b, ENG_PROJ_DOSSIER, code, code_len, &v, &vlen);
  if (rc == MC_ENOENT)
    return refuse(d, MC_ENOENT, DOSSIER_UNKNOWN, code);
  if (rc)
    return rc;
  rc = eng__snap_of_bytes(v, vlen, s);
  *version = s->version;
  return rc ? refuse(d, MC_ECORRUPT, DOSSIER_UNREADABLE, code) : 0;
}

/* The definitions a dossier runs under. */
static int load_defs(decide *d, const eng_snap *s) {
  eng_def *def;
  uint8_t hash[32];
  int rc = eng__def_load(d->e, d->b, s->definition, ENG_DEF_PROCEDURE, &def);
  if (rc)
    return refuse(d, rc, PROCEDURE_VERSION_MISSING, s->code);
  d->m = def->machine;
  if ((rc = eng__def_load(d->e, d->b, s->policy, ENG_DEF_POLICY, &def)))
    return refuse(d, rc, POLICY_VERSION_MISSING, s->code);
  d->policy = &def->policy;
  /* Calendars: the newest published one applies. */
  if ((rc = eng__def_current(d->e, d->b, ENG_DEF_CALENDAR, s->calendar, d->now, hash)) ||
      (rc = eng__def_load(d->e, d->b, hash, ENG_DEF_CALENDAR, &def)))
    return refuse(d, rc, DOSSIER_CALENDAR_MISSING, s->calendar);
  d->cal = def->calendar;
  memcpy(d->cal_hash, hash, 32);
  return 0;
}

/* ============================================================ publish */

/* A directory may drop an agency only when none of its dossiers is open:
 * they would have nowhere to be decided. */
static int check_directory_removals(decide *d) {
  uint8_t current[32];
  eng_def *def;
  dsl_directory *was = NULL, *next = NULL;
  int rc = eng__def_current(d->e, d->b, ENG_DEF_DIRECTORY, "directory", INT64_MAX, current);
  if (rc == MC_ENOENT || rc == MC_ERANGE)
    return 0; /* the first directory */
  if (rc || (rc = eng__def_load(d->e, d->b, current, ENG_DEF_DIRECTORY, &def)) ||
      (rc = dsl_directory_decode(def->bytes, def->len, &was)))
    return refuse(d, rc, DIRECTORY_IN_EFFECT_UNREADABLE);
  if ((rc = dsl_directory_decode(d->cmd->publish.bytes.data, d->cmd->publish.bytes.len, &next))) {
    dsl_directory_free(was);
    return refuse(d, MC_EPARSE, DIRECTORY_NOT_COMPILED);
  }
  for (uint32_t i = 0; rc == 0 && i < dsl_directory_agency_count(was); i++) {
    char code[64], name[256], prefix[66];
    dsl_directory_agency(was, i, code, sizeof code, name, sizeof name);
    if (dsl_directory_has_agency(next, code))
      continue;
    eng__open_count oc = {prefix, (size_t)snprintf(prefix, sizeof prefix, "%s-", code), 0, ""};
    rc = store_cmd_proj_scan(d->b, ENG_PROJ_DOSSIER, prefix, oc.prefix_len, eng__count_open, &oc);
    if (rc == 0 && oc.open > 0)
      rc = refuse(d, MC_EINVAL,
                  DIRECTORY_DROPS_AGENCY,
                  code, name, oc.open, oc.open == 1 ? "" : "s", oc.first, oc.open > 1 ? ", ..." : "");
  }
  dsl_directory_free(was);
  dsl_directory_free(next);
  return rc;
}

/* A procedure is an agency's to publish or retire; the policies, the
 * calendar and the directory apply province-wide and are the system
 * administrator's. */
static int admin_may(decide *d, eng_def_kind kind, const char *what_for) {
  const char *role = d->cmd->actor.role;
  if ((unsigned)kind > ENG_DEF_TEMPLATE)
    return refuse(d, MC_EINVAL, DEFINITION_KIND_UNKNOWN,
                  what_for, (int)kind);
  if (role && !strcmp(role, "system_admin"))
    return 0;
  if (role && !strcmp(role, "agency_admin")) {
    if (kind == ENG_DEF_PROCEDURE)
      return 0;
    return refuse(d, MC_EACCES, DEFINITION_PROVINCE_WIDE, what_for,
                  eng_def_kind_name(kind));
  }
  return refuse(d, MC_EACCES, DEFINITION_FORBIDDEN, what_for);
}

static int do_publish(decide *d) {
  const eng_command *c = d->cmd;
  const eng_publish_args *arg = &c->publish;
  char id[64] = "", title[256] = "";
  uint8_t hash[32];
  int rc;
  if ((rc = admin_may(d, arg->def_kind, "publishing")))
    return rc;
  if (arg->bytes.data == NULL || arg->bytes.len == 0)
    return refuse(d, MC_EINVAL, PUBLISH_EMPTY);
  if (mc_canon_verify(arg->bytes.data, arg->bytes.len, NULL) != 0)
    return refuse(d, MC_EPARSE, DEFINITION_NOT_CANONICAL, eng_def_kind_name(arg->def_kind));
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  msgpack_unpack_next(&u, (const char *)arg->bytes.data, arg->bytes.len, &off);
  const msgpack_object *root = &u.data;
  switch (arg->def_kind) {
  case ENG_DEF_PROCEDURE: {
    mc_arena a = MC_ARENA_INIT;
    dsl_machine *m;
    rc = dsl_machine_decode(arg->bytes.data, arg->bytes.len, &a, &m);
    if (rc == 0) {
      snprintf(id, sizeof id, "%s", m->code);
      snprintf(title, sizeof title, "%s", m->name);
    }
    mc_arena_free(&a);
    break;
  }
  case ENG_DEF_POLICY:
  case ENG_DEF_DIRECTORY:
    rc = eng__str_is(eng__get(root, "kind"), eng_def_kind_name(arg->def_kind)) ? 0 : MC_EPARSE;
    if (rc == 0 && arg->def_kind == ENG_DEF_POLICY)
      rc = eng__str_copy(eng__get(root, "id"), id, sizeof id) | eng__str_copy(eng__get(root, "title"), title, sizeof title);
    else if (rc == 0)
      snprintf(id, sizeof id, "directory");
    break;
  case ENG_DEF_CALENDAR:
    rc = eng__str_copy(eng__get(root, "id"), id, sizeof id);
    break;
  case ENG_DEF_TEMPLATE:
    rc = eng__str_is(eng__get(root, "kind"), "template") ? 0 : MC_EPARSE;
    if (rc == 0)
      rc = eng__str_copy(eng__get(root, "name"), id, sizeof id) |
           eng__str_copy(eng__get(root, "subject"), title, sizeof title);
    break;
  default:
    rc = MC_EINVAL;
  }
  msgpack_unpacked_destroy(&u);
  if (rc != 0 || id[0] == '\0')
    return refuse(d, MC_EPARSE, DEFINITION_NOT_COMPILED, eng_def_kind_name(arg->def_kind));
  mc_sha256_digest(arg->bytes.data, arg->bytes.len, hash);
  /* Publishing what is already the newest version, in effect from that
   * date, changes nothing; the same bytes with an earlier date correct it. */
  uint8_t newest[32], then[32];
  if (eng__def_current(d->e, d->b, arg->def_kind, id, INT64_MAX, newest) == 0 && !memcmp(newest, hash, 32) &&
      eng__def_current(d->e, d->b, arg->def_kind, id, arg->effective_from, then) == 0 && !memcmp(then, hash, 32)) {
    d->res->repeated = true;
    snprintf(d->res->message, sizeof d->res->message, "the %s %s is already published as this version",
             eng_def_kind_name(arg->def_kind), id);
    return 0;
  }
  if (arg->def_kind == ENG_DEF_DIRECTORY && (rc = check_directory_removals(d)))
    return rc;
  if (arg->def_kind == ENG_DEF_CALENDAR) {
    /* A calendar must parse before anything can count on it. */
    eng_calendar *cal = NULL;
    mc_arena a = MC_ARENA_INIT;
    mc_source src[64];
    int nsrc = 0;
    msgpack_unpacked cu;
    size_t coff = 0;
    msgpack_unpacked_init(&cu);
    msgpack_unpack_next(&cu, (const char *)arg->bytes.data, arg->bytes.len, &coff);
    const msgpack_object *files = eng__get(&cu.data, "files");
    for (uint32_t i = 0; files && files->type == MSGPACK_OBJECT_ARRAY && i < files->via.array.size && i < 64; i++) {
      const msgpack_object *name = eng__get(&files->via.array.ptr[i], "name");
      const msgpack_object *text = eng__get(&files->via.array.ptr[i], "text");
      if (name && name->type == MSGPACK_OBJECT_STR && text && text->type == MSGPACK_OBJECT_STR)
        src[nsrc++] = (mc_source){mc_arena_strndup(&a, name->via.str.ptr, name->via.str.size),
                                  mc_arena_strndup(&a, text->via.str.ptr, text->via.str.size), text->via.str.size};
    }
    mc_diag_sink quiet = {0};
    rc = nsrc > 0 ? eng_calendar_parse(src, nsrc, &quiet, &cal) : MC_EPARSE;
    eng_calendar_free(cal);
    msgpack_unpacked_destroy(&cu);
    mc_arena_free(&a);
    if (rc)
      return refuse(d, MC_EPARSE, CALENDAR_UNPARSABLE, id);
  }
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, 6);
  mc_canon_key(&w, "bytes");
  mc_canon_bin(&w, arg->bytes.data, arg->bytes.len);
  mc_canon_kv_int(&w, "effective_from", arg->effective_from);
  mc_canon_key(&w, "hash");
  mc_canon_bin(&w, hash, 32);
  mc_canon_kv_str(&w, "id", id);
  mc_canon_kv_str(&w, "kind", eng_def_kind_name(arg->def_kind));
  mc_canon_kv_str(&w, "title", title);
  if ((rc = mc_canon_finish(&w)) != 0) {
    mc_buf_free(&data);
    return refuse(d, rc, DEFINITION_UNENCODABLE);
  }
  char stream[160];
  snprintf(stream, sizeof stream, "definition/%s/%s", eng_def_kind_name(arg->def_kind), id);
  store_event_in in = {.stream = stream, .expected_version = STORE_ANY_VERSION, .type = eng_event_name(ENG_EV_DEFINITION_PUBLISHED),
                       .time = d->now, .actor = {c->actor.who, c->actor.role, c->actor.client},
                       .definition_hash = hash, .data = data.data, .data_len = data.len};
  rc = store_append(d->b, &in, NULL, NULL);
  mc_buf_free(&data);
  if (rc)
    return eng__refuse_store(d->res, rc, store_errmsg(d->e->st));
  return 0;
}

/* ============================================================ submit */

/* The directory's word on an agency: exists, offers the procedure, its calendar. */
static int check_directory(decide *d, const char *agency, const char *procedure, char *calendar, size_t size) {
  uint8_t hash[32];
  eng_def *dir;
  int rc = eng__def_current(d->e, d->b, ENG_DEF_DIRECTORY, "directory", d->now, hash);
  if (rc)
    return refuse(d, rc, DIRECTORY_NOT_PUBLISHED);
  if ((rc = eng__def_load(d->e, d->b, hash, ENG_DEF_DIRECTORY, &dir)))
    return refuse(d, rc, DIRECTORY_UNREADABLE);
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  msgpack_unpack_next(&u, (const char *)dir->bytes, dir->len, &off);
  const msgpack_object *agencies = eng__get(&u.data, "agencies"), *offers = eng__get(&u.data, "offers");
  const msgpack_object *found = NULL;
  for (uint32_t i = 0; agencies && i < agencies->via.array.size && !found; i++)
    if (eng__str_is(eng__get(&agencies->via.array.ptr[i], "code"), agency))
      found = &agencies->via.array.ptr[i];
  rc = 0;
  if (found == NULL) {
    rc = refuse(d, MC_ENOENT, AGENCY_UNKNOWN, agency);
  } else {
    const msgpack_object *settings = eng__get(found, "settings");
    const msgpack_object *level = eng__get(settings, "level");
    eng__str_copy(eng__get(settings, "calendar"), calendar, size);
    bool offered = false;
    for (uint32_t i = 0; offers && i < offers->via.array.size && !offered; i++) {
      const msgpack_object *o = &offers->via.array.ptr[i];
      if (!eng__str_is(eng__get(o, "procedure"), procedure))
        continue;
      const msgpack_object *a = eng__get(o, "agency"), *every = eng__get(o, "every");
      offered = eng__str_is(a, agency) ||
                (every && every->type == MSGPACK_OBJECT_STR && level && level->type == MSGPACK_OBJECT_STR &&
                 every->via.str.size == level->via.str.size &&
                 !memcmp(every->via.str.ptr, level->via.str.ptr, level->via.str.size));
    }
    if (!offered)
      rc = refuse(d, MC_EINVAL, AGENCY_NOT_OFFERING, agency, procedure);
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

/* ============================================================ documents */

/* The local date of `now` on the dossier's calendar, "YYYY-MM-DD". */
static void today(const decide *d, char out[11]) {
  int64_t day, msd;
  int y, mo, dd;
  mc_instant_split(d->now, eng_calendar_offset_min(d->cal), &day, &msd);
  mc_civil_from_days(day, &y, &mo, &dd);
  char buf[48];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, dd);
  memcpy(out, buf, 10);
  out[10] = '\0';
}

static bool valid_date(const char *s) {
  int y, mo, dd, n = 0;
  if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &dd, &n) != 3 || n != 10 || s[4] != '-' ||
      s[7] != '-')
    return false;
  int y2, mo2, dd2;
  mc_civil_from_days(mc_days_from_civil(y, mo, dd), &y2, &mo2, &dd2);
  return y2 == y && mo2 == mo && dd2 == dd;
}

/* The documents the applicant supplies (e-forms and results aside). */
static const dsl_m_document *asked_document(const dsl_machine *m, const char *name) {
  for (int i = 0; i < m->ndocuments; i++)
    if (!m->documents[i].eform && !m->documents[i].result && !strcmp(m->documents[i].name, name))
      return &m->documents[i];
  return NULL;
}

/* The scans a command brings: a submission's, a supplement's. */
static eng_documents brought_by(const eng_command *c) {
  if (c && c->kind == ENG_CMD_SUBMIT)
    return c->submit.documents;
  if (c && c->kind == ENG_CMD_ACT)
    return c->act.documents;
  return (eng_documents){NULL, 0};
}

/* Checks the scans a command brings against the procedure's documents and
 * fills `out` with them.  A refusal says which document and why. */
static int brought_documents(decide *d, const char *date, doc_entry *out, int *n) {
  eng_documents brought = brought_by(d->cmd);
  *n = 0;
  if (brought.n < 0 || brought.n > ENG_MAX_DOCUMENTS)
    return refuse(d, MC_ETOOBIG, TOO_MANY_DOCUMENTS, ENG_MAX_DOCUMENTS);
  for (int i = 0; i < brought.n; i++) {
    const eng_document *doc = &brought.list[i];
    char path[48];
    int rc;
    const dsl_m_document *asked = doc->name ? asked_document(d->m, doc->name) : NULL;
    const char *title = asked && asked->title ? asked->title : doc->name;
    snprintf(path, sizeof path, "documents[%d].name", i);
    if (asked == NULL) {
      char asked_names[256] = "", titles[256] = "";
      for (int k = 0; k < d->m->ndocuments; k++)
        if (asked_document(d->m, d->m->documents[k].name)) {
          snprintf(asked_names + strlen(asked_names), sizeof asked_names - strlen(asked_names), "%s%s",
                   asked_names[0] ? ", " : "", d->m->documents[k].name);
          snprintf(titles + strlen(titles), sizeof titles - strlen(titles), "%s%s", titles[0] ? "; " : "",
                   d->m->documents[k].title ? d->m->documents[k].title : d->m->documents[k].name);
        }
      rc = refuse_field(d, MC_EINVAL, path, "values", DOCUMENT_NOT_ASKED, d->m->code, doc->name ? doc->name : "",
                        asked_names[0] ? asked_names : "none to scan (its form is filled online)",
                        titles[0] ? titles : "không có bản quét nào (tờ khai điền trực tuyến)");
      eng_field_error *f = &d->res->fields[d->res->nfields - 1];
      for (int k = 0; k < d->m->ndocuments && f->nvalues < ENG_MAX_FIELD_VALUES; k++)
        if (asked_document(d->m, d->m->documents[k].name))
          snprintf(f->values[f->nvalues++], sizeof f->values[0], "%s", d->m->documents[k].name);
      return rc;
    }
    for (int k = 0; k < i; k++)
      if (!strcmp(brought.list[k].name, doc->name)) {
        return refuse_field(d, MC_EINVAL, path, "unique", DOCUMENT_TWICE, doc->name, title);
      }
    doc_entry *e = &out[(*n)++];
    memset(e, 0, sizeof *e);
    e->name = doc->name;
    e->has_hash = true;
    e->supplied_at = d->now;
    if (doc->sha256 == NULL || strlen(doc->sha256) != 64 || mc_unhex(doc->sha256, e->hash, 32)) {
      snprintf(path, sizeof path, "documents[%d].sha256", i);
      rc = refuse_field(d, MC_EINVAL, path, "pattern", DOCUMENT_SCAN, doc->name, title);
      snprintf(d->res->fields[d->res->nfields - 1].pattern, sizeof d->res->fields[0].pattern, "^[0-9a-f]{64}$");
      return rc;
    }
    if (doc->valid_until) {
      snprintf(path, sizeof path, "documents[%d].valid_until", i);
      if (!valid_date(doc->valid_until)) {
        return refuse_field(d, MC_EINVAL, path, "type", DOCUMENT_VALIDITY, doc->name, title, doc->valid_until);
      }
      if (strcmp(doc->valid_until, date) < 0) {
        return refuse_field(d, MC_EINVAL, path, "expired", DOCUMENT_EXPIRED, doc->name, title, doc->valid_until);
      }
      snprintf(e->valid_until, sizeof e->valid_until, "%s", doc->valid_until);
    }
  }
  return 0;
}

/* At submission: every document the procedure asks for — brought now, or
 * supplied with an earlier dossier of the same owner and still valid
 * (reused, BN 6.2, ĐN 6.2), or missing (reception asks for it). */
static int submission_documents(decide *d, const char *owner, doc_entry *out, int *n) {
  char date[11];
  int nbrought, rc;
  today(d, date);
  if ((rc = brought_documents(d, date, out, &nbrought)))
    return rc;
  *n = nbrought;
  for (int i = 0; i < d->m->ndocuments && *n < ENG_MAX_DOCUMENTS; i++) {
    const dsl_m_document *asked = &d->m->documents[i];
    bool have = asked->eform || asked->result;
    for (int k = 0; k < nbrought && !have; k++)
      have = !strcmp(out[k].name, asked->name);
    if (have)
      continue;
    doc_entry *e = &out[(*n)++];
    memset(e, 0, sizeof *e);
    e->name = asked->name;
    if (owner[0] == '\0')
      continue;
    mc_buf key = MC_BUF_INIT;
    const void *v;
    size_t vlen, off = 0;
    mc_buf_append_str(&key, "o/");
    mc_buf_append_str(&key, owner);
    mc_buf_append_byte(&key, 0);
    mc_buf_append_str(&key, asked->name);
    rc = store_cmd_proj_get(d->b, ENG_PROJ_DOCUMENTS, key.data, key.len, &v, &vlen);
    mc_buf_free(&key);
    if (rc == MC_ENOENT)
      continue;
    if (rc)
      return refuse(d, rc, DOCUMENTS_UNREADABLE, owner);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, v, vlen, &off) == MSGPACK_UNPACK_SUCCESS) {
      const msgpack_object *hash = eng__get(&u.data, "hash"), *at = eng__get(&u.data, "supplied_at");
      char until[11];
      if (hash && hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32 &&
          eng__str_copy(eng__get(&u.data, "valid_until"), until, sizeof until) == 0 &&
          (until[0] == '\0' || strcmp(until, date) >= 0) &&
          eng__str_copy(eng__get(&u.data, "dossier"), e->reused_from, sizeof e->reused_from) == 0 && at &&
          at->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        e->has_hash = true;
        memcpy(e->hash, hash->via.bin.ptr, 32);
        e->supplied_at = (int64_t)at->via.u64;
        snprintf(e->valid_until, sizeof e->valid_until, "%s", until);
      } else {
        e->reused_from[0] = '\0';
      }
    }
    msgpack_unpacked_destroy(&u);
  }
  return 0;
}

static int do_submit(decide *d) {
  const eng_command *c = d->cmd;
  const eng_submit_args *arg = &c->submit;
  eng_snap s;
  uint8_t proc_hash[32], policy_hash[32], cal_hash[32];
  eng_def *def;
  int rc;

  memset(&s, 0, sizeof s);
  if (arg->procedure == NULL || arg->agency == NULL || arg->channel == NULL)
    return refuse(d, MC_EINVAL, SUBMISSION_INCOMPLETE);
  if (strcmp(arg->channel, "online") && strcmp(arg->channel, "desk") && strcmp(arg->channel, "post"))
    return refuse(d, MC_EINVAL, CHANNEL_UNKNOWN, arg->channel);
  /* Online: the applicant; at the desk or by post: an official enters it for them. */
  bool online = !strcmp(arg->channel, "online");
  if (online && (c->actor.role == NULL || strcmp(c->actor.role, "applicant") || c->actor.who == NULL ||
                 c->actor.who[0] == '\0'))
    return refuse(d, MC_EACCES, ONLINE_BY_APPLICANT);
  if (online && strlen(c->actor.who) >= sizeof s.applicant)
    return refuse(d, MC_EINVAL, ACCOUNT_ID_TOO_LONG, sizeof s.applicant - 1);
  if (!online && (c->actor.role == NULL || strcmp(c->actor.role, "reception") || c->actor.agency == NULL ||
                  strcmp(c->actor.agency, arg->agency)))
    return refuse(d, MC_EACCES, DESK_BY_RECEPTION, arg->channel, arg->agency);
  if ((rc = eng__def_current(d->e, d->b, ENG_DEF_PROCEDURE, arg->procedure, d->now, proc_hash)))
    return rc == MC_ERANGE
               ? refuse(d, MC_EINVAL, PROCEDURE_RETIRED, arg->procedure)
               : refuse(d, rc, PROCEDURE_NOT_PUBLISHED, arg->procedure);
  if ((rc = eng__def_load(d->e, d->b, proc_hash, ENG_DEF_PROCEDURE, &def)))
    return refuse(d, rc, PROCEDURE_UNREADABLE, arg->procedure);
  d->m = def->machine;
  if ((rc = eng__def_current(d->e, d->b, ENG_DEF_POLICY, d->m->policy, d->now, policy_hash)) ||
      (rc = eng__def_load(d->e, d->b, policy_hash, ENG_DEF_POLICY, &def)))
    return rc == MC_ERANGE
               ? refuse(d, MC_EINVAL, POLICY_RETIRED, d->m->policy, arg->procedure)
               : refuse(d, rc, POLICY_NOT_PUBLISHED, d->m->policy);
  d->policy = &def->policy;
  if ((rc = check_directory(d, arg->agency, arg->procedure, s.calendar, sizeof s.calendar)))
    return rc;
  if ((rc = eng__def_current(d->e, d->b, ENG_DEF_CALENDAR, s.calendar, d->now, cal_hash)) ||
      (rc = eng__def_load(d->e, d->b, cal_hash, ENG_DEF_CALENDAR, &def)))
    return refuse(d, rc, AGENCY_CALENDAR_NOT_PUBLISHED, s.calendar, arg->agency);
  d->cal = def->calendar;
  memcpy(d->cal_hash, cal_hash, 32);

  mc_buf form = MC_BUF_INIT;
  if ((rc = eng__form_validate(d->m, arg->form.data, arg->form.len, &form, d->res))) {
    mc_buf_free(&form);
    return rc;
  }
  /* The code: <agency>-<yymmdd>-<NNNN...>, counted per agency per local day. */
  int64_t day, msd;
  int y, mo, dd;
  mc_instant_split(d->now, eng_calendar_offset_min(d->cal), &day, &msd);
  mc_civil_from_days(day, &y, &mo, &dd);
  char prefix[48];
  if (strlen(arg->agency) > 31) {
    mc_buf_free(&form);
    return refuse(d, MC_EINVAL, AGENCY_CODE_TOO_LONG, arg->agency);
  }
  int plen = snprintf(prefix, sizeof prefix, "%.31s-%02d%02d%02d", arg->agency, y % 100, mo, dd);
  uint32_t last = 0;
  const void *v;
  size_t vlen;
  if (store_cmd_proj_get(d->b, ENG_PROJ_CODES, prefix, (size_t)plen, &v, &vlen) == 0 && vlen == 4) {
    const uint8_t *p = v;
    last = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
  }
  /* At least four digits, more once a day passes 9,999 (docs/DOMAIN.md, "The
   * dossier code"): no client can exhaust a day. */
  if (last >= ENG_CODE_MAX_PER_DAY) {
    mc_buf_free(&form);
    return refuse(d, MC_ERANGE, DAY_FULL, arg->agency,
                  (unsigned)ENG_CODE_MAX_PER_DAY);
  }
  snprintf(s.code, sizeof s.code, "%s-%04u", prefix, last + 1);
  snprintf(s.procedure, sizeof s.procedure, "%s", arg->procedure);
  snprintf(s.agency, sizeof s.agency, "%s", arg->agency);
  snprintf(s.channel, sizeof s.channel, "%s", arg->channel);
  snprintf(s.applicant, sizeof s.applicant, "%s", online && c->actor.who ? c->actor.who : "");
  const char *owner = online ? c->actor.who : arg->owner;
  if (owner && strlen(owner) >= sizeof s.owner) {
    mc_buf_free(&form);
    return refuse(d, MC_EINVAL, OWNER_ID_TOO_LONG, owner);
  }
  snprintf(s.owner, sizeof s.owner, "%s", owner ? owner : "");
  doc_entry docs[ENG_MAX_DOCUMENTS];
  int ndocs = 0;
  if ((rc = submission_documents(d, s.owner, docs, &ndocs))) {
    mc_buf_free(&form);
    return rc;
  }
  memcpy(s.definition, proc_hash, 32);
  memcpy(s.policy, policy_hash, 32);
  s.submitted_at = d->now;

  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  msgpack_unpack_next(&u, (const char *)form.data, form.len, &off);
  d->form = &u.data;
  rc = enter(d, &s, 0);
  if (rc == 0) {
    note(d, "applicant", "received");   /* with its code, to follow it (BN Art. 8.2) */
    note(d, "official", "new_dossier"); /* reception of the agency (NĐ118 Art. 17.2) */
    char email[256] = "", phone[32] = "";
    for (int i = 0; i < d->m->nfields; i++) {
      const msgpack_object *f = eng__get(d->form, d->m->fields[i].name);
      if (f && f->type == MSGPACK_OBJECT_STR && d->m->fields[i].type == DSL_M_EMAIL && !email[0])
        snprintf(email, sizeof email, "%.*s", (int)f->via.str.size, f->via.str.ptr);
      if (f && f->type == MSGPACK_OBJECT_STR && d->m->fields[i].type == DSL_M_PHONE && !phone[0])
        snprintf(phone, sizeof phone, "%.*s", (int)f->via.str.size, f->via.str.ptr);
    }
    what w = {.action = "submit", .step = d->m->nodes[0].name, .docs = docs, .ndocs = ndocs, .email = email,
              .phone = phone};
    rc = append_dossier_event(d, &s, 1, &w, form.data, form.len);
  }
  msgpack_unpacked_destroy(&u);
  mc_buf_free(&form);
  return rc;
}

/* ============================================================ act */

static int role_allowed(decide *d, const eng_snap *s, const dsl_m_node *n) {
  const eng_actor *a = &d->cmd->actor;
  const char *role = n->role ? n->role : "";
  /* A dossier entered at the desk or by post has no applicant account:
   * reception acts for the applicant in the applicant's steps. */
  bool for_applicant = !strcmp(role, "applicant") && s->applicant[0] == '\0';
  if (for_applicant && (a->role == NULL || strcmp(a->role, "reception")))
    return refuse(d, MC_EACCES,
                  DESK_STEP_BY_RECEPTION,
                  s->code, s->channel, s->agency, n->name);
  if (!for_applicant && (a->role == NULL || strcmp(a->role, role)))
    return refuse(d, MC_EACCES, STEP_ROLE, n->name, n->title ? n->title : "", role, a->role ? a->role : "no role",
                  role_vi(role), role_vi(a->role ? a->role : "no role"));
  if (!strcmp(role, "applicant") && !for_applicant) {
    if (a->who == NULL || strcmp(a->who, s->applicant))
      return refuse(d, MC_EACCES, STEP_APPLICANT_ONLY, s->code, n->name);
    return 0;
  }
  const char *agency = n->agency && !for_applicant ? n->agency : s->agency;
  if (a->agency == NULL || strcmp(a->agency, agency))
    return refuse(d, MC_EACCES, STEP_OTHER_AGENCY, n->name, agency,
                  a->who ? a->who : "this official");
  /* A dossier assigned to a main handler is processed by them and their
   * co-handlers (a branch at another agency is that agency's). */
  if (s->handler[0] && !n->agency && !strcmp(role, "specialist")) {
    bool mine = a->who && !strcmp(a->who, s->handler);
    for (int i = 0; i < s->nco_handlers && !mine; i++)
      mine = a->who && !strcmp(a->who, s->co_handlers[i]);
    if (!mine)
      return refuse(d, MC_EACCES, DOSSIER_ASSIGNED, s->code, s->handler,
                    s->nco_handlers ? " and co-handlers" : "");
  }
  return 0;
}

/* Leaves a step: resumes the legal clock if the step had stopped it. */
static int leave(decide *d, eng_snap *s, int token) {
  const dsl_m_node *n = &d->m->nodes[s->tokens[token].node];
  int rc = 0;
  remove_token(s, token);
  bool paying = pauses_for_obligation(d, n);
  if ((n->clock == DSL_M_CLOCK_RUNS && !paying) || s->paused_since == 0 || s->appointment_at == 0)
    return 0;
  /* Paying pauses; a supplement pauses or restarts as its step (or the policy) says. */
  bool restart = !paying && (n->clock == DSL_M_CLOCK_RESTARTS || (n->clock == DSL_M_CLOCK_POLICY && d->policy->restart));
  if (restart) {
    /* NĐ118 Art. 19.5: the time runs again from zero when the complete dossier arrives. */
    rc = appointment(d, d->now, &s->appointment_at);
  } else {
    int64_t remaining = 0;
    if (s->appointment_at > s->paused_since &&
        (rc = eng_calendar_working_time_between(d->cal, s->paused_since, s->appointment_at, NULL, &remaining)) == 0)
      rc = eng_calendar_add_working_time(d->cal, d->now, remaining, NULL, &s->appointment_at);
  }
  s->paused_since = 0;
  if (rc == 0)
    arm_deadline(d, s);
  return rc ? refuse(d, rc, APPOINTMENT_UNCOMPUTABLE, mc_strerror(rc)) : 0;
}

static bool final_state(const char *state) { return dsl_state_is_final(dsl_state_parse(state)); }

static int check_version(decide *d, const eng_snap *s, uint64_t version) {
  if (d->cmd->expected_version != STORE_ANY_VERSION && d->cmd->expected_version != version)
    return refuse(d, MC_ECONFLICT, VERSION_STALE,
                  s->code, (unsigned long long)version, (unsigned long long)d->cmd->expected_version);
  if (final_state(s->state))
    return refuse(d, MC_EINVAL, DOSSIER_FINISHED, s->code, s->state, state_vi(s->state));
  return 0;
}

/* A command on an open dossier: its snapshot at the version the client saw,
 * and the definitions it runs under. */
static int open_dossier(decide *d, eng_snap *s, uint64_t *version) {
  int rc;
  if ((rc = load_snap(d, d->cmd->dossier, s, version)) || (rc = check_version(d, s, *version)))
    return rc;
  return load_defs(d, s);
}

/* The dossier's e-form, from the event that filed it (ENG_PROJ_FORMS says
 * which), copied: the batch's later writes may move what it reads. */
static int load_form(decide *d, const char *code, msgpack_unpacked *u) {
  const void *v;
  size_t vlen, off = 0;
  store_event ev;
  msgpack_unpacked data;
  const msgpack_object *form = NULL;
  d->form = NULL;
  int rc = store_cmd_proj_get(d->b, ENG_PROJ_FORMS, code, strlen(code), &v, &vlen);
  if (rc == 0)
    rc = vlen == 8 ? store_cmd_event(d->b, eng__be64(v), &ev) : MC_ECORRUPT;
  msgpack_unpacked_init(&data);
  if (rc == 0 && msgpack_unpack_next(&data, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS)
    form = eng__get(&data.data, "form");
  mc_buf_reset(&d->e->form_copy);
  if (form && form->type == MSGPACK_OBJECT_BIN &&
      mc_buf_append(&d->e->form_copy, form->via.bin.ptr, form->via.bin.size) == 0) {
    off = 0;
    if (msgpack_unpack_next(u, (const char *)d->e->form_copy.data, d->e->form_copy.len, &off) ==
        MSGPACK_UNPACK_SUCCESS)
      d->form = &u->data;
  }
  msgpack_unpacked_destroy(&data);
  if (d->form == NULL)
    return refuse(d, MC_ECORRUPT, FORM_OF_DOSSIER_UNREADABLE, code);
  return 0;
}

/* Takes `action` in the step at token index `ti` (the actor already checked). */
static int take(decide *d, eng_snap *s, uint64_t version, int ti, const char *action, mc_instant due_at) {
  const dsl_m_node *n = &d->m->nodes[s->tokens[ti].node];
  const dsl_m_transition *t = NULL;
  const char *reason = d->cmd && d->cmd->kind == ENG_CMD_ACT ? d->cmd->act.reason : NULL;
  if (due_at)
    reason = NULL; /* a timer acts, not a person */
  what w = {.action = action, .step = n->name, .reason = reason, .due_at = due_at};
  int rc;
  for (int i = 0; i < n->nout && !t; i++)
    if (n->out[i].action && !strcmp(n->out[i].action, action))
      t = &n->out[i];
  if (t == NULL) {
    char allowed[256] = "";
    for (int i = 0; i < n->nout; i++)
      if (n->out[i].action && strcmp(n->out[i].action, "timeout"))
        snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s", allowed[0] ? ", " : "",
                 n->out[i].action);
    return refuse(d, MC_EINVAL, ACTION_NOT_ALLOWED, n->name, n->title ? n->title : "",
                  allowed[0] ? allowed : "no action", action);
  }
  if (!strcmp(action, "request_supplement")) {
    if (s->supplement_used)
      return refuse(d, MC_EINVAL, SUPPLEMENT_ONCE);
    if (reason == NULL || reason[0] == '\0')
      return refuse(d, MC_EINVAL, SUPPLEMENT_LIST);
    s->supplement_used = true;
    /* Later than the policy's limit is allowed, and recorded as a breach. */
    if (d->policy->has_request_limit) {
      mc_instant limit;
      eng_duration lim = {(eng_time_unit)d->policy->request_limit.unit, d->policy->request_limit.amount};
      if (deadline(d, s->accepted_at ? s->accepted_at : s->submitted_at, lim, ENG_NO_CUTOFF, &limit) == 0 &&
          d->now > limit)
        s->supplement_late = w.breach = true;
    }
  }
  doc_entry docs[ENG_MAX_DOCUMENTS];
  if (brought_by(d->cmd).n) {
    char date[11];
    if (strcmp(action, "provide_supplement"))
      return refuse(d, MC_EINVAL, DOCUMENTS_NOT_HERE, action);
    today(d, date);
    if ((rc = brought_documents(d, date, docs, &w.ndocs)))
      return rc;
    w.docs = docs;
  }
  if (!strcmp(action, "reject")) {
    /* Refused at reception means not received (portal status 3): once
     * accepted, a dossier is decided, with reasons if denied. */
    if (s->accepted_at)
      return refuse(d, MC_EINVAL, REJECT_AFTER_ACCEPT, s->code);
    if (reason == NULL || reason[0] == '\0')
      return refuse(d, MC_EINVAL, REJECT_REASONS);
  }
  if (!strcmp(action, "deny") && (reason == NULL || reason[0] == '\0'))
    return refuse(d, MC_EINVAL, DENY_REASONS);
  if (!strcmp(action, "record_payment"))
    s->fee_paid = true;

  if (!strcmp(action, "approve"))
    snprintf(s->outcome, sizeof s->outcome, "approved");
  if (!strcmp(action, "deny"))
    snprintf(s->outcome, sizeof s->outcome, "denied");
  if ((rc = leave(d, s, ti)))
    return rc;
  if (!strcmp(action, "accept") && s->accepted_at == 0) {
    s->accepted_at = d->now;
    if ((rc = appointment(d, d->now, &s->appointment_at)))
      return rc;
    arm_deadline(d, s);
  }
  d->depth = 0;
  if ((rc = follow(d, s, t)))
    return rc;
  return append_dossier_event(d, s, version + 1, &w, NULL, 0);
}

static int do_act(decide *d) {
  const eng_command *c = d->cmd;
  const eng_act_args *arg = &c->act;
  eng_snap s;
  uint64_t version;
  msgpack_unpacked u;
  int rc;
  if (c->dossier == NULL || arg->action == NULL)
    return refuse(d, MC_EINVAL, ACT_INCOMPLETE);
  if ((rc = open_dossier(d, &s, &version)))
    return rc;
  int ti = -1;
  if (arg->step) {
    for (int i = 0; i < s.ntokens; i++)
      if (!strcmp(d->m->nodes[s.tokens[i].node].name, arg->step))
        ti = i;
    if (ti < 0)
      return refuse(d, MC_EINVAL, NOT_AT_STEP, s.code, arg->step);
  } else if (s.ntokens == 1) {
    ti = 0;
  } else {
    char at[256] = "";
    for (int i = 0; i < s.ntokens; i++)
      snprintf(at + strlen(at), sizeof at - strlen(at), "%s%s", i ? ", " : "", d->m->nodes[s.tokens[i].node].name);
    return refuse(d, MC_EINVAL, SEVERAL_STEPS, s.code, at);
  }
  if (!strcmp(arg->action, "timeout"))
    return refuse(d, MC_EINVAL, TIMEOUT_BY_ENGINE);
  if ((rc = role_allowed(d, &s, &d->m->nodes[s.tokens[ti].node])))
    return rc;
  msgpack_unpacked_init(&u);
  if ((rc = load_form(d, s.code, &u)) == 0)
    rc = take(d, &s, version, ti, arg->action, 0);
  msgpack_unpacked_destroy(&u);
  return rc;
}

/* ============================================================ withdraw, extend */

/* The applicant's own account (a dossier filed online has one). */
static bool is_applicant_of(const eng_actor *a, const eng_snap *s) {
  return a->role && !strcmp(a->role, "applicant") && a->who && s->applicant[0] && !strcmp(a->who, s->applicant);
}

/* Reception of the dossier's agency (acting for an applicant without an account). */
static bool is_reception_of(const eng_actor *a, const eng_snap *s) {
  return a->role && !strcmp(a->role, "reception") && a->agency && !strcmp(a->agency, s->agency);
}

static int do_withdraw(decide *d) {
  const eng_command *c = d->cmd;
  eng_snap s;
  uint64_t version;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, WITHDRAW_WHICH);
  if ((rc = open_dossier(d, &s, &version)))
    return rc;
  if (s.decided_at)
    return refuse(d, MC_EINVAL, WITHDRAW_DECIDED, s.code);
  if (!is_applicant_of(&c->actor, &s) && !is_reception_of(&c->actor, &s))
    return refuse(d, MC_EACCES, WITHDRAW_FORBIDDEN);
  finish(d, &s, "withdrawn");
  what w = {.action = "withdraw", .reason = c->withdraw.reason};
  return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

static int do_extend(decide *d) {
  const eng_command *c = d->cmd;
  const eng_extend_args *arg = &c->extend;
  eng_snap s;
  uint64_t version;
  int rc;
  char due[MC_INSTANT_STRLEN], latest_text[MC_INSTANT_STRLEN];
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, EXTEND_WHICH);
  if ((rc = open_dossier(d, &s, &version)))
    return rc;
  if (c->actor.role == NULL || strcmp(c->actor.role, "leader") || c->actor.agency == NULL ||
      strcmp(c->actor.agency, s.agency))
    return refuse(d, MC_EACCES, EXTEND_BY_LEADER, s.agency);
  if (s.appointment_at == 0 || s.decided_at)
    return refuse(d, MC_EINVAL, EXTEND_NO_APPOINTMENT, s.code);
  if (s.extended)
    return refuse(d, MC_EINVAL, ALREADY_EXTENDED, s.code);
  if (arg->reason == NULL || arg->reason[0] == '\0')
    return refuse(d, MC_EINVAL, EXTEND_REASON);
  /* The new appointment is a working day, due at its close of office
   * hours like every other deadline (DOMAIN.md "Working time"). */
  int64_t day, msd;
  eng_day_info info;
  mc_instant_split(arg->new_due, eng_calendar_offset_min(d->cal), &day, &msd);
  if ((rc = eng_calendar_day(d->cal, day, &info)))
    return refuse(d, rc, EXTEND_YEAR_MISSING, s.calendar);
  if (!info.working) {
    fmt_local(d, arg->new_due, due);
    return refuse(d, MC_EINVAL, EXTEND_NOT_WORKING_DAY, due, eng_day_kind_name(info.kind), day_kind_vi(info.kind),
                  info.note ? " (" : "", info.note ? info.note : "", info.note ? ")" : "");
  }
  mc_instant new_due = mc_instant_join(day, info.close_ms, eng_calendar_offset_min(d->cal));
  if (new_due <= s.appointment_at)
    return refuse(d, MC_EINVAL, EXTEND_NOT_LATER);
  /* At least the policy's notice (one working day) before the due date. */
  if (d->policy->has_notice) {
    mc_instant latest;
    eng_duration notice = {(eng_time_unit)d->policy->notice.unit, d->policy->notice.amount};
    if ((rc = deadline(d, d->now, notice, ENG_NO_CUTOFF, &latest)))
      return rc;
    if (latest > s.appointment_at) {
      fmt_local(d, s.appointment_at, due);
      fmt_local(d, latest, latest_text);
      return refuse(d, MC_EINVAL, EXTEND_TOO_LATE, (long long)d->policy->notice.amount,
                    notice.unit == ENG_UNIT_WORKING_HOURS ? "working hour(s)" : notice.unit == ENG_UNIT_WORKING_DAYS ? "working day(s)" : "day(s)",
                    notice.unit == ENG_UNIT_WORKING_HOURS ? "giờ làm việc" : notice.unit == ENG_UNIT_WORKING_DAYS ? "ngày làm việc" : "ngày",
                    due);
    }
  }
  what w = {.action = "extend", .reason = arg->reason, .old_due = s.appointment_at, .new_due = new_due};
  s.appointment_at = new_due;
  s.extended = true;
  arm_deadline(d, &s);
  note(d, "applicant", "extended");
  return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

/* ============================================================ assign, stop, rate, retire */

static int leader_of(decide *d, const eng_snap *s, const char *what_for) {
  const eng_actor *a = &d->cmd->actor;
  if (a->role == NULL || strcmp(a->role, "leader") || a->agency == NULL || strcmp(a->agency, s->agency))
    return refuse(d, MC_EACCES, LEADER_ONLY, what_for, s->agency);
  return 0;
}

static int do_assign(decide *d) {
  const eng_command *c = d->cmd;
  const eng_assign_args *arg = &c->assign;
  eng_snap s;
  uint64_t version;
  int rc;
  if (c->dossier == NULL || arg->handler == NULL || arg->handler[0] == '\0')
    return refuse(d, MC_EINVAL, ASSIGN_INCOMPLETE);
  if (arg->co_handlers.n < 0 || arg->co_handlers.n > 4)
    return refuse(d, MC_EINVAL, CO_HANDLERS_MAX);
  if (arg->co_handlers.n > 0 && arg->co_handlers.list == NULL)
    return refuse(d, MC_EINVAL, CO_HANDLERS_MISSING, arg->co_handlers.n);
  /* An id cut short would lock its official out: refuse it whole. */
  for (int i = -1; i < arg->co_handlers.n; i++) {
    const char *id = i < 0 ? arg->handler : arg->co_handlers.list[i];
    if (id && strlen(id) > 63)
      return refuse(d, MC_EINVAL, OFFICIAL_ID_TOO_LONG, id);
  }
  if ((rc = open_dossier(d, &s, &version)))
    return rc;
  /* An administrator hands over the open work of an official who leaves
   * (the account disabled): the leader's assignment, by the agency's admin. */
  const eng_actor *a = &c->actor;
  bool admin = a->role && (!strcmp(a->role, "system_admin") ||
                           (!strcmp(a->role, "agency_admin") && a->agency && !strcmp(a->agency, s.agency)));
  if (!admin && (rc = leader_of(d, &s, "assigning a dossier")))
    return rc;
  what w = {.action = "assign", .handler = arg->handler, .reason = s.handler[0] ? s.handler : NULL};
  snprintf(s.handler, sizeof s.handler, "%.63s", arg->handler);
  s.nco_handlers = 0;
  for (int i = 0; i < arg->co_handlers.n; i++)
    if (arg->co_handlers.list[i] && strcmp(arg->co_handlers.list[i], arg->handler))
      snprintf(s.co_handlers[s.nco_handlers++], sizeof s.co_handlers[0], "%.63s", arg->co_handlers.list[i]);
  return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

static int do_stop(decide *d) {
  const eng_command *c = d->cmd;
  eng_snap s;
  uint64_t version;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, STOP_WHICH);
  if ((rc = open_dossier(d, &s, &version)) || (rc = leader_of(d, &s, "stopping a dossier")))
    return rc;
  if (c->stop.reason == NULL || c->stop.reason[0] == '\0')
    return refuse(d, MC_EINVAL, STOP_REASON);
  if (s.accepted_at == 0)
    return refuse(d, MC_EINVAL, STOP_NOT_ACCEPTED, s.code);
  if (s.decided_at)
    return refuse(d, MC_EINVAL, STOP_DECIDED, s.code);
  finish(d, &s, "stopped");
  what w = {.action = "stop", .reason = c->stop.reason};
  return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

static int do_rate(decide *d) {
  const eng_command *c = d->cmd;
  eng_snap s;
  uint64_t version;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, RATE_WHICH);
  if ((rc = load_snap(d, c->dossier, &s, &version)) || (rc = load_defs(d, &s)))
    return rc;
  /* Online, by the applicant's account; for a desk or postal dossier,
   * reception records what the applicant gave (at the desk's terminal). */
  bool applicant = is_applicant_of(&c->actor, &s);
  bool for_applicant = !s.applicant[0] && is_reception_of(&c->actor, &s);
  if (!applicant && !for_applicant)
    return s.applicant[0] ? refuse(d, MC_EACCES, RATE_BY_APPLICANT, s.code) : refuse(d, MC_EACCES, RATE_AT_DESK, s.code);
  if (strcmp(s.state, "returned"))
    return refuse(d, MC_EINVAL, RATE_NOT_RETURNED, s.state, state_vi(s.state));
  if (s.rating)
    return refuse(d, MC_EINVAL, ALREADY_RATED, s.code);
  if (c->rate.rating < 1 || c->rate.rating > 5)
    return refuse(d, MC_ERANGE, RATING_RANGE);
  s.rating = c->rate.rating;
  what w = {.action = "rate", .rating = c->rate.rating, .reason = c->rate.comment};
  return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

static int do_retire(decide *d) {
  const eng_command *c = d->cmd;
  const eng_retire_args *arg = &c->retire;
  uint8_t hash[32];
  int rc;
  if ((rc = admin_may(d, arg->def_kind, "retiring")))
    return rc;
  if (arg->def_kind != ENG_DEF_PROCEDURE && arg->def_kind != ENG_DEF_POLICY)
    return refuse(d, MC_EINVAL, RETIRE_KIND);
  if (arg->id == NULL || (rc = eng__def_current(d->e, d->b, arg->def_kind, arg->id, INT64_MAX, hash)) == MC_ENOENT)
    return refuse(d, MC_ENOENT, DEFINITION_NOT_PUBLISHED, eng_def_kind_name(arg->def_kind), arg->id ? arg->id : "");
  if (rc == MC_ERANGE)
    return refuse(d, MC_EINVAL, ALREADY_RETIRED,
                  eng_def_kind_name(arg->def_kind), arg->id);
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, 3);
  mc_canon_kv_int(&w, "effective_from", arg->effective_from);
  mc_canon_kv_str(&w, "id", arg->id);
  mc_canon_kv_str(&w, "kind", eng_def_kind_name(arg->def_kind));
  if ((rc = mc_canon_finish(&w)) != 0) {
    mc_buf_free(&data);
    return refuse(d, rc, RETIREMENT_UNENCODABLE);
  }
  char stream[160];
  snprintf(stream, sizeof stream, "definition/%s/%.100s", eng_def_kind_name(arg->def_kind), arg->id);
  store_event_in in = {.stream = stream, .expected_version = STORE_ANY_VERSION, .type = eng_event_name(ENG_EV_DEFINITION_RETIRED),
                       .time = d->now, .actor = {c->actor.who, c->actor.role, c->actor.client},
                       .data = data.data, .data_len = data.len};
  rc = store_append(d->b, &in, NULL, NULL);
  mc_buf_free(&data);
  return rc ? eng__refuse_store(d->res, rc, store_errmsg(d->e->st)) : 0;
}

/* The fee back to the applicant when the agency could not deliver: the
 * procedure's fee is refundable, it was paid, and the dossier was denied or
 * stopped by the agency.  Not when the applicant did not collect a finished
 * result (BN Art. 10.2.c). */
static int do_refund(decide *d) {
  const eng_command *c = d->cmd;
  eng_snap s;
  uint64_t version;
  msgpack_unpacked u;
  int64_t fee;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, REFUND_WHICH);
  if ((rc = load_snap(d, c->dossier, &s, &version)) || (rc = load_defs(d, &s)) ||
      (rc = leader_of(d, &s, "refunding a fee")))
    return rc;
  if (!d->m->refundable)
    return refuse(d, MC_EINVAL, FEE_NOT_REFUNDABLE, s.procedure);
  if (!s.fee_paid)
    return refuse(d, MC_EINVAL, NO_PAYMENT, s.code);
  if (s.refunded)
    return refuse(d, MC_EINVAL, ALREADY_REFUNDED, s.code);
  /* Denied by the decision (a specialist's proposal is not one), or
   * stopped before any decision. */
  bool denied = s.decided_at && !strcmp(s.outcome, "denied");
  bool stopped = !strcmp(s.state, "stopped") && s.decided_at == 0;
  if (!denied && !stopped)
    return refuse(d, MC_EINVAL, REFUND_NOT_DUE, s.code, s.state, state_vi(s.state),
                  s.decided_at ? " with its result" : ", not decided yet");
  msgpack_unpacked_init(&u);
  if ((rc = load_form(d, s.code, &u)) == 0 && (rc = eng__fee(d->m->fee, d->form, &fee)) != 0)
    refuse(d, rc, FEE_UNCOMPUTABLE, s.code);
  msgpack_unpacked_destroy(&u);
  if (rc)
    return rc;
  if (fee <= 0)
    return refuse(d, MC_EINVAL, FEE_ZERO, s.code);
  s.refunded = fee;
  what w = {.action = "refund", .reason = c->refund.reason, .new_due = 0};
  return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

/* ============================================================ execute */

/* ============================================================ the outbox */

/* Appends an event of a stream other than a dossier's, whose data `w`
 * wrote into `data` (freed here), by the command's actor. */
static int append_other(decide *d, const char *stream, const char *type, mc_canon *w, mc_buf *data) {
  int rc = mc_canon_finish(w);
  if (rc) {
    mc_buf_free(data);
    return refuse(d, rc, EVENT_TYPE_UNENCODABLE, type);
  }
  const eng_actor *a = &d->cmd->actor;
  store_event_in in = {.stream = stream, .expected_version = STORE_ANY_VERSION, .type = type, .time = d->now,
                       .actor = {a->who, a->role, a->client}, .data = data->data, .data_len = data->len};
  rc = store_append(d->b, &in, NULL, NULL);
  mc_buf_free(data);
  return rc ? eng__refuse_store(d->res, rc, store_errmsg(d->e->st)) : 0;
}

/* The outcome of a message: it leaves the outbox; a message that failed
 * for good alerts the agency (NĐ118 Art. 17.2: nobody is left uninformed),
 * except an alert about an alert. */
static int do_delivered(decide *d) {
  const eng_command *c = d->cmd;
  const eng_delivered_args *arg = &c->delivered;
  uint8_t key[9];
  const void *v;
  size_t vlen, off = 0;
  if (c->actor.role == NULL || strcmp(c->actor.role, "system"))
    return refuse(d, MC_EACCES, DELIVERY_BY_WORKER);
  if (arg->outcome == NULL || (strcmp(arg->outcome, "sent") && strcmp(arg->outcome, "failed")))
    return refuse(d, MC_EINVAL, DELIVERY_OUTCOME);
  if (!strcmp(arg->outcome, "failed") && (arg->reason == NULL || arg->reason[0] == '\0'))
    return refuse(d, MC_EINVAL, DELIVERY_WHY);
  if (arg->index < 0 || arg->index >= ENG_MAX_NOTES)
    return refuse(d, MC_EINVAL, DELIVERY_INDEX, arg->index, ENG_MAX_NOTES);
  for (int i = 0; i < 8; i++)
    key[i] = (uint8_t)(arg->seq >> (56 - 8 * i));
  key[8] = (uint8_t)arg->index;
  int rc = store_cmd_proj_get(d->b, ENG_PROJ_OUTBOX, key, sizeof key, &v, &vlen);
  if (rc == MC_ENOENT)
    return refuse(d, MC_ENOENT, DELIVERY_NOT_WAITING,
                  (unsigned long long)arg->seq, arg->index);
  if (rc)
    return refuse(d, rc, OUTBOX_UNREADABLE);
  /* The message, in the event that caused it: which dossier, which template. */
  store_event ev;
  msgpack_unpacked u;
  char dossier[64] = "", template_name[48] = "";
  msgpack_unpacked_init(&u);
  if ((rc = store_cmd_event(d->b, arg->seq, &ev)) == 0) {
    const msgpack_object *notify = NULL;
    if (msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS)
      notify = eng__get(&u.data, "notify");
    const msgpack_object *note = notify && notify->type == MSGPACK_OBJECT_ARRAY &&
                                         (uint32_t)arg->index < notify->via.array.size
                                     ? &notify->via.array.ptr[arg->index] : NULL;
    const msgpack_object *hash = eng__get(note, "hash");
    eng_def *tmpl;
    /* A published template is named by its hash (format 2), else by name. */
    if (note == NULL || eng__str_copy(eng__get(note, "template"), template_name, sizeof template_name))
      rc = MC_ECORRUPT;
    else if (template_name[0] == '\0' &&
             (hash == NULL || hash->type != MSGPACK_OBJECT_BIN || hash->via.bin.size != 32 ||
              eng__def_load(d->e, d->b, (const uint8_t *)hash->via.bin.ptr, ENG_DEF_TEMPLATE, &tmpl) ||
              eng__template_name(tmpl->bytes, tmpl->len, template_name, sizeof template_name)))
      rc = MC_ECORRUPT;
    else if (eng_event_is_dossier(eng__event_type(&ev)))
      snprintf(dossier, sizeof dossier, "%.*s", (int)(ev.stream.len - 8), ev.stream.ptr + 8);
    else if (eng__str_copy(eng__get(&u.data, "dossier"), dossier, sizeof dossier))
      rc = MC_ECORRUPT;
  }
  msgpack_unpacked_destroy(&u);
  if (rc)
    return refuse(d, rc, OUTBOX_UNREADABLE);
  bool alert = !strcmp(arg->outcome, "failed") && strcmp(template_name, "delivery_failed");
  /* The alert names the dossier: its facts, when it can be read. */
  eng_snap snap;
  uint64_t version;
  msgpack_unpacked form;
  memset(&snap, 0, sizeof snap);
  snprintf(snap.code, sizeof snap.code, "%s", dossier);
  msgpack_unpacked_init(&form);
  eng_result scratch = *d->res;
  decide quiet = *d; /* a dossier that cannot be read leaves the alert plainer, not refused */
  quiet.res = &scratch;
  if (alert && dossier[0] && load_snap(&quiet, dossier, &snap, &version) == 0 && load_defs(&quiet, &snap) == 0)
    load_form(&quiet, dossier, &form);
  eng_facts facts = {.s = &snap, .m = quiet.m, .form = quiet.form, .reason = arg->reason,
                     .offset_min = quiet.cal ? eng_calendar_offset_min(quiet.cal) : 420};
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, alert ? 7 : 6);
  mc_canon_kv_str(&w, "dossier", dossier);
  mc_canon_kv_int(&w, "index", arg->index);
  if (alert) {
    mc_canon_key(&w, "notify");
    mc_canon_array(&w, 1);
    rc = eng__message_write(d->e, d->b, d->now, &facts, "official", "delivery_failed", &w);
  }
  msgpack_unpacked_destroy(&form);
  if (rc) {
    mc_buf_free(&data);
    return refuse(d, rc, ALERT_UNWRITABLE);
  }
  mc_canon_kv_str(&w, "outcome", arg->outcome);
  mc_canon_kv_str(&w, "reason", arg->reason ? arg->reason : "");
  mc_canon_kv_int(&w, "seq", (int64_t)arg->seq);
  mc_canon_kv_str(&w, "template", template_name);
  return append_other(d, "outbox", eng_event_name(ENG_EV_NOTIFICATION_DELIVERED), &w, &data);
}

/* An incident announced to everyone affected (BN Art. 14): the applicants
 * of open dossiers, of one agency or of all.  One message of the outbox,
 * to "affected" (or "affected:AGENCY"), which the delivery worker sends to
 * each address. */
static int do_announce(decide *d) {
  const eng_command *c = d->cmd;
  const eng_announce_args *arg = &c->announce;
  const char *role = c->actor.role ? c->actor.role : "";
  bool province = !strcmp(role, "system_admin");
  bool own = !strcmp(role, "agency_admin") && arg->agency && c->actor.agency && !strcmp(arg->agency, c->actor.agency);
  if (!province && !own)
    return refuse(d, MC_EACCES, ANNOUNCE_FORBIDDEN);
  if (arg->message == NULL || arg->message[0] == '\0')
    return refuse(d, MC_EINVAL, ANNOUNCE_TEXT);
  if (arg->agency) {
    char calendar[32];
    decide quiet = *d;
    eng_result scratch;
    quiet.res = &scratch;
    if (strlen(arg->agency) > 20 || check_directory(&quiet, arg->agency, "", calendar, sizeof calendar) == MC_ENOENT)
      return refuse(d, MC_ENOENT, ANNOUNCE_AGENCY_UNKNOWN, arg->agency);
  }
  eng_snap none;
  memset(&none, 0, sizeof none);
  snprintf(none.agency, sizeof none.agency, "%s", arg->agency ? arg->agency : "");
  char to[48];
  snprintf(to, sizeof to, "affected%s%s", arg->agency ? ":" : "", arg->agency ? arg->agency : "");
  eng_facts facts = {.s = &none, .message = arg->message, .offset_min = 420};
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, 3);
  mc_canon_kv_str(&w, "agency", arg->agency ? arg->agency : "");
  mc_canon_kv_str(&w, "message", arg->message);
  mc_canon_key(&w, "notify");
  mc_canon_array(&w, 1);
  int rc = eng__message_write(d->e, d->b, d->now, &facts, to, "incident", &w);
  if (rc) {
    mc_buf_free(&data);
    return refuse(d, rc, ANNOUNCEMENT_UNWRITABLE);
  }
  return append_other(d, "announcements", eng_event_name(ENG_EV_ANNOUNCEMENT_MADE), &w, &data);
}

/* A message carrying a one-time code (an account's verification, a
 * password reset): written out like any other, but kept in the aux outbox,
 * outside the legal record (ARCHITECTURE.md "Secrets"), and appending
 * nothing. */
static int do_send_code(decide *d) {
  const eng_command *c = d->cmd;
  const eng_send_code_args *arg = &c->send_code;
  if (c->actor.role == NULL || strcmp(c->actor.role, "system"))
    return refuse(d, MC_EACCES, CODE_BY_SERVER);
  if (arg->template_name == NULL || arg->code == NULL || arg->code[0] == '\0')
    return refuse(d, MC_EINVAL, CODE_INCOMPLETE);
  if ((arg->email == NULL || arg->email[0] == '\0') && (arg->phone == NULL || arg->phone[0] == '\0'))
    return refuse(d, MC_EINVAL, CODE_ADDRESS);
  eng_snap none;
  memset(&none, 0, sizeof none);
  eng_facts facts = {.s = &none, .code = arg->code, .email = arg->email ? arg->email : "",
                     .phone = arg->phone ? arg->phone : "", .offset_min = 420};
  mc_buf msg = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &msg);
  int rc = eng__message_write(d->e, d->b, d->now, &facts, "applicant", arg->template_name, &w);
  if (rc == 0)
    rc = mc_canon_finish(&w);
  uint8_t key[16];
  for (int i = 0; i < 8; i++)
    key[i] = (uint8_t)((uint64_t)d->now >> (56 - 8 * i));
  randombytes_buf(key + 8, 8);
  if (rc == 0)
    rc = store_aux_put(eng_store(d->e), ENG_AUX_CODES, key, sizeof key, msg.data, msg.len);
  mc_buf_free(&msg);
  return rc ? refuse(d, rc, CODE_UNQUEUED, mc_strerror(rc)) : 0;
}

/* The event a dossier command's first event must be, or ENG_EV_UNKNOWN for
 * a command whose retries are not compared (the server's own). */
static eng_event_type first_event_of(const eng_command *c) {
  switch (c->kind) {
  case ENG_CMD_SUBMIT: return ENG_EV_DOSSIER_SUBMITTED;
  case ENG_CMD_ACT: return eng_event_of_cause(c->act.action);
  case ENG_CMD_WITHDRAW: return ENG_EV_DOSSIER_WITHDRAWN;
  case ENG_CMD_EXTEND: return ENG_EV_DOSSIER_EXTENDED;
  case ENG_CMD_ASSIGN: return ENG_EV_DOSSIER_ASSIGNED;
  case ENG_CMD_STOP: return ENG_EV_DOSSIER_STOPPED;
  case ENG_CMD_RATE: return ENG_EV_DOSSIER_RATED;
  case ENG_CMD_REFUND: return ENG_EV_DOSSIER_REFUNDED;
  default: return ENG_EV_UNKNOWN;
  }
}

/* Whether the command a client retried is the one its id first named: the
 * same kind of event on the same dossier (a submission: the same procedure
 * at the same agency).  A client that reuses an id for another command must
 * not be told that this one was done. */
static bool same_command(const eng_command *c, const store_event *first, const eng_snap *after) {
  eng_event_type want = first_event_of(c);
  if (want == ENG_EV_UNKNOWN)
    return true;
  if (eng__event_type(first) != want)
    return false;
  if (c->kind == ENG_CMD_SUBMIT)
    return after && c->submit.procedure && c->submit.agency && !strcmp(after->procedure, c->submit.procedure) &&
           !strcmp(after->agency, c->submit.agency);
  size_t n = c->dossier ? strlen(c->dossier) : 0;
  return first->stream.len == n + 8 && memcmp(first->stream.ptr + 8, c->dossier, n) == 0;
}

/* A retried command gets its original result: the dossier its events went
 * to (a retried submission learns its code), its version and appointment
 * after them, read back from the last of them — unless the id was first
 * used for another command, which is refused as a conflict. */
static void repeated_result(eng_engine *e, const eng_command *c, eng_result *r) {
  store_read *rd;
  store_event ev;
  if (store_read_begin(e->st, &rd) != 0)
    return;
  if (store_read_event(rd, r->first_seq, &ev) == 0) {
    eng_snap s;
    bool decoded = ev.stream.len > 8 && memcmp(ev.stream.ptr, "dossier/", 8) == 0 &&
                   eng__snap_at(rd, ev.stream.ptr + 8, ev.stream.len - 8, ev.version, &s) == 0;
    if (!same_command(c, &ev, decoded ? &s : NULL)) {
      r->repeated = false;
      r->status = ENG_REFUSE(r, MC_ECONFLICT, COMMAND_ID_REUSED, c->command_id ? c->command_id : "",
                             (unsigned long long)ev.seq, (int)ev.type.len, ev.type.ptr, (int)ev.stream.len,
                             ev.stream.ptr);
      r->first_seq = 0;
      r->count = 0;
    }
  }
  if (r->status == 0 && store_read_event(rd, r->first_seq + r->count - 1, &ev) == 0 && ev.stream.len > 8 &&
      memcmp(ev.stream.ptr, "dossier/", 8) == 0 && ev.stream.len - 8 < sizeof r->dossier) {
    eng_snap s;
    memcpy(r->dossier, ev.stream.ptr + 8, ev.stream.len - 8);
    r->dossier[ev.stream.len - 8] = '\0';
    r->version = ev.version;
    if (eng__snap_at(rd, ev.stream.ptr + 8, ev.stream.len - 8, ev.version, &s) == 0)
      r->appointment_at = s.appointment_at;
  }
  store_read_end(rd);
}

static int do_account(decide *d) { return eng__account_decide(d->e, d->b, d->now, d->cmd, d->res); }

/* A text of the command longer than its table's bound (ENG_MAX_REASON_BYTES),
 * or NULL. */
static const eng_arg *text_too_long(const eng_command *c) {
  int n;
  const eng_arg *args = eng_command_args(c->kind, &n);
  for (int i = 0; i < n; i++) {
    const char *text = args[i].type == ENG_ARG_TEXT ? *ENG_ARG_AT(c, &args[i], const char *const) : NULL;
    if (text && strlen(text) > (size_t)args[i].hi)
      return &args[i];
  }
  return NULL;
}

/* The dispatch: each command's handler, do_<name>, from the table
 * (engine/commands.h). */
static int (*const handlers[ENG_CMD_COUNT])(decide *) = {
#define ENG__COMMAND_HANDLER(e, name, where, on, who) [ENG_CMD_##e] = do_##name,
    ENG_COMMANDS(ENG__COMMAND_HANDLER)
#undef ENG__COMMAND_HANDLER
};

int eng_execute(eng_engine *e, const eng_command *cmds, int n, mc_instant now, eng_result *results) {
  store_batch *b;
  uint64_t head_seq;
  uint8_t head_hash[32];
  int64_t head_time;
  int rc = store_batch_begin(e->st, &b);
  if (rc)
    return rc;
  store_batch_head(b, &head_seq, head_hash, &head_time);
  if (now < head_time)
    now = head_time; /* time never goes back in the log */
  for (int i = 0; i < n; i++) {
    const eng_command *c = &cmds[i];
    eng_result *r = &results[i];
    store_cmd_result prior;
    memset(r, 0, sizeof *r);
    decide d = {.e = e, .b = b, .now = now, .cmd = c, .res = r};
    if ((rc = store_cmd_begin(b, c->command_id, &prior)) != 0) {
      r->status = eng__refuse_store(r, rc, store_errmsg(e->st));
      continue;
    }
    if (prior.repeated) {
      r->repeated = true;
      r->first_seq = prior.first_seq;
      r->count = prior.count;
      continue;
    }
    const eng_arg *long_text = text_too_long(c);
    if (long_text)
      rc = refuse(&d, MC_ETOOBIG, TEXT_TOO_LONG,
                  (long long)long_text->hi);
    else if ((unsigned)c->kind < ENG_CMD_COUNT)
      rc = handlers[c->kind](&d);
    else
      rc = refuse(&d, MC_EINVAL, COMMAND_UNKNOWN);
    if (rc) {
      store_cmd_abort(b);
      r->status = rc;
      r->version = 0;
      continue;
    }
    store_cmd_result done;
    if ((rc = store_cmd_commit(b, &done)) != 0) {
      r->status = rc;
      continue;
    }
    r->first_seq = done.first_seq;
    r->count = done.count;
  }
  if ((rc = store_batch_commit(b)) != 0)
    return rc;
  for (int i = 0; i < n; i++)
    if (results[i].repeated && results[i].count)
      repeated_result(e, &cmds[i], &results[i]);
  return 0;
}

/* ============================================================ timers */

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
  const uint8_t *k = key;
  (void)val, (void)vlen;
  if (klen < 2 + 8 + 1 + 4 + 1 || k[0] != 't' || k[1] != '/')
    return 1;
  int64_t due = (int64_t)eng__be64(k + 2);
  if (due > sc->until || sc->n == ENG_FIRE_CHUNK)
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
  size_t code_len = klen - 2 - 8 - 1 - 4 - 1;
  if (code_len >= sizeof t->code)
    return MC_EPARSE;
  t->due = due;
  memcpy(t->code, k + 10, code_len);
  t->code[code_len] = '\0';
  const uint8_t *p = k + 10 + code_len + 1;
  t->node = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
  t->kind = (char)p[4];
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
  const uint8_t *k = key;
  (void)val, (void)vlen;
  if (klen >= 10 && k[0] == 't' && k[1] == '/')
    *(int64_t *)opaque = (int64_t)eng__be64(k + 2);
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
  if ((rc = load_snap(d, t->code, &s, &version)))
    return rc;
  if (final_state(s.state))
    return 0;
  if ((rc = load_defs(d, &s)))
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
    note(d, "official", near ? "deadline_near" : "deadline_passed");
    what w = {.action = near ? "deadline_near" : "deadline_passed", .due_at = t->due};
    return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
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
    note(d, "official", "step_warning");
    what w = {.action = "warn", .step = n->name, .due_at = t->due};
    return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
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
    if ((rc = load_form(d, s.code, &u)) == 0)
      rc = take(d, &s, version, ti, "timeout", t->due);
    msgpack_unpacked_destroy(&u);
    d->now = now;
    d->event_time = 0;
    return rc;
  }
  s.tokens[ti].due = 0; /* overdue is recorded once; the step goes on */
  s.tokens[ti].warn = 0;
  note(d, n->escalate ? n->escalate : "official", "step_overdue");
  what w = {.action = "overdue", .step = n->name, .due_at = t->due, .reason = n->escalate};
  return append_dossier_event(d, &s, version + 1, &w, NULL, 0);
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
  for (int i = 0; i < sc.n; i++) {
    eng_result r;
    memset(&r, 0, sizeof r);
    decide d = {.e = e, .b = b, .now = now, .cmd = NULL, .res = &r};
    store_cmd_result prior;
    bool fired_one;
    if ((rc = store_cmd_begin(b, NULL, &prior)) != 0)
      break;
    rc = fire(&d, &sc.timers[i], &fired_one);
    if (rc || !fired_one) {
      store_cmd_abort(b);
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
    return rc;
  }
  rc = store_batch_commit(b);
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
