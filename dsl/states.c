/* states.c — the table of dossier states (states.h) and the language's lists
 * drawn from it. */
#include "dsl/states.h"

#include "dsl/vocab.h"

#include <stddef.h>
#include <string.h>

#define IS_FINAL_STEP false
#define IS_FINAL_FINAL true

static const struct {
  const char *name, *label;
  int portal;
  bool final;
} table[] = {
#define DSL__STATE_ROW(e, name, portal, kind, label) {name, label, portal, IS_FINAL_##kind},
    DSL_STATES(DSL__STATE_ROW)
#undef DSL__STATE_ROW
};

/* The language's lists (vocab.h), NULL-terminated. */
#define ONLY_STEP_STEP(name) name,
#define ONLY_STEP_FINAL(name)
#define ONLY_FINAL_STEP(name)
#define ONLY_FINAL_FINAL(name) name,
#define DSL__STEP_NAME(e, name, portal, kind, label) ONLY_STEP_##kind(name)
#define DSL__FINAL_NAME(e, name, portal, kind, label) ONLY_FINAL_##kind(name)
const char *const dsl_step_states[] = {DSL_STATES(DSL__STEP_NAME) NULL};
const char *const dsl_final_states[] = {DSL_STATES(DSL__FINAL_NAME) NULL};

const char *dsl_state_name(dsl_state s) { return (unsigned)s < DSL_STATE_COUNT ? table[s].name : NULL; }

int dsl_state_portal_code(dsl_state s) { return (unsigned)s < DSL_STATE_COUNT ? table[s].portal : 0; }

bool dsl_state_is_final(dsl_state s) { return (unsigned)s < DSL_STATE_COUNT && table[s].final; }

const char *dsl_state_label(dsl_state s) { return (unsigned)s < DSL_STATE_COUNT ? table[s].label : NULL; }

dsl_state dsl_state_parse(const char *name) {
  for (int i = 0; name && i < DSL_STATE_COUNT; i++)
    if (strcmp(table[i].name, name) == 0)
      return (dsl_state)i;
  return DSL_STATE_UNKNOWN;
}
