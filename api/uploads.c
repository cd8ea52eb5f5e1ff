/* uploads.c — the records of uploads (api/uploads.h): who uploaded what and
 * its state, new uploads within the limits, what a command may reference,
 * download links, the malware incident.  Their bytes are
 * api/upload_stream.c's; opening, closing and the sweep api/upload_sweep.c's. */
#include "api/uploads-int.h"

#include "api/access.h"
#include "api/runtime.h"
#include "base/error.h"
#include "base/log.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUOTA_WINDOW_MS (24 * 3600 * 1000)

/* ============================================================ records */

int srv__upload_key(char *out, size_t size, const char *id) { return snprintf(out, size, "i/%s", id); }

static json_t *rec_to_json(const upload_rec *r) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id", r->id,
                   "account", r->account, "kind", r->kind, "agency", r->agency, "name", r->name, "size",
                   (json_int_t)r->size, "received", (json_int_t)r->received, "state", r->state, "sha256", r->sha256,
                   "type", r->type, "why", r->why, "why_vi", r->why_vi, "dossier", r->dossier, "created_at",
                   (json_int_t)r->created_at, "done_at", (json_int_t)r->done_at);
}

static void copy_str(json_t *o, const char *k, char *out, size_t size) {
  const char *v = json_string_value(json_object_get(o, k));
  snprintf(out, size, "%s", v ? v : "");
}

int srv__upload_decode(const void *data, size_t len, upload_rec *r) {
  json_t *o = json_loadb(data, len, 0, NULL);
  if (o == NULL)
    return MC_ECORRUPT;
  memset(r, 0, sizeof *r);
  copy_str(o, "id", r->id, sizeof r->id);
  copy_str(o, "account", r->account, sizeof r->account);
  copy_str(o, "kind", r->kind, sizeof r->kind);
  copy_str(o, "agency", r->agency, sizeof r->agency);
  copy_str(o, "name", r->name, sizeof r->name);
  copy_str(o, "state", r->state, sizeof r->state);
  copy_str(o, "sha256", r->sha256, sizeof r->sha256);
  copy_str(o, "type", r->type, sizeof r->type);
  copy_str(o, "why", r->why, sizeof r->why);
  copy_str(o, "why_vi", r->why_vi, sizeof r->why_vi);
  copy_str(o, "dossier", r->dossier, sizeof r->dossier);
  r->size = json_integer_value(json_object_get(o, "size"));
  r->received = json_integer_value(json_object_get(o, "received"));
  r->created_at = json_integer_value(json_object_get(o, "created_at"));
  r->done_at = json_integer_value(json_object_get(o, "done_at"));
  json_decref(o);
  return 0;
}

int srv__upload_put(srv *s, const upload_rec *r) {
  char key[32];
  json_t *o = rec_to_json(r);
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  if (text == NULL)
    return MC_ENOMEM;
  int n = srv__upload_key(key, sizeof key, r->id);
  int rc = store_aux_put(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n, text, strlen(text));
  free(text);
  return rc;
}

int srv__upload_read(srv *s, const char *id, upload_rec *r) {
  char key[32];
  mc_buf v = MC_BUF_INIT;
  int n = srv__upload_key(key, sizeof key, id);
  int rc = store_aux_get(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n, &v);
  if (rc == 0)
    rc = srv__upload_decode(v.data, v.len, r);
  mc_buf_free(&v);
  return rc;
}

/* "h/" SHA "/" ACCOUNT -> ID, once the content is known. */
int srv__upload_index(srv *s, const upload_rec *r) {
  char key[160];
  int n = snprintf(key, sizeof key, "h/%s/%s", r->sha256, r->account);
  return store_aux_put(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n, r->id, strlen(r->id));
}

int srv__upload_quota_key(char *out, size_t size, const char *account, mc_instant at, const char *id) {
  return snprintf(out, size, "a/%s/%016llx/%s", account, (unsigned long long)at, id);
}

