/* check_settings.c — the checks of policies and of the agency directory:
 * each setting known, of its kind, given once, the required ones present;
 * agency codes under the province's identifier, unique, with known parents;
 * offers of known procedures by known agencies (docs/DSL.md, "Policies" and
 * "The agency directory"). */
#include "dsl/check-int.h"

#include "base/error.h"
#include "dsl/vocab.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ============================================================ policies */

typedef struct setting_rule {
  const char *key;
  dsl_value_kind kind;
  bool required;
  const char *const *words; /* allowed words for DSL_VAL_WORD */
  const char *meaning;
} setting_rule;

static const char *const supplement_clock_words[] = {"pause", "restart", NULL};
static const char *const step_limits_words[] = {"required", "optional", NULL};

static const setting_rule policy_rules[] = {
    {"reception_limit", DSL_VAL_DURATION, true, NULL, "time to check a new online dossier"},
    {"supplement_request_limit", DSL_VAL_DURATION, true, NULL, "time to ask for a supplement after reception"},
    {"supplement_window", DSL_VAL_DURATION, true, NULL, "time the applicant has to supply it"},
    {"supplement_clock", DSL_VAL_WORD, true, supplement_clock_words, "pause or restart the legal clock"},
    {"cutoff", DSL_VAL_CLOCK, false, NULL, "received after it counts from the next working day"},
    {"feedback_answer_limit", DSL_VAL_DURATION, true, NULL, "time to answer feedback"},
    {"extension_notice", DSL_VAL_DURATION, true, NULL, "an extension is asked at least this long before the due date"},
    {"payment_pauses_clock", DSL_VAL_BOOL, true, NULL, "paying a financial obligation pauses the clock"},
    {"step_limits", DSL_VAL_WORD, false, step_limits_words, "whether every step must have a time limit"},
    {"postal_delivery_limit", DSL_VAL_DURATION, false, NULL, "time for the post to deliver a result"},
    {"legal", DSL_VAL_STRING, false, NULL, "legal basis"},
    {NULL, 0, false, NULL, NULL},
};

static const char *const agency_levels[] = {"province", "district", "commune", NULL};

static const setting_rule agency_rules[] = {
    {"level", DSL_VAL_WORD, true, agency_levels, "administrative level"},
    {"parent", DSL_VAL_STRING, false, NULL, "the agency above"},
    {"calendar", DSL_VAL_STRING, true, NULL, "the working calendar of its office hours"},
    {"address", DSL_VAL_STRING, false, NULL, "published address"},
    {"email", DSL_VAL_STRING, false, NULL, "published email"},
    {"phone", DSL_VAL_STRING, false, NULL, "published phone"},
    {"website", DSL_VAL_STRING, false, NULL, "web site"},
    {NULL, 0, false, NULL, NULL},
};

static const char *value_kind_name(dsl_value_kind k) {
  switch (k) {
  case DSL_VAL_DURATION: return "a duration such as 3 working days";
  case DSL_VAL_CLOCK: return "a time of day such as 15:00";
  case DSL_VAL_WORD: return "a word";
  case DSL_VAL_BOOL: return "yes or no";
  case DSL_VAL_STRING: return "a text in quotes";
  default: return "a number";
  }
}

static void check_settings(mc_diag_sink *sink, const dsl_setting *settings, const setting_rule *rules,
                           dsl_span owner, const char *owner_what, bool incomplete) {
  char hint[600];
  for (const dsl_setting *s = settings; s; s = s->next) {
    const setting_rule *r = rules;
    while (r->key && strcmp(r->key, s->key) != 0)
      r++;
    if (r->key == NULL) {
      const char *keys[32];
      int n = 0;
      for (const setting_rule *k = rules; k->key && n < 31; k++)
        keys[n++] = k->key;
      keys[n] = NULL;
      ERR(sink, s->at, dsl__vocab_hint(hint, sizeof hint, keys, s->key, "the settings"),
          "unknown setting \"%s\" of %s", s->key, owner_what);
      continue;
    }
    for (const dsl_setting *t = settings; t != s; t = t->next)
      if (strcmp(t->key, s->key) == 0) {
        ERR(sink, s->at, "give it once", "\"%s\" is given twice", s->key);
        break;
      }
    if (s->kind != r->kind) {
      snprintf(hint, sizeof hint, "%s (%s) takes %s", r->key, r->meaning, value_kind_name(r->kind));
      ERR(sink, s->value_at, hint, "wrong kind of value for \"%s\"", s->key);
      continue;
    }
    if (r->words && !dsl_vocab_has(r->words, s->text)) {
      char all[256];
      dsl_vocab_join(r->words, all, sizeof all);
      snprintf(hint, sizeof hint, "%s is one of: %s", r->key, all);
      ERR(sink, s->value_at, hint, "\"%s\" is not a value of %s", s->text, r->key);
    }
    if (r->kind == DSL_VAL_DURATION && s->duration.amount <= 0)
      ERR(sink, s->value_at, "a limit that starts a timer must be at least 1", "\"%s\" cannot be zero", s->key);
  }
  for (const setting_rule *r = rules; r->key; r++)
    if (r->required && dsl__setting(settings, r->key) == NULL && !incomplete) {
      snprintf(hint, sizeof hint, "add a line: %s ... (%s)", r->key, r->meaning);
      ERR(sink, owner, hint, "%s lacks \"%s\"", owner_what, r->key);
    }
}

