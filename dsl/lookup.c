/* lookup.c — what the checks look up in everything a compile read: a
 * policy, an agency, a setting, a message template, the {facts} of a
 * template's text.  A compiled definition shadows a context one with the
 * same identifier.  Below the checks (check.c, check_structure.c). */
#include "dsl/dsl-int.h"
#include "dsl/vocab.h"

#include <stddef.h>
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

int dsl__next_fact_at(const char **cursor, char fact[64], bool *too_long, const char **at) {
  for (const char *c = *cursor; c && *c; c++) {
    if ((c[0] == '{' && c[1] == '{') || (c[0] == '}' && c[1] == '}')) {
      c++;
      continue;
    }
    *at = c;
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

int dsl__next_fact(const char **cursor, char fact[64], bool *too_long) {
  const char *at;
  return dsl__next_fact_at(cursor, fact, too_long, &at);
}

/* Where the bytes [from, to) of a text are in the file: the text was read
 * from the quoted literals of `lits` (one after the other, each on one line,
 * with \ escapes), so a fact in a body over several lines is pointed at on
 * its own line.  The whole span when the text cannot be followed (a text
 * the lexer normalised). */
dsl_span dsl__text_span(dsl_span lits, const char *text, const char *from, const char *to) {
  if (lits.src == NULL || text == NULL || from == NULL || to <= from)
    return lits;
  /* the first byte and the last */
  size_t want[2] = {(size_t)(from - text), (size_t)(to - text) - 1}, got[2] = {0, 0}, k = 0;
  bool found[2] = {false, false}, inside = false;
  const char *s = lits.src->text;
  for (size_t i = lits.off; i < lits.end && i < lits.src->len && !found[1]; i++) {
    if (!inside) {
      if (s[i] == '#')
        while (i + 1 < lits.end && s[i + 1] != '\n')
          i++;
      inside = s[i] == '"';
      continue;
    }
    if (s[i] == '"') {
      inside = false;
      continue;
    }
    for (int w = 0; w < 2; w++)
      if (!found[w] && k == want[w])
        found[w] = true, got[w] = i;
    if (s[i] == '\\' && i + 1 < lits.end)
      i++;
    k++;
  }
  if (!found[0] || !found[1] || got[1] < got[0])
    return lits;
  return (dsl_span){lits.src, got[0], got[1] + 1};
}

/* ------------------------------------------------------------ did you mean */

/* The closest of names[0..n) (n < 0: up to a NULL) to `word`, or NULL when
 * none is close (dsl_vocab_closest); the first 512 names are looked at. */
const char *dsl__closest(const char *word, const char *const *names, int n) {
  const char *list[513];
  int k = 0;
  for (int i = 0; (n < 0 || i < n) && names[i] && k < 512; i++)
    list[k++] = names[i];
  list[k] = NULL;
  return k && word ? dsl_vocab_closest(list, word) : NULL;
}

/* The same over a list of the AST (items start with `next`), the names at
 * `offset` in each item (NULL names are skipped). */
const char *dsl__closest_in(const void *list, size_t offset, const char *word) {
  const char *names[513];
  int n = 0;
  for (const char *item = list; item && n < 512; item = *(const char *const *)item) {
    const char *name = *(const char *const *)(item + offset);
    if (name)
      names[n++] = name;
  }
  return dsl__closest(word, names, n);
}

const char *dsl__closest_join(const dsl_node *nodes, const char *name) {
  const char *names[513];
  int n = 0;
  for (; nodes && n < 512; nodes = nodes->next)
    if (nodes->kind == DSL_NODE_JOIN)
      names[n++] = nodes->name;
  return dsl__closest(name, names, n);
}

bool dsl__fork_join_misspelt(const dsl_node *nodes) {
  for (const dsl_node *f = nodes; f; f = f->next) {
    if (f->kind == DSL_NODE_FORK && f->join == NULL)
      return true; /* a syntax error in its header: its join is unknown */
    bool found = f->kind != DSL_NODE_FORK;
    for (const dsl_node *j = nodes; j && !found; j = j->next)
      found = j->kind == DSL_NODE_JOIN && strcmp(j->name, f->join) == 0;
    if (!found)
      return true;
  }
  return false;
}

const char *dsl__did_you_mean(char *hint, size_t size, const char *guess, const char *otherwise) {
  if (guess == NULL)
    return otherwise;
  snprintf(hint, size, "did you mean \"%s\"?", guess);
  return hint;
}

const char *dsl__closest_agency(const dsl_program *prog, const char *code) {
  return dsl__closest_in(prog->agencies, offsetof(dsl_agency, code), code);
}

const char *dsl__closest_template(const dsl_program *prog, const char *name) {
  return dsl__closest_in(prog->templates, offsetof(dsl_template, name), name);
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
  for (const dsl_merger *m = prog->mergers; m; m = m->next)
    if (strcmp(m->from, code) == 0) {
      snprintf(buf, size, "\"%s\" was merged into \"%s\", which took over its work: name \"%s\" instead", code,
               m->into, m->into);
      return buf;
    }
  const char *guess = dsl__closest_agency(prog, code);
  if (guess)
    snprintf(buf, size, "did you mean \"%s\"?", guess);
  else
    snprintf(buf, size, "name an agency of the directory by its code");
  return buf;
}
