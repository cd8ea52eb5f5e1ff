/* engine.h — dossiers move through their compiled process, under legal
 * deadlines counted in working time.
 *
 * The engine turns commands into events on the store (storage/store.h) under
 * the procedure version a dossier was filed with (dsl/machine.h), and keeps
 * its projections in the same write transactions (engine/proj.h lists them:
 * each dossier's snapshot, the durable timer index, the counter of dossier
 * codes, definitions, documents, the outbox, ...).  A dossier event carries
 * what it changed (docs/ENGINE.md, "What an event carries"); applying it
 * patches the previous snapshot — it never reads the clock, a definition,
 * or anything but the snapshot before and the event.
 *
 * Time: the caller (the writer) passes `now`; the engine uses the later of it
 * and the previous event's time.  Timers fire with the instant they were due
 * recorded in their event, exactly once (each is re-checked in the write
 * transaction that fires it).
 *
 * There is no libuv here: the host asks eng_next_due() when to wake, and calls
 * eng_fire_due() then.  Commands run in batches through eng_execute(), one
 * durable transaction per call, each command isolated by storage's batch (a
 * refused command appends nothing and leaves its neighbours alone).
 */
#ifndef ENG_ENGINE_H
#define ENG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/instant.h"
#include "storage/store.h"
#include "engine/commands.h"
#include "engine/refusals.h"

typedef struct eng_engine eng_engine;

/* Who acts.  All borrowed for the call. */
typedef struct eng_actor {
  const char *who;     /* account id; for an applicant, the applicant's id */
  const char *role;    /* applicant, reception, specialist, leader, ... */
  const char *agency;  /* the official's agency code; NULL for an applicant */
  const char *client;  /* client program or host, for the record */
} eng_actor;

/* The commands (engine/commands.h): ENG_CMD_PUBLISH, ENG_CMD_SUBMIT, ... */

typedef enum { ENG_DEF_PROCEDURE, ENG_DEF_POLICY, ENG_DEF_DIRECTORY, ENG_DEF_CALENDAR, ENG_DEF_TEMPLATE } eng_def_kind;

/* "procedure", "policy", "directory", "calendar", "template" ("definition"
 * for a kind out of range). */
const char *eng_def_kind_name(eng_def_kind kind);

/* The files one document may hold: a paper of many pages is photographed
 * page by page. */
#define ENG_MAX_FILES 20

/* A scanned document, referenced by the SHA-256 of its files (uploads,
 * stored under their hash).  `name` is one of the procedure's `document`s
 * (or, brought by approve or return_result, one of its `result`s); a
 * document of the same name supplied with an earlier dossier of the same
 * applicant, and still valid, is reused with all its files. */
typedef struct eng_document {
  const char *name;
  const char *sha256;       /* its first file: 64 hexadecimal digits */
  const char *valid_until;  /* "YYYY-MM-DD" printed on the document, or NULL: no end */
  const char *const *more;  /* the SHA-256 of its files after the first, in order */
  int nmore;                /* at most ENG_MAX_FILES - 1 */
} eng_document;

/* Who filed a dossier: the applicant block of its submission
 * (docs/ENGINE.md, "The applicant block").  Empty texts for what it does
 * not say (a dossier filed before blocks existed has none). */
typedef struct eng_applicant_view {
  char kind[16];        /* "person", "organisation" */
  char name[128];
  char id_type[16];     /* "citizen_id", "tax_code", "passport" */
  char id_number[24];
  char address[304];
  char email[128], phone[24];
} eng_applicant_view;

/* A block as recorded (canonical msgpack) decoded; len 0: an empty one. */
int eng_applicant_decode(const void *bytes, size_t len, eng_applicant_view *out);

/* Lists and bytes a command carries (borrowed). */
typedef struct eng_texts {
  const char *const *list;
  int n;
} eng_texts;

typedef struct eng_documents {
  const eng_document *list;
  int n;
} eng_documents;

typedef struct eng_bytes {
  const uint8_t *data;
  size_t len;
} eng_bytes;

/* Each command's arguments (engine/commands.h, ENG_ARGS_<ENUM>):
 * eng_submit_args {procedure, agency, channel, owner, documents, form},
 * eng_act_args {action, step, reason, documents}, ... */
#define ENG__ARG_MEMBER(type, member, wire, need, lo, hi) ENG__CTYPE_##type member;
#define ENG__ARGS_STRUCT(e, name, where, on, who) \
  typedef struct eng_##name##_args {              \
    ENG_ARGS_##e(ENG__ARG_MEMBER)                 \
  } eng_##name##_args;
