/* checkpoint.c — signed checkpoints: the head of the log, anchored outside
 * the data directory (ARCHITECTURE.md "Tamper evidence with an outside
 * anchor").
 *
 * A hash chain alone cannot show that its tail was cut off, or rewritten and
 * re-hashed; a checkpoint signed with a key the data directory does not hold
 * can.  A checkpoint file is text, one field a line:
 *
 *   motcua-checkpoint 1
 *   seq 1234
 *   head <64 hex digits: the hash of event 1234>
 *   time <ms since the epoch, UTC, when it was signed>
 *   key <64 hex digits: the Ed25519 public key>
 *   sig <128 hex digits>
 *
 * The signature is Ed25519 (libsodium crypto_sign_detached) over the 68 bytes
 *   "motcua-checkpoint 1\n" (20 bytes) || seq as u64 big-endian || head (32)
 *   || time as u64 big-endian.
 * The secret key file holds "motcua-checkpoint-secret 1\n" and the hex of the
 * 32-byte seed; it must not be readable by group or others and must not lie
 * inside the data directory.  The public key file holds the hex of the key.
 */
#include "store-int.h"

#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "motcua-checkpoint 1\n"
#define SECRET_MAGIC "motcua-checkpoint-secret 1\n"
#define MSG_LEN (sizeof MAGIC - 1 + 8 + MC_SHA256_BYTES + 8)

static void signed_message(uint64_t seq, const uint8_t head[MC_SHA256_BYTES], int64_t time,
                           uint8_t out[MSG_LEN]) {
  memcpy(out, MAGIC, sizeof MAGIC - 1);
  mc_be64_put(out + sizeof MAGIC - 1, seq);
  memcpy(out + sizeof MAGIC - 1 + 8, head, MC_SHA256_BYTES);
  mc_be64_put(out + sizeof MAGIC - 1 + 8 + MC_SHA256_BYTES, (uint64_t)time);
}

/* Writes `len` bytes to a new file (O_EXCL) with `mode`, flushed. */
static int write_new_file(const char *path, const char *text, mode_t mode, mc_buf *why) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  size_t len = strlen(text);
  if (fd < 0) {
    int err = errno;
    if (why)
      mc_buf_printf(why, "cannot create %s: %s", path, strerror(err));
    return mc_err_from_errno(err);
  }
  int rc = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : mc_err_from_errno(errno);
  close(fd);
  if (rc && why)
    mc_buf_printf(why, "cannot write %s: %s", path, mc_strerror(rc));
  return rc;
}

int store_checkpoint_keygen(const char *secret_path, const char *public_path, mc_buf *why) {
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  uint8_t seed[crypto_sign_SEEDBYTES];
  char text[256], hex[2 * crypto_sign_SEEDBYTES + 1];
  int rc;

  if ((rc = mc_crypto_init()))
    return rc;
  crypto_sign_keypair(pk, sk);
  crypto_sign_ed25519_sk_to_seed(seed, sk);
  mc_hex(seed, sizeof seed, hex);
  snprintf(text, sizeof text, SECRET_MAGIC "%s\n", hex);
  rc = write_new_file(secret_path, text, 0600, why);
  sodium_memzero(sk, sizeof sk);
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(text, sizeof text);
  if (rc)
    return rc;
  mc_hex(pk, sizeof pk, hex);
  snprintf(text, sizeof text, "%s\n", hex);
  return write_new_file(public_path, text, 0644, why);
}

/* Whether `path` lies inside `dir` (both resolved). */
static bool inside(const char *path, const char *dir) {
  char rp[PATH_MAX], rd[PATH_MAX];
  if (realpath(path, rp) == NULL || realpath(dir, rd) == NULL)
    return false;
  size_t n = strlen(rd);
  return strncmp(rp, rd, n) == 0 && (rp[n] == '/' || rp[n] == '\0');
}

