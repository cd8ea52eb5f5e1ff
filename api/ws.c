/* ws.c — the WebSocket operations of docs/PROTOCOL.md: one decoded message
 * in, a reply out (after the command is durable), subscriptions with
 * catch-up.  Every rule of who may do what is checked here or by the engine
 * with the actor this file builds from the session, never from the client's
 * word. */
#include "api/pushes.h"
#include "api/runtime.h"
#include "api/ws_admin.h"
#include "api/ws_directory.h"
#include "api/ws_files.h"
#include "api/ws_read.h"
#include "api/ws_req.h"
#include "api/ws_session.h"

#include "api/wire.h"
#include "base/error.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>
/* ------------------------------------------------------------ commands */

/* What a submission took of its limits comes back when it made no new
 * dossier (refused, or a retry). */
static void give_back_limits(job *j) {
  json_t *keys = json_object_get(j->data, "limits"), *k;
  mc_instant at = json_integer_value(json_object_get(j->data, "limits_at"));
  size_t i;
  json_array_foreach(keys, i, k) srv_throttle_give_back(&j->s->throttle, json_string_value(k), at);
}

/* The scans a command brings. */
static eng_documents command_documents(const eng_command *c) {
  return c->kind == ENG_CMD_SUBMIT ? c->submit.documents
         : c->kind == ENG_CMD_ACT  ? c->act.documents
                                   : (eng_documents){NULL, 0};
}

static void command_finish(job *j) {
  if (j->results[0].status || j->results[0].repeated)
    give_back_limits(j);
  eng_documents docs = command_documents(&j->cmds[0]);
  if (j->results[0].status == 0 && docs.n)
    srv_uploads_referenced(j->s, &docs, j->results[0].dossier); /* no longer to expire */
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
      srv_denied(j->s, c, NULL, j->op, c->who.acct.id, msg);
    srv_metrics_count(&j->s->m, j->op, outcome);
    json_t *err = srv_error(code, msg, NULL);
    srv_error_refusal(err, res);
    srv_ws_reply(&r, json_pack("{s:b, s:o}", "ok", 0, "error", err));
  } else {
    srv_metrics_count(&j->s->m, j->op, OUT_OK);
    uint64_t seq = res->count ? res->first_seq + res->count - 1 : 0;
    json_t *reply = json_pack("{s:b, s:s, s:I, s:I, s:I, s:b}", "ok", 1, "dossier", res->dossier, "version",
                              (json_int_t)res->version, "seq", (json_int_t)seq, "appointment_at",
                              (json_int_t)res->appointment_at, "repeated", res->repeated);
    /* A filing: the receipt's secret (a retry's too: read back). */
    char secret[sizeof res->secret];
    snprintf(secret, sizeof secret, "%s", res->secret);
    if (j->cmds[0].kind == ENG_CMD_SUBMIT && secret[0] == '\0')
      eng_dossier_secret(j->s->e, res->dossier, secret, sizeof secret);
    if (j->cmds[0].kind == ENG_CMD_SUBMIT && secret[0]) {
      char base[256], url[512];
      srv_config_public_url(&j->s->cfg, base, sizeof base);
      snprintf(url, sizeof url, "%s/api/status/%s?secret=%s", base, res->dossier, secret);
      json_object_set_new(reply, "secret", json_string(secret));
      json_object_set_new(reply, "status_url", json_string(url)); /* the receipt's QR code */
    }
    srv_ws_reply(&r, reply);
  }
  srv_job_free(j);
}

/* The role the official acts in: the one named (which the account must
 * hold), or the account's only acting role. */
