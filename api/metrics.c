/* metrics.c — /metrics in the Prometheus text format (version 0.0.4). */
#include "api/metrics.h"

#include "api/runtime.h"

#include <stdio.h>
#include <string.h>

static metric_op *find(metric_op *list, int *n, const char *op) {
  for (int i = 0; i < *n; i++)
    if (!strcmp(list[i].op, op))
      return &list[i];
  if (*n >= METRIC_MAX_OPS)
    return &list[METRIC_MAX_OPS - 1]; /* the last one collects the overflow */
  metric_op *m = &list[(*n)++];
  memset(m, 0, sizeof *m);
  snprintf(m->op, sizeof m->op, "%s", op);
  return m;
}

void srv_metrics_count(metrics *m, const char *op, int outcome) {
  if (outcome >= 0 && outcome < OUT_N)
    find(m->ops, &m->nops, op)->by_outcome[outcome]++;
}

void srv_metrics_denial(metrics *m, const char *op) { find(m->denials, &m->ndenials, op)->by_outcome[0]++; }

static const char *const outcome_names[OUT_N] = {"ok", "refused", "forbidden", "conflict", "bad_request", "error",
                                                  "throttled"};

static void histogram(mc_buf *out, const char *name, const char *help, const double *bounds, const uint64_t *buckets,
                      double sum, uint64_t count) {
  mc_buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
  uint64_t cum = 0;
  for (int i = 0; i < ENG_WRITER_BUCKETS - 1; i++) {
    cum += buckets[i];
    mc_buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i], (unsigned long long)cum);
  }
  cum += buckets[ENG_WRITER_BUCKETS - 1];
  mc_buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name, (unsigned long long)cum, name,
                sum, name, (unsigned long long)count);
}

typedef struct counts_out {
  mc_buf *out;
  uint64_t timers;
  bool header;
} counts_out;

static int count_cb(void *opaque, const char *what, const char *name, uint64_t n) {
  counts_out *c = opaque;
  if (!strcmp(what, "timers")) {
    c->timers = n;
    return 0;
  }
  if (!c->header) {
    mc_buf_printf(c->out, "# HELP motcua_dossiers Dossiers by state.\n# TYPE motcua_dossiers gauge\n");
    c->header = true;
  }
  mc_buf_printf(c->out, "motcua_dossiers{state=\"%s\"} %llu\n", name, (unsigned long long)n);
  return 0;
}

