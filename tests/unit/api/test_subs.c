/* test_subs.c — the index of live subscriptions (api/subs.c): a "mine" is
 * filed under its account, a "dossier" under its dossier, an "agency" under
 * its agency, an "all" in the list of all; srv_subs_under gives exactly the
 * subscriptions filed under a key (of its kind); removal of the head, the
 * middle and the tail of a list; a key goes with its last subscription; the
 * table grows past its first 64 buckets; a subscription added twice is filed
 * once, removed twice taken out once.  Plain data: no connection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/subs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sub make(const char *scope, const char *key) {
  sub s;
  memset(&s, 0, sizeof s);
  snprintf(s.scope, sizeof s.scope, "%s", scope);
  if (!strcmp(scope, "mine"))
    snprintf(s.account, sizeof s.account, "%s", key);
  else if (!strcmp(scope, "dossier"))
    snprintf(s.dossier, sizeof s.dossier, "%s", key);
  else if (!strcmp(scope, "agency"))
    snprintf(s.agency, sizeof s.agency, "%s", key);
  return s;
}

/* The list starting at `first` holds exactly `want[0..n)`, in any order, each
 * once, and its links agree both ways. */
static void list_is(const sub *first, sub *const *want, int n) {
  int count = 0;
  bool seen[16] = {false};
  assert_true(n <= 16);
  if (first)
    assert_null(first->prev_in);
  for (const sub *s = first; s; s = s->next_in) {
    if (s->next_in)
      assert_ptr_equal(s->next_in->prev_in, s);
    int at = -1;
    for (int i = 0; i < n; i++)
      if (want[i] == s)
        at = i;
    if (at < 0)
      fail_msg("the list holds a subscription (scope %s) it should not", s->scope);
    if (seen[at])
      fail_msg("the list holds a subscription twice");
    seen[at] = true;
    count++;
    assert_true(count <= n);
  }
  assert_int_equal(count, n);
}

static void each_scope_is_filed_under_its_key(void **state) {
  (void)state;
  sub_index x;
  srv_subs_init(&x);
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01")); /* empty: no table yet */
  sub mine = make("mine", "027190001111"), dossier = make("dossier", "H13.X01-260504-0001"),
      agency = make("agency", "H13.X01"), all = make("all", "");
  srv_subs_add(&x, &mine);
  srv_subs_add(&x, &dossier);
  srv_subs_add(&x, &agency);
  srv_subs_add(&x, &all);
  assert_int_equal(x.nkeys, 3);
  assert_int_equal(x.nlive, 4);
  assert_true(mine.live && dossier.live && agency.live && all.live);
  assert_non_null(mine.key);
  assert_non_null(dossier.key);
  assert_non_null(agency.key);
  assert_null(all.key); /* "all" has no key: it is the list of all */
  assert_ptr_equal(x.all, &all);
  assert_null(all.next_in);

  sub *only_mine[] = {&mine}, *only_dossier[] = {&dossier}, *only_agency[] = {&agency};
  list_is(srv_subs_under(&x, SUB_BY_ACCOUNT, "027190001111"), only_mine, 1);
  list_is(srv_subs_under(&x, SUB_BY_DOSSIER, "H13.X01-260504-0001"), only_dossier, 1);
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"), only_agency, 1);
  /* A key is of its kind: the same name under another kind is not it. */
  assert_null(srv_subs_under(&x, SUB_BY_DOSSIER, "H13.X01"));
  assert_null(srv_subs_under(&x, SUB_BY_ACCOUNT, "H13.X01"));
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, "027190001111"));
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X02"));
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X0")); /* a prefix is another key */
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, ""));
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, NULL));

  /* Another kind with the same name is a key of its own. */
  sub same_name = make("dossier", "H13.X01");
  srv_subs_add(&x, &same_name);
  assert_int_equal(x.nkeys, 4);
  sub *only_same[] = {&same_name};
  list_is(srv_subs_under(&x, SUB_BY_DOSSIER, "H13.X01"), only_same, 1);
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"), only_agency, 1);

  srv_subs_remove(&x, &same_name);
  srv_subs_remove(&x, &mine);
  srv_subs_remove(&x, &dossier);
  srv_subs_remove(&x, &agency);
  srv_subs_remove(&x, &all);
  assert_int_equal(x.nkeys, 0);
  assert_int_equal(x.nlive, 0);
  assert_null(x.all);
  assert_null(srv_subs_under(&x, SUB_BY_ACCOUNT, "027190001111"));
  assert_null(srv_subs_under(&x, SUB_BY_DOSSIER, "H13.X01-260504-0001"));
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"));
  assert_null(mine.key);
  assert_null(mine.prev_in);
  assert_null(mine.next_in);
  srv_subs_free(&x);
}

