/* test_pdf.c — what a PDF upload may not hold (files/pdf.h), read by libqpdf
 * in a worker process: JavaScript (also under obfuscated names, also inside a
 * compressed object stream), embedded files, launch actions; a clean scan
 * passes; a damaged file, or one past the worker's limits, is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "files/pdf.h"

#include <qpdf/qpdf-c.h>
#include <stdio.h>
#include <string.h>

/* A PDF of these objects (1: the catalog, whose extra entries are `catalog`),
 * with a right cross-reference table. */
static void pdf_of(mc_buf *out, const char *catalog, const char *const *more, int nmore) {
  char body[4096];
  size_t offs[16];
  int n = 0;
  mc_buf_reset(out);
  mc_buf_append_str(out, "%PDF-1.7\n");
  offs[n++] = out->len;
  snprintf(body, sizeof body, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R %s >>\nendobj\n", catalog);
  mc_buf_append_str(out, body);
  offs[n++] = out->len;
  mc_buf_append_str(out, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
  offs[n++] = out->len;
  mc_buf_append_str(out, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n");
  for (int i = 0; i < nmore; i++) {
    offs[n++] = out->len;
    snprintf(body, sizeof body, "%d 0 obj\n%s\nendobj\n", n, more[i]);
    mc_buf_append_str(out, body);
  }
  size_t xref = out->len;
  mc_buf_printf(out, "xref\n0 %d\n0000000000 65535 f \n", n + 1);
  for (int i = 0; i < n; i++)
    mc_buf_printf(out, "%010zu 00000 n \n", offs[i]);
  mc_buf_printf(out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", n + 1, xref);
}

static files_pdf_report inspect(const mc_buf *pdf) {
  files_pdf_report r;
  assert_int_equal(files_pdf_inspect(pdf->data, pdf->len, NULL, &r), 0);
  return r;
}

static void a_clean_scan_passes(void **state) {
  (void)state;
  mc_buf pdf = MC_BUF_INIT;
  pdf_of(&pdf, "", NULL, 0);
  files_pdf_report r = inspect(&pdf);
  assert_false(files_pdf_refused(&r));
  assert_true(r.objects >= 3);
  mc_buf_free(&pdf);
}

static void javascript_embedded_files_and_launch_actions(void **state) {
  (void)state;
  mc_buf pdf = MC_BUF_INIT;
  pdf_of(&pdf, "/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>", NULL, 0);
  files_pdf_report r = inspect(&pdf);
  assert_true(r.javascript);
  assert_non_null(strstr(r.why, "JavaScript"));
  assert_non_null(strstr(r.why_vi, "JavaScript"));
  /* The same behind obfuscated names, in an object of its own. */
  static const char *const hidden[] = {"<< /S /Java#53cript /J#53 (app.alert\\(2\\)) >>"};
  pdf_of(&pdf, "/OpenAction 4 0 R", hidden, 1);
  r = inspect(&pdf);
  assert_true(r.javascript);
  static const char *const attached[] = {
      "<< /EmbeddedFiles << /Names [(x.exe) 5 0 R] >> >>",
      "<< /Type /Filespec /F (x.exe) /EF << /F 6 0 R >> >>",
      "<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"};
  pdf_of(&pdf, "/Names 4 0 R", attached, 3);
  r = inspect(&pdf);
  assert_true(r.embedded);
  assert_false(r.javascript);
  pdf_of(&pdf, "/OpenAction << /S /Launch /F (cmd.exe) >>", NULL, 0);
  r = inspect(&pdf);
  assert_true(r.launch);
  mc_buf_free(&pdf);
}

/* The JavaScript packed in a compressed object stream (written by libqpdf
 * itself), still found. */
static void inside_a_compressed_object_stream(void **state) {
  (void)state;
  mc_buf pdf = MC_BUF_INIT;
  static const char *const hidden[] = {"<< /S /JavaScript /JS (app.alert\\(3\\)) >>"};
  pdf_of(&pdf, "/OpenAction 4 0 R", hidden, 1);
  qpdf_data q = qpdf_init();
  qpdf_silence_errors(q);
  assert_false(qpdf_read_memory(q, "test", (const char *)pdf.data, pdf.len, NULL) & QPDF_ERRORS);
  assert_false(qpdf_init_write_memory(q) & QPDF_ERRORS);
  qpdf_set_object_stream_mode(q, qpdf_o_generate);
  qpdf_set_compress_streams(q, QPDF_TRUE);
  assert_false(qpdf_write(q) & QPDF_ERRORS);
  mc_buf packed = MC_BUF_INIT;
  mc_buf_append(&packed, qpdf_get_buffer(q), qpdf_get_buffer_length(q));
  qpdf_cleanup(&q);
  for (size_t i = 0; i + 11 <= packed.len; i++) /* not in the clear any more */
    assert_false(memcmp(packed.data + i, "/JavaScript", 11) == 0);
  files_pdf_report r = inspect(&packed);
  assert_true(r.javascript);
  mc_buf_free(&packed);
  mc_buf_free(&pdf);
}

/* Not a PDF at all, or one the worker cannot finish within its limits: refused. */
static void damaged_or_too_costly(void **state) {
  (void)state;
  files_pdf_report r;
  static const char junk[] = "%PDF-1.7\nthis is not a PDF at all\n";
  assert_int_equal(files_pdf_inspect(junk, sizeof junk - 1, NULL, &r), 0);
  assert_true(r.unreadable);
  assert_true(files_pdf_refused(&r));
  mc_buf pdf = MC_BUF_INIT;
  pdf_of(&pdf, "", NULL, 0);
  files_pdf_limits tiny = {512, 10, 0}; /* no time at all: the worker is killed, the file refused */
  assert_int_equal(files_pdf_inspect(pdf.data, pdf.len, &tiny, &r), 0);
  assert_true(r.unreadable);
  mc_buf_free(&pdf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_clean_scan_passes),
      cmocka_unit_test(javascript_embedded_files_and_launch_actions),
      cmocka_unit_test(inside_a_compressed_object_stream),
      cmocka_unit_test(damaged_or_too_costly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
