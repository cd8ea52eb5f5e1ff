/* bench_server.c — the server benchmark (issue "The server"): commands per
 * second and their latency through motcuad's WebSocket, beside two ceilings
 * measured with the very same mix.
 *
 * The mix (fixed; the proportions are options):
 *   - applicants: N - K connections, each logged in as one of 100 citizen
 *     accounts (0010900xxxxx, shared: a session serves several sockets), each
 *     filing birth registrations online — `submit` of procedure "1.001193" at
 *     its agency (H13.X01 unless --agencies names several; connection i files
 *     at agency i mod A) with the e-form of bench_engine.c's make_form();
 *   - officials: K = N * officials-per-100 / 100 connections (10 per 100 by
 *     default), logged in as reception officials of the agencies (10 accounts,
 *     shared likewise), each subscribed to its agency's inbox (`subscribe`,
 *     scope "agency", step "reception", from the head) and taking `act`
 *     "accept" on every new dossier pushed to it, expected_version = the
 *     version pushed.  Dossiers are partitioned among an agency's official
 *     connections by a hash of the code (FNV-1a mod K_agency), so two
 *     officials never race on one.
 * Every connection keeps exactly one request in flight (a closed loop): the
 * next is sent when the reply to the previous arrives.  Officials whose queue
 * is empty wait for a push.  With fewer officials than applicants the accepts
 * trail the submits (each official connection does as many commands per
 * second as an applicant's); the report gives both counts.
 *
 * What is measured: a command's latency is from its lws_write to its reply
 * (a motcuad reply to a command means the command is on disk); only
 * `ok: true` replies count as commands; refusals and errors are counted
 * apart by code and printed with a sample message.  After a warm-up
 * (--warmup s) the commands completed in a fixed window (--seconds) give
 * commands/s and p50 / p99 / p99.9 of their latencies, for all commands and
 * for submits and accepts apart.  Commands still unanswered when the window
 * closes are not in the percentiles: their number and the oldest one's age
 * are printed.  So are the pushes received, this process's own CPU, and the
 * dossiers still waiting for an official at the end.
 *
 * Three modes, one mix:
 *   (default)  motcuad at ws://HOST:PORT/ws.  Accounts are made by this
 *              program through the admin socket (--admin PATH, or --data DIR
 *              for DIR/motcuad.sock: user_add, applicants with an e-mail
 *              address as motcuad requires; for an account that exists,
 *              user_password), each logs in over POST /api/login, changes its
 *              one-time password with `change_password` over the WebSocket,
 *              and logs in again; the load connections send `hello` with the
 *              token.  Officials subscribe before any applicant files.
 *   --echo     bench-echo (bench_echo.c) at the same address: the same JSON
 *              messages (officials send their `act` on made-up codes since
 *              nobody pushes them anything), the echo taken as the reply —
 *              the ceiling of WebSocket framing and the event loop alone.
 *   --engine   no network: the same number of applicant and official slots
 *              drive the engine's writer thread (engine/writer.h) in this
 *              process, on a fresh data directory with the bundled workflows
 *              published, a completion resubmitting the slot's next command —
 *              the ceiling of the engine and its durable group commit.  Its
 *              clock starts a new day every 8,000 dossiers per agency (a
 *              dossier code has room for 9,999 per agency per day).
 *              It ends with what the run's log takes on disk per event
 *              (MOTCUA_BENCH_FOOTPRINT_DBS=1 lists each database's pages).
 * motcuad runs on the wall clock: one agency takes 9,999 dossiers a day, and
 * a run that exhausts them is flagged NOT VALID (fast refusals distort it);
 * use a fresh data directory per run and, for long runs, several agencies.
 *
 * The last line is one machine-readable "RESULT key=value ..." line for
 * tools/bench-server.sh.  Prints figures; never fails on them.
 *
 *   bench-server [--echo | --engine] [--host 127.0.0.1] [--port 8080]
 *                [--connections 100] [--seconds 5] [--warmup 2]
 *                [--officials-per-100 10] [--agencies H13.X01[,H13.X02...]]
 *                [--admin DATA/motcuad.sock | --data DATA]
 *                [--applicant-accounts 100] [--official-accounts 10]
 *                [--protocol NAME] [--connect-parallel 64] [--applicants-subscribe 0|1]
 *
 * --applicants-subscribe 1: each applicant connection also subscribes to its
 * own dossiers (scope "mine", as a citizen's page does) before filing, so
 * that every event is matched against every connection's subscriptions —
 * what the subscription index (api/subs.h) saves.
 */
#include "base/canon.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/writer.h"
#include "tools/bench/bench_common.h"

#include <jansson.h>
#include <libwebsockets.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Options and the mix                                                       */

#define MAX_AGENCIES 8
#define FORM_JSON                                                                                        \
  "{\"child_name\":\"Nguyễn Minh An\",\"birth_date\":\"2026-02-01\",\"gender\":\"Nam\","                 \
  "\"birth_place\":\"Bệnh viện Đa khoa tỉnh Bắc Ninh\",\"mother_id\":\"027190001234\","                  \
  "\"phone\":\"0912345678\"}"
#define PASSWORD_PREFIX "bench-password-"

static struct {
  enum { MODE_SERVER, MODE_ECHO, MODE_ENGINE } mode;
  const char *host;
  int port;
  int connections;
  double seconds, warmup;
  int officials_per_100;
  int applicant_accounts, official_accounts;
  const char *agencies[MAX_AGENCIES];
  int nagencies;
  char admin[512];
  const char *protocol; /* a WebSocket subprotocol to ask for, or NULL */
  int connect_parallel; /* connections being opened at once */
  int applicants_subscribe; /* applicants subscribe to their own dossiers ("mine") before filing */
} opt = {
    .mode = MODE_SERVER,
    .host = "127.0.0.1",
    .port = 8080,
    .connections = 100,
    .seconds = 5,
    .warmup = 2,
    .officials_per_100 = 10,
    .applicant_accounts = 100,
    .official_accounts = 10,
    .connect_parallel = 64,
};

/* Who plays what.  Officials come first (they subscribe before anyone files). */
typedef struct slot_plan {
  bool official;
  int agency;       /* index in opt.agencies */
  int agency_slot;  /* officials: my index among the agency's official connections */
  int account;      /* index in the accounts table */
} slot_plan;

static int nofficials, napplicants;
static int officials_at[MAX_AGENCIES]; /* official connections per agency */

static int official_accounts_per_agency(void) {
  int n = opt.official_accounts / opt.nagencies;
  return n < 1 ? 1 : n;
}

/* Slot i of the mix (officials_at[] counts as it goes: call in order). */
static slot_plan plan_of(int i) {
  slot_plan p = {0};
  if (i < nofficials) {
    p.official = true;
    p.agency = i % opt.nagencies;
    p.agency_slot = officials_at[p.agency]++;
    p.account = opt.applicant_accounts + p.agency * official_accounts_per_agency() +
                p.agency_slot % official_accounts_per_agency();
  } else {
    int k = i - nofficials;
    p.agency = k % opt.nagencies;
    p.account = k % opt.applicant_accounts;
  }
  return p;
}

static uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

static double mono_s(void) { return now_s(); }


/* ------------------------------------------------------------------------ */
/* Figures                                                                    */

typedef enum { PHASE_SETUP, PHASE_CONNECT, PHASE_WARMUP, PHASE_MEASURE, PHASE_DRAIN, PHASE_DONE } phase_t;

typedef struct error_count {
  char code[32];
  uint64_t count;
  char sample[256];
} error_count;

/* Latencies of the commands completed in the window, in ns. */
typedef struct lat_set {
  uint64_t *ns;
  size_t n, cap;
} lat_set;

static struct {
  phase_t phase;
  double measure_start, measure_end;
  lat_set all, submit, accept;
  uint64_t ok_submit, ok_accept;    /* in the window */
  uint64_t all_submit, all_accept;  /* since the start */
  uint64_t repeated;
  uint64_t pushes, push_frames;     /* in the window */
  error_count errors[16];
  int nerrors;
  uint64_t errors_in_window;
  bool code_space_full;             /* a day's 9,999 codes of an agency ran out */
  double bytes_per_event;           /* --engine: LMDB pages in use x page size / events */
  char last_accepted[64];           /* a real dossier code, for wrk */
  char last_status[200];            /* the public lookup of a dossier filed (its code and receipt secret), for wrk */
  uint64_t closed_unexpectedly;
  uint64_t backlog;                 /* dossiers officials had not reached at the end */
  /* Commands sent but not answered when the window closed: they are not in
   * the percentiles, so say how many and how old the oldest was. */
  uint64_t unanswered, unanswered_accepts;
  double oldest_unanswered_ms;
  double cpu_start, cpu_end;        /* this process's CPU seconds (user + system) */
} fig;

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         (double)ru.ru_stime.tv_usec / 1e6;
}

