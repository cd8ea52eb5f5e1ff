/* test_refusals.c — the catalogue of the engine's refusals: every refusal a
 * client can meet through eng_execute(), each checked for its error code, a
 * phrase of its message, and that nothing was appended to the log (the
 * engine issue: "Every refusal has a test that checks its error and that
 * nothing was appended").  Grouped by command: submission and intake, the
 * e-form (every field type and limit), scanned documents, acting on a step,
 * supplements, rejections and denials, withdrawal, extension, assignment,
 * stopping, rating, refunds, retiring and publishing, the codes of a day,
 * and the calendar's years.
 *
 * Two groups.  The first runs on the fixture's data directory (the bundled
 * workflows published); its tests share it, so each files its own dossiers,
 * and they run in calendar order because the engine never lets time go back
 * in the log (a later test at an earlier date would be moved to the latest
 * event's time).  The second starts from an empty data directory, to reach
 * what the bundle always provides (a procedure not yet in effect, its
 * policy, the directory, an agency's calendar) and, with procedures written
 * here, what the bundled ones never do (a file field, lengths on a phone and
 * an email, 257 form fields, a fork nested in a fork past the engine's eight
 * steps at once, a limit too long to count, a fee paid before processing,
 * refunded, or overflowing).
 *
 * Every refusal also comes from the table of engine/refusals.h: the test
 * the_table_of_refusals checks its texts and names, every refusal checked
 * here has a key whose kind gives a client the code its status always gave
 * (fixture.c, refused_as), and a few (a stale version, not the applicant's
 * step, an appointment already reset, a retired procedure) are checked for
 * their key, kind and Vietnamese text.
 *
 * Tests marked "Was a bug" pin what this catalogue found wrong in the
 * engine, now fixed.
 *
 * Not exercised, because no command can reach them:
 * - "the definition could not be encoded", "the retirement could not be
 *   encoded", "the form could not be encoded" (cmd_publish.c, form.c):
 *   mc_canon_finish fails only on memory or on text that is not UTF-8, and
 *   the texts they write come from canonical definitions, the validated
 *   form, or an id looked up first.  (The dossier event's "could not be
 *   encoded" is reached, by a reason that is not UTF-8.)  Likewise "the
 *   field %s cannot be read as text" (form.c): the NFC of text already
 *   checked as UTF-8 fails only on memory.
 * - store errors passed on as store_errmsg() by store_append and
 *   store_cmd_commit, but for an actor's text that is not UTF-8 (tested for
 *   a submission, a publication and a retirement): a full disk, a broken
 *   batch.  And the stale-stream MC_ECONFLICT "has moved on" of
 *   append_dossier_event: the snapshot is read in the batch that appends,
 *   and a stale client version is refused first by check_version (tested).
 * - "the dossier %s cannot be read", "the form of %s cannot be read", "the
 *   documents of %s cannot be read", "the procedure / the policy version of
 *   %s is not in the log", "the calendar \"%s\" is not published"
 *   (load_defs), "the procedure %s cannot be read", "the agency directory
 *   cannot be read", and every error of defs.c: they need a damaged store,
 *   since definitions are never removed and a dossier's calendar was
 *   published when it was filed.
 * - "the process loops through choices", "the condition of choice %s cannot
 *   be evaluated", "no condition of the choice %s holds", "the join %s was
 *   reached without its fork": the compiler refuses such procedures
 *   (tests/unit/dsl/errors/choice-loops-and-optional-fields.mc,
 *   choice-not-exhaustive.mc, fork-never-joins.mc; conditions are
 *   type-checked), and publishing decodes what it is given.
 * - "the fee of %s cannot be computed" with MC_EINVAL (an unknown fee
 *   operator): the compiler emits only money, ref, add and mul.  The
 *   overflow (MC_ERANGE) is tested.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/canon.h"
#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"
#include "engine/engine.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ============================================================ helpers */

/* A form field, packed as given (wrong types, nil, floats, bad UTF-8: what
 * the canonical writer will not make).  kind: 's' text, 'x' raw text of
 * `i` bytes, 'i' integer, 'u' unsigned (i as uint64), 'b' yes/no (i),
 * 'n' nil, 'f' a float, 'a' an empty array, '-' left out. */
typedef struct fv {
  const char *key;
  char kind;
  const char *s;
  int64_t i;
} fv;

static void pack_fields(mc_buf *out, const fv *f, int n) {
  msgpack_sbuffer sb;
  msgpack_packer pk;
  int count = 0;
  msgpack_sbuffer_init(&sb);
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  for (int k = 0; k < n; k++)
    count += f[k].kind != '-';
  msgpack_pack_map(&pk, (size_t)count);
  for (int k = 0; k < n; k++) {
    if (f[k].kind == '-')
      continue;
    msgpack_pack_str_with_body(&pk, f[k].key, strlen(f[k].key));
    switch (f[k].kind) {
    case 's': msgpack_pack_str_with_body(&pk, f[k].s, strlen(f[k].s)); break;
    case 'x': msgpack_pack_str_with_body(&pk, f[k].s, (size_t)f[k].i); break;
    case 'i': msgpack_pack_int64(&pk, f[k].i); break;
    case 'u': msgpack_pack_uint64(&pk, (uint64_t)f[k].i); break;
    case 'b': f[k].i ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk); break;
    case 'n': msgpack_pack_nil(&pk); break;
    case 'f': msgpack_pack_double(&pk, 2.5); break;
    case 'a': msgpack_pack_array(&pk, 0); break;
    default: fail_msg("kind %c", f[k].kind);
    }
  }
  mc_buf_reset(out);
  assert_int_equal(mc_buf_append(out, sb.data, sb.size), 0);
  msgpack_sbuffer_destroy(&sb);
}

/* `base` with one field changed: replaced when present, added when not,
 * left out when change.kind is '-'. */
static void form_with(mc_buf *out, const fv *base, int n, fv change) {
  fv f[16];
  int m = 0;
  bool found = false;
  for (int k = 0; k < n; k++) {
    f[m] = base[k];
    if (!strcmp(base[k].key, change.key)) {
      f[m] = change;
      found = true;
    }
    m++;
  }
  if (!found)
    f[m++] = change;
  pack_fields(out, f, m);
}

static const fv birth[] = {
    {"birth_date", 's', "2026-01-01", 0},  {"birth_place", 's', "Trạm y tế phường Kinh Bắc", 0},
    {"child_name", 's', "Vũ Bảo Ngọc", 0}, {"gender", 's', "Nữ", 0},
    {"mother_id", 's', "027190007001", 0}, {"phone", 's', "0912700001", 0},
};
#define NBIRTH ((int)(sizeof birth / sizeof birth[0]))

static const fv household[] = {
    {"address", 's', "Số 9 phố Lý Thái Tổ, Bắc Ninh", 0},
    {"business_name", 's', "Tiệm may Thu Hà", 0},
    {"capital", 'i', NULL, 30000000},
    {"owner_id", 's', "027190007002", 0},
};
#define NHOUSEHOLD ((int)(sizeof household / sizeof household[0]))

static const fv marriage[] = {
    {"husband_id", 's', "027090007003", 0}, {"husband_name", 's', "Hoàng Văn Tùng", 0},
    {"needs_check", 'b', NULL, 0},          {"wife_id", 's', "027190007004", 0},
    {"wife_name", 's', "Ngô Thị Mai", 0},
};
#define NMARRIAGE ((int)(sizeof marriage / sizeof marriage[0]))

static const fv licence[] = {
    {"citizen", 's', "027190007005", 0},
    {"full_name", 's', "Bùi Đức Long", 0},
    {"licence_no", 's', "AB700005", 0},
    {"origin", 's', "Việt Nam", 0},
};
#define NLICENCE ((int)(sizeof licence / sizeof licence[0]))

static const fv house[] = {
    {"floor_area", 'i', NULL, 120}, {"floors", 'i', NULL, 2}, {"owner_id", 's', "027190007006", 0},
    {"owner_name", 's', "Đinh Văn Khoa", 0}, {"parcel", 's', "Thửa 7, tờ bản đồ 3", 0},
};
#define NHOUSE ((int)(sizeof house / sizeof house[0]))

static const fv feedback[] = {
    {"content", 's', "Không tra cứu được hồ sơ trên cổng.", 0},
    {"received", 's', "Cổng dịch vụ công", 0},
    {"subject", 's', "Lỗi tra cứu", 0},
};
#define NFEEDBACK ((int)(sizeof feedback / sizeof feedback[0]))

static const char *const sha_a = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

static eng_command cmd(eng_cmd_kind kind, const char *dossier, const char *who, const char *role, const char *agency) {
  return (eng_command){.kind = kind, .actor = {who, role, agency, "test"}, .dossier = dossier,
                       .expected_version = STORE_ANY_VERSION};
}

/* Files a dossier of `procedure` at `agency` online as `who`, with `fields`:
 * its code. */
static void file_online(char code[64], const char *procedure, const char *agency, const fv *fields, int n,
                        const char *who, mc_instant t) {
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, fields, n);
  eng_command c = submit(procedure, agency, &f, who);
  snprintf(code, 64, "%s", run(&c, t, 0).dossier);
  mc_buf_free(&f);
}

/* The same entered at the desk of `agency` by its reception. */
static void file_at_desk(char code[64], const char *procedure, const char *agency, const fv *fields, int n,
                         mc_instant t) {
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, fields, n);
  eng_command c = submit(procedure, agency, &f, "rc-desk");
  c.submit.channel = "desk";
  c.actor = (eng_actor){"rc-desk", "reception", agency, "test"};
  walk_in(&c, "027190002345");
  snprintf(code, 64, "%s", run(&c, t, 0).dossier);
  mc_buf_free(&f);
}

/* Birth registrations at H13.X01: filed online by `who`; accepted; decided
 * (approved and signed). */
static void filed(char code[64], const char *who, mc_instant t) {
  file_online(code, "1.001193", "H13.X01", birth, NBIRTH, who, t);
}

static void accepted(char code[64], const char *who, mc_instant t) {
  filed(code, who, t);
  eng_command a = act(code, "accept", "rc-1", "reception", "H13.X01");
  run(&a, t + MC_MS_PER_MINUTE, 0);
}

static void decided(char code[64], const char *who, mc_instant t) {
  accepted(code, who, t);
  eng_command ap = act(code, "approve", "sp-1", "specialist", "H13.X01");
  run(&ap, t + 2 * MC_MS_PER_MINUTE, 0);
  eng_command sign = act(code, "approve", "ld-1", "leader", "H13.X01");
  run(&sign, t + 3 * MC_MS_PER_MINUTE, 0);
}

/* A refusal as a page reads it: its key and kind from the table
 * (engine/refusals.h), and a phrase of its Vietnamese text (the dossier's
 * code, the procedure's); nothing appended. */
static void refused_key(const eng_command *c, mc_instant now, int status, eng_refusal key, eng_refusal_kind kind,
                        const char *vi_phrase) {
  uint64_t before = head();
  eng_result r = run(c, now, status);
  refused_as(&r);
  if (r.refusal != key)
    fail_msg("refused as %s, not %s: %s", r.key, eng_refusal_name(key), r.message);
  assert_int_equal(r.kind, kind);
  assert_string_equal(r.key, eng_refusal_name(key));
  if (strstr(r.message_vi, vi_phrase) == NULL)
    fail_msg("the Vietnamese \"%s\" lacks \"%s\"", r.message_vi, vi_phrase);
  assert_int_equal(head(), before);
}

/* ============================================================ the table */

/* The conversions of a printf format, in order: each as its length
 * modifier and letter ("lld", "s", ".*s" counts its '*'), flags, width
 * and precision aside. */
static void conversions(const char *f, char *out, size_t size) {
  size_t at = 0;
  out[0] = '\0';
  for (const char *p = f; *p; p++) {
    if (*p != '%')
      continue;
    if (*++p == '%')
      continue;
    char one[16];
    size_t n = 0;
    while (*p && strchr("-+ #0'", *p))
      p++;
    if (*p == '*')
      one[n++] = '*', p++;
    while (*p >= '0' && *p <= '9')
      p++;
    if (*p == '.') {
      p++;
      if (*p == '*')
        one[n++] = '*', p++;
      while (*p >= '0' && *p <= '9')
        p++;
    }
    while (*p && strchr("hlLqjzt", *p) && n < sizeof one - 2)
      one[n++] = *p++;
    one[n++] = *p ? *p : '?';
    one[n] = '\0';
    at += (size_t)snprintf(out + at, at < size ? size - at : 0, "%s,", one);
    if (*p == '\0')
      break;
  }
}

static const struct {
  const char *enum_name, *wire;
  eng_refusal key;
} rows[] = {
#define ROW(e, kind, wire) {#e, wire, ENG_R_##e},
    ENG_REFUSALS(ROW)
#undef ROW
};

/* Every refusal has both texts, taking the same arguments in the same
 * order, a kind, and a wire name of its own: its enum name in lower case. */
