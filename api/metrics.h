/* metrics.h — what motcuad counts for /metrics (the Prometheus text
 * format, version 0.0.4): operations by outcome, denials, HTTP responses by
 * class, connections, pushes and frames; the writer's and the engine's
 * figures are read when rendered. */
#ifndef MOTCUA_API_METRICS_H
#define MOTCUA_API_METRICS_H

#include <stdint.h>

#include "base/buf.h"

typedef struct srv srv;

/* How an operation ended. */
enum { OUT_OK, OUT_REFUSED, OUT_FORBIDDEN, OUT_CONFLICT, OUT_BAD, OUT_ERROR, OUT_THROTTLED, OUT_N };

typedef struct metric_op {
  char op[24];
  uint64_t by_outcome[OUT_N];
} metric_op;

#define METRIC_MAX_OPS 48

typedef struct metrics {
  metric_op ops[METRIC_MAX_OPS];
  int nops;
  metric_op denials[METRIC_MAX_OPS];
  int ndenials;
  uint64_t http_by_class[6];   /* 1xx..5xx by hundreds, [0] other */
  uint64_t connections_total, pushes_total, frames_in_total, bad_frames_total;
} metrics;

void srv_metrics_count(metrics *m, const char *op, int outcome);
void srv_metrics_denial(metrics *m, const char *op);
/* The Prometheus text of /metrics. */
void srv_metrics_render(srv *s, mc_buf *out);

#endif
