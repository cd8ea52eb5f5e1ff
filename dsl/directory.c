/* directory.c — the agency directory as compiled: read back, merged with
 * what is published, compared.
 *
 * The directory is one definition for the whole province (compile.c writes
 * it from every agency and offer of the files compiled).  Publishing a few
 * edited files must not drop the agencies the other files declare, so the
 * command line merges what it compiled into the directory in the log
 * (dsl_directory_merge), says exactly what changes (dsl_directory_diff), and
 * the engine refuses to drop an agency that still has open dossiers.  Offers
 * are kept in one canonical order (dsl__offer_cmp) so that the directory's
 * hash does not depend on the order of the files it came from.
 */
#include "dsl/dsl-int.h"
#include "dsl/defs.h"

#include "base/arena.h"
#include "base/canon.h"
#include "base/error.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dsl_directory {
  uint8_t *bytes;     /* a copy: the objects' texts point into it */
  msgpack_unpacked u; /* owns everything below */
  const msgpack_object **agencies; /* sorted by code */
  const msgpack_object **offers;   /* in canonical order */
  const msgpack_object **merged;   /* {from, into}, sorted by from */
  uint32_t nagencies, noffers, nmerged;
  mc_arena arena;        /* the decoded form's texts */
  dsl_d_agency *list;    /* in the bytes' order */
  dsl_d_offer *olist;
};

const msgpack_object *dsl__field(const msgpack_object *map, const char *key) {
  size_t n = strlen(key);
  if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
    return NULL;
  for (uint32_t i = 0; i < map->via.map.size; i++) {
    const msgpack_object *k = &map->via.map.ptr[i].key;
    if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && !memcmp(k->via.str.ptr, key, n))
      return &map->via.map.ptr[i].val;
  }
  return NULL;
}

/* A text field as a view (ptr, len); {NULL, 0} when absent or nil. */
typedef struct view {
  const char *ptr;
  size_t len;
} view;

static view text(const msgpack_object *map, const char *key) {
  const msgpack_object *o = dsl__field(map, key);
  if (o && o->type == MSGPACK_OBJECT_STR)
    return (view){o->via.str.ptr, o->via.str.size};
  return (view){NULL, 0};
}

static int view_cmp(view a, view b) {
  size_t n = a.len < b.len ? a.len : b.len;
  int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
  return c ? c : (a.len > b.len) - (a.len < b.len);
}

static bool view_is(view a, const char *s) { return a.ptr && a.len == strlen(s) && !memcmp(a.ptr, s, a.len); }

int dsl__offer_cmp(const char *proc_a, const char *agency_a, const char *every_a, const char *proc_b,
                   const char *agency_b, const char *every_b) {
  int c = strcmp(proc_a, proc_b);
  if (c == 0)
    c = strcmp(agency_a ? agency_a : "", agency_b ? agency_b : "");
  if (c == 0)
    c = strcmp(every_a ? every_a : "", every_b ? every_b : "");
  return c;
}

static int offer_cmp(const msgpack_object *a, const msgpack_object *b) {
  int c = view_cmp(text(a, "procedure"), text(b, "procedure"));
  if (c == 0)
    c = view_cmp(text(a, "agency"), text(b, "agency"));
  if (c == 0)
    c = view_cmp(text(a, "every"), text(b, "every"));
  return c;
}

static int offer_qsort(const void *a, const void *b) {
  return offer_cmp(*(const msgpack_object *const *)a, *(const msgpack_object *const *)b);
}

static int merged_qsort(const void *a, const void *b) {
  return view_cmp(text(*(const msgpack_object *const *)a, "from"), text(*(const msgpack_object *const *)b, "from"));
}

static int agency_qsort(const void *a, const void *b) {
  return view_cmp(text(*(const msgpack_object *const *)a, "code"), text(*(const msgpack_object *const *)b, "code"));
}

/* A text as a NUL-terminated copy in the directory's arena; NULL when absent
 * or not text. */
