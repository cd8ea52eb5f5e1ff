/* http.c — the HTTP front end of motcuad (docs/PROTOCOL.md "HTTP"): the
 * route table (every resource, who may call it, the body it takes and the
 * security headers it answers with), the public routes (the catalogue, the
 * status lookup, health and metrics) and lws's HTTP callbacks.  The account
 * flows are api/http_accounts.c's; a request and its response are
 * api/http_req.c's. */
#include "api/http_accounts.h"
#include "api/http_uploads.h"
#include "api/http_req.h"
#include "api/runtime.h"

#include "api/wire.h"
#include "drawing/graph.h"
#include "dsl/states.h"
#include "base/error.h"
#include "base/log.h"

#include <ctype.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static json_t *body_json(http_req *h) {
  char why[300];
  if (h->body.len == 0) {
    srv_http_error(h, 400, "bad_request", NULL, "the request needs a JSON body (Content-Type: application/json)");
    return NULL;
  }
  json_t *v = srv_wire_decode(h->body.data, h->body.len, false, why, sizeof why);
  if (v == NULL)
    srv_http_error(h, 400, "bad_request", NULL, "%s", why);
  return v;
}

static bool bearer(http_req *h, char *token, size_t size) {
  char auth[160] = "";
  if (lws_hdr_copy(h->wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) <= 7 || strncmp(auth, "Bearer ", 7)) {
    srv_http_error(h, 401, "unauthenticated", NULL, "send the session's token: Authorization: Bearer TOKEN");
    return false;
  }
  snprintf(token, size, "%s", auth + 7);
  return true;
}

/* ------------------------------------------------------------ public */

/* The QR code of `text` as an SVG image (a path of its dark modules, four
 * modules of quiet zone): what the receipt prints for the public lookup. */
static int qr_svg(const char *text, mc_buf *out) {
  QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (q == NULL)
    return MC_ENOMEM;
  int n = q->width, size = n + 8;
  mc_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
                "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", size, size, size, size);
  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      if (q->data[y * n + x] & 1)
        mc_buf_printf(out, "M%d %dh1v1h-1z", x + 4, y + 4);
  mc_buf_printf(out, "\"/></svg>");
  QRcode_free(q);
  return 0;
}

static void get_status(http_req *h, const char *code_path, json_t *body, const char *token) {
  (void)body, (void)token;
  /* CODE, or CODE/qr.svg: the QR code of the lookup (the receipt prints it). */
  char code[96];
  snprintf(code, sizeof code, "%s", code_path);
  char *slash = strchr(code, '/');
  bool qr = slash && !strcmp(slash, "/qr.svg");
  if (slash)
    *slash = '\0';
  /* Per address: with codes in sequence, a day's dossiers must not be walked. */
  char key[96];
  int64_t wait = 0;
  snprintf(key, sizeof key, "q/%s", h->addr);
  if (!srv_throttle_take(&h->s->throttle, key, h->s->cfg.max_status_lookups_per_minute, 60000, srv_now(h->s), &wait)) {
    h->retry_after_s = wait / 1000 + 1;
    json_t *e = srv_error("throttled", "too many status lookups from this address: try again in a minute", NULL);
    json_object_set_new(e, "message_vi", json_string("Tra cứu quá nhiều lần từ địa chỉ này: vui lòng thử lại sau một phút."));
    json_object_set_new(e, "retry_after_ms", json_integer(wait));
    srv_http_respond(h, 429, json_pack("{s:o}", "error", e));
    return;
  }
  eng_dossier_view d;
  char secret[ENG_SECRET_LEN + 1] = "", given[32];
  int rc = eng_dossier_get(h->s->e, code, &d);
  if (rc == 0)
    rc = eng_dossier_secret(h->s->e, code, secret, sizeof secret);
  /* The code and the secret printed on the receipt, or nothing: a wrong
   * secret is answered as an unknown code (a dossier filed before secrets
   * is found by its code alone). */
  const char *asked = srv_http_arg(h->wsi, "secret=", given, sizeof given);
  bool match = secret[0] == '\0' || (asked && strlen(asked) == strlen(secret) &&
                                      sodium_memcmp(asked, secret, strlen(secret)) == 0);
  if (rc == MC_ENOENT || (rc == 0 && !match)) {
    srv_http_error(h, 404, "not_found", "secret",
                   "there is no dossier %s with this secret: give the code and the secret printed on the receipt "
                   "(/api/status/H13.X01-261125-0001?secret=7KQ2M9XD)", code);
    return;
  }
  if (rc) {
    srv_http_error(h, 503, "unavailable", NULL, "the dossier cannot be read now (%s)", mc_strerror(rc));
    return;
  }
  if (qr) {
    char base[256], url[512];
    srv_config_public_url(&h->s->cfg, base, sizeof base);
    /* The lookup page, which asks the API: a phone that scans it shows a page, not JSON. */
    snprintf(url, sizeof url, "%s/lookup.html?code=%s&secret=%s", base, code, asked ? asked : "");
    h->out.len = 0;
    if (qr_svg(url, &h->out) != 0) {
      srv_http_error(h, 503, "unavailable", NULL, "the QR code cannot be made now");
      return;
    }
    h->status = 200;
    h->content_type = "image/svg+xml";
    h->responded = true;
    h->s->m.http_by_class[2]++;
    lws_callback_on_writable(h->wsi);
    return;
  }
  const char *name = srv_catalogue_name(h->s->cat, d.procedure);
  dsl_state st = dsl_state_parse(d.state);
  srv_http_respond(h, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s}", "code", d.code, "procedure",
                                     d.procedure, "procedure_name", name ? name : "", "state", d.state, "state_label",
                                     st == DSL_STATE_UNKNOWN ? d.state : dsl_state_label(st), "appointment_at",
                                     (json_int_t)d.appointment_at, "finished", d.finished_at != 0, "agency", d.agency));
}