static void the_table_of_refusals(void **state) {
  (void)state;
  size_t n = sizeof rows / sizeof rows[0];
  assert_int_equal(n, ENG_R_COUNT - 1);
  for (size_t i = 0; i < n; i++) {
    eng_refusal k = rows[i].key;
    const char *en = eng_refusal_en(k), *vi = eng_refusal_vi(k);
    char ce[256], cv[256], lower[64];
    if (en == NULL || vi == NULL || en[0] == '\0' || vi[0] == '\0')
      fail_msg("%s: a text is missing", rows[i].enum_name);
    conversions(en, ce, sizeof ce);
    conversions(vi, cv, sizeof cv);
    if (strcmp(ce, cv))
      fail_msg("%s: the English takes %s, the Vietnamese %s", rows[i].enum_name, ce, cv);
    assert_non_null(eng_refusal_kind_name(eng_refusal_kind_of(k)));
    size_t len = strlen(rows[i].enum_name);
    assert_true(len < sizeof lower);
    for (size_t c = 0; c <= len; c++)
      lower[c] = (char)(rows[i].enum_name[c] >= 'A' && rows[i].enum_name[c] <= 'Z' ? rows[i].enum_name[c] + 32
                                                                                    : rows[i].enum_name[c]);
    assert_string_equal(rows[i].wire, lower);
    assert_string_equal(eng_refusal_name(k), rows[i].wire);
    assert_int_equal(eng_refusal_parse(rows[i].wire), k); /* the first of its name: unique */
    for (size_t j = 0; j < i; j++)
      if (!strcmp(rows[j].wire, rows[i].wire))
        fail_msg("%s is named twice", rows[i].wire);
  }
  assert_null(eng_refusal_name(ENG_R_NONE));
  assert_null(eng_refusal_name(ENG_R_COUNT));
  assert_int_equal(eng_refusal_parse("no_such_refusal"), ENG_R_NONE);
  /* The checker itself. */
  char c[64];
  conversions("%.70s and %llu, %.*s: 100%% %-3d %zu", c, sizeof c);
  assert_string_equal(c, "s,llu,*s,d,zu,");
  printf("# %zu refusals in the table\n", n);
}

/* ============================================================ submission and intake */

static void submission_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-05T09:00");
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, birth, NBIRTH);

  /* What a submission names. */
  static const char *const names = "a submission names the procedure, the agency and the channel";
  eng_command c = submit(NULL, "H13.X01", &f, "cd-s1");
  refused(&c, t, MC_EINVAL, names);
  c = submit("1.001193", NULL, &f, "cd-s1");
  refused(&c, t, MC_EINVAL, names);
  c = submit("1.001193", "H13.X01", &f, "cd-s1");
  c.submit.channel = NULL;
  refused(&c, t, MC_EINVAL, names);
  c.submit.channel = "email";
  refused(&c, t, MC_EINVAL, "unknown channel \"email\": online, desk or post");

  /* Who submits on which channel. */
  static const char *const online = "an online dossier is submitted by the applicant, from their account";
  c = submit("1.001193", "H13.X01", &f, "rc-1");
  c.actor = (eng_actor){"rc-1", "reception", "H13.X01", "test"};
  refused(&c, t, MC_EACCES, online);
  c.actor.role = NULL;
  refused(&c, t, MC_EACCES, online);
  c = submit("1.001193", "H13.X01", &f, NULL);
  refused(&c, t, MC_EACCES, online);
  c = submit("1.001193", "H13.X01", &f, "");
  refused(&c, t, MC_EACCES, online);
  char account[80];
  memset(account, 'a', 64);
  account[64] = '\0';
  c = submit("1.001193", "H13.X01", &f, account);
  refused(&c, t, MC_EINVAL, "the account id is longer than 63 bytes");
  c = submit("1.001193", "H13.X01", &f, "cd-s1");
  c.submit.channel = "desk";
  walk_in(&c, "027190002345");
  refused(&c, t, MC_EACCES, "a desk dossier is entered by a reception official of H13.X01");
  c.actor = (eng_actor){"rc-2", "reception", "H13.X02", "test"};
  c.submit.channel = "post";
  refused(&c, t, MC_EACCES, "a post dossier is entered by a reception official of H13.X01");
  c.actor.agency = NULL;
  refused(&c, t, MC_EACCES, "a post dossier is entered by a reception official of H13.X01");
  c.actor = (eng_actor){"rc-1", "reception", "H13.X01", "test"};
  c.submit.owner = account; /* whose documents are kept: a citizen id or tax code */
  refused(&c, t, MC_EINVAL, "the applicant's id \"aaaaaaaaaaaaaaaaaaaa...\" is too long");

  /* The procedure, the directory. */
  c = submit("9.999999", "H13.X01", &f, "cd-s1");
  refused(&c, t, MC_ENOENT, "the procedure 9.999999 is not published or not yet in effect");
  c = submit("1.001193", "H13.X99", &f, "cd-s1");
  refused(&c, t, MC_ENOENT, "the agency H13.X99 is not in the directory");
  c = submit("2.000488", "H13.X01", &f, "cd-s1");
  refused(&c, t, MC_EINVAL, "the agency H13.X01 does not offer the procedure 2.000488");
  c = submit("1.001193", "H13.STP", &f, "cd-s1"); /* offered at every commune; H13.STP is provincial */
  refused(&c, t, MC_EINVAL, "the agency H13.STP does not offer the procedure 1.001193");

  /* The command itself: its idempotency key, its kind, its texts. */
  c = submit("1.001193", "H13.X01", &f, "cd-s1");
  c.command_id = "";
  refused(&c, t, MC_EINVAL, "a command id must be 1 to 255 bytes long");
  char long_id[300];
  memset(long_id, 'k', sizeof long_id - 1);
  long_id[sizeof long_id - 1] = '\0';
  c.command_id = long_id;
  refused(&c, t, MC_EINVAL, "a command id must be 1 to 255 bytes long");
  eng_command unknown = {.kind = (eng_cmd_kind)42, .actor = {"cd-s1", "applicant", NULL, "test"}};
  refused(&unknown, t, MC_EINVAL, "unknown command");
  c = submit("1.001193", "H13.X01", &f, "cd-s1");
  c.actor.client = "tr\xc3\x28nh duy\xe1\xbb"; /* not UTF-8: the record cannot be written */
  refused(&c, t, MC_EPARSE, "a text field of the event is not valid UTF-8");
  c = submit("1.001193", "H13.X01", &f, "cd-\xff"); /* the applicant's id is the block's number: not text */
  refused(&c, t, MC_EINVAL, "the field \"id_number\"");

  /* In a batch, a refusal leaves its neighbours alone. */
  eng_command batch[3] = {submit("1.001193", "H13.X01", &f, "cd-s2"), submit("9.999999", "H13.X01", &f, "cd-s2"),
                          submit("1.001193", "H13.X01", &f, "cd-s3")};
  eng_result res[3];
  uint64_t before = head();
  assert_int_equal(eng_execute(eng, batch, 3, t + MC_MS_PER_HOUR, res), 0);
  assert_int_equal(res[0].status, 0);
  assert_int_equal(res[1].status, MC_ENOENT);
  assert_int_equal(res[1].count, 0);
  assert_int_equal(res[2].status, 0);
  assert_int_equal(head(), before + 2);
  mc_buf_free(&f);
}

/* ============================================================ the e-form */

typedef struct form_case {
  fv field;
  const char *phrase;
} form_case;

static void refused_forms(const char *procedure, const char *agency, const fv *base, int n, const form_case *cases,
                          size_t ncases, mc_instant t) {
  mc_buf f = MC_BUF_INIT;
  for (size_t k = 0; k < ncases; k++) {
    form_with(&f, base, n, cases[k].field);
    eng_command c = submit(procedure, agency, &f, "cd-form");
    refused(&c, t, MC_EINVAL, cases[k].phrase);
  }
  mc_buf_free(&f);
}

/* The applicant block (docs/ENGINE.md, "The applicant block"): required at
 * the desk, checked as an e-form is (every fault at once, with the form's),
 * the account's online. */
static void applicant_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-08T09:00");
  mc_buf f = MC_BUF_INIT, b = MC_BUF_INIT;
  birth_form(&f, "0912345678");
  eng_command c = submit("1.001193", "H13.X01", &f, "rc-1");
  c.submit.channel = "desk";
  c.actor = (eng_actor){"rc-1", "reception", "H13.X01", "test"};
  refused(&c, t, MC_EINVAL, "a desk dossier carries the applicant block");

  /* Every fault at once: a kind not listed, a name of spaces, a typo'd field, a number not a citizen id's. */
  fv bad[] = {{"kind", 's', "nguoi", 0}, {"name", 's', "   ", 0}, {"id_numbr", 's', "1", 0}};
  pack_fields(&b, bad, 3);
  c.submit.applicant = (eng_bytes){b.data, b.len};
  eng_result r = run(&c, t, MC_EINVAL);
  assert_int_equal(r.nfields, 4);
  assert_string_equal(r.fields[0].field, "applicant.id_numbr");
  assert_string_equal(r.fields[0].key, "applicant_field_unknown");
  assert_string_equal(r.fields[1].field, "applicant.id_number");
  assert_string_equal(r.fields[1].rule, "required");
  assert_string_equal(r.fields[2].field, "applicant.kind");
  assert_string_equal(r.fields[2].rule, "values");
  assert_int_equal(r.fields[2].nvalues, 2);
  assert_string_equal(r.fields[3].field, "applicant.name");
  assert_string_equal(r.fields[3].rule, "required");
  fv wrong_id[] = {{"kind", 's', "person", 0}, {"name", 's', "Trần Văn Khách", 0}, {"id_number", 's', "12345", 0}};
  pack_fields(&b, wrong_id, 3);
  c.submit.applicant = (eng_bytes){b.data, b.len};
  r = run(&c, t, MC_EINVAL);
  assert_string_equal(r.fields[0].field, "applicant.id_number");
  assert_string_equal(r.key, "applicant_id_number");
  assert_non_null(strstr(r.message_vi, "12 chữ số"));
  /* An organisation's number is a tax code; the owner, when given, is the block's number. */
  fv firm[] = {{"kind", 's', "organisation", 0}, {"name", 's', "Công ty TNHH Hạnh Phúc", 0},
               {"id_number", 's', "2300123456", 0}};
  pack_fields(&b, firm, 3);
  c.submit.applicant = (eng_bytes){b.data, b.len};
  c.submit.owner = "2300999999";
  refused(&c, t, MC_EINVAL, "\"owner\" (2300999999) is not the applicant's id number (2300123456)");
  c.submit.owner = NULL;
  c.command_id = "desk-firm";
  r = run(&c, t, 0);

  /* Online: the account's identity; an address may be added, another name is a fault beside the form's. */
  eng_command reg = {.kind = ENG_CMD_ACCOUNT, .actor = {"motcuad", "system", NULL, "test"},
                     .expected_version = STORE_ANY_VERSION,
                     .account = {.op = "register", .id = "027190009999", .kind = "person", .name = "Hà Thị Mai",
                                 .email = "mai@example.vn"}};
  run(&reg, t, 0);
  eng_command o = submit("1.001193", "H13.X01", &f, "027190009999");
  fv other[] = {{"name", 's', "Người Khác", 0}, {"address", 's', "Số 2 Lý Thái Tổ", 0}};
  pack_fields(&b, other, 2);
  o.submit.applicant = (eng_bytes){b.data, b.len};
  r = run(&o, t, MC_EINVAL);
  assert_string_equal(r.key, "applicant_from_account");
  assert_string_equal(r.fields[0].field, "applicant.name");
  assert_string_equal(r.fields[0].values[0], "Hà Thị Mai");
  fv address[] = {{"address", 's', "Số 2 Lý Thái Tổ", 0}};
  pack_fields(&b, address, 1);
  o.submit.applicant = (eng_bytes){b.data, b.len};
  o.command_id = "online-mai";
  r = run(&o, t, 0);
  mc_buf_free(&f);
  mc_buf_free(&b);
}

