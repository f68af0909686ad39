/*
 * live_link: server links (docs/NETWORK.md) over real loopback sockets:
 * two evircd processes linked (burst, JOIN/PRIVMSG/MODE/TOPIC/KICK/NICK/
 * QUIT across, WHOIS 312, LUSERS and LINKS network-wide, netsplit QUITs
 * with "<our server> <lost server>"), a bad password, malformed
 * server-protocol input, and evircd linked with the real ngIRCd from
 * Debian (`ngircd`, started here on a loopback port, killed by pid).
 * References: RFC 2813 §4, §5.8; ngIRCd doc/Protocol.txt.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "limhelp.h"
#include "livelib.h"
#include "nglib.h"

#define SRV_B  "^:b\\.test "
#define LINK_T 15000 /* a link comes up within this (valgrind is slow) */

/* conf_hub: server a.test (the livelib default name is irc.test) that
 * accepts b.test. */
static const char *conf_a = "[server]\nname = a.test\n"
			    "[link]\nname = b.test\npassword = linkpw\nhub = no\n";

/* start_b: b.test, connecting to a's port. */
static struct srv *
start_b(struct srv *a, const char *password)
{
	char conf[512];

	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\npassword = %s\n"
	    "autoconnect = yes\nconnect_retry = 1\n",
	    a->port, password);
	return srv_start(conf);
}

/* A user on A and a user on B see each other's channel traffic, the
 * burst carried what existed before the link, and a netsplit quits the
 * users behind the link with "a.test b.test". */