static void lat_add(lat_set *l, uint64_t ns) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 1 << 16;
    uint64_t *p = realloc(l->ns, cap * sizeof *p);
    if (p == NULL)
      return;
    l->ns = p;
    l->cap = cap;
  }
  l->ns[l->n++] = ns;
}

static void lat_record(bool accept, uint64_t ns) {
  lat_add(&fig.all, ns);
  lat_add(accept ? &fig.accept : &fig.submit, ns);
}

static void error_record(const char *code, const char *message) {
  if (fig.phase == PHASE_MEASURE)
    fig.errors_in_window++;
  if (message && strstr(message, "code space") && (fig.phase == PHASE_WARMUP || fig.phase == PHASE_MEASURE))
    fig.code_space_full = true;
  for (int i = 0; i < fig.nerrors; i++)
    if (!strcmp(fig.errors[i].code, code)) {
      fig.errors[i].count++;
      return;
    }
  if (fig.nerrors == (int)(sizeof fig.errors / sizeof fig.errors[0]))
    return;
  error_count *e = &fig.errors[fig.nerrors++];
  snprintf(e->code, sizeof e->code, "%s", code);
  snprintf(e->sample, sizeof e->sample, "%s", message ? message : "");
  e->count = 1;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double pct_ms(const lat_set *l, double q) {
  if (l->n == 0)
    return 0;
  size_t i = (size_t)(q * (double)l->n);
  if (i >= l->n)
    i = l->n - 1;
  return (double)l->ns[i] / 1e6;
}

static void lat_print(const char *label, lat_set *l) {
  qsort(l->ns, l->n, sizeof *l->ns, cmp_u64);
  printf("  %-18s p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n", label, pct_ms(l, 0.50), pct_ms(l, 0.99),
         pct_ms(l, 0.999), l->n ? (double)l->ns[l->n - 1] / 1e6 : 0.0);
}

static void report(const char *mode_name, int established) {
  double window = fig.measure_end - fig.measure_start;
  uint64_t ok = fig.ok_submit + fig.ok_accept;
  double cps = window > 0 ? (double)ok / window : 0;
  printf("  connections        %d established of %d (%d applicants, %d officials)\n", established,
         opt.connections, napplicants, nofficials);
  printf("  window             %.2f s after %.1f s of warm-up\n", window, opt.warmup);
  printf("  commands ok        %llu = %.0f/s (submit %llu, accept %llu)\n", (unsigned long long)ok, cps,
         (unsigned long long)fig.ok_submit, (unsigned long long)fig.ok_accept);
  printf("  since the start    %llu submitted, %llu accepted (warm-up and drain included)\n",
         (unsigned long long)fig.all_submit, (unsigned long long)fig.all_accept);
  lat_print("latency", &fig.all);
  lat_print("  of submit", &fig.submit);
  lat_print("  of accept", &fig.accept);
  if (window > 0)
    printf("  this process       %.0f %% of a core during the window%s\n",
           100 * (fig.cpu_end - fig.cpu_start) / window,
           opt.mode == MODE_ENGINE ? " (the engine included)" : " (the load generator)");
  if (fig.unanswered)
    printf("  unanswered         %llu commands (%llu accepts) in flight when the window closed, the oldest sent "
           "%.0f ms before\n",
           (unsigned long long)fig.unanswered, (unsigned long long)fig.unanswered_accepts, fig.oldest_unanswered_ms);
  if (fig.pushes)
    printf("  pushes received    %llu in %llu frames (%.0f/s)\n", (unsigned long long)fig.pushes,
           (unsigned long long)fig.push_frames, window > 0 ? (double)fig.pushes / window : 0);
  if (fig.repeated)
    printf("  repeated           %llu replies said \"repeated\": true\n", (unsigned long long)fig.repeated);
  printf("  errors             %llu in the window%s\n", (unsigned long long)fig.errors_in_window,
         fig.nerrors ? "; by code, over the whole run:" : "");
  for (int i = 0; i < fig.nerrors; i++)
    printf("    %-16s %llu  e.g. %s\n", fig.errors[i].code, (unsigned long long)fig.errors[i].count,
           fig.errors[i].sample);
  if (fig.backlog)
    printf("  backlog            %llu dossiers filed were still waiting in officials' queues at the end\n",
           (unsigned long long)fig.backlog);
  if (fig.closed_unexpectedly)
    printf("  closed by the peer %llu connections\n", (unsigned long long)fig.closed_unexpectedly);
  if (fig.last_accepted[0])
    printf("  a dossier accepted %s\n", fig.last_accepted);
  if (fig.code_space_full)
    printf("  NOT VALID          an agency's 9,999 dossier codes of the day ran out during the run: the refusals\n"
           "                     are fast and distort the figures; use a fresh data directory, more agencies\n"
           "                     (--agencies) or a shorter run\n");
  printf("RESULT mode=%s connections=%d established=%d commands=%llu cps=%.0f p50_ms=%.3f p99_ms=%.3f "
         "p999_ms=%.3f submit=%llu accept=%llu errors=%llu pushes=%llu accept_p99_ms=%.3f unanswered=%llu "
         "valid=%d dossier=%s bytes_per_event=%.0f status=%s\n",
         mode_name, opt.connections, established, (unsigned long long)ok, cps, pct_ms(&fig.all, 0.50),
         pct_ms(&fig.all, 0.99), pct_ms(&fig.all, 0.999), (unsigned long long)fig.ok_submit,
         (unsigned long long)fig.ok_accept, (unsigned long long)fig.errors_in_window, (unsigned long long)fig.pushes,
         pct_ms(&fig.accept, 0.99), (unsigned long long)fig.unanswered, !fig.code_space_full,
         fig.last_accepted[0] ? fig.last_accepted : "-", fig.bytes_per_event,
         fig.last_status[0] ? fig.last_status : "-");
  fflush(stdout);
}

/* ------------------------------------------------------------------------ */
/* Accounts: the admin socket and POST /api/login (blocking, before and      */
/* between the measured phases; never timed)                                 */

typedef struct account {
  char id[48];
  bool official;
  int agency;
  char otp[128];
  char token[160];
  char password[96];
  bool must_change;
  int stage;        /* 0: login with the one-time password, 1: with the new one */
  int rc;           /* of the last login */
  char why[256];
  uv_work_t work;
} account;

static account *accounts;
static int naccounts;

/* One request on the admin socket, one line back: a JSON object (caller frees). */
static json_t *admin_call(int fd, const char *line) {
  size_t len = strlen(line);
  if (write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
    return NULL;
  static char buf[65536];
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, buf + have, 1);
    if (n <= 0)
      return NULL;
    if (buf[have] == '\n')
      break;
    if (++have == sizeof buf - 1)
      return NULL;
  }
  json_error_t err;
  return json_loadb(buf, have, 0, &err);
}

static int admin_connect(void) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  struct timeval tv = {10, 0};
  if (fd < 0 || strlen(opt.admin) >= sizeof sa.sun_path)
    return -1;
  memcpy(sa.sun_path, opt.admin, strlen(opt.admin) + 1);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static const char *reply_error(json_t *r) {
  json_t *e = json_object_get(r, "error");
  const char *msg = json_string_value(json_object_get(e, "message"));
  return msg ? msg : "(no message)";
}

