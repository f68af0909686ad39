/* test_h_mode.c - channel and user MODE through the in-process harness.
 * RFC 2811 §4, RFC 2812 §3.1.5 and §3.2.3, Modern IRC "MODE message" and
 * "Channel Modes", ISUPPORT CHANMODES/MODES/MAXLIST/EXCEPTS/INVEX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/event.h"
#include "cmd/command.h"
#include "proto/mode.h"
#include "core/server.h"

#include "core/client.h"

#include "harness.h"

START_TEST(query_modes)
{
	struct harness *h = h_new();
	struct fc *a, *b;
	const char *l;

	h_two_in_channel(h, &a, &b, "#m");
	fc_send(a, "MODE #m");
	fc_expect(a, NUM("324", "alice") "#m \\+[a-zA-Z]*$");
	fc_send(a, "MODE #m +kl sesame 5");
	fc_expect(a, PFX("alice") "MODE #m \\+kl sesame 5$");
	fc_expect(b, PFX("alice") "MODE #m \\+kl sesame 5$");
	fc_send(b, "MODE #m");
	l = fc_expect(b, NUM("324", "bob") "#m \\+[a-zA-Z]+ ");
	ck_assert_msg(h_regex_match("#m \\+[a-z]*k[a-z]*l[a-z]* sesame 5$", l), "%s", l);
	fc_send(a, "MODE #none");
	fc_expect(a, NUM("403", "alice") "#none :");
	h_free(h);
}
END_TEST

/* RFC 2811 §4.1: +o/-o and +v/-v, seen by every member. */
START_TEST(op_voice)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#o");
	fc_send(b, "MODE #o +o bob");
	fc_expect(b, NUM("482", "bob") "#o :");
	fc_expect_none(a, "MODE");
	fc_send(a, "MODE #o +o bob");
	fc_expect(a, PFX("alice") "MODE #o \\+o bob$");
	fc_expect(b, PFX("alice") "MODE #o \\+o bob$");
	/* now bob may act as an operator */
	fc_send(b, "MODE #o -o+v alice alice");
	fc_expect(a, PFX("bob") "MODE #o -o\\+v alice alice$");
	fc_send(a, "MODE #o +o bob");
	fc_expect(a, NUM("482", "alice") "#o :");
	fc_send(b, "NAMES #o");
	{
		const char *l = fc_expect(b, NUM("353", "bob") "[=*@] #o :");
		ck_assert_msg(h_regex_match(":(@bob \\+alice|\\+alice @bob)$", l), "%s", l);
	}
	/* a target that is not on the channel, or does not exist */
	fc_new(h, "carol");
	fc_send(b, "MODE #o +o carol");
	fc_expect(b, NUM("441", "bob") "carol #o :");
	fc_send(b, "MODE #o +v nobody");
	fc_expect(b, NUM("401", "bob") "nobody :");
	h_free(h);
}
END_TEST

/* +m: only voiced members and operators speak (RFC 2811 §4.2.3). */
START_TEST(moderated)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#m");
	fc_send(a, "MODE #m +m");
	fc_expect(b, PFX("alice") "MODE #m \\+m$");
	fc_send(b, "PRIVMSG #m :can you hear me");
	fc_expect(b, NUM("404", "bob") "#m :");
	fc_expect_none(a, "can you hear me");
	fc_send(a, "PRIVMSG #m :ops can");
	fc_expect(b, PFX("alice") "PRIVMSG #m :ops can$");
	fc_send(a, "MODE #m +v bob");
	fc_send(b, "PRIVMSG #m :now I can");
	fc_expect(a, PFX("bob") "PRIVMSG #m :now I can$");
	h_free(h);
}
END_TEST

/* +C (InspIRCd/Solanum no-CTCP): CTCPs but ACTION to the channel are
 * refused with 404, operators included; NOTICE CTCPs are dropped without
 * an error; ACTION and plain text pass; 324 shows C; -C lifts it. */