/* Every entry of the db whose key begins with `prefix`, to `fn` (non-zero stops). */
int srv__uploads_each(srv *s, const char *prefix, const char *from,
                         int (*fn)(void *opaque, const mc_buf *key, const mc_buf *val), void *opaque) {
  mc_buf key = MC_BUF_INIT, val = MC_BUF_INIT, after = MC_BUF_INIT;
  size_t plen = strlen(prefix);
  int rc = 0;
  mc_buf_append_str(&after, from ? from : prefix);
  for (;;) {
    mc_buf_reset(&key);
    mc_buf_reset(&val);
    rc = store_aux_next(eng_store(s->e), SRV_UPLOADS_DB, after.data, after.len, &key, &val);
    if (rc == MC_ENOENT) {
      rc = 0;
      break;
    }
    if (rc || key.len < plen || memcmp(key.data, prefix, plen) != 0)
      break;
    if ((rc = fn(opaque, &key, &val)) != 0)
      break;
    mc_buf_reset(&after);
    mc_buf_append(&after, key.data, key.len);
  }
  mc_buf_free(&key);
  mc_buf_free(&val);
  mc_buf_free(&after);
  return rc < 0 ? rc : 0;
}

/* An upload's records removed (its file is the caller's to remove). */
void srv__upload_remove(srv *s, const upload_rec *r) {
  char key[160];
  int n = srv__upload_key(key, sizeof key, r->id);
  store_aux_del(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n);
  n = srv__upload_quota_key(key, sizeof key, r->account, r->created_at, r->id);
  store_aux_del(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n);
  if (r->sha256[0] && (!strcmp(r->state, "clean") || !strcmp(r->state, "held"))) {
    n = snprintf(key, sizeof key, "h/%s/%s", r->sha256, r->account);
    store_aux_del(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n);
  }
}

/* The key download links are signed with: DATA/files/link.key, made at the first start. */
int srv__upload_link_key(srv *s) {
  char path[1200];
  snprintf(path, sizeof path, "%s/link.key", s->uploads.fs.dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, s->uploads.link_key, sizeof s->uploads.link_key);
    close(fd);
    if (n == (ssize_t)sizeof s->uploads.link_key)
      return 0;
  }
  randombytes_buf(s->uploads.link_key, sizeof s->uploads.link_key);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return MC_EIO;
  ssize_t n = write(fd, s->uploads.link_key, sizeof s->uploads.link_key);
  int rc = n == (ssize_t)sizeof s->uploads.link_key && fsync(fd) == 0 ? 0 : MC_EIO;
  close(fd);
  return rc;
}

json_t *srv_upload_json(const upload_rec *r) {
  json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:I}", "upload", r->id, "name", r->name, "size", (json_int_t)r->size,
                        "offset", (json_int_t)r->received, "state", r->state, "created_at", (json_int_t)r->created_at);
  if (r->sha256[0])
    json_object_set_new(o, "sha256", json_string(r->sha256));
  if (r->type[0])
    json_object_set_new(o, "type", json_string(r->type));
  if (r->why[0]) {
    json_object_set_new(o, "why", json_string(r->why));
    json_object_set_new(o, "why_vi", json_string(r->why_vi));
  }
  return o;
}

/* ============================================================ create, get */

json_t *srv__upload_error(const char *code, const char *field, const char *vi, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *e = srv_error(code, msg, field);
  json_object_set_new(e, "message_vi", json_string(vi));
  return e;
}

typedef struct quota {
  mc_instant since;
  int64_t bytes;
  int count;
} quota;

static int add_quota(void *opaque, const mc_buf *key, const mc_buf *val) {
  quota *q = opaque;
  (void)key;
  char text[32];
  snprintf(text, sizeof text, "%.*s", (int)(val->len < 31 ? val->len : 31), (const char *)val->data);
  q->bytes += atoll(text);
  q->count++;
  return 0;
}

