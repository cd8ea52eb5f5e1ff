/* cmd_deadline.c — `motcua deadline`: when is a limit due?
 *
 *   motcua deadline [--calendar FILE...] [--from TIME] --add "3 working days"
 *                   [--cutoff 15:00] [--explain]
 *
 * Prints the due instant in ISO 8601 with its offset on the first line; with
 * --explain, every day it counted or skipped and why.  The calendar defaults
 * to the bundled one (workflows/calendars/ *.cal), the start to now.
 */
#include "tools/cli.h"

#include "base/buf.h"
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: motcua deadline [--calendar FILE...] [--from TIME] --add DURATION\n"
    "                       [--cutoff HH:MM] [--explain]\n"
    "\n"
    "  --calendar FILE...  calendar files (office hours, then one file per year);\n"
    "                      default: every .cal file of the bundled workflows/calendars\n"
    "  --from TIME         when the dossier was received, ISO 8601:\n"
    "                      2026-02-10T09:00 (calendar's zone), 2026-02-10T02:00Z,\n"
    "                      2026-02-10T09:00+07:00; default: now\n"
    "  --add DURATION      \"3 working days\", \"8 working hours\", \"15 days\",\n"
    "                      \"15 calendar days\", \"3 ngày làm việc\", \"8 giờ làm việc\"\n"
    "  --cutoff HH:MM      received after this time (not at it) counts from the next\n"
    "                      working day (15:00 under Decree 118, Art. 18)\n"
    "  --explain           list every day counted or skipped, and why\n";

static void fmt_local(const eng_calendar *cal, mc_instant t, bool with_time, char *out, size_t n) {
  int64_t day, msd;
  int y, m, d;
  mc_instant_split(t, eng_calendar_offset_min(cal), &day, &msd);
  mc_civil_from_days(day, &y, &m, &d);
  if (with_time)
    snprintf(out, n, "%s %04d-%02d-%02d %02d:%02d", mc_weekday_name_en(mc_weekday(day)), y, m, d,
             (int)(msd / MC_MS_PER_HOUR), (int)(msd / MC_MS_PER_MINUTE % 60));
  else
    snprintf(out, n, "%s %04d-%02d-%02d", mc_weekday_name_en(mc_weekday(day)), y, m, d);
}

static void fmt_day(int64_t day, char *out, size_t n) {
  int y, m, d;
  mc_civil_from_days(day, &y, &m, &d);
  snprintf(out, n, "%s %04d-%02d-%02d", mc_weekday_name_en(mc_weekday(day)), y, m, d);
}

static void fmt_hm(int64_t ms, char *out, size_t n) {
  int64_t minutes = ms / MC_MS_PER_MINUTE;
  snprintf(out, n, "%lldh%02lld", (long long)(minutes / 60), (long long)(minutes % 60));
}

/* Why a day has, or lacks, office hours. */
static void fmt_why(const eng_day_info *info, char *out, size_t n) {
  char paired[32] = "";
  if (info->paired_day >= 0)
    fmt_day(info->paired_day, paired, sizeof paired);
  switch (info->kind) {
  case ENG_DAY_WEEKEND:
    snprintf(out, n, "weekend (no office hours on %s)", mc_weekday_name_en(info->weekday));
    break;
  case ENG_DAY_HOLIDAY:
    snprintf(out, n, "holiday: %s", info->note ? info->note : "");
    break;
  case ENG_DAY_SWAP:
    snprintf(out, n, "swap day: %s%s%s", info->note ? info->note : "",
             *paired ? "; made up on " : "", paired);
    break;
  case ENG_DAY_MAKEUP:
    snprintf(out, n, "make-up day: %s%s%s", info->note ? info->note : "",
             *paired ? "; pays back " : "", paired);
    break;
  case ENG_DAY_WORKING:
    snprintf(out, n, "working day");
    break;
  }
}

typedef struct explain_ctx {
  const eng_calendar *cal;
  eng_time_unit unit;
} explain_ctx;

