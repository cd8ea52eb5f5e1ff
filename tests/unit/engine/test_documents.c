/* test_documents.c — a document of a dossier as several files (a paper
 * photographed page by page): checked as the command brings them, recorded
 * in the event, kept and read back, reused whole, and each file traced to
 * the dossier that first referenced it; and the procedure's results, which
 * the official brings with approve or return_result, shown as issued. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/hash.h"
#include "engine/engine.h"

#include <msgpack.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

static const char *const page1 = "1111111111111111111111111111111111111111111111111111111111111111";
static const char *const page2 = "2222222222222222222222222222222222222222222222222222222222222222";
static const char *const page3 = "3333333333333333333333333333333333333333333333333333333333333333";
/* The result's own files (a file is traced to the first dossier that referenced it). */
static const char *const issued1 = "4444444444444444444444444444444444444444444444444444444444444444";
static const char *const issued2 = "5555555555555555555555555555555555555555555555555555555555555555";

/* The three pages of a view, in order. */
static void three_pages(const eng_document_view *d) {
  assert_string_equal(d->sha256, page1);
  assert_int_equal(d->nmore, 2);
  assert_string_equal(d->more[0], page2);
  assert_string_equal(d->more[1], page3);
}

/* The `documents` of the log's last event, decoded into `u`. */
static const msgpack_object *last_documents(msgpack_unpacked *u, char *type, size_t size) {
  store_read *rd;
  store_event ev;
  size_t off = 0;
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  assert_int_equal(store_read_event(rd, head(), &ev), 0);
  snprintf(type, size, "%.*s", (int)ev.type.len, ev.type.ptr);
  msgpack_unpacked_init(u);
  assert_int_equal(msgpack_unpack_next(u, (const char *)ev.data, ev.data_len, &off), MSGPACK_UNPACK_SUCCESS);
  store_read_end(rd); /* the decoded objects point into the copy msgpack made */
  const msgpack_object *root = &u->data;
  for (uint32_t i = 0; i < root->via.map.size; i++) {
    const msgpack_object_kv *kv = &root->via.map.ptr[i];
    if (kv->key.via.str.size == 9 && !memcmp(kv->key.via.str.ptr, "documents", 9))
      return &kv->val;
  }
  return NULL;
}

/* A document's keys as the event writes them, in order. */
static void keys_of(const msgpack_object *doc, char *out, size_t size) {
  out[0] = '\0';
  for (uint32_t i = 0; i < doc->via.map.size; i++)
    snprintf(out + strlen(out), size - strlen(out), "%s%.*s", i ? " " : "", (int)doc->via.map.ptr[i].key.via.str.size,
             doc->via.map.ptr[i].key.via.str.ptr);
}

static const msgpack_object *key_of(const msgpack_object *doc, const char *key) {
  for (uint32_t i = 0; i < doc->via.map.size; i++)
    if (doc->via.map.ptr[i].key.via.str.size == strlen(key) &&
        !memcmp(doc->via.map.ptr[i].key.via.str.ptr, key, strlen(key)))
      return &doc->via.map.ptr[i].val;
  return NULL;
}

static void referenced_by(const char *sha256, const char *code) {
  uint8_t hash[32];
  char dossier[64];
  assert_int_equal(mc_unhex(sha256, hash, 32), 0);
  assert_int_equal(eng_file_referenced(eng, hash, dossier, sizeof dossier), 0);
  assert_string_equal(dossier, code);
}

/* A birth certificate of three pages: the event carries the two after the
 * first as `more`, every reader shows the three, a second dossier of the
 * same applicant reuses the three, and each file leads to the first
 * dossier. */
