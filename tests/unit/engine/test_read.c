/* test_read.c — the read side (engine/read.c): a dossier in full and its
 * history as a console and a portal read them, and what the reader may do
 * now, checked against what the engine then decides. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/canon.h"
#include "base/error.h"
#include "engine/actions.h"
#include "engine/engine.h"

#include <msgpack.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

static void household_form(mc_buf *out) {
  mc_canon w;
  mc_buf_reset(out);
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "address", "Số 12 phố Lý Thái Tổ, Bắc Ninh");
  mc_canon_kv_str(&w, "business_name", "Tạp hóa Hồng Hà");
  mc_canon_kv_int(&w, "capital", 60000000);
  mc_canon_kv_str(&w, "owner_id", "027190007001");
  assert_int_equal(mc_canon_finish(&w), 0);
}

static const struct eng_offer *offered(const eng_dossier_full *f, const char *action) {
  for (int i = 0; i < f->ncan; i++)
    if (!strcmp(f->can[i].action, action))
      return &f->can[i];
  return NULL;
}

static eng_dossier_full full_as(const char *code, mc_instant now, eng_actor who) {
  eng_dossier_full f;
  assert_int_equal(eng_dossier_full_read(eng, code, now, &who, 1, &f), 0);
  return f;
}

/* A household business filed at the desk, accepted over Tết, asked for a
 * supplement and given it: the dossier in full at each point. */
