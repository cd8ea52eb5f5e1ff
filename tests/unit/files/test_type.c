/* test_type.c — an upload's type from its content (files/type.h): PDF, JPEG,
 * PNG and CMS containers pass; a program, a web page or a file claiming to
 * be a PDF by its name only are refused, saying what they are. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "files/type.h"

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                    0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde};
static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
                                     0xff, 0xdb, 0, 0x43, 0};

static void allowed_by_content(void **state) {
  (void)state;
  files_typed t;
  assert_int_equal(files_type_of(pdf, sizeof pdf - 1, &t), 0);
  assert_int_equal(t.type, FILES_PDF);
  assert_string_equal(files_type_mime(t.type), "application/pdf");
  assert_int_equal(files_type_of(png, sizeof png, &t), 0);
  assert_int_equal(t.type, FILES_PNG);
  assert_int_equal(files_type_of(jpeg, sizeof jpeg, &t), 0);
  assert_int_equal(t.type, FILES_JPEG);
  assert_string_equal(files_type_name(t.type), "jpeg");
}

static void refused_saying_what_it_is(void **state) {
  (void)state;
  files_typed t;
  static const char html[] = "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n";
  assert_int_equal(files_type_of(html, sizeof html - 1, &t), 0);
  assert_int_equal(t.type, FILES_REFUSED);
  assert_string_equal(t.mime, "text/html");
  assert_non_null(strstr(t.why, "text/html"));
  assert_non_null(strstr(t.why_vi, "PDF, JPEG hoặc PNG"));
  unsigned char exe[512] = {'M', 'Z'};
  exe[0x3c] = 0x80;
  memcpy(exe + 0x80, "PE\0\0", 4);
  assert_int_equal(files_type_of(exe, sizeof exe, &t), 0);
  assert_int_equal(t.type, FILES_REFUSED);
  assert_int_equal(files_type_of("", 0, &t), 0);
  assert_int_equal(t.type, FILES_REFUSED);
  /* A text that merely mentions %PDF later on is not a PDF. */
  static const char text[] = "Bản quét: xem tệp %PDF-1.4 đính kèm\n";
  assert_int_equal(files_type_of(text, sizeof text - 1, &t), 0);
  assert_int_equal(t.type, FILES_REFUSED);
}

/* A file signed in a CMS container (made here with a throwaway key). */
static void a_cms_container(void **state) {
  (void)state;
  EVP_PKEY *key = EVP_RSA_gen(2048);
  assert_non_null(key);
  X509 *cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME *name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"motcua test", -1, -1, 0);
  X509_set_issuer_name(cert, name);
  assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
  BIO *in = BIO_new_mem_buf(pdf, (int)(sizeof pdf - 1)), *out = BIO_new(BIO_s_mem());
  CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, in, CMS_BINARY);
  assert_non_null(cms);
  assert_true(i2d_CMS_bio(out, cms) > 0);
  char *der;
  long len = BIO_get_mem_data(out, &der);
  files_typed t;
  assert_int_equal(files_type_of(der, (size_t)len, &t), 0);
  assert_int_equal(t.type, FILES_CMS);
  CMS_ContentInfo_free(cms);
  BIO_free(in);
  BIO_free(out);
  X509_free(cert);
  EVP_PKEY_free(key);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(allowed_by_content),
      cmocka_unit_test(refused_saying_what_it_is),
      cmocka_unit_test(a_cms_container),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
