/*
 * livelib: real-binary, real-TCP test client for the live suites.
 * See livelib.h for the contract.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "livelib.h"

#define MAX_SRV	 64 /* servers of one test, stopped ones included */
#define MAX_CL	 256
#define LOG_KEEP (1024 * 1024)

struct srv_log {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int fd;
	int eof;
	int echo;
	char *buf;
	size_t len, cap;
};

static struct srv *g_srv[MAX_SRV];
static struct cl *g_cl[MAX_CL];
static void cl_track(struct cl *c);
static void cl_free_all(void);
static struct srv *g_cur; /* last started server, for messages */
static void x509_fp(X509 *x, char *hex);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		ck_abort_msg("out of memory");
	return p;
}

/* Bounded string copy (always terminates). */
static void
scopy(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(src);

	if (n >= sz)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---------------------------------------------------------------- regex */

static void
rx_compile(regex_t *r, const char *re)
{
	int rc = regcomp(r, re, REG_EXTENDED);

	if (rc != 0) {
		char err[256];

		regerror(rc, r, err, sizeof(err));
		ck_abort_msg("bad test regex /%s/: %s", re, err);
	}
}

int
rx_match(const char *s, const char *re)
{
	regex_t r;
	int ok;

	rx_compile(&r, re);
	ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

int
rx_group(const char *s, const char *re, int n, char *buf, size_t sz)
{
	regex_t r;
	regmatch_t m[10];
	size_t len;

	if (n < 0 || n > 9 || sz == 0)
		return 0;
	rx_compile(&r, re);
	if (regexec(&r, s, 10, m, 0) != 0 || m[n].rm_so < 0) {
		regfree(&r);
		return 0;
	}
	regfree(&r);
	len = (size_t)(m[n].rm_eo - m[n].rm_so);
	if (len >= sz)
		len = sz - 1;
	memcpy(buf, s + m[n].rm_so, len);
	buf[len] = '\0';
	return 1;
}

const char *
rx_esc(const char *s)
{
	static char bufs[8][1024];
	static unsigned next;
	char *b = bufs[next++ % 8];
	size_t o = 0;

	for (; *s != '\0' && o < sizeof(bufs[0]) - 3; s++) {
		if (strchr("\\^$.|?*+()[]{}", *s) != NULL)
			b[o++] = '\\';
		b[o++] = *s;
	}
	b[o] = '\0';
	return b;
}

/* --------------------------------------------------------- server log */

static void *
log_thread(void *arg)
{
	struct srv_log *l = arg;
	char tmp[8192];
	ssize_t n;

	for (;;) {
		n = read(l->fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		pthread_mutex_lock(&l->mu);
		if (n <= 0) {
			l->eof = 1;
			pthread_cond_broadcast(&l->cv);
			pthread_mutex_unlock(&l->mu);
			break;
		}
		if (l->echo)
			(void)!write(2, tmp, (size_t)n);
		if (l->len + (size_t)n + 1 > l->cap) {
			if (l->len + (size_t)n + 1 > LOG_KEEP) {
				/* keep the tail only */
				size_t drop = l->len / 2;

				memmove(l->buf, l->buf + drop, l->len - drop);
				l->len -= drop;
			}
			while (l->len + (size_t)n + 1 > l->cap)
				l->cap = l->cap ? l->cap * 2 : 65536;
			l->buf = realloc(l->buf, l->cap);
			if (l->buf == NULL)
				abort();
		}
		memcpy(l->buf + l->len, tmp, (size_t)n);
		l->len += (size_t)n;
		l->buf[l->len] = '\0';
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
	}
	return NULL;
}

const char *
srv_log_tail(struct srv *s)
{
	static char out[3000];
	struct srv_log *l;
	size_t n;

	out[0] = '\0';
	if (s == NULL || s->log == NULL)
		return out;
	l = s->log;
	pthread_mutex_lock(&l->mu);
	if (l->buf != NULL) {
		n = l->len < sizeof(out) - 1 ? l->len : sizeof(out) - 1;
		memcpy(out, l->buf + l->len - n, n);
		out[n] = '\0';
	}
	pthread_mutex_unlock(&l->mu);
	return out;
}

/* Scan the log for a line matching r; copy it to line.  Caller holds mu. */
static int
log_scan(struct srv_log *l, regex_t *r, char *line, size_t sz)
{
	char *p, *e;
	size_t n;

	if (l->buf == NULL)
		return 0;
	for (p = l->buf; *p != '\0'; p = e + 1) {
		e = strchr(p, '\n');
		if (e == NULL)
			break; /* only complete lines */
		n = (size_t)(e - p);
		if (n >= sz)
			n = sz - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (regexec(r, line, 0, NULL, 0) == 0)
			return 1;
	}
	return 0;
}

static int
log_wait_line(struct srv_log *l, const char *re, int timeout_ms, char *line, size_t sz)
{
	regex_t r;
	struct timespec ts;
	int found = 0;

	rx_compile(&r, re);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&l->mu);
	for (;;) {
		if (log_scan(l, &r, line, sz)) {
			found = 1;
			break;
		}
		if (l->eof)
			break;
		if (pthread_cond_timedwait(&l->cv, &l->mu, &ts) == ETIMEDOUT) {
			found = log_scan(l, &r, line, sz);
			break;
		}
	}
	pthread_mutex_unlock(&l->mu);
	regfree(&r);
	return found;
}

int
srv_log_wait(struct srv *s, const char *re, int timeout_ms)
{
	char line[2048];

	return log_wait_line(s->log, re, timeout_ms, line, sizeof(line));
}

/* ------------------------------------------------------------- config */

static const char base_conf[] = "[server]\n"
				"name = irc.test\n"
				"network = TestNet\n"
				"description = evircd live test server\n"
				"admin_name = Test Admin\n"
				"admin_email = admin@irc.test\n"
				"[listen]\n"
				"address = 127.0.0.1\n"
				"port = 0\n"
				"[limits]\n"
				"ping_interval = 600\n"
				"ping_timeout = 600\n"
				"registration_timeout = 60\n"
				"[flood]\n"
				"enabled = no\n";

struct kv {
	char sec[32];
	int block; /* section occurrence, for repeatable [oper] */
	char key[64];
	char val[1024];
};

static size_t
conf_parse(const char *text, struct kv *out, size_t max, int *blocks)
{
	char sec[32] = "";
	char line[1200];
	const char *p = text, *e;
	size_t n = 0, len;
	char *k, *v, *eq;

	while (p != NULL && *p != '\0') {
		e = strchr(p, '\n');
		len = e ? (size_t)(e - p) : strlen(p);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = e ? e + 1 : NULL;

		k = line;
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k == '\0' || *k == ';' || *k == '#')
			continue;
		if (*k == '[') {
			char *rb = strchr(k, ']');

			if (rb != NULL)
				*rb = '\0';
			scopy(sec, sizeof(sec), k + 1);
			(*blocks)++;
			continue;
		}
		eq = strchr(k, '=');
		if (eq == NULL || n >= max)
			continue;
		*eq = '\0';
		v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		for (char *t = eq - 1; t >= k && (*t == ' ' || *t == '\t'); t--)
			*t = '\0';
		for (char *t = v + strlen(v) - 1; t >= v && (*t == ' ' || *t == '\t' || *t == '\r');
		     t--)
			*t = '\0';
		scopy(out[n].sec, sizeof(out[n].sec), sec);
		out[n].block = *blocks;
		scopy(out[n].key, sizeof(out[n].key), k);
		scopy(out[n].val, sizeof(out[n].val), v);
		n++;
	}
	return n;
}

static char *
conf_merge(const char *extra)
{
	static struct kv base[64], ext[128];
	size_t nb, ne, i, j, o = 0, cap = 65536;
	char *out = xmalloc(cap);
	char secs[16][32];
	size_t nsecs = 0;
	int blocks = 0, lastblock = -1;

	nb = conf_parse(base_conf, base, 64, &blocks);
	ne = conf_parse(extra ? extra : "", ext, 128, &blocks);

	/* section order: base sections, then new non-oper sections */
	for (i = 0; i < nb + ne; i++) {
		const char *sec = i < nb ? base[i].sec : ext[i - nb].sec;

		if (strcmp(sec, "oper") == 0 || strcmp(sec, "link") == 0 || sec[0] == '\0')
			continue;
		for (j = 0; j < nsecs; j++)
			if (strcmp(secs[j], sec) == 0)
				break;
		if (j == nsecs && nsecs < 16)
			scopy(secs[nsecs++], sizeof(secs[0]), sec);
	}
	for (j = 0; j < nsecs; j++) {
		o += (size_t)snprintf(out + o, cap - o, "[%s]\n", secs[j]);
		for (i = 0; i < nb; i++) {
			size_t x;

			if (strcmp(base[i].sec, secs[j]) != 0)
				continue;
			for (x = 0; x < ne; x++)
				if (strcmp(ext[x].sec, base[i].sec) == 0 &&
				    strcmp(ext[x].key, base[i].key) == 0)
					break;
			if (x == ne)
				o += (size_t)snprintf(out + o, cap - o, "%s = %s\n", base[i].key,
				    base[i].val);
		}
		for (i = 0; i < ne; i++)
			if (strcmp(ext[i].sec, secs[j]) == 0)
				o += (size_t)snprintf(out + o, cap - o, "%s = %s\n", ext[i].key,
				    ext[i].val);
	}
	for (i = 0; i < ne; i++) {
		if (strcmp(ext[i].sec, "oper") != 0 && strcmp(ext[i].sec, "link") != 0)
			continue;
		if (ext[i].block != lastblock) {
			o += (size_t)snprintf(out + o, cap - o, "[%s]\n", ext[i].sec);
			lastblock = ext[i].block;
		}
		o += (size_t)snprintf(out + o, cap - o, "%s = %s\n", ext[i].key, ext[i].val);
	}
	return out;
}

static void
write_text(const char *path, const char *text)
{
	char tmp[256];
	FILE *f;

	/* write + rename so a concurrent reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		ck_abort_msg("cannot write %s: %s", tmp, strerror(errno));
	fputs(text, f);
	fclose(f);
	if (rename(tmp, path) != 0)
		ck_abort_msg("rename %s: %s", tmp, strerror(errno));
}

/* The configuration text of s: base + extra, then the TLS listener. */
static char *
srv_conf_text(struct srv *s, const char *extra)
{
	char *text = conf_merge(extra);
	size_t o = strlen(text);

	/* conf_merge's buffer is 64 KiB; its output is far smaller */
	if (s->tls_cert[0] != '\0')
		snprintf(text + o, 65536 - o,
		    "[listen]\naddress = 127.0.0.1\nport = 0\ntls = yes\n"
		    "certificate = %s\nprivate_key = %s\n",
		    s->tls_cert, s->tls_key);
	return text;
}

void
srv_rewrite_conf(struct srv *s, const char *extra)
{
	char *text = srv_conf_text(s, extra);

	write_text(s->conf_path, text);
	free(text);
}

const char *
srv_write_file(struct srv *s, const char *name, const char *text)
{
	static char path[4][160];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", s->dir, name);
	write_text(p, text);
	return p;
}

/* A temp dir usable before srv_start (for motd files referenced by the
 * config): srv_start reuses it. */
static char g_predir[64];

static const char *
live_dir(void)
{
	if (g_predir[0] == '\0') {
		const char *root = getenv("LIVE_TMPDIR");

		snprintf(g_predir, sizeof(g_predir), "%s/srv-XXXXXX",
		    root != NULL && *root != '\0' ? root : "/tmp");
		if (mkdtemp(g_predir) == NULL)
			ck_abort_msg("mkdtemp: %s", strerror(errno));
	}
	return g_predir;
}

const char *
live_file(const char *name, const char *text)
{
	static char path[4][160];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", live_dir(), name);
	write_text(p, text);
	return p;
}

/* -------------------------------------------------------- certificates */

void
live_copy_file(const char *from, const char *to)
{
	char tmp[300], buf[8192];
	FILE *in, *out;
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	in = fopen(from, "r");
	if (in == NULL)
		ck_abort_msg("open %s: %s", from, strerror(errno));
	out = fopen(tmp, "w");
	if (out == NULL)
		ck_abort_msg("open %s: %s", tmp, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			ck_abort_msg("write %s: %s", tmp, strerror(errno));
	fclose(in);
	if (fclose(out) != 0 || rename(tmp, to) != 0)
		ck_abort_msg("write %s: %s", to, strerror(errno));
}

/* Write a PEM file with write + rename. */
static void
pem_write(const char *path, EVP_PKEY *pk, X509 *x)
{
	char tmp[300];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		ck_abort_msg("open %s: %s", tmp, strerror(errno));
	ok = pk != NULL ? PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL)
			: PEM_write_X509(f, x);
	if (fclose(f) != 0 || !ok || rename(tmp, path) != 0)
		ck_abort_msg("cannot write %s", path);
}

/* A self-signed RSA-2048 certificate for CN cn, valid for a day. */
static void
make_cert(const char *crt, const char *key, const char *cn)
{
	static long serial;
	EVP_PKEY *pk;
	X509 *x;
	X509_NAME *nm;

	pk = EVP_RSA_gen(2048);
	x = X509_new();
	if (pk == NULL || x == NULL)
		ck_abort_msg("certificate for %s: key generation failed", cn);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)getpid() * 1000 + ++serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, nm);
	if (X509_sign(x, pk, EVP_sha256()) == 0)
		ck_abort_msg("certificate for %s: signing failed", cn);
	pem_write(key, pk, NULL);
	pem_write(crt, NULL, x);
	X509_free(x);
	EVP_PKEY_free(pk);
}

