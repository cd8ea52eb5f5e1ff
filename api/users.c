/* users.c — see users.h. */
#include "api/users.h"

#include "api/pushes.h"
#include "api/runtime.h"
#include "base/error.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A job's front: the owner it was made with is its first member. */
static const srv_user_front *front_of(job *j) { return (const srv_user_front *)j->holds; }

static void reply(job *j, json_t *body) { front_of(j)->reply(j, body); }

static void reply_error(job *j, json_t *error) { reply(j, json_pack("{s:b, s:o}", "ok", 0, "error", error)); }

/* A refusal of the request itself: answered, and the job dropped. */
static void fail(job *j, const char *code, const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail(job *j, const char *code, const char *field, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  reply_error(j, srv_error(code, msg, field));
  srv_job_free(j);
}

static json_t *result_error(job *j, const eng_result *r) {
  return srv_error_of_result(r, front_of(j)->prefixed ? j->op : NULL);
}

/* A job of the operation, holding who asked, with the front's data. */
static job *user_job(srv *s, const srv_user_front *f, void *owner, const char *op, json_t *data) {
  job *j = srv_job_new(s, &f->owner, owner, op);
  if (j)
    j->data = data ? json_deep_copy(data) : json_object();
  return j;
}

/* A command of the job, by `actor` (its strings copied into the job). */
static eng_command *command_by(job *j, const eng_actor *actor) {
  eng_command *c = srv_job_command(j);
  if (c)
    c->actor = (eng_actor){srv_job_strdup(j, actor->who), srv_job_strdup(j, actor->role),
                           srv_job_strdup(j, actor->agency), srv_job_strdup(j, actor->client)};
  return c;
}

/* The id of a command that is done each time it is asked (disable, enable,
 * roles): the op, the account, the instant and a count, since two requests
 * may come in the same millisecond and the second must not be taken for a
 * retry of the first. */
static const char *each_time_id(job *j, const char *account) {
  static unsigned long long count; /* on the loop only */
  char cid[200];
  snprintf(cid, sizeof cid, "sys/%s/%s/%lld/%llu", j->op, account, (long long)srv_now(j->s), ++count);
  return srv_job_strdup(j, cid);
}

/* A text field (named as the command table names an argument: its wire):
 * NULL when absent or null; false (answered) when it is something else. */
static bool text_field(job *j, json_t *req, const char *wire, const char **out) {
  json_t *v = json_object_get(req, wire);
  *out = json_string_value(v);
  if (v == NULL || json_is_null(v) || json_is_string(v))
    return true;
  fail(j, "bad_request", wire, "%s: \"%s\" is a text", j->op, wire);
  return false;
}

#define ACCOUNT_ARG(member) (ENG_ARG(account, member)->wire)

/* The account the request names ("account"), or NULL (answered). */
static const char *account_of(job *j, json_t *req) {
  const char *account;
  if (!text_field(j, req, ACCOUNT_ARG(id), &account))
    return NULL;
  if (account == NULL || account[0] == '\0')
    fail(j, "bad_request", "account", "%s: \"account\" is required", j->op);
  return account && account[0] ? account : NULL;
}

/* "roles": 1 to ENG_MAX_ROLES texts, kept in the job; NULL (answered) otherwise. */
static const char **roles_of(job *j, json_t *req, int *n) {
  json_t *roles = json_object_get(req, ACCOUNT_ARG(roles));
  size_t most = (size_t)ENG_ARG(account, roles)->hi;
  bool ok = json_is_array(roles) && json_array_size(roles) > 0 && json_array_size(roles) <= most;
  const char **list = ok ? mc_arena_calloc(&j->arena, json_array_size(roles), sizeof *list) : NULL;
  size_t i;
  json_t *v;
  json_array_foreach(roles, i, v) {
    if (!ok || !json_is_string(v)) {
      ok = false;
      break;
    }
    list[i] = srv_job_strdup(j, json_string_value(v));
  }
  if (!ok) {
    fail(j, "bad_request", "roles", "%s: \"roles\" is a list of 1 to %zu roles", j->op, most);
    return NULL;
  }
  *n = (int)json_array_size(roles);
  return list;
}

/* ------------------------------------------------------------ one-time passwords */

/* A job that gives `account` a one-time password: made here, hashed in the pool. */
static void otp_work(job *j) {
  char hash[ACC_HASH_LEN];
  const char *otp = json_string_value(json_object_get(j->data, "otp"));
  if ((j->status = acc_password_hash(otp, hash)) == 0)
    json_object_set_new(j->data, "hash", json_string(hash));
}

static void with_one_time_password(job *j, const char *account) {
  char otp[17];
  acc_one_time_password(otp);
  json_object_set_new(j->data, "otp", json_string(otp));
  json_object_set_new(j->data, "account", json_string(account));
  sodium_memzero(otp, sizeof otp);
  j->work = otp_work;
}

/* The reply that hands the password over: only to the one who asked. */
static json_t *password_reply(job *j) {
  return json_pack("{s:b, s:s, s:O}", "ok", 1, "account", json_string_value(json_object_get(j->data, "account")),
                   "one_time_password", json_object_get(j->data, "otp"));
}

/* The job's copy of the password is not kept a moment longer. */
static void forget_password(job *j) {
  json_t *otp = json_object_get(j->data, "otp");
  if (otp)
    sodium_memzero((void *)json_string_value(otp), json_string_length(otp));
}

/* ------------------------------------------------------------ user_add */

/* In the pool, before the account is committed: its one-time password,
 * stored and flushed first, so that a kill in between never leaves an
 * account without one (a password without its account is harmless, and
 * replaced by the next attempt).  An account that exists keeps its own. */
static void user_add_work(job *j) {
  const char *account = json_string_value(json_object_get(j->data, "account"));
  eng_account_view a;
  if (eng_account_get(j->s->e, account, &a) == 0) {
    j->status = MC_ECONFLICT;
    return;
  }
  otp_work(j);
  store *st = eng_store(j->s->e);
  if (j->status == 0 && (j->status = acc_credentials_put(st, account, json_string_value(json_object_get(j->data, "hash")),
                                                         true)) == 0)
    j->status = store_aux_sync(st);
  mc_crash_point("user_add");
}

static void user_add_finish(job *j) {
  const eng_result *r = &j->results[0];
  int rc = r->status ? r->status : j->status;
  if ((rc == 0 && r->repeated) || j->status == MC_ECONFLICT)
    /* The same request again: the account exists; its password stays. */
    reply_error(j, srv_error("conflict",
                             "the account exists already: user_password (`motcua user password`) gives it a new "
                             "one-time password",
                             "account"));
  else if (rc == 0)
    reply(j, password_reply(j));
  else
    reply_error(j, r->status ? result_error(j, r) : srv_error("unavailable", mc_strerror(rc), NULL));
  forget_password(j);
  srv_job_free(j);
}

static void user_add(job *j, json_t *req, const eng_actor *actor) {
  const char *account, *name, *kind, *agency, *email, *phone;
  if (!text_field(j, req, ACCOUNT_ARG(id), &account) || !text_field(j, req, ACCOUNT_ARG(name), &name) ||
      !text_field(j, req, ACCOUNT_ARG(kind), &kind) || !text_field(j, req, ACCOUNT_ARG(agency), &agency) ||
      !text_field(j, req, ACCOUNT_ARG(email), &email) || !text_field(j, req, ACCOUNT_ARG(phone), &phone))
    return;
  if (account == NULL || name == NULL) {
    fail(j, "bad_request", account ? "name" : "account", "user_add: \"account\" and \"name\" are required");
    return;
  }
  int nroles;
  const char **roles = roles_of(j, req, &nroles);
  if (roles == NULL)
    return;
  bool applicant = nroles == 1 && !strcmp(roles[0], "applicant");
  eng_command *c = command_by(j, actor);
  char cid[128];
  snprintf(cid, sizeof cid, "sys/user_add/%s", account);
  eng_account_args *arg = &c->account;
  c->kind = ENG_CMD_ACCOUNT;
  c->command_id = srv_job_strdup(j, cid);
  arg->op = applicant ? "register" : "create";
  arg->id = srv_job_strdup(j, account);
  arg->kind = srv_job_strdup(j, kind ? kind : applicant ? "person" : NULL);
  arg->name = srv_job_strdup(j, name);
  arg->agency = srv_job_strdup(j, agency);
  arg->email = srv_job_strdup(j, email);
  arg->phone = srv_job_strdup(j, phone);
  arg->roles = applicant ? (eng_texts){NULL, 0} : (eng_texts){roles, nroles};
  /* An applicant registered at the desk by a system administrator, as the
   * server registers a verified one (anyone else is refused by the engine). */
  if (applicant && actor->role && !strcmp(actor->role, "system_admin"))
    c->actor.role = "system";
  with_one_time_password(j, account);
  j->work = user_add_work;
  j->finish = user_add_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ user_disable, user_enable */

typedef struct codes {
  char (*list)[64];
  int n, cap;
} codes;

static int collect_code(void *opaque, const char *code) {
  codes *c = opaque;
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 16;
    void *p = realloc(c->list, (size_t)cap * sizeof *c->list);
    if (p == NULL)
      return MC_ENOMEM;
    c->list = p;
    c->cap = cap;
  }
  snprintf(c->list[c->n++], 64, "%s", code);
  return 0;
}

static void reassign_finish(job *j) {
  int ok = 0;
  json_t *failed = json_array();
  for (int i = 0; i < j->ncmds; i++) {
    if (j->results[i].status == 0)
      ok++;
    else
      json_array_append_new(failed, json_pack("{s:s, s:s}", "dossier", j->cmds[i].dossier, "error", j->results[i].message));
  }
  reply(j, json_pack("{s:b, s:s, s:i, s:O, s:o}", "ok", 1, "account",
                     json_string_value(json_object_get(j->data, "account")), "reassigned", ok, "sessions_revoked",
                     json_object_get(j->data, "revoked"), "not_reassigned", failed));
  srv_job_free(j);
}

/* In the pool, once the account is disabled in the log: its sessions, flushed. */
static void disable_after(job *j) {
  int n = 0;
  store *st = eng_store(j->s->e);
  if (j->results[0].status == 0 && acc_sessions_revoke_account(st, json_string_value(json_object_get(j->data, "account")), &n) == 0)
    store_aux_sync(st);
  json_object_set_new(j->data, "revoked", json_integer(n));
}

/* The official's open work goes to `to`, in one job of the same request,
 * by the same actor, which answers it. */
static void reassign(job *j, const char *account, const char *to) {
  srv *s = j->s;
  codes list = {0};
  job *k = user_job(s, front_of(j), j->owner, j->op, j->data);
  int rc = k ? eng_dossiers_handled_by(s->e, account, collect_code, &list) : MC_ENOMEM;
  if (rc) {
    reply_error(j, srv_error("unavailable", "the account is disabled, but its open dossiers could not be read: "
                                            "reassign them with assign", NULL));
    free(list.list);
    srv_job_free(k);
    return;
  }
  for (int i = 0; i < list.n; i++) {
    eng_command *c = command_by(k, &j->cmds[0].actor);
    char cid[200];
    snprintf(cid, sizeof cid, "sys/reassign/%s/%s/%llu", account, list.list[i], (unsigned long long)j->results[0].first_seq);
    c->kind = ENG_CMD_ASSIGN;
    c->command_id = srv_job_strdup(k, cid);
    c->dossier = srv_job_strdup(k, list.list[i]);
    c->assign.handler = srv_job_strdup(k, to);
    /* The co-handlers stay (but the new main handler is not their own co-handler). */
    eng_dossier_view v;
    if (eng_dossier_get(s->e, list.list[i], &v) == 0 && v.nco_handlers) {
      const char **co = mc_arena_calloc(&k->arena, (size_t)v.nco_handlers, sizeof *co);
      int nco = 0;
      for (int m = 0; m < v.nco_handlers; m++)
        if (strcmp(v.co_handlers[m], to))
          co[nco++] = srv_job_strdup(k, v.co_handlers[m]);
      c->assign.co_handlers = (eng_texts){co, nco};
    }
  }
  free(list.list);
  k->finish = reassign_finish;
  srv_job_start(k);
}

static void state_finish(job *j) {
  const char *account = json_string_value(json_object_get(j->data, "account"));
  const char *to = json_string_value(json_object_get(j->data, "reassign_to"));
  const eng_result *r = &j->results[0];
  if (r->status) {
    reply_error(j, result_error(j, r));
    srv_job_free(j);
    return;
  }
  bool disabling = !strcmp(j->cmds[0].account.op, "disable");
  if (disabling)
    srv_revoke_account(j->s, account, "the account was disabled");
  if (disabling && to)
    reassign(j, account, to);
  else
    reply(j, json_pack("{s:b, s:s, s:I}", "ok", 1, "account", account, "sessions_revoked",
                       json_integer_value(json_object_get(j->data, "revoked"))));
  srv_job_free(j);
}

static void user_state(job *j, json_t *req, const eng_actor *actor, bool disable) {
  const char *account = account_of(j, req), *to = NULL;
  if (account == NULL || (disable && !text_field(j, req, "reassign_to", &to)))
    return;
  json_object_set_new(j->data, "account", json_string(account));
  if (to)
    json_object_set_new(j->data, "reassign_to", json_string(to));
  eng_command *c = command_by(j, actor);
  c->kind = ENG_CMD_ACCOUNT;
  c->command_id = each_time_id(j, account);
  c->account.op = disable ? "disable" : "enable";
  c->account.id = srv_job_strdup(j, account);
  if (disable)
    j->after = disable_after;
  j->finish = state_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ user_password */

/* In the pool: the sessions end, then the new password is stored; its flush
 * makes both durable. */
static void password_after(job *j) {
  const char *account = json_string_value(json_object_get(j->data, "account"));
  store *st = eng_store(j->s->e);
  if (j->status == 0 && (j->status = acc_sessions_revoke_account(st, account, NULL)) == 0)
    j->status = acc_credentials_put(st, account, json_string_value(json_object_get(j->data, "hash")), true);
}

static void password_finish(job *j) {
  const char *account = json_string_value(json_object_get(j->data, "account"));
  if (j->status == 0) {
    srv_revoke_account(j->s, account, "a new one-time password was set");
    reply(j, password_reply(j));
  } else {
    reply_error(j, srv_error("unavailable", mc_strerror(j->status), NULL));
  }
  forget_password(j);
  srv_job_free(j);
}

/* Not a command of the log (passwords are not in it): who may is the
 * engine's rule of managing the account, checked here with its account as
 * it stands. */
static void user_password(job *j, json_t *req, const eng_actor *actor) {
  const char *account = account_of(j, req);
  eng_account_view v;
  eng_result r = {0};
  if (account == NULL)
    return;
  if (eng_account_get(j->s->e, account, &v) != 0) {
    fail(j, "not_found", "account", "%s: there is no account %s", j->op, account);
    return;
  }
  if ((r.status = eng_account_may_manage(actor, &v, "give a new one-time password to", "cấp mật khẩu dùng một lần mới cho",
                                         &r)) != 0) {
    reply_error(j, result_error(j, &r));
    srv_job_free(j);
    return;
  }
  with_one_time_password(j, account);
  j->after = password_after;
  j->finish = password_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ user_roles */

static void roles_finish(job *j) {
  const eng_result *r = &j->results[0];
  if (r->status) {
    reply_error(j, result_error(j, r));
  } else {
    json_t *roles = json_array();
    for (int i = 0; i < j->cmds[0].account.roles.n; i++)
      json_array_append_new(roles, json_string(j->cmds[0].account.roles.list[i]));
    reply(j, json_pack("{s:b, s:s, s:o}", "ok", 1, "account", j->cmds[0].account.id, "roles", roles));
  }
  srv_job_free(j);
}

/* The open sockets of the account take the new roles as the event is
 * pushed (api/pushes.c). */
static void user_roles(job *j, json_t *req, const eng_actor *actor) {
  const char *account = account_of(j, req);
  int nroles;
  const char **roles = account ? roles_of(j, req, &nroles) : NULL;
  if (roles == NULL)
    return;
  eng_command *c = command_by(j, actor);
  c->kind = ENG_CMD_ACCOUNT;
  c->command_id = each_time_id(j, account);
  c->account.op = "roles";
  c->account.id = srv_job_strdup(j, account);
  c->account.roles = (eng_texts){roles, nroles};
  j->finish = roles_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ dispatch */

static const struct {
  const char *op, *fields;
} user_ops[] = {
    {"user_add", "account,name,roles,kind,agency,email,phone"},
    {"user_disable", "account,reassign_to"},
    {"user_enable", "account"},
    {"user_password", "account"},
    {"user_roles", "account,roles"},
};

const char *srv_user_fields(const char *op) {
  for (size_t i = 0; op && i < sizeof user_ops / sizeof user_ops[0]; i++)
    if (!strcmp(user_ops[i].op, op))
      return user_ops[i].fields;
  return NULL;
}

void srv_user_op(const srv_user_req *q) {
  job *j = user_job(q->s, q->front, q->owner, q->op, q->data);
  if (j == NULL)
    return;
  if (!strcmp(q->op, "user_add"))
    user_add(j, q->request, &q->actor);
  else if (!strcmp(q->op, "user_disable") || !strcmp(q->op, "user_enable"))
    user_state(j, q->request, &q->actor, !strcmp(q->op, "user_disable"));
  else if (!strcmp(q->op, "user_password"))
    user_password(j, q->request, &q->actor);
  else if (!strcmp(q->op, "user_roles"))
    user_roles(j, q->request, &q->actor);
  else
    fail(j, "bad_request", "op", "%s: not an operation on accounts", q->op);
}
