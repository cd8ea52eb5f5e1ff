/* calendar_load.c — reading calendar files from disk.
 *
 * The calendar itself is pure (calendar_parse.c takes buffers); this is the
 * thin I/O layer every host uses — the command line, the benchmarks, the
 * tests, later the server at start-up — so that they all read calendars the
 * same way: files in the order given, or a directory's *.cal sorted by name.
 */
#include "calendar/calendar-int.h"

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
      cal__error(sink, NULL, 0, 0,
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

/* The .cal files of a directory, sorted by name (paths malloc'd). */
static int list_cal_files(const char *dir, mc_diag_sink *sink, char ***out, int *count) {
  DIR *d;
  struct dirent *e;
  char **paths = NULL;
  int n = 0, cap = 0, rc = 0;

  *out = NULL;
  *count = 0;
  d = opendir(dir);
  if (d == NULL) {
    cal__error(sink, NULL, 0, 0, "pass the calendar files by name",
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
    cal__error(sink, NULL, 0, 0, "pass the calendar files by name",
               "there is no .cal file in %s", dir);
    rc = MC_ENOENT;
  }
  if (rc == 0)
    qsort(paths, (size_t)n, sizeof *paths, compare_names);
  *out = paths;
  *count = n;
  return rc;
}

static void free_paths(char **paths, int n) {
  for (int i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
}

int eng_calendar_load_dir(const char *dir, mc_diag_sink *sink, eng_calendar **out) {
  char **paths;
  int n, rc = list_cal_files(dir, sink, &paths, &n);
  *out = NULL;
  if (rc == 0)
    rc = eng_calendar_load((const char *const *)paths, n, sink, out);
  free_paths(paths, n);
  return rc;
}

int eng_calendar_read_dir(const char *dir, mc_diag_sink *sink, char **id_out, char ***names_out,
                          char ***texts_out, int *count) {
  char **paths;
  eng_calendar *cal = NULL;
  int n, rc = list_cal_files(dir, sink, &paths, &n);
  *id_out = NULL;
  *names_out = *texts_out = NULL;
  *count = 0;
  if (rc == 0)
    rc = eng_calendar_load((const char *const *)paths, n, sink, &cal); /* it must parse */
  char **names = rc == 0 ? calloc((size_t)n, sizeof *names) : NULL;
  char **texts = rc == 0 ? calloc((size_t)n, sizeof *texts) : NULL;
  if (rc == 0 && (names == NULL || texts == NULL))
    rc = MC_ENOMEM;
  for (int i = 0; rc == 0 && i < n; i++) {
    mc_buf text = MC_BUF_INIT;
    const char *base = strrchr(paths[i], '/');
    names[i] = strdup(base ? base + 1 : paths[i]);
    rc = mc_file_read(paths[i], CALENDAR_MAX_BYTES, &text);
    texts[i] = rc == 0 ? mc_buf_steal(&text, NULL) : NULL;
    mc_buf_free(&text);
    if (rc == 0 && (names[i] == NULL || texts[i] == NULL))
      rc = MC_ENOMEM;
  }
  if (rc == 0 && (*id_out = strdup(eng_calendar_id(cal))) == NULL)
    rc = MC_ENOMEM;
  eng_calendar_free(cal);
  free_paths(paths, n);
  if (rc != 0) {
    eng_calendar_names_free(names, texts, n);
    return rc;
  }
  *names_out = names;
  *texts_out = texts;
  *count = n;
  return 0;
}

void eng_calendar_names_free(char **names, char **texts, int n) {
  for (int i = 0; i < n; i++) {
    if (names)
      free(names[i]);
    if (texts)
      free(texts[i]);
  }
  free(names);
  free(texts);
}
