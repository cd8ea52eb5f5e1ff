/* test_accounts.c — accounts in the legal record (engine/account.c):
 * applicants registered by the server once their code is verified, officials
 * and auditors created by a system_admin or by their own agency's
 * agency_admin, accounts disabled and enabled; the account ids of each kind;
 * each refusal appends nothing; the events account.registered / created /
 * disabled / enabled on the stream "account/<id>" carry the account as it
 * stands, and the projection equals a rebuild.  Also what the server reads
 * beside them: the officials of an agency (eng_officials), a dossier event as
 * a subscriber sees it (eng_event_view_of), the definitions in effect
 * (eng_definitions) and a published calendar (eng_calendar_unpack). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/error.h"
#include "calendar/calendar.h"
#include "engine/engine.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ============================================================ helpers */

static eng_command registration(const char *kind, const char *id, const char *email, const char *phone) {
  return (eng_command){.kind = ENG_CMD_ACCOUNT, .actor = {"motcuad", "system", NULL, "test"},
                       .expected_version = STORE_ANY_VERSION,
                       .account = {.op = "register", .id = id, .kind = kind, .name = "Nguyễn Văn An", .email = email,
                                   .phone = phone}};
}

/* An official's account created by `who` acting as `role` of `actor_agency`. */
static eng_command creation(const char *who, const char *role, const char *actor_agency, const char *id,
                            const char *agency, const char *const *roles, int nroles) {
  return (eng_command){.kind = ENG_CMD_ACCOUNT, .actor = {who, role, actor_agency, "test"},
                       .expected_version = STORE_ANY_VERSION,
                       .account = {.op = "create", .id = id, .name = "Nguyễn Thị Lan", .agency = agency,
                                   .email = "lan@x01.bacninh.gov.vn", .roles = {roles, nroles}}};
}

static eng_command toggle(const char *op, const char *who, const char *role, const char *actor_agency,
                          const char *id) {
  return (eng_command){.kind = ENG_CMD_ACCOUNT, .actor = {who, role, actor_agency, "test"},
                       .expected_version = STORE_ANY_VERSION, .account = {.op = op, .id = id}};
}

static eng_account_view account(const char *id) {
  eng_account_view a;
  int rc = eng_account_get(eng, id, &a);
  if (rc)
    fail_msg("eng_account_get(%s): %s", id, mc_err_name(rc));
  return a;
}

static bool valid(const char *kind, const char *id) {
  char why[200] = "";
  bool ok = eng_account_id_valid(kind, id, why, sizeof why);
  if (!ok && why[0] == '\0')
    fail_msg("%s \"%s\" refused without a reason", kind ? kind : "(null)", id ? id : "(null)");
  return ok;
}

static bool streq(store_str s, const char *want) { return s.len == strlen(want) && !memcmp(s.ptr, want, s.len); }

/* The event at `seq`: its type, stream, version, actor; its data the account. */
static void event_is(uint64_t seq, const char *type, const char *stream, uint64_t version, const char *who,
                     const char *role, bool disabled) {
  store_read *rd;
  store_event ev;
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  assert_int_equal(store_read_event(rd, seq, &ev), 0);
  if (!streq(ev.type, type) || !streq(ev.stream, stream))
    fail_msg("event %llu is %.*s on %.*s, expected %s on %s", (unsigned long long)seq, (int)ev.type.len, ev.type.ptr,
             (int)ev.stream.len, ev.stream.ptr, type, stream);
  assert_int_equal(ev.version, version);
  assert_true(streq(ev.who, who));
  assert_true(streq(ev.role, role));
  /* The data: the account as it stands, a canonical map in key order. */
  static const char *const keys[] = {"agency", "disabled", "email", "kind", "name", "phone", "roles", "since"};
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  assert_int_equal(msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off), MSGPACK_UNPACK_SUCCESS);
  assert_int_equal(u.data.type, MSGPACK_OBJECT_MAP);
  assert_int_equal(u.data.via.map.size, 8);
  for (uint32_t i = 0; i < 8; i++) {
    const msgpack_object *k = &u.data.via.map.ptr[i].key, *v = &u.data.via.map.ptr[i].val;
    assert_int_equal(k->type, MSGPACK_OBJECT_STR);
    assert_int_equal(k->via.str.size, strlen(keys[i]));
    assert_memory_equal(k->via.str.ptr, keys[i], k->via.str.size);
    if (i == 1) {
      assert_int_equal(v->type, MSGPACK_OBJECT_BOOLEAN);
      assert_int_equal(v->via.boolean, disabled);
    }
  }
  msgpack_unpacked_destroy(&u);
  store_read_end(rd);
}

/* ============================================================ ids */

static void account_ids_of_each_kind(void **state) {
  (void)state;
  /* A person: a citizen id of 12 digits. */
  assert_true(valid("person", "001090001234"));
  assert_false(valid("person", "00109000123"));
  assert_false(valid("person", "0010900012345"));
  assert_false(valid("person", "00109000123a"));
  assert_false(valid("person", "0010-9000123"));
  assert_false(valid("person", ""));
  assert_false(valid("person", NULL));
  /* An organisation: a tax code of 10 digits, or 10-3 for a branch. */
  assert_true(valid("organisation", "0100109106"));
  assert_true(valid("organisation", "0100109106-001"));
  assert_false(valid("organisation", "010010910"));
  assert_false(valid("organisation", "01001091060"));
  assert_false(valid("organisation", "0100109106-01"));
  assert_false(valid("organisation", "0100109106-0011"));
  assert_false(valid("organisation", "0100109106001"));
  assert_false(valid("organisation", "0100109106_001"));
  assert_false(valid("organisation", "010010910a-001"));
  /* An official: 3..48 of [a-z0-9._-], starting with a letter. */
  assert_true(valid("official", "lan.nt"));
  assert_true(valid("official", "abc"));
  assert_true(valid("official", "a_b-c.9"));
  assert_false(valid("official", "ab"));
  assert_false(valid("official", "Lan.nt"));
  assert_false(valid("official", "1lan"));
  assert_false(valid("official", ".lan"));
  assert_false(valid("official", "lan nt"));
  assert_false(valid("official", "lân.nt"));
  assert_false(valid("official", "lan@x01"));
  char id[60];
  memset(id, 'a', 48);
  id[48] = '\0';
  assert_true(valid("official", id));
  id[48] = 'a';
  id[49] = '\0';
  assert_false(valid("official", id));
  /* Other kinds: none. */
  assert_false(valid("robot", "lan.nt"));
  assert_false(valid(NULL, "001090001234"));
  char why[200];
  assert_false(eng_account_id_valid("person", "12345", why, sizeof why));
  assert_non_null(strstr(why, "12 digits"));
  assert_non_null(strstr(why, "\"12345\""));
  assert_false(eng_account_id_valid("organisation", "12345", why, sizeof why));
  assert_non_null(strstr(why, "10 digits, or 10-3"));
  assert_false(eng_account_id_valid("robot", "x", why, sizeof why));
  assert_non_null(strstr(why, "\"robot\""));
}

