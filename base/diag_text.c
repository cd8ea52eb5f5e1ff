/* diag_text.c — a checker's finding, formatted in English, in Vietnamese
 * (diag.h, mc_diag_text): the English formats are patterns, matched against
 * the text they printed; the Vietnamese is filled in with what matched. */
#include "diag.h"

#include <string.h>

#define MAX_PIECES 9

typedef struct piece {
  const char *at;
  size_t len;
  int arg;   /* the printf argument it printed (1-based; a '*' is one too) */
  bool bare; /* between spaces or punctuation in the English, not in quotes
              * or glued to a word (form.%s): a fragment, translated */
} piece;

typedef struct match {
  piece pieces[MAX_PIECES];
  int n;
} match;

/* The conversion at `f` (just after its '%'): its end, and what it prints:
 * 'd' digits (with a sign), 'x' hex digits, 'c' one character, 's' any. */
static const char *conversion(const char *f, char *kind) {
  while (*f && strchr("0123456789$#-+ .*", *f))
    f++;
  while (*f && strchr("hlzjt", *f))
    f++;
  switch (*f) {
  case 'd': case 'i': case 'u': *kind = 'd'; break;
  case 'x': case 'X': *kind = 'x'; break;
  case 'c': *kind = 'c'; break;
  case '\0': *kind = 0; return f;
  default: *kind = 's'; break;
  }
  return f + 1;
}

static bool fits(char kind, const char *s, size_t len) {
  if (kind == 'c')
    return len >= 1 && len <= 4 && ((unsigned char)s[0] & 0xC0) != 0x80 &&
           (len == 1 || ((unsigned char)s[0] & 0xC0) == 0xC0);
  if (kind == 's')
    return true;
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    bool ok = kind == 'd' ? (c >= '0' && c <= '9') || (i == 0 && c == '-')
                          : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok)
      return false;
  }
  return true;
}

/* Does the format `f` print exactly `t`?  Backtracks over the conversions,
 * shortest piece first; `fixed` counts the format's own characters. */
static bool matches(const char *f, const char *t, match *m, size_t *fixed) {
  while (*f && *f != '%') {
    if (*f != *t)
      return false;
    f++, t++, (*fixed)++;
  }
  if (*f == '\0')
    return *t == '\0';
  if (f[1] == '%') {
    if (*t != '%')
      return false;
    (*fixed)++;
    return matches(f + 2, t + 1, m, fixed);
  }
  if (m->n == MAX_PIECES)
    return false;
  char kind;
  const char *rest = conversion(f + 1, &kind);
  if (kind == 0)
    return false;
  size_t tlen = strlen(t);
  int slot = m->n++;
  for (size_t len = 0; len <= tlen; len++) {
    if (!fits(kind, t, len)) {
      if (kind != 's' && len > 0)
        break; /* a longer run of digits cannot fit either once one does not */
      continue;
    }
    size_t fixed_rest = 0;
    m->pieces[slot] = (piece){t, len, 0, false};
    if (matches(rest, t + len, m, &fixed_rest)) {
      *fixed += fixed_rest;
      return true;
    }
    m->n = slot + 1;
  }
  m->n = slot;
  return false;
}

/* What may stand before and after a bare piece: a piece glued to a word or
 * a dot (form.%s) is part of a name. */
static bool opens(char c) { return strchr(" (", c) != NULL; }
static bool closes(char c) { return c == '\0' || strchr(" ),;:.?", c) != NULL; }

/* Which printf argument each piece printed, and whether it is bare. */
static void mark_pieces(const char *en, match *m) {
  int k = 0, arg = 0;
  for (const char *f = en; *f && k < m->n; f++) {
    if (*f != '%')
      continue;
    if (f[1] == '%') {
      f++;
      continue;
    }
    char kind;
    const char *end = conversion(f + 1, &kind);
    for (const char *c = f + 1; c < end; c++)
      arg += *c == '*';
    m->pieces[k].arg = ++arg;
    m->pieces[k].bare = (f == en || opens(f[-1])) && closes(*end);
    k++;
    f = end - 1;
  }
}

/* The row of `texts` that printed `english` with the longest fixed text. */
static const mc_diag_text *find(const mc_diag_text *texts, const char *english, match *best) {
  const mc_diag_text *found = NULL;
  size_t best_fixed = 0;
  for (const mc_diag_text *r = texts; r && r->en; r++) {
    match m = {.n = 0};
    size_t fixed = 0;
    if (r->en[0] != '%' && r->en[0] != english[0])
      continue;
    if (matches(r->en, english, &m, &fixed) && (found == NULL || fixed > best_fixed)) {
      found = r;
      best_fixed = fixed;
      *best = m;
    }
  }
  if (found)
    mark_pieces(found->en, best);
  return found;
}

static void put(char *out, size_t size, size_t *o, const char *s, size_t len) {
  for (size_t i = 0; i < len && *o + 1 < size; i++)
    out[(*o)++] = s[i];
}

static bool translate(const mc_diag_text *texts, const char *english, char *out, size_t size, int depth);

/* A bare piece in Vietnamese when a row has it whole (a fragment such as
 * "levels", or a text such as `the policy "x"` that fills another). */
static void put_piece(const mc_diag_text *texts, const piece *p, char *out, size_t size, size_t *o,
                      int depth) {
  char text[512], vi[512];
  if (p->bare && depth < 2 && p->len > 0 && p->len < sizeof text) {
    memcpy(text, p->at, p->len);
    text[p->len] = '\0';
    if (translate(texts, text, vi, sizeof vi, depth + 1)) {
      put(out, size, o, vi, strlen(vi));
      return;
    }
  }
  put(out, size, o, p->at, p->len);
}

static bool translate(const mc_diag_text *texts, const char *english, char *out, size_t size, int depth) {
  match m = {.n = 0};
  const mc_diag_text *row = find(texts, english, &m);
  if (row == NULL || size == 0)
    return false;
  /* a piece is a fragment only when its row has fixed text of its own */
  if (depth > 0 && strcmp(row->en, "%s") == 0)
    return false;
  size_t o = 0;
  int next = 0;
  for (const char *v = row->vi; *v;) {
    if (*v != '%') {
      put(out, size, &o, v++, 1);
      continue;
    }
    if (v[1] == '%') {
      put(out, size, &o, "%", 1);
      v += 2;
      continue;
    }
    const char *d = v + 1;
    int n = 0;
    while (*d >= '0' && *d <= '9')
      n = n * 10 + (*d++ - '0');
    const piece *p = NULL;
    if (*d == '$' && n > 0) {
      for (int k = 0; k < m.n; k++)
        if (m.pieces[k].arg == n)
          p = &m.pieces[k];
    } else if (next < m.n) {
      p = &m.pieces[next];
    }
    next++;
    const char *dot = NULL;
    char kind;
    const char *end = conversion(v + 1, &kind);
    for (const char *c = v + 1; c < end; c++)
      if (*c == '.')
        dot = c;
    v = end;
    if (p == NULL)
      continue;
    if (dot && dot[1] == '0' && !(dot[2] >= '0' && dot[2] <= '9'))
      continue; /* %.0s: the English's argument, not shown in Vietnamese */
    put_piece(texts, p, out, size, &o, depth);
  }
  out[o] = '\0';
  return true;
}

bool mc_diag_translate(const mc_diag_text *texts, const char *english, char *out, size_t size) {
  return translate(texts, english, out, size, 0);
}
