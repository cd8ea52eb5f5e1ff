/* config.c — see config.h. */
#include "api/config.h"
#include "api/proxy.h"

#include "base/error.h"
#include "engine/engine.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void srv_config_defaults(srv_config *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
  c->port = 8080;
  snprintf(c->data_dir, sizeof c->data_dir, "motcua-data");
  snprintf(c->user, sizeof c->user, "motcua");
  snprintf(c->web_dir, sizeof c->web_dir, "%s", MOTCUA_WEB_DIR);
  c->max_frame = 65536;
  c->max_body = 65536;
  c->max_connections = 10000;
  c->max_per_address = 2000;
  c->idle_seconds = 300;
  c->header_seconds = 10;
  c->hello_seconds = 30;
  c->max_queued = 4096;
  c->session_hours = 12;
  c->login_failures = 5;
  c->lock_minutes = 15;
  c->denials_per_minute = 10;
  c->max_submissions_per_hour = 30;
  c->max_submissions_per_hour_per_address = 200;
  c->max_status_lookups_per_minute = 60;
  c->max_batch = 1024;
  c->smtp_starttls = true;
  c->delivery_seconds = 30;
  snprintf(c->clamd_socket, sizeof c->clamd_socket, "/run/clamav/clamd.ctl");
  c->max_file_bytes = 25 << 20;
  c->max_files_per_document = 20;
  c->max_dossier_upload_bytes = 200 << 20;
  c->max_account_upload_bytes = 500 << 20;
  c->upload_expiry_hours = 72;
  c->download_link_minutes = 15;
}

typedef enum { K_TEXT, K_INT, K_BOOL, K_SECRET } kind;

typedef struct key {
  const char *name;
  kind k;
  size_t off, size;
  int min, max;
} key;

#define TEXT(n, f) {n, K_TEXT, offsetof(srv_config, f), sizeof((srv_config *)0)->f, 0, 0}
#define SECRET(n, f) {n, K_SECRET, offsetof(srv_config, f), sizeof((srv_config *)0)->f, 0, 0}
#define INT(n, f, lo, hi) {n, K_INT, offsetof(srv_config, f), sizeof(int), lo, hi}
#define BOOL(n, f) {n, K_BOOL, offsetof(srv_config, f), sizeof(bool), 0, 0}

static const key keys[] = {
    TEXT("data", data_dir),
    TEXT("admin_socket", admin_socket),
    TEXT("tls_cert", tls_cert),
    TEXT("tls_key", tls_key),
    TEXT("user", user),
    INT("max_frame", max_frame, 1024, 16 << 20),
    INT("max_body", max_body, 1024, 16 << 20),
    INT("max_connections", max_connections, 1, 19000),
    INT("max_per_address", max_per_address, 1, 19000),
    INT("idle_seconds", idle_seconds, 5, 86400),
    INT("header_seconds", header_seconds, 1, 600),
    INT("hello_seconds", hello_seconds, 1, 3600),
    INT("max_queued", max_queued, 16, 1 << 20),
    INT("session_hours", session_hours, 1, 24 * 30),
    INT("login_failures", login_failures, 1, 100),
    INT("lock_minutes", lock_minutes, 1, 24 * 60),
    INT("denials_per_minute", denials_per_minute, 0, 100000),
    INT("max_submissions_per_hour", max_submissions_per_hour, 1, 100000),
    INT("max_submissions_per_hour_per_address", max_submissions_per_hour_per_address, 1, 1000000),
    INT("max_status_lookups_per_minute", max_status_lookups_per_minute, 1, 100000000),
    INT("max_batch", max_batch, 1, 65536),
    TEXT("web_dir", web_dir),
    TEXT("public_url", public_url),
    TEXT("clamd_socket", clamd_socket),
    INT("max_file_bytes", max_file_bytes, 1024, 1 << 30),
    INT("max_files_per_document", max_files_per_document, 1, ENG_MAX_FILES),
    INT("max_dossier_upload_bytes", max_dossier_upload_bytes, 1024, 2047 << 20),
    INT("max_account_upload_bytes", max_account_upload_bytes, 1024, 2047 << 20),
    INT("upload_expiry_hours", upload_expiry_hours, 1, 24 * 365),
    INT("download_link_minutes", download_link_minutes, 1, 24 * 60),
    TEXT("trusted_proxies", trusted_proxies),
    TEXT("smtp_url", smtp_url),
    TEXT("smtp_user", smtp_user),
    SECRET("smtp_password_file", smtp_password),
    TEXT("mail_from", mail_from),
    TEXT("smtp_ca", smtp_ca),
    BOOL("smtp_starttls", smtp_starttls),
    TEXT("sms_url", sms_url),
    SECRET("sms_token_file", sms_token),
    INT("delivery_seconds", delivery_seconds, 1, 86400),
};

