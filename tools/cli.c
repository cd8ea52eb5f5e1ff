/* cli.c — helpers shared by the motcua subcommands (see cli.h). */
#include "tools/cli.h"

#include "base/error.h"
#include "base/file.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MOTCUA_WORKFLOWS_DIR
#define MOTCUA_WORKFLOWS_DIR "workflows"
#endif

/* Calendar files are small; anything bigger is not a calendar. */
#define CALENDAR_MAX_BYTES (4u << 20)

const char *cli_workflows_dir(void) {
  const char *env = getenv("MOTCUA_WORKFLOWS");
  return env && *env ? env : MOTCUA_WORKFLOWS_DIR;
}

void cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "motcua %s: error: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists <workflows>/calendars/ *.cal, sorted. */
static int bundled_calendar_files(char ***out, int *count) {
  char dir[4096];
  DIR *d;
  struct dirent *e;
  char **names = NULL;
  int n = 0, cap = 0;

  snprintf(dir, sizeof dir, "%s/calendars", cli_workflows_dir());
  d = opendir(dir);
  if (d == NULL) {
    cli_error("deadline", "cannot open the bundled calendars in %s; pass --calendar FILE", dir);
    return CLI_USAGE;
  }
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".cal") != 0)
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 8;
      char **grown = realloc(names, (size_t)cap * sizeof *names);
      if (grown == NULL)
        break;
      names = grown;
    }
    size_t need = strlen(dir) + len + 2;
    if ((names[n] = malloc(need)) == NULL)
      break;
    snprintf(names[n], need, "%s/%s", dir, e->d_name);
    n++;
  }
  closedir(d);
  if (n == 0) {
    cli_error("deadline", "no .cal file in %s; pass --calendar FILE", dir);
    free(names);
    return CLI_USAGE;
  }
  qsort(names, (size_t)n, sizeof *names, compare_names);
  *out = names;
  *count = n;
  return CLI_OK;
}

int cli_load_calendar(const char *const *files, int nfiles, eng_calendar **out) {
  char **owned = NULL;
  int nowned = 0, status = CLI_OK;
  mc_buf *texts = NULL;
  mc_source *sources = NULL;
  mc_diag_sink sink = {mc_diag_print_to_file, stderr, 0, 0};

  *out = NULL;
  if (nfiles == 0) {
    if ((status = bundled_calendar_files(&owned, &nowned)) != CLI_OK)
      return status;
    files = (const char *const *)owned;
    nfiles = nowned;
  }
  texts = calloc((size_t)nfiles + 1, sizeof *texts);
  sources = calloc((size_t)nfiles + 1, sizeof *sources);
  if (texts == NULL || sources == NULL) {
    status = CLI_FAILED;
    goto done;
  }
  for (int i = 0; i < nfiles; i++) {
    int rc = mc_file_read(files[i], CALENDAR_MAX_BYTES, &texts[i]);
    if (rc != 0) {
      cli_error("deadline", "cannot read the calendar file %s: %s", files[i],
                rc == MC_ETOOBIG ? "larger than 4 MiB, surely not a calendar" : mc_strerror(rc));
      status = CLI_USAGE;
      goto done;
    }
    sources[i] = (mc_source){files[i], mc_buf_cstr(&texts[i]), texts[i].len};
  }
  int rc = eng_calendar_parse(sources, nfiles, &sink, out);
  if (rc != 0) {
    if (rc == MC_EPARSE)
      fprintf(stderr, "motcua: the calendar has %d error%s; nothing was computed\n", sink.errors,
              sink.errors == 1 ? "" : "s");
    else
      cli_error("deadline", "%s", mc_strerror(rc));
    status = CLI_FAILED;
  }
done:
  for (int i = 0; texts && i < nfiles; i++)
    mc_buf_free(&texts[i]);
  free(texts);
  free(sources);
  for (int i = 0; i < nowned; i++)
    free(owned[i]);
  free(owned);
  return status;
}
