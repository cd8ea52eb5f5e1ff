/* refusals.h — every refusal the engine can give, in one table.
 *
 * ENG_REFUSALS lists each refusal once: its key (ENG_R_<NAME>; on the wire
 * its name in lower case, "procedure_retired") and its kind, which says
 * what the refusal is to a client (the server maps kinds, never statuses,
 * to its codes: api/errors.c, srv_error_code):
 *   INVALID      the command is malformed: a field missing, too long, of
 *                the wrong form (a client's or a person's mistake);
 *   RULE         the command is well formed, but a rule of the procedure or
 *                of the law forbids it now (already extended, decided, ...);
 *   FORBIDDEN    the actor may not do this: a real access denial, the only
 *                kind the server counts and logs as a denial;
 *   NOT_FOUND    what the command names does not exist (or is not published);
 *   CONFLICT     the command was decided against a state that has moved on,
 *                or repeats what is already so: reload and decide again;
 *   UNAVAILABLE  the engine could not read or write what it needed: try
 *                again later, or tell the administrator.
 * The MC_E* status a refusal returns stays the caller's (tests and tools
 * read it); the kind is the table's.
 *
 * Each key has two texts, ENG_EN_<NAME> (English: for officials' tools,
 * logs and the `message` of the wire) and ENG_VI_<NAME> (Vietnamese: for
 * the official or citizen reading a page: what is wrong, and what to do).
 * Both are printf formats taking the SAME arguments in the SAME order; a
 * text that does not show an argument consumes it with "%.0s" (a text) so
 * that the lists stay equal.  Refusals are given through ENG_REFUSE (and
 * ENG_REFUSE_FIELD for one field of a command), which hands the arguments
 * to both texts under the compiler's format checks: a call whose arguments
 * do not fit both texts does not compile.  The test engine/refusals checks
 * that the two texts of every key have the same conversions in the same
 * order and that the wire names are unique.
 *
 * A new refusal: its two texts below, in the group of its command, and its
 * line in ENG_REFUSALS; then `refuse(d, MC_E..., NAME, args...)` (engine/
 * decide.h) or ENG_REFUSE(result, MC_E..., NAME, args...).  Never rename a
 * key: clients and pages read its wire name.
 */
#ifndef ENG_REFUSALS_H
#define ENG_REFUSALS_H

#include <stdio.h>

/* ------------------------------------------------------------ texts */

/* ---- The command itself, and what any command may meet */
#define ENG_EN_COMMAND_UNKNOWN "unknown command"
#define ENG_VI_COMMAND_UNKNOWN "Hệ thống không có lệnh này."
#define ENG_EN_TEXT_TOO_LONG "the text is longer than %lld bytes: attach a document instead"
#define ENG_VI_TEXT_TOO_LONG "Nội dung dài quá %lld byte: vui lòng gửi kèm thành tài liệu."
#define ENG_EN_COMMAND_ID_REUSED "the command id \"%.64s\" was used for another command (event %llu, %.*s of %.*s): give each command its own id"
#define ENG_VI_COMMAND_ID_REUSED "Mã lệnh «%.64s» đã được dùng cho một lệnh khác (sự kiện %llu, %.*s của %.*s): mỗi lệnh cần một mã riêng."
#define ENG_EN_VERSION_STALE "the dossier %s is at version %llu, not %llu: reload it and decide again"
#define ENG_VI_VERSION_STALE "Hồ sơ %s đã được cập nhật (phiên bản %llu, không phải %llu): vui lòng tải lại hồ sơ rồi xử lý lại."
#define ENG_EN_DOSSIER_MOVED_ON "the dossier %s has moved on (version %llu, expected %llu): reload it and decide again"
#define ENG_VI_DOSSIER_MOVED_ON "Hồ sơ %s vừa được cập nhật (phiên bản %llu, không phải %llu): vui lòng tải lại hồ sơ rồi xử lý lại."
#define ENG_EN_STORE_REFUSED "%s"
#define ENG_VI_STORE_REFUSED "Yêu cầu không được ghi nhận vì không hợp lệ (%s)."
#define ENG_EN_STORE_CONFLICT "%s"
#define ENG_VI_STORE_CONFLICT "Yêu cầu không được ghi nhận vì dữ liệu vừa thay đổi (%s): vui lòng tải lại rồi thử lại."
#define ENG_EN_STORE_FAILED "%s"
#define ENG_VI_STORE_FAILED "Hệ thống chưa ghi được yêu cầu%.0s; vui lòng thử lại sau ít phút."
#define ENG_EN_BATCH_FAILED "%s"
#define ENG_VI_BATCH_FAILED "Hệ thống chưa ghi được yêu cầu%.0s; vui lòng gửi lại với cùng mã lệnh sau ít phút."
#define ENG_EN_SERVER_STOPPING "the server is stopping: retry with the same command_id"
#define ENG_VI_SERVER_STOPPING "Máy chủ đang dừng: vui lòng gửi lại yêu cầu với cùng mã lệnh sau ít phút."
#define ENG_EN_EVENT_UNENCODABLE "the event could not be encoded (%s)"
#define ENG_VI_EVENT_UNENCODABLE "Không ghi được sự kiện%.0s: có nội dung gửi lên không phải văn bản hợp lệ (UTF-8); vui lòng kiểm tra lại."
#define ENG_EN_EVENT_TYPE_UNENCODABLE "the event %s could not be encoded"
#define ENG_VI_EVENT_TYPE_UNENCODABLE "Không ghi được sự kiện %s: có nội dung gửi lên không phải văn bản hợp lệ (UTF-8); vui lòng kiểm tra lại."
#define ENG_EN_NOTES_UNWRITABLE "the messages of the event could not be written (%s)"
#define ENG_VI_NOTES_UNWRITABLE "Không ghi được các thông báo kèm theo sự kiện%.0s; vui lòng thử lại sau."

/* ---- A dossier, and reading what it was filed under */
#define ENG_EN_DOSSIER_CODE_MALFORMED "there is no dossier \"%.70s\": a code reads like H13.X01-260210-0001"
#define ENG_VI_DOSSIER_CODE_MALFORMED "Không có hồ sơ «%.70s»: mã hồ sơ có dạng H13.X01-260210-0001; vui lòng kiểm tra mã ghi trên giấy tiếp nhận."
#define ENG_EN_DOSSIER_UNKNOWN "there is no dossier %s"
#define ENG_VI_DOSSIER_UNKNOWN "Không có hồ sơ %s; vui lòng kiểm tra mã ghi trên giấy tiếp nhận."
#define ENG_EN_DOSSIER_UNREADABLE "the dossier %s cannot be read"
#define ENG_VI_DOSSIER_UNREADABLE "Không đọc được hồ sơ %s; vui lòng thử lại sau hoặc báo quản trị hệ thống."
#define ENG_EN_DOSSIER_DAMAGED "the dossier %s cannot be read (%s)"
#define ENG_VI_DOSSIER_DAMAGED "Không đọc được hồ sơ %s%.0s; vui lòng báo quản trị hệ thống."
#define ENG_EN_FORM_OF_DOSSIER_UNREADABLE "the form of %s cannot be read"
#define ENG_VI_FORM_OF_DOSSIER_UNREADABLE "Không đọc được tờ khai của hồ sơ %s; vui lòng thử lại sau hoặc báo quản trị hệ thống."
#define ENG_EN_DOCUMENTS_UNREADABLE "the documents of %s cannot be read"
#define ENG_VI_DOCUMENTS_UNREADABLE "Không đọc được các giấy tờ đã nộp của %s; vui lòng thử lại sau."
#define ENG_EN_PROCEDURE_VERSION_MISSING "the procedure version of %s is not in the log"
#define ENG_VI_PROCEDURE_VERSION_MISSING "Không tìm thấy phiên bản thủ tục áp dụng cho hồ sơ %s; vui lòng báo quản trị hệ thống."
#define ENG_EN_POLICY_VERSION_MISSING "the policy version of %s is not in the log"
#define ENG_VI_POLICY_VERSION_MISSING "Không tìm thấy phiên bản quy định áp dụng cho hồ sơ %s; vui lòng báo quản trị hệ thống."
#define ENG_EN_DOSSIER_CALENDAR_MISSING "the calendar \"%s\" is not published"
#define ENG_VI_DOSSIER_CALENDAR_MISSING "Lịch làm việc «%s» của hồ sơ chưa được công bố; vui lòng báo quản trị hệ thống."
#define ENG_EN_DOSSIER_FINISHED "the dossier %s is %s%.0s: nothing more can be done"
#define ENG_VI_DOSSIER_FINISHED "Hồ sơ %s đã kết thúc (%.0s%s): không thể xử lý thêm."

/* ---- Deadlines and the process */
#define ENG_EN_CALENDAR_YEAR_MISSING "a deadline needs the calendar of %d: %s"
#define ENG_VI_CALENDAR_YEAR_MISSING "Chưa tính được thời hạn vì lịch làm việc chưa có dữ liệu năm %d%.0s; đề nghị quản trị hệ thống công bố lịch của năm này."
#define ENG_EN_DEADLINE_UNCOMPUTABLE "cannot compute a deadline: %s"
#define ENG_VI_DEADLINE_UNCOMPUTABLE "Không tính được thời hạn giải quyết%.0s; đề nghị quản trị hệ thống kiểm tra thời hạn của thủ tục."
#define ENG_EN_APPOINTMENT_UNCOMPUTABLE "the appointment cannot be recomputed: %s"
#define ENG_VI_APPOINTMENT_UNCOMPUTABLE "Không tính lại được ngày hẹn trả kết quả%.0s; đề nghị quản trị hệ thống kiểm tra lịch làm việc."
#define ENG_EN_CHOICE_LOOP "the process loops through choices without reaching a step (at \"%s\")"
#define ENG_VI_CHOICE_LOOP "Quy trình của thủ tục đi vòng qua các điểm rẽ nhánh mà không tới bước nào (tại «%s»); đề nghị kiểm tra lại định nghĩa thủ tục."
#define ENG_EN_TOO_MANY_STEPS "more than %d steps at once"
#define ENG_VI_TOO_MANY_STEPS "Hồ sơ không thể cùng lúc ở quá %d bước; đề nghị kiểm tra lại định nghĩa thủ tục."
#define ENG_EN_CHOICE_UNEVALUABLE "the condition of choice \"%s\" cannot be evaluated"
#define ENG_VI_CHOICE_UNEVALUABLE "Không xét được điều kiện của điểm rẽ nhánh «%s»; đề nghị kiểm tra lại định nghĩa thủ tục."
#define ENG_EN_CHOICE_NONE_HOLDS "no condition of the choice \"%s\" holds for this dossier"
#define ENG_VI_CHOICE_NONE_HOLDS "Không điều kiện nào của điểm rẽ nhánh «%s» phù hợp với hồ sơ này; đề nghị kiểm tra lại định nghĩa thủ tục."
#define ENG_EN_JOIN_WITHOUT_FORK "the join \"%s\" was reached without its fork"
#define ENG_VI_JOIN_WITHOUT_FORK "Quy trình tới điểm hợp nhánh «%s» mà không qua điểm tách nhánh của nó; đề nghị kiểm tra lại định nghĩa thủ tục."

