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
	cl_register(c, nick);
	return c;
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
	cl_expect(svc, "^PASS svcpw 0210-IRC\\+ evircd\\|[^ ]+:CLM P$", LIVE_T);
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
	struct cl *alice = cl_caps(a, "alice", "account-notify"), *svc, *nina;

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
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("live_link_v3");
	TCase *tc = live_tcase("link_v3", 90);

	tcase_add_checked_fixture(tc, NULL, ng_stop);
	tcase_add_test(tc, t_meta_account_across);
	if (ng_installed())
		tcase_add_test(tc, t_meta_ngircd);
	else
		printf("SKIP t_meta_ngircd: ngircd is not installed (Debian: ngircd)\n");
	suite_add_tcase(s, tc);
	return live_run(s);
}
