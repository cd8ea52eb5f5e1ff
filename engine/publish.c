/* publish.c — a whole workflows directory into the log in one batch: what a
 * fresh data directory starts from (tests, benchmarks, the server's first
 * start).  `motcua publish` does the same file by file, printing each. */
#include "engine/engine-int.h"

#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 256

int eng_publish_workflows(eng_engine *e, const char *dir, mc_instant from, mc_instant now, mc_diag_sink *sink,
                          mc_buf *why) {
  static const char *const subdirs[] = {"policies", "agencies", "templates", "procedures"};
  dsl_compile *c = NULL;
  mc_buf *texts = calloc(MAX_FILES, sizeof *texts);
  mc_source *src = calloc(MAX_FILES, sizeof *src);
  char (*names)[1280] = calloc(MAX_FILES, sizeof *names);
  int n = 0, rc = texts && src && names ? dsl_compile_new(&c) : MC_ENOMEM;
  for (size_t s = 0; rc == 0 && s < sizeof subdirs / sizeof subdirs[0]; s++) {
    char path[900];
    snprintf(path, sizeof path, "%s/%s", dir, subdirs[s]);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && rc == 0 && (de = readdir(d)) != NULL) {
      size_t len = strlen(de->d_name);
      if (len < 4 || strcmp(de->d_name + len - 3, ".mc"))
        continue;
      if (n == MAX_FILES) {
        rc = MC_ETOOBIG;
        break;
      }
      snprintf(names[n], sizeof names[n], "%s/%s", path, de->d_name);
      if ((rc = mc_file_read(names[n], 8u << 20, &texts[n])) != 0) {
        mc_buf_printf(why, "cannot read %s", names[n]);
        break;
      }
      src[n] = (mc_source){names[n], mc_buf_cstr(&texts[n]), texts[n].len};
      dsl_compile_add(c, &src[n], false, sink);
      n++;
    }
    if (d)
      closedir(d);
  }
  const dsl_artifact *arts = NULL;
  int count = 0;
  if (rc == 0 && (dsl_compile_check(c, sink) != 0 || dsl_compile_emit(c, &arts, &count) != 0)) {
    mc_buf_printf(why, "the workflows in %s do not compile", dir);
    rc = MC_EPARSE;
  }
  eng_command *cmds = rc == 0 ? calloc((size_t)count + 1, sizeof *cmds) : NULL;
  eng_result *res = rc == 0 ? calloc((size_t)count + 1, sizeof *res) : NULL;
  mc_buf packed = MC_BUF_INIT;
  char cal_dir[900];
  snprintf(cal_dir, sizeof cal_dir, "%s/calendars", dir);
  if (rc == 0 && (cmds == NULL || res == NULL))
    rc = MC_ENOMEM;
  if (rc == 0 && (rc = eng_calendar_pack_dir(cal_dir, sink, &packed)) != 0)
    mc_buf_printf(why, "the calendars in %s do not load", cal_dir);
  if (rc == 0) {
    for (int i = 0; i < count; i++)
      cmds[i] = (eng_command){.kind = ENG_CMD_PUBLISH, .actor = {"motcua", "system_admin", NULL, "motcua"},
                              .publish = {.def_kind = eng_def_kind_of(arts[i].kind),
                                          .bytes = {arts[i].bytes.data, arts[i].bytes.len},
                                          .effective_from = from}};
    cmds[count] = (eng_command){.kind = ENG_CMD_PUBLISH, .actor = {"motcua", "system_admin", NULL, "motcua"},
                                .publish = {.def_kind = ENG_DEF_CALENDAR, .bytes = {packed.data, packed.len},
                                            .effective_from = from}};
    rc = eng_execute(e, cmds, count + 1, now, res);
    for (int i = 0; rc == 0 && i <= count; i++)
      if (res[i].status != 0) {
        mc_buf_printf(why, "publishing %s: %s", i < count ? arts[i].id : "the calendars", res[i].message);
        rc = res[i].status;
      }
  }
  free(cmds);
  free(res);
  mc_buf_free(&packed);
  dsl_compile_free(c);
  for (int i = 0; texts && i < n; i++)
    mc_buf_free(&texts[i]);
  free(texts);
  free(src);
  free(names);
  return rc;
}

int eng_calendar_pack(const char *id, const char *const *names, const char *const *texts, int n,
                      mc_buf *out) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 2);
  mc_canon_key(&w, "files");
  mc_canon_array(&w, (uint32_t)n);
  for (int i = 0; i < n; i++) {
    mc_canon_map(&w, 2);
    mc_canon_kv_str(&w, "name", names[i]);
    mc_canon_kv_str(&w, "text", texts[i]);
  }
  mc_canon_kv_str(&w, "id", id);
  return mc_canon_finish(&w);
}

int eng_calendar_pack_dir(const char *dir, mc_diag_sink *sink, mc_buf *out) {
  char *id, **names, **texts;
  int n, rc = eng_calendar_read_dir(dir, sink, &id, &names, &texts, &n);
  if (rc)
    return rc;
  rc = eng_calendar_pack(id, (const char *const *)names, (const char *const *)texts, n, out);
  eng_calendar_names_free(names, texts, n);
  free(id);
  return rc;
}

eng_def_kind eng_def_kind_of(int artifact_kind) {
  return artifact_kind == DSL_ARTIFACT_PROCEDURE ? ENG_DEF_PROCEDURE
         : artifact_kind == DSL_ARTIFACT_POLICY  ? ENG_DEF_POLICY
         : artifact_kind == DSL_ARTIFACT_TEMPLATE ? ENG_DEF_TEMPLATE
                                                     : ENG_DEF_DIRECTORY;
}
