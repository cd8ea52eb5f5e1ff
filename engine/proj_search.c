/* proj_search.c — finding dossiers (ENG_PROJ_SEARCH): by code, by the
 * applicant's name (each word, folded: with or without diacritics), identity
 * number and phone, and by the day it was received; and the reader
 * (docs/ENGINE.md, "Search").
 *
 * Keys:
 *   "k/" code -> the dossier's summary (a canonical map: agency, applicant,
 *               appointment_at, channel, classification, code, decided_at,
 *               extended, finished_at, folded, name, procedure, state,
 *               submitted_at, supplement_used: what a register lists)
 * and, each -> "" (the summary is read under "k/"):
 *   "w/" word 0 code               each word of the applicant's name, folded
 *   "i/" id number 0 code          the applicant block's id_number
 *   "p/" phone 0 code              the applicant's phone (block, else the form's)
 *   "r/" submitted(8 BE) code      when it was received
 *   "c/" code -> [name 0 id 0 phone] and the keys above (proj.c, eng__keys_*)
 * The applicant's details come from the filing event and are kept in "c/".
 */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"
#include "base/hash.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct who {
  char name[128], id[24], phone[24];
} who;

/* The applicant's name, id and phone as the filing event gives them. */
static void who_of_filing(const store_event *ev, who *w) {
  const msgpack_object *root = eng__event_root(ev);
  const msgpack_object *block = root ? eng__get(root, "applicant") : NULL;
  if (block && block->type == MSGPACK_OBJECT_MAP) {
    eng__str_copy(eng__get(block, "name"), w->name, sizeof w->name);
    eng__str_copy(eng__get(block, "id_number"), w->id, sizeof w->id);
    eng__str_copy(eng__get(block, "phone"), w->phone, sizeof w->phone);
  }
  const msgpack_object *contact = root ? eng__get(root, "contact") : NULL;
  if (w->phone[0] == '\0' && contact)
    eng__str_copy(eng__get(contact, "phone"), w->phone, sizeof w->phone);
}

static int summary(mc_buf *out, const eng_snap *s, const who *w, const char *folded) {
  mc_canon c;
  mc_buf_reset(out);
  mc_canon_init(&c, out);
  mc_canon_map(&c, 15);
  mc_canon_kv_str(&c, "agency", s->agency);
  mc_canon_kv_str(&c, "applicant", s->applicant);
  mc_canon_kv_int(&c, "appointment_at", s->appointment_at);
  mc_canon_kv_str(&c, "channel", s->channel);
  mc_canon_kv_str(&c, "classification", s->classification);
  mc_canon_kv_str(&c, "code", s->code);
  mc_canon_kv_int(&c, "decided_at", s->decided_at);
  mc_canon_kv_bool(&c, "extended", s->extended);
  mc_canon_kv_int(&c, "finished_at", s->finished_at);
  mc_canon_kv_str(&c, "folded", folded);
  mc_canon_kv_str(&c, "name", w->name);
  mc_canon_kv_str(&c, "procedure", s->procedure);
  mc_canon_kv_str(&c, "state", s->state);
  mc_canon_kv_int(&c, "submitted_at", s->submitted_at);
  mc_canon_kv_bool(&c, "supplement_used", s->supplement_used);
  return mc_canon_finish(&c);
}

static void key_of(mc_buf *k, const char *kind, const char *value, size_t vlen, const char *code) {
  mc_buf_reset(k);
  mc_buf_append_str(k, kind);
  mc_buf_append(k, value, vlen);
  if (code) {
    mc_buf_append_byte(k, 0);
    mc_buf_append_str(k, code);
  }
}

