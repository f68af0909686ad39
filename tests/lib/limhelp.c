/*
 * limhelp: helpers for the limits suites on top of livelib (see limhelp.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "limhelp.h"

int64_t
lim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
lim_sleep_ms(int ms)
{
	struct timespec d = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&d, &d) != 0 && errno == EINTR)
		;
}

struct cl *
cl_from(const char *src, int port, int rcvbuf)
{
	struct cl *c = cl_connect_src(src, "127.0.0.1", port, rcvbuf);

	snprintf(c->name, sizeof(c->name), "%s#%d", src, c->fd);
	return c;
}

void
eof_close(struct cl *c, int timeout_ms)
{
	cl_expect_eof(c, timeout_ms);
	cl_close(c);
}

#if defined(__SANITIZE_ADDRESS__)
#define LIM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LIM_SANITIZED 1
#endif
#endif

int
lim_server_under_valgrind(void)
{
	return getenv("EVIRCD_VALGRIND") != NULL;
}

/* lim_server_instrumented: the server's memory is not its own figure: under
 * valgrind, or built with ASan (freed blocks sit in its quarantine, so RSS
 * grows by what was freed). RSS bounds are checked only when this is 0. */
int
lim_server_instrumented(void)
{
#ifdef LIM_SANITIZED
	return 1;
#else
	return lim_server_under_valgrind();
#endif
}

int
lim_ms(int ms)
{
	if (lim_server_under_valgrind())
		return ms * 10;
#ifdef LIM_SANITIZED
	return ms * 3;
#else
	return ms;
#endif
}

TCase *
lim_tcase(const char *name, double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout * lim_ms(1000) / 1000);
	tcase_add_checked_fixture(tc, NULL, live_teardown);
	return tc;
}

void
cl_register_isupport(struct cl *c, const char *pass, const char *nick, char *isup, size_t isupsz)
{
	const char *l;
	char re[128];
	size_t o = 0;

	snprintf(c->name, sizeof(c->name), "%s", nick);
	if (isup != NULL && isupsz > 0) {
		isup[0] = '\0';
		if (isupsz > 1) {
			isup[0] = ' ';
			isup[1] = '\0';
			o = 1;
		}
	}
	if (pass != NULL)
		cl_send(c, "PASS %s", pass);
	cl_send(c, "NICK %s", nick);
	cl_send(c, "USER %s 0 * :Limits %s", nick, nick);
	l = cl_expect(c, "^:[^ ]+ (001|4[0-9][0-9]|5[0-9][0-9]) ", LIVE_T);
	if (!rx_match(l, "^:[^ ]+ 001 "))
		ck_abort_msg("[%s] registration failed: %s", nick, l);
	snprintf(re, sizeof(re), "^:[^ ]+ (005|376|422) %s ", rx_esc(nick));
	for (;;) {
		char toks[512];

		l = cl_expect(c, re, LIVE_T);
		if (!rx_match(l, " 005 "))
			break;
		/* ":srv 005 nick TOK TOK :are supported by this server" */
		if (isup != NULL &&
		    rx_group(l, "^:[^ ]+ 005 [^ ]+ (.*) :are supported", 1, toks, sizeof(toks))) {
			int n = snprintf(isup + o, isupsz - o, "%s ", toks);

			if (n > 0 && (size_t)n < isupsz - o)
				o += (size_t)n;
		}
	}
}

int
isupport_has(const char *isup, const char *tok)
{
	char pat[256];

	snprintf(pat, sizeof(pat), " %s ", tok);
	return strstr(isup, pat) != NULL;
}

const char *
isupport_get(const char *isup, const char *name)
{
	static char val[256];
	char pat[128];
	const char *p, *e;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", name);
	p = strstr(isup, pat);
	if (p == NULL)
		return NULL;
	p += strlen(pat);
	e = strchr(p, ' ');
	n = e ? (size_t)(e - p) : strlen(p);
	if (n >= sizeof(val))
		n = sizeof(val) - 1;
	memcpy(val, p, n);
	val[n] = '\0';
	return val;
}

long
proc_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

int
proc_fd_count(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

long
proc_cpu_ticks(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after "(comm)": state(3) ... utime(14) stime(15) */
	p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

const char *
lim_mkpasswd(const char *pw)
{
	static char hash[512];
	const char *bin = getenv("EVIRCD_BIN");
	char cmd[1024];
	FILE *p;
	int st;

	if (bin == NULL)
		ck_abort_msg("EVIRCD_BIN is not set");
	/* the password goes through stdin, never the command line */
	snprintf(cmd, sizeof(cmd), "'%s' --mkpasswd", bin);
	{
		char tmpl[] = "/tmp/limpw-XXXXXX";
		int fd = mkstemp(tmpl);
		FILE *in;

		if (fd < 0)
			ck_abort_msg("mkstemp: %s", strerror(errno));
		in = fdopen(fd, "w");
		fprintf(in, "%s\n", pw);
		fclose(in);
		snprintf(cmd, sizeof(cmd), "'%s' --mkpasswd < '%s'", bin, tmpl);
		p = popen(cmd, "r");
		if (p == NULL) {
			unlink(tmpl);
			ck_abort_msg("popen: %s", strerror(errno));
		}
		if (fgets(hash, sizeof(hash), p) == NULL)
			hash[0] = '\0';
		st = pclose(p);
		unlink(tmpl);
	}
	hash[strcspn(hash, "\r\n")] = '\0';
	ck_assert_msg(st == 0 && strncmp(hash, "$argon2id$", 10) == 0,
	    "evircd --mkpasswd failed (status %d): '%s'", st, hash);
	return hash;
}

const char *
lim_tmp_path(const char *name)
{
	static char path[4][256];
	static unsigned next;
	const char *root = getenv("LIVE_TMPDIR");
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s-%d", root != NULL && *root ? root : "/tmp", name,
	    (int)getpid());
	return p;
}

int64_t
lim_prompt_sync(struct cl *c, int max_ms, const char *what)
{
	int64_t t0 = lim_now_ms(), dt;

	max_ms = lim_ms(max_ms);
	cl_sync(c);
	dt = lim_now_ms() - t0;
	ck_assert_msg(dt < max_ms, "%s%s[%s] PING answered after %lld ms (limit %d ms)",
	    what ? what : "", what ? ": " : "", c->name, (long long)dt, max_ms);
	return dt;
}
