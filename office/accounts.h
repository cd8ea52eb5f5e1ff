/* accounts.h — what proves who you are, kept outside the legal record.
 *
 * The accounts themselves (who, which agency and roles, disabled or not) are
 * events of the log (engine/account.c).  What is here lives in aux databases
 * of the store (ARCHITECTURE.md, "What is not in the legal record"):
 *   credentials   account -> {hash: Argon2id string, must_change}
 *   sessions      SHA-256(token) -> {account, created, expires}
 *   registrations account -> {kind, name, email, phone, hash, code, expires, attempts}
 *   resets        account -> {code, expires, attempts}
 *   throttle      "a/"account or "i/"address -> {failures, since, locked_until}
 * A token is 32 random bytes (base64url, 43 characters) and only its hash is
 * stored; one-time codes are 6 digits, kept as their SHA-256.  Password
 * hashing costs ~50 ms and 64 MiB: call it off the event loop.
 */
#ifndef MOTCUA_API_ACCOUNTS_H
#define MOTCUA_API_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <sodium.h>

#include "base/instant.h"
#include "storage/store.h"

#define ACC_TOKEN_LEN 43               /* base64url of 32 bytes */
#define ACC_HASH_LEN crypto_pwhash_STRBYTES
#define ACC_MIN_PASSWORD 10            /* characters (code points of the NFC form), not all spaces */
#define ACC_MAX_PASSWORD 256
#define ACC_CODE_MINUTES 15            /* a one-time code's life */
#define ACC_CODE_ATTEMPTS 5

/* Argon2id (libsodium's interactive limits).  Slow: not on the loop. */
int acc_password_hash(const char *password, char out[ACC_HASH_LEN]);
bool acc_password_verify(const char *hash, const char *password);
/* Is the password acceptable?  On false `why` says what to change. */
bool acc_password_ok(const char *password, char *why, size_t size);
/* A one-time password for an official: 16 characters of an alphabet without
 * look-alikes. */
void acc_one_time_password(char out[17]);

int acc_credentials_get(store *st, const char *account, char hash[ACC_HASH_LEN], bool *must_change);
/* Writes and flushes (a password change must survive a crash). */
int acc_credentials_put(store *st, const char *account, const char *hash, bool must_change);

typedef struct acc_session {
  char account[64];
  mc_instant created_at, expires_at;
} acc_session;

int acc_session_new(store *st, const char *account, mc_instant now, int hours, char token[ACC_TOKEN_LEN + 1],
                    mc_instant *expires_at);
/* 0 and the session; MC_ENOENT when unknown, revoked or expired. */
int acc_session_check(store *st, const char *token, mc_instant now, acc_session *out);
int acc_session_revoke(store *st, const char *token);
/* Revokes every session of `account`; *count (may be NULL) how many. */
int acc_sessions_revoke_account(store *st, const char *account, int *count);

/* Throttling by a key ("a/ID", "i/ADDRESS"): is it locked, and until when. */
bool acc_throttle_locked(store *st, const char *key, mc_instant now, int64_t *retry_after_ms);
/* A failure: locks the key for `lock_minutes` once `max` failures came
 * within that time.  Returns true when this failure locked it. */
bool acc_throttle_fail(store *st, const char *key, mc_instant now, int max, int lock_minutes);
/* An attempt counted by acc_throttle_fail when it arrived (so that guesses
 * sent at once cannot outrun the limit) turned out right: it is taken back,
 * and a lock that this very count set is lifted.  Only failures count: a
 * commune office behind one address logs in all day. */
void acc_throttle_forgive(store *st, const char *key, mc_instant now, int max);
void acc_throttle_clear(store *st, const char *key);

/* One-time codes: 6 random digits, and their hash as stored. */
void acc_code_new(char code[7]);
void acc_code_hash(const char *account, const char *code, char hex[65]);

/* Small JSON records in an aux db. */
int acc_record_put(store *st, const char *db, const char *key, const json_t *rec);
json_t *acc_record_get(store *st, const char *db, const char *key); /* NULL when absent */
int acc_record_del(store *st, const char *db, const char *key);

#endif
