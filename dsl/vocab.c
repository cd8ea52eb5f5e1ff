/* vocab.c — see vocab.h; the meaning of each word is in docs/DSL.md. */
#include "dsl/vocab.h"

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

static int distance(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  int row[64];
  if (na >= 63 || nb >= 63)
    return 99;
  for (size_t j = 0; j <= nb; j++)
    row[j] = (int)j;
  for (size_t i = 1; i <= na; i++) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= nb; j++) {
      int up = row[j], best = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[nb];
}

const char *dsl_vocab_closest(const char *const *list, const char *word) {
  const char *best = NULL;
  int best_d = strlen(word) > 5 ? 3 : 2;
  for (int i = 0; list[i]; i++) {
    int d = distance(word, list[i]);
    if (d < best_d)
      best_d = d, best = list[i];
  }
  return best;
}
