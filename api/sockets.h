/* sockets.h — every socket motcuad accepts, counted from accept: against
 * the total (max_connections) and its client's address (max_per_address;
 * not a trusted proxy's, whose clients are counted by the address it names
 * once the request is read).  A socket must send its request's headers
 * within header_seconds, or it is closed: silent or trickling sockets from
 * one host cannot hold the server's sockets.  The count comes down when lws
 * destroys the socket. */
#ifndef MOTCUA_API_SOCKETS_H
#define MOTCUA_API_SOCKETS_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct srv srv;
typedef struct srv_sockets srv_sockets;

/* Whether a socket from `addr` (as text) may be accepted now. */
bool srv_sockets_admit(srv *s, const char *addr);
/* The address of a peer as motcuad writes it ("127.0.0.1", "2001:db8::1"). */
void srv_sockets_addr(const struct sockaddr_storage *sa, char *out, size_t size);
/* lws made the socket's wsi: counted, and its header deadline set. */
void srv_sockets_opened(srv *s, struct lws *wsi);
/* lws destroys it: the count comes down. */
void srv_sockets_closed(srv *s, struct lws *wsi);
void srv_sockets_free(srv *s);

#endif