static void get_catalogue(http_req *h, const char *rest, json_t *body, const char *token) {
  (void)rest, (void)body, (void)token;
  char q[512], sector[128], field[128], level[64], online[32], agency[64];
  catalogue_query cq = {
      .q = srv_http_arg(h->wsi, "q=", q, sizeof q),
      .sector = srv_http_arg(h->wsi, "sector=", sector, sizeof sector),
      .field = srv_http_arg(h->wsi, "field=", field, sizeof field),
      .level = srv_http_arg(h->wsi, "level=", level, sizeof level),
      .online = srv_http_arg(h->wsi, "online=", online, sizeof online),
      .agency = srv_http_arg(h->wsi, "agency=", agency, sizeof agency),
  };
  srv_http_respond(h, 200, srv_catalogue_search(h->s->cat, &cq));
}

/* The agency directory: public, for the catalogue's filter and where to go. */
static void get_agencies(http_req *h, const char *rest, json_t *body, const char *token) {
  (void)rest, (void)body, (void)token;
  const json_t *agencies = srv_catalogue_agencies(h->s->cat);
  json_t *list = agencies ? json_deep_copy(agencies) : json_array();
  srv_http_respond(h, 200, json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(list), "agencies", list));
}

static void get_healthz(http_req *h, const char *rest, json_t *body, const char *token) {
  srv *s = h->s;
  (void)rest, (void)body, (void)token;
  eng_writer_stats st;
  eng_writer_stats_get(s->w, &st);
  /* The state now: failing while the last commit failed, ok again once one succeeds. */
  bool ok = !s->stopping && st.failing == 0;
  json_t *health = json_pack("{s:s, s:I}", "status", ok ? "ok" : s->stopping ? "stopping" : "failing", "seq",
                             (json_int_t)s->pushed_seq);
  if (st.failing && !s->stopping)
    json_object_set_new(health, "error", json_string(mc_strerror(st.failing)));
  /* The malware scanner: down, uploads are held (and the operator must know). */
  const srv_uploads *u = &s->uploads;
  json_t *up = json_pack("{s:s, s:i}", "scanner", !u->open ? "no_files_directory" : u->scanner == 1 ? "ok"
                                                  : u->scanner == 0 ? "unavailable" : "not_asked_yet",
                         "held", u->held);
  if (u->scanner == 0)
    json_object_set_new(up, "why", json_string(u->scanner_why));
  if (u->scanner_version[0])
    json_object_set_new(up, "version", json_string(u->scanner_version));
  json_object_set_new(health, "uploads", up);
  srv_http_respond(h, ok ? 200 : 503, health);
}

static void get_metrics(http_req *h, const char *rest, json_t *body, const char *token) {
  (void)rest, (void)body, (void)token;
  h->status = 200;
  h->out.len = 0;
  srv_metrics_render(h->s, &h->out);
  h->content_type = "text/plain; version=0.0.4";
  h->responded = true;
  h->s->m.http_by_class[2]++;
  lws_callback_on_writable(h->wsi);
}

