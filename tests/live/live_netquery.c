/*
 * live_netquery: queries and operator commands across a network of real
 * evircd processes over loopback (docs/NETWORK.md): the remote forms
 * ADMIN/VERSION/TIME/MOTD/INFO/LUSERS/STATS/WHOIS <server> (RFC 2812
 * §3.4, §3.6.2) answered by the named server and routed back (also through
 * a middle server), STATS l (211), MAP (015/017), LINKS and LUSERS of the
 * whole tree, WALLOPS both ways, KILL of a remote user, WHOWAS of a remote
 * user, server notices to operators, REHASH adding and removing [link]
 * sections; and the remote forms against the real ngIRCd from Debian in
 * both directions (skipped when it is not installed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livelib.h"
#include "nglib.h"

#define LINK_T 15000 /* a link comes up within this (valgrind is slow) */
#define NG_T   10000 /* ngIRCd throttles its clients */
#define OPER   "[oper]\nname = admin\npassword = operpass\nhost = *\n"

/* start_linked: a server named name that connects to port (the peer
 * named peer, password pw) with extra configuration. */
static struct srv *
start_linked(const char *name, const char *peer, int port, const char *pw, const char *extra)
{
	char conf[1024];

	snprintf(conf, sizeof(conf),
	    "[server]\nname = %s\n" OPER
	    "[link]\nname = %s\naddress = 127.0.0.1\nport = %d\npassword = %s\n"
	    "autoconnect = yes\nconnect_retry = 1\nhub = yes\n%s",
	    name, peer, port, pw, extra ? extra : "");
	return srv_start(conf);
}

/* wait_user: srv knows nick (its event log names every user, remote ones
 * too: docs/CONFIG.md [log]). */
static void
wait_user(struct srv *srv, const char *nick)
{
	char re[96];

	snprintf(re, sizeof(re), "event=connect nick=%s ", nick);
	ck_assert_msg(srv_log_wait(srv, re, LINK_T), "%s never arrived:\n%s", nick,
	    srv_log_tail(srv));
}

static void
oper_up(struct cl *c, const char *srvre)
{
	cl_send(c, "OPER admin operpass");
	cl_expectf(c, "^:%s 381 %s ", srvre, c->name);
	cl_send(c, "MODE %s +w", c->name);
	cl_expectf(c, " MODE %s :?\\+w$", c->name);
}

/* Two servers: a client on A asks B (and the other way), operators see
 * the links, the tree, WALLOPS and KILL across. */
