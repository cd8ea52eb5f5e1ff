/* commands.h — every command the engine decides, in one table.
 *
 * ENG_COMMANDS lists each command once: its enum name, its name (the
 * WebSocket op, for the commands a client sends over /ws: docs/PROTOCOL.md;
 * the others come from the admin socket, the command line or the server
 * itself), whether it acts on an existing dossier, and who may issue it
 * (docs/ENGINE.md, "Commands").  ENG_ARGS_<ENUM> lists its arguments.
 *
 * From these tables come: the enum eng_cmd_kind and the names; each
 * command's argument struct (eng_submit_args, ...) and eng_command, a
 * common header and a union of them (engine/engine.h); the engine's
 * dispatch to dec_do_<name> and its check of over-long texts (engine/execute.c);
 * the description of every argument at run time (eng_command_args,
 * ENG_ARG: engine/commands.c); the WebSocket ops with their allowed fields,
 * limits and decoding (api/ws.c); the names and limits the admin socket
 * (api/admin.c) and the command line (tools/cmd_dossier.c) use; and a test
 * (tests/unit/engine/test_commands.c) checks docs/ENGINE.md and
 * docs/PROTOCOL.md against them.
 *
 * A new command touches:
 *   engine/commands.h  its line in ENG_COMMANDS and its ENG_ARGS_<ENUM>;
 *   its handler        dec_do_<name> in the engine/cmd_*.c of its family,
 *                      declared in engine/decide.h, or in a file of its
 *                      own (engine/account.c) called from there; and if it
 *                      records a new kind of event, that event's line in
 *                      engine/events.h;
 *   docs/ENGINE.md     its row of "Commands"; for a WebSocket op, its
 *                      paragraph in docs/PROTOCOL.md naming its fields (the
 *                      test engine/commands says what is missing).
 * Nothing else, unless it has rules beyond its arguments' over the
 * WebSocket (api/ws.c, op_rules: submit's channel and e-form) or its
 * command line options are spelt otherwise than --<wire name>
 * (tools/cmd_dossier.c, `spelt`).  The front ends that build a command
 * themselves (the server's own, the delivery worker, the admin socket)
 * fill its argument struct.
 */
#ifndef ENG_COMMANDS_H
#define ENG_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(ENUM, name, WS or OTHER, DOSSIER or NONE, "who may issue it"): `name`
 * is the command's name as a word — its op ("submit"), its handler's
 * (dec_do_submit), its argument struct's (eng_submit_args) and its member of
 * eng_command (c->submit).  DOSSIER: it acts on the dossier the header
 * names (`dossier`, `expected_version`). */
#define ENG_COMMANDS(X)                                                                              \
  X(PUBLISH, publish, OTHER, NONE, "system_admin; agency_admin for procedures")                      \
  X(SUBMIT, submit, WS, NONE, "the applicant online; reception at the desk or for a postal dossier") \
  X(ACT, act, WS, DOSSIER, "the role of the dossier's current step, of its agency or the step's")    \
  X(WITHDRAW, withdraw, WS, DOSSIER, "the applicant, or reception at the applicant's request")       \
  X(EXTEND, extend, WS, DOSSIER, "a leader of the dossier's agency")                                 \
  X(ASSIGN, assign, WS, DOSSIER, "a leader (or agency_admin) of the dossier's agency")               \
  X(STOP, stop, WS, DOSSIER, "a leader of the dossier's agency")                                     \
  X(RATE, rate, WS, DOSSIER, "the applicant; reception for a desk dossier")                          \
  X(TRANSFER, transfer, WS, DOSSIER, "reception of the dossier's agency, before acceptance")          \
  X(RETIRE, retire, OTHER, NONE, "system_admin; agency_admin for procedures")                        \
  X(REFUND, refund, OTHER, DOSSIER, "a leader of the dossier's agency")                              \
  X(DELIVERED, delivered, OTHER, NONE, "the delivery worker (role system)")                          \
  X(ANNOUNCE, announce, OTHER, NONE, "system_admin; agency_admin to its own applicants")             \
  X(SEND_CODE, send_code, OTHER, NONE, "the server (role system)")                                   \
  X(ACCOUNT, account, OTHER, NONE, "the server for a registration; system_admin or agency_admin")

