/*
 * evircd-bench: a load generator for IRC servers (evircd, ngIRCd, InspIRCd).
 *
 * One process, one libevent loop, many client connections over loopback.
 * Every phase is bounded in time; every scenario prints a human summary and
 * one machine-readable line of space separated key=value pairs that starts
 * with "scenario=".
 *
 * Scenarios:
 *   connect  open and register N clients in bounded concurrent batches,
 *            report registrations/s and, with --server-pid, the server's RSS
 *            growth per idle registered client; hold them for --hold s.
 *   fanout   C clients in one channel, S of them send; deliveries/s over all
 *            receivers, end-to-end latency, lost messages after a drain.
 *   privmsg  P pairs of clients messaging each other; throughput, latency.
 *   churn    K workers loop connect/register/join/part/quit for --duration s;
 *            cycles/s and the server's RSS at start and end.
 *
 * With --server-pid every throughput is also given per server CPU second
 * (utime+stime from /proc/PID/stat).
 *
 * A network of servers: --port P1,P2,... spreads the clients round-robin
 * over several ports (client i on port i mod n, so the fanout senders are
 * on different servers too), and --server-pid PID1,PID2,... sums CPU and
 * RSS over all of them. Before a multi-port fanout starts, every server must
 * count all members in LIST (the JOINs crossed the links), then the marker.
 * --linger S keeps the clients connected for up to S s after the result
 * line (until SIGUSR1, or all are gone), for scripts that measure more while
 * they are there (tests/bench/network5.py).
 *
 * Build: gcc -O2 -Wall -Wextra evircd-bench.c -levent -lm -o evircd-bench
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define BENCH_LINE_MAX	       8192 /* longer server lines are discarded */
#define BENCH_MAX_PARAMS       16
#define BENCH_FD_RESERVE       64 /* descriptors kept for the loop, /proc, stdio */
#define BENCH_OUT_CAP	       (256 * 1024) /* don't queue more than this per sender */
#define BENCH_STALL_NS	       (3ULL * 1000000000ULL)
#define BENCH_CYCLE_TIMEOUT_NS (15ULL * 1000000000ULL)
#define BENCH_TEARDOWN_NS      (10ULL * 1000000000ULL)
#define NS_PER_S	       1000000000ULL
#define BENCH_MAX_PORTS	       16 /* servers of one --port list / --server-pid list */

enum scenario { SC_CONNECT, SC_FANOUT, SC_PRIVMSG, SC_CHURN };
static const char *const scenario_names[] = { "connect", "fanout", "privmsg", "churn" };

enum conn_state {
	CS_IDLE, /* never started, or closed after a completed cycle */
	CS_CONNECTING, /* TCP connect in progress */
	CS_REGISTERING, /* NICK/USER sent, waiting for 001 */
	CS_RETRY_WAIT, /* waiting to retry a failed attempt */
	CS_REGISTERED, /* got 001 */
	CS_JOINING, /* JOIN sent, waiting for 366 */
	CS_JOINED,
	CS_PARTING, /* churn: PART sent, waiting for our PART echo */
	CS_QUITTING, /* QUIT sent, waiting for the server to close */
	CS_FAILED, /* gave up */
	CS_DEAD /* closed unexpectedly after registration */
};

enum phase {
	PH_CONNECT,
	PH_HOLD,
	PH_JOIN,
	PH_SYNC,
	PH_RUN,
	PH_DRAIN,
	PH_SETTLE,
	PH_LINGER,
	PH_TEARDOWN,
	PH_DONE
};
static const char *const phase_names[] = { "connect", "hold", "join", "sync", "run", "drain",
	"settle", "linger", "teardown", "done" };

struct opts {
	enum scenario scenario;
	const char *host;
	int port; /* the first of ports[] */
	int ports[BENCH_MAX_PORTS], nports;
	const char *password;
	int clients, senders, pairs, workers;
	double duration, rate, hold, drain, timeout, linger;
	int window, size, concurrency, retries, sources;
	long server_pid; /* the first of server_pids[] */
	long server_pids[BENCH_MAX_PORTS];
	int npids;
	const char *nick_prefix;
	const char *channel;
	const char *label;
	bool quiet;
};

/* Log-linear latency histogram: 16 sub-buckets per power of two (~3 %). */
#define HIST_BUCKETS (64 * 16)
struct hist {
	uint64_t n, max, sum;
	uint64_t b[HIST_BUCKETS];
};

struct conn {
	struct bench *b;
	struct bufferevent *bev;
	uint32_t id; /* index into b->conns */
	uint32_t cycle; /* churn: completed cycles of this worker */
	uint8_t state;
	uint8_t retries; /* attempts used for the current registration */
	uint8_t nick_tries;
	uint8_t pending; /* 366s or PART echoes still expected */
	bool counted_inflight;
	int32_t sid; /* sender index, -1 when not a sender */
	char nick[40];
	uint64_t t_start; /* first connect attempt of this registration */
	uint64_t t_cycle; /* churn: start of this cycle */
	uint64_t t_state; /* when the current state was entered */
};

struct sender {
	uint32_t conn; /* index of the sending connection */
	uint32_t sent; /* messages sent == next sequence number */
	uint32_t completed; /* messages received by all their receivers */
	uint64_t offered; /* rate mode: messages due so far */
	uint64_t last_progress;
	uint32_t *slot_seq; /* window mode: seq held by each slot */
	uint32_t *slot_rem; /* window mode: receivers still to get it */
};

struct proc_sample {
	bool ok;
	long rss_kb;
	double cpu_s;
	long long syscw; /* write system calls (/proc/PID/io), -1 unreadable */
};

struct bench {
	struct opts o;
	struct event_base *base;
	struct sockaddr_storage dst[BENCH_MAX_PORTS]; /* one per --port */
	socklen_t dstlen;
	int nsources; /* 0: don't bind */
	uint32_t source_rr;

	struct conn *conns;
	uint32_t nconns;

	enum phase phase;
	uint64_t t_begin, t_phase, t_progress;
	uint64_t progress_mark;
	uint64_t t_connect0, t_hold0;

	/* connect machinery */
	uint32_t n_target, next_launch, inflight;
	bool pumping, in_advance;
	uint32_t registered, failed, retries_total, nick_retries;
	uint32_t alive; /* connections with a bufferevent */
	uint32_t disconnects; /* registered connections closed by the server */
	uint32_t err_refused, err_timeout, err_addr, err_reset, err_other;
	uint64_t t_reg_first, t_reg_last;

	/* join / sync */
	uint32_t next_join, join_inflight, joined, join_failed;
	uint32_t sync_rx, sync_expected;
	/* multi-port sync: a member per port asks LIST until its server counts
	 * every member */
	bool list_sync;
	uint32_t list_conn[BENCH_MAX_PORTS];
	bool list_ok[BENCH_MAX_PORTS], list_due[BENCH_MAX_PORTS];
	uint32_t list_count[BENCH_MAX_PORTS];
	bool linger_stop;
	uint32_t window; /* 0 in rate mode */
	uint64_t t_drain_end;
	bool sync_incomplete;

	/* message scenarios */
	struct sender *senders;
	uint32_t nsenders;
	uint32_t nrecv_per_msg; /* receivers of each message */
	uint32_t *rx_next; /* next expected seq per (receiver, sender) */
	bool sending;
	uint64_t t_run0, t_run_end, t_first_rx, t_last_rx;
	uint64_t sent_total, received_total, expected_total;
	uint64_t gaps, dups, forced, skipped, bad_payload;
	char pad[512];
	struct event *pace_ev;

	/* churn */
	uint64_t cycles, churn_errors, cycle_timeouts;
	uint32_t churn_active;

	/* measurements */
	struct hist lat, reg_lat, cycle_lat;
	struct proc_sample ps_begin, ps_reg0, ps_reg1, ps_hold1, ps_run0, ps_run1, ps_warm, ps_end;
	struct rusage ru_run0, ru_run1;
	long rlimit_nofile;
	bool warm_taken;

	char last_error[256];
	uint32_t server_errors;
	uint32_t long_lines;
	uint64_t pings; /* server PINGs answered */
	bool interrupted;
	int exit_code;

	struct event *tick_ev, *sigint_ev, *sigterm_ev, *sigusr1_ev;
	uint64_t last_report;
};

static void advance(struct bench *b);
static void conn_launch(struct conn *c);
static void pump_connect(struct bench *b);

/* ---------------------------------------------------------------- utils */

