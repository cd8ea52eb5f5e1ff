/* test_compile.c — the compiled definitions: every bundled workflow compiles
 * cleanly; compiling twice gives the same bytes; the bytes are canonical and
 * decode back to what was written (round trip through msgpack-c); text is
 * NFC whatever the input method sent; a context file is not emitted and a
 * compiled file shadows it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/canon.h"
#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"
#include "dsl/machine.h"

#include <dirent.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSUB 3
static const char *const subdirs[NSUB] = {"policies", "agencies", "procedures"};

typedef struct bundle {
  mc_buf text[64];
  char name[64][1024];
  mc_source src[64];
  int n;
} bundle;

static void load_bundle(bundle *b) {
  b->n = 0;
  for (int s = 0; s < NSUB; s++) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", MOTCUA_WORKFLOWS_DIR, subdirs[s]);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && b->n < 64) {
      size_t len = strlen(e->d_name);
      if (len < 4 || strcmp(e->d_name + len - 3, ".mc") != 0)
        continue;
      snprintf(b->name[b->n], sizeof b->name[b->n], "%s/%s", dir, e->d_name);
      b->text[b->n] = (mc_buf)MC_BUF_INIT;
      assert_int_equal(mc_file_read(b->name[b->n], 1 << 20, &b->text[b->n]), 0);
      b->src[b->n] = (mc_source){b->name[b->n], mc_buf_cstr(&b->text[b->n]), b->text[b->n].len};
      b->n++;
    }
    closedir(d);
  }
}

static void free_bundle(bundle *b) {
  for (int i = 0; i < b->n; i++)
    mc_buf_free(&b->text[i]);
}

static dsl_compile *compile_sources(const mc_source *src, int n, const bool *context) {
  dsl_compile *c;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  assert_int_equal(dsl_compile_new(&c), 0);
  /* Reverse order the second time round must not change the bytes of a
   * definition: pass files as given. */
  for (int i = 0; i < n; i++)
    dsl_compile_add(c, &src[i], context ? context[i] : false, &sink);
  assert_int_equal(sink.errors, 0);
  assert_int_equal(dsl_compile_check(c, &sink), 0);
  return c;
}

static const dsl_artifact *find(const dsl_artifact *a, int n, const char *id) {
  for (int i = 0; i < n; i++)
    if (strcmp(a[i].id, id) == 0)
      return &a[i];
  return NULL;
}

static const msgpack_object *get(const msgpack_object *map, const char *key) {
  assert_int_equal(map->type, MSGPACK_OBJECT_MAP);
  for (uint32_t i = 0; i < map->via.map.size; i++) {
    const msgpack_object_kv *kv = &map->via.map.ptr[i];
    if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == strlen(key) &&
        memcmp(kv->key.via.str.ptr, key, kv->key.via.str.size) == 0)
      return &kv->val;
  }
  fail_msg("no key %s", key);
  return NULL;
}

static bool str_is(const msgpack_object *o, const char *s) {
  return o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) && memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

static void bundled_workflows_compile_to_the_same_bytes_twice(void **state) {
  (void)state;
  static bundle a, b;
  load_bundle(&a);
  load_bundle(&b);
  assert_true(a.n >= 11);
  dsl_compile *c1 = compile_sources(a.src, a.n, NULL);
  dsl_compile *c2 = compile_sources(b.src, b.n, NULL);
  const dsl_artifact *x, *y;
  int nx, ny;
  assert_int_equal(dsl_compile_emit(c1, &x, &nx), 0);
  assert_int_equal(dsl_compile_emit(c2, &y, &ny), 0);
  assert_int_equal(nx, 7 + 3 + 1); /* seven procedures, three policies, the directory */
  assert_int_equal(nx, ny);
  for (int i = 0; i < nx; i++) {
    const dsl_artifact *twin = find(y, ny, x[i].id);
    assert_non_null(twin);
    assert_int_equal(x[i].bytes.len, twin->bytes.len);
    assert_memory_equal(x[i].bytes.data, twin->bytes.data, x[i].bytes.len);
    assert_memory_equal(x[i].hash, twin->hash, sizeof x[i].hash);
    /* canonical, and the hash is over exactly these bytes */
    size_t where = 0;
    assert_int_equal(mc_canon_verify(x[i].bytes.data, x[i].bytes.len, &where), 0);
    uint8_t h[MC_SHA256_BYTES];
    mc_sha256_digest(x[i].bytes.data, x[i].bytes.len, h);
    assert_memory_equal(h, x[i].hash, sizeof h);
  }
  dsl_compile_free(c1);
  dsl_compile_free(c2);
  free_bundle(&a);
  free_bundle(&b);
}

