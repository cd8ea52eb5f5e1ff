/* cmd_publish.c — the commands publish and retire: definitions
 * (procedures, policies, the calendar, the directory, templates), who may
 * publish them, and the checks before (a directory may not drop an agency
 * with open dossiers or enabled officials unless it names its successor,
 * which then takes them over: cmd_transfer.c; a calendar must parse). */
#include "engine/decide.h"

#include "base/error.h"
#include "base/hash.h"

#include <stdio.h>
#include <string.h>

/* The agencies a directory merges into their successors, for the
 * transfers that follow its publication. */
typedef struct merging {
  char from[64], to[64], name[256];
} merging;

#define MAX_MERGING 64

/* A directory may drop an agency without a successor only when none of its
 * dossiers is open and none of its officials enabled: they would have
 * nowhere to be decided, no agency to work for.  With one (`merged "FROM"
 * into "TO"`, an agency of the new directory), the dossiers and officials
 * are taken over (merge[], *nmerge). */
static int check_directory_removals(decide *d, merging *merge, int *nmerge) {
  uint8_t current[32];
  eng_def *def;
  const dsl_directory *was;
  dsl_directory *next = NULL;
  *nmerge = 0;
  int rc = eng__def_current(d->e, d->b, ENG_DEF_DIRECTORY, "directory", INT64_MAX, current);
  if (rc == MC_ENOENT || rc == MC_ERANGE)
    return 0; /* the first directory */
  if (rc || (rc = eng__def_load(d->e, d->b, current, ENG_DEF_DIRECTORY, &def)) ||
      (rc = def->directory ? 0 : MC_EPARSE))
    return refuse(d, rc, DIRECTORY_IN_EFFECT_UNREADABLE);
  was = def->directory; /* the engine's, decoded once */
  if ((rc = dsl_directory_decode(d->cmd->publish.bytes.data, d->cmd->publish.bytes.len, &next))) {
    return refuse(d, MC_EPARSE, DIRECTORY_NOT_COMPILED);
  }
  for (uint32_t i = 0; rc == 0 && i < dsl_directory_agency_count(was); i++) {
    char code[64], name[256], to[64];
    dsl_directory_agency(was, i, code, sizeof code, name, sizeof name);
    if (dsl_directory_has_agency(next, code))
      continue;
    if (dsl_directory_successor(next, code, to, sizeof to)) {
      if (!dsl_directory_has_agency(next, to))
        rc = refuse(d, MC_EINVAL, DIRECTORY_SUCCESSOR_UNKNOWN, to, code, to);
      else if (*nmerge == MAX_MERGING)
        rc = refuse(d, MC_ETOOBIG, DIRECTORY_NOT_COMPILED);
      else {
        merging *m = &merge[(*nmerge)++];
        snprintf(m->from, sizeof m->from, "%s", code);
        snprintf(m->to, sizeof m->to, "%s", to);
        snprintf(m->name, sizeof m->name, "%s", name);
      }
      continue;
    }
    mc_buf codes = MC_BUF_INIT;
    int open = 0, officials = 0;
    if ((rc = dec_open_dossiers_of(d, code, &codes, &open)) == 0 &&
        (rc = eng__agency_officials(d->b, code, &officials)) != 0)
      rc = eng__refuse_store(d->res, rc, store_errmsg(d->e->st));
    if (rc == 0 && open > 0)
      rc = refuse(d, MC_EINVAL, DIRECTORY_DROPS_AGENCY, code, name, open, open == 1 ? "" : "s",
                  (const char *)codes.data, open > 1 ? ", ..." : "", code);
    else if (rc == 0 && officials > 0)
      rc = refuse(d, MC_EINVAL, DIRECTORY_NEEDS_SUCCESSOR, code, name, officials, officials == 1 ? "" : "s", code);
    mc_buf_free(&codes);
  }
  dsl_directory_free(next);
  return rc;
}

/* After the directory that merges them is appended, in the same command
 * (one durable batch): every open dossier of each merged agency transferred
 * to its successor, its officials moved there. */
static int take_over(decide *d, const merging *merge, int nmerge) {
  int rc = 0, dossiers = 0, officials = 0;
  eng_result kept = *d->res;
  for (int i = 0; i < nmerge && rc == 0; i++) {
    char reason[512];
    int nd, no;
    snprintf(reason, sizeof reason, "%.300s (%.63s) đã sáp nhập vào cơ quan %.63s theo danh mục cơ quan mới.", merge[i].name,
             merge[i].from, merge[i].to);
    if ((rc = dec_transfer_agency(d, merge[i].from, merge[i].to, reason, &nd, &no)) == 0)
      dossiers += nd, officials += no;
  }
  if (rc)
    return rc;
  *d->res = kept; /* the publication's result, not the last transfer's */
  snprintf(d->res->message, sizeof d->res->message, "%d dossier%s transferred, %d official%s moved", dossiers,
           dossiers == 1 ? "" : "s", officials, officials == 1 ? "" : "s");
  return 0;
}

