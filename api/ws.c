/* ws.c — the WebSocket operations of docs/PROTOCOL.md: one decoded message
 * in, a reply out (after the command is durable), subscriptions with
 * catch-up.  Every rule of who may do what is checked here or by the engine
 * with the actor this file builds from the session, never from the client's
 * word. */
#include "api/pushes.h"
#include "api/runtime.h"

#include "api/wire.h"
#include "base/error.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>

/* The bounds of what is not a command's argument (those are the engine's
 * table's: engine/commands.h): the fields they are kept in. */
#define WS_MAX_ID_BYTES 64 /* a request's id, a command_id */
#define DOSSIER_MAX_BYTES ((size_t)ENG_BYTES_OF(eng_dossier_view, code))
#define ROLE_MAX_BYTES ((size_t)ENG_BYTES_OF(eng_account_view, roles[0]))
#define SUB_MAX_BYTES(member) ((size_t)ENG_BYTES_OF(sub, member))

/* One request being handled. */
typedef struct req {
  conn *c;
  srv *s;
  json_t *msg;
  const char *op;
  json_t *id;          /* echoed (a copy) */
  bool binary;
} req;

static void reply(req *r, json_t *body) {
  json_t *o = json_pack("{s:O}", "id", r->id ? r->id : json_null()); /* the id first, for people reading */
  json_object_update(o, body);
  json_decref(body);
  srv_conn_send(r->c, o, r->binary);
  json_decref(o);
}

static void fail(req *r, const char *code, const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail(req *r, const char *code, const char *field, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  int outcome = !strcmp(code, "forbidden") || !strcmp(code, "unauthenticated") || !strcmp(code, "password_change_required")
                    ? OUT_FORBIDDEN
                    : !strcmp(code, "bad_request") || !strcmp(code, "too_large") ? OUT_BAD
                                                                                    : OUT_REFUSED;
  srv_metrics_count(&r->s->m, r->op ? r->op : "unknown", outcome);
  if (outcome == OUT_FORBIDDEN)
    srv_denied(r->s, r->c, r->op ? r->op : "unknown", r->c->who.acct.id, msg);
  reply(r, json_pack("{s:b, s:o}", "ok", 0, "error", srv_error(code, msg, field)));
}

/* ------------------------------------------------------------ fields */

static bool get_str(req *r, const char *key, bool required, size_t max, const char **out) {
  json_t *v = json_object_get(r->msg, key);
  *out = NULL;
  if (v == NULL || json_is_null(v)) {
    if (required)
      fail(r, "bad_request", key, "%s: \"%s\" is missing", r->op, key);
    return !required;
  }
  if (!json_is_string(v)) {
    fail(r, "bad_request", key, "%s: \"%s\" is a text", r->op, key);
    return false;
  }
  size_t n = json_string_length(v);
  if ((required && n == 0) || n > max) {
    fail(r, "bad_request", key, "%s: \"%s\" has 1 to %zu bytes", r->op, key, max);
    return false;
  }
  *out = json_string_value(v);
  return true;
}

static bool get_int(req *r, const char *key, bool required, int64_t lo, int64_t hi, int64_t *out, bool *given) {
  json_t *v = json_object_get(r->msg, key);
  if (given)
    *given = false;
  if (v == NULL || json_is_null(v)) {
    if (required)
      fail(r, "bad_request", key, "%s: \"%s\" is missing", r->op, key);
    return !required;
  }
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
    fail(r, "bad_request", key, "%s: \"%s\" is a whole number from %lld to %lld", r->op, key, (long long)lo,
         (long long)hi);
    return false;
  }
  *out = json_integer_value(v);
  if (given)
    *given = true;
  return true;
}

/* Refuses fields the operation does not know: a typo must not pass silently. */
static bool known_fields(req *r, const char *const *allowed) {
  const char *k;
  json_t *v;
  json_object_foreach(r->msg, k, v) {
    bool ok = !strcmp(k, "op") || !strcmp(k, "id");
    for (int i = 0; allowed[i] && !ok; i++)
      ok = !strcmp(k, allowed[i]);
    if (!ok) {
      fail(r, "bad_request", k, "%s: unknown field \"%s\" (docs/PROTOCOL.md lists the fields of each operation)", r->op, k);
      return false;
    }
  }
  return true;
}