START_TEST(t_link_two_servers)
{
	struct srv *a = srv_start(conf_a), *b;
	struct cl *alice = cl_new(a, "alice"), *bob, *carol;

	/* state before the link: sent in the burst */
	cl_join(alice, "#c");
	cl_send(alice, "TOPIC #c :before the link");
	cl_expect(alice, PFX("alice") "TOPIC #c :before the link$", LIVE_T);
	cl_send(alice, "MODE #c +k sekrit");
	cl_expect(alice, PFX("alice") "MODE #c \\+k sekrit$", LIVE_T);

	b = start_b(a, "linkpw");
	ck_assert_msg(srv_log_wait(b, "link a\\.test: burst complete", LINK_T),
	    "b never linked:\n%s", srv_log_tail(b));
	ck_assert_msg(srv_log_wait(a, "link b\\.test: burst complete", LINK_T),
	    "a never finished:\n%s", srv_log_tail(a));
	bob = cl_new(b, "bob");
	carol = cl_new(b, "carol");

	/* the burst: channel with topic, key and alice as operator */
	cl_send(bob, "JOIN #c wrongkey");
	cl_expect(bob, SRV_B "475 bob #c ", LIVE_T);
	cl_send(bob, "JOIN #c sekrit");
	cl_expect(bob, PFX("bob") "JOIN #c$", LIVE_T);
	cl_expect(bob, SRV_B "332 bob #c :before the link$", LIVE_T);
	cl_expect(bob, SRV_B "353 bob = #c :(@alice bob|bob @alice)$", LIVE_T);
	cl_expect(alice, PFX("bob") "JOIN #c$", LIVE_T);

	/* messages both ways, to the channel and to a user */
	cl_send(bob, "PRIVMSG #c :hello from b");
	cl_expect(alice, PFX("bob") "PRIVMSG #c :hello from b$", LIVE_T);
	cl_send(alice, "PRIVMSG bob :hello bob");
	cl_expect(bob, PFX("alice") "PRIVMSG bob :hello bob$", LIVE_T);
	cl_send(bob, "NOTICE alice :notice to a");
	cl_expect(alice, PFX("bob") "NOTICE alice :notice to a$", LIVE_T);

	/* MODE and TOPIC from A reach B; B's member mode is known on A */
	cl_send(alice, "MODE #c +v bob");
	cl_expect(bob, PFX("alice") "MODE #c \\+v bob$", LIVE_T);
	cl_send(alice, "TOPIC #c :after the link");
	cl_expect(bob, PFX("alice") "TOPIC #c :after the link$", LIVE_T);
	cl_send(alice, "NAMES #c");
	cl_expect(alice, "^:a\\.test 353 alice = #c :(@alice \\+bob|\\+bob @alice)$", LIVE_T);

	/* queries: WHOIS 312 names the user's server; counts are global */
	cl_send(alice, "WHOIS bob");
	cl_expect(alice, "^:a\\.test 311 alice bob ~?bob 127\\.0\\.0\\.1 \\* :Real bob$", LIVE_T);
	cl_expect(alice, "^:a\\.test 312 alice bob b\\.test :", LIVE_T);
	cl_expect(alice, "^:a\\.test 318 alice bob :", LIVE_T);
	cl_send(alice, "WHO bob");
	cl_expect(alice,
	    "^:a\\.test 352 alice \\* ~?bob 127\\.0\\.0\\.1 b\\.test bob H :1 Real bob$", LIVE_T);
	cl_send(alice, "WHO b.test"); /* a mask: remote users by their server */
	cl_expect(alice, "^:a\\.test 352 alice \\* ~?bob 127\\.0\\.0\\.1 b\\.test bob H :1 ",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 352 alice \\* ~?carol 127\\.0\\.0\\.1 b\\.test carol H :1 ",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 315 alice b\\.test :", LIVE_T);
	cl_send(bob, "WHOIS alice");
	cl_expect(bob, SRV_B "312 bob alice a\\.test :", LIVE_T);
	/* AWAY travels; a message sent after it on the same link orders it */
	cl_send(bob, "AWAY :out to lunch");
	cl_send(bob, "PRIVMSG alice :after away");
	cl_expect(alice, PFX("bob") "PRIVMSG alice :after away$", LIVE_T);
	cl_send(alice, "WHOIS bob");
	cl_expect(alice, "^:a\\.test 301 alice bob :out to lunch$", LIVE_T);
	cl_send(bob, "AWAY");
	cl_send(bob, "PRIVMSG alice :back");
	cl_expect(alice, PFX("bob") "PRIVMSG alice :back$", LIVE_T);
	cl_send(alice, "WHOIS bob");
	cl_expect_none(alice, " 301 alice bob ", LIVE_T);
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 3 users and 0 invisible on 2 servers$",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 255 alice :I have 1 clients and 1 servers$", LIVE_T);
	cl_expect(alice, "^:a\\.test 266 alice 3 3 ", LIVE_T);
	cl_send(bob, "LINKS");
	cl_expect(bob, SRV_B "364 bob b\\.test b\\.test :0 ", LIVE_T);
	cl_expect(bob, SRV_B "364 bob a\\.test b\\.test :1 ", LIVE_T);
	cl_expect(bob, SRV_B "365 bob \\* :", LIVE_T);

	/* NICK and KICK across */
	cl_send(bob, "NICK bobby");
	cl_expect(alice, PFX("bob") "NICK :bobby$", LIVE_T);
	cl_send(alice, "KICK #c bobby :out you go");
	cl_expect(bob, PFX("alice") "KICK #c bobby :out you go$", LIVE_T);
	cl_send(alice, "PRIVMSG #c :nobody from b");
	cl_send(bob, "JOIN #c sekrit");
	cl_expect(alice, PFX("bobby") "JOIN #c$", LIVE_T);
	/* the kicked member did not get the message sent while outside */
	cl_expect_none(bob, "nobody from b", LIVE_T);

	/* QUIT of a remote user */
	cl_send(carol, "JOIN #c sekrit");
	cl_expect(alice, PFX("carol") "JOIN #c$", LIVE_T);
	cl_send(carol, "QUIT :carol leaves");
	cl_expect(alice, PFX("carol") "QUIT :Quit: carol leaves$", LIVE_T);

	/* netsplit: B goes away, its users quit on A with the split reason */
	ck_assert_int_eq(srv_stop(b), 0);
	cl_expect(alice, PFX("bobby") "QUIT :a\\.test b\\.test$", LIVE_T);
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 1 users and 0 invisible on 1 servers$",
	    LIVE_T);
	cl_send(alice, "WHOIS bobby");
	cl_expect(alice, "^:a\\.test 401 alice bobby ", LIVE_T);
}
END_TEST

/* A wrong link password is refused with ERROR; no link, A keeps running. */
START_TEST(t_link_bad_password)
{
	struct srv *a = srv_start(conf_a), *b;
	struct cl *alice = cl_new(a, "alice");

	b = start_b(a, "wrongpw");
	ck_assert_msg(srv_log_wait(a, "link b\\.test .*bad password", LINK_T),
	    "no bad password on a:\n%s", srv_log_tail(a));
	ck_assert_msg(srv_log_wait(b, "Bad password", LINK_T), "b was not told:\n%s",
	    srv_log_tail(b));
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 1 users and 0 invisible on 1 servers$",
	    LIVE_T);
	srv_stop(b);
}
END_TEST

/* A [link] with an address accepts that peer only from it: b.test comes
 * from 127.0.0.1 but A expects it from 127.0.0.2, so A refuses the link
 * (and links once the address matches, checked by every other test whose
 * accepting side names 127.0.0.1). */