static void form_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-07T09:00");
  mc_buf f = MC_BUF_INIT;
  eng_command c;

  /* Not one map, or too big to be one. */
  static const char *const one_map = "the form must be one map of field name to value";
  c = submit("1.001193", "H13.X01", &f, "cd-f1");
  c.submit.form.data = NULL;
  c.submit.form.len = 0;
  refused(&c, t, MC_EINVAL, one_map);
  static const uint8_t array[] = {0x91, 0x01};
  c.submit.form.data = array;
  c.submit.form.len = sizeof array;
  refused(&c, t, MC_EINVAL, one_map);
  static const uint8_t truncated[] = {0x81, 0xa5, 'p', 'h', 'o'};
  c.submit.form.data = truncated;
  c.submit.form.len = sizeof truncated;
  refused(&c, t, MC_EINVAL, one_map);
  pack_fields(&f, birth, NBIRTH);
  assert_int_equal(mc_buf_append_byte(&f, 0xc0), 0); /* a second value after the map */
  c = submit("1.001193", "H13.X01", &f, "cd-f1");
  refused(&c, t, MC_EINVAL, one_map);
  char *huge = malloc(70000);
  assert_non_null(huge);
  memset(huge, 'a', 69999);
  huge[69999] = '\0';
  form_with(&f, birth, NBIRTH, (fv){"child_name", 's', huge, 0});
  free(huge);
  c = submit("1.001193", "H13.X01", &f, "cd-f1");
  refused(&c, t, MC_ETOOBIG, "the form is larger than 64 KiB: documents go as scans, not in the form");

  /* Fields the procedure does not declare, checked first. */
  form_with(&f, birth, NBIRTH, (fv){"nickname", 's', "Bống", 0});
  c = submit("1.001193", "H13.X01", &f, "cd-f1");
  refused(&c, t, MC_EINVAL, "the form has a field \"nickname\" that the procedure 1.001193 does not declare");
  static const uint8_t int_key[] = {0x81, 0x01, 0x01};
  c.submit.form.data = int_key;
  c.submit.form.len = sizeof int_key;
  refused(&c, t, MC_EINVAL, "the form has a field \"?\" that the procedure 1.001193 does not declare");

  /* Required: absent, nil, or empty text. */
  static const char *const mother = "the field \"mother_id\" (Số định danh cá nhân của mẹ) is required";
  static const form_case required[] = {
      {{"mother_id", '-', NULL, 0}, mother},
      {{"mother_id", 'n', NULL, 0}, mother},
      {{"mother_id", 's', "", 0}, mother},
  };
  refused_forms("1.001193", "H13.X01", birth, NBIRTH, required, 3, t);

  /* Birth registration: text, date, enum, citizen id, phone, number. */
  static const form_case birth_cases[] = {
      {{"child_name", 'i', NULL, 5}, "the field \"child_name\" (Họ, chữ đệm và tên của trẻ) must be a text"},
      {{"child_name", 'x', "Ng\xc3\x28", 4}, "the field \"child_name\" (Họ, chữ đệm và tên của trẻ) must be a text"},
      {{"birth_date", 's', "2026-02-30", 0}, "the field \"birth_date\" (Ngày, tháng, năm sinh) must be a date (YYYY-MM-DD)"},
      {{"birth_date", 's', "01/01/2026", 0}, "the field \"birth_date\" (Ngày, tháng, năm sinh) must be a date (YYYY-MM-DD)"},
      {{"birth_date", 's', "2026-13-01", 0}, "must be a date (YYYY-MM-DD)"},
      {{"gender", 's', "Khác", 0}, "the field \"gender\" (Giới tính) must be one of the listed values"},
      {{"gender", 's', "nam", 0}, "the field \"gender\" (Giới tính) must be one of the listed values"},
      {{"mother_id", 's', "02719000700", 0},
       "the field \"mother_id\" (Số định danh cá nhân của mẹ) must be a 12-digit citizen id"},
      {{"mother_id", 's', "02719000700A", 0}, "must be a 12-digit citizen id"},
      {{"father_id", 'i', NULL, 27190007001},
       "the field \"father_id\" (Số định danh cá nhân của cha) must be a 12-digit citizen id"},
      {{"phone", 's', "12345", 0}, "the field \"phone\" (Số điện thoại liên hệ) must be a phone number"},
      {{"phone", 's', "+84912", 0}, "must be a phone number"},
      {{"phone", 's', "091234567890", 0}, "must be a phone number"},
      {{"copies", 's', "2", 0}, "the field \"copies\" (Số bản sao giấy khai sinh) must be a whole number"},
      {{"copies", 'f', NULL, 0}, "the field \"copies\" (Số bản sao giấy khai sinh) must be a whole number"},
      {{"copies", 'a', NULL, 0}, "the field \"copies\" (Số bản sao giấy khai sinh) must be a whole number"},
      {{"copies", 'u', NULL, INT64_MIN}, /* 2^63: no whole number the engine keeps */
       "the field \"copies\" (Số bản sao giấy khai sinh) must be a whole number"},
      /* range 0..10 */
      {{"copies", 'i', NULL, 11}, "the field \"copies\" (Số bản sao giấy khai sinh) must be between 0 and 10"},
      {{"copies", 'i', NULL, -1}, "the field \"copies\" (Số bản sao giấy khai sinh) must be between 0 and 10"},
  };
  refused_forms("1.001193", "H13.X01", birth, NBIRTH, birth_cases, sizeof birth_cases / sizeof birth_cases[0], t);

  /* Length counts characters, not bytes (Vietnamese letters take two or
   * three), in NFC as stored: 101 is too many, 100 is enough, also when
   * the client sends them decomposed. */
  char name[1024] = "";
  for (int k = 0; k < 101; k++)
    strcat(name, "ầ");
  form_with(&f, birth, NBIRTH, (fv){"child_name", 's', name, 0});
  c = submit("1.001193", "H13.X01", &f, "cd-f1");
  refused(&c, t, MC_EINVAL, "the field \"child_name\" (Họ, chữ đệm và tên của trẻ) must have 1 to 100 characters");
  name[0] = '\0';
  for (int k = 0; k < 100; k++)
    strcat(name, "a\xcc\x82\xcc\x80"); /* a, combining circumflex, combining grave: one letter */
  form_with(&f, birth, NBIRTH, (fv){"child_name", 's', name, 0});
  c = submit("1.001193", "H13.X01", &f, "cd-f1");
  run(&c, t, 0);

  /* Household business: tax code, email, a range from 1. */
  static const form_case household_cases[] = {
      {{"tax_code", 's', "01234567", 0}, "the field \"tax_code\" (Mã số thuế (nếu đã có)) must be a tax code"},
      {{"tax_code", 's', "0123456789-12", 0}, "must be a tax code"},
      {{"email", 's', "thuha@", 0}, "the field \"email\" (Thư điện tử) must be an email address"},
      {{"email", 's', "thu ha@mail.vn", 0}, "must be an email address"},
      {{"email", 's', "a@b@mail.vn", 0}, "must be an email address"},
      {{"members", 'i', NULL, 0}, "the field \"members\" (Số thành viên hộ gia đình) must be between 1 and 50"},
      {{"capital", 's', "30.000.000", 0}, "the field \"capital\" (Vốn kinh doanh (đồng)) must be a whole number"},
      {{"business_name", 's', "", 0}, "the field \"business_name\" (Tên hộ kinh doanh) is required"},
  };
  refused_forms("2.000575", "H13.X02", household, NHOUSEHOLD, household_cases,
                sizeof household_cases / sizeof household_cases[0], t);

  /* Marriage, entered at the desk: yes or no. */
  form_with(&f, marriage, NMARRIAGE, (fv){"needs_check", 's', "có", 0});
  c = submit("1.000894", "H13.X01", &f, "rc-1");
  c.submit.channel = "desk";
  c.actor = (eng_actor){"rc-1", "reception", "H13.X01", "test"};
  walk_in(&c, "027190002345");
  refused(&c, t, MC_EINVAL, "the field \"needs_check\" (Cần xác minh thông tin) must be true or false");
  form_with(&f, marriage, NMARRIAGE, (fv){"needs_check", 'i', NULL, 1});
  c.submit.form.data = f.data;
  c.submit.form.len = f.len;
  refused(&c, t, MC_EINVAL, "must be true or false");

  /* Driving licence: a pattern, a length of 5..20, an enum. */
  static const form_case licence_cases[] = {
      {{"licence_no", 's', "ab700005", 0}, "the field \"licence_no\" (Số giấy phép lái xe) is not in the expected form"},
      {{"licence_no", 's', "AB 700005", 0}, "is not in the expected form"},
      {{"licence_no", 's', "AB12", 0}, "the field \"licence_no\" (Số giấy phép lái xe) must have 5 to 20 characters"},
      {{"origin", 's', "Lào", 0}, "the field \"origin\" (Nơi cấp giấy phép) must be one of the listed values"},
  };
  refused_forms("1.002835", "H13.CA", licence, NLICENCE, licence_cases, 4, t);

  /* Building permit: ranges from 1. */
  static const form_case house_cases[] = {
      {{"floors", 'i', NULL, 21}, "the field \"floors\" (Số tầng) must be between 1 and 20"},
      {{"floor_area", 'i', NULL, 0}, "the field \"floor_area\" (Tổng diện tích sàn (m²)) must be between 1 and 100000"},
  };
  refused_forms("1.009995", "H13.X03", house, NHOUSE, house_cases, 2, t);
  mc_buf_free(&f);
}

/* ============================================================ scanned documents */

static void document_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-07T14:00");
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, birth, NBIRTH);
  eng_command c = submit("1.001193", "H13.X01", &f, "cd-doc");
  eng_document docs[33];
  for (int k = 0; k < 33; k++)
    docs[k] = (eng_document){"giay_chung_sinh", sha_a, NULL, NULL, 0};
  c.submit.documents.list = docs;
  c.submit.documents.n = 33;
  refused(&c, t, MC_ETOOBIG, "at most 32 documents at once");
  c.submit.documents.n = -1;
  refused(&c, t, MC_ETOOBIG, "at most 32 documents at once");
  c.submit.documents.n = 2;
  refused(&c, t, MC_EINVAL, "the document \"giay_chung_sinh\" is given twice");
  c.submit.documents.n = 1;
  docs[0].name = "ban_sao_cccd";
  refused(&c, t, MC_EINVAL, "the procedure 1.001193 asks for no document \"ban_sao_cccd\"; it asks for giay_chung_sinh");
  docs[0].name = "to_khai"; /* the e-form itself is not scanned */
  refused(&c, t, MC_EINVAL, "the procedure 1.001193 asks for no document \"to_khai\"; it asks for giay_chung_sinh");
  docs[0].name = NULL;
  refused(&c, t, MC_EINVAL, "asks for no document \"\"");
  docs[0].name = "giay_chung_sinh";
  static const char *const by_sha = "the scan of \"giay_chung_sinh\" is referenced by its SHA-256: 64 hexadecimal digits";
  docs[0].sha256 = NULL;
  refused(&c, t, MC_EINVAL, by_sha);
  docs[0].sha256 = "9f86d081";
  refused(&c, t, MC_EINVAL, by_sha);
  docs[0].sha256 = "zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  refused(&c, t, MC_EINVAL, by_sha);
  docs[0].sha256 = sha_a;
  docs[0].valid_until = "31/12/2030";
  refused(&c, t, MC_EINVAL, "the validity of \"giay_chung_sinh\" is a date YYYY-MM-DD, not \"31/12/2030\"");
  docs[0].valid_until = "2030-02-29";
  refused(&c, t, MC_EINVAL, "is a date YYYY-MM-DD, not \"2030-02-29\"");
  docs[0].valid_until = "2026-01-06";
  refused(&c, t, MC_EINVAL, "the document \"giay_chung_sinh\" expired on 2026-01-06: ask the applicant for a valid one");

  /* A procedure whose form is all it asks for. */
  mc_buf fb = MC_BUF_INIT;
  pack_fields(&fb, feedback, NFEEDBACK);
  eng_command pakn = submit("PAKN", "H13.TTHCC", &fb, "cd-doc");
  docs[0].valid_until = NULL;
  pakn.submit.documents.list = docs;
  pakn.submit.documents.n = 1;
  refused(&pakn, t, MC_EINVAL,
          "the procedure PAKN asks for no document \"giay_chung_sinh\"; it asks for none to scan (its form is filled online)");

  /* Documents come with a submission or a supplement, results with approve
   * or return_result (no other command's arguments have any:
   * engine/commands.h). */
  char code[64];
  filed(code, "cd-doc", t + MC_MS_PER_HOUR);
  eng_command a = act(code, "accept", "rc-1", "reception", "H13.X01");
  a.act.documents.list = docs;
  a.act.documents.n = 1;
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL,
          "documents come with a submission or a supplement, and the procedure's results (giay_khai_sinh) with "
          "approve or return_result: not with \"accept\"");
  /* ... and a supplement's are checked as a submission's. */
  eng_command ask = act(code, "request_supplement", "rc-1", "reception", "H13.X01");
  ask.act.reason = "Thiếu Giấy chứng sinh bản chính";
  run(&ask, t + 2 * MC_MS_PER_HOUR, 0);
  eng_command provide = act(code, "provide_supplement", "cd-doc", "applicant", NULL);
  provide.act.documents.list = docs;
  provide.act.documents.n = 1;
  docs[0].valid_until = "2025-12-31";
  refused(&provide, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, "the document \"giay_chung_sinh\" expired on 2025-12-31");
  docs[0].name = "giay_to_dat";
  refused(&provide, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, "asks for no document \"giay_to_dat\"");
  mc_buf_free(&f);
  mc_buf_free(&fb);
}

/* ============================================================ acting on a step */

