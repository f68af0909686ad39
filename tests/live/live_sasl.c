/* live_sasl.c - SASL SCRAM-SHA-256 (RFC 5802, RFC 7677) and SASL
 * reauthentication (IRCv3 sasl-3.2) on the real server (docs/ACCOUNTS.md).
 *
 * The SCRAM client here is written from RFC 5802 §3 on OpenSSL
 * (PKCS5_PBKDF2_HMAC, HMAC, SHA256): independent of the server's libgsasl,
 * so an agreement between the two is evidence, not a tautology. It also
 * checks the server's signature (v=), which only a server holding the right
 * ServerKey can produce.
 *
 * HAVE_GSASL (from meson) says whether the server was built with libgsasl;
 * without it the cap value must not list SCRAM-SHA-256 and an attempt gets
 * 908 + 904. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "livelib.h"

#define HT 90000 /* ms: one argon2id hash or check, valgrind included */
#if HAVE_GSASL
#define MECHS "PLAIN,EXTERNAL,SCRAM-SHA-256"
#else
#define MECHS "PLAIN,EXTERNAL"
#endif

static char dbdir[64], dbpath[128];

static void
db_setup(void)
{
	live_db_setup(dbdir, sizeof(dbdir), dbpath, sizeof(dbpath), "sasl", "accounts.db");
}

static void
db_teardown(void)
{
	live_db_teardown(dbdir);
}

static const char *
conf_extra(const char *extra)
{
	static char buf[512];

	/* the cheapest argon2id cost: under valgrind a 64 MiB hash takes
	 * seconds, and these tests are about SASL, not the hash (unit_config
	 * password_hash_cost_in_hash checks the cost; live_account keeps the
	 * default one) */
	snprintf(buf, sizeof(buf),
	    "[accounts]\ndatabase = %s\nhash_passes = 1\nhash_memory = 8\n%s", dbpath, extra);
	return buf;
}

static const char *
conf(void)
{
	return conf_extra("");
}

/* unb64: decode NUL-terminated base64; the length, or -1. */
static int
unb64(const char *in, unsigned char *out)
{
	size_t n = strlen(in);
	int len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);

	if (len < 0)
		return -1;
	if (n > 0 && in[n - 1] == '=')
		len--;
	if (n > 1 && in[n - 2] == '=')
		len--;
	out[len] = '\0';
	return len;
}

/* sasl_out: send one client message, base64 in 400-byte chunks ("+" after
 * a last chunk of exactly 400, or alone for an empty message). */
static void
sasl_out(struct cl *c, const char *msg, size_t len)
{
	char enc[4096];
	size_t n, off;

	live_b64(msg, len, enc);
	n = strlen(enc);
	for (off = 0; off < n; off += 400)
		cl_send(c, "AUTHENTICATE %.400s", enc + off);
	if (n % 400 == 0)
		cl_send(c, "AUTHENTICATE +");
}

/* sasl_in: one server message (400-byte chunks until a shorter one or
 * "+"), decoded into out; its length. *chunks counts the lines. */
static int
sasl_in(struct cl *c, char *out, int *chunks)
{
	char enc[4096];
	size_t n = 0;
	int k = 0, len;

	for (;;) {
		const char *l = cl_expect(c, "^AUTHENTICATE ", LIVE_T) + strlen("AUTHENTICATE ");
		size_t ll = strlen(l);
		k++;
		if (strcmp(l, "+") == 0)
			break;
		ck_assert_uint_le(ll, 400);
		ck_assert_uint_lt(n + ll, sizeof(enc));
		memcpy(enc + n, l, ll);
		n += ll;
		if (ll < 400)
			break;
	}
	enc[n] = '\0';
	len = unb64(enc, (unsigned char *)out);
	ck_assert_int_ge(len, 0);
	if (chunks != NULL)
		*chunks = k;
	return len;
}

/* The client side of one exchange (RFC 5802 §3, §5). */
struct scram {
	char gs2[64]; /* gs2-header: "n,," or "n,a=<authzid>," */
	char bare[1400]; /* client-first-message-bare */
	char cnonce[1200];
	char sfirst[1600]; /* server-first-message */
	char salt_b64[128];
	unsigned iter;
	char auth[4400]; /* AuthMessage */
	unsigned char salted[32]; /* SaltedPassword */
	int sfirst_chunks; /* AUTHENTICATE lines the server-first took */
};

