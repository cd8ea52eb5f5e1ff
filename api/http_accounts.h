/* http_accounts.h — the account routes of the HTTP front end (the route
 * table in api/http.c names them). */
#ifndef MOTCUA_API_HTTP_ACCOUNTS_H
#define MOTCUA_API_HTTP_ACCOUNTS_H

#include "api/http_req.h"

void srv_http_post_login(http_req *h, const char *rest, json_t *b, const char *token);
void srv_http_post_logout(http_req *h, const char *rest, json_t *body, const char *token);
void srv_http_post_register(http_req *h, const char *rest, json_t *b, const char *token);
void srv_http_post_verify(http_req *h, const char *rest, json_t *b, const char *token);
void srv_http_post_reset(http_req *h, const char *rest, json_t *b, const char *token);
void srv_http_post_reset_confirm(http_req *h, const char *rest, json_t *b, const char *token);

#endif