static void a_desk_dossier_in_full(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  household_form(&form);
  official("rd-rc", "reception", "H13.X01", at("2026-02-10T08:00"));
  eng_actor reception = {"rd-rc", "reception", "H13.X01", "test"};
  eng_command c = submit("2.000575", "H13.X01", &form, "rd-rc");
  c.submit.channel = "desk";
  c.actor = reception;
  walk_in(&c, "027190007001");
  eng_result r = run(&c, at("2026-02-11T08:00"), 0);

  eng_dossier_full f = full_as(r.dossier, at("2026-02-11T08:05"), reception);
  assert_string_equal(f.procedure_name, "Đăng ký thành lập hộ kinh doanh");
  assert_string_equal(f.channel, "desk");
  assert_string_equal(f.applicant_account, "");
  assert_string_equal(f.applicant.kind, "person");
  assert_string_equal(f.applicant.name, "Trần Văn Khách");
  assert_string_equal(f.applicant.id_type, "citizen_id");
  assert_string_equal(f.applicant.id_number, "027190007001");
  /* The e-form in the procedure's order, with labels; empty fields as none. */
  assert_int_equal(f.nform, 7);
  assert_string_equal(f.form[0].name, "business_name");
  assert_string_equal(f.form[0].label, "Tên hộ kinh doanh");
  assert_string_equal(f.form[0].text, "Tạp hóa Hồng Hà");
  assert_int_equal(f.form[2].kind, ENG_VALUE_NONE);
  assert_string_equal(f.form[4].type, "number");
  assert_int_equal(f.form[4].number, 60000000);
  /* The documents asked (the e-form aside): the minutes, missing. */
  assert_int_equal(f.ndocuments, 1);
  assert_string_equal(f.documents[0].doc.name, "bien_ban");
  assert_string_equal(f.documents[0].state, "missing");
  assert_false(f.documents[0].original);
  assert_int_equal(f.fee, 100000);
  /* At reception, whose step it is; the clock not started. */
  assert_int_equal(f.nopen, 1);
  assert_string_equal(f.open[0].step, "reception");
  assert_string_equal(f.open[0].role, "reception");
  assert_string_equal(f.open[0].agency, "H13.X01");
  assert_string_equal(f.clock.state, "not_started");
  assert_non_null(offered(&f, "accept"));
  assert_string_equal(offered(&f, "request_supplement")->needs, "list");
  assert_string_equal(offered(&f, "reject")->needs, "reason");
  assert_non_null(offered(&f, "withdraw"));
  assert_null(offered(&f, "extend"));
  eng_dossier_full_free(&f);
  /* A specialist of the agency reads it but may do nothing yet; another agency's reception nothing either. */
  f = full_as(r.dossier, at("2026-02-11T08:05"), (eng_actor){"rd-sp", "specialist", "H13.X01", "test"});
  assert_int_equal(f.ncan, 0);
  eng_dossier_full_free(&f);
  f = full_as(r.dossier, at("2026-02-11T08:05"), (eng_actor){"rd-x2", "reception", "H13.X02", "test"});
  assert_int_equal(f.ncan, 0);
  eng_dossier_full_free(&f);

  /* Accepted Wed 11 Feb 09:00: 3 working days over Tết -> Mon 23 Feb 17:00. */
  eng_command accept = act(r.dossier, "accept", "rd-rc", "reception", "H13.X01");
  run(&accept, at("2026-02-11T09:00"), 0);
  f = full_as(r.dossier, at("2026-02-12T09:00"), reception);
  assert_string_equal(f.clock.state, "running");
  assert_string_equal(iso(f.clock.started_at), "2026-02-11T09:00:00+07:00");
  assert_true(f.clock.used_ms > 0 && f.clock.left_ms > 0);
  assert_int_equal(f.nappointments, 1);
  assert_string_equal(f.appointments[0].action, "accept");
  assert_string_equal(iso(f.appointments[0].to), "2026-02-23T17:00:00+07:00");
  assert_string_equal(f.deadline.time, "3 working days");
  assert_int_equal(f.deadline.due, f.d.appointment_at);
  int counted = 0, skipped = 0;
  bool holiday = false;
  for (int i = 0; i < f.deadline.nlines; i++) {
    counted += !strcmp(f.deadline.lines[i].what, "counted");
    skipped += !strcmp(f.deadline.lines[i].what, "skipped");
    holiday |= f.deadline.lines[i].day_kind && !strcmp(f.deadline.lines[i].day_kind, "holiday");
  }
  assert_int_equal(counted, 3);
  assert_true(skipped >= 5 && holiday);
  assert_string_equal(f.open[0].step, "processing");
  assert_false(f.open[0].overdue);
  /* Reception's part is done: it may only withdraw the dossier at the applicant's request. */
  assert_int_equal(f.ncan, 1);
  assert_string_equal(f.can[0].action, "withdraw");
  assert_string_equal(f.can[0].needs, "optional_reason");
  eng_dossier_full_free(&f);
  /* A leader may assign, stop and extend; a specialist approve or deny. */
  f = full_as(r.dossier, at("2026-02-12T09:00"), (eng_actor){"rd-ld", "leader", "H13.X01", "test"});
  assert_non_null(offered(&f, "assign"));
  assert_non_null(offered(&f, "stop"));
  assert_string_equal(offered(&f, "extend")->needs, "date");
  eng_dossier_full_free(&f);
  f = full_as(r.dossier, at("2026-02-12T09:00"), (eng_actor){"rd-sp", "specialist", "H13.X01", "test"});
  assert_string_equal(offered(&f, "deny")->step, "processing");
  assert_non_null(offered(&f, "approve"));
  /* Past its limit (2 working days from Wed 11 09:00), the step is overdue. */
  eng_dossier_full_free(&f);
  f = full_as(r.dossier, at("2026-02-24T09:00"), reception);
  assert_true(f.open[0].overdue);
  assert_true(f.clock.left_ms < 0 || f.clock.left_ms == 0);
  eng_dossier_full_free(&f);
  mc_buf_free(&form);
}

/* The history: every event as a timeline entry, the reasons as written,
 * who acted by name. */
