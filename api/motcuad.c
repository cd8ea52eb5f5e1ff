/* motcuad — the server.  See docs/OPERATIONS.md (running it) and
 * docs/PROTOCOL.md (speaking to it). */
#include "api/server.h"

#include "base/error.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
  fprintf(f,
          "usage: motcuad [--config FILE] [--data DIR] [--listen HOST:PORT] [--workflows DIR|--no-workflows]\n"
          "               [--ready-file FILE]\n"
          "\n"
          "Serves the citizen portal's and the officials' console's HTTP and WebSocket on one port\n"
          "(docs/PROTOCOL.md), with the data directory DIR (created when missing).  A data directory\n"
          "with no procedure gets the bundled workflows published, and a first administrator \"admin\"\n"
          "whose one-time password is printed once.  Stops cleanly on SIGTERM or SIGINT.\n"
          "\n"
          "  --config FILE     the configuration file (docs/OPERATIONS.md lists its keys)\n"
          "  --data DIR        the data directory (overrides `data` of the file)\n"
          "  --listen H:P      where to listen (overrides `listen`); port 0 takes a free port\n"
          "  --workflows DIR   what to publish into an empty data directory (default: %s)\n"
          "  --ready-file FILE written with the port once the server listens\n"
          "  --rehearsal-clock FILE  (MOTCUA_REHEARSAL=1, a copy of the data only) the clock runs ahead\n"
          "                    by the milliseconds FILE holds, re-read every 5 s, only ever forward\n",
          MOTCUA_WORKFLOWS_DIR);
}

int main(int argc, char **argv) {
  srv_config cfg;
  srv_options opt = {.workflows_dir = MOTCUA_WORKFLOWS_DIR, .announce = stdout};
  const char *config = NULL, *data = NULL, *listen = NULL;
  mc_log_init_from_env();
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--no-workflows")) {
      opt.workflows_dir = NULL;
      continue;
    }
    if (v == NULL) {
      fprintf(stderr, "motcuad: %s needs a value\n", a);
      usage(stderr);
      return 2;
    }
    if (!strcmp(a, "--config"))
      config = v;
    else if (!strcmp(a, "--data"))
      data = v;
    else if (!strcmp(a, "--listen"))
      listen = v;
    else if (!strcmp(a, "--workflows"))
      opt.workflows_dir = v;
    else if (!strcmp(a, "--ready-file"))
      opt.ready_file = v;
    else if (!strcmp(a, "--rehearsal-clock")) {
      const char *r = getenv("MOTCUA_REHEARSAL");
      if (r == NULL || strcmp(r, "1")) {
        fprintf(stderr, "motcuad: --rehearsal-clock moves time forward in an append-only log: only on a copy of "
                        "the data, with MOTCUA_REHEARSAL=1\n");
        return 2;
      }
      opt.rehearsal_clock = v;
    }
    else {
      fprintf(stderr, "motcuad: unknown option %s\n", a);
      usage(stderr);
      return 2;
    }
    i++;
  }
  srv_config_defaults(&cfg);
  mc_buf why = MC_BUF_INIT;
  if (config && srv_config_load(&cfg, config, &why) != 0) {
    fprintf(stderr, "motcuad: %s\n", mc_buf_cstr(&why));
    mc_buf_free(&why);
    return 2;
  }
  srv_config_env(&cfg);
  if (data)
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", data);
  if (listen) {
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || (size_t)(colon - listen) >= sizeof cfg.listen_host) {
      fprintf(stderr, "motcuad: --listen is HOST:PORT, e.g. 127.0.0.1:8080\n");
      return 2;
    }
    snprintf(cfg.listen_host, sizeof cfg.listen_host, "%.*s", (int)(colon - listen), listen);
    cfg.port = atoi(colon + 1);
  }
  mc_buf_free(&why);
  int rc = srv_run(&cfg, &opt);
  if (rc) {
    fprintf(stderr, "motcuad: %s\n", mc_strerror(rc));
    return 1;
  }
  return 0;
}