static void act_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-08T09:00");
  char code[64];
  filed(code, "cd-a1", t);

  eng_command c = act(NULL, "accept", "rc-1", "reception", "H13.X01");
  refused(&c, t, MC_EINVAL, "an action names the dossier and the action");
  c = act(code, NULL, "rc-1", "reception", "H13.X01");
  refused(&c, t, MC_EINVAL, "an action names the dossier and the action");
  c = act("H13.X01-260108-9999", "accept", "rc-1", "reception", "H13.X01");
  refused(&c, t, MC_ENOENT, "there is no dossier H13.X01-260108-9999");
  c.dossier = "";
  refused(&c, t, MC_ENOENT, "there is no dossier \"\": a code reads like H13.X01-260210-0001");
  char long_code[80];
  memset(long_code, '9', 70);
  long_code[70] = '\0';
  c.dossier = long_code;
  refused(&c, t, MC_ENOENT, "\": a code reads like H13.X01-260210-0001");
  c = act(code, "accept", "rc-1", "reception", "H13.X01");
  c.expected_version = 3;
  refused(&c, t, MC_ECONFLICT, "is at version 1, not 3: reload it and decide again");
  refused_key(&c, t, MC_ECONFLICT, ENG_R_VERSION_STALE, ENG_REFUSE_CONFLICT, code);

  /* Who: the step's role, at its agency. */
  c = act(code, "accept", "sp-1", "specialist", "H13.X01");
  refused(&c, t, MC_EACCES, "the step \"reception\" (Tiếp nhận hồ sơ) is done by reception, not by specialist");
  c = act(code, "accept", "sp-1", NULL, "H13.X01");
  refused(&c, t, MC_EACCES, "is done by reception, not by no role");
  c = act(code, "accept", "cd-a1", "applicant", NULL);
  refused(&c, t, MC_EACCES, "is done by reception, not by applicant");
  c = act(code, "accept", "rc-9", "reception", "H13.X02");
  refused(&c, t, MC_EACCES, "the step \"reception\" is done at H13.X01, and rc-9 is not of it");
  c = act(code, "accept", NULL, "reception", NULL);
  refused(&c, t, MC_EACCES, "the step \"reception\" is done at H13.X01, and this official is not of it");

  /* What: an action of the step; the engine's own timeout; the step named. */
  c = act(code, "approve", "rc-1", "reception", "H13.X01");
  refused(&c, t, MC_EINVAL,
          "the step \"reception\" (Tiếp nhận hồ sơ) allows accept, request_supplement, reject; not \"approve\"");
  c = act(code, "timeout", "rc-1", "reception", "H13.X01");
  refused(&c, t, MC_EINVAL, "a timeout is taken by the engine when the step's limit passes");
  c = act(code, "accept", "rc-1", "reception", "H13.X01");
  c.act.step = "processing";
  refused(&c, t, MC_EINVAL, " is not at the step \"processing\"");

  /* Parallel branches: say which; each branch is its agency's. */
  static const fv record[] = {{"citizen", 's', "027190007010", 0},
                              {"full_name", 's', "Trịnh Thị Lan", 0},
                              {"kind", 's', "Phiếu số 1", 0},
                              {"purpose", 's', "Bổ sung hồ sơ xin việc", 0}};
  char jr[64];
  file_online(jr, "2.000488", "H13.STP", record, 4, "cd-a2", t);
  c = act(jr, "accept", "rc-s", "reception", "H13.STP");
  run(&c, t + MC_MS_PER_HOUR, 0);
  c = act(jr, "complete", "sp-s", "specialist", "H13.STP");
  run(&c, t + 2 * MC_MS_PER_HOUR, 0);
  c = act(jr, "answer", "ca-1", "specialist", "H13.CA");
  refused(&c, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, " is at several steps (police_check, court_check): say which");
  c.act.step = "court_check";
  refused(&c, t + 3 * MC_MS_PER_HOUR, MC_EACCES, "the step \"court_check\" is done at H13.TAND, and ca-1 is not of it");
  c.act.step = "drafting";
  refused(&c, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, " is not at the step \"drafting\"");

  /* An assigned dossier is its handlers'. */
  char as[64];
  accepted(as, "cd-a3", at("2026-01-09T08:00"));
  official("hoa", "specialist", "H13.X01", at("2026-01-09T08:05"));
  official("an.tv", "specialist", "H13.X01", at("2026-01-09T08:05"));
  eng_command assign = cmd(ENG_CMD_ASSIGN, as, "ld-1", "leader", "H13.X01");
  assign.assign.handler = "hoa";
  run(&assign, at("2026-01-09T08:10"), 0);
  c = act(as, "approve", "minh", "specialist", "H13.X01");
  refused(&c, at("2026-01-09T08:20"), MC_EACCES, " is assigned to hoa; a leader can reassign it");
  const char *co[] = {"an.tv"};
  assign.assign.co_handlers.list = co;
  assign.assign.co_handlers.n = 1;
  run(&assign, at("2026-01-09T08:30"), 0);
  refused(&c, at("2026-01-09T08:40"), MC_EACCES, " is assigned to hoa and co-handlers; a leader can reassign it");
  c.actor.who = NULL;
  refused(&c, at("2026-01-09T08:40"), MC_EACCES, " is assigned to hoa and co-handlers");

  /* An ended dossier takes nothing more, whichever way it ended. */
  char done[64];
  decided(done, "cd-a4", at("2026-01-09T09:00"));
  c = act(done, "return_result", "rc-1", "reception", "H13.X01");
  run(&c, at("2026-01-09T10:00"), 0);
  refused(&c, at("2026-01-09T10:01"), MC_EINVAL, " is returned: nothing more can be done");
  char rej[64];
  filed(rej, "cd-a5", at("2026-01-09T10:10"));
  c = act(rej, "reject", "rc-1", "reception", "H13.X01");
  c.act.reason = "Không phải hồ sơ khai sinh";
  run(&c, at("2026-01-09T10:20"), 0);
  c = act(rej, "accept", "rc-1", "reception", "H13.X01");
  refused(&c, at("2026-01-09T10:30"), MC_EINVAL, " is rejected: nothing more can be done");
}

/* ============================================================ supplement, reject, deny */

static void supplement_rejection_and_denial_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-12T08:00");
  char code[64];
  filed(code, "cd-b1", t);

  /* A rejection at reception carries its reasons. */
  eng_command reject = act(code, "reject", "rc-1", "reception", "H13.X01");
  refused(&reject, t + MC_MS_PER_HOUR, MC_EINVAL, "a rejection gives its reasons (Phiếu từ chối tiếp nhận hồ sơ)");
  reject.act.reason = "";
  refused(&reject, t + MC_MS_PER_HOUR, MC_EINVAL, "a rejection gives its reasons");

  /* A supplement request lists what is missing. */
  eng_command ask = act(code, "request_supplement", "rc-1", "reception", "H13.X01");
  refused(&ask, t + MC_MS_PER_HOUR, MC_EINVAL, "a supplement request lists everything the applicant must supply, with guidance");
  ask.act.reason = "";
  refused(&ask, t + MC_MS_PER_HOUR, MC_EINVAL, "a supplement request lists everything the applicant must supply");
  ask.act.reason = "Thiếu Giấy chứng sinh bản chính";
  run(&ask, t + MC_MS_PER_HOUR, 0);

  /* The applicant's step: only this dossier's applicant. */
  eng_command provide = act(code, "provide_supplement", "cd-b9", "applicant", NULL);
  refused(&provide, t + 2 * MC_MS_PER_HOUR, MC_EACCES, " can act in the step \"supplement\"");
  refused_key(&provide, t + 2 * MC_MS_PER_HOUR, MC_EACCES, ENG_R_STEP_APPLICANT_ONLY, ENG_REFUSE_FORBIDDEN, code);
  refused(&provide, t + 2 * MC_MS_PER_HOUR, MC_EACCES, "only the applicant of ");
  provide.actor.who = NULL;
  refused(&provide, t + 2 * MC_MS_PER_HOUR, MC_EACCES, "only the applicant of ");
  provide = act(code, "provide_supplement", "rc-1", "reception", "H13.X01");
  refused(&provide, t + 2 * MC_MS_PER_HOUR, MC_EACCES,
          "the step \"supplement\" (Chờ bổ sung hồ sơ) is done by applicant, not by reception");
  provide = act(code, "provide_supplement", "cd-b1", "applicant", NULL);
  run(&provide, t + 2 * MC_MS_PER_HOUR, 0);

  /* Asked once, listing everything (NĐ118 Art. 16.3). */
  refused(&ask, t + 3 * MC_MS_PER_HOUR, MC_EINVAL,
          "a supplement may be requested only once, listing everything (NĐ118 Art. 16.3)");

  /* A denial carries its reasons, at each step that may deny. */
  eng_command accept = act(code, "accept", "rc-1", "reception", "H13.X01");
  run(&accept, t + 4 * MC_MS_PER_HOUR, 0);
  eng_command deny = act(code, "deny", "sp-1", "specialist", "H13.X01");
  refused(&deny, t + 5 * MC_MS_PER_HOUR, MC_EINVAL, "a denial gives its reasons (Phiếu từ chối giải quyết hồ sơ)");
  deny.act.reason = "";
  refused(&deny, t + 5 * MC_MS_PER_HOUR, MC_EINVAL, "a denial gives its reasons");
  deny.act.reason = "Giấy chứng sinh không hợp lệ";
  run(&deny, t + 5 * MC_MS_PER_HOUR, 0);
  eng_command sign = act(code, "deny", "ld-1", "leader", "H13.X01");
  refused(&sign, t + 6 * MC_MS_PER_HOUR, MC_EINVAL, "a denial gives its reasons");
  /* A reason that is not UTF-8 cannot be recorded; one of 8 KiB is too long. */
  sign.act.reason = "L\xfd do";
  refused(&sign, t + 6 * MC_MS_PER_HOUR, MC_EPARSE, "the event could not be encoded (malformed input)");
  char *essay = malloc(8194);
  assert_non_null(essay);
  memset(essay, 'x', 8193);
  essay[8193] = '\0';
  sign.act.reason = essay;
  refused(&sign, t + 6 * MC_MS_PER_HOUR, MC_ETOOBIG, "the text is longer than 8192 bytes: attach a document instead");
  free(essay);

  /* Once accepted, a dossier is no longer rejected (it comes back to
   * reception after a supplement): it is denied. */
  char permit[64];
  file_online(permit, "1.009995", "H13.X03", house, NHOUSE, "cd-b2", t + 7 * MC_MS_PER_HOUR);
  accept = act(permit, "accept", "rc-3", "reception", "H13.X03");
  run(&accept, t + 7 * MC_MS_PER_HOUR, 0);
  ask = act(permit, "request_supplement", "sp-3", "specialist", "H13.X03");
  ask.act.reason = "Bổ sung bản vẽ mặt cắt";
  run(&ask, at("2026-01-13T08:00"), 0);
  provide = act(permit, "provide_supplement", "cd-b2", "applicant", NULL);
  run(&provide, at("2026-01-13T08:10"), 0);
  reject = act(permit, "reject", "rc-3", "reception", "H13.X03");
  reject.act.reason = "Bản vẽ vẫn thiếu";
  refused(&reject, at("2026-01-13T08:20"), MC_EINVAL, " was accepted: it is no longer rejected at reception but denied, with reasons");

  /* A dossier entered at the desk: reception acts for the applicant. */
  char desk[64];
  file_at_desk(desk, "1.001193", "H13.X01", birth, NBIRTH, at("2026-01-13T08:30"));
  ask = act(desk, "request_supplement", "rc-1", "reception", "H13.X01");
  ask.act.reason = "Thiếu Giấy chứng sinh";
  run(&ask, at("2026-01-13T08:40"), 0);
  provide = act(desk, "provide_supplement", "cd-b3", "applicant", NULL);
  refused(&provide, at("2026-01-13T08:50"), MC_EACCES,
          " was entered at the desk: reception of H13.X01 acts for the applicant in the step \"supplement\"");
  provide = act(desk, "provide_supplement", "rc-2", "reception", "H13.X02");
  refused(&provide, at("2026-01-13T08:50"), MC_EACCES, "the step \"supplement\" is done at H13.X01, and rc-2 is not of it");
}

/* ============================================================ withdraw */

static void withdrawal_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-13T09:00");
  char code[64];
  filed(code, "cd-c1", t);
  eng_command w = cmd(ENG_CMD_WITHDRAW, NULL, "cd-c1", "applicant", NULL);
  refused(&w, t, MC_EINVAL, "say which dossier to withdraw");
  w.dossier = "H13.X01-260113-9999";
  refused(&w, t, MC_ENOENT, "there is no dossier H13.X01-260113-9999");
  w.dossier = code;
  w.expected_version = 2;
  refused(&w, t, MC_ECONFLICT, "is at version 1, not 2");
  w.expected_version = STORE_ANY_VERSION;
  static const char *const by_whom = "a dossier is withdrawn by its applicant, or by reception at the applicant's request";
  w.actor.who = "cd-c9";
  refused(&w, t, MC_EACCES, by_whom);
  w.actor.who = NULL;
  refused(&w, t, MC_EACCES, by_whom);
  w.actor = (eng_actor){"sp-1", "specialist", "H13.X01", "test"};
  refused(&w, t, MC_EACCES, by_whom);
  w.actor = (eng_actor){"rc-2", "reception", "H13.X02", "test"};
  refused(&w, t, MC_EACCES, by_whom);
  w.actor = (eng_actor){"rc-1", "reception", NULL, "test"};
  refused(&w, t, MC_EACCES, by_whom);
  w.actor = (eng_actor){"cd-c1", "applicant", NULL, "test"};
  run(&w, t + MC_MS_PER_HOUR, 0);
  refused(&w, t + MC_MS_PER_HOUR, MC_EINVAL, " is withdrawn: nothing more can be done");

  /* A desk dossier has no applicant account: no account withdraws it. */
  char desk[64];
  file_at_desk(desk, "1.001193", "H13.X01", birth, NBIRTH, t + MC_MS_PER_HOUR);
  w = cmd(ENG_CMD_WITHDRAW, desk, "cd-c3", "applicant", NULL);
  refused(&w, t + MC_MS_PER_HOUR, MC_EACCES, by_whom);

  /* After the decision (NĐ118 Art. 21). */
  char dec[64];
  decided(dec, "cd-c2", t + 2 * MC_MS_PER_HOUR);
  w = cmd(ENG_CMD_WITHDRAW, dec, "cd-c2", "applicant", NULL);
  refused(&w, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, " is decided: it can no longer be withdrawn (NĐ118 Art. 21)");
  w.actor = (eng_actor){"rc-1", "reception", "H13.X01", "test"};
  refused(&w, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, "can no longer be withdrawn");
}

/* ============================================================ extend */

