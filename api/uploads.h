/* uploads.h — scans uploaded for dossiers (docs/PROTOCOL.md "Uploads",
 * docs/OPERATIONS.md "Uploaded files").
 *
 * An upload is declared (its name and size), then its bytes arrive in one
 * request or several (a dropped connection resumes at the offset the server
 * has): each chunk is written to its partial file and hashed in the thread
 * pool, the connection paused while the pool is behind (flow control), so an
 * upload is never held whole in memory.  Whole, it is admitted
 * (files/admit.h: scanned by clamd, typed, a PDF inspected) and kept under
 * its SHA-256, fsynced, before anyone may reference it; the receipt says so.
 *
 * The records — who uploaded what, its state, which dossier first
 * referenced it — are in the aux database "uploads", outside the legal
 * chain:
 *   "i/" ID                        the upload (JSON)
 *   "h/" SHA256 "/" ACCOUNT        ID: who uploaded this content
 *   "a/" ACCOUNT "/" T16 "/" ID    size: an account's uploads by time (its quota)
 * A dossier may reference only content its actor uploaded, or (an official)
 * an official of the actor's agency: knowing a hash gives nothing.  Uploads
 * never referenced expire (upload_expiry_hours); a file a dossier references
 * (the engine's projection says so, from the log) is never removed. */
#ifndef MOTCUA_API_UPLOADS_H
#define MOTCUA_API_UPLOADS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/hash.h"
#include "base/instant.h"
#include "engine/engine.h"
#include "files/store.h"

typedef struct srv srv;
typedef struct principal principal;

#define SRV_UPLOADS_DB "uploads"
#define SRV_UPLOAD_ID_LEN 22

typedef struct upload_rec {
  char id[SRV_UPLOAD_ID_LEN + 1];
  char account[64], kind[16], agency[32]; /* the uploader: "applicant" or "official", and its agency */
  char name[256];              /* the file's name as the uploader gave it (shown, never trusted) */
  int64_t size, received;
  char state[16];              /* receiving, held, clean, refused, infected */
  char sha256[MC_SHA256_HEX];
  char type[16];               /* pdf, jpeg, png, cms */
  char why[256], why_vi[320];  /* refused, infected, held: why */
  char dossier[64];            /* the first dossier that referenced it, as far as the server noted */
  mc_instant created_at, done_at;
} upload_rec;

typedef struct upload_live upload_live;

typedef struct srv_uploads {
  files_store fs;
  bool open;
  upload_live *live;           /* uploads being received, with their running hash */
  uint8_t link_key[32];        /* signs download links (DATA/files/link.key) */
  /* The scanner as last seen by the sweep. */
  int scanner;                 /* 1 answering, 0 not, -1 not yet asked */
  char scanner_why[200], scanner_version[128];
  bool pinging, rescanning, expiring;
  mc_instant last_ping_at, last_expiry_at;
  int held;                    /* uploads waiting for the scanner */
  files_usage usage;           /* the folders' use, as the last sweep measured */
  mc_instant usage_at;
  /* For /metrics. */
  uint64_t bytes_received, admitted, refused, infected, held_total, expired, downloads;
} srv_uploads;

int srv_uploads_open(srv *s);
void srv_uploads_close(srv *s);
/* The sweep's part: the scanner's health, held uploads scanned again,
 * expiry, the folders' use — each in the pool, one at a time. */
void srv_uploads_sweep(srv *s);

/* A new upload by `p`: its name and size within the limits, and (an
 * applicant) the agency it files with, alerted if the file holds malware.
 * 0 with the record, or an error (what the protocol answers) in *error. */
int srv_upload_create(srv *s, const principal *p, const char *name, int64_t size, const char *agency,
                      upload_rec *out, json_t **error);
/* An upload by its id, as its uploader sees it (`offset`: what the server
 * has of it).  MC_ENOENT when there is none (or it is another's). */
int srv_upload_get(srv *s, const principal *p, const char *id, upload_rec *out);
/* An admitted upload of this content (the first found): its type and name. */
int srv_upload_of_hash(srv *s, const char *sha256, upload_rec *out);
/* The upload as the protocol shows it (the receipt when it is whole). */
json_t *srv_upload_json(const upload_rec *r);

/* Bytes arriving for an upload: srv_upload_begin (the offset the client
 * says it starts at, the length it sends), then feed them as they come
 * (false: pause the connection until `resume` is called), then end.  `done`
 * is called once, on the loop, with the HTTP status and the reply (the
 * receipt, the new offset, or an error).  A stream whose request went away
 * is abandoned: what was written stays, the next request resumes. */
typedef struct upload_stream upload_stream;
typedef struct upload_stream_fns {
  void (*resume)(void *opaque);
  void (*done)(void *opaque, int status, json_t *reply);
} upload_stream_fns;
upload_stream *srv_upload_begin(srv *s, const principal *p, const char *id, int64_t offset, int64_t length,
                                const upload_stream_fns *fns, void *opaque, int *status, json_t **error);
bool srv_upload_feed(upload_stream *st, const void *data, size_t len);
void srv_upload_end(upload_stream *st);
void srv_upload_abandon(upload_stream *st);

/* The documents a command brings, checked against the uploads: each file
 * uploaded by `p` (or, `p` an official, by an official of its agency),
 * admitted, within the limits per document and per dossier (with the files
 * `dossier` holds already; NULL for a submission).  0, or the error to
 * answer (with the field: documents[1].files[0]). */
int srv_uploads_check(srv *s, const principal *p, const char *dossier, const eng_documents *docs, json_t **error);
/* Notes that `dossier` references the documents' files (after its command
 * committed): they no longer expire. */
void srv_uploads_referenced(srv *s, const eng_documents *docs, const char *dossier);

/* An upload found infected: recorded ("x/"), pushed as an `alert` to the
 * agency's subscribers (record_admission calls it). */
void srv_uploads_incident(srv *s, const upload_rec *r, const char *signature);

/* A link to download a file of a dossier, valid for download_link_minutes
 * for `account`; and checking one (0, or MC_EACCES: forged, expired). */
void srv_upload_link(srv *s, const char *dossier, const char *sha256, const char *account, char *out, size_t size,
                     mc_instant *expires_at);
int srv_upload_link_check(srv *s, const char *sha256, const char *dossier, const char *account, int64_t expires,
                          const char *mac);

#endif
