/* live_nickserv.c - the rest of issue 11's NickServ and account state on
 * the real server (docs/ACCOUNTS.md): GROUP/UNGROUP and logging in from a
 * grouped nick (IDENTIFY and SASL PLAIN), INFO, DROP and SADROP logging out
 * every session (901, -r, account-notify "ACCOUNT *"), SAREGISTER, SUSPEND
 * (904 and the NickServ refusal, sessions logged out) and UNSUSPEND, LIST,
 * the oper-only refusals, channel modes +R and +M (477), an [oper] block
 * naming an account, and nick protection renaming to a guest nick after a
 * one-second grace (the rename line is awaited, nothing sleeps; the exact
 * grace arithmetic is tested on the fixed clock in h_nickserv).
 *
 * Hash waits are long: argon2id under valgrind takes seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "livelib.h"

#define HT 90000 /* ms: one hash or verification, valgrind included */
#define NS "^:NickServ!NickServ@services\\. NOTICE "

static char dbdir[64], dbpath[128];

static void
db_setup(void)
{
	live_db_setup(dbdir, sizeof(dbdir), dbpath, sizeof(dbpath), "ns", "accounts.db");
}

static void
db_teardown(void)
{
	live_db_teardown(dbdir);
}

/* conf: the accounts database plus extra (may be ""). */
static const char *
conf(const char *extra)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
	    /* the cheapest argon2id cost: see live_sasl.c conf() */
	    "[accounts]\ndatabase = %s\nenforce_grace = 600\nhash_passes = 1\nhash_memory = 8\n%s"
	    "[oper]\nname = admin\npassword = opersecret\n",
	    dbpath, extra);
	return buf;
}

/* sasl_try: a new connection (CAP REQ sasl, AUTHENTICATE PLAIN with
 * authcid/password); it has not registered yet. */
static struct cl *
sasl_try(struct srv *s, const char *nick, const char *authc, const char *password)
{
	struct cl *c = cl_connect(s->port);
	char buf[512];

	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP REQ :sasl");
	cl_expect(c, SRV "CAP \\* ACK :sasl", LIVE_T);
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Real %s", nick, nick);
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	live_plain_b64(authc, password, buf);
	cl_send(c, "AUTHENTICATE %s", buf);
	return c;
}

/* sasl_login: sasl_try that succeeds as account, then registers. */
static struct cl *
sasl_login(struct srv *s, const char *nick, const char *authc, const char *password,
    const char *account)
{
	struct cl *c = sasl_try(s, nick, authc, password);

	char re[256];

	snprintf(re, sizeof(re), SRV "900 %s [^ ]+ %s :You are now logged in as %s", rx_esc(nick),
	    rx_esc(account), rx_esc(account));
	cl_expect(c, re, HT); /* a password check: valgrind is slow */
	cl_expect(c, SRV "903 ", LIVE_T);
	cl_send(c, "CAP END");
	cl_expect(c, SRV "001 ", LIVE_T);
	cl_expect(c, SRV "(376|422) ", LIVE_T);
	return c;
}

/* registered: a new client nick that registers account (REGISTER *). */
static struct cl *
registered(struct srv *s, const char *nick, const char *password)
{
	struct cl *c = cl_new(s, nick);

	char re[128];

	cl_send(c, "REGISTER * * %s", password);
	snprintf(re, sizeof(re), SRV "REGISTER SUCCESS %s :", rx_esc(nick));
	cl_expect(c, re, HT);
	return c;
}

static struct cl *
oper(struct srv *s, const char *nick)
{
	struct cl *o = cl_new(s, nick);

	cl_send(o, "OPER admin opersecret");
	cl_expect(o, SRV "381 ", LIVE_T);
	return o;
}

/* GROUP/UNGROUP; IDENTIFY and SASL PLAIN from a grouped nick; INFO lists
 * the nicks; one namespace (REGISTER of a grouped nick refused); GHOST of a
 * grouped nick; DROP takes the grouped nicks along. */
