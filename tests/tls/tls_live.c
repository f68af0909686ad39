/*
 * tls_live: the real evircd binary ($EVIRCD_BIN) with one plaintext and one
 * TLS listener on 127.0.0.1 port 0, driven by OpenSSL's client API.
 *
 * Certificates are made by the openssl command line tool in a private temp
 * directory (the suite exits 77, "skipped", when it is missing). Every wait
 * is bounded (poll plus socket timeouts); nothing sleeps blindly. Each test
 * starts its own server; the server gets SIGKILL if the test process dies
 * (PR_SET_PDEATHSIG), so a failing test leaves nothing running.
 *
 * Debugging: TLS_VERBOSE=1 echoes the server's stderr, TLS_KEEP=1 keeps the
 * temp directories, CK_FORK=no runs the tests in one process.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define T_MS	5000		/* bound for one expectation */
#define LOGMAX	(1024 * 1024)

/* ------------------------------------------------------------ helpers */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
rx(const char *s, const char *re)
{
	regex_t r;
	int ok;

	ck_assert_msg(regcomp(&r, re, REG_EXTENDED | REG_NOSUB) == 0, "bad regex %s", re);
	ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

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
copy_file(const char *from, const char *to)
{
	char tmp[300];
	FILE *in, *out;
	char buf[8192];
	size_t n;

	/* write then rename: the server never reads half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	in = fopen(from, "r");
	ck_assert_msg(in != NULL, "open %s", from);
	out = fopen(tmp, "w");
	ck_assert_msg(out != NULL, "open %s", tmp);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert(fwrite(buf, 1, n, out) == n);
	fclose(in);
	ck_assert(fclose(out) == 0);
	ck_assert(rename(tmp, to) == 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "open %s", path);
	fputs(text, f);
	ck_assert(fclose(f) == 0);
}

/* fingerprint of a PEM certificate file: SHA-256, lower-case hex. */
static void
file_fp(const char *path, char *hex)
{
	FILE *f = fopen(path, "r");
	X509 *x;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;

	ck_assert_msg(f != NULL, "open %s", path);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_msg(x != NULL, "no certificate in %s", path);
	ck_assert(X509_digest(x, EVP_sha256(), md, &n) == 1);
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	hex[2 * n] = '\0';
	X509_free(x);
}

/* ------------------------------------------------------------- fixture */

static char g_dir[64];		/* this test's temp directory */

static const char *
path(const char *name)
{
	static char bufs[8][128];
	static unsigned next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", g_dir, name);
	return b;
}

/* make_cert: self-signed RSA certificate and key: NAME.crt, NAME.key. */
static void
make_cert(const char *name, const char *cn)
{
	char crt[128], key[128], subj[64];
	char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
	    "-subj", subj, "-keyout", key, "-out", crt, NULL };

	snprintf(crt, sizeof(crt), "%s/%s.crt", g_dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", g_dir, name);
	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	ck_assert_msg(run(argv, path("openssl.err")) == 0, "openssl req failed: %s",
	    slurp(path("openssl.err")));
}

static void
rm_rf(const char *dir)
{
	char *argv[] = { "rm", "-rf", (char *)dir, NULL };

	run(argv, NULL);
}

static void
setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(g_dir, sizeof(g_dir), "/tmp/evircd-tls-XXXXXX");
	ck_assert(mkdtemp(g_dir) != NULL);
	make_cert("a", "irc.test");	/* the server's first certificate */
	make_cert("b", "irc.test");	/* the one a rehash switches to */
	make_cert("client", "alice");	/* a client certificate for CertFP */
	copy_file(path("a.crt"), path("server.crt"));
	copy_file(path("a.key"), path("server.key"));
}

static void
teardown(void)
{
	if (getenv("TLS_KEEP") == NULL && g_dir[0] != '\0')
		rm_rf(g_dir);
}

/* -------------------------------------------------------------- server */

struct srv {
	pid_t	 pid;
	int	 errfd;
	int	 port, tls_port;
	char	*log;
	size_t	 loglen;
	char	 conf[128];
};

/* srv_drain: read what the server wrote to stderr (wait up to ms). */
static void
srv_drain(struct srv *s, int ms)
{
	struct pollfd p = { .fd = s->errfd, .events = POLLIN };
	char tmp[8192];
	ssize_t n;

	while (poll(&p, 1, ms) > 0) {
		n = read(s->errfd, tmp, sizeof(tmp));
		if (n <= 0)
			return;
		if (getenv("TLS_VERBOSE") != NULL)
			(void)!write(2, tmp, (size_t)n);
		if (s->loglen + (size_t)n < LOGMAX) {
			memcpy(s->log + s->loglen, tmp, (size_t)n);
			s->loglen += (size_t)n;
			s->log[s->loglen] = '\0';
		}
		ms = 0;
	}
}

static const char *
srv_tail(struct srv *s)
{
	srv_drain(s, 0);
	return s->loglen > 2000 ? s->log + s->loglen - 2000 : s->log;
}

/* srv_find: a complete log line matching re after offset *from (which is
 * advanced past it); copied into line. */
static int
srv_find(struct srv *s, const char *re, size_t *from, char *line, size_t size)
{
	char *p, *e;
	size_t n;

	for (p = s->log + *from; (e = strchr(p, '\n')) != NULL; p = e + 1) {
		n = (size_t)(e - p) < size - 1 ? (size_t)(e - p) : size - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (rx(line, re)) {
			*from = (size_t)(e + 1 - s->log);
			return 1;
		}
	}
	return 0;
}

/* srv_wait_log: wait for a log line matching re (anywhere in the log). */
static int
srv_wait_log(struct srv *s, const char *re, int ms)
{
	long long end = now_ms() + ms;
	char line[2048];
	size_t from;

	for (;;) {
		from = 0;
		if (srv_find(s, re, &from, line, sizeof(line)))
			return 1;
		if (now_ms() >= end)
			return 0;
		srv_drain(s, (int)(end - now_ms()));
	}
}

static const char conf_fmt[] =
	"[server]\n"
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

static void
srv_start(struct srv *s)
{
	const char *bin = getenv("EVIRCD_BIN");
	char conf[2048], line[512];
	int pfd[2];
	size_t from = 0;
	long long end;

	ck_assert_msg(bin != NULL, "EVIRCD_BIN is not set");
	memset(s, 0, sizeof(*s));
	s->log = calloc(1, LOGMAX + 1);
	ck_assert(s->log != NULL);
	snprintf(s->conf, sizeof(s->conf), "%s", path("evircd.conf"));
	snprintf(conf, sizeof(conf), conf_fmt, path("server.crt"), path("server.key"));
	write_file(s->conf, conf);
	ck_assert(pipe(pfd) == 0);
	s->pid = fork();
	ck_assert(s->pid >= 0);
	if (s->pid == 0) {
		int null = open("/dev/null", O_RDWR);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(null, 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execl(bin, bin, "-c", s->conf, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	s->errfd = pfd[0];
	end = now_ms() + T_MS;
	while ((s->port == 0 || s->tls_port == 0) && now_ms() < end) {
		srv_drain(s, 100);
		while (srv_find(s, "listening on 127\\.0\\.0\\.1:[0-9]+", &from, line, sizeof(line))) {
			int port = atoi(strrchr(line, ':') + 1);
			if (strstr(line, "(tls)") != NULL)
				s->tls_port = port;
			else
				s->port = port;
		}
	}
	ck_assert_msg(s->port != 0 && s->tls_port != 0, "server did not listen:\n%s",
	    srv_tail(s));
}

static void
srv_stop(struct srv *s)
{
	int st;
	long long end = now_ms() + T_MS;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &st, WNOHANG) == 0) {
		if (now_ms() > end) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &st, 0);
			break;
		}
		srv_drain(s, 20);
	}
	s->pid = 0;
	close(s->errfd);
	free(s->log);
}