static const char *live_dir(void);

const char *
live_cert(const char *name, const char *cn)
{
	static char path[4][200];
	static unsigned next;
	const char *root = getenv("LIVE_TMPDIR"); /* set by live_run */
	char *crt = path[next++ % 4];
	char key[200];

	snprintf(crt, sizeof(path[0]), "%s/%s.crt",
	    root != NULL && *root != '\0' ? root : live_dir(), name);
	snprintf(key, sizeof(key), "%s", live_cert_key(crt));
	/* made once per suite run: the forked tests share the root */
	if (access(crt, R_OK) != 0 || access(key, R_OK) != 0)
		make_cert(crt, key, cn);
	return crt;
}

const char *
live_cert_key(const char *crt)
{
	static char key[4][200];
	static unsigned next;
	char *k = key[next++ % 4];
	size_t n = strlen(crt);

	if (n < 4 || n >= sizeof(key[0]) || strcmp(crt + n - 4, ".crt") != 0)
		ck_abort_msg("live_cert_key: %s does not end in .crt", crt);
	memcpy(k, crt, n - 4);
	memcpy(k + n - 4, ".key", 5);
	return k;
}

void
live_cert_fp(const char *path, char *hex)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (f == NULL)
		ck_abort_msg("open %s: %s", path, strerror(errno));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL)
		ck_abort_msg("no certificate in %s", path);
	x509_fp(x, hex);
	X509_free(x);
}

