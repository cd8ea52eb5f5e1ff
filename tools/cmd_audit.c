/* cmd_audit.c — the auditor's tools, and `motcua backup`.
 *
 *   motcua audit verify DATA_DIR [--checkpoint FILE]... [--public-key FILE]
 *                       [--expect-head SEQ:HASH] [--scratch DIR]
 *   motcua audit export DATA_DIR [--since SEQ] --format jsonl
 *   motcua audit replay DATA_DIR --stream ID [--as-of TIME]
 *   motcua audit states DATA_DIR [--since SEQ]
 *   motcua audit checkpoint DATA_DIR --key SECRET_FILE --out DIR
 *   motcua audit keygen SECRET_FILE PUBLIC_FILE
 *   motcua backup DATA_DIR DEST
 *
 * Everything but keygen opens the data directory read-only: it runs while
 * motcuad writes, and on a copy.  Long reads (verify, export) go in chunks of
 * short read transactions so the writer's file does not grow meanwhile.
 * Exit status: 0 all good, 1 a problem was found or the input is unreadable,
 * 2 the command line is wrong.
 */
#include "tools/cli.h"
#include "tools/cmd_store_json.h"

#include "base/error.h"
#include "engine/engine.h"
#include "files/store.h"

#include <inttypes.h>
#include "base/bytes.h"

#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char USAGE[] =
    "usage: motcua audit verify DATA_DIR [--checkpoint FILE]... [--public-key FILE]\n"
    "                           [--expect-head SEQ:HASH] [--scratch DIR]\n"
    "       motcua audit export DATA_DIR [--since SEQ] --format jsonl\n"
    "       motcua audit replay DATA_DIR (--stream ID | --dossier CODE) [--as-of TIME]\n"
    "       motcua audit states DATA_DIR [--since SEQ]\n"
    "       motcua audit reads DATA_DIR [--from TIME] [--to TIME]\n"
    "       motcua audit checkpoint DATA_DIR --key SECRET_FILE --out DIR\n"
    "       motcua audit keygen SECRET_FILE PUBLIC_FILE\n"
    "\n"
    "verify     checks the sequence, the hash chain, each record's canonical form, the\n"
    "           checkpoints (signed heads kept outside the data directory) or a head you\n"
    "           noted (--expect-head), and rebuilds every projection to compare it;\n"
    "           names the first bad sequence; checkpoints are checked against the public\n"
    "           key you keep (--public-key, or MOTCUA_CHECKPOINT_PUBLIC_KEY), never their own\n"
    "export     every event as one JSON object a line (docs/STORAGE.md \"Export\")\n"
    "replay     one stream's history, oldest first; --as-of stops at a moment\n"
    "states     each dossier event with the dossier as it stood after it, and every\n"
    "           message an event caused with the texts that were sent (JSON a line)\n"
    "reads      who opened whose dossier in full and when (ĐN Art. 4.4), outside the\n"
    "           legal record (JSON a line: account, role, agency, dossier, whose, name,\n"
    "           address, at); what the server wrote by its last sweep (5 s)\n"
    "checkpoint signs the current head with the secret key (mode 600, outside the data\n"
    "           directory) and writes checkpoint-<seq>.txt into DIR\n"
    "keygen     makes a signing key pair for checkpoints\n";

#define VN_OFFSET_MIN MC_VN_OFFSET_MIN /* what people read */

static int usage_error(const char *fmt, ...) MC__PRINTF(1, 2);

static int usage_error(const char *fmt, ...) {
  va_list ap;
  fputs("motcua audit: error: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\n", stderr);
  fputs(USAGE, stderr);
  return CLI_USAGE;
}

static int parse_seq(const char *text, uint64_t *out) {
  char *end;
  if (text[0] < '0' || text[0] > '9')
    return MC_EPARSE;
  *out = strtoull(text, &end, 10);
  return *end ? MC_EPARSE : 0;
}

/* ============================================================ files */

/* The files the log references (each event's documents: a document's first
 * file under "hash", the others under "more"), once each, with where first. */
typedef struct file_ref {
  uint8_t hash[32];
  uint64_t seq;
  char stream[64];
} file_ref;

typedef struct file_refs {
  file_ref *list;
  size_t n, cap;
} file_refs;

