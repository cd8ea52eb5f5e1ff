/* type.h — what an upload is, from its content (never its name or the type
 * a client claims): libmagic's MIME type against the allowlist of what a
 * dossier's scans may be — PDF, JPEG, PNG — and CMS containers (a signed
 * file, .p7m/.p7s) recognised by OpenSSL parsing them.  Anything else is
 * refused, with what it is and what is allowed (issue 18). */
#ifndef MOTCUA_FILES_TYPE_H
#define MOTCUA_FILES_TYPE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { FILES_PDF, FILES_JPEG, FILES_PNG, FILES_CMS, FILES_REFUSED } files_type;

typedef struct files_typed {
  files_type type;
  char mime[96];       /* what libmagic says it is ("application/x-dosexec", ...) */
  char why[200];       /* FILES_REFUSED: what it is and what is allowed, in English */
  char why_vi[240];    /* the same in Vietnamese, for the person uploading */
} files_typed;

/* The type of `len` bytes (the whole file, or at least its first 64 KiB for
 * PDF, JPEG and PNG; a CMS container is parsed whole).  0, or MC_ENOMEM /
 * MC_EIO when libmagic cannot be opened (its database missing). */
int files_type_of(const void *data, size_t len, files_typed *out);

/* "pdf", "jpeg", "png", "cms", "refused"; and the MIME type a download is
 * served with. */
const char *files_type_name(files_type t);
const char *files_type_mime(files_type t);

#endif