/* Creates (or, when it exists, gives a new one-time password to) every account. */
static int accounts_make(void) {
  int per_agency = official_accounts_per_agency();
  naccounts = opt.applicant_accounts + per_agency * opt.nagencies;
  accounts = calloc((size_t)naccounts, sizeof *accounts);
  int fd = admin_connect();
  if (fd < 0) {
    fprintf(stderr, "bench-server: cannot connect to the admin socket %s: %s\n", opt.admin, strerror(errno));
    return -1;
  }
  for (int i = 0; i < naccounts; i++) {
    account *a = &accounts[i];
    char line[1024];
    if (i < opt.applicant_accounts) {
      snprintf(a->id, sizeof a->id, "0010900%05d", i + 1);
      snprintf(line, sizeof line,
               "{\"op\":\"user_add\",\"id\":\"a%d\",\"account\":\"%s\",\"kind\":\"person\","
               "\"roles\":[\"applicant\"],\"name\":\"Người Thử Tải %d\",\"email\":\"%s@example.vn\"}",
               i, a->id, i + 1, a->id);
    } else {
      int k = i - opt.applicant_accounts;
      a->official = true;
      a->agency = k / per_agency;
      /* bench.x01.r01: lower-case, digits and dots. */
      char agency[24];
      snprintf(agency, sizeof agency, "%s", opt.agencies[a->agency]);
      for (char *p = agency; *p; p++)
        *p = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
      const char *dot = strrchr(agency, '.');
      snprintf(a->id, sizeof a->id, "bench.%s.r%02d", dot ? dot + 1 : agency, k % per_agency + 1);
      snprintf(line, sizeof line,
               "{\"op\":\"user_add\",\"id\":\"o%d\",\"account\":\"%s\",\"name\":\"Cán Bộ Thử Tải %d\","
               "\"agency\":\"%s\",\"roles\":[\"reception\"]}",
               i, a->id, k + 1, opt.agencies[a->agency]);
    }
    snprintf(a->password, sizeof a->password, PASSWORD_PREFIX "%s", a->id);
    json_t *r = admin_call(fd, line);
    if (r && json_is_false(json_object_get(r, "ok")) &&
        json_string_value(json_object_get(json_object_get(r, "error"), "code")) &&
        !strcmp(json_string_value(json_object_get(json_object_get(r, "error"), "code")), "conflict")) {
      json_decref(r);
      snprintf(line, sizeof line, "{\"op\":\"user_password\",\"id\":\"p%d\",\"account\":\"%s\"}", i, a->id);
      r = admin_call(fd, line);
    }
    const char *otp = json_string_value(json_object_get(r, "one_time_password"));
    if (r == NULL || !json_is_true(json_object_get(r, "ok")) || otp == NULL) {
      fprintf(stderr, "bench-server: admin socket, account %s: %s\n", a->id,
              r ? reply_error(r) : "no reply (timeout or closed)");
      json_decref(r);
      close(fd);
      return -1;
    }
    snprintf(a->otp, sizeof a->otp, "%s", otp);
    json_decref(r);
  }
  close(fd);
  return 0;
}

/* strcasestr, which POSIX lacks. */
static const char *header_find(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++)
    if (!strncasecmp(hay, needle, n))
      return hay;
  return NULL;
}

/* The logins come from several loopback addresses, 127.0.0.2 to 127.0.0.201
 * by account: a server limits logins per address (and before failures alone
 * counted, every right login counted too), so one address for 39 accounts
 * would be locked out on any commit.  Only when the server is on loopback. */
static void bind_source(int fd, int index) {
  struct sockaddr_in src = {.sin_family = AF_INET};
  if (strncmp(opt.host, "127.", 4) != 0)
    return;
  src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(index % 200));
  if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0)
    fprintf(stderr, "bench-server: cannot bind to 127.0.0.%d: %s (logging in from 127.0.0.1)\n", 2 + index % 200,
            strerror(errno));
}

/* POST path with a JSON body over a fresh connection from the source address
 * of `source` (bind_source); the body of the reply (de-chunked) into `out`
 * (caller frees).  Returns the HTTP status or -1. */
static int http_post(const char *path, const char *body, int source, char **out) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
  struct timeval tv = {15, 0};
  *out = NULL;
  if (fd < 0)
    return -1;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bind_source(fd, source);
  if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  char head[512];
  int hl = snprintf(head, sizeof head,
                    "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                    path, opt.host, opt.port, strlen(body));
  if (write(fd, head, (size_t)hl) != hl || write(fd, body, strlen(body)) != (ssize_t)strlen(body)) {
    close(fd);
    return -1;
  }
  size_t cap = 8192, len = 0;
  char *buf = malloc(cap + 1);
  long content_length = -1;
  char *body_at = NULL;
  for (;;) {
    if (len == cap) {
      size_t body_off = body_at ? (size_t)(body_at - buf) : 0;
      cap *= 2;
      char *p = realloc(buf, cap + 1);
      if (p == NULL)
        break;
      body_at = body_at ? p + body_off : NULL;
      buf = p;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n <= 0)
      break;
    len += (size_t)n;
    buf[len] = 0;
    if (body_at == NULL && (body_at = strstr(buf, "\r\n\r\n")) != NULL) {
      body_at += 4;
      const char *cl = header_find(buf, "\r\nContent-Length:");
      if (cl && cl < body_at)
        content_length = atol(cl + 17);
    }
    if (body_at && content_length >= 0 && (long)(len - (size_t)(body_at - buf)) >= content_length)
      break;
  }
  close(fd);
  buf[len] = 0;
  int status = -1;
  if (len > 12 && !strncmp(buf, "HTTP/1.", 7))
    status = atoi(buf + 9);
  if (body_at == NULL) {
    free(buf);
    return status;
  }
  size_t blen = len - (size_t)(body_at - buf);
  if (content_length >= 0 && (size_t)content_length < blen)
    blen = (size_t)content_length;
  const char *te = header_find(buf, "\r\nTransfer-Encoding: chunked");
  char *res = malloc(blen + 1);
  size_t rl = 0;
  if (te && te < body_at) {
    const char *p = body_at, *end = body_at + blen;
    while (p < end) {
      char *nl;
      long n = strtol(p, &nl, 16);
      if (n <= 0 || (nl = strstr(nl, "\r\n")) == NULL || nl + 2 + n > end)
        break;
      memcpy(res + rl, nl + 2, (size_t)n);
      rl += (size_t)n;
      p = nl + 2 + n + 2;
    }
  } else {
    memcpy(res, body_at, blen);
    rl = blen;
  }
  res[rl] = 0;
  free(buf);
  *out = res;
  return status;
}

/* On a thread of libuv's pool: one login. */
static void login_work(uv_work_t *w) {
  account *a = w->data;
  char body[512], *reply = NULL;
  snprintf(body, sizeof body, "{\"id\":\"%s\",\"password\":\"%s\"}", a->id, a->stage == 0 ? a->otp : a->password);
  int status = http_post("/api/login", body, (int)(a - accounts), &reply);
  json_error_t err;
  json_t *r = reply ? json_loads(reply, 0, &err) : NULL;
  const char *token = json_string_value(json_object_get(r, "token"));
  a->rc = -1;
  if (status == 200 && token) {
    snprintf(a->token, sizeof a->token, "%s", token);
    a->must_change = json_is_true(json_object_get(r, "must_change_password"));
    a->rc = 0;
  } else {
    snprintf(a->why, sizeof a->why, "POST /api/login: HTTP %d %s", status, reply ? reply : "(no reply)");
  }
  json_decref(r);
  free(reply);
}

/* ------------------------------------------------------------------------ */
/* The WebSocket connections                                                 */

/* Dossiers pushed to (or, in --engine, filed for) one official, waiting
 * for its accept: a ring that grows. */
typedef struct pending {
  char code[40];
  uint64_t version;
} pending;

typedef struct dossier_queue {
  pending *q;
  size_t head, len, cap;
} dossier_queue;

static void queue_push(dossier_queue *dq, const char *code, uint64_t version) {
  if (dq->len == dq->cap) {
    size_t cap = dq->cap ? dq->cap * 2 : 64;
    pending *p = malloc(cap * sizeof *p);
    if (p == NULL)
      return;
    for (size_t i = 0; i < dq->len; i++)
      p[i] = dq->q[(dq->head + i) % dq->cap];
    free(dq->q);
    dq->q = p;
    dq->cap = cap;
    dq->head = 0;
  }
  pending *e = &dq->q[(dq->head + dq->len++) % dq->cap];
  snprintf(e->code, sizeof e->code, "%s", code);
  e->version = version;
}

static bool queue_pop(dossier_queue *dq, pending *out) {
  if (dq->len == 0)
    return false;
  *out = dq->q[dq->head];
  dq->head = (dq->head + 1) % dq->cap;
  dq->len--;
  return true;
}