static void add_ref(file_refs *f, const uint8_t *hash, const store_event *ev) {
  if (f->n == f->cap) {
    f->cap = f->cap ? 2 * f->cap : 256;
    f->list = realloc(f->list, f->cap * sizeof *f->list);
    if (f->list == NULL)
      mc_oom(f->cap * sizeof *f->list);
  }
  file_ref *r = &f->list[f->n++];
  memcpy(r->hash, hash, 32);
  r->seq = ev->seq;
  snprintf(r->stream, sizeof r->stream, "%.*s", (int)ev->stream.len, ev->stream.ptr);
}

static int collect_refs(void *opaque, const store_event *ev) {
  file_refs *f = opaque;
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)ev->data, ev->data_len, &off) == MSGPACK_UNPACK_SUCCESS &&
      u.data.type == MSGPACK_OBJECT_MAP) {
    for (uint32_t i = 0; i < u.data.via.map.size; i++) {
      const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
      if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size != 9 ||
          memcmp(kv->key.via.str.ptr, "documents", 9) || kv->val.type != MSGPACK_OBJECT_ARRAY)
        continue;
      for (uint32_t d = 0; d < kv->val.via.array.size; d++) {
        const msgpack_object *doc = &kv->val.via.array.ptr[d];
        for (uint32_t k = 0; doc->type == MSGPACK_OBJECT_MAP && k < doc->via.map.size; k++) {
          const msgpack_object_kv *f2 = &doc->via.map.ptr[k];
          if (f2->key.type != MSGPACK_OBJECT_STR || f2->val.type != MSGPACK_OBJECT_BIN)
            continue;
          bool first = f2->key.via.str.size == 4 && !memcmp(f2->key.via.str.ptr, "hash", 4);
          bool more = f2->key.via.str.size == 4 && !memcmp(f2->key.via.str.ptr, "more", 4);
          for (uint32_t b = 0; (first || more) && b + 32 <= f2->val.via.bin.size; b += 32)
            add_ref(f, (const uint8_t *)f2->val.via.bin.ptr + b, ev);
        }
      }
    }
  }
  msgpack_unpacked_destroy(&u);
  return 0;
}

static int by_hash(const void *a, const void *b) { return memcmp(a, b, 32); }

/* Every file the log references is kept with its hash (docs/OPERATIONS.md,
 * "Uploaded files").  A data directory without files/ predates uploads. */
static int verify_files(store *st, const char *dir, int *problems) {
  char path[1000];
  struct stat sb;
  snprintf(path, sizeof path, "%s/files", dir);
  if (stat(path, &sb) != 0) {
    printf("files: no files/ folder (the data predates uploads): none checked\n");
    return 0;
  }
  files_store fs;
  snprintf(fs.dir, sizeof fs.dir, "%s", path);
  file_refs f = {0};
  int rc = store_log_each(st, 1, 0, 4096, collect_refs, &f);
  if (rc < 0) {
    free(f.list);
    return rc;
  }
  if (f.n)
    qsort(f.list, f.n, sizeof *f.list, by_hash);
  size_t unique = 0;
  int64_t bytes = 0;
  for (size_t i = 0; i < f.n; i++) {
    if (i && !memcmp(f.list[i].hash, f.list[i - 1].hash, 32))
      continue;
    unique++;
    int64_t size = 0;
    int c = files_store_check(&fs, f.list[i].hash, &size);
    char hex[MC_SHA256_HEX];
    mc_hex(f.list[i].hash, 32, hex);
    if (c == 0) {
      bytes += size;
      continue;
    }
    (*problems)++;
    printf("BAD   file %s (referenced by %s at seq %" PRIu64 "): %s\n", hex, f.list[i].stream, f.list[i].seq,
           c == MC_ENOENT ? "missing: restore files/ from the backup taken with the log"
           : c == MC_ECORRUPT ? "altered: its content no longer has its hash"
                              : mc_strerror(c));
  }
  printf("files: %zu referenced, %zu present with their hash (%lld bytes)\n", unique, unique - (size_t)*problems,
         (long long)bytes);
  free(f.list);
  return 0;
}

/* ============================================================ verify */