static void the_history_of_a_supplement(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  household_form(&form);
  official("rd-rc2", "reception", "H13.X02", at("2026-03-02T08:00"));
  eng_command c = submit("2.000575", "H13.X02", &form, "rd-rc2");
  c.submit.channel = "desk";
  c.actor = (eng_actor){"rd-rc2", "reception", "H13.X02", "test"};
  walk_in(&c, "027190007001");
  eng_result r = run(&c, at("2026-03-02T08:00"), 0);
  eng_command ask = act(r.dossier, "request_supplement", "rd-rc2", "reception", "H13.X02");
  ask.act.reason = "Bổ sung Biên bản họp thành viên hộ gia đình";
  run(&ask, at("2026-03-02T09:00"), 0);

  eng_history h;
  assert_int_equal(eng_dossier_history(eng, r.dossier, &h), 0);
  assert_int_equal(h.n, 2);
  assert_string_equal(h.entries[0].type, "dossier.submitted");
  assert_string_equal(h.entries[0].label, "Nộp hồ sơ");
  assert_string_equal(h.entries[1].action, "request_supplement");
  assert_string_equal(h.entries[1].label, "Yêu cầu bổ sung hồ sơ");
  assert_string_equal(h.entries[1].reason, ask.act.reason);
  assert_string_equal(h.entries[1].step, "reception");
  assert_string_equal(h.entries[1].step_title, "Tiếp nhận hồ sơ");
  assert_string_equal(h.entries[1].who, "rd-rc2");
  assert_string_equal(h.entries[1].role, "reception");
  assert_string_equal(h.entries[1].agency, "H13.X02");
  assert_string_equal(h.entries[1].state, "supplement_requested");
  eng_history_free(&h);
  /* While the applicant supplements, the clock waits. */
  eng_dossier_full f = full_as(r.dossier, at("2026-03-03T09:00"), (eng_actor){"rd-rc2", "reception", "H13.X02", "test"});
  assert_string_equal(f.open[0].step, "supplement");
  assert_non_null(offered(&f, "provide_supplement"));
  assert_string_equal(offered(&f, "provide_supplement")->needs, "documents");
  eng_dossier_full_free(&f);
  /* The reason a push carries is the event's. */
  mc_buf reason = MC_BUF_INIT;
  assert_int_equal(eng_event_reason(eng, head(), &reason), 0);
  assert_string_equal(mc_buf_cstr(&reason), ask.act.reason);
  mc_buf_free(&reason);
  mc_buf_free(&form);
}

/* What the table says an action needs, the engine refuses without it. */
static void the_actions_table_agrees_with_the_engine(void **state) {
  (void)state;
  assert_int_equal(eng_action_info_of("reject")->needs, ENG_NEEDS_REASON);
  assert_int_equal(eng_action_info_of("deny")->needs, ENG_NEEDS_REASON);
  assert_int_equal(eng_action_info_of("request_supplement")->needs, ENG_NEEDS_LIST);
  assert_int_equal(eng_action_info_of("stop")->needs, ENG_NEEDS_REASON);
  assert_int_equal(eng_action_info_of("extend")->needs, ENG_NEEDS_DATE);
  assert_null(eng_action_info_of("fly"));
  mc_buf form = MC_BUF_INIT;
  household_form(&form);
  eng_command c = submit("2.000575", "H13.X02", &form, "cd-rd3");
  eng_result r = run(&c, at("2026-03-04T08:00"), 0);
  eng_command reject = act(r.dossier, "reject", "rd-rc3", "reception", "H13.X02");
  refused(&reject, at("2026-03-04T09:00"), MC_EINVAL, "a rejection gives its reasons");
  eng_command ask = act(r.dossier, "request_supplement", "rd-rc3", "reception", "H13.X02");
  refused(&ask, at("2026-03-04T09:00"), MC_EINVAL, "");
  eng_command accept = act(r.dossier, "accept", "rd-rc3", "reception", "H13.X02");
  run(&accept, at("2026-03-04T09:00"), 0);
  eng_command deny = act(r.dossier, "deny", "rd-sp3", "specialist", "H13.X02");
  refused(&deny, at("2026-03-04T10:00"), MC_EINVAL, "a denial gives its reasons");
  mc_buf_free(&form);
}

/* A procedure as a client draws it: steps with roles and limits, actions
 * with labels, needs and where they lead. */
