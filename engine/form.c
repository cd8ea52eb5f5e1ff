/* form.c — the e-form a dossier is filed with: validated against the
 * procedure's form, re-encoded canonically (client input is never stored as
 * received), and read by the conditions of choices. */
#include "engine/engine-int.h"

#include "base/error.h"
#include "base/text.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

static int utf8_len(const char *s, size_t n) {
  int count = 0;
  for (size_t i = 0; i < n; i++)
    count += ((unsigned char)s[i] & 0xC0) != 0x80;
  return count;
}

/* A text of nothing but spaces (tabs, line ends, no-break spaces) is as
 * empty as no text: a required field needs something to read. */
static bool blank(const msgpack_object *v) {
  const unsigned char *p = (const unsigned char *)v->via.str.ptr;
  size_t n = v->via.str.size;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
      continue;
    if (p[i] == 0xC2 && i + 1 < n && p[i + 1] == 0xA0) {
      i++;
      continue;
    }
    return false;
  }
  return true;
}

static bool all_digits(const char *s, size_t n) {
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return false;
  return true;
}

static bool valid_date(const char *s, size_t n) {
  if (n != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
    return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  return m >= 1 && m <= 12 && d >= 1 && d <= mc_days_in_month(y, m);
}

/* Vietnamese phone numbers: 0 and 9-10 digits, or +84 and 9-10 digits. */
static bool valid_phone(const char *s, size_t n) {
  if (n > 3 && s[0] == '+' && s[1] == '8' && s[2] == '4')
    return all_digits(s + 3, n - 3) && n - 3 >= 9 && n - 3 <= 10;
  return s[0] == '0' && all_digits(s, n) && n >= 10 && n <= 11;
}

static bool valid_email(const char *s, size_t n) {
  /* Printable ASCII without the characters that mean something in a mail
   * header or the SMTP dialogue (a CR/LF would inject commands). */
  if (n > 254)
    return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x21 || s[i] > 0x7e || strchr("<>()[],;:\"\\", s[i]))
      return false;
  const char *at = memchr(s, '@', n);
  if (at == NULL || at == s || memchr(at + 1, '@', n - (size_t)(at + 1 - s)))
    return false;
  const char *dot = memchr(at + 1, '.', n - (size_t)(at + 1 - s));
  return dot && dot > at + 1 && dot < s + n - 1 && memchr(s, ' ', n) == NULL;
}

/* Tax codes: 10 digits, or 10 digits, a dash and 3 digits (a branch). */
static bool valid_tax_code(const char *s, size_t n) {
  return (n == 10 && all_digits(s, 10)) || (n == 14 && all_digits(s, 10) && s[10] == '-' && all_digits(s + 11, 3));
}

static const char *type_name(dsl_m_field_type t) {
  static const char *const names[] = {"a text", "a whole number", "a date (YYYY-MM-DD)", "one of the listed values",
                                      "a phone number", "an email address", "a 12-digit citizen id",
                                      "a tax code", "a file (its SHA-256)", "true or false"};
  return names[t];
}

/* What to write, for the person filing (Vietnamese). */
static const char *type_name_vi(dsl_m_field_type t) {
  static const char *const names[] = {"chữ", "một số nguyên", "một ngày, viết năm-tháng-ngày như 2026-02-01",
                                      "một trong các giá trị", "một số điện thoại, như 0912345678",
                                      "một địa chỉ thư điện tử, như ten@example.vn",
                                      "số định danh cá nhân gồm 12 chữ số", "một mã số thuế (10 chữ số, hoặc 10-3)",
                                      "một tệp đã tải lên", "có hoặc không"};
  return names[t];
}

/* The form's faults: each is listed in res->fields (up to
 * ENG_MAX_FIELD_ERRORS) with both its texts; the first one's are the
 * result's (engine/refusals.h, ENG_REFUSE_FIELD). */
typedef struct faults {
  eng_result *res;
  int n;
  const char *prefix; /* "form", "applicant" */
} faults;

