/* text.c — see text.h. */
#include "text.h"

#include "error.h"

#include <stdint.h>
#include <stdlib.h>
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

int mc_text_nfc(const char *text, size_t len, mc_buf *out) {
  utf8proc_uint8_t *nfc = NULL;
  utf8proc_ssize_t n;
  int rc;

  if (all_ascii(text, len))
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
  if (all_ascii(text, len))
    return true;
  if (mc_text_nfc(text, len, &b) != 0) {
    mc_buf_free(&b);
    return false;
  }
  same = b.len == len && memcmp(b.data, text, len) == 0;
  mc_buf_free(&b);
  return same;
}
