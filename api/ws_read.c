/* ws_read.c — what clients read over the WebSocket (docs/PROTOCOL.md,
 * "Reading"): a dossier in full (`get`) and its history (`history`), for
 * those who may read it.  The engine reads (engine/read.c); this renders
 * its views as the protocol's JSON. */
#include "api/ws_read.h"
#include "dsl/states.h"

#include "api/access.h"
#include "api/pushes.h"
#include "api/runtime.h"
#include "api/wire.h"
#include "base/bytes.h"
#include "base/error.h"
#include "base/hash.h"

#include <stdio.h>
#include <string.h>

static json_t *str_or_null(const char *s) { return s && s[0] ? json_string(s) : json_null(); }

json_t *srv_dossier_summary_json(const eng_dossier_view *d) {
  json_t *steps = json_array(), *co = json_array();
  for (int i = 0; i < d->nsteps; i++)
    json_array_append_new(steps, json_string(d->steps[i]));
  for (int i = 0; i < d->nco_handlers; i++)
    json_array_append_new(co, json_string(d->co_handlers[i]));
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:s, s:s, s:b, s:b, s:b, s:b, s:i, s:b, s:I}",
                   "code", d->code, "procedure", d->procedure, "agency", d->agency, "state", d->state, "steps", steps,
                   "version", (json_int_t)d->version, "submitted_at", (json_int_t)d->submitted_at, "accepted_at",
                   (json_int_t)d->accepted_at, "appointment_at", (json_int_t)d->appointment_at, "decided_at",
                   (json_int_t)d->decided_at, "finished_at", (json_int_t)d->finished_at, "handler", d->handler,
                   "co_handlers", co, "outcome", d->outcome, "classification", d->classification, "extended",
                   d->extended, "supplement_used", d->supplement_used, "supplement_late", d->supplement_late, "paused",
                   d->paused_since != 0, "rating", d->rating, "fee_paid", d->fee_paid, "refunded",
                   (json_int_t)d->refunded);
}

bool srv_ws_readable(req *r, const char *code, eng_event_view *v) {
  memset(v, 0, sizeof *v);
  int rc = eng_dossier_get(r->s->e, code, &v->dossier);
  if (rc == 0)
    rc = eng_dossier_applicant(r->s->e, code, v->applicant, sizeof v->applicant);
  if (rc == MC_ENOENT) {
    srv_ws_fail(r, "not_found", "dossier", "%s: there is no dossier %s", r->op, code);
    return false;
  }
  if (rc) {
    srv_ws_fail(r, "unavailable", NULL, "%s: the dossier cannot be read (%s)", r->op, mc_strerror(rc));
    return false;
  }
  if (!srv_may_read(r->s, &r->c->who, v)) {
    srv_ws_fail(r, "forbidden", "dossier", "%s: the account %s may not read the dossier %s", r->op, r->c->who.acct.id,
                code);
    return false;
  }
  return true;
}

static json_t *applicant_json(const eng_applicant_view *a) {
  return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "kind", str_or_null(a->kind), "name", str_or_null(a->name),
                   "id_type", str_or_null(a->id_type), "id_number", str_or_null(a->id_number), "address",
                   str_or_null(a->address), "email", str_or_null(a->email), "phone", str_or_null(a->phone));
}

static json_t *form_json(const eng_dossier_full *f) {
  json_t *list = json_array();
  for (int i = 0; i < f->nform; i++) {
    const eng_form_value *v = &f->form[i];
    json_t *value = v->kind == ENG_VALUE_TEXT     ? json_string(v->text)
                    : v->kind == ENG_VALUE_NUMBER ? json_integer(v->number)
                    : v->kind == ENG_VALUE_YES_NO ? json_boolean(v->yes)
                                                  : json_null();
    json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}", "name", v->name, "label", v->label, "type", v->type,
                                          "value", value));
  }
  return list;
}

/* A document: `sha256` its first file, `files` all of them in order (a
 * paper photographed page by page; [] when it is missing). */
