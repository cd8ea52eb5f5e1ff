/* bench_engine.c — the engine's figures (issue "The engine"), in one run:
 *
 *   1. whole lifecycles per second (submit, accept, approve, sign, return:
 *      five commands, five events) through eng_execute with durable group
 *      commit, with 1, 64 and 1,024 dossiers in flight (a batch holds one
 *      command of each dossier in flight); beside it, the ceiling: the
 *      store's own API appending the same number of events of the same size
 *      in the same batches;
 *   2. the time to rebuild every projection from the log and compare it
 *      (store_verify), per million events;
 *   2b. what the log takes on disk per event after those lifecycles, all
 *      included (log, indexes, projections: bench_footprint);
 *   3. resident memory with N open dossiers and their timers: the state
 *      lives in LMDB, so the process's own (anonymous) memory stays small;
 *      the mapped file pages the kernel may drop are shown apart.
 *
 *   build/tools/bench/bench-engine [open-dossiers (default 100000)]
 * Not part of the test command.  Prints figures, never fails on them.
 */
#include "base/canon.h"
#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"
#include "engine/engine.h"
#include "tools/bench/bench_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void rss(long *total_kb, long *anon_kb) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  *total_kb = *anon_kb = -1;
  while (f && fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmRSS:", 6))
      *total_kb = atol(line + 6);
    if (!strncmp(line, "RssAnon:", 8))
      *anon_kb = atol(line + 8);
  }
  if (f)
    fclose(f);
}

static mc_buf form;


static const char *const agencies[] = {"H13.X01", "H13.X02", "H13.X03"};

/* Runs `n` lifecycles, `k` in flight; returns seconds; *events counts events. */
static double lifecycles(eng_engine *e, int n, int k, mc_instant day, uint64_t *events) {
  eng_command *cmds = calloc((size_t)k, sizeof *cmds);
  eng_result *res = calloc((size_t)k, sizeof *res);
  char (*codes)[64] = calloc((size_t)k, sizeof *codes);
  static const struct { const char *action, *role; } steps[] = {
      {"accept", "reception"}, {"approve", "specialist"}, {"approve", "leader"}, {"return_result", "reception"}};
  double t0 = now_s();
  *events = 0;
  for (int done = 0; done < n; done += k) {
    int m = n - done < k ? n - done : k;
    /* At most 9,999 dossiers per agency per day (the code's NNNN): a new
     * day every 27,000 lifecycles. */
    mc_instant today = day + (mc_instant)(done / 27000) * MC_MS_PER_DAY;
    for (int i = 0; i < m; i++)
      cmds[i] = (eng_command){.kind = ENG_CMD_SUBMIT, .actor = {"cd", "applicant", NULL, "bench"},
                              .expected_version = STORE_ANY_VERSION,
                              .submit = {.procedure = "1.001193", .agency = agencies[(done + i) % 3],
                                         .channel = "online", .form = {form.data, form.len}}};
    if (eng_execute(e, cmds, m, today, res) != 0)
      return -1;
    for (int i = 0; i < m; i++) {
      if (res[i].status) {
        fprintf(stderr, "bench-engine: %s\n", res[i].message);
        return -1;
      }
      snprintf(codes[i], sizeof codes[i], "%s", res[i].dossier);
    }
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
      for (int i = 0; i < m; i++) {
        const char *agency = codes[i][6] == '1' ? "H13.X01" : codes[i][6] == '2' ? "H13.X02" : "H13.X03";
        cmds[i] = (eng_command){.kind = ENG_CMD_ACT, .actor = {"o", steps[s].role, agency, "bench"},
                                .dossier = codes[i], .expected_version = STORE_ANY_VERSION,
                                .act = {.action = steps[s].action}};
      }
      if (eng_execute(e, cmds, m, today + (mc_instant)(s + 1) * 60000, res) != 0)
        return -1;
    }
    *events += (uint64_t)m * 5;
  }
  free(cmds);
  free(res);
  free(codes);
  return now_s() - t0;
}

/* The ceiling: the store's API appending as many events of the same size in
 * the same batches. */
static double store_ceiling(store *st, uint64_t events, int k, size_t size) {
  uint8_t *payload = malloc(size + 16);
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  memset(payload, 'x', size);
  mc_canon_init(&w, &data);
  mc_canon_bin(&w, payload, size);
  mc_canon_finish(&w);
  double t0 = now_s();
  uint64_t done = 0;
  while (done < events) {
    store_batch *b;
    if (store_batch_begin(st, &b))
      return -1;
    for (int i = 0; i < k && done < events; i++, done++) {
      char stream[64];
      snprintf(stream, sizeof stream, "ceiling/%llu", (unsigned long long)(done % 100000));
      store_event_in in = {.stream = stream, .expected_version = STORE_ANY_VERSION, .type = "bench",
                           .time = at("2026-12-01T08:00"), .data = data.data, .data_len = data.len};
      store_cmd_result r;
      store_cmd_begin(b, NULL, &r);
      if (store_append(b, &in, NULL, NULL) != 0)
        return -1;
      store_cmd_commit(b, &r);
    }
    if (store_batch_commit(b))
      return -1;
  }
  free(payload);
  mc_buf_free(&data);
  return now_s() - t0;
}