START_TEST(no_ctcp)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#c");
	fc_send(a, "MODE #c +C");
	fc_expect(b, PFX("alice") "MODE #c \\+C$");
	fc_send(a, "MODE #c");
	fc_expect(a, NUM("324", "alice") "#c \\+C");
	fc_send(b, "PRIVMSG #c :\001VERSION\001");
	fc_expect(b, NUM("404", "bob") "#c :");
	fc_send(a, "PRIVMSG #c :\001PING 123\001");
	fc_expect(a, NUM("404", "alice") "#c :");
	fc_send(b, "PRIVMSG #c :\001ACTIONS\001");
	fc_expect(b, NUM("404", "bob") "#c :");
	fc_send(b, "NOTICE #c :\001VERSION x\001");
	fc_send(b, "PRIVMSG #c :\001ACTION waves\001");
	fc_expect(a, PFX("bob") "PRIVMSG #c :\001ACTION waves\001$");
	fc_send(b, "PRIVMSG #c :\001action\001");
	fc_expect(a, PFX("bob") "PRIVMSG #c :\001action\001$");
	fc_send(b, "PRIVMSG #c :plain \001VERSION\001");
	fc_expect(a, PFX("bob") "PRIVMSG #c :plain ");
	fc_expect_none(a, "VERSION\001$|PING|ACTIONS");
	ck_assert_uint_eq(fc_count(b, " 404 "), 0); /* no error for the NOTICE */
	/* a CTCP to a user is not the channel's business */
	fc_send(b, "PRIVMSG alice :\001VERSION\001");
	fc_expect(a, PFX("bob") "PRIVMSG alice :\001VERSION\001$");
	fc_send(a, "MODE #c -C");
	fc_send(b, "PRIVMSG #c :\001VERSION\001");
	fc_expect(a, PFX("bob") "PRIVMSG #c :\001VERSION\001$");
	h_free(h);
}
END_TEST

/* +n: no messages from outside (RFC 2811 §4.2.5); -n allows them. */
START_TEST(no_external)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #n");
	fc_send(a, "MODE #n +n");
	fc_send(c, "PRIVMSG #n :from outside");
	fc_expect(c, NUM("404", "carol") "#n :");
	fc_send(a, "MODE #n -n");
	fc_expect(a, PFX("alice") "MODE #n -n$");
	fc_send(c, "PRIVMSG #n :from outside");
	fc_expect(a, PFX("carol") "PRIVMSG #n :from outside$");
	h_free(h);
}
END_TEST

/* RFC 2811 §4.3.1 ban list: 367 entries then 368; Modern IRC:
 * "<client> <channel> <mask> [<who> <set-ts>]". */
START_TEST(ban_list)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#b");
	fc_send(a, "MODE #b +b");
	fc_expect_next(a, NUM("368", "alice") "#b :");
	fc_send(a, "MODE #b +b bad!*@*");
	fc_expect(a, PFX("alice") "MODE #b \\+b bad!\\*@\\*$");
	fc_expect(b, PFX("alice") "MODE #b \\+b bad!\\*@\\*$");
	/* short forms are completed: nick -> nick!*@*, user@host -> *!user@host */
	fc_send(a, "MODE #b +bb worse *@10.0.0.1");
	fc_expect(a, PFX("alice") "MODE #b \\+bb worse!\\*@\\* \\*!\\*@10\\.0\\.0\\.1$");
	/* any member may read the list */
	fc_clear(b);
	fc_send(b, "MODE #b b");
	fc_expect_next(b, NUM("367", "bob") "#b bad!\\*@\\* alice(![^ ]+)? [0-9]+$");
	fc_expect_next(b, NUM("367", "bob") "#b worse!\\*@\\* alice(![^ ]+)? [0-9]+$");
	fc_expect_next(b, NUM("367", "bob") "#b \\*!\\*@10\\.0\\.0\\.1 ");
	fc_expect_next(b, NUM("368", "bob") "#b :");
	/* removing, also case-insensitively */
	fc_send(a, "MODE #b -b BAD!*@*");
	fc_expect(a, PFX("alice") "MODE #b -b (bad|BAD)!\\*@\\*$");
	fc_send(a, "MODE #b +b");
	fc_expect_next(a, NUM("367", "alice") "#b worse!");
	/* adding the same mask twice changes nothing */
	fc_clear(a);
	fc_send(a, "MODE #b +b worse!*@*");
	fc_expect_none(a, "MODE");
	/* a non-operator cannot change it */
	fc_send(b, "MODE #b +b x");
	fc_expect(b, NUM("482", "bob") "#b :");
	h_free(h);
}
END_TEST

/* Extended bans (ISUPPORT EXTBAN=,am; InspIRCd spelling): +b m:<mask>
 * lets the user join but not speak (404), voice lifts it, +e m:<mask>
 * exempts; a:<account> bans, exempts and invites by account; unknown
 * letters, empty values and m: on +I are refused with 696. */
