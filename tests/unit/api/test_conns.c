/* test_conns.c — connections and their send queues (api/conns.c), without
 * a socket (wsi NULL: messages queue and nothing is written): messages
 * queued in up to three parts; frames batching a run of one encoding into a
 * JSON array or a msgpack array, stopping at a change of encoding and at
 * FRAME_BATCH_BYTES; popping; a client that reads too slowly is closed and
 * what follows dropped; connections counted by address; a connection that
 * lws closed while jobs hold it is freed at the last release (run under
 * ASan: no leak, no use after free), and its live subscriptions leave the
 * index at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/runtime.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv *new_srv(int max_queued) {
  srv *s = calloc(1, sizeof *s);
  assert_non_null(s);
  s->cfg.max_queued = max_queued;
  srv_subs_init(&s->subs);
  return s;
}

/* Every connection gone (freed: none is held), the index empty. */
static void free_srv(srv *s) {
  while (s->conns)
    srv_conn_gone(s->conns);
  assert_int_equal(s->nconns, 0);
  assert_int_equal(s->subs.nlive, 0);
  assert_int_equal(s->subs.nkeys, 0);
  srv_subs_free(&s->subs);
  free(s);
}

static void send_text(conn *c, const char *text) { srv_conn_send_parts(c, text, strlen(text), NULL, 0, NULL, 0, false); }

static void send_bin(conn *c, const void *bytes, size_t len) { srv_conn_send_parts(c, bytes, len, NULL, 0, NULL, 0, true); }

/* The i-th message of the queue (0: the head). */
static const out_msg *queued(const conn *c, int i) {
  const out_msg *o = c->qhead;
  while (o && i--)
    o = o->next;
  assert_non_null(o);
  return o;
}

static void msg_is(const out_msg *o, const void *bytes, size_t len, bool binary) {
  assert_int_equal(o->len, len);
  assert_int_equal(o->binary, binary);
  assert_memory_equal(o->buf + LWS_PRE, bytes, len);
}

/* The frame as text (JSON frames only). */
static void frame_is_text(mc_buf *f, const char *want) {
  assert_int_equal(f->len, LWS_PRE + strlen(want));
  if (memcmp(f->data + LWS_PRE, want, strlen(want)) != 0)
    fail_msg("frame \"%.*s\", expected \"%s\"", (int)(f->len - LWS_PRE), (const char *)f->data + LWS_PRE, want);
}

/* ============================================================ queues and frames */

static void opened_and_registered(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *a = srv_conn_open(s, NULL, "10.0.0.1");
  conn *b = srv_conn_open(s, NULL, "10.0.0.2");
  assert_non_null(a);
  assert_non_null(b);
  assert_int_equal(a->id, 1);
  assert_int_equal(b->id, 2);
  assert_ptr_equal(a->s, s);
  assert_null(a->wsi);
  assert_string_equal(a->addr, "10.0.0.1");
  assert_int_equal(s->nconns, 2);
  assert_int_equal(s->m.connections_total, 2);
  assert_ptr_equal(s->conns, b); /* the newest first */
  assert_ptr_equal(b->next, a);
  assert_ptr_equal(a->prev, b);
  assert_true(srv_conn_alive(a));
  assert_int_equal(a->qlen, 0);
  assert_null(a->qhead);
  free_srv(s);
}

static void messages_queue_in_order_from_their_parts(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  send_text(c, "{\"a\":1}");
  srv_conn_send_parts(c, "{\"b\":", 5, "2", 1, "}", 1, false);
  srv_conn_send_parts(c, NULL, 0, NULL, 0, "{\"c\":3}", 7, false);
  srv_conn_send_parts(c, "{\"d\":", 5, NULL, 0, "4}", 2, false);
  json_t *m = json_pack("{s:s}", "e", "5");
  srv_conn_send(c, m, false);
  json_decref(m);
  assert_int_equal(c->qlen, 5);
  msg_is(queued(c, 0), "{\"a\":1}", 7, false);
  msg_is(queued(c, 1), "{\"b\":2}", 7, false);
  msg_is(queued(c, 2), "{\"c\":3}", 7, false);
  msg_is(queued(c, 3), "{\"d\":4}", 7, false);
  msg_is(queued(c, 4), "{\"e\":\"5\"}", 9, false);
  assert_null(queued(c, 4)->next);
  assert_ptr_equal(c->qtail, &queued(c, 4)->next);
  free_srv(s);
}

