/* ws_directory.c — the directory for clients (docs/PROTOCOL.md "Directory
 * and administration"): `agencies`, every agency of the directory in effect
 * as the catalogue keeps it (any session); `officials`, the officials of an
 * agency with their roles, for an "assign" dialog (its own officials, and
 * those who read everything). */
#include "api/ws_directory.h"

#include "api/runtime.h"
#include "base/error.h"

#include <string.h>

void srv_ws_op_agencies(req *r) {
  static const char *const fields[] = {NULL};
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r))
    return;
  const json_t *agencies = srv_catalogue_agencies(r->s->cat);
  json_t *list = agencies ? json_deep_copy(agencies) : json_array();
  srv_ws_answer(r, json_pack("{s:b, s:I, s:o}", "ok", 1, "count", (json_int_t)json_array_size(list), "agencies", list));
}

static int official_json(void *opaque, const eng_account_view *a) {
  json_t *roles = json_array();
  for (int i = 0; i < a->nroles; i++)
    json_array_append_new(roles, json_string(a->roles[i]));
  json_array_append_new(opaque, json_pack("{s:s, s:s, s:o, s:b}", "account", a->id, "name", a->name, "roles", roles,
                                          "disabled", a->disabled));
  return 0;
}

void srv_ws_op_officials(req *r) {
  static const char *const fields[] = {"agency", NULL};
  const char *agency;
  const principal *p = &r->c->who;
  if (!srv_ws_known_fields(r, fields) || !srv_ws_need_session(r) ||
      !srv_ws_get_str(r, "agency", true, sizeof p->acct.agency - 1, &agency))
    return;
  /* An agency's own officials (its agency_admin among them), and those who
   * read everything; an applicant or an official of another agency: no. */
  bool own = p->acct.agency[0] && !strcmp(p->acct.agency, agency) && !srv_principal_is_applicant(p);
  if (!own && !srv_principal_reads_all(p)) {
    srv_ws_fail(r, "forbidden", "agency", "officials: the officials of %s are listed to that agency's officials, auditors "
                "and system administrators", agency);
    return;
  }
  if (!srv_catalogue_agency(r->s->cat, agency)) {
    srv_ws_fail(r, "not_found", "agency", "officials: there is no agency %s in the directory", agency);
    return;
  }
  json_t *list = json_array();
  int rc = eng_officials(r->s->e, agency, official_json, list);
  if (rc) {
    json_decref(list);
    srv_ws_fail(r, "unavailable", NULL, "officials: the accounts cannot be read (%s)", mc_strerror(rc));
    return;
  }
  srv_ws_answer(r, json_pack("{s:b, s:s, s:I, s:o}", "ok", 1, "agency", agency, "count",
                             (json_int_t)json_array_size(list), "officials", list));
}