static void decodes_back_to_the_process(void **state) {
  (void)state;
  static bundle a;
  load_bundle(&a);
  dsl_compile *c = compile_sources(a.src, a.n, NULL);
  const dsl_artifact *arts;
  int n;
  assert_int_equal(dsl_compile_emit(c, &arts, &n), 0);

  /* The judicial record certificate: a fork to the police and the court. */
  const dsl_artifact *jr = find(arts, n, "2.000488");
  assert_non_null(jr);
  msgpack_unpacked u;
  msgpack_unpacked_init(&u);
  size_t off = 0;
  assert_int_equal(msgpack_unpack_next(&u, (const char *)jr->bytes.data, jr->bytes.len, &off), MSGPACK_UNPACK_SUCCESS);
  assert_int_equal(off, jr->bytes.len);
  const msgpack_object *root = &u.data;
  assert_true(str_is(get(root, "code"), "2.000488"));
  assert_true(str_is(get(root, "kind"), "procedure"));
  assert_int_equal(get(root, "format")->via.u64, DSL_FORMAT_VERSION);
  assert_true(str_is(get(root, "level"), "province"));
  const msgpack_object *time = get(root, "time");
  assert_int_equal(get(time, "amount")->via.u64, 10);
  assert_true(str_is(get(time, "unit"), "calendar_days"));
  /* fee = 200.000 VND + 5.000 VND * form.extra_copies */
  const msgpack_object *fee = get(root, "fee");
  assert_int_equal(fee->type, MSGPACK_OBJECT_ARRAY);
  assert_true(str_is(&fee->via.array.ptr[0], "add"));
  assert_int_equal(fee->via.array.ptr[1].via.array.ptr[1].via.u64, 200000);
  const msgpack_object *nodes = get(root, "nodes");
  assert_int_equal(nodes->type, MSGPACK_OBJECT_ARRAY);
  assert_true(str_is(get(&nodes->via.array.ptr[0], "name"), "reception"));
  int fork = -1, join = -1;
  for (uint32_t i = 0; i < nodes->via.array.size; i++) {
    const msgpack_object *node = &nodes->via.array.ptr[i];
    if (str_is(get(node, "kind"), "fork"))
      fork = (int)i;
    if (str_is(get(node, "kind"), "join"))
      join = (int)i;
    /* every target is a node index in range or a final state */
    const msgpack_object *out = get(node, "out");
    for (uint32_t k = 0; k < out->via.array.size; k++) {
      const msgpack_object *target = get(&out->via.array.ptr[k], "target");
      if (target->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        assert_true(target->via.u64 < nodes->via.array.size);
      else
        assert_int_equal(target->type, MSGPACK_OBJECT_STR);
    }
  }
  assert_true(fork > 0 && join > fork);
  const msgpack_object *f = &nodes->via.array.ptr[fork];
  assert_int_equal(get(f, "join")->via.u64, (uint64_t)join);
  assert_true(str_is(get(f, "lead"), "H13.STP"));
  assert_int_equal(get(f, "out")->via.array.size, 2);
  const msgpack_object *police = &nodes->via.array.ptr[get(&get(f, "out")->via.array.ptr[0], "target")->via.u64];
  assert_true(str_is(get(police, "agency"), "H13.CA"));
  msgpack_unpacked_destroy(&u);

  /* The policy keeps its numbers: 8 working hours, the cut-off at 15:00. */
  const dsl_artifact *pol = find(arts, n, "nd118-2025");
  assert_non_null(pol);
  msgpack_unpacked_init(&u);
  off = 0;
  assert_int_equal(msgpack_unpack_next(&u, (const char *)pol->bytes.data, pol->bytes.len, &off), MSGPACK_UNPACK_SUCCESS);
  const msgpack_object *settings = get(&u.data, "settings");
  assert_int_equal(get(get(settings, "reception_limit"), "amount")->via.u64, 8);
  assert_true(str_is(get(get(settings, "reception_limit"), "unit"), "working_hours"));
  assert_int_equal(get(settings, "cutoff")->via.u64, 15 * 60);
  assert_true(str_is(get(settings, "supplement_clock"), "restart"));
  msgpack_unpacked_destroy(&u);
  dsl_compile_free(c);
  free_bundle(&a);
}

#define TINY_PROCEDURE \
    "procedure \"9.1\" \"%s\" {\n" \
    "  sector \"Tư pháp\" field \"Hộ tịch\" level commune online full\n" \
    "  time 1 working day policy \"p\" fee 0 VND\n" \
    "  step reception \"Tiếp nhận\" by reception within 1 working hour state submitted {\n" \
    "    on accept -> returned\n  }\n}\n"
static const char *const tiny_policy =
    "policy \"p\" \"P\" { reception_limit 1 working hour supplement_request_limit 3 working days\n"
    "  supplement_window 15 days supplement_clock pause feedback_answer_limit 3 working days\n"
    "  extension_notice 1 working day payment_pauses_clock no }\n";

static void hash_of(const char *name, uint8_t out[MC_SHA256_BYTES]) {
  char text[2048];
  snprintf(text, sizeof text, TINY_PROCEDURE, name);
  mc_source src[2] = {{"a.mc", text, strlen(text)}, {"p.mc", tiny_policy, strlen(tiny_policy)}};
  bool context[2] = {false, true};
  dsl_compile *c = compile_sources(src, 2, context);
  const dsl_artifact *arts;
  int n;
  assert_int_equal(dsl_compile_emit(c, &arts, &n), 0);
  assert_int_equal(n, 1); /* the context policy is not emitted */
  memcpy(out, arts[0].hash, MC_SHA256_BYTES);
  dsl_compile_free(c);
}

/* Compiles one procedure written in the test, with the bundled policy and
 * agency directory as context, and decodes it into `arena`. */
static dsl_machine *machine_of(const char *text, mc_arena *arena) {
  static const char *const context_files[] = {MOTCUA_WORKFLOWS_DIR "/policies/nd118-2025.mc",
                                              MOTCUA_WORKFLOWS_DIR "/agencies/bac-ninh.mc"};
  mc_buf ctx[2] = {MC_BUF_INIT, MC_BUF_INIT};
  mc_source src[3] = {{"test.mc", text, strlen(text)}};
  bool context[3] = {false, true, true};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(mc_file_read(context_files[i], 1 << 20, &ctx[i]), 0);
    src[i + 1] = (mc_source){context_files[i], mc_buf_cstr(&ctx[i]), ctx[i].len};
  }
  dsl_compile *c = compile_sources(src, 3, context);
  const dsl_artifact *arts;
  int n;
  dsl_machine *m = NULL;
  assert_int_equal(dsl_compile_emit(c, &arts, &n), 0);
  assert_int_equal(n, 1);
  assert_int_equal(dsl_machine_decode(arts[0].bytes.data, arts[0].bytes.len, arena, &m), 0);
  dsl_compile_free(c);
  for (int i = 0; i < 2; i++)
    mc_buf_free(&ctx[i]);
  return m;
}