/* scram_first: send client-first "n,,n=user,r=cnonce" (cnonce NULL: 24
 * random base64 bytes). */
static void
scram_first(struct cl *c, struct scram *x, const char *user, const char *cnonce)
{
	unsigned char rnd[18];
	char msg[1500];

	memset(x, 0, sizeof(*x));
	if (cnonce == NULL) {
		ck_assert_int_eq(RAND_bytes(rnd, sizeof(rnd)), 1);
		live_b64(rnd, sizeof(rnd), x->cnonce);
	} else
		snprintf(x->cnonce, sizeof(x->cnonce), "%s", cnonce);
	snprintf(x->gs2, sizeof(x->gs2), "n,,");
	snprintf(x->bare, sizeof(x->bare), "n=%s,r=%s", user, x->cnonce);
	snprintf(msg, sizeof(msg), "%s%s", x->gs2, x->bare);
	sasl_out(c, msg, strlen(msg));
}

/* attr: the value of "k=" in a SCRAM message (copied into out). */
static void
attr(const char *msg, char k, char *out, size_t outsize)
{
	const char *p = msg;

	for (;;) {
		if (p[0] == k && p[1] == '=') {
			size_t n = strcspn(p + 2, ",");
			ck_assert_uint_lt(n, outsize);
			memcpy(out, p + 2, n);
			out[n] = '\0';
			return;
		}
		if ((p = strchr(p, ',')) == NULL)
			ck_abort_msg("no %c= in %s", k, msg);
		p++;
	}
}

/* scram_server_first: read and check server-first "r=,s=,i=". */
static void
scram_server_first(struct cl *c, struct scram *x)
{
	char r[1300], i[16];

	sasl_in(c, x->sfirst, &x->sfirst_chunks);
	attr(x->sfirst, 'r', r, sizeof(r));
	attr(x->sfirst, 's', x->salt_b64, sizeof(x->salt_b64));
	attr(x->sfirst, 'i', i, sizeof(i));
	ck_assert_msg(strncmp(r, x->cnonce, strlen(x->cnonce)) == 0 &&
		strlen(r) > strlen(x->cnonce),
	    "server nonce %s does not extend ours", r);
	x->iter = (unsigned)atoi(i);
	ck_assert_uint_ge(x->iter, 4096); /* RFC 7677 §4 */
}

/* scram_final: send client-final with the proof for password. */
static void
scram_final(struct cl *c, struct scram *x, const char *password)
{
	unsigned char salt[128], ckey[32], stored[32], csig[32], proof[32];
	char r[1300], without[1400], msg[1500], proof_b64[64], cbind[96];
	unsigned len = 0;
	int saltlen, k;

	attr(x->sfirst, 'r', r, sizeof(r));
	saltlen = unb64(x->salt_b64, salt);
	ck_assert_int_gt(saltlen, 0);
	ck_assert_int_eq(PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, saltlen,
			     (int)x->iter, EVP_sha256(), 32, x->salted),
	    1);
	HMAC(EVP_sha256(), x->salted, 32, (const unsigned char *)"Client Key", 10, ckey, &len);
	SHA256(ckey, 32, stored);
	/* c = base64(gs2-header): no channel binding */
	live_b64(x->gs2, strlen(x->gs2), cbind);
	snprintf(without, sizeof(without), "c=%s,r=%s", cbind, r);
	snprintf(x->auth, sizeof(x->auth), "%s,%s,%s", x->bare, x->sfirst, without);
	HMAC(EVP_sha256(), stored, 32, (const unsigned char *)x->auth, strlen(x->auth), csig, &len);
	for (k = 0; k < 32; k++)
		proof[k] = ckey[k] ^ csig[k];
	live_b64(proof, 32, proof_b64);
	snprintf(msg, sizeof(msg), "%s,p=%s", without, proof_b64);
	sasl_out(c, msg, strlen(msg));
}

/* scram_verify: read server-final and check v= against our own
 * ServerSignature; then answer it with the empty response. */
