/* uploads.c — scans uploaded for dossiers (api/uploads.h). */
#include "api/uploads.h"

#include "api/access.h"
#include "api/runtime.h"
#include "base/error.h"
#include "base/log.h"
#include "files/admit.h"
#include "files/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAUSE_AT (1 << 20)     /* bytes waiting for the pool beyond which the connection is paused */
#define SCAN_TIMEOUT_MS 60000
#define PING_EVERY_MS 30000
#define EXPIRY_EVERY_MS (3600 * 1000)
#define QUOTA_WINDOW_MS (24 * 3600 * 1000)

/* An upload being received: its running hash survives a dropped connection. */
struct upload_live {
  upload_live *next;
  char id[SRV_UPLOAD_ID_LEN + 1];
  mc_sha256 sha;
  int64_t hashed;              /* bytes written and hashed */
  bool busy;                   /* a request is streaming into it */
  mc_instant used_at;
};

struct upload_stream {
  srv *s;
  upload_live *live;
  upload_rec rec;
  upload_stream_fns fns;
  void *opaque;                /* NULL once the request went away */
  int fd;
  char partial[1200];
  int64_t start;               /* the offset this request began at */
  mc_buf pending, writing;
  bool in_pool, ended, paused, finishing;
  int err;
  uv_work_t uv;
  /* The admission. */
  uint8_t hash[32];
  files_admission adm;
  int adm_rc;
};

/* ============================================================ records */

static int rec_key(char *out, size_t size, const char *id) { return snprintf(out, size, "i/%s", id); }

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

