/* live_account.c - accounts on the real server (issue 11, docs/ACCOUNTS.md):
 * REGISTER (draft/account-registration), SASL PLAIN and EXTERNAL
 * (AUTHENTICATE, 400-byte chunking, 900-908), what others see of a login
 * (account-notify, extended-join, WHOIS 330, WHOX %a), persistence across a
 * restart, and `evircd --backup` while the server runs.
 *
 * The database lives in a temp dir of the test (the server's own dir goes
 * with srv_stop), so a second server can open it. Hash waits are long:
 * argon2id under valgrind takes seconds. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "livelib.h"

#define HT 90000 /* ms: one hash or verification, valgrind included */

static char dbdir[64], dbpath[128];

static void
db_setup(void)
{
	live_db_setup(dbdir, sizeof(dbdir), dbpath, sizeof(dbpath), "acct", "accounts.db");
}

static void
db_teardown(void)
{
	live_db_teardown(dbdir);
}

static const char *
conf(void)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "[accounts]\ndatabase = %s\n", dbpath);
	return buf;
}

/* conf_flood: conf() without the per-address limits on registrations and
 * hash jobs. */
static const char *
conf_flood(void)
{
	static char buf[320];

	snprintf(buf, sizeof(buf), "%sregister_limit = 0\nhash_jobs_per_ip = 0\n", conf());
	return buf;
}

/* do_register: REGISTER account on a registered client, wait for success. */
static void
do_register(struct cl *c, const char *account, const char *password)
{
	char re[256];

	cl_send(c, "REGISTER %s * %s", account, password);
	snprintf(re, sizeof(re), SRV "REGISTER SUCCESS %s :", rx_esc(account));
	cl_expect(c, re, HT);
	cl_expect(c, SRV "900 ", LIVE_T);
}

/* sasl_start: CAP LS 302 shows sasl=PLAIN,EXTERNAL; REQ it; AUTHENTICATE mech. */
static struct cl *
sasl_start(struct srv *s, const char *nick, const char *mech)
{
	struct cl *c = cl_connect(s->port);

	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP LS 302");
	cl_expect(c, SRV "CAP \\* LS (\\* )?:.*\\bsasl=PLAIN,EXTERNAL\\b", LIVE_T);
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Real %s", nick, nick);
	cl_send(c, "CAP REQ :sasl");
	cl_expect(c, SRV "CAP [^ ]+ ACK :sasl", LIVE_T);
	cl_send(c, "AUTHENTICATE %s", mech);
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	return c;
}

/* sasl_login: a new connection that logs in with PLAIN and registers. */
static struct cl *
sasl_login(struct srv *s, const char *nick, const char *account, const char *password)
{
	struct cl *c = sasl_start(s, nick, "PLAIN");
	char buf[1024], re[512];

	live_plain_b64(account, password, buf);
	cl_send(c, "AUTHENTICATE %s", buf);
	snprintf(re, sizeof(re), SRV "900 %s %s![^ ]+ %s :You are now logged in as %s",
	    rx_esc(nick), rx_esc(nick), rx_esc(account), rx_esc(account));
	cl_expect(c, re, HT);
	cl_expect(c, SRV "903 [^ ]+ :SASL authentication successful", LIVE_T);
	cl_send(c, "CAP END");
	cl_expect(c, SRV "001 ", LIVE_T);
	cl_expect(c, SRV "(376|422) ", LIVE_T);
	return c;
}

