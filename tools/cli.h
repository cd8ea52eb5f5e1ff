/* cli.h — what the motcua subcommands share: exit statuses, the bundled
 * workflows directory, and loading calendars with their diagnostics. */
#ifndef MOTCUA_CLI_H
#define MOTCUA_CLI_H

#include "calendar/calendar.h"

/* Exit statuses of every motcua command. */
enum {
  CLI_OK = 0,
  CLI_FAILED = 1, /* the input was read but is wrong (diagnostics printed) */
  CLI_USAGE = 2,  /* the command line itself is wrong */
};

/* The directory of the bundled workflows: $MOTCUA_WORKFLOWS, or the one this
 * build was made from. */
const char *cli_workflows_dir(void);

/* The language of the checkers' findings: Vietnamese, or English after
 * `--lang en` anywhere on the command line (or MOTCUA_LANG=en).  main()
 * takes the option out of argv before a command sees it. */
int cli_take_lang(int *argc, char **argv);
/* A sink that prints findings to stderr in that language. */
#include "base/diag.h"
mc_diag_sink cli_diag_sink(void);

/* Reads and parses calendar files, printing diagnostics to stderr.  With no
 * files, loads every *.cal of <workflows>/calendars.  Returns CLI_OK and a
 * calendar, or CLI_FAILED / CLI_USAGE after printing why. */
int cli_load_calendar(const char *const *files, int nfiles, eng_calendar **out);

/* A compile of files given on the command line, with the bundled workflows
 * as context (cmd_check.c).  Free with cli_compiled_free(). */
#include "dsl/dsl.h"

typedef struct cli_compiled {
  dsl_compile *compile;
  const dsl_artifact *artifacts;
  int nartifacts;
  /* the sources, kept for the compile's lifetime */
  char **paths;
  mc_buf *texts;
  mc_source *sources;
  int n;
} cli_compiled;

/* Compiles `paths` (all of `workflows` when none) and prints diagnostics.
 * Returns CLI_OK with *out filled, or CLI_FAILED / CLI_USAGE. */
int cli_compile(const char *cmd, const char *workflows, char *const *paths, int npaths,
                cli_compiled *out);
void cli_compiled_free(cli_compiled *c);

/* The running server's admin socket (docs/PROTOCOL.md): sends one request
 * (a JSON object; "id" is added) to DATA_DIR/motcuad.sock and waits for its
 * reply.  Returns CLI_OK with *reply, or CLI_FAILED after printing why;
 * *running (may be NULL) tells whether a server answered at all, so a
 * caller can fall back to opening the directory itself. */
#include <jansson.h>
#include <stdbool.h>
int cli_admin(const char *cmd, const char *data_dir, json_t *request, json_t **reply, bool *running);

/* Prints "motcua <cmd>: error: <message>" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A time on the command line (ISO 8601, Vietnam's time when no offset):
 * CLI_OK, or CLI_USAGE after saying what to write.  `opt` names the option. */
int cli_parse_time(const char *cmd, const char *opt, const char *text, mc_instant *out);
/* --now: as cli_parse_time, and a time in the future is refused unless
 * MOTCUA_REHEARSAL=1 (every later event would carry it). */
int cli_parse_now(const char *cmd, const char *text, mc_instant *out);

#endif