START_TEST(t_netquery_two)
{
	struct srv *a, *b;
	struct cl *alice, *bob, *carol;
	char buf[64];
	const char *line;

	a = srv_start("[server]\nname = a.test\n" OPER
		      "[link]\nname = b.test\npassword = linkpw\nhub = no\n");
	alice = cl_new(a, "alice");
	oper_up(alice, "a\\.test");
	b = start_linked("b.test", "a.test", a->port, "linkpw", NULL);
	/* a server notice when the link is up */
	cl_expect(alice,
	    "^:a\\.test NOTICE alice :\\*\\*\\* Notice -- Link with b\\.test established ", LINK_T);
	bob = cl_new(b, "bob");
	carol = cl_new(b, "carol");
	oper_up(bob, "b\\.test");
	wait_user(a, "bob");
	wait_user(a, "carol");

	/* the remote forms: answered by b.test, addressed to alice */
	cl_send(alice, "VERSION b.test");
	cl_expect(alice, "^:b\\.test 351 alice evircd-[^ ]+ b\\.test :", LIVE_T);
	cl_expect_none(alice, " 005 alice ", LIVE_T); /* 351 only for a remote VERSION */
	cl_send(alice, "TIME b.*"); /* a server mask */
	cl_expect(alice, "^:b\\.test 391 alice b\\.test [0-9]+ ", LIVE_T);
	cl_send(alice, "ADMIN b.test");
	cl_expect(alice, "^:b\\.test 256 alice b\\.test :", LIVE_T);
	cl_expect(alice, "^:b\\.test 259 alice :", LIVE_T);
	cl_send(alice, "MOTD b.test");
	cl_expect(alice, "^:b\\.test (376|422) alice :", LIVE_T);
	cl_send(alice, "INFO b.test");
	cl_expect(alice, "^:b\\.test 371 alice :evircd ", LIVE_T);
	cl_expect(alice, "^:b\\.test 374 alice :", LIVE_T);
	cl_send(alice, "LUSERS * b.test");
	cl_expect(alice, "^:b\\.test 251 alice :There are 3 users and 0 invisible on 2 servers$",
	    LIVE_T);
	cl_expect(alice, "^:b\\.test 252 alice 2 :", LIVE_T); /* both operators */
	cl_send(alice, "STATS u b.test");
	cl_expect(alice, "^:b\\.test 242 alice :Server Up ", LIVE_T);
	cl_expect(alice, "^:b\\.test 219 alice u :", LIVE_T);
	/* WHOIS <server> <nick> and WHOIS <nick> <nick>: the user's server
	 * answers, with the idle time only it knows */
	cl_send(alice, "WHOIS b.test bob");
	cl_expect(alice, "^:b\\.test 311 alice bob ~?bob 127\\.0\\.0\\.1 \\* :Real bob$", LIVE_T);
	cl_expect(alice, "^:b\\.test 312 alice bob b\\.test :", LIVE_T);
	cl_expect(alice, "^:b\\.test 313 alice bob :", LIVE_T);
	cl_expect(alice, "^:b\\.test 317 alice bob [0-9]+ [0-9]+ :", LIVE_T);
	cl_expect(alice, "^:b\\.test 318 alice bob :", LIVE_T);
	cl_send(alice, "WHOIS bob bob");
	cl_expect(alice, "^:b\\.test 317 alice bob [0-9]+ [0-9]+ :", LIVE_T);
	cl_send(bob, "WHOIS alice alice"); /* the other way */
	cl_expect(bob, "^:a\\.test 317 bob alice [0-9]+ [0-9]+ :", LIVE_T);
	cl_send(bob, "VERSION a.test");
	cl_expect(bob, "^:a\\.test 351 bob evircd-[^ ]+ a\\.test :", LIVE_T);
	/* unknown targets: 402 from our own server */
	cl_send(alice, "WHOIS nosuch.test bob");
	cl_expect(alice, "^:a\\.test 402 alice nosuch\\.test :", LIVE_T);
	cl_send(alice, "VERSION nosuch.*");
	cl_expect(alice, "^:a\\.test 402 alice nosuch\\.\\* :", LIVE_T);

	/* STATS l: the link's counters, operators only; remote too */
	cl_send(alice, "STATS l");
	line = cl_expect(alice,
	    "^:a\\.test 211 alice b\\.test [0-9]+ [1-9][0-9]* [0-9]+ [1-9][0-9]* [0-9]+ [0-9]+$",
	    LIVE_T);
	ck_assert(rx_group(line, " 211 alice b\\.test ([0-9]+) ", 1, buf, sizeof(buf)));
	cl_expect(alice, "^:a\\.test 219 alice l :", LIVE_T);
	cl_send(carol, "STATS l");
	cl_expect(carol, "^:b\\.test 481 carol :", LIVE_T);
	cl_expect(carol, "^:b\\.test 219 carol l :", LIVE_T);
	cl_send(alice, "STATS l b.test");
	cl_expect(alice, "^:b\\.test 211 alice a\\.test [0-9]+ [1-9][0-9]* ", LIVE_T);
	cl_expect(alice, "^:b\\.test 219 alice l :", LIVE_T);

	/* MAP: the tree with the users of each server; operators only */
	cl_send(alice, "MAP");
	cl_expect(alice, "^:a\\.test 015 alice :a\\.test \\.+ \\| Users: +1 \\( *33%\\)$", LIVE_T);
	cl_expect(alice, "^:a\\.test 015 alice :`- b\\.test \\.+ \\| Users: +2 \\( *67%\\)$",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 017 alice :End of /MAP$", LIVE_T);
	cl_send(carol, "MAP");
	cl_expect(carol, "^:b\\.test 481 carol :", LIVE_T);

	/* WALLOPS is network-wide, both ways */
	cl_send(alice, "WALLOPS :hello network");
	cl_expect(bob, PFX("alice") "WALLOPS :hello network$", LIVE_T);
	cl_expect(alice, PFX("alice") "WALLOPS :hello network$", LIVE_T);
	cl_send(bob, "WALLOPS :from b");
	cl_expect(alice, PFX("bob") "WALLOPS :from b$", LIVE_T);
	cl_expect_none(carol, "WALLOPS", LIVE_T); /* not +w */

	/* KILL of a remote user: its server closes it, its operators are
	 * told; WHOWAS on A then names the server it was on */
	cl_join(alice, "#k");
	cl_send(carol, "JOIN #k");
	cl_expect(alice, PFX("carol") "JOIN #k$", LIVE_T);
	cl_send(alice, "KILL carol :spamming");
	cl_expect(carol, "^ERROR :Closing Link: [^ ]+ \\(Killed \\(alice \\(spamming\\)\\)\\)$",
	    LIVE_T);
	cl_expect(alice, PFX("carol") "QUIT :Killed \\(alice \\(spamming\\)\\)$", LIVE_T);
	cl_expect(bob,
	    "^:b\\.test NOTICE bob :\\*\\*\\* Notice -- Received KILL message for carol from alice: "
	    "spamming$",
	    LIVE_T);
	cl_send(bob, "WHOIS carol");
	cl_expect(bob, "^:b\\.test 401 bob carol ", LIVE_T);
	cl_send(alice, "WHOWAS carol");
	cl_expect(alice, "^:a\\.test 314 alice carol ~?carol 127\\.0\\.0\\.1 \\* :Real carol$",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 312 alice carol b\\.test :", LIVE_T);
	cl_expect(alice, "^:a\\.test 369 alice carol :", LIVE_T);

	/* the split is a server notice too */
	ck_assert_int_eq(srv_stop(b), 0);
	cl_expect(alice, "^:a\\.test NOTICE alice :\\*\\*\\* Notice -- Netsplit: b\\.test left ",
	    LIVE_T);
}
END_TEST

/* A chain A - B - C: queries for C from A pass B both ways; LINKS, MAP
 * and LUSERS show the whole tree. */
START_TEST(t_netquery_chain)
{
	struct srv *a, *b, *c;
	struct cl *alice, *cc;

	a = srv_start("[server]\nname = a.test\n" OPER
		      "[link]\nname = b.test\npassword = linkab\nhub = yes\n");
	alice = cl_new(a, "alice");
	oper_up(alice, "a\\.test");
	b = start_linked("b.test", "a.test", a->port, "linkab",
	    "[link]\nname = c.test\npassword = linkbc\n");
	ck_assert_msg(srv_log_wait(a, "link b\\.test: burst complete", LINK_T), "a-b:\n%s",
	    srv_log_tail(a));
	c = start_linked("c.test", "b.test", b->port, "linkbc", NULL);
	ck_assert_msg(srv_log_wait(a, "server c\\.test introduced by b\\.test", LINK_T),
	    "c never reached a:\n%s", srv_log_tail(a));
	cc = cl_new(c, "cc");
	wait_user(a, "cc");
	cl_send(alice, "WHOIS cc");
	cl_expect(alice, "^:a\\.test 312 alice cc c\\.test :", LIVE_T);

	cl_send(alice, "VERSION c.test");
	cl_expect(alice, "^:c\\.test 351 alice evircd-[^ ]+ c\\.test :", LIVE_T);
	cl_send(alice, "WHOIS cc cc");
	cl_expect(alice, "^:c\\.test 311 alice cc ", LIVE_T);
	cl_expect(alice, "^:c\\.test 317 alice cc [0-9]+ [0-9]+ :", LIVE_T);
	cl_expect(alice, "^:c\\.test 318 alice cc :", LIVE_T);
	cl_send(alice, "STATS l c.test");
	cl_expect(alice, "^:c\\.test 211 alice b\\.test ", LIVE_T);
	cl_send(cc, "ADMIN a*"); /* a mask, from the far end */
	cl_expect(cc, "^:a\\.test 256 cc a\\.test :", LIVE_T);
	cl_send(cc, "TIME b.test");
	cl_expect(cc, "^:b\\.test 391 cc b\\.test ", LIVE_T);

	/* LINKS: every server, its uplink, hops and description */
	cl_send(alice, "LINKS");
	cl_expect(alice, "^:a\\.test 364 alice a\\.test a\\.test :0 evircd live test server$",
	    LIVE_T);
	cl_send(alice, "LINKS");
	cl_expect(alice, "^:a\\.test 364 alice b\\.test a\\.test :1 evircd live test server$",
	    LIVE_T);
	cl_send(alice, "LINKS");
	cl_expect(alice, "^:a\\.test 364 alice c\\.test b\\.test :2 evircd live test server$",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 365 alice \\* :", LIVE_T);
	cl_send(alice, "MAP");
	cl_expect(alice, "^:a\\.test 015 alice :a\\.test \\.+ \\| Users: +1 \\( *50%\\)$", LIVE_T);
	cl_expect(alice, "^:a\\.test 015 alice :`- b\\.test \\.+ \\| Users: +0 \\( *0%\\)$",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 015 alice :   `- c\\.test \\.+ \\| Users: +1 \\( *50%\\)$",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 017 alice :", LIVE_T);
	cl_join(alice, "#net");
	cl_send(cc, "JOIN #net");
	cl_expect(alice, PFX("cc") "JOIN #net$", LIVE_T);
	/* LUSERS: the network (251, 252, 254, 266) and this server (255, 265) */
	cl_send(cc, "LUSERS");
	cl_expect(cc, "^:c\\.test 251 cc :There are 2 users and 0 invisible on 3 servers$", LIVE_T);
	cl_expect(cc, "^:c\\.test 252 cc 1 :", LIVE_T);
	cl_expect(cc, "^:c\\.test 254 cc 1 :", LIVE_T);
	cl_expect(cc, "^:c\\.test 255 cc :I have 1 clients and 1 servers$", LIVE_T);
	cl_expect(cc, "^:c\\.test 265 cc 1 1 ", LIVE_T);
	cl_expect(cc, "^:c\\.test 266 cc 2 2 ", LIVE_T);
	srv_stop(c);
	srv_stop(b);
}
END_TEST

/* REHASH adds and removes [link] sections: with B and C linked to A, a
 * REHASH without C's section and with a new autoconnect D splits C (with
 * a reason), links D, and leaves B and its users alone; B's changed
 * password applies only when B connects again. */
START_TEST(t_netquery_rehash)
{
	struct srv *a, *b, *c, *d;
	struct cl *alice, *bob, *carol, *dan;
	char conf[1024];

	d = srv_start(
	    "[server]\nname = d.test\n[link]\nname = a.test\npassword = linkad\nhub = yes\n");
	dan = cl_new(d, "dan");
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n" OPER "[link]\nname = b.test\npassword = linkab\n"
	    "[link]\nname = c.test\npassword = linkac\n");
	a = srv_start(conf);
	alice = cl_new(a, "alice");
	oper_up(alice, "a\\.test");
	b = start_linked("b.test", "a.test", a->port, "linkab", NULL);
	c = start_linked("c.test", "a.test", a->port, "linkac", NULL);
	ck_assert_msg(srv_log_wait(a, "link b\\.test: burst complete", LINK_T), "a-b:\n%s",
	    srv_log_tail(a));
	ck_assert_msg(srv_log_wait(a, "link c\\.test: burst complete", LINK_T), "a-c:\n%s",
	    srv_log_tail(a));
	bob = cl_new(b, "bob");
	carol = cl_new(c, "carol");
	cl_join(alice, "#r");
	cl_send(bob, "JOIN #r");
	cl_expect(alice, PFX("bob") "JOIN #r$", LIVE_T);
	cl_send(carol, "JOIN #r");
	cl_expect(alice, PFX("carol") "JOIN #r$", LIVE_T);

	/* C removed, D added (A connects to it), B's password changed */
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n" OPER "[link]\nname = b.test\npassword = changed\n"
	    "[link]\nname = d.test\naddress = 127.0.0.1\nport = %d\npassword = linkad\n"
	    "autoconnect = yes\nconnect_retry = 1\n",
	    d->port);
	srv_rewrite_conf(a, conf);
	cl_send(alice, "REHASH");
	cl_expect(alice, "^:a\\.test 382 alice ", LIVE_T);
	cl_expect(alice, PFX("carol") "QUIT :a\\.test c\\.test$", LINK_T);
	ck_assert_msg(srv_log_wait(c, "Link removed from the configuration", LINK_T),
	    "c was not told why:\n%s", srv_log_tail(c));
	ck_assert_msg(srv_log_wait(a, "link d\\.test: burst complete", LINK_T),
	    "d was not linked after the rehash:\n%s", srv_log_tail(a));
	wait_user(a, "dan");
	cl_send(alice, "WHOIS dan");
	cl_expect(alice, "^:a\\.test 312 alice dan d\\.test :", LIVE_T);
	cl_send(dan, "WHOIS alice alice");
	cl_expect(dan, "^:a\\.test 317 dan alice [0-9]+ [0-9]+ :", LIVE_T);
	/* B and bob untouched: no QUIT, still talking */
	cl_send(bob, "PRIVMSG #r :still here");
	cl_expect(alice, PFX("bob") "PRIVMSG #r :still here$", LIVE_T);
	cl_send(alice, "PRIVMSG #r :and D");
	cl_expect(bob, PFX("alice") "PRIVMSG #r :and D$", LIVE_T);
	cl_expect_none(alice, PFX("bob") "QUIT", LIVE_T);
	/* C tries again and is refused: its section is gone */
	ck_assert_msg(srv_log_wait(a, "server c\\.test not configured here", LINK_T),
	    "c was not refused:\n%s", srv_log_tail(a));
	/* B's new password applies on its next connect: B still sends the
	 * old one, so after a SQUIT it is refused */
	cl_send(alice, "SQUIT b.test :new password");
	cl_expect(alice, PFX("bob") "QUIT :a\\.test b\\.test$", LIVE_T);
	ck_assert_msg(srv_log_wait(a, "link b\\.test .*bad password", LINK_T),
	    "b's changed password was not used:\n%s", srv_log_tail(a));
	srv_stop(b);
	srv_stop(c);
	srv_stop(d);
}
END_TEST

/* ---- the real ngIRCd ---- */

/* ngIRCd's [Operator] and a [link] of a.test towards it */
#define NG_OPER "[Operator]\nName = nop\nPassword = noppw\n"

/* The remote forms with ngIRCd: our client asks ngIRCd, ngIRCd's client
 * asks us; KILL of an ngIRCd user; WALLOPS both ways. */
START_TEST(t_netquery_ngircd)
{
	int port = live_free_port();
	char conf[512];
	struct srv *a;
	struct cl *alice, *nina, *nick2;

	ck_assert_msg(ng_start(port, "", NG_OPER) == 0, "ngircd did not start on port %d", port);
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n" OPER
	    "[link]\nname = ng.test\naddress = 127.0.0.1\nport = %d\n"
	    "send_password = toevng\naccept_password = frominng\nautoconnect = yes\n"
	    "connect_retry = 1\n",
	    port);
	a = srv_start(conf);
	alice = cl_new(a, "alice");
	oper_up(alice, "a\\.test");
	ck_assert_msg(srv_log_wait(a, "link ng\\.test: burst complete", LINK_T),
	    "no link to ngircd:\n%s", srv_log_tail(a));
	nina = cl_connect(port);
	nina->strict = 0; /* ngIRCd's lines, not ours */
	cl_send(nina, "NICK nina");
	cl_send(nina, "USER nina 0 * :Nina N");
	cl_expect(nina, "^:ng\\.test 376 nina ", NG_T);
	wait_user(a, "nina");
	cl_send(alice, "WHOIS nina");
	cl_expect(alice, "^:a\\.test 312 alice nina ng\\.test :", NG_T);

	/* our client asks ngIRCd */
	cl_send(alice, "VERSION ng.test");
	cl_expect(alice, "^:ng\\.test 351 alice [^ ]+ ng\\.test :", NG_T);
	cl_send(alice, "TIME ng.test");
	cl_expect(alice, "^:ng\\.test 391 alice ng\\.test :", NG_T);
	cl_send(alice, "ADMIN ng.test");
	cl_expect(alice, "^:ng\\.test 256 alice ng\\.test :", NG_T);
	cl_send(alice, "WHOIS nina nina");
	cl_expect(alice, "^:ng\\.test 311 alice nina ", NG_T);
	cl_expect(alice, "^:ng\\.test 317 alice nina [0-9]+ [0-9]+ :", NG_T);
	cl_expect(alice, "^:ng\\.test 318 alice nina :", NG_T);

	/* ngIRCd's client asks us */
	cl_send(nina, "VERSION a.test");
	cl_expect(nina, "^:a\\.test 351 nina evircd-[^ ]+ a\\.test :", NG_T);
	cl_send(nina, "TIME a.test");
	cl_expect(nina, "^:a\\.test 391 nina a\\.test ", NG_T);
	cl_send(nina, "ADMIN a.test");
	cl_expect(nina, "^:a\\.test 256 nina a\\.test :", NG_T);
	cl_send(nina, "INFO a.test");
	cl_expect(nina, "^:a\\.test 374 nina :", NG_T);
	cl_send(nina, "MOTD a.test");
	cl_expect(nina, "^:a\\.test (376|422) nina :", NG_T);
	cl_send(nina, "WHOIS alice alice");
	cl_expect(nina, "^:a\\.test 312 nina alice a\\.test :", NG_T);
	cl_expect(nina, "^:a\\.test 317 nina alice [0-9]+ [0-9]+ :", NG_T);
	cl_expect(nina, "^:a\\.test 318 nina alice :", NG_T);

	/* WALLOPS both ways */
	cl_send(nina, "OPER nop noppw");
	cl_expect(nina, "^:ng\\.test 381 nina ", NG_T);
	cl_send(nina, "MODE nina +w");
	cl_expect(nina, "MODE nina :?\\+w", NG_T);
	cl_send(alice, "WALLOPS :to ngircd");
	cl_expect(nina, PFX("alice") "WALLOPS :to ngircd$", NG_T);
	cl_send(nina, "WALLOPS :from ngircd");
	cl_expect(alice, "^:nina(![^ ]+)? WALLOPS :from ngircd$", NG_T);

	/* KILL of an ngIRCd user from here: ngIRCd closes it */
	nick2 = cl_connect(port);
	nick2->strict = 0;
	cl_send(nick2, "NICK victim");
	cl_send(nick2, "USER victim 0 * :V");
	cl_expect(nick2, "^:ng\\.test 376 victim ", NG_T);
	wait_user(a, "victim");
	cl_send(alice, "WHOIS victim");
	cl_expect(alice, "^:a\\.test 312 alice victim ng\\.test :", NG_T);
	cl_send(alice, "KILL victim :go away");
	cl_expect(nick2, "^ERROR :.*go away", NG_T);
	cl_send(nina, "WHOIS victim");
	cl_expect(nina, "^:ng\\.test 401 nina victim ", NG_T);
	cl_send(alice, "WHOIS victim");
	cl_expect(alice, "^:a\\.test 401 alice victim ", NG_T);
	cl_send(alice, "MAP");
	cl_expect(alice, "^:a\\.test 015 alice :`- ng\\.test \\.+ \\| Users: +1 ", NG_T);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_netquery");
	TCase *tc = live_tcase("netquery", 90);

	tcase_add_checked_fixture(tc, NULL, ng_stop);
	tcase_add_test(tc, t_netquery_two);
	tcase_add_test(tc, t_netquery_chain);
	tcase_add_test(tc, t_netquery_rehash);
	if (ng_installed())
		tcase_add_test(tc, t_netquery_ngircd);
	else
		printf("SKIP t_netquery_ngircd: ngircd is not installed (Debian: ngircd)\n");
	suite_add_tcase(s, tc);
	return live_run(s);
}
