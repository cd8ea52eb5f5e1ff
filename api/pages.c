/* pages.c — the web pages (api/pages.h). */
#include "api/pages.h"

#include "base/error.h"
#include "base/file.h"
#include "base/hash.h"
#include "base/log.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MAX_FILE (4 << 20)

static const struct {
  const char *ext, *type;
  bool compress;
} types[] = {
    {".html", "text/html; charset=utf-8", true},       {".js", "text/javascript; charset=utf-8", true},
    {".mjs", "text/javascript; charset=utf-8", true},  {".css", "text/css; charset=utf-8", true},
    {".svg", "image/svg+xml", true},                   {".json", "application/json", true},
    {".webmanifest", "application/manifest+json", true}, {".png", "image/png", false},
    {".ico", "image/x-icon", false},                   {".woff2", "font/woff2", false},
    {".txt", "text/plain; charset=utf-8", true},
};

static const char *type_of(const char *name, bool *compress) {
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (!strcmp(dot, types[i].ext)) {
      *compress = types[i].compress;
      return types[i].type;
    }
  return NULL;
}

static bool plain_name(const char *n) {
  if (n[0] == '.' || n[0] == '\0')
    return false;
  for (const char *c = n; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
          *c == '_' || *c == '-'))
      return false;
  return true;
}

/* gzip of `in` into `out` (the gzip wrapper: windowBits 15 + 16). */
static int gzip(const mc_buf *in, mc_buf *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    return MC_ENOMEM;
  uLong bound = deflateBound(&z, (uLong)in->len);
  int rc = mc_buf_reserve(out, bound);
  if (rc == 0) {
    z.next_in = (Bytef *)in->data;
    z.avail_in = (uInt)in->len;
    z.next_out = out->data;
    z.avail_out = (uInt)bound;
    rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? 0 : MC_EINTERNAL;
    out->len = z.total_out;
  }
  deflateEnd(&z);
  return rc;
}

/* A file served at `path`: its bytes (taken), its ETag, its gzip. */
static int add_bytes(srv_pages *p, const char *path, mc_buf *body, const char *type, bool compress) {
  page_file *f = realloc(p->files, (size_t)(p->n + 1) * sizeof *f);
  if (f == NULL)
    return MC_ENOMEM;
  p->files = f;
  f = &p->files[p->n];
  memset(f, 0, sizeof *f);
  snprintf(f->path, sizeof f->path, "%s", path);
  f->type = type;
  f->body = *body;
  *body = (mc_buf)MC_BUF_INIT;
  uint8_t h[32];
  char hex[MC_SHA256_HEX];
  mc_sha256_digest(f->body.data, f->body.len, h);
  mc_hex(h, 32, hex);
  snprintf(f->etag, sizeof f->etag, "\"%.16s\"", hex);
  /* Compressed only where it pays: a tenth smaller at least. */
  if (compress && f->body.len > 512 && gzip(&f->body, &f->gz) == 0 && f->gz.len * 10 > f->body.len * 9)
    mc_buf_free(&f->gz);
  p->bytes += f->body.len + f->gz.len;
  p->n++;
  return 0;
}

static int add(srv_pages *p, const char *path, const char *file, const char *type, bool compress) {
  mc_buf body = MC_BUF_INIT;
  int rc = mc_file_read(file, MAX_FILE, &body);
  if (rc) {
    mc_log(MC_LOG_ERROR, "pages", "cannot read %s: %s", file, mc_strerror(rc));
    mc_buf_free(&body);
    return rc;
  }
  return add_bytes(p, path, &body, type, compress);
}

/* The shell with its {placeholders} filled. */
static void fill(mc_buf *out, const char *shell, const char *title, const char *module, const char *content,
                 const char *nav) {
  for (const char *c = shell; *c;) {
    const char *v = !strncmp(c, "{title}", 7) ? title : !strncmp(c, "{module}", 8) ? module
                    : !strncmp(c, "{content}", 9) ? content : !strncmp(c, "{nav}", 5) ? nav : NULL;
    if (v) {
      mc_buf_append_str(out, v);
      c = strchr(c, '}') + 1;
    } else {
      mc_buf_append_byte(out, (uint8_t)*c++);
    }
  }
}

