/* test_catalogue.c — the public catalogue (api/catalogue.c) over a data
 * directory with the bundled workflows published: folding for search
 * ("Đăng ký khai sinh" -> "dang ky khai sinh", also from decomposed input),
 * search by words with or without diacritics, as prefixes, all of which must
 * match, the exact filters, the procedure pages (documents, results, e-form
 * fields, the agencies of other steps), and the agencies offering each
 * procedure as workflows/agencies/bac-ninh.mc says. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/api/fixture.h"

#include "api/catalogue.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/error.h"
#include "engine/engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];
static eng_engine *eng;
static catalogue *cat;

static mc_instant at(const char *iso) { return api_fx_at(iso); }

static int setup(void **state) {
  (void)state;
  return api_fx_open("catalogue", dir, &eng) == 0 && srv_catalogue_build(eng, at("2025-12-01T09:00"), &cat) == 0 ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  srv_catalogue_free(cat);
  return api_fx_close(dir, eng);
}

/* ============================================================ folding */

static void folds_to(const char *text, const char *want) {
  mc_buf out = MC_BUF_INIT;
  assert_int_equal(srv_catalogue_fold(text, &out), 0);
  if (strcmp(mc_buf_cstr(&out), want) != 0)
    fail_msg("fold(\"%s\") = \"%s\", expected \"%s\"", text, mc_buf_cstr(&out), want);
  assert_int_equal(out.len, strlen(want)); /* the NUL is not counted */
  mc_buf_free(&out);
}

static void fold_drops_diacritics_and_case(void **state) {
  (void)state;
  folds_to("Đăng ký khai sinh", "dang ky khai sinh");
  /* Decomposed (NFD): Đ has no decomposition; ă + grave, y + acute as marks. */
  folds_to("\xC4\x90" "a\xCC\x86\xCC\x80ng ky\xCC\x81 khai sinh", "dang ky khai sinh");
  folds_to("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh");
  folds_to("Cấp Phiếu lý lịch tư pháp", "cap phieu ly lich tu phap");
  folds_to("Hộ tịch", "ho tich");
  folds_to("Đường bộ", "duong bo");
  folds_to("Thửa 12, tờ bản đồ 5", "thua 12 to ban do 5");
}

static void fold_collapses_punctuation_to_single_spaces(void **state) {
  (void)state;
  folds_to("  Phản ánh,   kiến nghị!!  (PAKN)  ", "phan anh kien nghi pakn");
  folds_to("1.001193", "1 001193");
  folds_to("a--b__c", "a b c");
  folds_to("!!!", "");
  folds_to("", "");
  folds_to("khai\tsinh\n", "khai sinh");
  /* A no-break space is a space. */
  folds_to("khai\xC2\xA0sinh", "khai sinh");
}

/* Typographic punctuation (dashes, curly quotes) separates words too. */
static void fold_treats_typographic_punctuation_as_space(void **state) {
  (void)state;
  /* Was a bug, now fixed: api/catalogue.c srv_catalogue_fold turns only ASCII non-alphanumerics
   * into spaces (`ch < 0x80 && !isalnum(ch)`); any other byte is kept, so an
   * en dash or curly quotes stay inside the words: "“khai sinh”" folds to
   * "“khai sinh”" and a query typed with smart quotes or a dash (as phones
   * and word processors produce) finds nothing. */
  folds_to("Khai sinh \xE2\x80\x93 kết hôn", "khai sinh ket hon");          /* en dash */
  folds_to("\xE2\x80\x9C" "khai sinh" "\xE2\x80\x9D", "khai sinh");          /* curly quotes */
  json_t *r = srv_catalogue_search(cat, &(catalogue_query){.q = "\xE2\x80\x9C" "khai sinh" "\xE2\x80\x9D"});
  assert_int_equal(json_integer_value(json_object_get(r, "count")), 1);
  json_decref(r);
}

static void fold_appends(void **state) {
  (void)state;
  mc_buf out = MC_BUF_INIT;
  mc_buf_append_str(&out, "x:");
  assert_int_equal(srv_catalogue_fold("Khai Sinh", &out), 0);
  assert_string_equal(mc_buf_cstr(&out), "x:khai sinh");
  /* Nothing to add: the text before stays as it was. */
  assert_int_equal(srv_catalogue_fold(" ? ", &out), 0);
  assert_string_equal(mc_buf_cstr(&out), "x:khai sinh");
  mc_buf_free(&out);
  mc_buf bad = MC_BUF_INIT;
  assert_true(srv_catalogue_fold("\xff\xfe", &bad) < 0); /* not UTF-8 */
  mc_buf_free(&bad);
}