static void mib(int64_t bytes, char *out, size_t size) {
  snprintf(out, size, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
}

int srv_upload_create(srv *s, const principal *p, const char *name, int64_t size, const char *agency,
                      upload_rec *out, json_t **error) {
  const srv_config *c = &s->cfg;
  char lim[32], used[32];
  *error = NULL;
  if (!s->uploads.open) {
    *error = srv__upload_error("unavailable", NULL, "Máy chủ chưa nhận tệp tải lên được (thư mục tệp không mở được).",
                  "uploads are not available: the files directory could not be opened (see the server's log)");
    return MC_EIO;
  }
  mib(c->max_file_bytes, lim, sizeof lim);
  if (size <= 0 || size > c->max_file_bytes) {
    *error = srv__upload_error("too_large", "size", size <= 0 ? "Tệp rỗng: vui lòng chọn tệp bản quét." : "Tệp quá lớn.",
                  "a file is 1 byte to %s (max_file_bytes): this one is %lld bytes; scan at a lower resolution or "
                  "send the pages as separate files", lim, (long long)size);
    if (size > 0) {
      char vi[300];
      snprintf(vi, sizeof vi, "Tệp quá lớn (tối đa %s): vui lòng quét với độ phân giải thấp hơn hoặc tách thành "
               "nhiều tệp, mỗi tệp vài trang.", lim);
      json_object_set_new(*error, "message_vi", json_string(vi));
    }
    return MC_ETOOBIG;
  }
  /* An applicant names the agency filed with (its officials are alerted of
   * malware): one of the directory's. */
  if (!p->acct.agency[0] && agency && !srv_catalogue_agency(s->cat, agency)) {
    *error = srv__upload_error("bad_request", "agency", "Không có cơ quan này trong danh mục: hãy chọn lại thủ tục để nộp.",
                  "there is no agency %s in the directory: give the code of the agency the dossier is filed with "
                  "(GET /api/agencies lists them)", agency);
    return MC_EINVAL;
  }
  /* The account's uploads of the last 24 hours. */
  quota q = {.since = srv_now(s) - QUOTA_WINDOW_MS};
  char prefix[96], from[128];
  snprintf(prefix, sizeof prefix, "a/%s/", p->acct.id);
  srv__upload_quota_key(from, sizeof from, p->acct.id, q.since, "");
  srv__uploads_each(s, prefix, from, add_quota, &q);
  if (q.bytes + size > c->max_account_upload_bytes) {
    mib(c->max_account_upload_bytes, lim, sizeof lim);
    mib(q.bytes, used, sizeof used);
    char vi[300];
    snprintf(vi, sizeof vi, "Tài khoản đã tải lên %s trong 24 giờ qua (tối đa %s): vui lòng thử lại sau.", used, lim);
    *error = srv__upload_error("too_large", "size", vi, "this account uploaded %s in the last 24 hours (max_account_upload_bytes: "
                  "%s): try again later", used, lim);
    return MC_ETOOBIG;
  }
  upload_rec *r = out;
  memset(r, 0, sizeof *r);
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(r->id, sizeof r->id + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(r->account, sizeof r->account, "%s", p->acct.id);
  snprintf(r->kind, sizeof r->kind, "%s", srv_principal_is_applicant(p) ? "applicant" : "official");
  /* An official's own agency; the one an applicant files with. */
  snprintf(r->agency, sizeof r->agency, "%s", p->acct.agency[0] || agency == NULL ? p->acct.agency : agency);
  snprintf(r->name, sizeof r->name, "%s", name);
  snprintf(r->state, sizeof r->state, "receiving");
  r->size = size;
  r->created_at = srv_now(s);
  char key[128], val[32];
  int kn = srv__upload_quota_key(key, sizeof key, r->account, r->created_at, r->id);
  int vn = snprintf(val, sizeof val, "%lld", (long long)size);
  int rc = srv__upload_put(s, r);
  if (rc == 0)
    rc = store_aux_put(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)kn, val, (size_t)vn);
  if (rc)
    *error = srv__upload_error("unavailable", NULL, "Không lưu được tệp tải lên: vui lòng thử lại sau.",
                  "the upload cannot be recorded now (%s): try again in a moment", mc_strerror(rc));
  return rc;
}

/* ============================================================ malware: the incident */

/* Recorded outside the legal chain ("x/" T16 "/" ID), counted, and pushed to
 * the officials of the agency watching it (an `alert` push on their "agency"
 * subscriptions): the operator reads the log and /metrics. */
void srv_uploads_incident(srv *s, const upload_rec *r, const char *signature) {
  char key[64];
  int n = snprintf(key, sizeof key, "x/%016llx/%s", (unsigned long long)r->done_at, r->id);
  json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "push", "alert", "kind", "malware", "at",
                        (json_int_t)r->done_at, "upload", r->id, "name", r->name, "account", r->account, "agency",
                        r->agency, "sha256", r->sha256, "size", (json_int_t)r->size);
  json_object_set_new(o, "signature", json_string(signature));
  char *text = json_dumps(o, JSON_COMPACT);
  if (text == NULL || store_aux_put(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n, text, strlen(text)) != 0)
    mc_log(MC_LOG_ERROR, "uploads", "the malware incident of upload %s could not be recorded", r->id);
  free(text);
  json_object_set_new(o, "message_vi",
                      json_string("Phát hiện mã độc trong một tệp tải lên: tệp đã bị từ chối và cách ly."));
  if (r->agency[0])
    for (sub *sb = srv_subs_under(&s->subs, SUB_BY_AGENCY, r->agency); sb; sb = sb->next_in) {
      json_object_set_new(o, "subscription", json_string(sb->id));
      srv_conn_send(sb->c, o, sb->binary);
    }
  json_decref(o);
}

