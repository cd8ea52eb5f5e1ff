/* engine-int.h — what the engine's files share: the dossier snapshot, the
 * caches of decoded definitions, msgpack helpers.  Not for use outside
 * engine/. */
#ifndef ENG_ENGINE_INT_H
#define ENG_ENGINE_INT_H

#include "engine/engine.h"

#include "base/arena.h"
#include "base/bytes.h"
#include "base/canon.h"
#include "dsl/defs.h"
#include "dsl/dsl.h"
#include "dsl/machine.h"
#include "engine/events.h"
#include "calendar/calendar.h"

#include <msgpack.h>
#include <pthread.h>

/* Projections of the engine (names and versions; bump a version when its
 * apply function changes: it is rebuilt from the log at the next open). */
#define ENG_MAX_FORM_BYTES (64 * 1024) /* an e-form as sent */
#define ENG_MAX_APPLICANT_BYTES 2048   /* an applicant block as sent */
#define ENG_MAX_REASON_BYTES 8192      /* a reason, list, apology or comment */
#define ENG_FIRE_CHUNK 1000            /* timers fired per write transaction */
#define ENG_DEADLINE_NODE (-1)         /* the node of a dossier's appointment timers */
#define ENG_MAX_NOTES 8                /* messages one event causes */
#define ENG_MAX_DOCUMENTS 32           /* scans one command brings */

#define ENG_PROJ_DOSSIER "eng_dossier" /* code -> the dossier's snapshot (snapshot.c) */
#define ENG_PROJ_TIMERS "eng_timers"   /* "t/" due code 0 node kind -> ""; "d/" code -> keys */
#define ENG_PROJ_CODES "eng_codes"     /* agency-yymmdd -> u32 BE last number */
#define ENG_PROJ_FORMS "eng_forms"     /* code -> u64 BE seq of the event that filed its e-form */
#define ENG_PROJ_DEFS "eng_defs"       /* kind/id -> [(from, hash)]; "b/" hash -> bytes */
#define ENG_PROJ_DOCUMENTS "eng_documents" /* "d/" code 0 name -> document (a result too); "o/" owner 0 name ->
                                              last supplied; "f/" file's SHA-256 (32 bytes) -> code of the
                                              first dossier whose event referenced it */
#define ENG_PROJ_OUTBOX "eng_outbox"     /* u64 BE seq, u8 index -> "": a message not yet delivered */
#define ENG_PROJ_CONTACTS "eng_contacts" /* code -> {agency, email, phone} of open dossiers */
#define ENG_PROJ_HANDLERS "eng_handlers" /* "h/" handler 0 code -> ""; "c/" code -> handler (open dossiers) */
#define ENG_PROJ_FEEDS "eng_feeds"       /* applicant 0 u64 BE seq -> "": each applicant's events */
#define ENG_PROJ_COUNTS "eng_counts"     /* dossiers by state, timers armed (for /metrics) */
#define ENG_PROJ_ACCOUNTS "eng_accounts" /* account id -> the account as it stands (account.c) */
#define ENG_PROJ_QUEUES "eng_queues"     /* work queues, applicants' lists (proj_queues.c) */
#define ENG_PROJ_SEARCH "eng_search"     /* dossiers by code, name word, id, phone, day (proj_search.c) */

#define ENG_MAX_TOKENS DSL_MAX_PARALLEL

/* Where a dossier is in its process: a token per step it is at. */
typedef struct eng_token {
  int32_t node;
  int64_t entered;  /* when it entered the step */
  int64_t due;      /* the step's limit, 0 = none */
  int64_t warn;     /* when to warn before it, 0 = none */
} eng_token;

typedef struct eng_join {
  int32_t node;     /* a join node */
  int32_t arrived;  /* branches arrived so far */
} eng_join;