static json_t *document_json(const eng_document_view *d) {
  json_t *files = json_array();
  if (d->sha256[0])
    json_array_append_new(files, json_string(d->sha256));
  for (int k = 0; d->sha256[0] && k < d->nmore; k++)
    json_array_append_new(files, json_string(d->more[k]));
  return json_pack("{s:s, s:o, s:o, s:o, s:o, s:I}", "name", d->name, "sha256", str_or_null(d->sha256), "files", files,
                   "valid_until", str_or_null(d->valid_until), "reused_from", str_or_null(d->reused_from),
                   "supplied_at", (json_int_t)d->supplied_at);
}

static json_t *documents_json(const eng_dossier_full *f) {
  json_t *list = json_array();
  for (int i = 0; i < f->ndocuments; i++) {
    const eng_document_state *d = &f->documents[i];
    json_t *o = document_json(&d->doc);
    json_object_set_new(o, "title", json_string(d->title));
    json_object_set_new(o, "state", json_string(d->state));
    json_object_set_new(o, "valid", json_boolean(d->valid));
    json_object_set_new(o, "original", json_boolean(d->original));
    json_object_set_new(o, "count", json_integer(d->count));
    json_array_append_new(list, o);
  }
  return list;
}

static json_t *open_steps_json(const eng_dossier_full *f) {
  json_t *list = json_array();
  for (int i = 0; i < f->nopen; i++) {
    const eng_open_step *o = &f->open[i];
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:b}", "step", o->step, "title", o->title, "role",
                        o->role, "agency", o->agency, "agency_name", o->agency_name, "entered_at",
                        (json_int_t)o->entered_at, "due_at", (json_int_t)o->due_at, "warn_at", (json_int_t)o->warn_at,
                        "due_soon", o->due_soon, "overdue", o->overdue));
  }
  return list;
}

static json_t *deadline_json(const eng_dossier_full *f) {
  json_t *lines = json_array();
  for (int i = 0; i < f->deadline.nlines; i++) {
    const eng_deadline_line *l = &f->deadline.lines[i];
    json_t *o = json_pack("{s:s, s:o, s:o}", "what", l->what, "date", str_or_null(l->date), "day_kind",
                          str_or_null(l->day_kind));
    if (l->note)
      json_object_set_new(o, "note", json_string(l->note));
    if (l->at)
      json_object_set_new(o, "at", json_integer(l->at));
    if (!strcmp(l->what, "counted")) {
      json_object_set_new(o, "count", json_integer(l->count));
      json_object_set_new(o, "total", json_integer(l->total));
    }
    if (l->reason)
      json_object_set_new(o, "reason", json_string(l->reason));
    json_array_append_new(lines, o);
  }
  return json_pack("{s:o, s:I, s:I, s:b, s:o}", "time", str_or_null(f->deadline.time), "from",
                   (json_int_t)f->deadline.from, "due", (json_int_t)f->deadline.due, "if_accepted_now",
                   f->deadline.if_accepted_now, "explain", lines);
}

static json_t *full_json(const eng_dossier_full *f) {
  json_t *o = srv_dossier_summary_json(&f->d);
  dsl_state st = dsl_state_parse(f->d.state); /* as people read it (dsl/states.h) */
  json_object_set_new(o, "state_label", json_string(st == DSL_STATE_UNKNOWN ? f->d.state : dsl_state_label(st)));
  json_t *appointments = json_array(), *agencies = json_array(), *can = json_array();
  for (int i = 0; i < f->nappointments; i++) {
    const eng_appointment_change *c = &f->appointments[i];
    json_t *a = json_pack("{s:I, s:I, s:I, s:I, s:o}", "seq", (json_int_t)c->seq, "time", (json_int_t)c->time, "from",
                          (json_int_t)c->from, "to", (json_int_t)c->to, "action", str_or_null(c->action));
    if (c->reason)
      json_object_set_new(a, "reason", json_string(c->reason));
    json_array_append_new(appointments, a);
  }
  for (int i = 0; i < f->nstep_agencies; i++)
    json_array_append_new(agencies, json_pack("{s:s, s:s}", "code", f->step_agencies[2 * i], "name",
                                              f->step_agencies[2 * i + 1]));
  for (int i = 0; i < f->ncan; i++) {
    const struct eng_offer *c = &f->can[i];
    json_array_append_new(can, json_pack("{s:s, s:s, s:s, s:o, s:s}", "action", c->action, "label", c->label, "needs",
                                         c->needs, "step", str_or_null(c->step), "role", c->role));
  }
  json_object_set_new(o, "secret", str_or_null(f->secret)); /* printed on the receipt */
  json_object_update_new(
      o, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:{s:s, s:I, s:I, s:i, s:I, s:I}, s:o, "
                   "s:{s:I, s:b, s:I}, s:o, s:o, s:o}",
                   "procedure_name", f->procedure_name, "agency_name", f->agency_name, "channel", f->channel,
                   "definition", f->definition, "applicant", applicant_json(&f->applicant), "form", form_json(f),
                   "documents", documents_json(f), "open_steps", open_steps_json(f), "step_agencies", agencies, "clock",
                   "state", f->clock.state, "started_at", (json_int_t)f->clock.started_at, "paused_since",
                   (json_int_t)f->clock.paused_since, "restarts", f->clock.restarts, "used_ms",
                   (json_int_t)f->clock.used_ms, "left_ms", (json_int_t)f->clock.left_ms, "appointments", appointments,
                   "fee", "owed", (json_int_t)f->fee, "paid", f->d.fee_paid, "refunded", (json_int_t)f->d.refunded,
                   "deadline", deadline_json(f), "can", can, "applicant_account", str_or_null(f->applicant_account)));
  return o;
}

