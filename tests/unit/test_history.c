/* test_history.c - the history cache's bounds (store/history.c, issue 12
 * "Retention by age and by count per target" and "the cache has a byte
 * budget; a flood of long messages cannot grow it"), memory only. */
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <event2/event.h>

#include "store/history.h"

static struct event_base *base;

static struct hist *
mk(size_t bytes, unsigned per_target, int64_t max_age)
{
	struct hist_conf conf = { bytes, per_target, max_age };
	char err[256] = "";
	struct hist *h;

	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	h = hist_new(&conf, NULL, base, err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	return h;
}

static void
done(struct hist *h)
{
	hist_free(h);
	event_base_free(base);
}

static void
add(struct hist *h, const char *key, int64_t t, int i, const char *text)
{
	char id[32], line[1024];

	snprintf(id, sizeof(id), "id%d", i);
	snprintf(line, sizeof(line), ":n!u@h PRIVMSG %s :%s", key, text);
	hist_append(h, key, t, HK_PRIVMSG, 0, id, NULL, "n", line, NULL);
}

/* latest: LATEST * of key from the cache; the result (caller frees). */
static struct hist_result *
latest(struct hist *h, const char *key, unsigned limit)
{
	struct hist_query q;
	struct hist_result *r = NULL;

	memset(&q, 0, sizeof(q));
	q.sel = HS_LATEST;
	snprintf(q.key, sizeof(q.key), "%s", key);
	q.limit = limit;
	ck_assert_int_eq(hist_query_cached(h, &q, &r), 1);
	return r;
}

/* max_per_target: a target keeps its newest rows only. */
START_TEST(retention_by_count)
{
	struct hist *h = mk(1 << 20, 3, 0);
	struct hist_result *r;
	int i;

	for (i = 0; i < 5; i++)
		add(h, "#a", 1000 + i, i, "x");
	add(h, "#b", 2000, 9, "y");
	r = latest(h, "#a", 10);
	ck_assert_uint_eq(r->n, 3);
	ck_assert_str_eq(r->rows[0].msgid, "id2");
	ck_assert_str_eq(r->rows[2].msgid, "id4");
	hist_result_free(r);
	r = latest(h, "#b", 10);
	ck_assert_uint_eq(r->n, 1);
	hist_result_free(r);
	done(h);
}
END_TEST

/* max_age: hist_expire drops rows older than the age, keeps the rest. */
START_TEST(retention_by_age)
{
	struct hist *h = mk(1 << 20, 0, 60);
	struct hist_result *r;

	add(h, "#a", 1000, 1, "old");
	add(h, "#a", 50000, 2, "new");
	hist_expire(h, 70000); /* 60 s after 10 000 ms: id1 is past it */
	r = latest(h, "#a", 10);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_str_eq(r->rows[0].msgid, "id2");
	hist_result_free(r);
	done(h);
}
END_TEST

/* cache_bytes: a flood of long lines stays within the budget (the oldest
 * go) and the newest is still there. */
START_TEST(budget_bounds_flood)
{
	struct hist *h = mk(4096, 0, 0);
	struct hist_stats st;
	struct hist_result *r;
	char text[401];
	int i;

	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 1000; i++) {
		add(h, "#a", 1000 + i, i, text);
		hist_get_stats(h, &st);
		ck_assert_uint_le(st.cache_bytes, 4096);
	}
	ck_assert_uint_gt(st.evicted, 900);
	r = latest(h, "#a", 1);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_str_eq(r->rows[0].msgid, "id999");
	hist_result_free(r);
	done(h);
}
END_TEST

/* A target's rows stay in time order: a row stamped before the newest
 * (a peer's clock a little behind ours) takes the newest row's time. */
START_TEST(rows_stay_in_time_order)
{
	struct hist *h = mk(1 << 20, 0, 0);
	struct hist_result *r;

	add(h, "#a", 5000, 1, "first");
	add(h, "#a", 4000, 2, "behind");
	add(h, "#b", 4000, 3, "other target");
	r = latest(h, "#a", 10);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_int_eq(r->rows[1].time_ms, 5000);
	hist_result_free(r);
	r = latest(h, "#b", 10);
	ck_assert_int_eq(r->rows[0].time_ms, 4000);
	hist_result_free(r);
	done(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("unit_history");
	TCase *tc = tcase_create("history");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, retention_by_count);
	tcase_add_test(tc, retention_by_age);
	tcase_add_test(tc, budget_bounds_flood);
	tcase_add_test(tc, rows_stay_in_time_order);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
