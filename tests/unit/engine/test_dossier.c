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
  refused(&wrong_agency, at("2026-02-11T09:00"), MC_EINVAL, "does not offer the procedure 2.000488");
  eng_command unknown = submit("9.999999", "H13.X01", &bad, "cd-003");
  refused(&unknown, at("2026-02-11T09:00"), MC_ENOENT, "the procedure 9.999999 is not published");
  mc_buf_free(&bad);

  /* Every fault of an e-form at once, each with its field, rule, bounds and
   * what to do in Vietnamese: a page shows each beside its field. */
  mc_buf form = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &form);
  mc_canon_map(&w, 6);
  mc_canon_kv_str(&w, "birth_date", "2026-02-30");
  mc_canon_kv_str(&w, "birth_place", "Bắc Ninh");
  mc_canon_kv_str(&w, "child_name", "");
  mc_canon_kv_int(&w, "copies", 11);
  mc_canon_kv_str(&w, "gender", "Khác");
  mc_canon_kv_str(&w, "nickname", "Bin");
  assert_int_equal(mc_canon_finish(&w), 0);
  eng_command all = submit("1.001193", "H13.X01", &form, "cd-003");
  eng_result r;
  assert_int_equal(eng_execute(eng, &all, 1, at("2026-02-11T09:05"), &r), 0);
  assert_int_equal(r.status, MC_EINVAL);
  /* unknown, then the fields in the procedure's order */
  static const struct {
    const char *field, *rule, *message;
  } want[] = {
      {"form.nickname", "unknown", "Biểu mẫu có trường «nickname» mà thủ tục 1.001193 không có"},
      {"form.child_name", "required", "Hãy nhập «Họ, chữ đệm và tên của trẻ»"},
      {"form.birth_date", "type", "phải là một ngày, viết năm-tháng-ngày"},
      {"form.gender", "values", "«Giới tính» phải là một trong các giá trị: Nam, Nữ."},
      {"form.mother_id", "required", "Hãy nhập «Số định danh cá nhân của mẹ»"},
      {"form.phone", "required", "Hãy nhập «Số điện thoại liên hệ»"},
      {"form.copies", "range", "«Số bản sao giấy khai sinh» phải từ 0 đến 10."},
  };
  assert_int_equal(r.nfields, sizeof want / sizeof want[0]);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    assert_string_equal(r.fields[i].field, want[i].field);
    assert_string_equal(r.fields[i].rule, want[i].rule);
    if (strstr(r.fields[i].message, want[i].message) == NULL)
      fail_msg("%s: \"%s\" does not say \"%s\"", want[i].field, r.fields[i].message, want[i].message);
  }
  assert_int_equal(r.fields[6].min, 0);
  assert_int_equal(r.fields[6].max, 10);
  assert_non_null(strstr(r.message, "the form has a field \"nickname\""));
  /* Each field with its key and its English text; the result has the first's. */
  assert_string_equal(r.key, "field_unknown");
  assert_int_equal(r.kind, ENG_REFUSE_INVALID);
  assert_string_equal(r.message_vi, r.fields[0].message);
  assert_string_equal(r.message, r.fields[0].message_en);
  assert_string_equal(r.fields[1].key, "field_required");
  assert_string_equal(r.fields[1].message_en, "the field \"child_name\" (Họ, chữ đệm và tên của trẻ) is required");
  assert_string_equal(r.fields[3].key, "field_values");
  assert_int_equal(r.fields[3].nvalues, 2);
  assert_string_equal(r.fields[3].values[0], "Nam");
  assert_string_equal(r.fields[3].values[1], "Nữ");
  assert_string_equal(r.fields[6].key, "field_range");
  mc_buf_free(&form);
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
  /* The retry learns the dossier's code, as a client whose reply was lost must. */
  assert_string_equal(again.dossier, first.dossier);
  assert_int_equal(again.version, 1);
  /* An accepted retry tells the appointment too. */
  eng_command acc = act(first.dossier, "accept", "rc-2", "reception", "H13.X02");
  acc.command_id = "official-7";
  eng_result accepted = run(&acc, at("2026-02-12T09:05"), 0);
  eng_result accepted_again = run(&acc, at("2026-02-12T09:06"), 0);
  assert_true(accepted_again.repeated);
  assert_int_equal(accepted_again.version, 2);
  assert_int_equal(accepted_again.appointment_at, accepted.appointment_at);
  eng_command stale = act(first.dossier, "accept", "rc-2", "reception", "H13.X02");
  stale.expected_version = 7;
  refused(&stale, at("2026-02-12T09:10"), MC_ECONFLICT, "is at version 2, not 7");
  /* An id used again for another command is not a retry: the client is not
   * told that this one was done. */
  uint64_t now_head = head();
  eng_command other = act(first.dossier, "request_supplement", "rc-2", "reception", "H13.X02");
  other.command_id = "official-7";
  other.act.reason = "Thiếu giấy chứng sinh";
  refused(&other, at("2026-02-12T09:11"), MC_ECONFLICT, "the command id \"official-7\" was used for another command");
  eng_command elsewhere = submit("1.001193", "H13.X01", &form, "cd-010");
  elsewhere.command_id = "client-42";
  refused(&elsewhere, at("2026-02-12T09:12"), MC_ECONFLICT, "dossier.submitted of dossier/H13.X02-260212-");
  eng_command wrong_dossier = act("H13.X01-260101-9999", "accept", "rc-2", "reception", "H13.X02");
  wrong_dossier.command_id = "official-7";
  refused(&wrong_dossier, at("2026-02-12T09:13"), MC_ECONFLICT, "was used for another command");
  assert_int_equal(head(), now_head);
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
  ask.act.reason = "Bổ sung bản vẽ mặt bằng tầng 2 và giấy tờ đất bản sao có chứng thực";
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
  ask.act.reason = "Thêm một lần nữa";
  refused(&ask, at("2026-03-09T09:00"), MC_EINVAL, "only once");
  /* Extension: once, by a leader, at least a working day before the date. */
  eng_command extend = {.kind = ENG_CMD_EXTEND, .actor = {"ld-3", "leader", "H13.X03", "test"}, .dossier = r.dossier,
                        .expected_version = STORE_ANY_VERSION,
                        .extend = {.reason = "Xin lỗi ông/bà: cần xin ý kiến Sở Xây dựng",
                                   .new_due = at("2026-03-30T17:00")}};
  eng_command by_specialist = extend;
  by_specialist.actor.role = "specialist";
  refused(&by_specialist, at("2026-03-19T09:00"), MC_EACCES, "signed by a leader");
  r = run(&extend, at("2026-03-19T09:00"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-03-30T17:00:00+07:00");
  extend.extend.new_due = at("2026-04-06T17:00");
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
  ask.act.reason = "Thiếu Giấy chứng sinh bản chính";
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
  /* It stopped when the window closed, not when the engine came back. */
  assert_string_equal(iso(v.finished_at), "2026-04-16T17:00:00+07:00");
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
  answer.act.step = "court_check";
  refused(&answer, at("2026-06-03T10:00"), MC_EACCES, "is done at H13.TAND");
  answer.act.step = "police_check";
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
      c.act.reason = "Lý do kiểm thử";
      if ((x >> 40) % 3 == 0)
        c.act.step = (x >> 42) % 2 ? "police_check" : "court_check";
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

/* Who may act for the applicant: online, only the account that filed;
 * for a dossier entered at the desk (no account), reception of its agency
 * and never a stranger with the applicant role. */
static void nobody_acts_for_an_applicant_they_are_not(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912000999");
  eng_command anonymous = submit("1.001193", "H13.X01", &form, "");
  refused(&anonymous, at("2026-11-23T08:00"), MC_EACCES, "from their account");
  char long_id[80];
  memset(long_id, 'a', sizeof long_id - 1);
  long_id[sizeof long_id - 1] = '\0';
  eng_command too_long = submit("1.001193", "H13.X01", &form, long_id);
  refused(&too_long, at("2026-11-23T08:00"), MC_EINVAL, "longer than 63 bytes");

  eng_command walk_in_cmd = submit("1.001193", "H13.X01", &form, "lan");
  walk_in_cmd.submit.channel = "desk";
  walk_in(&walk_in_cmd, "027190003456");
  walk_in_cmd.actor = (eng_actor){"lan", "reception", "H13.X01", "test"};
  eng_result r = run(&walk_in_cmd, at("2026-11-23T08:00"), 0);
  eng_command ask = act(r.dossier, "request_supplement", "lan", "reception", "H13.X01");
  ask.act.reason = "Bổ sung giấy chứng sinh bản chính";
  run(&ask, at("2026-11-23T09:00"), 0);
  eng_command stranger = act(r.dossier, "provide_supplement", "mallory", "applicant", NULL);
  refused(&stranger, at("2026-11-23T09:30"), MC_EACCES, "reception of H13.X01 acts for the applicant");
  eng_command other_desk = act(r.dossier, "provide_supplement", "tu", "reception", "H13.X02");
  refused(&other_desk, at("2026-11-23T09:30"), MC_EACCES, "is done at H13.X01");
  eng_command withdraw = {.kind = ENG_CMD_WITHDRAW, .actor = {"mallory", "applicant", NULL, "test"},
                          .dossier = r.dossier, .expected_version = STORE_ANY_VERSION};
  refused(&withdraw, at("2026-11-23T09:30"), MC_EACCES, "withdrawn by its applicant");
  eng_command provide = act(r.dossier, "provide_supplement", "lan", "reception", "H13.X01");
  run(&provide, at("2026-11-23T09:40"), 0);

  /* Once accepted, a dossier is not "rejected at reception". */
  eng_command accept = act(r.dossier, "accept", "lan", "reception", "H13.X01");
  run(&accept, at("2026-11-23T10:00"), 0);
  eng_command online = submit("1.001193", "H13.X01", &form, "cd-77");
  eng_result r2 = run(&online, at("2026-11-23T10:05"), 0);
  eng_command reject = act(r2.dossier, "reject", "lan", "reception", "H13.X01");
  refused(&reject, at("2026-11-23T10:10"), MC_EINVAL, "a rejection gives its reasons");

  /* A stranger cannot rate it, nor can a long id lock out its handler. */
  eng_command rate = {.kind = ENG_CMD_RATE, .actor = {"mallory", "applicant", NULL, "test"}, .dossier = r2.dossier,
                      .expected_version = STORE_ANY_VERSION, .rate = {.rating = 1}};
  refused(&rate, at("2026-11-23T10:10"), MC_EACCES, "rated by the applicant of");
  eng_command assign = {.kind = ENG_CMD_ASSIGN, .actor = {"binh", "leader", "H13.X01", "test"}, .dossier = r.dossier,
                        .expected_version = STORE_ANY_VERSION, .assign = {.handler = long_id}};
  refused(&assign, at("2026-11-23T10:10"), MC_EINVAL, "longer than 63 bytes");

  /* An extension promises a working day, due at its close. */
  mc_buf record = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &record);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "citizen", "027190003131");
  mc_canon_kv_str(&w, "full_name", "Vũ Thị Mai");
  mc_canon_kv_str(&w, "kind", "Phiếu số 1");
  mc_canon_kv_str(&w, "purpose", "Xin việc");
  assert_int_equal(mc_canon_finish(&w), 0);
  eng_command filed = submit("2.000488", "H13.STP", &record, "cd-78");
  eng_result r3 = run(&filed, at("2026-11-23T10:30"), 0);
  eng_command acc3 = act(r3.dossier, "accept", "rc-s", "reception", "H13.STP");
  r3 = run(&acc3, at("2026-11-23T10:40"), 0);
  /* 10 calendar days from Mon 23 Nov: Thu 3 Dec, at the close. */
  assert_string_equal(iso(r3.appointment_at), "2026-12-03T17:00:00+07:00");
  mc_buf_free(&record);
  eng_command extend = {.kind = ENG_CMD_EXTEND, .actor = {"giam-doc", "leader", "H13.STP", "test"},
                        .dossier = r3.dossier, .expected_version = STORE_ANY_VERSION,
                        .extend = {.reason = "Xin lỗi: cần xác minh thêm", .new_due = at("2026-12-06T03:00")}};
  refused(&extend, at("2026-11-23T11:00"), MC_EINVAL, "the new date 2026-12-06 is a weekend: choose a working day");
  extend.extend.new_due = at("2026-12-08T03:00");
  eng_result ext = run(&extend, at("2026-11-23T11:00"), 0);
  assert_string_equal(iso(ext.appointment_at), "2026-12-08T17:00:00+07:00");

  /* Stopping is for accepted, undecided dossiers. */
  eng_command stop = {.kind = ENG_CMD_STOP, .actor = {"binh", "leader", "H13.X01", "test"}, .dossier = r2.dossier,
                      .expected_version = STORE_ANY_VERSION, .stop = {.reason = "Trùng hồ sơ"}};
  refused(&stop, at("2026-11-23T10:20"), MC_EINVAL, "not accepted yet");
  mc_buf_free(&form);
}