/* ============================================================ register */

static void applicants_register_through_the_server(void **state) {
  (void)state;
  eng_command c = registration("person", "001090001234", "an@example.vn", NULL);
  eng_result r = run(&c, at("2026-01-05T09:00"), 0);
  assert_int_equal(r.first_seq, head());
  eng_account_view a = account("001090001234");
  assert_string_equal(a.id, "001090001234");
  assert_string_equal(a.kind, "person");
  assert_string_equal(a.name, "Nguyễn Văn An");
  assert_string_equal(a.email, "an@example.vn");
  assert_string_equal(a.phone, "");
  assert_string_equal(a.agency, "");
  assert_int_equal(a.nroles, 1);
  assert_string_equal(a.roles[0], "applicant");
  assert_false(a.disabled);
  assert_int_equal(a.since, at("2026-01-05T09:00"));
  event_is(r.first_seq, "account.registered", "account/001090001234", 1, "motcuad", "system", false);
  /* An organisation, and a branch, with a phone only. */
  eng_command org = registration("organisation", "0100109106", NULL, "0912345678");
  run(&org, at("2026-01-05T09:10"), 0);
  a = account("0100109106");
  assert_string_equal(a.kind, "organisation");
  assert_string_equal(a.phone, "0912345678");
  assert_string_equal(a.email, "");
  eng_command branch = registration("organisation", "0100109106-001", "cn1@example.vn", "");
  run(&branch, at("2026-01-05T09:20"), 0);
  assert_string_equal(account("0100109106-001").kind, "organisation");
  /* No such account. */
  eng_account_view none;
  assert_int_equal(eng_account_get(eng, "001090009999", &none), MC_ENOENT);
  assert_int_equal(eng_account_get(eng, "", &none), MC_ENOENT);
  assert_int_equal(eng_account_get(eng, NULL, &none), MC_ENOENT);
}

static void registrations_are_refused(void **state) {
  (void)state;
  mc_instant t = at("2026-01-05T10:00");
  eng_command c = registration("person", "00109000123", "an@example.vn", NULL);
  refused(&c, t, MC_EINVAL, "12 digits");
  c = registration("organisation", "010010910", "an@example.vn", NULL);
  refused(&c, t, MC_EINVAL, "10 digits, or 10-3");
  c = registration("person", "001090002222", NULL, NULL);
  refused(&c, t, MC_EINVAL, "needs an e-mail address or a phone number");
  c = registration("person", "001090002222", "", "");
  refused(&c, t, MC_EINVAL, "needs an e-mail address or a phone number");
  c = registration("official", "lan.nt", "an@example.vn", NULL);
  refused(&c, t, MC_EINVAL, "officials are created by an administrator");
  c = registration("person", "001090002222", "an@example.vn", NULL);
  c.account.name = "";
  refused(&c, t, MC_EINVAL, "needs the name of its holder");
  c.account.name = NULL;
  refused(&c, t, MC_EINVAL, "needs the name of its holder");
  /* Only the server registers: not an applicant, not an administrator. */
  static const char *const roles[] = {"applicant", "system_admin", "agency_admin", "reception", ""};
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    c = registration("person", "001090002222", "an@example.vn", NULL);
    c.actor.role = roles[i];
    refused(&c, t, MC_EACCES, "registered by the server once its code is verified");
  }
  c = registration("person", "001090002222", "an@example.vn", NULL);
  c.actor.role = NULL;
  refused(&c, t, MC_EACCES, "registered by the server");
  eng_account_view none;
  assert_int_equal(eng_account_get(eng, "001090002222", &none), MC_ENOENT);
  /* Twice: the account exists. */
  c = registration("person", "001090003333", "b@example.vn", NULL);
  run(&c, t, 0);
  refused(&c, at("2026-01-05T10:05"), MC_ECONFLICT, "the account 001090003333 exists already");
  /* An unknown operation. */
  c.account.op = "delete";
  refused(&c, t, MC_EINVAL, "register, create, disable, enable or roles, not \"delete\"");
  c.account.op = NULL;
  refused(&c, t, MC_EINVAL, "register, create, disable, enable or roles");
}

/* ============================================================ create */

static void administrators_create_officials(void **state) {
  (void)state;
  static const char *const reception[] = {"reception"};
  eng_command c = creation("root", "system_admin", NULL, "lan.nt", "H13.X01", reception, 1);
  eng_result r = run(&c, at("2026-01-06T08:00"), 0);
  eng_account_view a = account("lan.nt");
  assert_string_equal(a.kind, "official");
  assert_string_equal(a.agency, "H13.X01");
  assert_string_equal(a.name, "Nguyễn Thị Lan");
  assert_string_equal(a.email, "lan@x01.bacninh.gov.vn");
  assert_int_equal(a.nroles, 1);
  assert_string_equal(a.roles[0], "reception");
  assert_false(a.disabled);
  assert_int_equal(a.since, at("2026-01-06T08:00"));
  event_is(r.first_seq, "account.created", "account/lan.nt", 1, "root", "system_admin", false);
  /* A system_admin creates at any agency; an agency_admin at its own. */
  static const char *const admin[] = {"agency_admin"};
  c = creation("root", "system_admin", NULL, "ha.x02", "H13.X02", admin, 1);
  run(&c, at("2026-01-06T08:10"), 0);
  static const char *const two[] = {"specialist", "leader"};
  c = creation("ha.x02", "agency_admin", "H13.X02", "hung.pv", "H13.X02", two, 2);
  r = run(&c, at("2026-01-06T08:20"), 0);
  a = account("hung.pv");
  assert_string_equal(a.agency, "H13.X02");
  assert_int_equal(a.nroles, 2);
  assert_string_equal(a.roles[0], "specialist");
  assert_string_equal(a.roles[1], "leader");
  event_is(r.first_seq, "account.created", "account/hung.pv", 1, "ha.x02", "agency_admin", false);
  /* Every role of an official. */
  static const char *const many[] = {"reception", "specialist", "leader", "agency_admin", "auditor", "postal"};
  c = creation("root", "system_admin", NULL, "all.roles", "H13.BD", many, 6);
  run(&c, at("2026-01-06T08:30"), 0);
  assert_int_equal(account("all.roles").nroles, 6);
  assert_string_equal(account("all.roles").roles[5], "postal");
}

