/* report.c — how the checks and the parser hand a finding to the sink:
 * the span's file, line and column, the message, the hint, in the sink's
 * language (the Vietnamese is messages_vi.c).  Below every
 * other file of dsl/ that reports (the layers of tools/check-structure.py). */
#include "dsl/dsl-int.h"

#include <stdarg.h>
#include <stdio.h>

void dsl__report_v(mc_diag_sink *sink, mc_diag_severity severity, dsl_span at, const char *hint, const char *fmt,
                   va_list ap) {
  mc_diag_vat(sink, dsl__messages_vi, severity, at.src, at.off, at.end > at.off ? at.end - at.off : 1, hint, fmt,
              ap);
}

void dsl__error_at(mc_diag_sink *sink, dsl_span at, const char *hint, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  dsl__report_v(sink, MC_DIAG_ERROR, at, hint, fmt, ap);
  va_end(ap);
}