/* Three under one key: removing the middle, then the head, then the tail. */
static void removal_from_head_middle_and_tail(void **state) {
  (void)state;
  sub_index x;
  srv_subs_init(&x);
  sub a = make("agency", "H13.X01"), b = make("agency", "H13.X01"), c = make("agency", "H13.X01"),
      other = make("agency", "H13.X02");
  srv_subs_add(&x, &a);
  srv_subs_add(&x, &b);
  srv_subs_add(&x, &other);
  srv_subs_add(&x, &c);
  assert_int_equal(x.nkeys, 2);
  assert_int_equal(x.nlive, 4);
  assert_ptr_equal(a.key, b.key);
  assert_ptr_equal(b.key, c.key);
  assert_ptr_not_equal(a.key, other.key);
  sub *abc[] = {&a, &b, &c}, *just_other[] = {&other};
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"), abc, 3);

  /* The middle of the list (whichever it is). */
  sub *head = srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01");
  sub *middle = head->next_in, *tail = middle->next_in;
  assert_non_null(tail);
  assert_null(tail->next_in);
  srv_subs_remove(&x, middle);
  sub *ht[] = {head, tail};
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"), ht, 2);
  assert_null(middle->key);
  assert_int_equal(x.nlive, 3);
  /* The head. */
  srv_subs_remove(&x, head);
  sub *t[] = {tail};
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"), t, 1);
  assert_int_equal(x.nkeys, 2);
  /* The tail, the last: the key goes. */
  srv_subs_remove(&x, tail);
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"));
  assert_int_equal(x.nkeys, 1);
  assert_int_equal(x.nlive, 1);
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X02"), just_other, 1);

  /* Back again under a fresh key. */
  srv_subs_add(&x, &b);
  assert_int_equal(x.nkeys, 2);
  sub *just_b[] = {&b};
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"), just_b, 1);
  srv_subs_remove(&x, &b);
  srv_subs_remove(&x, &other);
  assert_int_equal(x.nkeys, 0);
  assert_int_equal(x.nlive, 0);
  srv_subs_free(&x);
}

/* The list of "all": the same three removals. */
static void the_list_of_all(void **state) {
  (void)state;
  sub_index x;
  srv_subs_init(&x);
  sub a = make("all", ""), b = make("all", ""), c = make("all", ""), d = make("all", "");
  srv_subs_add(&x, &a);
  srv_subs_add(&x, &b);
  srv_subs_add(&x, &c);
  srv_subs_add(&x, &d);
  assert_int_equal(x.nkeys, 0);
  assert_int_equal(x.nlive, 4);
  sub *abcd[] = {&a, &b, &c, &d};
  list_is(x.all, abcd, 4);
  sub *head = x.all, *second = head->next_in, *third = second->next_in, *tail = third->next_in;
  srv_subs_remove(&x, second);
  sub *rest[] = {head, third, tail};
  list_is(x.all, rest, 3);
  srv_subs_remove(&x, head);
  sub *rest2[] = {third, tail};
  list_is(x.all, rest2, 2);
  srv_subs_remove(&x, tail);
  sub *rest3[] = {third};
  list_is(x.all, rest3, 1);
  srv_subs_remove(&x, third);
  assert_null(x.all);
  assert_int_equal(x.nlive, 0);
  /* Removing one that is no longer in: nothing. */
  srv_subs_remove(&x, &a);
  assert_int_equal(x.nlive, 0);
  assert_null(x.all);
  srv_subs_free(&x);
}

