/* test_commands.c — the table of commands (engine/commands.h): names are
 * unique, docs/ENGINE.md documents every command and docs/PROTOCOL.md every
 * one a client sends over the WebSocket, with its arguments; the arguments'
 * rows hold together. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/file.h"
#include "engine/engine.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void names_are_unique_and_say_who(void **state) {
  (void)state;
  for (int i = 0; i < ENG_CMD_COUNT; i++) {
    assert_non_null(eng_command_name((eng_cmd_kind)i));
    assert_non_null(eng_command_who((eng_cmd_kind)i));
    for (int k = 0; k < i; k++)
      assert_string_not_equal(eng_command_name((eng_cmd_kind)i), eng_command_name((eng_cmd_kind)k));
  }
  assert_null(eng_command_name(ENG_CMD_COUNT));
  assert_true(eng_command_over_ws(ENG_CMD_SUBMIT));
  assert_false(eng_command_over_ws(ENG_CMD_SEND_CODE));
}

/* docs/ENGINE.md: a row "| NAME" of the commands table, or `ENG_CMD_NAME`. */
static void the_engine_docs_document_every_command(void **state) {
  (void)state;
  mc_buf doc = MC_BUF_INIT;
  assert_int_equal(mc_file_read(MOTCUA_SOURCE_DIR "/docs/ENGINE.md", 1u << 20, &doc), 0);
  for (int i = 0; i < ENG_CMD_COUNT; i++) {
    char upper[32], row[40], symbol[48];
    const char *name = eng_command_name((eng_cmd_kind)i);
    size_t n = strlen(name);
    for (size_t k = 0; k <= n; k++)
      upper[k] = (char)toupper((unsigned char)name[k]);
    snprintf(row, sizeof row, "\n| %s ", upper);
    snprintf(symbol, sizeof symbol, "`ENG_CMD_%s`", upper);
    if (!strstr(mc_buf_cstr(&doc), row) && !strstr(mc_buf_cstr(&doc), symbol))
      fail_msg("docs/ENGINE.md documents no command %s (a row \"| %s\" or `ENG_CMD_%s`)", name, upper, upper);
  }
  mc_buf_free(&doc);
}

/* docs/PROTOCOL.md: each WebSocket command with an example request. */
static void the_protocol_documents_every_command_a_client_sends(void **state) {
  (void)state;
  mc_buf doc = MC_BUF_INIT;
  assert_int_equal(mc_file_read(MOTCUA_SOURCE_DIR "/docs/PROTOCOL.md", 1u << 20, &doc), 0);
  for (int i = 0; i < ENG_CMD_COUNT; i++) {
    if (!eng_command_over_ws((eng_cmd_kind)i))
      continue;
    char example[64];
    snprintf(example, sizeof example, "\"op\": \"%s\"", eng_command_name((eng_cmd_kind)i));
    if (!strstr(mc_buf_cstr(&doc), example))
      fail_msg("docs/PROTOCOL.md has no example of the op %s (%s)", eng_command_name((eng_cmd_kind)i), example);
  }
  mc_buf_free(&doc);
}

/* Each command's arguments: distinct members and names, bounds in order,
 * each found by its member's offset; a WebSocket command's are of the
 * types api/ws.c reads, and a required text is not empty. */
static void the_arguments_hold_together(void **state) {
  (void)state;
  for (int k = 0; k < ENG_CMD_COUNT; k++) {
    int n;
    const eng_arg *args = eng_command_args((eng_cmd_kind)k, &n);
    assert_non_null(args);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
      const eng_arg *a = &args[i];
      assert_true(a->lo <= a->hi);
      assert_true(a->offset >= offsetof(eng_command, publish) && a->offset < sizeof(eng_command));
      assert_ptr_equal(eng_command_arg((eng_cmd_kind)k, a->offset), a);
      if (a->required && (a->type == ENG_ARG_WORD || a->type == ENG_ARG_TEXT))
        assert_int_equal(a->lo, 1);
      if (eng_command_over_ws((eng_cmd_kind)k)) {
        assert_non_null(a->wire);
        bool read = a->type == ENG_ARG_WORD || a->type == ENG_ARG_TEXT || a->type == ENG_ARG_INT ||
                    a->type == ENG_ARG_INSTANT || a->type == ENG_ARG_OFFICIALS || a->type == ENG_ARG_DOCUMENTS ||
                    (a->type == ENG_ARG_FORM && k == ENG_CMD_SUBMIT);
        if (!read)
          fail_msg("%s.%s: api/ws.c does not read its type over the WebSocket", eng_command_name((eng_cmd_kind)k),
                   a->name);
      }
      for (int m = 0; m < i; m++) {
        assert_string_not_equal(args[m].name, a->name);
        if (a->wire && args[m].wire)
          assert_string_not_equal(args[m].wire, a->wire);
      }
    }
  }
  assert_null(eng_command_args(ENG_CMD_COUNT, &(int){0}));
  assert_int_equal(eng_command_parse("extend"), ENG_CMD_EXTEND);
  assert_int_equal(eng_command_parse("extended"), ENG_CMD_COUNT);
  assert_true(eng_command_on_dossier(ENG_CMD_ACT));
  assert_false(eng_command_on_dossier(ENG_CMD_SUBMIT));
  assert_string_equal(ENG_ARG(rate, comment)->wire, "comment");
  assert_string_equal(ENG_ARG(send_code, code)->name, "code");
}

