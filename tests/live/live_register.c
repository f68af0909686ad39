/*
 * live_register: connection registration, PASS/NICK/USER/CAP, welcome
 * burst (001-005, LUSERS, MOTD), PING/PONG, QUIT and casemapping of nicks,
 * against the real binary over loopback TCP.
 * References: RFC 2812 §3.1, §5; Modern IRC "Connection Registration",
 * "Numerics"; IRCv3 capability negotiation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livelib.h"

static const char *conf_plain = "";

/* 001-004 formats as in Modern IRC. */
START_TEST(t_welcome_burst)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice Liddell");
	cl_expect(c, SRV "001 alice :Welcome.*alice", LIVE_T);
	cl_expect(c, SRV "002 alice :Your host is irc\\.test", LIVE_T);
	cl_expect(c, SRV "003 alice :.", LIVE_T);
	cl_expect(c, SRV "004 alice irc\\.test [^ ]+ [a-zA-Z]+ [a-zA-Z]+", LIVE_T);
	cl_expect(c, SRV "005 alice ", LIVE_T);
	cl_expect(c, SRV "(376|422) alice ", LIVE_T);
}
END_TEST

/* 004 lists the user and channel modes we implement. */
START_TEST(t_welcome_004_modes)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);
	char umodes[64], cmodes[64];
	const char *l, *p;

	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	l = cl_expect(c, SRV "004 alice ", LIVE_T);
	ck_assert_msg(
	    rx_group(l, "004 alice irc\\.test [^ ]+ ([^ ]+) ([^ ]+)", 1, umodes, sizeof(umodes)),
	    "bad 004: %s", l);
	rx_group(l, "004 alice irc\\.test [^ ]+ ([^ ]+) ([^ ]+)", 2, cmodes, sizeof(cmodes));
	for (p = "iow"; *p; p++)
		ck_assert_msg(strchr(umodes, *p) != NULL, "user mode %c missing from 004: %s", *p,
		    l);
	for (p = "beIiklmnopstv"; *p; p++)
		ck_assert_msg(strchr(cmodes, *p) != NULL, "channel mode %c missing from 004: %s",
		    *p, l);
}
END_TEST

/* RPL_ISUPPORT tokens; at most 13 tokens per line (Modern IRC 005). */
START_TEST(t_isupport)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);
	char all[8192] = " ";
	const char *l;
	char tok[256];

	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	cl_expect(c, SRV "001 alice ", LIVE_T);
	for (;;) {
		char params[2048], copy[2048];
		int n = 0;
		char *p, *save = NULL;

		l = cl_expect(c, SRV "(005|251|375|422|376) alice", LIVE_T);
		if (!rx_match(l, " 005 "))
			break;
		{
			const char *b = strstr(l, " 005 alice ") + 11;
			const char *e = strstr(b, " :");

			ck_assert_msg(e != NULL && e > b && e[2] != '\0',
			    "005 must be tokens then a trailing text: %s", l);
			snprintf(params, sizeof(params), "%.*s", (int)(e - b), b);
			memcpy(copy, params, sizeof(copy));
		}
		for (p = strtok_r(params, " ", &save); p; p = strtok_r(NULL, " ", &save))
			n++;
		ck_assert_msg(n >= 1 && n <= 13, "005 line carries %d tokens (1..13 allowed): %s",
		    n, l);
		strncat(all, copy, sizeof(all) - strlen(all) - 2);
		strncat(all, " ", sizeof(all) - strlen(all) - 1);
	}
	ck_assert_msg(strstr(all, " CASEMAPPING=rfc1459 "), "tokens:%s", all);
	ck_assert_msg(strstr(all, " NETWORK=TestNet "), "tokens:%s", all);
	ck_assert_msg(strstr(all, " NICKLEN=30 "), "tokens:%s", all);
	ck_assert_msg(strstr(all, " CHANNELLEN=50 "), "tokens:%s", all);
	ck_assert_msg(strstr(all, " TOPICLEN=390 "), "tokens:%s", all);
	ck_assert_msg(strstr(all, " KICKLEN=390 "), "tokens:%s", all);
	ck_assert_msg(strstr(all, " AWAYLEN=200 "), "tokens:%s", all);
	ck_assert_msg(rx_match(all, " PREFIX=\\(ov\\)@\\+ "), "tokens:%s", all);
	ck_assert_msg(rx_group(all, " CHANTYPES=([^ ]+) ", 1, tok, sizeof(tok)),
	    "CHANTYPES missing:%s", all);
	ck_assert_msg(strchr(tok, '#') && strchr(tok, '!') && strchr(tok, '+'),
	    "CHANTYPES=%s lacks one of #!+", tok);
	ck_assert_msg(rx_group(all,
			  " CHANMODES=([^, ]*),([^, ]*),([^, ]*),"
			  "([^, ]*) ",
			  0, tok, sizeof(tok)),
	    "CHANMODES missing:%s", all);
	{
		char a[64], b[64], cc[64], d[64];
		const char *re = " CHANMODES=([^, ]*),([^, ]*),([^, ]*),([^, ]*) ";
		const char *p;

		rx_group(all, re, 1, a, sizeof(a));
		rx_group(all, re, 2, b, sizeof(b));
		rx_group(all, re, 3, cc, sizeof(cc));
		rx_group(all, re, 4, d, sizeof(d));
		for (p = "beI"; *p; p++)
			ck_assert_msg(strchr(a, *p), "CHANMODES A lacks %c: %s", *p, a);
		ck_assert_msg(strchr(b, 'k'), "CHANMODES B lacks k: %s", b);
		ck_assert_msg(strchr(cc, 'l'), "CHANMODES C lacks l: %s", cc);
		for (p = "imnpst"; *p; p++)
			ck_assert_msg(strchr(d, *p), "CHANMODES D lacks %c: %s", *p, d);
	}
}
END_TEST

