/* test_transfer.c — a dossier passed to another agency (dossier.transferred):
 * by reception before acceptance, to an agency offering the procedure, with
 * a reason the applicant is told, its code, clocks, dues and appointment
 * unchanged; and by publishing a directory that merges an agency into its
 * successor (`merged "FROM" into "TO"`), which transfers its open dossiers
 * and moves its officials in the same command, and without which removing
 * an agency with open dossiers or officials is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

#include "fixture.h"

static eng_command transfer(const char *code, const char *to, const char *reason, const char *who, const char *role,
                            const char *agency) {
  eng_command c = {.kind = ENG_CMD_TRANSFER, .actor = {who, role, agency, "test"}, .dossier = code,
                   .expected_version = STORE_ANY_VERSION, .transfer = {.to = to, .reason = reason}};
  return c;
}

typedef struct rows {
  eng_queue_row r[8];
  int n;
} rows;

static int keep_row(void *opaque, const eng_queue_row *row) {
  rows *l = opaque;
  if (l->n < 8)
    l->r[l->n++] = *row;
  return 0;
}

static rows rows_of(const char *code) {
  rows l = {.n = 0};
  assert_int_equal(eng_queue_rows_of(eng, code, keep_row, &l), 0);
  return l;
}

typedef struct messages {
  char templates[16][48], dossiers[16][64];
  char body[2048];
  int n;
} messages;

static int keep_message(void *opaque, const eng_message *m) {
  messages *l = opaque;
  if (l->n < 16) {
    snprintf(l->templates[l->n], sizeof l->templates[0], "%s", m->template_name);
    snprintf(l->dossiers[l->n], sizeof l->dossiers[0], "%s", m->dossier);
    if (!strcmp(m->template_name, "transferred"))
      snprintf(l->body, sizeof l->body, "%s", m->body ? m->body : "");
    l->n++;
  }
  return 0;
}

static void reception_transfers_before_acceptance(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912345001");
  eng_command c = submit("1.001193", "H13.X01", &form, "cd-101");
  eng_result r = run(&c, at("2026-03-02T09:00"), 0);
  char code[64];
  snprintf(code, sizeof code, "%s", r.dossier);
  eng_dossier_view before, after;
  assert_int_equal(eng_dossier_get(eng, code, &before), 0);
  rows was = rows_of(code);
  assert_int_equal(was.n, 1);
  assert_string_equal(was.r[0].agency, "H13.X01");

  /* Reception of H13.X01 is offered it; a specialist is not. */
  eng_dossier_full f;
  eng_actor rc1 = {"rc-101", "reception", "H13.X01", "test"}, sp = {"sp-101", "specialist", "H13.X01", "test"};
  assert_int_equal(eng_dossier_full_read(eng, code, at("2026-03-02T09:10"), &rc1, 1, &f), 0);
  bool offered = false;
  for (int i = 0; i < f.ncan; i++)
    if (!strcmp(f.can[i].action, "transfer"))
      offered = !strcmp(f.can[i].needs, "agency");
  eng_dossier_full_free(&f);
  assert_true(offered);
  assert_int_equal(eng_dossier_full_read(eng, code, at("2026-03-02T09:10"), &sp, 1, &f), 0);
  for (int i = 0; i < f.ncan; i++)
    assert_string_not_equal(f.can[i].action, "transfer");
  eng_dossier_full_free(&f);

  /* Refusals: who, without a reason, to an agency not offering it, to itself. */
  eng_command by_specialist = transfer(code, "H13.X02", "Sai nơi nộp", "sp-101", "specialist", "H13.X01");
  refused(&by_specialist, at("2026-03-02T09:20"), MC_EACCES, "only reception of H13.X01");
  eng_command other_reception = transfer(code, "H13.X02", "Sai nơi nộp", "rc-202", "reception", "H13.X02");
  refused(&other_reception, at("2026-03-02T09:20"), MC_EACCES, "only reception of H13.X01");
  eng_command no_reason = transfer(code, "H13.X02", "", "rc-101", "reception", "H13.X01");
  refused(&no_reason, at("2026-03-02T09:20"), MC_EINVAL, "gives its reason");
  eng_command not_offering = transfer(code, "H13.STP", "Sai nơi nộp", "rc-101", "reception", "H13.X01");
  eng_result no = refused(&not_offering, at("2026-03-02T09:20"), MC_EINVAL,
                          "the agency H13.STP does not offer the procedure 1.001193; the agencies that do: H13.X02");
  assert_non_null(strstr(no.message, "H13.X03"));
  assert_null(strstr(no.message, "H13.X01 ("));
  assert_non_null(strstr(no.message_vi, "các cơ quan có thẩm quyền"));
  eng_command unknown = transfer(code, "H13.X99", "Sai nơi nộp", "rc-101", "reception", "H13.X01");
  refused(&unknown, at("2026-03-02T09:20"), MC_EINVAL, "the agency H13.X99 does not offer");
  eng_command itself = transfer(code, "H13.X01", "Sai nơi nộp", "rc-101", "reception", "H13.X01");
  refused(&itself, at("2026-03-02T09:20"), MC_EINVAL, "is already at H13.X01");

  uint64_t from_seq = head() + 1;
  eng_command ok = transfer(code, "H13.X02", "Nơi cư trú thuộc phường Võ Cường", "rc-101", "reception", "H13.X01");
  r = run(&ok, at("2026-03-02T09:30"), 0);
  assert_string_equal(r.dossier, code);
  assert_int_equal(r.version, before.version + 1);
  assert_int_equal(eng_dossier_get(eng, code, &after), 0);
  assert_string_equal(after.agency, "H13.X02");
  assert_string_equal(after.code, before.code);
  assert_string_equal(after.state, before.state);
  assert_int_equal(after.submitted_at, before.submitted_at);
  assert_int_equal(after.appointment_at, before.appointment_at);
  assert_int_equal(after.accepted_at, 0);
  /* The queue row moved, its dues untouched. */
  rows now = rows_of(code);
  assert_int_equal(now.n, 1);
  assert_string_equal(now.r[0].agency, "H13.X02");
  assert_int_equal(now.r[0].due_at, was.r[0].due_at);
  assert_int_equal(now.r[0].warn_at, was.r[0].warn_at);
  assert_int_equal(now.r[0].entered_at, was.r[0].entered_at);

  /* The applicant is told, and the new agency's reception. */
  messages m = {.n = 0};
  assert_int_equal(eng_outbox_pending(eng, from_seq, 0, keep_message, &m), 0);
  assert_int_equal(m.n, 2);
  assert_string_equal(m.templates[0], "transferred");
  assert_string_equal(m.templates[1], "new_dossier");
  assert_non_null(strstr(m.body, "đã được chuyển đến Ủy ban nhân dân phường Võ Cường"));
  assert_non_null(strstr(m.body, "Nơi cư trú thuộc phường Võ Cường"));

  /* The history says it in Vietnamese. */
  eng_history h;
  assert_int_equal(eng_dossier_history(eng, code, &h), 0);
  const eng_history_entry *x = &h.entries[h.n - 1];
  assert_string_equal(x->type, "dossier.transferred");
  assert_string_equal(x->label, "Chuyển hồ sơ đến Ủy ban nhân dân phường Võ Cường");
  assert_string_equal(x->from, "H13.X01");
  assert_string_equal(x->to, "H13.X02");
  assert_string_equal(x->reason, "Nơi cư trú thuộc phường Võ Cường");
  eng_history_free(&h);

  /* Now H13.X02's: its reception accepts, H13.X01's no longer can. */
  eng_command old = act(code, "accept", "rc-101", "reception", "H13.X01");
  refused(&old, at("2026-03-02T10:00"), MC_EACCES, "is done at H13.X02");
  eng_command accept = act(code, "accept", "rc-202", "reception", "H13.X02");
  r = run(&accept, at("2026-03-02T10:00"), 0);
  assert_true(r.appointment_at > 0);

  /* After acceptance it is the agency's to decide: no transfer. */
  eng_command late = transfer(code, "H13.X03", "Sai nơi nộp", "rc-202", "reception", "H13.X02");
  refused(&late, at("2026-03-02T10:30"), MC_EINVAL, "is already accepted");
  mc_buf_free(&form);
}