/* The path of a field: "form.<name>", "applicant.<name>". */
static const char *path_of(char out[72], const faults *f, const dsl_m_field *fd, const char *name) {
  snprintf(out, 72, "%s.%.60s", f->prefix, fd ? fd->name : name);
  return out;
}

/* A fault of the field `fd` (or of an undeclared `name`) breaking `rule`:
 * the refusal NAME with its arguments; returns the field's error, to add
 * the rule's parameters to (NULL past ENG_MAX_FIELD_ERRORS). */
#define fault(f, fd, name, rule, ...)                                                                      \
  (ENG_REFUSE_FIELD((f)->res, MC_EINVAL, path_of(path, (f), (fd), (name)), (rule), __VA_ARGS__), (f)->n++,     \
   (f)->n <= ENG_MAX_FIELD_ERRORS ? &(f)->res->fields[(f)->n - 1] : NULL)

/* The checks of one field's value once it is not empty; 0, or the fault
 * recorded. */
static int check_value(faults *f, const dsl_m_field *fd, const msgpack_object *v, mc_buf *nfc) {
  const char *label = fd->label ? fd->label : fd->name;
  char path[72];
  eng_field_error *e;
  bool ok;
  int rc;
  switch (fd->type) {
  case DSL_M_NUMBER:
    ok = (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= INT64_MAX) ||
         v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
    if (ok && fd->has_bounds) {
      int64_t x = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t)v->via.u64 : v->via.i64;
      if (x < fd->min || x > fd->max) {
        if ((e = fault(f, fd, NULL, "range", FIELD_RANGE, fd->name, label, (long long)fd->min, (long long)fd->max)))
          e->min = fd->min, e->max = fd->max;
        return MC_EINVAL;
      }
    }
    break;
  case DSL_M_YES_NO:
    ok = v->type == MSGPACK_OBJECT_BOOLEAN;
    break;
  default: {
    ok = v->type == MSGPACK_OBJECT_STR && mc_text_utf8_valid_prefix(v->via.str.ptr, v->via.str.size) == v->via.str.size;
    if (!ok)
      break;
    /* Checked as it will be stored: in NFC (input methods send decomposed
     * Vietnamese, docs/ENGINE.md). */
    mc_buf_reset(nfc);
    if (mc_text_is_nfc(v->via.str.ptr, v->via.str.size))
      rc = mc_buf_append(nfc, v->via.str.ptr, v->via.str.size); /* the usual case, without utf8proc */
    else
      rc = mc_text_nfc(v->via.str.ptr, v->via.str.size, nfc);
    if (rc != 0 || mc_buf_cstr(nfc) == NULL)
      return rc ? rc : MC_ENOMEM;
    const char *s = (const char *)nfc->data;
    size_t sl = nfc->len;
    switch (fd->type) {
    case DSL_M_DATE: ok = valid_date(s, sl); break;
    case DSL_M_PHONE: ok = valid_phone(s, sl); break;
    case DSL_M_EMAIL: ok = valid_email(s, sl); break;
    case DSL_M_CITIZEN_ID: ok = sl == 12 && all_digits(s, sl); break;
    case DSL_M_TAX_CODE: ok = valid_tax_code(s, sl); break;
    case DSL_M_FILE: {
      ok = sl == 64;
      for (size_t i = 0; ok && i < sl; i++)
        ok = isxdigit((unsigned char)s[i]) && !isupper((unsigned char)s[i]);
      break;
    }
    case DSL_M_ENUM: {
      ok = false;
      for (int k = 0; k < fd->nvalues && !ok; k++)
        ok = strlen(fd->values[k]) == sl && memcmp(fd->values[k], s, sl) == 0;
      break;
    }
    default: break;
    }
    if (ok && fd->has_bounds && (fd->type == DSL_M_TEXT || fd->type == DSL_M_PHONE || fd->type == DSL_M_EMAIL)) {
      int chars = utf8_len(s, sl);
      if (chars < fd->min || chars > fd->max) {
        if ((e = fault(f, fd, NULL, "length", FIELD_LENGTH, fd->name, label, (long long)fd->min,
                       (long long)fd->max)))
          e->min = fd->min, e->max = fd->max;
        return MC_EINVAL;
      }
    }
    if (ok && fd->pattern) {
      regex_t re;
      if (regcomp(&re, fd->pattern, REG_EXTENDED | REG_NOSUB) == 0) {
        ok = regexec(&re, mc_buf_cstr(nfc), 0, NULL, 0) == 0;
        regfree(&re);
        if (!ok) {
          if ((e = fault(f, fd, NULL, "pattern", FIELD_PATTERN, fd->name, label)))
            snprintf(e->pattern, sizeof e->pattern, "%s", fd->pattern);
          return MC_EINVAL;
        }
      }
    }
  }
  }
  if (!ok) {
    if (fd->type == DSL_M_ENUM) {
      char values[256];
      size_t at = 0;
      values[0] = '\0';
      for (int k = 0; k < fd->nvalues && at < sizeof values; k++)
        at += (size_t)snprintf(values + at, sizeof values - at, "%s%s", k ? ", " : "", fd->values[k]);
      if ((e = fault(f, fd, NULL, "values", FIELD_VALUES, fd->name, label, values)))
        for (int k = 0; k < fd->nvalues && e->nvalues < ENG_MAX_FIELD_VALUES; k++)
          snprintf(e->values[e->nvalues++], sizeof e->values[0], "%s", fd->values[k]);
    } else {
      (void)fault(f, fd, NULL, "type", FIELD_TYPE, fd->name, label, type_name(fd->type), type_name_vi(fd->type));
    }
    return MC_EINVAL;
  }
  return 0;
}

