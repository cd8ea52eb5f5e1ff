/* http_accounts.c — the account flows over HTTP (docs/PROTOCOL.md
 * "Accounts"): register and verify by a one-time code, login with
 * throttling, logout, password reset.  Password hashing runs in the thread
 * pool; what writes goes through the writer; a response leaves once its
 * job is done. */
#include "api/http_accounts.h"

#include "api/pushes.h"
#include "api/runtime.h"
#include "base/error.h"
#include "base/log.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static bool email_ok(const char *e) {
  const char *at = e ? strchr(e, '@') : NULL;
  if (at == NULL || at == e || strchr(at + 1, '.') == NULL || strlen(e) > 127)
    return false;
  for (const char *p = e; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == ';')
      return false;
  return true;
}

static bool phone_ok(const char *p) {
  size_t n = p ? strlen(p) : 0, digits = 0;
  for (size_t i = 0; i < n; i++) {
    if (isdigit((unsigned char)p[i]))
      digits++;
    else if (!(i == 0 && p[i] == '+'))
      return false;
  }
  return digits >= 9 && digits <= 15;
}


static char dummy_hash[ACC_HASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void) { acc_password_hash("not a password of anyone", dummy_hash); }

static void login_work(job *j) {
  const char *id = json_string_value(json_object_get(j->data, "id"));
  const char *pw = json_string_value(json_object_get(j->data, "password"));
  char hash[ACC_HASH_LEN];
  bool must_change = false;
  pthread_once(&dummy_once, make_dummy);
  bool have = acc_credentials_get(eng_store(j->s->e), id, hash, &must_change) == 0;
  bool ok = acc_password_verify(have ? hash : dummy_hash, pw) && have;
  j->status = ok ? 0 : MC_EACCES;
  json_object_set_new(j->data, "must_change", json_boolean(must_change));
}

static void wipe(json_t *data, const char *key) {
  json_t *v = json_object_get(data, key);
  if (v && json_is_string(v))
    sodium_memzero((void *)json_string_value(v), json_string_length(v));
}

/* Failed logins from one address before it is locked: several officials of
 * a commune office share one address (NAT), so more than one account's. */
static int address_failures(const srv *s) { return s->cfg.login_failures * 4; }

static void login_finish(job *j) {
  http_req *h = srv_http_owner(j);
  srv *s = j->s;
  const char *id = json_string_value(json_object_get(j->data, "id"));
  const char *akey = json_string_value(json_object_get(j->data, "akey"));
  store *st = eng_store(s->e);
  mc_instant now = srv_now(s);
  eng_account_view a;
  int rc = j->status;
  if (rc == 0 && (eng_account_get(s->e, id, &a) != 0 || a.disabled))
    rc = MC_EACCES;
  if (rc) {
    /* The attempt was counted when it arrived (post_login). */
    bool locked = acc_throttle_locked(st, akey, now, &(int64_t){0});
    const char *ikey = json_string_value(json_object_get(j->data, "ikey")); /* "i/ADDRESS" */
    srv_denied(s, NULL, ikey ? ikey + 2 : NULL, "login", id,
               locked ? "wrong password: the account is locked" : "wrong account or password");
    if (h)
      srv_http_error(h, 401, "unauthenticated", NULL,
                    locked ? "the account or the password is not right; after %d failures the account is locked for %d minutes"
                           : "the account or the password is not right (after %d failures the account is locked for %d minutes)",
                    s->cfg.login_failures, s->cfg.lock_minutes);
  } else {
    char token[ACC_TOKEN_LEN + 1];
    mc_instant expires;
    acc_throttle_clear(st, akey);
    acc_throttle_forgive(st, json_string_value(json_object_get(j->data, "ikey")), now, address_failures(s));
    rc = acc_session_new(st, id, now, s->cfg.session_hours, token, &expires);
    if (rc && h) {
      srv_http_error(h, 503, "unavailable", NULL, "the session could not be stored (%s)", mc_strerror(rc));
    } else if (h) {
      json_t *roles = json_array();
      for (int i = 0; i < a.nroles; i++)
        json_array_append_new(roles, json_string(a.roles[i]));
      srv_http_respond(h, 200, json_pack("{s:s, s:I, s:b, s:s, s:o, s:o}", "token", token, "expires_at", (json_int_t)expires,
                                "must_change_password", json_is_true(json_object_get(j->data, "must_change")), "account",
                                id, "roles", roles, "agency", a.agency[0] ? json_string(a.agency) : json_null()));
    }
    sodium_memzero(token, sizeof token);
  }
  srv_metrics_count(&s->m, "login", rc ? OUT_FORBIDDEN : OUT_OK);
  wipe(j->data, "password");
  srv_http_detach(j);
  srv_job_free(j);
}

