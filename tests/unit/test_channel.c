/* test_channel.c - channel state (channel.h) on a real struct server from
 * server_new(config_default()), with clients made by conn_adopt() on
 * bufferevent_pair ends. Expectations from RFC 2811 (§4.1 member status,
 * §4.2 channel flags, §4.3 ban/exception/invitation masks), RFC 2812
 * §3.2.3 and Modern IRC for mask forms. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/bufferevent.h>

#include "core/channel.h"
#include "proto/mode.h"
#include "core/client.h"
#include "core/config.h"
#include "net/conn.h"
#include "core/server.h"
#include "daemon.h"

static struct server *srv;
static struct bufferevent *test_ends[16];
static int nends;

static void
setup(void)
{
	srv = server_new(config_default(), NULL);
	ck_assert_ptr_nonnull(srv);
	nends = 0;
}

static void
teardown(void)
{
	int i;

	for (i = 0; i < nends; i++)
		bufferevent_free(test_ends[i]);
	server_free(srv);
	srv = NULL;
}

/* mkclient: a client from 127.0.0.1 with nick and user set as
 * registration would. */
static struct client *
mkclient(const char *nick, const char *user)
{
	struct bufferevent *pair[2];
	struct sockaddr_in sin;
	struct client *c;

	ck_assert_int_lt(nends, 16);
	ck_assert_int_eq(bufferevent_pair_new(srv->base, 0, pair), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(50000);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c = conn_adopt(srv, pair[0], (struct sockaddr *)&sin, sizeof(sin));
	ck_assert_ptr_nonnull(c);
	test_ends[nends++] = pair[1];
	ck_assert_str_eq(c->host, "127.0.0.1");
	client_set_nick(c, nick);
	snprintf(c->user, sizeof(c->user), "%s", user);
	return c;
}

static bool
client_in(const struct client *c, const struct channel *ch)
{
	const struct membership *m;

	LIST_FOREACH(m, &c->channels, by_client)
		if (m->chan == ch)
			return true;
	return false;
}

START_TEST(new_and_find)
{
	struct channel *ch = channel_new(srv, "#Test[1]");
	unsigned before = srv->stats.channels;

	ck_assert_ptr_nonnull(ch);
	ck_assert_str_eq(ch->name, "#Test[1]");
	/* found case-insensitively under rfc1459 (RFC 2812 §2.2) */
	ck_assert_ptr_eq(server_find_channel(srv, "#test{1}"), ch);
	ck_assert_ptr_eq(server_find_channel(srv, "#TEST[1]"), ch);
	ck_assert_ptr_null(server_find_channel(srv, "#test"));
	ck_assert_uint_eq(ch->nmembers, 0);
	channel_free(srv, ch);
	ck_assert_ptr_null(server_find_channel(srv, "#test{1}"));
	ck_assert_uint_eq(srv->stats.channels, before - 1);
}
END_TEST

/* A channel cursor (LIST across loop turns) visits every channel once in
 * creation order; freeing the channel it points at moves it on to the
 * next one, two cursors on one channel both move, a stopped one is left
 * alone. */
START_TEST(cursor_survives_free)
{
	struct channel *a = channel_new(srv, "#ca"), *b = channel_new(srv, "#cb");
	struct channel *d = channel_new(srv, "#cd"), *e = channel_new(srv, "#ce");
	struct channel_cursor c1, c2, c3;
	struct channel *ch;

	/* start at the head of the map: skip what came before #ca */
	channel_cursor_start(srv, &c1);
	while ((ch = channel_cursor_take(&c1)) != a)
		ck_assert_ptr_nonnull(ch);
	channel_cursor_start(srv, &c2);
	while ((ch = channel_cursor_take(&c2)) != a)
		ck_assert_ptr_nonnull(ch);
	channel_cursor_start(srv, &c3);
	ck_assert_ptr_eq(c1.next, b);
	ck_assert_ptr_eq(c2.next, b);
	channel_free(srv, b); /* both cursors pointed at it */
	ck_assert_ptr_eq(c1.next, d);
	ck_assert_ptr_eq(c2.next, d);
	ck_assert_ptr_eq(channel_cursor_take(&c1), d);
	channel_cursor_stop(&c2);
	ck_assert_ptr_null(c2.next);
	channel_free(srv, d); /* c2 stopped: untouched */
	ck_assert_ptr_null(c2.next);
	channel_free(srv, e); /* the last one: c1 reaches the end */
	ck_assert_ptr_null(c1.next);
	ck_assert_ptr_null(channel_cursor_take(&c1));
	channel_cursor_stop(&c1); /* idempotent at the end */
	channel_cursor_stop(&c3);
	channel_free(srv, a);
}
END_TEST

START_TEST(members_both_ways)
{
	struct client *a = mkclient("alice", "~alice"), *b = mkclient("bob", "~bob");
	struct channel *ch = channel_new(srv, "#c"), *ch2 = channel_new(srv, "#d");
	struct membership *ma, *mb, *ma2;

	ma = channel_add_member(ch, a, MEMB_OP);
	mb = channel_add_member(ch, b, 0);
	ma2 = channel_add_member(ch2, a, MEMB_VOICE);
	ck_assert_uint_eq(ch->nmembers, 2);
	ck_assert_uint_eq(ch2->nmembers, 1);
	ck_assert_uint_eq(a->nchannels, 2);
	ck_assert_uint_eq(b->nchannels, 1);
	ck_assert_ptr_eq(channel_find_member(ch, a), ma);
	ck_assert_ptr_eq(channel_find_member(ch, b), mb);
	ck_assert_ptr_eq(channel_find_member(ch2, a), ma2);
	ck_assert_ptr_null(channel_find_member(ch2, b));
	ck_assert(client_in(a, ch) && client_in(a, ch2) && client_in(b, ch) && !client_in(b, ch2));
	ck_assert_ptr_eq(ma->chan, ch);
	ck_assert_ptr_eq(ma->client, a);
	ck_assert_uint_eq(ma->modes, MEMB_OP);

	channel_remove_member(srv, mb);
	ck_assert_uint_eq(ch->nmembers, 1);
	ck_assert_uint_eq(b->nchannels, 0);
	ck_assert_ptr_null(channel_find_member(ch, b));
	ck_assert(LIST_EMPTY(&b->channels));
	ck_assert_ptr_eq(server_find_channel(srv, "#c"), ch); /* still has alice */
}
END_TEST

/* A channel ceases to exist when the last member leaves (RFC 2811 §3.1). */
START_TEST(freed_when_empty)
{
	struct client *a = mkclient("alice", "~alice");
	struct channel *ch = channel_new(srv, "#gone");
	unsigned before = srv->stats.channels;
	struct membership *m = channel_add_member(ch, a, MEMB_OP);

	channel_remove_member(srv, m);
	ck_assert_ptr_null(server_find_channel(srv, "#gone"));
	ck_assert_uint_eq(srv->stats.channels, before - 1);
	ck_assert_uint_eq(a->nchannels, 0);
	ck_assert(LIST_EMPTY(&a->channels));
}
END_TEST

START_TEST(prefix_char)
{
	char b[4];

	/* the prefixes come from the mode table (proto/mode.h) */
	ck_assert_str_eq(mode_prefix_str(MEMB_OP, false, b), "@");
	ck_assert_str_eq(mode_prefix_str(MEMB_VOICE, false, b), "+");
	ck_assert_str_eq(mode_prefix_str(MEMB_OP | MEMB_VOICE, false, b), "@");
	ck_assert_str_eq(mode_prefix_str(MEMB_OP | MEMB_VOICE, true, b), "@+");
	ck_assert_str_eq(mode_prefix_str(MEMB_CREATOR | MEMB_OP, false, b), "@");
	ck_assert_str_eq(mode_prefix_str(MEMB_VOICE, true, b), "+");
	ck_assert_str_eq(mode_prefix_str(0, true, b), "");
}
END_TEST

START_TEST(modes_string)
{
	struct channel *ch = channel_new(srv, "#m");
	char buf[64];

	mode_channel_string(ch, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "+");
	ch->modes = CMODE_NOEXTERNAL | CMODE_TOPIC | CMODE_KEY | CMODE_LIMIT;
	ch->chankey = strdup("sesame");
	ch->limit = 5;
	mode_channel_string(ch, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "+klnt sesame 5");
	/* the key is only shown to members (RFC 2811 §4.2.6 / Modern IRC) */
	mode_channel_string(ch, false, buf, sizeof(buf));
	ck_assert_str_eq(buf, "+klnt");
	channel_free(srv, ch);
}
END_TEST

/* Masks in the short forms are completed to nick!user@host with '*'
 * (as every ircd and Modern IRC "Ban channel mode" describe). */
START_TEST(normalise)
{
	char out[300];

	mask_normalise("nick", out, sizeof(out));
	ck_assert_str_eq(out, "nick!*@*");
	mask_normalise("user@host", out, sizeof(out));
	ck_assert_str_eq(out, "*!user@host");
	mask_normalise("nick!user", out, sizeof(out));
	ck_assert_str_eq(out, "nick!user@*");
	mask_normalise("n!u@h", out, sizeof(out));
	ck_assert_str_eq(out, "n!u@h");
	mask_normalise("*!*@127.0.0.1", out, sizeof(out));
	ck_assert_str_eq(out, "*!*@127.0.0.1");
	mask_normalise("*", out, sizeof(out));
	ck_assert_str_eq(out, "*!*@*");
	mask_normalise("!u@h", out, sizeof(out));
	ck_assert_str_eq(out, "*!u@h");
}
END_TEST

static void
add_mask(struct channel *ch, enum mask_list_kind kind, const char *in)
{
	char mask[300];

	mask_normalise(in, mask, sizeof(mask));
	ck_assert_int_eq(channel_list_add(ch, kind, mask, "op!u@h", 1000, 100), 1);
}

/* +b matches nick!user@host; +e overrides a ban (RFC 2811 §4.3.1/4.3.2). */
START_TEST(bans_and_exceptions)
{
	struct client *a = mkclient("alice", "~alice"), *b = mkclient("Bob", "~bob");
	struct channel *ch = channel_new(srv, "#b");

	ck_assert(!channel_is_banned(ch, a));
	add_mask(ch, LIST_BAN, "alice");
	ck_assert(channel_is_banned(ch, a));
	ck_assert(!channel_is_banned(ch, b));
	/* case-insensitive: "BOB" bans Bob */
	add_mask(ch, LIST_BAN, "BOB");
	ck_assert(channel_is_banned(ch, b));
	/* an exception for alice's user@host lifts alice's ban only */
	add_mask(ch, LIST_EXCEPT, "~alice@127.0.0.1");
	ck_assert(!channel_is_banned(ch, a));
	ck_assert(channel_is_banned(ch, b));
	channel_free(srv, ch);
}
END_TEST

START_TEST(ban_host_mask)
{
	struct client *a = mkclient("alice", "~alice");
	struct channel *ch = channel_new(srv, "#h");

	add_mask(ch, LIST_BAN, "*!*@127.0.0.2");
	ck_assert(!channel_is_banned(ch, a));
	add_mask(ch, LIST_BAN, "*@127.0.0.*");
	ck_assert(channel_is_banned(ch, a));
	channel_free(srv, ch);
}
END_TEST

START_TEST(invex)
{
	struct client *a = mkclient("alice", "~alice"), *b = mkclient("bob", "~bob");
	struct channel *ch = channel_new(srv, "#i");

	ck_assert(!channel_is_invexed(ch, a));
	add_mask(ch, LIST_INVEX, "ali*");
	ck_assert(channel_is_invexed(ch, a));
	ck_assert(!channel_is_invexed(ch, b));
	channel_free(srv, ch);
}
END_TEST

/* channel_can_send: +n keeps outsiders out (RFC 2811 §4.2.5), +m lets only
 * voiced members and operators speak (§4.2.3), bans silence members that
 * have neither. */
START_TEST(can_send)
{
	struct client *op = mkclient("op", "~op"), *v = mkclient("voiced", "~v"),
		      *m = mkclient("member", "~m"), *out = mkclient("outsider", "~o");
	struct channel *ch = channel_new(srv, "#s");

	channel_add_member(ch, op, MEMB_OP);
	channel_add_member(ch, v, MEMB_VOICE);
	channel_add_member(ch, m, 0);

	ch->modes = 0;
	ck_assert(channel_can_send(ch, op));
	ck_assert(channel_can_send(ch, m));
	ck_assert(channel_can_send(ch, out)); /* -n: outsiders may send */

	ch->modes = CMODE_NOEXTERNAL;
	ck_assert(channel_can_send(ch, m));
	ck_assert(!channel_can_send(ch, out));

	ch->modes = CMODE_MODERATED;
	ck_assert(channel_can_send(ch, op));
	ck_assert(channel_can_send(ch, v));
	ck_assert(!channel_can_send(ch, m));
	ck_assert(!channel_can_send(ch, out));

	ch->modes = 0;
	add_mask(ch, LIST_BAN, "member");
	add_mask(ch, LIST_BAN, "outsider");
	add_mask(ch, LIST_BAN, "voiced");
	ck_assert(!channel_can_send(ch, m));
	ck_assert(!channel_can_send(ch, out));
	ck_assert(channel_can_send(ch, v)); /* voice overrides a ban */
	add_mask(ch, LIST_EXCEPT, "member");
	ck_assert(channel_can_send(ch, m));
}
END_TEST

/* MAXLIST=beI:N counts the three lists together; duplicates are not
 * added twice; removal frees a slot. */
START_TEST(list_max)
{
	struct channel *ch = channel_new(srv, "#l");

	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "a!*@*", "s", 1, 3), 1);
	ck_assert_int_eq(channel_list_add(ch, LIST_EXCEPT, "b!*@*", "s", 1, 3), 1);
	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "a!*@*", "s", 1, 3), 0);
	ck_assert_int_eq(channel_list_add(ch, LIST_INVEX, "c!*@*", "s", 1, 3), 1);
	ck_assert_uint_eq(ch->nlist, 3);
	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "d!*@*", "s", 1, 3), -1);
	ck_assert_uint_eq(ch->nlist, 3);
	ck_assert(channel_list_del(srv, ch, LIST_EXCEPT, "b!*@*"));
	ck_assert(!channel_list_del(srv, ch, LIST_EXCEPT, "b!*@*"));
	ck_assert(!channel_list_del(srv, ch, LIST_BAN, "c!*@*")); /* wrong list */
	ck_assert_uint_eq(ch->nlist, 2);
	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "d!*@*", "s", 1, 3), 1);
	channel_free(srv, ch);
}
END_TEST

