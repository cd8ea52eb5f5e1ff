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

/* The roles an official may hold whatever the procedures (DOMAIN.md;
 * system_admin and auditor are province-wide); besides, those the steps of
 * a procedure in effect name (check_roles). */
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

/* ------------------------------------------------------------ roles */

#define ENG_ROLE_BYTES ((int)sizeof(((eng_account_view *)0)->roles[0]))

static bool province_wide_role(const char *role) { return !strcmp(role, "system_admin") || !strcmp(role, "auditor"); }

/* The roles an official may hold: the fixed ones, and every role a step of a
 * procedure in effect names (`by ROLE`, `escalate to ROLE`: an agency's own,
 * declared with `role NAME "TITLE"`), but the applicant's and the server's
 * own (`system`).  Read only when a role is not a fixed one. */
typedef struct role_set {
  char names[64][ENG_ROLE_BYTES];
  int n;
} role_set;

static bool role_in(const role_set *set, const char *role) {
  for (int i = 0; i < set->n; i++)
    if (!strcmp(set->names[i], role))
      return true;
  return false;
}

static void role_add(role_set *set, const char *role) {
  if (role && strcmp(role, "applicant") && strcmp(role, "system") && strlen(role) < ENG_ROLE_BYTES &&
      !role_in(set, role) && set->n < (int)(sizeof set->names / sizeof set->names[0]))
    snprintf(set->names[set->n++], ENG_ROLE_BYTES, "%s", role);
}

static void fixed_roles(role_set *set) {
  set->n = 0;
  for (int k = 0; official_roles[k]; k++)
    role_add(set, official_roles[k]);
}

static int roles_of_procedure(void *opaque, eng_def *def) {
  const dsl_machine *m = def->machine;
  for (int i = 0; m && i < m->nnodes; i++) {
    role_add(opaque, m->nodes[i].role);
    role_add(opaque, m->nodes[i].escalate);
  }
  return 0;
}

/* "reception, specialist, ..." of a set, cut to fit `size`. */
static void roles_text(const role_set *set, char *out, size_t size) {
  size_t len = 0;
  out[0] = '\0';
  for (int i = 0; i < set->n && len + strlen(set->names[i]) + 3 < size; i++)
    len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", set->names[i]);
}

/* Checks an official's roles — 1 to ENG_MAX_ROLES, each one an official may
 * hold (the fixed ones, or one a procedure in effect names), none twice, the
 * province-wide ones (system_admin, auditor) given by a system_admin only,
 * an agency unless every role is province-wide — and copies them into `a`. */
static int check_roles(eng_engine *e, store_batch *b, mc_instant now, const eng_texts *roles, const char *agency,
                       bool system, eng_account_view *a, eng_result *r) {
  role_set known;
  bool procedures_read = false;
  int rc;
  fixed_roles(&known);
  if (roles->n < 1 || roles->n > ENG_MAX_ROLES)
    return refuse(r, MC_EINVAL, OFFICIAL_ROLES_COUNT, ENG_MAX_ROLES);
  bool province_wide = true;
  for (int i = 0; i < roles->n; i++) {
    const char *role = roles->list[i];
    if (role && !role_in(&known, role) && !procedures_read) {
      if ((rc = eng__defs_in_effect(e, b, ENG_DEF_PROCEDURE, now, roles_of_procedure, &known)))
        return eng__refuse_store(r, rc, store_errmsg(e->st));
      procedures_read = true;
    }
    if (role == NULL || !role_in(&known, role)) {
      char list[300];
      roles_text(&known, list, sizeof list);
      return refuse(r, MC_EINVAL, ROLE_UNKNOWN, role ? role : "(none)", list);
    }
    if (province_wide_role(role) && !system)
      return refuse(r, MC_EACCES, ROLE_PROVINCE_WIDE, role);
    for (int k = 0; k < i; k++)
      if (!strcmp(roles->list[k], role))
        return refuse(r, MC_EINVAL, ROLE_TWICE, role);
    province_wide &= province_wide_role(role);
    snprintf(a->roles[i], sizeof a->roles[i], "%s", role);
  }
  if ((agency == NULL || agency[0] == '\0') && !province_wide)
    return refuse(r, MC_EINVAL, OFFICIAL_AGENCY_MISSING);
  a->nroles = roles->n;
  return 0;
}

