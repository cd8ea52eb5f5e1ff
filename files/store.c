/* store.c — the content-addressed directory of uploaded files (files/store.h). */
#include "files/store.h"

#include "base/error.h"
#include "base/hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int from_errno(int e) {
  switch (e) {
  case ENOENT: return MC_ENOENT;
  case EACCES:
  case EPERM: return MC_EACCES;
  case ENOSPC:
  case EDQUOT: return MC_ENOSPC;
  case ENOMEM: return MC_ENOMEM;
  default: return MC_EIO;
  }
}

static int make_dir(const char *path) {
  if (mkdir(path, 0700) == 0 || errno == EEXIST)
    return 0;
  return from_errno(errno);
}

static int sync_dir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return from_errno(errno);
  int rc = fsync(fd) == 0 ? 0 : from_errno(errno);
  close(fd);
  return rc;
}

int files_store_open(files_store *fs, const char *data_dir) {
  char p[1200];
  int rc;
  if (snprintf(fs->dir, sizeof fs->dir, "%s/files", data_dir) >= (int)sizeof fs->dir)
    return MC_ETOOBIG;
  if ((rc = make_dir(fs->dir)) != 0)
    return rc;
  const char *sub[] = {"sha256", "partial", "quarantine"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s/%s", fs->dir, sub[i]);
    if ((rc = make_dir(p)) != 0)
      return rc;
  }
  return sync_dir(fs->dir);
}

void files_store_path(const files_store *fs, const uint8_t hash[32], char *out, size_t size) {
  char hex[MC_SHA256_HEX];
  mc_hex(hash, 32, hex);
  snprintf(out, size, "%s/sha256/%.2s/%s", fs->dir, hex, hex);
}

void files_store_partial(const files_store *fs, const char *id, char *out, size_t size) {
  snprintf(out, size, "%s/partial/%s", fs->dir, id);
}

void files_store_quarantined(const files_store *fs, const uint8_t hash[32], char *out, size_t size) {
  char hex[MC_SHA256_HEX];
  mc_hex(hash, 32, hex);
  snprintf(out, size, "%s/quarantine/%s", fs->dir, hex);
}

/* fsync of the file, rename to `to` (in folder `dir`), fsync of that folder. */
static int move_durably(const char *from, const char *dir, const char *to) {
  int fd = open(from, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return from_errno(errno);
  int rc = fsync(fd) == 0 ? 0 : from_errno(errno);
  close(fd);
  if (rc)
    return rc;
  if ((rc = make_dir(dir)) != 0)
    return rc;
  if (rename(from, to) != 0)
    return from_errno(errno);
  /* The new name is what must survive a crash; the old one's going need not
   * (a partial file that reappears is removed by the expiry). */
  return sync_dir(dir);
}

int files_store_keep(const files_store *fs, const char *partial, const uint8_t hash[32]) {
  char to[1200], dir[1200];
  struct stat st;
  files_store_path(fs, hash, to, sizeof to);
  if (stat(to, &st) == 0) {
    /* The same content kept already (a page scanned twice, a second account):
     * one copy. */
    unlink(partial);
    return 0;
  }
  snprintf(dir, sizeof dir, "%s", to);
  *strrchr(dir, '/') = '\0';
  return move_durably(partial, dir, to);
}

int files_store_quarantine(const files_store *fs, const char *partial, const uint8_t hash[32]) {
  char to[1200], dir[1200];
  files_store_quarantined(fs, hash, to, sizeof to);
  snprintf(dir, sizeof dir, "%s/quarantine", fs->dir);
  return move_durably(partial, dir, to);
}

int files_store_remove(const files_store *fs, const uint8_t hash[32]) {
  char p[1200];
  files_store_path(fs, hash, p, sizeof p);
  return unlink(p) == 0 ? 0 : from_errno(errno);
}

int files_store_check(const files_store *fs, const uint8_t hash[32], int64_t *size) {
  char p[1200];
  files_store_path(fs, hash, p, sizeof p);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return from_errno(errno);
  mc_sha256 h;
  mc_sha256_init(&h);
  static __thread unsigned char buf[1 << 16];
  int64_t total = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    mc_sha256_update(&h, buf, (size_t)n);
    total += n;
  }
  int err = n < 0 ? errno : 0;
  close(fd);
  if (n < 0)
    return from_errno(err);
  uint8_t got[32];
  mc_sha256_final(&h, got);
  if (size)
    *size = total;
  return memcmp(got, hash, 32) == 0 ? 0 : MC_ECORRUPT;
}