START_TEST(extbans)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;

	h_two_in_channel(h, &a, &b, "#x");
	c = fc_new(h, "carol");
	fc_send(c, "VERSION");
	fc_expect(c, " 005 carol .*EXTBAN=,am ");
	/* the mute: bob stays, carol may join, neither may speak */
	fc_send(a, "MODE #x +b m:bob");
	fc_expect(b, PFX("alice") "MODE #x \\+b m:bob!\\*@\\*$");
	fc_send(a, "MODE #x +b m:carol!*@*");
	fc_send(c, "JOIN #x");
	fc_expect(c, PFX("carol") "JOIN :?#x$");
	fc_send(b, "PRIVMSG #x :muted?");
	fc_expect(b, NUM("404", "bob") "#x :");
	fc_send(c, "PRIVMSG #x :me too?");
	fc_expect(c, NUM("404", "carol") "#x :");
	fc_expect_none(a, "muted\\?|me too");
	/* a mute is not a ban: bob may part and come back */
	fc_send(b, "PART #x");
	fc_send(b, "JOIN #x");
	fc_expect(b, PFX("bob") "JOIN :?#x$");
	/* voice lifts it; so does an m: exception */
	fc_send(a, "MODE #x +v bob");
	fc_send(b, "PRIVMSG #x :voiced");
	fc_expect(a, PFX("bob") "PRIVMSG #x :voiced$");
	fc_send(a, "MODE #x +e m:carol");
	fc_expect(a, PFX("alice") "MODE #x \\+e m:carol!\\*@\\*$");
	fc_send(c, "PRIVMSG #x :excepted");
	fc_expect(a, PFX("carol") "PRIVMSG #x :excepted$");
	/* a plain exception does not lift a mute (InspIRCd: only m: does) */
	fc_send(a, "MODE #x -e m:carol!*@*");
	fc_send(a, "MODE #x +e carol");
	fc_send(c, "PRIVMSG #x :plain e");
	fc_expect(c, NUM("404", "carol") "#x :");
	/* the list shows the entries as stored */
	fc_send(a, "MODE #x b");
	fc_expect(a, NUM("367", "alice") "#x m:bob!\\*@\\* ");
	fc_expect(a, NUM("367", "alice") "#x m:carol!\\*@\\* ");
	/* -b m: removes it */
	fc_send(a, "MODE #x -b m:carol");
	fc_expect(a, PFX("alice") "MODE #x -b m:carol!\\*@\\*$");
	fc_send(c, "PRIVMSG #x :free");
	fc_expect(a, PFX("carol") "PRIVMSG #x :free$");
	/* refused */
	fc_send(a, "MODE #x +b x:foo");
	fc_expect(a, NUM("696", "alice") "#x b x:foo :Invalid extended ban");
	fc_send(a, "MODE #x +b m:");
	fc_expect(a, NUM("696", "alice") "#x b m: :");
	fc_send(a, "MODE #x +I m:bob");
	fc_expect(a, NUM("696", "alice") "#x I m:bob :");
	fc_send(a, "MODE #x +b m:m:bob");
	fc_expect(a, NUM("696", "alice") "#x b m:m:bob :");
	fc_expect_none(b, "MODE #x \\+[bI] (x:|m:$|m:bob|m:m:)");
	h_free(h);
}
END_TEST

/* a:<account>: bans, exceptions and invite exceptions by account
 * (Solanum $a, InspIRCd's account extban); m:a:<account> mutes by it. */
START_TEST(extban_account)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	/* as account_login leaves it (the login itself: live_account) */
	fc_client(b)->account = strdup("Bobacct");
	fc_send(a, "JOIN #acc");
	fc_send(a, "MODE #acc +b a:bob*");
	fc_expect(a, PFX("alice") "MODE #acc \\+b a:bob\\*$");
	fc_send(b, "JOIN #acc");
	fc_expect(b, NUM("474", "bob") "#acc :");
	fc_send(c, "JOIN #acc"); /* no account: not matched */
	fc_expect(c, PFX("carol") "JOIN :?#acc$");
	fc_send(a, "MODE #acc +e a:BOBACCT"); /* casemapped */
	fc_send(b, "JOIN #acc");
	fc_expect(b, PFX("bob") "JOIN :?#acc$");
	/* invite exception by account */
	fc_send(a, "JOIN #inv");
	fc_send(a, "MODE #inv +i");
	fc_send(a, "MODE #inv +I a:bobacct");
	fc_send(c, "JOIN #inv");
	fc_expect(c, NUM("473", "carol") "#inv :");
	fc_send(b, "JOIN #inv");
	fc_expect(b, PFX("bob") "JOIN :?#inv$");
	/* a mute by account */
	fc_send(a, "MODE #inv +b m:a:bobacct");
	fc_send(b, "PRIVMSG #inv :hi");
	fc_expect(b, NUM("404", "bob") "#inv :");
	h_free(h);
}
END_TEST