START_TEST(t_link_wrong_address)
{
	struct srv *a = srv_start("[server]\nname = a.test\n"
				  "[link]\nname = b.test\naddress = 127.0.0.2\nport = 1\n"
				  "password = linkpw\n"),
		   *b;
	struct cl *alice = cl_new(a, "alice");

	b = start_b(a, "linkpw");
	ck_assert_msg(srv_log_wait(a,
			  "link from 127\\.0\\.0\\.1: b\\.test must connect from 127\\.0\\.0\\.2",
			  LINK_T),
	    "a took b.test from the wrong address:\n%s", srv_log_tail(a));
	ck_assert_msg(srv_log_wait(b, "Server not configured here", LINK_T), "b was not told:\n%s",
	    srv_log_tail(b));
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 1 users and 0 invisible on 1 servers$",
	    LIVE_T);
	srv_stop(b);
}
END_TEST

/* tls = yes: B connects to A's TLS listener; the link works as over a
 * plain socket. */
START_TEST(t_link_tls)
{
	const char *crt = live_cert("linka", "a.test");
	struct srv *a = srv_start_tls(conf_a, crt, live_cert_key(crt)), *b;
	struct cl *alice = cl_new(a, "alice"), *bob;
	char conf[512];

	ck_assert_int_gt(a->tls_port, 0);
	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\npassword = linkpw\n"
	    "tls = yes\nautoconnect = yes\nconnect_retry = 1\n",
	    a->tls_port);
	b = srv_start(conf);
	ck_assert_msg(
	    srv_log_wait(b, "link a\\.test: connected to 127\\.0\\.0\\.1 \\(TLS\\)", LINK_T),
	    "no TLS connection:\n%s", srv_log_tail(b));
	ck_assert_msg(srv_log_wait(a, "link b\\.test: burst complete", LINK_T),
	    "no link over TLS:\n%s", srv_log_tail(a));
	bob = cl_new(b, "bob");
	cl_send(bob, "PRIVMSG alice :over tls");
	cl_expect(alice, PFX("bob") "PRIVMSG alice :over tls$", LIVE_T);
	cl_send(alice, "PRIVMSG bob :and back");
	cl_expect(bob, PFX("alice") "PRIVMSG bob :and back$", LIVE_T);
	ck_assert_int_eq(srv_stop(b), 0);
	cl_send(alice, "LINKS");
	cl_expect(alice, "^:a\\.test 365 alice ", LIVE_T);
}
END_TEST

/* accept_password may be a --mkpasswd hash: checked on the password
 * worker (input of the link paused meanwhile), then the link comes up. */
START_TEST(t_link_hashed_password)
{
	char hash[256], conf[512];
	struct srv *a, *b;
	struct cl *alice;

	snprintf(hash, sizeof(hash), "%s", lim_mkpasswd("hashedlinkpw"));
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n"
	    "[link]\nname = b.test\nsend_password = toB\naccept_password = %s\n",
	    hash);
	a = srv_start(conf);
	alice = cl_new(a, "alice");
	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\n"
	    "send_password = hashedlinkpw\naccept_password = toB\nautoconnect = yes\n"
	    "connect_retry = 1\n",
	    a->port);
	b = srv_start(conf);
	ck_assert_msg(srv_log_wait(a, "link b\\.test: burst complete", LINK_T),
	    "no link with a hashed password:\n%s", srv_log_tail(a));
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 1 users and 0 invisible on 2 servers$",
	    LIVE_T);
	srv_stop(b);
}
END_TEST

/* Operators: CONNECT links a [link] with an address now (once), SQUIT
 * closes a direct link (a netsplit on both sides); others get 481. */
START_TEST(t_link_oper_connect_squit)
{
	struct srv *a, *b;
	struct cl *op, *user, *bob;
	char conf[512];

	b = srv_start("[server]\nname = b.test\n[link]\nname = a.test\npassword = linkpw\n");
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n"
	    "[oper]\nname = admin\npassword = operpass\nhost = *\n"
	    "[link]\nname = b.test\naddress = 127.0.0.1\nport = %d\npassword = linkpw\n",
	    b->port);
	a = srv_start(conf);
	op = cl_new(a, "op");
	user = cl_new(a, "user");
	bob = cl_new(b, "bob");
	cl_send(user, "CONNECT b.test");
	cl_expect(user, "^:a\\.test 481 user :", LIVE_T);
	cl_send(user, "SQUIT b.test :no");
	cl_expect(user, "^:a\\.test 481 user :", LIVE_T);
	cl_send(op, "OPER admin operpass");
	cl_expect(op, "^:a\\.test 381 op ", LIVE_T);
	cl_send(op, "CONNECT nosuch.test");
	cl_expect(op, "^:a\\.test 402 op nosuch\\.test :", LIVE_T);
	/* no autoconnect: nothing links until CONNECT */
	cl_send(op, "LUSERS");
	cl_expect(op, "^:a\\.test 251 op :There are 2 users and 0 invisible on 1 servers$", LIVE_T);
	cl_send(op, "CONNECT b.test");
	cl_expect(op, "^:a\\.test NOTICE op :\\*\\*\\* Connecting to b\\.test ", LIVE_T);
	ck_assert_msg(srv_log_wait(a, "link b\\.test: burst complete", LINK_T),
	    "CONNECT did not link:\n%s", srv_log_tail(a));
	cl_send(op, "WHOIS bob");
	cl_expect(op, "^:a\\.test 312 op bob b\\.test :", LIVE_T);
	cl_join(op, "#s");
	cl_send(bob, "JOIN #s");
	cl_expect(op, PFX("bob") "JOIN #s$", LIVE_T);
	cl_send(op, "SQUIT b.test :maintenance");
	cl_expect(op, PFX("bob") "QUIT :a\\.test b\\.test$", LIVE_T);
	cl_expect(bob, PFX("op") "QUIT :b\\.test a\\.test$", LIVE_T);
	cl_send(op, "SQUIT b.test");
	cl_expect(op, "^:a\\.test 402 op b\\.test :", LIVE_T);
}
END_TEST