/* ------------------------------------------------------------ managing an account */

static bool system_actor(const eng_actor *actor) { return has_role(actor, "system_admin") || has_role(actor, "system"); }

int eng_account_may_manage(const eng_actor *actor, const eng_account_view *a, const char *doing, const char *doing_vi,
                           eng_result *r) {
  if (system_actor(actor))
    return 0;
  for (int i = 0; i < a->nroles; i++)
    if (province_wide_role(a->roles[i]))
      return refuse(r, MC_EACCES, ACCOUNT_PROVINCE_WIDE, a->id, a->roles[i], doing, doing_vi);
  if (!a->agency[0])
    return refuse(r, MC_EACCES, APPLICANT_TOGGLE_FORBIDDEN, doing, doing_vi);
  if (!has_role(actor, "agency_admin") || actor->agency == NULL || strcmp(actor->agency, a->agency))
    return refuse(r, MC_EACCES, ACCOUNT_TOGGLE_FORBIDDEN, a->agency, doing, doing_vi);
  return 0;
}

/* The account a command names, which the actor may manage. */
static int managed(store_batch *b, const eng_command *c, eng_account_view *a, const char *doing,
                   const char *doing_vi, eng_result *r) {
  const eng_account_args *arg = &c->account;
  bool exists;
  int rc;
  if (arg->id == NULL || arg->id[0] == '\0')
    return refuse(r, MC_EINVAL, ACCOUNT_UNNAMED);
  if ((rc = eng__account_load(b, arg->id, a, &exists)))
    return refuse(r, rc, ACCOUNT_UNREADABLE, arg->id);
  if (!exists)
    return refuse(r, MC_ENOENT, ACCOUNT_UNKNOWN, arg->id);
  return eng_account_may_manage(&c->actor, a, doing, doing_vi, r);
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
    if ((!arg->email || !arg->email[0]) && (!arg->phone || !arg->phone[0]))
      return refuse(r, MC_EINVAL, ACCOUNT_CONTACT_MISSING);
    snprintf(a.roles[0], sizeof a.roles[0], "applicant");
    a.nroles = 1;
    return append(e, b, now, c, ENG_EV_ACCOUNT_REGISTERED, &a, r);
  }
  /* An official or an auditor, by an administrator. */
  bool system = system_actor(&c->actor);
  if (!system && !has_role(&c->actor, "agency_admin"))
    return refuse(r, MC_EACCES, ACCOUNT_CREATE_FORBIDDEN);
  /* The province-wide roles need no agency; every other role is an agency's. */
  bool province_wide = arg->roles.n > 0;
  for (int i = 0; i < arg->roles.n; i++)
    province_wide &= arg->roles.list[i] && province_wide_role(arg->roles.list[i]);
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
  if ((rc = put(r, a.agency, sizeof a.agency, arg->agency, "agency code", "Mã cơ quan")) ||
      (rc = check_roles(e, b, now, &arg->roles, a.agency, system, &a, r)))
    return rc;
  return append(e, b, now, c, ENG_EV_ACCOUNT_CREATED, &a, r);
}

static int set_disabled(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, eng_result *r,
                        bool disabled) {
  eng_account_view a;
  int rc;
  if ((rc = managed(b, c, &a, "disable or enable", "khóa hoặc mở lại", r)))
    return rc;
  if (c->actor.who && !strcmp(c->actor.who, a.id) && disabled)
    return refuse(r, MC_EINVAL, ACCOUNT_OWN, "disable", "khóa");
  if (a.disabled == disabled)
    return disabled ? refuse(r, MC_ECONFLICT, ACCOUNT_ALREADY_DISABLED, a.id)
                    : refuse(r, MC_ECONFLICT, ACCOUNT_ALREADY_ENABLED, a.id);
  a.disabled = disabled;
  return append(e, b, now, c, disabled ? ENG_EV_ACCOUNT_DISABLED : ENG_EV_ACCOUNT_ENABLED, &a, r);
}

