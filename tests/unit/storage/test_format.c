/* test_format.c — storage/format.c: one event, one byte string (NFC text
 * included); the decoder reads back every field, refuses a newer format with
 * MC_EFORMAT and anything else unexpected with MC_ECORRUPT. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_test.h"

#include "storage/store-int.h"

static const uint8_t prev[MC_SHA256_BYTES] = {1, 2, 3};
static const uint8_t defn[MC_SHA256_BYTES] = {9, 9, 9};

static void encode(mc_buf *out, const char *stream, const char *who) {
  mc_buf data = MC_BUF_INIT;
  payload(&data, 135000, "lệ phí");
  store_event_in in = event_in(stream, 0, "fee_paid", INT64_C(1770688800000), &data);
  in.actor.who = who;
  in.causation = "cmd-1";
  in.definition_hash = defn;
  assert_int_equal(store__record_encode(NULL, &in, stream, 42, 3, "client-cmd-9", prev, out), 0);
  mc_buf_free(&data);
}

static void same_event_same_bytes(void **state) {
  (void)state;
  mc_buf a = MC_BUF_INIT, b = MC_BUF_INIT, c = MC_BUF_INIT;
  encode(&a, "dossier/1", "Nguy\xe1\xbb\x85n");        /* precomposed ễ */
  encode(&b, "dossier/1", "Nguye\xcc\x82\xcc\x83n");   /* decomposed, as IMEs send */
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  assert_int_equal(mc_canon_verify(a.data, a.len, NULL), 0);
  encode(&c, "dossier/2", "Nguy\xe1\xbb\x85n");
  assert_true(a.len != c.len || memcmp(a.data, c.data, a.len) != 0);
  /* The first bytes are fixed by the layout: a map of 13, key "actor". */
  assert_int_equal(a.data[0], 0x8d);
  assert_memory_equal(a.data + 1, "\xa5" "actor", 6);
  mc_buf_free(&a);
  mc_buf_free(&b);
  mc_buf_free(&c);
}

static void decoding_gives_back_every_field(void **state) {
  (void)state;
  mc_buf rec = MC_BUF_INIT;
  store_event ev;
  encode(&rec, "dossier/1", "lan");
  assert_int_equal(store__record_decode(rec.data, rec.len, 42, &ev), 0);
  assert_int_equal(ev.seq, 42);
  assert_int_equal(ev.version, 3);
  assert_int_equal(ev.format, STORE_FORMAT_VERSION);
  assert_int_equal(ev.time, INT64_C(1770688800000));
  assert_int_equal(ev.stream.len, 9);
  assert_memory_equal(ev.stream.ptr, "dossier/1", 9);
  assert_memory_equal(ev.type.ptr, "fee_paid", 8);
  assert_memory_equal(ev.who.ptr, "lan", 3);
  assert_memory_equal(ev.role.ptr, "reception", 9);
  assert_memory_equal(ev.causation.ptr, "cmd-1", 5);
  assert_null(ev.correlation.ptr);
  assert_memory_equal(ev.command.ptr, "client-cmd-9", 12);
  assert_memory_equal(ev.definition_hash, defn, MC_SHA256_BYTES);
  assert_memory_equal(ev.prev, prev, MC_SHA256_BYTES);
  assert_int_equal(mc_canon_verify(ev.data, ev.data_len, NULL), 0);
  /* Stored under another key: refused. */
  assert_int_equal(store__record_decode(rec.data, rec.len, 41, &ev), MC_ECORRUPT);
  /* Cut short anywhere: refused, never read beyond. */
  for (size_t n = 0; n < rec.len; n++)
    assert_int_equal(store__record_decode(rec.data, n, 42, &ev), MC_ECORRUPT);
  mc_buf_free(&rec);
}

/* A record as a later motcua might write it: "fmt" 2 and a new key. */
static void write_future(mc_buf *out, uint64_t fmt, bool extra_key) {
  mc_canon w;
  mc_buf_reset(out);
  mc_canon_init(&w, out);
  mc_canon_map(&w, extra_key ? 14 : 13);
  mc_canon_key(&w, "actor");
  mc_canon_map(&w, 3);
  mc_canon_kv_str(&w, "client", "");
  mc_canon_kv_str(&w, "role", "");
  mc_canon_kv_str(&w, "who", "");
  if (extra_key) {
    mc_canon_key(&w, "attach");
    mc_canon_array(&w, 1);
    mc_canon_bin(&w, prev, 32);
  }
  mc_canon_key(&w, "cause"); mc_canon_nil(&w);
  mc_canon_key(&w, "cmd"); mc_canon_nil(&w);
  mc_canon_key(&w, "corr"); mc_canon_nil(&w);
  mc_canon_key(&w, "data"); mc_canon_bin(&w, "\x80", 1);
  mc_canon_key(&w, "defn"); mc_canon_nil(&w);
  mc_canon_key(&w, "fmt"); mc_canon_uint(&w, fmt);
  mc_canon_key(&w, "prev"); mc_canon_bin(&w, prev, 32);
  mc_canon_key(&w, "seq"); mc_canon_uint(&w, 1);
  mc_canon_kv_str(&w, "stream", "s");
  mc_canon_kv_int(&w, "time", 1);
  mc_canon_kv_str(&w, "type", "t");
  mc_canon_key(&w, "ver"); mc_canon_uint(&w, 1);
  assert_int_equal(mc_canon_finish(&w), 0);
}

static void a_newer_format_is_named_as_such(void **state) {
  (void)state;
  mc_buf rec = MC_BUF_INIT;
  store_event ev;
  write_future(&rec, 1, false);
  assert_int_equal(store__record_decode(rec.data, rec.len, 1, &ev), 0); /* the helper is right */
  write_future(&rec, 2, true);
  assert_int_equal(store__record_decode(rec.data, rec.len, 1, &ev), MC_EFORMAT);
  write_future(&rec, 1, true); /* an unknown key in our own format: damage */
  assert_int_equal(store__record_decode(rec.data, rec.len, 1, &ev), MC_ECORRUPT);
  mc_buf_free(&rec);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(same_event_same_bytes),
      cmocka_unit_test(decoding_gives_back_every_field),
      cmocka_unit_test(a_newer_format_is_named_as_such),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
