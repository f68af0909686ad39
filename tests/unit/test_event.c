/* test_event.c - the typed event bus (core/event.h): subscribers run in
 * subscription order, each event has its own list, the list is bounded by
 * EVENT_MAX_SUBSCRIBERS, and an event without subscribers is a no-op. On a
 * bare registry (server_core_new): no feature is subscribed. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/config.h"
#include "core/event.h"
#include "core/server.h"

static char order[64];
static size_t norder;
static const struct event_join *seen_join;

/* One generated subscriber per SUB(n), then their table. */
/* clang-format off */
#define SUB(n) \
	static void join_##n(struct server *srv, const struct event_join *ev) \
	{ \
		(void)srv; \
		seen_join = ev; \
		order[norder++] = (char)('0' + (n)); \
	}
SUB(0) SUB(1) SUB(2) SUB(3) SUB(4) SUB(5) SUB(6) SUB(7) SUB(8)
static const event_join_fn joins[] = { join_0, join_1, join_2, join_3, join_4, join_5, join_6,
	join_7, join_8 };
/* clang-format on */

static void
on_part(struct server *srv, const struct event_part *ev)
{
	(void)srv;
	order[norder++] = ev->reason[0];
}

static void
reset(void)
{
	memset(order, 0, sizeof(order));
	norder = 0;
	seen_join = NULL;
}

START_TEST(publish_in_subscription_order)
{
	struct server *srv = server_core_new(config_default(), NULL);
	struct event_join ev = { NULL, NULL, true };

	reset();
	ck_assert_int_eq(event_subscribe_join(srv, join_2), 0);
	ck_assert_int_eq(event_subscribe_join(srv, join_0), 0);
	ck_assert_int_eq(event_subscribe_join(srv, join_1), 0);
	event_publish_join(srv, &ev);
	ck_assert_str_eq(order, "201");
	/* the subscriber gets the publisher's struct itself, not a copy */
	ck_assert_ptr_eq(seen_join, &ev);
	event_publish_join(srv, &ev);
	ck_assert_str_eq(order, "201201");
	server_core_free(srv);
}
END_TEST

START_TEST(events_are_separate)
{
	struct server *srv = server_core_new(config_default(), NULL);
	struct event_join j = { NULL, NULL, false };
	struct event_part p = { NULL, NULL, "p" };
	struct event_quit q = { NULL, "bye" };

	reset();
	ck_assert_int_eq(event_subscribe_join(srv, join_5), 0);
	ck_assert_int_eq(event_subscribe_part(srv, on_part), 0);
	event_publish_part(srv, &p);
	ck_assert_str_eq(order, "p");
	event_publish_join(srv, &j);
	ck_assert_str_eq(order, "p5");
	/* no subscriber: nothing runs */
	event_publish_quit(srv, &q);
	ck_assert_str_eq(order, "p5");
	server_core_free(srv);
}
END_TEST

START_TEST(subscriber_limit)
{
	struct server *srv = server_core_new(config_default(), NULL);
	struct event_join ev = { NULL, NULL, false };
	int i;

	reset();
	for (i = 0; i < EVENT_MAX_SUBSCRIBERS; i++)
		ck_assert_int_eq(event_subscribe_join(srv, joins[i]), 0);
	/* one more is refused, and the list is unchanged */
	ck_assert_int_eq(event_subscribe_join(srv, joins[EVENT_MAX_SUBSCRIBERS]), -1);
	event_publish_join(srv, &ev);
	ck_assert_uint_eq(norder, EVENT_MAX_SUBSCRIBERS);
	ck_assert_str_eq(order, "01234567");
	/* the other events still have room */
	ck_assert_int_eq(event_subscribe_part(srv, on_part), 0);
	server_core_free(srv);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("bus");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, publish_in_subscription_order);
	tcase_add_test(tc, events_are_separate);
	tcase_add_test(tc, subscriber_limit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
