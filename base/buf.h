/* buf.h — the one growable byte buffer of motcua.
 *
 * Used for encoding (msgpack, text output, diagnostics).  A zero-initialised
 * mc_buf is a valid empty buffer.  The buffer owns `data`; free it with
 * mc_buf_free().  After any failed call the buffer holds what it held before.
 */
#ifndef MC_BUF_H
#define MC_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h" /* MC__PRINTF */

typedef struct mc_buf {
  uint8_t *data;
  size_t len;
  size_t cap;
} mc_buf;

#define MC_BUF_INIT {NULL, 0, 0}

/* Releases the storage; the buffer is empty and reusable afterwards. */
void mc_buf_free(mc_buf *b);

/* Empties the buffer, keeping its storage. */
static inline void mc_buf_reset(mc_buf *b) { b->len = 0; }

/* Makes room for `extra` more bytes.  Returns 0, or MC_ETOOBIG for a size
 * near half the address space; out of memory stops the process (mc_oom,
 * base/error.h), so appending a bounded text cannot fail and its result
 * need not be checked. */
int mc_buf_reserve(mc_buf *b, size_t extra);

int mc_buf_append(mc_buf *b, const void *bytes, size_t n);
int mc_buf_append_str(mc_buf *b, const char *s);
int mc_buf_append_byte(mc_buf *b, uint8_t byte);
int mc_buf_printf(mc_buf *b, const char *fmt, ...) MC__PRINTF(2, 3);
int mc_buf_vprintf(mc_buf *b, const char *fmt, va_list ap) MC__PRINTF(2, 0);

/* A NUL-terminated view of the contents (the NUL is not counted in len).
 * Valid until the next change to the buffer. */
const char *mc_buf_cstr(mc_buf *b);

/* Hands the storage over to the caller (free with free()), leaving the
 * buffer empty.  The returned bytes are NUL-terminated. */
char *mc_buf_steal(mc_buf *b, size_t *len);

#endif
