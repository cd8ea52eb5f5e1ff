/* proj_contacts.c — the addresses of open dossiers' applicants
 * (ENG_PROJ_CONTACTS), for announcements, and their reader. */
#include "engine/engine-int.h"
#include "engine/proj.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The addresses of open dossiers' applicants, for announcements: put when
 * a dossier is filed with one, under its agency again when it is
 * transferred, dropped when it ends. */
int eng__apply_contacts(void *opaque, store_proj_txn *tx, const store_event *ev) {
  (void)opaque;
  if (!eng__is_dossier_event(ev) || ev->stream.len <= 8)
    return 0;
  const char *code = ev->stream.ptr + 8;
  size_t code_len = ev->stream.len - 8;
  bool submitted = eng__is_type(ev, ENG_EV_DOSSIER_SUBMITTED);
  bool transferred = eng__is_type(ev, ENG_EV_DOSSIER_TRANSFERRED);
  const void *old;
  size_t old_len;
  if (!submitted && store_proj_get(tx, code, code_len, &old, &old_len) != 0)
    return 0; /* no address kept for it: nothing to drop */
  eng_snap s;
  int rc = MC_EPARSE;
  const msgpack_object *root = eng__event_root(ev);
  if (root && eng__snap_of_event(tx, ev, &s) == 0) {
    const msgpack_object *contact = eng__get(root, "contact");
    msgpack_unpacked kept;
    size_t off = 0;
    msgpack_unpacked_init(&kept);
    /* A transfer: the addresses kept, under the new agency (announce --agency). */
    if (transferred && msgpack_unpack_next(&kept, (const char *)old, old_len, &off) == MSGPACK_UNPACK_SUCCESS)
      contact = &kept.data;
    if (s.ntokens == 0) {
      rc = submitted ? 0 : store_proj_del(tx, code, code_len);
    } else if ((submitted || transferred) && contact) {
      const msgpack_object *email = eng__get(contact, "email"), *phone = eng__get(contact, "phone");
      mc_buf val = MC_BUF_INIT;
      mc_canon w;
      mc_canon_init(&w, &val);
      mc_canon_map(&w, 3);
      mc_canon_kv_str(&w, "agency", s.agency);
      mc_canon_key(&w, "email");
      mc_canon_str(&w, email && email->type == MSGPACK_OBJECT_STR ? email->via.str.ptr : "",
                   email && email->type == MSGPACK_OBJECT_STR ? email->via.str.size : 0);
      mc_canon_key(&w, "phone");
      mc_canon_str(&w, phone && phone->type == MSGPACK_OBJECT_STR ? phone->via.str.ptr : "",
                   phone && phone->type == MSGPACK_OBJECT_STR ? phone->via.str.size : 0);
      if ((rc = mc_canon_finish(&w)) == 0)
        rc = store_proj_put(tx, code, code_len, val.data, val.len);
      mc_buf_free(&val);
    } else {
      rc = 0;
    }
    msgpack_unpacked_destroy(&kept);
  }
  return rc;
}

typedef struct contacts_ctx {
  const char *agency;
  eng_contact_fn fn;
  void *opaque;
} contacts_ctx;

static int contact_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  contacts_ctx *c = opaque;
  char code[64], agency[32], email[256], phone[32];
  msgpack_unpacked u;
  size_t off = 0;
  if (klen >= sizeof code)
    return MC_ECORRUPT;
  memcpy(code, key, klen);
  code[klen] = '\0';
  msgpack_unpacked_init(&u);
  int rc = msgpack_unpack_next(&u, val, vlen, &off) == MSGPACK_UNPACK_SUCCESS ? 0 : MC_ECORRUPT;
  if (rc == 0)
    rc = eng__str_copy(eng__get(&u.data, "agency"), agency, sizeof agency) |
         eng__str_copy(eng__get(&u.data, "email"), email, sizeof email) |
         eng__str_copy(eng__get(&u.data, "phone"), phone, sizeof phone);
  msgpack_unpacked_destroy(&u);
  if (rc)
    return MC_ECORRUPT;
  if (c->agency && strcmp(c->agency, agency))
    return 0;
  return c->fn(c->opaque, code, email, phone);
}

int eng_open_contacts(eng_engine *e, const char *agency, eng_contact_fn fn, void *opaque) {
  contacts_ctx c = {agency, fn, opaque};
  store_read *rd;
  int rc = store_read_begin(e->st, &rd);
  if (rc == 0) {
    rc = store_read_proj_scan(rd, ENG_PROJ_CONTACTS, "", 0, contact_one, &c);
    store_read_end(rd);
  }
  return rc;
}
