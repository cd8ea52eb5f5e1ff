/* bench_common.c — what the benchmarks share: a clock, instants, and the
 * bundled workflows published into a fresh data directory. */
#include "tools/bench/bench_common.h"

#include "base/canon.h"

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


void birth_form(mc_buf *out) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 6);
  mc_canon_kv_str(&w, "birth_date", "2026-02-01");
  mc_canon_kv_str(&w, "birth_place", "Bệnh viện Đa khoa tỉnh Bắc Ninh");
  mc_canon_kv_str(&w, "child_name", "Nguyễn Minh An");
  mc_canon_kv_str(&w, "gender", "Nam");
  mc_canon_kv_str(&w, "mother_id", "027190001234");
  mc_canon_kv_str(&w, "phone", "0912345678");
  mc_canon_finish(&w);
}
