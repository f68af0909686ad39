/*
 * live_link_v3: IRCv3 state between linked servers (issue 10): METADATA
 * (ngIRCd doc/Protocol.txt II.6) from a services server and between evircd
 * servers, so that an account name shows in WHOIS 330, account-notify,
 * extended-join and WHOX %a on every server; host and real name changes;
 * untrusted METADATA refused; and the same with the real ngIRCd.
 *
 * The "services" here is a raw socket speaking what Atheme's and Anope's
 * protocol/ngircd modules send (`:svc.test METADATA <nick> accountname
 * :<account>`, empty to log out), so the account flow runs without a
 * password hash.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "livelib.h"
#include "nglib.h"

#define SRV_A  "^:a\\.test "
#define SRV_B  "^:b\\.test "
#define LINK_T 15000 /* a link comes up within this (valgrind is slow) */

/* a.test accepts b.test and the fake services svc.test. */
static const char *conf_a = "[server]\nname = a.test\n"
			    "[link]\nname = b.test\npassword = linkpw\n"
			    "[link]\nname = svc.test\npassword = svcpw\nservices = yes\n";

static struct srv *
start_b(struct srv *a)
{
	char conf[512];

	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\npassword = linkpw\nhub = yes\n"
	    "autoconnect = yes\nconnect_retry = 1\n"
	    /* every server names the services server (link/services.h) */
	    "[link]\nname = svc.test\nservices = yes\n",
	    a->port);
	return srv_start(conf);
}

/* cl_caps: a registered client on s that enabled caps first. */
static struct cl *
cl_caps(struct srv *s, const char *nick, const char *caps)
{
	struct cl *c = cl_connect(s->port);

	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP REQ :%s", caps);
	cl_expect(c, " CAP \\* ACK ", LIVE_T);
	cl_send(c, "CAP END");
	/* cl_register's patterns want lines without tags */
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Real %s", nick, nick);
	cl_expectf(c, "^(@[^ ]+ )?:[^ ]+ 001 %s ", nick);
	cl_expectf(c, "^(@[^ ]+ )?:[^ ]+ (376|422) %s ", nick);
	return c;
}

/* tjoin: JOIN chan and wait for its 366 (lines may carry tags). */
static void
tjoin(struct cl *c, const char *chan)
{
	cl_send(c, "JOIN %s", chan);
	cl_expectf(c, "^(@[^ ]+ )?:[^ ]+ 366 %s %s ", c->name, chan);
}

/* svc_link: a fake services server linked to a (Atheme's PASS flags). */
static struct cl *
svc_link(struct srv *a)
{
	struct cl *svc = cl_connect(a->port);

	svc->strict = 0;
	snprintf(svc->name, sizeof(svc->name), "svc");
	cl_send(svc, "PASS svcpw 0210-IRC+ atheme|7.2:CLMo");
	cl_send(svc, "SERVER svc.test 1 :fake services");
	cl_expect(svc, "^PASS svcpw 0210-IRC\\+ evircd\\|[^ ]+:CLMT P$", LIVE_T);
	cl_expect(svc, "^:a\\.test PING :a\\.test$", LIVE_T);
	cl_send(svc, ":svc.test PONG a.test :a.test");
	return svc;
}

/* Services log a user on A in and out; a user on B sees it everywhere an
 * account shows; a new link gets the account in its burst. */
