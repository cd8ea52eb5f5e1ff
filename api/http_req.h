/* http_req.h — one HTTP request of motcuad's HTTP front end (api/http.c):
 * its route (method, path, who may call it, the body it takes, the
 * security headers it answers with), reading its arguments and body, and
 * its response, written when lws says the socket is writable.  The account
 * flows (api/http_accounts.c) and the public routes (api/http.c) answer
 * through it. */
#ifndef MOTCUA_API_HTTP_REQ_H
#define MOTCUA_API_HTTP_REQ_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct srv srv;
typedef struct job job;
typedef struct http_route http_route;
typedef struct upload_stream upload_stream;

typedef struct http_req {
  srv *s;
  const http_route *route;    /* NULL: none matched (the strict headers) */
  struct lws *wsi;
  bool post;
  char path[256];
  char addr[64];
  mc_buf body;
  bool too_big;
  bool responded;             /* a response is ready */
  int status;
  mc_buf out;
  int64_t retry_after_s;
  const char *content_type;
  job *pending;               /* a job answering this request */
  bool close;                 /* the connection closes after the response (a malformed request) */
  bool head;                  /* HEAD: the response has no body */
  const char *allow;          /* a 405's Allow header ("GET, POST" when NULL) */
  int64_t content_length;     /* of a POST */
  upload_stream *upload;      /* a BODY_STREAM route's bytes go there (api/uploads.h) */
  bool served_file;           /* lws serves the response (a download): nothing to write */
  int serve_rc;               /* what lws_serve_http_file said */
  bool body_done;             /* the whole body arrived */
  const char *etag;           /* a page's (api/pages.h), or NULL */
  bool gzipped;               /* the body is a page's gzip: Content-Encoding: gzip */
  bool hold;                  /* a refusal of a BODY_STREAM route waits for its body to be read (and dropped):
                                 the client, still sending, then reads it */
} http_req;


/* The security headers of a response (http_req.c, header_sets). */
typedef enum { HEADERS_API, HEADERS_FILE, HEADERS_PAGE, HEADERS_COUNT } http_headers;

struct http_route {
  const char *method;         /* GET, POST */
  const char *path;           /* exact; or, ending in '/', a prefix followed by a name */
  enum { WHO_ANYONE, WHO_SESSION } who; /* WHO_SESSION: Authorization: Bearer TOKEN */
  enum { BODY_NONE, BODY_JSON, BODY_STREAM } body; /* BODY_STREAM: handled at the headers, its bytes fed as
                                                       they come (h->upload), never held whole */
  const char *fields;         /* BODY_JSON: the fields it takes, comma-separated (any other is refused) */
  http_headers headers;
  void (*handle)(http_req *h, const char *rest, json_t *body, const char *token);
};

/* A response: JSON (or none), written once the socket is writable. */
void srv_http_respond(http_req *h, int status, json_t *body);
void srv_http_error(http_req *h, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The route's security headers as header lines ("name: value\r\n"), for a
 * response lws writes itself (a file served). */
int srv_http_security_lines(http_req *h, char *out, size_t size);
/* Writes the response: status, headers (the route's security headers), body.  -1: close. */
int srv_http_write(http_req *h);
void srv_http_free(http_req *h);

/* A query argument ("q=") or NULL; a text of the JSON body (answered with a
 * 400 and false when it is missing but required, or not a text of 1 to max
 * bytes). */
const char *srv_http_arg(struct lws *wsi, const char *name, char *buf, int len);
bool srv_http_body_str(http_req *h, json_t *b, const char *key, bool required, size_t max, const char **out);

/* A job answering the request (api/jobs.h): its owner is the request until
 * the request goes (srv_http_free clears it), then NULL. */
job *srv_http_job(http_req *h, const char *op);
http_req *srv_http_owner(job *j);
void srv_http_detach(job *j);

#endif