static void extension_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-14T08:00");
  char code[64];
  filed(code, "cd-d1", t);
  eng_command e = cmd(ENG_CMD_EXTEND, NULL, "ld-1", "leader", "H13.X01");
  e.extend.reason = "Xin lỗi ông/bà: cần xác minh thêm";
  e.extend.new_due = at("2026-01-16T17:00");
  refused(&e, t, MC_EINVAL, "say which dossier to extend");
  e.dossier = "H13.X01-260114-9999";
  refused(&e, t, MC_ENOENT, "there is no dossier H13.X01-260114-9999");
  e.dossier = code;
  e.expected_version = 5;
  refused(&e, t, MC_ECONFLICT, "is at version 1, not 5");
  e.expected_version = STORE_ANY_VERSION;
  /* Not accepted yet: there is no appointment. */
  refused(&e, t, MC_EINVAL, " has no appointment to extend");

  /* Accepted at 08:10: a same-day procedure is due at 17:00, too soon for
   * a working day's notice.  Signed by a leader of the agency. */
  eng_command accept = act(code, "accept", "rc-1", "reception", "H13.X01");
  run(&accept, t + 10 * MC_MS_PER_MINUTE, 0);
  static const char *const leader = "an extension is signed by a leader of H13.X01 (NĐ118 Art. 19.6)";
  e.actor = (eng_actor){"sp-1", "specialist", "H13.X01", "test"};
  refused(&e, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  e.actor = (eng_actor){"ld-2", "leader", "H13.X02", "test"};
  refused(&e, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  e.actor = (eng_actor){"ld-1", "leader", NULL, "test"};
  refused(&e, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  e.actor = (eng_actor){"ld-1", "leader", "H13.X01", "test"};
  refused(&e, t + MC_MS_PER_HOUR, MC_EINVAL,
          "too late to extend: the notice must come at least 1 working day(s) before the due date 2026-01-14T17:00");

  /* A building permit accepted on 14 Jan is due on 29 Jan (15 days). */
  char permit[64];
  file_online(permit, "1.009995", "H13.X03", house, NHOUSE, "cd-d2", t + MC_MS_PER_HOUR);
  accept = act(permit, "accept", "rc-3", "reception", "H13.X03");
  assert_string_equal(iso(run(&accept, t + 2 * MC_MS_PER_HOUR, 0).appointment_at), "2026-01-29T17:00:00+07:00");
  eng_command x = cmd(ENG_CMD_EXTEND, permit, "ld-3", "leader", "H13.X03");
  x.extend.new_due = at("2026-02-05T17:00");
  refused(&x, t + 3 * MC_MS_PER_HOUR, MC_EINVAL,
          "an extension gives its reason and apologises (Phiếu xin lỗi và hẹn lại ngày trả kết quả)");
  x.extend.reason = "";
  refused(&x, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, "an extension gives its reason and apologises");
  x.extend.reason = "Xin lỗi ông/bà: cần ý kiến của Sở Xây dựng";
  /* One new date: a working day, after the current one. */
  x.extend.new_due = at("2026-01-31T10:00");
  refused(&x, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, "the new date 2026-01-31 is a weekend: choose a working day");
  x.extend.new_due = at("2026-02-17T10:00");
  refused(&x, t + 3 * MC_MS_PER_HOUR, MC_EINVAL,
          "the new date 2026-02-17 is a holiday (Tết Nguyên đán Bính Ngọ): choose a working day");
  x.extend.new_due = at("2028-02-04T17:00");
  refused(&x, t + 3 * MC_MS_PER_HOUR, MC_ECALYEAR, "the calendar \"vn\" does not describe the new date's year");
  static const char *const after = "the new date must be after the current appointment";
  x.extend.new_due = at("2026-01-20T17:00");
  refused(&x, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, after);
  x.extend.new_due = at("2026-01-29T09:00"); /* the appointment's own day: due at its close, no later */
  refused(&x, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, after);
  x.extend.new_due = at("2026-02-05T17:00");
  run(&x, t + 3 * MC_MS_PER_HOUR, 0);
  x.extend.new_due = at("2026-02-12T17:00");
  refused(&x, t + 4 * MC_MS_PER_HOUR, MC_EINVAL,
          " was already reset once; it may be reset only once (NĐ118 Art. 19.6)");
  refused_key(&x, t + 4 * MC_MS_PER_HOUR, MC_EINVAL, ENG_R_ALREADY_EXTENDED, ENG_REFUSE_RULE, permit);

  /* Decided: nothing to extend.  Ended: nothing at all. */
  char dec[64];
  decided(dec, "cd-d3", t + 5 * MC_MS_PER_HOUR);
  e.dossier = dec;
  refused(&e, t + 6 * MC_MS_PER_HOUR, MC_EINVAL, " has no appointment to extend");
  eng_command ret = act(dec, "return_result", "rc-1", "reception", "H13.X01");
  run(&ret, t + 7 * MC_MS_PER_HOUR, 0);
  refused(&e, t + 7 * MC_MS_PER_HOUR, MC_EINVAL, " is returned: nothing more can be done");
}

/* ============================================================ assign */

static void assignment_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-16T08:00");
  char code[64];
  accepted(code, "cd-e1", t);
  static const char *const names = "an assignment names the dossier and its main handler";
  eng_command a = cmd(ENG_CMD_ASSIGN, NULL, "ld-1", "leader", "H13.X01");
  a.assign.handler = "hoa";
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, names);
  a.dossier = code;
  a.assign.handler = NULL;
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, names);
  a.assign.handler = "";
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, names);
  a.assign.handler = "hoa";
  const char *five[] = {"an.tv", "binh", "chi", "dung", "giang"};
  a.assign.co_handlers.list = five;
  a.assign.co_handlers.n = 5;
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, "at most 4 co-handlers");
  a.assign.co_handlers.n = -1;
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, "at most 4 co-handlers");
  /* An id cut short would lock its official out. */
  char long_id[80];
  memset(long_id, 'h', 64);
  long_id[64] = '\0';
  a.assign.co_handlers.n = 4;
  a.assign.handler = long_id;
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, "the official's id \"hhhhhhhhhhhhhhhhhhhh...\" is longer than 63 bytes");
  a.assign.handler = "hoa";
  const char *co[] = {"an.tv", long_id};
  a.assign.co_handlers.list = co;
  a.assign.co_handlers.n = 2;
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, "is longer than 63 bytes");
  a.assign.co_handlers.list = five;
  a.assign.co_handlers.n = 4;
  a.dossier = "H13.X01-260116-9999";
  refused(&a, t + MC_MS_PER_HOUR, MC_ENOENT, "there is no dossier H13.X01-260116-9999");
  a.dossier = code;
  a.expected_version = 9;
  refused(&a, t + MC_MS_PER_HOUR, MC_ECONFLICT, "is at version 2, not 9");
  a.expected_version = STORE_ANY_VERSION;
  static const char *const leader = "assigning a dossier is for a leader of H13.X01";
  a.actor = (eng_actor){"sp-1", "specialist", "H13.X01", "test"};
  refused(&a, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  a.actor = (eng_actor){"ld-2", "leader", "H13.X02", "test"};
  refused(&a, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  a.actor = (eng_actor){"ld-1", NULL, "H13.X01", "test"};
  refused(&a, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  a.actor = (eng_actor){"ld-1", "leader", "H13.X01", "test"};
  /* Only an enabled official of an agency doing the step, in its role. */
  const char *none[] = {NULL};
  a.assign.co_handlers.list = none;
  a.assign.co_handlers.n = 0;
  a.assign.handler = "khong-co";
  refused(&a, t + MC_MS_PER_HOUR, MC_ENOENT, "there is no official \"khong-co\"");
  official("tu-x02", "specialist", "H13.X02", t);
  a.assign.handler = "tu-x02";
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, "tu-x02 (H13.X02) does not do the current step of the dossier");
  official("le-tan", "reception", "H13.X01", t);
  a.assign.handler = "le-tan";
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, "le-tan (H13.X01) does not do the current step");
  official("kiem-toan", "auditor", NULL, t);
  a.assign.handler = "kiem-toan";
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, "kiem-toan is not an official of an agency");
  official("nghi", "specialist", "H13.X01", t);
  eng_command off = {.kind = ENG_CMD_ACCOUNT, .actor = {"admin", "system_admin", NULL, "test"},
                     .expected_version = STORE_ANY_VERSION, .account = {.op = "disable", .id = "nghi"}};
  run(&off, t, 0);
  a.assign.handler = "nghi";
  refused(&a, t + MC_MS_PER_HOUR, MC_EINVAL, "the account of nghi is disabled");
  a.assign.handler = "hoa";
  a.assign.co_handlers.list = five;
  a.assign.co_handlers.n = 4;
  refused(&a, t + MC_MS_PER_HOUR, MC_ENOENT, "there is no official \"binh\"");
  for (int i = 0; i < 4; i++)
    official(five[i], "specialist", "H13.X01", t);
  official("hoa", "specialist", "H13.X01", t);
  run(&a, t + MC_MS_PER_HOUR, 0);
  /* An ended dossier is not assigned. */
  eng_command w = cmd(ENG_CMD_WITHDRAW, code, "cd-e1", "applicant", NULL);
  run(&w, t + 2 * MC_MS_PER_HOUR, 0);
  refused(&a, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, " is withdrawn: nothing more can be done");
}

/* Was a bug: co_handlers NULL with nco_handlers > 0 is read through a NULL
 * pointer (do_assign, engine/cmd_dossier.c, the loop over c->co_handlers[i]
 * that checks the ids' length, before anything else); it should be
 * refused like a count out of range. */
static void co_handlers_without_their_list(void **state) {
  (void)state;
  char code[64];
  accepted(code, "cd-e2", at("2026-01-16T11:00"));
  eng_command a = cmd(ENG_CMD_ASSIGN, code, "ld-1", "leader", "H13.X01");
  a.assign.handler = "hoa";
  a.assign.co_handlers.n = 2;
  refused(&a, at("2026-01-16T11:10"), MC_EINVAL, "co-handlers");
}

/* ============================================================ stop */

static void stop_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-19T08:00");
  char code[64];
  accepted(code, "cd-g1", t);
  eng_command s = cmd(ENG_CMD_STOP, NULL, "ld-1", "leader", "H13.X01");
  s.stop.reason = "Hồ sơ giả mạo giấy tờ";
  refused(&s, t + MC_MS_PER_HOUR, MC_EINVAL, "say which dossier to stop");
  s.dossier = "H13.X01-260119-9999";
  refused(&s, t + MC_MS_PER_HOUR, MC_ENOENT, "there is no dossier H13.X01-260119-9999");
  s.dossier = code;
  s.expected_version = 1;
  refused(&s, t + MC_MS_PER_HOUR, MC_ECONFLICT, "is at version 2, not 1");
  s.expected_version = STORE_ANY_VERSION;
  static const char *const leader = "stopping a dossier is for a leader of H13.X01";
  s.actor = (eng_actor){"sp-1", "specialist", "H13.X01", "test"};
  refused(&s, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  s.actor = (eng_actor){"ld-3", "leader", "H13.X03", "test"};
  refused(&s, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  s.actor = (eng_actor){"ld-1", "leader", "H13.X01", "test"};
  s.stop.reason = NULL;
  refused(&s, t + MC_MS_PER_HOUR, MC_EINVAL, "stopping a dossier gives its reason, which the applicant is told");
  s.stop.reason = "";
  refused(&s, t + MC_MS_PER_HOUR, MC_EINVAL, "stopping a dossier gives its reason");
  s.stop.reason = "Hồ sơ giả mạo giấy tờ";
  run(&s, t + MC_MS_PER_HOUR, 0);
  refused(&s, t + 2 * MC_MS_PER_HOUR, MC_EINVAL, " is stopped: nothing more can be done");
  eng_command e = cmd(ENG_CMD_EXTEND, code, "ld-1", "leader", "H13.X01");
  e.extend.reason = "Xin lỗi";
  e.extend.new_due = at("2026-01-30T17:00");
  refused(&e, t + 2 * MC_MS_PER_HOUR, MC_EINVAL, " is stopped: nothing more can be done");

  /* Only between acceptance and decision. */
  char fresh[64], dec[64];
  filed(fresh, "cd-g2", t + 3 * MC_MS_PER_HOUR);
  s.dossier = fresh;
  refused(&s, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, " is not accepted yet: reception rejects it, with its reasons");
  decided(dec, "cd-g3", t + 4 * MC_MS_PER_HOUR);
  s.dossier = dec;
  refused(&s, t + 5 * MC_MS_PER_HOUR, MC_EINVAL, " is decided: its result stands and is returned, not stopped");
}

/* ============================================================ rate */

static void rating_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-20T08:00");
  char code[64];
  decided(code, "cd-h1", t);
  eng_command r = cmd(ENG_CMD_RATE, NULL, "cd-h1", "applicant", NULL);
  r.rate.rating = 4;
  refused(&r, t + MC_MS_PER_HOUR, MC_EINVAL, "say which dossier to rate");
  r.dossier = "H13.X01-260120-9999";
  refused(&r, t + MC_MS_PER_HOUR, MC_ENOENT, "there is no dossier H13.X01-260120-9999");
  r.dossier = code;
  refused(&r, t + MC_MS_PER_HOUR, MC_EINVAL, "a dossier is rated once its result is returned (it is decided)");
  eng_command ret = act(code, "return_result", "rc-1", "reception", "H13.X01");
  run(&ret, t + 2 * MC_MS_PER_HOUR, 0);
  static const char *const by_whom = "the service is rated by the applicant of ";
  r.actor = (eng_actor){"rc-1", "reception", "H13.X01", "test"};
  refused(&r, t + 3 * MC_MS_PER_HOUR, MC_EACCES, by_whom);
  r.actor = (eng_actor){"cd-h9", "applicant", NULL, "test"};
  refused(&r, t + 3 * MC_MS_PER_HOUR, MC_EACCES, by_whom);
  r.actor = (eng_actor){NULL, "applicant", NULL, "test"};
  refused(&r, t + 3 * MC_MS_PER_HOUR, MC_EACCES, by_whom);
  r.actor = (eng_actor){"cd-h1", "applicant", NULL, "test"};
  r.rate.rating = 0;
  refused(&r, t + 3 * MC_MS_PER_HOUR, MC_ERANGE, "a rating is 1 (poor) to 5 (very good)");
  r.rate.rating = 6;
  refused(&r, t + 3 * MC_MS_PER_HOUR, MC_ERANGE, "a rating is 1 (poor) to 5 (very good)");
  r.rate.rating = 4;
  run(&r, t + 3 * MC_MS_PER_HOUR, 0);
  refused(&r, t + 4 * MC_MS_PER_HOUR, MC_EINVAL, " is already rated");

  /* Withdrawn, never returned. */
  char w[64];
  filed(w, "cd-h2", t + 5 * MC_MS_PER_HOUR);
  eng_command wd = cmd(ENG_CMD_WITHDRAW, w, "cd-h2", "applicant", NULL);
  run(&wd, t + 5 * MC_MS_PER_HOUR, 0);
  r.dossier = w;
  r.actor.who = "cd-h2";
  refused(&r, t + 6 * MC_MS_PER_HOUR, MC_EINVAL, "a dossier is rated once its result is returned (it is withdrawn)");

  /* A desk dossier: reception records the applicant's rating, no account does. */
  char desk[64];
  file_at_desk(desk, "1.001193", "H13.X01", birth, NBIRTH, t + 7 * MC_MS_PER_HOUR);
  r = cmd(ENG_CMD_RATE, desk, "cd-h3", "applicant", NULL);
  r.rate.rating = 1;
  refused(&r, t + 7 * MC_MS_PER_HOUR, MC_EACCES, " (entered at the desk: reception records the applicant's rating)");
  r.actor = (eng_actor){"rc-2", "reception", "H13.X02", "test"};
  refused(&r, t + 7 * MC_MS_PER_HOUR, MC_EACCES, " (entered at the desk: reception records the applicant's rating)");
}