/* Input methods send decomposed Vietnamese: the form is checked as it is
 * stored, in NFC; an oversized form or text is refused, not stored. */
static void decomposed_input_is_checked_as_stored(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &f);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "citizen", "027190001212");
  mc_canon_kv_str(&w, "full_name", "Nguyen Van A");
  mc_canon_kv_str(&w, "licence_no", "AB121212");
  /* "Việt Nam" with the accents as combining marks, written raw (mc_canon
   * would compose it): e + combining dot below + combining circumflex. */
  mc_canon_key(&w, "origin");
  mc_canon_nil(&w);
  assert_int_equal(mc_canon_finish(&w), 0);
  /* Replace the nil with the raw decomposed string. */
  static const char nfd[] = "Vie\xcc\xa3\xcc\x82t Nam";
  assert_int_equal(f.data[f.len - 1], 0xc0);
  f.len--;
  mc_buf_append_byte(&f, (uint8_t)(0xa0 | (sizeof nfd - 1)));
  mc_buf_append(&f, nfd, sizeof nfd - 1);
  eng_command c = submit("1.002835", "H13.CA", &f, "cd-88");
  eng_result r = run(&c, at("2026-11-23T11:00"), 0);
  assert_true(r.dossier[0] != '\0');

  mc_buf big = MC_BUF_INIT;
  mc_canon_init(&w, &big);
  mc_canon_map(&w, 1);
  mc_canon_key(&w, "full_name");
  char *text = malloc(70000);
  memset(text, 'x', 69999);
  text[69999] = '\0';
  mc_canon_cstr(&w, text);
  assert_int_equal(mc_canon_finish(&w), 0);
  eng_command huge = submit("1.002835", "H13.CA", &big, "cd-88");
  refused(&huge, at("2026-11-23T11:00"), MC_ETOOBIG, "larger than 64 KiB");
  eng_command deny = act(r.dossier, "reject", "pv", "reception", "H13.CA");
  deny.act.reason = text;
  refused(&deny, at("2026-11-23T11:10"), MC_ETOOBIG, "longer than 8192 bytes");
  free(text);
  mc_buf_free(&big);
  mc_buf_free(&f);
}