static void creations_are_refused(void **state) {
  (void)state;
  mc_instant t = at("2026-01-06T09:00");
  static const char *const reception[] = {"reception"};
  /* An agency_admin: its own agency only, and never the system_admin role. */
  eng_command c = creation("ha.x02", "agency_admin", "H13.X02", "nam.x01", "H13.X01", reception, 1);
  refused(&c, t, MC_EACCES, "an agency_admin of H13.X02 creates accounts of H13.X02 only, not of H13.X01");
  static const char *const sysadmin[] = {"system_admin"};
  c = creation("ha.x02", "agency_admin", "H13.X02", "boss.x02", "H13.X02", sysadmin, 1);
  refused(&c, t, MC_EACCES, "only a system_admin gives the province-wide role system_admin");
  static const char *const mixed[] = {"leader", "system_admin"};
  c = creation("ha.x02", "agency_admin", "H13.X02", "boss.x02", "H13.X02", mixed, 2);
  refused(&c, t, MC_EACCES, "only a system_admin gives the province-wide role system_admin");
  /* Other roles create nothing. */
  c = creation("hung.pv", "leader", "H13.X02", "nam.x02", "H13.X02", reception, 1);
  refused(&c, t, MC_EACCES, "needs the system_admin or agency_admin role");
  c = creation("someone", "applicant", NULL, "nam.x02", "H13.X02", reception, 1);
  refused(&c, t, MC_EACCES, "needs the system_admin or agency_admin role");
  /* An agency the directory does not have. */
  c = creation("root", "system_admin", NULL, "nam.x99", "H13.X99", reception, 1);
  refused(&c, t, MC_ENOENT, "the agency H13.X99 is not in the directory");
  /* Roles: known, each once, 1 to 6 of them. */
  static const char *const janitor[] = {"janitor"};
  c = creation("root", "system_admin", NULL, "nam.x01", "H13.X01", janitor, 1);
  refused(&c, t, MC_EINVAL, "\"janitor\" is not a role of an official");
  static const char *const applicant[] = {"applicant"};
  c = creation("root", "system_admin", NULL, "nam.x01", "H13.X01", applicant, 1);
  refused(&c, t, MC_EINVAL, "\"applicant\" is not a role of an official");
  static const char *const twice[] = {"reception", "leader", "reception"};
  c = creation("root", "system_admin", NULL, "nam.x01", "H13.X01", twice, 3);
  refused(&c, t, MC_EINVAL, "the role reception is given twice");
  c = creation("root", "system_admin", NULL, "nam.x01", "H13.X01", reception, 0);
  refused(&c, t, MC_EINVAL, "1 to 6 roles");
  static const char *const seven[] = {"reception", "specialist", "leader", "agency_admin", "auditor", "postal",
                                      "system_admin"};
  c = creation("root", "system_admin", NULL, "nam.x01", "H13.X01", seven, 7);
  refused(&c, t, MC_EINVAL, "1 to 6 roles");
  /* The id of an official; the name; an account that exists. */
  c = creation("root", "system_admin", NULL, "Nam.X01", "H13.X01", reception, 1);
  refused(&c, t, MC_EINVAL, "an official's account is 3 to 48");
  c = creation("root", "system_admin", NULL, "001090001234", "H13.X01", reception, 1);
  refused(&c, t, MC_EINVAL, "starting with a letter");
  c = creation("root", "system_admin", NULL, "nam.x01", "H13.X01", reception, 1);
  c.account.name = "";
  refused(&c, t, MC_EINVAL, "needs the name");
  c = creation("root", "system_admin", NULL, "lan.nt", "H13.X03", reception, 1);
  refused(&c, t, MC_ECONFLICT, "the account lan.nt exists already");
  assert_string_equal(account("lan.nt").agency, "H13.X01"); /* unchanged */
  eng_account_view none;
  assert_int_equal(eng_account_get(eng, "nam.x01", &none), MC_ENOENT);
  assert_int_equal(eng_account_get(eng, "boss.x02", &none), MC_ENOENT);
}

/* An auditor and a system_admin are province-wide; every other role is an agency's. */
static void province_wide_roles_need_no_agency(void **state) {
  (void)state;
  static const char *const auditor[] = {"auditor"}, *const sysadmin[] = {"system_admin"},
                           *const both[] = {"auditor", "system_admin"}, *const reception[] = {"reception"},
                           *const mixed[] = {"auditor", "reception"};
  eng_command c = creation("root", "system_admin", NULL, "kiem.toan", NULL, auditor, 1);
  run(&c, at("2026-01-07T08:00"), 0);
  eng_account_view a = account("kiem.toan");
  assert_string_equal(a.agency, "");
  assert_string_equal(a.roles[0], "auditor");
  c = creation("root", "system_admin", NULL, "quan.tri", "", sysadmin, 1);
  run(&c, at("2026-01-07T08:05"), 0);
  assert_string_equal(account("quan.tri").agency, "");
  c = creation("root", "system_admin", NULL, "hai.vai", NULL, both, 2);
  run(&c, at("2026-01-07T08:10"), 0);
  assert_int_equal(account("hai.vai").nroles, 2);
  c = creation("root", "system_admin", NULL, "tiep.nhan", NULL, reception, 1);
  refused(&c, at("2026-01-07T08:15"), MC_EINVAL, "an official belongs to an agency");
  c = creation("root", "system_admin", NULL, "tiep.nhan", "", mixed, 2);
  refused(&c, at("2026-01-07T08:15"), MC_EINVAL, "an official belongs to an agency");
  /* An auditor may also be given an agency. */
  c = creation("root", "system_admin", NULL, "kiem.x01", "H13.X01", auditor, 1);
  run(&c, at("2026-01-07T08:20"), 0);
  assert_string_equal(account("kiem.x01").agency, "H13.X01");
}

/* An agency_admin creating a province-wide account is refused, with a message
 * that names what it may do. */