START_TEST(t_register_then_sasl)
{
	struct srv *s;
	struct cl *a, *b, *o;

	db_setup();
	s = srv_start(conf());
	a = cl_new(s, "alice");
	cl_send(a, "CAP LS 302");
	cl_expect(a, SRV "CAP alice LS (\\* )?:.*draft/account-registration=before-connect",
	    LIVE_T);
	cl_send(a, "REGISTER * * hunter22");
	cl_expect(a, SRV "REGISTER SUCCESS alice :", HT);
	cl_expect(a, SRV "900 alice alice![^ ]+ alice :You are now logged in as alice", LIVE_T);
	cl_expect(a, "^:alice MODE alice :\\+r", LIVE_T);
	/* taken names, bad names, already logged in */
	cl_send(a, "REGISTER bob * hunter22");
	cl_expect(a, "^:[^ ]+ FAIL REGISTER ALREADY_AUTHENTICATED alice :", LIVE_T);
	o = cl_new(s, "other");
	cl_send(o, "REGISTER ALICE * whatever1");
	cl_expect(o, "^:[^ ]+ FAIL REGISTER ACCOUNT_EXISTS ALICE :", LIVE_T);
	cl_send(o, "REGISTER #bad * whatever1");
	cl_expect(o, "^:[^ ]+ FAIL REGISTER BAD_ACCOUNT_NAME #bad :", LIVE_T);
	cl_send(o, "REGISTER other * abc");
	cl_expect(o, "^:[^ ]+ FAIL REGISTER UNACCEPTABLE_PASSWORD other :", LIVE_T);
	cl_send(o, "VERIFY alice 12345");
	cl_expect(o, "^:[^ ]+ FAIL VERIFY ACCOUNT_ALREADY_VERIFIED alice :", LIVE_T);
	/* a new connection logs in to it with SASL PLAIN before registering */
	b = sasl_login(s, "ally", "alice", "hunter22");
	cl_send(o, "WHOIS ally");
	cl_expect(o, SRV "330 other ally alice :is logged in as", LIVE_T);
	cl_send(o, "WHO ally %%na");
	cl_expect(o, SRV "354 other ally alice$", LIVE_T);
	cl_send(b, "MODE ally");
	cl_expect(b, SRV "221 ally \\+[a-zA-Z]*r", LIVE_T);
	srv_stop(s);
}
END_TEST

START_TEST(t_sasl_fail_abort_toolong)
{
	struct srv *s;
	struct cl *a, *c;
	char buf[1024], big[402];

	db_setup();
	s = srv_start(conf());
	a = cl_new(s, "alice");
	do_register(a, "alice", "hunter22");
	/* wrong password: 904, and the client can try again */
	c = sasl_start(s, "x1", "PLAIN");
	live_plain_b64("alice", "wrong-one", buf);
	cl_send(c, "AUTHENTICATE %s", buf);
	cl_expect(c, SRV "904 [^ ]+ :SASL authentication failed", HT);
	/* unknown account: 904 too */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	live_plain_b64("nobody", "hunter22", buf);
	cl_send(c, "AUTHENTICATE %s", buf);
	cl_expect(c, SRV "904 ", LIVE_T);
	/* not base64: 904 */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	cl_send(c, "AUTHENTICATE @@@@");
	cl_expect(c, SRV "904 ", LIVE_T);
	/* abort: 906 */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	cl_send(c, "AUTHENTICATE *");
	cl_expect(c, SRV "906 [^ ]+ :SASL authentication aborted", LIVE_T);
	/* a chunk over 400 bytes: 905 */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	memset(big, 'A', 401);
	big[401] = '\0';
	cl_send(c, "AUTHENTICATE %s", big);
	cl_expect(c, SRV "905 [^ ]+ :SASL message too long", LIVE_T);
	/* too many full chunks: 905 */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	big[400] = '\0';
	cl_send(c, "AUTHENTICATE %s", big);
	cl_send(c, "AUTHENTICATE %s", big);
	cl_send(c, "AUTHENTICATE %s", big);
	cl_send(c, "AUTHENTICATE %s", big);
	cl_send(c, "AUTHENTICATE %s", big);
	cl_expect(c, SRV "905 ", LIVE_T);
	/* unknown mechanism: 908 with the list, then 904 */
	cl_send(c, "AUTHENTICATE SCRAM-MD5");
	cl_expect(c, SRV "908 [^ ]+ PLAIN,EXTERNAL(,SCRAM-SHA-256)? :are available SASL mechanisms",
	    LIVE_T);
	cl_expect(c, SRV "904 ", LIVE_T);
	/* EXTERNAL without a client certificate: 908 + 904 too */
	cl_send(c, "AUTHENTICATE EXTERNAL");
	cl_expect(c, SRV "904 ", LIVE_T);
	/* CAP END during an exchange aborts it (906) and registers */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	cl_send(c, "CAP END");
	cl_expect(c, SRV "906 ", LIVE_T);
	cl_expect(c, SRV "001 ", LIVE_T);
	/* without the cap, AUTHENTICATE fails */
	cl_send(a, "AUTHENTICATE PLAIN");
	cl_expect(a, SRV "904 ", LIVE_T);
	ck_assert(srv_alive(s));
	srv_stop(s);
}
END_TEST