/* srv_alive: the server process has not exited. */
static int
srv_alive(struct srv *s)
{
	int st;

	return waitpid(s->pid, &st, WNOHANG) == 0;
}

/* -------------------------------------------------------------- clients */

struct cl {
	int	 fd;
	SSL_CTX	*ctx;
	SSL	*ssl;		/* NULL: plaintext */
	char	 name[32];
	char	 buf[65536];
	size_t	 len;
	char	 line[1024];	/* the last line an expectation returned */
	int	 eof;
	struct srv *srv;
};

static int
tcp_connect(int port)
{
	struct sockaddr_in sin;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0, "connect %d: %s",
	    port, strerror(errno));
	return fd;
}

static struct cl *
cl_plain(struct srv *s, const char *name)
{
	struct cl *c = calloc(1, sizeof(*c));

	ck_assert(c != NULL);
	c->srv = s;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->fd = tcp_connect(s->port);
	return c;
}

/* tls_client: handshake with the TLS port. With cert/key the client
 * presents that certificate; max_version 0 = any. Returns NULL (with the
 * OpenSSL reason in err) when the handshake fails. */
static struct cl *
tls_client(struct srv *s, const char *name, const char *cert, const char *key, int min_version,
    int max_version, char *err, size_t errlen)
{
	struct cl *c = calloc(1, sizeof(*c));
	unsigned long e;

	ck_assert(c != NULL);
	c->srv = s;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->ctx = SSL_CTX_new(TLS_client_method());
	ck_assert(c->ctx != NULL);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);	/* self-signed */
	if (min_version != 0 || max_version != 0) {
		/* let the client offer old versions so the server decides */
		SSL_CTX_set_security_level(c->ctx, 0);
		SSL_CTX_set_cipher_list(c->ctx, "ALL:@SECLEVEL=0");
		SSL_CTX_set_min_proto_version(c->ctx, min_version);
		SSL_CTX_set_max_proto_version(c->ctx, max_version);
	}
	if (cert != NULL) {
		ck_assert(SSL_CTX_use_certificate_file(c->ctx, cert, SSL_FILETYPE_PEM) == 1);
		ck_assert(SSL_CTX_use_PrivateKey_file(c->ctx, key, SSL_FILETYPE_PEM) == 1);
	}
	c->fd = tcp_connect(s->tls_port);
	c->ssl = SSL_new(c->ctx);
	ck_assert(c->ssl != NULL);
	SSL_set_fd(c->ssl, c->fd);
	ERR_clear_error();
	if (SSL_connect(c->ssl) != 1) {
		e = ERR_get_error();
		snprintf(err, errlen, "%s", e ? ERR_reason_error_string(e) : "no error queued");
		ERR_clear_error();
		SSL_free(c->ssl);
		SSL_CTX_free(c->ctx);
		close(c->fd);
		free(c);
		return NULL;
	}
	return c;
}