static void an_agency_admin_cannot_create_province_wide_accounts(void **state) {
  (void)state;
  static const char *const auditor[] = {"auditor"};
  eng_command c = creation("ha.x02", "agency_admin", "H13.X02", "kiem.x02", NULL, auditor, 1);
  uint64_t before = head();
  eng_result r = run(&c, at("2026-01-07T09:00"), MC_EACCES);
  assert_int_equal(head(), before);
  assert_non_null(strstr(r.message, "an agency_admin of H13.X02 creates accounts of H13.X02 only"));
  /* Was a bug, now fixed: engine/account.c create() formats the refusal with "%s" of
   * c->agency, which is NULL here (a province-wide account has none): the
   * message reads "... not of (null)" with glibc, and printf of a NULL
   * "%s" is undefined behaviour (a crash with other C libraries). */
  assert_null(strstr(r.message, "(null)"));
  /* Nor an auditor of its own agency: an auditor reads the whole province. */
  eng_command own = creation("ha.x02", "agency_admin", "H13.X02", "kiem2.x02", "H13.X02", auditor, 1);
  refused(&own, at("2026-01-07T09:00"), MC_EACCES, "only a system_admin gives the province-wide role auditor");
}

/* ============================================================ disable and enable */

static void accounts_are_disabled_and_enabled(void **state) {
  (void)state;
  static const char *const reception[] = {"reception"}, *const admin[] = {"agency_admin"};
  eng_command c = creation("root", "system_admin", NULL, "thu.x03", "H13.X03", reception, 1);
  run(&c, at("2026-01-08T08:00"), 0);
  c = creation("root", "system_admin", NULL, "ha.x03", "H13.X03", admin, 1);
  run(&c, at("2026-01-08T08:00"), 0);
  /* By a system_admin. */
  eng_command off = toggle("disable", "root", "system_admin", NULL, "thu.x03");
  eng_result r = run(&off, at("2026-01-08T09:00"), 0);
  eng_account_view a = account("thu.x03");
  assert_true(a.disabled);
  assert_string_equal(a.agency, "H13.X03"); /* the rest as it was */
  assert_string_equal(a.roles[0], "reception");
  assert_int_equal(a.since, at("2026-01-08T08:00"));
  event_is(r.first_seq, "account.disabled", "account/thu.x03", 2, "root", "system_admin", true);
  refused(&off, at("2026-01-08T09:05"), MC_ECONFLICT, "the account thu.x03 is disabled already");
  eng_command on = toggle("enable", "root", "system_admin", NULL, "thu.x03");
  r = run(&on, at("2026-01-08T10:00"), 0);
  assert_false(account("thu.x03").disabled);
  event_is(r.first_seq, "account.enabled", "account/thu.x03", 3, "root", "system_admin", false);
  refused(&on, at("2026-01-08T10:05"), MC_ECONFLICT, "the account thu.x03 is enabled already");
  /* By the agency_admin of its agency. */
  off = toggle("disable", "ha.x03", "agency_admin", "H13.X03", "thu.x03");
  r = run(&off, at("2026-01-08T11:00"), 0);
  assert_true(account("thu.x03").disabled);
  event_is(r.first_seq, "account.disabled", "account/thu.x03", 4, "ha.x03", "agency_admin", true);
  on = toggle("enable", "ha.x03", "agency_admin", "H13.X03", "thu.x03");
  run(&on, at("2026-01-08T11:30"), 0);
  assert_false(account("thu.x03").disabled);
  /* An applicant's account, by a system_admin. */
  off = toggle("disable", "root", "system_admin", NULL, "001090001234");
  run(&off, at("2026-01-08T12:00"), 0);
  a = account("001090001234");
  assert_true(a.disabled);
  assert_string_equal(a.kind, "person");
  assert_string_equal(a.roles[0], "applicant");
  on = toggle("enable", "root", "system_admin", NULL, "001090001234");
  run(&on, at("2026-01-08T12:10"), 0);
  assert_false(account("001090001234").disabled);
}

static void disabling_is_refused(void **state) {
  (void)state;
  mc_instant t = at("2026-01-09T09:00");
  /* An agency_admin of another agency. */
  eng_command c = toggle("disable", "ha.x02", "agency_admin", "H13.X02", "thu.x03");
  refused(&c, t, MC_EACCES, "only a system_admin or the agency_admin of H13.X03 may disable or enable an account of that agency");
  c = toggle("enable", "ha.x02", "agency_admin", "H13.X02", "thu.x03");
  refused(&c, t, MC_EACCES, "the agency_admin of H13.X03");
  /* An agency_admin and an applicant's account. */
  c = toggle("disable", "ha.x03", "agency_admin", "H13.X03", "001090001234");
  refused(&c, t, MC_EACCES, "only a system_admin may disable or enable an applicant's account");
  /* Other roles. */
  c = toggle("disable", "hung.pv", "leader", "H13.X02", "ha.x02");
  refused(&c, t, MC_EACCES, "only a system_admin or the agency_admin of H13.X02");
  c = toggle("disable", "001090001234", "applicant", NULL, "001090001234");
  refused(&c, t, MC_EACCES, "only a system_admin may disable or enable");
  /* Oneself. */
  c = toggle("disable", "ha.x03", "agency_admin", "H13.X03", "ha.x03");
  refused(&c, t, MC_EINVAL, "does not disable their own account");
  c = toggle("disable", "quan.tri", "system_admin", NULL, "quan.tri");
  refused(&c, t, MC_EINVAL, "does not disable their own account");
  /* No such account; no account named. */
  c = toggle("disable", "root", "system_admin", NULL, "nobody.x");
  refused(&c, t, MC_ENOENT, "there is no account nobody.x");
  c = toggle("enable", "root", "system_admin", NULL, "");
  refused(&c, t, MC_EINVAL, "name the account");
  c = toggle("disable", "root", "system_admin", NULL, NULL);
  refused(&c, t, MC_EINVAL, "name the account");
  assert_false(account("thu.x03").disabled);
  assert_false(account("ha.x03").disabled);
  assert_false(account("quan.tri").disabled);
}

typedef struct stream_ctx {
  int n;
  const char *const *want;
} stream_ctx;

static int each_of_stream(void *opaque, const store_event *ev) {
  stream_ctx *c = opaque;
  if (c->n >= 5 || !streq(ev->type, c->want[c->n]))
    fail_msg("event %d of account/thu.x03 is %.*s", c->n + 1, (int)ev->type.len, ev->type.ptr);
  c->n++;
  assert_int_equal(ev->version, c->n);
  return 0;
}

static int count_registered(void *opaque, const store_event *ev) {
  assert_true(ev->stream.len > 8 && !memcmp(ev->stream.ptr, "account/", 8));
  ++*(int *)opaque;
  return 0;
}

/* ============================================================ roles */

static eng_command roles_of(const char *who, const char *role, const char *actor_agency, const char *id,
                            const char *const *roles, int nroles) {
  return (eng_command){.kind = ENG_CMD_ACCOUNT, .actor = {who, role, actor_agency, "test"},
                       .expected_version = STORE_ANY_VERSION,
                       .account = {.op = "roles", .id = id, .roles = {roles, nroles}}};
}

