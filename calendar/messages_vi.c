/* messages_vi.c — the Vietnamese of every diagnostic of the working calendars
 * (.cal files: the lexer's, the parser's, the loader's and the checks of the
 * whole calendar), keyed by the English text the code writes
 * (docs/CALENDAR.md).  Each `en` is byte for byte the literal of the code (a
 * message, a hint, or a fragment the code puts into another text through
 * %s); each `vi` is a printf format with the same conversions, in the same
 * order.  Keywords (timezone, office-hours, year, holiday, swap, makeup,
 * for, closed, mon ... sun), examples and paths stay as the official types
 * them.  Vocabulary: lịch làm việc, múi giờ, giờ làm việc, buổi làm việc,
 * ngày nghỉ lễ, ngày nghỉ hoán đổi, ngày làm bù; "unknown X" is always
 * "không có X". */
#include "calendar/calendar-int.h"

const mc_diag_text cal__messages_vi[] = {
    /* ---- shared hints (parse.c) */
    {"did you mean \"%s\"?", "có phải là \"%s\"?"},
    {"write a date as DD/MM (in the block's year), DD/MM/YYYY or YYYY-MM-DD; a range as 16/02..20/02",
     "viết ngày theo dạng DD/MM (thuộc năm của khối), DD/MM/YYYY hoặc YYYY-MM-DD; một khoảng ngày viết là 16/02..20/02"},

    /* ---- the weekdays, inside messages (read.h: weekday_names) */
    {"Monday", "thứ Hai"},
    {"Tuesday", "thứ Ba"},
    {"Wednesday", "thứ Tư"},
    {"Thursday", "thứ Năm"},
    {"Friday", "thứ Sáu"},
    {"Saturday", "thứ Bảy"},
    {"Sunday", "Chủ nhật"},

    /* ---- the whole calendar (build.c) */
    {"add a line: timezone \"Asia/Ho_Chi_Minh\"", "thêm dòng: timezone \"Asia/Ho_Chi_Minh\""},
    {"the calendar has no time zone", "lịch chưa khai báo múi giờ"},
    {"add an office-hours { } block, such as: mon-fri 07:30-11:30 13:00-17:00",
     "thêm khối office-hours { }, ví dụ: mon-fri 07:30-11:30 13:00-17:00"},
    {"the calendar has no office hours", "lịch chưa có giờ làm việc"},
    {"give at least one weekday its sessions, such as: mon-fri 07:30-11:30 13:00-17:00",
     "khai báo buổi làm việc cho ít nhất một ngày trong tuần, ví dụ: mon-fri 07:30-11:30 13:00-17:00"},
    {"the office hours have no sessions on any day", "giờ làm việc không có buổi làm việc nào trong cả tuần"},
    {"%d is already described at %s:%d; merge the two blocks", "năm %d đã được mô tả ở %s:%d; hãy gộp hai khối làm một"},
    {"the year %d is described twice", "năm %d được mô tả hai lần"},
    {"it is first listed at %s:%d; keep one of the two lines", "ngày này đã có ở %s:%d; chỉ giữ một trong hai dòng"},
    {"%s is listed twice", "ngày %s được liệt kê hai lần"},
    {"a swap day is a working day given off; %s is a %s, which has no office hours anyway",
     "ngày nghỉ hoán đổi là một ngày làm việc được cho nghỉ; ngày %s là %s, vốn không có giờ làm việc"},
    {"%s cannot be a swap day", "ngày %s không thể là ngày nghỉ hoán đổi"},
    {"%s is a %s, already a working day; a make-up day is a day without office hours",
     "ngày %s là %s, vốn đã là ngày làm việc; ngày làm bù phải là ngày không có giờ làm việc"},
    {"%s cannot be a make-up day", "ngày %s không thể là ngày làm bù"},
    {"add the line: %02d/%02d swap \"...\" in the year %d, or correct the date",
     "thêm dòng: %02d/%02d swap \"...\" vào năm %d, hoặc sửa lại ngày"},
    {"%s is not listed as a swap day", "ngày %s không có trong danh sách ngày nghỉ hoán đổi"},
    {"add the day worked in exchange: DD/MM makeup for %.5s \"Làm bù cho ngày %.5s\"; if %s is a day off in place of a holiday that fell on a weekend, write it as a holiday",
     "thêm ngày làm bù: DD/MM makeup for %.5s \"Làm bù cho ngày %.5s\"; nếu ngày %s là ngày nghỉ bù cho ngày lễ trùng cuối tuần, hãy ghi là holiday"},
    {"the swap day %s is never made up", "ngày nghỉ hoán đổi %s chưa có ngày làm bù"},
    {"a swap day is paid back once; remove one of the make-up days",
     "mỗi ngày nghỉ hoán đổi chỉ làm bù một lần; xóa bớt một ngày làm bù"},
    {"%s already has a make-up day", "ngày %s đã có ngày làm bù"},

    /* ---- the lexer (lex.c) */
    {"close the text with a \" on the same line", "đóng văn bản bằng dấu \" trên cùng dòng"},
    {"this text has no closing quote", "văn bản này thiếu dấu ngoặc kép đóng"},
    {"save the file with the UTF-8 encoding (most editors offer it under \"Save as\")",
     "lưu tệp với bảng mã UTF-8 (hầu hết trình soạn thảo có tùy chọn này ở mục \"Save as\" — \"Lưu thành\")"},
    {"this text is not valid UTF-8", "văn bản này không phải UTF-8 hợp lệ"},
    {"unexpected control character (byte 0x%02x)", "ký tự điều khiển không hợp lệ (byte 0x%02x)"},

    /* ---- loading the files (load.c) */
    {"check the path; calendars live in workflows/calendars/", "kiểm tra lại đường dẫn; các tệp lịch nằm trong workflows/calendars/"},
    {"cannot read the calendar file %s: %s", "không đọc được tệp lịch %s: %s"},
    {"larger than 4 MiB, surely not a calendar", "lớn hơn 4 MiB, chắc chắn không phải tệp lịch"},
    {"pass the calendar files by name", "hãy chỉ ra từng tệp lịch theo tên"},
    {"cannot open the calendar directory %s", "không mở được thư mục lịch %s"},
    {"there is no .cal file in %s", "không có tệp .cal nào trong %s"},

    /* ---- the calendar line (parse.c) */
    {"write: calendar \"vn\" \"Lịch làm việc ...\" (an identifier, then an optional title)",
     "viết: calendar \"vn\" \"Lịch làm việc ...\" (mã lịch, sau đó là tiêu đề nếu có)"},
    {"a calendar line takes an identifier in quotes and an optional title",
     "dòng calendar cần một mã lịch trong dấu ngoặc kép, có thể thêm tiêu đề"},
    {"give the calendar a short name, such as \"vn\"", "đặt cho lịch một mã ngắn, ví dụ \"vn\""},
    {"the calendar identifier is empty", "mã lịch đang để trống"},
    {"keep one calendar line per file", "mỗi tệp chỉ giữ một dòng calendar"},
    {"this file already named its calendar", "tệp này đã ghi lịch của nó rồi"},
    {"%s:%d names the calendar \"%s\"; files of one calendar must agree",
     "%s:%d ghi lịch \"%s\"; các tệp của cùng một lịch phải ghi cùng một mã"},
    {"this file belongs to calendar \"%s\", not to the one being read",
     "tệp này thuộc lịch \"%s\", không phải lịch đang đọc"},
    {"give the title in one file only (the one with the office hours)",
     "chỉ ghi tiêu đề ở một tệp (tệp có giờ làm việc)"},
    {"the calendar's title is given twice", "tiêu đề của lịch được khai báo hai lần"},

    /* ---- the time zone (parse.c) */
    {"write: timezone \"Asia/Ho_Chi_Minh\"", "viết: timezone \"Asia/Ho_Chi_Minh\""},
    {"a timezone line takes one zone name", "dòng timezone chỉ ghi một tên múi giờ"},
    {"the first is at %s:%d; keep one", "dòng thứ nhất ở %s:%d; chỉ giữ một dòng"},
    {"the time zone is given twice", "múi giờ được khai báo hai lần"},
    {"Vietnam is \"Asia/Ho_Chi_Minh\"; other fixed zones: \"Asia/Bangkok\", \"UTC\", or an offset such as \"+07:00\"",
     "múi giờ Việt Nam là \"Asia/Ho_Chi_Minh\"; các múi giờ cố định khác: \"Asia/Bangkok\", \"UTC\", hoặc độ lệch giờ như \"+07:00\""},
    {"unknown time zone \"%s\"", "không có múi giờ \"%s\""},

    /* ---- office hours: weekdays and sessions (parse.c) */
    {"weekdays are mon tue wed thu fri sat sun (or T2 T3 T4 T5 T6 T7 CN); a range is written mon-fri",
     "các ngày trong tuần viết là mon tue wed thu fri sat sun (hoặc T2 T3 T4 T5 T6 T7 CN); một khoảng ngày viết là mon-fri"},
    {"unknown weekday \"%s\"", "không có ngày trong tuần \"%s\""},
    {"write the range from Monday's side, such as mon-fri", "viết khoảng ngày theo chiều từ thứ Hai trở đi, ví dụ mon-fri"},
    {"the weekday range %.*s runs backwards", "khoảng ngày trong tuần %.*s bị viết ngược"},
    {"write: mon-fri 07:30-11:30 13:00-17:00", "viết: mon-fri 07:30-11:30 13:00-17:00"},
    {"expected weekdays here", "chỗ này phải là các ngày trong tuần"},
    {"list the sessions (07:30-11:30 13:00-17:00), or write \"closed\"",
     "liệt kê các buổi làm việc (07:30-11:30 13:00-17:00), hoặc viết \"closed\""},
    {"these weekdays have no sessions", "các ngày này chưa có buổi làm việc"},
    {"a session is written HH:MM-HH:MM with hours 00-24 and minutes 00-59, such as 07:30-11:30",
     "buổi làm việc viết theo dạng HH:MM-HH:MM, giờ từ 00-24 và phút từ 00-59, ví dụ 07:30-11:30"},
    {"\"%.*s\" is not a session", "\"%.*s\" không phải là buổi làm việc hợp lệ"},
    {"the closing time comes after the opening time, such as 13:00-17:00",
     "giờ kết thúc phải sau giờ bắt đầu, ví dụ 13:00-17:00"},
    {"the session %.*s ends before it starts", "buổi làm việc %.*s kết thúc trước khi bắt đầu"},
    {"at most %d sessions a day", "mỗi ngày có tối đa %d buổi làm việc"},
    {"sessions of one day must not overlap; the afternoon starts after the morning ends",
     "các buổi làm việc trong một ngày không được chồng lên nhau; buổi chiều bắt đầu sau khi buổi sáng kết thúc"},
    {"the session %.*s overlaps another session of the same day",
     "buổi làm việc %.*s chồng lên một buổi khác trong cùng ngày"},
    {"%s already has office hours at %s:%d; give each weekday once",
     "%s đã có giờ làm việc ở %s:%d; mỗi ngày trong tuần chỉ khai báo một lần"},
    {"%s is given office hours twice", "%s được khai báo giờ làm việc hai lần"},

    /* ---- blocks and lines (parse.c) */
    {"expected \"{\" at the end of this line", "cuối dòng này phải có \"{\""},
    {"split it into several lines", "hãy tách thành nhiều dòng"},
    {"this line is too long", "dòng này quá dài"},
    {"close the block above with \"}\" before starting another", "đóng khối phía trên bằng \"}\" trước khi mở khối khác"},
    {"a block cannot start inside another block", "không được mở một khối bên trong khối khác"},
    {"add a line with \"}\" where the block ends", "thêm một dòng \"}\" ở chỗ khối kết thúc"},
    {"this block is never closed", "khối này chưa được đóng"},

    /* ---- the days of a year (parse.c: day_line) */
    {"expected a date at the start of the line", "đầu dòng phải là một ngày"},
    {"check the day and the month (DD/MM)", "kiểm tra lại ngày và tháng (DD/MM)"},
    {"%.*s is not a date of the calendar", "%.*s không phải là ngày có thật"},
    {"\"%.*s\" is not a date", "\"%.*s\" không phải là ngày hợp lệ"},
    {"write the earlier date first, such as 16/02..20/02", "viết ngày sớm hơn trước, ví dụ 16/02..20/02"},
    {"the range %.*s runs backwards", "khoảng ngày %.*s bị viết ngược"},
    {"move the line into the block of its own year", "chuyển dòng này vào khối của đúng năm đó"},
    {"%.*s is not in %d", "%.*s không thuộc năm %d"},
    {"list long periods in several lines", "ghi khoảng thời gian dài thành nhiều dòng"},
    {"a range of more than a month is surely a mistake", "khoảng ngày dài hơn một tháng chắc chắn là ghi nhầm"},
    {"after the date write holiday, swap or makeup, then a description in quotes",
     "sau ngày, viết holiday, swap hoặc makeup, rồi đến phần mô tả trong dấu ngoặc kép"},
    {"what is this day?", "ngày này là ngày gì?"},
    {"holiday = a day off by law (ngày lễ, Tết, nghỉ bù); swap = a working day given off (nghỉ hoán đổi); makeup = a day worked to pay a swap back (làm bù)",
     "holiday = ngày nghỉ theo luật (ngày lễ, Tết, nghỉ bù); swap = ngày làm việc được cho nghỉ (nghỉ hoán đổi); makeup = ngày đi làm để bù cho ngày nghỉ hoán đổi (làm bù)"},
    {"unknown kind of day \"%.*s\"", "không có loại ngày \"%.*s\""},
    {"give each make-up day its own line", "mỗi ngày làm bù ghi trên một dòng riêng"},
    {"a make-up day cannot be a range", "ngày làm bù không thể là một khoảng ngày"},
    {"write: 10/01 makeup for 02/01 \"Làm bù cho ngày 02/01\"", "viết: 10/01 makeup for 02/01 \"Làm bù cho ngày 02/01\""},
    {"a make-up day must say which swap day it pays back (\"for DD/MM\")",
     "ngày làm bù phải ghi rõ làm bù cho ngày nghỉ hoán đổi nào (\"for DD/MM\")"},
    {"add what the day is, in quotes, such as \"Tết Nguyên đán\"",
     "thêm mô tả của ngày trong dấu ngoặc kép, ví dụ \"Tết Nguyên đán\""},
    {"the day needs a description", "ngày này cần có phần mô tả"},
    {"one line per day: date, kind, description", "mỗi ngày một dòng: ngày, loại ngày, mô tả"},
    {"unexpected text after the description", "có nội dung thừa sau phần mô tả"},

    /* ---- year blocks (parse.c) */
    {"write: year 2026 {", "viết: year 2026 {"},
    {"a year block starts with the year in four digits", "khối năm bắt đầu bằng năm viết đủ bốn chữ số"},
    {"the year %d is out of range (%d to %d)", "năm %d nằm ngoài phạm vi cho phép (từ %d đến %d)"},

    /* ---- the statements of a file (parse.c) */
    {"remove it, or open the block it closes", "xóa dấu này đi, hoặc mở khối mà nó đóng"},
    {"this \"}\" closes no block", "dấu \"}\" này không đóng khối nào"},
    {"write: office-hours {", "viết: office-hours {"},
    {"write: office-hours {  then one line per weekday, then }",
     "viết: office-hours {  rồi mỗi ngày trong tuần một dòng, rồi }"},
    {"office-hours takes nothing but its block", "sau office-hours chỉ được có khối của nó"},
    {"the first is at %s:%d; keep one office-hours block per calendar",
     "khối thứ nhất ở %s:%d; mỗi lịch chỉ giữ một khối office-hours"},
    {"office hours are given twice", "giờ làm việc được khai báo hai lần"},
    {"a calendar file has the lines: calendar, timezone, office-hours { }, year YYYY { }",
     "tệp lịch gồm các dòng: calendar, timezone, office-hours { }, year YYYY { }"},
    {"unknown statement \"%.*s\"", "không có câu lệnh \"%.*s\""},
    {"start the file with: calendar \"vn\" (the identifier of the calendar it belongs to)",
     "bắt đầu tệp bằng: calendar \"vn\" (mã của lịch mà tệp thuộc về)"},
    {"this file does not say which calendar it belongs to", "tệp này không ghi rõ thuộc lịch nào"},
    {"name at least one calendar file", "chỉ ra ít nhất một tệp lịch"},
    {"no calendar file was given", "chưa có tệp lịch nào được chỉ ra"},

    {NULL, NULL},
};
