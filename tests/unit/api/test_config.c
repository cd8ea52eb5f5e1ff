/* test_config.c — motcuad's configuration file (api/config.c,
 * docs/OPERATIONS.md "The configuration file"): the documented defaults, the
 * bundled example equal to them, a file setting every key, comments and blank
 * lines, each refusal naming the file and the line, `listen`, TLS's pair of
 * keys, secrets read only from files their owner alone can read, and the
 * environment's secrets over the file's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/config.h"
#include "base/buf.h"
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/motcua-test-config-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Writes dir/name with `text` and `mode`; returns its path (static, 4 rotating). */
static const char *file(const char *name, const char *text, mode_t mode) {
  static char paths[4][512];
  static int i;
  i = (i + 1) % 4;
  snprintf(paths[i], sizeof paths[i], "%s/%s", dir, name);
  FILE *f = fopen(paths[i], "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  assert_int_equal(chmod(paths[i], mode), 0);
  return paths[i];
}

/* Loads `text` over the defaults; checks the status and, on an error, that
 * `why` starts with "PATH:LINE: " and holds `phrase`. */
static void load(srv_config *c, const char *text, int want, int line, const char *phrase) {
  const char *path = file("motcuad.conf", text, 0644);
  mc_buf why = MC_BUF_INIT;
  srv_config_defaults(c);
  int rc = srv_config_load(c, path, &why);
  if (rc != want)
    fail_msg("loading:\n%.300s\ngave %s (%s), expected %s", text, mc_err_name(rc), mc_buf_cstr(&why), mc_err_name(want));
  if (want != 0) {
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
    if (strncmp(mc_buf_cstr(&why), prefix, strlen(prefix)) != 0)
      fail_msg("the message \"%s\" does not start with \"%s\"", mc_buf_cstr(&why), prefix);
    if (strstr(mc_buf_cstr(&why), phrase) == NULL)
      fail_msg("the message \"%s\" lacks \"%s\"", mc_buf_cstr(&why), phrase);
  }
  mc_buf_free(&why);
}

/* ============================================================ defaults */

/* docs/OPERATIONS.md's table: loopback out of the box. */
static void defaults_are_the_documented_ones(void **state) {
  (void)state;
  srv_config c;
  memset(&c, 0x5a, sizeof c);
  srv_config_defaults(&c);
  assert_string_equal(c.listen_host, "127.0.0.1");
  assert_int_equal(c.port, 8080);
  assert_string_equal(c.data_dir, "motcua-data");
  assert_string_equal(c.admin_socket, ""); /* DATA/motcuad.sock, decided when the data directory is known */
  assert_string_equal(c.tls_cert, "");
  assert_string_equal(c.tls_key, "");
  assert_string_equal(c.user, "motcua");
  assert_int_equal(c.max_frame, 65536);
  assert_int_equal(c.max_body, 65536);
  assert_int_equal(c.max_connections, 10000);
  assert_int_equal(c.max_per_address, 2000);
  assert_int_equal(c.idle_seconds, 300);
  assert_int_equal(c.max_queued, 4096);
  assert_int_equal(c.session_hours, 12);
  assert_int_equal(c.login_failures, 5);
  assert_int_equal(c.lock_minutes, 15);
  assert_int_equal(c.denials_per_minute, 10);
  assert_int_equal(c.max_batch, 1024);
  assert_string_equal(c.smtp_url, "");
  assert_string_equal(c.smtp_user, "");
  assert_string_equal(c.smtp_password, "");
  assert_string_equal(c.mail_from, "");
  assert_string_equal(c.smtp_ca, "");
  assert_true(c.smtp_starttls);
  assert_string_equal(c.sms_url, "");
  assert_string_equal(c.sms_token, "");
  assert_int_equal(c.delivery_seconds, 30);
}

/* api/motcuad.conf "is the documented example with every default". */
static void the_bundled_example_gives_the_defaults(void **state) {
  (void)state;
  srv_config d, c;
  srv_config_defaults(&d);
  srv_config_defaults(&c);
  mc_buf why = MC_BUF_INIT;
  int rc = srv_config_load(&c, MOTCUA_SOURCE_DIR "/api/motcuad.conf", &why);
  if (rc)
    fail_msg("%s", mc_buf_cstr(&why));
  assert_memory_equal(&c, &d, sizeof c);
  mc_buf_free(&why);
}

/* ============================================================ every key */

static void a_file_with_every_key(void **state) {
  (void)state;
  const char *smtp = file("smtp.pass", "  mật-khẩu smtp  \nsecond line ignored\n", 0600);
  const char *sms = file("sms.token", "tok-123\r\n", 0400);
  char text[4096];
  snprintf(text, sizeof text,
           "listen = 0.0.0.0:9443\n"
           "data = /var/lib/motcua\n"
           "admin_socket = /run/motcua/admin.sock\n"
           "tls_cert = /etc/motcua/cert.pem\n"
           "tls_key = /etc/motcua/key.pem\n"
           "user = motcuad\n"
           "max_frame = 131072\n"
           "max_body = 1048576\n"
           "max_connections = 15000\n"
           "max_per_address = 100\n"
           "idle_seconds = 60\n"
           "max_queued = 512\n"
           "session_hours = 8\n"
           "login_failures = 3\n"
           "lock_minutes = 30\n"
           "denials_per_minute = 0\n"
           "max_batch = 256\n"
           "smtp_url = smtps://mail.bacninh.gov.vn:465\n"
           "smtp_user = motcua\n"
           "smtp_password_file = %s\n"
           "mail_from = motcua@bacninh.gov.vn\n"
           "smtp_ca = /etc/ssl/certs/ca-certificates.crt\n"
           "smtp_starttls = no\n"
           "sms_url = https://sms.example.vn/send?src=motcua\n"
           "sms_token_file = %s\n"
           "delivery_seconds = 10\n",
           smtp, sms);
  srv_config c;
  load(&c, text, 0, 0, NULL);
  assert_string_equal(c.listen_host, "0.0.0.0");
  assert_int_equal(c.port, 9443);
  assert_string_equal(c.data_dir, "/var/lib/motcua");
  assert_string_equal(c.admin_socket, "/run/motcua/admin.sock");
  assert_string_equal(c.tls_cert, "/etc/motcua/cert.pem");
  assert_string_equal(c.tls_key, "/etc/motcua/key.pem");
  assert_string_equal(c.user, "motcuad");
  assert_int_equal(c.max_frame, 131072);
  assert_int_equal(c.max_body, 1048576);
  assert_int_equal(c.max_connections, 15000);
  assert_int_equal(c.max_per_address, 100);
  assert_int_equal(c.idle_seconds, 60);
  assert_int_equal(c.max_queued, 512);
  assert_int_equal(c.session_hours, 8);
  assert_int_equal(c.login_failures, 3);
  assert_int_equal(c.lock_minutes, 30);
  assert_int_equal(c.denials_per_minute, 0);
  assert_int_equal(c.max_batch, 256);
  assert_string_equal(c.smtp_url, "smtps://mail.bacninh.gov.vn:465");
  assert_string_equal(c.smtp_user, "motcua");
  assert_string_equal(c.smtp_password, "mật-khẩu smtp"); /* the first line, trimmed */
  assert_string_equal(c.mail_from, "motcua@bacninh.gov.vn");
  assert_string_equal(c.smtp_ca, "/etc/ssl/certs/ca-certificates.crt");
  assert_false(c.smtp_starttls);
  assert_string_equal(c.sms_url, "https://sms.example.vn/send?src=motcua"); /* '=' in a value */
  assert_string_equal(c.sms_token, "tok-123");
  assert_int_equal(c.delivery_seconds, 10);
}

static void comments_and_blank_lines(void **state) {
  (void)state;
  srv_config c;
  load(&c,
       "# motcuad.conf\n"
       "\n"
       "   \t  \n"
       "   # an indented comment = with an equals sign\n"
       "max_frame = 2048   # a comment after the value\n"
       "\tsession_hours\t=\t24\t\n"
       "max_batch=7\n"
       "smtp_starttls = yes\n"
       "# listen = 0.0.0.0:1\n",
       0, 0, NULL);
  assert_int_equal(c.max_frame, 2048);
  assert_int_equal(c.session_hours, 24);
  assert_int_equal(c.max_batch, 7);
  assert_true(c.smtp_starttls);
  assert_int_equal(c.port, 8080); /* the commented-out listen */
  /* An empty file is the defaults. */
  srv_config d;
  srv_config_defaults(&d);
  load(&c, "", 0, 0, NULL);
  assert_memory_equal(&c, &d, sizeof c);
  /* true and false are yes and no. */
  load(&c, "smtp_starttls = false\n", 0, 0, NULL);
  assert_false(c.smtp_starttls);
  load(&c, "smtp_starttls = no\nsmtp_starttls = true\n", 0, 0, NULL);
  assert_true(c.smtp_starttls);
}

/* A long comment is a comment, however long. */
static void a_long_comment_line_is_ignored(void **state) {
  (void)state;
  char text[4000];
  memset(text, 'x', 3000);
  text[0] = '#';
  text[3000] = '\0';
  strcat(text, "\nmax_batch = 7\n");
  srv_config c;
  /* Was a bug, now fixed: api/config.c srv_config_load reads lines with fgets into a
   * 2048-byte buffer, so a line longer than 2047 bytes is cut in two and
   * the rest is parsed as a line of its own (here: `expected key = value`
   * on a line 2 that does not exist), and every later line number is off. */
  load(&c, text, 0, 0, NULL);
  assert_int_equal(c.max_batch, 7);
}

/* ============================================================ refusals */

static void unknown_keys_and_bad_values_name_file_and_line(void **state) {
  (void)state;
  srv_config c;
  load(&c, "max_batch = 8\n\ncolour = blue\n", MC_EPARSE, 3, "unknown key \"colour\"");
  load(&c, "# frames\nmax_frame = 64k\n", MC_EPARSE, 2, "max_frame is a whole number");
  load(&c, "max_frame = 64k\n", MC_EPARSE, 1, "\"64k\"");
  load(&c, "max_frame =\n", MC_EPARSE, 1, "max_frame is a whole number");
  load(&c, "session_hours = 12.5\n", MC_EPARSE, 1, "session_hours is a whole number");
  load(&c, "session_hours = 99999999999999999999\n", MC_EPARSE, 1, "session_hours is a whole number");
  /* Out of range. */
  load(&c, "max_frame = 0\n", MC_EPARSE, 1, "max_frame is a whole number from");
  load(&c, "login_failures = 0\n", MC_EPARSE, 1, "login_failures is a whole number from");
  load(&c, "lock_minutes = -5\n", MC_EPARSE, 1, "\"-5\"");
  load(&c, "idle_seconds = 2147483648\n", MC_EPARSE, 1, "idle_seconds is a whole number from");
  load(&c, "delivery_seconds = 0\n", MC_EPARSE, 1, "delivery_seconds");
  /* Yes or no. */
  load(&c, "\nsmtp_starttls = maybe\n", MC_EPARSE, 2, "smtp_starttls is yes or no, not \"maybe\"");
  load(&c, "smtp_starttls = 1\n", MC_EPARSE, 1, "yes or no");
  /* Not key = value. */
  load(&c, "max_batch 7\n", MC_EPARSE, 1, "expected `key = value`");
  /* A text too long for its field. */
  char text[200];
  snprintf(text, sizeof text, "user = %070d\n", 0);
  load(&c, text, MC_ETOOBIG, 1, "user is longer than 63 bytes");
  /* No such file. */
  mc_buf why = MC_BUF_INIT;
  char path[400];
  snprintf(path, sizeof path, "%s/missing.conf", dir);
  srv_config_defaults(&c);
  assert_int_equal(srv_config_load(&c, path, &why), MC_ENOENT);
  assert_non_null(strstr(mc_buf_cstr(&why), path));
  mc_buf_free(&why);
}

static void listen_is_host_and_port(void **state) {
  (void)state;
  srv_config c;
  load(&c, "listen = 0.0.0.0:443\n", 0, 0, NULL);
  assert_string_equal(c.listen_host, "0.0.0.0");
  assert_int_equal(c.port, 443);
  load(&c, "listen = 127.0.0.1:0\n", 0, 0, NULL); /* port 0: any free port */
  assert_string_equal(c.listen_host, "127.0.0.1");
  assert_int_equal(c.port, 0);
  load(&c, "listen = localhost:65535\n", 0, 0, NULL);
  assert_string_equal(c.listen_host, "localhost");
  assert_int_equal(c.port, 65535);
  load(&c, "max_batch = 2\nlisten = localhost\n", MC_EPARSE, 2, "listen is HOST:PORT");
  load(&c, "listen = :8080\n", MC_EPARSE, 1, "listen is HOST:PORT");
  load(&c, "listen = 127.0.0.1:65536\n", MC_EPARSE, 1, "\"127.0.0.1:65536\"");
  load(&c, "listen = 127.0.0.1:-1\n", MC_EPARSE, 1, "listen is HOST:PORT");
  load(&c, "listen = 127.0.0.1:http\n", MC_EPARSE, 1, "listen is HOST:PORT");
  load(&c, "listen = 127.0.0.1:80x\n", MC_EPARSE, 1, "listen is HOST:PORT");
  char text[200];
  snprintf(text, sizeof text, "listen = %070d:80\n", 0); /* a host longer than 63 bytes */
  load(&c, text, MC_EPARSE, 1, "listen is HOST:PORT");
  /* An error stops the file: what follows is not read. */
  load(&c, "listen = nowhere\nmax_batch = 3\n", MC_EPARSE, 1, "listen");
  assert_int_equal(c.max_batch, 1024);
}

/* A listen line that names no port is refused, not read as port 0. */
static void listen_without_a_port_is_refused(void **state) {
  (void)state;
  srv_config c;
  /* Was a bug, now fixed: api/config.c set_listen takes "127.0.0.1:" as port 0 (strtol of
   * an empty string is 0 with end == the string's end), so a forgotten port
   * silently binds to a random free port instead of being refused. */
  load(&c, "listen = 127.0.0.1:\n", MC_EPARSE, 1, "listen is HOST:PORT");
}

static void tls_cert_and_key_go_together(void **state) {
  (void)state;
  srv_config c;
  load(&c, "tls_cert = /etc/motcua/cert.pem\ntls_key = /etc/motcua/key.pem\n", 0, 0, NULL);
  assert_string_equal(c.tls_cert, "/etc/motcua/cert.pem");
  assert_string_equal(c.tls_key, "/etc/motcua/key.pem");
  /* Only the key: refused (the message's place is checked below). */
  const char *path = file("key-only.conf", "tls_key = /etc/motcua/key.pem\n", 0644);
  mc_buf why = MC_BUF_INIT;
  srv_config_defaults(&c);
  assert_int_equal(srv_config_load(&c, path, &why), MC_EPARSE);
  assert_non_null(strstr(mc_buf_cstr(&why), path));
  assert_non_null(strstr(mc_buf_cstr(&why), "tls_cert and tls_key go together"));
  mc_buf_free(&why);
}

/* Every refusal names the file and the line (config.h: "`why` saying the
 * file, the line and what to write instead"). */
static void tls_cert_without_key_names_the_line(void **state) {
  (void)state;
  srv_config c;
  /* Was a bug, now fixed: api/config.c srv_config_load reports a tls_cert without tls_key
   * (and the reverse) as "PATH: tls_cert and tls_key go together ..."
   * without the line of the key that was given, unlike every other error. */
  load(&c, "# TLS\ntls_cert = /etc/motcua/cert.pem\n", MC_EPARSE, 2, "tls_cert and tls_key go together");
}

/* ============================================================ secrets */

static void secret_files_must_be_the_owners_alone(void **state) {
  (void)state;
  srv_config c;
  char text[700];
  const char *open_secret = file("open.pass", "s3cret\n", 0644);
  snprintf(text, sizeof text, "smtp_url = smtp://mail.example.vn:587\nsmtp_password_file = %s\n", open_secret);
  load(&c, text, MC_EACCES, 2, open_secret);
  load(&c, text, MC_EACCES, 2, "chmod 600");
  assert_string_equal(c.smtp_password, ""); /* not read */
  const char *group = file("group.token", "tok\n", 0640);
  snprintf(text, sizeof text, "sms_token_file = %s\n", group);
  load(&c, text, MC_EACCES, 1, "chmod 600");
  assert_string_equal(c.sms_token, "");
  /* 0600 and 0400 are read: the first line, trimmed. */
  const char *own = file("own.pass", "\t s3cret with spaces inside \r\nline two\n", 0600);
  snprintf(text, sizeof text, "smtp_password_file = %s\n", own);
  load(&c, text, 0, 0, NULL);
  assert_string_equal(c.smtp_password, "s3cret with spaces inside");
  const char *ro = file("ro.token", "abc", 0400); /* no newline at all */
  snprintf(text, sizeof text, "sms_token_file = %s\n", ro);
  load(&c, text, 0, 0, NULL);
  assert_string_equal(c.sms_token, "abc");
  /* A secret file that does not exist. */
  char missing[400];
  snprintf(missing, sizeof missing, "%s/nope.pass", dir);
  snprintf(text, sizeof text, "\nsmtp_password_file = %s\n", missing);
  load(&c, text, MC_ENOENT, 2, missing);
  /* A secret too long for its field (smtp_password holds 255 bytes). */
  char longer[400];
  memset(longer, 'p', 300);
  longer[300] = '\n';
  longer[301] = '\0';
  const char *big = file("big.pass", longer, 0600);
  snprintf(text, sizeof text, "smtp_password_file = %s\n", big);
  load(&c, text, MC_ETOOBIG, 1, "longer than 255 bytes");
}

static void the_environment_overrides_the_files_secrets(void **state) {
  (void)state;
  srv_config c;
  char text[700];
  const char *own = file("env.pass", "from-file\n", 0600);
  const char *tok = file("env.token", "token-from-file\n", 0600);
  snprintf(text, sizeof text, "smtp_password_file = %s\nsms_token_file = %s\n", own, tok);
  load(&c, text, 0, 0, NULL);
  unsetenv("MOTCUA_SMTP_PASSWORD");
  unsetenv("MOTCUA_SMS_TOKEN");
  srv_config_env(&c);
  assert_string_equal(c.smtp_password, "from-file");
  assert_string_equal(c.sms_token, "token-from-file");
  setenv("MOTCUA_SMTP_PASSWORD", "from-env", 1);
  srv_config_env(&c);
  assert_string_equal(c.smtp_password, "from-env");
  assert_string_equal(c.sms_token, "token-from-file");
  setenv("MOTCUA_SMS_TOKEN", "token-from-env", 1);
  srv_config_env(&c);
  assert_string_equal(c.sms_token, "token-from-env");
  /* Over the defaults too (no file at all). */
  srv_config d;
  srv_config_defaults(&d);
  srv_config_env(&d);
  assert_string_equal(d.smtp_password, "from-env");
  assert_string_equal(d.sms_token, "token-from-env");
  assert_string_equal(d.smtp_url, "");
  unsetenv("MOTCUA_SMTP_PASSWORD");
  unsetenv("MOTCUA_SMS_TOKEN");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(defaults_are_the_documented_ones),
      cmocka_unit_test(the_bundled_example_gives_the_defaults),
      cmocka_unit_test(a_file_with_every_key),
      cmocka_unit_test(comments_and_blank_lines),
      cmocka_unit_test(a_long_comment_line_is_ignored),
      cmocka_unit_test(unknown_keys_and_bad_values_name_file_and_line),
      cmocka_unit_test(listen_is_host_and_port),
      cmocka_unit_test(listen_without_a_port_is_refused),
      cmocka_unit_test(tls_cert_and_key_go_together),
      cmocka_unit_test(tls_cert_without_key_names_the_line),
      cmocka_unit_test(secret_files_must_be_the_owners_alone),
      cmocka_unit_test(the_environment_overrides_the_files_secrets),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
