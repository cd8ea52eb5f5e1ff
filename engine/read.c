/* read.c — the read side: a dossier in full and its history, as a console
 * and a portal show them (docs/ENGINE.md, "The read side").
 *
 * Everything is read in one snapshot of the store (one read transaction),
 * from any thread: definitions through the engine's cache (defs.c, locked),
 * never the writer's batch.  Nothing here decides; what a dossier's state
 * means comes from the snapshot, the procedure version it was filed with and
 * its events.
 */
#include "engine/actions.h"
#include "engine/decide.h"

#include "base/error.h"
#include "base/hash.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================ the actions' table */

static const eng_action_info actions[] = {
#define ENG__ACTION_ROW(name, label, needs) {#name, label, ENG_NEEDS_##needs},
    ENG_ACTIONS(ENG__ACTION_ROW)
#undef ENG__ACTION_ROW
};

const eng_action_info *eng_action_info_of(const char *name) {
  for (size_t i = 0; name && i < sizeof actions / sizeof actions[0]; i++)
    if (!strcmp(actions[i].name, name))
      return &actions[i];
  return NULL;
}

const char *eng_needs_name(eng_needs n) {
  static const char *const names[] = {"none", "reason", "optional_reason", "list", "documents",
                                      "date", "official", "rating", "agency", "engine"};
  return (unsigned)n < sizeof names / sizeof names[0] ? names[n] : "none";
}

/* ============================================================ helpers */

static const char *field_type_name(dsl_m_field_type t) {
  static const char *const names[] = {"text", "number", "date", "enum", "phone", "email",
                                      "citizen_id", "tax_code", "file", "yes_no"};
  return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "text";
}

static const char *dup_obj(mc_arena *a, const msgpack_object *o) {
  if (o == NULL || o->type != MSGPACK_OBJECT_STR)
    return NULL;
  return mc_arena_strndup(a, o->via.str.ptr, o->via.str.size);
}

/* Room for one more item in an arena array (doubling; the old copy stays
 * in the arena until it is freed). */
static int grow(mc_arena *a, void **items, int n, int *cap, size_t size) {
  if (n < *cap)
    return 0;
  int more = *cap ? 2 * *cap : 16;
  void *bigger = mc_arena_calloc(a, (size_t)more, size);
  if (bigger == NULL)
    return MC_ENOMEM;
  if (n)
    memcpy(bigger, *items, size * (size_t)n);
  *items = bigger, *cap = more;
  return 0;
}

/* What a read needs of a dossier: its snapshot, the definitions it runs
 * under, the event that filed it. */
typedef struct reading {
  eng_engine *e;
  store_read *rd;
  eng_snap s;
  eng_def *proc, *policy, *cal, *dir;
  msgpack_unpacked filed, form;
  const msgpack_object *form_map, *applicant, *secret;
} reading;

