/* http_req.c — see http_req.h. */
#include "api/http_req.h"

#include "api/runtime.h"
#include "api/wire.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ responses */

void srv_http_respond(http_req *h, int status, json_t *body) {
  h->status = status;
  h->out.len = 0;
  h->content_type = "application/json";
  if (body) {
    srv_wire_encode(body, false, &h->out);
    json_decref(body);
  }
  h->responded = true;
  int cls = status / 100;
  h->s->m.http_by_class[cls >= 1 && cls <= 5 ? cls : 0]++;
  if (h->wsi && !h->hold)
    lws_callback_on_writable(h->wsi);
}

void srv_http_error(http_req *h, int status, const char *code, const char *field, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  srv_http_respond(h, status, json_pack("{s:o}", "error", srv_error(code, msg, field)));
}

/* ------------------------------------------------------------ security headers */

/* The headers a response carries for the browser's safety, by what the
 * route serves: motcuad's own, not libwebsockets' fixed set.  The default is
 * the strictest — the API answers JSON that no page may frame, run, embed
 * or submit to, cached nowhere.  A route that needs another set names it in
 * its row of the route table (api/http.c), and the set is a line here: the
 * pages (scripts and styles of our own origin, the WebSocket), the file
 * viewer (framed by our own pages only), the return from a payment gateway
 * (a form posted from the gateway's origin) each come with the route that
 * needs them (docs/PROTOCOL.md "HTTP"). */
static const struct {
  const char *cache, *csp, *frame_options, *resource_policy;
} header_sets[HEADERS_COUNT] = {
    [HEADERS_API] = {"no-store", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                     "DENY", "same-origin"},
    /* A file of a dossier: shown in our own pages (a frame of ours), never run. */
    [HEADERS_FILE] = {"private, no-store", "default-src 'none'; frame-ancestors 'self'; sandbox", "SAMEORIGIN",
                      "same-origin"},
    /* The pages: scripts, styles and images of our own origin only (no inline
     * script), the WebSocket of our own origin, frames of our own (the file
     * viewer); cached, and checked again by ETag. */
    [HEADERS_PAGE] = {"no-cache",
                      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                      "connect-src 'self'; frame-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
                      "base-uri 'none'; form-action 'self'",
                      "DENY", "same-origin"},
};

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p, unsigned char *end) {
  return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value, (int)strlen(value),
                                     p, end);
}

static int add_security_headers(http_req *h, unsigned char **p, unsigned char *end) {
  http_headers k = h->route ? h->route->headers : HEADERS_API;
  struct lws *wsi = h->wsi;
  /* Every set: no guessing of types, no address sent on. */
  if (add_header(wsi, "cache-control:", header_sets[k].cache, p, end) ||
      add_header(wsi, "content-security-policy:", header_sets[k].csp, p, end) ||
      add_header(wsi, "cross-origin-resource-policy:", header_sets[k].resource_policy, p, end) ||
      add_header(wsi, "referrer-policy:", "no-referrer", p, end) ||
      add_header(wsi, "x-content-type-options:", "nosniff", p, end) ||
      add_header(wsi, "x-frame-options:", header_sets[k].frame_options, p, end))
    return -1;
  /* Over TLS, browsers keep to it for a year. */
  if (h->s->cfg.tls_cert[0] && add_header(wsi, "strict-transport-security:", "max-age=31536000", p, end))
    return -1;
  return 0;
}

int srv_http_security_lines(http_req *h, char *out, size_t size) {
  http_headers k = h->route ? h->route->headers : HEADERS_API;
  int n = snprintf(out, size,
                   "cache-control: %s\r\ncontent-security-policy: %s\r\ncross-origin-resource-policy: %s\r\n"
                   "referrer-policy: no-referrer\r\nx-content-type-options: nosniff\r\nx-frame-options: %s\r\n%s",
                   header_sets[k].cache, header_sets[k].csp, header_sets[k].resource_policy, header_sets[k].frame_options,
                   h->s->cfg.tls_cert[0] ? "strict-transport-security: max-age=31536000\r\n" : "");
  return n < (int)size ? n : -1;
}

int srv_http_write(http_req *h) {
  struct lws *wsi = h->wsi;
  unsigned char hdr[LWS_PRE + 2048], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
  if (h->head)
    h->out.len = 0; /* HEAD: the headers alone */
  if (lws_add_http_common_headers(wsi, (unsigned)h->status, h->content_type, (lws_filepos_t)h->out.len, &p, end))
    return -1;
  if (add_security_headers(h, &p, end))
    return -1;
  if (h->close && add_header(wsi, "connection:", "close", &p, end))
    return -1;
  if (h->etag && (add_header(wsi, "etag:", h->etag, &p, end) || add_header(wsi, "vary:", "accept-encoding", &p, end)))
    return -1;
  if (h->gzipped && add_header(wsi, "content-encoding:", "gzip", &p, end))
    return -1;
  if (h->status == 405 && add_header(wsi, "allow:", h->allow ? h->allow : "GET, POST", &p, end))
    return -1;
  if (h->retry_after_s > 0) {
    char v[24];
    int n = snprintf(v, sizeof v, "%lld", (long long)h->retry_after_s);
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:", (unsigned char *)v, n, &p, end))
      return -1;
  }
  if (lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  if (h->out.len) {
    unsigned char *buf = malloc(LWS_PRE + h->out.len);
    if (buf == NULL)
      return -1;
    memcpy(buf + LWS_PRE, h->out.data, h->out.len);
    int n = lws_write(wsi, buf + LWS_PRE, h->out.len, LWS_WRITE_HTTP_FINAL);
    free(buf);
    if (n < (int)h->out.len)
      return -1;
  }
  if (h->close)
    return -1; /* what follows on this connection is not read */
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ------------------------------------------------------------ helpers */

const char *srv_http_arg(struct lws *wsi, const char *name, char *buf, int len) {
  const char *v = lws_get_urlarg_by_name(wsi, name, buf, len);
  return v && *v ? v : NULL;
}

bool srv_http_body_str(http_req *h, json_t *b, const char *key, bool required, size_t max, const char **out) {
  json_t *v = json_object_get(b, key);
  *out = NULL;
  if (v == NULL || json_is_null(v)) {
    if (required)
      srv_http_error(h, 400, "bad_request", key, "\"%s\" is missing", key);
    return !required;
  }
  if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max) {
    srv_http_error(h, 400, "bad_request", key, "\"%s\" is a text of 1 to %zu bytes", key, max);
    return false;
  }
  *out = json_string_value(v);
  return true;
}

/* ------------------------------------------------------------ jobs answering HTTP */

http_req *srv_http_owner(job *j) { return j->owner; }

void srv_http_detach(job *j) {
  http_req *h = srv_http_owner(j);
  if (h)
    h->pending = NULL;
}

job *srv_http_job(http_req *h, const char *op) {
  job *j = srv_job_new(h->s, NULL, h, op) /* the request lets go itself: srv_http_free */;
  if (j == NULL) {
    srv_http_error(h, 503, "unavailable", NULL, "out of memory");
    return NULL;
  }
  h->pending = j;
  return j;
}

/* A dummy hash to verify against when the account has none: a wrong id
 * takes as long as a wrong password. */
void srv_http_free(http_req *h) {
  if (h->pending)
    h->pending->owner = NULL;
  if (h->upload)
    srv_upload_abandon(h->upload);
  if (h->body.data)
    sodium_memzero(h->body.data, h->body.len);
  mc_buf_free(&h->body);
  mc_buf_free(&h->out);
  free(h);
}