static void a_document_of_three_files(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912700101");
  const char *more[] = {page2, page3};
  eng_document scan = {"giay_chung_sinh", page1, NULL, more, 2};
  eng_command c = submit("1.001193", "H13.X01", &form, "dc-pages");
  c.submit.documents = (eng_documents){&scan, 1};
  eng_result first = run(&c, at("2026-03-02T09:00"), 0);

  msgpack_unpacked u;
  char type[48], keys[96];
  const msgpack_object *docs = last_documents(&u, type, sizeof type);
  assert_string_equal(type, "dossier.submitted");
  assert_non_null(docs);
  assert_int_equal(docs->via.array.size, 1);
  keys_of(&docs->via.array.ptr[0], keys, sizeof keys);
  assert_string_equal(keys, "hash more name");
  const msgpack_object *bin = key_of(&docs->via.array.ptr[0], "more");
  assert_int_equal(bin->type, MSGPACK_OBJECT_BIN);
  assert_int_equal(bin->via.bin.size, 64);
  char hex[129];
  mc_hex((const uint8_t *)bin->via.bin.ptr, 64, hex);
  assert_memory_equal(hex, page2, 64);
  assert_string_equal(hex + 64, page3);
  msgpack_unpacked_destroy(&u);

  doc_list l;
  const eng_document_view *d = doc_of(&l, first.dossier, "giay_chung_sinh");
  three_pages(d);
  eng_actor reader = {"dc-pages", "applicant", NULL, "test"};
  eng_dossier_full f;
  assert_int_equal(eng_dossier_full_read(eng, first.dossier, at("2026-03-02T09:05"), &reader, 1, &f), 0);
  assert_int_equal(f.ndocuments, 1);
  three_pages(&f.documents[0].doc);
  assert_string_equal(f.documents[0].state, "supplied");
  eng_dossier_full_free(&f);
  eng_history h;
  assert_int_equal(eng_dossier_history(eng, first.dossier, &h), 0);
  assert_int_equal(h.entries[0].ndocuments, 1);
  three_pages(&h.entries[0].documents[0]);
  eng_history_free(&h);

  /* The same applicant's next dossier brings nothing: the three are reused. */
  c.submit.documents = (eng_documents){NULL, 0};
  eng_result second = run(&c, at("2026-03-03T09:00"), 0);
  d = doc_of(&l, second.dossier, "giay_chung_sinh");
  three_pages(d);
  assert_string_equal(d->reused_from, first.dossier);
  docs = last_documents(&u, type, sizeof type);
  keys_of(&docs->via.array.ptr[0], keys, sizeof keys);
  assert_string_equal(keys, "hash more name reused_from supplied_at");
  msgpack_unpacked_destroy(&u);

  /* Each file leads to the dossier that first referenced it. */
  referenced_by(page1, first.dossier);
  referenced_by(page2, first.dossier);
  referenced_by(page3, first.dossier);
  uint8_t unknown[32];
  char dossier[64] = "untouched";
  memset(unknown, 0x44, sizeof unknown);
  assert_int_equal(eng_file_referenced(eng, unknown, dossier, sizeof dossier), MC_ENOENT);
  mc_buf_free(&form);
}

/* What a document's files may not be: more than ENG_MAX_FILES, the same
 * file twice, a file not named by its SHA-256.  Each refusal names the
 * field. */