static int rec_from_json(const void *data, size_t len, upload_rec *r) {
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

static int rec_put(srv *s, const upload_rec *r) {
  char key[32];
  json_t *o = rec_to_json(r);
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  if (text == NULL)
    return MC_ENOMEM;
  int n = rec_key(key, sizeof key, r->id);
  int rc = store_aux_put(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n, text, strlen(text));
  free(text);
  return rc;
}

static int rec_get(srv *s, const char *id, upload_rec *r) {
  char key[32];
  mc_buf v = MC_BUF_INIT;
  int n = rec_key(key, sizeof key, id);
  int rc = store_aux_get(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n, &v);
  if (rc == 0)
    rc = rec_from_json(v.data, v.len, r);
  mc_buf_free(&v);
  return rc;
}

/* "h/" SHA "/" ACCOUNT -> ID, once the content is known. */
static int index_hash(srv *s, const upload_rec *r) {
  char key[160];
  int n = snprintf(key, sizeof key, "h/%s/%s", r->sha256, r->account);
  return store_aux_put(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n, r->id, strlen(r->id));
}

static int quota_key(char *out, size_t size, const char *account, mc_instant at, const char *id) {
  return snprintf(out, size, "a/%s/%016llx/%s", account, (unsigned long long)at, id);
}

/* Every entry of the db whose key begins with `prefix`, to `fn` (non-zero stops). */
static int each_prefixed(srv *s, const char *prefix, const char *from,
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

/* ============================================================ live uploads */

static upload_live *live_of(srv *s, const char *id, bool make) {
  for (upload_live *l = s->uploads.live; l; l = l->next)
    if (!strcmp(l->id, id))
      return l;
  if (!make)
    return NULL;
  upload_live *l = calloc(1, sizeof *l);
  if (l == NULL)
    return NULL;
  snprintf(l->id, sizeof l->id, "%s", id);
  mc_sha256_init(&l->sha);
  l->next = s->uploads.live;
  s->uploads.live = l;
  return l;
}

static void live_drop(srv *s, upload_live *gone) {
  for (upload_live **p = &s->uploads.live; *p; p = &(*p)->next)
    if (*p == gone) {
      *p = gone->next;
      free(gone);
      return;
    }
}

/* ============================================================ open, close */

static int link_key(srv *s) {
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

static int count_held(void *opaque, const mc_buf *key, const mc_buf *val) {
  srv *s = opaque;
  upload_rec r;
  (void)key;
  if (rec_from_json(val->data, val->len, &r) == 0 && !strcmp(r.state, "held"))
    s->uploads.held++;
  return 0;
}

int srv_uploads_open(srv *s) {
  srv_uploads *u = &s->uploads;
  int rc = files_store_open(&u->fs, s->cfg.data_dir);
  if (rc == 0)
    rc = link_key(s);
  if (rc) {
    mc_log(MC_LOG_ERROR, "uploads", "cannot open %s/files: %s", s->cfg.data_dir, mc_strerror(rc));
    return rc;
  }
  u->scanner = -1;
  u->open = true;
  each_prefixed(s, "i/", NULL, count_held, s);
  files_store_usage(&u->fs, &u->usage);
  return 0;
}

void srv_uploads_close(srv *s) {
  for (upload_live *l = s->uploads.live, *n; l; l = n) {
    n = l->next;
    free(l);
  }
  s->uploads.live = NULL;
  sodium_memzero(s->uploads.link_key, sizeof s->uploads.link_key);
  s->uploads.open = false;
}

/* ============================================================ create, get */

static json_t *fail(const char *code, const char *field, const char *vi, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static json_t *fail(const char *code, const char *field, const char *vi, const char *fmt, ...) {
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
    *error = fail("unavailable", NULL, "Máy chủ chưa nhận tệp tải lên được (thư mục tệp không mở được).",
                  "uploads are not available: the files directory could not be opened (see the server's log)");
    return MC_EIO;
  }
  mib(c->max_file_bytes, lim, sizeof lim);
  if (size <= 0 || size > c->max_file_bytes) {
    *error = fail("too_large", "size", size <= 0 ? "Tệp rỗng: vui lòng chọn tệp bản quét." : "Tệp quá lớn.",
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
  /* The account's uploads of the last 24 hours. */
  quota q = {.since = srv_now(s) - QUOTA_WINDOW_MS};
  char prefix[96], from[128];
  snprintf(prefix, sizeof prefix, "a/%s/", p->acct.id);
  quota_key(from, sizeof from, p->acct.id, q.since, "");
  each_prefixed(s, prefix, from, add_quota, &q);
  if (q.bytes + size > c->max_account_upload_bytes) {
    mib(c->max_account_upload_bytes, lim, sizeof lim);
    mib(q.bytes, used, sizeof used);
    char vi[300];
    snprintf(vi, sizeof vi, "Tài khoản đã tải lên %s trong 24 giờ qua (tối đa %s): vui lòng thử lại sau.", used, lim);
    *error = fail("too_large", "size", vi, "this account uploaded %s in the last 24 hours (max_account_upload_bytes: "
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
  int kn = quota_key(key, sizeof key, r->account, r->created_at, r->id);
  int vn = snprintf(val, sizeof val, "%lld", (long long)size);
  int rc = rec_put(s, r);
  if (rc == 0)
    rc = store_aux_put(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)kn, val, (size_t)vn);
  if (rc)
    *error = fail("unavailable", NULL, "Không lưu được tệp tải lên: vui lòng thử lại sau.",
                  "the upload cannot be recorded now (%s): try again in a moment", mc_strerror(rc));
  return rc;
}

/* What the server has of an upload: what the running hash covers, else
 * what the record and the partial file both have. */
static int64_t offset_of(srv *s, const upload_rec *r) {
  upload_live *l = live_of(s, r->id, false);
  if (strcmp(r->state, "receiving"))
    return r->received;
  if (l && l->hashed == r->received)
    return l->hashed;
  char path[1200];
  struct stat st;
  files_store_partial(&s->uploads.fs, r->id, path, sizeof path);
  if (stat(path, &st) != 0)
    return 0;
  return st.st_size < r->received ? st.st_size : r->received;
}

int srv_upload_get(srv *s, const principal *p, const char *id, upload_rec *out) {
  if (strlen(id) != SRV_UPLOAD_ID_LEN)
    return MC_ENOENT;
  int rc = rec_get(s, id, out);
  if (rc == 0 && strcmp(out->account, p->acct.id))
    return MC_ENOENT; /* another's: as if there were none */
  if (rc == 0)
    out->received = offset_of(s, out);
  return rc;
}

/* ============================================================ streaming */

static void pool_start(upload_stream *st, uv_work_cb work, uv_after_work_cb after);
static void stream_write_after(uv_work_t *w, int status);

static void stream_free(upload_stream *st) {
  if (st->fd >= 0)
    close(st->fd);
  if (st->live)
    st->live->busy = false;
  mc_buf_free(&st->pending);
  mc_buf_free(&st->writing);
  free(st);
}

static void reply(upload_stream *st, int status, json_t *body) {
  if (st->opaque) {
    void *o = st->opaque;
    st->opaque = NULL;
    st->fns.done(o, status, body);
  } else {
    json_decref(body);
  }
}

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return errno == ENOSPC || errno == EDQUOT ? MC_ENOSPC : MC_EIO;
    p += w, n -= (size_t)w;
  }
  return 0;
}

/* In the pool: the partial file opened at the stream's start (what is
 * beyond it, written but not recorded, cut), the running hash brought to
 * it when the server restarted since; then the bytes written and hashed. */
static void stream_write_work(uv_work_t *w) {
  upload_stream *st = w->data;
  if (st->fd < 0) {
    st->fd = open(st->partial, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (st->fd < 0 || ftruncate(st->fd, st->start) != 0) {
      st->err = errno == ENOSPC ? MC_ENOSPC : MC_EIO;
      return;
    }
    if (st->live->hashed != st->start) {
      unsigned char buf[1 << 16];
      mc_sha256_init(&st->live->sha);
      int64_t done = 0;
      while (done < st->start) {
        ssize_t n = pread(st->fd, buf, sizeof buf, done);
        if (n <= 0) {
          st->err = MC_EIO;
          return;
        }
        mc_sha256_update(&st->live->sha, buf, (size_t)n);
        done += n;
      }
      st->live->hashed = st->start;
    }
    if (lseek(st->fd, st->start, SEEK_SET) < 0) {
      st->err = MC_EIO;
      return;
    }
  }
  if ((st->err = write_all(st->fd, st->writing.data, st->writing.len)) == 0)
    mc_sha256_update(&st->live->sha, st->writing.data, st->writing.len);
}

static void next_step(upload_stream *st);

static void pool_start(upload_stream *st, uv_work_cb work, uv_after_work_cb after) {
  st->in_pool = true;
  st->uv.data = st;
  st->s->jobs_in_flight++;
  if (uv_queue_work(&st->s->loop, &st->uv, work, after) != 0) {
    work(&st->uv);
    after(&st->uv, 0);
  }
}

static void stream_write_after(uv_work_t *w, int status) {
  upload_stream *st = w->data;
  (void)status;
  st->in_pool = false;
  st->s->jobs_in_flight--;
  if (st->err == 0) {
    st->live->hashed += (int64_t)st->writing.len;
    st->rec.received = st->live->hashed;
    st->s->uploads.bytes_received += st->writing.len;
  }
  st->writing.len = 0;
  next_step(st);
}

/* In the pool: the whole upload admitted (files/admit.h). */
static void admit_work(uv_work_t *w) {
  upload_stream *st = w->data;
  srv *s = st->s;
  if (st->fd >= 0) {
    close(st->fd);
    st->fd = -1;
  }
  mc_sha256 copy = st->live->sha;
  mc_sha256_final(&copy, st->hash);
  files_admit_config cfg = {s->cfg.clamd_socket, SCAN_TIMEOUT_MS, FILES_PDF_LIMITS_DEFAULT};
  st->adm_rc = files_admit(&s->uploads.fs, st->partial, st->hash, &cfg, &st->adm);
}

/* The admission's outcome in the record, counted, logged, the index of
 * the content; for a stream and for a held upload scanned again alike. */
static void record_admission(srv *s, upload_rec *r, const uint8_t hash[32], const files_admission *a) {
  srv_uploads *u = &s->uploads;
  bool was_held = !strcmp(r->state, "held");
  mc_hex(hash, 32, r->sha256);
  snprintf(r->type, sizeof r->type, "%s", a->outcome == FILES_ADMITTED ? files_type_name(a->type) : "");
  snprintf(r->why, sizeof r->why, "%s", a->outcome == FILES_ADMITTED ? "" : a->why);
  snprintf(r->why_vi, sizeof r->why_vi, "%s", a->outcome == FILES_ADMITTED ? "" : a->why_vi);
  r->done_at = srv_now(s);
  switch (a->outcome) {
  case FILES_ADMITTED: snprintf(r->state, sizeof r->state, "clean"); u->admitted++; break;
  case FILES_NOT_ALLOWED:
  case FILES_UNSCANNABLE: snprintf(r->state, sizeof r->state, "refused"); u->refused++; break;
  case FILES_MALWARE:
    snprintf(r->state, sizeof r->state, "infected");
    u->infected++;
    /* The operator's and the agency's alert: loud, with who and what. */
    mc_log(MC_LOG_ERROR, "uploads",
           "MALWARE in upload %s (\"%s\", %lld bytes, sha256 %s) by %s %s of agency %s: %s; quarantined in "
           "%s/quarantine", r->id, r->name, (long long)r->size, r->sha256, r->kind, r->account,
           r->agency[0] ? r->agency : "-", a->signature, u->fs.dir);
    break;
  case FILES_HELD:
    if (!was_held) {
      u->held++;
      u->held_total++;
    }
    snprintf(r->state, sizeof r->state, "held");
    break;
  }
  if (was_held && a->outcome != FILES_HELD)
    u->held--;
  /* Indexed by content once admitted or held (a reference to a held one is
   * told to wait for the scan). */
  if (rec_put(s, r) != 0 || ((a->outcome == FILES_ADMITTED || a->outcome == FILES_HELD) && index_hash(s, r) != 0))
    mc_log(MC_LOG_ERROR, "uploads", "the record of upload %s could not be written: it must be uploaded again", r->id);
  if (a->outcome == FILES_MALWARE)
    srv_uploads_incident(s, r, a->signature);
}

static void admit_after(uv_work_t *w, int status) {
  upload_stream *st = w->data;
  srv *s = st->s;
  (void)status;
  st->in_pool = false;
  s->jobs_in_flight--;
  if (st->adm_rc) {
    /* Nothing decided: the client sends it again from the start. */
    mc_log(MC_LOG_ERROR, "uploads", "upload %s could not be checked: %s", st->rec.id, mc_strerror(st->adm_rc));
    st->rec.received = 0;
    st->live->hashed = 0;
    rec_put(s, &st->rec);
    reply(st, 503, json_pack("{s:o}", "error",
                             fail("unavailable", NULL, "Chưa kiểm tra được tệp: vui lòng gửi lại tệp sau ít phút.",
                                  "the upload could not be checked now (%s): send it again from offset 0 in a moment",
                                  mc_strerror(st->adm_rc))));
    stream_free(st);
    return;
  }
  record_admission(s, &st->rec, st->hash, &st->adm);
  if (strcmp(st->rec.state, "held")) {
    upload_live *l = st->live;
    st->live = NULL;
    live_drop(s, l);
  }
  int code = !strcmp(st->rec.state, "clean") ? 201 : !strcmp(st->rec.state, "held") ? 202 : 422;
  json_t *body = srv_upload_json(&st->rec);
  if (code == 422) {
    bool infected = !strcmp(st->rec.state, "infected");
    json_t *e = fail(infected ? "infected" : "file_refused", "file", st->rec.why_vi, "%s", st->rec.why);
    json_object_set_new(body, "error", e);
  }
  reply(st, code, body);
  stream_free(st);
}

/* What comes next for a stream, on the loop, whenever the pool is done. */
static void next_step(upload_stream *st) {
  srv *s = st->s;
  if (st->err) {
    int status = st->err == MC_ENOSPC ? 507 : 500;
    mc_log(MC_LOG_ERROR, "uploads", "upload %s: writing %s failed: %s", st->rec.id, st->partial, mc_strerror(st->err));
    reply(st, status, json_pack("{s:o}", "error",
                                fail("unavailable", NULL, "Máy chủ không ghi được tệp: vui lòng thử lại sau.",
                                     "the server could not write the upload (%s): try again later",
                                     mc_strerror(st->err))));
    st->live->hashed = 0;
    stream_free(st);
    return;
  }
  if (st->pending.len && (st->ended || st->pending.len >= 64 * 1024 || st->opaque == NULL)) {
    mc_buf t = st->writing;
    st->writing = st->pending;
    st->pending = t;
    st->pending.len = 0;
    pool_start(st, stream_write_work, stream_write_after);
    return;
  }
  if (st->paused && st->opaque) {
    st->paused = false;
    st->fns.resume(st->opaque);
  }
  if (st->opaque == NULL && !st->ended) {
    rec_put(s, &st->rec); /* the request went away: the next resumes where this one ended */
    stream_free(st);
    return;
  }
  if (!st->ended)
    return;
  if (st->rec.received < st->rec.size) {
    int rc = rec_put(s, &st->rec);
    reply(st, rc ? 503 : 200, srv_upload_json(&st->rec));
    stream_free(st);
    return;
  }
  pool_start(st, admit_work, admit_after);
}

upload_stream *srv_upload_begin(srv *s, const principal *p, const char *id, int64_t offset, int64_t length,
                                const upload_stream_fns *fns, void *opaque, int *status, json_t **error) {
  upload_rec r;
  *error = NULL;
  int rc = srv_upload_get(s, p, id, &r);
  if (rc) {
    *status = rc == MC_ENOENT ? 404 : 503;
    *error = rc == MC_ENOENT ? fail("not_found", NULL, "Không có tệp tải lên này (hoặc đã hết hạn): vui lòng tải lên lại.",
                                    "there is no upload %s of this account (it may have expired): start a new one "
                                    "(POST /api/uploads)", id)
                             : fail("unavailable", NULL, "Vui lòng thử lại sau.", "the upload cannot be read now (%s)",
                                    mc_strerror(rc));
    return NULL;
  }
  if (strcmp(r.state, "receiving")) {
    *status = 409;
    *error = fail("conflict", NULL, "Tệp này đã được tải lên đủ.",
                  "upload %s has all its bytes already (state %s): GET /api/uploads/%s gives its receipt", id, r.state, id);
    return NULL;
  }
  upload_live *l = live_of(s, id, true);
  if (l == NULL) {
    *status = 503;
    *error = fail("unavailable", NULL, "Vui lòng thử lại sau.", "out of memory");
    return NULL;
  }
  if (l->busy) {
    *status = 409;
    *error = fail("conflict", NULL, "Tệp này đang được tải lên từ một kết nối khác.",
                  "upload %s is being sent on another connection: wait for it to end (or drop), then resume", id);
    return NULL;
  }
  if (offset != r.received) {
    *status = 409;
    *error = fail("conflict", "offset", "Vị trí tiếp tục không đúng: vui lòng tiếp tục từ vị trí máy chủ đã nhận.",
                  "upload %s continues at byte %lld, not %lld: send from there (?offset=%lld)", id,
                  (long long)r.received, (long long)offset, (long long)r.received);
    json_object_set_new(*error, "offset", json_integer(r.received));
    return NULL;
  }
  if (length <= 0 || offset + length > r.size) {
    *status = 413;
    *error = fail("too_large", NULL, "Dữ liệu gửi lên vượt quá kích thước tệp đã khai báo.",
                  "%lld bytes from byte %lld go past the upload's declared size (%lld bytes)", (long long)length,
                  (long long)offset, (long long)r.size);
    return NULL;
  }
  upload_stream *st = calloc(1, sizeof *st);
  if (st == NULL) {
    *status = 503;
    *error = fail("unavailable", NULL, "Vui lòng thử lại sau.", "out of memory");
    return NULL;
  }
  st->s = s;
  st->live = l;
  st->rec = r;
  st->fns = *fns;
  st->opaque = opaque;
  st->fd = -1;
  st->start = offset;
  files_store_partial(&s->uploads.fs, id, st->partial, sizeof st->partial);
  l->busy = true;
  l->used_at = srv_now(s);
  return st;
}

bool srv_upload_feed(upload_stream *st, const void *data, size_t len) {
  mc_buf_append(&st->pending, data, len);
  if (!st->in_pool)
    next_step(st);
  if (st->pending.len >= PAUSE_AT)
    st->paused = true;
  return !st->paused;
}

void srv_upload_end(upload_stream *st) {
  st->ended = true;
  if (!st->in_pool)
    next_step(st);
}

void srv_upload_abandon(upload_stream *st) {
  st->opaque = NULL;
  if (!st->in_pool)
    next_step(st);
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

/* ============================================================ the sweep */

typedef struct sweep_job {
  uv_work_t uv;
  srv *s;
  int kind;                    /* 0 ping, 1 rescan, 2 expiry */
  mc_instant now;
  int scanner;
  char why[200], version[128];
  files_usage usage;
  bool usage_done;
  /* rescan: the held uploads scanned again */
  upload_rec recs[16];
  uint8_t hashes[16][32];
  files_admission adm[16];
  int n;
  /* expiry: the ids of receiving uploads removed (their live state goes) */
  char gone[64][SRV_UPLOAD_ID_LEN + 1];
  int ngone, expired;
} sweep_job;

static void ping_work(uv_work_t *w) {
  sweep_job *j = w->data;
  mc_buf version = MC_BUF_INIT, why = MC_BUF_INIT;
  j->scanner = files_scan_ping(j->s->cfg.clamd_socket, 5000, &version, &why) == 0;
  snprintf(j->version, sizeof j->version, "%s", version.len ? mc_buf_cstr(&version) : "");
  snprintf(j->why, sizeof j->why, "%s", why.len ? mc_buf_cstr(&why) : "");
  mc_buf_free(&version);
  mc_buf_free(&why);
  if (j->now - j->s->uploads.usage_at >= 300 * 1000 || j->s->uploads.usage_at == 0)
    j->usage_done = files_store_usage(&j->s->uploads.fs, &j->usage) == 0;
}

static int take_held(void *opaque, const mc_buf *key, const mc_buf *val) {
  sweep_job *j = opaque;
  (void)key;
  upload_rec r;
  if (rec_from_json(val->data, val->len, &r) != 0 || strcmp(r.state, "held") ||
      mc_unhex(r.sha256, j->hashes[j->n], 32) != 0)
    return 0;
  j->recs[j->n++] = r;
  return j->n == 16;
}

static void rescan_work(uv_work_t *w) {
  sweep_job *j = w->data;
  srv *s = j->s;
  each_prefixed(s, "i/", NULL, take_held, j);
  files_admit_config cfg = {s->cfg.clamd_socket, SCAN_TIMEOUT_MS, FILES_PDF_LIMITS_DEFAULT};
  for (int i = 0; i < j->n; i++) {
    char partial[1200];
    files_store_partial(&s->uploads.fs, j->recs[i].id, partial, sizeof partial);
    if (files_admit(&s->uploads.fs, partial, j->hashes[i], &cfg, &j->adm[i]) != 0) {
      memset(&j->adm[i], 0, sizeof j->adm[i]);
      j->adm[i].outcome = FILES_HELD; /* tried again at the next pass */
    }
    if (j->adm[i].outcome == FILES_HELD)
      break; /* still down: the rest wait too */
  }
}

static void remove_upload(srv *s, const upload_rec *r) {
  char key[160];
  int n = rec_key(key, sizeof key, r->id);
  store_aux_del(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n);
  n = quota_key(key, sizeof key, r->account, r->created_at, r->id);
  store_aux_del(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n);
  if (r->sha256[0] && (!strcmp(r->state, "clean") || !strcmp(r->state, "held"))) {
    n = snprintf(key, sizeof key, "h/%s/%s", r->sha256, r->account);
    store_aux_del(eng_store(s->e), SRV_UPLOADS_DB, key, (size_t)n);
  }
}

static int any(void *opaque, const mc_buf *key, const mc_buf *val) {
  (void)key, (void)val;
  *(bool *)opaque = true;
  return 1;
}

static int expire_one(void *opaque, const mc_buf *key, const mc_buf *val) {
  sweep_job *j = opaque;
  srv *s = j->s;
  upload_rec r;
  (void)key;
  if (rec_from_json(val->data, val->len, &r) != 0)
    return 0;
  mc_instant ttl = (mc_instant)s->cfg.upload_expiry_hours * 3600 * 1000;
  bool old = r.created_at < j->now - ttl;
  if (!strcmp(r.state, "clean") && r.dossier[0] == '\0') {
    uint8_t hash[32];
    char dossier[64];
    /* The log decides: a file a dossier references is never removed. */
    if (mc_unhex(r.sha256, hash, 32) == 0 && eng_file_referenced(s->e, hash, dossier, sizeof dossier) == 0) {
      snprintf(r.dossier, sizeof r.dossier, "%s", dossier);
      rec_put(s, &r);
      return 0;
    }
    if (!old)
      return 0;
    remove_upload(s, &r);
    char prefix[80];
    bool others = false;
    snprintf(prefix, sizeof prefix, "h/%s/", r.sha256);
    each_prefixed(s, prefix, NULL, any, &others);
    if (!others)
      files_store_remove(&s->uploads.fs, hash);
    j->expired++;
  } else if (old && (!strcmp(r.state, "refused") || !strcmp(r.state, "infected"))) {
    remove_upload(s, &r); /* (a quarantined file stays for the operator) */
  } else if (!strcmp(r.state, "receiving") && r.created_at < j->now - ttl - 3600 * 1000 && j->ngone < 64) {
    char partial[1200];
    struct stat st;
    files_store_partial(&s->uploads.fs, r.id, partial, sizeof partial);
    if (stat(partial, &st) == 0 && (mc_instant)st.st_mtime * 1000 > j->now - 3600 * 1000)
      return 0; /* still arriving */
    unlink(partial);
    remove_upload(s, &r);
    snprintf(j->gone[j->ngone++], sizeof j->gone[0], "%s", r.id);
    j->expired++;
  }
  return 0;
}

static void expiry_work(uv_work_t *w) {
  sweep_job *j = w->data;
  each_prefixed(j->s, "i/", NULL, expire_one, j);
  j->usage_done = files_store_usage(&j->s->uploads.fs, &j->usage) == 0;
}

static void sweep_after(uv_work_t *w, int status) {
  sweep_job *j = w->data;
  srv *s = j->s;
  srv_uploads *u = &s->uploads;
  (void)status;
  s->jobs_in_flight--;
  if (j->usage_done) {
    u->usage = j->usage;
    u->usage_at = j->now;
  }
  switch (j->kind) {
  case 0:
    u->pinging = false;
    if (j->scanner != u->scanner)
      mc_log(j->scanner ? MC_LOG_INFO : MC_LOG_ERROR, "uploads", j->scanner ? "the malware scanner answers: %s"
             : "THE MALWARE SCANNER DOES NOT ANSWER (%s): uploads are held, none accepted unscanned; start clamd "
             "(clamd_socket = %s)", j->scanner ? j->version : j->why, s->cfg.clamd_socket);
    u->scanner = j->scanner;
    snprintf(u->scanner_why, sizeof u->scanner_why, "%s", j->why);
    snprintf(u->scanner_version, sizeof u->scanner_version, "%s", j->version);
    break;
  case 1:
    u->rescanning = false;
    for (int i = 0; i < j->n; i++) {
      if (j->adm[i].outcome == FILES_HELD)
        break;
      record_admission(s, &j->recs[i], j->hashes[i], &j->adm[i]);
      upload_live *l = live_of(s, j->recs[i].id, false);
      if (l)
        live_drop(s, l);
      mc_log(MC_LOG_INFO, "uploads", "held upload %s scanned: %s", j->recs[i].id, j->recs[i].state);
    }
    break;
  case 2:
    u->expiring = false;
    u->expired += (uint64_t)j->expired;
    for (int i = 0; i < j->ngone; i++) {
      upload_live *l = live_of(s, j->gone[i], false);
      if (l && !l->busy)
        live_drop(s, l);
    }
    if (j->expired)
      mc_log(MC_LOG_INFO, "uploads", "%d uploads never referenced expired", j->expired);
    break;
  }
  free(j);
}

static void sweep_start(srv *s, int kind, uv_work_cb work) {
  sweep_job *j = calloc(1, sizeof *j);
  if (j == NULL)
    return;
  j->s = s;
  j->kind = kind;
  j->now = srv_now(s);
  j->uv.data = j;
  s->jobs_in_flight++;
  if (uv_queue_work(&s->loop, &j->uv, work, sweep_after) != 0) {
    work(&j->uv);
    sweep_after(&j->uv, 0);
  }
}

void srv_uploads_sweep(srv *s) {
  srv_uploads *u = &s->uploads;
  mc_instant now = srv_now(s);
  if (!u->open || s->stopping)
    return;
  if (!u->pinging && now - u->last_ping_at >= (u->scanner == 1 ? PING_EVERY_MS : 5000)) {
    u->pinging = true;
    u->last_ping_at = now;
    sweep_start(s, 0, ping_work);
  }
  if (!u->rescanning && u->held > 0 && u->scanner == 1) {
    u->rescanning = true;
    sweep_start(s, 1, rescan_work);
  }
  if (!u->expiring && now - u->last_expiry_at >= EXPIRY_EVERY_MS) {
    u->expiring = true;
    u->last_expiry_at = now;
    sweep_start(s, 2, expiry_work);
  }
}

/* ============================================================ references */

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
  char id[SRV_UPLOAD_ID_LEN + 1];
  upload_rec r;
  (void)key;
  snprintf(id, sizeof id, "%.*s", (int)(val->len < SRV_UPLOAD_ID_LEN ? val->len : SRV_UPLOAD_ID_LEN),
           (const char *)val->data);
  if (rec_get(m->s, id, &r) != 0)
    return 0;
  bool mine = !strcmp(r.account, m->p->acct.id);
  bool colleague = m->official && !strcmp(r.kind, "official") && r.agency[0] && !strcmp(r.agency, m->p->acct.agency);
  if (!mine && !colleague)
    return 0;
  m->found = r;
  m->any = true;
  return 1;
}

int srv_uploads_check(srv *s, const principal *p, const eng_documents *docs, json_t **error) {
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
      *error = fail("too_large", field, vi, "a document has at most %d files (max_files_per_document): %s has %d; "
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
      each_prefixed(s, prefix, NULL, match_one, &m);
      if (!m.any) {
        *error = fail("upload_unknown", field,
                      "Không tìm thấy tệp này trong các tệp bạn đã tải lên: vui lòng tải tệp lên trước khi nộp.",
                      "no upload of this account (or, for an official, of its agency) has the SHA-256 %s: upload "
                      "the file first (POST /api/uploads) and give the sha256 of its receipt", hex);
        return MC_EACCES;
      }
      if (strcmp(m.found.state, "clean")) {
        *error = fail("upload_held", field,
                      "Tệp này đang chờ kiểm tra mã độc: vui lòng nộp lại sau ít phút.",
                      "the upload %s (\"%s\") waits for the malware scanner: it can be used once scanned; try again "
                      "in a few minutes", m.found.id, m.found.name);
        return MC_EACCES;
      }
      total += m.found.size;
    }
  }
  if (total > c->max_dossier_upload_bytes) {
    mib(c->max_dossier_upload_bytes, lim, sizeof lim);
    char vi[200];
    snprintf(vi, sizeof vi, "Tổng dung lượng các tệp vượt quá %s: vui lòng quét với độ phân giải thấp hơn.", lim);
    *error = fail("too_large", "documents", vi, "the files together are %lld bytes, over %s (max_dossier_upload_bytes): "
                  "scan at a lower resolution", (long long)total, lim);
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
  char id[SRV_UPLOAD_ID_LEN + 1];
  upload_rec r;
  (void)key;
  snprintf(id, sizeof id, "%.*s", (int)(val->len < SRV_UPLOAD_ID_LEN ? val->len : SRV_UPLOAD_ID_LEN),
           (const char *)val->data);
  if (rec_get(m->s, id, &r) == 0 && r.dossier[0] == '\0') {
    snprintf(r.dossier, sizeof r.dossier, "%s", m->dossier);
    rec_put(m->s, &r);
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
      each_prefixed(s, prefix, NULL, mark_one, &m);
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
  char id[SRV_UPLOAD_ID_LEN + 1];
  (void)key;
  snprintf(id, sizeof id, "%.*s", (int)(val->len < SRV_UPLOAD_ID_LEN ? val->len : SRV_UPLOAD_ID_LEN),
           (const char *)val->data);
  f->found = rec_get(f->s, id, f->out) == 0;
  return f->found;
}

int srv_upload_of_hash(srv *s, const char *sha256, upload_rec *out) {
  char prefix[80];
  first_ctx f = {s, out, false};
  snprintf(prefix, sizeof prefix, "h/%s/", sha256);
  each_prefixed(s, prefix, NULL, first_one, &f);
  return f.found ? 0 : MC_ENOENT;
}