static struct cl *
cl_tls(struct srv *s, const char *name, const char *cert, const char *key)
{
	char err[256];
	struct cl *c = tls_client(s, name, cert, key, 0, 0, err, sizeof(err));

	ck_assert_msg(c != NULL, "TLS handshake failed: %s\n%s", err, srv_tail(s));
	return c;
}

static void
cl_close(struct cl *c)
{
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		SSL_CTX_free(c->ctx);
	}
	close(c->fd);
	free(c);
}

static void
cl_send(struct cl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
cl_send(struct cl *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	memcpy(buf + n, "\r\n", 2);
	n += 2;
	if (c->ssl != NULL)
		ck_assert_msg(SSL_write(c->ssl, buf, n) == n, "%s: SSL_write failed", c->name);
	else
		ck_assert_msg(write(c->fd, buf, (size_t)n) == n, "%s: write: %s", c->name,
		    strerror(errno));
}

/* cl_fill: read more bytes, waiting up to ms. 1 if some arrived, 0 on
 * timeout, -1 at EOF or error. */
static int
cl_fill(struct cl *c, int ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int n;

	if (c->eof)
		return -1;
	if (c->len >= sizeof(c->buf) - 1)
		c->len = 0;	/* a test never needs that much backlog */
	if ((c->ssl == NULL || SSL_pending(c->ssl) == 0) && poll(&p, 1, ms) <= 0)
		return 0;
	if (c->ssl != NULL) {
		n = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - 1 - c->len));
		if (n <= 0) {
			int e = SSL_get_error(c->ssl, n);
			if (e == SSL_ERROR_WANT_READ)
				return 0;	/* a record not complete yet */
			c->eof = 1;
			return -1;
		}
	} else {
		n = (int)read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
		if (n <= 0) {
			c->eof = 1;
			return -1;
		}
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return 1;
}