static int reading_open(eng_engine *e, const char *code, mc_instant now, reading *r) {
  memset(r, 0, sizeof *r);
  r->e = e;
  msgpack_unpacked_init(&r->filed);
  msgpack_unpacked_init(&r->form);
  const void *v;
  size_t vlen, off = 0;
  uint8_t hash[32];
  int rc = store_read_begin(e->st, &r->rd);
  if (rc)
    return rc;
  if ((rc = store_read_proj(r->rd, ENG_PROJ_DOSSIER, code, strlen(code), &v, &vlen)) ||
      (rc = eng__snap_of_bytes(v, vlen, &r->s)))
    return rc;
  if ((rc = eng__def_read(e, r->rd, r->s.definition, ENG_DEF_PROCEDURE, &r->proc)) != 0)
    return rc == MC_ENOENT ? MC_ECORRUPT : rc;
  /* The policy and calendar are needed for the clock; a dossier whose
   * calendar or directory is gone still reads, without them. */
  if (eng__def_read(e, r->rd, r->s.policy, ENG_DEF_POLICY, &r->policy))
    r->policy = NULL;
  if (eng__def_current_read(r->rd, ENG_DEF_CALENDAR, r->s.calendar, now, hash) ||
      eng__def_read(e, r->rd, hash, ENG_DEF_CALENDAR, &r->cal))
    r->cal = NULL;
  if (eng__def_current_read(r->rd, ENG_DEF_DIRECTORY, "directory", now, hash) ||
      eng__def_read(e, r->rd, hash, ENG_DEF_DIRECTORY, &r->dir))
    r->dir = NULL;
  store_event ev;
  if (store_read_proj(r->rd, ENG_PROJ_FORMS, code, strlen(code), &v, &vlen) == 0 && vlen == 8 &&
      store_read_event(r->rd, mc_be64_get(v), &ev) == 0 &&
      msgpack_unpack_next(&r->filed, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *bin = eng__get(&r->filed.data, "form"), *block = eng__get(&r->filed.data, "applicant");
    off = 0;
    if (bin && bin->type == MSGPACK_OBJECT_BIN &&
        msgpack_unpack_next(&r->form, bin->via.bin.ptr, bin->via.bin.size, &off) == MSGPACK_UNPACK_SUCCESS)
      r->form_map = &r->form.data;
    if (block && block->type == MSGPACK_OBJECT_MAP)
      r->applicant = block;
    r->secret = eng__get(&r->filed.data, "secret");
  }
  return 0;
}

static void reading_close(reading *r) {
  msgpack_unpacked_destroy(&r->filed);
  msgpack_unpacked_destroy(&r->form);
  if (r->rd)
    store_read_end(r->rd);
}

static const char *agency_name(const reading *r, mc_arena *a, const char *code) {
  const dsl_d_agency *ag = r->dir ? dsl_directory_find(r->dir->directory, code) : NULL;
  return mc_arena_strdup(a, ag && ag->name ? ag->name : code);
}

/* ============================================================ the dossier's events */

typedef struct walk {
  reading *r;
  mc_arena *a;
  eng_snap prev;
  bool has_prev;
  /* The appointment's changes; the clock's pauses and restarts. */
  eng_appointment_change *changes;
  int nchanges, cap;
  mc_instant started_at;      /* the clock's last (re)start */
  int restarts;
  int64_t paused_ms;          /* working time paused since the last start */
  int64_t pause_from;
  int rc;
} walk;

static int walk_one(void *opaque, const store_event *ev) {
  walk *w = opaque;
  msgpack_unpacked u;
  size_t off = 0;
  eng_snap next;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) != MSGPACK_UNPACK_SUCCESS ||
      eng__snap_apply(ev, &u.data, w->has_prev ? &w->prev : NULL, &next) != 0) {
    msgpack_unpacked_destroy(&u);
    return MC_ECORRUPT;
  }
  const msgpack_object *what_o = eng__get(&u.data, "what");
  const eng_calendar *cal = w->r->cal ? w->r->cal->calendar : NULL;
  mc_instant before = w->has_prev ? w->prev.appointment_at : 0;
  if (!w->has_prev || w->prev.accepted_at == 0) {
    if (next.accepted_at)
      w->started_at = next.accepted_at;
  }
  if (w->has_prev && w->prev.paused_since == 0 && next.paused_since != 0)
    w->pause_from = next.paused_since;
  if (w->has_prev && w->prev.paused_since != 0 && next.paused_since == 0) {
    /* The clock runs again: from zero when the appointment was counted anew
     * from this instant (a restart), else the pause is not counted. */
    bool restarted = false;
    if (cal && w->r->proc && next.appointment_at) {
      bool ok;
      eng_duration t = eng__duration_of(&w->r->proc->machine->time, w->r->policy ? &w->r->policy->policy : NULL, &ok);
      eng_calc calc = ENG_CALC_INIT;
      calc.cutoff_min = w->r->policy && w->r->policy->policy.has_cutoff ? w->r->policy->policy.cutoff_min : ENG_NO_CUTOFF;
      mc_instant due;
      restarted = ok && eng_calendar_add(cal, ev->time, t, &calc, &due) == 0 && due == next.appointment_at &&
                  next.appointment_at != before;
    }
    if (restarted) {
      w->started_at = ev->time;
      w->restarts++;
      w->paused_ms = 0;
    } else if (cal) {
      int64_t ms = 0;
      if (eng_calendar_working_time_between(cal, w->pause_from, ev->time, NULL, &ms) == 0 && ms > 0)
        w->paused_ms += ms;
    }
    w->pause_from = 0;
  }
  if (next.appointment_at != before) {
    if (grow(w->a, (void **)&w->changes, w->nchanges, &w->cap, sizeof *w->changes)) {
      msgpack_unpacked_destroy(&u);
      return MC_ENOMEM;
    }
    eng_appointment_change *c = &w->changes[w->nchanges++];
    c->seq = ev->seq;
    c->time = ev->time;
    c->from = before;
    c->to = next.appointment_at;
    c->action = dup_obj(w->a, eng__get(what_o, "action"));
    c->reason = ev->type.len == strlen("dossier.extended") && !memcmp(ev->type.ptr, "dossier.extended", ev->type.len)
                    ? dup_obj(w->a, eng__get(what_o, "reason"))
                    : NULL;
  }
  w->prev = next;
  w->has_prev = true;
  msgpack_unpacked_destroy(&u);
  return 0;
}