/* The snapshot's fields, one line each, in the byte order of their keys:
 * X(kind, member, "key", SET or HEADER, declaration).  The struct below and
 * the snapshot's encodings (snapshot.c: the projection's, an event's `set`,
 * the auditor's map) all come from this list, so a field added here is
 * encoded, decoded and compared everywhere.  HEADER fields are never in an
 * event's `set`: its record says them (stream, definition hash, version).
 * The kinds: I64, INT, U64, STR, BOOL, HASH (32 bytes), and the lists CO
 * (co-handlers), JOINS, TOKENS, STEPS, each with its count. */
#define ENG_SNAP_FIELDS(X)                                                                                  \
  X(I64, accepted_at, "accepted_at", SET, int64_t accepted_at)                                             \
  X(STR, agency, "agency", SET, char agency[32])                                                           \
  X(STR, applicant, "applicant", SET, char applicant[64])                                                  \
  X(I64, appointment_at, "appointment_at", SET, int64_t appointment_at)                                    \
  X(STR, calendar, "calendar", SET, char calendar[32])                                                     \
  X(HASH, calendar_version, "calendar_version", SET, uint8_t calendar_version[32]) /* the last deadline's */ \
  X(STR, channel, "channel", SET, char channel[16])                                                        \
  X(STR, classification, "classification", SET, char classification[16])                                  \
  X(CO, co_handlers, "co_handlers", SET, char co_handlers[4][64]; int nco_handlers)                         \
  X(STR, code, "code", HEADER, char code[64])                                                              \
  X(I64, deadline_due, "deadline_due", SET, int64_t deadline_due) /* the appointment's own timer */         \
  X(I64, deadline_warn, "deadline_warn", SET, int64_t deadline_warn) /* the last day to extend */           \
  X(I64, decided_at, "decided_at", SET, int64_t decided_at)                                                \
  X(HASH, definition, "definition", HEADER, uint8_t definition[32])                                        \
  X(BOOL, extended, "extended", SET, bool extended)                                                        \
  X(BOOL, fee_paid, "fee_paid", SET, bool fee_paid)                                                        \
  X(I64, finished_at, "finished_at", SET, int64_t finished_at)                                             \
  X(STR, handler, "handler", SET, char handler[64])                                                        \
  X(JOINS, joins, "joins", SET, eng_join joins[ENG_MAX_TOKENS]; int njoins)                                \
  X(STR, outcome, "outcome", SET, char outcome[16])                                                        \
  X(STR, owner, "owner", SET, char owner[64]) /* whose documents are kept ("": nobody's) */                \
  X(I64, paused_since, "paused_since", SET, int64_t paused_since)                                          \
  X(HASH, policy, "policy", SET, uint8_t policy[32])                                                       \
  X(STR, procedure, "procedure", SET, char procedure[32])                                                  \
  X(INT, rating, "rated", SET, int rating) /* 0: not rated */                                              \
  X(I64, refunded, "refunded", SET, int64_t refunded) /* VND, 0: none */                                   \
  X(STR, state, "state", SET, char state[32])                                                              \
  X(STEPS, steps, "steps", SET, char steps[ENG_MAX_TOKENS][48]; int nsteps) /* the tokens' step names */   \
  X(I64, submitted_at, "submitted_at", SET, int64_t submitted_at)                                          \
  X(BOOL, supplement_late, "supplement_late", SET, bool supplement_late)                                   \
  X(BOOL, supplement_used, "supplement_used", SET, bool supplement_used)                                   \
  X(TOKENS, tokens, "tokens", SET, eng_token tokens[ENG_MAX_TOKENS]; int ntokens)                          \
  X(U64, version, "version", HEADER, uint64_t version)

/* A dossier as it stands after an event (engine/snapshot.c). */
typedef struct eng_snap {
#define ENG__SNAP_MEMBER(kind, member, key, where, decl) decl;
  ENG_SNAP_FIELDS(ENG__SNAP_MEMBER)
#undef ENG__SNAP_MEMBER
} eng_snap;