START_TEST(t_group_ungroup)
{
	struct srv *s;
	struct cl *a, *b, *o, *g;

	db_setup();
	s = srv_start(conf(""));
	a = registered(s, "alice", "hunter22");
	cl_expect(a, SRV "900 ", HT);
	cl_send(a, "NICK ally");
	cl_expect(a, PFX("alice") "NICK :ally", LIVE_T);
	snprintf(a->name, sizeof(a->name), "ally");
	cl_send(a, "PRIVMSG NickServ :GROUP");
	cl_expect(a, NS "ally :Nick ally is now registered to your account\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :GROUP");
	cl_expect(a, NS "ally :Nick ally is already registered to your account\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :INFO");
	cl_expect(a, NS "ally :Information on alice \\(account alice\\):", LIVE_T);
	cl_expect(a, NS "ally :Nicks      : ally$", LIVE_T);
	cl_expect(a, NS "ally :Enforce    : ON \\(default\\)$", LIVE_T);
	/* INFO of the grouped nick shows the account, to anyone */
	o = cl_new(s, "other");
	cl_send(o, "PRIVMSG NickServ :INFO ally");
	cl_expect(o, NS "other :Information on ally \\(account alice\\):", LIVE_T);
	cl_expect(o, NS "other :Nicks      : ally$", LIVE_T);
	cl_expect_none(o, "Certificates|Enforce", 1000);
	/* one namespace with the account names */
	cl_send(o, "REGISTER ally * whatever1");
	cl_expect(o, "^:[^ ]+ FAIL REGISTER ACCOUNT_EXISTS ally :", HT);
	/* a nick of another account cannot be grouped */
	b = registered(s, "bob", "bobspass");
	cl_expect(b, SRV "900 ", HT);
	cl_send(b, "NICK ally_");
	cl_expect(b, PFX("bob") "NICK :ally_", LIVE_T);
	snprintf(b->name, sizeof(b->name), "ally_");
	/* IDENTIFY from a grouped nick (the nick is the account) */
	cl_send(a, "NICK alice");
	cl_expect(a, PFX("ally") "NICK :alice", LIVE_T);
	snprintf(a->name, sizeof(a->name), "alice");
	g = cl_new(s, "ally");
	cl_expect(g, NS "ally :This nickname is registered", LIVE_T);
	cl_send(g, "PRIVMSG NickServ :IDENTIFY hunter22");
	cl_expect(g, SRV "900 ally [^ ]+ alice ", HT);
	cl_expect(g, NS "ally :You are now identified for alice\\.", LIVE_T);
	/* SASL PLAIN with the grouped nick as authcid */
	cl_close(sasl_login(s, "sasly", "ally", "hunter22", "alice"));
	/* GHOST a client using the grouped nick */
	cl_send(a, "PRIVMSG NickServ :GHOST ally");
	cl_expect(g, "^ERROR :Closing Link: .*GHOST command used by alice", LIVE_T);
	cl_expect(a, NS "alice :ally has been ghosted\\.", LIVE_T);
	/* UNGROUP: not the account name, not a nick of another */
	cl_send(a, "PRIVMSG NickServ :UNGROUP alice");
	cl_expect(a, NS "alice :Nick alice is your account name; you may not remove it\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :UNGROUP bob");
	cl_expect(a, NS "alice :Nick bob is not registered to your account\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :UNGROUP ally");
	cl_expect(a, NS "alice :Nick ally has been removed from your account\\.", LIVE_T);
	cl_send(o, "PRIVMSG NickServ :INFO ally");
	cl_expect(o, NS "other :ally is not registered\\.", LIVE_T);
	/* bob groups ally_, alice cannot group it then; DROP takes it along */
	cl_send(b, "PRIVMSG NickServ :GROUP");
	cl_expect(b, NS "ally_ :Nick ally_ is now registered to your account\\.", LIVE_T);
	cl_send(a, "NICK ally_x");
	cl_expect(a, PFX("alice") "NICK :ally_x", LIVE_T);
	snprintf(a->name, sizeof(a->name), "ally_x");
	cl_send(b, "NICK bob");
	cl_expect(b, PFX("ally_") "NICK :bob", LIVE_T);
	snprintf(b->name, sizeof(b->name), "bob");
	cl_send(a, "NICK ally_");
	cl_expect(a, PFX("ally_x") "NICK :ally_", LIVE_T);
	snprintf(a->name, sizeof(a->name), "ally_");
	cl_send(a, "PRIVMSG NickServ :GROUP");
	cl_expect(a, NS "ally_ :Nick ally_ is already registered to another account\\.", LIVE_T);
	cl_send(b, "PRIVMSG NickServ :DROP bob");
	cl_expect(b, NS "bob :The account bob has been dropped\\.", LIVE_T);
	cl_send(o, "PRIVMSG NickServ :INFO ally_");
	cl_expect(o, NS "other :ally_ is not registered\\.", LIVE_T);
	srv_stop(s);
}
END_TEST

/* DROP logs out every session of the account: each gets 901 and -r, and
 * account-notify peers see ACCOUNT *; SADROP does the same for an oper;
 * ordinary users cannot use the operator commands. */