static void a_run_of_text_is_one_json_array(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  mc_buf f = MC_BUF_INIT;
  bool binary = true;
  assert_int_equal(srv_conn_frame(c, &f, &binary), 0); /* nothing queued */
  assert_int_equal(f.len, 0);

  send_text(c, "{\"a\":1}");
  send_text(c, "{\"b\":2}");
  send_text(c, "{\"c\":3}");
  static const uint8_t m1[] = {0x81, 0xa1, 'x', 0x01}; /* {"x":1} */
  send_bin(c, m1, sizeof m1);
  send_text(c, "{\"d\":4}");
  assert_int_equal(c->qlen, 5);

  /* The three texts, up to the binary message. */
  assert_int_equal(srv_conn_frame(c, &f, &binary), 3);
  assert_false(binary);
  frame_is_text(&f, "[{\"a\":1},{\"b\":2},{\"c\":3}]");
  json_error_t err;
  json_t *arr = json_loadb((const char *)f.data + LWS_PRE, f.len - LWS_PRE, 0, &err);
  assert_non_null(arr);
  assert_int_equal(json_array_size(arr), 3);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 2), "c")), 3);
  json_decref(arr);
  /* Framing takes nothing off the queue. */
  assert_int_equal(c->qlen, 5);
  assert_int_equal(srv_conn_frame(c, &f, &binary), 3);

  srv_conn_pop(c, 3);
  assert_int_equal(c->qlen, 2);
  /* One binary message alone: as it is, not in an array. */
  assert_int_equal(srv_conn_frame(c, &f, &binary), 1);
  assert_true(binary);
  assert_int_equal(f.len, LWS_PRE + sizeof m1);
  assert_memory_equal(f.data + LWS_PRE, m1, sizeof m1);
  srv_conn_pop(c, 1);
  /* One text message alone: no brackets. */
  assert_int_equal(srv_conn_frame(c, &f, &binary), 1);
  assert_false(binary);
  frame_is_text(&f, "{\"d\":4}");
  srv_conn_pop(c, 1);
  assert_int_equal(c->qlen, 0);
  assert_null(c->qhead);
  assert_ptr_equal(c->qtail, &c->qhead);
  assert_int_equal(srv_conn_frame(c, &f, &binary), 0);
  assert_int_equal(f.len, 0);

  /* The queue works on after it emptied. */
  send_text(c, "{\"e\":5}");
  send_text(c, "{\"f\":6}");
  assert_int_equal(srv_conn_frame(c, &f, &binary), 2);
  frame_is_text(&f, "[{\"e\":5},{\"f\":6}]");
  mc_buf_free(&f);
  free_srv(s);
}

