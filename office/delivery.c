/* delivery.c — see delivery.h.  E-mail through libcurl's SMTP (STARTTLS and
 * AUTH when configured), text messages as a JSON POST through libcurl. */
#include "office/delivery.h"

#include "base/bytes.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/log.h"

#include <curl/curl.h>
#include <jansson.h>
#include <msgpack.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A message taken out of the outbox, with its own copies of the texts. */
typedef struct pending {
  eng_message m;
  char *subject, *body, *sms, *email, *phone, *error;
} pending;

typedef struct pending_list {
  pending *items;
  int n, cap;
  int want;                   /* messages to take in this pass */
  store *st;                  /* the attempts (aux) */
  mc_instant now;
  int waiting;                /* messages waiting out their backoff: not taken */
} pending_list;

static void attempts_of(store *st, const eng_message *m, uint32_t *attempts, int64_t *next_at);

static char *dup_text(const char *s) {
  return strdup(s ? s : "");
}

static int take_one(void *opaque, const eng_message *m) {
  pending_list *l = opaque;
  uint32_t attempts;
  int64_t next_at;
  attempts_of(l->st, m, &attempts, &next_at);
  if (next_at > l->now) {
    l->waiting++; /* not in the way of the messages behind it */
    return 0;
  }
  if (l->n == l->want)
    return 1;
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 32;
    pending *grown = realloc(l->items, (size_t)cap * sizeof *grown);
    if (grown == NULL)
      return MC_ENOMEM;
    l->items = grown;
    l->cap = cap;
  }
  pending *p = &l->items[l->n++];
  p->m = *m;
  p->subject = dup_text(m->subject), p->body = dup_text(m->body), p->sms = dup_text(m->sms);
  p->email = dup_text(m->email), p->phone = dup_text(m->phone), p->error = dup_text(m->error);
  return p->subject && p->body && p->sms && p->email && p->phone && p->error ? 0 : MC_ENOMEM;
}

static void free_list(pending_list *l) {
  for (int i = 0; i < l->n; i++) {
    pending *p = &l->items[i];
    free(p->subject), free(p->body), free(p->sms), free(p->email), free(p->phone), free(p->error);
  }
  free(l->items);
}

/* ------------------------------------------------------------ the attempts (aux) */

#define ATTEMPTS_DB "delivery"

static void attempt_key(const eng_message *m, uint8_t k[9]) {
  mc_be64_put(k, m->seq);
  k[8] = (uint8_t)m->index;
}

/* How many times it was tried, and not before when to try again. */
static void attempts_of(store *st, const eng_message *m, uint32_t *attempts, int64_t *next_at) {
  uint8_t k[9];
  mc_buf v = MC_BUF_INIT;
  *attempts = 0, *next_at = 0;
  attempt_key(m, k);
  if (store_aux_get(st, ATTEMPTS_DB, k, sizeof k, &v) == 0 && v.len == 12) {
    *attempts = mc_be32_get(v.data);
    *next_at = (int64_t)mc_be64_get(v.data + 4);
  }
  mc_buf_free(&v);
}

static void attempts_put(store *st, const eng_message *m, uint32_t attempts, int64_t next_at) {
  uint8_t k[9], v[12];
  attempt_key(m, k);
  for (int i = 0; i < 4; i++)
    v[i] = (uint8_t)(attempts >> (24 - 8 * i));
  mc_be64_put(v + 4, (uint64_t)next_at);
  if (store_aux_put(st, ATTEMPTS_DB, k, sizeof k, v, sizeof v) != 0)
    mc_log(MC_LOG_WARN, "delivery", "cannot keep the attempts of message %llu/%d",
           (unsigned long long)m->seq, m->index);
}

static void attempts_forget(store *st, const eng_message *m) {
  uint8_t k[9];
  attempt_key(m, k);
  store_aux_del(st, ATTEMPTS_DB, k, sizeof k);
}

/* ------------------------------------------------------------ e-mail */

typedef enum { SENT, TRANSIENT, PERMANENT } outcome;

typedef struct payload {
  const mc_buf *text;
  size_t at;
} payload;

