/* wire.h — the protocol's two encodings (docs/PROTOCOL.md): a message is a
 * JSON object in a text frame or the same object as a msgpack map in a
 * binary frame.  Both decode to one jansson value, so the server handles a
 * message once whatever its encoding, and replies in the request's. */
#ifndef MOTCUA_API_WIRE_H
#define MOTCUA_API_WIRE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define WIRE_MAX_DEPTH 16

/* Decodes one message; NULL on error with `why` saying what and where
 * (line and column for JSON, byte offset for msgpack).  The top level must
 * be an object (a map with text keys). */
json_t *srv_wire_decode(const void *data, size_t len, bool binary, char *why, size_t size);

/* Appends the encoding of `msg` (compact JSON, or msgpack) to `out`. */
int srv_wire_encode(const json_t *msg, bool binary, mc_buf *out);

/* An e-form as the engine takes it: a msgpack map of field -> text, whole
 * number or yes/no.  MC_EINVAL with `why` for anything else. */
int srv_wire_form(const json_t *form, mc_buf *out, char *why, size_t size);
/* The same of any such map a request names `field` (the applicant block). */
int srv_wire_map(const json_t *map, const char *field, mc_buf *out, char *why, size_t size);

/* Whether `key` is one of the names of `list` (comma-separated, no
 * spaces): the fields an operation or an HTTP resource takes. */
bool srv_wire_field_in(const char *list, const char *key);

#endif
