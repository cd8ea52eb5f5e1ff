/* bench_echo.c — a bare libwebsockets echo server on libuv: the ceiling of
 * "framing alone" for the server benchmark (tools/bench-server.sh).
 *
 * It is built the way motcuad runs libwebsockets (api/server.c): lws on our
 * own uv loop (a foreign loop, the Debian evlib-uv plugin), plain ws:// on
 * one loopback port, and every text or binary message sent back unchanged as
 * one frame of the same kind.  Messages that arrive in several fragments are
 * reassembled first; queued echoes are written several per writable callback.
 * No JSON, no store, no session: what remains of a command's round trip when
 * everything but the WebSocket framing and the event loop is taken away.
 * `bench-server --echo` drives it with the very messages it sends motcuad.
 *
 *   build-bench/tools/bench/bench-echo [--port 8090] [--address 127.0.0.1]
 *
 * Stops on SIGINT or SIGTERM.  Prints nothing but its port and, at the end,
 * the number of messages echoed.
 */
#include <libwebsockets.h>
#include <uv.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One message waiting to go back: LWS_PRE bytes of headroom, then the payload. */
typedef struct echo_msg {
  struct echo_msg *next;
  size_t len;
  bool binary;
  unsigned char buf[]; /* LWS_PRE + len */
} echo_msg;

/* Per connection: the message being reassembled and the echoes queued. */
typedef struct echo_conn {
  unsigned char *rx;
  size_t rx_len, rx_cap;
  echo_msg *head, **tail;
} echo_conn;

static struct lws_context *context;
static uv_loop_t loop;
static uv_signal_t sigint_handle, sigterm_handle;
static unsigned long long echoed;

/* Writes up to 64 queued echoes; asks for another callback when some remain. */
static int echo_flush(struct lws *wsi, echo_conn *c) {
  for (int n = 0; c->head && n < 64; n++) {
    echo_msg *m = c->head;
    int w = lws_write(wsi, m->buf + LWS_PRE, m->len, m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
    if (w < (int)m->len)
      return -1;
    c->head = m->next;
    if (c->head == NULL)
      c->tail = &c->head;
    free(m);
    echoed++;
    if (lws_send_pipe_choked(wsi))
      break;
  }
  if (c->head)
    lws_callback_on_writable(wsi);
  return 0;
}

static void echo_conn_free(echo_conn *c) {
  free(c->rx);
  c->rx = NULL;
  for (echo_msg *m = c->head, *next; m; m = next) {
    next = m->next;
    free(m);
  }
  c->head = NULL;
  c->tail = &c->head;
}

static int echo_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  echo_conn *c = user;
  switch (reason) {
  case LWS_CALLBACK_ESTABLISHED:
    memset(c, 0, sizeof *c);
    c->tail = &c->head;
    return 0;
  case LWS_CALLBACK_RECEIVE: {
    if (c->rx_len + len > c->rx_cap) {
      size_t cap = c->rx_cap ? c->rx_cap : 1024;
      while (cap < c->rx_len + len)
        cap *= 2;
      unsigned char *rx = realloc(c->rx, cap);
      if (rx == NULL)
        return -1;
      c->rx = rx;
      c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0)
      return 0;
    echo_msg *m = malloc(sizeof *m + LWS_PRE + c->rx_len);
    if (m == NULL)
      return -1;
    m->next = NULL;
    m->len = c->rx_len;
    m->binary = lws_frame_is_binary(wsi);
    memcpy(m->buf + LWS_PRE, c->rx, c->rx_len);
    c->rx_len = 0;
    *c->tail = m;
    c->tail = &m->next;
    lws_callback_on_writable(wsi);
    return 0;
  }
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return echo_flush(wsi, c);
  case LWS_CALLBACK_CLOSED:
    echo_conn_free(c);
    return 0;
  default:
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols protocols[] = {
    {"echo", echo_callback, sizeof(echo_conn), 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void on_signal(uv_signal_t *h, int signum) {
  (void)h;
  (void)signum;
  /* With a foreign loop the signals are ours: destroy the context (first
   * call), close our handles; main finalises after uv_run returns. */
  if (context)
    lws_context_destroy(context);
  uv_signal_stop(&sigint_handle);
  uv_signal_stop(&sigterm_handle);
  uv_close((uv_handle_t *)&sigint_handle, NULL);
  uv_close((uv_handle_t *)&sigterm_handle, NULL);
}

static void usage(void) {
  fprintf(stderr, "usage: bench-echo [--port N] [--address A]\n");
  exit(2);
}

int main(int argc, char **argv) {
  int port = 8090;
  const char *address = "127.0.0.1";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--port") && i + 1 < argc)
      port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--address") && i + 1 < argc)
      address = argv[++i];
    else
      usage();
  }
  if (port <= 0 || port > 65535)
    usage();
  lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
  if (uv_loop_init(&loop)) {
    fprintf(stderr, "bench-echo: uv_loop_init failed\n");
    return 1;
  }
  uv_signal_init(&loop, &sigint_handle);
  uv_signal_init(&loop, &sigterm_handle);
  uv_signal_start(&sigint_handle, on_signal, SIGINT);
  uv_signal_start(&sigterm_handle, on_signal, SIGTERM);
  signal(SIGPIPE, SIG_IGN);

  void *foreign_loops[] = {&loop};
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = port;
  info.iface = address;
  info.protocols = protocols;
  info.options = LWS_SERVER_OPTION_LIBUV;
  info.foreign_loops = foreign_loops;
  info.pcontext = &context;
  info.timeout_secs = 30;
  context = lws_create_context(&info);
  if (context == NULL) {
    fprintf(stderr, "bench-echo: cannot listen on %s:%d (is the libwebsockets-evlib-uv package installed?)\n",
            address, port);
    return 1;
  }
  printf("bench-echo: listening on ws://%s:%d/ws\n", address, port);
  fflush(stdout);
  uv_run(&loop, UV_RUN_DEFAULT);
  if (context)
    lws_context_destroy(context);
  int rc = uv_loop_close(&loop);
  printf("bench-echo: %llu messages echoed%s\n", echoed, rc ? " (the loop did not close cleanly)" : "");
  return 0;
}
