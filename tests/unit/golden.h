/* golden.h — golden tests of diagnostics, shared by the calendar and DSL
 * tests (jq's %%FAIL cases in spirit).
 *
 * Each DIR/NAME.EXT is a case: one source, or several files separated by
 * lines "--- file: NAME".  The test function parses them and renders every
 * diagnostic into `diags`, in Vietnamese (the default) and in English; the
 * results must equal DIR/NAME.err and DIR/NAME.en.err.  With
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
typedef bool (*golden_fn)(const mc_source *sources, int n, mc_buf *diags, mc_diag_sink *sink);

/* Runs every case in both languages; returns the number of cases, or -1 on a
 * failure (after printing every differing case).  A Vietnamese finding the
 * tables do not have (the sink's `untranslated`) fails its case. */
int golden_run(const char *dir, const char *ext, golden_fn fn);

/* A sink function that renders into the mc_buf in `opaque`. */
void golden_render(void *opaque, const mc_diag *d);

#endif