/* A procedure is an agency's to publish or retire; the policies, the
 * calendar and the directory apply province-wide and are the system
 * administrator's. */
static int admin_may(decide *d, eng_def_kind kind, const char *what_for) {
  const char *role = d->cmd->actor.role;
  if ((unsigned)kind > ENG_DEF_TEMPLATE)
    return refuse(d, MC_EINVAL, DEFINITION_KIND_UNKNOWN,
                  what_for, (int)kind);
  if (role && !strcmp(role, "system_admin"))
    return 0;
  if (role && !strcmp(role, "agency_admin")) {
    if (kind == ENG_DEF_PROCEDURE)
      return 0;
    return refuse(d, MC_EACCES, DEFINITION_PROVINCE_WIDE, what_for,
                  eng_def_kind_name(kind));
  }
  return refuse(d, MC_EACCES, DEFINITION_FORBIDDEN, what_for);
}

int dec_do_publish(decide *d) {
  const eng_command *c = d->cmd;
  const eng_publish_args *arg = &c->publish;
  char id[64] = "", title[256] = "";
  uint8_t hash[32];
  int rc;
  if ((rc = admin_may(d, arg->def_kind, "publishing")))
    return rc;
  if (arg->bytes.data == NULL || arg->bytes.len == 0)
    return refuse(d, MC_EINVAL, PUBLISH_EMPTY);
  if (mc_canon_verify(arg->bytes.data, arg->bytes.len, NULL) != 0)
    return refuse(d, MC_EPARSE, DEFINITION_NOT_CANONICAL, eng_def_kind_name(arg->def_kind));
  msgpack_unpacked u;
  size_t off = 0;
  msgpack_unpacked_init(&u);
  msgpack_unpack_next(&u, (const char *)arg->bytes.data, arg->bytes.len, &off);
  const msgpack_object *root = &u.data;
  switch (arg->def_kind) {
  case ENG_DEF_PROCEDURE: {
    mc_arena a = MC_ARENA_INIT;
    dsl_machine *m;
    rc = dsl_machine_decode(arg->bytes.data, arg->bytes.len, &a, &m);
    if (rc == 0) {
      snprintf(id, sizeof id, "%s", m->code);
      snprintf(title, sizeof title, "%s", m->name);
    }
    mc_arena_free(&a);
    break;
  }
  case ENG_DEF_POLICY:
  case ENG_DEF_DIRECTORY:
    rc = eng__str_is(eng__get(root, "kind"), eng_def_kind_name(arg->def_kind)) ? 0 : MC_EPARSE;
    if (rc == 0 && arg->def_kind == ENG_DEF_POLICY)
      rc = eng__str_copy(eng__get(root, "id"), id, sizeof id) | eng__str_copy(eng__get(root, "title"), title, sizeof title);
    else if (rc == 0)
      snprintf(id, sizeof id, "directory");
    break;
  case ENG_DEF_CALENDAR:
    rc = eng__str_copy(eng__get(root, "id"), id, sizeof id);
    break;
  case ENG_DEF_TEMPLATE:
    rc = eng__str_is(eng__get(root, "kind"), "template") ? 0 : MC_EPARSE;
    if (rc == 0)
      rc = eng__str_copy(eng__get(root, "name"), id, sizeof id) |
           eng__str_copy(eng__get(root, "subject"), title, sizeof title);
    break;
  default:
    rc = MC_EINVAL;
  }
  msgpack_unpacked_destroy(&u);
  if (rc != 0 || id[0] == '\0')
    return refuse(d, MC_EPARSE, DEFINITION_NOT_COMPILED, eng_def_kind_name(arg->def_kind));
  mc_sha256_digest(arg->bytes.data, arg->bytes.len, hash);
  /* Publishing what is already the newest version, in effect from that
   * date, changes nothing; the same bytes with an earlier date correct it. */
  uint8_t newest[32], then[32];
  if (eng__def_current(d->e, d->b, arg->def_kind, id, INT64_MAX, newest) == 0 && !memcmp(newest, hash, 32) &&
      eng__def_current(d->e, d->b, arg->def_kind, id, arg->effective_from, then) == 0 && !memcmp(then, hash, 32)) {
    d->res->repeated = true;
    snprintf(d->res->message, sizeof d->res->message, "the %s %s is already published as this version",
             eng_def_kind_name(arg->def_kind), id);
    return 0;
  }
  merging merge[MAX_MERGING];
  int nmerge = 0;
  if (arg->def_kind == ENG_DEF_DIRECTORY && (rc = check_directory_removals(d, merge, &nmerge)))
    return rc;
  if (arg->def_kind == ENG_DEF_CALENDAR) {
    /* A calendar must parse before anything can count on it. */
    eng_calendar *cal = NULL;
    mc_arena a = MC_ARENA_INIT;
    mc_source src[64];
    int nsrc = 0;
    msgpack_unpacked cu;
    size_t coff = 0;
    msgpack_unpacked_init(&cu);
    msgpack_unpack_next(&cu, (const char *)arg->bytes.data, arg->bytes.len, &coff);
    const msgpack_object *files = eng__get(&cu.data, "files");
    for (uint32_t i = 0; files && files->type == MSGPACK_OBJECT_ARRAY && i < files->via.array.size && i < 64; i++) {
      const msgpack_object *name = eng__get(&files->via.array.ptr[i], "name");
      const msgpack_object *text = eng__get(&files->via.array.ptr[i], "text");
      if (name && name->type == MSGPACK_OBJECT_STR && text && text->type == MSGPACK_OBJECT_STR)
        src[nsrc++] = (mc_source){mc_arena_strndup(&a, name->via.str.ptr, name->via.str.size),
                                  mc_arena_strndup(&a, text->via.str.ptr, text->via.str.size), text->via.str.size};
    }
    mc_diag_sink quiet = {0};
    rc = nsrc > 0 ? eng_calendar_parse(src, nsrc, &quiet, &cal) : MC_EPARSE;
    eng_calendar_free(cal);
    msgpack_unpacked_destroy(&cu);
    mc_arena_free(&a);
    if (rc)
      return refuse(d, MC_EPARSE, CALENDAR_UNPARSABLE, id);
  }
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, 6);
  mc_canon_key(&w, "bytes");
  mc_canon_bin(&w, arg->bytes.data, arg->bytes.len);
  mc_canon_kv_int(&w, "effective_from", arg->effective_from);
  mc_canon_key(&w, "hash");
  mc_canon_bin(&w, hash, 32);
  mc_canon_kv_str(&w, "id", id);
  mc_canon_kv_str(&w, "kind", eng_def_kind_name(arg->def_kind));
  mc_canon_kv_str(&w, "title", title);
  if ((rc = mc_canon_finish(&w)) != 0) {
    mc_buf_free(&data);
    return refuse(d, rc, DEFINITION_UNENCODABLE);
  }
  char stream[160];
  snprintf(stream, sizeof stream, "definition/%s/%s", eng_def_kind_name(arg->def_kind), id);
  store_event_in in = {.stream = stream, .expected_version = STORE_ANY_VERSION, .type = eng_event_name(ENG_EV_DEFINITION_PUBLISHED),
                       .time = d->now, .actor = {c->actor.who, c->actor.role, c->actor.client},
                       .definition_hash = hash, .data = data.data, .data_len = data.len};
  uint64_t seq = 0;
  rc = store_append(d->b, &in, &seq, NULL);
  mc_buf_free(&data);
  if (rc == 0)
    eng__tap_other(d->e, seq, &in);
  if (rc)
    return eng__refuse_store(d->res, rc, store_errmsg(d->e->st));
  return nmerge ? take_over(d, merge, nmerge) : 0;
}

