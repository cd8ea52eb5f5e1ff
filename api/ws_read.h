/* ws_read.h — the WebSocket's reading operations (api/ws_read.c): a dossier
 * in full, its history, a procedure's steps and actions; who may read a
 * dossier. */
#ifndef MOTCUA_API_WS_READ_H
#define MOTCUA_API_WS_READ_H

#include "api/ws_req.h"

/* A dossier the request's account may read (its view into `v`), or a
 * failure already answered. */
bool srv_ws_readable(req *r, const char *code, eng_event_view *v);
/* A dossier's summary (what `get` gave before issue 17; pushes carry it). */
json_t *srv_dossier_summary_json(const eng_dossier_view *d);

void srv_ws_op_get(req *r);
void srv_ws_op_history(req *r);
void srv_ws_op_process(req *r);
void srv_ws_op_queue(req *r);
/* The queue a request names, with its filters (`queue`, a subscription to
 * a queue); false: answered. */
bool srv_ws_queue_filter(req *r, eng_queue_filter *f);

#endif