static void
scram_verify(struct cl *c, struct scram *x)
{
	unsigned char skey[32], ssig[32];
	char final[256], want[64];
	unsigned len = 0;

	sasl_in(c, final, NULL);
	HMAC(EVP_sha256(), x->salted, 32, (const unsigned char *)"Server Key", 10, skey, &len);
	HMAC(EVP_sha256(), skey, 32, (const unsigned char *)x->auth, strlen(x->auth), ssig, &len);
	live_b64(ssig, 32, want);
	ck_assert_msg(strncmp(final, "v=", 2) == 0 && strcmp(final + 2, want) == 0,
	    "server signature %s, computed v=%s", final, want);
	cl_send(c, "AUTHENTICATE +");
}

/* start: a new connection with sasl enabled, NICK/USER sent, that began
 * AUTHENTICATE mech and got "AUTHENTICATE +". */
static struct cl *
start(struct srv *s, const char *nick, const char *mech)
{
	struct cl *c = cl_connect(s->port);

	snprintf(c->name, sizeof(c->name), "%s", nick);
	cl_send(c, "CAP LS 302");
	cl_expect(c, SRV "CAP \\* LS (\\* )?:.*\\bsasl=" MECHS "( |$)", LIVE_T);
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Real %s", nick, nick);
	cl_send(c, "CAP REQ :sasl");
	cl_expect(c, SRV "CAP [^ ]+ ACK :sasl", LIVE_T);
	cl_send(c, "AUTHENTICATE %s", mech);
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	return c;
}

/* scram_login: a whole SCRAM-SHA-256 exchange on c (after "AUTHENTICATE
 * +") ending in 900 for account and 903. */
static void
scram_login(struct cl *c, const char *user, const char *password, const char *account)
{
	struct scram x;

	scram_first(c, &x, user, NULL);
	scram_server_first(c, &x);
	scram_final(c, &x, password);
	scram_verify(c, &x);
	cl_expectf(c, SRV "900 [^ ]+ [^ ]+ %s :You are now logged in as %s", account, account);
	cl_expect(c, SRV "903 [^ ]+ :SASL authentication successful", LIVE_T);
}

/* plain_send: the PLAIN message for account/password. */
static void
plain_send(struct cl *c, const char *account, const char *password)
{
	char raw[700];
	size_t al = strlen(account), pl = strlen(password);

	raw[0] = '\0';
	memcpy(raw + 1, account, al);
	raw[1 + al] = '\0';
	memcpy(raw + 2 + al, password, pl);
	sasl_out(c, raw, 2 + al + pl);
}

/* do_register: REGISTER account on a new registered client; returns it. */
static struct cl *
do_register(struct srv *s, const char *nick, const char *account, const char *password)
{
	struct cl *c = cl_new(s, nick);
	char re[128];

	cl_send(c, "REGISTER %s * %s", account, password);
	/* HT: an argon2id hash, slow under valgrind */
	snprintf(re, sizeof(re), SRV "REGISTER SUCCESS %s :", account);
	cl_expect(c, re, HT);
	cl_expect(c, SRV "900 ", LIVE_T);
	return c;
}

/* The sasl value of CAP LS 302 and RPL_SASLMECHS list the same mechanisms,
 * SCRAM-SHA-256 exactly when the build has libgsasl; an unknown mechanism
 * gets 908 with that list, then 904. */
START_TEST(t_cap_value_and_908)
{
	struct srv *s;
	struct cl *c;

	db_setup();
	s = srv_start(conf());
	c = start(s, "m1", "PLAIN");
	cl_send(c, "AUTHENTICATE *");
	cl_expect(c, SRV "906 ", LIVE_T);
	cl_send(c, "AUTHENTICATE SCRAM-SHA-1");
	cl_expect(c, SRV "908 m1 " MECHS " :are available SASL mechanisms", LIVE_T);
	cl_expect(c, SRV "904 m1 :", LIVE_T);
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256-PLUS");
	cl_expect(c, SRV "908 m1 " MECHS " :", LIVE_T);
	cl_expect(c, SRV "904 m1 :", LIVE_T);
#if !HAVE_GSASL
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, SRV "908 m1 PLAIN,EXTERNAL :", LIVE_T);
	cl_expect(c, SRV "904 m1 :", LIVE_T);