/* A link is untrusted input: malformed and out-of-place server lines are
 * dropped, unknown sources ignored, a collision kills both; the server
 * keeps serving and a valid line after them still works. */
START_TEST(t_link_malformed)
{
	struct srv *a = srv_start(conf_a);
	struct cl *alice = cl_new(a, "alice");
	struct cl *victim = cl_new(a, "victim");
	struct cl *holder = cl_new(a, "holder");
	struct cl *fake = cl_connect(a->port);

	cl_join(alice, "#c");
	cl_join(victim, "#c");
	fake->strict = 0;
	cl_send(fake, "PASS linkpw 0210-IRC+ test|1:CL P");
	cl_send(fake, "SERVER b.test 1 :fake server");
	cl_expect(fake, "^PASS linkpw 0210-IRC\\+ evircd\\|[^ ]+:CLMT P$", LIVE_T);
	cl_expect(fake, "^SERVER a\\.test 1 :", LIVE_T);
	cl_expect(fake, "^:a\\.test NICK alice 1 ~?alice 127\\.0\\.0\\.1 1 \\+ :Real alice$",
	    LIVE_T);
	cl_expect(fake, "^:a\\.test NJOIN #c :(@alice,victim|victim,@alice)$", LIVE_T);
	cl_expect(fake, "^:a\\.test PING :a\\.test$", LIVE_T);
	cl_send(fake, ":b.test PONG a.test :a.test");
	/* garbage: missing parameters, bad numbers, unknown sources,
	 * channels and nicks, a server introduced by a non-hub, ... */
	cl_send(fake, "NICK");
	cl_send(fake, ":b.test NICK x 1 u h notanumber + :r");
	cl_send(fake, ":b.test NICK y 1 u h 99 + :r"); /* unknown token */
	cl_send(fake, ":b.test NICK 1bad 1 u h 1 + :r");
	cl_send(fake, ":nobody PRIVMSG #c :from nowhere");
	cl_send(fake, ":alice PRIVMSG #c :spoofed local user");
	cl_send(fake, ":b.test NJOIN #c :@ghost,,+,@");
	cl_send(fake, ":b.test CHANINFO #new");
	cl_send(fake, ":b.test MODE #c +l notanumber");
	cl_send(fake, ":b.test MODE #c +k");
	cl_send(fake, ":b.test MODE #nochan +o alice");
	cl_send(fake, ":b.test KICK #c ghost :x");
	cl_send(fake, ":b.test SQUIT nosuch.server :x");
	cl_send(fake, ":b.test 311 ghost :x");
	cl_send(fake, ":b.test JOIN");
	cl_send(fake, "SERVER");
	/* none of it reached alice */
	cl_expect_none(alice, "from nowhere|spoofed|ghost|impostor|MODE #c", LIVE_T);
	/* a collision with a local nick kills both (RFC 2813 §5.2): the
	 * link is told to kill its newcomer, the local user goes */
	cl_send(fake, ":b.test NICK victim 1 u h 1 + :impostor");
	cl_expect(fake, "^:a\\.test KILL victim :a\\.test \\(Nick collision\\)$", LIVE_T);
	cl_expect(victim, "^ERROR :Closing Link: [^ ]+ \\(Nick collision\\)$", LIVE_T);
	cl_expect(alice, PFX("victim") "QUIT :Nick collision$", LIVE_T);
	/* a valid user still works after all that */
	cl_send(fake, ":b.test NICK dave 1 ~dave 10.0.0.9 1 +i :Dave");
	cl_send(fake, ":dave JOIN #c");
	cl_expect(alice, PFX("dave") "JOIN #c$", LIVE_T);
	cl_send(fake, ":dave PRIVMSG #c :valid");
	cl_expect(alice, PFX("dave") "PRIVMSG #c :valid$", LIVE_T);
	cl_send(alice, "PRIVMSG dave :back");
	/* down a link the prefix is the nick alone (RFC 2813 §3.3) */
	cl_expect(fake, "^:alice PRIVMSG dave :back$", LIVE_T);
	/* a remote nick change onto a local nick: both killed */
	cl_send(fake, ":b.test NICK eve 1 ~eve 10.0.0.8 1 + :Eve");
	cl_send(fake, ":eve NICK holder");
	cl_expect(fake, "^:a\\.test KILL eve :a\\.test \\(Nick collision\\)$", LIVE_T);
	cl_expect(fake, "^:a\\.test KILL holder :a\\.test \\(Nick collision\\)$", LIVE_T);
	cl_expect(holder, "^ERROR :Closing Link: [^ ]+ \\(Nick collision\\)$", LIVE_T);
	cl_send(alice, "WHOIS eve");
	cl_expect(alice, "^:a\\.test 401 alice eve ", LIVE_T);
	/* a SERVER from a non-hub closes the link with ERROR */
	cl_send(fake, ":b.test SERVER c.test 2 5 :behind b");
	cl_expect(fake, "^ERROR :Closing Link: [^ ]+ \\(Not a hub\\)$", LIVE_T);
	cl_expect(alice, PFX("dave") "QUIT :a\\.test b\\.test$", LIVE_T);
}
END_TEST