/* Effects: a banned user cannot join (474) nor speak (404); an exception
 * (+e, EXCEPTS) overrides the ban (RFC 2811 §4.3.2). */
START_TEST(ban_effects)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;

	h_two_in_channel(h, &a, &b, "#b");
	c = fc_new(h, "carol");
	fc_send(a, "MODE #b -n");
	fc_send(a, "MODE #b +b bob");
	fc_expect(a, PFX("alice") "MODE #b \\+b bob!\\*@\\*$");
	/* bob is still a member but cannot speak */
	fc_send(b, "PRIVMSG #b :hello?");
	fc_expect(b, NUM("404", "bob") "#b :");
	fc_expect_none(a, "hello\\?");
	/* nor can banned outsiders of a -n channel */
	fc_send(a, "MODE #b +b carol");
	fc_send(c, "PRIVMSG #b :hi");
	fc_expect(c, NUM("404", "carol") "#b :");
	fc_send(c, "JOIN #b");
	fc_expect(c, NUM("474", "carol") "#b :");
	/* an exception lets carol in */
	fc_send(a, "MODE #b +e carol!*@*");
	fc_expect(a, PFX("alice") "MODE #b \\+e carol!\\*@\\*$");
	fc_send(c, "JOIN #b");
	fc_expect(c, PFX("carol") "JOIN :?#b$");
	fc_send(c, "PRIVMSG #b :thanks");
	fc_expect(a, PFX("carol") "PRIVMSG #b :thanks$");
	/* list queries for e: 348/349 */
	fc_send(a, "MODE #b e");
	fc_expect_next(a, NUM("348", "alice") "#b carol!\\*@\\* alice(![^ ]+)? [0-9]+$");
	fc_expect_next(a, NUM("349", "alice") "#b :");
	h_free(h);
}
END_TEST

/* +I (INVEX) lets matching users join a +i channel (RFC 2811 §4.3.3). */
START_TEST(invex_effects)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #i");
	fc_send(a, "MODE #i +i");
	fc_send(a, "MODE #i +I bob");
	fc_expect(a, PFX("alice") "MODE #i \\+I bob!\\*@\\*$");
	fc_send(b, "JOIN #i");
	fc_expect(b, PFX("bob") "JOIN :?#i$");
	fc_send(c, "JOIN #i");
	fc_expect(c, NUM("473", "carol") "#i :");
	fc_clear(a);
	fc_send(a, "MODE #i I");
	fc_expect_next(a, NUM("346", "alice") "#i bob!\\*@\\* alice(![^ ]+)? [0-9]+$");
	fc_expect_next(a, NUM("347", "alice") "#i :");
	fc_send(a, "MODE #i -I bob!*@*");
	fc_expect(a, PFX("alice") "MODE #i -I bob!\\*@\\*$");
	fc_send(a, "MODE #i I");
	fc_expect_next(a, NUM("347", "alice") "#i :");
	h_free(h);
}
END_TEST

/* MAXLIST=beI:N: one more entry gets 478 (Modern IRC ERR_BANLISTFULL). */
START_TEST(list_full)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a;

	cfg->max_list = 2;
	h = h_new_cfg(cfg);
	a = fc_new(h, "alice");
	fc_send(a, "JOIN #f");
	fc_send(a, "MODE #f +b one");
	fc_send(a, "MODE #f +e two");
	fc_clear(a);
	fc_send(a, "MODE #f +I three");
	fc_expect(a, NUM("478", "alice") "#f ");
	fc_expect_none(a, "MODE #f \\+I");
	h_free(h);
}
END_TEST

/* Key rules (RFC 2811 §4.2.6, RFC 2812 467 ERR_KEYSET, Modern IRC). */
START_TEST(key)
{
	struct harness *h = h_new();
	struct fc *a, *b;
	const char *l;

	h_two_in_channel(h, &a, &b, "#k");
	fc_send(a, "MODE #k +k");
	fc_expect(a, NUM("461", "alice") "MODE :");
	fc_send(a, "MODE #k +k sesame");
	fc_expect(b, PFX("alice") "MODE #k \\+k sesame$");
	fc_send(a, "MODE #k +k other");
	fc_expect(a, NUM("467", "alice") "#k :");
	fc_send(a, "MODE #k -k anything");
	fc_expect(b, PFX("alice") "MODE #k -k [^ ]+$");
	fc_send(a, "MODE #k");
	l = fc_expect(a, NUM("324", "alice") "#k ");
	ck_assert_msg(!h_regex_match("#k \\+[a-z]*k", l), "key still set: %s", l);
	/* -k without the key works too */
	fc_send(a, "MODE #k +k again");
	fc_send(a, "MODE #k -k");
	fc_expect(a, PFX("alice") "MODE #k -k");
	h_free(h);
}
END_TEST