/* The reader as the engine's actors: an official in each of its roles. */
static int actors_of(const principal *p, eng_actor *out, int max) {
  int n = 0;
  for (int i = 0; i < p->acct.nroles && n < max; i++)
    out[n++] = (eng_actor){p->acct.id, p->acct.roles[i], p->acct.agency[0] ? p->acct.agency : NULL, "motcuad"};
  return n;
}

void srv_ws_op_get(req *r) {
  static const char *const fields[] = {"dossier", NULL};
  const char *code;
  eng_event_view v;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) ||
      !srv_ws_get_str(r, "dossier", true, DOSSIER_MAX_BYTES, &code) || !srv_ws_readable(r, code, &v))
    return;
  eng_actor as[ENG_MAX_ROLES];
  int nas = actors_of(&r->c->who, as, ENG_MAX_ROLES);
  eng_dossier_full f;
  int rc = eng_dossier_full_read(r->s->e, code, srv_now(r->s), as, nas, &f);
  if (rc) {
    srv_ws_fail(r, "unavailable", NULL, "get: the dossier cannot be read (%s)", mc_strerror(rc));
    return;
  }
  /* Who read whose personal data (ĐN Art. 4.4); an applicant's own is not noted. */
  if (strcmp(f.applicant_account, r->c->who.acct.id))
    srv_reads_note(r->s, &r->c->who, code, &f.applicant, r->c->addr);
  srv_metrics_count(&r->s->m, "get", OUT_OK);
  srv_ws_reply(r, json_pack("{s:b, s:o}", "ok", 1, "dossier", full_json(&f)));
  eng_dossier_full_free(&f);
}

