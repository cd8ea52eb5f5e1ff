/* cmd_outbox.c — the commands of messages: delivered (a message leaves
 * the outbox, a failure alerts the agency), announce (an incident to
 * everyone affected), send_code (a one-time code, outside the log). */
#include "engine/decide.h"

#include "base/error.h"

#include <sodium.h>

#include <stdio.h>
#include <string.h>

/* The outcome of a message: it leaves the outbox; a message that failed
 * for good alerts the agency (NĐ118 Art. 17.2: nobody is left uninformed),
 * except an alert about an alert. */
int dec_do_delivered(decide *d) {
  const eng_command *c = d->cmd;
  const eng_delivered_args *arg = &c->delivered;
  uint8_t key[9];
  const void *v;
  size_t vlen, off = 0;
  if (c->actor.role == NULL || strcmp(c->actor.role, "system"))
    return refuse(d, MC_EACCES, DELIVERY_BY_WORKER);
  if (arg->outcome == NULL || (strcmp(arg->outcome, "sent") && strcmp(arg->outcome, "failed")))
    return refuse(d, MC_EINVAL, DELIVERY_OUTCOME);
  if (!strcmp(arg->outcome, "failed") && (arg->reason == NULL || arg->reason[0] == '\0'))
    return refuse(d, MC_EINVAL, DELIVERY_WHY);
  if (arg->index < 0 || arg->index >= ENG_MAX_NOTES)
    return refuse(d, MC_EINVAL, DELIVERY_INDEX, arg->index, ENG_MAX_NOTES);
  mc_be64_put(key, arg->seq);
  key[8] = (uint8_t)arg->index;
  int rc = store_cmd_proj_get(d->b, ENG_PROJ_OUTBOX, key, sizeof key, &v, &vlen);
  if (rc == MC_ENOENT)
    return refuse(d, MC_ENOENT, DELIVERY_NOT_WAITING,
                  (unsigned long long)arg->seq, arg->index);
  if (rc)
    return refuse(d, rc, OUTBOX_UNREADABLE);
  /* The message, in the event that caused it: which dossier, which template. */
  store_event ev;
  msgpack_unpacked u;
  char dossier[64] = "", template_name[48] = "";
  msgpack_unpacked_init(&u);
  if ((rc = store_cmd_event(d->b, arg->seq, &ev)) == 0) {
    const msgpack_object *notify = NULL;
    if (msgpack_unpack_next(&u, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS)
      notify = eng__get(&u.data, "notify");
    const msgpack_object *note = notify && notify->type == MSGPACK_OBJECT_ARRAY &&
                                         (uint32_t)arg->index < notify->via.array.size
                                     ? &notify->via.array.ptr[arg->index] : NULL;
    const msgpack_object *hash = eng__get(note, "hash");
    eng_def *tmpl;
    /* A published template is named by its hash (format 2), else by name. */
    if (note == NULL || eng__str_copy(eng__get(note, "template"), template_name, sizeof template_name))
      rc = MC_ECORRUPT;
    else if (template_name[0] == '\0' &&
             (hash == NULL || hash->type != MSGPACK_OBJECT_BIN || hash->via.bin.size != 32 ||
              eng__def_load(d->e, d->b, (const uint8_t *)hash->via.bin.ptr, ENG_DEF_TEMPLATE, &tmpl) ||
              eng__template_name(tmpl->tmpl, template_name, sizeof template_name)))
      rc = MC_ECORRUPT;
    else if (eng_event_is_dossier(eng__event_type(&ev)))
      snprintf(dossier, sizeof dossier, "%.*s", (int)(ev.stream.len - 8), ev.stream.ptr + 8);
    else if (eng__str_copy(eng__get(&u.data, "dossier"), dossier, sizeof dossier))
      rc = MC_ECORRUPT;
  }
  msgpack_unpacked_destroy(&u);
  if (rc)
    return refuse(d, rc, OUTBOX_UNREADABLE);
  bool alert = !strcmp(arg->outcome, "failed") && strcmp(template_name, "delivery_failed");
  /* The alert names the dossier: its facts, when it can be read. */
  eng_snap snap;
  uint64_t version;
  msgpack_unpacked form;
  memset(&snap, 0, sizeof snap);
  snprintf(snap.code, sizeof snap.code, "%s", dossier);
  msgpack_unpacked_init(&form);
  eng_result scratch = *d->res;
  decide quiet = *d; /* a dossier that cannot be read leaves the alert plainer, not refused */
  quiet.res = &scratch;
  if (alert && dossier[0] && dec_load_snap(&quiet, dossier, &snap, &version) == 0 && dec_load_defs(&quiet, &snap) == 0)
    dec_load_form(&quiet, dossier, &form);
  eng_facts facts = {.s = &snap, .m = quiet.m, .form = quiet.form, .reason = arg->reason,
                     .offset_min = quiet.cal ? eng_calendar_offset_min(quiet.cal) : MC_VN_OFFSET_MIN};
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, alert ? 7 : 6);
  mc_canon_kv_str(&w, "dossier", dossier);
  mc_canon_kv_int(&w, "index", arg->index);
  if (alert) {
    mc_canon_key(&w, "notify");
    mc_canon_array(&w, 1);
    rc = eng__message_write(d->e, d->b, d->now, &facts, "official", "delivery_failed", &w);
  }
  msgpack_unpacked_destroy(&form);
  if (rc) {
    mc_buf_free(&data);
    return refuse(d, rc, ALERT_UNWRITABLE);
  }
  mc_canon_kv_str(&w, "outcome", arg->outcome);
  mc_canon_kv_str(&w, "reason", arg->reason ? arg->reason : "");
  mc_canon_kv_int(&w, "seq", (int64_t)arg->seq);
  mc_canon_kv_str(&w, "template", template_name);
  return dec_append_other(d, "outbox", eng_event_name(ENG_EV_NOTIFICATION_DELIVERED), &w, &data);
}