START_TEST(limit)
{
	struct harness *h = h_new();
	struct fc *a, *b;
	const char *l;

	h_two_in_channel(h, &a, &b, "#l");
	fc_send(a, "MODE #l +l");
	fc_expect(a, NUM("461", "alice") "MODE :");
	fc_send(a, "MODE #l +l 2");
	fc_expect(b, PFX("alice") "MODE #l \\+l 2$");
	fc_send(a, "MODE #l +l notanumber");
	fc_expect_none(b, "notanumber");
	fc_send(a, "MODE #l -l");
	fc_expect(b, PFX("alice") "MODE #l -l$");
	fc_send(a, "MODE #l");
	l = fc_expect(a, NUM("324", "alice") "#l ");
	ck_assert_msg(!h_regex_match("#l \\+[a-z]*l", l), "limit still set: %s", l);
	h_free(h);
}
END_TEST

START_TEST(unknown_mode)
{
	struct harness *h = h_new();
	struct fc *a, *b;

	h_two_in_channel(h, &a, &b, "#u");
	fc_send(a, "MODE #u +X");
	fc_expect(a, NUM("472", "alice") "X :");
	/* the known letters of the same command still apply */
	fc_send(a, "MODE #u +Xm");
	fc_expect(a, NUM("472", "alice") "X :");
	fc_expect(b, PFX("alice") "MODE #u \\+m$");
	h_free(h);
}
END_TEST

/* Modern IRC: without privileges, 482 (RFC 2812's 442 is accepted for a
 * non-member). */
START_TEST(not_op)
{
	struct harness *h = h_new();
	struct fc *a, *b, *c;

	h_two_in_channel(h, &a, &b, "#p");
	c = fc_new(h, "carol");
	fc_send(b, "MODE #p +m");
	fc_expect(b, NUM("482", "bob") "#p :");
	fc_send(c, "MODE #p +m");
	fc_expect(c, NUM("(442|482)", "carol") "#p :");
	fc_expect_none(a, "MODE");
	/* ... but anyone may query the modes */
	fc_send(c, "MODE #p");
	fc_expect(c, NUM("324", "carol") "#p ");
	h_free(h);
}
END_TEST

/* MODES=4: at most four parameter modes per command are applied. */
START_TEST(modes_limit)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");
	const char *n[5] = { "u1", "u2", "u3", "u4", "u5" };
	const char *l;
	int i;

	for (i = 0; i < 5; i++) {
		struct fc *u = fc_new(h, n[i]);
		fc_send(u, "JOIN #many");
		if (i == 0) {
			h_run(h);
			fc_send(a, "JOIN #many");
		}
	}
	/* u1 created the channel; make alice op */
	fc_send(h->fcs[1], "MODE #many +o alice");
	fc_expect(a, PFX("u1") "MODE #many \\+o alice$");
	fc_clear(a);
	fc_send(a, "MODE #many +vvvvv u1 u2 u3 u4 u5");
	l = fc_expect(a, PFX("alice") "MODE #many \\+v+ ");
	ck_assert_msg(h_regex_match("MODE #many \\+vvvv u1 u2 u3 u4$", l), "%s", l);
	h_free(h);
}
END_TEST

/* RFC 2812 §3.1.5 user modes. */
START_TEST(user_modes)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "MODE alice");
	fc_expect(a, NUM("221", "alice") ":?\\+$");
	fc_send(a, "MODE alice +iw");
	fc_expect(a, "^:alice(![^ ]+)? MODE alice :?\\+iw$");
	fc_send(a, "MODE alice");
	fc_expect(a, NUM("221", "alice") ":?\\+iw$");
	/* +o through MODE is ignored (only OPER grants it) */
	fc_send(a, "MODE alice +o");
	fc_send(a, "MODE alice");
	fc_expect(a, NUM("221", "alice") ":?\\+iw$");
	fc_send(a, "MODE alice -w");
	fc_expect(a, "^:alice(![^ ]+)? MODE alice :?-w$");
	/* another user's modes: 502; unknown flag: 501 */
	fc_send(a, "MODE bob +i");
	fc_expect(a, NUM("502", "alice") ":");
	fc_expect_none(b, "MODE");
	fc_send(a, "MODE alice +Z");
	fc_expect(a, NUM("501", "alice") ":");
	fc_send(a, "MODE nobody");
	fc_expect(a, NUM("401", "alice") "nobody :");
	fc_send(a, "MODE");
	fc_expect(a, NUM("461", "alice") "MODE :");
	h_free(h);
}
END_TEST

