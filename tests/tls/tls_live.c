/*
 * tls_live: the real evircd binary ($EVIRCD_BIN) with one plaintext and one
 * TLS listener on 127.0.0.1 port 0 (srv_start_tls of tests/lib/livelib),
 * driven by livelib's clients, which speak TLS through OpenSSL
 * (cl_connect_tls).
 *
 * Certificates are made once per suite run in-process by livelib
 * (live_cert: self-signed RSA-2048): "a" the server's first certificate,
 * "b" the one a rehash switches to, "client" a client certificate for
 * CertFP.  Every wait is bounded; nothing sleeps blindly.
 *
 * Debugging: LIVE_VERBOSE=1 echoes the server's stderr, LIVE_KEEP=1 keeps
 * the temp directories, CK_FORK=no runs the tests in one process.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "livelib.h"

#define T_MS   LIVE_T /* bound for one expectation */
#define FP_LEN (2 * EVP_MAX_MD_SIZE + 1)

/* ------------------------------------------------------------ helpers */

/* run: fork/exec argv with stdout and stderr to /dev/null (or to errfile);
 * returns the exit status, -1 if it did not exit normally. */
static int
run(char *const argv[], const char *errfile)
{
	pid_t pid;
	int st, fd;

	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		if (errfile != NULL)
			fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "open %s", path);
	fputs(text, f);
	ck_assert(fclose(f) == 0);
}

/* The suite's certificates (made once, see the header comment). */
static const char *
crt(const char *name)
{
	return live_cert(name, strcmp(name, "client") == 0 ? "alice" : "irc.test");
}

static const char *
key(const char *name)
{
	return live_cert_key(crt(name));
}

/* A server with the TLS listener on certificate "a". */
static struct srv *
tls_srv(void)
{
	return srv_start_tls("[oper]\nname = op\npassword = secret\nhost = *\n", crt("a"),
	    key("a"));
}

