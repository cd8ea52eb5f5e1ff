/* test_deadlines.c — legal deadlines worked out by hand over the 2026
 * calendar (workflows/calendars/vn-2026.cal: Mon-Fri 07:30-11:30 and
 * 13:00-17:00; Tết 16-20 Feb; Hùng Kings Sun 26 and Mon 27 Apr; 30 Apr and
 * 1 May; 31 Aug swapped for Sat 22 Aug; 1-2 Sep) and checked against the
 * engine: an extension given once and in time (NĐ118 Art. 19.6) and the
 * classification against the new date (DOMAIN.md rule 9); a rejection at
 * reception that leaves no timer; a building permit filed online and a
 * judicial record filed by post, each to its end; a supplement under a policy
 * whose clock pauses (bn-2018); timers that come due while the engine is
 * down, fire once, and vanish when a command makes them moot; a replay of the
 * log under another TZ.
 *
 * The tests share one log and one clock that only moves on: each runs later
 * in 2026 than the one before.  Other dossiers' timers fire too when a test
 * fires what is due, so each test counts its own dossiers' events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/canon.h"
#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"
#include "calendar/calendar.h"
#include "engine/engine.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

/* ============================================================ helpers */

static void household_form(mc_buf *out, const char *owner_id) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "address", "Số 12 phố Lý Thái Tổ, Bắc Ninh");
  mc_canon_kv_str(&w, "business_name", "Tạp hóa Hồng Hà");
  mc_canon_kv_int(&w, "capital", 60000000);
  mc_canon_kv_str(&w, "owner_id", owner_id);
  assert_int_equal(mc_canon_finish(&w), 0);
}

static void house_form(mc_buf *out) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 5);
  mc_canon_kv_int(&w, "floor_area", 240);
  mc_canon_kv_int(&w, "floors", 4);
  mc_canon_kv_str(&w, "owner_id", "027190008888");
  mc_canon_kv_str(&w, "owner_name", "Nguyễn Thị Thu");
  mc_canon_kv_str(&w, "parcel", "Thửa 45, tờ bản đồ 9");
  assert_int_equal(mc_canon_finish(&w), 0);
}

static void licence_form(mc_buf *out) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "citizen", "027190001357");
  mc_canon_kv_str(&w, "full_name", "Vũ Đức Thắng");
  mc_canon_kv_str(&w, "licence_no", "790123456789");
  mc_canon_kv_str(&w, "origin", "Việt Nam");
  assert_int_equal(mc_canon_finish(&w), 0);
}

static eng_dossier_view view_of(const char *code) {
  eng_dossier_view v;
  assert_int_equal(eng_dossier_get(eng, code, &v), 0);
  return v;
}

static void fire(const char *when) {
  int fired;
  assert_int_equal(eng_fire_due(eng, at(when), &fired), 0);
}

/* ------------------------------------------------------------ a dossier's history */

/* One event of a dossier's stream, as the auditor reads it: its type and
 * time, who acted, the `what` of the event, and the steps' timers in the
 * snapshot after it. */
typedef struct seen {
  char type[40], role[32], step[48], reason[256];
  mc_instant time, due_at, old_due, new_due;
  int ntokens;
  mc_instant due[4], warn[4]; /* each step's limit and warning after the event */
} seen;

typedef struct history {
  int n;
  seen ev[32];
} history;

static const msgpack_object *field(const msgpack_object *map, const char *key) {
  size_t n = strlen(key);
  if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
    return NULL;
  for (uint32_t i = 0; i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key;
    if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && !memcmp(k->via.str.ptr, key, n))
      return &map->via.map.ptr[i].val;
  }
  return NULL;
}

static int64_t int_of(const msgpack_object *o) {
  if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
    return (int64_t)o->via.u64;
  if (o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
    return o->via.i64;
  return 0;
}

static void text_of(const msgpack_object *o, char *out, size_t size) {
  out[0] = '\0';
  if (o && o->type == MSGPACK_OBJECT_STR)
    snprintf(out, size, "%.*s", (int)o->via.str.size, o->via.str.ptr);
}

static int seen_one(void *opaque, const store_event *ev) {
  history *h = opaque;
  if (h->n == (int)(sizeof h->ev / sizeof h->ev[0]))
    return 1;
  seen *s = &h->ev[h->n++];
  memset(s, 0, sizeof *s);
  snprintf(s->type, sizeof s->type, "%.*s", (int)ev->type.len, ev->type.ptr);
  snprintf(s->role, sizeof s->role, "%.*s", (int)ev->role.len, ev->role.ptr ? ev->role.ptr : "");
  s->time = ev->time;
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *what = field(&u.data, "what");
    text_of(field(what, "step"), s->step, sizeof s->step);
    text_of(field(what, "reason"), s->reason, sizeof s->reason);
    s->due_at = int_of(field(what, "due_at"));
    s->old_due = int_of(field(what, "old_due"));
    s->new_due = int_of(field(what, "new_due"));
    /* The steps after the event: an event of format 2 carries them in `set`
     * when it changed them (else they are as before), format 1 in `after`. */
    const msgpack_object *set = field(&u.data, "set");
    const msgpack_object *tokens = field(set ? set : field(&u.data, "after"), "tokens");
    if (set && tokens == NULL && h->n > 1) {
      const seen *before = &h->ev[h->n - 2];
      s->ntokens = before->ntokens;
      memcpy(s->due, before->due, sizeof s->due);
      memcpy(s->warn, before->warn, sizeof s->warn);
    }
    for (uint32_t i = 0; tokens && tokens->type == MSGPACK_OBJECT_ARRAY && i < tokens->via.array.size && i < 4; i++) {
      s->due[i] = int_of(field(&tokens->via.array.ptr[i], "due"));
      s->warn[i] = int_of(field(&tokens->via.array.ptr[i], "warn"));
      s->ntokens++;
    }
  }
  msgpack_unpacked_destroy(&u);
  return 0;
}

static history history_of(const char *code) {
  history h = {0};
  char stream[96];
  store_read *rd;
  snprintf(stream, sizeof stream, "dossier/%s", code);
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  assert_int_equal(store_read_stream(rd, stream, 1, seen_one, &h), 0);
  store_read_end(rd);
  return h;
}

static int count_of(const history *h, const char *type) {
  int n = 0;
  for (int i = 0; i < h->n; i++)
    n += !strcmp(h->ev[i].type, type);
  return n;
}