static char *trim(char *s) {
  while (isspace((unsigned char)*s))
    s++;
  char *e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1]))
    *--e = '\0';
  return s;
}

/* A secret from a file only its owner can read; the first line, trimmed. */
static int read_secret(const char *path, char *out, size_t size, mc_buf *why, const char *file, int line) {
  struct stat sb;
  if (stat(path, &sb) != 0) {
    mc_buf_printf(why, "%s:%d: cannot read the secret file %s: %s", file, line, path, strerror(errno));
    return mc_err_from_errno(errno);
  }
  if (sb.st_mode & 077) {
    mc_buf_printf(why, "%s:%d: the secret file %s can be read by others (mode %03o): chmod 600 %s", file, line, path,
                  (unsigned)(sb.st_mode & 0777), path);
    return MC_EACCES;
  }
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    mc_buf_printf(why, "%s:%d: cannot open %s: %s", file, line, path, strerror(errno));
    return mc_err_from_errno(errno);
  }
  char buf[1024] = "";
  if (fgets(buf, sizeof buf, f) == NULL)
    buf[0] = '\0';
  fclose(f);
  char *t = trim(buf);
  if (strlen(t) >= size) {
    mc_buf_printf(why, "%s:%d: the secret in %s is longer than %zu bytes", file, line, path, size - 1);
    return MC_ETOOBIG;
  }
  snprintf(out, size, "%s", t);
  memset(buf, 0, sizeof buf);
  return 0;
}

static int set_listen(srv_config *c, const char *v, mc_buf *why, const char *file, int line) {
  const char *colon = strrchr(v, ':');
  char *end;
  long port = colon ? strtol(colon + 1, &end, 10) : -1;
  if (colon == NULL || colon == v || colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535 ||
      (size_t)(colon - v) >= sizeof c->listen_host) {
    mc_buf_printf(why, "%s:%d: listen is HOST:PORT, e.g. 127.0.0.1:8080 (port 0: any free port), not \"%s\"", file,
                  line, v);
    return MC_EPARSE;
  }
  snprintf(c->listen_host, sizeof c->listen_host, "%.*s", (int)(colon - v), v);
  c->port = (int)port;
  return 0;
}

bool srv_config_url_valid(const char *url, char *why, size_t size) {
  const char *host = !strncmp(url, "https://", 8) ? url + 8 : !strncmp(url, "http://", 7) ? url + 7 : NULL;
  size_t n = strlen(url);
  if (host == NULL || *host == '\0' || *host == '/') {
    snprintf(why, size, "\"%.80s\" is not http:// or https:// and a host, such as https://dichvucong.bacninh.gov.vn", url);
    return false;
  }
  for (const char *p = url; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '"' || *p == '<' || *p == '>' || *p == '\\') {
      snprintf(why, size, "\"%.80s\" has a space, a query, a fragment or a quote: give the address alone", url);
      return false;
    }
  if (url[n - 1] == '/') {
    snprintf(why, size, "\"%.80s\" ends with a slash: leave it out (paths are added to it)", url);
    return false;
  }
  return true;
}

void srv_config_public_url(const srv_config *c, char *out, size_t size) {
  if (c->public_url[0])
    snprintf(out, size, "%s", c->public_url);
  else
    snprintf(out, size, "%s://%s:%d", c->tls_cert[0] ? "https" : "http", c->listen_host, c->port);
}

