/* admin.c — the admin socket (docs/PROTOCOL.md "The admin socket"): a Unix
 * socket, mode 0600, owned by the service user, through which the command
 * line's writing commands reach the running server (ARCHITECTURE.md: one
 * process writes).  One JSON request per line, one JSON reply per line.
 * Its peer could read the data directory anyway: it acts as system_admin,
 * recorded as the actor "admin-socket". */
#include "api/pushes.h"
#include "api/runtime.h"
#include "api/wire.h"

#include "base/error.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ADMIN_MAX_LINE (8u << 20) /* a compiled definition in base64 fits */

typedef struct admin_client {
  uv_pipe_t pipe;
  struct admin_client *next, *prev; /* the open ones, closed when the server stops */
  srv *s;
  mc_buf rx;
  int jobs;
  bool closed;
} admin_client;

static admin_client *clients; /* one server per process */

static const eng_actor admin_actor = {"admin-socket", "system_admin", NULL, "motcua admin socket"};

static void client_free(uv_handle_t *h) {
  admin_client *a = h->data;
  if (a->prev)
    a->prev->next = a->next;
  else if (clients == a)
    clients = a->next;
  if (a->next)
    a->next->prev = a->prev;
  a->next = a->prev = NULL;
  if (a->jobs > 0) {
    a->closed = true;
    return;
  }
  mc_buf_free(&a->rx);
  free(a);
}

static void client_close(admin_client *a) {
  if (!uv_is_closing((uv_handle_t *)&a->pipe))
    uv_close((uv_handle_t *)&a->pipe, client_free);
}

typedef struct wreq {
  uv_write_t w;
  char *text;
} wreq;

static void written(uv_write_t *w, int status) {
  wreq *r = (wreq *)w;
  (void)status;
  free(r->text);
  free(r);
}

static void send_line(admin_client *a, json_t *msg) {
  char *text = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  if (text == NULL || a->closed || uv_is_closing((uv_handle_t *)&a->pipe)) {
    free(text);
    return;
  }
  size_t n = strlen(text);
  char *line = realloc(text, n + 2);
  if (line == NULL) {
    free(text);
    return;
  }
  line[n] = '\n';
  line[n + 1] = '\0';
  wreq *r = calloc(1, sizeof *r);
  if (r == NULL) {
    free(line);
    return;
  }
  r->text = line;
  uv_buf_t b = uv_buf_init(line, (unsigned)(n + 1));
  if (uv_write(&r->w, (uv_stream_t *)&a->pipe, &b, 1, written) != 0) {
    free(line);
    free(r);
  }
}

