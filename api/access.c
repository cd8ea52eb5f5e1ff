/* access.c — see access.h. */
#include "api/access.h"

#include "api/runtime.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/log.h"

#include <sodium.h>
#include <string.h>

bool srv_principal_has_role(const principal *p, const char *role) {
  for (int i = 0; p->authed && i < p->acct.nroles; i++)
    if (!strcmp(p->acct.roles[i], role))
      return true;
  return false;
}

bool srv_principal_is_applicant(const principal *p) { return srv_principal_has_role(p, "applicant"); }

bool srv_principal_reads_all(const principal *p) {
  return srv_principal_has_role(p, "auditor") || srv_principal_has_role(p, "system_admin");
}

int srv_authenticate(srv *s, const char *token, principal *out) {
  acc_session ses;
  memset(out, 0, sizeof *out);
  int rc = acc_session_check(eng_store(s->e), token, srv_now(s), &ses);
  if (rc)
    return rc;
  if ((rc = eng_account_get(s->e, ses.account, &out->acct)) != 0)
    return MC_ENOENT;
  /* A disabled account's sessions are refused, not deleted here: the
   * disabling job deletes and counts them (api/admin.c), and one deleted
   * here first would go uncounted. */
  if (out->acct.disabled)
    return MC_ENOENT;
  char hash[ACC_HASH_LEN];
  bool must_change = false;
  acc_credentials_get(eng_store(s->e), ses.account, hash, &must_change);
  out->must_change = must_change;
  out->authed = true;
  snprintf(out->token, sizeof out->token, "%s", token);
  mc_sha256_digest(token, strlen(token), out->token_hash);
  return 0;
}

bool srv_principal_holds(const principal *p, const char *token) {
  uint8_t hash[MC_SHA256_BYTES];
  if (!p->authed || token == NULL)
    return false;
  mc_sha256_digest(token, strlen(token), hash);
  return sodium_memcmp(hash, p->token_hash, sizeof hash) == 0;
}

/* Does `agencies` (a procedure's step agencies: the police of a judicial
 * record, the post office of a postal return) hold `agency`? */
static bool among(const json_t *agencies, const char *agency) {
  size_t i;
  json_t *a;
  json_array_foreach(agencies, i, a) if (!strcmp(json_string_value(a), agency)) return true;
  return false;
}

bool srv_may_read_among(const principal *p, const eng_event_view *v, const json_t *step_agencies) {
  if (!p->authed || p->must_change)
    return false;
  if (srv_principal_reads_all(p))
    return true;
  if (srv_principal_is_applicant(p))
    return v->applicant[0] && !strcmp(v->applicant, p->acct.id);
  if (!p->acct.agency[0])
    return false;
  if (!strcmp(v->dossier.agency, p->acct.agency) || !strcmp(v->dossier.handler, p->acct.id))
    return true;
  for (int i = 0; i < v->dossier.nco_handlers; i++)
    if (!strcmp(v->dossier.co_handlers[i], p->acct.id))
      return true;
  return among(step_agencies, p->acct.agency);
}

bool srv_may_read(srv *s, const principal *p, const eng_event_view *v) {
  return srv_may_read_among(p, v, srv_catalogue_step_agencies(s->cat, v->dossier.procedure));
}

void srv_denied(srv *s, conn *c, const char *addr, const char *op, const char *account, const char *why) {
  srv_metrics_denial(&s->m, op);
  int64_t minute = (int64_t)(mc_mono_ms() / 60000);
  if (c) {
    if (c->denial_minute != minute) {
      c->denial_minute = minute;
      c->denials = 0;
    }
    if (++c->denials > s->cfg.denials_per_minute)
      return;
  }
  mc_log(MC_LOG_WARN, "access", "denied %s to %s from %s: %s", op, account && account[0] ? account : "(anonymous)",
         c ? c->addr : addr && addr[0] ? addr : "-", why);
}

void srv_job_revoke_session(job *j) {
  store *st = eng_store(j->s->e);
  acc_session_revoke(st, json_string_value(json_object_get(j->data, "token")));
  j->status = store_aux_sync(st);
}