static void files_refused_with_their_field(void **state) {
  (void)state;
  mc_instant t = at("2026-03-04T09:00");
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912700102");
  static char pages[ENG_MAX_FILES][65];
  const char *more[ENG_MAX_FILES];
  for (int k = 0; k < ENG_MAX_FILES; k++) {
    snprintf(pages[k], sizeof pages[k], "%064x", k + 0xa0);
    more[k] = pages[k];
  }
  eng_document scan = {"giay_chung_sinh", page1, NULL, more, ENG_MAX_FILES};
  eng_command c = submit("1.001193", "H13.X01", &form, "dc-refused");
  c.submit.documents = (eng_documents){&scan, 1};
  eng_result r = refused(&c, t, MC_ETOOBIG, "more than 20 files");
  assert_int_equal(r.nfields, 1);
  assert_string_equal(r.fields[0].field, "documents[0].files");
  assert_string_equal(r.fields[0].rule, "max");
  assert_int_equal(r.fields[0].max, ENG_MAX_FILES);
  assert_non_null(strstr(r.fields[0].message, "20"));

  /* The same file twice, in any case: the second is named. */
  more[0] = page2;
  more[1] = page1;
  scan.nmore = 2;
  r = refused(&c, t, MC_EINVAL, "the same file twice");
  assert_string_equal(r.fields[0].field, "documents[0].files[2]");
  assert_string_equal(r.fields[0].rule, "unique");
  more[0] = "abababababababababababababababababababababababababababababababab";
  more[1] = "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB";
  r = refused(&c, t, MC_EINVAL, "the same file twice");
  assert_string_equal(r.fields[0].field, "documents[0].files[2]");

  /* Not a SHA-256: the file's own path; the first file keeps its own. */
  more[1] = "zz33333333333333333333333333333333333333333333333333333333333333";
  r = refused(&c, t, MC_EINVAL, "64 hexadecimal digits");
  assert_string_equal(r.fields[0].field, "documents[0].files[2]");
  assert_string_equal(r.fields[0].rule, "pattern");
  assert_string_equal(r.fields[0].pattern, "^[0-9a-f]{64}$");
  more[1] = NULL;
  r = refused(&c, t, MC_EINVAL, "64 hexadecimal digits");
  assert_string_equal(r.fields[0].field, "documents[0].files[2]");
  more[1] = page3;
  scan.sha256 = "abc";
  r = refused(&c, t, MC_EINVAL, "64 hexadecimal digits");
  assert_string_equal(r.fields[0].field, "documents[0].sha256");

  /* ENG_MAX_FILES is allowed. */
  scan.sha256 = page1;
  scan.nmore = ENG_MAX_FILES - 1;
  more[0] = pages[ENG_MAX_FILES - 1];
  more[1] = pages[1];
  r = run(&c, t, 0);
  doc_list l;
  const eng_document_view *d = doc_of(&l, r.dossier, "giay_chung_sinh");
  assert_int_equal(d->nmore, ENG_MAX_FILES - 1);
  assert_string_equal(d->more[ENG_MAX_FILES - 2], pages[ENG_MAX_FILES - 2]);
  mc_buf_free(&form);
}

/* The birth certificate of the procedure (`result giay_khai_sinh`): brought
 * by the official who approves, recorded with the event, shown as issued,
 * never kept for the applicant's reuse; the applicant never brings it. */
