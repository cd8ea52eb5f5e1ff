/* cmd_dossier.c — the engine from the command line, for agencies and tests
 * until the server (motcuad) exists; afterwards these commands reach it
 * through its admin socket.  Each opens the data directory as its writer
 * (refused while another process holds it).
 *
 *   motcua publish DATA_DIR [--from TIME] [--dry-run] [FILE.mc...]
 *       compiles the files (all of workflows/ by default) and puts every
 *       procedure, policy and the directory in the log, with the calendars
 *       of workflows/calendars; --from: when they take effect (default now).
 *       Agency files named are merged into the published directory; the
 *       whole bundle replaces it.  --dry-run says what would change.
 *   motcua dossier DATA_DIR submit --procedure CODE --agency CODE
 *       [--channel online|desk|post] --as WHO:ROLE[:AGENCY] --form-json JSON
 *       [--owner CITIZEN_ID|TAX_CODE] [--document NAME=SHA256[@YYYY-MM-DD]]...
 *   motcua dossier DATA_DIR act CODE ACTION --as WHO:ROLE[:AGENCY]
 *       [--step NAME] [--reason TEXT] [--expect VERSION] [--document ...]
 *   motcua dossier DATA_DIR withdraw CODE --as WHO:ROLE[:AGENCY] [--reason TEXT]
 *   motcua dossier DATA_DIR extend CODE --as WHO:leader:AGENCY --until TIME --reason TEXT
 *   motcua dossier DATA_DIR assign CODE --handler WHO [--co WHO,WHO] --as WHO:leader:AGENCY
 *   motcua dossier DATA_DIR stop CODE --reason TEXT --as WHO:leader:AGENCY
 *   motcua dossier DATA_DIR rate CODE --rating 1..5 [--reason TEXT] --as WHO:applicant
 *   motcua dossier DATA_DIR refund CODE [--reason TEXT] --as WHO:leader:AGENCY
 *   motcua dossier DATA_DIR reassign-all --from WHO --handler WHO --as WHO:leader:AGENCY
 *   motcua dossier DATA_DIR show CODE
 *   motcua retire DATA_DIR procedure|policy ID --from TIME
 *   motcua timers DATA_DIR [--fire]       the next due timer; --fire fires what is due
 *
 * --now TIME on any of them sets the clock (for rehearsals and tests); a time
 * in the future is refused unless MOTCUA_REHEARSAL=1.
 *
 * The verbs of `dossier` are submit and the commands on a dossier of the
 * engine's table (engine/commands.h), their options --NAME for their
 * arguments' names (a few spelt otherwise: `spelt` below), the bounds on
 * lists the table's.
 */
#include "tools/cli.h"

#include <msgpack.h>
#include <sodium.h>

#include "base/error.h"
#include "base/file.h"
#include "engine/engine.h"
#include "tools/cmd_store_json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VN MC_VN_OFFSET_MIN

/* The data directory's engine.  With a --now given (now_text), a clock
 * earlier than the log's last event is said: every event is stamped with the
 * later of the two (an append-only log keeps its order), so the time asked
 * for is not the one recorded. */
static int open_engine(const char *cmd, const char *dir, const char *now_text, mc_instant now, eng_engine **out) {
  mc_buf why = MC_BUF_INIT;
  int rc = eng_open(dir, NULL, out, &why);
  if (rc) {
    cli_error(cmd, "cannot open %s: %s", dir, why.len ? mc_buf_cstr(&why) : mc_strerror(rc));
    mc_buf_free(&why);
    return CLI_FAILED;
  }
  mc_buf_free(&why);
  store_read *rd;
  uint64_t head = 0;
  store_event last;
  if (now_text && store_read_begin(eng_store(*out), &rd) == 0) {
    uint8_t hash[MC_SHA256_BYTES];
    if (store_read_head(rd, &head, hash) == 0 && head > 0 && store_read_event(rd, head, &last) == 0 && last.time > now) {
      char at[MC_INSTANT_STRLEN];
      mc_instant_format(last.time, VN, at);
      fprintf(stderr, "motcua %s: note: --now %s is before the log's last event (%s): what this records is "
                      "stamped %s, the log's order is kept\n", cmd, now_text, at, at);
    }
    store_read_end(rd);
  }
  return CLI_OK;
}

/* "who:role[:agency]" into an actor (the string is modified). */
static int parse_actor(const char *cmd, char *text, eng_actor *a) {
  char *role = strchr(text, ':');
  if (role == NULL) {
    cli_error(cmd, "--as \"%s\": write WHO:ROLE or WHO:ROLE:AGENCY, such as lan:reception:H13.X01", text);
    return CLI_USAGE;
  }
  *role++ = '\0';
  char *agency = strchr(role, ':');
  if (agency)
    *agency++ = '\0';
  *a = (eng_actor){text, role, agency, "motcua-cli"};
  return CLI_OK;
}

static void print_result(const char *cmd, const eng_result *r) {
  char when[MC_INSTANT_STRLEN];
  if (r->repeated) {
    printf("already done (events %llu..%llu): nothing appended\n", (unsigned long long)r->first_seq,
           (unsigned long long)(r->first_seq + r->count - 1));
    return;
  }
  if (r->dossier[0])
    printf("%s version %llu", r->dossier, (unsigned long long)r->version);
  else
    printf("%s: done", cmd);
  if (r->appointment_at) {
    mc_instant_format(r->appointment_at, VN, when);
    printf(", appointment %s", when);
  }
  printf(" (events %llu..%llu)\n", (unsigned long long)r->first_seq,
         (unsigned long long)(r->first_seq + r->count - 1));
}