#endif
	srv_stop(s);
}
END_TEST

#if HAVE_GSASL
/* A login with the right password: the server proves it knows the
 * ServerKey (v=), 900 and 903 follow the empty response, WHOIS shows the
 * account; the account's secrets were stored at REGISTER. */
START_TEST(t_scram_success)
{
	struct srv *s;
	struct cl *a, *c;
	sqlite3 *db;
	sqlite3_stmt *st;

	db_setup();
	s = srv_start(conf());
	a = do_register(s, "alice", "alice", "hunter22");
	c = start(s, "sc1", "SCRAM-SHA-256");
	scram_login(c, "alice", "hunter22", "alice");
	cl_send(c, "CAP END");
	cl_expect(c, SRV "001 sc1 ", LIVE_T);
	cl_send(a, "WHOIS sc1");
	cl_expect(a, SRV "330 alice sc1 alice :is logged in as", LIVE_T);
	/* a case-insensitive user name is the same account (casemapping) */
	c = start(s, "sc2", "SCRAM-SHA-256");
	scram_login(c, "ALICE", "hunter22", "alice");
	srv_stop(s);
	/* on disk: RFC 5803 form, 4096 iterations */
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT scram FROM accounts", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_msg(
	    rx_match((const char *)sqlite3_column_text(st, 0),
		"^SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$"),
	    "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

/* A wrong password: 904 right after the client-final (a bad proof), no
 * 900, and the exchange can start again. An unknown account gets a
 * server-first like a real one (the same salt each time: RFC 5802 §9,
 * nothing tells it apart) and 904 at the proof. Malformed messages: 904. */
START_TEST(t_scram_wrong_unknown_malformed)
{
	struct srv *s;
	struct cl *c;
	struct scram x;
	char salt1[128];

	db_setup();
	s = srv_start(conf());
	do_register(s, "alice", "alice", "hunter22");
	c = start(s, "w1", "SCRAM-SHA-256");
	scram_first(c, &x, "alice", NULL);
	scram_server_first(c, &x);
	scram_final(c, &x, "wrong-password");
	cl_expect(c, SRV "904 w1 :SASL authentication failed", LIVE_T);
	cl_expect_none(c, SRV "900 ", 500);
	/* the unknown account: twice, same salt, then 904 */
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_first(c, &x, "nobody", NULL);
	scram_server_first(c, &x);
	snprintf(salt1, sizeof(salt1), "%s", x.salt_b64);
	cl_send(c, "AUTHENTICATE *");
	cl_expect(c, SRV "906 ", LIVE_T);
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_first(c, &x, "nobody", NULL);
	scram_server_first(c, &x);
	ck_assert_str_eq(x.salt_b64, salt1);
	scram_final(c, &x, "hunter22");
	cl_expect(c, SRV "904 w1 :", LIVE_T);
	/* a client-first that is not SCRAM, a wrong nonce in the final */
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	sasl_out(c, "hello", 5);
	cl_expect(c, SRV "904 w1 :", LIVE_T);
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_first(c, &x, "alice", NULL);
	scram_server_first(c, &x);
	sasl_out(c, "c=biws,r=forged,p=AAAA", 22);
	cl_expect(c, SRV "904 w1 :", LIVE_T);
	/* an empty client-first */
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	cl_send(c, "AUTHENTICATE +");
	cl_expect(c, SRV "904 w1 :", LIVE_T);
	/* a proof for another authzid (acting as someone else) */
	do_register(s, "bob", "bob", "bobpass1");
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	{
		char msg[1600];
		memset(&x, 0, sizeof(x));
		snprintf(x.cnonce, sizeof(x.cnonce), "abcdefghijklmnop");
		snprintf(x.gs2, sizeof(x.gs2), "n,a=bob,");
		snprintf(x.bare, sizeof(x.bare), "n=alice,r=%s", x.cnonce);
		snprintf(msg, sizeof(msg), "%s%s", x.gs2, x.bare);
		sasl_out(c, msg, strlen(msg));
		scram_server_first(c, &x);
		/* alice's right proof, but for bob: refused */
		scram_final(c, &x, "hunter22");
		cl_expect(c, SRV "904 w1 :", LIVE_T);
	}
	/* still not logged in; the connection works */
	cl_send(c, "CAP END");
	cl_expect(c, SRV "001 w1 ", LIVE_T);
	cl_send(c, "WHOIS w1");
	cl_expect_none(c, SRV "330 ", 1000);
	ck_assert(srv_alive(s));
	srv_stop(s);
}
END_TEST

/* AUTHENTICATE * at every stage: 906, no login. */
START_TEST(t_scram_abort)
{
	struct srv *s;
	struct cl *c;
	struct scram x;

	db_setup();
	s = srv_start(conf());
	do_register(s, "alice", "alice", "hunter22");
	c = start(s, "ab1", "SCRAM-SHA-256");
	cl_send(c, "AUTHENTICATE *");
	cl_expect(c, SRV "906 ab1 :SASL authentication aborted", LIVE_T);
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_first(c, &x, "alice", NULL);
	scram_server_first(c, &x);
	cl_send(c, "AUTHENTICATE *");
	cl_expect(c, SRV "906 ab1 :", LIVE_T);
	/* after the server-final: the login waits for the empty response */
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_first(c, &x, "alice", NULL);
	scram_server_first(c, &x);
	scram_final(c, &x, "hunter22");
	sasl_in(c, x.sfirst, NULL); /* v=... */
	cl_send(c, "AUTHENTICATE *");
	cl_expect(c, SRV "906 ab1 :", LIVE_T);
	/* CAP END in the middle aborts too (sasl-3.1) and registers */
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_first(c, &x, "alice", NULL);
	scram_server_first(c, &x);
	cl_send(c, "CAP END");
	cl_expect(c, SRV "906 ab1 :", LIVE_T);
	cl_expect(c, SRV "001 ab1 ", LIVE_T);
	cl_send(c, "WHOIS ab1");
	cl_expect_none(c, SRV "330 ", 1000);
	srv_stop(s);
}
END_TEST

/* 400-byte chunking both ways: a client nonce long enough that the
 * client-first is exactly 800 base64 bytes (two chunks and "+") makes a
 * server-first longer than 400 base64 bytes, which the server must chunk;
 * a message over the limit (1600 base64 bytes) is 905. */
START_TEST(t_scram_chunking)
{
	struct srv *s;
	struct cl *c;
	struct scram x;
	char nonce[700], big[401];

	db_setup();
	s = srv_start(conf());
	do_register(s, "alice", "alice", "hunter22");
	c = start(s, "ch1", "SCRAM-SHA-256");
	/* "n,,n=alice,r=" is 13 bytes; 800 base64 = 600 bytes */
	memset(nonce, 'N', 587);
	nonce[587] = '\0';
	scram_first(c, &x, "alice", nonce);
	scram_server_first(c, &x);
	ck_assert_int_ge(x.sfirst_chunks, 2);
	scram_final(c, &x, "hunter22");
	scram_verify(c, &x);
	cl_expect(c, SRV "900 ch1 [^ ]+ alice ", LIVE_T);
	cl_expect(c, SRV "903 ", LIVE_T);
	/* too long: 905, and the next exchange works */
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	memset(big, 'A', 400);
	big[400] = '\0';
	cl_send(c, "AUTHENTICATE %s", big);
	cl_send(c, "AUTHENTICATE %s", big);
	cl_send(c, "AUTHENTICATE %s", big);
	cl_send(c, "AUTHENTICATE %s", big);
	cl_send(c, "AUTHENTICATE %s", big);
	cl_expect(c, SRV "905 ch1 :SASL message too long", LIVE_T);
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_login(c, "alice", "hunter22", "alice");
	srv_stop(s);
}
END_TEST

/* An account without SCRAM secrets (made before schema 3: the column is
 * emptied while the server is stopped) cannot use SCRAM (904) until a
 * password login (PLAIN here) derives them; NickServ SET PASSWORD replaces
 * them, so the old password no longer works with SCRAM either. */
START_TEST(t_scram_secrets_lifecycle)
{
	struct srv *s;
	struct cl *a, *c;
	struct scram x;
	sqlite3 *db;

	db_setup();
	s = srv_start(conf());
	a = do_register(s, "alice", "alice", "hunter22");
	cl_close(a);
	srv_stop(s);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE accounts SET scram = NULL", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	s = srv_start(conf());
	c = start(s, "u1", "SCRAM-SHA-256");
	scram_first(c, &x, "alice", NULL);
	scram_server_first(c, &x);
	scram_final(c, &x, "hunter22");
	cl_expect(c, SRV "904 u1 :", LIVE_T);
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	plain_send(c, "alice", "hunter22");
	cl_expect(c, SRV "900 u1 [^ ]+ alice ", HT);
	ck_assert(srv_log_wait(s, "account alice: SCRAM-SHA-256 secrets added", LIVE_T));
	c = start(s, "u2", "SCRAM-SHA-256");
	scram_login(c, "alice", "hunter22", "alice");
	cl_send(c, "CAP END");
	cl_expect(c, SRV "001 u2 ", LIVE_T);
	cl_send(c, "PRIVMSG NickServ :SET PASSWORD newpass9");
	cl_expect(c,
	    "NickServ!NickServ@services\\. NOTICE u2 :The password for alice has been "
	    "changed\\.",
	    HT);
	c = start(s, "u3", "SCRAM-SHA-256");
	scram_first(c, &x, "alice", NULL);
	scram_server_first(c, &x);
	scram_final(c, &x, "hunter22");
	cl_expect(c, SRV "904 u3 :", LIVE_T);
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_login(c, "alice", "newpass9", "alice");
	srv_stop(s);
	/* and the new secrets survived the restart */
	s = srv_start(conf());
	c = start(s, "u4", "SCRAM-SHA-256");
	scram_login(c, "alice", "newpass9", "alice");
	srv_stop(s);
}
END_TEST

/* A nick grouped to an account (NickServ GROUP; written into the file
 * here while the server is stopped) names that account in SCRAM as in
 * PLAIN: 900 for the account, with its salt. */
START_TEST(t_scram_grouped_nick)
{
	struct srv *s;
	struct cl *c;
	sqlite3 *db;

	db_setup();
	s = srv_start(conf());
	cl_close(do_register(s, "alice", "alice", "hunter22"));
	srv_stop(s);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db,
			  "INSERT INTO nicks (folded, name, account, created)"
			  " VALUES ('ally', 'Ally', 'alice', 1)",
			  NULL, NULL, NULL) == SQLITE_OK,
	    "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	s = srv_start(conf());
	c = start(s, "g1", "SCRAM-SHA-256");
	scram_login(c, "ally", "hunter22", "alice");
	srv_stop(s);
}
END_TEST

