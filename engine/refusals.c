/* refusals.c — the table of the engine's refusals (engine/refusals.h):
 * names, kinds, texts, and filling a result with one. */
#include "engine/engine-int.h"

#include "base/error.h"
#include "base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name, *en, *vi;
  eng_refusal_kind kind;
} table[ENG_R_COUNT] = {
#define ENG__REFUSAL_ROW(e, k, wire) [ENG_R_##e] = {wire, ENG_EN_##e, ENG_VI_##e, ENG_REFUSE_##k},
    ENG_REFUSALS(ENG__REFUSAL_ROW)
#undef ENG__REFUSAL_ROW
};

static const char *const kind_names[ENG_REFUSE_KIND_COUNT] = {
    [ENG_REFUSE_INVALID] = "invalid",     [ENG_REFUSE_RULE] = "rule",
    [ENG_REFUSE_FORBIDDEN] = "forbidden", [ENG_REFUSE_NOT_FOUND] = "not_found",
    [ENG_REFUSE_CONFLICT] = "conflict",   [ENG_REFUSE_UNAVAILABLE] = "unavailable",
};

static bool known(eng_refusal key) { return key > ENG_R_NONE && key < ENG_R_COUNT; }

const char *eng_refusal_kind_name(eng_refusal_kind kind) {
  return kind > ENG_REFUSE_NONE && kind < ENG_REFUSE_KIND_COUNT ? kind_names[kind] : NULL;
}

const char *eng_refusal_name(eng_refusal key) { return known(key) ? table[key].name : NULL; }
eng_refusal_kind eng_refusal_kind_of(eng_refusal key) { return known(key) ? table[key].kind : ENG_REFUSE_NONE; }
const char *eng_refusal_en(eng_refusal key) { return known(key) ? table[key].en : NULL; }
const char *eng_refusal_vi(eng_refusal key) { return known(key) ? table[key].vi : NULL; }

eng_refusal eng_refusal_parse(const char *name) {
  for (int k = ENG_R_NONE + 1; name && k < ENG_R_COUNT; k++)
    if (!strcmp(table[k].name, name))
      return (eng_refusal)k;
  return ENG_R_NONE;
}

eng_refusal_kind eng_refusal_kind_of_status(int status) {
  switch (status) {
  case 0: return ENG_REFUSE_NONE;
  case MC_EACCES: return ENG_REFUSE_FORBIDDEN;
  case MC_ECONFLICT: return ENG_REFUSE_CONFLICT;
  case MC_ENOENT: return ENG_REFUSE_NOT_FOUND;
  case MC_EIO: case MC_ENOSPC: case MC_ENOMEM: case MC_EINTERNAL: case MC_ECORRUPT: case MC_ELOCKED:
  case MC_EREADONLY: case MC_EFORMAT:
    return ENG_REFUSE_UNAVAILABLE;
  default: return ENG_REFUSE_INVALID;
  }
}

eng_refusal_kind eng_result_kind(const eng_result *r) {
  if (r->status == 0)
    return ENG_REFUSE_NONE;
  return known(r->refusal) ? table[r->refusal].kind : eng_refusal_kind_of_status(r->status);
}

/* Both texts of `key` with the same arguments.  The formats are the
 * table's, checked against the arguments at every call by ENG_REFUSE. */
static void texts(eng_refusal key, char *en, size_t en_size, char *vi, size_t vi_size, va_list ap) {
  va_list again;
  va_copy(again, ap);
  vsnprintf(en, en_size, table[key].en, ap);
  vsnprintf(vi, vi_size, table[key].vi, again);
  va_end(again);
  mc_text_utf8_cut(en); /* cut to fit, or a client's bytes: never in the middle of a character */
  mc_text_utf8_cut(vi);
}

int eng_refuse(eng_result *r, int status, eng_refusal key, ...) {
  if (!known(key))
    return status;
  r->refusal = key, r->kind = table[key].kind, r->key = table[key].name;
  va_list ap;
  va_start(ap, key);
  texts(key, r->message, sizeof r->message, r->message_vi, sizeof r->message_vi, ap);
  va_end(ap);
  return status;
}

int eng_refuse_field(eng_result *r, int status, const char *field, const char *rule, eng_refusal key, ...) {
  if (!known(key))
    return status;
  va_list ap;
  if (r->nfields == 0) {
    r->refusal = key, r->kind = table[key].kind, r->key = table[key].name;
    va_start(ap, key);
    texts(key, r->message, sizeof r->message, r->message_vi, sizeof r->message_vi, ap);
    va_end(ap);
  }
  if (r->nfields < ENG_MAX_FIELD_ERRORS) {
    eng_field_error *f = &r->fields[r->nfields];
    memset(f, 0, sizeof *f);
    snprintf(f->field, sizeof f->field, "%s", field);
    snprintf(f->rule, sizeof f->rule, "%s", rule);
    mc_text_utf8_cut(f->field); /* a client's field name may be any bytes */
    f->key = table[key].name;
    va_start(ap, key);
    texts(key, f->message_en, sizeof f->message_en, f->message, sizeof f->message, ap);
    va_end(ap);
  }
  r->nfields++;
  return status;
}

int eng__refuse_store(eng_result *r, int status, const char *why) {
  switch (eng_refusal_kind_of_status(status)) {
  case ENG_REFUSE_CONFLICT: return ENG_REFUSE(r, status, STORE_CONFLICT, why);
  case ENG_REFUSE_UNAVAILABLE: return ENG_REFUSE(r, status, STORE_FAILED, why);
  default: return ENG_REFUSE(r, status, STORE_REFUSED, why);
  }
}