/* A message of exactly 400 base64 bytes is followed by "+"; one of 412 is
 * a 400-byte chunk and a 12-byte one (sasl-3.1 chunking). */
START_TEST(t_sasl_chunking_400)
{
	struct srv *s;
	struct cl *a, *c;
	char pw1[300], pw2[301], buf[1024], chunk[401];

	db_setup();
	s = srv_start(conf());
	memset(pw1, 'p', 293); /* 1 + 5 + 1 + 293 = 300 bytes -> 400 base64 */
	pw1[293] = '\0';
	memset(pw2, 'q', 300); /* 307 bytes -> 412 base64 */
	pw2[300] = '\0';
	a = cl_new(s, "alice");
	do_register(a, "alice", pw1);
	cl_close(a);
	a = cl_new(s, "bobby");
	do_register(a, "bobby", pw2);
	cl_close(a);

	c = sasl_start(s, "x1", "PLAIN");
	live_plain_b64("alice", pw1, buf);
	ck_assert_uint_eq(strlen(buf), 400);
	cl_send(c, "AUTHENTICATE %s", buf);
	cl_expect_none(c, SRV "90[0-9] ", 2000); /* waits for more */
	cl_send(c, "AUTHENTICATE +");
	cl_expect(c, SRV "900 x1 [^ ]+ alice ", HT);
	cl_expect(c, SRV "903 ", LIVE_T);

	c = sasl_start(s, "x2", "PLAIN");
	live_plain_b64("bobby", pw2, buf);
	ck_assert_uint_eq(strlen(buf), 412);
	memcpy(chunk, buf, 400);
	chunk[400] = '\0';
	cl_send(c, "AUTHENTICATE %s", chunk);
	cl_send(c, "AUTHENTICATE %s", buf + 400);
	cl_expect(c, SRV "900 x2 [^ ]+ bobby ", HT);
	cl_expect(c, SRV "903 ", LIVE_T);
	srv_stop(s);
}
END_TEST

/* What others see: extended-join's account field, ACCOUNT on a login
 * after registration (account-notify), WHOIS 330. */
START_TEST(t_account_seen_by_others)
{
	struct srv *s;
	struct cl *a, *o, *b;
	char buf[1024];

	db_setup();
	s = srv_start(conf());
	a = cl_new(s, "alice");
	do_register(a, "alice", "hunter22");
	o = cl_connect(s->port);
	cl_send(o, "CAP REQ :account-notify extended-join");
	cl_expect(o, SRV "CAP \\* ACK ", LIVE_T);
	cl_send(o, "CAP END");
	cl_register(o, "obs");
	cl_join(o, "#c");
	cl_join(a, "#c");
	cl_expect(o, PFX("alice") "JOIN #c alice :Real alice$", LIVE_T);
	/* b joins not logged in, then logs in after registration */
	b = cl_connect(s->port);
	cl_send(b, "CAP REQ :sasl");
	cl_expect(b, SRV "CAP \\* ACK ", LIVE_T);
	cl_send(b, "CAP END");
	cl_register(b, "bee");
	cl_join(b, "#c");
	cl_expect(o, PFX("bee") "JOIN #c \\* :Real bee$", LIVE_T);
	cl_send(b, "AUTHENTICATE PLAIN");
	cl_expect(b, "^AUTHENTICATE \\+$", LIVE_T);
	live_plain_b64("alice", "hunter22", buf);
	cl_send(b, "AUTHENTICATE %s", buf);
	cl_expect(b, SRV "900 bee ", HT);
	cl_expect(b, "^:bee MODE bee :\\+r", LIVE_T);
	cl_expect(b, SRV "903 ", LIVE_T);
	cl_expect(o, PFX("bee") "ACCOUNT alice$", LIVE_T);
	/* alice (no account-notify) is not sent ACCOUNT */
	cl_expect_none(a, "ACCOUNT", 1000);
	cl_send(o, "WHOIS bee");
	cl_expect(o, SRV "330 obs bee alice :is logged in as", LIVE_T);
	srv_stop(s);
}
END_TEST

