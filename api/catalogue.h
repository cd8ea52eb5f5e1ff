/* catalogue.h — the public catalogue of procedures: what can be filed now,
 * where, and what each procedure's page shows; searched by words with or
 * without Vietnamese diacritics ("khai sinh" finds "Đăng ký khai sinh").
 * Beside it, the directory of agencies for clients.
 *
 * Built from the definitions in effect (engine.h, eng_definitions) and the
 * agency directory's offers; the server rebuilds it when a definition is
 * published or retired, and every hour (a publication may take effect
 * later than it is published). */
#ifndef MOTCUA_API_CATALOGUE_H
#define MOTCUA_API_CATALOGUE_H

#include <jansson.h>

#include "base/buf.h"
#include "engine/engine.h"

typedef struct catalogue catalogue;

int srv_catalogue_build(eng_engine *e, mc_instant now, catalogue **out);
void srv_catalogue_free(catalogue *c);

typedef struct catalogue_query {
  const char *q;       /* words, all of which must match (prefixes of words) */
  const char *sector, *field, *level, *online, *agency; /* exact, or NULL */
} catalogue_query;

/* {"procedures": [...], "count": N}. */
json_t *srv_catalogue_search(const catalogue *c, const catalogue_query *q);

/* The page of one procedure; NULL when no such procedure is in effect. */
json_t *srv_catalogue_page(const catalogue *c, const char *code);

/* The agencies other than the filing one that do a step of the procedure in
 * any version ever published, retired ones included (a JSON array of codes,
 * borrowed until the catalogue is freed), or NULL: who reads its dossiers. */
const json_t *srv_catalogue_step_agencies(const catalogue *c, const char *code);

/* The directory for clients: every agency of the directory in effect, as
 * it has them — {code, name, level, parent, address, contacts: {email,
 * phone, website}, departments: [{code, name}], office_hours} (null where
 * the directory says nothing), the office hours those of the agency's
 * calendar ({calendar, timezone, mon: ["07:30-11:30", ...], ..., sun}) —
 * in code order (borrowed until the catalogue is freed; NULL without one). */
const json_t *srv_catalogue_agencies(const catalogue *c);
/* One agency of it, or NULL when the directory has no such agency. */
const json_t *srv_catalogue_agency(const catalogue *c, const char *code);

/* The drawing of a procedure in effect (the SVG `motcua graph` makes, by
 * Graphviz from drawing/graph.h), made once per version in the thread pool:
 * the SVG when it is made (borrowed until the catalogue is freed); else a
 * copy of the compiled definition in `machine` to make it from, which is
 * returned; NULL when no such procedure is in effect.  _keep keeps a made
 * SVG if the procedure is still at the version it was made from. */
const mc_buf *srv_catalogue_drawing(const catalogue *c, const char *code, mc_buf *machine);
void srv_catalogue_drawing_keep(catalogue *c, const char *code, const mc_buf *machine, const mc_buf *svg);

/* The procedure's name, or NULL. */
const char *srv_catalogue_name(const catalogue *c, const char *code);

/* Text folded for search: lower case, no diacritics (đ -> d), words
 * separated by one space.  Appended to `out`, NUL-terminated. */
int srv_catalogue_fold(const char *text, mc_buf *out);

int srv_catalogue_count(const catalogue *c);

/* The server's catalogue rebuilt from the definitions in effect now (the
 * old one kept, and the failure logged, when it cannot be). */
typedef struct srv srv;
void srv_catalogue_refresh(srv *s);

#endif
