/* cmd_store_json.h — what the store's commands (store, audit, backup) share:
 * JSON <-> canonical msgpack (motcua store append reads JSON, motcua audit
 * export writes it; jansson does the JSON), option values, opening a store. */
#ifndef MOTCUA_CMD_STORE_JSON_H
#define MOTCUA_CMD_STORE_JSON_H

#include "base/buf.h"
#include "storage/store.h"

#include <jansson.h>

/* Parses `text` as JSON and appends its canonical msgpack form to `out`:
 * object keys sorted bytewise (they must be ASCII), integers as integers,
 * text NFC.  Floats are refused (money in VND and times in ms are integers).
 * On failure a sentence is appended to `why`; returns 0 or MC_EPARSE. */
int cli_json_to_canon(const char *text, mc_buf *out, mc_buf *why);

/* The JSON value of one msgpack value (binary as lowercase hex text, integers
 * beyond 64-bit signed as decimal text).  NULL when it cannot be read.  The
 * caller owns the result (json_decref). */
json_t *cli_msgpack_to_json(const uint8_t *bytes, size_t len);

/* One event as the documented export object (docs/STORAGE.md "Export").
 * The caller owns the result. */
json_t *cli_event_to_json(const store_event *ev);

/* When argv[*i] is `name`: takes the next argument into *value, advances *i
 * and returns 1, or prints an error and returns -1 when it is missing.
 * Returns 0 when argv[*i] is something else. */
int cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, const char **value);

/* Opens the data directory, printing why on failure.  Returns CLI_OK or
 * CLI_FAILED; the caller closes *out with store_close(). */
int cli_store_open(const char *cmd, const char *dir, bool read_only, store **out);

#endif
