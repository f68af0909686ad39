/* test_h_register.c - connection registration, NICK, QUIT, PASS, CAP, PING
 * and the liveness/registration timers, through the in-process harness.
 * RFC 2812 §3.1 and §5, Modern IRC "Connection Registration" and
 * "Numerics", IRCv3 capability negotiation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "core/config.h"
#include "core/server.h"

#include "harness.h"

/* Modern IRC: 001-004 come first and in order, then at least one 005;
 * LUSERS replies and the MOTD (375, 372..., 376) follow. */
START_TEST(welcome_burst)
{
	struct harness *h = h_new();
	struct fc *a = fc_connect(h, "alice");
	const char *l;
	int n005 = 0;
	char tokens[4096] = "";

	fc_send(a, "NICK alice");
	fc_send(a, "USER alice 0 * :Alice Liddell");
	fc_expect_next(a,
	    NUM("001", "alice") ":Welcome to the evircd Network, alice(![^ @]+@127\\.0\\.0\\.1)?$");
	fc_expect_next(a, NUM("002", "alice") ":Your host is irc\\.test, running version [^ ]+$");
	fc_expect_next(a, NUM("003", "alice") ":This server was created .+$");
	l = fc_expect_next(a,
	    NUM("004", "alice") "irc\\.test [^ ]+ [a-zA-Z]+ [a-zA-Z]+( [a-zA-Z]+)?$");
	/* words 6 and 7: user modes (i, o, w) and channel modes (RFC 2811) */
	{
		char umodes[64], cmodes[64];
		const char *p;
		ck_assert(sscanf(l, "%*s %*s %*s %*s %*s %63s %63s", umodes, cmodes) == 2);
		for (p = "iow"; *p; p++)
			ck_assert_msg(strchr(umodes, *p) != NULL, "004 user modes '%s' lack %c",
			    umodes, *p);
		for (p = "beIiklmnopstv"; *p; p++)
			ck_assert_msg(strchr(cmodes, *p) != NULL, "004 channel modes '%s' lack %c",
			    cmodes, *p);
	}
	while (fc_count(a, "^:irc\\.test 005 ") > 0) {
		l = fc_expect_next(a,
		    NUM("005", "alice") "([^ :][^ ]* )+:are supported by this server$");
		{
			/* RFC 2812 §2.3.1: at most 15 parameters, so at most 13
			 * tokens besides the nick and the trailing text */
			int words = 0;
			const char *p;
			for (p = strstr(l, " alice ") + 7; *p != ':' && *p != '\0'; p++)
				if (*p == ' ')
					words++;
			ck_assert_msg(words <= 13, "%d tokens in '%s'", words, l);
		}
		strncat(tokens, l, sizeof(tokens) - strlen(tokens) - 1);
		strncat(tokens, " ", sizeof(tokens) - strlen(tokens) - 1);
		n005++;
	}
	ck_assert_int_ge(n005, 1);
	ck_assert_msg(strstr(tokens, " CASEMAPPING=rfc1459 ") != NULL, "%s", tokens);
	ck_assert_msg(strstr(tokens, " NICKLEN=30 ") != NULL, "%s", tokens);
	ck_assert_msg(strstr(tokens, " CHANNELLEN=50 ") != NULL, "%s", tokens);
	ck_assert_msg(strstr(tokens, " NETWORK=evircd ") != NULL, "%s", tokens);
	ck_assert_msg(strstr(tokens, " PREFIX=(ov)@+ ") != NULL, "%s", tokens);
	ck_assert_msg(h_regex_match(" CHANTYPES=[^ ]*#", tokens), "%s", tokens);
	ck_assert_msg(h_regex_match(" CHANMODES=[^ ]*b[^ ]*,", tokens), "%s", tokens);
	/* LUSERS: one user, nobody invisible, one server (this one) */
	fc_expect(a, NUM("251", "alice") ":There are 1 users and 0 invisible on 1 servers$");
	fc_expect(a, NUM("255", "alice") ":I have 1 clients and 0 servers$");
	fc_expect(a, NUM("375", "alice") ":- irc\\.test Message of the day - ?$");
	fc_expect_next(a, NUM("372", "alice") ":- ");
	while (fc_count(a, "^:irc\\.test 372 ") > 0)
		fc_expect_next(a, NUM("372", "alice") ":- ");
	fc_expect_next(a, NUM("376", "alice") ":End of /?MOTD command\\.?$");
	h_free(h);
}
END_TEST