/* ============================================================ the deadline explained */

typedef struct explain {
  mc_arena *a;
  eng_deadline_line *lines;
  int n, cap, offset_min;
} explain;

static void explain_one(void *opaque, const eng_explain_step *st) {
  explain *x = opaque;
  static const char *const names[] = {"received", "moved", "reception", "counted", "skipped", "due"};
  if (grow(x->a, (void **)&x->lines, x->n, &x->cap, sizeof *x->lines))
    return;
  eng_deadline_line *l = &x->lines[x->n++];
  memset(l, 0, sizeof *l);
  l->what = (unsigned)st->kind < 6 ? names[st->kind] : "counted";
  if (st->day) {
    int y, m, d;
    mc_civil_from_days(st->day->day, &y, &m, &d);
    snprintf(l->date, sizeof l->date, "%04d-%02d-%02d", y, m, d);
    l->day_kind = eng_day_kind_name(st->day->kind);
    l->note = st->day->note ? mc_arena_strdup(x->a, st->day->note) : NULL;
  }
  l->at = st->at;
  l->count = st->count;
  l->total = st->total;
  l->reason = st->reason ? mc_arena_strdup(x->a, st->reason) : NULL;
}

/* ============================================================ a dossier in full */

static int form_values(reading *r, eng_dossier_full *f) {
  const dsl_machine *m = r->proc->machine;
  f->form = mc_arena_calloc(&f->arena, (size_t)m->nfields + 1, sizeof *f->form);
  if (f->form == NULL)
    return MC_ENOMEM;
  for (int i = 0; i < m->nfields; i++) {
    const dsl_m_field *fd = &m->fields[i];
    eng_form_value *v = &f->form[f->nform++];
    v->name = fd->name;
    v->label = fd->label ? fd->label : fd->name;
    v->type = field_type_name(fd->type);
    const msgpack_object *o = r->form_map ? eng__get(r->form_map, fd->name) : NULL;
    if (o == NULL)
      continue;
    if (o->type == MSGPACK_OBJECT_STR)
      v->kind = ENG_VALUE_TEXT, v->text = dup_obj(&f->arena, o);
    else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
      v->kind = ENG_VALUE_NUMBER, v->number = (int64_t)o->via.u64;
    else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
      v->kind = ENG_VALUE_NUMBER, v->number = o->via.i64;
    else if (o->type == MSGPACK_OBJECT_BOOLEAN)
      v->kind = ENG_VALUE_YES_NO, v->yes = o->via.boolean;
  }
  return 0;
}

static void open_steps(reading *r, eng_dossier_full *f, mc_instant now) {
  const dsl_machine *m = r->proc->machine;
  f->open = mc_arena_calloc(&f->arena, (size_t)r->s.ntokens + 1, sizeof *f->open);
  for (int i = 0; f->open && i < r->s.ntokens; i++) {
    const eng_token *t = &r->s.tokens[i];
    if (t->node < 0 || t->node >= m->nnodes)
      continue;
    const dsl_m_node *n = &m->nodes[t->node];
    eng_open_step *o = &f->open[f->nopen++];
    o->step = n->name;
    o->title = n->title ? n->title : n->name;
    o->role = n->role ? n->role : "";
    o->agency = n->agency ? n->agency : mc_arena_strdup(&f->arena, r->s.agency);
    o->agency_name = agency_name(r, &f->arena, o->agency);
    o->entered_at = t->entered;
    o->due_at = t->due;
    o->warn_at = t->warn;
    o->overdue = t->due && now > t->due;
    o->due_soon = !o->overdue && t->warn && now >= t->warn;
  }
}

static int step_agencies(reading *r, eng_dossier_full *f) {
  const dsl_machine *m = r->proc->machine;
  f->step_agencies = mc_arena_calloc(&f->arena, 2 * (size_t)m->nnodes + 1, sizeof *f->step_agencies);
  if (f->step_agencies == NULL)
    return MC_ENOMEM;
  for (int i = 0; i < m->nnodes; i++) {
    const char *ag = m->nodes[i].agency;
    bool seen = ag == NULL || !strcmp(ag, r->s.agency);
    for (int k = 0; k < f->nstep_agencies && !seen; k++)
      seen = !strcmp(f->step_agencies[2 * k], ag);
    if (seen)
      continue;
    f->step_agencies[2 * f->nstep_agencies] = ag;
    f->step_agencies[2 * f->nstep_agencies + 1] = agency_name(r, &f->arena, ag);
    f->nstep_agencies++;
  }
  return 0;
}