/* ---- Publishing and retiring definitions */
#define ENG_EN_DEFINITION_KIND_UNKNOWN "%s: unknown kind of definition %d (procedure, policy, directory, calendar or template)"
#define ENG_VI_DEFINITION_KIND_UNKNOWN "%.0sKhông có loại định nghĩa %d (chỉ có procedure, policy, directory, calendar hoặc template)."
#define ENG_EN_DEFINITION_PROVINCE_WIDE "%s: the %s applies province-wide and needs the system_admin role"
#define ENG_VI_DEFINITION_PROVINCE_WIDE "%.0sĐịnh nghĩa loại %s áp dụng toàn tỉnh nên chỉ quản trị hệ thống (system_admin) được thực hiện."
#define ENG_EN_DEFINITION_FORBIDDEN "%s needs the system_admin or agency_admin role"
#define ENG_VI_DEFINITION_FORBIDDEN "%.0sViệc này cần vai trò quản trị hệ thống (system_admin) hoặc quản trị cơ quan (agency_admin)."
#define ENG_EN_PUBLISH_EMPTY "nothing to publish"
#define ENG_VI_PUBLISH_EMPTY "Không có nội dung để công bố."
#define ENG_EN_DEFINITION_NOT_CANONICAL "the %s is not canonical msgpack: compile it with motcua compile"
#define ENG_VI_DEFINITION_NOT_CANONICAL "Định nghĩa loại %s không ở dạng msgpack chuẩn: vui lòng biên dịch bằng motcua compile."
#define ENG_EN_DEFINITION_NOT_COMPILED "this is not a compiled %s"
#define ENG_VI_DEFINITION_NOT_COMPILED "Đây không phải định nghĩa loại %s đã biên dịch; vui lòng biên dịch bằng motcua compile."
#define ENG_EN_DIRECTORY_NOT_COMPILED "this is not a compiled directory"
#define ENG_VI_DIRECTORY_NOT_COMPILED "Đây không phải danh mục cơ quan đã biên dịch; vui lòng biên dịch bằng motcua compile."
#define ENG_EN_CALENDAR_UNPARSABLE "the calendar \"%s\" does not parse: check it with motcua deadline"
#define ENG_VI_CALENDAR_UNPARSABLE "Lịch «%s» có lỗi: vui lòng kiểm tra bằng motcua deadline."
#define ENG_EN_DIRECTORY_DROPS_AGENCY "the directory would remove the agency %s (%s), which has %d open dossier%s (%s%s): name its successor in the directory (merged \"%s\" into \"CODE\"), which takes them over with their codes, clocks and appointments, or keep the agency"
#define ENG_VI_DIRECTORY_DROPS_AGENCY "Danh mục mới bỏ cơ quan %s (%s) trong khi cơ quan này còn %d hồ sơ đang giải quyết%.0s (%s%s): vui lòng ghi cơ quan kế thừa trong danh mục (merged \"%s\" into \"MÃ CƠ QUAN\") để tiếp nhận các hồ sơ đó với nguyên mã hồ sơ, thời hạn và ngày hẹn trả, hoặc giữ cơ quan trong danh mục."
#define ENG_EN_DIRECTORY_IN_EFFECT_UNREADABLE "the directory in effect cannot be read"
#define ENG_VI_DIRECTORY_IN_EFFECT_UNREADABLE "Không đọc được danh mục cơ quan đang có hiệu lực; vui lòng báo quản trị hệ thống."
#define ENG_EN_DEFINITION_UNENCODABLE "the definition could not be encoded"
#define ENG_VI_DEFINITION_UNENCODABLE "Không ghi được định nghĩa; vui lòng thử lại sau."
#define ENG_EN_RETIRE_KIND "procedures and policies are retired; calendars and the directory are replaced"
#define ENG_VI_RETIRE_KIND "Chỉ thủ tục và quy định được bãi bỏ; lịch làm việc và danh mục cơ quan được thay bằng bản mới."
#define ENG_EN_DEFINITION_NOT_PUBLISHED "the %s %s is not published"
#define ENG_VI_DEFINITION_NOT_PUBLISHED "Định nghĩa loại %s mã «%s» chưa được công bố."
#define ENG_EN_ALREADY_RETIRED "the %s %s is already retired; publish it again to bring it back"
#define ENG_VI_ALREADY_RETIRED "Định nghĩa loại %s mã %s đã bị bãi bỏ; muốn áp dụng lại thì công bố lại."
#define ENG_EN_RETIREMENT_UNENCODABLE "the retirement could not be encoded"
#define ENG_VI_RETIREMENT_UNENCODABLE "Không ghi được việc bãi bỏ; vui lòng thử lại sau."

/* ---- The directory of agencies */
#define ENG_EN_DIRECTORY_NOT_PUBLISHED "no agency directory is published: publish workflows/agencies first"
#define ENG_VI_DIRECTORY_NOT_PUBLISHED "Chưa công bố danh mục cơ quan: vui lòng công bố workflows/agencies trước."
#define ENG_EN_DIRECTORY_UNREADABLE "the agency directory cannot be read"
#define ENG_VI_DIRECTORY_UNREADABLE "Không đọc được danh mục cơ quan; vui lòng thử lại sau hoặc báo quản trị hệ thống."
#define ENG_EN_AGENCY_UNKNOWN "the agency %s is not in the directory"
#define ENG_VI_AGENCY_UNKNOWN "Cơ quan %s không có trong danh mục cơ quan; vui lòng kiểm tra mã cơ quan."
#define ENG_EN_AGENCY_NOT_OFFERING "the agency %s does not offer the procedure %s"
#define ENG_VI_AGENCY_NOT_OFFERING "Cơ quan %s không giải quyết thủ tục %s; vui lòng chọn cơ quan có thẩm quyền."

/* ---- Submission and intake */
#define ENG_EN_SUBMISSION_INCOMPLETE "a submission names the procedure, the agency and the channel"
#define ENG_VI_SUBMISSION_INCOMPLETE "Hồ sơ nộp phải nêu thủ tục, cơ quan tiếp nhận và kênh nộp."
#define ENG_EN_CHANNEL_UNKNOWN "unknown channel \"%s\": online, desk or post"
#define ENG_VI_CHANNEL_UNKNOWN "Không có kênh nộp «%s»: chỉ có online (trực tuyến), desk (tại quầy) hoặc post (qua bưu chính)."
#define ENG_EN_ONLINE_BY_APPLICANT "an online dossier is submitted by the applicant, from their account"
#define ENG_VI_ONLINE_BY_APPLICANT "Hồ sơ trực tuyến do chính người nộp hồ sơ nộp từ tài khoản của mình."
#define ENG_EN_ACCOUNT_ID_TOO_LONG "the account id is longer than %zu bytes"
#define ENG_VI_ACCOUNT_ID_TOO_LONG "Mã tài khoản dài quá %zu byte."
#define ENG_EN_DESK_BY_RECEPTION "a %s dossier is entered by a reception official of %s"
#define ENG_VI_DESK_BY_RECEPTION "Hồ sơ nộp qua kênh %s do cán bộ tiếp nhận của %s nhập."
#define ENG_EN_PROCEDURE_RETIRED "the procedure %s is retired and takes no new dossiers"
#define ENG_VI_PROCEDURE_RETIRED "Thủ tục %s đã ngừng áp dụng nên không tiếp nhận hồ sơ mới."
#define ENG_EN_PROCEDURE_NOT_PUBLISHED "the procedure %s is not published or not yet in effect"
#define ENG_VI_PROCEDURE_NOT_PUBLISHED "Thủ tục %s chưa được công bố hoặc chưa có hiệu lực."
#define ENG_EN_PROCEDURE_UNREADABLE "the procedure %s cannot be read"
#define ENG_VI_PROCEDURE_UNREADABLE "Không đọc được thủ tục %s; vui lòng thử lại sau hoặc báo quản trị hệ thống."
#define ENG_EN_POLICY_RETIRED "the policy %s of the procedure %s is retired: the procedure takes no new dossiers until it names a policy in effect"
#define ENG_VI_POLICY_RETIRED "Quy định %s của thủ tục %s đã hết hiệu lực: thủ tục không tiếp nhận hồ sơ mới cho đến khi áp dụng một quy định còn hiệu lực."
#define ENG_EN_POLICY_NOT_PUBLISHED "the policy %s of the procedure is not published"
#define ENG_VI_POLICY_NOT_PUBLISHED "Quy định %s của thủ tục chưa được công bố."
#define ENG_EN_AGENCY_CALENDAR_NOT_PUBLISHED "the calendar \"%s\" of %s is not published"
#define ENG_VI_AGENCY_CALENDAR_NOT_PUBLISHED "Lịch làm việc «%s» của %s chưa được công bố."
#define ENG_EN_AGENCY_CODE_TOO_LONG "the agency code %s is too long for a dossier code"
#define ENG_VI_AGENCY_CODE_TOO_LONG "Mã cơ quan %s quá dài để tạo mã hồ sơ."
#define ENG_EN_DAY_FULL "%s has received %u dossiers today: the code space of the day is full"
#define ENG_VI_DAY_FULL "%s đã tiếp nhận %u hồ sơ trong ngày: đã hết số mã hồ sơ của ngày; vui lòng nộp lại vào ngày làm việc tiếp theo."
#define ENG_EN_OWNER_ID_TOO_LONG "the applicant's id \"%.20s...\" is too long"
#define ENG_VI_OWNER_ID_TOO_LONG "Mã định danh của người nộp «%.20s...» quá dài."
#define ENG_EN_OWNER_NOT_APPLICANT "\"owner\" (%s) is not the applicant's id number (%s): give one of them, or the same"
#define ENG_VI_OWNER_NOT_APPLICANT "Mã người nộp «%s» khác số giấy tờ của người nộp hồ sơ «%s»: vui lòng kiểm tra lại."

