/* message.c — the messages an event causes, written out when the event is
 * decided and recorded with it: the template's subject, body and text
 * message with the dossier's {facts} filled in, and, for the applicant, the
 * addresses the e-form gives.  The log then holds exactly what each person
 * was told; the delivery worker only sends it.
 *
 * A template that is not published does not block the legal work: the
 * message is recorded with the error, and its delivery fails for good,
 * which alerts the agency.
 */
#include "engine/engine-int.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

/* "17:00 ngày 15/06/2026" in the calendar's local time; "" for 0. */
static void local_text(mc_instant t, int offset_min, char *out, size_t size) {
  int64_t day, msd;
  int y, mo, dd;
  if (t == 0) {
    out[0] = '\0';
    return;
  }
  mc_instant_split(t, offset_min, &day, &msd);
  mc_civil_from_days(day, &y, &mo, &dd);
  snprintf(out, size, "%02d:%02d ngày %02d/%02d/%04d", (int)(msd / 3600000), (int)(msd / 60000 % 60), dd, mo, y);
}

/* 1234567 -> "1.234.567" (Vietnamese grouping). */
static void vnd_text(int64_t v, char *out, size_t size) {
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v)), at = 0;
  if (v < 0 && size > 1)
    out[at++] = '-';
  for (int i = 0; i < n && (size_t)at + 2 < size; i++) {
    if (i > 0 && (n - i) % 3 == 0)
      out[at++] = '.';
    out[at++] = digits[i];
  }
  out[at] = '\0';
}

/* A text value of the form, or NULL. */
static const msgpack_object *form_text(const msgpack_object *form, const char *name) {
  const msgpack_object *v = form ? eng__get(form, name) : NULL;
  return v && v->type == MSGPACK_OBJECT_STR && v->via.str.size > 0 ? v : NULL;
}

/* The first filled field of a type (the applicant's e-mail, phone). */
static const msgpack_object *form_of_type(const eng_facts *f, dsl_m_field_type type) {
  for (int i = 0; f->m && i < f->m->nfields; i++)
    if (f->m->fields[i].type == type) {
      const msgpack_object *v = form_text(f->form, f->m->fields[i].name);
      if (v)
        return v;
    }
  return NULL;
}

/* The agency's name, and the e-mail its officials' alerts go to: its own in
 * the directory, or the nearest parent's (a commune without one is
 * alerted through its province).  Accounts will give each official's. */
static void agency_contact(eng_engine *e, store_batch *b, mc_instant now, const char *code, char *name,
                           size_t name_size, char *email, size_t email_size) {
  uint8_t hash[32];
  eng_def *dir;
  snprintf(name, name_size, "%s", code);
  email[0] = '\0';
  if (eng__def_current(e, b, ENG_DEF_DIRECTORY, "directory", now, hash) ||
      eng__def_load(e, b, hash, ENG_DEF_DIRECTORY, &dir))
    return;
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)dir->bytes, dir->len, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *agencies = eng__get(&u.data, "agencies");
    char at[64];
    snprintf(at, sizeof at, "%s", code);
    for (int depth = 0; depth < 8 && at[0] && !email[0]; depth++) {
      const msgpack_object *found = NULL;
      for (uint32_t i = 0; agencies && agencies->type == MSGPACK_OBJECT_ARRAY && i < agencies->via.array.size; i++)
        if (eng__str_is(eng__get(&agencies->via.array.ptr[i], "code"), at))
          found = &agencies->via.array.ptr[i];
      if (found == NULL)
        break;
      const msgpack_object *settings = eng__get(found, "settings");
      if (depth == 0 && eng__str_copy(eng__get(found, "name"), name, name_size))
        snprintf(name, name_size, "%s", code);
      if (eng__str_copy(eng__get(settings, "email"), email, email_size))
        email[0] = '\0';
      if (eng__str_copy(eng__get(settings, "parent"), at, sizeof at))
        at[0] = '\0';
    }
  }
  msgpack_unpacked_destroy(&u);
}

