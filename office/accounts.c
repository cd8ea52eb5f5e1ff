/* accounts.c — see accounts.h. */
#include "office/accounts.h"

#include "base/error.h"
#include "base/hash.h"
#include "base/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int acc_password_hash(const char *password, char out[ACC_HASH_LEN]) {
  if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return MC_ENOMEM;
  return 0;
}

bool acc_password_verify(const char *hash, const char *password) {
  return hash[0] && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* Characters as a person counts them: code points of the NFC form ("ẩ" is
 * one, composed or not); what is not text counts its bytes. */
static size_t characters(const char *text) {
  mc_buf nfc = MC_BUF_INIT;
  size_t n = 0;
  const char *t = text;
  size_t len = strlen(text);
  if (mc_text_nfc(text, len, &nfc) == 0)
    t = (const char *)nfc.data, len = nfc.len;
  for (size_t i = 0; i < len; i++)
    n += ((unsigned char)t[i] & 0xC0) != 0x80;
  mc_buf_free(&nfc);
  return n;
}

static bool only_spaces(const char *text) {
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    if (!isspace(*p))
      return false;
  return true;
}

bool acc_password_ok(const char *password, char *why, size_t size) {
  size_t bytes = password ? strlen(password) : 0;
  size_t n = password ? characters(password) : 0;
  if (n < ACC_MIN_PASSWORD || only_spaces(password ? password : "")) {
    snprintf(why, size, "a password has at least %d characters: a few words you remember are better than a short word",
             ACC_MIN_PASSWORD);
    return false;
  }
  if (bytes > ACC_MAX_PASSWORD) {
    snprintf(why, size, "a password has at most %d bytes", ACC_MAX_PASSWORD);
    return false;
  }
  return true;
}

void acc_one_time_password(char out[17]) {
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789"; /* no l, 1, o, 0, i */
  for (int i = 0; i < 16; i++)
    out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
  out[16] = '\0';
}

/* ============================================================ records */

int acc_record_put(store *st, const char *db, const char *key, const json_t *rec) {
  char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
  if (text == NULL)
    return MC_ENOMEM;
  int rc = store_aux_put(st, db, key, strlen(key), text, strlen(text));
  sodium_memzero(text, strlen(text));
  free(text);
  return rc;
}

json_t *acc_record_get(store *st, const char *db, const char *key) {
  mc_buf b = MC_BUF_INIT;
  json_t *v = NULL;
  if (store_aux_get(st, db, key, strlen(key), &b) == 0)
    v = json_loadb((const char *)b.data, b.len, 0, NULL);
  if (b.data)
    sodium_memzero(b.data, b.len);
  mc_buf_free(&b);
  return v;
}

int acc_record_del(store *st, const char *db, const char *key) { return store_aux_del(st, db, key, strlen(key)); }

/* ============================================================ credentials */

int acc_credentials_get(store *st, const char *account, char hash[ACC_HASH_LEN], bool *must_change) {
  json_t *r = acc_record_get(st, "credentials", account);
  hash[0] = '\0';
  if (r == NULL)
    return MC_ENOENT;
  const char *h = json_string_value(json_object_get(r, "hash"));
  int rc = h && strlen(h) < ACC_HASH_LEN ? 0 : MC_ECORRUPT;
  if (rc == 0)
    snprintf(hash, ACC_HASH_LEN, "%s", h);
  *must_change = json_is_true(json_object_get(r, "must_change"));
  json_decref(r);
  return rc;
}

int acc_credentials_put(store *st, const char *account, const char *hash, bool must_change) {
  json_t *r = json_pack("{s:s, s:b}", "hash", hash, "must_change", must_change);
  int rc = r ? acc_record_put(st, "credentials", account, r) : MC_ENOMEM;
  json_decref(r);
  return rc ? rc : store_aux_sync(st);
}

/* ============================================================ sessions */

static void token_key(const char *token, char hex[65]) {
  uint8_t h[MC_SHA256_BYTES];
  crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
  mc_hex(h, sizeof h, hex);
}

int acc_session_new(store *st, const char *account, mc_instant now, int hours, char token[ACC_TOKEN_LEN + 1],
                    mc_instant *expires_at) {
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(token, ACC_TOKEN_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  char key[65];
  token_key(token, key);
  *expires_at = now + (mc_instant)hours * 3600 * 1000;
  json_t *r = json_pack("{s:s, s:I, s:I}", "account", account, "created", (json_int_t)now, "expires",
                        (json_int_t)*expires_at);
  int rc = r ? acc_record_put(st, "sessions", key, r) : MC_ENOMEM;
  json_decref(r);
  return rc;
}

int acc_session_check(store *st, const char *token, mc_instant now, acc_session *out) {
  memset(out, 0, sizeof *out);
  if (token == NULL || strlen(token) != ACC_TOKEN_LEN)
    return MC_ENOENT;
  char key[65];
  token_key(token, key);
  json_t *r = acc_record_get(st, "sessions", key);
  if (r == NULL)
    return MC_ENOENT;
  const char *account = json_string_value(json_object_get(r, "account"));
  out->created_at = json_integer_value(json_object_get(r, "created"));
  out->expires_at = json_integer_value(json_object_get(r, "expires"));
  int rc = account && strlen(account) < sizeof out->account && out->expires_at > now ? 0 : MC_ENOENT;
  if (rc == 0)
    snprintf(out->account, sizeof out->account, "%s", account);
  else
    store_aux_del(st, "sessions", key, 64); /* expired: forget it */
  json_decref(r);
  return rc;
}

int acc_session_revoke(store *st, const char *token) {
  char key[65];
  if (token == NULL || strlen(token) != ACC_TOKEN_LEN)
    return MC_ENOENT;
  token_key(token, key);
  return store_aux_del(st, "sessions", key, 64);
}

int acc_sessions_revoke_account(store *st, const char *account, int *count) {
  mc_buf k = MC_BUF_INIT, v = MC_BUF_INIT, after = MC_BUF_INIT;
  int rc, n = 0;
  while ((rc = store_aux_next(st, "sessions", after.data, after.len, &k, &v)) == 0) {
    json_t *r = json_loadb((const char *)v.data, v.len, 0, NULL);
    const char *who = json_string_value(json_object_get(r, "account"));
    if (who && !strcmp(who, account) && store_aux_del(st, "sessions", k.data, k.len) == 0)
      n++;
    json_decref(r);
    after.len = 0;
    mc_buf_append(&after, k.data, k.len);
    k.len = v.len = 0;
  }
  mc_buf_free(&k);
  mc_buf_free(&v);
  mc_buf_free(&after);
  if (count)
    *count = n;
  return rc == MC_ENOENT ? 0 : rc;
}

/* ============================================================ throttling */

bool acc_throttle_locked(store *st, const char *key, mc_instant now, int64_t *retry_after_ms) {
  json_t *r = acc_record_get(st, "throttle", key);
  *retry_after_ms = 0;
  if (r == NULL)
    return false;
  int64_t until = json_integer_value(json_object_get(r, "locked_until"));
  json_decref(r);
  if (until > now) {
    *retry_after_ms = until - now;
    return true;
  }
  return false;
}

/* The record: failures counted since `since`; once they reach the maximum,
 * locked until `locked_until` (failures kept, so that a count taken back by
 * acc_throttle_forgive can lift the lock it set). */
static void throttle_put(store *st, const char *key, int64_t failures, int64_t since, int64_t until) {
  json_t *n = json_pack("{s:I, s:I, s:I}", "failures", (json_int_t)failures, "since", (json_int_t)since,
                        "locked_until", (json_int_t)until);
  if (n)
    acc_record_put(st, "throttle", key, n);
  json_decref(n);
}

bool acc_throttle_fail(store *st, const char *key, mc_instant now, int max, int lock_minutes) {
  json_t *r = acc_record_get(st, "throttle", key);
  int64_t window = (int64_t)lock_minutes * 60 * 1000;
  int64_t since = r ? json_integer_value(json_object_get(r, "since")) : 0;
  int64_t failures = r ? json_integer_value(json_object_get(r, "failures")) : 0;
  int64_t until = r ? json_integer_value(json_object_get(r, "locked_until")) : 0;
  json_decref(r);
  if (until > now)
    return true; /* locked already (a guess that was in flight): the lock stands */
  if (since == 0 || now - since >= window) {
    since = now;
    failures = 0;
  }
  failures++;
  bool locked = failures >= max;
  throttle_put(st, key, failures, locked ? now : since, locked ? now + window : 0);
  return locked;
}

void acc_throttle_forgive(store *st, const char *key, mc_instant now, int max) {
  json_t *r = acc_record_get(st, "throttle", key);
  if (r == NULL)
    return;
  int64_t since = json_integer_value(json_object_get(r, "since"));
  int64_t failures = json_integer_value(json_object_get(r, "failures"));
  int64_t until = json_integer_value(json_object_get(r, "locked_until"));
  json_decref(r);
  if (failures > 0)
    failures--;
  if (until > now && failures >= max)
    return; /* locked by failures that stand */
  if (failures == 0)
    acc_record_del(st, "throttle", key);
  else
    throttle_put(st, key, failures, since, until > now && failures >= max ? until : 0);
}

void acc_throttle_clear(store *st, const char *key) { acc_record_del(st, "throttle", key); }

/* ============================================================ codes */

void acc_code_new(char code[7]) {
  snprintf(code, 7, "%06u", (unsigned)randombytes_uniform(1000000));
}

void acc_code_hash(const char *account, const char *code, char hex[65]) {
  crypto_hash_sha256_state s;
  uint8_t h[MC_SHA256_BYTES];
  crypto_hash_sha256_init(&s);
  crypto_hash_sha256_update(&s, (const unsigned char *)account, strlen(account) + 1);
  crypto_hash_sha256_update(&s, (const unsigned char *)code, strlen(code));
  crypto_hash_sha256_final(&s, h);
  mc_hex(h, sizeof h, hex);
}