/* A map checked against `fields` (each fault named "<prefix>.<field>"),
 * re-encoded canonically into `canonical`.  `code`: the procedure, for an
 * undeclared field of an e-form (NULL: the applicant block). */
static int validate_map(const dsl_m_field *fields, int nfields, const char *prefix, const char *code,
                        const uint8_t *form, size_t len, mc_buf *canonical, eng_result *res) {
  msgpack_unpacked u;
  mc_buf nfc = MC_BUF_INIT;
  size_t off = 0;
  int rc = 0;
  faults f = {res, res->nfields, prefix}; /* after the faults found before (the applicant block's) */
  int before = f.n;
  char path[72];
  if (len > ENG_MAX_FORM_BYTES)
    return ENG_REFUSE(res, MC_ETOOBIG, FORM_TOO_LARGE, ENG_MAX_FORM_BYTES / 1024);
  msgpack_unpacked_init(&u);
  if (form == NULL || len == 0 ||
      msgpack_unpack_next(&u, (const char *)form, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len ||
      u.data.type != MSGPACK_OBJECT_MAP) {
    msgpack_unpacked_destroy(&u);
    return code ? ENG_REFUSE(res, MC_EINVAL, FORM_NOT_A_MAP) : ENG_REFUSE(res, MC_EINVAL, APPLICANT_NOT_A_MAP);
  }
  const msgpack_object *map = &u.data;
  if (nfields > 256) {
    rc = ENG_REFUSE(res, MC_ETOOBIG, FORM_TOO_MANY_FIELDS, code ? code : prefix);
    goto done;
  }
  /* Unknown fields first: a typo in a client must not pass silently. */
  for (uint32_t i = 0; i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key;
    bool known = false;
    for (int fi = 0; fi < nfields && !known; fi++)
      known = eng__str_is(k, fields[fi].name);
    if (!known) {
      int klen = k->type == MSGPACK_OBJECT_STR ? (int)(k->via.str.size > 64 ? 64 : k->via.str.size) : 1;
      const char *kp = k->type == MSGPACK_OBJECT_STR ? k->via.str.ptr : "?";
      char name[72];
      snprintf(name, sizeof name, "%.*s", klen, kp);
      if (code)
        (void)fault(&f, NULL, name, "unknown", FIELD_UNKNOWN, name, code);
      else
        (void)fault(&f, NULL, name, "unknown", APPLICANT_FIELD_UNKNOWN, name);
    }
  }
  /* Every field, each fault recorded: an e-form gets all its errors at once. */
  int order[256], n = 0;
  for (int fi = 0; fi < nfields; fi++) {
    const dsl_m_field *fd = &fields[fi];
    const msgpack_object *v = eng__get(map, fd->name);
    bool empty = v == NULL || v->type == MSGPACK_OBJECT_NIL || (v->type == MSGPACK_OBJECT_STR && blank(v));
    if (empty) {
      if (fd->required) {
        (void)fault(&f, fd, NULL, "required", FIELD_REQUIRED, fd->name, fd->label ? fd->label : fd->name);
      }
      continue;
    }
    rc = check_value(&f, fd, v, &nfc);
    if (rc == MC_EINVAL) {
      rc = 0;
      continue;
    }
    if (rc != 0) {
      ENG_REFUSE(res, rc, FORM_FIELD_UNREADABLE, fd->name);
      goto done;
    }
    order[n++] = fi;
  }
  if (f.n > before) {
    rc = MC_EINVAL;
    goto done;
  }
  /* Fields in ascending name order, as a canonical map requires. */
  for (int a = 1; a < n; a++)
    for (int b = a; b > 0 && strcmp(fields[order[b]].name, fields[order[b - 1]].name) < 0; b--) {
      int t = order[b];
      order[b] = order[b - 1];
      order[b - 1] = t;
    }
  /* Re-encode canonically: NFC text, shortest integers, sorted keys. */
  mc_canon w;
  mc_canon_init(&w, canonical);
  mc_canon_map(&w, (uint32_t)n);
  for (int i = 0; i < n; i++) {
    const dsl_m_field *fd = &fields[order[i]];
    const msgpack_object *v = eng__get(map, fd->name);
    mc_canon_key(&w, fd->name);
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
      mc_canon_int(&w, (int64_t)v->via.u64);
    else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
      mc_canon_int(&w, v->via.i64);
    else if (v->type == MSGPACK_OBJECT_BOOLEAN)
      mc_canon_bool(&w, v->via.boolean);
    else
      mc_canon_str(&w, v->via.str.ptr, v->via.str.size);
  }
  rc = mc_canon_finish(&w);
  if (rc)
    ENG_REFUSE(res, rc, FORM_UNENCODABLE, mc_strerror(rc));
done:
  mc_buf_free(&nfc);
  msgpack_unpacked_destroy(&u);
  return rc;
}

int eng__form_validate(const dsl_machine *m, const uint8_t *form, size_t len, mc_buf *canonical, eng_result *res) {
  return validate_map(m->fields, m->nfields, "form", m->code, form, len, canonical, res);
}

int eng__map_validate(const dsl_m_field *fields, int nfields, const char *prefix, const uint8_t *map, size_t len,
                      mc_buf *canonical, eng_result *res) {
  return validate_map(fields, nfields, prefix, NULL, map, len, canonical, res);
}

/* ============================================================ conditions */

typedef struct value {
  enum { V_NONE, V_INT, V_STR, V_BOOL } kind;
  int64_t i;
  const char *s;
  size_t len;
} value;

static value ref_value(const dsl_m_expr *e, const msgpack_object *form, const msgpack_object *applicant,
                       const eng_snap *s) {
  value v = {V_NONE, 0, NULL, 0};
  if (e->scope) {
    const msgpack_object *o = eng__get(form, e->text);
    if (o == NULL)
      return v;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
      v.kind = V_INT, v.i = (int64_t)o->via.u64;
    else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
      v.kind = V_INT, v.i = o->via.i64;
    else if (o->type == MSGPACK_OBJECT_BOOLEAN)
      v.kind = V_BOOL, v.i = o->via.boolean;
    else if (o->type == MSGPACK_OBJECT_STR)
      v.kind = V_STR, v.s = o->via.str.ptr, v.len = o->via.str.size;
    return v;
  }
  if (!strcmp(e->text, "channel"))
    v.kind = V_STR, v.s = s->channel, v.len = strlen(s->channel);
  else if (!strcmp(e->text, "applicant")) {
    /* The applicant block's kind; a dossier filed before blocks: a person. */
    const msgpack_object *kind = applicant ? eng__get(applicant, "kind") : NULL;
    if (kind && kind->type == MSGPACK_OBJECT_STR && kind->via.str.size)
      v.kind = V_STR, v.s = kind->via.str.ptr, v.len = kind->via.str.size;
    else
      v.kind = V_STR, v.s = "person", v.len = 6;
  }
  else if (!strcmp(e->text, "fee_paid"))
    v.kind = V_BOOL, v.i = s->fee_paid;
  else /* urgent: urgency comes with its own issue */
    v.kind = V_BOOL, v.i = 0;
  return v;
}

int eng__cond_eval(const dsl_m_expr *e, const msgpack_object *form, const msgpack_object *applicant, const eng_snap *s,
                   bool *out) {
  bool a, b;
  int rc;
  if (e == NULL)
    return MC_EINVAL;
  if (!strcmp(e->op, "or") || !strcmp(e->op, "and")) {
    if ((rc = eng__cond_eval(e->a, form, applicant, s, &a)) || (rc = eng__cond_eval(e->b, form, applicant, s, &b)))
      return rc;
    *out = !strcmp(e->op, "or") ? a || b : a && b;
    return 0;
  }
  if (!strcmp(e->op, "not")) {
    if ((rc = eng__cond_eval(e->a, form, applicant, s, &a)))
      return rc;
    *out = !a;
    return 0;
  }
  if (!strcmp(e->op, "ref")) {
    value v = ref_value(e, form, applicant, s);
    *out = v.kind == V_BOOL && v.i;
    return 0;
  }
  if (!strcmp(e->op, "cmp")) {
    value v = ref_value(e->a, form, applicant, s);
    const dsl_m_expr *lit = e->b;
    int c;
    if (v.kind == V_NONE) { /* an empty optional field matches nothing */
      *out = !strcmp(e->cmp, "!=");
      return 0;
    }
    if (!strcmp(lit->op, "int") && v.kind == V_INT)
      c = v.i < lit->value ? -1 : v.i > lit->value;
    else if (!strcmp(lit->op, "bool") && v.kind == V_BOOL)
      c = v.i != lit->value;
    else if ((!strcmp(lit->op, "str") || !strcmp(lit->op, "name")) && v.kind == V_STR)
      c = strlen(lit->text) == v.len && memcmp(lit->text, v.s, v.len) == 0 ? 0 : 1;
    else
      return MC_EINVAL;
    const char *op = e->cmp;
    *out = !strcmp(op, "==") ? c == 0 : !strcmp(op, "!=") ? c != 0 : !strcmp(op, "<") ? c < 0
         : !strcmp(op, "<=") ? c <= 0 : !strcmp(op, ">") ? c > 0 : c >= 0;
    return 0;
  }
  return MC_EINVAL;
}

int eng__fee(const dsl_m_expr *e, const msgpack_object *form, int64_t *vnd) {
  int64_t a, b;
  int rc;
  if (e == NULL) {
    *vnd = 0;
    return 0;
  }
  if (!strcmp(e->op, "money")) {
    *vnd = e->value;
    return 0;
  }
  if (!strcmp(e->op, "ref")) {
    const msgpack_object *o = e->scope ? eng__get(form, e->text) : NULL;
    *vnd = o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t)o->via.u64 : 0; /* empty: none */
    return 0;
  }
  if ((rc = eng__fee(e->a, form, &a)) || (rc = eng__fee(e->b, form, &b)))
    return rc;
  if (!strcmp(e->op, "add"))
    return __builtin_add_overflow(a, b, vnd) ? MC_ERANGE : 0;
  if (!strcmp(e->op, "mul"))
    return __builtin_mul_overflow(a, b, vnd) ? MC_ERANGE : 0;
  return MC_EINVAL;
}