static int execute(const char *cmd, eng_engine *e, const eng_command *c, int n, mc_instant now) {
  eng_result *r = calloc((size_t)n, sizeof *r);
  int status = CLI_OK, rc = eng_execute(e, c, n, now, r);
  if (rc) {
    cli_error(cmd, "nothing was written: %s", mc_strerror(rc));
    free(r);
    return CLI_FAILED;
  }
  for (int i = 0; i < n; i++) {
    if (r[i].status) {
      cli_error(cmd, "%s", r[i].message[0] ? r[i].message : mc_strerror(r[i].status));
      status = CLI_FAILED;
    } else if (r[i].repeated && r[i].count == 0 && r[i].message[0]) {
      printf("unchanged: %s\n", r[i].message);
    } else {
      if (n == 1)
        print_result(cmd, &r[i]);
      if (c[i].kind == ENG_CMD_PUBLISH && c[i].publish.def_kind == ENG_DEF_DIRECTORY && r[i].message[0])
        printf("directory: %s\n", r[i].message); /* a merge: what it transferred and moved */
    }
  }
  free(r);
  return status;
}

/* ============================================================ publish */

int cmd_publish(int argc, char **argv);

/* One definition to publish: compiled, or the directory merged with the one
 * in the log, or the calendar pack.  Bytes borrowed from the compile or from
 * publish_set's own buffers. */
typedef struct publish_item {
  eng_def_kind kind;
  const char *id;
  const uint8_t *bytes;
  size_t len;
  uint8_t hash[MC_SHA256_BYTES];
} publish_item;

typedef struct publish_set {
  publish_item *items;
  int n;
  mc_buf merged;   /* the directory merged with the published one */
  mc_buf calendar; /* the calendar pack */
  char calendar_id[64];
} publish_set;

/* The id a calendar pack carries ("vn"). */
static void calendar_id(const mc_buf *pack, char *out, size_t size) {
  msgpack_unpacked u;
  size_t off = 0;
  snprintf(out, size, "calendar");
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)pack->data, pack->len, &off) == MSGPACK_UNPACK_SUCCESS &&
      u.data.type == MSGPACK_OBJECT_MAP)
    for (uint32_t i = 0; i < u.data.via.map.size; i++) {
      const msgpack_object *k = &u.data.via.map.ptr[i].key, *v = &u.data.via.map.ptr[i].val;
      if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == 2 && !memcmp(k->via.str.ptr, "id", 2) &&
          v->type == MSGPACK_OBJECT_STR)
        snprintf(out, size, "%.*s", (int)v->via.str.size, v->via.str.ptr);
    }
  msgpack_unpacked_destroy(&u);
}

/* What is published now, read from the data directory (read-only: allowed
 * beside the running server).  NULL engine when the directory has no log. */
typedef struct published_def {
  const char *want;
  mc_buf bytes;
  bool found;
} published_def;

static int keep_def(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  published_def *p = opaque;
  if (strcmp(id, p->want) != 0)
    return 0;
  mc_buf_free(&p->bytes);
  mc_buf_append(&p->bytes, bytes, len);
  p->found = true;
  return 0;
}

static bool published(eng_engine *ro, eng_def_kind kind, const char *id, mc_buf *out) {
  published_def p = {id, MC_BUF_INIT, false};
  if (ro && eng_definitions(ro, kind, INT64_MAX, keep_def, &p) == 0 && p.found) {
    *out = p.bytes;
    return true;
  }
  mc_buf_free(&p.bytes);
  return false;
}

static eng_engine *open_published(const char *dir) {
  char path[4200];
  eng_engine *ro = NULL;
  eng_options o = {.read_only = true};
  snprintf(path, sizeof path, "%s/data.mdb", dir);
  if (access(path, R_OK) != 0 || eng_open(dir, &o, &ro, NULL) != 0)
    return NULL;
  return ro;
}

/* The items of a publication.  With files named, a compiled directory holds
 * only their agencies and offers: it is merged into the published one, so
 * that publishing one new agency's file does not drop the others. */
static int publish_set_build(const char *cmd, const cli_compiled *c, const char *workflows, bool whole_bundle, eng_engine *ro,
                             publish_set *set) {
  set->items = calloc((size_t)c->nartifacts + 1, sizeof *set->items);
  if (set->items == NULL)
    return CLI_FAILED;
  for (int i = 0; i < c->nartifacts; i++) {
    const dsl_artifact *a = &c->artifacts[i];
    publish_item *it = &set->items[set->n++];
    *it = (publish_item){eng_def_kind_of(a->kind), a->id, a->bytes.data, a->bytes.len, {0}};
    memcpy(it->hash, a->hash, sizeof it->hash);
    mc_buf now = MC_BUF_INIT;
    if (a->kind != DSL_ARTIFACT_DIRECTORY || whole_bundle || !published(ro, ENG_DEF_DIRECTORY, "directory", &now))
      continue;
    dsl_directory *was = NULL, *named = NULL;
    int rc = dsl_directory_decode(now.data, now.len, &was);
    if (rc == 0)
      rc = dsl_directory_decode(a->bytes.data, a->bytes.len, &named);
    if (rc == 0)
      rc = dsl_directory_merge(was, named, &set->merged);
    dsl_directory_free(was);
    dsl_directory_free(named);
    mc_buf_free(&now);
    if (rc != 0) {
      cli_error(cmd, "the published directory cannot be merged with the files named: %s", mc_strerror(rc));
      return CLI_FAILED;
    }
    it->bytes = set->merged.data;
    it->len = set->merged.len;
    mc_sha256_digest(it->bytes, it->len, it->hash);
  }
  if (whole_bundle) {
    char cal_dir[4096];
    mc_diag_sink sink = cli_diag_sink();
    snprintf(cal_dir, sizeof cal_dir, "%s/calendars", workflows);
    if (eng_calendar_pack_dir(cal_dir, &sink, &set->calendar) != 0)
      return CLI_FAILED;
    publish_item *it = &set->items[set->n++];
    calendar_id(&set->calendar, set->calendar_id, sizeof set->calendar_id);
    *it = (publish_item){ENG_DEF_CALENDAR, set->calendar_id, set->calendar.data, set->calendar.len, {0}};
    mc_sha256_digest(it->bytes, it->len, it->hash);
  }
  return CLI_OK;
}

