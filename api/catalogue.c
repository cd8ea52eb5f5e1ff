/* catalogue.c — see catalogue.h. */
#include "api/catalogue.h"

#include "api/runtime.h"
#include "base/log.h"

#include "base/arena.h"
#include "base/error.h"
#include "base/text.h"
#include "calendar/calendar.h"
#include "dsl/defs.h"
#include "dsl/machine.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct entry {
  char code[32];
  char *folded;          /* name, sector and field, folded */
  json_t *summary;       /* the search result's object */
  json_t *page;          /* the procedure page */
  uint8_t *machine;      /* the compiled definition in effect (its drawing is made from it) */
  size_t machine_len;
  mc_buf drawing;        /* its SVG once made (srv_catalogue_drawing_keep), or empty */
} entry;

/* Who takes part in a procedure, over every version ever published: the
 * dossiers of a retired procedure, or of an older version, are still read
 * by the agencies that do their steps. */
typedef struct taking_part {
  char code[32];
  json_t *agencies;
} taking_part;

struct catalogue {
  entry *entries;
  int n, cap;
  taking_part *parts;
  int nparts, partcap;
  json_t *agencies;      /* the directory for clients (srv_catalogue_agencies) */
};

int srv_catalogue_fold(const char *text, mc_buf *out) { return mc_text_fold(text, out); }

static const char *field_type(dsl_m_field_type t) {
  static const char *const names[] = {"text", "number", "date", "enum", "phone", "email", "citizen_id", "tax_code", "file", "yes_no"};
  return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "text";
}

static json_t *jstr(const char *s) { return json_string(s ? s : ""); }

/* A fee as a tree a page can work out as the form is typed (what the engine
 * computes at filing, engine/form.c): {"op": "money", "vnd": N},
 * {"op": "ref", "field": NAME} (a number field; empty counts 0),
 * {"op": "add"|"mul", "a": ..., "b": ...}. */
static json_t *fee_json(const dsl_m_expr *e) {
  if (e == NULL)
    return json_null();
  if (!strcmp(e->op, "money") || !strcmp(e->op, "int"))
    return json_pack("{s:s, s:I}", "op", "money", "vnd", (json_int_t)e->value);
  if (!strcmp(e->op, "ref"))
    return json_pack("{s:s, s:s}", "op", "ref", "field", e->text ? e->text : "");
  return json_pack("{s:s, s:o, s:o}", "op", e->op, "a", fee_json(e->a), "b", fee_json(e->b));
}

