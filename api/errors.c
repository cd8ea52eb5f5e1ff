/* errors.c — see errors.h. */
#include "api/errors.h"

#include "api/metrics.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

const char *srv_error_code(eng_refusal_kind kind, int *http_status, int *outcome) {
  int hs = 422, oc = OUT_REFUSED;
  const char *code = "refused";
  switch (kind) {
  case ENG_REFUSE_FORBIDDEN: code = "forbidden", hs = 403, oc = OUT_FORBIDDEN; break;
  case ENG_REFUSE_CONFLICT: code = "conflict", hs = 409, oc = OUT_CONFLICT; break;
  case ENG_REFUSE_NOT_FOUND: code = "not_found", hs = 404; break;
  case ENG_REFUSE_UNAVAILABLE: code = "unavailable", hs = 503, oc = OUT_ERROR; break;
  case ENG_REFUSE_INVALID: case ENG_REFUSE_RULE: case ENG_REFUSE_NONE: case ENG_REFUSE_KIND_COUNT: break;
  }
  if (http_status)
    *http_status = hs;
  if (outcome)
    *outcome = oc;
  return code;
}

/* What a server's own error says in Vietnamese (an engine's refusal has
 * its own message_vi): by its code, naming the field. */
static char *generic_vi(const char *code, const char *field, char *out, size_t size) {
  if (!strcmp(code, "bad_request"))
    snprintf(out, size, field ? "Trường «%s» bị thiếu hoặc không hợp lệ." : "Yêu cầu không đọc được%s.",
             field ? field : "");
  else
    snprintf(out, size, "%s",
             !strcmp(code, "too_large")                  ? "Yêu cầu quá lớn."
             : !strcmp(code, "unauthenticated")          ? "Chưa đăng nhập hoặc phiên đã hết hạn: vui lòng đăng nhập lại."
             : !strcmp(code, "password_change_required") ? "Vui lòng đổi mật khẩu dùng một lần trước."
             : !strcmp(code, "forbidden")                ? "Tài khoản của bạn không được làm việc này."
             : !strcmp(code, "not_found")                ? "Không tìm thấy."
             : !strcmp(code, "conflict")                 ? "Dữ liệu đã thay đổi: vui lòng tải lại rồi làm lại."
             : !strcmp(code, "unavailable")              ? "Hệ thống tạm thời chưa phục vụ được: vui lòng thử lại sau."
                                                         : "Yêu cầu bị từ chối.");
  return out;
}

/* An error as the connection reads it: `message` in its language
 * (Vietnamese unless hello said "en"), both texts beside it. */
void srv_error_localize(json_t *error, bool english) {
  const char *en = json_string_value(json_object_get(error, "message"));
  const char *vi = json_string_value(json_object_get(error, "message_vi"));
  char generic[200];
  if (en == NULL)
    return;
  if (vi == NULL)
    vi = generic_vi(json_string_value(json_object_get(error, "code")) ? json_string_value(json_object_get(error, "code")) : "",
                    json_string_value(json_object_get(error, "field")), generic, sizeof generic);
  json_t *en_copy = json_string(en), *vi_copy = json_string(vi);
  json_object_set_new(error, "message_en", en_copy);
  json_object_set_new(error, "message_vi", vi_copy);
  json_object_set(error, "message", english ? en_copy : vi_copy);
}

json_t *srv_error(const char *code, const char *message, const char *field) {
  json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message ? message : "");
  if (field)
    json_object_set_new(e, "field", json_string(field));
  return e;
}

void srv_error_refusal(json_t *error, const eng_result *r) {
  if (r->key == NULL)
    return;
  json_object_set_new(error, "key", json_string(r->key));
  json_object_set_new(error, "message_vi", json_string(r->message_vi));
  if (r->current_version)
    json_object_set_new(error, "version", json_integer((json_int_t)r->current_version)); /* reload, decide again */
  if (r->nfields == 0)
    return;
  json_t *list = json_array();
  int kept = r->nfields < ENG_MAX_FIELD_ERRORS ? r->nfields : ENG_MAX_FIELD_ERRORS;
  for (int i = 0; i < kept; i++) {
    const eng_field_error *f = &r->fields[i];
    json_t *one = json_pack("{s:s, s:s, s:s, s:s, s:s}", "field", f->field, "rule", f->rule, "key", f->key ? f->key : "",
                            "message", f->message, "message_en", f->message_en);
    if (!strcmp(f->rule, "length") || !strcmp(f->rule, "range")) {
      json_object_set_new(one, "min", json_integer(f->min));
      json_object_set_new(one, "max", json_integer(f->max));
    } else if (!strcmp(f->rule, "max")) {
      json_object_set_new(one, "max", json_integer(f->max)); /* the most items allowed */
    }
    if (f->pattern[0])
      json_object_set_new(one, "pattern", json_string(f->pattern));
    if (f->nvalues) {
      json_t *values = json_array();
      for (int k = 0; k < f->nvalues && k < ENG_MAX_FIELD_VALUES; k++)
        json_array_append_new(values, json_string(f->values[k]));
      json_object_set_new(one, "values", values);
    }
    json_array_append_new(list, one);
  }
  json_object_set_new(error, "fields", list);
  if (r->nfields > kept)
    json_object_set_new(error, "more_fields", json_integer(r->nfields - kept));
}

json_t *srv_error_of_result(const eng_result *r, const char *prefix) {
  char msg[600];
  const char *text = r->message[0] ? r->message : mc_strerror(r->status);
  if (prefix)
    snprintf(msg, sizeof msg, "%s: %s", prefix, text);
  else
    snprintf(msg, sizeof msg, "%s", text);
  json_t *error = srv_error(srv_error_code(eng_result_kind(r), NULL, NULL), msg, NULL);
  srv_error_refusal(error, r);
  return error;
}
