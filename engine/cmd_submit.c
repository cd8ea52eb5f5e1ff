/* cmd_submit.c — the command submit: a new dossier filed online or at the
 * desk, its code, its e-form, its documents (brought, or reused from an
 * earlier dossier of the same owner), and its first step. */
#include "engine/decide.h"

#include "base/error.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* At submission: every document the procedure asks for — brought now, or
 * supplied with an earlier dossier of the same owner and still valid
 * (reused with all its files, BN 6.2, ĐN 6.2), or missing (reception asks
 * for it). */
static int submission_documents(decide *d, const char *owner, doc_entry *out, int *n) {
  char date[11];
  int nbrought, rc;
  dec_today(d, date);
  if ((rc = dec_brought_documents(d, date, out, &nbrought)))
    return rc;
  *n = nbrought;
  for (int i = 0; i < d->m->ndocuments && *n < ENG_MAX_DOCUMENTS; i++) {
    const dsl_m_document *asked = &d->m->documents[i];
    bool have = asked->eform || asked->result;
    for (int k = 0; k < nbrought && !have; k++)
      have = !strcmp(out[k].name, asked->name);
    if (have)
      continue;
    doc_entry *e = &out[(*n)++];
    memset(e, 0, sizeof *e);
    e->name = asked->name;
    if (owner[0] == '\0')
      continue;
    mc_buf key = MC_BUF_INIT;
    const void *v;
    size_t vlen, off = 0;
    mc_buf_append_str(&key, "o/");
    mc_buf_append_str(&key, owner);
    mc_buf_append_byte(&key, 0);
    mc_buf_append_str(&key, asked->name);
    rc = store_cmd_proj_get(d->b, ENG_PROJ_DOCUMENTS, key.data, key.len, &v, &vlen);
    mc_buf_free(&key);
    if (rc == MC_ENOENT)
      continue;
    if (rc)
      return refuse(d, rc, DOCUMENTS_UNREADABLE, owner);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, v, vlen, &off) == MSGPACK_UNPACK_SUCCESS) {
      const msgpack_object *hash = eng__get(&u.data, "hash"), *at = eng__get(&u.data, "supplied_at"),
                           *more = eng__get(&u.data, "more");
      int nmore = eng__more_count(more);
      char until[11];
      if (hash && hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32 && nmore >= 0 &&
          eng__str_copy(eng__get(&u.data, "valid_until"), until, sizeof until) == 0 &&
          (until[0] == '\0' || strcmp(until, date) >= 0) &&
          eng__str_copy(eng__get(&u.data, "dossier"), e->reused_from, sizeof e->reused_from) == 0 && at &&
          at->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        e->has_hash = true;
        memcpy(e->hash, hash->via.bin.ptr, 32);
        if ((e->nmore = nmore) > 0) /* reused with all its files */
          memcpy(e->more, more->via.bin.ptr, 32 * (size_t)nmore);
        e->supplied_at = (int64_t)at->via.u64;
        snprintf(e->valid_until, sizeof e->valid_until, "%s", until);
      } else {
        e->reused_from[0] = '\0';
      }
    }
    msgpack_unpacked_destroy(&u);
  }
  return 0;
}