static size_t read_payload(char *out, size_t size, size_t n, void *opaque) {
  payload *p = opaque;
  size_t left = p->text->len - p->at, want = size * n;
  if (want > left)
    want = left;
  memcpy(out, p->text->data + p->at, want);
  p->at += want;
  return want;
}

/* Base64 of `len` bytes, in lines of 76 (RFC 2045) when `wrap`. */
static int base64(mc_buf *out, const void *bytes, size_t len, bool wrap) {
  size_t max = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
  char *b64 = malloc(max);
  if (b64 == NULL)
    return MC_ENOMEM;
  sodium_bin2base64(b64, max, bytes, len, sodium_base64_VARIANT_ORIGINAL);
  size_t n = strlen(b64);
  int rc = 0;
  if (!wrap)
    rc = mc_buf_append(out, b64, n);
  for (size_t i = 0; wrap && i < n && rc == 0; i += 76) {
    rc = mc_buf_append(out, b64 + i, n - i < 76 ? n - i : 76);
    rc |= mc_buf_append_str(out, "\r\n");
  }
  free(b64);
  return rc;
}

/* The whole message, headers and body, as RFC 5322 with MIME (UTF-8
 * subject as an encoded word, the body in base64). */
static int compose(const delivery_config *cfg, const pending *p, mc_instant now, mc_buf *out) {
  char date[64], id[96];
  time_t secs = (time_t)(now / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  const char *domain = strchr(cfg->mail_from, '@');
  snprintf(id, sizeof id, "<%llu.%d.motcua@%.60s>", (unsigned long long)p->m.seq, p->m.index,
           domain ? domain + 1 : "motcua.invalid");
  int rc = mc_buf_append_str(out, "Date: ");
  rc |= mc_buf_append_str(out, date);
  rc |= mc_buf_append_str(out, "\r\nFrom: ");
  rc |= mc_buf_append_str(out, cfg->mail_from);
  rc |= mc_buf_append_str(out, "\r\nTo: ");
  rc |= mc_buf_append_str(out, p->email);
  rc |= mc_buf_append_str(out, "\r\nMessage-ID: ");
  rc |= mc_buf_append_str(out, id);
  /* RFC 2047: encoded words of at most 75 characters (45 bytes of text,
   * 39 on the first line, cut between UTF-8 characters), folded onto lines
   * of their own, none over 78 characters. */
  rc |= mc_buf_append_str(out, "\r\nSubject:");
  size_t len = strlen(p->subject);
  for (size_t at = 0; at < len && rc == 0;) {
    size_t most = at ? 45 : 39, n = len - at < most ? len - at : most; /* the first shares "Subject: " */
    while (n > 1 && at + n < len && ((unsigned char)p->subject[at + n] & 0xc0) == 0x80)
      n--; /* not inside a character */
    rc |= mc_buf_append_str(out, at ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
    rc |= base64(out, p->subject + at, n, false);
    rc |= mc_buf_append_str(out, "?=");
    at += n;
  }
  rc |= mc_buf_append_str(out, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n");
  rc |= base64(out, p->body, strlen(p->body), true);
  return rc ? MC_ENOMEM : 0;
}

/* An address that cannot break a header or the SMTP dialogue (the form
 * checks it; this guards what older versions let in). */
static bool plain_address(const char *a) {
  size_t n = strlen(a);
  for (size_t i = 0; i < n; i++)
    if (a[i] < 0x21 || a[i] > 0x7e || strchr("<>()[],;:\"\\", a[i]))
      return false;
  return n > 0 && n <= 254 && strchr(a, '@');
}

static outcome send_mail(const delivery_config *cfg, const pending *p, mc_instant now, char *why, size_t size) {
  mc_buf text = MC_BUF_INIT;
  char from[320], to[320], errbuf[CURL_ERROR_SIZE] = "";
  if (!plain_address(p->email)) {
    snprintf(why, size, "e-mail: \"%.60s\" is not an address that can be written in a mail", p->email);
    return PERMANENT;
  }
  if (compose(cfg, p, now, &text) != 0) {
    snprintf(why, size, "out of memory");
    mc_buf_free(&text);
    return TRANSIENT;
  }
  snprintf(from, sizeof from, "<%s>", cfg->mail_from);
  snprintf(to, sizeof to, "<%s>", p->email);
  CURL *c = curl_easy_init();
  struct curl_slist *rcpt = curl_slist_append(NULL, to);
  payload body = {&text, 0};
  outcome o = TRANSIENT;
  if (c && rcpt) {
    long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_payload);
    curl_easy_setopt(c, CURLOPT_READDATA, &body);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (cfg->smtp_starttls)
      curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (cfg->smtp_ca)
      curl_easy_setopt(c, CURLOPT_CAINFO, cfg->smtp_ca);
    if (cfg->smtp_user && cfg->smtp_password) {
      curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
      curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    CURLcode r = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (r == CURLE_OK) {
      o = SENT;
    } else {
      /* Only the recipient refused (550 at RCPT: no such mailbox) is for good;
       * a refused sender, AUTH or connection is the configuration or an
       * outage, and passes once it is mended. */
      o = code >= 500 && code < 600 && strstr(errbuf, "RCPT") ? PERMANENT : TRANSIENT;
      if (code)
        snprintf(why, size, "e-mail to %s: %s, the server answered %ld", p->email, curl_easy_strerror(r), code);
      else
        snprintf(why, size, "e-mail to %s: %s", p->email, curl_easy_strerror(r));
    }
  } else {
    snprintf(why, size, "out of memory");
  }
  curl_slist_free_all(rcpt);
  if (c)
    curl_easy_cleanup(c);
  mc_buf_free(&text);
  return o;
}

/* ------------------------------------------------------------ text messages */

static size_t discard(char *data, size_t size, size_t n, void *opaque) {
  (void)data, (void)opaque;
  return size * n;
}

static outcome send_sms(const delivery_config *cfg, const pending *p, char *why, size_t size) {
  char id[48];
  snprintf(id, sizeof id, "%llu.%d", (unsigned long long)p->m.seq, p->m.index);
  json_t *j = json_pack("{s:s, s:s, s:s}", "id", id, "to", p->phone, "text", p->sms);
  char *json = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  CURL *c = curl_easy_init();
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
  char auth[512];
  outcome o = TRANSIENT;
  if (cfg->sms_token && headers) {
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->sms_token);
    headers = curl_slist_append(headers, auth);
  }
  if (c && json && headers) {
    long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
    curl_easy_setopt(c, CURLOPT_URL, cfg->sms_url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode r = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (r == CURLE_OK && code >= 200 && code < 300) {
      o = SENT;
    } else {
      /* The gateway refuses this message (400, 404, 410, 422); an unauthorised,
       * throttled or failing gateway passes later. */
      o = r == CURLE_OK && (code == 400 || code == 404 || code == 410 || code == 422) ? PERMANENT : TRANSIENT;
      if (r == CURLE_OK)
        snprintf(why, size, "text message to %s: the gateway answered %ld", p->phone, code);
      else
        snprintf(why, size, "text message to %s: %s", p->phone, curl_easy_strerror(r));
    }
  } else {
    snprintf(why, size, "out of memory");
  }
  curl_slist_free_all(headers);
  free(json);
  if (c)
    curl_easy_cleanup(c);
  return o;
}

/* ------------------------------------------------------------ a pass */

/* The outcomes of a pass, recorded together: one durable write for the
 * batch (a worker killed before it sends the batch again, with the same
 * Message-IDs). */
typedef struct outcomes {
  eng_command *cmds;
  char (*ids)[64];
  char (*whys)[512];
  int n;
} outcomes;

static void add_outcome(outcomes *o, const pending *p, bool sent, const char *why) {
  int i = o->n++;
  snprintf(o->ids[i], sizeof o->ids[i], "delivery/%llu/%d", (unsigned long long)p->m.seq, p->m.index);
  snprintf(o->whys[i], sizeof o->whys[i], "%s", why);
  o->cmds[i] = (eng_command){.kind = ENG_CMD_DELIVERED, .command_id = o->ids[i],
                             .actor = {"delivery", "system", NULL, "motcua-delivery"},
                             .expected_version = STORE_ANY_VERSION,
                             .delivered = {.seq = p->m.seq, .index = p->m.index,
                                           .outcome = sent ? "sent" : "failed", .reason = o->whys[i]}};
}

static int record_all(eng_engine *e, const delivery_config *cfg, outcomes *o, mc_instant now) {
  if (o->n == 0)
    return 0;
  eng_result *r = calloc((size_t)o->n, sizeof *r);
  if (r == NULL)
    return MC_ENOMEM;
  int rc = cfg->execute ? cfg->execute(cfg->execute_opaque, o->cmds, o->n, r) : eng_execute(e, o->cmds, o->n, now, r);
  for (int i = 0; rc == 0 && i < o->n; i++)
    if (r[i].status != 0 && r[i].status != MC_ENOENT)
      mc_log(MC_LOG_WARN, "delivery", "the outcome of %llu/%d was not recorded: %s",
             (unsigned long long)o->cmds[i].delivered.seq, o->cmds[i].delivered.index, r[i].message);
  free(r);
  return rc;
}

/* ------------------------------------------------------------ announcements */

typedef struct audience {
  char (*emails)[256];
  char (*phones)[32];
  int nemails, nphones, cap;
} audience;

static int add_contact(void *opaque, const char *code, const char *email, const char *phone) {
  audience *a = opaque;
  (void)code;
  if (a->nemails == a->cap || a->nphones == a->cap) {
    int cap = a->cap ? a->cap * 2 : 64;
    void *e = realloc(a->emails, (size_t)cap * sizeof *a->emails), *p = e ? realloc(a->phones, (size_t)cap * sizeof *a->phones) : NULL;
    if (e)
      a->emails = e;
    if (p == NULL)
      return MC_ENOMEM;
    a->phones = p;
    a->cap = cap;
  }
  /* One message per address, however many dossiers it has open. */
  bool seen = false;
  for (int i = 0; email[0] && i < a->nemails && !seen; i++)
    seen = !strcmp(a->emails[i], email);
  if (email[0] && !seen)
    snprintf(a->emails[a->nemails++], sizeof a->emails[0], "%s", email);
  seen = false;
  for (int i = 0; phone[0] && i < a->nphones && !seen; i++)
    seen = !strcmp(a->phones[i], phone);
  if (phone[0] && !seen)
    snprintf(a->phones[a->nphones++], sizeof a->phones[0], "%s", phone);
  return 0;
}

/* Sends an announcement to every address of the open dossiers in scope;
 * the outcome summarises (one recipient's failure does not hold the rest). */
static outcome announce(eng_engine *e, const delivery_config *cfg, const pending *p, mc_instant now, char *why,
                        size_t size) {
  audience a = {0};
  const char *agency = p->m.to[8] == ':' ? p->m.to + 9 : NULL;
  int rc = eng_open_contacts(e, agency, add_contact, &a);
  int mails = 0, texts = 0, failures = 0;
  char last[256] = "";
  pending one = *p;
  for (int i = 0; rc == 0 && cfg->smtp_url && cfg->mail_from && i < a.nemails; i++) {
    one.email = a.emails[i];
    if (send_mail(cfg, &one, now, last, sizeof last) == SENT)
      mails++;
    else
      failures++;
  }
  one.email = (char *)"";
  for (int i = 0; rc == 0 && cfg->sms_url && p->sms[0] && i < a.nphones; i++) {
    one.phone = a.phones[i];
    if (send_sms(cfg, &one, last, sizeof last) == SENT)
      texts++;
    else
      failures++;
  }
  free(a.emails);
  free(a.phones);
  if (rc) {
    snprintf(why, size, "the addresses cannot be read: %s", mc_strerror(rc));
    return TRANSIENT;
  }
  snprintf(why, size, "%d e-mail%s, %d text message%s sent; %d failed%s%s", mails, mails == 1 ? "" : "s", texts,
           texts == 1 ? "" : "s", failures, failures ? ", the last: " : "", failures ? last : "");
  return mails + texts > 0 || failures == 0 ? SENT : TRANSIENT; /* nobody reached: an outage, try again */
}

/* Sends one message on every channel it has an address for. */
static outcome deliver_one(const delivery_config *cfg, const pending *p, mc_instant now, char *why, size_t size) {
  bool mail = cfg->smtp_url && cfg->mail_from && p->email[0];
  bool sms = cfg->sms_url && p->phone[0] && p->sms[0];
  if (p->error[0]) {
    snprintf(why, size, "%s", p->error);
    return PERMANENT;
  }
  if (!mail && !sms) {
    snprintf(why, size, "no address to send it to: the dossier gives no e-mail or phone%s",
             cfg->smtp_url || cfg->sms_url ? "" : " (and no mail server or gateway is configured)");
    return PERMANENT;
  }
  outcome a = mail ? send_mail(cfg, p, now, why, size) : PERMANENT;
  char why_sms[256] = "";
  outcome b = sms ? send_sms(cfg, p, why_sms, sizeof why_sms) : PERMANENT;
  if (a == SENT || b == SENT)
    return SENT; /* told by one channel is told */
  if (!mail)
    snprintf(why, size, "%s", why_sms);
  else if (sms)
    snprintf(why + strlen(why), size - strlen(why), "; %s", why_sms);
  return a == TRANSIENT || b == TRANSIENT ? TRANSIENT : PERMANENT;
}

/* ------------------------------------------------------------ one-time codes and account notices (aux) */

#define CODE_LIFETIME_MS (15 * 60 * 1000)

static char *text_of(const msgpack_object *map, const char *key) {
  size_t n = strlen(key);
  for (uint32_t i = 0; map->type == MSGPACK_OBJECT_MAP && i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key, *v = &map->via.map.ptr[i].val;
    if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && !memcmp(k->via.str.ptr, key, n) &&
        v->type == MSGPACK_OBJECT_STR) {
      /* not strndup: the text is not NUL-terminated and may end the buffer */
      char *t = malloc(v->via.str.size + 1);
      if (t) {
        memcpy(t, v->via.str.ptr, v->via.str.size);
        t[v->via.str.size] = '\0';
      }
      return t;
    }
  }
  return strdup("");
}

/* Sends the messages of the aux outbox (codes: never in the legal record,
 * never logged); a code not sent within its lifetime is dropped. */
static void deliver_codes(eng_engine *e, const delivery_config *cfg, mc_instant now, delivery_stats *st) {
  mc_buf after = MC_BUF_INIT, key = MC_BUF_INIT, val = MC_BUF_INIT;
  store *s = eng_store(e);
  for (int n = 0; n < (cfg->batch > 0 ? cfg->batch : 100); n++) {
    mc_buf_reset(&key), mc_buf_reset(&val);
    if (store_aux_next(s, ENG_AUX_CODES, after.data, after.len, &key, &val) != 0 || key.len != 16)
      break;
    mc_buf_reset(&after);
    mc_buf_append(&after, key.data, key.len);
    uint64_t t = mc_be64_get(key.data);
    msgpack_unpacked u;
    size_t off = 0;
    pending p;
    memset(&p, 0, sizeof p);
    msgpack_unpacked_init(&u);
    bool ok = msgpack_unpack_next(&u, (const char *)val.data, val.len, &off) == MSGPACK_UNPACK_SUCCESS;
    if (ok) {
      p.subject = text_of(&u.data, "subject"), p.body = text_of(&u.data, "body"), p.sms = text_of(&u.data, "sms");
      p.email = text_of(&u.data, "email"), p.phone = text_of(&u.data, "phone"), p.error = text_of(&u.data, "error");
      p.m.seq = t, p.m.index = 255; /* its Message-ID: <TIME.255@motcua> */
      ok = p.subject && p.body && p.sms && p.email && p.phone && p.error;
    }
    msgpack_unpacked_destroy(&u);
    char why[512] = "";
    outcome o = PERMANENT;
    if (!ok)
      snprintf(why, sizeof why, "an unreadable entry");
    else if (now - (int64_t)t > CODE_LIFETIME_MS)
      snprintf(why, sizeof why, "not sent within %d minutes, no longer valid", CODE_LIFETIME_MS / 60000);
    else
      o = deliver_one(cfg, &p, now, why, sizeof why);
    if (o == SENT)
      st->sent++;
    else if (o == PERMANENT)
      st->failed++, mc_log(MC_LOG_WARN, "delivery", "a one-time code or account notice was dropped: %s", why);
    else
      st->retried++;
    if (o != TRANSIENT)
      store_aux_del(s, ENG_AUX_CODES, key.data, key.len);
    free(p.subject), free(p.body), free(p.sms), free(p.email), free(p.phone), free(p.error);
  }
  mc_buf_free(&after), mc_buf_free(&key), mc_buf_free(&val);
}

int delivery_run(eng_engine *e, const delivery_config *cfg, mc_instant now, delivery_stats *stats) {
  pending_list l = {.want = cfg->batch > 0 ? cfg->batch : 100, .st = eng_store(e), .now = now};
  delivery_stats st = {0};
  int max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 10;
  int64_t backoff = cfg->first_backoff_ms > 0 ? cfg->first_backoff_ms : 30000;
  deliver_codes(e, cfg, now, &st); /* first: a code is useful for minutes only */
  int rc = eng_outbox_pending(e, 0, 0, take_one, &l);
  st.skipped += l.waiting;
  outcomes done = {calloc((size_t)l.n + 1, sizeof *done.cmds), calloc((size_t)l.n + 1, sizeof *done.ids),
                   calloc((size_t)l.n + 1, sizeof *done.whys), 0};
  if (rc == 0 && (done.cmds == NULL || done.ids == NULL || done.whys == NULL))
    rc = MC_ENOMEM;
  for (int i = 0; rc == 0 && i < l.n; i++) {
    pending *p = &l.items[i];
    uint32_t attempts;
    int64_t next_at;
    attempts_of(eng_store(e), &p->m, &attempts, &next_at);
    /* A channel this worker is not given waits for one that is. */
    bool can_mail = cfg->smtp_url && cfg->mail_from, can_sms = cfg->sms_url != NULL;
    bool broadcast = !strncmp(p->m.to, "affected", 8);
    if (!broadcast && !p->error[0] && !(can_mail && p->email[0]) && !(can_sms && p->phone[0] && p->sms[0]) &&
        (p->email[0] || (p->phone[0] && p->sms[0]))) {
      st.skipped++;
      continue;
    }
    if (broadcast && !can_mail && !can_sms) {
      st.skipped++;
      continue;
    }
    char why[512] = "";
    outcome o = broadcast ? announce(e, cfg, p, now, why, sizeof why) : deliver_one(cfg, p, now, why, sizeof why);
    if (o == TRANSIENT && (int)attempts + 1 < max_attempts) {
      int64_t wait = backoff << (attempts < 20 ? attempts : 20);
      attempts_put(eng_store(e), &p->m, attempts + 1, now + wait);
      mc_log(MC_LOG_INFO, "delivery", "%llu/%d (%s) not sent, attempt %u: %s", (unsigned long long)p->m.seq,
             p->m.index, p->m.template_name, attempts + 1, why);
      st.retried++;
      continue;
    }
    if (o == TRANSIENT)
      snprintf(why + strlen(why), sizeof why - strlen(why), " (after %d attempts)", max_attempts);
    add_outcome(&done, p, o == SENT, why);
    if (o == SENT)
      st.sent++;
    else
      st.failed++;
  }
  if (rc == 0 && (rc = record_all(e, cfg, &done, now)) == 0)
    for (int i = 0; i < done.n; i++) {
      eng_message m = {.seq = done.cmds[i].delivered.seq, .index = done.cmds[i].delivered.index};
      attempts_forget(eng_store(e), &m);
    }
  free(done.cmds), free(done.ids), free(done.whys);
  free_list(&l);
  if (stats)
    *stats = st;
  return rc;
}