static void print_step(void *opaque, const eng_explain_step *step) {
  const explain_ctx *ctx = opaque;
  char when[48], why[512], hm[32], total[32];

  if (step->day)
    fmt_why(step->day, why, sizeof why);
  switch (step->kind) {
  case ENG_EXPLAIN_RECEIVED: {
    bool working = false;
    eng_calendar_is_working_time(ctx->cal, step->at, NULL, &working);
    fmt_local(ctx->cal, step->at, true, when, sizeof when);
    printf("  received   %-20s  %s%s%s\n", when,
           working ? "inside office hours" : "outside office hours",
           step->day->kind != ENG_DAY_WORKING ? "; " : "",
           step->day->kind != ENG_DAY_WORKING ? why : "");
    break;
  }
  case ENG_EXPLAIN_MOVED:
    fmt_local(ctx->cal, step->at, true, when, sizeof when);
    printf("  moved      %-20s  %s\n", when, step->reason);
    break;
  case ENG_EXPLAIN_RECEPTION:
    fmt_day(step->day->day, when, sizeof when);
    if (ctx->unit == ENG_UNIT_WORKING_HOURS)
      break;
    printf("  reception  %-20s  day of reception, not counted%s%s\n", when,
           step->day->kind == ENG_DAY_MAKEUP ? "; " : "",
           step->day->kind == ENG_DAY_MAKEUP ? why : "");
    break;
  case ENG_EXPLAIN_COUNTED:
    fmt_day(step->day->day, when, sizeof when);
    if (ctx->unit == ENG_UNIT_WORKING_HOURS) {
      fmt_hm(step->count, hm, sizeof hm);
      fmt_hm(step->total, total, sizeof total);
      printf("  counted    %-20s  %s of working time (total %s)%s%s\n", when, hm, total,
             step->day->kind == ENG_DAY_MAKEUP ? "; " : "",
             step->day->kind == ENG_DAY_MAKEUP ? why : "");
    } else if (ctx->unit == ENG_UNIT_CALENDAR_DAYS) {
      printf("  day %-6lld %-20s  calendar day %lld after reception\n", (long long)step->count, when,
             (long long)step->count);
    } else {
      printf("  day %-6lld %-20s  %s\n", (long long)step->count, when, why);
    }
    break;
  case ENG_EXPLAIN_SKIPPED:
    fmt_day(step->day->day, when, sizeof when);
    printf("  skipped    %-20s  %s\n", when, why);
    break;
  case ENG_EXPLAIN_DUE:
    fmt_local(ctx->cal, step->at, true, when, sizeof when);
    printf("  due        %-20s  %s\n", when,
           ctx->unit == ENG_UNIT_WORKING_HOURS ? "when the working time runs out"
           : ctx->unit == ENG_UNIT_HOURS       ? "the hours on the clock, office hours or not"
                                               : "close of office hours of the last day");
    break;
  }
}

static int parse_cutoff(const char *text, int *minutes) {
  int h, m;
  char extra;
  if (sscanf(text, "%2d:%2d%c", &h, &m, &extra) != 2 || strlen(text) != 5 || h < 0 || h > 23 ||
      m < 0 || m > 59)
    return MC_EPARSE;
  *minutes = h * 60 + m;
  return 0;
}

int cmd_deadline(int argc, char **argv);