/* An official's roles are set by a system_admin, or by the agency_admin of
 * the official's agency, as disabling is: account.roles_set carries the
 * account as it stands. */
static void an_officials_roles_are_set(void **state) {
  (void)state;
  mc_instant t = at("2026-01-10T09:00");
  const char *admin[] = {"agency_admin"}, *clerk[] = {"reception"}, *two[] = {"reception", "specialist"};
  eng_command c = creation("root", "system_admin", NULL, "ha.x05", "H13.X03", admin, 1);
  run(&c, t, 0);
  c = creation("root", "system_admin", NULL, "tam.x03", "H13.X03", clerk, 1);
  run(&c, t, 0);
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "tam.x03", two, 2);
  eng_result r = run(&c, t, 0);
  event_is(r.first_seq, "account.roles_set", "account/tam.x03", 2, "ha.x05", "agency_admin", false);
  eng_account_view a = account("tam.x03");
  assert_int_equal(a.nroles, 2);
  assert_string_equal(a.roles[0], "reception");
  assert_string_equal(a.roles[1], "specialist");
  assert_string_equal(a.agency, "H13.X03");
  assert_string_equal(a.name, "Nguyễn Thị Lan");
  /* A system_admin, any official; back to one role. */
  c = roles_of("root", "system_admin", NULL, "tam.x03", clerk, 1);
  r = run(&c, t, 0);
  event_is(r.first_seq, "account.roles_set", "account/tam.x03", 3, "root", "system_admin", false);
  assert_int_equal(account("tam.x03").nroles, 1);
}

static void setting_roles_is_refused(void **state) {
  (void)state;
  mc_instant t = at("2026-01-10T10:00");
  uint64_t before = head();
  const char *clerk[] = {"reception"}, *sysadmin[] = {"system_admin"}, *auditor[] = {"auditor"};
  const char *twice[] = {"reception", "reception"}, *odd[] = {"treasurer"}, *own[] = {"agency_admin", "leader"};
  const char *seven[] = {"reception", "specialist", "leader", "postal", "agency_admin", "auditor", "system_admin"};
  /* Another agency's admin; an official without the admin role. */
  eng_command c = roles_of("ha.x02", "agency_admin", "H13.X02", "tam.x03", clerk, 1);
  refused(&c, t, MC_EACCES, "only a system_admin or the agency_admin of H13.X03 may set the roles of an account");
  c = roles_of("hung.pv", "leader", "H13.X02", "hung.pv", clerk, 1);
  refused(&c, t, MC_EACCES, "may set the roles of an account of that agency");
  /* A province-wide role is a system_admin's to give, and to take. */
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "tam.x03", sysadmin, 1);
  refused(&c, t, MC_EACCES, "only a system_admin gives the province-wide role system_admin");
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "tam.x03", auditor, 1);
  refused(&c, t, MC_EACCES, "province-wide role auditor");
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "kiem.toan", clerk, 1);
  refused(&c, t, MC_EACCES, "the account kiem.toan holds the province-wide role auditor: only a system_admin may set the "
                            "roles of it");
  /* An auditor made an agency's clerk needs an agency. */
  c = roles_of("root", "system_admin", NULL, "kiem.toan", clerk, 1);
  refused(&c, t, MC_EINVAL, "an official belongs to an agency");
  /* Oneself; an applicant; no one; the same roles. */
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "ha.x05", own, 2);
  refused(&c, t, MC_EINVAL, "does not set the roles of their own account");
  c = roles_of("root", "system_admin", NULL, "001090001234", clerk, 1);
  refused(&c, t, MC_EINVAL, "001090001234 is an applicant's account: roles are an official's");
  c = roles_of("root", "system_admin", NULL, "nobody.x", clerk, 1);
  refused(&c, t, MC_ENOENT, "there is no account nobody.x");
  c = roles_of("root", "system_admin", NULL, "tam.x03", clerk, 1);
  eng_result r = refused(&c, t, MC_ECONFLICT, "the account tam.x03 has these roles already");
  assert_string_equal(r.key, "roles_same");
  /* The roles themselves, as at creation. */
  c = roles_of("root", "system_admin", NULL, "tam.x03", twice, 2);
  refused(&c, t, MC_EINVAL, "the role reception is given twice");
  c = roles_of("root", "system_admin", NULL, "tam.x03", seven, 7);
  refused(&c, t, MC_EINVAL, "1 to 6 roles");
  c = roles_of("root", "system_admin", NULL, "tam.x03", clerk, 0);
  refused(&c, t, MC_EINVAL, "1 to 6 roles");
  c = roles_of("root", "system_admin", NULL, "tam.x03", odd, 1);
  r = refused(&c, t, MC_EINVAL, "\"treasurer\" is not a role of an official: the roles are reception, specialist, "
                                       "leader, agency_admin, auditor, system_admin, postal");
  assert_string_equal(r.key, "role_unknown");
  assert_non_null(strstr(r.message_vi, "«treasurer» không phải là vai trò của cán bộ: các vai trò gồm reception"));
  assert_int_equal(head(), before);
  assert_int_equal(account("tam.x03").nroles, 1);
}

/* A role a step of a procedure in effect names (`by verifier`, `escalate
 * to inspector`, declared with `role`) may be held, from the instant the
 * procedure takes effect; `applicant` and `system` never. */
static const char *const verifying =
    "procedure \"9.000017\" \"Thẩm định thử nghiệm\" {\n"
    "  sector \"Tư pháp\" field \"Hộ tịch\" level commune online full time 3 working days\n"
    "  policy \"nd118-2025\" fee 0 VND\n"
    "  role verifier \"Cán bộ thẩm định\"\n"
    "  role inspector \"Thanh tra\"\n"
    "  step reception \"Tiếp nhận\" by reception within policy.reception_limit state submitted {\n"
    "    on accept -> verify\n    on reject -> rejected\n  }\n"
    "  step verify \"Thẩm định\" by verifier within 2 working days state processing {\n"
    "    escalate to inspector\n    on approve -> result\n    on deny -> result\n  }\n"
    "  step result \"Trả kết quả\" by reception within 1 working day state decided {\n"
    "    on return_result -> returned\n  }\n"
    "}\n";