/* cl_next: the next complete line into c->line, waiting up to ms. */
static int
cl_next(struct cl *c, int ms)
{
	long long end = now_ms() + ms;
	char *e;
	size_t n;

	for (;;) {
		e = memchr(c->buf, '\n', c->len);
		if (e != NULL) {
			n = (size_t)(e - c->buf);
			if (n > 0 && c->buf[n - 1] == '\r')
				n--;
			if (n >= sizeof(c->line))
				n = sizeof(c->line) - 1;
			memcpy(c->line, c->buf, n);
			c->line[n] = '\0';
			c->len -= (size_t)(e + 1 - c->buf);
			memmove(c->buf, e + 1, c->len);
			/* answer liveness PINGs so they never get in the way */
			if (strncmp(c->line, "PING ", 5) == 0) {
				cl_send(c, "PONG %s", c->line + 5);
				continue;
			}
			return 1;
		}
		if (now_ms() >= end || cl_fill(c, (int)(end - now_ms())) < 0)
			return 0;
	}
}

/* cl_expect: skip lines until one matches re; returns it (c->line). */
static const char *
cl_expect(struct cl *c, const char *re)
{
	long long end = now_ms() + T_MS;

	while (cl_next(c, (int)(end - now_ms() > 0 ? end - now_ms() : 0)))
		if (rx(c->line, re))
			return c->line;
	ck_abort_msg("%s: no line matching /%s/ (last: %s)\nserver log:\n%s", c->name, re,
	    c->line, srv_tail(c->srv));
	return NULL;
}

/* cl_until: the lines up to and including one matching end_re, each tested
 * against want_re; returns whether any matched. */
static int
cl_until(struct cl *c, const char *end_re, const char *want_re)
{
	int found = 0;

	for (;;) {
		cl_expect(c, ".");
		if (want_re != NULL && rx(c->line, want_re))
			found = 1;
		if (rx(c->line, end_re))
			return found;
	}
}

/* cl_closed: the server closes the connection within ms. */
static int
cl_closed(struct cl *c, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		c->len = 0;
		if (cl_fill(c, (int)(end - now_ms())) < 0)
			return 1;
	}
	return 0;
}

/* cl_register: NICK/USER and the welcome burst up to the end of the MOTD. */
static void
cl_register(struct cl *c, const char *nick)
{
	char re[128];

	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :TLS test", nick);
	snprintf(re, sizeof(re), "^:irc\\.test 001 %s ", nick);
	cl_expect(c, re);
	cl_expect(c, "^:irc\\.test (376|422) ");
	snprintf(c->name, sizeof(c->name), "%s", nick);
}

/* cl_sync: a PING round trip: everything sent before it was handled. */
static void
cl_sync(struct cl *c)
{
	cl_send(c, "PING :sync");
	cl_expect(c, "PONG irc\\.test :sync$");
}

/* peer_fp: SHA-256 of the server certificate on a TLS client. */
static void
peer_fp(struct cl *c, char *hex)
{
	X509 *x = SSL_get1_peer_certificate(c->ssl);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;

	ck_assert(x != NULL);
	ck_assert(X509_digest(x, EVP_sha256(), md, &n) == 1);
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	hex[2 * n] = '\0';
	X509_free(x);
}

/* ---------------------------------------------------------------- tests */

/* Register over TLS: +z in the burst and in MODE, 004 lists z, +z cannot be
 * removed, WHOIS self shows 671 and (no client certificate) no 276. */
