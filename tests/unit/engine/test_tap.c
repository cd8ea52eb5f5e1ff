/* test_tap.c — the engine's tap (engine.h, eng_set_tap; engine/tap.c): after
 * each committed batch the host gets exactly the events the batch appended,
 * in the order of the log — none of a refused command, nothing for a batch
 * that appended nothing or a retry — each dossier event as
 * eng_event_view_of reads it back from the log (the whole dossier after it),
 * any other with its type, seq, time and subject; the timers' firings too;
 * without a tap nothing reaches any callback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "engine/engine.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct collector {
  eng_event_view *v;
  int n, cap;
  int calls;
} collector;

static void collect(void *opaque, const eng_event_view *events, int n) {
  collector *k = opaque;
  assert_true(n > 0); /* a batch that appended nothing is not handed over */
  if (k->n + n > k->cap) {
    k->cap = (k->n + n) * 2;
    k->v = realloc(k->v, (size_t)k->cap * sizeof *k->v);
    assert_non_null(k->v);
  }
  memcpy(k->v + k->n, events, (size_t)n * sizeof *events);
  k->n += n;
  k->calls++;
}

static void collector_free(collector *k) {
  free(k->v);
  memset(k, 0, sizeof *k);
}

#define SAME_STR(field)                                                                                       \
  do {                                                                                                        \
    if (strcmp(tap->field, back->field))                                                                      \
      fail_msg("seq %llu: " #field " tapped \"%s\", read back \"%s\"", (unsigned long long)back->seq, tap->field, \
               back->field);                                                                                  \
  } while (0)
#define SAME_INT(field)                                                                                       \
  do {                                                                                                        \
    if ((long long)tap->field != (long long)back->field)                                                      \
      fail_msg("seq %llu: " #field " tapped %lld, read back %lld", (unsigned long long)back->seq,             \
               (long long)tap->field, (long long)back->field);                                                \
  } while (0)

/* The tapped view is the one read back from the log, field by field. */
static void same_view(const eng_event_view *tap, const eng_event_view *back) {
  SAME_INT(seq);
  SAME_INT(time);
  SAME_STR(type);
  SAME_STR(action);
  SAME_STR(step);
  SAME_STR(applicant);
  SAME_STR(subject);
  SAME_STR(dossier.code);
  SAME_STR(dossier.procedure);
  SAME_STR(dossier.agency);
  SAME_STR(dossier.state);
  SAME_INT(dossier.version);
  SAME_INT(dossier.nsteps);
  for (int i = 0; i < back->dossier.nsteps; i++)
    SAME_STR(dossier.steps[i]);
  SAME_INT(dossier.submitted_at);
  SAME_INT(dossier.accepted_at);
  SAME_INT(dossier.appointment_at);
  SAME_INT(dossier.decided_at);
  SAME_INT(dossier.finished_at);
  SAME_INT(dossier.paused_since);
  SAME_INT(dossier.supplement_used);
  SAME_INT(dossier.extended);
  SAME_INT(dossier.supplement_late);
  SAME_STR(dossier.outcome);
  SAME_STR(dossier.handler);
  SAME_INT(dossier.nco_handlers);
  for (int i = 0; i < back->dossier.nco_handlers; i++)
    SAME_STR(dossier.co_handlers[i]);
  SAME_INT(dossier.rating);
  SAME_INT(dossier.fee_paid);
  SAME_INT(dossier.refunded);
  SAME_STR(dossier.classification);
}

typedef struct seqs {
  uint64_t *seq;
  int n, cap;
} seqs;

static int note_seq(void *opaque, const store_event *ev) {
  seqs *s = opaque;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    s->seq = realloc(s->seq, (size_t)s->cap * sizeof *s->seq);
    assert_non_null(s->seq);
  }
  s->seq[s->n++] = ev->seq;
  return 0;
}

/* The events tapped from k->v[from] on are exactly those of the log after
 * `before`, in its order, each as the log has it.  Returns how many. */