static const char *copy(dsl_directory *d, view v, bool *oom) {
  if (v.ptr == NULL)
    return NULL;
  char *s = mc_arena_strndup(&d->arena, v.ptr, v.len);
  *oom |= s == NULL;
  return s;
}

/* The decoded form (defs.h), in the bytes' order: before the views are sorted. */
static int decode_lists(dsl_directory *d) {
  bool oom = false;
  d->list = mc_arena_alloc(&d->arena, (d->nagencies + 1) * sizeof *d->list);
  d->olist = mc_arena_alloc(&d->arena, (d->noffers + 1) * sizeof *d->olist);
  if (d->list == NULL || d->olist == NULL)
    return MC_ENOMEM;
  for (uint32_t i = 0; i < d->nagencies; i++) {
    const msgpack_object *a = d->agencies[i], *settings = dsl__field(a, "settings");
    const msgpack_object *deps = dsl__field(a, "departments");
    uint32_t ndeps = deps && deps->type == MSGPACK_OBJECT_ARRAY ? deps->via.array.size : 0;
    dsl_d_department *list = mc_arena_alloc(&d->arena, (ndeps + 1) * sizeof *list);
    if (list == NULL)
      return MC_ENOMEM;
    for (uint32_t k = 0; k < ndeps; k++)
      list[k] = (dsl_d_department){copy(d, text(&deps->via.array.ptr[k], "code"), &oom),
                                   copy(d, text(&deps->via.array.ptr[k], "name"), &oom)};
    d->list[i] = (dsl_d_agency){copy(d, text(a, "code"), &oom), copy(d, text(a, "name"), &oom),
                                copy(d, text(settings, "level"), &oom), copy(d, text(settings, "parent"), &oom),
                                copy(d, text(settings, "calendar"), &oom), copy(d, text(settings, "email"), &oom),
                                copy(d, text(settings, "address"), &oom), copy(d, text(settings, "phone"), &oom),
                                copy(d, text(settings, "website"), &oom), list, ndeps};
  }
  for (uint32_t i = 0; i < d->noffers; i++) {
    const msgpack_object *o = d->offers[i];
    d->olist[i] = (dsl_d_offer){copy(d, text(o, "procedure"), &oom), copy(d, text(o, "agency"), &oom),
                                copy(d, text(o, "every"), &oom)};
  }
  return oom ? MC_ENOMEM : 0;
}

