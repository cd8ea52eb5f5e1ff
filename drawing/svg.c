/* svg.c — the drawing as SVG: Graphviz's `dot` lays out and renders the DOT
 * text (text.c).  Used by `motcua graph --format svg` and by the portal's
 * procedure page (motcuad's GET /api/procedures/CODE/graph.svg). */
#include "drawing/graph.h"

#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int write_all(int fd, const void *bytes, size_t len) {
  const char *p = bytes;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

#define SVG_MAX (16u << 20)    /* a drawing larger than this is not one */
#define DOT_SECONDS 20         /* dot is killed after this long */

int graph_write_svg(const graph *g, mc_buf *out, char *why, size_t whylen) {
  mc_buf dot = MC_BUF_INIT;
  int rc = graph_write_dot(g, &dot);
  if (rc != 0) {
    snprintf(why, whylen, "%s", mc_strerror(rc));
    mc_buf_free(&dot);
    return rc;
  }
  /* The DOT text goes through a temporary file, so only one pipe is read
   * (no deadlock between writing its input and reading its output). */
  char tmp[] = "/tmp/motcua-graph-XXXXXX";
  int fd = mkstemp(tmp);
  if (fd < 0 || write_all(fd, dot.data, dot.len) != 0) {
    snprintf(why, whylen, "cannot write a temporary file: %s", strerror(errno));
    if (fd >= 0)
      close(fd), unlink(tmp);
    mc_buf_free(&dot);
    return MC_EIO;
  }
  close(fd);
  mc_buf_free(&dot);

  int pipefd[2];
  if (pipe(pipefd) != 0 || fcntl(pipefd[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(pipefd[1], F_SETFD, FD_CLOEXEC) != 0) {
    snprintf(why, whylen, "cannot make a pipe: %s", strerror(errno));
    unlink(tmp);
    return MC_EIO;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  char *argv[] = {"dot", "-Tsvg", tmp, NULL};
  pid_t pid;
  int err = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[1]);
  if (err != 0) {
    close(pipefd[0]);
    unlink(tmp);
    if (err == ENOENT)
      snprintf(why, whylen, "Graphviz's dot is not installed (Debian package graphviz)");
    else
      snprintf(why, whylen, "cannot run dot: %s", strerror(err));
    return err == ENOENT ? MC_ENOENT : MC_EIO;
  }
  size_t start = out->len;
  rc = 0;
  char chunk[16384];
  for (;;) {
    struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
    int n = poll(&p, 1, DOT_SECONDS * 1000);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      snprintf(why, whylen, "dot took more than %d seconds", DOT_SECONDS);
      kill(pid, SIGKILL);
      rc = MC_EIO;
      break;
    }
    ssize_t r = read(pipefd[0], chunk, sizeof chunk);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    if (out->len - start + (size_t)r > SVG_MAX || mc_buf_append(out, chunk, (size_t)r) != 0) {
      snprintf(why, whylen, "the drawing is over %u MiB", SVG_MAX >> 20);
      kill(pid, SIGKILL);
      rc = MC_ERANGE;
      break;
    }
  }
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  unlink(tmp);
  if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
    snprintf(why, whylen, "dot failed on the drawing (exit status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    rc = MC_EIO;
  }
  if (rc != 0)
    out->len = start;
  return rc;
}