/* A suspended account (NickServ SUSPEND; written into the file here while
 * the server is stopped) cannot log in with SCRAM either: the right proof
 * gets 904, and no server-final confirms the password. */
START_TEST(t_scram_suspended)
{
	struct srv *s;
	struct cl *c;
	struct scram x;
	sqlite3 *db;

	db_setup();
	s = srv_start(conf());
	cl_close(do_register(s, "alice", "alice", "hunter22"));
	srv_stop(s);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db,
			  "UPDATE accounts SET suspended = 1, suspended_by = 'oper',"
			  " suspend_reason = 'test'",
			  NULL, NULL, NULL) == SQLITE_OK,
	    "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	s = srv_start(conf());
	c = start(s, "su1", "SCRAM-SHA-256");
	scram_first(c, &x, "alice", NULL);
	scram_server_first(c, &x);
	scram_final(c, &x, "hunter22");
	cl_expect(c, "^(AUTHENTICATE |" SRV "904 su1 :)", LIVE_T);
	ck_assert_msg(strncmp(c->last, "AUTHENTICATE", 12) != 0, "server-final sent: %s", c->last);
	cl_send(c, "CAP END");
	cl_expect(c, SRV "001 su1 ", LIVE_T);
	cl_send(c, "WHOIS su1");
	cl_expect_none(c, SRV "330 ", 1000);
	srv_stop(s);
}
END_TEST