/* ------------------------------------------------------------- server */

static void live_atexit(void);

static struct srv *
srv_launch(const char *extra_conf, const char *cert, const char *key)
{
	const char *bin = getenv("EVIRCD_BIN");
	struct srv *s;
	struct srv_log *l;
	int pfd[2], i;
	char line[2048], port[16];
	char *text;
	pid_t pid;

	if (bin == NULL || *bin == '\0')
		ck_abort_msg("EVIRCD_BIN is not set");
	if (access(bin, X_OK) != 0)
		ck_abort_msg("EVIRCD_BIN=%s is not executable: %s", bin, strerror(errno));

	{
		static int registered;

		if (!registered++)
			atexit(live_atexit);
	}
	s = calloc(1, sizeof(*s));
	l = calloc(1, sizeof(*l));
	if (s == NULL || l == NULL)
		ck_abort_msg("out of memory");
	snprintf(s->dir, sizeof(s->dir), "%s", live_dir());
	g_predir[0] = '\0'; /* next server gets a fresh dir */
	snprintf(s->conf_path, sizeof(s->conf_path), "%s/evircd.conf", s->dir);
	if (cert != NULL) {
		snprintf(s->tls_cert, sizeof(s->tls_cert), "%s/server.crt", s->dir);
		snprintf(s->tls_key, sizeof(s->tls_key), "%s/server.key", s->dir);
		live_copy_file(cert, s->tls_cert);
		live_copy_file(key, s->tls_key);
	}
	text = srv_conf_text(s, extra_conf);
	write_text(s->conf_path, text);
	free(text);

	if (pipe2(pfd, O_CLOEXEC) != 0)
		ck_abort_msg("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		ck_abort_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		const char *argv[16];
		int a = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pfd[1], 2);
		dup2(pfd[1], 1);
		if (getenv("EVIRCD_VALGRIND") != NULL) {
			/* `meson test --setup valgrind`: the server under
			 * memcheck; any error or definite/indirect leak makes
			 * it exit 99, which srv_stop turns into a failure. */
			argv[a++] = "valgrind";
			argv[a++] = "-q";
			argv[a++] = "--error-exitcode=99";
			argv[a++] = "--leak-check=full";
			argv[a++] = "--show-leak-kinds=definite,indirect";
			argv[a++] = "--errors-for-leak-kinds=definite,indirect";
		}
		argv[a++] = bin;
		argv[a++] = "-c";
		argv[a++] = s->conf_path;
		if (getenv("LIVE_DEBUG") != NULL)
			argv[a++] = "-d";
		argv[a] = NULL;
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	s->pid = pid;
	s->err_fd = pfd[0];
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->fd = pfd[0];
	l->echo = getenv("LIVE_VERBOSE") != NULL;
	s->log = l;
	if (pthread_create(&l->th, NULL, log_thread, l) != 0)
		ck_abort_msg("pthread_create failed");
	for (i = 0; i < MAX_SRV; i++)
		if (g_srv[i] == NULL) {
			g_srv[i] = s;
			break;
		}
	if (i == MAX_SRV)
		ck_abort_msg("livelib: more than %d servers in one test", MAX_SRV);
	g_cur = s;

	/* listeners open in configuration order: the plaintext one first */
	if (!log_wait_line(l, "listening on (127\\.0\\.0\\.1|\\[::1\\]):[0-9]+$",
		getenv("EVIRCD_VALGRIND") != NULL ? 60000 : 10000, line, sizeof(line)))
		ck_abort_msg("server did not log 'listening on' within 10 s; "
			     "stderr:\n%s",
		    srv_log_tail(s));
	if (!rx_group(line, "listening on (127\\.0\\.0\\.1|\\[::1\\]):([0-9]+)", 2, port,
		sizeof(port)))
		ck_abort_msg("cannot parse port from: %s", line);
	s->port = atoi(port);
	if (cert != NULL) {
		if (!log_wait_line(l,
			"listening on 127\\.0\\.0\\.1:[0-9]+ "
			"\\(tls\\)$",
			getenv("EVIRCD_VALGRIND") != NULL ? 60000 : 10000, line, sizeof(line)))
			ck_abort_msg("server did not log its TLS listener; "
				     "stderr:\n%s",
			    srv_log_tail(s));
		if (!rx_group(line, "listening on 127\\.0\\.0\\.1:([0-9]+)", 1, port, sizeof(port)))
			ck_abort_msg("cannot parse port from: %s", line);
		s->tls_port = atoi(port);
	}
	return s;
}

