/* fuzz_dsl.c — libFuzzer target: any bytes as a procedure file.
 *
 * Parses, checks (after syntax errors too, as `motcua check` does: the
 * checks run on whatever the parser recovered) and, when clean, compiles
 * the input.  Nothing may crash,
 * leak (LeakSanitizer) or read out of bounds (AddressSanitizer), whatever the
 * bytes: binary garbage, deep nesting, huge numbers, unterminated text.
 * Run by tools/fuzz.sh with a fixed time budget.
 */
#include "dsl/dsl.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dsl_compile *c;
  mc_diag_sink sink = {0};
  mc_source src = {"fuzz.mc", (const char *)data, size};
  const dsl_artifact *arts;
  int n;

  if (dsl_compile_new(&c) != 0)
    return 0;
  int added = dsl_compile_add(c, &src, false, &sink);
  if (dsl_compile_check(c, &sink) == 0 && added == 0)
    dsl_compile_emit(c, &arts, &n);
  dsl_compile_free(c);
  return 0;
}
