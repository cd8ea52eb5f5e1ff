/* calendar_load.c — reading calendar files from disk.
 *
 * The calendar itself is pure (calendar_parse.c takes buffers); this is the
 * thin I/O layer every host uses — the command line, the benchmarks, the
 * tests, later the server at start-up — so that they all read calendars the
 * same way: files in the order given, or a directory's *.cal sorted by name.
 */
#include "engine/calendar.h"

#include "base/error.h"
#include "base/file.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A calendar file is a few kilobytes; anything bigger is not a calendar. */
#define CALENDAR_MAX_BYTES (4u << 20)

int eng_calendar_load(const char *const *paths, int npaths, mc_diag_sink *sink,
                      eng_calendar **out) {
  mc_buf *texts = NULL;
  mc_source *sources = NULL;
  int rc = 0;

  *out = NULL;
  texts = calloc((size_t)npaths + 1, sizeof *texts);
  sources = calloc((size_t)npaths + 1, sizeof *sources);
  if (texts == NULL || sources == NULL) {
    rc = MC_ENOMEM;
    goto done;
  }
  for (int i = 0; i < npaths; i++) {
    int read_rc = mc_file_read(paths[i], CALENDAR_MAX_BYTES, &texts[i]);
    if (read_rc != 0) {
      mc_diag_at(sink, MC_DIAG_ERROR, NULL, 0, 0,
                 read_rc == MC_ENOENT ? "check the path; calendars live in workflows/calendars/" : NULL,
                 "cannot read the calendar file %s: %s", paths[i],
                 read_rc == MC_ETOOBIG ? "larger than 4 MiB, surely not a calendar"
                                       : mc_strerror(read_rc));
      if (rc == 0)
        rc = read_rc;
      continue;
    }
    sources[i] = (mc_source){paths[i], mc_buf_cstr(&texts[i]), texts[i].len};
    if (sources[i].text == NULL)
      rc = MC_ENOMEM;
  }
  if (rc == 0)
    rc = eng_calendar_parse(sources, npaths, sink, out);
done:
  for (int i = 0; texts && i < npaths; i++)
    mc_buf_free(&texts[i]);
  free(texts);
  free(sources);
  return rc;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int eng_calendar_load_dir(const char *dir, mc_diag_sink *sink, eng_calendar **out) {
  DIR *d;
  struct dirent *e;
  char **paths = NULL;
  int n = 0, cap = 0, rc = 0;

  *out = NULL;
  d = opendir(dir);
  if (d == NULL) {
    mc_diag_at(sink, MC_DIAG_ERROR, NULL, 0, 0, "pass the calendar files by name",
               "cannot open the calendar directory %s", dir);
    return MC_ENOENT;
  }
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name), need = strlen(dir) + len + 2;
    if (len < 5 || strcmp(e->d_name + len - 4, ".cal") != 0)
      continue;
    if (n == cap) {
      char **grown = realloc(paths, (size_t)(cap = cap ? cap * 2 : 8) * sizeof *paths);
      if (grown == NULL) {
        rc = MC_ENOMEM;
        break;
      }
      paths = grown;
    }
    if ((paths[n] = malloc(need)) == NULL) {
      rc = MC_ENOMEM;
      break;
    }
    snprintf(paths[n++], need, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  if (rc == 0 && n == 0) {
    mc_diag_at(sink, MC_DIAG_ERROR, NULL, 0, 0, "pass the calendar files by name",
               "there is no .cal file in %s", dir);
    rc = MC_ENOENT;
  }
  if (rc == 0) {
    qsort(paths, (size_t)n, sizeof *paths, compare_names);
    rc = eng_calendar_load((const char *const *)paths, n, sink, out);
  }
  for (int i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  return rc;
}