static void roles_a_procedure_declares(void **state) {
  (void)state;
  const char *verifier[] = {"verifier"}, *both[] = {"specialist", "inspector"}, *applicant[] = {"applicant"};
  const char *system[] = {"system"};
  eng_command c = creation("ha.x05", "agency_admin", "H13.X03", "tham.dinh", "H13.X03", verifier, 1);
  eng_result r = refused(&c, at("2026-02-02T08:00"), MC_EINVAL, "\"verifier\" is not a role of an official");
  assert_null(strstr(r.message, "verifier,"));
  mc_buf bytes = MC_BUF_INIT;
  compile_procedure("verifying.mc", verifying, "nd118-2025", &bytes);
  eng_command pub = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                     .publish = {.def_kind = ENG_DEF_PROCEDURE, .effective_from = at("2026-02-10T00:00"),
                                 .bytes = {bytes.data, bytes.len}}};
  run(&pub, at("2026-02-02T08:05"), 0);
  /* Published, not in effect yet. */
  refused(&c, at("2026-02-09T08:00"), MC_EINVAL, "\"verifier\" is not a role of an official");
  /* In effect: created with it, and given the role of an escalation. */
  r = run(&c, at("2026-02-10T08:00"), 0);
  event_is(r.first_seq, "account.created", "account/tham.dinh", 1, "ha.x05", "agency_admin", false);
  assert_string_equal(account("tham.dinh").roles[0], "verifier");
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "tham.dinh", both, 2);
  run(&c, at("2026-02-10T08:10"), 0);
  assert_string_equal(account("tham.dinh").roles[1], "inspector");
  /* A refusal lists the roles that exist, those of the procedures too. */
  const char *odd[] = {"treasurer"};
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "tham.dinh", odd, 1);
  r = refused(&c, at("2026-02-10T08:20"), MC_EINVAL, "the roles are reception, specialist, leader, agency_admin, "
                                                          "auditor, system_admin, postal, ");
  assert_non_null(strstr(r.message, "verifier"));
  assert_non_null(strstr(r.message, "inspector"));
  assert_non_null(strstr(r.message_vi, "verifier"));
  /* The applicant's role is named by steps, and the server's is not an official's. */
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "tham.dinh", applicant, 1);
  refused(&c, at("2026-02-10T08:30"), MC_EINVAL, "\"applicant\" is not a role of an official");
  c = roles_of("root", "system_admin", NULL, "tham.dinh", system, 1);
  refused(&c, at("2026-02-10T08:30"), MC_EINVAL, "\"system\" is not a role of an official");
  /* Retired: no longer given (who holds it keeps it). */
  eng_command retire = {.kind = ENG_CMD_RETIRE, .actor = {"admin", "system_admin", NULL, "test"},
                        .retire = {.def_kind = ENG_DEF_PROCEDURE, .id = "9.000017",
                                   .effective_from = at("2026-03-01T00:00")}};
  run(&retire, at("2026-02-10T09:00"), 0);
  c = roles_of("ha.x05", "agency_admin", "H13.X03", "tam.x03", verifier, 1);
  refused(&c, at("2026-03-01T08:00"), MC_EINVAL, "\"verifier\" is not a role of an official");
  assert_string_equal(account("tham.dinh").roles[0], "specialist");
  mc_buf_free(&bytes);
}

/* Every account event is on its account's stream, in the order they came. */
static void account_events_are_in_the_log(void **state) {
  (void)state;
  store_read *rd;
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  /* thu.x03: created, disabled, enabled, disabled, enabled; the refusals appended nothing. */
  static const char *const want[] = {"account.created", "account.disabled", "account.enabled", "account.disabled",
                                     "account.enabled"};
  stream_ctx cx = {0, want};
  assert_int_equal(store_read_stream(rd, "account/thu.x03", 1, each_of_stream, &cx), 0);
  assert_int_equal(cx.n, 5);
  /* The registrations: three of the first test, one of the second. */
  int n = 0;
  assert_int_equal(store_read_type(rd, "account.registered", count_registered, &n), 0);
  assert_int_equal(n, 4);
  store_read_end(rd);
}

/* ============================================================ dossier events */

typedef struct feed_seen {
  uint64_t seqs[16];
  int n;
} feed_seen;

static int feed_collect(void *opaque, const store_event *ev) {
  feed_seen *f = opaque;
  f->seqs[f->n++] = ev->seq;
  return f->n == 16 ? 1 : 0;
}

/* An applicant's feed (the server's catch-up of "mine") holds the events of
 * that applicant's dossiers only, in order, from a sequence on, at most `max`. */
static void an_applicants_feed(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912345678");
  eng_command a1 = submit("1.001193", "H13.X01", &form, "001090005551");
  eng_result r1 = run(&a1, at("2026-02-10T09:00"), 0);
  eng_command b1 = submit("1.001193", "H13.X01", &form, "001090005552");
  eng_result rb = run(&b1, at("2026-02-10T09:01"), 0);
  eng_command a2 = submit("1.001193", "H13.X02", &form, "001090005551");
  eng_result r2 = run(&a2, at("2026-02-10T09:02"), 0);
  eng_command acc = act(r1.dossier, "accept", "lan.nt", "reception", "H13.X01");
  eng_result r3 = run(&acc, at("2026-02-10T09:30"), 0);
  feed_seen f = {0};
  assert_int_equal(eng_applicant_events(eng, "001090005551", 1, head(), 100, feed_collect, &f), 0);
  assert_int_equal(f.n, 3);
  assert_int_equal(f.seqs[0], r1.first_seq);
  assert_int_equal(f.seqs[1], r2.first_seq);
  assert_int_equal(f.seqs[2], r3.first_seq);
  memset(&f, 0, sizeof f);
  assert_int_equal(eng_applicant_events(eng, "001090005551", r1.first_seq + 1, head(), 1, feed_collect, &f), 0);
  assert_int_equal(f.n, 1);
  assert_int_equal(f.seqs[0], r2.first_seq);
  memset(&f, 0, sizeof f);
  assert_int_equal(eng_applicant_events(eng, "001090005551", 1, r2.first_seq, 100, feed_collect, &f), 0);
  assert_int_equal(f.n, 2); /* up to `upto` only */
  memset(&f, 0, sizeof f);
  assert_int_equal(eng_applicant_events(eng, "001090005552", 1, head(), 100, feed_collect, &f), 0);
  assert_int_equal(f.n, 1);
  assert_int_equal(f.seqs[0], rb.first_seq);
  memset(&f, 0, sizeof f);
  assert_int_equal(eng_applicant_events(eng, "001090009999", 1, head(), 100, feed_collect, &f), 0);
  assert_int_equal(f.n, 0);
  /* A prefix of another applicant's id is not theirs. */
  assert_int_equal(eng_applicant_events(eng, "00109000555", 1, head(), 100, feed_collect, &f), 0);
  assert_int_equal(f.n, 0);
  mc_buf_free(&form);
}

