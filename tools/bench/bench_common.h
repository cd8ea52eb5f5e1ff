/* bench_common.h — see bench_common.c. */
#ifndef MOTCUA_BENCH_COMMON_H
#define MOTCUA_BENCH_COMMON_H

#include "base/instant.h"
#include "engine/engine.h"

double now_s(void);                 /* monotonic seconds */
mc_instant at(const char *iso);     /* Vietnam local time */
void publish_bundle(eng_engine *e); /* workflows/, as of 2025-01-01; exits on error */
void birth_form(mc_buf *out);       /* a valid e-form of 1.001193 (birth registration) */

#endif