static void a_procedure_for_a_client(void **state) {
  (void)state;
  eng_process_view p;
  assert_int_equal(eng_process_read(eng, "2.000575", NULL, at("2026-03-05T09:00"), &p), 0);
  assert_string_equal(p.name, "Đăng ký thành lập hộ kinh doanh");
  assert_string_equal(p.time, "3 working days");
  assert_string_equal(p.steps[0].name, "reception");
  assert_string_equal(p.steps[0].limit, "8 working hours"); /* the policy's reception_limit */
  assert_string_equal(p.steps[0].actions[1].action, "request_supplement");
  assert_string_equal(p.steps[0].actions[1].needs, "list");
  assert_string_equal(p.steps[0].actions[1].to, "supplement");
  assert_string_equal(p.steps[0].actions[2].to, "rejected");
  char version[65];
  snprintf(version, sizeof version, "%s", p.definition);
  eng_process_free(&p);
  assert_int_equal(eng_process_read(eng, "2.000575", version, at("2026-03-05T09:00"), &p), 0);
  eng_process_free(&p);
  /* A version of another procedure is not this one's; an unknown code is none. */
  assert_int_equal(eng_process_read(eng, "1.001193", version, at("2026-03-05T09:00"), &p), MC_ENOENT);
  assert_int_equal(eng_process_read(eng, "9.999999", NULL, at("2026-03-05T09:00"), &p), MC_ENOENT);
}

typedef struct rows {
  eng_queue_row r[64];
  int n;
} rows;

static int collect(void *opaque, const eng_queue_row *row) {
  rows *x = opaque;
  if (x->n < 64)
    x->r[x->n++] = *row;
  return 0;
}

static rows page(const eng_queue_filter *f, mc_instant now, const char *cursor, int max) {
  rows x = {.n = 0};
  assert_int_equal(eng_queue_page(eng, f, now, cursor, max, collect, &x), 0);
  return x;
}

/* Work queues: an agency's open dossiers by step, ordered by due instant,
 * paged with a cursor that holds while dossiers arrive, filtered, counted;
 * a step done at another agency in that agency's queue; the applicant's own
 * list. */
