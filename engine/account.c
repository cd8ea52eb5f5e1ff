/* account.c — accounts in the legal record.
 *
 * Who could act, in which agency and role, and from when, is part of the
 * record an auditor replays: an applicant's account enters the log when its
 * one-time code is verified ("account.registered"), an official's when an
 * administrator creates it ("account.created"), and leaving or returning is
 * "account.disabled" / "account.enabled".  Passwords, sessions, codes and
 * unverified registrations are not here: office/accounts.c keeps them in aux
 * databases outside the chain (ARCHITECTURE.md, "What is not in the legal
 * record").
 *
 * The projection ENG_PROJ_ACCOUNTS keeps each account as it stands:
 * id -> canonical {agency, disabled, email, kind, name, phone, roles, since}.
 */
#include "engine/engine-int.h"

#include "base/error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The roles an official may hold (DOMAIN.md; system_admin is province-wide). */
static const char *const official_roles[] = {"reception", "specialist", "leader",      "agency_admin",
                                             "auditor",   "system_admin", "postal", NULL};

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return false;
  return true;
}

bool eng_account_id_valid(const char *kind, const char *id, char *why, size_t size) {
  size_t n = id ? strlen(id) : 0;
  if (kind && !strcmp(kind, "person")) {
    if (n == 12 && all_digits(id, n))
      return true;
    snprintf(why, size, "a person's account is their citizen id: 12 digits (\"%s\" is not)", id ? id : "");
    return false;
  }
  if (kind && !strcmp(kind, "organisation")) {
    if ((n == 10 && all_digits(id, n)) || (n == 14 && all_digits(id, 10) && id[10] == '-' && all_digits(id + 11, 3)))
      return true;
    snprintf(why, size, "an organisation's account is its tax code: 10 digits, or 10-3 for a branch (\"%s\" is not)",
             id ? id : "");
    return false;
  }
  if (kind && !strcmp(kind, "official")) {
    bool ok = n >= 3 && n <= 48 && islower((unsigned char)id[0]);
    for (size_t i = 0; ok && i < n; i++)
      ok = islower((unsigned char)id[i]) || isdigit((unsigned char)id[i]) || id[i] == '.' || id[i] == '_' ||
           id[i] == '-';
    if (ok)
      return true;
    snprintf(why, size,
             "an official's account is 3 to 48 of a-z, 0-9, '.', '_', '-', starting with a letter (\"%s\" is not)",
             id ? id : "");
    return false;
  }
  snprintf(why, size, "the kind of account is \"person\", \"organisation\" or \"official\", not \"%s\"",
           kind ? kind : "");
  return false;
}

/* A refusal from the table (engine/refusals.h). */
#define refuse(r, code, ...) ENG_REFUSE((r), (code), __VA_ARGS__)

static bool has_role(const eng_actor *a, const char *role) { return a->role && !strcmp(a->role, role); }

/* Is `agency` in the directory in effect? */
static int agency_known(eng_engine *e, store_batch *b, mc_instant now, const char *agency, bool *known) {
  uint8_t hash[32];
  eng_def *dir;
  *known = false;
  int rc = eng__def_current(e, b, ENG_DEF_DIRECTORY, "directory", now, hash);
  if (rc == 0)
    rc = eng__def_load(e, b, hash, ENG_DEF_DIRECTORY, &dir);
  if (rc)
    return rc;
  *known = dsl_directory_find(dir->directory, agency) != NULL;
  return 0;
}

int eng__account_load(store_batch *b, const char *id, eng_account_view *out, bool *exists) {
  const void *v;
  size_t vlen;
  int rc = store_cmd_proj_get(b, ENG_PROJ_ACCOUNTS, id, strlen(id), &v, &vlen);
  *exists = rc == 0;
  if (rc == MC_ENOENT)
    return 0;
  if (rc)
    return rc;
  if ((rc = eng__account_decode(v, vlen, out)) == 0)
    snprintf(out->id, sizeof out->id, "%s", id);
  return rc;
}

