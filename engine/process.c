/* process.c — the process machine: where a dossier is in its compiled
 * process and how it moves.  A dossier's place is a set of tokens, one per
 * step it is at (several on the parallel branches of a fork); choices are
 * resolved when entered, a join waits for every branch of its fork, a final
 * state ends the dossier.  Deadlines (DOMAIN.md "Working time") come from
 * the newest published calendar of the dossier's agency; the appointment is
 * fixed at acceptance, and the legal clock stops and resumes with the steps.
 * Also who may act in a step, and the checks of a command on an open
 * dossier.  Calls down into record.c and documents.c only. */
#include "engine/decide.h"

#include "dsl/states.h"

#include "base/error.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

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
const char *dec_state_vi(const char *state) {
  const char *label = dsl_state_label(dsl_state_parse(state));
  return label ? label : state;
}

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

eng_duration eng__duration_of(const dsl_m_duration *dur, const eng_policy *p, bool *ok) {
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
  out.unit = eng__unit_of(dur->unit);
  out.amount = dur->amount;
  *ok = true;
  return out;
}

int dec_deadline(decide *d, mc_instant from, eng_duration dur, int cutoff, mc_instant *due) {
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
  eng_duration t = eng__duration_of(&d->m->time, d->policy, &ok);
  return dec_deadline(d, from, t, d->policy->has_cutoff ? d->policy->cutoff_min : ENG_NO_CUTOFF, out);
}

/* Arms the dossier's own timers on its appointment: `deadline_near` at the
 * opening of the last day an extension may still be given (the policy's
 * notice, in working days, before the due day — NĐ118 Art. 19.6), and
 * `deadline_passed` at the appointment.  Called whenever the appointment
 * changes. */
void dec_arm_deadline(decide *d, eng_snap *s) {
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

static void remove_token(eng_snap *s, int i) {
  memmove(&s->tokens[i], &s->tokens[i + 1], (size_t)(s->ntokens - i - 1) * sizeof s->tokens[0]);
  s->ntokens--;
}

static void classify(decide *d, eng_snap *s);

int dec_finish(decide *d, eng_snap *s, const char *final) {
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

/* Follows a transition; its messages to `agency` go to the agency of the
 * step it leaves (`at`), or the dossier's (NULL: from a choice or a join,
 * or a step of the dossier's agency). */
static int follow(decide *d, eng_snap *s, const dsl_m_transition *t, const char *at) {
  for (int i = 0; i < t->nnotify; i++)
    dec_note_at(d, t->notify[i].who, t->notify[i].template_name,
                !strcmp(t->notify[i].who, "agency") ? at : NULL);
  if (t->target < 0)
    return dec_finish(d, s, t->final);
  return dec_enter(d, s, t->target);
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

int dec_enter(decide *d, eng_snap *s, int node) {
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
    eng_duration limit = eng__duration_of(&n->limit, d->policy, &ok);
    if (ok && (rc = dec_deadline(d, d->now, limit, ENG_NO_CUTOFF, &t.due)))
      return rc;
    if (ok && n->warn.set) {
      eng_duration warn = eng__duration_of(&n->warn, d->policy, &ok);
      if (ok && warn.unit == limit.unit && warn.amount < limit.amount) {
        eng_duration earlier = {limit.unit, limit.amount - warn.amount};
        if ((rc = dec_deadline(d, d->now, earlier, ENG_NO_CUTOFF, &t.warn)))
          return rc;
        if (t.warn >= t.due)
          t.warn = 0;
      } else if (ok && warn.unit == ENG_UNIT_HOURS) {
        /* Hours on the clock before the limit, whatever its unit. */
        t.warn = t.due - warn.amount * MC_MS_PER_HOUR > d->now ? t.due - warn.amount * MC_MS_PER_HOUR : 0;
      } else if (ok && warn.unit == ENG_UNIT_WORKING_HOURS) {
        int64_t total;
        if (eng_calendar_working_time_between(d->cal, d->now, t.due, NULL, &total) == 0 &&
            total > warn.amount * MC_MS_PER_HOUR &&
            eng_calendar_add_working_time(d->cal, d->now, total - warn.amount * MC_MS_PER_HOUR, NULL, &t.warn) != 0)
          t.warn = 0;
      }
    }
    assert(s->ntokens < ENG_MAX_TOKENS); /* checked above: a fork's branches are counted */
    s->tokens[s->ntokens++] = t;
    if (n->state)
      snprintf(s->state, sizeof s->state, "%s", n->state);
    /* The legal clock stops in a step that pauses or restarts it, and while
     * a financial obligation is paid when the policy says so (DOMAIN.md rule 9). */
    /* Payment due (a fee, or a financial obligation): the applicant is told,
     * whether or not the process says so. */
    if (awaits_payment(n))
      dec_note(d, "applicant", "payment_due");
    /* A step done by another agency (a branch of a liên thông procedure,
     * the post office): its officials are told the dossier has arrived
     * (NĐ118 Art. 17.2, as reception is told of a new dossier). */
    if (n->agency && strcmp(n->agency, s->agency))
      dec_note_at(d, "official", "new_dossier", n->agency);
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
      if (!holds && (rc = eng__cond_eval(n->out[i].when, d->form, d->applicant, s, &holds)))
        return refuse(d, rc, CHOICE_UNEVALUABLE, n->name);
      if (holds)
        return follow(d, s, &n->out[i], NULL);
    }
    return refuse(d, MC_EINVAL, CHOICE_NONE_HOLDS, n->name);
  case DSL_M_FORK:
    if (n->join >= 0 && s->njoins < ENG_MAX_TOKENS)
      s->joins[s->njoins++] = (eng_join){n->join, 0};
    for (int i = 0; i < n->nout; i++)
      if ((rc = follow(d, s, &n->out[i], NULL)))
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
        return n->nout > 0 ? follow(d, s, &n->out[0], NULL) : 0;
      }
    return refuse(d, MC_EINVAL, JOIN_WITHOUT_FORK, n->name);
  }
  }
  return MC_EINVAL;
}

