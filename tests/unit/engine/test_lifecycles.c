/* test_lifecycles.c — every bundled procedure from filing to its end, on
 * every channel: marriage entered at the desk (with and without
 * verification), a driving licence by post from abroad that is denied and
 * posted back, a household business whose step warns and goes overdue (the
 * escalation recorded once), the feedback process answered within its
 * policy limit, a building permit decided late, a withdrawal. Each checks
 * states, deadlines and the classification of DOMAIN.md rule 9. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/canon.h"
#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>

/* A map of text fields; `kv` lists keys in ascending order. */
static void form_of(mc_buf *out, const char *const *kv, int n) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, (uint32_t)n);
  for (int i = 0; i < n; i++)
    mc_canon_kv_str(&w, kv[2 * i], kv[2 * i + 1]);
  assert_int_equal(mc_canon_finish(&w), 0);
}

static void marriage_form(mc_buf *out, bool needs_check) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 5);
  mc_canon_kv_str(&w, "husband_id", "027090001111");
  mc_canon_kv_str(&w, "husband_name", "Trần Văn Nam");
  mc_canon_kv_bool(&w, "needs_check", needs_check);
  mc_canon_kv_str(&w, "wife_id", "027190002222");
  mc_canon_kv_str(&w, "wife_name", "Lê Thị Hoa");
  assert_int_equal(mc_canon_finish(&w), 0);
}

static eng_command desk(const char *procedure, const char *agency, const mc_buf *form, const char *official) {
  eng_command c = submit(procedure, agency, form, official);
  c.submit.channel = "desk";
  c.actor = (eng_actor){official, "reception", agency, "test"};
  walk_in(&c, "027190005678");
  return c;
}

