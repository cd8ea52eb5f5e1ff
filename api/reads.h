/* reads.h — who read whose personal data and when (ĐN Art. 4.4): each
 * opening of a dossier in full is noted in memory and written in batches to
 * the aux database "reads", outside the legal record, without an fsync per
 * read (the sweep writes what gathered, in the pool; a stop writes the rest).
 * Queue rows and searches are not noted: they show no more than a name.
 * Auditors list them (`reads` over the WebSocket) and export them
 * (`motcua audit reads`). */
#ifndef MOTCUA_API_READS_H
#define MOTCUA_API_READS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

typedef struct srv srv;
typedef struct principal principal;

/* The aux database, and a record's key: u64 BE time (ms), u32 BE a counter,
 * u32 the process's random tag (two processes never write the same key). */
#define SRV_READS_DB "reads"

typedef struct read_note {
  mc_instant at;
  char account[64], role[24], agency[32];
  char dossier[64];
  char whose[24], name[128];   /* the applicant's id number and name */
  char address[64];
  char file[65];               /* a download: the file's SHA-256 ("" for an opening) */
} read_note;

typedef struct srv_reads {
  read_note *list;
  int n, cap;
  uint32_t counter, tag;
  bool writing;                /* a batch is in the pool */
  uint64_t noted, written, dropped; /* for /metrics (noted: whatever the sweep has written yet) */
} srv_reads;

void srv_reads_init(srv_reads *r);
void srv_reads_free(srv_reads *r);
/* One opening of a dossier in full by `p` from `address`. */
void srv_reads_note(srv *s, const principal *p, const char *dossier, const eng_applicant_view *whose,
                    const char *address);
/* One download of a file of a dossier (whose: the applicant, when known). */
void srv_reads_note_file(srv *s, const principal *p, const char *dossier, const eng_applicant_view *whose,
                         const char *file, const char *address);
/* Writes what gathered: in the pool (the sweep), or now (`now`: a stop). */
void srv_reads_flush(srv *s, bool now);

#endif
