/* test_arena.c — base/arena.c: alignment, large blocks, strdup, reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"

#include <string.h>

static void allocations_are_aligned_and_distinct(void **state) {
  (void)state;
  mc_arena a = MC_ARENA_INIT;
  char *prev = NULL;
  for (int i = 1; i < 500; i++) {
    char *p = mc_arena_alloc(&a, (size_t)(i % 37) + 1);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    memset(p, 0xAB, (size_t)(i % 37) + 1); /* ASan catches overlap/overrun */
    assert_true(p != prev);
    prev = p;
  }
  mc_arena_free(&a);
  assert_null(a.head);
}

static void large_block_bigger_than_a_chunk(void **state) {
  (void)state;
  mc_arena a = MC_ARENA_INIT;
  a.chunk_size = 128;
  char *big = mc_arena_alloc(&a, 100000);
  assert_non_null(big);
  memset(big, 1, 100000);
  char *small = mc_arena_alloc(&a, 8);
  assert_non_null(small);
  mc_arena_free(&a);
}

static void strdup_and_calloc(void **state) {
  (void)state;
  mc_arena a = MC_ARENA_INIT;
  char *s = mc_arena_strdup(&a, "Tết Nguyên đán");
  assert_string_equal(s, "Tết Nguyên đán");
  char *t = mc_arena_strndup(&a, "07:30-11:30", 5);
  assert_string_equal(t, "07:30");
  int *zeros = mc_arena_calloc(&a, 100, sizeof *zeros);
  for (int i = 0; i < 100; i++)
    assert_int_equal(zeros[i], 0);
  assert_null(mc_arena_calloc(&a, SIZE_MAX / 2, 4)); /* overflow refused */
  mc_arena_free(&a);
  /* reusable after free */
  assert_non_null(mc_arena_alloc(&a, 10));
  mc_arena_free(&a);
  mc_arena_free(&a); /* freeing an empty arena is a no-op */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(allocations_are_aligned_and_distinct),
      cmocka_unit_test(large_block_bigger_than_a_chunk),
      cmocka_unit_test(strdup_and_calloc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
