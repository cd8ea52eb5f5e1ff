/* upload_stream.c — an upload's bytes (api/uploads.h): written to its
 * partial file and hashed in the pool as they arrive, the connection paused
 * while the pool is behind, resumed at the server's offset after a drop;
 * whole, admitted (files/admit.h) and recorded. */
#include "api/uploads-int.h"

#include "api/access.h"
#include "api/runtime.h"
#include "base/error.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAUSE_AT (256 << 10)   /* bytes waiting for the pool beyond which the connection is paused */

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

/* ============================================================ live uploads */

upload_live *srv__upload_live(srv *s, const char *id, bool make) {
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

void srv__upload_live_drop(srv *s, upload_live *gone) {
  for (upload_live **p = &s->uploads.live; *p; p = &(*p)->next)
    if (*p == gone) {
      *p = gone->next;
      free(gone);
      return;
    }
}

/* What the server has of an upload: what the running hash covers, else
 * what the record and the partial file both have. */
static int64_t offset_of(srv *s, const upload_rec *r) {
  upload_live *l = srv__upload_live(s, r->id, false);
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
  int rc = srv__upload_read(s, id, out);
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
void srv__upload_admitted(srv *s, upload_rec *r, const uint8_t hash[32], const files_admission *a) {
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
  if (srv__upload_put(s, r) != 0 || ((a->outcome == FILES_ADMITTED || a->outcome == FILES_HELD) && srv__upload_index(s, r) != 0))
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
    srv__upload_put(s, &st->rec);
    reply(st, 503, json_pack("{s:o}", "error",
                             srv__upload_error("unavailable", NULL, "Chưa kiểm tra được tệp: vui lòng gửi lại tệp sau ít phút.",
                                  "the upload could not be checked now (%s): send it again from offset 0 in a moment",
                                  mc_strerror(st->adm_rc))));
    stream_free(st);
    return;
  }
  srv__upload_admitted(s, &st->rec, st->hash, &st->adm);
  if (strcmp(st->rec.state, "held")) {
    upload_live *l = st->live;
    st->live = NULL;
    srv__upload_live_drop(s, l);
  }
  int code = !strcmp(st->rec.state, "clean") ? 201 : !strcmp(st->rec.state, "held") ? 202 : 422;
  json_t *body = srv_upload_json(&st->rec);
  if (code == 422) {
    bool infected = !strcmp(st->rec.state, "infected");
    json_t *e = srv__upload_error(infected ? "infected" : "file_refused", "file", st->rec.why_vi, "%s", st->rec.why);
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
                                srv__upload_error("unavailable", NULL, "Máy chủ không ghi được tệp: vui lòng thử lại sau.",
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
    srv__upload_put(s, &st->rec); /* the request went away: the next resumes where this one ended */
    stream_free(st);
    return;
  }
  if (!st->ended)
    return;
  if (st->rec.received < st->rec.size) {
    int rc = srv__upload_put(s, &st->rec);
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
    *error = rc == MC_ENOENT ? srv__upload_error("not_found", NULL, "Không có tệp tải lên này (hoặc đã hết hạn): vui lòng tải lên lại.",
                                    "there is no upload %s of this account (it may have expired): start a new one "
                                    "(POST /api/uploads)", id)
                             : srv__upload_error("unavailable", NULL, "Vui lòng thử lại sau.", "the upload cannot be read now (%s)",
                                    mc_strerror(rc));
    return NULL;
  }
  if (strcmp(r.state, "receiving")) {
    *status = 409;
    *error = srv__upload_error("conflict", NULL, "Tệp này đã được tải lên đủ.",
                  "upload %s has all its bytes already (state %s): GET /api/uploads/%s gives its receipt", id, r.state, id);
    return NULL;
  }
  upload_live *l = srv__upload_live(s, id, true);
  if (l == NULL) {
    *status = 503;
    *error = srv__upload_error("unavailable", NULL, "Vui lòng thử lại sau.", "out of memory");
    return NULL;
  }
  if (l->busy) {
    *status = 409;
    *error = srv__upload_error("conflict", NULL, "Tệp này đang được tải lên từ một kết nối khác.",
                  "upload %s is being sent on another connection: wait for it to end (or drop), then resume", id);
    return NULL;
  }
  if (offset != r.received) {
    *status = 409;
    *error = srv__upload_error("conflict", "offset", "Vị trí tiếp tục không đúng: vui lòng tiếp tục từ vị trí máy chủ đã nhận.",
                  "upload %s continues at byte %lld, not %lld: send from there (?offset=%lld)", id,
                  (long long)r.received, (long long)offset, (long long)r.received);
    json_object_set_new(*error, "offset", json_integer(r.received));
    return NULL;
  }
  if (length <= 0 || offset + length > r.size) {
    *status = 413;
    *error = srv__upload_error("too_large", NULL, "Dữ liệu gửi lên vượt quá kích thước tệp đã khai báo.",
                  "%lld bytes from byte %lld go past the upload's declared size (%lld bytes)", (long long)length,
                  (long long)offset, (long long)r.size);
    return NULL;
  }
  upload_stream *st = calloc(1, sizeof *st);
  if (st == NULL) {
    *status = 503;
    *error = srv__upload_error("unavailable", NULL, "Vui lòng thử lại sau.", "out of memory");
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

