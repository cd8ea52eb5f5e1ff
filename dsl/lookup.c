/* lookup.c — what the checks look up in everything a compile read: a
 * policy, an agency, a setting, a message template, the {facts} of a
 * template's text.  A compiled definition shadows a context one with the
 * same identifier.  Below the checks (check.c, check_structure.c). */
#include "dsl/dsl-int.h"
#include "dsl/vocab.h"

#include <stdio.h>
#include <string.h>

const dsl_setting *dsl__setting(const dsl_setting *list, const char *key) {
  for (; list; list = list->next)
    if (strcmp(list->key, key) == 0)
      return list;
  return NULL;
}

const dsl_policy *dsl__find_policy(const dsl_program *prog, const char *id) {
  const dsl_policy *found = NULL;
  for (const dsl_policy *p = prog->policies; p; p = p->next)
    if (strcmp(p->id, id) == 0 && (found == NULL || (found->context && !p->context)))
      found = p;
  return found;
}

const dsl_agency *dsl__find_agency(const dsl_program *prog, const char *code) {
  const dsl_agency *found = NULL;
  for (const dsl_agency *a = prog->agencies; a; a = a->next)
    if (strcmp(a->code, code) == 0 && (found == NULL || (found->context && !a->context)))
      found = a;
  return found;
}

const dsl_template *dsl__find_template(const dsl_program *prog, const char *name) {
  for (const dsl_template *t = prog->templates; t; t = t->next)
    if (!strcmp(t->name, name))
      return t;
  return NULL;
}

int dsl__next_fact(const char **cursor, char fact[64], bool *too_long) {
  for (const char *c = *cursor; c && *c; c++) {
    if ((c[0] == '{' && c[1] == '{') || (c[0] == '}' && c[1] == '}')) {
      c++;
      continue;
    }
    if (*c == '}')
      return -1;
    if (*c != '{')
      continue;
    const char *end = strchr(c, '}');
    if (end == NULL)
      return -2;
    size_t n = (size_t)(end - c - 1);
    *too_long = n >= 64;
    snprintf(fact, 64, "%.*s", (int)(n < 64 ? n : 63), c + 1);
    *cursor = end + 1;
    return 1;
  }
  return 0;
}

/* The closest of up to 512 names to `word` (dsl_vocab_closest), or NULL. */
static const char *closest_of(const char **names, int n, const char *word) {
  names[n] = NULL;
  return n ? dsl_vocab_closest(names, word) : NULL;
}

const char *dsl__closest_agency(const dsl_program *prog, const char *code) {
  const char *names[513];
  int n = 0;
  for (const dsl_agency *a = prog->agencies; a && n < 512; a = a->next)
    names[n++] = a->code;
  return closest_of(names, n, code);
}

const char *dsl__closest_template(const dsl_program *prog, const char *name) {
  const char *names[513];
  int n = 0;
  for (const dsl_template *t = prog->templates; t && n < 512; t = t->next)
    names[n++] = t->name;
  return closest_of(names, n, name);
}


/* A hint naming the closest word, or listing them all. */
const char *dsl__vocab_hint(char *buf, unsigned size, const char *const *list, const char *word,
                            const char *what) {
  const char *guess = dsl_vocab_closest(list, word);
  char all[512];
  if (guess) {
    snprintf(buf, size, "did you mean \"%s\"?", guess);
  } else {
    dsl_vocab_join(list, all, sizeof all);
    snprintf(buf, size, "%s are: %s", what, all);
  }
  return buf;
}

/* "did you mean" the closest agency code, else how agencies are named. */
const char *dsl__agency_hint(const dsl_program *prog, const char *code, char *buf, size_t size) {
  const char *guess = dsl__closest_agency(prog, code);
  if (guess)
    snprintf(buf, size, "did you mean \"%s\"?", guess);
  else
    snprintf(buf, size, "name an agency of the directory by its code");
  return buf;
}
