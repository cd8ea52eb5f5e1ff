/* users.h — the administration of accounts (docs/PROTOCOL.md "The admin
 * socket" and "Directory and administration"): an official added (or an
 * applicant registered at the desk) with a one-time password, an account
 * disabled (its sessions revoked, its open dossiers reassigned) or enabled,
 * a new one-time password, an official's roles set.
 *
 * One code for the two fronts that offer them: the admin socket
 * (api/admin.c, whose peer acts as system_admin) and the WebSocket
 * (api/ws_admin.c, with the principal of the session).  Who may do what is
 * the engine's rule (engine/account.c, eng_account_may_manage), decided
 * with the actor the front gives.  A front says how its jobs hold the one
 * who asked and how a reply reaches them (srv_user_front); each operation
 * checks the request's fields, starts its job and answers once it is done.
 * A one-time password goes only into the reply to the one who asked: it is
 * never logged, and wiped from the job when it ends. */
#ifndef MOTCUA_API_USERS_H
#define MOTCUA_API_USERS_H

#include <jansson.h>
#include <stdbool.h>

#include "api/jobs.h"
#include "engine/engine.h"

typedef struct srv srv;

typedef struct srv_user_front {
  srv_owner owner; /* first: a job's `holds` is its front's (srv_user_front_of) */
  /* Answers the request of job `j` (its data: "id", and what the front put
   * there) with `body`, taken: {"ok": true, ...} or {"ok": false, "error":
   * {code, message[, field, key, message_vi]}}.  On the loop; the one who
   * asked may be gone (the front's to check: j->owner). */
  void (*reply)(job *j, json_t *body);
  bool prefixed; /* the engine's refusals prefixed with the op ("user_roles: ..."), as the WebSocket's are */
} srv_user_front;

/* A request of one of the operations, from a front. */
typedef struct srv_user_req {
  srv *s;
  const srv_user_front *front;
  void *owner;           /* who asked: held by the operation's jobs */
  const char *op;        /* the operation's name (for the metrics and the messages) */
  json_t *request;       /* its fields (borrowed) */
  json_t *data;          /* what the front's reply reads (copied into each job's data): "id", ... */
  eng_actor actor;       /* who acts: the engine's rules are checked for it (the strings are copied) */
} srv_user_req;

/* The operations: `user_add` (account, name, roles, kind, agency, email,
 * phone), `user_disable` (account, reassign_to), `user_enable` (account),
 * `user_password` (account), `user_roles` (account, roles).  The fields a
 * front lets through are these (srv_user_fields); their types and presence
 * are checked here. */
void srv_user_op(const srv_user_req *q);

/* The fields an operation takes besides op and id, comma-separated; NULL
 * when `op` is not one of them. */
const char *srv_user_fields(const char *op);

#endif
