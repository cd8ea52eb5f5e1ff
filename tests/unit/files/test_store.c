/* test_store.c — the content-addressed directory of uploads (files/store.h)
 * and admitting an upload into it (files/admit.h) with the scanner down:
 * kept by hash once, quarantined, found missing or altered, measured,
 * copied for a backup; an upload that would be refused anyway is refused
 * with the scanner down, one that would be kept is held, never kept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/hash.h"
#include "files/admit.h"
#include "files/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/motcua-files-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void write_partial(const files_store *fs, const char *id, const char *text, uint8_t hash[32]) {
  char p[1200];
  files_store_partial(fs, id, p, sizeof p);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  mc_sha256_digest(text, strlen(text), hash);
}

static bool exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static void kept_once_by_hash(void **state) {
  (void)state;
  files_store fs;
  char data[80], p[1200], part[1200];
  uint8_t h[32], h2[32];
  snprintf(data, sizeof data, "%s/d1", dir);
  mkdir(data, 0700);
  assert_int_equal(files_store_open(&fs, data), 0);
  write_partial(&fs, "A", "page one", h);
  files_store_partial(&fs, "A", part, sizeof part);
  assert_int_equal(files_store_keep(&fs, part, h), 0);
  assert_false(exists(part));
  files_store_path(&fs, h, p, sizeof p);
  assert_true(exists(p));
  assert_non_null(strstr(p, "/files/sha256/"));
  /* The same content again: one copy, the partial gone. */
  write_partial(&fs, "B", "page one", h2);
  assert_memory_equal(h, h2, 32);
  files_store_partial(&fs, "B", part, sizeof part);
  assert_int_equal(files_store_keep(&fs, part, h2), 0);
  assert_false(exists(part));
  int64_t size = 0;
  assert_int_equal(files_store_check(&fs, h, &size), 0);
  assert_int_equal(size, 8);
  files_usage u;
  assert_int_equal(files_store_usage(&fs, &u), 0);
  assert_int_equal(u.kept, 1);
  assert_int_equal(u.kept_bytes, 8);
  assert_int_equal(u.partial, 0);
}

static void missing_altered_quarantined(void **state) {
  (void)state;
  files_store fs;
  char data[80], p[1200], part[1200];
  uint8_t h[32], bad[32];
  snprintf(data, sizeof data, "%s/d2", dir);
  mkdir(data, 0700);
  assert_int_equal(files_store_open(&fs, data), 0);
  write_partial(&fs, "A", "the original", h);
  files_store_partial(&fs, "A", part, sizeof part);
  assert_int_equal(files_store_keep(&fs, part, h), 0);
  files_store_path(&fs, h, p, sizeof p);
  FILE *f = fopen(p, "r+b");
  assert_non_null(f);
  fputs("THE", f);
  fclose(f);
  assert_int_equal(files_store_check(&fs, h, NULL), MC_ECORRUPT);
  memset(bad, 7, sizeof bad);
  assert_int_equal(files_store_check(&fs, bad, NULL), MC_ENOENT);
  assert_int_equal(files_store_remove(&fs, h), 0);
  assert_int_equal(files_store_check(&fs, h, NULL), MC_ENOENT);
  write_partial(&fs, "C", "malware", h);
  files_store_partial(&fs, "C", part, sizeof part);
  assert_int_equal(files_store_quarantine(&fs, part, h), 0);
  files_store_quarantined(&fs, h, p, sizeof p);
  assert_true(exists(p));
  assert_int_equal(files_store_check(&fs, h, NULL), MC_ENOENT); /* never served */
  files_usage u;
  assert_int_equal(files_store_usage(&fs, &u), 0);
  assert_int_equal(u.quarantined, 1);
}

static void copied_for_a_backup(void **state) {
  (void)state;
  files_store fs, copy;
  char data[80], dest[80], part[1200];
  uint8_t h[32], h2[32];
  snprintf(data, sizeof data, "%s/d3", dir);
  snprintf(dest, sizeof dest, "%s/backup", dir);
  mkdir(data, 0700);
  mkdir(dest, 0700);
  assert_int_equal(files_store_open(&fs, data), 0);
  write_partial(&fs, "A", "first", h);
  files_store_partial(&fs, "A", part, sizeof part);
  assert_int_equal(files_store_keep(&fs, part, h), 0);
  write_partial(&fs, "B", "second, still arriving", h2);
  int64_t n = 0, bytes = 0;
  assert_int_equal(files_store_copy(&fs, dest, &n, &bytes), 0);
  assert_int_equal(n, 1);
  assert_int_equal(bytes, 5);
  assert_int_equal(files_store_open(&copy, dest), 0);
  assert_int_equal(files_store_check(&copy, h, NULL), 0);
  files_usage u;
  assert_int_equal(files_store_usage(&copy, &u), 0);
  assert_int_equal(u.partial, 0); /* what was still arriving is not copied */
}

/* With no scanner: a file that is no scan is refused (and removed) all the
 * same; a good one is held, where it was, not kept. */
static void scanner_down(void **state) {
  (void)state;
  files_store fs;
  char data[80], part[1200], p[1200];
  uint8_t h[32];
  snprintf(data, sizeof data, "%s/d4", dir);
  mkdir(data, 0700);
  assert_int_equal(files_store_open(&fs, data), 0);
  files_admit_config cfg = {"/nonexistent/clamd.sock", 1000, FILES_PDF_LIMITS_DEFAULT};
  files_admission a;
  write_partial(&fs, "T", "plain text, no scan", h);
  files_store_partial(&fs, "T", part, sizeof part);
  assert_int_equal(files_admit(&fs, part, h, &cfg, &a), 0);
  assert_int_equal(a.outcome, FILES_NOT_ALLOWED);
  assert_false(exists(part));
  assert_non_null(strstr(a.why_vi, "PDF"));
  static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                            "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                            "trailer\n<< /Root 1 0 R /Size 3 >>\n%%EOF\n";
  write_partial(&fs, "P", pdf, h);
  files_store_partial(&fs, "P", part, sizeof part);
  assert_int_equal(files_admit(&fs, part, h, &cfg, &a), 0);
  assert_int_equal(a.outcome, FILES_HELD);
  assert_true(exists(part));
  files_store_path(&fs, h, p, sizeof p);
  assert_false(exists(p));
  assert_string_equal(files_outcome_name(a.outcome), "held");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kept_once_by_hash),
      cmocka_unit_test(missing_altered_quarantined),
      cmocka_unit_test(copied_for_a_backup),
      cmocka_unit_test(scanner_down),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