ENG_COMMANDS(ENG__ARGS_STRUCT)
#undef ENG__ARGS_STRUCT

/* A command: what every command carries, and its own arguments in the
 * member of its name (c->submit.procedure, c->act.action, ...).
 * Everything is borrowed for the duration of eng_execute(). */
typedef struct eng_command {
  eng_cmd_kind kind;
  const char *command_id;     /* the client's idempotency key, or NULL */
  eng_actor actor;
  /* A command on a dossier (ENG_COMMANDS: DOSSIER) */
  const char *dossier;        /* the dossier code */
  uint64_t expected_version;  /* the dossier version the client saw, or STORE_ANY_VERSION */
  union {
#define ENG__ARGS_MEMBER(e, name, where, on, who) eng_##name##_args name;
    ENG_COMMANDS(ENG__ARGS_MEMBER)
#undef ENG__ARGS_MEMBER
  };
} eng_command;

/* Dossier codes: `<agency code>-<yymmdd>-<NNNN>` (docs/DOMAIN.md, "The
 * dossier code"), numbered per agency per local day from 0001; the number
 * takes a fifth digit and more after 9999, so that a day cannot run out. */
#define ENG_CODE_MAX_PER_DAY 999999999u

/* One field of a command in error, for the page that shows it beside the
 * field (docs/PROTOCOL.md, "Errors"): the field's path ("form.child_name",
 * "documents[1].valid_until"), the rule it breaks — required, unknown,
 * type, values (not one of the listed values), length, range, pattern,
 * unique, expired, max (more items than allowed) — with its parameters, the refusal's key
 * (engine/refusals.h) and what to do, in Vietnamese for the person filing
 * and in English. */
#define ENG_MAX_FIELD_VALUES 16
typedef struct eng_field_error {
  char field[72];
  char rule[12];
  const char *key;             /* the refusal's wire name ("field_required"): static */
  int64_t min, max;            /* length (characters) and range; max: the most; 0 otherwise */
  char message[256];           /* Vietnamese */
  char message_en[320];
  char pattern[128];           /* pattern: the POSIX extended regular expression; "" otherwise */
  int nvalues;                 /* values: the values allowed (the first ENG_MAX_FIELD_VALUES) */
  char values[ENG_MAX_FIELD_VALUES][64];
} eng_field_error;

/* The most field errors a result keeps (an e-form gets all of them at once
 * up to this; nfields counts them all). */
#define ENG_MAX_FIELD_ERRORS 8

/* What a command did. */
typedef struct eng_result {
  int status;                 /* 0, or an MC_E* code */
  /* On refusal (engine/refusals.h): which refusal, its kind and its wire
   * name (static), and what it says in English and in Vietnamese (the
   * first field's, for a form).  A failure that no decision made (the
   * writer's batch) has a status and may have no key: ENG_R_NONE. */
  eng_refusal refusal;
  eng_refusal_kind kind;
  const char *key;
  char message[512];          /* English: which rule, which step */
  char message_vi[512];
  int nfields;                /* on refusal of an e-form: how many fields are wrong */
  eng_field_error fields[ENG_MAX_FIELD_ERRORS]; /* the first of them */
  char dossier[64];           /* SUBMIT: the code allocated */
  uint64_t version;           /* the dossier's version after the command */
  uint64_t first_seq;         /* events appended: first_seq .. first_seq+count-1 */
  uint32_t count;
  bool repeated;              /* a retry of a command already done: nothing appended */
  mc_instant appointment_at;  /* the dossier's appointment after the command (0: none yet) */
  uint64_t current_version;   /* refused as version_stale: the dossier's version now (0: otherwise) */
  char secret[16];            /* SUBMIT: the receipt's secret for the public lookup (ENG_SECRET_LEN) */
} eng_result;

/* A dossier's receipt secret: ENG_SECRET_LEN of these, drawn at random when
 * it is filed and recorded with it; printed on the receipt beside the code,
 * the public status lookup asks for both (a day's codes are in sequence). */
#define ENG_SECRET_LEN 8
#define ENG_SECRET_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
/* The secret the dossier was filed with, into out (ENG_SECRET_LEN + 1);
 * "" for a dossier filed before secrets existed; MC_ENOENT: no such dossier. */
int eng_dossier_secret(eng_engine *e, const char *code, char *out, size_t size);

/* A result's kind: its refusal's, or for a failure without one, its
 * status's (eng_refusal_kind_of_status); ENG_REFUSE_NONE when it succeeded. */