/* Without a MOTD, 422 ends the burst (Modern IRC "MOTD message"). */
START_TEST(burst_no_motd)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *b;
	size_t i;

	for (i = 0; i < cfg->motd_count; i++)
		free(cfg->motd[i]);
	free(cfg->motd);
	cfg->motd = NULL;
	cfg->motd_count = 0;
	h = h_new_cfg(cfg);
	b = fc_connect(h, "bob");
	fc_send(b, "NICK bob");
	fc_send(b, "USER bob 0 * :Bob");
	fc_expect(b, NUM("001", "bob"));
	fc_expect(b, NUM("422", "bob") ":");
	fc_expect_none(b, " 37[256] ");
	h_free(h);
}
END_TEST

START_TEST(user_before_nick)
{
	struct harness *h = h_new();
	struct fc *a = fc_connect(h, "alice");

	fc_send(a, "USER alice 0 * :Alice");
	fc_expect_none(a, " 001 ");
	fc_send(a, "NICK alice");
	fc_expect(a, NUM("001", "alice"));
	h_free(h);
}
END_TEST

/* A second client sees LUSERS count both. */
START_TEST(lusers_counts)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");
	struct fc *b = fc_connect(h, "bob");

	(void)a;
	fc_send(b, "NICK bob");
	fc_send(b, "USER bob 8 * :Bob"); /* mode 8: +i (RFC 2812 §3.1.3) */
	fc_expect(b, NUM("251", "bob") ":There are 1 users and 1 invisible on 1 servers$");
	fc_expect(b, NUM("255", "bob") ":I have 2 clients and 0 servers$");
	fc_expect(b, "^:bob MODE bob :\\+i$|^:[^ ]+ MODE bob :?\\+i$");
	h_free(h);
}
END_TEST

/* Modern IRC: ERR_NOTREGISTERED (451) for anything but the registration
 * commands; the target is "*" while there is no nick. */
START_TEST(not_registered)
{
	struct harness *h = h_new();
	struct fc *a = fc_connect(h, "anon");

	fc_send(a, "JOIN #a");
	fc_expect(a, SRV "451 \\* :");
	fc_send(a, "PRIVMSG x :y");
	fc_expect(a, SRV "451 \\* :");
	fc_send(a, "PING :still-here");
	fc_expect(a, SRV "PONG irc\\.test :still-here$");
	ck_assert_uint_eq(fc_pending(a), 0);
	h_free(h);
}
END_TEST

START_TEST(user_errors)
{
	struct harness *h = h_new();
	struct fc *a = fc_connect(h, "alice");

	fc_send(a, "USER alice 0 *");
	fc_expect(a, SRV "461 [^ ]+ USER :");
	fc_send(a, "NICK alice");
	fc_send(a, "USER alice 0 * :Alice");
	fc_expect(a, NUM("001", "alice"));
	fc_clear(a);
	fc_send(a, "USER alice 0 * :Again");
	fc_expect(a, NUM("462", "alice") ":");
	h_free(h);
}
END_TEST

START_TEST(nick_errors)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");
	struct fc *b = fc_connect(h, "anon");
	char longnick[40];

	fc_send(b, "NICK");
	fc_expect(b, SRV "431 \\* :");
	fc_send(b, "NICK :");
	fc_expect(b, SRV "431 \\* :");
	fc_send(b, "NICK 1abc");
	fc_expect(b, SRV "432 \\* 1abc :");
	fc_send(b, "NICK -abc");
	fc_expect(b, SRV "432 \\* -abc :");
	fc_send(b, "NICK a.b");
	fc_expect(b, SRV "432 \\* a\\.b :");
	memset(longnick, 'n', 31); /* NICKLEN=30 */
	longnick[31] = '\0';
	fc_send(b, "NICK %s", longnick);
	fc_expect(b, SRV "432 \\* n+ :");
	/* in use, compared case-insensitively (rfc1459) */
	fc_send(b, "NICK ALICE");
	fc_expect(b, SRV "433 \\* ALICE :");
	fc_send(b, "NICK bob[x]");
	fc_send(b, "USER bob 0 * :Bob");
	fc_expect(b, NUM("001", "bob\\[x\\]"));
	fc_clear(a);
	fc_send(a, "NICK BOB{X}");
	fc_expect(a, NUM("433", "alice") "BOB\\{X\\} :");
	/* a nick of exactly NICKLEN is fine */
	longnick[30] = '\0';
	fc_send(a, "NICK %s", longnick);
	fc_expect(a, PFX("alice") "NICK :?n{30}$");
	h_free(h);
}
END_TEST

