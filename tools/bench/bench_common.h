/* bench_common.h — see bench_common.c. */
#ifndef MOTCUA_BENCH_COMMON_H
#define MOTCUA_BENCH_COMMON_H

#include "base/instant.h"
#include "engine/engine.h"

double now_s(void);                 /* monotonic seconds */
mc_instant at(const char *iso);     /* Vietnam local time */
void publish_bundle(eng_engine *e); /* workflows/, as of 2025-01-01; exits on error */
void birth_form(mc_buf *out);       /* a valid e-form of 1.001193 (birth registration) */
/* Prints what the data directory's legal record takes on disk per event
 * (LMDB pages in use in every database but aux, x the page size, / events),
 * after `label`, with each database's pages when MOTCUA_BENCH_FOOTPRINT_DBS
 * is set; returns the figure (0 when it cannot be read). */
double bench_footprint(eng_engine *e, const char *label);

#endif
