/* applicant.c — who filed a dossier: the applicant block every submission
 * carries apart from its e-form (docs/ENGINE.md, "The applicant block").
 *
 * Online the block is the applicant's account (kind, name, citizen id or tax
 * code, its e-mail and phone); the applicant may add an address and other
 * contacts for this dossier, never another identity.  At the desk or by post
 * reception enters it whole.  It is checked like an e-form (all its faults
 * at once, each named "applicant.<field>"), re-encoded canonically and
 * recorded in the event that files the dossier; messages, search, the
 * receipt and the national portal read the applicant from it.
 */
#include "engine/decide.h"

#include "base/error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {"person", "organisation", NULL};
static const char *const id_types[] = {"citizen_id", "tax_code", "passport", NULL};

/* The block's fields, by name (the order of a canonical map). */
#define BLOCK_FIELDS 7
static const dsl_m_field block_fields[BLOCK_FIELDS] = {
    {.name = "address", .label = "Địa chỉ", .type = DSL_M_TEXT, .has_bounds = true, .min = 0, .max = 300},
    {.name = "email", .label = "Thư điện tử", .type = DSL_M_EMAIL, .has_bounds = true, .min = 0, .max = 127},
    {.name = "id_number", .label = "Số giấy tờ (số định danh, mã số thuế, hộ chiếu)", .type = DSL_M_TEXT,
     .required = true, .has_bounds = true, .min = 1, .max = 20},
    {.name = "id_type", .label = "Loại giấy tờ", .type = DSL_M_ENUM, .values = id_types, .nvalues = 3},
    {.name = "kind", .label = "Đối tượng (cá nhân, tổ chức)", .type = DSL_M_ENUM, .required = true, .values = kinds,
     .nvalues = 2},
    {.name = "name", .label = "Họ và tên (tên tổ chức)", .type = DSL_M_TEXT, .required = true, .has_bounds = true,
     .min = 1, .max = 127},
    {.name = "phone", .label = "Số điện thoại", .type = DSL_M_PHONE},
};
enum { F_ADDRESS, F_EMAIL, F_ID_NUMBER, F_ID_TYPE, F_KIND, F_NAME, F_PHONE };

/* The values of a block as text (not NUL-terminated), by field. */
typedef struct block {
  const char *v[BLOCK_FIELDS];
  size_t len[BLOCK_FIELDS];
} block;

static int field_index(const msgpack_object *k) {
  for (int i = 0; i < BLOCK_FIELDS; i++)
    if (eng__str_is(k, block_fields[i].name))
      return i;
  return -1;
}

static bool is(const block *b, int f, const char *s) {
  return b->v[f] && b->len[f] == strlen(s) && memcmp(b->v[f], s, b->len[f]) == 0;
}

static void set(block *b, int f, const char *s) { b->v[f] = s, b->len[f] = strlen(s); }

/* Packs `b` with the unknown keys of `given` (for the check to name them). */
static void pack(const block *b, const msgpack_object *given, msgpack_sbuffer *out) {
  msgpack_packer pk;
  msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
  uint32_t n = 0, unknown = 0;
  for (int i = 0; i < BLOCK_FIELDS; i++)
    n += b->v[i] != NULL;
  if (given)
    for (uint32_t i = 0; i < given->via.map.size; i++)
      unknown += field_index(&given->via.map.ptr[i].key) < 0;
  msgpack_pack_map(&pk, n + unknown);
  for (int i = 0; i < BLOCK_FIELDS; i++)
    if (b->v[i]) {
      msgpack_pack_str_with_body(&pk, block_fields[i].name, strlen(block_fields[i].name));
      msgpack_pack_str_with_body(&pk, b->v[i], b->len[i]);
    }
  if (given)
    for (uint32_t i = 0; i < given->via.map.size; i++)
      if (field_index(&given->via.map.ptr[i].key) < 0) {
        msgpack_pack_object(&pk, given->via.map.ptr[i].key);
        msgpack_pack_object(&pk, given->via.map.ptr[i].val);
      }
}

