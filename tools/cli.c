/* cli.c — helpers shared by the motcua subcommands (see cli.h). */
#include "tools/cli.h"

#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef MOTCUA_WORKFLOWS_DIR
#define MOTCUA_WORKFLOWS_DIR "workflows"
#endif

const char *cli_workflows_dir(void) {
  const char *env = getenv("MOTCUA_WORKFLOWS");
  return env && *env ? env : MOTCUA_WORKFLOWS_DIR;
}

static mc_lang lang = MC_LANG_VI;

int cli_take_lang(int *argc, char **argv) {
  const char *env = getenv("MOTCUA_LANG");
  if (env && strcmp(env, "en") == 0)
    lang = MC_LANG_EN;
  for (int i = 1; i < *argc; i++) {
    if (strcmp(argv[i], "--lang") != 0)
      continue;
    if (i + 1 >= *argc || (strcmp(argv[i + 1], "vi") != 0 && strcmp(argv[i + 1], "en") != 0)) {
      fprintf(stderr, "motcua: error: --lang takes vi (the default) or en\n");
      return CLI_USAGE;
    }
    lang = strcmp(argv[i + 1], "en") == 0 ? MC_LANG_EN : MC_LANG_VI;
    memmove(argv + i, argv + i + 2, (size_t)(*argc - i - 2) * sizeof *argv);
    *argc -= 2;
    argv[*argc] = NULL;
    i--;
  }
  return CLI_OK;
}

mc_diag_sink cli_diag_sink(void) {
  return (mc_diag_sink){.fn = mc_diag_print_to_file, .opaque = stderr, .lang = lang};
}

void cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "motcua %s: error: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_load_calendar(const char *const *files, int nfiles, eng_calendar **out) {
  mc_diag_sink sink = cli_diag_sink();
  char dir[4096];
  int rc;

  if (nfiles == 0) {
    snprintf(dir, sizeof dir, "%s/calendars", cli_workflows_dir());
    rc = eng_calendar_load_dir(dir, &sink, out);
  } else {
    rc = eng_calendar_load(files, nfiles, &sink, out);
  }
  if (rc == 0)
    return CLI_OK;
  if (rc == MC_EPARSE) {
    if (sink.lang == MC_LANG_VI)
      fprintf(stderr, "motcua: lịch làm việc có %d lỗi; chưa tính được gì\n", sink.errors);
    else
      fprintf(stderr, "motcua: the calendar has %d error%s; nothing was computed\n", sink.errors,
              sink.errors == 1 ? "" : "s");
    return CLI_FAILED;
  }
  if (rc == MC_ENOMEM) {
    fprintf(stderr, "motcua: out of memory\n");
    return CLI_FAILED;
  }
  return CLI_USAGE; /* a file named on the command line cannot be read */
}

/* ============================================================ the admin socket */

int cli_admin(const char *cmd, const char *data_dir, json_t *request, json_t **reply, bool *running) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  *reply = NULL;
  if (running)
    *running = false;
  if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/motcuad.sock", data_dir) >= sizeof addr.sun_path) {
    cli_error(cmd, "the path %s/motcuad.sock is too long for a socket: use a shorter data directory path", data_dir);
    return CLI_FAILED;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    if (fd >= 0)
      close(fd);
    return CLI_FAILED; /* no server: the caller decides what that means */
  }
  if (running)
    *running = true;
  json_object_set_new(request, "id", json_string("cli"));
  char *line = json_dumps(request, JSON_COMPACT);
  size_t n = line ? strlen(line) : 0;
  bool ok = line != NULL;
  if (ok) {
    line[n] = '\n';
    for (size_t off = 0; ok && off < n + 1;) {
      ssize_t w = write(fd, line + off, n + 1 - off);
      ok = w > 0;
      off += w > 0 ? (size_t)w : 0;
    }
  }
  free(line);
  mc_buf in = MC_BUF_INIT;
  struct timeval tv = {120, 0}; /* bounded: a server that never answers is an error */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[65536];
  while (ok && (in.len == 0 || in.data[in.len - 1] != '\n')) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0)
      break;
    mc_buf_append(&in, buf, (size_t)r);
  }
  close(fd);
  if (ok && in.len)
    *reply = json_loadb((const char *)in.data, in.len, 0, NULL);
  mc_buf_free(&in);
  if (*reply == NULL) {
    cli_error(cmd, "the server at %s/motcuad.sock did not answer: is motcuad stopping? (journal, docs/OPERATIONS.md)",
              data_dir);
    return CLI_FAILED;
  }
  return CLI_OK;
}

int cli_parse_time(const char *cmd, const char *opt, const char *text, mc_instant *out) {
  if (mc_instant_parse(text, MC_VN_OFFSET_MIN, out) != 0) {
    cli_error(cmd, "%s \"%s\": write ISO 8601, such as 2026-02-10T09:00 (Vietnam time)", opt, text);
    return CLI_USAGE;
  }
  return CLI_OK;
}

/* --now: the clock for a rehearsal.  Every event is stamped with the later
 * of the clock and the log's last event, so a date in the future would
 * carry into every event after it, in an append-only log: refused unless
 * MOTCUA_REHEARSAL=1 says this data directory is a rehearsal copy. */
int cli_parse_now(const char *cmd, const char *text, mc_instant *out) {
  int status = cli_parse_time(cmd, "--now", text, out);
  if (status != CLI_OK)
    return status;
  const char *rehearsal = getenv("MOTCUA_REHEARSAL");
  if (*out > mc_clock_now() + 5 * 60 * 1000 && !(rehearsal && !strcmp(rehearsal, "1"))) {
    cli_error(cmd, "--now %s is in the future: every later event would carry that time. On a rehearsal copy of "
                   "the data, set MOTCUA_REHEARSAL=1", text);
    return CLI_USAGE;
  }
  return CLI_OK;
}
