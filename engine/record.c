/* record.c — the dossier's record: appending a dossier event (record
 * format 2, with the messages it causes) and the events of other streams;
 * loading what a command decides on (the snapshot, the definitions it runs
 * under, its e-form, the directory's word on an agency).  Calls no other
 * file of the deciding side (decide.h). */
#include "engine/decide.h"

#include "base/error.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>

/* A message the event being decided causes (`notify` of the transitions
 * followed, or the engine's own: an apology for an extension, alerts). */
void dec_note(decide *d, const char *to, const char *template_name) { dec_note_at(d, to, template_name, NULL); }

void dec_note_at(decide *d, const char *to, const char *template_name, const char *agency) {
  for (int i = 0; i < d->nnotes; i++)
    if (!strcmp(d->notes[i].to, to) && !strcmp(d->notes[i].template_name, template_name) &&
        !strcmp(d->notes[i].agency ? d->notes[i].agency : "", agency ? agency : ""))
      return; /* once per event */
  if (d->nnotes < ENG_MAX_NOTES) {
    d->notes[d->nnotes].to = to, d->notes[d->nnotes].template_name = template_name;
    d->notes[d->nnotes++].agency = agency;
  } else
    mc_log(MC_LOG_WARN, "engine", "more than %d messages for one event: %s dropped", ENG_MAX_NOTES, template_name);
}

/* The dossier event an action (or command) causes: engine/events.h. */
static const char *event_type(const char *action) { return eng_event_name(eng_event_of_cause(action)); }

/* The dossier's snapshot before the event being appended (version - 1), as
 * the open command sees it; false for a new dossier. */
static int snap_before(decide *d, const char *code, uint64_t version, eng_snap *prev, bool *has) {
  const void *v;
  size_t vlen;
  *has = false;
  if (version <= 1)
    return 0;
  int rc = store_cmd_proj_get(d->b, ENG_PROJ_DOSSIER, code, strlen(code), &v, &vlen);
  if (rc == 0)
    rc = eng__snap_of_bytes(v, vlen, prev);
  *has = rc == 0;
  return rc;
}

/* A dossier event, record format 2 (docs/ENGINE.md, "What an event
 * carries"): what happened, the snapshot's fields it changed, and only the
 * values that are not already elsewhere — the form when filed, the scans
 * brought, the addresses given, each message as its template's hash and the
 * facts to render it. */