/* ============================================================ refund (bundled procedures) */

static void refund_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-21T08:00");
  char code[64];
  decided(code, "cd-i1", t);
  eng_command r = cmd(ENG_CMD_REFUND, NULL, "ld-1", "leader", "H13.X01");
  refused(&r, t + MC_MS_PER_HOUR, MC_EINVAL, "say which dossier to refund");
  r.dossier = "H13.X01-260121-9999";
  refused(&r, t + MC_MS_PER_HOUR, MC_ENOENT, "there is no dossier H13.X01-260121-9999");
  r.dossier = code;
  static const char *const leader = "refunding a fee is for a leader of H13.X01";
  r.actor = (eng_actor){"sp-1", "specialist", "H13.X01", "test"};
  refused(&r, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  r.actor = (eng_actor){"ld-2", "leader", "H13.X02", "test"};
  refused(&r, t + MC_MS_PER_HOUR, MC_EACCES, leader);
  r.actor = (eng_actor){"ld-1", "leader", "H13.X01", "test"};
  refused(&r, t + MC_MS_PER_HOUR, MC_EINVAL, "the fee of 1.001193 is not refundable");

  /* Household business: refundable, stopped, but nothing was paid. */
  char hb[64];
  file_online(hb, "2.000575", "H13.X02", household, NHOUSEHOLD, "cd-i2", t + 2 * MC_MS_PER_HOUR);
  eng_command a = act(hb, "accept", "rc-2", "reception", "H13.X02");
  run(&a, t + 2 * MC_MS_PER_HOUR, 0);
  eng_command stop = cmd(ENG_CMD_STOP, hb, "ld-2", "leader", "H13.X02");
  stop.stop.reason = "Trùng tên hộ kinh doanh đã đăng ký";
  run(&stop, t + 3 * MC_MS_PER_HOUR, 0);
  r = cmd(ENG_CMD_REFUND, hb, "ld-2", "leader", "H13.X02");
  refused(&r, t + 4 * MC_MS_PER_HOUR, MC_EINVAL, " was recorded");
  refused(&r, t + 4 * MC_MS_PER_HOUR, MC_EINVAL, "no payment of ");
}

/* ============================================================ retire, publish */

static void retirement_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-22T08:00");
  eng_command r = {.kind = ENG_CMD_RETIRE, .actor = {"ld-1", "leader", "H13.X01", "test"},
                   .retire = {.def_kind = ENG_DEF_PROCEDURE, .id = "1.000894", .effective_from = at("2027-01-01T00:00")}};
  static const char *const admins = "retiring needs the system_admin or agency_admin role";
  refused(&r, t, MC_EACCES, admins);
  r.actor.role = NULL;
  refused(&r, t, MC_EACCES, admins);
  /* What applies province-wide is the system administrator's. */
  r.actor = (eng_actor){"qt-1", "agency_admin", "H13.X01", "test"};
  r.retire.def_kind = ENG_DEF_POLICY;
  r.retire.id = "nd118-2025";
  refused(&r, t, MC_EACCES, "retiring: the policy applies province-wide and needs the system_admin role");
  r.retire.def_kind = ENG_DEF_CALENDAR;
  r.retire.id = "vn";
  refused(&r, t, MC_EACCES, "retiring: the calendar applies province-wide and needs the system_admin role");
  r.actor = (eng_actor){"admin", "system_admin", NULL, "test"};
  static const char *const replaced = "procedures and policies are retired; calendars and the directory are replaced";
  refused(&r, t, MC_EINVAL, replaced);
  r.retire.def_kind = ENG_DEF_DIRECTORY;
  r.retire.id = "directory";
  refused(&r, t, MC_EINVAL, replaced);
  r.retire.def_kind = ENG_DEF_PROCEDURE;
  r.retire.id = "9.999999";
  refused(&r, t, MC_ENOENT, "the procedure 9.999999 is not published");
  r.retire.id = NULL;
  refused(&r, t, MC_ENOENT, "the procedure  is not published");
  r.retire.def_kind = ENG_DEF_POLICY;
  r.retire.id = "bn-2099";
  refused(&r, t, MC_ENOENT, "the policy bn-2099 is not published");
  r.retire.id = "1.000894"; /* a procedure's code is not a policy's id */
  refused(&r, t, MC_ENOENT, "the policy 1.000894 is not published");
  r.retire.def_kind = ENG_DEF_PROCEDURE;
  r.actor.client = "m\xe1y";
  refused(&r, t, MC_EPARSE, "a text field of the event is not valid UTF-8");

  /* A retired procedure takes no new dossiers from its date. */
  r = (eng_command){.kind = ENG_CMD_RETIRE, .actor = {"qt-1", "agency_admin", "H13.TTHCC", "test"},
                    .retire = {.def_kind = ENG_DEF_PROCEDURE, .id = "PAKN", .effective_from = at("2026-01-23T00:00")}};
  run(&r, t, 0);
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, feedback, NFEEDBACK);
  eng_command c = submit("PAKN", "H13.TTHCC", &f, "cd-r1");
  run(&c, t + MC_MS_PER_HOUR, 0); /* before the date */
  refused(&c, at("2026-01-23T08:00"), MC_EINVAL, "the procedure PAKN is retired and takes no new dossiers");
  refused_key(&c, at("2026-01-23T08:00"), MC_EINVAL, ENG_R_PROCEDURE_RETIRED, ENG_REFUSE_RULE,
              "Thủ tục PAKN đã ngừng áp dụng");
  /* Once. */
  r.retire.effective_from = at("2026-02-01T00:00");
  refused(&r, at("2026-01-23T08:00"), MC_EINVAL, "the procedure PAKN is already retired; publish it again to bring it back");
  mc_buf_free(&f);
}

/* Was a bug: def_kind is used to index the words "procedure", "policy",
 * "directory", "calendar" (def_kind_word, then in engine/cmd_publish.c) before it is
 * checked: a kind out of range reads past the array in admin_may (an
 * agency_admin), and in do_publish's refusals.  It should be refused. */
static void an_unknown_definition_kind(void **state) {
  (void)state;
  static const uint8_t map[] = {0x80};
  eng_command p = {.kind = ENG_CMD_PUBLISH, .actor = {"qt-1", "agency_admin", "H13.X01", "test"},
                   .publish = {.def_kind = (eng_def_kind)9, .bytes = {map, sizeof map}}};
  refused(&p, at("2026-01-23T08:30"), MC_EINVAL, "kind");
}

static void publication_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-01-23T09:00");
  /* A canonical map that is no compiled definition of any kind. */
  mc_buf map = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &map);
  mc_canon_map(&w, 1);
  mc_canon_kv_str(&w, "kind", "policy");
  assert_int_equal(mc_canon_finish(&w), 0);
  eng_command p = {.kind = ENG_CMD_PUBLISH, .actor = {"sp-1", "specialist", "H13.X01", "test"},
                   .publish = {.def_kind = ENG_DEF_POLICY, .effective_from = at("2026-02-01T00:00"),
                               .bytes = {map.data, map.len}}};
  static const char *const admins = "publishing needs the system_admin or agency_admin role";
  refused(&p, t, MC_EACCES, admins);
  p.actor.role = NULL;
  refused(&p, t, MC_EACCES, admins);
  p.actor = (eng_actor){"qt-1", "agency_admin", "H13.X01", "test"};
  refused(&p, t, MC_EACCES, "publishing: the policy applies province-wide and needs the system_admin role");
  p.publish.def_kind = ENG_DEF_DIRECTORY;
  refused(&p, t, MC_EACCES, "publishing: the directory applies province-wide and needs the system_admin role");
  p.publish.def_kind = ENG_DEF_CALENDAR;
  refused(&p, t, MC_EACCES, "publishing: the calendar applies province-wide and needs the system_admin role");
  p.actor = (eng_actor){"admin", "system_admin", NULL, "test"};
  p.publish.def_kind = ENG_DEF_POLICY;
  p.publish.bytes.data = NULL;
  refused(&p, t, MC_EINVAL, "nothing to publish");
  p.publish.bytes.data = map.data;
  p.publish.bytes.len = 0;
  refused(&p, t, MC_EINVAL, "nothing to publish");
  static const uint8_t loose[] = {0x81, 0xd9, 0x04, 'k', 'i', 'n', 'd', 0xa6, 'p', 'o', 'l', 'i', 'c', 'y'};
  p.publish.bytes.data = loose; /* a str8 where a fixstr fits: not canonical */
  p.publish.bytes.len = sizeof loose;
  refused(&p, t, MC_EPARSE, "the policy is not canonical msgpack: compile it with motcua compile");
  p.actor = (eng_actor){"qt-1", "agency_admin", "H13.X01", "test"}; /* a procedure is an agency's */
  p.publish.def_kind = ENG_DEF_PROCEDURE;
  refused(&p, t, MC_EPARSE, "the procedure is not canonical msgpack");
  /* Canonical, but not what it says it is. */
  p.publish.bytes.data = map.data;
  p.publish.bytes.len = map.len;
  refused(&p, t, MC_EPARSE, "this is not a compiled procedure");
  p.actor = (eng_actor){"admin", "system_admin", NULL, "test"};
  p.publish.def_kind = ENG_DEF_POLICY; /* without its id */
  refused(&p, t, MC_EPARSE, "this is not a compiled policy");
  p.publish.def_kind = ENG_DEF_DIRECTORY;
  refused(&p, t, MC_EPARSE, "this is not a compiled directory");
  p.publish.def_kind = ENG_DEF_CALENDAR; /* without its id */
  refused(&p, t, MC_EPARSE, "this is not a compiled calendar");
  /* A calendar must parse before anything counts on it. */
  static const char *const names[] = {"vn-hong.cal"};
  static const char *const texts[] = {"calendar \"vn-hong\"\ntimezone \"Asia/Ho_Chi_Minh\"\noffice-hours {\n"};
  mc_buf cal = MC_BUF_INIT;
  assert_int_equal(eng_calendar_pack("vn-hong", names, texts, 1, &cal), 0);
  p.publish.bytes.data = cal.data;
  p.publish.bytes.len = cal.len;
  refused(&p, t, MC_EPARSE, "the calendar \"vn-hong\" does not parse: check it with motcua deadline");
  mc_buf_reset(&cal);
  assert_int_equal(eng_calendar_pack("vn-hong", names, texts, 0, &cal), 0); /* no files */
  p.publish.bytes.data = cal.data;
  p.publish.bytes.len = cal.len;
  refused(&p, t, MC_EPARSE, "the calendar \"vn-hong\" does not parse");
  mc_buf_free(&cal);
  mc_buf_free(&map);
}

/* ============================================================ the codes of a day */

/* <agency>-<yymmdd>-<NNNN>: the 10000th dossier of a day is not refused, it
 * takes a fifth digit (docs/DOMAIN.md, "The dossier code").  The 9999 go in
 * one batch, one transaction. */
