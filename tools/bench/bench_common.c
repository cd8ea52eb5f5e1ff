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

double now_s(void) { return (double)mc_mono_ns() / 1e9; }

mc_instant at(const char *iso) {
  mc_instant t;
  mc_instant_parse(iso, MC_VN_OFFSET_MIN, &t);
  return t;
}

void publish_bundle(eng_engine *e) {
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
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

/* What the log takes on disk (storage/footprint.c): LMDB pages in use in the
 * legal record's environment, everything included (the log, storage's
 * indexes, the engine's projections; not aux), per event. */
typedef struct footprint {
  uint64_t log, indexes, projections, other;
} footprint;

static int footprint_db(void *opaque, const char *name, uint64_t pages, uint64_t entries) {
  footprint *f = opaque;
  if (getenv("MOTCUA_BENCH_FOOTPRINT_DBS"))
    printf("    db %-16s %8llu pages %8llu entries\n", name, (unsigned long long)pages, (unsigned long long)entries);
  if (!strcmp(name, "log"))
    f->log += pages;
  else if (!strcmp(name, "stream") || !strcmp(name, "type") || !strcmp(name, "time") || !strcmp(name, "command"))
    f->indexes += pages;
  else if (!strncmp(name, "eng_", 4))
    f->projections += pages;
  else
    f->other += pages;
  return 0;
}

double bench_footprint(eng_engine *e, const char *label) {
  store_read *rd;
  footprint f = {0};
  uint64_t page_size = 0, events = 0;
  uint8_t head[MC_SHA256_BYTES];
  if (store_read_begin(eng_store(e), &rd) != 0)
    return 0;
  int rc = store_read_footprint(rd, footprint_db, &f, &page_size);
  if (rc == 0)
    rc = store_read_head(rd, &events, head);
  store_read_end(rd);
  if (rc != 0 || events == 0)
    return 0;
  uint64_t pages = f.log + f.indexes + f.projections + f.other;
  double per_event = (double)(pages * page_size) / (double)events;
  printf("%s %llu events in %llu pages of %llu B (log %llu, indexes %llu, projections %llu, other %llu): "
         "%.0f B per event (aim: at most 1,024)\n",
         label, (unsigned long long)events, (unsigned long long)pages, (unsigned long long)page_size,
         (unsigned long long)f.log, (unsigned long long)f.indexes, (unsigned long long)f.projections,
         (unsigned long long)f.other, per_event);
  return per_event;
}