/* ============================================================ search */

/* The codes found, sorted, joined by commas. */
static char *codes(json_t *result) {
  static char out[512];
  const char *list[32];
  size_t n = 0, i;
  json_t *p;
  json_t *procs = json_object_get(result, "procedures");
  assert_true(json_is_array(procs));
  assert_int_equal(json_integer_value(json_object_get(result, "count")), json_array_size(procs));
  json_array_foreach(procs, i, p) {
    assert_true(n < 32);
    list[n++] = json_string_value(json_object_get(p, "code"));
  }
  for (size_t a = 1; a < n; a++)
    for (size_t b = a; b > 0 && strcmp(list[b - 1], list[b]) > 0; b--) {
      const char *t = list[b];
      list[b] = list[b - 1];
      list[b - 1] = t;
    }
  out[0] = '\0';
  for (i = 0; i < n; i++) {
    if (i)
      strcat(out, ",");
    strcat(out, list[i]);
  }
  return out;
}

static void finds(const catalogue_query *q, const char *want) {
  json_t *r = srv_catalogue_search(cat, q);
  assert_non_null(r);
  const char *got = codes(r);
  if (strcmp(got, want) != 0)
    fail_msg("q=\"%s\" sector=%s field=%s level=%s online=%s agency=%s: found \"%s\", expected \"%s\"",
             q->q ? q->q : "(null)", q->sector ? q->sector : "-", q->field ? q->field : "-",
             q->level ? q->level : "-", q->online ? q->online : "-", q->agency ? q->agency : "-", got, want);
  json_decref(r);
}

#define ALL "1.000894,1.001193,1.002835,1.009995,2.000488,2.000575,PAKN"
#define COMMUNE "1.000894,1.001193,1.009995,2.000575"

static void seven_procedures_are_in_effect(void **state) {
  (void)state;
  assert_int_equal(srv_catalogue_count(cat), 7);
  finds(&(catalogue_query){0}, ALL);
  finds(&(catalogue_query){.q = ""}, ALL);
  finds(&(catalogue_query){.q = "  ,. "}, ALL);
}

static void words_match_with_or_without_diacritics(void **state) {
  (void)state;
  finds(&(catalogue_query){.q = "khai sinh"}, "1.001193");
  finds(&(catalogue_query){.q = "Khai Sinh"}, "1.001193");
  finds(&(catalogue_query){.q = "KHAI SINH"}, "1.001193");
  finds(&(catalogue_query){.q = "đăng ký"}, "1.000894,1.001193,2.000575");
  finds(&(catalogue_query){.q = "dang ky"}, "1.000894,1.001193,2.000575");
  /* Decomposed input, as some keyboards send it. */
  finds(&(catalogue_query){.q = "\xC4\x90" "a\xCC\x86\xCC\x80ng ky\xCC\x81"}, "1.000894,1.001193,2.000575");
  /* The sector and the field are searched too. */
  finds(&(catalogue_query){.q = "tư pháp"}, "1.000894,1.001193,2.000488");
  finds(&(catalogue_query){.q = "ho tich"}, "1.000894,1.001193");
  finds(&(catalogue_query){.q = "lý lịch"}, "2.000488");
  finds(&(catalogue_query){.q = "giay phep"}, "1.002835,1.009995");
  finds(&(catalogue_query){.q = "kiến nghị"}, "PAKN");
  /* And the code. */
  finds(&(catalogue_query){.q = "1.001193"}, "1.001193");
  finds(&(catalogue_query){.q = "pakn"}, "PAKN");
}

static void words_are_prefixes_and_all_must_match(void **state) {
  (void)state;
  finds(&(catalogue_query){.q = "khai"}, "1.001193");
  finds(&(catalogue_query){.q = "kha"}, "1.001193");
  finds(&(catalogue_query){.q = "khaix"}, "");
  finds(&(catalogue_query){.q = "sinhx"}, "");
  /* "ai" is inside "khai" but starts no word. */
  finds(&(catalogue_query){.q = "ai"}, "");
  finds(&(catalogue_query){.q = "xay"}, "1.009995");
  finds(&(catalogue_query){.q = "khai hon"}, "");
  finds(&(catalogue_query){.q = "dang ky hon"}, "1.000894");
  finds(&(catalogue_query){.q = "ket hon"}, "1.000894");
  finds(&(catalogue_query){.q = "hon ket"}, "1.000894");
  finds(&(catalogue_query){.q = "khai sinh zzz"}, "");
}