/* ------------------------------------------------------------ authentication */

static bool need_session(req *r) {
  if (!r->c->who.authed) {
    fail(r, "unauthenticated", NULL, "%s: log in first (POST /api/login), then send hello with the token", r->op);
    return false;
  }
  if (r->c->who.must_change) {
    fail(r, "password_change_required", NULL, "%s: the one-time password must be changed first (change_password)", r->op);
    return false;
  }
  return true;
}

static json_t *account_json(const principal *p) {
  json_t *roles = json_array();
  for (int i = 0; i < p->acct.nroles; i++)
    json_array_append_new(roles, json_string(p->acct.roles[i]));
  return json_pack("{s:b, s:s, s:s, s:s, s:o, s:o, s:b}", "ok", 1, "account", p->acct.id, "kind", p->acct.kind, "name",
                   p->acct.name, "roles", roles, "agency", p->acct.agency[0] ? json_string(p->acct.agency) : json_null(),
                   "must_change_password", p->must_change);
}

static void op_hello(req *r) {
  const char *token;
  static const char *const fields[] = {"token", NULL};
  if (!known_fields(r, fields) || !get_str(r, "token", true, 128, &token))
    return;
  principal p;
  if (srv_authenticate(r->s, token, &p) != 0) {
    fail(r, "unauthenticated", "token", "hello: the token is unknown, expired or revoked: log in again");
    return;
  }
  srv_conn_set_principal(r->c, &p);
  srv_metrics_count(&r->s->m, "hello", OUT_OK);
  reply(r, account_json(&p));
}

static void op_ping(req *r) {
  static const char *const fields[] = {NULL};
  if (!known_fields(r, fields))
    return;
  srv_metrics_count(&r->s->m, "ping", OUT_OK);
  reply(r, json_pack("{s:b, s:I}", "ok", 1, "seq", (json_int_t)r->s->pushed_seq));
}

/* ------------------------------------------------------------ commands */

static void command_finish(job *j) {
  conn *c = j->owner;
  if (c == NULL || c->gone) {
    srv_job_free(j);
    return;
  }
  req r = {.c = c, .s = j->s, .op = j->op, .id = json_object_get(j->data, "id"),
           .binary = json_is_true(json_object_get(j->data, "binary"))};
  const eng_result *res = &j->results[0];
  if (res->status) {
    int outcome;
    const char *code = srv_error_code(eng_result_kind(res), NULL, &outcome);
    char msg[600];
    snprintf(msg, sizeof msg, "%s: %s", j->op, res->message[0] ? res->message : mc_strerror(res->status));
    if (outcome == OUT_FORBIDDEN)
      srv_denied(j->s, c, j->op, c->who.acct.id, msg);
    srv_metrics_count(&j->s->m, j->op, outcome);
    json_t *err = srv_error(code, msg, NULL);
    srv_error_refusal(err, res);
    reply(&r, json_pack("{s:b, s:o}", "ok", 0, "error", err));
  } else {
    srv_metrics_count(&j->s->m, j->op, OUT_OK);
    uint64_t seq = res->count ? res->first_seq + res->count - 1 : 0;
    reply(&r, json_pack("{s:b, s:s, s:I, s:I, s:I, s:b}", "ok", 1, "dossier", res->dossier, "version",
                        (json_int_t)res->version, "seq", (json_int_t)seq, "appointment_at",
                        (json_int_t)res->appointment_at, "repeated", res->repeated));
  }
  srv_job_free(j);
}

/* The role the official acts in: the one named (which the account must
 * hold), or the account's only acting role. */
