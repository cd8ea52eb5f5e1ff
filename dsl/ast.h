/* ast.h — what the parser builds from the files agencies write.
 *
 * Everything lives in the compile's arena (base/arena.h) and is freed with it.
 * Lists are singly linked in source order.  Every node keeps the byte range
 * it came from (`at`) so the checks can point at the spot.  Internal to dsl/:
 * the engine sees only the compiled machines (dsl/dsl.h).
 */
#ifndef DSL_AST_H
#define DSL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

typedef struct dsl_span {
  const mc_source *src;
  size_t off, end;
} dsl_span;

/* In the order of dsl_m_unit (machine.h) and dsl_unit_words (vocab.h). */
typedef enum {
  DSL_UNIT_WORKING_DAYS,
  DSL_UNIT_WORKING_HOURS,
  DSL_UNIT_CALENDAR_DAYS,
  DSL_UNIT_HOURS,          /* hours on the clock: "24 giờ" */
} dsl_unit;

typedef struct dsl_duration {
  int64_t amount;
  dsl_unit unit;
  dsl_span at;
} dsl_duration;

/* A time limit: a duration, or a policy's number ("policy.reception_limit"). */
typedef struct dsl_limit {
  bool set;
  const char *policy_key; /* non-NULL: the policy's value */
  dsl_duration d;
  dsl_span at;
} dsl_limit;

/* ------------------------------------------------------------ expressions */

typedef enum {
  DSL_EX_OR,
  DSL_EX_AND,
  DSL_EX_NOT,
  DSL_EX_CMP,    /* left op right */
  DSL_EX_REF,    /* form.NAME or a dossier fact */
  DSL_EX_INT,
  DSL_EX_STR,
  DSL_EX_BOOL,
  DSL_EX_NAME,   /* a bare word: an enum value such as `online` */
  DSL_EX_ADD,    /* fees */
  DSL_EX_MUL,
  DSL_EX_MONEY,  /* N VND */
} dsl_expr_kind;

typedef enum { DSL_OP_EQ, DSL_OP_NE, DSL_OP_LT, DSL_OP_LE, DSL_OP_GT, DSL_OP_GE } dsl_cmp_op;

typedef struct dsl_expr {
  dsl_expr_kind kind;
  dsl_cmp_op op;
  struct dsl_expr *left, *right;
  const char *scope;  /* REF: "form", or NULL for a dossier fact */
  const char *name;   /* REF, NAME, STR */
  int64_t value;      /* INT, BOOL, MONEY */
  int size;           /* nodes in this expression */
  dsl_span at;
} dsl_expr;

/* ------------------------------------------------------------ procedures */

typedef enum {
  DSL_FIELD_TEXT,
  DSL_FIELD_NUMBER,
  DSL_FIELD_DATE,
  DSL_FIELD_ENUM,
  DSL_FIELD_PHONE,
  DSL_FIELD_EMAIL,
  DSL_FIELD_CITIZEN_ID,
  DSL_FIELD_TAX_CODE,
  DSL_FIELD_FILE,
  DSL_FIELD_BOOL,
} dsl_field_type;

typedef struct dsl_strlist {
  struct dsl_strlist *next;
  const char *text;
  dsl_span at;
} dsl_strlist;

typedef struct dsl_field {
  struct dsl_field *next;
  const char *name;
  dsl_field_type type;
  dsl_strlist *values; /* enum */
  bool required;
  const char *label, *help, *pattern;
  bool has_length, has_range;
  int64_t min, max;    /* length or range */
  dsl_span at;
} dsl_field;

typedef struct dsl_document {
  struct dsl_document *next;
  const char *name, *title;
  bool original, copy, eform, result;
  int64_t count;
  const char *blank_form; /* where to download the blank form (level 2) */
  dsl_span at;
} dsl_document;

typedef struct dsl_notify {
  struct dsl_notify *next;
  const char *who;      /* applicant, official, ... */
  const char *template_name;
  dsl_span at;
} dsl_notify;

typedef struct dsl_transition {
  struct dsl_transition *next;
  const char *action;   /* step: the action; choice: NULL */
  dsl_expr *when;       /* choice: the condition; NULL for otherwise */
  bool otherwise;
  const char *target;
  dsl_notify *notify;
  dsl_span at, target_at;
  int target_index;     /* set by the checks: the node it leads to, or -1 */
} dsl_transition;

typedef enum { DSL_NODE_STEP, DSL_NODE_CHOICE, DSL_NODE_FORK, DSL_NODE_JOIN } dsl_node_kind;

