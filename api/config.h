/* config.h — motcuad's configuration file.
 *
 * One file of `key = value` lines (`#` starts a comment), documented with
 * every key and its default in docs/OPERATIONS.md and in the example
 * motcuad.conf.example.  Every key has a default that runs on loopback out of
 * the box.  Secrets are never written in it: a key ending in `_file` names a
 * file readable only by its owner (mode 0600 or stricter), and the
 * environment variables MOTCUA_SMTP_PASSWORD and MOTCUA_SMS_TOKEN override.
 */
#ifndef MOTCUA_API_CONFIG_H
#define MOTCUA_API_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct srv_config {
  char listen_host[64];        /* listen = 127.0.0.1:8080 */
  int port;
  char data_dir[1024];         /* data = ./motcua-data */
  char admin_socket[1100];     /* admin_socket = DATA/motcuad.sock */
  char tls_cert[1024], tls_key[1024]; /* both, or neither */
  char user[64];               /* user = motcua: the account to run as when started as root */
  int max_frame;               /* bytes of one WebSocket message: 65536 */
  int max_body;                /* bytes of an HTTP body: 65536 */
  int max_connections;         /* in all: 10000 */
  int max_per_address;         /* from one address: 2000 */
  int idle_seconds;            /* a connection with no traffic is closed after: 300 */
  int header_seconds;          /* a request's headers (and a body) arrive within: 10 */
  int hello_seconds;           /* a WebSocket says hello with its token within: 30 */
  int max_queued;              /* replies and pushes waiting for a slow client: 4096 */
  int session_hours;           /* 12 */
  int login_failures;          /* failed logins before a lock: 5 */
  int lock_minutes;            /* 15 */
  int denials_per_minute;      /* denials logged per connection and minute: 10 */
  int max_submissions_per_hour; /* online filings of one applicant account in an hour: 30 */
  int max_submissions_per_hour_per_address; /* from one address a trusted proxy named: 200 */
  int max_status_lookups_per_minute; /* public status lookups from one address: 60 */
  int max_batch;               /* commands per commit at most: 1024 */
  char web_dir[1024];          /* the web pages served (api/web of the source, or where they are installed) */
  char public_url[256];        /* where people reach motcua (https://dichvucong.example.vn): links in
                                  messages, QR codes, file links, gateways' return addresses are built
                                  on it; none: http://LISTEN */
  char trusted_proxies[512];   /* reverse proxies whose X-Forwarded-For / Forwarded
                                  name the client (api/proxy.h): none */
  /* Delivery of the outbox (office/delivery.h); empty: not sent. */
  char smtp_url[512], smtp_user[128], smtp_password[256], mail_from[256], smtp_ca[1024];
  bool smtp_starttls;
  char sms_url[512], sms_token[256];
  int delivery_seconds;        /* a pass at least this often: 30 */
  /* Uploads (api/uploads.h). */
  char clamd_socket[256];      /* clamd's local socket: /run/clamav/clamd.ctl (Debian's clamav-daemon) */
  int max_file_bytes;          /* one uploaded file: 25 MiB */
  int max_files_per_document;  /* files one document takes (a page each): 20 */
  int max_dossier_upload_bytes; /* a dossier's files together: 200 MiB */
  int max_account_upload_bytes; /* uploaded by one account in 24 hours: 500 MiB */
  int upload_expiry_hours;     /* an upload no dossier references is removed after: 72 */
  int download_link_minutes;   /* a download link works for: 15 */
} srv_config;

void srv_config_defaults(srv_config *c);

/* Reads `path` over the defaults.  On error returns MC_EPARSE (or the file's
 * error) with `why` saying the file, the line and what to write instead. */
int srv_config_load(srv_config *c, const char *path, mc_buf *why);

/* The environment's secrets over the file's. */
void srv_config_env(srv_config *c);

/* public_url is an http:// or https:// address with a host, no query,
 * fragment, space or trailing slash; `why` says what is wrong. */
bool srv_config_url_valid(const char *url, char *why, size_t size);
/* The address links are built on: public_url, else the one listened on. */
void srv_config_public_url(const srv_config *c, char *out, size_t size);

#endif
