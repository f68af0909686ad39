/*
 * live_query: WHO WHOIS WHOWAS ISON USERHOST VERSION TIME ADMIN INFO STATS
 * LINKS SUMMON USERS, with their numerics.
 * References: RFC 2812 §3.4-§3.6, §4; Modern IRC numerics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livelib.h"

static const char *conf_plain = "";
static const char *conf_oper = "[oper]\nname = admin\npassword = operpass\nhost = *\n";

START_TEST(t_who_channel)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(b, "WHO #c");
	/* 352 <client> <channel> <user> <host> <server> <nick> <flags>
	 *     :<hopcount> <realname> */
	cl_expect(b,
	    SRV "352 bob #c ~?alice [^ ]+ irc\\.test alice H@ :0 "
		"Real alice$",
	    LIVE_T);
	cl_send(b, "WHO #c");
	cl_expect(b, SRV "352 bob #c ~?bob [^ ]+ irc\\.test bob H :0 Real bob$", LIVE_T);
	cl_expect(b, SRV "315 bob #c :", LIVE_T);
}
END_TEST

START_TEST(t_who_nick_and_mask)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "bert");

	(void)b;
	(void)c;
	cl_send(a, "WHO bob");
	cl_expect(a,
	    SRV "352 alice [^ ]+ ~?bob [^ ]+ irc\\.test bob H :0 "
		"Real bob$",
	    LIVE_T);
	cl_expect(a, SRV "315 alice bob :", LIVE_T);
	cl_send(a, "WHO b*");
	cl_expect_none(a, " 352 alice [^ ]+ [^ ]+ [^ ]+ [^ ]+ alice ", LIVE_T);
	cl_send(a, "WHO b*");
	cl_expect(a, SRV "352 alice .* (bob|bert) H", LIVE_T);
	cl_expect(a, SRV "352 alice .* (bob|bert) H", LIVE_T);
	cl_expect(a, SRV "315 alice b\\* :", LIVE_T);
}
END_TEST

/* Invisible users are not found by a mask unless a channel is shared;
 * WHO <mask> o lists only operators. */
START_TEST(t_who_invisible_and_opers)
{
	struct srv *s = srv_start(conf_oper);
	struct cl *a = cl_new(s, "alice");
	struct cl *i = cl_new(s, "ivy");
	struct cl *o = cl_new(s, "oscar");

	cl_send(i, "MODE ivy +i");
	cl_expect(i, " MODE ivy :?\\+i", LIVE_T);
	cl_send(a, "WHO *");
	cl_expect_none(a, " 352 alice [^ ]+ [^ ]+ [^ ]+ [^ ]+ ivy ", LIVE_T);
	/* explicit nick still answers */
	cl_send(a, "WHO ivy");
	cl_expect(a, SRV "352 alice [^ ]+ [^ ]+ [^ ]+ [^ ]+ ivy ", LIVE_T);
	/* a shared channel makes ivy visible */
	cl_join(i, "#c");
	cl_join(a, "#c");
	cl_send(a, "WHO *");
	cl_expect(a, SRV "352 alice [^ ]+ [^ ]+ [^ ]+ [^ ]+ ivy ", LIVE_T);
	cl_expect(a, SRV "315 alice ", LIVE_T);

	cl_oper(o);
	cl_send(a, "WHO * o");
	cl_expect(a, SRV "352 alice [^ ]+ [^ ]+ [^ ]+ [^ ]+ oscar H\\*", LIVE_T);
	cl_send(a, "WHO 0 o");
	cl_expect_none(a, " 352 alice [^ ]+ [^ ]+ [^ ]+ [^ ]+ (alice|ivy) ", LIVE_T);
	cl_expect(a, SRV "352 alice [^ ]+ [^ ]+ [^ ]+ [^ ]+ oscar ", LIVE_T);
	cl_expect(a, SRV "315 alice [^ ]+ :", LIVE_T);
}
END_TEST

/* Modern IRC RPL_ENDOFWHO: "<mask> MUST be the same <mask> parameter sent
 * by the client in its WHO message, but MAY be casefolded". */
START_TEST(t_who_endofwho_mask)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_send(a, "WHO 0 o");
	cl_expect(a, SRV "315 alice 0 :", LIVE_T);
	cl_send(a, "WHO Ali*");
	cl_expect(a, SRV "315 alice (Ali|ali)\\* :", LIVE_T);
}
END_TEST

