/* test_dossier.c — the engine over the bundled workflows: dossiers move
 * through their compiled process on a test clock, and every refusal appends
 * nothing.  Birth registration end to end (appointment with the 15:00
 * cut-off, on-time classification), refusals by role, step and action, the
 * supplement asked once with the clock restarting (NĐ118 Art. 19.5), the
 * supplement window expiring through a timer (fired once, with its due
 * instant, also after a restart), the judicial record's parallel branches,
 * extension once, withdrawal, idempotent retries and stale versions. */
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
#include "engine/writer.h"

#include <dirent.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "fixture.h"

static void birth_registration_end_to_end(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912345678");
  eng_command c = submit("1.001193", "H13.X01", &form, "cd-001");
  eng_result r = run(&c, at("2026-02-10T09:00"), 0);
  assert_string_equal(r.dossier, "H13.X01-260210-0001");
  assert_int_equal(r.version, 1);
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "submitted");
  assert_int_equal(v.nsteps, 1);
  assert_string_equal(v.steps[0], "reception");
  /* A second dossier the same day at the same commune gets the next number. */
  eng_command c2 = submit("1.001193", "H13.X01", &form, "cd-002");
  assert_string_equal(run(&c2, at("2026-02-10T09:05"), 0).dossier, "H13.X01-260210-0002");

  /* Refusals append nothing. */
  eng_command wrong_role = act(r.dossier, "accept", "sp-1", "specialist", "H13.X01");
  refused(&wrong_role, at("2026-02-10T09:30"), MC_EACCES, "is done by reception, not by specialist");
  eng_command wrong_agency = act(r.dossier, "accept", "rc-9", "reception", "H13.X02");
  refused(&wrong_agency, at("2026-02-10T09:30"), MC_EACCES, "is done at H13.X01");
  eng_command wrong_action = act(r.dossier, "approve", "rc-1", "reception", "H13.X01");
  refused(&wrong_action, at("2026-02-10T09:30"), MC_EINVAL, "allows accept, request_supplement, reject; not \"approve\"");
  eng_command nobody = act("H13.X01-260210-9999", "accept", "rc-1", "reception", "H13.X01");
  refused(&nobody, at("2026-02-10T09:30"), MC_ENOENT, "there is no dossier H13.X01-260210-9999");

  /* Accepted at 10:00: a same-day procedure is due at 17:00 the same day. */
  eng_command accept = act(r.dossier, "accept", "rc-1", "reception", "H13.X01");
  r = run(&accept, at("2026-02-10T10:00"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-02-10T17:00:00+07:00");
  eng_command approve = act(r.dossier, "approve", "sp-1", "specialist", "H13.X01");
  run(&approve, at("2026-02-10T11:00"), 0);
  eng_command sign = act(r.dossier, "approve", "ld-1", "leader", "H13.X01");
  run(&sign, at("2026-02-10T14:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "decided");
  assert_string_equal(v.outcome, "approved");
  assert_string_equal(v.classification, "on_time");
  eng_command withdraw = {.kind = ENG_CMD_WITHDRAW, .actor = {"cd-001", "applicant", NULL, "test"},
                          .dossier = r.dossier, .expected_version = STORE_ANY_VERSION};
  refused(&withdraw, at("2026-02-10T15:00"), MC_EINVAL, "can no longer be withdrawn");
  eng_command ret = act(r.dossier, "return_result", "rc-1", "reception", "H13.X01");
  run(&ret, at("2026-02-10T16:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "returned");
  assert_int_equal(v.nsteps, 0);
  refused(&ret, at("2026-02-10T16:10"), MC_EINVAL, "is returned: nothing more can be done");
  mc_buf_free(&form);
}

static void the_form_is_checked(void **state) {
  (void)state;
  mc_buf bad = MC_BUF_INIT;
  birth_form(&bad, "12345");
  eng_command c = submit("1.001193", "H13.X01", &bad, "cd-003");
  refused(&c, at("2026-02-11T09:00"), MC_EINVAL, "\"phone\" (Số điện thoại liên hệ) must be a phone number");
  eng_command wrong_agency = submit("2.000488", "H13.X01", &bad, "cd-003");
  refused(&wrong_agency, at("2026-02-11T09:00"), MC_EACCES, "does not offer the procedure 2.000488");
  eng_command unknown = submit("9.999999", "H13.X01", &bad, "cd-003");
  refused(&unknown, at("2026-02-11T09:00"), MC_ENOENT, "the procedure 9.999999 is not published");
  mc_buf_free(&bad);
}

static void idempotent_retry_and_stale_version(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912345678");
  eng_command c = submit("1.001193", "H13.X02", &form, "cd-010");
  c.command_id = "client-42";
  eng_result first = run(&c, at("2026-02-12T09:00"), 0);
  uint64_t before = head();
  eng_result again = run(&c, at("2026-02-12T09:01"), 0);
  assert_true(again.repeated);
  assert_int_equal(again.first_seq, first.first_seq);
  assert_int_equal(head(), before);
  eng_command stale = act(first.dossier, "accept", "rc-2", "reception", "H13.X02");
  stale.expected_version = 7;
  refused(&stale, at("2026-02-12T09:10"), MC_ECONFLICT, "is at version 1, not 7");
  mc_buf_free(&form);
}

/* House permit: 15 calendar days; the supplement restarts the clock (nd118). */
static void supplement_restarts_the_clock_and_is_asked_once(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &form);
  mc_canon_map(&w, 5);
  mc_canon_kv_int(&w, "floor_area", 180);
  mc_canon_kv_int(&w, "floors", 3);
  mc_canon_kv_str(&w, "owner_id", "027190005678");
  mc_canon_kv_str(&w, "owner_name", "Trần Văn Bình");
  mc_canon_kv_str(&w, "parcel", "Thửa 12, tờ bản đồ 5");
  assert_int_equal(mc_canon_finish(&w), 0);
  eng_command c = submit("1.009995", "H13.X03", &form, "cd-020");
  eng_result r = run(&c, at("2026-03-02T08:00"), 0);
  eng_command accept = act(r.dossier, "accept", "rc-3", "reception", "H13.X03");
  r = run(&accept, at("2026-03-02T09:00"), 0);
  /* Mon 2 Mar + 15 days = Tue 17 Mar 17:00 */
  assert_string_equal(iso(r.appointment_at), "2026-03-17T17:00:00+07:00");
  eng_command ask = act(r.dossier, "request_supplement", "sp-3", "specialist", "H13.X03");
  refused(&ask, at("2026-03-04T09:00"), MC_EINVAL, "lists everything the applicant must supply");
  ask.reason = "Bổ sung bản vẽ mặt bằng tầng 2 và giấy tờ đất bản sao có chứng thực";
  run(&ask, at("2026-03-04T09:00"), 0);
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "supplement_requested");
  assert_true(v.supplement_used);
  assert_true(v.paused_since != 0);
  eng_command provide = act(r.dossier, "provide_supplement", "cd-999", "applicant", NULL);
  refused(&provide, at("2026-03-06T10:00"), MC_EACCES, "only the applicant of");
  provide.actor.who = "cd-020";
  r = run(&provide, at("2026-03-06T10:00"), 0);
  /* Restarted from zero at Fri 6 Mar: + 15 days = Sat 21 Mar, a day off -> Mon 23 Mar 17:00 */
  assert_string_equal(iso(r.appointment_at), "2026-03-23T17:00:00+07:00");
  run(&accept, at("2026-03-06T11:00"), 0);
  ask.reason = "Thêm một lần nữa";
  refused(&ask, at("2026-03-09T09:00"), MC_EINVAL, "only once");
  /* Extension: once, by a leader, at least a working day before the date. */
  eng_command extend = {.kind = ENG_CMD_EXTEND, .actor = {"ld-3", "leader", "H13.X03", "test"},
                        .dossier = r.dossier, .expected_version = STORE_ANY_VERSION,
                        .reason = "Xin lỗi ông/bà: cần xin ý kiến Sở Xây dựng", .new_due = at("2026-03-30T17:00")};
  eng_command by_specialist = extend;
  by_specialist.actor.role = "specialist";
  refused(&by_specialist, at("2026-03-19T09:00"), MC_EACCES, "signed by a leader");
  r = run(&extend, at("2026-03-19T09:00"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-03-30T17:00:00+07:00");
  extend.new_due = at("2026-04-06T17:00");
  refused(&extend, at("2026-03-20T09:00"), MC_EINVAL, "may be reset only once");
  mc_buf_free(&form);
}

/* The supplement window (15 days) expires: the dossier stops, once. */
static void supplement_window_expires_through_a_timer(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0987654321");
  eng_command c = submit("1.001193", "H13.X02", &form, "cd-030");
  eng_result r = run(&c, at("2026-04-01T09:00"), 0);
  eng_command ask = act(r.dossier, "request_supplement", "rc-2", "reception", "H13.X02");
  ask.reason = "Thiếu Giấy chứng sinh bản chính";
  run(&ask, at("2026-04-01T10:00"), 0);
  mc_instant due;
  bool any;
  assert_int_equal(eng_next_due(eng, &due, &any), 0);
  assert_true(any);
  /* Nothing is due yet on 10 April. */
  int fired;
  assert_int_equal(eng_fire_due(eng, at("2026-04-10T09:00"), &fired), 0);
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "supplement_requested");
  /* The engine was down from 10 April to 5 May: caught up at start. */
  eng_close(eng);
  mc_buf why = MC_BUF_INIT;
  assert_int_equal(eng_open(fx_dir, NULL, &eng, &why), 0);
  mc_buf_free(&why);
  assert_int_equal(eng_fire_due(eng, at("2026-05-05T08:00"), &fired), 0);
  assert_true(fired >= 1);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "stopped");
  /* Fired exactly once: firing again appends nothing for it. */
  uint64_t before = head();
  assert_int_equal(eng_fire_due(eng, at("2026-05-05T08:01"), &fired), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_string_equal(v.state, "stopped");
  assert_int_equal(head(), before + (uint64_t)fired);
  /* The event records the instant it was due: 1 Apr 10:00 + 15 days = Thu 16 Apr 17:00. */
  store_read *rd;
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  store_event ev;
  char stream[96];
  snprintf(stream, sizeof stream, "dossier/%s", r.dossier);
  uint64_t seq = 0;
  uint8_t hash[32];
  store_read_head(rd, &seq, hash);
  bool found = false;
  for (uint64_t s = seq; s > 0 && !found; s--) {
    assert_int_equal(store_read_event(rd, s, &ev), 0);
    if (ev.type.len == strlen("dossier.timed_out") && !memcmp(ev.type.ptr, "dossier.timed_out", ev.type.len) &&
        ev.stream.len == strlen(stream) && !memcmp(ev.stream.ptr, stream, ev.stream.len))
      found = true;
  }
  assert_true(found);
  assert_int_equal(ev.time, at("2026-05-05T08:00"));
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  assert_int_equal(msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off), MSGPACK_UNPACK_SUCCESS);
  const msgpack_object *what = NULL;
  for (uint32_t i = 0; i < u.data.via.map.size; i++)
    if (u.data.via.map.ptr[i].key.via.str.size == 4 && !memcmp(u.data.via.map.ptr[i].key.via.str.ptr, "what", 4))
      what = &u.data.via.map.ptr[i].val;
  assert_non_null(what);
  int64_t due_at = 0;
  for (uint32_t i = 0; i < what->via.map.size; i++)
    if (what->via.map.ptr[i].key.via.str.size == 6 && !memcmp(what->via.map.ptr[i].key.via.str.ptr, "due_at", 6))
      due_at = (int64_t)what->via.map.ptr[i].val.via.u64;
  /* 1 Apr 10:00 + 15 days = Thu 16 Apr, the close of office hours. */
  assert_string_equal(iso(due_at), "2026-04-16T17:00:00+07:00");
  msgpack_unpacked_destroy(&u);
  store_read_end(rd);
  mc_buf_free(&form);
}

/* The judicial record: the police and the court work in parallel; the
 * Department of Justice goes on when both have answered. */
static void parallel_branches_join(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &form);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "citizen", "027190009999");
  mc_canon_kv_str(&w, "full_name", "Lê Thị Cúc");
  mc_canon_kv_str(&w, "kind", "Phiếu số 1");
  mc_canon_kv_str(&w, "purpose", "Xin việc");
  assert_int_equal(mc_canon_finish(&w), 0);
  eng_command c = submit("2.000488", "H13.STP", &form, "cd-040");
  eng_result r = run(&c, at("2026-06-01T09:00"), 0);
  eng_command accept = act(r.dossier, "accept", "rc-s", "reception", "H13.STP");
  run(&accept, at("2026-06-01T10:00"), 0);
  eng_command lookup = act(r.dossier, "complete", "sp-s", "specialist", "H13.STP");
  run(&lookup, at("2026-06-02T10:00"), 0);
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.nsteps, 2);
  eng_command answer = act(r.dossier, "answer", "ca-1", "specialist", "H13.CA");
  refused(&answer, at("2026-06-03T10:00"), MC_EINVAL, "is at several steps (police_check, court_check): say which");
  answer.step = "court_check";
  refused(&answer, at("2026-06-03T10:00"), MC_EACCES, "is done at H13.TAND");
  answer.step = "police_check";
  run(&answer, at("2026-06-03T10:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.nsteps, 1);
  assert_string_equal(v.steps[0], "court_check");
  eng_command court = act(r.dossier, "answer", "ta-1", "specialist", "H13.TAND");
  run(&court, at("2026-06-04T10:00"), 0);
  assert_int_equal(eng_dossier_get(eng, r.dossier, &v), 0);
  assert_int_equal(v.nsteps, 1);
  assert_string_equal(v.steps[0], "drafting");
  mc_buf_free(&form);
}

/* ============================================================ random commands */

/* Thousands of random commands — most refused, many taken — with timers
 * fired at random moments; then the projections kept incrementally must
 * equal a rebuild from the log (store_verify rebuilds and compares). */
static void projections_equal_a_rebuild_after_random_commands(void **state) {
  (void)state;
  static const char *const actions[] = {"accept", "reject", "request_supplement", "provide_supplement",
                                        "approve", "deny", "complete", "answer", "return_result",
                                        "hand_to_post"};
  static const struct { const char *role, *agency; } actors[] = {
      {"reception", "H13.X01"}, {"specialist", "H13.X01"}, {"leader", "H13.X01"},
      {"reception", "H13.STP"}, {"specialist", "H13.STP"}, {"leader", "H13.STP"},
      {"specialist", "H13.CA"}, {"specialist", "H13.TAND"}, {"applicant", NULL}};
  char codes[400][64];
  int ncodes = 0, taken = 0;
  uint64_t x = 0x2545F4914F6CDD1Du;
  mc_buf birth = MC_BUF_INIT, record = MC_BUF_INIT;
  birth_form(&birth, "0912555666");
  mc_canon w;
  mc_canon_init(&w, &record);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "citizen", "027190001111");
  mc_canon_kv_str(&w, "full_name", "Phạm Văn Dũng");
  mc_canon_kv_str(&w, "kind", "Phiếu số 2");
  mc_canon_kv_str(&w, "purpose", "Du học");
  assert_int_equal(mc_canon_finish(&w), 0);
  mc_instant now = at("2026-08-03T08:00");
  for (int i = 0; i < 1500; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    now += (mc_instant)(x % (3 * MC_MS_PER_HOUR));
    eng_command c;
    if (ncodes == 0 || x % 7 == 0) {
      bool jr = (x >> 8) % 2;
      c = submit(jr ? "2.000488" : "1.001193", jr ? "H13.STP" : "H13.X01", jr ? &record : &birth, "cd-r");
    } else if (x % 29 == 0) {
      int fired;
      assert_int_equal(eng_fire_due(eng, now, &fired), 0);
      continue;
    } else {
      int a = (int)((x >> 16) % 9);
      c = act(codes[(x >> 24) % (uint64_t)ncodes], actions[(x >> 32) % 10], "someone", actors[a].role,
              actors[a].agency);
      if (a == 8)
        c.actor.who = "cd-r";
      c.reason = "Lý do kiểm thử";
      if ((x >> 40) % 3 == 0)
        c.step = (x >> 42) % 2 ? "police_check" : "court_check";
    }
    eng_result r;
    assert_int_equal(eng_execute(eng, &c, 1, now, &r), 0);
    if (r.status == 0 && c.kind == ENG_CMD_SUBMIT && ncodes < 400)
      snprintf(codes[ncodes++], sizeof codes[0], "%s", r.dossier);
    taken += r.status == 0;
  }
  assert_true(taken > 100);
  store_verify_report report;
  memset(&report, 0, sizeof report);
  store_verify_options vo = {0};
  assert_int_equal(store_verify(eng_store(eng), &vo, &report), 0);
  if (report.problems)
    fail_msg("verify found %d problems:\n%s", report.problems, mc_buf_cstr(&report.text));
  mc_buf_free(&report.text);
  mc_buf_free(&birth);
  mc_buf_free(&record);
}

/* ============================================================ the writer thread */

#define WRITER_THREADS 4
#define PER_THREAD 40

typedef struct submitted {
  pthread_mutex_t mu;
  int done, failed;
  char codes[WRITER_THREADS * PER_THREAD][64];
} submitted;

static submitted sub = {PTHREAD_MUTEX_INITIALIZER, 0, 0, {{0}}};
static eng_writer *writer;
static mc_buf writer_form = MC_BUF_INIT;

static mc_instant test_clock(void *opaque) {
  (void)opaque;
  return at("2026-07-01T09:00");
}

static void on_done(void *opaque, const eng_command *cmd, const eng_result *r) {
  (void)opaque;
  pthread_mutex_lock(&sub.mu);
  if (r->status == 0)
    snprintf(sub.codes[sub.done], sizeof sub.codes[0], "%s", r->dossier);
  else
    sub.failed++;
  sub.done++;
  pthread_mutex_unlock(&sub.mu);
  free((void *)cmd);
}

static void *submitter(void *arg) {
  const char *agency = arg;
  for (int i = 0; i < PER_THREAD; i++) {
    eng_command *c = malloc(sizeof *c);
    *c = submit("1.001193", agency, &writer_form, "cd-w");
    assert_int_equal(eng_writer_submit(writer, c, on_done, NULL), 0);
  }
  return NULL;
}

static void writer_groups_commands_from_many_threads(void **state) {
  (void)state;
  static const char *const agencies[WRITER_THREADS] = {"H13.X01", "H13.X02", "H13.X03", "H13.X01"};
  pthread_t threads[WRITER_THREADS];
  eng_writer_options opt = {0, test_clock, NULL};
  birth_form(&writer_form, "0912000111");
  assert_int_equal(eng_writer_start(eng, &opt, &writer), 0);
  for (int i = 0; i < WRITER_THREADS; i++)
    pthread_create(&threads[i], NULL, submitter, (void *)agencies[i]);
  for (int i = 0; i < WRITER_THREADS; i++)
    pthread_join(threads[i], NULL);
  eng_writer_stats stats;
  eng_writer_stop(writer); /* finishes what is queued */
  writer = NULL;
  assert_int_equal(sub.done, WRITER_THREADS * PER_THREAD);
  assert_int_equal(sub.failed, 0);
  /* Every code unique; H13.X01 got 80 consecutive numbers. */
  for (int i = 0; i < sub.done; i++)
    for (int k = 0; k < i; k++)
      assert_string_not_equal(sub.codes[i], sub.codes[k]);
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, "H13.X01-260701-0080", &v), 0);
  assert_int_equal(eng_dossier_get(eng, "H13.X01-260701-0081", &v), MC_ENOENT);
  (void)stats;
  mc_buf_free(&writer_form);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(birth_registration_end_to_end),
      cmocka_unit_test(the_form_is_checked),
      cmocka_unit_test(idempotent_retry_and_stale_version),
      cmocka_unit_test(supplement_restarts_the_clock_and_is_asked_once),
      cmocka_unit_test(supplement_window_expires_through_a_timer),
      cmocka_unit_test(parallel_branches_join),
      cmocka_unit_test(writer_groups_commands_from_many_threads),
      cmocka_unit_test(projections_equal_a_rebuild_after_random_commands),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