static int append(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, eng_event_type type,
                  const eng_account_view *a, eng_result *r) {
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, 8);
  mc_canon_kv_str(&w, "agency", a->agency);
  mc_canon_kv_bool(&w, "disabled", a->disabled);
  mc_canon_kv_str(&w, "email", a->email);
  mc_canon_kv_str(&w, "kind", a->kind);
  mc_canon_kv_str(&w, "name", a->name);
  mc_canon_kv_str(&w, "phone", a->phone);
  mc_canon_key(&w, "roles");
  mc_canon_array(&w, (uint32_t)a->nroles);
  for (int i = 0; i < a->nroles; i++)
    mc_canon_cstr(&w, a->roles[i]);
  mc_canon_kv_int(&w, "since", a->since);
  int rc = mc_canon_finish(&w);
  if (rc) {
    mc_buf_free(&data);
    return refuse(r, rc, ACCOUNT_UNENCODABLE);
  }
  char stream[96];
  snprintf(stream, sizeof stream, "account/%s", a->id);
  store_event_in in = {.stream = stream, .expected_version = STORE_ANY_VERSION, .type = eng_event_name(type), .time = now,
                       .actor = {c->actor.who, c->actor.role, c->actor.client}, .data = data.data,
                       .data_len = data.len};
  rc = store_append(b, &in, &r->first_seq, NULL);
  mc_buf_free(&data);
  if (rc == 0)
    eng__tap_other(e, r->first_seq, &in);
  if (rc)
    return eng__refuse_store(r, rc, store_errmsg(e->st));
  return 0;
}

/* Copies text into a fixed field, refusing what does not fit. */
static int put(eng_result *r, char *dst, size_t size, const char *src, const char *what, const char *what_vi) {
  if (src == NULL)
    src = "";
  if (strlen(src) >= size)
    return refuse(r, MC_ETOOBIG, ACCOUNT_TEXT_TOO_LONG, what, what_vi, size - 1);
  memcpy(dst, src, strlen(src) + 1);
  return 0;
}

static int create(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, eng_result *r,
                  bool registering) {
  const eng_account_args *arg = &c->account;
  eng_account_view a;
  bool exists;
  char why[200];
  int rc;
  memset(&a, 0, sizeof a);
  const char *kind = registering ? arg->kind : "official";
  if (registering && kind && !strcmp(kind, "official"))
    return refuse(r, MC_EINVAL, REGISTER_NOT_OFFICIAL);
  if (registering && !has_role(&c->actor, "system"))
    return refuse(r, MC_EACCES, REGISTER_BY_SERVER);
  if (!eng_account_id_valid(kind, arg->id, why, sizeof why))
    return refuse(r, MC_EINVAL, ACCOUNT_ID_INVALID, why, arg->id ? arg->id : "");
  if (arg->name == NULL || arg->name[0] == '\0')
    return refuse(r, MC_EINVAL, ACCOUNT_NAME_MISSING);
  if ((rc = eng__account_load(b, arg->id, &a, &exists)))
    return refuse(r, rc, ACCOUNT_UNREADABLE, arg->id);
  if (exists)
    return refuse(r, MC_ECONFLICT, ACCOUNT_EXISTS, arg->id);
  if ((rc = put(r, a.id, sizeof a.id, arg->id, "account id", "Mã tài khoản")) ||
      (rc = put(r, a.kind, sizeof a.kind, kind, "kind", "Loại tài khoản")) ||
      (rc = put(r, a.name, sizeof a.name, arg->name, "name", "Họ tên")) ||
      (rc = put(r, a.email, sizeof a.email, arg->email, "e-mail", "Địa chỉ thư điện tử")) ||
      (rc = put(r, a.phone, sizeof a.phone, arg->phone, "phone number", "Số điện thoại")))
    return rc;
  a.since = now;
  if (registering) {
    if (!has_role(&c->actor, "system"))
      return refuse(r, MC_EACCES, REGISTER_BY_SERVER);
    if ((!arg->email || !arg->email[0]) && (!arg->phone || !arg->phone[0]))
      return refuse(r, MC_EINVAL, ACCOUNT_CONTACT_MISSING);
    snprintf(a.roles[0], sizeof a.roles[0], "applicant");
    a.nroles = 1;
    return append(e, b, now, c, ENG_EV_ACCOUNT_REGISTERED, &a, r);
  }
  /* An official or an auditor, by an administrator. */
  bool system = has_role(&c->actor, "system_admin") || has_role(&c->actor, "system");
  if (!system && !has_role(&c->actor, "agency_admin"))
    return refuse(r, MC_EACCES, ACCOUNT_CREATE_FORBIDDEN);
  /* The province-wide roles need no agency; every other role is an agency's. */
  bool province_wide = arg->roles.n > 0;
  for (int i = 0; i < arg->roles.n; i++)
    province_wide &= arg->roles.list[i] &&
                     (!strcmp(arg->roles.list[i], "system_admin") || !strcmp(arg->roles.list[i], "auditor"));
  if ((arg->agency == NULL || arg->agency[0] == '\0') && !province_wide)
    return refuse(r, MC_EINVAL, OFFICIAL_AGENCY_MISSING);
  if (!system && (c->actor.agency == NULL || arg->agency == NULL || strcmp(c->actor.agency, arg->agency)))
    return refuse(r, MC_EACCES, ACCOUNT_OTHER_AGENCY,
                  c->actor.agency ? c->actor.agency : "no agency", c->actor.agency ? c->actor.agency : "it",
                  arg->agency ? arg->agency : "no agency (a province-wide role)");
  bool known = true;
  if (arg->agency && arg->agency[0] && (rc = agency_known(e, b, now, arg->agency, &known)))
    return refuse(r, rc, DIRECTORY_NOT_PUBLISHED);
  if (!known)
    return refuse(r, MC_ENOENT, AGENCY_UNKNOWN, arg->agency);
  if ((rc = put(r, a.agency, sizeof a.agency, arg->agency, "agency code", "Mã cơ quan")))
    return rc;
  if (arg->roles.n < 1 || arg->roles.n > ENG_MAX_ROLES)
    return refuse(r, MC_EINVAL, OFFICIAL_ROLES_COUNT,
                  ENG_MAX_ROLES);
  for (int i = 0; i < arg->roles.n; i++) {
    bool valid = false;
    for (int k = 0; official_roles[k] && !valid; k++)
      valid = arg->roles.list[i] && !strcmp(arg->roles.list[i], official_roles[k]);
    if (!valid || arg->roles.list[i] == NULL)
      return refuse(r, MC_EINVAL, ROLE_UNKNOWN,
                    arg->roles.list[i] ? arg->roles.list[i] : "(none)");
    if ((!strcmp(arg->roles.list[i], "system_admin") || !strcmp(arg->roles.list[i], "auditor")) && !system)
      return refuse(r, MC_EACCES, ROLE_PROVINCE_WIDE, arg->roles.list[i]);
    for (int k = 0; k < i; k++)
      if (!strcmp(arg->roles.list[k], arg->roles.list[i]))
        return refuse(r, MC_EINVAL, ROLE_TWICE, arg->roles.list[i]);
    snprintf(a.roles[i], sizeof a.roles[i], "%s", arg->roles.list[i]);
  }
  a.nroles = arg->roles.n;
  return append(e, b, now, c, ENG_EV_ACCOUNT_CREATED, &a, r);
}

