/* documents.c — the scans a command brings (a submission's, a
 * supplement's: the documents the procedure asks for; an official's approve
 * or return_result: its results), each of one or more files, checked
 * against the procedure. */
#include "engine/decide.h"

#include "base/error.h"
#include "base/hash.h"

#include <stdio.h>
#include <string.h>

/* The local date of `now` on the dossier's calendar, "YYYY-MM-DD". */
void dec_today(const decide *d, char out[11]) {
  int64_t day, msd;
  int y, mo, dd;
  mc_instant_split(d->now, eng_calendar_offset_min(d->cal), &day, &msd);
  mc_civil_from_days(day, &y, &mo, &dd);
  char buf[48];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, dd);
  memcpy(out, buf, 10);
  out[10] = '\0';
}

static bool valid_date(const char *s) {
  int y, mo, dd, n = 0;
  if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &dd, &n) != 3 || n != 10 || s[4] != '-' ||
      s[7] != '-')
    return false;
  int y2, mo2, dd2;
  mc_civil_from_days(mc_days_from_civil(y, mo, dd), &y2, &mo2, &dd2);
  return y2 == y && mo2 == mo && dd2 == dd;
}

/* What an official brings with approve or return_result: the procedure's
 * results (what the applicant receives); an applicant never brings them. */
static bool brings_results(const eng_command *c) {
  return c && c->kind == ENG_CMD_ACT && c->act.action &&
         (!strcmp(c->act.action, "approve") || !strcmp(c->act.action, "return_result")) &&
         !(c->actor.role && !strcmp(c->actor.role, "applicant"));
}

/* One of the documents the applicant supplies (e-forms aside), or of the
 * procedure's results. */
static const dsl_m_document *document_of(const dsl_machine *m, const char *name, bool results) {
  for (int i = 0; name && i < m->ndocuments; i++)
    if (!m->documents[i].eform && m->documents[i].result == results && !strcmp(m->documents[i].name, name))
      return &m->documents[i];
  return NULL;
}

/* Their names and titles, for a refusal to list ("" when there is none). */
static void names_of(const dsl_machine *m, bool results, char names[256], char titles[256]) {
  names[0] = titles[0] = '\0';
  for (int k = 0; k < m->ndocuments; k++)
    if (document_of(m, m->documents[k].name, results)) {
      snprintf(names + strlen(names), 256 - strlen(names), "%s%s", names[0] ? ", " : "", m->documents[k].name);
      snprintf(titles + strlen(titles), 256 - strlen(titles), "%s%s", titles[0] ? "; " : "",
               m->documents[k].title ? m->documents[k].title : m->documents[k].name);
    }
}

/* The scans a command brings: a submission's, a supplement's, a result. */
eng_documents dec_brought_by(const eng_command *c) {
  if (c && c->kind == ENG_CMD_SUBMIT)
    return c->submit.documents;
  if (c && c->kind == ENG_CMD_ACT)
    return c->act.documents;
  return (eng_documents){NULL, 0};
}

/* A document the command may not bring, refused as its name's fault with
 * the names it may bring: one the procedure does not ask for, a result
 * brought by the applicant, a scan of the applicant's brought with approve. */
static int not_to_bring(decide *d, const char *path, const char *name, bool results) {
  char names[256], titles[256];
  const dsl_m_document *other = document_of(d->m, name, !results);
  const char *title = other && other->title ? other->title : name;
  int rc;
  names_of(d->m, results, names, titles);
  if (results)
    rc = refuse_field(d, MC_EINVAL, path, "values", DOCUMENT_NOT_RESULT, d->cmd->act.action, names[0] ? names : "none",
                      titles[0] ? titles : "không có", name, title);
  else if (other)
    rc = refuse_field(d, MC_EINVAL, path, "values", DOCUMENT_IS_RESULT, name, title, d->m->code,
                      names[0] ? names : "none to scan (its form is filled online)",
                      titles[0] ? titles : "không có bản quét nào (tờ khai điền trực tuyến)");
  else
    rc = refuse_field(d, MC_EINVAL, path, "values", DOCUMENT_NOT_ASKED, d->m->code, name,
                      names[0] ? names : "none to scan (its form is filled online)",
                      titles[0] ? titles : "không có bản quét nào (tờ khai điền trực tuyến)");
  eng_field_error *f = &d->res->fields[d->res->nfields - 1];
  for (int k = 0; k < d->m->ndocuments && f->nvalues < ENG_MAX_FIELD_VALUES; k++)
    if (document_of(d->m, d->m->documents[k].name, results))
      snprintf(f->values[f->nvalues++], sizeof f->values[0], "%s", d->m->documents[k].name);
  return rc;
}