START_TEST(t_drop_logs_out_all)
{
	struct srv *s;
	struct cl *a, *b, *w, *op;

	db_setup();
	s = srv_start(conf(""));
	a = registered(s, "alice", "hunter22");
	cl_expect(a, SRV "900 ", HT);
	b = sasl_login(s, "bee", "alice", "hunter22", "alice");
	w = cl_connect(s->port);
	cl_send(w, "CAP REQ :account-notify");
	cl_expect(w, SRV "CAP \\* ACK ", LIVE_T);
	cl_send(w, "CAP END");
	cl_register(w, "watcher");
	cl_join(w, "#c");
	cl_join(b, "#c");
	cl_send(a, "PRIVMSG NickServ :DROP alice");
	cl_expect(a, SRV "901 alice ", LIVE_T);
	cl_expect(a, NS "alice :The account alice has been dropped\\.", LIVE_T);
	cl_expect(b, SRV "901 bee [^ ]+ :You are now logged out", LIVE_T);
	cl_expect(b, "^:bee MODE bee :-r", LIVE_T);
	cl_expect(b, NS "bee :You have been logged out: the account alice has been dropped\\.",
	    LIVE_T);
	cl_expect(w, PFX("bee") "ACCOUNT \\*$", LIVE_T);
	cl_send(w, "WHOIS bee");
	cl_expect_none(w, " 330 ", 2000);
	/* alice's own nick was alice's: logged out by the drop, she is not
	 * warned about a nick that is about to be free */
	cl_expect_none(a, "This nickname is registered", 1000);

	/* the operator commands are refused to non-operators */
	cl_send(w, "PRIVMSG NickServ :SADROP alice");
	cl_expect(w, NS "watcher :You are not authorized to perform this operation\\.", LIVE_T);
	cl_send(w, "PRIVMSG NickServ :SAREGISTER x pass12345");
	cl_expect(w, NS "watcher :You are not authorized", LIVE_T);
	cl_send(w, "PRIVMSG NickServ :SUSPEND alice");
	cl_expect(w, NS "watcher :You are not authorized", LIVE_T);
	cl_send(w, "PRIVMSG NickServ :UNSUSPEND alice");
	cl_expect(w, NS "watcher :You are not authorized", LIVE_T);
	cl_send(w, "PRIVMSG NickServ :LIST *");
	cl_expect(w, NS "watcher :You are not authorized", LIVE_T);

	/* SAREGISTER, then SADROP with two sessions logged in */
	op = oper(s, "op");
	cl_send(op, "PRIVMSG NickServ :SAREGISTER carol carolpass");
	cl_expect(op, NS "op :carol has been registered\\.", HT);
	cl_send(op, "PRIVMSG NickServ :SAREGISTER carol carolpass");
	cl_expect(op, NS "op :carol is already registered\\.", LIVE_T);
	cl_send(op, "PRIVMSG NickServ :SAREGISTER #bad carolpass");
	cl_expect(op, NS "op :#bad cannot be registered", LIVE_T);
	a = sasl_login(s, "c1", "carol", "carolpass", "carol");
	b = sasl_login(s, "c2", "carol", "carolpass", "carol");
	cl_send(op, "PRIVMSG NickServ :SADROP nobody");
	cl_expect(op, NS "op :nobody is not registered\\.", LIVE_T);
	cl_send(op, "PRIVMSG NickServ :SADROP carol");
	cl_expect(a, SRV "901 c1 ", LIVE_T);
	cl_expect(a, NS "c1 :You have been logged out: the account carol has been dropped\\.",
	    LIVE_T);
	cl_expect(b, SRV "901 c2 ", LIVE_T);
	cl_expect(op, NS "op :The account carol has been dropped\\.", LIVE_T);
	ck_assert(srv_alive(s));
	srv_stop(s);
}
END_TEST

/* SUSPEND: sessions logged out, SASL 904, IDENTIFY refused, INFO shows it;
 * UNSUSPEND lets it log in again; LIST with a pattern. */