static void send_error(admin_client *a, json_t *id, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void send_error(admin_client *a, json_t *id, const char *code, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  send_line(a, json_pack("{s:O, s:b, s:o}", "id", id ? id : json_null(), "ok", 0, "error", srv_error(code, msg, NULL)));
}

/* A job's end: the client may have gone; it is freed once its last job ends. */
static admin_client *job_client(job *j) {
  admin_client *a = j->owner;
  if (a) {
    a->jobs--;
    if (a->closed) {
      if (a->jobs == 0) {
        mc_buf_free(&a->rx);
        free(a);
      }
      return NULL;
    }
  }
  return a;
}

static job *admin_job(admin_client *a, const char *op, json_t *id) {
  job *j = srv_job_new(a->s, NULL, a, op);
  if (j == NULL)
    return NULL;
  a->jobs++;
  j->data = json_pack("{s:O}", "id", id ? id : json_null());
  return j;
}

static json_t *result_error(const eng_result *r) {
  const char *code = srv_error_code(eng_result_kind(r), NULL, NULL);
  json_t *error = srv_error(code, r->message[0] ? r->message : mc_strerror(r->status), NULL);
  srv_error_refusal(error, r);
  return error;
}

/* ------------------------------------------------------------ users */

/* A job that gives `account` a one-time password: made here, hashed in the pool. */
static void otp_work(job *j);
static void with_one_time_password(job *j, const char *account) {
  char otp[17];
  acc_one_time_password(otp);
  json_object_set_new(j->data, "otp", json_string(otp));
  json_object_set_new(j->data, "account", json_string(account));
  sodium_memzero(otp, sizeof otp);
  j->work = otp_work;
}

static void otp_work(job *j) {
  char hash[ACC_HASH_LEN];
  const char *otp = json_string_value(json_object_get(j->data, "otp"));
  if ((j->status = acc_password_hash(otp, hash)) == 0)
    json_object_set_new(j->data, "hash", json_string(hash));
}

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
  admin_client *a = job_client(j);
  json_t *id = json_object_get(j->data, "id");
  const char *account = json_string_value(json_object_get(j->data, "account"));
  const eng_result *r = &j->results[0];
  int rc = r->status ? r->status : j->status;
  if ((rc == 0 && r->repeated) || j->status == MC_ECONFLICT) {
    /* The same request again: the account exists; its password stays. */
    if (a)
      send_line(a, json_pack("{s:O, s:b, s:o}", "id", id, "ok", 0, "error",
                             srv_error("conflict", "the account exists already: `motcua user password` gives a new one-time password", NULL)));
    srv_job_free(j);
    return;
  }
  if (a) {
    if (rc == 0)
      send_line(a, json_pack("{s:O, s:b, s:s, s:O}", "id", id, "ok", 1, "account", account, "one_time_password",
                             json_object_get(j->data, "otp")));
    else
      send_line(a, json_pack("{s:O, s:b, s:o}", "id", id, "ok", 0, "error",
                             r->status ? result_error(r) : srv_error("unavailable", mc_strerror(rc), NULL)));
  }
  json_t *otp = json_object_get(j->data, "otp");
  if (otp)
    sodium_memzero((void *)json_string_value(otp), json_string_length(otp));
  srv_job_free(j);
}

/* A text of the request, by the name the command table gives an argument. */
static const char *arg_str(json_t *req, const eng_arg *arg) {
  return json_string_value(json_object_get(req, arg->wire));
}

static const char **roles_of(job *j, json_t *roles, int *n) {
  *n = 0;
  size_t most = (size_t)ENG_ARG(account, roles)->hi;
  if (!json_is_array(roles) || json_array_size(roles) == 0 || json_array_size(roles) > most)
    return NULL;
  const char **list = mc_arena_calloc(&j->arena, json_array_size(roles), sizeof *list);
  size_t i;
  json_t *v;
  json_array_foreach(roles, i, v) {
    if (!json_is_string(v))
      return NULL;
    list[i] = srv_job_strdup(j, json_string_value(v));
  }
  *n = (int)json_array_size(roles);
  return list;
}

