/* proxy.h — who a request really comes from, behind trusted reverse proxies.
 *
 * Throttles and per-address limits key on the client's address.  Behind a
 * reverse proxy (docs/OPERATIONS.md, "Behind a reverse proxy") every peer is
 * the proxy, so the client's address is taken from the proxy's headers —
 * but only when the peer is one of the proxies the operator configured
 * (`trusted_proxies`): anyone else could write those headers to pass for
 * another address.  Pure functions on text, testable without a socket.
 */
#ifndef MOTCUA_API_PROXY_H
#define MOTCUA_API_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#define API_ADDR_MAX 64 /* an address as text, IPv6 included */

/* Checks a `trusted_proxies` value: addresses (IPv4 or IPv6, no ports or
 * ranges) separated by commas or spaces, at most 16.  Returns true when
 * every one parses; otherwise false with `why` (a sentence) naming it. */
bool srv_proxy_list_valid(const char *list, char *why, size_t size);

/* Whether `addr` is one of the addresses in `list` (compared as addresses,
 * so "::ffff:127.0.0.1" equals "127.0.0.1"). */
bool srv_proxy_trusted(const char *list, const char *addr);

/* The client's address: `peer` itself unless it is a trusted proxy; then the
 * last address of the `Forwarded` header's `for=` (RFC 7239), else of
 * `X-Forwarded-For`, walking from the right past addresses that are
 * themselves trusted proxies.  A header that names no valid address gives
 * the peer.  Either header may be NULL.  Writes at most `size` bytes.
 * Returns whether the address is one a proxy's header named (not the peer). */
bool srv_proxy_client_addr(const char *list, const char *peer, const char *forwarded, const char *xff, char *out,
                           size_t size);

#endif