/* The bounds a client has always been held to (docs/PROTOCOL.md, the
 * server's transcript): the fields the engine keeps these in must not
 * shrink or grow without the protocol saying so. */
static void the_websocket_bounds_are_the_protocols(void **state) {
  (void)state;
  const struct {
    const eng_arg *arg;
    int64_t lo, hi;
  } want[] = {
      {ENG_ARG(submit, procedure), 1, 31},
      {ENG_ARG(submit, agency), 1, 31},
      {ENG_ARG(submit, channel), 0, 15},
      {ENG_ARG(submit, owner), 0, 63},
      {ENG_ARG(submit, documents), 0, 32},
      {ENG_ARG(act, action), 1, 31},
      {ENG_ARG(act, step), 0, 47},
      {ENG_ARG(act, reason), 0, 8192},
      {ENG_ARG(act, documents), 0, 32},
      {ENG_ARG(withdraw, reason), 0, 8192},
      {ENG_ARG(extend, new_due), 0, INT64_MAX},
      {ENG_ARG(extend, reason), 1, 8192},
      {ENG_ARG(assign, handler), 1, 63},
      {ENG_ARG(assign, co_handlers), 0, 4},
      {ENG_ARG(stop, reason), 1, 8192},
      {ENG_ARG(rate, rating), 1, 5},
      {ENG_ARG(rate, comment), 0, 8192},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    assert_non_null(want[i].arg);
    if (want[i].arg->lo != want[i].lo || want[i].arg->hi != want[i].hi)
      fail_msg("%s: bounds %lld..%lld, the protocol's are %lld..%lld", want[i].arg->name, (long long)want[i].arg->lo,
               (long long)want[i].arg->hi, (long long)want[i].lo, (long long)want[i].hi);
  }
}

/* The argument of `kind` whose wire name is the `len` bytes at `name`. */
static const eng_arg *arg_named(eng_cmd_kind kind, const char *name, size_t len) {
  int n;
  const eng_arg *args = eng_command_args(kind, &n);
  for (int i = 0; i < n; i++)
    if (args[i].wire && strlen(args[i].wire) == len && !memcmp(args[i].wire, name, len))
      return &args[i];
  return NULL;
}

/* A bound written beside a field: "1–5" (an en dash) or "up to 4". */
static void check_bound(const char *op, const eng_arg *a, const char *note, size_t len) {
  char text[256];
  long long lo, hi;
  snprintf(text, sizeof text, "%.*s", (int)(len < sizeof text ? len : sizeof text - 1), note);
  const char *up = strstr(text, "up to ");
  if (up && sscanf(up, "up to %lld", &hi) == 1 && hi != a->hi)
    fail_msg("docs/PROTOCOL.md: %s's `%s` is \"up to %lld\"; the table says %lld", op, a->wire, hi, (long long)a->hi);
  for (const char *p = text; *p; p++)
    if (isdigit((unsigned char)*p) && (p == text || !isdigit((unsigned char)p[-1])) &&
        sscanf(p, "%lld\xe2\x80\x93%lld", &lo, &hi) == 2 && (lo != a->lo || hi != a->hi))
      fail_msg("docs/PROTOCOL.md: %s's `%s` is %lld–%lld; the table says %lld–%lld", op, a->wire, lo, hi,
               (long long)a->lo, (long long)a->hi);
}

/* docs/PROTOCOL.md names an op's fields in parentheses after the op —
 * "`extend` (`new_due`: the new appointment, `reason`: the apology)" —
 * each of them an argument of the command, every argument once, with the
 * table's bounds where it writes one. */