static json_t *page_of(const dsl_machine *m, json_t *agencies) {
  mc_buf b = MC_BUF_INIT;
  json_t *p = json_object();
  json_object_set_new(p, "code", jstr(m->code));
  json_object_set_new(p, "name", jstr(m->name));
  json_object_set_new(p, "sector", jstr(m->sector));
  json_object_set_new(p, "field", jstr(m->field));
  json_object_set_new(p, "level", jstr(m->level));
  json_object_set_new(p, "online", jstr(m->online));
  if (m->time.set && dsl_m_duration_format(&m->time, &b) == 0)
    json_object_set_new(p, "time", json_stringn((const char *)b.data, b.len));
  b.len = 0;
  if (m->fee && dsl_m_expr_format(m->fee, &b) == 0)
    json_object_set_new(p, "fee", json_stringn((const char *)b.data, b.len));
  json_object_set_new(p, "fee_terms", fee_json(m->fee));
  json_object_set_new(p, "refundable", json_boolean(m->refundable));
  json_t *legal = json_array();
  for (int i = 0; i < m->nlegal; i++)
    json_array_append_new(legal, jstr(m->legal[i]));
  json_object_set_new(p, "legal", legal);
  json_object_set_new(p, "policy", jstr(m->policy));
  json_object_set_new(p, "agencies", json_incref(agencies));
  json_t *docs = json_array(), *results = json_array(), *fields = json_array();
  for (int i = 0; i < m->ndocuments; i++) {
    const dsl_m_document *d = &m->documents[i];
    json_t *o = json_pack("{s:s, s:s}", "name", d->name, "title", d->title ? d->title : "");
    if (!d->result) {
      json_object_set_new(o, "count", json_integer(d->count));
      json_object_set_new(o, "original", json_boolean(d->original));
      json_object_set_new(o, "eform", json_boolean(d->eform));
      /* Always there: null when there is no blank form to download. */
      json_object_set_new(o, "blank", d->blank ? jstr(d->blank) : json_null());
    } else if (d->blank) {
      json_object_set_new(o, "blank", jstr(d->blank));
    }
    json_array_append_new(d->result ? results : docs, o);
  }
  for (int i = 0; i < m->nfields; i++) {
    const dsl_m_field *f = &m->fields[i];
    json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "name", f->name, "label", f->label ? f->label : f->name, "type",
                          field_type(f->type), "required", f->required);
    if (f->help)
      json_object_set_new(o, "help", jstr(f->help));
    if (f->pattern)
      json_object_set_new(o, "pattern", jstr(f->pattern));
    if (f->has_bounds) {
      json_object_set_new(o, "min", json_integer(f->min));
      json_object_set_new(o, "max", json_integer(f->max));
    }
    if (f->nvalues) {
      json_t *vals = json_array();
      for (int k = 0; k < f->nvalues; k++)
        json_array_append_new(vals, jstr(f->values[k]));
      json_object_set_new(o, "values", vals);
    }
    json_array_append_new(fields, o);
  }
  /* Agencies other than the filing one that do a step (a multi-agency
   * procedure's branches): their officials read the dossiers too. */
  json_t *step_agencies = json_array();
  for (int i = 0; i < m->nnodes; i++) {
    const char *a = m->nodes[i].agency;
    bool seen = false;
    size_t k;
    json_t *v;
    if (a == NULL)
      continue;
    json_array_foreach(step_agencies, k, v) seen |= !strcmp(json_string_value(v), a);
    if (!seen)
      json_array_append_new(step_agencies, json_string(a));
  }
  json_object_set_new(p, "step_agencies", step_agencies);
  json_object_set_new(p, "documents", docs);
  json_object_set_new(p, "results", results);
  json_object_set_new(p, "fields", fields);
  mc_buf_free(&b);
  return p;
}

static json_t *summary_of(const json_t *page) {
  json_t *s = json_object();
  static const char *const keys[] = {"code", "name", "sector", "field", "level", "online", "time", "agencies"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    json_t *v = json_object_get(page, keys[i]);
    if (v)
      json_object_set(s, keys[i], v);
  }
  return s;
}

/* The directory in effect (dsl_directory_decode): agencies (code, level) and
 * offers (procedure at an agency or at every agency of a level); NULL when
 * none is published or its bytes are not one. */
typedef struct directory {
  dsl_directory *dir;
} directory;

static int dir_one(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  directory *d = opaque;
  (void)id;
  int rc = dsl_directory_decode(bytes, len, &d->dir);
  return rc == MC_ENOMEM ? rc : 1;
}

static json_t *offered_at(const directory *d, const char *code) {
  json_t *list = json_array();
  uint32_t na, no;
  const dsl_d_agency *agencies = dsl_directory_agencies(d->dir, &na);
  const dsl_d_offer *offers = dsl_directory_offers(d->dir, &no);
  for (uint32_t i = 0; i < no; i++) {
    if (strcmp(offers[i].procedure, code))
      continue;
    for (uint32_t k = 0; k < na; k++)
      if (dsl_directory_offer_is_at(&offers[i], &agencies[k]))
        json_array_append_new(list, json_string(agencies[k].code));
  }
  return list;
}

typedef struct build_ctx {
  catalogue *c;
  directory *dir;
} build_ctx;