/* ---- The applicant block (each a field's fault but the first two) */
#define ENG_EN_APPLICANT_REQUIRED "a %s dossier carries the applicant block: kind, name, id_type and id_number, address and contacts"
#define ENG_VI_APPLICANT_REQUIRED "Hồ sơ nộp qua kênh %s phải có thông tin người nộp: đối tượng, họ tên, loại và số giấy tờ, địa chỉ, liên lạc."
#define ENG_EN_APPLICANT_NOT_A_MAP "\"applicant\" must be one map {kind, name, id_type, id_number, address, email, phone}"
#define ENG_VI_APPLICANT_NOT_A_MAP "Thông tin người nộp phải gồm: đối tượng, họ tên, loại và số giấy tờ, địa chỉ, thư điện tử, điện thoại."
#define ENG_EN_APPLICANT_FIELD_UNKNOWN "the applicant block has no field \"%s\": kind, name, id_type, id_number, address, email, phone"
#define ENG_VI_APPLICANT_FIELD_UNKNOWN "Thông tin người nộp không có trường «%s»: bỏ trường này."
#define ENG_EN_APPLICANT_FROM_ACCOUNT "the applicant's %s%.0s is the account's (%s): change it on the account, not in a dossier"
#define ENG_VI_APPLICANT_FROM_ACCOUNT "%.0s«%s» lấy từ tài khoản của bạn (%s): muốn sửa, hãy sửa tài khoản."
#define ENG_EN_APPLICANT_ID_NUMBER "the id number \"%s\" is not a %s%.0s"
#define ENG_VI_APPLICANT_ID_NUMBER "Số giấy tờ «%s» chưa đúng%.0s: phải là %s."

/* ---- The e-form (each a field's fault but the first four) */
#define ENG_EN_FORM_TOO_LARGE "the form is larger than %d KiB: documents go as scans, not in the form"
#define ENG_VI_FORM_TOO_LARGE "Tờ khai lớn quá %d KiB: giấy tờ nộp dưới dạng bản quét, không đưa vào tờ khai."
#define ENG_EN_FORM_NOT_A_MAP "the form must be one map of field name to value"
#define ENG_VI_FORM_NOT_A_MAP "Tờ khai phải là một bảng gồm tên trường và giá trị."
#define ENG_EN_FORM_TOO_MANY_FIELDS "the procedure %s declares more than 256 fields"
#define ENG_VI_FORM_TOO_MANY_FIELDS "Thủ tục %s khai báo quá 256 trường."
#define ENG_EN_FORM_FIELD_UNREADABLE "the field \"%s\" cannot be read as text"
#define ENG_VI_FORM_FIELD_UNREADABLE "Không đọc được trường «%s» dưới dạng văn bản; vui lòng thử lại sau."
#define ENG_EN_FORM_UNENCODABLE "the form could not be encoded: %s"
#define ENG_VI_FORM_UNENCODABLE "Không ghi được tờ khai%.0s; vui lòng thử lại sau."
#define ENG_EN_FIELD_UNKNOWN "the form has a field \"%s\" that the procedure %s does not declare"
#define ENG_VI_FIELD_UNKNOWN "Biểu mẫu có trường «%s» mà thủ tục %s không có: bỏ trường này."
#define ENG_EN_FIELD_REQUIRED "the field \"%s\" (%s) is required"
#define ENG_VI_FIELD_REQUIRED "%.0sHãy nhập «%s»: trường này bắt buộc."
#define ENG_EN_FIELD_RANGE "the field \"%s\" (%s) must be between %lld and %lld"
#define ENG_VI_FIELD_RANGE "%.0s«%s» phải từ %lld đến %lld."
#define ENG_EN_FIELD_LENGTH "the field \"%s\" (%s) must have %lld to %lld characters"
#define ENG_VI_FIELD_LENGTH "%.0s«%s» phải có từ %lld đến %lld ký tự."
#define ENG_EN_FIELD_PATTERN "the field \"%s\" (%s) is not in the expected form"
#define ENG_VI_FIELD_PATTERN "%.0s«%s» chưa đúng định dạng."
#define ENG_EN_FIELD_TYPE "the field \"%s\" (%s) must be %s%.0s"
#define ENG_VI_FIELD_TYPE "%.0s«%s» phải là %.0s%s."
#define ENG_EN_FIELD_VALUES "the field \"%s\" (%s) must be one of the listed values%.0s"
#define ENG_VI_FIELD_VALUES "%.0s«%s» phải là một trong các giá trị: %s."

/* ---- Scanned documents (each a field's fault but the first) */
#define ENG_EN_TOO_MANY_DOCUMENTS "at most %d documents at once"
#define ENG_VI_TOO_MANY_DOCUMENTS "Mỗi lần chỉ nộp tối đa %d giấy tờ."
#define ENG_EN_DOCUMENT_NOT_ASKED "the procedure %s asks for no document \"%s\"; it asks for %s%.0s"
#define ENG_VI_DOCUMENT_NOT_ASKED "Thủ tục %s không yêu cầu giấy tờ «%s»%.0s; giấy tờ cần nộp: %s."
#define ENG_EN_DOCUMENT_IS_RESULT "\"%s\"%.0s is a result of the procedure %s, issued by the agency: the applicant brings %s%.0s"
#define ENG_VI_DOCUMENT_IS_RESULT "%.0s«%s» là kết quả giải quyết của thủ tục %s, do cơ quan cấp, không phải giấy tờ người nộp mang đến%.0s; giấy tờ cần nộp: %s."
#define ENG_EN_DOCUMENT_NOT_RESULT "with \"%s\" the official brings the procedure's results only (%s%.0s), not \"%s\"%.0s"
#define ENG_VI_DOCUMENT_NOT_RESULT "Thao tác «%s» chỉ kèm kết quả giải quyết của thủ tục (%.0s%s), không kèm «%.0s%s»."
#define ENG_EN_DOCUMENT_TWICE "the document \"%s\"%.0s is given twice"
#define ENG_VI_DOCUMENT_TWICE "%.0s«%s» đã có ở trên: mỗi giấy tờ chỉ nộp một lần."
#define ENG_EN_DOCUMENT_SCAN "the scan of \"%s\"%.0s is referenced by its SHA-256: 64 hexadecimal digits"
#define ENG_VI_DOCUMENT_SCAN "%.0sBản quét «%s» chưa tải lên được: vui lòng tải lại tệp."
#define ENG_EN_DOCUMENT_FILE_SCAN "file %d of the scan of \"%s\"%.0s is referenced by its SHA-256: 64 hexadecimal digits"
#define ENG_VI_DOCUMENT_FILE_SCAN "Tệp thứ %d%.0s của bản quét «%s» chưa tải lên được: vui lòng tải lại tệp này."
#define ENG_EN_DOCUMENT_FILES_TOO_MANY "the scan of \"%s\"%.0s holds more than %d files"
#define ENG_VI_DOCUMENT_FILES_TOO_MANY "%.0sBản quét «%s» có quá %d tệp: hãy gộp các trang vào ít tệp hơn (chẳng hạn một tệp PDF nhiều trang)."
#define ENG_EN_DOCUMENT_FILE_TWICE "the scan of \"%s\"%.0s holds the same file twice (files %d and %d)"
#define ENG_VI_DOCUMENT_FILE_TWICE "%.0sBản quét «%s» có một tệp tải lên hai lần (tệp thứ %d và thứ %d): mỗi trang chỉ cần tải lên một lần."
#define ENG_EN_DOCUMENT_VALIDITY "the validity of \"%s\"%.0s is a date YYYY-MM-DD, not \"%s\""
#define ENG_VI_DOCUMENT_VALIDITY "%.0sNgày hết hạn của «%s» phải là một ngày, viết năm-tháng-ngày như 2030-12-31 (không phải «%s»)."
#define ENG_EN_DOCUMENT_EXPIRED "the document \"%s\"%.0s expired on %s: ask the applicant for a valid one"
#define ENG_VI_DOCUMENT_EXPIRED "%.0s«%s» đã hết hạn ngày %.10s: hãy nộp bản còn hạn."
#define ENG_EN_DOCUMENTS_NOT_HERE "documents come with a submission or a supplement, and the procedure's results (%s%.0s) with approve or return_result: not with \"%s\""
#define ENG_VI_DOCUMENTS_NOT_HERE "Giấy tờ chỉ nộp kèm hồ sơ hoặc khi bổ sung, kết quả giải quyết (%.0s%s) kèm thao tác phê duyệt hoặc trả kết quả: không nộp kèm thao tác «%s»."

