/* tap.c — the tap (engine.h, eng_set_tap): the events of the open batch as
 * they are appended, handed to the host once the batch is durable. */
#include "engine/engine-int.h"

#include "base/error.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eng_set_tap(eng_engine *e, eng_tap_fn fn, void *opaque) {
  e->tap.fn = fn;
  e->tap.opaque = opaque;
  e->tap.n = 0;
}

static eng_event_view *next_view(eng_engine *e) {
  if (e->tap.n == e->tap.cap) {
    int cap = e->tap.cap ? e->tap.cap * 2 : 64;
    eng_event_view *v = realloc(e->tap.events, (size_t)cap * sizeof *v);
    if (v == NULL)
      mc_oom((size_t)cap * sizeof *v);
    e->tap.events = v;
    e->tap.cap = cap;
  }
  return &e->tap.events[e->tap.n++];
}

void eng__tap_dossier(eng_engine *e, uint64_t seq, const store_event_in *in, const eng_snap *after,
                      const char *action, const char *step, bool has_reason, const char *from_agency) {
  if (e->tap.fn == NULL)
    return;
  eng_event_view *v = next_view(e);
  eng__view_of_snap(after, &v->dossier, v->applicant, sizeof v->applicant); /* clears the dossier */
  /* The snapshot's version is set by the projection as it applies the
   * event; the event is the one after the version it expected. */
  v->dossier.version = (uint64_t)in->expected_version + 1;
  mc_text_copy(v->type, sizeof v->type, in->type);
  mc_text_copy(v->action, sizeof v->action, action);
  mc_text_copy(v->step, sizeof v->step, step);
  mc_text_copy(v->from_agency, sizeof v->from_agency, from_agency);
  v->subject[0] = '\0';
  v->has_reason = has_reason;
  v->seq = seq;
  v->time = in->time;
}

void eng__tap_other(eng_engine *e, uint64_t seq, const store_event_in *in) {
  if (e->tap.fn == NULL)
    return;
  eng_event_view *v = next_view(e);
  memset(v, 0, sizeof *v);
  const char *slash = strchr(in->stream, '/');
  snprintf(v->type, sizeof v->type, "%s", in->type);
  snprintf(v->subject, sizeof v->subject, "%s", slash ? slash + 1 : in->stream);
  v->seq = seq;
  v->time = in->time;
}

void eng__tap_flush(eng_engine *e) {
  if (e->tap.fn && e->tap.n)
    e->tap.fn(e->tap.opaque, e->tap.events, e->tap.n);
  e->tap.n = 0;
}
