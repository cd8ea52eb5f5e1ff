/* defs.h — compiled policies, templates and the agency directory, decoded.
 *
 * compile.c writes every kind of definition as canonical msgpack (its
 * comment gives the format); machine.h reads procedures back, this header
 * the other kinds: a policy's settings and a message template (defs.c), and
 * the directory's agencies and offers (directory.c, which also merges and
 * compares directories: dsl.h).  Texts are NUL-terminated copies in the
 * caller's arena (policy, template) or in the directory.
 */
#ifndef DSL_DEFS_H
#define DSL_DEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "dsl/dsl.h"
#include "dsl/machine.h"

/* ============================================================ the policy */

/* A duration setting ("supplement_window 15 days"), named by its key. */
typedef struct dsl_d_limit {
  const char *key;
  int64_t amount;   /* 0 when not a non-negative integer */
  dsl_m_unit unit;  /* an unknown unit reads as calendar days */
} dsl_d_limit;

typedef struct dsl_d_policy {
  const char *id, *title;     /* title: NULL when none */
  const dsl_d_limit *limits;  /* every duration setting, in key order */
  int nlimits;
  bool has_cutoff;            /* "cutoff", minutes after midnight */
  int cutoff_min;
  bool supplement_restarts;   /* supplement_clock restart (else the clock pauses) */
  bool payment_pauses_clock;  /* payment_pauses_clock yes */
} dsl_d_policy;

/* Decodes a compiled policy.  Returns 0, MC_EPARSE when the bytes are not
 * one (no map of settings, a key that is not text), MC_ENOMEM. */
int dsl_policy_decode(const uint8_t *bytes, size_t len, mc_arena *arena, dsl_d_policy **out);

/* The duration setting `key`, or NULL. */
const dsl_d_limit *dsl_policy_limit(const dsl_d_policy *p, const char *key);

/* ============================================================ templates */

typedef struct dsl_d_template {
  const char *name, *subject, *body, *sms; /* NULL when absent (sms is optional) */
} dsl_d_template;

/* Decodes a compiled message template.  Returns 0, MC_EPARSE when the bytes
 * are not one (kind, or a text field that is neither text nor nil),
 * MC_ENOMEM. */
int dsl_template_decode(const uint8_t *bytes, size_t len, mc_arena *arena, dsl_d_template **out);

/* ============================================================ the directory */

/* A department of an agency (`department "CODE" "NAME"`). */
typedef struct dsl_d_department {
  const char *code, *name;
} dsl_d_department;

/* An agency as the directory says (dsl_directory_decode, dsl.h): its
 * settings (docs/DSL.md "The agency directory"), NULL when absent or not
 * text, and its departments in the order written. */
typedef struct dsl_d_agency {
  const char *code, *name;
  const char *level, *parent, *calendar, *email;
  const char *address, *phone, *website;
  const dsl_d_department *departments;
  uint32_t ndepartments;
} dsl_d_agency;

/* A procedure offered at one agency, or at every agency of a level. */
typedef struct dsl_d_offer {
  const char *procedure, *agency, *every; /* agency or every: NULL */
} dsl_d_offer;

/* The agencies and the offers in the order the bytes hold them. */
const dsl_d_agency *dsl_directory_agencies(const dsl_directory *d, uint32_t *count);
const dsl_d_offer *dsl_directory_offers(const dsl_directory *d, uint32_t *count);

/* The agency `code`, or NULL (also for a NULL directory). */
const dsl_d_agency *dsl_directory_find(const dsl_directory *d, const char *code);

/* Whether the offer is of the agency `a`: at it by code, or at every agency
 * of its level. */
bool dsl_directory_offer_is_at(const dsl_d_offer *o, const dsl_d_agency *a);
/* Whether the agency of that code is in the directory and offers the procedure. */
bool dsl_directory_offered(const dsl_directory *d, const char *procedure, const char *agency);

#endif