static int tapped_is_the_log(const collector *k, int from, uint64_t before) {
  uint64_t now = head();
  int n = k->n - from;
  assert_int_equal((uint64_t)n, now - before);
  if (n == 0)
    return 0;
  seqs s = {0};
  assert_int_equal(store_log_each(eng_store(eng), before + 1, now, 100, note_seq, &s), 0);
  assert_int_equal(s.n, n);
  store_read *rd;
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  for (int i = 0; i < n; i++) {
    const eng_event_view *tap = &k->v[from + i];
    assert_int_equal(tap->seq, s.seq[i]);
    store_event ev;
    assert_int_equal(store_read_event(rd, tap->seq, &ev), 0);
    eng_event_view back;
    int rc = eng_event_view_of(eng, &ev, &back);
    if (rc == MC_ENOENT) {
      /* Another stream's event: its type, seq, time and what follows its kind. */
      const char *slash = memchr(ev.stream.ptr, '/', ev.stream.len);
      size_t at = slash ? (size_t)(slash - ev.stream.ptr) + 1 : 0;
      memset(&back, 0, sizeof back);
      snprintf(back.type, sizeof back.type, "%.*s", (int)ev.type.len, ev.type.ptr);
      snprintf(back.subject, sizeof back.subject, "%.*s", (int)(ev.stream.len - at), ev.stream.ptr + at);
      back.seq = ev.seq;
      back.time = ev.time;
      assert_string_equal(tap->dossier.code, "");
    } else {
      assert_int_equal(rc, 0);
      assert_true(strncmp(tap->type, "dossier.", 8) == 0);
      assert_string_equal(tap->subject, "");
      /* The version is the stream's. */
      assert_int_equal(tap->dossier.version, ev.version);
    }
    same_view(tap, &back);
  }
  store_read_end(rd);
  free(s.seq);
  return n;
}

static collector col;

static int teardown_tap(void **state) {
  eng_set_tap(eng, NULL, NULL);
  collector_free(&col);
  return fx_teardown(state);
}

/* ============================================================ commands */

static void a_batch_hands_over_what_its_commands_appended(void **state) {
  (void)state;
  eng_set_tap(eng, collect, &col);
  mc_buf f = MC_BUF_INIT, g = MC_BUF_INIT;
  birth_form(&f, "0912000111");
  birth_form(&g, "0912000222");

  /* One submission: its events, in one call. */
  uint64_t before = head();
  eng_command s1 = submit("1.001193", "H13.X01", &f, "027190005555");
  eng_result r1 = run(&s1, at("2026-05-04T08:00"), 0);
  assert_int_equal(col.calls, 1);
  assert_int_equal(col.n, (int)r1.count);
  assert_true(r1.count >= 1);
  assert_int_equal(col.v[0].seq, r1.first_seq);
  assert_int_equal(tapped_is_the_log(&col, 0, before), (int)r1.count);
  assert_string_equal(col.v[0].type, "dossier.submitted");
  assert_string_equal(col.v[0].action, "submit");
  assert_string_equal(col.v[0].dossier.code, r1.dossier);
  assert_string_equal(col.v[0].applicant, "027190005555");
  assert_string_equal(col.v[0].dossier.agency, "H13.X01");
  assert_string_equal(col.v[0].dossier.procedure, "1.001193");
  assert_int_equal(col.v[0].dossier.version, 1);
  assert_int_equal(col.v[0].time, at("2026-05-04T08:00"));

  /* A batch of three: an acceptance, a refusal, a submission. */
  int from = col.n;
  before = head();
  eng_command cmds[3] = {
      act(r1.dossier, "accept", "lan", "reception", "H13.X01"),
      act(r1.dossier, "accept", "an", "specialist", "H13.X01"), /* not reception's: refused */
      submit("1.001193", "H13.X01", &g, "027190006666"),
  };
  eng_result rs[3];
  assert_int_equal(eng_execute(eng, cmds, 3, at("2026-05-04T09:00"), rs), 0);
  assert_int_equal(rs[0].status, 0);
  assert_int_not_equal(rs[1].status, 0);
  assert_int_equal(rs[1].count, 0);
  assert_int_equal(rs[2].status, 0);
  assert_int_equal(col.calls, 2); /* one call for the batch */
  assert_int_equal(col.n - from, (int)(rs[0].count + rs[2].count));
  assert_int_equal(tapped_is_the_log(&col, from, before), (int)(rs[0].count + rs[2].count));
  /* In the order of the log: the acceptance's, then the submission's. */
  assert_int_equal(col.v[from].seq, rs[0].first_seq);
  assert_int_equal(rs[2].first_seq, rs[0].first_seq + rs[0].count);
  for (int i = from; i < col.n; i++) {
    if (i > from)
      assert_int_equal(col.v[i].seq, col.v[i - 1].seq + 1);
    bool of_first = col.v[i].seq < rs[2].first_seq;
    assert_string_equal(col.v[i].dossier.code, of_first ? r1.dossier : rs[2].dossier);
  }
  assert_string_equal(col.v[from].type, "dossier.accepted");
  assert_string_equal(col.v[from].action, "accept");
  assert_int_equal(col.v[from].dossier.version, 2);
  assert_int_equal(col.v[from].dossier.appointment_at, rs[0].appointment_at);
  assert_true(col.v[from].dossier.nsteps >= 1);
  assert_string_equal(col.v[col.n - (int)rs[2].count].type, "dossier.submitted");
  assert_string_equal(col.v[col.n - (int)rs[2].count].applicant, "027190006666");

  /* Steps on: each act's event as the log has it. */
  /* An official's account, then the dossier assigned to them. */
  from = col.n;
  before = head();
  static const char *const specialist[] = {"specialist"};
  eng_command create = {.kind = ENG_CMD_ACCOUNT, .actor = {"admin", "system_admin", NULL, "test"},
                        .expected_version = STORE_ANY_VERSION,
                        .account = {.op = "create", .id = "hoa", .name = "Lê Thị Hoa", .agency = "H13.X01",
                                    .email = "hoa@x01.bacninh.gov.vn", .roles = {specialist, 1}}};
  run(&create, at("2026-05-04T09:30"), 0);
  assert_int_equal(tapped_is_the_log(&col, from, before), 1);
  assert_string_equal(col.v[from].type, "account.created");
  assert_string_equal(col.v[from].subject, "hoa");
  from = col.n;
  before = head();
  eng_command assign = {.kind = ENG_CMD_ASSIGN, .actor = {"binh", "leader", "H13.X01", "test"}, .dossier = r1.dossier,
                        .expected_version = STORE_ANY_VERSION, .assign = {.handler = "hoa"}};
  run(&assign, at("2026-05-04T10:00"), 0);
  assert_int_equal(tapped_is_the_log(&col, from, before), 1);
  assert_string_equal(col.v[from].dossier.handler, "hoa");
  assert_string_equal(col.v[from].type, "dossier.assigned");
  assert_int_equal(col.v[from].dossier.version, 3);
  mc_buf_free(&f);
  mc_buf_free(&g);
}

