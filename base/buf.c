/* buf.c — see buf.h. */
#include "buf.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mc_buf_free(mc_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

int mc_buf_reserve(mc_buf *b, size_t extra) {
  size_t need, cap;
  uint8_t *data;

  if (extra > SIZE_MAX / 2 - b->len)
    return MC_ETOOBIG;
  need = b->len + extra + 1; /* +1: room for mc_buf_cstr's NUL */
  if (need <= b->cap)
    return 0;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  data = realloc(b->data, cap);
  if (data == NULL)
    mc_oom(cap); /* base/error.h: one policy */
  b->data = data;
  b->cap = cap;
  return 0;
}

int mc_buf_append(mc_buf *b, const void *bytes, size_t n) {
  int rc = mc_buf_reserve(b, n);
  if (rc != 0)
    return rc;
  if (n)
    memcpy(b->data + b->len, bytes, n);
  b->len += n;
  return 0;
}

int mc_buf_append_str(mc_buf *b, const char *s) { return mc_buf_append(b, s, strlen(s)); }

int mc_buf_append_byte(mc_buf *b, uint8_t byte) { return mc_buf_append(b, &byte, 1); }

int mc_buf_vprintf(mc_buf *b, const char *fmt, va_list ap) {
  va_list copy;
  int n, rc;

  va_copy(copy, ap);
  n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0)
    return MC_EINVAL;
  rc = mc_buf_reserve(b, (size_t)n);
  if (rc != 0)
    return rc;
  vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return 0;
}

int mc_buf_printf(mc_buf *b, const char *fmt, ...) {
  va_list ap;
  int rc;
  va_start(ap, fmt);
  rc = mc_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

const char *mc_buf_cstr(mc_buf *b) {
  if (mc_buf_reserve(b, 0) != 0)
    return NULL;
  b->data[b->len] = '\0';
  return (const char *)b->data;
}

char *mc_buf_steal(mc_buf *b, size_t *len) {
  char *s;
  if (mc_buf_cstr(b) == NULL)
    return NULL;
  s = (char *)b->data;
  if (len)
    *len = b->len;
  b->data = NULL;
  b->len = b->cap = 0;
  return s;
}
