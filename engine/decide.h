/* decide.h — what the files that decide share (not for use outside
 * engine/): the `decide` context of one command, the refusals, what an
 * event records, and the functions of the deciding files.  Their internal
 * prefix is dec_ (engine-int.h's eng__ is the whole engine's).
 *
 * Each command is decided inside the batch's write transaction against the
 * dossier's snapshot and the procedure version it was filed with; a refusal
 * says which rule and which step and appends nothing.  The files, each
 * calling only those below it:
 *   execute.c                  eng_execute: the dispatch, repeated results
 *   cmd_*.c                    the commands, by family
 *   timers.c                   timers due, fired
 *   process.c                  the process machine, who may act
 *   documents.c, record.c      the scans a command brings; appending events
 *                              and loading what a command decides on
 */
#ifndef ENG_DECIDE_H
#define ENG_DECIDE_H

#include "engine/engine-int.h"

typedef struct decide {
  eng_engine *e;
  store_batch *b;
  mc_instant now;
  const eng_command *cmd;
  eng_result *res;
  const dsl_machine *m;
  const eng_policy *policy;
  const eng_calendar *cal;
  const msgpack_object *form;  /* the dossier's e-form, for choices */
  const msgpack_object *applicant; /* its applicant block (NULL: none recorded) */
  const char *last_action;
  int depth;
  uint8_t cal_hash[32];        /* the calendar version deadlines are counted on */
  mc_instant event_time;       /* when set: the events' time, while `now` is the instant a
                                  caught-up timer was due (ARCHITECTURE.md "Time") */
  struct {                     /* messages the event causes: recorded with it (the outbox) */
    const char *to, *template_name;
    const char *agency;        /* the agency whose address it goes to; NULL: the dossier's */
  } notes[ENG_MAX_NOTES];
  int nnotes;
} decide;

/* A refusal from the table (engine/refusals.h): refuse(d, MC_E..., NAME,
 * args...), its arguments checked against both its texts. */
#define refuse(d, code, ...) ENG_REFUSE((d)->res, (code), __VA_ARGS__)

/* A refusal of one field of the command: its path, the rule it breaks, and
 * both texts in the result's fields (engine.h), for a page to show beside
 * the field. */
#define refuse_field(d, code, field, rule, ...) ENG_REFUSE_FIELD((d)->res, (code), (field), (rule), __VA_ARGS__)

/* A document of the dossier, as the event records it. */
typedef struct doc_entry {
  const char *name;
  bool has_hash;              /* false: missing */
  uint8_t hash[32];           /* its first file */
  uint8_t more[ENG_MAX_FILES - 1][32]; /* its files after the first, in order */
  int nmore;
  char reused_from[64];       /* the dossier it was first supplied with, or "" */
  int64_t supplied_at;
  char valid_until[11];       /* "YYYY-MM-DD" or "" */
} doc_entry;

/* What happened, beside the snapshot. */
typedef struct what {
  const char *action, *step, *reason, *handler;
  mc_instant due_at, new_due, old_due;
  bool breach;
  int rating;
  const doc_entry *docs;      /* submission and supplement: the documents brought or reused;
                                 approve and return_result: the results brought */
  int ndocs;
  const char *email, *phone;  /* submission: the applicant's addresses the form gives */
  const uint8_t *applicant;   /* submission: the applicant block (canonical), or NULL */
  size_t applicant_len;
  const char *secret;         /* submission: the receipt's secret, or NULL */
  const char *from, *to;      /* a transfer: the agency the dossier leaves, the one it goes to */
} what;

/* ------------------------------------------------------------ the event (record.c) */

/* A message the event being decided causes (recorded with the event). */
void dec_note(decide *d, const char *to, const char *template_name);
/* The same, for the officials (`to` a role, "official" or "agency") of
 * `agency`, the agency of a step done elsewhere (NULL: the dossier's). */
void dec_note_at(decide *d, const char *to, const char *template_name, const char *agency);
/* Appends the dossier event: `snap` after it at `version`, `w` what
 * happened, `form` the e-form when the dossier is filed (else NULL). */
int dec_append_dossier_event(decide *d, const eng_snap *snap, uint64_t version, const what *w,
                             const uint8_t *form, size_t form_len);