int eng__apply_search(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_dossier_event(ev))
    return 0;
  eng_snap s;
  int rc = eng__snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  mc_buf ckey = MC_BUF_INIT, header = MC_BUF_INIT, keys = MC_BUF_INIT, k = MC_BUF_INIT, val = MC_BUF_INIT,
         folded = MC_BUF_INIT;
  who w;
  memset(&w, 0, sizeof w);
  key_of(&ckey, "c/", s.code, strlen(s.code), NULL);
  if ((rc = eng__keys_drop(tx, &ckey, &header)) == 0 && header.len) {
    /* name 0 id 0 phone */
    const char *h = (const char *)header.data, *end = h + header.len;
    const char *z1 = memchr(h, 0, header.len), *z2 = z1 ? memchr(z1 + 1, 0, (size_t)(end - z1 - 1)) : NULL;
    if (z1 && z2) {
      snprintf(w.name, sizeof w.name, "%.*s", (int)(z1 - h), h);
      snprintf(w.id, sizeof w.id, "%.*s", (int)(z2 - z1 - 1), z1 + 1);
      snprintf(w.phone, sizeof w.phone, "%.*s", (int)(end - z2 - 1), z2 + 1);
    }
  } else if (rc == 0) {
    who_of_filing(ev, &w);
  }
  if (rc == 0)
    rc = mc_text_fold(w.name, &folded);
  if (rc == 0)
    rc = summary(&val, &s, &w, mc_buf_cstr(&folded) ? mc_buf_cstr(&folded) : "");
  char head[180];
  int hl = snprintf(head, sizeof head, "%s%c%s%c%s", w.name, 0, w.id, 0, w.phone);
  eng__keys_start(&keys, head, hl > 0 ? (size_t)hl : 0);
  /* The keys: the code; each word of the name; the id and the phone; the day received. */
  /* The summary is under the code; the other keys lead to it (an empty value). */
#define PUT()                                             \
  do {                                                    \
    if (rc == 0)                                          \
      rc = store_proj_put(tx, k.data, k.len, "", 0);      \
    eng__keys_add(&keys, &k);                             \
  } while (0)
  key_of(&k, "k/", s.code, strlen(s.code), NULL);
  if (rc == 0)
    rc = store_proj_put(tx, k.data, k.len, val.data, val.len);
  eng__keys_add(&keys, &k);
  const char *f = mc_buf_cstr(&folded) ? mc_buf_cstr(&folded) : "";
  while (*f && rc == 0) {
    size_t n = strcspn(f, " ");
    bool again = false; /* a name may repeat a word ("Nguyễn Thị Thị") */
    for (const char *g = mc_buf_cstr(&folded); g < f && !again; g += strcspn(g, " "), g += *g == ' ')
      again = strcspn(g, " ") == n && !memcmp(g, f, n);
    if (!again && n < 64) {
      key_of(&k, "w/", f, n, s.code);
      PUT();
    }
    f += n;
    f += *f == ' ';
  }
  if (w.id[0]) {
    key_of(&k, "i/", w.id, strlen(w.id), s.code);
    PUT();
  }
  if (w.phone[0]) {
    key_of(&k, "p/", w.phone, strlen(w.phone), s.code);
    PUT();
  }
  uint8_t be[8];
  mc_be64_put(be, (uint64_t)s.submitted_at);
  mc_buf_reset(&k);
  mc_buf_append_str(&k, "r/");
  mc_buf_append(&k, be, 8);
  mc_buf_append_str(&k, s.code);
  PUT();
#undef PUT
  if (rc == 0)
    rc = store_proj_put(tx, ckey.data, ckey.len, keys.data, keys.len);
  mc_buf_free(&ckey);
  mc_buf_free(&header);
  mc_buf_free(&keys);
  mc_buf_free(&k);
  mc_buf_free(&val);
  mc_buf_free(&folded);
  return rc;
}

/* ------------------------------------------------------------ reading */

static void hit_decode(const void *v, size_t vlen, eng_search_hit *h, char *folded, size_t fsize) {
  msgpack_unpacked u;
  size_t off = 0;
  memset(h, 0, sizeof *h);
  folded[0] = '\0';
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, v, vlen, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *m = &u.data;
    eng__str_copy(eng__get(m, "agency"), h->agency, sizeof h->agency);
    eng__str_copy(eng__get(m, "applicant"), h->applicant, sizeof h->applicant);
    eng__str_copy(eng__get(m, "code"), h->code, sizeof h->code);
    eng__str_copy(eng__get(m, "name"), h->name, sizeof h->name);
    eng__str_copy(eng__get(m, "procedure"), h->procedure, sizeof h->procedure);
    eng__str_copy(eng__get(m, "state"), h->state, sizeof h->state);
    eng__str_copy(eng__get(m, "folded"), folded, fsize);
    h->submitted_at = eng__int(eng__get(m, "submitted_at"));
    h->decided_at = eng__int(eng__get(m, "decided_at"));
    h->appointment_at = eng__int(eng__get(m, "appointment_at"));
    h->finished_at = eng__int(eng__get(m, "finished_at"));
    eng__str_copy(eng__get(m, "channel"), h->channel, sizeof h->channel);
    eng__str_copy(eng__get(m, "classification"), h->classification, sizeof h->classification);
    const msgpack_object *x = eng__get(m, "extended"), *y = eng__get(m, "supplement_used");
    h->extended = x && x->type == MSGPACK_OBJECT_BOOLEAN && x->via.boolean;
    h->supplement_used = y && y->type == MSGPACK_OBJECT_BOOLEAN && y->via.boolean;
  }
  msgpack_unpacked_destroy(&u);
}

