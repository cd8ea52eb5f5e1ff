/* bench_read.c — the read side's figures (issue 17), in one run:
 *
 *   N dossiers (default 1,000,000) filed over a year of days at 100 agencies
 *   (the bundle's three communes and 97 more like them), at the desk with an
 *   applicant block of a generated Vietnamese name; 85 in 100 withdrawn, 10
 *   accepted (at processing), 5 left at reception.  Then, each p50 and p99
 *   over 2,000 reads, beside a raw LMDB range read of the same keys in the
 *   same run (the ceiling: the store's own scan, no decoding, no filter):
 *     1. a queue page of 50 rows of a random agency (eng_queue_page);
 *     2. a search by a name of two words without diacritics (eng_search);
 *     3. a dossier in full (eng_dossier_full_read) against one get of its
 *        snapshot and a read of its events;
 *   4. the bytes the new indexes (eng_queues, eng_search) add per dossier;
 *   5. the cost of recording reads: 10,000 records written as the server
 *      does (batches of 500 in one aux transaction) against one transaction
 *      each;
 *   6. finding an agency's open dossiers as a directory merge does (every
 *      dossier's snapshot read and decoded: eng_agency_open_dossiers),
 *      against a raw read of every snapshot.
 *
 *   build/tools/bench/bench-read [dossiers] [scratch dir]
 * Not part of the test command.  Prints figures, never fails on them.
 */
#include "base/bytes.h"
#include "base/canon.h"
#include "base/error.h"
#include "engine/engine.h"
#include "tools/bench/bench_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENCIES 100
#define SAMPLES 2000

static const char *const family[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                                     "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"};
static const char *const middle[] = {"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quang", "Thanh", "Xuân", "Hồng"};
static const char *const given[] = {"An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa",
                                    "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga",
                                    "Ngọc", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thủy", "Trang", "Tuấn",
                                    "Vân", "Yến"};
static const char *const family_ascii[] = {"nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo",
                                           "dang", "bui", "do", "ho", "ngo", "duong", "ly"};
static const char *const given_ascii[] = {"an", "binh", "cuong", "dung", "giang", "ha", "hai", "hanh", "hieu", "hoa",
                                          "hung", "huong", "khanh", "lan", "linh", "long", "mai", "minh", "nam",
                                          "nga", "ngoc", "phong", "phuong", "quan", "son", "tam", "thao", "thuy",
                                          "trang", "tuan", "van", "yen"};
#define N_OF(a) (sizeof a / sizeof a[0])

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}

static char agency_codes[AGENCIES][16];

/* The bundle with 97 more communes, in a scratch copy of workflows/. */
static void workflows_with_agencies(const char *dir) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", dir, MOTCUA_WORKFLOWS_DIR, dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "bench-read: %s failed\n", cmd);
    exit(1);
  }
  char path[600];
  snprintf(path, sizeof path, "%s/agencies/bac-ninh.mc", dir);
  FILE *f = fopen(path, "a");
  if (f == NULL) {
    perror(path);
    exit(1);
  }
  for (int i = 0; i < AGENCIES; i++) {
    if (i < 3) {
      snprintf(agency_codes[i], sizeof agency_codes[i], "H13.X0%d", i + 1);
      continue;
    }
    snprintf(agency_codes[i], sizeof agency_codes[i], "H13.B%03d", i);
    fprintf(f, "\nagency \"%s\" \"Ủy ban nhân dân xã số %d\" {\n  level     commune\n  parent    \"H13\"\n"
               "  calendar  \"vn\"\n}\n", agency_codes[i], i);
  }
  fclose(f);
}

static void household_form(mc_buf *out) {
  mc_canon w;
  mc_buf_reset(out);
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "address", "Số 12 phố Lý Thái Tổ, Bắc Ninh");
  mc_canon_kv_str(&w, "business_name", "Tạp hóa");
  mc_canon_kv_int(&w, "capital", 60000000);
  mc_canon_kv_str(&w, "owner_id", "027190007001");
  mc_canon_finish(&w);
}

typedef struct filed {
  char code[64];
  int agency;
} filed;

static void block(mc_buf *out, uint64_t i) {
  char name[128], id[16], phone[16];
  snprintf(name, sizeof name, "%s %s %s", family[next_rand() % N_OF(family)], middle[next_rand() % N_OF(middle)],
           given[next_rand() % N_OF(given)]);
  snprintf(id, sizeof id, "0271%08llu", (unsigned long long)(i % 100000000));
  snprintf(phone, sizeof phone, "09%08llu", (unsigned long long)(next_rand() % 100000000));
  mc_canon w;
  mc_buf_reset(out);
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4);
  mc_canon_kv_str(&w, "id_number", id);
  mc_canon_kv_str(&w, "kind", "person");
  mc_canon_kv_str(&w, "name", name);
  mc_canon_kv_str(&w, "phone", phone);
  mc_canon_finish(&w);
}