/* ---- Acting on a step */
#define ENG_EN_ACT_INCOMPLETE "an action names the dossier and the action"
#define ENG_VI_ACT_INCOMPLETE "Thao tác phải nêu hồ sơ và hành động."
#define ENG_EN_NOT_AT_STEP "the dossier %s is not at the step \"%s\""
#define ENG_VI_NOT_AT_STEP "Hồ sơ %s không ở bước «%s»."
#define ENG_EN_SEVERAL_STEPS "the dossier %s is at several steps (%s): say which"
#define ENG_VI_SEVERAL_STEPS "Hồ sơ %s đang ở nhiều bước (%s): vui lòng nêu bước cần xử lý."
#define ENG_EN_TIMEOUT_BY_ENGINE "a timeout is taken by the engine when the step's limit passes"
#define ENG_VI_TIMEOUT_BY_ENGINE "Việc quá hạn do hệ thống tự ghi nhận khi hết thời hạn của bước."
#define ENG_EN_ACTION_NOT_ALLOWED "the step \"%s\" (%s) allows %s; not \"%s\""
#define ENG_VI_ACTION_NOT_ALLOWED "Bước «%s» (%s) chỉ cho phép %s; không cho phép «%s»."
#define ENG_EN_DESK_STEP_BY_RECEPTION "the dossier %s was entered at the %s: reception of %s acts for the applicant in the step \"%s\""
#define ENG_VI_DESK_STEP_BY_RECEPTION "Hồ sơ %s được nhập qua kênh %s: cán bộ tiếp nhận của %s thực hiện bước «%s» thay người nộp."
#define ENG_EN_STEP_ROLE "the step \"%s\" (%s) is done by %s, not by %s%.0s%.0s"
#define ENG_VI_STEP_ROLE "Bước «%s» (%s) do %.0s%.0s%s thực hiện, không phải %s."
#define ENG_EN_STEP_APPLICANT_ONLY "only the applicant of %s can act in the step \"%s\""
#define ENG_VI_STEP_APPLICANT_ONLY "Chỉ người nộp hồ sơ %s được thực hiện bước «%s»."
#define ENG_EN_STEP_OTHER_AGENCY "the step \"%s\" is done at %s, and %s is not of it"
#define ENG_VI_STEP_OTHER_AGENCY "Bước «%s» do %s thực hiện; %s không thuộc cơ quan này."
#define ENG_EN_DOSSIER_ASSIGNED "the dossier %s is assigned to %s%s; a leader can reassign it"
#define ENG_VI_DOSSIER_ASSIGNED "Hồ sơ %s đã được phân công cho %s%.0s; lãnh đạo có thể phân công lại."

/* ---- Supplements, rejections and denials */
#define ENG_EN_SUPPLEMENT_ONCE "a supplement may be requested only once, listing everything (NĐ118 Art. 16.3)"
#define ENG_VI_SUPPLEMENT_ONCE "Chỉ được yêu cầu bổ sung hồ sơ một lần, nêu đầy đủ mọi nội dung cần bổ sung (khoản 3 Điều 16 Nghị định 118/2025/NĐ-CP)."
#define ENG_EN_SUPPLEMENT_LIST "a supplement request lists everything the applicant must supply, with guidance"
#define ENG_VI_SUPPLEMENT_LIST "Yêu cầu bổ sung phải nêu đầy đủ những gì người nộp cần bổ sung, kèm hướng dẫn."
#define ENG_EN_REJECT_AFTER_ACCEPT "the dossier %s was accepted: it is no longer rejected at reception but denied, with reasons"
#define ENG_VI_REJECT_AFTER_ACCEPT "Hồ sơ %s đã được tiếp nhận: không còn từ chối tiếp nhận mà phải từ chối giải quyết, có nêu lý do."
#define ENG_EN_REJECT_REASONS "a rejection gives its reasons (Phiếu từ chối tiếp nhận hồ sơ)"
#define ENG_VI_REJECT_REASONS "Từ chối tiếp nhận phải nêu rõ lý do (Phiếu từ chối tiếp nhận hồ sơ)."
#define ENG_EN_DENY_REASONS "a denial gives its reasons (Phiếu từ chối giải quyết hồ sơ)"
#define ENG_VI_DENY_REASONS "Từ chối giải quyết phải nêu rõ lý do (Phiếu từ chối giải quyết hồ sơ)."

/* ---- Withdrawal */
#define ENG_EN_WITHDRAW_WHICH "say which dossier to withdraw"
#define ENG_VI_WITHDRAW_WHICH "Vui lòng nêu hồ sơ cần rút."
#define ENG_EN_WITHDRAW_DECIDED "the dossier %s is decided: it can no longer be withdrawn (NĐ118 Art. 21)"
#define ENG_VI_WITHDRAW_DECIDED "Hồ sơ %s đã có kết quả giải quyết nên không thể rút (Điều 21 Nghị định 118/2025/NĐ-CP)."
#define ENG_EN_WITHDRAW_FORBIDDEN "a dossier is withdrawn by its applicant, or by reception at the applicant's request"
#define ENG_VI_WITHDRAW_FORBIDDEN "Hồ sơ chỉ được rút bởi người nộp, hoặc bởi cán bộ tiếp nhận theo đề nghị của người nộp."

/* ---- Extension */
#define ENG_EN_EXTEND_WHICH "say which dossier to extend"
#define ENG_VI_EXTEND_WHICH "Vui lòng nêu hồ sơ cần hẹn lại ngày trả kết quả."
#define ENG_EN_EXTEND_BY_LEADER "an extension is signed by a leader of %s (NĐ118 Art. 19.6)"
#define ENG_VI_EXTEND_BY_LEADER "Phiếu hẹn lại ngày trả kết quả do lãnh đạo %s ký (khoản 6 Điều 19 Nghị định 118/2025/NĐ-CP)."
#define ENG_EN_EXTEND_NO_APPOINTMENT "the dossier %s has no appointment to extend"
#define ENG_VI_EXTEND_NO_APPOINTMENT "Hồ sơ %s chưa có ngày hẹn trả kết quả để hẹn lại."
#define ENG_EN_ALREADY_EXTENDED "the appointment of %s was already reset once; it may be reset only once (NĐ118 Art. 19.6)"
#define ENG_VI_ALREADY_EXTENDED "Hồ sơ %s đã được gia hạn một lần; theo Điều 19.6 Nghị định 118/2025/NĐ-CP chỉ được hẹn lại một lần."
#define ENG_EN_EXTEND_REASON "an extension gives its reason and apologises (Phiếu xin lỗi và hẹn lại ngày trả kết quả)"
#define ENG_VI_EXTEND_REASON "Việc hẹn lại phải nêu lý do và lời xin lỗi (Phiếu xin lỗi và hẹn lại ngày trả kết quả)."
#define ENG_EN_EXTEND_YEAR_MISSING "the calendar \"%s\" does not describe the new date's year"
#define ENG_VI_EXTEND_YEAR_MISSING "Lịch làm việc «%s» chưa có dữ liệu của năm có ngày hẹn mới; đề nghị quản trị hệ thống công bố lịch của năm đó."
#define ENG_EN_EXTEND_NOT_WORKING_DAY "the new date %.10s is a %s%.0s%s%s%s: choose a working day"
#define ENG_VI_EXTEND_NOT_WORKING_DAY "Ngày hẹn mới %.10s là %.0s%s%s%s%s: vui lòng chọn một ngày làm việc."
#define ENG_EN_EXTEND_NOT_LATER "the new date must be after the current appointment"
#define ENG_VI_EXTEND_NOT_LATER "Ngày hẹn mới phải sau ngày hẹn hiện tại."
#define ENG_EN_EXTEND_TOO_LATE "too late to extend: the notice must come at least %lld %s%.0s before the due date %s"
#define ENG_VI_EXTEND_TOO_LATE "Đã quá thời điểm được hẹn lại: phải thông báo ít nhất %lld %.0s%s trước ngày hẹn %s."

/* ---- Assignment, stopping, rating */
#define ENG_EN_LEADER_ONLY "%s is for a leader of %s"
#define ENG_VI_LEADER_ONLY "%.0sViệc này thuộc thẩm quyền của lãnh đạo %s."
#define ENG_EN_ASSIGN_INCOMPLETE "an assignment names the dossier and its main handler"
#define ENG_VI_ASSIGN_INCOMPLETE "Phân công phải nêu hồ sơ và người xử lý chính."
#define ENG_EN_CO_HANDLERS_MAX "at most 4 co-handlers"
#define ENG_VI_CO_HANDLERS_MAX "Tối đa 4 người phối hợp xử lý."
#define ENG_EN_CO_HANDLERS_MISSING "%d co-handlers announced, none given"
#define ENG_VI_CO_HANDLERS_MISSING "Đã nêu %d người phối hợp nhưng không có danh sách."
#define ENG_EN_OFFICIAL_ID_TOO_LONG "the official's id \"%.20s...\" is longer than 63 bytes"
#define ENG_VI_OFFICIAL_ID_TOO_LONG "Mã cán bộ «%.20s...» dài quá 63 byte."
#define ENG_EN_HANDLER_UNKNOWN "there is no official \"%s\": assign one of the officials of the agency doing the step"
#define ENG_VI_HANDLER_UNKNOWN "Không có cán bộ «%s»: hãy phân công một cán bộ của cơ quan thực hiện bước này."
#define ENG_EN_HANDLER_DISABLED "the account of %s is disabled: assign another official"
#define ENG_VI_HANDLER_DISABLED "Tài khoản của cán bộ %s đã bị khóa: hãy phân công cán bộ khác."
#define ENG_EN_HANDLER_NOT_OFFICIAL "%s is not an official of an agency: assign one of the officials of the agency doing the step"
#define ENG_VI_HANDLER_NOT_OFFICIAL "%s không phải là cán bộ của cơ quan nào: hãy phân công cán bộ của cơ quan thực hiện bước này."
#define ENG_EN_HANDLER_NOT_OF_STEP \
  "%s (%s) does not do the current step of the dossier %s: assign an official of the agency doing it, in its role"
#define ENG_VI_HANDLER_NOT_OF_STEP \
  "Cán bộ %s (%s) không thực hiện bước hiện tại của hồ sơ %s: hãy phân công cán bộ của cơ quan thực hiện bước này, đúng vai trò."