static void a_dossier_event_as_a_subscriber_sees_it(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912345678");
  eng_command c = submit("1.001193", "H13.X01", &form, "001090001234");
  eng_result sub = run(&c, at("2026-02-10T09:00"), 0);
  eng_command accept = act(sub.dossier, "accept", "lan.nt", "reception", "H13.X01");
  eng_result acc = run(&accept, at("2026-02-10T09:30"), 0);
  store_read *rd;
  store_event ev;
  eng_event_view v;
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  assert_int_equal(store_read_event(rd, sub.first_seq, &ev), 0);
  assert_int_equal(eng_event_view_of(eng, &ev, &v), 0);
  assert_string_equal(v.applicant, "001090001234");
  assert_string_equal(v.type, "dossier.submitted");
  assert_string_equal(v.action, "submit");
  assert_string_equal(v.step, "reception");
  assert_int_equal(v.seq, sub.first_seq);
  assert_int_equal(v.time, at("2026-02-10T09:00"));
  assert_string_equal(v.dossier.code, sub.dossier);
  assert_string_equal(v.dossier.procedure, "1.001193");
  assert_string_equal(v.dossier.agency, "H13.X01");
  assert_string_equal(v.dossier.state, "submitted");
  assert_int_equal(v.dossier.version, 1);
  assert_int_equal(v.dossier.nsteps, 1);
  assert_string_equal(v.dossier.steps[0], "reception");
  assert_int_equal(store_read_event(rd, acc.first_seq, &ev), 0);
  assert_int_equal(eng_event_view_of(eng, &ev, &v), 0);
  assert_string_equal(v.applicant, "001090001234");
  assert_string_equal(v.type, "dossier.accepted");
  assert_string_equal(v.action, "accept");
  assert_string_equal(v.step, "reception");
  assert_string_equal(v.dossier.state, "processing");
  assert_int_equal(v.dossier.version, 2);
  assert_string_equal(v.dossier.steps[0], "processing");
  assert_int_equal(v.dossier.appointment_at, acc.appointment_at);
  assert_int_equal(v.seq, acc.first_seq);
  /* Not dossier events: an account's, a definition's. */
  store_read_end(rd);
  eng_command reg = registration("person", "001090004444", "c@example.vn", NULL);
  eng_result r = run(&reg, at("2026-02-10T10:00"), 0);
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  assert_int_equal(store_read_event(rd, r.first_seq, &ev), 0);
  memset(&v, 0x5a, sizeof v);
  assert_int_equal(eng_event_view_of(eng, &ev, &v), MC_ENOENT);
  assert_string_equal(v.type, ""); /* cleared */
  assert_int_equal(store_read_event(rd, 1, &ev), 0);
  assert_true(streq(ev.type, "definition.published"));
  assert_int_equal(eng_event_view_of(eng, &ev, &v), MC_ENOENT);
  store_read_end(rd);
  /* A dossier entered at the desk has no applicant account. */
  eng_command desk = submit("1.001193", "H13.X01", &form, "lan.nt");
  desk.submit.channel = "desk";
  desk.actor.role = "reception";
  desk.actor.agency = "H13.X01";
  desk.submit.owner = "027190001234";
  walk_in(&desk, "027190001234");
  eng_result d = run(&desk, at("2026-02-10T10:30"), 0);
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  assert_int_equal(store_read_event(rd, d.first_seq, &ev), 0);
  assert_int_equal(eng_event_view_of(eng, &ev, &v), 0);
  assert_string_equal(v.applicant, "");
  assert_string_equal(v.type, "dossier.submitted");
  assert_string_equal(v.dossier.code, d.dossier);
  store_read_end(rd);
  mc_buf_free(&form);
}

/* ============================================================ officials of an agency */

typedef struct listed {
  char ids[512];
  int n, stop_after, disabled;
} listed;

static int list_one(void *opaque, const eng_account_view *a) {
  listed *l = opaque;
  assert_string_equal(a->kind, "official");
  if (l->n)
    strcat(l->ids, ",");
  strcat(l->ids, a->id);
  l->disabled += a->disabled;
  l->n++;
  return l->stop_after && l->n == l->stop_after ? 1 : 0;
}

static int list_failing(void *opaque, const eng_account_view *a) {
  (void)opaque, (void)a;
  return MC_EIO;
}

/* eng_officials reads the officials of an agency (with their roles and
 * whether they are disabled) in id order, applicants never among them. */
static void the_officials_of_an_agency(void **state) {
  (void)state;
  mc_instant now = at("2026-03-02T08:00");
  const char *clerk[] = {"reception"}, *two[] = {"specialist", "leader"}, *auditor[] = {"auditor"};
  eng_command c = creation("root", "system_admin", NULL, "zz.sxd", "H13.SXD", clerk, 1);
  run(&c, now, 0);
  c = creation("root", "system_admin", NULL, "an.sxd", "H13.SXD", two, 2);
  run(&c, now, 0);
  c = creation("root", "system_admin", NULL, "mai.sxd", "H13.SXD", clerk, 1);
  run(&c, now, 0);
  c = creation("root", "system_admin", NULL, "kiem.sxd", NULL, auditor, 1);
  run(&c, now, 0);
  c = toggle("disable", "root", "system_admin", NULL, "mai.sxd");
  run(&c, now, 0);
  c = registration("person", "001090007777", "a@example.vn", NULL);
  run(&c, now, 0);

  listed l = {.n = 0};
  assert_int_equal(eng_officials(eng, "H13.SXD", list_one, &l), 0);
  assert_string_equal(l.ids, "an.sxd,mai.sxd,zz.sxd");
  assert_int_equal(l.disabled, 1);
  /* Every official: the province-wide ones too, and no applicant. */
  l = (listed){.n = 0};
  assert_int_equal(eng_officials(eng, NULL, list_one, &l), 0);
  assert_non_null(strstr(l.ids, "kiem.sxd"));
  assert_non_null(strstr(l.ids, "an.sxd,"));
  assert_null(strstr(l.ids, "001090007777"));
  /* An agency without officials, one that does not exist. */
  l = (listed){.n = 0};
  assert_int_equal(eng_officials(eng, "H13.TAND", list_one, &l), 0);
  assert_int_equal(l.n, 0);
  assert_int_equal(eng_officials(eng, "H99", list_one, &l), 0);
  assert_int_equal(l.n, 0);
  /* 1 stops; an error is returned. */
  l = (listed){.n = 0, .stop_after = 1};
  assert_int_equal(eng_officials(eng, "H13.SXD", list_one, &l), 0);
  assert_string_equal(l.ids, "an.sxd");
  assert_int_equal(eng_officials(eng, "H13.SXD", list_failing, NULL), MC_EIO);
  /* The roles as they stand. */
  eng_account_view a = account("an.sxd");
  assert_int_equal(a.nroles, 2);
  assert_string_equal(a.roles[1], "leader");
}