/* LUSERS counts: 251 visible/invisible, 254 channels, 255 local, 265/266. */
START_TEST(t_lusers)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(b, "MODE bob +i");
	cl_expect(b, " MODE bob :?\\+i", LIVE_T);
	cl_send(a, "JOIN #one");
	cl_expect(a, SRV "366 alice #one ", LIVE_T);
	cl_send(a, "LUSERS");
	/* RFC 1459/Modern wording, or RFC 2812's "services" variant */
	cl_expect(a,
	    SRV "251 alice :There are (1 users and 1 invisible|"
		"2 users and 0 services) on 1 servers?",
	    LIVE_T);
	cl_expect(a, SRV "254 alice 1 :", LIVE_T);
	cl_expect(a, SRV "255 alice :I have 2 (clients|users)", LIVE_T);
	cl_expect(a, SRV "265 alice ", LIVE_T);
	cl_expect(a, SRV "266 alice ", LIVE_T);
}
END_TEST

/* The welcome burst includes LUSERS (Modern IRC: sent on registration). */
START_TEST(t_lusers_on_register)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	cl_expect(c, SRV "005 alice ", LIVE_T);
	cl_expect(c, SRV "251 alice :", LIVE_T);
	cl_expect(c, SRV "255 alice :", LIVE_T);
	cl_expect(c, SRV "(376|422) alice ", LIVE_T);
}
END_TEST

/* Without motd_file: either ERR_NOMOTD (422) or a complete 375/372/376
 * block, the same on registration and for MOTD. */
START_TEST(t_motd_default)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);
	int missing;
	const char *l;

	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	l = cl_expect(c, SRV "(375|422) alice :", LIVE_T);
	missing = rx_match(l, " 422 ");
	if (!missing)
		cl_expect(c, SRV "376 alice :", LIVE_T);
	cl_send(c, "MOTD");
	if (missing) {
		cl_expect(c, SRV "422 alice :", LIVE_T);
	} else {
		cl_expect(c, SRV "375 alice :- irc\\.test ", LIVE_T);
		cl_expect(c, SRV "372 alice :", LIVE_T);
		cl_expect(c, SRV "376 alice :", LIVE_T);
	}
}
END_TEST

START_TEST(t_motd_file)
{
	const char *motd = live_file("motd.txt", "Hello from the MOTD\nsecond line\n");
	char conf[512];
	struct srv *s;
	struct cl *c;

	snprintf(conf, sizeof(conf), "[server]\nmotd_file = %s\n", motd);
	s = srv_start(conf);
	c = cl_connect(s->port);
	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	cl_expect(c, SRV "375 alice :", LIVE_T);
	cl_expect(c, SRV "372 alice :.*Hello from the MOTD", LIVE_T);
	cl_expect(c, SRV "372 alice :.*second line", LIVE_T);
	cl_expect(c, SRV "376 alice :", LIVE_T);
	cl_send(c, "MOTD");
	cl_expect(c, SRV "375 alice :", LIVE_T);
	cl_expect(c, SRV "372 alice :.*Hello from the MOTD", LIVE_T);
	cl_expect(c, SRV "376 alice :", LIVE_T);
}
END_TEST

