/* diag.c — see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *severity_name(mc_diag_severity s) {
  switch (s) {
  case MC_DIAG_ERROR: return "error";
  case MC_DIAG_WARNING: return "warning";
  default: return "note";
  }
}

/* Counts the characters of UTF-8 text (continuation bytes are not counted;
 * invalid bytes count as one character each, which keeps carets sane). */
static int utf8_chars(const char *s, size_t n) {
  int count = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      count++;
  return count;
}

/* The base's own texts: what a sink says when it stops. */
static const mc_diag_text texts_vi[] = {
    {"too many errors; the rest are not shown", "quá nhiều lỗi; các lỗi còn lại không được hiển thị"},
    {"mend these first, then check again", "hãy sửa các lỗi này trước, rồi kiểm tra lại"},
    {NULL, NULL},
};

/* `text` in the sink's language into `buf`; English when no row has it. */
static const char *in_language(mc_diag_sink *sink, const mc_diag_text *texts, const char *text, char *buf,
                               size_t size) {
  if (text == NULL || sink->lang != MC_LANG_VI || texts == NULL)
    return text;
  if (mc_diag_translate(texts, text, buf, size))
    return buf;
  sink->untranslated++;
  return text;
}

void mc_diag_vat(mc_diag_sink *sink, const mc_diag_text *texts, mc_diag_severity severity,
                 const mc_source *src, size_t offset, size_t span_bytes, const char *hint,
                 const char *fmt, va_list ap) {
  char english[1024], message[1024], hint_vi[1024];
  mc_diag d = {.severity = severity, .source = src, .span = 1, .lang = sink->lang};

  if (severity == MC_DIAG_ERROR && sink->errors >= MC_DIAG_MAX_REPORTED) {
    if (sink->errors++ == MC_DIAG_MAX_REPORTED && sink->fn) {
      char stop_msg[128], stop_hint[128];
      mc_diag stop = {.severity = MC_DIAG_ERROR, .span = 1, .lang = sink->lang,
                      .message = in_language(sink, texts_vi, "too many errors; the rest are not shown",
                                             stop_msg, sizeof stop_msg),
                      .hint = in_language(sink, texts_vi, "mend these first, then check again", stop_hint,
                                          sizeof stop_hint)};
      sink->fn(sink->opaque, &stop);
    }
    return;
  }

  vsnprintf(english, sizeof english, fmt, ap);
  d.message = in_language(sink, texts, english, message, sizeof message);
  d.hint = in_language(sink, texts, hint, hint_vi, sizeof hint_vi);

  if (src != NULL && src->text != NULL) {
    size_t line_start = 0;
    if (offset > src->len)
      offset = src->len;
    d.line = 1;
    for (size_t i = 0; i < offset; i++) {
      if (src->text[i] == '\n') {
        d.line++;
        line_start = i + 1;
      }
    }
    d.col = utf8_chars(src->text + line_start, offset - line_start) + 1;
    if (span_bytes > src->len - offset)
      span_bytes = src->len - offset;
    d.span = utf8_chars(src->text + offset, span_bytes);
    if (d.span < 1)
      d.span = 1;
  }

  if (severity == MC_DIAG_ERROR)
    sink->errors++;
  else if (severity == MC_DIAG_WARNING)
    sink->warnings++;
  if (sink->fn)
    sink->fn(sink->opaque, &d);
}

void mc_diag_at(mc_diag_sink *sink, mc_diag_severity severity, const mc_source *src,
                size_t offset, size_t span_bytes, const char *hint, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mc_diag_vat(sink, NULL, severity, src, offset, span_bytes, hint, fmt, ap);
  va_end(ap);
}

int mc_diag_format(mc_buf *out, const mc_diag *d) {
  int rc;
  const mc_source *src = d->source;

  if (src && d->line > 0)
    rc = mc_buf_printf(out, "%s:%d:%d: %s: %s\n", src->name, d->line, d->col,
                       severity_name(d->severity), d->message);
  else if (src)
    rc = mc_buf_printf(out, "%s: %s: %s\n", src->name, severity_name(d->severity), d->message);
  else
    rc = mc_buf_printf(out, "%s: %s\n", severity_name(d->severity), d->message);
  if (rc != 0)
    return rc;

  if (src && src->text && d->line > 0) {
    /* Find the line again and show it with a caret under the spot. */
    const char *p = src->text, *end = src->text + src->len, *eol;
    for (int line = 1; line < d->line && p < end; line++) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      p = nl ? nl + 1 : end;
    }
    eol = memchr(p, '\n', (size_t)(end - p));
    if (eol == NULL)
      eol = end;
    if (eol > p && eol[-1] == '\r')
      eol--;
    rc = mc_buf_printf(out, "%5d | %.*s\n      | ", d->line, (int)(eol - p), p);
    /* Pad with the line's own tabs so the caret stays aligned. */
    const char *q = p;
    for (int c = 1; c < d->col && q < eol; q++) {
      if (((unsigned char)*q & 0xC0) == 0x80)
        continue;
      if (rc == 0)
        rc = mc_buf_append_byte(out, *q == '\t' ? '\t' : ' ');
      c++;
    }
    if (rc == 0)
      rc = mc_buf_append_byte(out, '^');
    for (int i = 1; i < d->span && rc == 0; i++)
      rc = mc_buf_append_byte(out, '~');
    if (rc == 0)
      rc = mc_buf_append_byte(out, '\n');
  }
  if (rc == 0 && d->hint)
    rc = mc_buf_printf(out, "%s: %s\n", d->lang == MC_LANG_VI ? "gợi ý" : "hint", d->hint);
  return rc;
}

void mc_diag_print_to_file(void *opaque, const mc_diag *d) {
  mc_buf b = MC_BUF_INIT;
  if (mc_diag_format(&b, d) == 0)
    fwrite(b.data, 1, b.len, (FILE *)opaque);
  mc_buf_free(&b);
}
