/* test_definition_hashes.c — the SHA-256 of every definition the bundled
 * workflows compile to stays what tests/golden/definition-hashes.txt
 * records.  A dossier is pinned to the hash of its procedure and policy: a
 * hash that changes (the compiler, the canonical encoding, the calendar
 * pack) makes the next `motcua publish` a new version of every procedure,
 * silently.  Compiled both ways the bundle is published: as the engine
 * does at a server's first start (eng_publish_workflows, read back from the
 * log) and as `motcua publish` does (every .mc below workflows/ in path
 * order, none as context; the calendars packed from workflows/calendars);
 * both must give the same hashes, and those of the file.  A changed, new or
 * missing definition is named.  With MOTCUA_UPDATE_GOLDEN set the file is
 * rewritten instead (as tests/unit/golden.h does): then review the diff —
 * it is the list of definitions a release re-versions.  tests/integration
 * test_cli_publish.sh checks the hashes `motcua publish` itself appends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/file.h"
#include "base/hash.h"
#include "dsl/dsl.h"
#include "calendar/calendar.h"
#include "engine/engine.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HASHES MOTCUA_SOURCE_DIR "/tests/golden/definition-hashes.txt"

/* One line "KIND ID SHA256" per definition, sorted. */
typedef struct hash_list {
  char (*line)[192];
  int n, cap;
} hash_list;

static void add(hash_list *l, const char *kind, const char *id, const uint8_t hash[MC_SHA256_BYTES]) {
  char hex[MC_SHA256_HEX];
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->line = realloc(l->line, (size_t)l->cap * sizeof *l->line);
    assert_non_null(l->line);
  }
  mc_hex(hash, MC_SHA256_BYTES, hex);
  snprintf(l->line[l->n++], sizeof l->line[0], "%s %s %s", kind, id, hex);
}

