/* actions.h — what each action of a step is called and what it needs, in one
 * table.
 *
 * ENG_ACTIONS lists every action a procedure's step may offer (docs/DSL.md,
 * "Actions"), the commands a client sends on a dossier beside `act`, and
 * what the engine itself records on a dossier (a timer's warning, ...):
 * its name, what a person reads on its button (Vietnamese) and what it needs
 * from the person taking it — a reason (REASON: a rejection's or denial's
 * reasons, a withdrawal's), a list (LIST: what to supplement, as one
 * consolidated request), documents (DOCUMENTS: the scans of a supplement),
 * a date and an apology (DATE: an extension), an official (OFFICIAL: an
 * assignment), a rating (RATING), or nothing (NONE).  Clients draw their
 * buttons and dialogs from it (docs/PROTOCOL.md, "Reading": `can`); the engine's
 * own refusals of a command without what it needs (engine/process.c,
 * engine/cmd_dossier.c) are checked against it by tests/unit/engine/
 * test_read.c.  An action only the engine takes (a timeout) is ENGINE: no
 * one is offered it.
 */
#ifndef ENG_ACTIONS_H
#define ENG_ACTIONS_H

#include <stdbool.h>

/* X(name, "label", NEEDS) */
#define ENG_ACTIONS(X)                                           \
  X(submit, "Nộp hồ sơ", NONE)                                   \
  X(accept, "Tiếp nhận", NONE)                                   \
  X(request_supplement, "Yêu cầu bổ sung hồ sơ", LIST)           \
  X(provide_supplement, "Nộp bổ sung", DOCUMENTS)                \
  X(reject, "Từ chối tiếp nhận", REASON)                         \
  X(forward, "Chuyển xử lý", NONE)                               \
  X(complete, "Hoàn thành bước", NONE)                           \
  X(approve, "Phê duyệt", NONE)                                  \
  X(deny, "Từ chối giải quyết", REASON)                          \
  X(request_payment, "Yêu cầu nộp phí, lệ phí", NONE)            \
  X(record_payment, "Ghi nhận đã nộp phí, lệ phí", NONE)         \
  X(return_result, "Trả kết quả", NONE)                          \
  X(hand_to_post, "Giao bưu chính", NONE)                        \
  X(deliver, "Đã phát kết quả", NONE)                            \
  X(answer, "Trả lời", NONE)                                     \
  X(timeout, "Hết thời hạn của bước", ENGINE)                    \
  X(warn, "Cảnh báo sắp đến hạn", ENGINE)                        \
  X(overdue, "Quá hạn xử lý", ENGINE)                            \
  X(deadline_near, "Sắp đến ngày hẹn trả", ENGINE)               \
  X(deadline_passed, "Quá ngày hẹn trả", ENGINE)                 \
  X(refund, "Hoàn trả phí, lệ phí", REASON)                      \
  X(withdraw, "Rút hồ sơ", OPTIONAL_REASON)                      \
  X(extend, "Gia hạn và xin lỗi", DATE)                          \
  X(assign, "Phân công xử lý", OFFICIAL)                         \
  X(stop, "Dừng xử lý", REASON)                                  \
  X(rate, "Đánh giá", RATING)                                   \
  X(transfer, "Chuyển hồ sơ đến cơ quan có thẩm quyền", AGENCY)

typedef enum {
  ENG_NEEDS_NONE,
  ENG_NEEDS_REASON,
  ENG_NEEDS_OPTIONAL_REASON,
  ENG_NEEDS_LIST,
  ENG_NEEDS_DOCUMENTS,
  ENG_NEEDS_DATE,
  ENG_NEEDS_OFFICIAL,
  ENG_NEEDS_RATING,
  ENG_NEEDS_AGENCY, /* an agency offering the procedure, and a reason */
  ENG_NEEDS_ENGINE,
} eng_needs;

typedef struct eng_action_info {
  const char *name, *label;
  eng_needs needs;
} eng_action_info;

/* The action of that name; NULL for none (an action of a procedure this
 * table does not list: a client shows its name). */
const eng_action_info *eng_action_info_of(const char *name);
/* "none", "reason", "optional_reason", "list", "documents", "date", "official", "rating", "agency", "engine". */
const char *eng_needs_name(eng_needs n);

#endif