START_TEST(t_meta_account_across)
{
	struct srv *a = srv_start(conf_a), *b;
	struct cl *alice = cl_caps(a, "alice", "account-notify extended-join chghost setname");
	struct cl *svc = svc_link(a), *bob, *carol;

	ck_assert_msg(srv_log_wait(a, "link svc\\.test: burst complete", LINK_T),
	    "services never linked:\n%s", srv_log_tail(a));
	b = start_b(a);
	ck_assert_msg(srv_log_wait(b, "link a\\.test: burst complete", LINK_T),
	    "b never linked:\n%s", srv_log_tail(b));
	/* svc hears of b.test (a hub-less A still tells its links) */
	cl_expect(svc, "^:a\\.test SERVER b\\.test 2 ", LIVE_T);
	bob = cl_caps(b, "bob", "account-notify extended-join chghost setname");
	cl_join(alice, "#m");
	cl_join(bob, "#m");
	cl_expect(alice, PFX("bob") "JOIN #m \\* :Real bob$", LIVE_T);

	/* services log alice in: 900 and +r for her, ACCOUNT on B */
	cl_send(svc, ":svc.test METADATA alice accountname :aliceacct");
	cl_expect(alice, SRV_A "900 alice alice![^ ]+ aliceacct :", LIVE_T);
	cl_expect(alice, "^:alice MODE alice :\\+r$", LIVE_T);
	cl_expect(bob, PFX("alice") "ACCOUNT aliceacct$", LIVE_T);
	cl_send(bob, "WHOIS alice");
	cl_expect(bob, SRV_B "330 bob alice aliceacct :is logged in as$", LIVE_T);
	cl_send(bob, "WHO alice %%na");
	cl_expect(bob, SRV_B "354 bob alice aliceacct$", LIVE_T);
	cl_send(alice, "PART #m");
	cl_send(alice, "JOIN #m");
	cl_expect(bob, PFX("alice") "JOIN #m aliceacct :Real alice$", LIVE_T);

	/* bob on B is logged in by services on A's side: the line crosses */
	cl_send(svc, ":svc.test METADATA bob accountname :bobacct");
	cl_expect(alice, PFX("bob") "ACCOUNT bobacct$", LIVE_T);
	cl_expect(bob, SRV_B "900 bob bob![^ ]+ bobacct :", LIVE_T);
	cl_send(alice, "WHOIS bob");
	cl_expect(alice, SRV_A "330 alice bob bobacct :is logged in as$", LIVE_T);

	/* untrusted values and targets are refused, nothing changes */
	cl_send(svc, ":svc.test METADATA alice accountname :bad;acct");
	cl_send(svc, ":svc.test METADATA alice accountname :has space");
	cl_send(svc, ":svc.test METADATA alice host :bad host");
	cl_send(svc, ":svc.test METADATA alice certfp :nothex!");
	cl_send(svc, ":svc.test METADATA nosuch accountname :x");
	cl_send(svc, ":svc.test METADATA alice");
	cl_send(svc, ":svc.test METADATA alice somekey :unknown keys pass");
	cl_expect_none(bob, "ACCOUNT|CHGHOST", LIVE_T);
	cl_send(bob, "WHOIS alice");
	cl_expect(bob, SRV_B "330 bob alice aliceacct :is logged in as$", LIVE_T);

	/* host and real name (vhost from services): CHGHOST and SETNAME */
	cl_send(svc, ":svc.test METADATA alice host :alice.users.test");
	cl_expect(bob, PFX("alice") "CHGHOST ~?alice alice\\.users\\.test$", LIVE_T);
	cl_expect(alice, PFX("alice") "CHGHOST ~?alice alice\\.users\\.test$", LIVE_T);
	cl_send(svc, ":svc.test METADATA alice info :Alice A");
	cl_expect(bob, "^:alice![^ ]+@alice\\.users\\.test SETNAME :Alice A$", LIVE_T);
	cl_send(bob, "WHOIS alice");
	cl_expect(bob, SRV_B "311 bob alice ~?alice alice\\.users\\.test \\* :Alice A$", LIVE_T);
	/* bob's SETNAME on B: alice sees it on A, WHOIS there has it */
	cl_send(bob, "SETNAME :Bob Renamed");
	cl_expect(alice, PFX("bob") "SETNAME :Bob Renamed$", LIVE_T);
	cl_send(alice, "WHOIS bob");
	cl_expect(alice, SRV_A "311 alice bob ~?bob 127\\.0\\.0\\.1 \\* :Bob Renamed$", LIVE_T);

	/* a server linked later gets the account in its burst */
	carol = cl_caps(a, "carol", "account-notify");
	cl_send(svc, ":svc.test METADATA carol accountname :carolacct");
	cl_expect(carol, SRV_A "900 carol ", LIVE_T);
	ck_assert_int_eq(srv_stop(b), 0);
	b = start_b(a);
	ck_assert_msg(srv_log_wait(b, "link a\\.test: burst complete", LINK_T),
	    "b never relinked:\n%s", srv_log_tail(b));
	bob = cl_caps(b, "bob", "account-notify");
	cl_send(bob, "WHOIS carol");
	cl_expect(bob, SRV_B "330 bob carol carolacct :is logged in as$", LIVE_T);

	/* logout: ACCOUNT * on B, no 330 */
	cl_join(carol, "#m");
	cl_join(bob, "#m");
	cl_send(svc, ":svc.test METADATA carol accountname :");
	cl_expect(carol, SRV_A "901 carol ", LIVE_T);
	cl_expect(bob, PFX("carol") "ACCOUNT \\*$", LIVE_T);
	cl_send(bob, "WHOIS carol");
	cl_expect_none(bob, " 330 bob carol ", LIVE_T);
	srv_stop(b);
}
END_TEST