int dec_do_submit(decide *d) {
  const eng_command *c = d->cmd;
  const eng_submit_args *arg = &c->submit;
  eng_snap s;
  uint8_t proc_hash[32], policy_hash[32], cal_hash[32];
  eng_def *def;
  int rc;

  memset(&s, 0, sizeof s);
  if (arg->procedure == NULL || arg->agency == NULL || arg->channel == NULL)
    return refuse(d, MC_EINVAL, SUBMISSION_INCOMPLETE);
  if (strcmp(arg->channel, "online") && strcmp(arg->channel, "desk") && strcmp(arg->channel, "post"))
    return refuse(d, MC_EINVAL, CHANNEL_UNKNOWN, arg->channel);
  /* Online: the applicant; at the desk or by post: an official enters it for them. */
  bool online = !strcmp(arg->channel, "online");
  if (online && (c->actor.role == NULL || strcmp(c->actor.role, "applicant") || c->actor.who == NULL ||
                 c->actor.who[0] == '\0'))
    return refuse(d, MC_EACCES, ONLINE_BY_APPLICANT);
  if (online && strlen(c->actor.who) >= sizeof s.applicant)
    return refuse(d, MC_EINVAL, ACCOUNT_ID_TOO_LONG, sizeof s.applicant - 1);
  if (!online && (c->actor.role == NULL || strcmp(c->actor.role, "reception") || c->actor.agency == NULL ||
                  strcmp(c->actor.agency, arg->agency)))
    return refuse(d, MC_EACCES, DESK_BY_RECEPTION, arg->channel, arg->agency);
  if ((rc = eng__def_current(d->e, d->b, ENG_DEF_PROCEDURE, arg->procedure, d->now, proc_hash)))
    return rc == MC_ERANGE
               ? refuse(d, MC_EINVAL, PROCEDURE_RETIRED, arg->procedure)
               : refuse(d, rc, PROCEDURE_NOT_PUBLISHED, arg->procedure);
  if ((rc = eng__def_load(d->e, d->b, proc_hash, ENG_DEF_PROCEDURE, &def)))
    return refuse(d, rc, PROCEDURE_UNREADABLE, arg->procedure);
  d->m = def->machine;
  if ((rc = eng__def_current(d->e, d->b, ENG_DEF_POLICY, d->m->policy, d->now, policy_hash)) ||
      (rc = eng__def_load(d->e, d->b, policy_hash, ENG_DEF_POLICY, &def)))
    return rc == MC_ERANGE
               ? refuse(d, MC_EINVAL, POLICY_RETIRED, d->m->policy, arg->procedure)
               : refuse(d, rc, POLICY_NOT_PUBLISHED, d->m->policy);
  d->policy = &def->policy;
  if ((rc = dec_check_directory(d, arg->agency, arg->procedure, s.calendar, sizeof s.calendar)))
    return rc;
  if ((rc = eng__def_current(d->e, d->b, ENG_DEF_CALENDAR, s.calendar, d->now, cal_hash)) ||
      (rc = eng__def_load(d->e, d->b, cal_hash, ENG_DEF_CALENDAR, &def)))
    return refuse(d, rc, AGENCY_CALENDAR_NOT_PUBLISHED, s.calendar, arg->agency);
  d->cal = def->calendar;
  memcpy(d->cal_hash, cal_hash, 32);

  /* Who files, and what: the applicant block and the e-form, every fault
   * of both at once. */
  mc_buf form = MC_BUF_INIT, block = MC_BUF_INIT;
  rc = dec_applicant_block(d, online, &block);
  if (rc == 0 || (rc == MC_EINVAL && d->res->nfields > 0)) {
    int frc = eng__form_validate(d->m, arg->form.data, arg->form.len, &form, d->res);
    rc = rc ? rc : frc;
  }
  if (rc) {
    mc_buf_free(&form);
    mc_buf_free(&block);
    return rc;
  }
  eng_applicant_view who;
  eng_applicant_decode(block.data, block.len, &who);

  /* The code: <agency>-<yymmdd>-<NNNN...>, counted per agency per local day. */
  int64_t day, msd;
  int y, mo, dd;
  mc_instant_split(d->now, eng_calendar_offset_min(d->cal), &day, &msd);
  mc_civil_from_days(day, &y, &mo, &dd);
  char prefix[48];
  if (strlen(arg->agency) > 31) {
    mc_buf_free(&form);
    mc_buf_free(&block);
    return refuse(d, MC_EINVAL, AGENCY_CODE_TOO_LONG, arg->agency);
  }
  int plen = snprintf(prefix, sizeof prefix, "%.31s-%02d%02d%02d", arg->agency, y % 100, mo, dd);
  uint32_t last = 0;
  const void *v;
  size_t vlen;
  if (store_cmd_proj_get(d->b, ENG_PROJ_CODES, prefix, (size_t)plen, &v, &vlen) == 0 && vlen == 4) {
    const uint8_t *p = v;
    last = mc_be32_get(p);
  }
  /* At least four digits, more once a day passes 9,999 (docs/DOMAIN.md, "The
   * dossier code"): no client can exhaust a day. */
  if (last >= ENG_CODE_MAX_PER_DAY) {
    mc_buf_free(&form);
    mc_buf_free(&block);
    return refuse(d, MC_ERANGE, DAY_FULL, arg->agency,
                  (unsigned)ENG_CODE_MAX_PER_DAY);
  }
  snprintf(s.code, sizeof s.code, "%s-%04u", prefix, last + 1);
  snprintf(s.procedure, sizeof s.procedure, "%s", arg->procedure);
  snprintf(s.agency, sizeof s.agency, "%s", arg->agency);
  snprintf(s.channel, sizeof s.channel, "%s", arg->channel);
  snprintf(s.applicant, sizeof s.applicant, "%s", online && c->actor.who ? c->actor.who : "");
  const char *owner = online ? c->actor.who : arg->owner && arg->owner[0] ? arg->owner : who.id_number;
  if (owner && strlen(owner) >= sizeof s.owner) {
    mc_buf_free(&form);
    mc_buf_free(&block);
    return refuse(d, MC_EINVAL, OWNER_ID_TOO_LONG, owner);
  }
  if (!online && owner != who.id_number && strcmp(owner, who.id_number)) {
    mc_buf_free(&form);
    mc_buf_free(&block);
    return refuse(d, MC_EINVAL, OWNER_NOT_APPLICANT, owner, who.id_number);
  }
  snprintf(s.owner, sizeof s.owner, "%s", owner ? owner : "");
  doc_entry docs[ENG_MAX_DOCUMENTS];
  int ndocs = 0;
  if ((rc = submission_documents(d, s.owner, docs, &ndocs))) {
    mc_buf_free(&form);
    mc_buf_free(&block);
    return rc;
  }
  memcpy(s.definition, proc_hash, 32);
  memcpy(s.policy, policy_hash, 32);
  s.submitted_at = d->now;

  msgpack_unpacked u, ub;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  msgpack_unpacked_init(&ub);
  msgpack_unpack_next(&u, (const char *)form.data, form.len, &off);
  d->form = &u.data;
  off = 0;
  if (block.len && msgpack_unpack_next(&ub, (const char *)block.data, block.len, &off) == MSGPACK_UNPACK_SUCCESS)
    d->applicant = &ub.data;
  rc = dec_enter(d, &s, 0);
  if (rc == 0) {
    dec_note(d, "applicant", "received");   /* with its code, to follow it (BN Art. 8.2) */
    dec_note(d, "official", "new_dossier"); /* reception of the agency (NĐ118 Art. 17.2) */
    char email[256] = "", phone[32] = "";
    for (int i = 0; i < d->m->nfields; i++) {
      const msgpack_object *f = eng__get(d->form, d->m->fields[i].name);
      if (f && f->type == MSGPACK_OBJECT_STR && d->m->fields[i].type == DSL_M_EMAIL && !email[0])
        snprintf(email, sizeof email, "%.*s", (int)f->via.str.size, f->via.str.ptr);
      if (f && f->type == MSGPACK_OBJECT_STR && d->m->fields[i].type == DSL_M_PHONE && !phone[0])
        snprintf(phone, sizeof phone, "%.*s", (int)f->via.str.size, f->via.str.ptr);
    }
    /* The receipt's secret: a random draw, recorded (a replay reads it, never draws again). */
    char secret[ENG_SECRET_LEN + 1];
    static const char alphabet[] = ENG_SECRET_ALPHABET;
    for (int i = 0; i < ENG_SECRET_LEN; i++)
      secret[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    secret[ENG_SECRET_LEN] = '\0';
    what w = {.action = "submit", .step = d->m->nodes[0].name, .docs = docs, .ndocs = ndocs, .email = email,
              .phone = phone, .applicant = block.data, .applicant_len = block.len, .secret = secret};
    rc = dec_append_dossier_event(d, &s, 1, &w, form.data, form.len);
    if (rc == 0)
      snprintf(d->res->secret, sizeof d->res->secret, "%s", secret);
  }
  d->applicant = NULL;
  msgpack_unpacked_destroy(&u);
  msgpack_unpacked_destroy(&ub);
  mc_buf_free(&form);
  mc_buf_free(&block);
  return rc;
}