struct srv *
srv_start(const char *extra_conf)
{
	return srv_launch(extra_conf, NULL, NULL);
}

struct srv *
srv_start_tls(const char *extra_conf, const char *cert, const char *key)
{
	if (cert == NULL) {
		cert = live_cert("server", "irc.test");
		key = live_cert_key(cert);
	}
	return srv_launch(extra_conf, cert, key);
}

int
srv_alive(struct srv *s)
{
	int st;
	pid_t r;

	if (s->exited)
		return 0;
	r = waitpid(s->pid, &st, WNOHANG);
	if (r == s->pid) {
		s->exited = 1;
		s->status = st;
		return 0;
	}
	return r == 0;
}

int
srv_wait_exit(struct srv *s, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	int st;
	pid_t r;

	if (s->exited)
		return s->status;
	for (;;) {
		r = waitpid(s->pid, &st, WNOHANG);
		if (r == s->pid) {
			s->exited = 1;
			s->status = st;
			return st;
		}
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= end)
			return -1;
		/* the stderr pipe closes when the server exits: wait on it */
		{
			struct timespec ts;

			pthread_mutex_lock(&s->log->mu);
			if (!s->log->eof) {
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += 20 * 1000000L;
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
				pthread_cond_timedwait(&s->log->cv, &s->log->mu, &ts);
			} else {
				struct timespec d = { 0, 2 * 1000000L };

				pthread_mutex_unlock(&s->log->mu);
				nanosleep(&d, NULL); /* reaping lag only */
				continue;
			}
			pthread_mutex_unlock(&s->log->mu);
		}
	}
}

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
srv_cleanup(struct srv *s)
{
	if (s->cleaned++)
		return;
	if (getenv("LIVE_KEEP") == NULL)
		nftw(s->dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

/* Free a stopped server's record (the test's teardown: tests may read
 * s->status and the log after srv_stop).  The log thread ends at the
 * EOF of the server's stderr, which its exit closed. */
static void
srv_free(struct srv *s)
{
	struct srv_log *l = s->log;

	if (g_cur == s)
		g_cur = NULL;
	if (l != NULL) {
		pthread_join(l->th, NULL);
		pthread_mutex_destroy(&l->mu);
		pthread_cond_destroy(&l->cv);
		free(l->buf);
		free(l);
	}
	close(s->err_fd);
	free(s);
}

int
srv_stop(struct srv *s)
{
	int st;

	if (s == NULL)
		return -1;
	if (!s->exited) {
		kill(s->pid, SIGTERM);
		st = srv_wait_exit(s, 10000);
		if (st == -1) {
			kill(s->pid, SIGKILL);
			st = srv_wait_exit(s, 10000);
			s->status = -1; /* report "did not stop" */
			srv_cleanup(s);
			return -1;
		}
	}
	if (getenv("EVIRCD_VALGRIND") != NULL && WIFEXITED(s->status) &&
	    WEXITSTATUS(s->status) == 99)
		ck_abort_msg("valgrind found errors or leaks in the server:\n%s", srv_log_tail(s));
	srv_cleanup(s);
	return s->status;
}

/* ------------------------------------------------------------- client */

static void
hist_add(struct cl *c, char *line)
{
	unsigned i = c->nhist++ % 40;

	free(c->hist[i]);
	c->hist[i] = line;
}

static void cl_fail(struct cl *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
cl_fail(struct cl *c, const char *fmt, ...)
{
	static char msg[12000];
	size_t o;
	unsigned i, start;
	va_list ap;

	va_start(ap, fmt);
	o = (size_t)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o >= sizeof(msg))
		o = sizeof(msg) - 1;
	o += (size_t)snprintf(msg + o, sizeof(msg) - o,
	    "\n  --- [%s] recent lines (oldest first)%s:\n", c->name,
	    c->eof ? ", connection closed" : "");
	start = c->nhist > 25 ? c->nhist - 25 : 0;
	for (i = start; i < c->nhist && o < sizeof(msg) - 1; i++) {
		const char *h = c->hist[i % 40];

		o += (size_t)snprintf(msg + o, sizeof(msg) - o, "  < %.300s\n", h ? h : "");
	}
	for (i = 0; i < c->npend && i < 10 && o < sizeof(msg) - 1; i++)
		o +=
		    (size_t)snprintf(msg + o, sizeof(msg) - o, "  < (queued) %.300s\n", c->pend[i]);
	if (o < sizeof(msg) - 1 && g_cur != NULL) {
		const char *t = srv_log_tail(g_cur);
		size_t tl = strlen(t);

		if (tl > 1500)
			t += tl - 1500;
		snprintf(msg + o, sizeof(msg) - o, "  --- server stderr tail:\n%s", t);
	}
	ck_abort_msg("%s", msg);
	abort(); /* not reached */
}

/* A connected TCP socket (blocking) from src (NULL: any) to addr:port. */
static int
tcp_connect(const char *src, const char *addr, int port, int rcvbuf)
{
	struct sockaddr_storage ss, me;
	socklen_t sl;
	int fd, one = 1, fam;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		fam = AF_INET6;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		fam = AF_INET;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		sl = sizeof(*s4);
	}
	fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		ck_abort_msg("socket: %s", strerror(errno));
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (src != NULL) {
		struct sockaddr_in *m4 = (struct sockaddr_in *)&me;

		memset(&me, 0, sizeof(me));
		m4->sin_family = AF_INET;
		if (fam != AF_INET || inet_pton(AF_INET, src, &m4->sin_addr) != 1)
			ck_abort_msg("bad source address %s", src);
		if (bind(fd, (struct sockaddr *)m4, sizeof(*m4)) != 0)
			ck_abort_msg("bind %s: %s", src, strerror(errno));
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0)
		ck_abort_msg("connect %s%s%s:%d: %s", src ? "from " : "", src ? src : "",
		    src ? " to " : addr, port, strerror(errno));
	return fd;
}

/* A client on a connected socket (made non-blocking here). */
static struct cl *
cl_wrap(int fd)
{
	struct cl *c;
	int i;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		ck_abort_msg("out of memory");
	c->fd = fd;
	c->autopong = 1;
	c->strict = 1;
	cl_track(c);
	snprintf(c->name, sizeof(c->name), "conn%d", fd);
	for (i = 0; i < MAX_CL; i++)
		if (g_cl[i] == NULL) {
			g_cl[i] = c;
			break;
		}
	return c;
}

struct cl *
cl_connect_src(const char *src, const char *addr, int port, int rcvbuf)
{
	return cl_wrap(tcp_connect(src, addr, port, rcvbuf));
}

struct cl *
cl_connect_opt(const char *addr, int port, int rcvbuf)
{
	return cl_connect_src(NULL, addr, port, rcvbuf);
}

/* OpenSSL's oldest queued error as text (the queue is cleared). */
static void
ssl_err(char *err, size_t errlen)
{
	unsigned long e = ERR_get_error();

	snprintf(err, errlen, "%s", e ? ERR_reason_error_string(e) : "no error queued");
	ERR_clear_error();
}

struct cl *
cl_connect_tls_opt(int port, const struct tls_opt *opt, char *err, size_t errlen)
{
	static const struct tls_opt none;
	struct timeval tv = { 5, 0 };
	SSL_CTX *ctx;
	SSL *ssl;
	struct cl *c;
	int fd;

	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		ck_abort_msg("SSL_CTX_new failed");
	if (opt == NULL)
		opt = &none;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); /* self-signed */
	if (opt->min_version != 0 || opt->max_version != 0) {
		/* let the client offer old versions so the server decides */
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
		SSL_CTX_set_min_proto_version(ctx, opt->min_version);
		SSL_CTX_set_max_proto_version(ctx, opt->max_version);
	}
	if (opt->cert != NULL &&
	    (SSL_CTX_use_certificate_file(ctx, opt->cert, SSL_FILETYPE_PEM) != 1 ||
		SSL_CTX_use_PrivateKey_file(ctx, opt->key, SSL_FILETYPE_PEM) != 1))
		ck_abort_msg("cannot load client certificate %s / %s", opt->cert, opt->key);
	fd = tcp_connect(NULL, "127.0.0.1", port, 0);
	/* the handshake is blocking, bounded by the socket timeouts */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ssl = SSL_new(ctx);
	if (ssl == NULL)
		ck_abort_msg("SSL_new failed");
	SSL_set_fd(ssl, fd);
	if (opt->sni != NULL && SSL_set_tlsext_host_name(ssl, opt->sni) != 1)
		ck_abort_msg("SSL_set_tlsext_host_name %s failed", opt->sni);
	ERR_clear_error();
	if (SSL_connect(ssl) != 1) {
		ssl_err(err, errlen);
		SSL_free(ssl);
		SSL_CTX_free(ctx);
		close(fd);
		return NULL;
	}
	c = cl_wrap(fd);
	c->ssl = ssl;
	c->ssl_ctx = ctx;
	snprintf(c->name, sizeof(c->name), "tls%d", fd);
	return c;
}