int dec_append_dossier_event(decide *d, const eng_snap *snap, uint64_t version, const what *w,
                                const uint8_t *form, size_t form_len) {
  mc_buf data = MC_BUF_INIT, notes = MC_BUF_INIT;
  /* Each event records which calendar version it used (ARCHITECTURE.md "Time"). */
  eng_snap with_calendar = *snap, prev;
  memcpy(with_calendar.calendar_version, d->cal_hash, 32);
  eng_snap *s = &with_calendar;
  s->nsteps = s->ntokens;
  for (int i = 0; i < s->ntokens; i++)
    snprintf(s->steps[i], sizeof s->steps[i], "%s", d->m->nodes[s->tokens[i].node].name);
  bool has_prev;
  int rc = snap_before(d, s->code, version, &prev, &has_prev);
  if (rc)
    return refuse(d, MC_ECORRUPT, DOSSIER_DAMAGED, s->code, mc_strerror(rc));
  mc_canon c, n;
  /* The messages first: they say which directory they read. */
  uint8_t dir_hash[32];
  bool has_dir = false;
  if (d->nnotes) {
    eng_facts facts = {.s = s, .m = d->m, .form = d->form, .applicant = d->applicant, .reason = w->reason, .step = w->step,
                       .due_at = w->due_at, .old_due = w->old_due,
                       .offset_min = d->cal ? eng_calendar_offset_min(d->cal) : 420};
    mc_canon_init(&n, &notes);
    mc_canon_array(&n, (uint32_t)d->nnotes);
    for (int i = 0; i < d->nnotes && rc == 0; i++)
      rc = eng__message_ref(d->e, d->b, d->now, &facts, d->notes[i].to, d->notes[i].template_name,
                            d->notes[i].agency, &n, dir_hash, &has_dir);
    if (rc == 0)
      rc = mc_canon_finish(&n);
    if (rc) {
      mc_buf_free(&notes);
      return refuse(d, rc, NOTES_UNWRITABLE, mc_strerror(rc));
    }
  }
  mc_canon_init(&c, &data);
  bool has_email = w->email && w->email[0], has_phone = w->phone && w->phone[0];
  /* The documents supplied or reused (the missing ones are the procedure's
   * others: eng_dossier_documents lists them). */
  uint32_t ndocs = 0;
  for (int i = 0; i < w->ndocs; i++)
    ndocs += w->docs[i].has_hash;
  bool has_applicant = w->applicant && w->applicant_len;
  bool has_secret = w->secret && w->secret[0];
  mc_canon_map(&c, 2 + has_applicant + (has_email || has_phone) + (ndocs ? 1 : 0) + (d->nnotes ? 2 : 0) +
                       (form ? 1 : 0) + has_secret);
  if (has_applicant) {
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    mc_canon_key(&c, "applicant");
    if (msgpack_unpack_next(&u, (const char *)w->applicant, w->applicant_len, &off) == MSGPACK_UNPACK_SUCCESS)
      mc_canon_object(&c, &u.data);
    else
      rc = MC_EPARSE;
    msgpack_unpacked_destroy(&u);
  }
  if (has_email || has_phone) {
    mc_canon_key(&c, "contact");
    mc_canon_map(&c, (uint32_t)has_email + has_phone);
    if (has_email)
      mc_canon_kv_str(&c, "email", w->email);
    if (has_phone)
      mc_canon_kv_str(&c, "phone", w->phone);
  }
  if (ndocs) {
    mc_canon_key(&c, "documents");
    mc_canon_array(&c, ndocs);
    for (int i = 0; i < w->ndocs; i++) {
      const doc_entry *e = &w->docs[i];
      bool reused = e->reused_from[0] != 0;
      if (!e->has_hash)
        continue;
      mc_canon_map(&c, 2 + (e->nmore > 0) + 2 * reused + (e->valid_until[0] != 0));
      mc_canon_key(&c, "hash");
      mc_canon_bin(&c, e->hash, 32);
      if (e->nmore > 0) { /* the files after the first: their hashes end to end */
        mc_canon_key(&c, "more");
        mc_canon_bin(&c, e->more, 32 * (size_t)e->nmore);
      }
      mc_canon_kv_str(&c, "name", e->name);
      if (reused) {
        mc_canon_kv_str(&c, "reused_from", e->reused_from);
        mc_canon_kv_int(&c, "supplied_at", e->supplied_at);
      }
      if (e->valid_until[0])
        mc_canon_kv_str(&c, "valid_until", e->valid_until);
    }
  }
  if (d->nnotes) {
    mc_canon_key(&c, "facts");
    mc_canon_map(&c, 1 + has_dir);
    if (has_dir) {
      mc_canon_key(&c, "directory");
      mc_canon_bin(&c, dir_hash, 32);
    }
    mc_canon_kv_int(&c, "utc_offset", d->cal ? eng_calendar_offset_min(d->cal) : 420);
  }
  if (form) {
    mc_canon_key(&c, "form");
    mc_canon_bin(&c, form, form_len);
  }
  if (d->nnotes) {
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    mc_canon_key(&c, "notify");
    if (msgpack_unpack_next(&u, (const char *)notes.data, notes.len, &off) == MSGPACK_UNPACK_SUCCESS)
      mc_canon_object(&c, &u.data);
    else
      rc = MC_EPARSE;
    msgpack_unpacked_destroy(&u);
  }
  mc_buf_free(&notes);
  if (has_secret)
    mc_canon_kv_str(&c, "secret", w->secret);
  mc_canon_key(&c, "set");
  eng__snap_delta(has_prev ? &prev : NULL, s, &c);
  mc_canon_key(&c, "what");
  int nwhat = 1 + w->breach + (w->due_at != 0) + (w->handler && w->handler[0]) + (w->new_due != 0) +
              (w->old_due != 0) + (w->rating != 0) + (w->reason && w->reason[0]) + (w->step && w->step[0]) +
              (w->from && w->from[0]) + (w->to && w->to[0]);
  mc_canon_map(&c, (uint32_t)nwhat);
  mc_canon_kv_str(&c, "action", w->action);
  if (w->breach)
    mc_canon_kv_bool(&c, "breach", true);
  if (w->due_at)
    mc_canon_kv_int(&c, "due_at", w->due_at);
  if (w->from && w->from[0])
    mc_canon_kv_str(&c, "from", w->from);
  if (w->handler && w->handler[0])
    mc_canon_kv_str(&c, "handler", w->handler);
  if (w->new_due)
    mc_canon_kv_int(&c, "new_due", w->new_due);
  if (w->old_due)
    mc_canon_kv_int(&c, "old_due", w->old_due);
  if (w->rating)
    mc_canon_kv_int(&c, "rating", w->rating);
  if (w->reason && w->reason[0])
    mc_canon_kv_str(&c, "reason", w->reason);
  if (w->step && w->step[0])
    mc_canon_kv_str(&c, "step", w->step);
  if (w->to && w->to[0])
    mc_canon_kv_str(&c, "to", w->to);
  if (rc || (rc = mc_canon_finish(&c)) != 0) {
    mc_buf_free(&data);
    return refuse(d, rc, EVENT_UNENCODABLE, mc_strerror(rc));
  }
  char stream[128];
  snprintf(stream, sizeof stream, "dossier/%.63s", s->code);
  store_event_in in = {
      .stream = stream,
      .expected_version = version - 1,
      .type = event_type(w->action),
      .time = d->event_time ? d->event_time : d->now,
      .actor = {d->cmd ? d->cmd->actor.who : "motcua", d->cmd ? d->cmd->actor.role : "system",
                d->cmd ? d->cmd->actor.client : "engine"},
      .definition_hash = s->definition,
      .data = data.data,
      .data_len = data.len,
  };
  uint64_t actual = 0, seq = 0;
  rc = store_append(d->b, &in, &seq, &actual);
  mc_buf_free(&data);
  if (rc == 0)
    eng__tap_dossier(d->e, seq, &in, s, w->action, w->step, w->reason && w->reason[0], w->from);
  if (rc == MC_ECONFLICT)
    return refuse(d, rc, DOSSIER_MOVED_ON,
                  s->code, (unsigned long long)actual, (unsigned long long)(version - 1));
  if (rc)
    return eng__refuse_store(d->res, rc, store_errmsg(d->e->st));
  d->res->version = version;
  d->res->appointment_at = s->appointment_at;
  snprintf(d->res->dossier, sizeof d->res->dossier, "%.63s", s->code);
  return 0;
}