static void a_run_of_msgpack_is_one_array(void **state) {
  (void)state;
  srv *s = new_srv(64);
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  mc_buf f = MC_BUF_INIT;
  bool binary = false;
  static const uint8_t m1[] = {0x81, 0xa1, 'x', 0x01}, m2[] = {0x81, 0xa1, 'y', 0x02}, m3[] = {0x80};
  send_bin(c, m1, sizeof m1);
  send_bin(c, m2, sizeof m2);
  send_bin(c, m3, sizeof m3);
  send_text(c, "{\"a\":1}");
  send_bin(c, m1, sizeof m1);
  assert_int_equal(srv_conn_frame(c, &f, &binary), 3);
  assert_true(binary);
  static const uint8_t want[] = {0x93, 0x81, 0xa1, 'x', 0x01, 0x81, 0xa1, 'y', 0x02, 0x80};
  assert_int_equal(f.len, LWS_PRE + sizeof want);
  assert_memory_equal(f.data + LWS_PRE, want, sizeof want);
  srv_conn_pop(c, 3);
  assert_int_equal(srv_conn_frame(c, &f, &binary), 1); /* the text, up to the binary one */
  assert_false(binary);
  frame_is_text(&f, "{\"a\":1}");
  srv_conn_pop(c, 2);
  assert_int_equal(c->qlen, 0);

  /* Fifteen: still a fixarray; twenty: an array 16. */
  for (int i = 0; i < 15; i++)
    send_bin(c, m3, sizeof m3);
  assert_int_equal(srv_conn_frame(c, &f, &binary), 15);
  assert_int_equal(f.len, LWS_PRE + 1 + 15);
  assert_int_equal(f.data[LWS_PRE], 0x9f);
  for (int i = 0; i < 15; i++)
    assert_int_equal(f.data[LWS_PRE + 1 + i], 0x80);
  for (int i = 0; i < 5; i++)
    send_bin(c, m3, sizeof m3);
  assert_int_equal(srv_conn_frame(c, &f, &binary), 20);
  assert_int_equal(f.len, LWS_PRE + 3 + 20);
  assert_int_equal(f.data[LWS_PRE], 0xdc);
  assert_int_equal(f.data[LWS_PRE + 1], 0);
  assert_int_equal(f.data[LWS_PRE + 2], 20);
  for (int i = 0; i < 20; i++)
    assert_int_equal(f.data[LWS_PRE + 3 + i], 0x80);
  /* Popping more than are queued empties it. */
  srv_conn_pop(c, 100);
  assert_int_equal(c->qlen, 0);
  assert_null(c->qhead);
  assert_ptr_equal(c->qtail, &c->qhead);
  mc_buf_free(&f);
  free_srv(s);
}

/* A frame holds up to FRAME_BATCH_BYTES: large messages go in several. */
static void a_frame_stops_at_its_size(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  size_t big = 30000;
  char *text = malloc(big + 1);
  assert_non_null(text);
  text[0] = '"';
  memset(text + 1, 'a', big - 2);
  text[big - 1] = '"';
  text[big] = '\0';
  for (int i = 0; i < 3; i++)
    send_text(c, text);
  mc_buf f = MC_BUF_INIT;
  bool binary;
  assert_int_equal(srv_conn_frame(c, &f, &binary), 2);
  assert_int_equal(f.len, LWS_PRE + 2 * big + 3);
  assert_int_equal(f.data[LWS_PRE], '[');
  assert_int_equal(f.data[LWS_PRE + 1 + big], ',');
  assert_int_equal(f.data[f.len - 1], ']');
  srv_conn_pop(c, 2);
  assert_int_equal(srv_conn_frame(c, &f, &binary), 1);
  assert_int_equal(f.len, LWS_PRE + big);
  srv_conn_pop(c, 1);
  /* One message larger than a frame still goes, alone. */
  char *huge = malloc(FRAME_BATCH_BYTES + 10);
  assert_non_null(huge);
  memset(huge, 'b', FRAME_BATCH_BYTES + 10);
  srv_conn_send_parts(c, huge, FRAME_BATCH_BYTES + 10, NULL, 0, NULL, 0, false);
  send_text(c, "{}");
  assert_int_equal(srv_conn_frame(c, &f, &binary), 1);
  assert_int_equal(f.len, LWS_PRE + FRAME_BATCH_BYTES + 10);
  free(huge);
  free(text);
  mc_buf_free(&f);
  free_srv(s);
}

/* ============================================================ slow clients */

