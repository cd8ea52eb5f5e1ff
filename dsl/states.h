/* states.h — the states of a dossier, in one table.
 *
 * Each state once: its enum name, its name in the language and in the record
 * (a step's `state`, a transition's final target, the snapshot's `state`:
 * never renamed, old logs carry it), the national portal's status code
 * (TrangThaiHoSo, 1-10: docs/DOMAIN.md), whether it is final, and what a
 * citizen reads.  The language's lists of step and final states, the
 * engine's test of a final state and the drawings' labels come from it.
 *
 * A step in `awaiting_payment` waits for the procedure's fee (the portal sees
 * the dossier in processing, 4); one in `awaiting_obligation` waits for a
 * financial obligation — a tax or charge due before the result, such as a
 * land procedure's — which the portal shows as 6, and while which the legal
 * clock stops where the policy says so (`payment_pauses_clock`).
 */
#ifndef DSL_STATES_H
#define DSL_STATES_H

#include <stdbool.h>

/* X(ENUM, "name", portal code, STEP or FINAL, "Vietnamese label") */
#define DSL_STATES(X)                                                                     \
  X(SUBMITTED, "submitted", 1, STEP, "Chờ tiếp nhận")                                     \
  X(ACCEPTED, "accepted", 2, STEP, "Đã tiếp nhận")                                        \
  X(PROCESSING, "processing", 4, STEP, "Đang xử lý")                                      \
  X(SUPPLEMENT_REQUESTED, "supplement_requested", 5, STEP, "Chờ bổ sung hồ sơ")           \
  X(AWAITING_PAYMENT, "awaiting_payment", 4, STEP, "Chờ nộp phí, lệ phí")                 \
  X(AWAITING_OBLIGATION, "awaiting_obligation", 6, STEP, "Chờ thực hiện nghĩa vụ tài chính") \
  X(DECIDED, "decided", 9, STEP, "Đã có kết quả")                                         \
  X(RETURNED, "returned", 10, FINAL, "Đã trả kết quả")                                    \
  X(REJECTED, "rejected", 3, FINAL, "Từ chối tiếp nhận")                                  \
  X(WITHDRAWN, "withdrawn", 7, FINAL, "Rút hồ sơ")                                        \
  X(STOPPED, "stopped", 8, FINAL, "Dừng xử lý")

typedef enum {
#define DSL__STATE_ENUM(e, name, portal, kind, label) DSL_STATE_##e,
  DSL_STATES(DSL__STATE_ENUM)
#undef DSL__STATE_ENUM
  DSL_STATE_COUNT,
  DSL_STATE_UNKNOWN = DSL_STATE_COUNT
} dsl_state;

/* The name ("awaiting_payment"); NULL for DSL_STATE_UNKNOWN. */
const char *dsl_state_name(dsl_state s);
/* The national portal's status code, 1-10 (0 for DSL_STATE_UNKNOWN). */
int dsl_state_portal_code(dsl_state s);
bool dsl_state_is_final(dsl_state s);
/* What a citizen reads ("Đang xử lý"). */
const char *dsl_state_label(dsl_state s);
/* A name (NUL-terminated, may be NULL) to the state; DSL_STATE_UNKNOWN when none. */
dsl_state dsl_state_parse(const char *name);

#endif
