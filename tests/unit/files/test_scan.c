/* test_scan.c — the clamd client against a real clamd this test starts: its
 * own socket and database directory (not the system's service), with a body
 * signature (.ndb) for the EICAR test string, so that EICAR is caught alone,
 * inside a zip and inside a compressed PDF stream.  The signature's name is
 * never asserted beyond "found". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/error.h"
#include "files/scan.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define EICAR "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

/* EICAR in a zip (deflated), and in a PDF page's FlateDecode stream. */
static const char eicar_zip[] =
  "\x50\x4b\x03\x04\x14\x00\x00\x00\x08\x00\xce\x68\x87\x5d\x3c\xcf\x51\x68\x46\x00\x00\x00\x44\x00\x00\x00\x0b\x00\x00\x00\x67\x69"
  "\x61\x79\x2d\x74\x6f\x2e\x74\x78\x74\x8b\x30\xf5\x57\x0c\x50\x75\x70\x0c\x88\x36\x89\x09\x88\x8a\x30\x35\xd1\x08\x88\xd3\x34\x77"
  "\x76\xd6\x34\xaf\x55\x71\xf5\x74\x76\x0c\xd2\x0d\x0e\x71\xf4\x73\x71\x0c\x72\xd1\x75\xf4\x0b\xf1\x0c\xf3\x0c\x0a\x0d\xd6\x0d\x71"
  "\x0d\x0e\xd1\x75\xf3\xf4\x71\x55\x54\xf1\xd0\xf6\xd0\x02\x00\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x08\x00\xce\x68\x87\x5d\x3c"
  "\xcf\x51\x68\x46\x00\x00\x00\x44\x00\x00\x00\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x00\x00\x67\x69\x61"
  "\x79\x2d\x74\x6f\x2e\x74\x78\x74\x50\x4b\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x39\x00\x00\x00\x6f\x00\x00\x00\x00\x00";
static const char eicar_pdf[] =
  "\x25\x50\x44\x46\x2d\x31\x2e\x34\x0a\x31\x20\x30\x20\x6f\x62\x6a\x0a\x3c\x3c\x20\x2f\x54\x79\x70\x65\x20\x2f\x43\x61\x74\x61\x6c"
  "\x6f\x67\x20\x2f\x50\x61\x67\x65\x73\x20\x32\x20\x30\x20\x52\x20\x3e\x3e\x0a\x65\x6e\x64\x6f\x62\x6a\x0a\x32\x20\x30\x20\x6f\x62"
  "\x6a\x0a\x3c\x3c\x20\x2f\x54\x79\x70\x65\x20\x2f\x50\x61\x67\x65\x73\x20\x2f\x4b\x69\x64\x73\x20\x5b\x33\x20\x30\x20\x52\x5d\x20"
  "\x2f\x43\x6f\x75\x6e\x74\x20\x31\x20\x3e\x3e\x0a\x65\x6e\x64\x6f\x62\x6a\x0a\x33\x20\x30\x20\x6f\x62\x6a\x0a\x3c\x3c\x20\x2f\x54"
  "\x79\x70\x65\x20\x2f\x50\x61\x67\x65\x20\x2f\x50\x61\x72\x65\x6e\x74\x20\x32\x20\x30\x20\x52\x20\x2f\x4d\x65\x64\x69\x61\x42\x6f"
  "\x78\x20\x5b\x30\x20\x30\x20\x32\x30\x30\x20\x32\x30\x30\x5d\x20\x2f\x43\x6f\x6e\x74\x65\x6e\x74\x73\x20\x34\x20\x30\x20\x52\x20"
  "\x3e\x3e\x0a\x65\x6e\x64\x6f\x62\x6a\x0a\x34\x20\x30\x20\x6f\x62\x6a\x0a\x3c\x3c\x20\x2f\x4c\x65\x6e\x67\x74\x68\x20\x37\x36\x20"
  "\x2f\x46\x69\x6c\x74\x65\x72\x20\x2f\x46\x6c\x61\x74\x65\x44\x65\x63\x6f\x64\x65\x20\x3e\x3e\x0a\x73\x74\x72\x65\x61\x6d\x0a\x78"
  "\x9c\x8b\x30\xf5\x57\x0c\x50\x75\x70\x0c\x88\x36\x89\x09\x88\x8a\x30\x35\xd1\x08\x88\xd3\x34\x77\x76\xd6\x34\xaf\x55\x71\xf5\x74"
  "\x76\x0c\xd2\x0d\x0e\x71\xf4\x73\x71\x0c\x72\xd1\x75\xf4\x0b\xf1\x0c\xf3\x0c\x0a\x0d\xd6\x0d\x71\x0d\x0e\xd1\x75\xf3\xf4\x71\x55"
  "\x54\xf1\xd0\xf6\xd0\x02\x00\x74\x54\x12\x0f\x0a\x65\x6e\x64\x73\x74\x72\x65\x61\x6d\x0a\x65\x6e\x64\x6f\x62\x6a\x0a\x78\x72\x65"
  "\x66\x0a\x30\x20\x35\x0a\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x20\x36\x35\x35\x33\x35\x20\x66\x20\x0a\x30\x30\x30\x30\x30\x30"
  "\x30\x30\x30\x39\x20\x30\x30\x30\x30\x30\x20\x6e\x20\x0a\x30\x30\x30\x30\x30\x30\x30\x30\x35\x38\x20\x30\x30\x30\x30\x30\x20\x6e"
  "\x20\x0a\x30\x30\x30\x30\x30\x30\x30\x31\x31\x35\x20\x30\x30\x30\x30\x30\x20\x6e\x20\x0a\x30\x30\x30\x30\x30\x30\x30\x32\x30\x32"
  "\x20\x30\x30\x30\x30\x30\x20\x6e\x20\x0a\x74\x72\x61\x69\x6c\x65\x72\x0a\x3c\x3c\x20\x2f\x53\x69\x7a\x65\x20\x35\x20\x2f\x52\x6f"
  "\x6f\x74\x20\x31\x20\x30\x20\x52\x20\x3e\x3e\x0a\x73\x74\x61\x72\x74\x78\x72\x65\x66\x0a\x33\x34\x39\x0a\x25\x25\x45\x4f\x46\x0a";