static bool acting_role(req *r, const char **role) {
  const principal *p = &r->c->who;
  const char *asked;
  if (!get_str(r, "role", false, ROLE_MAX_BYTES, &asked))
    return false;
  if (asked) {
    if (!srv_principal_has_role(p, asked)) {
      fail(r, "forbidden", "role", "%s: the account %s does not have the role %s", r->op, p->acct.id, asked);
      return false;
    }
    if (!strcmp(asked, "auditor")) {
      fail(r, "forbidden", "role", "%s: an auditor reads and changes nothing", r->op);
      return false;
    }
    *role = asked;
    return true;
  }
  const char *only = NULL;
  int n = 0;
  for (int i = 0; i < p->acct.nroles; i++)
    if (strcmp(p->acct.roles[i], "auditor")) {
      only = p->acct.roles[i];
      n++;
    }
  if (n == 0) {
    fail(r, "forbidden", NULL, "%s: an auditor reads and changes nothing", r->op);
    return false;
  }
  if (n > 1) {
    fail(r, "bad_request", "role", "%s: the account has several roles: say which one it acts in (\"role\")", r->op);
    return false;
  }
  *role = only;
  return true;
}

/* A job for a command, with what every command carries. */
static job *command_job(req *r, eng_cmd_kind kind, eng_command **out) {
  const char *command_id, *role, *dossier = NULL;
  int64_t version = 0;
  bool has_version = false;
  if (!need_session(r) || !acting_role(r, &role) || !get_str(r, "command_id", true, WS_MAX_ID_BYTES, &command_id))
    return NULL;
  if (eng_command_on_dossier(kind) &&
      (!get_str(r, "dossier", true, DOSSIER_MAX_BYTES, &dossier) ||
       !get_int(r, "expected_version", false, 0, INT64_MAX, &version, &has_version)))
    return NULL;
  job *j = srv_job_new(r->s, &srv_front_ws, r->c, r->op);
  eng_command *c = j ? srv_job_command(j) : NULL;
  if (c == NULL) {
    srv_job_free(j);
    fail(r, "unavailable", NULL, "%s: out of memory", r->op);
    return NULL;
  }
  const principal *p = &r->c->who;
  char scoped[160], client[96];
  /* Idempotency keys are the account's own: another account's key never collides. */
  snprintf(scoped, sizeof scoped, "u/%s/%s", p->acct.id, command_id); /* the server's own are "sys/..." */
  snprintf(client, sizeof client, "ws %s", r->c->addr);
  c->kind = kind;
  c->command_id = srv_job_strdup(j, scoped);
  c->actor.who = srv_job_strdup(j, p->acct.id);
  c->actor.role = srv_job_strdup(j, role);
  c->actor.agency = p->acct.agency[0] ? srv_job_strdup(j, p->acct.agency) : NULL;
  c->actor.client = srv_job_strdup(j, client);
  c->dossier = srv_job_strdup(j, dossier);
  c->expected_version = has_version ? (uint64_t)version : STORE_ANY_VERSION;
  j->data = json_pack("{s:O, s:b}", "id", r->id ? r->id : json_null(), "binary", r->binary);
  j->finish = command_finish;
  *out = c;
  return j;
}

/* The fields a command's op takes: what every command carries, and its
 * arguments (engine/commands.h). */
static bool command_fields(req *r, eng_cmd_kind kind) {
  const char *allowed[32] = {"command_id", "role"};
  int k = 2, n;
  if (eng_command_on_dossier(kind)) {
    allowed[k++] = "dossier";
    allowed[k++] = "expected_version";
  }
  const eng_arg *args = eng_command_args(kind, &n);
  for (int i = 0; i < n && k < 31; i++)
    if (args[i].wire)
      allowed[k++] = args[i].wire;
  return known_fields(r, allowed);
}

/* A list of official ids (co-handlers). */
static bool get_officials(req *r, job *j, const eng_arg *a, eng_texts *out) {
  json_t *list = json_object_get(r->msg, a->wire);
  if (list == NULL || json_is_null(list))
    return true;
  if (!json_is_array(list) || json_array_size(list) > (size_t)a->hi) {
    fail(r, "bad_request", a->wire, "%s: \"%s\" is a list of at most %lld official ids", r->op, a->wire,
         (long long)a->hi);
    return false;
  }
  const char **ids = mc_arena_calloc(&j->arena, json_array_size(list) + 1, sizeof *ids);
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    if (!json_is_string(e)) {
      fail(r, "bad_request", a->wire, "%s: %s[%zu] is an official's id", r->op, a->wire, i);
      return false;
    }
    ids[i] = srv_job_strdup(j, json_string_value(e));
  }
  *out = (eng_texts){ids, (int)json_array_size(list)};
  return true;
}