#define PASSCONF "[security]\npassword = s3cret\n"

START_TEST(t_pass_ok)
{
	struct srv *s = srv_start(PASSCONF);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "PASS s3cret");
	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	cl_expect(c, SRV "001 alice ", LIVE_T);
	/* 462 for PASS after registration */
	cl_send(c, "PASS s3cret");
	cl_expect(c, SRV "462 alice :", LIVE_T);
}
END_TEST

START_TEST(t_pass_wrong)
{
	struct srv *s = srv_start(PASSCONF);
	struct cl *c = cl_connect(s->port);

	const char *l;

	cl_send(c, "PASS wrong");
	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	l = cl_expect(c, SRV "(464|001) ", LIVE_T);
	ck_assert_msg(rx_match(l, SRV "464 (\\*|alice) :"), "wrong password accepted: %s", l);
	cl_expect(c, "^ERROR :", LIVE_T);
	cl_expect_eof(c, LIVE_T);
}
END_TEST

START_TEST(t_pass_missing)
{
	struct srv *s = srv_start(PASSCONF);
	struct cl *c = cl_connect(s->port);
	const char *l;

	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	l = cl_expect(c, SRV "(464|001) ", LIVE_T);
	ck_assert_msg(rx_match(l, " 464 "), "registered without PASS: %s", l);
	cl_expect(c, "^ERROR :", LIVE_T);
	cl_expect_eof(c, LIVE_T);
}
END_TEST

/* The password given before NICK/USER is the one that counts; a second
 * PASS before registration replaces it (RFC 2812 3.1.1 allows several). */
START_TEST(t_pass_needs_params)
{
	struct srv *s = srv_start(PASSCONF);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "PASS");
	cl_expect(c, SRV "461 \\* PASS :", LIVE_T);
}
END_TEST

START_TEST(t_cap_negotiation)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);
	const char *l;

	cl_send(c, "CAP LS 302");
	cl_expect(c, SRV "CAP \\* LS :?", LIVE_T);
	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	cl_send(c, "CAP LIST");
	l = cl_expect(c, SRV "(CAP (\\*|alice) LIST|001 )", LIVE_T);
	ck_assert_msg(rx_match(l, " LIST"), "registration completed before CAP END: %s", l);
	cl_send(c, "CAP END");
	cl_expect(c, SRV "001 alice ", LIVE_T);
	cl_expect(c, SRV "(376|422) alice ", LIVE_T);
	cl_send(c, "CAP LIST");
	cl_expect(c, SRV "CAP alice LIST :?", LIVE_T);
}
END_TEST

START_TEST(t_cap_req_unknown)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "CAP LS 302");
	cl_expect(c, SRV "CAP \\* LS", LIVE_T);
	cl_send(c, "CAP REQ :bogus-capability-xyz");
	cl_expect(c, SRV "CAP \\* NAK :bogus-capability-xyz", LIVE_T);
	cl_send(c, "CAP END");
	cl_send(c, "NICK alice");
	cl_send(c, "USER alice 0 * :Alice");
	cl_expect(c, SRV "001 alice ", LIVE_T);
	cl_send(c, "CAP REQ :another-bogus");
	cl_expect(c, SRV "CAP alice NAK :another-bogus", LIVE_T);
}
END_TEST

START_TEST(t_cap_invalid_subcommand)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_new(s, "alice");

	cl_send(c, "CAP FROB");
	cl_expect(c, SRV "410 alice FROB :", LIVE_T);
}
END_TEST

START_TEST(t_not_registered)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "JOIN #x");
	cl_expect(c, SRV "451 \\* :", LIVE_T);
	cl_send(c, "PRIVMSG foo :hi");
	cl_expect(c, SRV "451 \\* :", LIVE_T);
	cl_send(c, "WHOIS foo");
	cl_expect(c, SRV "451 \\* :", LIVE_T);
	/* still able to register afterwards */
	cl_register(c, "alice");
}
END_TEST