/* EVENT_MODE (core/event.h): one event per MODE line members were sent,
 * with that line's changes; user modes with target set and no channel. */
static char modelog[2048];

static void
on_mode(struct server *srv, const struct event_mode *ev)
{
	size_t len = strlen(modelog);

	(void)srv;
	snprintf(modelog + len, sizeof(modelog) - len, "%s %s %s [%s];",
	    ev->source ? ev->source->nick : "-", ev->channel ? ev->channel->name : "-",
	    ev->target ? ev->target->nick : "-", ev->modes);
}

START_TEST(mode_events)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a, *b;
	char m1[241], m2[241], want[1200];

	h_config_add_oper(cfg, "admin", "s3cret", "*@127.0.0.1");
	h = h_new_cfg(cfg);
	modelog[0] = '\0';
	ck_assert_int_eq(event_subscribe_mode(h->srv, on_mode), 0);
	h_two_in_channel(h, &a, &b, "#e");
	fc_send(a, "MODE #e +mv bob");
	fc_expect(b, PFX("alice") "MODE #e \\+mv bob$");
	ck_assert_str_eq(modelog, "alice #e - [+mv bob];");
	/* two long masks: two MODE lines, two events */
	memset(m1, 'a', 240);
	memcpy(m1 + 236, "!*@*", 5);
	memset(m2, 'c', 240);
	memcpy(m2 + 236, "!*@*", 5);
	modelog[0] = '\0';
	fc_send(a, "MODE #e +bb %s %s", m1, m2);
	h_run(h);
	snprintf(want, sizeof(want), "alice #e - [+b %s];alice #e - [+b %s];", m1, m2);
	ck_assert_str_eq(modelog, want);
	/* nothing changed: no event */
	modelog[0] = '\0';
	fc_send(a, "MODE #e +m");
	fc_send(a, "MODE alice +i");
	fc_expect(a, "MODE alice :\\+i$");
	ck_assert_str_eq(modelog, "alice - alice [+i];");
	/* OPER's +o is set by the server */
	modelog[0] = '\0';
	fc_send(b, "OPER admin s3cret");
	fc_expect(b, NUM("381", "bob") ":");
	ck_assert_str_eq(modelog, "- - bob [+o];");
	/* server-set modes take the same path, with the server as source */
	{
		struct channel *ch = server_find_channel(h->srv, "#e");
		struct mode_lines ml = { .n = 0 };
		ck_assert(mode_lines_add(&ml, '-', 'v', "bob"));
		ck_assert(mode_lines_add(&ml, '+', 't', NULL));
		modelog[0] = '\0';
		mode_broadcast(h->srv, ch, NULL, &ml);
		h_run(h);
		fc_expect(b, "^:" H_SERVER " MODE #e -v\\+t bob$");
		ck_assert_str_eq(modelog, "- #e - [-v+t bob];");
	}
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_mode");
	TCase *tc;

	tc = h_tcase(s, "channel", 10);
	tcase_add_test(tc, query_modes);
	tcase_add_test(tc, op_voice);
	tcase_add_test(tc, moderated);
	tcase_add_test(tc, no_external);
	tcase_add_test(tc, no_ctcp);
	tcase_add_test(tc, extbans);
	tcase_add_test(tc, extban_account);
	tcase_add_test(tc, key);
	tcase_add_test(tc, limit);
	tcase_add_test(tc, unknown_mode);
	tcase_add_test(tc, not_op);
	tcase_add_test(tc, modes_limit);
	tc = h_tcase(s, "lists", 10);
	tcase_add_test(tc, ban_list);
	tcase_add_test(tc, ban_effects);
	tcase_add_test(tc, invex_effects);
	tcase_add_test(tc, list_full);
	tc = h_tcase(s, "user", 10);
	tcase_add_test(tc, user_modes);
	tcase_add_test(tc, mode_events);
	return h_run_suite(s);
}
