/* report.c — how the calendar's reader hands a finding to the sink, in the
 * sink's language (base/diag.h; the Vietnamese is messages_vi.c). */
#include "calendar/calendar-int.h"

void cal__error(mc_diag_sink *sink, const mc_source *src, size_t offset, size_t span_bytes, const char *hint,
                const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mc_diag_vat(sink, cal__messages_vi, MC_DIAG_ERROR, src, offset, span_bytes, hint, fmt, ap);
  va_end(ap);
}