START_TEST(t_reregister)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_new(s, "alice");

	cl_send(c, "USER again 0 * :Again");
	cl_expect(c, SRV "462 alice :", LIVE_T);
}
END_TEST

START_TEST(t_user_needs_params)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "USER onlyone");
	cl_expect(c, SRV "461 \\* USER :", LIVE_T);
}
END_TEST

/* USER may come before NICK. */
START_TEST(t_user_then_nick)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "USER alice 0 * :Alice");
	cl_send(c, "NICK alice");
	cl_expect(c, SRV "001 alice ", LIVE_T);
}
END_TEST

START_TEST(t_nick_none)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_new(s, "alice");

	cl_send(c, "NICK");
	cl_expect(c, SRV "431 alice :", LIVE_T);
	cl_send(c, "NICK :");
	cl_expect(c, SRV "431 alice :", LIVE_T);
}
END_TEST

START_TEST(t_nick_erroneous)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_new(s, "alice");
	static const char *bad[] = { "1abc", "#x", "-abc", "a!b", "a@b", "a,b", "a*b", "a:b",
		"abcdefghijklmnopqrstuvwxyz012345" /* 32 */,
		"abcdefghijklmnopqrstuvwxyz01234" /* 31 */ };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cl_send(c, "NICK %s", bad[i]);
		cl_expectf(c, SRV "432 alice %s :", rx_esc(bad[i]));
	}
	cl_send(c, "NICK :a b");
	cl_expect(c, SRV "432 alice ", LIVE_T);
	/* nothing changed */
	cl_expect_none(c, " NICK ", LIVE_T);
	/* exactly NICKLEN (30) characters is fine */
	cl_send(c, "NICK abcdefghijklmnopqrstuvwxyz0123");
	cl_expect(c, PFX("alice") "NICK :?abcdefghijklmnopqrstuvwxyz0123$", LIVE_T);
}
END_TEST

/* 432 before registration uses "*" as the client. */
START_TEST(t_nick_erroneous_unregistered)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "NICK 9lives");
	cl_expect(c, SRV "432 \\* 9lives :", LIVE_T);
	cl_register(c, "alice");
}
END_TEST

/* 433, case-insensitively under rfc1459: [foo] and {FOO} collide. */
START_TEST(t_nick_in_use_casemap)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "[foo]\\");
	struct cl *b = cl_connect(s->port);
	struct cl *d;

	(void)a;
	cl_send(b, "NICK {FOO}|");
	cl_expect(b, SRV "433 \\* \\{FOO\\}\\| :", LIVE_T);
	cl_send(b, "NICK [FOO]\\");
	cl_expect(b, SRV "433 \\* \\[FOO\\]\\\\ :", LIVE_T);
	cl_register(b, "bar");
	d = cl_new(s, "dave");
	cl_send(d, "NICK {foo}|");
	cl_expect(d, SRV "433 dave \\{foo\\}\\| :", LIVE_T);
	cl_send(d, "NICK BAR");
	cl_expect(d, SRV "433 dave BAR :", LIVE_T);
}
END_TEST

/* NICK change is seen by the user and by channel peers; changing only the
 * case of one's own nick is allowed. */
START_TEST(t_nick_change)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *o = cl_new(s, "outsider");

	cl_send(a, "JOIN #c");
	cl_expect(a, SRV "366 alice #c ", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "366 bob #c ", LIVE_T);
	cl_send(a, "NICK alicia");
	cl_expect(a, PFX("alice") "NICK :?alicia$", LIVE_T);
	cl_expect(b, PFX("alice") "NICK :?alicia$", LIVE_T);
	cl_send(a, "NICK ALICIA");
	cl_expect(a, PFX("alicia") "NICK :?ALICIA$", LIVE_T);
	cl_expect(b, PFX("alicia") "NICK :?ALICIA$", LIVE_T);
	cl_sync(a);
	cl_expect_none(o, " NICK ", LIVE_T);
	/* the old nick is free again */
	cl_send(o, "NICK alice");
	cl_expect(o, PFX("outsider") "NICK :?alice$", LIVE_T);
}
END_TEST