void srv_http_post_login(http_req *h, const char *rest, json_t *b, const char *token) {
  (void)rest, (void)token;
  const char *id, *pw;
  if (!srv_http_body_str(h, b, "id", true, 63, &id) || !srv_http_body_str(h, b, "password", true, ACC_MAX_PASSWORD, &pw))
    return;
  char akey[80], ikey[80];
  int64_t wait;
  snprintf(akey, sizeof akey, "a/%s", id);
  snprintf(ikey, sizeof ikey, "i/%s", h->addr);
  store *st = eng_store(h->s->e);
  if (acc_throttle_locked(st, akey, srv_now(h->s), &wait) || acc_throttle_locked(st, ikey, srv_now(h->s), &wait)) {
    h->retry_after_s = wait / 1000 + 1;
    srv_denied(h->s, NULL, h->addr, "login", id, "locked after repeated failures");
    json_t *err = srv_error("throttled", "too many failed logins: try again later, or reset the password", NULL);
    json_object_set_new(err, "retry_after_ms", json_integer(wait));
    srv_http_respond(h, 429, json_pack("{s:o}", "error", err));
    return;
  }
  /* Each attempt counts as it arrives, before the ~50 ms check: guesses sent
   * all at once cannot pass the limit while their checks run.  A right
   * password clears the account's count. */
  acc_throttle_fail(st, akey, srv_now(h->s), h->s->cfg.login_failures, h->s->cfg.lock_minutes);
  acc_throttle_fail(st, ikey, srv_now(h->s), address_failures(h->s), h->s->cfg.lock_minutes);
  job *j = srv_http_job(h, "login");
  if (j == NULL)
    return;
  j->data = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "password", pw, "akey", akey, "ikey", ikey);
  j->work = login_work;
  j->finish = login_finish;
  srv_job_start(j);
}

/* A revocation is acknowledged only once it is on disk (aux is not flushed
 * by itself): the flush runs in the pool, never on the loop. */

static void logout_finish(job *j) {
  http_req *h = srv_http_owner(j);
  srv_revoke_token(j->s, json_string_value(json_object_get(j->data, "token")), "logged out");
  if (h) {
    if (j->status)
      srv_http_error(h, 503, "unavailable", NULL, "the logout could not be stored (%s): try again", mc_strerror(j->status));
    else
      srv_http_respond(h, 204, NULL);
  }
  srv_metrics_count(&j->s->m, "logout", j->status ? OUT_ERROR : OUT_OK);
  wipe(j->data, "token");
  srv_http_detach(j);
  srv_job_free(j);
}