/* Loads a dossier's snapshot (and version) inside the batch. */
int dec_load_snap(decide *d, const char *code, eng_snap *s, uint64_t *version) {
  const void *v;
  size_t vlen;
  size_t code_len = code ? strlen(code) : 0;
  if (code_len == 0 || code_len >= sizeof s->code)
    return refuse(d, MC_ENOENT, DOSSIER_CODE_MALFORMED, code ? code : "");
  int rc = store_cmd_proj_get(d->b, ENG_PROJ_DOSSIER, code, code_len, &v, &vlen);
  if (rc == MC_ENOENT)
    return refuse(d, MC_ENOENT, DOSSIER_UNKNOWN, code);
  if (rc)
    return rc;
  rc = eng__snap_of_bytes(v, vlen, s);
  *version = s->version;
  return rc ? refuse(d, MC_ECORRUPT, DOSSIER_UNREADABLE, code) : 0;
}

/* The definitions a dossier runs under. */
int dec_load_defs(decide *d, const eng_snap *s) {
  eng_def *def;
  uint8_t hash[32];
  int rc = eng__def_load(d->e, d->b, s->definition, ENG_DEF_PROCEDURE, &def);
  if (rc)
    return refuse(d, rc, PROCEDURE_VERSION_MISSING, s->code);
  d->m = def->machine;
  if ((rc = eng__def_load(d->e, d->b, s->policy, ENG_DEF_POLICY, &def)))
    return refuse(d, rc, POLICY_VERSION_MISSING, s->code);
  d->policy = &def->policy;
  /* Calendars: the newest published one applies. */
  if ((rc = eng__def_current(d->e, d->b, ENG_DEF_CALENDAR, s->calendar, d->now, hash)) ||
      (rc = eng__def_load(d->e, d->b, hash, ENG_DEF_CALENDAR, &def)))
    return refuse(d, rc, DOSSIER_CALENDAR_MISSING, s->calendar);
  d->cal = def->calendar;
  memcpy(d->cal_hash, hash, 32);
  return 0;
}

/* The dossier's e-form, from the event that filed it (ENG_PROJ_FORMS says
 * which), copied: the batch's later writes may move what it reads. */
