/* ws_directory.h — the directory for clients over the WebSocket (api/ws.c's
 * table names the ops). */
#ifndef MOTCUA_API_WS_DIRECTORY_H
#define MOTCUA_API_WS_DIRECTORY_H

#include "api/ws_req.h"

void srv_ws_op_agencies(req *r);
void srv_ws_op_officials(req *r);

#endif
