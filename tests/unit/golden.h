/* golden.h — golden tests of diagnostics, shared by the calendar and DSL
 * tests (jq's %%FAIL cases in spirit).
 *
 * Each DIR/NAME.EXT is a case: one source, or several files separated by
 * lines "--- file: NAME".  The test function parses them and renders every
 * diagnostic into `diags`; the result must equal DIR/NAME.err.  With
 * MOTCUA_UPDATE_GOLDEN=1 the .err files are rewritten instead (then review
 * the diff).  A differing case prints both texts.
 */
#ifndef MOTCUA_TESTS_GOLDEN_H
#define MOTCUA_TESTS_GOLDEN_H

#include "base/buf.h"
#include "base/diag.h"

#include <stdbool.h>

/* Parses `n` sources, renders diagnostics into `diags`; returns true when the
 * input was refused (every case is a broken input). */
typedef bool (*golden_fn)(const mc_source *sources, int n, mc_buf *diags, void *opaque);

/* Runs every case; returns the number of cases, or -1 on a failure (after
 * printing every differing case). */
int golden_run(const char *dir, const char *ext, golden_fn fn, void *opaque);

/* A sink function that renders into the mc_buf in `opaque`. */
void golden_render(void *opaque, const mc_diag *d);

#endif