/* What a message may say of a dossier (docs/DSL.md, "Message templates"). */
typedef struct eng_facts {
  const eng_snap *s;             /* the dossier after the event */
  const dsl_machine *m;          /* its procedure, or NULL */
  const msgpack_object *form;    /* its e-form, or NULL */
  const msgpack_object *applicant; /* its applicant block, or NULL (filed before blocks) */
  const char *reason, *step, *message, *code;
  const char *email, *phone;     /* addresses given outright (else, for the applicant, the form's) */
  mc_instant due_at, old_due;
  int offset_min;                /* local time of the calendar */
} eng_facts;

/* Writes one message of the outbox as a canonical map {body, email, error,
 * phone, sms, subject, template, to}: the template published under
 * `template_name` at `now`, filled in.  An unpublished template gives the
 * map with `error` set, not a failure. */
int eng__message_write(eng_engine *e, store_batch *b, mc_instant now, const eng_facts *f, const char *to,
                       const char *template_name, mc_canon *w);
/* The same message as a dossier event of format 2 records it: {agency,
 * email, error, hash, phone, template, to}, each only when it has a value —
 * `agency` when the message goes to the officials of `at`, the agency of a
 * step done elsewhere, rather than the dossier's; the template's hash (none
 * when it is not published: then `error`), and the addresses only when
 * given outright (the form's and the directory's are found again); the
 * texts are rendered when read (eng__message_render).  The directory the
 * agency's name comes from goes into dir_hash (*has_dir set). */
int eng__message_ref(eng_engine *e, store_batch *b, mc_instant now, const eng_facts *f, const char *to,
                     const char *template_name, const char *at, mc_canon *w, uint8_t dir_hash[32], bool *has_dir);
/* Renders a message `note` of the dossier event `ev` (data `root`) recorded
 * by eng__message_ref: subject, body, sms, e-mail and phone into
 * texts[0..4], exactly as
 * they were when the event was decided — the template by its hash, the
 * dossier as it stood after the event, its form, the event's facts.  An
 * unpublished template gives its recorded error, no texts.  The template's
 * name into template_name (a published one's is read in its bytes). */
int eng__message_render(store_read *rd, const store_event *ev, const msgpack_object *root,
                        const msgpack_object *note, mc_buf texts[5], char *template_name, size_t tsize,
                        char *error, size_t esize);
/* The name a decoded template gives (MC_EPARSE for NULL, or too long). */
int eng__template_name(const dsl_d_template *t, char *out, size_t size);

/* Writes a snapshot as a canonical map; decodes one. */
/* The open dossiers whose agency is `agency` now, wherever they were filed
 * (a dossier transferred in keeps the code of the agency it was filed
 * with, so the codes' prefix does not say): a store_kv_fn over the whole
 * dossier projection; their codes NUL-terminated end to end into `codes`
 * (when not NULL), the first into `first`. */
typedef struct eng__open_of {
  const char *agency;
  mc_buf *codes;
  int n;
  char first[64];
} eng__open_of;
int eng__collect_open(void *opaque, const void *key, size_t klen, const void *val, size_t vlen);

/* The snapshot (snapshot.c).  The projection's value: every field not at
 * its default, the version among them, by position; the same as a map of
 * their names (what auditors read). */
void eng__snap_encode(const eng_snap *s, mc_canon *w);
void eng__snap_map(const eng_snap *s, mc_canon *w);
/* An event's `set`: the fields of `next` that differ from `prev` (NULL: a
 * new dossier), without the code, version and definition (the record's
 * stream, version and definition hash say them). */
void eng__snap_delta(const eng_snap *prev, const eng_snap *next, mc_canon *w);
/* Assigns the fields a map holds; decode starts from the defaults. */
int eng__snap_patch(const msgpack_object *map, eng_snap *s);
int eng__snap_decode(const msgpack_object *o, eng_snap *out);
/* The projection's value (or a map) decoded. */
int eng__snap_of_bytes(const void *bytes, size_t len, eng_snap *out);
/* The snapshot after the dossier event `ev` whose data is `root`: format 1
 * carries it whole (`after`, with `steps` beside it), format 2 the fields it
 * changed (`set`) over `prev` (NULL for the first event). */
