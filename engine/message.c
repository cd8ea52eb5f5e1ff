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

/* The applicant's e-mail or phone: the first filled field of its type in
 * the form, else, for a dossier filed at the desk or by post, the applicant
 * block's (an account's own addresses are the delivery's to add). */
static const msgpack_object *form_of_type(const eng_facts *f, dsl_m_field_type type) {
  for (int i = 0; f->m && i < f->m->nfields; i++)
    if (f->m->fields[i].type == type) {
      const msgpack_object *v = form_text(f->form, f->m->fields[i].name);
      if (v)
        return v;
    }
  return f->s->applicant[0] ? NULL : form_text(f->applicant, type == DSL_M_EMAIL ? "email" : "phone");
}

/* The agency's name, and the e-mail its officials' alerts go to, in the
 * directory `dir`: its own, or the nearest parent's (a commune without
 * one is alerted through its province).  Accounts will give each official's. */
static void agency_in_directory(const dsl_directory *dir, const char *code, char *name, size_t name_size,
                                char *email, size_t email_size) {
  char at[64];
  snprintf(name, name_size, "%s", code);
  snprintf(at, sizeof at, "%s", code);
  email[0] = '\0';
  for (int depth = 0; depth < 8 && at[0] && !email[0]; depth++) {
    const dsl_d_agency *found = dsl_directory_find(dir, at);
    if (found == NULL)
      break;
    /* A text that does not fit reads as none (the name: the code). */
    if (depth == 0 && (found->name == NULL || strlen(found->name) < name_size))
      snprintf(name, name_size, "%s", found->name ? found->name : "");
    snprintf(email, email_size, "%s", found->email && strlen(found->email) < email_size ? found->email : "");
    snprintf(at, sizeof at, "%s", found->parent && strlen(found->parent) < sizeof at ? found->parent : "");
  }
}

/* The name of the agency a dossier was filed with ({agency.name}), and the
 * address its messages to officials go to: those of `at`, the agency of a
 * step done elsewhere, when not NULL. */
static void agency_of_message(const dsl_directory *dir, const char *filed, const char *at, char *name,
                              size_t name_size, char *email, size_t email_size) {
  agency_in_directory(dir, filed, name, name_size, email, email_size);
  if (at && strcmp(at, filed)) {
    char other[256];
    agency_in_directory(dir, at, other, sizeof other, email, email_size);
  }
}