START_TEST(list_entries)
{
	struct channel *ch = channel_new(srv, "#e");
	struct mask_entry *e;

	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "x!*@*", "op!u@h", 1234, 10), 1);
	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "y!*@*", "op!u@h", 1235, 10), 1);
	e = ch->lists[LIST_BAN];
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->mask, "x!*@*");
	ck_assert_str_eq(e->setter, "op!u@h");
	ck_assert_int_eq(e->when, 1234);
	ck_assert_ptr_nonnull(e->next);
	ck_assert_str_eq(e->next->mask, "y!*@*");
	channel_free(srv, ch);
}
END_TEST

/* Masks compare case-insensitively (RFC 2812 §2.2 applies to the nick and
 * channel parts; every ircd treats "+b Alice" and "+b alice" as one ban):
 * removing works either way, and adding the same mask in another case is
 * "already present". */
START_TEST(list_case_insensitive)
{
	struct channel *ch = channel_new(srv, "#ci");

	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "alice!*@*", "s", 1, 10), 1);
	ck_assert(channel_list_del(srv, ch, LIST_BAN, "ALICE!*@*"));
	ck_assert_uint_eq(ch->nlist, 0);
	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "nick[a]!*@*", "s", 1, 10), 1);
	ck_assert_int_eq(channel_list_add(ch, LIST_BAN, "NICK{A}!*@*", "s", 1, 10), 0);
	ck_assert_uint_eq(ch->nlist, 1);
	channel_free(srv, ch);
}
END_TEST