/* Changing only the case of one's own nick is allowed. */
START_TEST(nick_case_change)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	fc_send(a, "NICK Alice");
	fc_expect(a, PFX("alice") "NICK :?Alice$");
	fc_send(a, "WHOIS alice");
	fc_expect(a, NUM("311", "Alice") "Alice ");
	h_free(h);
}
END_TEST

/* RFC 2812 §3.1.2: every user sharing a channel sees the NICK change,
 * once, however many channels they share. */
START_TEST(nick_change_once)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #one,#two");
	fc_send(b, "JOIN #one,#two");
	fc_send(c, "JOIN #three");
	fc_clear(a);
	fc_clear(b);
	fc_clear(c);
	fc_send(a, "NICK alice2");
	h_run(h);
	ck_assert_uint_eq(fc_count(b, PFX("alice") "NICK :?alice2$"), 1);
	ck_assert_uint_eq(fc_count(a, PFX("alice") "NICK :?alice2$"), 1);
	ck_assert_uint_eq(fc_count(c, "NICK"), 0);
	fc_clear(b);
	fc_send(b, "PRIVMSG alice2 :hi");
	fc_expect(a, PFX("bob") "PRIVMSG alice2 :hi$");
	fc_send(b, "PRIVMSG alice :hi");
	fc_expect(b, NUM("401", "bob") "alice :");
	/* the old nick is free again */
	fc_send(c, "NICK alice");
	fc_expect(c, PFX("carol") "NICK :?alice$");
	h_free(h);
}
END_TEST

/* A NICK change with no channels reaches only the user. */
START_TEST(nick_change_no_channels)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "NICK zed");
	fc_expect(a, PFX("alice") "NICK :?zed$");
	fc_expect_none(b, "NICK");
	h_free(h);
}
END_TEST

/* QUIT: peers see it once, the quitter gets ERROR and is closed (Modern
 * IRC "QUIT message"). */
START_TEST(quit_once)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob"), *c = fc_new(h, "carol");

	fc_send(a, "JOIN #one,#two");
	fc_send(b, "JOIN #one,#two");
	fc_send(c, "JOIN #three");
	fc_clear(a);
	fc_clear(b);
	fc_clear(c);
	fc_send(a, "QUIT :bye now");
	h_run(h);
	ck_assert_uint_eq(fc_count(b, PFX("alice") "QUIT :(Quit: )?bye now$"), 1);
	ck_assert_uint_eq(fc_count(b, "QUIT"), 1);
	ck_assert_uint_eq(fc_count(c, "QUIT"), 0);
	fc_expect(a, "^ERROR :");
	ck_assert(fc_gone(a));
	/* the nick is free, and bob is alone in both channels */
	fc_clear(b);
	fc_send(b, "NAMES #one");
	fc_expect(b, NUM("353", "bob") "[=*@] #one :@?bob$");
	{
		struct fc *d = fc_new(h, "alice");
		(void)d;
	}
	ck_assert_uint_eq(h->srv->stats.users, 3);
	h_free(h);
}
END_TEST

/* A dropped connection (EOF) is a QUIT for the peers, exactly once. */
START_TEST(eof_quit)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");

	fc_send(a, "JOIN #one,#two");
	fc_send(b, "JOIN #one,#two");
	fc_clear(a);
	fc_hangup(b);
	h_run(h);
	ck_assert_uint_eq(fc_count(a, PFX("bob") "QUIT :"), 1);
	ck_assert(fc_gone(b));
	ck_assert_ptr_null(fc_client(b));
	ck_assert_uint_eq(h->srv->stats.users, 1);
	h_free(h);
}
END_TEST

START_TEST(quit_unregistered)
{
	struct harness *h = h_new();
	struct fc *a = fc_connect(h, "anon");

	fc_send(a, "QUIT");
	fc_expect(a, "^ERROR :");
	ck_assert(fc_gone(a));
	ck_assert_uint_eq(h->srv->stats.unknown, 0);
	h_free(h);
}
END_TEST