static int audit_verify(int argc, char **argv) {
  const char *dir = NULL, *public_key = NULL, *expect = NULL, *scratch = NULL, *value;
  const char **checkpoints = calloc((size_t)argc, sizeof *checkpoints);
  store_anchor *anchors = calloc((size_t)argc + 1, sizeof *anchors);
  size_t ncheckpoints = 0, nanchors = 0;
  store *st = NULL;
  store_verify_report rep = {0};
  int status = CLI_USAGE, r;

  if (checkpoints == NULL || anchors == NULL)
    goto done;
  for (int i = 2; i < argc; i++) {
    if ((r = cli_opt("audit", argc, argv, &i, "--checkpoint", &value)) > 0)
      checkpoints[ncheckpoints++] = value;
    else if (r < 0 || (r = cli_opt("audit", argc, argv, &i, "--public-key", &public_key)) < 0 ||
             (r == 0 && (r = cli_opt("audit", argc, argv, &i, "--expect-head", &expect)) < 0) ||
             (r == 0 && (r = cli_opt("audit", argc, argv, &i, "--scratch", &scratch)) < 0))
      goto done;
    else if (r == 0 && argv[i][0] != '-' && dir == NULL)
      dir = argv[i];
    else if (r == 0) {
      status = usage_error("unknown option \"%s\"", argv[i]);
      goto done;
    }
  }
  if (dir == NULL) {
    status = usage_error("give the data directory to verify");
    goto done;
  }
  /* A checkpoint proves something only against the key the operator keeps:
   * the one written inside it is the signer's word, and whoever rewrote the
   * log could sign their own. */
  if (public_key == NULL)
    public_key = getenv("MOTCUA_CHECKPOINT_PUBLIC_KEY");
  if (ncheckpoints && (public_key == NULL || public_key[0] == '\0')) {
    status = usage_error("a checkpoint is checked against the public key you keep (never the one written in it): "
                         "add --public-key FILE, or set MOTCUA_CHECKPOINT_PUBLIC_KEY");
    goto done;
  }
  status = CLI_FAILED;
  for (size_t i = 0; i < ncheckpoints; i++) {
    mc_buf why = MC_BUF_INIT;
    int rc = store_checkpoint_read(checkpoints[i], public_key, &anchors[nanchors], &why);
    if (rc) {
      printf("BAD   %s\n", mc_buf_cstr(&why));
      printf("FAILED: the checkpoint cannot be trusted; nothing else was checked\n");
      mc_buf_free(&why);
      goto done;
    }
    nanchors++;
  }
  if (expect) {
    const char *colon = strchr(expect, ':');
    char seq_text[32];
    store_anchor *a = &anchors[nanchors];
    size_t n = colon ? (size_t)(colon - expect) : 0;
    if (!colon || n == 0 || n >= sizeof seq_text || strlen(colon + 1) != 64 ||
        (memcpy(seq_text, expect, n), seq_text[n] = '\0', parse_seq(seq_text, &a->seq)) ||
        mc_unhex(colon + 1, a->hash, MC_SHA256_BYTES)) {
      status = usage_error("--expect-head \"%s\": write SEQ:HASH, the hash as 64 hex digits",
                           expect);
      goto done;
    }
    snprintf(a->source, sizeof a->source, "--expect-head %" PRIu64, a->seq);
    nanchors++;
  }
  if (cli_store_open("audit", dir, true, &st) != CLI_OK)
    goto done;
  store_verify_options opt = {anchors, nanchors, scratch, false};
  int file_problems = 0;
  int rc = store_verify(st, &opt, &rep);
  fputs(mc_buf_cstr(&rep.text) ? mc_buf_cstr(&rep.text) : "", stdout);
  if (rc) {
    cli_error("audit", "the check could not run to its end: %s (%s)", mc_strerror(rc),
              store_errmsg(st));
  } else if (rep.problems) {
    printf("FAILED: %d problem%s; the first bad sequence is %" PRIu64 "\n", rep.problems,
           rep.problems == 1 ? "" : "s", rep.first_bad_seq);
  } else if ((rc = verify_files(st, dir, &file_problems)) != 0 || file_problems) {
    if (rc)
      cli_error("audit", "the files could not be checked: %s", mc_strerror(rc));
    else
      printf("FAILED: %d file%s missing or altered\n", file_problems, file_problems == 1 ? "" : "s");
  } else {
    char hex[MC_SHA256_HEX];
    mc_hex(rep.head_hash, MC_SHA256_BYTES, hex);
    printf("verified: %" PRIu64 " events, head %" PRIu64 ":%s, %zu anchor%s\n", rep.events,
           rep.head_seq, hex, nanchors, nanchors == 1 ? "" : "s");
    status = CLI_OK;
  }
done:
  mc_buf_free(&rep.text);
  store_close(st);
  free(checkpoints);
  free(anchors);
  return status;
}

/* ============================================================ export */