static int proc_one(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  build_ctx *b = opaque;
  mc_arena a = MC_ARENA_INIT;
  dsl_machine *m;
  (void)id;
  if (dsl_machine_decode(bytes, len, &a, &m) != 0) {
    mc_arena_free(&a);
    return 0; /* a definition this build cannot read is left out, not a failure of the catalogue */
  }
  catalogue *c = b->c;
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 32;
    entry *e = realloc(c->entries, (size_t)cap * sizeof *e);
    if (e == NULL) {
      mc_arena_free(&a);
      return MC_ENOMEM;
    }
    c->entries = e;
    c->cap = cap;
  }
  entry *e = &c->entries[c->n];
  memset(e, 0, sizeof *e);
  snprintf(e->code, sizeof e->code, "%s", m->code);
  json_t *agencies = offered_at(b->dir, m->code);
  e->page = page_of(m, agencies);
  json_decref(agencies);
  e->summary = summary_of(e->page);
  if ((e->machine = malloc(len)) != NULL)
    memcpy(e->machine, bytes, len), e->machine_len = len;
  mc_buf text = MC_BUF_INIT, folded = MC_BUF_INIT;
  mc_buf_printf(&text, "%s %s %s %s", m->name ? m->name : "", m->sector ? m->sector : "", m->field ? m->field : "",
                m->code);
  srv_catalogue_fold(mc_buf_cstr(&text), &folded);
  mc_buf_append_byte(&folded, 0);
  e->folded = (char *)folded.data;
  mc_buf_free(&text);
  mc_arena_free(&a);
  c->n++;
  return 0;
}

static int part_one(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  catalogue *c = opaque;
  mc_arena a = MC_ARENA_INIT;
  dsl_machine *m;
  (void)id;
  if (dsl_machine_decode(bytes, len, &a, &m) != 0) {
    mc_arena_free(&a);
    return 0;
  }
  taking_part *t = NULL;
  for (int i = 0; i < c->nparts && !t; i++)
    if (!strcmp(c->parts[i].code, m->code))
      t = &c->parts[i];
  if (t == NULL) {
    if (c->nparts == c->partcap) {
      int cap = c->partcap ? c->partcap * 2 : 32;
      taking_part *p = realloc(c->parts, (size_t)cap * sizeof *p);
      if (p == NULL) {
        mc_arena_free(&a);
        return MC_ENOMEM;
      }
      c->parts = p;
      c->partcap = cap;
    }
    t = &c->parts[c->nparts++];
    snprintf(t->code, sizeof t->code, "%s", m->code);
    t->agencies = json_array();
  }
  for (int i = 0; i < m->nnodes; i++) {
    const char *ag = m->nodes[i].agency;
    bool seen = false;
    size_t k;
    json_t *v;
    if (ag == NULL)
      continue;
    json_array_foreach(t->agencies, k, v) seen |= !strcmp(json_string_value(v), ag);
    if (!seen)
      json_array_append_new(t->agencies, json_string(ag));
  }
  mc_arena_free(&a);
  return 0;
}

/* ------------------------------------------------------------ the directory for clients */

/* The calendars in effect, by id: the office hours of the agencies. */
typedef struct calendars {
  eng_calendar *list[16];
  int n;
} calendars;

static int calendar_one(void *opaque, const char *id, const uint8_t *bytes, size_t len) {
  calendars *c = opaque;
  eng_calendar *cal;
  (void)id;
  if (c->n == (int)(sizeof c->list / sizeof c->list[0]) || eng_calendar_unpack(bytes, len, &cal) != 0)
    return 0; /* a calendar this build cannot read: its agencies show no office hours */
  c->list[c->n++] = cal;
  return 0;
}

static json_t *jstr_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* {"calendar", "timezone", "mon": ["07:30-11:30", ...], ..., "sun": []}, or
 * null when the agency's calendar is not published. */