START_TEST(t_who_away_flag)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(b, "AWAY :brb");
	cl_expect(b, " 306 ", LIVE_T);
	cl_send(a, "WHO bob");
	cl_expect(a, SRV "352 alice [^ ]+ [^ ]+ [^ ]+ [^ ]+ bob G ", LIVE_T);
}
END_TEST

START_TEST(t_whois)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	const char *l;
	char idle[32], signon[32];

	cl_join(b, "#c");
	cl_join(b, "#d");
	cl_send(b, "MODE #d -o bob");
	cl_sync(b);
	cl_send(a, "WHOIS bob");
	cl_expect(a, SRV "311 alice bob ~?bob [^ ]+ \\* :Real bob$", LIVE_T);
	cl_expect(a, SRV "312 alice bob irc\\.test :", LIVE_T);
	/* 319 and 317 may come in either order; check each */
	cl_send(a, "WHOIS bob");
	l = cl_expect(a, SRV "319 alice bob :", LIVE_T);
	ck_assert_msg(rx_match(l, "[: ]@#c( |$)") && rx_match(l, "[: ]#d( |$)"), "bad 319: %s", l);
	cl_send(a, "WHOIS bob");
	l = cl_expect(a, SRV "317 alice bob [0-9]+ [0-9]+ :", LIVE_T);
	rx_group(l, " 317 alice bob ([0-9]+) ([0-9]+)", 1, idle, sizeof(idle));
	rx_group(l, " 317 alice bob ([0-9]+) ([0-9]+)", 2, signon, sizeof(signon));
	ck_assert_msg(strlen(signon) >= 10, "signon not a unix time: %s", l);
	ck_assert_msg(atoi(idle) < 60, "idle too large: %s", l);
	cl_expect(a, SRV "318 alice bob :", LIVE_T);
	/* case-insensitive lookup */
	cl_send(a, "WHOIS BOB");
	cl_expect(a, SRV "311 alice bob ", LIVE_T);
}
END_TEST

START_TEST(t_whois_away_oper)
{
	struct srv *s = srv_start(conf_oper);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_oper(b);
	cl_send(b, "AWAY :out to lunch");
	cl_expect(b, " 306 ", LIVE_T);
	cl_send(a, "WHOIS bob");
	cl_expect(a, SRV "311 alice bob ", LIVE_T);
	cl_send(a, "WHOIS bob");
	cl_expect(a, SRV "301 alice bob :out to lunch$", LIVE_T);
	cl_send(a, "WHOIS bob");
	cl_expect(a, SRV "313 alice bob :", LIVE_T);
	cl_expect(a, SRV "318 alice bob :", LIVE_T);
}
END_TEST

START_TEST(t_whois_errors)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_send(a, "WHOIS nobody");
	cl_expect(a, SRV "401 alice nobody :", LIVE_T);
	cl_expect(a, SRV "318 alice nobody :", LIVE_T);
	/* RFC 2812 lists 431; a generic parameter check's 461 is tolerated */
	cl_send(a, "WHOIS");
	cl_expect(a, SRV "(431 alice :|461 alice WHOIS :)", LIVE_T);
}
END_TEST

/* Secret channels are not listed in 319 for someone outside them. */
START_TEST(t_whois_secret_channel)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(b, "#hidden");
	cl_join(b, "#shown");
	cl_send(b, "MODE #hidden +s");
	cl_expect(b, " MODE #hidden \\+s", LIVE_T);
	cl_send(a, "WHOIS bob");
	cl_expect_none(a, "#hidden", LIVE_T);
	cl_expect(a, SRV "318 alice bob ", LIVE_T);
	/* a fellow member does see it */
	cl_join(a, "#hidden");
	cl_send(a, "WHOIS bob");
	cl_expect(a, SRV "319 alice bob :.*#hidden", LIVE_T);
}
END_TEST

START_TEST(t_whowas)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");

	cl_send(b, "QUIT :leaving");
	cl_expect_eof(b, LIVE_T);
	cl_send(a, "WHOWAS bob");
	cl_expect(a, SRV "314 alice bob ~?bob [^ ]+ \\* :Real bob$", LIVE_T);
	cl_expect(a, SRV "369 alice bob :", LIVE_T);
	/* a nick change also records the old nick */
	cl_send(c, "NICK caroline");
	cl_expect(c, " NICK :?caroline$", LIVE_T);
	cl_send(a, "WHOWAS carol");
	cl_expect(a, SRV "314 alice carol ~?carol ", LIVE_T);
	cl_expect(a, SRV "369 alice carol :", LIVE_T);
	cl_send(a, "WHOWAS nobody");
	cl_expect(a, SRV "406 alice nobody :", LIVE_T);
	cl_expect(a, SRV "369 alice nobody :", LIVE_T);
	cl_send(a, "WHOWAS");
	cl_expect(a, SRV "(431|461) alice ", LIVE_T);
}
END_TEST