/* fake_link: a raw connection that registers as server name with
 * password pw and answers the burst's PING. */
static struct cl *
fake_link(struct srv *a, const char *name, const char *pw)
{
	struct cl *f = cl_connect(a->port);

	f->strict = 0;
	snprintf(f->name, sizeof(f->name), "%s", name);
	cl_send(f, "PASS %s 0210-IRC+ test|1:CL P", pw);
	cl_send(f, "SERVER %s 1 :fake %s", name, name);
	cl_expect(f, "^:a\\.test PING :a\\.test$", LIVE_T);
	cl_send(f, ":%s PONG a.test :a.test", name);
	return f;
}

/* services = yes (link/services.h): the services server renames users
 * (SVSNICK), sets their user modes, sends $mask notices and introduces
 * juped servers; an ordinary server can do none of it. PINGs for a
 * farther server and their PONGs are passed on (ngIRCd IRC_PING). */
START_TEST(t_link_services_powers)
{
	struct srv *a = srv_start("[server]\nname = a.test\n"
				  "[link]\nname = b.test\npassword = bpw\n"
				  "[link]\nname = svc.test\npassword = spw\nservices = yes\n");
	struct cl *alice = cl_new(a, "alice"), *b, *svc;
	const char *ls;

	/* services hold the accounts: no built-in SASL or REGISTER offered */
	cl_send(alice, "CAP LS 302");
	do {
		ls = cl_expect(alice, "^:a\\.test CAP alice LS ", LIVE_T);
		ck_assert_msg(!rx_match(ls, "sasl|account-registration"), "offered: %s", ls);
	} while (rx_match(ls, " LS \\* "));
	cl_join(alice, "#c");
	b = fake_link(a, "b.test", "bpw");
	cl_send(b, ":b.test NICK mallory 1 ~m 10.0.0.7 1 + :Mallory");
	cl_send(b, ":mallory JOIN #c");
	cl_expect(alice, PFX("mallory") "JOIN #c$", LIVE_T);
	/* an ordinary server: no SVSNICK, no modes on others' users, no
	 * servers from a non-hub */
	cl_send(b, ":b.test SVSNICK alice hijacked");
	cl_send(b, ":mallory SVSNICK alice hijacked");
	cl_send(b, ":mallory MODE alice +i");
	cl_send(b, ":b.test MODE alice -w");
	cl_send(b, ":b.test METADATA alice accountname :stolen");
	cl_send(b, ":b.test METADATA alice host :evil.example");
	cl_expect_none(alice, "hijacked|MODE alice|stolen|evil| 900 ", LIVE_T);
	cl_send(alice, "MODE alice");
	cl_expect(alice, "^:a\\.test 221 alice \\+$", LIVE_T);

	svc = fake_link(a, "svc.test", "spw");
	cl_send(svc, ":svc.test NICK NickServ 1 NickServ svc.test 1 +io :Nickname Services");
	cl_expect(b, "^:a\\.test NICK NickServ 2 NickServ svc\\.test [0-9]+ \\+io :", LIVE_T);
	/* a private message to a pseudo-client and back */
	cl_send(alice, "PRIVMSG NickServ :HELP");
	cl_expect(svc, "^:alice PRIVMSG NickServ :HELP$", LIVE_T);
	cl_send(svc, ":NickServ NOTICE alice :no help here");
	cl_expect(alice, "^:NickServ!NickServ@svc\\.test NOTICE alice :no help here$", LIVE_T);
	/* SVSNICK: alice and her channel see the change, every link
	 * (the services link too) gets the NICK */
	cl_send(svc, ":svc.test SVSNICK alice Guest42");
	cl_expect(alice, PFX("alice") "NICK :Guest42$", LIVE_T);
	cl_expect(svc, "^:alice NICK :Guest42$", LIVE_T);
	cl_expect(b, "^:alice NICK :Guest42$", LIVE_T);
	/* onto a nick in use, or not a nick: refused */
	cl_send(svc, ":svc.test SVSNICK Guest42 mallory");
	cl_send(svc, ":NickServ SVSNICK Guest42 1bad");
	cl_expect_none(alice, "NICK", LIVE_T);
	/* SVSNICK of a user elsewhere goes on to its server */
	cl_send(svc, ":NickServ SVSNICK mallory Guest43");
	cl_expect(b, "^:NickServ SVSNICK mallory Guest43$", LIVE_T);
	/* user modes: i and w applied and shown, R and x dropped (account
	 * and host come with METADATA), o refused */
	cl_send(svc, ":NickServ MODE Guest42 +iRxo");
	cl_expect(alice, "^:NickServ!NickServ@svc\\.test MODE Guest42 :\\+i$", LIVE_T);
	cl_expect(b, "^:Guest42 MODE Guest42 \\+i$", LIVE_T);
	cl_send(svc, ":NickServ MODE mallory +R");
	cl_expect(b, "^:NickServ MODE mallory \\+R$", LIVE_T);
	/* member modes we do not have (q, a, h) go with their parameter */
	cl_send(svc, ":NickServ MODE #c +qvh Guest42 mallory Guest42");
	cl_expect(alice, "^:NickServ!NickServ@svc\\.test MODE #c \\+v mallory$", LIVE_T);
	/* an INVITE for a user of another server goes on to it */
	cl_send(svc, ":NickServ INVITE mallory #c");
	cl_expect(b, "^:NickServ INVITE mallory #c$", LIVE_T);
	cl_send(alice, "MODE Guest42");
	cl_expect(alice, "^:a\\.test 221 Guest42 \\+i$", LIVE_T);
	/* a global notice to $*.test */
	cl_send(svc, ":svc.test NOTICE $*.test :maintenance at noon");
	cl_expect(alice, "^:svc\\.test NOTICE Guest42 :maintenance at noon$", LIVE_T);
	cl_expect(b, "^:svc\\.test NOTICE \\$\\*\\.test :maintenance at noon$", LIVE_T);
	cl_send(svc, ":svc.test NOTICE $other.example :not for us");
	cl_expect_none(alice, "not for us", LIVE_T);
	/* PING for a farther server and its PONG travel (Anope's sync) */
	cl_send(svc, ":svc.test PING svc.test :b.test");
	cl_expect(b, "^:svc\\.test PING svc\\.test :b\\.test$", LIVE_T);
	cl_send(b, ":b.test PONG svc.test :svc.test");
	cl_expect(svc, "^:b\\.test PONG svc\\.test :svc\\.test$", LIVE_T);
	/* a juped server from the services link (no hub) is taken */
	cl_send(svc, ":svc.test SERVER jupe.test 2 7 :juped");
	cl_expect(b, "^:svc\\.test SERVER jupe\\.test 3 [0-9]+ :juped$", LIVE_T);
	cl_send(alice, "LINKS");
	cl_expect(alice, "^:a\\.test 364 Guest42 jupe\\.test svc\\.test :2 juped$", LIVE_T);
	/* a services KILL (NickServ GHOST) frees the nick at once; another
	 * server's KILL holds it for nick_delay (RFC 2813 §5.7: 437) */
	{
		struct cl *carl = cl_new(a, "carl"), *c2, *c3;
		cl_send(svc, ":NickServ KILL carl :svc.test!NickServ (GHOST command used by x)");
		cl_expect(carl, "^ERROR :Closing Link: [^ ]+ \\(Killed \\(NickServ ", LIVE_T);
		c2 = cl_new(a, "carl");
		cl_send(b, ":b.test KILL carl :b.test (go)");
		cl_expect(c2, "^ERROR :Closing Link: [^ ]+ \\(Killed \\(b\\.test ", LIVE_T);
		c3 = cl_connect(a->port);
		cl_send(c3, "NICK carl");
		cl_expect(c3, "^:a\\.test 437 \\* carl :", LIVE_T);
	}
	/* the services server leaves: its pseudo-clients go */
	cl_close(svc);
	cl_expect(b, "^:a\\.test SQUIT svc\\.test :", LIVE_T);
	cl_send(alice, "WHOIS NickServ");
	cl_expect(alice, "^:a\\.test 401 Guest42 NickServ ", LIVE_T);
}
END_TEST