/* Files n dossiers in batches of 1,000 (one durable commit each), then
 * withdraws or accepts most of them. */
static filed *file_dossiers(eng_engine *e, int n, mc_instant start) {
  enum { BATCH = 1000 };
  filed *out = calloc((size_t)n, sizeof *out);
  eng_command *cmds = calloc(BATCH, sizeof *cmds);
  eng_result *res = calloc(BATCH, sizeof *res);
  mc_buf *blocks = calloc(BATCH, sizeof *blocks);
  char (*actors)[24] = calloc(BATCH, sizeof *actors);
  mc_buf form = MC_BUF_INIT;
  household_form(&form);
  int64_t step = (int64_t)365 * 86400 * 1000 / (n > 0 ? n : 1);
  double t0 = now_s();
  for (int at0 = 0; at0 < n; at0 += BATCH) {
    int k = n - at0 < BATCH ? n - at0 : BATCH;
    mc_instant now = start + step * at0;
    for (int i = 0; i < k; i++) {
      int ag = (int)(next_rand() % AGENCIES);
      out[at0 + i].agency = ag;
      block(&blocks[i], (uint64_t)(at0 + i));
      snprintf(actors[i], sizeof actors[i], "rc%d", ag);
      cmds[i] = (eng_command){.kind = ENG_CMD_SUBMIT, .actor = {actors[i], "reception", agency_codes[ag], "bench"},
                              .expected_version = STORE_ANY_VERSION,
                              .submit = {.procedure = "2.000575", .agency = agency_codes[ag], .channel = "desk",
                                         .applicant = {blocks[i].data, blocks[i].len},
                                         .form = {form.data, form.len}}};
    }
    if (eng_execute(e, cmds, k, now, res) != 0) {
      fprintf(stderr, "bench-read: a batch failed\n");
      exit(1);
    }
    int m = 0;
    for (int i = 0; i < k; i++) {
      if (res[i].status) {
        fprintf(stderr, "bench-read: submit refused: %s\n", res[i].message);
        exit(1);
      }
      snprintf(out[at0 + i].code, sizeof out[at0 + i].code, "%s", res[i].dossier);
      int dice = (int)(next_rand() % 100);
      if (dice >= 95)
        continue; /* left at reception */
      int ag = out[at0 + i].agency;
      cmds[m++] = dice < 85 ? (eng_command){.kind = ENG_CMD_WITHDRAW,
                                            .actor = {actors[i], "reception", agency_codes[ag], "bench"},
                                            .dossier = out[at0 + i].code, .expected_version = STORE_ANY_VERSION,
                                            .withdraw = {.reason = "Người nộp rút hồ sơ"}}
                            : (eng_command){.kind = ENG_CMD_ACT,
                                            .actor = {actors[i], "reception", agency_codes[ag], "bench"},
                                            .dossier = out[at0 + i].code, .expected_version = STORE_ANY_VERSION,
                                            .act = {.action = "accept"}};
    }
    if (m && eng_execute(e, cmds, m, now + 60000, res) != 0) {
      fprintf(stderr, "bench-read: a batch failed\n");
      exit(1);
    }
    if ((at0 / BATCH) % 100 == 99)
      fprintf(stderr, "bench-read: %d dossiers filed (%.0f/s)\n", at0 + k, (at0 + k) / (now_s() - t0));
  }
  for (int i = 0; i < BATCH; i++)
    mc_buf_free(&blocks[i]);
  free(blocks);
  free(actors);
  free(cmds);
  free(res);
  mc_buf_free(&form);
  printf("filing: %d dossiers in %.1f s (%.0f dossiers/s, with their withdrawals and acceptances)\n", n,
         now_s() - t0, n / (now_s() - t0));
  return out;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *what, double *ours, double *raw) {
  qsort(ours, SAMPLES, sizeof *ours, cmp_double);
  qsort(raw, SAMPLES, sizeof *raw, cmp_double);
  printf("%-34s p50 %8.1f us  p99 %8.1f us   | ceiling (raw LMDB range read) p50 %7.1f us  p99 %7.1f us\n", what,
         ours[SAMPLES / 2] * 1e6, ours[SAMPLES * 99 / 100] * 1e6, raw[SAMPLES / 2] * 1e6,
         raw[SAMPLES * 99 / 100] * 1e6);
}