/* A batch that appends nothing calls nothing; a retry appends nothing. */
static void nothing_for_a_refused_batch_or_a_retry(void **state) {
  (void)state;
  eng_set_tap(eng, collect, &col);
  int calls = col.calls, n = col.n;
  uint64_t before = head();
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912000999");
  eng_command unknown = act("H13.X01-260101-9999", "accept", "lan", "reception", "H13.X01");
  eng_command wrong = submit("9.999999", "H13.X01", &form, "027190005555");
  eng_command both[2] = {unknown, wrong};
  eng_result rs[2];
  assert_int_equal(eng_execute(eng, both, 2, at("2026-05-05T08:00"), rs), 0);
  assert_int_not_equal(rs[0].status, 0);
  assert_int_not_equal(rs[1].status, 0);
  assert_int_equal(head(), before);
  assert_int_equal(col.calls, calls);
  assert_int_equal(col.n, n);
  mc_buf_free(&form);

  mc_buf f = MC_BUF_INIT;
  birth_form(&f, "0912000333");
  eng_command c = submit("1.001193", "H13.X02", &f, "027190007777");
  c.command_id = "tap-retry-1";
  eng_result first = run(&c, at("2026-05-05T08:10"), 0);
  assert_int_equal(col.calls, calls + 1);
  assert_int_equal(tapped_is_the_log(&col, n, before), (int)first.count);
  int after_first = col.n;
  eng_result again = run(&c, at("2026-05-05T08:11"), 0);
  assert_true(again.repeated);
  assert_int_equal(col.calls, calls + 1);
  assert_int_equal(col.n, after_first);
  mc_buf_free(&f);
}

/* Events of other streams: an account's, an announcement. */
static void other_events_carry_their_subject(void **state) {
  (void)state;
  eng_set_tap(eng, collect, &col);
  int from = col.n;
  uint64_t before = head();
  eng_command reg = {.kind = ENG_CMD_ACCOUNT, .actor = {"motcuad", "system", NULL, "test"},
                     .expected_version = STORE_ANY_VERSION,
                     .account = {.op = "register", .id = "001090009876", .kind = "person", .name = "Nguyễn Văn An",
                                 .email = "an@example.vn"}};
  eng_result r = run(&reg, at("2026-05-05T09:00"), 0);
  assert_int_equal(tapped_is_the_log(&col, from, before), 1);
  assert_string_equal(col.v[from].type, "account.registered");
  assert_string_equal(col.v[from].subject, "001090009876");
  assert_int_equal(col.v[from].seq, r.first_seq);
  assert_int_equal(col.v[from].time, at("2026-05-05T09:00"));
  assert_string_equal(col.v[from].dossier.code, "");

  from = col.n;
  before = head();
  eng_command dis = {.kind = ENG_CMD_ACCOUNT, .actor = {"admin", "system_admin", NULL, "test"},
                     .expected_version = STORE_ANY_VERSION, .account = {.op = "disable", .id = "001090009876"}};
  run(&dis, at("2026-05-05T09:10"), 0);
  assert_int_equal(tapped_is_the_log(&col, from, before), 1);
  assert_string_equal(col.v[from].type, "account.disabled");
  assert_string_equal(col.v[from].subject, "001090009876");

  from = col.n;
  before = head();
  eng_command ann = {.kind = ENG_CMD_ANNOUNCE, .actor = {"admin", "system_admin", NULL, "test"},
                     .announce = {.agency = "H13.STP", .message = "Tạm dừng hệ thống để bảo trì."}};
  run(&ann, at("2026-05-05T09:20"), 0);
  assert_int_equal(tapped_is_the_log(&col, from, before), 1);
  assert_string_equal(col.v[from].type, "announcement.made");
}

