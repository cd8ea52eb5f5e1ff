/* golden.c — see golden.h. */
#include "golden.h"

#include "base/file.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 8

void golden_render(void *opaque, const mc_diag *d) { mc_diag_format(opaque, d); }

/* Splits a case at "--- file: NAME" lines into copies in names/texts. */
static int split(const char *case_name, const char *text, mc_buf *names, mc_buf *texts, mc_source *src) {
  int n = 0;
  const char *p = text;
  if (strncmp(p, "--- file: ", 10) != 0) {
    mc_buf_append_str(&texts[0], text);
    src[0] = (mc_source){case_name, mc_buf_cstr(&texts[0]), texts[0].len};
    return 1;
  }
  while (*p && n < MAX_FILES) {
    const char *name = p + 10, *eol = strchr(name, '\n');
    if (eol == NULL)
      break;
    const char *body = eol + 1, *next = strstr(body, "\n--- file: ");
    const char *end = next ? next + 1 : body + strlen(body);
    mc_buf_append(&names[n], name, (size_t)(eol - name));
    mc_buf_append(&texts[n], body, (size_t)(end - body));
    src[n] = (mc_source){mc_buf_cstr(&names[n]), mc_buf_cstr(&texts[n]), texts[n].len};
    n++;
    p = end;
  }
  return n;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int golden_run(const char *dir, const char *ext, golden_fn fn) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char *cases[512];
  int ncases = 0, failures = 0;
  bool update = getenv("MOTCUA_UPDATE_GOLDEN") != NULL;
  size_t ext_len = strlen(ext);

  if (d == NULL) {
    fprintf(stderr, "golden: cannot open %s\n", dir);
    return -1;
  }
  while ((e = readdir(d)) != NULL && ncases < 512) {
    size_t len = strlen(e->d_name);
    if (len > ext_len && strcmp(e->d_name + len - ext_len, ext) == 0)
      cases[ncases++] = strdup(e->d_name);
  }
  closedir(d);
  if (ncases > 0)
    qsort(cases, (size_t)ncases, sizeof cases[0], compare_names);

  for (int c = 0; c < ncases; c++) {
    char path[1024];
    mc_buf text = MC_BUF_INIT;
    mc_buf names[MAX_FILES] = {0}, texts[MAX_FILES] = {0};
    mc_source src[MAX_FILES];
    size_t len = strlen(cases[c]);

    snprintf(path, sizeof path, "%s/%s", dir, cases[c]);
    if (mc_file_read(path, 1 << 22, &text) != 0) {
      fprintf(stderr, "%s: cannot read\n", path);
      failures++;
      continue;
    }
    int n = split(cases[c], mc_buf_cstr(&text), names, texts, src);
    static const struct {
      mc_lang lang;
      const char *ext;
    } langs[] = {{MC_LANG_VI, ".err"}, {MC_LANG_EN, ".en.err"}};
    for (int l = 0; l < 2; l++) {
      char err_path[1024];
      mc_buf expected = MC_BUF_INIT, got = MC_BUF_INIT;
      mc_diag_sink sink = {.fn = golden_render, .opaque = &got, .lang = langs[l].lang};
      snprintf(err_path, sizeof err_path, "%s/%.*s%s", dir, (int)(len - ext_len), cases[c], langs[l].ext);
      if (!fn(src, n, &got, &sink)) {
        fprintf(stderr, "%s: expected the input to be refused\n", cases[c]);
        failures++;
      }
      if (sink.untranslated > 0) {
        fprintf(stderr, "%s: %d finding(s) have no Vietnamese (add their rows to the module's messages_vi.c):\n%s",
                cases[c], sink.untranslated, mc_buf_cstr(&got));
        failures++;
      }
      if (update) {
        FILE *f = fopen(err_path, "w");
        if (f) {
          fwrite(got.data, 1, got.len, f);
          fclose(f);
        }
      } else if (mc_file_read(err_path, 1 << 22, &expected) != 0) {
        fprintf(stderr, "%s: no expected output %s\n--- got:\n%s", cases[c], err_path, mc_buf_cstr(&got));
        failures++;
      } else if (strcmp(mc_buf_cstr(&expected), mc_buf_cstr(&got)) != 0) {
        fprintf(stderr, "%s: diagnostics differ (%s)\n--- expected:\n%s--- got:\n%s", cases[c], err_path,
                mc_buf_cstr(&expected), mc_buf_cstr(&got));
        failures++;
      }
      mc_buf_free(&expected);
      mc_buf_free(&got);
    }
    for (int i = 0; i < MAX_FILES; i++)
      mc_buf_free(&names[i]), mc_buf_free(&texts[i]);
    mc_buf_free(&text);
    free(cases[c]);
  }
  return failures ? -1 : ncases;
}