static void publish_set_free(publish_set *set) {
  free(set->items);
  mc_buf_free(&set->merged);
  mc_buf_free(&set->calendar);
}

/* --dry-run: what publishing would change, item by item, against the log;
 * the directory line by line, with the agencies it cannot remove. */
static int publish_dry_run(const publish_set *set, eng_engine *ro) {
  int status = CLI_OK;
  for (int i = 0; i < set->n; i++) {
    const publish_item *it = &set->items[i];
    char hex[MC_SHA256_HEX], old_hex[MC_SHA256_HEX] = "";
    mc_buf now = MC_BUF_INIT;
    bool had = published(ro, it->kind, it->id, &now);
    uint8_t old[MC_SHA256_BYTES];
    mc_hex(it->hash, MC_SHA256_BYTES, hex);
    if (had) {
      mc_sha256_digest(now.data, now.len, old);
      mc_hex(old, sizeof old, old_hex);
    }
    const char *what = !had ? "new" : !strcmp(hex, old_hex) ? "unchanged" : "changed";
    printf("%-9s %-10s %-12s sha256:%s", what, eng_def_kind_name(it->kind), it->id, hex);
    if (had && strcmp(hex, old_hex))
      printf(" (was sha256:%.16s)", old_hex);
    printf("\n");
    if (it->kind == ENG_DEF_DIRECTORY && strcmp(hex, old_hex)) {
      dsl_directory *was = NULL, *next = NULL;
      mc_buf diff = MC_BUF_INIT;
      if ((!had || dsl_directory_decode(now.data, now.len, &was) == 0) &&
          dsl_directory_decode(it->bytes, it->len, &next) == 0) {
        dsl_directory_diff(was, next, &diff);
        fputs(mc_buf_cstr(&diff), stdout);
        for (uint32_t k = 0; k < dsl_directory_agency_count(was); k++) {
          char code[64], name[256], first[64], into[64];
          int open = 0;
          dsl_directory_agency(was, k, code, sizeof code, name, sizeof name);
          if (dsl_directory_has_agency(next, code) ||
              eng_agency_open_dossiers(ro, code, &open, first, sizeof first) != 0)
            continue;
          if (dsl_directory_successor(next, code, into, sizeof into)) {
            printf("  %d open dossier%s of %s would be transferred to %s, its officials moved there\n", open,
                   open == 1 ? "" : "s", code, into);
          } else if (open > 0) {
            cli_error("publish",
                      "the agency %s (%s) has %d open dossier%s (%s%s): publishing would be refused; name its "
                      "successor (merged \"%s\" into \"CODE\")",
                      code, name, open, open == 1 ? "" : "s", first, open > 1 ? ", ..." : "", code);
            status = CLI_FAILED;
          }
        }
      }
      mc_buf_free(&diff);
      dsl_directory_free(was);
      dsl_directory_free(next);
    }
    mc_buf_free(&now);
  }
  printf("dry run: nothing was published\n");
  return status;
}

/* With motcuad running, publishing goes through its admin socket (one
 * process writes: docs/OPERATIONS.md); *served says it did. */
