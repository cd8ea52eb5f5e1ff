/* send_code.c — what the server will do when an account is created: queue a
 * one-time code (ENG_CMD_SEND_CODE), then run the delivery worker once.
 * A helper of test_delivery.sh, until accounts exist.
 *   send-code DATA_DIR SMTP_PORT EMAIL CODE NOW */
#include "office/delivery.h"
#include "base/error.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 6)
    return 2;
  char url[64];
  snprintf(url, sizeof url, "smtp://127.0.0.1:%s", argv[2]);
  mc_instant now;
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  if (mc_instant_parse(argv[5], 420, &now) != 0 || eng_open(argv[1], NULL, &e, &why) != 0)
    return 1;
  eng_command c = {.kind = ENG_CMD_SEND_CODE, .actor = {"motcuad", "system", NULL, "test"},
                   .expected_version = STORE_ANY_VERSION,
                   .send_code = {.template_name = "verification_code", .code = argv[4], .email = argv[3]}};
  eng_result r;
  if (eng_execute(e, &c, 1, now, &r) != 0 || r.status != 0) {
    fprintf(stderr, "send-code: %s\n", r.message);
    return 1;
  }
  delivery_config cfg = {.smtp_url = url, .mail_from = "motcua@bacninh.gov.vn"};
  delivery_stats st;
  int rc = delivery_run(e, &cfg, now, &st);
  printf("sent %d, failed %d, to retry %d\n", st.sent, st.failed, st.retried);
  eng_close(e);
  return rc ? 1 : 0;
}