int dsl_directory_decode(const uint8_t *bytes, size_t len, dsl_directory **out) {
  dsl_directory *d = calloc(1, sizeof *d);
  size_t off = 0;
  *out = NULL;
  if (d == NULL)
    return MC_ENOMEM;
  msgpack_unpacked_init(&d->u);
  const msgpack_object *root = &d->u.data, *agencies, *offers;
  if ((d->bytes = malloc(len ? len : 1)) == NULL) {
    dsl_directory_free(d);
    return MC_ENOMEM;
  }
  memcpy(d->bytes, bytes, len);
  if (msgpack_unpack_next(&d->u, (const char *)d->bytes, len, &off) != MSGPACK_UNPACK_SUCCESS ||
      !view_is(text(root, "kind"), "directory") || (agencies = dsl__field(root, "agencies")) == NULL ||
      agencies->type != MSGPACK_OBJECT_ARRAY || (offers = dsl__field(root, "offers")) == NULL ||
      offers->type != MSGPACK_OBJECT_ARRAY) {
    dsl_directory_free(d);
    return MC_EPARSE;
  }
  d->nagencies = agencies->via.array.size;
  d->noffers = offers->via.array.size;
  d->agencies = calloc(d->nagencies + 1, sizeof *d->agencies);
  d->offers = calloc(d->noffers + 1, sizeof *d->offers);
  if (d->agencies == NULL || d->offers == NULL) {
    dsl_directory_free(d);
    return MC_ENOMEM;
  }
  for (uint32_t i = 0; i < d->nagencies; i++) {
    d->agencies[i] = &agencies->via.array.ptr[i];
    if (text(d->agencies[i], "code").ptr == NULL) {
      dsl_directory_free(d);
      return MC_EPARSE;
    }
  }
  for (uint32_t i = 0; i < d->noffers; i++) {
    d->offers[i] = &offers->via.array.ptr[i];
    if (text(d->offers[i], "procedure").ptr == NULL) {
      dsl_directory_free(d);
      return MC_EPARSE;
    }
  }
  const msgpack_object *merged = dsl__field(root, "merged");
  d->nmerged = merged && merged->type == MSGPACK_OBJECT_ARRAY ? merged->via.array.size : 0;
  if ((d->merged = calloc(d->nmerged + 1, sizeof *d->merged)) == NULL) {
    dsl_directory_free(d);
    return MC_ENOMEM;
  }
  for (uint32_t i = 0; i < d->nmerged; i++) {
    d->merged[i] = &merged->via.array.ptr[i];
    if (text(d->merged[i], "from").ptr == NULL || text(d->merged[i], "into").ptr == NULL) {
      dsl_directory_free(d);
      return MC_EPARSE;
    }
  }
  if (decode_lists(d) != 0) {
    dsl_directory_free(d);
    return MC_ENOMEM;
  }
  /* Directories compiled before offers were ordered keep their bytes; the
   * views are ordered for merging and comparing. */
  qsort(d->agencies, d->nagencies, sizeof *d->agencies, agency_qsort);
  qsort(d->offers, d->noffers, sizeof *d->offers, offer_qsort);
  qsort(d->merged, d->nmerged, sizeof *d->merged, merged_qsort);
  *out = d;
  return 0;
}

void dsl_directory_free(dsl_directory *d) {
  if (d == NULL)
    return;
  msgpack_unpacked_destroy(&d->u);
  free(d->bytes);
  free(d->agencies);
  free(d->offers);
  free(d->merged);
  mc_arena_free(&d->arena);
  free(d);
}

static const msgpack_object *find_agency(const dsl_directory *d, view code) {
  for (uint32_t i = 0; d && i < d->nagencies; i++)
    if (view_cmp(text(d->agencies[i], "code"), code) == 0)
      return d->agencies[i];
  return NULL;
}

static const msgpack_object *find_offer(const dsl_directory *d, const msgpack_object *o) {
  for (uint32_t i = 0; d && i < d->noffers; i++)
    if (offer_cmp(d->offers[i], o) == 0)
      return d->offers[i];
  return NULL;
}

static const msgpack_object *find_merged(const dsl_directory *d, view from) {
  for (uint32_t i = 0; d && i < d->nmerged; i++)
    if (view_cmp(text(d->merged[i], "from"), from) == 0)
      return d->merged[i];
  return NULL;
}

bool dsl_directory_successor(const dsl_directory *d, const char *code, char *into, size_t size) {
  const msgpack_object *m = find_merged(d, (view){code, strlen(code)});
  view v = text(m, "into");
  if (m == NULL || v.ptr == NULL)
    return false;
  snprintf(into, size, "%.*s", (int)v.len, v.ptr);
  return true;
}

bool dsl_directory_has_agency(const dsl_directory *d, const char *code) {
  return find_agency(d, (view){code, strlen(code)}) != NULL;
}

uint32_t dsl_directory_agency_count(const dsl_directory *d) { return d ? d->nagencies : 0; }

void dsl_directory_agency(const dsl_directory *d, uint32_t i, char *code, size_t code_size, char *name,
                          size_t name_size) {
  view c = text(d->agencies[i], "code"), n = text(d->agencies[i], "name");
  snprintf(code, code_size, "%.*s", (int)c.len, c.ptr ? c.ptr : "");
  snprintf(name, name_size, "%.*s", (int)n.len, n.ptr ? n.ptr : "");
}