struct cl *
cl_connect_tls(int port)
{
	char err[256];
	struct cl *c = cl_connect_tls_opt(port, NULL, err, sizeof(err));

	if (c == NULL)
		ck_abort_msg("TLS handshake with port %d failed: %s\n%s", port, err,
		    g_cur != NULL ? srv_log_tail(g_cur) : "");
	return c;
}

/* SHA-256 of a certificate as lower-case hex. */
static void
x509_fp(X509 *x, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;

	if (X509_digest(x, EVP_sha256(), md, &n) != 1)
		ck_abort_msg("X509_digest failed");
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * n] = '\0';
}

void
cl_peer_fp(struct cl *c, char *hex)
{
	X509 *x;

	if (c->ssl == NULL)
		ck_abort_msg("[%s] cl_peer_fp on a plaintext client", c->name);
	x = SSL_get1_peer_certificate(c->ssl);
	if (x == NULL)
		ck_abort_msg("[%s] no server certificate", c->name);
	x509_fp(x, hex);
	X509_free(x);
}

/* Free the TLS state of c (without a close_notify: the tests that care
 * about an orderly QUIT wait for the server's EOF first). */
static void
cl_tls_free(struct cl *c)
{
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		SSL_CTX_free(c->ssl_ctx);
		c->ssl = NULL;
		c->ssl_ctx = NULL;
	}
}

/* Every client struct is kept until the test's teardown (tests may still
 * read c->name after cl_close), then freed there, so LeakSanitizer in the
 * ASan CI run sees no leak. */
static struct cl **g_alloc;
static size_t g_nalloc, g_calloc;