static void work_queues(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  household_form(&form);
  const char *agency = "H13.X03";
  char codes[4][64];
  /* Four filed an hour apart by one applicant; the second and third accepted. */
  eng_command reg = {.kind = ENG_CMD_ACCOUNT, .actor = {"motcuad", "system", NULL, "test"},
                     .expected_version = STORE_ANY_VERSION,
                     .account = {.op = "register", .id = "027190006001", .kind = "person", .name = "Lò Văn Páo",
                                 .phone = "0912000111"}};
  run(&reg, at("2026-04-01T07:00"), 0);
  for (int i = 0; i < 4; i++) {
    eng_command c = submit("2.000575", agency, &form, "027190006001");
    char t[32];
    snprintf(t, sizeof t, "2026-04-01T%02d:00", 8 + i);
    snprintf(codes[i], 64, "%s", run(&c, at(t), 0).dossier);
  }
  eng_command acc = act(codes[2], "accept", "q-rc", "reception", agency);
  run(&acc, at("2026-04-01T12:00"), 0);
  acc = act(codes[1], "accept", "q-rc", "reception", agency);
  run(&acc, at("2026-04-01T13:00"), 0);
  mc_instant now = at("2026-04-01T14:00");

  /* The whole queue by due instant: reception's 8 working hours from each
   * filing (codes 0 and 3), then processing's 2 working days from acceptance,
   * which end at the same close of office hours (1 and 2, by code). */
  eng_queue_filter all = {.agency = agency};
  rows x = page(&all, now, NULL, 0);
  assert_int_equal(x.n, 4);
  assert_string_equal(x.r[0].code, codes[0]);
  assert_string_equal(x.r[1].code, codes[3]);
  assert_string_equal(x.r[2].code, codes[1]);
  assert_string_equal(x.r[3].code, codes[2]);
  assert_string_equal(x.r[0].step, "reception");
  assert_string_equal(x.r[0].role, "reception");
  assert_string_equal(x.r[0].title, "Tiếp nhận hồ sơ");
  assert_string_equal(x.r[0].applicant_name, "Lò Văn Páo");
  assert_true(x.r[0].due_at > 0 && x.r[0].due_at <= x.r[1].due_at);
  /* Paged two by two; a dossier filed meanwhile (due tomorrow 14:30, after
   * what the first page showed) comes in its place: nothing seen repeats,
   * nothing is skipped. */
  rows p1 = page(&all, now, NULL, 2);
  assert_int_equal(p1.n, 2);
  eng_command late = submit("2.000575", agency, &form, "027190006001");
  char newest[64];
  snprintf(newest, sizeof newest, "%s", run(&late, at("2026-04-01T14:30"), 0).dossier);
  rows p2 = page(&all, now, p1.r[1].cursor, 2);
  assert_int_equal(p2.n, 2);
  assert_string_equal(p2.r[0].code, newest);
  assert_string_equal(p2.r[1].code, codes[1]);
  rows p3 = page(&all, now, p2.r[1].cursor, 2);
  assert_int_equal(p3.n, 1);
  assert_string_equal(p3.r[0].code, codes[2]);
  assert_int_equal(eng_queue_page(eng, &all, now, "zz", 2, collect, &p3), MC_EINVAL);
  /* Filters: by step, by role; overdue once reception's limit passed. */
  eng_queue_filter f = {.agency = agency, .step = "processing"};
  assert_int_equal(page(&f, now, NULL, 0).n, 2);
  f = (eng_queue_filter){.agency = agency, .role = "reception"};
  assert_int_equal(page(&f, now, NULL, 0).n, 3);
  f = (eng_queue_filter){.agency = agency, .overdue = true};
  assert_int_equal(page(&f, now, NULL, 0).n, 0);
  /* Thu 2 Apr at noon: the two filed in the morning of the 1st are past reception's 8 working hours; the one of 14:30 is not. */
  assert_int_equal(page(&f, at("2026-04-02T12:00"), NULL, 0).n, 2);
  /* Assigned to me. */
  official("q-ld", "leader", agency, at("2026-04-01T07:00"));
  official("q-sp", "specialist", agency, at("2026-04-01T07:00"));
  eng_command assign = {.kind = ENG_CMD_ASSIGN, .actor = {"q-ld", "leader", agency, "test"}, .dossier = codes[1],
                        .expected_version = STORE_ANY_VERSION, .assign = {.handler = "q-sp"}};
  run(&assign, at("2026-04-01T14:40"), 0);
  f = (eng_queue_filter){.agency = agency, .handler = "q-sp"};
  x = page(&f, now, NULL, 0);
  assert_int_equal(x.n, 1);
  assert_string_equal(x.r[0].code, codes[1]);
  /* A supplement asked at reception: the dossier waits for the applicant (its
   * clock not started, so not paused); a row whose clock is paused is only in
   * the paused queue. */
  eng_command ask = act(codes[0], "request_supplement", "q-rc", "reception", agency);
  ask.act.reason = "Bổ sung biên bản";
  run(&ask, at("2026-04-01T15:00"), 0);
  f = (eng_queue_filter){.agency = agency, .waiting = true};
  x = page(&f, now, NULL, 0);
  assert_int_equal(x.n, 1);
  assert_string_equal(x.r[0].code, codes[0]);
  assert_string_equal(x.r[0].step, "supplement");
  f.paused = true;
  assert_int_equal(page(&f, now, NULL, 0).n, 0);
  eng_queue_row paused = x.r[0];
  paused.paused_since = at("2026-04-01T15:00");
  assert_true(eng_queue_row_matches(&paused, &f, now));
  f.paused = false;
  assert_false(eng_queue_row_matches(&paused, &f, now));
  eng_queue_counts k;
  assert_int_equal(eng_queue_counts_read(eng, agency, "q-sp", now, &k), 0);
  assert_int_equal(k.open, 5);
  assert_int_equal(k.waiting, 1);
  assert_int_equal(k.mine, 1);
  assert_int_equal(k.steps.n >= 2, 1);
  /* Per state and per role, the open rows counted once each. */
  int states = 0, roles = 0, applicant = 0;
  for (int i = 0; i < k.states.n; i++)
    states += k.states.of[i].n;
  for (int i = 0; i < k.roles.n; i++) {
    roles += k.roles.of[i].n;
    if (!strcmp(k.roles.of[i].name, "applicant"))
      applicant = k.roles.of[i].n;
  }
  assert_int_equal(states, k.open);
  assert_int_equal(roles, k.open);
  assert_int_equal(applicant, k.waiting);
  /* The applicant's own list: all five, newest first. */
  eng_queue_filter mine = {.applicant = "027190006001"};
  x = page(&mine, now, NULL, 0);
  assert_int_equal(x.n, 5);
  assert_string_equal(x.r[0].code, newest);
  /* A dossier's rows as they stand. */
  rows one = {.n = 0};
  assert_int_equal(eng_queue_rows_of(eng, codes[1], collect, &one), 0);
  assert_int_equal(one.n, 1);
  assert_string_equal(one.r[0].handler, "q-sp");
  mc_buf_free(&form);
}