static json_t *office_hours(const calendars *cals, const char *id) {
  static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  const eng_calendar *cal = NULL;
  for (int i = 0; id && i < cals->n && !cal; i++)
    if (!strcmp(eng_calendar_id(cals->list[i]), id))
      cal = cals->list[i];
  if (cal == NULL)
    return json_null();
  json_t *o = json_pack("{s:s, s:s}", "calendar", id, "timezone", eng_calendar_zone(cal));
  for (int d = 0; d < 7; d++) {
    int64_t open[8], close[8];
    int n = eng_calendar_week_hours(cal, d, open, close, 8);
    json_t *sessions = json_array();
    for (int k = 0; k < n; k++) {
      char text[16];
      snprintf(text, sizeof text, "%02d:%02d-%02d:%02d", (int)(open[k] / 3600000), (int)(open[k] / 60000 % 60),
               (int)(close[k] / 3600000), (int)(close[k] / 60000 % 60));
      json_array_append_new(sessions, json_string(text));
    }
    json_object_set_new(o, days[d], sessions);
  }
  return o;
}

/* Every agency of the directory in effect, as the directory has it. */
static int agencies_build(eng_engine *e, mc_instant now, const directory *d, catalogue *c) {
  calendars cals = {.n = 0};
  int rc = eng_definitions(e, ENG_DEF_CALENDAR, now, calendar_one, &cals);
  uint32_t na = 0;
  const dsl_d_agency *agencies = d->dir ? dsl_directory_agencies(d->dir, &na) : NULL;
  c->agencies = json_array();
  for (uint32_t i = 0; rc == 0 && i < na; i++) {
    const dsl_d_agency *a = &agencies[i];
    json_t *deps = json_array();
    for (uint32_t k = 0; k < a->ndepartments; k++)
      json_array_append_new(deps, json_pack("{s:o, s:o}", "code", jstr_or_null(a->departments[k].code), "name",
                                            jstr_or_null(a->departments[k].name)));
    json_array_append_new(c->agencies,
                          json_pack("{s:s, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:o, s:o}", "code", a->code, "name",
                                    jstr_or_null(a->name), "level", jstr_or_null(a->level), "parent",
                                    jstr_or_null(a->parent), "address", jstr_or_null(a->address), "contacts", "email",
                                    jstr_or_null(a->email), "phone", jstr_or_null(a->phone), "website",
                                    jstr_or_null(a->website), "departments", deps, "office_hours",
                                    office_hours(&cals, a->calendar)));
  }
  for (int i = 0; i < cals.n; i++)
    eng_calendar_free(cals.list[i]);
  return rc;
}

const json_t *srv_catalogue_agencies(const catalogue *c) { return c ? c->agencies : NULL; }

const json_t *srv_catalogue_agency(const catalogue *c, const char *code) {
  size_t i;
  json_t *a;
  json_array_foreach(srv_catalogue_agencies(c), i, a) if (!strcmp(json_string_value(json_object_get(a, "code")), code))
      return a;
  return NULL;
}

int srv_catalogue_build(eng_engine *e, mc_instant now, catalogue **out) {
  catalogue *c = calloc(1, sizeof *c);
  directory dir = {NULL};
  *out = NULL;
  if (c == NULL)
    return MC_ENOMEM;
  int rc = eng_definitions(e, ENG_DEF_DIRECTORY, now, dir_one, &dir);
  build_ctx b = {c, &dir};
  if (rc == 0)
    rc = eng_definitions(e, ENG_DEF_PROCEDURE, now, proc_one, &b);
  if (rc == 0)
    rc = eng_definitions(e, ENG_DEF_PROCEDURE, ENG_EVERY_VERSION, part_one, c);
  if (rc == 0)
    rc = agencies_build(e, now, &dir, c);
  dsl_directory_free(dir.dir);
  if (rc) {
    srv_catalogue_free(c);
    return rc;
  }
  *out = c;
  return 0;
}

void srv_catalogue_free(catalogue *c) {
  if (c == NULL)
    return;
  for (int i = 0; i < c->n; i++) {
    free(c->entries[i].folded);
    json_decref(c->entries[i].summary);
    json_decref(c->entries[i].page);
    free(c->entries[i].machine);
    mc_buf_free(&c->entries[i].drawing);
  }
  free(c->entries);
  for (int i = 0; i < c->nparts; i++)
    json_decref(c->parts[i].agencies);
  free(c->parts);
  json_decref(c->agencies);
  free(c);
}

int srv_catalogue_count(const catalogue *c) { return c ? c->n : 0; }