static void filters_are_exact(void **state) {
  (void)state;
  finds(&(catalogue_query){.sector = "Tư pháp"}, "1.000894,1.001193,2.000488");
  finds(&(catalogue_query){.sector = "Tu phap"}, "");
  finds(&(catalogue_query){.field = "Hộ tịch"}, "1.000894,1.001193");
  finds(&(catalogue_query){.level = "province"}, "1.002835,2.000488,PAKN");
  finds(&(catalogue_query){.level = "commune"}, COMMUNE);
  finds(&(catalogue_query){.online = "partial"}, "1.000894,1.009995");
  finds(&(catalogue_query){.online = "full"}, "1.001193,1.002835,2.000488,2.000575,PAKN");
  finds(&(catalogue_query){.online = ""}, ALL); /* empty: no filter */
  finds(&(catalogue_query){.agency = "H13.X02"}, COMMUNE);
  finds(&(catalogue_query){.agency = "H13.STP"}, "2.000488");
  finds(&(catalogue_query){.agency = "H13.CA"}, "1.002835");
  finds(&(catalogue_query){.agency = "H13.TTHCC"}, "PAKN");
  /* The post office does steps but offers nothing; an unknown agency nothing. */
  finds(&(catalogue_query){.agency = "H13.BD"}, "");
  finds(&(catalogue_query){.agency = "H13.X99"}, "");
  /* Words and filters together. */
  finds(&(catalogue_query){.q = "dang ky", .online = "partial"}, "1.000894");
  finds(&(catalogue_query){.q = "tu phap", .level = "province"}, "2.000488");
  finds(&(catalogue_query){.q = "khai sinh", .agency = "H13.STP"}, "");
  finds(&(catalogue_query){.q = "khai sinh", .agency = "H13.X03", .sector = "Tư pháp", .field = "Hộ tịch",
                           .level = "commune", .online = "full"},
        "1.001193");
}

/* The search result of birth registration, as docs/PROTOCOL.md shows it. */
static void a_result_is_the_summary_of_the_protocol(void **state) {
  (void)state;
  json_t *r = srv_catalogue_search(cat, &(catalogue_query){.q = "khai sinh"});
  json_error_t err;
  json_t *want = json_loads("{\"procedures\": [{\"code\": \"1.001193\", \"name\": \"Đăng ký khai sinh\", \"sector\": "
                            "\"Tư pháp\", \"field\": \"Hộ tịch\", \"level\": \"commune\", \"online\": \"full\", "
                            "\"time\": \"0 working days\", \"agencies\": [\"H13.X01\", \"H13.X02\", \"H13.X03\"]}], "
                            "\"count\": 1}",
                            0, &err);
  assert_non_null(want);
  if (!json_equal(r, want)) {
    char *s = json_dumps(r, JSON_SORT_KEYS);
    fail_msg("got %s", s);
  }
  json_decref(want);
  json_decref(r);
}

/* ============================================================ pages */

static json_t *field_named(json_t *page, const char *name) {
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(page, "fields"), i, f) if (!strcmp(json_string_value(json_object_get(f, "name")), name)) return f;
  fail_msg("no field %s", name);
  return NULL;
}

static void equal_to(json_t *got, const char *want_text) {
  json_error_t err;
  json_t *want = json_loads(want_text, 0, &err);
  if (want == NULL)
    fail_msg("bad expectation %s: %s", want_text, err.text);
  if (!json_equal(got, want)) {
    char *s = json_dumps(got, JSON_SORT_KEYS);
    fail_msg("got %s\nexpected %s", s, want_text);
  }
  json_decref(want);
}