#define ENG_EN_STOP_WHICH "say which dossier to stop"
#define ENG_VI_STOP_WHICH "Vui lòng nêu hồ sơ cần dừng xử lý."
#define ENG_EN_STOP_REASON "stopping a dossier gives its reason, which the applicant is told"
#define ENG_VI_STOP_REASON "Dừng xử lý hồ sơ phải nêu lý do; lý do được thông báo cho người nộp."
#define ENG_EN_STOP_NOT_ACCEPTED "the dossier %s is not accepted yet: reception rejects it, with its reasons"
#define ENG_VI_STOP_NOT_ACCEPTED "Hồ sơ %s chưa được tiếp nhận: bộ phận tiếp nhận từ chối tiếp nhận, có nêu lý do."
#define ENG_EN_STOP_DECIDED "the dossier %s is decided: its result stands and is returned, not stopped"
#define ENG_VI_STOP_DECIDED "Hồ sơ %s đã có kết quả: kết quả giữ nguyên và được trả, không dừng xử lý."
#define ENG_EN_TRANSFER_WHICH "say which dossier to transfer"
#define ENG_VI_TRANSFER_WHICH "Vui lòng nêu hồ sơ cần chuyển."
#define ENG_EN_TRANSFER_BY_RECEPTION "only reception of %s, the dossier's agency, passes it to another agency"
#define ENG_VI_TRANSFER_BY_RECEPTION "Chỉ bộ phận tiếp nhận của %s (cơ quan đang giữ hồ sơ) được chuyển hồ sơ đến cơ quan khác."
#define ENG_EN_TRANSFER_REASON "transferring a dossier gives its reason, which the applicant is told"
#define ENG_VI_TRANSFER_REASON "Chuyển hồ sơ phải nêu lý do; lý do được thông báo cho người nộp."
#define ENG_EN_TRANSFER_ACCEPTED "the dossier %s is already accepted: only a dossier not yet accepted is passed to the competent agency (Decree 118/2025)"
#define ENG_VI_TRANSFER_ACCEPTED "Hồ sơ %s đã được tiếp nhận: chỉ hồ sơ chưa tiếp nhận mới được chuyển đến cơ quan có thẩm quyền (Nghị định 118/2025/NĐ-CP)."
#define ENG_EN_TRANSFER_SAME_AGENCY "the dossier %s is already at %s: name another agency"
#define ENG_VI_TRANSFER_SAME_AGENCY "Hồ sơ %s đang ở %s; vui lòng chọn cơ quan khác."
#define ENG_EN_TRANSFER_NOT_OFFERED "the agency %s does not offer the procedure %s; the agencies that do: %s"
#define ENG_VI_TRANSFER_NOT_OFFERED "Cơ quan %s không giải quyết thủ tục %s; các cơ quan có thẩm quyền: %s."
#define ENG_EN_DIRECTORY_NEEDS_SUCCESSOR "the directory would remove the agency %s (%s), which has %d enabled official%s: name its successor in the directory (merged \"%s\" into \"CODE\"), where they are moved with their roles, or disable them first"
#define ENG_VI_DIRECTORY_NEEDS_SUCCESSOR "Danh mục mới bỏ cơ quan %s (%s) trong khi cơ quan này còn %d công chức đang hoạt động%.0s: vui lòng ghi cơ quan kế thừa trong danh mục (merged \"%s\" into \"MÃ CƠ QUAN\") để chuyển công chức sang cùng vai trò, hoặc khóa các tài khoản đó trước."
#define ENG_EN_DIRECTORY_SUCCESSOR_UNKNOWN "the directory names %s as the successor of %s, but %s is not an agency of that directory"
#define ENG_VI_DIRECTORY_SUCCESSOR_UNKNOWN "Danh mục ghi %s là cơ quan kế thừa của %s nhưng %s không có trong danh mục."
#define ENG_EN_RATE_WHICH "say which dossier to rate"
#define ENG_VI_RATE_WHICH "Vui lòng nêu hồ sơ cần đánh giá."
#define ENG_EN_RATE_BY_APPLICANT "the service is rated by the applicant of %s"
#define ENG_VI_RATE_BY_APPLICANT "Chỉ người nộp hồ sơ %s được đánh giá mức độ hài lòng."
#define ENG_EN_RATE_AT_DESK "the service is rated by the applicant of %s (entered at the desk: reception records the applicant's rating)"
#define ENG_VI_RATE_AT_DESK "Chỉ người nộp hồ sơ %s được đánh giá (hồ sơ nộp tại quầy: cán bộ tiếp nhận ghi nhận đánh giá của người nộp)."
#define ENG_EN_RATE_NOT_RETURNED "a dossier is rated once its result is returned (it is %s%.0s)"
#define ENG_VI_RATE_NOT_RETURNED "Chỉ đánh giá được khi hồ sơ đã trả kết quả (hồ sơ hiện ở trạng thái «%.0s%s»)."
#define ENG_EN_ALREADY_RATED "the dossier %s is already rated"
#define ENG_VI_ALREADY_RATED "Hồ sơ %s đã được đánh giá."
#define ENG_EN_RATING_RANGE "a rating is 1 (poor) to 5 (very good)"
#define ENG_VI_RATING_RANGE "Mức đánh giá từ 1 (kém) đến 5 (rất tốt)."

/* ---- Refunds */
#define ENG_EN_REFUND_WHICH "say which dossier to refund"
#define ENG_VI_REFUND_WHICH "Vui lòng nêu hồ sơ cần hoàn phí."
#define ENG_EN_FEE_NOT_REFUNDABLE "the fee of %s is not refundable"
#define ENG_VI_FEE_NOT_REFUNDABLE "Phí, lệ phí của thủ tục %s không thuộc diện hoàn trả."
#define ENG_EN_NO_PAYMENT "no payment of %s was recorded"
#define ENG_VI_NO_PAYMENT "Chưa ghi nhận khoản thanh toán nào của hồ sơ %s."
#define ENG_EN_ALREADY_REFUNDED "the fee of %s was already refunded"
#define ENG_VI_ALREADY_REFUNDED "Phí, lệ phí của hồ sơ %s đã được hoàn trả."
#define ENG_EN_REFUND_NOT_DUE "a fee is refunded when the agency could not deliver (a decision to deny, or stopped before deciding); %s is %s%.0s%s"
#define ENG_VI_REFUND_NOT_DUE "Phí chỉ được hoàn trả khi cơ quan không giải quyết được (quyết định từ chối, hoặc dừng xử lý trước khi có kết quả); hồ sơ %s đang ở trạng thái «%.0s%s»%.0s."
#define ENG_EN_FEE_UNCOMPUTABLE "the fee of %s cannot be computed"
#define ENG_VI_FEE_UNCOMPUTABLE "Không tính được phí, lệ phí của hồ sơ %s; vui lòng kiểm tra các số liệu trong tờ khai."
#define ENG_EN_FEE_ZERO "the fee of %s is nothing to refund"
#define ENG_VI_FEE_ZERO "Hồ sơ %s không có khoản phí nào để hoàn trả."

/* ---- Messages: outcomes, alerts, announcements, one-time codes */
#define ENG_EN_DELIVERY_BY_WORKER "the outcome of a message is recorded by the delivery worker (role system)"
#define ENG_VI_DELIVERY_BY_WORKER "Kết quả gửi thông báo do bộ phận gửi thư của hệ thống (vai trò system) ghi nhận."
#define ENG_EN_DELIVERY_OUTCOME "the outcome of a message is \"sent\" or \"failed\""
#define ENG_VI_DELIVERY_OUTCOME "Kết quả gửi thông báo chỉ là «sent» hoặc «failed»."
#define ENG_EN_DELIVERY_WHY "a failed message says why (the server's answer)"
#define ENG_VI_DELIVERY_WHY "Thông báo gửi không thành công phải nêu lý do (phản hồi của máy chủ thư)."
#define ENG_EN_DELIVERY_INDEX "no message %d of an event (at most %d)"
#define ENG_VI_DELIVERY_INDEX "Không có thông báo số %d của một sự kiện (tối đa %d)."
#define ENG_EN_DELIVERY_NOT_WAITING "no message %llu/%d is waiting: its outcome is already recorded, or it never was"
#define ENG_VI_DELIVERY_NOT_WAITING "Không có thông báo %llu/%d nào đang chờ: kết quả gửi đã được ghi nhận, hoặc thông báo không tồn tại."
#define ENG_EN_OUTBOX_UNREADABLE "the outbox cannot be read"
#define ENG_VI_OUTBOX_UNREADABLE "Không đọc được hàng đợi thông báo; vui lòng thử lại sau."
#define ENG_EN_ALERT_UNWRITABLE "the alert could not be written"
#define ENG_VI_ALERT_UNWRITABLE "Không ghi được cảnh báo; vui lòng thử lại sau."
#define ENG_EN_ANNOUNCE_FORBIDDEN "an incident is announced by the system administrator, or by an agency's administrator to its own applicants"
#define ENG_VI_ANNOUNCE_FORBIDDEN "Thông báo sự cố do quản trị hệ thống đưa ra, hoặc do quản trị cơ quan gửi tới người nộp hồ sơ của cơ quan mình."
#define ENG_EN_ANNOUNCE_TEXT "an announcement says what happened and what to do"
#define ENG_VI_ANNOUNCE_TEXT "Thông báo phải nêu điều gì đã xảy ra và người dân cần làm gì."
#define ENG_EN_ANNOUNCE_AGENCY_UNKNOWN "the agency %.40s is not in the directory"
#define ENG_VI_ANNOUNCE_AGENCY_UNKNOWN "Cơ quan %.40s không có trong danh mục cơ quan."
#define ENG_EN_ANNOUNCEMENT_UNWRITABLE "the announcement could not be written"
#define ENG_VI_ANNOUNCEMENT_UNWRITABLE "Không ghi được thông báo; vui lòng thử lại sau."
#define ENG_EN_CODE_BY_SERVER "one-time codes and notices about accounts are sent by the server (role system)"
#define ENG_VI_CODE_BY_SERVER "Mã xác thực dùng một lần và thông báo về tài khoản do máy chủ gửi (vai trò system)."
#define ENG_EN_CODE_INCOMPLETE "a message about an account names its template"
#define ENG_VI_CODE_INCOMPLETE "Thông báo về tài khoản phải nêu mẫu thông báo."
#define ENG_EN_CODE_ADDRESS "a message about an account goes to an e-mail address or a phone"
#define ENG_VI_CODE_ADDRESS "Thông báo về tài khoản phải gửi tới một địa chỉ thư điện tử hoặc một số điện thoại."
#define ENG_EN_CODE_UNQUEUED "the message about the account could not be queued (%s)"
#define ENG_VI_CODE_UNQUEUED "Chưa gửi được thông báo về tài khoản%.0s; vui lòng thử lại sau ít phút."