static void respond_svg(http_req *h, const mc_buf *svg) {
  h->status = 200;
  h->out.len = 0;
  mc_buf_append(&h->out, svg->data, svg->len);
  h->content_type = "image/svg+xml";
  h->responded = true;
  h->s->m.http_by_class[2]++;
  lws_callback_on_writable(h->wsi);
}

/* A procedure's drawing is made by Graphviz in the pool (a child process,
 * 50-300 ms), once per version: kept in the catalogue after. */
typedef struct drawing_job {
  char code[32];
  mc_buf machine, svg;
  char why[256];
  graph_agency *agencies; /* the directory's names, copied for the pool */
  int nagencies;
} drawing_job;

/* The directory's agencies by name, copied from the catalogue (the loop's)
 * for the drawing made in the pool. */
static void drawing_names(drawing_job *d, const json_t *directory) {
  size_t n = json_array_size(directory), i;
  const json_t *a;
  d->agencies = calloc(n + 1, sizeof *d->agencies);
  if (d->agencies == NULL)
    return;
  json_array_foreach(directory, i, a) {
    const char *code = json_string_value(json_object_get(a, "code")), *name = json_string_value(json_object_get(a, "name"));
    if (code && name)
      d->agencies[d->nagencies++] = (graph_agency){strdup(code), strdup(name)};
  }
}

static void drawing_free(drawing_job *d) {
  for (int i = 0; i < d->nagencies; i++)
    free((char *)d->agencies[i].code), free((char *)d->agencies[i].name);
  free(d->agencies);
  mc_buf_free(&d->machine);
  mc_buf_free(&d->svg);
  free(d);
}

static void drawing_work(job *j) {
  drawing_job *d = j->ctx;
  mc_arena arena = MC_ARENA_INIT;
  dsl_machine *m;
  graph *g;
  j->status = dsl_machine_decode(d->machine.data, d->machine.len, &arena, &m);
  if (j->status == 0)
    j->status = graph_build(m, d->agencies, d->nagencies, &arena, &g);
  if (j->status == 0)
    j->status = graph_write_svg(g, &d->svg, d->why, sizeof d->why);
  else
    snprintf(d->why, sizeof d->why, "%s", mc_strerror(j->status));
  mc_arena_free(&arena);
}

static void drawing_finish(job *j) {
  drawing_job *d = j->ctx;
  http_req *h = srv_http_owner(j);
  if (j->status == 0)
    srv_catalogue_drawing_keep(j->s->cat, d->code, &d->machine, &d->svg);
  else
    mc_log(MC_LOG_ERROR, "http", "the drawing of %s cannot be made: %s", d->code, d->why);
  if (h && j->status == 0)
    respond_svg(h, &d->svg);
  else if (h)
    srv_http_error(h, 503, "unavailable", NULL, "the drawing of %s cannot be made now (%s)", d->code, d->why);
  srv_http_detach(j);
  drawing_free(d);
  j->ctx = NULL;
  srv_job_free(j);
}

static void get_drawing(http_req *h, const char *code) {
  drawing_job *d = calloc(1, sizeof *d);
  if (d == NULL) {
    srv_http_error(h, 503, "unavailable", NULL, "out of memory");
    return;
  }
  const mc_buf *svg = srv_catalogue_drawing(h->s->cat, code, &d->machine);
  if (svg == NULL || svg != &d->machine) {
    if (svg)
      respond_svg(h, svg);
    else
      srv_http_error(h, 404, "not_found", NULL, "no procedure %s can be filed now (GET /api/catalogue lists them)", code);
    mc_buf_free(&d->machine);
    free(d);
    return;
  }
  snprintf(d->code, sizeof d->code, "%s", code);
  drawing_names(d, srv_catalogue_agencies(h->s->cat));
  job *j = srv_http_job(h, "drawing");
  if (j == NULL) {
    drawing_free(d);
    return;
  }
  j->ctx = d;
  j->work = drawing_work;
  j->finish = drawing_finish;
  srv_job_start(j);
}