static int export_line(void *opaque, const store_event *ev) {
  (void)opaque;
  json_t *o = cli_event_to_json(ev);
  if (o == NULL)
    return MC_ENOMEM;
  int rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
  json_decref(o);
  if (rc != 0 || fputc('\n', stdout) == EOF)
    return MC_EIO;
  return 0;
}

static int audit_export(int argc, char **argv) {
  const char *dir = NULL, *since = NULL, *format = NULL;
  uint64_t from = 1;
  store *st = NULL;
  int r;
  for (int i = 2; i < argc; i++) {
    if ((r = cli_opt("audit", argc, argv, &i, "--since", &since)) < 0 ||
        (r == 0 && (r = cli_opt("audit", argc, argv, &i, "--format", &format)) < 0))
      return CLI_USAGE;
    if (r == 0 && argv[i][0] != '-' && dir == NULL)
      dir = argv[i];
    else if (r == 0)
      return usage_error("unknown option \"%s\"", argv[i]);
  }
  if (dir == NULL || format == NULL || strcmp(format, "jsonl") != 0)
    return usage_error("give the data directory and --format jsonl");
  if (since && parse_seq(since, &from))
    return usage_error("--since \"%s\": give a sequence number", since);
  if (cli_store_open("audit", dir, true, &st) != CLI_OK)
    return CLI_FAILED;
  int rc = store_log_each(st, from ? from : 1, 0, 1000, export_line, NULL);
  if (rc == 0 && fflush(stdout) != 0)
    rc = MC_EIO;
  if (rc)
    cli_error("audit", "export stopped: %s", mc_strerror(rc));
  store_close(st);
  return rc ? CLI_FAILED : CLI_OK;
}

/* ============================================================ replay */

typedef struct replay_ctx {
  mc_instant as_of;
  bool has_as_of;
  uint64_t shown;
  bool dossier;       /* a dossier's stream: say what each event did to it */
  json_t *last;       /* the dossier as it stands after the last event shown (owned) */
} replay_ctx;

static const char *when_text(json_int_t ms, char out[MC_INSTANT_STRLEN]) {
  if (ms <= 0)
    return "-";
  mc_instant_format((mc_instant)ms, VN_OFFSET_MIN, out);
  return out;
}

/* The dossier after an event, from the one before (NULL for the first):
 * an event of record format 1 carries it whole (`after`, its steps beside
 * it), one of format 2 the fields it changed (`set`). */
static json_t *dossier_after(const json_t *before, const json_t *data) {
  const json_t *after = json_object_get(data, "after");
  json_t *now;
  if (after) {
    now = json_deep_copy(after);
    if (now && json_object_get(data, "steps"))
      json_object_set(now, "steps", json_object_get(data, "steps"));
  } else {
    now = before ? json_deep_copy(before) : json_object();
    if (now)
      json_object_update(now, json_object_get(data, "set"));
  }
  return now;
}

/* One dossier event in words: what happened, and where the dossier stands. */
static void replay_dossier_event(const json_t *data, const json_t *after) {
  const json_t *what = json_object_get(data, "what");
  const char *action = json_string_value(json_object_get(what, "action"));
  const char *step = json_string_value(json_object_get(what, "step"));
  const char *reason = json_string_value(json_object_get(what, "reason"));
  char a[MC_INSTANT_STRLEN], b[MC_INSTANT_STRLEN];
  printf("      %s%s%s%s -> %s", action ? action : "?", step && *step ? " at step \"" : "", step && *step ? step : "",
         step && *step ? "\"" : "", json_string_value(json_object_get(after, "state")));
  const json_t *steps = json_object_get(after, "steps");
  for (size_t i = 0; i < json_array_size(steps); i++)
    printf("%s%s", i ? ", " : " (now at ", json_string_value(json_array_get(steps, i)));
  printf("%s\n", json_array_size(steps) ? ")" : "");
  json_int_t due = json_integer_value(json_object_get(what, "due_at"));
  if (due > 0)
    printf("      a timer due %s\n", when_text(due, a));
  if (json_integer_value(json_object_get(what, "new_due")) > 0)
    printf("      appointment moved from %s to %s\n", when_text(json_integer_value(json_object_get(what, "old_due")), a),
           when_text(json_integer_value(json_object_get(what, "new_due")), b));
  const char *handler = json_string_value(json_object_get(what, "handler"));
  if (handler && *handler)
    printf("      main handler: %s\n", handler);
  json_int_t rating = json_integer_value(json_object_get(what, "rating"));
  if (rating > 0)
    printf("      rating: %d/5\n", (int)rating);
  if (reason && *reason)
    printf("      reason: %s\n", reason);
  if (json_is_true(json_object_get(what, "breach")))
    printf("      BREACH: the supplement was requested after the policy's limit\n");
  json_int_t appointment = json_integer_value(json_object_get(after, "appointment_at"));
  if (appointment > 0)
    printf("      appointment %s%s\n", when_text(appointment, a),
           json_integer_value(json_object_get(after, "paused_since")) > 0 ? " (legal clock paused)" : "");
}

