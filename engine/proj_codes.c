/* proj_codes.c — the last dossier number of each agency and day
 * (ENG_PROJ_CODES), and which event filed each e-form (ENG_PROJ_FORMS). */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The code's agency and day: "<agency>-<yymmdd>-<NNNN>" -> "<agency>-<yymmdd>", NNNN. */
static int split_code(const char *code, size_t len, size_t *prefix_len, uint32_t *number) {
  const char *dash = NULL;
  for (size_t i = len; i > 0; i--)
    if (code[i - 1] == '-') {
      dash = code + i - 1;
      break;
    }
  size_t digits = dash ? (size_t)(code + len - dash - 1) : 0;
  if (digits < 4 || digits > 10)
    return MC_EPARSE;
  *number = 0;
  for (const char *p = dash + 1; p < code + len; p++) {
    if (*p < '0' || *p > '9')
      return MC_EPARSE;
    *number = *number * 10 + (uint32_t)(*p - '0');
  }
  *prefix_len = (size_t)(dash - code);
  return 0;
}

int eng__apply_codes(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_type(ev, ENG_EV_DOSSIER_SUBMITTED))
    return 0;
  size_t prefix;
  uint32_t number, current = 0;
  const char *code = ev->stream.ptr + 8;
  if (split_code(code, ev->stream.len - 8, &prefix, &number))
    return MC_EPARSE;
  const void *v;
  size_t vlen;
  if (store_proj_get(tx, code, prefix, &v, &vlen) == 0 && vlen == 4)
    current = mc_be32_get(v);
  if (number > current) {
    uint8_t be[4] = {(uint8_t)(number >> 24), (uint8_t)(number >> 16), (uint8_t)(number >> 8), (uint8_t)number};
    return store_proj_put(tx, code, prefix, be, 4);
  }
  return 0;
}

int eng__apply_forms(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_type(ev, ENG_EV_DOSSIER_SUBMITTED))
    return 0;
  /* Which event holds the form: the form itself is read there. */
  const msgpack_object *root = eng__event_root(ev), *form = root ? eng__get(root, "form") : NULL;
  if (form == NULL || form->type != MSGPACK_OBJECT_BIN)
    return MC_EPARSE;
  uint8_t seq[8];
  mc_be64_put(seq, ev->seq);
  return store_proj_put(tx, ev->stream.ptr + 8, ev->stream.len - 8, seq, 8);
}