static struct harness *
h_with_password(void)
{
	struct config *cfg = h_config();

	cfg->password = strdup("letmein");
	return h_new_cfg(cfg);
}

/* Modern IRC "PASS message": a wrong or missing password gets 464 and the
 * connection is closed; PASS after registration gets 462. */
START_TEST(pass_required)
{
	struct harness *h = h_with_password();
	struct fc *ok = fc_connect(h, "ok"), *bad = fc_connect(h, "bad"),
		  *none = fc_connect(h, "none");

	fc_send(ok, "PASS letmein");
	fc_send(ok, "NICK ok");
	fc_send(ok, "USER ok 0 * :Ok");
	fc_expect(ok, NUM("001", "ok"));
	fc_send(ok, "PASS letmein");
	fc_expect(ok, NUM("462", "ok"));

	fc_send(bad, "PASS wrong");
	fc_send(bad, "NICK bad");
	fc_send(bad, "USER bad 0 * :Bad");
	fc_expect(bad, SRV "464 ");
	fc_expect(bad, "^ERROR :");
	fc_expect_none(bad, " 001 ");
	ck_assert(fc_gone(bad));

	fc_send(none, "NICK none");
	fc_send(none, "USER none 0 * :None");
	fc_expect(none, SRV "464 ");
	fc_expect(none, "^ERROR :");
	fc_expect_none(none, " 001 ");
	ck_assert(fc_gone(none));
	h_free(h);
}
END_TEST

/* IRCv3 capability negotiation: CAP LS suspends registration until CAP END. */
START_TEST(cap_holds_registration)
{
	struct harness *h = h_new();
	struct fc *a = fc_connect(h, "alice");

	fc_send(a, "CAP LS 302");
	fc_expect(a, SRV "CAP \\* LS :");
	fc_send(a, "NICK alice");
	fc_send(a, "USER alice 0 * :Alice");
	fc_expect_none(a, " 001 ");
	fc_send(a, "CAP REQ :unknown-cap");
	fc_expect(a, SRV "CAP alice NAK :unknown-cap$");
	fc_send(a, "CAP END");
	fc_expect(a, NUM("001", "alice"));
	h_free(h);
}
END_TEST

START_TEST(ping_pong)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");

	fc_send(a, "PING :tok en");
	fc_expect(a, SRV "PONG irc\\.test :tok en$");
	fc_send(a, "PING abc");
	fc_expect(a, SRV "PONG irc\\.test :?abc$");
	fc_send(a, "PING");
	fc_expect(a, NUM("(409|461)", "alice"));
	h_free(h);
}
END_TEST

START_TEST(unknown_command)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *u = fc_connect(h, "anon");

	fc_send(a, "FOOBAR x y");
	fc_expect(a, NUM("421", "alice") "FOOBAR :");
	fc_send(a, "foobar");
	fc_expect(a, NUM("421", "alice") "FOOBAR :");
	fc_send(u, "FOOBAR");
	fc_expect(u, SRV "(421|451) \\* ");
	h_free(h);
}
END_TEST

/* Registration timeout, by firing the per-client timer directly (see the
 * clock note in harness.h). */
START_TEST(registration_timeout_direct)
{
	struct harness *h = h_new();
	struct fc *a = fc_connect(h, "anon"), *b = fc_new(h, "bob");
	struct client *c = fc_client(a);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->timer_kind, TIMER_REGISTRATION);
	h_advance(h, (long)h->srv->cfg->registration_timeout);
	fc_fire_timer(a);
	fc_expect(a, "^ERROR :.*[Rr]egistration");
	ck_assert(fc_gone(a));
	/* a registered client is not affected */
	ck_assert_ptr_nonnull(fc_client(b));
	h_free(h);
}
END_TEST

/* The same with the real libevent timer: registration_timeout = 1 s. */
START_TEST(registration_timeout_real)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a;

	cfg->registration_timeout = 1;
	h = h_new_cfg(cfg);
	a = fc_connect(h, "anon");
	fc_send(a, "NICK anon");
	ck_assert_msg(h_wait_real(h, a, fc_gone, 4000), "not closed within 4 s");
	fc_expect(a, "^ERROR :.*[Rr]egistration");
	h_free(h);
}
END_TEST

/* Liveness: after ping_interval of silence the server sends PING; with no
 * answer within ping_timeout it closes the link and the peers see QUIT. */