static void replay_dossier_summary(const json_t *after) {
  char a[MC_INSTANT_STRLEN];
  printf("as it stands: %s, procedure %s at %s (calendar \"%s\")\n", json_string_value(json_object_get(after, "state")),
         json_string_value(json_object_get(after, "procedure")), json_string_value(json_object_get(after, "agency")),
         json_string_value(json_object_get(after, "calendar")));
  printf("  submitted %s", when_text(json_integer_value(json_object_get(after, "submitted_at")), a));
  printf(", accepted %s", when_text(json_integer_value(json_object_get(after, "accepted_at")), a));
  printf(", appointment %s\n", when_text(json_integer_value(json_object_get(after, "appointment_at")), a));
  const char *outcome = json_string_value(json_object_get(after, "outcome"));
  const char *cls = json_string_value(json_object_get(after, "classification"));
  if (outcome && *outcome)
    printf("  decided %s: %s, %s\n", when_text(json_integer_value(json_object_get(after, "decided_at")), a), outcome,
           cls && *cls ? cls : "unclassified");
  printf("  procedure version %s\n  policy version    %s\n  calendar version  %s (the newest published when the last event was decided)\n",
         json_string_value(json_object_get(after, "definition")), json_string_value(json_object_get(after, "policy")),
         json_string_value(json_object_get(after, "calendar_version")) ? json_string_value(json_object_get(after, "calendar_version")) : "-");
}

static int replay_one(void *opaque, const store_event *ev) {
  replay_ctx *c = opaque;
  char when[MC_INSTANT_STRLEN];
  if (c->has_as_of && ev->time > c->as_of)
    return 1;
  mc_instant_format(ev->time, VN_OFFSET_MIN, when);
  printf("v%-4" PRIu64 " %s  %.*s  (event %" PRIu64 ")\n", ev->version, when, (int)ev->type.len,
         ev->type.ptr, ev->seq);
  printf("      by %.*s as %.*s via %.*s\n", ev->who.len ? (int)ev->who.len : 1,
         ev->who.len ? ev->who.ptr : "-", ev->role.len ? (int)ev->role.len : 1,
         ev->role.len ? ev->role.ptr : "-", ev->client.len ? (int)ev->client.len : 1,
         ev->client.len ? ev->client.ptr : "-");
  if (ev->causation.ptr || ev->correlation.ptr)
    printf("      caused by %.*s, correlation %.*s\n", (int)ev->causation.len,
           ev->causation.ptr ? ev->causation.ptr : "-", (int)ev->correlation.len,
           ev->correlation.ptr ? ev->correlation.ptr : "-");
  json_t *data = cli_msgpack_to_json(ev->data, ev->data_len);
  if (c->dossier && data) {
    json_t *after = dossier_after(c->last, data);
    replay_dossier_event(data, after);
    json_decref(c->last);
    json_decref(data);
    c->last = after;
    c->shown++;
    return 0;
  }
  char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  printf("      %s\n", text ? text : "(data unreadable)");
  free(text);
  json_decref(data);
  c->shown++;
  return 0;
}