/* ------------------------------------------------------------ arguments
 *
 * A(TYPE, member, "wire", REQUIRED or OPTIONAL, lo, hi), in the order a
 * request's fields are checked:
 *   TYPE     what it is, which gives its C type (ENG__CTYPE_<TYPE> below);
 *   member   its member in the command's argument struct;
 *   "wire"   its name in a request (the WebSocket, the admin socket) and,
 *            where it has one, the command line's option (--wire); NULL
 *            when no request names it (the front end sets it);
 *   REQUIRED a request must give it (an empty text is refused);
 *   lo, hi   its bounds: a text's bytes, a number's values, a list's items,
 *            bytes' length.  They are read in engine/commands.c only, so
 *            they may name the engine's own sizes (engine/engine-int.h):
 *            the field a text is kept in, less its NUL, is its limit.
 *
 * Over the WebSocket every bound is checked before the command reaches the
 * engine (api/ws.c); the engine itself refuses a TEXT longer than its bound
 * (MC_ETOOBIG), and checks the rest with rules of its own.
 *
 * The types: WORD a code, an id, a name or a word of a fixed list; TEXT
 * free text (a reason, a list, an apology, a comment, an announcement);
 * INT, INSTANT (ms since 1970), SEQ (an event's), DEF_KIND (eng_def_kind);
 * OFFICIALS, ROLES lists of official ids and of roles; DOCUMENTS the scans
 * brought; FORM an e-form (a msgpack map; a JSON object in a request);
 * BYTES (base64 in a request). */

/* The bytes a text field holds (less its NUL); the items an array holds. */
#define ENG_BYTES_OF(type, member) ((int64_t)sizeof(((type *)0)->member) - 1)
#define ENG_COUNT_OF(type, member) ((int64_t)(sizeof(((type *)0)->member) / sizeof(((type *)0)->member[0])))

/* The compiled definition (or a calendar: eng_calendar_pack), and when it
 * takes effect. */
#define ENG_ARGS_PUBLISH(A)                                                    \
  A(DEF_KIND, def_kind, "kind", REQUIRED, ENG_DEF_PROCEDURE, ENG_DEF_TEMPLATE) \
  A(BYTES, bytes, "bytes_b64", REQUIRED, 1, STORE_MAX_DATA)                    \
  A(INSTANT, effective_from, "effective_from", REQUIRED, 0, INT64_MAX)

/* The procedure's national code, the agency it is filed with, "online",
 * "desk" or "post"; at the desk or by post, the applicant's citizen id or
 * tax code, whose documents are kept for reuse (online: actor.who; else the
 * applicant block's id_number), or NULL; the applicant block (a msgpack map:
 * applicant.c), which online only adds an address and contacts to the
 * account's; the scans brought; the e-form, one msgpack map of field name ->
 * value. */
#define ENG_ARGS_SUBMIT(A)                                                        \
  A(WORD, procedure, "procedure", REQUIRED, 1, ENG_BYTES_OF(eng_snap, procedure)) \
  A(WORD, agency, "agency", REQUIRED, 1, ENG_BYTES_OF(eng_snap, agency))          \
  A(WORD, channel, "channel", OPTIONAL, 0, ENG_BYTES_OF(eng_snap, channel))       \
  A(WORD, owner, "owner", OPTIONAL, 0, ENG_BYTES_OF(eng_snap, owner))             \
  A(FORM, applicant, "applicant", OPTIONAL, 0, ENG_MAX_APPLICANT_BYTES)           \
  A(DOCUMENTS, documents, "documents", OPTIONAL, 0, ENG_MAX_DOCUMENTS)            \
  A(FORM, form, "form", REQUIRED, 1, ENG_MAX_FORM_BYTES)

/* An action of the current step (docs/DSL.md); which step, when several run
 * in parallel (NULL: the only one); request_supplement's list, deny's
 * reasons; provide_supplement's scans, the results approve and
 * return_result bring. */
#define ENG_ARGS_ACT(A)                                                        \
  A(WORD, action, "action", REQUIRED, 1, ENG_BYTES_OF(eng_event_view, action)) \
  A(WORD, step, "step", OPTIONAL, 0, ENG_BYTES_OF(eng_event_view, step))       \
  A(TEXT, reason, "reason", OPTIONAL, 0, ENG_MAX_REASON_BYTES)                 \
  A(DOCUMENTS, documents, "documents", OPTIONAL, 0, ENG_MAX_DOCUMENTS)

#define ENG_ARGS_WITHDRAW(A) A(TEXT, reason, "reason", OPTIONAL, 0, ENG_MAX_REASON_BYTES)

