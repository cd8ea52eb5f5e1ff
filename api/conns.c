/* conns.c — see conns.h. */
#include "api/conns.h"

#include "api/proxy.h"
#include "api/runtime.h"
#include "api/wire.h"
#include "base/log.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

conn *srv_conn_open(srv *s, struct lws *wsi, const char *addr) {
  conn *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->s = s;
  c->wsi = wsi;
  c->id = ++s->next_conn_id;
  c->qtail = &c->qhead;
  c->last_seen_ms = mc_mono_ms();
  snprintf(c->addr, sizeof c->addr, "%s", addr);
  c->next = s->conns;
  if (s->conns)
    s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  s->m.connections_total++;
  return c;
}

static void conn_free(conn *c) {
  for (out_msg *o = c->qhead, *n; o; o = n) {
    n = o->next;
    free(o);
  }
  for (int i = 0; i < c->nsubs; i++) {
    srv_subs_remove(&c->s->subs, c->subs[i]);
    free(c->subs[i]);
  }
  mc_buf_free(&c->rx);
  sodium_memzero(&c->who, sizeof c->who);
  free(c);
}

void srv_conn_gone(conn *c) {
  srv *s = c->s;
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  c->next = c->prev = NULL;
  s->nconns--;
  if (c->waiting_hello) {
    c->waiting_hello = false;
    s->nwaiting_hello--;
  }
  /* No more pushes: out of the index now, even while jobs hold it. */
  for (int i = 0; i < c->nsubs; i++)
    srv_subs_remove(&s->subs, c->subs[i]);
  c->gone = true;
  c->wsi = NULL;
  if (c->jobs == 0)
    conn_free(c);
}

bool srv_conn_alive(const conn *c) { return !c->gone && !c->closing; }

static void want_write(conn *c) {
  if (c->wsi)
    lws_callback_on_writable(c->wsi);
}

/* A closing client is not read from again (conns.h). */
static void stop_reading(conn *c) {
  if (c->rx_paused)
    return;
  c->rx_paused = true;
  if (c->wsi)
    lws_rx_flow_control(c->wsi, 0);
}

void srv_conn_send_parts(conn *c, const void *a, size_t alen, const void *b, size_t blen, const void *t, size_t tlen,
                         bool binary) {
  if (!srv_conn_alive(c))
    return;
  if (c->qlen >= c->s->cfg.max_queued) {
    srv_conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "the client reads too slowly: reconnect and resume from the last seq");
    return;
  }
  size_t len = alen + blen + tlen;
  out_msg *o = malloc(sizeof *o + LWS_PRE + len);
  if (o == NULL)
    return;
  o->next = NULL;
  o->len = len;
  o->binary = binary;
  unsigned char *p = o->buf + LWS_PRE;
  if (alen)
    memcpy(p, a, alen);
  if (blen)
    memcpy(p + alen, b, blen);
  if (tlen)
    memcpy(p + alen + blen, t, tlen);
  *c->qtail = o;
  c->qtail = &o->next;
  if (c->qlen++ == 0)
    want_write(c);
}

void srv_conn_send(conn *c, const json_t *msg, bool binary) {
  mc_buf b = MC_BUF_INIT;
  if (srv_wire_encode(msg, binary, &b) == 0)
    srv_conn_send_parts(c, b.data, b.len, NULL, 0, NULL, 0, binary);
  mc_buf_free(&b);
}

void srv_conn_close(conn *c, int status, const char *reason) {
  if (!srv_conn_alive(c))
    return;
  mc_log(MC_LOG_DEBUG, "ws", "connection %llu from %s closed: %s", (unsigned long long)c->id, c->addr, reason);
  c->closing = true;
  stop_reading(c);
  c->close_status = status;
  snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
  want_write(c);
}

void srv_conn_hold(void *owner) { ((conn *)owner)->jobs++; }

void srv_conn_release(void *owner) {
  conn *c = owner;
  if (--c->jobs == 0 && c->gone)
    conn_free(c);
}

const srv_owner srv_conn_owner = {srv_conn_hold, srv_conn_release};

sub *srv_conn_sub_add(conn *c, const sub *sb) {
  if (c->nsubs >= CONN_MAX_SUBS)
    return NULL;
  sub *n = malloc(sizeof *n);
  if (n == NULL)
    return NULL;
  *n = *sb;
  n->c = c;
  n->key = NULL;
  n->prev_in = n->next_in = NULL;
  c->subs[c->nsubs++] = n;
  if (n->live)
    srv_subs_add(&c->s->subs, n);
  return n;
}

void srv_conn_sub_remove(conn *c, int i) {
  sub *sb = c->subs[i];
  srv_subs_remove(&c->s->subs, sb);
  free(sb);
  c->subs[i] = c->subs[--c->nsubs];
}