/* Current CLOCK_MONOTONIC time in nanoseconds. */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static double
ns_to_s(uint64_t ns)
{
	return (double)ns / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Print an error and exit with status 2. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "evircd-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void progress(struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress line on stderr unless --quiet. */
static void
progress(struct bench *b, const char *fmt, ...)
{
	va_list ap;

	if (b->o.quiet)
		return;
	fprintf(stderr, "[%7.2fs] ", ns_to_s(now_ns() - b->t_begin));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Write v in base 36 (lower case) to out; returns the length. */
static size_t
base36(uint64_t v, char *out)
{
	char tmp[16];
	size_t n = 0, i;

	do {
		unsigned d = (unsigned)(v % 36);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= 36;
	} while (v && n < sizeof(tmp));
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

/* ------------------------------------------------------------ histogram */

static unsigned
hist_index(uint64_t v)
{
	unsigned msb;

	if (v < 16)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	return (msb - 3u) * 16u + (unsigned)((v >> (msb - 4u)) & 15u);
}

static uint64_t
hist_value(unsigned idx)
{
	unsigned msb, sub;
	uint64_t lo, width;

	if (idx < 16)
		return idx;
	msb = idx / 16u + 3u;
	sub = idx % 16u;
	lo = (uint64_t)(16u + sub) << (msb - 4u);
	width = (uint64_t)1 << (msb - 4u);
	return lo + width / 2;
}

static void
hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

/* Value at quantile q (0..1), or 0 when empty. */
static uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t want, acc = 0;
	unsigned i;

	if (h->n == 0)
		return 0;
	want = (uint64_t)ceil(q * (double)h->n);
	if (want < 1)
		want = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		acc += h->b[i];
		if (acc >= want) {
			uint64_t v = hist_value(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

/* ------------------------------------------------------------- /proc */

static struct proc_sample proc_sample_one(long pid);

/* Server RSS and CPU time, summed over every --server-pid; ok=false without
 * --server-pid or if one is gone. */
static struct proc_sample
proc_sample(const struct bench *b)
{
	struct proc_sample s = { false, 0, 0.0, 0 };
	int i;

	for (i = 0; i < b->o.npids; i++) {
		struct proc_sample one = proc_sample_one(b->o.server_pids[i]);

		if (!one.ok)
			return (struct proc_sample){ false, 0, 0.0, -1 };
		s.ok = true;
		s.rss_kb += one.rss_kb;
		s.cpu_s += one.cpu_s;
		s.syscw = (s.syscw < 0 || one.syscw < 0) ? -1 : s.syscw + one.syscw;
	}
	return s;
}

/* RSS and CPU time of one process. */
static struct proc_sample
proc_sample_one(long pid)
{
	struct proc_sample s = { false, 0, 0.0, -1 };
	char path[64], buf[4096], *p;
	FILE *f;
	size_t n;
	unsigned long utime = 0, stime = 0;
	long tck;

	if (pid <= 0)
		return s;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f)
		return s;
	while (fgets(buf, sizeof(buf), f)) {
		if (strncmp(buf, "VmRSS:", 6) == 0) {
			s.rss_kb = strtol(buf + 6, NULL, 10);
			break;
		}
	}
	fclose(f);

	snprintf(path, sizeof(path), "/proc/%ld/io", pid);
	f = fopen(path, "r");
	if (f) {
		while (fgets(buf, sizeof(buf), f)) {
			if (strncmp(buf, "syscw:", 6) == 0) {
				s.syscw = strtoll(buf + 6, NULL, 10);
				break;
			}
		}
		fclose(f);
	}

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return s;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may contain spaces: fields restart after ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return s;
	/* after ") " comes field 3 (state); utime is field 14, stime 15 */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
	    2)
		return s;
	tck = sysconf(_SC_CLK_TCK);
	if (tck <= 0)
		tck = 100;
	s.cpu_s = (double)(utime + stime) / (double)tck;
	s.ok = true;
	return s;
}

static double
rusage_cpu_s(const struct rusage *r)
{
	return (double)r->ru_utime.tv_sec + (double)r->ru_utime.tv_usec / 1e6 +
	    (double)r->ru_stime.tv_sec + (double)r->ru_stime.tv_usec / 1e6;
}

/* ------------------------------------------------------ result output */

struct kv {
	char buf[4096];
	size_t len;
};

static void kv_add(struct kv *kv, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append " key=value" to the machine-readable line. */
static void
kv_add(struct kv *kv, const char *key, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (kv->len >= sizeof(kv->buf) - 1)
		return;
	r = snprintf(kv->buf + kv->len, sizeof(kv->buf) - kv->len, "%s%s=", kv->len ? " " : "",
	    key);
	if (r < 0)
		return;
	kv->len += (size_t)r;
	if (kv->len >= sizeof(kv->buf) - 1) {
		kv->len = sizeof(kv->buf) - 1;
		return;
	}
	va_start(ap, fmt);
	r = vsnprintf(kv->buf + kv->len, sizeof(kv->buf) - kv->len, fmt, ap);
	va_end(ap);
	if (r > 0)
		kv->len += (size_t)r;
	if (kv->len >= sizeof(kv->buf))
		kv->len = sizeof(kv->buf) - 1;
}

/* key=value with value "na" when the denominator or sample is missing. */
static void
kv_ratio(struct kv *kv, const char *key, double num, double den, bool ok)
{
	if (ok && den > 0)
		kv_add(kv, key, "%.1f", num / den);
	else
		kv_add(kv, key, "na");
}

static void
kv_cpu(struct kv *kv, const char *key, const struct proc_sample *a, const struct proc_sample *z)
{
	if (a->ok && z->ok)
		kv_add(kv, key, "%.2f", z->cpu_s - a->cpu_s);
	else
		kv_add(kv, key, "na");
}

static void
kv_rss(struct kv *kv, const char *key, const struct proc_sample *s)
{
	if (s->ok)
		kv_add(kv, key, "%ld", s->rss_kb);
	else
		kv_add(kv, key, "na");
}

static void
kv_common_head(struct bench *b, struct kv *kv)
{
	kv_add(kv, "scenario", "%s", scenario_names[b->o.scenario]);
	if (b->o.label)
		kv_add(kv, "server", "%s", b->o.label);
}

static void
kv_errors(struct bench *b, struct kv *kv)
{
	kv_add(kv, "failed", "%u", b->failed);
	kv_add(kv, "retries", "%u", b->retries_total);
	kv_add(kv, "disconnects", "%u", b->disconnects);
	kv_add(kv, "server_errors", "%u", b->server_errors);
}

static void
print_kv(struct kv *kv)
{
	printf("%s\n", kv->buf);
	fflush(stdout);
}

static void human(struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Human summary line on stdout unless --quiet. */
static void
human(struct bench *b, const char *fmt, ...)
{
	va_list ap;

	if (b->o.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
human_errors(struct bench *b)
{
	if (b->failed || b->retries_total || b->disconnects || b->server_errors)
		human(b,
		    "  errors: failed=%u retries=%u (refused=%u timeout=%u addr=%u reset=%u "
		    "other=%u) "
		    "disconnects=%u server ERROR lines=%u%s%s",
		    b->failed, b->retries_total, b->err_refused, b->err_timeout, b->err_addr,
		    b->err_reset, b->err_other, b->disconnects, b->server_errors,
		    b->last_error[0] ? " last: " : "", b->last_error);
}

/* -------------------------------------------------------- connections */

static void
conn_set_state(struct conn *c, enum conn_state s)
{
	c->state = (uint8_t)s;
	c->t_state = now_ns();
}

static void conn_send(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Queue one formatted line (the caller includes CRLF) on c's output. */
static void
conn_send(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->bev)
		return;
	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
}

/* Free c's bufferevent (closing the socket); safe from its own callbacks. */
static void
conn_close(struct conn *c)
{
	if (!c->bev)
		return;
	bufferevent_free(c->bev);
	c->bev = NULL;
	c->b->alive--;
}

/* Build the nickname for this registration attempt. */
static void
conn_make_nick(struct conn *c)
{
	struct bench *b = c->b;
	uint64_t uid = c->id;
	size_t n;

	if (b->o.scenario == SC_CHURN)
		uid = c->id + (uint64_t)b->nconns * c->cycle;
	n = (size_t)snprintf(c->nick, sizeof(c->nick), "%s", b->o.nick_prefix);
	if (n >= sizeof(c->nick) - 16)
		n = sizeof(c->nick) - 16;
	n += base36(uid, c->nick + n);
	if (c->nick_tries)
		snprintf(c->nick + n, sizeof(c->nick) - n, "_%u", (unsigned)c->nick_tries);
}

static void
record_server_error(struct bench *b, const char *what, const char *text)
{
	b->server_errors++;
	snprintf(b->last_error, sizeof(b->last_error), "%s %s", what, text ? text : "");
}

static void
classify_error(struct bench *b, int err)
{
	switch (err) {
	case ECONNREFUSED:
	case EAGAIN:
		b->err_refused++;
		break;
	case ETIMEDOUT:
		b->err_timeout++;
		break;
	case EADDRNOTAVAIL:
	case EADDRINUSE:
		b->err_addr++;
		break;
	case ECONNRESET:
	case EPIPE:
	case 0: /* closed by the server before 001 */
		b->err_reset++;
		break;
	default:
		b->err_other++;
		break;
	}
}

/* Churn: start the worker's next cycle, now or after delay_ms. */
static void churn_retry_cb(evutil_socket_t fd, short what, void *arg);

static void
churn_next(struct conn *c, int delay_ms)
{
	struct bench *b = c->b;

	if (!b->sending) {
		if (c->state != CS_IDLE) {
			conn_set_state(c, CS_IDLE);
			b->churn_active--;
		}
		return;
	}
	conn_set_state(c, CS_RETRY_WAIT);
	if (delay_ms <= 0) {
		conn_launch(c);
	} else {
		struct timeval tv = { delay_ms / 1000, (delay_ms % 1000) * 1000 };
		event_base_once(b->base, -1, EV_TIMEOUT, churn_retry_cb, c, &tv);
	}
}

static void
churn_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct bench *b = c->b;

	(void)fd;
	(void)what;
	if (c->state != CS_RETRY_WAIT)
		return;
	if (!b->sending) {
		conn_set_state(c, CS_IDLE);
		b->churn_active--;
		advance(b);
		return;
	}
	conn_launch(c);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state != CS_RETRY_WAIT || c->b->phase != PH_CONNECT)
		return;
	conn_launch(c);
}

/* A registration attempt failed (connect error or closed before 001). */
static void
conn_prereg_failed(struct conn *c, bool retryable)
{
	struct bench *b = c->b;

	conn_close(c);
	if (b->o.scenario == SC_CHURN) {
		b->churn_errors++;
		churn_next(c, 50);
		return;
	}
	if (retryable && c->retries < b->o.retries && b->phase == PH_CONNECT) {
		unsigned ms = 50u << c->retries;
		struct timeval tv;

		if (ms > 2000)
			ms = 2000;
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		c->retries++;
		b->retries_total++;
		conn_set_state(c, CS_RETRY_WAIT);
		event_base_once(b->base, -1, EV_TIMEOUT, retry_cb, c, &tv);
		return;
	}
	conn_set_state(c, CS_FAILED);
	b->failed++;
	if (c->counted_inflight) {
		c->counted_inflight = false;
		b->inflight--;
	}
	pump_connect(b);
}

/* Bind fd to the next 127.0.0.X source address (rotating X). */
static int
bind_source(struct bench *b, int fd)
{
	int one = 1, i, err = 0;

	(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	for (i = 0; i < b->nsources; i++) {
		struct sockaddr_in sin;
		uint32_t x = 1 + (b->source_rr++ % (uint32_t)b->nsources);

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(0x7f000000u | x);
		sin.sin_port = 0;
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			return 0;
		err = errno;
	}
	errno = err;
	return -1;
}

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);

/* Start a TCP connection for c; registration follows on connect. */
static void
conn_launch(struct conn *c)
{
	struct bench *b = c->b;
	struct bufferevent *bev;
	struct sockaddr_storage *dst;
	int fd, one = 1;

	if (c->state != CS_RETRY_WAIT) {
		c->retries = 0;
		c->nick_tries = 0;
		c->t_start = now_ns();
	}
	if (b->o.scenario == SC_CHURN) {
		c->nick_tries = 0;
		c->t_cycle = now_ns();
		c->t_start = c->t_cycle;
	}
	conn_make_nick(c);
	conn_set_state(c, CS_CONNECTING);

	dst = &b->dst[c->id % (uint32_t)b->o.nports];
	fd = socket(dst->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE)
			die("socket(): %s with %u connections open; lower --clients or run "
			    "several evircd-bench processes",
			    strerror(errno), b->alive);
		classify_error(b, errno);
		conn_prereg_failed(c, true);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (b->nsources > 0 && bind_source(b, fd) < 0) {
		classify_error(b, errno);
		close(fd);
		conn_prereg_failed(c, true);
		return;
	}
	bev = bufferevent_socket_new(b->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		close(fd);
		die("bufferevent_socket_new failed");
	}
	c->bev = bev;
	b->alive++;
	bufferevent_setcb(bev, conn_read_cb, NULL, conn_event_cb, c);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(bev, (struct sockaddr *)dst, (int)b->dstlen) < 0) {
		classify_error(b, errno ? errno : EADDRNOTAVAIL);
		conn_prereg_failed(c, true);
	}
}

/* Launch registrations while fewer than --concurrency are in progress. */
static void
pump_connect(struct bench *b)
{
	if (b->pumping || b->phase != PH_CONNECT)
		return;
	b->pumping = true;
	while (b->inflight < (uint32_t)b->o.concurrency && b->next_launch < b->n_target) {
		struct conn *c = &b->conns[b->next_launch++];

		c->counted_inflight = true;
		b->inflight++;
		conn_launch(c);
	}
	b->pumping = false;
}

/* Connection closed: EOF, error, or our own forced close. */
static void
conn_closed(struct conn *c, int err)
{
	struct bench *b = c->b;
	enum conn_state st = (enum conn_state)c->state;

	conn_close(c);
	switch (st) {
	case CS_CONNECTING:
	case CS_REGISTERING:
		classify_error(b, err);
		conn_prereg_failed(c, true);
		break;
	case CS_QUITTING:
		if (b->o.scenario == SC_CHURN) {
			uint64_t now = now_ns();

			b->cycles++;
			hist_add(&b->cycle_lat, now - c->t_cycle);
			c->cycle++;
			churn_next(c, 0);
		} else {
			conn_set_state(c, CS_IDLE);
		}
		break;
	case CS_REGISTERED:
	case CS_JOINING:
	case CS_JOINED:
	case CS_PARTING:
		b->disconnects++;
		if (b->o.scenario == SC_CHURN) {
			b->churn_errors++;
			churn_next(c, 50);
			break;
		}
		if (st == CS_JOINING) {
			b->join_inflight--;
			b->join_failed++;
		}
		conn_set_state(c, CS_DEAD);
		break;
	default:
		break;
	}
	advance(b);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct bench *b = c->b;
	int err = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		conn_set_state(c, CS_REGISTERING);
		if (b->o.password)
			conn_send(c, "PASS %s\r\n", b->o.password);
		conn_send(c, "NICK %s\r\nUSER %s 0 * :evircd-bench\r\n", c->nick, c->nick);
		return;
	}
	conn_closed(c, (what & BEV_EVENT_EOF) ? 0 : err);
}

/* ------------------------------------------------------------ parsing */

struct irc_line {
	char *prefix;
	char *cmd;
	int argc;
	char *argv[BENCH_MAX_PARAMS];
};

/* Split one line in place: [@tags] [:prefix] command params [:trailing]. */
static bool
irc_parse(char *s, struct irc_line *m)
{
	m->prefix = NULL;
	m->argc = 0;
	if (*s == '@') {
		s = strchr(s, ' ');
		if (!s)
			return false;
		while (*s == ' ')
			s++;
	}
	if (*s == ':') {
		m->prefix = s + 1;
		s = strchr(s, ' ');
		if (!s)
			return false;
		*s++ = '\0';
		while (*s == ' ')
			s++;
	}
	m->cmd = s;
	s = strchr(s, ' ');
	if (s)
		*s++ = '\0';
	while (s && *s && m->argc < BENCH_MAX_PARAMS) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (*s == ':') {
			m->argv[m->argc++] = s + 1;
			break;
		}
		m->argv[m->argc++] = s;
		s = strchr(s, ' ');
		if (s)
			*s++ = '\0';
	}
	return m->cmd[0] != '\0';
}

/* Does the prefix nick!user@host name this connection? */
static bool
prefix_is_me(const struct conn *c, const char *prefix)
{
	size_t n;

	if (!prefix)
		return false;
	n = strcspn(prefix, "!@");
	return n == strlen(c->nick) && strncasecmp(prefix, c->nick, n) == 0;
}

/* -------------------------------------------------- message scenarios */

static void
send_bench_msg(struct bench *b, struct sender *s)
{
	struct conn *c = &b->conns[s->conn];
	const char *target;
	uint32_t q = s->sent++;

	if (b->o.scenario == SC_FANOUT)
		target = b->o.channel;
	else
		target = b->conns[s->conn ^ 1u].nick;
	evbuffer_add_printf(bufferevent_get_output(c->bev),
	    "PRIVMSG %s :~b %d %u %" PRIu64 " %s\r\n", target, c->sid, q, now_ns(), b->pad);
	if (b->window) {
		uint32_t slot = q % b->window;

		s->slot_seq[slot] = q;
		s->slot_rem[slot] = b->nrecv_per_msg;
	}
	b->sent_total++;
}

/* Window mode: keep up to --window undelivered messages per sender. */
static void
fill_window(struct bench *b, struct sender *s)
{
	struct conn *c = &b->conns[s->conn];

	while (b->sending && c->bev && s->sent - s->completed < b->window) {
		if (s->slot_rem[s->sent % b->window] != 0)
			break;
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) > BENCH_OUT_CAP)
			break;
		send_bench_msg(b, s);
	}
}