static int audit_replay(int argc, char **argv) {
  const char *dir = NULL, *stream = NULL, *as_of = NULL, *dossier = NULL;
  char dossier_stream[128];
  replay_ctx ctx = {0, false, 0, false, NULL};
  store *st = NULL;
  store_read *rd = NULL;
  int r;
  for (int i = 2; i < argc; i++) {
    if ((r = cli_opt("audit", argc, argv, &i, "--stream", &stream)) < 0 ||
        (r == 0 && (r = cli_opt("audit", argc, argv, &i, "--as-of", &as_of)) < 0) ||
        (r == 0 && (r = cli_opt("audit", argc, argv, &i, "--dossier", &dossier)) < 0))
      return CLI_USAGE;
    if (r == 0 && argv[i][0] != '-' && dir == NULL)
      dir = argv[i];
    else if (r == 0)
      return usage_error("unknown option \"%s\"", argv[i]);
  }
  if (dossier) {
    snprintf(dossier_stream, sizeof dossier_stream, "dossier/%s", dossier);
    stream = dossier_stream;
    ctx.dossier = true;
  }
  if (dir == NULL || stream == NULL)
    return usage_error("give the data directory and --stream ID or --dossier CODE");
  if (as_of) {
    if (mc_instant_parse(as_of, VN_OFFSET_MIN, &ctx.as_of) != 0)
      return usage_error("--as-of \"%s\": write ISO 8601, such as 2026-02-10T09:00 (Vietnam "
                         "time) or 2026-02-10T02:00Z", as_of);
    ctx.has_as_of = true;
  }
  if (cli_store_open("audit", dir, true, &st) != CLI_OK)
    return CLI_FAILED;
  printf("stream %s%s%s\n", stream, as_of ? " as of " : "", as_of ? as_of : "");
  int rc = store_read_begin(st, &rd);
  if (rc == 0)
    rc = store_read_stream(rd, stream, 1, replay_one, &ctx);
  store_read_end(rd);
  if (rc)
    cli_error("audit", "reading the stream: %s", mc_strerror(rc));
  else if (ctx.shown == 0)
    printf("(no events)\n");
  else if (ctx.dossier && ctx.last)
    replay_dossier_summary(ctx.last);
  json_decref(ctx.last);
  store_close(st);
  return rc ? CLI_FAILED : CLI_OK;
}

/* ============================================================ keys, checkpoints */

static int audit_checkpoint(int argc, char **argv) {
  const char *dir = NULL, *key = NULL, *out = NULL;
  mc_buf why = MC_BUF_INIT, path = MC_BUF_INIT;
  store *st = NULL;
  int r;
  for (int i = 2; i < argc; i++) {
    if ((r = cli_opt("audit", argc, argv, &i, "--key", &key)) < 0 ||
        (r == 0 && (r = cli_opt("audit", argc, argv, &i, "--out", &out)) < 0))
      return CLI_USAGE;
    if (r == 0 && argv[i][0] != '-' && dir == NULL)
      dir = argv[i];
    else if (r == 0)
      return usage_error("unknown option \"%s\"", argv[i]);
  }
  if (dir == NULL || key == NULL || out == NULL)
    return usage_error("give the data directory, --key and --out");
  if (cli_store_open("audit", dir, true, &st) != CLI_OK)
    return CLI_FAILED;
  int rc = store_checkpoint_write(st, key, out, &path, &why);
  if (rc)
    cli_error("audit", "%s", why.len ? mc_buf_cstr(&why) : mc_strerror(rc));
  else
    printf("%s\n", mc_buf_cstr(&path));
  store_close(st);
  mc_buf_free(&why);
  mc_buf_free(&path);
  return rc ? CLI_FAILED : CLI_OK;
}

static int audit_keygen(int argc, char **argv) {
  mc_buf why = MC_BUF_INIT;
  if (argc != 4)
    return usage_error("give the secret and the public key file to create");
  int rc = store_checkpoint_keygen(argv[2], argv[3], &why);
  if (rc)
    cli_error("audit", "%s", why.len ? mc_buf_cstr(&why) : mc_strerror(rc));
  else
    printf("secret key %s (keep it outside the data directory, mode 600)\npublic key %s\n",
           argv[2], argv[3]);
  mc_buf_free(&why);
  return rc ? CLI_FAILED : CLI_OK;
}

/* ============================================================ states */

/* Each event that concerns a dossier or caused messages, one JSON object a
 * line: {seq, stream, version, type, dossier, messages}: the dossier as it
 * stood after the event (null for others) and every message the event
 * caused, with the texts that were sent — rendered again from the template
 * and the facts the event recorded, or as recorded; a delivery's outcome
 * adds `about`: {seq, index}, the message it is the outcome of. */
static int states_message(void *opaque, const eng_message *m) {
  json_t *list = opaque, *o = json_object();
  json_object_set_new(o, "index", json_integer(m->index));
  json_object_set_new(o, "template", json_string(m->template_name));
  json_object_set_new(o, "to", json_string(m->to));
  json_object_set_new(o, "email", json_string(m->email));
  json_object_set_new(o, "phone", json_string(m->phone));
  json_object_set_new(o, "subject", json_string(m->subject));
  json_object_set_new(o, "body", json_string(m->body));
  json_object_set_new(o, "sms", json_string(m->sms));
  json_object_set_new(o, "error", json_string(m->error));
  json_array_append_new(list, o);
  return 0;
}