int main(int argc, char **argv) {
  long open_dossiers = argc > 1 ? atol(argv[1]) : 100000;
  char dir[] = "/tmp/motcua-bench-engine-XXXXXX", ceiling_dir[] = "/tmp/motcua-bench-ceiling-XXXXXX";
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  if (!mkdtemp(dir) || !mkdtemp(ceiling_dir) || eng_open(dir, NULL, &e, &why)) {
    fprintf(stderr, "bench-engine: %s\n", mc_buf_cstr(&why));
    return 1;
  }
  publish_bundle(e);
  birth_form(&form);
  printf("motcua engine benchmark, in %s\n\n", dir);
  printf("lifecycles (submit, accept, approve, sign, return) through eng_execute, durable group commit\n");
  printf("%10s %12s %14s %14s %18s %8s\n", "in flight", "lifecycles", "lifecycles/s", "commands/s", "store API events/s", "ratio");
  static const struct { int k, n; const char *day; } runs[] = {
      {1, 200, "2026-03-02T08:00"}, {64, 6400, "2026-03-03T08:00"}, {1024, 30720, "2026-03-09T08:00"}};
  store_options so = {0};
  store *ceiling;
  if (store_open(ceiling_dir, &so, &ceiling, &why)) {
    fprintf(stderr, "bench-engine: %s\n", mc_buf_cstr(&why));
    return 1;
  }
  uint64_t total_events = 0;
  for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
    uint64_t events;
    double dt = lifecycles(e, runs[r].n, runs[r].k, at(runs[r].day), &events);
    double ct = store_ceiling(ceiling, events, runs[r].k, 560);
    total_events += events;
    printf("%10d %12d %14.0f %14.0f %18.0f %8.2f\n", runs[r].k, runs[r].n, runs[r].n / dt, (double)events / dt,
           (double)events / ct, ((double)events / dt) / ((double)events / ct));
  }
  store_close(ceiling);
  bench_footprint(e, "on disk after the lifecycles (definitions included):\n ");

  /* Open dossiers with their timers: submitted, accepted (a step with a limit and a warning). */
  long total_kb, anon_kb, base_total, base_anon;
  rss(&base_total, &base_anon);
  eng_command *cmds = calloc(1024, sizeof *cmds);
  eng_result *res = calloc(1024, sizeof *res);
  double t0 = now_s();
  for (long done = 0; done < open_dossiers; done += 1024) {
    int m = open_dossiers - done < 1024 ? (int)(open_dossiers - done) : 1024;
    char day[32];
    snprintf(day, sizeof day, "2026-%02ld-%02ldT08:00", 4 + (done / 9000) / 28 % 8, 1 + (done / 9000) % 28);
    for (int i = 0; i < m; i++)
      cmds[i] = (eng_command){.kind = ENG_CMD_SUBMIT, .actor = {"cd", "applicant", NULL, "bench"},
                              .expected_version = STORE_ANY_VERSION,
                              .submit = {.procedure = "1.001193", .agency = agencies[i % 3], .channel = "online",
                                         .form = {form.data, form.len}}};
    if (eng_execute(e, cmds, m, at(day), res)) {
      fprintf(stderr, "bench-engine: submitting failed\n");
      return 1;
    }
    total_events += (uint64_t)m;
  }
  double submit_dt = now_s() - t0;
  rss(&total_kb, &anon_kb);
  mc_instant due;
  bool any;
  eng_next_due(e, &due, &any);
  printf("\n%ld open dossiers with their timers (submitted in %.1f s, %.0f/s)\n", open_dossiers, submit_dt,
         open_dossiers / submit_dt);
  printf("  resident memory: %ld KiB in all, of which %ld KiB the process's own (anonymous);\n"
         "  the rest is LMDB's mapped file, which the kernel reclaims as it needs\n",
         total_kb, anon_kb);
  printf("  (before submitting them: %ld KiB in all, %ld KiB anonymous); next timer armed: %s\n", base_total,
         base_anon, any ? "yes" : "no");

  /* Rebuild every projection from the log and compare (what verify does). */
  store_verify_report report;
  memset(&report, 0, sizeof report);
  store_verify_options vo = {0};
  t0 = now_s();
  int rc = store_verify(eng_store(e), &vo, &report);
  double vt = now_s() - t0;
  printf("\nrebuilding and comparing every projection (store_verify) over %llu events: %.1f s = %.1f s per million events%s\n",
         (unsigned long long)report.events, vt, vt / ((double)report.events / 1e6),
         rc == 0 && report.problems == 0 ? "" : " (verify found problems!)");
  mc_buf_free(&report.text);
  (void)total_events;
  eng_close(e);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, ceiling_dir);
  if (system(cmd) != 0)
    fprintf(stderr, "bench-engine: could not remove %s\n", dir);
  return 0;
}