START_TEST(test_tls_register)
{
	struct srv s;
	struct cl *a;

	srv_start(&s);
	a = cl_tls(&s, "alice", NULL, NULL);
	cl_send(a, "NICK alice");
	cl_send(a, "USER alice 0 * :TLS test");
	cl_expect(a, "^:irc\\.test 001 alice ");
	cl_expect(a, "^:irc\\.test 004 alice irc\\.test [^ ]+ [A-Za-z]*z[A-Za-z]* ");
	cl_expect(a, "^:alice MODE alice :\\+z$");
	cl_send(a, "MODE alice");
	cl_expect(a, "^:irc\\.test 221 alice \\+z$");
	cl_send(a, "MODE alice -z");	/* changes nothing, says nothing */
	cl_send(a, "PING :after-z");
	ck_assert(cl_next(a, T_MS));
	ck_assert_msg(rx(a->line, "PONG irc\\.test :after-z$"), "after MODE -z: %s", a->line);
	cl_send(a, "MODE alice +i");
	cl_expect(a, "^:alice MODE alice :\\+i$");
	cl_send(a, "MODE alice");
	cl_expect(a, "^:irc\\.test 221 alice \\+iz$");
	cl_send(a, "WHOIS alice");
	ck_assert(cl_until(a, " 318 ", "^:irc\\.test 671 alice alice :is using a secure connection$"));
	cl_send(a, "WHOIS alice");
	ck_assert(!cl_until(a, " 318 ", " 276 "));
	cl_close(a);
	ck_assert(srv_alive(&s));
	srv_stop(&s);
}
END_TEST

/* A client certificate: 276 with its SHA-256 to the user and to operators,
 * not to other users; 671 to everyone. */
START_TEST(test_tls_certfp)
{
	struct srv s;
	struct cl *a, *b;
	char fp[2 * EVP_MAX_MD_SIZE + 1], re[256];

	file_fp(path("client.crt"), fp);
	srv_start(&s);
	a = cl_tls(&s, "alice", path("client.crt"), path("client.key"));
	cl_register(a, "alice");
	b = cl_plain(&s, "bob");
	cl_register(b, "bob");

	snprintf(re, sizeof(re), "^:irc\\.test 276 alice alice :has client certificate fingerprint %s$",
	    fp);
	cl_send(a, "WHOIS alice");
	ck_assert_msg(cl_until(a, " 318 ", re), "no 276 with %s", fp);

	cl_send(b, "WHOIS alice");
	ck_assert(cl_until(b, " 318 ", " 671 bob alice :is using a secure connection$"));
	cl_send(b, "WHOIS alice");
	ck_assert(!cl_until(b, " 318 ", " 276 "));

	cl_send(b, "OPER op secret");
	cl_expect(b, " 381 bob ");
	snprintf(re, sizeof(re), "^:irc\\.test 276 bob alice :has client certificate fingerprint %s$",
	    fp);
	cl_send(b, "WHOIS alice");
	ck_assert(cl_until(b, " 318 ", re));

	/* the plaintext user is not +z and has no 671 */
	cl_send(b, "MODE bob");
	cl_expect(b, "^:irc\\.test 221 bob \\+[a-y]*$");
	cl_send(a, "WHOIS bob");
	ck_assert(!cl_until(a, " 318 ", " 671 "));
	cl_close(a);
	cl_close(b);
	srv_stop(&s);
}
END_TEST

/* TLS and plaintext users talk to each other, privately and in a channel. */
START_TEST(test_tls_privmsg)
{
	struct srv s;
	struct cl *a, *b;

	srv_start(&s);
	a = cl_tls(&s, "alice", NULL, NULL);
	cl_register(a, "alice");
	b = cl_plain(&s, "bob");
	cl_register(b, "bob");
	cl_send(a, "PRIVMSG bob :hello over TLS");
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :hello over TLS$");
	cl_send(b, "PRIVMSG alice :hello in plaintext");
	cl_expect(a, "^:bob![^ ]+ PRIVMSG alice :hello in plaintext$");
	cl_send(a, "JOIN #t");
	cl_expect(a, " 366 alice #t ");
	cl_send(b, "JOIN #t");
	cl_expect(b, " 366 bob #t ");
	cl_expect(a, "^:bob![^ ]+ JOIN #t");
	/* a longer line, several records' worth of traffic */
	for (int i = 0; i < 50; i++)
		cl_send(b, "PRIVMSG #t :line %d %0300d", i, i);
	for (int i = 0; i < 50; i++) {
		char re[64];
		snprintf(re, sizeof(re), "PRIVMSG #t :line %d 0+%d$", i, i);
		cl_expect(a, re);
	}
	cl_send(a, "QUIT :done");
	cl_expect(a, "^ERROR :Closing Link: ");
	cl_expect(b, "^:alice![^ ]+ QUIT :(Quit: )?done$");
	ck_assert(cl_closed(a, T_MS));
	cl_close(a);
	cl_close(b);
	srv_stop(&s);
}
END_TEST

