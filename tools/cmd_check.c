/* cmd_check.c — `motcua check` and `motcua compile`: an agency official's
 * tools for the procedure language.
 *
 *   motcua check [--workflows DIR] [FILE...]
 *   motcua compile [--workflows DIR] FILE... -o OUTDIR
 *
 * The files are checked together, with the bundled workflows (policies,
 * agency directory, other procedures) as context, so that one edited file
 * can be checked alone; a file given on the command line replaces its copy
 * in the bundle.  With no file, `check` checks the whole bundle.  Exit
 * status: 0 no error, 1 errors (printed as file:line:col: error: ...), 2 the
 * command line is wrong.  `check` also counts each procedure's time limits
 * on the bundled calendars and warns when one can run past the last year
 * they describe (file:line:col: warning: ...).
 */
#include "tools/cli.h"

#include "base/error.h"
#include "base/file.h"
#include "dsl/dsl.h"
#include "dsl/machine.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct file_set {
  char **paths;
  bool *context;
  int n, cap;
} file_set;

static int set_add(file_set *s, const char *path, bool context) {
  if (s->n == s->cap) {
    int cap = s->cap ? s->cap * 2 : 32;
    char **p = realloc(s->paths, (size_t)cap * sizeof *p);
    bool *c = p ? realloc(s->context, (size_t)cap * sizeof *c) : NULL;
    if (p)
      s->paths = p;
    if (c == NULL)
      return MC_ENOMEM;
    s->context = c;
    s->cap = cap;
  }
  if ((s->paths[s->n] = strdup(path)) == NULL)
    return MC_ENOMEM;
  s->context[s->n++] = context;
  return 0;
}

static void set_free(file_set *s) {
  for (int i = 0; s->paths && i < s->n; i++)
    free(s->paths[i]);
  free(s->paths);
  free(s->context);
}

static int compare_paths(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.mc file below `dir` (two levels), sorted so output is stable. */
static int list_sources(const char *dir, int depth, file_set *out) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[PATH_MAX];
  int first = out->n;
  if (d == NULL)
    return 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    struct stat st;
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (stat(path, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode) && depth > 0)
      list_sources(path, depth - 1, out);
    else if (S_ISREG(st.st_mode) && len > 3 && strcmp(e->d_name + len - 3, ".mc") == 0)
      set_add(out, path, true);
  }
  closedir(d);
  qsort(out->paths + first, (size_t)(out->n - first), sizeof *out->paths, compare_paths);
  return 0;
}

static bool same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int write_file(const char *path, const void *bytes, size_t len) {
  char tmp[PATH_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "wb");
  if (f == NULL)
    return mc_err_from_errno(errno);
  size_t n = fwrite(bytes, 1, len, f);
  int rc = fclose(f);
  if (n != len || rc != 0) {
    remove(tmp);
    return MC_EIO;
  }
  return rename(tmp, path) == 0 ? 0 : mc_err_from_errno(errno);
}

int cli_compile(const char *cmd, const char *workflows, char *const *paths, int npaths,
                cli_compiled *out) {
  file_set files = {0};
  mc_diag_sink sink = cli_diag_sink();
  int status = CLI_OK;

  memset(out, 0, sizeof *out);
  for (int i = 0; i < npaths; i++)
    set_add(&files, paths[i], false);
  /* The bundle as context; with no file given, the bundle is what is checked. */
  {
    file_set bundle = {0};
    list_sources(workflows, 2, &bundle);
    for (int i = 0; i < bundle.n; i++) {
      bool replaced = false;
      for (int k = 0; k < npaths && !replaced; k++)
        replaced = same_file(bundle.paths[i], files.paths[k]);
      if (!replaced)
        set_add(&files, bundle.paths[i], npaths > 0);
    }
    set_free(&bundle);
  }
  if (files.n == 0) {
    cli_error(cmd, "no .mc file in %s; name the files to check", workflows);
    set_free(&files);
    return CLI_USAGE;
  }
  out->n = files.n;
  out->texts = calloc((size_t)files.n, sizeof *out->texts);
  out->sources = calloc((size_t)files.n, sizeof *out->sources);
  out->paths = files.paths;
  files.paths = NULL;
  if (out->texts == NULL || out->sources == NULL || dsl_compile_new(&out->compile) != 0) {
    status = CLI_FAILED;
    goto done;
  }
  for (int i = 0; i < files.n; i++) {
    int rc = mc_file_read(out->paths[i], 8u << 20, &out->texts[i]);
    if (rc != 0) {
      cli_error(cmd, "cannot read %s: %s", out->paths[i],
                rc == MC_ETOOBIG ? "larger than 8 MiB, surely not a procedure" : mc_strerror(rc));
      status = CLI_USAGE;
      goto done;
    }
    out->sources[i] = (mc_source){out->paths[i], mc_buf_cstr(&out->texts[i]), out->texts[i].len};
    dsl_compile_add(out->compile, &out->sources[i], files.context[i], &sink);
  }
  if (sink.errors == 0)
    dsl_compile_check(out->compile, &sink);
  if (sink.errors > 0) {
    if (sink.lang == MC_LANG_VI)
      fprintf(stderr, "motcua %s: %d lỗi\n", cmd, sink.errors);
    else
      fprintf(stderr, "motcua %s: %d error%s\n", cmd, sink.errors, sink.errors == 1 ? "" : "s");
    status = CLI_FAILED;
    goto done;
  }
  if (dsl_compile_emit(out->compile, &out->artifacts, &out->nartifacts) != 0) {
    cli_error(cmd, "could not encode the compiled definitions");
    status = CLI_FAILED;
  }
done:
  set_free(&files);
  if (status != CLI_OK)
    cli_compiled_free(out);
  return status;
}