static void
on_bench_privmsg(struct conn *c, const char *text)
{
	struct bench *b = c->b;
	char *end;
	unsigned long sid, q;
	unsigned long long ts;
	uint64_t now, idx;
	struct sender *s;

	sid = strtoul(text, &end, 10);
	if (*end != ' ')
		goto bad;
	q = strtoul(end + 1, &end, 10);
	if (*end != ' ')
		goto bad;
	ts = strtoull(end + 1, &end, 10);
	if (*end != ' ' && *end != '\0')
		goto bad;
	if (sid >= b->nsenders || !b->rx_next)
		goto bad;

	now = now_ns();
	if (ts <= now)
		hist_add(&b->lat, now - ts);
	b->received_total++;
	if (!b->t_first_rx)
		b->t_first_rx = now;
	b->t_last_rx = now;

	idx = b->o.scenario == SC_FANOUT ? (uint64_t)c->id * b->nsenders + sid : c->id;
	if (q == b->rx_next[idx]) {
		b->rx_next[idx] = (uint32_t)q + 1;
	} else if (q > b->rx_next[idx]) {
		b->gaps += q - b->rx_next[idx];
		b->rx_next[idx] = (uint32_t)q + 1;
	} else {
		b->dups++;
	}

	s = &b->senders[sid];
	if (b->window) {
		uint32_t slot = (uint32_t)(q % b->window);

		if (s->slot_seq[slot] == q && s->slot_rem[slot] > 0 && --s->slot_rem[slot] == 0) {
			s->completed++;
			s->last_progress = now;
			fill_window(b, s);
		}
	}
	if (b->phase == PH_DRAIN && b->received_total >= b->expected_total)
		advance(b);
	return;
bad:
	b->bad_payload++;
}

static void
on_privmsg(struct conn *c, struct irc_line *m)
{
	const char *text;

	if (m->argc < 2)
		return;
	text = m->argv[1];
	if (text[0] != '~')
		return;
	if (text[1] == 'b' && text[2] == ' ') {
		on_bench_privmsg(c, text + 3);
	} else if (text[1] == 's' && text[2] == '\0') {
		if (c->b->phase == PH_SYNC) {
			c->b->sync_rx++;
			advance(c->b);
		}
	}
}

/* ------------------------------------------------------ join and part */

static void
churn_channels(struct conn *c, char *out, size_t len)
{
	char k[16];

	base36(c->id, k);
	snprintf(out, len, "%s,%s-%s", c->b->o.channel, c->b->o.channel, k);
}

static void
pump_join(struct bench *b)
{
	while (b->join_inflight < (uint32_t)b->o.concurrency && b->next_join < b->nconns) {
		struct conn *c = &b->conns[b->next_join++];

		if (c->state != CS_REGISTERED || !c->bev)
			continue;
		conn_send(c, "JOIN %s\r\n", b->o.channel);
		c->pending = 1;
		conn_set_state(c, CS_JOINING);
		b->join_inflight++;
	}
}

static void
churn_quit(struct conn *c)
{
	conn_send(c, "QUIT :churn\r\n");
	conn_set_state(c, CS_QUITTING);
}

static void
on_joined(struct conn *c)
{
	struct bench *b = c->b;

	if (b->o.scenario == SC_CHURN) {
		char chans[128];

		churn_channels(c, chans, sizeof(chans));
		conn_send(c, "PART %s\r\n", chans);
		c->pending = 2;
		conn_set_state(c, CS_PARTING);
		return;
	}
	conn_set_state(c, CS_JOINED);
	b->join_inflight--;
	b->joined++;
	pump_join(b);
	advance(b);
}

static void
on_join_failed(struct conn *c, int code, struct irc_line *m)
{
	struct bench *b = c->b;
	char what[16];

	snprintf(what, sizeof(what), "JOIN %03d", code);
	record_server_error(b, what, m->argc ? m->argv[m->argc - 1] : "");
	if (b->o.scenario == SC_CHURN) {
		b->churn_errors++;
		churn_quit(c);
		return;
	}
	conn_set_state(c, CS_REGISTERED);
	b->join_inflight--;
	b->join_failed++;
	pump_join(b);
	advance(b);
}

static void
on_registered(struct conn *c, struct irc_line *m)
{
	struct bench *b = c->b;
	uint64_t now = now_ns();

	if (c->state != CS_REGISTERING)
		return;
	if (m->argc >= 1 && strlen(m->argv[0]) < sizeof(c->nick))
		snprintf(c->nick, sizeof(c->nick), "%s", m->argv[0]);
	hist_add(&b->reg_lat, now - c->t_start);
	conn_set_state(c, CS_REGISTERED);
	b->registered++;
	if (!b->t_reg_first)
		b->t_reg_first = now;
	b->t_reg_last = now;
	if (b->o.scenario == SC_CHURN) {
		char chans[128];

		churn_channels(c, chans, sizeof(chans));
		conn_send(c, "JOIN %s\r\n", chans);
		c->pending = 2;
		conn_set_state(c, CS_JOINING);
		return;
	}
	if (c->counted_inflight) {
		c->counted_inflight = false;
		b->inflight--;
	}
	pump_connect(b);
	advance(b);
}

