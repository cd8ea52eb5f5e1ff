/* test_decode.c — each kind of compiled definition read back by its decoder
 * (dsl/defs.h): the bundled policies, templates and directory compiled from
 * their sources, decoded, and every field equal to what the source says. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/file.h"
#include "dsl/defs.h"
#include "dsl/dsl.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#define MAXF 64
static mc_buf texts[MAXF];
static char names[MAXF][1024];
static mc_source srcs[MAXF];
static int nsrc;
static dsl_compile *compiled;
static const dsl_artifact *artifacts;
static int nartifacts;

static int setup(void **state) {
  static const char *const subdirs[] = {"policies", "agencies", "procedures", "templates"};
  (void)state;
  for (size_t s = 0; s < sizeof subdirs / sizeof subdirs[0]; s++) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", MOTCUA_WORKFLOWS_DIR, subdirs[s]);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && nsrc < MAXF) {
      size_t len = strlen(e->d_name);
      if (len < 4 || strcmp(e->d_name + len - 3, ".mc") != 0)
        continue;
      snprintf(names[nsrc], sizeof names[nsrc], "%s/%s", dir, e->d_name);
      texts[nsrc] = (mc_buf)MC_BUF_INIT;
      if (mc_file_read(names[nsrc], 1 << 20, &texts[nsrc]) != 0)
        return -1;
      srcs[nsrc] = (mc_source){names[nsrc], mc_buf_cstr(&texts[nsrc]), texts[nsrc].len};
      nsrc++;
    }
    if (d)
      closedir(d);
  }
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  if (dsl_compile_new(&compiled))
    return -1;
  for (int i = 0; i < nsrc; i++)
    dsl_compile_add(compiled, &srcs[i], false, &sink);
  if (sink.errors || dsl_compile_check(compiled, &sink) || dsl_compile_emit(compiled, &artifacts, &nartifacts))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  dsl_compile_free(compiled);
  for (int i = 0; i < nsrc; i++)
    mc_buf_free(&texts[i]);
  return 0;
}

static const dsl_artifact *artifact(dsl_artifact_kind kind, const char *id) {
  for (int i = 0; i < nartifacts; i++)
    if (artifacts[i].kind == kind && !strcmp(artifacts[i].id, id))
      return &artifacts[i];
  fail_msg("no %s %s compiled", dsl_artifact_kind_name(kind), id);
  return NULL;
}

/* workflows/policies/nd118-2025.mc */
static void a_policy_decodes_to_its_settings(void **state) {
  (void)state;
  mc_arena a = MC_ARENA_INIT;
  dsl_d_policy *p;
  const dsl_artifact *art = artifact(DSL_ARTIFACT_POLICY, "nd118-2025");
  assert_int_equal(dsl_policy_decode(art->bytes.data, art->bytes.len, &a, &p), 0);
  assert_string_equal(p->id, "nd118-2025");
  assert_string_equal(p->title, "Nghị định 118/2025/NĐ-CP");
  assert_true(p->has_cutoff);
  assert_int_equal(p->cutoff_min, 15 * 60);
  assert_true(p->supplement_restarts);
  assert_true(p->payment_pauses_clock);
  static const struct {
    const char *key;
    int64_t amount;
    dsl_m_unit unit;
  } limits[] = {
      {"reception_limit", 8, DSL_M_WORKING_HOURS},      {"supplement_request_limit", 3, DSL_M_WORKING_DAYS},
      {"supplement_window", 15, DSL_M_CALENDAR_DAYS},   {"feedback_answer_limit", 3, DSL_M_WORKING_DAYS},
      {"extension_notice", 1, DSL_M_WORKING_DAYS},
  };
  assert_int_equal(p->nlimits, 5);
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
    const dsl_d_limit *l = dsl_policy_limit(p, limits[i].key);
    assert_non_null(l);
    assert_int_equal(l->amount, limits[i].amount);
    assert_int_equal(l->unit, limits[i].unit);
  }
  assert_null(dsl_policy_limit(p, "cutoff"));
  mc_arena_free(&a);

  /* workflows/policies/bn-2018.mc: the clock pauses, no cut-off. */
  art = artifact(DSL_ARTIFACT_POLICY, "bn-2018");
  assert_int_equal(dsl_policy_decode(art->bytes.data, art->bytes.len, &a, &p), 0);
  assert_false(p->has_cutoff);
  assert_false(p->supplement_restarts);
  assert_int_equal(dsl_policy_limit(p, "reception_limit")->amount, 1);
  mc_arena_free(&a);
}

