/* dsl.h — the procedure language: agencies write, motcua checks and compiles.
 *
 * One compile reads a set of files (procedures, policies, the agency
 * directory; docs/DSL.md is the language reference), checks them together,
 * and emits compiled definitions: canonical msgpack (base/canon.h) with a
 * format version, identified by the SHA-256 of their bytes, so a dossier can
 * pin the exact version it was filed under.  Compiling the same sources gives
 * the same bytes on any machine.
 *
 * Files can be added as *context*: their policies and agencies are known to
 * the checks (a procedure names its policy, a step its agency) but nothing is
 * emitted for them, and a definition in a compiled file shadows a context
 * definition with the same identifier.  The command line uses the bundled
 * workflows/ as context, so an official can check one edited file.
 *
 * The DSL never prints: diagnostics go to the sink.
 */
#ifndef DSL_DSL_H
#define DSL_DSL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/hash.h"

/* Version of the compiled format; bump it when the layout in compile.c
 * changes. */
#define DSL_FORMAT_VERSION 1

/* The most steps a dossier can be at at once (the branches of a fork). */
#define DSL_MAX_PARALLEL 8

/* The longest duration the calendar counts (ENG_DURATION_MAX). */
#define DSL_MAX_DURATION 10000

typedef struct dsl_compile dsl_compile;

/* A new, empty compile.  Returns 0 or MC_ENOMEM. */
int dsl_compile_new(dsl_compile **out);

/* Releases the compile, its AST and its artifacts.  NULL is a no-op. */
void dsl_compile_free(dsl_compile *c);

/* Parses one file into the compile.  `src` (name and text) is borrowed until
 * dsl_compile_free(): diagnostics and the AST point into it.  Syntax errors
 * go to `sink`; returns 0, MC_EPARSE when the file had errors, MC_ETOOBIG,
 * MC_ENOMEM. */
int dsl_compile_add(dsl_compile *c, const mc_source *src, bool context, mc_diag_sink *sink);

/* Runs every check over everything added.  Returns 0, or MC_EPARSE when any
 * error was reported. */
int dsl_compile_check(dsl_compile *c, mc_diag_sink *sink);

typedef enum {
  DSL_ARTIFACT_PROCEDURE,
  DSL_ARTIFACT_POLICY,
  DSL_ARTIFACT_DIRECTORY,
  DSL_ARTIFACT_TEMPLATE,
} dsl_artifact_kind;

/* One compiled definition.  Owned by the compile. */
typedef struct dsl_artifact {
  dsl_artifact_kind kind;
  const char *id;        /* procedure code, policy id, "directory", or template name */
  const char *title;
  mc_buf bytes;          /* canonical msgpack */
  uint8_t hash[MC_SHA256_BYTES];
} dsl_artifact;

/* Compiles what was checked (call dsl_compile_check first; it must have
 * returned 0).  *artifacts is valid until dsl_compile_free().  Returns 0 or
 * MC_ENOMEM / MC_EINVAL. */
int dsl_compile_emit(dsl_compile *c, const dsl_artifact **artifacts, int *count);

const char *dsl_artifact_kind_name(dsl_artifact_kind kind);

/* ============================================================ time limits */

/* A time limit of a procedure compiled (not context), as written: its
 * processing time or a step's limit, a number of the policy resolved; for
 * the checks that count on the calendars (`motcua check`, tools/cmd_check.c). */
typedef struct dsl_limit_site {
  const char *procedure;  /* its code */
  const char *step;       /* NULL: the procedure's time */
  int64_t amount;
  int unit;               /* a dsl_m_unit (dsl/machine.h) */
  const mc_source *src;   /* where it is written */
  size_t off, len;
} dsl_limit_site;

typedef int (*dsl_limit_fn)(void *opaque, const dsl_limit_site *site);

/* Calls fn with every such limit (after dsl_compile_check); fn returns 0
 * to go on, anything else stops and is returned.  A limit of the policy
 * that the policy does not give is left out (the check said so). */
int dsl_compile_limits(const dsl_compile *c, dsl_limit_fn fn, void *opaque);

/* ============================================================ the directory */

/* A compiled agency directory read back (dsl/directory.c): its agencies by
 * code and its offers, for merging and comparing; dsl/defs.h reads its
 * agencies' settings and its offers. */
typedef struct dsl_directory dsl_directory;

/* Decodes a compiled directory; MC_EPARSE when `bytes` is not one.  The
 * bytes are copied; free *out with dsl_directory_free(). */
int dsl_directory_decode(const uint8_t *bytes, size_t len, dsl_directory **out);
void dsl_directory_free(dsl_directory *d); /* NULL is a no-op */

bool dsl_directory_has_agency(const dsl_directory *d, const char *code);
/* The successor the directory names for an agency merged into another
 * (`merged "FROM" into "INTO"`), into `into`; false when it names none. */
bool dsl_directory_successor(const dsl_directory *d, const char *code, char *into, size_t size);
uint32_t dsl_directory_agency_count(const dsl_directory *d);
/* The i-th agency (by code order): its code and name, truncated to fit. */
void dsl_directory_agency(const dsl_directory *d, uint32_t i, char *code, size_t code_size, char *name,
                          size_t name_size);

/* What publishing `named` (a directory compiled from some agency files) over
 * `published` (the one in the log; NULL if none) makes: every agency of
 * `named`, and the published agencies it does not declare; the offers of
 * `named`, and the published offers except those of an agency `named`
 * declares (its file now says what it offers); the successors (`merged`) of
 * `named`, and the published ones whose agency `named` does not declare
 * again — an agency `named` merges goes.  Canonical bytes appended to
 * `out`.  Publishing the whole bundle replaces the directory instead: that
 * is how an agency or an offer to every commune is removed. */
int dsl_directory_merge(const dsl_directory *published, const dsl_directory *named, mc_buf *out);

/* Appends to `text` one line per change from `from` (NULL: none) to `to`:
 * "  + agency CODE NAME", "  ~ agency CODE NAME (changed)", "  - agency ...",
 * "  + offer PROCEDURE at AGENCY", "  - offer PROCEDURE at every LEVEL".
 * Returns the number of changes. */
int dsl_directory_diff(const dsl_directory *from, const dsl_directory *to, mc_buf *text);

#endif