static bool digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return false;
  return n > 0;
}

/* The identity number as its type writes it. */
static bool id_number_valid(const char *type, const char *s, size_t n) {
  if (!strcmp(type, "citizen_id"))
    return n == 12 && digits(s, n);
  if (!strcmp(type, "tax_code"))
    return (n == 10 && digits(s, 10)) || (n == 14 && digits(s, 10) && s[10] == '-' && digits(s + 11, 3));
  bool ok = n >= 6 && n <= 20; /* a passport: letters and digits */
  for (size_t i = 0; ok && i < n; i++)
    ok = isdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]);
  return ok;
}

static const char *id_type_vi(const char *type) {
  return !strcmp(type, "citizen_id") ? "số định danh cá nhân gồm 12 chữ số"
         : !strcmp(type, "tax_code") ? "mã số thuế gồm 10 chữ số, hoặc 10-3 cho chi nhánh"
                                     : "số hộ chiếu gồm 6 đến 20 chữ in hoa và chữ số";
}

int dec_applicant_block(decide *d, bool online, mc_buf *canonical) {
  const eng_command *c = d->cmd;
  const eng_bytes *given = &c->submit.applicant;
  msgpack_unpacked u;
  msgpack_unpacked_init(&u);
  const msgpack_object *map = NULL;
  size_t off = 0;
  if (given->len > 0) {
    if (msgpack_unpack_next(&u, (const char *)given->data, given->len, &off) != MSGPACK_UNPACK_SUCCESS ||
        off != given->len || u.data.type != MSGPACK_OBJECT_MAP) {
      msgpack_unpacked_destroy(&u);
      return refuse(d, MC_EINVAL, APPLICANT_NOT_A_MAP);
    }
    map = &u.data;
  }
  block b;
  memset(&b, 0, sizeof b);
  for (uint32_t i = 0; map && i < map->via.map.size; i++) {
    int f = field_index(&map->via.map.ptr[i].key);
    const msgpack_object *v = &map->via.map.ptr[i].val;
    if (f >= 0 && v->type == MSGPACK_OBJECT_STR)
      b.v[f] = v->via.str.ptr, b.len[f] = v->via.str.size;
  }
  dsl_m_field fields[BLOCK_FIELDS];
  memcpy(fields, block_fields, sizeof fields);
  eng_account_view acc;
  bool has_account = false;
  int rc = 0, faults = 0;
  if (online) {
    if ((rc = eng__account_load(d->b, c->actor.who, &acc, &has_account))) {
      msgpack_unpacked_destroy(&u);
      return refuse(d, rc, ACCOUNT_UNREADABLE, c->actor.who);
    }
    if (has_account) {
      /* The identity is the account's: given again, it must be the same. */
      const char *type = !strcmp(acc.kind, "organisation") ? "tax_code" : "citizen_id";
      const char *mine[BLOCK_FIELDS] = {[F_ID_NUMBER] = acc.id, [F_ID_TYPE] = type, [F_KIND] = acc.kind,
                                        [F_NAME] = acc.name};
      for (int f = 0; f < BLOCK_FIELDS; f++) {
        if (mine[f] == NULL)
          continue;
        if (b.v[f] && !is(&b, f, mine[f])) {
          char path[72];
          snprintf(path, sizeof path, "applicant.%s", block_fields[f].name);
          eng_field_error *e = d->res->nfields < ENG_MAX_FIELD_ERRORS ? &d->res->fields[d->res->nfields] : NULL;
          refuse_field(d, MC_EINVAL, path, "values", APPLICANT_FROM_ACCOUNT, block_fields[f].name,
                       block_fields[f].label, mine[f]);
          if (e) {
            e->nvalues = 1;
            snprintf(e->values[0], sizeof e->values[0], "%s", mine[f]);
          }
          faults++;
        }
        set(&b, f, mine[f]);
      }
      if (b.v[F_EMAIL] == NULL && acc.email[0])
        set(&b, F_EMAIL, acc.email);
      if (b.v[F_PHONE] == NULL && acc.phone[0])
        set(&b, F_PHONE, acc.phone);
    } else {
      /* No account in the log: only the command line files so (a
       * rehearsal); the block is what it gives, the id the actor's. */
      if (b.v[F_ID_NUMBER] == NULL)
        set(&b, F_ID_NUMBER, c->actor.who);
      fields[F_KIND].required = fields[F_NAME].required = false;
    }
  } else if (map == NULL) {
    msgpack_unpacked_destroy(&u);
    return refuse(d, MC_EINVAL, APPLICANT_REQUIRED, c->submit.channel);
  }
  if (b.v[F_ID_TYPE] == NULL && is(&b, F_KIND, "organisation"))
    set(&b, F_ID_TYPE, "tax_code");
  else if (b.v[F_ID_TYPE] == NULL && is(&b, F_KIND, "person"))
    set(&b, F_ID_TYPE, "citizen_id");
  msgpack_sbuffer merged;
  msgpack_sbuffer_init(&merged);
  pack(&b, map, &merged);
  if (faults) {
    /* Also every other fault, at once. */
    eng_result scratch;
    memset(&scratch, 0, sizeof scratch);
    mc_buf ignored = MC_BUF_INIT;
    (void)eng__map_validate(fields, BLOCK_FIELDS, "applicant", (const uint8_t *)merged.data, merged.size, &ignored,
                            &scratch);
    mc_buf_free(&ignored);
    for (int i = 0; i < scratch.nfields && i < ENG_MAX_FIELD_ERRORS && d->res->nfields < ENG_MAX_FIELD_ERRORS; i++)
      d->res->fields[d->res->nfields++] = scratch.fields[i];
    rc = MC_EINVAL;
  } else {
    rc = eng__map_validate(fields, BLOCK_FIELDS, "applicant", (const uint8_t *)merged.data, merged.size, canonical,
                           d->res);
  }
  msgpack_sbuffer_destroy(&merged);
  msgpack_unpacked_destroy(&u);
  if (rc)
    return rc;
  /* The number as its type writes it (the canonical block: NFC). */
  eng_applicant_view view;
  if ((rc = eng_applicant_decode(canonical->data, canonical->len, &view)))
    return refuse(d, rc, APPLICANT_NOT_A_MAP);
  if (view.id_type[0] && view.id_number[0] &&
      !id_number_valid(view.id_type, view.id_number, strlen(view.id_number)) && has_account == false) {
    mc_buf_reset(canonical);
    return refuse_field(d, MC_EINVAL, "applicant.id_number", "pattern", APPLICANT_ID_NUMBER, view.id_number,
                        view.id_type, id_type_vi(view.id_type));
  }
  return 0;
}

int eng_applicant_decode(const void *bytes, size_t len, eng_applicant_view *out) {
  memset(out, 0, sizeof *out);
  if (bytes == NULL || len == 0)
    return 0;
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  int rc = 0;
  if (msgpack_unpack_next(&u, bytes, len, &off) != MSGPACK_UNPACK_SUCCESS || u.data.type != MSGPACK_OBJECT_MAP) {
    rc = MC_EPARSE;
  } else {
    const msgpack_object *m = &u.data;
    eng__str_copy(eng__get(m, "address"), out->address, sizeof out->address);
    eng__str_copy(eng__get(m, "email"), out->email, sizeof out->email);
    eng__str_copy(eng__get(m, "id_number"), out->id_number, sizeof out->id_number);
    eng__str_copy(eng__get(m, "id_type"), out->id_type, sizeof out->id_type);
    eng__str_copy(eng__get(m, "kind"), out->kind, sizeof out->kind);
    eng__str_copy(eng__get(m, "name"), out->name, sizeof out->name);
    eng__str_copy(eng__get(m, "phone"), out->phone, sizeof out->phone);
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}
