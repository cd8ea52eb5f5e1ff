/* proj_timers.c — the durable timer index (ENG_PROJ_TIMERS): each step's
 * warning and limit and the appointment's own timers, keyed by when they are
 * due (the key: engine/timers.h); timers.c fires them. */
#include "engine/engine-int.h"
#include "engine/proj.h"
#include "engine/timers.h"

#include "base/error.h"

#include <string.h>

/* Whether the packed key list (1 byte length, key)... holds `key`. */
static bool list_has(const uint8_t *list, size_t len, const uint8_t *key, size_t klen) {
  for (size_t at = 0; at < len; at += 1 + (size_t)list[at])
    if (list[at] == klen && at + 1 + klen <= len && memcmp(list + at + 1, key, klen) == 0)
      return true;
  return false;
}

int eng__apply_timers(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_dossier_event(ev))
    return 0;
  uint8_t dkey[128], key[128];
  size_t code_len = ev->stream.len - 8;
  if (code_len + 2 > sizeof dkey - 16)
    return MC_EPARSE;
  dkey[0] = 'd', dkey[1] = '/';
  memcpy(dkey + 2, ev->stream.ptr + 8, code_len);
  eng_snap s;
  int rc = eng__snap_of_event(tx, ev, &s);
  if (rc)
    return rc;
  /* The timers of the new snapshot: its steps' warnings and limits, and
   * the appointment's own while the dossier is undecided and its legal
   * clock runs (a pause moves the appointment). */
  mc_buf list = MC_BUF_INIT, old = MC_BUF_INIT;
  for (int i = 0; i < s.ntokens; i++) {
    const eng_token *t = &s.tokens[i];
    if (t->warn) {
      size_t n = eng__timer_key(key, t->warn, s.code, t->node, 'w');
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
    if (t->due) {
      size_t n = eng__timer_key(key, t->due, s.code, t->node, 'd');
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
  }
  bool counting = s.ntokens > 0 && s.decided_at == 0 && s.paused_since == 0;
  const struct { int64_t due; char kind; } own[] = {{s.deadline_warn, 'n'}, {s.deadline_due, 'a'}};
  for (int i = 0; i < 2 && counting; i++)
    if (own[i].due) {
      size_t n = eng__timer_key(key, own[i].due, s.code, ENG_DEADLINE_NODE, own[i].kind);
      mc_buf_append_byte(&list, (uint8_t)n), mc_buf_append(&list, key, n);
    }
  /* Only what changed is written: most events leave most timers alone. */
  const void *prev;
  size_t prev_len = 0;
  if (store_proj_get(tx, dkey, code_len + 2, &prev, &prev_len) == 0)
    mc_buf_append(&old, prev, prev_len);
  for (size_t at = 0; rc == 0 && at < old.len; at += 1 + (size_t)old.data[at])
    if (!list_has(list.data, list.len, old.data + at + 1, old.data[at]))
      rc = store_proj_del(tx, old.data + at + 1, old.data[at]);
  for (size_t at = 0; rc == 0 && at < list.len; at += 1 + (size_t)list.data[at])
    if (!list_has(old.data, old.len, list.data + at + 1, list.data[at]))
      rc = store_proj_put(tx, list.data + at + 1, list.data[at], "", 0);
  if (rc == 0 && (list.len != old.len || (list.len && memcmp(list.data, old.data, list.len))))
    rc = list.len ? store_proj_put(tx, dkey, code_len + 2, list.data, list.len)
                  : store_proj_del(tx, dkey, code_len + 2);
  mc_buf_free(&list);
  mc_buf_free(&old);
  return rc;
}
