/* ws_session.c — the WebSocket's session operations (docs/PROTOCOL.md
 * "Operations"): hello with a token, ping, change_password (hashing in the
 * pool) and logout (the revocation flushed before the reply). */
#include "api/ws_session.h"

#include "api/pushes.h"
#include "api/runtime.h"
#include "base/error.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static json_t *account_json(const principal *p) {
  json_t *roles = json_array();
  for (int i = 0; i < p->acct.nroles; i++)
    json_array_append_new(roles, json_string(p->acct.roles[i]));
  return json_pack("{s:b, s:s, s:s, s:s, s:o, s:o, s:b}", "ok", 1, "account", p->acct.id, "kind", p->acct.kind, "name",
                   p->acct.name, "roles", roles, "agency", p->acct.agency[0] ? json_string(p->acct.agency) : json_null(),
                   "must_change_password", p->must_change);
}

void srv_ws_op_hello(req *r) {
  const char *token, *lang = NULL;
  static const char *const fields[] = {"token", "lang", NULL};
  if (!srv_ws_known_fields(r, fields) || !srv_ws_get_str(r, "token", true, 128, &token) ||
      !srv_ws_get_str(r, "lang", false, 2, &lang))
    return;
  if (lang && strcmp(lang, "vi") && strcmp(lang, "en")) {
    srv_ws_fail(r, "bad_request", "lang", "hello: \"lang\" is \"vi\" (the default) or \"en\"");
    return;
  }
  r->c->english = lang && !strcmp(lang, "en");
  principal p;
  if (srv_authenticate(r->s, token, &p) != 0) {
    srv_ws_fail(r, "unauthenticated", "token", "hello: the token is unknown, expired or revoked: log in again");
    return;
  }
  srv_conn_set_principal(r->c, &p);
  srv_metrics_count(&r->s->m, "hello", OUT_OK);
  srv_ws_reply(r, account_json(&p));
}

void srv_ws_op_ping(req *r) {
  static const char *const fields[] = {NULL};
  if (!srv_ws_known_fields(r, fields))
    return;
  srv_metrics_count(&r->s->m, "ping", OUT_OK);
  srv_ws_reply(r, json_pack("{s:b, s:I}", "ok", 1, "seq", (json_int_t)r->s->pushed_seq));
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
  req r;
  if (srv_ws_job_req(j, &r)) {
    if (j->status == MC_EACCES) {
      srv_ws_fail(&r, "forbidden", "old", "change_password: %s", j->why);
    } else if (j->status) {
      srv_ws_fail(&r, "unavailable", NULL, "change_password: %s", j->why);
    } else {
      r.c->who.must_change = false;
      acc_throttle_clear(eng_store(j->s->e), json_string_value(json_object_get(j->data, "throttle")));
      srv_metrics_count(&j->s->m, "change_password", OUT_OK);
      srv_ws_reply(&r, json_pack("{s:b}", "ok", 1));
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

void srv_ws_op_change_password(req *r) {
  static const char *const fields[] = {"old", "new", NULL};
  const char *old, *new_pw;
  char why[200];
  if (!srv_ws_known_fields(r, fields))
    return;
  if (!r->c->who.authed) {
    srv_ws_fail(r, "unauthenticated", NULL, "change_password: send hello with your token first");
    return;
  }
  if (!srv_ws_get_str(r, "old", true, ACC_MAX_PASSWORD, &old) || !srv_ws_get_str(r, "new", true, 4096, &new_pw))
    return;
  if (!acc_password_ok(new_pw, why, sizeof why)) {
    srv_ws_fail(r, "refused", "new", "change_password: %s", why);
    return;
  }
  if (!strcmp(old, new_pw)) {
    srv_ws_fail(r, "refused", "new", "change_password: the new password is the old one");
    return;
  }
  char key[80];
  snprintf(key, sizeof key, "a/%s", r->c->who.acct.id);
  int64_t wait;
  if (acc_throttle_locked(eng_store(r->s->e), key, srv_now(r->s), &wait)) {
    srv_ws_fail(r, "throttled", NULL, "change_password: too many wrong passwords; try again in %lld minutes",
         (long long)(wait / 60000 + 1));
    return;
  }
  /* Counted as it arrives, whatever becomes of the socket: guesses sent at
   * once, or by a client that goes away, are all counted. */
  acc_throttle_fail(eng_store(r->s->e), key, srv_now(r->s), r->s->cfg.login_failures, r->s->cfg.lock_minutes);
  job *j = srv_job_new(r->s, &srv_conn_owner, r->c, "change_password");
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
  const char *token = json_string_value(json_object_get(j->data, "token"));
  req r;
  if (srv_ws_job_req(j, &r)) {
    if (j->status) {
      srv_ws_fail(&r, "unavailable", NULL, "logout: the revocation could not be stored (%s): try again", mc_strerror(j->status));
    } else {
      srv_metrics_count(&j->s->m, "logout", OUT_OK);
      srv_ws_reply(&r, json_pack("{s:b}", "ok", 1));
    }
  }
  if (j->status == 0)
    srv_revoke_token(j->s, token, "logged out");
  json_t *t = json_object_get(j->data, "token");
  sodium_memzero((void *)json_string_value(t), json_string_length(t));
  srv_job_free(j);
}

void srv_ws_op_logout(req *r) {
  static const char *const fields[] = {NULL};
  conn *c = r->c;
  if (!srv_ws_known_fields(r, fields))
    return;
  if (!c->who.authed) {
    srv_ws_fail(r, "unauthenticated", NULL, "logout: there is no session on this connection (send hello first)");
    return;
  }
  job *j = srv_job_new(r->s, &srv_conn_owner, c, "logout");
  if (j == NULL)
    return;
  j->data = json_pack("{s:O, s:b, s:s}", "id", r->id ? r->id : json_null(), "binary", r->binary, "token", c->who.token);
  j->work = srv_job_revoke_session;
  j->finish = logout_finish;
  srv_job_start(j);
}
