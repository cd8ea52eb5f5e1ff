/* commands.h — every command the engine decides, in one table.
 *
 * ENG_COMMANDS lists each command once: its enum name, its name (the
 * WebSocket op, for the commands a client sends over /ws: docs/PROTOCOL.md;
 * the others come from the admin socket, the command line or the server
 * itself), and who may issue it (docs/ENGINE.md, "Commands").  The enum
 * eng_cmd_kind, the names and the engine's dispatch (engine/dossier.c) come
 * from it; a test checks both documents against it.  A new command is a line
 * here and its handler (do_<name> in the engine).
 */
#ifndef ENG_COMMANDS_H
#define ENG_COMMANDS_H

#include <stdbool.h>

/* X(ENUM, name, WS or OTHER, "who may issue it"): `name` is the command's
 * name as a word — its op ("submit") and its handler's (do_submit). */
#define ENG_COMMANDS(X)                                                                            \
  X(PUBLISH, publish, OTHER, "system_admin; agency_admin for procedures")                        \
  X(SUBMIT, submit, WS, "the applicant online; reception at the desk or for a postal dossier")   \
  X(ACT, act, WS, "the role of the dossier's current step, of its agency or the step's")        \
  X(WITHDRAW, withdraw, WS, "the applicant, or reception at the applicant's request")            \
  X(EXTEND, extend, WS, "a leader of the dossier's agency")                                      \
  X(ASSIGN, assign, WS, "a leader (or agency_admin) of the dossier's agency")                    \
  X(STOP, stop, WS, "a leader of the dossier's agency")                                          \
  X(RATE, rate, WS, "the applicant; reception for a desk dossier")                               \
  X(RETIRE, retire, OTHER, "system_admin; agency_admin for procedures")                          \
  X(REFUND, refund, OTHER, "a leader of the dossier's agency")                                   \
  X(DELIVERED, delivered, OTHER, "the delivery worker (role system)")                            \
  X(ANNOUNCE, announce, OTHER, "system_admin; agency_admin to its own applicants")               \
  X(SEND_CODE, send_code, OTHER, "the server (role system)")                                     \
  X(ACCOUNT, account, OTHER, "the server for a registration; system_admin or agency_admin")

typedef enum {
#define ENG__COMMAND_ENUM(e, name, where, who) ENG_CMD_##e,
  ENG_COMMANDS(ENG__COMMAND_ENUM)
#undef ENG__COMMAND_ENUM
  ENG_CMD_COUNT
} eng_cmd_kind;

/* "submit"; NULL for a kind out of range. */
const char *eng_command_name(eng_cmd_kind kind);
/* Who may issue it, in words. */
const char *eng_command_who(eng_cmd_kind kind);
/* Whether clients send it over the WebSocket as the op of its name. */
bool eng_command_over_ws(eng_cmd_kind kind);

#endif