START_TEST(t_suspend_list)
{
	struct srv *s;
	struct cl *a, *b, *op, *o;

	db_setup();
	s = srv_start(conf(""));
	a = registered(s, "alice", "hunter22");
	cl_expect(a, SRV "900 ", HT);
	cl_close(a);
	a = registered(s, "alfred", "alfredpw");
	cl_expect(a, SRV "900 ", HT);
	cl_close(a);
	b = sasl_login(s, "bee", "alice", "hunter22", "alice");
	op = oper(s, "op");
	cl_send(op, "PRIVMSG NickServ :LIST al*");
	cl_expect(op, NS "op :Accounts matching al\\*:", LIVE_T);
	cl_expect(op, NS "op :- al(ice|fred) \\(registered [0-9-]+\\)$", LIVE_T);
	cl_expect(op, NS "op :- al(ice|fred) \\(registered [0-9-]+\\)$", LIVE_T);
	cl_expect(op, NS "op :End of list: 2 matches\\.", LIVE_T);
	cl_send(op, "PRIVMSG NickServ :SUSPEND alice spamming");
	cl_expect(b, SRV "901 bee ", LIVE_T);
	cl_expect(b, NS "bee :You have been logged out: the account alice has been suspended\\.",
	    LIVE_T);
	cl_expect(op, NS "op :alice is now suspended\\.", LIVE_T);
	cl_expect(op, NS "op :The suspension of alice has been saved\\.", LIVE_T);
	cl_send(op, "PRIVMSG NickServ :SUSPEND alice");
	cl_expect(op, NS "op :alice is already suspended\\.", LIVE_T);
	cl_send(op, "PRIVMSG NickServ :LIST alice");
	cl_expect(op, NS "op :- alice \\(registered [0-9-]+\\) \\[suspended\\]$", LIVE_T);
	cl_expect(op, NS "op :End of list: 1 match\\.", LIVE_T);
	cl_send(op, "PRIVMSG NickServ :INFO alice");
	cl_expect(op, NS "op :Suspended  : since .* by op: spamming$", LIVE_T);
	o = cl_new(s, "other");
	cl_send(o, "PRIVMSG NickServ :INFO alice");
	cl_expect(o, NS "other :Suspended  : since [^:]+:[^:]+:[0-9]+ [0-9]+ \\(UTC\\)$", LIVE_T);
	/* cannot log in: SASL 904, IDENTIFY refused */
	a = sasl_try(s, "x1", "alice", "hunter22");
	cl_expect(a, SRV "904 ", HT);
	cl_send(b, "PRIVMSG NickServ :IDENTIFY alice hunter22");
	cl_expect(b, NS "bee :alice is suspended: you cannot log in to it\\.", LIVE_T);
	/* not enforced while suspended */
	cl_close(b);
	b = cl_new(s, "alice");
	cl_expect_none(b, "This nickname is registered", 1000);
	cl_send(op, "PRIVMSG NickServ :UNSUSPEND alice");
	cl_expect(op, NS "op :alice is no longer suspended\\.", LIVE_T);
	cl_send(op, "PRIVMSG NickServ :UNSUSPEND alice");
	cl_expect(op, NS "op :alice is not suspended\\.", LIVE_T);
	cl_send(b, "PRIVMSG NickServ :IDENTIFY hunter22");
	cl_expect(b, NS "alice :You are now identified for alice\\.", HT);
	srv_stop(s);
}
END_TEST

/* +R: only logged-in users join (477); +M: only logged-in, voiced or op
 * users speak (477 to the refused, no error for NOTICE). InspIRCd's
 * services_account letters and numerics. */
START_TEST(t_modes_R_M)
{
	struct srv *s;
	struct cl *op, *u, *r;

	db_setup();
	s = srv_start(conf(""));
	op = cl_new(s, "chop");
	cl_send(op, "VERSION");
	cl_expect(op, SRV "005 chop .*CHANMODES=[^ ,]*,[^ ,]*,[^ ,]*,[^ ]*M[^ ]*", LIVE_T);
	cl_join(op, "#r");
	cl_send(op, "MODE #r +R");
	cl_expect(op, PFX("chop") "MODE #r \\+R$", LIVE_T);
	u = cl_new(s, "guest");
	cl_send(u, "JOIN #r");
	cl_expect(u,
	    SRV "477 guest #r :You need to be identified to a registered account to join this "
		"channel$",
	    LIVE_T);
	/* an invite does not get past +R (InspIRCd) */
	cl_send(op, "INVITE guest #r");
	cl_expect(u, PFX("chop") "INVITE guest :?#r", LIVE_T);
	cl_send(u, "JOIN #r");
	cl_expect(u, SRV "477 guest #r ", LIVE_T);
	r = registered(s, "reggie", "reggiepw");
	cl_expect(r, SRV "900 ", HT);
	cl_join(r, "#r");
	cl_send(op, "MODE #r -R+M");
	cl_expect(op, PFX("chop") "MODE #r -R\\+M$", LIVE_T);
	cl_join(u, "#r");
	cl_send(u, "PRIVMSG #r :hello");
	cl_expect(u,
	    SRV "477 guest #r :You need to be identified to a registered account to message "
		"this channel$",
	    LIVE_T);
	cl_send(u, "NOTICE #r :hello");
	cl_expect_none(u, " 477 ", 1000);
	cl_expect_none(r, "hello", 500);
	/* the registered and the voiced speak */
	cl_send(r, "PRIVMSG #r :from reggie");
	cl_expect(op, PFX("reggie") "PRIVMSG #r :from reggie", LIVE_T);
	cl_send(op, "MODE #r +v guest");
	cl_expect(u, PFX("chop") "MODE #r \\+v guest", LIVE_T);
	cl_send(u, "PRIVMSG #r :voiced now");
	cl_expect(r, PFX("guest") "PRIVMSG #r :voiced now", LIVE_T);
	cl_send(op, "MODE #r");
	cl_expect(op, SRV "324 chop #r \\+[a-zA-Z]*M", LIVE_T);
	srv_stop(s);
}
END_TEST