static void the_protocol_names_each_commands_arguments(void **state) {
  (void)state;
  mc_buf doc = MC_BUF_INIT;
  assert_int_equal(mc_file_read(MOTCUA_SOURCE_DIR "/docs/PROTOCOL.md", 1u << 20, &doc), 0);
  const char *text = mc_buf_cstr(&doc);
  for (int k = 0; k < ENG_CMD_COUNT; k++) {
    eng_cmd_kind kind = (eng_cmd_kind)k;
    const char *op = eng_command_name(kind);
    char head[64];
    if (!eng_command_over_ws(kind))
      continue;
    snprintf(head, sizeof head, "`%s`", op);
    const char *list = NULL; /* just after "`op` (" (a line may end between them) */
    for (const char *at = strstr(text, head); at && !list; at = strstr(at + 1, head)) {
      const char *q = at + strlen(head);
      while (*q == ' ' || *q == '\n')
        q++;
      if (*q == '(')
        list = q + 1;
    }
    const char *end = list ? strchr(list, ')') : NULL;
    if (end == NULL)
      fail_msg("docs/PROTOCOL.md does not name the fields of %s: \"%s (`field`, ...)\"", op, head);
    int n;
    const eng_arg *args = eng_command_args(kind, &n);
    bool named[32] = {false};
    /* `field` note `field` note ...: the backquoted words and what follows each. */
    const char *p = list;
    while (p < end) {
      const char *open = memchr(p, '`', (size_t)(end - p));
      if (open == NULL)
        break;
      const char *close = memchr(open + 1, '`', (size_t)(end - open - 1));
      assert_non_null(close);
      const char *next = memchr(close + 1, '`', (size_t)(end - close - 1));
      const eng_arg *a = arg_named(kind, open + 1, (size_t)(close - open - 1));
      if (a == NULL)
        fail_msg("docs/PROTOCOL.md names `%.*s` among the fields of %s: not an argument of the command "
                 "(engine/commands.h)", (int)(close - open - 1), open + 1, op);
      if (named[a - args])
        fail_msg("docs/PROTOCOL.md names %s's `%s` twice", op, a->wire);
      named[a - args] = true;
      check_bound(op, a, close + 1, (size_t)((next ? next : end) - close - 1));
      p = next ? next : end;
    }
    for (int i = 0; i < n; i++)
      if (args[i].wire && !named[i])
        fail_msg("docs/PROTOCOL.md does not name %s's `%s` in \"%s (...)\"", op, args[i].wire, head);
  }
  mc_buf_free(&doc);
}

/* The top-level keys of the object at `o` ("{...}"), written into keys. */
static int object_keys(const char *o, char keys[][40], int max) {
  int depth = 0, n = 0;
  for (const char *p = o; *p; p++) {
    if (*p == '"') {
      const char *q = p + 1;
      while (*q && *q != '"')
        q += *q == '\\' && q[1] ? 2 : 1;
      const char *after = q + 1;
      while (*after == ' ')
        after++;
      if (depth == 1 && *after == ':' && n < max)
        snprintf(keys[n++], 40, "%.*s", (int)(q - p - 1), p + 1);
      p = q;
    } else if (*p == '{' || *p == '[') {
      depth++;
    } else if (*p == '}' || *p == ']') {
      if (--depth == 0)
        break;
    }
  }
  return n;
}

/* Every request the document shows of a command ("→ {"op": "act", ...}")
 * has only fields the op takes. */
static void the_protocols_examples_use_the_commands_fields(void **state) {
  (void)state;
  mc_buf doc = MC_BUF_INIT;
  assert_int_equal(mc_file_read(MOTCUA_SOURCE_DIR "/docs/PROTOCOL.md", 1u << 20, &doc), 0);
  for (int k = 0; k < ENG_CMD_COUNT; k++) {
    eng_cmd_kind kind = (eng_cmd_kind)k;
    char example[64];
    if (!eng_command_over_ws(kind))
      continue;
    snprintf(example, sizeof example, "\xe2\x86\x92 {\"op\": \"%s\"", eng_command_name(kind));
    for (const char *at = strstr(mc_buf_cstr(&doc), example); at; at = strstr(at + 1, example)) {
      char keys[24][40];
      int n = object_keys(strchr(at, '{'), keys, 24);
      for (int i = 0; i < n; i++) {
        bool on_dossier = eng_command_on_dossier(kind);
        bool common = !strcmp(keys[i], "op") || !strcmp(keys[i], "id") || !strcmp(keys[i], "command_id") ||
                      !strcmp(keys[i], "role") ||
                      (on_dossier && (!strcmp(keys[i], "dossier") || !strcmp(keys[i], "expected_version")));
        if (!common && arg_named(kind, keys[i], strlen(keys[i])) == NULL)
          fail_msg("docs/PROTOCOL.md: an example of %s sends \"%s\", which the op does not take",
                   eng_command_name(kind), keys[i]);
      }
    }
  }
  mc_buf_free(&doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_are_unique_and_say_who),
      cmocka_unit_test(the_engine_docs_document_every_command),
      cmocka_unit_test(the_protocol_documents_every_command_a_client_sends),
      cmocka_unit_test(the_arguments_hold_together),
      cmocka_unit_test(the_websocket_bounds_are_the_protocols),
      cmocka_unit_test(the_protocol_names_each_commands_arguments),
      cmocka_unit_test(the_protocols_examples_use_the_commands_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