/* A procedure is an agency's; policies, calendars and the directory apply
 * province-wide and need the system administrator. */
static void province_wide_definitions_need_the_system_admin(void **state) {
  (void)state;
  static const uint8_t nil = 0xc0;
  eng_command pub = {.kind = ENG_CMD_PUBLISH, .actor = {"ha", "agency_admin", "H13.X01", "test"},
                     .publish = {.def_kind = ENG_DEF_POLICY, .bytes = {&nil, 1}}};
  refused(&pub, at("2026-11-23T12:00"), MC_EACCES, "the policy applies province-wide");
  pub.publish.def_kind = ENG_DEF_DIRECTORY;
  refused(&pub, at("2026-11-23T12:00"), MC_EACCES, "province-wide");
  pub.publish.def_kind = ENG_DEF_CALENDAR;
  refused(&pub, at("2026-11-23T12:00"), MC_EACCES, "province-wide");
  pub.actor.role = "specialist";
  refused(&pub, at("2026-11-23T12:00"), MC_EACCES, "needs the system_admin or agency_admin role");
  eng_command retire = {.kind = ENG_CMD_RETIRE, .actor = {"ha", "agency_admin", "H13.X01", "test"},
                        .retire = {.def_kind = ENG_DEF_POLICY, .id = "nd118-2025",
                                   .effective_from = at("2027-01-01T00:00")}};
  refused(&retire, at("2026-11-23T12:00"), MC_EACCES, "province-wide");
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
      cmocka_unit_test(nobody_acts_for_an_applicant_they_are_not),
      cmocka_unit_test(decomposed_input_is_checked_as_stored),
      cmocka_unit_test(province_wide_definitions_need_the_system_admin),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