#define TEST_CATALOGUE \
    "  sector \"Tư pháp\" field \"Hộ tịch\" level commune online full\n" \
    "  time 3 working days policy \"nd118-2025\" fee 0 VND\n"

/* `notify agency`: "agency" is a word of the language (agency "H13" {...}),
 * and a recipient after notify (docs/DSL.md). */
static void notify_agency_compiles(void **state) {
  (void)state;
  mc_arena arena = MC_ARENA_INIT;
  dsl_machine *m = machine_of(
      "procedure \"9.2\" \"Thủ tục thử\" {\n" TEST_CATALOGUE
      "  step reception \"Tiếp nhận\" by reception within policy.reception_limit state submitted {\n"
      "    on accept -> police   notify applicant \"accepted\" notify agency \"new_dossier\"\n  }\n"
      "  step police \"Công an xác minh\" by specialist at \"H13.CA\" within 2 working days state processing {\n"
      "    on answer -> result   notify agency \"new_dossier\"\n  }\n"
      "  step result \"Trả kết quả\" by reception within 1 working day state decided {\n"
      "    on return_result -> returned\n  }\n}\n",
      &arena);
  const dsl_m_transition *accept = &m->nodes[0].out[0];
  assert_int_equal(accept->nnotify, 2);
  assert_string_equal(accept->notify[1].who, "agency");
  assert_string_equal(accept->notify[1].template_name, "new_dossier");
  assert_string_equal(m->nodes[1].out[0].notify[0].who, "agency");
  mc_arena_free(&arena);
}

