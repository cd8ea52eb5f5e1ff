/* test_proxy.c — the client's address behind trusted reverse proxies
 * (api/proxy.c): headers are believed only from a configured proxy, and
 * only as far back as the chain of trusted proxies goes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/proxy.h"

#include <string.h>

static const char *addr(const char *list, const char *peer, const char *forwarded, const char *xff) {
  static char out[API_ADDR_MAX];
  srv_proxy_client_addr(list, peer, forwarded, xff, out, sizeof out);
  return out;
}

static void without_trusted_proxies_the_peer_is_the_client(void **state) {
  (void)state;
  assert_string_equal(addr("", "203.0.113.5", NULL, "198.51.100.7"), "203.0.113.5");
  assert_string_equal(addr("", "203.0.113.5", "for=198.51.100.7", NULL), "203.0.113.5");
  /* A client that is not a configured proxy cannot pass for another. */
  assert_string_equal(addr("127.0.0.1", "203.0.113.5", NULL, "198.51.100.7"), "203.0.113.5");
}

static void a_trusted_proxy_names_the_client(void **state) {
  (void)state;
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", NULL, "198.51.100.7"), "198.51.100.7");
  assert_string_equal(addr("127.0.0.1, ::1", "::1", NULL, " 198.51.100.7 "), "198.51.100.7");
  /* IPv4 seen as IPv4-mapped IPv6 is the same proxy. */
  assert_string_equal(addr("127.0.0.1", "::ffff:127.0.0.1", NULL, "198.51.100.7"), "198.51.100.7");
  /* No header: the proxy itself. */
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", NULL, NULL), "127.0.0.1");
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", "", ""), "127.0.0.1");
}

static void only_the_trusted_end_of_the_chain_is_believed(void **state) {
  (void)state;
  /* The client wrote 10.9.9.9 itself; our proxy appended what it saw. */
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", NULL, "10.9.9.9, 198.51.100.7"), "198.51.100.7");
  /* Two proxies of ours in a row: walk past the inner one. */
  assert_string_equal(addr("127.0.0.1 192.0.2.10", "127.0.0.1", NULL, "10.9.9.9, 198.51.100.7, 192.0.2.10"),
                      "198.51.100.7");
  /* Garbage where the client should be: the last good hop stands. */
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", NULL, "unknown"), "127.0.0.1");
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", NULL, "not-an-address, 198.51.100.7"), "198.51.100.7");
}

static void the_forwarded_header_wins_and_is_parsed(void **state) {
  (void)state;
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", "for=198.51.100.7;proto=https", "10.1.1.1"), "198.51.100.7");
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", "for=\"[2001:db8::17]:4711\"", NULL), "2001:db8::17");
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", "For=198.51.100.7:8443", NULL), "198.51.100.7");
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", "for=10.9.9.9, for=198.51.100.7", NULL), "198.51.100.7");
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", "for=_hidden", NULL), "127.0.0.1");
  assert_string_equal(addr("127.0.0.1", "127.0.0.1", "proto=https", NULL), "127.0.0.1");
}

static void the_configured_list_is_checked(void **state) {
  (void)state;
  char why[160];
  assert_true(srv_proxy_list_valid("", why, sizeof why));
  assert_true(srv_proxy_list_valid("127.0.0.1, ::1 10.0.0.2", why, sizeof why));
  assert_false(srv_proxy_list_valid("127.0.0.1, 10.0.0.0/8", why, sizeof why));
  assert_non_null(strstr(why, "\"10.0.0.0/8\" is not an IPv4 or IPv6 address"));
  assert_false(srv_proxy_list_valid("proxy.example:80", why, sizeof why));
  assert_true(srv_proxy_trusted("127.0.0.1, ::1", "::1"));
  assert_false(srv_proxy_trusted("127.0.0.1", "127.0.0.2"));
  assert_false(srv_proxy_trusted("", "127.0.0.1"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(without_trusted_proxies_the_peer_is_the_client),
      cmocka_unit_test(a_trusted_proxy_names_the_client),
      cmocka_unit_test(only_the_trusted_end_of_the_chain_is_believed),
      cmocka_unit_test(the_forwarded_header_wins_and_is_parsed),
      cmocka_unit_test(the_configured_list_is_checked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