int cmd_deadline(int argc, char **argv) {
  const char **files = calloc((size_t)argc + 1, sizeof *files);
  int nfiles = 0, status = CLI_OK, rc;
  const char *from_text = NULL, *add_text = NULL, *cutoff_text = NULL;
  bool explain_wanted = false;
  eng_calendar *cal = NULL;
  eng_duration duration;
  eng_calc calc = ENG_CALC_INIT;
  mc_instant from, due;

  if (files == NULL)
    return CLI_FAILED;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--calendar") == 0) {
      if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
        cli_error("deadline", "--calendar needs at least one file");
        status = CLI_USAGE;
        goto done;
      }
      while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
        files[nfiles++] = argv[++i];
    } else if (strcmp(a, "--from") == 0 || strcmp(a, "--add") == 0 || strcmp(a, "--cutoff") == 0) {
      if (i + 1 >= argc) {
        cli_error("deadline", "%s needs a value", a);
        status = CLI_USAGE;
        goto done;
      }
      const char **slot = a[2] == 'f' ? &from_text : a[2] == 'a' ? &add_text : &cutoff_text;
      *slot = argv[++i];
    } else if (strcmp(a, "--explain") == 0) {
      explain_wanted = true;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(USAGE, stdout);
      goto done;
    } else {
      cli_error("deadline", "unknown option \"%s\"", a);
      fputs(USAGE, stderr);
      status = CLI_USAGE;
      goto done;
    }
  }
  if (add_text == NULL) {
    cli_error("deadline", "say what limit to add, such as --add \"3 working days\"");
    fputs(USAGE, stderr);
    status = CLI_USAGE;
    goto done;
  }
  rc = eng_duration_parse(add_text, &duration);
  if (rc != 0) {
    cli_error("deadline",
              rc == MC_ERANGE ? "the limit \"%s\" is too large (at most %d)"
                              : "cannot read the limit \"%s\"; write a whole number and a unit: "
                                "\"3 working days\", \"8 working hours\", \"15 days\" (calendar days), \"24 hours\"",
              add_text, ENG_DURATION_MAX);
    status = CLI_USAGE;
    goto done;
  }
  if (cutoff_text) {
    if (parse_cutoff(cutoff_text, &calc.cutoff_min) != 0) {
      cli_error("deadline", "cannot read the cut-off \"%s\"; write a time of day as HH:MM, such as 15:00",
                cutoff_text);
      status = CLI_USAGE;
      goto done;
    }
  }
  if ((status = cli_load_calendar(files, nfiles, &cal)) != CLI_OK)
    goto done;
  {
    /* Holidays are announced year by year: say so before the data runs out. */
    int64_t day, msd;
    int y, m, dd;
    mc_instant_split(mc_clock_now() + 60 * MC_MS_PER_DAY, eng_calendar_offset_min(cal), &day, &msd);
    mc_civil_from_days(day, &y, &m, &dd);
    if (!eng_calendar_has_year(cal, y))
      fprintf(stderr,
              "motcua deadline: warning: the calendar \"%s\" has no data for %d, which begins within 60 days; "
              "add its holidays (docs/CALENDAR.md, \"Adding a year\") before deadlines run into it\n",
              eng_calendar_id(cal), y);
  }
  if (from_text) {
    rc = mc_instant_parse(from_text, eng_calendar_offset_min(cal), &from);
    if (rc != 0) {
      cli_error("deadline",
                "cannot read the time \"%s\"%s; write ISO 8601: 2026-02-10T09:00 (in the calendar's "
                "zone, %s), 2026-02-10T09:00+07:00 or 2026-02-10T02:00Z",
                from_text, rc == MC_ERANGE ? " (no such date or time)" : "", eng_calendar_zone(cal));
      status = CLI_USAGE;
      goto done;
    }
  } else {
    from = mc_clock_now();
  }

  explain_ctx ectx = {cal, duration.unit};
  if (explain_wanted) {
    calc.explain = print_step;
    calc.explain_opaque = &ectx;
  }
  /* Compute first without printing, so that a failure prints nothing but the error. */
  eng_calc quiet = calc;
  quiet.explain = NULL;
  rc = eng_calendar_add(cal, from, duration, &quiet, &due);
  if (rc == MC_ECALYEAR) {
    mc_buf msg = MC_BUF_INIT;
    eng_calendar_describe_missing_year(cal, quiet.missing_year, &msg);
    cli_error("deadline", "%s", mc_buf_cstr(&msg) ? mc_buf_cstr(&msg) : "missing year");
    mc_buf_free(&msg);
    status = CLI_FAILED;
    goto done;
  }
  if (rc != 0) {
    cli_error("deadline", "%s", mc_strerror(rc));
    status = CLI_FAILED;
    goto done;
  }
  char iso[MC_INSTANT_STRLEN];
  mc_instant_format(due, eng_calendar_offset_min(cal), iso);
  printf("%s\n", iso);
  if (explain_wanted) {
    mc_buf d = MC_BUF_INIT;
    eng_duration_format(duration, &d);
    printf("  calendar   %s (%s), limit %s%s%s\n", eng_calendar_id(cal), eng_calendar_zone(cal),
           mc_buf_cstr(&d), cutoff_text ? ", cut-off " : "", cutoff_text ? cutoff_text : "");
    mc_buf_free(&d);
    eng_calendar_add(cal, from, duration, &calc, &due);
  }
done:
  eng_calendar_free(cal);
  free(files);
  return status;
}