/* ============================================================ timers */

static void firings_are_tapped_too(void **state) {
  (void)state;
  eng_set_tap(eng, collect, &col);
  /* Nothing due yet (a moment before the earliest timer): nothing fired,
   * nothing tapped. */
  int calls = col.calls, from = col.n, fired = -1;
  uint64_t before = head();
  mc_instant due;
  bool any = false;
  assert_int_equal(eng_next_due(eng, &due, &any), 0);
  assert_true(any);
  assert_int_equal(eng_fire_due(eng, due - 1, &fired), 0);
  assert_int_equal(fired, 0);
  assert_int_equal(col.calls, calls);
  assert_int_equal(col.n, from);
  assert_int_equal(head(), before);

  /* Weeks later, the dossiers accepted above have warned, gone overdue, passed their day. */
  assert_int_equal(eng_fire_due(eng, at("2026-06-30T08:00"), &fired), 0);
  assert_true(fired > 0);
  assert_int_equal(col.n - from, fired);
  assert_int_equal(tapped_is_the_log(&col, from, before), fired);
  for (int i = from; i < col.n; i++) {
    assert_true(strncmp(col.v[i].type, "dossier.", 8) == 0);
    assert_string_not_equal(col.v[i].type, "dossier.submitted");
  }
  /* Again: each timer fires once. */
  calls = col.calls;
  from = col.n;
  assert_int_equal(eng_fire_due(eng, at("2026-06-30T08:00"), &fired), 0);
  assert_int_equal(fired, 0);
  assert_int_equal(col.calls, calls);
  assert_int_equal(col.n, from);
}

/* ============================================================ no tap */

static void without_a_tap_nothing_is_called(void **state) {
  (void)state;
  collector other = {0};
  eng_set_tap(eng, collect, &other);
  eng_set_tap(eng, NULL, NULL);
  int n = col.n;
  mc_buf f = MC_BUF_INIT;
  birth_form(&f, "0912000444");
  eng_command c = submit("1.001193", "H13.X03", &f, "027190008888");
  eng_result r = run(&c, at("2026-07-01T08:00"), 0);
  eng_command accept = act(r.dossier, "accept", "lan", "reception", "H13.X03");
  run(&accept, at("2026-07-01T08:30"), 0);
  int fired;
  assert_int_equal(eng_fire_due(eng, at("2026-08-31T08:00"), &fired), 0);
  assert_true(fired > 0);
  assert_int_equal(other.calls, 0);
  assert_int_equal(col.n, n);

  /* Set again: from the next batch on, that batch only. */
  eng_set_tap(eng, collect, &other);
  uint64_t before = head();
  eng_command c2 = submit("1.001193", "H13.X03", &f, "027190008888");
  eng_result r2 = run(&c2, at("2026-09-01T08:00"), 0);
  assert_int_equal(other.calls, 1);
  assert_int_equal(tapped_is_the_log(&other, 0, before), (int)r2.count);
  assert_int_equal(col.n, n);
  eng_set_tap(eng, NULL, NULL);
  collector_free(&other);
  mc_buf_free(&f);
}


/* ============================================================ a lifecycle */

/* Every step of two dossiers' lives, each tapped as the log reads it back:
 * assigned with a co-handler, approved by it, signed, returned, rated; another
 * accepted and stopped. */