typedef enum { REQ_NONE, REQ_HELLO, REQ_CHANGE, REQ_PING, REQ_SUBSCRIBE, REQ_SUBMIT, REQ_ACCEPT } req_kind;

typedef struct conn {
  int index;
  bool setup;             /* a setup connection: hello + change_password, then close */
  slot_plan plan;
  account *acct;
  struct lws *wsi;
  bool opened, failed, ready, closing, closed;
  /* the request in flight */
  req_kind req;
  uint64_t req_id;
  uint64_t sent_ns;
  bool want_write;
  size_t out_len;
  unsigned char *out;     /* LWS_PRE + 4096 */
  char acting[40];        /* the dossier an accept is about */
  /* reassembly */
  char *rx;
  size_t rx_len, rx_cap;
  dossier_queue inbox;    /* officials: dossiers pushed to me, waiting for my accept */
} conn;

#define OUT_CAP 4096

static uv_loop_t loop;
static struct lws_context *context;
static uv_timer_t phase_timer, watchdog_timer;
static uv_signal_t sigint_handle;
static conn *conns;
static int nconns_total;      /* setup connections or load connections, by phase */
static int next_open, connecting, established, finished_setup, ready_count, dead_count;
static int logins_pending;
static uint64_t in_flight;
static char run_nonce[16];
static bool interrupted;

static void phase_next(void);
static void conn_send_next(conn *c);