static int read_secret(store *st, const char *path, uint8_t pk[crypto_sign_PUBLICKEYBYTES],
                       uint8_t sk[crypto_sign_SECRETKEYBYTES], mc_buf *why) {
  uint8_t seed[crypto_sign_SEEDBYTES];
  struct stat sb;
  mc_buf text = MC_BUF_INIT;
  int rc;

  if (stat(path, &sb) != 0) {
    int err = errno;
    if (why)
      mc_buf_printf(why, "cannot read the signing key %s: %s", path, strerror(err));
    return mc_err_from_errno(err);
  }
  if (sb.st_mode & 077) {
    if (why)
      mc_buf_printf(why, "the signing key %s may be read by group or others (mode %03o): run "
                         "chmod 600 %s", path, (unsigned)(sb.st_mode & 0777), path);
    return MC_EACCES;
  }
  if (inside(path, st->dir)) {
    if (why)
      mc_buf_printf(why, "the signing key %s lies inside the data directory: keep it elsewhere, "
                         "or anyone with the data could forge checkpoints", path);
    return MC_EACCES;
  }
  if ((rc = mc_file_read(path, 4096, &text))) {
    if (why)
      mc_buf_printf(why, "cannot read the signing key %s: %s", path, mc_strerror(rc));
    return rc;
  }
  char *s = (char *)mc_buf_cstr(&text);
  if (s && text.len >= sizeof SECRET_MAGIC - 1 + 2 * sizeof seed)
    s[sizeof SECRET_MAGIC - 1 + 2 * sizeof seed] = '\0'; /* the hex digits only */
  if (s == NULL || strncmp(s, SECRET_MAGIC, sizeof SECRET_MAGIC - 1) != 0 ||
      text.len < sizeof SECRET_MAGIC - 1 + 2 * sizeof seed ||
      mc_unhex(s + sizeof SECRET_MAGIC - 1, seed, sizeof seed) != 0) {
    if (why)
      mc_buf_printf(why, "%s is not a motcua checkpoint key (make one with motcua audit keygen)",
                    path);
    rc = MC_EPARSE;
  } else {
    crypto_sign_seed_keypair(pk, sk, seed);
  }
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(text.data, text.len);
  mc_buf_free(&text);
  return rc;
}

int store_checkpoint_write(store *st, const char *secret_path, const char *out_dir,
                           mc_buf *path_out, mc_buf *why) {
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  uint8_t msg[MSG_LEN], sig[crypto_sign_BYTES], head[MC_SHA256_BYTES];
  char head_hex[MC_SHA256_HEX], pk_hex[2 * sizeof pk + 1], sig_hex[2 * sizeof sig + 1];
  char text[512], path[4200], tmp[4300];
  store_read *rd;
  uint64_t seq;
  int64_t now = mc_clock_now();
  int rc;

  if ((rc = read_secret(st, secret_path, pk, sk, why)))
    return rc;
  if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
    int err = errno;
    if (why)
      mc_buf_printf(why, "cannot create %s: %s", out_dir, strerror(err));
    rc = mc_err_from_errno(err);
    goto done;
  }
  if (inside(out_dir, st->dir)) {
    if (why)
      mc_buf_printf(why, "%s lies inside the data directory: checkpoints must be kept outside it",
                    out_dir);
    rc = MC_EINVAL;
    goto done;
  }
  if ((rc = store_read_begin(st, &rd)))
    goto done;
  rc = store_read_head(rd, &seq, head);
  store_read_end(rd);
  if (rc)
    goto done;
  signed_message(seq, head, now, msg);
  crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
  mc_hex(head, sizeof head, head_hex);
  mc_hex(pk, sizeof pk, pk_hex);
  mc_hex(sig, sizeof sig, sig_hex);
  snprintf(text, sizeof text, MAGIC "seq %llu\nhead %s\ntime %lld\nkey %s\nsig %s\n",
           (unsigned long long)seq, head_hex, (long long)now, pk_hex, sig_hex);
  snprintf(path, sizeof path, "%s/checkpoint-%020llu.txt", out_dir, (unsigned long long)seq);
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
  if ((rc = write_new_file(tmp, text, 0644, why)))
    goto done;
  if (rename(tmp, path) != 0) {
    int err = errno;
    unlink(tmp);
    if (why)
      mc_buf_printf(why, "cannot rename %s: %s", tmp, strerror(err));
    rc = mc_err_from_errno(err);
    goto done;
  }
  if (path_out)
    mc_buf_append_str(path_out, path);