eng_refusal_kind eng_result_kind(const eng_result *r);

typedef struct eng_options {
  bool read_only;
  uint64_t map_size;          /* 0: default */
} eng_options;

/* Compiles every .mc file of DIR/{policies,agencies,templates,procedures}
 * and publishes each definition, with the calendars of DIR/calendars, in
 * effect from `from`, in one batch at `now` (a fresh data directory's
 * start: tests, benchmarks).  Diagnostics to `sink`; on failure `why` says
 * what.  Returns 0 or the first error. */
int eng_publish_workflows(eng_engine *e, const char *dir, mc_instant from, mc_instant now, mc_diag_sink *sink,
                          mc_buf *why);

/* The engine's projections.  Every program that opens a data directory
 * must register them (a writer that does not would leave them behind the
 * log; `audit verify` rebuilds and compares them). */
void eng_projections(const store_projection **list, size_t *count);

/* Opens the data directory with the engine's projections registered. */
int eng_open(const char *dir, const eng_options *opt, eng_engine **out, mc_buf *why);
void eng_close(eng_engine *e);
store *eng_store(eng_engine *e);

/* Runs `n` commands in one durable batch, at `now` (the writer's clock).
 * results[i] tells each command's outcome; nothing is acknowledged unless
 * the function returns 0 (the batch is on disk).  Returns 0 or the error
 * that prevented the batch from committing (then no command took effect). */
int eng_execute(eng_engine *e, const eng_command *cmds, int n, mc_instant now, eng_result *results);

/* The earliest due timer; *any false when none is armed. */
int eng_next_due(eng_engine *e, mc_instant *due, bool *any);

/* Fires every timer due at or before `now`, in one batch; *fired counts the
 * events appended (may be NULL). */
int eng_fire_due(eng_engine *e, mc_instant now, int *fired);

/* A dossier as it stands: the snapshot of its last event, decoded into `out`
 * (a readable summary, for tools and tests).  MC_ENOENT if unknown. */
typedef struct eng_dossier_view {
  char code[64], procedure[32], agency[32], state[32];
  char steps[8][48];          /* the steps it is at (several on parallel branches) */
  int nsteps;
  uint64_t version;
  mc_instant submitted_at, accepted_at, appointment_at, decided_at, finished_at;
  mc_instant paused_since;    /* the legal clock is paused since (0: running) */
  bool supplement_used, extended, supplement_late;
  char outcome[16];           /* "approved", "denied", or "" */
  char handler[64];           /* the main handler, or "" */
  int nco_handlers;
  char co_handlers[4][64];
  int rating;                 /* 0: not rated */
  bool fee_paid;
  int64_t refunded;           /* VND refunded, 0: none */
  char classification[16];    /* "early", "on_time", "late" (DOMAIN.md rule 9), or "" */
} eng_dossier_view;

int eng_dossier_get(eng_engine *e, const char *code, eng_dossier_view *out);

/* A dossier event as a subscriber sees it: the dossier after the event,
 * what happened, and who may read it (the applicant's account, the agency,
 * the handlers; the agency of a step done at another agency is among
 * `steps`' agencies only through `step_agency`). */
typedef struct eng_event_view {
  eng_dossier_view dossier;
  char applicant[64];         /* the applicant's account ("" for a desk or postal dossier) */
  char type[48];              /* "dossier.accepted", ... */
  char action[32];            /* "accept", ... ("submit", "timeout", ...) */
  char step[48];              /* the step acted in ("" for none) */
  uint64_t seq;
  mc_instant time;
  char subject[96];           /* an event of another stream: the stream after its kind ("admin" of
                                 "account/admin", "procedure/P1" of "definition/procedure/P1") */
  bool has_reason;            /* it records a reason (a supplement list, a denial's reasons, an
                                 apology): eng_event_reason reads it */
  char from_agency[32];       /* dossier.transferred: the agency it left (its queues lose it) */
} eng_event_view;

/* Decodes a dossier event (a "dossier/..." stream), with the dossier as it
 * stood after it (read from the store when the event does not carry it:
 * record format 2); MC_ENOENT for any other event, MC_EPARSE when damaged. */
int eng_event_view_of(eng_engine *e, const store_event *ev, eng_event_view *out);
/* The same in a read the caller holds (one for many events: a push of a
 * batch), whose snapshot must include the event. */
int eng_event_view_in(eng_engine *e, store_read *rd, const store_event *ev, eng_event_view *out);