/* The scans brought: [{name, sha256, valid_until}]. */
static bool get_documents(req *r, job *j, const eng_arg *a, eng_documents *out) {
  json_t *docs = json_object_get(r->msg, a->wire);
  if (docs == NULL || json_is_null(docs))
    return true;
  if (!json_is_array(docs) || json_array_size(docs) > (size_t)a->hi) {
    fail(r, "bad_request", a->wire, "%s: \"%s\" is a list of at most %lld {name, sha256, valid_until}", r->op,
         a->wire, (long long)a->hi);
    return false;
  }
  eng_document *list = mc_arena_calloc(&j->arena, json_array_size(docs) + 1, sizeof *list);
  size_t i;
  json_t *d;
  json_array_foreach(docs, i, d) {
    const char *name = json_string_value(json_object_get(d, "name"));
    const char *sha = json_string_value(json_object_get(d, "sha256"));
    json_t *until = json_object_get(d, "valid_until");
    if (!json_is_object(d) || name == NULL || sha == NULL || (until && !json_is_null(until) && !json_is_string(until))) {
      fail(r, "bad_request", a->wire,
           "%s: %s[%zu] is {\"name\": text, \"sha256\": 64 hex digits, \"valid_until\": \"YYYY-MM-DD\" or null}",
           r->op, a->wire, i);
      return false;
    }
    list[i].name = srv_job_strdup(j, name);
    list[i].sha256 = srv_job_strdup(j, sha);
    list[i].valid_until = json_is_string(until) ? srv_job_strdup(j, json_string_value(until)) : NULL;
  }
  *out = (eng_documents){list, (int)json_array_size(docs)};
  return true;
}

/* A command's arguments, in the table's order, each within its bounds
 * (engine/commands.h).  A FORM is its op's to read. */
static bool get_args(req *r, job *j, eng_command *c) {
  int n;
  const eng_arg *args = eng_command_args(c->kind, &n);
  for (int i = 0; i < n; i++) {
    const eng_arg *a = &args[i];
    const char *text;
    int64_t v = 0;
    bool ok = true;
    switch (a->type) {
    case ENG_ARG_WORD:
    case ENG_ARG_TEXT:
      if ((ok = get_str(r, a->wire, a->required, (size_t)a->hi, &text)))
        *ENG_ARG_AT(c, a, const char *) = srv_job_strdup(j, text);
      break;
    case ENG_ARG_INT:
      if ((ok = get_int(r, a->wire, a->required, a->lo, a->hi, &v, NULL)))
        *ENG_ARG_AT(c, a, int) = (int)v;
      break;
    case ENG_ARG_INSTANT:
      if ((ok = get_int(r, a->wire, a->required, a->lo, a->hi, &v, NULL)))
        *ENG_ARG_AT(c, a, mc_instant) = v;
      break;
    case ENG_ARG_OFFICIALS: ok = get_officials(r, j, a, ENG_ARG_AT(c, a, eng_texts)); break;
    case ENG_ARG_DOCUMENTS: ok = get_documents(r, j, a, ENG_ARG_AT(c, a, eng_documents)); break;
    default: break; /* a FORM; the other types come from the server and the command line only */
    }
    if (!ok)
      return false;
  }
  return true;
}

/* submit's own rules, after its arguments: an applicant files online
 * (reception at the desk by default), then the e-form. */
