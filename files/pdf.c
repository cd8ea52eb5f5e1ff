/* pdf.c — a PDF's dangerous content, found with libqpdf in a worker process
 * (files/pdf.h).
 *
 * The worker is a fork of the caller that sets its limits, reads the bytes
 * with libqpdf, walks every object — from the trailer down, and every object
 * number up to the trailer's /Size, which reaches objects in object streams
 * and unreachable ones — and writes its findings to a pipe.  glibc's malloc is
 * fork-safe; the child touches nothing of the parent's but the bytes and the
 * pipe, and ends with _exit. */
#include "files/pdf.h"

#include "base/error.h"

#include <errno.h>
#include <poll.h>
#include <qpdf/qpdf-c.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool files_pdf_refused(const files_pdf_report *r) {
  return r->javascript || r->embedded || r->launch || r->xfa || r->unreadable;
}

/* ------------------------------------------------------------ the worker */

typedef struct walk {
  qpdf_data q;
  files_pdf_report *r;
  unsigned char *seen;         /* indirect objects visited, by number */
  int nseen;
  int depth;
} walk;

static void look(walk *w, qpdf_oh oh);

static void look_dict(walk *w, qpdf_oh dict) {
  qpdf_data q = w->q;
  files_pdf_report *r = w->r;
  qpdf_oh s = qpdf_oh_get_key(q, dict, "/S");
  if (qpdf_oh_is_name_and_equals(q, s, "/JavaScript"))
    r->javascript = true;
  if (qpdf_oh_is_name_and_equals(q, s, "/Launch"))
    r->launch = true;
  qpdf_oh type = qpdf_oh_get_key(q, dict, "/Type");
  if (qpdf_oh_is_name_and_equals(q, type, "/EmbeddedFile") || qpdf_oh_is_name_and_equals(q, type, "/Filespec") ||
      qpdf_oh_has_key(q, dict, "/EmbeddedFiles") || qpdf_oh_has_key(q, dict, "/EF"))
    r->embedded = true;
  if (qpdf_oh_has_key(q, dict, "/JS") || qpdf_oh_has_key(q, dict, "/JavaScript"))
    r->javascript = true;
  if (qpdf_oh_has_key(q, dict, "/Launch"))
    r->launch = true;
  if (qpdf_oh_has_key(q, dict, "/XFA"))
    r->xfa = true;
  /* The values, recursively (keys come decoded: /J#61vaScript is /JavaScript). */
  char keys[64][128];
  int n = 0;
  qpdf_oh_begin_dict_key_iter(q, dict);
  while (qpdf_oh_dict_more_keys(q) && n < 64)
    snprintf(keys[n++], sizeof keys[0], "%s", qpdf_oh_dict_next_key(q));
  for (int i = 0; i < n; i++)
    look(w, qpdf_oh_get_key(q, dict, keys[i]));
}

static void look(walk *w, qpdf_oh oh) {
  qpdf_data q = w->q;
  if (w->depth > 64)
    return;
  int id = qpdf_oh_get_object_id(q, oh);
  if (id > 0) {
    if (id < w->nseen && w->seen[id])
      return;
    if (id < w->nseen)
      w->seen[id] = 1;
    w->r->objects++;
  }
  w->depth++;
  if (qpdf_oh_is_stream(q, oh))
    look_dict(w, qpdf_oh_get_dict(q, oh));
  else if (qpdf_oh_is_dictionary(q, oh))
    look_dict(w, oh);
  else if (qpdf_oh_is_array(q, oh)) {
    int n = qpdf_oh_get_array_n_items(q, oh);
    for (int i = 0; i < n && i < 100000; i++)
      look(w, qpdf_oh_get_array_item(q, oh, i));
  }
  w->depth--;
}

