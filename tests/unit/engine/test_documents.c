/* test_documents.c — a document of a dossier as several files (a paper
 * photographed page by page): checked as the command brings them, recorded
 * in the event, kept and read back, reused whole, and each file traced to
 * the dossier that first referenced it. */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_document_of_three_files),
      cmocka_unit_test(files_refused_with_their_field),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
