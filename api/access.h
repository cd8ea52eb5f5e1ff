/* access.h — who acts on the server: the principal a bearer token resolves
 * to, its roles, and who may read a dossier (docs/DOMAIN.md "Actors");
 * refusals of the access rules counted and logged.  The engine checks what
 * a principal may *do*; this is what it may *see*. */
#ifndef MOTCUA_API_ACCESS_H
#define MOTCUA_API_ACCESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "office/accounts.h"

typedef struct srv srv;
typedef struct conn conn;
typedef struct job job;

/* An authenticated principal: an account with its roles as the log has them. */
typedef struct principal {
  bool authed;
  bool must_change;            /* a one-time password: only change_password */
  char token[ACC_TOKEN_LEN + 1];
  uint8_t token_hash[32];      /* SHA-256 of the token: what a revocation compares (fixed length) */
  eng_account_view acct;
} principal;

bool srv_principal_has_role(const principal *p, const char *role);
bool srv_principal_is_applicant(const principal *p);
/* Reads everything (auditor, system_admin). */
bool srv_principal_reads_all(const principal *p);

/* Resolves a bearer token: the session, then the account (not disabled). */
int srv_authenticate(srv *s, const char *token, principal *out);
/* Whether `p` holds the session of `token` (any length: hashes of fixed
 * length are compared, in constant time). */
bool srv_principal_holds(const principal *p, const char *token);

/* May `p` read this dossier?  Its applicant, every official of its agency,
 * of an agency doing one of its procedure's steps (`step_agencies`, from
 * the catalogue: srv_catalogue_step_agencies), its handlers, and those who
 * read everything. */
bool srv_may_read_among(const principal *p, const eng_event_view *v, const json_t *step_agencies);
bool srv_may_read(srv *s, const principal *p, const eng_event_view *v);

/* A refusal of the access rules: counted, logged at most denials_per_minute
 * times a minute per connection, with the client's address (the
 * connection's; `addr` for a request without one, e.g. over HTTP). */
void srv_denied(srv *s, conn *c, const char *addr, const char *op, const char *account, const char *why);

/* A job's `work` that revokes the session j->data.token and flushes it (a
 * logout over HTTP or WebSocket is acknowledged only once on disk). */
void srv_job_revoke_session(job *j);

#endif