typedef struct states_ctx {
  eng_engine *e;
  int failed;
} states_ctx;

static int states_line(void *opaque, const store_event *ev) {
  states_ctx *c = opaque;
  mc_buf snap = MC_BUF_INIT;
  json_t *messages = json_array();
  int rc = eng_audit_event(c->e, ev->seq, &snap, states_message, messages);
  if (rc == 0 && (snap.len || json_array_size(messages))) {
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(o, "stream", json_stringn(ev->stream.ptr, ev->stream.len));
    json_object_set_new(o, "version", json_integer((json_int_t)ev->version));
    json_object_set_new(o, "type", json_stringn(ev->type.ptr, ev->type.len));
    json_object_set_new(o, "dossier", snap.len ? cli_msgpack_to_json(snap.data, snap.len) : json_null());
    json_object_set(o, "messages", messages);
    if (ev->type.len == strlen("notification.delivered") && !memcmp(ev->type.ptr, "notification.delivered", ev->type.len)) {
      json_t *data = cli_msgpack_to_json(ev->data, ev->data_len);
      json_object_set_new(o, "about", json_pack("{s:O?, s:O?}", "seq", json_object_get(data, "seq"), "index",
                                                json_object_get(data, "index")));
      json_decref(data);
    }
    if (json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) != 0 || fputc('\n', stdout) == EOF)
      rc = MC_EIO;
    json_decref(o);
  } else if (rc) {
    cli_error("audit", "event %" PRIu64 " cannot be read back: %s", ev->seq, mc_strerror(rc));
    c->failed = 1;
    rc = 0;
  }
  json_decref(messages);
  mc_buf_free(&snap);
  return rc;
}

static int audit_states(int argc, char **argv) {
  const char *dir = NULL, *since = NULL;
  uint64_t from = 1;
  int r;
  for (int i = 2; i < argc; i++) {
    if ((r = cli_opt("audit", argc, argv, &i, "--since", &since)) < 0)
      return CLI_USAGE;
    if (r == 0 && argv[i][0] != '-' && dir == NULL)
      dir = argv[i];
    else if (r == 0)
      return usage_error("unknown option \"%s\"", argv[i]);
  }
  if (dir == NULL)
    return usage_error("give the data directory");
  if (since && parse_seq(since, &from))
    return usage_error("--since \"%s\": give a sequence number", since);
  eng_options ro = {.read_only = true};
  mc_buf why = MC_BUF_INIT;
  states_ctx c = {NULL, 0};
  if (eng_open(dir, &ro, &c.e, &why) != 0) {
    cli_error("audit", "cannot open %s: %s", dir, mc_buf_cstr(&why) ? mc_buf_cstr(&why) : "");
    mc_buf_free(&why);
    return CLI_FAILED;
  }
  mc_buf_free(&why);
  int rc = store_log_each(eng_store(c.e), from ? from : 1, 0, 1000, states_line, &c);
  if (rc == 0 && fflush(stdout) != 0)
    rc = MC_EIO;
  if (rc)
    cli_error("audit", "states stopped: %s", mc_strerror(rc));
  eng_close(c.e);
  return rc || c.failed ? CLI_FAILED : CLI_OK;
}

