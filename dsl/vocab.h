/* vocab.h — the words of DOMAIN.md the language knows: dossier states,
 * roles, actions, facts, channels, levels.  One table each, used by the
 * checks (what is allowed) and by docs/DSL.md (what they mean). */
#ifndef DSL_VOCAB_H
#define DSL_VOCAB_H

#include <stdbool.h>

/* States a step may belong to, and final states a transition may lead to:
 * drawn from the table of states (dsl/states.h, with the national portal's
 * codes). */
extern const char *const dsl_step_states[];   /* submitted accepted processing ... */
extern const char *const dsl_final_states[];  /* returned rejected withdrawn stopped */
/* Standard roles of DOMAIN.md "Actors". */
extern const char *const dsl_standard_roles[];
/* Actions officials and applicants take in a step. */
extern const char *const dsl_actions[];
/* Who a notification goes to. */
extern const char *const dsl_recipients[];
extern const char *const dsl_channels[];
extern const char *const dsl_levels[];
extern const char *const dsl_online_kinds[];
extern const char *const dsl_payers[];

/* The units of a compiled duration ("working_days" "working_hours"
 * "calendar_days" "hours"), in the order of dsl_unit and dsl_m_unit. */
extern const char *const dsl_unit_words[];
/* The unit a compiled duration names (`len` bytes of `word`), or -1. */
int dsl_unit_of(const char *word, unsigned len);

/* Whether `word` is in the NULL-terminated list. */
bool dsl_vocab_has(const char *const *list, const char *word);

/* Writes the list as "a, b, c" into out (for hints). */
void dsl_vocab_join(const char *const *list, char *out, unsigned size);

/* The closest word of the list when `word` looks like a typo of it. */
const char *dsl_vocab_closest(const char *const *list, const char *word);

#endif