/* Accounts survive a restart; a certificate bound to one logs in with
 * SASL EXTERNAL over TLS. The binding is written into the file while the
 * server is stopped (NickServ CERT ADD is not written yet). */
START_TEST(t_restart_and_external)
{
	struct srv *s;
	struct cl *a, *c;
	const char *crt = live_cert("client", "alice");
	struct tls_opt o = { .cert = crt, .key = live_cert_key(crt) };
	char fp[65], sql[256], err[256];
	sqlite3 *db;

	db_setup();
	s = srv_start(conf());
	a = cl_new(s, "alice");
	do_register(a, "alice", "hunter22");
	srv_stop(s);
	live_cert_fp(crt, fp);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO certfps (certfp, account) VALUES ('%s', 'alice')",
	    fp);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s",
	    sqlite3_errmsg(db));
	sqlite3_close(db);

	s = srv_start_tls(conf(), NULL, NULL);
	ck_assert(srv_log_wait(s, "accounts\\.db: 1 accounts loaded", LIVE_T));
	c = sasl_login(s, "back", "alice", "hunter22");
	cl_close(c);
	c = cl_connect_tls_opt(s->tls_port, &o, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	snprintf(c->name, sizeof(c->name), "ext");
	cl_send(c, "CAP REQ :sasl");
	cl_expect(c, SRV "CAP \\* ACK ", LIVE_T);
	cl_send(c, "AUTHENTICATE EXTERNAL");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	cl_send(c, "AUTHENTICATE +");
	cl_expect(c, SRV "900 \\* [^ ]+ alice :", LIVE_T);
	cl_expect(c, SRV "903 ", LIVE_T);
	srv_stop(s);
}
END_TEST

/* kill -9 under a registration flood: every account whose REGISTER
 * SUCCESS arrived is in the file, the file passes integrity_check, and the
 * server starts on it again (WAL; callbacks only after the commit). */