void srv_http_post_logout(http_req *h, const char *rest, json_t *body, const char *token) {
  (void)rest, (void)body;
  job *j = srv_http_job(h, "logout");
  if (j == NULL)
    return;
  j->data = json_pack("{s:s}", "token", token);
  j->work = srv_job_revoke_session;
  j->finish = logout_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ registration */

static void code_sent_finish(job *j) {
  http_req *h = srv_http_owner(j);
  int rc = j->status ? j->status : j->ncmds ? j->results[0].status : MC_EINTERNAL;
  const char *why = !j->status && j->ncmds && j->results[0].message[0] ? j->results[0].message : mc_strerror(rc);
  if (h) {
    if (rc)
      srv_http_error(h, 503, "unavailable", NULL, "the code could not be sent now (%s): try again in a moment", why);
    else
      srv_http_respond(h, 202, json_pack("{s:s, s:I}", "status", "code_sent", "expires_in_ms", (json_int_t)ACC_CODE_MINUTES * 60000));
  }
  srv_metrics_count(&j->s->m, j->op, rc ? OUT_ERROR : OUT_OK);
  srv_http_detach(j);
  srv_job_free(j);
}

/* A message about an account through the writer (SEND_CODE: the aux
 * outbox, never the log): a template, its one-time code (NULL for a
 * notice), the addresses. */
static void send_message(job *j, const char *template_name, const char *code, const char *email, const char *phone) {
  eng_command *c = srv_job_command(j);
  if (c == NULL) {
    j->status = MC_ENOMEM;
    return;
  }
  c->kind = ENG_CMD_SEND_CODE;
  c->actor = (eng_actor){"motcuad", "system", NULL, "motcuad"};
  c->send_code.template_name = template_name;
  c->send_code.code = srv_job_strdup(j, code);
  c->send_code.email = srv_job_strdup(j, email);
  c->send_code.phone = srv_job_strdup(j, phone);
}

/* The code's message, to the address in j->data; the code is wiped here. */
static void send_code(job *j, char code[7]) {
  send_message(j, "verification_code", code, json_string_value(json_object_get(j->data, "email")),
               json_string_value(json_object_get(j->data, "phone")));
  sodium_memzero(code, 7);
}

/* In the pool: the password's hash, the code, the record; then the code's
 * message goes through the writer.  An id that has an account gets the same
 * work and answer (nothing tells that it exists) but a record no code
 * matches — /api/verify of it fails as a wrong code does — and no code: the
 * account's own address (not the one given) is told instead, unless the
 * account is disabled (as a password reset is not sent to it). */
static void register_work(job *j) {
  json_t *d = j->data;
  char hash[ACC_HASH_LEN], code[7], code_hash[65];
  const char *id = json_string_value(json_object_get(d, "id"));
  if ((j->status = acc_password_hash(json_string_value(json_object_get(d, "password")), hash)) != 0)
    return;
  wipe(d, "password");
  eng_account_view a;
  bool exists = eng_account_get(j->s->e, id, &a) == 0;
  acc_code_new(code);
  acc_code_hash(id, code, code_hash);
  json_t *rec = json_pack("{s:O, s:O, s:O, s:O, s:s, s:s, s:I, s:i}", "kind", json_object_get(d, "kind"), "name",
                          json_object_get(d, "name"), "email", json_object_get(d, "email"), "phone",
                          json_object_get(d, "phone"), "hash", exists ? "" : hash, "code", exists ? "" : code_hash,
                          "expires", (json_int_t)(srv_now(j->s) + ACC_CODE_MINUTES * 60000), "attempts", 0);
  sodium_memzero(hash, sizeof hash);
  j->status = rec ? acc_record_put(eng_store(j->s->e), "registrations", id, rec) : MC_ENOMEM;
  json_decref(rec);
  if (j->status == 0 && !exists)
    send_code(j, code);
  if (j->status == 0 && exists && !a.disabled && (a.email[0] || a.phone[0]))
    send_message(j, "account_exists", NULL, a.email, a.phone);
  sodium_memzero(code, sizeof code);
}

void srv_http_post_register(http_req *h, const char *rest, json_t *b, const char *token) {
  (void)rest, (void)token;
  const char *kind, *id, *name, *email, *phone, *pw;
  char why[300];
  if (!srv_http_body_str(h, b, "kind", true, 15, &kind) || !srv_http_body_str(h, b, "id", true, 20, &id) ||
      !srv_http_body_str(h, b, "name", true, 127, &name) || !srv_http_body_str(h, b, "email", false, 127, &email) ||
      !srv_http_body_str(h, b, "phone", false, 20, &phone) || !srv_http_body_str(h, b, "password", true, 4096, &pw))
    return;
  if (strcmp(kind, "person") && strcmp(kind, "organisation")) {
    srv_http_error(h, 400, "bad_request", "kind", "\"kind\" is \"person\" (a citizen id) or \"organisation\" (a tax code)");
    return;
  }
  if (!eng_account_id_valid(kind, id, why, sizeof why)) {
    srv_http_error(h, 400, "bad_request", "id", "%s", why);
    return;
  }
  if (!email && !phone) {
    srv_http_error(h, 400, "bad_request", "email", "give an e-mail address or a phone number: the code is sent there");
    return;
  }
  if (email && !email_ok(email)) {
    srv_http_error(h, 400, "bad_request", "email", "\"%s\" is not an e-mail address (name@domain.vn)", email);
    return;
  }
  if (phone && !phone_ok(phone)) {
    srv_http_error(h, 400, "bad_request", "phone", "\"%s\" is not a phone number (digits, e.g. 0912345678)", phone);
    return;
  }
  if (!acc_password_ok(pw, why, sizeof why)) {
    srv_http_error(h, 422, "refused", "password", "%s", why);
    return;
  }
  char rkey[80];
  int64_t wait;
  snprintf(rkey, sizeof rkey, "r/%s", h->addr);
  store *st = eng_store(h->s->e);
  if (acc_throttle_locked(st, rkey, srv_now(h->s), &wait)) {
    h->retry_after_s = wait / 1000 + 1;
    srv_http_error(h, 429, "throttled", NULL, "too many registrations from this address: try again in %lld minutes",
                  (long long)(wait / 60000 + 1));
    return;
  }
  acc_throttle_fail(st, rkey, srv_now(h->s), 20, h->s->cfg.lock_minutes);
  job *j = srv_http_job(h, "register");
  if (j == NULL)
    return;
  j->data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", kind, "id", id, "name", name, "email", email ? email : "",
                      "phone", phone ? phone : "", "password", pw);
  j->work = register_work;
  j->finish = code_sent_finish;
  srv_job_start(j);
}

