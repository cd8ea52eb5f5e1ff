/* proj_outbox.c — the transactional outbox (ENG_PROJ_OUTBOX): which
 * messages wait; reading them back from their events (rendered for format 2),
 * and the auditor's view of an event and its messages. */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The transactional outbox: every message an event causes is pending from
 * the write that appends the event until a `notification.delivered` event
 * records its outcome (sent, or failed for good). */
static size_t outbox_key(uint8_t k[9], uint64_t seq, unsigned index) {
  mc_be64_put(k, seq);
  k[8] = (uint8_t)index;
  return 9;
}

int eng__apply_outbox(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  bool delivered = eng__is_type(ev, ENG_EV_NOTIFICATION_DELIVERED), announced = eng__is_type(ev, ENG_EV_ANNOUNCEMENT_MADE);
  if (!delivered && !announced && !eng__is_dossier_event(ev))
    return 0;
  uint8_t key[9];
  const msgpack_object *root = eng__event_root(ev);
  if (root == NULL)
    return MC_EPARSE;
  int rc = 0;
  if (delivered) {
    const msgpack_object *seq = eng__get(root, "seq"), *index = eng__get(root, "index");
    rc = seq && index ? store_proj_del(tx, key, outbox_key(key, (uint64_t)eng__int(seq), (unsigned)eng__int(index)))
                      : MC_EPARSE;
  }
  const msgpack_object *notify = eng__get(root, "notify");
  if (rc == 0 && notify && notify->type != MSGPACK_OBJECT_ARRAY)
    rc = MC_EPARSE;
  /* Which messages wait: their texts, or what renders them, are in the
   * event (eng_outbox_pending reads them there). */
  for (uint32_t i = 0; rc == 0 && notify && i < notify->via.array.size; i++) {
    const msgpack_object *m = &notify->via.array.ptr[i];
    if (m->type != MSGPACK_OBJECT_MAP || (eng__get(m, "template") == NULL && eng__get(m, "hash") == NULL) ||
        eng__get(m, "to") == NULL || i > 255)
      rc = MC_EPARSE;
    else
      rc = store_proj_put(tx, key, outbox_key(key, ev->seq, i), "", 0);
  }
  return rc;
}

typedef struct outbox_ctx {
  eng_message_fn fn;
  void *opaque;
  int left;                   /* -1: no limit */
  store_read *rd;
} outbox_ctx;

/* One waiting message, read from the event that caused it: the texts it
 * recorded (format 1, announcements, alerts), or rendered from its
 * template's hash and the event's facts (a dossier event of format 2). */
static int message_of_event(store_read *rd, uint64_t seq, int index, eng_message *m, mc_buf texts[6]) {
  store_event ev;
  int rc = store_read_event(rd, seq, &ev);
  if (rc)
    return rc;
  bool dossier = eng_event_is_dossier(eng__event_type(&ev));
  if (dossier && ev.stream.len - 8 < sizeof m->dossier) {
    memcpy(m->dossier, ev.stream.ptr + 8, ev.stream.len - 8);
    m->dossier[ev.stream.len - 8] = '\0';
  }
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  rc = msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS ? 0 : MC_ECORRUPT;
  const msgpack_object *notify = rc == 0 ? eng__get(&u.data, "notify") : NULL;
  const msgpack_object *note = notify && notify->type == MSGPACK_OBJECT_ARRAY && (uint32_t)index < notify->via.array.size
                                   ? &notify->via.array.ptr[index] : NULL;
  if (note == NULL)
    rc = MC_ECORRUPT;
  if (rc == 0 && !dossier)
    rc = eng__str_copy(eng__get(&u.data, "dossier"), m->dossier, sizeof m->dossier);
  if (rc == 0)
    rc = eng__str_copy(eng__get(note, "to"), m->to, sizeof m->to);
  /* subject, body, sms, email, phone, error */
  static const char *const keys[] = {"subject", "body", "sms", "email", "phone", "error"};
  if (rc == 0 && eng__get(note, "body") == NULL) {
    char error[256];
    rc = eng__message_render(rd, &ev, &u.data, note, texts, m->template_name, sizeof m->template_name, error,
                             sizeof error);
    mc_buf_append_str(&texts[5], error);
  } else if (rc == 0) {
    rc = eng__str_copy(eng__get(note, "template"), m->template_name, sizeof m->template_name);
    for (int i = 0; i < 6 && rc == 0; i++) {
      const msgpack_object *t = eng__get(note, keys[i]);
      if (t && t->type == MSGPACK_OBJECT_STR)
        mc_buf_append(&texts[i], t->via.str.ptr, t->via.str.size);
    }
  }
  msgpack_unpacked_destroy(&u);
  const char **slots[] = {&m->subject, &m->body, &m->sms, &m->email, &m->phone, &m->error};
  for (int i = 0; i < 6; i++)
    *slots[i] = mc_buf_cstr(&texts[i]) ? mc_buf_cstr(&texts[i]) : "";
  return rc;
}