/* The one new date, and the apology. */
#define ENG_ARGS_EXTEND(A)                                     \
  A(INSTANT, new_due, "new_due", REQUIRED, 0, INT64_MAX)       \
  A(TEXT, reason, "reason", REQUIRED, 1, ENG_MAX_REASON_BYTES)

/* The main handler (an official's id), and up to 4 co-handlers. */
#define ENG_ARGS_ASSIGN(A)                                                                   \
  A(WORD, handler, "handler", REQUIRED, 1, ENG_BYTES_OF(eng_snap, handler))                  \
  A(OFFICIALS, co_handlers, "co_handlers", OPTIONAL, 0, ENG_COUNT_OF(eng_snap, co_handlers))

#define ENG_ARGS_STOP(A) A(TEXT, reason, "reason", REQUIRED, 1, ENG_MAX_REASON_BYTES)

/* 1 (poor) .. 5 (very good), and a comment. */
#define ENG_ARGS_RATE(A)                                         \
  A(INT, rating, "rating", REQUIRED, 1, 5)                       \
  A(TEXT, comment, "comment", OPTIONAL, 0, ENG_MAX_REASON_BYTES)

/* The competent agency (its code in the directory; it must offer the
 * dossier's procedure), and why the dossier goes there (NĐ118/2025). */
#define ENG_ARGS_TRANSFER(A)                                         \
  A(WORD, to, "to", REQUIRED, 1, ENG_BYTES_OF(eng_snap, agency))     \
  A(TEXT, reason, "reason", REQUIRED, 1, ENG_MAX_REASON_BYTES)

/* The procedure code or policy id, and from when it is closed. */
#define ENG_ARGS_RETIRE(A)                                                   \
  A(DEF_KIND, def_kind, "kind", REQUIRED, ENG_DEF_PROCEDURE, ENG_DEF_POLICY) \
  A(WORD, id, "retire", REQUIRED, 1, ENG_BYTES_OF(eng_def, id))              \
  A(INSTANT, effective_from, "effective_from", REQUIRED, 0, INT64_MAX)

#define ENG_ARGS_REFUND(A) A(TEXT, reason, "reason", OPTIONAL, 0, ENG_MAX_REASON_BYTES)

/* Which message (the event that caused it, its index), "sent" or "failed"
 * (then `reason` says why): the names of the event it records. */
#define ENG_ARGS_DELIVERED(A)                                            \
  A(SEQ, seq, "seq", REQUIRED, 1, INT64_MAX)                             \
  A(INT, index, "index", REQUIRED, 0, ENG_MAX_NOTES - 1)                 \
  A(WORD, outcome, "outcome", REQUIRED, 1, (int64_t)sizeof "failed" - 1) \
  A(TEXT, reason, "reason", OPTIONAL, 0, ENG_MAX_REASON_BYTES)

/* `agency`: whose applicants (NULL: all). */
#define ENG_ARGS_ANNOUNCE(A)                                             \
  A(WORD, agency, "agency", OPTIONAL, 0, ENG_BYTES_OF(eng_snap, agency)) \
  A(TEXT, message, "message", REQUIRED, 1, ENG_MAX_REASON_BYTES)

/* The template, the one-time code (none for a notice about an account),
 * where to (an e-mail address or a phone). */
#define ENG_ARGS_SEND_CODE(A)                                                               \
  A(WORD, template_name, "template", REQUIRED, 1, ENG_BYTES_OF(eng_message, template_name)) \
  A(WORD, code, "code", OPTIONAL, 0, ENG_MAX_CODE_BYTES)                                    \
  A(WORD, email, "email", OPTIONAL, 0, ENG_BYTES_OF(eng_account_view, email))               \
  A(WORD, phone, "phone", OPTIONAL, 0, ENG_BYTES_OF(eng_account_view, phone))

/* `op` is "register" (an applicant whose code was verified; actor: the
 * server, role "system"), "create" (an official or auditor, by a
 * system_admin, or an agency_admin of the same agency), "disable",
 * "enable" or "roles" (an official's `roles` set; the same admins).  `kind` "person", "organisation" or
 * "official"; the official's `agency` and `roles`.  Passwords are never in
 * the log (office/accounts.c keeps their hashes outside it). */
