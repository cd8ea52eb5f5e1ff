/* bench_calendar.c — deadline computations per second.
 *
 * Every accepted dossier computes its appointment, and every timer its due
 * instant, so this runs on the hot path of the writer.  The benchmark loads
 * the bundled calendar (2025-2026), draws random reception instants over
 * 2025 - mid 2026 from a fixed seed, and for each kind of limit counts how
 * many computations finish in a fixed time.  It prints figures; it never
 * fails on them.
 *
 *   build/tools/bench/bench-calendar [seconds-per-case]
 */
#include "calendar/calendar.h"
#include "base/instant.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) { return (double)mc_mono_ns() / 1e9; }

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void) {
  /* xorshift64*: reproducible across machines */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Du;
}

static eng_calendar *load_bundled(void) {
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  eng_calendar *cal = NULL;
  if (eng_calendar_load_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &cal) != 0)
    exit(1);
  return cal;
}

#define NFROM 4096

int main(int argc, char **argv) {
  double budget = argc > 1 ? atof(argv[1]) : 1.0;
  eng_calendar *cal = load_bundled();
  static mc_instant from[NFROM];
  mc_instant t0, t1;
  static const struct {
    const char *name;
    eng_duration d;
    int cutoff;
  } cases[] = {
      {"1 working day, cut-off 15:00", {ENG_UNIT_WORKING_DAYS, 1}, 900},
      {"3 working days", {ENG_UNIT_WORKING_DAYS, 3}, ENG_NO_CUTOFF},
      {"15 working days", {ENG_UNIT_WORKING_DAYS, 15}, ENG_NO_CUTOFF},
      {"8 working hours", {ENG_UNIT_WORKING_HOURS, 8}, ENG_NO_CUTOFF},
      {"1 working hour", {ENG_UNIT_WORKING_HOURS, 1}, ENG_NO_CUTOFF},
      {"15 calendar days", {ENG_UNIT_CALENDAR_DAYS, 15}, ENG_NO_CUTOFF},
  };

  mc_instant_parse("2025-01-01T00:00", MC_VN_OFFSET_MIN, &t0);
  mc_instant_parse("2026-07-01T00:00", MC_VN_OFFSET_MIN, &t1);
  for (int i = 0; i < NFROM; i++)
    from[i] = t0 + (mc_instant)(rng() % (uint64_t)(t1 - t0));

  printf("bench-calendar: deadline computations on the bundled calendar \"%s\", %g s per case\n",
         eng_calendar_id(cal), budget);
  printf("%-32s %14s %10s\n", "limit", "computations/s", "ns each");
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    eng_calc calc = ENG_CALC_INIT;
    uint64_t n = 0, sink = 0;
    double start = now_s(), elapsed;
    calc.cutoff_min = cases[c].cutoff;
    do {
      for (int i = 0; i < NFROM; i++) {
        mc_instant due;
        if (eng_calendar_add(cal, from[i], cases[c].d, &calc, &due) != 0) {
          fprintf(stderr, "computation failed\n");
          return 1;
        }
        sink += (uint64_t)due;
      }
      n += NFROM;
      elapsed = now_s() - start;
    } while (elapsed < budget);
    printf("%-32s %14.0f %10.1f   (checksum %llu)\n", cases[c].name, (double)n / elapsed,
           elapsed * 1e9 / (double)n, (unsigned long long)(sink % 1000));
  }

  /* Working time between two instants (used to report elapsed legal time). */
  {
    uint64_t n = 0;
    int64_t acc = 0;
    double start = now_s(), elapsed;
    do {
      for (int i = 0; i + 1 < NFROM; i++) {
        int64_t ms;
        mc_instant a = from[i], b = from[i] + (mc_instant)(rng() % (30 * MC_MS_PER_DAY));
        eng_calendar_working_time_between(cal, a, b, NULL, &ms);
        acc += ms;
      }
      n += NFROM - 1;
      elapsed = now_s() - start;
    } while (elapsed < budget);
    printf("%-32s %14.0f %10.1f   (checksum %lld)\n", "working time between (<=30 d)",
           (double)n / elapsed, elapsed * 1e9 / (double)n, (long long)(acc % 1000));
  }
  eng_calendar_free(cal);
  return 0;
}
