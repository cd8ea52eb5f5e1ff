/* defs.c — compiled policies and message templates read back (defs.h); their
 * encoder is dsl_compile_emit() in compile.c, whose comment gives the format.
 * A policy is read as leniently as the engine always read it: a duration
 * without a known unit counts calendar days, a setting of another type than
 * its key expects is not set. */
#include "dsl/defs.h"
#include "dsl/dsl-int.h"
#include "dsl/vocab.h"

#include "base/error.h"

#include <msgpack.h>
#include <string.h>

static bool str_is(const msgpack_object *o, const char *s) {
  return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) && !memcmp(o->via.str.ptr, s, o->via.str.size);
}

/* A text field copied into the arena: *out NULL when absent or nil;
 * MC_EPARSE when of another type. */
static int text(mc_arena *a, const msgpack_object *map, const char *key, const char **out) {
  const msgpack_object *o = dsl__field(map, key);
  *out = NULL;
  if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
    return 0;
  if (o->type != MSGPACK_OBJECT_STR)
    return MC_EPARSE;
  return (*out = mc_arena_strndup(a, o->via.str.ptr, o->via.str.size)) ? 0 : MC_ENOMEM;
}

/* ============================================================ the policy */

static int policy_settings(const msgpack_object *settings, mc_arena *arena, dsl_d_policy *p) {
  dsl_d_limit *limits = mc_arena_alloc(arena, (settings->via.map.size + 1) * sizeof *limits);
  if (limits == NULL)
    return MC_ENOMEM;
  p->limits = limits;
  for (uint32_t i = 0; i < settings->via.map.size; i++) {
    const msgpack_object *k = &settings->via.map.ptr[i].key, *v = &settings->via.map.ptr[i].val;
    if (k->type != MSGPACK_OBJECT_STR)
      return MC_EPARSE;
    if (v->type == MSGPACK_OBJECT_MAP) {
      const msgpack_object *amount = dsl__field(v, "amount"), *unit = dsl__field(v, "unit");
      dsl_d_limit *l = &limits[p->nlimits++];
      if ((l->key = mc_arena_strndup(arena, k->via.str.ptr, k->via.str.size)) == NULL)
        return MC_ENOMEM;
      l->amount = amount && amount->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t)amount->via.u64 : 0;
      int u = unit && unit->type == MSGPACK_OBJECT_STR ? dsl_unit_of(unit->via.str.ptr, unit->via.str.size) : -1;
      l->unit = u < 0 ? DSL_M_CALENDAR_DAYS : (dsl_m_unit)u;
    } else if (str_is(k, "cutoff") && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
      p->has_cutoff = true;
      p->cutoff_min = (int)v->via.u64;
    } else if (str_is(k, "supplement_clock")) {
      p->supplement_restarts = str_is(v, "restart");
    } else if (str_is(k, "payment_pauses_clock")) {
      p->payment_pauses_clock = v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
    }
  }
  return 0;
}

int dsl_policy_decode(const uint8_t *bytes, size_t len, mc_arena *arena, dsl_d_policy **out) {
  msgpack_unpacked u;
  size_t off = 0;
  int rc = MC_EPARSE;
  dsl_d_policy *p = mc_arena_alloc(arena, sizeof *p);
  *out = NULL;
  if (p == NULL)
    return MC_ENOMEM;
  memset(p, 0, sizeof *p);
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)bytes, len, &off) == MSGPACK_UNPACK_SUCCESS) {
    const msgpack_object *settings = dsl__field(&u.data, "settings");
    if (settings && settings->type == MSGPACK_OBJECT_MAP && (rc = text(arena, &u.data, "id", &p->id)) == 0 &&
        (rc = text(arena, &u.data, "title", &p->title)) == 0)
      rc = policy_settings(settings, arena, p);
  }
  msgpack_unpacked_destroy(&u);
  if (rc == 0)
    *out = p;
  return rc;
}

const dsl_d_limit *dsl_policy_limit(const dsl_d_policy *p, const char *key) {
  for (int i = 0; p && i < p->nlimits; i++)
    if (!strcmp(p->limits[i].key, key))
      return &p->limits[i];
  return NULL;
}

/* ============================================================ templates */

int dsl_template_decode(const uint8_t *bytes, size_t len, mc_arena *arena, dsl_d_template **out) {
  msgpack_unpacked u;
  size_t off = 0;
  int rc = MC_EPARSE;
  dsl_d_template *t = mc_arena_alloc(arena, sizeof *t);
  *out = NULL;
  if (t == NULL)
    return MC_ENOMEM;
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, (const char *)bytes, len, &off) == MSGPACK_UNPACK_SUCCESS &&
      str_is(dsl__field(&u.data, "kind"), "template") && (rc = text(arena, &u.data, "name", &t->name)) == 0 &&
      (rc = text(arena, &u.data, "subject", &t->subject)) == 0 && (rc = text(arena, &u.data, "body", &t->body)) == 0)
    rc = text(arena, &u.data, "sms", &t->sms);
  msgpack_unpacked_destroy(&u);
  if (rc == 0)
    *out = t;
  return rc;
}
