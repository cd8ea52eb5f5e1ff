/* ws_session.h — the session operations of the WebSocket (api/ws.c's
 * table names them). */
#ifndef MOTCUA_API_WS_SESSION_H
#define MOTCUA_API_WS_SESSION_H

#include "api/ws_req.h"

void srv_ws_op_hello(req *r);
void srv_ws_op_ping(req *r);
void srv_ws_op_change_password(req *r);
void srv_ws_op_logout(req *r);

#endif
