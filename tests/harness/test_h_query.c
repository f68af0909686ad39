/* test_h_query.c - WHOIS WHO WHOWAS ISON USERHOST LUSERS MOTD VERSION TIME
 * ADMIN through the in-process harness. RFC 2812 §3.4-§3.6, §4, Modern IRC
 * "User-Based Queries" and "Server Queries and Commands". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/server.h"

#include "harness.h"

/* RFC 2812 §3.6.2: 311, 319, 312, 301, 313, 317, ending with 318. */
START_TEST(whois)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	const char *l;

	fc_send(b, "JOIN #pub");
	fc_send(b, "AWAY :afk");
	fc_clear(b);
	fc_send(a, "WHOIS bob");
	fc_expect(a, NUM("311", "alice") "bob ~?bob 127\\.0\\.0\\.1 \\* :Real bob$");
	l = fc_expect(a, NUM("319", "alice") "bob :");
	ck_assert_msg(h_regex_match(":@#pub$", l), "%s", l);
	fc_expect(a, NUM("312", "alice") "bob irc\\.test :");
	fc_expect(a, NUM("301", "alice") "bob :afk$");
	fc_expect(a, NUM("317", "alice") "bob [0-9]+ [0-9]+ :");
	fc_expect_next(a, NUM("318", "alice") "bob :");
	fc_expect_none(a, " 313 ");
	h_free(h);
}
END_TEST

/* Issue 9 item 5: TARGMAX=WHOIS:1: a duplicate nick is answered once, a
 * second distinct nick gets 407 after the first answer. */
START_TEST(whois_targmax)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	fc_new(h, "bob");
	fc_send(a, "WHOIS bob,BOB,bob");
	ck_assert_uint_eq(fc_count(a, NUM("311", "alice") "bob "), 1);
	ck_assert_uint_eq(fc_count(a, NUM("318", "alice")), 1);
	fc_expect_none(a, " 407 ");
	fc_clear(a);
	fc_send(a, "WHOIS bob,alice");
	fc_expect(a, NUM("318", "alice") "bob :");
	fc_expect_next(a, NUM("407", "alice") "alice :");
	fc_expect_none(a, " 311 alice alice ");
	h_free(h);
}
END_TEST

START_TEST(whois_unknown)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	fc_send(a, "WHOIS nobody");
	fc_expect_next(a, NUM("401", "alice") "nobody :");
	fc_expect_next(a, NUM("318", "alice") "nobody :");
	fc_send(a, "WHOIS");
	fc_expect(a, NUM("(431|461)", "alice"));
	/* WHOIS <server> <nick> */
	fc_send(a, "WHOIS irc.test alice");
	fc_expect(a, NUM("311", "alice") "alice ");
	fc_expect(a, NUM("318", "alice") "alice :");
	h_free(h);
}
END_TEST

/* The idle time grows with the clock and resets on PRIVMSG. */
START_TEST(whois_idle)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	const char *l;
	long idle = -1;

	h_advance(h, 100);
	fc_send(a, "WHOIS bob");
	l = fc_expect(a, NUM("317", "alice") "bob [0-9]+ ");
	ck_assert(sscanf(strstr(l, " bob ") + 5, "%ld", &idle) == 1);
	ck_assert_int_ge(idle, 100);
	ck_assert_int_lt(idle, 110);
	fc_send(b, "PRIVMSG alice :hi");
	fc_send(a, "WHOIS bob");
	l = fc_expect(a, NUM("317", "alice") "bob [0-9]+ ");
	ck_assert(sscanf(strstr(l, " bob ") + 5, "%ld", &idle) == 1);
	ck_assert_int_lt(idle, 10);
	h_free(h);
}
END_TEST