/* ---- the tag dialect between evircd servers ---- */

#define V3CAPS "message-tags server-time echo-message account-tag account-notify"

/* tag: the value of tag key in line (from its tag section) into buf;
 * fails the test when absent. */
static const char *
tag(const char *line, const char *key, char *buf, size_t size)
{
	char re[64];

	snprintf(re, sizeof(re), "^@([^ ]*;)?%s=([^ ;]*)", key);
	ck_assert_msg(rx_group(line, re, 2, buf, size), "no %s tag in: %s", key, line);
	return buf;
}

/* chain: a.test <- b.test <- c.test (B and C connect, each a hub for the
 * other side); fills in the three servers, all linked. */
static void
chain(struct srv **a, struct srv **b, struct srv **c)
{
	char conf[768];

	*a = srv_start("[server]\nname = a.test\n"
		       "[link]\nname = b.test\npassword = linkpw\nhub = yes\n"
		       "[link]\nname = svc.test\npassword = svcpw\nservices = yes\n");
	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\npassword = linkpw\n"
	    "hub = yes\nautoconnect = yes\nconnect_retry = 1\n"
	    "[link]\nname = c.test\npassword = linkpw2\nhub = yes\n"
	    "[link]\nname = svc.test\nservices = yes\n",
	    (*a)->port);
	*b = srv_start(conf);
	ck_assert_msg(srv_log_wait(*b, "link a\\.test: burst complete", LINK_T),
	    "b never linked:\n%s", srv_log_tail(*b));
	snprintf(conf, sizeof(conf),
	    "[server]\nname = c.test\n"
	    "[link]\nname = b.test\naddress = 127.0.0.1\nport = %d\npassword = linkpw2\n"
	    "hub = yes\nautoconnect = yes\nconnect_retry = 1\n"
	    "[link]\nname = svc.test\nservices = yes\n",
	    (*b)->port);
	*c = srv_start(conf);
	ck_assert_msg(srv_log_wait(*c, "link b\\.test: burst complete", LINK_T),
	    "c never linked:\n%s", srv_log_tail(*c));
	ck_assert_msg(srv_log_wait(*a, "server c\\.test introduced by b\\.test", LINK_T),
	    "a never heard of c:\n%s", srv_log_tail(*a));
}

/* Clients with message-tags, server-time and echo-message on A, B and C
 * (A-B-C) see the same msgid and time for the same message, client-only
 * tags and TAGMSG travel, a private message across two links keeps its
 * msgid, and JOIN/TOPIC/NICK/PART keep the time of their origin. */