/* A plaintext client on the TLS port is disconnected, one info line is
 * logged, and the server keeps serving both ports. */
START_TEST(test_plaintext_on_tls_port)
{
	struct srv s;
	struct cl *p, *a, *b;

	srv_start(&s);
	p = calloc(1, sizeof(*p));
	ck_assert(p != NULL);
	p->srv = &s;
	snprintf(p->name, sizeof(p->name), "plain-on-tls");
	p->fd = tcp_connect(s.tls_port);
	cl_send(p, "NICK x");
	ck_assert_msg(cl_closed(p, T_MS), "plaintext client on the TLS port not closed");
	cl_close(p);
	ck_assert_msg(srv_wait_log(&s, "info: TLS handshake with 127\\.0\\.0\\.1 failed: .+", T_MS),
	    "no handshake failure logged:\n%s", srv_tail(&s));

	/* a client that connects and says nothing costs nothing either */
	p = calloc(1, sizeof(*p));
	ck_assert(p != NULL);
	p->srv = &s;
	p->fd = tcp_connect(s.tls_port);

	ck_assert(srv_alive(&s));
	a = cl_tls(&s, "alice", NULL, NULL);
	cl_register(a, "alice");
	b = cl_plain(&s, "bob");
	cl_register(b, "bob");
	cl_send(b, "PRIVMSG alice :still here");
	cl_expect(a, "PRIVMSG alice :still here$");
	cl_send(b, "LUSERS");
	cl_expect(b, " 251 bob :There are 2 users ");
	cl_close(p);
	cl_close(a);
	cl_close(b);
	srv_stop(&s);
}
END_TEST

/* TLS 1.2 is accepted, TLS 1.1 is refused by the server. */
START_TEST(test_tls_versions)
{
	struct srv s;
	struct cl *a;
	char err[256];

	srv_start(&s);
	a = tls_client(&s, "tls12", NULL, NULL, TLS1_2_VERSION, TLS1_2_VERSION, err, sizeof(err));
	ck_assert_msg(a != NULL, "TLS 1.2 refused: %s", err);
	ck_assert_str_eq(SSL_get_version(a->ssl), "TLSv1.2");
	cl_register(a, "old");
	cl_close(a);
	a = tls_client(&s, "tls11", NULL, NULL, TLS1_VERSION, TLS1_1_VERSION, err, sizeof(err));
	ck_assert_msg(a == NULL, "TLS 1.1 accepted");
	ck_assert_msg(srv_wait_log(&s, "TLS handshake with 127\\.0\\.0\\.1 failed: "
	    "(unsupported protocol|.*version.*)", T_MS), "%s", srv_tail(&s));
	ck_assert(srv_alive(&s));
	srv_stop(&s);
}
END_TEST

/* SIGHUP with new certificate contents: an established TLS client keeps
 * working, a new one sees the new certificate. A rehash with a broken
 * certificate keeps the old context. */
