/* motcua.c — the command line for agencies and auditors.
 *
 * One program, one subcommand per job (git style).  Each subcommand lives in
 * tools/cmd_<name>.c and returns an exit status of cli.h: 0 done, 1 the input
 * is wrong (diagnostics printed), 2 the command line is wrong.
 */
#include "tools/cli.h"

#include "base/log.h"

#include <stdio.h>
#include <string.h>

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_deadline(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_dossier(int argc, char **argv);
int cmd_timers(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_deliver(int argc, char **argv);
int cmd_announce(int argc, char **argv);
int cmd_retire(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_store(int argc, char **argv);

static const struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"check", cmd_check, "check procedure, policy and directory files (the bundled workflows by default)"},
    {"compile", cmd_compile, "compile procedure files into versioned, content-hashed definitions"},
    {"graph", cmd_graph, "draw a procedure: DOT, Mermaid, BPMN 2.0 (bpmn.io, Camunda Modeler) or SVG"},
    {"publish", cmd_publish, "put compiled procedures, policies, the directory and calendars in the log"},
    {"user", cmd_user, "officials' accounts (add, disable, enable, password) through the running server"},
    {"dossier", cmd_dossier, "submit a dossier, act on it, withdraw, extend, show (the engine, without the server)"},
    {"retire", cmd_retire, "close a procedure or policy to new dossiers from a date"},
    {"timers", cmd_timers, "the next deadline timer; --fire fires what is due"},
    {"outbox", cmd_outbox, "the messages waiting for delivery (e-mail, text message, alerts)"},
    {"deliver", cmd_deliver, "send what waits in the outbox by e-mail (SMTP) and text message, once"},
    {"announce", cmd_announce, "tell everyone with an open dossier of an incident (BN Art. 14)"},
    {"deadline", cmd_deadline, "when a limit counted in working days, working hours or calendar days is due"},
    {"audit", cmd_audit, "verify, export and replay the log; sign checkpoints (read-only, also while the server runs)"},
    {"backup", cmd_backup, "a consistent copy of a data directory while the server writes"},
    {"store", cmd_store, "append events to a data directory (test set-ups, until the engine's commands exist)"},
};

static void usage(FILE *out) {
  fputs("usage: motcua COMMAND [OPTIONS]\n\ncommands:\n", out);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs("  help       this list\n\n"
        "`motcua COMMAND --help` describes a command.\n"
        "Bundled workflows and calendars: ", out);
  fprintf(out, "%s\n", cli_workflows_dir());
}

int main(int argc, char **argv) {
  mc_log_init_from_env();
  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return CLI_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "motcua: error: unknown command \"%s\"\n\n", argv[1]);
  usage(stderr);
  return CLI_USAGE;
}