/* Does every word of `q` start a word of `text` (both folded)? */
static bool words_in(const char *text, const char *q) {
  for (const char *w = q; *w;) {
    size_t n = strcspn(w, " ");
    bool found = false;
    for (const char *t = text; *t && !found; t += strcspn(t, " "), t += *t == ' ')
      found = strncmp(t, w, n) == 0;
    if (!found)
      return false;
    w += n;
    w += *w == ' ';
  }
  return true;
}

typedef struct search_ctx {
  store_read *rd;
  const eng_search_query *q;
  const char *folded_q;
  mc_buf prefix;
  const mc_buf *cursor;
  int max, n, examined;
  eng_search_fn fn;
  void *opaque;
  int rc;
  size_t cursor_from;         /* where a cursor's key starts being the client's */
} search_ctx;

static int search_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  search_ctx *c = opaque;
  if (klen < c->prefix.len || memcmp(key, c->prefix.data, c->prefix.len) != 0)
    return 1;
  if (c->cursor && klen == c->cursor->len && memcmp(key, c->cursor->data, klen) == 0)
    return 0;
  const eng_search_query *q = c->q;
  eng_search_hit h;
  char folded[256];
  if (vlen == 0) {
    /* A key that leads to the summary: the code ends it ("r/": after the instant, else after a NUL). */
    const char *k = key, *code = klen > 10 && k[0] == 'r' ? k + 10 : memchr(k, 0, klen);
    if (code == NULL)
      return 0;
    code += k[0] != 'r';
    char sk[80];
    int n = snprintf(sk, sizeof sk, "k/%.*s", (int)(klen - (size_t)(code - k)), code);
    if (n <= 2 || (size_t)n >= sizeof sk || store_read_proj(c->rd, ENG_PROJ_SEARCH, sk, (size_t)n, &val, &vlen) != 0)
      return 0;
  }
  hit_decode(val, vlen, &h, folded, sizeof folded);
  c->examined++;
  if ((q->code && q->code[0] && strcmp(q->code, h.code)) || (q->procedure && q->procedure[0] && strcmp(q->procedure, h.procedure)) ||
      (q->state && q->state[0] && strcmp(q->state, h.state)) || (c->folded_q[0] && !words_in(folded, c->folded_q)) ||
      (q->received_from && h.submitted_at < q->received_from) || (q->received_to && h.submitted_at > q->received_to) ||
      (q->decided_from && (h.decided_at == 0 || h.decided_at < q->decided_from)) ||
      (q->decided_to && (h.decided_at == 0 || h.decided_at > q->decided_to)))
    return c->examined > ENG_SEARCH_MAX_EXAMINED ? 1 : 0;
  mc_hex(key, 2 * klen + 1 <= sizeof h.cursor ? klen : (sizeof h.cursor - 1) / 2, h.cursor);
  int take = c->fn(c->opaque, &h); /* 1: the searcher may read it; 0: not; <0: an error */
  if (take < 0) {
    c->rc = take;
    return 1;
  }
  c->n += take;
  return c->n >= c->max || c->examined > ENG_SEARCH_MAX_EXAMINED ? 1 : 0;
}

/* Counting a prefix's entries, up to WORD_PROBE. */
#define WORD_PROBE 48
typedef struct count_ctx {
  const uint8_t *prefix;
  size_t len;
  int n;
} count_ctx;

static int count_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  count_ctx *k = opaque;
  (void)val, (void)vlen;
  if (klen < k->len || memcmp(key, k->prefix, k->len) != 0)
    return 1;
  return ++k->n >= WORD_PROBE ? 1 : 0;
}