START_TEST(t_ping_pong)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_new(s, "alice");

	cl_send(c, "PING token123");
	cl_expect(c, SRV "PONG irc\\.test :token123$", LIVE_T);
	cl_send(c, "PING :two words");
	cl_expect(c, SRV "PONG irc\\.test :two words$", LIVE_T);
	cl_send(c, "PING");
	cl_expect(c, SRV "409 alice :", LIVE_T);
	/* a PONG from the client is silently accepted */
	cl_send(c, "PONG :whatever");
	cl_expect_none(c, ".", LIVE_T);
}
END_TEST

START_TEST(t_quit)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(a, "JOIN #c");
	cl_expect(a, SRV "366 alice #c ", LIVE_T);
	cl_send(b, "JOIN #c");
	cl_expect(b, SRV "366 bob #c ", LIVE_T);
	cl_send(a, "QUIT :see you");
	cl_expect(a, "^ERROR :", LIVE_T);
	cl_expect_eof(a, LIVE_T);
	cl_expect(b, PFX("alice") "QUIT :Quit: see you$", LIVE_T);
}
END_TEST

/* Peers sharing several channels see the QUIT exactly once. */
START_TEST(t_quit_once)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_send(a, "JOIN #one,#two,#three");
	cl_expect(a, SRV "366 alice #three ", LIVE_T);
	cl_send(b, "JOIN #one,#two,#three");
	cl_expect(b, SRV "366 bob #three ", LIVE_T);
	cl_send(a, "QUIT :bye");
	cl_expect(b, PFX("alice") "QUIT :Quit: bye$", LIVE_T);
	cl_expect_none(b, " QUIT ", LIVE_T);
}
END_TEST

/* A connection that goes away without QUIT produces a QUIT for peers. */
START_TEST(t_disconnect_without_quit)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	struct cl *c;

	cl_send(a, "JOIN #c,#d");
	cl_expect(a, SRV "366 alice #d ", LIVE_T);
	cl_send(b, "JOIN #c,#d");
	cl_expect(b, SRV "366 bob #d ", LIVE_T);
	cl_close(a);
	cl_expect(b, PFX("alice") "QUIT :", LIVE_T);
	cl_expect_none(b, " QUIT ", LIVE_T);
	/* server still fine; nick is free */
	c = cl_new(s, "alice");
	cl_sync(c);
}
END_TEST

START_TEST(t_unknown_command)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_new(s, "alice");

	cl_send(c, "FOOBAR baz");
	cl_expect(c, SRV "421 alice FOOBAR :", LIVE_T);
	/* commands are case-insensitive */
	cl_send(c, "ping lower");
	cl_expect(c, SRV "PONG irc\\.test :lower$", LIVE_T);
}
END_TEST

/* A message prefix sent by a client is ignored (RFC 2812 2.3). */
START_TEST(t_client_prefix_ignored)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_new(s, "alice");

	cl_send(c, ":alice PING pfx");
	cl_expect(c, SRV "PONG irc\\.test :pfx$", LIVE_T);
}
END_TEST

START_TEST(t_ipv6)
{
	struct srv *s = srv_start("[listen]\naddress = ::1\n");
	struct cl *c = cl_connect_opt("::1", s->port, 0);

	cl_register(c, "alice");
	cl_sync(c);
}
END_TEST

/* A NICK change is seen exactly once by a peer sharing several channels. */
START_TEST(t_nick_change_once)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#one");
	cl_join(a, "#two");
	cl_join(b, "#one");
	cl_join(b, "#two");
	cl_send(a, "NICK alicia");
	cl_expect(b, PFX("alice") "NICK :?alicia$", LIVE_T);
	cl_expect(a, PFX("alice") "NICK :?alicia$", LIVE_T);
	cl_expect_none(a, " NICK ", LIVE_T);
	cl_expect_none(b, " NICK ", LIVE_T);
}
END_TEST

/* Several NICKs before USER: the last one is the nick registered with. */
START_TEST(t_nick_changes_before_user)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);
	struct cl *d;

	cl_send(c, "NICK first");
	cl_send(c, "NICK second");
	cl_send(c, "USER u 0 * :U");
	cl_expect(c, SRV "001 second ", LIVE_T);
	/* "first" is not held */
	d = cl_new(s, "first");
	cl_sync(d);
}
END_TEST

/* QUIT before registration: ERROR and close. */
START_TEST(t_quit_unregistered)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *c = cl_connect(s->port);

	cl_send(c, "NICK early");
	cl_send(c, "QUIT :never mind");
	cl_expect(c, "^ERROR :", LIVE_T);
	cl_expect_eof(c, LIVE_T);
}
END_TEST

