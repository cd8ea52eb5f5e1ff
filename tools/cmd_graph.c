/* cmd_graph.c — `motcua graph`: a procedure's picture.
 *
 *   motcua graph FILE [--procedure CODE] --format dot|mermaid|bpmn|svg [-o OUT]
 *
 * FILE is a procedure source (.mc, compiled with the bundled workflows as
 * context) or a compiled definition (.mcb).  The drawing comes from the
 * compiled machine, so it shows what the engine runs (drawing/graph.h).
 */
#include "tools/cli.h"

#include "base/error.h"
#include "base/file.h"
#include "dsl/machine.h"
#include "drawing/graph.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const void *bytes, size_t len) {
  const char *p = bytes;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int cmd_graph(int argc, char **argv);

/* The agencies of the directory in `workflows`/agencies by their names, for
 * the lanes of steps done at another agency; none (the lanes keep the codes)
 * when it has no agency file.  Its diagnostics are printed, as a compile's. */
static int directory_names(const char *workflows, mc_arena *arena, graph_agency **out, int *n) {
  char pattern[4096];
  glob_t files;
  cli_compiled dc = {0};
  dsl_directory *dir = NULL;
  *out = NULL;
  *n = 0;
  snprintf(pattern, sizeof pattern, "%s/agencies/*.mc", workflows);
  if (glob(pattern, 0, NULL, &files) != 0)
    return CLI_OK;
  int status = cli_compile("graph", workflows, files.gl_pathv, (int)files.gl_pathc, &dc);
  for (int i = 0; status == CLI_OK && i < dc.nartifacts; i++)
    if (dc.artifacts[i].kind == DSL_ARTIFACT_DIRECTORY &&
        dsl_directory_decode(dc.artifacts[i].bytes.data, dc.artifacts[i].bytes.len, &dir) == 0) {
      uint32_t count = dsl_directory_agency_count(dir);
      *out = mc_arena_calloc(arena, count + 1, sizeof **out);
      for (uint32_t k = 0; *out && k < count; k++) {
        char code[64], name[512];
        dsl_directory_agency(dir, k, code, sizeof code, name, sizeof name);
        (*out)[k] = (graph_agency){mc_arena_strdup(arena, code), mc_arena_strdup(arena, name)};
      }
      *n = *out ? (int)count : 0;
    }
  dsl_directory_free(dir);
  cli_compiled_free(&dc);
  globfree(&files);
  return status;
}

int cmd_graph(int argc, char **argv) {
  const char *file = NULL, *format = NULL, *out_path = NULL, *code = NULL;
  const char *workflows = cli_workflows_dir();
  cli_compiled c = {0};
  mc_buf bytes = MC_BUF_INIT, drawing = MC_BUF_INIT;
  mc_arena arena = MC_ARENA_INIT;
  int status = CLI_OK;
  char why[256] = "";

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
      format = argv[++i];
    else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
      out_path = argv[++i];
    else if (strcmp(argv[i], "--procedure") == 0 && i + 1 < argc)
      code = argv[++i];
    else if (strcmp(argv[i], "--workflows") == 0 && i + 1 < argc)
      workflows = argv[++i];
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      puts("usage: motcua graph FILE [--procedure CODE] --format dot|mermaid|bpmn|svg [-o OUT]");
      return CLI_OK;
    } else if (argv[i][0] == '-' || file) {
      cli_error("graph", "unexpected \"%s\"; usage: motcua graph FILE --format dot|mermaid|bpmn|svg [-o OUT]", argv[i]);
      return CLI_USAGE;
    } else
      file = argv[i];
  }
  if (file == NULL || format == NULL) {
    cli_error("graph", "usage: motcua graph FILE [--procedure CODE] --format dot|mermaid|bpmn|svg [-o OUT]");
    return CLI_USAGE;
  }
  if (strcmp(format, "dot") && strcmp(format, "mermaid") && strcmp(format, "bpmn") && strcmp(format, "svg")) {
    cli_error("graph", "unknown format \"%s\": use dot, mermaid, bpmn or svg", format);
    return CLI_USAGE;
  }

  /* The compiled bytes: read a .mcb, or compile the source. */
  size_t len = strlen(file);
  if (len > 4 && strcmp(file + len - 4, ".mcb") == 0) {
    int rc = mc_file_read(file, 64u << 20, &bytes);
    if (rc != 0) {
      cli_error("graph", "cannot read %s: %s", file, mc_strerror(rc));
      return CLI_USAGE;
    }
  } else {
    char *paths[1] = {(char *)file};
    if ((status = cli_compile("graph", workflows, paths, 1, &c)) != CLI_OK)
      goto done;
    const dsl_artifact *pick = NULL;
    for (int i = 0; i < c.nartifacts; i++)
      if (c.artifacts[i].kind == DSL_ARTIFACT_PROCEDURE && (code == NULL || strcmp(code, c.artifacts[i].id) == 0)) {
        pick = &c.artifacts[i];
        break;
      }
    if (pick == NULL) {
      cli_error("graph", code ? "%s has no procedure %s" : "%s holds no procedure", file, code);
      status = CLI_USAGE;
      goto done;
    }
    mc_buf_append(&bytes, pick->bytes.data, pick->bytes.len);
  }

  dsl_machine *m;
  int rc = dsl_machine_decode(bytes.data, bytes.len, &arena, &m);
  if (rc != 0) {
    cli_error("graph", rc == MC_ERANGE ? "%s was compiled by a newer motcua (format version)" : "%s is not a compiled procedure", file);
    status = CLI_FAILED;
    goto done;
  }
  graph_agency *agencies;
  int nagencies;
  if ((status = directory_names(workflows, &arena, &agencies, &nagencies)) != CLI_OK)
    goto done;
  graph *g;
  if ((rc = graph_build(m, agencies, nagencies, &arena, &g)) != 0) {
    cli_error("graph", "cannot lay out the drawing: %s", mc_strerror(rc));
    status = CLI_FAILED;
    goto done;
  }
  if (!strcmp(format, "mermaid"))
    rc = graph_write_mermaid(g, &drawing);
  else if (!strcmp(format, "bpmn"))
    rc = graph_write_bpmn(g, &drawing);
  else if (!strcmp(format, "svg"))
    rc = graph_write_svg(g, &drawing, why, sizeof why);
  else
    rc = graph_write_dot(g, &drawing);
  if (rc != 0) {
    cli_error("graph", "%s", why[0] ? why : mc_strerror(rc));
    status = CLI_FAILED;
    goto done;
  }
  if (out_path) {
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, drawing.data, drawing.len) != 0) {
      cli_error("graph", "cannot write %s: %s", out_path, strerror(errno));
      status = CLI_FAILED;
    }
    if (fd >= 0)
      close(fd);
  } else {
    fwrite(drawing.data, 1, drawing.len, stdout);
  }
done:
  cli_compiled_free(&c);
  mc_buf_free(&bytes);
  mc_buf_free(&drawing);
  mc_arena_free(&arena);
  return status;
}