static int publish_through_server(const char *dir, const publish_set *set, mc_instant from, bool rehearsal,
                                  bool *served) {
  json_t *items = json_array(), *reply = NULL;
  bool running = false;
  *served = false;
  for (int i = 0; i < set->n; i++) {
    const publish_item *it = &set->items[i];
    size_t cap = sodium_base64_ENCODED_LEN(it->len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(cap);
    sodium_bin2base64(b64, cap, it->bytes, it->len, sodium_base64_VARIANT_ORIGINAL);
    json_array_append_new(items, json_pack("{s:s, s:s, s:I}", ENG_ARG(publish, def_kind)->wire,
                                           eng_def_kind_name(it->kind), ENG_ARG(publish, bytes)->wire, b64,
                                           ENG_ARG(publish, effective_from)->wire, (json_int_t)from));
    free(b64);
  }
  json_t *req = json_pack("{s:s, s:o}", "op", "publish", "items", items);
  int status = cli_admin("publish", dir, req, &reply, &running);
  json_decref(req);
  if (!running)
    return CLI_OK;
  *served = true;
  if (rehearsal) {
    json_decref(reply);
    cli_error("publish", "--now is for rehearsals on a copy without a server; motcuad is running on %s", dir);
    return CLI_USAGE;
  }
  if (status != CLI_OK)
    return status;
  size_t i;
  json_t *r;
  status = CLI_OK;
  json_array_foreach(json_object_get(reply, "results"), i, r) {
    const char *what = i < (size_t)set->n ? set->items[i].id : "?";
    const char *said = json_string_value(json_object_get(r, "message")); /* a merge's transfers */
    if (json_is_true(json_object_get(r, "ok")))
      printf("publish %-12s %s (through the server)%s%s\n", what,
             json_is_true(json_object_get(r, "repeated")) ? "unchanged" : "published", said ? ": " : "", said ? said : "");
    else {
      cli_error("publish", "%s: %s", what,
                json_string_value(json_object_get(json_object_get(r, "error"), "message")));
      status = CLI_FAILED;
    }
  }
  if (!json_is_true(json_object_get(reply, "ok")) && json_object_get(reply, "results") == NULL) {
    cli_error("publish", "%s", json_string_value(json_object_get(json_object_get(reply, "error"), "message")));
    status = CLI_FAILED;
  }
  json_decref(reply);
  return status;
}

int cmd_publish(int argc, char **argv) {
  const char *dir = NULL, *from_text = NULL, *now_text = NULL;
  char **files = calloc((size_t)argc + 1, sizeof *files);
  int nfiles = 0, status;
  bool dry_run = false;
  mc_instant now = mc_clock_now(), from;
  cli_compiled c = {0};
  publish_set set = {0};
  eng_engine *e = NULL, *ro = NULL;

  const char *workflows = cli_workflows_dir();
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--from") && i + 1 < argc)
      from_text = argv[++i];
    else if (!strcmp(argv[i], "--workflows") && i + 1 < argc)
      workflows = argv[++i];
    else if (!strcmp(argv[i], "--now") && i + 1 < argc)
      now_text = argv[++i];
    else if (!strcmp(argv[i], "--dry-run"))
      dry_run = true;
    else if (argv[i][0] == '-') {
      cli_error("publish", "unknown option \"%s\"", argv[i]);
      free(files);
      return CLI_USAGE;
    } else if (dir == NULL)
      dir = argv[i];
    else
      files[nfiles++] = argv[i];
  }
  if (dir == NULL) {
    cli_error("publish", "usage: motcua publish DATA_DIR [--workflows DIR] [--from TIME] [--dry-run] [FILE.mc...]");
    free(files);
    return CLI_USAGE;
  }
  if ((now_text && (status = cli_parse_now("publish", now_text, &now)) != CLI_OK) ||
      (from_text && (status = cli_parse_time("publish", "--from", from_text, &from)) != CLI_OK)) {
    free(files);
    return status;
  }
  if (!from_text)
    from = now;
  if ((status = cli_compile("publish", workflows, files, nfiles, &c)) != CLI_OK)
    goto done;
  ro = open_published(dir);
  if ((status = publish_set_build("publish", &c, workflows, nfiles == 0, ro, &set)) != CLI_OK)
    goto done;
  if (dry_run) {
    status = publish_dry_run(&set, ro);
    goto done;
  }
  eng_close(ro);
  ro = NULL;
  bool served = false;
  if ((status = publish_through_server(dir, &set, from, now_text != NULL, &served)) != CLI_OK || served)
    goto done;
  if ((status = open_engine("publish", dir, now_text, now, &e)) != CLI_OK)
    goto done;
  eng_command *cmds = calloc((size_t)set.n + 1, sizeof *cmds);
  for (int i = 0; i < set.n; i++) {
    const publish_item *it = &set.items[i];
    cmds[i] = (eng_command){.kind = ENG_CMD_PUBLISH, .actor = {"cli", "system_admin", NULL, "motcua-cli"},
                            .publish = {.def_kind = it->kind, .bytes = {it->bytes, it->len}, .effective_from = from}};
    char hex[MC_SHA256_HEX];
    mc_hex(it->hash, sizeof it->hash, hex);
    if (it->kind == ENG_DEF_CALENDAR)
      printf("publish calendar  (workflows/calendars)\n");
    else
      printf("publish %-9s %-12s sha256:%.16s\n", eng_def_kind_name(it->kind), it->id, hex);
  }
  status = execute("publish", e, cmds, set.n, now);
  free(cmds);
done:
  eng_close(ro);
  eng_close(e);
  publish_set_free(&set);
  cli_compiled_free(&c);
  free(files);
  return status;
}

/* ============================================================ reassigning */

typedef struct codes {
  char (*code)[64];
  int n, cap;
} codes;

static int collect_code(void *opaque, const char *code) {
  codes *c = opaque;
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 64;
    char (*grown)[64] = realloc(c->code, (size_t)cap * sizeof *grown);
    if (grown == NULL)
      return MC_ENOMEM;
    c->code = grown;
    c->cap = cap;
  }
  snprintf(c->code[c->n++], sizeof c->code[0], "%s", code);
  return 0;
}

/* Every open dossier of an official who leaves goes to another, in one
 * batch; co-handlers stay. */
static int reassign_all(const char *dir, char *as, const char *from, const char *to, mc_instant now) {
  eng_actor actor;
  eng_engine *e;
  codes list = {0};
  int status;
  if (as == NULL || from == NULL || to == NULL) {
    cli_error("dossier", "usage: motcua dossier DATA_DIR reassign-all --from WHO --handler WHO --as WHO:leader:AGENCY");
    return CLI_USAGE;
  }
  if ((status = parse_actor("dossier", as, &actor)) != CLI_OK || (status = open_engine("dossier", dir, NULL, now, &e)) != CLI_OK)
    return status;
  int rc = eng_dossiers_handled_by(e, from, collect_code, &list);
  if (rc) {
    cli_error("dossier", "cannot list the dossiers of %s: %s", from, mc_strerror(rc));
    eng_close(e);
    free(list.code);
    return CLI_FAILED;
  }
  if (list.n == 0) {
    printf("%s has no open dossier\n", from);
  } else {
    eng_command *cmds = calloc((size_t)list.n, sizeof *cmds);
    eng_dossier_view *views = calloc((size_t)list.n, sizeof *views);
    const char *(*co)[4] = calloc((size_t)list.n, sizeof *co);
    for (int i = 0; i < list.n; i++) {
      eng_dossier_get(e, list.code[i], &views[i]);
      int nco = 0;
      for (int k = 0; k < views[i].nco_handlers; k++)
        if (strcmp(views[i].co_handlers[k], to))
          co[i][nco++] = views[i].co_handlers[k];
      cmds[i] = (eng_command){.kind = ENG_CMD_ASSIGN, .actor = actor, .dossier = list.code[i],
                              .expected_version = STORE_ANY_VERSION,
                              .assign = {.handler = to, .co_handlers = {co[i], nco}}};
    }
    status = execute("dossier", e, cmds, list.n, now);
    if (status == CLI_OK)
      printf("reassigned %d open dossier%s from %s to %s\n", list.n, list.n == 1 ? "" : "s", from, to);
    free(cmds);
    free(views);
    free(co);
  }
  eng_close(e);
  free(list.code);
  return status;
}

