/* http_uploads.h — the HTTP resources of uploads (docs/PROTOCOL.md
 * "Uploads"): declare an upload, send its bytes (in one request or several,
 * resuming at the server's offset), read its state and receipt, and download
 * a dossier's file through a link that expires.  The uploads themselves are
 * api/uploads.c's. */
#ifndef MOTCUA_API_HTTP_UPLOADS_H
#define MOTCUA_API_HTTP_UPLOADS_H

#include "api/http_req.h"

void srv_http_post_uploads(http_req *h, const char *rest, json_t *body, const char *token);
void srv_http_post_upload_bytes(http_req *h, const char *id, json_t *body, const char *token);
void srv_http_get_upload(http_req *h, const char *id, json_t *body, const char *token);
void srv_http_get_file(http_req *h, const char *sha256, json_t *body, const char *token);

/* A BODY_STREAM request's bytes as lws hands them over, and their end. */
void srv_http_upload_body(http_req *h, const void *in, size_t len);
void srv_http_upload_body_end(http_req *h);

#endif
