/* cmd_dossier.c — the commands on a dossier beside its process: extend
 * (the appointment), assign (the handler), stop, rate, refund. */
#include "engine/decide.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

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

static void fmt_local(const decide *d, mc_instant t, char out[MC_INSTANT_STRLEN]) {
  mc_instant_format(t, d->cal ? eng_calendar_offset_min(d->cal) : MC_VN_OFFSET_MIN, out);
}

int dec_do_extend(decide *d) {
  const eng_command *c = d->cmd;
  const eng_extend_args *arg = &c->extend;
  eng_snap s;
  uint64_t version;
  int rc;
  char due[MC_INSTANT_STRLEN], latest_text[MC_INSTANT_STRLEN];
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, EXTEND_WHICH);
  if ((rc = dec_open_dossier(d, &s, &version)))
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
    if ((rc = dec_deadline(d, d->now, notice, ENG_NO_CUTOFF, &latest)))
      return rc;
    if (latest > s.appointment_at) {
      fmt_local(d, s.appointment_at, due);
      fmt_local(d, latest, latest_text);
      return refuse(d, MC_EINVAL, EXTEND_TOO_LATE, (long long)d->policy->notice.amount,
                    notice.unit == ENG_UNIT_WORKING_HOURS ? "working hour(s)" : notice.unit == ENG_UNIT_WORKING_DAYS ? "working day(s)"
                    : notice.unit == ENG_UNIT_HOURS ? "hour(s)" : "day(s)",
                    notice.unit == ENG_UNIT_WORKING_HOURS ? "giờ làm việc" : notice.unit == ENG_UNIT_WORKING_DAYS ? "ngày làm việc"
                    : notice.unit == ENG_UNIT_HOURS ? "giờ" : "ngày",
                    due);
    }
  }
  what w = {.action = "extend", .reason = arg->reason, .old_due = s.appointment_at, .new_due = new_due};
  s.appointment_at = new_due;
  s.extended = true;
  dec_arm_deadline(d, &s);
  dec_note(d, "applicant", "extended");
  return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

static int leader_of(decide *d, const eng_snap *s, const char *what_for) {
  const eng_actor *a = &d->cmd->actor;
  if (a->role == NULL || strcmp(a->role, "leader") || a->agency == NULL || strcmp(a->agency, s->agency))
    return refuse(d, MC_EACCES, LEADER_ONLY, what_for, s->agency);
  return 0;
}

static bool holds_role(const eng_account_view *a, const char *role) {
  for (int i = 0; role && i < a->nroles; i++)
    if (!strcmp(a->roles[i], role))
      return true;
  return false;
}

/* Whom a dossier may be assigned to: an enabled official of an agency
 * doing one of its current steps, holding that step's role — or, at the
 * dossier's own agency, a specialist (the main handler processes the
 * specialist's steps: dec_role_allowed).  An official of another agency
 * would read a dossier that is not theirs; an unknown id would lock the
 * agency's own specialists out. */
static int check_handler(decide *d, const eng_snap *s, const char *id) {
  eng_account_view a;
  bool exists = false;
  int rc = eng__account_load(d->b, id, &a, &exists);
  if (rc)
    return eng__refuse_store(d->res, rc, store_errmsg(d->e->st));
  if (!exists)
    return refuse(d, MC_ENOENT, HANDLER_UNKNOWN, id);
  if (a.disabled)
    return refuse(d, MC_EINVAL, HANDLER_DISABLED, id);
  if (!a.agency[0] || holds_role(&a, "applicant"))
    return refuse(d, MC_EINVAL, HANDLER_NOT_OFFICIAL, id);
  if (!strcmp(a.agency, s->agency) && holds_role(&a, "specialist"))
    return 0;
  for (int i = 0; i < s->ntokens; i++) {
    const dsl_m_node *n = &d->m->nodes[s->tokens[i].node];
    const char *agency = n->agency ? n->agency : s->agency;
    if (!strcmp(a.agency, agency) && holds_role(&a, n->role))
      return 0;
  }
  return refuse(d, MC_EINVAL, HANDLER_NOT_OF_STEP, id, a.agency, s->code);
}