static void the_codes_of_a_day_do_not_run_out(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, birth, NBIRTH);
  enum { N = 9999 };
  eng_command *cmds = calloc(N, sizeof *cmds);
  eng_result *res = calloc(N, sizeof *res);
  assert_non_null(cmds);
  assert_non_null(res);
  for (int k = 0; k < N; k++)
    cmds[k] = submit("1.001193", "H13.X03", &f, "cd-j1");
  assert_int_equal(eng_execute(eng, cmds, N, at("2026-12-01T08:00"), res), 0);
  for (int k = 0; k < N; k++)
    if (res[k].status != 0)
      fail_msg("dossier %d: %s", k + 1, res[k].message);
  assert_string_equal(res[N - 1].dossier, "H13.X03-261201-9999");
  eng_command c = submit("1.001193", "H13.X03", &f, "cd-j1");
  eng_result r = run(&c, at("2026-12-01T08:01"), 0);
  assert_string_equal(r.dossier, "H13.X03-261201-10000");
  /* Another agency counts its own. */
  c.submit.agency = "H13.X02";
  r = run(&c, at("2026-12-01T08:02"), 0);
  assert_string_equal(r.dossier, "H13.X02-261201-0001");
  free(cmds);
  free(res);
  mc_buf_free(&f);
}

/* ============================================================ the calendar's years */

/* The bundled calendar describes 2025 to 2027: a deadline that falls in
 * 2028 cannot be counted, and the command is refused rather than given a
 * wrong date. */
static void a_deadline_in_a_year_the_calendar_lacks(void **state) {
  (void)state;
  /* A supplement provided on 28 Dec restarts 15 days from then (NĐ118 Art.
   * 19.5): the new appointment falls in 2028. */
  char permit[64];
  file_online(permit, "1.009995", "H13.X01", house, NHOUSE, "cd-k1", at("2027-12-01T09:00"));
  eng_command accept = act(permit, "accept", "rc-1", "reception", "H13.X01");
  run(&accept, at("2027-12-01T10:00"), 0);
  eng_command ask = act(permit, "request_supplement", "sp-1", "specialist", "H13.X01");
  ask.act.reason = "Bổ sung bản vẽ mặt bằng móng";
  run(&ask, at("2027-12-14T09:00"), 0);
  eng_command provide = act(permit, "provide_supplement", "cd-k1", "applicant", NULL);
  refused(&provide, at("2027-12-28T09:00"), MC_ECALYEAR,
          "the appointment cannot be recomputed: the calendar has no data for the year this computation needs");

  /* An extension on 31 Dec needs a working day's notice, counted into 2028. */
  char code[64];
  accepted(code, "cd-k2", at("2027-12-30T09:00"));
  eng_command e = cmd(ENG_CMD_EXTEND, code, "ld-1", "leader", "H13.X01");
  e.extend.reason = "Xin lỗi ông/bà";
  e.extend.new_due = at("2027-12-31T17:00");
  refused(&e, at("2027-12-31T09:00"), MC_ECALYEAR,
          "a deadline needs the calendar of 2028: the calendar \"vn\" has no data for 2028");

  /* Filed at 16:00 on 31 Dec: reception's 8 working hours end in 2028. */
  eng_command s;
  mc_buf b = MC_BUF_INIT;
  pack_fields(&b, birth, NBIRTH);
  s = submit("1.001193", "H13.X01", &b, "cd-k3");
  refused(&s, at("2027-12-31T16:00"), MC_ECALYEAR, "a deadline needs the calendar of 2028");
  mc_buf_free(&b);
}

/* ============================================================ a bare data directory */

static eng_engine *fixture_engine;
static char bare_dir[256];

static int bare_setup(void **state) {
  (void)state;
  fixture_engine = eng;
  snprintf(bare_dir, sizeof bare_dir, "/tmp/motcua-test-refusals-XXXXXX");
  if (mkdtemp(bare_dir) == NULL)
    return -1;
  mc_buf why = MC_BUF_INIT;
  int rc = eng_open(bare_dir, NULL, &eng, &why);
  mc_buf_free(&why);
  return rc ? -1 : 0;
}

static int bare_teardown(void **state) {
  (void)state;
  eng_close(eng);
  eng = fixture_engine;
  char cmdline[400];
  snprintf(cmdline, sizeof cmdline, "rm -rf '%s'", bare_dir);
  return system(cmdline) == 0 ? 0 : -1;
}

/* A procedure for what the bundled ones never do: a file field, lengths on
 * a phone and an email; a fee paid before processing, refundable, which
 * overflows for absurd copies; a fork of eight branches, one of which forks
 * again (the compiler bounds each fork at eight branches, not the steps a
 * dossier is at).  The specialist proposes, the leader decides. */
static const char *const trial_procedure =
    "procedure \"1.001193\" \"Thủ tục thử nghiệm các lời từ chối\" {\n"
    "  sector \"Tư pháp\"\n  field \"Hộ tịch\"\n  level commune\n  online full\n"
    "  time 3 working days\n  policy \"nd118-2025\"\n"
    "  fee 1.000.000.000 VND * form.copies refundable\n"
    "  form {\n"
    "    scan    file    required label \"Bản quét tờ khai\"\n"
    "    phone   phone   required label \"Điện thoại\" length 10..10\n"
    "    email   email            label \"Thư điện tử\" length 6..20\n"
    "    copies  number  required label \"Số bản\" range 0..100000000000\n"
    "    wide    yes_no  required label \"Xác minh nhiều nơi\"\n"
    "  }\n"
    "  step reception \"Tiếp nhận\" by reception within policy.reception_limit state submitted {\n"
    "    on accept -> payment\n    on reject -> rejected\n  }\n"
    "  step payment \"Nộp phí\" by applicant within 5 working days state awaiting_payment {\n"
    "    on record_payment -> route\n    on timeout -> stopped\n  }\n"
    "  choice route {\n    when form.wide == yes -> eight\n    when form.wide == no -> review\n  }\n"
    "  fork eight \"Tám nơi xác minh\" join back {\n"
    "    branch a1 -> c1\n    branch a2 -> c2\n    branch a3 -> c3\n    branch a4 -> c4\n"
    "    branch a5 -> c5\n    branch a6 -> c6\n    branch a7 -> c7\n    branch a8 -> c8\n  }\n"
    "  step c1 \"Xác minh 1\" by specialist within 2 working days state processing { on answer -> inner }\n"
    "  fork inner \"Hai nơi nữa\" join inner_back {\n    branch x -> d1\n    branch y -> d2\n  }\n"
    "  step d1 \"Xác minh 1a\" by specialist within 2 working days state processing { on answer -> inner_back }\n"
    "  step d2 \"Xác minh 1b\" by specialist within 2 working days state processing { on answer -> inner_back }\n"
    "  join inner_back -> back\n"
    "  step c2 \"Xác minh 2\" by specialist within 2 working days state processing { on answer -> back }\n"
    "  step c3 \"Xác minh 3\" by specialist within 2 working days state processing { on answer -> back }\n"
    "  step c4 \"Xác minh 4\" by specialist within 2 working days state processing { on answer -> back }\n"
    "  step c5 \"Xác minh 5\" by specialist within 2 working days state processing { on answer -> back }\n"
    "  step c6 \"Xác minh 6\" by specialist within 2 working days state processing { on answer -> back }\n"
    "  step c7 \"Xác minh 7\" by specialist within 2 working days state processing { on answer -> back }\n"
    "  step c8 \"Xác minh 8\" by specialist within 2 working days state processing { on answer -> back }\n"
    "  join back -> review\n"
    "  step review \"Thẩm định\" by specialist within 2 working days state processing {\n"
    "    on approve -> signing\n    on deny -> signing\n  }\n"
    "  step signing \"Lãnh đạo ký\" by leader within 1 working day state processing {\n"
    "    on approve -> result\n    on deny -> result\n  }\n"
    "  step result \"Trả kết quả\" by reception within 5 working days state decided {\n"
    "    on return_result -> returned\n  }\n"
    "}\n";

/* A directory with a commune whose calendar is not published, and one whose
 * code is too long to begin a dossier code. */
static const char *const trial_directory =
    "agency \"T.01\" \"Xã thử nghiệm\" {\n  level commune\n  calendar \"vn\"\n}\n"
    "agency \"T.02\" \"Xã chưa có lịch\" {\n  level commune\n  calendar \"khac\"\n}\n"
    "agency \"T.MOT-CO-QUAN-CO-MA-DAI-QUA-MUC-CHO-PHEP\" \"Cơ quan mã dài\" {\n  level commune\n  calendar \"vn\"\n}\n"
    "offer \"1.001193\" at every commune\n"
    "offer \"1.000894\" at every commune\n"
    "offer \"2.000575\" at every commune\n";

/* The longest step limit the compiler accepts (10000 working days, the
 * engine's ENG_DURATION_MAX; 10001 is refused by the compiler): counting it
 * needs calendars for decades ahead. */
static const char *const endless_procedure =
    "procedure \"2.000575\" \"Thủ tục có thời hạn quá dài\" {\n"
    "  sector \"Tư pháp\"\n  field \"Hộ tịch\"\n  level commune\n  online full\n  time 3 working days\n"
    "  policy \"nd118-2025\"\n  fee 0 VND\n  form {\n    note text label \"Ghi chú\"\n  }\n"
    "  step reception \"Tiếp nhận\" by reception within 10000 working days state submitted {\n"
    "    on accept -> returned\n    on reject -> rejected\n  }\n}\n";

/* A procedure of 257 fields (the engine sorts at most 256). */
static char wide_procedure[16384];

static void write_wide_procedure(void) {
  size_t n = (size_t)snprintf(wide_procedure, sizeof wide_procedure,
                              "procedure \"1.000894\" \"Thủ tục nhiều trường\" {\n  sector \"Tư pháp\"\n"
                              "  field \"Hộ tịch\"\n  level commune\n  online full\n  time 3 working days\n"
                              "  policy \"nd118-2025\"\n  fee 0 VND\n  form {\n");
  for (int k = 0; k < 257; k++)
    n += (size_t)snprintf(wide_procedure + n, sizeof wide_procedure - n, "    f%03d text label \"Trường %d\"\n", k, k);
  snprintf(wide_procedure + n, sizeof wide_procedure - n,
           "  }\n  step reception \"Tiếp nhận\" by reception within policy.reception_limit state submitted {\n"
           "    on accept -> returned\n    on reject -> rejected\n  }\n}\n");
}

enum { TRIAL_PROCEDURE = 1, TRIAL_POLICY = 2, TRIAL_DIRECTORY = 4, TRIAL_WIDE = 8, TRIAL_ENDLESS = 16 };

/* Compiles the trial sources, emitting those in `emit` (the others are
 * context), and publishes them, in effect from `from`.  With `bad_client`,
 * each is first refused for a client name that is not UTF-8 (the record
 * cannot be written). */
static void publish_trial(int emit, mc_instant from, mc_instant now, bool bad_client) {
  dsl_compile *c;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  mc_buf policy = MC_BUF_INIT;
  assert_int_equal(mc_file_read(MOTCUA_WORKFLOWS_DIR "/policies/nd118-2025.mc", 1 << 20, &policy), 0);
  write_wide_procedure();
  mc_source src[5] = {{"trial.mc", trial_procedure, strlen(trial_procedure)},
                      {"nd118-2025.mc", mc_buf_cstr(&policy), policy.len},
                      {"trial-agencies.mc", trial_directory, strlen(trial_directory)},
                      {"wide.mc", wide_procedure, strlen(wide_procedure)},
                      {"endless.mc", endless_procedure, strlen(endless_procedure)}};
  assert_int_equal(dsl_compile_new(&c), 0);
  for (int k = 0; k < 5; k++)
    assert_int_equal(dsl_compile_add(c, &src[k], !(emit & (1 << k)), &sink), 0);
  assert_int_equal(dsl_compile_check(c, &sink), 0);
  const dsl_artifact *arts;
  int n;
  assert_int_equal(dsl_compile_emit(c, &arts, &n), 0);
  for (int k = 0; k < n; k++) {
    eng_command p = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                     .publish = {.def_kind = eng_def_kind_of(arts[k].kind), .effective_from = from,
                                 .bytes = {arts[k].bytes.data, arts[k].bytes.len}}};
    if (bad_client) {
      p.actor.client = "m\xe1y";
      refused(&p, now, MC_EPARSE, "a text field of the event is not valid UTF-8");
      p.actor.client = "test";
    }
    run(&p, now, 0);
  }
  dsl_compile_free(c);
  mc_buf_free(&policy);
}

static const fv trial[] = {
    {"copies", 'i', NULL, 1},
    {"phone", 's', "0912700100", 0},
    {"scan", 's', "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 0},
    {"wide", 'b', NULL, 0},
};
#define NTRIAL ((int)(sizeof trial / sizeof trial[0]))

/* What the bundle always provides, missing one after the other. */
static void what_a_submission_needs_published(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, trial, NTRIAL);
  eng_command c = submit("1.001193", "T.01", &f, "cd-t1");
  /* The procedure, in effect from 1 February. */
  publish_trial(TRIAL_PROCEDURE | TRIAL_WIDE | TRIAL_ENDLESS, at("2026-02-01T00:00"), at("2026-01-05T08:00"), false);
  refused(&c, at("2026-01-05T09:00"), MC_ENOENT, "the procedure 1.001193 is not published or not yet in effect");
  /* Its policy. */
  refused(&c, at("2026-02-02T09:00"), MC_ENOENT, "the policy nd118-2025 of the procedure is not published");
  publish_trial(TRIAL_POLICY, at("2025-01-01T00:00"), at("2026-02-02T09:10"), true);
  /* The directory. */
  refused(&c, at("2026-02-02T09:20"), MC_ENOENT, "no agency directory is published: publish workflows/agencies first");
  publish_trial(TRIAL_DIRECTORY, at("2025-01-01T00:00"), at("2026-02-02T09:30"), false);
  /* The agency's calendar. */
  refused(&c, at("2026-02-02T09:40"), MC_ENOENT, "the calendar \"vn\" of T.01 is not published");
  mc_buf cal = MC_BUF_INIT;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  assert_int_equal(eng_calendar_pack_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &cal), 0);
  eng_command p = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                   .publish = {.def_kind = ENG_DEF_CALENDAR, .bytes = {cal.data, cal.len}}};
  run(&p, at("2026-02-02T09:50"), 0);
  c.submit.agency = "T.02";
  refused(&c, at("2026-02-02T10:00"), MC_ENOENT, "the calendar \"khac\" of T.02 is not published");
  /* An agency code too long for a dossier code (31 characters at most). */
  c.submit.agency = "T.MOT-CO-QUAN-CO-MA-DAI-QUA-MUC-CHO-PHEP";
  refused(&c, at("2026-02-02T10:00"), MC_EINVAL,
          "the agency code T.MOT-CO-QUAN-CO-MA-DAI-QUA-MUC-CHO-PHEP is too long for a dossier code");
  c.submit.agency = "T.01";
  run(&c, at("2026-02-02T10:10"), 0);
  mc_buf_free(&cal);
  mc_buf_free(&f);
}

