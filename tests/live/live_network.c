/*
 * live_network: a whole network on loopback (issue 10 "Tests and
 * figures"): three evircd servers in a chain A - B - C and the real ngIRCd
 * from Debian linked to C, each on a free port:
 *
 *      a.test <- b.test -> c.test -> ng.test (ngIRCd)
 *
 * B connects out to A and C (autoconnect), C connects out to ngIRCd.
 * Clients on all four check, across the network: private and channel
 * messages, JOIN/MODE/TOPIC/KICK, WHOIS (312 names the user's server),
 * LUSERS totals; then B is killed (SIGKILL, by pid): A and C see the users
 * behind it quit with "<our server> <their server>" (RFC 2813 §5.8, as
 * ngIRCd words it) and the channel loses them; B is started again, its
 * autoconnect relinks both sides, and the bursts restore the same channel
 * (NAMES with prefixes, modes, topic) on every server; a nick registered
 * on both sides during the split collides at the relink (RFC 2813 §5.2:
 * both killed). Every wait is on a line or a log entry, never a sleep.
 * References: RFC 2813 §4, §5.2, §5.8; ngIRCd doc/Protocol.txt.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "livelib.h"
#include "nglib.h"

#define LINK_T 20000 /* a link comes up within this (valgrind is slow) */
#define NG_T   10000 /* ngIRCd throttles its clients */

static void
ng_teardown(void)
{
	ng_stop();
}

/* conf_b: b.test linking out to A and C (the middle of the chain). */
static struct srv *
start_b(int a_port, int c_port)
{
	char conf[1024];

	snprintf(conf, sizeof(conf),
	    "[server]\nname = b.test\n"
	    "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\npassword = ab\nhub = yes\n"
	    "autoconnect = yes\nconnect_retry = 1\n"
	    "[link]\nname = c.test\naddress = 127.0.0.1\nport = %d\npassword = bc\nhub = yes\n"
	    "autoconnect = yes\nconnect_retry = 1\n",
	    a_port, c_port);
	return srv_start(conf);
}

/* ng_client: a user on ngIRCd (its lines are not ours: not strict). */
static struct cl *
ng_client(int port, const char *nick)
{
	struct cl *c = cl_connect(port);

	c->strict = 0;
	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Real %s", nick, nick);
	cl_expectf(c, "^:ng\\.test 376 %s ", nick);
	return c;
}

/* sorted_words: the space-separated words of s, sorted, into out. */
static void
sorted_words(const char *s, char *out, size_t outlen)
{
	char buf[512], *w[64], *p, *save = NULL;
	size_t n = 0, i, j, len = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (p = strtok_r(buf, " ", &save); p != NULL && n < 64; p = strtok_r(NULL, " ", &save))
		w[n++] = p;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(w[j - 1], w[j]) > 0; j--) {
			p = w[j];
			w[j] = w[j - 1];
			w[j - 1] = p;
		}
	out[0] = '\0';
	for (i = 0; i < n && len < outlen; i++)
		len += (size_t)snprintf(out + len, outlen - len, "%s%s", i ? " " : "", w[i]);
}

/* state: what client c of server sname sees of #net: NAMES with prefixes
 * (sorted), the channel modes (letters sorted, then the parameters) and
 * the topic, as one comparable string. */