int dec_do_assign(decide *d) {
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
  if ((rc = dec_open_dossier(d, &s, &version)))
    return rc;
  /* An administrator hands over the open work of an official who leaves
   * (the account disabled): the leader's assignment, by the agency's admin. */
  const eng_actor *a = &c->actor;
  bool admin = a->role && (!strcmp(a->role, "system_admin") ||
                           (!strcmp(a->role, "agency_admin") && a->agency && !strcmp(a->agency, s.agency)));
  if (!admin && (rc = leader_of(d, &s, "assigning a dossier")))
    return rc;
  for (int i = -1; i < arg->co_handlers.n; i++) {
    const char *id = i < 0 ? arg->handler : arg->co_handlers.list[i];
    if (id && (rc = check_handler(d, &s, id)))
      return rc;
  }
  what w = {.action = "assign", .handler = arg->handler, .reason = s.handler[0] ? s.handler : NULL};
  snprintf(s.handler, sizeof s.handler, "%.63s", arg->handler);
  s.nco_handlers = 0;
  for (int i = 0; i < arg->co_handlers.n; i++)
    if (arg->co_handlers.list[i] && strcmp(arg->co_handlers.list[i], arg->handler))
      snprintf(s.co_handlers[s.nco_handlers++], sizeof s.co_handlers[0], "%.63s", arg->co_handlers.list[i]);
  return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

int dec_do_stop(decide *d) {
  const eng_command *c = d->cmd;
  eng_snap s;
  uint64_t version;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, STOP_WHICH);
  if ((rc = dec_open_dossier(d, &s, &version)) || (rc = leader_of(d, &s, "stopping a dossier")))
    return rc;
  if (c->stop.reason == NULL || c->stop.reason[0] == '\0')
    return refuse(d, MC_EINVAL, STOP_REASON);
  if (s.accepted_at == 0)
    return refuse(d, MC_EINVAL, STOP_NOT_ACCEPTED, s.code);
  if (s.decided_at)
    return refuse(d, MC_EINVAL, STOP_DECIDED, s.code);
  dec_finish(d, &s, "stopped");
  dec_note(d, "applicant", "stopped"); /* with the reason: the template says why */
  what w = {.action = "stop", .reason = c->stop.reason};
  return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

int dec_do_rate(decide *d) {
  const eng_command *c = d->cmd;
  eng_snap s;
  uint64_t version;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, RATE_WHICH);
  if ((rc = dec_load_snap(d, c->dossier, &s, &version)) || (rc = dec_load_defs(d, &s)))
    return rc;
  /* Online, by the applicant's account; for a desk or postal dossier,
   * reception records what the applicant gave (at the desk's terminal). */
  bool applicant = dec_is_applicant_of(&c->actor, &s);
  bool for_applicant = !s.applicant[0] && dec_is_reception_of(&c->actor, &s);
  if (!applicant && !for_applicant)
    return s.applicant[0] ? refuse(d, MC_EACCES, RATE_BY_APPLICANT, s.code) : refuse(d, MC_EACCES, RATE_AT_DESK, s.code);
  if (strcmp(s.state, "returned"))
    return refuse(d, MC_EINVAL, RATE_NOT_RETURNED, s.state, dec_state_vi(s.state));
  if (s.rating)
    return refuse(d, MC_EINVAL, ALREADY_RATED, s.code);
  if (c->rate.rating < 1 || c->rate.rating > 5)
    return refuse(d, MC_ERANGE, RATING_RANGE);
  s.rating = c->rate.rating;
  what w = {.action = "rate", .rating = c->rate.rating, .reason = c->rate.comment};
  return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}

/* The fee back to the applicant when the agency could not deliver: the
 * procedure's fee is refundable, it was paid, and the dossier was denied or
 * stopped by the agency.  Not when the applicant did not collect a finished
 * result (BN Art. 10.2.c). */
int dec_do_refund(decide *d) {
  const eng_command *c = d->cmd;
  eng_snap s;
  uint64_t version;
  msgpack_unpacked u;
  int64_t fee;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, REFUND_WHICH);
  if ((rc = dec_load_snap(d, c->dossier, &s, &version)) || (rc = dec_load_defs(d, &s)) ||
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
    return refuse(d, MC_EINVAL, REFUND_NOT_DUE, s.code, s.state, dec_state_vi(s.state),
                  s.decided_at ? " with its result" : ", not decided yet");
  msgpack_unpacked_init(&u);
  if ((rc = dec_load_form(d, s.code, &u)) == 0 && (rc = eng__fee(d->m->fee, d->form, &fee)) != 0)
    refuse(d, rc, FEE_UNCOMPUTABLE, s.code);
  msgpack_unpacked_destroy(&u);
  if (rc)
    return rc;
  if (fee <= 0)
    return refuse(d, MC_EINVAL, FEE_ZERO, s.code);
  s.refunded = fee;
  what w = {.action = "refund", .reason = c->refund.reason, .new_due = 0};
  return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}
