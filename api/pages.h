/* pages.h — the web pages motcuad serves (api/web/: HTML, plain ES modules,
 * styles, the vendored view library), read once at start into memory, each
 * with an ETag of its content's SHA-256 and, where it pays, its gzip; served
 * under the pages' own security headers (api/http_req.c, HEADERS_PAGE).
 * The screens are made at load from one shell (_shell.html) and the list of
 * them (_screens.txt): their title, their module, what shows first; the
 * header's links are _nav.html's (_nav-console.html's under /console/). A
 * folder's address (/, /console/) serves its index.html. */
#ifndef MOTCUA_API_PAGES_H
#define MOTCUA_API_PAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

typedef struct srv srv;

typedef struct page_file {
  char path[160];              /* from the site's root: "/index.html", "/js/conn.js" */
  const char *type;            /* its Content-Type */
  mc_buf body, gz;             /* gz empty: not worth compressing */
  char etag[24];               /* "\"" 16 hex digits of its SHA-256 "\"" */
} page_file;

typedef struct srv_pages {
  page_file *files;
  int n;
  size_t bytes;
} srv_pages;

/* Reads web_dir (at most 4 folders deep, files up to 4 MiB; the file names
 * it serves are [A-Za-z0-9._-] only).  0, or an MC_ error with the log
 * saying which file. */
int srv_pages_load(srv_pages *p, const char *web_dir);
void srv_pages_free(srv_pages *p);
/* The file at a request's path ("/" is "/index.html"), or NULL. */
const page_file *srv_page_find(const srv_pages *p, const char *path);

#endif