static void a_client_that_reads_too_slowly_is_closed(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  conn *other = srv_conn_open(s, NULL, "10.0.0.2");
  char text[32];
  for (int i = 0; i < 8; i++) {
    snprintf(text, sizeof text, "{\"n\":%d}", i);
    send_text(c, text);
  }
  assert_int_equal(c->qlen, 8);
  assert_false(c->closing);
  assert_true(srv_conn_alive(c));
  /* The ninth does not fit: the connection closes, the message is dropped. */
  send_text(c, "{\"n\":8}");
  assert_true(c->closing);
  assert_false(srv_conn_alive(c));
  assert_int_equal(c->close_status, LWS_CLOSE_STATUS_POLICY_VIOLATION);
  assert_non_null(strstr(c->close_reason, "reads too slowly"));
  assert_int_equal(c->qlen, 8);
  msg_is(queued(c, 7), "{\"n\":7}", 7, false);
  /* What follows is dropped, even once the queue drains. */
  send_text(c, "{\"n\":9}");
  assert_int_equal(c->qlen, 8);
  srv_conn_pop(c, 8);
  send_text(c, "{\"n\":10}");
  json_t *m = json_pack("{s:i}", "n", 11);
  srv_conn_send(c, m, false);
  json_decref(m);
  assert_int_equal(c->qlen, 0);
  assert_null(c->qhead);
  /* A second close keeps the first reason. */
  srv_conn_close(c, 1000, "another reason");
  assert_int_equal(c->close_status, LWS_CLOSE_STATUS_POLICY_VIOLATION);
  assert_non_null(strstr(c->close_reason, "reads too slowly"));
  /* The other connection is not touched. */
  assert_false(other->closing);
  send_text(other, "{}");
  assert_int_equal(other->qlen, 1);
  free_srv(s);
}

static void closed_on_purpose(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  send_text(c, "{\"bye\":1}");
  srv_conn_close(c, 1000, "the server stops");
  assert_true(c->closing);
  assert_int_equal(c->close_status, 1000);
  assert_string_equal(c->close_reason, "the server stops");
  /* What was queued stays (it goes out before the close frame). */
  assert_int_equal(c->qlen, 1);
  send_text(c, "{}");
  assert_int_equal(c->qlen, 1);
  free_srv(s);
}

/* ============================================================ addresses */

static void connections_are_counted_by_address(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *a = srv_conn_open(s, NULL, "10.0.0.1");
  srv_conn_open(s, NULL, "10.0.0.2");
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  srv_conn_open(s, NULL, "10.0.0.1");
  srv_conn_open(s, NULL, "10.0.0.10");
  assert_int_equal(srv_conn_count_from(s, "10.0.0.1"), 3);
  assert_int_equal(srv_conn_count_from(s, "10.0.0.2"), 1);
  assert_int_equal(srv_conn_count_from(s, "10.0.0.10"), 1);
  assert_int_equal(srv_conn_count_from(s, "10.0.0.3"), 0);
  assert_int_equal(srv_conn_count_from(s, "10.0.0."), 0);
  srv_conn_gone(c); /* the middle of the list */
  assert_int_equal(srv_conn_count_from(s, "10.0.0.1"), 2);
  srv_conn_gone(a); /* the tail */
  assert_int_equal(srv_conn_count_from(s, "10.0.0.1"), 1);
  assert_int_equal(s->nconns, 3);
  srv_conn_gone(s->conns); /* the head */
  assert_int_equal(s->nconns, 2);
  assert_int_equal(srv_conn_count_from(s, "10.0.0.1"), 1);
  assert_int_equal(srv_conn_count_from(s, "10.0.0.10"), 0);
  /* A closing connection still counts: it is open until lws closes it. */
  srv_conn_close(s->conns, 1000, "bye");
  assert_int_equal(srv_conn_count_from(s, "10.0.0.1") + srv_conn_count_from(s, "10.0.0.2"), 2);
  free_srv(s);
}

/* ============================================================ lifetime */

static sub live_sub(const char *id, const char *scope, const char *key) {
  sub sb;
  memset(&sb, 0, sizeof sb);
  snprintf(sb.id, sizeof sb.id, "%s", id);
  snprintf(sb.scope, sizeof sb.scope, "%s", scope);
  if (!strcmp(scope, "agency"))
    snprintf(sb.agency, sizeof sb.agency, "%s", key);
  else if (!strcmp(scope, "dossier"))
    snprintf(sb.dossier, sizeof sb.dossier, "%s", key);
  else if (!strcmp(scope, "mine"))
    snprintf(sb.account, sizeof sb.account, "%s", key);
  sb.live = true;
  return sb;
}

/* Jobs hold a connection lws closed: it is freed at the last release (ASan
 * reports a use after free if sooner, a leak if never). */
