/* live_throttle.c - per-address limits on account work on the real server
 * (core/throttle.c, docs/ACCOUNTS.md "Limits per address"): failed logins
 * from one address block further logins from it (SASL 904 with the reason,
 * NickServ notice) while another address logs in; one address flooding
 * the password worker from many connections gets "try again" past its
 * share while another address's login still goes through; registrations
 * per address are bounded (FAIL REGISTER TEMPORARILY_UNAVAILABLE, NickServ
 * notice). Clients come from 127.0.0.2 and 127.0.0.3 (cl_connect_src).
 *
 * The cheapest argon2id cost keeps valgrind fast, except in the hash share
 * test, where a check must take long enough to stay queued (4 MiB). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livelib.h"

#define HT    90000 /* ms: one hash or verification, valgrind included */
#define FLOOD 70 /* connections from one address: more than the 64 jobs the worker queues */

static char dbdir[64], dbpath[128];

static void
db_setup(void)
{
	live_db_setup(dbdir, sizeof(dbdir), dbpath, sizeof(dbpath), "thr", "accounts.db");
}

static void
db_teardown(void)
{
	live_db_teardown(dbdir);
}

static const char *
conf(const char *extra)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "[accounts]\ndatabase = %s\nhash_passes = 1\n%s", dbpath, extra);
	return buf;
}

/* from: an unregistered connection from src with the sasl cap, NICK and
 * USER sent (registration waits for CAP END). */
static struct cl *
from(struct srv *s, const char *src, const char *nick)
{
	struct cl *c = cl_connect_src(src, "127.0.0.1", s->port, 0);

	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP LS 302");
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Real %s", nick, nick);
	cl_send(c, "CAP REQ :sasl");
	cl_expect(c, SRV "CAP [^ ]+ ACK :sasl", LIVE_T);
	return c;
}

/* registered: from() and CAP END, up to the end of the MOTD. */
static struct cl *
registered(struct srv *s, const char *src, const char *nick)
{
	struct cl *c = from(s, src, nick);

	cl_send(c, "CAP END");
	cl_expect(c, SRV "(376|422) ", LIVE_T);
	return c;
}

/* plain: AUTHENTICATE PLAIN with account and password (no wait). */
static void
plain(struct cl *c, const char *account, const char *password)
{
	char buf[512];

	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	live_plain_b64(account, password, buf);
	cl_send(c, "AUTHENTICATE %s", buf);
}

static void
make_account(struct srv *s, const char *src, const char *name, const char *password)
{
	struct cl *c = registered(s, src, name);

	cl_send(c, "REGISTER * * %s", password);
	cl_expect(c, SRV "REGISTER SUCCESS ", HT);
	cl_close(c);
}

/* Three wrong passwords from 127.0.0.2 (over two connections): the next
 * login from it is refused at once, SASL and NickServ alike, even with
 * the right password; 127.0.0.3 logs in meanwhile. */
START_TEST(t_throttle_login_failures)
{
	struct srv *s;
	struct cl *a, *b, *n, *o;

	db_setup();
	s = srv_start(conf("hash_memory = 8\nlogin_failures = 3\nlogin_window = 600\n"));
	make_account(s, "127.0.0.4", "alice", "hunter22");
	a = from(s, "127.0.0.2", "a");
	b = from(s, "127.0.0.2", "b");
	plain(a, "alice", "wrong1");
	cl_expect(a, SRV "904 [^ ]+ :SASL authentication failed$", HT);
	plain(b, "alice", "wrong2");
	cl_expect(b, SRV "904 [^ ]+ :SASL authentication failed$", HT);
	n = registered(s, "127.0.0.2", "n");
	cl_send(n, "PRIVMSG NickServ :IDENTIFY alice wrong3");
	cl_expect(n, ":NickServ![^ ]+ NOTICE n :Invalid password for alice\\.$", HT);
	/* blocked now: no AUTHENTICATE +, no check */
	cl_send(a, "AUTHENTICATE PLAIN");
	cl_expect(a,
	    SRV "904 [^ ]+ :SASL authentication failed: too many failed logins from your "
		"address, try again in [0-9]+ s$",
	    LIVE_T);
	cl_send(n, "PRIVMSG NickServ :IDENTIFY alice hunter22");
	cl_expect(n,
	    ":NickServ![^ ]+ NOTICE n :Too many failed logins from your address; try again in "
	    "[0-9]+ s\\.$",
	    LIVE_T);
	/* another address is not affected */
	o = from(s, "127.0.0.3", "o");
	plain(o, "alice", "hunter22");
	cl_expect(o, SRV "903 [^ ]+ :SASL authentication successful$", HT);
	srv_stop(s);
}
END_TEST