done:
  sodium_memzero(sk, sizeof sk);
  return rc;
}

/* Finds "<name> <value>\n" in `text`; copies the value. */
static bool field(const char *text, const char *name, char *out, size_t n) {
  size_t len = strlen(name);
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
    if (strncmp(p, name, len) == 0 && p[len] == ' ') {
      const char *v = p + len + 1;
      size_t vlen = strcspn(v, "\n");
      if (vlen >= n)
        return false;
      memcpy(out, v, vlen);
      out[vlen] = '\0';
      return true;
    }
  }
  return false;
}

int store_checkpoint_read(const char *path, const char *pinned_public_path, store_anchor *out,
                          mc_buf *why) {
  mc_buf text = MC_BUF_INIT, pinned = MC_BUF_INIT;
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES], msg[MSG_LEN];
  char seq_s[32], head_s[80], time_s[32], key_s[80], sig_s[160], *end;
  int rc;

  memset(out, 0, sizeof *out);
  if (pinned_public_path == NULL) {
    if (why)
      mc_buf_printf(why, "%s: a checkpoint is checked against the public key its owner keeps: name it", path);
    return MC_EINVAL;
  }
  if ((rc = mc_crypto_init()))
    return rc;
  if ((rc = mc_file_read(path, 4096, &text))) {
    if (why)
      mc_buf_printf(why, "cannot read %s: %s", path, mc_strerror(rc));
    goto done;
  }
  const char *s = mc_buf_cstr(&text);
  if (s == NULL || strncmp(s, MAGIC, sizeof MAGIC - 1) != 0 ||
      !field(s, "seq", seq_s, sizeof seq_s) || !field(s, "head", head_s, sizeof head_s) ||
      !field(s, "time", time_s, sizeof time_s) || !field(s, "key", key_s, sizeof key_s) ||
      !field(s, "sig", sig_s, sizeof sig_s) || strlen(head_s) != 64 || strlen(key_s) != 64 ||
      strlen(sig_s) != 128 || mc_unhex(head_s, out->hash, MC_SHA256_BYTES) ||
      mc_unhex(key_s, pk, sizeof pk) || mc_unhex(sig_s, sig, sizeof sig)) {
    if (why)
      mc_buf_printf(why, "%s is not a motcua checkpoint file", path);
    rc = MC_EPARSE;
    goto done;
  }
  errno = 0;
  out->seq = strtoull(seq_s, &end, 10);
  long long time = strtoll(time_s, NULL, 10);
  if (errno || *end) {
    if (why)
      mc_buf_printf(why, "%s: bad sequence \"%s\"", path, seq_s);
    rc = MC_EPARSE;
    goto done;
  }
  signed_message(out->seq, out->hash, time, msg);
  if (crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0) {
    if (why)
      mc_buf_printf(why, "%s: the signature does not match its contents: the checkpoint was "
                         "altered", path);
    rc = MC_ECORRUPT;
    goto done;
  }
  {
    uint8_t want[crypto_sign_PUBLICKEYBYTES];
    if ((rc = mc_file_read(pinned_public_path, 4096, &pinned)) || mc_buf_cstr(&pinned) == NULL ||
        pinned.len < 64 || (pinned.data[64] = '\0', mc_unhex((const char *)pinned.data, want,
                                                              sizeof want))) {
      if (why)
        mc_buf_printf(why, "cannot read the public key %s", pinned_public_path);
      rc = rc ? rc : MC_EPARSE;
      goto done;
    }
    if (memcmp(want, pk, sizeof pk) != 0) {
      if (why)
        mc_buf_printf(why, "%s is signed with another key than %s", path, pinned_public_path);
      rc = MC_ECORRUPT;
      goto done;
    }
  }
  snprintf(out->source, sizeof out->source, "checkpoint %.100s", path);
done:
  mc_buf_free(&text);
  mc_buf_free(&pinned);
  return rc;
}
