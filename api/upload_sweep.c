/* upload_sweep.c — the uploads' life beside requests (api/uploads.h):
 * opening and closing, and the sweep's part — the scanner's health, held
 * uploads scanned again, the expiry of what no dossier references, the
 * folders' use — each in the pool, one at a time. */
#include "api/uploads-int.h"

#include "api/access.h"
#include "api/runtime.h"
#include "base/error.h"
#include "base/log.h"
#include "files/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PING_EVERY_MS 30000
#define EXPIRY_EVERY_MS (3600 * 1000)

/* ============================================================ open, close */

static int count_held(void *opaque, const mc_buf *key, const mc_buf *val) {
  srv *s = opaque;
  upload_rec r;
  (void)key;
  if (srv__upload_decode(val->data, val->len, &r) == 0 && !strcmp(r.state, "held"))
    s->uploads.held++;
  return 0;
}

int srv_uploads_open(srv *s) {
  srv_uploads *u = &s->uploads;
  int rc = files_store_open(&u->fs, s->cfg.data_dir);
  if (rc == 0)
    rc = srv__upload_link_key(s);
  if (rc) {
    mc_log(MC_LOG_ERROR, "uploads", "cannot open %s/files: %s", s->cfg.data_dir, mc_strerror(rc));
    return rc;
  }
  u->scanner = -1;
  u->open = true;
  srv__uploads_each(s, "i/", NULL, count_held, s);
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
  if (srv__upload_decode(val->data, val->len, &r) != 0 || strcmp(r.state, "held") ||
      mc_unhex(r.sha256, j->hashes[j->n], 32) != 0)
    return 0;
  j->recs[j->n++] = r;
  return j->n == 16;
}

static void rescan_work(uv_work_t *w) {
  sweep_job *j = w->data;
  srv *s = j->s;
  srv__uploads_each(s, "i/", NULL, take_held, j);
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
  if (srv__upload_decode(val->data, val->len, &r) != 0)
    return 0;
  mc_instant ttl = (mc_instant)s->cfg.upload_expiry_hours * 3600 * 1000;
  bool old = r.created_at < j->now - ttl;
  if (!strcmp(r.state, "clean") && r.dossier[0] == '\0') {
    uint8_t hash[32];
    char dossier[64];
    /* The log decides: a file a dossier references is never removed. */
    if (mc_unhex(r.sha256, hash, 32) == 0 && eng_file_referenced(s->e, hash, dossier, sizeof dossier) == 0) {
      snprintf(r.dossier, sizeof r.dossier, "%s", dossier);
      srv__upload_put(s, &r);
      return 0;
    }
    if (!old)
      return 0;
    srv__upload_remove(s, &r);
    char prefix[80];
    bool others = false;
    snprintf(prefix, sizeof prefix, "h/%s/", r.sha256);
    srv__uploads_each(s, prefix, NULL, any, &others);
    if (!others)
      files_store_remove(&s->uploads.fs, hash);
    j->expired++;
  } else if (old && (!strcmp(r.state, "refused") || !strcmp(r.state, "infected"))) {
    srv__upload_remove(s, &r); /* (a quarantined file stays for the operator) */
  } else if (!strcmp(r.state, "receiving") && r.created_at < j->now - ttl - 3600 * 1000 && j->ngone < 64) {
    char partial[1200];
    struct stat st;
    files_store_partial(&s->uploads.fs, r.id, partial, sizeof partial);
    if (stat(partial, &st) == 0 && (mc_instant)st.st_mtime * 1000 > j->now - 3600 * 1000)
      return 0; /* still arriving */
    unlink(partial);
    srv__upload_remove(s, &r);
    snprintf(j->gone[j->ngone++], sizeof j->gone[0], "%s", r.id);
    j->expired++;
  }
  return 0;
}

static void expiry_work(uv_work_t *w) {
  sweep_job *j = w->data;
  srv__uploads_each(j->s, "i/", NULL, expire_one, j);
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
      srv__upload_admitted(s, &j->recs[i], j->hashes[i], &j->adm[i]);
      upload_live *l = srv__upload_live(s, j->recs[i].id, false);
      if (l)
        srv__upload_live_drop(s, l);
      mc_log(MC_LOG_INFO, "uploads", "held upload %s scanned: %s", j->recs[i].id, j->recs[i].state);
    }
    break;
  case 2:
    u->expiring = false;
    u->expired += (uint64_t)j->expired;
    for (int i = 0; i < j->ngone; i++) {
      upload_live *l = srv__upload_live(s, j->gone[i], false);
      if (l && !l->busy)
        srv__upload_live_drop(s, l);
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