/* The record of reads (api/reads.h: aux db "reads", key u64 BE time, ...). */
static int audit_reads(int argc, char **argv) {
  const char *dir = NULL, *from_text = NULL, *to_text = NULL;
  int r;
  for (int i = 2; i < argc; i++) {
    if ((r = cli_opt("audit", argc, argv, &i, "--from", &from_text)) < 0 ||
        (r == 0 && (r = cli_opt("audit", argc, argv, &i, "--to", &to_text)) < 0))
      return CLI_USAGE;
    if (r == 0 && argv[i][0] != '-' && dir == NULL)
      dir = argv[i];
    else if (r == 0)
      return usage_error("unknown option \"%s\"", argv[i]);
  }
  if (dir == NULL)
    return usage_error("give the data directory");
  mc_instant from = 0, to = INT64_MAX;
  if ((from_text && cli_parse_time("audit", "--from", from_text, &from) != CLI_OK) ||
      (to_text && cli_parse_time("audit", "--to", to_text, &to) != CLI_OK))
    return CLI_USAGE;
  eng_options ro = {.read_only = true};
  mc_buf why = MC_BUF_INIT, after = MC_BUF_INIT, key = MC_BUF_INIT, val = MC_BUF_INIT;
  eng_engine *e;
  if (eng_open(dir, &ro, &e, &why) != 0) {
    cli_error("audit", "cannot open %s: %s", dir, mc_buf_cstr(&why) ? mc_buf_cstr(&why) : "");
    mc_buf_free(&why);
    return CLI_FAILED;
  }
  mc_buf_free(&why);
  if (from > 0) {
    uint8_t k[8];
    mc_be64_put(k, (uint64_t)from);
    mc_buf_append(&after, k, 8);
  }
  int rc;
  for (;;) {
    mc_buf_reset(&key);
    mc_buf_reset(&val);
    if ((rc = store_aux_next(eng_store(e), "reads", after.data, after.len, &key, &val)) != 0)
      break;
    mc_buf_reset(&after);
    mc_buf_append(&after, key.data, key.len);
    if (key.len >= 8 && (mc_instant)mc_be64_get(key.data) > to)
      break;
    json_t *o = cli_msgpack_to_json(val.data, val.len);
    if (o) {
      char *line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
      if (line)
        printf("%s\n", line);
      free(line);
      json_decref(o);
    }
  }
  rc = rc == MC_ENOENT ? 0 : rc;
  if (rc == 0 && fflush(stdout) != 0)
    rc = MC_EIO;
  if (rc)
    cli_error("audit", "reads stopped: %s", mc_strerror(rc));
  mc_buf_free(&after);
  mc_buf_free(&key);
  mc_buf_free(&val);
  eng_close(e);
  return rc ? CLI_FAILED : CLI_OK;
}

int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);

int cmd_audit(int argc, char **argv) {
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } subs[] = {{"verify", audit_verify},         {"export", audit_export},
              {"replay", audit_replay},         {"states", audit_states},
              {"checkpoint", audit_checkpoint}, {"keygen", audit_keygen},
              {"reads", audit_reads}};
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(USAGE, stdout);
    return CLI_OK;
  }
  for (size_t i = 0; argc >= 2 && i < sizeof subs / sizeof subs[0]; i++)
    if (strcmp(argv[1], subs[i].name) == 0)
      return subs[i].run(argc, argv);
  return usage_error("say what to do: verify, export, replay, states, reads, checkpoint or keygen");
}

int cmd_backup(int argc, char **argv) {
  mc_buf why = MC_BUF_INIT;
  store *st = NULL;
  if (argc != 3 || argv[1][0] == '-') {
    fputs("usage: motcua backup DATA_DIR DEST\n\n"
          "A consistent copy of the data directory (log, indexes, projections, aux dbs, then the\n"
          "uploaded files) into\n"
          "the new directory DEST, while the server keeps writing.  Restore: stop motcuad and\n"
          "put DEST in place of DATA_DIR (docs/OPERATIONS.md).\n",
          argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
    return argc == 2 && strcmp(argv[1], "--help") == 0 ? CLI_OK : CLI_USAGE;
  }
  if (cli_store_open("backup", argv[1], true, &st) != CLI_OK)
    return CLI_FAILED;
  int rc = store_backup(st, argv[2], &why);
  int64_t files = 0, bytes = 0;
  struct stat sb;
  char path[1000];
  snprintf(path, sizeof path, "%s/files", argv[1]);
  /* The uploaded files after the log: every file the copied log references
   * was kept before its event committed, and is never removed while
   * referenced. */
  if (rc == 0 && stat(path, &sb) == 0) {
    files_store fs;
    snprintf(fs.dir, sizeof fs.dir, "%s", path);
    if ((rc = files_store_copy(&fs, argv[2], &files, &bytes)) != 0)
      cli_error("backup", "the uploaded files could not be copied: %s", mc_strerror(rc));
  } else if (rc) {
    cli_error("backup", "%s", why.len ? mc_buf_cstr(&why) : mc_strerror(rc));
  }
  if (rc == 0)
    printf("backed up %s into %s (log, aux, %lld uploaded files of %lld bytes); check it with: motcua audit verify "
           "%s\n", argv[1], argv[2], (long long)files, (long long)bytes, argv[2]);
  store_close(st);
  mc_buf_free(&why);
  return rc ? CLI_FAILED : CLI_OK;
}