/* kill -9 under a registration flood: the file passes integrity_check,
 * every account whose REGISTER SUCCESS arrived is there with its SCRAM
 * secrets (written in the same row, in the same commit), and after a
 * restart those accounts log in with SCRAM. */
START_TEST(t_scram_kill9)
{
	enum { N = 10, ACKED = 5 };
	struct srv *s;
	struct cl *c[N];
	char nick[16], pw[32], sql[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	int i;

	db_setup();
	/* a flood from one address: the per-address limits are off here
	 * (live_account t_throttle_* tests them) */
	s = srv_start(conf_extra("register_limit = 0\nhash_jobs_per_ip = 0\n"));
	for (i = 0; i < N; i++) {
		snprintf(nick, sizeof(nick), "k%d", i);
		c[i] = cl_new(s, nick);
	}
	for (i = 0; i < N; i++)
		cl_send(c[i], "REGISTER * * password%d", i);
	/* one worker hashes in order: k0..k4 are acknowledged first */
	for (i = 0; i < ACKED; i++)
		cl_expect(c[i], SRV "REGISTER SUCCESS ", HT);
	ck_assert_int_eq(kill(s->pid, SIGKILL), 0);
	ck_assert_int_ne(srv_wait_exit(s, 20000), -1);
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	for (i = 0; i < ACKED; i++) {
		snprintf(sql, sizeof(sql), "SELECT scram FROM accounts WHERE name = 'k%d'", i);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "acknowledged k%d lost", i);
		ck_assert_msg(sqlite3_column_type(st, 0) == SQLITE_TEXT, "k%d has no secrets", i);
		sqlite3_finalize(st);
	}
	/* a row is whole or absent: no account without its secrets */
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM accounts WHERE scram IS NULL",
			     -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	srv_stop(s);
	s = srv_start(conf());
	for (i = 0; i < ACKED; i += 2) {
		struct cl *l;
		snprintf(nick, sizeof(nick), "after%d", i);
		snprintf(pw, sizeof(pw), "password%d", i);
		snprintf(sql, sizeof(sql), "k%d", i);
		l = start(s, nick, "SCRAM-SHA-256");
		scram_login(l, sql, pw, sql);
		cl_close(l);
	}
	srv_stop(s);
}
END_TEST