/* A TLS client named name. */
static struct cl *
cl_tls(struct srv *s, const char *name, const char *cert, const char *ckey)
{
	struct tls_opt o = { .cert = cert, .key = ckey };
	char err[256];
	struct cl *c = cl_connect_tls_opt(s->tls_port, &o, err, sizeof(err));

	ck_assert_msg(c != NULL, "TLS handshake failed: %s\n%s", err, srv_log_tail(s));
	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

/* A plaintext client named name. */
static struct cl *
cl_plain(struct srv *s, const char *name)
{
	struct cl *c = cl_connect(s->port);

	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

/* A plaintext client on port (the TLS port: whatever the server answers
 * is not IRC, so lines are not checked). */
static struct cl *
cl_plain_on(int port, const char *name)
{
	struct cl *c = cl_connect(port);

	c->strict = 0;
	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

/* A file in the suite's temp root (removed by live_run). */
static const char *
path(const char *name)
{
	static char bufs[8][200];
	static unsigned next;
	const char *root = getenv("LIVE_TMPDIR");
	char *b = bufs[next++ % 8];

	ck_assert(root != NULL);
	snprintf(b, sizeof(bufs[0]), "%s/%s", root, name);
	return b;
}

/* For evircd -t in test_tls_config_errors (the line numbers matter). */
static const char conf_fmt[] = "[server]\n"
			       "name = irc.test\n"
			       "network = TestNet\n"
			       "[listen]\n"
			       "address = 127.0.0.1\n"
			       "port = 0\n"
			       "[listen]\n"
			       "address = 127.0.0.1\n"
			       "port = 0\n"
			       "tls = yes\n"
			       "certificate = %s\n"
			       "private_key = %s\n"
			       "[limits]\n"
			       "ping_interval = 600\n"
			       "ping_timeout = 600\n"
			       "[flood]\n"
			       "enabled = no\n"
			       "[oper]\n"
			       "name = op\n"
			       "password = secret\n"
			       "host = *\n";

/* cl_next: the very next line (no skipping). */
static const char *
cl_next(struct cl *c)
{
	return cl_expect(c, "^", T_MS);
}

/* cl_until: the lines up to and including one matching end_re, each tested
 * against want_re; returns whether any matched. */
static int
cl_until(struct cl *c, const char *end_re, const char *want_re)
{
	int found = 0;

	for (;;) {
		const char *l = cl_next(c);

		if (want_re != NULL && rx_match(l, want_re))
			found = 1;
		if (rx_match(l, end_re))
			return found;
	}
}

/* cl_reg: NICK/USER and the welcome burst up to the end of the MOTD. */
static void
cl_reg(struct cl *c, const char *nick)
{
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :TLS test", nick);
	cl_expectf(c, "^:irc\\.test 001 %s ", nick);
	cl_expect(c, "^:irc\\.test (376|422) ", T_MS);
	snprintf(c->name, sizeof(c->name), "%s", nick);
}

/* ---------------------------------------------------------------- tests */

/* Register over TLS: +z in the burst and in MODE, 004 lists z, +z cannot be
 * removed, WHOIS self shows 671 and (no client certificate) no 276. */
START_TEST(test_tls_register)
{
	struct srv *s;
	struct cl *a;
	const char *l;

	s = tls_srv();
	a = cl_tls(s, "alice", NULL, NULL);
	cl_send(a, "NICK alice");
	cl_send(a, "USER alice 0 * :TLS test");
	cl_expect(a, "^:irc\\.test 001 alice ", T_MS);
	cl_expect(a, "^:irc\\.test 004 alice irc\\.test [^ ]+ [A-Za-z]*z[A-Za-z]* ", T_MS);
	cl_expect(a, "^:alice MODE alice :\\+z$", T_MS);
	cl_send(a, "MODE alice");
	cl_expect(a, "^:irc\\.test 221 alice \\+z$", T_MS);
	cl_send(a, "MODE alice -z"); /* changes nothing, says nothing */
	cl_send(a, "PING :after-z");
	l = cl_next(a);
	ck_assert_msg(rx_match(l, "PONG irc\\.test :after-z$"), "after MODE -z: %s", l);
	cl_send(a, "MODE alice +i");
	cl_expect(a, "^:alice MODE alice :\\+i$", T_MS);
	cl_send(a, "MODE alice");
	cl_expect(a, "^:irc\\.test 221 alice \\+iz$", T_MS);
	cl_send(a, "WHOIS alice");
	ck_assert(
	    cl_until(a, " 318 ", "^:irc\\.test 671 alice alice :is using a secure connection$"));
	cl_send(a, "WHOIS alice");
	ck_assert(!cl_until(a, " 318 ", " 276 "));
	cl_close(a);
	ck_assert(srv_alive(s));
	srv_stop(s);
}
END_TEST

/* A client certificate: 276 with its SHA-256 to the user and to operators,
 * not to other users; 671 to everyone. */
START_TEST(test_tls_certfp)
{
	struct srv *s;
	struct cl *a, *b;
	char fp[FP_LEN], re[256];

	live_cert_fp(crt("client"), fp);
	s = tls_srv();
	a = cl_tls(s, "alice", crt("client"), key("client"));
	cl_reg(a, "alice");
	b = cl_plain(s, "bob");
	cl_reg(b, "bob");

	snprintf(re, sizeof(re),
	    "^:irc\\.test 276 alice alice :has client certificate fingerprint %s$", fp);
	cl_send(a, "WHOIS alice");
	ck_assert_msg(cl_until(a, " 318 ", re), "no 276 with %s", fp);

	cl_send(b, "WHOIS alice");
	ck_assert(cl_until(b, " 318 ", " 671 bob alice :is using a secure connection$"));
	cl_send(b, "WHOIS alice");
	ck_assert(!cl_until(b, " 318 ", " 276 "));

	cl_send(b, "OPER op secret");
	cl_expect(b, " 381 bob ", T_MS);
	snprintf(re, sizeof(re),
	    "^:irc\\.test 276 bob alice :has client certificate fingerprint %s$", fp);
	cl_send(b, "WHOIS alice");
	ck_assert(cl_until(b, " 318 ", re));

	/* the plaintext user is not +z and has no 671 */
	cl_send(b, "MODE bob");
	cl_expect(b, "^:irc\\.test 221 bob \\+[a-y]*$", T_MS);
	cl_send(a, "WHOIS bob");
	ck_assert(!cl_until(a, " 318 ", " 671 "));
	cl_close(a);
	cl_close(b);
	srv_stop(s);
}
END_TEST

/* TLS and plaintext users talk to each other, privately and in a channel. */
START_TEST(test_tls_privmsg)
{
	struct srv *s;
	struct cl *a, *b;

	s = tls_srv();
	a = cl_tls(s, "alice", NULL, NULL);
	cl_reg(a, "alice");
	b = cl_plain(s, "bob");
	cl_reg(b, "bob");
	cl_send(a, "PRIVMSG bob :hello over TLS");
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :hello over TLS$", T_MS);
	cl_send(b, "PRIVMSG alice :hello in plaintext");
	cl_expect(a, "^:bob![^ ]+ PRIVMSG alice :hello in plaintext$", T_MS);
	cl_send(a, "JOIN #t");
	cl_expect(a, " 366 alice #t ", T_MS);
	cl_send(b, "JOIN #t");
	cl_expect(b, " 366 bob #t ", T_MS);
	cl_expect(a, "^:bob![^ ]+ JOIN #t", T_MS);
	/* a longer line, several records' worth of traffic */
	for (int i = 0; i < 50; i++)
		cl_send(b, "PRIVMSG #t :line %d %0300d", i, i);
	for (int i = 0; i < 50; i++) {
		char re[64];
		snprintf(re, sizeof(re), "PRIVMSG #t :line %d 0+%d$", i, i);
		cl_expect(a, re, T_MS);
	}
	cl_send(a, "QUIT :done");
	cl_expect(a, "^ERROR :Closing Link: ", T_MS);
	cl_expect(b, "^:alice![^ ]+ QUIT :(Quit: )?done$", T_MS);
	cl_expect_eof(a, T_MS);
	cl_close(a);
	cl_close(b);
	srv_stop(s);
}
END_TEST

/* A plaintext client on the TLS port is disconnected, one info line is
 * logged, and the server keeps serving both ports. */
START_TEST(test_plaintext_on_tls_port)
{
	struct srv *s;
	struct cl *p, *a, *b;

	s = tls_srv();
	p = cl_plain_on(s->tls_port, "plain-on-tls");
	cl_send(p, "NICK x");
	cl_expect_eof(p, T_MS); /* "plaintext client on the TLS port not closed" */
	cl_close(p);
	ck_assert_msg(srv_log_wait(s, "info: TLS handshake with 127\\.0\\.0\\.1 failed: .+", T_MS),
	    "no handshake failure logged:\n%s", srv_log_tail(s));

	/* a client that connects and says nothing costs nothing either */
	p = cl_plain_on(s->tls_port, "silent-on-tls");

	ck_assert(srv_alive(s));
	a = cl_tls(s, "alice", NULL, NULL);
	cl_reg(a, "alice");
	b = cl_plain(s, "bob");
	cl_reg(b, "bob");
	cl_send(b, "PRIVMSG alice :still here");
	cl_expect(a, "PRIVMSG alice :still here$", T_MS);
	cl_send(b, "LUSERS");
	cl_expect(b, " 251 bob :There are 2 users ", T_MS);
	cl_close(p);
	cl_close(a);
	cl_close(b);
	srv_stop(s);
}
END_TEST

/* monotonic milliseconds */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* tls_handshake_timeout (issue 9): a connection to the TLS port that never
 * completes its handshake is closed after tls_handshake_timeout (here 1 s),
 * at once and without waiting for an ERROR line that cannot be sent - not
 * after registration_timeout (60 s) plus the flush deadline. A client
 * whose handshake is done has registration_timeout from then on. */
START_TEST(test_tls_handshake_timeout)
{
	struct srv *s;
	struct cl *p, *a;
	long long t0, dt;

	s = srv_start_tls("[limits]\ntls_handshake_timeout = 1\nregistration_timeout = 60\n",
	    crt("a"), key("a"));
	p = cl_plain_on(s->tls_port, "silent-on-tls");
	a = cl_tls(s, "alice", NULL, NULL);
	t0 = now_ms();
	cl_expect_eof(p, T_MS); /* before: open for 60 s + 10 s */
	dt = now_ms() - t0;
	ck_assert_msg(dt < 3000, "silent TLS connection closed after %lld ms (timeout 1 s)", dt);
	cl_close(p);
	ck_assert_msg(srv_log_wait(s, "info: TLS handshake with 127\\.0\\.0\\.1 timed out", T_MS),
	    "no timeout logged:\n%s", srv_log_tail(s));
	/* alice finished her handshake before the silent one timed out and
	 * is still there to register afterwards */
	cl_reg(a, "alice");
	cl_send(a, "LUSERS");
	cl_expect(a, " 251 alice :There are 1 users ", T_MS);
	cl_close(a);
	srv_stop(s);
}
END_TEST

/* TLS 1.2 is accepted, TLS 1.1 is refused by the server. */
START_TEST(test_tls_versions)
{
	struct tls_opt tls12 = { .min_version = TLS1_2_VERSION, .max_version = TLS1_2_VERSION };
	struct tls_opt tls11 = { .min_version = TLS1_VERSION, .max_version = TLS1_1_VERSION };
	struct srv *s;
	struct cl *a;
	char err[256];

	s = tls_srv();
	a = cl_connect_tls_opt(s->tls_port, &tls12, err, sizeof(err));
	ck_assert_msg(a != NULL, "TLS 1.2 refused: %s", err);
	ck_assert_str_eq(SSL_get_version(a->ssl), "TLSv1.2");
	cl_reg(a, "old");
	cl_close(a);
	a = cl_connect_tls_opt(s->tls_port, &tls11, err, sizeof(err));
	ck_assert_msg(a == NULL, "TLS 1.1 accepted");
	ck_assert_msg(srv_log_wait(s,
			  "TLS handshake with 127\\.0\\.0\\.1 failed: "
			  "(unsupported protocol|.*version.*)",
			  T_MS),
	    "%s", srv_log_tail(s));
	ck_assert(srv_alive(s));
	srv_stop(s);
}
END_TEST

/* SIGHUP with new certificate contents: an established TLS client keeps
 * working, a new one sees the new certificate. A rehash with a broken
 * certificate keeps the old context. */
START_TEST(test_tls_rehash)
{
	struct srv *s;
	struct cl *a, *b, *c;
	char fa[FP_LEN], fb[FP_LEN], got[FP_LEN];

	live_cert_fp(crt("a"), fa);
	live_cert_fp(crt("b"), fb);
	ck_assert_str_ne(fa, fb);
	s = tls_srv();
	a = cl_tls(s, "alice", NULL, NULL);
	cl_peer_fp(a, got);
	ck_assert_str_eq(got, fa);
	cl_reg(a, "alice");

	live_copy_file(crt("b"), s->tls_cert);
	live_copy_file(key("b"), s->tls_key);
	kill(s->pid, SIGHUP);
	ck_assert_msg(srv_log_wait(s, "configuration reloaded", T_MS), "%s", srv_log_tail(s));
	ck_assert(srv_log_wait(s, "TLS listener 127\\.0\\.0\\.1:[0-9]+ reloaded", T_MS));

	cl_sync(a);
	b = cl_tls(s, "bob", NULL, NULL);
	cl_peer_fp(b, got);
	ck_assert_str_eq(got, fb);
	cl_reg(b, "bob");
	cl_send(a, "PRIVMSG bob :old session");
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :old session$", T_MS);
	cl_send(b, "PRIVMSG alice :new session");
	cl_expect(a, "^:bob![^ ]+ PRIVMSG alice :new session$", T_MS);

	/* a broken certificate: the rehash fails, the old context stays */
	write_file(s->tls_cert, "not a certificate\n");
	kill(s->pid, SIGHUP);
	ck_assert_msg(srv_log_wait(s, "rehash failed.*certificate .*server\\.crt", T_MS), "%s",
	    srv_log_tail(s));
	c = cl_tls(s, "carol", NULL, NULL);
	cl_peer_fp(c, got);
	ck_assert_str_eq(got, fb);
	cl_reg(c, "carol");
	cl_sync(a);
	cl_sync(b);
	cl_close(a);
	cl_close(b);
	cl_close(c);
	ck_assert(srv_alive(s));
	srv_stop(s);
}
END_TEST

/* evircd -t reports certificate problems as FILE:LINE: ... and exits 1. */
START_TEST(test_tls_config_errors)
{
	const char *bin = getenv("EVIRCD_BIN");
	char conf[2048], tconf[128], *out;
	char *argv[] = { (char *)bin, "-t", "-c", tconf, NULL };
	struct {
		const char *crt, *key, *re;
	} cases[] = {
		{ "a.crt", "a.key", NULL },
		{ "missing.crt", "a.key",
		    ":7: \\[listen\\] certificate .*missing\\.crt: No such file or directory" },
		{ "a.crt", "missing.key",
		    ":7: \\[listen\\] private_key .*missing\\.key: No such file or directory" },
		{ "a.crt", "b.key",
		    ":7: \\[listen\\] private_key .*b\\.key does not match certificate" },
		{ "junk", "a.key", ":7: \\[listen\\] certificate .*junk: " },
	};
	size_t i;

	ck_assert(bin != NULL);
	(void)key("a"); /* a.crt, a.key, b.key exist in the suite root */
	(void)key("b");
	write_file(path("junk"), "junk\n");
	snprintf(tconf, sizeof(tconf), "%s", path("t.conf"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char crt[128], key[128];
		snprintf(crt, sizeof(crt), "%s", path(cases[i].crt));
		snprintf(key, sizeof(key), "%s", path(cases[i].key));
		snprintf(conf, sizeof(conf), conf_fmt, crt, key);
		write_file(argv[3], conf);
		if (cases[i].re == NULL) {
			ck_assert_int_eq(run(argv, path("t.err")), 0);
			continue;
		}
		ck_assert_int_eq(run(argv, path("t.err")), 1);
		out = slurp(path("t.err"));
		ck_assert_msg(rx_match(out, cases[i].re), "case %zu: '%s' !~ /%s/", i, out,
		    cases[i].re);
	}
	/* tls = yes without files */
	write_file(argv[3], "[listen]\naddress = 127.0.0.1\nport = 0\ntls = yes\n");
	ck_assert_int_eq(run(argv, path("t.err")), 1);
	out = slurp(path("t.err"));
	ck_assert_msg(rx_match(out, ":1: \\[listen\\] tls = yes needs certificate"), "%s", out);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("tls_live");
	tc = live_tcase("tls", 60);
	tcase_add_test(tc, test_tls_register);
	tcase_add_test(tc, test_tls_certfp);
	tcase_add_test(tc, test_tls_privmsg);
	tcase_add_test(tc, test_plaintext_on_tls_port);
	tcase_add_test(tc, test_tls_versions);
	tcase_add_test(tc, test_tls_handshake_timeout);
	tcase_add_test(tc, test_tls_rehash);
	tcase_add_test(tc, test_tls_config_errors);
	suite_add_tcase(s, tc);
	return live_run(s);
}