/* The directory in effect at `now` (its hash into `hash`, or false). */
static eng_def *directory_now(eng_engine *e, store_batch *b, mc_instant now, uint8_t hash[32]) {
  eng_def *dir;
  if (eng__def_current(e, b, ENG_DEF_DIRECTORY, "directory", now, hash) ||
      eng__def_load(e, b, hash, ENG_DEF_DIRECTORY, &dir))
    return NULL;
  return dir;
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
    /* The applicant block's; a dossier filed before blocks: the form's. */
    const msgpack_object *v = form_text(f->applicant, "name");
    if (v == NULL)
      v = form_text(f->form, "full_name");
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

/* Fills subject, body and sms from a template (NULL: its bytes are not
 * one: no texts); `error` says why when its text is damaged. */
static int render(const eng_facts *f, const char *agency, const dsl_d_template *tmpl, const char *template_name,
                  mc_buf out[3], char *error, size_t esize) {
  const char *texts[3] = {tmpl ? tmpl->subject : NULL, tmpl ? tmpl->body : NULL, tmpl ? tmpl->sms : NULL};
  int rc = 0;
  for (int i = 0; i < 3 && rc == 0; i++)
    if (texts[i])
      rc = fill(f, agency, texts[i], strlen(texts[i]), &out[i]);
  if (rc == MC_EPARSE) {
    snprintf(error, esize, "the message template \"%.60s\" has an unclosed {", template_name);
    rc = 0;
  }
  return rc;
}

/* What a message needs when it is decided: the template in effect, the
 * agency's name and address, the addresses it goes to. */
typedef struct resolved {
  eng_def *tmpl;               /* NULL: not published (error says so) */
  uint8_t tmpl_hash[32];
  uint8_t dir_hash[32];
  bool has_dir;
  char agency[256], agency_email[256], error[160];
  const char *email, *phone;   /* given outright, or the agency's */
  const msgpack_object *form_email, *form_phone;
} resolved;

static void resolve(eng_engine *e, store_batch *b, mc_instant now, const eng_facts *f, const char *to,
                    const char *template_name, const char *at, resolved *r) {
  memset(r, 0, sizeof *r);
  eng_def *dir = directory_now(e, b, now, r->dir_hash);
  r->has_dir = dir != NULL;
  agency_of_message(dir ? dir->directory : NULL, f->s->agency, at, r->agency, sizeof r->agency, r->agency_email,
                    sizeof r->agency_email);
  if (eng__def_current(e, b, ENG_DEF_TEMPLATE, template_name, now, r->tmpl_hash) ||
      eng__def_load(e, b, r->tmpl_hash, ENG_DEF_TEMPLATE, &r->tmpl)) {
    r->tmpl = NULL;
    snprintf(r->error, sizeof r->error, "the message template \"%.60s\" is not published", template_name);
  }
  /* The applicant's addresses as the form gives them (accounts add theirs). */
  bool applicant = !strcmp(to, "applicant");
  r->form_email = applicant && !f->email ? form_of_type(f, DSL_M_EMAIL) : NULL;
  r->form_phone = applicant && !f->phone ? form_of_type(f, DSL_M_PHONE) : NULL;
  r->email = f->email ? f->email : !applicant && strncmp(to, "affected", 8) ? r->agency_email : NULL;
  r->phone = f->phone;
}

static void put_address(mc_canon *w, const char *key, const char *given, const msgpack_object *form) {
  mc_canon_key(w, key);
  if (given)
    mc_canon_cstr(w, given);
  else
    mc_canon_str(w, form ? form->via.str.ptr : "", form ? form->via.str.size : 0);
}

int eng__message_write(eng_engine *e, store_batch *b, mc_instant now, const eng_facts *f, const char *to,
                       const char *template_name, mc_canon *w) {
  resolved r;
  mc_buf texts[3] = {MC_BUF_INIT, MC_BUF_INIT, MC_BUF_INIT};
  int rc = 0;
  resolve(e, b, now, f, to, template_name, NULL, &r);
  if (r.tmpl)
    rc = render(f, r.agency, r.tmpl->tmpl, template_name, texts, r.error, sizeof r.error);
  mc_canon_map(w, 8);
  put_text(w, "body", &texts[1]);
  put_address(w, "email", r.email, r.form_email);
  mc_canon_kv_str(w, "error", r.error);
  put_address(w, "phone", r.phone, r.form_phone);
  put_text(w, "sms", &texts[2]);
  put_text(w, "subject", &texts[0]);
  mc_canon_kv_str(w, "template", template_name);
  mc_canon_kv_str(w, "to", to);
  for (int i = 0; i < 3; i++)
    mc_buf_free(&texts[i]);
  return rc;
}

int eng__message_ref(eng_engine *e, store_batch *b, mc_instant now, const eng_facts *f, const char *to,
                     const char *template_name, const char *at, mc_canon *w, uint8_t dir_hash[32], bool *has_dir) {
  resolved r;
  resolve(e, b, now, f, to, template_name, at, &r);
  if (r.has_dir) {
    memcpy(dir_hash, r.dir_hash, 32);
    *has_dir = true;
  }
  /* Addresses given outright are recorded; the others are the form's or
   * the directory's, read again when the message is rendered.  A published
   * template is named by its hash (its bytes say its name). */
  bool email = f->email && f->email[0], phone = f->phone && f->phone[0];
  bool elsewhere = at && strcmp(at, f->s->agency); /* a step's agency, not the dossier's */
  mc_canon_map(w, 2 + elsewhere + email + (r.error[0] != 0) + phone); /* (hash or template) and to */
  if (elsewhere)
    mc_canon_kv_str(w, "agency", at);
  if (email)
    mc_canon_kv_str(w, "email", f->email);
  if (r.error[0])
    mc_canon_kv_str(w, "error", r.error);
  if (r.tmpl) {
    mc_canon_key(w, "hash");
    mc_canon_bin(w, r.tmpl_hash, 32);
  }
  if (phone)
    mc_canon_kv_str(w, "phone", f->phone);
  if (!r.tmpl)
    mc_canon_kv_str(w, "template", template_name);
  mc_canon_kv_str(w, "to", to);
  return 0;
}

/* ============================================================ read back */

int eng__template_name(const dsl_d_template *t, char *out, size_t size) {
  out[0] = '\0';
  if (t == NULL || (t->name && strlen(t->name) >= size))
    return MC_EPARSE;
  snprintf(out, size, "%s", t->name ? t->name : "");
  return 0;
}

/* A definition's bytes by hash, in a read. */
static int def_bytes(store_read *rd, const uint8_t hash[32], const void **v, size_t *vlen) {
  uint8_t key[34] = {'b', '/'};
  memcpy(key + 2, hash, 32);
  return store_read_proj(rd, ENG_PROJ_DEFS, key, sizeof key, v, vlen);
}

int eng__message_render(store_read *rd, const store_event *ev, const msgpack_object *root,
                        const msgpack_object *note, mc_buf texts[5], char *template_name, size_t tsize,
                        char *error, size_t esize) {
  eng_snap s;
  const msgpack_object *hash = eng__get(note, "hash"), *what = eng__get(root, "what");
  const msgpack_object *facts = eng__get(root, "facts");
  char to[32], at[64] = "";
  int rc;
  error[0] = '\0';
  if (eng__str_copy(eng__get(note, "template"), template_name, tsize) || eng__str_copy(eng__get(note, "to"), to, sizeof to) ||
      (eng__get(note, "agency") && eng__str_copy(eng__get(note, "agency"), at, sizeof at)))
    return MC_EPARSE;
  if (hash == NULL) {
    /* Not published when it was decided: the error was recorded. */
    return eng__str_copy(eng__get(note, "error"), error, esize) ? MC_EPARSE : 0;
  }
  if (hash->type != MSGPACK_OBJECT_BIN || hash->via.bin.size != 32 || ev->stream.len <= 8)
    return MC_EPARSE;
  if ((rc = eng__snap_at(rd, ev->stream.ptr + 8, ev->stream.len - 8, ev->version, &s)))
    return rc;
  const void *tmpl, *mbytes, *fbytes, *dbytes = NULL;
  size_t tlen, mlen, flen, dlen = 0;
  if ((rc = def_bytes(rd, (const uint8_t *)hash->via.bin.ptr, &tmpl, &tlen)) || (rc = def_bytes(rd, s.definition, &mbytes, &mlen)))
    return rc == MC_ENOENT ? MC_ECORRUPT : rc;
  const msgpack_object *dir = eng__get(facts, "directory");
  if (dir && dir->type == MSGPACK_OBJECT_BIN && dir->via.bin.size == 32 &&
      (rc = def_bytes(rd, (const uint8_t *)dir->via.bin.ptr, &dbytes, &dlen)))
    return rc == MC_ENOENT ? MC_ECORRUPT : rc;
  /* Copies: the views end with the next read of this transaction. */
  mc_arena arena = MC_ARENA_INIT;
  uint8_t *tcopy = mc_arena_alloc(&arena, tlen + 1), *mcopy = mc_arena_alloc(&arena, mlen + 1),
          *dcopy = mc_arena_alloc(&arena, dlen + 1);
  if (tcopy == NULL || mcopy == NULL || dcopy == NULL) {
    mc_arena_free(&arena);
    return MC_ENOMEM;
  }
  memcpy(tcopy, tmpl, tlen);
  memcpy(mcopy, mbytes, mlen);
  if (dlen)
    memcpy(dcopy, dbytes, dlen);
  /* Decoded here, not from the engine's cache: renders run on other threads. */
  dsl_d_template *t = NULL;
  dsl_directory *directory = NULL;
  if (dsl_template_decode(tcopy, tlen, &arena, &t) == MC_ENOMEM ||
      (dlen && dsl_directory_decode(dcopy, dlen, &directory) == MC_ENOMEM)) {
    mc_arena_free(&arena);
    return MC_ENOMEM;
  }
  if (template_name[0] == '\0' && (rc = eng__template_name(t, template_name, tsize)) != 0) {
    dsl_directory_free(directory);
    mc_arena_free(&arena);
    return MC_ECORRUPT;
  }
  dsl_machine *m = NULL;
  msgpack_unpacked fu, filed;
  msgpack_unpacked_init(&fu);
  msgpack_unpacked_init(&filed);
  rc = dsl_machine_decode(mcopy, mlen, &arena, &m);
  /* The form, in the event that filed it (the log's pages stay put during a read). */
  const msgpack_object *form = NULL, *applicant = NULL;
  store_event fev;
  size_t off = 0;
  if (rc == 0 && store_read_proj(rd, ENG_PROJ_FORMS, ev->stream.ptr + 8, ev->stream.len - 8, &fbytes, &flen) == 0 &&
      flen == 8 && store_read_event(rd, mc_be64_get(fbytes), &fev) == 0 &&
      msgpack_unpack_next(&filed, (const char *)fev.data, fev.data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *bin = eng__get(&filed.data, "form"), *block = eng__get(&filed.data, "applicant");
    off = 0;
    if (bin && bin->type == MSGPACK_OBJECT_BIN &&
        msgpack_unpack_next(&fu, bin->via.bin.ptr, bin->via.bin.size, &off) == MSGPACK_UNPACK_SUCCESS)
      form = &fu.data;
    if (block && block->type == MSGPACK_OBJECT_MAP)
      applicant = block;
  }
  char reason[ENG_MAX_REASON_BYTES + 1], step[64], agency[256], agency_email[256];
  const msgpack_object *offset = eng__get(facts, "utc_offset");
  eng_facts f = {.s = &s, .m = m, .form = form, .applicant = applicant,
                 .offset_min = offset && offset->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int)offset->via.u64 : 420};
  if (rc == 0) {
    eng__str_copy(eng__get(what, "reason"), reason, sizeof reason);
    eng__str_copy(eng__get(what, "step"), step, sizeof step);
    const msgpack_object *due = eng__get(what, "due_at"), *old_due = eng__get(what, "old_due");
    f.reason = reason;
    f.step = step;
    f.due_at = due && due->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (mc_instant)due->via.u64 : 0;
    f.old_due = old_due && old_due->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (mc_instant)old_due->via.u64 : 0;
    agency_of_message(directory, s.agency, at[0] ? at : NULL, agency, sizeof agency, agency_email,
                      sizeof agency_email);
    rc = render(&f, agency, t, template_name, texts, error, esize);
    /* The addresses, as resolve() found them when the event was decided. */
    const msgpack_object *email = eng__get(note, "email"), *phone = eng__get(note, "phone");
    bool to_applicant = !strcmp(to, "applicant");
    if (email == NULL)
      email = to_applicant ? form_of_type(&f, DSL_M_EMAIL) : NULL;
    if (phone == NULL)
      phone = to_applicant ? form_of_type(&f, DSL_M_PHONE) : NULL;
    if (email && email->type == MSGPACK_OBJECT_STR)
      mc_buf_append(&texts[3], email->via.str.ptr, email->via.str.size);
    else if (!to_applicant && strncmp(to, "affected", 8))
      mc_buf_append_str(&texts[3], agency_email);
    if (phone && phone->type == MSGPACK_OBJECT_STR)
      mc_buf_append(&texts[4], phone->via.str.ptr, phone->via.str.size);
  }
  msgpack_unpacked_destroy(&fu);
  msgpack_unpacked_destroy(&filed);
  dsl_directory_free(directory);
  mc_arena_free(&arena);
  return rc;
}