/* The legal clock and the deadline's explanation, from the dossier's events. */
static int clock_and_deadline(reading *r, eng_dossier_full *f, const char *code, mc_instant now) {
  walk w = {.r = r, .a = &f->arena};
  char stream[80];
  snprintf(stream, sizeof stream, "dossier/%s", code);
  int rc = store_read_stream(r->rd, stream, 1, walk_one, &w);
  if (rc < 0)
    return rc;
  f->appointments = w.changes;
  f->nappointments = w.nchanges;
  const eng_snap *s = &r->s;
  const eng_calendar *cal = r->cal ? r->cal->calendar : NULL;
  f->clock.started_at = w.started_at;
  f->clock.restarts = w.restarts;
  f->clock.paused_since = s->paused_since;
  mc_instant at = now;
  if (s->accepted_at == 0)
    f->clock.state = "not_started";
  else if (s->decided_at || s->finished_at) {
    f->clock.state = "stopped";
    at = s->decided_at ? s->decided_at : s->finished_at;
  } else if (s->paused_since) {
    f->clock.state = "paused";
    at = s->paused_since;
  } else {
    f->clock.state = "running";
  }
  if (cal && s->accepted_at && w.started_at) {
    int64_t used = 0, left = 0;
    if (eng_calendar_working_time_between(cal, w.started_at, at, NULL, &used) == 0)
      f->clock.used_ms = used - w.paused_ms;
    if (s->appointment_at && eng_calendar_working_time_between(cal, at, s->appointment_at, NULL, &left) == 0)
      f->clock.left_ms = left;
  }
  /* The deadline explained: the procedure's time from the clock's start. */
  bool ok;
  eng_duration t = eng__duration_of(&r->proc->machine->time, r->policy ? &r->policy->policy : NULL, &ok);
  if (ok) {
    mc_buf text = MC_BUF_INIT;
    if (eng_duration_format(t, &text) == 0)
      snprintf(f->deadline.time, sizeof f->deadline.time, "%s", mc_buf_cstr(&text));
    mc_buf_free(&text);
  }
  /* Not yet accepted: the appointment an acceptance now would promise (what
   * accept computes, engine/process.c), for reception to see before it. */
  mc_instant from = w.started_at;
  if (s->accepted_at == 0 && s->decided_at == 0 && s->finished_at == 0) {
    from = now;
    f->deadline.if_accepted_now = true;
  }
  if (ok && cal && from) {
    explain x = {.a = &f->arena, .offset_min = eng_calendar_offset_min(cal)};
    eng_calc calc = ENG_CALC_INIT;
    calc.cutoff_min = r->policy && r->policy->policy.has_cutoff ? r->policy->policy.cutoff_min : ENG_NO_CUTOFF;
    calc.explain = explain_one;
    calc.explain_opaque = &x;
    f->deadline.from = from;
    if (eng_calendar_add(cal, from, t, &calc, &f->deadline.due) == 0) {
      f->deadline.lines = x.lines;
      f->deadline.nlines = x.n;
    }
  }
  return 0;
}

/* Documents: each the procedure asks for, read after the snapshot's read
 * (eng_dossier_documents opens its own). */
typedef struct docs_ctx {
  eng_dossier_full *f;
  const dsl_machine *m;
  char today[11];
} docs_ctx;

static int doc_one(void *opaque, const eng_document_view *doc) {
  docs_ctx *c = opaque;
  eng_dossier_full *f = c->f;
  eng_document_state *d = &f->documents[f->ndocuments++];
  d->doc = *doc;
  d->state = doc->sha256[0] == '\0' ? "missing" : doc->reused_from[0] ? "reused" : "supplied";
  d->valid = doc->sha256[0] && (doc->valid_until[0] == '\0' || strcmp(doc->valid_until, c->today) >= 0);
  d->title = doc->name;
  for (int i = 0; c->m && i < c->m->ndocuments; i++)
    if (!strcmp(c->m->documents[i].name, doc->name)) {
      d->title = c->m->documents[i].title ? c->m->documents[i].title : doc->name;
      d->original = c->m->documents[i].original;
      d->count = c->m->documents[i].count;
      if (c->m->documents[i].result && doc->sha256[0])
        d->state = "issued"; /* brought by the official with approve or return_result */
    }
  return 0;
}

