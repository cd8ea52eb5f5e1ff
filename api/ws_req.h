/* ws_req.h — one WebSocket request (docs/PROTOCOL.md "Requests and
 * replies"): its reply and its failures (counted, denials logged), reading
 * its fields with their bounds, refusing fields an operation does not know,
 * and the session an operation needs.  The operations are api/ws.c's (the
 * engine's commands, reading, subscriptions) and api/ws_session.c's (hello,
 * ping, change_password, logout). */
#ifndef MOTCUA_API_WS_REQ_H
#define MOTCUA_API_WS_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

typedef struct srv srv;
typedef struct conn conn;

/* The bounds of what is not a command's argument (those are the engine's
 * table's: engine/commands.h): the fields they are kept in. */
#define WS_MAX_ID_BYTES 64 /* a request's id, a command_id */
#define DOSSIER_MAX_BYTES ((size_t)ENG_BYTES_OF(eng_dossier_view, code))
#define ROLE_MAX_BYTES ((size_t)ENG_BYTES_OF(eng_account_view, roles[0]))
#define SUB_MAX_BYTES(member) ((size_t)ENG_BYTES_OF(sub, member))

/* One request being handled. */
typedef struct req {
  conn *c;
  srv *s;
  json_t *msg;
  const char *op;
  json_t *id;          /* echoed (a copy) */
  bool binary;
} req;

/* The request a job of a connection answers, from the job's data ("id",
 * "binary") and op; false when the connection has gone. */
typedef struct job job;
bool srv_ws_job_req(job *j, req *r);
/* The reply to the request: its id first, then `body` (taken). */
void srv_ws_reply(req *r, json_t *body);
/* A failure: {"ok": false, "error": {code, message, field}}, counted by
 * its code's outcome; a forbidden one logged as a denial. */
void srv_ws_fail(req *r, const char *code, const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The reply to the request: `body` (taken) is {"ok": true, ...} or {"ok":
 * false, "error": {...}}, counted by its error's code, a forbidden one
 * logged as a denial (srv_ws_fail's way, for a body made elsewhere). */
void srv_ws_answer(req *r, json_t *body);
/* A field of the request: answered with bad_request and false when it is
 * missing but required, of another type, or out of its bounds. */
bool srv_ws_get_str(req *r, const char *key, bool required, size_t max, const char **out);
/* An optional true/false (absent or null: false). */
bool srv_ws_get_bool(req *r, const char *key, bool *out);
bool srv_ws_get_int(req *r, const char *key, bool required, int64_t lo, int64_t hi, int64_t *out, bool *given);
/* Refuses fields the operation does not know (`allowed`, NULL-ended). */
bool srv_ws_known_fields(req *r, const char *const *allowed);
/* The same with the fields as a comma-separated list. */
bool srv_ws_known_field_list(req *r, const char *list);
/* A session, its one-time password changed. */
bool srv_ws_need_session(req *r);

#endif
