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

/* ------------------------------------------------------------ documents on file */

typedef struct on_file {
  json_t *list;
  const json_t *asked;         /* the procedure's documents (the catalogue's), or NULL: all */
  char today[11];
} on_file;

static const json_t *asked_document(const json_t *asked, const char *name) {
  size_t i;
  json_t *d;
  json_array_foreach(asked, i, d) {
    const char *n = json_string_value(json_object_get(d, "name"));
    if (n && !strcmp(n, name))
      return d;
  }
  return NULL;
}

static int on_file_one(void *opaque, const eng_document_view *d) {
  on_file *o = opaque;
  const json_t *asked = o->asked ? asked_document(o->asked, d->name) : NULL;
  if (o->asked && (asked == NULL || json_is_true(json_object_get(asked, "eform"))))
    return 0;
  json_t *files = json_array();
  json_array_append_new(files, json_string(d->sha256));
  for (int i = 0; i < d->nmore; i++)
    json_array_append_new(files, json_string(d->more[i]));
  bool valid = d->valid_until[0] == '\0' || strcmp(d->valid_until, o->today) >= 0;
  json_t *x = json_pack("{s:s, s:o, s:s, s:I, s:o, s:b}", "name", d->name, "files", files, "dossier", d->reused_from,
                        "supplied_at", (json_int_t)d->supplied_at, "valid_until",
                        d->valid_until[0] ? json_string(d->valid_until) : json_null(), "valid", valid);
  if (asked)
    json_object_set(x, "title", json_object_get(asked, "title"));
  json_array_append_new(o->list, x);
  return 0;
}

/* documents_on_file {procedure, owner}: what an applicant supplied before
 * and a new dossier reuses while still valid (BN 6.2, ĐN 6.2) — offered
 * before filing, so that nothing is scanned twice.  An applicant reads its
 * own; reception reads a walk-in's by id number (`owner`: a read of personal
 * data, recorded). */
void srv_ws_op_documents_on_file(req *r) {
  static const char *const fields[] = {"procedure", "owner", NULL};
  const char *procedure, *owner;
  const principal *p = &r->c->who;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) ||
      !srv_ws_get_str(r, "procedure", false, 32, &procedure) || !srv_ws_get_str(r, "owner", false, 24, &owner))
    return;
  bool applicant = srv_principal_is_applicant(p);
  if (applicant && owner && strcmp(owner, p->acct.id)) {
    srv_ws_fail(r, "forbidden", "owner", "documents_on_file: an applicant reads its own documents only");
    return;
  }
  if (!applicant && !srv_principal_has_role(p, "reception")) {
    srv_ws_fail(r, "forbidden", NULL, "documents_on_file: for an applicant, or reception filing for one");
    return;
  }
  if (!applicant && owner == NULL) {
    srv_ws_fail(r, "bad_request", "owner", "documents_on_file: give the applicant's id number (\"owner\")");
    return;
  }
  if (applicant)
    owner = p->acct.id;
  on_file o = {json_array(), NULL, ""};
  json_t *page = procedure ? srv_catalogue_page(r->s->cat, procedure) : NULL;
  if (procedure && page == NULL) {
    json_decref(o.list);
    srv_ws_fail(r, "not_found", "procedure", "documents_on_file: no procedure %s can be filed now", procedure);
    return;
  }
  o.asked = page ? json_object_get(page, "documents") : NULL;
  /* Today on the province's clock (UTC+7: the bundled calendars'). */
  int64_t day, ms;
  int y, mo, d;
  mc_instant_split(srv_now(r->s), 420, &day, &ms);
  mc_civil_from_days(day, &y, &mo, &d);
  char today[32];
  snprintf(today, sizeof today, "%04d-%02d-%02d", y, mo, d);
  memcpy(o.today, today, 10);
  int rc = eng_owner_documents(r->s->e, owner, on_file_one, &o);
  json_decref(page);
  if (rc) {
    json_decref(o.list);
    srv_ws_fail(r, "unavailable", NULL, "documents_on_file: cannot be read now (%s)", mc_strerror(rc));
    return;
  }
  if (!applicant) {
    eng_applicant_view whose = {0};
    snprintf(whose.id_number, sizeof whose.id_number, "%s", owner);
    srv_reads_note(r->s, p, "", &whose, r->c->addr);
  }
  srv_metrics_count(&r->s->m, "documents_on_file", OUT_OK);
  srv_ws_reply(r, json_pack("{s:b, s:s, s:o}", "ok", 1, "owner", owner, "documents", o.list));
}
