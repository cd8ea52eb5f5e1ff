/* fixture.c — what the engine's tests share: a fresh data directory with
 * the bundled workflows and calendar published, a test clock, and helpers
 * that run a command and check its status (a refusal must append nothing). */
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

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "fixture.h"

char fx_dir[256];
eng_engine *eng;

mc_instant at(const char *iso) {
  mc_instant t;
  if (mc_instant_parse(iso, 420, &t) != 0)
    fail_msg("bad instant %s", iso);
  return t;
}

const char *iso(mc_instant t) {
  static char buf[4][MC_INSTANT_STRLEN];
  static int i;
  i = (i + 1) % 4;
  mc_instant_format(t, 420, buf[i]);
  return buf[i];
}

uint64_t head(void) {
  store_read *rd;
  uint64_t seq;
  uint8_t hash[32];
  assert_int_equal(store_read_begin(eng_store(eng), &rd), 0);
  assert_int_equal(store_read_head(rd, &seq, hash), 0);
  store_read_end(rd);
  return seq;
}

/* Runs one command; checks its status. */
eng_result run(const eng_command *c, mc_instant now, int want) {
  eng_result r;
  assert_int_equal(eng_execute(eng, c, 1, now, &r), 0);
  if (r.status != want)
    fail_msg("expected %s, got %s: %s", mc_err_name(want), mc_err_name(r.status), r.message);
  return r;
}

void official(const char *id, const char *role, const char *agency, mc_instant now) {
  const char *roles[] = {role};
  eng_command c = {.kind = ENG_CMD_ACCOUNT, .actor = {"admin", "system_admin", NULL, "test"},
                   .expected_version = STORE_ANY_VERSION,
                   .account = {.op = "create", .id = id, .name = id, .agency = agency, .roles = {roles, 1}}};
  eng_result r;
  assert_int_equal(eng_execute(eng, &c, 1, now, &r), 0);
  if (r.status && r.refusal != ENG_R_ACCOUNT_EXISTS)
    fail_msg("the official %s: %s", id, r.message);
}

/* The codes a client sees (api/server.c, srv_error_code): invalid and
 * rule are both "refused". */
static int client_code(eng_refusal_kind k) { return k == ENG_REFUSE_RULE ? ENG_REFUSE_INVALID : k; }

void refused_as(const eng_result *r) {
  if (r->key == NULL || eng_refusal_parse(r->key) != r->refusal || r->refusal == ENG_R_NONE)
    fail_msg("the refusal \"%s\" has no key from the table (engine/refusals.h)", r->message);
  if (r->message_vi[0] == '\0')
    fail_msg("the refusal %s has no Vietnamese text", r->key);
  assert_int_equal(r->kind, eng_refusal_kind_of(r->refusal));
  assert_int_equal(eng_result_kind(r), r->kind);
  /* The table's kind gives the client the code the status always gave. */
  if (client_code(r->kind) != client_code(eng_refusal_kind_of_status(r->status)))
    fail_msg("the refusal %s is %s, but its status %s reads as %s", r->key, eng_refusal_kind_name(r->kind),
             mc_err_name(r->status), eng_refusal_kind_name(eng_refusal_kind_of_status(r->status)));
}

/* A refusal: the status, a phrase of the message, a key of the table
 * whose kind agrees with the status, and nothing appended. */
eng_result refused(const eng_command *c, mc_instant now, int want, const char *phrase) {
  uint64_t before = head();
  eng_result r = run(c, now, want);
  if (strstr(r.message, phrase) == NULL)
    fail_msg("message \"%s\" lacks \"%s\"", r.message, phrase);
  refused_as(&r);
  assert_int_equal(head(), before);
  return r;
}

static void publish_all(void) {
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  mc_buf why = MC_BUF_INIT;
  if (eng_publish_workflows(eng, MOTCUA_WORKFLOWS_DIR, at("2025-01-01T00:00"), at("2025-12-01T08:00"), &sink, &why))
    fail_msg("publishing the bundle: %s", mc_buf_cstr(&why));
  mc_buf_free(&why);
}

int fx_setup(void **state) {
  (void)state;
  snprintf(fx_dir, sizeof fx_dir, "/tmp/motcua-test-dossier-XXXXXX");
  if (mkdtemp(fx_dir) == NULL)
    return -1;
  mc_buf why = MC_BUF_INIT;
  int rc = eng_open(fx_dir, NULL, &eng, &why);
  if (rc) {
    fprintf(stderr, "%s\n", mc_buf_cstr(&why));
    return -1;
  }
  mc_buf_free(&why);
  publish_all();
  return 0;
}

int fx_teardown(void **state) {
  (void)state;
  eng_close(eng);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* The e-form of birth registration. */
void birth_form(mc_buf *out, const char *phone) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 6);
  mc_canon_kv_str(&w, "birth_date", "2026-02-01");
  mc_canon_kv_str(&w, "birth_place", "Bệnh viện Đa khoa tỉnh Bắc Ninh");
  mc_canon_kv_str(&w, "child_name", "Nguyễn Minh An");
  mc_canon_kv_str(&w, "gender", "Nam");
  mc_canon_kv_str(&w, "mother_id", "027190001234");
  mc_canon_kv_str(&w, "phone", phone);
  assert_int_equal(mc_canon_finish(&w), 0);
}