/* Puts a message in the connection's buffer and asks for a writable callback. */
static void conn_queue(conn *c, req_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void conn_queue(conn *c, req_kind kind, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf((char *)c->out + LWS_PRE, OUT_CAP, fmt, ap);
  va_end(ap);
  if (n < 0 || n >= OUT_CAP) {
    fprintf(stderr, "bench-server: a request does not fit in %d bytes\n", OUT_CAP);
    exit(1);
  }
  c->out_len = (size_t)n;
  c->req = kind;
  c->want_write = true;
  in_flight += kind == REQ_SUBMIT || kind == REQ_ACCEPT;
  lws_callback_on_writable(c->wsi);
}

static bool sending_allowed(void) { return fig.phase == PHASE_WARMUP || fig.phase == PHASE_MEASURE; }

/* The next command of the closed loop, if any. */
static void conn_send_next(conn *c) {
  if (!sending_allowed() || c->closing || c->req != REQ_NONE || c->wsi == NULL)
    return;
  uint64_t id = c->req_id + 1;
  if (!c->plan.official) {
    c->req_id = id;
    conn_queue(c, REQ_SUBMIT,
               "{\"op\":\"submit\",\"id\":\"%llu\",\"command_id\":\"%s-%d-%llu\",\"procedure\":\"1.001193\","
               "\"agency\":\"%s\",\"form\":" FORM_JSON "}",
               (unsigned long long)id, run_nonce, c->index, (unsigned long long)id, opt.agencies[c->plan.agency]);
    return;
  }
  pending p;
  if (opt.mode == MODE_ECHO) {
    /* Nobody pushes anything to an echo: a made-up dossier of the same length. */
    snprintf(p.code, sizeof p.code, "%s-261126-%04d", opt.agencies[c->plan.agency], (int)(id % 10000));
    p.version = 1;
  } else {
    if (!queue_pop(&c->inbox, &p))
      return; /* idle until a push */
  }
  snprintf(c->acting, sizeof c->acting, "%s", p.code);
  c->req_id = id;
  conn_queue(c, REQ_ACCEPT,
             "{\"op\":\"act\",\"id\":\"%llu\",\"command_id\":\"%s-%d-%llu\",\"dossier\":\"%s\","
             "\"expected_version\":%llu,\"action\":\"accept\",\"role\":\"reception\"}",
             (unsigned long long)id, run_nonce, c->index, (unsigned long long)id, p.code,
             (unsigned long long)p.version);
}

static void conn_close(conn *c) {
  c->closing = true;
  if (c->wsi)
    lws_callback_on_writable(c->wsi);
}

static void fatal_reply(conn *c, const char *what, json_t *r) {
  fprintf(stderr, "bench-server: connection %d (%s): %s failed: %s\n", c->index, c->acct ? c->acct->id : "-", what,
          r ? reply_error(r) : "no usable reply");
  c->failed = true;
  dead_count++;
  conn_close(c);
  phase_next();
}

/* A push: an event of the agency's inbox is mine if the hash of its code
 * says so.  `state` and `code` may be NULL (not an event). */
static void on_push(conn *c, const char *kind, const char *code, const char *state, uint64_t version,
                    const char *reason) {
  if (fig.phase == PHASE_MEASURE)
    fig.pushes++;
  if (!strcmp(kind, "closing") || !strcmp(kind, "revoked")) {
    error_record(kind, reason);
    return;
  }
  if (strcmp(kind, "event") != 0 || !c->plan.official || code == NULL || state == NULL ||
      strcmp(state, "submitted") != 0)
    return;
  int n = officials_at[c->plan.agency];
  if ((int)(fnv1a(code) % (uint32_t)n) != c->plan.agency_slot)
    return;
  queue_push(&c->inbox, code, version);
  conn_send_next(c);
}

static void on_push_json(conn *c, json_t *p) {
  const char *kind = json_string_value(json_object_get(p, "push"));
  json_t *version = json_object_get(p, "version");
  if (kind)
    on_push(c, kind, json_string_value(json_object_get(p, "dossier")), json_string_value(json_object_get(p, "state")),
            json_is_integer(version) ? (uint64_t)json_integer_value(version) : 0,
            json_string_value(json_object_get(p, "reason")));
}

/* Every official connection receives every dossier filed at its agency and
 * keeps one in K: building a jansson tree of each push would make this
 * client, not the server, the bottleneck at 1,000 connections.  This walks
 * the text once and reads the few top-level fields an event push needs
 * (push, dossier, state: strings without escapes; version: an integer);
 * any other shape goes to jansson. */
static const char *skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* p at a '"': the end of the string, or NULL.  *plain: no escapes in it. */
static const char *skip_string(const char *p, const char *end, bool *plain) {
  *plain = true;
  for (p++; p < end; p++) {
    if (*p == '\\') {
      *plain = false;
      p++;
    } else if (*p == '"') {
      return p + 1;
    }
  }
  return NULL;
}

static const char *skip_value(const char *p, const char *end, int depth) {
  bool plain;
  p = skip_ws(p, end);
  if (p == end || depth > 32)
    return NULL;
  if (*p == '"')
    return skip_string(p, end, &plain);
  if (*p == '{' || *p == '[') {
    char close = *p == '{' ? '}' : ']';
    p = skip_ws(p + 1, end);
    if (p < end && *p == close)
      return p + 1;
    for (;;) {
      if (close == '}') {
        if (p == end || *p != '"' || (p = skip_string(p, end, &plain)) == NULL)
          return NULL;
        p = skip_ws(p, end);
        if (p == end || *p++ != ':')
          return NULL;
      }
      if ((p = skip_value(p, end, depth + 1)) == NULL)
        return NULL;
      p = skip_ws(p, end);
      if (p == end)
        return NULL;
      if (*p == close)
        return p + 1;
      if (*p++ != ',')
        return NULL;
      p = skip_ws(p, end);
    }
  }
  while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n')
    p++;
  return p;
}

/* One push object at p: handled, and the pointer after it; NULL if it is
 * not a flat event push this can read. */
static const char *scan_push(conn *c, const char *p, const char *end) {
  char kind[16] = "", code[48] = "", state[32] = "";
  uint64_t version = 0;
  bool plain;
  p = skip_ws(p, end);
  if (p == end || *p != '{')
    return NULL;
  p = skip_ws(p + 1, end);
  while (p < end && *p != '}') {
    const char *key = p + 1, *key_end;
    if (*p != '"' || (p = skip_string(p, end, &plain)) == NULL || !plain)
      return NULL;
    key_end = p - 1;
    p = skip_ws(p, end);
    if (p == end || *p++ != ':')
      return NULL;
    p = skip_ws(p, end);
    const char *value = p;
    if ((p = skip_value(p, end, 0)) == NULL)
      return NULL;
    size_t klen = (size_t)(key_end - key);
    char *into = NULL;
    size_t cap = 0;
    if (klen == 4 && !memcmp(key, "push", 4))
      into = kind, cap = sizeof kind;
    else if (klen == 7 && !memcmp(key, "dossier", 7))
      into = code, cap = sizeof code;
    else if (klen == 5 && !memcmp(key, "state", 5))
      into = state, cap = sizeof state;
    else if (klen == 7 && !memcmp(key, "version", 7))
      version = strtoull(value, NULL, 10);
    if (into) {
      size_t n = (size_t)(p - value);
      if (*value != '"' || n < 2 || n - 2 >= cap || memchr(value, '\\', n))
        return NULL;
      memcpy(into, value + 1, n - 2);
      into[n - 2] = 0;
    }
    p = skip_ws(p, end);
    if (p < end && *p == ',')
      p = skip_ws(p + 1, end);
  }
  if (p == end || strcmp(kind, "event") != 0 || !code[0] || !state[0])
    return NULL;
  on_push(c, kind, code, state, version, NULL);
  return p + 1;
}

static void on_reply(conn *c, json_t *r);

/* A frame of one push or an array of them.  False: not a push this can
 * read (a reply, caught_up, ...), nothing was handled, let jansson read it. */
static bool scan_pushes(conn *c, const char *buf, size_t len) {
  const char *end = buf + len, *p = skip_ws(buf, end);
  if (p == end)
    return false;
  if (*p == '{') {
    if (scan_push(c, p, end) == NULL)
      return false;
  } else if (*p == '[') {
    p = skip_ws(p + 1, end);
    while (p < end && *p != ']') {
      const char *obj = p;
      if ((p = skip_value(p, end, 0)) == NULL) {
        error_record("bad_json", "an array of pushes that does not end");
        return true;
      }
      if (scan_push(c, obj, p) == NULL) {
        json_error_t err;
        json_t *m = json_loadb(obj, (size_t)(p - obj), 0, &err);
        if (m && json_object_get(m, "push"))
          on_push_json(c, m);
        else if (m)
          on_reply(c, m); /* a frame may batch replies with pushes (docs/PROTOCOL.md) */
        else
          error_record("bad_json", err.text);
        json_decref(m);
      }
      p = skip_ws(p, end);
      if (p < end && *p == ',')
        p = skip_ws(p + 1, end);
    }
  } else {
    return false;
  }
  if (fig.phase == PHASE_MEASURE)
    fig.push_frames++;
  return true;
}

static void on_reply(conn *c, json_t *r) {
  uint64_t now = mc_mono_ns();
  const char *id = json_string_value(json_object_get(r, "id"));
  if (id == NULL || strtoull(id, NULL, 10) != c->req_id || c->req == REQ_NONE) {
    error_record("unmatched", "a reply whose id is not the request in flight");
    return;
  }
  req_kind kind = c->req;
  c->req = REQ_NONE;
  bool ok = opt.mode == MODE_ECHO || json_is_true(json_object_get(r, "ok"));
  switch (kind) {
  case REQ_HELLO:
    if (!ok) {
      fatal_reply(c, "hello", r);
      return;
    }
    if (c->setup) {
      if (!json_is_true(json_object_get(r, "must_change_password"))) {
        finished_setup++;
        conn_close(c);
        phase_next();
        return;
      }
      c->req_id++;
      conn_queue(c, REQ_CHANGE, "{\"op\":\"change_password\",\"id\":\"%llu\",\"old\":\"%s\",\"new\":\"%s\"}",
                 (unsigned long long)c->req_id, c->acct->otp, c->acct->password);
      return;
    }
    if (c->plan.official || (opt.applicants_subscribe && opt.mode == MODE_SERVER)) {
      c->req_id++;
      conn_queue(c, REQ_PING, "{\"op\":\"ping\",\"id\":\"%llu\"}", (unsigned long long)c->req_id);
      return;
    }
    c->ready = true;
    ready_count++;
    phase_next();
    return;
  case REQ_CHANGE:
    if (!ok) {
      fatal_reply(c, "change_password", r);
      return;
    }
    finished_setup++;
    conn_close(c);
    phase_next();
    return;
  case REQ_PING: {
    if (!ok) {
      fatal_reply(c, "ping", r);
      return;
    }
    /* Subscribe from the head: only the dossiers filed from now on. */
    json_int_t head = json_integer_value(json_object_get(r, "seq"));
    c->req_id++;
    if (c->plan.official)
      conn_queue(c, REQ_SUBSCRIBE,
                 "{\"op\":\"subscribe\",\"id\":\"%llu\",\"scope\":\"agency\",\"step\":\"reception\",\"after\":%lld}",
                 (unsigned long long)c->req_id, (long long)head);
    else /* an applicant's page follows its own dossiers */
      conn_queue(c, REQ_SUBSCRIBE, "{\"op\":\"subscribe\",\"id\":\"%llu\",\"scope\":\"mine\",\"after\":%lld}",
                 (unsigned long long)c->req_id, (long long)head);
    return;
  }
  case REQ_SUBSCRIBE:
    if (!ok) {
      fatal_reply(c, "subscribe", r);
      return;
    }
    c->ready = true;
    ready_count++;
    phase_next();
    return;
  case REQ_SUBMIT:
  case REQ_ACCEPT:
    in_flight--;
    if (ok) {
      bool submit = kind == REQ_SUBMIT;
      if (submit)
        fig.all_submit++;
      else
        fig.all_accept++;
      if (fig.phase == PHASE_MEASURE) {
        if (submit)
          fig.ok_submit++;
        else
          fig.ok_accept++;
        lat_record(!submit, now - c->sent_ns);
      }
      if (json_is_true(json_object_get(r, "repeated")))
        fig.repeated++;
      if (!submit && opt.mode == MODE_SERVER)
        snprintf(fig.last_accepted, sizeof fig.last_accepted, "%s", c->acting);
      /* The lookup path of the receipt's link (without the server's address). */
      const char *url = json_string_value(json_object_get(r, "status_url"));
      const char *path = url ? strstr(url, "/api/status/") : NULL;
      if (submit && path)
        snprintf(fig.last_status, sizeof fig.last_status, "%s", path);
    } else {
      json_t *e = json_object_get(r, "error");
      char what[320];
      const char *code = json_string_value(json_object_get(e, "code"));
      const char *message = json_string_value(json_object_get(e, "message"));
      snprintf(what, sizeof what, "%s%s: %s", kind == REQ_SUBMIT ? "submit" : "accept ",
               kind == REQ_ACCEPT ? c->acting : "", message ? message : "");
      error_record(code ? code : "no_code", what);
    }
    conn_send_next(c);
    if (fig.phase == PHASE_DRAIN)
      phase_next();
    return;
  default:
    return;
  }
}

static void on_message(conn *c, const char *buf, size_t len) {
  if (c->plan.official && opt.mode == MODE_SERVER && scan_pushes(c, buf, len))
    return;
  json_error_t err;
  json_t *m = json_loadb(buf, len, 0, &err);
  if (m == NULL) {
    error_record("bad_json", err.text);
    return;
  }
  if (json_is_array(m)) {
    if (fig.phase == PHASE_MEASURE)
      fig.push_frames++;
    size_t i;
    json_t *p;
    json_array_foreach(m, i, p) {
      if (json_object_get(p, "push"))
        on_push_json(c, p);
      else
        on_reply(c, p); /* a frame may batch replies with pushes (docs/PROTOCOL.md) */
    }
  } else if (opt.mode != MODE_ECHO && json_object_get(m, "push")) {
    if (fig.phase == PHASE_MEASURE)
      fig.push_frames++;
    on_push_json(c, m);
  } else {
    on_reply(c, m);
  }
  json_decref(m);
}

static void open_more(void);

static void conn_gone(conn *c, const char *why) {
  bool was_open = c->opened;
  c->wsi = NULL;
  if (c->closed)
    return;
  c->closed = true;
  if (c->req == REQ_SUBMIT || c->req == REQ_ACCEPT)
    in_flight--;
  c->req = REQ_NONE;
  if (!c->closing && !c->failed) {
    if (!was_open)
      fprintf(stderr, "bench-server: connection %d could not be opened: %s\n", c->index, why ? why : "?");
    else if (fig.phase < PHASE_DRAIN)
      fig.closed_unexpectedly++;
    c->failed = true;
    dead_count++;
  }
  if (!was_open)
    connecting--;
  open_more();
  phase_next();
}

static int client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  (void)user;
  conn *c = lws_get_opaque_user_data(wsi);
  if (c == NULL)
    return 0;
  switch (reason) {
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    conn_gone(c, in ? (const char *)in : "connection error");
    return 0;
  case LWS_CALLBACK_CLIENT_ESTABLISHED:
    c->wsi = wsi;
    c->opened = true;
    connecting--;
    established++;
    if (c->setup || opt.mode == MODE_SERVER) {
      c->req_id++;
      conn_queue(c, REQ_HELLO, "{\"op\":\"hello\",\"id\":\"%llu\",\"token\":\"%s\"}", (unsigned long long)c->req_id,
                 c->acct->token);
    } else {
      c->ready = true;
      ready_count++;
    }
    open_more();
    phase_next();
    return 0;
  case LWS_CALLBACK_CLIENT_RECEIVE:
    if (c->rx_len + len > c->rx_cap) {
      size_t cap = c->rx_cap ? c->rx_cap : 4096;
      while (cap < c->rx_len + len)
        cap *= 2;
      char *p = realloc(c->rx, cap);
      if (p == NULL)
        return -1;
      c->rx = p;
      c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
      size_t n = c->rx_len;
      c->rx_len = 0;
      on_message(c, c->rx, n);
    }
    return 0;
  case LWS_CALLBACK_CLIENT_WRITEABLE:
    if (c->closing)
      return -1;
    if (c->want_write) {
      c->want_write = false;
      c->sent_ns = mc_mono_ns();
      if (lws_write(wsi, c->out + LWS_PRE, c->out_len, LWS_WRITE_TEXT) < (int)c->out_len)
        return -1;
    }
    return 0;
  case LWS_CALLBACK_CLIENT_CLOSED:
    conn_gone(c, "closed");
    return 0;
  default:
    return 0;
  }
}

