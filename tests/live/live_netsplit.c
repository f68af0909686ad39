/*
 * live_netsplit: what a netsplit leaves behind and how a link is kept at
 * arm's length (issue 10, docs/NETWORK.md), with the real evircd binary
 * and a scripted peer speaking the server protocol over loopback:
 *  - nicks lost in a split or by a collision are held for nick_delay
 *    (RFC 2813 §5.7: 437 to local clients), a plain QUIT holds nothing;
 *  - a channel emptied by the split stays reserved (RFC 2811 §3.2.2
 *    channel delay: 437 on a local JOIN) until its server returns or a
 *    remote user joins it;
 *  - a nick collision kills both, is logged and told to the operators;
 *  - a burst bigger than the link's sendq still goes through, and a
 *    peer's burst of many lines is not held back by fakelag;
 *  - out-of-order and misdirected server lines are ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livelib.h"

#define SRV_A  "^:a\\.test "
#define LINK_T 15000 /* a link comes up within this (valgrind is slow) */

/* fake_link: a scripted peer named name linking to s (password linkpw):
 * the handshake and A's burst up to its end-of-burst PING, answered. */
static struct cl *
fake_link(struct srv *s, const char *name)
{
	struct cl *f = cl_connect(s->port);

	f->strict = 0; /* server-protocol lines */
	snprintf(f->name, sizeof(f->name), "%s", name);
	cl_send(f, "PASS linkpw 0210-IRC+ test|1:CL P");
	cl_send(f, "SERVER %s 1 :scripted peer", name);
	cl_expect(f, "^SERVER a\\.test 1 :", LIVE_T);
	cl_expect(f, "^:a\\.test PING :a\\.test$", LINK_T);
	cl_send(f, ":%s PONG a.test :a.test", name);
	return f;
}

static const char *conf_a = "[server]\nname = a.test\n"
			    "[oper]\nname = admin\npassword = operpass\nhost = *\n"
			    "[link]\nname = b.test\npassword = linkpw\nhub = yes\n"
			    "[link]\nname = c.test\npassword = linkpw\n";

/* Split: nicks lost are held (437), a plain QUIT holds nothing, a channel
 * emptied by the split is reserved until its server returns; one that a
 * remote user joins again is free after that user leaves. */