static int count_row(void *opaque, const eng_queue_row *row) {
  (void)row;
  ++*(int *)opaque;
  return 0;
}

static int count_hit(void *opaque, const eng_search_hit *hit) {
  (void)hit;
  ++*(int *)opaque;
  return 1;
}

typedef struct raw_ctx {
  const char *prefix;
  size_t len;
  int n, max;
  size_t bytes;
} raw_ctx;

static int raw_one(void *opaque, const void *key, size_t klen, const void *val, size_t vlen) {
  raw_ctx *c = opaque;
  (void)val;
  if (klen < c->len || memcmp(key, c->prefix, c->len))
    return 1;
  c->bytes += vlen;
  return ++c->n >= c->max ? 1 : 0;
}

/* The ceiling: `max` entries of a projection from a prefix, as stored. */
static int raw_scan(eng_engine *e, const char *projection, const char *prefix, size_t len, int max) {
  store_read *rd;
  if (store_read_begin(eng_store(e), &rd) != 0)
    return 0;
  raw_ctx c = {prefix, len, 0, max, 0};
  store_read_proj_scan(rd, projection, prefix, len, raw_one, &c);
  store_read_end(rd);
  return c.n;
}

static int raw_event(void *opaque, const store_event *ev) {
  (void)ev;
  ++*(int *)opaque;
  return 0;
}

typedef struct pages {
  uint64_t queues, search;
} pages;