/* A code against its record: 0, or an answer already given. */
static int check_code(http_req *h, const char *db, const char *id, const char *code, json_t **rec_out) {
  store *st = eng_store(h->s->e);
  json_t *rec = acc_record_get(st, db, id);
  *rec_out = NULL;
  if (rec == NULL || json_integer_value(json_object_get(rec, "expires")) < srv_now(h->s)) {
    json_decref(rec);
    srv_http_error(h, 404, "not_found", "code", "no code is waiting for %s, or it expired after %d minutes: ask for a new one",
                  id, ACC_CODE_MINUTES);
    return MC_ENOENT;
  }
  json_int_t attempts = json_integer_value(json_object_get(rec, "attempts"));
  if (attempts >= ACC_CODE_ATTEMPTS) {
    json_decref(rec);
    srv_http_error(h, 429, "throttled", "code", "%d wrong codes: ask for a new one", ACC_CODE_ATTEMPTS);
    return MC_EACCES;
  }
  char want[65];
  acc_code_hash(id, code, want);
  const char *have = json_string_value(json_object_get(rec, "code"));
  if (have == NULL || strlen(have) != 64 || sodium_memcmp(have, want, 64) != 0) {
    json_object_set_new(rec, "attempts", json_integer(attempts + 1));
    acc_record_put(st, db, id, rec);
    json_decref(rec);
    srv_denied(h->s, NULL, h->addr, db, id, "a wrong one-time code");
    srv_http_error(h, 422, "refused", "code", "the code is not right (%d attempts left)", (int)(ACC_CODE_ATTEMPTS - attempts - 1));
    return MC_EACCES;
  }
  *rec_out = rec;
  return 0;
}