static bool acting_role(req *r, const char **role) {
  const principal *p = &r->c->who;
  const char *asked;
  if (!srv_ws_get_str(r, "role", false, ROLE_MAX_BYTES, &asked))
    return false;
  if (asked) {
    if (!srv_principal_has_role(p, asked)) {
      srv_ws_fail(r, "forbidden", "role", "%s: the account %s does not have the role %s", r->op, p->acct.id, asked);
      return false;
    }
    if (!strcmp(asked, "auditor")) {
      srv_ws_fail(r, "forbidden", "role", "%s: an auditor reads and changes nothing", r->op);
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
    srv_ws_fail(r, "forbidden", NULL, "%s: an auditor reads and changes nothing", r->op);
    return false;
  }
  if (n > 1) {
    srv_ws_fail(r, "bad_request", "role", "%s: the account has several roles: say which one it acts in (\"role\")", r->op);
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
  if (!srv_ws_need_session(r) || !acting_role(r, &role) || !srv_ws_get_str(r, "command_id", true, WS_MAX_ID_BYTES, &command_id))
    return NULL;
  if (eng_command_on_dossier(kind) &&
      (!srv_ws_get_str(r, "dossier", true, DOSSIER_MAX_BYTES, &dossier) ||
       !srv_ws_get_int(r, "expected_version", false, 0, INT64_MAX, &version, &has_version)))
    return NULL;
  job *j = srv_job_new(r->s, &srv_conn_owner, r->c, r->op);
  eng_command *c = j ? srv_job_command(j) : NULL;
  if (c == NULL) {
    srv_job_free(j);
    srv_ws_fail(r, "unavailable", NULL, "%s: out of memory", r->op);
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
  return srv_ws_known_fields(r, allowed);
}

/* A list of official ids (co-handlers). */
static bool get_officials(req *r, job *j, const eng_arg *a, eng_texts *out) {
  json_t *list = json_object_get(r->msg, a->wire);
  if (list == NULL || json_is_null(list))
    return true;
  if (!json_is_array(list) || json_array_size(list) > (size_t)a->hi) {
    srv_ws_fail(r, "bad_request", a->wire, "%s: \"%s\" is a list of at most %lld official ids", r->op, a->wire,
         (long long)a->hi);
    return false;
  }
  const char **ids = mc_arena_calloc(&j->arena, json_array_size(list) + 1, sizeof *ids);
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    if (!json_is_string(e)) {
      srv_ws_fail(r, "bad_request", a->wire, "%s: %s[%zu] is an official's id", r->op, a->wire, i);
      return false;
    }
    ids[i] = srv_job_strdup(j, json_string_value(e));
  }
  *out = (eng_texts){ids, (int)json_array_size(list)};
  return true;
}

/* A field a document does not have is refused, named as the engine names a
 * document's fields (documents[1].valid_until), as an unknown field of the
 * request is: a typo'd valid_until must not pass silently. */
static bool document_fields_known(req *r, const eng_arg *a, size_t i, json_t *d) {
  const char *k;
  json_t *v;
  json_object_foreach(d, k, v) {
    if (!srv_wire_field_in("name,files,sha256,valid_until", k)) {
      char field[160];
      snprintf(field, sizeof field, "%s[%zu].%.100s", a->wire, i, k);
      srv_ws_fail(r, "bad_request", field,
                  "%s: unknown field \"%s\" (a document is {name, files, valid_until})", r->op, field);
      return false;
    }
  }
  return true;
}

/* A document's files: "files" (the SHA-256 of each upload's receipt, in
 * order: the pages), or "sha256" for one. */
static bool document_files(req *r, job *j, const eng_arg *a, size_t i, json_t *d, eng_document *out) {
  json_t *files = json_object_get(d, "files"), *one = json_object_get(d, "sha256");
  char field[96];
  snprintf(field, sizeof field, "%s[%zu].files", a->wire, i);
  if (files && one) {
    srv_ws_fail(r, "bad_request", field, "%s: %s: give \"files\" (or \"sha256\" for one file), not both", r->op, field);
    return false;
  }
  if (one) {
    if (!json_is_string(one)) {
      srv_ws_fail(r, "bad_request", field, "%s: %s[%zu].sha256 is 64 hex digits", r->op, a->wire, i);
      return false;
    }
    out->sha256 = srv_job_strdup(j, json_string_value(one));
    return true;
  }
  size_t n = json_array_size(files);
  if (!json_is_array(files) || n == 0 || n > ENG_MAX_FILES) {
    srv_ws_fail(r, "bad_request", field, "%s: %s is a list of 1 to %d SHA-256 (each upload's receipt gives it)", r->op,
                field, ENG_MAX_FILES);
    return false;
  }
  const char **more = n > 1 ? mc_arena_calloc(&j->arena, n - 1, sizeof *more) : NULL;
  for (size_t k = 0; k < n; k++) {
    const char *hex = json_string_value(json_array_get(files, k));
    if (hex == NULL) {
      srv_ws_fail(r, "bad_request", field, "%s: %s[%zu] is a SHA-256: 64 hex digits", r->op, field, k);
      return false;
    }
    if (k == 0)
      out->sha256 = srv_job_strdup(j, hex);
    else
      more[k - 1] = srv_job_strdup(j, hex);
  }
  out->more = more;
  out->nmore = (int)n - 1;
  return true;
}

/* The scans brought: [{name, files, valid_until}]. */
static bool get_documents(req *r, job *j, const eng_arg *a, eng_documents *out) {
  json_t *docs = json_object_get(r->msg, a->wire);
  if (docs == NULL || json_is_null(docs))
    return true;
  if (!json_is_array(docs) || json_array_size(docs) > (size_t)a->hi) {
    srv_ws_fail(r, "bad_request", a->wire, "%s: \"%s\" is a list of at most %lld {name, files, valid_until}", r->op,
         a->wire, (long long)a->hi);
    return false;
  }
  eng_document *list = mc_arena_calloc(&j->arena, json_array_size(docs) + 1, sizeof *list);
  size_t i;
  json_t *d;
  json_array_foreach(docs, i, d) {
    if (json_is_object(d) && !document_fields_known(r, a, i, d))
      return false;
    const char *name = json_string_value(json_object_get(d, "name"));
    json_t *until = json_object_get(d, "valid_until");
    if (!json_is_object(d) || name == NULL || (!json_object_get(d, "files") && !json_object_get(d, "sha256")) ||
        (until && !json_is_null(until) && !json_is_string(until))) {
      srv_ws_fail(r, "bad_request", a->wire,
           "%s: %s[%zu] is {\"name\": text, \"files\": [SHA-256 of each upload], \"valid_until\": \"YYYY-MM-DD\" or null}",
           r->op, a->wire, i);
      return false;
    }
    if (!document_files(r, j, a, i, d, &list[i]))
      return false;
    list[i].name = srv_job_strdup(j, name);
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
      if ((ok = srv_ws_get_str(r, a->wire, a->required, (size_t)a->hi, &text)))
        *ENG_ARG_AT(c, a, const char *) = srv_job_strdup(j, text);
      break;
    case ENG_ARG_INT:
      if ((ok = srv_ws_get_int(r, a->wire, a->required, a->lo, a->hi, &v, NULL)))
        *ENG_ARG_AT(c, a, int) = (int)v;
      break;
    case ENG_ARG_INSTANT:
      if ((ok = srv_ws_get_int(r, a->wire, a->required, a->lo, a->hi, &v, NULL)))
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

/* An applicant account files at most max_submissions_per_hour online, and
 * an address a trusted proxy named at most ..._per_address (never the one
 * address of a NAT: a commune office files for many).  Reception at the
 * desk is not limited; a retry of a filed command is not counted.  What is
 * taken is given back when the submission makes no new dossier. */
static bool submission_allowed(req *r, job *j, const eng_command *c) {
  srv *s = r->s;
  mc_instant now = srv_now(s);
  int64_t wait = 0;
  char akey[96], ikey[96];
  snprintf(akey, sizeof akey, "s/a/%s", c->actor.who);
  snprintf(ikey, sizeof ikey, "s/i/%s", r->c->addr);
  const char *why = NULL;
  int max = s->cfg.max_submissions_per_hour;
  if (!srv_throttle_take(&s->throttle, akey, max, 3600 * 1000, now, &wait)) {
    why = "account";
  } else if (r->c->addr_forwarded &&
             !srv_throttle_take(&s->throttle, ikey, s->cfg.max_submissions_per_hour_per_address, 3600 * 1000, now, &wait)) {
    srv_throttle_give_back(&s->throttle, akey, now);
    why = "address", max = s->cfg.max_submissions_per_hour_per_address;
  }
  /* A retry of a filed command gets its first answer whatever the count
   * (looked up only here: a read of the log per submission costs). */
  if (why && eng_command_seen(s->e, c->command_id))
    return true;
  if (why) {
    long long minutes = wait / 60000 + 1;
    char msg[300], vi[300];
    snprintf(msg, sizeof msg, "submit: this %s filed %d dossiers in the last hour, the most allowed: try again in %lld minutes",
             why, max, minutes);
    snprintf(vi, sizeof vi, "%s đã nộp %d hồ sơ trong một giờ, là mức tối đa: vui lòng nộp lại sau %lld phút.",
             !strcmp(why, "account") ? "Tài khoản này" : "Địa chỉ này", max, minutes);
    json_t *e = srv_error("throttled", msg, NULL);
    json_object_set_new(e, "key", json_string("submissions_throttled"));
    json_object_set_new(e, "message_vi", json_string(vi));
    json_object_set_new(e, "retry_after_ms", json_integer(wait));
    srv_metrics_count(&s->m, r->op, OUT_THROTTLED);
    srv_ws_reply(r, json_pack("{s:b, s:o}", "ok", 0, "error", e));
    return false;
  }
  json_t *taken = json_pack("[s]", akey);
  if (r->c->addr_forwarded)
    json_array_append_new(taken, json_string(ikey));
  json_object_set_new(j->data, "limits", taken);
  json_object_set_new(j->data, "limits_at", json_integer(now));
  return true;
}

/* A JSON object as the msgpack map the engine reads (the e-form, the
 * applicant block), kept in the job. */
static bool get_map(req *r, job *j, const char *field, json_t *value, eng_bytes *out) {
  mc_buf fb = MC_BUF_INIT;
  char why[300];
  if (srv_wire_map(value, field, &fb, why, sizeof why) != 0) {
    mc_buf_free(&fb);
    srv_ws_fail(r, "bad_request", field, "submit: %s", why);
    return false;
  }
  uint8_t *bytes = mc_arena_alloc(&j->arena, fb.len ? fb.len : 1);
  memcpy(bytes, fb.data, fb.len);
  *out = (eng_bytes){bytes, fb.len};
  mc_buf_free(&fb);
  return true;
}

/* submit's own rules, after its arguments: an applicant files online
 * (reception at the desk by default), then the e-form, then the limits. */
static bool submit_rules(req *r, job *j, eng_command *c) {
  eng_submit_args *a = &c->submit;
  bool applicant = !strcmp(c->actor.role, "applicant");
  if (a->channel == NULL)
    a->channel = applicant ? "online" : "desk";
  if (applicant && strcmp(a->channel, "online")) {
    srv_ws_fail(r, "forbidden", "channel", "submit: an applicant files online; the desk and the post are reception's");
    return false;
  }
  json_t *form = json_object_get(r->msg, "form");
  if (form == NULL) {
    srv_ws_fail(r, "bad_request", "form", "submit: \"form\" is missing: the procedure's e-form (GET /api/procedures/CODE)");
    return false;
  }
  if (!get_map(r, j, "form", form, &a->form))
    return false;
  json_t *block = json_object_get(r->msg, "applicant");
  if (block && !json_is_null(block) && !get_map(r, j, "applicant", block, &a->applicant))
    return false;
  return !applicant || submission_allowed(r, j, c);
}

/* The files a command brings were uploaded by its actor (or, an official,
 * by its agency) and admitted, within the limits (api/uploads.h). */
static bool documents_uploaded(req *r, const eng_command *c) {
  eng_documents docs = command_documents(c);
  json_t *err = NULL;
  if (docs.n == 0 || srv_uploads_check(r->s, &r->c->who, c->dossier, &docs, &err) == 0)
    return true;
  srv_metrics_count(&r->s->m, r->op, OUT_REFUSED);
  srv_ws_answer(r, json_pack("{s:b, s:o}", "ok", 0, "error", err));
  return false;
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
  if (!get_args(r, j, c) || (op_rules[kind] && !op_rules[kind](r, j, c)) || !documents_uploaded(r, c)) {
    srv_job_free(j);
    return;
  }
  srv_job_start(j);
}

/* ------------------------------------------------------------ reads */

static void op_subscribe(req *r) {
  static const char *const fields[] = {"scope", "after", "agency", "step", "dossier", "role", "state", "procedure",
                                       "assigned_to_me", "due_soon", "overdue", "waiting", "paused", NULL};
  const char *scope, *step, *dossier, *agency;
  int64_t after = 0;
  bool has_after;
  conn *c = r->c;
  const principal *p = &c->who;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) || !srv_ws_get_str(r, "scope", true, SUB_MAX_BYTES(scope), &scope) ||
      !srv_ws_get_int(r, "after", false, 0, INT64_MAX, &after, &has_after) || !srv_ws_get_str(r, "step", false, SUB_MAX_BYTES(step), &step) ||
      !srv_ws_get_str(r, "dossier", false, SUB_MAX_BYTES(dossier), &dossier) || !srv_ws_get_str(r, "agency", false, SUB_MAX_BYTES(agency), &agency))
    return;
  if (c->nsubs >= CONN_MAX_SUBS) {
    srv_ws_fail(r, "refused", NULL, "subscribe: at most %d subscriptions per connection", CONN_MAX_SUBS);
    return;
  }
  sub sb;
  memset(&sb, 0, sizeof sb);
  snprintf(sb.scope, sizeof sb.scope, "%s", scope);
  if (!strcmp(scope, "mine")) {
    if (!srv_principal_is_applicant(p)) {
      srv_ws_fail(r, "forbidden", "scope", "subscribe: \"mine\" is an applicant's own dossiers; an official subscribes to \"agency\"");
      return;
    }
    snprintf(sb.account, sizeof sb.account, "%s", p->acct.id);
  } else if (!strcmp(scope, "agency")) {
    if (!p->acct.agency[0] || srv_principal_is_applicant(p)) {
      srv_ws_fail(r, "forbidden", "scope", "subscribe: \"agency\" is an official's agency inbox");
      return;
    }
    if (agency && strcmp(agency, p->acct.agency) && !srv_principal_reads_all(p)) {
      srv_ws_fail(r, "forbidden", "agency", "subscribe: %s is an official of %s, not of %s", p->acct.id, p->acct.agency, agency);
      return;
    }
    snprintf(sb.agency, sizeof sb.agency, "%s", agency ? agency : p->acct.agency);
    snprintf(sb.step, sizeof sb.step, "%s", step ? step : "");
  } else if (!strcmp(scope, "dossier")) {
    eng_event_view v;
    if (dossier == NULL) {
      srv_ws_fail(r, "bad_request", "dossier", "subscribe: scope \"dossier\" names the dossier");
      return;
    }
    if (!srv_ws_readable(r, dossier, &v))
      return;
    snprintf(sb.dossier, sizeof sb.dossier, "%s", dossier);
  } else if (!strcmp(scope, "queue")) {
    /* Rows that enter, change or leave the queue, live from now: the client
     * reads the page (`queue`) after subscribing. */
    eng_queue_filter f;
    if (!srv_ws_queue_filter(r, &f))
      return;
    snprintf(sb.account, sizeof sb.account, "%s", f.applicant ? f.applicant : "");
    snprintf(sb.agency, sizeof sb.agency, "%s", f.agency ? f.agency : "");
    snprintf(sb.step, sizeof sb.step, "%s", f.step ? f.step : "");
    snprintf(sb.role, sizeof sb.role, "%s", f.role ? f.role : "");
    snprintf(sb.state, sizeof sb.state, "%s", f.state ? f.state : "");
    snprintf(sb.procedure, sizeof sb.procedure, "%s", f.procedure ? f.procedure : "");
    snprintf(sb.handler, sizeof sb.handler, "%s", f.handler ? f.handler : "");
    sb.due_soon = f.due_soon, sb.overdue = f.overdue, sb.waiting = f.waiting, sb.paused = f.paused;
    has_after = false; /* never a replay of the log */
  } else if (!strcmp(scope, "all")) {
    if (!srv_principal_reads_all(p)) {
      srv_ws_fail(r, "forbidden", "scope", "subscribe: \"all\" is for auditors");
      return;
    }
  } else {
    srv_ws_fail(r, "bad_request", "scope", "subscribe: the scope is mine, agency, dossier, queue or all, not \"%s\"", scope);
    return;
  }
  snprintf(sb.id, sizeof sb.id, "s%d", ++c->next_sub);
  sb.binary = r->binary;
  uint64_t head = r->s->pushed_seq;
  if (!has_after || (uint64_t)after > head)
    after = (int64_t)head;
  srv_metrics_count(&r->s->m, "subscribe", OUT_OK);
  srv_ws_reply(r, json_pack("{s:b, s:s, s:I}", "ok", 1, "subscription", sb.id, "head", (json_int_t)head));
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
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) || !srv_ws_get_str(r, "subscription", true, SUB_MAX_BYTES(id), &id))
    return;
  conn *c = r->c;
  for (int i = 0; i < c->nsubs; i++)
    if (!strcmp(c->subs[i]->id, id)) {
      srv_conn_sub_remove(c, i);
      srv_metrics_count(&r->s->m, "unsubscribe", OUT_OK);
      srv_ws_reply(r, json_pack("{s:b}", "ok", 1));
      return;
    }
  srv_ws_fail(r, "not_found", "subscription", "unsubscribe: no subscription %s on this connection", id);
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
    {"ping", srv_ws_op_ping, ENG_CMD_COUNT},
    {"hello", srv_ws_op_hello, ENG_CMD_COUNT},
    ENG_COMMANDS(WS_COMMAND_OP)
    {"agencies", srv_ws_op_agencies, ENG_CMD_COUNT},
    {"officials", srv_ws_op_officials, ENG_CMD_COUNT},
    {"user_add", srv_ws_op_user, ENG_CMD_COUNT},
    {"user_disable", srv_ws_op_user, ENG_CMD_COUNT},
    {"user_enable", srv_ws_op_user, ENG_CMD_COUNT},
    {"user_password", srv_ws_op_user, ENG_CMD_COUNT},
    {"user_roles", srv_ws_op_user, ENG_CMD_COUNT},
    {"get", srv_ws_op_get, ENG_CMD_COUNT},
    {"history", srv_ws_op_history, ENG_CMD_COUNT},
    {"process", srv_ws_op_process, ENG_CMD_COUNT},
    {"queue", srv_ws_op_queue, ENG_CMD_COUNT},
    {"search", srv_ws_op_search, ENG_CMD_COUNT},
    {"reads", srv_ws_op_reads, ENG_CMD_COUNT},
    {"file_link", srv_ws_op_file_link, ENG_CMD_COUNT},
    {"documents_on_file", srv_ws_op_documents_on_file, ENG_CMD_COUNT},
    {"subscribe", op_subscribe, ENG_CMD_COUNT},
    {"unsubscribe", op_unsubscribe, ENG_CMD_COUNT},
    {"change_password", srv_ws_op_change_password, ENG_CMD_COUNT},
    {"logout", srv_ws_op_logout, ENG_CMD_COUNT},
};
#undef WS_COMMAND_OP

