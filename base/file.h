/* file.h — whole-file reading for the tools and loaders.
 *
 * The parsers are pure (they take a buffer); this is the one place a source
 * file is read from disk.
 */
#ifndef MC_FILE_H
#define MC_FILE_H

#include "buf.h"

/* Appends the whole contents of `path` to `out` (NUL-terminated through
 * mc_buf_cstr).  Refuses files over `max_bytes` with MC_ETOOBIG.  Returns 0
 * or a project error code translated from errno. */
int mc_file_read(const char *path, size_t max_bytes, mc_buf *out);

#endif