static void user_add(admin_client *a, json_t *req, json_t *id) {
  const char *account = arg_str(req, ENG_ARG(account, id));
  const char *name = arg_str(req, ENG_ARG(account, name));
  if (account == NULL || name == NULL) {
    send_error(a, id, "bad_request", "user_add: \"account\" and \"name\" are required");
    return;
  }
  job *j = admin_job(a, "user_add", id);
  if (j == NULL)
    return;
  int nroles;
  const char **roles = roles_of(j, json_object_get(req, ENG_ARG(account, roles)->wire), &nroles);
  if (roles == NULL) {
    send_error(a, id, "bad_request", "user_add: \"roles\" is a list of 1 to %lld roles",
               (long long)ENG_ARG(account, roles)->hi);
    job_client(j);
    srv_job_free(j);
    return;
  }
  bool applicant = nroles == 1 && !strcmp(roles[0], "applicant");
  eng_command *c = srv_job_command(j);
  char cid[128];
  snprintf(cid, sizeof cid, "sys/user_add/%s", account);
  eng_account_args *arg = &c->account;
  c->kind = ENG_CMD_ACCOUNT;
  c->command_id = srv_job_strdup(j, cid);
  arg->op = applicant ? "register" : "create";
  arg->id = srv_job_strdup(j, account);
  arg->kind = srv_job_strdup(j, arg_str(req, ENG_ARG(account, kind)));
  if (applicant && arg->kind == NULL)
    arg->kind = "person";
  arg->name = srv_job_strdup(j, name);
  arg->agency = srv_job_strdup(j, arg_str(req, ENG_ARG(account, agency)));
  arg->email = srv_job_strdup(j, arg_str(req, ENG_ARG(account, email)));
  arg->phone = srv_job_strdup(j, arg_str(req, ENG_ARG(account, phone)));
  arg->roles = applicant ? (eng_texts){NULL, 0} : (eng_texts){roles, nroles};
  c->actor = admin_actor;
  if (applicant)
    c->actor.role = "system"; /* an applicant registered at the desk, as the server registers a verified one */
  with_one_time_password(j, account);
  j->work = user_add_work;
  j->finish = user_add_finish;
  srv_job_start(j);
}

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
  admin_client *a = job_client(j);
  int ok = 0;
  json_t *failed = json_array();
  for (int i = 0; i < j->ncmds; i++) {
    if (j->results[i].status == 0)
      ok++;
    else
      json_array_append_new(failed, json_pack("{s:s, s:s}", "dossier", j->cmds[i].dossier, "error", j->results[i].message));
  }
  if (a)
    send_line(a, json_pack("{s:O, s:b, s:s, s:i, s:O, s:o}", "id", json_object_get(j->data, "id"), "ok", 1, "account",
                           json_string_value(json_object_get(j->data, "account")), "reassigned", ok, "sessions_revoked",
                           json_object_get(j->data, "revoked"), "not_reassigned", failed));
  else
    json_decref(failed);
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

