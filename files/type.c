/* type.c — an upload's type from its content (files/type.h). */
#include "files/type.h"

#include "base/error.h"

#include <magic.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <stdio.h>
#include <string.h>

static const struct {
  files_type type;
  const char *name, *mime;
} allowed[] = {
    {FILES_PDF, "pdf", "application/pdf"},
    {FILES_JPEG, "jpeg", "image/jpeg"},
    {FILES_PNG, "png", "image/png"},
    {FILES_CMS, "cms", "application/pkcs7-mime"},
};

const char *files_type_name(files_type t) {
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (allowed[i].type == t)
      return allowed[i].name;
  return "refused";
}

const char *files_type_mime(files_type t) {
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (allowed[i].type == t)
      return allowed[i].mime;
  return "application/octet-stream";
}

/* A CMS container (DER), as OpenSSL parses it. */
static bool is_cms(const void *data, size_t len) {
  if (len < 16 || len > (size_t)1 << 30 || ((const unsigned char *)data)[0] != 0x30)
    return false;
  BIO *b = BIO_new_mem_buf(data, (int)len);
  CMS_ContentInfo *cms = b ? d2i_CMS_bio(b, NULL) : NULL;
  bool ok = cms != NULL;
  CMS_ContentInfo_free(cms);
  BIO_free(b);
  return ok;
}

int files_type_of(const void *data, size_t len, files_typed *out) {
  memset(out, 0, sizeof *out);
  /* One handle per thread, its database loaded once (loading it costs more
   * than typing a file; a handle is not shared between threads). */
  static __thread magic_t m;
  if (m == NULL) {
    magic_t fresh = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF);
    if (fresh == NULL)
      return MC_ENOMEM;
    if (magic_load(fresh, NULL) != 0) {
      magic_close(fresh);
      return MC_EIO;
    }
    m = fresh;
  }
  const char *mime = len ? magic_buffer(m, data, len) : "application/x-empty";
  snprintf(out->mime, sizeof out->mime, "%s", mime ? mime : "application/octet-stream");
  out->type = FILES_REFUSED;
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (!strcmp(out->mime, allowed[i].mime))
      out->type = allowed[i].type;
  /* libmagic finds "%PDF-" anywhere in the first kilobyte (readers tolerate
   * junk before it); a scan we keep begins with it. */
  if (out->type == FILES_PDF && (len < 5 || memcmp(data, "%PDF-", 5) != 0)) {
    out->type = FILES_REFUSED;
    snprintf(out->mime, sizeof out->mime, "a PDF with something before its header");
  }
  if (out->type == FILES_REFUSED && is_cms(data, len)) {
    out->type = FILES_CMS;
    snprintf(out->mime, sizeof out->mime, "application/pkcs7-mime");
  }
  if (out->type == FILES_REFUSED) {
    snprintf(out->why, sizeof out->why,
             "the file is %s by its content: a scan is a PDF, JPEG or PNG file (or one signed in a CMS container)",
             out->mime);
    snprintf(out->why_vi, sizeof out->why_vi,
             "Tệp có nội dung là %s: bản quét phải là tệp PDF, JPEG hoặc PNG (hoặc tệp đã ký số).", out->mime);
  }
  return 0;
}