START_TEST(t_tags_chain)
{
	struct srv *a, *b, *c;
	struct cl *alice, *bob, *carol;
	char id[80], tm[64], v[80];
	const char *l;

	chain(&a, &b, &c);
	alice = cl_caps(a, "alice", V3CAPS);
	bob = cl_caps(b, "bob", V3CAPS);
	carol = cl_caps(c, "carol", V3CAPS);
	tjoin(alice, "#t");
	tjoin(bob, "#t");
	cl_expect(alice, " :bob![^ ]+ JOIN #t$", LIVE_T);
	tjoin(carol, "#t");
	cl_expect(alice, " :carol![^ ]+ JOIN #t$", LIVE_T);
	cl_expect(bob, " :carol![^ ]+ JOIN #t$", LIVE_T);

	/* a channel message from A, seen on A (echo), B and C */
	cl_send(alice, "@+example.com/x=y\\sz PRIVMSG #t :hello chain");
	l = cl_expect(alice, " :alice![^ ]+ PRIVMSG #t :hello chain$", LIVE_T);
	tag(l, "msgid", id, sizeof(id));
	tag(l, "time", tm, sizeof(tm));
	l = cl_expect(bob, " :alice![^ ]+ PRIVMSG #t :hello chain$", LIVE_T);
	ck_assert_str_eq(tag(l, "msgid", v, sizeof(v)), id);
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), tm);
	ck_assert_str_eq(tag(l, "\\+example\\.com/x", v, sizeof(v)), "y\\sz");
	l = cl_expect(carol, " :alice![^ ]+ PRIVMSG #t :hello chain$", LIVE_T);
	ck_assert_str_eq(tag(l, "msgid", v, sizeof(v)), id);
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), tm);
	ck_assert_str_eq(tag(l, "\\+example\\.com/x", v, sizeof(v)), "y\\sz");

	/* from C the other way; a NOTICE too */
	cl_send(carol, "NOTICE #t :notice from c");
	l = cl_expect(carol, " :carol![^ ]+ NOTICE #t :notice from c$", LIVE_T);
	tag(l, "msgid", id, sizeof(id));
	tag(l, "time", tm, sizeof(tm));
	l = cl_expect(alice, " :carol![^ ]+ NOTICE #t :notice from c$", LIVE_T);
	ck_assert_str_eq(tag(l, "msgid", v, sizeof(v)), id);
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), tm);

	/* TAGMSG travels (client-only tags only) */
	cl_send(bob, "@+typing=active TAGMSG #t");
	l = cl_expect(bob, " :bob![^ ]+ TAGMSG #t$", LIVE_T);
	tag(l, "msgid", id, sizeof(id));
	l = cl_expect(alice, " :bob![^ ]+ TAGMSG #t$", LIVE_T);
	ck_assert_str_eq(tag(l, "msgid", v, sizeof(v)), id);
	ck_assert_str_eq(tag(l, "\\+typing", v, sizeof(v)), "active");
	l = cl_expect(carol, " :bob![^ ]+ TAGMSG #t$", LIVE_T);
	ck_assert_str_eq(tag(l, "\\+typing", v, sizeof(v)), "active");

	/* a private message C -> A, through B */
	cl_send(carol, "@+example.com/pm=1 PRIVMSG alice :private across");
	l = cl_expect(carol, " :carol![^ ]+ PRIVMSG alice :private across$", LIVE_T);
	tag(l, "msgid", id, sizeof(id));
	tag(l, "time", tm, sizeof(tm));
	l = cl_expect(alice, " :carol![^ ]+ PRIVMSG alice :private across$", LIVE_T);
	ck_assert_str_eq(tag(l, "msgid", v, sizeof(v)), id);
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), tm);
	ck_assert_str_eq(tag(l, "\\+example\\.com/pm", v, sizeof(v)), "1");
	cl_send(alice, "@+typing=done TAGMSG carol");
	l = cl_expect(carol, " :alice![^ ]+ TAGMSG carol$", LIVE_T);
	ck_assert_str_eq(tag(l, "\\+typing", v, sizeof(v)), "done");

	/* other events keep the time of the server they happened on */
	cl_send(alice, "TOPIC #t :topic from a");
	l = cl_expect(alice, " :alice![^ ]+ TOPIC #t :topic from a$", LIVE_T);
	tag(l, "time", tm, sizeof(tm));
	l = cl_expect(carol, " :alice![^ ]+ TOPIC #t :topic from a$", LIVE_T);
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), tm);
	cl_send(alice, "NICK alicia");
	l = cl_expect(alice, " :alice![^ ]+ NICK :alicia$", LIVE_T);
	tag(l, "time", tm, sizeof(tm));
	l = cl_expect(carol, " :alice![^ ]+ NICK :alicia$", LIVE_T);
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), tm);
	cl_send(bob, "PART #t :bye");
	l = cl_expect(bob, " :bob![^ ]+ PART #t :bye$", LIVE_T);
	tag(l, "time", tm, sizeof(tm));
	l = cl_expect(alice, " :bob![^ ]+ PART #t :bye$", LIVE_T);
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), tm);
	l = cl_expect(carol, " :bob![^ ]+ PART #t :bye$", LIVE_T);
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), tm);
	srv_stop(c);
	srv_stop(b);
}
END_TEST