typedef struct hits {
  eng_search_hit h[64];
  int n;
  const char *agency; /* the searcher's: others' hits are left out (NULL: all) */
} hits;

static int hit_kept(void *opaque, const eng_search_hit *hit) {
  hits *x = opaque;
  if (x->agency && strcmp(x->agency, hit->agency))
    return 0;
  if (x->n < 64)
    x->h[x->n++] = *hit;
  return 1;
}

static hits found(const eng_search_query *q, const char *agency, const char *cursor, int max) {
  hits x = {.n = 0, .agency = agency};
  assert_int_equal(eng_search(eng, q, cursor, max, hit_kept, &x), 0);
  return x;
}

/* Search: by name with or without diacritics, id, phone, code, procedure
 * and state over a range of days; paged; only what the searcher may read. */
static void search(void **state) {
  (void)state;
  /* The desk dossiers of "Trần Văn Khách" at X01 and X02 (the tests above), the five of "Lò Văn Páo" at X03. */
  eng_search_query q = {.name = "tran khach"};
  hits x = found(&q, NULL, NULL, 0);
  assert_true(x.n >= 2);
  for (int i = 0; i < x.n; i++)
    assert_string_equal(x.h[i].name, "Trần Văn Khách");
  q = (eng_search_query){.name = "Trần  KHÁCH"};
  assert_int_equal(found(&q, NULL, NULL, 0).n, x.n);
  q = (eng_search_query){.name = "tran kh", .procedure = "2.000575"};
  assert_int_equal(found(&q, NULL, NULL, 0).n, x.n);
  q = (eng_search_query){.name = "tran khach"};
  hits mine = found(&q, "H13.X01", NULL, 0);
  assert_true(mine.n >= 1 && mine.n < x.n);
  q = (eng_search_query){.name = "van pao"};
  assert_int_equal(found(&q, NULL, NULL, 0).n, 5);
  q = (eng_search_query){.name = "khach pao"};
  assert_int_equal(found(&q, NULL, NULL, 0).n, 0);
  q = (eng_search_query){.phone = "0912000111"};
  assert_int_equal(found(&q, NULL, NULL, 0).n, 5);
  q = (eng_search_query){.id_number = "027190007001"};
  assert_true(found(&q, NULL, NULL, 0).n >= 2);
  /* The code, exactly. */
  q = (eng_search_query){.name = "pao"};
  x = found(&q, NULL, NULL, 0);
  char code[64];
  snprintf(code, sizeof code, "%s", x.h[0].code);
  q = (eng_search_query){.code = code};
  x = found(&q, NULL, NULL, 0);
  assert_int_equal(x.n, 1);
  assert_string_equal(x.h[0].code, code);
  /* Received on 1 April, accepted and at processing; then paged two by two. */
  q = (eng_search_query){.received_from = at("2026-04-01T00:00"), .received_to = at("2026-04-01T23:59"),
                         .state = "processing"};
  assert_int_equal(found(&q, NULL, NULL, 0).n, 2);
  q = (eng_search_query){.received_from = at("2026-04-01T00:00"), .received_to = at("2026-04-01T23:59")};
  hits p1 = found(&q, NULL, NULL, 2), p2 = found(&q, NULL, p1.h[1].cursor, 2), p3 = found(&q, NULL, p2.h[1].cursor, 2);
  assert_int_equal(p1.n + p2.n + p3.n, 5);
  assert_string_not_equal(p1.h[0].code, p2.h[0].code);
  assert_int_equal(eng_search(eng, &q, "6b2f", 2, hit_kept, &p3), MC_EINVAL); /* "k/": another search's */
  /* By name, a page at a time: the next page reads the word the first read. */
  q = (eng_search_query){.name = "van pao"};
  hits n1 = found(&q, NULL, NULL, 3), n2 = found(&q, NULL, n1.h[2].cursor, 3);
  assert_int_equal(n1.n + n2.n, 5);
  for (int i = 0; i < n2.n; i++)
    for (int k = 0; k < n1.n; k++)
      assert_string_not_equal(n2.h[i].code, n1.h[k].code);
}