static void a_lifecycle_as_the_log_reads_it(void **state) {
  (void)state;
  collector k = {0};
  eng_set_tap(eng, collect, &k);
  uint64_t before = head();
  static const char *const specialist[] = {"specialist"};
  eng_command create = {.kind = ENG_CMD_ACCOUNT, .actor = {"admin", "system_admin", NULL, "test"},
                        .expected_version = STORE_ANY_VERSION,
                        .account = {.op = "create", .id = "an.pv", .name = "Phạm Văn An", .agency = "H13.X01",
                                    .email = "an@x01.bacninh.gov.vn", .roles = {specialist, 1}}};
  run(&create, at("2026-10-05T07:00"), 0);
  mc_buf f = MC_BUF_INIT;
  birth_form(&f, "0912999000");
  eng_command c = submit("1.001193", "H13.X01", &f, "027190001010");
  eng_result r = run(&c, at("2026-10-05T08:00"), 0);
  eng_command accept = act(r.dossier, "accept", "lan", "reception", "H13.X01");
  run(&accept, at("2026-10-05T08:30"), 0);
  const char *co[] = {"an.pv"};
  eng_command assign = {.kind = ENG_CMD_ASSIGN, .actor = {"binh", "leader", "H13.X01", "test"}, .dossier = r.dossier,
                        .expected_version = STORE_ANY_VERSION, .assign = {.handler = "hoa", .co_handlers = {co, 1}}};
  run(&assign, at("2026-10-05T08:40"), 0);
  eng_command approve = act(r.dossier, "approve", "an.pv", "specialist", "H13.X01"); /* the co-handler */
  run(&approve, at("2026-10-05T09:00"), 0);
  eng_command sign = act(r.dossier, "approve", "binh", "leader", "H13.X01");
  run(&sign, at("2026-10-05T10:00"), 0);
  eng_command give = act(r.dossier, "return_result", "lan", "reception", "H13.X01");
  run(&give, at("2026-10-05T11:00"), 0);
  eng_command rate = {.kind = ENG_CMD_RATE, .actor = {"027190001010", "applicant", NULL, "test"}, .dossier = r.dossier,
                      .expected_version = STORE_ANY_VERSION, .rate = {.rating = 5, .comment = "Nhanh, đúng hẹn"}};
  run(&rate, at("2026-10-05T12:00"), 0);
  eng_command c2 = submit("1.001193", "H13.X01", &f, "027190002020");
  eng_result r2 = run(&c2, at("2026-10-05T13:00"), 0);
  eng_command accept2 = act(r2.dossier, "accept", "lan", "reception", "H13.X01");
  run(&accept2, at("2026-10-05T13:20"), 0);
  eng_command stop = {.kind = ENG_CMD_STOP, .actor = {"binh", "leader", "H13.X01", "test"}, .dossier = r2.dossier,
                      .expected_version = STORE_ANY_VERSION, .stop = {.reason = "Hồ sơ trùng"}};
  run(&stop, at("2026-10-05T13:30"), 0);

  int n = tapped_is_the_log(&k, 0, before);
  assert_int_equal(k.calls, 11); /* a batch each */
  assert_true(n >= 11);
  /* The first dossier's last event: rated, returned, handled by hoa and an. */
  const eng_event_view *rated = NULL, *stopped = NULL;
  for (int i = 0; i < k.n; i++) {
    if (!strcmp(k.v[i].type, "dossier.rated"))
      rated = &k.v[i];
    if (!strcmp(k.v[i].type, "dossier.stopped"))
      stopped = &k.v[i];
  }
  assert_non_null(rated);
  assert_string_equal(rated->dossier.code, r.dossier);
  assert_int_equal(rated->dossier.rating, 5);
  assert_string_equal(rated->dossier.state, "returned");
  assert_string_equal(rated->dossier.outcome, "approved");
  assert_string_equal(rated->dossier.handler, "hoa");
  assert_int_equal(rated->dossier.nco_handlers, 1);
  assert_string_equal(rated->dossier.co_handlers[0], "an.pv");
  assert_string_equal(rated->applicant, "027190001010");
  assert_true(rated->dossier.finished_at > 0);
  assert_true(rated->dossier.decided_at > 0);
  assert_non_null(stopped);
  assert_string_equal(stopped->dossier.code, r2.dossier);
  assert_string_equal(stopped->dossier.state, "stopped");
  eng_set_tap(eng, NULL, NULL);
  collector_free(&k);
  mc_buf_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_batch_hands_over_what_its_commands_appended),
      cmocka_unit_test(nothing_for_a_refused_batch_or_a_retry),
      cmocka_unit_test(other_events_carry_their_subject),
      cmocka_unit_test(firings_are_tapped_too),
      cmocka_unit_test(without_a_tap_nothing_is_called),
      cmocka_unit_test(a_lifecycle_as_the_log_reads_it),
  };
  return cmocka_run_group_tests(tests, fx_setup, teardown_tap);
}
