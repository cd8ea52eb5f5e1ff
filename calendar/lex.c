/* lex.c — the tokens and statements of a calendar file: one statement a
 * line, '#' starts a comment, words, "strings" and braces. */
#include "calendar/read.h"

#include "base/error.h"
#include "base/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_word_char(unsigned char c) {
  return c > ' ' && c != '"' && c != '{' && c != '}' && c != '#';
}

/* Checks that text[0..n) is valid UTF-8; returns the offset of the first bad
 * byte, or n. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n)
      return i;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return n;
}

static token lex_next(lexer *lx) {
  const char *t = lx->src->text;
  size_t n = lx->src->len;
  token tok = {TOK_EOF, n, 0};

  for (;;) {
    while (lx->pos < n && (t[lx->pos] == ' ' || t[lx->pos] == '\t' || t[lx->pos] == '\r'))
      lx->pos++;
    if (lx->pos < n && t[lx->pos] == '#') {
      while (lx->pos < n && t[lx->pos] != '\n')
        lx->pos++;
    }
    break;
  }
  if (lx->pos >= n)
    return tok;
  tok.offset = lx->pos;
  switch (t[lx->pos]) {
  case '\n':
    tok.kind = TOK_NEWLINE, tok.len = 1, lx->pos++;
    return tok;
  case '{':
    tok.kind = TOK_LBRACE, tok.len = 1, lx->pos++;
    return tok;
  case '}':
    tok.kind = TOK_RBRACE, tok.len = 1, lx->pos++;
    return tok;
  case '"': {
    size_t i = lx->pos + 1;
    while (i < n && t[i] != '"' && t[i] != '\n')
      i += (t[i] == '\\' && i + 1 < n && t[i + 1] != '\n') ? 2 : 1;
    if (i >= n || t[i] != '"') {
      cal__error(lx->sink, lx->src, lx->pos, i - lx->pos,
                 "close the text with a \" on the same line",
                 "this text has no closing quote");
      tok.kind = TOK_BAD, tok.len = i - lx->pos;
      lx->pos = i;
      return tok;
    }
    tok.kind = TOK_STRING, tok.len = i + 1 - lx->pos;
    lx->pos = i + 1;
    size_t bad = utf8_valid_prefix((const unsigned char *)t + tok.offset, tok.len);
    if (bad != tok.len) {
      cal__error(lx->sink, lx->src, tok.offset + bad, 1,
                 "save the file with the UTF-8 encoding (most editors offer it under \"Save as\")",
                 "this text is not valid UTF-8");
      tok.kind = TOK_BAD;
    }
    return tok;
  }
  default: {
    size_t i = lx->pos;
    while (i < n && is_word_char((unsigned char)t[i]))
      i++;
    if (i == lx->pos) { /* a control character */
      cal__error(lx->sink, lx->src, lx->pos, 1, NULL,
                 "unexpected control character (byte 0x%02x)", (unsigned char)t[lx->pos]);
      tok.kind = TOK_BAD, tok.len = 1;
      lx->pos++;
      return tok;
    }
    tok.kind = TOK_WORD, tok.len = i - lx->pos;
    lx->pos = i;
    return tok;
  }
  }
}

/* ============================================================ statements */

token cal__peek(parser *p) {
  if (!p->has_peeked) {
    p->peeked = lex_next(&p->lx);
    p->has_peeked = true;
  }
  return p->peeked;
}

token cal__next(parser *p) {
  token t = cal__peek(p);
  p->has_peeked = false;
  return t;
}

/* Reads a statement; skips blank lines first.  Returns false at EOF or at a
 * closing brace (not consumed) with no statement. */
bool cal__read_stmt(parser *p, stmt *s) {
  s->n = 0;
  s->too_long = false;
  s->bad = false;
  for (;;) {
    token t = cal__peek(p);
    if (t.kind == TOK_NEWLINE && s->n == 0) {
      cal__next(p);
      continue;
    }
    if (t.kind == TOK_EOF || t.kind == TOK_NEWLINE || t.kind == TOK_RBRACE ||
        (t.kind == TOK_LBRACE && s->n > 0)) {
      if (t.kind == TOK_NEWLINE)
        cal__next(p);
      if (t.kind == TOK_LBRACE) {
        /* The brace belongs to the statement: `year 2026 {` */
        cal__next(p);
        if (s->n < STMT_MAX_TOKENS)
          s->tok[s->n++] = t;
      }
      s->end = t;
      return s->n > 0;
    }
    cal__next(p);
    s->bad |= t.kind == TOK_BAD;
    if (s->n < STMT_MAX_TOKENS)
      s->tok[s->n++] = t;
    else
      s->too_long = true;
  }
}

bool cal__tok_is(const parser *p, const token *t, const char *word) {
  return t->kind == TOK_WORD && t->len == strlen(word) &&
         strncasecmp(p->src->text + t->offset, word, t->len) == 0;
}

/* The keyword closest to a token, if it is a likely typo; else NULL. */
const char *cal__did_you_mean(const parser *p, const token *t, const char *const *keywords) {
  return mc_text_closest(keywords, p->src->text + t->offset, t->len, 3);
}


/* Copies a string token's text without quotes, resolving \" and \\. */
char *cal__string_value(mc_arena *a, const parser *p, const token *t) {
  const char *s = p->src->text + t->offset + 1;
  size_t n = t->len - 2;
  char *out = mc_arena_alloc(a, n + 1), *o = out;
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n)
      i++;
    *o++ = s[i];
  }
  *o = '\0';
  return out;
}

