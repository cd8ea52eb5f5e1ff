/* pdf.h — what a PDF upload may not hold (issue 18): JavaScript, embedded
 * files, launch actions (and XFA forms, which carry scripts).  The file is
 * read with Debian's libqpdf, which decodes obfuscated names (/J#61vaScript
 * is /JavaScript) and the objects packed in compressed object streams, in a
 * worker process with resource limits (memory, CPU time, no files), so that a
 * hostile PDF costs a child process, never the server.  A PDF the worker
 * cannot read within its limits is refused too. */
#ifndef MOTCUA_FILES_PDF_H
#define MOTCUA_FILES_PDF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct files_pdf_report {
  bool javascript, embedded, launch, xfa;
  bool unreadable;             /* not a PDF libqpdf reads, or past the worker's limits */
  int objects;                 /* objects looked at */
  char why[240];               /* when refused: what was found, in English */
  char why_vi[280];            /* the same in Vietnamese */
} files_pdf_report;

/* Limits of the worker: address space (MiB), CPU seconds, wall-clock seconds. */
typedef struct files_pdf_limits {
  int memory_mb, cpu_seconds, wall_seconds;
} files_pdf_limits;
#define FILES_PDF_LIMITS_DEFAULT {512, 10, 15}

/* Inspects `len` bytes.  0 with the report (refused when any of its flags
 * is set: files_pdf_refused), or MC_EIO when no worker could be started. */
int files_pdf_inspect(const void *data, size_t len, const files_pdf_limits *limits, files_pdf_report *out);
/* The same for the file at `path` (read by the worker, never by the caller:
 * an upload is not held whole in the server's memory). */
int files_pdf_inspect_file(const char *path, const files_pdf_limits *limits, files_pdf_report *out);
bool files_pdf_refused(const files_pdf_report *r);

#endif