int dec_load_form(decide *d, const char *code, msgpack_unpacked *u) {
  const void *v;
  size_t vlen, off = 0;
  store_event ev;
  msgpack_unpacked data;
  const msgpack_object *form = NULL;
  d->form = NULL;
  int rc = store_cmd_proj_get(d->b, ENG_PROJ_FORMS, code, strlen(code), &v, &vlen);
  if (rc == 0)
    rc = vlen == 8 ? store_cmd_event(d->b, mc_be64_get(v), &ev) : MC_ECORRUPT;
  msgpack_unpacked_init(&data);
  d->applicant = NULL;
  if (rc == 0 && msgpack_unpack_next(&data, (const char *)ev.data, ev.data_len, &off) == MSGPACK_UNPACK_SUCCESS) {
    form = eng__get(&data.data, "form");
    /* The applicant block, copied out of the read as the form is. */
    const msgpack_object *block = eng__get(&data.data, "applicant");
    mc_buf_reset(&d->e->applicant_copy);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t boff = 0;
    if (block && block->type == MSGPACK_OBJECT_MAP && msgpack_pack_object(&pk, *block) == 0 &&
        mc_buf_append(&d->e->applicant_copy, sb.data, sb.size) == 0 &&
        msgpack_unpack_next(&d->e->applicant_u, (const char *)d->e->applicant_copy.data, d->e->applicant_copy.len,
                            &boff) == MSGPACK_UNPACK_SUCCESS)
      d->applicant = &d->e->applicant_u.data;
    msgpack_sbuffer_destroy(&sb);
  }
  mc_buf_reset(&d->e->form_copy);
  if (form && form->type == MSGPACK_OBJECT_BIN &&
      mc_buf_append(&d->e->form_copy, form->via.bin.ptr, form->via.bin.size) == 0) {
    off = 0;
    if (msgpack_unpack_next(u, (const char *)d->e->form_copy.data, d->e->form_copy.len, &off) ==
        MSGPACK_UNPACK_SUCCESS)
      d->form = &u->data;
  }
  msgpack_unpacked_destroy(&data);
  if (d->form == NULL)
    return refuse(d, MC_ECORRUPT, FORM_OF_DOSSIER_UNREADABLE, code);
  return 0;
}

/* The directory's word on an agency: exists, offers the procedure, its calendar. */
int dec_directory(decide *d, const dsl_directory **out) {
  uint8_t hash[32];
  eng_def *dir;
  int rc = eng__def_current(d->e, d->b, ENG_DEF_DIRECTORY, "directory", d->now, hash);
  if (rc)
    return refuse(d, rc, DIRECTORY_NOT_PUBLISHED);
  if ((rc = eng__def_load(d->e, d->b, hash, ENG_DEF_DIRECTORY, &dir)))
    return refuse(d, rc, DIRECTORY_UNREADABLE);
  *out = dir->directory;
  return 0;
}

int dec_check_directory(decide *d, const char *agency, const char *procedure, char *calendar, size_t size) {
  const dsl_directory *dir;
  int rc = dec_directory(d, &dir);
  if (rc)
    return rc;
  const dsl_d_agency *found = dsl_directory_find(dir, agency);
  if (found == NULL)
    return refuse(d, MC_ENOENT, AGENCY_UNKNOWN, agency);
  snprintf(calendar, size, "%s", found->calendar && strlen(found->calendar) < size ? found->calendar : "");
  return dsl_directory_offered(dir, procedure, agency) ? 0
                                                                  : refuse(d, MC_EINVAL, AGENCY_NOT_OFFERING, agency, procedure);
}

/* Appends an event of a stream other than a dossier's, whose data `w`
 * wrote into `data` (freed here), by the command's actor. */
int dec_append_other(decide *d, const char *stream, const char *type, mc_canon *w, mc_buf *data) {
  int rc = mc_canon_finish(w);
  if (rc) {
    mc_buf_free(data);
    return refuse(d, rc, EVENT_TYPE_UNENCODABLE, type);
  }
  const eng_actor *a = &d->cmd->actor;
  store_event_in in = {.stream = stream, .expected_version = STORE_ANY_VERSION, .type = type, .time = d->now,
                       .actor = {a->who, a->role, a->client}, .data = data->data, .data_len = data->len};
  uint64_t seq = 0;
  rc = store_append(d->b, &in, &seq, NULL);
  mc_buf_free(data);
  if (rc == 0)
    eng__tap_other(d->e, seq, &in);
  return rc ? eng__refuse_store(d->res, rc, store_errmsg(d->e->st)) : 0;
}
