/* arena.h — a bump allocator freed in one go.
 *
 * One arena per DSL compile, per calendar load, per request: everything built
 * while doing that job is allocated here and released together by
 * mc_arena_free(), so error paths need no per-object cleanup (as h2o's
 * h2o_mem_pool_t).  Allocations are aligned for any scalar type.  Not
 * thread-safe.  A zero-initialised arena is valid and empty.
 */
#ifndef MC_ARENA_H
#define MC_ARENA_H

#include <stddef.h>

typedef struct mc_arena_chunk mc_arena_chunk;

typedef struct mc_arena {
  mc_arena_chunk *head;  /* newest chunk, where allocation happens */
  size_t chunk_size;     /* default size of a new chunk; 0 means 4 KiB */
  size_t total;          /* bytes handed out, for statistics */
} mc_arena;

#define MC_ARENA_INIT {NULL, 0, 0}

/* Returns `size` bytes (out of memory: mc_oom, base/error.h), or NULL for a
 * size over half the address space.  Owned by the arena. */
void *mc_arena_alloc(mc_arena *a, size_t size);

/* Same, zero-filled. */
void *mc_arena_calloc(mc_arena *a, size_t count, size_t size);

/* Copies `n` bytes of `s` and a terminating NUL into the arena. */
char *mc_arena_strndup(mc_arena *a, const char *s, size_t n);
char *mc_arena_strdup(mc_arena *a, const char *s);

/* Releases every allocation; the arena is empty and reusable afterwards. */
void mc_arena_free(mc_arena *a);

#endif
