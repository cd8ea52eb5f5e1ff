/* test_commands.c — the table of commands (engine/commands.h): names are
 * unique, docs/ENGINE.md documents every command and docs/PROTOCOL.md every
 * one a client sends over the WebSocket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/file.h"
#include "engine/commands.h"

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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_are_unique_and_say_who),
      cmocka_unit_test(the_engine_docs_document_every_command),
      cmocka_unit_test(the_protocol_documents_every_command_a_client_sends),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
