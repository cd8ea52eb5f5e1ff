/* ws_admin.c — the administration of accounts over the WebSocket
 * (docs/PROTOCOL.md "Directory and administration"): user_add,
 * user_disable, user_enable, user_password and user_roles, with the rules
 * the admin socket applies (api/users.c does both) but with the principal
 * of the session as the actor: a system_admin manages everyone, an
 * agency_admin the officials of its own agency (the engine decides:
 * engine/account.c), anyone else is refused as a denial. */
#include "api/ws_admin.h"

#include "api/runtime.h"
#include "api/users.h"

#include <stdio.h>
#include <string.h>

/* The reply of a job to its connection, if it is still there. */
static void job_reply(job *j, json_t *body) {
  req r;
  if (srv_ws_job_req(j, &r))
    srv_ws_answer(&r, body);
  else
    json_decref(body);
}

static const srv_user_front ws_front = {{srv_conn_hold, srv_conn_release}, job_reply, true};

void srv_ws_op_user(req *r) {
  const principal *p = &r->c->who;
  if (!srv_ws_known_field_list(r, srv_user_fields(r->op)) || !srv_ws_need_session(r))
    return;
  /* The role the account administers in: a system_admin's, else an agency_admin's. */
  const char *role = srv_principal_has_role(p, "system_admin")   ? "system_admin"
                     : srv_principal_has_role(p, "agency_admin") ? "agency_admin"
                                                                 : NULL;
  if (role == NULL) {
    srv_ws_fail(r, "forbidden", NULL,
                "%s: accounts are administered by a system_admin, and by an agency_admin for its own agency's officials",
                r->op);
    return;
  }
  char client[96];
  snprintf(client, sizeof client, "ws %s", r->c->addr);
  json_t *data = json_pack("{s:O, s:b}", "id", r->id ? r->id : json_null(), "binary", r->binary);
  srv_user_req q = {.s = r->s, .front = &ws_front, .owner = r->c, .op = r->op, .request = r->msg, .data = data,
                    .actor = {p->acct.id, role, p->acct.agency[0] ? p->acct.agency : NULL, client}};
  srv_user_op(&q);
  json_decref(data);
}