/* ============================================================ dossier */

/* One line per document of `dossier show`. */
static int print_document(void *opaque, const eng_document_view *d) {
  char a[MC_INSTANT_STRLEN];
  (void)opaque;
  if (d->sha256[0] == '\0') {
    printf("  document %s: missing\n", d->name);
    return 0;
  }
  mc_instant_format(d->supplied_at, VN, a);
  printf("  document %s: sha256:%.16s", d->name, d->sha256);
  if (d->nmore)
    printf(" and %d more file%s", d->nmore, d->nmore > 1 ? "s" : "");
  if (d->valid_until[0])
    printf(" valid until %s", d->valid_until);
  if (d->reused_from[0])
    printf(", reused from %s (supplied %s)", d->reused_from, a);
  printf("\n");
  return 0;
}

/* `dossier show CODE`: the dossier as it stands, read-only. */
static int show_dossier(const char *dir, const char *code) {
  eng_dossier_view v;
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  char a[MC_INSTANT_STRLEN];
  if (code == NULL) {
    cli_error("dossier", "usage: motcua dossier DATA_DIR show CODE");
    return CLI_USAGE;
  }
  eng_options ro = {.read_only = true};
  if (eng_open(dir, &ro, &e, &why) != 0) {
    cli_error("dossier", "cannot open %s: %s", dir, mc_buf_cstr(&why));
    mc_buf_free(&why);
    return CLI_FAILED;
  }
  mc_buf_free(&why);
  int rc = eng_dossier_get(e, code, &v);
  if (rc) {
    cli_error("dossier", rc == MC_ENOENT ? "there is no dossier %s" : "cannot read %s", code);
    eng_close(e);
    return CLI_FAILED;
  }
  printf("%s  %s  version %llu\n  procedure %s at %s\n", v.code, v.state, (unsigned long long)v.version,
         v.procedure, v.agency);
  for (int i = 0; i < v.nsteps; i++)
    printf("  at step %s\n", v.steps[i]);
  if (v.appointment_at) {
    mc_instant_format(v.appointment_at, VN, a);
    printf("  appointment %s%s%s\n", a, v.extended ? " (extended)" : "", v.paused_since ? " (legal clock paused)" : "");
  }
  if (v.supplement_used)
    printf("  supplement requested%s\n", v.supplement_late ? " late: a breach of the policy's limit" : "");
  if (v.outcome[0])
    printf("  decided: %s, %s\n", v.outcome, v.classification[0] ? v.classification : "unclassified");
  if (v.handler[0]) {
    printf("  handled by %s", v.handler);
    for (int i = 0; i < v.nco_handlers; i++)
      printf("%s%s", i ? ", " : " with ", v.co_handlers[i]);
    printf("\n");
  }
  if (v.fee_paid)
    printf("  fee paid%s\n", v.refunded ? "" : "");
  if (v.refunded)
    printf("  refunded %lld VND\n", (long long)v.refunded);
  if (v.rating)
    printf("  rated %d/5\n", v.rating);
  if ((rc = eng_dossier_documents(e, code, print_document, NULL)) != 0)
    cli_error("dossier", "cannot read the documents of %s: %s", code, mc_strerror(rc));
  eng_close(e);
  return CLI_OK;
}

/* The verbs of `motcua dossier` that are commands are submit and every
 * command on a dossier (engine/commands.h); a verb's options are its
 * arguments', --<wire name>, but for these, spelt as they always were (NULL:
 * the positional after the dossier's code). */
static const struct {
  const char *wire, *option;
} spelt[] = {
    {"action", NULL},          {"form", "--form-json"}, {"applicant", "--applicant-json"}, {"documents", "--document"},
    {"new_due", "--until"},    {"co_handlers", "--co"}, {"comment", "--reason"},
};

/* An argument's option ("--procedure"), or NULL when it is a positional. */
static const char *option_of(const eng_arg *a, char *buf, size_t size) {
  for (size_t i = 0; i < sizeof spelt / sizeof spelt[0]; i++)
    if (a->wire && !strcmp(spelt[i].wire, a->wire))
      return spelt[i].option;
  snprintf(buf, size, "--%s", a->wire ? a->wire : "");
  return buf;
}

static bool is_dossier_verb(eng_cmd_kind kind) { return kind == ENG_CMD_SUBMIT || eng_command_on_dossier(kind); }

/* "usage: motcua dossier DATA_DIR submit --procedure PROCEDURE ... | act CODE ACTION | ...": each verb with
 * its positionals and required options. */
