/* text.h — Unicode text as motcua stores it.
 *
 * Every text that enters the log or a compiled definition is valid UTF-8 in
 * Normalization Form C (ARCHITECTURE.md "Canonical bytes"): Vietnamese input
 * methods send decomposed text ("e" + U+0302 + U+0301 for "ế"), and two
 * spellings of one name must give one byte string and one hash.  libutf8proc
 * does the normalising.
 */
#ifndef MC_TEXT_H
#define MC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Appends the NFC form of `len` bytes of UTF-8 to `out`.  Returns 0,
 * MC_EPARSE when the input is not valid UTF-8 (nothing appended), or
 * MC_ENOMEM. */
int mc_text_nfc(const char *text, size_t len, mc_buf *out);

/* Whether the bytes are valid UTF-8 already in NFC (cheap for ASCII). */
bool mc_text_is_nfc(const char *text, size_t len);

/* Offset of the first byte that is not valid UTF-8, or `len`. */
size_t mc_text_utf8_valid_prefix(const char *text, size_t len);

/* Ends `s` before its first byte that is not valid UTF-8 (a text cut to fit
 * a buffer, a client's bytes): what a JSON reply can carry. */
void mc_text_utf8_cut(char *s);

/* Copies the text `src` into `dst` of `size` bytes (size > 0), cut to fit
 * and NUL-terminated, like snprintf(dst, size, "%s", src) without its cost
 * (a hot path copies a dossier's texts per event).  NULL copies "". */
static inline void mc_text_copy(char *dst, size_t size, const char *src) {
  size_t n = 0;
  if (src)
    while (n + 1 < size && src[n])
      n++;
  for (size_t i = 0; i < n; i++)
    dst[i] = src[i];
  dst[n] = '\0';
}

/* The edit distance (Levenshtein, letters compared without case) between
 * `len` bytes of `a` and the word `b`; 99 when either is 63 bytes or more. */
int mc_text_edit_distance(const char *a, size_t len, const char *b);

/* The word of a NULL-ended list closest to `len` bytes of `word` when it
 * looks like a typo of it (fewer than `limit` edits), else NULL: what a
 * "did you mean" hint names. */
const char *mc_text_closest(const char *const *list, const char *word, size_t len, int limit);

/* `text` as a search compares it: NFKD, case-folded, marks stripped (đ is
 * d), every run of what is not a letter or digit one space, no space at
 * either end; appended to `out` (NUL-terminated, the NUL not counted).
 * "Nguyễn Văn Đức" -> "nguyen van duc".  MC_EINVAL: not UTF-8. */
int mc_text_fold(const char *text, mc_buf *out);

#endif