/* ============================================================ references */

/* The upload an "h/" entry names. */
static int indexed(srv *s, const mc_buf *val, upload_rec *r) {
  char id[SRV_UPLOAD_ID_LEN + 1];
  snprintf(id, sizeof id, "%.*s", (int)(val->len < SRV_UPLOAD_ID_LEN ? val->len : SRV_UPLOAD_ID_LEN),
           (const char *)val->data);
  return srv__upload_read(s, id, r);
}

/* The upload of `hash` `p` may reference: its own, or (an official) one
 * of an official of its agency. */
typedef struct match_ctx {
  srv *s;
  const principal *p;
  bool official;
  upload_rec found;
  bool any;
} match_ctx;

static int match_one(void *opaque, const mc_buf *key, const mc_buf *val) {
  match_ctx *m = opaque;
  upload_rec r;
  (void)key;
  if (indexed(m->s, val, &r) != 0)
    return 0;
  bool mine = !strcmp(r.account, m->p->acct.id);
  bool colleague = m->official && !strcmp(r.kind, "official") && r.agency[0] && !strcmp(r.agency, m->p->acct.agency);
  if (!mine && !colleague)
    return 0;
  m->found = r;
  m->any = true;
  return 1;
}

/* The bytes of the files a dossier holds already (its documents as they
 * stand), as their uploads' records say. */
typedef struct held_bytes {
  srv *s;
  int64_t total;
} held_bytes;

static void add_file(held_bytes *h, const char *hex) {
  upload_rec r;
  if (hex[0] && srv_upload_of_hash(h->s, hex, &r) == 0)
    h->total += r.size;
}

static int add_document(void *opaque, const eng_document_view *d) {
  held_bytes *h = opaque;
  add_file(h, d->sha256);
  for (int i = 0; i < d->nmore; i++)
    add_file(h, d->more[i]);
  return 0;
}

int srv_uploads_check(srv *s, const principal *p, const char *dossier, const eng_documents *docs, json_t **error) {
  const srv_config *c = &s->cfg;
  int64_t total = 0;
  char field[96], lim[32];
  *error = NULL;
  for (int i = 0; i < docs->n; i++) {
    const eng_document *d = &docs->list[i];
    int nfiles = 1 + d->nmore;
    if (nfiles > c->max_files_per_document) {
      snprintf(field, sizeof field, "documents[%d].files", i);
      char vi[200];
      snprintf(vi, sizeof vi, "Mỗi giấy tờ có tối đa %d tệp: vui lòng gộp các trang vào ít tệp hơn (ví dụ một tệp PDF).",
               c->max_files_per_document);
      *error = srv__upload_error("too_large", field, vi, "a document has at most %d files (max_files_per_document): %s has %d; "
                    "put the pages in fewer files (a PDF of several pages)", c->max_files_per_document,
                    d->name ? d->name : "", nfiles);
      return MC_ETOOBIG;
    }
    for (int k = 0; k < nfiles; k++) {
      const char *hex = k == 0 ? d->sha256 : d->more[k - 1];
      snprintf(field, sizeof field, "documents[%d].files[%d]", i, k);
      if (hex == NULL || strlen(hex) != 64)
        continue; /* the engine says what is wrong with it */
      match_ctx m = {.s = s, .p = p, .official = !srv_principal_is_applicant(p)};
      char prefix[80];
      snprintf(prefix, sizeof prefix, "h/%s/", hex);
      srv__uploads_each(s, prefix, NULL, match_one, &m);
      if (!m.any) {
        *error = srv__upload_error("upload_unknown", field,
                      "Không tìm thấy tệp này trong các tệp bạn đã tải lên: vui lòng tải tệp lên trước khi nộp.",
                      "no upload of this account (or, for an official, of its agency) has the SHA-256 %s: upload "
                      "the file first (POST /api/uploads) and give the sha256 of its receipt", hex);
        return MC_EACCES;
      }
      if (strcmp(m.found.state, "clean")) {
        *error = srv__upload_error("upload_held", field,
                      "Tệp này đang chờ kiểm tra mã độc: vui lòng nộp lại sau ít phút.",
                      "the upload %s (\"%s\") waits for the malware scanner: it can be used once scanned; try again "
                      "in a few minutes", m.found.id, m.found.name);
        return MC_EACCES;
      }
      total += m.found.size;
    }
  }
  held_bytes held = {s, 0};
  if (dossier)
    eng_dossier_documents(s->e, dossier, add_document, &held); /* unreadable: the engine says so */
  total += held.total;
  if (total > c->max_dossier_upload_bytes) {
    mib(c->max_dossier_upload_bytes, lim, sizeof lim);
    char vi[200];
    snprintf(vi, sizeof vi, "Tổng dung lượng các tệp vượt quá %s: vui lòng quét với độ phân giải thấp hơn.", lim);
    *error = srv__upload_error("too_large", "documents", vi, "the dossier's files together would be %lld bytes, over %s "
                  "(max_dossier_upload_bytes): scan at a lower resolution", (long long)total, lim);
    return MC_ETOOBIG;
  }
  return 0;
}

