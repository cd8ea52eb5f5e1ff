/* conns.h — WebSocket connections and their send queues.  A connection is
 * registered when lws establishes it and unregistered when lws closes it;
 * it lives on while jobs hold it (a reply still on its way).  Messages wait
 * in the connection's queue until lws says the socket can take more; those
 * of one encoding go out together, as one frame holding an array
 * (docs/PROTOCOL.md "Batched frames").  A client that reads too slowly
 * fills its queue (max_queued) and is closed; from then on nothing it sends
 * is read or worked on, even while its close waits for a socket that never
 * drains.  A connection without a socket (wsi NULL: the unit tests) queues
 * the same, and nothing is written. */
#ifndef MOTCUA_API_CONNS_H
#define MOTCUA_API_CONNS_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/access.h"
#include "api/jobs.h"
#include "api/subs.h"
#include "base/buf.h"

typedef struct srv srv;
typedef struct conn conn;

typedef struct out_msg {
  struct out_msg *next;
  size_t len;
  bool binary;
  unsigned char buf[];         /* LWS_PRE bytes, then the message */
} out_msg;

#define CONN_MAX_SUBS 16

struct conn {
  srv *s;
  struct lws *wsi;             /* NULL in the unit tests */
  bool gone;                   /* lws closed it (the conn lives on while jobs hold it) */
  conn *next, *prev;
  uint64_t id;
  char addr[64];
  bool addr_forwarded;
  bool waiting_hello;          /* not authenticated yet: closed after hello_seconds (s->nwaiting_hello) */         /* addr is what a trusted proxy's header named (per-address limits hold) */
  principal who;
  bool english;                /* hello's "lang": "en" (errors' `message` in English; else Vietnamese) */
  mc_buf rx;
  bool rx_binary, rx_too_big;
  out_msg *qhead, **qtail;
  int qlen;
  sub *subs[CONN_MAX_SUBS];
  int nsubs, next_sub;
  int jobs;                    /* jobs in flight that point here */
  bool closing;
  bool rx_paused;              /* closing: not read from again */
  int close_status;
  char close_reason[96];
  uint64_t last_seen_ms;
  int64_t denial_minute;
  int denials;
};

/* A new connection from `addr`, registered with the server. */
conn *srv_conn_open(srv *s, struct lws *wsi, const char *addr);
/* lws closed it: unregistered, its subscriptions out of the index; freed
 * now, or when the last job holding it ends. */
void srv_conn_gone(conn *c);
/* Whether messages can still be queued to it. */
bool srv_conn_alive(const conn *c);

void srv_conn_send(conn *c, const json_t *msg, bool binary);
/* Queues a message already encoded, in up to three parts (NULL, 0: none). */
void srv_conn_send_parts(conn *c, const void *a, size_t alen, const void *b, size_t blen, const void *t, size_t tlen,
                         bool binary);
/* Closes it once what is queued is written. */
void srv_conn_close(conn *c, int status, const char *reason);
/* A job holds the connection, and lets it go (a job's owner: api/jobs.h). */
void srv_conn_hold(void *owner);
void srv_conn_release(void *owner);
extern const srv_owner srv_conn_owner; /* the two, for srv_job_new */

/* Who the connection acts for (hello): its "mine" subscriptions are filed
 * under the new account. */
void srv_conn_set_principal(conn *c, const principal *p);
/* A subscription of the connection (a copy, filed in the index if live;
 * NULL: CONN_MAX_SUBS reached), and its removal (out of the index). */
sub *srv_conn_sub_add(conn *c, const sub *sb);
void srv_conn_sub_remove(conn *c, int i);

/* The next frame of the queue: the first message, or the run of messages of
 * its encoding that follow it, as one array, up to FRAME_BATCH_BYTES.
 * Written at out->data + LWS_PRE; returns how many messages it holds. */
#define FRAME_BATCH_BYTES 65536
int srv_conn_frame(const conn *c, mc_buf *out, bool *binary);
/* Drops the first n messages of the queue. */
void srv_conn_pop(conn *c, int n);
/* lws says the socket can take more: frames out, then `room` (may be NULL)
 * once the queue is below half (a subscription catching up reads on), then
 * the close frame once the queue is empty if it is closing.  -1: lws closes
 * the socket. */
int srv_conn_writeable(conn *c, void (*room)(conn *c));

/* Connections open from an address. */
int srv_conn_count_from(srv *s, const char *addr);
/* The client's address: the peer, or behind a trusted proxy what its headers
 * say (api/proxy.h); true in that second case. */
bool srv_client_addr(srv *s, struct lws *wsi, char *out, size_t size);

#endif
