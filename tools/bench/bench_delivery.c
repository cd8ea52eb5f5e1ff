/* bench_delivery.c — notifications delivered per second to a local SMTP
 * server (issue "Notifications"): N household business registrations with
 * an e-mail are filed and accepted, each causing an "accepted" message, and
 * the delivery worker sends them all (composing, SMTP, recording each
 * outcome durably).  Beside it, the ceiling: a bare libcurl client sending
 * as many e-mails of the same size to the same server, nothing recorded.
 *
 *   tools/bench-delivery.sh [N (default 2000)]   starts the server, runs this
 *   build/tools/bench/bench-delivery SMTP_PORT [N]
 * Not part of the test command.  Prints figures, never fails on them.
 */
#include "office/delivery.h"
#include "base/canon.h"
#include "tools/bench/bench_common.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct payload {
  const char *text;
  size_t len, at;
} payload;

static size_t read_payload(char *out, size_t size, size_t n, void *opaque) {
  payload *p = opaque;
  size_t want = size * n < p->len - p->at ? size * n : p->len - p->at;
  memcpy(out, p->text + p->at, want);
  p->at += want;
  return want;
}

/* The ceiling: `n` e-mails of `size` bytes, one connection each (as the
 * worker does), nothing else. */
static double bare_client(const char *url, int n, size_t size) {
  char *text = malloc(size + 256);
  int h = snprintf(text, 256, "From: <bench@motcua>\r\nTo: <ho@example.vn>\r\nSubject: bench\r\n\r\n");
  memset(text + h, 'x', size);
  memcpy(text + h + size - 2, "\r\n", 2);
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    CURL *c = curl_easy_init();
    struct curl_slist *rcpt = curl_slist_append(NULL, "<ho@example.vn>");
    payload p = {text, (size_t)h + size, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, "<bench@motcua>");
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_payload);
    curl_easy_setopt(c, CURLOPT_READDATA, &p);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    if (curl_easy_perform(c) != CURLE_OK) {
      fprintf(stderr, "bench-delivery: the SMTP server at %s does not answer\n", url);
      exit(1);
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
  }
  free(text);
  return now_s() - t0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench-delivery SMTP_PORT [N]   (tools/bench-delivery.sh starts a server)\n");
    return 2;
  }
  char url[64], dir[] = "/tmp/motcua-bench-delivery-XXXXXX";
  snprintf(url, sizeof url, "smtp://127.0.0.1:%s", argv[1]);
  int n = argc > 2 ? atoi(argv[2]) : 2000;
  if (mkdtemp(dir) == NULL)
    return 1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  if (eng_open(dir, NULL, &e, &why) != 0) {
    fprintf(stderr, "bench-delivery: %s\n", mc_buf_cstr(&why));
    return 1;
  }
  publish_bundle(e);
  printf("motcua delivery benchmark, %d notifications to %s, in %s\n\n", n, url, dir);

  /* N dossiers with an e-mail, accepted: N "accepted" messages. */
  eng_command *cmds = calloc(500, sizeof *cmds);
  eng_result *res = calloc(500, sizeof *res);
  char (*codes)[64] = calloc(500, sizeof *codes);
  mc_buf form = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &form);
  mc_canon_map(&w, 5);
  mc_canon_kv_str(&w, "address", "Số 1 Lý Thái Tổ, Bắc Ninh");
  mc_canon_kv_str(&w, "business_name", "Quán Hạnh");
  mc_canon_kv_int(&w, "capital", 10000000);
  mc_canon_kv_str(&w, "email", "ho@example.vn");
  mc_canon_kv_str(&w, "owner_id", "027190001111");
  mc_canon_finish(&w);
  static const char *const agencies[] = {"H13.X01", "H13.X02", "H13.X03"};
  mc_instant day = at("2026-03-02T08:00");
  for (int done = 0; done < n; done += 500) {
    int m = n - done < 500 ? n - done : 500;
    mc_instant today = day + (mc_instant)(done / 27000) * MC_MS_PER_DAY;
    for (int i = 0; i < m; i++)
      cmds[i] = (eng_command){.kind = ENG_CMD_SUBMIT, .actor = {"cd", "applicant", NULL, "bench"},
                              .expected_version = STORE_ANY_VERSION,
                              .submit = {.procedure = "2.000575", .agency = agencies[(done + i) % 3],
                                         .channel = "online", .form = {form.data, form.len}}};
    if (eng_execute(e, cmds, m, today, res) != 0)
      return 1;
    for (int i = 0; i < m; i++) {
      snprintf(codes[i], sizeof codes[i], "%s", res[i].dossier);
      cmds[i] = (eng_command){.kind = ENG_CMD_ACT, .actor = {"o", "reception", agencies[(done + i) % 3], "bench"},
                              .dossier = codes[i], .expected_version = STORE_ANY_VERSION, .act = {.action = "accept"}};
    }
    if (eng_execute(e, cmds, m, today + 60000, res) != 0)
      return 1;
  }

  /* Each dossier causes three messages: received and accepted to the
   * applicant, new_dossier to reception (the agency's address). */
  delivery_config cfg = {.smtp_url = url, .mail_from = "motcua@bacninh.gov.vn", .batch = 200};
  delivery_stats st;
  int sent = 0;
  double t0 = now_s();
  for (;;) {
    if (delivery_run(e, &cfg, day + 3600000, &st) != 0 || st.failed || st.retried) {
      fprintf(stderr, "bench-delivery: a message was not sent (%d failed, %d to retry)\n", st.failed, st.retried);
      return 1;
    }
    if (st.sent == 0)
      break;
    sent += st.sent;
  }
  double worker = now_s() - t0;
  double bare = bare_client(url, sent, 900);
  printf("%d messages (received, accepted, and reception's alert, for %d dossiers)\n", sent, n);
  printf("%-58s %10.0f /s\n", "notifications delivered and recorded (worker)", sent / worker);
  printf("%-58s %10.0f /s\n", "bare libcurl client, same server, same count (ceiling)", sent / bare);
  printf("%-58s %10.2f\n", "ratio", bare / worker);
  eng_close(e);
  free(cmds), free(res), free(codes);
  mc_buf_free(&form);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : 1;
}
