/* text.c — see text.h. */
#include "text.h"

#include "error.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <utf8proc.h>

size_t mc_text_utf8_valid_prefix(const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  while (i < len) {
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
    if (n <= 0 || cp < 0)
      return i;
    i += (size_t)n;
  }
  return len;
}

static bool all_ascii(const char *text, size_t len) {
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)text[i] >= 0x80)
      return false;
  return true;
}

/* A quick check without allocating: true when the text is valid UTF-8 made
 * only of code points below U+0300 (Latin, with no combining marks) or in
 * Latin Extended Additional U+1E00-U+1EFF (Vietnamese precomposed letters).
 * Every such code point is NFC_Quick_Check=Yes and has combining class 0, so
 * the text is in NFC as it stands.  Vietnamese typed by a composing input
 * method passes; anything else goes to the full normalisation. */
static bool quick_nfc(const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  while (i < len) {
    if (s[i] < 0x80) {
      i++;
    } else if ((s[i] & 0xE0) == 0xC0) { /* U+0080..U+07FF */
      if (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80)
        return false;
      uint32_t cp = (uint32_t)(s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F);
      if (cp < 0x80 || cp >= 0x300)
        return false;
      i += 2;
    } else if ((s[i] & 0xF0) == 0xE0) { /* U+0800..U+FFFF */
      if (i + 2 >= len || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80)
        return false;
      uint32_t cp = (uint32_t)(s[i] & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
      if (cp < 0x1E00 || cp > 0x1EFF)
        return false;
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

int mc_text_nfc(const char *text, size_t len, mc_buf *out) {
  utf8proc_uint8_t *nfc = NULL;
  utf8proc_ssize_t n;
  int rc;

  if (all_ascii(text, len) || quick_nfc(text, len))
    return mc_buf_append(out, text, len);
  if (mc_text_utf8_valid_prefix(text, len) != len)
    return MC_EPARSE;
  n = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &nfc,
                   UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  if (n < 0)
    return n == UTF8PROC_ERROR_NOMEM ? MC_ENOMEM : MC_EPARSE;
  rc = mc_buf_append(out, nfc, (size_t)n);
  free(nfc);
  return rc;
}

bool mc_text_is_nfc(const char *text, size_t len) {
  mc_buf b = MC_BUF_INIT;
  bool same;
  if (all_ascii(text, len) || quick_nfc(text, len))
    return true;
  if (mc_text_nfc(text, len, &b) != 0) {
    mc_buf_free(&b);
    return false;
  }
  same = b.len == len && memcmp(b.data, text, len) == 0;
  mc_buf_free(&b);
  return same;
}

void mc_text_utf8_cut(char *s) { s[mc_text_utf8_valid_prefix(s, strlen(s))] = '\0'; }

int mc_text_edit_distance(const char *a, size_t na, const char *b) {
  size_t nb = strlen(b);
  int row[64];
  if (na >= 63 || nb >= 63)
    return 99;
  for (size_t j = 0; j <= nb; j++)
    row[j] = (int)j;
  for (size_t i = 1; i <= na; i++) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= nb; j++) {
      int up = row[j], best = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[nb];
}

const char *mc_text_closest(const char *const *list, const char *word, size_t len, int limit) {
  const char *best = NULL;
  for (int i = 0; list[i]; i++) {
    int d = mc_text_edit_distance(word, len, list[i]);
    if (d < limit)
      limit = d, best = list[i];
  }
  return best;
}

int mc_text_fold(const char *text, mc_buf *out) {
  utf8proc_uint8_t *mapped = NULL;
  utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, 0, &mapped,
                                    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                        UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
  if (n < 0)
    return MC_EINVAL;
  bool space = true;
  size_t start = out->len;
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t step = utf8proc_iterate(mapped + i, n - i, &cp);
    if (step <= 0)
      break;
    i += step;
    /* Letters and digits are kept; đ (U+0111, no decomposition) is d;
     * everything else (punctuation, dashes, quotes, symbols, spaces) parts words. */
    utf8proc_category_t cat = utf8proc_category(cp);
    bool word = cp == 0x111 || (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
    if (!word) {
      if (!space)
        mc_buf_append_byte(out, ' ');
      space = true;
      continue;
    }
    if (cp == 0x111)
      cp = 'd';
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t len = utf8proc_encode_char(cp, enc);
    mc_buf_append(out, enc, (size_t)len);
    space = false;
  }
  if (out->len > start && out->data[out->len - 1] == ' ')
    out->len--;
  free(mapped);
  if (mc_buf_append_byte(out, 0))
    return MC_ENOMEM;
  out->len--; /* NUL-terminated, the NUL not counted */
  return 0;
}
