/* canon.h — canonical msgpack: one value, one byte string.
 *
 * The log's records and the compiled definitions are hashed over their exact
 * bytes (ARCHITECTURE.md "Canonical bytes"), so encoding must be
 * deterministic on every machine and in every version:
 *   - integers in their shortest msgpack form (msgpack-c's packer does this);
 *     money in VND and time in ms since the epoch are integers; no floats;
 *   - map keys are short ASCII strings written in strictly ascending byte
 *     order (the writer refuses anything else, so a coding slip cannot
 *     produce a second spelling of the same record);
 *   - text is valid UTF-8 normalised to NFC (base/text.h);
 *   - no ext types.
 * mc_canon_verify() checks received bytes against exactly these rules.
 *
 * The writer has a sticky error: call the value functions freely, then read
 * the first error from mc_canon_finish().  Nesting is limited to
 * MC_CANON_MAX_DEPTH.
 */
#ifndef MC_CANON_H
#define MC_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define MC_CANON_MAX_DEPTH 32

typedef struct mc_canon_level {
  uint32_t remaining;   /* values still to write at this level */
  bool is_map;
  size_t last_key_off;  /* in out->data; SIZE_MAX before the first key */
  size_t last_key_len;
} mc_canon_level;

typedef struct mc_canon {
  mc_buf *out;
  int err;
  int depth;
  bool top_written;
  mc_canon_level level[MC_CANON_MAX_DEPTH];
} mc_canon;

/* Starts writing one value at the end of `out` (borrowed). */
void mc_canon_init(mc_canon *w, mc_buf *out);

/* Containers: a map of `npairs` key/value pairs, an array of `n` values. */
void mc_canon_map(mc_canon *w, uint32_t npairs);
void mc_canon_array(mc_canon *w, uint32_t n);

/* A map key: ASCII, strictly greater (bytewise) than the previous key of the
 * same map. */
void mc_canon_key(mc_canon *w, const char *key);
void mc_canon_key_n(mc_canon *w, const char *key, size_t len); /* not NUL-terminated */

void mc_canon_int(mc_canon *w, int64_t v);
void mc_canon_uint(mc_canon *w, uint64_t v);
void mc_canon_bool(mc_canon *w, bool v);
void mc_canon_nil(mc_canon *w);

/* Text, normalised to NFC; invalid UTF-8 sets MC_EPARSE. */
void mc_canon_str(mc_canon *w, const char *s, size_t len);
void mc_canon_cstr(mc_canon *w, const char *s);

/* Raw bytes (hashes, signatures). */
void mc_canon_bin(mc_canon *w, const void *bytes, size_t len);

/* Shorthands for one key/value pair of a map. */
void mc_canon_kv_int(mc_canon *w, const char *key, int64_t v);
void mc_canon_kv_str(mc_canon *w, const char *key, const char *s);
void mc_canon_kv_bool(mc_canon *w, const char *key, bool v);

/* Returns the first error (MC_EINVAL for a misuse such as keys out of order
 * or a container left incomplete, MC_EPARSE for bad text, MC_ENOMEM), or 0
 * when exactly one complete value was written. */
int mc_canon_finish(mc_canon *w);

/* A decoded value written again (a part of canonical bytes carried over into
 * another record): its maps' keys must already be in canonical order, as
 * they are in anything mc_canon_verify() accepted.  Floats and ext types set
 * the sticky error. */
struct msgpack_object;
void mc_canon_object(mc_canon *w, const struct msgpack_object *o);

/* Checks that `len` bytes are exactly one value in canonical form.  Returns
 * 0, or MC_EPARSE with the offset of the first offending byte in *where (may
 * be NULL). */
int mc_canon_verify(const uint8_t *bytes, size_t len, size_t *where);

#endif