/* A thousand agencies: the table grows (64 buckets at first), every key is
 * found, and all go. */
static void grows_past_the_first_buckets(void **state) {
  (void)state;
  enum { N = 1000 };
  sub_index x;
  srv_subs_init(&x);
  sub *subs = calloc(N, sizeof *subs);
  assert_non_null(subs);
  char name[32];
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "H%02d.X%04d", i % 97, i);
    subs[i] = make("agency", name);
    srv_subs_add(&x, &subs[i]);
    assert_int_equal(x.nkeys, (size_t)i + 1);
  }
  assert_int_equal(x.nlive, N);
  assert_true(x.nbuckets >= N);
  assert_int_equal(x.nbuckets & (x.nbuckets - 1), 0); /* a power of two: the hash is masked */
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "H%02d.X%04d", i % 97, i);
    sub *only[] = {&subs[i]};
    list_is(srv_subs_under(&x, SUB_BY_AGENCY, name), only, 1);
    assert_null(srv_subs_under(&x, SUB_BY_DOSSIER, name));
  }
  assert_null(srv_subs_under(&x, SUB_BY_AGENCY, "H00.X1000"));
  /* Every other one first, then the rest. */
  for (int pass = 0; pass < 2; pass++)
    for (int i = pass; i < N; i += 2)
      srv_subs_remove(&x, &subs[i]);
  assert_int_equal(x.nkeys, 0);
  assert_int_equal(x.nlive, 0);
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "H%02d.X%04d", i % 97, i);
    assert_null(srv_subs_under(&x, SUB_BY_AGENCY, name));
    assert_null(subs[i].key);
  }
  srv_subs_free(&x);
  assert_int_equal(x.nbuckets, 0);
  free(subs);
}

/* Many under one key and keys of every kind at once, past the growth. */
static void many_under_one_key_survive_growth(void **state) {
  (void)state;
  enum { N = 300 };
  sub_index x;
  srv_subs_init(&x);
  sub *same = calloc(16, sizeof *same), *others = calloc(N, sizeof *others);
  assert_non_null(same);
  assert_non_null(others);
  for (int i = 0; i < 16; i++) {
    same[i] = make("dossier", "H13.X01-260504-0001");
    srv_subs_add(&x, &same[i]);
  }
  char name[64];
  static const char *const scopes[] = {"mine", "dossier", "agency"};
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "k%d", i);
    others[i] = make(scopes[i % 3], name);
    srv_subs_add(&x, &others[i]);
  }
  assert_int_equal(x.nkeys, N + 1);
  sub *want[16];
  for (int i = 0; i < 16; i++)
    want[i] = &same[i];
  list_is(srv_subs_under(&x, SUB_BY_DOSSIER, "H13.X01-260504-0001"), want, 16);
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "k%d", i);
    sub *only[] = {&others[i]};
    sub_by by = i % 3 == 0 ? SUB_BY_ACCOUNT : i % 3 == 1 ? SUB_BY_DOSSIER : SUB_BY_AGENCY;
    list_is(srv_subs_under(&x, by, name), only, 1);
    sub_by wrong = by == SUB_BY_ACCOUNT ? SUB_BY_AGENCY : SUB_BY_ACCOUNT;
    assert_null(srv_subs_under(&x, wrong, name));
  }
  for (int i = 0; i < N; i++)
    srv_subs_remove(&x, &others[i]);
  for (int i = 0; i < 16; i++)
    srv_subs_remove(&x, &same[i]);
  assert_int_equal(x.nkeys, 0);
  assert_int_equal(x.nlive, 0);
  srv_subs_free(&x);
  free(same);
  free(others);
}