/* The one event of a type (there must be exactly one). */
static const seen *the_one(const history *h, const char *type) {
  const seen *found = NULL;
  for (int i = 0; i < h->n; i++)
    if (!strcmp(h->ev[i].type, type)) {
      if (found)
        fail_msg("%s happened more than once", type);
      found = &h->ev[i];
    }
  if (found == NULL)
    fail_msg("no %s", type);
  return found;
}

static const seen *last_of(const history *h) {
  assert_true(h->n > 0);
  return &h->ev[h->n - 1];
}

/* The one timer event of `type` of a dossier, due at `due`, fired at `fired_at`. */
static void fired_once(const char *code, const char *type, const char *step, const char *due, const char *fired_at) {
  history h = history_of(code);
  int n = 0;
  for (int i = 0; i < h.n; i++)
    if (!strcmp(h.ev[i].type, type) && !strcmp(h.ev[i].step, step)) {
      n++;
      assert_string_equal(iso(h.ev[i].due_at), due);
      assert_string_equal(iso(h.ev[i].time), fired_at);
      assert_string_equal(h.ev[i].role, "system");
    }
  if (n != 1)
    fail_msg("%s: %d %s of step %s, expected exactly one", code, n, type, step);
}

/* ------------------------------------------------------------ dossiers kept for the replay */

/* Dossiers the replay under another TZ looks at again, with the appointment
 * worked out by hand. */
static struct {
  char code[64];
  const char *appointment;
} kept[16];
static int nkept;

static void keep(const char *code, const char *appointment) {
  assert_true(nkept < (int)(sizeof kept / sizeof kept[0]));
  snprintf(kept[nkept].code, sizeof kept[0].code, "%s", code);
  kept[nkept++].appointment = appointment;
}

/* ============================================================ 1. extension */

/* NĐ118 Art. 19.6 / DOMAIN.md rule 4: a leader issues the apology with its
 * reason and one new date, at least one working day before the due date, and
 * only once; rule 9 then measures the outcome against the new date. */