static void message(conn *c, const void *data, size_t len, bool binary) {
  srv *s = c->s;
  char why[300];
  req r = {.c = c, .s = s, .binary = binary, .op = "message"};
  json_t *msg = srv_wire_decode(data, len, binary, why, sizeof why);
  if (msg == NULL) {
    s->m.bad_frames_total++;
    srv_ws_fail(&r, "bad_request", NULL, "%s", why);
    return;
  }
  r.msg = msg;
  json_t *id = json_object_get(msg, "id");
  if (id == NULL || !(json_is_string(id) || json_is_integer(id)) ||
      (json_is_string(id) && (json_string_length(id) == 0 || json_string_length(id) > WS_MAX_ID_BYTES))) {
    srv_ws_fail(&r, "bad_request", "id", "every request has an \"id\" (a text of 1 to %d bytes) to match its reply",
         WS_MAX_ID_BYTES);
    json_decref(msg);
    return;
  }
  r.id = id;
  const char *op = json_string_value(json_object_get(msg, "op"));
  if (op == NULL) {
    srv_ws_fail(&r, "bad_request", "op", "the request has no \"op\" (an operation: submit, act, subscribe, ...)");
    json_decref(msg);
    return;
  }
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(ops[i].name, op)) {
      r.op = ops[i].name;
      if (s->stopping && strcmp(op, "ping"))
        srv_ws_fail(&r, "unavailable", NULL, "%s: the server is stopping; reconnect in a moment and retry with the same command_id", op);
      else if (ops[i].fn)
        ops[i].fn(&r);
      else
        op_command(&r, ops[i].kind);
      json_decref(msg);
      return;
    }
  r.op = "unknown";
  srv_ws_fail(&r, "bad_request", "op", "unknown operation \"%.40s\" (docs/PROTOCOL.md lists them)", op);
  json_decref(msg);
}

const srv_front srv_front_ws = {
    .name = "ws",
    .message = message,
};