static void a_held_connection_is_freed_at_the_last_release(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *keep = srv_conn_open(s, NULL, "10.0.0.9");
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  send_text(c, "{\"queued\":1}");
  sub sb = live_sub("s1", "agency", "H13.X01");
  assert_non_null(srv_conn_sub_add(c, &sb));
  srv_conn_hold(c);
  srv_conn_hold(c);
  assert_int_equal(c->jobs, 2);
  srv_conn_gone(c);
  /* Unregistered at once, still there for its jobs. */
  assert_int_equal(s->nconns, 1);
  assert_ptr_equal(s->conns, keep);
  assert_null(keep->next);
  assert_null(keep->prev);
  assert_int_equal(srv_conn_count_from(s, "10.0.0.1"), 0);
  assert_true(c->gone);
  assert_false(srv_conn_alive(c));
  assert_int_equal(c->jobs, 2);
  assert_int_equal(c->qlen, 1);
  /* A reply for a gone connection is dropped. */
  send_text(c, "{\"reply\":1}");
  assert_int_equal(c->qlen, 1);
  srv_conn_release(c);
  assert_int_equal(c->jobs, 1); /* still readable: not freed */
  assert_true(c->gone);
  srv_conn_release(c); /* freed here: its queue and subscription with it */
  assert_int_equal(s->nconns, 1);

  /* Held and released before it goes: freed when lws closes it. */
  conn *d = srv_conn_open(s, NULL, "10.0.0.1");
  srv_conn_hold(d);
  srv_conn_release(d);
  assert_int_equal(d->jobs, 0);
  assert_false(d->gone);
  assert_int_equal(srv_conn_count_from(s, "10.0.0.1"), 1);
  srv_conn_gone(d);
  assert_int_equal(srv_conn_count_from(s, "10.0.0.1"), 0);
  free_srv(s);
}

/* lws closed it: its live subscriptions leave the index at once, even while
 * jobs hold it; another connection's under the same key stay. */
static void a_gone_connection_leaves_the_index(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *c = srv_conn_open(s, NULL, "10.0.0.1"), *other = srv_conn_open(s, NULL, "10.0.0.2");
  sub a = live_sub("s1", "agency", "H13.X01"), all = live_sub("s2", "all", ""),
      mine = live_sub("s3", "mine", "027190001111"), d = live_sub("s4", "dossier", "H13.X01-260504-0001");
  sub catching = live_sub("s5", "agency", "H13.X02");
  catching.live = false; /* still catching up: not in the index */
  sub *ca = srv_conn_sub_add(c, &a), *call = srv_conn_sub_add(c, &all);
  sub *cm = srv_conn_sub_add(c, &mine), *cd = srv_conn_sub_add(c, &d), *cc = srv_conn_sub_add(c, &catching);
  assert_non_null(ca);
  assert_non_null(call);
  assert_non_null(cm);
  assert_non_null(cd);
  assert_non_null(cc);
  assert_ptr_equal(ca->c, c);
  assert_int_equal(c->nsubs, 5);
  sub oa = live_sub("s1", "agency", "H13.X01");
  sub *o = srv_conn_sub_add(other, &oa);
  assert_int_equal(s->subs.nlive, 5);
  assert_int_equal(s->subs.nkeys, 3);
  assert_null(srv_subs_under(&s->subs, SUB_BY_AGENCY, "H13.X02"));
  assert_ptr_equal(srv_subs_under(&s->subs, SUB_BY_ACCOUNT, "027190001111"), cm);
  assert_ptr_equal(srv_subs_under(&s->subs, SUB_BY_DOSSIER, "H13.X01-260504-0001"), cd);
  assert_ptr_equal(s->subs.all, call);

  srv_conn_hold(c);
  srv_conn_gone(c);
  assert_int_equal(s->subs.nlive, 1);
  assert_int_equal(s->subs.nkeys, 1);
  assert_null(s->subs.all);
  assert_null(srv_subs_under(&s->subs, SUB_BY_ACCOUNT, "027190001111"));
  assert_null(srv_subs_under(&s->subs, SUB_BY_DOSSIER, "H13.X01-260504-0001"));
  sub *head = srv_subs_under(&s->subs, SUB_BY_AGENCY, "H13.X01");
  assert_ptr_equal(head, o);
  assert_null(head->next_in);
  srv_conn_release(c);
  assert_int_equal(s->subs.nlive, 1);
  free_srv(s);
}

