/* scan.c — the clamd client (files/scan.h). */
#include "files/scan.h"

#include "base/error.h"

#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

const char *files_verdict_name(files_verdict v) {
  static const char *const names[] = {"clean", "infected", "too_large", "unavailable"};
  return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "unavailable";
}

static int unavailable(files_scan_result *out, const char *what, const char *detail) {
  out->verdict = FILES_UNAVAILABLE;
  snprintf(out->why, sizeof out->why, "%s%s", what, detail);
  return 0;
}

/* A connected socket, or -1 with `why`. */
static int connect_to(const char *path, int timeout_ms, char *why, size_t size) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (path == NULL || strlen(path) >= sizeof addr.sun_path) {
    snprintf(why, size, "the scanner's socket path is empty or too long");
    return -1;
  }
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(why, size, "socket: %s", strerror(errno));
    return -1;
  }
  struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    snprintf(why, size, "clamd does not answer at %s: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

static int send_all(int fd, const void *data, size_t len) {
  const uint8_t *p = data;
  while (len) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    p += n, len -= (size_t)n;
  }
  return 0;
}

/* clamd's answer, up to its NUL (the z-commands end with one). */
static int read_reply(int fd, char *out, size_t size) {
  size_t at = 0;
  while (at + 1 < size) {
    ssize_t n = recv(fd, out + at, size - 1 - at, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    at += (size_t)n;
    if (memchr(out, '\0', at))
      break;
  }
  out[at] = '\0';
  return at ? 0 : -1;
}

/* The verdict of an INSTREAM answer. */
static void verdict_of(const char *reply, files_scan_result *out) {
  const char *r = strncmp(reply, "stream: ", 8) ? reply : reply + 8;
  size_t n = strlen(r);
  if (!strcmp(r, "OK")) {
    out->verdict = FILES_CLEAN;
  } else if (n > 6 && !strcmp(r + n - 6, " FOUND")) {
    /* Limits reached with AlertExceedsMax are "Heuristics.Limits.Exceeded.*": too large, not malware. */
    if (!strncmp(r, "Heuristics.Limits.Exceeded", 26)) {
      out->verdict = FILES_TOO_LARGE;
      snprintf(out->why, sizeof out->why, "clamd could not scan it whole (%.*s)", (int)(n - 6), r);
    } else {
      out->verdict = FILES_INFECTED;
      snprintf(out->signature, sizeof out->signature, "%.*s", (int)(n - 6), r);
    }
  } else if (strstr(r, "size limit exceeded")) {
    out->verdict = FILES_TOO_LARGE;
    snprintf(out->why, sizeof out->why, "larger than the scanner's StreamMaxLength (%.180s)", r);
  } else {
    out->verdict = FILES_UNAVAILABLE;
    snprintf(out->why, sizeof out->why, "clamd answered \"%.200s\"", r);
  }
}

typedef struct source {
  int fd;              /* or -1: bytes */
  const uint8_t *data;
  size_t len, at;
} source;

static int scan(const char *socket_path, source *src, int timeout_ms, files_scan_result *out) {
  memset(out, 0, sizeof *out);
  char why[200];
  int s = connect_to(socket_path, timeout_ms, why, sizeof why);
  if (s < 0)
    return unavailable(out, "", why);
  static const char cmd[] = "zINSTREAM";
  int rc = 0;
  uint8_t buf[4 + CHUNK];
  bool sent = send_all(s, cmd, sizeof cmd) == 0; /* with its NUL */
  while (sent) {
    size_t n;
    if (src->fd >= 0) {
      ssize_t r = read(src->fd, buf + 4, CHUNK);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0) {
        rc = MC_EIO;
        snprintf(why, sizeof why, "the file cannot be read: %s", strerror(errno));
        sent = false;
        break;
      }
      n = (size_t)r;
    } else {
      n = src->len - src->at < CHUNK ? src->len - src->at : CHUNK;
      memcpy(buf + 4, src->data + src->at, n);
      src->at += n;
    }
    buf[0] = (uint8_t)(n >> 24), buf[1] = (uint8_t)(n >> 16), buf[2] = (uint8_t)(n >> 8), buf[3] = (uint8_t)n;
    /* A send that fails mid-stream: clamd stopped reading (a size limit); its answer says why. */
    if (send_all(s, buf, 4 + n) != 0 || n == 0)
      break;
  }
  char reply[512];
  if (rc == 0 && read_reply(s, reply, sizeof reply) == 0)
    verdict_of(reply, out);
  else if (rc == 0)
    unavailable(out, "clamd gave no answer: ", errno ? strerror(errno) : "the connection closed");
  else
    unavailable(out, "", why);
  close(s);
  return rc;
}

int files_scan_fd(const char *socket_path, int fd, int timeout_ms, files_scan_result *out) {
  source src = {.fd = fd};
  return scan(socket_path, &src, timeout_ms, out);
}

int files_scan_bytes(const char *socket_path, const void *data, size_t len, int timeout_ms, files_scan_result *out) {
  source src = {.fd = -1, .data = data, .len = len};
  return scan(socket_path, &src, timeout_ms, out);
}

static int ask(const char *socket_path, const char *cmd, int timeout_ms, char *reply, size_t size, mc_buf *why) {
  char w[200];
  int s = connect_to(socket_path, timeout_ms, w, sizeof w);
  if (s < 0) {
    mc_buf_append_str(why, w);
    return MC_EIO;
  }
  int rc = send_all(s, cmd, strlen(cmd) + 1) == 0 && read_reply(s, reply, size) == 0 ? 0 : MC_EIO;
  close(s);
  if (rc)
    mc_buf_printf(why, "clamd at %s gave no answer to %s", socket_path, cmd + 1);
  return rc;
}

int files_scan_ping(const char *socket_path, int timeout_ms, mc_buf *version, mc_buf *why) {
  char reply[256];
  int rc = ask(socket_path, "zPING", timeout_ms, reply, sizeof reply, why);
  if (rc == 0 && strcmp(reply, "PONG")) {
    mc_buf_printf(why, "clamd answered \"%.100s\" to PING", reply);
    return MC_EIO;
  }
  if (rc == 0 && version && ask(socket_path, "zVERSION", timeout_ms, reply, sizeof reply, why) == 0)
    mc_buf_append_str(version, reply);
  return rc;
}
