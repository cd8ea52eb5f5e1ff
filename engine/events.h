/* events.h — every event type of the legal record, in one table.
 *
 * ENG_EVENTS lists each type once: its enum name, the type as stored in the
 * log (a record's `type`, never to be renamed: old logs carry it), and what
 * causes it — the DSL action (docs/DSL.md) or the command.  The enum, the
 * names, the lookup from a stored type and from an action are generated from
 * it, and the test engine/golden_v2 checks docs/ENGINE.md against it and that
 * the golden log holds each one.  Code compares event types as this enum,
 * never as strings.  A new event type is one line here (and, for a dossier's,
 * the action that causes it).
 */
#ifndef ENG_EVENTS_H
#define ENG_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

/* X(ENUM, "stored type", "what causes it") — dossier events first (their
 * cause is the action or command the dossier's `what.action` records). */
#define ENG_EVENTS(X)                                                              \
  X(DOSSIER_SUBMITTED, "dossier.submitted", "submit")                              \
  X(DOSSIER_ACCEPTED, "dossier.accepted", "accept")                                \
  X(DOSSIER_REJECTED, "dossier.rejected", "reject")                                \
  X(DOSSIER_SUPPLEMENT_REQUESTED, "dossier.supplement_requested", "request_supplement") \
  X(DOSSIER_SUPPLEMENT_PROVIDED, "dossier.supplement_provided", "provide_supplement") \
  X(DOSSIER_FORWARDED, "dossier.forwarded", "forward")                             \
  X(DOSSIER_STEP_COMPLETED, "dossier.step_completed", "complete")                  \
  X(DOSSIER_APPROVED, "dossier.approved", "approve")                               \
  X(DOSSIER_DENIED, "dossier.denied", "deny")                                      \
  X(DOSSIER_PAYMENT_REQUESTED, "dossier.payment_requested", "request_payment")     \
  X(DOSSIER_PAYMENT_RECORDED, "dossier.payment_recorded", "record_payment")        \
  X(DOSSIER_RETURNED, "dossier.returned", "return_result")                         \
  X(DOSSIER_HANDED_TO_POST, "dossier.handed_to_post", "hand_to_post")              \
  X(DOSSIER_DELIVERED, "dossier.delivered", "deliver")                             \
  X(DOSSIER_ANSWERED, "dossier.answered", "answer")                                \
  X(DOSSIER_TIMED_OUT, "dossier.timed_out", "timeout")                             \
  X(DOSSIER_WITHDRAWN, "dossier.withdrawn", "withdraw")                            \
  X(DOSSIER_EXTENDED, "dossier.extended", "extend")                                \
  X(DOSSIER_WARNED, "dossier.warned", "warn")                                      \
  X(DOSSIER_OVERDUE, "dossier.overdue", "overdue")                                 \
  X(DOSSIER_ASSIGNED, "dossier.assigned", "assign")                                \
  X(DOSSIER_STOPPED, "dossier.stopped", "stop")                                    \
  X(DOSSIER_RATED, "dossier.rated", "rate")                                        \
  X(DOSSIER_REFUNDED, "dossier.refunded", "refund")                                \
  X(DOSSIER_DEADLINE_NEAR, "dossier.deadline_near", "deadline_near")               \
  X(DOSSIER_DEADLINE_PASSED, "dossier.deadline_passed", "deadline_passed")         \
  X(DOSSIER_TRANSFERRED, "dossier.transferred", "transfer")                        \
  X(NOTIFICATION_DELIVERED, "notification.delivered", "delivered")                 \
  X(ANNOUNCEMENT_MADE, "announcement.made", "announce")                            \
  X(DEFINITION_PUBLISHED, "definition.published", "publish")                       \
  X(DEFINITION_RETIRED, "definition.retired", "retire")                            \
  X(ACCOUNT_REGISTERED, "account.registered", "register")                          \
  X(ACCOUNT_CREATED, "account.created", "create")                                  \
  X(ACCOUNT_DISABLED, "account.disabled", "disable")                               \
  X(ACCOUNT_ENABLED, "account.enabled", "enable")                                  \
  X(ACCOUNT_ROLES_SET, "account.roles_set", "roles")                               \
  X(ACCOUNT_MOVED, "account.moved", "move")

typedef enum {
#define ENG__EVENT_ENUM(e, type, cause) ENG_EV_##e,
  ENG_EVENTS(ENG__EVENT_ENUM)
#undef ENG__EVENT_ENUM
  ENG_EV_COUNT,
  ENG_EV_UNKNOWN = ENG_EV_COUNT /* a type this version does not know */
} eng_event_type;

/* The type as stored ("dossier.submitted"); NULL for ENG_EV_UNKNOWN. */
const char *eng_event_name(eng_event_type t);
/* What causes it: the DSL action or the command ("accept", "publish"). */
const char *eng_event_cause(eng_event_type t);
/* A stored type (not NUL-terminated); ENG_EV_UNKNOWN when not in the table. */
eng_event_type eng_event_parse(const char *type, size_t len);
/* The dossier event an action or command causes; ENG_EV_UNKNOWN for none. */
eng_event_type eng_event_of_cause(const char *cause);

/* The families, by their place in the table. */
static inline bool eng_event_is_dossier(eng_event_type t) { return t <= ENG_EV_DOSSIER_TRANSFERRED; }
static inline bool eng_event_is_account(eng_event_type t) {
  return t >= ENG_EV_ACCOUNT_REGISTERED && t <= ENG_EV_ACCOUNT_MOVED;
}
static inline bool eng_event_is_definition(eng_event_type t) {
  return t == ENG_EV_DEFINITION_PUBLISHED || t == ENG_EV_DEFINITION_RETIRED;
}

#endif