/* Writes a directory of these agencies and offers (both already sorted). */
static int encode(const msgpack_object *const *agencies, uint32_t na, const msgpack_object *const *offers,
                  uint32_t no, const msgpack_object *const *merged, uint32_t ng, mc_buf *out) {
  mc_canon w;
  mc_canon_init(&w, out);
  mc_canon_map(&w, 4 + (ng > 0));
  mc_canon_key(&w, "agencies");
  mc_canon_array(&w, na);
  for (uint32_t i = 0; i < na; i++)
    mc_canon_object(&w, agencies[i]);
  mc_canon_kv_int(&w, "format", DSL_FORMAT_VERSION);
  mc_canon_kv_str(&w, "kind", "directory");
  if (ng > 0) {
    mc_canon_key(&w, "merged");
    mc_canon_array(&w, ng);
    for (uint32_t i = 0; i < ng; i++)
      mc_canon_object(&w, merged[i]);
  }
  mc_canon_key(&w, "offers");
  mc_canon_array(&w, no);
  for (uint32_t i = 0; i < no; i++)
    mc_canon_object(&w, offers[i]);
  return mc_canon_finish(&w);
}

int dsl_directory_merge(const dsl_directory *published, const dsl_directory *named, mc_buf *out) {
  uint32_t pa = published ? published->nagencies : 0, po = published ? published->noffers : 0;
  const msgpack_object **agencies = calloc((size_t)pa + named->nagencies + 1, sizeof *agencies);
  const msgpack_object **offers = calloc((size_t)po + named->noffers + 1, sizeof *offers);
  uint32_t pg = published ? published->nmerged : 0;
  const msgpack_object **merged = calloc((size_t)pg + named->nmerged + 1, sizeof *merged);
  uint32_t na = 0, no = 0, ng = 0;
  int rc = MC_ENOMEM;
  if (agencies == NULL || offers == NULL || merged == NULL)
    goto done;
  /* Agencies: the named files' win; the others stand as published, but an
   * agency the named files merge into its successor goes. */
  for (uint32_t i = 0; i < named->nagencies; i++)
    agencies[na++] = named->agencies[i];
  for (uint32_t i = 0; i < pa; i++)
    if (find_agency(named, text(published->agencies[i], "code")) == NULL &&
        find_merged(named, text(published->agencies[i], "code")) == NULL)
      agencies[na++] = published->agencies[i];
  /* Successors: the named files' win; a published one stands while its
   * agency is not in the directory again. */
  for (uint32_t i = 0; i < named->nmerged; i++)
    merged[ng++] = named->merged[i];
  for (uint32_t i = 0; i < pg; i++) {
    view from = text(published->merged[i], "from");
    if (find_merged(named, from) == NULL && find_agency(named, from) == NULL)
      merged[ng++] = published->merged[i];
  }
  /* Offers: the named files' offers, and the published ones except those of
   * an agency the named files declare (its file now says what it offers). */
  for (uint32_t i = 0; i < named->noffers; i++)
    offers[no++] = named->offers[i];
  for (uint32_t i = 0; i < po; i++) {
    const msgpack_object *o = published->offers[i];
    view agency = text(o, "agency");
    if (find_offer(named, o) == NULL && (agency.ptr == NULL || find_agency(named, agency) == NULL))
      offers[no++] = o;
  }
  qsort(agencies, na, sizeof *agencies, agency_qsort);
  qsort(offers, no, sizeof *offers, offer_qsort);
  qsort(merged, ng, sizeof *merged, merged_qsort);
  rc = encode(agencies, na, offers, no, merged, ng, out);
done:
  free(agencies);
  free(offers);
  free(merged);
  return rc;
}

static void offer_line(mc_buf *text_out, char sign, const msgpack_object *o) {
  view p = text(o, "procedure"), a = text(o, "agency"), e = text(o, "every");
  if (a.ptr)
    mc_buf_printf(text_out, "  %c offer %.*s at %.*s\n", sign, (int)p.len, p.ptr, (int)a.len, a.ptr);
  else
    mc_buf_printf(text_out, "  %c offer %.*s at every %.*s\n", sign, (int)p.len, p.ptr, (int)e.len,
                  e.ptr ? e.ptr : "");
}