void srv_metrics_render(srv *s, mc_buf *out) {
  metrics *m = &s->m;
  eng_writer_stats st;
  eng_writer_stats_get(s->w, &st);
  mc_buf_printf(out, "# HELP motcua_connections Open WebSocket connections.\n# TYPE motcua_connections gauge\n"
                     "motcua_connections %d\n",
                s->nconns);
  mc_buf_printf(out, "# HELP motcua_connections_total WebSocket connections accepted.\n# TYPE motcua_connections_total counter\n"
                     "motcua_connections_total %llu\n",
                (unsigned long long)m->connections_total);
  mc_buf_printf(out, "# HELP motcua_commands_total Requests by operation and outcome.\n# TYPE motcua_commands_total counter\n");
  for (int i = 0; i < m->nops; i++)
    for (int k = 0; k < OUT_N; k++)
      if (m->ops[i].by_outcome[k])
        mc_buf_printf(out, "motcua_commands_total{op=\"%s\",outcome=\"%s\"} %llu\n", m->ops[i].op, outcome_names[k],
                      (unsigned long long)m->ops[i].by_outcome[k]);
  mc_buf_printf(out, "# HELP motcua_access_denied_total Requests refused by the access rules.\n"
                     "# TYPE motcua_access_denied_total counter\n");
  for (int i = 0; i < m->ndenials; i++)
    mc_buf_printf(out, "motcua_access_denied_total{op=\"%s\"} %llu\n", m->denials[i].op,
                  (unsigned long long)m->denials[i].by_outcome[0]);
  mc_buf_printf(out, "# HELP motcua_http_requests_total HTTP responses by status class.\n"
                     "# TYPE motcua_http_requests_total counter\n");
  for (int i = 1; i <= 5; i++)
    mc_buf_printf(out, "motcua_http_requests_total{status=\"%dxx\"} %llu\n", i, (unsigned long long)m->http_by_class[i]);
  mc_buf_printf(out, "# HELP motcua_pushes_total Events pushed to subscribers.\n# TYPE motcua_pushes_total counter\n"
                     "motcua_pushes_total %llu\n",
                (unsigned long long)m->pushes_total);
  mc_buf_printf(out,
                "# HELP motcua_pushes_read_back_total Events read back from the log to be pushed (not handed over by the writer; stays near 0).\n"
                "# TYPE motcua_pushes_read_back_total counter\nmotcua_pushes_read_back_total %llu\n",
                (unsigned long long)s->pushes_read_back);
  mc_buf_printf(out,
                "# HELP motcua_personal_data_reads_total Openings of a dossier in full noted (who read whose data), written at each sweep.\n"
                "# TYPE motcua_personal_data_reads_total counter\nmotcua_personal_data_reads_total %llu\n"
                "# HELP motcua_personal_data_reads_dropped_total Openings not recorded: too many waited to be written.\n"
                "# TYPE motcua_personal_data_reads_dropped_total counter\nmotcua_personal_data_reads_dropped_total %llu\n",
                (unsigned long long)s->reads.noted, (unsigned long long)s->reads.dropped);
  const srv_uploads *u = &s->uploads;
  mc_buf_printf(out,
                "# HELP motcua_upload_bytes_total Bytes of uploads received.\n"
                "# TYPE motcua_upload_bytes_total counter\nmotcua_upload_bytes_total %llu\n"
                "# HELP motcua_uploads_total Uploads whole and checked, by outcome.\n# TYPE motcua_uploads_total counter\n"
                "motcua_uploads_total{outcome=\"clean\"} %llu\nmotcua_uploads_total{outcome=\"refused\"} %llu\n"
                "motcua_uploads_total{outcome=\"infected\"} %llu\nmotcua_uploads_total{outcome=\"held\"} %llu\n"
                "# HELP motcua_uploads_held Uploads waiting for the malware scanner (never accepted unscanned).\n"
                "# TYPE motcua_uploads_held gauge\nmotcua_uploads_held %d\n"
                "# HELP motcua_malware_scanner_up Whether clamd answered the last ping (-1: not asked yet).\n"
                "# TYPE motcua_malware_scanner_up gauge\nmotcua_malware_scanner_up %d\n"
                "# HELP motcua_uploads_expired_total Uploads no dossier referenced, removed after upload_expiry_hours.\n"
                "# TYPE motcua_uploads_expired_total counter\nmotcua_uploads_expired_total %llu\n"
                "# HELP motcua_file_downloads_total Files downloaded through links.\n"
                "# TYPE motcua_file_downloads_total counter\nmotcua_file_downloads_total %llu\n"
                "# HELP motcua_upload_disk_bytes Disk used by uploaded files (kept, still arriving, quarantined), "
                "as the sweep last measured.\n# TYPE motcua_upload_disk_bytes gauge\n"
                "motcua_upload_disk_bytes{area=\"kept\"} %lld\nmotcua_upload_disk_bytes{area=\"partial\"} %lld\n"
                "motcua_upload_disk_bytes{area=\"quarantine\"} %lld\n"
                "# HELP motcua_upload_files Files kept, arriving, quarantined.\n# TYPE motcua_upload_files gauge\n"
                "motcua_upload_files{area=\"kept\"} %lld\nmotcua_upload_files{area=\"partial\"} %lld\n"
                "motcua_upload_files{area=\"quarantine\"} %lld\n",
                (unsigned long long)u->bytes_received, (unsigned long long)u->admitted, (unsigned long long)u->refused,
                (unsigned long long)u->infected, (unsigned long long)u->held_total, u->held, u->scanner,
                (unsigned long long)u->expired, (unsigned long long)u->downloads, (long long)u->usage.kept_bytes,
                (long long)u->usage.partial_bytes, (long long)u->usage.quarantine_bytes, (long long)u->usage.kept,
                (long long)u->usage.partial, (long long)u->usage.quarantined);
  mc_buf_printf(out, "# HELP motcua_bad_frames_total Messages refused as malformed or too large.\n"
                     "# TYPE motcua_bad_frames_total counter\nmotcua_bad_frames_total %llu\n",
                (unsigned long long)m->bad_frames_total);
  histogram(out, "motcua_commit_batch_size", "Commands per durable commit.", eng_writer_size_bounds, st.size_buckets,
            (double)st.commands, st.batches);
  histogram(out, "motcua_commit_seconds", "Time to decide, apply and commit a batch.", eng_writer_seconds_bounds,
            st.seconds_buckets, (double)st.commit_ns_total / 1e9, st.batches);
  mc_buf_printf(out, "# HELP motcua_commits_failed_total Batches that could not be committed.\n"
                     "# TYPE motcua_commits_failed_total counter\nmotcua_commits_failed_total %llu\n",
                (unsigned long long)st.failed_batches);
  mc_buf_printf(out, "# HELP motcua_timers_fired_total Deadline timers fired.\n# TYPE motcua_timers_fired_total counter\n"
                     "motcua_timers_fired_total %llu\n",
                (unsigned long long)st.timers_fired);
  mc_buf_printf(out, "# HELP motcua_log_head The sequence of the last durable event.\n# TYPE motcua_log_head gauge\n"
                     "motcua_log_head %llu\n",
                (unsigned long long)st.durable_seq);
  counts_out c = {out, 0, false};
  eng_counts(s->e, count_cb, &c);
  mc_buf_printf(out, "# HELP motcua_timers_pending Deadline timers armed.\n# TYPE motcua_timers_pending gauge\n"
                     "motcua_timers_pending %llu\n",
                (unsigned long long)c.timers);
  mc_buf_printf(out, "# HELP motcua_jobs_in_flight Requests waiting for the writer or the thread pool.\n"
                     "# TYPE motcua_jobs_in_flight gauge\nmotcua_jobs_in_flight %d\n",
                s->jobs_in_flight);
}