static void get_procedure(http_req *h, const char *rest, json_t *body, const char *token) {
  (void)body, (void)token;
  /* CODE, or CODE/graph.svg: the process drawn. */
  const char *slash = strchr(rest, '/');
  if (slash && !strcmp(slash, "/graph.svg")) {
    char code[32];
    snprintf(code, sizeof code, "%.*s", (int)(slash - rest), rest);
    get_drawing(h, code);
    return;
  }
  json_t *page = srv_catalogue_page(h->s->cat, rest);
  if (page) {
    /* Where to go: each agency's name, address, contacts and office hours. */
    json_t *where = json_array(), *a;
    const json_t *directory = srv_catalogue_agencies(h->s->cat);
    size_t i, k;
    json_t *code;
    json_array_foreach(json_object_get(page, "agencies"), i, code) {
      json_array_foreach(directory, k, a) {
        if (json_equal(json_object_get(a, "code"), code))
          json_array_append(where, a);
      }
    }
    json_object_set_new(page, "agency_details", where);
    srv_http_respond(h, 200, page);
  }
  else
    srv_http_error(h, 404, "not_found", NULL, "no procedure %s can be filed now (GET /api/catalogue lists them)", rest);
}

/* A page or one of its files (api/pages.h): by ETag, 304 when the browser
 * has it; gzipped when the browser takes it and it pays. */
static void get_page(http_req *h, const char *rest, json_t *body, const char *token) {
  (void)rest, (void)body, (void)token;
  const page_file *f = strncmp(h->path, "/api/", 5) ? srv_page_find(&h->s->pages, h->path) : NULL;
  if (f == NULL) {
    h->route = NULL; /* the API's strict headers */
    srv_http_error(h, 404, "not_found", NULL, "no such resource %s (docs/PROTOCOL.md lists them)", h->path);
    return;
  }
  char have[64] = "", enc[256] = "";
  h->etag = f->etag;
  if (lws_hdr_copy(h->wsi, have, sizeof have, WSI_TOKEN_HTTP_IF_NONE_MATCH) > 0 && !strcmp(have, f->etag)) {
    h->status = 304;
    h->out.len = 0;
    h->content_type = f->type;
    h->responded = true;
    h->s->m.http_by_class[3]++;
    lws_callback_on_writable(h->wsi);
    return;
  }
  bool gz = f->gz.len && lws_hdr_copy(h->wsi, enc, sizeof enc, WSI_TOKEN_HTTP_ACCEPT_ENCODING) > 0 &&
            strstr(enc, "gzip") != NULL;
  const mc_buf *b = gz ? &f->gz : &f->body;
  h->status = 200;
  h->out.len = 0;
  mc_buf_append(&h->out, b->data, b->len);
  h->content_type = f->type;
  h->gzipped = gz;
  h->responded = true;
  h->s->m.http_by_class[2]++;
  lws_callback_on_writable(h->wsi);
}

/* ------------------------------------------------------------ routes */

/* Every HTTP resource of docs/PROTOCOL.md "HTTP": who may call it, what body
 * it takes (and a JSON body's fields: any other is refused, naming it — a
 * typo must not pass silently) and which security headers it answers with. */
static const http_route routes[] = {
    {"GET", "/healthz", WHO_ANYONE, BODY_NONE, NULL, HEADERS_API, get_healthz},
    {"GET", "/metrics", WHO_ANYONE, BODY_NONE, NULL, HEADERS_API, get_metrics},
    {"GET", "/api/catalogue", WHO_ANYONE, BODY_NONE, NULL, HEADERS_API, get_catalogue},
    {"GET", "/api/agencies", WHO_ANYONE, BODY_NONE, NULL, HEADERS_API, get_agencies},
    {"GET", "/api/procedures/", WHO_ANYONE, BODY_NONE, NULL, HEADERS_API, get_procedure},
    {"GET", "/api/status/", WHO_ANYONE, BODY_NONE, NULL, HEADERS_API, get_status},
    {"POST", "/api/login", WHO_ANYONE, BODY_JSON, "id,password", HEADERS_API, srv_http_post_login},
    {"POST", "/api/logout", WHO_SESSION, BODY_NONE, NULL, HEADERS_API, srv_http_post_logout},
    {"POST", "/api/register", WHO_ANYONE, BODY_JSON, "kind,id,name,email,phone,password", HEADERS_API,
     srv_http_post_register},
    {"POST", "/api/verify", WHO_ANYONE, BODY_JSON, "id,code", HEADERS_API, srv_http_post_verify},
    {"POST", "/api/password/reset", WHO_ANYONE, BODY_JSON, "id", HEADERS_API, srv_http_post_reset},
    {"POST", "/api/password/reset/confirm", WHO_ANYONE, BODY_JSON, "id,code,password", HEADERS_API,
     srv_http_post_reset_confirm},
    {"POST", "/api/uploads", WHO_SESSION, BODY_JSON, "name,size,agency", HEADERS_API, srv_http_post_uploads},
    {"POST", "/api/uploads/", WHO_SESSION, BODY_STREAM, NULL, HEADERS_API, srv_http_post_upload_bytes},
    {"GET", "/api/uploads/", WHO_SESSION, BODY_NONE, NULL, HEADERS_API, srv_http_get_upload},
    {"GET", "/api/files/", WHO_ANYONE, BODY_NONE, NULL, HEADERS_FILE, srv_http_get_file},
    /* Last: every other path is a page or one of its files (api/web). */
    {"GET", "/", WHO_ANYONE, BODY_NONE, NULL, HEADERS_PAGE, get_page},
};