static int documents(eng_engine *e, const char *code, const dsl_machine *m, int offset_min, mc_instant now,
                     eng_dossier_full *f) {
  f->documents = mc_arena_calloc(&f->arena, ENG_MAX_DOCUMENTS + 64, sizeof *f->documents);
  if (f->documents == NULL)
    return MC_ENOMEM;
  docs_ctx c = {.f = f, .m = m};
  int64_t day, msd;
  int y, mo, d;
  mc_instant_split(now, offset_min, &day, &msd);
  mc_civil_from_days(day, &y, &mo, &d);
  snprintf(c.today, sizeof c.today, "%04d-%02d-%02d", y, mo, d);
  return eng_dossier_documents(e, code, doc_one, &c);
}

/* ============================================================ what the reader may do */

static void offer(eng_dossier_full *f, int cap, const char *action, const char *step, const char *role) {
  if (f->ncan == cap)
    return;
  const eng_action_info *info = eng_action_info_of(action);
  struct eng_offer *o = &f->can[f->ncan++];
  o->action = action;
  o->label = info ? info->label : action;
  o->needs = eng_needs_name(info ? info->needs : ENG_NEEDS_NONE);
  o->step = step;
  o->role = role;
}

/* The rules the deciding side applies (process.c dec_role_allowed, and
 * cmd_act.c / cmd_dossier.c for the commands), asked without a batch: a
 * decide context with the actor and a scratch result, nothing written. */
static void offers(reading *r, eng_dossier_full *f, const eng_actor *as, int nas) {
  const eng_snap *s = &r->s;
  const dsl_machine *m = r->proc->machine;
  int cap = 64;
  f->can = mc_arena_calloc(&f->arena, (size_t)cap, sizeof *f->can);
  if (f->can == NULL)
    return;
  bool open = !dec_final_state(s->state);
  for (int k = 0; k < nas; k++) {
    const eng_actor *a = &as[k];
    const char *role = a->role ? mc_arena_strdup(&f->arena, a->role) : "";
    eng_command cmd = {.kind = ENG_CMD_ACT, .actor = *a};
    eng_result scratch;
    decide d = {.e = r->e, .cmd = &cmd, .res = &scratch, .m = m};
    for (int i = 0; open && i < s->ntokens; i++) {
      if (s->tokens[i].node < 0 || s->tokens[i].node >= m->nnodes)
        continue;
      const dsl_m_node *n = &m->nodes[s->tokens[i].node];
      memset(&scratch, 0, sizeof scratch);
      if (dec_role_allowed(&d, s, n) != 0)
        continue;
      for (int t = 0; t < n->nout; t++) {
        const char *act = n->out[t].action;
        if (act == NULL || !strcmp(act, "timeout") || (!strcmp(act, "reject") && s->accepted_at) ||
            (!strcmp(act, "request_supplement") && s->supplement_used))
          continue;
        offer(f, cap, act, n->name, role);
      }
    }
    bool leader = a->role && !strcmp(a->role, "leader") && a->agency && !strcmp(a->agency, s->agency);
    bool admin = a->role && (!strcmp(a->role, "system_admin") ||
                             (!strcmp(a->role, "agency_admin") && a->agency && !strcmp(a->agency, s->agency)));
    if (open && !s->decided_at && (dec_is_applicant_of(a, s) || dec_is_reception_of(a, s)))
      offer(f, cap, "withdraw", NULL, role);
    if (open && leader && s->appointment_at && !s->decided_at && !s->extended)
      offer(f, cap, "extend", NULL, role);
    if (open && (leader || admin))
      offer(f, cap, "assign", NULL, role);
    if (open && leader && s->accepted_at && !s->decided_at)
      offer(f, cap, "stop", NULL, role);
    if (open && !s->accepted_at && dec_is_reception_of(a, s))
      offer(f, cap, "transfer", NULL, role); /* to the competent agency (cmd_transfer.c) */
    bool for_applicant = s->applicant[0] ? dec_is_applicant_of(a, s) : dec_is_reception_of(a, s);
    if (for_applicant && !strcmp(s->state, "returned") && s->rating == 0)
      offer(f, cap, "rate", NULL, role);
  }
}