static void
cl_track(struct cl *c)
{
	if (g_nalloc == g_calloc) {
		size_t n = g_calloc ? g_calloc * 2 : 64;
		struct cl **p = realloc(g_alloc, n * sizeof(*p));
		if (p == NULL)
			ck_abort_msg("out of memory");
		g_alloc = p;
		g_calloc = n;
	}
	g_alloc[g_nalloc++] = c;
}

static void
cl_free_all(void)
{
	size_t i, k;

	for (i = 0; i < g_nalloc; i++) {
		struct cl *c = g_alloc[i];

		cl_tls_free(c);
		if (c->fd >= 0)
			close(c->fd);
		free(c->rbuf);
		for (k = 0; k < c->npend; k++)
			free(c->pend[k]);
		free(c->pend);
		for (k = 0; k < 40; k++)
			free(c->hist[k]);
		free(c->last);
		free(c);
	}
	free(g_alloc);
	g_alloc = NULL;
	g_nalloc = g_calloc = 0;
}

struct cl *
cl_connect(int port)
{
	return cl_connect_opt("127.0.0.1", port, 0);
}

void
cl_close(struct cl *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < MAX_CL; i++)
		if (g_cl[i] == c)
			g_cl[i] = NULL;
	if (c->ssl != NULL && c->fd >= 0 && !c->eof)
		(void)SSL_shutdown(c->ssl); /* close_notify, best effort */
	cl_tls_free(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	/* the struct is kept (tests may still read c->name) until the
	 * test's teardown frees it (cl_free_all) */
}

void
cl_send_raw(struct cl *c, const void *data, size_t len)
{
	const char *p = data;
	int64_t end = now_ms() + 10000;
	ssize_t n;

	while (len > 0 && c->fd >= 0) {
		if (c->ssl != NULL) {
			short ev = 0;
			int r = SSL_write(c->ssl, p, (int)(len > 65536 ? 65536 : len));

			if (r > 0) {
				p += r;
				len -= (size_t)r;
				continue;
			}
			switch (SSL_get_error(c->ssl, r)) {
			case SSL_ERROR_WANT_WRITE:
				ev = POLLOUT;
				break;
			case SSL_ERROR_WANT_READ:
				ev = POLLIN;
				break;
			default:
				ERR_clear_error();
				return; /* closed: expectations report it */
			}
			{
				struct pollfd pf = { c->fd, ev, 0 };
				int64_t left = end - now_ms();

				if (left <= 0)
					cl_fail(c,
					    "TLS send blocked for 10 s "
					    "(%zu bytes left)",
					    len);
				poll(&pf, 1, (int)left);
			}
			continue;
		}
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = { c->fd, POLLOUT, 0 };
			int64_t left = end - now_ms();

			if (left <= 0)
				cl_fail(c,
				    "send blocked for 10 s (%zu bytes "
				    "left)",
				    len);
			poll(&pf, 1, (int)left);
			continue;
		}
		/* EPIPE / ECONNRESET: the server closed us; expectations
		 * will report it */
		return;
	}
}

void
cl_send(struct cl *c, const char *fmt, ...)
{
	char buf[70000];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 3)
		n = (int)sizeof(buf) - 3;
	buf[n++] = '\r';
	buf[n++] = '\n';
	cl_send_raw(c, buf, (size_t)n);
}

/* Read once; 1 data, 0 timeout, -1 eof/error.  Unsplit bytes live in
 * rbuf[roff..rlen). */