/* The reason a dossier event records (its `what.reason`: the supplement
 * list, the denial's or rejection's reasons, the apology, ...) into `out`
 * (empty when none); MC_ENOENT when there is no such event. */
int eng_event_reason(eng_engine *e, uint64_t seq, mc_buf *out);

/* The tap: what a host (the server's pushes) learns of each committed batch
 * without reading it back.  After each commit of the writing thread, once
 * it is durable, `fn` gets every event the batch appended, in order: a
 * dossier event as eng_event_view_of would read it, any other with its
 * type, seq, time and `subject`.  Called on the committing thread; the
 * array lives until it returns.  NULL: no tap (nothing is collected). */
typedef void (*eng_tap_fn)(void *opaque, const eng_event_view *events, int n);
void eng_set_tap(eng_engine *e, eng_tap_fn fn, void *opaque);

/* Whether a command of that id was executed (its retry gets the first
 * answer, engine.h "Idempotency"). */
bool eng_command_seen(eng_engine *e, const char *command_id);

/* The applicant account of a dossier ("" when it was filed at the desk or by post). */
int eng_dossier_applicant(eng_engine *e, const char *code, char *out, size_t size);

/* ============================================================ accounts */

#define ENG_MAX_ROLES 6

typedef struct eng_account_view {
  char id[64], kind[16], name[128], agency[32], email[128], phone[24];
  char roles[ENG_MAX_ROLES][24];
  int nroles;
  bool disabled;
  mc_instant since;           /* when it was registered or created */
} eng_account_view;

/* An account as the log has it; MC_ENOENT when there is none. */
int eng_account_get(eng_engine *e, const char *id, eng_account_view *out);

/* Whether `actor` may manage the account `a` (disable, enable, set its
 * roles, give it a new one-time password): a system_admin (or the server)
 * any; an agency_admin the officials of its own agency that hold no
 * province-wide role (system_admin, auditor).  0, or a forbidden refusal in
 * `r` naming what is done (`doing` in English, `doing_vi` in Vietnamese:
 * "set the roles of", "đổi vai trò của"), and its status. */
int eng_account_may_manage(const eng_actor *actor, const eng_account_view *a, const char *doing, const char *doing_vi,
                           eng_result *r);

/* Calls fn with the account of every official (auditors and system
 * administrators too) of `agency`, or of every official when `agency` is
 * NULL, in id order, read in one snapshot of the accounts projection.
 * Officials' ids begin with a letter and applicants' with a digit, so the
 * officials are one range of it: applicants are never read.  fn returns 0
 * to go on, 1 to stop, or a negative error that is returned. */
typedef int (*eng_account_fn)(void *opaque, const eng_account_view *a);
int eng_officials(eng_engine *e, const char *agency, eng_account_fn fn, void *opaque);

/* Is `id` a valid account id of this kind?  A person: a citizen id of 12
 * digits; an organisation: a tax code of 10 digits, or 10-3 for a branch; an
 * official: 3..48 of [a-z0-9._-] starting with a letter.  On false, `why`
 * says what is wrong. */
bool eng_account_id_valid(const char *kind, const char *id, char *why, size_t size);

/* The events of the dossiers filed from an applicant's account, from
 * `from_seq` to `upto`, in order, at most `max`: fn(opaque, event) returns 0
 * to go on, 1 to stop (then 1 is returned), or an error that is returned.
 * Read through an index, not a scan of the log. */
int eng_applicant_events(eng_engine *e, const char *applicant, uint64_t from_seq, uint64_t upto, int max,
                         store_event_fn fn, void *opaque);

/* ============================================================ counts */

/* Dossiers by state and timers armed, as the projections stand:
 * fn(opaque, "state", state, n) for each state, fn(opaque, "timers", "", n).
 * fn returns 0 to go on. */
typedef int (*eng_count_fn)(void *opaque, const char *what, const char *name, uint64_t n);
int eng_counts(eng_engine *e, eng_count_fn fn, void *opaque);

/* How many dossiers whose agency is `agency` are open (not finished), and the
 * first one's code into `first` (may be NULL).  A read of every snapshot of
 * the dossier projection: a dossier transferred in keeps its code. */
int eng_agency_open_dossiers(eng_engine *e, const char *agency, int *count, char *first, size_t size);

/* ============================================================ catalogue */

/* Calls fn with each definition of `kind` in effect at `at` (retired ones
 * left out): its id and its compiled bytes (valid during the call).  fn
 * returns 0 to go on, 1 to stop, or a negative error that is returned. */