static void on_list_reply(struct conn *c, int code, struct irc_line *m);

static void
handle_numeric(struct conn *c, int code, struct irc_line *m)
{
	struct bench *b = c->b;
	const char *last = m->argc ? m->argv[m->argc - 1] : "";

	switch (code) {
	case 1: /* RPL_WELCOME */
		on_registered(c, m);
		break;
	case 432: /* ERR_ERRONEUSNICKNAME: retrying won't help */
		record_server_error(b, "432", last);
		if (c->state == CS_REGISTERING) {
			c->retries = (uint8_t)b->o.retries;
			conn_prereg_failed(c, false);
			advance(b);
		}
		break;
	case 433: /* ERR_NICKNAMEINUSE */
	case 436: /* ERR_NICKCOLLISION */
		if (c->state == CS_REGISTERING) {
			b->nick_retries++;
			if (++c->nick_tries > 8) {
				record_server_error(b, "433", last);
				conn_prereg_failed(c, false);
				advance(b);
				break;
			}
			conn_make_nick(c);
			conn_send(c, "NICK %s\r\n", c->nick);
		}
		break;
	case 464: /* ERR_PASSWDMISMATCH */
	case 465: /* ERR_YOUREBANNEDCREEP */
		record_server_error(b, code == 464 ? "464" : "465", last);
		break;
	case 322: /* RPL_LIST */
	case 323: /* RPL_LISTEND */
		on_list_reply(c, code, m);
		break;
	case 366: /* RPL_ENDOFNAMES */
		if (c->state == CS_JOINING && c->pending > 0 && --c->pending == 0)
			on_joined(c);
		break;
	case 403:
	case 405:
	case 437:
	case 471:
	case 473:
	case 474:
	case 475:
	case 476:
	case 477:
	case 479:
		if (c->state == CS_JOINING)
			on_join_failed(c, code, m);
		break;
	case 401: /* ERR_NOSUCHNICK */
	case 404: /* ERR_CANNOTSENDTOCHAN */
	case 417: /* ERR_INPUTTOOLONG */
	case 421: /* ERR_UNKNOWNCOMMAND */
	case 451: /* ERR_NOTREGISTERED */
	case 461: /* ERR_NEEDMOREPARAMS */
	{
		char what[8];

		snprintf(what, sizeof(what), "%03d", code);
		record_server_error(b, what, last);
	} break;
	default:
		break;
	}
}

/* One complete line from the server (without CRLF). */
static void
handle_line(struct conn *c, char *line)
{
	struct irc_line m;
	const char *cmd;

	if (!irc_parse(line, &m))
		return;
	cmd = m.cmd;
	if (cmd[0] >= '0' && cmd[0] <= '9') {
		handle_numeric(c, atoi(cmd), &m);
		return;
	}
	if (strcmp(cmd, "PRIVMSG") == 0) {
		on_privmsg(c, &m);
	} else if (strcmp(cmd, "PING") == 0) {
		/* Always answer, registered or not (InspIRCd's cookie PING). */
		conn_send(c, "PONG :%s\r\n", m.argc ? m.argv[m.argc - 1] : "");
		c->b->pings++;
	} else if (strcmp(cmd, "PART") == 0) {
		if (c->state == CS_PARTING && prefix_is_me(c, m.prefix) && c->pending > 0 &&
		    --c->pending == 0)
			churn_quit(c);
	} else if (strcmp(cmd, "ERROR") == 0) {
		if (c->state != CS_QUITTING)
			record_server_error(c->b, "ERROR", m.argc ? m.argv[m.argc - 1] : "");
	}
}

/* CRLF (or bare LF) line splitter over the bufferevent's input. */
static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char line[BENCH_LINE_MAX + 1];

	while (c->bev == bev) {
		size_t eol_len = 0;
		struct evbuffer_ptr p = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);

		if (p.pos < 0) {
			if (evbuffer_get_length(in) > BENCH_LINE_MAX) {
				/* no EOL within the limit: drop what we have */
				c->b->long_lines++;
				evbuffer_drain(in, evbuffer_get_length(in));
			}
			break;
		}
		if ((size_t)p.pos > BENCH_LINE_MAX) {
			c->b->long_lines++;
			evbuffer_drain(in, (size_t)p.pos + eol_len);
			continue;
		}
		evbuffer_remove(in, line, (size_t)p.pos);
		line[p.pos] = '\0';
		evbuffer_drain(in, eol_len);
		handle_line(c, line);
	}
}

/* ------------------------------------------------------------ reports */

static void
report_connect(struct bench *b, uint32_t alive_after_hold)
{
	struct kv kv = { .len = 0 };
	double reg_s = b->registered ? ns_to_s(b->t_reg_last - b->t_connect0) : 0.0;
	double cpu = b->ps_reg1.cpu_s - b->ps_reg0.cpu_s;
	bool cpu_ok = b->ps_reg0.ok && b->ps_reg1.ok;
	bool rss_ok = b->ps_begin.ok && b->ps_reg1.ok && b->registered > 0;
	double bpc = rss_ok
	    ? (double)(b->ps_reg1.rss_kb - b->ps_begin.rss_kb) * 1024.0 / (double)b->registered
	    : 0.0;
	double bench_cpu = rusage_cpu_s(&b->ru_run1) - rusage_cpu_s(&b->ru_run0);

	human(b, "connect: %u/%u registered in %.2f s = %.0f reg/s (concurrency %d, sources %d)",
	    b->registered, b->n_target, reg_s, reg_s > 0 ? b->registered / reg_s : 0.0,
	    b->o.concurrency, b->nsources ? b->nsources : 1);
	human(b, "  registration latency: p50 %.1f ms  p99 %.1f ms  max %.1f ms",
	    hist_quantile(&b->reg_lat, 0.5) / 1e6, hist_quantile(&b->reg_lat, 0.99) / 1e6,
	    (double)b->reg_lat.max / 1e6);
	if (rss_ok)
		human(b,
		    "  server RSS %ld kB -> %ld kB: %.0f bytes per idle registered client; "
		    "server CPU %.2f s (%.0f reg per CPU-s)",
		    b->ps_begin.rss_kb, b->ps_reg1.rss_kb, bpc, cpu,
		    cpu > 0 ? b->registered / cpu : 0.0);
	if (b->o.hold > 0 && b->ps_hold1.ok && b->ps_reg1.ok)
		human(b,
		    "  held %.0f s: %u still registered, %" PRIu64 " server PINGs answered, "
		    "server CPU while idle %.2f s, RSS %ld kB",
		    b->o.hold, alive_after_hold, b->pings, b->ps_hold1.cpu_s - b->ps_reg1.cpu_s,
		    b->ps_hold1.rss_kb);
	else if (b->o.hold > 0)
		human(b, "  held %.0f s: %u still registered, %" PRIu64 " server PINGs answered",
		    b->o.hold, alive_after_hold, b->pings);
	human(b, "  generator CPU %.2f s", bench_cpu);
	human_errors(b);

	kv_common_head(b, &kv);
	kv_add(&kv, "clients", "%u", b->n_target);
	kv_add(&kv, "registered", "%u", b->registered);
	kv_add(&kv, "reg_s", "%.3f", reg_s);
	kv_ratio(&kv, "reg_per_s", b->registered, reg_s, true);
	kv_rss(&kv, "rss_before_kb", &b->ps_begin);
	kv_rss(&kv, "rss_after_kb", &b->ps_reg1);
	if (rss_ok)
		kv_add(&kv, "bytes_per_client", "%.0f", bpc);
	else
		kv_add(&kv, "bytes_per_client", "na");
	kv_cpu(&kv, "cpu_s", &b->ps_reg0, &b->ps_reg1);
	kv_ratio(&kv, "reg_per_cpu_s", b->registered, cpu, cpu_ok);
	kv_add(&kv, "reg_p50_us", "%.0f", hist_quantile(&b->reg_lat, 0.5) / 1e3);
	kv_add(&kv, "reg_p99_us", "%.0f", hist_quantile(&b->reg_lat, 0.99) / 1e3);
	kv_add(&kv, "reg_max_us", "%.0f", (double)b->reg_lat.max / 1e3);
	kv_add(&kv, "hold_s", "%.0f", b->o.hold);
	kv_add(&kv, "alive_after_hold", "%u", alive_after_hold);
	kv_add(&kv, "pings", "%" PRIu64, b->pings);
	kv_cpu(&kv, "hold_cpu_s", &b->ps_reg1, &b->ps_hold1);
	kv_rss(&kv, "rss_hold_end_kb", &b->ps_hold1);
	kv_add(&kv, "sources", "%d", b->nsources ? b->nsources : 1);
	kv_add(&kv, "concurrency", "%d", b->o.concurrency);
	kv_add(&kv, "bench_cpu_s", "%.2f", bench_cpu);
	kv_errors(b, &kv);
	print_kv(&kv);
}