/* Appends an event of a stream other than a dossier's. */
int dec_append_other(decide *d, const char *stream, const char *type, mc_canon *w, mc_buf *data);
/* Loads a dossier's snapshot, the definitions it runs under, its e-form. */
int dec_load_snap(decide *d, const char *code, eng_snap *s, uint64_t *version);
int dec_load_defs(decide *d, const eng_snap *s);
int dec_load_form(decide *d, const char *code, msgpack_unpacked *u);
/* The directory's word on an agency: exists, offers the procedure, its calendar. */
int dec_check_directory(decide *d, const char *agency, const char *procedure, char *calendar, size_t size);
/* The directory in effect now (the engine's decoded copy), refused when there is none. */
int dec_directory(decide *d, const dsl_directory **out);

/* ------------------------------------------------------------ documents (documents.c) */

/* The local date of `now` on the dossier's calendar, "YYYY-MM-DD". */
void dec_today(const decide *d, char out[11]);
/* The scans a command brings, and their check against the procedure: a
 * submission's and a supplement's are documents it asks of the applicant,
 * an official's approve and return_result bring its results; no other
 * action brings any. */
eng_documents dec_brought_by(const eng_command *c);
int dec_brought_documents(decide *d, const char *date, doc_entry *out, int *n);

/* ------------------------------------------------------------ the applicant (applicant.c) */

/* The applicant block of the submission being decided, checked and
 * canonical, into `canonical`: online the account's, with the address and
 * contacts the command adds; at the desk or by post the command's (it must
 * give one).  Every fault is in the result's fields. */
int dec_applicant_block(decide *d, bool online, mc_buf *canonical);

/* ------------------------------------------------------------ the process (process.c) */

/* A dossier's state as a citizen reads it, for the text of a refusal. */
const char *dec_state_vi(const char *state);
/* A deadline `dur` from `from` on the dossier's calendar (refused when it
 * cannot be counted); the appointment's own timers armed on `s`. */
int dec_deadline(decide *d, mc_instant from, eng_duration dur, int cutoff, mc_instant *due);
void dec_arm_deadline(decide *d, eng_snap *s);
/* Enters a node; ends the dossier in the final state `final`. */
int dec_enter(decide *d, eng_snap *s, int node);
int dec_finish(decide *d, eng_snap *s, const char *final);
/* Takes `action` in the step at token `ti` and appends the event. */
int dec_take(decide *d, eng_snap *s, uint64_t version, int ti, const char *action, mc_instant due_at);
/* Who may act: in a step; as the applicant; as reception of the agency. */
int dec_role_allowed(decide *d, const eng_snap *s, const dsl_m_node *n);
bool dec_is_applicant_of(const eng_actor *a, const eng_snap *s);
bool dec_is_reception_of(const eng_actor *a, const eng_snap *s);
bool dec_final_state(const char *state);
/* A command on an open dossier: its snapshot at the version the client
 * saw, and its definitions. */
int dec_open_dossier(decide *d, eng_snap *s, uint64_t *version);

/* ------------------------------------------------------------ the commands
 * Each command's handler, dec_do_<name> (engine/commands.h), called by
 * eng_execute (execute.c). */

int dec_do_publish(decide *d);   /* cmd_publish.c */
int dec_do_retire(decide *d);    /* cmd_publish.c */
int dec_do_submit(decide *d);    /* cmd_submit.c */
int dec_do_act(decide *d);       /* cmd_act.c */
int dec_do_withdraw(decide *d);  /* cmd_act.c */
int dec_do_extend(decide *d);    /* cmd_dossier.c */
int dec_do_assign(decide *d);    /* cmd_dossier.c */
int dec_do_stop(decide *d);      /* cmd_dossier.c */
int dec_do_rate(decide *d);      /* cmd_dossier.c */
int dec_do_refund(decide *d);    /* cmd_dossier.c */
int dec_do_transfer(decide *d);  /* cmd_transfer.c */
/* A directory that merges the agency `from` into `to` (cmd_publish.c):
 * every open dossier of `from` transferred to `to` and its officials moved,
 * in the publishing command's batch (cmd_transfer.c); *dossiers and
 * *officials say how many. */
int dec_transfer_agency(decide *d, const char *from, const char *to, const char *reason, int *dossiers,
                        int *officials);
/* The open dossiers whose agency is `agency` now, wherever they were filed:
 * their codes NUL-terminated end to end into *codes (NULL: only counted). */
int dec_open_dossiers_of(decide *d, const char *agency, mc_buf *codes, int *n);
int dec_do_delivered(decide *d); /* cmd_outbox.c */
int dec_do_announce(decide *d);  /* cmd_outbox.c */
int dec_do_send_code(decide *d); /* cmd_outbox.c */
int dec_do_account(decide *d);   /* execute.c, over engine/account.c */

#endif