/* In the pool, before the account is committed: its password, stored and
 * flushed first (a kill in between leaves a password without an account,
 * harmless; the code still verifies and the next attempt finishes). */
static void verify_work(job *j) {
  const char *id = json_string_value(json_object_get(j->data, "id"));
  eng_account_view a;
  if (eng_account_get(j->s->e, id, &a) == 0)
    return; /* made already: its password was stored before it */
  store *st = eng_store(j->s->e);
  if ((j->status = acc_credentials_put(st, id, json_string_value(json_object_get(j->data, "hash")), false)) == 0)
    j->status = store_aux_sync(st);
  mc_crash_point("verify");
}

/* Once the account is in the log: its registration is done with. */
static void verify_after(job *j) {
  if (j->status == 0 && j->results[0].status == 0)
    acc_record_del(eng_store(j->s->e), "registrations", json_string_value(json_object_get(j->data, "id")));
}

static void verify_finish(job *j) {
  http_req *h = srv_http_owner(j);
  srv *s = j->s;
  const eng_result *r = &j->results[0];
  const char *id = json_string_value(json_object_get(j->data, "id"));
  int rc = r->status ? r->status : r->repeated ? MC_ECONFLICT : j->status;
  if (h) {
    if (rc == 0) {
      srv_http_respond(h, 201, json_pack("{s:s}", "account", id));
    } else {
      int status;
      eng_refusal_kind kind = r->status ? eng_result_kind(r) : eng_refusal_kind_of_status(rc);
      const char *code = srv_error_code(kind, &status, NULL);
      char msg[600];
      snprintf(msg, sizeof msg, "the account could not be created: %s", r->status && r->message[0] ? r->message : mc_strerror(rc));
      json_t *error = srv_error(code, msg, NULL);
      if (r->status)
        srv_error_refusal(error, r);
      srv_http_respond(h, status, json_pack("{s:o}", "error", error));
    }
  }
  srv_metrics_count(&s->m, "verify", rc ? OUT_REFUSED : OUT_OK);
  wipe(j->data, "hash");
  srv_http_detach(j);
  srv_job_free(j);
}

void srv_http_post_verify(http_req *h, const char *rest, json_t *b, const char *token) {
  (void)rest, (void)token;
  const char *id, *code;
  json_t *rec;
  if (!srv_http_body_str(h, b, "id", true, 20, &id) || !srv_http_body_str(h, b, "code", true, 6, &code) ||
      check_code(h, "registrations", id, code, &rec) != 0)
    return;
  job *j = srv_http_job(h, "verify");
  if (j == NULL) {
    json_decref(rec);
    return;
  }
  j->data = json_pack("{s:s, s:O}", "id", id, "hash", json_object_get(rec, "hash"));
  eng_command *c = srv_job_command(j);
  c->kind = ENG_CMD_ACCOUNT;
  c->account.op = "register";
  c->account.id = srv_job_strdup(j, id);
  c->account.kind = srv_job_strdup(j, json_string_value(json_object_get(rec, "kind")));
  c->account.name = srv_job_strdup(j, json_string_value(json_object_get(rec, "name")));
  c->account.email = srv_job_strdup(j, json_string_value(json_object_get(rec, "email")));
  c->account.phone = srv_job_strdup(j, json_string_value(json_object_get(rec, "phone")));
  c->actor = (eng_actor){srv_job_strdup(j, id), "system", NULL, "motcuad"};
  char cid[96];
  snprintf(cid, sizeof cid, "sys/register/%s", id);
  c->command_id = srv_job_strdup(j, cid);
  json_decref(rec);
  j->work = verify_work;
  j->after = verify_after;
  j->finish = verify_finish;
  srv_job_start(j);
}

/* ------------------------------------------------------------ password reset */

