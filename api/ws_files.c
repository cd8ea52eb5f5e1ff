/* ws_files.c — see ws_files.h. */
#include "api/ws_files.h"

#include "api/runtime.h"
#include "api/ws_read.h"
#include "base/error.h"

#include <stdio.h>
#include <string.h>

typedef struct find_ctx {
  const char *sha256;
  bool found;
} find_ctx;

static int find_file(void *opaque, const eng_document_view *d) {
  find_ctx *f = opaque;
  if (!strcmp(d->sha256, f->sha256))
    f->found = true;
  for (int i = 0; i < d->nmore; i++)
    if (!strcmp(d->more[i], f->sha256))
      f->found = true;
  return 0;
}

/* file_link {dossier, sha256}: a link to one of the dossier's files (a
 * scan it was filed or supplemented with, a result), for this account, that
 * expires after download_link_minutes.  Every download is recorded. */
void srv_ws_op_file_link(req *r) {
  static const char *const fields[] = {"dossier", "sha256", NULL};
  const char *code, *sha;
  eng_event_view v;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) ||
      !srv_ws_get_str(r, "dossier", true, DOSSIER_MAX_BYTES, &code) ||
      !srv_ws_get_str(r, "sha256", true, 64, &sha) || !srv_ws_readable(r, code, &v))
    return;
  find_ctx f = {sha, false};
  int rc = eng_dossier_documents(r->s->e, code, find_file, &f);
  if (rc) {
    srv_ws_fail(r, "unavailable", NULL, "file_link: the documents of %s cannot be read (%s)", code, mc_strerror(rc));
    return;
  }
  if (!f.found) {
    srv_ws_fail(r, "not_found", "sha256", "file_link: dossier %s has no file %s (get lists its documents' files)", code,
                sha);
    return;
  }
  char path[512], base[256], url[800];
  mc_instant expires;
  srv_upload_link(r->s, code, sha, r->c->who.acct.id, path, sizeof path, &expires);
  srv_config_public_url(&r->s->cfg, base, sizeof base);
  snprintf(url, sizeof url, "%s%s", base, path);
  json_t *o = json_pack("{s:b, s:s, s:s, s:I}", "ok", 1, "url", url, "path", path, "expires_at", (json_int_t)expires);
  upload_rec u;
  if (srv_upload_of_hash(r->s, sha, &u) == 0)
    json_object_update_new(o, json_pack("{s:s, s:s, s:I}", "name", u.name, "type", u.type, "size", (json_int_t)u.size));
  srv_metrics_count(&r->s->m, "file_link", OUT_OK);
  srv_ws_reply(r, o);
}
