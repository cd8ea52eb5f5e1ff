/* cmd_user.c — `motcua user`: officials' accounts, through the running
 * server's admin socket (the passwords' hashes and sessions are the
 * server's to keep).  With no server running, `add` opens the data
 * directory itself, as its writer (setting up before the first start;
 * `--now` for a rehearsal or a recording on another clock).
 *
 *   motcua user add DATA_DIR ACCOUNT --name NAME --roles R[,R...] [--agency CODE]
 *                   [--email ADDR] [--phone NUMBER] [--now TIME]
 *   motcua user disable DATA_DIR ACCOUNT [--reassign-to ACCOUNT]
 *   motcua user enable DATA_DIR ACCOUNT
 *   motcua user password DATA_DIR ACCOUNT      a new one-time password
 *   motcua user roles DATA_DIR ACCOUNT --roles R[,R...]   an official's roles
 */
#include "tools/cli.h"

#include "base/error.h"
#include "engine/engine.h"
#include "office/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int usage(void) {
  cli_error("user",
            "usage: motcua user add DATA_DIR ACCOUNT --name NAME --roles R[,R...] [--agency CODE] [--email A] [--phone N]\n"
            "                       [--now TIME]  (with no server running: the data directory opened here)\n"
            "       motcua user disable DATA_DIR ACCOUNT [--reassign-to ACCOUNT]\n"
            "       motcua user enable|password DATA_DIR ACCOUNT\n"
            "       motcua user roles DATA_DIR ACCOUNT --roles R[,R...]");
  return CLI_USAGE;
}

int cmd_user(int argc, char **argv);

/* `add` with no server: the account command executed here, its one-time
 * password's hash written beside it. */
static int add_offline(const char *dir, const char *account, const json_t *req, mc_instant now) {
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  if (eng_open(dir, NULL, &e, &why) != 0) {
    cli_error("user", "cannot open %s: %s", dir, mc_buf_cstr(&why));
    mc_buf_free(&why);
    return CLI_FAILED;
  }
  mc_buf_free(&why);
  const json_t *jr = json_object_get(req, "roles");
  const char *roles[ENG_MAX_ROLES];
  int nroles = 0;
  for (size_t i = 0; i < json_array_size(jr) && nroles < ENG_MAX_ROLES; i++)
    roles[nroles++] = json_string_value(json_array_get(jr, i));
  char cid[160];
  snprintf(cid, sizeof cid, "sys/user_add/%s/%lld", account, (long long)now);
  eng_command c = {.kind = ENG_CMD_ACCOUNT, .command_id = cid, .actor = {"motcua", "system_admin", NULL, "motcua user"},
                   .expected_version = STORE_ANY_VERSION,
                   .account = {.op = "create", .id = account, .name = json_string_value(json_object_get(req, "name")),
                               .agency = json_string_value(json_object_get(req, "agency")),
                               .email = json_string_value(json_object_get(req, "email")),
                               .phone = json_string_value(json_object_get(req, "phone")), .roles = {roles, nroles}}};
  eng_result r;
  int rc = eng_execute(e, &c, 1, now, &r);
  if (rc == 0 && r.status)
    rc = r.status;
  if (rc) {
    cli_error("user", "%s", r.message[0] ? r.message : mc_strerror(rc));
    eng_close(e);
    return CLI_FAILED;
  }
  char otp[17], hash[ACC_HASH_LEN];
  acc_one_time_password(otp);
  rc = acc_password_hash(otp, hash);
  if (rc == 0)
    rc = acc_credentials_put(eng_store(e), account, hash, true);
  if (rc == 0)
    rc = store_aux_sync(eng_store(e));
  eng_close(e);
  if (rc) {
    cli_error("user", "%s was created but its password could not be stored (%s): give it one with "
                      "`motcua user password %s %s` once the server runs", account, mc_strerror(rc), dir, account);
    return CLI_FAILED;
  }
  printf("%s: one-time password %s (shown once; it must be changed at the first login)\n", account, otp);
  sodium_memzero(otp, sizeof otp);
  return CLI_OK;
}

int cmd_user(int argc, char **argv) {
  if (argc < 4)
    return usage();
  const char *verb = argv[1], *dir = argv[2], *account = argv[3];
  static const char *const ops[][2] = {
      {"add", "user_add"},           {"disable", "user_disable"}, {"enable", "user_enable"},
      {"password", "user_password"}, {"roles", "user_roles"}};
  const char *op = NULL;
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(verb, ops[i][0]))
      op = ops[i][1];
  if (op == NULL)
    return usage();
  json_t *req = json_pack("{s:s, s:s}", "op", op, "account", account);
  mc_instant now = mc_clock_now();
  for (int i = 4; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (v == NULL) {
      json_decref(req);
      cli_error("user", "%s needs a value", argv[i]);
      return CLI_USAGE;
    }
    if (!strcmp(argv[i], "--name") || !strcmp(argv[i], "--agency") || !strcmp(argv[i], "--email") ||
        !strcmp(argv[i], "--phone")) {
      json_object_set_new(req, argv[i] + 2, json_string(v));
    } else if (!strcmp(argv[i], "--now") && !strcmp(verb, "add")) {
      if (cli_parse_now("user", v, &now) != CLI_OK) {
        json_decref(req);
        return CLI_USAGE;
      }
    } else if (!strcmp(argv[i], "--reassign-to")) {
      json_object_set_new(req, "reassign_to", json_string(v));
    } else if (!strcmp(argv[i], "--roles")) {
      json_t *roles = json_array();
      char buf[256];
      snprintf(buf, sizeof buf, "%s", v);
      for (char *save, *r = strtok_r(buf, ",", &save); r; r = strtok_r(NULL, ",", &save))
        json_array_append_new(roles, json_string(r));
      json_object_set_new(req, "roles", roles);
    } else {
      json_decref(req);
      cli_error("user", "unknown option %s", argv[i]);
      return usage();
    }
    i++;
  }
  json_t *reply;
  bool running;
  int status = cli_admin("user", dir, req, &reply, &running);
  if (!running && !strcmp(verb, "add")) {
    status = add_offline(dir, account, req, now);
    json_decref(req);
    return status;
  }
  json_decref(req);
  if (!running) {
    cli_error("user", "no server answers at %s/motcuad.sock: accounts are managed through the running motcuad "
                      "(start it: motcuad --data %s)", dir, dir);
    return CLI_FAILED;
  }
  if (status != CLI_OK)
    return status;
  if (!json_is_true(json_object_get(reply, "ok"))) {
    json_t *e = json_object_get(reply, "error");
    cli_error("user", "%s", json_string_value(json_object_get(e, "message")));
    json_decref(reply);
    return CLI_FAILED;
  }
  const char *otp = json_string_value(json_object_get(reply, "one_time_password"));
  if (otp)
    printf("%s: one-time password %s (shown once; it must be changed at the first login)\n", account, otp);
  else if (!strcmp(op, "user_roles"))
    printf("%s: roles set\n", account);
  else if (!strcmp(op, "user_disable"))
    printf("%s: disabled, %lld session(s) revoked, %lld open dossier(s) reassigned\n", account,
           (long long)json_integer_value(json_object_get(reply, "sessions_revoked")),
           (long long)json_integer_value(json_object_get(reply, "reassigned")));
  else
    printf("%s: %sd\n", account, verb);
  json_decref(reply);
  return CLI_OK;
}