/* A [link] with services = yes but no password or address names the
 * services server linked elsewhere: it is never accepted directly. */
START_TEST(t_link_services_elsewhere)
{
	struct srv *a = srv_start("[server]\nname = a.test\n"
				  "[link]\nname = svc.test\nservices = yes\n");
	struct cl *f = cl_connect(a->port);

	f->strict = 0;
	cl_send(f, "PASS anything 0210-IRC+ test|1:CL P");
	cl_send(f, "SERVER svc.test 1 :impostor");
	cl_expect(f, "^ERROR :Closing Link: [^ ]+ \\(Server not configured here\\)$", LIVE_T);
	ck_assert(srv_alive(a));
}
END_TEST

/* The account database opened at start stays open until a restart: a
 * REHASH that adds a services server beside it is refused (one account
 * authority), the old configuration stays, accounts keep working. */
START_TEST(t_link_services_rehash)
{
	char conf[512], db[300];
	struct srv *a;
	struct cl *o;

	snprintf(db, sizeof(db), "%s", lim_tmp_path("svc-rehash.db"));
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n[accounts]\ndatabase = %s\n"
	    "[oper]\nname = admin\npassword = operpass\nhost = *\n",
	    db);
	a = srv_start(conf);
	o = cl_new(a, "oper");
	cl_send(o, "OPER admin operpass");
	cl_expect(o, "^:a\\.test 381 oper ", LIVE_T);
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n"
	    "[oper]\nname = admin\npassword = operpass\nhost = *\n"
	    "[link]\nname = svc.test\npassword = spw\nservices = yes\n");
	srv_rewrite_conf(a, conf);
	cl_send(o, "REHASH");
	cl_expect(o,
	    "NOTICE oper :\\*\\*\\* Rehash failed, old configuration kept: \\[link\\] svc\\.test: "
	    "services = yes needs a restart",
	    LIVE_T);
	/* the built-in NickServ is still there */
	cl_send(o, "PRIVMSG NickServ :HELP");
	cl_expect(o, "^:NickServ![^ ]+ NOTICE oper :", LIVE_T);
	unlink(db);
}
END_TEST