int eng_dossier_full_read(eng_engine *e, const char *code, mc_instant now, const eng_actor *as, int nas,
                          eng_dossier_full *out) {
  memset(out, 0, sizeof *out);
  reading r;
  int rc = reading_open(e, code, now, &r);
  if (rc == 0) {
    eng__view_of_snap(&r.s, &out->d, out->applicant_account, sizeof out->applicant_account);
    snprintf(out->channel, sizeof out->channel, "%s", r.s.channel);
    eng__str_copy(r.secret, out->secret, sizeof out->secret);
    mc_hex(r.s.definition, 32, out->definition);
    out->procedure_name = r.proc->machine->name ? r.proc->machine->name : r.proc->machine->code;
    out->agency_name = agency_name(&r, &out->arena, r.s.agency);
    if (r.applicant) {
      msgpack_sbuffer sb;
      msgpack_packer pk;
      msgpack_sbuffer_init(&sb);
      msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
      msgpack_pack_object(&pk, *r.applicant);
      eng_applicant_decode(sb.data, sb.size, &out->applicant);
      msgpack_sbuffer_destroy(&sb);
    } else {
      /* Filed before the applicant block: what the snapshot knows. */
      mc_text_copy(out->applicant.id_number, sizeof out->applicant.id_number, r.s.owner);
    }
    if (r.form_map && r.proc->machine->fee)
      eng__fee(r.proc->machine->fee, r.form_map, &out->fee);
    if ((rc = form_values(&r, out)) == 0 && (rc = step_agencies(&r, out)) == 0) {
      open_steps(&r, out, now);
      offers(&r, out, as, nas);
      rc = clock_and_deadline(&r, out, code, now);
    }
  }
  /* The machine's texts live in the engine's cache (for its lifetime). */
  const dsl_machine *m = r.proc ? r.proc->machine : NULL;
  int offset_min = r.cal ? eng_calendar_offset_min(r.cal->calendar) : MC_VN_OFFSET_MIN;
  reading_close(&r);
  if (rc == 0)
    rc = documents(e, code, m, offset_min, now, out);
  if (rc) {
    eng_dossier_full_free(out);
    return rc;
  }
  return 0;
}

void eng_dossier_full_free(eng_dossier_full *f) {
  mc_arena_free(&f->arena);
  memset(f, 0, sizeof *f);
}

/* ============================================================ a procedure, for a client */

static void duration_text(const dsl_m_duration *d, const eng_policy *p, char *out, size_t size) {
  bool ok;
  eng_duration t = eng__duration_of(d, p, &ok);
  mc_buf text = MC_BUF_INIT;
  out[0] = '\0';
  if (ok && eng_duration_format(t, &text) == 0)
    snprintf(out, size, "%s", mc_buf_cstr(&text));
  mc_buf_free(&text);
}

int eng_process_read(eng_engine *e, const char *code, const char *definition, mc_instant now,
                     eng_process_view *out) {
  memset(out, 0, sizeof *out);
  store_read *rd;
  uint8_t hash[32];
  eng_def *proc = NULL, *policy = NULL;
  int rc = store_read_begin(e->st, &rd);
  if (rc)
    return rc;
  if (definition)
    rc = mc_unhex(definition, hash, 32) ? MC_ENOENT : 0;
  else
    rc = eng__def_current_read(rd, ENG_DEF_PROCEDURE, code, now, hash);
  if (rc == 0)
    rc = eng__def_read(e, rd, hash, ENG_DEF_PROCEDURE, &proc);
  if (rc == 0 && strcmp(proc->machine->code, code))
    rc = MC_ENOENT; /* a version of another procedure */
  uint8_t phash[32];
  if (rc == 0 && (eng__def_current_read(rd, ENG_DEF_POLICY, proc->machine->policy, now, phash) ||
                  eng__def_read(e, rd, phash, ENG_DEF_POLICY, &policy)))
    policy = NULL;
  store_read_end(rd);
  if (rc)
    return rc;
  const dsl_machine *m = proc->machine;
  const eng_policy *pol = policy ? &policy->policy : NULL;
  static const char *const clocks[] = {"runs", "pauses", "restarts", "policy"};
  out->code = m->code;
  out->name = m->name ? m->name : m->code;
  mc_hex(hash, 32, out->definition);
  duration_text(&m->time, pol, out->time, sizeof out->time);
  out->steps = mc_arena_calloc(&out->arena, (size_t)m->nnodes + 1, sizeof *out->steps);
  if (out->steps == NULL)
    return MC_ENOMEM;
  for (int i = 0; i < m->nnodes; i++) {
    const dsl_m_node *n = &m->nodes[i];
    if (n->kind != DSL_M_STEP)
      continue;
    eng_step_info *st = &out->steps[out->nsteps++];
    st->name = n->name;
    st->title = n->title ? n->title : n->name;
    st->role = n->role ? n->role : "";
    st->agency = n->agency;
    st->state = n->state ? n->state : "";
    st->clock = (unsigned)n->clock < 4 ? clocks[n->clock] : "runs";
    duration_text(&n->limit, pol, st->limit, sizeof st->limit);
    duration_text(&n->warn, pol, st->warn, sizeof st->warn);
    st->actions = mc_arena_calloc(&out->arena, (size_t)n->nout + 1, sizeof *st->actions);
    if (st->actions == NULL)
      return MC_ENOMEM;
    for (int t = 0; t < n->nout; t++) {
      const dsl_m_transition *tr = &n->out[t];
      if (tr->action == NULL)
        continue;
      const eng_action_info *info = eng_action_info_of(tr->action);
      eng_step_action *a = &st->actions[st->nactions++];
      a->action = tr->action;
      a->label = info ? info->label : tr->action;
      a->needs = eng_needs_name(info ? info->needs : ENG_NEEDS_NONE);
      a->to = tr->target >= 0 && tr->target < m->nnodes ? m->nodes[tr->target].name : tr->final;
    }
  }
  return 0;
}

