/* check_directory_successor.c — the successors the agency directory names:
 * `merged "FROM" into "INTO"` says the agency FROM is gone and INTO takes
 * over its open dossiers and its officials when the directory is published
 * (docs/DSL.md, "The agency directory").  FROM must be gone from the
 * directory, INTO an agency of it that is not itself merged (no chain, no
 * cycle: the dossiers go to the agency that works on them in one step).
 * Calls only the lookups (lookup.c) and the reporting (report.c).
 */
#include "dsl/dsl-int.h"

#include <stdio.h>
#include <string.h>

#define ERR(sink, span, hint, ...) dsl__error_at((sink), (span), (hint), __VA_ARGS__)

static const dsl_merger *merger_of(const dsl_program *prog, const char *from, const dsl_merger *before) {
  for (const dsl_merger *g = prog->mergers; g && g != before; g = g->next)
    if (!strcmp(g->from, from))
      return g;
  return NULL;
}

void dsl__check_successors(const dsl_program *prog, mc_diag_sink *sink) {
  char hint[256];
  for (const dsl_merger *g = prog->mergers; g; g = g->next) {
    if (g->context)
      continue;
    if (merger_of(prog, g->from, g)) {
      ERR(sink, g->from_at, "an agency has one successor: keep one merged line for it",
          "the agency \"%s\" is merged twice", g->from);
      continue;
    }
    if (!strcmp(g->from, g->into)) {
      ERR(sink, g->into_at, "name the agency that takes over its dossiers and officials",
          "the agency \"%s\" cannot be its own successor", g->from);
      continue;
    }
    if (dsl__find_agency(prog, g->from)) {
      snprintf(hint, sizeof hint, "remove the block agency \"%s\" { ... }: a merged agency is no longer in the directory",
               g->from);
      ERR(sink, g->from_at, hint, "the agency \"%s\" is merged into \"%s\" but still in the directory", g->from,
          g->into);
    }
    const dsl_merger *next = merger_of(prog, g->into, NULL);
    if (next) {
      const dsl_merger *last = next;
      for (int hops = 0; hops < 64 && merger_of(prog, last->into, NULL); hops++)
        last = merger_of(prog, last->into, NULL);
      if (!strcmp(last->into, g->from) || merger_of(prog, last->into, NULL))
        snprintf(hint, sizeof hint, "the successors go round in a circle: name an agency of the directory");
      else
        snprintf(hint, sizeof hint, "name \"%s\", the agency that takes over, directly: merged \"%s\" into \"%s\"",
                 last->into, g->from, last->into);
      ERR(sink, g->into_at, hint, "the successor \"%s\" of \"%s\" is itself merged into \"%s\"", g->into, g->from,
          next->into);
    } else if (dsl__find_agency(prog, g->into) == NULL) {
      ERR(sink, g->into_at, dsl__agency_hint(prog, g->into, hint, sizeof hint), "unknown successor agency \"%s\"",
          g->into);
    }
  }
}