/* Secret channels are not shown to outsiders in WHOIS. */
START_TEST(whois_secret_channel)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(b, "JOIN #secret");
	fc_send(b, "MODE #secret +s");
	fc_send(a, "WHOIS bob");
	fc_expect_none(a, "#secret");
	fc_clear(a);
	fc_send(a, "JOIN #secret");
	fc_send(a, "WHOIS bob");
	fc_expect(a, NUM("319", "alice") "bob :@#secret$");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.6.1 WHO: "<client> <channel> <user> <host> <server> <nick>
 * <H|G>[*][@|+] :<hopcount> <realname>", then 315. */
START_TEST(who_channel)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #w");
	fc_send(b, "JOIN #w");
	fc_send(b, "AWAY :zzz");
	fc_clear(a);
	fc_send(c, "WHO #w");
	fc_expect(c,
	    NUM("352", "carol") "#w ~?alice 127\\.0\\.0\\.1 irc\\.test alice H@ :0 Real alice$");
	fc_send(c, "WHO #w");
	fc_expect(c, NUM("352", "carol") "#w ~?bob 127\\.0\\.0\\.1 irc\\.test bob G :0 Real bob$");
	fc_expect(c, NUM("315", "carol") "#w :");
	fc_clear(c);
	fc_send(c, "WHO #nochan");
	fc_expect_next(c, NUM("315", "carol") "#nochan :");
	h_free(h);
}
END_TEST

START_TEST(who_mask)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	(void)b;
	fc_send(a, "WHO bob");
	fc_expect(a,
	    NUM("352", "alice") "[^ ]+ ~?bob 127\\.0\\.0\\.1 irc\\.test bob H :0 Real bob$");
	fc_expect(a, NUM("315", "alice") "bob :");
	fc_send(a, "WHO b*");
	fc_expect(a, NUM("352", "alice") ".* bob H");
	fc_expect(a, NUM("315", "alice") "b\\* :");
	/* invisible users are not found by a mask from a stranger */
	fc_send(b, "MODE bob +i");
	fc_send(a, "WHO b*");
	fc_expect_none(a, " 352 ");
	fc_expect(a, NUM("315", "alice") "b\\* :");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.6.3 WHOWAS: 314 ... 369, or 406 then 369. */
START_TEST(whowas)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(b, "QUIT :bye");
	h_run(h);
	fc_send(a, "WHOWAS bob");
	fc_expect(a, NUM("314", "alice") "bob ~?bob 127\\.0\\.0\\.1 \\* :Real bob$");
	fc_expect(a, NUM("369", "alice") "bob :");
	fc_send(a, "WHOWAS nobody");
	fc_expect_next(a, NUM("406", "alice") "nobody :");
	fc_expect_next(a, NUM("369", "alice") "nobody :");
	fc_send(a, "WHOWAS");
	fc_expect(a, NUM("(431|461)", "alice"));
	h_free(h);
}
END_TEST

/* A NICK change also leaves the old nick in the history; with a count,
 * at most that many entries, newest first. */
START_TEST(whowas_nick_change)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(b, "NICK bob2");
	fc_send(b, "NICK bob");
	fc_send(b, "NICK bob3");
	h_run(h);
	fc_send(a, "WHOWAS bob");
	ck_assert_uint_eq(fc_count(a, NUM("314", "alice") "bob "), 2);
	fc_clear(a);
	fc_send(a, "WHOWAS bob 1");
	ck_assert_uint_eq(fc_count(a, NUM("314", "alice") "bob "), 1);
	h_free(h);
}
END_TEST

START_TEST(ison_userhost)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(b, "AWAY :x");
	fc_send(a, "ISON bob nobody ALICE");
	{
		const char *l = fc_expect(a, NUM("303", "alice") ":");
		ck_assert_msg(h_regex_match(":(bob alice|alice bob)$", l), "%s", l);
	}
	fc_send(a, "ISON nobody");
	fc_expect(a, NUM("303", "alice") ":$");
	/* RFC 2812 §4.8: nick[*]=(+|-)user@host, '-' when away */
	fc_send(a, "USERHOST bob alice");
	{
		const char *l = fc_expect(a, NUM("302", "alice") ":");
		ck_assert_msg(strstr(l, "bob=-~bob@127.0.0.1") != NULL ||
			strstr(l, "bob=-bob@127.0.0.1") != NULL,
		    "%s", l);
		ck_assert_msg(strstr(l, "alice=+") != NULL, "%s", l);
	}
	h_free(h);
}
END_TEST