void eng_process_free(eng_process_view *p) {
  mc_arena_free(&p->arena);
  memset(p, 0, sizeof *p);
}

/* ============================================================ a receipt's secret */

int eng_dossier_secret(eng_engine *e, const char *code, char *out, size_t size) {
  reading r;
  out[0] = '\0';
  int rc = reading_open(e, code, mc_clock_now(), &r);
  if (rc == 0 && r.secret && eng__str_copy(r.secret, out, size) != 0)
    out[0] = '\0';
  reading_close(&r);
  return rc;
}

/* ============================================================ an event's reason */

int eng_event_reason(eng_engine *e, uint64_t seq, mc_buf *out) {
  store_read *rd;
  store_event ev;
  mc_buf_reset(out);
  int rc = store_read_begin(e->st, &rd);
  if (rc)
    return rc;
  if ((rc = store_read_event(rd, seq, &ev)) == 0) {
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
      const msgpack_object *reason = eng__get(eng__get(&u.data, "what"), "reason");
      if (reason && reason->type == MSGPACK_OBJECT_STR)
        rc = mc_buf_append(out, reason->via.str.ptr, reason->via.str.size);
    }
    msgpack_unpacked_destroy(&u);
  }
  store_read_end(rd);
  return rc;
}

/* ============================================================ the history */

typedef struct history_ctx {
  eng_engine *e;
  store_read *rd;
  eng_history *h;
  const dsl_machine *m;
  int cap;
  eng_snap prev;
  bool has_prev;
} history_ctx;

static const char *step_title(const dsl_machine *m, const char *step) {
  for (int i = 0; m && step && i < m->nnodes; i++)
    if (!strcmp(m->nodes[i].name, step))
      return m->nodes[i].title ? m->nodes[i].title : m->nodes[i].name;
  return step;
}

/* "Chuyển hồ sơ đến <the agency's name>", by the directory in effect then. */
static const char *transfer_label(history_ctx *c, mc_arena *a, const char *to, mc_instant when) {
  uint8_t hash[32];
  eng_def *dir;
  const dsl_d_agency *ag = NULL;
  if (eng__def_current_read(c->rd, ENG_DEF_DIRECTORY, "directory", when, hash) == 0 &&
      eng__def_read(c->e, c->rd, hash, ENG_DEF_DIRECTORY, &dir) == 0 && dir->directory)
    ag = dsl_directory_find(dir->directory, to);
  char label[320];
  snprintf(label, sizeof label, "Chuyển hồ sơ đến %s", ag && ag->name ? ag->name : to);
  return mc_arena_strdup(a, label);
}