static char *trim(char *s) {
  while (*s == ' ')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

/* Every screen of _screens.txt made from _shell.html: one head, one header,
 * one place to change them.  The header's links ({nav}) are _nav.html's, or
 * for the officials' console (paths under /console/) _nav-console.html's. */
static int screens(srv_pages *p, const char *web_dir) {
  char path[1200];
  mc_buf shell = MC_BUF_INIT, list = MC_BUF_INIT, nav = MC_BUF_INIT, nav_console = MC_BUF_INIT;
  snprintf(path, sizeof path, "%s/_shell.html", web_dir);
  int rc = mc_file_read(path, MAX_FILE, &shell);
  snprintf(path, sizeof path, "%s/_nav.html", web_dir);
  if (rc == 0)
    rc = mc_file_read(path, MAX_FILE, &nav);
  snprintf(path, sizeof path, "%s/_nav-console.html", web_dir);
  if (rc == 0)
    rc = mc_file_read(path, MAX_FILE, &nav_console);
  snprintf(path, sizeof path, "%s/_screens.txt", web_dir);
  if (rc == 0)
    rc = mc_file_read(path, MAX_FILE, &list);
  if (rc) {
    mc_buf_free(&shell);
    mc_buf_free(&list);
    mc_buf_free(&nav);
    mc_buf_free(&nav_console);
    return rc == MC_ENOENT ? 0 : rc;
  }
  char *save = NULL;
  int line = 0;
  for (char *l = strtok_r((char *)mc_buf_cstr(&list), "\n", &save); l && rc == 0; l = strtok_r(NULL, "\n", &save)) {
    line++;
    if (l[0] == '#' || trim(l)[0] == '\0')
      continue;
    /* PATH | TITLE | MODULE | CONTENT; a line ending in " |" has no content. */
    char row[8192], *f[4] = {NULL};
    size_t len = strlen(l);
    snprintf(row, sizeof row, "%s%s", l, len >= 2 && !strcmp(l + len - 2, " |") ? " " : "");
    int n = 0;
    for (char *c = row; c && n < 4; n++) {
      f[n] = c;
      char *bar = n < 3 ? strstr(c, " | ") : NULL;
      if (bar)
        *bar = '\0';
      c = bar ? bar + 3 : NULL;
    }
    if (n < 3) {
      mc_log(MC_LOG_ERROR, "pages", "%s line %d: write PATH | TITLE | MODULE | CONTENT", path, line);
      rc = MC_EPARSE;
      break;
    }
    const char *content = n > 3 && trim(f[3])[0] ? trim(f[3]) : "<div id=\"app\"><p>Đang tải…</p></div>";
    mc_buf page = MC_BUF_INIT;
    const char *where = trim(f[0]);
    fill(&page, mc_buf_cstr(&shell), trim(f[1]), trim(f[2]), content,
         mc_buf_cstr(strncmp(where, "/console/", 9) ? &nav : &nav_console));
    rc = add_bytes(p, where, &page, "text/html; charset=utf-8", true);
    mc_buf_free(&page);
  }
  mc_buf_free(&shell);
  mc_buf_free(&list);
  mc_buf_free(&nav);
  mc_buf_free(&nav_console);
  return rc;
}

static int walk(srv_pages *p, const char *dir, const char *prefix, int depth) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return MC_ENOENT;
  struct dirent *de;
  int rc = 0;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    if (!plain_name(de->d_name) || de->d_name[0] == '_')
      continue; /* (_shell.html and _screens.txt make pages, they are not served) */
    char file[1200], path[400];
    struct stat st;
    snprintf(file, sizeof file, "%s/%s", dir, de->d_name);
    snprintf(path, sizeof path, "%s/%s", prefix, de->d_name);
    if (stat(file, &st) != 0)
      continue;
    bool compress = false;
    const char *type;
    if (S_ISDIR(st.st_mode) && depth > 0)
      rc = walk(p, file, path, depth - 1);
    else if (S_ISREG(st.st_mode) && strlen(path) < sizeof p->files[0].path &&
             (type = type_of(de->d_name, &compress)) != NULL)
      rc = add(p, path, file, type, compress);
  }
  closedir(d);
  return rc;
}

int srv_pages_load(srv_pages *p, const char *web_dir) {
  memset(p, 0, sizeof *p);
  int rc = walk(p, web_dir, "", 4);
  if (rc == 0)
    rc = screens(p, web_dir);
  if (rc == MC_ENOENT)
    mc_log(MC_LOG_WARN, "pages", "no web pages in %s (web_dir): only the API is served", web_dir);
  else if (rc == 0)
    mc_log(MC_LOG_INFO, "pages", "%d files of %s served (%zu bytes in memory)", p->n, web_dir, p->bytes);
  return rc == MC_ENOENT ? 0 : rc;
}

void srv_pages_free(srv_pages *p) {
  for (int i = 0; i < p->n; i++) {
    mc_buf_free(&p->files[i].body);
    mc_buf_free(&p->files[i].gz);
  }
  free(p->files);
  memset(p, 0, sizeof *p);
}

const page_file *srv_page_find(const srv_pages *p, const char *path) {
  char index[256];
  size_t n = strlen(path);
  if (n && path[n - 1] == '/' && n < sizeof index - 10) { /* a folder: its index.html (/, /console/) */
    snprintf(index, sizeof index, "%sindex.html", path);
    path = index;
  }
  for (int i = 0; i < p->n; i++)
    if (!strcmp(p->files[i].path, path))
      return &p->files[i];
  return NULL;
}