typedef int (*eng_def_fn)(void *opaque, const char *id, const uint8_t *bytes, size_t len);
int eng_definitions(eng_engine *e, eng_def_kind kind, mc_instant at, eng_def_fn fn, void *opaque);
/* `at` for every version ever published (retired ones too), oldest first per id. */
#define ENG_EVERY_VERSION INT64_MIN

/* The outbox: every message an event causes (a `notify` of the process,
 * the engine's own apology or alert) is recorded in the same write as the
 * event and waits here until ENG_CMD_DELIVERED records its outcome. */
typedef struct eng_message {
  uint64_t seq;               /* the event that caused it */
  int index;                  /* its place among that event's messages */
  char dossier[64];           /* the dossier it is about ("" for none) */
  char template_name[48];     /* workflows/templates */
  char to[32];                /* applicant, official, leader, ... */
  /* As written when the event was decided; valid during the callback. */
  const char *subject, *body, *sms;
  const char *email, *phone;  /* the applicant's, from the form ("" when none) */
  const char *error;          /* why it cannot be sent (an unpublished template), or "" */
} eng_message;

typedef int (*eng_message_fn)(void *opaque, const eng_message *m);

/* Calls fn with the pending messages in the order they were caused, from
 * the event `from_seq` on, at most `max` (0: all).  fn returns 0 to go on,
 * 1 to stop, or a negative error that is returned. */
int eng_outbox_pending(eng_engine *e, uint64_t from_seq, int max, eng_message_fn fn, void *opaque);

/* Messages about accounts — one-time codes, and notices without a code
 * (ENG_CMD_SEND_CODE) — wait in this aux
 * database, outside the legal record: key u64 BE time + 8 random bytes,
 * value the message as in the outbox ({body, email, error, phone, sms,
 * subject, template, to}).  The delivery worker drains it. */
#define ENG_AUX_CODES "outbox_codes"

/* An event as it was decided, for auditors: for a dossier event, the
 * dossier's snapshot after it into `snapshot` (canonical msgpack, as the
 * snapshot projection keeps it; left empty for other events), and each
 * message it caused to fn — with its texts as recorded, or rendered again
 * from the template's hash and the event's facts (record format 2), which
 * gives exactly what was sent.  fn may be NULL; it returns 0 to go on.
 * MC_ENOENT when there is no such event. */
int eng_audit_event(eng_engine *e, uint64_t seq, mc_buf *snapshot, eng_message_fn fn, void *opaque);

/* The longest one-time code ENG_CMD_SEND_CODE takes (the server's are 6
 * digits). */
#define ENG_MAX_CODE_BYTES 16

/* The addresses of the applicants of open dossiers (of `agency`, or all
 * when NULL), as their forms give them: fn(opaque, code, email, phone),
 * "" when absent; 0 to go on, 1 to stop, or a negative error returned. */
typedef int (*eng_contact_fn)(void *opaque, const char *code, const char *email, const char *phone);
int eng_open_contacts(eng_engine *e, const char *agency, eng_contact_fn fn, void *opaque);

/* A dossier's documents as they stand: each document the procedure asks for
 * (e-forms aside), with the scan supplied or reused, or missing; and each
 * result issued (brought by approve or return_result). */
typedef struct eng_document_view {
  char name[48];
  char sha256[65];            /* its first file; "" when missing */
  int nmore;                  /* its files after the first, in order */
  char more[ENG_MAX_FILES - 1][65];
  char valid_until[11];       /* "YYYY-MM-DD", or "" */
  char reused_from[64];       /* the dossier it was first supplied with, or "" */
  mc_instant supplied_at;     /* when it was first supplied (0 when missing) */
} eng_document_view;

typedef int (*eng_document_fn)(void *opaque, const eng_document_view *doc);
int eng_dossier_documents(eng_engine *e, const char *code, eng_document_fn fn, void *opaque);

/* The dossier whose event first referenced the file of that SHA-256 (as a
 * document's first file or a further one, brought or reused), its code into
 * `dossier`: 0, or MC_ENOENT when no event references it (MC_ERANGE: `size`
 * too small for the code).  An upload a dossier references is never
 * deleted. */
int eng_file_referenced(eng_engine *e, const uint8_t hash[32], char *dossier, size_t size);

/* The documents an owner (an applicant's id number) supplied anew, the
 * latest of each name — what a new dossier of theirs reuses when still
 * valid (BN 6.2, ĐN 6.2): `reused_from` is the dossier it was supplied
 * with, `valid_until` its end ("" none); in the order of their names. */
