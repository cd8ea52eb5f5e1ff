/* test_alerts.c — who is told, at which address: the agency of the step.
 *
 * On a multi-agency (liên thông) branch a step is done by another agency
 * (`at "H13.CA"`): that agency's officials are alerted when the dossier
 * reaches the step (`new_dossier`), and the step's warning, overdue and
 * escalation alerts go to them, not to the agency the dossier was filed
 * with.  `notify agency` tells the agency of the step whose action it is.
 * Addresses are the agencies' e-mails of the bundled directory
 * (workflows/agencies/bac-ninh.mc). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

#include "fixture.h"

#define STP "stp@bacninh.gov.vn"
#define CA "congan@bacninh.gov.vn"
#define TAND "toaan@bacninh.gov.vn"

/* The messages waiting about one dossier, from the event `from` on. */
typedef struct sent {
  char template_name[16][48], to[16][32], email[16][128];
  int n;
  const char *dossier;
} sent;

static int collect(void *opaque, const eng_message *m) {
  sent *l = opaque;
  if (!strcmp(m->dossier, l->dossier) && l->n < 16) {
    snprintf(l->template_name[l->n], sizeof l->template_name[0], "%s", m->template_name);
    snprintf(l->to[l->n], sizeof l->to[0], "%s", m->to);
    snprintf(l->email[l->n], sizeof l->email[0], "%s", m->email);
    l->n++;
  }
  return 0;
}

static sent messages_since(const char *dossier, uint64_t from) {
  sent l = {.n = 0, .dossier = dossier};
  assert_int_equal(eng_outbox_pending(eng, from, 0, collect, &l), 0);
  return l;
}

/* That the messages hold `template` to `to` at `email`, once. */
static void has(const sent *l, const char *template_name, const char *to, const char *email) {
  int found = 0;
  for (int i = 0; i < l->n; i++)
    found += !strcmp(l->template_name[i], template_name) && !strcmp(l->to[i], to) && !strcmp(l->email[i], email);
  if (found != 1) {
    for (int i = 0; i < l->n; i++)
      fprintf(stderr, "  %s to %s <%s>\n", l->template_name[i], l->to[i], l->email[i]);
    fail_msg("%d messages %s to %s <%s>", found, template_name, to, email);
  }
}

/* The messages the timers due by `when` cause about the dossier. */
static sent fire_until(const char *dossier, const char *when) {
  uint64_t before = head();
  int fired = 0;
  assert_int_equal(eng_fire_due(eng, at(when), &fired), 0);
  assert_true(fired >= 1);
  return messages_since(dossier, before + 1);
}

/* The judicial record (the bundled procedure): the police and the court are
 * told when the branches open, each at its own address; the police branch's
 * limit passes and the police are told, not the Department of Justice. */
static void the_agencies_of_a_branch_are_alerted(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  record_form(&f);
  eng_command c = submit("2.000488", "H13.STP", &f, "cd-al1");
  eng_result r = run(&c, at("2026-06-01T09:00"), 0);
  const char *code = r.dossier;
  /* Filed: reception of the Department of Justice is told. */
  sent l = messages_since(code, 0);
  has(&l, "new_dossier", "official", STP);
  eng_command accept = act(code, "accept", "rc-s", "reception", "H13.STP");
  run(&accept, at("2026-06-01T10:00"), 0);
  eng_command lookup = act(code, "complete", "sp-s", "specialist", "H13.STP");
  uint64_t before = head();
  run(&lookup, at("2026-06-02T10:00"), 0);
  l = messages_since(code, before + 1);
  assert_int_equal(l.n, 2);
  has(&l, "new_dossier", "official", CA);
  has(&l, "new_dossier", "official", TAND);
  /* The court answers; the police let their 5 days pass (Tue 2 Jun + 5 =
   * Sun 7 Jun, a day off: Mon 8 Jun 17:00). */
  eng_command court = act(code, "answer", "ta-1", "specialist", "H13.TAND");
  court.act.step = "court_check";
  run(&court, at("2026-06-03T10:00"), 0);
  l = fire_until(code, "2026-06-08T18:00");
  has(&l, "step_overdue", "official", CA);
  mc_buf_free(&f);
}