int dec_role_allowed(decide *d, const eng_snap *s, const dsl_m_node *n) {
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
    dec_arm_deadline(d, s);
  return rc ? refuse(d, rc, APPOINTMENT_UNCOMPUTABLE, mc_strerror(rc)) : 0;
}

bool dec_final_state(const char *state) { return dsl_state_is_final(dsl_state_parse(state)); }

static int check_version(decide *d, const eng_snap *s, uint64_t version) {
  if (d->cmd->expected_version != STORE_ANY_VERSION && d->cmd->expected_version != version)
    return d->res->current_version = version, refuse(d, MC_ECONFLICT, VERSION_STALE,
                  s->code, (unsigned long long)version, (unsigned long long)d->cmd->expected_version);
  if (dec_final_state(s->state))
    return refuse(d, MC_EINVAL, DOSSIER_FINISHED, s->code, s->state, dec_state_vi(s->state));
  return 0;
}

/* A command on an open dossier: its snapshot at the version the client saw,
 * and the definitions it runs under. */
int dec_open_dossier(decide *d, eng_snap *s, uint64_t *version) {
  int rc;
  if ((rc = dec_load_snap(d, d->cmd->dossier, s, version)) || (rc = check_version(d, s, *version)))
    return rc;
  return dec_load_defs(d, s);
}

/* Takes `action` in the step at token index `ti` (the actor already checked). */
int dec_take(decide *d, eng_snap *s, uint64_t version, int ti, const char *action, mc_instant due_at) {
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
      if (dec_deadline(d, s->accepted_at ? s->accepted_at : s->submitted_at, lim, ENG_NO_CUTOFF, &limit) == 0 &&
          d->now > limit)
        s->supplement_late = w.breach = true;
    }
  }
  /* A supplement's scans, or the results approve and return_result bring
   * (documents.c says which action brings which). */
  doc_entry docs[ENG_MAX_DOCUMENTS];
  if (dec_brought_by(d->cmd).n) {
    char date[11];
    dec_today(d, date);
    if ((rc = dec_brought_documents(d, date, docs, &w.ndocs)))
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
    dec_arm_deadline(d, s);
  }
  d->depth = 0;
  if ((rc = follow(d, s, t, n->agency)))
    return rc;
  return dec_append_dossier_event(d, s, version + 1, &w, NULL, 0);
}

/* The applicant's own account (a dossier filed online has one). */
bool dec_is_applicant_of(const eng_actor *a, const eng_snap *s) {
  return a->role && !strcmp(a->role, "applicant") && a->who && s->applicant[0] && !strcmp(a->who, s->applicant);
}

/* Reception of the dossier's agency (acting for an applicant without an account). */
bool dec_is_reception_of(const eng_actor *a, const eng_snap *s) {
  return a->role && !strcmp(a->role, "reception") && a->agency && !strcmp(a->agency, s->agency);
}