/* An [oper] block naming an account: OPER succeeds only logged in to it,
 * and needs no password when the block has none. */
START_TEST(t_oper_account)
{
	struct srv *s;
	struct cl *a, *x;

	db_setup();
	s = srv_start(conf("[oper]\nname = acct\naccount = alice\n"));
	x = cl_new(s, "xavier");
	cl_send(x, "OPER acct");
	cl_expect(x, SRV "491 xavier :", LIVE_T);
	cl_send(x, "OPER admin");
	cl_expect(x, SRV "461 xavier OPER :", LIVE_T); /* the password block needs one */
	a = registered(s, "alice", "hunter22");
	cl_expect(a, SRV "900 ", HT);
	cl_send(a, "OPER acct");
	cl_expect(a, "^:[^ ]+ MODE alice :?\\+o$", LIVE_T);
	cl_expect(a, SRV "381 alice :", LIVE_T);
	srv_stop(s);
}
END_TEST

/* Nick protection with a one-second grace: a user of a registered nick is
 * warned and renamed to a guest nick (the prefix configured); a client that
 * logged in with SASL first is not warned. */
START_TEST(t_enforce_rename)
{
	struct srv *s;
	struct cl *a, *x, *w;
	char extra[128];

	db_setup();
	snprintf(extra, sizeof(extra), "enforce_grace = 1\nguest_prefix = Anon\n");
	s = srv_start(conf(extra));
	a = registered(s, "alice", "hunter22");
	cl_expect(a, SRV "900 ", HT);
	cl_send(a, "NICK alice_");
	cl_expect(a, PFX("alice") "NICK :alice_", LIVE_T);
	w = cl_new(s, "watcher");
	cl_join(w, "#c");
	x = cl_new(s, "alice");
	cl_expect(x, NS "alice :This nickname is registered\\. Please choose a different nickname",
	    LIVE_T);
	cl_expect(x, NS "alice :You have 1 seconds to identify", LIVE_T);
	cl_send(x, "JOIN #c");
	cl_expect(x, NS "alice :You failed to identify in time for the nickname alice\\.", 10000);
	cl_expect(x, PFX("alice") "NICK :Anon[0-9]{5}$", LIVE_T);
	cl_expect(w, PFX("alice") "NICK :Anon[0-9]{5}$", LIVE_T);
	cl_close(x);
	/* logged in to the account: no warning */
	x = sasl_login(s, "alice", "alice", "hunter22", "alice");
	cl_expect_none(x, "This nickname is registered", 1000);
	/* SET ENFORCE OFF is answered after its commit */
	cl_send(x, "PRIVMSG NickServ :SET ENFORCE OFF");
	cl_expect(x, NS "alice :ENFORCE is now OFF for alice\\.", LIVE_T);
	cl_expect(x, NS "alice :The ENFORCE setting of alice has been saved\\.", LIVE_T);
	cl_send(x, "PRIVMSG NickServ :SET ENFORCE MAYBE");
	cl_expect(x, NS "alice :Syntax: SET ENFORCE ON\\|OFF", LIVE_T);
	cl_send(x, "NICK alice2");
	cl_expect(x, PFX("alice") "NICK :alice2", LIVE_T);
	w = cl_new(s, "alice");
	cl_expect_none(w, "This nickname is registered", 1000);
	srv_stop(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("live_nickserv");
	TCase *tc = live_tcase("nickserv", 240);

	tcase_add_checked_fixture(tc, NULL, db_teardown);
	tcase_add_test(tc, t_group_ungroup);
	tcase_add_test(tc, t_drop_logs_out_all);
	tcase_add_test(tc, t_suspend_list);
	tcase_add_test(tc, t_modes_R_M);
	tcase_add_test(tc, t_oper_account);
	tcase_add_test(tc, t_enforce_rename);
	suite_add_tcase(su, tc);
	return live_run(su);
}
