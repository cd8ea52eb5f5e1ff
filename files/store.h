/* store.h — where uploaded files live: a content-addressed directory beside
 * the LMDB environment (docs/OPERATIONS.md, "Uploaded files").
 *
 *   DATA/files/sha256/ab/abcdef...   a file kept, named by its SHA-256
 *   DATA/files/partial/ID            an upload still arriving (its chunks appended)
 *   DATA/files/quarantine/abcdef...  a file found infected, kept for the operator
 *
 * A file is kept only once whole, checked and scanned: fsynced, renamed into
 * place, the directory fsynced — before any event may reference it.  Nothing
 * here knows who uploaded what (api/uploads.c's records, outside the legal
 * chain) or which dossier references a file (the log). */
#ifndef MOTCUA_FILES_STORE_H
#define MOTCUA_FILES_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct files_store {
  char dir[1024];              /* DATA/files */
} files_store;

/* Opens (creating) DATA/files and its folders.  0 or an MC_ error. */
int files_store_open(files_store *fs, const char *data_dir);

/* Paths: a kept file, an upload still arriving, a quarantined file. */
void files_store_path(const files_store *fs, const uint8_t hash[32], char *out, size_t size);
void files_store_partial(const files_store *fs, const char *id, char *out, size_t size);
void files_store_quarantined(const files_store *fs, const uint8_t hash[32], char *out, size_t size);

/* Keeps the whole upload at `partial` under its hash: fsync, rename into
 * place, fsync of the directory.  When that content is already kept the
 * partial file is removed.  0, or an MC_ error (the partial stays). */
int files_store_keep(const files_store *fs, const char *partial, const uint8_t hash[32]);
/* Moves an infected upload to the quarantine (the operator's to inspect). */
int files_store_quarantine(const files_store *fs, const char *partial, const uint8_t hash[32]);
/* Removes a kept file (an upload that expired, never referenced). */
int files_store_remove(const files_store *fs, const uint8_t hash[32]);

/* Whether a file is kept under `hash`, and re-reading it whether its content
 * still has that hash: 0, MC_ENOENT (missing), MC_ECORRUPT (altered), MC_EIO. */
int files_store_check(const files_store *fs, const uint8_t hash[32], int64_t *size);

/* What the folders hold, for /metrics and the operator. */
typedef struct files_usage {
  int64_t kept_bytes, partial_bytes, quarantine_bytes;
  int64_t kept, partial, quarantined;
} files_usage;
int files_store_usage(const files_store *fs, files_usage *u);

/* Every kept file's hash, in no particular order; `fn` returning non-zero stops. */
int files_store_each(const files_store *fs, int (*fn)(void *opaque, const uint8_t hash[32], int64_t size),
                     void *opaque);

/* Copies every kept file (and the key of download links) into
 * DEST_DATA_DIR/files, each fsynced: a backup's files, taken after its log
 * (a file is kept before any event references it, so the copy has every
 * file the copied log references).  Uploads still arriving and the
 * quarantine are not copied. */
int files_store_copy(const files_store *fs, const char *dest_data_dir, int64_t *files, int64_t *bytes);

#endif
