/* fixture.h — see fixture.c. */
#ifndef MOTCUA_TESTS_ENGINE_FIXTURE_H
#define MOTCUA_TESTS_ENGINE_FIXTURE_H

#include "base/buf.h"
#include "engine/engine.h"

extern char fx_dir[256];
extern eng_engine *eng;

/* cmocka group setup/teardown: a data directory with the bundle published. */
int fx_setup(void **state);
int fx_teardown(void **state);

mc_instant at(const char *iso);      /* Vietnam local time */
const char *iso(mc_instant t);       /* +07:00; four rotating buffers */
uint64_t head(void);                 /* the log's last sequence */
eng_result run(const eng_command *c, mc_instant now, int want);
/* An official's account (one role; an existing one is left as it is). */
void official(const char *id, const char *role, const char *agency, mc_instant now);
/* That a refusal has a key of the table, both texts, and a kind that gives
 * the client the code its status always gave. */
void refused_as(const eng_result *r);
/* A refusal whose English text holds `phrase`, nothing appended; it is returned. */
eng_result refused(const eng_command *c, mc_instant now, int want, const char *phrase);
void birth_form(mc_buf *out, const char *phone);
void record_form(mc_buf *out);
/* A walk-in's applicant block (a person of that citizen id) on a desk or
 * postal submission. */
void walk_in(eng_command *c, const char *id_number);
eng_command submit(const char *procedure, const char *agency, const mc_buf *form, const char *who);
/* A dossier's documents as eng_dossier_documents lists them (the first 8),
 * into `l`, and the one of that name (the test fails when there is none). */
typedef struct doc_list {
  eng_document_view d[8];
  int n;
} doc_list;
const eng_document_view *doc_of(doc_list *l, const char *code, const char *name);
void compile_procedure(const char *name, const char *text, const char *policy, mc_buf *out);
eng_command act(const char *dossier, const char *action, const char *who, const char *role, const char *agency);

#endif