/* WHOWAS <nick> <count>: newest first, at most count entries. */
START_TEST(t_whowas_count)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	int i;

	for (i = 0; i < 3; i++) {
		struct cl *b = cl_connect(s->port);

		cl_register_full(b, "bob", "user", i == 0 ? "first" : i == 1 ? "second" : "third");
		cl_send(b, "QUIT");
		cl_expect_eof(b, LIVE_T);
	}
	cl_send(a, "WHOWAS bob 2");
	cl_expect(a, SRV "314 alice bob [^ ]+ [^ ]+ \\* :third$", LIVE_T);
	cl_expect(a, SRV "314 alice bob [^ ]+ [^ ]+ \\* :second$", LIVE_T);
	cl_expect_none(a, ":first$", LIVE_T);
}
END_TEST

START_TEST(t_ison)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");
	const char *l;

	(void)b;
	(void)c;
	cl_send(a, "ISON bob nobody carol");
	l = cl_expect(a, SRV "303 alice :", LIVE_T);
	ck_assert_msg(rx_match(l, "[: ]bob( |$)") && rx_match(l, "[: ]carol( |$)") &&
		!rx_match(l, "nobody"),
	    "bad 303: %s", l);
	cl_send(a, "ISON nobody");
	cl_expect(a, SRV "303 alice :?$", LIVE_T);
	cl_send(a, "ISON");
	cl_expect(a, SRV "461 alice ISON :", LIVE_T);
}
END_TEST

START_TEST(t_userhost)
{
	struct srv *s = srv_start(conf_oper);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c = cl_new(s, "carol");
	const char *l;

	cl_oper(c);
	cl_send(b, "AWAY :away");
	cl_expect(b, " 306 ", LIVE_T);
	cl_send(a, "USERHOST alice bob carol nobody");
	l = cl_expect(a, SRV "302 alice :", LIVE_T);
	ck_assert_msg(rx_match(l, "[: ]alice=\\+~?alice@[^ ]+( |$)"), "alice: %s", l);
	ck_assert_msg(rx_match(l, "[: ]bob=-~?bob@[^ ]+( |$)"), "bob: %s", l);
	ck_assert_msg(rx_match(l, "[: ]carol\\*=\\+~?carol@[^ ]+( |$)"), "carol: %s", l);
	ck_assert_msg(!rx_match(l, "nobody"), "nobody: %s", l);
	cl_send(a, "USERHOST");
	cl_expect(a, SRV "461 alice USERHOST :", LIVE_T);
}
END_TEST

START_TEST(t_server_queries)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_send(a, "VERSION");
	cl_expect(a, SRV "351 alice [^ ]+ irc\\.test( |$)", LIVE_T);
	cl_send(a, "TIME");
	cl_expect(a, SRV "391 alice irc\\.test ", LIVE_T);
	cl_send(a, "ADMIN");
	cl_expect(a, SRV "256 alice (irc\\.test )?:", LIVE_T);
	cl_expect(a, SRV "257 alice :", LIVE_T);
	cl_expect(a, SRV "258 alice :", LIVE_T);
	cl_expect(a, SRV "259 alice :.*admin@irc\\.test", LIVE_T);
	cl_send(a, "INFO");
	cl_expect(a, SRV "371 alice :", LIVE_T);
	cl_expect(a, SRV "374 alice :", LIVE_T);
	cl_send(a, "LINKS");
	cl_expect(a, SRV "364 alice [^ ]+ irc\\.test :0 ", LIVE_T);
	cl_expect(a, SRV "365 alice [^ ]+ :", LIVE_T);
	cl_send(a, "SUMMON bob");
	cl_expect(a, SRV "445 alice :", LIVE_T);
	cl_send(a, "USERS");
	cl_expect(a, SRV "446 alice :", LIVE_T);
}
END_TEST

/* Queries naming another server: 402 ERR_NOSUCHSERVER. */
START_TEST(t_server_queries_other_server)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_send(a, "VERSION irc.elsewhere");
	cl_expect(a, SRV "402 alice irc\\.elsewhere :", LIVE_T);
	cl_send(a, "TIME irc.elsewhere");
	cl_expect(a, SRV "402 alice irc\\.elsewhere :", LIVE_T);
	cl_send(a, "ADMIN irc.elsewhere");
	cl_expect(a, SRV "402 alice irc\\.elsewhere :", LIVE_T);
	/* naming ourselves works */
	cl_send(a, "VERSION irc.test");
	cl_expect(a, SRV "351 alice ", LIVE_T);
}
END_TEST

