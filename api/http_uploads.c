/* http_uploads.c — see http_uploads.h. */
#include "api/http_uploads.h"

#include "api/runtime.h"
#include "base/error.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The session's principal, or a response already made. */
static bool session(http_req *h, const char *token, principal *p) {
  if (srv_authenticate(h->s, token, p) != 0) {
    srv_http_error(h, 401, "unauthenticated", NULL, "the session is unknown, expired or revoked: log in again");
    return false;
  }
  if (p->must_change) {
    srv_http_error(h, 403, "password_change_required", NULL, "change the one-time password first (change_password)");
    return false;
  }
  return true;
}

static void respond_error(http_req *h, int status, json_t *error) {
  srv_http_respond(h, status, json_pack("{s:o}", "error", error));
}

static int status_of(const json_t *error) {
  const char *code = json_string_value(json_object_get(error, "code"));
  if (code && !strcmp(code, "too_large"))
    return 413;
  if (code && !strcmp(code, "bad_request"))
    return 400;
  return 503;
}

/* POST /api/uploads {"name", "size", "agency"}: a new upload. */
void srv_http_post_uploads(http_req *h, const char *rest, json_t *b, const char *token) {
  principal p;
  const char *name, *agency = NULL;
  (void)rest;
  if (!session(h, token, &p) || !srv_http_body_str(h, b, "name", true, 255, &name) ||
      !srv_http_body_str(h, b, "agency", false, 31, &agency))
    return;
  json_t *size = json_object_get(b, "size");
  if (!json_is_integer(size)) {
    srv_http_error(h, 400, "bad_request", "size", "\"size\" is the file's length in bytes, an integer");
    return;
  }
  for (const unsigned char *c = (const unsigned char *)name; *c; c++)
    if (*c < 0x20 || *c == 0x7f) {
      srv_http_error(h, 400, "bad_request", "name", "\"name\" is the file's name: no control characters");
      return;
    }
  upload_rec r;
  json_t *err;
  if (srv_upload_create(h->s, &p, name, json_integer_value(size), agency, &r, &err) != 0) {
    respond_error(h, status_of(err), err);
    return;
  }
  json_t *o = srv_upload_json(&r);
  char url[96];
  snprintf(url, sizeof url, "/api/uploads/%s", r.id);
  json_object_set_new(o, "url", json_string(url));
  json_object_set_new(o, "expires_at",
                      json_integer(r.created_at + (json_int_t)h->s->cfg.upload_expiry_hours * 3600 * 1000));
  srv_http_respond(h, 201, o);
}

/* ------------------------------------------------------------ the bytes */

static void resume(void *opaque) {
  http_req *h = opaque;
  lws_rx_flow_control(h->wsi, 1);
  lws_set_timeout(h->wsi, PENDING_TIMEOUT_HTTP_CONTENT, h->s->cfg.header_seconds);
}

static void done(void *opaque, int status, json_t *reply) {
  http_req *h = opaque;
  h->upload = NULL;
  if (!h->body_done)
    h->close = true; /* the rest of the body is not read */
  srv_http_respond(h, status, reply);
}

static const upload_stream_fns stream_fns = {resume, done};

/* POST /api/uploads/ID?offset=N with the bytes from N: at the headers. */
void srv_http_post_upload_bytes(http_req *h, const char *id, json_t *b, const char *token) {
  principal p;
  char arg[24];
  (void)b;
  if (!session(h, token, &p))
    return;
  const char *off = srv_http_arg(h->wsi, "offset=", arg, sizeof arg);
  char *end = NULL;
  long long offset = off ? strtoll(off, &end, 10) : -1;
  if (off == NULL || *end || offset < 0) {
    srv_http_error(h, 400, "bad_request", "offset",
                   "say where these bytes begin: POST /api/uploads/%s?offset=N (0 for the first; GET gives the offset)",
                   id);
    return;
  }
  if (h->content_length <= 0) {
    srv_http_error(h, 400, "bad_request", NULL, "send the file's bytes as the body, with Content-Length");
    return;
  }
  int status = 0;
  json_t *err = NULL;
  upload_stream *st = srv_upload_begin(h->s, &p, id, offset, h->content_length, &stream_fns, h, &status, &err);
  if (st == NULL) {
    respond_error(h, status, err);
    return;
  }
  h->upload = st;
}