static char dir[256], sock[300];
static pid_t clamd = -1;

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int start(void **state) {
  (void)state;
  if (access("/usr/sbin/clamd", X_OK) != 0) {
    fprintf(stderr, "test_scan: no /usr/sbin/clamd (Debian's clamav-daemon): skipped\n");
    return 0;
  }
  snprintf(dir, sizeof dir, "/tmp/motcua-clamd-XXXXXX");
  if (mkdtemp(dir) == NULL)
    return -1;
  char path[600], conf[600], db[300];
  snprintf(db, sizeof db, "%s/db", dir);
  mkdir(db, 0700);
  snprintf(sock, sizeof sock, "%s/clamd.sock", dir);
  /* The EICAR string as a body signature: Name:TargetType(any):Offset(*):hex. */
  char sig[512] = "Motcua.Test.EICAR:0:*:";
  for (const char *p = EICAR; *p; p++)
    snprintf(sig + strlen(sig), sizeof sig - strlen(sig), "%02x", (unsigned char)*p);
  strcat(sig, "\n");
  snprintf(path, sizeof path, "%s/motcua-test.ndb", db);
  write_file(path, sig);
  char text[1400];
  snprintf(text, sizeof text,
           "LocalSocket %s\nDatabaseDirectory %s\nForeground yes\nLogFile %s/clamd.log\nPidFile %s/clamd.pid\n"
           "MaxFileSize 1M\nStreamMaxLength 2M\nAlertExceedsMax yes\n",
           sock, db, dir, dir);
  snprintf(conf, sizeof conf, "%s/clamd.conf", dir);
  write_file(conf, text);
  char *argv[] = {"clamd", "-c", conf, NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  char log[600];
  snprintf(log, sizeof log, "%s/out", dir);
  posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (posix_spawn(&clamd, "/usr/sbin/clamd", &fa, NULL, argv, environ) != 0)
    clamd = -1;
  posix_spawn_file_actions_destroy(&fa);
  /* Up when it answers PING (loading a one-line database takes a moment). */
  for (int i = 0; i < 300 && clamd > 0; i++) {
    mc_buf why = MC_BUF_INIT;
    int rc = files_scan_ping(sock, 1000, NULL, &why);
    mc_buf_free(&why);
    if (rc == 0)
      return 0;
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL);
  }
  fprintf(stderr, "test_scan: clamd did not start (see %s/out)\n", dir);
  return -1;
}