/* ---- ngIRCd from Debian ---- */

/* evircd links out to the real ngIRCd: users on both sides talk across,
 * WHOIS and LUSERS see each other, and killing ngIRCd is a netsplit. */
START_TEST(t_link_ngircd)
{
	int port = live_free_port();
	char conf[512];
	struct srv *a;
	struct cl *alice, *nina;

	ck_assert_msg(ng_start(port, "", NULL) == 0,
	    "ngircd did not start on port %d (is it installed?)", port);
	snprintf(conf, sizeof(conf),
	    "[server]\nname = a.test\n"
	    "[link]\nname = ng.test\naddress = 127.0.0.1\nport = %d\n"
	    "send_password = toevng\naccept_password = frominng\nautoconnect = yes\n"
	    "connect_retry = 1\n",
	    port);
	a = srv_start(conf);
	alice = cl_new(a, "alice");
	cl_join(alice, "#net");
	cl_send(alice, "TOPIC #net :from evircd");
	cl_expect(alice, PFX("alice") "TOPIC #net :from evircd$", LIVE_T);
	ck_assert_msg(srv_log_wait(a, "link ng\\.test: burst complete", LINK_T),
	    "no link to ngircd:\n%s", srv_log_tail(a));

	nina = cl_connect(port);
	nina->strict = 0; /* ngIRCd's lines, not ours */
	cl_send(nina, "NICK nina");
	cl_send(nina, "USER nina 0 * :Nina N");
	cl_expect(nina, "^:ng\\.test 376 nina ", 10000);
	/* ngIRCd throttles its clients: every step has a generous bound */
	cl_send(nina, "JOIN #net");
	cl_expect(nina, "^:ng\\.test 332 nina #net :from evircd$", 10000);
	cl_expect(nina, "^:ng\\.test 353 nina = #net :.*@alice", 10000);
	cl_expect(alice, PFX("nina") "JOIN #net$", 10000);
	cl_send(nina, "PRIVMSG #net :hello from ngircd");
	cl_expect(alice, PFX("nina") "PRIVMSG #net :hello from ngircd$", 10000);
	cl_send(alice, "PRIVMSG #net :hello from evircd");
	cl_expect(nina, PFX("alice") "PRIVMSG #net :hello from evircd$", 10000);
	cl_send(alice, "PRIVMSG nina :private to ngircd");
	cl_expect(nina, PFX("alice") "PRIVMSG nina :private to ngircd$", 10000);
	cl_send(alice, "MODE #net +v nina");
	cl_expect(nina, PFX("alice") "MODE #net \\+v nina$", 10000);
	cl_send(alice, "WHOIS nina");
	cl_expect(alice, "^:a\\.test 312 alice nina ng\\.test :ngircd live test$", LIVE_T);
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 2 users and 0 invisible on 2 servers$",
	    LIVE_T);
	cl_send(nina, "WHOIS alice");
	cl_expect(nina, "^:ng\\.test 312 nina alice a\\.test :", 10000);
	cl_send(nina, "NICK nina2");
	cl_expect(alice, PFX("nina") "NICK :nina2$", 10000);
	cl_send(alice, "KICK #net nina2 :bye");
	cl_expect(nina, PFX("alice") "KICK #net nina2 :bye$", 10000);
	cl_send(nina, "JOIN #net");
	cl_expect(alice, PFX("nina2") "JOIN #net$", 10000);

	/* netsplit: ngIRCd dies */
	ng_stop();
	cl_expect(alice, PFX("nina2") "QUIT :a\\.test ng\\.test$", LIVE_T);
	cl_send(alice, "LINKS");
	cl_expect(alice, "^:a\\.test 364 alice a\\.test a\\.test :0 ", LIVE_T);
	cl_expect(alice, "^:a\\.test 365 alice ", LIVE_T);
}
END_TEST