static void the_page_of_birth_registration(void **state) {
  (void)state;
  json_t *p = srv_catalogue_page(cat, "1.001193");
  assert_non_null(p);
  assert_string_equal(json_string_value(json_object_get(p, "code")), "1.001193");
  assert_string_equal(json_string_value(json_object_get(p, "name")), "Đăng ký khai sinh");
  assert_string_equal(json_string_value(json_object_get(p, "policy")), "nd118-2025");
  assert_string_equal(json_string_value(json_object_get(p, "time")), "0 working days");
  assert_true(json_is_string(json_object_get(p, "fee")));
  assert_true(json_is_false(json_object_get(p, "refundable")));
  equal_to(json_object_get(p, "agencies"), "[\"H13.X01\", \"H13.X02\", \"H13.X03\"]");
  /* Its result can be sent by post: the post office does the in_post step. */
  equal_to(json_object_get(p, "step_agencies"), "[\"H13.BD\"]");
  equal_to(json_object_get(p, "documents"),
           "[{\"name\": \"to_khai\", \"title\": \"Tờ khai đăng ký khai sinh\", \"count\": 1, \"original\": true, "
           "\"eform\": true, \"blank\": null}, {\"name\": \"giay_chung_sinh\", \"title\": \"Giấy chứng sinh\", "
           "\"count\": 1, \"original\": true, \"eform\": false, \"blank\": null}]");
  equal_to(json_object_get(p, "results"), "[{\"name\": \"giay_khai_sinh\", \"title\": \"Giấy khai sinh (bản chính)\"}]");
  assert_int_equal(json_array_size(json_object_get(p, "fields")), 8);
  equal_to(field_named(p, "child_name"), "{\"name\": \"child_name\", \"label\": \"Họ, chữ đệm và tên của trẻ\", "
                                         "\"type\": \"text\", \"required\": true, \"min\": 1, \"max\": 100}");
  equal_to(field_named(p, "gender"), "{\"name\": \"gender\", \"label\": \"Giới tính\", \"type\": \"enum\", "
                                     "\"required\": true, \"values\": [\"Nam\", \"Nữ\"]}");
  equal_to(field_named(p, "copies"), "{\"name\": \"copies\", \"label\": \"Số bản sao giấy khai sinh\", "
                                     "\"type\": \"number\", \"required\": false, \"min\": 0, \"max\": 10}");
  json_t *father = field_named(p, "father_id");
  assert_string_equal(json_string_value(json_object_get(father, "type")), "citizen_id");
  assert_true(json_is_false(json_object_get(father, "required")));
  assert_string_equal(json_string_value(json_object_get(father, "help")), "Bỏ trống nếu chưa xác định cha");
  assert_string_equal(json_string_value(json_object_get(field_named(p, "birth_date"), "type")), "date");
  assert_string_equal(json_string_value(json_object_get(field_named(p, "phone"), "type")), "phone");
  json_decref(p);
}

static void pages_of_other_procedures(void **state) {
  (void)state;
  /* The judicial record: checks by the police and the court, result by post. */
  json_t *p = srv_catalogue_page(cat, "2.000488");
  assert_non_null(p);
  equal_to(json_object_get(p, "agencies"), "[\"H13.STP\"]");
  json_t *steps = json_object_get(p, "step_agencies");
  assert_int_equal(json_array_size(steps), 3);
  bool ca = false, tand = false, bd = false;
  size_t i;
  json_t *a;
  json_array_foreach(steps, i, a) {
    ca |= !strcmp(json_string_value(a), "H13.CA");
    tand |= !strcmp(json_string_value(a), "H13.TAND");
    bd |= !strcmp(json_string_value(a), "H13.BD");
  }
  assert_true(ca && tand && bd);
  assert_string_equal(json_string_value(json_object_get(p, "time")), "10 days");
  json_decref(p);
  /* Feedback: every step at the filing agency. */
  p = srv_catalogue_page(cat, "PAKN");
  assert_non_null(p);
  equal_to(json_object_get(p, "step_agencies"), "[]");
  assert_string_equal(json_string_value(json_object_get(p, "time")), "3 working days");
  json_decref(p);
  p = srv_catalogue_page(cat, "1.009995");
  assert_string_equal(json_string_value(json_object_get(p, "time")), "15 days");
  assert_string_equal(json_string_value(json_object_get(p, "online")), "partial");
  json_decref(p);
  assert_null(srv_catalogue_page(cat, "9.999999"));
  assert_null(srv_catalogue_page(cat, ""));
  assert_string_equal(srv_catalogue_name(cat, "1.001193"), "Đăng ký khai sinh");
  assert_string_equal(srv_catalogue_name(cat, "1.002835"), "Cấp đổi giấy phép lái xe");
  assert_null(srv_catalogue_name(cat, "9.999999"));
}