void srv_ws_op_history(req *r) {
  static const char *const fields[] = {"dossier", "after", NULL};
  const char *code;
  int64_t after = 0;
  eng_event_view v;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) ||
      !srv_ws_get_str(r, "dossier", true, DOSSIER_MAX_BYTES, &code) ||
      !srv_ws_get_int(r, "after", false, 0, INT64_MAX, &after, NULL) || !srv_ws_readable(r, code, &v))
    return;
  eng_history h;
  int rc = eng_dossier_history(r->s->e, code, &h);
  if (rc) {
    srv_ws_fail(r, "unavailable", NULL, "history: the dossier cannot be read (%s)", mc_strerror(rc));
    return;
  }
  json_t *list = json_array();
  for (int i = 0; i < h.n; i++) {
    const eng_history_entry *x = &h.entries[i];
    if (x->version <= (uint64_t)after)
      continue; /* the client has it (`after`: the last version it saw) */
    json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:s, s:o}, s:s}", "seq",
                          (json_int_t)x->seq, "version", (json_int_t)x->version, "time", (json_int_t)x->time, "type",
                          x->type, "action", str_or_null(x->action), "label", str_or_null(x->label), "step",
                          str_or_null(x->step), "step_title", str_or_null(x->step_title), "by", "account", x->who, "name",
                          x->who_name, "role", x->role, "agency", str_or_null(x->agency), "state", x->state);
    if (x->reason)
      json_object_set_new(o, "reason", json_string(x->reason));
    if (x->handler)
      json_object_set_new(o, "handler", json_string(x->handler));
    if (x->from)
      json_object_set_new(o, "from", json_string(x->from));
    if (x->to)
      json_object_set_new(o, "to", json_string(x->to));
    if (x->due_at)
      json_object_set_new(o, "due_at", json_integer(x->due_at));
    if (x->old_due)
      json_object_set_new(o, "old_due", json_integer(x->old_due));
    if (x->new_due)
      json_object_set_new(o, "new_due", json_integer(x->new_due));
    if (x->rating)
      json_object_set_new(o, "rating", json_integer(x->rating));
    if (x->ndocuments) {
      json_t *docs = json_array();
      for (int k = 0; k < x->ndocuments; k++)
        json_array_append_new(docs, document_json(&x->documents[k]));
      json_object_set_new(o, "documents", docs);
    }
    json_array_append_new(list, o);
  }
  eng_history_free(&h);
  srv_metrics_count(&r->s->m, "history", OUT_OK);
  srv_ws_reply(r, json_pack("{s:b, s:s, s:o}", "ok", 1, "dossier", code, "history", list));
}

void srv_ws_op_process(req *r) {
  static const char *const fields[] = {"procedure", "definition", NULL};
  const char *code, *definition = NULL;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) ||
      !srv_ws_get_str(r, "procedure", true, (size_t)ENG_BYTES_OF(eng_dossier_view, procedure), &code) ||
      !srv_ws_get_str(r, "definition", false, 64, &definition))
    return;
  eng_process_view p;
  int rc = eng_process_read(r->s->e, code, definition, srv_now(r->s), &p);
  if (rc == MC_ENOENT || rc == MC_ERANGE) {
    srv_ws_fail(r, "not_found", definition ? "definition" : "procedure", "process: %s %s%s%s",
                rc == MC_ERANGE ? "the procedure is retired:" : "there is no procedure", code,
                definition ? " of version " : "", definition ? definition : "");
    return;
  }
  if (rc) {
    srv_ws_fail(r, "unavailable", NULL, "process: the procedure cannot be read (%s)", mc_strerror(rc));
    return;
  }
  json_t *steps = json_array();
  for (int i = 0; i < p.nsteps; i++) {
    const eng_step_info *st = &p.steps[i];
    json_t *actions = json_array();
    for (int k = 0; k < st->nactions; k++) {
      const eng_step_action *a = &st->actions[k];
      json_array_append_new(actions, json_pack("{s:s, s:s, s:s, s:o}", "action", a->action, "label", a->label, "needs",
                                               a->needs, "to", str_or_null(a->to)));
    }
    json_array_append_new(steps, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o}", "name", st->name, "title",
                                           st->title, "role", st->role, "agency", str_or_null(st->agency), "state",
                                           st->state, "clock", st->clock, "limit", str_or_null(st->limit), "warn",
                                           str_or_null(st->warn), "actions", actions));
  }
  srv_metrics_count(&r->s->m, "process", OUT_OK);
  srv_ws_reply(r, json_pack("{s:b, s:s, s:s, s:s, s:o, s:o}", "ok", 1, "procedure", p.code, "name", p.name,
                            "definition", p.definition, "time", str_or_null(p.time), "steps", steps));
  eng_process_free(&p);
}

/* ------------------------------------------------------------ work queues */

/* Which queue a request names (`queue` and a subscription to a queue):
 * an official's agency's (another agency's only for who reads everything),
 * or an applicant's own list; the filters.  `agency` and `me` are the
 * request's or the principal's, borrowed.  False: answered. */