static void
report_messages(struct bench *b)
{
	struct kv kv = { .len = 0 };
	bool fan = b->o.scenario == SC_FANOUT;
	double run_s = ns_to_s(b->t_run_end - b->t_run0);
	double rx_s = b->t_last_rx > b->t_run0 ? ns_to_s(b->t_last_rx - b->t_run0) : 0.0;
	double cpu = b->ps_run1.cpu_s - b->ps_run0.cpu_s;
	bool cpu_ok = b->ps_run0.ok && b->ps_run1.ok;
	uint64_t lost =
	    b->expected_total > b->received_total ? b->expected_total - b->received_total : 0;
	double bench_cpu = rusage_cpu_s(&b->ru_run1) - rusage_cpu_s(&b->ru_run0);
	const char *unit = fan ? "deliveries" : "messages";

	if (fan)
		human(b, "fanout: %u clients in %s (%u joined), %u senders, %d-byte text, %.1f s",
		    b->nconns, b->o.channel, b->joined, b->nsenders, b->o.size, run_s);
	else
		human(b, "privmsg: %u pairs (%u senders), %.1f s", b->nconns / 2, b->nsenders,
		    run_s);
	if (b->o.rate > 0)
		human(b, "  offered %.0f msg/s per sender; %" PRIu64 " skipped (send buffer full)",
		    b->o.rate, b->skipped);
	else
		human(b, "  unlimited, window %u undelivered messages per sender", b->window);
	human(b,
	    "  sent %" PRIu64 " (%.0f/s), %s expected %" PRIu64 ", received %" PRIu64
	    " (%.0f/s), lost %" PRIu64 ", gaps %" PRIu64 ", dup/reorder %" PRIu64,
	    b->sent_total, run_s > 0 ? b->sent_total / run_s : 0.0, unit, b->expected_total,
	    b->received_total, rx_s > 0 ? b->received_total / rx_s : 0.0, lost, b->gaps, b->dups);
	human(b, "  latency: p50 %.0f us  p99 %.0f us  p99.9 %.0f us  max %.0f us",
	    hist_quantile(&b->lat, 0.5) / 1e3, hist_quantile(&b->lat, 0.99) / 1e3,
	    hist_quantile(&b->lat, 0.999) / 1e3, (double)b->lat.max / 1e3);
	if (cpu_ok)
		human(b, "  server CPU %.2f s: %.0f %s per CPU-s; RSS %ld kB -> %ld kB", cpu,
		    cpu > 0 ? b->received_total / cpu : 0.0, unit, b->ps_begin.rss_kb,
		    b->ps_run1.rss_kb);
	human(b, "  generator CPU %.2f s over %.1f s%s", bench_cpu,
	    ns_to_s(b->t_drain_end - b->t_run0),
	    bench_cpu > 0.9 * ns_to_s(b->t_drain_end - b->t_run0)
		? " (generator saturated: numbers are a lower bound)"
		: "");
	if (b->forced)
		human(b, "  %" PRIu64 " window slots force-released after %.0f s without delivery",
		    b->forced, ns_to_s(BENCH_STALL_NS));
	if (b->sync_incomplete)
		human(b, "  warning: channel sync incomplete (%u/%u)", b->sync_rx,
		    b->sync_expected);
	human_errors(b);

	kv_common_head(b, &kv);
	if (fan) {
		kv_add(&kv, "clients", "%u", b->nconns);
		kv_add(&kv, "joined", "%u", b->joined);
	} else {
		kv_add(&kv, "pairs", "%u", b->nconns / 2);
	}
	kv_add(&kv, "senders", "%u", b->nsenders);
	if (b->o.rate > 0)
		kv_add(&kv, "rate", "%.0f", b->o.rate);
	else
		kv_add(&kv, "rate", "unlimited");
	kv_add(&kv, "window", "%u", b->window);
	kv_add(&kv, "size", "%d", b->o.size);
	kv_add(&kv, "duration_s", "%.2f", run_s);
	kv_add(&kv, "sent", "%" PRIu64, b->sent_total);
	kv_add(&kv, "expected", "%" PRIu64, b->expected_total);
	kv_add(&kv, "received", "%" PRIu64, b->received_total);
	kv_add(&kv, "lost", "%" PRIu64, lost);
	kv_add(&kv, "gaps", "%" PRIu64, b->gaps);
	kv_add(&kv, "dups", "%" PRIu64, b->dups);
	kv_ratio(&kv, "sent_per_s", (double)b->sent_total, run_s, true);
	kv_ratio(&kv, fan ? "deliveries_per_s" : "msgs_per_s", (double)b->received_total, rx_s,
	    true);
	kv_add(&kv, "lat_p50_us", "%.0f", hist_quantile(&b->lat, 0.5) / 1e3);
	kv_add(&kv, "lat_p99_us", "%.0f", hist_quantile(&b->lat, 0.99) / 1e3);
	kv_add(&kv, "lat_p999_us", "%.0f", hist_quantile(&b->lat, 0.999) / 1e3);
	kv_add(&kv, "lat_max_us", "%.0f", (double)b->lat.max / 1e3);
	kv_cpu(&kv, "cpu_s", &b->ps_run0, &b->ps_run1);
	kv_ratio(&kv, fan ? "deliveries_per_cpu_s" : "msgs_per_cpu_s", (double)b->received_total,
	    cpu, cpu_ok);
	/* the servers' write system calls in the window: how many lines each
	 * carries (one writev per member per loop turn) */
	kv_ratio(&kv, fan ? "deliveries_per_write" : "msgs_per_write", (double)b->received_total,
	    (double)(b->ps_run1.syscw - b->ps_run0.syscw),
	    cpu_ok && b->ps_run0.syscw >= 0 && b->ps_run1.syscw >= 0);
	kv_rss(&kv, "rss_before_kb", &b->ps_begin);
	kv_rss(&kv, "rss_after_kb", &b->ps_run1);
	kv_add(&kv, "skipped", "%" PRIu64, b->skipped);
	kv_add(&kv, "forced", "%" PRIu64, b->forced);
	kv_add(&kv, "bench_cpu_s", "%.2f", bench_cpu);
	kv_errors(b, &kv);
	print_kv(&kv);
}

static void
report_churn(struct bench *b)
{
	struct kv kv = { .len = 0 };
	double run_s = ns_to_s(b->t_run_end - b->t_run0);
	double cpu = b->ps_run1.cpu_s - b->ps_run0.cpu_s;
	bool cpu_ok = b->ps_run0.ok && b->ps_run1.ok;
	double bench_cpu = rusage_cpu_s(&b->ru_run1) - rusage_cpu_s(&b->ru_run0);
	double cps = run_s > 0 ? (double)b->cycles / run_s : 0.0;

	human(b,
	    "churn: %u workers, %.1f s: %" PRIu64 " cycles (connect+register, join 2 "
	    "channels, part, quit) = %.0f cycles/s, %.0f ops/s",
	    b->nconns, run_s, b->cycles, cps, cps * 4);
	human(b,
	    "  cycle latency: p50 %.2f ms  p99 %.2f ms  max %.2f ms; errors %" PRIu64
	    " (timeouts %" PRIu64 ")",
	    hist_quantile(&b->cycle_lat, 0.5) / 1e6, hist_quantile(&b->cycle_lat, 0.99) / 1e6,
	    (double)b->cycle_lat.max / 1e6, b->churn_errors, b->cycle_timeouts);
	if (b->ps_run0.ok && b->ps_end.ok)
		human(b,
		    "  server RSS: start %ld kB, after 1/4 of the run %ld kB, end %ld kB "
		    "(growth %+ld kB since warm-up); CPU %.2f s = %.0f cycles per CPU-s",
		    b->ps_run0.rss_kb, b->ps_warm.rss_kb, b->ps_end.rss_kb,
		    b->ps_end.rss_kb - b->ps_warm.rss_kb, cpu, cpu > 0 ? b->cycles / cpu : 0.0);
	human(b, "  generator CPU %.2f s", bench_cpu);
	human_errors(b);

	kv_common_head(b, &kv);
	kv_add(&kv, "workers", "%u", b->nconns);
	kv_add(&kv, "duration_s", "%.2f", run_s);
	kv_add(&kv, "cycles", "%" PRIu64, b->cycles);
	kv_add(&kv, "cycles_per_s", "%.1f", cps);
	kv_add(&kv, "ops_per_s", "%.1f", cps * 4);
	kv_add(&kv, "cycle_p50_us", "%.0f", hist_quantile(&b->cycle_lat, 0.5) / 1e3);
	kv_add(&kv, "cycle_p99_us", "%.0f", hist_quantile(&b->cycle_lat, 0.99) / 1e3);
	kv_add(&kv, "errors", "%" PRIu64, b->churn_errors);
	kv_add(&kv, "timeouts", "%" PRIu64, b->cycle_timeouts);
	kv_rss(&kv, "rss_start_kb", &b->ps_run0);
	kv_rss(&kv, "rss_warm_kb", &b->ps_warm);
	kv_rss(&kv, "rss_end_kb", &b->ps_end);
	if (b->ps_warm.ok && b->ps_end.ok)
		kv_add(&kv, "rss_growth_kb", "%ld", b->ps_end.rss_kb - b->ps_warm.rss_kb);
	else
		kv_add(&kv, "rss_growth_kb", "na");
	kv_cpu(&kv, "cpu_s", &b->ps_run0, &b->ps_run1);
	kv_ratio(&kv, "cycles_per_cpu_s", (double)b->cycles, cpu, cpu_ok);
	kv_add(&kv, "bench_cpu_s", "%.2f", bench_cpu);
	kv_add(&kv, "disconnects", "%u", b->disconnects);
	kv_add(&kv, "server_errors", "%u", b->server_errors);
	print_kv(&kv);
}

/* ------------------------------------------------------------- phases */

static void
enter_phase(struct bench *b, enum phase p)
{
	b->phase = p;
	b->t_phase = now_ns();
	b->t_progress = b->t_phase;
	b->progress_mark = 0;
	progress(b, "phase %s", phase_names[p]);
}

static void
start_connect(struct bench *b)
{
	b->n_target = b->nconns;
	b->t_connect0 = now_ns();
	b->ps_reg0 = proc_sample(b);
	getrusage(RUSAGE_SELF, &b->ru_run0);
	enter_phase(b, PH_CONNECT);
	pump_connect(b);
}

/* Give up on every registration still in progress (stall timeout). */
static void
connect_give_up(struct bench *b)
{
	uint32_t i, n = 0;

	for (i = 0; i < b->next_launch; i++) {
		struct conn *c = &b->conns[i];

		if (c->state != CS_CONNECTING && c->state != CS_REGISTERING &&
		    c->state != CS_RETRY_WAIT)
			continue;
		conn_close(c);
		conn_set_state(c, CS_FAILED);
		b->failed++;
		b->err_timeout++;
		if (c->counted_inflight) {
			c->counted_inflight = false;
			b->inflight--;
		}
		n++;
	}
	b->failed += b->n_target - b->next_launch;
	b->next_launch = b->n_target;
	progress(b, "connect: no progress for %.0f s, gave up on %u registrations", b->o.timeout,
	    n);
}

static void
enter_teardown(struct bench *b)
{
	uint32_t i;

	if (b->pace_ev)
		event_del(b->pace_ev);
	b->sending = false;
	enter_phase(b, PH_TEARDOWN);
	for (i = 0; i < b->nconns; i++) {
		struct conn *c = &b->conns[i];

		if (!c->bev)
			continue;
		if (c->state == CS_CONNECTING) {
			conn_close(c);
			conn_set_state(c, CS_IDLE);
			continue;
		}
		if (c->state != CS_QUITTING) {
			conn_send(c, "QUIT :evircd-bench done\r\n");
			conn_set_state(c, CS_QUITTING);
		}
	}
}

/* After the result line: keep the clients for --linger s, or tear down. */
static void
enter_linger_or_teardown(struct bench *b)
{
	if (b->o.linger > 0 && !b->interrupted && !b->linger_stop)
		enter_phase(b, PH_LINGER);
	else
		enter_teardown(b);
}

static void
finish(struct bench *b)
{
	uint32_t i;

	for (i = 0; i < b->nconns; i++)
		conn_close(&b->conns[i]);
	enter_phase(b, PH_DONE);
	event_base_loopexit(b->base, NULL);
}