/* RFC 2811 §3.2.1: the channel id is 5 characters from [A-Z0-9], derived
 * from the time. */
START_TEST(safe_id)
{
	char a[6], b[6], c[6];
	int i;

	channel_safe_id(1700000000, a);
	channel_safe_id(1700000001, b);
	channel_safe_id(1700000000, c);
	ck_assert_uint_eq(strlen(a), 5);
	for (i = 0; i < 5; i++)
		ck_assert((a[i] >= 'A' && a[i] <= 'Z') || (a[i] >= '0' && a[i] <= '9'));
	ck_assert_str_ne(a, b);
	ck_assert_str_eq(a, c);
}
END_TEST

START_TEST(safe_channel_index)
{
	struct channel *ch = channel_new(srv, "!ABCDEfoo"), *found;

	HASH_FIND(hh_safe, srv->safe_channels, "foo", 3, found);
	ck_assert_ptr_eq(found, ch);
	ck_assert_ptr_eq(server_find_channel(srv, "!abcdeFOO"), ch);
	channel_free(srv, ch);
	HASH_FIND(hh_safe, srv->safe_channels, "foo", 3, found);
	ck_assert_ptr_null(found);
}
END_TEST

START_TEST(modeless)
{
	struct channel *p = channel_new(srv, "+plus"), *h = channel_new(srv, "#hash");

	ck_assert(channel_modeless(p));
	ck_assert(!channel_modeless(h));
	channel_free(srv, p);
	channel_free(srv, h);
}
END_TEST

static Suite *
channel_suite(void)
{
	Suite *s = suite_create("channel");
	TCase *tc;

	tc = tcase_create("members");
	tcase_set_timeout(tc, 5);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_and_find);
	tcase_add_test(tc, members_both_ways);
	tcase_add_test(tc, cursor_survives_free);
	tcase_add_test(tc, freed_when_empty);
	tcase_add_test(tc, prefix_char);
	tcase_add_test(tc, modes_string);
	tcase_add_test(tc, modeless);
	tcase_add_test(tc, safe_id);
	tcase_add_test(tc, safe_channel_index);
	suite_add_tcase(s, tc);

	tc = tcase_create("lists");
	tcase_set_timeout(tc, 5);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, normalise);
	tcase_add_test(tc, bans_and_exceptions);
	tcase_add_test(tc, ban_host_mask);
	tcase_add_test(tc, invex);
	tcase_add_test(tc, can_send);
	tcase_add_test(tc, list_max);
	tcase_add_test(tc, list_entries);
	tcase_add_test(tc, list_case_insensitive);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(channel_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