static void marriage_at_the_desk(void **state) {
  (void)state;
  mc_buf plain = MC_BUF_INIT, checked = MC_BUF_INIT;
  marriage_form(&plain, false);
  marriage_form(&checked, true);
  /* An online submission by an official is refused: online is the applicant's. */
  eng_command wrong = submit("1.000894", "H13.X01", &plain, "lan");
  wrong.actor = (eng_actor){"lan", "reception", "H13.X01", "test"};
  refused(&wrong, at("2026-05-04T08:00"), MC_EACCES, "an online dossier is submitted by the applicant");
  eng_command c = desk("1.000894", "H13.X01", &plain, "lan");
  eng_result r = run(&c, at("2026-05-04T08:00"), 0);
  eng_command accept = act(r.dossier, "accept", "lan", "reception", "H13.X01");
  r = run(&accept, at("2026-05-04T08:10"), 0);
  /* Registered at once: due at the close of the same day; the choice goes to signing. */
  assert_string_equal(iso(r.appointment_at), "2026-05-04T17:00:00+07:00");
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.steps[0], "signing");
  eng_command sign = act(r.dossier, "approve", "binh", "leader", "H13.X01");
  run(&sign, at("2026-05-04T09:00"), 0);
  eng_command give = act(r.dossier, "return_result", "lan", "reception", "H13.X01");
  run(&give, at("2026-05-04T10:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "returned");
  assert_string_equal(v.classification, "on_time");

  /* With verification: the choice leads to the specialist's step. */
  eng_command c2 = desk("1.000894", "H13.X01", &checked, "lan");
  eng_result r2 = run(&c2, at("2026-05-04T11:00"), 0);
  accept.dossier = r2.dossier;
  run(&accept, at("2026-05-04T11:05"), 0);
  assert_int_equal(eng_dossier_get(eng, r2.dossier, &v), 0);
  assert_string_equal(v.steps[0], "verification");
  eng_command verified = act(r2.dossier, "complete", "an", "specialist", "H13.X01");
  run(&verified, at("2026-05-06T10:00"), 0);
  sign.dossier = r2.dossier;
  run(&sign, at("2026-05-06T14:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r2.dossier, &v), 0);
  /* Same-day time, decided two days later: late (an extension would have been due). */
  assert_string_equal(v.state, "decided");
  assert_string_equal(v.classification, "late");
  mc_buf_free(&plain);
  mc_buf_free(&checked);
}

static void driving_licence_from_abroad_denied_and_posted(void **state) {
  (void)state;
  static const char *const kv[] = {"citizen", "027190003333", "full_name", "Đỗ Quang Huy", "licence_no", "AB123456",
                                   "origin", "nước ngoài"};
  mc_buf f = MC_BUF_INIT;
  form_of(&f, kv, 4);
  eng_command c = desk("1.002835", "H13.CA", &f, "pv");
  c.submit.channel = "post";
  eng_result r = run(&c, at("2026-06-08T09:00"), 0);
  eng_command accept = act(r.dossier, "accept", "pv", "reception", "H13.CA");
  r = run(&accept, at("2026-06-08T10:00"), 0);
  /* Mon 8 Jun + 5 working days = Mon 15 Jun 17:00 */
  assert_string_equal(iso(r.appointment_at), "2026-06-15T17:00:00+07:00");
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.steps[0], "foreign_check");
  eng_command deny = act(r.dossier, "deny", "csgt", "specialist", "H13.CA");
  refused(&deny, at("2026-06-09T10:00"), MC_EINVAL, "a denial gives its reasons");
  deny.act.reason = "Giấy phép lái xe nước ngoài không được công nhận";
  run(&deny, at("2026-06-09T10:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "decided");
  assert_string_equal(v.outcome, "denied");
  assert_string_equal(v.classification, "early");
  eng_command post = act(r.dossier, "hand_to_post", "pv", "reception", "H13.CA");
  run(&post, at("2026-06-09T15:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  /* Handed to the post office: still decided, now in the postal step. */
  assert_string_equal(v.state, "decided");
  assert_string_equal(v.steps[0], "in_post");
  /* Only the post office delivers. */
  eng_command early = act(r.dossier, "deliver", "pv", "reception", "H13.CA");
  refused(&early, at("2026-06-10T09:00"), MC_EACCES, "postal");
  eng_command deliver = act(r.dossier, "deliver", "bd", "postal", "H13.BD");
  run(&deliver, at("2026-06-10T09:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "returned");
  mc_buf_free(&f);
}

static void household_business_warns_then_goes_overdue_once(void **state) {
  (void)state;
  static const char *const kv[] = {"address", "Số 5 phố Nguyễn Văn Cừ, Bắc Ninh", "business_name", "Tạp hóa Minh Anh",
                                   "owner_id", "027190004444"};
  mc_buf f = MC_BUF_INIT;
  mc_canon w;
  /* Without the required capital: refused. */
  form_of(&f, kv, 3);
  eng_command c = submit("2.000575", "H13.X02", &f, "cd-h");
  refused(&c, at("2026-07-06T08:00"), MC_EINVAL, "\"capital\" (Vốn kinh doanh (đồng)) is required");
  mc_buf_reset(&f);
  mc_canon_init(&w, &f);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "address", kv[1]);
  mc_canon_kv_str(&w, "business_name", kv[3]);
  mc_canon_kv_int(&w, "capital", 50000000);
  mc_canon_kv_str(&w, "owner_id", kv[5]);
  assert_int_equal(mc_canon_finish(&w), 0);
  c = submit("2.000575", "H13.X02", &f, "cd-h");
  eng_result r = run(&c, at("2026-07-06T08:00"), 0);
  eng_command accept = act(r.dossier, "accept", "lan", "reception", "H13.X02");
  r = run(&accept, at("2026-07-06T09:00"), 0);
  /* Mon 6 Jul + 3 working days = Thu 9 Jul 17:00 */
  assert_string_equal(iso(r.appointment_at), "2026-07-09T17:00:00+07:00");
  /* processing: within 2 working days of Mon 6 Jul 09:00 = Wed 8 Jul 17:00; the warning
   * 4 working hours before: 23 h of working time less 4 = 19 h from Mon 09:00 (Mon 7 h,
   * Tue 8 h, Wed 07:30-11:30) = Wed 8 Jul 11:30.  (Timers of the other tests' dossiers
   * fire too: count this dossier's versions.) */
  int fired;
  eng_dossier_view v;
  assert_int_equal(eng_fire_due(eng, at("2026-07-08T07:29"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.version, 2);
  /* The appointment's own warning: Wed 8 Jul is the last day an extension
   * can be given one working day ahead (nd118), from its opening 07:30. */
  assert_int_equal(eng_fire_due(eng, at("2026-07-08T11:00"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.version, 3); /* deadline_near */
  assert_int_equal(eng_fire_due(eng, at("2026-07-08T12:00"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.version, 4); /* the step warned */
  assert_int_equal(eng_fire_due(eng, at("2026-07-09T08:00"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.version, 5); /* the step overdue since Wed 17:00, escalated to the leader */
  assert_int_equal(eng_fire_due(eng, at("2026-07-09T16:59"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.version, 5);
  assert_int_equal(eng_fire_due(eng, at("2026-07-10T08:00"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.version, 6); /* the appointment passed, Thu 9 Jul 17:00 */
  assert_int_equal(eng_fire_due(eng, at("2026-07-13T08:00"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.version, 6); /* each once */
  assert_string_equal(v.state, "processing");
  assert_string_equal(v.steps[0], "processing");
  mc_buf_free(&f);
}

static void feedback_is_answered_within_its_limit(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &f);
  mc_canon_map(&w, 3);
  mc_canon_kv_str(&w, "content", "Cán bộ hẹn trả kết quả nhưng quá hạn ba ngày chưa có.");
  mc_canon_kv_str(&w, "received", "Điện thoại");
  mc_canon_kv_str(&w, "subject", "Chậm trả kết quả");
  assert_int_equal(mc_canon_finish(&w), 0);
  /* Received by phone: an official of the centre enters it. */
  eng_command c = desk("PAKN", "H13.TTHCC", &f, "tt-1");
  eng_result r = run(&c, at("2026-08-03T09:00"), 0);
  eng_command intake = act(r.dossier, "accept", "tt-1", "reception", "H13.TTHCC");
  r = run(&intake, at("2026-08-03T10:00"), 0);
  /* Mon 3 Aug + 3 working days = Thu 6 Aug 17:00 */
  assert_string_equal(iso(r.appointment_at), "2026-08-06T17:00:00+07:00");
  eng_command answer = act(r.dossier, "answer", "cv-1", "specialist", "H13.TTHCC");
  run(&answer, at("2026-08-05T15:00"), 0);
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "returned");
  /* Answered the day before its due day: early (rule 9), for the reports. */
  assert_string_equal(iso(v.decided_at), "2026-08-05T15:00:00+07:00");
  assert_string_equal(v.classification, "early");
  mc_buf_free(&f);
}

static void withdrawn_before_the_decision(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  birth_form(&f, "0912777888");
  eng_command c = submit("1.001193", "H13.X03", &f, "cd-w1");
  eng_result r = run(&c, at("2026-09-07T08:00"), 0);
  eng_command other = {.kind = ENG_CMD_WITHDRAW, .actor = {"cd-w2", "applicant", NULL, "test"}, .dossier = r.dossier,
                       .expected_version = STORE_ANY_VERSION};
  refused(&other, at("2026-09-07T09:00"), MC_EACCES, "withdrawn by its applicant");
  other.actor.who = "cd-w1";
  run(&other, at("2026-09-07T09:00"), 0);
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "withdrawn");
  assert_int_equal(v.nsteps, 0);
  /* Nothing armed for it any more. */
  int fired;
  assert_int_equal(eng_fire_due(eng, at("2026-09-30T08:00"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "withdrawn");
  mc_buf_free(&f);
}

/* The messages waiting in the outbox about one dossier, with their texts. */
typedef struct outbox_list {
  eng_message m[8];
  char subject[8][256], body[8][1024], sms[8][256], phone[8][32], error[8][160];
  int n;
  const char *dossier;
} outbox_list;

static int collect_message(void *opaque, const eng_message *m) {
  outbox_list *l = opaque;
  if (strcmp(m->dossier, l->dossier) == 0 && l->n < 8) {
    int i = l->n++;
    l->m[i] = *m;
    snprintf(l->subject[i], sizeof l->subject[i], "%s", m->subject);
    snprintf(l->body[i], sizeof l->body[i], "%s", m->body);
    snprintf(l->sms[i], sizeof l->sms[i], "%s", m->sms);
    snprintf(l->phone[i], sizeof l->phone[i], "%s", m->phone);
    snprintf(l->error[i], sizeof l->error[i], "%s", m->error);
  }
  return 0;
}

static outbox_list pending_of(const char *dossier) {
  outbox_list l = {.n = 0, .dossier = dossier};
  assert_int_equal(eng_outbox_pending(eng, 0, 0, collect_message, &l), 0);
  return l;
}

static void assigned_stopped_rated_and_retired(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  birth_form(&f, "0912999000");
  eng_command c = submit("1.001193", "H13.X01", &f, "cd-a");
  eng_result r = run(&c, at("2026-10-05T08:00"), 0);
  eng_command accept = act(r.dossier, "accept", "lan", "reception", "H13.X01");
  run(&accept, at("2026-10-05T08:30"), 0);
  /* A leader assigns the main handler and a co-handler. */
  official("hoa", "specialist", "H13.X01", at("2026-10-05T08:35"));
  official("an.tv", "specialist", "H13.X01", at("2026-10-05T08:35"));
  const char *co[] = {"an.tv"};
  eng_command assign = {.kind = ENG_CMD_ASSIGN, .actor = {"an", "specialist", "H13.X01", "test"}, .dossier = r.dossier,
                        .expected_version = STORE_ANY_VERSION, .assign = {.handler = "hoa", .co_handlers = {co, 1}}};
  refused(&assign, at("2026-10-05T08:40"), MC_EACCES, "assigning a dossier is for a leader of H13.X01");
  assign.actor = (eng_actor){"binh", "leader", "H13.X01", "test"};
  run(&assign, at("2026-10-05T08:40"), 0);
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.handler, "hoa");
  assert_int_equal(v.nco_handlers, 1);
  eng_command approve = act(r.dossier, "approve", "minh", "specialist", "H13.X01");
  refused(&approve, at("2026-10-05T09:00"), MC_EACCES, "is assigned to hoa and co-handlers; a leader can reassign it");
  approve.actor.who = "an.tv"; /* the co-handler may act */
  run(&approve, at("2026-10-05T09:00"), 0);
  eng_command sign = act(r.dossier, "approve", "binh", "leader", "H13.X01");
  run(&sign, at("2026-10-05T10:00"), 0);
  eng_command give = act(r.dossier, "return_result", "lan", "reception", "H13.X01");
  run(&give, at("2026-10-05T11:00"), 0);
  /* The applicant rates it, once. */
  eng_command rate = {.kind = ENG_CMD_RATE, .actor = {"cd-a", "applicant", NULL, "test"}, .dossier = r.dossier,
                      .expected_version = STORE_ANY_VERSION, .rate = {.rating = 6}};
  refused(&rate, at("2026-10-05T12:00"), MC_ERANGE, "1 (poor) to 5 (very good)");
  rate.rate.rating = 5;
  rate.rate.comment = "Nhanh, đúng hẹn";
  run(&rate, at("2026-10-05T12:00"), 0);
  refused(&rate, at("2026-10-05T12:05"), MC_EINVAL, "already rated");
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.rating, 5);

  /* The agency stops a dossier, with its reason. */
  eng_command c2 = submit("1.001193", "H13.X01", &f, "cd-b");
  eng_result r2 = run(&c2, at("2026-10-05T13:00"), 0);
  eng_command stop = {.kind = ENG_CMD_STOP, .actor = {"binh", "leader", "H13.X01", "test"}, .dossier = r2.dossier,
                      .expected_version = STORE_ANY_VERSION};
  refused(&stop, at("2026-10-05T13:30"), MC_EINVAL, "gives its reason");
  stop.stop.reason = "Hồ sơ trùng với hồ sơ H13.X01-261005-0001";
  /* Not before acceptance (reception rejects it then). */
  refused(&stop, at("2026-10-05T13:30"), MC_EINVAL, "not accepted yet: reception rejects it");
  eng_command accept2 = act(r2.dossier, "accept", "lan", "reception", "H13.X01");
  run(&accept2, at("2026-10-05T13:20"), 0);
  run(&stop, at("2026-10-05T13:30"), 0);
  assert_int_equal(eng_dossier_get(eng, r2.dossier, &v), 0);
  assert_string_equal(v.state, "stopped");
  /* The applicant is told, with the reason (docs/ENGINE.md, STOP). */
  outbox_list told = pending_of(r2.dossier);
  bool with_reason = false;
  for (int i = 0; i < told.n; i++)
    with_reason |= !strcmp(told.m[i].template_name, "stopped") && strstr(told.body[i], "Hồ sơ trùng với hồ sơ") != NULL;
  assert_true(with_reason);

  /* Birth registration retired from 1 November: no new dossiers after. */
  eng_command retire = {.kind = ENG_CMD_RETIRE, .actor = {"admin", "system_admin", NULL, "test"},
                        .retire = {.def_kind = ENG_DEF_PROCEDURE, .id = "1.001193",
                                   .effective_from = at("2026-11-01T00:00")}};
  run(&retire, at("2026-10-06T08:00"), 0);
  refused(&retire, at("2026-10-06T08:05"), MC_EINVAL, "already retired; publish it again");
  eng_command before = submit("1.001193", "H13.X01", &f, "cd-c");
  run(&before, at("2026-10-30T08:00"), 0);
  eng_command after = submit("1.001193", "H13.X01", &f, "cd-d");
  refused(&after, at("2026-11-02T08:00"), MC_EINVAL, "is retired and takes no new dossiers");
  mc_buf_free(&f);
}


/* A new version of the household business registration with a fee paid
 * online before processing and, once approved, a financial obligation (a
 * tax due before the result).  Paying the fee does not stop the legal clock;
 * the obligation does (nd118: payment_pauses_clock, docs/DOMAIN.md) —
 * two states, `awaiting_payment` and `awaiting_obligation` (dsl/states.h).  A
 * denied dossier's refundable fee goes back once.  Dossiers filed before
 * keep the version they were filed with. */
static const char *const household_v2 =
    "procedure \"2.000575\" \"Đăng ký thành lập hộ kinh doanh\" {\n"
    "  sector \"Kế hoạch và Đầu tư\" field \"Thành lập và hoạt động của hộ kinh doanh\"\n"
    "  level commune online full time 3 working days policy \"nd118-2025\"\n"
    "  fee 100.000 VND refundable\n"
    "  form {\n"
    "    business_name text required label \"Tên hộ kinh doanh\" length 1..200\n"
    "    owner_id citizen_id required label \"Số định danh cá nhân của chủ hộ\"\n"
    "    address text required label \"Địa điểm kinh doanh\" length 1..300\n"
    "    capital number required label \"Vốn kinh doanh (đồng)\" range 0..100000000000\n"
    "  }\n"
    "  step reception \"Tiếp nhận\" by reception within policy.reception_limit state submitted {\n"
    "    on accept -> payment\n    on reject -> rejected\n  }\n"
    "  step payment \"Nộp lệ phí\" by applicant within 5 working days state awaiting_payment {\n"
    "    on record_payment -> processing\n    on timeout -> stopped\n  }\n"
    "  step processing \"Thẩm định\" by specialist within 2 working days state processing {\n"
    "    on approve -> obligation\n    on deny -> result\n  }\n"
    "  step obligation \"Nộp thuế\" by applicant within 10 working days state awaiting_obligation {\n"
    "    on record_payment -> result\n    on timeout -> stopped\n  }\n"
    "  step result \"Trả kết quả\" by reception within 1 working day state decided {\n"
    "    on return_result -> returned\n  }\n"
    "}\n";

static int count_template(const char *code, const char *template_name) {
  outbox_list due = pending_of(code);
  int n = 0;
  for (int i = 0; i < due.n; i++)
    if (!strcmp(due.m[i].template_name, template_name)) {
      n++;
      assert_non_null(strstr(due.body[i], "đồng"));
    }
  return n;
}

static void a_fee_keeps_the_clock_an_obligation_stops_it_and_a_denial_is_refunded(void **state) {
  (void)state;
  mc_buf bytes = MC_BUF_INIT;
  compile_procedure("household-v2.mc", household_v2, "nd118-2025", &bytes);
  eng_command pub = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                     .publish = {.def_kind = ENG_DEF_PROCEDURE, .effective_from = at("2026-11-10T00:00"),
                                 .bytes = {bytes.data, bytes.len}}};
  run(&pub, at("2026-10-20T08:00"), 0);
  /* The same bytes again from a later date: already in effect, unchanged. */
  pub.publish.effective_from = at("2026-11-20T00:00");
  eng_result same = run(&pub, at("2026-10-20T08:05"), 0);
  assert_true(same.repeated);
  /* A wrong date is corrected by publishing the same bytes with the right one. */
  pub.publish.effective_from = at("2026-11-01T00:00");
  eng_result corrected = run(&pub, at("2026-10-20T08:10"), 0);
  assert_false(corrected.repeated);
  assert_int_equal(corrected.count, 1);

  mc_buf f = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &f);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "address", "Số 7 phố Ngô Gia Tự, Bắc Ninh");
  mc_canon_kv_str(&w, "business_name", "Cửa hàng Bình An");
  mc_canon_kv_int(&w, "capital", 80000000);
  mc_canon_kv_str(&w, "owner_id", "027190006666");
  assert_int_equal(mc_canon_finish(&w), 0);

  /* The fee: the applicant is told what to pay (the fee over the form), once;
   * the clock runs while they pay. */
  eng_command sub = submit("2.000575", "H13.X01", &f, "cd-p");
  eng_result r = run(&sub, at("2026-11-02T09:00"), 0);
  eng_command accept = act(r.dossier, "accept", "lan", "reception", "H13.X01");
  r = run(&accept, at("2026-11-02T10:00"), 0);
  /* Mon 2 Nov + 3 working days = Thu 5 Nov 17:00. */
  assert_string_equal(iso(r.appointment_at), "2026-11-05T17:00:00+07:00");
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "awaiting_payment");
  assert_int_equal(v.paused_since, 0);
  assert_int_equal(count_template(r.dossier, "payment_due"), 1);
  {
    outbox_list due = pending_of(r.dossier);
    for (int i = 0; i < due.n; i++)
      if (!strcmp(due.m[i].template_name, "payment_due"))
        assert_non_null(strstr(due.body[i], "cần nộp 100.000 đồng phí, lệ phí"));
  }
  eng_command pay = act(r.dossier, "record_payment", "cd-p", "applicant", NULL);
  r = run(&pay, at("2026-11-04T10:00"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-11-05T17:00:00+07:00");
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_true(v.fee_paid);
  assert_int_equal(v.paused_since, 0);
  eng_command refund = {.kind = ENG_CMD_REFUND, .actor = {"binh", "leader", "H13.X01", "test"}, .dossier = r.dossier,
                        .expected_version = STORE_ANY_VERSION};
  refused(&refund, at("2026-11-04T11:00"), MC_EINVAL, "could not deliver");
  eng_command deny = act(r.dossier, "deny", "an", "specialist", "H13.X01");
  deny.act.reason = "Địa điểm kinh doanh nằm trong khu vực cấm";
  run(&deny, at("2026-11-05T09:00"), 0);
  run(&refund, at("2026-11-05T10:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.refunded, 100000);
  refused(&refund, at("2026-11-05T10:05"), MC_EINVAL, "already refunded");

  /* The obligation: accepted Mon 9 Nov 10:00, due Thu 12 Nov 17:00; approved
   * on Wed 11 Nov 11:00, 12.5 working hours before the appointment (Wed
   * 11:00-11:30 and 13:00-17:00, Thu 8 h); the clock stops until the tax is
   * paid on Fri 13 Nov 09:00, and the 12.5 hours count from then: Fri 6.5 h,
   * Mon 16 Nov 07:30-11:30 and 13:00-15:00. */
  sub = submit("2.000575", "H13.X01", &f, "cd-q");
  r = run(&sub, at("2026-11-09T09:00"), 0);
  const char *code = r.dossier;
  char second[64];
  snprintf(second, sizeof second, "%s", code);
  accept = act(second, "accept", "lan", "reception", "H13.X01");
  r = run(&accept, at("2026-11-09T10:00"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-11-12T17:00:00+07:00");
  pay = act(second, "record_payment", "cd-q", "applicant", NULL);
  run(&pay, at("2026-11-10T08:00"), 0);
  eng_command approve = act(second, "approve", "an", "specialist", "H13.X01");
  r = run(&approve, at("2026-11-11T11:00"), 0);
  assert_int_equal(eng_dossier_get(eng, second, &v), 0);
  assert_string_equal(v.state, "awaiting_obligation");
  assert_true(v.paused_since != 0);
  assert_int_equal(count_template(second, "payment_due"), 2); /* the fee, then the tax */
  pay = act(second, "record_payment", "cd-q", "applicant", NULL);
  r = run(&pay, at("2026-11-13T09:00"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-11-16T15:00:00+07:00");
  assert_int_equal(eng_dossier_get(eng, second, &v), 0);
  assert_string_equal(v.state, "decided");
  assert_int_equal(v.paused_since, 0);
  mc_buf_free(&f);
  mc_buf_free(&bytes);
}

/* Documents already supplied and still valid are reused, not asked for
 * again (BN 6.2, ĐN 6.2): the citizen card scanned for a judicial record is
 * reused by the driving licence exchange of the same applicant, online and at
 * the desk (by citizen id); one that has expired is not; a bad reference is
 * refused with what is wrong. */
static const char *const scan_cccd = "1111111111111111111111111111111111111111111111111111111111111111";
static const char *const scan_gplx = "2222222222222222222222222222222222222222222222222222222222222222";

static void documents_are_reused_not_asked_again(void **state) {
  (void)state;
  static const char *const jr[] = {"citizen", "027190007777", "full_name", "Phan Văn Tài", "kind", "Phiếu số 1",
                                   "purpose", "Xin việc"};
  static const char *const dl[] = {"citizen", "027190007777", "full_name", "Phan Văn Tài", "licence_no",
                                   "AB777777", "origin", "Việt Nam"};
  mc_buf jf = MC_BUF_INIT, df = MC_BUF_INIT;
  form_of(&jf, jr, 4);
  form_of(&df, dl, 4);
  doc_list l;

  /* Bad references: each refused, nothing appended. */
  eng_document bad[2] = {{"cccd", scan_cccd, "2035-01-01", NULL, 0}, {"cccd", scan_cccd, NULL, NULL, 0}};
  eng_command c = submit("2.000488", "H13.STP", &jf, "tai");
  c.submit.documents.list = bad;
  c.submit.documents.n = 2;
  refused(&c, at("2026-11-16T09:00"), MC_EINVAL, "\"cccd\" is given twice");
  eng_document unknown = {"ho_chieu", scan_cccd, NULL, NULL, 0};
  c.submit.documents.list = &unknown;
  c.submit.documents.n = 1;
  refused(&c, at("2026-11-16T09:00"), MC_EINVAL, "asks for no document \"ho_chieu\"; it asks for cccd");
  eng_document short_hash = {"cccd", "abc", NULL, NULL, 0};
  c.submit.documents.list = &short_hash;
  refused(&c, at("2026-11-16T09:00"), MC_EINVAL, "64 hexadecimal digits");
  eng_document bad_date = {"cccd", scan_cccd, "2035-02-30", NULL, 0};
  c.submit.documents.list = &bad_date;
  refused(&c, at("2026-11-16T09:00"), MC_EINVAL, "a date YYYY-MM-DD, not \"2035-02-30\"");
  eng_document expired = {"cccd", scan_cccd, "2026-11-15", NULL, 0};
  c.submit.documents.list = &expired;
  refused(&c, at("2026-11-16T09:00"), MC_EINVAL, "expired on 2026-11-15");
  /* Each names its field, its rule and what to do, in Vietnamese. */
  eng_result why;
  assert_int_equal(eng_execute(eng, &c, 1, at("2026-11-16T09:00"), &why), 0);
  assert_int_equal(why.nfields, 1);
  assert_string_equal(why.fields[0].field, "documents[0].valid_until");
  assert_string_equal(why.fields[0].rule, "expired");
  assert_non_null(strstr(why.fields[0].message, "đã hết hạn ngày 2026-11-15: hãy nộp bản còn hạn"));
  c.submit.documents.list = bad;
  c.submit.documents.n = 2;
  assert_int_equal(eng_execute(eng, &c, 1, at("2026-11-16T09:00"), &why), 0);
  assert_string_equal(why.fields[0].field, "documents[1].name");
  assert_string_equal(why.fields[0].rule, "unique");
  c.submit.documents.list = &expired;
  c.submit.documents.n = 1;

  /* The judicial record with the card, valid until 2035. */
  c.submit.documents.list = bad;
  c.submit.documents.n = 1;
  eng_result first = run(&c, at("2026-11-16T09:00"), 0);
  const eng_document_view *d = doc_of(&l, first.dossier, "cccd");
  assert_string_equal(d->sha256, scan_cccd);
  assert_string_equal(d->valid_until, "2035-01-01");
  assert_string_equal(d->reused_from, "");
  /* Documents go with a submission or a supplement only. */
  eng_command accept = act(first.dossier, "accept", "rc-s", "reception", "H13.STP");
  accept.act.documents.list = bad;
  accept.act.documents.n = 1;
  refused(&accept, at("2026-11-16T10:00"), MC_EINVAL, "not with \"accept\"");

  /* The licence exchange brings the licence only: the card is reused, the
   * health certificate is missing (reception will ask for it). */
  eng_document licence = {"gplx", scan_gplx, NULL, NULL, 0};
  eng_command second = submit("1.002835", "H13.CA", &df, "tai");
  second.submit.documents.list = &licence;
  second.submit.documents.n = 1;
  eng_result r2 = run(&second, at("2026-11-17T09:00"), 0);
  d = doc_of(&l, r2.dossier, "cccd");
  assert_string_equal(d->sha256, scan_cccd);
  assert_string_equal(d->reused_from, first.dossier);
  assert_string_equal(iso(d->supplied_at), "2026-11-16T09:00:00+07:00");
  assert_string_equal(doc_of(&l, r2.dossier, "gplx")->sha256, scan_gplx);
  assert_string_equal(doc_of(&l, r2.dossier, "kham_sk")->sha256, "");
  assert_int_equal(l.n, 3); /* the e-form is not a scan */

  /* The supplement brings the health certificate. */
  eng_command ask = act(r2.dossier, "request_supplement", "pv", "reception", "H13.CA");
  ask.act.reason = "Bổ sung giấy khám sức khỏe";
  run(&ask, at("2026-11-17T10:00"), 0);
  eng_document health = {"kham_sk", scan_gplx, "2027-08-01", NULL, 0};
  eng_command give = act(r2.dossier, "provide_supplement", "tai", "applicant", NULL);
  give.act.documents.list = &health;
  give.act.documents.n = 1;
  eng_document wrong_doc = {"ban_ve", scan_gplx, NULL, NULL, 0};
  give.act.documents.list = &wrong_doc;
  refused(&give, at("2026-11-18T09:00"), MC_EINVAL, "asks for no document \"ban_ve\"");
  give.act.documents.list = &health;
  run(&give, at("2026-11-18T09:00"), 0);
  assert_string_equal(doc_of(&l, r2.dossier, "kham_sk")->valid_until, "2027-08-01");

  /* At the desk the official names the applicant by citizen id: nothing of
   * "tai"'s online store, but what was filed under the id before. */
  eng_command walked_in = desk("2.000488", "H13.STP", &jf, "rc-s");
  walk_in(&walked_in, "027190007777");
  walked_in.submit.owner = "027190007777";
  eng_document short_lived = {"cccd", scan_gplx, "2026-11-30", NULL, 0};
  walked_in.submit.documents.list = &short_lived;
  walked_in.submit.documents.n = 1;
  eng_result r3 = run(&walked_in, at("2026-11-19T09:00"), 0);
  eng_command again = desk("1.002835", "H13.CA", &df, "pv");
  walk_in(&again, "027190007777"); /* the owner is the block's id number */
  eng_result r4 = run(&again, at("2026-11-30T09:00"), 0);
  d = doc_of(&l, r4.dossier, "cccd");
  assert_string_equal(d->reused_from, r3.dossier);
  assert_string_equal(doc_of(&l, r4.dossier, "kham_sk")->sha256, "");
  /* The day after it expired, it is asked for again. */
  eng_result r5 = run(&again, at("2026-12-01T09:00"), 0);
  assert_string_equal(doc_of(&l, r5.dossier, "cccd")->sha256, "");
  /* Without an owner, nothing is reused. */
  again.submit.owner = NULL;
  eng_result r6 = run(&again, at("2026-12-01T10:00"), 0);
  assert_string_equal(doc_of(&l, r6.dossier, "cccd")->sha256, "");
  mc_buf_free(&jf);
  mc_buf_free(&df);
}

/* The transactional outbox: the messages an event causes are recorded in
 * the same write, wait until their outcome is recorded, once; a message
 * that failed for good alerts the agency, an alert that fails does not
 * alert again. */
static eng_command outcome(const eng_message *m, const char *what, const char *why) {
  return (eng_command){.kind = ENG_CMD_DELIVERED, .actor = {"notifier", "system", NULL, "test"},
                       .delivered = {.seq = m->seq, .index = m->index, .outcome = what, .reason = why}};
}

static void messages_wait_in_the_outbox_until_delivered(void **state) {
  (void)state;
  static const char *const jr[] = {"citizen", "027190003210", "full_name", "Lý Thị Hạnh", "kind", "Phiếu số 1",
                                   "purpose", "Xin việc"};
  mc_buf f = MC_BUF_INIT;
  form_of(&f, jr, 4);
  eng_command c = submit("2.000488", "H13.STP", &f, "cd-o1");
  eng_result r = run(&c, at("2026-12-01T08:00"), 0);
  /* Filed: reception is alerted (NĐ118 Art. 17.2), in the same write. */
  outbox_list l = pending_of(r.dossier);
  assert_int_equal(l.n, 2);
  assert_string_equal(l.m[0].template_name, "received");
  assert_string_equal(l.m[0].to, "applicant");
  assert_string_equal(l.m[1].template_name, "new_dossier");
  assert_string_equal(l.m[1].to, "official");
  assert_int_equal(l.m[1].seq, r.first_seq);
  assert_int_equal(l.m[1].index, 1);
  eng_command accept = act(r.dossier, "accept", "rc-s", "reception", "H13.STP");
  eng_result ra = run(&accept, at("2026-12-01T08:30"), 0);
  l = pending_of(r.dossier);
  assert_int_equal(l.n, 3);
  /* drop the "received" one from the view: the rest reads as before */
  memmove(&l.m[0], &l.m[1], 2 * sizeof l.m[0]);
  memmove(l.subject[0], l.subject[1], 2 * sizeof l.subject[0]);
  memmove(l.body[0], l.body[1], 2 * sizeof l.body[0]);
  memmove(l.sms[0], l.sms[1], 2 * sizeof l.sms[0]);
  memmove(l.phone[0], l.phone[1], 2 * sizeof l.phone[0]);
  memmove(l.error[0], l.error[1], 2 * sizeof l.error[0]);
  assert_string_equal(l.m[1].template_name, "accepted");
  assert_string_equal(l.m[1].to, "applicant");
  assert_int_equal(l.m[1].seq, ra.first_seq);
  /* Written out when the event was decided, with the dossier's facts. */
  char want[256];
  snprintf(want, sizeof want, "Hồ sơ %s đã được tiếp nhận", r.dossier);
  assert_string_equal(l.subject[1], want);
  assert_non_null(strstr(l.body[1], "Kính gửi Lý Thị Hạnh,"));
  assert_non_null(strstr(l.body[1], "(Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam)"));
  /* 10 days from Tue 1 Dec: Fri 11 Dec, at the close */
  assert_non_null(strstr(l.body[1], "Ngày hẹn trả kết quả: 17:00 ngày 11/12/2026."));
  assert_non_null(strstr(l.sms[1], "Hen tra ket qua: 17:00 ngày 11/12/2026."));
  assert_string_equal(l.phone[1], ""); /* this form asks for no phone */
  assert_string_equal(l.error[1], "");

  /* Only the delivery worker records outcomes; a failure says why. */
  eng_command sent = outcome(&l.m[0], "sent", NULL);
  sent.actor.role = "reception";
  refused(&sent, at("2026-12-01T08:31"), MC_EACCES, "delivery worker");
  eng_command bad = outcome(&l.m[0], "lost", NULL);
  refused(&bad, at("2026-12-01T08:31"), MC_EINVAL, "\"sent\" or \"failed\"");
  eng_command silent = outcome(&l.m[1], "failed", NULL);
  refused(&silent, at("2026-12-01T08:31"), MC_EINVAL, "says why");

  sent = outcome(&l.m[0], "sent", NULL);
  run(&sent, at("2026-12-01T08:31"), 0);
  refused(&sent, at("2026-12-01T08:32"), MC_ENOENT, "already recorded");
  eng_command failed = outcome(&l.m[1], "failed", "550 5.1.1 mailbox unavailable");
  run(&failed, at("2026-12-01T08:33"), 0);
  /* The failure alerts the agency about the dossier (at its address). */
  l = pending_of(r.dossier);
  assert_int_equal(l.n, 2);
  assert_string_equal(l.m[0].template_name, "received");
  eng_command received = outcome(&l.m[0], "sent", NULL);
  run(&received, at("2026-12-01T08:33"), 0);
  l = pending_of(r.dossier);
  assert_int_equal(l.n, 1);
  assert_string_equal(l.m[0].template_name, "delivery_failed");
  assert_string_equal(l.m[0].to, "official");
  assert_non_null(strstr(l.body[0], "không gửi được tới người nhận: 550 5.1.1 mailbox unavailable."));
  snprintf(want, sizeof want, "Không gửi được thông báo về hồ sơ %s", r.dossier);
  assert_string_equal(l.subject[0], want);
  eng_command alert_failed = outcome(&l.m[0], "failed", "no address");
  run(&alert_failed, at("2026-12-01T08:34"), 0);
  assert_int_equal(pending_of(r.dossier).n, 0);

  /* An incident: by the system administrator, or an agency's administrator
   * to its own applicants; it says what happened. */
  eng_command incident = {.kind = ENG_CMD_ANNOUNCE, .actor = {"ha", "agency_admin", "H13.X01", "test"},
                          .announce = {.agency = "H13.STP", .message = "Tạm dừng hệ thống để bảo trì."}};
  refused(&incident, at("2026-12-01T09:00"), MC_EACCES, "to its own applicants");
  incident.actor = (eng_actor){"admin", "system_admin", NULL, "test"};
  incident.announce.message = "";
  refused(&incident, at("2026-12-01T09:00"), MC_EINVAL, "says what happened");
  incident.announce.message = "Tạm dừng hệ thống để bảo trì.";
  eng_result ra2 = run(&incident, at("2026-12-01T09:00"), 0);
  outbox_list all = {.n = 0, .dossier = ""};
  assert_int_equal(eng_outbox_pending(eng, ra2.first_seq, 0, collect_message, &all), 0);
  assert_int_equal(all.n, 1);
  assert_string_equal(all.m[0].template_name, "incident");
  assert_string_equal(all.m[0].to, "affected:H13.STP");
  assert_non_null(strstr(all.body[0], "Tạm dừng hệ thống để bảo trì."));
  mc_buf_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(marriage_at_the_desk),
      cmocka_unit_test(driving_licence_from_abroad_denied_and_posted),
      cmocka_unit_test(household_business_warns_then_goes_overdue_once),
      cmocka_unit_test(feedback_is_answered_within_its_limit),
      cmocka_unit_test(withdrawn_before_the_decision),
      cmocka_unit_test(assigned_stopped_rated_and_retired),
      cmocka_unit_test(a_fee_keeps_the_clock_an_obligation_stops_it_and_a_denial_is_refunded),
      cmocka_unit_test(documents_are_reused_not_asked_again),
      cmocka_unit_test(messages_wait_in_the_outbox_until_delivered),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
