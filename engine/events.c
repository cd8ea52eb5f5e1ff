/* events.c — the event table's names and lookups (events.h). */
#include "engine/events.h"

#include <string.h>

static const struct {
  const char *name, *cause;
  size_t len;
} table[] = {
#define ENG__EVENT_ROW(e, type, cause) {type, cause, sizeof type - 1},
    ENG_EVENTS(ENG__EVENT_ROW)
#undef ENG__EVENT_ROW
};

const char *eng_event_name(eng_event_type t) { return (unsigned)t < ENG_EV_COUNT ? table[t].name : NULL; }

const char *eng_event_cause(eng_event_type t) { return (unsigned)t < ENG_EV_COUNT ? table[t].cause : NULL; }

eng_event_type eng_event_parse(const char *type, size_t len) {
  for (int i = 0; i < ENG_EV_COUNT; i++)
    if (table[i].len == len && memcmp(table[i].name, type, len) == 0)
      return (eng_event_type)i;
  return ENG_EV_UNKNOWN;
}

eng_event_type eng_event_of_cause(const char *cause) {
  for (int i = 0; cause && i <= ENG_EV_DOSSIER_TRANSFERRED; i++)
    if (strcmp(table[i].cause, cause) == 0)
      return (eng_event_type)i;
  return ENG_EV_UNKNOWN;
}