int eng_owner_documents(eng_engine *e, const char *owner, eng_document_fn fn, void *opaque);

/* Calls fn with the code of every open dossier whose main handler is
 * `handler` (to reassign an official's work when they leave).  fn returns
 * 0 to go on, 1 to stop, or a negative error that is returned.  The codes are
 * read in one snapshot. */
typedef int (*eng_code_fn)(void *opaque, const char *code);
int eng_dossiers_handled_by(eng_engine *e, const char *handler, eng_code_fn fn, void *opaque);

/* ============================================================ the read side (read.c)
 *
 * What a console and a portal show of a dossier, read in one snapshot of
 * the store, from any thread (docs/ENGINE.md, "The read side").  Texts
 * point into the result's arena; free it with eng_dossier_full_free. */

/* One field of the e-form, in the procedure's order, with its label. */
typedef struct eng_form_value {
  const char *name, *label, *type; /* type: text, number, date, enum, phone, email, citizen_id, tax_code, file, yes_no */
  enum { ENG_VALUE_NONE, ENG_VALUE_TEXT, ENG_VALUE_NUMBER, ENG_VALUE_YES_NO } kind;
  const char *text;
  int64_t number;
  bool yes;
} eng_form_value;

/* A document the procedure asks for, as it stands for the dossier. */
typedef struct eng_document_state {
  eng_document_view doc;
  const char *title;          /* the procedure's */
  const char *state;          /* "supplied", "reused", "missing"; a result: "issued" */
  bool original;              /* the original is asked (else a copy) */
  int count;                  /* copies asked */
  bool valid;                 /* not past its validity today (a missing one: false) */
} eng_document_state;

/* A step the dossier is at. */
typedef struct eng_open_step {
  const char *step, *title, *role;
  const char *agency, *agency_name; /* the step's own agency, or the dossier's */
  mc_instant entered_at, due_at, warn_at; /* 0: the step has no limit, no warning */
  bool due_soon;              /* past the warning instant, not yet due */
  bool overdue;               /* past the step's limit */
} eng_open_step;

/* The appointment as it moved: set at acceptance, moved by a supplement
 * (paused or restarted clock), an extension, ... */
typedef struct eng_appointment_change {
  uint64_t seq;
  mc_instant time, from, to;  /* from 0: the first appointment */
  const char *action;         /* the event's action: accept, provide_supplement, extend, ... */
  const char *reason;         /* an extension's apology, or NULL */
} eng_appointment_change;

/* One line of the deadline's explanation (what `motcua deadline --explain`
 * prints): each day counted or skipped and why. */
typedef struct eng_deadline_line {
  const char *what;           /* received, moved, reception, counted, skipped, due */
  char date[11];              /* the local day, "YYYY-MM-DD" ("" for none) */
  const char *day_kind;       /* working day, weekend, holiday, swap day, make-up day */
  const char *note;           /* what the calendar says of the day ("Tết Nguyên đán"), or NULL */
  mc_instant at;              /* received, moved, due */
  int64_t count, total;       /* counted: the day's ordinal (days) or its ms (hours), and the total so far */
  const char *reason;         /* moved: why */
} eng_deadline_line;

typedef struct eng_dossier_full {
  mc_arena arena;
  eng_dossier_view d;         /* the summary (`get` before issue 17) */
  char applicant_account[64]; /* "" for a desk or postal dossier */
  char channel[16];
  char definition[65];        /* the procedure version it runs under (SHA-256, hex) */
  char secret[ENG_SECRET_LEN + 1]; /* the receipt's ("" for a dossier filed before secrets) */
  const char *procedure_name, *agency_name;
  eng_applicant_view applicant;
  eng_form_value *form;
  int nform;
  eng_document_state *documents;
  int ndocuments;
  eng_open_step *open;
  int nopen;
  /* The legal clock at `now`: "not_started" (not yet accepted), "running",
   * "paused" (since paused_since), "stopped" (decided or finished); the
   * working time used since it (re)started, less its pauses, and left
   * until the appointment (negative: overdue by). */
  struct {
    const char *state;
    mc_instant started_at, paused_since;
    int restarts;             /* times it ran again from zero (a complete supplement, NĐ118 Art. 19.5) */
    int64_t used_ms, left_ms;
  } clock;
  eng_appointment_change *appointments;
  int nappointments;
  int64_t fee;                /* owed, đồng (the procedure's fee over the form) */
  struct {
    char time[48];            /* the procedure's time limit ("5 working days") */
    mc_instant from, due;     /* counted from (the clock's start), to */
    bool if_accepted_now;     /* not yet accepted: from is now, due what an acceptance now would promise */
    eng_deadline_line *lines;
    int nlines;
  } deadline;
  const char **step_agencies; /* agencies other than the dossier's that do a step: code, name pairs */
  int nstep_agencies;
  /* What the reader may do now, as the engine would decide it: each action
   * of a step the dossier is at, and each command on the dossier (withdraw,
   * extend, assign, stop, rate), with the role to take it in. */
  struct eng_offer {
    const char *action, *label, *needs; /* needs: engine/actions.h (eng_needs_name) */
    const char *step;         /* the step (NULL for a command) */
    const char *role;
  } *can;
  int ncan;
} eng_dossier_full;