static const struct lws_protocols client_protocols[] = {
    {"bench", client_callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Opens connections up to opt.connect_parallel at a time. */
static void open_more(void) {
  while (next_open < nconns_total && connecting < opt.connect_parallel &&
         (fig.phase == PHASE_SETUP || fig.phase == PHASE_CONNECT)) {
    conn *c = &conns[next_open++];
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = context;
    ci.address = opt.host;
    ci.port = opt.port;
    ci.path = "/ws";
    ci.host = opt.host;
    ci.origin = opt.host;
    ci.protocol = opt.protocol;
    ci.local_protocol_name = "bench";
    ci.opaque_user_data = c;
    ci.pwsi = &c->wsi;
    connecting++;
    if (lws_client_connect_via_info(&ci) == NULL && !c->closed) {
      c->closed = c->failed = true;
      dead_count++;
      connecting--;
      fprintf(stderr, "bench-server: connection %d: lws_client_connect_via_info failed\n", c->index);
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Phases of the network modes                                                */

static conn *load_conns, *setup_conns;
static int nload, nsetup;
static double setup_started, connect_started;

static void conns_make(conn **out, int n) {
  *out = calloc((size_t)n, sizeof **out);
  for (int i = 0; i < n; i++) {
    (*out)[i].index = i;
    (*out)[i].out = malloc(LWS_PRE + OUT_CAP);
  }
}

static void on_watchdog(uv_timer_t *t);

static void start_load_connections(void) {
  fig.phase = PHASE_CONNECT;
  conns = load_conns;
  nconns_total = nload;
  next_open = connecting = established = ready_count = dead_count = 0;
  printf("  opening %d connections ...\n", nload);
  fflush(stdout);
  connect_started = mono_s();
  uv_timer_start(&watchdog_timer, on_watchdog, 120000, 0);
  open_more();
}

static void after_login(uv_work_t *w, int status) {
  account *a = w->data;
  (void)status;
  if (a->rc != 0)
    fprintf(stderr, "bench-server: account %s: %s\n", a->id, a->why);
  logins_pending--;
  if (logins_pending == 0)
    phase_next();
}

static void logins_start(int stage) {
  logins_pending = naccounts;
  for (int i = 0; i < naccounts; i++) {
    accounts[i].stage = stage;
    accounts[i].work.data = &accounts[i];
    uv_queue_work(&loop, &accounts[i].work, login_work, after_login);
  }
}

static void on_phase_timer(uv_timer_t *t);

static void finish(void) {
  if (fig.phase == PHASE_DONE)
    return;
  fig.phase = PHASE_DONE;
  uv_timer_stop(&phase_timer);
  uv_timer_stop(&watchdog_timer);
  uv_close((uv_handle_t *)&phase_timer, NULL);
  uv_close((uv_handle_t *)&watchdog_timer, NULL);
  uv_signal_stop(&sigint_handle);
  uv_close((uv_handle_t *)&sigint_handle, NULL);
  if (context)
    lws_context_destroy(context); /* closes every connection; finalised after uv_run */
}

/* Moves the setup along: called whenever something it waits for happened. */
static int setup_step; /* 0 first logins, 1 change_password sockets, 2 second logins, 3 load */

static void phase_next(void) {
  if (fig.phase == PHASE_SETUP) {
    if (setup_step == 0 && logins_pending == 0) {
      for (int i = 0; i < naccounts; i++)
        if (accounts[i].rc != 0) {
          finish();
          return;
        }
      setup_step = 1;
      conns = setup_conns;
      nconns_total = nsetup;
      next_open = connecting = finished_setup = dead_count = 0;
      open_more();
      return;
    }
    if (setup_step == 1 && finished_setup + dead_count == nsetup && connecting == 0) {
      if (dead_count) {
        finish();
        return;
      }
      for (int i = 0; i < nsetup; i++)
        if (!setup_conns[i].closed)
          return; /* wait for the setup sockets to close */
      setup_step = 2;
      logins_start(1);
      return;
    }
    if (setup_step == 2 && logins_pending == 0) {
      for (int i = 0; i < naccounts; i++)
        if (accounts[i].rc != 0) {
          finish();
          return;
        }
      setup_step = 3;
      printf("  %d accounts logged in, password changed, logged in again: %.1f s\n", naccounts,
             mono_s() - setup_started);
      start_load_connections();
    }
    return;
  }
  if (fig.phase == PHASE_CONNECT && ready_count + dead_count == nload && next_open == nload) {
    if (ready_count == 0) {
      finish();
      return;
    }
    if (dead_count)
      fprintf(stderr, "bench-server: %d of %d connections failed; measuring with the rest\n", dead_count, nload);
    uv_timer_stop(&watchdog_timer);
    fig.phase = PHASE_WARMUP;
    printf("  %d connections ready in %.1f s; warm-up %.1f s, then %.1f s measured\n", ready_count,
           mono_s() - connect_started, opt.warmup, opt.seconds);
    fflush(stdout);
    uv_timer_start(&phase_timer, on_phase_timer, (uint64_t)(opt.warmup * 1000), 0);
    for (int i = 0; i < nload; i++)
      if (load_conns[i].ready && !load_conns[i].failed)
        conn_send_next(&load_conns[i]);
    return;
  }
  if (fig.phase == PHASE_DRAIN && in_flight == 0)
    finish();
}

static void on_phase_timer(uv_timer_t *t) {
  (void)t;
  switch (fig.phase) {
  case PHASE_WARMUP:
    fig.phase = PHASE_MEASURE;
    fig.measure_start = mono_s();
    fig.cpu_start = cpu_s();
    uv_timer_start(&phase_timer, on_phase_timer, (uint64_t)(opt.seconds * 1000), 0);
    return;
  case PHASE_MEASURE: {
    fig.measure_end = mono_s();
    fig.cpu_end = cpu_s();
    fig.phase = PHASE_DRAIN;
    uint64_t now = mc_mono_ns();
    for (int i = 0; i < nload; i++) {
      conn *c = &load_conns[i];
      if (c->req != REQ_SUBMIT && c->req != REQ_ACCEPT)
        continue;
      fig.unanswered++;
      fig.unanswered_accepts += c->req == REQ_ACCEPT;
      double age = c->want_write ? 0 : (double)(now - c->sent_ns) / 1e6;
      if (age > fig.oldest_unanswered_ms)
        fig.oldest_unanswered_ms = age;
    }
    /* The replies still in flight, for at most 3 s. */
    uv_timer_start(&phase_timer, on_phase_timer, 3000, 0);
    phase_next();
    return;
  }
  case PHASE_DRAIN:
    if (in_flight)
      fprintf(stderr, "bench-server: %llu commands still without a reply 3 s after the window\n",
              (unsigned long long)in_flight);
    finish();
    return;
  default:
    return;
  }
}

/* Setup and connecting must not take forever. */
static void on_watchdog(uv_timer_t *t) {
  (void)t;
  if (fig.phase == PHASE_SETUP || fig.phase == PHASE_CONNECT) {
    fprintf(stderr, "bench-server: gave up: %s took over 120 s (%d ready, %d failed, %d still connecting)\n",
            fig.phase == PHASE_SETUP ? "making the accounts ready" : "opening the connections", ready_count,
            dead_count, connecting);
    finish();
  }
}

static void on_sigint(uv_signal_t *h, int signum) {
  (void)h;
  (void)signum;
  interrupted = true;
  if (fig.phase == PHASE_MEASURE) {
    fig.measure_end = mono_s();
    fig.cpu_end = cpu_s();
  }
  finish();
}

static int run_network(void) {
  snprintf(run_nonce, sizeof run_nonce, "b%lx", (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16));
  signal(SIGPIPE, SIG_IGN);
  if (uv_loop_init(&loop))
    return 1;
  uv_timer_init(&loop, &phase_timer);
  uv_timer_init(&loop, &watchdog_timer);
  uv_signal_init(&loop, &sigint_handle);
  uv_signal_start(&sigint_handle, on_sigint, SIGINT);

  conns_make(&load_conns, opt.connections);
  nload = opt.connections;
  for (int i = 0; i < nload; i++)
    load_conns[i].plan = plan_of(i);

  void *foreign_loops[] = {&loop};
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = client_protocols;
  info.options = LWS_SERVER_OPTION_LIBUV;
  info.foreign_loops = foreign_loops;
  info.pcontext = &context;
  info.timeout_secs = 30;
  info.connect_timeout_secs = 30;
  lws_set_log_level(LLL_ERR, NULL);
  context = lws_create_context(&info);
  if (context == NULL) {
    fprintf(stderr, "bench-server: lws_create_context failed (is libwebsockets-evlib-uv installed?)\n");
    return 1;
  }
  uv_timer_start(&watchdog_timer, on_watchdog, 120000, 0);

  if (opt.mode == MODE_SERVER) {
    printf("  accounts: %d applicants, %d officials, made through %s ...\n", opt.applicant_accounts,
           official_accounts_per_agency() * opt.nagencies, opt.admin);
    fflush(stdout);
    setup_started = mono_s();
    if (accounts_make() != 0) {
      finish();
    } else {
      for (int i = 0; i < nload; i++)
        load_conns[i].acct = &accounts[load_conns[i].plan.account];
      conns_make(&setup_conns, naccounts);
      nsetup = naccounts;
      for (int i = 0; i < nsetup; i++) {
        setup_conns[i].setup = true;
        setup_conns[i].acct = &accounts[i];
      }
      fig.phase = PHASE_SETUP;
      logins_start(0);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
  } else {
    fig.phase = PHASE_SETUP;
    start_load_connections();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  if (context)
    lws_context_destroy(context);
  if (uv_loop_close(&loop))
    fprintf(stderr, "bench-server: the loop did not close cleanly\n");
  for (int i = 0; i < nload; i++)
    fig.backlog += load_conns[i].inbox.len;
  if (fig.measure_end <= fig.measure_start) {
    fprintf(stderr, "bench-server: no measurement (%s)\n", interrupted ? "interrupted" : "see above");
    if (fig.nerrors)
      report(opt.mode == MODE_ECHO ? "echo" : "server", established);
    return 1;
  }
  report(opt.mode == MODE_ECHO ? "echo" : "server", established);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* --engine: the same mix through the writer thread, in this process          */

typedef struct eslot {
  int index;
  slot_plan plan;
  char who[32];
  char command_id[64];
  char code[40];
  eng_command cmd;   /* borrowed by the writer until engine_done */
  uint64_t t0;
  bool busy;
  uint64_t seq;
  dossier_queue inbox;
} eslot;

static pthread_mutex_t emu = PTHREAD_MUTEX_INITIALIZER; /* everything below, and fig */
static eng_writer *writer;
static eslot *eslots;
static int neslots;
static int *officials_of[MAX_AGENCIES]; /* slot indexes of each agency's officials */
static mc_buf eform;
static _Atomic uint64_t e_submits;      /* submits queued, for the clock */
static mc_instant e_base;
static double e_start;
static int e_inflight;

/* The writer's clock: Monday 2 March 2026, 08:00, plus the time elapsed;
 * and since a dossier code holds 9,999 dossiers per agency per day, a day
 * later every 8,000 dossiers per agency (the margin covers those queued
 * before the day turned). */
static mc_instant engine_clock(void *opaque) {
  (void)opaque;
  uint64_t day = e_submits / (8000u * (uint64_t)opt.nagencies);
  return e_base + (mc_instant)day * MC_MS_PER_DAY + (mc_instant)((now_s() - e_start) * 1000);
}

static void engine_done(void *opaque, const eng_command *cmd, const eng_result *r);

/* The slot's next command, if it has one (emu held). */
static void eslot_issue(eslot *s) {
  if (!sending_allowed() || s->busy)
    return;
  const char *agency = opt.agencies[s->plan.agency];
  s->seq++;
  snprintf(s->command_id, sizeof s->command_id, "%s-%d-%llu", run_nonce, s->index, (unsigned long long)s->seq);
  if (!s->plan.official) {
    s->cmd = (eng_command){.kind = ENG_CMD_SUBMIT, .command_id = s->command_id,
                           .actor = {s->who, "applicant", NULL, "bench"}, .expected_version = STORE_ANY_VERSION,
                           .submit = {.procedure = "1.001193", .agency = agency, .channel = "online",
                                      .form = {eform.data, eform.len}}};
    e_submits++;
  } else {
    pending p;
    if (!queue_pop(&s->inbox, &p))
      return; /* idle until a dossier is filed for it */
    snprintf(s->code, sizeof s->code, "%s", p.code);
    s->cmd = (eng_command){.kind = ENG_CMD_ACT, .command_id = s->command_id,
                           .actor = {s->who, "reception", agency, "bench"}, .dossier = s->code,
                           .expected_version = p.version, .act = {.action = "accept"}};
  }
  s->busy = true;
  e_inflight++;
  s->t0 = mc_mono_ns();
  int rc = eng_writer_submit(writer, &s->cmd, engine_done, s);
  if (rc) {
    s->busy = false;
    e_inflight--;
    error_record(mc_err_name(rc), "eng_writer_submit failed");
  }
}

/* On the writer thread, once the command's batch is durable. */
static void engine_done(void *opaque, const eng_command *cmd, const eng_result *r) {
  eslot *s = opaque;
  uint64_t now = mc_mono_ns();
  (void)cmd;
  pthread_mutex_lock(&emu);
  s->busy = false;
  e_inflight--;
  if (r->status == 0) {
    if (s->plan.official) {
      fig.all_accept++;
      fig.ok_accept += fig.phase == PHASE_MEASURE;
      snprintf(fig.last_accepted, sizeof fig.last_accepted, "%s", s->code);
    } else {
      fig.all_submit++;
      fig.ok_submit += fig.phase == PHASE_MEASURE;
      /* What a push would tell the agency's officials: hand it to one. */
      int n = officials_at[s->plan.agency];
      if (n > 0) {
        eslot *o = &eslots[officials_of[s->plan.agency][fnv1a(r->dossier) % (uint32_t)n]];
        queue_push(&o->inbox, r->dossier, r->version);
        eslot_issue(o);
      }
    }
    if (fig.phase == PHASE_MEASURE)
      lat_record(s->plan.official, now - s->t0);
    if (r->repeated)
      fig.repeated++;
  } else {
    char what[640];
    snprintf(what, sizeof what, "%s%s: %s", s->plan.official ? "accept " : "submit", s->plan.official ? s->code : "",
             r->message);
    error_record(mc_err_name(r->status), what);
  }
  eslot_issue(s);
  pthread_mutex_unlock(&emu);
}

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !interrupted) {
  }
}

static void on_sigint_engine(int signum) {
  (void)signum;
  interrupted = true;
}

static int run_engine(void) {
  char dir[] = "/tmp/motcua-bench-server-engine-XXXXXX";
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  snprintf(run_nonce, sizeof run_nonce, "e%lx", (unsigned long)time(NULL));
  if (!mkdtemp(dir) || eng_open(dir, NULL, &e, &why)) {
    fprintf(stderr, "bench-server: %s\n", mc_buf_cstr(&why));
    return 1;
  }
  signal(SIGINT, on_sigint_engine);
  signal(SIGTERM, on_sigint_engine);
  publish_bundle(e);
  birth_form(&eform);

  neslots = opt.connections;
  eslots = calloc((size_t)neslots, sizeof *eslots);
  for (int a = 0; a < opt.nagencies; a++)
    officials_of[a] = calloc((size_t)neslots, sizeof(int));
  for (int i = 0; i < neslots; i++) {
    eslot *s = &eslots[i];
    s->index = i;
    s->plan = plan_of(i);
    if (s->plan.official) {
      officials_of[s->plan.agency][s->plan.agency_slot] = i;
      snprintf(s->who, sizeof s->who, "bench.r%02d", s->plan.account - opt.applicant_accounts + 1);
    } else {
      snprintf(s->who, sizeof s->who, "0010900%05d", s->plan.account + 1);
    }
  }
  e_base = at("2026-03-02T08:00");
  e_start = now_s();
  eng_writer_options wo = {.clock = engine_clock};
  if (eng_writer_start(e, &wo, &writer)) {
    fprintf(stderr, "bench-server: eng_writer_start failed\n");
    return 1;
  }
  printf("  engine in %s, %d slots ready; warm-up %.1f s, then %.1f s measured\n", dir, neslots, opt.warmup,
         opt.seconds);
  fflush(stdout);
  pthread_mutex_lock(&emu);
  fig.phase = PHASE_WARMUP;
  for (int i = 0; i < neslots; i++)
    eslot_issue(&eslots[i]);
  pthread_mutex_unlock(&emu);
  sleep_s(opt.warmup);
  pthread_mutex_lock(&emu);
  fig.phase = PHASE_MEASURE;
  fig.measure_start = mono_s();
  fig.cpu_start = cpu_s();
  pthread_mutex_unlock(&emu);
  sleep_s(opt.seconds);
  pthread_mutex_lock(&emu);
  fig.phase = PHASE_DRAIN;
  fig.measure_end = mono_s();
  fig.cpu_end = cpu_s();
  uint64_t now = mc_mono_ns();
  for (int i = 0; i < neslots; i++) {
    if (!eslots[i].busy)
      continue;
    fig.unanswered++;
    fig.unanswered_accepts += eslots[i].plan.official;
    double age = (double)(now - eslots[i].t0) / 1e6;
    if (age > fig.oldest_unanswered_ms)
      fig.oldest_unanswered_ms = age;
  }
  pthread_mutex_unlock(&emu);
  for (int i = 0; i < 1000; i++) { /* at most 10 s for what is in flight */
    pthread_mutex_lock(&emu);
    int left = e_inflight;
    pthread_mutex_unlock(&emu);
    if (left == 0)
      break;
    sleep_s(0.01);
  }
  for (int i = 0; i < neslots; i++)
    fig.backlog += eslots[i].inbox.len;
  eng_writer_stats st;
  eng_writer_stats_get(writer, &st);
  eng_writer_stop(writer);
  fig.bytes_per_event = bench_footprint(e, "  on disk           ");
  eng_close(e);
  printf("  writer: %llu batches, %.1f commands per batch on average, largest %llu\n",
         (unsigned long long)st.batches, st.batches ? (double)st.commands / (double)st.batches : 0.0,
         (unsigned long long)st.largest_batch);
  report("engine", neslots);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "bench-server: could not remove %s\n", dir);
  mc_buf_free(&eform);
  mc_buf_free(&why);
  return 0;
}

/* ------------------------------------------------------------------------ */

static void usage(void) {
  fprintf(stderr,
          "usage: bench-server [--echo | --engine] [--host 127.0.0.1] [--port 8080] [--connections N]\n"
          "                    [--seconds S] [--warmup S] [--officials-per-100 K] [--agencies A[,B...]]\n"
          "                    [--admin SOCKET | --data DIR] [--applicant-accounts N] [--official-accounts N]\n"
          "                    [--protocol NAME] [--connect-parallel N] [--applicants-subscribe 0|1]\n"
          "  motcuad (default) needs the admin socket: --admin PATH or --data DIR (DIR/motcuad.sock)\n");
  exit(2);
}

int main(int argc, char **argv) {
  static char agencies_buf[256] = "H13.X01";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--echo"))
      opt.mode = MODE_ECHO;
    else if (!strcmp(a, "--engine"))
      opt.mode = MODE_ENGINE;
    else if (v == NULL)
      usage();
    else if (i++, !strcmp(a, "--host"))
      opt.host = v;
    else if (!strcmp(a, "--port"))
      opt.port = atoi(v);
    else if (!strcmp(a, "--connections"))
      opt.connections = atoi(v);
    else if (!strcmp(a, "--seconds"))
      opt.seconds = atof(v);
    else if (!strcmp(a, "--warmup"))
      opt.warmup = atof(v);
    else if (!strcmp(a, "--officials-per-100"))
      opt.officials_per_100 = atoi(v);
    else if (!strcmp(a, "--applicants-subscribe"))
      opt.applicants_subscribe = atoi(v);
    else if (!strcmp(a, "--agencies"))
      snprintf(agencies_buf, sizeof agencies_buf, "%s", v);
    else if (!strcmp(a, "--admin"))
      snprintf(opt.admin, sizeof opt.admin, "%s", v);
    else if (!strcmp(a, "--data"))
      snprintf(opt.admin, sizeof opt.admin, "%s/motcuad.sock", v);
    else if (!strcmp(a, "--applicant-accounts"))
      opt.applicant_accounts = atoi(v);
    else if (!strcmp(a, "--official-accounts"))
      opt.official_accounts = atoi(v);
    else if (!strcmp(a, "--protocol"))
      opt.protocol = v;
    else if (!strcmp(a, "--connect-parallel"))
      opt.connect_parallel = atoi(v);
    else
      usage();
  }
  for (char *save = NULL, *t = strtok_r(agencies_buf, ",", &save); t && opt.nagencies < MAX_AGENCIES;
       t = strtok_r(NULL, ",", &save))
    opt.agencies[opt.nagencies++] = t;
  if (opt.connections < 1 || opt.seconds <= 0 || opt.seconds > 60 || opt.warmup < 0 || opt.warmup > 60 ||
      opt.officials_per_100 < 0 || opt.officials_per_100 > 100 || opt.applicant_accounts < 1 ||
      opt.applicant_accounts > 99999 || opt.official_accounts < 1 || opt.nagencies < 1 || opt.port <= 0 ||
      opt.connect_parallel < 1)
    usage();
  if (opt.mode == MODE_SERVER && opt.admin[0] == 0)
    usage();
  nofficials = (opt.connections * opt.officials_per_100 + 50) / 100;
  if (nofficials == 0 && opt.officials_per_100 > 0)
    nofficials = 1;
  if (nofficials >= opt.connections)
    nofficials = opt.connections - 1; /* someone must file */
  napplicants = opt.connections - nofficials;
  if (nofficials && nofficials < opt.nagencies)
    fprintf(stderr, "bench-server: fewer officials than agencies: some dossiers will never be accepted\n");

  /* Every connection is a descriptor: ask for the hard limit. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  static const char *const names[] = {"motcuad", "echo", "engine in-process"};
  printf("bench-server: %s, %d connections (%d applicants filing 1.001193, %d reception officials accepting)"
         " at %d agenc%s (%s", names[opt.mode], opt.connections, napplicants, nofficials, opt.nagencies,
         opt.nagencies == 1 ? "y" : "ies", opt.agencies[0]);
  for (int i = 1; i < opt.nagencies; i++)
    printf(",%s", opt.agencies[i]);
  printf("), one command in flight each\n");
  if (opt.mode != MODE_ENGINE)
    printf("  at ws://%s:%d/ws\n", opt.host, opt.port);
  fflush(stdout);
  return opt.mode == MODE_ENGINE ? run_engine() : run_network();
}