/* ---- Accounts */
#define ENG_EN_ACCOUNT_OP_UNKNOWN "an account command is register, create, disable, enable or roles, not \"%s\""
#define ENG_VI_ACCOUNT_OP_UNKNOWN "Lệnh tài khoản chỉ gồm register, create, disable, enable hoặc roles, không có «%s»."
#define ENG_EN_REGISTER_NOT_OFFICIAL "applicants register as a person or an organisation; officials are created by an administrator"
#define ENG_VI_REGISTER_NOT_OFFICIAL "Người nộp hồ sơ đăng ký tài khoản cá nhân hoặc tổ chức; tài khoản cán bộ do quản trị viên tạo."
#define ENG_EN_REGISTER_BY_SERVER "an applicant's account is registered by the server once its code is verified"
#define ENG_VI_REGISTER_BY_SERVER "Tài khoản người nộp hồ sơ chỉ được hệ thống tạo sau khi mã xác thực được kiểm tra."
#define ENG_EN_ACCOUNT_ID_INVALID "%s%.0s"
#define ENG_VI_ACCOUNT_ID_INVALID "%.0sMã tài khoản «%s» không đúng quy định: người dân dùng số định danh cá nhân (12 chữ số), tổ chức dùng mã số thuế, cán bộ dùng từ 3 đến 48 ký tự a-z, 0-9, '.', '_', '-', bắt đầu bằng chữ cái."
#define ENG_EN_ACCOUNT_NAME_MISSING "an account needs the name of its holder"
#define ENG_VI_ACCOUNT_NAME_MISSING "Vui lòng nhập họ tên (hoặc tên tổ chức) của chủ tài khoản."
#define ENG_EN_ACCOUNT_UNREADABLE "the account %s cannot be read"
#define ENG_VI_ACCOUNT_UNREADABLE "Không đọc được tài khoản %s; vui lòng thử lại sau hoặc báo quản trị hệ thống."
#define ENG_EN_ACCOUNT_EXISTS "the account %s exists already"
#define ENG_VI_ACCOUNT_EXISTS "Tài khoản %s đã tồn tại."
#define ENG_EN_ACCOUNT_TEXT_TOO_LONG "the %s%.0s is longer than %zu bytes"
#define ENG_VI_ACCOUNT_TEXT_TOO_LONG "%.0s«%s» dài quá %zu byte; vui lòng rút gọn."
#define ENG_EN_ACCOUNT_CONTACT_MISSING "an applicant's account needs an e-mail address or a phone number"
#define ENG_VI_ACCOUNT_CONTACT_MISSING "Tài khoản người nộp hồ sơ cần có địa chỉ thư điện tử hoặc số điện thoại."
#define ENG_EN_ACCOUNT_CREATE_FORBIDDEN "creating an official's account needs the system_admin or agency_admin role"
#define ENG_VI_ACCOUNT_CREATE_FORBIDDEN "Chỉ quản trị hệ thống (system_admin) hoặc quản trị cơ quan (agency_admin) được tạo tài khoản cán bộ."
#define ENG_EN_OFFICIAL_AGENCY_MISSING "an official belongs to an agency: give its code (workflows/agencies)"
#define ENG_VI_OFFICIAL_AGENCY_MISSING "Cán bộ phải thuộc một cơ quan: vui lòng nêu mã cơ quan (workflows/agencies)."
#define ENG_EN_ACCOUNT_OTHER_AGENCY "an agency_admin of %s creates accounts of %s only, not of %s"
#define ENG_VI_ACCOUNT_OTHER_AGENCY "Quản trị cơ quan %s chỉ tạo tài khoản cán bộ của %s, không tạo cho %s."
#define ENG_EN_OFFICIAL_ROLES_COUNT "an official has 1 to %d roles (reception, specialist, leader, agency_admin, auditor, postal)"
#define ENG_VI_OFFICIAL_ROLES_COUNT "Cán bộ có từ 1 đến %d vai trò (reception, specialist, leader, agency_admin, auditor, postal)."
#define ENG_EN_ROLE_UNKNOWN "\"%s\" is not a role of an official: the roles are %s (and those the steps of a procedure in effect name)"
#define ENG_VI_ROLE_UNKNOWN "«%s» không phải là vai trò của cán bộ: các vai trò gồm %s (và vai trò mà các bước của một thủ tục đang áp dụng nêu)."
#define ENG_EN_ROLE_PROVINCE_WIDE "only a system_admin gives the province-wide role %s"
#define ENG_VI_ROLE_PROVINCE_WIDE "Chỉ quản trị hệ thống (system_admin) được giao vai trò cấp tỉnh %s."
#define ENG_EN_ROLE_TWICE "the role %s is given twice"
#define ENG_VI_ROLE_TWICE "Vai trò %s được nêu hai lần."
#define ENG_EN_ACCOUNT_UNNAMED "name the account"
#define ENG_VI_ACCOUNT_UNNAMED "Vui lòng nêu tài khoản cần xử lý."
#define ENG_EN_ACCOUNT_UNKNOWN "there is no account %s"
#define ENG_VI_ACCOUNT_UNKNOWN "Không có tài khoản %s."
/* Who may manage an account (eng_account_may_manage): each text takes what
 * is done, in English and in Vietnamese ("disable or enable", "khóa hoặc
 * mở lại"; "set the roles of", "đổi vai trò của"; ...). */
#define ENG_EN_ACCOUNT_TOGGLE_FORBIDDEN "only a system_admin or the agency_admin of %s may %s%.0s an account of that agency"
#define ENG_VI_ACCOUNT_TOGGLE_FORBIDDEN "Chỉ quản trị hệ thống hoặc quản trị của cơ quan %s được %.0s%s tài khoản của cơ quan đó."
#define ENG_EN_APPLICANT_TOGGLE_FORBIDDEN "only a system_admin may %s%.0s an applicant's account"
#define ENG_VI_APPLICANT_TOGGLE_FORBIDDEN "Chỉ quản trị hệ thống được %.0s%s tài khoản của người nộp hồ sơ."
#define ENG_EN_ACCOUNT_PROVINCE_WIDE "the account %s holds the province-wide role %s: only a system_admin may %s%.0s it"
#define ENG_VI_ACCOUNT_PROVINCE_WIDE "Tài khoản %s giữ vai trò cấp tỉnh %s: chỉ quản trị hệ thống được %.0s%s tài khoản này."
#define ENG_EN_ACCOUNT_OWN "an administrator does not %s%.0s their own account: ask another"
#define ENG_VI_ACCOUNT_OWN "Quản trị viên không tự %.0s%s tài khoản của mình: vui lòng nhờ một quản trị viên khác."
#define ENG_EN_ROLES_NOT_OFFICIAL "%s is an applicant's account: roles are an official's"
#define ENG_VI_ROLES_NOT_OFFICIAL "%s là tài khoản của người nộp hồ sơ: chỉ tài khoản cán bộ mới có vai trò."
#define ENG_EN_ROLES_SAME "the account %s has these roles already"
#define ENG_VI_ROLES_SAME "Tài khoản %s đã có đúng các vai trò này."
#define ENG_EN_ACCOUNT_ALREADY_DISABLED "the account %s is disabled already"
#define ENG_VI_ACCOUNT_ALREADY_DISABLED "Tài khoản %s đã bị khóa từ trước."
#define ENG_EN_ACCOUNT_ALREADY_ENABLED "the account %s is enabled already"
#define ENG_VI_ACCOUNT_ALREADY_ENABLED "Tài khoản %s đang hoạt động."
#define ENG_EN_ACCOUNT_UNENCODABLE "the account event could not be encoded"
#define ENG_VI_ACCOUNT_UNENCODABLE "Không ghi được tài khoản: có thông tin không phải văn bản hợp lệ (UTF-8); vui lòng kiểm tra lại."

/* ------------------------------------------------------------ the table
 *
 * X(NAME, KIND, "wire name") */