/* The dossier in full as it stands at `now`; `can` for each of `as` (the
 * reader in each of its roles; n 0: none).  MC_ENOENT when unknown. */
int eng_dossier_full_read(eng_engine *e, const char *code, mc_instant now, const eng_actor *as, int nas,
                          eng_dossier_full *out);
void eng_dossier_full_free(eng_dossier_full *f);

/* A procedure version as a client draws it: its steps, and per step the
 * actions with their labels, who takes them and what each needs. */
typedef struct eng_step_action {
  const char *action, *label, *needs; /* engine/actions.h */
  const char *to;             /* the node it leads to, or the final state */
} eng_step_action;

typedef struct eng_step_info {
  const char *name, *title, *role;
  const char *agency;         /* a step at another agency names it; else NULL (the dossier's) */
  const char *state;          /* the dossier's state while at the step */
  const char *clock;          /* runs, pauses, restarts, policy */
  char limit[48], warn[48];   /* "2 working days", "4 working hours" ("" for none) */
  eng_step_action *actions;
  int nactions;
} eng_step_info;

typedef struct eng_process_view {
  mc_arena arena;
  const char *code, *name;
  char definition[65];        /* the version (SHA-256, hex) */
  char time[48];              /* the procedure's limit */
  eng_step_info *steps;
  int nsteps;
} eng_process_view;

/* The procedure `code` in effect at `now`, or the version `definition`
 * (hex) when given (a dossier's).  MC_ENOENT: unknown; MC_ERANGE: retired. */
int eng_process_read(eng_engine *e, const char *code, const char *definition, mc_instant now,
                     eng_process_view *out);
void eng_process_free(eng_process_view *p);

/* ------------------------------------------------------------ work queues (proj_queues.c)
 *
 * An agency's open dossiers, one row per step a dossier is at, filed under
 * the agency doing the step (a step agency's share: the police's part of a
 * judicial record), ordered by the step's due instant (no limit: last);
 * and each applicant's own dossiers, newest first. */
typedef struct eng_queue_row {
  char code[64], procedure[32], agency[32], state[32], step[48], role[24], title[160];
  char applicant_name[128];
  char handler[64];
  char co_handlers[4][64];
  int nco_handlers;
  mc_instant entered_at, due_at, warn_at, paused_since, submitted_at, appointment_at;
  char cursor[240];           /* where a page that ends here goes on (hex) */
} eng_queue_row;

/* Which rows: an agency's (or an applicant's, when `applicant` is set),
 * narrowed by each filter given (NULL, "" or false: any). */
typedef struct eng_queue_filter {
  const char *agency, *applicant;
  const char *step, *role, *state, *procedure;
  const char *handler;        /* the main handler or a co-handler ("assigned to me") */
  bool due_soon;              /* past the step's warning instant, not yet due */
  bool overdue;               /* past the step's limit */
  bool waiting;               /* at a step of the applicant's (a supplement) */
  bool paused;                /* the paused queue: only dossiers whose clock is paused (else none of them) */
} eng_queue_filter;

typedef int (*eng_queue_fn)(void *opaque, const eng_queue_row *row);

/* Up to `max` (0: 50) rows after `cursor` (a row's, or NULL/"" for the
 * first page), in order: a page stays put while dossiers arrive (a new row
 * sorts where its due instant puts it).  fn returns 0 to go on.  MC_EINVAL:
 * a cursor that is not one. */
int eng_queue_page(eng_engine *e, const eng_queue_filter *f, mc_instant now, const char *cursor, int max,
                   eng_queue_fn fn, void *opaque);
bool eng_queue_row_matches(const eng_queue_row *r, const eng_queue_filter *f, mc_instant now);