static void dossier_usage(void) {
  mc_buf u = MC_BUF_INIT;
  for (int k = 0; k < ENG_CMD_COUNT; k++) {
    int n;
    const eng_arg *args = eng_command_args((eng_cmd_kind)k, &n);
    if (!is_dossier_verb((eng_cmd_kind)k))
      continue;
    mc_buf_printf(&u, "%s%s%s", u.len ? " | " : "", eng_command_name((eng_cmd_kind)k),
                  eng_command_on_dossier((eng_cmd_kind)k) ? " CODE" : "");
    for (int i = 0; i < n; i++) {
      char buf[40], upper[40];
      const char *opt = option_of(&args[i], buf, sizeof buf);
      if (opt && !args[i].required)
        continue;
      size_t m = 0;
      for (; args[i].wire[m] && m + 1 < sizeof upper; m++)
        upper[m] = (char)toupper((unsigned char)args[i].wire[m]);
      upper[m] = '\0';
      const char *value = args[i].type == ENG_ARG_INSTANT ? "TIME"
                          : args[i].type == ENG_ARG_TEXT  ? "TEXT"
                          : args[i].type == ENG_ARG_INT   ? "N"
                          : args[i].type == ENG_ARG_FORM  ? "JSON"
                                                          : upper;
      mc_buf_printf(&u, opt ? " %s %s" : "%s %s", opt ? opt : "", value);
    }
  }
  cli_error("dossier", "usage: motcua dossier DATA_DIR %s | reassign-all --from WHO --handler WHO | show CODE",
            mc_buf_cstr(&u));
  mc_buf_free(&u);
}

/* --document NAME=SHA256[@YYYY-MM-DD] (the string is modified); the engine
 * checks each part. */
static int parse_document(char *spec, eng_document *out) {
  char *eq = strchr(spec, '=');
  if (eq == NULL) {
    cli_error("dossier", "--document %s: write NAME=SHA256[@YYYY-MM-DD]", spec);
    return CLI_USAGE;
  }
  *eq = '\0';
  char *atsign = strchr(eq + 1, '@');
  if (atsign)
    *atsign = '\0';
  *out = (eng_document){.name = spec, .sha256 = eq + 1, .valid_until = atsign ? atsign + 1 : NULL};
  return CLI_OK;
}

/* What the options of a dossier verb gave, before it is a command. */
typedef struct verb_input {
  const eng_arg *args;
  int nargs;
  const char *given[16];     /* each argument's text, by its place in the table */
  eng_document *docs;        /* --document, at most its argument's bound */
  int ndocs;
  const char **names;        /* a list's items (--co), kept until the command is done */
  char *list;
  mc_buf maps[2];            /* the JSON maps (--applicant-json, --form-json) as msgpack */
  int nmaps;
} verb_input;

static void verb_input_free(verb_input *in) {
  free(in->docs);
  free(in->names);
  free(in->list);
  for (int i = 0; i < 2; i++)
    mc_buf_free(&in->maps[i]);
}

/* The command a verb's options make: each argument as its type reads. */
static int verb_command(verb_input *in, eng_command *c) {
  mc_buf why = MC_BUF_INIT;
  for (int k = 0; k < in->nargs; k++) {
    const eng_arg *a = &in->args[k];
    const char *text = in->given[k];
    char buf[40];
    const char *opt = option_of(a, buf, sizeof buf);
    int status = CLI_OK;
    if (a->type == ENG_ARG_DOCUMENTS) {
      *ENG_ARG_AT(c, a, eng_documents) = (eng_documents){in->docs, in->ndocs};
      continue;
    }
    if (text == NULL)
      continue;
    switch (a->type) {
    case ENG_ARG_WORD:
    case ENG_ARG_TEXT: *ENG_ARG_AT(c, a, const char *) = text; break;
    case ENG_ARG_INT: *ENG_ARG_AT(c, a, int) = atoi(text); break;
    case ENG_ARG_INSTANT: status = cli_parse_time("dossier", opt, text, ENG_ARG_AT(c, a, mc_instant)); break;
    case ENG_ARG_OFFICIALS: {
      int n = 0;
      char *save = NULL;
      in->list = strdup(text);
      in->names = calloc((size_t)a->hi + 1, sizeof *in->names);
      if (in->list == NULL || in->names == NULL)
        return CLI_FAILED;
      for (char *t = strtok_r(in->list, ",", &save); t && n < a->hi; t = strtok_r(NULL, ",", &save))
        in->names[n++] = t;
      *ENG_ARG_AT(c, a, eng_texts) = (eng_texts){in->names, n};
      break;
    }
    case ENG_ARG_FORM: {
      mc_buf *map = &in->maps[in->nmaps < 2 ? in->nmaps++ : 1];
      if (cli_json_to_canon(text, map, &why) != 0) {
        cli_error("dossier", "%s: %s", opt, mc_buf_cstr(&why));
        status = CLI_USAGE;
      }
      *ENG_ARG_AT(c, a, eng_bytes) = (eng_bytes){map->data, map->len};
      break;
    }
    default: cli_error("dossier", "%s cannot be given on the command line", opt); status = CLI_USAGE;
    }
    if (status != CLI_OK) {
      mc_buf_free(&why);
      return status;
    }
  }
  mc_buf_free(&why);
  if (c->kind == ENG_CMD_SUBMIT && c->submit.channel == NULL)
    c->submit.channel = "online";
  return CLI_OK;
}

/* Every required option of the verb is given: "submit needs --procedure, --agency and --form-json". */
static bool verb_complete(const char *verb, const verb_input *in) {
  mc_buf need = MC_BUF_INIT;
  int n = 0, last = 0;
  bool complete = true;
  for (int k = 0; k < in->nargs; k++) {
    char buf[40];
    const char *opt = option_of(&in->args[k], buf, sizeof buf);
    if (opt == NULL || !in->args[k].required)
      continue;
    complete &= in->given[k] != NULL || (in->args[k].type == ENG_ARG_DOCUMENTS && in->ndocs > 0);
    last = (int)need.len;
    mc_buf_printf(&need, "%s%s", n++ ? ", " : "", opt);
  }
  if (!complete) {
    /* "a, b, c" -> "a, b and c" */
    char *text = (char *)mc_buf_cstr(&need);
    if (n > 1)
      cli_error("dossier", "%s needs %.*s and %s", verb, last, text, text + last + 2);
    else
      cli_error("dossier", "%s needs %s", verb, text);
  }
  mc_buf_free(&need);
  return complete;
}