static void a_result_issued_with_approve(void **state) {
  (void)state;
  mc_buf form = MC_BUF_INIT;
  birth_form(&form, "0912700103");
  eng_document scan = {"giay_chung_sinh", page1, NULL, NULL, 0};
  const char *certificate_pages[] = {issued2};
  eng_document certificate = {"giay_khai_sinh", issued1, NULL, certificate_pages, 1};

  /* The applicant brings the result: refused, naming what they bring. */
  eng_document both[2] = {scan, certificate};
  eng_command c = submit("1.001193", "H13.X01", &form, "dc-result");
  c.submit.documents = (eng_documents){both, 2};
  eng_result r = refused(&c, at("2026-03-05T08:00"), MC_EINVAL, "result");
  assert_non_null(strstr(r.message, "giay_chung_sinh"));
  assert_string_equal(r.fields[0].field, "documents[1].name");
  assert_string_equal(r.fields[0].rule, "values");
  assert_int_equal(r.fields[0].nvalues, 1);
  assert_string_equal(r.fields[0].values[0], "giay_chung_sinh");
  c.submit.documents = (eng_documents){&scan, 1};
  eng_result filed = run(&c, at("2026-03-05T08:00"), 0);
  const char *code = filed.dossier;

  /* Nor with a supplement. */
  eng_command ask = act(code, "request_supplement", "dc-rc", "reception", "H13.X01");
  ask.act.reason = "Bổ sung trang 2 của giấy chứng sinh";
  run(&ask, at("2026-03-05T08:30"), 0);
  eng_command give = act(code, "provide_supplement", "dc-result", "applicant", NULL);
  give.act.documents = (eng_documents){&certificate, 1};
  r = refused(&give, at("2026-03-05T09:00"), MC_EINVAL, "result");
  assert_non_null(strstr(r.message, "giay_chung_sinh"));
  give.act.documents = (eng_documents){&scan, 1};
  run(&give, at("2026-03-05T09:00"), 0);

  /* Nor by an official with another action: the message names the results. */
  eng_command accept = act(code, "accept", "dc-rc", "reception", "H13.X01");
  accept.act.documents = (eng_documents){&certificate, 1};
  r = refused(&accept, at("2026-03-05T09:10"), MC_EINVAL, "not with \"accept\"");
  assert_non_null(strstr(r.message, "giay_khai_sinh"));
  accept.act.documents = (eng_documents){NULL, 0};
  run(&accept, at("2026-03-05T09:10"), 0);
  eng_command check = act(code, "approve", "dc-sp", "specialist", "H13.X01");
  run(&check, at("2026-03-05T09:20"), 0);

  /* Approve brings the result, never a document asked of the applicant. */
  eng_command sign = act(code, "approve", "dc-ld", "leader", "H13.X01");
  sign.act.documents = (eng_documents){&scan, 1};
  r = refused(&sign, at("2026-03-05T09:30"), MC_EINVAL, "giay_khai_sinh");
  assert_string_equal(r.fields[0].field, "documents[0].name");
  sign.act.documents = (eng_documents){&certificate, 1};
  run(&sign, at("2026-03-05T09:30"), 0);
  msgpack_unpacked u;
  char type[48], keys[96];
  const msgpack_object *docs = last_documents(&u, type, sizeof type);
  assert_string_equal(type, "dossier.approved");
  assert_non_null(docs);
  keys_of(&docs->via.array.ptr[0], keys, sizeof keys);
  assert_string_equal(keys, "hash more name");
  msgpack_unpacked_destroy(&u);

  /* Shown as issued, beside the scan the applicant brought. */
  doc_list l;
  const eng_document_view *d = doc_of(&l, code, "giay_khai_sinh");
  assert_string_equal(d->sha256, issued1);
  assert_int_equal(d->nmore, 1);
  assert_string_equal(d->more[0], issued2);
  eng_actor reader = {"dc-result", "applicant", NULL, "test"};
  eng_dossier_full f;
  assert_int_equal(eng_dossier_full_read(eng, code, at("2026-03-05T10:00"), &reader, 1, &f), 0);
  int issued = -1;
  for (int i = 0; i < f.ndocuments; i++)
    if (!strcmp(f.documents[i].doc.name, "giay_khai_sinh"))
      issued = i;
  assert_true(issued >= 0);
  assert_string_equal(f.documents[issued].state, "issued");
  assert_true(f.documents[issued].valid);
  eng_dossier_full_free(&f);
  referenced_by(issued1, code);
  referenced_by(issued2, code);

  /* Not kept for reuse: the applicant's store has the scan, not the result. */
  store_read *rd;
  const void *v;
  size_t vlen;
  static const char kept[] = "o/dc-result\0giay_chung_sinh", result[] = "o/dc-result\0giay_khai_sinh";
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  assert_int_equal(store_read_proj(rd, "eng_documents", kept, sizeof kept - 1, &v, &vlen), 0);
  assert_int_equal(store_read_proj(rd, "eng_documents", result, sizeof result - 1, &v, &vlen), MC_ENOENT);
  store_read_end(rd);

  /* return_result may bring it too (the signed copy handed over). */
  eng_command hand = act(code, "return_result", "dc-rc", "reception", "H13.X01");
  eng_document signed_copy = {"giay_khai_sinh", issued2, NULL, NULL, 0};
  hand.act.documents = (eng_documents){&signed_copy, 1};
  run(&hand, at("2026-03-05T10:30"), 0);
  d = doc_of(&l, code, "giay_khai_sinh");
  assert_string_equal(d->sha256, issued2);
  assert_int_equal(d->nmore, 0);
  mc_buf_free(&form);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_document_of_three_files),
      cmocka_unit_test(files_refused_with_their_field),
      cmocka_unit_test(a_result_issued_with_approve),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