/* ------------------------------------------------------------ a merged agency */

/* The bundled directory without the agency `gone`, merged into `into`
 * (NULL: no successor named), checked and compiled; the number of errors
 * `check` reports (then nothing is compiled). */
static int directory_without(const char *gone, const char *into, mc_buf *out) {
  mc_buf text = MC_BUF_INIT;
  assert_int_equal(mc_file_read(MOTCUA_WORKFLOWS_DIR "/agencies/bac-ninh.mc", 1 << 20, &text), 0);
  char *s = (char *)mc_buf_cstr(&text);
  char head[64];
  snprintf(head, sizeof head, "agency \"%s\"", gone);
  char *block = strstr(s, head);
  assert_non_null(block);
  char *end = strchr(block, '}');
  memset(block, ' ', (size_t)(end - block + 1));
  if (into)
    mc_buf_printf(&text, "\nmerged \"%s\" into \"%s\"\n", gone, into);
  mc_source src = {"bac-ninh.mc", mc_buf_cstr(&text), text.len};
  dsl_compile *comp;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  assert_int_equal(dsl_compile_new(&comp), 0);
  dsl_compile_add(comp, &src, false, &sink);
  /* The procedures its offers name, and their policies, as context. */
  static const char *const context[] = {
      "procedures/birth-registration.mc", "procedures/driving-licence-exchange.mc", "procedures/feedback.mc",
      "procedures/house-construction-permit.mc", "procedures/household-business-registration.mc",
      "procedures/judicial-record-certificate.mc", "procedures/marriage-registration.mc",
      "policies/nd118-2025.mc", "policies/bn-2018.mc", "policies/dn-2020.mc"};
  mc_buf texts[10];
  for (int i = 0; i < 10; i++) {
    char path[512];
    texts[i] = (mc_buf)MC_BUF_INIT;
    snprintf(path, sizeof path, "%s/%s", MOTCUA_WORKFLOWS_DIR, context[i]);
    assert_int_equal(mc_file_read(path, 1 << 20, &texts[i]), 0);
    mc_source c = {context[i], mc_buf_cstr(&texts[i]), texts[i].len};
    dsl_compile_add(comp, &c, true, &sink);
  }
  int rc = dsl_compile_check(comp, &sink);
  for (int i = 0; i < 10; i++)
    mc_buf_free(&texts[i]);
  if (rc != 0) {
    dsl_compile_free(comp);
    mc_buf_free(&text);
    return sink.errors;
  }
  const dsl_artifact *arts;
  int n;
  assert_int_equal(dsl_compile_emit(comp, &arts, &n), 0);
  bool found = false;
  for (int i = 0; i < n; i++)
    if (arts[i].kind == DSL_ARTIFACT_DIRECTORY) {
      mc_buf_reset(out);
      mc_buf_append(out, arts[i].bytes.data, arts[i].bytes.len);
      found = true;
    }
  assert_true(found);
  dsl_compile_free(comp);
  mc_buf_free(&text);
  return 0;
}