#define ENG_REFUSALS(X) \
  /* The command itself, and what any command may meet */ \
  X(COMMAND_UNKNOWN, INVALID, "command_unknown") \
  X(TEXT_TOO_LONG, INVALID, "text_too_long") \
  X(COMMAND_ID_REUSED, CONFLICT, "command_id_reused") \
  X(VERSION_STALE, CONFLICT, "version_stale") \
  X(DOSSIER_MOVED_ON, CONFLICT, "dossier_moved_on") \
  X(STORE_REFUSED, INVALID, "store_refused") \
  X(STORE_CONFLICT, CONFLICT, "store_conflict") \
  X(STORE_FAILED, UNAVAILABLE, "store_failed") \
  X(BATCH_FAILED, UNAVAILABLE, "batch_failed") \
  X(SERVER_STOPPING, UNAVAILABLE, "server_stopping") \
  X(EVENT_UNENCODABLE, INVALID, "event_unencodable") \
  X(EVENT_TYPE_UNENCODABLE, INVALID, "event_type_unencodable") \
  X(NOTES_UNWRITABLE, UNAVAILABLE, "notes_unwritable") \
  /* A dossier, and reading what it was filed under */ \
  X(DOSSIER_CODE_MALFORMED, NOT_FOUND, "dossier_code_malformed") \
  X(DOSSIER_UNKNOWN, NOT_FOUND, "dossier_unknown") \
  X(DOSSIER_UNREADABLE, UNAVAILABLE, "dossier_unreadable") \
  X(DOSSIER_DAMAGED, UNAVAILABLE, "dossier_damaged") \
  X(FORM_OF_DOSSIER_UNREADABLE, UNAVAILABLE, "form_of_dossier_unreadable") \
  X(DOCUMENTS_UNREADABLE, UNAVAILABLE, "documents_unreadable") \
  X(PROCEDURE_VERSION_MISSING, NOT_FOUND, "procedure_version_missing") \
  X(POLICY_VERSION_MISSING, NOT_FOUND, "policy_version_missing") \
  X(DOSSIER_CALENDAR_MISSING, NOT_FOUND, "dossier_calendar_missing") \
  X(DOSSIER_FINISHED, RULE, "dossier_finished") \
  /* Deadlines and the process */ \
  X(CALENDAR_YEAR_MISSING, RULE, "calendar_year_missing") \
  X(DEADLINE_UNCOMPUTABLE, RULE, "deadline_uncomputable") \
  X(APPOINTMENT_UNCOMPUTABLE, RULE, "appointment_uncomputable") \
  X(CHOICE_LOOP, INVALID, "choice_loop") \
  X(TOO_MANY_STEPS, INVALID, "too_many_steps") \
  X(CHOICE_UNEVALUABLE, INVALID, "choice_unevaluable") \
  X(CHOICE_NONE_HOLDS, RULE, "choice_none_holds") \
  X(JOIN_WITHOUT_FORK, INVALID, "join_without_fork") \
  /* Publishing and retiring definitions */ \
  X(DEFINITION_KIND_UNKNOWN, INVALID, "definition_kind_unknown") \
  X(DEFINITION_PROVINCE_WIDE, FORBIDDEN, "definition_province_wide") \
  X(DEFINITION_FORBIDDEN, FORBIDDEN, "definition_forbidden") \
  X(PUBLISH_EMPTY, INVALID, "publish_empty") \
  X(DEFINITION_NOT_CANONICAL, INVALID, "definition_not_canonical") \
  X(DEFINITION_NOT_COMPILED, INVALID, "definition_not_compiled") \
  X(DIRECTORY_NOT_COMPILED, INVALID, "directory_not_compiled") \
  X(CALENDAR_UNPARSABLE, INVALID, "calendar_unparsable") \
  X(DIRECTORY_DROPS_AGENCY, RULE, "directory_drops_agency") \
  X(DIRECTORY_IN_EFFECT_UNREADABLE, UNAVAILABLE, "directory_in_effect_unreadable") \
  X(DEFINITION_UNENCODABLE, UNAVAILABLE, "definition_unencodable") \
  X(RETIRE_KIND, INVALID, "retire_kind") \
  X(DEFINITION_NOT_PUBLISHED, NOT_FOUND, "definition_not_published") \
  X(ALREADY_RETIRED, RULE, "already_retired") \
  X(RETIREMENT_UNENCODABLE, UNAVAILABLE, "retirement_unencodable") \
  /* The directory of agencies */ \
  X(DIRECTORY_NOT_PUBLISHED, NOT_FOUND, "directory_not_published") \
  X(DIRECTORY_UNREADABLE, UNAVAILABLE, "directory_unreadable") \
  X(AGENCY_UNKNOWN, NOT_FOUND, "agency_unknown") \
  X(AGENCY_NOT_OFFERING, RULE, "agency_not_offering") \
  /* Submission and intake */ \
  X(SUBMISSION_INCOMPLETE, INVALID, "submission_incomplete") \
  X(CHANNEL_UNKNOWN, INVALID, "channel_unknown") \
  X(ONLINE_BY_APPLICANT, FORBIDDEN, "online_by_applicant") \
  X(ACCOUNT_ID_TOO_LONG, INVALID, "account_id_too_long") \
  X(DESK_BY_RECEPTION, FORBIDDEN, "desk_by_reception") \
  X(PROCEDURE_RETIRED, RULE, "procedure_retired") \
  X(PROCEDURE_NOT_PUBLISHED, NOT_FOUND, "procedure_not_published") \
  X(PROCEDURE_UNREADABLE, UNAVAILABLE, "procedure_unreadable") \
  X(POLICY_RETIRED, RULE, "policy_retired") \
  X(POLICY_NOT_PUBLISHED, NOT_FOUND, "policy_not_published") \
  X(AGENCY_CALENDAR_NOT_PUBLISHED, NOT_FOUND, "agency_calendar_not_published") \
  X(AGENCY_CODE_TOO_LONG, INVALID, "agency_code_too_long") \
  X(DAY_FULL, RULE, "day_full") \
  X(OWNER_ID_TOO_LONG, INVALID, "owner_id_too_long") \
  X(OWNER_NOT_APPLICANT, INVALID, "owner_not_applicant") \
  /* The applicant block */ \
  X(APPLICANT_REQUIRED, INVALID, "applicant_required") \
  X(APPLICANT_NOT_A_MAP, INVALID, "applicant_not_a_map") \
  X(APPLICANT_FIELD_UNKNOWN, INVALID, "applicant_field_unknown") \
  X(APPLICANT_FROM_ACCOUNT, INVALID, "applicant_from_account") \
  X(APPLICANT_ID_NUMBER, INVALID, "applicant_id_number") \
  /* The e-form (each a field's fault but the first four) */ \
  X(FORM_TOO_LARGE, INVALID, "form_too_large") \
  X(FORM_NOT_A_MAP, INVALID, "form_not_a_map") \
  X(FORM_TOO_MANY_FIELDS, INVALID, "form_too_many_fields") \
  X(FORM_FIELD_UNREADABLE, UNAVAILABLE, "form_field_unreadable") \
  X(FORM_UNENCODABLE, UNAVAILABLE, "form_unencodable") \
  X(FIELD_UNKNOWN, INVALID, "field_unknown") \
  X(FIELD_REQUIRED, INVALID, "field_required") \
  X(FIELD_RANGE, INVALID, "field_range") \
  X(FIELD_LENGTH, INVALID, "field_length") \
  X(FIELD_PATTERN, INVALID, "field_pattern") \
  X(FIELD_TYPE, INVALID, "field_type") \
  X(FIELD_VALUES, INVALID, "field_values") \
  /* Scanned documents (each a field's fault but the first) */ \
  X(TOO_MANY_DOCUMENTS, INVALID, "too_many_documents") \
  X(DOCUMENT_NOT_ASKED, INVALID, "document_not_asked") \
  X(DOCUMENT_IS_RESULT, INVALID, "document_is_result") \
  X(DOCUMENT_NOT_RESULT, INVALID, "document_not_result") \
  X(DOCUMENT_TWICE, INVALID, "document_twice") \
  X(DOCUMENT_SCAN, INVALID, "document_scan") \
  X(DOCUMENT_FILE_SCAN, INVALID, "document_file_scan") \
  X(DOCUMENT_FILES_TOO_MANY, INVALID, "document_files_too_many") \
  X(DOCUMENT_FILE_TWICE, INVALID, "document_file_twice") \
  X(DOCUMENT_VALIDITY, INVALID, "document_validity") \
  X(DOCUMENT_EXPIRED, RULE, "document_expired") \
  X(DOCUMENTS_NOT_HERE, INVALID, "documents_not_here") \
  /* Acting on a step */ \
  X(ACT_INCOMPLETE, INVALID, "act_incomplete") \
  X(NOT_AT_STEP, RULE, "not_at_step") \
  X(SEVERAL_STEPS, INVALID, "several_steps") \
  X(TIMEOUT_BY_ENGINE, RULE, "timeout_by_engine") \
  X(ACTION_NOT_ALLOWED, RULE, "action_not_allowed") \
  X(DESK_STEP_BY_RECEPTION, FORBIDDEN, "desk_step_by_reception") \
  X(STEP_ROLE, FORBIDDEN, "step_role") \
  X(STEP_APPLICANT_ONLY, FORBIDDEN, "step_applicant_only") \
  X(STEP_OTHER_AGENCY, FORBIDDEN, "step_other_agency") \
  X(DOSSIER_ASSIGNED, FORBIDDEN, "dossier_assigned") \
  /* Supplements, rejections and denials */ \
  X(SUPPLEMENT_ONCE, RULE, "supplement_once") \
  X(SUPPLEMENT_LIST, INVALID, "supplement_list") \
  X(REJECT_AFTER_ACCEPT, RULE, "reject_after_accept") \
  X(REJECT_REASONS, INVALID, "reject_reasons") \
  X(DENY_REASONS, INVALID, "deny_reasons") \
  /* Withdrawal */ \
  X(WITHDRAW_WHICH, INVALID, "withdraw_which") \
  X(WITHDRAW_DECIDED, RULE, "withdraw_decided") \
  X(WITHDRAW_FORBIDDEN, FORBIDDEN, "withdraw_forbidden") \
  /* Extension */ \
  X(EXTEND_WHICH, INVALID, "extend_which") \
  X(EXTEND_BY_LEADER, FORBIDDEN, "extend_by_leader") \
  X(EXTEND_NO_APPOINTMENT, RULE, "extend_no_appointment") \
  X(ALREADY_EXTENDED, RULE, "already_extended") \
  X(EXTEND_REASON, INVALID, "extend_reason") \
  X(EXTEND_YEAR_MISSING, RULE, "extend_year_missing") \
  X(EXTEND_NOT_WORKING_DAY, INVALID, "extend_not_working_day") \
  X(EXTEND_NOT_LATER, INVALID, "extend_not_later") \
  X(EXTEND_TOO_LATE, RULE, "extend_too_late") \
  /* Assignment, stopping, rating */ \
  X(LEADER_ONLY, FORBIDDEN, "leader_only") \
  X(ASSIGN_INCOMPLETE, INVALID, "assign_incomplete") \
  X(CO_HANDLERS_MAX, INVALID, "co_handlers_max") \
  X(CO_HANDLERS_MISSING, INVALID, "co_handlers_missing") \
  X(OFFICIAL_ID_TOO_LONG, INVALID, "official_id_too_long") \
  X(HANDLER_UNKNOWN, NOT_FOUND, "handler_unknown") \
  X(HANDLER_DISABLED, RULE, "handler_disabled") \
  X(HANDLER_NOT_OFFICIAL, INVALID, "handler_not_official") \
  X(HANDLER_NOT_OF_STEP, RULE, "handler_not_of_step") \
  X(STOP_WHICH, INVALID, "stop_which") \
  X(STOP_REASON, INVALID, "stop_reason") \
  X(STOP_NOT_ACCEPTED, RULE, "stop_not_accepted") \
  X(STOP_DECIDED, RULE, "stop_decided") \
  X(TRANSFER_WHICH, INVALID, "transfer_which") \
  X(TRANSFER_BY_RECEPTION, FORBIDDEN, "transfer_by_reception") \
  X(TRANSFER_REASON, INVALID, "transfer_reason") \
  X(TRANSFER_ACCEPTED, RULE, "transfer_accepted") \
  X(TRANSFER_SAME_AGENCY, INVALID, "transfer_same_agency") \
  X(TRANSFER_NOT_OFFERED, RULE, "transfer_not_offered") \
  X(DIRECTORY_NEEDS_SUCCESSOR, RULE, "directory_needs_successor") \
  X(DIRECTORY_SUCCESSOR_UNKNOWN, INVALID, "directory_successor_unknown") \
  X(RATE_WHICH, INVALID, "rate_which") \
  X(RATE_BY_APPLICANT, FORBIDDEN, "rate_by_applicant") \
  X(RATE_AT_DESK, FORBIDDEN, "rate_at_desk") \
  X(RATE_NOT_RETURNED, RULE, "rate_not_returned") \
  X(ALREADY_RATED, RULE, "already_rated") \
  X(RATING_RANGE, INVALID, "rating_range") \
  /* Refunds */ \
  X(REFUND_WHICH, INVALID, "refund_which") \
  X(FEE_NOT_REFUNDABLE, RULE, "fee_not_refundable") \
  X(NO_PAYMENT, RULE, "no_payment") \
  X(ALREADY_REFUNDED, RULE, "already_refunded") \
  X(REFUND_NOT_DUE, RULE, "refund_not_due") \
  X(FEE_UNCOMPUTABLE, RULE, "fee_uncomputable") \
  X(FEE_ZERO, RULE, "fee_zero") \
  /* Messages: outcomes, alerts, announcements, one-time codes */ \
  X(DELIVERY_BY_WORKER, FORBIDDEN, "delivery_by_worker") \
  X(DELIVERY_OUTCOME, INVALID, "delivery_outcome") \
  X(DELIVERY_WHY, INVALID, "delivery_why") \
  X(DELIVERY_INDEX, INVALID, "delivery_index") \
  X(DELIVERY_NOT_WAITING, NOT_FOUND, "delivery_not_waiting") \
  X(OUTBOX_UNREADABLE, UNAVAILABLE, "outbox_unreadable") \
  X(ALERT_UNWRITABLE, UNAVAILABLE, "alert_unwritable") \
  X(ANNOUNCE_FORBIDDEN, FORBIDDEN, "announce_forbidden") \
  X(ANNOUNCE_TEXT, INVALID, "announce_text") \
  X(ANNOUNCE_AGENCY_UNKNOWN, NOT_FOUND, "announce_agency_unknown") \
  X(ANNOUNCEMENT_UNWRITABLE, UNAVAILABLE, "announcement_unwritable") \
  X(CODE_BY_SERVER, FORBIDDEN, "code_by_server") \
  X(CODE_INCOMPLETE, INVALID, "code_incomplete") \
  X(CODE_ADDRESS, INVALID, "code_address") \
  X(CODE_UNQUEUED, UNAVAILABLE, "code_unqueued") \
  /* Accounts */ \
  X(ACCOUNT_OP_UNKNOWN, INVALID, "account_op_unknown") \
  X(REGISTER_NOT_OFFICIAL, INVALID, "register_not_official") \
  X(REGISTER_BY_SERVER, FORBIDDEN, "register_by_server") \
  X(ACCOUNT_ID_INVALID, INVALID, "account_id_invalid") \
  X(ACCOUNT_NAME_MISSING, INVALID, "account_name_missing") \
  X(ACCOUNT_UNREADABLE, UNAVAILABLE, "account_unreadable") \
  X(ACCOUNT_EXISTS, CONFLICT, "account_exists") \
  X(ACCOUNT_TEXT_TOO_LONG, INVALID, "account_text_too_long") \
  X(ACCOUNT_CONTACT_MISSING, INVALID, "account_contact_missing") \
  X(ACCOUNT_CREATE_FORBIDDEN, FORBIDDEN, "account_create_forbidden") \
  X(OFFICIAL_AGENCY_MISSING, INVALID, "official_agency_missing") \
  X(ACCOUNT_OTHER_AGENCY, FORBIDDEN, "account_other_agency") \
  X(OFFICIAL_ROLES_COUNT, INVALID, "official_roles_count") \
  X(ROLE_UNKNOWN, INVALID, "role_unknown") \
  X(ROLE_PROVINCE_WIDE, FORBIDDEN, "role_province_wide") \
  X(ROLE_TWICE, INVALID, "role_twice") \
  X(ACCOUNT_UNNAMED, INVALID, "account_unnamed") \
  X(ACCOUNT_UNKNOWN, NOT_FOUND, "account_unknown") \
  X(ACCOUNT_TOGGLE_FORBIDDEN, FORBIDDEN, "account_toggle_forbidden") \
  X(APPLICANT_TOGGLE_FORBIDDEN, FORBIDDEN, "applicant_toggle_forbidden") \
  X(ACCOUNT_PROVINCE_WIDE, FORBIDDEN, "account_province_wide") \
  X(ACCOUNT_OWN, RULE, "account_own") \
  X(ACCOUNT_ALREADY_DISABLED, CONFLICT, "account_already_disabled") \
  X(ACCOUNT_ALREADY_ENABLED, CONFLICT, "account_already_enabled") \
  X(ACCOUNT_UNENCODABLE, INVALID, "account_unencodable") \
  X(ROLES_NOT_OFFICIAL, INVALID, "roles_not_official") \
  X(ROLES_SAME, CONFLICT, "roles_same")

