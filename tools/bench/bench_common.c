/* bench_common.c — what the benchmarks share: a clock, instants, and the
 * bundled workflows published into a fresh data directory. */
#include "tools/bench/bench_common.h"

#include "base/error.h"
#include "base/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

mc_instant at(const char *iso) {
  mc_instant t;
  mc_instant_parse(iso, 420, &t);
  return t;
}

void publish_bundle(eng_engine *e) {
  mc_diag_sink sink = {mc_diag_print_to_file, stderr, 0, 0};
  mc_buf why = MC_BUF_INIT;
  if (eng_publish_workflows(e, MOTCUA_WORKFLOWS_DIR, at("2025-01-01T00:00"), at("2025-12-01T08:00"), &sink, &why)) {
    fprintf(stderr, "bench: publishing the bundle: %s\n", mc_buf_cstr(&why));
    exit(1);
  }
  mc_buf_free(&why);
}