static bool submit_rules(req *r, job *j, eng_command *c) {
  eng_submit_args *a = &c->submit;
  bool applicant = !strcmp(c->actor.role, "applicant");
  if (a->channel == NULL)
    a->channel = applicant ? "online" : "desk";
  if (applicant && strcmp(a->channel, "online")) {
    fail(r, "forbidden", "channel", "submit: an applicant files online; the desk and the post are reception's");
    return false;
  }
  json_t *form = json_object_get(r->msg, "form");
  mc_buf fb = MC_BUF_INIT;
  char why[300];
  if (form == NULL || srv_wire_form(form, &fb, why, sizeof why) != 0) {
    mc_buf_free(&fb);
    fail(r, "bad_request", "form", "submit: %s", form ? why : "\"form\" is missing: the procedure's e-form (GET /api/procedures/CODE)");
    return false;
  }
  uint8_t *form_bytes = mc_arena_alloc(&j->arena, fb.len ? fb.len : 1);
  memcpy(form_bytes, fb.data, fb.len);
  a->form = (eng_bytes){form_bytes, fb.len};
  mc_buf_free(&fb);
  return true;
}

/* The rules of an op beyond its arguments'. */
static bool (*const op_rules[ENG_CMD_COUNT])(req *r, job *j, eng_command *c) = {
    [ENG_CMD_SUBMIT] = submit_rules,
};

/* A command a client sends (engine/commands.h: WS): its fields, what every
 * command carries, its arguments, its op's own rules; then the writer. */
static void op_command(req *r, eng_cmd_kind kind) {
  eng_command *c;
  if (!command_fields(r, kind))
    return;
  job *j = command_job(r, kind, &c);
  if (j == NULL)
    return;
  if (!get_args(r, j, c) || (op_rules[kind] && !op_rules[kind](r, j, c))) {
    srv_job_free(j);
    return;
  }
  srv_job_start(j);
}

/* ------------------------------------------------------------ reads */

