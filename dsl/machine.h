/* machine.h — a compiled procedure, decoded.
 *
 * dsl_compile_emit() writes procedures as canonical msgpack (the format is
 * documented in compile.c); this reads those bytes back into plain structs
 * for the programs that run or draw a procedure: the engine, `motcua graph`.
 * Everything is allocated in the caller's arena and lives as long as it.
 * Decoding checks the format version and the structure (every target in
 * range, every kind known) and refuses anything else.
 */
#ifndef DSL_MACHINE_H
#define DSL_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"

/* Working days and hours of the agency's calendar, calendar days, hours on
 * the clock (dsl/vocab.h's dsl_unit_words, in this order). */
typedef enum { DSL_M_WORKING_DAYS, DSL_M_WORKING_HOURS, DSL_M_CALENDAR_DAYS, DSL_M_HOURS } dsl_m_unit;

typedef struct dsl_m_duration {
  bool set;
  int64_t amount;
  dsl_m_unit unit;
  const char *policy_key; /* a limit taken from the policy ("reception_limit"), or NULL */
} dsl_m_duration;

/* A condition or a fee, as compiled: an operator and its operands. */
typedef struct dsl_m_expr {
  const char *op;    /* "or" "and" "not" "cmp" "ref" "int" "str" "bool" "name" "add" "mul" "money" */
  const char *cmp;   /* "cmp": "==" "!=" "<" "<=" ">" ">=" */
  const char *scope; /* "ref": "form" or NULL */
  const char *text;  /* "ref": the name; "str", "name": the value */
  int64_t value;     /* "int", "bool", "money" */
  struct dsl_m_expr *a, *b;
} dsl_m_expr;

typedef struct dsl_m_notify {
  const char *who, *template_name;
} dsl_m_notify;

typedef struct dsl_m_transition {
  const char *action;     /* step: the action; fork: the branch name; NULL otherwise */
  int target;             /* node index, or -1 for a final state */
  const char *final;      /* the final state when target is -1 */
  bool otherwise;
  const dsl_m_expr *when; /* choice: the condition */
  const dsl_m_notify *notify;
  int nnotify;
} dsl_m_transition;

typedef enum { DSL_M_STEP, DSL_M_CHOICE, DSL_M_FORK, DSL_M_JOIN } dsl_m_kind;
typedef enum { DSL_M_CLOCK_RUNS, DSL_M_CLOCK_PAUSES, DSL_M_CLOCK_RESTARTS, DSL_M_CLOCK_POLICY } dsl_m_clock;

typedef struct dsl_m_node {
  dsl_m_kind kind;
  const char *name, *title, *role, *agency, *state, *escalate, *lead;
  dsl_m_clock clock;
  dsl_m_duration limit, warn;
  int join;               /* fork: its join's index, else -1 */
  bool ordered;
  const dsl_m_transition *out;
  int nout;
} dsl_m_node;

typedef enum {
  DSL_M_TEXT, DSL_M_NUMBER, DSL_M_DATE, DSL_M_ENUM, DSL_M_PHONE, DSL_M_EMAIL,
  DSL_M_CITIZEN_ID, DSL_M_TAX_CODE, DSL_M_FILE, DSL_M_YES_NO,
} dsl_m_field_type;

/* An e-form field and its validation. */
typedef struct dsl_m_field {
  const char *name, *label, *help, *pattern;
  dsl_m_field_type type;
  bool required;
  bool has_bounds;      /* length (texts) or range (numbers) */
  int64_t min, max;
  const char *const *values; /* enum values, NULL-terminated */
  int nvalues;
} dsl_m_field;

/* A document the applicant supplies (or, `result`, receives). */
typedef struct dsl_m_document {
  const char *name, *title, *blank;
  int count;
  bool original, eform, result;
} dsl_m_document;

/* A role a procedure names for its steps, with its title ("Cán bộ thẩm định"). */
typedef struct dsl_m_role {
  const char *name, *title;
} dsl_m_role;

typedef struct dsl_machine {
  const char *code, *name, *sector, *field, *level, *online, *policy, *payer;
  dsl_m_duration time;
  const dsl_m_expr *fee;
  bool refundable;
  const char *const *legal; /* the legal basis, one text each, NULL-terminated */
  int nlegal;
  const dsl_m_role *roles;  /* the procedure's own roles */
  int nroles;
  const dsl_m_node *nodes; /* nodes[0] is where a dossier starts */
  int nnodes;
  const dsl_m_field *fields;
  int nfields;
  const dsl_m_document *documents;
  int ndocuments;
} dsl_machine;

/* The node called `name`, or -1. */
int dsl_machine_node(const dsl_machine *m, const char *name);

/* Decodes a compiled procedure.  Returns 0, MC_EPARSE when the bytes are not
 * a compiled procedure (or are damaged), MC_ERANGE for a format version this
 * build does not know, MC_ENOMEM. */
int dsl_machine_decode(const uint8_t *bytes, size_t len, mc_arena *arena, dsl_machine **out);

/* Writes an expression as it would be written in the language:
 * form.kind == "a" and not fee_paid;  200000 VND + 5000 VND * form.copies. */
int dsl_m_expr_format(const dsl_m_expr *e, mc_buf *out);

/* "3 working days", "policy.reception_limit" (English, as in the language). */
int dsl_m_duration_format(const dsl_m_duration *d, mc_buf *out);

#endif