static void disable_finish(job *j) {
  admin_client *a = job_client(j);
  srv *s = j->s;
  json_t *id = json_object_get(j->data, "id");
  const char *account = json_string_value(json_object_get(j->data, "account"));
  const char *to = json_string_value(json_object_get(j->data, "reassign_to"));
  const eng_result *r = &j->results[0];
  if (r->status) {
    if (a)
      send_line(a, json_pack("{s:O, s:b, s:o}", "id", id, "ok", 0, "error", result_error(r)));
    srv_job_free(j);
    return;
  }
  bool disabling = !strcmp(j->op, "user_disable");
  int revoked = (int)json_integer_value(json_object_get(j->data, "revoked"));
  if (disabling)
    srv_revoke_account(s, account, "the account was disabled");
  if (!disabling || to == NULL || a == NULL) {
    if (a)
      send_line(a, json_pack("{s:O, s:b, s:s, s:i}", "id", id, "ok", 1, "account", account, "sessions_revoked", revoked));
    srv_job_free(j);
    return;
  }
  /* The official's open work goes to `to`, in one job. */
  codes list = {0};
  eng_dossiers_handled_by(s->e, account, collect_code, &list);
  job *k = admin_job(a, "user_reassign", id);
  if (k == NULL) {
    free(list.list);
    srv_job_free(j);
    return;
  }
  json_object_set_new(k->data, "account", json_string(account));
  json_object_set_new(k->data, "revoked", json_integer(revoked));
  for (int i = 0; i < list.n; i++) {
    eng_command *c = srv_job_command(k);
    char cid[200];
    snprintf(cid, sizeof cid, "sys/reassign/%s/%s/%llu", account, list.list[i], (unsigned long long)r->first_seq);
    c->kind = ENG_CMD_ASSIGN;
    c->command_id = srv_job_strdup(k, cid);
    c->dossier = srv_job_strdup(k, list.list[i]);
    c->assign.handler = srv_job_strdup(k, to);
    c->actor = admin_actor;
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
  srv_job_free(j);
  srv_job_start(k);
}

static void user_state(admin_client *a, json_t *req, json_t *id, const char *op) {
  const char *account = arg_str(req, ENG_ARG(account, id));
  const char *to = json_string_value(json_object_get(req, "reassign_to"));
  if (account == NULL) {
    send_error(a, id, "bad_request", "%s: \"account\" is required", op);
    return;
  }
  job *j = admin_job(a, op, id);
  if (j == NULL)
    return;
  json_object_set_new(j->data, "account", json_string(account));
  if (to)
    json_object_set_new(j->data, "reassign_to", json_string(to));
  eng_command *c = srv_job_command(j);
  char cid[160];
  snprintf(cid, sizeof cid, "sys/%s/%s/%lld", op, account, (long long)srv_now(a->s));
  c->kind = ENG_CMD_ACCOUNT;
  c->command_id = srv_job_strdup(j, cid);
  c->account.op = !strcmp(op, "user_disable") ? "disable" : "enable";
  c->account.id = srv_job_strdup(j, account);
  c->actor = admin_actor;
  if (!strcmp(op, "user_disable"))
    j->after = disable_after;
  j->finish = disable_finish;
  srv_job_start(j);
}

/* In the pool: the sessions end, then the new password is stored; its flush
 * makes both durable. */
static void password_after(job *j) {
  const char *account = json_string_value(json_object_get(j->data, "account"));
  store *st = eng_store(j->s->e);
  if (j->status == 0 && (j->status = acc_sessions_revoke_account(st, account, NULL)) == 0)
    j->status = acc_credentials_put(st, account, json_string_value(json_object_get(j->data, "hash")), true);
}

static void password_finish(job *j) {
  admin_client *a = job_client(j);
  const char *account = json_string_value(json_object_get(j->data, "account"));
  int rc = j->status;
  if (rc == 0)
    srv_revoke_account(j->s, account, "a new one-time password was set");
  if (a) {
    if (rc == 0)
      send_line(a, json_pack("{s:O, s:b, s:s, s:O}", "id", json_object_get(j->data, "id"), "ok", 1, "account", account,
                             "one_time_password", json_object_get(j->data, "otp")));
    else
      send_error(a, json_object_get(j->data, "id"), "unavailable", "user_password: %s", mc_strerror(rc));
  }
  srv_job_free(j);
}

static void user_password(admin_client *a, json_t *req, json_t *id) {
  const char *account = arg_str(req, ENG_ARG(account, id));
  eng_account_view v;
  if (account == NULL || eng_account_get(a->s->e, account, &v) != 0) {
    send_error(a, id, "not_found", "user_password: there is no account %s", account ? account : "(none given)");
    return;
  }
  job *j = admin_job(a, "user_password", id);
  if (j == NULL)
    return;
  with_one_time_password(j, account);
  j->after = password_after;
  j->finish = password_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ publish */

static void publish_finish(job *j) {
  admin_client *a = job_client(j);
  json_t *results = json_array();
  bool ok = true;
  for (int i = 0; i < j->ncmds; i++) {
    const eng_result *r = &j->results[i];
    ok &= r->status == 0;
    json_array_append_new(results, r->status ? json_pack("{s:b, s:o}", "ok", 0, "error", result_error(r))
                                             : json_pack("{s:b, s:b, s:I}", "ok", 1, "repeated", r->repeated, "seq",
                                                         (json_int_t)(r->count ? r->first_seq : 0)));
  }
  if (a)
    send_line(a, json_pack("{s:O, s:b, s:o}", "id", json_object_get(j->data, "id"), "ok", ok, "results", results));
  else
    json_decref(results);
  srv_job_free(j);
}

/* {"op": "publish", "items": [{"kind", "bytes_b64", "effective_from"} or
 * {"op": "retire", "kind", "def_id", "effective_from"}]}: one job, in order. */
static void publish(admin_client *a, json_t *req, json_t *id) {
  json_t *items = json_object_get(req, "items");
  if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > 512) {
    send_error(a, id, "bad_request", "publish: \"items\" is a list of 1 to 512 definitions");
    return;
  }
  job *j = admin_job(a, "publish", id);
  if (j == NULL)
    return;
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *kind = arg_str(it, ENG_ARG(publish, def_kind));
    const char *b64 = arg_str(it, ENG_ARG(publish, bytes));
    const char *retire = arg_str(it, ENG_ARG(retire, id));
    const char *cid = json_string_value(json_object_get(it, "command_id"));
    json_t *from = json_object_get(it, ENG_ARG(publish, effective_from)->wire);
    int k = -1;
    for (int d = 0; d <= ENG_DEF_TEMPLATE && kind; d++)
      if (!strcmp(kind, eng_def_kind_name((eng_def_kind)d)))
        k = d;
    if (k < 0 || (!b64 && !retire) || !json_is_integer(from)) {
      send_error(a, id, "bad_request",
                 "publish: items[%zu] is {kind: procedure|policy|directory|calendar|template, bytes_b64 | retire: id, "
                 "effective_from: ms}",
                 i);
      job_client(j);
      srv_job_free(j);
      return;
    }
    eng_command *c = srv_job_command(j);
    c->actor = admin_actor;
    c->command_id = srv_job_strdup(j, cid);
    if (retire) {
      c->kind = ENG_CMD_RETIRE;
      c->retire = (eng_retire_args){.def_kind = (eng_def_kind)k, .id = srv_job_strdup(j, retire),
                                    .effective_from = json_integer_value(from)};
      continue;
    }
    c->kind = ENG_CMD_PUBLISH;
    c->publish.def_kind = (eng_def_kind)k;
    c->publish.effective_from = json_integer_value(from);
    size_t cap = strlen(b64), n = 0;
    uint8_t *bytes = mc_arena_alloc(&j->arena, cap ? cap : 1);
    if (sodium_base642bin(bytes, cap, b64, strlen(b64), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
      send_error(a, id, "bad_request", "publish: items[%zu].bytes_b64 is not base64", i);
      job_client(j);
      srv_job_free(j);
      return;
    }
    c->publish.bytes = (eng_bytes){bytes, n};
  }
  j->finish = publish_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ dispatch */

static void op_user_add(admin_client *a, json_t *req, json_t *id, const char *op) {
  (void)op;
  user_add(a, req, id);
}

static void op_user_password(admin_client *a, json_t *req, json_t *id, const char *op) {
  (void)op;
  user_password(a, req, id);
}

static void op_publish(admin_client *a, json_t *req, json_t *id, const char *op) {
  (void)op;
  publish(a, req, id);
}

static void op_status(admin_client *a, json_t *req, json_t *id, const char *op) {
  (void)req, (void)op;
  send_line(a, json_pack("{s:O, s:b, s:I, s:i, s:i}", "id", id ? id : json_null(), "ok", 1, "seq",
                         (json_int_t)a->s->pushed_seq, "connections", a->s->nconns, "jobs_in_flight",
                         a->s->jobs_in_flight));
}

/* The operations of docs/PROTOCOL.md "The admin socket", each with the
 * fields it takes besides op and id: any other is refused, naming it (a
 * typo — "emial" — must not make an official without an e-mail). */
typedef struct admin_op {
  const char *name;
  const char *fields; /* comma-separated */
  void (*run)(admin_client *a, json_t *req, json_t *id, const char *op);
} admin_op;

static const admin_op admin_ops[] = {
    {"user_add", "account,name,roles,kind,agency,email,phone", op_user_add},
    {"user_disable", "account,reassign_to", user_state},
    {"user_enable", "account", user_state},
    {"user_password", "account", op_user_password},
    {"publish", "items", op_publish},
    {"status", "", op_status},
};

/* The first field of `req` that is not op, id or one of `fields`, or NULL. */
static const char *unknown_field(json_t *req, const char *fields) {
  const char *k;
  json_t *v;
  json_object_foreach(req, k, v) {
    if (strcmp(k, "op") && strcmp(k, "id") && !srv_wire_field_in(fields, k))
      return k;
  }
  return NULL;
}

static void handle_line(admin_client *a, const char *line, size_t len) {
  json_error_t err;
  json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
  if (req == NULL || !json_is_object(req)) {
    send_error(a, NULL, "bad_request", "malformed JSON at column %d: %s", err.column, req ? "not an object" : err.text);
    json_decref(req);
    return;
  }
  json_t *id = json_object_get(req, "id");
  const char *op = json_string_value(json_object_get(req, "op"));
  const admin_op *o = NULL;
  for (size_t i = 0; op && i < sizeof admin_ops / sizeof admin_ops[0] && o == NULL; i++)
    if (!strcmp(admin_ops[i].name, op))
      o = &admin_ops[i];
  const char *unknown = o ? unknown_field(req, o->fields) : NULL;
  if (a->s->stopping)
    send_error(a, id, "unavailable", "the server is stopping");
  else if (op == NULL)
    send_error(a, id, "bad_request", "no \"op\"");
  else if (o == NULL)
    send_error(a, id, "bad_request", "unknown op \"%s\": user_add, user_disable, user_enable, user_password, publish, status", op);
  else if (unknown)
    send_error(a, id, "bad_request", "%s: unknown field \"%s\" (it takes: %s)", op, unknown,
               o->fields[0] ? o->fields : "nothing but op and id");
  else
    o->run(a, req, id, o->name);
  json_decref(req);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  buf->base = malloc(suggested);
  buf->len = buf->base ? suggested : 0;
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
  admin_client *a = st->data;
  if (n < 0) {
    free(buf->base);
    client_close(a);
    return;
  }
  mc_buf_append(&a->rx, buf->base, (size_t)n);
  free(buf->base);
  size_t start = 0;
  for (size_t i = 0; i < a->rx.len; i++)
    if (a->rx.data[i] == '\n') {
      handle_line(a, (const char *)a->rx.data + start, i - start);
      start = i + 1;
    }
  if (start) {
    memmove(a->rx.data, a->rx.data + start, a->rx.len - start);
    a->rx.len -= start;
  }
  if (a->rx.len > ADMIN_MAX_LINE) {
    send_error(a, NULL, "too_large", "a line longer than %u bytes", ADMIN_MAX_LINE);
    client_close(a);
  }
}

static void on_connect(uv_stream_t *server, int status) {
  srv *s = server->data;
  if (status < 0)
    return;
  admin_client *a = calloc(1, sizeof *a);
  if (a == NULL)
    return;
  a->s = s;
  a->next = clients;
  if (clients)
    clients->prev = a;
  clients = a;
  uv_pipe_init(&s->loop, &a->pipe, 0);
  a->pipe.data = a;
  if (uv_accept(server, (uv_stream_t *)&a->pipe) != 0) {
    uv_close((uv_handle_t *)&a->pipe, client_free);
    return;
  }
  uv_read_start((uv_stream_t *)&a->pipe, alloc_cb, read_cb);
}

static int admin_open(srv *s) {
  const char *path = s->cfg.admin_socket;
  unlink(path); /* a socket left by a killed server: the writer lock proves nobody else runs */
  uv_pipe_init(&s->loop, &s->admin, 0);
  s->admin.data = s;
  mode_t old = umask(0177);
  int rc = uv_pipe_bind(&s->admin, path);
  umask(old);
  if (rc == 0)
    rc = uv_listen((uv_stream_t *)&s->admin, 16, on_connect);
  if (rc) {
    mc_log(MC_LOG_ERROR, "admin", "cannot listen on %s: %s", path, uv_strerror(rc));
    uv_close((uv_handle_t *)&s->admin, NULL);
    return MC_EIO;
  }
  chmod(path, 0600);
  s->admin_open = true;
  return 0;
}

static void admin_close(srv *s) {
  if (!s->admin_open)
    return;
  s->admin_open = false;
  for (admin_client *a = clients; a; a = a->next)
    client_close(a);
  uv_close((uv_handle_t *)&s->admin, NULL);
  unlink(s->cfg.admin_socket);
}

/* Its jobs hold the client themselves (admin_job, job_client). */
const srv_front srv_front_admin = {
    .name = "admin",
    .open = admin_open,
    .close = admin_close,
};