/* A SCRAM flood does not stall bystanders: 24 clients run their exchanges
 * interleaved (each step sent to all before any answer is read) while a
 * bystander's PINGs are answered; every login succeeds with the right
 * account and every PING gets its PONG. Correctness, not time. */
START_TEST(t_scram_flood_bystander)
{
	enum { N = 24 };
	struct srv *s;
	struct cl *c[N], *b;
	struct scram *x = calloc(N, sizeof(*x));
	char nick[16];
	int i;

	ck_assert_ptr_nonnull(x);
	db_setup();
	s = srv_start(conf());
	do_register(s, "alice", "alice", "hunter22");
	do_register(s, "bob", "bob", "bobpass1");
	b = cl_new(s, "bystander");
	for (i = 0; i < N; i++) {
		snprintf(nick, sizeof(nick), "f%d", i);
		c[i] = start(s, nick, "SCRAM-SHA-256");
	}
	for (i = 0; i < N; i++)
		scram_first(c[i], &x[i], i % 2 ? "bob" : "alice", NULL);
	cl_send(b, "PING :one");
	for (i = 0; i < N; i++)
		scram_server_first(c[i], &x[i]);
	cl_expect(b, "PONG [^ ]+ :one$", LIVE_T);
	for (i = 0; i < N; i++)
		scram_final(c[i], &x[i], i % 2 ? "bobpass1" : (i % 3 ? "hunter22" : "wrong!"));
	cl_send(b, "PING :two");
	for (i = 0; i < N; i++) {
		if (i % 2 == 0 && i % 3 == 0) {
			cl_expect(c[i], SRV "904 ", LIVE_T);
			continue;
		}
		scram_verify(c[i], &x[i]);
	}
	cl_expect(b, "PONG [^ ]+ :two$", LIVE_T);
	for (i = 0; i < N; i++)
		if (!(i % 2 == 0 && i % 3 == 0))
			cl_expectf(c[i], SRV "900 f%d [^ ]+ %s ", i, i % 2 ? "bob" : "alice");
	cl_send(b, "PING :three");
	cl_expect(b, "PONG [^ ]+ :three$", LIVE_T);
	free(x);
	srv_stop(s);
}
END_TEST
#endif