static void send_marker(struct bench *b);

/* Multi-port: has every server counted all members in LIST? */
static bool
list_synced(struct bench *b)
{
	int p;

	for (p = 0; p < b->o.nports; p++)
		if (!b->list_ok[p])
			return false;
	return true;
}

/* LIST reply to a sync probe: 322 carries the count, 323 ends it. */
static void
on_list_reply(struct conn *c, int code, struct irc_line *m)
{
	struct bench *b = c->b;
	int p = (int)(c->id % (uint32_t)b->o.nports);

	if (b->phase != PH_SYNC || !b->list_sync || b->list_conn[p] != c->id)
		return;
	if (code == 322) {
		if (m->argc >= 3 && strcasecmp(m->argv[1], b->o.channel) == 0)
			b->list_count[p] = (uint32_t)strtoul(m->argv[2], NULL, 10);
		return;
	}
	if (b->list_count[p] >= b->joined) {
		b->list_ok[p] = true;
		if (list_synced(b)) {
			b->list_sync = false;
			send_marker(b);
		}
	} else {
		b->list_due[p] = true; /* asked again on the next tick */
	}
}

/* Multi-port: ask each server for the channel's member count. */
static void
list_ask(struct bench *b, bool all)
{
	int p;

	for (p = 0; p < b->o.nports; p++) {
		struct conn *c = &b->conns[b->list_conn[p]];

		if (b->list_ok[p] || (!all && !b->list_due[p]))
			continue;
		b->list_due[p] = false;
		b->list_count[p] = 0;
		if (c->bev)
			conn_send(c, "LIST %s\r\n", b->o.channel);
	}
}

static void
enter_sync(struct bench *b)
{
	uint32_t i;
	int p, found = 0;

	enter_phase(b, PH_SYNC);
	if (b->joined < 2) {
		b->sync_expected = 0;
		return;
	}
	if (b->o.nports > 1) {
		/* The JOINs of other servers' members come over links: wait until
		 * every server counts them all, else a server could miss members
		 * behind a link and the marker would not reach them. */
		for (p = 0; p < b->o.nports; p++) {
			b->list_ok[p] = true;
			for (i = (uint32_t)p; i < b->nconns; i += (uint32_t)b->o.nports) {
				if (b->conns[i].state == CS_JOINED && b->conns[i].bev) {
					b->list_conn[p] = i;
					b->list_ok[p] = false;
					found++;
					break;
				}
			}
		}
		if (found > 0) {
			b->list_sync = true;
			list_ask(b, true);
			return;
		}
	}
	send_marker(b);
}

/* Send the sync marker from the first member. */
static void
send_marker(struct bench *b)
{
	uint32_t i;

	/* Once every other member saw a line sent after all JOINs, the JOIN
	 * broadcasts are out of the way and measurement can start. */
	for (i = 0; i < b->nconns; i++) {
		struct conn *c = &b->conns[i];

		if (c->state == CS_JOINED && c->bev) {
			b->sync_expected = b->joined - 1;
			conn_send(c, "PRIVMSG %s :~s\r\n", b->o.channel);
			return;
		}
	}
}

static void pace_cb(evutil_socket_t fd, short what, void *arg);

static void
start_run(struct bench *b)
{
	uint32_t i, want;

	/* choose the senders */
	want = b->o.scenario == SC_FANOUT ? (uint32_t)b->o.senders : b->nconns;
	b->senders = calloc(want ? want : 1, sizeof(*b->senders));
	if (!b->senders)
		die("out of memory");
	b->nsenders = 0;
	for (i = 0; i < b->nconns && b->nsenders < want; i++) {
		struct conn *c = &b->conns[i];

		if (!c->bev)
			continue;
		if (b->o.scenario == SC_FANOUT && c->state != CS_JOINED)
			continue;
		if (b->o.scenario == SC_PRIVMSG &&
		    (c->state != CS_REGISTERED || b->conns[i ^ 1u].state != CS_REGISTERED))
			continue;
		c->sid = (int32_t)b->nsenders;
		b->senders[b->nsenders++].conn = i;
	}
	b->nrecv_per_msg = b->o.scenario == SC_FANOUT ? (b->joined ? b->joined - 1 : 0) : 1;
	b->window = b->o.rate > 0 ? 0 : (uint32_t)b->o.window;
	if (b->window) {
		for (i = 0; i < b->nsenders; i++) {
			b->senders[i].slot_seq = calloc(b->window, sizeof(uint32_t));
			b->senders[i].slot_rem = calloc(b->window, sizeof(uint32_t));
			if (!b->senders[i].slot_seq || !b->senders[i].slot_rem)
				die("out of memory");
		}
	}
	b->rx_next = calloc((size_t)b->nconns *
		(b->o.scenario == SC_FANOUT ? (b->nsenders ? b->nsenders : 1) : 1),
	    sizeof(uint32_t));
	if (!b->rx_next)
		die("out of memory");
	if (b->nsenders == 0 || b->nrecv_per_msg == 0)
		progress(b, "warning: nothing to measure (%u senders, %u receivers per message)",
		    b->nsenders, b->nrecv_per_msg);

	b->ps_run0 = proc_sample(b);
	getrusage(RUSAGE_SELF, &b->ru_run0);
	enter_phase(b, PH_RUN);
	b->t_run0 = now_ns();
	b->t_run_end = b->t_run0 + (uint64_t)(b->o.duration * 1e9);
	b->sending = true;
	for (i = 0; i < b->nsenders; i++)
		b->senders[i].last_progress = b->t_run0;
	if (b->o.rate > 0) {
		struct timeval tv = { 0, 1000 };

		b->pace_ev = event_new(b->base, -1, EV_PERSIST, pace_cb, b);
		event_add(b->pace_ev, &tv);
	} else {
		for (i = 0; i < b->nsenders; i++)
			fill_window(b, &b->senders[i]);
	}
}

static void
stop_run(struct bench *b)
{
	uint32_t i;

	b->sending = false;
	b->t_run_end = now_ns();
	if (b->pace_ev)
		event_del(b->pace_ev);
	b->expected_total = 0;
	for (i = 0; i < b->nsenders; i++)
		b->expected_total += (uint64_t)b->senders[i].sent * b->nrecv_per_msg;
	enter_phase(b, PH_DRAIN);
}

/* Rate mode: top every sender up to rate x elapsed (1 ms tick). */
static void
pace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench *b = arg;
	uint64_t now = now_ns(), due;
	uint32_t i;

	(void)fd;
	(void)what;
	if (!b->sending)
		return;
	if (now >= b->t_run_end) {
		advance(b);
		return;
	}
	due = (uint64_t)((double)(now - b->t_run0) * b->o.rate / 1e9);
	for (i = 0; i < b->nsenders; i++) {
		struct sender *s = &b->senders[i];
		struct conn *c = &b->conns[s->conn];
		uint64_t n;

		if (due <= s->offered)
			continue;
		n = due - s->offered;
		s->offered = due;
		while (n > 0) {
			if (!c->bev ||
			    evbuffer_get_length(bufferevent_get_output(c->bev)) > BENCH_OUT_CAP) {
				b->skipped += n;
				break;
			}
			send_bench_msg(b, s);
			n--;
		}
	}
}

static void
start_churn(struct bench *b)
{
	uint32_t i;

	b->ps_run0 = proc_sample(b);
	getrusage(RUSAGE_SELF, &b->ru_run0);
	enter_phase(b, PH_RUN);
	b->t_run0 = now_ns();
	b->t_run_end = b->t_run0 + (uint64_t)(b->o.duration * 1e9);
	b->sending = true;
	b->churn_active = b->nconns;
	for (i = 0; i < b->nconns; i++) {
		conn_set_state(&b->conns[i], CS_RETRY_WAIT);
		conn_launch(&b->conns[i]);
	}
}

static uint32_t
count_state(struct bench *b, enum conn_state st)
{
	uint32_t i, n = 0;

	for (i = 0; i < b->nconns; i++)
		n += b->conns[i].state == st && b->conns[i].bev;
	return n;
}

/* Move through the phases as far as the current state allows. */
static void
advance(struct bench *b)
{
	if (b->in_advance)
		return;
	b->in_advance = true;
	for (;;) {
		enum phase before = b->phase;
		uint64_t now = now_ns();

		switch (b->phase) {
		case PH_CONNECT:
			if (b->registered + b->failed < b->n_target)
				break;
			b->ps_reg1 = proc_sample(b);
			getrusage(RUSAGE_SELF, &b->ru_run1);
			if (b->o.scenario == SC_CONNECT) {
				progress(b, "connect: %u registered, %u failed; holding %.0f s",
				    b->registered, b->failed, b->o.hold);
				b->t_hold0 = now;
				enter_phase(b, PH_HOLD);
			} else if (b->o.scenario == SC_FANOUT) {
				enter_phase(b, PH_JOIN);
				pump_join(b);
			} else {
				start_run(b);
			}
			break;
		case PH_HOLD:
			if (now < b->t_hold0 + (uint64_t)(b->o.hold * 1e9))
				break;
			b->ps_hold1 = proc_sample(b);
			report_connect(b, count_state(b, CS_REGISTERED));
			enter_linger_or_teardown(b);
			break;
		case PH_JOIN:
			if (b->next_join < b->nconns || b->join_inflight > 0)
				break;
			progress(b, "join: %u joined, %u failed", b->joined, b->join_failed);
			enter_sync(b);
			break;
		case PH_SYNC:
			if (b->list_sync || b->sync_rx < b->sync_expected)
				break;
			start_run(b);
			break;
		case PH_RUN:
			if (now < b->t_run_end)
				break;
			stop_run(b);
			break;
		case PH_DRAIN:
			if (b->o.scenario == SC_CHURN) {
				uint32_t i;

				if (b->churn_active > 0 &&
				    now < b->t_phase + BENCH_CYCLE_TIMEOUT_NS)
					break;
				for (i = 0; i < b->nconns; i++)
					conn_close(&b->conns[i]);
				b->ps_run1 = proc_sample(b);
				getrusage(RUSAGE_SELF, &b->ru_run1);
				enter_phase(b, PH_SETTLE);
				break;
			}
			if (b->received_total < b->expected_total &&
			    now < b->t_phase + (uint64_t)(b->o.drain * 1e9))
				break;
			b->t_drain_end = now;
			b->ps_run1 = proc_sample(b);
			getrusage(RUSAGE_SELF, &b->ru_run1);
			report_messages(b);
			enter_linger_or_teardown(b);
			break;
		case PH_SETTLE:
			/* let the server finish freeing closed clients */
			if (now < b->t_phase + NS_PER_S)
				break;
			b->ps_end = proc_sample(b);
			report_churn(b);
			finish(b);
			break;
		case PH_LINGER:
			if (!b->linger_stop && b->alive > 0 &&
			    now < b->t_phase + (uint64_t)(b->o.linger * 1e9))
				break;
			progress(b, "linger: over (%u connections open)", b->alive);
			enter_teardown(b);
			break;
		case PH_TEARDOWN:
			if (b->alive > 0 && now < b->t_phase + BENCH_TEARDOWN_NS)
				break;
			finish(b);
			break;
		case PH_DONE:
			break;
		}
		if (b->phase == before)
			break;
	}
	b->in_advance = false;
}

