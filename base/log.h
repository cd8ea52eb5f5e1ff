/* log.h — leveled logging for the engineer who reads it at 2 a.m.
 *
 * One line per message: "2026-11-25T19:20:00.123Z warn  store: map grown to 4 GiB".
 * Time is UTC so lines from several hosts sort together.  The level comes from
 * mc_log_set_level() or the environment variable MOTCUA_LOG (error, warn, info,
 * debug, trace); the default is info.  Output goes to stderr unless a sink is
 * installed (tests capture lines that way).  Safe to call from any thread: a
 * line is formatted into a local buffer and written with one call.
 */
#ifndef MC_LOG_H
#define MC_LOG_H

#include <stdarg.h>

typedef enum {
  MC_LOG_ERROR = 0,
  MC_LOG_WARN,
  MC_LOG_INFO,
  MC_LOG_DEBUG,
  MC_LOG_TRACE,
} mc_log_level;

/* Receives each formatted line (without the newline).  `line` is borrowed for
 * the duration of the call. */
typedef void (*mc_log_sink)(void *opaque, mc_log_level level, const char *line);

void mc_log_set_level(mc_log_level level);
mc_log_level mc_log_get_level(void);

/* Parses "error", "warn", "info", "debug", "trace".  Returns 0 or MC_EINVAL. */
int mc_log_level_parse(const char *text, mc_log_level *out);
const char *mc_log_level_name(mc_log_level level);

/* Reads MOTCUA_LOG; an unknown value is reported once and ignored. */
void mc_log_init_from_env(void);

/* Installs a sink; NULL restores stderr.  Not thread-safe against concurrent
 * logging: install sinks at start-up. */
void mc_log_set_sink(mc_log_sink sink, void *opaque);

#if defined(__GNUC__)
#define MC__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MC__PRINTF(a, b)
#endif

void mc_log(mc_log_level level, const char *module, const char *fmt, ...)
    MC__PRINTF(3, 4);
void mc_logv(mc_log_level level, const char *module, const char *fmt, va_list ap)
    MC__PRINTF(3, 0);

#define mc_log_enabled(level) ((level) <= mc_log_get_level())

#define MC_LOG_ERROR(mod, ...) mc_log(MC_LOG_ERROR, mod, __VA_ARGS__)
#define MC_LOG_WARN(mod, ...)  mc_log(MC_LOG_WARN, mod, __VA_ARGS__)
#define MC_LOG_INFO(mod, ...)  mc_log(MC_LOG_INFO, mod, __VA_ARGS__)
#define MC_LOG_DEBUG(mod, ...) \
  do { if (mc_log_enabled(MC_LOG_DEBUG)) mc_log(MC_LOG_DEBUG, mod, __VA_ARGS__); } while (0)
#define MC_LOG_TRACE(mod, ...) \
  do { if (mc_log_enabled(MC_LOG_TRACE)) mc_log(MC_LOG_TRACE, mod, __VA_ARGS__); } while (0)

#endif