int eng__snap_apply(const store_event *ev, const msgpack_object *root, const eng_snap *prev, eng_snap *s);
/* The snapshot of a dossier at `version`, in a read: the projection's when
 * it is at that version, else the dossier's events replayed up to it. */
int eng__snap_at(store_read *rd, const char *code, size_t code_len, uint64_t version, eng_snap *out);

/* A decoded definition, cached by hash for the engine's lifetime. */
typedef struct eng_policy {
  bool has_reception, has_window, has_request_limit, has_notice, has_cutoff;
  int64_t reception_ms;          /* working time */
  struct { int64_t amount; int unit; } window, request_limit, notice, feedback;
  bool restart;                  /* supplement_clock restart (else pause) */
  bool payment_pauses;           /* payment_pauses_clock */
  int cutoff_min;                /* ENG_NO_CUTOFF when none */
  /* durations by name, for policy.<key> limits */
  struct { const char *key; int64_t amount; int unit; } limits[24];
  int nlimits;
} eng_policy;

typedef struct eng_def {
  struct eng_def *next;
  eng_def_kind kind;
  uint8_t hash[32];
  mc_arena arena;
  dsl_machine *machine;          /* procedure */
  eng_policy policy;             /* policy */
  eng_calendar *calendar;        /* calendar */
  dsl_directory *directory;      /* directory, decoded once (NULL: its bytes are not one) */
  dsl_d_template *tmpl;          /* template (NULL: its bytes are not one) */
  const uint8_t *bytes;          /* a copy (directory, calendar) */
  size_t len;
  char id[64];
} eng_def;

struct eng_engine {
  store *st;
  eng_def *defs;                 /* cache of decoded definitions (defs.c) */
  pthread_mutex_t defs_lock;     /* it is read and grown by the writer and the readers */
  mc_buf form_copy;              /* the writer's copy of the e-form it decides on */
  mc_buf applicant_copy;         /* and of its applicant block, */
  msgpack_unpacked applicant_u;  /* decoded */
  struct {                       /* the tap (engine.h, eng_set_tap; tap.c) */
    eng_tap_fn fn;
    void *opaque;
    eng_event_view *events;      /* the open batch's events so far */
    int n, cap;
  } tap;
};

/* The tap (tap.c): the events of the open batch, as they are appended; a
 * command's are dropped when it is aborted (rewound to the mark taken when
 * it began), the batch's when it fails; flushed to the host after a commit. */
void eng__tap_dossier(eng_engine *e, uint64_t seq, const store_event_in *in, const eng_snap *after,
                      const char *action, const char *step, bool has_reason, const char *from_agency);
void eng__tap_other(eng_engine *e, uint64_t seq, const store_event_in *in);
static inline int eng__tap_mark(const eng_engine *e) { return e->tap.n; }
static inline void eng__tap_rewind(eng_engine *e, int mark) { e->tap.n = mark; }
void eng__tap_flush(eng_engine *e);
/* A snapshot as a view (proj_dossier.c); `applicant` (may be NULL) gets the
 * applicant's account. */
void eng__view_of_snap(const eng_snap *s, eng_dossier_view *out, char *applicant, size_t asize);


/* msgpack helpers over decoded objects (msgpack.c). */
const msgpack_object *eng__get(const msgpack_object *map, const char *key);
bool eng__str_is(const msgpack_object *o, const char *s);
int eng__str_copy(const msgpack_object *o, char *out, size_t size); /* "" for nil */
int64_t eng__int(const msgpack_object *o); /* 0 when not an integer */

/* A document's files after the first as an event or the documents
 * projection records them (`more`: their SHA-256 end to end;
 * proj_documents.c): how many (0 when absent), or -1 when it is not whole
 * hashes or more than a document holds; into a view, in hexadecimal
 * (MC_EPARSE when it is not one). */
int eng__more_count(const msgpack_object *more);
int eng__more_view(const msgpack_object *more, eng_document_view *dv);