/* An official's roles, set by an administrator who may manage the account
 * (not their own: another administrator does it). */
static int set_roles(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, eng_result *r) {
  eng_account_view a, was;
  int rc;
  if ((rc = managed(b, c, &a, "set the roles of", "đổi vai trò của", r)))
    return rc;
  if (strcmp(a.kind, "official"))
    return refuse(r, MC_EINVAL, ROLES_NOT_OFFICIAL, a.id);
  if (c->actor.who && !strcmp(c->actor.who, a.id))
    return refuse(r, MC_EINVAL, ACCOUNT_OWN, "set the roles of", "đổi vai trò của");
  was = a;
  memset(a.roles, 0, sizeof a.roles);
  if ((rc = check_roles(e, b, now, &c->account.roles, a.agency, system_actor(&c->actor), &a, r)))
    return rc;
  if (a.nroles == was.nroles && !memcmp(a.roles, was.roles, sizeof a.roles))
    return refuse(r, MC_ECONFLICT, ROLES_SAME, a.id);
  return append(e, b, now, c, ENG_EV_ACCOUNT_ROLES_SET, &a, r);
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
  if (!strcmp(op, "roles"))
    return set_roles(e, b, now, c, r);
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

/* The officials of an agency merged into its successor (cmd_transfer.c,
 * when the directory that merges it is published): each moved there with
 * its roles, enabled or not, by `account.moved`. */
typedef struct moving {
  const char *from;
  mc_buf ids; /* NUL-terminated, end to end */
  int n, enabled;
} moving;

static int collect_official(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  moving *m = opaque;
  const char *id = key;
  eng_account_view a;
  if (klen == 0 || id[0] < 'a' || id[0] > 'z')
    return 1; /* past the officials (eng_officials) */
  if (klen >= sizeof a.id || eng__account_decode(val, vlen, &a) != 0)
    return MC_ECORRUPT;
  if (strcmp(a.agency, m->from))
    return 0;
  mc_buf_append(&m->ids, id, klen);
  mc_buf_append(&m->ids, "", 1);
  m->n++;
  m->enabled += !a.disabled;
  return 0;
}

int eng__agency_officials(store_batch *b, const char *agency, int *enabled) {
  moving m = {agency, MC_BUF_INIT, 0, 0};
  int rc = store_cmd_proj_scan(b, ENG_PROJ_ACCOUNTS, "a", 1, collect_official, &m);
  mc_buf_free(&m.ids);
  *enabled = m.enabled;
  return rc < 0 ? rc : 0;
}

int eng__accounts_move(eng_engine *e, store_batch *b, mc_instant now, const eng_command *c, const char *from,
                       const char *to, int *moved, eng_result *r) {
  moving m = {from, MC_BUF_INIT, 0, 0};
  int rc = store_cmd_proj_scan(b, ENG_PROJ_ACCOUNTS, "a", 1, collect_official, &m);
  *moved = 0;
  if (rc < 0) {
    mc_buf_free(&m.ids);
    return eng__refuse_store(r, rc, store_errmsg(e->st));
  }
  const char *id = (const char *)m.ids.data;
  for (int i = 0; i < m.n && rc == 0; i++, id += strlen(id) + 1) {
    eng_account_view a;
    bool exists = false;
    if ((rc = eng__account_load(b, id, &a, &exists)) != 0) {
      rc = eng__refuse_store(r, rc, store_errmsg(e->st));
      break;
    }
    snprintf(a.agency, sizeof a.agency, "%s", to);
    if ((rc = append(e, b, now, c, ENG_EV_ACCOUNT_MOVED, &a, r)) == 0)
      (*moved)++;
  }
  mc_buf_free(&m.ids);
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