/* An incident announced to everyone affected (BN Art. 14): the applicants
 * of open dossiers, of one agency or of all.  One message of the outbox,
 * to "affected" (or "affected:AGENCY"), which the delivery worker sends to
 * each address. */
int dec_do_announce(decide *d) {
  const eng_command *c = d->cmd;
  const eng_announce_args *arg = &c->announce;
  const char *role = c->actor.role ? c->actor.role : "";
  bool province = !strcmp(role, "system_admin");
  bool own = !strcmp(role, "agency_admin") && arg->agency && c->actor.agency && !strcmp(arg->agency, c->actor.agency);
  if (!province && !own)
    return refuse(d, MC_EACCES, ANNOUNCE_FORBIDDEN);
  if (arg->message == NULL || arg->message[0] == '\0')
    return refuse(d, MC_EINVAL, ANNOUNCE_TEXT);
  if (arg->agency) {
    char calendar[32];
    decide quiet = *d;
    eng_result scratch;
    quiet.res = &scratch;
    if (strlen(arg->agency) > 20 || dec_check_directory(&quiet, arg->agency, "", calendar, sizeof calendar) == MC_ENOENT)
      return refuse(d, MC_ENOENT, ANNOUNCE_AGENCY_UNKNOWN, arg->agency);
  }
  eng_snap none;
  memset(&none, 0, sizeof none);
  snprintf(none.agency, sizeof none.agency, "%s", arg->agency ? arg->agency : "");
  char to[48];
  snprintf(to, sizeof to, "affected%s%s", arg->agency ? ":" : "", arg->agency ? arg->agency : "");
  eng_facts facts = {.s = &none, .message = arg->message, .offset_min = MC_VN_OFFSET_MIN};
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, 3);
  mc_canon_kv_str(&w, "agency", arg->agency ? arg->agency : "");
  mc_canon_kv_str(&w, "message", arg->message);
  mc_canon_key(&w, "notify");
  mc_canon_array(&w, 1);
  int rc = eng__message_write(d->e, d->b, d->now, &facts, to, "incident", &w);
  if (rc) {
    mc_buf_free(&data);
    return refuse(d, rc, ANNOUNCEMENT_UNWRITABLE);
  }
  return dec_append_other(d, "announcements", eng_event_name(ENG_EV_ANNOUNCEMENT_MADE), &w, &data);
}

/* A message about an account: one carrying a one-time code (an account's
 * verification, a password reset), or a notice without one (a registration
 * of an id that has an account).  Written out like any other, but kept in
 * the aux outbox, outside the legal record (ARCHITECTURE.md "What is not in
 * the legal record"), and appending nothing. */
int dec_do_send_code(decide *d) {
  const eng_command *c = d->cmd;
  const eng_send_code_args *arg = &c->send_code;
  if (c->actor.role == NULL || strcmp(c->actor.role, "system"))
    return refuse(d, MC_EACCES, CODE_BY_SERVER);
  if (arg->template_name == NULL || arg->template_name[0] == '\0')
    return refuse(d, MC_EINVAL, CODE_INCOMPLETE);
  if ((arg->email == NULL || arg->email[0] == '\0') && (arg->phone == NULL || arg->phone[0] == '\0'))
    return refuse(d, MC_EINVAL, CODE_ADDRESS);
  eng_snap none;
  memset(&none, 0, sizeof none);
  eng_facts facts = {.s = &none, .code = arg->code, .email = arg->email ? arg->email : "",
                     .phone = arg->phone ? arg->phone : "", .offset_min = MC_VN_OFFSET_MIN};
  mc_buf msg = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &msg);
  int rc = eng__message_write(d->e, d->b, d->now, &facts, "applicant", arg->template_name, &w);
  if (rc == 0)
    rc = mc_canon_finish(&w);
  uint8_t key[16];
  mc_be64_put(key, (uint64_t)d->now);
  randombytes_buf(key + 8, 8);
  if (rc == 0)
    rc = store_aux_put(eng_store(d->e), ENG_AUX_CODES, key, sizeof key, msg.data, msg.len);
  mc_buf_free(&msg);
  return rc ? refuse(d, rc, CODE_UNQUEUED, mc_strerror(rc)) : 0;
}