static eng_command publish_directory(const mc_buf *bytes, mc_instant from) {
  eng_command c = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                   .expected_version = STORE_ANY_VERSION};
  c.publish.def_kind = ENG_DEF_DIRECTORY;
  c.publish.bytes = (eng_bytes){bytes->data, bytes->len};
  c.publish.effective_from = from;
  return c;
}

static void a_merged_agency_hands_over_its_dossiers_and_officials(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT, dir = MC_BUF_INIT;
  official("rc-x03", "reception", "H13.X03", at("2026-04-01T08:00"));
  official("ld-x03", "leader", "H13.X03", at("2026-04-01T08:00"));
  birth_form(&form, "0912345002");
  eng_command c1 = submit("1.001193", "H13.X03", &form, "cd-301");
  char waiting[64], accepted[64];
  snprintf(waiting, sizeof waiting, "%s", run(&c1, at("2026-04-01T09:00"), 0).dossier);
  eng_command c2 = submit("1.001193", "H13.X03", &form, "cd-302");
  snprintf(accepted, sizeof accepted, "%s", run(&c2, at("2026-04-01T09:05"), 0).dossier);
  eng_command accept = act(accepted, "accept", "rc-x03", "reception", "H13.X03");
  run(&accept, at("2026-04-01T09:30"), 0);
  eng_dossier_view before, after;
  assert_int_equal(eng_dossier_get(eng, accepted, &before), 0);
  assert_true(before.appointment_at > 0);
  rows was = rows_of(accepted);

  /* Without a successor: refused, naming the agency and the fix. */
  assert_int_equal(directory_without("H13.X03", NULL, &dir), 0);
  eng_command bare = publish_directory(&dir, at("2026-04-02T00:00"));
  eng_result no = refused(&bare, at("2026-04-01T10:00"), MC_EINVAL, "the directory would remove the agency H13.X03");
  assert_int_equal(no.refusal, ENG_R_DIRECTORY_DROPS_AGENCY);
  assert_non_null(strstr(no.message, "2 open dossiers"));
  assert_non_null(strstr(no.message, "merged \"H13.X03\" into"));
  assert_non_null(strstr(no.message_vi, "cơ quan kế thừa"));

  /* A successor that is not in the directory: `check` says so (the engine
   * refuses such bytes too: directory_successor_unknown). */
  assert_int_equal(directory_without("H13.X03", "H13.X77", &dir), 1);

  /* With H13.X01 as successor: one command, every open dossier and official moved. */
  assert_int_equal(directory_without("H13.X03", "H13.X01", &dir), 0);
  eng_command merge = publish_directory(&dir, at("2026-04-02T00:00"));
  uint64_t from_seq = head() + 1;
  eng_result r = run(&merge, at("2026-04-01T10:00"), 0);
  assert_string_equal(r.message, "2 dossiers transferred, 2 officials moved");
  assert_int_equal(head(), from_seq + 4); /* published, 2 transferred, 2 moved */
  const char *codes[] = {waiting, accepted};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(eng_dossier_get(eng, codes[i], &after), 0);
    assert_string_equal(after.agency, "H13.X01");
    assert_string_equal(after.code, codes[i]);
    assert_int_equal(strncmp(after.code, "H13.X03-", 8), 0);
  }
  assert_int_equal(eng_dossier_get(eng, accepted, &after), 0);
  assert_int_equal(after.appointment_at, before.appointment_at);
  assert_int_equal(after.accepted_at, before.accepted_at);
  assert_string_equal(after.state, before.state);
  rows now = rows_of(accepted);
  assert_int_equal(now.n, was.n);
  assert_string_equal(now.r[0].agency, "H13.X01");
  assert_int_equal(now.r[0].due_at, was.r[0].due_at);
  eng_account_view a;
  assert_int_equal(eng_account_get(eng, "rc-x03", &a), 0);
  assert_string_equal(a.agency, "H13.X01");
  assert_int_equal(a.nroles, 1);
  assert_string_equal(a.roles[0], "reception");
  assert_false(a.disabled);
  /* The applicants are told, once each. */
  messages m = {.n = 0};
  assert_int_equal(eng_outbox_pending(eng, from_seq, 0, keep_message, &m), 0);
  assert_int_equal(m.n, 2);
  assert_string_equal(m.templates[0], "transferred");
  assert_non_null(strstr(m.body, "đã sáp nhập vào cơ quan H13.X01"));

  /* H13.X01's officials work on them now; the moved one too. */
  eng_command go_on = act(accepted, "approve", "sp-x01", "specialist", "H13.X01");
  run(&go_on, at("2026-04-01T11:00"), 0);
  eng_command moved = act(waiting, "accept", "rc-x03", "reception", "H13.X01");
  run(&moved, at("2026-04-01T11:00"), 0);
  int open = 0;
  assert_int_equal(eng_agency_open_dossiers(eng, "H13.X01", &open, NULL, 0), 0);
  assert_true(open >= 2);
  assert_int_equal(eng_agency_open_dossiers(eng, "H13.X03", &open, NULL, 0), 0);
  assert_int_equal(open, 0);
  mc_buf_free(&form);
  mc_buf_free(&dir);
}

