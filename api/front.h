/* front.h — the table through which the runtime reaches its front ends:
 * the WebSocket operations (api/ws.c), the HTTP routes (api/http.c) and the
 * admin socket (api/admin.c).  A front end calls the runtime (jobs,
 * connections, pushes, access); the runtime calls a front end only through
 * its row here, never by name.  server.c holds the list of rows.  (How a
 * job holds what it answers — a connection — is the owner's: api/jobs.h,
 * srv_owner.) */
#ifndef MOTCUA_API_FRONT_H
#define MOTCUA_API_FRONT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct srv srv;
typedef struct conn conn;

typedef struct srv_front {
  const char *name;
  /* Started once the server is ready, stopped when it stops (the admin
   * socket listens and closes); NULL: nothing to do. */
  int (*open)(srv *s);
  void (*close)(srv *s);
  /* A whole WebSocket message of a connection (decoded by the front end). */
  void (*message)(conn *c, const void *data, size_t len, bool binary);
  /* lws's HTTP callbacks (a request, its body, the socket writable);
   * `pss` is the front end's per-request state. */
  int (*http)(srv *s, struct lws *wsi, enum lws_callback_reasons reason, void **pss, void *in, size_t len);
} srv_front;

extern const srv_front srv_front_ws, srv_front_http, srv_front_admin;

#endif