/* The other direction: ngIRCd connects to evircd (a [Server] block with
 * Host and Port), evircd accepts on its listener and the users talk. */
START_TEST(t_link_ngircd_incoming)
{
	int port = live_free_port();
	char text[1024];
	struct srv *a;
	struct cl *alice, *nina;

	a = srv_start(
	    "[server]\nname = a.test\n"
	    "[link]\nname = ng.test\nsend_password = toevng\naccept_password = frominng\n");
	alice = cl_new(a, "alice");
	cl_join(alice, "#in");
	snprintf(text, sizeof(text), "Host = 127.0.0.1\nPort = %d\n", a->port);
	ck_assert_msg(ng_start(port, text, NULL) == 0, "ngircd did not start");
	ck_assert_msg(
	    srv_log_wait(a, "link ng\\.test \\(127\\.0\\.0\\.1\\) registered, incoming", LINK_T),
	    "ngircd did not link in:\n%s", srv_log_tail(a));
	ck_assert_msg(srv_log_wait(a, "link ng\\.test: burst complete", LINK_T),
	    "no end of burst:\n%s", srv_log_tail(a));
	nina = cl_connect(port);
	nina->strict = 0;
	cl_send(nina, "NICK nina");
	cl_send(nina, "USER nina 0 * :Nina N");
	cl_expect(nina, "^:ng\\.test 376 nina ", 10000);
	cl_send(nina, "JOIN #in");
	cl_expect(nina, "^:ng\\.test 353 nina = #in :.*@alice", 10000);
	cl_expect(alice, PFX("nina") "JOIN #in$", 10000);
	cl_send(nina, "PRIVMSG #in :in through ngircd's link");
	cl_expect(alice, PFX("nina") "PRIVMSG #in :in through ngircd's link$", 10000);
	cl_send(alice, "PRIVMSG #in :and back");
	cl_expect(nina, PFX("alice") "PRIVMSG #in :and back$", 10000);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_link");
	TCase *tc = live_tcase("link", 90);

	tcase_add_checked_fixture(tc, NULL, ng_stop);
	tcase_add_test(tc, t_link_two_servers);
	tcase_add_test(tc, t_link_bad_password);
	tcase_add_test(tc, t_link_wrong_address);
	tcase_add_test(tc, t_link_hashed_password);
	tcase_add_test(tc, t_link_tls);
	tcase_add_test(tc, t_link_oper_connect_squit);
	tcase_add_test(tc, t_link_malformed);
	tcase_add_test(tc, t_link_services_powers);
	tcase_add_test(tc, t_link_services_elsewhere);
	tcase_add_test(tc, t_link_services_rehash);
	if (ng_installed()) {
		tcase_add_test(tc, t_link_ngircd);
		tcase_add_test(tc, t_link_ngircd_incoming);
	} else
		printf("SKIP t_link_ngircd, t_link_ngircd_incoming: ngircd is not installed "
		       "(Debian: ngircd)\n");
	suite_add_tcase(s, tc);
	return live_run(s);
}
