/* proj_handlers.c — open dossiers by main handler (ENG_PROJ_HANDLERS), and
 * their reader. */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Open dossiers by main handler, so an official's open work can be found
 * (and reassigned when they leave).  Finished dossiers drop out. */
int eng__apply_handlers(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_dossier_event(ev))
    return 0;
  eng_snap s;
  int rc = eng__snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  mc_buf ckey = MC_BUF_INIT, hkey = MC_BUF_INIT;
  mc_buf_append_str(&ckey, "c/");
  mc_buf_append_str(&ckey, s.code);
  const void *old;
  size_t old_len;
  if (store_proj_get(tx, ckey.data, ckey.len, &old, &old_len) == 0) {
    mc_buf_append_str(&hkey, "h/");
    mc_buf_append(&hkey, old, old_len);
    mc_buf_append_byte(&hkey, 0);
    mc_buf_append_str(&hkey, s.code);
    rc = store_proj_del(tx, hkey.data, hkey.len);
    if (rc == 0)
      rc = store_proj_del(tx, ckey.data, ckey.len);
  }
  bool open = s.ntokens > 0;
  if (rc == 0 && open && s.handler[0]) {
    mc_buf_reset(&hkey);
    mc_buf_append_str(&hkey, "h/");
    mc_buf_append_str(&hkey, s.handler);
    mc_buf_append_byte(&hkey, 0);
    mc_buf_append_str(&hkey, s.code);
    rc = store_proj_put(tx, hkey.data, hkey.len, "", 0);
    if (rc == 0)
      rc = store_proj_put(tx, ckey.data, ckey.len, s.handler, strlen(s.handler));
  }
  mc_buf_free(&ckey);
  mc_buf_free(&hkey);
  return rc;
}

typedef struct handled_ctx {
  eng_code_fn fn;
  void *opaque;
} handled_ctx;

static int handled_one(void *opaque, const char *rest, size_t rest_len, const void *val, size_t vlen) {
  handled_ctx *c = opaque;
  char code[64];
  (void)val, (void)vlen;
  if (rest_len >= sizeof code)
    return 1;
  memcpy(code, rest, rest_len);
  code[rest_len] = '\0';
  return c->fn(c->opaque, code);
}

int eng_dossiers_handled_by(eng_engine *e, const char *handler, eng_code_fn fn, void *opaque) {
  mc_buf prefix = MC_BUF_INIT;
  handled_ctx c = {fn, opaque};
  int rc = eng__pair_key(&prefix, 'h', handler, strlen(handler), "", 0);
  if (rc == 0)
    rc = eng__scan_prefix(e, ENG_PROJ_HANDLERS, &prefix, handled_one, &c);
  mc_buf_free(&prefix);
  return rc;
}