int cmd_dossier(int argc, char **argv);

int cmd_dossier(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : NULL, *verb = argc > 2 ? argv[2] : NULL;
  const char *now_text = NULL, *expect = NULL, *from_handler = NULL;
  char *as = NULL;
  const char *pos[4] = {0};
  int npos = 0, status = CLI_OK;
  mc_instant now = mc_clock_now();
  eng_engine *e = NULL;
  verb_input in = {.maps = {MC_BUF_INIT, MC_BUF_INIT}};

  if (dir == NULL || verb == NULL) {
    cli_error("dossier", "usage: motcua dossier DATA_DIR submit|act|withdraw|extend|show ... (motcua dossier --help)");
    return CLI_USAGE;
  }
  /* reassign-all is assignments; show reads. */
  bool reassign = !strcmp(verb, "reassign-all");
  eng_cmd_kind kind = reassign ? ENG_CMD_ASSIGN : eng_command_parse(verb);
  if (!strcmp(verb, "show"))
    kind = ENG_CMD_COUNT;
  else if (!is_dossier_verb(kind)) {
    dossier_usage();
    return CLI_USAGE;
  }
  in.args = eng_command_args(kind, &in.nargs);
  if (in.nargs > (int)(sizeof in.given / sizeof in.given[0]))
    return CLI_FAILED;
  for (int i = 3; i < argc; i++) {
    const char **slot = NULL;
    const eng_arg *arg = NULL;
    for (int k = 0; k < in.nargs && !arg; k++) {
      char buf[40];
      const char *opt = option_of(&in.args[k], buf, sizeof buf);
      if (opt && !strcmp(opt, argv[i]))
        arg = &in.args[k], slot = &in.given[k];
    }
    if (!strcmp(argv[i], "--now")) slot = &now_text;
    else if (!strcmp(argv[i], "--expect")) slot = &expect;
    else if (reassign && !strcmp(argv[i], "--from")) slot = &from_handler;
    else if (!strcmp(argv[i], "--as")) {
      if (i + 1 >= argc) break;
      as = argv[++i];
      continue;
    } else if (argv[i][0] != '-') {
      if (npos < 4) pos[npos++] = argv[i];
      continue;
    } else if (slot == NULL) {
      cli_error("dossier", "unknown option \"%s\"", argv[i]);
      status = CLI_USAGE;
      goto done;
    }
    if (i + 1 >= argc) {
      cli_error("dossier", "%s needs a value", argv[i]);
      status = CLI_USAGE;
      goto done;
    }
    if (arg && arg->type == ENG_ARG_DOCUMENTS) {
      if (in.docs == NULL && (in.docs = calloc((size_t)arg->hi + 1, sizeof *in.docs)) == NULL) {
        status = CLI_FAILED;
        goto done;
      }
      if (in.ndocs == arg->hi) {
        cli_error("dossier", "at most %lld %s", (long long)arg->hi, argv[i]);
        status = CLI_USAGE;
        goto done;
      }
      if ((status = parse_document(argv[++i], &in.docs[in.ndocs])) != CLI_OK)
        goto done;
      in.ndocs++;
      continue;
    }
    *slot = argv[++i];
  }
  if (now_text && (status = cli_parse_now("dossier", now_text, &now)) != CLI_OK)
    goto done;
  if (kind == ENG_CMD_COUNT) {
    status = show_dossier(dir, npos ? pos[0] : NULL);
    goto done;
  }
  if (reassign) {
    status = reassign_all(dir, as, from_handler, in.given[ENG_ARG(assign, handler) - in.args], now);
    goto done;
  }

  eng_command c = {.kind = kind, .expected_version = STORE_ANY_VERSION};
  if (as == NULL) {
    cli_error("dossier", "say who acts: --as WHO:ROLE[:AGENCY]");
    status = CLI_USAGE;
    goto done;
  }
  if ((status = parse_actor("dossier", as, &c.actor)) != CLI_OK)
    goto done;
  if (expect)
    c.expected_version = strtoull(expect, NULL, 10);
  /* The dossier's code, then the positional arguments (act's ACTION). */
  int want = 0;
  if (eng_command_on_dossier(kind))
    c.dossier = pos[want++];
  for (int k = 0; k < in.nargs; k++) {
    char buf[40];
    if (option_of(&in.args[k], buf, sizeof buf) == NULL && want < npos)
      in.given[k] = pos[want++];
    else if (option_of(&in.args[k], buf, sizeof buf) == NULL)
      want++;
  }
  if (npos != want) {
    dossier_usage();
    status = CLI_USAGE;
    goto done;
  }
  if (!verb_complete(verb, &in)) {
    status = CLI_USAGE;
    goto done;
  }
  if ((status = verb_command(&in, &c)) != CLI_OK)
    goto done;
  if ((status = open_engine("dossier", dir, now_text, now, &e)) == CLI_OK)
    status = execute("dossier", e, &c, 1, now);
  eng_close(e);
done:
  verb_input_free(&in);
  return status;
}

/* ============================================================ timers */

int cmd_timers(int argc, char **argv);