static int outbox_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  outbox_ctx *c = opaque;
  (void)val, (void)vlen;
  if (klen != 9 || c->left == 0)
    return 1;
  const uint8_t *k = key;
  eng_message m;
  memset(&m, 0, sizeof m);
  m.seq = mc_be64_get(k);
  m.index = k[8];
  mc_buf texts[6];
  for (int i = 0; i < 6; i++)
    texts[i] = (mc_buf)MC_BUF_INIT;
  int rc = message_of_event(c->rd, m.seq, m.index, &m, texts);
  if (rc == 0) {
    if (c->left > 0)
      c->left--;
    rc = c->fn(c->opaque, &m);
  } else {
    /* One entry that cannot be read must not hold up every other message. */
    mc_log(MC_LOG_ERROR, "engine", "outbox message %llu/%d cannot be read (%s): skipped", (unsigned long long)m.seq,
           m.index, mc_strerror(rc));
    rc = 0;
  }
  for (int i = 0; i < 6; i++)
    mc_buf_free(&texts[i]);
  return rc;
}

int eng_outbox_pending(eng_engine *e, uint64_t from_seq, int max, eng_message_fn fn, void *opaque) {
  uint8_t from[9];
  outbox_ctx c = {fn, opaque, max > 0 ? max : -1, NULL};
  store_read *rd;
  int rc = store_read_begin(e->st, &rd);
  if (rc == 0) {
    c.rd = rd;
    rc = store_read_proj_scan(rd, ENG_PROJ_OUTBOX, from, outbox_key(from, from_seq, 0), outbox_one, &c);
    store_read_end(rd);
  }
  return rc;
}

int eng_audit_event(eng_engine *e, uint64_t seq, mc_buf *snapshot, eng_message_fn fn, void *opaque) {
  store_read *rd;
  store_event ev;
  int rc = store_read_begin(e->st, &rd);
  if (rc)
    return rc;
  mc_buf_reset(snapshot);
  int nnotes = 0;
  if ((rc = store_read_event(rd, seq, &ev)) == 0) {
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
      const msgpack_object *notify = eng__get(&u.data, "notify");
      nnotes = notify && notify->type == MSGPACK_OBJECT_ARRAY ? (int)notify->via.array.size : 0;
    }
    msgpack_unpacked_destroy(&u);
    if (eng__is_dossier_event(&ev)) {
      eng_snap s;
      mc_canon w;
      if ((rc = eng__snap_at(rd, ev.stream.ptr + 8, ev.stream.len - 8, ev.version, &s)) == 0) {
        mc_canon_init(&w, snapshot);
        eng__snap_map(&s, &w);
        rc = mc_canon_finish(&w);
      }
    }
  }
  for (int i = 0; rc == 0 && fn && i < nnotes; i++) {
    eng_message m;
    mc_buf texts[6];
    memset(&m, 0, sizeof m);
    m.seq = seq;
    m.index = i;
    for (int k = 0; k < 6; k++)
      texts[k] = (mc_buf)MC_BUF_INIT;
    rc = message_of_event(rd, seq, i, &m, texts);
    if (rc == 0)
      rc = fn(opaque, &m);
    for (int k = 0; k < 6; k++)
      mc_buf_free(&texts[k]);
  }
  store_read_end(rd);
  return rc < 0 ? rc : 0;
}