void srv_http_upload_body(http_req *h, const void *in, size_t len) {
  /* A slow link is not dropped while bytes keep coming. */
  lws_set_timeout(h->wsi, PENDING_TIMEOUT_HTTP_CONTENT, h->s->cfg.header_seconds);
  if (!srv_upload_feed(h->upload, in, len))
    lws_rx_flow_control(h->wsi, 0); /* the pool is behind: until it catches up (resume) */
}

void srv_http_upload_body_end(http_req *h) {
  h->body_done = true;
  lws_set_timeout(h->wsi, NO_PENDING_TIMEOUT, 0);
  srv_upload_end(h->upload); /* answered by done() */
}

/* GET /api/uploads/ID: its state, offset, and receipt once whole. */
void srv_http_get_upload(http_req *h, const char *id, json_t *b, const char *token) {
  principal p;
  upload_rec r;
  (void)b;
  if (!session(h, token, &p))
    return;
  int rc = srv_upload_get(h->s, &p, id, &r);
  if (rc == MC_ENOENT)
    srv_http_error(h, 404, "not_found", NULL, "there is no upload %s of this account (it may have expired)", id);
  else if (rc)
    srv_http_error(h, 503, "unavailable", NULL, "the upload cannot be read now (%s)", mc_strerror(rc));
  else
    srv_http_respond(h, 200, srv_upload_json(&r));
}

/* ------------------------------------------------------------ downloads */

/* GET /api/files/SHA256?dossier=&account=&expires=&mac= — the link `file_link`
 * gave (docs/PROTOCOL.md): for that account, until it expires. */
void srv_http_get_file(http_req *h, const char *sha256, json_t *b, const char *token) {
  srv *s = h->s;
  char dossier[96], account[96], expires[48], mac[96]; /* each holds its "name=" too */
  uint8_t hash[32];
  (void)b, (void)token;
  const char *d = srv_http_arg(h->wsi, "dossier=", dossier, sizeof dossier),
             *a = srv_http_arg(h->wsi, "account=", account, sizeof account),
             *e = srv_http_arg(h->wsi, "expires=", expires, sizeof expires),
             *m = srv_http_arg(h->wsi, "mac=", mac, sizeof mac);
  if (strlen(sha256) != 64 || mc_unhex(sha256, hash, 32) != 0 || !d || !a || !e || !m ||
      srv_upload_link_check(s, sha256, d, a, atoll(e), m) != 0) {
    srv_http_error(h, 403, "forbidden", NULL,
                   "this link is not valid or has expired: open the dossier again for a new one (file_link)");
    return;
  }
  char path[1200];
  struct stat st;
  files_store_path(&s->uploads.fs, hash, path, sizeof path);
  if (stat(path, &st) != 0) {
    mc_log(MC_LOG_ERROR, "uploads", "file %s of dossier %s is missing from %s/sha256: restore it from the backup",
           sha256, d, s->uploads.fs.dir);
    srv_http_error(h, 500, "unavailable", NULL, "the file is missing on the server: the operator has been told");
    return;
  }
  /* Who downloaded what, beside who opened what (outside the legal chain). */
  principal p = {0};
  eng_account_get(s->e, a, &p.acct);
  snprintf(p.acct.id, sizeof p.acct.id, "%s", a);
  eng_applicant_view whose = {0};
  srv_reads_note_file(s, &p, d, &whose, sha256, h->addr);
  s->uploads.downloads++;
  upload_rec r;
  const char *mime = "application/octet-stream", *ext = "bin";
  if (srv_upload_of_hash(s, sha256, &r) == 0) {
    static const struct { const char *type, *mime, *ext; } types[] = {
        {"pdf", "application/pdf", "pdf"}, {"jpeg", "image/jpeg", "jpg"}, {"png", "image/png", "png"},
        {"cms", "application/pkcs7-mime", "p7m"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      if (!strcmp(r.type, types[i].type))
        mime = types[i].mime, ext = types[i].ext;
  }
  char headers[1024];
  int n = srv_http_security_lines(h, headers, sizeof headers);
  if (n > 0)
    n += snprintf(headers + n, sizeof headers - (size_t)n, "content-disposition: inline; filename=\"%.16s.%s\"\r\n",
                  sha256, ext);
  if (n <= 0 || n >= (int)sizeof headers) {
    srv_http_error(h, 500, "unavailable", NULL, "the response's headers do not fit");
    return;
  }
  s->m.http_by_class[2]++;
  h->served_file = true;
  h->serve_rc = lws_serve_http_file(h->wsi, path, mime, headers, n);
}