bool srv_ws_queue_filter(req *r, eng_queue_filter *f) {
  const principal *p = &r->c->who;
  const char *agency = NULL;
  bool mine = false;
  memset(f, 0, sizeof *f);
  if (!srv_ws_get_str(r, "agency", false, SUB_MAX_BYTES(agency), &agency) ||
      !srv_ws_get_str(r, "step", false, SUB_MAX_BYTES(step), &f->step) ||
      !srv_ws_get_str(r, "role", false, SUB_MAX_BYTES(role), &f->role) ||
      !srv_ws_get_str(r, "state", false, SUB_MAX_BYTES(state), &f->state) ||
      !srv_ws_get_str(r, "procedure", false, SUB_MAX_BYTES(procedure), &f->procedure) ||
      !srv_ws_get_bool(r, "assigned_to_me", &mine) || !srv_ws_get_bool(r, "due_soon", &f->due_soon) ||
      !srv_ws_get_bool(r, "overdue", &f->overdue) || !srv_ws_get_bool(r, "waiting", &f->waiting) ||
      !srv_ws_get_bool(r, "paused", &f->paused))
    return false;
  if (srv_principal_is_applicant(p)) {
    if (agency) {
      srv_ws_fail(r, "forbidden", "agency", "%s: an applicant reads their own dossiers, not an agency's queue", r->op);
      return false;
    }
    f->applicant = p->acct.id;
    return true;
  }
  if (agency && strcmp(agency, p->acct.agency) && !srv_principal_reads_all(p)) {
    srv_ws_fail(r, "forbidden", "agency", "%s: %s is an official of %s, not of %s", r->op, p->acct.id, p->acct.agency,
                agency);
    return false;
  }
  f->agency = agency ? agency : p->acct.agency;
  if (f->agency[0] == '\0') {
    srv_ws_fail(r, "bad_request", "agency", "%s: name the agency whose queue to read", r->op);
    return false;
  }
  f->handler = mine ? p->acct.id : NULL;
  return true;
}

static json_t *tally_json(const eng_queue_tally *t) {
  json_t *o = json_object();
  for (int i = 0; i < t->n; i++)
    json_object_set_new(o, t->of[i].name, json_integer(t->of[i].n));
  return o;
}

typedef struct page_out {
  const srv *s;
  json_t *rows;
  mc_instant now;
  char last[240];
} page_out;

static int page_row(void *opaque, const eng_queue_row *row) {
  page_out *o = opaque;
  json_array_append_new(o->rows, srv_queue_row_json(o->s, row, o->now));
  snprintf(o->last, sizeof o->last, "%s", row->cursor);
  return 0;
}

void srv_ws_op_queue(req *r) {
  static const char *const fields[] = {"agency", "step", "role", "state", "procedure", "assigned_to_me", "due_soon",
                                       "overdue", "waiting", "paused", "cursor", "limit", NULL};
  eng_queue_filter f;
  const char *cursor = NULL;
  int64_t limit = 50;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) || !srv_ws_queue_filter(r, &f) ||
      !srv_ws_get_str(r, "cursor", false, 239, &cursor) || !srv_ws_get_int(r, "limit", false, 1, 200, &limit, NULL))
    return;
  mc_instant now = srv_now(r->s);
  page_out o = {.s = r->s, .rows = json_array(), .now = now};
  int rc = eng_queue_page(r->s->e, &f, now, cursor, (int)limit, page_row, &o);
  if (rc == MC_EINVAL) {
    json_decref(o.rows);
    srv_ws_fail(r, "bad_request", "cursor", "queue: the cursor is not one a page gave");
    return;
  }
  if (rc) {
    json_decref(o.rows);
    srv_ws_fail(r, "unavailable", NULL, "queue: the queue cannot be read (%s)", mc_strerror(rc));
    return;
  }
  bool more = json_array_size(o.rows) == (size_t)limit;
  json_t *reply = json_pack("{s:b, s:o, s:o}", "ok", 1, "rows", o.rows, "next", more ? json_string(o.last) : json_null());
  if (f.agency) {
    eng_queue_counts k; /* the first page only: counting reads the agency's every row */
    if (!(cursor && cursor[0]) && eng_queue_counts_read(r->s->e, f.agency, r->c->who.acct.id, now, &k) == 0) {
      json_object_set_new(reply, "counts",
                          json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:o}", "open", k.open, "due_soon",
                                    k.due_soon, "overdue", k.overdue, "waiting", k.waiting, "paused", k.paused,
                                    "assigned_to_me", k.mine, "steps", tally_json(&k.steps), "states",
                                    tally_json(&k.states), "roles", tally_json(&k.roles), "procedures",
                                    tally_json(&k.procedures)));
    }
    json_object_set_new(reply, "agency", json_string(f.agency));
  }
  srv_metrics_count(&r->s->m, "queue", OUT_OK);
  srv_ws_reply(r, reply);
}