static int set_disabled(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, eng_result *r,
                        bool disabled) {
  const eng_account_args *arg = &c->account;
  eng_account_view a;
  bool exists;
  int rc;
  if (arg->id == NULL || arg->id[0] == '\0')
    return refuse(r, MC_EINVAL, ACCOUNT_UNNAMED);
  if ((rc = eng__account_load(b, arg->id, &a, &exists)))
    return refuse(r, rc, ACCOUNT_UNREADABLE, arg->id);
  if (!exists)
    return refuse(r, MC_ENOENT, ACCOUNT_UNKNOWN, arg->id);
  bool system = has_role(&c->actor, "system_admin") || has_role(&c->actor, "system");
  bool own_admin = has_role(&c->actor, "agency_admin") && a.agency[0] && c->actor.agency &&
                   !strcmp(c->actor.agency, a.agency);
  if (!system && !own_admin)
    return a.agency[0] ? refuse(r, MC_EACCES, ACCOUNT_TOGGLE_FORBIDDEN, a.agency)
                       : refuse(r, MC_EACCES, APPLICANT_TOGGLE_FORBIDDEN);
  for (int i = 0; i < a.nroles && !system; i++)
    if (!strcmp(a.roles[i], "system_admin") || !strcmp(a.roles[i], "auditor"))
      return refuse(r, MC_EACCES, ACCOUNT_PROVINCE_WIDE,
                    a.id, a.roles[i]);
  if (c->actor.who && !strcmp(c->actor.who, a.id) && disabled)
    return refuse(r, MC_EINVAL, ACCOUNT_OWN);
  if (a.disabled == disabled)
    return disabled ? refuse(r, MC_ECONFLICT, ACCOUNT_ALREADY_DISABLED, a.id)
                    : refuse(r, MC_ECONFLICT, ACCOUNT_ALREADY_ENABLED, a.id);
  a.disabled = disabled;
  return append(e, b, now, c, disabled ? ENG_EV_ACCOUNT_DISABLED : ENG_EV_ACCOUNT_ENABLED, &a, r);
}

