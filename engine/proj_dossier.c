/* proj_dossier.c — the snapshot projection (ENG_PROJ_DOSSIER): each
 * dossier's snapshot, computed from the previous one and the event
 * (snapshot.c), and its readers: a dossier as a view, a dossier event as a
 * subscriber sees it, an agency's open dossiers. */
#include "engine/engine-int.h"
#include "base/text.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The snapshot projection: the previous snapshot and the event give the
 * next one (engine/snapshot.c). */
int eng__apply_dossier(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_dossier_event(ev))
    return 0;
  /* stream "dossier/<code>" */
  if (ev->stream.len <= 8)
    return MC_EPARSE;
  const char *code = ev->stream.ptr + 8;
  size_t code_len = ev->stream.len - 8;
  const msgpack_object *root = eng__event_root(ev);
  if (root == NULL)
    return MC_EPARSE;
  eng_snap prev, next;
  const void *v;
  size_t vlen;
  bool has_prev = false;
  int rc = 0;
  if (ev->version > 1) {
    if ((rc = store_proj_get(tx, code, code_len, &v, &vlen)) != 0)
      return rc == MC_ENOENT ? MC_ECORRUPT : rc;
    if ((rc = eng__snap_of_value(v, vlen, &prev)) != 0)
      return rc;
    has_prev = true;
  }
  if ((rc = eng__snap_apply(ev, root, has_prev ? &prev : NULL, &next)) != 0)
    return rc;
  mc_buf val = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &val);
  eng__snap_encode(&next, &w);
  if ((rc = mc_canon_finish(&w)) == 0)
    rc = store_proj_put(tx, code, code_len, val.data, val.len);
  mc_buf_free(&val);
  return rc;
}

void eng__view_of_snap(const eng_snap *s, eng_dossier_view *out, char *applicant, size_t asize) {
  memset(out, 0, sizeof *out);
  mc_text_copy(out->code, sizeof out->code, s->code);
  mc_text_copy(out->procedure, sizeof out->procedure, s->procedure);
  mc_text_copy(out->agency, sizeof out->agency, s->agency);
  mc_text_copy(out->state, sizeof out->state, s->state);
  mc_text_copy(out->outcome, sizeof out->outcome, s->outcome);
  mc_text_copy(out->classification, sizeof out->classification, s->classification);
  out->version = s->version;
  out->submitted_at = s->submitted_at;
  out->accepted_at = s->accepted_at;
  out->appointment_at = s->appointment_at;
  out->decided_at = s->decided_at;
  out->finished_at = s->finished_at;
  out->paused_since = s->paused_since;
  out->supplement_used = s->supplement_used;
  out->supplement_late = s->supplement_late;
  out->extended = s->extended;
  mc_text_copy(out->handler, sizeof out->handler, s->handler);
  out->nco_handlers = s->nco_handlers;
  for (int i = 0; i < s->nco_handlers; i++)
    mc_text_copy(out->co_handlers[i], sizeof out->co_handlers[i], s->co_handlers[i]);
  out->rating = s->rating;
  out->fee_paid = s->fee_paid;
  out->refunded = s->refunded;
  for (int i = 0; i < s->nsteps && i < 8; i++)
    mc_text_copy(out->steps[out->nsteps++], sizeof out->steps[0], s->steps[i]);
  if (applicant)
    mc_text_copy(applicant, asize, s->applicant);
}

static int dossier_read(eng_engine *e, const char *code, eng_dossier_view *out, char *applicant, size_t asize) {
  store_read *rd;
  const void *v;
  size_t vlen;
  int rc;
  eng_dossier_view scratch;
  eng_snap s;
  if (out == NULL)
    out = &scratch;
  memset(out, 0, sizeof *out);
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  rc = store_read_proj(rd, ENG_PROJ_DOSSIER, code, strlen(code), &v, &vlen);
  if (rc == 0 && (rc = eng__snap_of_bytes(v, vlen, &s)) == 0)
    eng__view_of_snap(&s, out, applicant, asize);
  store_read_end(rd);
  return rc;
}

int eng_dossier_get(eng_engine *e, const char *code, eng_dossier_view *out) {
  return dossier_read(e, code, out, NULL, 0);
}

int eng_dossier_applicant(eng_engine *e, const char *code, char *out, size_t size) {
  return dossier_read(e, code, NULL, out, size);
}

int eng_event_view_of(eng_engine *e, const store_event *ev, eng_event_view *out) {
  return eng_event_view_in(e, NULL, ev, out);
}

int eng_event_view_in(eng_engine *e, store_read *in, const store_event *ev, eng_event_view *out) {
  memset(out, 0, sizeof *out);
  if (!eng__is_dossier_event(ev) || ev->stream.len <= 8)
    return MC_ENOENT;
  msgpack_unpacked u;
  size_t off = 0;
  eng_snap s;
  store_read *rd = in;
  msgpack_unpacked_init(&u);
  int rc = msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) == MSGPACK_UNPACK_SUCCESS ? 0
                                                                                                        : MC_EPARSE;
  /* Format 1 carries the snapshot; format 2 reads it where it stands. */
  if (rc == 0 && eng__get(&u.data, "after"))
    rc = eng__snap_apply(ev, &u.data, NULL, &s);
  else if (rc == 0 && (rd || (rc = store_read_begin(e->st, &rd)) == 0))
    rc = eng__snap_at(rd, ev->stream.ptr + 8, ev->stream.len - 8, ev->version, &s);
  if (rd != in)
    store_read_end(rd);
  if (rc == 0) {
    eng__view_of_snap(&s, &out->dossier, out->applicant, sizeof out->applicant);
    const msgpack_object *what = eng__get(&u.data, "what");
    eng__str_copy(eng__get(what, "action"), out->action, sizeof out->action);
    eng__str_copy(eng__get(what, "step"), out->step, sizeof out->step);
    eng__str_copy(eng__get(what, "from"), out->from_agency, sizeof out->from_agency);
    const msgpack_object *reason = eng__get(what, "reason");
    out->has_reason = reason && reason->type == MSGPACK_OBJECT_STR && reason->via.str.size > 0;
    snprintf(out->type, sizeof out->type, "%.*s", (int)ev->type.len, ev->type.ptr);
    out->seq = ev->seq;
    out->time = ev->time;
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

int eng__collect_open(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  eng__open_of *o = opaque;
  eng_snap s;
  if (eng__snap_of_bytes(val, vlen, &s) != 0 || s.ntokens == 0 || strcmp(s.agency, o->agency))
    return 0;
  if (o->n++ == 0)
    snprintf(o->first, sizeof o->first, "%.*s", (int)(klen < 63 ? klen : 63), (const char *)key);
  if (o->codes) {
    mc_buf_append(o->codes, key, klen);
    mc_buf_append(o->codes, "", 1);
  }
  return 0;
}

int eng_agency_open_dossiers(eng_engine *e, const char *agency, int *count, char *first, size_t size) {
  store_read *rd;
  int rc;
  *count = 0;
  if ((rc = store_read_begin(e->st, &rd)) != 0)
    return rc;
  eng__open_of o = {agency, NULL, 0, ""};
  rc = store_read_proj_scan(rd, ENG_PROJ_DOSSIER, "", 0, eng__collect_open, &o);
  store_read_end(rd);
  *count = o.n;
  if (first)
    snprintf(first, size, "%s", o.first);
  return rc < 0 ? rc : 0;
}