static int history_one(void *opaque, const store_event *ev) {
  history_ctx *c = opaque;
  eng_history *h = c->h;
  mc_arena *a = &h->arena;
  if (grow(a, (void **)&h->entries, h->n, &c->cap, sizeof *h->entries))
    return MC_ENOMEM;
  msgpack_unpacked u;
  size_t off = 0;
  eng_snap next;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) != MSGPACK_UNPACK_SUCCESS ||
      eng__snap_apply(ev, &u.data, c->has_prev ? &c->prev : NULL, &next) != 0) {
    msgpack_unpacked_destroy(&u);
    return MC_ECORRUPT;
  }
  eng_history_entry *x = &h->entries[h->n++];
  memset(x, 0, sizeof *x);
  const msgpack_object *what_o = eng__get(&u.data, "what");
  x->seq = ev->seq;
  x->version = ev->version;
  x->time = ev->time;
  x->type = mc_arena_strndup(a, ev->type.ptr, ev->type.len);
  x->action = dup_obj(a, eng__get(what_o, "action"));
  const eng_action_info *info = eng_action_info_of(x->action);
  x->label = info ? info->label : x->action;
  x->step = dup_obj(a, eng__get(what_o, "step"));
  x->step_title = x->step ? step_title(c->m, x->step) : NULL;
  x->who = mc_arena_strndup(a, ev->who.ptr, ev->who.len);
  x->role = mc_arena_strndup(a, ev->role.ptr, ev->role.len);
  x->who_name = "";
  x->agency = "";
  const void *v;
  size_t vlen;
  eng_account_view acc;
  if (ev->who.len && store_read_proj(c->rd, ENG_PROJ_ACCOUNTS, ev->who.ptr, ev->who.len, &v, &vlen) == 0 &&
      eng__account_decode(v, vlen, &acc) == 0) {
    x->who_name = mc_arena_strdup(a, acc.name);
    x->agency = mc_arena_strdup(a, acc.agency);
  } else if (!strcmp(x->role, "system")) {
    x->who_name = "Hệ thống";
  }
  x->state = mc_arena_strdup(a, next.state);
  x->reason = dup_obj(a, eng__get(what_o, "reason"));
  x->handler = dup_obj(a, eng__get(what_o, "handler"));
  x->from = dup_obj(a, eng__get(what_o, "from"));
  x->to = dup_obj(a, eng__get(what_o, "to"));
  if (x->to)
    x->label = transfer_label(c, a, x->to, ev->time);
  x->due_at = eng__int(eng__get(what_o, "due_at"));
  x->old_due = eng__int(eng__get(what_o, "old_due"));
  x->new_due = eng__int(eng__get(what_o, "new_due"));
  x->rating = (int)eng__int(eng__get(what_o, "rating"));
  const msgpack_object *docs = eng__get(&u.data, "documents");
  if (docs && docs->type == MSGPACK_OBJECT_ARRAY && docs->via.array.size) {
    x->documents = mc_arena_calloc(a, docs->via.array.size, sizeof *x->documents);
    for (uint32_t i = 0; x->documents && i < docs->via.array.size; i++) {
      const msgpack_object *d = &docs->via.array.ptr[i], *hash = eng__get(d, "hash");
      eng_document_view *dv = &x->documents[x->ndocuments];
      if (hash == NULL || hash->type != MSGPACK_OBJECT_BIN || hash->via.bin.size != 32)
        continue; /* format 1 listed the missing ones too */
      eng__str_copy(eng__get(d, "name"), dv->name, sizeof dv->name);
      eng__str_copy(eng__get(d, "valid_until"), dv->valid_until, sizeof dv->valid_until);
      eng__str_copy(eng__get(d, "reused_from"), dv->reused_from, sizeof dv->reused_from);
      mc_hex((const uint8_t *)hash->via.bin.ptr, 32, dv->sha256);
      if (eng__more_view(eng__get(d, "more"), dv))
        continue;
      dv->supplied_at = eng__int(eng__get(d, "supplied_at"));
      if (dv->supplied_at == 0)
        dv->supplied_at = ev->time;
      x->ndocuments++;
    }
  }
  c->prev = next;
  c->has_prev = true;
  msgpack_unpacked_destroy(&u);
  return 0;
}

int eng_dossier_history(eng_engine *e, const char *code, eng_history *out) {
  memset(out, 0, sizeof *out);
  history_ctx c = {.e = e, .h = out};
  const void *v;
  size_t vlen;
  eng_snap s;
  eng_def *proc;
  int rc = store_read_begin(e->st, &c.rd);
  if (rc)
    return rc;
  if ((rc = store_read_proj(c.rd, ENG_PROJ_DOSSIER, code, strlen(code), &v, &vlen)) == 0 &&
      (rc = eng__snap_of_bytes(v, vlen, &s)) == 0) {
    if (eng__def_read(e, c.rd, s.definition, ENG_DEF_PROCEDURE, &proc) == 0)
      c.m = proc->machine;
    char stream[80];
    snprintf(stream, sizeof stream, "dossier/%s", code);
    rc = store_read_stream(c.rd, stream, 1, history_one, &c);
    rc = rc < 0 ? rc : 0;
  }
  store_read_end(c.rd);
  if (rc)
    eng_history_free(out);
  return rc;
}

void eng_history_free(eng_history *h) {
  mc_arena_free(&h->arena);
  memset(h, 0, sizeof *h);
}