void cli_compiled_free(cli_compiled *c) {
  dsl_compile_free(c->compile);
  for (int i = 0; c->texts && i < c->n; i++)
    mc_buf_free(&c->texts[i]);
  for (int i = 0; c->paths && i < c->n; i++)
    free(c->paths[i]);
  free(c->texts);
  free(c->sources);
  free(c->paths);
  memset(c, 0, sizeof *c);
}

/* ============================================================ the calendars' last year */

/* The limit of the procedures checked that binds first when counted from
 * the last days the calendars describe: the one that must start earliest
 * to be counted, said once (a warning per limit would repeat the same date
 * and the same file to add).  Officials cannot act on a dossier whose limit
 * runs into a year no calendar describes (MC_ECALYEAR), so the year is to
 * be added before. */
typedef struct horizon {
  const eng_calendar *cal;
  const char *dir;          /* the calendars' folder */
  int first, last;          /* the years they describe */
  mc_diag_sink *sink;
  dsl_limit_site site;      /* the binding limit so far */
  char text[64];            /* its duration, "15 days" */
  int64_t latest;           /* the last day it can start and be counted */
  bool has;
} horizon;

static bool counted(const horizon *h, eng_duration d, int64_t day) {
  eng_calc calc = ENG_CALC_INIT;
  mc_instant due, start = mc_instant_join(day, 9 * MC_MS_PER_HOUR, eng_calendar_offset_min(h->cal));
  return eng_calendar_add(h->cal, start, d, &calc, &due) != MC_ECALYEAR;
}

/* The Vietnamese of the warning below (base/diag.h, mc_diag_text). */
static const mc_diag_text check_messages_vi[] = {
    {"the limit of the step \"%s\" (%s)", "thời hạn của bước \"%s\" (%s)"},
    {"the procedure's time (%s)", "thời hạn giải quyết của thủ tục (%s)"},
    {"officials cannot act on a dossier whose limit runs into a year no calendar describes: add %s/%s-%d.cal "
     "before then (docs/CALENDAR.md, \"Adding a year\")",
     "cán bộ không thể xử lý hồ sơ có thời hạn rơi vào năm chưa có lịch làm việc: hãy thêm %s/%s-%d.cal "
     "trước thời điểm đó (docs/CALENDAR.md, \"Adding a year\")"},
    {"%s, counted from a day after %s, runs into %d, which the calendars do not describe",
     "%s, nếu tính từ một ngày sau %s, sẽ kéo sang năm %d, năm mà lịch làm việc chưa mô tả"},
    {NULL, NULL},
};

static void horizon_warn(horizon *h, const char *hint, const char *fmt, ...) MC__PRINTF(3, 4);
static void horizon_warn(horizon *h, const char *hint, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mc_diag_vat(h->sink, check_messages_vi, MC_DIAG_WARNING, h->site.src, h->site.off, h->site.len, hint, fmt, ap);
  va_end(ap);
}

static void horizon_say(horizon *h) {
  char what[200], after[16], hint[600];
  int y, m, d;
  if (!h->has)
    return;
  if (h->site.step)
    snprintf(what, sizeof what, "the limit of the step \"%s\" (%s)", h->site.step, h->text);
  else
    snprintf(what, sizeof what, "the procedure's time (%s)", h->text);
  snprintf(hint, sizeof hint,
           "officials cannot act on a dossier whose limit runs into a year no calendar describes: add %s/%s-%d.cal "
           "before then (docs/CALENDAR.md, \"Adding a year\")",
           h->dir, eng_calendar_id(h->cal), h->last + 1);
  mc_civil_from_days(h->latest, &y, &m, &d);
  snprintf(after, sizeof after, "%02d/%02d/%04d", d, m, y);
  horizon_warn(h, hint, "%s, counted from a day after %s, runs into %d, which the calendars do not describe", what, after,
               h->last + 1);
}