static void
state(struct cl *c, const char *sname, char *out, size_t outlen)
{
	char names[512] = "", sorted[512], modes[64] = "", letters[64], params[64] = "";
	char topic[256] = "", re[128], buf[256];
	const char *line;
	size_t n;

	cl_send(c, "NAMES #net");
	for (;;) {
		snprintf(re, sizeof(re), "^:%s (353|366) %s ", rx_esc(sname), rx_esc(c->name));
		line = cl_expect(c, re, NG_T);
		if (rx_group(line, " 353 [^ ]+ [=*@] #net :(.*)$", 1, buf, sizeof(buf))) {
			n = strlen(names);
			snprintf(names + n, sizeof(names) - n, "%s%s", n ? " " : "", buf);
			continue;
		}
		break;
	}
	sorted_words(names, sorted, sizeof(sorted));
	cl_send(c, "MODE #net");
	snprintf(re, sizeof(re), "^:%s 324 %s #net ", rx_esc(sname), rx_esc(c->name));
	line = cl_expect(c, re, NG_T);
	ck_assert(rx_group(line, " 324 [^ ]+ #net \\+([a-zA-Z]*) ?(.*)$", 1, modes, sizeof(modes)));
	rx_group(line, " 324 [^ ]+ #net \\+[a-zA-Z]* ?:?(.*)$", 1, params, sizeof(params));
	{
		/* the letters in order, so "+lnt 42" and "+ntl 42" compare */
		size_t i, j, k = strlen(modes);
		char t;
		snprintf(letters, sizeof(letters), "%s", modes);
		for (i = 1; i < k; i++)
			for (j = i; j > 0 && letters[j - 1] > letters[j]; j--) {
				t = letters[j];
				letters[j] = letters[j - 1];
				letters[j - 1] = t;
			}
	}
	cl_send(c, "TOPIC #net");
	snprintf(re, sizeof(re), "^:%s 332 %s #net :", rx_esc(sname), rx_esc(c->name));
	line = cl_expect(c, re, NG_T);
	rx_group(line, " 332 [^ ]+ #net :(.*)$", 1, topic, sizeof(topic));
	snprintf(out, outlen, "names=[%s] modes=+%s %s topic=[%s]", sorted, letters, params, topic);
}

/* msg: a private message from one user to another, awaited. */
static void
msg(struct cl *from, struct cl *to, const char *text)
{
	cl_send(from, "PRIVMSG %s :%s", to->name, text);
	cl_expectf(to, "^:%s![^ ]+ PRIVMSG %s :%s$", from->name, to->name, text);
}

/* knows: server s has registered each of the space-separated nicks. */
static void
knows(struct srv *s, const char *nicks)
{
	char buf[128], re[96], *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", nicks);
	for (p = strtok_r(buf, " ", &save); p != NULL; p = strtok_r(NULL, " ", &save)) {
		snprintf(re, sizeof(re), "event=connect nick=%s ", p);
		ck_assert_msg(srv_log_wait(s, re, LINK_T), "%s never heard of %s:\n%s", "server", p,
		    srv_log_tail(s));
	}
}

/* sync_ng: nina (on ngIRCd) has taken every line C sent it before now:
 * carol (on C) sends her a message after them, on the same link. */
static void
sync_ng(struct cl *carol, struct cl *nina)
{
	static unsigned n;

	cl_send(carol, "PRIVMSG nina :sync %u", ++n);
	cl_expectf(nina, "^:carol![^ ]+ PRIVMSG nina :sync %u$", n);
}

