/* bench_dsl.c — procedures compiled per second.
 *
 * Generates N procedure files (default 1,000) in memory, varied like real
 * ones (different names, forms of 5-20 fields, 4-12 steps with choices), and
 * compiles them all in one compile with the bundled policies and directory
 * as context: parse, every check, canonical encoding and hashing.  Prints
 * procedures per second and bytes of compiled output.  Not part of the test
 * command.
 *
 *   build/tools/bench/bench-dsl [N]
 */
#include "base/file.h"
#include "base/instant.h"
#include "dsl/dsl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) { return (double)mc_mono_ns() / 1e9; }

static void generate(mc_buf *out, int i) {
  int fields = 5 + i % 16, steps = 4 + i % 9;
  mc_buf_printf(out,
                "# generated procedure %d\n"
                "procedure \"9.%06d\" \"Thủ tục sinh tự động số %d\" {\n"
                "  sector \"Tư pháp\"\n  field \"Hộ tịch\"\n  level commune\n  online full\n"
                "  time %d working days\n  policy \"nd118-2025\"\n  fee 20.000 VND * form.f0\n"
                "  document to_khai \"Tờ khai\" original 1 eform\n  channels desk, post, online\n"
                "  form {\n    f0 number label \"Số bản\" range 0..10\n"
                "    kind enum(\"một\", \"hai\", \"ba\") required label \"Loại\"\n",
                i, i, i, 1 + i % 10);
  for (int f = 1; f < fields; f++)
    mc_buf_printf(out, "    f%d text required label \"Trường %d\" length 1..100\n", f, f);
  mc_buf_printf(out, "  }\n"
                     "  step reception \"Tiếp nhận\" by reception within policy.reception_limit state submitted {\n"
                     "    on accept -> route notify applicant \"accepted\"\n"
                     "    on reject -> rejected\n  }\n"
                     "  choice route {\n    when form.kind == \"một\" -> s1\n"
                     "    when form.kind == \"hai\" -> s1\n    when form.kind == \"ba\" -> s1\n  }\n");
  for (int s = 1; s < steps; s++)
    mc_buf_printf(out,
                  "  step s%d \"Bước %d\" by specialist within %d working days state processing {\n"
                  "    warn 2 working hours before\n"
                  "    on complete -> %s%d\n    on deny -> returned\n  }\n",
                  s, s, 1 + s % 3, s + 1 < steps ? "s" : "done", s + 1);
  mc_buf_printf(out, "  step done%d \"Trả kết quả\" by reception within 1 working day state decided {\n"
                     "    on return_result -> returned\n  }\n}\n",
                steps);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  const char *context[] = {MOTCUA_WORKFLOWS_DIR "/policies/nd118-2025.mc",
                           MOTCUA_WORKFLOWS_DIR "/agencies/bac-ninh.mc"};
  mc_buf *texts = calloc((size_t)n + 2, sizeof *texts);
  mc_source *src = calloc((size_t)n + 2, sizeof *src);
  char (*names)[32] = calloc((size_t)n, sizeof *names);
  size_t total_bytes = 0, out_bytes = 0;

  for (int i = 0; i < 2; i++) {
    if (mc_file_read(context[i], 1 << 20, &texts[n + i]) != 0) {
      fprintf(stderr, "cannot read %s\n", context[i]);
      return 1;
    }
    src[n + i] = (mc_source){context[i], mc_buf_cstr(&texts[n + i]), texts[n + i].len};
  }
  for (int i = 0; i < n; i++) {
    generate(&texts[i], i);
    snprintf(names[i], sizeof names[i], "gen-%d.mc", i);
    src[i] = (mc_source){names[i], mc_buf_cstr(&texts[i]), texts[i].len};
    total_bytes += texts[i].len;
  }

  double best = 1e9;
  for (int round = 0; round < 3; round++) {
    dsl_compile *c;
    mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
    const dsl_artifact *arts;
    int count;
    double t0 = now_s();
    dsl_compile_new(&c);
    for (int i = 0; i < n + 2; i++)
      dsl_compile_add(c, &src[i], i >= n, &sink);
    if (dsl_compile_check(c, &sink) != 0 || dsl_compile_emit(c, &arts, &count) != 0 || count != n) {
      fprintf(stderr, "bench-dsl: the generated procedures did not compile\n");
      return 1;
    }
    double dt = now_s() - t0;
    if (dt < best)
      best = dt;
    out_bytes = 0;
    for (int i = 0; i < count; i++)
      out_bytes += arts[i].bytes.len;
    dsl_compile_free(c);
  }
  printf("bench-dsl: %d generated procedures, %.1f KiB of source, best of 3 runs\n", n,
         (double)total_bytes / 1024);
  printf("  compile (parse + check + encode + hash): %.3f s = %.0f procedures/s, %.1f MiB/s of source\n",
         best, n / best, (double)total_bytes / best / (1 << 20));
  printf("  compiled output: %.1f KiB, %.0f bytes per procedure\n", (double)out_bytes / 1024,
         (double)out_bytes / n);
  for (int i = 0; i < n + 2; i++)
    mc_buf_free(&texts[i]);
  free(texts);
  free(src);
  free(names);
  return 0;
}