/* Durations and money as authors write them in Vietnamese (docs/DSL.md,
 * "Durations", "Fees"), also typed with a decomposing input method; plain
 * hours (the post delivers within 24 hours, ĐN Art. 15.2). */
static void vietnamese_units_and_money(void **state) {
  (void)state;
  mc_arena arena = MC_ARENA_INIT;
  dsl_machine *m = machine_of(
      "procedure \"9.3\" \"Thủ tục thử\" {\n"
      "  sector \"Tư pháp\" field \"Hộ tịch\" level commune online full\n"
      "  time 3 ngày làm việc policy \"nd118-2025\"\n"
      "  fee 100.000 VNĐ + 50.000 \xC4\x91o\xCC\x82\xCC\x80ng * form.copies\n" /* đồng, decomposed */
      "  form {\n    copies number label \"Số bản\" range 0..10\n  }\n"
      "  step reception \"Tiếp nhận\" by reception within 8 giờ làm việc state submitted {\n"
      "    warn 1 giờ làm việc before\n"
      "    on accept -> result\n  }\n"
      "  step result \"Trả kết quả\" by reception within 15 nga\xCC\x80y state decided {\n" /* ngày, decomposed */
      "    warn 1 ngày lịch before\n"
      "    on return_result -> returned\n    on hand_to_post -> in_post\n  }\n"
      "  step in_post \"Bưu chính chuyển phát\" by postal at \"H13.BD\" within 24 giờ state decided {\n"
      "    warn 2 hours before\n"
      "    on deliver -> returned\n  }\n}\n",
      &arena);
  assert_int_equal(m->time.amount, 3);
  assert_int_equal(m->time.unit, DSL_M_WORKING_DAYS);
  assert_int_equal(m->nodes[0].limit.amount, 8);
  assert_int_equal(m->nodes[0].limit.unit, DSL_M_WORKING_HOURS);
  assert_int_equal(m->nodes[0].warn.unit, DSL_M_WORKING_HOURS);
  assert_int_equal(m->nodes[1].limit.amount, 15);
  assert_int_equal(m->nodes[1].limit.unit, DSL_M_CALENDAR_DAYS);
  assert_int_equal(m->nodes[1].warn.unit, DSL_M_CALENDAR_DAYS);
  assert_int_equal(m->nodes[2].limit.amount, 24);
  assert_int_equal(m->nodes[2].limit.unit, DSL_M_HOURS);
  assert_int_equal(m->nodes[2].warn.amount, 2);
  assert_int_equal(m->nodes[2].warn.unit, DSL_M_HOURS);
  mc_buf text = MC_BUF_INIT;
  assert_int_equal(dsl_m_duration_format(&m->nodes[2].limit, &text), 0);
  assert_string_equal(mc_buf_cstr(&text), "24 hours");
  mc_buf_reset(&text);
  assert_int_equal(dsl_m_expr_format(m->fee, &text), 0);
  assert_string_equal(mc_buf_cstr(&text), "100000 VND + 50000 VND * form.copies");
  mc_buf_free(&text);
  mc_arena_free(&arena);
}

static void decomposed_text_compiles_to_the_same_definition(void **state) {
  (void)state;
  uint8_t composed[MC_SHA256_BYTES], decomposed[MC_SHA256_BYTES], other[MC_SHA256_BYTES];
  hash_of("Đăng ký khai sinh", composed);
  hash_of("\xC4\x90" "a\xCC\x86" "ng ky\xCC\x81 khai sinh", decomposed); /* a + U+0306, y + U+0301 */
  hash_of("Đăng ký kết hôn", other);
  assert_memory_equal(composed, decomposed, sizeof composed);
  assert_memory_not_equal(composed, other, sizeof composed);
}