static int
cl_fill(struct cl *c, int64_t deadline)
{
	struct pollfd pf;
	int64_t left;
	ssize_t n;

	if (c->eof || c->fd < 0)
		return -1;
	for (;;) {
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
		pf.fd = c->fd;
		pf.events = POLLIN;
		pf.revents = 0;
		/* TLS: bytes of a record already read stay inside OpenSSL */
		if ((c->ssl == NULL || SSL_pending(c->ssl) == 0) && poll(&pf, 1, (int)left) == 0)
			return 0;
		if (c->roff > 0 && c->roff * 2 >= c->rlen) {
			memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
			c->rlen -= c->roff;
			c->roff = 0;
		}
		if (c->rlen + 65536 > c->rcap) {
			c->rcap = c->rcap ? c->rcap * 2 : 131072;
			c->rbuf = realloc(c->rbuf, c->rcap);
			if (c->rbuf == NULL)
				ck_abort_msg("out of memory");
		}
		if (c->ssl != NULL) {
			int r = SSL_read(c->ssl, c->rbuf + c->rlen, 65536);

			if (r > 0) {
				c->rlen += (size_t)r;
				return 1;
			}
			switch (SSL_get_error(c->ssl, r)) {
			case SSL_ERROR_WANT_READ: /* a record not complete yet */
			case SSL_ERROR_WANT_WRITE:
				if (now_ms() >= deadline)
					return 0;
				continue;
			default:
				ERR_clear_error();
				c->eof = 1;
				return -1;
			}
		}
		n = read(c->fd, c->rbuf + c->rlen, 65536);
		if (n > 0) {
			c->rlen += (size_t)n;
			return 1;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		c->eof = 1;
		return -1;
	}
}

/*
 * Every line from the server must be valid protocol (RFC 2812 2.3,
 * Modern IRC "Message format"): CRLF-terminated, at most 512 bytes with the
 * CRLF, no NUL or bare CR, and no empty middle parameter.
 */
static void
check_wellformed(struct cl *c, const char *line, size_t n)
{
	static regex_t re;
	static int compiled;
	const char *why = NULL;
	char body[1024];

	if (!compiled) {
		rx_compile(&re,
		    "^(:[^ ]+ )?([A-Za-z]+|[0-9]{3})( [^: ][^ ]*)*"
		    "( :.*)?$");
		compiled = 1;
	}
	/* IRCv3 message tags have their own budget (8191 bytes) */
	if (n > 0 && line[0] == '@') {
		const char *sp = memchr(line, ' ', n);

		if (sp == NULL || sp == line + 1 || sp - line > 8191) {
			why = "a bad message-tags prefix";
		} else {
			n -= (size_t)(sp + 1 - line);
			line = sp + 1;
		}
	}
	if (why != NULL)
		;
	else if (n == 0 || line[n - 1] != '\r')
		why = "not terminated by CRLF";
	else if (n + 1 > 512)
		why = "longer than 512 bytes including CRLF";
	else if (memchr(line, '\0', n) != NULL)
		why = "contains NUL";
	else if (memchr(line, '\r', n - 1) != NULL)
		why = "contains a bare CR";
	else {
		size_t k = n - 1 < sizeof(body) - 1 ? n - 1 : sizeof(body) - 1;

		memcpy(body, line, k);
		body[k] = '\0';
		if (regexec(&re, body, 0, NULL, 0) != 0)
			why = "malformed (empty parameter or bad command)";
	}
	if (why != NULL)
		cl_fail(c,
		    "[%s] server sent a line that is %s (%zu bytes): "
		    "\"%.600s\"",
		    c->name, why, n + 1, line);
}

/* Split one complete line off rbuf (malloc'd, CR/LF stripped). */
static char *
cl_split(struct cl *c)
{
	char *start, *nl, *line;
	size_t n;

	if (c->rlen == c->roff)
		return NULL;
	start = c->rbuf + c->roff;
	nl = memchr(start, '\n', c->rlen - c->roff);
	if (nl == NULL)
		return NULL;
	n = (size_t)(nl - start);
	line = xmalloc(n + 1);
	memcpy(line, start, n);
	line[n] = '\0';
	c->roff += n + 1;
	if (c->roff == c->rlen)
		c->roff = c->rlen = 0;
	if (c->strict)
		check_wellformed(c, line, n);
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	if (c->autopong) {
		const char *p = line;

		if (*p == ':') {
			p = strchr(p, ' ');
			p = p ? p + 1 : line;
		}
		if (strncmp(p, "PING ", 5) == 0)
			cl_send(c, "PONG %s", p + 5);
	}
	return line;
}

/* Next new line from the socket; NULL on timeout or EOF. */
static char *
cl_read_line(struct cl *c, int64_t deadline)
{
	char *l;

	for (;;) {
		if ((l = cl_split(c)) != NULL)
			return l;
		if (cl_fill(c, deadline) <= 0)
			return NULL;
	}
}

static void
pend_push(struct cl *c, char *line)
{
	if (c->npend == c->cpend) {
		c->cpend = c->cpend ? c->cpend * 2 : 64;
		c->pend = realloc(c->pend, c->cpend * sizeof(*c->pend));
		if (c->pend == NULL)
			ck_abort_msg("out of memory");
	}
	c->pend[c->npend++] = line;
}

/* Record a matched line: history keeps the original, c->last a copy that
 * stays valid until the next expectation. */
static void
set_last(struct cl *c, char *line)
{
	size_t n = strlen(line) + 1;

	free(c->last);
	c->last = xmalloc(n);
	memcpy(c->last, line, n);
	hist_add(c, line);
}

const char *
cl_try_expect(struct cl *c, const char *re, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	regex_t r;
	size_t i;
	char *line;

	rx_compile(&r, re);
	for (i = 0; i < c->npend; i++) {
		if (regexec(&r, c->pend[i], 0, NULL, 0) == 0) {
			size_t k;

			for (k = 0; k < i; k++)
				hist_add(c, c->pend[k]);
			line = c->pend[i];
			c->npend -= i + 1;
			memmove(c->pend, c->pend + i + 1, c->npend * sizeof(*c->pend));
			regfree(&r);
			set_last(c, line);
			return c->last;
		}
	}
	for (i = 0; i < c->npend; i++)
		hist_add(c, c->pend[i]);
	c->npend = 0;
	while ((line = cl_read_line(c, end)) != NULL) {
		if (regexec(&r, line, 0, NULL, 0) == 0) {
			regfree(&r);
			set_last(c, line);
			return c->last;
		}
		hist_add(c, line);
	}
	regfree(&r);
	return NULL;
}

/* valgrind_scale: how much longer a wait for a line may take when the
 * server runs under valgrind (`meson test --setup valgrind`): 20 to 50
 * times slower, one thread at a time, so an argon2id hash on the worker
 * holds everything for seconds. Only waits that return at the first
 * matching line are scaled (cl_expect), so a passing test costs nothing
 * more; cl_try_expect's deliberate timeouts are not. */
static int
valgrind_scale(void)
{
	static int scale;

	if (scale == 0)
		scale = getenv("EVIRCD_VALGRIND") != NULL ? 4 : 1;
	return scale;
}

const char *
cl_expect(struct cl *c, const char *re, int timeout_ms)
{
	const char *l;

	timeout_ms *= valgrind_scale();
	l = cl_try_expect(c, re, timeout_ms);

	if (l == NULL)
		cl_fail(c, "[%s] %s after %d ms waiting for /%s/", c->name,
		    c->eof ? "connection closed" : "timed out", timeout_ms, re);
	return l;
}

const char *
cl_expectf(struct cl *c, const char *fmt, ...)
{
	char re[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(re, sizeof(re), fmt, ap);
	va_end(ap);
	return cl_expect(c, re, LIVE_T);
}

void
cl_expect_none(struct cl *c, const char *re, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	regex_t r;
	char tok[64], *line;
	size_t i, tl;

	snprintf(tok, sizeof(tok), "sync%u.%d", ++c->sync_seq, (int)getpid());
	tl = strlen(tok);
	if (re != NULL)
		rx_compile(&r, re);
	for (i = 0; re != NULL && i < c->npend; i++)
		if (regexec(&r, c->pend[i], 0, NULL, 0) == 0)
			cl_fail(c, "[%s] unexpected line matching /%s/: %s", c->name, re,
			    c->pend[i]);
	cl_send(c, "PING :%s", tok);
	for (;;) {
		line = cl_read_line(c, end);
		if (line == NULL) {
			if (re != NULL)
				regfree(&r);
			cl_fail(c, "[%s] %s waiting for PONG %s (sync)%s%s%s", c->name,
			    c->eof ? "connection closed" : "timed out", tok,
			    re ? " while checking /" : "", re ? re : "", re ? "/ is absent" : "");
		}
		{
			size_t ll = strlen(line);

			if (strstr(line, " PONG ") != NULL && ll >= tl &&
			    strcmp(line + ll - tl, tok) == 0) {
				free(line);
				break;
			}
		}
		if (re != NULL && regexec(&r, line, 0, NULL, 0) == 0) {
			pend_push(c, line);
			regfree(&r);
			cl_fail(c, "[%s] unexpected line matching /%s/: %s", c->name, re, line);
		}
		pend_push(c, line);
	}
	if (re != NULL)
		regfree(&r);
}

void
cl_sync(struct cl *c)
{
	cl_expect_none(c, NULL, LIVE_T);
}

int
cl_count(struct cl *c, const char *re)
{
	regex_t r;
	size_t i;
	int n = 0;

	cl_sync(c);
	rx_compile(&r, re);
	for (i = 0; i < c->npend; i++)
		if (regexec(&r, c->pend[i], 0, NULL, 0) == 0)
			n++;
	regfree(&r);
	return n;
}

void
cl_expect_eof(struct cl *c, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	size_t i;
	char *line;

	for (i = 0; i < c->npend; i++)
		hist_add(c, c->pend[i]);
	c->npend = 0;
	for (;;) {
		while ((line = cl_split(c)) != NULL)
			hist_add(c, line);
		if (c->eof)
			return;
		if (cl_fill(c, end) == 0)
			cl_fail(c,
			    "[%s] server did not close the connection "
			    "within %d ms",
			    c->name, timeout_ms);
	}
}

void
cl_drain(struct cl *c)
{
	char *line;

	while ((line = cl_read_line(c, now_ms())) != NULL)
		pend_push(c, line);
}

void
cl_register_full(struct cl *c, const char *nick, const char *user, const char *realname)
{
	const char *l;

	scopy(c->name, sizeof(c->name), nick);
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :%s", user, realname);
	l = cl_expect(c, "^:[^ ]+ (001|4[0-9][0-9]|5[0-9][0-9]) ", LIVE_T);
	if (!rx_match(l, "^:[^ ]+ 001 "))
		cl_fail(c, "[%s] registration failed: %s", nick, l);
	cl_expect(c, "^:[^ ]+ (376|422) ", LIVE_T);
}

void
cl_register(struct cl *c, const char *nick)
{
	char user[32], real[80];
	size_t o = 0;
	const char *p;

	for (p = nick; *p != '\0' && o < 9; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9'))
			user[o++] = *p;
	if (o == 0)
		user[o++] = 'x';
	user[o] = '\0';
	snprintf(real, sizeof(real), "Real %s", nick);
	cl_register_full(c, nick, user, real);
}

struct cl *
cl_new(struct srv *s, const char *nick)
{
	struct cl *c = cl_connect(s->port);

	cl_register(c, nick);
	return c;
}

void
cl_join(struct cl *c, const char *chan)
{
	char re[600];

	cl_send(c, "JOIN %s", chan);
	snprintf(re, sizeof(re), "^:[^ ]+ (366 %s %s |4[0-9][0-9] )", rx_esc(c->name),
	    rx_esc(chan));
	cl_expect(c, re, LIVE_T);
	if (!rx_match(c->last, " 366 "))
		cl_fail(c, "[%s] JOIN %s failed: %s", c->name, chan, c->last);
}

/* --------------------------------------------------------- scaffolding */

void
live_teardown(void)
{
	int i;

	size_t k;

	/* clients first, so that a stopping server is not left waiting for
	 * peers that never close */
	for (k = 0; k < g_nalloc; k++)
		cl_close(g_alloc[k]);
	for (i = 0; i < MAX_SRV; i++)
		if (g_srv[i] != NULL && !g_srv[i]->cleaned)
			srv_stop(g_srv[i]);
	for (i = 0; i < MAX_SRV; i++)
		if (g_srv[i] != NULL) {
			srv_free(g_srv[i]);
			g_srv[i] = NULL;
		}
	cl_free_all();
}

static void
live_atexit(void)
{
	live_teardown();
}

TCase *
live_tcase(const char *name, double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	tcase_add_checked_fixture(tc, NULL, live_teardown);
	return tc;
}

int
live_run(Suite *s)
{
	SRunner *sr;
	int failed;

	char root[64];
	int made;

	signal(SIGPIPE, SIG_IGN);
	check_set_max_msg_size(65536);
	/* one directory per suite run, removed afterwards even when a test
	 * died before its own cleanup (Check's fork mode _exits on failure) */
	snprintf(root, sizeof(root), "/tmp/evircd-live-XXXXXX");
	made = mkdtemp(root) != NULL;
	if (made)
		setenv("LIVE_TMPDIR", root, 1);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (made && getenv("LIVE_KEEP") == NULL)
		nftw(root, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	else if (made)
		fprintf(stderr, "live: kept %s\n", root);
	return failed == 0 ? 0 : 1;
}

/* live_db_setup: a fresh temporary directory for a test's database. */
void
live_db_setup(char *dir, size_t dirlen, char *path, size_t pathlen, const char *tag,
    const char *file)
{
	snprintf(dir, dirlen, "/tmp/evircd_%s_XXXXXX", tag);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, pathlen, "%s/%s", dir, file);
}

/* live_db_teardown: removes the directory live_db_setup made. */
void
live_db_teardown(char *dir)
{
	char cmd[128];

	if (dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	dir[0] = '\0';
}

/* live_b64: base64 of a byte string. */
void
live_b64(const void *in, size_t len, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* live_plain_b64: a SASL PLAIN response, base64. */
void
live_plain_b64(const char *account, const char *password, char *out)
{
	unsigned char raw[700];
	size_t n = 0, al = strlen(account), pl = strlen(password);

	ck_assert_uint_le(al + pl + 2, sizeof(raw));
	raw[n++] = '\0';
	memcpy(raw + n, account, al);
	n += al;
	raw[n++] = '\0';
	memcpy(raw + n, password, pl);
	n += pl;
	live_b64(raw, n, out);
}

/* cl_oper: becomes the operator admin/operpass. */
void
cl_oper(struct cl *c)
{
	cl_send(c, "OPER admin operpass");
	cl_expectf(c, SRV "381 %s :", rx_esc(c->name));
}