/* The e-form of the judicial record certificate. */
void record_form(mc_buf *out) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "citizen", "027190002468");
  mc_canon_kv_str(&w, "full_name", "Hoàng Văn Long");
  mc_canon_kv_str(&w, "kind", "Phiếu số 1");
  mc_canon_kv_str(&w, "purpose", "Bổ sung hồ sơ xin việc");
  assert_int_equal(mc_canon_finish(&w), 0);
}

eng_command submit(const char *procedure, const char *agency, const mc_buf *form, const char *who) {
  return (eng_command){.kind = ENG_CMD_SUBMIT, .actor = {who, "applicant", NULL, "test"},
                       .expected_version = STORE_ANY_VERSION,
                       .submit = {.procedure = procedure, .agency = agency, .channel = "online",
                                  .form = {form->data, form->len}}};
}

void walk_in(eng_command *c, const char *id_number) {
  static char blocks[8][160];
  static int next;
  char *b = blocks[next++ % 8];
  msgpack_sbuffer sb;
  msgpack_packer pk;
  msgpack_sbuffer_init(&sb);
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  msgpack_pack_map(&pk, 3);
  msgpack_pack_str_with_body(&pk, "kind", 4);
  msgpack_pack_str_with_body(&pk, "person", 6);
  msgpack_pack_str_with_body(&pk, "name", 4);
  msgpack_pack_str_with_body(&pk, "Trần Văn Khách", strlen("Trần Văn Khách"));
  msgpack_pack_str_with_body(&pk, "id_number", 9);
  msgpack_pack_str_with_body(&pk, id_number, strlen(id_number));
  assert_true(sb.size <= sizeof blocks[0]);
  memcpy(b, sb.data, sb.size);
  c->submit.applicant = (eng_bytes){(const uint8_t *)b, sb.size};
  msgpack_sbuffer_destroy(&sb);
}

eng_command act(const char *dossier, const char *action, const char *who, const char *role,
                       const char *agency) {
  return (eng_command){.kind = ENG_CMD_ACT, .actor = {who, role, agency, "test"}, .dossier = dossier,
                       .expected_version = STORE_ANY_VERSION, .act = {.action = action}};
}

static int collect_doc(void *opaque, const eng_document_view *doc) {
  doc_list *l = opaque;
  if (l->n < 8)
    l->d[l->n++] = *doc;
  return 0;
}

const eng_document_view *doc_of(doc_list *l, const char *code, const char *name) {
  l->n = 0;
  assert_int_equal(eng_dossier_documents(eng, code, collect_doc, l), 0);
  for (int i = 0; i < l->n; i++)
    if (!strcmp(l->d[i].name, name))
      return &l->d[i];
  fail_msg("%s has no document %s", code, name);
  return NULL;
}

/* Compiles one procedure written in the test against a bundled policy file
 * (workflows/policies/<policy>.mc), with the bundled agency directory for
 * its steps done elsewhere (`at`), and returns its canonical bytes. */
void compile_procedure(const char *name, const char *text, const char *policy, mc_buf *out) {
  dsl_compile *comp;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  mc_source src = {name, text, strlen(text)};
  mc_buf path = MC_BUF_INIT, policy_text = MC_BUF_INIT, agencies = MC_BUF_INIT;
  mc_buf_append_str(&path, MOTCUA_WORKFLOWS_DIR "/policies/");
  mc_buf_append_str(&path, policy);
  mc_buf_append_str(&path, ".mc");
  assert_int_equal(mc_file_read(mc_buf_cstr(&path), 1 << 20, &policy_text), 0);
  assert_int_equal(mc_file_read(MOTCUA_WORKFLOWS_DIR "/agencies/bac-ninh.mc", 1 << 20, &agencies), 0);
  mc_source psrc = {policy, mc_buf_cstr(&policy_text), policy_text.len};
  mc_source asrc = {"bac-ninh.mc", mc_buf_cstr(&agencies), agencies.len};
  assert_int_equal(dsl_compile_new(&comp), 0);
  dsl_compile_add(comp, &src, false, &sink);
  dsl_compile_add(comp, &psrc, true, &sink);
  dsl_compile_add(comp, &asrc, true, &sink);
  assert_int_equal(dsl_compile_check(comp, &sink), 0);
  const dsl_artifact *arts;
  int n;
  assert_int_equal(dsl_compile_emit(comp, &arts, &n), 0);
  assert_int_equal(n, 1);
  mc_buf_reset(out);
  assert_int_equal(mc_buf_append(out, arts[0].bytes.data, arts[0].bytes.len), 0);
  dsl_compile_free(comp);
  mc_buf_free(&path);
  mc_buf_free(&policy_text);
  mc_buf_free(&agencies);
}