/* Reauthentication (sasl-3.2): a registered client logged in to alice
 * authenticates again as bob: 900 bob, ACCOUNT bob to its account-notify
 * peers, WHOIS 330 bob. A failed attempt (904, or 906 on abort) leaves it
 * in bob; a reauthentication to the same account sends 900 but no ACCOUNT.
 * With SCRAM when built with libgsasl, else PLAIN. */
START_TEST(t_reauthenticate)
{
	struct srv *s;
	struct cl *c, *o;

	db_setup();
	s = srv_start(conf());
	do_register(s, "alice", "alice", "hunter22");
	do_register(s, "bob", "bob", "bobpass1");
	o = cl_connect(s->port);
	cl_send(o, "CAP REQ :account-notify extended-join");
	cl_expect(o, SRV "CAP \\* ACK ", LIVE_T);
	cl_send(o, "CAP END");
	cl_register(o, "obs");
	cl_join(o, "#r");
	c = start(s, "re", "PLAIN");
	plain_send(c, "alice", "hunter22");
	cl_expect(c, SRV "900 re [^ ]+ alice ", HT);
	cl_expect(c, SRV "903 ", LIVE_T);
	cl_send(c, "CAP END");
	cl_expect(c, SRV "001 re ", LIVE_T);
	cl_expect(c, SRV "(376|422) ", LIVE_T);
	cl_join(c, "#r");
	cl_expect(o, PFX("re") "JOIN #r alice :Real re$", LIVE_T);
	/* to bob */
#if HAVE_GSASL
	cl_send(c, "AUTHENTICATE SCRAM-SHA-256");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	scram_login(c, "bob", "bobpass1", "bob");
#else
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	plain_send(c, "bob", "bobpass1");
	cl_expect(c, SRV "900 re [^ ]+ bob ", HT);
	cl_expect(c, SRV "903 ", LIVE_T);
#endif
	cl_expect(o, PFX("re") "ACCOUNT bob$", LIVE_T);
	cl_send(o, "WHOIS re");
	cl_expect(o, SRV "330 obs re bob :is logged in as", LIVE_T);
	/* a wrong password: 904, still bob */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	plain_send(c, "alice", "not-it");
	cl_expect(c, SRV "904 re :", HT);
	/* an abort: 906, still bob */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	cl_send(c, "AUTHENTICATE *");
	cl_expect(c, SRV "906 re :", LIVE_T);
	cl_send(o, "WHOIS re");
	cl_expect(o, SRV "330 obs re bob :", LIVE_T);
	/* the same account again: 900, nothing for the others */
	cl_send(c, "AUTHENTICATE PLAIN");
	cl_expect(c, "^AUTHENTICATE \\+$", LIVE_T);
	plain_send(c, "bob", "bobpass1");
	cl_expect(c, SRV "900 re [^ ]+ bob ", HT);
	cl_expect(c, SRV "903 ", LIVE_T);
	cl_expect_none(o, "ACCOUNT", 1000);
	cl_send(c, "MODE re");
	cl_expect(c, SRV "221 re \\+[a-zA-Z]*r", LIVE_T);
	/* without the cap: refused, nothing changes */
	o = cl_new(s, "nocap");
	cl_send(o, "AUTHENTICATE PLAIN");
	cl_expect(o, SRV "904 nocap :", LIVE_T);
	srv_stop(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("live_sasl");
	TCase *tc = live_tcase("sasl", 240);

	tcase_add_checked_fixture(tc, NULL, db_teardown);
	tcase_add_test(tc, t_cap_value_and_908);
#if HAVE_GSASL
	tcase_add_test(tc, t_scram_success);
	tcase_add_test(tc, t_scram_wrong_unknown_malformed);
	tcase_add_test(tc, t_scram_abort);
	tcase_add_test(tc, t_scram_chunking);
	tcase_add_test(tc, t_scram_secrets_lifecycle);
	tcase_add_test(tc, t_scram_grouped_nick);
	tcase_add_test(tc, t_scram_kill9);
	tcase_add_test(tc, t_scram_suspended);
	tcase_add_test(tc, t_scram_flood_bystander);
#endif
	tcase_add_test(tc, t_reauthenticate);
	suite_add_tcase(su, tc);
	return live_run(su);
}