static int compare_lines(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static void render(hash_list *l, mc_buf *out) {
  qsort(l->line, (size_t)l->n, sizeof l->line[0], compare_lines);
  mc_buf_append_str(out, "# definition-hashes.txt — KIND ID SHA256 of every definition the bundled workflows/ compile to\n"
                         "# (tests/unit/engine/test_definition_hashes.c; MOTCUA_UPDATE_GOLDEN=1 rewrites it). A changed\n"
                         "# line is a new version of that definition at the next `motcua publish`.\n");
  for (int i = 0; i < l->n; i++)
    mc_buf_printf(out, "%s\n", l->line[i]);
}

/* ------------------------------------------------------------ as the engine publishes */

typedef struct published_ctx {
  hash_list *list;
  const char *kind;
} published_ctx;

static int published_one(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  published_ctx *c = opaque;
  uint8_t hash[MC_SHA256_BYTES];
  mc_sha256_digest(bytes, len, hash);
  add(c->list, c->kind, id, hash);
  return 0;
}

/* What eng_publish_workflows puts in the log: every version of every kind. */
static void as_published(hash_list *out) {
  char dir[] = "/tmp/motcua-hashes-XXXXXX", cmd[128];
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  mc_instant from, now;
  assert_non_null(mkdtemp(dir));
  assert_int_equal(mc_instant_parse("2026-01-01T00:00", 420, &from), 0);
  assert_int_equal(mc_instant_parse("2026-01-05T08:00", 420, &now), 0);
  if (eng_open(dir, NULL, &e, &why) != 0 || eng_publish_workflows(e, MOTCUA_WORKFLOWS_DIR, from, now, &sink, &why) != 0)
    fail_msg("publishing the bundle: %s", mc_buf_cstr(&why));
  mc_buf_free(&why);
  static const eng_def_kind kinds[] = {ENG_DEF_PROCEDURE, ENG_DEF_POLICY, ENG_DEF_DIRECTORY, ENG_DEF_CALENDAR,
                                       ENG_DEF_TEMPLATE};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    published_ctx c = {out, eng_def_kind_name(kinds[i])};
    assert_int_equal(eng_definitions(e, kinds[i], ENG_EVERY_VERSION, published_one, &c), 0);
  }
  eng_close(e);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

/* ------------------------------------------------------------ as `motcua publish` compiles */

typedef struct paths {
  char (*path)[1024];
  int n, cap;
} paths;

static int compare_paths(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* Every *.mc below `dir`, two levels deep (tools/cmd_check.c, list_sources). */
static void list_sources(const char *dir, int depth, paths *out) {
  DIR *d = opendir(dir);
  struct dirent *de;
  assert_non_null(d);
  while ((de = readdir(d)) != NULL) {
    char path[1024];
    struct stat st;
    size_t len = strlen(de->d_name);
    if (de->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if (stat(path, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode) && depth > 0) {
      list_sources(path, depth - 1, out);
    } else if (S_ISREG(st.st_mode) && len > 3 && !strcmp(de->d_name + len - 3, ".mc")) {
      if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 32;
        out->path = realloc(out->path, (size_t)out->cap * sizeof *out->path);
        assert_non_null(out->path);
      }
      snprintf(out->path[out->n++], sizeof out->path[0], "%s", path);
    }
  }
  closedir(d);
}

static void as_the_command_line_compiles(hash_list *out) {
  paths files = {0};
  list_sources(MOTCUA_WORKFLOWS_DIR, 2, &files);
  qsort(files.path, (size_t)files.n, sizeof files.path[0], compare_paths);
  assert_true(files.n > 0);
  dsl_compile *c;
  mc_buf *texts = calloc((size_t)files.n, sizeof *texts);
  mc_source *src = calloc((size_t)files.n, sizeof *src);
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  assert_non_null(texts);
  assert_non_null(src);
  assert_int_equal(dsl_compile_new(&c), 0);
  for (int i = 0; i < files.n; i++) {
    assert_int_equal(mc_file_read(files.path[i], 8u << 20, &texts[i]), 0);
    src[i] = (mc_source){files.path[i], mc_buf_cstr(&texts[i]), texts[i].len};
    assert_int_equal(dsl_compile_add(c, &src[i], false, &sink), 0);
  }
  assert_int_equal(dsl_compile_check(c, &sink), 0);
  const dsl_artifact *arts;
  int n;
  assert_int_equal(dsl_compile_emit(c, &arts, &n), 0);
  for (int i = 0; i < n; i++)
    add(out, eng_def_kind_name(eng_def_kind_of(arts[i].kind)), arts[i].id, arts[i].hash);
  /* The calendar: every .cal of workflows/calendars, packed (tools/cmd_dossier.c). */
  mc_buf packed = MC_BUF_INIT;
  uint8_t hash[MC_SHA256_BYTES];
  char *id, **names, **cal_texts;
  int ncal;
  assert_int_equal(eng_calendar_pack_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &packed), 0);
  assert_int_equal(eng_calendar_read_dir(MOTCUA_WORKFLOWS_DIR "/calendars", &sink, &id, &names, &cal_texts, &ncal), 0);
  mc_sha256_digest(packed.data, packed.len, hash);
  add(out, "calendar", id, hash);
  eng_calendar_names_free(names, cal_texts, ncal);
  free(id);
  mc_buf_free(&packed);
  dsl_compile_free(c);
  for (int i = 0; i < files.n; i++)
    mc_buf_free(&texts[i]);
  free(texts);
  free(src);
  free(files.path);
}

/* ------------------------------------------------------------ comparing */

/* The definitions whose lines differ, named: changed, new, gone.  Returns how many. */
static int name_differences(const char *what, const char *expected, const char *got) {
  int n = 0;
  char id_e[160], id_g[160], hash_e[80], hash_g[80];
  const char *e = expected, *g = got;
  while (*e || *g) {
    while (*e == '#')
      e = strchr(e, '\n') ? strchr(e, '\n') + 1 : e + strlen(e);
    while (*g == '#')
      g = strchr(g, '\n') ? strchr(g, '\n') + 1 : g + strlen(g);
    if (!*e && !*g)
      break;
    id_e[0] = id_g[0] = hash_e[0] = hash_g[0] = '\0';
    char kind_e[32] = "", kind_g[32] = "";
    if (*e)
      sscanf(e, "%31s %159s %79s", kind_e, id_e, hash_e);
    if (*g)
      sscanf(g, "%31s %159s %79s", kind_g, id_g, hash_g);
    char key_e[200], key_g[200];
    snprintf(key_e, sizeof key_e, "%s %s", kind_e, id_e);
    snprintf(key_g, sizeof key_g, "%s %s", kind_g, id_g);
    int c = !*e ? 1 : !*g ? -1 : strcmp(key_e, key_g);
    if (c < 0) {
      fprintf(stderr, "%s: the %s %s is no longer compiled from workflows/ (recorded sha256 %s)\n", what, kind_e, id_e,
              hash_e);
      n++;
    } else if (c > 0) {
      fprintf(stderr, "%s: the %s %s is new (sha256 %s)\n", what, kind_g, id_g, hash_g);
      n++;
    } else if (strcmp(hash_e, hash_g)) {
      fprintf(stderr, "%s: the %s %s compiles to sha256 %s, recorded %s: publishing re-versions it\n", what, kind_e,
              id_e, hash_g, hash_e);
      n++;
    }
    if (c <= 0)
      e = strchr(e, '\n') ? strchr(e, '\n') + 1 : e + strlen(e);
    if (c >= 0)
      g = strchr(g, '\n') ? strchr(g, '\n') + 1 : g + strlen(g);
  }
  return n;
}

static void every_bundled_definition_keeps_its_recorded_hash(void **state) {
  (void)state;
  hash_list published = {0}, compiled = {0};
  mc_buf a = MC_BUF_INIT, b = MC_BUF_INIT, expected = MC_BUF_INIT;
  as_published(&published);
  as_the_command_line_compiles(&compiled);
  render(&published, &a);
  render(&compiled, &b);
  /* The server's first start and `motcua publish` publish the same bytes. */
  if (name_differences("motcua publish, against eng_publish_workflows", mc_buf_cstr(&a), mc_buf_cstr(&b)) != 0)
    fail_msg("compiling workflows/ as the command line does gives other definitions than the engine publishes");
  assert_string_equal(mc_buf_cstr(&a), mc_buf_cstr(&b));

  if (getenv("MOTCUA_UPDATE_GOLDEN") != NULL) {
    FILE *f = fopen(HASHES, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(a.data, 1, a.len, f), a.len);
    assert_int_equal(fclose(f), 0);
    fprintf(stderr, "rewrote %s: review the difference before committing it\n", HASHES);
  } else {
    if (mc_file_read(HASHES, 1u << 20, &expected) != 0)
      fail_msg("cannot read %s: record it once with MOTCUA_UPDATE_GOLDEN=1", HASHES);
    int n = name_differences("workflows/", mc_buf_cstr(&expected), mc_buf_cstr(&a));
    if (n != 0 || strcmp(mc_buf_cstr(&expected), mc_buf_cstr(&a)) != 0)
      fail_msg("%d definition(s) of workflows/ compile to other hashes than %s records", n, HASHES);
  }
  free(published.line);
  free(compiled.line);
  mc_buf_free(&a);
  mc_buf_free(&b);
  mc_buf_free(&expected);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_bundled_definition_keeps_its_recorded_hash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
