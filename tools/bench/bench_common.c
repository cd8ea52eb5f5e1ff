/* bench_common.c — what the benchmarks share: a clock, instants, and the
 * bundled workflows published into a fresh data directory. */
#include "tools/bench/bench_common.h"

#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"

#include <dirent.h>
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
  static const char *const subdirs[] = {"policies", "agencies", "templates", "procedures"};
  dsl_compile *c;
  static mc_buf texts[64];
  static mc_source src[64];
  static char names[64][1024];
  int n = 0;
  mc_diag_sink sink = {mc_diag_print_to_file, stderr, 0, 0};
  dsl_compile_new(&c);
  for (size_t s = 0; s < sizeof subdirs / sizeof subdirs[0]; s++) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", MOTCUA_WORKFLOWS_DIR, subdirs[s]);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL && n < 64) {
      size_t len = strlen(de->d_name);
      if (len < 4 || strcmp(de->d_name + len - 3, ".mc"))
        continue;
      snprintf(names[n], sizeof names[n], "%s/%s", path, de->d_name);
      mc_file_read(names[n], 1 << 20, &texts[n]);
      src[n] = (mc_source){names[n], mc_buf_cstr(&texts[n]), texts[n].len};
      dsl_compile_add(c, &src[n], false, &sink);
      n++;
    }
    if (d)
      closedir(d);
  }
  const dsl_artifact *arts;
  int count;
  if (dsl_compile_check(c, &sink) || dsl_compile_emit(c, &arts, &count)) {
    fprintf(stderr, "bench-engine: the bundle does not compile\n");
    exit(1);
  }
  eng_command cmds[64];
  eng_result res[64];
  memset(cmds, 0, sizeof cmds);
  if (count > 63)
    exit(1);
  for (int i = 0; i < count; i++)
    cmds[i] = (eng_command){.kind = ENG_CMD_PUBLISH, .actor = {"bench", "system_admin", NULL, "bench"},
                            .def_kind = eng_def_kind_of(arts[i].kind), .def_bytes = arts[i].bytes.data,
                            .def_len = arts[i].bytes.len, .effective_from = at("2025-01-01T00:00")};
  mc_buf packed = MC_BUF_INIT;
  if (eng_calendar_pack_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &packed) != 0)
    exit(1);
  cmds[count] = (eng_command){.kind = ENG_CMD_PUBLISH, .actor = {"bench", "system_admin", NULL, "bench"},
                              .def_kind = ENG_DEF_CALENDAR, .def_bytes = packed.data, .def_len = packed.len};
  eng_execute(e, cmds, count + 1, at("2025-12-01T08:00"), res);
  dsl_compile_free(c);
}

