/* commands.c — the command table at run time (commands.h): names, who may
 * issue each command, and each argument's row with its bounds, which may
 * name the engine's own sizes (engine-int.h) since only this file reads
 * them. */
#include "engine/engine-int.h"

#include <string.h>

#define OVER_WS_WS true
#define OVER_WS_OTHER false
#define ON_DOSSIER_DOSSIER true
#define ON_DOSSIER_NONE false

static const struct {
  const char *name, *who;
  bool ws, dossier;
} commands[] = {
#define ENG__COMMAND_ROW(e, name, where, on, who) {#name, who, OVER_WS_##where, ON_DOSSIER_##on},
    ENG_COMMANDS(ENG__COMMAND_ROW)
#undef ENG__COMMAND_ROW
};

const char *eng_command_name(eng_cmd_kind k) { return (unsigned)k < ENG_CMD_COUNT ? commands[k].name : NULL; }

const char *eng_command_who(eng_cmd_kind k) { return (unsigned)k < ENG_CMD_COUNT ? commands[k].who : NULL; }

bool eng_command_over_ws(eng_cmd_kind k) { return (unsigned)k < ENG_CMD_COUNT && commands[k].ws; }

bool eng_command_on_dossier(eng_cmd_kind k) { return (unsigned)k < ENG_CMD_COUNT && commands[k].dossier; }

eng_cmd_kind eng_command_parse(const char *name) {
  for (int k = 0; name && k < ENG_CMD_COUNT; k++)
    if (!strcmp(commands[k].name, name))
      return (eng_cmd_kind)k;
  return ENG_CMD_COUNT;
}

/* Each command's rows, in a function of its own where `args_t` is its
 * argument struct: a row's offset is its member's in eng_command. */
#define ARG_ROW(type, member, wire, need, lo, hi)                                                                   \
  {#member, wire, ENG_ARG_##type, ENG__NEED_##need, (int64_t)(lo), (int64_t)(hi), base + offsetof(args_t, member)},
#define ARGS_OF(e, name, where, on, who)                   \
  static const eng_arg *args_of_##name(int *n) {           \
    typedef eng_##name##_args args_t;                      \
    enum { base = offsetof(eng_command, name) };           \
    static const eng_arg rows[] = {ENG_ARGS_##e(ARG_ROW)}; \
    *n = (int)(sizeof rows / sizeof rows[0]);              \
    return rows;                                           \
  }
ENG_COMMANDS(ARGS_OF)
#undef ARGS_OF
#undef ARG_ROW

static const eng_arg *(*const args_of[ENG_CMD_COUNT])(int *n) = {
#define ARGS_FN(e, name, where, on, who) [ENG_CMD_##e] = args_of_##name,
    ENG_COMMANDS(ARGS_FN)
#undef ARGS_FN
};

const eng_arg *eng_command_args(eng_cmd_kind kind, int *n) {
  *n = 0;
  return (unsigned)kind < ENG_CMD_COUNT ? args_of[kind](n) : NULL;
}

const eng_arg *eng_command_arg(eng_cmd_kind kind, size_t offset) {
  int n;
  const eng_arg *a = eng_command_args(kind, &n);
  for (int i = 0; i < n; i++)
    if (a[i].offset == offset)
      return &a[i];
  return NULL;
}