/* A document's files into `e`: the first (documents[i].sha256) and those
 * after it (documents[i].files[k], k from 1), each named by its SHA-256, at
 * most ENG_MAX_FILES, none twice. */
static int brought_files(decide *d, int i, const eng_document *doc, const char *title, doc_entry *e) {
  char path[48];
  int rc;
  if (doc->nmore < 0 || doc->nmore > ENG_MAX_FILES - 1) {
    snprintf(path, sizeof path, "documents[%d].files", i);
    rc = refuse_field(d, MC_ETOOBIG, path, "max", DOCUMENT_FILES_TOO_MANY, doc->name, title, ENG_MAX_FILES);
    d->res->fields[d->res->nfields - 1].max = ENG_MAX_FILES;
    return rc;
  }
  for (int k = 0; k <= doc->nmore; k++) {
    const char *hex = k == 0 ? doc->sha256 : doc->more ? doc->more[k - 1] : NULL;
    uint8_t *hash = k == 0 ? e->hash : e->more[k - 1];
    if (k == 0)
      snprintf(path, sizeof path, "documents[%d].sha256", i);
    else
      snprintf(path, sizeof path, "documents[%d].files[%d]", i, k);
    if (hex == NULL || strlen(hex) != 64 || mc_unhex(hex, hash, 32)) {
      rc = k == 0 ? refuse_field(d, MC_EINVAL, path, "pattern", DOCUMENT_SCAN, doc->name, title)
                  : refuse_field(d, MC_EINVAL, path, "pattern", DOCUMENT_FILE_SCAN, k + 1, doc->name, title);
      snprintf(d->res->fields[d->res->nfields - 1].pattern, sizeof d->res->fields[0].pattern, "^[0-9a-f]{64}$");
      return rc;
    }
    for (int j = 0; j < k; j++)
      if (!memcmp(j == 0 ? e->hash : e->more[j - 1], hash, 32))
        return refuse_field(d, MC_EINVAL, path, "unique", DOCUMENT_FILE_TWICE, doc->name, title, j + 1, k + 1);
  }
  e->nmore = doc->nmore;
  return 0;
}

/* Checks the scans a command brings against the procedure's documents and
 * fills `out` with them.  A refusal says which document and why. */
int dec_brought_documents(decide *d, const char *date, doc_entry *out, int *n) {
  eng_documents brought = dec_brought_by(d->cmd);
  bool results = brings_results(d->cmd);
  *n = 0;
  if (brought.n < 0 || brought.n > ENG_MAX_DOCUMENTS)
    return refuse(d, MC_ETOOBIG, TOO_MANY_DOCUMENTS, ENG_MAX_DOCUMENTS);
  if (brought.n && d->cmd->kind == ENG_CMD_ACT && !results && strcmp(d->cmd->act.action, "provide_supplement")) {
    char names[256], titles[256];
    names_of(d->m, true, names, titles);
    return refuse(d, MC_EINVAL, DOCUMENTS_NOT_HERE, names[0] ? names : "none", titles[0] ? titles : "không có",
                  d->cmd->act.action);
  }
  for (int i = 0; i < brought.n; i++) {
    const eng_document *doc = &brought.list[i];
    char path[48];
    int rc;
    const dsl_m_document *asked = document_of(d->m, doc->name, results);
    const char *title = asked && asked->title ? asked->title : doc->name;
    snprintf(path, sizeof path, "documents[%d].name", i);
    if (asked == NULL)
      return not_to_bring(d, path, doc->name ? doc->name : "", results);
    for (int k = 0; k < i; k++)
      if (!strcmp(brought.list[k].name, doc->name)) {
        return refuse_field(d, MC_EINVAL, path, "unique", DOCUMENT_TWICE, doc->name, title);
      }
    doc_entry *e = &out[(*n)++];
    memset(e, 0, sizeof *e);
    e->name = doc->name;
    e->has_hash = true;
    e->supplied_at = d->now;
    if ((rc = brought_files(d, i, doc, title, e)))
      return rc;
    if (doc->valid_until) {
      snprintf(path, sizeof path, "documents[%d].valid_until", i);
      if (!valid_date(doc->valid_until)) {
        return refuse_field(d, MC_EINVAL, path, "type", DOCUMENT_VALIDITY, doc->name, title, doc->valid_until);
      }
      if (strcmp(doc->valid_until, date) < 0) {
        return refuse_field(d, MC_EINVAL, path, "expired", DOCUMENT_EXPIRED, doc->name, title, doc->valid_until);
      }
      snprintf(e->valid_until, sizeof e->valid_until, "%s", doc->valid_until);
    }
  }
  return 0;
}