START_TEST(test_tls_rehash)
{
	struct srv s;
	struct cl *a, *b, *c;
	char fa[2 * EVP_MAX_MD_SIZE + 1], fb[2 * EVP_MAX_MD_SIZE + 1], got[2 * EVP_MAX_MD_SIZE + 1];

	file_fp(path("a.crt"), fa);
	file_fp(path("b.crt"), fb);
	ck_assert_str_ne(fa, fb);
	srv_start(&s);
	a = cl_tls(&s, "alice", NULL, NULL);
	peer_fp(a, got);
	ck_assert_str_eq(got, fa);
	cl_register(a, "alice");

	copy_file(path("b.crt"), path("server.crt"));
	copy_file(path("b.key"), path("server.key"));
	kill(s.pid, SIGHUP);
	ck_assert_msg(srv_wait_log(&s, "configuration reloaded", T_MS), "%s", srv_tail(&s));
	ck_assert(srv_wait_log(&s, "TLS listener 127\\.0\\.0\\.1:[0-9]+ reloaded", T_MS));

	cl_sync(a);
	b = cl_tls(&s, "bob", NULL, NULL);
	peer_fp(b, got);
	ck_assert_str_eq(got, fb);
	cl_register(b, "bob");
	cl_send(a, "PRIVMSG bob :old session");
	cl_expect(b, "^:alice![^ ]+ PRIVMSG bob :old session$");
	cl_send(b, "PRIVMSG alice :new session");
	cl_expect(a, "^:bob![^ ]+ PRIVMSG alice :new session$");

	/* a broken certificate: the rehash fails, the old context stays */
	write_file(path("server.crt"), "not a certificate\n");
	kill(s.pid, SIGHUP);
	ck_assert_msg(srv_wait_log(&s, "rehash failed.*certificate .*server\\.crt", T_MS), "%s",
	    srv_tail(&s));
	c = cl_tls(&s, "carol", NULL, NULL);
	peer_fp(c, got);
	ck_assert_str_eq(got, fb);
	cl_register(c, "carol");
	cl_sync(a);
	cl_sync(b);
	cl_close(a);
	cl_close(b);
	cl_close(c);
	ck_assert(srv_alive(&s));
	srv_stop(&s);
}
END_TEST

/* evircd -t reports certificate problems as FILE:LINE: ... and exits 1. */
START_TEST(test_tls_config_errors)
{
	const char *bin = getenv("EVIRCD_BIN");
	char conf[2048], tconf[128], *out;
	char *argv[] = { (char *)bin, "-t", "-c", tconf, NULL };
	struct { const char *crt, *key, *re; } cases[] = {
		{ "a.crt", "a.key", NULL },
		{ "missing.crt", "a.key",
		  ":7: \\[listen\\] certificate .*missing\\.crt: No such file or directory" },
		{ "a.crt", "missing.key",
		  ":7: \\[listen\\] private_key .*missing\\.key: No such file or directory" },
		{ "a.crt", "b.key", ":7: \\[listen\\] private_key .*b\\.key does not match certificate" },
		{ "junk", "a.key", ":7: \\[listen\\] certificate .*junk: " },
	};
	size_t i;

	ck_assert(bin != NULL);
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
		ck_assert_msg(rx(out, cases[i].re), "case %zu: '%s' !~ /%s/", i, out, cases[i].re);
	}
	/* tls = yes without files */
	write_file(argv[3], "[listen]\naddress = 127.0.0.1\nport = 0\ntls = yes\n");
	ck_assert_int_eq(run(argv, path("t.err")), 1);
	out = slurp(path("t.err"));
	ck_assert_msg(rx(out, ":1: \\[listen\\] tls = yes needs certificate"), "%s", out);
}
END_TEST

/* have_openssl_cli: "openssl version" runs (no Check calls here: main is
 * outside any test). */
static int
have_openssl_cli(void)
{
	pid_t pid = fork();
	int st, fd;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("openssl", "openssl", "version", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int
main(void)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed;

	if (!have_openssl_cli()) {
		fprintf(stderr, "tls_live: the openssl command is not installed; skipping\n");
		return 77;
	}
	s = suite_create("tls_live");
	tc = tcase_create("tls");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tls_register);
	tcase_add_test(tc, test_tls_certfp);
	tcase_add_test(tc, test_tls_privmsg);
	tcase_add_test(tc, test_plaintext_on_tls_port);
	tcase_add_test(tc, test_tls_versions);
	tcase_add_test(tc, test_tls_rehash);
	tcase_add_test(tc, test_tls_config_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