typedef struct mark_ctx {
  srv *s;
  const char *dossier;
} mark_ctx;

static int mark_one(void *opaque, const mc_buf *key, const mc_buf *val) {
  mark_ctx *m = opaque;
  upload_rec r;
  (void)key;
  if (indexed(m->s, val, &r) == 0 && r.dossier[0] == '\0') {
    snprintf(r.dossier, sizeof r.dossier, "%s", m->dossier);
    srv__upload_put(m->s, &r);
  }
  return 0;
}

/* Every upload of that content is now kept for the dossier (the log says so
 * too: this spares the expiry a look-up). */
void srv_uploads_referenced(srv *s, const eng_documents *docs, const char *dossier) {
  mark_ctx m = {s, dossier};
  for (int i = 0; i < docs->n; i++) {
    const eng_document *d = &docs->list[i];
    for (int k = 0; k <= d->nmore; k++) {
      const char *hex = k == 0 ? d->sha256 : d->more[k - 1];
      char prefix[80];
      if (hex == NULL)
        continue;
      snprintf(prefix, sizeof prefix, "h/%s/", hex);
      srv__uploads_each(s, prefix, NULL, mark_one, &m);
    }
  }
}

/* ============================================================ download links */

static void link_mac(srv *s, const char *sha256, const char *dossier, const char *account, int64_t expires,
                     char out[44]) {
  char msg[400];
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  int n = snprintf(msg, sizeof msg, "%s\n%s\n%s\n%lld", sha256, dossier, account, (long long)expires);
  crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, s->uploads.link_key);
  sodium_bin2base64(out, 44, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void srv_upload_link(srv *s, const char *dossier, const char *sha256, const char *account, char *out, size_t size,
                     mc_instant *expires_at) {
  char mac[44];
  *expires_at = srv_now(s) + (mc_instant)s->cfg.download_link_minutes * 60 * 1000;
  link_mac(s, sha256, dossier, account, *expires_at, mac);
  snprintf(out, size, "/api/files/%s?dossier=%s&account=%s&expires=%lld&mac=%s", sha256, dossier, account,
           (long long)*expires_at, mac);
}

int srv_upload_link_check(srv *s, const char *sha256, const char *dossier, const char *account, int64_t expires,
                          const char *mac) {
  char want[44];
  link_mac(s, sha256, dossier, account, expires, want);
  if (mac == NULL || strlen(mac) != strlen(want) || sodium_memcmp(mac, want, strlen(want)) != 0)
    return MC_EACCES;
  return expires < srv_now(s) ? MC_EACCES : 0;
}

typedef struct first_ctx {
  srv *s;
  upload_rec *out;
  bool found;
} first_ctx;

static int first_one(void *opaque, const mc_buf *key, const mc_buf *val) {
  first_ctx *f = opaque;
  (void)key;
  f->found = indexed(f->s, val, f->out) == 0;
  return f->found;
}

int srv_upload_of_hash(srv *s, const char *sha256, upload_rec *out) {
  char prefix[80];
  first_ctx f = {s, out, false};
  snprintf(prefix, sizeof prefix, "h/%s/", sha256);
  srv__uploads_each(s, prefix, NULL, first_one, &f);
  return f.found ? 0 : MC_ENOENT;
}