/* 50 ms housekeeping: timeouts, stall breaking, progress lines. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench *b = arg;
	uint64_t now = now_ns();
	uint64_t mark;
	uint32_t i;

	(void)fd;
	(void)what;
	switch (b->phase) {
	case PH_CONNECT:
		mark = (uint64_t)b->registered + b->failed + b->retries_total;
		if (mark != b->progress_mark) {
			b->progress_mark = mark;
			b->t_progress = now;
		} else if (now - b->t_progress > (uint64_t)(b->o.timeout * 1e9)) {
			connect_give_up(b);
		}
		break;
	case PH_JOIN:
		mark = (uint64_t)b->joined + b->join_failed;
		if (mark != b->progress_mark) {
			b->progress_mark = mark;
			b->t_progress = now;
		} else if (now - b->t_progress > (uint64_t)(b->o.timeout * 1e9)) {
			progress(b, "join: no progress for %.0f s, giving up", b->o.timeout);
			for (i = 0; i < b->nconns; i++) {
				if (b->conns[i].state == CS_JOINING) {
					conn_set_state(&b->conns[i], CS_REGISTERED);
					b->join_failed++;
				}
			}
			b->join_inflight = 0;
			b->next_join = b->nconns;
		}
		break;
	case PH_SYNC:
		if (b->list_sync)
			list_ask(b, false);
		if (now - b->t_phase > (uint64_t)(b->o.timeout * 1e9)) {
			if (b->list_sync) {
				progress(b,
				    "sync: a server does not count every member in LIST "
				    "after %.0f s, starting anyway",
				    b->o.timeout);
				b->list_sync = false;
				b->sync_incomplete = true;
				b->t_phase = now;
				send_marker(b);
				break;
			}
			b->sync_incomplete = true;
			progress(b, "sync: only %u/%u saw the marker, starting anyway", b->sync_rx,
			    b->sync_expected);
			b->sync_expected = b->sync_rx;
		}
		break;
	case PH_RUN:
		if (b->o.scenario == SC_CHURN) {
			if (!b->warm_taken && now - b->t_run0 >= b->t_run_end / 4 - b->t_run0 / 4) {
				b->ps_warm = proc_sample(b);
				b->warm_taken = true;
			}
			for (i = 0; i < b->nconns; i++) {
				struct conn *c = &b->conns[i];

				if (c->bev && now - c->t_cycle > BENCH_CYCLE_TIMEOUT_NS) {
					b->cycle_timeouts++;
					b->churn_errors++;
					conn_close(c);
					churn_next(c, 0);
				}
			}
		} else if (b->window) {
			for (i = 0; i < b->nsenders; i++) {
				struct sender *s = &b->senders[i];
				uint32_t k;

				if (s->sent == s->completed ||
				    now - s->last_progress < BENCH_STALL_NS)
					continue;
				for (k = 0; k < b->window; k++) {
					if (s->slot_rem[k]) {
						s->slot_rem[k] = 0;
						b->forced++;
					}
				}
				s->completed = s->sent;
				s->last_progress = now;
				fill_window(b, s);
			}
		}
		break;
	case PH_DRAIN:
		if (b->o.scenario == SC_CHURN) {
			for (i = 0; i < b->nconns; i++) {
				struct conn *c = &b->conns[i];

				if (c->bev && now - c->t_cycle > BENCH_CYCLE_TIMEOUT_NS) {
					b->cycle_timeouts++;
					b->churn_errors++;
					conn_close(c);
					churn_next(c, 0);
				}
			}
		}
		break;
	default:
		break;
	}

	if (!b->o.quiet && now - b->last_report >= NS_PER_S) {
		b->last_report = now;
		switch (b->phase) {
		case PH_CONNECT:
			progress(b,
			    "connect: %u/%u registered, %u in progress (%u connecting, "
			    "%u waiting for 001), %u failed, %u retries",
			    b->registered, b->n_target, b->inflight, count_state(b, CS_CONNECTING),
			    count_state(b, CS_REGISTERING), b->failed, b->retries_total);
			break;
		case PH_JOIN:
			progress(b, "join: %u/%u joined", b->joined, b->registered);
			break;
		case PH_RUN:
		case PH_DRAIN:
			if (b->o.scenario == SC_CHURN)
				progress(b, "churn: %" PRIu64 " cycles, %" PRIu64 " errors",
				    b->cycles, b->churn_errors);
			else
				progress(b, "%s: sent %" PRIu64 " received %" PRIu64,
				    phase_names[b->phase], b->sent_total, b->received_total);
			break;
		default:
			break;
		}
	}
	advance(b);
}

/* SIGUSR1: end --hold or --linger now (the result line still comes). */
static void
usr1_cb(evutil_socket_t sig, short what, void *arg)
{
	struct bench *b = arg;

	(void)sig;
	(void)what;
	b->linger_stop = true;
	if (b->phase == PH_HOLD)
		b->o.hold = 0;
	advance(b);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct bench *b = arg;

	(void)what;
	fprintf(stderr, "evircd-bench: signal %d, stopping\n", (int)sig);
	b->interrupted = true;
	b->exit_code = 130;
	if (b->phase == PH_TEARDOWN || b->phase == PH_DONE)
		finish(b);
	else
		enter_teardown(b);
}

/* ------------------------------------------------------------ options */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: evircd-bench SCENARIO [options]\n"
	    "  SCENARIO is connect, fanout, privmsg or churn (or --scenario NAME)\n"
	    "\n"
	    "  --host ADDR          server address (default 127.0.0.1; ::1 works)\n"
	    "  --port N[,N...]      server port(s) (default 6667); several: clients\n"
	    "                       round-robin over them (a network of servers)\n"
	    "  --password PASS      send PASS before registering\n"
	    "  --clients N          connect: clients to register (default 10000);\n"
	    "                       fanout: channel members (default 500)\n"
	    "  --senders S          fanout: members that send (default 5)\n"
	    "  --pairs P            privmsg: client pairs (default 100)\n"
	    "  --workers K          churn: concurrent workers (default 50)\n"
	    "  --duration S         fanout/privmsg/churn: seconds of load (default 10)\n"
	    "  --rate R             msgs/s per sender; 0 = unlimited with --window (default 0)\n"
	    "  --window W           unlimited mode: undelivered messages per sender (default 16)\n"
	    "  --size B             approximate message text length (default 64)\n"
	    "  --drain S            seconds to wait for stragglers after sending (default 5)\n"
	    "  --hold S             connect: keep the clients idle for S seconds (default 0)\n"
	    "  --server-pid PID[,PID...]  read the servers' RSS and CPU time from\n"
	    "                       /proc/PID (summed over the list)\n"
	    "  --linger S           after the result line keep the clients up to S s\n"
	    "                       (SIGUSR1 ends it; so does losing them all)\n"
	    "  --nick-prefix P      nickname prefix (default b); distinct per bench process\n"
	    "  --channel #C         channel (default #bench)\n"
	    "  --sources N          bind to N source addresses 127.0.0.1..N (default: auto)\n"
	    "  --concurrency N      registrations/joins in progress at once (default 500)\n"
	    "  --retries N          attempts per registration after the first (default 5)\n"
	    "  --timeout S          give up a phase after S seconds without progress (default 60)\n"
	    "  --label NAME         add server=NAME to the key=value line\n"
	    "  --quiet              only print the key=value line\n");
}

static double
parse_num(const char *opt, const char *v, double lo, double hi)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end != '\0' || d < lo || d > hi)
		die("bad value for --%s: '%s' (expected %g..%g)", opt, v, lo, hi);
	return d;
}