/* Files of a folder: their count and bytes, and each name to `fn`. */
static int walk(const char *dir, int depth, int64_t *bytes, int64_t *count,
                int (*fn)(void *opaque, const char *name, int64_t size), void *opaque) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : from_errno(errno);
  struct dirent *de;
  int rc = 0;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    char p[1200];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
    if (lstat(p, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode) && depth > 0)
      rc = walk(p, depth - 1, bytes, count, fn, opaque);
    else if (S_ISREG(st.st_mode)) {
      *bytes += st.st_size;
      (*count)++;
      if (fn)
        rc = fn(opaque, de->d_name, st.st_size);
    }
  }
  closedir(d);
  return rc;
}

int files_store_usage(const files_store *fs, files_usage *u) {
  char p[1200];
  int rc;
  memset(u, 0, sizeof *u);
  snprintf(p, sizeof p, "%s/sha256", fs->dir);
  if ((rc = walk(p, 1, &u->kept_bytes, &u->kept, NULL, NULL)) != 0)
    return rc;
  snprintf(p, sizeof p, "%s/partial", fs->dir);
  if ((rc = walk(p, 0, &u->partial_bytes, &u->partial, NULL, NULL)) != 0)
    return rc;
  snprintf(p, sizeof p, "%s/quarantine", fs->dir);
  return walk(p, 0, &u->quarantine_bytes, &u->quarantined, NULL, NULL);
}

typedef struct each_ctx {
  int (*fn)(void *opaque, const uint8_t hash[32], int64_t size);
  void *opaque;
} each_ctx;

static int each_name(void *opaque, const char *name, int64_t size) {
  each_ctx *c = opaque;
  uint8_t hash[32];
  if (strlen(name) != 64 || mc_unhex(name, hash, 32) != 0)
    return 0; /* not ours */
  return c->fn(c->opaque, hash, size);
}

int files_store_each(const files_store *fs, int (*fn)(void *opaque, const uint8_t hash[32], int64_t size),
                     void *opaque) {
  char p[1200];
  int64_t bytes = 0, count = 0;
  each_ctx c = {fn, opaque};
  snprintf(p, sizeof p, "%s/sha256", fs->dir);
  return walk(p, 1, &bytes, &count, each_name, &c);
}

/* ------------------------------------------------------------ backup */

static int copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return from_errno(errno);
  int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    int e = errno;
    close(in);
    return e == EEXIST ? 0 : from_errno(e); /* kept already: content-addressed */
  }
  static __thread unsigned char buf[1 << 16];
  ssize_t n;
  int rc = 0;
  while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
    if (n < 0) {
      rc = from_errno(errno);
      break;
    }
    for (ssize_t off = 0; rc == 0 && off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w <= 0)
        rc = from_errno(errno);
      else
        off += w;
    }
  }
  if (rc == 0 && fsync(out) != 0)
    rc = from_errno(errno);
  close(in);
  close(out);
  if (rc)
    unlink(to);
  return rc;
}

typedef struct copy_ctx {
  const files_store *from;
  files_store to;
  int64_t files, bytes;
} copy_ctx;

static int copy_one(void *opaque, const uint8_t hash[32], int64_t size) {
  copy_ctx *c = opaque;
  char src[1200], dst[1200], dir[1200];
  files_store_path(c->from, hash, src, sizeof src);
  files_store_path(&c->to, hash, dst, sizeof dst);
  snprintf(dir, sizeof dir, "%s", dst);
  *strrchr(dir, '/') = '\0';
  int rc = make_dir(dir);
  if (rc == 0)
    rc = copy_file(src, dst);
  if (rc == 0) {
    c->files++;
    c->bytes += size;
  }
  return rc;
}

int files_store_copy(const files_store *fs, const char *dest_data_dir, int64_t *files, int64_t *bytes) {
  copy_ctx c = {.from = fs};
  int rc = files_store_open(&c.to, dest_data_dir);
  if (rc)
    return rc;
  char src[1200], dst[1200];
  snprintf(src, sizeof src, "%s/link.key", fs->dir);
  snprintf(dst, sizeof dst, "%s/link.key", c.to.dir);
  if ((rc = copy_file(src, dst)) != 0 && rc != MC_ENOENT)
    return rc;
  if ((rc = files_store_each(fs, copy_one, &c)) != 0)
    return rc;
  *files = c.files;
  *bytes = c.bytes;
  return 0;
}
