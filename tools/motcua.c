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

/* Each command with what `motcua help` says of it and, for the commands
 * that do not answer --help themselves, what `motcua COMMAND --help` prints
 * (exit 0): its usage and the environment it reads. */
static const struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
  const char *help;
} commands[] = {
    {"check", cmd_check, "check procedure, policy and directory files (the bundled workflows by default)", NULL},
    {"compile", cmd_compile, "compile procedure files into versioned, content-hashed definitions", NULL},
    {"graph", cmd_graph, "draw a procedure: DOT, Mermaid, BPMN 2.0 (bpmn.io, Camunda Modeler) or SVG", NULL},
    {"publish", cmd_publish, "put compiled procedures, policies, the directory and calendars in the log",
     "usage: motcua publish DATA_DIR [--workflows DIR] [--from TIME] [--now TIME] [--dry-run] [FILE.mc...]\n"
     "  Compiles and publishes the workflows (DIR, or $MOTCUA_WORKFLOWS, or the bundled ones): every\n"
     "  procedure, policy, template, calendar and the agency directory, or only the FILEs named (checked\n"
     "  with the rest of the workflows as context; agency files are merged into the directory).\n"
     "  --from TIME   the definitions take effect then (default: now); --dry-run says what would change.\n"
     "  With the server running, publishing goes through its admin socket.\n"},
    {"user", cmd_user, "officials' accounts (add, disable, enable, password) through the running server",
     "usage: motcua user add DATA_DIR ACCOUNT --name NAME --roles R[,R...] [--agency CODE] [--email A] [--phone N]\n"
     "       motcua user disable DATA_DIR ACCOUNT [--reassign-to ACCOUNT]\n"
     "       motcua user enable|password DATA_DIR ACCOUNT\n"
     "       motcua user roles DATA_DIR ACCOUNT --roles R[,R...]\n"
     "  Through the running server's admin socket (DATA_DIR/motcuad.sock); with no server running, the\n"
     "  data directory is opened here (add takes --now TIME then). add and password print a one-time\n"
     "  password, to be changed at the first login.\n"},
    {"dossier", cmd_dossier, "submit a dossier, act on it, withdraw, extend, show (the engine, without the server)",
     "usage: motcua dossier DATA_DIR VERB ... [--as WHO:ROLE[:AGENCY]] [--now TIME]\n"
     "  VERB is submit (--procedure P --agency A --form-json JSON [--document NAME=SHA256[@DATE]]...),\n"
     "  act CODE ACTION [--reason TEXT], withdraw CODE, extend CODE --new-due TIME --reason TEXT,\n"
     "  assign CODE --handler WHO, stop CODE --reason TEXT, rate CODE --rating N,\n"
     "  transfer CODE --to AGENCY --reason TEXT (reception, before acceptance), show CODE, or\n"
     "  reassign-all --from WHO --handler WHO.  The engine without the server: refused while motcuad\n"
     "  runs on DATA_DIR.  A --now earlier than the log's last event is raised to it (and said).\n"
     "  A yes/no field of --form-json is true or false.  `motcua dossier DATA_DIR VERB` with a wrong\n"
     "  verb lists each verb's arguments.\n"},
    {"retire", cmd_retire, "close a procedure or policy to new dossiers from a date",
     "usage: motcua retire DATA_DIR procedure|policy ID --from TIME\n"
     "  Closes a procedure or policy to new dossiers from TIME; open dossiers go on under it.\n"},
    {"timers", cmd_timers, "the next deadline timer; --fire fires what is due",
     "usage: motcua timers DATA_DIR [--fire] [--now TIME]\n"
     "  The next deadline timer; --fire fires every timer due at --now (default: now).\n"},
    {"outbox", cmd_outbox, "the messages waiting for delivery (e-mail, text message, alerts)",
     "usage: motcua outbox DATA_DIR\n  The messages waiting for delivery, oldest first.\n"},
    {"deliver", cmd_deliver, "send what waits in the outbox by e-mail (SMTP) and text message, once",
     "usage: motcua deliver DATA_DIR [--smtp URL --from ADDRESS] [--smtp-user USER --smtp-password-file FILE]\n"
     "                      [--starttls] [--smtp-ca FILE] [--sms-url URL] [--sms-token-file FILE] [--timeout-ms MS]\n"
     "  Sends what waits in the outbox once (motcuad does it by itself when smtp_url or sms_url is set).\n"},
    {"announce", cmd_announce, "tell everyone with an open dossier of an incident (BN Art. 14)",
     "usage: motcua announce DATA_DIR --message TEXT [--agency CODE] --as WHO:ROLE[:AGENCY]\n"
     "  Tells every applicant with an open dossier (of AGENCY) of an incident.\n"},
    {"deadline", cmd_deadline, "when a limit counted in working days, working hours or calendar days is due", NULL},
    {"audit", cmd_audit, "verify, export and replay the log; sign checkpoints (read-only, also while the server runs)", NULL},
    {"backup", cmd_backup, "a consistent copy of a data directory while the server writes", NULL},
    {"store", cmd_store, "append events to a data directory (test set-ups, until the engine's commands exist)", NULL},
};

static void usage(FILE *out) {
  fputs("usage: motcua COMMAND [OPTIONS]\n\ncommands:\n", out);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs("  help       this list\n\n"
        "`motcua COMMAND --help` describes a command.  The checkers (check, compile, publish, deadline)\n"
        "write their findings in Vietnamese; --lang en (anywhere on the line, or MOTCUA_LANG=en) in English.\n"
        "MOTCUA_WORKFLOWS=DIR: the workflows check, compile, graph, publish and deadline read, instead of\n"
        "the bundled ones: ", out);
  fprintf(out, "%s\n", cli_workflows_dir());
}

int main(int argc, char **argv) {
  mc_log_init_from_env();
  if (cli_take_lang(&argc, argv) != CLI_OK)
    return CLI_USAGE;
  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return CLI_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(argv[1], commands[i].name))
      continue;
    /* --help anywhere (`motcua dossier DIR transfer --help` too) is the command's help. */
    for (int k = 2; commands[i].help && k < argc; k++)
      if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
        printf("motcua %s: %s\n\n%s", commands[i].name, commands[i].summary, commands[i].help);
        return CLI_OK;
      }
    return commands[i].run(argc - 1, argv + 1);
  }
  fprintf(stderr, "motcua: error: unknown command \"%s\"\n\n", argv[1]);
  usage(stderr);
  return CLI_USAGE;
}
