/* execute.c — eng_execute: a batch of commands, each decided in the
 * batch's write transaction by its handler from the table
 * (engine/commands.h, dec_do_<name>); a retried command gets its original
 * result. */
#include "engine/decide.h"

#include "base/error.h"

#include <string.h>

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

int dec_do_account(decide *d) { return eng__account_decide(d->e, d->b, d->now, d->cmd, d->res); }

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
#define ENG__COMMAND_HANDLER(e, name, where, on, who) [ENG_CMD_##e] = dec_do_##name,
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
  eng__tap_rewind(e, 0);
  for (int i = 0; i < n; i++) {
    const eng_command *c = &cmds[i];
    eng_result *r = &results[i];
    store_cmd_result prior;
    memset(r, 0, sizeof *r);
    decide d = {.e = e, .b = b, .now = now, .cmd = c, .res = r};
    int mark = eng__tap_mark(e);
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
      eng__tap_rewind(e, mark);
      r->status = rc;
      r->version = 0;
      continue;
    }
    store_cmd_result done;
    if ((rc = store_cmd_commit(b, &done)) != 0) {
      eng__tap_rewind(e, mark);
      r->status = rc;
      continue;
    }
    r->first_seq = done.first_seq;
    r->count = done.count;
  }
  if ((rc = store_batch_commit(b)) != 0) {
    eng__tap_rewind(e, 0);
    return rc;
  }
  eng__tap_flush(e);
  for (int i = 0; i < n; i++)
    if (results[i].repeated && results[i].count)
      repeated_result(e, &cmds[i], &results[i]);
  return 0;
}