/* Accounts (account.c): the command, the projection, the record's decoder. */
int eng__account_decide(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, eng_result *r);
int eng__account_apply(void *opaque, store_proj_txn *tx, const store_event *ev);
int eng__account_decode(const void *data, size_t len, eng_account_view *out);
/* An account as the batch has it (*exists false: none of that id). */
int eng__account_load(store_batch *b, const char *id, eng_account_view *out, bool *exists);
/* How many enabled officials an agency has, in the batch. */
int eng__agency_officials(store_batch *b, const char *agency, int *enabled);
/* Every official of `from` moved to `to` (account.moved, roles kept); *moved how many. */
int eng__accounts_move(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, const char *from,
                       const char *to, int *moved, eng_result *r);

/* A step's or procedure's limit as a duration (a policy.<key> read from the
 * policy); *ok false when it has none (process.c). */
eng_duration eng__duration_of(const dsl_m_duration *dur, const eng_policy *p, bool *ok);
/* The calendar's unit of a compiled duration's (defs.c). */
eng_time_unit eng__unit_of(dsl_m_unit unit);

/* Definitions (defs.c): the decoded one of a hash (cached, from any
 * thread), and which version of an id is in effect at `at` (MC_ERANGE:
 * retired), in a command's batch or in a read. */
int eng__def_load(eng_engine *e, store_batch *b, const uint8_t hash[32], eng_def_kind kind, eng_def **out);
int eng__def_current(eng_engine *e, store_batch *b, eng_def_kind kind, const char *id, mc_instant at,
                     uint8_t hash_out[32]);
int eng__def_read(eng_engine *e, store_read *rd, const uint8_t hash[32], eng_def_kind kind, eng_def **out);
int eng__def_current_read(store_read *rd, eng_def_kind kind, const char *id, mc_instant at, uint8_t hash_out[32]);
/* Every definition of `kind` in effect at `at` as the open command sees
 * them (retired ones left out), decoded, in id order: fn returns 0 to go on,
 * 1 to stop, or a negative error that is returned. */
typedef int (*eng__def_fn)(void *opaque, eng_def *def);
int eng__defs_in_effect(eng_engine *e, store_batch *b, eng_def_kind kind, mc_instant at, eng__def_fn fn,
                        void *opaque);

/* A refusal or failure of the store passed on (store_errmsg): its text
 * under the key of its status's kind (STORE_REFUSED, STORE_CONFLICT,
 * STORE_FAILED: engine/refusals.h).  Returns `status`. */
int eng__refuse_store(eng_result *r, int status, const char *why);

/* Form validation and conditions (form.c). */
/* Checks every field and re-encodes the form into `canonical`.  On refusal,
 * res->message says the first fault in English and res->fields lists every
 * field in error (engine.h); returns MC_EINVAL, MC_ETOOBIG or MC_ENOMEM. */
int eng__form_validate(const dsl_machine *m, const uint8_t *form, size_t len, mc_buf *canonical,
                       eng_result *res);
/* The same check of any map against `fields`, each fault named
 * "<prefix>.<field>" (the applicant block, applicant.c). */
int eng__map_validate(const dsl_m_field *fields, int nfields, const char *prefix, const uint8_t *map, size_t len,
                      mc_buf *canonical, eng_result *res);
/* A condition over the e-form, the applicant block (its `kind` is what
 * `applicant` names; NULL: a person) and the dossier. */
int eng__cond_eval(const dsl_m_expr *e, const msgpack_object *form, const msgpack_object *applicant, const eng_snap *s,
                   bool *out);
/* The fee of a dossier in VND: the procedure's fee expression over its form. */
int eng__fee(const dsl_m_expr *e, const msgpack_object *form, int64_t *vnd);

/* An event's type as the table's enum (engine/events.h). */
static inline eng_event_type eng__event_type(const store_event *ev) {
  return eng_event_parse(ev->type.ptr, ev->type.len);
}

#endif
