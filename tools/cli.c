/* cli.c — helpers shared by the motcua subcommands (see cli.h). */
#include "tools/cli.h"

#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef MOTCUA_WORKFLOWS_DIR
#define MOTCUA_WORKFLOWS_DIR "workflows"
#endif

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

int cli_load_calendar(const char *const *files, int nfiles, eng_calendar **out) {
  mc_diag_sink sink = {mc_diag_print_to_file, stderr, 0, 0};
  char dir[4096];
  int rc;

  if (nfiles == 0) {
    snprintf(dir, sizeof dir, "%s/calendars", cli_workflows_dir());
    rc = eng_calendar_load_dir(dir, &sink, out);
  } else {
    rc = eng_calendar_load(files, nfiles, &sink, out);
  }
  if (rc == 0)
    return CLI_OK;
  if (rc == MC_EPARSE) {
    fprintf(stderr, "motcua: the calendar has %d error%s; nothing was computed\n", sink.errors,
            sink.errors == 1 ? "" : "s");
    return CLI_FAILED;
  }
  if (rc == MC_ENOMEM) {
    fprintf(stderr, "motcua: out of memory\n");
    return CLI_FAILED;
  }
  return CLI_USAGE; /* a file named on the command line cannot be read */
}