START_TEST(server_queries)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	fc_send(a, "MOTD");
	fc_expect(a, NUM("375", "alice"));
	fc_expect(a, NUM("376", "alice"));
	fc_send(a, "MOTD no.such.server");
	fc_expect(a, NUM("402", "alice") "no\\.such\\.server :");
	fc_send(a, "LUSERS");
	fc_expect(a, NUM("251", "alice") ":There are 1 users and 0 invisible on 1 servers$");
	fc_expect(a, NUM("255", "alice"));
	fc_send(a, "VERSION");
	fc_expect(a, NUM("351", "alice") "[^ ]+ irc\\.test :");
	fc_send(a, "TIME");
	fc_expect(a, NUM("391", "alice") "irc\\.test ");
	fc_send(a, "ADMIN");
	fc_expect(a, NUM("256", "alice") "irc\\.test :");
	fc_expect(a, NUM("259", "alice") ":");
	fc_send(a, "INFO");
	fc_expect(a, NUM("374", "alice") ":");
	h_free(h);
}
END_TEST

/* HELP/HELPOP (Modern IRC "HELP message"): 704 with the first line, 705
 * for the rest, 706; the subject is echoed as the topic's name ("*" for
 * the index); 524 for an unknown subject; HELPOP is the same. */
START_TEST(help)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a;
	char err[256];

	cfg->help_file = strdup(EVIRCD_HELP_TXT);
	ck_assert_int_eq(config_load_help(cfg, err, sizeof(err)), 0);
	h = h_new_cfg(cfg);
	a = fc_new(h, "alice");
	fc_send(a, "HELP");
	fc_expect_next(a, NUM("704", "alice") "\\* :evircd help");
	fc_expect(a, NUM("705", "alice") "\\* :  ADMIN ");
	fc_expect(a, NUM("706", "alice") "\\* :End of /HELP$");
	fc_clear(a);
	fc_send(a, "HELP join");
	fc_expect_next(a, NUM("704", "alice") "JOIN :JOIN <channel>");
	fc_expect_next(a, NUM("705", "alice") "JOIN :Joins channels");
	fc_expect_next(a, NUM("706", "alice") "JOIN :End of /HELP$");
	fc_send(a, "HELPOP invite");
	fc_expect_next(a, NUM("704", "alice") "INVITE :INVITE <nick> <channel>");
	fc_expect(a, NUM("705", "alice") "INVITE :Without parameters");
	fc_expect_next(a, NUM("706", "alice") "INVITE :");
	fc_send(a, "HELP nosuchthing");
	fc_expect_next(a, NUM("524", "alice") "nosuchthing :No help available");
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_query");
	TCase *tc;

	tc = h_tcase(s, "whois", 10);
	tcase_add_test(tc, whois);
	tcase_add_test(tc, help);
	tcase_add_test(tc, whois_unknown);
	tcase_add_test(tc, whois_targmax);
	tcase_add_test(tc, whois_idle);
	tcase_add_test(tc, whois_secret_channel);
	tc = h_tcase(s, "who", 10);
	tcase_add_test(tc, who_channel);
	tcase_add_test(tc, who_mask);
	tc = h_tcase(s, "whowas", 10);
	tcase_add_test(tc, whowas);
	tcase_add_test(tc, whowas_nick_change);
	tc = h_tcase(s, "misc", 10);
	tcase_add_test(tc, ison_userhost);
	tcase_add_test(tc, server_queries);
	return h_run_suite(s);
}
