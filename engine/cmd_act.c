/* cmd_act.c — the commands act (an action in a step of the dossier's
 * process) and withdraw. */
#include "engine/decide.h"

#include "base/error.h"

#include <string.h>

int dec_do_act(decide *d) {
  const eng_command *c = d->cmd;
  const eng_act_args *arg = &c->act;
  eng_snap s;
  uint64_t version;
  msgpack_unpacked u;
  int rc;
  if (c->dossier == NULL || arg->action == NULL)
    return refuse(d, MC_EINVAL, ACT_INCOMPLETE);
  if ((rc = dec_open_dossier(d, &s, &version)))
    return rc;
  int ti = -1;
  if (arg->step) {
    for (int i = 0; i < s.ntokens; i++)
      if (!strcmp(d->m->nodes[s.tokens[i].node].name, arg->step))
        ti = i;
    if (ti < 0)
      return refuse(d, MC_EINVAL, NOT_AT_STEP, s.code, arg->step);
  } else if (s.ntokens == 1) {
    ti = 0;
  } else {
    char at[256] = "";
    for (int i = 0; i < s.ntokens; i++)
      snprintf(at + strlen(at), sizeof at - strlen(at), "%s%s", i ? ", " : "", d->m->nodes[s.tokens[i].node].name);
    return refuse(d, MC_EINVAL, SEVERAL_STEPS, s.code, at);
  }
  if (!strcmp(arg->action, "timeout"))
    return refuse(d, MC_EINVAL, TIMEOUT_BY_ENGINE);
  if ((rc = dec_role_allowed(d, &s, &d->m->nodes[s.tokens[ti].node])))
    return rc;
  msgpack_unpacked_init(&u);
  if ((rc = dec_load_form(d, s.code, &u)) == 0)
    rc = dec_take(d, &s, version, ti, arg->action, 0);
  msgpack_unpacked_destroy(&u);
  return rc;
}

int dec_do_withdraw(decide *d) {
  const eng_command *c = d->cmd;
  eng_snap s;
  uint64_t version;
  int rc;
  if (c->dossier == NULL)
    return refuse(d, MC_EINVAL, WITHDRAW_WHICH);
  if ((rc = dec_open_dossier(d, &s, &version)))
    return rc;
  if (s.decided_at)
    return refuse(d, MC_EINVAL, WITHDRAW_DECIDED, s.code);
  if (!dec_is_applicant_of(&c->actor, &s) && !dec_is_reception_of(&c->actor, &s))
    return refuse(d, MC_EACCES, WITHDRAW_FORBIDDEN);
  dec_finish(d, &s, "withdrawn");
  what w = {.action = "withdraw", .reason = c->withdraw.reason};
  return dec_append_dossier_event(d, &s, version + 1, &w, NULL, 0);
}