static json_t *dossier_json(const eng_dossier_view *d) {
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

/* A dossier the account may read, or a failure already answered. */
static bool readable(req *r, const char *code, eng_event_view *v) {
  memset(v, 0, sizeof *v);
  int rc = eng_dossier_get(r->s->e, code, &v->dossier);
  if (rc == 0)
    rc = eng_dossier_applicant(r->s->e, code, v->applicant, sizeof v->applicant);
  if (rc == MC_ENOENT) {
    fail(r, "not_found", "dossier", "%s: there is no dossier %s", r->op, code);
    return false;
  }
  if (rc) {
    fail(r, "unavailable", NULL, "%s: the dossier cannot be read (%s)", r->op, mc_strerror(rc));
    return false;
  }
  if (!srv_may_read(r->s, &r->c->who, v)) {
    fail(r, "forbidden", "dossier", "%s: the account %s may not read the dossier %s", r->op, r->c->who.acct.id, code);
    return false;
  }
  return true;
}

static void op_get(req *r) {
  static const char *const fields[] = {"dossier", NULL};
  const char *code;
  eng_event_view v;
  if (!known_fields(r, fields) || !need_session(r) || !get_str(r, "dossier", true, DOSSIER_MAX_BYTES, &code) || !readable(r, code, &v))
    return;
  srv_metrics_count(&r->s->m, "get", OUT_OK);
  reply(r, json_pack("{s:b, s:o}", "ok", 1, "dossier", dossier_json(&v.dossier)));
}

static void op_subscribe(req *r) {
  static const char *const fields[] = {"scope", "after", "agency", "step", "dossier", NULL};
  const char *scope, *step, *dossier, *agency;
  int64_t after = 0;
  bool has_after;
  conn *c = r->c;
  const principal *p = &c->who;
  if (!known_fields(r, fields) || !need_session(r) || !get_str(r, "scope", true, SUB_MAX_BYTES(scope), &scope) ||
      !get_int(r, "after", false, 0, INT64_MAX, &after, &has_after) || !get_str(r, "step", false, SUB_MAX_BYTES(step), &step) ||
      !get_str(r, "dossier", false, SUB_MAX_BYTES(dossier), &dossier) || !get_str(r, "agency", false, SUB_MAX_BYTES(agency), &agency))
    return;
  if (c->nsubs >= CONN_MAX_SUBS) {
    fail(r, "refused", NULL, "subscribe: at most %d subscriptions per connection", CONN_MAX_SUBS);
    return;
  }
  sub sb;
  memset(&sb, 0, sizeof sb);
  snprintf(sb.scope, sizeof sb.scope, "%s", scope);
  if (!strcmp(scope, "mine")) {
    if (!srv_principal_is_applicant(p)) {
      fail(r, "forbidden", "scope", "subscribe: \"mine\" is an applicant's own dossiers; an official subscribes to \"agency\"");
      return;
    }
    snprintf(sb.account, sizeof sb.account, "%s", p->acct.id);
  } else if (!strcmp(scope, "agency")) {
    if (!p->acct.agency[0] || srv_principal_is_applicant(p)) {
      fail(r, "forbidden", "scope", "subscribe: \"agency\" is an official's agency inbox");
      return;
    }
    if (agency && strcmp(agency, p->acct.agency) && !srv_principal_reads_all(p)) {
      fail(r, "forbidden", "agency", "subscribe: %s is an official of %s, not of %s", p->acct.id, p->acct.agency, agency);
      return;
    }
    snprintf(sb.agency, sizeof sb.agency, "%s", agency ? agency : p->acct.agency);
    snprintf(sb.step, sizeof sb.step, "%s", step ? step : "");
  } else if (!strcmp(scope, "dossier")) {
    eng_event_view v;
    if (dossier == NULL) {
      fail(r, "bad_request", "dossier", "subscribe: scope \"dossier\" names the dossier");
      return;
    }
    if (!readable(r, dossier, &v))
      return;
    snprintf(sb.dossier, sizeof sb.dossier, "%s", dossier);
  } else if (!strcmp(scope, "all")) {
    if (!srv_principal_reads_all(p)) {
      fail(r, "forbidden", "scope", "subscribe: \"all\" is for auditors");
      return;
    }
  } else {
    fail(r, "bad_request", "scope", "subscribe: the scope is mine, agency, dossier or all, not \"%s\"", scope);
    return;
  }
  snprintf(sb.id, sizeof sb.id, "s%d", ++c->next_sub);
  sb.binary = r->binary;
  uint64_t head = r->s->pushed_seq;
  if (!has_after || (uint64_t)after > head)
    after = (int64_t)head;
  srv_metrics_count(&r->s->m, "subscribe", OUT_OK);
  reply(r, json_pack("{s:b, s:s, s:I}", "ok", 1, "subscription", sb.id, "head", (json_int_t)head));
  /* Everything after `after`, paced by what the client reads, then live
   * (server.c, srv_catch_up): the loop thread does both, so nothing comes
   * between and nothing twice. */
  sb.next = (uint64_t)after + 1;
  sb.live = false;
  if (srv_conn_sub_add(c, &sb) == NULL)
    mc_oom(sizeof sb);
  srv_catch_up(c);
}

static void op_unsubscribe(req *r) {
  static const char *const fields[] = {"subscription", NULL};
  const char *id;
  if (!known_fields(r, fields) || !need_session(r) || !get_str(r, "subscription", true, SUB_MAX_BYTES(id), &id))
    return;
  conn *c = r->c;
  for (int i = 0; i < c->nsubs; i++)
    if (!strcmp(c->subs[i]->id, id)) {
      srv_conn_sub_remove(c, i);
      srv_metrics_count(&r->s->m, "unsubscribe", OUT_OK);
      reply(r, json_pack("{s:b}", "ok", 1));
      return;
    }
  fail(r, "not_found", "subscription", "unsubscribe: no subscription %s on this connection", id);
}

/* ------------------------------------------------------------ password, logout */

static void change_work(job *j) {
  const char *account = json_string_value(json_object_get(j->data, "account"));
  const char *old = json_string_value(json_object_get(j->data, "old"));
  const char *new_pw = json_string_value(json_object_get(j->data, "new"));
  store *st = eng_store(j->s->e);
  char hash[ACC_HASH_LEN];
  bool must_change;
  if (acc_credentials_get(st, account, hash, &must_change) != 0 || !acc_password_verify(hash, old)) {
    j->status = MC_EACCES;
    snprintf(j->why, sizeof j->why, "the old password is not right");
    return;
  }
  if ((j->status = acc_password_hash(new_pw, hash)) == 0)
    j->status = acc_credentials_put(st, account, hash, false);
  if (j->status)
    snprintf(j->why, sizeof j->why, "the new password could not be stored (%s)", mc_strerror(j->status));
}

static void change_finish(job *j) {
  conn *c = j->owner;
  if (c && !c->gone) {
    req r = {.c = c, .s = j->s, .op = "change_password", .id = json_object_get(j->data, "id"),
             .binary = json_is_true(json_object_get(j->data, "binary"))};
    if (j->status == MC_EACCES) {
      fail(&r, "forbidden", "old", "change_password: %s", j->why);
    } else if (j->status) {
      fail(&r, "unavailable", NULL, "change_password: %s", j->why);
    } else {
      c->who.must_change = false;
      acc_throttle_clear(eng_store(j->s->e), json_string_value(json_object_get(j->data, "throttle")));
      srv_metrics_count(&j->s->m, "change_password", OUT_OK);
      reply(&r, json_pack("{s:b}", "ok", 1));
    }
  }
  /* The passwords are not kept a moment longer than needed. */
  json_t *o = json_object_get(j->data, "old"), *n = json_object_get(j->data, "new");
  if (o)
    sodium_memzero((void *)json_string_value(o), json_string_length(o));
  if (n)
    sodium_memzero((void *)json_string_value(n), json_string_length(n));
  srv_job_free(j);
}

static void op_change_password(req *r) {
  static const char *const fields[] = {"old", "new", NULL};
  const char *old, *new_pw;
  char why[200];
  if (!known_fields(r, fields))
    return;
  if (!r->c->who.authed) {
    fail(r, "unauthenticated", NULL, "change_password: send hello with your token first");
    return;
  }
  if (!get_str(r, "old", true, ACC_MAX_PASSWORD, &old) || !get_str(r, "new", true, 4096, &new_pw))
    return;
  if (!acc_password_ok(new_pw, why, sizeof why)) {
    fail(r, "refused", "new", "change_password: %s", why);
    return;
  }
  if (!strcmp(old, new_pw)) {
    fail(r, "refused", "new", "change_password: the new password is the old one");
    return;
  }
  char key[80];
  snprintf(key, sizeof key, "a/%s", r->c->who.acct.id);
  int64_t wait;
  if (acc_throttle_locked(eng_store(r->s->e), key, srv_now(r->s), &wait)) {
    fail(r, "throttled", NULL, "change_password: too many wrong passwords; try again in %lld minutes",
         (long long)(wait / 60000 + 1));
    return;
  }
  /* Counted as it arrives, whatever becomes of the socket: guesses sent at
   * once, or by a client that goes away, are all counted. */
  acc_throttle_fail(eng_store(r->s->e), key, srv_now(r->s), r->s->cfg.login_failures, r->s->cfg.lock_minutes);
  job *j = srv_job_new(r->s, &srv_front_ws, r->c, "change_password");
  if (j == NULL)
    return;
  j->data = json_pack("{s:O, s:b, s:s, s:s, s:s, s:s}", "id", r->id ? r->id : json_null(), "binary", r->binary,
                      "account", r->c->who.acct.id, "old", old, "new", new_pw, "throttle", key);
  j->work = change_work;
  j->finish = change_finish;
  srv_job_start(j);
}

/* The revocation is flushed (in the pool) before the reply says it is done;
 * then every socket of the session is closed, this one included. */

static void logout_finish(job *j) {
  conn *c = j->owner;
  const char *token = json_string_value(json_object_get(j->data, "token"));
  if (c && !c->gone) {
    req r = {.c = c, .s = j->s, .op = "logout", .id = json_object_get(j->data, "id"),
             .binary = json_is_true(json_object_get(j->data, "binary"))};
    if (j->status) {
      fail(&r, "unavailable", NULL, "logout: the revocation could not be stored (%s): try again", mc_strerror(j->status));
    } else {
      srv_metrics_count(&j->s->m, "logout", OUT_OK);
      reply(&r, json_pack("{s:b}", "ok", 1));
    }
  }
  if (j->status == 0)
    srv_revoke_token(j->s, token, "logged out");
  json_t *t = json_object_get(j->data, "token");
  sodium_memzero((void *)json_string_value(t), json_string_length(t));
  srv_job_free(j);
}

static void op_logout(req *r) {
  static const char *const fields[] = {NULL};
  conn *c = r->c;
  if (!known_fields(r, fields))
    return;
  if (!c->who.authed) {
    srv_metrics_count(&r->s->m, "logout", OUT_OK);
    reply(r, json_pack("{s:b}", "ok", 1));
    srv_conn_close(c, LWS_CLOSE_STATUS_NORMAL, "logged out");
    return;
  }
  job *j = srv_job_new(r->s, &srv_front_ws, c, "logout");
  if (j == NULL)
    return;
  j->data = json_pack("{s:O, s:b, s:s}", "id", r->id ? r->id : json_null(), "binary", r->binary, "token", c->who.token);
  j->work = srv_job_revoke_session;
  j->finish = logout_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ dispatch */

typedef struct op_entry {
  const char *name;
  void (*fn)(req *r);  /* NULL: the command `kind` (op_command) */
  eng_cmd_kind kind;
} op_entry;

/* The operations: the connection's own, then every command the engine's
 * table (engine/commands.h) says clients send over the WebSocket, then
 * reading. */
#define WS_COMMAND_OP_WS(e, name) {#name, NULL, ENG_CMD_##e},
#define WS_COMMAND_OP_OTHER(e, name)
#define WS_COMMAND_OP(e, name, where, on, who) WS_COMMAND_OP_##where(e, name)
static const op_entry ops[] = {
    {"ping", op_ping, ENG_CMD_COUNT},
    {"hello", op_hello, ENG_CMD_COUNT},
    ENG_COMMANDS(WS_COMMAND_OP)
    {"get", op_get, ENG_CMD_COUNT},
    {"subscribe", op_subscribe, ENG_CMD_COUNT},
    {"unsubscribe", op_unsubscribe, ENG_CMD_COUNT},
    {"change_password", op_change_password, ENG_CMD_COUNT},
    {"logout", op_logout, ENG_CMD_COUNT},
};
#undef WS_COMMAND_OP

static void message(conn *c, const void *data, size_t len, bool binary) {
  srv *s = c->s;
  char why[300];
  req r = {.c = c, .s = s, .binary = binary, .op = "message"};
  json_t *msg = srv_wire_decode(data, len, binary, why, sizeof why);
  if (msg == NULL) {
    s->m.bad_frames_total++;
    fail(&r, "bad_request", NULL, "%s", why);
    return;
  }
  r.msg = msg;
  json_t *id = json_object_get(msg, "id");
  if (id == NULL || !(json_is_string(id) || json_is_integer(id)) ||
      (json_is_string(id) && (json_string_length(id) == 0 || json_string_length(id) > WS_MAX_ID_BYTES))) {
    fail(&r, "bad_request", "id", "every request has an \"id\" (a text of 1 to %d bytes) to match its reply",
         WS_MAX_ID_BYTES);
    json_decref(msg);
    return;
  }
  r.id = id;
  const char *op = json_string_value(json_object_get(msg, "op"));
  if (op == NULL) {
    fail(&r, "bad_request", "op", "the request has no \"op\" (an operation: submit, act, subscribe, ...)");
    json_decref(msg);
    return;
  }
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(ops[i].name, op)) {
      r.op = ops[i].name;
      if (s->stopping && strcmp(op, "ping"))
        fail(&r, "unavailable", NULL, "%s: the server is stopping; reconnect in a moment and retry with the same command_id", op);
      else if (ops[i].fn)
        ops[i].fn(&r);
      else
        op_command(&r, ops[i].kind);
      json_decref(msg);
      return;
    }
  r.op = "unknown";
  fail(&r, "bad_request", "op", "unknown operation \"%.40s\" (docs/PROTOCOL.md lists them)", op);
  json_decref(msg);
}

const srv_front srv_front_ws = {
    .name = "ws",
    .message = message,
    .hold = srv_conn_hold,
    .release = srv_conn_release,
};
