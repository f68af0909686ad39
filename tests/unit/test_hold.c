/* test_hold.c - the held-name tables (core/hold.h): nick delay (RFC 2813
 * §5.7) and channel delay (RFC 2811 §3.2.2). A real registry from
 * server_core_new with a fixed clock the tests move; the expiry timer is
 * made to fire with event_active after the clock moved (no waiting). */
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <event2/event.h>

#include "core/config.h"
#include "core/hold.h"
#include "core/server.h"

static struct server *srv;

static void
setup(void)
{
	srv = server_core_new(config_default(), NULL);
	ck_assert_ptr_nonnull(srv);
	srv->clock_fixed = true;
	srv->now = 1000000;
}

static void
teardown(void)
{
	server_core_free(srv);
}

/* fire: the table's timer runs now (as when its deadline came). */
static void
fire(struct hold_table *t)
{
	event_active(t->timer, EV_TIMEOUT, 0);
	event_base_loop(srv->base, EVLOOP_NONBLOCK);
}

/* timer_in: seconds until the table's timer fires, -1 if not armed. */
static long
timer_in(struct hold_table *t)
{
	struct timeval tv, now;

	if (!event_pending(t->timer, EV_TIMEOUT, &tv))
		return -1;
	event_base_gettimeofday_cached(srv->base, &now);
	return (long)(tv.tv_sec - now.tv_sec + (tv.tv_usec - now.tv_usec + 500000) / 1000000);
}

START_TEST(add_find_expire)
{
	struct hold_table *t = srv->nick_holds;

	ck_assert_int_eq(hold_add(t, "alice", 30, NULL), 0);
	ck_assert_ptr_nonnull(hold_find(t, "alice"));
	ck_assert_ptr_null(hold_find(t, "bob"));
	ck_assert_int_eq(timer_in(t), 30);
	srv->now += 29;
	ck_assert_ptr_nonnull(hold_find(t, "alice"));
	srv->now += 1;
	/* the deadline passed: found no more, even before the timer ran */
	ck_assert_ptr_null(hold_find(t, "alice"));
	ck_assert_uint_eq(t->count, 0);
	/* secs 0: nothing is held */
	ck_assert_int_eq(hold_add(t, "carol", 0, NULL), 0);
	ck_assert_ptr_null(hold_find(t, "carol"));
}
END_TEST

/* The timer drops the expired holds from the head and re-arms for the
 * next deadline; a shorter delay made later (a REHASH) goes before the
 * longer ones. */
START_TEST(timer_order)
{
	struct hold_table *t = srv->chan_holds;

	ck_assert_int_eq(hold_add(t, "#a", 100, "b.test"), 0);
	ck_assert_int_eq(hold_add(t, "#b", 100, "c.test"), 0);
	srv->now += 10;
	ck_assert_int_eq(hold_add(t, "#c", 20, NULL), 0); /* ends at +30: first */
	ck_assert_str_eq(TAILQ_FIRST(&t->order)->key, "#c");
	ck_assert_str_eq(TAILQ_LAST(&t->order, hold_table_order)->key, "#b");
	ck_assert_int_eq(timer_in(t), 20);
	srv->now += 20;
	fire(t);
	ck_assert_uint_eq(t->count, 2);
	ck_assert_ptr_null(hold_find(t, "#c"));
	ck_assert_int_eq(timer_in(t), 70);
	srv->now += 70;
	fire(t);
	ck_assert_uint_eq(t->count, 0);
	ck_assert_ptr_null(TAILQ_FIRST(&t->order));
	ck_assert_int_eq(timer_in(t), -1);
}
END_TEST

/* Holding a held name again moves its deadline and tag; dropping by tag
 * (a split server came back) leaves the others. */
START_TEST(renew_and_tags)
{
	struct hold_table *t = srv->chan_holds;
	struct hold *h;

	ck_assert_int_eq(hold_add(t, "#a", 50, "b.test"), 0);
	ck_assert_int_eq(hold_add(t, "#b", 50, "c.test"), 0);
	ck_assert_int_eq(hold_add(t, "#c", 50, "B.TEST"), 0);
	srv->now += 40;
	ck_assert_int_eq(hold_add(t, "#a", 50, "d.test"), 0);
	h = hold_find(t, "#a");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->tag, "d.test");
	ck_assert_int_eq((long)(h->until - srv->now), 50);
	ck_assert_str_eq(TAILQ_LAST(&t->order, hold_table_order)->key, "#a");
	ck_assert_uint_eq(hold_del_tag(t, "b.test"), 1); /* #c, case-insensitively */
	ck_assert_ptr_null(hold_find(t, "#c"));
	ck_assert_ptr_nonnull(hold_find(t, "#b"));
	ck_assert(hold_del(t, "#b"));
	ck_assert(!hold_del(t, "#b"));
	ck_assert_uint_eq(t->count, 1);
}
END_TEST

/* The table never holds more than HOLD_MAX names: the earliest goes. */
START_TEST(bounded)
{
	struct hold_table *t = srv->nick_holds;
	char key[32];
	unsigned i;

	for (i = 0; i < HOLD_MAX + 10; i++) {
		snprintf(key, sizeof(key), "n%u", i);
		ck_assert_int_eq(hold_add(t, key, 30, NULL), 0);
	}
	ck_assert_uint_eq(t->count, HOLD_MAX);
	ck_assert_ptr_null(hold_find(t, "n0"));
	ck_assert_ptr_null(hold_find(t, "n9"));
	ck_assert_ptr_nonnull(hold_find(t, "n10"));
	snprintf(key, sizeof(key), "n%u", HOLD_MAX + 9);
	ck_assert_ptr_nonnull(hold_find(t, key));
}
END_TEST

/* server_nick_hold folds the nick and follows nick_delay. */
START_TEST(server_nick_hold_folds)
{
	char key[32];

	server_nick_hold(srv, "Bob[x]");
	server_fold(srv, key, "BOB{X}", sizeof(key));
	ck_assert(server_nick_held(srv, key));
	srv->now += srv->cfg->nick_delay;
	ck_assert(!server_nick_held(srv, key));
	srv->cfg->nick_delay = 0;
	server_nick_hold(srv, "bob[x]");
	ck_assert(!server_nick_held(srv, key));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hold");
	TCase *tc = tcase_create("hold");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, add_find_expire);
	tcase_add_test(tc, timer_order);
	tcase_add_test(tc, renew_and_tags);
	tcase_add_test(tc, bounded);
	tcase_add_test(tc, server_nick_hold_folds);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