/* A choice on who files (`applicant == organisation`) reads the applicant
 * block's kind: a version of the household business registration sends an
 * organisation's dossier to a check of its own.  Last: it files in 2027. */
static const char *const household_by_kind =
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
    "    on accept -> who\n    on reject -> rejected\n  }\n"
    "  choice who {\n    when applicant == organisation -> firm_check\n    otherwise -> processing\n  }\n"
    "  step firm_check \"Kiểm tra tổ chức\" by specialist within 1 working day state processing {\n"
    "    on approve -> processing\n  }\n"
    "  step processing \"Thẩm định\" by specialist within 2 working days state processing {\n"
    "    on approve -> result\n    on deny -> result\n  }\n"
    "  step result \"Trả kết quả\" by reception within 1 working day state decided {\n"
    "    on return_result -> returned\n  }\n"
    "}\n";

static void a_choice_on_who_files(void **state) {
  (void)state;
  mc_buf bytes = MC_BUF_INIT, form = MC_BUF_INIT;
  compile_procedure("household-by-kind.mc", household_by_kind, "nd118-2025", &bytes);
  eng_command pub = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                     .publish = {.def_kind = ENG_DEF_PROCEDURE, .effective_from = at("2027-06-01T00:00"),
                                 .bytes = {bytes.data, bytes.len}}};
  run(&pub, at("2027-05-31T08:00"), 0);
  household_form(&form);
  const char *kinds[2] = {"person", "organisation"}, *expected[2] = {"processing", "firm_check"};
  for (int i = 0; i < 2; i++) {
    eng_command c = submit("2.000575", "H13.X01", &form, "kc-rc");
    c.submit.channel = "desk";
    c.actor = (eng_actor){"kc-rc", "reception", "H13.X01", "test"};
    mc_buf b = MC_BUF_INIT;
    mc_canon w;
    mc_canon_init(&w, &b);
    mc_canon_map(&w, 3);
    mc_canon_kv_str(&w, "id_number", i ? "2300123456" : "027190007001");
    mc_canon_kv_str(&w, "kind", kinds[i]);
    mc_canon_kv_str(&w, "name", i ? "Công ty TNHH Hạnh Phúc" : "Trần Văn Khách");
    assert_int_equal(mc_canon_finish(&w), 0);
    c.submit.applicant = (eng_bytes){b.data, b.len};
    eng_result r = run(&c, at("2027-06-02T08:00"), 0);
    eng_command acc = act(r.dossier, "accept", "kc-rc", "reception", "H13.X01");
    run(&acc, at("2027-06-02T09:00"), 0);
    eng_dossier_view v;
    assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
    assert_string_equal(v.steps[0], expected[i]);
    mc_buf_free(&b);
  }
  mc_buf_free(&bytes);
  mc_buf_free(&form);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_desk_dossier_in_full),
      cmocka_unit_test(the_history_of_a_supplement),
      cmocka_unit_test(the_actions_table_agrees_with_the_engine),
      cmocka_unit_test(a_procedure_for_a_client),
      cmocka_unit_test(work_queues),
      cmocka_unit_test(search),
      cmocka_unit_test(a_choice_on_who_files),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
