/* check_templates.c — the checks of message templates: each named once,
 * with a subject and a body, each {fact} one a message can fill in; the
 * messages the engine sends by itself defined; every notify naming one.
 * Where a template is used is checked with the process
 * (check_structure.c). */
#include "dsl/check-int.h"

#include "base/error.h"
#include "dsl/vocab.h"

#include <stdio.h>
#include <string.h>

/* ============================================================ message templates */

/* The facts a template may name, filled in when the message is sent
 * (docs/DSL.md, "Message templates"). */
static const char *const template_facts[] = {
    "dossier.code", "dossier.state", "procedure.code", "procedure.name", "agency.name", "applicant.name",
    "submitted_at", "appointment", "old_appointment", "reason", "amount", "code", "step", "due_at",
    "message", NULL};

/* Every {fact} of a text is one the engine knows; {{ and }} are braces. */
static void check_template_text(const dsl_template *t, const char *text, dsl_span at, const char *what,
                                mc_diag_sink *sink) {
  char hint[600], fact[64];
  bool too_long;
  int found;
  const char *start = text, *place = NULL; /* the fact's place, for its line and column */
  while ((found = dsl__next_fact_at(&text, fact, &too_long, &place)) == 1)
    if (too_long || !dsl_vocab_has(template_facts, fact))
      ERR(sink, dsl__text_span(at, start, place, text), dsl__vocab_hint(hint, sizeof hint, template_facts, fact, "facts"),
          "the %s of \"%s\" names {%s}, which no message can fill in", what, t->name, fact);
  if (found == -1)
    ERR(sink, dsl__text_span(at, start, place, place + 1), "write }} for a brace in the text, or open the fact with {", "a lone } in the %s of \"%s\"",
        what, t->name);
  else if (found == -2)
    ERR(sink, dsl__text_span(at, start, place, place + 1), "close the fact with }, or write {{ for a brace", "an unclosed { in the %s of \"%s\"", what,
        t->name);
}

void dsl__check_templates(const dsl_program *prog, mc_diag_sink *sink) {
  for (const dsl_template *t = prog->templates; t; t = t->next) {
    if (t->context)
      continue;
    if (dsl__find_template(prog, t->name) != t)
      ERR(sink, t->at, "give each template its own name", "the template \"%s\" is defined twice", t->name);
    if (strlen(t->name) > 40)
      ERR(sink, t->at, "a template's name has at most 40 characters", "the template name \"%.40s...\" is too long",
          t->name);
    if (t->subject == NULL && !t->incomplete)
      ERR(sink, t->at, "add: subject \"...\" (the e-mail's subject line)", "the template \"%s\" has no subject",
          t->name);
    if (t->body == NULL && !t->incomplete)
      ERR(sink, t->at, "add: body \"...\" (the e-mail's text; several texts in a row are joined)",
          "the template \"%s\" has no body", t->name);
    check_template_text(t, t->subject, t->subject_at, "subject", sink);
    check_template_text(t, t->body, t->body_at, "body", sink);
    check_template_text(t, t->sms, t->sms_at, "text message", sink);
  }
  if (prog->templates == NULL)
    return; /* checked together with workflows/templates only */
  /* The engine's own messages (docs/ENGINE.md, "The outbox"). */
  static const char *const engine_sends[] = {"received", "new_dossier", "extended", "payment_due", "step_warning", "step_overdue",
                                             "deadline_near", "deadline_passed", "delivery_failed", "incident", "transferred", NULL};
  const dsl_template *last = prog->templates;
  while (last->next)
    last = last->next;
  for (int i = 0; engine_sends[i]; i++)
    if (dsl__find_template(prog, engine_sends[i]) == NULL) {
      char hint[300];
      snprintf(hint, sizeof hint, "the engine sends it by itself; define it: template \"%s\" { subject \"...\" body \"...\" }",
               engine_sends[i]);
      ERR(sink, last->at, hint, "the message template \"%s\" is missing", engine_sends[i]);
    }
  for (const dsl_procedure *p = prog->procedures; p; p = p->next) {
    if (p->context)
      continue;
    for (const dsl_node *n = p->nodes; n; n = n->next)
      for (const dsl_transition *tr = n->out; tr; tr = tr->next)
        for (const dsl_notify *m = tr->notify; m; m = m->next)
          if (m->template_name[0] && dsl__find_template(prog, m->template_name) == NULL) {
            char hint[300];
            const char *guess = dsl__closest_template(prog, m->template_name);
            if (guess)
              snprintf(hint, sizeof hint, "did you mean \"%s\"?", guess);
            else
              snprintf(hint, sizeof hint, "define it in workflows/templates: template \"%s\" { subject \"...\" body \"...\" }",
                       m->template_name);
            ERR(sink, m->at, hint, "unknown message template \"%s\"", m->template_name);
          }
  }
}