int cmd_timers(int argc, char **argv) {
  const char *dir = NULL, *now_text = NULL;
  bool fire = false;
  mc_instant now = mc_clock_now(), due;
  eng_engine *e;
  bool any;
  int status;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--fire"))
      fire = true;
    else if (!strcmp(argv[i], "--now") && i + 1 < argc)
      now_text = argv[++i];
    else if (argv[i][0] != '-' && dir == NULL)
      dir = argv[i];
    else {
      cli_error("timers", "usage: motcua timers DATA_DIR [--fire] [--now TIME]");
      return CLI_USAGE;
    }
  }
  if (dir == NULL) {
    cli_error("timers", "usage: motcua timers DATA_DIR [--fire] [--now TIME]");
    return CLI_USAGE;
  }
  if (now_text && (status = cli_parse_now("timers", now_text, &now)) != CLI_OK)
    return status;
  if ((status = open_engine("timers", dir, now_text, now, &e)) != CLI_OK)
    return status;
  int fired = 0, rc = fire ? eng_fire_due(e, now, &fired) : 0;
  if (rc == 0)
    rc = eng_next_due(e, &due, &any);
  if (rc) {
    cli_error("timers", "%s", mc_strerror(rc));
    eng_close(e);
    return CLI_FAILED;
  }
  if (fire)
    printf("fired %d timer event%s\n", fired, fired == 1 ? "" : "s");
  if (any) {
    char a[MC_INSTANT_STRLEN];
    mc_instant_format(due, VN, a);
    printf("next timer due %s\n", a);
  } else {
    printf("no timer armed\n");
  }
  eng_close(e);
  return CLI_OK;
}

/* ============================================================ outbox */

static int print_message(void *opaque, const eng_message *m) {
  int *n = opaque;
  printf("%llu/%d  %-16s to %-10s %s\n", (unsigned long long)m->seq, m->index, m->template_name, m->to,
         m->dossier[0] ? m->dossier : "-");
  (*n)++;
  return 0;
}

int cmd_outbox(int argc, char **argv);

/* The messages waiting for delivery, oldest first (read-only). */
int cmd_outbox(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    cli_error("outbox", "usage: motcua outbox DATA_DIR");
    return CLI_USAGE;
  }
  eng_options ro = {.read_only = true};
  eng_engine *e;
  mc_buf why = MC_BUF_INIT;
  if (eng_open(argv[1], &ro, &e, &why) != 0) {
    cli_error("outbox", "cannot open %s: %s", argv[1], mc_buf_cstr(&why) ? mc_buf_cstr(&why) : "");
    mc_buf_free(&why);
    return CLI_FAILED;
  }
  int n = 0, rc = eng_outbox_pending(e, 0, 0, print_message, &n);
  eng_close(e);
  if (rc) {
    cli_error("outbox", "%s", mc_strerror(rc));
    return CLI_FAILED;
  }
  printf("%d message%s waiting\n", n, n == 1 ? "" : "s");
  return CLI_OK;
}

/* ============================================================ announce */

int cmd_announce(int argc, char **argv);

/* An incident told to everyone with an open dossier (of one agency). */
int cmd_announce(int argc, char **argv) {
  const char *dir = NULL, *message = NULL, *agency = NULL, *now_text = NULL;
  char *as = NULL;
  mc_instant now = mc_clock_now();
  eng_engine *e;
  int status;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--message") && i + 1 < argc)
      message = argv[++i];
    else if (!strcmp(argv[i], "--agency") && i + 1 < argc)
      agency = argv[++i];
    else if (!strcmp(argv[i], "--as") && i + 1 < argc)
      as = argv[++i];
    else if (!strcmp(argv[i], "--now") && i + 1 < argc)
      now_text = argv[++i];
    else if (argv[i][0] != '-' && dir == NULL)
      dir = argv[i];
    else
      dir = NULL, i = argc;
  }
  if (dir == NULL || message == NULL || as == NULL) {
    cli_error("announce", "usage: motcua announce DATA_DIR --message TEXT [--agency CODE] --as WHO:ROLE[:AGENCY]");
    return CLI_USAGE;
  }
  eng_command c = {.kind = ENG_CMD_ANNOUNCE, .announce = {.agency = agency, .message = message}};
  if ((status = parse_actor("announce", as, &c.actor)) != CLI_OK ||
      (now_text && (status = cli_parse_now("announce", now_text, &now)) != CLI_OK))
    return status;
  if ((status = open_engine("announce", dir, now_text, now, &e)) != CLI_OK)
    return status;
  status = execute("announce", e, &c, 1, now);
  eng_close(e);
  if (status == CLI_OK)
    printf("announced: it waits in the outbox for motcua deliver\n");
  return status;
}

/* ============================================================ retire */

int cmd_retire(int argc, char **argv);

int cmd_retire(int argc, char **argv) {
  const char *dir = NULL, *kind = NULL, *id = NULL, *from_text = NULL, *now_text = NULL;
  mc_instant now = mc_clock_now(), from;
  eng_engine *e;
  int status;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--from") && i + 1 < argc)
      from_text = argv[++i];
    else if (!strcmp(argv[i], "--now") && i + 1 < argc)
      now_text = argv[++i];
    else if (argv[i][0] == '-')
      break;
    else if (!dir)
      dir = argv[i];
    else if (!kind)
      kind = argv[i];
    else if (!id)
      id = argv[i];
  }
  if (!dir || !kind || !id || !from_text || (strcmp(kind, "procedure") && strcmp(kind, "policy"))) {
    cli_error("retire", "usage: motcua retire DATA_DIR procedure|policy ID --from TIME");
    return CLI_USAGE;
  }
  if ((status = cli_parse_time("retire", "--from", from_text, &from)) != CLI_OK ||
      (now_text && (status = cli_parse_now("retire", now_text, &now)) != CLI_OK))
    return status;
  eng_command c = {.kind = ENG_CMD_RETIRE, .actor = {"cli", "system_admin", NULL, "motcua-cli"},
                   .retire = {.def_kind = strcmp(kind, "procedure") ? ENG_DEF_POLICY : ENG_DEF_PROCEDURE, .id = id,
                              .effective_from = from}};
  if ((status = open_engine("retire", dir, now_text, now, &e)) != CLI_OK)
    return status;
  status = execute("retire", e, &c, 1, now);
  eng_close(e);
  return status;
}
