/* cmd_transfer.c — a dossier passed to another agency, `dossier.transferred`:
 * by reception before acceptance, to the competent agency (NĐ118/2025), and
 * by a directory that merges its agency into a successor (cmd_publish.c).
 * Either way the code, the legal clock, the steps' dues and the appointment
 * are unchanged: only the dossier's agency is (docs/ENGINE.md). */
#include "engine/decide.h"

#include "base/error.h"
#include "dsl/defs.h"

#include <stdio.h>
#include <string.h>

/* Records the transfer of `s` (at `version`) to `to`. */
static int transfer_one(decide *d, eng_snap *s, uint64_t version, const char *to, const char *reason,
                        bool by_reception) {
  char from[sizeof s->agency];
  snprintf(from, sizeof from, "%s", s->agency);
  snprintf(s->agency, sizeof s->agency, "%s", to);
  d->nnotes = 0;
  dec_note(d, "applicant", "transferred"); /* with the reason and the new agency's name */
  if (by_reception) {
    /* The handlers were the other agency's; its reception is told of a new dossier. */
    s->handler[0] = '\0';
    s->nco_handlers = 0;
    dec_note(d, "official", "new_dossier");
  }
  what w = {.action = "transfer", .reason = reason, .from = from, .to = to};
  return dec_append_dossier_event(d, s, version + 1, &w, NULL, 0);
}

/* The agencies offering `procedure` but `except`, "CODE (name), ...". */
static void offering(const dsl_directory *dir, const char *procedure, const char *except, char *out, size_t size) {
  uint32_t n;
  const dsl_d_agency *list = dsl_directory_agencies(dir, &n);
  size_t len = 0;
  out[0] = '\0';
  for (uint32_t i = 0; i < n && len + 1 < size; i++)
    if (strcmp(list[i].code, except) && dsl_directory_offered(dir, procedure, list[i].code)) {
      int k = snprintf(out + len, size - len, "%s%s (%s)", len ? ", " : "", list[i].code, list[i].name);
      len += k > 0 ? (size_t)k : 0;
    }
  if (out[0] == '\0')
    snprintf(out, size, "-");
}

int dec_do_transfer(decide *d) {
  const eng_command *c = d->cmd;
  const eng_transfer_args *arg = &c->transfer;
  const dsl_directory *dir;
  eng_snap s;
  uint64_t version;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, TRANSFER_WHICH);
  if ((rc = dec_open_dossier(d, &s, &version)))
    return rc;
  if (!dec_is_reception_of(&c->actor, &s))
    return refuse(d, MC_EACCES, TRANSFER_BY_RECEPTION, s.agency);
  if (s.accepted_at)
    return refuse(d, MC_EINVAL, TRANSFER_ACCEPTED, s.code);
  if (arg->reason == NULL || arg->reason[0] == '\0')
    return refuse(d, MC_EINVAL, TRANSFER_REASON);
  const char *to = arg->to ? arg->to : "";
  if (!strcmp(to, s.agency))
    return refuse(d, MC_EINVAL, TRANSFER_SAME_AGENCY, s.code, s.agency);
  if ((rc = dec_directory(d, &dir)))
    return rc;
  if (!dsl_directory_offered(dir, s.procedure, to)) {
    char list[1024];
    offering(dir, s.procedure, s.agency, list, sizeof list);
    return refuse(d, MC_EINVAL, TRANSFER_NOT_OFFERED, to, s.procedure, list);
  }
  return transfer_one(d, &s, version, to, arg->reason, true);
}

/* ------------------------------------------------------------ a merged agency */

int dec_open_dossiers_of(decide *d, const char *agency, mc_buf *codes, int *n) {
  eng__open_of o = {agency, codes, 0, ""};
  int rc = store_cmd_proj_scan(d->b, ENG_PROJ_DOSSIER, "", 0, eng__collect_open, &o);
  *n = o.n;
  return rc < 0 ? eng__refuse_store(d->res, rc, store_errmsg(d->e->st)) : 0;
}

int dec_transfer_agency(decide *d, const char *from, const char *to, const char *reason, int *dossiers,
                        int *officials) {
  mc_buf codes = MC_BUF_INIT;
  int n = 0, rc;
  *dossiers = *officials = 0;
  if ((rc = dec_open_dossiers_of(d, from, &codes, &n)))
    return rc;
  const char *code = (const char *)codes.data;
  for (int i = 0; i < n && rc == 0; i++, code += strlen(code) + 1) {
    eng_snap s;
    uint64_t version;
    if ((rc = dec_load_snap(d, code, &s, &version)) || (rc = dec_load_defs(d, &s)))
      break;
    if ((rc = transfer_one(d, &s, version, to, reason, false)) == 0)
      (*dossiers)++;
  }
  mc_buf_free(&codes);
  d->nnotes = 0;
  if (rc == 0)
    rc = eng__accounts_move(d->e, d->b, d->now, d->cmd, from, to, officials, d->res);
  return rc;
}
