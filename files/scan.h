/* scan.h — malware scanning of uploads through ClamAV's daemon (clamd).
 *
 * Every upload passes through clamd before it can be referenced (issue 18):
 * the file is streamed over clamd's local socket with INSTREAM (chunks of
 * 64 KiB, each with its length, ended by a zero length), and clamd answers
 * "stream: OK", "stream: NAME FOUND", or an error ("INSTREAM size limit
 * exceeded", ...).  clamd must run with AlertExceedsMax on and its
 * StreamMaxLength above MaxFileSize, so that a file too large to scan whole
 * is reported, never passed (docs/OPERATIONS.md, "Malware scanning").
 * Nothing here decides what to do with a verdict; a scanner that cannot be
 * reached, or answers something else, is FILES_UNAVAILABLE: the upload is
 * held, never accepted unscanned.
 */
#ifndef MOTCUA_FILES_SCAN_H
#define MOTCUA_FILES_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef enum {
  FILES_CLEAN,        /* clamd scanned it whole and found nothing */
  FILES_INFECTED,     /* clamd found `signature` */
  FILES_TOO_LARGE,    /* beyond what clamd scans (StreamMaxLength, or a limit with AlertExceedsMax) */
  FILES_UNAVAILABLE,  /* no answer to trust: clamd down, not listening, an error, a timeout */
} files_verdict;

typedef struct files_scan_result {
  files_verdict verdict;
  char signature[128];   /* FILES_INFECTED: what clamd named (never to be relied on by name) */
  char why[256];         /* FILES_TOO_LARGE, FILES_UNAVAILABLE: what went wrong, in English */
} files_scan_result;

/* Scans the file open on `fd` (read from its current offset to its end)
 * through the clamd listening on the Unix socket `socket_path`, waiting at
 * most `timeout_ms` for each read or write.  Returns 0 with a verdict, or
 * MC_EIO when `fd` cannot be read (the verdict is then UNAVAILABLE too). */
int files_scan_fd(const char *socket_path, int fd, int timeout_ms, files_scan_result *out);

/* The same for bytes in memory. */
int files_scan_bytes(const char *socket_path, const void *data, size_t len, int timeout_ms, files_scan_result *out);

/* Whether clamd answers PING with PONG, and its VERSION line into `version`
 * (the engine's and, when it has one, the database's): 0, or MC_EIO with
 * `why` (for /healthz and the operator's alert). */
int files_scan_ping(const char *socket_path, int timeout_ms, mc_buf *version, mc_buf *why);

/* "clean", "infected", "too_large", "unavailable". */
const char *files_verdict_name(files_verdict v);

#endif