typedef enum {
  ENG_REFUSE_NONE, /* not refused */
  ENG_REFUSE_INVALID,
  ENG_REFUSE_RULE,
  ENG_REFUSE_FORBIDDEN,
  ENG_REFUSE_NOT_FOUND,
  ENG_REFUSE_CONFLICT,
  ENG_REFUSE_UNAVAILABLE,
  ENG_REFUSE_KIND_COUNT
} eng_refusal_kind;

typedef enum {
  ENG_R_NONE, /* not refused, or a failure no decision made (the writer's batch) */
#define ENG__REFUSAL_ENUM(e, kind, wire) ENG_R_##e,
  ENG_REFUSALS(ENG__REFUSAL_ENUM)
#undef ENG__REFUSAL_ENUM
  ENG_R_COUNT
} eng_refusal;

/* "invalid", "rule", "forbidden", "not_found", "conflict", "unavailable";
 * NULL for ENG_REFUSE_NONE and out of range. */
const char *eng_refusal_kind_name(eng_refusal_kind kind);
/* A key's wire name ("procedure_retired"), kind and texts; NULL (and
 * ENG_REFUSE_NONE) for ENG_R_NONE and out of range. */
const char *eng_refusal_name(eng_refusal key);
eng_refusal_kind eng_refusal_kind_of(eng_refusal key);
const char *eng_refusal_en(eng_refusal key);
const char *eng_refusal_vi(eng_refusal key);
/* The key of a wire name; ENG_R_NONE when there is none. */
eng_refusal eng_refusal_parse(const char *name);

/* The kind of a failure that carries no key (a status alone: a batch that
 * failed to commit, an error of the server's own): the engine's and the
 * store's failures (MC_EIO, MC_ENOSPC, MC_ENOMEM, MC_ECORRUPT, ...) are
 * UNAVAILABLE, MC_EACCES FORBIDDEN, MC_ENOENT NOT_FOUND, MC_ECONFLICT
 * CONFLICT, any other INVALID; ENG_REFUSE_NONE for 0. */
eng_refusal_kind eng_refusal_kind_of_status(int status);

/* The compiler's check of a refusal's arguments against both its texts
 * (never evaluated).  Used by the macros below. */
#define ENG__REFUSAL_CHECK(...) \
  ((void)(0 && printf(ENG_EN_##__VA_ARGS__) && printf(ENG_VI_##__VA_ARGS__)))

struct eng_result;

/* ENG_REFUSE(result, status, NAME, args...): the refusal NAME with its
 * arguments; sets the result's key, kind and both texts, and returns
 * `status` for the caller to record (eng_execute records what a command's
 * decision returns). */
#define ENG_REFUSE(r, status, ...) \
  (ENG__REFUSAL_CHECK(__VA_ARGS__), eng_refuse((r), (status), ENG_R_##__VA_ARGS__))
int eng_refuse(struct eng_result *r, int status, eng_refusal key, ...);

/* ENG_REFUSE_FIELD(result, status, "documents[1].valid_until", "expired",
 * NAME, args...): a fault of one field of the command, appended to the
 * result's fields (engine.h) with both texts; the first fault of a result
 * also gives the result its key and texts.  Returns `status`. */
#define ENG_REFUSE_FIELD(r, status, field, rule, ...) \
  (ENG__REFUSAL_CHECK(__VA_ARGS__), eng_refuse_field((r), (status), (field), (rule), ENG_R_##__VA_ARGS__))
int eng_refuse_field(struct eng_result *r, int status, const char *field, const char *rule, eng_refusal key, ...);

#endif