/* Added twice: filed once (each scope, alone and among others). */
static void added_twice_is_filed_once(void **state) {
  (void)state;
  sub_index x;
  srv_subs_init(&x);
  sub alone = make("mine", "027190001111"), a = make("agency", "H13.X01"), b = make("agency", "H13.X01"),
      all1 = make("all", ""), all2 = make("all", "");
  srv_subs_add(&x, &alone);
  srv_subs_add(&x, &alone);
  assert_int_equal(x.nlive, 1);
  assert_int_equal(x.nkeys, 1);
  sub *only_alone[] = {&alone};
  list_is(srv_subs_under(&x, SUB_BY_ACCOUNT, "027190001111"), only_alone, 1);

  srv_subs_add(&x, &a);
  srv_subs_add(&x, &b);
  srv_subs_add(&x, &a); /* now the tail */
  srv_subs_add(&x, &b); /* the head */
  assert_int_equal(x.nlive, 3);
  sub *ab[] = {&a, &b};
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"), ab, 2);

  srv_subs_add(&x, &all1);
  srv_subs_add(&x, &all1); /* alone in the list */
  srv_subs_add(&x, &all2);
  srv_subs_add(&x, &all1); /* the tail of the list */
  srv_subs_add(&x, &all2); /* its head */
  assert_int_equal(x.nlive, 5);
  sub *alls[] = {&all1, &all2};
  list_is(x.all, alls, 2);

  /* Removed twice: taken out once. */
  srv_subs_remove(&x, &a);
  srv_subs_remove(&x, &a);
  sub *just_b[] = {&b};
  list_is(srv_subs_under(&x, SUB_BY_AGENCY, "H13.X01"), just_b, 1);
  srv_subs_remove(&x, &all1);
  srv_subs_remove(&x, &all1);
  sub *just_all2[] = {&all2};
  list_is(x.all, just_all2, 1);
  assert_int_equal(x.nlive, 3);
  srv_subs_remove(&x, &alone);
  srv_subs_remove(&x, &alone);
  srv_subs_remove(&x, &b);
  srv_subs_remove(&x, &all2);
  assert_int_equal(x.nlive, 0);
  assert_int_equal(x.nkeys, 0);
  assert_null(x.all);
  srv_subs_free(&x);
}

/* Names as long as a subscription holds them are keys like any other. */
static void the_longest_names(void **state) {
  (void)state;
  sub_index x;
  srv_subs_init(&x);
  char longest[64], almost[64];
  memset(longest, 'd', 63);
  longest[63] = '\0';
  memcpy(almost, longest, 64);
  almost[62] = 'e';
  sub a = make("dossier", longest), b = make("dossier", almost);
  srv_subs_add(&x, &a);
  srv_subs_add(&x, &b);
  assert_int_equal(x.nkeys, 2);
  sub *only_a[] = {&a}, *only_b[] = {&b};
  list_is(srv_subs_under(&x, SUB_BY_DOSSIER, longest), only_a, 1);
  list_is(srv_subs_under(&x, SUB_BY_DOSSIER, almost), only_b, 1);
  srv_subs_remove(&x, &a);
  srv_subs_remove(&x, &b);
  assert_int_equal(x.nkeys, 0);
  srv_subs_free(&x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_scope_is_filed_under_its_key),
      cmocka_unit_test(removal_from_head_middle_and_tail),
      cmocka_unit_test(the_list_of_all),
      cmocka_unit_test(grows_past_the_first_buckets),
      cmocka_unit_test(many_under_one_key_survive_growth),
      cmocka_unit_test(added_twice_is_filed_once),
      cmocka_unit_test(the_longest_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