/* A comma-separated list of numbers in lo..hi (at most BENCH_MAX_PORTS). */
static int
parse_list(const char *opt, const char *v, double lo, double hi, void *out)
{
	char buf[256], *tok, *comma;
	int n = 0;

	if (strlen(v) >= sizeof(buf))
		die("--%s: list too long", opt);
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = buf; tok; tok = comma ? comma + 1 : NULL) {
		double x;

		comma = strchr(tok, ',');
		if (comma)
			*comma = '\0';
		x = parse_num(opt, tok, lo, hi);

		if (n == BENCH_MAX_PORTS)
			die("--%s: at most %d values", opt, BENCH_MAX_PORTS);
		if (strcmp(opt, "port") == 0)
			((int *)out)[n++] = (int)x;
		else
			((long *)out)[n++] = (long)x;
	}
	if (n == 0)
		die("--%s: empty list", opt);
	return n;
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = { { "scenario", required_argument, NULL, 'S' },
		{ "host", required_argument, NULL, 'h' }, { "port", required_argument, NULL, 'p' },
		{ "password", required_argument, NULL, 'P' },
		{ "clients", required_argument, NULL, 'c' },
		{ "senders", required_argument, NULL, 's' },
		{ "pairs", required_argument, NULL, 'a' },
		{ "workers", required_argument, NULL, 'k' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "size", required_argument, NULL, 'z' }, { "drain", required_argument, NULL, 'D' },
		{ "hold", required_argument, NULL, 'H' },
		{ "server-pid", required_argument, NULL, 'i' },
		{ "nick-prefix", required_argument, NULL, 'n' },
		{ "channel", required_argument, NULL, 'C' },
		{ "sources", required_argument, NULL, 'o' },
		{ "concurrency", required_argument, NULL, 'y' },
		{ "retries", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' }, { "quiet", no_argument, NULL, 'q' },
		{ "linger", required_argument, NULL, 'L' }, { "help", no_argument, NULL, '?' },
		{ NULL, 0, NULL, 0 } };
	const char *scen = NULL;
	int ch, clients = -1;

	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->ports[0] = 6667;
	o->nports = 1;
	o->senders = 5;
	o->pairs = 100;
	o->workers = 50;
	o->duration = 10;
	o->window = 16;
	o->size = 64;
	o->drain = 5;
	o->timeout = 60;
	o->concurrency = 500;
	o->retries = 5;
	o->nick_prefix = "b";
	o->channel = "#bench";

	while ((ch = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		switch (ch) {
		case 'S':
			scen = optarg;
			break;
		case 'h':
			o->host = optarg;
			break;
		case 'p':
			o->nports = parse_list("port", optarg, 1, 65535, o->ports);
			break;
		case 'P':
			o->password = optarg;
			break;
		case 'c':
			clients = (int)parse_num("clients", optarg, 1, 10000000);
			break;
		case 's':
			o->senders = (int)parse_num("senders", optarg, 1, 100000);
			break;
		case 'a':
			o->pairs = (int)parse_num("pairs", optarg, 1, 5000000);
			break;
		case 'k':
			o->workers = (int)parse_num("workers", optarg, 1, 1000000);
			break;
		case 'd':
			o->duration = parse_num("duration", optarg, 0.1, 86400);
			break;
		case 'r':
			o->rate = parse_num("rate", optarg, 0, 10000000);
			break;
		case 'w':
			o->window = (int)parse_num("window", optarg, 1, 1000000);
			break;
		case 'z':
			o->size = (int)parse_num("size", optarg, 1, 400);
			break;
		case 'D':
			o->drain = parse_num("drain", optarg, 0, 3600);
			break;
		case 'H':
			o->hold = parse_num("hold", optarg, 0, 86400);
			break;
		case 'i':
			o->npids = parse_list("server-pid", optarg, 1, 4194304, o->server_pids);
			break;
		case 'L':
			o->linger = parse_num("linger", optarg, 0, 86400);
			break;
		case 'n':
			o->nick_prefix = optarg;
			break;
		case 'C':
			o->channel = optarg;
			break;
		case 'o':
			o->sources = (int)parse_num("sources", optarg, 1, 250);
			break;
		case 'y':
			o->concurrency = (int)parse_num("concurrency", optarg, 1, 1000000);
			break;
		case 'R':
			o->retries = (int)parse_num("retries", optarg, 0, 100);
			break;
		case 't':
			o->timeout = parse_num("timeout", optarg, 1, 86400);
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case '?':
		default:
			usage(ch == '?' && optopt == 0 ? stdout : stderr);
			exit(ch == '?' && optopt == 0 ? 0 : 2);
		}
	}
	o->port = o->ports[0];
	o->server_pid = o->npids > 0 ? o->server_pids[0] : 0;
	if (!scen && optind < argc)
		scen = argv[optind++];
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
	if (!scen) {
		usage(stderr);
		exit(2);
	}
	if (strcmp(scen, "connect") == 0)
		o->scenario = SC_CONNECT;
	else if (strcmp(scen, "fanout") == 0)
		o->scenario = SC_FANOUT;
	else if (strcmp(scen, "privmsg") == 0)
		o->scenario = SC_PRIVMSG;
	else if (strcmp(scen, "churn") == 0)
		o->scenario = SC_CHURN;
	else
		die("unknown scenario '%s' (connect, fanout, privmsg, churn)", scen);
	o->clients = clients > 0 ? clients : (o->scenario == SC_CONNECT ? 10000 : 500);
	if (o->scenario == SC_FANOUT && o->senders > o->clients)
		die("--senders %d exceeds --clients %d", o->senders, o->clients);
	if (o->scenario == SC_FANOUT && o->clients < 2)
		die("fanout needs at least 2 clients");
	if (o->channel[0] != '#' && o->channel[0] != '&')
		die("--channel must start with # or &");
	if (strlen(o->nick_prefix) > 20 || !o->nick_prefix[0] || strpbrk(o->nick_prefix, " ,:!@*?"))
		die("--nick-prefix must be 1..20 nickname characters");
}

/* Raise RLIMIT_NOFILE to the hard limit; returns the new soft limit. */
static long
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1L << 30 : (long)rl.rlim_cur;
}

/* Size of the kernel's ephemeral port range (connections per source IP). */
static long
ephemeral_ports(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	long lo = 32768, hi = 60999;

	if (f) {
		if (fscanf(f, "%ld %ld", &lo, &hi) != 2) {
			lo = 32768;
			hi = 60999;
		}
		fclose(f);
	}
	return hi >= lo ? hi - lo + 1 : 1;
}

static void
resolve_target(struct bench *b)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&b->dst[0];
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&b->dst[0];
	int i;

	memset(&b->dst, 0, sizeof(b->dst));
	if (inet_pton(AF_INET, b->o.host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)b->o.port);
		b->dstlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, b->o.host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)b->o.port);
		b->dstlen = sizeof(*sin6);
	} else if (strcmp(b->o.host, "localhost") == 0) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons((uint16_t)b->o.port);
		b->dstlen = sizeof(*sin);
	} else {
		die("--host must be a numeric loopback address (127.x.x.x or ::1), got '%s'",
		    b->o.host);
	}
	if (b->dst[0].ss_family == AF_INET && (ntohl(sin->sin_addr.s_addr) >> 24) != 127)
		die("--host %s is not in 127.0.0.0/8: this tool only targets loopback", b->o.host);
	if (b->dst[0].ss_family == AF_INET6 && !IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
		die("--host %s is not ::1: this tool only targets loopback", b->o.host);
	for (i = 1; i < b->o.nports; i++) {
		b->dst[i] = b->dst[0];
		if (b->dst[i].ss_family == AF_INET)
			((struct sockaddr_in *)&b->dst[i])->sin_port =
			    htons((uint16_t)b->o.ports[i]);
		else
			((struct sockaddr_in6 *)&b->dst[i])->sin6_port =
			    htons((uint16_t)b->o.ports[i]);
	}
}

int
main(int argc, char **argv)
{
	static struct bench bench;
	struct bench *b = &bench;
	struct timeval tick = { 0, 50000 };
	uint32_t i;
	long need, ports;
	size_t padlen;

	parse_args(&b->o, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	switch (b->o.scenario) {
	case SC_CONNECT:
	case SC_FANOUT:
		b->nconns = (uint32_t)b->o.clients;
		break;
	case SC_PRIVMSG:
		b->nconns = (uint32_t)b->o.pairs * 2;
		break;
	case SC_CHURN:
		b->nconns = (uint32_t)b->o.workers;
		break;
	}
	b->rlimit_nofile = raise_nofile();
	need = (long)b->nconns + BENCH_FD_RESERVE;
	if (need > b->rlimit_nofile) {
		long per = b->rlimit_nofile - BENCH_FD_RESERVE;
		long procs = per > 0 ? ((long)b->nconns + per - 1) / per : 0;

		if (per <= 0)
			die("RLIMIT_NOFILE is only %ld", b->rlimit_nofile);
		die("%u connections need about %ld file descriptors but RLIMIT_NOFILE is %ld "
		    "(the hard limit). Run %ld evircd-bench processes in parallel with "
		    "--clients %ld each, a distinct --nick-prefix per process and --sources 4 "
		    "(the server needs a descriptor limit above the total, too)",
		    b->nconns, need, b->rlimit_nofile, procs,
		    ((long)b->nconns + procs - 1) / procs);
	}

	resolve_target(b);
	ports = ephemeral_ports();
	if (b->o.sources > 0) {
		if (b->dst[0].ss_family != AF_INET)
			die("--sources needs an IPv4 --host in 127.0.0.0/8");
		b->nsources = b->o.sources;
	} else if (b->dst[0].ss_family == AF_INET && b->o.scenario != SC_CHURN) {
		/* Stay well inside one address's ephemeral range; beyond it use
		 * several 127.0.0.X source addresses. */
		long per = ports * 3 / 4;
		long n = ((long)b->nconns + per - 1) / per;

		b->nsources = n > 1 ? (int)(n > 250 ? 250 : n) : 0;
	}

	padlen = b->o.size > 40 ? (size_t)b->o.size - 40 : 0;
	memset(b->pad, 'x', padlen);
	b->pad[padlen] = '\0';

	b->base = event_base_new();
	if (!b->base)
		die("event_base_new failed");
	b->conns = calloc(b->nconns, sizeof(*b->conns));
	if (!b->conns)
		die("out of memory for %u connections", b->nconns);
	for (i = 0; i < b->nconns; i++) {
		b->conns[i].b = b;
		b->conns[i].id = i;
		b->conns[i].sid = -1;
	}
	b->tick_ev = event_new(b->base, -1, EV_PERSIST, tick_cb, b);
	event_add(b->tick_ev, &tick);
	b->sigint_ev = evsignal_new(b->base, SIGINT, signal_cb, b);
	b->sigterm_ev = evsignal_new(b->base, SIGTERM, signal_cb, b);
	event_add(b->sigint_ev, NULL);
	event_add(b->sigterm_ev, NULL);
	b->sigusr1_ev = evsignal_new(b->base, SIGUSR1, usr1_cb, b);
	event_add(b->sigusr1_ev, NULL);

	b->t_begin = now_ns();
	b->last_report = b->t_begin;
	b->ps_begin = proc_sample(b);
	if (b->o.npids > 0 && !b->ps_begin.ok)
		die("cannot read /proc/PID/status and /proc/PID/stat of every --server-pid");
	progress(b,
	    "%s against %s port %d (%d port(s))%s%s: %u connections, fd limit %ld, sources %d, "
	    "libevent %s (%s)",
	    scenario_names[b->o.scenario], b->o.host, b->o.port, b->o.nports,
	    b->o.label ? " label " : "", b->o.label ? b->o.label : "", b->nconns, b->rlimit_nofile,
	    b->nsources ? b->nsources : 1, event_get_version(), event_base_get_method(b->base));

	if (b->o.scenario == SC_CHURN)
		start_churn(b);
	else
		start_connect(b);
	event_base_dispatch(b->base);

	for (i = 0; i < b->nconns; i++)
		conn_close(&b->conns[i]);
	if (b->senders) {
		for (i = 0; i < b->nsenders; i++) {
			free(b->senders[i].slot_seq);
			free(b->senders[i].slot_rem);
		}
		free(b->senders);
	}
	free(b->rx_next);
	if (b->pace_ev)
		event_free(b->pace_ev);
	event_free(b->tick_ev);
	event_free(b->sigint_ev);
	event_free(b->sigterm_ev);
	event_free(b->sigusr1_ev);
	free(b->conns);
	event_base_free(b->base);
	if (b->phase != PH_DONE && !b->interrupted)
		b->exit_code = 1;
	if (b->o.scenario != SC_CHURN && b->registered == 0)
		b->exit_code = b->exit_code ? b->exit_code : 1;
	return b->exit_code;
}
