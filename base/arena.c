/* arena.c — see arena.h. */
#include "arena.h"

#include "error.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mc_arena_chunk {
  mc_arena_chunk *next;
  size_t size; /* usable bytes after the header */
  size_t used;
  alignas(max_align_t) unsigned char bytes[];
};

#define ARENA_ALIGN alignof(max_align_t)

void *mc_arena_alloc(mc_arena *a, size_t size) {
  mc_arena_chunk *c = a->head;
  size_t rounded;

  if (size == 0)
    size = 1;
  if (size > SIZE_MAX / 2)
    return NULL;
  rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
  if (c == NULL || c->size - c->used < rounded) {
    size_t want = a->chunk_size ? a->chunk_size : 4096;
    if (want < rounded)
      want = rounded;
    c = malloc(sizeof *c + want);
    if (c == NULL)
      mc_oom(sizeof *c + want); /* base/error.h: one policy */
    c->size = want;
    c->used = 0;
    c->next = a->head;
    a->head = c;
  }
  void *p = c->bytes + c->used;
  c->used += rounded;
  a->total += size;
  return p;
}

void *mc_arena_calloc(mc_arena *a, size_t count, size_t size) {
  void *p;
  if (size != 0 && count > SIZE_MAX / size)
    return NULL;
  p = mc_arena_alloc(a, count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}

char *mc_arena_strndup(mc_arena *a, const char *s, size_t n) {
  char *p = mc_arena_alloc(a, n + 1);
  if (p == NULL)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *mc_arena_strdup(mc_arena *a, const char *s) { return mc_arena_strndup(a, s, strlen(s)); }

void mc_arena_free(mc_arena *a) {
  mc_arena_chunk *c = a->head;
  while (c) {
    mc_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
  a->total = 0;
}