static int horizon_site(void *opaque, const dsl_limit_site *site) {
  horizon *h = opaque;
  mc_buf text = MC_BUF_INIT;
  dsl_m_duration md = {.set = true, .amount = site->amount, .unit = (dsl_m_unit)site->unit};
  eng_duration d;
  /* Read back from its text: the calendar's units are the language's. */
  int rc = dsl_m_duration_format(&md, &text) || eng_duration_parse(mc_buf_cstr(&text), &d);
  int64_t lo = mc_days_from_civil(h->first, 1, 1), hi = mc_days_from_civil(h->last, 12, 31);
  if (rc == 0 && !counted(h, d, hi)) {
    while (lo < hi) { /* the last day it can start on, or lo - 1: none */
      int64_t mid = lo + (hi - lo) / 2;
      if (counted(h, d, mid + 1))
        lo = mid + 1;
      else
        hi = mid;
    }
    int64_t latest = counted(h, d, lo) ? lo : lo - 1;
    if (!h->has || latest < h->latest) {
      h->has = true;
      h->site = *site;
      h->latest = latest;
      snprintf(h->text, sizeof h->text, "%s", mc_buf_cstr(&text));
    }
  }
  mc_buf_free(&text);
  return 0;
}

static void horizon_warnings(const dsl_compile *c, const char *workflows) {
  char dir[PATH_MAX];
  eng_calendar *cal = NULL;
  mc_diag_sink quiet = {0}, sink = cli_diag_sink();
  snprintf(dir, sizeof dir, "%s/calendars", workflows);
  horizon h = {.dir = dir, .sink = &sink};
  /* A bundle without calendars has nothing to count on (publish says so). */
  if (eng_calendar_load_dir(dir, &quiet, &cal) != 0 || !eng_calendar_years(cal, &h.first, &h.last)) {
    eng_calendar_free(cal);
    return;
  }
  h.cal = cal;
  dsl_compile_limits(c, horizon_site, &h);
  horizon_say(&h);
  eng_calendar_free(cal);
}

static int run(const char *cmd, int argc, char **argv, bool compile) {
  const char *workflows = cli_workflows_dir(), *outdir = NULL;
  char **given = calloc((size_t)argc + 1, sizeof *given);
  int ngiven = 0, status = CLI_OK;
  cli_compiled c = {0};

  if (given == NULL)
    return CLI_FAILED;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--workflows") == 0 && i + 1 < argc) {
      workflows = argv[++i];
    } else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc) {
      outdir = argv[++i];
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("usage: motcua %s [--workflows DIR] %s\n", cmd,
             compile ? "FILE... -o OUTDIR" : "[FILE...]");
      goto done;
    } else if (argv[i][0] == '-') {
      cli_error(cmd, "unknown option \"%s\"", argv[i]);
      status = CLI_USAGE;
      goto done;
    } else {
      given[ngiven++] = argv[i];
    }
  }
  if (compile && (outdir == NULL || ngiven == 0)) {
    cli_error(cmd, "usage: motcua compile [--workflows DIR] FILE... -o OUTDIR");
    status = CLI_USAGE;
    goto done;
  }
  if ((status = cli_compile(cmd, workflows, given, ngiven, &c)) != CLI_OK)
    goto done;
  if (!compile)
    horizon_warnings(c.compile, workflows);
  if (compile && mkdir(outdir, 0755) != 0 && errno != EEXIST) {
    cli_error(cmd, "cannot create %s: %s", outdir, strerror(errno));
    status = CLI_USAGE;
    goto done;
  }
  for (int i = 0; i < c.nartifacts; i++) {
    const dsl_artifact *a = &c.artifacts[i];
    char hex[MC_SHA256_HEX], path[PATH_MAX];
    mc_hex(a->hash, sizeof a->hash, hex);
    if (compile) {
      snprintf(path, sizeof path, "%s/%s-%s.mcb", outdir, dsl_artifact_kind_name(a->kind), a->id);
      int rc = write_file(path, a->bytes.data, a->bytes.len);
      if (rc != 0) {
        cli_error(cmd, "cannot write %s: %s", path, mc_strerror(rc));
        status = CLI_FAILED;
        goto done;
      }
      printf("%s  %-9s %-12s %s\n", hex, dsl_artifact_kind_name(a->kind), a->id, path);
    } else {
      printf("ok  %-9s %-12s %s  sha256:%s\n", dsl_artifact_kind_name(a->kind), a->id,
             a->title ? a->title : "", hex);
    }
  }
done:
  cli_compiled_free(&c);
  free(given);
  return status;
}

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);

int cmd_check(int argc, char **argv) { return run("check", argc, argv, false); }
int cmd_compile(int argc, char **argv) { return run("compile", argc, argv, true); }