/* An agency with no open dossier but an enabled official needs a successor
 * too (where the official goes); with none enabled it may simply go. */
static void an_agency_with_officials_needs_a_successor(void **state) {
  (void)state;
  mc_buf dir = MC_BUF_INIT;
  official("tp-tand", "specialist", "H13.TAND", at("2026-05-04T08:00"));
  assert_int_equal(directory_without("H13.TAND", NULL, &dir), 0);
  eng_command bare = publish_directory(&dir, at("2026-05-05T00:00"));
  eng_result no = refused(&bare, at("2026-05-04T09:00"), MC_EINVAL, "which has 1 enabled official");
  assert_int_equal(no.refusal, ENG_R_DIRECTORY_NEEDS_SUCCESSOR);
  eng_command off = {.kind = ENG_CMD_ACCOUNT, .actor = {"admin", "system_admin", NULL, "test"},
                     .expected_version = STORE_ANY_VERSION, .account = {.op = "disable", .id = "tp-tand"}};
  run(&off, at("2026-05-04T09:10"), 0);
  eng_result r = run(&bare, at("2026-05-04T09:20"), 0);
  assert_int_equal(r.refusal, ENG_R_NONE);
  mc_buf_free(&dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reception_transfers_before_acceptance),
      cmocka_unit_test(a_merged_agency_hands_over_its_dossiers_and_officials),
      cmocka_unit_test(an_agency_with_officials_needs_a_successor),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