START_TEST(t_split_holds)
{
	struct srv *a = srv_start(conf_a);
	struct cl *alice = cl_new(a, "alice"), *n, *b, *c;

	cl_join(alice, "#mixed");
	b = fake_link(a, "b.test");
	cl_send(b, ":b.test NICK bob 1 ~bob 10.0.0.1 1 + :Bob");
	cl_send(b, ":b.test NICK carol 1 ~carol 10.0.0.2 1 + :Carol");
	cl_send(b, ":b.test NJOIN #bonly :@carol,bob");
	cl_send(b, ":b.test NJOIN #other :@bob");
	cl_send(b, ":bob JOIN #mixed");
	cl_expect(alice, PFX("bob") "JOIN #mixed$", LIVE_T);

	/* b.test goes: its users quit with the split reason */
	cl_close(b);
	cl_expect(alice, PFX("bob") "QUIT :a\\.test b\\.test$", LIVE_T);
	ck_assert_msg(srv_log_wait(a, "netsplit: b\\.test", LIVE_T), "%s", srv_log_tail(a));

	n = cl_connect(a->port);
	cl_send(n, "NICK bob");
	cl_expect(n, SRV_A "437 \\* bob :Nick/channel is temporarily unavailable$", LIVE_T);
	cl_send(n, "NICK CAROL"); /* casemapped */
	cl_expect(n, SRV_A "437 \\* CAROL :", LIVE_T);
	cl_register(n, "newbie");
	cl_send(n, "JOIN #bonly");
	cl_expect(n, SRV_A "437 newbie #bonly :Nick/channel is temporarily unavailable$", LIVE_T);
	cl_send(n, "JOIN #BONLY,#other");
	cl_expect(n, SRV_A "437 newbie #BONLY :", LIVE_T);
	cl_expect(n, SRV_A "437 newbie #other :", LIVE_T);
	/* a channel that kept a local member is just a channel */
	cl_join(n, "#mixed");
	/* a plain QUIT holds nothing */
	{
		struct cl *q = cl_new(a, "quitter");
		cl_send(q, "QUIT :bye");
		cl_expect_eof(q, LIVE_T);
		q = cl_connect(a->port);
		cl_register(q, "quitter");
	}

	/* c.test (another server) joins a user to #other and leaves it:
	 * the remote JOIN ended the reservation, the PART does not renew it */
	c = fake_link(a, "c.test");
	cl_send(c, ":c.test NICK cid 1 ~cid 10.0.0.3 1 + :Cid");
	cl_send(c, ":cid JOIN #other");
	cl_send(c, ":cid PART #other :gone");
	cl_send(c, ":cid PRIVMSG alice :synced");
	cl_expect(alice, PFX("cid") "PRIVMSG alice :synced$", LIVE_T);
	cl_send(n, "JOIN #other");
	cl_expect(n, PFX("newbie") "JOIN #other$", LIVE_T);
	cl_expect(n, SRV_A "353 newbie = #other :@newbie$", LIVE_T);

	/* b.test returns (without #bonly): at the end of its burst the
	 * reservation ends */
	b = fake_link(a, "b.test");
	cl_send(b, ":b.test PING :b.test"); /* its answer: the PONG was read */
	cl_expect(b, "^:a\\.test PONG ", LIVE_T);
	cl_send(n, "JOIN #bonly");
	cl_expect(n, PFX("newbie") "JOIN #bonly$", LIVE_T);
	cl_expect(n, SRV_A "353 newbie = #bonly :@newbie$", LIVE_T);
	/* the nick stays held (its delay is time, not the server's return) */
	{
		struct cl *m = cl_connect(a->port);
		cl_send(m, "NICK bob");
		cl_expect(m, SRV_A "437 \\* bob :", LIVE_T);
	}
}
END_TEST

/* channel_delay = 0 and nick_delay = 0: nothing is held after a split. */
START_TEST(t_split_no_holds)
{
	char conf[512];
	struct srv *a;
	struct cl *alice, *b, *n;

	snprintf(conf, sizeof(conf), "%s[limits]\nnick_delay = 0\nchannel_delay = 0\n", conf_a);
	a = srv_start(conf);
	alice = cl_new(a, "alice");
	b = fake_link(a, "b.test");
	cl_send(b, ":b.test NICK bob 1 ~bob 10.0.0.1 1 + :Bob");
	cl_send(b, ":b.test NJOIN #bonly :@bob");
	cl_send(b, ":bob PRIVMSG alice :here");
	cl_expect(alice, PFX("bob") "PRIVMSG alice :here$", LIVE_T);
	cl_close(b);
	ck_assert_msg(srv_log_wait(a, "netsplit: b\\.test", LIVE_T), "%s", srv_log_tail(a));
	n = cl_new(a, "bob");
	cl_join(n, "#bonly");
}
END_TEST

/* A collision kills both, is logged, operators get a notice, the nick is
 * held (a KILL, RFC 2813 §5.7). */