static void reset_work(job *j) {
  const char *id = json_string_value(json_object_get(j->data, "id"));
  char code[7], code_hash[65];
  acc_code_new(code);
  acc_code_hash(id, code, code_hash);
  json_t *rec = json_pack("{s:s, s:I, s:i}", "code", code_hash, "expires",
                          (json_int_t)(srv_now(j->s) + ACC_CODE_MINUTES * 60000), "attempts", 0);
  j->status = rec ? acc_record_put(eng_store(j->s->e), "resets", id, rec) : MC_ENOMEM;
  json_decref(rec);
  if (j->status)
    return;
  send_code(j, code);
}

void srv_http_post_reset(http_req *h, const char *rest, json_t *b, const char *token) {
  (void)rest, (void)token;
  const char *id;
  if (!srv_http_body_str(h, b, "id", true, 63, &id))
    return;
  eng_account_view a;
  char key[80];
  int64_t wait;
  snprintf(key, sizeof key, "reset/%s", id);
  store *st = eng_store(h->s->e);
  /* The same answer whether or not the account exists. */
  if (eng_account_get(h->s->e, id, &a) != 0 || a.disabled || (!a.email[0] && !a.phone[0]) ||
      acc_throttle_locked(st, key, srv_now(h->s), &wait)) {
    srv_http_respond(h, 202, json_pack("{s:s, s:I}", "status", "code_sent", "expires_in_ms", (json_int_t)ACC_CODE_MINUTES * 60000));
    return;
  }
  acc_throttle_fail(st, key, srv_now(h->s), 5, h->s->cfg.lock_minutes);
  job *j = srv_http_job(h, "password_reset");
  if (j == NULL)
    return;
  j->data = json_pack("{s:s, s:s, s:s}", "id", id, "email", a.email, "phone", a.phone);
  j->work = reset_work;
  j->finish = code_sent_finish;
  srv_job_start(j);
}

static void confirm_work(job *j) {
  char hash[ACC_HASH_LEN];
  const char *id = json_string_value(json_object_get(j->data, "id"));
  store *st = eng_store(j->s->e);
  /* The sessions go first: the credentials' flush makes both durable. */
  if ((j->status = acc_password_hash(json_string_value(json_object_get(j->data, "password")), hash)) == 0 &&
      (j->status = acc_sessions_revoke_account(st, id, NULL)) == 0) {
    acc_record_del(st, "resets", id);
    j->status = acc_credentials_put(st, id, hash, false);
  }
  wipe(j->data, "password");
}

static void confirm_finish(job *j) {
  http_req *h = srv_http_owner(j);
  if (j->status == 0)
    srv_revoke_account(j->s, json_string_value(json_object_get(j->data, "id")), "the password was reset");
  if (h) {
    if (j->status)
      srv_http_error(h, 503, "unavailable", NULL, "the password could not be stored (%s)", mc_strerror(j->status));
    else
      srv_http_respond(h, 200, json_pack("{s:s}", "status", "password_set"));
  }
  srv_metrics_count(&j->s->m, "password_reset_confirm", j->status ? OUT_ERROR : OUT_OK);
  srv_http_detach(j);
  srv_job_free(j);
}

void srv_http_post_reset_confirm(http_req *h, const char *rest, json_t *b, const char *token) {
  (void)rest, (void)token;
  const char *id, *code, *pw;
  json_t *rec;
  char why[200];
  if (!srv_http_body_str(h, b, "id", true, 63, &id) || !srv_http_body_str(h, b, "code", true, 6, &code) ||
      !srv_http_body_str(h, b, "password", true, 4096, &pw))
    return;
  if (!acc_password_ok(pw, why, sizeof why)) {
    srv_http_error(h, 422, "refused", "password", "%s", why);
    return;
  }
  if (check_code(h, "resets", id, code, &rec) != 0)
    return;
  json_decref(rec);
  job *j = srv_http_job(h, "password_reset_confirm");
  if (j == NULL)
    return;
  j->data = json_pack("{s:s, s:s}", "id", id, "password", pw);
  j->work = confirm_work;
  j->finish = confirm_finish;
  srv_job_start(j);
}