typedef enum { DSL_CLOCK_RUNS, DSL_CLOCK_PAUSES, DSL_CLOCK_RESTARTS, DSL_CLOCK_POLICY } dsl_clock;

typedef struct dsl_node {
  struct dsl_node *next;
  dsl_node_kind kind;
  const char *name, *title;
  /* step */
  const char *role, *agency, *state;
  dsl_span role_at, agency_at, state_at;
  dsl_limit limit;
  dsl_clock clock;
  bool clock_set;
  dsl_duration warn;    /* warn this long before the limit; amount 0 = none */
  bool has_warn;
  const char *escalate_to;
  dsl_span escalate_at;
  /* step actions, choice branches, fork branches (action = branch name), join: one */
  dsl_transition *out;
  bool ordered;         /* choice: first condition that holds wins */
  const char *join;     /* fork: its join */
  const char *lead;     /* fork: the lead agency, NULL = the dossier's agency */
  dsl_span join_at, lead_at;
  dsl_span at;
  int index;            /* set by the checks */
  bool incomplete;      /* a syntax error inside it: what it lacks is not reported again */
} dsl_node;

typedef struct dsl_procedure {
  struct dsl_procedure *next;
  const char *code, *name;
  const char *sector, *field, *level, *online, *policy, *payer;
  int64_t service_level;
  dsl_duration time;
  bool has_time;
  dsl_expr *fee;
  bool refundable;
  dsl_strlist *legal, *channels, *offered_by;
  dsl_strlist *role_names, *role_titles;
  dsl_document *documents;
  dsl_field *fields;
  dsl_node *nodes;
  dsl_span at, code_at, policy_at, level_at, online_at;
  bool context;         /* read for reference only: not checked or emitted */
  bool incomplete;      /* a syntax error in one of its lines (not in a step) */
  dsl_strlist *lost_names; /* the names on its lines a syntax error dropped (a step's
                            * header perhaps): an arrow to one is not "unknown" */
} dsl_procedure;

/* ------------------------------------------------------------ policies, directory */

typedef enum { DSL_VAL_DURATION, DSL_VAL_CLOCK, DSL_VAL_WORD, DSL_VAL_BOOL, DSL_VAL_STRING, DSL_VAL_INT } dsl_value_kind;

typedef struct dsl_setting {
  struct dsl_setting *next;
  const char *key;
  dsl_value_kind kind;
  dsl_duration duration;
  int64_t number;       /* CLOCK: minutes after midnight; BOOL; INT */
  const char *text;     /* WORD, STRING */
  dsl_span at, value_at;
} dsl_setting;

typedef struct dsl_policy {
  struct dsl_policy *next;
  const char *id, *title;
  dsl_setting *settings;
  dsl_span at;
  bool context;
  bool incomplete;      /* a syntax error inside it: what it lacks is not reported again */
} dsl_policy;

typedef struct dsl_department {
  struct dsl_department *next;
  const char *code, *name;
  dsl_span at;
} dsl_department;

typedef struct dsl_agency {
  struct dsl_agency *next;
  const char *code, *name;
  dsl_setting *settings;
  dsl_department *departments;
  dsl_span at;
  bool context;
  bool incomplete;      /* a syntax error inside it: what it lacks is not reported again */
} dsl_agency;

typedef struct dsl_offer {
  struct dsl_offer *next;
  const char *procedure;
  const char *agency;      /* one agency, or NULL */
  const char *every_level; /* "commune": every agency of that level */
  dsl_span at;
  bool context;
} dsl_offer;

/* `merged "FROM" into "INTO"`: the agency FROM is gone from the directory
 * and INTO is its successor, which takes over its open dossiers and its
 * officials when the directory is published (docs/DSL.md, "The agency
 * directory"). */
typedef struct dsl_merger {
  struct dsl_merger *next;
  const char *from, *into;
  dsl_span at, from_at, into_at;
  bool context;
} dsl_merger;

/* Everything read from one compile's files. */
/* A message to an applicant or an official: its e-mail subject and body
 * and its text message, with {facts} of the dossier filled in when sent. */
typedef struct dsl_template {
  struct dsl_template *next;
  const char *name, *subject, *body, *sms;
  dsl_span at, subject_at, body_at, sms_at;
  bool context;
  bool incomplete;      /* a syntax error inside it */
} dsl_template;

typedef struct dsl_program {
  dsl_procedure *procedures;
  dsl_policy *policies;
  dsl_agency *agencies;
  dsl_offer *offers;
  dsl_template *templates;
  dsl_merger *mergers;
} dsl_program;

#endif