#define ENG_ARGS_ACCOUNT(A)                                                      \
  A(WORD, op, NULL, REQUIRED, 1, (int64_t)sizeof "register" - 1)                 \
  A(WORD, id, "account", REQUIRED, 1, ENG_BYTES_OF(eng_account_view, id))        \
  A(WORD, kind, "kind", OPTIONAL, 0, ENG_BYTES_OF(eng_account_view, kind))       \
  A(WORD, name, "name", OPTIONAL, 0, ENG_BYTES_OF(eng_account_view, name))       \
  A(WORD, agency, "agency", OPTIONAL, 0, ENG_BYTES_OF(eng_account_view, agency)) \
  A(ROLES, roles, "roles", OPTIONAL, 0, ENG_COUNT_OF(eng_account_view, roles))   \
  A(WORD, email, "email", OPTIONAL, 0, ENG_BYTES_OF(eng_account_view, email))    \
  A(WORD, phone, "phone", OPTIONAL, 0, ENG_BYTES_OF(eng_account_view, phone))

/* The C type of each TYPE (engine/engine.h defines the types named). */
#define ENG__CTYPE_WORD const char *
#define ENG__CTYPE_TEXT const char *
#define ENG__CTYPE_INT int
#define ENG__CTYPE_INSTANT mc_instant
#define ENG__CTYPE_SEQ uint64_t
#define ENG__CTYPE_DEF_KIND eng_def_kind
#define ENG__CTYPE_OFFICIALS eng_texts
#define ENG__CTYPE_ROLES eng_texts
#define ENG__CTYPE_DOCUMENTS eng_documents
#define ENG__CTYPE_FORM eng_bytes
#define ENG__CTYPE_BYTES eng_bytes

typedef enum {
  ENG_ARG_WORD,
  ENG_ARG_TEXT,
  ENG_ARG_INT,
  ENG_ARG_INSTANT,
  ENG_ARG_SEQ,
  ENG_ARG_DEF_KIND,
  ENG_ARG_OFFICIALS,
  ENG_ARG_ROLES,
  ENG_ARG_DOCUMENTS,
  ENG_ARG_FORM,
  ENG_ARG_BYTES,
} eng_arg_type;

#define ENG__NEED_REQUIRED true
#define ENG__NEED_OPTIONAL false

/* ------------------------------------------------------------ at run time */

typedef enum {
#define ENG__COMMAND_ENUM(e, name, where, on, who) ENG_CMD_##e,
  ENG_COMMANDS(ENG__COMMAND_ENUM)
#undef ENG__COMMAND_ENUM
  ENG_CMD_COUNT
} eng_cmd_kind;

/* ENG__KIND_submit is ENG_CMD_SUBMIT: the kind of a command's name. */
enum {
#define ENG__COMMAND_KIND(e, name, where, on, who) ENG__KIND_##name = ENG_CMD_##e,
  ENG_COMMANDS(ENG__COMMAND_KIND)
#undef ENG__COMMAND_KIND
};

/* "submit"; NULL for a kind out of range. */
const char *eng_command_name(eng_cmd_kind kind);
/* Who may issue it, in words. */
const char *eng_command_who(eng_cmd_kind kind);
/* Whether clients send it over the WebSocket as the op of its name. */
bool eng_command_over_ws(eng_cmd_kind kind);
/* Whether it acts on the dossier its header names. */
bool eng_command_on_dossier(eng_cmd_kind kind);
/* The kind of a command's name; ENG_CMD_COUNT for none. */
eng_cmd_kind eng_command_parse(const char *name);

/* One argument of a command, as its table row says. */
typedef struct eng_arg {
  const char *name;     /* its member of the argument struct: "procedure" */
  const char *wire;     /* its name in a request, or NULL */
  eng_arg_type type;
  bool required;
  int64_t lo, hi;       /* a text's bytes, a number's values, a list's items, bytes' length */
  size_t offset;        /* of the member in eng_command */
} eng_arg;

/* A command's arguments in the table's order (*n of them); NULL for a kind
 * out of range. */
const eng_arg *eng_command_args(eng_cmd_kind kind, int *n);
/* The argument whose member is at `offset` in eng_command; NULL for none. */
const eng_arg *eng_command_arg(eng_cmd_kind kind, size_t offset);
/* ENG_ARG(assign, co_handlers): that argument's row (its wire name, its
 * bounds), checked by the compiler. */
#define ENG_ARG(name, member) eng_command_arg((eng_cmd_kind)ENG__KIND_##name, offsetof(eng_command, name.member))
/* The member an argument describes, in a command of its kind. */
#define ENG_ARG_AT(c, arg, ctype) ((ctype *)((char *)(c) + (arg)->offset))

#endif