/* The bytes in memory, or the file at `path` when it is not NULL. */
static void inspect_in_worker(const char *path, const void *data, size_t len, files_pdf_report *r) {
  qpdf_data q = qpdf_init();
  qpdf_silence_errors(q);
  qpdf_set_suppress_warnings(q, QPDF_TRUE);
  QPDF_ERROR_CODE rc = path ? qpdf_read(q, path, NULL)
                            : qpdf_read_memory(q, "upload", data, (unsigned long long)len, NULL);
  qpdf_oh trailer = (rc & QPDF_ERRORS) || qpdf_has_error(q) ? 0 : qpdf_get_trailer(q);
  if (trailer == 0 || qpdf_has_error(q) || !qpdf_oh_is_dictionary(q, trailer)) {
    r->unreadable = true;
    while (qpdf_has_error(q))
      (void)qpdf_get_error(q); /* read, so that libqpdf does not print it */
    qpdf_cleanup(&q);
    return;
  }
  qpdf_oh size = qpdf_oh_get_key(q, trailer, "/Size");
  int nobj = qpdf_oh_is_integer(q, size) ? (int)qpdf_oh_get_int_value(q, size) : 0;
  if (nobj < 0 || nobj > 10000000)
    nobj = 0;
  walk w = {q, r, calloc((size_t)nobj + 1, 1), nobj + 1, 0};
  look(&w, trailer);
  for (int id = 1; id < nobj; id++) {
    look(&w, qpdf_get_object_by_id(q, id, 0));
    qpdf_oh_release_all(q);
  }
  free(w.seen);
  if (qpdf_has_error(q))
    r->unreadable = true;
  while (qpdf_has_error(q))
    (void)qpdf_get_error(q);
  qpdf_cleanup(&q);
}

/* ------------------------------------------------------------ the caller */

static void explain(files_pdf_report *r) {
  char en[160] = "", vi[180] = "";
  if (r->unreadable) {
    snprintf(en, sizeof en, "the PDF cannot be read (damaged, or too costly to read)");
    snprintf(vi, sizeof vi, "Không đọc được tệp PDF (tệp hỏng hoặc quá phức tạp)");
  } else {
    snprintf(en, sizeof en, "the PDF holds %s%s%s%s", r->javascript ? "JavaScript " : "",
             r->embedded ? "embedded files " : "", r->launch ? "launch actions " : "", r->xfa ? "an XFA form " : "");
    snprintf(vi, sizeof vi, "Tệp PDF có %s%s%s%s", r->javascript ? "mã JavaScript " : "",
             r->embedded ? "tệp đính kèm bên trong " : "", r->launch ? "lệnh chạy chương trình " : "",
             r->xfa ? "biểu mẫu XFA " : "");
  }
  snprintf(r->why, sizeof r->why, "%.160s: scan the paper again, or print it to a plain PDF", en);
  snprintf(r->why_vi, sizeof r->why_vi, "%.180s: vui lòng quét lại giấy tờ, hoặc in ra tệp PDF thông thường.", vi);
}

static int inspect(const char *path, const void *data, size_t len, const files_pdf_limits *limits,
                   files_pdf_report *out) {
  files_pdf_limits lim = FILES_PDF_LIMITS_DEFAULT;
  if (limits)
    lim = *limits;
  memset(out, 0, sizeof *out);
  int p[2];
  if (pipe(p) != 0)
    return MC_EIO;
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return MC_EIO;
  }
  if (pid == 0) {
    close(p[0]);
    struct rlimit as = {(rlim_t)lim.memory_mb << 20, (rlim_t)lim.memory_mb << 20};
    struct rlimit cpu = {(rlim_t)lim.cpu_seconds, (rlim_t)lim.cpu_seconds};
    struct rlimit none = {0, 0};
#if !defined(__SANITIZE_ADDRESS__)
    setrlimit(RLIMIT_AS, &as); /* (not under ASan, whose shadow memory is terabytes of address space) */
#else
    (void)as;
#endif
    setrlimit(RLIMIT_CPU, &cpu);
    setrlimit(RLIMIT_FSIZE, &none);
    files_pdf_report r;
    memset(&r, 0, sizeof r);
    inspect_in_worker(path, data, len, &r);
    ssize_t n = write(p[1], &r, sizeof r);
    _exit(n == (ssize_t)sizeof r ? 0 : 1);
  }
  close(p[1]);
  /* Its report, within the wall-clock limit; else it is killed. */
  struct pollfd pf = {p[0], POLLIN, 0};
  size_t got = 0;
  int waited = 0;
  while (got < sizeof *out && waited < lim.wall_seconds * 1000) {
    int rc = poll(&pf, 1, 100);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc == 0) {
      waited += 100;
      continue;
    }
    ssize_t n = read(p[0], (char *)out + got, sizeof *out - got);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(p[0]);
  if (got < sizeof *out)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (got < sizeof *out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    memset(out, 0, sizeof *out);
    out->unreadable = true;
  }
  if (files_pdf_refused(out))
    explain(out);
  return 0;
}

int files_pdf_inspect(const void *data, size_t len, const files_pdf_limits *limits, files_pdf_report *out) {
  return inspect(NULL, data, len, limits, out);
}

int files_pdf_inspect_file(const char *path, const files_pdf_limits *limits, files_pdf_report *out) {
  return inspect(path, NULL, 0, limits, out);
}
