/* sockets.c — see sockets.h: counts of open sockets by address (a chained
 * hash table; a key without sockets is freed), and each wsi's entry kept
 * as its lws opaque user data. */
#include "api/sockets.h"

#include "api/proxy.h"
#include "api/runtime.h"
#include "base/error.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

typedef struct addr_count {
  struct addr_count *next;
  int n;
  char addr[API_ADDR_MAX];
} addr_count;

#define SOCKETS_BUCKETS 1024

struct srv_sockets {
  addr_count *buckets[SOCKETS_BUCKETS];
};

static unsigned bucket_of(const char *addr) {
  unsigned h = 2166136261u; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
    h = (h ^ *p) * 16777619u;
  return h % SOCKETS_BUCKETS;
}

static addr_count **slot(srv_sockets *t, const char *addr) {
  addr_count **e = &t->buckets[bucket_of(addr)];
  while (*e && strcmp((*e)->addr, addr))
    e = &(*e)->next;
  return e;
}

static srv_sockets *table(srv *s) {
  if (s->sockets == NULL && (s->sockets = calloc(1, sizeof *s->sockets)) == NULL)
    mc_oom(sizeof *s->sockets);
  return s->sockets;
}

void srv_sockets_addr(const struct sockaddr_storage *sa, char *out, size_t size) {
  snprintf(out, size, "-");
  if (sa->ss_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
  } else if (sa->ss_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a))
      inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)size);
    else
      inet_ntop(AF_INET6, a, out, (socklen_t)size);
  }
}

/* The address of a wsi's peer, as srv_sockets_addr writes it. */
static void peer_of(struct lws *wsi, char *out, size_t size) {
  struct sockaddr_storage sa;
  socklen_t len = sizeof sa;
  memset(&sa, 0, sizeof sa);
  int fd = lws_get_socket_fd(wsi);
  if (fd < 0 || getpeername(fd, (struct sockaddr *)&sa, &len) != 0) {
    snprintf(out, size, "-");
    return;
  }
  srv_sockets_addr(&sa, out, size);
}

bool srv_sockets_admit(srv *s, const char *addr) {
  if (s->stopping || s->nsockets >= s->cfg.max_connections)
    return false;
  if (s->cfg.trusted_proxies[0] && srv_proxy_trusted(s->cfg.trusted_proxies, addr))
    return true; /* its clients are counted by the address it names */
  addr_count *e = *slot(table(s), addr);
  return e == NULL || e->n < s->cfg.max_per_address;
}

void srv_sockets_opened(srv *s, struct lws *wsi) {
  char addr[API_ADDR_MAX];
  peer_of(wsi, addr, sizeof addr);
  addr_count **at = slot(table(s), addr), *e = *at;
  if (e == NULL) {
    if ((e = calloc(1, sizeof *e)) == NULL)
      mc_oom(sizeof *e);
    snprintf(e->addr, sizeof e->addr, "%s", addr);
    *at = e;
  }
  e->n++;
  s->nsockets++;
  lws_set_opaque_user_data(wsi, e);
  /* Its request's headers within the deadline (the HTTP and WebSocket
   * callbacks set the next one once they are read). */
  lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, s->cfg.header_seconds);
}

void srv_sockets_closed(srv *s, struct lws *wsi) {
  addr_count *e = lws_get_opaque_user_data(wsi);
  if (e == NULL)
    return;
  lws_set_opaque_user_data(wsi, NULL);
  s->nsockets--;
  if (--e->n == 0) {
    addr_count **at = slot(s->sockets, e->addr);
    *at = e->next;
    free(e);
  }
}

void srv_sockets_free(srv *s) {
  if (s->sockets == NULL)
    return;
  for (int i = 0; i < SOCKETS_BUCKETS; i++)
    for (addr_count *e = s->sockets->buckets[i], *n; e; e = n) {
      n = e->next;
      free(e);
    }
  free(s->sockets);
  s->sockets = NULL;
}