START_TEST(t_collision_told)
{
	struct srv *a = srv_start(conf_a);
	struct cl *op = cl_new(a, "op"), *victim = cl_new(a, "victim"), *b, *n;

	cl_send(op, "OPER admin operpass");
	cl_expect(op, SRV_A "381 op ", LIVE_T);
	b = fake_link(a, "b.test");
	cl_send(b, ":b.test NICK victim 1 ~v 10.0.0.1 1 + :Impostor");
	cl_expect(b, "^:a\\.test KILL victim :a\\.test \\(Nick collision\\)$", LIVE_T);
	cl_expect(victim, "^ERROR :Closing Link: [^ ]+ \\(Nick collision\\)$", LIVE_T);
	cl_expect(op,
	    SRV_A "NOTICE op :\\*\\*\\* Notice -- Nick collision on victim \\(a\\.test <- "
		  "b\\.test\\), both killed$",
	    LIVE_T);
	ck_assert_msg(srv_log_wait(a, "nick collision: victim brought by b\\.test", LIVE_T), "%s",
	    srv_log_tail(a));
	n = cl_connect(a->port);
	cl_send(n, "NICK victim");
	cl_expect(n, SRV_A "437 \\* victim :", LIVE_T);
	/* a remote nick change onto a remote nick: both go, opers told */
	cl_send(b, ":b.test NICK u1 1 ~u 10.0.0.2 1 + :U1");
	cl_send(b, ":b.test NICK u2 1 ~u 10.0.0.3 1 + :U2");
	cl_send(b, ":u1 NICK u2");
	cl_expect(op, SRV_A "NOTICE op :\\*\\*\\* Notice -- Nick collision on u1 ", LIVE_T);
	cl_expect(op, SRV_A "NOTICE op :\\*\\*\\* Notice -- Nick collision on u2 ", LIVE_T);
	cl_send(op, "WHOIS u2");
	cl_expect(op, SRV_A "401 op u2 ", LIVE_T);
}
END_TEST

/* Out-of-order and misdirected lines from a link are ignored, and nothing
 * of them reaches a client: a JOIN/NJOIN/MODE before the user exists, a
 * QUIT of nobody, a user of another link, a local '&'/'!' channel named by
 * the peer, a second SERVER for the peer itself (a loop: closed). */
START_TEST(t_link_out_of_order)
{
	struct srv *a = srv_start(conf_a);
	struct cl *alice = cl_new(a, "alice"), *b, *c;

	cl_join(alice, "&local");
	cl_join(alice, "#c");
	cl_send(alice, "JOIN !!safe");
	cl_expect(alice, PFX("alice") "JOIN ![A-Z0-9]{5}safe$", LIVE_T);
	b = fake_link(a, "b.test");
	c = fake_link(a, "c.test");
	cl_send(c, ":c.test NICK cid 1 ~cid 10.0.0.3 1 + :Cid");
	cl_send(b, ":ghost JOIN #c");
	cl_send(b, ":b.test NJOIN #c :@ghost");
	cl_send(b, ":ghost MODE #c +o ghost");
	cl_send(b, ":ghost QUIT :never was");
	cl_send(b, ":cid PRIVMSG #c :through the wrong link");
	cl_send(b, ":cid QUIT :wrong link");
	cl_send(b, ":b.test NICK bob 1 ~bob 10.0.0.1 1 + :Bob");
	cl_send(b, ":bob JOIN &local");
	cl_send(b, ":b.test NJOIN &local :bob");
	cl_send(b, ":bob PRIVMSG &local :into a local channel");
	cl_send(b, ":b.test MODE &local +i");
	cl_send(b, ":b.test TOPIC &local :peer topic");
	cl_send(b, ":b.test KICK &local alice :x");
	cl_send(b, ":bob JOIN !ABCDEsafe,!x");
	cl_send(b, ":b.test NJOIN !!safe :@bob");
	cl_send(b, ":b.test CHANINFO !ABCDEsafe +nt :peer");
	cl_send(b, ":bob PRIVMSG #nochan :nobody");
	cl_send(b, ":b.test TOPIC #nochan :no");
	cl_send(b, ":bob PRIVMSG #c :not a member is fine for a peer");
	cl_expect(alice, PFX("bob") "PRIVMSG #c :not a member is fine for a peer$", LIVE_T);
	cl_expect_none(alice, "ghost|wrong link|local channel|peer topic|KICK|&local|safe", LIVE_T);
	cl_send(alice, "WHOIS cid");
	cl_expect(alice, SRV_A "312 alice cid c\\.test :", LIVE_T);
	cl_send(alice, "NAMES &local");
	cl_expect(alice, SRV_A "353 alice = &local :@alice$", LIVE_T);
	/* the peer names itself again: a loop, the link is closed */
	cl_send(b, ":b.test SERVER b.test 2 7 :again");
	cl_expect(b, "^ERROR :Closing Link: [^ ]+ \\(Server exists\\)$", LIVE_T);
	ck_assert_msg(srv_log_wait(a, "netsplit: b\\.test \\(Server exists\\)", LIVE_T), "%s",
	    srv_log_tail(a));
	cl_send(alice, "WHOIS bob");
	cl_expect(alice, SRV_A "401 alice bob ", LIVE_T);
	cl_send(c, ":cid PRIVMSG alice :c still linked");
	cl_expect(alice, PFX("cid") "PRIVMSG alice :c still linked$", LIVE_T);
}
END_TEST