int eng__account_decide(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, eng_result *r) {
  const char *op = c->account.op ? c->account.op : "";
  if (!strcmp(op, "register"))
    return create(e, b, now, c, r, true);
  if (!strcmp(op, "create"))
    return create(e, b, now, c, r, false);
  if (!strcmp(op, "disable"))
    return set_disabled(e, b, now, c, r, true);
  if (!strcmp(op, "enable"))
    return set_disabled(e, b, now, c, r, false);
  return refuse(r, MC_EINVAL, ACCOUNT_OP_UNKNOWN, op);
}

int eng__account_decode(const void *data, size_t len, eng_account_view *out) {
  msgpack_unpacked u;
  size_t off = 0;
  memset(out, 0, sizeof *out);
  msgpack_unpacked_init(&u);
  int rc = msgpack_unpack_next(&u, data, len, &off) == MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP
               ? 0
               : MC_EPARSE;
  if (rc == 0) {
    const msgpack_object *o = &u.data, *roles = eng__get(o, "roles"), *since = eng__get(o, "since"),
                         *dis = eng__get(o, "disabled");
    eng__str_copy(eng__get(o, "agency"), out->agency, sizeof out->agency);
    eng__str_copy(eng__get(o, "email"), out->email, sizeof out->email);
    eng__str_copy(eng__get(o, "kind"), out->kind, sizeof out->kind);
    eng__str_copy(eng__get(o, "name"), out->name, sizeof out->name);
    eng__str_copy(eng__get(o, "phone"), out->phone, sizeof out->phone);
    out->disabled = dis && dis->type == MSGPACK_OBJECT_BOOLEAN && dis->via.boolean;
    out->since = since && since->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (mc_instant)since->via.u64 : 0;
    for (uint32_t i = 0; roles && roles->type == MSGPACK_OBJECT_ARRAY && i < roles->via.array.size &&
                         out->nroles < ENG_MAX_ROLES;
         i++)
      eng__str_copy(&roles->via.array.ptr[i], out->roles[out->nroles++], sizeof out->roles[0]);
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

/* The projection: an account event carries the account as it stands. */
int eng__account_apply(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng_event_is_account(eng__event_type(ev)))
    return 0;
  if (ev->stream.len <= 8)
    return MC_EPARSE;
  return store_proj_put(tx, ev->stream.ptr + 8, ev->stream.len - 8, ev->data, ev->data_len);
}

int eng_account_get(eng_engine *e, const char *id, eng_account_view *out) {
  store_read *rd;
  const void *v;
  size_t vlen;
  int rc;
  memset(out, 0, sizeof *out);
  if (id == NULL || id[0] == '\0')
    return MC_ENOENT;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  rc = store_read_proj(rd, ENG_PROJ_ACCOUNTS, id, strlen(id), &v, &vlen);
  if (rc == 0 && (rc = eng__account_decode(v, vlen, out)) == 0)
    snprintf(out->id, sizeof out->id, "%s", id);
  store_read_end(rd);
  return rc;
}

typedef struct officials_ctx {
  const char *agency;
  eng_account_fn fn;
  void *opaque;
} officials_ctx;

static int official_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  officials_ctx *c = opaque;
  const char *id = key;
  /* An official's id begins with a-z (eng_account_id_valid): past 'z' the range ends. */
  if (klen == 0 || id[0] < 'a' || id[0] > 'z')
    return 1;
  eng_account_view a;
  if (klen >= sizeof a.id || eng__account_decode(val, vlen, &a) != 0)
    return MC_ECORRUPT;
  memcpy(a.id, id, klen);
  a.id[klen] = '\0';
  if (c->agency && strcmp(a.agency, c->agency))
    return 0;
  return c->fn(c->opaque, &a);
}

int eng_officials(eng_engine *e, const char *agency, eng_account_fn fn, void *opaque) {
  store_read *rd;
  int rc;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  officials_ctx c = {agency, fn, opaque};
  rc = store_read_proj_scan(rd, ENG_PROJ_ACCOUNTS, "a", 1, official_one, &c);
  store_read_end(rd);
  return rc < 0 ? rc : 0;
}