/* Subscriptions of a connection: at most CONN_MAX_SUBS; removed out of the
 * index; a hello as another account refiles the "mine" ones. */
static void subscriptions_of_a_connection(void **state) {
  (void)state;
  srv *s = new_srv(8);
  conn *c = srv_conn_open(s, NULL, "10.0.0.1");
  char id[16], agency[32];
  for (int i = 0; i < CONN_MAX_SUBS; i++) {
    snprintf(id, sizeof id, "s%d", i + 1);
    snprintf(agency, sizeof agency, "A%d", i);
    sub sb = live_sub(id, "agency", agency);
    assert_non_null(srv_conn_sub_add(c, &sb));
  }
  sub extra = live_sub("s99", "agency", "A99");
  assert_null(srv_conn_sub_add(c, &extra));
  assert_int_equal(c->nsubs, CONN_MAX_SUBS);
  assert_int_equal(s->subs.nlive, CONN_MAX_SUBS);
  assert_null(srv_subs_under(&s->subs, SUB_BY_AGENCY, "A99"));
  /* The third goes: the last takes its place. */
  srv_conn_sub_remove(c, 2);
  assert_int_equal(c->nsubs, CONN_MAX_SUBS - 1);
  assert_string_equal(c->subs[2]->id, "s16");
  assert_null(srv_subs_under(&s->subs, SUB_BY_AGENCY, "A2"));
  assert_non_null(srv_subs_under(&s->subs, SUB_BY_AGENCY, "A15"));
  assert_int_equal(s->subs.nlive, CONN_MAX_SUBS - 1);
  while (c->nsubs)
    srv_conn_sub_remove(c, 0);
  assert_int_equal(s->subs.nlive, 0);
  assert_int_equal(s->subs.nkeys, 0);

  /* "mine" follows the account of a new hello. */
  principal p;
  memset(&p, 0, sizeof p);
  p.authed = true;
  snprintf(p.acct.id, sizeof p.acct.id, "027190001111");
  srv_conn_set_principal(c, &p);
  sub m = live_sub("s20", "mine", "027190001111");
  sub *cm = srv_conn_sub_add(c, &m);
  sub waiting = live_sub("s21", "mine", "027190001111");
  waiting.live = false;
  sub *cw = srv_conn_sub_add(c, &waiting);
  assert_ptr_equal(srv_subs_under(&s->subs, SUB_BY_ACCOUNT, "027190001111"), cm);
  snprintf(p.acct.id, sizeof p.acct.id, "027190002222");
  srv_conn_set_principal(c, &p);
  assert_null(srv_subs_under(&s->subs, SUB_BY_ACCOUNT, "027190001111"));
  sub *now = srv_subs_under(&s->subs, SUB_BY_ACCOUNT, "027190002222");
  assert_ptr_equal(now, cm);
  assert_null(now->next_in); /* the one catching up is not filed by the hello */
  assert_string_equal(cm->account, "027190002222");
  assert_string_equal(cw->account, "027190002222");
  assert_null(cw->key);
  assert_string_equal(c->who.acct.id, "027190002222");
  assert_int_equal(s->subs.nlive, 1);
  free_srv(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(opened_and_registered),
      cmocka_unit_test(messages_queue_in_order_from_their_parts),
      cmocka_unit_test(a_run_of_text_is_one_json_array),
      cmocka_unit_test(a_run_of_msgpack_is_one_array),
      cmocka_unit_test(a_frame_stops_at_its_size),
      cmocka_unit_test(a_client_that_reads_too_slowly_is_closed),
      cmocka_unit_test(closed_on_purpose),
      cmocka_unit_test(connections_are_counted_by_address),
      cmocka_unit_test(a_held_connection_is_freed_at_the_last_release),
      cmocka_unit_test(a_gone_connection_leaves_the_index),
      cmocka_unit_test(subscriptions_of_a_connection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