/* account-tag and account-notify across two links: services on A log in
 * a user on C and one on A; B and C show the accounts. */
START_TEST(t_tags_account)
{
	struct srv *a, *b, *c;
	struct cl *alice, *bob, *carol, *svc;
	const char *l;

	chain(&a, &b, &c);
	svc = svc_link(a);
	alice = cl_caps(a, "alice", V3CAPS " extended-join");
	bob = cl_caps(b, "bob", V3CAPS " extended-join");
	carol = cl_caps(c, "carol", V3CAPS " extended-join");
	tjoin(alice, "#t");
	tjoin(bob, "#t");
	cl_expect(alice, " :bob![^ ]+ JOIN #t \\* :Real bob$", LIVE_T);
	cl_expect(svc, "^:a\\.test NICK carol ", LIVE_T); /* A knows carol now */
	cl_send(svc, ":svc.test METADATA carol accountname :carolacct");
	cl_expect(carol, " 900 carol ", LIVE_T);
	tjoin(carol, "#t");
	cl_expect(alice, " :carol![^ ]+ JOIN #t carolacct :Real carol$", LIVE_T);
	cl_expect(bob, " :carol![^ ]+ JOIN #t carolacct :Real carol$", LIVE_T);
	cl_send(svc, ":svc.test METADATA alice accountname :aliceacct");
	cl_expect(bob, " :alice![^ ]+ ACCOUNT aliceacct$", LIVE_T);
	cl_expect(carol, " :alice![^ ]+ ACCOUNT aliceacct$", LIVE_T);
	cl_send(carol, "WHOIS alice");
	cl_expect(carol, " 330 carol alice aliceacct :is logged in as$", LIVE_T);
	cl_send(alice, "PRIVMSG #t :tagged by account");
	l = cl_expect(carol, " :alice![^ ]+ PRIVMSG #t :tagged by account$", LIVE_T);
	ck_assert_msg(rx_match(l, "^@([^ ]*;)?account=aliceacct[; ]"), "no account tag: %s", l);
	cl_send(carol, "PRIVMSG #t :and from c");
	l = cl_expect(alice, " :carol![^ ]+ PRIVMSG #t :and from c$", LIVE_T);
	ck_assert_msg(rx_match(l, "^@([^ ]*;)?account=carolacct[; ]"), "no account tag: %s", l);
	l = cl_expect(bob, " :carol![^ ]+ PRIVMSG #t :and from c$", LIVE_T);
	ck_assert_msg(rx_match(l, "^@([^ ]*;)?account=carolacct[; ]"), "no account tag: %s", l);
	srv_stop(c);
	srv_stop(b);
}
END_TEST

/* A peer that claims the tag dialect is still untrusted: a bad msgid or
 * time is replaced, good ones are kept; a peer that did not claim it gets
 * no tags (the PASS of a plain peer). */
