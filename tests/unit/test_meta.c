/* test_meta.c - the metadata key/value lists (core/meta.h): key rules of
 * draft/metadata-3 "Keys and Values", the max bound, replace in place,
 * delete, free. */
#include <string.h>

#include <check.h>

#include "core/meta.h"

START_TEST(key_rules)
{
	char out[META_KEY_MAX + 1], longkey[META_KEY_MAX + 2];

	ck_assert(meta_key_fold("Display-Name", out));
	ck_assert_str_eq(out, "display-name");
	ck_assert(meta_key_fold("a.b_c:d/e-9", out));
	ck_assert_str_eq(out, "a.b_c:d/e-9");
	ck_assert(!meta_key_fold("", out));
	ck_assert(!meta_key_fold(":x", out));
	ck_assert(!meta_key_fold("$url", out));
	ck_assert(!meta_key_fold("a b", out));
	ck_assert(!meta_key_fold("caf\xc3\xa9", out));
	memset(longkey, 'k', META_KEY_MAX);
	longkey[META_KEY_MAX] = '\0';
	ck_assert(meta_key_fold(longkey, out));
	longkey[META_KEY_MAX] = 'k';
	longkey[META_KEY_MAX + 1] = '\0';
	ck_assert(!meta_key_fold(longkey, out));
}
END_TEST

START_TEST(set_get_bound)
{
	struct meta_entry *l = NULL;
	const struct meta_entry *e;

	ck_assert_int_eq(meta_set(&l, "a", "1", 1, 2), 0);
	ck_assert_int_eq(meta_set(&l, "b", "22", 2, 2), 0);
	/* a third key is refused, nothing changes */
	ck_assert_int_eq(meta_set(&l, "c", "3", 1, 2), -1);
	ck_assert_uint_eq(meta_count(l), 2);
	ck_assert_ptr_null(meta_get(l, "c"));
	/* replacing an existing key is allowed at the bound, in place */
	ck_assert_int_eq(meta_set(&l, "a", "longer", 6, 2), 0);
	ck_assert_str_eq(l->key, "a");
	ck_assert_str_eq(l->value, "longer");
	ck_assert_uint_eq(l->vlen, 6);
	e = meta_get(l, "b");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->value, "22");
	ck_assert(meta_del(&l, "a"));
	ck_assert(!meta_del(&l, "a"));
	ck_assert_uint_eq(meta_count(l), 1);
	ck_assert_int_eq(meta_set(&l, "c", "3", 1, 2), 0);
	meta_free(&l);
	ck_assert_ptr_null(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("meta");
	TCase *tc = tcase_create("meta");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, key_rules);
	tcase_add_test(tc, set_get_bound);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