START_TEST(ping_timeout_direct)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice"), *b = fc_new(h, "bob");
	struct client *c = fc_client(a);

	fc_send(a, "JOIN #x");
	fc_send(b, "JOIN #x");
	fc_clear(a);
	fc_clear(b);
	ck_assert_int_eq(c->timer_kind, TIMER_PING);
	h_advance(h, (long)h->srv->cfg->ping_interval);
	fc_fire_timer(a);
	fc_expect(a, "^(:irc\\.test )?PING :?[^ ]+$");
	ck_assert_int_eq(c->timer_kind, TIMER_PONG);
	h_advance(h, (long)h->srv->cfg->ping_timeout);
	fc_fire_timer(a);
	fc_expect(a, "^ERROR :.*Ping timeout");
	ck_assert(fc_gone(a));
	ck_assert_uint_eq(fc_count(b, PFX("alice") "QUIT :.*Ping timeout"), 1);
	h_free(h);
}
END_TEST

/* Any line (here the PONG) proves liveness: no close, back to PING. */
START_TEST(ping_answered)
{
	struct harness *h = h_new();
	struct fc *a = fc_new(h, "alice");
	struct client *c = fc_client(a);
	const char *l;
	char token[128];

	h_advance(h, (long)h->srv->cfg->ping_interval);
	fc_fire_timer(a);
	l = fc_expect(a, "^(:irc\\.test )?PING :?[^ ]+$");
	snprintf(token, sizeof(token), "%s", strrchr(l, ' ') + 1);
	fc_send(a, "PONG %s", token);
	h_run(h);
	h_advance(h, (long)h->srv->cfg->ping_timeout);
	fc_fire_timer(a);
	fc_expect_none(a, "^ERROR");
	ck_assert_ptr_eq(fc_client(a), c);
	ck_assert_int_eq(c->timer_kind, TIMER_PING);
	/* no PING while the client has been active */
	fc_send(a, "PING :x");
	fc_clear(a);
	fc_fire_timer(a);
	fc_expect_none(a, "PING");
	h_free(h);
}
END_TEST

/* The real timers: ping_interval = ping_timeout = 1 s. The docs promise a
 * PING between 1x and 2x the interval after the last line. */
START_TEST(ping_timeout_real)
{
	struct config *cfg = h_config();
	struct harness *h;
	struct fc *a;

	cfg->ping_interval = 1;
	cfg->ping_timeout = 1;
	h = h_new_cfg(cfg);
	a = fc_new(h, "alice");
	ck_assert_msg(h_wait_count(h, a, "^(:irc\\.test )?PING ", 1, 4000), "no PING within 4 s");
	ck_assert_msg(h_wait_real(h, a, fc_gone, 4000), "not closed within 4 s of the PING");
	fc_expect(a, "^ERROR :.*Ping timeout");
	h_free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("h_register");
	TCase *tc;

	tc = h_tcase(s, "burst", 10);
	tcase_add_test(tc, welcome_burst);
	tcase_add_test(tc, burst_no_motd);
	tcase_add_test(tc, user_before_nick);
	tcase_add_test(tc, lusers_counts);
	tcase_add_test(tc, not_registered);
	tcase_add_test(tc, user_errors);
	tc = h_tcase(s, "nick", 10);
	tcase_add_test(tc, nick_errors);
	tcase_add_test(tc, nick_case_change);
	tcase_add_test(tc, nick_change_once);
	tcase_add_test(tc, nick_change_no_channels);
	tc = h_tcase(s, "quit", 10);
	tcase_add_test(tc, quit_once);
	tcase_add_test(tc, eof_quit);
	tcase_add_test(tc, quit_unregistered);
	tc = h_tcase(s, "pass_cap_ping", 10);
	tcase_add_test(tc, pass_required);
	tcase_add_test(tc, cap_holds_registration);
	tcase_add_test(tc, ping_pong);
	tcase_add_test(tc, unknown_command);
	tc = h_tcase(s, "timers", 10);
	tcase_add_test(tc, registration_timeout_direct);
	tcase_add_test(tc, ping_timeout_direct);
	tcase_add_test(tc, ping_answered);
	tc = h_tcase(s, "timers_real", 15);
	tcase_add_test(tc, registration_timeout_real);
	tcase_add_test(tc, ping_timeout_real);
	return h_run_suite(s);
}