/* FLOOD connections from 127.0.0.2 each send a login at once (a correct
 * one, so no failure counts); with hash_jobs_per_ip = 4 at most 4 queue
 * and the rest are refused at once with 904, so a login from 127.0.0.3
 * sent right after still gets a place in the worker's queue and
 * succeeds. Without the share the flood fills all 64 places and that
 * login gets 904 (checked by hand with hash_jobs_per_ip = 0). */
START_TEST(t_throttle_hash_share)
{
	struct srv *s;
	struct cl *c[FLOOD], *o;
	char buf[512];
	int i, ok = 0, refused = 0;
	const char *l;

	db_setup();
	s = srv_start(conf("hash_memory = 4096\nhash_jobs_per_ip = 4\n"));
	make_account(s, "127.0.0.4", "alice", "hunter22");
	for (i = 0; i < FLOOD; i++) {
		char nick[16];

		snprintf(nick, sizeof(nick), "f%d", i);
		c[i] = from(s, "127.0.0.2", nick);
		cl_send(c[i], "AUTHENTICATE PLAIN");
		cl_expect(c[i], "^AUTHENTICATE \\+$", LIVE_T);
	}
	o = from(s, "127.0.0.3", "o");
	cl_send(o, "AUTHENTICATE PLAIN");
	cl_expect(o, "^AUTHENTICATE \\+$", LIVE_T);
	live_plain_b64("alice", "hunter22", buf);
	for (i = 0; i < FLOOD; i++)
		cl_send(c[i], "AUTHENTICATE %s", buf);
	cl_send(o, "AUTHENTICATE %s", buf);
	cl_expect(o, SRV "903 [^ ]+ :SASL authentication successful$", HT);
	for (i = 0; i < FLOOD; i++) {
		l = cl_expect(c[i], SRV "90[34] ", HT);
		if (strstr(l, " 903 ") != NULL)
			ok++;
		else
			refused++;
	}
	ck_assert_int_ge(ok, 1);
	ck_assert_int_ge(refused, 1);
	ck_assert_int_eq(ok + refused, FLOOD);
	srv_stop(s);
}
END_TEST

/* Two registrations per address: the third from 127.0.0.2 (REGISTER, then
 * NickServ REGISTER) is refused; 127.0.0.3 registers. */
START_TEST(t_throttle_register)
{
	struct srv *s;
	struct cl *a, *n, *o;

	db_setup();
	s = srv_start(conf("hash_memory = 8\nregister_limit = 2\n"));
	make_account(s, "127.0.0.2", "r1", "hunter22");
	make_account(s, "127.0.0.2", "r2", "hunter22");
	a = registered(s, "127.0.0.2", "r3");
	cl_send(a, "REGISTER * * hunter22");
	cl_expect(a,
	    SRV "FAIL REGISTER TEMPORARILY_UNAVAILABLE r3 :Too many accounts registered from your "
		"address; try again in [0-9]+ s$",
	    LIVE_T);
	n = registered(s, "127.0.0.2", "r4");
	cl_send(n, "PRIVMSG NickServ :REGISTER hunter22");
	cl_expect(n,
	    ":NickServ![^ ]+ NOTICE r4 :Too many accounts registered from your address; try "
	    "again in [0-9]+ s\\.$",
	    LIVE_T);
	o = registered(s, "127.0.0.3", "r5");
	cl_send(o, "REGISTER * * hunter22");
	cl_expect(o, SRV "REGISTER SUCCESS r5 ", HT);
	srv_stop(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("live_throttle");
	TCase *tc = tcase_create("throttle");

	tcase_set_timeout(tc, 280);
	tcase_add_checked_fixture(tc, NULL, db_teardown);
	tcase_add_test(tc, t_throttle_login_failures);
	tcase_add_test(tc, t_throttle_hash_share);
	tcase_add_test(tc, t_throttle_register);
	suite_add_tcase(su, tc);
	return live_run(su);
}
