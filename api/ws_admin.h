/* ws_admin.h — the administration of accounts over the WebSocket (api/ws.c's
 * table names the op for each operation). */
#ifndef MOTCUA_API_WS_ADMIN_H
#define MOTCUA_API_WS_ADMIN_H

#include "api/ws_req.h"

/* user_add, user_disable, user_enable, user_password, user_roles: r->op says which. */
void srv_ws_op_user(req *r);

#endif