int eng_search(eng_engine *e, const eng_search_query *q, const char *cursor, int max, eng_search_fn fn,
               void *opaque) {
  search_ctx c = {.q = q, .max = max > 0 ? max : 20, .fn = fn, .opaque = opaque};
  mc_buf folded = MC_BUF_INIT, from = MC_BUF_INIT;
  int rc = mc_text_fold(q->name ? q->name : "", &folded);
  if (rc)
    return MC_EINVAL;
  c.folded_q = mc_buf_cstr(&folded) ? mc_buf_cstr(&folded) : "";
  /* The most telling key: the code, the id, the phone, a word of the name
   * (the longest), else the day received (all, or from `received_from`). */
  c.prefix = (mc_buf)MC_BUF_INIT;
  if (q->code && q->code[0]) {
    key_of(&c.prefix, "k/", q->code, strlen(q->code), NULL);
  } else if (q->id_number && q->id_number[0]) {
    key_of(&c.prefix, "i/", q->id_number, strlen(q->id_number), "");
  } else if (q->phone && q->phone[0]) {
    key_of(&c.prefix, "p/", q->phone, strlen(q->phone), "");
  } else if (c.folded_q[0]) {
    /* A word of the query is the start of a word of the name: its prefix.
     * The rarest word's, counted up to WORD_PROBE entries each (a rare given
     * name beside a common family name reads the given name's); among words
     * more common than that, the longest. */
    const char *best = c.folded_q;
    size_t bestn = strcspn(best, " ");
    int fewest = INT32_MAX;
    store_read *probe;
    /* Going on from a page: the word that page read (its cursor's key starts with it). */
    bool chosen = false;
    if (cursor && !strncmp(cursor, "772f", 4)) { /* "w/" */
      uint8_t k[128];
      size_t n = strlen(cursor) / 2;
      if (strlen(cursor) % 2 == 0 && n <= sizeof k && mc_unhex(cursor, k, n) == 0)
        for (const char *w = c.folded_q; *w && !chosen; w += strcspn(w, " "), w += *w == ' ')
          if (n >= 2 + strcspn(w, " ") && !memcmp(k + 2, w, strcspn(w, " ")))
            chosen = true, best = w, bestn = strcspn(w, " ");
    }
    if (!chosen && (rc = store_read_begin(e->st, &probe)) == 0) {
      for (const char *w = c.folded_q; *w; w += strcspn(w, " "), w += *w == ' ') {
        mc_buf p = MC_BUF_INIT;
        key_of(&p, "w/", w, strcspn(w, " "), NULL);
        count_ctx k = {p.data, p.len, 0};
        store_read_proj_scan(probe, ENG_PROJ_SEARCH, p.data, p.len, count_one, &k);
        mc_buf_free(&p);
        /* Fewer entries wins; among words past the probe, the longest. */
        if (k.n < fewest || (k.n == fewest && strcspn(w, " ") > bestn))
          fewest = k.n, best = w, bestn = strcspn(w, " ");
      }
      store_read_end(probe);
    }
    key_of(&c.prefix, "w/", best, bestn, NULL);
  } else {
    mc_buf_append_str(&c.prefix, "r/");
  }
  if (c.prefix.len == 2 && c.prefix.data[0] == 'r' && q->received_from) {
    uint8_t be[8];
    mc_be64_put(be, (uint64_t)q->received_from);
    mc_buf_append(&from, c.prefix.data, c.prefix.len);
    mc_buf_append(&from, be, 8);
  } else {
    mc_buf_append(&from, c.prefix.data, c.prefix.len);
  }
  mc_buf cur = MC_BUF_INIT;
  if (cursor && cursor[0]) {
    size_t n = strlen(cursor);
    uint8_t bytes[256];
    if (n % 2 || n / 2 > sizeof bytes || mc_unhex(cursor, bytes, n / 2) != 0)
      rc = MC_EINVAL;
    else
      mc_buf_append(&cur, bytes, n / 2);
    if (rc == 0 && (cur.len < c.prefix.len || memcmp(cur.data, c.prefix.data, c.prefix.len)))
      rc = MC_EINVAL; /* a cursor of another search */
    if (rc == 0) {
      mc_buf_reset(&from);
      mc_buf_append(&from, cur.data, cur.len);
      c.cursor = &cur;
    }
  }
  store_read *rd;
  if (rc == 0 && (rc = store_read_begin(e->st, &rd)) == 0) {
    c.rd = rd;
    rc = store_read_proj_scan(rd, ENG_PROJ_SEARCH, from.data, from.len, search_one, &c);
    store_read_end(rd);
    rc = rc < 0 ? rc : c.rc;
  }
  mc_buf_free(&c.prefix);
  mc_buf_free(&cur);
  mc_buf_free(&from);
  mc_buf_free(&folded);
  return rc;
}
