/* fixture.c — see fixture.h. */
#include "tests/unit/api/fixture.h"

#include "base/canon.h"
#include "base/diag.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

mc_instant api_fx_at(const char *iso) {
  mc_instant t;
  if (mc_instant_parse(iso, 420, &t) != 0)
    fail_msg("bad instant %s", iso);
  return t;
}

int api_fx_open(const char *name, char dir[256], eng_engine **eng) {
  snprintf(dir, 256, "/tmp/motcua-test-%s-XXXXXX", name);
  if (mkdtemp(dir) == NULL)
    return -1;
  mc_buf why = MC_BUF_INIT;
  if (eng_open(dir, NULL, eng, &why) != 0) {
    fprintf(stderr, "%s\n", mc_buf_cstr(&why));
    mc_buf_free(&why);
    return -1;
  }
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  if (eng_publish_workflows(*eng, MOTCUA_WORKFLOWS_DIR, api_fx_at("2025-01-01T00:00"), api_fx_at("2025-12-01T08:00"),
                            &sink, &why)) {
    fprintf(stderr, "publishing the bundle: %s\n", mc_buf_cstr(&why));
    mc_buf_free(&why);
    return -1;
  }
  mc_buf_free(&why);
  return 0;
}

int api_fx_close(const char *dir, eng_engine *eng) {
  eng_close(eng);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int api_fx_birth_form(mc_buf *out) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 6);
  mc_canon_kv_str(&w, "birth_date", "2026-02-01");
  mc_canon_kv_str(&w, "birth_place", "Bệnh viện Đa khoa tỉnh Bắc Ninh");
  mc_canon_kv_str(&w, "child_name", "Nguyễn Minh An");
  mc_canon_kv_str(&w, "gender", "Nam");
  mc_canon_kv_str(&w, "mother_id", "027190001234");
  mc_canon_kv_str(&w, "phone", "0912345678");
  return mc_canon_finish(&w);
}

uint64_t api_fx_head(eng_engine *eng) {
  store_read *rd;
  uint64_t seq = 0;
  uint8_t hash[32];
  if (store_read_begin(eng_store(eng), &rd) == 0) {
    store_read_head(rd, &seq, hash);
    store_read_end(rd);
  }
  return seq;
}