int dec_do_retire(decide *d) {
  const eng_command *c = d->cmd;
  const eng_retire_args *arg = &c->retire;
  uint8_t hash[32];
  int rc;
  if ((rc = admin_may(d, arg->def_kind, "retiring")))
    return rc;
  if (arg->def_kind != ENG_DEF_PROCEDURE && arg->def_kind != ENG_DEF_POLICY)
    return refuse(d, MC_EINVAL, RETIRE_KIND);
  if (arg->id == NULL || (rc = eng__def_current(d->e, d->b, arg->def_kind, arg->id, INT64_MAX, hash)) == MC_ENOENT)
    return refuse(d, MC_ENOENT, DEFINITION_NOT_PUBLISHED, eng_def_kind_name(arg->def_kind), arg->id ? arg->id : "");
  if (rc == MC_ERANGE)
    return refuse(d, MC_EINVAL, ALREADY_RETIRED,
                  eng_def_kind_name(arg->def_kind), arg->id);
  mc_buf data = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &data);
  mc_canon_map(&w, 3);
  mc_canon_kv_int(&w, "effective_from", arg->effective_from);
  mc_canon_kv_str(&w, "id", arg->id);
  mc_canon_kv_str(&w, "kind", eng_def_kind_name(arg->def_kind));
  if ((rc = mc_canon_finish(&w)) != 0) {
    mc_buf_free(&data);
    return refuse(d, rc, RETIREMENT_UNENCODABLE);
  }
  char stream[160];
  snprintf(stream, sizeof stream, "definition/%s/%.100s", eng_def_kind_name(arg->def_kind), arg->id);
  store_event_in in = {.stream = stream, .expected_version = STORE_ANY_VERSION, .type = eng_event_name(ENG_EV_DEFINITION_RETIRED),
                       .time = d->now, .actor = {c->actor.who, c->actor.role, c->actor.client},
                       .data = data.data, .data_len = data.len};
  uint64_t seq = 0;
  rc = store_append(d->b, &in, &seq, NULL);
  mc_buf_free(&data);
  if (rc == 0)
    eng__tap_other(d->e, seq, &in);
  return rc ? eng__refuse_store(d->res, rc, store_errmsg(d->e->st)) : 0;
}