/* ============================================================ definitions */

typedef struct ids {
  char list[512];
  int n, stop_after;
} ids;

static int collect(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  ids *c = opaque;
  assert_non_null(bytes);
  assert_true(len > 0);
  if (c->n)
    strcat(c->list, ",");
  strcat(c->list, id);
  c->n++;
  return c->stop_after && c->n == c->stop_after ? 1 : 0;
}

static int failing(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  (void)opaque, (void)id, (void)bytes, (void)len;
  return MC_EIO;
}

static void definitions_in_effect(void **state) {
  (void)state;
  ids c = {.n = 0};
  assert_int_equal(eng_definitions(eng, ENG_DEF_PROCEDURE, at("2026-01-05T00:00"), collect, &c), 0);
  assert_int_equal(c.n, 7);
  assert_string_equal(c.list, "1.000894,1.001193,1.002835,1.009995,2.000488,2.000575,PAKN");
  c = (ids){.n = 0};
  assert_int_equal(eng_definitions(eng, ENG_DEF_POLICY, at("2026-01-05T00:00"), collect, &c), 0);
  assert_string_equal(c.list, "bn-2018,dn-2020,nd118-2025");
  c = (ids){.n = 0};
  assert_int_equal(eng_definitions(eng, ENG_DEF_DIRECTORY, at("2026-01-05T00:00"), collect, &c), 0);
  assert_string_equal(c.list, "directory");
  /* The bundle takes effect on 1 January 2025: nothing before. */
  c = (ids){.n = 0};
  assert_int_equal(eng_definitions(eng, ENG_DEF_PROCEDURE, at("2024-12-31T23:59"), collect, &c), 0);
  assert_int_equal(c.n, 0);
  c = (ids){.n = 0};
  assert_int_equal(eng_definitions(eng, ENG_DEF_PROCEDURE, at("2025-01-01T00:00"), collect, &c), 0);
  assert_int_equal(c.n, 7);
  /* 1 stops; an error is returned. */
  c = (ids){.n = 0, .stop_after = 2};
  assert_int_equal(eng_definitions(eng, ENG_DEF_PROCEDURE, at("2026-01-05T00:00"), collect, &c), 0);
  assert_int_equal(c.n, 2);
  assert_int_equal(eng_definitions(eng, ENG_DEF_PROCEDURE, at("2026-01-05T00:00"), failing, NULL), MC_EIO);
}

/* The published calendar unpacks to the calendar of its files (the
 * directory's office hours are read from it); other bytes do not. */
static int unpack_calendar(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  eng_calendar **cal = opaque;
  assert_string_equal(id, "vn");
  eng_calendar_free(*cal);
  *cal = NULL;
  assert_int_equal(eng_calendar_unpack(bytes, len, cal), 0);
  return 0;
}

static void a_published_calendar_unpacks(void **state) {
  (void)state;
  eng_calendar *cal = NULL;
  assert_int_equal(eng_definitions(eng, ENG_DEF_CALENDAR, ENG_EVERY_VERSION, unpack_calendar, &cal), 0);
  assert_non_null(cal);
  assert_string_equal(eng_calendar_id(cal), "vn");
  int64_t open[6], close[6];
  assert_int_equal(eng_calendar_week_hours(cal, 0, open, close, 6), 2);
  assert_int_equal(open[0], (7 * 60 + 30) * 60000);
  eng_calendar_free(cal);
  static const uint8_t not_one[] = {0x81, 0xa5, 'f', 'i', 'l', 'e', 's', 0x90}; /* {files: []} */
  cal = NULL;
  assert_int_equal(eng_calendar_unpack(not_one, sizeof not_one, &cal), MC_EPARSE);
  assert_null(cal);
  assert_int_equal(eng_calendar_unpack((const uint8_t *)"x", 1, &cal), MC_EPARSE);
}

/* ============================================================ rebuild */

/* The accounts projection kept command by command equals a rebuild from the
 * log (store_verify rebuilds every projection and compares). */
static void the_projection_equals_a_rebuild(void **state) {
  (void)state;
  store_verify_report report;
  memset(&report, 0, sizeof report);
  store_verify_options vo = {0};
  assert_int_equal(store_verify(eng_store(eng), &vo, &report), 0);
  if (report.problems)
    fail_msg("verify found %d problems:\n%s", report.problems, mc_buf_cstr(&report.text));
  assert_true(report.events >= 20);
  mc_buf_free(&report.text);
  /* And after reopening, the accounts read the same. */
  eng_account_view before, after;
  assert_int_equal(eng_account_get(eng, "hung.pv", &before), 0);
  eng_close(eng);
  mc_buf why = MC_BUF_INIT;
  assert_int_equal(eng_open(fx_dir, NULL, &eng, &why), 0);
  mc_buf_free(&why);
  assert_int_equal(eng_account_get(eng, "hung.pv", &after), 0);
  assert_memory_equal(&before, &after, sizeof before);
  assert_string_equal(after.roles[1], "leader");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(account_ids_of_each_kind),
      cmocka_unit_test(applicants_register_through_the_server),
      cmocka_unit_test(registrations_are_refused),
      cmocka_unit_test(administrators_create_officials),
      cmocka_unit_test(creations_are_refused),
      cmocka_unit_test(province_wide_roles_need_no_agency),
      cmocka_unit_test(an_agency_admin_cannot_create_province_wide_accounts),
      cmocka_unit_test(accounts_are_disabled_and_enabled),
      cmocka_unit_test(disabling_is_refused),
      cmocka_unit_test(an_officials_roles_are_set),
      cmocka_unit_test(setting_roles_is_refused),
      cmocka_unit_test(roles_a_procedure_declares),
      cmocka_unit_test(account_events_are_in_the_log),
      cmocka_unit_test(a_dossier_event_as_a_subscriber_sees_it),
      cmocka_unit_test(an_applicants_feed),
      cmocka_unit_test(the_officials_of_an_agency),
      cmocka_unit_test(definitions_in_effect),
      cmocka_unit_test(a_published_calendar_unpacks),
      cmocka_unit_test(the_projection_equals_a_rebuild),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