/* Does every word of `q` (folded) start a word of `text` (folded)? */
static bool words_match(const char *text, const char *q) {
  const char *w = q;
  while (*w) {
    size_t n = strcspn(w, " ");
    bool found = false;
    for (const char *t = text; *t && !found;) {
      if (strncmp(t, w, n) == 0)
        found = true;
      t += strcspn(t, " ");
      t += *t == ' ';
    }
    if (!found)
      return false;
    w += n;
    w += *w == ' ';
  }
  return true;
}

static bool filter_ok(const json_t *page, const char *key, const char *want) {
  if (want == NULL || want[0] == '\0')
    return true;
  const char *have = json_string_value(json_object_get(page, key));
  return have && !strcmp(have, want);
}

json_t *srv_catalogue_search(const catalogue *c, const catalogue_query *q) {
  json_t *list = json_array();
  mc_buf fq = MC_BUF_INIT;
  if (q->q)
    srv_catalogue_fold(q->q, &fq);
  const char *folded_q = fq.len ? (const char *)fq.data : "";
  for (int i = 0; c && i < c->n; i++) {
    const entry *e = &c->entries[i];
    if (!words_match(e->folded, folded_q) || !filter_ok(e->page, "sector", q->sector) ||
        !filter_ok(e->page, "field", q->field) || !filter_ok(e->page, "level", q->level) ||
        !filter_ok(e->page, "online", q->online))
      continue;
    if (q->agency && q->agency[0]) {
      bool offered = false;
      size_t k;
      json_t *a;
      json_array_foreach(json_object_get(e->page, "agencies"), k, a) offered |= !strcmp(json_string_value(a), q->agency);
      if (!offered)
        continue;
    }
    json_array_append(list, e->summary);
  }
  mc_buf_free(&fq);
  return json_pack("{s:o, s:I}", "procedures", list, "count", (json_int_t)json_array_size(list));
}

static entry *entry_of(const catalogue *c, const char *code) {
  for (int i = 0; c && i < c->n; i++)
    if (!strcmp(c->entries[i].code, code))
      return &c->entries[i];
  return NULL;
}

json_t *srv_catalogue_page(const catalogue *c, const char *code) {
  entry *e = entry_of(c, code);
  return e ? json_incref(e->page) : NULL;
}

const mc_buf *srv_catalogue_drawing(const catalogue *c, const char *code, mc_buf *machine) {
  entry *e = entry_of(c, code);
  if (e == NULL || e->machine == NULL)
    return NULL;
  if (e->drawing.len)
    return &e->drawing;
  machine->len = 0;
  mc_buf_append(machine, e->machine, e->machine_len);
  return machine->len ? machine : NULL;
}

void srv_catalogue_drawing_keep(catalogue *c, const char *code, const mc_buf *machine, const mc_buf *svg) {
  entry *e = entry_of(c, code);
  if (e && e->machine && e->drawing.len == 0 && e->machine_len == machine->len &&
      !memcmp(e->machine, machine->data, machine->len))
    mc_buf_append(&e->drawing, svg->data, svg->len);
}

const char *srv_catalogue_name(const catalogue *c, const char *code) {
  entry *e = entry_of(c, code);
  return e ? json_string_value(json_object_get(e->page, "name")) : NULL;
}

const json_t *srv_catalogue_step_agencies(const catalogue *c, const char *code) {
  for (int i = 0; c && i < c->nparts; i++)
    if (!strcmp(c->parts[i].code, code))
      return c->parts[i].agencies;
  return NULL;
}

void srv_catalogue_refresh(srv *s) {
  catalogue *c;
  int rc = srv_catalogue_build(s->e, srv_now(s), &c);
  if (rc) {
    mc_log(MC_LOG_ERROR, "catalogue", "cannot be rebuilt: %s (the old one is kept)", mc_strerror(rc));
    return;
  }
  srv_catalogue_free(s->cat);
  s->cat = c;
  s->catalogue_rebuilds++;
  s->last_catalogue_at = srv_now(s);
}