static void extension_once_in_time_then_classified_against_the_new_date(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  household_form(&f, "027190007001");
  eng_command c = submit("2.000575", "H13.X01", &f, "cd-e1");
  eng_result a = run(&c, at("2026-02-11T08:00"), 0);
  c = submit("2.000575", "H13.X02", &f, "cd-e2");
  eng_result b = run(&c, at("2026-02-11T08:10"), 0);
  /* Accepted Wed 11 Feb 09:00 (before the 15:00 cut-off), 3 working days, the
   * day of reception not counted: Thu 12 (1), Fri 13 (2), Tết from Sat 14 to
   * Sun 22 (16-20 Feb holidays), Mon 23 (3) -> Mon 23 Feb 17:00. */
  eng_command accept = act(a.dossier, "accept", "rc-1", "reception", "H13.X01");
  assert_string_equal(iso(run(&accept, at("2026-02-11T09:00"), 0).appointment_at), "2026-02-23T17:00:00+07:00");
  accept = act(b.dossier, "accept", "rc-2", "reception", "H13.X02");
  assert_string_equal(iso(run(&accept, at("2026-02-11T09:10"), 0).appointment_at), "2026-02-23T17:00:00+07:00");

  eng_command extend = {.kind = ENG_CMD_EXTEND, .actor = {"ld-1", "leader", "H13.X01", "test"}, .dossier = a.dossier,
                        .expected_version = STORE_ANY_VERSION, .extend = {.new_due = at("2026-02-27T17:00")}};
  refused(&extend, at("2026-02-13T10:00"), MC_EINVAL, "gives its reason and apologises");
  extend.extend.reason = "Xin lỗi ông/bà: địa điểm kinh doanh cần được kiểm tra thực tế sau Tết";
  eng_command elsewhere = extend;
  elsewhere.actor.agency = "H13.X02";
  refused(&elsewhere, at("2026-02-13T10:00"), MC_EACCES, "signed by a leader of H13.X01");
  eng_command same_date = extend;
  same_date.extend.new_due = at("2026-02-23T17:00");
  refused(&same_date, at("2026-02-13T10:00"), MC_EINVAL, "must be after the current appointment");
  /* Fri 13 Feb 10:00 is the working day before the due day (Tết between):
   * one working day from then ends at Mon 23 Feb 17:00, not after the due
   * instant, so the notice is in time. */
  eng_result r = run(&extend, at("2026-02-13T10:00"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-02-27T17:00:00+07:00");
  eng_dossier_view v = view_of(a.dossier);
  assert_true(v.extended);
  assert_string_equal(iso(v.appointment_at), "2026-02-27T17:00:00+07:00");
  history h = history_of(a.dossier);
  const seen *e = the_one(&h, "dossier.extended");
  assert_string_equal(iso(e->old_due), "2026-02-23T17:00:00+07:00");
  assert_string_equal(iso(e->new_due), "2026-02-27T17:00:00+07:00");
  assert_string_equal(e->reason, extend.extend.reason);
  assert_string_equal(e->role, "leader");
  /* The second: refused, however early. */
  extend.extend.new_due = at("2026-03-06T17:00");
  refused(&extend, at("2026-02-13T11:00"), MC_EINVAL, "may be reset only once");
  /* B on its due day, Mon 23 Feb 09:00: one working day from then ends Tue
   * 24 Feb 17:00, after the due instant: too late. */
  eng_command late = extend;
  late.dossier = b.dossier;
  late.actor = (eng_actor){"ld-2", "leader", "H13.X02", "test"};
  late.extend.new_due = at("2026-02-27T17:00");
  refused(&late, at("2026-02-23T09:00"), MC_EINVAL, "too late to extend");
  refused(&late, at("2026-02-23T09:00"), MC_EINVAL, "before the due date 2026-02-23T17:00:00+07:00");
  assert_false(view_of(b.dossier).extended);

  /* B decided Tue 24 Feb: after its (unextended) Mon 23 Feb 17:00: late. */
  eng_command approve = act(b.dossier, "approve", "sp-2", "specialist", "H13.X02");
  run(&approve, at("2026-02-23T10:00"), 0);
  eng_command sign = act(b.dossier, "approve", "ld-2", "leader", "H13.X02");
  run(&sign, at("2026-02-24T09:00"), 0);
  v = view_of(b.dossier);
  assert_string_equal(v.state, "decided");
  assert_string_equal(v.classification, "late");
  /* A decided Fri 27 Feb 10:00: late against Mon 23 Feb, on time on the new
   * date's day and before its 17:00. */
  approve = act(a.dossier, "approve", "sp-1", "specialist", "H13.X01");
  run(&approve, at("2026-02-25T09:00"), 0);
  sign = act(a.dossier, "approve", "ld-1", "leader", "H13.X01");
  run(&sign, at("2026-02-27T10:00"), 0);
  v = view_of(a.dossier);
  assert_string_equal(v.state, "decided");
  assert_string_equal(iso(v.decided_at), "2026-02-27T10:00:00+07:00");
  assert_string_equal(v.classification, "on_time");
  eng_command give = act(a.dossier, "return_result", "rc-1", "reception", "H13.X01");
  run(&give, at("2026-02-27T11:00"), 0);
  give = act(b.dossier, "return_result", "rc-2", "reception", "H13.X02");
  run(&give, at("2026-02-27T11:05"), 0);
  assert_string_equal(view_of(a.dossier).classification, "on_time");
  assert_string_equal(view_of(b.dossier).classification, "late");
  keep(a.dossier, "2026-02-27T17:00:00+07:00");
  keep(b.dossier, "2026-02-23T17:00:00+07:00");
  mc_buf_free(&f);
}

/* ============================================================ 2. rejection */

/* Refused at reception (status 3, "not received"): a final state, not a
 * decision, and the reception limit's timer goes with it. */
static void rejected_at_reception_with_reasons_and_no_timer_left(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  birth_form(&f, "0912000201");
  eng_command c = submit("1.001193", "H13.X01", &f, "cd-r1");
  eng_result rej = run(&c, at("2026-03-02T08:00"), 0);
  c = submit("1.001193", "H13.X01", &f, "cd-r2");
  eng_result kept_open = run(&c, at("2026-03-02T08:00"), 0);
  /* Both must be checked within 8 working hours (nd118) of Mon 2 Mar 08:00:
   * 08:00-11:30 3.5 h, 13:00-17:00 4 h, Tue 3 Mar 07:30-08:00 0.5 h -> Tue
   * 3 Mar 08:00. */
  history h = history_of(rej.dossier);
  assert_int_equal(last_of(&h)->ntokens, 1);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-03-03T08:00:00+07:00");

  eng_command reject = act(rej.dossier, "reject", "rc-1", "reception", "H13.X01");
  reject.act.reason = "Giấy chứng sinh tải lên không đọc được và không mang tên người mẹ khai trong tờ khai";
  run(&reject, at("2026-03-02T09:00"), 0);
  eng_dossier_view v = view_of(rej.dossier);
  assert_string_equal(v.state, "rejected");
  assert_int_equal(v.nsteps, 0);
  assert_string_equal(iso(v.finished_at), "2026-03-02T09:00:00+07:00");
  assert_int_equal(v.decided_at, 0);
  assert_int_equal(v.appointment_at, 0);
  assert_string_equal(v.outcome, "");
  assert_string_equal(v.classification, "");
  h = history_of(rej.dossier);
  const seen *e = the_one(&h, "dossier.rejected");
  assert_string_equal(e->reason, reject.act.reason);
  assert_string_equal(e->step, "reception");
  assert_string_equal(e->role, "reception");
  assert_int_equal(e->ntokens, 0);
  eng_command accept = act(rej.dossier, "accept", "rc-1", "reception", "H13.X01");
  refused(&accept, at("2026-03-02T09:10"), MC_EINVAL, "is rejected: nothing more can be done");

  /* Past the reception limit: the dossier left open goes overdue once; the
   * rejected one has nothing armed. */
  fire("2026-03-03T09:00");
  fired_once(kept_open.dossier, "dossier.overdue", "reception", "2026-03-03T08:00:00+07:00",
             "2026-03-03T09:00:00+07:00");
  v = view_of(rej.dossier);
  assert_int_equal(v.version, 2);
  assert_string_equal(v.state, "rejected");
  fire("2026-03-09T08:00");
  assert_int_equal(view_of(rej.dossier).version, 2);
  assert_int_equal(view_of(kept_open.dossier).version, 2);
  mc_buf_free(&f);
}

/* ============================================================ 3. two lifecycles */

/* A building permit filed online: 15 calendar days, the 15:00 cut-off, a
 * warning two days before the appraisal's limit, decided early, returned. */
static void house_permit_online_from_filing_to_return(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  house_form(&f);
  eng_command c = submit("1.009995", "H13.X02", &f, "cd-h1");
  eng_result r = run(&c, at("2026-03-09T14:00"), 0);
  const char *code = r.dossier;
  eng_command accept = act(code, "accept", "rc-2", "reception", "H13.X02");
  r = run(&accept, at("2026-03-09T15:30"), 0);
  /* Accepted Mon 9 Mar 15:30, after the cut-off: counted as received Tue 10
   * Mar; + 15 days = Wed 25 Mar, a working day -> Wed 25 Mar 17:00. */
  assert_string_equal(iso(r.appointment_at), "2026-03-25T17:00:00+07:00");
  eng_dossier_view v = view_of(code);
  assert_string_equal(v.state, "processing");
  assert_string_equal(v.steps[0], "appraisal");
  /* The appraisal (10 days, no cut-off for a step) from Mon 9 Mar: Thu 19 Mar
   * 17:00; its warning 2 days before, 8 days: Tue 17 Mar 17:00. */
  history h = history_of(code);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-03-19T17:00:00+07:00");
  assert_string_equal(iso(last_of(&h)->warn[0]), "2026-03-17T17:00:00+07:00");
  fire("2026-03-17T16:59");
  assert_int_equal(view_of(code).version, 2);
  fire("2026-03-18T08:00");
  assert_int_equal(view_of(code).version, 3);
  fired_once(code, "dossier.warned", "appraisal", "2026-03-17T17:00:00+07:00", "2026-03-18T08:00:00+07:00");

  eng_command approve = act(code, "approve", "sp-2", "specialist", "H13.X02");
  run(&approve, at("2026-03-18T09:00"), 0);
  /* Signing: 3 days from Wed 18 Mar = Sat 21, a day off -> Mon 23 Mar 17:00. */
  h = history_of(code);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-03-23T17:00:00+07:00");
  eng_command sign = act(code, "approve", "ld-2", "leader", "H13.X02");
  run(&sign, at("2026-03-20T10:00"), 0);
  v = view_of(code);
  assert_string_equal(v.state, "decided");
  assert_string_equal(v.outcome, "approved");
  /* Fri 20 Mar is before the start of Wed 25 Mar: early. */
  assert_string_equal(v.classification, "early");
  /* The result waits 5 days from Fri 20 Mar: Wed 25 Mar 17:00. */
  h = history_of(code);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-03-25T17:00:00+07:00");
  eng_command give = act(code, "return_result", "rc-2", "reception", "H13.X02");
  run(&give, at("2026-03-23T09:00"), 0);
  v = view_of(code);
  assert_string_equal(v.state, "returned");
  assert_int_equal(v.nsteps, 0);
  assert_string_equal(iso(v.decided_at), "2026-03-20T10:00:00+07:00");
  assert_string_equal(iso(v.finished_at), "2026-03-23T09:00:00+07:00");
  assert_string_equal(v.classification, "early");
  h = history_of(code);
  static const char *const types[] = {"dossier.submitted", "dossier.accepted", "dossier.warned",
                                      "dossier.approved", "dossier.approved", "dossier.returned"};
  assert_int_equal(h.n, 6);
  for (int i = 0; i < 6; i++)
    assert_string_equal(h.ev[i].type, types[i]);
  keep(code, "2026-03-25T17:00:00+07:00");
  mc_buf_free(&f);
}

/* The judicial record filed by post (entered by reception), the police and
 * the court in parallel, the result posted and delivered by the post office. */
static void judicial_record_by_post_through_its_branches_to_the_post(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  record_form(&f);
  eng_command c = submit("2.000488", "H13.STP", &f, "cd-j1");
  c.submit.channel = "post";
  walk_in(&c, "027190004567");
  refused(&c, at("2026-03-23T10:00"), MC_EACCES, "a post dossier is entered by a reception official of H13.STP");
  c.actor = (eng_actor){"rc-s", "reception", "H13.STP", "test"};
  eng_result r = run(&c, at("2026-03-23T10:00"), 0);
  const char *code = r.dossier;
  eng_command accept = act(code, "accept", "rc-s", "reception", "H13.STP");
  r = run(&accept, at("2026-03-23T10:30"), 0);
  /* Mon 23 Mar + 10 days = Thu 2 Apr, a working day -> 17:00. */
  assert_string_equal(iso(r.appointment_at), "2026-04-02T17:00:00+07:00");
  eng_command lookup = act(code, "complete", "sp-s", "specialist", "H13.STP");
  run(&lookup, at("2026-03-24T09:00"), 0);
  /* Both branches 5 days from Tue 24 Mar = Sun 29, a day off -> Mon 30 Mar 17:00. */
  eng_dossier_view v = view_of(code);
  assert_string_equal(v.state, "processing");
  assert_int_equal(v.nsteps, 2);
  history h = history_of(code);
  assert_int_equal(last_of(&h)->ntokens, 2);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-03-30T17:00:00+07:00");
  assert_string_equal(iso(last_of(&h)->due[1]), "2026-03-30T17:00:00+07:00");
  eng_command police = act(code, "answer", "ca-1", "specialist", "H13.CA");
  police.act.step = "police_check";
  run(&police, at("2026-03-25T10:00"), 0);
  v = view_of(code);
  assert_int_equal(v.nsteps, 1);
  assert_string_equal(v.steps[0], "court_check");
  eng_command court = act(code, "answer", "ta-1", "specialist", "H13.TAND");
  run(&court, at("2026-03-26T10:00"), 0);
  v = view_of(code);
  assert_int_equal(v.nsteps, 1);
  assert_string_equal(v.steps[0], "drafting");
  /* Drafting: 2 days from Thu 26 Mar = Sat 28 -> Mon 30 Mar 17:00. */
  h = history_of(code);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-03-30T17:00:00+07:00");
  eng_command draft = act(code, "approve", "sp-s", "specialist", "H13.STP");
  run(&draft, at("2026-03-27T09:00"), 0);
  eng_command sign = act(code, "approve", "ld-s", "leader", "H13.STP");
  run(&sign, at("2026-03-27T14:00"), 0);
  v = view_of(code);
  assert_string_equal(v.state, "decided");
  /* Fri 27 Mar is before the start of Thu 2 Apr: early. */
  assert_string_equal(v.classification, "early");
  eng_command post = act(code, "hand_to_post", "rc-s", "reception", "H13.STP");
  run(&post, at("2026-03-30T08:00"), 0);
  v = view_of(code);
  assert_string_equal(v.state, "decided");
  assert_int_equal(v.nsteps, 1);
  assert_string_equal(v.steps[0], "in_post");
  /* The post office has 1 day: from Mon 30 Mar -> Tue 31 Mar 17:00. */
  h = history_of(code);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-03-31T17:00:00+07:00");
  eng_command wrong_office = act(code, "deliver", "bd-x", "postal", "H13.STP");
  refused(&wrong_office, at("2026-03-31T09:00"), MC_EACCES, "is done at H13.BD");
  eng_command deliver = act(code, "deliver", "bd-1", "postal", "H13.BD");
  run(&deliver, at("2026-03-31T09:00"), 0);
  v = view_of(code);
  assert_string_equal(v.state, "returned");
  assert_int_equal(v.nsteps, 0);
  assert_string_equal(v.outcome, "approved");
  assert_string_equal(v.classification, "early");
  assert_string_equal(iso(v.decided_at), "2026-03-27T14:00:00+07:00");
  assert_string_equal(iso(v.finished_at), "2026-03-31T09:00:00+07:00");
  h = history_of(code);
  assert_string_equal(the_one(&h, "dossier.delivered")->role, "postal");
  assert_int_equal(count_of(&h, "dossier.handed_to_post"), 1);
  keep(code, "2026-04-02T17:00:00+07:00");
  mc_buf_free(&f);
}

/* ============================================================ 4. pause */

/* The household business registration under the Bắc Ninh rules of 2018,
 * whose supplement clock pauses (bn-2018: supplement_clock pause), with a
 * supplement asked during processing. */
static const char *const household_bn2018 =
    "procedure \"2.000575\" \"Đăng ký thành lập hộ kinh doanh\" {\n"
    "  sector \"Kế hoạch và Đầu tư\" field \"Thành lập và hoạt động của hộ kinh doanh\"\n"
    "  level commune online full time 3 working days policy \"bn-2018\"\n"
    "  fee 100.000 VND refundable\n"
    "  form {\n"
    "    business_name text required label \"Tên hộ kinh doanh\" length 1..200\n"
    "    owner_id citizen_id required label \"Số định danh cá nhân của chủ hộ\"\n"
    "    address text required label \"Địa điểm kinh doanh\" length 1..300\n"
    "    capital number required label \"Vốn kinh doanh (đồng)\" range 0..100000000000\n"
    "  }\n"
    "  step reception \"Tiếp nhận\" by reception within policy.reception_limit state submitted {\n"
    "    on accept -> processing\n    on request_supplement -> supplement\n    on reject -> rejected\n  }\n"
    "  step supplement \"Chờ bổ sung hồ sơ\" by applicant within policy.supplement_window\n"
    "       state supplement_requested clock policy {\n"
    "    on provide_supplement -> reception\n    on timeout -> stopped\n  }\n"
    "  step processing \"Thẩm định\" by specialist within 2 working days state processing {\n"
    "    on request_supplement -> supplement\n    on approve -> signing\n    on deny -> signing\n  }\n"
    "  step signing \"Lãnh đạo ký\" by leader within 1 working day state processing {\n"
    "    on approve -> result\n    on deny -> result\n  }\n"
    "  step result \"Trả kết quả\" by reception within 1 working day state decided {\n"
    "    on return_result -> returned\n  }\n"
    "}\n";

static void supplement_with_a_paused_clock_moves_the_appointment_by_the_time_waited(void **state) {
  (void)state;
  mc_buf bytes = MC_BUF_INIT;
  compile_procedure("household-bn2018.mc", household_bn2018, "bn-2018", &bytes);
  eng_command pub = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                     .publish = {.def_kind = ENG_DEF_PROCEDURE, .effective_from = at("2026-04-21T00:00"),
                                 .bytes = {bytes.data, bytes.len}}};
  run(&pub, at("2026-04-20T08:00"), 0);

  mc_buf f = MC_BUF_INIT;
  household_form(&f, "027190007004");
  eng_command c = submit("2.000575", "H13.X01", &f, "cd-p4");
  eng_result r = run(&c, at("2026-04-22T08:00"), 0);
  const char *code = r.dossier;
  eng_command accept = act(code, "accept", "rc-1", "reception", "H13.X01");
  r = run(&accept, at("2026-04-22T09:00"), 0);
  /* Wed 22 Apr 09:00 + 3 working days: Thu 23 (1), Fri 24 (2), Sat 25 and
   * Sun 26 off, Mon 27 Hùng Kings (substitute), Tue 28 (3) -> Tue 28 Apr 17:00. */
  assert_string_equal(iso(r.appointment_at), "2026-04-28T17:00:00+07:00");
  eng_command ask = act(code, "request_supplement", "sp-1", "specialist", "H13.X01");
  ask.act.reason = "Bổ sung biên bản họp thành viên hộ gia đình có đủ chữ ký";
  run(&ask, at("2026-04-23T10:00"), 0);
  eng_dossier_view v = view_of(code);
  assert_string_equal(v.state, "supplement_requested");
  assert_string_equal(iso(v.paused_since), "2026-04-23T10:00:00+07:00");
  assert_false(v.supplement_late); /* within 3 working days of acceptance (Tue 28 Apr 17:00) */
  /* The window: 15 days from Thu 23 Apr = Fri 8 May 17:00. */
  history h = history_of(code);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-05-08T17:00:00+07:00");

  eng_command provide = act(code, "provide_supplement", "cd-p4", "applicant", NULL);
  r = run(&provide, at("2026-05-05T14:00"), 0);
  /* Paused Thu 23 Apr 10:00, resumed Tue 5 May 14:00.  Working time left at
   * the pause: Thu 23 10:00-11:30 and 13:00-17:00 5.5 h, Fri 24 8 h, Tue 28
   * 8 h = 21.5 h.  From Tue 5 May 14:00: Tue 3 h, Wed 6 8 h, Thu 7 8 h, Fri 8
   * 07:30 + 2.5 h -> Fri 8 May 10:00.
   * Working time waited: Thu 23 Apr 5.5 h, Fri 24 8, Tue 28 8, Wed 29 8 (30
   * Apr, 1 May holidays), Mon 4 May 8, Tue 5 07:30-11:30 and 13:00-14:00 5 =
   * 42.5 h; Tue 28 Apr 17:00 + 42.5 h = Fri 8 May 10:00 again.  (A restart,
   * as nd118 says, would have given 3 working days from Tue 5 May: Fri 8 May
   * 17:00.) */
  assert_string_equal(iso(r.appointment_at), "2026-05-08T10:00:00+07:00");
  eng_calendar *cal;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  assert_int_equal(eng_calendar_load_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &cal), 0);
  int64_t waited, moved;
  assert_int_equal(
      eng_calendar_working_time_between(cal, at("2026-04-23T10:00"), at("2026-05-05T14:00"), NULL, &waited), 0);
  assert_int_equal(eng_calendar_working_time_between(cal, at("2026-04-28T17:00"), r.appointment_at, NULL, &moved), 0);
  assert_int_equal(waited, 42 * MC_MS_PER_HOUR + 30 * MC_MS_PER_MINUTE);
  assert_int_equal(moved, waited);
  eng_calendar_free(cal);
  v = view_of(code);
  assert_string_equal(v.state, "submitted");
  assert_int_equal(v.paused_since, 0);
  assert_string_equal(iso(v.accepted_at), "2026-04-22T09:00:00+07:00");

  /* Accepted again: the appointment stays. */
  r = run(&accept, at("2026-05-05T14:30"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-05-08T10:00:00+07:00");
  eng_command approve = act(code, "approve", "sp-1", "specialist", "H13.X01");
  run(&approve, at("2026-05-07T09:00"), 0);
  eng_command sign = act(code, "approve", "ld-1", "leader", "H13.X01");
  run(&sign, at("2026-05-08T09:30"), 0);
  v = view_of(code);
  assert_string_equal(v.state, "decided");
  /* Fri 8 May 09:30: the appointment's day, not after 10:00. */
  assert_string_equal(v.classification, "on_time");
  eng_command give = act(code, "return_result", "rc-1", "reception", "H13.X01");
  run(&give, at("2026-05-08T10:30"), 0);
  assert_string_equal(view_of(code).state, "returned");
  keep(code, "2026-05-08T10:00:00+07:00");
  mc_buf_free(&f);
  mc_buf_free(&bytes);
}

/* ============================================================ 5. timers */

static char down_reception[64], down_processing[64], down_window[64], down_licence[64];

/* Timers that came due while the engine was down fire at the restart, each
 * once, with the instant it was due; none is left behind. */
static void timers_due_during_downtime_fire_once_at_restart(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT, lf = MC_BUF_INIT;
  birth_form(&f, "0912000501");
  licence_form(&lf);
  /* The supplement window: asked Thu 13 Aug 10:00 + 15 days = Fri 28 Aug 17:00. */
  eng_command c = submit("1.001193", "H13.X02", &f, "cd-t3");
  eng_result r = run(&c, at("2026-08-13T09:00"), 0);
  snprintf(down_window, sizeof down_window, "%s", r.dossier);
  eng_command ask = act(down_window, "request_supplement", "rc-2", "reception", "H13.X02");
  ask.act.reason = "Thiếu Giấy chứng sinh bản chính";
  run(&ask, at("2026-08-13T10:00"), 0);
  /* A licence accepted Wed 26 Aug 09:00: 5 working days Thu 27, Fri 28, (Sat
   * 29, Sun 30, Mon 31 swap day, Tue 1 and Wed 2 Sep National Day) Thu 3, Fri
   * 4, Mon 7 -> Mon 7 Sep 17:00.  Its processing step, 3 working days: Thu
   * 3 Sep 17:00, warned 4 working hours before: of the 30.5 h from Wed 26
   * 09:00 (Wed 6.5, Thu 8, Fri 8, Thu 3 8), 26.5 h -> Thu 3 Sep 11:30. */
  c = submit("1.002835", "H13.CA", &lf, "cd-t4");
  r = run(&c, at("2026-08-26T08:00"), 0);
  snprintf(down_licence, sizeof down_licence, "%s", r.dossier);
  eng_command accept = act(down_licence, "accept", "pv", "reception", "H13.CA");
  r = run(&accept, at("2026-08-26T09:00"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-09-07T17:00:00+07:00");
  /* Birth registration accepted Fri 28 Aug 08:30: the same day, 17:00.  Its
   * processing step, 4 working hours: 08:30-11:30 3 h, 13:00-14:00 -> 14:00,
   * warned 1 working hour before: 3 h -> 11:30. */
  c = submit("1.001193", "H13.X02", &f, "cd-t2");
  r = run(&c, at("2026-08-28T08:00"), 0);
  snprintf(down_processing, sizeof down_processing, "%s", r.dossier);
  accept = act(down_processing, "accept", "rc-2", "reception", "H13.X02");
  r = run(&accept, at("2026-08-28T08:30"), 0);
  assert_string_equal(iso(r.appointment_at), "2026-08-28T17:00:00+07:00");
  /* Birth registration filed Fri 28 Aug 09:00 and not checked: 8 working
   * hours, Fri 09:00-11:30 2.5 h and 13:00-17:00 4 h, then (Sat 29 to Wed 2
   * Sep off) Thu 3 Sep 07:30 + 1.5 h -> Thu 3 Sep 09:00. */
  c = submit("1.001193", "H13.X02", &f, "cd-t1");
  r = run(&c, at("2026-08-28T09:00"), 0);
  snprintf(down_reception, sizeof down_reception, "%s", r.dossier);
  history h = history_of(down_reception);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-09-03T09:00:00+07:00");
  h = history_of(down_processing);
  assert_string_equal(iso(last_of(&h)->warn[0]), "2026-08-28T11:30:00+07:00");
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-08-28T14:00:00+07:00");
  h = history_of(down_licence);
  assert_string_equal(iso(last_of(&h)->warn[0]), "2026-09-03T11:30:00+07:00");
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-09-03T17:00:00+07:00");

  /* Nothing of theirs is due at 10:00. */
  fire("2026-08-28T10:00");
  assert_int_equal(view_of(down_window).version, 2);
  assert_int_equal(view_of(down_licence).version, 2);
  assert_int_equal(view_of(down_processing).version, 2);
  assert_int_equal(view_of(down_reception).version, 1);

  /* Down from Fri 28 Aug 10:00 to Fri 4 Sep 08:00, over the National Day. */
  eng_close(eng);
  mc_buf why = MC_BUF_INIT;
  assert_int_equal(eng_open(fx_dir, NULL, &eng, &why), 0);
  mc_buf_free(&why);
  fire("2026-09-04T08:00");
  const char *now = "2026-09-04T08:00:00+07:00";
  fired_once(down_processing, "dossier.warned", "processing", "2026-08-28T11:30:00+07:00", now);
  fired_once(down_processing, "dossier.overdue", "processing", "2026-08-28T14:00:00+07:00", now);
  fired_once(down_window, "dossier.timed_out", "supplement", "2026-08-28T17:00:00+07:00", now);
  fired_once(down_reception, "dossier.overdue", "reception", "2026-09-03T09:00:00+07:00", now);
  fired_once(down_licence, "dossier.warned", "processing", "2026-09-03T11:30:00+07:00", now);
  fired_once(down_licence, "dossier.overdue", "processing", "2026-09-03T17:00:00+07:00", now);
  /* The appointments' own timers: the same-day birth registration passed
   * its appointment Fri 28 Aug 17:00 (the last day to extend, Thu 27, was
   * before its acceptance: no warning); the licence's last day to extend
   * one working day ahead of Mon 7 Sep is Fri 4 Sep, from its opening 07:30. */
  fired_once(down_processing, "dossier.deadline_passed", "", "2026-08-28T17:00:00+07:00", now);
  fired_once(down_licence, "dossier.deadline_near", "", "2026-09-04T07:30:00+07:00", now);
  assert_string_equal(view_of(down_window).state, "stopped");
  assert_int_equal(view_of(down_window).version, 3);
  assert_int_equal(view_of(down_processing).version, 5);
  assert_int_equal(view_of(down_licence).version, 5);
  assert_int_equal(view_of(down_reception).version, 2);
  /* The warned and overdue steps go on; nothing is left due. */
  assert_string_equal(view_of(down_processing).steps[0], "processing");
  assert_string_equal(view_of(down_reception).steps[0], "reception");
  mc_instant due;
  bool any;
  assert_int_equal(eng_next_due(eng, &due, &any), 0);
  if (any && due <= at("2026-09-04T08:00"))
    fail_msg("a timer due %s was left behind", iso(due));
  mc_buf_free(&f);
  mc_buf_free(&lf);
}

/* Firing again, at the same instant or later, appends nothing. */
static void timers_fired_twice_append_nothing_the_second_time(void **state) {
  (void)state;
  uint64_t before = head();
  int fired = -1;
  assert_int_equal(eng_fire_due(eng, at("2026-09-04T08:00"), &fired), 0);
  assert_int_equal(fired, 0);
  assert_int_equal(head(), before);
  /* Later, up to the next armed timer (or a week on when there is none). */
  mc_instant due, later = at("2026-09-11T08:00");
  bool any;
  assert_int_equal(eng_next_due(eng, &due, &any), 0);
  if (any && due - 1 < later)
    later = due - 1;
  assert_true(later > at("2026-09-04T08:00"));
  assert_int_equal(eng_fire_due(eng, later, &fired), 0);
  assert_int_equal(fired, 0);
  assert_int_equal(head(), before);
  /* And much later, nothing more for the dossiers of the downtime. */
  fire("2026-09-30T08:00");
  assert_int_equal(view_of(down_window).version, 3);
  assert_int_equal(view_of(down_processing).version, 5);
  /* but the licence's appointment passing, Mon 7 Sep 17:00, once */
  fired_once(down_licence, "dossier.deadline_passed", "", "2026-09-07T17:00:00+07:00", "2026-09-30T08:00:00+07:00");
  assert_int_equal(view_of(down_licence).version, 6);
  assert_int_equal(view_of(down_reception).version, 2);
  keep(down_processing, "2026-08-28T17:00:00+07:00");
  keep(down_licence, "2026-09-07T17:00:00+07:00");
}

/* A command that makes a timer moot takes it away: a step finished before
 * its warning, a supplement provided before its window closes.  A twin
 * dossier left alone shows the timer would have fired. */
static void timers_made_moot_by_a_command_never_fire(void **state) {
  (void)state;
  mc_buf f = MC_BUF_INIT;
  birth_form(&f, "0912000503");
  eng_command c = submit("1.001193", "H13.X02", &f, "cd-m1");
  char done[64], alone[64];
  snprintf(done, sizeof done, "%s", run(&c, at("2026-10-05T07:40"), 0).dossier);
  c = submit("1.001193", "H13.X02", &f, "cd-m2");
  snprintf(alone, sizeof alone, "%s", run(&c, at("2026-10-05T07:45"), 0).dossier);
  eng_command accept = act(done, "accept", "rc-2", "reception", "H13.X02");
  assert_string_equal(iso(run(&accept, at("2026-10-05T08:00"), 0).appointment_at), "2026-10-05T17:00:00+07:00");
  accept.dossier = alone;
  run(&accept, at("2026-10-05T08:00"), 0);
  /* Processing from Mon 5 Oct 08:00, 4 working hours: 08:00-11:30 3.5 h,
   * 13:00-13:30 -> 13:30; the warning 1 working hour before: 11:00. */
  history h = history_of(alone);
  assert_string_equal(iso(last_of(&h)->warn[0]), "2026-10-05T11:00:00+07:00");
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-10-05T13:30:00+07:00");
  /* Processed at 08:30 (signing, 2 working hours: 10:30), signed at 09:00
   * (the result, 1 working day: Tue 6 Oct 17:00). */
  eng_command approve = act(done, "approve", "sp-2", "specialist", "H13.X02");
  run(&approve, at("2026-10-05T08:30"), 0);
  eng_command sign = act(done, "approve", "ld-2", "leader", "H13.X02");
  run(&sign, at("2026-10-05T09:00"), 0);
  h = history_of(done);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-10-06T17:00:00+07:00");
  assert_int_equal(last_of(&h)->warn[0], 0);
  assert_string_equal(view_of(done).classification, "on_time");
  fire("2026-10-05T14:00");
  fired_once(alone, "dossier.warned", "processing", "2026-10-05T11:00:00+07:00", "2026-10-05T14:00:00+07:00");
  fired_once(alone, "dossier.overdue", "processing", "2026-10-05T13:30:00+07:00", "2026-10-05T14:00:00+07:00");
  assert_int_equal(view_of(done).version, 4);
  h = history_of(done);
  assert_int_equal(count_of(&h, "dossier.warned") + count_of(&h, "dossier.overdue"), 0);
  eng_command give = act(done, "return_result", "rc-2", "reception", "H13.X02");
  run(&give, at("2026-10-05T14:30"), 0);
  keep(done, "2026-10-05T17:00:00+07:00");

  /* The supplement window: asked Tue 6 Oct 10:00 + 15 days = Wed 21 Oct 17:00. */
  char provided[64], waiting[64];
  c = submit("1.001193", "H13.X03", &f, "cd-m3");
  snprintf(provided, sizeof provided, "%s", run(&c, at("2026-10-06T09:00"), 0).dossier);
  c = submit("1.001193", "H13.X03", &f, "cd-m4");
  snprintf(waiting, sizeof waiting, "%s", run(&c, at("2026-10-06T09:05"), 0).dossier);
  eng_command ask = act(provided, "request_supplement", "rc-3", "reception", "H13.X03");
  ask.act.reason = "Thiếu bản sao Căn cước của người mẹ";
  run(&ask, at("2026-10-06T10:00"), 0);
  ask.dossier = waiting;
  run(&ask, at("2026-10-06T10:00"), 0);
  h = history_of(provided);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-10-21T17:00:00+07:00");
  /* Provided on the last day, Wed 21 Oct 10:00: back at reception, 8 working
   * hours: Wed 10:00-11:30 1.5 h and 13:00-17:00 4 h, Thu 22 07:30 + 2.5 h ->
   * Thu 22 Oct 10:00, after the window would have closed. */
  eng_command provide = act(provided, "provide_supplement", "cd-m3", "applicant", NULL);
  run(&provide, at("2026-10-21T10:00"), 0);
  h = history_of(provided);
  assert_int_equal(last_of(&h)->ntokens, 1);
  assert_string_equal(iso(last_of(&h)->due[0]), "2026-10-22T10:00:00+07:00");
  fire("2026-10-21T17:30");
  fired_once(waiting, "dossier.timed_out", "supplement", "2026-10-21T17:00:00+07:00", "2026-10-21T17:30:00+07:00");
  assert_string_equal(view_of(waiting).state, "stopped");
  eng_dossier_view v = view_of(provided);
  assert_int_equal(v.version, 3);
  assert_string_equal(v.state, "submitted");
  assert_string_equal(v.steps[0], "reception");
  /* Accepted next morning, before its reception limit: the same day, 17:00. */
  accept = act(provided, "accept", "rc-3", "reception", "H13.X03");
  assert_string_equal(iso(run(&accept, at("2026-10-22T09:00"), 0).appointment_at), "2026-10-22T17:00:00+07:00");
  h = history_of(provided);
  assert_int_equal(count_of(&h, "dossier.timed_out") + count_of(&h, "dossier.overdue"), 0);
  keep(provided, "2026-10-22T17:00:00+07:00");
  mc_buf_free(&f);
}

/* ============================================================ 6. another TZ */

static void verify_projections(void) {
  store_verify_report report;
  memset(&report, 0, sizeof report);
  store_verify_options vo = {0};
  assert_int_equal(store_verify(eng_store(eng), &vo, &report), 0);
  if (report.problems)
    fail_msg("verify found %d problems:\n%s", report.problems, mc_buf_cstr(&report.text));
  mc_buf_free(&report.text);
}

/* Nothing in the engine reads the process's TZ: under Los Angeles time the
 * projections rebuilt from the log equal the ones kept, a reopened engine
 * shows every appointment as before in +07:00, and a new dossier gets its
 * code's day and its cut-off in Vietnam's time. */
static void replay_under_another_tz_changes_nothing(void **state) {
  (void)state;
  static eng_dossier_view before[16];
  assert_true(nkept >= 8);
  for (int i = 0; i < nkept; i++) {
    before[i] = view_of(kept[i].code);
    assert_string_equal(iso(before[i].appointment_at), kept[i].appointment);
  }
  const char *tz = getenv("TZ");
  char saved[128] = "";
  bool had_tz = tz != NULL;
  if (had_tz)
    snprintf(saved, sizeof saved, "%s", tz);
  setenv("TZ", "America/Los_Angeles", 1);
  tzset();
  /* The TZ took: 1 Nov 2026 12:00 UTC is 04:00 in Los Angeles (PST, -8). */
  time_t t = (time_t)(at("2026-11-01T19:00") / 1000);
  struct tm tm;
  assert_non_null(localtime_r(&t, &tm));
  assert_int_equal(tm.tm_hour, 4);

  verify_projections();
  eng_close(eng);
  mc_buf why = MC_BUF_INIT;
  assert_int_equal(eng_open(fx_dir, NULL, &eng, &why), 0);
  mc_buf_free(&why);
  for (int i = 0; i < nkept; i++) {
    eng_dossier_view v = view_of(kept[i].code);
    assert_string_equal(iso(v.appointment_at), kept[i].appointment);
    assert_string_equal(v.state, before[i].state);
    assert_string_equal(v.classification, before[i].classification);
    assert_string_equal(v.outcome, before[i].outcome);
    assert_int_equal(v.version, before[i].version);
    assert_int_equal(v.nsteps, before[i].nsteps);
    assert_int_equal(v.accepted_at, before[i].accepted_at);
    assert_int_equal(v.decided_at, before[i].decided_at);
    assert_int_equal(v.finished_at, before[i].finished_at);
    assert_int_equal(v.paused_since, before[i].paused_since);
    assert_int_equal(v.extended, before[i].extended);
  }
  /* Filed Mon 2 Nov 08:00 in Vietnam (Sun 1 Nov 17:00 in Los Angeles): the
   * code's day is 261102; accepted 15:30, after the cut-off: Tue 3 Nov 17:00. */
  mc_buf f = MC_BUF_INIT;
  birth_form(&f, "0912000601");
  eng_command c = submit("1.001193", "H13.X01", &f, "cd-z1");
  eng_result r = run(&c, at("2026-11-02T08:00"), 0);
  assert_non_null(strstr(r.dossier, "-261102-"));
  eng_command accept = act(r.dossier, "accept", "rc-1", "reception", "H13.X01");
  assert_string_equal(iso(run(&accept, at("2026-11-02T15:30"), 0).appointment_at), "2026-11-03T17:00:00+07:00");
  verify_projections();

  if (had_tz)
    setenv("TZ", saved, 1);
  else
    unsetenv("TZ");
  tzset();
  mc_buf_free(&f);
}

/* ============================================================ 7. hours on the clock */

/* ĐN Art. 15.2: the post delivers within 24 hours — plain hours, counted on
 * the clock whatever the office hours: birth registration's post office
 * step written `within 24 giờ`, the result handed to the post on Friday
 * 16:00 is due on Saturday 16:00. */
static void a_limit_in_hours_is_counted_on_the_clock(void **state) {
  (void)state;
  mc_buf text = MC_BUF_INIT, bytes = MC_BUF_INIT, f = MC_BUF_INIT;
  assert_int_equal(mc_file_read(MOTCUA_WORKFLOWS_DIR "/procedures/birth-registration.mc", 1 << 20, &text), 0);
  char *in_post = strstr(mc_buf_cstr(&text), "at \"H13.BD\" within 1 day state decided");
  assert_non_null(in_post);
  mc_buf source = MC_BUF_INIT;
  mc_buf_append(&source, text.data, (size_t)(in_post - mc_buf_cstr(&text)));
  mc_buf_append_str(&source, "at \"H13.BD\" within 24 giờ state decided");
  mc_buf_append_str(&source, in_post + strlen("at \"H13.BD\" within 1 day state decided"));
  compile_procedure("birth-24h.mc", mc_buf_cstr(&source), "nd118-2025", &bytes);
  eng_command pub = {.kind = ENG_CMD_PUBLISH, .actor = {"admin", "system_admin", NULL, "test"},
                     .publish = {.def_kind = ENG_DEF_PROCEDURE, .effective_from = at("2027-03-01T00:00"),
                                 .bytes = {bytes.data, bytes.len}}};
  run(&pub, at("2027-02-20T08:00"), 0);
  birth_form(&f, "0912000701");
  eng_command c = submit("1.001193", "H13.X01", &f, "cd-h1");
  const char *code = run(&c, at("2027-03-01T08:00"), 0).dossier;
  static const struct { const char *action, *role, *when; } steps[] = {
      {"accept", "reception", "2027-03-01T09:00"}, {"approve", "specialist", "2027-03-01T10:00"},
      {"approve", "leader", "2027-03-01T11:00"},   {"hand_to_post", "reception", "2027-03-05T16:00"}};
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    eng_command a = act(code, steps[i].action, "cb-h1", steps[i].role, "H13.X01");
    run(&a, at(steps[i].when), 0);
  }
  history h = history_of(code);
  assert_int_equal(last_of(&h)->ntokens, 1);
  assert_string_equal(iso(last_of(&h)->due[0]), "2027-03-06T16:00:00+07:00");
  mc_buf_free(&text);
  mc_buf_free(&source);
  mc_buf_free(&bytes);
  mc_buf_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(extension_once_in_time_then_classified_against_the_new_date),
      cmocka_unit_test(rejected_at_reception_with_reasons_and_no_timer_left),
      cmocka_unit_test(house_permit_online_from_filing_to_return),
      cmocka_unit_test(judicial_record_by_post_through_its_branches_to_the_post),
      cmocka_unit_test(supplement_with_a_paused_clock_moves_the_appointment_by_the_time_waited),
      cmocka_unit_test(timers_due_during_downtime_fire_once_at_restart),
      cmocka_unit_test(timers_fired_twice_append_nothing_the_second_time),
      cmocka_unit_test(timers_made_moot_by_a_command_never_fire),
      cmocka_unit_test(replay_under_another_tz_changes_nothing),
      cmocka_unit_test(a_limit_in_hours_is_counted_on_the_clock),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
