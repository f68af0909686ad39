/* test_h_event.c - the commands publish their state changes on the event
 * bus (core/event.h): a test subscriber records every event with its
 * fields while real commands run through the in-process harness. The
 * MONITOR and WHOWAS subscribers (wired by server_new) keep working
 * beside it: their own suites (h_query, ircv3_live) cover their output. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/event.h"
#include "core/server.h"

#include "harness.h"

static char evlog[4096];

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
logf_(const char *fmt, ...)
{
	size_t len = strlen(evlog);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(evlog + len, sizeof(evlog) - len, fmt, ap);
	va_end(ap);
}

static void
on_registered(struct server *srv, const struct event_registered *ev)
{
	logf_("reg %s;", ev->client->nick);
}

static void
on_nick(struct server *srv, const struct event_nick *ev)
{
	logf_("nick %s>%s;", ev->old_nick, ev->client->nick);
}

static void
on_join(struct server *srv, const struct event_join *ev)
{
	logf_("join %s %s%s;", ev->client->nick, ev->channel->name, ev->created ? " new" : "");
}

static void
on_part(struct server *srv, const struct event_part *ev)
{
	/* published before the membership goes */
	ck_assert_ptr_nonnull(channel_find_member(ev->channel, ev->client));
	logf_("part %s %s %s;", ev->client->nick, ev->channel->name, ev->reason ? ev->reason : "-");
}

static void
on_kick(struct server *srv, const struct event_kick *ev)
{
	ck_assert_ptr_nonnull(channel_find_member(ev->channel, ev->target));
	logf_("kick %s %s %s %s;", ev->source->nick, ev->channel->name, ev->target->nick,
	    ev->reason);
}

static void
on_quit(struct server *srv, const struct event_quit *ev)
{
	logf_("quit %s %s%s;", ev->client->nick, ev->reason,
	    LIST_EMPTY(&ev->client->channels) ? "" : " inchan");
}

static void
on_topic(struct server *srv, const struct event_topic *ev)
{
	logf_("topic %s %s %s;", ev->source->nick, ev->channel->name, ev->topic);
}

static void
on_message(struct server *srv, const struct event_message *ev)
{
	logf_("msg %s %s %s %s %s %s%s;", ev->source->nick, ev->verb,
	    ev->channel ? ev->channel->name : ev->target->nick,
	    ev->status == 0		? "all"
		: ev->status == MEMB_OP ? "ops"
					: "?",
	    ev->text, strncmp(ev->tags, "msgid=", 6) == 0 ? "tags" : "notags",
	    ev->msgid != NULL && strstr(ev->tags, ev->msgid) != NULL ? "+id" : "");
}

static void
on_mode(struct server *srv, const struct event_mode *ev)
{
	logf_("mode %s %s %s;", ev->source ? ev->source->nick : "-",
	    ev->channel ? ev->channel->name : ev->target->nick, ev->modes);
}

/* on_channel_new: what ChanServ does with a registered channel, by hand:
 * "#kept" comes back +k with a ban on "banned", and its creator gets no
 * status unless the nick is "boss" (access). */
static void
on_channel_new(struct server *srv, const struct event_channel_new *ev)
{
	(void)srv;
	ck_assert_ptr_null(channel_find_member(ev->channel, ev->creator)); /* not a member yet */
	ck_assert_int_eq(*ev->creator_modes, MEMB_OP);
	logf_("new %s %s;", ev->creator->nick, ev->channel->name);
	if (strcmp(ev->channel->name, "#kept") != 0)
		return;
	ev->channel->chankey = strdup("sesame");
	ev->channel->modes |= CMODE_KEY;
	channel_list_add(ev->channel, LIST_BAN, "banned!*@*", "test", 1, 100);
	*ev->creator_modes = strcmp(ev->creator->nick, "boss") == 0 ? MEMB_OP : 0;
}

static struct harness *
h_events(void)
{
	struct harness *h = h_new();

	evlog[0] = '\0';
	ck_assert_int_eq(event_subscribe_registered(h->srv, on_registered), 0);
	ck_assert_int_eq(event_subscribe_nick(h->srv, on_nick), 0);
	ck_assert_int_eq(event_subscribe_join(h->srv, on_join), 0);
	ck_assert_int_eq(event_subscribe_part(h->srv, on_part), 0);
	ck_assert_int_eq(event_subscribe_kick(h->srv, on_kick), 0);
	ck_assert_int_eq(event_subscribe_quit(h->srv, on_quit), 0);
	ck_assert_int_eq(event_subscribe_topic(h->srv, on_topic), 0);
	ck_assert_int_eq(event_subscribe_message(h->srv, on_message), 0);
	ck_assert_int_eq(event_subscribe_mode(h->srv, on_mode), 0);
	return h;
}