START_TEST(t_tags_untrusted)
{
	struct srv *a = srv_start("[server]\nname = a.test\n"
				  "[link]\nname = b.test\npassword = linkpw\n"
				  "[link]\nname = p.test\npassword = plainpw\n");
	struct cl *alice = cl_caps(a, "alice", V3CAPS);
	struct cl *fake = cl_connect(a->port), *plain;
	char v[80];
	const char *l;

	tjoin(alice, "#c");
	fake->strict = 0;
	snprintf(fake->name, sizeof(fake->name), "fake");
	cl_send(fake, "PASS linkpw 0210-IRC+ evircd|0.0:CLMT P");
	cl_send(fake, "SERVER b.test 1 :fake evircd");
	cl_expect(fake, "^:a\\.test PING :a\\.test$", LIVE_T);
	cl_send(fake, ":b.test PONG a.test :a.test");
	cl_send(fake, ":b.test NICK dave 1 ~dave 10.0.0.9 1 + :Dave");
	cl_send(fake, ":dave JOIN #c");
	cl_expect(alice, " :dave![^ ]+ JOIN #c$", LIVE_T);
	/* kept */
	cl_send(fake, "@msgid=fixed-id.1;time=2020-01-02T03:04:05.678Z :dave PRIVMSG #c :good");
	l = cl_expect(alice, " :dave![^ ]+ PRIVMSG #c :good$", LIVE_T);
	ck_assert_str_eq(tag(l, "msgid", v, sizeof(v)), "fixed-id.1");
	ck_assert_str_eq(tag(l, "time", v, sizeof(v)), "2020-01-02T03:04:05.678Z");
	/* replaced: a msgid with a space escape, a time that is not one */
	cl_send(fake, "@msgid=bad\\sid;time=yesterday :dave PRIVMSG #c :bad");
	l = cl_expect(alice, " :dave![^ ]+ PRIVMSG #c :bad$", LIVE_T);
	ck_assert_str_ne(tag(l, "msgid", v, sizeof(v)), "bad\\sid");
	ck_assert_msg(rx_match(l, "^@([^ ]*;)?time=20[0-9][0-9]-[0-9-]+T[0-9:.]+Z[; ]"),
	    "bad time: %s", l);
	ck_assert_msg(!rx_match(l, "yesterday"), "bad time relayed: %s", l);
	cl_send(fake, "@msgid=;time=2020-13-02T03:04:05Z :dave PRIVMSG #c :empty");
	l = cl_expect(alice, " :dave![^ ]+ PRIVMSG #c :empty$", LIVE_T);
	ck_assert_msg(rx_match(l, "^@([^ ]*;)?msgid=[^ ;]+"), "no msgid: %s", l);
	ck_assert_msg(!rx_match(l, "2020-13"), "bad time relayed: %s", l);
	/* our tags go to the tag peer */
	cl_send(alice, "@+x=1 PRIVMSG #c :to the tag peer");
	cl_expect(fake, "^@time=[^ ]+;msgid=[^ ]+;\\+x=1 :alice PRIVMSG #c :to the tag peer$",
	    LIVE_T);

	/* a peer without T (an evircd-named one without the flag, too) gets
	 * plain lines and its tags are not read */
	plain = cl_connect(a->port);
	plain->strict = 0;
	snprintf(plain->name, sizeof(plain->name), "plain");
	cl_send(plain, "PASS plainpw 0210-IRC+ evircd|0.0:CLM P");
	cl_send(plain, "SERVER p.test 1 :plain peer");
	cl_expect(plain, "^:a\\.test PING :a\\.test$", LIVE_T);
	cl_send(plain, ":p.test PONG a.test :a.test");
	cl_send(plain, ":p.test NICK erin 1 ~erin 10.0.0.8 1 + :Erin");
	cl_send(plain, ":erin JOIN #c");
	cl_expect(alice, " :erin![^ ]+ JOIN #c$", LIVE_T);
	cl_send(plain, "@msgid=from-plain;+y=2 :erin PRIVMSG #c :plain peer");
	l = cl_expect(alice, " :erin![^ ]+ PRIVMSG #c :plain peer$", LIVE_T);
	ck_assert_str_ne(tag(l, "msgid", v, sizeof(v)), "from-plain");
	ck_assert_msg(!rx_match(l, "\\+y="), "client tag from a plain peer: %s", l);
	cl_send(alice, "@+x=1 PRIVMSG #c :plain again");
	cl_expect(plain, "^:alice PRIVMSG #c :plain again$", LIVE_T);
	cl_send(alice, "@+x=1 TAGMSG #c");
	cl_send(alice, "PRIVMSG erin :pm plain");
	cl_expect(plain, "^:alice PRIVMSG erin :pm plain$", LIVE_T);
	cl_expect_none(plain, "TAGMSG|^@", LIVE_T);
}
END_TEST

/* ---- ngIRCd from Debian ---- */

/* With the real ngIRCd (which claims IRC+ M): accounts set by services
 * on A's side reach ngIRCd (its WHOIS shows 330 for an evircd user and
 * for its own user), and ngIRCd's users keep working as before. */