START_TEST(t_stats)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");

	cl_send(a, "STATS u");
	cl_expect(a,
	    SRV "242 alice :Server Up [0-9]+ days? [0-9]+:[0-9]{2}:"
		"[0-9]{2}",
	    LIVE_T);
	cl_expect(a, SRV "219 alice u :", LIVE_T);
	cl_send(a, "STATS m");
	cl_expect(a, SRV "219 alice m :", LIVE_T);
	cl_send(a, "STATS");
	cl_expect(a, SRV "(461 alice STATS|219 alice \\*) :", LIVE_T);
}
END_TEST

/* Invisible members of a channel are hidden from non-members in NAMES and
 * WHO (RFC 2812 3.2.5, 3.6.1); members see them. */
START_TEST(t_invisible_hidden_from_outsiders)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *i = cl_new(s, "ivy");
	struct cl *o = cl_new(s, "outsider");

	cl_send(i, "MODE ivy +i");
	cl_expect(i, " MODE ivy :?\\+i", LIVE_T);
	cl_join(a, "#pub");
	cl_join(i, "#pub");
	cl_send(o, "NAMES #pub");
	cl_expect_none(o, "ivy", LIVE_T);
	cl_send(o, "WHO #pub");
	cl_expect_none(o, " ivy ", LIVE_T);
	cl_send(a, "NAMES #pub");
	cl_expect(a, SRV "353 alice = #pub :.*ivy", LIVE_T);
	cl_send(a, "WHO #pub");
	cl_expect(a, SRV "352 alice #pub [^ ]+ [^ ]+ [^ ]+ ivy ", LIVE_T);
}
END_TEST

/* WHO on a secret channel from outside lists nobody. */
START_TEST(t_who_secret_channel)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *o = cl_new(s, "outsider");

	cl_join(a, "#sec");
	cl_send(a, "MODE #sec +s");
	cl_expect(a, " MODE #sec \\+s", LIVE_T);
	cl_send(o, "WHO #sec");
	cl_expect_none(o, " 352 ", LIVE_T);
	cl_expect(o, SRV "315 outsider #sec :", LIVE_T);
}
END_TEST

/* WHOIS 319 for someone on many long channels is split over several
 * lines; no channel is lost. */
START_TEST(t_whois_channels_split)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	char chan[64], all[8192] = " ";
	int i, guard;

	for (i = 0; i < 20; i++) {
		snprintf(chan, sizeof(chan), "#chan%02dyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", i);
		cl_join(b, chan);
	}
	cl_send(a, "WHOIS bob");
	for (guard = 0; guard < 100; guard++) {
		const char *l = cl_expect(a, SRV "(319|318) ", LIVE_T);
		const char *p;

		if (rx_match(l, " 318 "))
			break;
		p = strstr(l, " :");
		ck_assert(p != NULL);
		strncat(all, p + 2, sizeof(all) - strlen(all) - 2);
		strncat(all, " ", sizeof(all) - strlen(all) - 1);
	}
	for (i = 0; i < 20; i++) {
		char re[80];

		snprintf(re, sizeof(re), " @?#chan%02dy+ ", i);
		ck_assert_msg(rx_match(all, re), "#chan%02d missing from 319", i);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_query");
	TCase *tc = live_tcase("query", 30);

	tcase_add_test(tc, t_who_channel);
	tcase_add_test(tc, t_who_nick_and_mask);
	tcase_add_test(tc, t_who_invisible_and_opers);
	tcase_add_test(tc, t_who_endofwho_mask);
	tcase_add_test(tc, t_who_away_flag);
	tcase_add_test(tc, t_whois);
	tcase_add_test(tc, t_whois_away_oper);
	tcase_add_test(tc, t_whois_errors);
	tcase_add_test(tc, t_whois_secret_channel);
	tcase_add_test(tc, t_whowas);
	tcase_add_test(tc, t_whowas_count);
	tcase_add_test(tc, t_ison);
	tcase_add_test(tc, t_userhost);
	tcase_add_test(tc, t_server_queries);
	tcase_add_test(tc, t_server_queries_other_server);
	tcase_add_test(tc, t_stats);
	tcase_add_test(tc, t_invisible_hidden_from_outsiders);
	tcase_add_test(tc, t_who_secret_channel);
	tcase_add_test(tc, t_whois_channels_split);
	suite_add_tcase(s, tc);
	return live_run(s);
}