void dsl__check_policies(const dsl_program *prog, mc_diag_sink *sink) {
  for (const dsl_policy *p = prog->policies; p; p = p->next) {
    if (p->context)
      continue;
    for (const dsl_policy *q = prog->policies; q != p; q = q->next)
      if (!q->context && strcmp(q->id, p->id) == 0) {
        ERR(sink, p->at, "give each policy its own identifier", "the policy \"%s\" is defined twice", p->id);
        break;
      }
    char what[300];
    snprintf(what, sizeof what, "the policy \"%s\"", p->id);
    check_settings(sink, p->settings, policy_rules, p->at, what, p->incomplete);
  }
}

/* ============================================================ directory */

/* The province's identifier: every dossier code begins with its agency's
 * code (docs/DOMAIN.md, "The dossier code"), and the national portal takes
 * only codes that begin with the province's identifier, so every agency code
 * of a directory begins with the same one — the part before the first dot
 * (H13 in H13, H13.STP, H13.X01).  Which one is the province's: the one most
 * agencies of the directory have. */
static size_t first_segment(const char *code) {
  const char *dot = strchr(code, '.');
  return dot ? (size_t)(dot - code) : strlen(code);
}

static void check_province_prefix(const dsl_program *prog, mc_diag_sink *sink) {
  const char *province = NULL;
  size_t plen = 0;
  int best = 0;
  for (const dsl_agency *a = prog->agencies; a; a = a->next) {
    size_t n = first_segment(a->code);
    int count = 0;
    for (const dsl_agency *b = prog->agencies; b; b = b->next)
      count += first_segment(b->code) == n && strncmp(a->code, b->code, n) == 0;
    if (count > best)
      best = count, province = a->code, plen = n;
  }
  for (const dsl_agency *a = prog->agencies; a && province; a = a->next)
    if (!a->context && (first_segment(a->code) != plen || strncmp(a->code, province, plen) != 0)) {
      char hint[200];
      snprintf(hint, sizeof hint, "write it as %.*s.%s: a dossier code begins with its agency's code, and the "
               "national portal takes only those that begin with the province's", (int)plen, province, a->code);
      ERR(sink, a->at, hint, "the agency code \"%s\" does not begin with the province's identifier \"%.*s\"",
          a->code, (int)plen, province);
    }
}

void dsl__check_directory(const dsl_program *prog, mc_diag_sink *sink) {
  char hint[600];
  check_province_prefix(prog, sink);
  for (const dsl_agency *a = prog->agencies; a; a = a->next) {
    if (a->context)
      continue;
    for (const dsl_agency *b = prog->agencies; b != a; b = b->next)
      if (!b->context && strcmp(a->code, b->code) == 0) {
        ERR(sink, a->at, "agency codes are part of dossier codes and must be unique",
            "the agency \"%s\" is defined twice", a->code);
        break;
      }
    if (a->code[0] == '\0' || strchr(a->code, ' ') || strchr(a->code, '/'))
      ERR(sink, a->at, "use letters, digits, dots and dashes, such as H13.STP",
          "\"%s\" cannot be an agency code", a->code);
    char what[300];
    snprintf(what, sizeof what, "the agency \"%s\"", a->code);
    check_settings(sink, a->settings, agency_rules, a->at, what, a->incomplete);
    const dsl_setting *parent = dsl__setting(a->settings, "parent");
    if (parent && parent->kind == DSL_VAL_STRING) {
      const dsl_agency *up = dsl__find_agency(prog, parent->text);
      if (up == NULL)
        ERR(sink, parent->value_at, dsl__did_you_mean(hint, sizeof hint, dsl__closest_agency(prog, parent->text), "name an agency of the directory by its code"),
            "unknown parent agency \"%s\"", parent->text);
      else if (up == a)
        ERR(sink, parent->value_at, NULL, "an agency cannot be its own parent");
    }
    for (const dsl_department *d = a->departments; d; d = d->next)
      for (const dsl_department *e = a->departments; e != d; e = e->next)
        if (strcmp(d->code, e->code) == 0)
          ERR(sink, d->at, "give each department its own code", "the department \"%s\" is listed twice", d->code);
  }
  for (const dsl_offer *o = prog->offers; o; o = o->next) {
    if (o->context)
      continue;
    bool known = false;
    for (const dsl_procedure *p = prog->procedures; p && !known; p = p->next)
      known = strcmp(p->code, o->procedure) == 0;
    if (!known)
      ERR(sink, o->at, dsl__did_you_mean(hint, sizeof hint, dsl__closest_in(prog->procedures, offsetof(dsl_procedure, code), o->procedure), "offer a procedure defined in workflows/procedures by its national code"),
          "unknown procedure \"%s\"", o->procedure);
    if (o->agency && dsl__find_agency(prog, o->agency) == NULL)
      ERR(sink, o->at, dsl__agency_hint(prog, o->agency, hint, sizeof hint), "unknown agency \"%s\"", o->agency);
    if (o->every_level && !dsl_vocab_has(agency_levels, o->every_level))
      ERR(sink, o->at, dsl__vocab_hint(hint, sizeof hint, agency_levels, o->every_level, "levels"),
          "unknown level \"%s\"", o->every_level);
  }
}