START_TEST(registration_nick_quit)
{
	struct harness *h = h_events();
	struct fc *u = fc_connect(h, "u");

	fc_send(u, "NICK first");
	fc_send(u, "NICK second"); /* before registration: no event */
	ck_assert_str_eq(evlog, "");
	fc_send(u, "USER u 0 * :U");
	fc_expect(u, NUM("001", "second"));
	ck_assert_str_eq(evlog, "reg second;");
	fc_send(u, "NICK third");
	fc_send(u, "NICK third"); /* no change: no event */
	ck_assert_str_eq(evlog, "reg second;nick second>third;");
	fc_send(u, "JOIN #q");
	evlog[0] = '\0';
	fc_send(u, "QUIT :gone now");
	ck_assert_str_eq(evlog, "quit third Quit: gone now inchan;");
	h_free(h);
}
END_TEST

START_TEST(channel_events)
{
	struct harness *h = h_events();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	evlog[0] = '\0';
	fc_send(a, "JOIN #c");
	fc_send(b, "JOIN #c,#d");
	ck_assert_str_eq(evlog, "join alice #c new;join bob #c;join bob #d new;");
	evlog[0] = '\0';
	fc_send(a, "TOPIC #c :hello");
	fc_send(a, "TOPIC #c :hello"); /* unchanged: silent, no event */
	fc_send(a, "TOPIC #c :");
	ck_assert_str_eq(evlog, "topic alice #c hello;topic alice #c ;");
	evlog[0] = '\0';
	fc_send(b, "PART #d :later");
	fc_send(a, "KICK #c bob :out");
	ck_assert_str_eq(evlog, "part bob #d later;kick alice #c bob out;");
	evlog[0] = '\0';
	fc_send(b, "JOIN #c,#e");
	fc_send(b, "JOIN 0");
	ck_assert(strstr(evlog, "part bob #c -;") != NULL);
	ck_assert(strstr(evlog, "part bob #e -;") != NULL);
	h_free(h);
}
END_TEST

/* EVENT_CHANNEL_NEW comes before the JOIN checks, which then apply to
 * the creator unless the subscriber made it an op; a refused JOIN leaves
 * no channel behind. */
START_TEST(channel_new_event)
{
	struct harness *h = h_events();
	struct fc *a = fc_new(h, "alice"), *x = fc_new(h, "banned"), *o = fc_new(h, "boss");

	ck_assert_int_eq(event_subscribe_channel_new(h->srv, on_channel_new), 0);
	evlog[0] = '\0';
	fc_send(a, "JOIN #plain");
	fc_expect(a, NUM("353", "alice") "= #plain :@alice");
	fc_send(a, "JOIN #kept");
	fc_expect(a, NUM("475", "alice") "#kept ");
	ck_assert_ptr_null(server_find_channel(h->srv, "#kept"));
	fc_send(x, "JOIN #kept sesame");
	fc_expect(x, NUM("474", "banned") "#kept ");
	ck_assert_ptr_null(server_find_channel(h->srv, "#kept"));
	ck_assert_str_eq(evlog,
	    "new alice #plain;join alice #plain new;new alice #kept;new banned #kept;");
	fc_send(a, "JOIN #kept sesame");
	fc_expect(a, NUM("353", "alice") "= #kept :alice");
	fc_send(a, "PART #kept");
	fc_send(o, "JOIN #kept"); /* an op by the subscriber passes key and bans */
	fc_expect(o, NUM("353", "boss") "= #kept :@boss");
	h_free(h);
}
END_TEST

START_TEST(message_events)
{
	struct harness *h = h_events();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #c");
	fc_send(b, "JOIN #c");
	evlog[0] = '\0';
	fc_send(a, "PRIVMSG #c,bob :hi");
	fc_send(a, "NOTICE @#c :ops");
	fc_send(a, "PRIVMSG nobody :lost"); /* not delivered: no event */
	ck_assert_str_eq(evlog,
	    "msg alice PRIVMSG #c all hi tags+id;"
	    "msg alice PRIVMSG bob all hi tags+id;msg alice NOTICE #c ops ops tags+id;");
	h_free(h);
}
END_TEST

START_TEST(mode_events)
{
	struct harness *h = h_events();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #m");
	fc_send(b, "JOIN #m");
	evlog[0] = '\0';
	fc_send(a, "MODE #m +o-t bob");
	fc_send(a, "MODE #m +n"); /* already set: no change, no event */
	fc_send(b, "MODE alice +i"); /* refused: no event */
	fc_send(a, "MODE alice +i");
	ck_assert_str_eq(evlog, "mode alice #m +o-t bob;mode alice alice +i;");
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_event");
	TCase *tc;

	tc = h_tcase(s, "publish", 10);
	tcase_add_test(tc, registration_nick_quit);
	tcase_add_test(tc, channel_events);
	tcase_add_test(tc, channel_new_event);
	tcase_add_test(tc, message_events);
	tcase_add_test(tc, mode_events);
	return h_run_suite(s);
}