void srv_conn_set_principal(conn *c, const principal *p) {
  c->who = *p;
  if (c->waiting_hello && p->authed) {
    c->waiting_hello = false;
    c->s->nwaiting_hello--;
    if (c->wsi)
      lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
  }
  /* An applicant's "mine" is filed under the account: a hello as another
   * account files it anew. */
  for (int i = 0; i < c->nsubs; i++) {
    sub *sb = c->subs[i];
    if (strcmp(sb->scope, "mine") || !strcmp(sb->account, p->acct.id))
      continue;
    bool live = sb->key != NULL;
    srv_subs_remove(&c->s->subs, sb);
    snprintf(sb->account, sizeof sb->account, "%s", p->acct.id);
    if (live)
      srv_subs_add(&c->s->subs, sb);
  }
}

int srv_conn_frame(const conn *c, mc_buf *out, bool *binary) {
  const out_msg *first = c->qhead;
  out->len = 0;
  if (first == NULL)
    return 0;
  int n = 0;
  size_t total = 0;
  for (const out_msg *o = first; o && o->binary == first->binary && (n == 0 || total + o->len < FRAME_BATCH_BYTES);
       o = o->next) {
    total += o->len + 1;
    n++;
  }
  *binary = first->binary;
  mc_buf_reserve(out, LWS_PRE + total + 8);
  unsigned char *p = out->data + LWS_PRE;
  size_t at = 0;
  if (n == 1) {
    memcpy(p, first->buf + LWS_PRE, first->len);
    out->len = LWS_PRE + first->len;
    return 1;
  }
  if (first->binary) {
    if (n < 16) {
      p[at++] = (unsigned char)(0x90 | n);
    } else {
      p[at++] = 0xdc;
      p[at++] = (unsigned char)(n >> 8);
      p[at++] = (unsigned char)n;
    }
  } else {
    p[at++] = '[';
  }
  const out_msg *o = first;
  for (int i = 0; i < n; i++, o = o->next) {
    if (!first->binary && i)
      p[at++] = ',';
    memcpy(p + at, o->buf + LWS_PRE, o->len);
    at += o->len;
  }
  if (!first->binary)
    p[at++] = ']';
  out->len = LWS_PRE + at;
  return n;
}

void srv_conn_pop(conn *c, int n) {
  for (int i = 0; i < n && c->qhead; i++) {
    out_msg *o = c->qhead;
    c->qhead = o->next;
    c->qlen--;
    free(o);
  }
  if (c->qhead == NULL)
    c->qtail = &c->qhead;
}

static int write_frame(conn *c, unsigned char *p, size_t len, bool binary) {
  int n = lws_write(c->wsi, p, len, binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
  if (n < (int)len) {
    mc_log(MC_LOG_INFO, "ws", "connection %llu from %s: a write failed (%d of %zu bytes): closed",
           (unsigned long long)c->id, c->addr, n, len);
    return -1;
  }
  return 0;
}

/* Messages waiting for one client go out together (conns.h): a write per
 * message costs several system calls. */
int srv_conn_writeable(conn *c, void (*room)(conn *c)) {
  bool wrote = c->qhead != NULL;
  for (int round = 0; round < 4 && c->qhead && !lws_send_pipe_choked(c->wsi); round++) {
    int n;
    bool binary;
    if (c->qhead->next == NULL || c->qhead->next->binary != c->qhead->binary) {
      /* One message: written from where it waits, no copy. */
      if (write_frame(c, c->qhead->buf + LWS_PRE, c->qhead->len, c->qhead->binary))
        return -1;
      srv_conn_pop(c, 1);
      continue;
    }
    mc_buf frame = MC_BUF_INIT;
    n = srv_conn_frame(c, &frame, &binary);
    int rc = write_frame(c, frame.data + LWS_PRE, frame.len - LWS_PRE, binary);
    mc_buf_free(&frame);
    if (rc)
      return -1;
    srv_conn_pop(c, n);
  }
  if (room && c->qlen < c->s->cfg.max_queued / 2)
    room(c);
  if (c->qhead) {
    want_write(c);
    return 0;
  }
  if (c->closing) {
    if (wrote) { /* the close frame goes in a callback of its own, after the last message */
      want_write(c);
      return 0;
    }
    lws_close_reason(c->wsi, (enum lws_close_status)c->close_status, (unsigned char *)c->close_reason,
                     strlen(c->close_reason));
    return -1;
  }
  return 0;
}

int srv_conn_count_from(srv *s, const char *addr) {
  int n = 0;
  for (conn *c = s->conns; c; c = c->next)
    n += !strcmp(c->addr, addr);
  return n;
}

bool srv_client_addr(srv *s, struct lws *wsi, char *out, size_t size) {
  char peer[API_ADDR_MAX] = "", forwarded[512] = "", xff[512] = "";
  lws_get_peer_simple(wsi, peer, sizeof peer);
  if (s->cfg.trusted_proxies[0] && srv_proxy_trusted(s->cfg.trusted_proxies, peer)) {
    if (lws_hdr_custom_copy(wsi, forwarded, sizeof forwarded, "forwarded:", 10) < 0)
      forwarded[0] = '\0';
    if (lws_hdr_copy(wsi, xff, sizeof xff, WSI_TOKEN_X_FORWARDED_FOR) < 0)
      xff[0] = '\0';
  }
  return srv_proxy_client_addr(s->cfg.trusted_proxies, peer, forwarded, xff, out, size);
}
