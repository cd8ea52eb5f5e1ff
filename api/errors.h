/* errors.h — the protocol's errors (docs/PROTOCOL.md "Errors"): one shape
 * for the WebSocket, HTTP and the admin socket. */
#ifndef MOTCUA_API_ERRORS_H
#define MOTCUA_API_ERRORS_H

#include <jansson.h>

#include "engine/engine.h"

/* The protocol's error code for a kind of refusal (engine/refusals.h;
 * eng_result_kind() for a result), with its HTTP status and the outcome it
 * is counted as (api/metrics.h; only FORBIDDEN counts as a denial). */
const char *srv_error_code(eng_refusal_kind kind, int *http_status, int *outcome);
json_t *srv_error(const char *code, const char *message, const char *field);
/* Adds what the engine says of a refusal to an error: its `key`, its
 * `message_vi`, and `fields`, each field of the command in error with its
 * rule, parameters, key and what to do in Vietnamese and in English
 * (eng_result.fields).  Nothing for a result without a key. */
void srv_error_refusal(json_t *error, const eng_result *r);
/* The error of a result that failed: its code by its kind, its message (or
 * its status's, when it has none) after `prefix` and ": " when given (the
 * op), and what srv_error_refusal adds. */
json_t *srv_error_of_result(const eng_result *r, const char *prefix);

/* An error as a WebSocket connection reads it: `message` in its language
 * (Vietnamese unless its hello said "en"), message_vi and message_en beside
 * it (a server's own error, with no refusal key, gets a Vietnamese
 * sentence by its code naming the field). */
void srv_error_localize(json_t *error, bool english);

#endif