/* A version of the judicial record whose police branch warns, escalates,
 * and tells agencies by `notify agency`. */
static const char *const record_v2 =
    "procedure \"2.000488\" \"Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam\" {\n"
    "  sector \"Tư pháp\" field \"Lý lịch tư pháp\" level province online full\n"
    "  time 10 days policy \"nd118-2025\" fee 200.000 VND\n"
    "  form {\n"
    "    full_name text required label \"Họ và tên\" length 1..100\n"
    "    citizen citizen_id required label \"Số định danh cá nhân\"\n"
    "    kind enum(\"Phiếu số 1\", \"Phiếu số 2\") required label \"Loại phiếu\"\n"
    "    purpose text required label \"Mục đích sử dụng phiếu\" length 1..300\n"
    "  }\n"
    "  step reception \"Tiếp nhận hồ sơ\" by reception within policy.reception_limit state submitted {\n"
    "    on accept -> lookup   notify agency \"new_dossier\"\n"
    "    on reject -> rejected\n"
    "  }\n"
    "  step lookup \"Tra cứu\" by specialist within 2 days state processing {\n"
    "    on complete -> police_check\n"
    "  }\n"
    "  step police_check \"Công an tỉnh xác minh\" by specialist at \"H13.CA\" within 5 days state processing {\n"
    "    warn 2 days before\n"
    "    escalate to leader\n"
    "    on answer -> drafting   notify agency \"new_dossier\" notify official \"new_dossier\"\n"
    "  }\n"
    "  step drafting \"Lập Phiếu\" by specialist within 2 days state processing {\n"
    "    on approve -> result\n"
    "    on deny -> result\n"
    "  }\n"
    "  step result \"Trả kết quả\" by reception within 5 days state decided {\n"
    "    on return_result -> returned\n"
    "  }\n"
    "}\n";

/* `notify agency` from the reception step tells the Department of Justice,
 * from the police step the police; the police step's warning and its
 * escalation to the leader go to the police. */
static void notify_agency_and_the_timers_of_a_branch(void **state) {
  (void)state;
  mc_buf bytes = MC_BUF_INIT, f = MC_BUF_INIT;
  compile_procedure("record-v2.mc", record_v2, "nd118-2025", &bytes);
  eng_command pub = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                     .publish = {.def_kind = ENG_DEF_PROCEDURE, .effective_from = at("2026-09-01T00:00"),
                                 .bytes = {bytes.data, bytes.len}}};
  run(&pub, at("2026-08-20T08:00"), 0);
  record_form(&f);
  eng_command c = submit("2.000488", "H13.STP", &f, "cd-al2");
  eng_result r = run(&c, at("2026-09-07T09:00"), 0);
  const char *code = r.dossier;
  eng_command accept = act(code, "accept", "rc-s", "reception", "H13.STP");
  uint64_t before = head();
  run(&accept, at("2026-09-07T10:00"), 0);
  sent l = messages_since(code, before + 1);
  assert_int_equal(l.n, 1);
  has(&l, "new_dossier", "agency", STP);
  eng_command lookup = act(code, "complete", "sp-s", "specialist", "H13.STP");
  before = head();
  run(&lookup, at("2026-09-08T10:00"), 0);
  l = messages_since(code, before + 1);
  has(&l, "new_dossier", "official", CA);
  /* Tue 8 Sep + 5 days = Sun 13, a day off: Mon 14 Sep 17:00; the warning
   * 2 days before it: Fri 11 Sep 17:00. */
  l = fire_until(code, "2026-09-11T18:00");
  assert_int_equal(l.n, 1);
  has(&l, "step_warning", "official", CA);
  l = fire_until(code, "2026-09-14T18:00");
  assert_int_equal(l.n, 1);
  has(&l, "step_overdue", "leader", CA);
  eng_command police = act(code, "answer", "ca-1", "specialist", "H13.CA");
  before = head();
  run(&police, at("2026-09-15T10:00"), 0);
  l = messages_since(code, before + 1);
  has(&l, "new_dossier", "agency", CA);
  has(&l, "new_dossier", "official", STP);
  mc_buf_free(&bytes);
  mc_buf_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_agencies_of_a_branch_are_alerted),
      cmocka_unit_test(notify_agency_and_the_timers_of_a_branch),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
