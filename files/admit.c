/* admit.c — from a whole upload to a kept, quarantined or refused file
 * (files/admit.h). */
#include "files/admit.h"

#include "base/buf.h"
#include "base/error.h"
#include "base/file.h"
#include "files/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *files_outcome_name(files_outcome o) {
  static const char *const names[] = {"admitted", "not_allowed", "malware", "unscannable", "held"};
  return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "held";
}

/* Its type from its first 64 KiB (a CMS container is parsed whole). */
static int type_of_file(const char *path, files_typed *t) {
  unsigned char head[1 << 16];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return MC_EIO;
  ssize_t n = read(fd, head, sizeof head);
  close(fd);
  if (n < 0)
    return MC_EIO;
  int rc = files_type_of(head, (size_t)n, t);
  if (rc == 0 && t->type == FILES_REFUSED && n > 0 && head[0] == 0x30) {
    mc_buf whole = MC_BUF_INIT;
    if ((rc = mc_file_read(path, (size_t)64 << 20, &whole)) == 0)
      rc = files_type_of(whole.data, whole.len, t);
    mc_buf_free(&whole);
  }
  return rc;
}

static int drop(const char *partial, files_admission *out, files_outcome o) {
  out->outcome = o;
  return unlink(partial) == 0 || errno == ENOENT ? 0 : MC_EIO;
}

int files_admit(const files_store *fs, const char *partial, const uint8_t hash[32], const files_admit_config *cfg,
                files_admission *out) {
  memset(out, 0, sizeof *out);
  /* The scan first: malware is caught and reported whatever else is wrong. */
  files_scan_result scan;
  int fd = open(partial, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? MC_ENOENT : MC_EIO;
  int rc = files_scan_fd(cfg->clamd_socket, fd, cfg->scan_timeout_ms, &scan);
  close(fd);
  if (rc)
    return rc;
  if (scan.verdict == FILES_INFECTED) {
    snprintf(out->signature, sizeof out->signature, "%s", scan.signature);
    snprintf(out->why, sizeof out->why, "the file holds malware (%s): it was not accepted and is kept aside for the "
             "operator; scan the paper again on a clean computer", scan.signature);
    snprintf(out->why_vi, sizeof out->why_vi, "Tệp có mã độc (%s) nên không được tiếp nhận. Vui lòng quét lại giấy tờ "
             "trên một máy tính sạch rồi tải lên lại.", scan.signature);
    out->outcome = FILES_MALWARE;
    return files_store_quarantine(fs, partial, hash);
  }
  if (scan.verdict == FILES_TOO_LARGE) {
    snprintf(out->why, sizeof out->why, "the file is beyond what the malware scanner reads whole (%.120s): send it in "
             "smaller files, a page or a few pages each", scan.why);
    snprintf(out->why_vi, sizeof out->why_vi, "Tệp quá lớn để kiểm tra mã độc: vui lòng chia thành các tệp nhỏ hơn "
             "(mỗi tệp một hoặc vài trang).");
    return drop(partial, out, FILES_UNSCANNABLE);
  }
  /* The type and a PDF's content, whether or not the scanner answered: a
   * file refused anyway is not held. */
  files_typed t;
  if ((rc = type_of_file(partial, &t)) != 0)
    return rc;
  out->type = t.type;
  snprintf(out->mime, sizeof out->mime, "%s", t.mime);
  if (t.type == FILES_REFUSED) {
    snprintf(out->why, sizeof out->why, "%s", t.why);
    snprintf(out->why_vi, sizeof out->why_vi, "%s", t.why_vi);
    return drop(partial, out, FILES_NOT_ALLOWED);
  }
  if (t.type == FILES_PDF) {
    files_pdf_report pdf;
    if ((rc = files_pdf_inspect_file(partial, &cfg->pdf, &pdf)) != 0)
      return rc;
    if (files_pdf_refused(&pdf)) {
      snprintf(out->why, sizeof out->why, "%s", pdf.why);
      snprintf(out->why_vi, sizeof out->why_vi, "%s", pdf.why_vi);
      return drop(partial, out, FILES_NOT_ALLOWED);
    }
  }
  if (scan.verdict != FILES_CLEAN) {
    out->outcome = FILES_HELD;
    snprintf(out->why, sizeof out->why, "the malware scanner cannot be reached (%.100s): the file is kept and will be "
             "scanned as soon as it is back; it cannot be used in a dossier before", scan.why);
    snprintf(out->why_vi, sizeof out->why_vi, "Hệ thống kiểm tra mã độc đang tạm ngừng: tệp đã được lưu và sẽ được "
             "kiểm tra ngay khi hệ thống hoạt động trở lại; chưa thể dùng tệp cho hồ sơ trước khi kiểm tra xong.");
    return 0;
  }
  out->outcome = FILES_ADMITTED;
  return files_store_keep(fs, partial, hash);
}