/* ------------------------------------------------------------ search */

typedef struct search_out {
  req *r;
  json_t *hits;
  char last[240];
} search_out;

static int search_hit(void *opaque, const eng_search_hit *h) {
  search_out *o = opaque;
  eng_event_view v;
  memset(&v, 0, sizeof v);
  snprintf(v.dossier.code, sizeof v.dossier.code, "%s", h->code);
  snprintf(v.dossier.agency, sizeof v.dossier.agency, "%s", h->agency);
  snprintf(v.dossier.procedure, sizeof v.dossier.procedure, "%s", h->procedure);
  snprintf(v.applicant, sizeof v.applicant, "%s", h->applicant);
  if (!srv_may_read(o->r->s, &o->r->c->who, &v))
    return 0; /* only what the searcher may read */
  const char *name = srv_catalogue_name(o->r->s->cat, h->procedure);
  dsl_state st = dsl_state_parse(h->state);
  json_array_append_new(
      o->hits, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:s, s:s, s:b, s:b}", "code", h->code,
                         "agency", h->agency, "procedure", h->procedure, "procedure_name", name ? name : h->procedure,
                         "state", h->state, "state_label", st == DSL_STATE_UNKNOWN ? h->state : dsl_state_label(st),
                         "applicant_name", str_or_null(h->name), "submitted_at", (json_int_t)h->submitted_at,
                         "appointment_at", (json_int_t)h->appointment_at, "decided_at", (json_int_t)h->decided_at,
                         "finished_at", (json_int_t)h->finished_at, "channel", h->channel, "classification",
                         h->classification, "extended", h->extended, "supplement_used", h->supplement_used));
  snprintf(o->last, sizeof o->last, "%s", h->cursor);
  return 1;
}

void srv_ws_op_search(req *r) {
  static const char *const fields[] = {"code", "name", "id_number", "phone", "procedure", "state", "received_from",
                                       "received_to", "decided_from", "decided_to", "cursor", "limit", NULL};
  eng_search_query q;
  memset(&q, 0, sizeof q);
  const char *cursor = NULL;
  int64_t limit = 20;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) ||
      !srv_ws_get_str(r, "code", false, DOSSIER_MAX_BYTES, &q.code) ||
      !srv_ws_get_str(r, "name", false, 127, &q.name) || !srv_ws_get_str(r, "id_number", false, 23, &q.id_number) ||
      !srv_ws_get_str(r, "phone", false, 23, &q.phone) ||
      !srv_ws_get_str(r, "procedure", false, SUB_MAX_BYTES(procedure), &q.procedure) ||
      !srv_ws_get_str(r, "state", false, SUB_MAX_BYTES(state), &q.state) ||
      !srv_ws_get_int(r, "received_from", false, 0, INT64_MAX, &q.received_from, NULL) ||
      !srv_ws_get_int(r, "received_to", false, 0, INT64_MAX, &q.received_to, NULL) ||
      !srv_ws_get_int(r, "decided_from", false, 0, INT64_MAX, &q.decided_from, NULL) ||
      !srv_ws_get_int(r, "decided_to", false, 0, INT64_MAX, &q.decided_to, NULL) ||
      !srv_ws_get_str(r, "cursor", false, 239, &cursor) || !srv_ws_get_int(r, "limit", false, 1, 100, &limit, NULL))
    return;
  if (srv_principal_is_applicant(&r->c->who)) {
    srv_ws_fail(r, "forbidden", NULL, "search: searching dossiers is for officials and auditors; an applicant reads "
                                      "their own (queue)");
    return;
  }
  search_out o = {.r = r, .hits = json_array()};
  int rc = eng_search(r->s->e, &q, cursor, (int)limit, search_hit, &o);
  if (rc) {
    json_decref(o.hits);
    if (rc == MC_EINVAL)
      srv_ws_fail(r, "bad_request", cursor ? "cursor" : "name", "search: %s",
                  cursor ? "the cursor is not one this search gave" : "the name is not text");
    else
      srv_ws_fail(r, "unavailable", NULL, "search: the index cannot be read (%s)", mc_strerror(rc));
    return;
  }
  bool more = json_array_size(o.hits) == (size_t)limit;
  srv_metrics_count(&r->s->m, "search", OUT_OK);
  srv_ws_reply(r, json_pack("{s:b, s:o, s:o}", "ok", 1, "dossiers", o.hits, "next",
                            more ? json_string(o.last) : json_null()));
}

