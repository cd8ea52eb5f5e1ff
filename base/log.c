/* log.c — see log.h. */
#include "log.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static mc_log_level current_level = MC_LOG_INFO;
static mc_log_sink current_sink;
static void *current_sink_opaque;

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

void mc_log_set_level(mc_log_level level) { current_level = level; }
mc_log_level mc_log_get_level(void) { return current_level; }

const char *mc_log_level_name(mc_log_level level) {
  if ((unsigned)level < sizeof level_names / sizeof level_names[0])
    return level_names[level];
  return "?";
}

int mc_log_level_parse(const char *text, mc_log_level *out) {
  for (unsigned i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
    if (strcmp(text, level_names[i]) == 0) {
      *out = (mc_log_level)i;
      return 0;
    }
  }
  return MC_EINVAL;
}

void mc_log_init_from_env(void) {
  const char *env = getenv("MOTCUA_LOG");
  mc_log_level level;
  if (env == NULL || *env == '\0')
    return;
  if (mc_log_level_parse(env, &level) == 0)
    current_level = level;
  else
    mc_log(MC_LOG_WARN, "log",
           "MOTCUA_LOG=%s is not a level; use error, warn, info, debug or trace", env);
}

void mc_log_set_sink(mc_log_sink sink, void *opaque) {
  current_sink = sink;
  current_sink_opaque = opaque;
}

void mc_logv(mc_log_level level, const char *module, const char *fmt, va_list ap) {
  char line[2048];
  struct timespec now;
  struct tm tm;
  size_t len;

  if (level > current_level)
    return;
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &tm);
  len = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
  len += (size_t)snprintf(line + len, sizeof line - len, ".%03ldZ %-5s %s: ",
                          now.tv_nsec / 1000000L, mc_log_level_name(level),
                          module ? module : "-");
  if (len < sizeof line) {
    int n = vsnprintf(line + len, sizeof line - len, fmt, ap);
    if (n > 0)
      len += (size_t)n;
  }
  if (len >= sizeof line - 1) /* truncated: say so rather than cut silently */
    memcpy(line + sizeof line - 5, "...", 4), len = sizeof line - 2;

  if (current_sink) {
    current_sink(current_sink_opaque, level, line);
    return;
  }
  line[len] = '\n';
  /* One write(2) per line so concurrent threads do not interleave. */
  ssize_t rc = write(STDERR_FILENO, line, len + 1);
  (void)rc;
}

void mc_log(mc_log_level level, const char *module, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mc_logv(level, module, fmt, ap);
  va_end(ap);
}