/* workflows/templates/officials.mc */
static void a_template_decodes_to_its_texts(void **state) {
  (void)state;
  mc_arena a = MC_ARENA_INIT;
  dsl_d_template *t;
  const dsl_artifact *art = artifact(DSL_ARTIFACT_TEMPLATE, "new_dossier");
  assert_int_equal(dsl_template_decode(art->bytes.data, art->bytes.len, &a, &t), 0);
  assert_string_equal(t->name, "new_dossier");
  assert_string_equal(t->subject, "Hồ sơ mới {dossier.code}: {procedure.name}");
  assert_string_equal(t->body, "Hồ sơ {dossier.code} ({procedure.name}) vừa được nộp lúc {submitted_at}.\n"
                               "Đề nghị kiểm tra và tiếp nhận trong thời hạn quy định.");
  assert_string_equal(t->sms, "Ho so moi {dossier.code} can tiep nhan.");
  /* Another kind is not a template. */
  art = artifact(DSL_ARTIFACT_POLICY, "nd118-2025");
  assert_int_equal(dsl_template_decode(art->bytes.data, art->bytes.len, &a, &t), MC_EPARSE);
  mc_arena_free(&a);
}

/* workflows/agencies/bac-ninh.mc */
static void the_directory_decodes_to_its_agencies_and_offers(void **state) {
  (void)state;
  dsl_directory *d;
  const dsl_artifact *art = artifact(DSL_ARTIFACT_DIRECTORY, "directory");
  assert_int_equal(dsl_directory_decode(art->bytes.data, art->bytes.len, &d), 0);
  const dsl_d_agency *h = dsl_directory_find(d, "H13.TTHCC");
  assert_non_null(h);
  assert_string_equal(h->name, "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh");
  assert_string_equal(h->level, "province");
  assert_string_equal(h->parent, "H13");
  assert_string_equal(h->calendar, "vn");
  assert_string_equal(h->email, "tthcc@bacninh.gov.vn");
  assert_string_equal(h->phone, "0222 3999 888");
  assert_null(h->address);
  assert_null(h->website);
  assert_int_equal(h->ndepartments, 1);
  assert_string_equal(h->departments[0].code, "TN");
  assert_string_equal(h->departments[0].name, "Bộ phận tiếp nhận và trả kết quả");
  const dsl_d_agency *top = dsl_directory_find(d, "H13"), *x01 = dsl_directory_find(d, "H13.X01");
  assert_null(top->parent);
  assert_string_equal(top->email, "ubnd@bacninh.gov.vn");
  assert_string_equal(top->address, "Số 10 đường Phù Đổng Thiên Vương, phường Suối Hoa, tỉnh Bắc Ninh");
  assert_int_equal(top->ndepartments, 0);
  const dsl_d_agency *stp = dsl_directory_find(d, "H13.STP");
  assert_int_equal(stp->ndepartments, 2);
  assert_string_equal(stp->departments[1].code, "LLTP");
  assert_string_equal(stp->departments[1].name, "Phòng Lý lịch tư pháp");
  assert_string_equal(x01->name, "Ủy ban nhân dân phường Kinh Bắc");
  assert_string_equal(x01->level, "commune");
  assert_null(dsl_directory_find(d, "H99"));

  /* offer "1.001193" at every commune; offer "2.000488" at "H13.STP" */
  uint32_t na, no;
  const dsl_d_agency *agencies = dsl_directory_agencies(d, &na);
  const dsl_d_offer *offers = dsl_directory_offers(d, &no);
  assert_int_equal(na, dsl_directory_agency_count(d));
  bool birth = false, judicial = false;
  for (uint32_t i = 0; i < no; i++) {
    if (!strcmp(offers[i].procedure, "1.001193")) {
      birth = true;
      assert_string_equal(offers[i].every, "commune");
      assert_null(offers[i].agency);
      assert_true(dsl_directory_offer_is_at(&offers[i], x01));
      assert_false(dsl_directory_offer_is_at(&offers[i], h));
    } else if (!strcmp(offers[i].procedure, "2.000488")) {
      judicial = true;
      assert_string_equal(offers[i].agency, "H13.STP");
      assert_true(dsl_directory_offer_is_at(&offers[i], dsl_directory_find(d, "H13.STP")));
      assert_false(dsl_directory_offer_is_at(&offers[i], x01));
    }
  }
  assert_true(birth && judicial);
  for (uint32_t i = 1; i < na; i++)
    assert_true(strcmp(agencies[i - 1].code, agencies[i].code) < 0);
  dsl_directory_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_policy_decodes_to_its_settings),
      cmocka_unit_test(a_template_decodes_to_its_texts),
      cmocka_unit_test(the_directory_decodes_to_its_agencies_and_offers),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