/* The route of a request, and the name after a prefix route's path. */
static const http_route *route_of(const char *method, const char *path, const char **name) {
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    const http_route *r = &routes[i];
    size_t n = strlen(r->path);
    if (strcmp(r->method, method) || (!strcmp(r->path, "/") && !strncmp(path, "/api/", 5)))
      continue; /* (the pages are never the API's paths) */
    if (r->path[n - 1] == '/' ? !strncmp(path, r->path, n) && (path[n] || n == 1) : !strcmp(path, r->path)) {
      *name = path + (r->path[n - 1] == '/' ? n : strlen(path));
      return r;
    }
  }
  return NULL;
}

static void handle(http_req *h) {
  const char *name = "";
  char token[160] = "";
  json_t *b = NULL;
  if (h->post && h->too_big && !(h->route && h->route->body == BODY_STREAM)) {
    srv_http_error(h, 413, "too_large", NULL, "the body is longer than %d bytes (max_body)", h->s->cfg.max_body);
    return;
  }
  if (h->post && h->s->stopping) {
    srv_http_error(h, 503, "unavailable", NULL, "the server is stopping: try again in a moment");
    return;
  }
  const http_route *r = route_of(h->post ? "POST" : "GET", h->path, &name);
  const http_route *other = r ? NULL : route_of(h->post ? "GET" : "POST", h->path, &name);
  if (other && strcmp(other->path, "/")) { /* (the pages take every other path: not a 405) */
    h->allow = h->post ? "GET" : "POST";
    srv_http_error(h, 405, "bad_request", NULL, "%s takes %s only", h->path, h->allow);
    return;
  }
  if (r == NULL) {
    srv_http_error(h, 404, "not_found", NULL, "no such resource %s (docs/PROTOCOL.md lists them)", h->path);
    return;
  }
  h->route = r;
  if (r->who == WHO_SESSION && !bearer(h, token, sizeof token))
    return;
  if (r->body == BODY_JSON) {
    char ctype[64] = "";
    if (lws_hdr_copy(h->wsi, ctype, sizeof ctype, WSI_TOKEN_HTTP_CONTENT_TYPE) <= 0 ||
        strncasecmp(ctype, "application/json", 16) != 0) {
      srv_http_error(h, 415, "bad_request", NULL, "the body is JSON: send Content-Type: application/json");
      return;
    }
    if ((b = body_json(h)) == NULL)
      return;
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
      if (!srv_wire_field_in(r->fields, k)) {
        char list[200] = "";
        for (const char *c = r->fields; *c && strlen(list) + 3 < sizeof list; c++)
          strncat(list, *c == ',' ? ", " : (char[2]){*c, 0}, sizeof list - strlen(list) - 1);
        srv_http_error(h, 400, "bad_request", k, "unknown field \"%s\": %s", k, list);
        break;
      }
    }
  }
  if (!h->responded)
    r->handle(h, name, b, token);
  sodium_memzero(token, sizeof token);
  /* The body held passwords: wiped before it is freed. */
  if (h->body.data)
    sodium_memzero(h->body.data, h->body.len);
  json_t *pw = json_object_get(b, "password");
  if (pw && json_is_string(pw))
    sodium_memzero((void *)json_string_value(pw), json_string_length(pw));
  json_decref(b);
}

/* ------------------------------------------------------------ the lws side */


/* What a proxy in front and motcuad could read differently — a request
 * smuggled inside another — is refused whole, and its connection closed:
 * no Host; a body framed by Transfer-Encoding (chunked bodies are not
 * taken); two Content-Length headers, or one that is not a number. */