START_TEST(t_kill9_keeps_acknowledged)
{
	struct srv *s;
	struct cl *c[8];
	char nick[16], sql[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	int i;

	db_setup();
	/* a flood from one address: its per-address limits off (live_throttle
	 * tests them) */
	s = srv_start(conf_flood());
	for (i = 0; i < 8; i++) {
		snprintf(nick, sizeof(nick), "k%d", i);
		c[i] = cl_new(s, nick);
	}
	for (i = 0; i < 8; i++)
		cl_send(c[i], "REGISTER * * password%d", i);
	/* one worker hashes in order: k0..k3 are acknowledged first */
	for (i = 0; i < 4; i++)
		cl_expect(c[i], SRV "REGISTER SUCCESS ", HT);
	ck_assert_int_eq(kill(s->pid, SIGKILL), 0);
	ck_assert_int_ne(srv_wait_exit(s, 20000), -1);
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	for (i = 0; i < 4; i++) {
		snprintf(sql, sizeof(sql), "SELECT 1 FROM accounts WHERE name = 'k%d'", i);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "acknowledged k%d lost", i);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	srv_stop(s);
	s = srv_start(conf());
	c[0] = sasl_login(s, "again", "k2", "password2");
	srv_stop(s);
}
END_TEST

/* evircd -c CONF --backup DEST while the server runs and holds the file. */
START_TEST(t_backup_while_running)
{
	struct srv *s;
	struct cl *a;
	char cmd[512], dest[160];
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	db_setup();
	s = srv_start(conf());
	a = cl_new(s, "alice");
	do_register(a, "alice", "hunter22");
	snprintf(dest, sizeof(dest), "%s/backup.db", dbdir);
	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' --backup '%s' >/dev/null", getenv("EVIRCD_BIN"),
	    s->conf_path, dest);
	rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "backup exited %d", rc);
	ck_assert(srv_alive(s));
	cl_sync(a);
	ck_assert_int_eq(sqlite3_open_v2(dest, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name FROM accounts", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "alice");
	sqlite3_finalize(st);
	sqlite3_close(db);
	srv_stop(s);
}
END_TEST

#define NS "^:NickServ!NickServ@services\\. NOTICE "

/* The built-in NickServ: HELP, REGISTER, LOGOUT, IDENTIFY (wrong and
 * right), INFO, SET PASSWORD, CERT ADD (the connection's certificate) then
 * SASL EXTERNAL with it on a new connection, CERT LIST/DEL, DROP; the nick
 * NickServ is taken. */
START_TEST(t_nickserv)
{
	struct srv *s;
	struct cl *a, *o, *t, *e;
	const char *crt = live_cert("client", "alice");
	struct tls_opt opt = { .cert = crt, .key = live_cert_key(crt) };
	char fp[65], err[256], buf[1024];

	db_setup();
	s = srv_start_tls(conf(), NULL, NULL);
	live_cert_fp(crt, fp);
	a = cl_new(s, "carol");
	cl_send(a, "PRIVMSG NickServ :HELP");
	cl_expect(a, NS "carol :\\*+ NickServ Help", LIVE_T);
	cl_expect(a, NS "carol :IDENTIFY ", LIVE_T);
	cl_expect(a, NS "carol :\\*+ End of Help", LIVE_T);
	cl_send(a, "PRIVMSG nickserv :REGISTER sekrit1 carol@example.org");
	cl_expect(a, NS "carol :carol is now registered\\.", HT);
	cl_expect(a, SRV "900 carol [^ ]+ carol ", LIVE_T);
	cl_expect(a, NS "carol :You are now logged in as carol\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :REGISTER again1");
	cl_expect(a, NS "carol :You are already logged in as carol\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :LOGOUT");
	cl_expect(a, SRV "901 carol [^ ]+ :You are now logged out", LIVE_T);
	cl_expect(a, "^:carol MODE carol :-r", LIVE_T);
	cl_expect(a, NS "carol :You have been logged out\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :IDENTIFY wrongpass");
	cl_expect(a, NS "carol :Invalid password for carol\\.", HT);
	cl_send(a, "PRIVMSG NickServ :IDENTIFY carol sekrit1");
	cl_expect(a, SRV "900 carol [^ ]+ carol ", HT);
	cl_expect(a, NS "carol :You are now identified for carol\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :INFO");
	cl_expect(a, NS "carol :Information on carol \\(account carol\\):", LIVE_T);
	cl_expect(a, NS "carol :Registered : ", LIVE_T);
	cl_expect(a, NS "carol :Certificates: 0", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :SET PASSWORD newpass2");
	cl_expect(a, NS "carol :The password for carol has been changed\\.", HT);
	cl_send(a, "PRIVMSG NickServ :BOGUS");
	cl_expect(a, NS "carol :Invalid command\\. Use /msg NickServ HELP", LIVE_T);
	/* the new password works, the old one not */
	o = sasl_start(s, "o1", "PLAIN");
	live_plain_b64("carol", "sekrit1", buf);
	cl_send(o, "AUTHENTICATE %s", buf);
	cl_expect(o, SRV "904 ", HT);
	cl_close(o);
	o = sasl_login(s, "o2", "carol", "newpass2");
	cl_close(o);
	/* CERT ADD from a TLS connection with a client certificate */
	t = cl_connect_tls_opt(s->tls_port, &opt, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	cl_register(t, "tee");
	cl_send(t, "PRIVMSG NickServ :IDENTIFY carol newpass2");
	cl_expect(t, NS "tee :You are now identified for carol\\.", HT);
	cl_send(t, "PRIVMSG NickServ :CERT ADD");
	cl_expectf(t, NS "tee :Added fingerprint %s to your fingerprint list\\.", fp);
	cl_send(t, "PRIVMSG NickServ :CERT ADD 1234");
	cl_expect(t, NS "tee :1234 is not a SHA-256 fingerprint", LIVE_T);
	cl_send(t, "PRIVMSG NickServ :CERT LIST");
	cl_expect(t, NS "tee :Fingerprint list for carol:", LIVE_T);
	cl_expectf(t, NS "tee :- %s$", fp);
	cl_expect(t, NS "tee :End of carol fingerprint list\\.", LIVE_T);
	/* EXTERNAL with that certificate on a new connection */
	e = cl_connect_tls_opt(s->tls_port, &opt, err, sizeof(err));
	ck_assert_msg(e != NULL, "%s", err);
	snprintf(e->name, sizeof(e->name), "ext");
	cl_send(e, "CAP REQ :sasl");
	cl_expect(e, SRV "CAP \\* ACK ", LIVE_T);
	cl_send(e, "AUTHENTICATE EXTERNAL");
	cl_expect(e, "^AUTHENTICATE \\+$", LIVE_T);
	cl_send(e, "AUTHENTICATE +");
	cl_expect(e, SRV "900 \\* [^ ]+ carol :", LIVE_T);
	cl_expect(e, SRV "903 ", LIVE_T);
	cl_close(e);
	cl_send(t, "PRIVMSG NickServ :CERT DEL %s", fp);
	cl_expectf(t, NS "tee :Deleted fingerprint %s from your fingerprint list\\.", fp);
	/* the nick is reserved */
	cl_send(t, "NICK NickServ");
	cl_expect(t, SRV "433 tee NickServ ", LIVE_T);
	/* DROP: the name confirms; then the account is gone */
	cl_send(t, "PRIVMSG NickServ :DROP other");
	cl_expect(t, NS "tee :Syntax: DROP <account>", LIVE_T);
	cl_send(t, "PRIVMSG NickServ :DROP carol");
	cl_expect(t, SRV "901 tee ", LIVE_T);
	cl_expect(t, NS "tee :The account carol has been dropped\\.", LIVE_T);
	cl_send(t, "PRIVMSG NickServ :INFO carol");
	cl_expect(t, NS "tee :carol is not registered\\.", LIVE_T);
	srv_stop(s);
}
END_TEST

/* GHOST and REGAIN: a nick equal to one's account (or a client logged in
 * to it) is disconnected; REGAIN then takes the nick; others' nicks are
 * refused. */
START_TEST(t_nickserv_ghost_regain)
{
	struct srv *s;
	struct cl *a, *b, *x, *y;

	db_setup();
	s = srv_start(conf());
	a = cl_new(s, "alice");
	do_register(a, "alice", "hunter22");
	cl_send(a, "NICK alice_");
	cl_expect(a, PFX("alice") "NICK :alice_", LIVE_T);
	snprintf(a->name, sizeof(a->name), "alice_");
	b = cl_new(s, "alice");
	x = cl_new(s, "xavier");
	cl_send(a, "PRIVMSG NickServ :GHOST xavier");
	cl_expect(a, NS "alice_ :You are not authorized to ghost xavier\\.", LIVE_T);
	cl_send(x, "PRIVMSG NickServ :GHOST alice");
	cl_expect(x, NS "xavier :You are not logged in\\.", LIVE_T);
	cl_send(a, "PRIVMSG NickServ :REGAIN alice");
	cl_expect(b, "^ERROR :Closing Link: .*REGAIN command used by alice_", LIVE_T);
	cl_expect(a, NS "alice_ :alice has been ghosted\\.", LIVE_T);
	cl_expect(a, PFX("alice_") "NICK :alice", LIVE_T);
	snprintf(a->name, sizeof(a->name), "alice");
	/* a second connection logged in to alice is ghosted by GHOST */
	y = sasl_login(s, "other2", "alice", "hunter22");
	cl_send(a, "PRIVMSG NickServ :GHOST other2");
	cl_expect(y, "^ERROR :Closing Link: .*GHOST command used by alice", LIVE_T);
	cl_expect(a, NS "alice :other2 has been ghosted\\.", LIVE_T);
	srv_stop(s);
}
END_TEST

/* evircd -t: a database that is not one (or of a newer schema) is a clear
 * error naming the file, exit 1; the server refuses to start on it. */
START_TEST(t_check_refuses_bad_file)
{
	char conffile[160], cmd[512], out[1024];
	FILE *f;
	size_t n;
	int rc;

	db_setup();
	snprintf(conffile, sizeof(conffile), "%s/c.ini", dbdir);
	f = fopen(conffile, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[listen]\naddress = 127.0.0.1\nport = 0\n%s", conf());
	fclose(f);
	f = fopen(dbpath, "w");
	ck_assert_ptr_nonnull(f);
	for (n = 0; n < 512; n++)
		fputs("garbage!", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' -t -c '%s' 2>&1", getenv("EVIRCD_BIN"), conffile);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	rc = pclose(f);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "-t exited %d: %s", rc, out);
	ck_assert_msg(strstr(out, "accounts.db: not an account database") != NULL, "%s", out);
	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' 2>&1", getenv("EVIRCD_BIN"), conffile);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	rc = pclose(f);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "start exited %d: %s", rc, out);
	ck_assert_msg(strstr(out, "not an account database") != NULL, "%s", out);
}
END_TEST

/* Without [accounts], sasl and registration are not offered. */
START_TEST(t_no_accounts)
{
	struct srv *s = srv_start(NULL);
	struct cl *a = cl_connect(s->port);

	db_setup();
	snprintf(a->name, sizeof(a->name), "a");
	cl_send(a, "CAP LS 302");
	cl_expect_none(a, "sasl|account-registration", 1000);
	cl_send(a, "CAP REQ :sasl");
	cl_expect(a, SRV "CAP \\* NAK :sasl", LIVE_T);
	cl_send(a, "REGISTER a * hunter22");
	cl_expect(a, "FAIL REGISTER TEMPORARILY_UNAVAILABLE ", LIVE_T);
	/* no NickServ either: the nick is free */
	cl_send(a, "NICK NickServ");
	cl_send(a, "USER a 0 * :a");
	cl_send(a, "CAP END");
	cl_expect(a, SRV "001 NickServ ", LIVE_T);
	srv_stop(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("live_account");
	TCase *tc = live_tcase("account", 240);

	tcase_add_checked_fixture(tc, NULL, db_teardown);
	tcase_add_test(tc, t_register_then_sasl);
	tcase_add_test(tc, t_sasl_fail_abort_toolong);
	tcase_add_test(tc, t_sasl_chunking_400);
	tcase_add_test(tc, t_account_seen_by_others);
	tcase_add_test(tc, t_restart_and_external);
	tcase_add_test(tc, t_backup_while_running);
	tcase_add_test(tc, t_kill9_keeps_acknowledged);
	tcase_add_test(tc, t_nickserv);
	tcase_add_test(tc, t_nickserv_ghost_regain);
	tcase_add_test(tc, t_no_accounts);
	tcase_add_test(tc, t_check_refuses_bad_file);
	suite_add_tcase(su, tc);
	return live_run(su);
}
