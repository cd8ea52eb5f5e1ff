/* ws_req.c — see ws_req.h. */
#include "api/ws_req.h"

#include "api/runtime.h"
#include "api/wire.h"
#include "base/error.h"
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void srv_ws_reply(req *r, json_t *body) {
  json_t *error = json_object_get(body, "error");
  if (json_is_object(error))
    srv_error_localize(error, r->c->english);
  json_t *o = json_pack("{s:O}", "id", r->id ? r->id : json_null()); /* the id first, for people reading */
  json_object_update(o, body);
  json_decref(body);
  srv_conn_send(r->c, o, r->binary);
  json_decref(o);
}

bool srv_ws_job_req(job *j, req *r) {
  conn *c = j->owner;
  if (c == NULL || c->gone)
    return false;
  *r = (req){.c = c, .s = j->s, .op = j->op, .id = json_object_get(j->data, "id"),
             .binary = json_is_true(json_object_get(j->data, "binary"))};
  return true;
}

/* The outcome an error's code is counted as. */
static int outcome_of(const char *code) {
  return !strcmp(code, "forbidden") || !strcmp(code, "unauthenticated") || !strcmp(code, "password_change_required")
             ? OUT_FORBIDDEN
         : !strcmp(code, "bad_request") || !strcmp(code, "too_large") ? OUT_BAD
         : !strcmp(code, "throttled")                                ? OUT_THROTTLED
                                                                     : OUT_REFUSED;
}

void srv_ws_answer(req *r, json_t *body) {
  json_t *error = json_object_get(body, "error");
  const char *op = r->op ? r->op : "unknown";
  if (error == NULL) {
    srv_metrics_count(&r->s->m, op, OUT_OK);
  } else {
    const char *code = json_string_value(json_object_get(error, "code"));
    int outcome = outcome_of(code ? code : "");
    srv_metrics_count(&r->s->m, op, outcome);
    if (outcome == OUT_FORBIDDEN)
      srv_denied(r->s, r->c, NULL, op, r->c->who.acct.id, json_string_value(json_object_get(error, "message")));
  }
  srv_ws_reply(r, body);
}

void srv_ws_fail(req *r, const char *code, const char *field, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  srv_ws_answer(r, json_pack("{s:b, s:o}", "ok", 0, "error", srv_error(code, msg, field)));
}

/* ------------------------------------------------------------ fields */

bool srv_ws_get_str(req *r, const char *key, bool required, size_t max, const char **out) {
  json_t *v = json_object_get(r->msg, key);
  *out = NULL;
  if (v == NULL || json_is_null(v)) {
    if (required)
      srv_ws_fail(r, "bad_request", key, "%s: \"%s\" is missing", r->op, key);
    return !required;
  }
  if (!json_is_string(v)) {
    srv_ws_fail(r, "bad_request", key, "%s: \"%s\" is a text", r->op, key);
    return false;
  }
  size_t n = json_string_length(v);
  if ((required && n == 0) || n > max) {
    srv_ws_fail(r, "bad_request", key, "%s: \"%s\" has 1 to %zu bytes", r->op, key, max);
    return false;
  }
  *out = json_string_value(v);
  return true;
}

bool srv_ws_get_bool(req *r, const char *key, bool *out) {
  json_t *v = json_object_get(r->msg, key);
  *out = false;
  if (v == NULL || json_is_null(v))
    return true;
  if (!json_is_boolean(v)) {
    srv_ws_fail(r, "bad_request", key, "%s: \"%s\" is true or false", r->op, key);
    return false;
  }
  *out = json_is_true(v);
  return true;
}

bool srv_ws_get_int(req *r, const char *key, bool required, int64_t lo, int64_t hi, int64_t *out, bool *given) {
  json_t *v = json_object_get(r->msg, key);
  if (given)
    *given = false;
  if (v == NULL || json_is_null(v)) {
    if (required)
      srv_ws_fail(r, "bad_request", key, "%s: \"%s\" is missing", r->op, key);
    return !required;
  }
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
    srv_ws_fail(r, "bad_request", key, "%s: \"%s\" is a whole number from %lld to %lld", r->op, key, (long long)lo,
         (long long)hi);
    return false;
  }
  *out = json_integer_value(v);
  if (given)
    *given = true;
  return true;
}

/* Refuses fields the operation does not know: a typo must not pass silently. */
static bool known_fields(req *r, const char *const *allowed, const char *list) {
  const char *k;
  json_t *v;
  json_object_foreach(r->msg, k, v) {
    bool ok = !strcmp(k, "op") || !strcmp(k, "id") || (list && srv_wire_field_in(list, k));
    for (int i = 0; allowed && allowed[i] && !ok; i++)
      ok = !strcmp(k, allowed[i]);
    if (!ok) {
      srv_ws_fail(r, "bad_request", k, "%s: unknown field \"%s\" (docs/PROTOCOL.md lists the fields of each operation)", r->op, k);
      return false;
    }
  }
  return true;
}

bool srv_ws_known_fields(req *r, const char *const *allowed) { return known_fields(r, allowed, NULL); }

bool srv_ws_known_field_list(req *r, const char *list) { return known_fields(r, NULL, list); }

/* ------------------------------------------------------------ authentication */

bool srv_ws_need_session(req *r) {
  if (!r->c->who.authed) {
    srv_ws_fail(r, "unauthenticated", NULL, "%s: log in first (POST /api/login), then send hello with the token", r->op);
    return false;
  }
  if (r->c->who.must_change) {
    srv_ws_fail(r, "password_change_required", NULL, "%s: the one-time password must be changed first (change_password)", r->op);
    return false;
  }
  return true;
}