static int db_pages(void *opaque, const char *db, uint64_t npages, uint64_t entries) {
  pages *p = opaque;
  (void)entries;
  if (!strcmp(db, "eng_queues"))
    p->queues = npages;
  if (!strcmp(db, "eng_search"))
    p->search = npages;
  return 0;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  const char *scratch = argc > 2 ? argv[2] : "/tmp/motcua-bench-read";
  char wf[512], data[512], cmd[1200];
  snprintf(wf, sizeof wf, "%s/workflows", scratch);
  snprintf(data, sizeof data, "%s/data", scratch);
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", scratch, scratch);
  if (system(cmd) != 0)
    return 1;
  workflows_with_agencies(wf);
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  mc_diag_sink sink = {.fn = mc_diag_print_to_file, .opaque = stderr, .lang = MC_LANG_EN};
  if (eng_open(data, NULL, &e, &why) != 0 ||
      eng_publish_workflows(e, wf, at("2025-01-01T00:00"), at("2025-12-01T07:00"), &sink, &why) != 0) {
    fprintf(stderr, "bench-read: %s\n", mc_buf_cstr(&why));
    return 1;
  }
  printf("bench-read: %d dossiers over %d agencies and a year of days\n", n, AGENCIES);
  filed *dossiers = file_dossiers(e, n, at("2025-12-01T08:00"));
  mc_instant now = at("2026-12-01T10:00");
  double *ours = calloc(SAMPLES, sizeof *ours), *raw = calloc(SAMPLES, sizeof *raw);

  /* 1. A queue page of 50 rows. */
  int rows = 0, raw_rows = 0;
  for (int i = 0; i < SAMPLES; i++) {
    const char *ag = agency_codes[next_rand() % AGENCIES];
    eng_queue_filter f = {.agency = ag};
    double t = now_s();
    eng_queue_page(e, &f, now, NULL, 50, count_row, &rows);
    ours[i] = now_s() - t;
    char prefix[40];
    int len = snprintf(prefix, sizeof prefix, "q/%s", ag) + 1; /* with its NUL */
    t = now_s();
    raw_rows += raw_scan(e, "eng_queues", prefix, (size_t)len, 50);
    raw[i] = now_s() - t;
  }
  report("queue page of 50 rows", ours, raw);
  printf("  (%.1f rows a page on average; the raw read %.1f entries)\n", (double)rows / SAMPLES,
         (double)raw_rows / SAMPLES);

  /* 2. A search by name, two words without diacritics. */
  int hits = 0, raw_hits = 0;
  for (int i = 0; i < SAMPLES; i++) {
    char q[64];
    const char *g = given_ascii[next_rand() % N_OF(given_ascii)];
    snprintf(q, sizeof q, "%s %s", family_ascii[next_rand() % N_OF(family_ascii)], g);
    eng_search_query sq = {.name = q};
    double t = now_s();
    eng_search(e, &sq, NULL, 20, count_hit, &hits);
    ours[i] = now_s() - t;
    char prefix[64];
    const char *fam = q, *longest = strlen(g) > (size_t)(strchr(q, ' ') - fam) ? g : NULL;
    int len = longest ? snprintf(prefix, sizeof prefix, "w/%s", longest)
                      : snprintf(prefix, sizeof prefix, "w/%.*s", (int)(strchr(q, ' ') - fam), fam);
    t = now_s();
    raw_hits += raw_scan(e, "eng_search", prefix, (size_t)len, 20);
    raw[i] = now_s() - t;
  }
  report("search by name (20 hits)", ours, raw);
  printf("  (%.1f hits a search on average; the raw read %.1f index entries of the name's longest word)\n",
         (double)hits / SAMPLES, (double)raw_hits / SAMPLES);

  /* 3. A dossier in full. */
  eng_actor reader = {"bench", "specialist", NULL, "bench"};
  for (int i = 0; i < SAMPLES; i++) {
    const filed *d = &dossiers[next_rand() % (uint64_t)n];
    reader.agency = agency_codes[d->agency];
    eng_dossier_full f;
    double t = now_s();
    if (eng_dossier_full_read(e, d->code, now, &reader, 1, &f) == 0)
      eng_dossier_full_free(&f);
    ours[i] = now_s() - t;
    t = now_s();
    store_read *rd;
    const void *v;
    size_t vlen;
    int events = 0;
    char stream[80];
    snprintf(stream, sizeof stream, "dossier/%s", d->code);
    if (store_read_begin(eng_store(e), &rd) == 0) {
      store_read_proj(rd, "eng_dossier", d->code, strlen(d->code), &v, &vlen);
      store_read_stream(rd, stream, 1, raw_event, &events);
      store_read_end(rd);
    }
    raw[i] = now_s() - t;
  }
  report("dossier in full", ours, raw);

  /* 4. What the new indexes take. */
  store_read *rd;
  uint64_t page_size = 0;
  pages p = {0, 0};
  if (store_read_begin(eng_store(e), &rd) == 0) {
    store_read_footprint(rd, db_pages, &p, &page_size);
    store_read_end(rd);
  }
  printf("new indexes per dossier: queues %.0f B, search %.0f B (LMDB pages x %llu B / %d dossiers)\n",
         (double)p.queues * (double)page_size / n, (double)p.search * (double)page_size / n,
         (unsigned long long)page_size, n);

  /* 5. Recording reads: batches of 500 in one aux transaction, as the server does, against one each. */
  enum { RECORDS = 10000, PER_BATCH = 500 };
  static uint8_t keys[RECORDS][16];
  static char vals[RECORDS][160];
  store_aux_item items[PER_BATCH];
  for (int i = 0; i < RECORDS; i++) {
    mc_be64_put(keys[i], (uint64_t)(now + i));
    mc_be32_put(keys[i] + 8, (uint32_t)i);
    mc_be32_put(keys[i] + 12, 7);
    snprintf(vals[i], sizeof vals[i], "account le.tan role reception dossier %s whose 027100000001", dossiers[i % n].code);
  }
  double t = now_s();
  for (int i = 0; i < RECORDS; i += PER_BATCH) {
    for (int k = 0; k < PER_BATCH; k++)
      items[k] = (store_aux_item){keys[i + k], vals[i + k], 16, strlen(vals[i + k])};
    store_aux_put_many(eng_store(e), "bench_reads", items, PER_BATCH);
  }
  double batched = (now_s() - t) / RECORDS;
  t = now_s();
  for (int i = 0; i < RECORDS; i++) {
    keys[i][15] = 8;
    store_aux_put(eng_store(e), "bench_reads", keys[i], 16, vals[i], strlen(vals[i]));
  }
  double single = (now_s() - t) / RECORDS;
  printf("recording a read: %.2f us batched (%d a transaction, as the server does), %.2f us one transaction each\n",
         batched * 1e6, PER_BATCH, single * 1e6);

  /* 6. A directory merge's search for the merged agency's open dossiers. */
  double merge_ours = 1e9, merge_raw = 1e9;
  int open = 0;
  for (int i = 0; i < 3; i++) {
    char first[64];
    t = now_s();
    eng_agency_open_dossiers(e, agency_codes[i], &open, first, sizeof first);
    double took = now_s() - t;
    merge_ours = took < merge_ours ? took : merge_ours;
    t = now_s();
    raw_scan(e, "eng_dossier", "", 0, n + 1);
    took = now_s() - t;
    merge_raw = took < merge_raw ? took : merge_raw;
  }
  printf("a merge's search for an agency's open dossiers: %.0f ms (%d found), every snapshot read raw: %.0f ms "
         "(best of 3, %d dossiers)\n", merge_ours * 1e3, open, merge_raw * 1e3, n);
  free(ours);
  free(raw);
  free(dossiers);
  mc_buf_free(&why);
  eng_close(e);
  return 0;
}