/* ------------------------------------------------------------ the record of reads */

void srv_ws_op_reads(req *r) {
  static const char *const fields[] = {"from", "to", "account", "dossier", "whose", "cursor", "limit", NULL};
  int64_t from = 0, to = INT64_MAX, limit = 100;
  const char *account = NULL, *dossier = NULL, *whose = NULL, *cursor = NULL;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) ||
      !srv_ws_get_int(r, "from", false, 0, INT64_MAX, &from, NULL) ||
      !srv_ws_get_int(r, "to", false, 0, INT64_MAX, &to, NULL) ||
      !srv_ws_get_str(r, "account", false, 63, &account) || !srv_ws_get_str(r, "dossier", false, DOSSIER_MAX_BYTES, &dossier) ||
      !srv_ws_get_str(r, "whose", false, 23, &whose) || !srv_ws_get_str(r, "cursor", false, 32, &cursor) ||
      !srv_ws_get_int(r, "limit", false, 1, 1000, &limit, NULL))
    return;
  if (!srv_principal_reads_all(&r->c->who)) {
    srv_ws_fail(r, "forbidden", NULL, "reads: the record of who read whose data is for auditors");
    return;
  }
  srv_reads_flush(r->s, true); /* what gathered is in it */
  mc_buf after = MC_BUF_INIT, key = MC_BUF_INIT, val = MC_BUF_INIT;
  uint8_t cur[16];
  if (cursor && cursor[0]) {
    if (mc_unhex(cursor, cur, sizeof cur) != 0) {
      mc_buf_free(&after);
      srv_ws_fail(r, "bad_request", "cursor", "reads: the cursor is not one a page gave");
      return;
    }
    mc_buf_append(&after, cur, sizeof cur);
  } else if (from > 0) {
    uint8_t k[8];
    mc_be64_put(k, (uint64_t)(from - 1));
    mc_buf_append(&after, k, 8);
    mc_buf_append(&after, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
  }
  json_t *list = json_array();
  char next[40] = "";
  int rc = 0;
  while (json_array_size(list) < (size_t)limit) {
    mc_buf_reset(&key);
    mc_buf_reset(&val);
    rc = store_aux_next(eng_store(r->s->e), SRV_READS_DB, after.data, after.len, &key, &val);
    if (rc)
      break;
    mc_buf_reset(&after);
    mc_buf_append(&after, key.data, key.len);
    if (key.len != 16)
      continue;
    if ((int64_t)mc_be64_get(key.data) > to)
      break;
    json_t *o = srv_wire_decode(val.data, val.len, true, NULL, 0);
    if (o == NULL)
      continue;
    const char *a = json_string_value(json_object_get(o, "account")), *d = json_string_value(json_object_get(o, "dossier")),
               *w = json_string_value(json_object_get(o, "whose"));
    if ((account && (!a || strcmp(a, account))) || (dossier && (!d || strcmp(d, dossier))) ||
        (whose && (!w || strcmp(w, whose)))) {
      json_decref(o);
      continue;
    }
    json_array_append_new(list, o);
    mc_hex(key.data, 16, next);
  }
  mc_buf_free(&after);
  mc_buf_free(&key);
  mc_buf_free(&val);
  if (rc && rc != MC_ENOENT) {
    json_decref(list);
    srv_ws_fail(r, "unavailable", NULL, "reads: the record cannot be read (%s)", mc_strerror(rc));
    return;
  }
  bool more = json_array_size(list) == (size_t)limit;
  srv_metrics_count(&r->s->m, "reads", OUT_OK);
  srv_ws_reply(r, json_pack("{s:b, s:o, s:o}", "ok", 1, "reads", list, "next", more ? json_string(next) : json_null()));
}