#define ENG_QUEUE_MAX_STEPS 32
/* An agency's queues counted: open (clock running), due soon, overdue,
 * waiting for the applicant, paused, assigned to `me`, and the open rows
 * per step, per state, per role and per procedure (a console's queues). */
typedef struct eng_queue_tally {
  struct {
    char name[48];
    int n;
  } of[ENG_QUEUE_MAX_STEPS];
  int n;
} eng_queue_tally;
typedef struct eng_queue_counts {
  int open, due_soon, overdue, waiting, paused, mine;
  eng_queue_tally steps, states, roles, procedures;
} eng_queue_counts;
int eng_queue_counts_read(eng_engine *e, const char *agency, const char *me, mc_instant now, eng_queue_counts *out);
/* The queue rows of one dossier as they stand (none once it is finished). */
int eng_queue_rows_of(eng_engine *e, const char *code, eng_queue_fn fn, void *opaque);

/* ------------------------------------------------------------ search (proj_search.c) */

/* What to find: each criterion given must hold (NULL, "" or 0: any).  The
 * name matches when each of its words starts a word of the applicant's name,
 * with or without diacritics ("nguyen an" finds "Nguyễn Văn An"). */
typedef struct eng_search_query {
  const char *code, *name, *id_number, *phone, *procedure, *state;
  mc_instant received_from, received_to, decided_from, decided_to;
} eng_search_query;

typedef struct eng_search_hit {
  char code[64], agency[32], procedure[32], state[32];
  char applicant[64];         /* the applicant's account ("" for a desk dossier) */
  char name[128];             /* the applicant's name */
  mc_instant submitted_at, decided_at, appointment_at, finished_at;
  char channel[16], classification[16];
  bool extended, supplement_used;
  char cursor[240];           /* where a page that ends here goes on */
} eng_search_hit;

/* fn decides whether the searcher may read a hit: 1 (counted in the page),
 * 0 (left out), or a negative error that is returned. */
typedef int (*eng_search_fn)(void *opaque, const eng_search_hit *hit);

/* The most hits one search examines (a query that matches nothing near the
 * start of a large index stops there: narrow it, or go on from its cursor). */
#define ENG_SEARCH_MAX_EXAMINED 20000

/* Up to `max` (0: 20) hits the searcher may read, after `cursor` (a hit's,
 * or NULL).  MC_EINVAL: a cursor of another search, or a name that is not
 * UTF-8. */
int eng_search(eng_engine *e, const eng_search_query *q, const char *cursor, int max, eng_search_fn fn,
               void *opaque);

/* One event of a dossier as a timeline entry. */
typedef struct eng_history_entry {
  uint64_t seq, version;
  mc_instant time;
  const char *type, *action, *label; /* label: the action's words (engine/actions.h) */
  const char *step, *step_title;
  const char *who, *who_name, *role, *agency; /* the actor; name and agency from its account ("" for none) */
  const char *state;          /* the dossier's state after it */
  const char *reason;         /* the supplement list, the denial's reasons, the apology, ... (or NULL) */
  mc_instant due_at, old_due, new_due;
  const char *handler;        /* an assignment's */
  const char *from, *to;      /* a transfer's agencies (codes; NULL for another event) */
  int rating;
  eng_document_view *documents; /* the scans the event brought */
  int ndocuments;
} eng_history_entry;

typedef struct eng_history {
  mc_arena arena;
  eng_history_entry *entries;
  int n;
} eng_history;

/* Every event of the dossier, oldest first.  MC_ENOENT when unknown. */
int eng_dossier_history(eng_engine *e, const char *code, eng_history *out);
void eng_history_free(eng_history *h);

/* Packs calendar files into the bytes ENG_CMD_PUBLISH takes for a calendar:
 * canonical msgpack {files: [{name, text}], id}. */
int eng_calendar_pack(const char *id, const char *const *names, const char *const *texts, int n,
                      mc_buf *out);

/* The same for every .cal file of a directory (they must parse; diagnostics
 * to `sink`). */
int eng_calendar_pack_dir(const char *dir, mc_diag_sink *sink, mc_buf *out);

/* The calendar such bytes hold (a published calendar's, as eng_definitions
 * gives them): 0 and a new calendar (eng_calendar_free), MC_EPARSE when they
 * are not a packed calendar or it does not parse, MC_ENOMEM. */
typedef struct eng_calendar eng_calendar; /* calendar/calendar.h */
int eng_calendar_unpack(const uint8_t *bytes, size_t len, eng_calendar **out);

/* The definition kind of a compiled artifact. */
eng_def_kind eng_def_kind_of(int artifact_kind);

#endif
