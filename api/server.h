/* server.h — motcuad: one process on a libuv loop with libwebsockets (HTTP
 * and WebSocket on one port, docs/PROTOCOL.md), the engine's writer thread
 * (engine/writer.h), the delivery worker (office/delivery.h) and the admin
 * socket for the command line.  docs/ARCHITECTURE.md "Processes and threads". */
#ifndef MOTCUA_API_SERVER_H
#define MOTCUA_API_SERVER_H

#include <stdbool.h>
#include <stdio.h>

#include "api/config.h"

typedef struct srv_options {
  const char *workflows_dir;   /* published into a data directory that has no procedure yet; NULL: none */
  FILE *announce;              /* the address, and a first administrator's one-time password, go here */
  const char *ready_file;      /* written with the port once listening (tests, scripts); or NULL */
  /* A rehearsal on a copy of the data (MOTCUA_REHEARSAL=1): the clock runs
   * ahead by the milliseconds this file holds, re-read every few seconds
   * and only ever moved forward (deadlines and timers can be rehearsed
   * without waiting days).  NULL: the wall clock. */
  const char *rehearsal_clock;
} srv_options;

/* Runs until SIGTERM or SIGINT.  Returns 0 after a clean stop, or an error
 * (with a message logged) when it cannot start. */
int srv_run(const srv_config *cfg, const srv_options *opt);

#endif
