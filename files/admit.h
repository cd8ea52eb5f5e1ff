/* admit.h — whether a whole upload may be kept, and keeping it (issue 18).
 *
 * Once every byte of an upload has arrived (its SHA-256 computed on the
 * way), the file at its partial path is scanned by clamd, typed from its
 * content, and a PDF inspected for what it may not hold; then it is kept
 * under its hash (files/store.h), quarantined (infected), removed (refused),
 * or left where it is to be scanned again (the scanner is down: held, never
 * accepted unscanned).  Runs in the thread pool: it reads the file and waits
 * for clamd. */
#ifndef MOTCUA_FILES_ADMIT_H
#define MOTCUA_FILES_ADMIT_H

#include <stdint.h>

#include "files/pdf.h"
#include "files/store.h"
#include "files/type.h"

typedef enum {
  FILES_ADMITTED,     /* kept under its hash */
  FILES_NOT_ALLOWED,  /* its type is not one a scan may be, or a PDF holds what it may not: removed */
  FILES_MALWARE,      /* clamd found malware: quarantined */
  FILES_UNSCANNABLE,  /* beyond what clamd scans whole: removed */
  FILES_HELD,         /* the scanner cannot be reached: left to be scanned again */
} files_outcome;

typedef struct files_admission {
  files_outcome outcome;
  files_type type;
  char mime[96];
  char signature[128];         /* FILES_MALWARE: clamd's name for it */
  char why[256], why_vi[320];  /* anything but FILES_ADMITTED: what and what to do */
} files_admission;

typedef struct files_admit_config {
  const char *clamd_socket;
  int scan_timeout_ms;
  files_pdf_limits pdf;
} files_admit_config;

/* Admits the upload at `partial` whose content has `hash`.  0 with the
 * outcome, or an MC_ error (the file could not be read or moved: nothing
 * decided, the partial file is where it was). */
int files_admit(const files_store *fs, const char *partial, const uint8_t hash[32], const files_admit_config *cfg,
                files_admission *out);

/* "admitted", "not_allowed", "malware", "unscannable", "held". */
const char *files_outcome_name(files_outcome o);

#endif