static void trial_form_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-02-03T09:00");
  static const form_case cases[] = {
      {{"scan", 's', "bang-quet.pdf", 0}, "the field \"scan\" (Bản quét tờ khai) must be a file (its SHA-256)"},
      {{"scan", 's', "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", 0},
       "must be a file (its SHA-256)"},
      {{"scan", 's', "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0", 0},
       "must be a file (its SHA-256)"},
      {{"scan", 'i', NULL, 7}, "must be a file (its SHA-256)"},
      {{"phone", 's', "+84912700100", 0}, "the field \"phone\" (Điện thoại) must have 10 to 10 characters"},
      {{"email", 's', "a@b.v", 0}, "the field \"email\" (Thư điện tử) must have 6 to 20 characters"},
      {{"email", 's', "thu.ha.nguyen@bacninh.gov.vn", 0}, "the field \"email\" (Thư điện tử) must have 6 to 20 characters"},
      {{"wide", 's', "yes", 0}, "the field \"wide\" (Xác minh nhiều nơi) must be true or false"},
      {{"copies", 'i', NULL, 100000000001}, "the field \"copies\" (Số bản) must be between 0 and 100000000000"},
  };
  refused_forms("1.001193", "T.01", trial, NTRIAL, cases, sizeof cases / sizeof cases[0], t);
  /* More fields than the engine sorts. */
  static const fv none[] = {{"f000", '-', NULL, 0}};
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, none, 1);
  eng_command c = submit("1.000894", "T.01", &f, "cd-t2");
  refused(&c, t, MC_ETOOBIG, "the procedure 1.000894 declares more than 256 fields");
  mc_buf_free(&f);
}

/* A limit of 10000 working days runs past the calendar's years: every
 * dossier of the procedure is refused at its first step, naming the year.
 * (A limit the engine cannot count at all, over 10000, the compiler
 * refuses: "cannot compute a deadline: value out of range" is no longer
 * reachable through a compiled procedure.) */
static void a_limit_too_long_to_count(void **state) {
  (void)state;
  static const fv note[] = {{"note", 's', "Thử", 0}};
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, note, 1);
  eng_command c = submit("2.000575", "T.01", &f, "cd-t12");
  refused(&c, at("2026-02-03T10:00"), MC_ECALYEAR, "a deadline needs the calendar of ");
  mc_buf_free(&f);
}

/* Files a trial dossier at T.01 with `copies` and `wide`, accepts it, and
 * records its payment when `pay`. */
static void trial_dossier(char code[64], const char *who, int64_t copies, bool wide, bool pay, mc_instant t) {
  fv fields[NTRIAL];
  memcpy(fields, trial, sizeof trial);
  fields[0].i = copies;
  fields[3].i = wide;
  file_online(code, "1.001193", "T.01", fields, NTRIAL, who, t);
  eng_command a = act(code, "accept", "rc-t", "reception", "T.01");
  run(&a, t + MC_MS_PER_MINUTE, 0);
  if (pay) {
    eng_command p = act(code, "record_payment", who, "applicant", NULL);
    run(&p, t + 2 * MC_MS_PER_MINUTE, 0);
  }
}

/* The specialist proposes `action`, the leader decides it. */
static void trial_decided(const char *code, const char *action, mc_instant t) {
  eng_command propose = act(code, action, "sp-t", "specialist", "T.01");
  propose.act.reason = "Thửa đất nằm trong quy hoạch";
  run(&propose, t, 0);
  eng_command sign = act(code, action, "ld-t", "leader", "T.01");
  sign.act.reason = propose.act.reason;
  run(&sign, t + MC_MS_PER_MINUTE, 0);
}

/* The compiler keeps each fork to eight branches, but a fork inside a
 * branch goes past the engine's eight steps at once: refused when the
 * branch is done, and the dossier cannot leave that step. */
static void more_than_eight_steps_at_once(void **state) {
  (void)state;
  char code[64];
  trial_dossier(code, "cd-t3", 1, true, true, at("2026-02-04T09:00"));
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, code, &v), 0);
  assert_int_equal(v.nsteps, 8);
  eng_command c1 = act(code, "answer", "sp-t", "specialist", "T.01");
  c1.act.step = "c1";
  refused(&c1, at("2026-02-04T10:00"), MC_ETOOBIG, "more than 8 steps at once");
}

static void trial_refund_refusals(void **state) {
  (void)state;
  mc_instant t = at("2026-02-05T09:00");
  /* Paid, and the agency has not failed to deliver (yet, or at all). */
  char code[64];
  trial_dossier(code, "cd-t4", 2, false, true, t);
  eng_command r = cmd(ENG_CMD_REFUND, code, "ld-t", "leader", "T.01");
  static const char *const undelivered = "a fee is refunded when the agency could not deliver (a decision to deny, or stopped before deciding); ";
  refused(&r, t + MC_MS_PER_HOUR, MC_EINVAL, undelivered);
  refused(&r, t + MC_MS_PER_HOUR, MC_EINVAL, " is processing");
  char approved[64];
  trial_dossier(approved, "cd-t5", 2, false, true, t + MC_MS_PER_HOUR);
  trial_decided(approved, "approve", t + 2 * MC_MS_PER_HOUR);
  r.dossier = approved;
  refused(&r, t + 3 * MC_MS_PER_HOUR, MC_EINVAL, " is decided");
  /* Denied: refunded, once. */
  trial_decided(code, "deny", t + 4 * MC_MS_PER_HOUR);
  r.dossier = code;
  run(&r, t + 5 * MC_MS_PER_HOUR, 0);
  refused(&r, t + 6 * MC_MS_PER_HOUR, MC_EINVAL, " was already refunded");

  /* Not paid, stopped by the agency. */
  char unpaid[64];
  trial_dossier(unpaid, "cd-t6", 2, false, false, at("2026-02-06T09:00"));
  eng_command stop = cmd(ENG_CMD_STOP, unpaid, "ld-t", "leader", "T.01");
  stop.stop.reason = "Thửa đất đang tranh chấp";
  run(&stop, at("2026-02-06T10:00"), 0);
  r.dossier = unpaid;
  refused(&r, at("2026-02-06T11:00"), MC_EINVAL, "no payment of ");

  /* No copies: the fee is nothing. */
  char nothing[64];
  trial_dossier(nothing, "cd-t7", 0, false, true, at("2026-02-06T13:00"));
  trial_decided(nothing, "deny", at("2026-02-06T14:00"));
  r.dossier = nothing;
  refused(&r, at("2026-02-06T15:00"), MC_EINVAL, " is nothing to refund");

  /* 10^10 copies at 10^9 VND overflow: the fee cannot be computed. */
  char absurd[64];
  trial_dossier(absurd, "cd-t8", 10000000000, false, true, at("2026-02-09T09:00"));
  trial_decided(absurd, "deny", at("2026-02-09T10:00"));
  r.dossier = absurd;
  refused(&r, at("2026-02-09T11:00"), MC_ERANGE, " cannot be computed");
}

/* Was a bug: the specialist's "deny" is a proposal the leader has not
 * signed (the dossier is still processing, in the signing step), but take()
 * records outcome "denied" on any deny and do_refund trusts the outcome, so
 * the fee is refunded before the decision; the leader may then approve and
 * the result is delivered with its fee refunded.  A refund should wait for
 * the decision (decided_at) or the stop. */
static void a_proposed_denial_is_not_refunded(void **state) {
  (void)state;
  char code[64];
  trial_dossier(code, "cd-t9", 2, false, true, at("2026-02-10T09:00"));
  eng_command propose = act(code, "deny", "sp-t", "specialist", "T.01");
  propose.act.reason = "Đề xuất từ chối: thiếu bản vẽ";
  run(&propose, at("2026-02-10T10:00"), 0);
  eng_command r = cmd(ENG_CMD_REFUND, code, "ld-t", "leader", "T.01");
  refused(&r, at("2026-02-10T11:00"), MC_EINVAL, "could not deliver");
}

/* Was a bug: the specialist proposes "approve" (outcome "approved" is
 * recorded at once), then the leader stops the dossier before signing: the
 * agency did not deliver, yet do_refund refuses because the outcome is set,
 * with the message "a fee is refunded when the agency could not deliver
 * (denied or stopped); ... is stopped", which contradicts itself.  The fee
 * should be refunded (DOMAIN.md rule 6). */
static void a_dossier_stopped_before_signing_is_refunded(void **state) {
  (void)state;
  char code[64];
  trial_dossier(code, "cd-t10", 2, false, true, at("2026-02-11T09:00"));
  eng_command propose = act(code, "approve", "sp-t", "specialist", "T.01");
  run(&propose, at("2026-02-11T10:00"), 0);
  eng_command stop = cmd(ENG_CMD_STOP, code, "ld-t", "leader", "T.01");
  stop.stop.reason = "Quy hoạch thay đổi, không thể cấp";
  run(&stop, at("2026-02-11T11:00"), 0);
  eng_command r = cmd(ENG_CMD_REFUND, code, "ld-t", "leader", "T.01");
  run(&r, at("2026-02-11T12:00"), 0);
}

/* Was a bug: when a procedure's policy is retired, a new dossier is
 * refused with MC_ERANGE and "the policy nd118-2025 of the procedure is not
 * published" (do_submit passes eng__def_current's MC_ERANGE on under the
 * message for a missing policy).  A retired procedure gives MC_EINVAL (a rule, not a denial) and
 * "is retired and takes no new dossiers"; a retired policy should too. */
static void a_retired_policy_says_so(void **state) {
  (void)state;
  eng_command retire = {.kind = ENG_CMD_RETIRE, .actor = {"admin", "system_admin", NULL, "test"},
                        .retire = {.def_kind = ENG_DEF_POLICY, .id = "nd118-2025",
                                   .effective_from = at("2026-12-01T00:00")}};
  run(&retire, at("2026-11-02T09:00"), 0);
  mc_buf f = MC_BUF_INIT;
  pack_fields(&f, trial, NTRIAL);
  eng_command c = submit("1.001193", "T.01", &f, "cd-t11");
  refused(&c, at("2026-12-01T09:00"), MC_EINVAL, "the policy nd118-2025 of the procedure 1.001193 is retired");
  mc_buf_free(&f);
}

int main(void) {
  /* In calendar order: the log's time never goes back. */
  const struct CMUnitTest bundled[] = {
      cmocka_unit_test(the_table_of_refusals),
      cmocka_unit_test(submission_refusals),
      cmocka_unit_test(form_refusals),
      cmocka_unit_test(applicant_refusals),
      cmocka_unit_test(document_refusals),
      cmocka_unit_test(act_refusals),
      cmocka_unit_test(supplement_rejection_and_denial_refusals),
      cmocka_unit_test(withdrawal_refusals),
      cmocka_unit_test(extension_refusals),
      cmocka_unit_test(assignment_refusals),
      cmocka_unit_test(co_handlers_without_their_list),
      cmocka_unit_test(stop_refusals),
      cmocka_unit_test(rating_refusals),
      cmocka_unit_test(refund_refusals),
      cmocka_unit_test(retirement_refusals),
      cmocka_unit_test(an_unknown_definition_kind),
      cmocka_unit_test(publication_refusals),
      cmocka_unit_test(the_codes_of_a_day_do_not_run_out),
      cmocka_unit_test(a_deadline_in_a_year_the_calendar_lacks),
  };
  const struct CMUnitTest bare[] = {
      cmocka_unit_test(what_a_submission_needs_published),
      cmocka_unit_test(trial_form_refusals),
      cmocka_unit_test(a_limit_too_long_to_count),
      cmocka_unit_test(more_than_eight_steps_at_once),
      cmocka_unit_test(trial_refund_refusals),
      cmocka_unit_test(a_proposed_denial_is_not_refunded),
      cmocka_unit_test(a_dossier_stopped_before_signing_is_refunded),
      cmocka_unit_test(a_retired_policy_says_so),
  };
  int failed = cmocka_run_group_tests_name("bundled", bundled, fx_setup, NULL);
  /* The bare group swaps the engine the fixture's helpers use, and puts
   * the fixture's back before it is closed. */
  failed += cmocka_run_group_tests_name("bare", bare, bare_setup, bare_teardown);
  fx_teardown(NULL);
  return failed;
}
