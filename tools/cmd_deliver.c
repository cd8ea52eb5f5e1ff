/* cmd_deliver.c — `motcua deliver`: one pass of the delivery worker over the
 * outbox (office/delivery.h), until motcuad runs it by itself.
 *
 *   motcua deliver DATA_DIR [--smtp URL --from ADDRESS] [--smtp-user USER
 *       --smtp-password-file FILE] [--starttls] [--smtp-ca FILE] [--sms-url URL]
 *       [--sms-token-file FILE] [--timeout-ms MS] [--now TIME]
 *
 * Secrets come from files (readable by the operator only), never from the
 * command line, where any user could read them in the process list.
 */
#include "tools/cli.h"

#include "office/delivery.h"
#include "base/error.h"
#include "base/file.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A secret from a file: first line, not group- or world-readable. */
static int read_secret(const char *opt, const char *path, mc_buf *out) {
  struct stat st;
  if (stat(path, &st) != 0 || mc_file_read(path, 4096, out) != 0) {
    cli_error("deliver", "%s %s: cannot read it", opt, path);
    return CLI_USAGE;
  }
  if (st.st_mode & 077) {
    cli_error("deliver", "%s %s: readable by others; chmod 600 it", opt, path);
    return CLI_USAGE;
  }
  const char *s = mc_buf_cstr(out);
  size_t n = strcspn(s ? s : "", "\r\n");
  out->len = n;
  mc_buf_cstr(out);
  return CLI_OK;
}

int cmd_deliver(int argc, char **argv);

int cmd_deliver(int argc, char **argv) {
  const char *dir = NULL, *now_text = NULL, *password_file = NULL, *token_file = NULL, *timeout_text = NULL;
  delivery_config cfg = {0};
  mc_instant now = mc_clock_now();
  mc_buf password = MC_BUF_INIT, token = MC_BUF_INIT;
  for (int i = 1; i < argc; i++) {
    const char **slot = NULL;
    if (!strcmp(argv[i], "--smtp")) slot = &cfg.smtp_url;
    else if (!strcmp(argv[i], "--from")) slot = &cfg.mail_from;
    else if (!strcmp(argv[i], "--smtp-user")) slot = &cfg.smtp_user;
    else if (!strcmp(argv[i], "--smtp-password-file")) slot = &password_file;
    else if (!strcmp(argv[i], "--sms-url")) slot = &cfg.sms_url;
    else if (!strcmp(argv[i], "--sms-token-file")) slot = &token_file;
    else if (!strcmp(argv[i], "--now")) slot = &now_text;
    else if (!strcmp(argv[i], "--smtp-ca")) slot = &cfg.smtp_ca;
    else if (!strcmp(argv[i], "--timeout-ms")) slot = &timeout_text;
    else if (!strcmp(argv[i], "--starttls")) {
      cfg.smtp_starttls = true;
      continue;
    } else if (argv[i][0] != '-' && dir == NULL) {
      dir = argv[i];
      continue;
    }
    if (slot == NULL || i + 1 >= argc) {
      cli_error("deliver", "usage: motcua deliver DATA_DIR [--smtp URL --from ADDRESS] [--smtp-user USER "
                           "--smtp-password-file FILE] [--starttls] [--smtp-ca FILE] [--sms-url URL] [--sms-token-file FILE] "
                           "[--timeout-ms MS]");
      return CLI_USAGE;
    }
    *slot = argv[++i];
  }
  if (dir == NULL || (cfg.smtp_url && cfg.mail_from == NULL)) {
    cli_error("deliver", dir ? "--smtp needs --from ADDRESS (the sender)" : "usage: motcua deliver DATA_DIR ...");
    return CLI_USAGE;
  }
  int status = CLI_OK;
  if (cfg.smtp_user && cfg.smtp_url && strncmp(cfg.smtp_url, "smtps://", 8) && !cfg.smtp_starttls) {
    cli_error("deliver", "--smtp-user over %s would send the password in the clear: add --starttls, or use smtps://",
              cfg.smtp_url);
    return CLI_USAGE;
  }
  if (timeout_text && (cfg.timeout_ms = atol(timeout_text)) <= 0) {
    cli_error("deliver", "--timeout-ms \"%s\": a number of milliseconds", timeout_text);
    return CLI_USAGE;
  }
  if (now_text && cli_parse_now("deliver", now_text, &now) != CLI_OK)
    return CLI_USAGE;
  if (password_file && (status = read_secret("--smtp-password-file", password_file, &password)) != CLI_OK)
    return status;
  if (token_file && (status = read_secret("--sms-token-file", token_file, &token)) != CLI_OK) {
    mc_buf_free(&password);
    return status;
  }
  cfg.smtp_password = password_file ? mc_buf_cstr(&password) : NULL;
  cfg.sms_token = token_file ? mc_buf_cstr(&token) : NULL;
  curl_global_init(CURL_GLOBAL_DEFAULT); /* once, before any transfer (not thread-safe lazily) */
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  if (eng_open(dir, NULL, &e, &why) != 0) {
    cli_error("deliver", "cannot open %s: %s", dir, mc_buf_cstr(&why) ? mc_buf_cstr(&why) : "");
    mc_buf_free(&why);
    status = CLI_FAILED;
  } else {
    delivery_stats st;
    int rc = delivery_run(e, &cfg, now, &st);
    eng_close(e);
    if (rc) {
      cli_error("deliver", "%s", mc_strerror(rc));
      status = CLI_FAILED;
    } else {
      printf("sent %d, failed %d, to retry %d, waiting %d\n", st.sent, st.failed, st.retried, st.skipped);
    }
  }
  mc_buf_free(&password);
  mc_buf_free(&token);
  return status;
}