START_TEST(t_meta_ngircd)
{
	int port = live_free_port();
	struct srv *a = srv_start("[server]\nname = a.test\n"
				  "[link]\nname = ng.test\nsend_password = toevng\n"
				  "accept_password = frominng\nhub = yes\n"
				  "[link]\nname = svc.test\npassword = svcpw\nservices = yes\n");
	struct cl *alice = cl_caps(a, "alice", "account-notify setname"), *svc, *nina;

	svc = svc_link(a);
	char hostport[64];

	snprintf(hostport, sizeof(hostport), "Host = 127.0.0.1\nPort = %d\n", a->port);
	ck_assert_msg(ng_start(port, hostport, NULL) == 0, "ngircd did not start");
	ck_assert_msg(srv_log_wait(a, "link ng\\.test: burst complete", LINK_T),
	    "ngircd did not link in:\n%s", srv_log_tail(a));
	nina = cl_connect(port);
	nina->strict = 0;
	snprintf(nina->name, sizeof(nina->name), "nina");
	cl_send(nina, "NICK nina");
	cl_send(nina, "USER nina 0 * :Nina N");
	cl_expect(nina, "^:ng\\.test 376 nina ", 10000);
	cl_join(alice, "#ng");
	cl_send(nina, "JOIN #ng");
	cl_expect(alice, PFX("nina") "JOIN #ng$", 10000);

	cl_send(svc, ":svc.test METADATA alice accountname :aliceacct");
	cl_expect(alice, SRV_A "900 alice ", LIVE_T);
	cl_send(svc, ":svc.test METADATA nina accountname :ninaacct");
	cl_expect(alice, PFX("nina") "ACCOUNT ninaacct$", LIVE_T);
	/* sync: this PRIVMSG follows both METADATA lines down the a.test ->
	 * ng.test link, so once nina has it ngIRCd has taken them (the WHOIS
	 * below goes to ngIRCd on another socket and could overtake them) */
	cl_send(alice, "PRIVMSG nina :sync");
	cl_expect(nina, PFX("alice") "PRIVMSG nina :sync$", 10000);
	/* ngIRCd took both: its WHOIS shows 330 */
	cl_send(nina, "WHOIS alice");
	cl_expect(nina, "^:ng\\.test 330 nina alice aliceacct :", 10000);
	cl_send(nina, "WHOIS nina");
	cl_expect(nina, "^:ng\\.test 330 nina nina ninaacct :", 10000);
	cl_send(alice, "WHOIS nina");
	cl_expect(alice, SRV_A "330 alice nina ninaacct :is logged in as$", LIVE_T);
	/* and plain lines still flow both ways */
	cl_send(nina, "PRIVMSG #ng :still plain");
	cl_expect(alice, PFX("nina") "PRIVMSG #ng :still plain$", 10000);
	cl_send(alice, "PRIVMSG #ng :from evircd");
	cl_expect(nina, PFX("alice") "PRIVMSG #ng :from evircd$", 10000);
	/* a SETNAME on evircd reaches ngIRCd as METADATA info */
	cl_send(alice, "SETNAME :Alice Renamed");
	cl_expect(alice, PFX("alice") "SETNAME :Alice Renamed$", LIVE_T);
	cl_send(alice, "PRIVMSG #ng :after setname"); /* the same link, in order */
	cl_expect(nina, PFX("alice") "PRIVMSG #ng :after setname$", 10000);
	cl_send(nina, "WHOIS alice");
	cl_expect(nina, "^:ng\\.test 311 nina alice ~?alice 127\\.0\\.0\\.1 \\* :Alice Renamed$",
	    10000);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_link_v3");
	TCase *tc = live_tcase("link_v3", 90);

	tcase_add_checked_fixture(tc, NULL, ng_stop);
	tcase_add_test(tc, t_meta_account_across);
	tcase_add_test(tc, t_tags_chain);
	tcase_add_test(tc, t_tags_account);
	tcase_add_test(tc, t_tags_untrusted);
	if (ng_installed())
		tcase_add_test(tc, t_meta_ngircd);
	else
		printf("SKIP t_meta_ngircd: ngircd is not installed (Debian: ngircd)\n");
	suite_add_tcase(s, tc);
	return live_run(s);
}
