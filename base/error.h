/* error.h — the project's error codes.
 *
 * Every function of every module returns int: 0 on success, a negative code
 * below on failure.  The list is one X-macro (as libuv's UV_ERRNO_MAP) that
 * generates the enum, the message and the name, so adding a code is one line.
 * Codes of libraries (LMDB, libuv, errno) are translated into these once, at
 * the module boundary, and never travel further up.
 *
 * Messages are for the person reading a log or a terminal: they say what went
 * wrong; the caller adds where and how to fix it.
 */
#ifndef MC_ERROR_H
#define MC_ERROR_H

#include <stddef.h>

#define MC_ERRNO_MAP(X)                                                        \
  X(NOMEM,     "out of memory")                                                \
  X(INVAL,     "invalid argument")                                             \
  X(IO,        "input/output error")                                           \
  X(NOENT,     "no such file or entry")                                        \
  X(ACCES,     "permission denied")                                            \
  X(PARSE,     "malformed input")                                              \
  X(RANGE,     "value out of range")                                           \
  X(TOOBIG,    "input too large")                                              \
  X(CALYEAR,   "the calendar has no data for the year this computation needs") \
  X(CALEMPTY,  "the calendar has no office hours")                             \
  X(INTERNAL,  "internal error (a bug in motcua)")                              \
  X(CONFLICT,  "the stream has moved on since the command was decided")        \
  X(LOCKED,    "the data directory is open for writing by another process")    \
  X(CORRUPT,   "the data is damaged or is not what motcua wrote")              \
  X(FORMAT,    "the data was written by a newer version of motcua")            \
  X(NOSPC,     "no space left on the device")                                  \
  X(READONLY,  "the store is open read-only")

typedef enum {
  MC_OK = 0,
#define MC__ERR_ENUM(name, msg) MC_E##name,
  MC__ERR_FIRST = -1000,
  MC_ERRNO_MAP(MC__ERR_ENUM)
#undef MC__ERR_ENUM
  MC__ERR_END
} mc_error;

/* The message of an error code, e.g. "out of memory".  Static storage; an
 * unknown code gives "unknown error". */
const char *mc_strerror(int err);

/* The name of an error code, e.g. "MC_ENOMEM"; "MC_OK" for 0. */
const char *mc_err_name(int err);

/* Translates an errno value (positive) into a project code. */
int mc_err_from_errno(int errnum);

/* Out of memory: one policy for all of motcua — stop.  An allocation of
 * base/ that fails (a buffer growing, an arena's chunk) calls mc_oom(),
 * which writes what was asked to stderr and aborts.  Nothing is lost that a
 * client was told was kept: a command is acknowledged only once its batch's
 * durable commit returned, and an aborted process leaves the last commit in
 * place; the supervisor restarts it (docs/OPERATIONS.md).  So the buffers
 * and arenas never report a lack of memory: mc_buf_append and mc_buf_printf
 * fail only with MC_ETOOBIG (a length near half the address space), which
 * callers appending bounded texts need not check.  MC_ENOMEM remains for
 * what libraries report themselves (LMDB, libuv, libcurl).
 *
 * Internal invariants (one open batch per store, a dossier's tokens within
 * ENG_MAX_TOKENS, the server's job counts) are assert()ed: on in the test
 * and sanitizer builds (debugoptimized), off in release (b_ndebug). */
void mc_oom(size_t bytes) __attribute__((noreturn));

/* A crash point, for the tests of what a kill between two writes leaves
 * (test and sanitizer builds only): when the environment variable
 * MOTCUA_CRASH_POINT names `point`, the process kills itself there, as a
 * SIGKILL or a power cut would.  Nothing at all in release builds. */
#ifdef NDEBUG
static inline void mc_crash_point(const char *point) { (void)point; }
#else
void mc_crash_point(const char *point);
#endif

#endif