int srv_config_load(srv_config *c, const char *path, mc_buf *why) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    mc_buf_printf(why, "cannot open the configuration file %s: %s", path, strerror(errno));
    return mc_err_from_errno(errno);
  }
  char *raw = NULL;
  size_t cap = 0;
  int line = 0, rc = 0, tls_line = 0;
  while (rc == 0 && getline(&raw, &cap, f) >= 0) {
    line++;
    char *hash = strchr(raw, '#');
    if (hash)
      *hash = '\0';
    char *s = trim(raw);
    if (*s == '\0')
      continue;
    char *eq = strchr(s, '=');
    if (eq == NULL) {
      mc_buf_printf(why, "%s:%d: expected `key = value`, found \"%s\"", path, line, s);
      rc = MC_EPARSE;
      break;
    }
    *eq = '\0';
    char *name = trim(s), *value = trim(eq + 1);
    if (!strcmp(name, "tls_cert") || !strcmp(name, "tls_key"))
      tls_line = line;
    if (!strcmp(name, "listen")) {
      rc = set_listen(c, value, why, path, line);
      continue;
    }
    const key *k = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !k; i++)
      if (!strcmp(keys[i].name, name))
        k = &keys[i];
    if (k == NULL) {
      mc_buf_printf(why, "%s:%d: unknown key \"%s\" (docs/OPERATIONS.md lists them)", path, line, name);
      rc = MC_EPARSE;
      break;
    }
    char *field = (char *)c + k->off;
    switch (k->k) {
    case K_TEXT:
      if (strlen(value) >= k->size) {
        mc_buf_printf(why, "%s:%d: %s is longer than %zu bytes", path, line, name, k->size - 1);
        rc = MC_ETOOBIG;
      } else {
        snprintf(field, k->size, "%s", value);
      }
      break;
    case K_SECRET:
      rc = read_secret(value, field, k->size, why, path, line);
      break;
    case K_INT: {
      char *end;
      errno = 0;
      long v = strtol(value, &end, 10);
      if (errno || end == value || *end || v < k->min || v > k->max) {
        mc_buf_printf(why, "%s:%d: %s is a whole number from %d to %d, not \"%s\"", path, line, name, k->min, k->max,
                      value);
        rc = MC_EPARSE;
      } else {
        *(int *)(void *)field = (int)v;
      }
      break;
    }
    case K_BOOL:
      if (!strcmp(value, "yes") || !strcmp(value, "true"))
        *(bool *)(void *)field = true;
      else if (!strcmp(value, "no") || !strcmp(value, "false"))
        *(bool *)(void *)field = false;
      else {
        mc_buf_printf(why, "%s:%d: %s is yes or no, not \"%s\"", path, line, name, value);
        rc = MC_EPARSE;
      }
      break;
    }
  }
  free(raw);
  fclose(f);
  char bad[160];
  if (rc == 0 && !srv_proxy_list_valid(c->trusted_proxies, bad, sizeof bad)) {
    mc_buf_printf(why, "%s: trusted_proxies: %s", path, bad);
    rc = MC_EPARSE;
  }
  if (rc == 0 && c->public_url[0] && !srv_config_url_valid(c->public_url, bad, sizeof bad)) {
    mc_buf_printf(why, "%s: public_url: %s", path, bad);
    rc = MC_EPARSE;
  }
  if (rc == 0 && (c->tls_cert[0] != '\0') != (c->tls_key[0] != '\0')) {
    mc_buf_printf(why, "%s:%d: tls_cert and tls_key go together: give both (TLS) or neither (plain, loopback)", path,
                  tls_line);
    rc = MC_EPARSE;
  }
  return rc;
}

void srv_config_env(srv_config *c) {
  const char *v;
  if ((v = getenv("MOTCUA_SMTP_PASSWORD")) && strlen(v) < sizeof c->smtp_password)
    snprintf(c->smtp_password, sizeof c->smtp_password, "%s", v);
  if ((v = getenv("MOTCUA_SMS_TOKEN")) && strlen(v) < sizeof c->sms_token)
    snprintf(c->sms_token, sizeof c->sms_token, "%s", v);
}