static int stop(void **state) {
  (void)state;
  if (clamd > 0) {
    kill(clamd, SIGTERM);
    waitpid(clamd, NULL, 0);
  }
  char cmd[320];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (dir[0] && system(cmd) != 0)
    fprintf(stderr, "test_scan: %s failed\n", cmd);
  return 0;
}

#define NEED_CLAMD()  \
  do {                \
    if (clamd <= 0)   \
      skip();         \
  } while (0)

static void verdicts(void **state) {
  (void)state;
  NEED_CLAMD();
  files_scan_result r;
  assert_int_equal(files_scan_bytes(sock, "Giấy chứng sinh, bản quét", strlen("Giấy chứng sinh, bản quét"), 5000, &r), 0);
  assert_int_equal(r.verdict, FILES_CLEAN);
  assert_int_equal(files_scan_bytes(sock, EICAR, strlen(EICAR), 5000, &r), 0);
  assert_int_equal(r.verdict, FILES_INFECTED);
  assert_true(r.signature[0] != '\0');
  assert_int_equal(files_scan_bytes(sock, eicar_zip, sizeof eicar_zip - 1, 5000, &r), 0);
  assert_int_equal(r.verdict, FILES_INFECTED);
  assert_int_equal(files_scan_bytes(sock, eicar_pdf, sizeof eicar_pdf - 1, 5000, &r), 0);
  assert_int_equal(r.verdict, FILES_INFECTED);
  assert_string_equal(files_verdict_name(r.verdict), "infected");
}

/* From a file, in chunks: a clean one of 1.5 MB (above MaxFileSize 1M: with
 * AlertExceedsMax, reported as too large to scan whole); beyond
 * StreamMaxLength (2M), too large too — never clean. */
static void from_a_file_and_past_the_limits(void **state) {
  (void)state;
  NEED_CLAMD();
  char path[320];
  snprintf(path, sizeof path, "%s/scan.bin", dir);
  for (size_t size = 512 * 1024; size <= 3 * 1024 * 1024; size += 1024 * 1024) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < size; i++)
      fputc((int)("motcua "[i % 7]), f);
    fclose(f);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    files_scan_result r;
    assert_int_equal(files_scan_fd(sock, fd, 10000, &r), 0);
    close(fd);
    if (size < 1024 * 1024)
      assert_int_equal(r.verdict, FILES_CLEAN);
    else
      assert_int_equal(r.verdict, FILES_TOO_LARGE);
  }
}

/* No scanner: unavailable, never clean. */
static void a_scanner_that_is_not_there(void **state) {
  (void)state;
  files_scan_result r;
  assert_int_equal(files_scan_bytes("/nonexistent/clamd.sock", "x", 1, 1000, &r), 0);
  assert_int_equal(r.verdict, FILES_UNAVAILABLE);
  assert_non_null(strstr(r.why, "does not answer"));
  mc_buf version = MC_BUF_INIT, why = MC_BUF_INIT;
  assert_int_equal(files_scan_ping("/nonexistent/clamd.sock", 1000, &version, &why), MC_EIO);
  mc_buf_free(&version);
  mc_buf_free(&why);
  NEED_CLAMD();
  assert_int_equal(files_scan_ping(sock, 2000, &version, &why), 0);
  assert_non_null(strstr(mc_buf_cstr(&version), "ClamAV"));
  mc_buf_free(&version);
  mc_buf_free(&why);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(verdicts),
      cmocka_unit_test(from_a_file_and_past_the_limits),
      cmocka_unit_test(a_scanner_that_is_not_there),
  };
  return cmocka_run_group_tests(tests, start, stop);
}
