/* proxy.c — the client's address behind trusted reverse proxies (proxy.h). */
#include "api/proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_PROXIES 16

/* An address in a comparable form: IPv4 as an IPv4-mapped IPv6 address. */
static bool parse_addr(const char *text, size_t len, uint8_t out[16]) {
  char buf[API_ADDR_MAX];
  struct in_addr v4;
  if (len == 0 || len >= sizeof buf)
    return false;
  memcpy(buf, text, len);
  buf[len] = '\0';
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, &v4, 4);
    return true;
  }
  return inet_pton(AF_INET6, buf, out) == 1;
}

typedef bool (*item_fn)(void *opaque, const char *item, size_t len);

/* Calls fn for each item of a list separated by commas and blanks; stops
 * when fn returns false, and returns false then. */
static bool each_item(const char *list, item_fn fn, void *opaque) {
  const char *p = list;
  while (p && *p) {
    while (*p == ',' || isspace((unsigned char)*p))
      p++;
    const char *start = p;
    while (*p && *p != ',' && !isspace((unsigned char)*p))
      p++;
    if (p > start && !fn(opaque, start, (size_t)(p - start)))
      return false;
  }
  return true;
}

typedef struct checking {
  char *why;
  size_t size;
  int count;
} checking;

static bool check_item(void *opaque, const char *item, size_t len) {
  checking *c = opaque;
  uint8_t a[16];
  if (++c->count > MAX_PROXIES) {
    snprintf(c->why, c->size, "at most %d trusted proxies", MAX_PROXIES);
    return false;
  }
  if (!parse_addr(item, len, a)) {
    snprintf(c->why, c->size, "\"%.*s\" is not an IPv4 or IPv6 address (write the proxy's address, without a port)",
             (int)(len > 64 ? 64 : len), item);
    return false;
  }
  return true;
}

bool srv_proxy_list_valid(const char *list, char *why, size_t size) {
  checking c = {why, size, 0};
  return each_item(list, check_item, &c);
}

typedef struct matching {
  uint8_t addr[16];
  bool found;
} matching;

static bool match_item(void *opaque, const char *item, size_t len) {
  matching *m = opaque;
  uint8_t a[16];
  if (parse_addr(item, len, a) && memcmp(a, m->addr, 16) == 0)
    m->found = true;
  return !m->found;
}

static bool trusted_bytes(const char *list, const char *addr, size_t len) {
  matching m = {{0}, false};
  if (list == NULL || !parse_addr(addr, len, m.addr))
    return false;
  each_item(list, match_item, &m);
  return m.found;
}

bool srv_proxy_trusted(const char *list, const char *addr) {
  return addr && trusted_bytes(list, addr, strlen(addr));
}

/* One node of a Forwarded `for=` (quotes, brackets and a port removed) or
 * an X-Forwarded-For item (blanks trimmed): the address in [*start, len). */
static bool node_address(const char *p, size_t len, const char **start, size_t *alen) {
  while (len && isspace((unsigned char)*p))
    p++, len--;
  while (len && isspace((unsigned char)p[len - 1]))
    len--;
  if (len >= 2 && p[0] == '"' && p[len - 1] == '"')
    p++, len -= 2;
  if (len && p[0] == '[') { /* "[2001:db8::1]:4711" */
    const char *close = memchr(p, ']', len);
    if (close == NULL)
      return false;
    *start = p + 1;
    *alen = (size_t)(close - p - 1);
  } else {
    const char *colon = memchr(p, ':', len);
    /* one colon: IPv4 with a port; more: a bare IPv6 address */
    if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - p)) == NULL)
      len = (size_t)(colon - p);
    *start = p;
    *alen = len;
  }
  uint8_t a[16];
  return parse_addr(*start, *alen, a);
}

/* The `for=` value of one Forwarded element ("for=1.2.3.4;proto=https"). */
static bool forwarded_for(const char *el, size_t len, const char **v, size_t *vlen) {
  const char *p = el, *end = el + len;
  while (p < end) {
    const char *semi = memchr(p, ';', (size_t)(end - p));
    const char *pair_end = semi ? semi : end;
    while (p < pair_end && isspace((unsigned char)*p))
      p++;
    if (pair_end - p > 4 && strncasecmp(p, "for=", 4) == 0) {
      *v = p + 4;
      *vlen = (size_t)(pair_end - p - 4);
      return true;
    }
    p = pair_end + 1;
  }
  return false;
}

bool srv_proxy_client_addr(const char *list, const char *peer, const char *forwarded, const char *xff, char *out,
                           size_t size) {
  snprintf(out, size, "%s", peer ? peer : "-");
  bool named = false;
  if (!srv_proxy_trusted(list, peer))
    return false;
  const char *header = forwarded && *forwarded ? forwarded : xff;
  bool is_forwarded = header == forwarded;
  if (header == NULL)
    return false;
  /* From the right: the last hop is the one our proxy saw; earlier ones were
   * written by the client and are believed only while they are proxies. */
  size_t end = strlen(header);
  while (end > 0) {
    size_t start = end;
    while (start > 0 && header[start - 1] != ',')
      start--;
    const char *node = header + start, *addr;
    size_t nlen = end - start, alen;
    if (is_forwarded && !forwarded_for(header + start, end - start, &node, &nlen))
      return named; /* an element without for=: nothing more is known */
    if (!node_address(node, nlen, &addr, &alen))
      return named; /* "unknown", an obfuscated node, garbage: keep what we have */
    snprintf(out, size, "%.*s", (int)alen, addr);
    named = true;
    if (!trusted_bytes(list, addr, alen))
      return true;
    end = start ? start - 1 : 0;
  }
  return named;
}