/* Bytes after QUIT in the same write are not executed. */
START_TEST(t_nothing_after_quit)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");
	static const char msg[] = "QUIT :bye\r\nPRIVMSG #c :after quit\r\n"
				  "PRIVMSG bob :after quit\r\n";

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send_raw(a, msg, sizeof(msg) - 1);
	cl_expect(b, PFX("alice") "QUIT ", LIVE_T);
	cl_expect_none(b, "after quit", LIVE_T);
}
END_TEST

/* A message sent just before closing the socket is delivered, then the
 * QUIT. */
START_TEST(t_last_words_then_close)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *b = cl_new(s, "bob");

	cl_join(a, "#c");
	cl_join(b, "#c");
	cl_send(a, "PRIVMSG #c :last words");
	cl_close(a);
	cl_expect(b, PFX("alice") "PRIVMSG #c :last words$", LIVE_T);
	cl_expect(b, PFX("alice") "QUIT ", LIVE_T);
}
END_TEST

/* 253 counts connections that have not registered yet. */
START_TEST(t_lusers_unknown)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *u = cl_connect(s->port);

	cl_send(u, "NICK pending");
	cl_sync(a);
	cl_send(a, "LUSERS");
	cl_expect(a, SRV "253 alice 1 :", LIVE_T);
}
END_TEST

/* User names are cut at USERLEN (10, the ISUPPORT value). */
START_TEST(t_userlen)
{
	struct srv *s = srv_start(conf_plain);
	struct cl *a = cl_new(s, "alice");
	struct cl *c = cl_connect(s->port);
	char user[64];
	const char *l;

	cl_register_full(c, "carol", "abcdefghijklmnopqrst", "Carol");
	cl_send(a, "WHOIS carol");
	l = cl_expect(a, SRV "311 alice carol ", LIVE_T);
	ck_assert(rx_group(l, " 311 alice carol ([^ ]+) ", 1, user, sizeof(user)));
	ck_assert_msg(strlen(user) <= 10, "user name %s longer than USERLEN 10", user);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_register");
	TCase *tc = live_tcase("register", 30);

	tcase_add_test(tc, t_welcome_burst);
	tcase_add_test(tc, t_welcome_004_modes);
	tcase_add_test(tc, t_isupport);
	tcase_add_test(tc, t_lusers);
	tcase_add_test(tc, t_lusers_on_register);
	tcase_add_test(tc, t_motd_default);
	tcase_add_test(tc, t_motd_file);
	tcase_add_test(tc, t_pass_ok);
	tcase_add_test(tc, t_pass_wrong);
	tcase_add_test(tc, t_pass_missing);
	tcase_add_test(tc, t_pass_needs_params);
	tcase_add_test(tc, t_cap_negotiation);
	tcase_add_test(tc, t_cap_req_unknown);
	tcase_add_test(tc, t_cap_invalid_subcommand);
	tcase_add_test(tc, t_not_registered);
	tcase_add_test(tc, t_reregister);
	tcase_add_test(tc, t_user_needs_params);
	tcase_add_test(tc, t_user_then_nick);
	tcase_add_test(tc, t_nick_none);
	tcase_add_test(tc, t_nick_erroneous);
	tcase_add_test(tc, t_nick_erroneous_unregistered);
	tcase_add_test(tc, t_nick_in_use_casemap);
	tcase_add_test(tc, t_nick_change);
	tcase_add_test(tc, t_ping_pong);
	tcase_add_test(tc, t_quit);
	tcase_add_test(tc, t_quit_once);
	tcase_add_test(tc, t_disconnect_without_quit);
	tcase_add_test(tc, t_unknown_command);
	tcase_add_test(tc, t_client_prefix_ignored);
	tcase_add_test(tc, t_ipv6);
	tcase_add_test(tc, t_nick_change_once);
	tcase_add_test(tc, t_nick_changes_before_user);
	tcase_add_test(tc, t_quit_unregistered);
	tcase_add_test(tc, t_nothing_after_quit);
	tcase_add_test(tc, t_last_words_then_close);
	tcase_add_test(tc, t_lusers_unknown);
	tcase_add_test(tc, t_userlen);
	suite_add_tcase(s, tc);
	return live_run(s);
}
