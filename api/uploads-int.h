/* uploads-int.h — what the files of the uploads share: api/uploads.c (the
 * records, lowest), api/upload_stream.c (the bytes and their admission),
 * api/upload_sweep.c (open, close, the sweep). */
#ifndef MOTCUA_API_UPLOADS_INT_H
#define MOTCUA_API_UPLOADS_INT_H

#include "api/uploads.h"
#include "base/buf.h"
#include "files/admit.h"

#define SCAN_TIMEOUT_MS 60000  /* clamd's answer for one file, at most */

/* An upload being received: its running hash survives a dropped connection. */
struct upload_live {
  upload_live *next;
  char id[SRV_UPLOAD_ID_LEN + 1];
  mc_sha256 sha;
  int64_t hashed;              /* bytes written and hashed */
  bool busy;                   /* a request is streaming into it */
  mc_instant used_at;
};

/* The records (uploads.c), in the aux database "uploads" (keys: uploads.h). */
int srv__upload_key(char *out, size_t size, const char *id);
int srv__upload_decode(const void *data, size_t len, upload_rec *r);
int srv__upload_put(srv *s, const upload_rec *r);
int srv__upload_read(srv *s, const char *id, upload_rec *r);
int srv__upload_index(srv *s, const upload_rec *r);
int srv__upload_quota_key(char *out, size_t size, const char *account, mc_instant at, const char *id);
void srv__upload_remove(srv *s, const upload_rec *r);
int srv__upload_link_key(srv *s);
/* Every entry whose key begins with `prefix` (from after `from`, or from the
 * prefix), to `fn` (non-zero stops). */
int srv__uploads_each(srv *s, const char *prefix, const char *from,
                      int (*fn)(void *opaque, const mc_buf *key, const mc_buf *val), void *opaque);
/* The protocol's error, with its Vietnamese message. */
json_t *srv__upload_error(const char *code, const char *field, const char *vi, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Uploads being received (upload_stream.c). */
upload_live *srv__upload_live(srv *s, const char *id, bool make);
void srv__upload_live_drop(srv *s, upload_live *l);
/* An admission's outcome in the record, counted, logged, indexed: for a
 * stream and for a held upload scanned again alike. */
void srv__upload_admitted(srv *s, upload_rec *r, const uint8_t hash[32], const files_admission *a);

#endif
