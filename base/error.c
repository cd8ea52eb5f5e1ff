/* error.c — messages and names of the codes listed in error.h; the crash
 * point of the test builds. */
#include "error.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MC__ERR_CASE_MSG(name, msg) case MC_E##name: return msg;
#define MC__ERR_CASE_NAME(name, msg) case MC_E##name: return "MC_E" #name;

const char *mc_strerror(int err) {
  switch (err) {
  case MC_OK: return "success";
  MC_ERRNO_MAP(MC__ERR_CASE_MSG)
  default: return "unknown error";
  }
}

const char *mc_err_name(int err) {
  switch (err) {
  case MC_OK: return "MC_OK";
  MC_ERRNO_MAP(MC__ERR_CASE_NAME)
  default: return "MC_E?";
  }
}

int mc_err_from_errno(int errnum) {
  switch (errnum) {
  case 0: return MC_OK;
  case ENOMEM: return MC_ENOMEM;
  case ENOENT: case ENOTDIR: return MC_ENOENT;
  case EACCES: case EPERM: return MC_EACCES;
  case EINVAL: return MC_EINVAL;
  case ERANGE: case EOVERFLOW: return MC_ERANGE;
  case EFBIG: return MC_ETOOBIG;
  default: return MC_EIO;
  }
}

void mc_oom(size_t bytes) {
  /* No allocation here: the message is written straight to stderr. */
  fprintf(stderr, "motcua: out of memory (asked for %zu bytes): stopping\n", bytes);
  abort();
}

#ifndef NDEBUG
void mc_crash_point(const char *point) {
  const char *want = getenv("MOTCUA_CRASH_POINT");
  if (want && !strcmp(want, point)) {
    fprintf(stderr, "crash point %s: killed\n", point);
    raise(SIGKILL);
  }
}
#endif