/* Whether two agency entries say the same (their canonical bytes agree). */
static bool same_agency(const msgpack_object *a, const msgpack_object *b) {
  mc_buf x = MC_BUF_INIT, y = MC_BUF_INIT;
  mc_canon w;
  mc_canon_init(&w, &x);
  mc_canon_object(&w, a);
  int rc = mc_canon_finish(&w);
  mc_canon_init(&w, &y);
  mc_canon_object(&w, b);
  rc |= mc_canon_finish(&w);
  bool same = rc == 0 && x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
  mc_buf_free(&x);
  mc_buf_free(&y);
  return same;
}

int dsl_directory_diff(const dsl_directory *from, const dsl_directory *to, mc_buf *text_out) {
  int changes = 0;
  for (uint32_t i = 0; i < to->nagencies; i++) {
    const msgpack_object *a = to->agencies[i], *was = find_agency(from, text(a, "code"));
    view code = text(a, "code"), name = text(a, "name");
    if (was == NULL || !same_agency(was, a)) {
      mc_buf_printf(text_out, "  %c agency %.*s %.*s%s\n", was ? '~' : '+', (int)code.len, code.ptr, (int)name.len,
                    name.ptr ? name.ptr : "", was ? " (changed)" : "");
      changes++;
    }
  }
  for (uint32_t i = 0; from && i < from->nagencies; i++)
    if (find_agency(to, text(from->agencies[i], "code")) == NULL) {
      view code = text(from->agencies[i], "code"), name = text(from->agencies[i], "name");
      view into = text(find_merged(to, code), "into");
      mc_buf_printf(text_out, "  - agency %.*s %.*s%s%.*s%s\n", (int)code.len, code.ptr, (int)name.len,
                    name.ptr ? name.ptr : "", into.ptr ? " (merged into " : "", (int)into.len, into.ptr ? into.ptr : "",
                    into.ptr ? ")" : "");
      changes++;
    }
  for (uint32_t i = 0; i < to->noffers; i++)
    if (find_offer(from, to->offers[i]) == NULL) {
      offer_line(text_out, '+', to->offers[i]);
      changes++;
    }
  for (uint32_t i = 0; from && i < from->noffers; i++)
    if (find_offer(to, from->offers[i]) == NULL) {
      offer_line(text_out, '-', from->offers[i]);
      changes++;
    }
  return changes;
}

/* ============================================================ decoded (defs.h) */

const dsl_d_agency *dsl_directory_agencies(const dsl_directory *d, uint32_t *count) {
  *count = d ? d->nagencies : 0;
  return d ? d->list : NULL;
}

const dsl_d_offer *dsl_directory_offers(const dsl_directory *d, uint32_t *count) {
  *count = d ? d->noffers : 0;
  return d ? d->olist : NULL;
}

const dsl_d_agency *dsl_directory_find(const dsl_directory *d, const char *code) {
  for (uint32_t i = 0; d && i < d->nagencies; i++)
    if (!strcmp(d->list[i].code, code))
      return &d->list[i];
  return NULL;
}

static bool same(const char *a, const char *b) { return a && b && !strcmp(a, b); }

bool dsl_directory_offer_is_at(const dsl_d_offer *o, const dsl_d_agency *a) {
  return same(o->agency, a->code) || same(o->every, a->level);
}

bool dsl_directory_offered(const dsl_directory *d, const char *procedure, const char *agency) {
  const dsl_d_agency *a = dsl_directory_find(d, agency);
  for (uint32_t i = 0; a && d && i < d->noffers; i++)
    if (!strcmp(d->olist[i].procedure, procedure) && dsl_directory_offer_is_at(&d->olist[i], a))
      return true;
  return false;
}