/* workflows/agencies/bac-ninh.mc: four at every commune, three at one agency. */
static void agencies_follow_the_directory_offers(void **state) {
  (void)state;
  static const struct {
    const char *code, *agencies;
  } offers[] = {
      {"1.001193", "[\"H13.X01\", \"H13.X02\", \"H13.X03\"]"}, {"1.000894", "[\"H13.X01\", \"H13.X02\", \"H13.X03\"]"},
      {"2.000575", "[\"H13.X01\", \"H13.X02\", \"H13.X03\"]"}, {"1.009995", "[\"H13.X01\", \"H13.X02\", \"H13.X03\"]"},
      {"2.000488", "[\"H13.STP\"]"},                         {"1.002835", "[\"H13.CA\"]"},
      {"PAKN", "[\"H13.TTHCC\"]"},
  };
  for (size_t i = 0; i < sizeof offers / sizeof offers[0]; i++) {
    json_t *p = srv_catalogue_page(cat, offers[i].code);
    if (p == NULL)
      fail_msg("no page for %s", offers[i].code);
    equal_to(json_object_get(p, "agencies"), offers[i].agencies);
    json_decref(p);
  }
}

/* Only what is in effect at the build's instant. */
static void only_definitions_in_effect(void **state) {
  (void)state;
  catalogue *before;
  assert_int_equal(srv_catalogue_build(eng, at("2024-12-31T23:59"), &before), 0);
  assert_int_equal(srv_catalogue_count(before), 0);
  json_t *r = srv_catalogue_search(before, &(catalogue_query){0});
  assert_int_equal(json_integer_value(json_object_get(r, "count")), 0);
  json_decref(r);
  assert_null(srv_catalogue_page(before, "1.001193"));
  srv_catalogue_free(before);
  /* Feedback retired from 2026: left out after that date, there before. */
  eng_command retire = {.kind = ENG_CMD_RETIRE, .actor = {"root", "system_admin", NULL, "test"},
                        .expected_version = STORE_ANY_VERSION,
                        .retire = {.def_kind = ENG_DEF_PROCEDURE, .id = "PAKN",
                                   .effective_from = at("2026-01-01T00:00")}};
  eng_result res;
  assert_int_equal(eng_execute(eng, &retire, 1, at("2025-12-02T09:00"), &res), 0);
  if (res.status != 0)
    fail_msg("retiring PAKN: %s", res.message);
  catalogue *later, *now;
  assert_int_equal(srv_catalogue_build(eng, at("2026-01-02T09:00"), &later), 0);
  assert_int_equal(srv_catalogue_count(later), 6);
  assert_null(srv_catalogue_page(later, "PAKN"));
  /* Who takes part in a procedure is kept for every version, retired ones
   * too: its open dossiers are still read by those agencies. */
  assert_non_null(srv_catalogue_step_agencies(later, "PAKN"));
  const json_t *judicial = srv_catalogue_step_agencies(later, "2.000488");
  assert_non_null(judicial);
  assert_true(json_array_size(judicial) >= 2);
  assert_null(srv_catalogue_step_agencies(later, "9.999999"));
  assert_int_equal(srv_catalogue_build(eng, at("2025-12-15T09:00"), &now), 0);
  assert_int_equal(srv_catalogue_count(now), 7);
  srv_catalogue_free(later);
  srv_catalogue_free(now);
  srv_catalogue_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fold_drops_diacritics_and_case),
      cmocka_unit_test(fold_collapses_punctuation_to_single_spaces),
      cmocka_unit_test(fold_treats_typographic_punctuation_as_space),
      cmocka_unit_test(fold_appends),
      cmocka_unit_test(seven_procedures_are_in_effect),
      cmocka_unit_test(words_match_with_or_without_diacritics),
      cmocka_unit_test(words_are_prefixes_and_all_must_match),
      cmocka_unit_test(filters_are_exact),
      cmocka_unit_test(a_result_is_the_summary_of_the_protocol),
      cmocka_unit_test(the_page_of_birth_registration),
      cmocka_unit_test(pages_of_other_procedures),
      cmocka_unit_test(agencies_follow_the_directory_offers),
      cmocka_unit_test(only_definitions_in_effect),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