static const char *request_fault(struct lws *wsi) {
  char v[24];
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HOST) <= 0)
    return "the request has no Host header";
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
    return "Transfer-Encoding is not accepted: send the body with one Content-Length";
  int n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
  if (n <= 0)
    return NULL;
  if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, 1) > 0)
    return "the request has two Content-Length headers";
  if (n >= (int)sizeof v || lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP_CONTENT_LENGTH) < 0)
    return "Content-Length is too long";
  for (const char *c = v; *c; c++)
    if (*c < '0' || *c > '9')
      return "Content-Length is a number of bytes";
  return NULL;
}

static int callback(srv *s, struct lws *wsi, enum lws_callback_reasons reason, void **pss, void *in, size_t len) {
  http_req *h = *pss;
  switch (reason) {
  case LWS_CALLBACK_HTTP: {
    const char *fault;
    if (h)
      srv_http_free(h);
    h = calloc(1, sizeof *h);
    if (h == NULL)
      return -1;
    *pss = h;
    h->s = s;
    h->wsi = wsi;
    snprintf(h->path, sizeof h->path, "%s", (const char *)in);
    srv_client_addr(s, wsi, h->addr, sizeof h->addr);
    h->post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
    if ((fault = request_fault(wsi)) != NULL) {
      h->close = true;
      srv_http_error(h, 400, "bad_request", NULL, "%s", fault);
      return 0;
    }
    if (!h->post && lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0) {
      h->head = lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
      srv_http_error(h, 405, "bad_request", NULL, "only GET and POST are served");
      return 0;
    }
    if (!h->post) {
      lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0); /* the headers are in (api/sockets.h) */
      handle(h);
      if (h->served_file) { /* lws sends it, and ends the transaction */
        int rc = h->serve_rc;
        srv_http_free(h);
        *pss = NULL;
        return rc < 0 ? -1 : 0;
      }
      return 0;
    }
    char clen[24] = "";
    /* The headers are in: now the body, within the same deadline (api/sockets.h). */
    lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, s->cfg.header_seconds);
    if (lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
      h->content_length = atoll(clen);
    const char *rest;
    const http_route *r = route_of("POST", h->path, &rest);
    if (r && r->body == BODY_STREAM) {
      /* At the headers: its bytes are fed as they come (h->upload).  A
       * refusal is answered once the body is read and dropped, so that the
       * client, still sending, reads it — unless the body is beyond any
       * upload's size: then at once, and the connection closed. */
      h->hold = h->content_length > 0 && h->content_length <= s->cfg.max_file_bytes;
      handle(h);
      if (h->upload == NULL && !h->hold)
        h->close = true;
      else if (h->upload)
        h->hold = false;
      return 0;
    }
    if (h->content_length == 0) {
      handle(h); /* no body: lws sends no body callbacks */
      return 0;
    }
    if (atol(clen) > s->cfg.max_body) {
      h->too_big = true;
      handle(h);
    }
    return 0;
  }
  case LWS_CALLBACK_HTTP_BODY:
    if (h && h->upload) {
      srv_http_upload_body(h, in, len);
      return 0;
    }
    if (h == NULL || h->responded)
      return 0;
    if (h->body.len + len > (size_t)s->cfg.max_body)
      h->too_big = true;
    else
      mc_buf_append(&h->body, in, len);
    return 0;
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0); /* the body is in */
    if (h && h->upload) {
      srv_http_upload_body_end(h);
      return 0;
    }
    if (h && h->hold) { /* a refusal waiting for its body: now it is read */
      h->hold = false;
      h->body_done = true;
      if (h->responded)
        lws_callback_on_writable(wsi);
      return 0;
    }
    if (h)
      h->body_done = true;
    if (h && !h->responded && !h->pending)
      handle(h);
    return 0;
  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (h == NULL || !h->responded)
      return 0;
    {
      *pss = NULL; /* lws may close (and call back) while it writes */
      int rc = srv_http_write(h);
      srv_http_free(h);
      return rc;
    }
  case LWS_CALLBACK_CLOSED_HTTP:
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    if (h) {
      srv_http_free(h);
      *pss = NULL;
    }
    return 0;
  default:
    return lws_callback_http_dummy(wsi, reason, NULL, in, len);
  }
}

const srv_front srv_front_http = {
    .name = "http",
    .http = callback,
};
