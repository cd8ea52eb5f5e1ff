/* vocab.c — see vocab.h; the meaning of each word is in docs/DSL.md. */
#include "dsl/vocab.h"

#include "base/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *const dsl_standard_roles[] = {"applicant", "reception", "specialist", "leader",
                                          "agency_admin", "postal", "auditor", "system_admin", NULL};
const char *const dsl_actions[] = {"accept", "reject", "request_supplement", "provide_supplement",
                                   "forward", "complete", "approve", "deny", "request_payment",
                                   "record_payment", "return_result", "hand_to_post", "deliver",
                                   "answer", "timeout", NULL};
const char *const dsl_recipients[] = {"applicant", "official", "agency", NULL};
const char *const dsl_channels[] = {"desk", "post", "online", NULL};
const char *const dsl_levels[] = {"province", "district", "commune", NULL};
const char *const dsl_online_kinds[] = {"full", "partial", NULL};
const char *const dsl_payers[] = {"applicant", "organisation", "none", NULL};

const char *const dsl_unit_words[] = {"working_days", "working_hours", "calendar_days", "hours", NULL};

int dsl_unit_of(const char *word, unsigned len) {
  for (int i = 0; word && dsl_unit_words[i]; i++)
    if (strlen(dsl_unit_words[i]) == len && memcmp(dsl_unit_words[i], word, len) == 0)
      return i;
  return -1;
}

bool dsl_vocab_has(const char *const *list, const char *word) {
  for (int i = 0; list[i]; i++)
    if (strcmp(list[i], word) == 0)
      return true;
  return false;
}

void dsl_vocab_join(const char *const *list, char *out, unsigned size) {
  unsigned n = 0;
  out[0] = '\0';
  for (int i = 0; list[i] && n < size; i++)
    n += (unsigned)snprintf(out + n, size - n, "%s%s", i ? ", " : "", list[i]);
}

const char *dsl_vocab_closest(const char *const *list, const char *word) {
  return mc_text_closest(list, word, strlen(word), strlen(word) > 5 ? 3 : 2);
}