/* A's burst to B is bigger than the link sendq (64 KiB here) and still
 * goes through (the sendq is raised by the burst until B's PONG shows it
 * read it); the 1500 NICK lines c.test sends at once are not delayed by
 * fakelag (on here) nor cut by a client's recvq. */
START_TEST(t_burst_over_sendq)
{
	char conf[1024], *big;
	struct srv *a, *b;
	struct cl *alice, *c, *bob;
	size_t len = 0, cap = 1500 * 128;
	int i;

	a = srv_start("[server]\nname = a.test\n"
		      "[flood]\nenabled = yes\n"
		      "[link]\nname = b.test\npassword = linkpw\nsendq = 65536\n"
		      "[link]\nname = c.test\npassword = linkpw\nhub = yes\n");
	alice = cl_new(a, "alice");
	c = cl_connect(a->port);
	c->strict = 0;
	cl_send(c, "PASS linkpw 0210-IRC+ test|1:CL P");
	cl_send(c, "SERVER c.test 1 :scripted peer");
	cl_expect(c, "^:a\\.test PING :a\\.test$", LINK_T);
	big = malloc(cap);
	ck_assert_ptr_nonnull(big);
	for (i = 0; i < 1500; i++)
		len += (size_t)snprintf(big + len, cap - len,
		    ":c.test NICK user%04d 1 ~user%04d host%04d.example.org 1 +i :Remote user "
		    "number %d\r\n",
		    i, i, i, i);
	cl_send_raw(c, big, len);
	free(big);
	cl_send(c, ":user1499 PRIVMSG alice :last of the burst");
	cl_expect(alice, PFX("user1499") "PRIVMSG alice :last of the burst$", LINK_T);
	cl_send(c, ":c.test PONG a.test :a.test");

	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\npassword = linkpw\n"
	    "autoconnect = yes\nconnect_retry = 1\nhub = yes\n",
	    a->port);
	b = srv_start(conf);
	ck_assert_msg(srv_log_wait(a, "link b\\.test: burst complete", LINK_T),
	    "no link with a burst over the sendq:\n%s", srv_log_tail(a));
	bob = cl_new(b, "bob");
	cl_send(bob, "LUSERS");
	cl_expect(bob, "^:b\\.test 251 bob :There are 2 users and 1500 invisible on 3 servers$",
	    LINK_T);
	cl_send(bob, "WHOIS user0000");
	cl_expect(bob, "^:b\\.test 312 bob user0000 c\\.test :", LIVE_T);
	/* the raised limit ended with the burst: the link is an ordinary
	 * one now and still up */
	cl_send(bob, "PRIVMSG alice :after the burst");
	cl_expect(alice, PFX("bob") "PRIVMSG alice :after the burst$", LIVE_T);
	ck_assert_msg(!rx_match(srv_log_tail(a), "SendQ exceeded"), "%s", srv_log_tail(a));
	srv_stop(b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_netsplit");
	TCase *tc = live_tcase("netsplit", 90);

	tcase_add_test(tc, t_split_holds);
	tcase_add_test(tc, t_split_no_holds);
	tcase_add_test(tc, t_collision_told);
	tcase_add_test(tc, t_link_out_of_order);
	tcase_add_test(tc, t_burst_over_sendq);
	suite_add_tcase(s, tc);
	return live_run(s);
}
