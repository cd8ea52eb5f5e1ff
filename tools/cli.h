/* cli.h — what the motcua subcommands share: exit statuses, the bundled
 * workflows directory, and loading calendars with their diagnostics. */
#ifndef MOTCUA_CLI_H
#define MOTCUA_CLI_H

#include "engine/calendar.h"

/* Exit statuses of every motcua command. */
enum {
  CLI_OK = 0,
  CLI_FAILED = 1, /* the input was read but is wrong (diagnostics printed) */
  CLI_USAGE = 2,  /* the command line itself is wrong */
};

/* The directory of the bundled workflows: $MOTCUA_WORKFLOWS, or the one this
 * build was made from. */
const char *cli_workflows_dir(void);

/* Reads and parses calendar files, printing diagnostics to stderr.  With no
 * files, loads every *.cal of <workflows>/calendars.  Returns CLI_OK and a
 * calendar, or CLI_FAILED / CLI_USAGE after printing why. */
int cli_load_calendar(const char *const *files, int nfiles, eng_calendar **out);

/* Prints "motcua <cmd>: error: <message>" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