/* The value of one {fact} (docs/DSL.md, "Message templates"). */
static int fact(const eng_facts *f, const char *agency, const char *name, size_t len, mc_buf *out) {
#define IS(word) (len == strlen(word) && memcmp(name, word, len) == 0)
  char text[64];
  const eng_snap *s = f->s;
  if (IS("dossier.code"))
    return mc_buf_append_str(out, s->code);
  if (IS("dossier.state"))
    return mc_buf_append_str(out, s->state);
  if (IS("procedure.code"))
    return mc_buf_append_str(out, s->procedure);
  if (IS("procedure.name"))
    return mc_buf_append_str(out, f->m && f->m->name ? f->m->name : s->procedure);
  if (IS("agency.name"))
    return mc_buf_append_str(out, agency);
  if (IS("applicant.name")) {
    const msgpack_object *v = form_text(f->form, "full_name");
    if (v == NULL)
      v = form_text(f->form, "owner_name");
    return v ? mc_buf_append(out, v->via.str.ptr, v->via.str.size) : mc_buf_append_str(out, "ông/bà");
  }
  if (IS("reason") || IS("step") || IS("code") || IS("message")) {
    const char *v = IS("reason") ? f->reason : IS("step") ? f->step : IS("message") ? f->message
                  : IS("code") ? f->code : NULL;
    return mc_buf_append_str(out, v ? v : "");
  }
  if (IS("amount")) {
    int64_t vnd = 0;
    if (f->m && f->form)
      eng__fee(f->m->fee, f->form, &vnd);
    vnd_text(vnd, text, sizeof text);
    return mc_buf_append_str(out, text);
  }
  mc_instant t = IS("submitted_at") ? s->submitted_at : IS("appointment") ? s->appointment_at
               : IS("old_appointment") ? f->old_due : IS("due_at") ? f->due_at : 0;
  local_text(t, f->offset_min, text, sizeof text);
  return mc_buf_append_str(out, text);
#undef IS
}

/* Fills the {facts} of a template text; {{ and }} are braces. */
static int fill(const eng_facts *f, const char *agency, const char *text, size_t len, mc_buf *out) {
  int rc = 0;
  for (size_t i = 0; i < len && rc == 0; i++) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < len && text[i + 1] == c) {
      rc = mc_buf_append_byte(out, (uint8_t)c);
      i++;
    } else if (c == '{') {
      const char *end = memchr(text + i, '}', len - i);
      if (end == NULL)
        return MC_EPARSE; /* the compiler refuses it; a hand-made definition */
      rc = fact(f, agency, text + i + 1, (size_t)(end - text - i - 1), out);
      i = (size_t)(end - text);
    } else {
      rc = mc_buf_append_byte(out, (uint8_t)c);
    }
  }
  return rc;
}

static void put_text(mc_canon *w, const char *key, const mc_buf *text) {
  mc_canon_key(w, key);
  mc_canon_str(w, text->len ? (const char *)text->data : "", text->len);
}

int eng__message_write(eng_engine *e, store_batch *b, mc_instant now, const eng_facts *f, const char *to,
                       const char *template_name, mc_canon *w) {
  char agency[256], agency_email[256], error[160] = "";
  mc_buf subject = MC_BUF_INIT, body = MC_BUF_INIT, sms = MC_BUF_INIT;
  uint8_t hash[32];
  eng_def *def = NULL;
  int rc = 0;
  agency_contact(e, b, now, f->s->agency, agency, sizeof agency, agency_email, sizeof agency_email);
  if (eng__def_current(e, b, ENG_DEF_TEMPLATE, template_name, now, hash) ||
      eng__def_load(e, b, hash, ENG_DEF_TEMPLATE, &def)) {
    snprintf(error, sizeof error, "the message template \"%.60s\" is not published", template_name);
  } else {
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, (const char *)def->bytes, def->len, &off) == MSGPACK_UNPACK_SUCCESS) {
      const char *keys[] = {"subject", "body", "sms"};
      mc_buf *outs[] = {&subject, &body, &sms};
      for (int i = 0; i < 3 && rc == 0; i++) {
        const msgpack_object *t = eng__get(&u.data, keys[i]);
        if (t && t->type == MSGPACK_OBJECT_STR)
          rc = fill(f, agency, t->via.str.ptr, t->via.str.size, outs[i]);
      }
    }
    msgpack_unpacked_destroy(&u);
    if (rc == MC_EPARSE) {
      snprintf(error, sizeof error, "the message template \"%.60s\" has an unclosed {", template_name);
      rc = 0;
    }
  }
  /* The applicant's addresses as the form gives them (accounts add theirs). */
  bool applicant = !strcmp(to, "applicant");
  const msgpack_object *email = applicant && !f->email ? form_of_type(f, DSL_M_EMAIL) : NULL;
  const msgpack_object *phone = applicant && !f->phone ? form_of_type(f, DSL_M_PHONE) : NULL;
  mc_canon_map(w, 8);
  put_text(w, "body", &body);
  mc_canon_key(w, "email");
  if (f->email)
    mc_canon_cstr(w, f->email);
  else if (!applicant && strncmp(to, "affected", 8))
    mc_canon_cstr(w, agency_email); /* officials: their agency's address */
  else
    mc_canon_str(w, email ? email->via.str.ptr : "", email ? email->via.str.size : 0);
  mc_canon_kv_str(w, "error", error);
  mc_canon_key(w, "phone");
  if (f->phone)
    mc_canon_cstr(w, f->phone);
  else
    mc_canon_str(w, phone ? phone->via.str.ptr : "", phone ? phone->via.str.size : 0);
  put_text(w, "sms", &sms);
  put_text(w, "subject", &subject);
  mc_canon_kv_str(w, "template", template_name);
  mc_canon_kv_str(w, "to", to);
  mc_buf_free(&subject);
  mc_buf_free(&body);
  mc_buf_free(&sms);
  return rc;
}