START_TEST(t_network)
{
	int ng_port = live_free_port();
	char conf[1024], sa[512], sb[512], sc[512], sn[512];
	struct srv *a, *b, *c;
	struct cl *alice, *bob, *carol, *nina, *dup_a, *dup_c, *bob2;

	/* nglib's ngIRCd has a [Server] for a.test (unused here); c.test is
	 * the one that links to it */
	ck_assert_msg(
	    ng_start(ng_port, "",
		"[Server]\nName = c.test\nMyPassword = toevng\nPeerPassword = frominng\n") == 0,
	    "ngircd did not start on port %d", ng_port);
	a = srv_start("[server]\nname = a.test\n"
		      "[link]\nname = b.test\npassword = ab\nhub = yes\n");
	snprintf(conf, sizeof(conf),
	    "[server]\nname = c.test\n"
	    "[link]\nname = b.test\npassword = bc\nhub = yes\n"
	    "[link]\nname = ng.test\naddress = 127.0.0.1\nport = %d\nsend_password = toevng\n"
	    "accept_password = frominng\nautoconnect = yes\nconnect_retry = 1\n",
	    ng_port);
	c = srv_start(conf);
	b = start_b(a->port, c->port);
	/* the network is whole when A has heard of ngIRCd (through B and C)
	 * and C of A */
	ck_assert_msg(srv_log_wait(a, "server ng\\.test introduced by c\\.test", LINK_T),
	    "A never heard of ng.test:\n%s", srv_log_tail(a));
	ck_assert_msg(srv_log_wait(c, "server a\\.test introduced by b\\.test", LINK_T),
	    "C never heard of a.test:\n%s", srv_log_tail(c));
	ck_assert_msg(srv_log_wait(c, "link ng\\.test: burst complete", LINK_T),
	    "C and ngIRCd did not link:\n%s", srv_log_tail(c));

	alice = cl_new(a, "alice");
	bob = cl_new(b, "bob");
	carol = cl_new(c, "carol");
	nina = ng_client(ng_port, "nina");
	/* every server knows every user (the event log records remote users'
	 * introductions too), and ngIRCd has taken what C told it */
	knows(a, "bob carol nina");
	knows(b, "alice carol nina");
	knows(c, "alice bob nina");
	sync_ng(carol, nina);

	/* private messages around the network, each over 1 to 3 links */
	cl_send(alice, "PRIVMSG bob :a to b");
	cl_expect(bob, PFX("alice") "PRIVMSG bob :a to b$", LIVE_T);
	cl_send(bob, "PRIVMSG carol :b to c");
	cl_expect(carol, PFX("bob") "PRIVMSG carol :b to c$", LIVE_T);
	cl_send(carol, "PRIVMSG nina :c to ng");
	cl_expect(nina, PFX("carol") "PRIVMSG nina :c to ng$", NG_T);
	cl_send(nina, "PRIVMSG alice :ng to a");
	cl_expect(alice, PFX("nina") "PRIVMSG alice :ng to a$", LIVE_T);
	cl_send(alice, "PRIVMSG nina :a to ng");
	cl_expect(nina, PFX("alice") "PRIVMSG nina :a to ng$", NG_T);

	/* one channel over all four servers */
	/* each joins after its server has heard of the channel (a message
	 * from alice after her JOIN, on the same links), or, as the protocol
	 * has no timestamps, it would make the channel again and be an
	 * operator of it */
	cl_join(alice, "#net");
	msg(alice, bob, "after the join");
	cl_join(bob, "#net");
	cl_expect(alice, PFX("bob") "JOIN #net$", LIVE_T);
	msg(alice, carol, "after the joins");
	cl_join(carol, "#net");
	cl_expect(alice, PFX("carol") "JOIN #net$", LIVE_T);
	/* ngIRCd reads a server link a few lines per loop: a message from C
	 * after the JOINs shows it has taken them */
	sync_ng(carol, nina);
	cl_send(nina, "JOIN #net");
	cl_expect(nina, "^:ng\\.test 353 nina = #net :.*@alice", NG_T);
	cl_expect(alice, PFX("nina") "JOIN #net$", LIVE_T);
	cl_expect(carol, PFX("nina") "JOIN #net$", LIVE_T);
	cl_expect(bob, PFX("nina") "JOIN #net$", LIVE_T);
	cl_send(nina, "PRIVMSG #net :from ngircd");
	cl_expect(alice, PFX("nina") "PRIVMSG #net :from ngircd$", LIVE_T);
	cl_expect(bob, PFX("nina") "PRIVMSG #net :from ngircd$", LIVE_T);
	cl_expect(carol, PFX("nina") "PRIVMSG #net :from ngircd$", LIVE_T);
	cl_send(alice, "PRIVMSG #net :from a");
	cl_expect(nina, PFX("alice") "PRIVMSG #net :from a$", NG_T);
	cl_expect(bob, PFX("alice") "PRIVMSG #net :from a$", LIVE_T);
	cl_expect(carol, PFX("alice") "PRIVMSG #net :from a$", LIVE_T);
	cl_send(carol, "PRIVMSG #net :from c");
	cl_expect(alice, PFX("carol") "PRIVMSG #net :from c$", LIVE_T);
	cl_expect(nina, PFX("carol") "PRIVMSG #net :from c$", NG_T);

	/* MODE, TOPIC, KICK across */
	cl_send(alice, "MODE #net +o bob");
	cl_expect(bob, PFX("alice") "MODE #net \\+o bob$", LIVE_T);
	cl_expect(nina, PFX("alice") "MODE #net \\+o bob$", NG_T);
	cl_send(bob, "MODE #net +l 42");
	cl_expect(alice, PFX("bob") "MODE #net \\+l 42$", LIVE_T);
	cl_expect(nina, PFX("bob") "MODE #net \\+l 42$", NG_T);
	cl_send(bob, "TOPIC #net :the network topic");
	cl_expect(carol, PFX("bob") "TOPIC #net :the network topic$", LIVE_T);
	cl_expect(nina, PFX("bob") "TOPIC #net :the network topic$", NG_T);
	cl_expect(alice, PFX("bob") "TOPIC #net :the network topic$", LIVE_T);
	cl_send(alice, "MODE #net +v carol");
	cl_expect(nina, PFX("alice") "MODE #net \\+v carol$", NG_T);
	cl_send(bob, "KICK #net carol :kicked across");
	cl_expect(carol, PFX("bob") "KICK #net carol :kicked across$", LIVE_T);
	cl_expect(nina, PFX("bob") "KICK #net carol :kicked across$", NG_T);
	cl_expect(alice, PFX("bob") "KICK #net carol :kicked across$", LIVE_T);
	cl_join(carol, "#net");
	cl_expect(nina, PFX("carol") "JOIN :?#net$", NG_T);
	cl_expect(alice, PFX("carol") "JOIN #net$", LIVE_T);

	/* WHOIS names each user's server; LUSERS counts the network */
	cl_send(alice, "WHOIS nina");
	cl_expect(alice, "^:a\\.test 312 alice nina ng\\.test :ngircd live test$", LIVE_T);
	cl_send(carol, "WHOIS alice");
	cl_expect(carol, "^:c\\.test 312 carol alice a\\.test :", LIVE_T);
	cl_send(bob, "WHOIS carol");
	cl_expect(bob, "^:b\\.test 312 bob carol c\\.test :", LIVE_T);
	cl_send(nina, "WHOIS bob");
	cl_expect(nina, "^:ng\\.test 312 nina bob b\\.test :", NG_T);
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 4 users and 0 invisible on 4 servers$",
	    LIVE_T);
	cl_expect(alice, "^:a\\.test 266 alice 4 4 ", LIVE_T);
	cl_send(carol, "LUSERS");
	cl_expect(carol, "^:c\\.test 251 carol :There are 4 users and 0 invisible on 4 servers$",
	    LIVE_T);
	cl_send(bob, "LUSERS");
	cl_expect(bob, "^:b\\.test 251 bob :There are 4 users and 0 invisible on 4 servers$",
	    LIVE_T);
	cl_send(nina, "LUSERS");
	cl_expect(nina, "^:ng\\.test 251 nina :There are 4 users and 0 services on 4 servers$",
	    NG_T);

	/* netsplit: B dies. A loses B, C and ngIRCd; C loses B and A. */
	kill(b->pid, SIGKILL);
	ck_assert_int_eq(srv_wait_exit(b, LIVE_T), SIGKILL);
	cl_expect(alice, PFX("bob") "QUIT :a\\.test b\\.test$", LIVE_T);
	cl_expect(alice, PFX("carol") "QUIT :a\\.test c\\.test$", LIVE_T);
	cl_expect(alice, PFX("nina") "QUIT :a\\.test ng\\.test$", LIVE_T);
	cl_expect(carol, PFX("(alice|bob)") "QUIT :c\\.test (a|b)\\.test$", LIVE_T);
	cl_expect(carol, PFX("(alice|bob)") "QUIT :c\\.test (a|b)\\.test$", LIVE_T);
	/* ngIRCd: one SQUIT from C per server lost (a.test, then b.test) */
	cl_expect(nina, PFX("alice") "QUIT :ng\\.test a\\.test$", NG_T);
	cl_expect(nina, PFX("bob") "QUIT :ng\\.test b\\.test$", NG_T);
	cl_send(alice, "NAMES #net");
	cl_expect(alice, "^:a\\.test 353 alice = #net :@alice$", LIVE_T);
	cl_send(carol, "NAMES #net");
	cl_expect(carol, "^:c\\.test 353 carol = #net :(carol nina|nina carol)$", LIVE_T);
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 1 users and 0 invisible on 1 servers$",
	    LIVE_T);
	/* the lost nicks are held on A (RFC 2813 §5.7) */
	{
		struct cl *n = cl_connect(a->port);
		cl_send(n, "NICK nina");
		cl_expect(n, "^:a\\.test 437 \\* nina :", LIVE_T);
		cl_close(n);
	}
	/* the same new nick on both sides of the split */
	dup_a = cl_new(a, "dup");
	dup_c = cl_new(c, "dup");

	/* B returns: its autoconnect links A and C again, the bursts
	 * restore #net everywhere, and "dup" collides */
	b = start_b(a->port, c->port);
	ck_assert_msg(srv_log_wait(b, "link a\\.test: burst complete", LINK_T),
	    "B did not relink to A:\n%s", srv_log_tail(b));
	ck_assert_msg(srv_log_wait(b, "link c\\.test: burst complete", LINK_T),
	    "B did not relink to C:\n%s", srv_log_tail(b));
	cl_expect(dup_a,
	    "^ERROR :Closing Link: [^ ]+ \\((Nick collision|Killed .*Nick collision.*)\\)$",
	    LINK_T);
	cl_expect(dup_c,
	    "^ERROR :Closing Link: [^ ]+ \\((Nick collision|Killed .*Nick collision.*)\\)$",
	    LINK_T);
	cl_expect(alice, PFX("(carol|nina)") "JOIN #net$", LINK_T);
	cl_expect(alice, PFX("(carol|nina)") "JOIN #net$", LINK_T);
	cl_expect(carol, PFX("alice") "JOIN #net$", LINK_T);
	cl_expect(nina, PFX("alice") "JOIN :?#net$", NG_T);

	/* after the relink: every server shows the same #net; "dup" is gone
	 * everywhere; LUSERS counts the network again */
	/* a newcomer on B joins (the key and limit show to members only) */
	bob2 = cl_new(b, "bob2");
	cl_join(bob2, "#net");
	cl_expect(alice, PFX("bob2") "JOIN #net$", LIVE_T);
	cl_expect(carol, PFX("bob2") "JOIN #net$", LIVE_T);
	cl_expect(nina, PFX("bob2") "JOIN :?#net$", NG_T);
	state(alice, "a.test", sa, sizeof(sa));
	state(bob2, "b.test", sb, sizeof(sb));
	state(carol, "c.test", sc, sizeof(sc));
	state(nina, "ng.test", sn, sizeof(sn));
	ck_assert_str_eq(sa,
	    "names=[@alice bob2 carol nina] modes=+lnt 42 topic=[the network topic]");
	ck_assert_str_eq(sb, sa);
	ck_assert_str_eq(sc, sa);
	ck_assert_str_eq(sn, sa);
	cl_send(alice, "WHOIS dup");
	cl_expect(alice, "^:a\\.test 401 alice dup ", LIVE_T);
	cl_send(bob2, "WHOIS dup");
	cl_expect(bob2, "^:b\\.test 401 bob2 dup ", LIVE_T);
	cl_send(carol, "WHOIS dup");
	cl_expect(carol, "^:c\\.test 401 carol dup ", LIVE_T);
	cl_send(nina, "WHOIS dup");
	cl_expect(nina, "^:ng\\.test 401 nina dup ", NG_T);
	cl_send(alice, "LUSERS");
	cl_expect(alice, "^:a\\.test 251 alice :There are 4 users and 0 invisible on 4 servers$",
	    LIVE_T);
	cl_send(nina, "LUSERS");
	cl_expect(nina, "^:ng\\.test 251 nina :There are 4 users and 0 services on 4 servers$",
	    NG_T);
	srv_stop(b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_network");
	TCase *tc = live_tcase("network", 120);

	if (!ng_installed()) {
		printf("SKIP live_network: ngircd is not installed (Debian: ngircd)\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, NULL, ng_teardown);
	tcase_add_test(tc, t_network);
	suite_add_tcase(s, tc);
	return live_run(s);
}