static void machines_decode_and_refuse_damage(void **state) {
  (void)state;
  static bundle a;
  load_bundle(&a);
  dsl_compile *c = compile_sources(a.src, a.n, NULL);
  const dsl_artifact *arts;
  int n, procedures = 0;
  assert_int_equal(dsl_compile_emit(c, &arts, &n), 0);
  for (int i = 0; i < n; i++) {
    if (arts[i].kind != DSL_ARTIFACT_PROCEDURE)
      continue;
    procedures++;
    mc_arena arena = MC_ARENA_INIT;
    dsl_machine *m;
    assert_int_equal(dsl_machine_decode(arts[i].bytes.data, arts[i].bytes.len, &arena, &m), 0);
    assert_string_equal(m->code, arts[i].id);
    assert_string_equal(m->name, arts[i].title);
    assert_true(m->nnodes >= 2);
    assert_int_equal(m->nodes[0].kind, DSL_M_STEP);
    for (int k = 0; k < m->nnodes; k++)
      for (int t = 0; t < m->nodes[k].nout; t++) {
        const dsl_m_transition *tr = &m->nodes[k].out[t];
        assert_true(tr->target < m->nnodes);
        assert_true(tr->target >= 0 || tr->final != NULL);
      }
    /* Every truncation is refused, never a crash. */
    for (size_t len = 0; len < arts[i].bytes.len; len += 1 + len / 16) {
      mc_arena scratch = MC_ARENA_INIT;
      assert_int_not_equal(dsl_machine_decode(arts[i].bytes.data, len, &scratch, &m), 0);
      mc_arena_free(&scratch);
    }
    mc_arena_free(&arena);
  }
  assert_int_equal(procedures, 7);

  /* The judicial record: a fee formatted back as written, a fork with its join. */
  const dsl_artifact *jr = find(arts, n, "2.000488");
  mc_arena arena = MC_ARENA_INIT;
  dsl_machine *m;
  mc_buf text = MC_BUF_INIT;
  assert_int_equal(dsl_machine_decode(jr->bytes.data, jr->bytes.len, &arena, &m), 0);
  assert_int_equal(dsl_m_expr_format(m->fee, &text), 0);
  assert_string_equal(mc_buf_cstr(&text), "200000 VND + 5000 VND * form.extra_copies");
  mc_buf_reset(&text);
  assert_int_equal(dsl_m_duration_format(&m->time, &text), 0);
  assert_string_equal(mc_buf_cstr(&text), "10 days");
  int forks = 0;
  for (int k = 0; k < m->nnodes; k++)
    if (m->nodes[k].kind == DSL_M_FORK) {
      forks++;
      assert_int_equal(m->nodes[m->nodes[k].join].kind, DSL_M_JOIN);
      assert_string_equal(m->nodes[k].lead, "H13.STP");
    }
  assert_int_equal(forks, 1);
  mc_buf_free(&text);
  mc_arena_free(&arena);

  /* A policy is not a procedure. */
  const dsl_artifact *pol = find(arts, n, "nd118-2025");
  mc_arena other = MC_ARENA_INIT;
  assert_int_equal(dsl_machine_decode(pol->bytes.data, pol->bytes.len, &other, &m), MC_EPARSE);
  mc_arena_free(&other);
  dsl_compile_free(c);
  free_bundle(&a);
}

static void emit_requires_a_clean_check(void **state) {
  (void)state;
  dsl_compile *c;
  const dsl_artifact *arts;
  int n;
  mc_diag_sink quiet = {0};
  const char *text = "procedure \"1\" \"x\" { }";
  mc_source src = {"bad.mc", text, strlen(text)};
  assert_int_equal(dsl_compile_new(&c), 0);
  assert_int_equal(dsl_compile_add(c, &src, false, &quiet), 0);
  assert_int_equal(dsl_compile_check(c, &quiet), MC_EPARSE);
  assert_int_equal(dsl_compile_emit(c, &arts, &n), MC_EINVAL);
  dsl_compile_free(c);

  /* A file with syntax errors fails the check too, even if no check fires. */
  const char *broken = "procedure \"1\" {";
  mc_source bad = {"broken.mc", broken, strlen(broken)};
  assert_int_equal(dsl_compile_new(&c), 0);
  assert_int_equal(dsl_compile_add(c, &bad, false, &quiet), MC_EPARSE);
  assert_int_equal(dsl_compile_check(c, &quiet), MC_EPARSE);
  assert_int_equal(dsl_compile_emit(c, &arts, &n), MC_EINVAL);
  dsl_compile_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bundled_workflows_compile_to_the_same_bytes_twice),
      cmocka_unit_test(decodes_back_to_the_process),
      cmocka_unit_test(decomposed_text_compiles_to_the_same_definition),
      cmocka_unit_test(machines_decode_and_refuse_damage),
      cmocka_unit_test(emit_requires_a_clean_check),
      cmocka_unit_test(notify_agency_compiles),
      cmocka_unit_test(vietnamese_units_and_money),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
